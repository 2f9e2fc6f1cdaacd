//! GraphQL output types of reports: a report, its submitted versions and saves, its data
//! period and what the system can prefill. Obligations and the other reporting types are in
//! `objects.rs`.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::report;

use super::{objects::*, service, service::relations};
use crate::{
    agency::schema::Agency,
    document::DocumentReference,
    error::{AppError, AppResult, Msg},
    graphql::{
        context::ContextExt,
        scalars::{Date, Json},
    },
    time,
};

/// A submitted version of a report, kept unchanged.
#[derive(SimpleObject)]
pub struct ReportVersion {
    /// 1 for the first submission.
    pub(super) number: i32,
    /// When submitted.
    pub(super) submitted_at: DateTime<Utc>,
    /// Whether it was late.
    pub(super) late: bool,
    /// The content as submitted.
    pub(super) content: Json<serde_json::Value>,
}

/// What one save of a report was.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "ReportSaveKind")]
pub enum SaveKindOut {
    /// The working copy was saved (`saveReport`).
    Saved,
    /// The report was submitted (`submitReport`), with the changes given then.
    Submitted,
}

/// One save of a report's working copy: who changed what, when.
#[derive(SimpleObject)]
pub struct ReportSave {
    /// Saved or submitted.
    pub(super) kind: SaveKindOut,
    /// The changes as given: `sections` and `metrics` by key (null: cleared), and
    /// `signerName`, `signerTitle`, `document` when given.
    pub(super) changes: Json<serde_json::Value>,
    /// Username or client name of who saved.
    pub(super) saved_by: String,
    /// When.
    pub(super) saved_at: DateTime<Utc>,
}

/// A report as the API shows it.
pub struct Report(pub(super) report::Model);

impl From<report::Model> for Report {
    fn from(model: report::Model) -> Self {
        Self(model)
    }
}

/// A report (báo cáo): one per obligation and recipient.
#[Object]
impl Report {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The obligation.
    async fn obligation(&self, ctx: &Context<'_>) -> AppResult<ReportingObligation> {
        let loaders = ctx.loaders()?;
        let addressed_to_caller = ctx
            .actor()?
            .agency_id()
            .is_some_and(|agency| agency.0 == self.0.recipient_agency_id);
        let row = if addressed_to_caller {
            loaders
                .one::<relations::AddressedById>(self.0.obligation_id)
                .await?
        } else {
            loaders.one::<relations::ById>(self.0.obligation_id).await?
        };
        row.map(Into::into).ok_or_else(|| {
            AppError::NotFound(Msg::new(
                "Không tìm thấy yêu cầu báo cáo",
                "Reporting obligation not found",
            ))
        })
    }

    /// The reporting agency.
    async fn recipient(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.recipient_agency_id).await
    }

    /// Status.
    async fn status(&self) -> ReportStatus {
        self.0.status.into()
    }

    /// Compliance state today (OVERDUE when not submitted past the due date).
    async fn state(&self) -> ComplianceState {
        service::state_of(&self.0, time::today()).into()
    }

    /// Due date.
    async fn due_date(&self) -> Date {
        self.0.due_date.into()
    }

    /// Section texts, {key: text}.
    async fn sections(&self) -> Json<serde_json::Value> {
        Json(serde_json::from_str(&self.0.sections).unwrap_or_default())
    }

    /// Metric values, {key: value}.
    async fn metrics(&self) -> Json<serde_json::Value> {
        Json(serde_json::from_str(&self.0.metrics).unwrap_or_default())
    }

    /// Signer's name.
    async fn signer_name(&self) -> Option<&str> {
        self.0.signer_name.as_deref()
    }

    /// Signer's title, e.g. "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH".
    async fn signer_title(&self) -> Option<&str> {
        self.0.signer_title.as_deref()
    }

    /// The report's own document number and date.
    async fn document(&self) -> Option<DocumentReference> {
        DocumentReference::from_columns(self.0.doc_number.as_deref(), self.0.doc_date)
    }

    /// Last submission.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }

    /// Whether the last submission was late.
    async fn late(&self) -> Option<bool> {
        self.0.late
    }

    /// The reviewer's comment when returned.
    async fn review_comment(&self) -> Option<&str> {
        self.0.review_comment.as_deref()
    }

    /// Days past the due date today: positive when late, 0 on the due date, negative while
    /// days are left.
    async fn days_overdue(&self) -> i64 {
        service::days_overdue(&self.0)
    }

    /// Every save of the working copy and every submission, oldest first, with the changes
    /// each made: nothing typed is lost.
    async fn history(&self, ctx: &Context<'_>) -> AppResult<Vec<ReportSave>> {
        let rows = ctx.loaders()?.many::<relations::Saves>(self.0.id).await?;
        Ok(rows
            .into_iter()
            .map(|r| ReportSave {
                kind: match r.kind {
                    entity::report_save::SaveKind::Saved => SaveKindOut::Saved,
                    entity::report_save::SaveKind::Submitted => SaveKindOut::Submitted,
                },
                changes: Json(serde_json::from_str(&r.changes).unwrap_or_default()),
                saved_by: r.saved_by_name,
                saved_at: r.saved_at,
            })
            .collect())
    }

    /// Every submitted version, oldest first.
    async fn versions(&self, ctx: &Context<'_>) -> AppResult<Vec<ReportVersion>> {
        let rows = ctx
            .loaders()?
            .many::<relations::Versions>(self.0.id)
            .await?;
        Ok(rows
            .into_iter()
            .map(|v| ReportVersion {
                number: v.number,
                submitted_at: v.submitted_at,
                late: v.late,
                content: Json(serde_json::from_str(&v.content).unwrap_or_default()),
            })
            .collect())
    }

    /// Files kept with this report: the signed scan and the final file, the current ones;
    /// with `history: true`, every upload (superseded ones included).
    async fn files(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false, desc = "Include superseded uploads.")] history: bool,
    ) -> AppResult<Vec<crate::file::schema::StoredFile>> {
        crate::file::schema::files_of(ctx, self.0.id, history).await
    }

    /// Version for optimistic concurrency (pass as `expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A data period.
#[derive(SimpleObject)]
pub struct Period {
    /// First day.
    pub(super) start: Date,
    /// Last day.
    pub(super) end: Date,
}

/// A value the system computed for a report.
#[derive(SimpleObject)]
pub struct PrefilledMetric {
    /// Metric key.
    pub(super) key: String,
    /// Value, in the metric's shape.
    pub(super) value: Json<serde_json::Value>,
    /// Where it comes from.
    pub(super) source: String,
}

/// Values the system can compute for a report.
#[derive(SimpleObject)]
pub struct ReportPrefill {
    /// Computed metrics.
    pub(super) computed: Vec<PrefilledMetric>,
    /// Metrics left to manual input.
    pub(super) manual: Vec<String>,
    /// Plan tasks led by the agency or those below it and marked done during the data period:
    /// what the "results" section reports on.
    pub(super) tasks_done: Vec<crate::plan::schema::PlanTask>,
}
