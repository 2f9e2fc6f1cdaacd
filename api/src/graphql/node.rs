//! The `Node` interface and `node(id:)`: any object of the API by its opaque id.

use async_graphql::{Context, ID, Interface, Object};
use entity::ids::{AgencyId, SpokespersonId, UserId};

use super::context::{ContextExt, parse_id};
use crate::{
    account::{schema::User, service as account_service},
    agency::{schema::Agency, service as agency_service},
    error::{AppError, AppResult, Msg},
    policy::{self, Access, Operation},
    spokesperson::{schema::Spokesperson, service as spokesperson_service},
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
    /// A spokesperson.
    Spokesperson(Spokesperson),
}

/// `node(id:)`.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id; NOT_FOUND when nothing with that id is visible.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id.")] id: ID,
    ) -> AppResult<Node> {
        let (actor, db) = (ctx.actor()?, ctx.db()?);
        let uuid = parse_id("id", &id)?;
        // Each kind is looked up only where the caller may read it, so nothing outside the
        // caller's scope is found.
        if policy::access_of(actor, Operation::AgencyRead) != Access::Denied {
            match agency_service::get(db, AgencyId(uuid)).await {
                Ok(agency) => return Ok(Node::Agency(agency.into())),
                Err(AppError::NotFound(_)) => {}
                Err(other) => return Err(other),
            }
        }
        if policy::access_of(actor, Operation::SpokespersonRead) != Access::Denied {
            match spokesperson_service::get(db, actor, SpokespersonId(uuid)).await {
                Ok(found) => return Ok(Node::Spokesperson(found.into())),
                Err(AppError::NotFound(_)) => {}
                Err(other) => return Err(other),
            }
        }
        if policy::access_of(actor, Operation::UserRead) != Access::Denied {
            match account_service::get(db, actor, UserId(uuid)).await {
                Ok(user) => return Ok(Node::User(user.into())),
                Err(AppError::NotFound(_)) => {}
                Err(other) => return Err(other),
            }
        }
        Err(AppError::NotFound(Msg::new(
            "Không tìm thấy đối tượng",
            "No object with this id",
        )))
    }
}
