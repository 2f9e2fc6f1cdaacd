//! GraphQL face of reporting.

use std::collections::BTreeMap;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, connection::Connection};
use chrono::{DateTime, Utc};
use entity::{
    agency::AgencyKind as StoredAgencyKind,
    ids::{AgencyId, ObligationId, ReportId, TemplateId},
    report::{self, ReportStatus as StoredReportStatus},
    reporting_obligation::{
        Model, ObligationStatus as StoredObligationStatus, PeriodKind as StoredPeriodKind,
    },
};
use serde::Serialize;

use super::{
    prefill,
    service::relations,
    service::{
        self, ComplianceState as State, NewObligation, ObligationFilter, Recipients, ReportContent,
        Review,
    },
    templates::{self, Spec},
    types::{MetricKind as Kind, MetricSpec, SectionSpec, preset_period},
};
use crate::{
    agency::{
        schema::{Agency, AgencyKind},
        service as agency_service,
    },
    document::{DocumentInput, DocumentReference},
    error::{AppError, AppResult, Msg},
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
        pagination::{self, PageRequest, TotalCount},
        scalars::{Date, Json},
    },
    mirror_enum,
    policy::Operation,
    text, time,
};

mirror_enum!(
    /// How often a report comes (kỳ báo cáo).
    PeriodKind => StoredPeriodKind {
        /// Monthly (báo cáo tháng).
        Monthly,
        /// Quarterly (báo cáo quý).
        Quarterly,
        /// Six-monthly (báo cáo 6 tháng).
        Semiannual,
        /// Annual (báo cáo năm).
        Annual,
        /// Ad hoc (báo cáo đột xuất).
        AdHoc,
    }
);

mirror_enum!(
    /// Whether an obligation stands.
    ObligationStatus => StoredObligationStatus {
        /// In force.
        Issued,
        /// Withdrawn; submitted reports are kept.
        Withdrawn,
    }
);

mirror_enum!(
    /// Lifecycle of a report.
    ReportStatus => StoredReportStatus {
        /// Nothing written yet.
        NotStarted,
        /// Being written.
        Draft,
        /// Sent to the issuer.
        Submitted,
        /// Sent back by the issuer with a comment.
        Returned,
        /// Accepted by the issuer.
        Accepted,
    }
);

/// Where a recipient stands on an obligation (the compliance view).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ComplianceState {
    /// Nothing written, not yet due.
    NotStarted,
    /// Being written, not yet due.
    Draft,
    /// Submitted by the due date.
    SubmittedOnTime,
    /// Submitted after the due date.
    SubmittedLate,
    /// Sent back for changes.
    Returned,
    /// Accepted.
    Accepted,
    /// Not submitted and past the due date.
    Overdue,
}

impl From<State> for ComplianceState {
    fn from(state: State) -> Self {
        match state {
            State::NotStarted => Self::NotStarted,
            State::Draft => Self::Draft,
            State::SubmittedOnTime => Self::SubmittedOnTime,
            State::SubmittedLate => Self::SubmittedLate,
            State::Returned => Self::Returned,
            State::Accepted => Self::Accepted,
            State::Overdue => Self::Overdue,
        }
    }
}

/// The type of a metric.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MetricKind {
    /// A count (non-negative whole number).
    Integer,
    /// A non-negative quantity.
    Decimal,
    /// A pair numerator / denominator, given as {"numerator": n, "denominator": d}.
    Ratio,
}

impl From<Kind> for MetricKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Integer => Self::Integer,
            Kind::Decimal => Self::Decimal,
            Kind::Ratio => Self::Ratio,
        }
    }
}

impl From<MetricKind> for Kind {
    fn from(kind: MetricKind) -> Self {
        match kind {
            MetricKind::Integer => Self::Integer,
            MetricKind::Decimal => Self::Decimal,
            MetricKind::Ratio => Self::Ratio,
        }
    }
}

/// A section of a template.
#[derive(SimpleObject)]
pub struct TemplateSection {
    /// Stable key, used in report content.
    key: String,
    /// Heading.
    title: String,
    /// Whether a submission must fill it.
    required: bool,
}

/// A metric of a template.
#[derive(SimpleObject)]
pub struct TemplateMetric {
    /// Stable key, used in report content.
    key: String,
    /// Label.
    label: String,
    /// Unit.
    unit: String,
    /// Type.
    kind: MetricKind,
    /// Whether a submission must give it.
    required: bool,
}

/// A report template (mẫu báo cáo), one version of it.
pub struct ReportTemplate(Spec);

/// A report template (mẫu báo cáo): the sections and metrics a report carries. Versioned: an
/// obligation keeps the version it named.
#[Object]
impl ReportTemplate {
    /// Opaque id of this version.
    async fn id(&self) -> ID {
        ID(self.0.model.id.to_string())
    }

    /// Stable code, e.g. TTDN_ANNUAL.
    async fn code(&self) -> &str {
        &self.0.model.code
    }

    /// Version, from 1.
    async fn version(&self) -> i32 {
        self.0.model.version
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.model.name
    }

    /// What it is for.
    async fn description(&self) -> Option<&str> {
        self.0.model.description.as_deref()
    }

    /// Sections.
    async fn sections(&self) -> Vec<TemplateSection> {
        self.0
            .sections
            .iter()
            .map(|s| TemplateSection {
                key: s.key.clone(),
                title: s.title.clone(),
                required: s.required,
            })
            .collect()
    }

    /// Metrics.
    async fn metrics(&self) -> Vec<TemplateMetric> {
        self.0
            .metrics
            .iter()
            .map(|m| TemplateMetric {
                key: m.key.clone(),
                label: m.label.clone(),
                unit: m.unit.clone(),
                kind: m.kind.into(),
                required: m.required,
            })
            .collect()
    }
}

/// A recorded change to an obligation.
#[derive(SimpleObject)]
pub struct ObligationAmendment {
    /// When.
    amended_at: DateTime<Utc>,
    /// Who (account or client id).
    amended_by: Option<ID>,
    /// What changed, e.g. {"dueDate": {"from": …, "to": …}}.
    change: Json<serde_json::Value>,
}

/// How many recipients are in one state.
#[derive(SimpleObject)]
pub struct StateCount {
    /// State.
    state: ComplianceState,
    /// Recipients in it.
    count: u64,
}

/// One recipient's standing.
#[derive(SimpleObject)]
pub struct RecipientCompliance {
    /// The report.
    report: Report,
    /// Its state.
    state: ComplianceState,
}

/// The compliance view of an obligation (tình hình thực hiện báo cáo).
#[derive(SimpleObject)]
pub struct Compliance {
    /// Number of recipients.
    total: u64,
    /// Recipients per state (every state listed).
    counts: Vec<StateCount>,
    /// Each recipient, with its state.
    recipients: Vec<RecipientCompliance>,
    /// Agencies whose report is overdue.
    overdue_agencies: Vec<Agency>,
}

/// A metric summed over reports.
#[derive(SimpleObject)]
pub struct MetricTotal {
    /// Key.
    key: String,
    /// Label.
    label: String,
    /// Type.
    kind: MetricKind,
    /// Sum of the values (INTEGER and DECIMAL metrics).
    total: f64,
    /// Sum of numerators (RATIO metrics).
    numerator: i64,
    /// Sum of denominators (RATIO metrics).
    denominator: i64,
    /// How many reports gave the metric.
    reports: u32,
}

/// One recipient's metrics in a roll-up.
#[derive(SimpleObject)]
pub struct RecipientMetrics {
    /// The reporting agency.
    agency: Option<Agency>,
    /// Its report's state.
    state: ComplianceState,
    /// Its metric values.
    metrics: Json<serde_json::Value>,
}

/// Totals of each metric over the submitted and accepted reports of an obligation, per
/// recipient and in total: a district answering the province starts from its communes' sums.
#[derive(SimpleObject)]
pub struct RollUp {
    /// Totals.
    totals: Vec<MetricTotal>,
    /// Per recipient.
    by_recipient: Vec<RecipientMetrics>,
}

/// A reporting obligation as the API shows it.
pub struct ReportingObligation(Model);

impl From<Model> for ReportingObligation {
    fn from(model: Model) -> Self {
        Self(model)
    }
}

impl ReportingObligation {
    /// Compliance and roll-up are for the issuer's side.
    /// The template version of this obligation, through the request's loader.
    async fn template_spec(&self, ctx: &Context<'_>) -> AppResult<templates::Spec> {
        let model = ctx
            .loaders()?
            .one::<relations::TemplateById>(self.0.template_id)
            .await?
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!(
                    "obligation {} names a missing template",
                    self.0.id
                ))
            })?;
        templates::Spec::of(model)
    }

    async fn issuer_side(&self, ctx: &Context<'_>) -> AppResult<()> {
        let actor = ctx.actor()?;
        let issuer = ctx
            .loaders()?
            .agency
            .load_one(self.0.issuer_agency_id)
            .await?;
        if issuer.is_some_and(|issuer| actor.scope.contains(&issuer.path)) {
            return Ok(());
        }
        Err(AppError::Forbidden(Msg::new(
            "Chỉ cơ quan ban hành xem được tình hình báo cáo",
            "Only the issuer's side sees compliance and roll-up",
        )))
    }
}

/// A reporting obligation (yêu cầu báo cáo): an agency asks agencies in its scope for a report
/// on a data period, by a due date, following a template.
#[Object]
impl ReportingObligation {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Issuing agency.
    async fn issuer(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.issuer_agency_id).await
    }

    /// The request document (công văn), e.g. 2480/STTTT-BCXB.
    async fn document(&self) -> Option<DocumentReference> {
        DocumentReference::from_columns(self.0.doc_number.as_deref(), self.0.doc_date)
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Period kind.
    async fn period_kind(&self) -> PeriodKind {
        self.0.period_kind.into()
    }

    /// First day of the data period (chốt số liệu).
    async fn period_start(&self) -> Date {
        self.0.period_start.into()
    }

    /// Last day of the data period.
    async fn period_end(&self) -> Date {
        self.0.period_end.into()
    }

    /// Due date: on time until 23:59:59 +07:00 that day.
    async fn due_date(&self) -> Date {
        self.0.due_date.into()
    }

    /// The template version.
    async fn template(&self, ctx: &Context<'_>) -> AppResult<ReportTemplate> {
        Ok(ReportTemplate(self.template_spec(ctx).await?))
    }

    /// The obligation this one passes on (one level up the cascade).
    async fn parent(&self, ctx: &Context<'_>) -> AppResult<Option<ReportingObligation>> {
        Ok(ctx
            .loaders()?
            .one::<relations::ById>(self.0.parent_id)
            .await?
            .map(Into::into))
    }

    /// Obligations passing this one on (one level down the cascade) that the caller may see.
    async fn children(&self, ctx: &Context<'_>) -> AppResult<Vec<ReportingObligation>> {
        let rows = ctx
            .loaders()?
            .many::<relations::Children>(self.0.id)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Status.
    async fn status(&self) -> ObligationStatus {
        self.0.status.into()
    }

    /// Why withdrawn.
    async fn withdrawal_reason(&self) -> Option<&str> {
        self.0.withdrawal_reason.as_deref()
    }

    /// Recorded changes (deadline extended, recipients added, withdrawal), oldest first.
    async fn amendments(&self, ctx: &Context<'_>) -> AppResult<Vec<ObligationAmendment>> {
        let rows = ctx
            .loaders()?
            .many::<relations::Amendments>(self.0.id)
            .await?;
        Ok(rows
            .into_iter()
            .map(|a| ObligationAmendment {
                amended_at: a.amended_at,
                amended_by: a.amended_by.map(|id| ID(id.to_string())),
                change: Json(serde_json::from_str(&a.change).unwrap_or_default()),
            })
            .collect())
    }

    /// The reports the caller may see: all of them for the issuer's side, its own for a
    /// recipient.
    async fn reports(&self, ctx: &Context<'_>) -> AppResult<Vec<Report>> {
        let rows = ctx
            .loaders()?
            .many::<relations::VisibleReports>(self.0.id)
            .await?;
        Ok(rows.into_iter().map(Report).collect())
    }

    /// The compliance view: each recipient's state, counts per state, overdue agencies
    /// (issuer's side only).
    async fn compliance(&self, ctx: &Context<'_>) -> AppResult<Compliance> {
        self.issuer_side(ctx).await?;
        let rows = ctx.loaders()?.many::<relations::Reports>(self.0.id).await?;
        let today = time::today();
        let states: Vec<State> = rows.iter().map(|r| service::state_of(r, today)).collect();
        let all = [
            State::NotStarted,
            State::Draft,
            State::SubmittedOnTime,
            State::SubmittedLate,
            State::Returned,
            State::Accepted,
            State::Overdue,
        ];
        let counts = all
            .into_iter()
            .map(|state| StateCount {
                state: state.into(),
                count: states.iter().filter(|s| **s == state).count() as u64,
            })
            .collect();
        let overdue_ids: Vec<uuid::Uuid> = rows
            .iter()
            .zip(&states)
            .filter(|(_, s)| **s == State::Overdue)
            .map(|(r, _)| r.recipient_agency_id)
            .collect();
        let overdue = ctx.loaders()?.agency.load_many(overdue_ids).await?;
        Ok(Compliance {
            total: rows.len() as u64,
            counts,
            overdue_agencies: overdue.into_values().map(Agency::from).collect(),
            recipients: rows
                .into_iter()
                .zip(states)
                .map(|(row, state)| RecipientCompliance {
                    report: Report(row),
                    state: state.into(),
                })
                .collect(),
        })
    }

    /// Each metric summed over the submitted and accepted reports, per recipient and in total
    /// (ratios: numerators and denominators summed). Issuer's side only.
    async fn roll_up(&self, ctx: &Context<'_>) -> AppResult<RollUp> {
        self.issuer_side(ctx).await?;
        let spec = self.template_spec(ctx).await?;
        let rows = ctx.loaders()?.many::<relations::Reports>(self.0.id).await?;
        let totals = service::roll_up(&spec, &rows)
            .into_iter()
            .zip(&spec.metrics)
            .map(|(t, m)| MetricTotal {
                key: t.key,
                label: m.label.clone(),
                kind: m.kind.into(),
                total: t.total,
                numerator: t.numerator,
                denominator: t.denominator,
                reports: t.reports,
            })
            .collect();
        let today = time::today();
        let counted: Vec<&report::Model> = rows
            .iter()
            .filter(|r| {
                matches!(
                    r.status,
                    StoredReportStatus::Submitted | StoredReportStatus::Accepted
                )
            })
            .collect();
        let agencies = ctx
            .loaders()?
            .agency
            .load_many(counted.iter().map(|r| r.recipient_agency_id))
            .await?;
        let by_recipient = counted
            .into_iter()
            .map(|r| RecipientMetrics {
                agency: agencies
                    .get(&r.recipient_agency_id)
                    .cloned()
                    .map(Agency::from),
                state: service::state_of(r, today).into(),
                metrics: Json(serde_json::from_str(&r.metrics).unwrap_or_default()),
            })
            .collect();
        Ok(RollUp {
            totals,
            by_recipient,
        })
    }

    /// Version for optimistic concurrency (pass as `expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When issued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A submitted version of a report, kept unchanged.
#[derive(SimpleObject)]
pub struct ReportVersion {
    /// 1 for the first submission.
    number: i32,
    /// When submitted.
    submitted_at: DateTime<Utc>,
    /// Whether it was late.
    late: bool,
    /// The content as submitted.
    content: Json<serde_json::Value>,
}

/// A report as the API shows it.
pub struct Report(report::Model);

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
        ctx.loaders()?
            .one::<relations::ById>(self.0.obligation_id)
            .await?
            .map(Into::into)
            .ok_or_else(|| {
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

    /// Version for optimistic concurrency (pass as `expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A data period.
#[derive(SimpleObject)]
pub struct Period {
    /// First day.
    start: Date,
    /// Last day.
    end: Date,
}

/// A value the system computed for a report.
#[derive(SimpleObject)]
pub struct PrefilledMetric {
    /// Metric key.
    key: String,
    /// Value, in the metric's shape.
    value: Json<serde_json::Value>,
    /// Where it comes from.
    source: String,
}

/// Values the system can compute for a report.
#[derive(SimpleObject)]
pub struct ReportPrefill {
    /// Computed metrics.
    computed: Vec<PrefilledMetric>,
    /// Metrics left to manual input.
    manual: Vec<String>,
    /// Plan tasks led by the agency or those below it and marked done during the data period:
    /// what the "results" section reports on.
    tasks_done: Vec<crate::plan::schema::PlanTask>,
}

/// Filters of the obligation list.
#[derive(InputObject, Default)]
pub struct ObligationFilterInput {
    /// Issued by this agency or below it.
    issuer_within: Option<ID>,
    /// Only these period kinds.
    period_kinds: Option<Vec<PeriodKind>>,
    /// Only these statuses.
    statuses: Option<Vec<ObligationStatus>>,
}

/// Queries of reporting.
#[derive(Default)]
pub struct ReportingQuery;

#[Object]
impl ReportingQuery {
    /// Report templates, every version.
    async fn report_templates(&self, ctx: &Context<'_>) -> AppResult<Vec<ReportTemplate>> {
        crate::policy::require(ctx.actor()?, Operation::ObligationRead)?;
        Ok(templates::list(ctx.db()?)
            .await?
            .into_iter()
            .map(ReportTemplate)
            .collect())
    }

    /// The data period of the general reporting regime (month 1–12, quarter 1–4, half 1–2).
    async fn reporting_period(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Period kind (not AD_HOC).")] kind: PeriodKind,
        #[graphql(desc = "Year.")] year: i32,
        #[graphql(desc = "Month, quarter or half; ignored for ANNUAL.", default = 1)] index: u32,
    ) -> AppResult<Period> {
        ctx.actor()?;
        let (start, end) = preset_period(kind.into(), year, index)?;
        Ok(Period {
            start: start.into(),
            end: end.into(),
        })
    }

    /// One obligation.
    async fn obligation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Obligation id.")] id: ID,
    ) -> AppResult<ReportingObligation> {
        let id = ObligationId(parse_id("id", &id)?);
        Ok(service::get(ctx.db()?, ctx.actor()?, id).await?.into())
    }

    /// Obligations issued in the caller's scope or addressed to it, latest first.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn obligations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<ObligationFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<Connection<String, ReportingObligation, TotalCount>> {
        let filter = filter.unwrap_or_default();
        let filter = ObligationFilter {
            issuer_within: filter
                .issuer_within
                .as_ref()
                .map(|id| parse_id("filter.issuerWithin", id).map(AgencyId))
                .transpose()?,
            period_kinds: filter
                .period_kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            statuses: filter
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            parent: None,
        };
        let page = PageRequest::parse(first, after.as_deref())?;
        let (rows, total) = service::list(ctx.db()?, ctx.actor()?, &filter, &page).await?;
        Ok(rows.into_connection(total))
    }

    /// One report.
    async fn report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Report id.")] id: ID,
    ) -> AppResult<Report> {
        let id = ReportId(parse_id("id", &id)?);
        Ok(service::report(ctx.db()?, ctx.actor()?, id).await?.into())
    }

    /// What the caller's agency owes, by when: reports not started, in draft or returned, of
    /// obligations in force, soonest due first.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn reports_due(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<Connection<String, Report, TotalCount>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let (rows, total) = service::due_for(ctx.db()?, ctx.actor()?, &page).await?;
        Ok(rows.into_connection(total))
    }

    /// The metric values the system can compute for a report from what was recorded over its
    /// data period by the agency and those below it (events held, releases published, press
    /// requests answered, trainings held and their participants, incidents and statements),
    /// the plan tasks done, and which metrics are left to manual input.
    async fn report_prefill(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Report id.")] report_id: ID,
    ) -> AppResult<ReportPrefill> {
        let (db, actor) = (ctx.db()?, ctx.actor()?);
        let row = service::report(db, actor, ReportId(parse_id("reportId", &report_id)?)).await?;
        let obligation = service::get(db, actor, ObligationId(row.obligation_id)).await?;
        let spec = templates::get(db, TemplateId(obligation.template_id)).await?;
        let agency = agency_service::get(db, AgencyId(row.recipient_agency_id)).await?;
        let computed = prefill::compute(
            db,
            &spec,
            &agency,
            (obligation.period_start, obligation.period_end),
        )
        .await?;
        let tasks_done = crate::plan::service::done_in(
            db,
            &agency,
            (obligation.period_start, obligation.period_end),
        )
        .await?
        .into_iter()
        .map(crate::plan::schema::PlanTask)
        .collect();
        let manual = spec
            .metrics
            .iter()
            .filter(|m| !computed.iter().any(|c| c.key == m.key))
            .map(|m| m.key.clone())
            .collect();
        Ok(ReportPrefill {
            computed: computed
                .into_iter()
                .map(|c| PrefilledMetric {
                    key: c.key,
                    value: Json(c.value),
                    source: c.source.to_owned(),
                })
                .collect(),
            manual,
            tasks_done,
        })
    }
}

/// Recipients of an obligation: listed agencies and/or every current agency of some kinds in
/// the caller's scope.
#[derive(InputObject, Serialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct RecipientsInput {
    /// Listed agencies.
    agency_ids: Option<Vec<ID>>,
    /// Every current agency of these kinds in the caller's scope (e.g. [COMMUNE]).
    kinds: Option<Vec<AgencyKind>>,
}

impl RecipientsInput {
    fn parse(&self) -> AppResult<Recipients> {
        Ok(Recipients {
            agencies: self
                .agency_ids
                .iter()
                .flatten()
                .map(|id| parse_id("recipients.agencyIds", id).map(AgencyId))
                .collect::<AppResult<_>>()?,
            kinds: self
                .kinds
                .iter()
                .flatten()
                .map(|k| StoredAgencyKind::from(*k))
                .collect(),
        })
    }
}

/// A new obligation.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueObligationInput {
    /// Issuing agency.
    issuer_agency_id: ID,
    /// The request document (công văn).
    document: Option<DocumentInput>,
    /// Title.
    title: String,
    /// Period kind.
    period_kind: PeriodKind,
    /// Year of the preset data period (used when periodStart/periodEnd are omitted).
    period_year: Option<i32>,
    /// Month, quarter or half of the preset data period.
    period_index: Option<u32>,
    /// First day of the data period (overrides the preset).
    period_start: Option<Date>,
    /// Last day of the data period (overrides the preset).
    period_end: Option<Date>,
    /// Due date (after the period's end).
    due_date: Date,
    /// Template version.
    template_id: ID,
    /// Recipients.
    recipients: RecipientsInput,
}

/// Passing an obligation on to one's own subordinates.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CascadeObligationInput {
    /// The obligation received.
    parent_id: ID,
    /// The passing-on document.
    document: Option<DocumentInput>,
    /// Due date for the subordinates (no later than the parent's).
    due_date: Date,
    /// Recipients among the caller's subordinates.
    recipients: RecipientsInput,
}

/// Changes to an issued obligation.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendObligationInput {
    /// The obligation.
    id: ID,
    /// New (later) due date.
    due_date: Option<Date>,
    /// Recipients to add.
    add_recipients: Option<RecipientsInput>,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

/// A withdrawal.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawObligationInput {
    /// The obligation.
    id: ID,
    /// Why.
    reason: String,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

/// A report's content.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportInput {
    /// The report.
    id: ID,
    /// Section texts by key, e.g. {"results": "…"}.
    sections: Option<Json<BTreeMap<String, String>>>,
    /// Metric values by key, e.g. {"press_conferences": 1, "press_requests": {"numerator": 3,
    /// "denominator": 4}}.
    metrics: Option<Json<BTreeMap<String, serde_json::Value>>>,
    /// Signer's name.
    signer_name: Option<String>,
    /// Signer's title, e.g. "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH".
    signer_title: Option<String>,
    /// The report's document.
    document: Option<DocumentInput>,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

impl ReportInput {
    fn content(&self) -> AppResult<ReportContent> {
        Ok(ReportContent {
            sections: self
                .sections
                .as_ref()
                .map(|s| s.0.clone())
                .unwrap_or_default(),
            metrics: self
                .metrics
                .as_ref()
                .map(|m| m.0.clone())
                .unwrap_or_default(),
            signer_name: text::optional(self.signer_name.as_deref(), |v| {
                text::required_line("signerName", v, 255)
            })?,
            signer_title: text::optional(self.signer_title.as_deref(), |v| {
                text::required_line("signerTitle", v, 255)
            })?,
            document: self
                .document
                .as_ref()
                .map(|d| d.parse("document"))
                .transpose()?,
        })
    }
}

/// A review decision.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewReportInput {
    /// The report.
    id: ID,
    /// The comment (required to return).
    comment: Option<String>,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

/// A section of a new template.
#[derive(InputObject, Serialize)]
pub struct TemplateSectionInput {
    /// Stable key (lower case, digits, '_').
    key: String,
    /// Heading.
    title: String,
    /// Whether a submission must fill it.
    required: bool,
}

/// A metric of a new template.
#[derive(InputObject, Serialize)]
pub struct TemplateMetricInput {
    /// Stable key (lower case, digits, '_').
    key: String,
    /// Label.
    label: String,
    /// Unit.
    unit: String,
    /// Type.
    kind: MetricKind,
    /// Whether a submission must give it.
    required: bool,
}

/// A new template version (version 1 of a new code, or the next version of an existing one).
#[derive(InputObject, Serialize)]
pub struct CreateReportTemplateInput {
    /// Code (capital letters, digits, '_').
    code: String,
    /// Name.
    name: String,
    /// What it is for.
    description: Option<String>,
    /// Sections.
    sections: Vec<TemplateSectionInput>,
    /// Metrics.
    metrics: Vec<TemplateMetricInput>,
}

/// Result of an obligation mutation.
#[derive(SimpleObject)]
pub struct ObligationPayload {
    /// The obligation after the change.
    obligation: ReportingObligation,
}

impl From<Model> for ObligationPayload {
    fn from(model: Model) -> Self {
        Self {
            obligation: model.into(),
        }
    }
}

/// Result of a report mutation.
#[derive(SimpleObject)]
pub struct ReportPayload {
    /// The report after the change.
    report: Report,
}

impl From<report::Model> for ReportPayload {
    fn from(model: report::Model) -> Self {
        Self {
            report: model.into(),
        }
    }
}

/// Result of a template mutation.
#[derive(SimpleObject)]
pub struct ReportTemplatePayload {
    /// The new template version.
    template: ReportTemplate,
}

fn obligation_id(model: &Model) -> uuid::Uuid {
    model.id
}

fn report_id(model: &report::Model) -> uuid::Uuid {
    model.id
}

/// Reporting.
#[derive(Default)]
pub struct ReportingMutation;

#[Object]
impl ReportingMutation {
    /// Issues an obligation to agencies in the caller's scope; each gets a report to write.
    async fn issue_obligation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The obligation.")] input: IssueObligationInput,
    ) -> AppResult<ObligationPayload> {
        let described = Mutation::new(
            "obligation.issue",
            Operation::ObligationIssue,
            "ReportingObligation",
        )
        .input(&input);
        mutation::run(ctx, described, obligation_id, move |txn, actor| {
            Box::pin(async move {
                let period = match (input.period_start, input.period_end) {
                    (Some(start), Some(end)) => (start.0, end.0),
                    (None, None) => {
                        let year = input.period_year.ok_or_else(|| {
                            AppError::bad_input(
                                "periodYear",
                                Msg::new(
                                    "Cần năm của kỳ số liệu hoặc ngày bắt đầu, kết thúc",
                                    "Give the period's year, or its first and last days",
                                ),
                            )
                        })?;
                        preset_period(
                            input.period_kind.into(),
                            year,
                            input.period_index.unwrap_or(1),
                        )?
                    }
                    _ => {
                        return Err(AppError::bad_input(
                            "periodEnd",
                            Msg::new(
                                "Cần cả ngày bắt đầu và ngày kết thúc",
                                "Give both the first and the last day",
                            ),
                        ));
                    }
                };
                let new = NewObligation {
                    issuer: AgencyId(parse_id("issuerAgencyId", &input.issuer_agency_id)?),
                    document: input
                        .document
                        .as_ref()
                        .map(|d| d.parse("document"))
                        .transpose()?,
                    title: text::required_line("title", &input.title, 500)?,
                    period_kind: input.period_kind.into(),
                    period,
                    due_date: input.due_date.0,
                    template: TemplateId(parse_id("templateId", &input.template_id)?),
                    recipients: input.recipients.parse()?,
                };
                service::issue(txn, actor, new).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Passes a received obligation on to the caller's subordinates, due no later than its own.
    async fn cascade_obligation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The passing-on.")] input: CascadeObligationInput,
    ) -> AppResult<ObligationPayload> {
        let described = Mutation::new(
            "obligation.cascade",
            Operation::ObligationIssue,
            "ReportingObligation",
        )
        .input(&input);
        mutation::run(ctx, described, obligation_id, move |txn, actor| {
            Box::pin(async move {
                let parent = ObligationId(parse_id("parentId", &input.parent_id)?);
                let document = input
                    .document
                    .as_ref()
                    .map(|d| d.parse("document"))
                    .transpose()?;
                let recipients = input.recipients.parse()?;
                service::cascade(txn, actor, parent, document, input.due_date.0, recipients).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Extends the deadline and/or adds recipients; the change is recorded.
    async fn amend_obligation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: AmendObligationInput,
    ) -> AppResult<ObligationPayload> {
        let described = Mutation::new(
            "obligation.amend",
            Operation::ObligationIssue,
            "ReportingObligation",
        )
        .on(&input.id)
        .input(&input);
        mutation::run(ctx, described, obligation_id, move |txn, actor| {
            Box::pin(async move {
                let id = ObligationId(parse_id("id", &input.id)?);
                let add = input
                    .add_recipients
                    .as_ref()
                    .map(RecipientsInput::parse)
                    .transpose()?
                    .unwrap_or_default();
                service::amend(
                    txn,
                    actor,
                    id,
                    input.due_date.map(|d| d.0),
                    add,
                    input.expected_version,
                )
                .await
            })
        })
        .await
        .map(Into::into)
    }

    /// Withdraws an obligation with a reason; submitted reports are kept.
    async fn withdraw_obligation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The obligation and the reason.")] input: WithdrawObligationInput,
    ) -> AppResult<ObligationPayload> {
        let described = Mutation::new(
            "obligation.withdraw",
            Operation::ObligationIssue,
            "ReportingObligation",
        )
        .on(&input.id)
        .input(&input);
        mutation::run(ctx, described, obligation_id, move |txn, actor| {
            Box::pin(async move {
                let id = ObligationId(parse_id("id", &input.id)?);
                let reason = text::required_line("reason", &input.reason, 1000)?;
                service::withdraw(txn, actor, id, reason, input.expected_version).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Saves a report's working copy (DRAFT); values are checked for known keys and types.
    async fn save_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report and its content.")] input: ReportInput,
    ) -> AppResult<ReportPayload> {
        let described = Mutation::new("report.save", Operation::ReportWrite, "Report")
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, described, report_id, move |txn, actor| {
            Box::pin(async move {
                let id = ReportId(parse_id("id", &input.id)?);
                service::save_draft(txn, actor, id, input.content()?, input.expected_version).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Submits a report: the template must be satisfied; the submission is kept as a version.
    async fn submit_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report and its content.")] input: ReportInput,
    ) -> AppResult<ReportPayload> {
        let described = Mutation::new("report.submit", Operation::ReportWrite, "Report")
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, described, report_id, move |txn, actor| {
            Box::pin(async move {
                let id = ReportId(parse_id("id", &input.id)?);
                service::submit(txn, actor, id, input.content()?, input.expected_version).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Sends a submitted report back with a comment.
    async fn return_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report and the comment.")] input: ReviewReportInput,
    ) -> AppResult<ReportPayload> {
        let described = Mutation::new("report.return", Operation::ReportReview, "Report")
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, described, report_id, move |txn, actor| {
            Box::pin(async move {
                let id = ReportId(parse_id("id", &input.id)?);
                let comment = text::required_line(
                    "comment",
                    input.comment.as_deref().unwrap_or_default(),
                    2000,
                )?;
                service::review(
                    txn,
                    actor,
                    id,
                    Review::Return(comment),
                    input.expected_version,
                )
                .await
            })
        })
        .await
        .map(Into::into)
    }

    /// Accepts a submitted report.
    async fn accept_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report.")] input: ReviewReportInput,
    ) -> AppResult<ReportPayload> {
        let described = Mutation::new("report.accept", Operation::ReportReview, "Report")
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, described, report_id, move |txn, actor| {
            Box::pin(async move {
                let id = ReportId(parse_id("id", &input.id)?);
                service::review(txn, actor, id, Review::Accept, input.expected_version).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Adds a template version.
    async fn create_report_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The template.")] input: CreateReportTemplateInput,
    ) -> AppResult<ReportTemplatePayload> {
        let described = Mutation::new(
            "reportTemplate.create",
            Operation::ObligationIssue,
            "ReportTemplate",
        )
        .input(&input);
        mutation::run(
            ctx,
            described,
            |spec: &Spec| spec.model.id,
            move |txn, actor| {
                Box::pin(async move {
                    let sections: Vec<SectionSpec> = input
                        .sections
                        .iter()
                        .map(|s| SectionSpec {
                            key: s.key.clone(),
                            title: s.title.clone(),
                            required: s.required,
                        })
                        .collect();
                    let metrics: Vec<MetricSpec> = input
                        .metrics
                        .iter()
                        .map(|m| MetricSpec {
                            key: m.key.clone(),
                            label: m.label.clone(),
                            unit: m.unit.clone(),
                            kind: m.kind.into(),
                            required: m.required,
                        })
                        .collect();
                    let name = text::required_line("name", &input.name, 255)?;
                    templates::create_version(
                        txn,
                        actor,
                        &input.code,
                        &name,
                        input.description.as_deref(),
                        &sections,
                        &metrics,
                    )
                    .await
                })
            },
        )
        .await
        .map(|spec| ReportTemplatePayload {
            template: ReportTemplate(spec),
        })
    }
}
