//! The one error type of the API and its stable codes.
//!
//! Every failure a client can see is an [`AppError`]. Resolvers return `Result<T, AppError>`
//! directly: `AppError` deliberately does not implement `Display`, so async-graphql's blanket
//! `From<T: Display>` cannot swallow it, and the only way into a GraphQL error is
//! [`From<AppError> for async_graphql::Error`], which always sets `extensions.code`.
//!
//! Messages exist in Vietnamese (the default) and English; the request's `Accept-Language` picks
//! one when the response is finished (see `graphql::extension`). The catalogue is `docs/errors.md`.

use std::{borrow::Cow, fmt, sync::Arc};

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, SqlErr};

/// A message in both languages of the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    /// Vietnamese text (default).
    pub vi: Cow<'static, str>,
    /// English text (`Accept-Language: en`).
    pub en: Cow<'static, str>,
}

impl Msg {
    /// A message from its Vietnamese and English texts.
    pub fn new(vi: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Self {
        Self {
            vi: vi.into(),
            en: en.into(),
        }
    }
}

/// Stable error codes: the contract with clients, documented in `docs/errors.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// No valid credentials where they are required.
    Unauthenticated,
    /// The record is visible but the caller may not do this to it.
    Forbidden,
    /// No such record within the caller's scope.
    NotFound,
    /// An input value is invalid; `extensions.field` names it.
    BadUserInput,
    /// The change collides with existing data or a concurrent change.
    Conflict,
    /// Too many requests; `extensions.retryAfter` says after how many seconds to retry.
    RateLimited,
    /// The GraphQL document could not be parsed.
    GraphqlParseFailed,
    /// The GraphQL document does not fit the schema.
    GraphqlValidationFailed,
    /// The query is nested too deep or costs too much.
    QueryTooComplex,
    /// The HTTP request itself is malformed (broken JSON, wrong content type).
    BadRequest,
    /// Something failed on the server; details are only in the log, under the request id.
    InternalServerError,
    /// The database cannot be reached for now; retry later.
    ServiceUnavailable,
    /// A change-feed cursor older than the feed keeps: synchronise again from the lists.
    CursorExpired,
    /// A persisted-query hash the server does not know: send the query with its hash.
    PersistedQueryNotFound,
    /// A document that is not among the trusted documents (trusted mode).
    UntrustedDocument,
}

impl ErrorCode {
    /// Every code, in catalogue order.
    pub const ALL: [ErrorCode; 15] = [
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::BadUserInput,
        ErrorCode::Conflict,
        ErrorCode::RateLimited,
        ErrorCode::GraphqlParseFailed,
        ErrorCode::GraphqlValidationFailed,
        ErrorCode::QueryTooComplex,
        ErrorCode::BadRequest,
        ErrorCode::InternalServerError,
        ErrorCode::ServiceUnavailable,
        ErrorCode::CursorExpired,
        ErrorCode::PersistedQueryNotFound,
        ErrorCode::UntrustedDocument,
    ];

    /// The code as it appears in `extensions.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            ErrorCode::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            ErrorCode::QueryTooComplex => "QUERY_TOO_COMPLEX",
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::InternalServerError => "INTERNAL_SERVER_ERROR",
            ErrorCode::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            ErrorCode::CursorExpired => "CURSOR_EXPIRED",
            ErrorCode::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            ErrorCode::UntrustedDocument => "UNTRUSTED_DOCUMENT",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong in a request, as the client will see it.
///
/// No `Display` on purpose (see the module docs).
#[derive(Clone, Debug)]
pub enum AppError {
    /// `UNAUTHENTICATED`: "sign in first"; no detail about why a token was refused.
    Unauthenticated,
    /// `UNAUTHENTICATED` from a sign-in attempt: wrong credentials (one message for an unknown
    /// account and a wrong password), a disabled account, a spent or expired refresh token.
    SignInFailed(Msg),
    /// `FORBIDDEN`: the record is visible to the caller, the action is not allowed.
    Forbidden(Msg),
    /// `NOT_FOUND`: no such record in the caller's scope (records outside scope look absent).
    NotFound(Msg),
    /// `BAD_USER_INPUT` with `extensions.field`: the named input is invalid; nothing was written.
    BadInput {
        /// Input path of the offending value, e.g. `input.adminCode`.
        field: Cow<'static, str>,
        /// What is wrong and how to fix it.
        msg: Msg,
    },
    /// `CONFLICT` (with `extensions.field` when one field is to blame): the change collides with
    /// existing data or with a concurrent change; nothing was written.
    Conflict {
        /// The field whose value collides, if one.
        field: Option<Cow<'static, str>>,
        /// What collides.
        msg: Msg,
    },
    /// `RATE_LIMITED` with `extensions.retryAfter` (seconds).
    RateLimited {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// `INTERNAL_SERVER_ERROR`: a generic message for the client; the cause goes to the log once,
    /// under the request id.
    Internal(Arc<anyhow::Error>),
    /// `CURSOR_EXPIRED`: a change-feed cursor from before what the feed keeps; the client must
    /// synchronise again from the lists.
    CursorExpired(Msg),
    /// `SERVICE_UNAVAILABLE`: the database is out of reach (down, restarting, pool exhausted);
    /// the cause goes to the log once. Nothing was written; the client may retry.
    Unavailable(Arc<anyhow::Error>),
}

impl AppError {
    /// `BAD_USER_INPUT` for `field`.
    pub fn bad_input(field: impl Into<Cow<'static, str>>, msg: Msg) -> Self {
        AppError::BadInput {
            field: field.into(),
            msg,
        }
    }

    /// `CONFLICT` blamed on `field`.
    pub fn conflict(field: impl Into<Cow<'static, str>>, msg: Msg) -> Self {
        AppError::Conflict {
            field: Some(field.into()),
            msg,
        }
    }

    /// `INTERNAL_SERVER_ERROR` from any error.
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(Arc::new(err.into()))
    }

    /// The same error with its field path put under `prefix` (`name` → `input.name`).
    pub fn under(self, prefix: &str) -> Self {
        match self {
            AppError::BadInput { field, msg } => AppError::BadInput {
                field: format!("{prefix}.{field}").into(),
                msg,
            },
            AppError::Conflict {
                field: Some(field),
                msg,
            } => AppError::Conflict {
                field: Some(format!("{prefix}.{field}").into()),
                msg,
            },
            other => other,
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Unauthenticated | AppError::SignInFailed(_) => ErrorCode::Unauthenticated,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::BadInput { .. } => ErrorCode::BadUserInput,
            AppError::Conflict { .. } => ErrorCode::Conflict,
            AppError::RateLimited { .. } => ErrorCode::RateLimited,
            AppError::Internal(_) => ErrorCode::InternalServerError,
            AppError::Unavailable(_) => ErrorCode::ServiceUnavailable,
            AppError::CursorExpired(_) => ErrorCode::CursorExpired,
        }
    }

    /// The client-facing message.
    pub fn message(&self) -> Msg {
        match self {
            AppError::Unauthenticated => Msg::new(
                "Cần đăng nhập để thực hiện thao tác này",
                "Authentication is required",
            ),
            AppError::Forbidden(msg)
            | AppError::NotFound(msg)
            | AppError::SignInFailed(msg)
            | AppError::CursorExpired(msg) => msg.clone(),
            AppError::BadInput { msg, .. } | AppError::Conflict { msg, .. } => msg.clone(),
            AppError::RateLimited { retry_after_secs } => Msg::new(
                format!("Quá nhiều yêu cầu; thử lại sau {retry_after_secs} giây"),
                format!("Too many requests; retry in {retry_after_secs} seconds"),
            ),
            AppError::Internal(_) => Msg::new(
                "Lỗi máy chủ; vui lòng thử lại hoặc báo quản trị viên kèm mã yêu cầu",
                "Server error; please retry or report it with the request id",
            ),
            AppError::Unavailable(_) => Msg::new(
                "Tạm thời không truy cập được cơ sở dữ liệu; vui lòng thử lại sau ít phút",
                "The database is unavailable for now; please retry in a moment",
            ),
        }
    }
}

/// Extension key that carries the English message until the response is finished.
pub(crate) const MESSAGE_EN_KEY: &str = "messageEn";

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        match &err {
            // Logged once, here, inside the request span (which carries the request id).
            AppError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            AppError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
            }
            _ => {}
        }
        let msg = err.message();
        async_graphql::Error::new(msg.vi).extend_with(|_, ext| {
            ext.set("code", err.code().as_str());
            ext.set(MESSAGE_EN_KEY, msg.en.as_ref());
            match &err {
                AppError::BadInput { field, .. }
                | AppError::Conflict {
                    field: Some(field), ..
                } => ext.set("field", field.as_ref()),
                AppError::RateLimited { retry_after_secs } => {
                    ext.set("retryAfter", *retry_after_secs)
                }
                _ => {}
            }
        })
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            AppError::Unavailable(Arc::new(err.into()))
        } else {
            AppError::internal(err)
        }
    }
}

/// Whether `err` says the database is out of reach rather than that a statement is wrong: no
/// connection could be had, the connection broke, or the server is shutting down.
fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx::Error as SqlxError};
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(cause)) | DbErr::Query(RuntimeErr::SqlxError(cause)) => {
            match cause.as_ref() {
                SqlxError::Io(_)
                | SqlxError::PoolTimedOut
                | SqlxError::PoolClosed
                | SqlxError::WorkerCrashed => true,
                // PostgreSQL class 57 (operator intervention: shutdown, restart) and 08
                // (connection exception).
                SqlxError::Database(db) => db
                    .code()
                    .is_some_and(|code| code.starts_with("57P") || code.starts_with("08")),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Turns a unique-constraint violation into `CONFLICT` on the field whose column appears in the
/// database's message; any other database error stays internal. `columns` pairs a column name
/// with the input field to blame.
///
/// Services check uniqueness before writing to give the best message; this catches the race
/// where two requests pass that check at once.
pub fn unique_violation(err: DbErr, columns: &[(&str, &'static str)]) -> AppError {
    if let Some(SqlErr::UniqueConstraintViolation(detail)) = err.sql_err() {
        let field = columns
            .iter()
            .find(|(column, _)| detail.contains(column))
            .map(|(_, field)| Cow::Borrowed(*field));
        return AppError::Conflict {
            field,
            msg: Msg::new(
                "Giá trị đã được dùng cho một bản ghi khác",
                "The value is already used by another record",
            ),
        };
    }
    AppError::from(err)
}

/// Result of a service or resolver.
pub type AppResult<T> = Result<T, AppError>;
