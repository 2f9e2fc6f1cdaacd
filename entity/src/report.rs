//! A report: one per obligation and recipient.

use sea_orm::entity::prelude::*;

/// Where a report stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ReportStatus {
    /// Nothing written yet.
    #[sea_orm(string_value = "NOT_STARTED")]
    NotStarted,
    /// Being written.
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    /// Sent to the issuer.
    #[sea_orm(string_value = "SUBMITTED")]
    Submitted,
    /// Sent back by the issuer with a comment.
    #[sea_orm(string_value = "RETURNED")]
    Returned,
    /// Accepted by the issuer.
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
}

/// One report row (its working copy; submitted versions are in `report_version`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The obligation.
    pub obligation_id: Uuid,
    /// The reporting agency.
    pub recipient_agency_id: Uuid,
    /// The obligation's issuer, copied when the report is made (an obligation's issuer never
    /// changes; the database refuses a copy that differs), so that the visibility rule reads
    /// both of its agencies from the report's own row.
    pub issuer_agency_id: Uuid,
    /// Status.
    pub status: ReportStatus,
    /// The obligation's due date, copied so that "what do I owe, by when" is one indexed query
    /// (kept in step when the deadline is extended).
    pub due_date: Date,
    /// Section texts, JSON object `{key: text}`.
    pub sections: String,
    /// Metric values, JSON object `{key: value}`.
    pub metrics: String,
    /// Signer's name.
    pub signer_name: Option<String>,
    /// Signer's title ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH").
    pub signer_title: Option<String>,
    /// The report's own document number.
    pub doc_number: Option<String>,
    /// Its date.
    pub doc_date: Option<Date>,
    /// Last submission.
    pub submitted_at: Option<DateTimeUtc>,
    /// Whether the last submission was after the due date.
    pub late: Option<bool>,
    /// The reviewer's comment when returned.
    pub review_comment: Option<String>,
    /// When reviewed.
    pub reviewed_at: Option<DateTimeUtc>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

crate::listed! {
    /// The columns a list of reports shows of each when the query asks for nothing else ("what do
    /// I owe": each report's due date and state, beside its obligation's title and issuer): 7 of
    /// the row's 20 columns, leaving out the texts.
    #[derive(Clone, Debug, PartialEq, Eq, DerivePartialModel)]
    #[sea_orm(entity = "Entity")]
    pub struct Listed {
        /// UUID v7.
        pub id: Uuid,
        /// The obligation.
        pub obligation_id: Uuid,
        /// The reporting agency.
        pub recipient_agency_id: Uuid,
        /// The obligation's issuer.
        pub issuer_agency_id: Uuid,
        /// Where it stands.
        pub status: ReportStatus,
        /// Due date.
        pub due_date: Date,
        /// Whether the last submission was late.
        pub late: Option<bool>,
    }
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
