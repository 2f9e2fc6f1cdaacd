//! What every HTTP request gets before any route runs: its request id, the client's address,
//! a root span, and one access-log line when it is done.
//!
//! - The request id is the caller's `x-request-id` when that is well formed (1 to 128 of
//!   `A-Z a-z 0-9 . _ - :`, as a gateway or an e-government bus sends it), else a new UUID v7.
//!   It is on every log line of the request, in every error (`extensions.requestId`), in the
//!   audit trail and in the `x-request-id` response header.
//! - The client's address is the peer's, unless the peer is one of the configured trusted
//!   proxies (`TTDN_TRUSTED_PROXIES`): then it is the last address of `X-Forwarded-For` that is
//!   not itself a trusted proxy. A client cannot forge its address by sending the header
//!   itself.
//! - The access line (target `ttdn::access`, level INFO, WARN for 5xx) carries the method,
//!   path, status, duration, and what the handler noted: the GraphQL operation name, the
//!   principal and the SQL statements.
//! - With trace export on (`TTDN_OTLP_ENDPOINT`), the root span continues the caller's W3C
//!   `traceparent`.

use std::{
    net::IpAddr,
    sync::{Arc, Mutex},
    time::Instant,
};

use actix_web::{
    FromRequest, HttpMessage, HttpRequest,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
    web,
};
use tracing::Instrument as _;

/// Header carrying the request id, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of one HTTP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl RequestId {
    /// The request's id (a new one outside the middleware, e.g. in unit tests).
    pub fn of(req: &HttpRequest) -> Self {
        req.extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(|| RequestId(uuid::Uuid::now_v7().to_string()))
    }

    /// The caller's id when it is well formed.
    fn from_header(value: Option<&HeaderValue>) -> Option<Self> {
        let value = value?.to_str().ok()?;
        let well_formed = (1..=128).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':'));
        well_formed.then(|| RequestId(value.to_owned()))
    }
}

impl FromRequest for RequestId {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(RequestId::of(req)))
    }
}

/// The address of the client, as the access rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// The client's address of `req` ("unknown" when there is none).
    pub fn of(req: &HttpRequest) -> String {
        req.extensions()
            .get::<ClientIp>()
            .and_then(|ip| ip.0)
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Arc<Vec<IpAddr>>);

impl TrustedProxies {
    /// The client's address: the peer, or, when the peer is a trusted proxy, the nearest
    /// forwarded address that is not one.
    fn client(&self, peer: Option<IpAddr>, forwarded_for: Option<&str>) -> Option<IpAddr> {
        let peer = peer?;
        if !self.0.contains(&peer) {
            return Some(peer);
        }
        let Some(chain) = forwarded_for else {
            return Some(peer);
        };
        let mut client = peer;
        for hop in chain.rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip;
                    if !self.0.contains(&ip) {
                        break;
                    }
                }
                // A malformed entry: trust nothing before it.
                Err(_) => break,
            }
        }
        Some(client)
    }
}

/// What a handler tells the access log about its request.
#[derive(Clone, Debug, Default)]
pub struct AccessNote(Arc<Mutex<Noted>>);

#[derive(Clone, Debug, Default)]
struct Noted {
    operation: Option<String>,
    principal: Option<String>,
    statements: Option<u32>,
}

impl AccessNote {
    /// The note of `req`, if the middleware runs.
    pub fn of(req: &HttpRequest) -> Option<Self> {
        req.extensions().get::<AccessNote>().cloned()
    }

    /// Records the GraphQL operation, the principal (`user:<id>`, `client:<id>`) and the
    /// SQL statements of the request.
    pub fn record(&self, operation: Option<&str>, principal: Option<String>, statements: u32) {
        let mut noted = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        noted.operation = operation.map(str::to_owned);
        noted.principal = principal;
        noted.statements = Some(statements);
    }

    fn take(&self) -> Noted {
        self.0
            .lock()
            .map(|n| n.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }
}

/// The middleware.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = RequestId::from_header(req.headers().get(REQUEST_ID_HEADER))
        .unwrap_or_else(|| RequestId(uuid::Uuid::now_v7().to_string()));
    let proxies = req
        .app_data::<web::Data<TrustedProxies>>()
        .map(|p| p.get_ref().clone())
        .unwrap_or_default();
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    let client = proxies.client(req.peer_addr().map(|a| a.ip()), forwarded);
    let note = AccessNote::default();
    let method = req.method().to_string();
    let path = req.path().to_owned();
    req.extensions_mut().insert(id.clone());
    req.extensions_mut().insert(ClientIp(client));
    req.extensions_mut().insert(note.clone());
    let span = tracing::info_span!(
        "request",
        request_id = %id.0,
        otel.name = %format_args!("{method} {path}"),
        otel.kind = "server",
        http.request.method = %method,
        url.path = %path,
        http.response.status_code = tracing::field::Empty,
    );
    crate::telemetry::otlp::adopt_caller_trace(&span, req.headers());
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let status = match &result {
        Ok(response) => response.status(),
        Err(err) => err.as_response_error().status_code(),
    };
    span.record("http.response.status_code", status.as_u16());
    let noted = note.take();
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let client = client.map(|ip| ip.to_string()).unwrap_or_default();
    span.in_scope(|| {
        macro_rules! access {
            ($level:ident) => {
                tracing::$level!(
                    target: "ttdn::access",
                    method = %method,
                    path = %path,
                    status = status.as_u16(),
                    duration_ms = (duration_ms * 100.0).round() / 100.0,
                    client = %client,
                    operation = noted.operation.as_deref().unwrap_or_default(),
                    principal = noted.principal.as_deref().unwrap_or_default(),
                    sql_statements = noted.statements.unwrap_or_default(),
                    "{method} {path} {}", status.as_u16()
                )
            };
        }
        if status.is_server_error() {
            access!(warn);
        } else {
            access!(info);
        }
    });
    let mut response = result?;
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incoming_request_ids_are_kept_only_when_well_formed() {
        let id = |v: &str| RequestId::from_header(Some(&HeaderValue::from_str(v).ok()?));
        assert_eq!(
            id("gw-2026.12.02:abc_1"),
            Some(RequestId("gw-2026.12.02:abc_1".into()))
        );
        assert_eq!(id("has space"), None);
        assert_eq!(id("<script>"), None);
        assert_eq!(id(&"a".repeat(129)), None);
        assert_eq!(id(""), None);
    }

    #[test]
    fn forwarded_addresses_count_only_behind_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let client: IpAddr = "203.0.113.7".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let none = TrustedProxies::default();
        let trusted = TrustedProxies(Arc::new(vec![proxy]));
        // A direct client cannot claim another address.
        assert_eq!(
            none.client(Some(client), Some("198.51.100.1")),
            Some(client)
        );
        // Behind the proxy: the address the proxy saw, not what the client wrote before it.
        assert_eq!(
            trusted.client(Some(proxy), Some("198.51.100.1, 203.0.113.7")),
            Some(client)
        );
        assert_eq!(trusted.client(Some(proxy), None), Some(proxy));
        assert_eq!(trusted.client(Some(proxy), Some("garbage")), Some(proxy));
    }
}
