//! GraphQL face of reporting: queries and mutations, and the lists' filters (the mutations'
//! inputs are in `inputs.rs`, the output types in `objects.rs`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    ids::{AgencyId, ObligationId, ReportId, TemplateId},
    legal_setting::LegalKey,
    report::{self},
    reporting_obligation::Model,
};

use super::{
    prefill,
    service::{self, NewObligation, ObligationFilter, ReportFilter, Review},
    templates::{self, Spec},
    types::{MetricSpec, SectionSpec, preset_period_cut},
};
use crate::{
    agency::{
        schema::{Agency, AgencyKind},
        service as agency_service,
    },
    error::{AppError, AppResult, Msg},
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
        pagination::{self, List, Page, PageRequest},
        read,
        scalars::Json,
    },
    legal::service as legal,
    policy::Operation,
    text,
};

pub use super::{inputs::*, objects::*, report_objects::*};

/// Filters of the obligation list.
#[derive(InputObject, Default)]
pub struct ObligationFilterInput {
    /// Issued by this agency or below it.
    issuer_within: Option<ID>,
    /// Only these period kinds.
    period_kinds: Option<Vec<PeriodKind>>,
    /// Only these statuses.
    statuses: Option<Vec<ObligationStatus>>,
    /// Only obligations changed at or after this time, oldest change first: for systems that
    /// poll.
    updated_since: Option<DateTime<Utc>>,
}

/// Filters of the report list.
#[derive(InputObject, Default)]
pub struct ReportFilterInput {
    /// Reports of this obligation.
    obligation_id: Option<ID>,
    /// Reports of this agency or of agencies below it.
    recipient_within: Option<ID>,
    /// Only these statuses.
    statuses: Option<Vec<ReportStatus>>,
    /// Only reports changed at or after this time, oldest change first (instead of soonest due
    /// first): for systems that poll.
    updated_since: Option<DateTime<Utc>>,
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

    /// The data period of the general reporting regime (month 1–12, quarter 1–4, half 1–2),
    /// with the cut-off day in force today for the caller's province (`REPORTING_CUTOFF_DAY`,
    /// the 14th unless changed).
    async fn reporting_period(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Period kind (not AD_HOC).")] kind: PeriodKind,
        #[graphql(desc = "Year.")] year: i32,
        #[graphql(desc = "Month, quarter or half; ignored for ANNUAL.", default = 1)] index: u32,
    ) -> AppResult<Period> {
        // The cut-off day in force today for the caller's province.
        let path = ctx.actor()?.agency.as_ref().map(|a| a.path.clone());
        let cutoff = legal::value_on(
            ctx.db()?,
            LegalKey::ReportingCutoffDay,
            path.as_deref().unwrap_or_default(),
            crate::time::today(),
        )
        .await?;
        let (start, end) = preset_period_cut(kind.into(), year, index, cutoff.unsigned_abs())?;
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
    ) -> AppResult<List<ReportingObligation>> {
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
            updated_since: filter.updated_since,
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

    /// Reports the caller may read (of its own agency and those below it, and of the
    /// obligations issued in its scope), soonest due first.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<ReportFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<Report>> {
        let filter = filter.unwrap_or_default();
        let filter = ReportFilter {
            obligation: filter
                .obligation_id
                .as_ref()
                .map(|id| parse_id("filter.obligationId", id).map(ObligationId))
                .transpose()?,
            recipient_within: filter
                .recipient_within
                .as_ref()
                .map(|id| parse_id("filter.recipientWithin", id).map(AgencyId))
                .transpose()?,
            statuses: filter
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            updated_since: filter.updated_since,
        };
        let page = PageRequest::parse(first, after.as_deref())?;
        let beside = report_beside(ctx);
        let (rows, total) =
            service::reports(ctx.db()?, ctx.actor()?, &filter, &page, beside).await?;
        Ok(primed(ctx, rows)?.into_connection(total))
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
    ) -> AppResult<List<Report>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let beside = report_beside(ctx);
        let (db, actor) = (ctx.db()?, ctx.actor()?);
        if listed_only(ctx) {
            let (rows, total) = service::due_for_listed(db, actor, &page, beside).await?;
            return Ok(rows
                .map(|with| Report::listed(with.report, with.obligation))
                .into_connection(total));
        }
        let (rows, total) = service::due_for(db, actor, &page, beside).await?;
        Ok(primed(ctx, rows)?.into_connection(total))
    }

    /// The đôn đốc list: every report still owed (not started, in draft, or returned and not
    /// resubmitted) by agencies of the caller's scope other than its own, across all
    /// obligations in force, overdue or due within `dueWithinDays`, soonest due first. Each
    /// report gives how late it is (`daysOverdue`), the obligation's công văn
    /// (`obligation { document }`) and whom to contact (`recipient { phone email
    /// currentSpokespeople }`). Also as a spreadsheet: `GET /exports/reports-to-chase.csv`.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn reports_to_chase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Also reports due within this many days (0: overdue or due today).")]
        due_within_days: Option<i32>,
        #[graphql(desc = "Level, area and obligation.")] filter: Option<ChaseFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<Report>> {
        let filter = filter.unwrap_or_default().parse(due_within_days)?;
        let page = PageRequest::parse(first, after.as_deref())?;
        let beside = report_beside(ctx);
        let (rows, total) =
            service::chase_page(ctx.db()?, ctx.actor()?, &filter, &page, beside).await?;
        Ok(primed(ctx, rows)?.into_connection(total))
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

/// What a connection of reports is asked to show of each report's obligation, issuer and
/// recipient (async-graphql's look-ahead, through fragments too): the list reads those in
/// its own statement.
fn report_beside(ctx: &Context<'_>) -> service::ReportBeside {
    let node = ctx.look_ahead().field("edges").field("node");
    let obligation = node.field("obligation");
    service::ReportBeside {
        obligation: obligation.exists(),
        issuer: obligation.field("issuer").exists(),
        recipient: node.field("recipient").exists(),
    }
}

/// Whether a connection of reports asks for listed fields alone (`edges { node }` and
/// `nodes`, fragments included): of each report, of its obligation and of the obligation's
/// issuer.
fn listed_only(ctx: &Context<'_>) -> bool {
    read::every_item(ctx, |report| {
        read::selects_only(report, &Report::LISTED_FIELDS)
            && report
                .selection_set()
                .filter(|field| field.name() == "obligation")
                .all(|obligation| {
                    read::selects_only(obligation, &ReportingObligation::LISTED_FIELDS)
                        && obligation
                            .selection_set()
                            .filter(|field| field.name() == "issuer")
                            .all(|issuer| read::selects_only(issuer, &Agency::LISTED_FIELDS))
                })
    })
}

/// The reports of a page, the rows read beside them handed to the loaders, under each
/// relation the fields read them through (see [`service::ReportBeside`] for why each is one
/// the caller may see).
fn primed(
    ctx: &Context<'_>,
    page: Page<service::ReportWith>,
) -> AppResult<Page<entity::report::Model>> {
    use service::relations::{AddressedById, ById};
    let loaders = ctx.loaders()?;
    Ok(page.map(|with| {
        if let Some(obligation) = with.obligation {
            loaders.prime::<AddressedById>(obligation.id, vec![obligation.clone()]);
            loaders.prime::<ById>(obligation.id, vec![obligation]);
        }
        for agency in [with.issuer, with.recipient].into_iter().flatten() {
            loaders.prime_agency(agency);
        }
        with.report
    }))
}

/// Filters of the đôn đốc list; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct ChaseFilterInput {
    /// Only recipients of these kinds (the level: [DISTRICT], [COMMUNE]…).
    kinds: Option<Vec<AgencyKind>>,
    /// Only recipients in this agency's subtree (an area: a district and its communes).
    within: Option<ID>,
    /// Only reports of this obligation and of those passing it on, down the cascade.
    obligation_id: Option<ID>,
}

impl ChaseFilterInput {
    /// The service's filter, with the look-ahead in days (`service::chase_days`).
    pub fn parse(self, due_within_days: Option<i32>) -> AppResult<service::ChaseFilter> {
        Ok(service::ChaseFilter {
            due_within_days: service::chase_days(due_within_days)?,
            kinds: self
                .kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            within: self
                .within
                .as_ref()
                .map(|id| parse_id("filter.within", id).map(AgencyId))
                .transpose()?,
            obligation: self
                .obligation_id
                .as_ref()
                .map(|id| parse_id("filter.obligationId", id).map(ObligationId))
                .transpose()?,
        })
    }
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
                        // The cut-off day in force today for the issuer's province.
                        let issuer = AgencyId(parse_id("issuerAgencyId", &input.issuer_agency_id)?);
                        let cutoff = legal::value_for(
                            txn,
                            LegalKey::ReportingCutoffDay,
                            issuer,
                            crate::time::today(),
                        )
                        .await?;
                        preset_period_cut(
                            input.period_kind.into(),
                            year,
                            input.period_index.unwrap_or(1),
                            cutoff.unsigned_abs(),
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

    /// Saves a report's working copy (DRAFT): the given sections, metrics, signer and document
    /// are merged into what was saved (null clears one); values are checked for known keys and
    /// types. Every save is kept in `Report.history`.
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
                service::save_draft(txn, actor, id, input.patch()?, input.expected_version).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Submits a report as saved, with anything given merged in first (`submitReport(input: {
    /// id })` submits the draft as it stands): the template must be satisfied; the submission is
    /// kept as a version.
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
                service::submit(txn, actor, id, input.patch()?, input.expected_version).await
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
