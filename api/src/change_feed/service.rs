//! The change feed's rules: which entries an event gives each service client (written by the
//! dispatcher, in the transaction that gives the event its position), and reading a client's
//! feed from a cursor.
//!
//! For each event on a record of a feed type, and each enabled client whose scopes let it read
//! that type, the client's visibility of the record is checked as the lists check it:
//! - readable: an entry `CREATED`, `UPDATED` or `CLOSED` (by the operation);
//! - not readable, but the feed last said it was (or never said anything of it, for a record
//!   older than the feed that the client may have read from the lists): one `LEFT_SCOPE`
//!   entry, with the id only;
//! - not readable and already said so, or created by this change out of the client's reach:
//!   nothing, so a client never hears of records it could not read.
//!
//! Entries of one event share its position; a cursor is a position and a record id. The
//! webhook deliveries of the entries are written with them ([`crate::webhook::service::enqueue`]).

use std::collections::{HashMap, HashSet};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use entity::{agency, change_entry, change_seen, domain_event, report, service_client};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Alias, Expr, ExprTrait, OnConflict, Query},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    auth::actor::{Actor, Principal, client_actor},
    error::{AppError, AppResult, Msg},
    graphql::loaders::Relation,
    policy::{self, Operation},
};

/// How long entries are kept: `TTDN_CHANGE_RETENTION_DAYS`, in the schema's data.
#[derive(Clone, Copy, Debug)]
pub struct Retention(pub Duration);

/// What happened to a record, as its feed entry says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The change created it.
    Created,
    /// The change changed it.
    Updated,
    /// The change closed, cancelled, withdrew or ended it (it stays readable, with its state).
    Closed,
    /// The client could read it and can no longer.
    LeftScope,
}

impl Change {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "CREATED",
            Change::Updated => "UPDATED",
            Change::Closed => "CLOSED",
            Change::LeftScope => "LEFT_SCOPE",
        }
    }

    /// Reads a stored name (an unknown one reads as `UPDATED`: the client re-reads).
    pub fn parse(stored: &str) -> Self {
        [Self::Created, Self::Closed, Self::LeftScope]
            .into_iter()
            .find(|c| c.as_str() == stored)
            .unwrap_or(Self::Updated)
    }

    /// What `operation` (an event's kind, `release.withdraw`) did to its own record.
    pub fn of(operation: &str) -> Self {
        let verb = operation.rsplit('.').next().unwrap_or(operation);
        match verb {
            "create" | "issue" | "cascade" | "appoint" | "send" | "report" | "addTask" => {
                Change::Created
            }
            "close" | "cancel" | "withdraw" | "endTerm" => Change::Closed,
            _ => Change::Updated,
        }
    }
}

/// The record types of the feed (their GraphQL type names), with the operation whose
/// permission reads them.
pub const TYPES: [(&str, Operation); 12] = [
    ("Agency", Operation::AgencyRead),
    ("User", Operation::UserRead),
    ("Spokesperson", Operation::SpokespersonRead),
    ("PressEvent", Operation::PressEventRead),
    ("InformationRelease", Operation::ReleaseRead),
    ("PressRequest", Operation::PressRequestRead),
    ("ReportingObligation", Operation::ObligationRead),
    ("Report", Operation::ObligationRead),
    ("Incident", Operation::IncidentRead),
    ("TrainingSession", Operation::TrainingRead),
    ("Plan", Operation::PlanRead),
    ("PlanTask", Operation::PlanRead),
];

/// The GraphQL enum name of a record type (`InformationRelease` → `INFORMATION_RELEASE`).
pub fn type_key(record_type: &str) -> String {
    let mut key = String::with_capacity(record_type.len() + 4);
    for (i, c) in record_type.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            key.push('_');
        }
        key.push(c.to_ascii_uppercase());
    }
    key
}

fn read_operation(record_type: &str) -> Option<Operation> {
    TYPES
        .iter()
        .find(|(name, _)| *name == record_type)
        .map(|(_, op)| *op)
}

/// A record an event touched, and what happened to it.
struct Touched {
    record_type: &'static str,
    id: Uuid,
    change: Change,
}

/// The records `event` touched: its own, and for an obligation issued, passed on or amended,
/// its reports (created or given new due dates in the same change); a file uploaded touches
/// the record it was kept with.
async fn touched<C: ConnectionTrait>(
    txn: &C,
    event: &domain_event::Model,
) -> AppResult<Vec<Touched>> {
    if event.kind == "file.upload" {
        let Some(file) = entity::stored_file::Entity::find_by_id(event.record_id)
            .one(txn)
            .await?
        else {
            return Ok(Vec::new());
        };
        return Ok(TYPES
            .iter()
            .find(|(t, _)| *t == file.record_type)
            .map(|&(record_type, _)| Touched {
                record_type,
                id: file.record_id,
                change: Change::Updated,
            })
            .into_iter()
            .collect());
    }
    let Some(&(record_type, _)) = TYPES.iter().find(|(t, _)| *t == event.record_type) else {
        return Ok(Vec::new());
    };
    let change = Change::of(&event.kind);
    let mut touched = vec![Touched {
        record_type,
        id: event.record_id,
        change,
    }];
    if record_type == "ReportingObligation"
        && matches!(
            event.kind.as_str(),
            "obligation.issue" | "obligation.cascade" | "obligation.amend"
        )
    {
        let reports: Vec<Uuid> = report::Entity::find()
            .select_only()
            .column(report::Column::Id)
            .filter(report::Column::ObligationId.eq(event.record_id))
            .order_by_asc(report::Column::Id)
            .into_tuple()
            .all(txn)
            .await?;
        let change = if change == Change::Created {
            Change::Created
        } else {
            Change::Updated
        };
        touched.extend(reports.into_iter().map(|id| Touched {
            record_type: "Report",
            id,
            change,
        }));
    }
    if event.kind == "agency.move" {
        touched.extend(belonging_to_subtree(txn, event.record_id).await?);
    }
    Ok(touched)
}

/// Where each type of record belongs in the agency tree: (type, table, agency column). A record
/// is in a client's scope with its agency.
const BELONGS: [(&str, &str, &str); 10] = [
    ("User", "user_account", "agency_id"),
    ("Spokesperson", "spokesperson", "agency_id"),
    ("PressEvent", "press_event", "organizer_id"),
    (
        "InformationRelease",
        "information_release",
        "issuing_agency_id",
    ),
    ("PressRequest", "press_request", "addressed_agency_id"),
    (
        "ReportingObligation",
        "reporting_obligation",
        "issuer_agency_id",
    ),
    ("Report", "report", "recipient_agency_id"),
    ("Incident", "incident", "affected_agency_id"),
    ("TrainingSession", "training_session", "organizer_id"),
    ("Plan", "plan", "agency_id"),
];

/// The records of the agencies under `moved` (moved with it, so perhaps into or out of a
/// client's scope), touched by the move.
async fn belonging_to_subtree<C: ConnectionTrait>(txn: &C, moved: Uuid) -> AppResult<Vec<Touched>> {
    let Some(moved) = agency::Entity::find_by_id(moved).one(txn).await? else {
        return Ok(Vec::new());
    };
    let mut touched = Vec::new();
    for (record_type, table, column) in BELONGS {
        let query = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new(table))
            .and_where(
                Expr::col(Alias::new(column))
                    .in_subquery(crate::agency::service::ids_under(&moved.path)),
            )
            .to_owned();
        for row in txn.query_all(&query).await? {
            touched.push(Touched {
                record_type,
                id: row.try_get::<Uuid>("", "id")?,
                change: Change::Updated,
            });
        }
    }
    Ok(touched)
}

/// Ids per statement when the feed reads records by id (PostgreSQL and SQLite both take far
/// more parameters; a move of a large subtree touches thousands of records).
const IDS_PER_STATEMENT: usize = 1000;

/// Of `ids`, those `actor` may read through the relation `R`: the records by id under the
/// caller's visibility, as `node(id:)` and the lists read them. One statement per batch of ids.
async fn readable_through<R: Relation, C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    ids: &[Uuid],
) -> AppResult<HashSet<Uuid>> {
    let select = match R::select(Some(actor)) {
        Ok(select) => select,
        Err(AppError::Forbidden(_) | AppError::NotFound(_)) => return Ok(HashSet::new()),
        Err(other) => return Err(other),
    };
    let mut readable = HashSet::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let found: Vec<Uuid> = select
            .clone()
            .select_only()
            .column(R::key())
            .filter(crate::db::key_in(
                txn.get_database_backend(),
                R::key(),
                chunk.iter().copied(),
            ))
            .into_tuple()
            .all(txn)
            .await?;
        readable.extend(found);
    }
    Ok(readable)
}

/// Of `ids`, records of `record_type`, those `actor` may read now (its scopes already allow the
/// type).
async fn readable<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    record_type: &str,
    ids: &[Uuid],
) -> AppResult<HashSet<Uuid>> {
    use crate::{
        account::service::relations as accounts, incident::service::relations as incidents,
        plan::service::relations as plans, press_event::service::relations as events,
        press_request::service::relations as requests, release::service::relations as releases,
        reporting::service::relations as reporting,
        spokesperson::service::relations as spokespersons,
        training::service::relations as trainings,
    };
    match record_type {
        // The directory is read everywhere: an agency is readable while it exists.
        "Agency" => {
            let mut existing = HashSet::new();
            for chunk in ids.chunks(IDS_PER_STATEMENT) {
                let found: Vec<Uuid> = agency::Entity::find()
                    .select_only()
                    .column(agency::Column::Id)
                    .filter(crate::db::key_in(
                        txn.get_database_backend(),
                        agency::Column::Id,
                        chunk.iter().copied(),
                    ))
                    .into_tuple()
                    .all(txn)
                    .await?;
                existing.extend(found);
            }
            Ok(existing)
        }
        "User" => readable_through::<accounts::ById, _>(txn, actor, ids).await,
        "Spokesperson" => readable_through::<spokespersons::ById, _>(txn, actor, ids).await,
        "PressEvent" => readable_through::<events::ById, _>(txn, actor, ids).await,
        "InformationRelease" => readable_through::<releases::ById, _>(txn, actor, ids).await,
        "PressRequest" => readable_through::<requests::ById, _>(txn, actor, ids).await,
        "ReportingObligation" => readable_through::<reporting::ById, _>(txn, actor, ids).await,
        "Report" => readable_through::<reporting::ReportById, _>(txn, actor, ids).await,
        "Incident" => readable_through::<incidents::ById, _>(txn, actor, ids).await,
        "TrainingSession" => readable_through::<trainings::ById, _>(txn, actor, ids).await,
        "Plan" => readable_through::<plans::ById, _>(txn, actor, ids).await,
        "PlanTask" => readable_through::<plans::TaskById, _>(txn, actor, ids).await,
        _ => Ok(HashSet::new()),
    }
}

/// Writes the feed entries of `event`, dispatched at `position`, for every enabled client.
/// The scheduler's reminders are not changes and give none.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    event: &domain_event::Model,
    position: i64,
) -> AppResult<()> {
    if crate::reminder::service::KINDS.contains(&event.kind.as_str()) {
        return Ok(());
    }
    let touched = touched(txn, event).await?;
    if touched.is_empty() {
        return Ok(());
    }
    let clients = service_client::Entity::find()
        .filter(service_client::Column::DisabledAt.is_null())
        .all(txn)
        .await?;
    if clients.is_empty() {
        return Ok(());
    }
    let agencies: HashMap<Uuid, agency::Model> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(clients.iter().map(|c| c.agency_id)))
        .all(txn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let ids: Vec<Uuid> = touched.iter().map(|t| t.id).collect();
    let mut by_type: HashMap<&str, Vec<Uuid>> = HashMap::new();
    for record in &touched {
        by_type
            .entry(record.record_type)
            .or_default()
            .push(record.id);
    }
    let mut entries = Vec::new();
    let mut seen = Vec::new();
    for client in clients {
        let client_id = client.id;
        let agency = agencies.get(&client.agency_id).cloned();
        let actor = client_actor(
            entity::ids::ServiceClientId(client.id),
            client.name,
            &client.scopes,
            agency,
        );
        let mut told: HashMap<Uuid, bool> = HashMap::new();
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let rows = change_seen::Entity::find()
                .filter(change_seen::Column::ClientId.eq(client_id))
                .filter(crate::db::key_in(
                    txn.get_database_backend(),
                    change_seen::Column::RecordId,
                    chunk.iter().copied(),
                ))
                .all(txn)
                .await?;
            told.extend(rows.into_iter().map(|s| (s.record_id, s.readable)));
        }
        // Which of the touched records the client may read now, one type at a time.
        let mut readable_now: HashMap<&str, HashSet<Uuid>> = HashMap::new();
        for (record_type, ids) in &by_type {
            let may_read_type =
                read_operation(record_type).is_some_and(|op| policy::require(&actor, op).is_ok());
            if may_read_type {
                readable_now.insert(record_type, readable(txn, &actor, record_type, ids).await?);
            }
        }
        for record in &touched {
            let in_type = readable_now.get(record.record_type);
            let may_read_type = in_type.is_some();
            let readable = in_type.is_some_and(|ids| ids.contains(&record.id));
            let change = match (readable, told.get(&record.id)) {
                (true, _) => Some(record.change),
                // Already told it is out of reach; or a type the client may not read at all.
                (false, Some(false)) => continue,
                (false, _) if !may_read_type => continue,
                // Created out of its reach: it never could read it.
                (false, None) if record.change == Change::Created => None,
                // Told it was readable, or older than anything told: out of reach now.
                (false, _) => Some(Change::LeftScope),
            };
            if let Some(change) = change {
                entries.push(change_entry::Model {
                    client_id,
                    position,
                    record_id: record.id,
                    event_id: event.id,
                    record_type: record.record_type.to_owned(),
                    change: change.as_str().to_owned(),
                    operation: event.kind.clone(),
                    occurred_at: event.occurred_at,
                });
            }
            seen.push(change_seen::ActiveModel::from(change_seen::Model {
                client_id,
                record_id: record.id,
                readable,
                position,
            }));
        }
    }
    // Bounded batches: PostgreSQL takes at most 65,535 parameters per statement.
    for chunk in entries.chunks(500) {
        change_entry::Entity::insert_many(
            chunk.iter().cloned().map(change_entry::ActiveModel::from),
        )
        .exec_without_returning(txn)
        .await?;
    }
    crate::webhook::service::enqueue(txn, &entries, Utc::now()).await?;
    for chunk in seen.chunks(500) {
        change_seen::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([change_seen::Column::ClientId, change_seen::Column::RecordId])
                    .update_columns([change_seen::Column::Readable, change_seen::Column::Position])
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// A position in a client's feed: after the entry of `record` at event `position`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedCursor {
    /// The event's position.
    #[serde(rename = "p")]
    pub position: i64,
    /// The record of the last entry read at that position (`Uuid::max()`: all of them).
    #[serde(rename = "r")]
    pub record: Uuid,
}

impl FeedCursor {
    /// The start of the feed.
    pub const START: Self = Self {
        position: 0,
        record: Uuid::nil(),
    };

    /// Opaque string form.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a cursor given back by a client.
    pub fn decode(raw: &str) -> AppResult<Self> {
        URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Self>(&bytes).ok())
            .filter(|c| c.position >= 0)
            .ok_or_else(bad_cursor)
    }
}

fn bad_cursor() -> AppError {
    AppError::bad_input(
        "after",
        Msg::new(
            "Con trỏ luồng thay đổi không hợp lệ; hãy dùng endCursor của lần đọc trước",
            "Invalid change-feed cursor; use the endCursor of the previous read",
        ),
    )
}

/// One read of a feed.
pub struct FeedPage {
    /// Entries in commit order.
    pub entries: Vec<change_entry::Model>,
    /// Where the next read starts: past every entry read, and past the events up to the head of
    /// the feed when the page is not full.
    pub end: FeedCursor,
    /// Whether more entries follow now.
    pub has_more: bool,
}

/// The service client behind `actor`, or `FORBIDDEN`: only service clients have a feed.
fn client_of(actor: &Actor) -> AppResult<Uuid> {
    match &actor.principal {
        Principal::Client { id, .. } => Ok(id.0),
        Principal::User { .. } => Err(AppError::Forbidden(Msg::new(
            "Chỉ hệ thống tích hợp (máy khách dịch vụ) mới có luồng thay đổi",
            "Only service clients (integrated systems) have a change feed",
        ))),
    }
}

/// The last position whose entries are no longer kept at `now` (0: all kept).
async fn expired_up_to<C: ConnectionTrait>(
    db: &C,
    retention: Retention,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let cutoff = now - retention.0;
    let last: Option<Option<i64>> = domain_event::Entity::find()
        .select_only()
        .expr(domain_event::Column::Position.max())
        .filter(domain_event::Column::DispatchedAt.lt(cutoff))
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.flatten().unwrap_or(0))
}

/// The position of the last dispatched event (0 when none).
async fn head<C: ConnectionTrait>(db: &C) -> AppResult<i64> {
    let last: Option<Option<i64>> = domain_event::Entity::find()
        .select_only()
        .expr(domain_event::Column::Position.max())
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.flatten().unwrap_or(0))
}

/// Reads up to `first` entries of `actor`'s feed after `after` (the start when `None`), of
/// `types` only when some are given.
pub async fn read(
    db: &DatabaseConnection,
    actor: &Actor,
    after: Option<FeedCursor>,
    types: &[&str],
    first: u64,
    retention: Retention,
) -> AppResult<FeedPage> {
    let client = client_of(actor)?;
    if first == 0 {
        // Where the feed stands now: the cursor a new client keeps before reading the lists.
        return Ok(FeedPage {
            entries: Vec::new(),
            end: FeedCursor {
                position: head(db).await?,
                record: Uuid::max(),
            },
            has_more: false,
        });
    }
    // The head first: entries are written with their event's position in one transaction, and
    // positions commit in order, so every entry up to the head is already there.
    let head = head(db).await?;
    let after = after.unwrap_or(FeedCursor::START);
    if after.position > head {
        return Err(bad_cursor());
    }
    if after.position > 0 && after.position < expired_up_to(db, retention, Utc::now()).await? {
        return Err(AppError::CursorExpired(Msg::new(
            format!(
                "Con trỏ đã quá thời hạn lưu luồng thay đổi ({} ngày); hãy đồng bộ lại từ các danh sách rồi đọc tiếp từ endCursor mới",
                retention.0.num_days()
            ),
            format!(
                "The cursor is older than the change feed keeps ({} days); synchronise again from the lists, then follow from a new endCursor",
                retention.0.num_days()
            ),
        )));
    }
    let mut select = change_entry::Entity::find()
        .filter(change_entry::Column::ClientId.eq(client))
        .filter(change_entry::Column::Position.lte(head))
        .filter(
            Condition::any()
                .add(change_entry::Column::Position.gt(after.position))
                .add(
                    Condition::all()
                        .add(change_entry::Column::Position.eq(after.position))
                        .add(change_entry::Column::RecordId.gt(after.record)),
                ),
        );
    if !types.is_empty() {
        select = select.filter(change_entry::Column::RecordType.is_in(types.iter().copied()));
    }
    let select = select
        .order_by_asc(change_entry::Column::Position)
        .order_by_asc(change_entry::Column::RecordId);
    let mut entries = crate::db::first_rows(db, select, first + 1).await?;
    let has_more = entries.len() as u64 > first;
    entries.truncate(first as usize);
    let end = match entries.last() {
        Some(last) if has_more => FeedCursor {
            position: last.position,
            record: last.record_id,
        },
        // Nothing more for this client up to the head: the next read starts there.
        _ => FeedCursor {
            position: head,
            record: Uuid::max(),
        },
    };
    Ok(FeedPage {
        entries,
        end,
        has_more,
    })
}

/// Deletes the entries no longer kept (what each client was last told of each record stays);
/// the number deleted.
pub async fn prune<C: ConnectionTrait>(db: &C, retention: Retention) -> AppResult<u64> {
    let up_to = expired_up_to(db, retention, Utc::now()).await?;
    if up_to == 0 {
        return Ok(0);
    }
    let deleted = change_entry::Entity::delete_many()
        .filter(change_entry::Column::Position.lte(up_to))
        .exec(db)
        .await?
        .rows_affected;
    Ok(deleted)
}

/// Prunes the feed every `every` for as long as the process runs.
pub fn spawn_pruner(db: DatabaseConnection, retention: Retention, every: std::time::Duration) {
    tokio::spawn(async move {
        loop {
            match prune(&db, retention).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(entries = n, "change feed pruned"),
                Err(err) => tracing::warn!(error = ?err, "pruning the change feed failed"),
            }
            tokio::time::sleep(every).await;
        }
    });
}
