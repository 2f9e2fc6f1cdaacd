//! A press agency's question to an agency, and its answer or refusal.

use sea_orm::entity::prelude::*;

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PressRequestStatus {
    /// Waiting for an answer.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// Answered.
    #[sea_orm(string_value = "ANSWERED")]
    Answered,
    /// Refused with a legal reason.
    #[sea_orm(string_value = "REFUSED")]
    Refused,
}

/// The legal grounds for refusing to give information to the press.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
pub enum RefusalReason {
    /// The information is a state secret.
    #[sea_orm(string_value = "STATE_SECRET")]
    StateSecret,
    /// A case under investigation or not yet tried.
    #[sea_orm(string_value = "UNDER_INVESTIGATION")]
    UnderInvestigation,
    /// An inspection, or a complaint or denunciation, not yet concluded.
    #[sea_orm(string_value = "INSPECTION_OR_COMPLAINT_PENDING")]
    InspectionOrComplaintPending,
    /// A draft policy or document not yet cleared for release.
    #[sea_orm(string_value = "DRAFT_POLICY_NOT_CLEARED")]
    DraftPolicyNotCleared,
}

/// One request row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "press_request")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The asking press agency.
    pub press_agency_id: Uuid,
    /// The agency asked.
    pub addressed_agency_id: Uuid,
    /// Subject.
    pub subject: String,
    /// The question.
    pub question: String,
    /// When received.
    pub received_at: DateTimeUtc,
    /// When the answer is due.
    pub due_at: DateTimeUtc,
    /// Status.
    pub status: PressRequestStatus,
    /// The answer.
    pub answer: Option<String>,
    /// Legal ground of a refusal.
    pub refusal_reason: Option<RefusalReason>,
    /// Explanation of a refusal.
    pub refusal_explanation: Option<String>,
    /// When answered or refused.
    pub answered_at: Option<DateTimeUtc>,
    /// Who answered (account).
    pub answered_by: Option<Uuid>,
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
