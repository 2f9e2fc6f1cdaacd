//! Writing and reading audit events.
//!
//! An allowed change writes its event inside the change's own transaction, so there is never a
//! change without its event nor an event for a change that rolled back. A denied attempt rolls
//! its transaction back and is then recorded on its own.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use entity::{
    agency,
    audit_event::{ActiveModel, Column, Entity as AuditEvent, Model},
    service_client, user_account,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Order,
    QueryFilter, QuerySelect, Select,
};
use uuid::Uuid;

use crate::{
    agency::service as agency_service,
    auth::actor::{Actor, ActorRole, Principal},
    error::{AppError, AppResult},
    graphql::pagination::{Page, PageRequest, TotalCount},
    policy::{self, Operation},
};

/// Whether the attempt was carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Carried out.
    Allowed,
    /// Refused.
    Denied,
}

impl Outcome {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "ALLOWED",
            Outcome::Denied => "DENIED",
        }
    }
}

/// The record an operation acts on.
#[derive(Clone, Debug, Default)]
pub struct Target {
    /// Kind of record (`Agency`, `User`…).
    pub kind: Option<&'static str>,
    /// Its id, or another identifying value (a username for a sign-in).
    pub id: Option<String>,
}

impl Target {
    /// A record of `kind` with `id`.
    pub fn new(kind: &'static str, id: impl ToString) -> Self {
        Self {
            kind: Some(kind),
            id: Some(id.to_string()),
        }
    }

    /// A record of `kind` not known yet (a refused creation).
    pub fn kind(kind: &'static str) -> Self {
        Self {
            kind: Some(kind),
            id: None,
        }
    }
}

/// Who is acting and under which request: what every event of a request shares.
#[derive(Clone, Debug, Default)]
pub struct Trail {
    /// The actor, when signed in.
    pub actor: Option<Arc<Actor>>,
    /// The HTTP request id.
    pub request_id: Option<String>,
}

/// Who an event is attributed to.
#[derive(Clone, Debug)]
pub struct Who {
    kind: &'static str,
    id: Option<Uuid>,
    name: Option<String>,
    role: Option<String>,
    agency: Option<Uuid>,
}

impl Who {
    /// The request's actor, or an anonymous caller.
    pub fn of(actor: Option<&Actor>) -> Self {
        match actor {
            Some(actor) => Self {
                kind: match actor.principal {
                    Principal::User { .. } => "USER",
                    Principal::Client { .. } => "CLIENT",
                },
                id: Some(actor.id()),
                name: Some(actor.name().to_owned()),
                role: Some(actor.role.as_str().to_owned()),
                agency: actor.agency_id().map(|a| a.0),
            },
            None => Self {
                kind: "ANONYMOUS",
                id: None,
                name: None,
                role: None,
                agency: None,
            },
        }
    }

    /// An account that is signing in (no token yet).
    pub fn user(account: &user_account::Model) -> Self {
        Self {
            kind: "USER",
            id: Some(account.id),
            name: Some(account.username.clone()),
            role: Some(ActorRole::from(account.role).as_str().to_owned()),
            agency: account.agency_id,
        }
    }

    /// A service client that is asking for a token.
    pub fn client(client: &service_client::Model) -> Self {
        Self {
            kind: "CLIENT",
            id: Some(client.id),
            name: Some(client.name.clone()),
            role: Some(ActorRole::Integration.as_str().to_owned()),
            agency: Some(client.agency_id),
        }
    }
}

/// One event to record.
pub struct Entry<'a> {
    /// Operation name, e.g. `agency.create`.
    pub operation: &'a str,
    /// The record acted on.
    pub target: Target,
    /// Submitted changes, secrets removed.
    pub changes: Option<&'a serde_json::Value>,
    /// Allowed or denied.
    pub outcome: Outcome,
    /// Why denied.
    pub reason: Option<String>,
}

impl Trail {
    /// Records an event attributed to the request's actor.
    pub async fn record<C: ConnectionTrait>(&self, db: &C, entry: Entry<'_>) -> AppResult<()> {
        self.record_as(db, Who::of(self.actor.as_deref()), entry)
            .await
    }

    /// Records an event attributed to `who` (sign-ins, where the caller has no token yet).
    pub async fn record_as<C: ConnectionTrait>(
        &self,
        db: &C,
        who: Who,
        entry: Entry<'_>,
    ) -> AppResult<()> {
        let event = ActiveModel {
            id: Set(Uuid::now_v7()),
            occurred_at: Set(Utc::now()),
            actor_kind: Set(who.kind.to_owned()),
            actor_id: Set(who.id),
            actor_name: Set(who.name),
            actor_role: Set(who.role),
            actor_agency_id: Set(who.agency),
            operation: Set(entry.operation.to_owned()),
            target_type: Set(entry.target.kind.map(str::to_owned)),
            target_id: Set(entry.target.id),
            changes: Set(entry.changes.map(|c| c.to_string())),
            request_id: Set(self.request_id.clone()),
            outcome: Set(entry.outcome.as_str().to_owned()),
            reason: Set(entry.reason),
        };
        AuditEvent::insert(event).exec_without_returning(db).await?;
        Ok(())
    }

    /// Records an allowed change inside its transaction.
    pub async fn allowed<C: ConnectionTrait>(
        &self,
        txn: &C,
        operation: &str,
        target: Target,
        changes: Option<&serde_json::Value>,
    ) -> AppResult<()> {
        let entry = Entry {
            operation,
            target,
            changes,
            outcome: Outcome::Allowed,
            reason: None,
        };
        self.record(txn, entry).await
    }

    /// Passes `result` through; when it is a refusal (`FORBIDDEN`, `NOT_FOUND`: a target
    /// absent or outside the caller's scope, `UNAUTHENTICATED`), first records the denied
    /// attempt (its own transaction: the attempt's was rolled back), so that probing hidden ids
    /// leaves a trace. The caller gets the same answer whether or not the target exists. A
    /// failure to record is logged, and the caller still gets the original error.
    pub async fn finish<T>(
        &self,
        db: &DatabaseConnection,
        operation: &str,
        target: Target,
        changes: Option<&serde_json::Value>,
        result: AppResult<T>,
    ) -> AppResult<T> {
        if let Err(
            err @ (AppError::Forbidden(_) | AppError::NotFound(_) | AppError::Unauthenticated),
        ) = &result
        {
            let entry = Entry {
                operation,
                target,
                changes,
                outcome: Outcome::Denied,
                reason: Some(format!("{}: {}", err.code().as_str(), err.message().en)),
            };
            if let Err(err) = self.record(db, entry).await {
                tracing::error!(error = ?err, operation, "could not record a denied attempt");
            }
        }
        result
    }
}

/// Filters of the audit trail.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Events of this account or client.
    pub actor: Option<Uuid>,
    /// Events of actors of this agency and its subtree.
    pub agency_within: Option<Uuid>,
    /// Events of this operation.
    pub operation: Option<String>,
    /// Only allowed or only denied events.
    pub outcome: Option<Outcome>,
    /// Events at or after.
    pub from: Option<DateTime<Utc>>,
    /// Events before.
    pub to: Option<DateTime<Utc>>,
}

/// The events `actor` may read: administrators all, the department its province's, everyone
/// else their own agency's.
fn visible(actor: &Actor) -> AppResult<Select<AuditEvent>> {
    let visibility = policy::visibility(actor, Operation::AuditRead)?;
    Ok(agency_service::visible_to(
        AuditEvent::find(),
        Column::ActorAgencyId,
        &visibility,
    ))
}

/// One page of the trail, newest first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &AuditFilter,
    page: &PageRequest,
) -> AppResult<(Page<Model>, TotalCount)> {
    let mut select = visible(actor)?;
    if let Some(id) = filter.actor {
        select = select.filter(Column::ActorId.eq(id));
    }
    if let Some(root) = filter.agency_within {
        let path = agency::Entity::find_by_id(root)
            .select_only()
            .column(agency::Column::Path)
            .into_tuple::<String>()
            .one(db)
            .await?
            .unwrap_or_else(|| "/nothing/".to_owned());
        select = select.filter(Column::ActorAgencyId.in_subquery(agency_service::ids_under(&path)));
    }
    if let Some(operation) = &filter.operation {
        select = select.filter(Column::Operation.eq(operation.as_str()));
    }
    if let Some(outcome) = filter.outcome {
        select = select.filter(Column::Outcome.eq(outcome.as_str()));
    }
    if let Some(from) = filter.from {
        select = select.filter(Column::OccurredAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(Column::OccurredAt.lt(to));
    }
    let total = TotalCount::of(db, select.clone());
    let rows = page
        .fetch_by_id(db, select, Column::Id, Order::Desc)
        .await?;
    Ok((rows, total))
}
