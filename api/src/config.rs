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
}

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
            bind: "127.0.0.1:8080".into(),
            migrate_on_start: true,
            max_body_bytes: 1024 * 1024,
            max_query_depth: 15,
            max_query_complexity: 5000,
            log_format: LogFormat::Pretty,
            log: "info".into(),
            shutdown_timeout_secs: 30,
            workers: 0,
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
            .merge(Env::prefixed("TTDN_").ignore(&["CONFIG", "TEST_DATABASE_URL"]))
            .extract()
            .map_err(Box::new)
    }

    /// Whether the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}
