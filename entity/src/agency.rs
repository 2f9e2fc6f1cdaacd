//! An agency (*cơ quan*): a people's committee, a department, a press agency… Agencies form a tree
//! through `parent_id`, mirrored in the materialized `path` so that a whole subtree is one
//! `path LIKE 'prefix%'` away. Agencies are never deleted: they close (`valid_to`) and may name a
//! `successor_id`.

use sea_orm::entity::prelude::*;

/// What an agency is; decides where it may sit in the tree and which fields it may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum AgencyKind {
    /// UBND tỉnh / thành phố trực thuộc Trung ương.
    #[sea_orm(string_value = "PROVINCIAL_COMMITTEE")]
    ProvincialCommittee,
    /// Sở, ban, ngành; or a district's office (Phòng Văn hóa và Thông tin).
    #[sea_orm(string_value = "DEPARTMENT")]
    Department,
    /// UBND huyện / thị xã / thành phố thuộc tỉnh (before 1 July 2025).
    #[sea_orm(string_value = "DISTRICT")]
    District,
    /// UBND xã / phường / thị trấn / đặc khu.
    #[sea_orm(string_value = "COMMUNE")]
    Commune,
    /// Báo, đài, tạp chí: a press agency.
    #[sea_orm(string_value = "PRESS_AGENCY")]
    PressAgency,
    /// Anything else.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// One agency row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agency")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Full official name, as written (with diacritics).
    pub name: String,
    /// `name` folded for diacritics-insensitive search: lower case, no tone marks, `đ` → `d`.
    pub search_name: String,
    /// Short name used in document symbols (`UBND`, `STTTT`).
    pub short_name: String,
    /// What the agency is.
    pub kind: AgencyKind,
    /// Parent in the tree; `None` for a root.
    pub parent_id: Option<Uuid>,
    /// Materialized path: `/<root>/<…>/<self>/` with ids in simple hex form.
    pub path: String,
    /// Number of ancestors (a root has depth 0).
    pub depth: i32,
    /// Administrative-unit code: 2 digits (province), 3 (district), 5 (commune).
    #[sea_orm(unique)]
    pub admin_code: Option<String>,
    /// Electronic agency identifier for document exchange (`000.00.31.H56`).
    #[sea_orm(unique)]
    pub electronic_id: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// Switchboard phone number.
    pub phone: Option<String>,
    /// Official e-mail address.
    pub email: Option<String>,
    /// Web portal.
    pub website: Option<String>,
    /// Press agencies only: comma-separated media (`PRINT,ONLINE`).
    pub press_media: Option<String>,
    /// Press agencies only: operating licence.
    pub press_licence: Option<String>,
    /// The department that leads TTĐN in its province.
    pub is_ttdn_lead: bool,
    /// First day the agency exists.
    pub valid_from: Date,
    /// Last day the agency exists; `None` while it is current.
    pub valid_to: Option<Date>,
    /// The agency that took over when this one closed.
    pub successor_id: Option<Uuid>,
    /// Optimistic-concurrency version, bumped by every change.
    pub version: i32,
    /// When the row was created.
    pub created_at: DateTimeUtc,
    /// When the row last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::listed! {
    /// The columns a list of agencies shows most often: the name, the short name, the kind and
    /// the parent, with the folded name the list is ordered by. A page that shows nothing else
    /// (a directory of agencies with their spokespersons, say) reads these 6 of the row's 23
    /// columns.
    #[derive(Clone, Debug, PartialEq, Eq, DerivePartialModel)]
    #[sea_orm(entity = "Entity")]
    pub struct Listed {
        /// UUID v7.
        pub id: Uuid,
        /// Full official name, as written (with diacritics).
        pub name: String,
        /// `name` folded for diacritics-insensitive search, the list's order.
        pub search_name: String,
        /// Short name used in document symbols.
        pub short_name: String,
        /// What the agency is.
        pub kind: AgencyKind,
        /// Parent in the tree; `None` for a root.
        pub parent_id: Option<Uuid>,
    }
}
