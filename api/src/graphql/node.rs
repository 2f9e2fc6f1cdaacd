//! The `Node` interface and `node(id:)`: any object of the API by its opaque id.

use async_graphql::{Context, ID, Interface, Object};
use entity::ids::AgencyId;

use super::context::{ContextExt, parse_id};
use crate::{
    agency::{schema::Agency, service as agency_service},
    error::{AppError, AppResult, Msg},
};

/// An object with a global id (Relay `Node`).
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    /// An agency.
    Agency(Agency),
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
        let uuid = parse_id("id", &id)?;
        match agency_service::get(ctx.db()?, AgencyId(uuid)).await {
            Ok(agency) => return Ok(Node::Agency(agency.into())),
            Err(AppError::NotFound(_)) => {}
            Err(other) => return Err(other),
        }
        Err(AppError::NotFound(Msg::new(
            "Không tìm thấy đối tượng",
            "No object with this id",
        )))
    }
}
