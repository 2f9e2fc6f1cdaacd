//! GraphQL face of the audit trail.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::audit_event::Model;

use super::service::{self, AuditFilter, Outcome};
use crate::{
    account::schema::Role,
    agency::schema::Agency,
    error::AppResult,
    graphql::{
        context::{ContextExt, parse_id},
        pagination::{self, List, PageRequest},
        scalars::Json,
    },
    text,
};

/// Whether an attempt was carried out.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "AuditOutcome")]
pub enum AuditOutcome {
    /// Carried out.
    Allowed,
    /// Refused (not allowed, wrong credentials, a reused refresh token…).
    Denied,
}

impl From<AuditOutcome> for Outcome {
    fn from(outcome: AuditOutcome) -> Self {
        match outcome {
            AuditOutcome::Allowed => Outcome::Allowed,
            AuditOutcome::Denied => Outcome::Denied,
        }
    }
}

/// One entry of the audit trail (nhật ký thao tác).
pub struct AuditEvent(Model);

/// One entry of the audit trail (nhật ký thao tác): who did what to which record, when, and
/// whether it was allowed.
#[Object]
impl AuditEvent {
    /// Opaque global id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }

    /// `USER`, `CLIENT` or `ANONYMOUS`.
    async fn actor_kind(&self) -> &str {
        &self.0.actor_kind
    }

    /// Id of the account or client.
    async fn actor_id(&self) -> Option<ID> {
        self.0.actor_id.map(|id| ID(id.to_string()))
    }

    /// Username or client name at the time.
    async fn actor_name(&self) -> Option<&str> {
        self.0.actor_name.as_deref()
    }

    /// Role at the time.
    async fn actor_role(&self) -> Option<Role> {
        use crate::auth::actor::ActorRole;
        let name = self.0.actor_role.as_deref()?;
        ActorRole::ALL
            .into_iter()
            .find(|r| r.as_str() == name)
            .map(Role::from)
    }

    /// The agency the actor acted for.
    async fn actor_agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.actor_agency_id).await
    }

    /// Operation, e.g. `agency.create`, `auth.login`.
    async fn operation(&self) -> &str {
        &self.0.operation
    }

    /// Kind of the record acted on (`Agency`, `User`, `ServiceClient`).
    async fn target_type(&self) -> Option<&str> {
        self.0.target_type.as_deref()
    }

    /// Id (or name) of the record acted on.
    async fn target_id(&self) -> Option<&str> {
        self.0.target_id.as_deref()
    }

    /// The submitted changes, secrets removed.
    async fn changes(&self) -> Option<Json<serde_json::Value>> {
        self.0
            .changes
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
            .map(Json)
    }

    /// Request id of the HTTP request (as in the logs and `x-request-id`).
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// Allowed or denied.
    async fn outcome(&self) -> AuditOutcome {
        if self.0.outcome == Outcome::Denied.as_str() {
            AuditOutcome::Denied
        } else {
            AuditOutcome::Allowed
        }
    }

    /// Why it was denied.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
}

impl From<Model> for AuditEvent {
    fn from(model: Model) -> Self {
        Self(model)
    }
}

/// Filters of the audit trail.
#[derive(InputObject, Default)]
pub struct AuditFilterInput {
    /// Events of this account or client.
    actor_id: Option<ID>,
    /// Events of actors of this agency and its subtree.
    agency_within: Option<ID>,
    /// Events of this operation, e.g. `agency.create`.
    operation: Option<String>,
    /// Only allowed or only denied events.
    outcome: Option<AuditOutcome>,
    /// Events at or after this time.
    from: Option<DateTime<Utc>>,
    /// Events before this time.
    to: Option<DateTime<Utc>>,
}

/// Queries of the audit trail.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit trail, newest first: administrators see everything, the department its
    /// province's, everyone else their own agency's.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<AuditFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<AuditEvent>> {
        let actor = ctx.actor()?;
        let filter = filter.unwrap_or_default();
        let filter = AuditFilter {
            actor: filter
                .actor_id
                .as_ref()
                .map(|id| parse_id("filter.actorId", id))
                .transpose()?,
            agency_within: filter
                .agency_within
                .as_ref()
                .map(|id| parse_id("filter.agencyWithin", id))
                .transpose()?,
            operation: text::search("filter.operation", filter.operation)?,
            outcome: filter.outcome.map(Into::into),
            from: filter.from,
            to: filter.to,
        };
        let page = PageRequest::parse(first, after.as_deref())?;
        let (rows, total) = service::list(ctx.db()?, actor, &filter, &page).await?;
        Ok(rows.into_connection(total))
    }
}
