//! Structured logs with `tracing`, and optional trace export. Every request runs in a root span
//! carrying its request id (`crate::access`), so every line logged while serving it names the
//! request; with `TTDN_OTLP_ENDPOINT` the spans also go to an OpenTelemetry collector
//! ([`otlp`]).

pub mod otlp;

use std::sync::OnceLock;

use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::{
    EnvFilter, Layer, fmt, layer::SubscriberExt as _, util::SubscriberInitExt as _,
};

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

/// What must outlive the server: the trace exporter, flushed by [`Telemetry::shutdown`].
#[derive(Default)]
#[must_use = "keep it until the server stops, then call shutdown"]
pub struct Telemetry(Option<SdkTracerProvider>);

impl Telemetry {
    /// Sends the spans still buffered and stops the exporter.
    pub fn shutdown(self) {
        if let Some(provider) = self.0
            && let Err(err) = provider.shutdown()
        {
            tracing::warn!(error = %err, "the last spans could not be exported");
        }
    }
}

type BoxedLayer = Box<dyn Layer<tracing_subscriber::Registry> + Send + Sync>;

/// Installs the global subscriber once (later calls, in tests, change nothing): log lines on
/// standard error, pretty or JSON, filtered by `TTDN_LOG`; and, when `TTDN_OTLP_ENDPOINT` is
/// set, trace export. An unusable endpoint is an error: the operator asked for traces.
pub fn init(settings: &Settings) -> Result<Telemetry, String> {
    let _ = JSON_LOGS.set(settings.log_format == LogFormat::Json);
    let filter = || EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let logs: BoxedLayer = match settings.log_format {
        LogFormat::Json => fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(std::io::stderr)
            .with_filter(filter())
            .boxed(),
        LogFormat::Pretty => fmt::layer()
            .compact()
            .with_writer(std::io::stderr)
            .with_filter(filter())
            .boxed(),
    };
    let mut layers = vec![logs];
    let mut provider = None;
    if !settings.otlp_endpoint.is_empty() {
        let exporting = otlp::provider(&settings.otlp_endpoint)?;
        layers.push(otlp::layer(&exporting).with_filter(filter()).boxed());
        provider = Some(exporting);
    }
    if tracing_subscriber::registry()
        .with(layers)
        .try_init()
        .is_err()
    {
        // A subscriber is installed already (tests): keep it, export nothing.
        return Ok(Telemetry::default());
    }
    Ok(Telemetry(provider))
}
