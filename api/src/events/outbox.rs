//! Writing domain events. An event is a row of `domain_event` inserted in the change's own
//! transaction: it exists exactly when the change committed, survives a process that dies after
//! the commit, and never exists for a rolled-back change. On PostgreSQL the same transaction
//! sends `NOTIFY ttdn_events`, which PostgreSQL delivers only at commit, so that the dispatcher
//! of any process wakes at once.

use chrono::Utc;
use entity::{
    domain_event::{ActiveModel, Entity as DomainEvent, Model},
    ids::EventId,
};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement};
use uuid::Uuid;

use crate::{auth::actor::Actor, error::AppResult};

/// In a schema's data: its mutations write no domain events (see
/// [`crate::config::Settings::record_events`]).
pub struct Off;

/// The channel that wakes dispatchers: its payload is the new event's id.
pub const EVENTS_CHANNEL: &str = "ttdn_events";

/// Records that `actor` did `kind` (the operation's audit name) to the record `record_type`
/// `record_id`, inside the change's transaction `txn`.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    kind: &str,
    record_type: &str,
    record_id: Uuid,
    actor: Option<&Actor>,
) -> AppResult<EventId> {
    record_at(txn, kind, record_type, record_id, actor, Utc::now()).await
}

/// [`record`], happening at `at` (a reminder: the instant the scheduler looked).
pub async fn record_at<C: ConnectionTrait>(
    txn: &C,
    kind: &str,
    record_type: &str,
    record_id: Uuid,
    actor: Option<&Actor>,
    at: chrono::DateTime<Utc>,
) -> AppResult<EventId> {
    let id = EventId::new();
    let model = Model {
        id: id.0,
        kind: kind.to_owned(),
        record_type: record_type.to_owned(),
        record_id,
        actor_id: actor.map(Actor::id),
        actor_name: actor.map_or_else(|| "ttdn".to_owned(), |a| a.name().to_owned()),
        occurred_at: at,
        position: None,
        dispatched_at: None,
    };
    DomainEvent::insert(ActiveModel::from(model))
        .exec_without_returning(txn)
        .await?;
    notify(txn, EVENTS_CHANNEL, &id.0.to_string()).await?;
    Ok(id)
}

/// `NOTIFY channel, payload` on PostgreSQL (delivered when the transaction commits); nothing on
/// SQLite, where one process holds the database and the bus is in-process.
pub async fn notify<C: ConnectionTrait>(db: &C, channel: &str, payload: &str) -> AppResult<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [channel.into(), payload.into()],
        ))
        .await?;
    }
    Ok(())
}
