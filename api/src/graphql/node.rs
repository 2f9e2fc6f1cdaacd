//! The `Node` interface and `node(id:)`: any object of the API by its opaque id.

use async_graphql::{Context, ID, Interface, Object};
use entity::ids::{
    AgencyId, IncidentId, ObligationId, PlanId, PressEventId, PressRequestId, ReleaseId, ReportId,
    ServiceClientId, SpokespersonId, TrainingId, UserId,
};

use super::context::{ContextExt, parse_id};
use crate::{
    account::{schema::User, service as accounts},
    agency::{schema::Agency, service as agencies},
    client::{schema::ServiceClient, service as clients},
    error::{AppError, AppResult, Msg},
    incident::{schema::Incident, service as incidents},
    plan::{schema::PlanObject, service as plans},
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
        Err(AppError::NotFound(Msg::new(
            "Không tìm thấy đối tượng",
            "No object with this id",
        )))
    }
}
