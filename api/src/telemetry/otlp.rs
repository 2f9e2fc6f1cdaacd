//! OpenTelemetry trace export over OTLP/HTTP (JSON), off unless `TTDN_OTLP_ENDPOINT` names a
//! collector. Each request's root span (see `crate::access`) becomes an OTLP span named
//! `METHOD /path`, a child of the caller's W3C `traceparent` when one came in, with the spans
//! opened inside it as its children; spans are sent in batches by the SDK's background thread
//! (`OTEL_BSP_*` variables tune it) and flushed when the server stops.

use actix_web::http::header::HeaderMap;
use opentelemetry::{global, propagation::Extractor, trace::TracerProvider as _};
use opentelemetry_otlp::{Protocol, WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::{Resource, propagation::TraceContextPropagator, trace::SdkTracerProvider};

/// The HTTP client the exporter posts with: ureq, blocking, which is what the SDK's export
/// thread (no async runtime) can drive.
#[derive(Debug)]
struct Client(ureq::Agent);

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for Client {
    async fn send_bytes(
        &self,
        request: opentelemetry_http::Request<opentelemetry_http::Bytes>,
    ) -> Result<
        opentelemetry_http::Response<opentelemetry_http::Bytes>,
        opentelemetry_http::HttpError,
    > {
        let (parts, body) = request.into_parts();
        let request = opentelemetry_http::Request::from_parts(parts, body.to_vec());
        let mut response = self.0.run(request)?;
        let status = response.status();
        let body = response.body_mut().read_to_vec()?;
        let mut answer = opentelemetry_http::Response::new(opentelemetry_http::Bytes::from(body));
        *answer.status_mut() = status;
        Ok(answer)
    }
}

/// The tracer provider exporting to `endpoint`, installed as the global one with the W3C
/// trace-context propagator.
pub fn provider(endpoint: &str) -> Result<SdkTracerProvider, String> {
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpJson)
        .with_endpoint(endpoint)
        .with_http_client(Client(agent))
        .build()
        .map_err(|e| format!("TTDN_OTLP_ENDPOINT {endpoint:?}: {e}"))?;
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name("ttdn")
                .with_attribute(opentelemetry::KeyValue::new(
                    "service.version",
                    env!("CARGO_PKG_VERSION"),
                ))
                .build(),
        )
        .build();
    global::set_text_map_propagator(TraceContextPropagator::new());
    global::set_tracer_provider(provider.clone());
    Ok(provider)
}

/// The `tracing` layer that turns spans into OTLP spans.
pub fn layer<S>(provider: &SdkTracerProvider) -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    tracing_opentelemetry::layer().with_tracer(provider.tracer("ttdn"))
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

/// Makes `span` a child of the trace named by the request's `traceparent` (and
/// `tracestate`), when there is one; without OTLP export this does nothing.
pub fn adopt_caller_trace(span: &tracing::Span, headers: &HeaderMap) {
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    if headers.get("traceparent").is_none() {
        return;
    }
    let parent = global::get_text_map_propagator(|p| p.extract(&Headers(headers)));
    let _ = span.set_parent(parent);
}
