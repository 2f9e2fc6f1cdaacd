//! GraphQL output types of reports: a report, its submitted versions and saves, its data
//! period and what the system can prefill. Obligations and the other reporting types are in
//! `objects.rs`.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::report;

use super::{
    objects::*,
    service::{self, ComplianceState as State, ListedObligation, relations},
};
use crate::{
    agency::schema::Agency,
    document::DocumentReference,
    either_column,
    error::{AppError, AppResult, Msg},
    graphql::{
        context::ContextExt,
        read::Read,
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

/// A report as the API shows it: its whole row, or only the columns a list shows
/// ([`report::Listed`], with its obligation's title and issuer) where the list's query asks for
/// nothing else. A field the listed columns lack reads the whole row by id, through the
/// request's loader, so an answer never depends on which was read.
pub struct Report {
    row: Read<report::Model, report::Listed>,
    /// Its obligation, as the list read it beside a listed report.
    obligation: Option<ListedObligation>,
}

impl From<report::Model> for Report {
    fn from(model: report::Model) -> Self {
        Self {
            row: Read::Whole(model),
            obligation: None,
        }
    }
}

impl Report {
    /// The fields the listed columns answer (`__typename` included; the obligation as the list
    /// read it beside): a list whose items ask for these alone, and for the obligation's and
    /// its issuer's listed fields, reads [`report::Listed`].
    pub(super) const LISTED_FIELDS: [&str; 8] = [
        "__typename",
        "id",
        "obligation",
        "status",
        "state",
        "dueDate",
        "late",
        "daysOverdue",
    ];

    /// A listed report, with its obligation when the list read it.
    pub(super) fn listed(row: report::Listed, obligation: Option<ListedObligation>) -> Self {
        Self {
            row: Read::narrow(row),
            obligation,
        }
    }

    /// The whole row: as read, or read once by id through the request's loader for a listed
    /// one.
    async fn whole(&self, ctx: &Context<'_>) -> AppResult<&report::Model> {
        let load = |listed: &report::Listed| {
            let id = listed.id;
            async move { ctx.loaders()?.one::<relations::ReportById>(id).await }
        };
        self.row.whole(load, service::report_not_found).await
    }

    fn state_today(&self) -> State {
        let (status, late, due_date) = match &self.row {
            Read::Whole(row) => (row.status, row.late, row.due_date),
            Read::Narrow(row, _) => (row.status, row.late, row.due_date),
        };
        service::state_of_parts(status, late, due_date, time::today())
    }
}

/// A report (báo cáo): one per obligation and recipient.
#[Object]
impl Report {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(either_column!(&self.row, id).to_string())
    }

    /// The obligation.
    async fn obligation(&self, ctx: &Context<'_>) -> AppResult<ReportingObligation> {
        if let Some(listed) = &self.obligation {
            return Ok(ReportingObligation::listed(listed.clone()));
        }
        let loaders = ctx.loaders()?;
        let obligation = *either_column!(&self.row, obligation_id);
        let addressed_to_caller = ctx
            .actor()?
            .agency_id()
            .is_some_and(|agency| agency.0 == *either_column!(&self.row, recipient_agency_id));
        let row = if addressed_to_caller {
            loaders.one::<relations::AddressedById>(obligation).await?
        } else {
            loaders.one::<relations::ById>(obligation).await?
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
        Agency::load(ctx, *either_column!(&self.row, recipient_agency_id)).await
    }

    /// Status.
    async fn status(&self) -> ReportStatus {
        (*either_column!(&self.row, status)).into()
    }

    /// Compliance state today (OVERDUE when not submitted past the due date).
    async fn state(&self) -> ComplianceState {
        self.state_today().into()
    }

    /// Due date.
    async fn due_date(&self) -> Date {
        (*either_column!(&self.row, due_date)).into()
    }

    /// Section texts, {key: text}.
    async fn sections(&self, ctx: &Context<'_>) -> AppResult<Json<serde_json::Value>> {
        let row = self.whole(ctx).await?;
        Ok(Json(
            serde_json::from_str(&row.sections).unwrap_or_default(),
        ))
    }

    /// Metric values, {key: value}.
    async fn metrics(&self, ctx: &Context<'_>) -> AppResult<Json<serde_json::Value>> {
        let row = self.whole(ctx).await?;
        Ok(Json(serde_json::from_str(&row.metrics).unwrap_or_default()))
    }

    /// Signer's name.
    async fn signer_name(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.whole(ctx).await?.signer_name.as_deref())
    }

    /// Signer's title, e.g. "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH".
    async fn signer_title(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.whole(ctx).await?.signer_title.as_deref())
    }

    /// The report's own document number and date.
    async fn document(&self, ctx: &Context<'_>) -> AppResult<Option<DocumentReference>> {
        let row = self.whole(ctx).await?;
        Ok(DocumentReference::from_columns(
            row.doc_number.as_deref(),
            row.doc_date,
        ))
    }

    /// Last submission.
    async fn submitted_at(&self, ctx: &Context<'_>) -> AppResult<Option<DateTime<Utc>>> {
        Ok(self.whole(ctx).await?.submitted_at)
    }

    /// Whether the last submission was late.
    async fn late(&self) -> Option<bool> {
        *either_column!(&self.row, late)
    }

    /// The reviewer's comment when returned.
    async fn review_comment(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.whole(ctx).await?.review_comment.as_deref())
    }

    /// Days past the due date today: positive when late, 0 on the due date, negative while
    /// days are left.
    async fn days_overdue(&self) -> i64 {
        service::days_overdue(*either_column!(&self.row, due_date))
    }

    /// Every save of the working copy and every submission, oldest first, with the changes
    /// each made: nothing typed is lost.
    async fn history(&self, ctx: &Context<'_>) -> AppResult<Vec<ReportSave>> {
        let rows = ctx
            .loaders()?
            .many::<relations::Saves>(*either_column!(&self.row, id))
            .await?;
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
            .many::<relations::Versions>(*either_column!(&self.row, id))
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
        crate::file::schema::files_of(ctx, *either_column!(&self.row, id), history).await
    }

    /// Version for optimistic concurrency (pass as `expectedVersion`).
    async fn version(&self, ctx: &Context<'_>) -> AppResult<i32> {
        Ok(self.whole(ctx).await?.version)
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
