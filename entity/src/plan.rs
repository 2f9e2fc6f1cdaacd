//! An annual TTĐN plan (*kế hoạch*) of an agency, possibly implementing its parent's plan.

use sea_orm::entity::prelude::*;

/// One plan row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan")]
pub struct Model {
    /// UUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Issuing agency.
    pub agency_id: Uuid,
    /// Year.
    pub year: i32,
    /// Document number and symbol (e.g. 219/KH-UBND).
    pub doc_number: Option<String>,
    /// Document date.
    pub doc_date: Option<Date>,
    /// Title.
    pub title: String,
    /// Purpose and requirements (mục đích, yêu cầu).
    pub purpose: Option<String>,
    /// Budget note (kinh phí).
    pub budget_note: Option<String>,
    /// The plan this one implements.
    pub implements_id: Option<Uuid>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
