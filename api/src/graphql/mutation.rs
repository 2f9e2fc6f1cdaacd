//! The one way a mutation runs: policy check, change, audit event, domain event (the outbox)
//! and the request's idempotency key in one transaction; a refused attempt (no token, not
//! allowed, target not found in scope) is audited on its own and writes no domain event.

use std::{future::Future, pin::Pin};

use async_graphql::Context;
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use super::{context::ContextExt, idempotency};
use crate::{
    audit::service::Target,
    auth::{actor::Actor, cache},
    db,
    error::{AppError, AppResult},
    events::{bus::Bus, outbox},
    policy::{self, Operation},
};

/// The change a mutation makes, inside its transaction.
pub type Change<'t, T> = Pin<Box<dyn Future<Output = AppResult<T>> + Send + 't>>;

/// What a mutation is, for the policy and the audit trail.
pub struct Mutation {
    /// Audit name, e.g. `agency.create`.
    pub name: &'static str,
    /// The permission it needs somewhere (record-level checks happen in the service).
    pub needs: Operation,
    /// Kind of record it acts on (`Agency`…).
    pub kind: &'static str,
    /// The record, when known before the change.
    pub target: Option<Uuid>,
    /// The submitted input, secrets removed.
    pub changes: Option<serde_json::Value>,
}

impl Mutation {
    /// A mutation called `name` (for the audit trail) of a record of `kind`, needing `needs`.
    pub fn new(name: &'static str, needs: Operation, kind: &'static str) -> Self {
        Self {
            name,
            needs,
            kind,
            target: None,
            changes: None,
        }
    }

    /// On the record with this input id (a malformed id is reported by the change itself).
    pub fn on(mut self, id: &async_graphql::ID) -> Self {
        self.target = Uuid::try_parse(id.as_str()).ok();
        self
    }

    /// With the submitted input for the trail (fields marked `#[serde(skip)]` stay out).
    pub fn input<T: serde::Serialize>(mut self, input: &T) -> Self {
        self.changes = serde_json::to_value(input).ok();
        self
    }
}

/// Runs `change` as `mutation`. Errors' fields are put under `input`.
pub async fn run<T, F>(
    ctx: &Context<'_>,
    mutation: Mutation,
    id_of: impl Fn(&T) -> Uuid,
    change: F,
) -> AppResult<T>
where
    T: Send,
    F: for<'t> FnOnce(&'t DatabaseTransaction, &'t Actor) -> Change<'t, T>,
{
    let (db, trail) = (ctx.db()?, ctx.trail());
    let target = |id: Option<Uuid>| match id {
        Some(id) => Target::new(mutation.kind, id),
        None => Target::kind(mutation.kind),
    };
    let result = async {
        let actor = ctx.actor()?;
        policy::require(actor, mutation.needs)?;
        let txn = db::begin(db).await?;
        let value = change(&txn, actor).await?;
        let id = id_of(&value);
        trail
            .allowed(
                &*txn,
                mutation.name,
                target(Some(id)),
                mutation.changes.as_ref(),
            )
            .await?;
        idempotency::claim(
            &*txn,
            ctx.data_opt::<idempotency::Keyed>(),
            mutation.name,
            mutation.kind,
            id,
        )
        .await?;
        let recorded = ctx.data_opt::<outbox::Off>().is_none();
        if recorded {
            outbox::record(&*txn, mutation.name, mutation.kind, id, Some(actor)).await?;
        }
        let principals_changed = cache::affects_principals(mutation.kind);
        if principals_changed {
            cache::changed(&*txn).await?;
        }
        txn.commit().await?;
        if principals_changed && let Ok(auth) = ctx.auth_config() {
            auth.principals.empty();
        }
        if let Some(bus) = ctx.data_opt::<Bus>().filter(|_| recorded) {
            bus.wake();
        }
        Ok(value)
    }
    .await
    .map_err(|e: AppError| e.under("input"));
    trail
        .finish(
            db,
            mutation.name,
            target(mutation.target),
            mutation.changes.as_ref(),
            result,
        )
        .await
}
