//! Typed settings: environment variables (`TTDN_*`) over an optional TOML file over defaults.
//!
//! The defaults make `ttdn serve --demo` work on a fresh machine with nothing set: an SQLite file
//! in the working directory and a loopback address.

use std::path::PathBuf;

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

/// Every setting of the service.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `TTDN_DATABASE_URL`: `sqlite://…` (default, file created on first run) or `postgres://…`.
    pub database_url: String,
    /// `TTDN_DATABASE_MAX_CONNECTIONS`: size of the connection pool.
    pub database_max_connections: u32,
    /// `TTDN_DATABASE_ACQUIRE_TIMEOUT_SECS`: how long a request waits for a database connection
    /// before it fails with `SERVICE_UNAVAILABLE` (the database is down or the pool exhausted).
    pub database_acquire_timeout_secs: u64,
    /// `TTDN_BIND`: address and port to listen on; port 0 picks a free one.
    pub bind: String,
    /// `TTDN_MIGRATE_ON_START`: whether `serve` applies pending migrations first.
    pub migrate_on_start: bool,
    /// `TTDN_MAX_BODY_BYTES`: largest accepted request body.
    pub max_body_bytes: usize,
    /// `TTDN_MAX_QUERY_DEPTH`: deepest accepted selection nesting.
    pub max_query_depth: usize,
    /// `TTDN_MAX_QUERY_COMPLEXITY`: highest accepted query cost (a connection costs `first ×` its
    /// selection).
    pub max_query_complexity: usize,
    /// `TTDN_LOG_FORMAT`: `pretty` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// `TTDN_LOG`: a `tracing` filter such as `info` or `ttdn_api=debug,info`.
    pub log: String,
    /// `TTDN_SHUTDOWN_TIMEOUT_SECS`: how long in-flight requests may finish on shutdown.
    pub shutdown_timeout_secs: u64,
    /// `TTDN_WORKERS`: HTTP worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// `TTDN_MODE`: `production` (default) or `dev`. Outside dev mode the server refuses to start
    /// without a strong `TTDN_JWT_SECRET`.
    pub mode: Mode,
    /// `TTDN_JWT_SECRET`: the key that signs access tokens, at least 32 bytes. In dev mode a
    /// random one is made at start when unset (tokens then die with the process).
    pub jwt_secret: Secret,
    /// `TTDN_ACCESS_TOKEN_TTL_SECS`: lifetime of access tokens.
    pub access_token_ttl_secs: i64,
    /// `TTDN_REFRESH_TOKEN_TTL_SECS`: lifetime of refresh tokens.
    pub refresh_token_ttl_secs: i64,
    /// `TTDN_LOGIN_MAX_FAILURES`: failed sign-ins to one account name before it locks.
    pub login_max_failures: i32,
    /// `TTDN_LOGIN_LOCKOUT_SECS`: how long a locked account name stays locked.
    pub login_lockout_secs: i64,
    /// `TTDN_LOGIN_MAX_FAILURES_PER_ADDRESS`: failed sign-ins from one address (any account)
    /// before that address is throttled.
    pub login_max_failures_per_address: i32,
    /// `TTDN_LOGIN_WINDOW_SECS`: the window failures are counted in, and how long a throttled
    /// address waits.
    pub login_window_secs: i64,
    /// `TTDN_METRICS_TOKEN`: when set, `GET /metrics` requires `Authorization: Bearer <token>`;
    /// when unset it is open (restrict it at the reverse proxy).
    pub metrics_token: Secret,
    /// `TTDN_BUDGET_ADMIN`: query-cost points an administrator may spend a minute (0: no limit).
    pub budget_admin: u32,
    /// `TTDN_BUDGET_PROVINCIAL_DEPARTMENT`: points a minute for a department account.
    pub budget_provincial_department: u32,
    /// `TTDN_BUDGET_DISTRICT`: points a minute for a district account.
    pub budget_district: u32,
    /// `TTDN_BUDGET_COMMUNE`: points a minute for a commune account.
    pub budget_commune: u32,
    /// `TTDN_BUDGET_PRESS`: points a minute for a press account.
    pub budget_press: u32,
    /// `TTDN_BUDGET_INTEGRATION`: points a minute for a service client.
    pub budget_integration: u32,
    /// `TTDN_CORS_ALLOWED_ORIGINS`: browser origins allowed to call the API from another site,
    /// comma-separated (`https://ttdn.thanhhoa.gov.vn,https://app.example.vn`); none by default.
    pub cors_allowed_origins: String,
    /// `TTDN_TRUSTED_PROXIES`: addresses of the reverse proxies in front of the server,
    /// comma-separated; only from them is `X-Forwarded-For` believed (for the sign-in throttle
    /// and the access log). None by default: the peer address is the client's.
    pub trusted_proxies: String,
    /// `TTDN_OTLP_ENDPOINT`: an OpenTelemetry collector's OTLP/HTTP traces URL
    /// (`http://127.0.0.1:4318/v1/traces`); unset: no trace export.
    pub otlp_endpoint: String,
    /// `TTDN_WS_CONNECTIONS_PER_ACCOUNT`: live (WebSocket) connections an account or service
    /// client may hold open on one process.
    pub ws_connections_per_account: usize,
    /// `TTDN_WS_SUBSCRIPTIONS_PER_CONNECTION`: subscriptions at once on one connection.
    pub ws_subscriptions_per_connection: usize,
    /// `TTDN_WS_INIT_TIMEOUT_SECS`: time a client has to send `connection_init`.
    pub ws_init_timeout_secs: u64,
    /// `TTDN_WS_RECHECK_SECS`: how often a live connection's session is checked again (a revoked
    /// session or a disabled account is closed within this time).
    pub ws_recheck_secs: u64,
    /// `TTDN_AUTH_CACHE_SECS`: how long a process keeps the principal of a token it verified,
    /// and where an agency listed `within` stands in the tree, at most (changes that refuse or
    /// narrow a principal, and any change to an agency, empty every process's cache at once;
    /// this bounds a lost notification); 0: authenticate from the database on every request.
    pub auth_cache_secs: u64,
    /// `TTDN_TRUSTED_DOCUMENTS`: comma-separated manifests (JSON: SHA-256 → document, one per
    /// client application); when set, only those documents run (trusted documents).
    pub trusted_documents: String,
    /// `TTDN_REMINDER_INTERVAL_SECS`: how often the scheduler looks for reminders to give (0:
    /// never, in this process).
    pub reminder_interval_secs: u64,
    /// `TTDN_REMINDER_REPORT_DAYS`: days before a report's due date on which its agency is
    /// reminded, comma-separated.
    pub reminder_report_days: String,
    /// `TTDN_SMTP_URL`: the SMTP relay notices are mailed through (`smtp://host:25`,
    /// `smtp://user:pass@host:587?tls=required`, `smtps://host:465`); unset: no mail.
    pub smtp_url: String,
    /// `TTDN_MAIL_FROM`: the sender of notice mail.
    pub mail_from: String,
    /// `TTDN_MAIL_RECORD_URL`: the link to a record in mail, with `{type}` and `{id}`
    /// (`https://ttdn.thanhhoa.gov.vn/records/{type}/{id}`); unset: no link.
    pub mail_record_url: String,
    /// `TTDN_MAIL_RETRY_SECS`: the first wait before a refused message is tried again (doubled
    /// each time, at most an hour).
    pub mail_retry_secs: u64,
    /// `TTDN_CHANGE_RETENTION_DAYS`: how long the change feed of service clients keeps its
    /// entries (a cursor older than that is `CURSOR_EXPIRED`).
    pub change_retention_days: u64,
    /// `TTDN_WEBHOOK_ALLOWED_HOSTS`: the hosts (names), addresses and networks (`10.20.0.0/16`)
    /// webhooks may be sent to, comma-separated; none by default, so no webhook can be
    /// registered until an operator names the e-government systems' hosts.
    pub webhook_allowed_hosts: String,
    /// `TTDN_WEBHOOK_INTERVAL_SECS`: how often this process sends due webhook deliveries (0:
    /// never, in this process).
    pub webhook_interval_secs: u64,
    /// `TTDN_WEBHOOK_RETRY_SECS`: the first wait before a failed delivery is tried again
    /// (doubled each time, at most an hour; for 24 hours).
    pub webhook_retry_secs: u64,
    /// `TTDN_WEBHOOK_DISABLE_AFTER`: failed attempts in a row after which an endpoint is
    /// disabled (and the agency that registered it told).
    pub webhook_disable_after: u64,
    /// `TTDN_BLOB_DIR`: the directory uploaded files are kept in when no S3 bucket is set
    /// (created when missing).
    pub blob_dir: String,
    /// `TTDN_BLOB_S3_BUCKET`: keep uploaded files in this bucket of S3-compatible object
    /// storage instead of the directory, so that every process shares them.
    pub blob_s3_bucket: String,
    /// `TTDN_BLOB_S3_ENDPOINT`: the storage's address (`https://s3.example.vn`, or `http://…`
    /// on a private network); AWS when empty.
    pub blob_s3_endpoint: String,
    /// `TTDN_BLOB_S3_REGION`: the bucket's region.
    pub blob_s3_region: String,
    /// `TTDN_BLOB_S3_ACCESS_KEY_ID`: the storage account's key id (else the usual AWS
    /// variables and instance credentials).
    pub blob_s3_access_key_id: String,
    /// `TTDN_BLOB_S3_SECRET_ACCESS_KEY`: its secret.
    pub blob_s3_secret_access_key: Secret,
    /// `TTDN_MAX_UPLOAD_BYTES`: the largest file an upload accepts.
    pub max_upload_bytes: usize,
    /// Whether mutations write domain events (the outbox). Not a setting: no file or variable
    /// reaches it (one is refused as unknown); only the live benchmark turns it off, to measure
    /// what the outbox costs a mutation. Off, nobody is told anything.
    #[serde(skip)]
    pub record_events: bool,
}

fn list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Deployment mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Production: strict secrets, no demo accounts.
    Production,
    /// Development and demos: a random signing key when none is set; demo data allowed.
    Dev,
}

/// A secret setting: never printed by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "(unset)"
        } else {
            "(redacted)"
        })
    }
}

/// Shortest accepted JWT secret, in bytes.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: "sqlite://ttdn.db?mode=rwc".into(),
            database_max_connections: 10,
            database_acquire_timeout_secs: 3,
            bind: "127.0.0.1:8080".into(),
            migrate_on_start: true,
            max_body_bytes: 1024 * 1024,
            max_query_depth: 15,
            max_query_complexity: 5000,
            log_format: LogFormat::Pretty,
            log: "info".into(),
            shutdown_timeout_secs: 30,
            workers: 0,
            mode: Mode::Production,
            jwt_secret: Secret::default(),
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            login_max_failures: 5,
            login_lockout_secs: 15 * 60,
            login_max_failures_per_address: 20,
            login_window_secs: 15 * 60,
            metrics_token: Secret::default(),
            budget_admin: 120_000,
            budget_provincial_department: 120_000,
            budget_district: 60_000,
            budget_commune: 60_000,
            budget_press: 60_000,
            budget_integration: 120_000,
            cors_allowed_origins: String::new(),
            trusted_proxies: String::new(),
            otlp_endpoint: String::new(),
            ws_connections_per_account: 5,
            ws_subscriptions_per_connection: 20,
            ws_init_timeout_secs: 10,
            ws_recheck_secs: 10,
            auth_cache_secs: 30,
            trusted_documents: String::new(),
            reminder_interval_secs: 60,
            reminder_report_days: "3,1".into(),
            smtp_url: String::new(),
            mail_from: "ttdn <no-reply@localhost>".into(),
            mail_record_url: String::new(),
            mail_retry_secs: 30,
            change_retention_days: 30,
            webhook_allowed_hosts: String::new(),
            blob_dir: "blobs".into(),
            blob_s3_bucket: String::new(),
            blob_s3_endpoint: String::new(),
            blob_s3_region: "us-east-1".into(),
            blob_s3_access_key_id: String::new(),
            blob_s3_secret_access_key: Secret::default(),
            max_upload_bytes: 20 * 1024 * 1024,
            webhook_interval_secs: 1,
            webhook_retry_secs: 30,
            webhook_disable_after: 50,
            record_events: true,
        }
    }
}

impl Settings {
    /// Loads the settings: defaults, then the TOML file named by `TTDN_CONFIG` (default
    /// `ttdn.toml`, skipped when absent), then `TTDN_*` environment variables.
    pub fn load() -> Result<Self, Box<figment::Error>> {
        let file = std::env::var_os("TTDN_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("ttdn.toml"));
        Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("TTDN_").ignore(&["CONFIG", "TEST_DATABASE_URL", "NEW_PASSWORD"]))
            .extract()
            .map_err(Box::new)
    }

    /// The key that signs access tokens. Outside dev mode a missing or short secret is an error,
    /// so that a production server never runs with a guessable key; in dev mode an unset secret
    /// becomes a random one.
    pub fn signing_key(&self) -> Result<Vec<u8>, String> {
        let secret = self.jwt_secret.0.as_bytes();
        if secret.len() >= MIN_JWT_SECRET_BYTES {
            return Ok(secret.to_vec());
        }
        match (self.mode, secret.is_empty()) {
            (Mode::Dev, true) => Ok(crate::auth::token::random_secret().into_bytes()),
            (Mode::Dev, false) | (Mode::Production, false) => Err(format!(
                "TTDN_JWT_SECRET is too short: use at least {MIN_JWT_SECRET_BYTES} random bytes (e.g. `openssl rand -base64 48`)"
            )),
            (Mode::Production, true) => Err(format!(
                "TTDN_JWT_SECRET is not set: production mode needs at least {MIN_JWT_SECRET_BYTES} random bytes (e.g. `openssl rand -base64 48`), or set TTDN_MODE=dev for a local trial"
            )),
        }
    }

    /// The allowed CORS origins.
    pub fn cors_origins(&self) -> Vec<String> {
        list(&self.cors_allowed_origins)
    }

    /// The trusted proxies' addresses; a value that is not an IP address is an error.
    pub fn proxies(&self) -> Result<Vec<std::net::IpAddr>, String> {
        list(&self.trusted_proxies)
            .into_iter()
            .map(|p| {
                p.parse()
                    .map_err(|_| format!("TTDN_TRUSTED_PROXIES: {p:?} is not an IP address"))
            })
            .collect()
    }

    /// Whether the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}
