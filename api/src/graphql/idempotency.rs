//! Safe retries: a mutation request may carry an `Idempotency-Key` header. The same caller
//! sending the same key with the same request (query, operation name and variables) within
//! [`RETENTION`] gets the first answer again, marked `Idempotent-Replayed: true`, and nothing is
//! written twice; the same key with a different request is `CONFLICT`. Keys are per caller.
//!
//! The key is claimed inside the mutation's own transaction ([`claim`], called by the mutation
//! runner), so a key exists exactly when its change committed: two requests racing with one key
//! write once (the second's claim collides and rolls back its change), and a failed mutation
//! leaves the key free for the corrected retry. The answer is stored right after the response
//! is built ([`finish`]).

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use chrono::{Duration, Utc};
use entity::idempotency_key::{ActiveModel, Column, Entity as IdempotencyKey};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{AppError, AppResult, Msg};

/// The request header.
pub const HEADER: &str = "idempotency-key";

/// The response header of a replayed answer.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// How long a key is remembered.
pub const RETENTION: Duration = Duration::hours(24);

/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// A keyed mutation request: its caller, key and fingerprint, in the request's data.
#[derive(Clone, Debug)]
pub struct Keyed {
    principal: String,
    key: String,
    hash: String,
    /// Set when a mutation claimed the key in its transaction.
    claimed: Arc<AtomicBool>,
}

impl Keyed {
    /// The key's row: what the mutation did (its audit name and record), if known, and its
    /// answer, if known.
    fn row(
        &self,
        did: Option<(&str, &str, Uuid)>,
        response: Option<String>,
        at: chrono::DateTime<Utc>,
    ) -> ActiveModel {
        ActiveModel {
            principal: Set(self.principal.clone()),
            key: Set(self.key.clone()),
            request_hash: Set(self.hash.clone()),
            mutation: Set(did.map(|(name, _, _)| name.to_owned())),
            record_type: Set(did.map(|(_, kind, _)| kind.to_owned())),
            record_id: Set(did.map(|(_, _, id)| id)),
            response: Set(response),
            created_at: Set(at),
        }
    }
}

/// What was asked of a request's key.
pub enum Requested {
    /// No key, or a key on an operation that changes nothing (ignored).
    No,
    /// A keyed mutation.
    Keyed(Keyed),
}

/// The shape of the operation a request runs, as far as keys care.
pub struct Operation {
    /// A mutation.
    pub mutation: bool,
    /// Fields selected at its top level.
    pub fields: usize,
}

fn bad(vi: &'static str, en: &'static str) -> AppError {
    AppError::BadInput {
        field: HEADER.into(),
        msg: Msg::new(vi, en),
    }
}

/// Reads a request's key. `header` is the header's value (`None` when absent, `Some(None)`
/// when not text), `principal` the caller (`None` when anonymous), `operation` what it runs
/// (`None` when the document does not parse: execution reports that).
pub fn requested(
    header: Option<Option<&str>>,
    principal: Option<&str>,
    operation: Option<Operation>,
    request: &async_graphql::Request,
) -> AppResult<Requested> {
    let Some(key) = header else {
        return Ok(Requested::No);
    };
    let key = key.unwrap_or_default();
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad(
            "Idempotency-Key phải gồm 1 đến 255 ký tự ASCII nhìn thấy được (ví dụ một UUID)",
            "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID, say)",
        ));
    }
    let Some(operation) = operation.filter(|o| o.mutation) else {
        return Ok(Requested::No);
    };
    let Some(principal) = principal else {
        return Err(bad(
            "Idempotency-Key chỉ dùng khi đã đăng nhập: khóa thuộc về người gọi",
            "Idempotency-Key needs a signed-in caller: keys belong to the caller",
        ));
    };
    if operation.fields != 1 {
        return Err(bad(
            "Yêu cầu có Idempotency-Key chỉ được chứa một mutation",
            "A request with an Idempotency-Key must hold exactly one mutation",
        ));
    }
    Ok(Requested::Keyed(Keyed {
        principal: principal.to_owned(),
        key: key.to_owned(),
        hash: fingerprint(request),
        claimed: Arc::default(),
    }))
}

/// Hex SHA-256 of the query, the operation name and the variables (objects with sorted keys,
/// so that a client re-serialising the same variables sends the same request).
fn fingerprint(request: &async_graphql::Request) -> String {
    fn canonical(value: serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                serde_json::Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k, canonical(v)))
                        .collect(),
                )
            }
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.into_iter().map(canonical).collect())
            }
            other => other,
        }
    }
    let variables = serde_json::to_value(&request.variables)
        .map(canonical)
        .unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(request.query.as_bytes());
    hasher.update([0]);
    hasher.update(request.operation_name.as_deref().unwrap_or_default());
    hasher.update([0]);
    hasher.update(variables.to_string());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What an earlier use of the key says about this request.
pub enum Seen {
    /// Not used within the retention: run the request.
    New,
    /// Used with the same request: its answer.
    Replay(String),
}

/// Looks the key up before the request runs.
pub async fn look_up(db: &DatabaseConnection, keyed: &Keyed) -> AppResult<Seen> {
    let earlier = IdempotencyKey::find_by_id((keyed.principal.clone(), keyed.key.clone()))
        .filter(Column::CreatedAt.gte(Utc::now() - RETENTION))
        .one(db)
        .await?;
    let Some(earlier) = earlier else {
        return Ok(Seen::New);
    };
    if earlier.request_hash != keyed.hash {
        return Err(AppError::Conflict {
            field: Some(HEADER.into()),
            msg: Msg::new(
                "Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khóa mới cho thay đổi mới",
                "This Idempotency-Key was used for a different request; use a new key for a new change",
            ),
        });
    }
    match earlier.response {
        Some(response) => Ok(Seen::Replay(response)),
        None => Err(AppError::Conflict {
            field: Some(HEADER.into()),
            msg: Msg::new(
                "Yêu cầu đầu tiên với Idempotency-Key này đang chạy hoặc đã thực hiện mà chưa kịp trả lời; hãy đọc lại bản ghi thay vì gửi lại",
                "The first request with this Idempotency-Key is still running, or made its change without its answer being kept; read the record rather than retry",
            ),
        }),
    }
}

/// Claims the request's key (if keyed) inside the transaction of the mutation that changed
/// `record_type` `record_id`: collides (`CONFLICT`, rolling the change back) when a racing
/// request with the same key committed first. Expired keys are purged on the way.
pub async fn claim<C: ConnectionTrait>(
    txn: &C,
    keyed: Option<&Keyed>,
    mutation: &str,
    record_type: &str,
    record_id: Uuid,
) -> AppResult<()> {
    let Some(keyed) = keyed else {
        return Ok(());
    };
    let now = Utc::now();
    IdempotencyKey::delete_many()
        .filter(Column::CreatedAt.lt(now - RETENTION))
        .exec(txn)
        .await?;
    IdempotencyKey::insert(keyed.row(Some((mutation, record_type, record_id)), None, now))
        .exec_without_returning(txn)
        .await
        .map_err(|err| match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict {
                field: Some(HEADER.into()),
                msg: Msg::new(
                    "Một yêu cầu khác với cùng Idempotency-Key vừa thực hiện thay đổi này",
                    "Another request with the same Idempotency-Key has just made this change",
                ),
            },
            _ => AppError::from(err),
        })?;
    keyed.claimed.store(true, Ordering::Release);
    Ok(())
}

/// Keeps the answer of a keyed request that ran: for a mutation that claimed its key, always
/// (the change committed); for one that did not go through the mutation runner (sign-out, a
/// password change, marking notices read), when it succeeded. A failed mutation keeps nothing:
/// it wrote nothing, and the corrected retry may use the key.
pub async fn finish(
    db: &DatabaseConnection,
    keyed: &Keyed,
    response: &async_graphql::Response,
) -> AppResult<()> {
    let body = serde_json::to_string(response).map_err(AppError::internal)?;
    if keyed.claimed.load(Ordering::Acquire) {
        IdempotencyKey::update_many()
            .col_expr(Column::Response, sea_orm::sea_query::Expr::value(body))
            .filter(Column::Principal.eq(&keyed.principal))
            .filter(Column::Key.eq(&keyed.key))
            .exec(db)
            .await?;
    } else if response.errors.is_empty() {
        IdempotencyKey::delete_many()
            .filter(Column::Principal.eq(&keyed.principal))
            .filter(Column::Key.eq(&keyed.key))
            .filter(Column::CreatedAt.lt(Utc::now() - RETENTION))
            .exec(db)
            .await?;
        IdempotencyKey::insert(keyed.row(None, Some(body), Utc::now()))
            .on_conflict_do_nothing()
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
