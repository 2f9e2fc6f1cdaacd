//! What a resolver reads from the request context, as `AppResult`s so that `?` keeps error codes.

use async_graphql::{Context, ID};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::loaders::Loaders;
use crate::error::{AppError, AppResult, Msg};

/// Typed access to the schema and request data.
pub trait ContextExt {
    /// The database pool.
    fn db(&self) -> AppResult<&DatabaseConnection>;
    /// This request's DataLoaders.
    fn loaders(&self) -> AppResult<&Loaders>;
}

impl ContextExt for Context<'_> {
    fn db(&self) -> AppResult<&DatabaseConnection> {
        self.data_opt::<DatabaseConnection>()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("no database in the schema data")))
    }

    fn loaders(&self) -> AppResult<&Loaders> {
        self.data_opt::<Loaders>()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("no loaders in the request data")))
    }
}

/// Reads an opaque id given as input; a malformed one is `BAD_USER_INPUT` on `field`.
pub fn parse_id(field: &'static str, id: &ID) -> AppResult<Uuid> {
    Uuid::try_parse(id.as_str()).map_err(|_| {
        AppError::bad_input(
            field,
            Msg::new("Mã định danh (id) không hợp lệ", "Not a valid id"),
        )
    })
}
