//! The dispatcher: turns the outbox's pending events into notices, in the order they are
//! found, and gives each event its position. Every process runs one; on PostgreSQL the one that
//! takes the transaction-scoped advisory lock dispatches and the others skip, so each event is
//! dispatched once. It wakes on every commit (in-process, and through `NOTIFY ttdn_events`
//! from other processes) and on a timer, and after a gap in listening, so that an event whose
//! wake-up was lost (a process died after its commit, PostgreSQL restarted) is dispatched on
//! the next pass.

use std::time::Duration;

use chrono::Utc;
use entity::{
    domain_event::{self, Column, Entity as DomainEvent},
    ids::NotificationId,
    notification, user_account,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement, sea_query::Query,
};
use uuid::Uuid;

use super::rules::{self, Addressees};
use crate::{
    db,
    error::AppResult,
    events::{
        bus::{Bus, NOTICES_CHANNEL, Signal},
        outbox,
    },
    mail::service::MailSettings,
};

/// Events dispatched per transaction on PostgreSQL, where the dispatcher writes beside the
/// mutations. On SQLite, where every writer of the process queues for the one file
/// (`db::begin`), one event per transaction, taken when requests are not writing
/// ([`QUIET`], [`AT_MOST`]), so that a mutation waits for one event's notices at most.
const BATCH: u64 = 100;

/// On SQLite, how long no request must have written before the dispatcher takes its turn
/// (10 ms let it into the gaps of a burst of writes: the live benchmark's mutations' p99 with
/// the outbox was 1.9× the p99 without; 25 ms: 1.0×).
const QUIET: Duration = Duration::from_millis(25);

/// On SQLite, how long the dispatcher lets requests' writes go first, at most, per event: under
/// a sustained burst of writes, notices follow at this pace until the burst ends.
const AT_MOST: Duration = Duration::from_secs(5);

/// The advisory lock of the dispatcher (`ttdn` and 1).
const LOCK: i64 = 0x7474_646e_0001;

/// Starts this process's dispatcher: a pass at once, then on every wake-up and every `tick`.
pub fn spawn(db: DatabaseConnection, bus: Bus, tick: Duration, mail: MailSettings) {
    tokio::spawn(async move {
        loop {
            drain(&db, &bus, &mail).await;
            tokio::select! {
                () = bus.woken() => {}
                () = tokio::time::sleep(tick) => {}
            }
        }
    });
}

/// Dispatches until nothing is pending; logs a failure and leaves the rest for the next pass.
/// While another process holds the lock it retries for a while: the holder may have looked
/// before the event that woke this process committed.
pub async fn drain(db: &DatabaseConnection, bus: &Bus, mail: &MailSettings) {
    let mut busy = 0;
    loop {
        crate::db::yield_to_writers(db, QUIET, AT_MOST).await;
        match dispatch_batch(db, bus, mail).await {
            Ok(Some(0)) => return,
            Ok(Some(_)) => busy = 0,
            Ok(None) if busy < 20 => {
                busy += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok(None) => return,
            Err(err) => {
                tracing::warn!(error = ?err, "dispatching events failed; retrying on the next pass");
                return;
            }
        }
    }
}

/// Dispatches up to one batch of pending events in one transaction: how many, or `None` when
/// another process is dispatching.
pub async fn dispatch_batch(
    db: &DatabaseConnection,
    bus: &Bus,
    mail: &MailSettings,
) -> AppResult<Option<usize>> {
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let txn = db::begin(db).await?;
    if postgres {
        let locked = txn
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_try_advisory_xact_lock($1) AS locked",
                [LOCK.into()],
            ))
            .await?
            .and_then(|row| row.try_get::<bool>("", "locked").ok())
            .unwrap_or(false);
        if !locked {
            txn.rollback().await?;
            return Ok(None);
        }
    }
    let pending = DomainEvent::find()
        .filter(Column::Position.is_null())
        .order_by_asc(Column::OccurredAt)
        .order_by_asc(Column::Id)
        .limit(if postgres { BATCH } else { 1 })
        .all(&*txn)
        .await?;
    if pending.is_empty() {
        txn.commit().await?;
        return Ok(Some(0));
    }
    let last: Option<i64> = DomainEvent::find()
        .select_only()
        .expr(Column::Position.max())
        .into_tuple::<Option<i64>>()
        .one(&*txn)
        .await?
        .flatten();
    let mut position = last.unwrap_or(0);
    let now = Utc::now();
    for event in &pending {
        position += 1;
        give_notices(&*txn, event, mail).await?;
        crate::change_feed::service::record(&*txn, event, position).await?;
        DomainEvent::update(domain_event::ActiveModel {
            id: Set(event.id),
            position: Set(Some(position)),
            dispatched_at: Set(Some(now)),
            ..Default::default()
        })
        .exec(&*txn)
        .await?;
        outbox::notify(&*txn, NOTICES_CHANNEL, &event.id.to_string()).await?;
    }
    txn.commit().await?;
    if !postgres {
        // On PostgreSQL every process, this one included, hears NOTIFY ttdn_notices.
        for event in &pending {
            bus.signal(Signal::Dispatched(event.id));
        }
    }
    Ok(Some(pending.len()))
}

/// Writes the notices of `event` for every account its rules address, but the actor's own,
/// and the mail of those its accounts want by mail.
async fn give_notices<C: ConnectionTrait>(
    txn: &C,
    event: &domain_event::Model,
    mail: &MailSettings,
) -> AppResult<()> {
    let now = Utc::now();
    let mut rows = Vec::new();
    for notice in rules::notices(txn, event).await? {
        for (account, agency) in accounts(txn, &notice.to, event.actor_id).await? {
            rows.push(notification::Model {
                id: NotificationId::new().0,
                event_id: event.id,
                account_id: account,
                agency_id: agency,
                kind: event.kind.clone(),
                record_type: event.record_type.clone(),
                record_id: event.record_id,
                title_vi: clip(&notice.title.vi, 500),
                title_en: clip(&notice.title.en, 500),
                body_vi: notice.body.vi.to_string(),
                body_en: notice.body.en.to_string(),
                created_at: now,
                read_at: None,
            });
        }
    }
    for chunk in rows.chunks(500) {
        notification::Entity::insert_many(
            chunk.iter().cloned().map(notification::ActiveModel::from),
        )
        .exec_without_returning(txn)
        .await?;
    }
    crate::mail::service::enqueue(txn, mail, &rows).await
}

fn clip(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// The enabled accounts (with the agency they act for) addressed by `to`, but `actor`'s.
async fn accounts<C: ConnectionTrait>(
    txn: &C,
    to: &Addressees,
    actor: Option<Uuid>,
) -> AppResult<Vec<(Uuid, Uuid)>> {
    let mut select = user_account::Entity::find()
        .select_only()
        .column(user_account::Column::Id)
        .column(user_account::Column::AgencyId)
        .filter(user_account::Column::DisabledAt.is_null());
    select = match to {
        Addressees::Agencies(ids) if ids.is_empty() => return Ok(Vec::new()),
        Addressees::Agencies(ids) => {
            select.filter(user_account::Column::AgencyId.is_in(ids.iter().copied()))
        }
        Addressees::DepartmentOf(path) => select
            .filter(user_account::Column::Role.eq(user_account::Role::ProvincialDepartment))
            .filter(
                user_account::Column::AgencyId.in_subquery(
                    Query::select()
                        .column(entity::agency::Column::Id)
                        .from(entity::agency::Entity)
                        .cond_where(
                            Condition::all()
                                .add(entity::agency::Column::Path.starts_with(path.as_str())),
                        )
                        .to_owned(),
                ),
            ),
    };
    if let Some(actor) = actor {
        select = select.filter(user_account::Column::Id.ne(actor));
    }
    let rows: Vec<(Uuid, Option<Uuid>)> = select.into_tuple().all(txn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(account, agency)| agency.map(|agency| (account, agency)))
        .collect())
}
