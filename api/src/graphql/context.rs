//! What a resolver reads from the request context, as `AppResult`s so that `?` keeps error codes.

use std::sync::Arc;

use async_graphql::{Context, ID};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{
    extension::{Locale, RequestId},
    loaders::Loaders,
};
use crate::{
    audit::service::Trail,
    auth::{
        actor::{Actor, Authentication},
        service::AuthConfig,
    },
    error::{AppError, AppResult, Msg},
};

/// The address of the HTTP client (for sign-in throttling).
#[derive(Clone, Debug)]
pub struct ClientAddress(pub String);

fn missing(what: &str) -> AppError {
    AppError::internal(anyhow::anyhow!("{what} missing from the GraphQL context"))
}

/// Typed access to the schema and request data.
pub trait ContextExt {
    /// The database pool.
    fn db(&self) -> AppResult<&DatabaseConnection>;
    /// This request's DataLoaders.
    fn loaders(&self) -> AppResult<&Loaders>;
    /// The signed-in caller, or `UNAUTHENTICATED`.
    fn actor(&self) -> AppResult<&Arc<Actor>>;
    /// The audit trail of this request (actor and request id).
    fn trail(&self) -> Trail;
    /// Token keys and sign-in limits.
    fn auth_config(&self) -> AppResult<&AuthConfig>;
    /// The caller's network address.
    fn client_address(&self) -> String;
    /// The language the caller asked for (`Accept-Language`).
    fn locale(&self) -> Locale;
    /// `msg` in the caller's language.
    fn say(&self, msg: &Msg) -> String {
        match self.locale() {
            Locale::Vi => msg.vi.to_string(),
            Locale::En => msg.en.to_string(),
        }
    }
}

impl ContextExt for Context<'_> {
    fn db(&self) -> AppResult<&DatabaseConnection> {
        self.data_opt::<DatabaseConnection>()
            .ok_or_else(|| missing("database"))
    }

    fn loaders(&self) -> AppResult<&Loaders> {
        self.data_opt::<Loaders>().ok_or_else(|| missing("loaders"))
    }

    fn actor(&self) -> AppResult<&Arc<Actor>> {
        match self.data_opt::<Authentication>() {
            Some(Authentication::Actor(actor)) => Ok(actor),
            _ => Err(AppError::Unauthenticated),
        }
    }

    fn trail(&self) -> Trail {
        Trail {
            actor: self.actor().ok().cloned(),
            request_id: self.data_opt::<RequestId>().map(|id| id.0.clone()),
        }
    }

    fn auth_config(&self) -> AppResult<&AuthConfig> {
        self.data_opt::<AuthConfig>()
            .ok_or_else(|| missing("auth config"))
    }

    fn client_address(&self) -> String {
        self.data_opt::<ClientAddress>()
            .map_or_else(|| "unknown".to_owned(), |a| a.0.clone())
    }

    fn locale(&self) -> Locale {
        self.data_opt::<Locale>().copied().unwrap_or_default()
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
