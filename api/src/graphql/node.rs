//! The `Node` interface and `node(id:)`: any object of the API by its opaque id.

use async_graphql::{Context, ID, Interface, Object};
use entity::ids::{
    AgencyId, IncidentId, ObligationId, PlanId, PressEventId, PressRequestId, ReleaseId, ReportId,
    ServiceClientId, SpokespersonId, TrainingId, UserId,
};

use uuid::Uuid;

use super::context::{ContextExt, parse_id};
use crate::{
    account::{schema::User, service as accounts},
    agency::{schema::Agency, service as agencies},
    client::{schema::ServiceClient, service as clients},
    error::{AppError, AppResult, Msg},
    incident::{schema::Incident, service as incidents},
    plan::{
        schema::{PlanObject, PlanTask},
        service as plans,
    },
    policy::{self, Operation},
    press_event::{schema::PressEvent, service as events},
    press_request::{schema::PressRequest, service as requests},
    release::{schema::InformationRelease, service as releases},
    reporting::{
        schema::{Report, ReportingObligation},
        service as reporting,
    },
    spokesperson::{schema::Spokesperson, service as spokespersons},
    training::{schema::TrainingSession, service as trainings},
};

/// An object with a global id (Relay `Node`).
#[derive(Interface)]
// One value per `node(id:)` call: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    /// An agency.
    Agency(Agency),
    /// A person's account.
    User(User),
    /// A service client.
    ServiceClient(ServiceClient),
    /// A spokesperson.
    Spokesperson(Spokesperson),
    /// A press-provision event.
    PressEvent(PressEvent),
    /// An information release.
    InformationRelease(InformationRelease),
    /// A press request.
    PressRequest(PressRequest),
    /// A reporting obligation.
    ReportingObligation(ReportingObligation),
    /// A report.
    Report(Report),
    /// An incident.
    Incident(Incident),
    /// A training session.
    TrainingSession(TrainingSession),
    /// A plan.
    Plan(PlanObject),
    /// A task of a plan.
    PlanTask(PlanTask),
}

/// `Some` when found and visible; `None` when absent or not readable by the caller (either way
/// the next kind is tried, and nothing tells which).
fn found<T>(result: AppResult<T>) -> AppResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(AppError::NotFound(_) | AppError::Forbidden(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The record of type `record_type` (the name of its GraphQL type) with id `id`, when the
/// caller may read it now; `None` when it is absent, unreadable or of no such type. Batched
/// with every other lookup of the request through its loaders (one statement per type).
pub async fn load(ctx: &Context<'_>, record_type: &str, id: Uuid) -> AppResult<Option<Node>> {
    use crate::{
        account::service::relations as account_rel, incident::service::relations as incident_rel,
        plan::service::relations as plan_rel, press_event::service::relations as event_rel,
        press_request::service::relations as request_rel,
        release::service::relations as release_rel, reporting::service::relations as report_rel,
        spokesperson::service::relations as spokesperson_rel,
        training::service::relations as training_rel,
    };
    let (loaders, actor) = (ctx.loaders()?, ctx.actor()?);
    let node = match record_type {
        "Agency" => {
            if policy::require(actor, Operation::AgencyRead).is_err() {
                return Ok(None);
            }
            loaders
                .agency
                .load_one(id)
                .await?
                .map(|m| Node::Agency(m.into()))
        }
        "User" => found(loaders.one::<account_rel::ById>(id).await)?
            .flatten()
            .map(|m| Node::User(m.into())),
        "Spokesperson" => found(loaders.one::<spokesperson_rel::ById>(id).await)?
            .flatten()
            .map(|m| Node::Spokesperson(m.into())),
        "PressEvent" => found(loaders.one::<event_rel::ById>(id).await)?
            .flatten()
            .map(|m| Node::PressEvent(m.into())),
        "InformationRelease" => found(loaders.one::<release_rel::ById>(id).await)?
            .flatten()
            .map(|m| Node::InformationRelease(m.into())),
        "PressRequest" => found(loaders.one::<request_rel::ById>(id).await)?
            .flatten()
            .map(|m| Node::PressRequest(m.into())),
        "ReportingObligation" => found(loaders.one::<report_rel::ById>(id).await)?
            .flatten()
            .map(|m| Node::ReportingObligation(m.into())),
        "Report" => found(loaders.one::<report_rel::ReportById>(id).await)?
            .flatten()
            .map(|m| Node::Report(m.into())),
        "Incident" => found(loaders.one::<incident_rel::ById>(id).await)?
            .flatten()
            .map(|m| Node::Incident(m.into())),
        "TrainingSession" => found(loaders.one::<training_rel::ById>(id).await)?
            .flatten()
            .map(|m| Node::TrainingSession(m.into())),
        "Plan" => found(loaders.one::<plan_rel::ById>(id).await)?
            .flatten()
            .map(|m| Node::Plan(m.into())),
        "PlanTask" => found(loaders.one::<plan_rel::TaskById>(id).await)?
            .flatten()
            .map(|m| Node::PlanTask(PlanTask(m))),
        _ => None,
    };
    Ok(node)
}

/// `node(id:)`.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id, within what the caller may read; NOT_FOUND otherwise.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id.")] id: ID,
    ) -> AppResult<Node> {
        let (actor, db) = (ctx.actor()?, ctx.db()?);
        let uuid = parse_id("id", &id)?;
        macro_rules! attempt {
            ($variant:ident, $lookup:expr) => {
                if let Some(value) = found($lookup.await)? {
                    return Ok(Node::$variant(value.into()));
                }
            };
        }
        if policy::require(actor, Operation::AgencyRead).is_ok() {
            attempt!(Agency, agencies::get(db, AgencyId(uuid)));
        }
        attempt!(User, accounts::get(db, actor, UserId(uuid)));
        attempt!(
            ServiceClient,
            clients::get(db, actor, ServiceClientId(uuid))
        );
        attempt!(
            Spokesperson,
            spokespersons::get(db, actor, SpokespersonId(uuid))
        );
        attempt!(PressEvent, events::get(db, actor, PressEventId(uuid)));
        attempt!(
            InformationRelease,
            releases::get(db, actor, ReleaseId(uuid))
        );
        attempt!(PressRequest, requests::get(db, actor, PressRequestId(uuid)));
        attempt!(
            ReportingObligation,
            reporting::get(db, actor, ObligationId(uuid))
        );
        attempt!(Report, reporting::report(db, actor, ReportId(uuid)));
        attempt!(Incident, incidents::get(db, actor, IncidentId(uuid)));
        attempt!(TrainingSession, trainings::get(db, actor, TrainingId(uuid)));
        attempt!(Plan, plans::get(db, actor, PlanId(uuid)));
        if let Some(task) = load(ctx, "PlanTask", uuid).await? {
            return Ok(task);
        }
        Err(AppError::NotFound(Msg::new(
            "Không tìm thấy đối tượng",
            "No object with this id",
        )))
    }
}
