//! Signing in and out: password logins with lockout and address throttling, rotating refresh
//! tokens with reuse detection, password changes, and service-client tokens.

use chrono::{DateTime, Duration, Utc};
use entity::{
    ids::{SessionId, UserId},
    login_throttle, refresh_token, service_client, session, user_account,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use super::{
    actor::{Actor, ActorRole, ClientScope},
    password::{self, NewPassword},
    token::{ClaimsDraft, PrincipalKind, TokenKeys, random_secret, secret_hash},
};
use crate::{
    account::service as accounts,
    audit::service::{Entry, Outcome, Target, Trail, Who},
    config::Settings,
    db,
    error::{AppError, AppResult, Msg},
};

/// Token keys and sign-in limits.
#[derive(Clone)]
pub struct AuthConfig {
    /// Access-token keys.
    pub keys: TokenKeys,
    refresh_ttl: Duration,
    max_failures: i32,
    lockout: Duration,
    max_failures_per_address: i32,
    window: Duration,
    /// The principals this process keeps.
    pub principals: super::cache::Principals,
}

impl AuthConfig {
    /// From the settings and the signing key.
    pub fn new(settings: &Settings, signing_key: &[u8]) -> Self {
        Self {
            keys: TokenKeys::new(signing_key, settings.access_token_ttl_secs),
            refresh_ttl: Duration::seconds(settings.refresh_token_ttl_secs),
            max_failures: settings.login_max_failures.max(1),
            lockout: Duration::seconds(settings.login_lockout_secs),
            max_failures_per_address: settings.login_max_failures_per_address.max(1),
            window: Duration::seconds(settings.login_window_secs),
            principals: super::cache::Principals::new(std::time::Duration::from_secs(
                settings.auth_cache_secs,
            )),
        }
    }
}

/// What a successful sign-in or refresh returns.
pub struct Tokens {
    /// Access JWT.
    pub access_token: String,
    /// Its expiry.
    pub access_expires_at: DateTime<Utc>,
    /// Refresh token (shown once; only its hash is stored).
    pub refresh_token: String,
    /// Its expiry.
    pub refresh_expires_at: DateTime<Utc>,
    /// The account.
    pub user: user_account::Model,
}

fn bad_credentials() -> AppError {
    AppError::SignInFailed(Msg::new(
        "Tên đăng nhập hoặc mật khẩu không đúng",
        "Wrong username or password",
    ))
}

fn session_over() -> AppError {
    AppError::SignInFailed(Msg::new(
        "Phiên đăng nhập đã hết hạn hoặc bị thu hồi; hãy đăng nhập lại",
        "The session expired or was revoked; sign in again",
    ))
}

fn allowed(operation: &'static str, target: Target) -> Entry<'static> {
    Entry {
        operation,
        target,
        changes: None,
        outcome: Outcome::Allowed,
        reason: None,
    }
}

fn account_key(username: &str) -> String {
    format!("account:{username}")
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

/// Refuses with `RATE_LIMITED` while `key` is locked.
async fn ensure_open<C: ConnectionTrait>(db: &C, key: &str) -> AppResult<()> {
    let row = login_throttle::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?;
    let now = Utc::now();
    match row
        .and_then(|r| r.locked_until)
        .filter(|until| *until > now)
    {
        Some(until) => Err(AppError::RateLimited {
            retry_after_secs: (until - now).num_seconds().max(1) as u64,
        }),
        None => Ok(()),
    }
}

/// Counts a failure against `key` (its own transaction, committed although the sign-in fails);
/// `max` failures within `window` lock the key for `lock`.
async fn count_failure(
    db: &DatabaseConnection,
    key: &str,
    max: i32,
    window: Duration,
    lock: Duration,
) -> AppResult<()> {
    let txn = db::begin(db).await?;
    let now = Utc::now();
    login_throttle::Entity::insert(login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        window_started_at: Set(now),
        locked_until: Set(None),
    })
    .on_conflict(
        OnConflict::column(login_throttle::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&*txn)
    .await?;
    let mut query = login_throttle::Entity::find_by_id(key.to_owned());
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        // Concurrent failures must not overwrite each other's counts.
        query = query.lock_exclusive();
    }
    let Some(row) = query.one(&*txn).await? else {
        return Ok(());
    };
    let (mut failures, mut started) = (row.failures + 1, row.window_started_at);
    if started + window <= now {
        (failures, started) = (1, now);
    }
    let mut locked_until = row.locked_until;
    if failures >= max {
        locked_until = Some(now + lock);
        (failures, started) = (0, now);
    }
    login_throttle::Entity::update(login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(failures),
        window_started_at: Set(started),
        locked_until: Set(locked_until),
    })
    .exec(&*txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn clear_failures<C: ConnectionTrait>(db: &C, key: &str) -> AppResult<()> {
    login_throttle::Entity::delete_by_id(key.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

/// Starts a session and returns its tokens.
async fn open_session<C: ConnectionTrait>(
    db: &C,
    cfg: &AuthConfig,
    user: user_account::Model,
) -> AppResult<Tokens> {
    let now = Utc::now();
    let session = SessionId::new();
    session::Entity::insert(session::ActiveModel {
        id: Set(session.0),
        user_id: Set(user.id),
        created_at: Set(now),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    next_tokens(db, cfg, user, session).await
}

/// Issues a refresh token in `session` and an access token naming it.
async fn next_tokens<C: ConnectionTrait>(
    db: &C,
    cfg: &AuthConfig,
    user: user_account::Model,
    session: SessionId,
) -> AppResult<Tokens> {
    let now = Utc::now();
    let refresh = random_secret();
    let refresh_expires_at = now + cfg.refresh_ttl;
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session.0),
        token_hash: Set(secret_hash(&refresh)),
        created_at: Set(now),
        expires_at: Set(refresh_expires_at),
        used_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    let (access_token, access_expires_at) = cfg.keys.issue(ClaimsDraft {
        sub: user.id,
        kind: PrincipalKind::User,
        role: ActorRole::from(user.role).as_str().to_owned(),
        agency: user.agency_id,
        sid: Some(session.0),
        sv: None,
    })?;
    Ok(Tokens {
        access_token,
        access_expires_at,
        refresh_token: refresh,
        refresh_expires_at,
        user,
    })
}

/// Signs a person in. Unknown account and wrong password get the same answer after the same
/// work; failures count against the account name and the caller's address.
#[tracing::instrument(skip_all)]
pub async fn login(
    db: &DatabaseConnection,
    cfg: &AuthConfig,
    trail: &Trail,
    address: &str,
    username: &str,
    password: &str,
) -> AppResult<Tokens> {
    let username = username.trim().to_lowercase();
    let (account_key, address_key) = (account_key(&username), address_key(address));
    ensure_open(db, &address_key).await?;
    ensure_open(db, &account_key).await?;
    let user = user_account::Entity::find()
        .filter(user_account::Column::Username.eq(username.as_str()))
        .one(db)
        .await?;
    let matches =
        password::verify(password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    let denied = |reason: &str| Entry {
        operation: "auth.login",
        target: Target::new("User", &username),
        changes: None,
        outcome: Outcome::Denied,
        reason: Some(reason.to_owned()),
    };
    let user = match user {
        Some(user) if matches => user,
        _ => {
            count_failure(db, &account_key, cfg.max_failures, cfg.window, cfg.lockout).await?;
            count_failure(
                db,
                &address_key,
                cfg.max_failures_per_address,
                cfg.window,
                cfg.window,
            )
            .await?;
            trail.record(db, denied("wrong credentials")).await?;
            return Err(bad_credentials());
        }
    };
    if user.disabled_at.is_some() {
        trail
            .record_as(db, Who::user(&user), denied("account disabled"))
            .await?;
        return Err(AppError::SignInFailed(Msg::new(
            "Tài khoản đã bị khóa; hãy liên hệ quản trị viên",
            "The account is disabled; contact an administrator",
        )));
    }
    let txn = db::begin(db).await?;
    clear_failures(&*txn, &account_key).await?;
    user_account::Entity::update_many()
        .col_expr(user_account::Column::LastLoginAt, Expr::value(Utc::now()))
        .filter(user_account::Column::Id.eq(user.id))
        .exec(&*txn)
        .await?;
    let who = Who::user(&user);
    let tokens = open_session(&*txn, cfg, user).await?;
    trail
        .record_as(
            &*txn,
            who,
            allowed("auth.login", Target::new("User", tokens.user.id)),
        )
        .await?;
    txn.commit().await?;
    Ok(tokens)
}

/// Exchanges a refresh token for new tokens. The presented token is spent; presenting a spent
/// token again (a stolen copy, or the legitimate one after the thief used it) revokes the whole
/// session, so both parties must sign in again.
#[tracing::instrument(skip_all)]
pub async fn refresh(
    db: &DatabaseConnection,
    cfg: &AuthConfig,
    trail: &Trail,
    presented: &str,
) -> AppResult<Tokens> {
    let txn = db::begin(db).await?;
    let Some(token) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secret_hash(presented.trim())))
        .one(&*txn)
        .await?
    else {
        return Err(session_over());
    };
    let now = Utc::now();
    let session = session::Entity::find_by_id(token.session_id)
        .one(&*txn)
        .await?;
    let user = match &session {
        Some(s) => {
            user_account::Entity::find_by_id(s.user_id)
                .one(&*txn)
                .await?
        }
        None => None,
    };
    let (Some(session), Some(user)) = (session, user) else {
        return Err(session_over());
    };
    // Spend the token; zero rows means it was spent before (possibly a moment ago, concurrently).
    let spent = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(token.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&*txn)
        .await?
        .rows_affected;
    if spent == 0 {
        accounts::revoke_session(&*txn, SessionId(session.id), "REUSE_DETECTED").await?;
        let entry = Entry {
            reason: Some("refresh token reused: session revoked".into()),
            outcome: Outcome::Denied,
            ..allowed("auth.refresh", Target::new("User", user.id))
        };
        trail.record_as(&*txn, Who::user(&user), entry).await?;
        txn.commit().await?;
        return Err(session_over());
    }
    if token.expires_at <= now || session.revoked_at.is_some() || user.disabled_at.is_some() {
        return Err(session_over());
    }
    let who = Who::user(&user);
    let tokens = next_tokens(&*txn, cfg, user, SessionId(session.id)).await?;
    trail
        .record_as(
            &*txn,
            who,
            allowed("auth.refresh", Target::new("User", tokens.user.id)),
        )
        .await?;
    txn.commit().await?;
    Ok(tokens)
}

/// Ends the caller's session.
pub async fn logout(db: &DatabaseConnection, trail: &Trail, actor: &Actor) -> AppResult<()> {
    let (user, session) = actor.user()?;
    let txn = db::begin(db).await?;
    accounts::revoke_session(&*txn, session, "LOGOUT").await?;
    trail
        .allowed(&*txn, "auth.logout", Target::new("User", user), None)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Changes the caller's own password after checking the current one; every session of the
/// account ends, this one included.
pub async fn change_password(
    db: &DatabaseConnection,
    trail: &Trail,
    actor: &Actor,
    current: &str,
    new: &str,
) -> AppResult<()> {
    let (user, _) = actor.user()?;
    let account = accounts::own(db, user).await?;
    if !password::verify(current, Some(&account.password_hash)).await? {
        return Err(AppError::bad_input(
            "currentPassword",
            Msg::new(
                "Mật khẩu hiện tại không đúng",
                "The current password is wrong",
            ),
        ));
    }
    if current == new {
        return Err(AppError::bad_input(
            "newPassword",
            Msg::new(
                "Mật khẩu mới phải khác mật khẩu cũ",
                "The new password must differ from the current one",
            ),
        ));
    }
    let password = NewPassword::parse("newPassword", new, &account.username)?;
    let txn = db::begin(db).await?;
    accounts::set_password(&*txn, &account, password, "PASSWORD_CHANGED").await?;
    trail
        .allowed(
            &*txn,
            "auth.changePassword",
            Target::new("User", UserId(account.id)),
            None,
        )
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Exchanges a service client's id and secret for an access token (role `INTEGRATION`).
pub async fn client_token(
    db: &DatabaseConnection,
    cfg: &AuthConfig,
    trail: &Trail,
    address: &str,
    client_id: &str,
    secret: &str,
) -> AppResult<(String, DateTime<Utc>, Vec<ClientScope>)> {
    let address_key = address_key(address);
    ensure_open(db, &address_key).await?;
    let client = match Uuid::try_parse(client_id.trim()) {
        Ok(id) => service_client::Entity::find_by_id(id).one(db).await?,
        Err(_) => None,
    };
    let client = match client {
        Some(c) if c.secret_hash == secret_hash(secret.trim()) && c.disabled_at.is_none() => c,
        _ => {
            count_failure(
                db,
                &address_key,
                cfg.max_failures_per_address,
                cfg.window,
                cfg.window,
            )
            .await?;
            let entry = Entry {
                reason: Some("wrong or disabled client credentials".into()),
                outcome: Outcome::Denied,
                ..allowed(
                    "auth.clientToken",
                    Target::new("ServiceClient", client_id.trim()),
                )
            };
            trail.record(db, entry).await?;
            return Err(AppError::SignInFailed(Msg::new(
                "Mã ứng dụng hoặc khóa bí mật không đúng, hoặc ứng dụng đã bị khóa",
                "Wrong client id or secret, or the client is disabled",
            )));
        }
    };
    let (token, expires) = cfg.keys.issue(ClaimsDraft {
        sub: client.id,
        kind: PrincipalKind::Client,
        role: ActorRole::Integration.as_str().to_owned(),
        agency: Some(client.agency_id),
        sid: None,
        sv: Some(client.secret_version),
    })?;
    let entry = allowed("auth.clientToken", Target::new("ServiceClient", client.id));
    trail.record_as(db, Who::client(&client), entry).await?;
    Ok((token, expires, ClientScope::decode(&client.scopes)))
}
