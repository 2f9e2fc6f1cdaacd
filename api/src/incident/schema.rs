//! GraphQL face of incidents.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    ids::{AgencyId, IncidentId, ReleaseId},
    incident::{IncidentCategory as StoredCategory, IncidentStatus as StoredStatus, Model},
};
use serde::Serialize;

use super::service::{self, IncidentFilter, NewIncident};
use crate::{
    agency::schema::Agency,
    error::AppResult,
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
        pagination::{self, List, PageRequest},
    },
    mirror_enum,
    policy::Operation,
    release::{schema::InformationRelease, service as releases},
    text,
};

mirror_enum!(
    /// What kind of incident.
    IncidentCategory => StoredCategory {
        /// False or distorted information (thông tin sai lệch, xuyên tạc).
        FalseInformation,
        /// Negative coverage in the press (thông tin tiêu cực).
        NegativeCoverage,
        /// A crisis or event that needs a statement (sự cố, khủng hoảng).
        CrisisEvent,
    }
);

mirror_enum!(
    /// Open or closed.
    IncidentStatus => StoredStatus {
        /// Being handled.
        Open,
        /// Closed with an outcome.
        Closed,
    }
);

/// An incident as the API shows it.
pub struct Incident(Model);

impl From<Model> for Incident {
    fn from(model: Model) -> Self {
        Self(model)
    }
}

/// An incident (vụ việc): false information, negative coverage or a crisis that needs a
/// statement, with its 24-hour statement deadline.
#[Object]
impl Incident {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The agency that recorded it.
    async fn reporting_agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.reporting_agency_id).await
    }

    /// The agency it is about.
    async fn affected_agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.affected_agency_id).await
    }

    /// The agency assigned to answer it.
    async fn handling_agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.handling_agency_id).await
    }

    /// Where it appeared.
    async fn source_outlet(&self) -> &str {
        &self.0.source_outlet
    }

    /// Link.
    async fn link(&self) -> Option<&str> {
        self.0.link.as_deref()
    }

    /// Category.
    async fn category(&self) -> IncidentCategory {
        self.0.category.into()
    }

    /// What it says.
    async fn summary(&self) -> &str {
        &self.0.summary
    }

    /// When it appeared.
    async fn appeared_at(&self) -> DateTime<Utc> {
        self.0.appeared_at
    }

    /// When it was received.
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }

    /// When the first statement is due.
    async fn statement_due_at(&self) -> DateTime<Utc> {
        self.0.statement_due_at
    }

    /// When the first statement was made.
    async fn first_statement_at(&self) -> Option<DateTime<Utc>> {
        self.0.first_statement_at
    }

    /// Whether the first statement came by the deadline (null before it is made).
    async fn statement_on_time(&self) -> Option<bool> {
        service::on_time(&self.0)
    }

    /// Whether it is open, without a statement, past the deadline.
    async fn overdue(&self) -> bool {
        service::overdue(&self.0)
    }

    /// The release that answered it.
    async fn correction_release(&self, ctx: &Context<'_>) -> AppResult<Option<InformationRelease>> {
        Ok(ctx
            .loaders()?
            .one::<releases::relations::ById>(self.0.correction_release_id)
            .await?
            .map(Into::into))
    }

    /// Whether a correction was requested from the outlet.
    async fn correction_requested(&self) -> bool {
        self.0.correction_requested
    }

    /// Status.
    async fn status(&self) -> IncidentStatus {
        self.0.status.into()
    }

    /// Outcome, when closed.
    async fn outcome(&self) -> Option<&str> {
        self.0.outcome.as_deref()
    }

    /// Version for optimistic concurrency.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Filters of incidents.
#[derive(InputObject, Default)]
pub struct IncidentFilterInput {
    /// Only these statuses.
    statuses: Option<Vec<IncidentStatus>>,
    /// Only open incidents without a statement past their deadline.
    #[graphql(default = false)]
    overdue: bool,
    /// About an agency in this subtree.
    affected_within: Option<ID>,
    /// Received at or after.
    from: Option<DateTime<Utc>>,
    /// Received before.
    to: Option<DateTime<Utc>>,
    /// Only incidents changed at or after this time, oldest change first: for systems that poll.
    updated_since: Option<DateTime<Utc>>,
}

impl IncidentFilterInput {
    fn parse(self) -> AppResult<IncidentFilter> {
        Ok(IncidentFilter {
            statuses: self
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            overdue: self.overdue,
            affected_within: self
                .affected_within
                .as_ref()
                .map(|id| parse_id("filter.affectedWithin", id).map(AgencyId))
                .transpose()?,
            from: self.from,
            to: self.to,
            updated_since: self.updated_since,
        })
    }
}

/// The counts of the annual press-statement report.
#[derive(SimpleObject)]
pub struct IncidentCounts {
    /// Incidents.
    incidents: u64,
    /// With a first statement.
    with_statement: u64,
    /// With the first statement on time.
    statements_on_time: u64,
    /// With a correction requested from the outlet.
    correction_requested: u64,
    /// False-information incidents.
    false_information: u64,
}

/// Queries of incidents.
#[derive(Default)]
pub struct IncidentQuery;

#[Object]
impl IncidentQuery {
    /// One incident.
    async fn incident(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Incident id.")] id: ID,
    ) -> AppResult<Incident> {
        let id = IncidentId(parse_id("id", &id)?);
        Ok(service::get(ctx.db()?, ctx.actor()?, id).await?.into())
    }

    /// Incidents recorded by, about or assigned to agencies of the caller's scope, by statement
    /// deadline (the department's queue).
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn incidents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<IncidentFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<Incident>> {
        let filter = filter.unwrap_or_default().parse()?;
        let page = PageRequest::parse(first, after.as_deref())?;
        let (rows, total) = service::list(ctx.db()?, ctx.actor()?, &filter, &page).await?;
        Ok(rows.into_connection(total))
    }

    /// Counts for reports: incidents, with a statement, on time, with a correction request.
    async fn incident_counts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which incidents.")] filter: Option<IncidentFilterInput>,
    ) -> AppResult<IncidentCounts> {
        let filter = filter.unwrap_or_default().parse()?;
        let counts = service::counts(ctx.db()?, ctx.actor()?, &filter).await?;
        Ok(IncidentCounts {
            incidents: counts.incidents,
            with_statement: counts.with_statement,
            statements_on_time: counts.on_time,
            correction_requested: counts.correction_requested,
            false_information: counts.false_information,
        })
    }
}

/// A new incident, recorded in the name of the caller's agency.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportIncidentInput {
    /// The agency it is about.
    affected_agency_id: ID,
    /// Where it appeared (outlet, page, channel).
    source_outlet: String,
    /// Link.
    link: Option<String>,
    /// Category.
    category: IncidentCategory,
    /// What it says.
    summary: String,
    /// When it appeared.
    appeared_at: DateTime<Utc>,
    /// When it was received (now when omitted).
    received_at: Option<DateTime<Utc>>,
}

/// An assignment.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignIncidentInput {
    /// The incident.
    id: ID,
    /// The agency to answer it.
    handling_agency_id: ID,
    /// Another statement deadline (24 hours after receipt by default).
    statement_due_at: Option<DateTime<Utc>>,
}

/// A first statement.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordIncidentStatementInput {
    /// The incident.
    id: ID,
    /// When the statement was made.
    statement_at: DateTime<Utc>,
    /// The release that answered it.
    correction_release_id: Option<ID>,
    /// Whether a correction was requested from the outlet.
    #[graphql(default = false)]
    correction_requested: bool,
}

/// A closure.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseIncidentInput {
    /// The incident.
    id: ID,
    /// The outcome.
    outcome: String,
}

/// Result of an incident mutation.
#[derive(SimpleObject)]
pub struct IncidentPayload {
    /// The incident after the change.
    incident: Incident,
}

impl From<Model> for IncidentPayload {
    fn from(model: Model) -> Self {
        Self {
            incident: model.into(),
        }
    }
}

fn incident_id(model: &Model) -> uuid::Uuid {
    model.id
}

fn long_text(field: &'static str, raw: &str, max: usize) -> AppResult<String> {
    let value = raw.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(crate::error::AppError::bad_input(
            field,
            crate::error::Msg::new(
                format!("Từ 1 đến {max} ký tự"),
                format!("1 to {max} characters"),
            ),
        ));
    }
    Ok(value.to_owned())
}

/// Incidents.
#[derive(Default)]
pub struct IncidentMutation;

#[Object]
impl IncidentMutation {
    /// Records an incident; it reaches the department of the province at once.
    async fn report_incident(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The incident.")] input: ReportIncidentInput,
    ) -> AppResult<IncidentPayload> {
        let described =
            Mutation::new("incident.report", Operation::IncidentReport, "Incident").input(&input);
        mutation::run(ctx, described, incident_id, move |txn, actor| {
            Box::pin(async move {
                let new = NewIncident {
                    affected: AgencyId(parse_id("affectedAgencyId", &input.affected_agency_id)?),
                    source_outlet: text::required_line("sourceOutlet", &input.source_outlet, 255)?,
                    link: text::optional(input.link.as_deref(), |v| text::url("link", v))?,
                    category: input.category.into(),
                    summary: long_text("summary", &input.summary, 10_000)?,
                    appeared_at: input.appeared_at,
                    received_at: input.received_at,
                };
                service::report(txn, actor, new).await
            })
        })
        .await
        .map(Into::into)
    }

    /// The department assigns the agency that answers.
    async fn assign_incident(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The assignment.")] input: AssignIncidentInput,
    ) -> AppResult<IncidentPayload> {
        let described = Mutation::new("incident.assign", Operation::IncidentManage, "Incident")
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, described, incident_id, move |txn, actor| {
            Box::pin(async move {
                let id = IncidentId(parse_id("id", &input.id)?);
                let handler = AgencyId(parse_id("handlingAgencyId", &input.handling_agency_id)?);
                service::assign(txn, actor, id, handler, input.statement_due_at).await
            })
        })
        .await
        .map(Into::into)
    }

    /// The handling agency records its first statement (and the correction release).
    async fn record_incident_statement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The statement.")] input: RecordIncidentStatementInput,
    ) -> AppResult<IncidentPayload> {
        let described = Mutation::new("incident.statement", Operation::IncidentHandle, "Incident")
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, described, incident_id, move |txn, actor| {
            Box::pin(async move {
                let id = IncidentId(parse_id("id", &input.id)?);
                let release = input
                    .correction_release_id
                    .as_ref()
                    .map(|r| parse_id("correctionReleaseId", r).map(ReleaseId))
                    .transpose()?;
                service::record_statement(
                    txn,
                    actor,
                    id,
                    input.statement_at,
                    release,
                    input.correction_requested,
                )
                .await
            })
        })
        .await
        .map(Into::into)
    }

    /// The department closes an incident with its outcome.
    async fn close_incident(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The outcome.")] input: CloseIncidentInput,
    ) -> AppResult<IncidentPayload> {
        let described = Mutation::new("incident.close", Operation::IncidentManage, "Incident")
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, described, incident_id, move |txn, actor| {
            Box::pin(async move {
                let id = IncidentId(parse_id("id", &input.id)?);
                let outcome = long_text("outcome", &input.outcome, 5_000)?;
                service::close(txn, actor, id, outcome).await
            })
        })
        .await
        .map(Into::into)
    }
}
