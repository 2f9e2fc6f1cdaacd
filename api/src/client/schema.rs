//! GraphQL face of service clients.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    ids::{AgencyId, ServiceClientId},
    service_client::Model,
};
use serde::Serialize;

use super::service::{self, NewClient, WithSecret};
use crate::{
    agency::schema::Agency,
    auth::actor::ClientScope as Scope,
    error::AppResult,
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
        pagination::{self, List, PageRequest},
    },
    policy::Operation,
    text,
};

/// A permission granted to a service client (phạm vi quyền). The token of a client with a scope
/// may perform the matching operations inside its agency's subtree.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClientScope {
    /// `agencies:read`: read the agency directory.
    AgenciesRead,
    /// `agencies:write`: create, change, move and close agencies in its subtree.
    AgenciesWrite,
    /// `users:read`: read accounts in its subtree.
    UsersRead,
    /// `users:write`: manage accounts in its subtree.
    UsersWrite,
    /// `audit:read`: read the audit trail of its agency.
    AuditRead,
    /// `press:read`: the spokesperson directory and what is published to the press (the four
    /// press scopes below in one).
    PressRead,
    /// `reports:read`: reporting obligations and reports in its subtree; also incidents,
    /// training sessions and plans (the three scopes below in one).
    ReportsRead,
    /// `spokespersons:read`: the spokesperson directory (published appointments).
    SpokespersonsRead,
    /// `press_events:read`: press events of its subtree, once announced.
    PressEventsRead,
    /// `releases:read`: information releases of its subtree, out of draft and past their embargo.
    ReleasesRead,
    /// `press_requests:read`: press requests addressed to its subtree.
    PressRequestsRead,
    /// `incidents:read`: false-information incidents of its subtree.
    IncidentsRead,
    /// `training:read`: training sessions of its subtree or to which it is invited.
    TrainingRead,
    /// `plans:read`: plans of its subtree and those with tasks for it.
    PlansRead,
}

impl From<Scope> for ClientScope {
    fn from(scope: Scope) -> Self {
        match scope {
            Scope::AgenciesRead => Self::AgenciesRead,
            Scope::AgenciesWrite => Self::AgenciesWrite,
            Scope::UsersRead => Self::UsersRead,
            Scope::UsersWrite => Self::UsersWrite,
            Scope::AuditRead => Self::AuditRead,
            Scope::PressRead => Self::PressRead,
            Scope::ReportsRead => Self::ReportsRead,
            Scope::SpokespersonsRead => Self::SpokespersonsRead,
            Scope::PressEventsRead => Self::PressEventsRead,
            Scope::ReleasesRead => Self::ReleasesRead,
            Scope::PressRequestsRead => Self::PressRequestsRead,
            Scope::IncidentsRead => Self::IncidentsRead,
            Scope::TrainingRead => Self::TrainingRead,
            Scope::PlansRead => Self::PlansRead,
        }
    }
}

impl From<ClientScope> for Scope {
    fn from(scope: ClientScope) -> Self {
        match scope {
            ClientScope::AgenciesRead => Self::AgenciesRead,
            ClientScope::AgenciesWrite => Self::AgenciesWrite,
            ClientScope::UsersRead => Self::UsersRead,
            ClientScope::UsersWrite => Self::UsersWrite,
            ClientScope::AuditRead => Self::AuditRead,
            ClientScope::PressRead => Self::PressRead,
            ClientScope::ReportsRead => Self::ReportsRead,
            ClientScope::SpokespersonsRead => Self::SpokespersonsRead,
            ClientScope::PressEventsRead => Self::PressEventsRead,
            ClientScope::ReleasesRead => Self::ReleasesRead,
            ClientScope::PressRequestsRead => Self::PressRequestsRead,
            ClientScope::IncidentsRead => Self::IncidentsRead,
            ClientScope::TrainingRead => Self::TrainingRead,
            ClientScope::PlansRead => Self::PlansRead,
        }
    }
}

/// A service client of an e-government system (ứng dụng tích hợp).
pub struct ServiceClient(Model);

impl From<Model> for ServiceClient {
    fn from(model: Model) -> Self {
        Self(model)
    }
}

/// A service client of a provincial e-government system (ứng dụng tích hợp): acts for one
/// agency with the scopes it was granted.
#[Object]
impl ServiceClient {
    /// Opaque global id; also the client id used with `clientToken`.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Name of the system.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The agency it acts for.
    async fn agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.agency_id).await
    }

    /// Granted scopes.
    async fn scopes(&self) -> Vec<ClientScope> {
        Scope::decode(&self.0.scopes)
            .into_iter()
            .map(Into::into)
            .collect()
    }

    /// Whether the client is disabled.
    async fn disabled(&self) -> bool {
        self.0.disabled_at.is_some()
    }

    /// How many secrets it has had (1 until the first rotation).
    async fn secret_version(&self) -> i32 {
        self.0.secret_version
    }

    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Queries of service clients.
#[derive(Default)]
pub struct ClientQuery;

#[Object]
impl ClientQuery {
    /// Registered service clients, newest first (administrators).
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn service_clients(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<ServiceClient>> {
        let actor = ctx.actor()?;
        let page = PageRequest::parse(first, after.as_deref())?;
        let (rows, total) = service::list(ctx.db()?, actor, &page).await?;
        Ok(rows.into_connection(total))
    }
}

/// A new service client.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterServiceClientInput {
    /// Name of the system, e.g. "Hệ thống quản lý văn bản tỉnh Thanh Hóa".
    name: String,
    /// The agency it acts for; its scopes apply inside this agency's subtree.
    agency_id: ID,
    /// Granted scopes (at least one).
    scopes: Vec<ClientScope>,
}

/// A service client to act on.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceClientInput {
    /// The client.
    id: ID,
}

/// Disables or enables a service client.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetServiceClientDisabledInput {
    /// The client.
    id: ID,
    /// True to disable (its tokens stop working at once), false to enable.
    disabled: bool,
}

/// A client with its secret, shown this once.
#[derive(SimpleObject)]
pub struct ServiceClientSecretPayload {
    /// The client.
    service_client: ServiceClient,
    /// The secret for `clientToken`. It is not stored and cannot be shown again.
    client_secret: String,
}

impl From<WithSecret> for ServiceClientSecretPayload {
    fn from(value: WithSecret) -> Self {
        Self {
            service_client: value.client.into(),
            client_secret: value.secret,
        }
    }
}

/// Result of a service-client mutation.
#[derive(SimpleObject)]
pub struct ServiceClientPayload {
    /// The client after the change.
    service_client: ServiceClient,
}

fn client_id(value: &WithSecret) -> uuid::Uuid {
    value.client.id
}

/// A mutation of this area, for [`mutation::run`].
fn client_mutation(name: &'static str) -> Mutation {
    Mutation::new(name, Operation::ServiceClientManage, "ServiceClient")
}

/// Service-client management (administrators).
#[derive(Default)]
pub struct ClientMutation;

#[Object]
impl ClientMutation {
    /// Registers a service client; the answer carries its secret, shown once.
    async fn register_service_client(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new client.")] input: RegisterServiceClientInput,
    ) -> AppResult<ServiceClientSecretPayload> {
        let described = client_mutation("serviceClient.register").input(&input);
        mutation::run(ctx, described, client_id, move |txn, actor| {
            Box::pin(async move {
                let new = NewClient {
                    name: text::required_line("name", &input.name, 255)?,
                    agency: AgencyId(parse_id("agencyId", &input.agency_id)?),
                    scopes: input.scopes.iter().copied().map(Into::into).collect(),
                };
                service::register(txn, actor, new).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Replaces a client's secret; tokens issued under the old one stop working.
    async fn rotate_service_client_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The client.")] input: ServiceClientInput,
    ) -> AppResult<ServiceClientSecretPayload> {
        let described = client_mutation("serviceClient.rotateSecret").on(&input.id);
        mutation::run(ctx, described, client_id, move |txn, actor| {
            Box::pin(async move {
                let id = ServiceClientId(parse_id("id", &input.id)?);
                service::rotate(txn, actor, id).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Disables a client (its tokens stop working at once) or enables it again.
    async fn set_service_client_disabled(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The client and its new state.")] input: SetServiceClientDisabledInput,
    ) -> AppResult<ServiceClientPayload> {
        let described = client_mutation("serviceClient.setDisabled")
            .on(&input.id)
            .input(&input);
        mutation::run(
            ctx,
            described,
            |client: &Model| client.id,
            move |txn, actor| {
                Box::pin(async move {
                    let id = ServiceClientId(parse_id("id", &input.id)?);
                    service::set_disabled(txn, actor, id, input.disabled).await
                })
            },
        )
        .await
        .map(|client| ServiceClientPayload {
            service_client: client.into(),
        })
    }
}
