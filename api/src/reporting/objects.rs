//! GraphQL output types of reporting: obligations, templates, compliance, roll-up and
//! consolidation. Reports, their versions and prefill are in `report_objects.rs`; the queries
//! and mutations in `schema.rs`.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    report::{self, ReportStatus as StoredReportStatus},
    reporting_obligation::{
        self as obligation, Model, ObligationStatus as StoredObligationStatus,
        PeriodKind as StoredPeriodKind,
    },
};
use serde::Serialize;

use super::{
    cascade::{Cascade, Mode, Placed},
    report_objects::Report,
    service::relations,
    service::{self, ComplianceState as State, ListedObligation},
    templates::{self, Spec},
    types::MetricKind as Kind,
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
    mirror_enum, time,
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
    pub(super) key: String,
    /// Heading.
    pub(super) title: String,
    /// Whether a submission must fill it.
    pub(super) required: bool,
}

/// A metric of a template.
#[derive(SimpleObject)]
pub struct TemplateMetric {
    /// Stable key, used in report content.
    pub(super) key: String,
    /// Label.
    pub(super) label: String,
    /// Unit.
    pub(super) unit: String,
    /// Type.
    pub(super) kind: MetricKind,
    /// Whether a submission must give it.
    pub(super) required: bool,
}

/// A report template (mẫu báo cáo), one version of it.
pub struct ReportTemplate(pub(super) Spec);

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
    pub(super) amended_at: DateTime<Utc>,
    /// Who (account or client id).
    pub(super) amended_by: Option<ID>,
    /// What changed, e.g. {"dueDate": {"from": …, "to": …}}.
    pub(super) change: Json<serde_json::Value>,
}

/// How many recipients are in one state.
#[derive(SimpleObject)]
pub struct StateCount {
    /// State.
    pub(super) state: ComplianceState,
    /// Recipients in it.
    pub(super) count: u64,
}

/// One recipient's standing.
#[derive(SimpleObject)]
pub struct RecipientCompliance {
    /// The report.
    pub(super) report: Report,
    /// Its state.
    pub(super) state: ComplianceState,
}

/// The compliance view of an obligation (tình hình thực hiện báo cáo).
#[derive(SimpleObject)]
pub struct Compliance {
    /// Number of recipients.
    pub(super) total: u64,
    /// Recipients per state (every state listed).
    pub(super) counts: Vec<StateCount>,
    /// Each recipient, with its state.
    pub(super) recipients: Vec<RecipientCompliance>,
    /// Agencies whose report is overdue.
    pub(super) overdue_agencies: Vec<Agency>,
}

/// A metric summed over reports.
#[derive(SimpleObject)]
pub struct MetricTotal {
    /// Key.
    pub(super) key: String,
    /// Label.
    pub(super) label: String,
    /// Type.
    pub(super) kind: MetricKind,
    /// Sum of the values (INTEGER and DECIMAL metrics).
    pub(super) total: f64,
    /// Sum of numerators (RATIO metrics).
    pub(super) numerator: i64,
    /// Sum of denominators (RATIO metrics).
    pub(super) denominator: i64,
    /// How many reports gave the metric.
    pub(super) reports: u32,
}

/// One recipient's metrics in a roll-up.
#[derive(SimpleObject)]
pub struct RecipientMetrics {
    /// The reporting agency.
    pub(super) agency: Option<Agency>,
    /// Its report's state.
    pub(super) state: ComplianceState,
    /// Its metric values.
    pub(super) metrics: Json<serde_json::Value>,
}

/// Totals of each metric over the submitted and accepted reports of an obligation, per
/// recipient and in total: a district answering the province starts from its communes' sums.
#[derive(SimpleObject)]
pub struct RollUp {
    /// Totals.
    pub(super) totals: Vec<MetricTotal>,
    /// Per recipient.
    pub(super) by_recipient: Vec<RecipientMetrics>,
}

/// A reporting obligation as the API shows it: its whole row, or only its title and issuer
/// ([`obligation::Listed`]) as a list of reports read them beside a listed report. A field
/// those lack reads the whole row by id, through the request's loader, so an answer never
/// depends on which was read.
pub struct ReportingObligation {
    row: Read<Model, obligation::Listed>,
    /// Its issuer, as the list read it.
    issuer: Option<entity::agency::Listed>,
}

impl From<Model> for ReportingObligation {
    fn from(model: Model) -> Self {
        Self {
            row: Read::Whole(model),
            issuer: None,
        }
    }
}

impl ReportingObligation {
    /// The fields the listed columns answer (`__typename` included).
    pub(super) const LISTED_FIELDS: [&str; 4] = ["__typename", "id", "title", "issuer"];

    /// An obligation as a list of reports read it.
    pub(super) fn listed(listed: ListedObligation) -> Self {
        Self {
            row: Read::narrow(listed.row),
            issuer: listed.issuer,
        }
    }

    fn key(&self) -> uuid::Uuid {
        *either_column!(&self.row, id)
    }

    /// The whole row: as read, or read once by id through the request's loader for a listed
    /// one (an obligation beside a report the caller may see is one it may see).
    async fn whole(&self, ctx: &Context<'_>) -> AppResult<&Model> {
        let load = |listed: &obligation::Listed| {
            let id = listed.id;
            async move { ctx.loaders()?.one::<relations::ById>(id).await }
        };
        self.row.whole(load, service::not_found).await
    }

    /// The template version of this obligation, through the request's loader.
    async fn template_spec(&self, ctx: &Context<'_>) -> AppResult<templates::Spec> {
        let template = self.whole(ctx).await?.template_id;
        let model = ctx
            .loaders()?
            .one::<relations::TemplateById>(template)
            .await?
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!(
                    "obligation {} names a missing template",
                    self.key()
                ))
            })?;
        templates::Spec::of(model)
    }

    /// Compliance and roll-up are for the issuer's side.
    async fn issuer_side(&self, ctx: &Context<'_>) -> AppResult<()> {
        let actor = ctx.actor()?;
        let issuer = ctx
            .loaders()?
            .agency
            .load_one(*either_column!(&self.row, issuer_agency_id))
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
        ID(self.key().to_string())
    }

    /// Issuing agency.
    async fn issuer(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        if let Some(listed) = &self.issuer {
            return Ok(Some(Agency::from(listed.clone())));
        }
        Agency::load(ctx, *either_column!(&self.row, issuer_agency_id)).await
    }

    /// The request document (công văn), e.g. 2480/STTTT-BCXB.
    async fn document(&self, ctx: &Context<'_>) -> AppResult<Option<DocumentReference>> {
        let row = self.whole(ctx).await?;
        Ok(DocumentReference::from_columns(
            row.doc_number.as_deref(),
            row.doc_date,
        ))
    }

    /// Title.
    async fn title(&self) -> &str {
        either_column!(&self.row, title)
    }

    /// Period kind.
    async fn period_kind(&self, ctx: &Context<'_>) -> AppResult<PeriodKind> {
        Ok(self.whole(ctx).await?.period_kind.into())
    }

    /// First day of the data period (chốt số liệu).
    async fn period_start(&self, ctx: &Context<'_>) -> AppResult<Date> {
        Ok(self.whole(ctx).await?.period_start.into())
    }

    /// Last day of the data period.
    async fn period_end(&self, ctx: &Context<'_>) -> AppResult<Date> {
        Ok(self.whole(ctx).await?.period_end.into())
    }

    /// Due date: on time until 23:59:59 +07:00 that day.
    async fn due_date(&self, ctx: &Context<'_>) -> AppResult<Date> {
        Ok(self.whole(ctx).await?.due_date.into())
    }

    /// The template version.
    async fn template(&self, ctx: &Context<'_>) -> AppResult<ReportTemplate> {
        Ok(ReportTemplate(self.template_spec(ctx).await?))
    }

    /// The obligation this one passes on (one level up the cascade).
    async fn parent(&self, ctx: &Context<'_>) -> AppResult<Option<ReportingObligation>> {
        Ok(ctx
            .loaders()?
            .one::<relations::ById>(self.whole(ctx).await?.parent_id)
            .await?
            .map(Into::into))
    }

    /// Obligations passing this one on (one level down the cascade) that the caller may see.
    async fn children(&self, ctx: &Context<'_>) -> AppResult<Vec<ReportingObligation>> {
        let rows = ctx
            .loaders()?
            .many::<relations::Children>(self.key())
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Status.
    async fn status(&self, ctx: &Context<'_>) -> AppResult<ObligationStatus> {
        Ok(self.whole(ctx).await?.status.into())
    }

    /// Why withdrawn.
    async fn withdrawal_reason(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.whole(ctx).await?.withdrawal_reason.as_deref())
    }

    /// Recorded changes (deadline extended, recipients added, withdrawal), oldest first.
    async fn amendments(&self, ctx: &Context<'_>) -> AppResult<Vec<ObligationAmendment>> {
        let rows = ctx
            .loaders()?
            .many::<relations::Amendments>(self.key())
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
            .many::<relations::VisibleReports>(self.key())
            .await?;
        Ok(rows.into_iter().map(Report::from).collect())
    }

    /// The compliance view: each recipient's state, counts per state, overdue agencies
    /// (issuer's side only).
    async fn compliance(&self, ctx: &Context<'_>) -> AppResult<Compliance> {
        self.issuer_side(ctx).await?;
        let rows = ctx
            .loaders()?
            .many::<relations::Reports>(self.key())
            .await?;
        let today = time::today();
        let states: Vec<State> = rows.iter().map(|r| service::state_of(r, today)).collect();
        let counts = state_counts(states.iter().copied());
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
                    report: Report::from(row),
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
        let rows = ctx
            .loaders()?
            .many::<relations::Reports>(self.key())
            .await?;
        let totals = metric_totals(&spec, service::roll_up(&spec, &rows));
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

    /// The whole cascade below this obligation, for the issuer's side: the obligations its
    /// recipients passed on, those passed on again, and all their reports. `totals` adds the
    /// figures up as each level consolidated them (`AS_CONSOLIDATED`: the recipients' own
    /// reports) or from the leaves (`FROM_LEAVES`, the default: each agency that passed the
    /// obligation on is replaced by the reports it received); `levels` gives, level by level,
    /// the figures as sent, the states and who has not answered under each agency that asked;
    /// `lateAgencies` the reports overdue or sent late at any level. Read it on one obligation:
    /// in a list it is computed obligation by obligation.
    async fn consolidation(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "ConsolidationMode::FromLeaves",
            desc = "How to add up."
        )]
        mode: ConsolidationMode,
    ) -> AppResult<Consolidation> {
        // Boxed, so that resolving any other field of an obligation does not carry the
        // state of this one (docs/performance.md, "A province's whole tree, …").
        Box::pin(async move {
            self.issuer_side(ctx).await?;
            let spec = self.template_spec(ctx).await?;
            let cascade = Cascade::load(ctx.db()?, self.key()).await?;
            let agency_ids = cascade
                .reports
                .iter()
                .flat_map(|p| [p.report.recipient_agency_id, p.asked_by]);
            let agencies = ctx.loaders()?.agency.load_many(agency_ids).await?;
            let agency = |id: &uuid::Uuid| agencies.get(id).cloned().map(Agency::from);
            let mut levels = Vec::new();
            for depth in 1..=cascade.depth() {
                let placed: Vec<&Placed> = cascade.at(depth).collect();
                let mut groups: Vec<(uuid::Uuid, Vec<uuid::Uuid>)> = Vec::new();
                for p in placed.iter().filter(|p| {
                    matches!(
                        p.state,
                        State::NotStarted | State::Draft | State::Returned | State::Overdue
                    )
                }) {
                    match groups.iter_mut().find(|(by, _)| *by == p.asked_by) {
                        Some((_, missing)) => missing.push(p.report.recipient_agency_id),
                        None => groups.push((p.asked_by, vec![p.report.recipient_agency_id])),
                    }
                }
                levels.push(CascadeLevel {
                    depth: depth as u32,
                    total: placed.len() as u64,
                    counts: state_counts(placed.iter().map(|p| p.state)),
                    totals: metric_totals(&spec, cascade.level_totals(&spec, depth)),
                    unanswered: groups
                        .into_iter()
                        .map(|(by, missing)| Unanswered {
                            asked_by: agency(&by),
                            agencies: missing.iter().filter_map(agency).collect(),
                        })
                        .collect(),
                });
            }
            let late = cascade
                .reports
                .iter()
                .filter(|p| matches!(p.state, State::Overdue | State::SubmittedLate))
                .map(|p| LateReport {
                    depth: p.depth as u32,
                    agency: agency(&p.report.recipient_agency_id),
                    state: p.state.into(),
                    report: Report::from(p.report.clone()),
                })
                .collect();
            Ok(Consolidation {
                mode,
                totals: metric_totals(&spec, cascade.totals(&spec, mode.into())),
                levels,
                late_agencies: late,
            })
        })
        .await
    }

    /// Files kept with this obligation (its request letter): the signed scan and the final file, the current ones;
    /// with `history: true`, every upload (superseded ones included).
    async fn files(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false, desc = "Include superseded uploads.")] history: bool,
    ) -> AppResult<Vec<crate::file::schema::StoredFile>> {
        crate::file::schema::files_of(ctx, self.key(), history).await
    }

    /// Version for optimistic concurrency (pass as `expectedVersion`).
    async fn version(&self, ctx: &Context<'_>) -> AppResult<i32> {
        Ok(self.whole(ctx).await?.version)
    }

    /// When issued.
    async fn created_at(&self, ctx: &Context<'_>) -> AppResult<DateTime<Utc>> {
        Ok(self.whole(ctx).await?.created_at)
    }
}

/// How a cascade's figures are added up.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConsolidationMode {
    /// The obligation's own recipients' reports, as each level consolidated its subordinates.
    AsConsolidated,
    /// The reports of the agencies that did not pass the obligation on, at any depth, summed.
    FromLeaves,
}

impl From<ConsolidationMode> for Mode {
    fn from(mode: ConsolidationMode) -> Self {
        match mode {
            ConsolidationMode::AsConsolidated => Mode::AsConsolidated,
            ConsolidationMode::FromLeaves => Mode::FromLeaves,
        }
    }
}

/// Agencies that have not answered, under the agency that asked them.
#[derive(SimpleObject)]
pub struct Unanswered {
    /// The agency that asked (the issuer of the obligation passed on).
    pub(super) asked_by: Option<Agency>,
    /// Those of its recipients that have not sent their report (not started, in draft,
    /// returned, overdue).
    pub(super) agencies: Vec<Agency>,
}

/// One level of a cascade.
#[derive(SimpleObject)]
pub struct CascadeLevel {
    /// 1 for the obligation's own recipients, 2 for the agencies they asked, …
    pub(super) depth: u32,
    /// Reports at this level.
    pub(super) total: u64,
    /// Reports per state (every state listed).
    pub(super) counts: Vec<StateCount>,
    /// The figures of this level's reports as sent.
    pub(super) totals: Vec<MetricTotal>,
    /// Who has not answered, under each agency that asked.
    pub(super) unanswered: Vec<Unanswered>,
}

/// A report overdue or sent late somewhere in a cascade.
#[derive(SimpleObject)]
pub struct LateReport {
    /// Its level.
    pub(super) depth: u32,
    /// The agency.
    pub(super) agency: Option<Agency>,
    /// Overdue or submitted late.
    pub(super) state: ComplianceState,
    /// The report.
    pub(super) report: Report,
}

/// The consolidation of a whole cascade.
#[derive(SimpleObject)]
pub struct Consolidation {
    /// How `totals` adds up.
    pub(super) mode: ConsolidationMode,
    /// The cascade's figures.
    pub(super) totals: Vec<MetricTotal>,
    /// Level by level.
    pub(super) levels: Vec<CascadeLevel>,
    /// Reports overdue or sent late at any level.
    pub(super) late_agencies: Vec<LateReport>,
}

/// Every state with how many of `states` are in it.
fn state_counts(states: impl Iterator<Item = State>) -> Vec<StateCount> {
    let states: Vec<State> = states.collect();
    [
        State::NotStarted,
        State::Draft,
        State::SubmittedOnTime,
        State::SubmittedLate,
        State::Returned,
        State::Accepted,
        State::Overdue,
    ]
    .into_iter()
    .map(|state| StateCount {
        state: state.into(),
        count: states.iter().filter(|s| **s == state).count() as u64,
    })
    .collect()
}

/// The GraphQL totals of `totals`, labelled from `spec`.
fn metric_totals(spec: &Spec, totals: Vec<service::MetricTotal>) -> Vec<MetricTotal> {
    totals
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
        .collect()
}
