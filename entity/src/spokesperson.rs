//! A spokesperson (*người phát ngôn*) of an agency, with the term of the appointment. Terms are
//! history: a new appointment ends the previous one; nothing is overwritten.

use sea_orm::entity::prelude::*;

/// On what basis a person speaks for the agency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SpokespersonKind {
    /// The head of the agency (chairman, director), who speaks by law.
    #[sea_orm(string_value = "HEAD")]
    Head,
    /// The regular spokesperson appointed by the head.
    #[sea_orm(string_value = "APPOINTED")]
    Appointed,
    /// A person authorised for one matter and a bounded time.
    #[sea_orm(string_value = "AUTHORISED")]
    Authorised,
}

/// One spokesperson row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spokesperson")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The agency spoken for.
    pub agency_id: Uuid,
    /// Full name.
    pub full_name: String,
    /// `full_name` folded for search.
    pub search_name: String,
    /// Position (chức vụ).
    pub title: String,
    /// Basis.
    pub kind: SpokespersonKind,
    /// Phone published to the press.
    pub phone: Option<String>,
    /// Official e-mail published to the press.
    pub email: Option<String>,
    /// Number and symbol of the appointing document.
    pub appointing_doc_number: Option<String>,
    /// Date of the appointing document.
    pub appointing_doc_date: Option<Date>,
    /// First day of the term.
    pub term_from: Date,
    /// Last day of the term; `None` while open.
    pub term_to: Option<Date>,
    /// Authorised persons: the HEAD or APPOINTED spokesperson who granted the authorisation.
    pub grantor_id: Option<Uuid>,
    /// Authorised persons: the matter they speak on.
    pub subject: Option<String>,
    /// When the spokesperson was published to the press.
    pub published_at: Option<DateTimeUtc>,
    /// When the publication is due: fixed at the appointment from the publication window then
    /// in force (the `SPOKESPERSON_PUBLICATION_HOURS` legal setting), so that a later change of
    /// the window never moves it.
    pub publication_due_at: DateTimeUtc,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// When the appointment was recorded.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::listed! {
    /// The columns of a spokesperson's contact card: who speaks for which agency, on what basis,
    /// and how to reach them. A list that shows nothing else (an agency's current spokespersons,
    /// most often) reads these 7 of the row's 19 columns.
    #[derive(Clone, Debug, PartialEq, Eq, DerivePartialModel)]
    #[sea_orm(entity = "Entity")]
    pub struct Card {
        /// UUID v7.
        pub id: Uuid,
        /// The agency spoken for.
        pub agency_id: Uuid,
        /// Full name.
        pub full_name: String,
        /// Position (chức vụ).
        pub title: String,
        /// Basis.
        pub kind: SpokespersonKind,
        /// Phone published to the press.
        pub phone: Option<String>,
        /// Official e-mail published to the press.
        pub email: Option<String>,
    }
}
