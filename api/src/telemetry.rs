//! Structured logs with `tracing`. Every request runs in a root span carrying its request id
//! (tracing-actix-web), so every line logged while serving it names the request.

use std::sync::OnceLock;

use tracing_subscriber::{EnvFilter, fmt};

use crate::config::{LogFormat, Settings};

static JSON_LOGS: OnceLock<bool> = OnceLock::new();

/// Whether log lines are JSON (set by [`init`]).
pub fn json_logs() -> bool {
    JSON_LOGS.get().copied().unwrap_or(false)
}

/// A message for the operator (the address the server listens on, what a command did): a log
/// line at INFO when the logs are JSON, a plain line on standard error otherwise.
pub fn announce(message: &str) {
    if json_logs() {
        tracing::info!(target: "ttdn", "{message}");
    } else {
        eprintln!("{message}");
    }
}

/// Installs the global subscriber once; later calls (tests) are no-ops.
pub fn init(settings: &Settings) {
    let _ = JSON_LOGS.set(settings.log_format == LogFormat::Json);
    let filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match settings.log_format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}
