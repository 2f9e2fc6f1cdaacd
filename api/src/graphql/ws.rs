//! GraphQL over WebSocket on `/graphql/ws`: the `graphql-transport-ws` protocol (the one the
//! `graphql-ws` client library speaks), run by async-graphql's protocol machine over an
//! `actix-ws` socket, with what a shared service needs around it:
//!
//! - the access token in the `connection_init` payload (`{"authorization": "Bearer …"}`),
//!   checked before the acknowledgement; within `init_timeout` or the connection closes `4408`;
//! - the connection closes `4401` when its token expires, and at once when its session is
//!   revoked (logout, password change, refresh-token reuse) or its account disabled: every
//!   change to principals, in this process or (through PostgreSQL) another, makes each
//!   connection check its own again from the database; the check every `recheck` bounds a lost
//!   notification;
//! - at most `connections_per_principal` connections per account or client in this process and
//!   `subscriptions_per_connection` subscriptions per connection (an extra one is answered with
//!   an `error` message, code `RATE_LIMITED`);
//! - a WebSocket ping every `ping`; a client silent for three of them is dropped;
//! - a client that does not take a message within `send_timeout` is dropped: nothing buffers
//!   without limit (live deliveries wait in a bounded channel, see `notification::live`).

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use async_graphql::{
    Data,
    http::{WebSocket, WebSocketProtocols as Protocols, WsMessage},
};
use futures_util::{StreamExt, stream};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{
    context::ClientAddress,
    documents::{self, Documents},
    extension::Locale,
    http::locale,
    schema::AppSchema,
};
use crate::{
    access::ClientIp,
    auth::{
        actor::{Authentication, authenticate, authenticate_afresh},
        service::AuthConfig,
    },
    events::bus::{Bus, Signal},
};

/// The subprotocol served.
pub const PROTOCOL: &str = "graphql-transport-ws";

/// The `Authorization` value a connection was opened with, authenticated again by live
/// resolvers at every delivery.
#[derive(Clone)]
pub struct Credentials(pub String);

/// Limits and timers of live connections.
#[derive(Clone, Copy, Debug)]
pub struct WsLimits {
    /// Connections per account or service client, in one process.
    pub connections_per_principal: usize,
    /// Subscriptions at once on one connection.
    pub subscriptions_per_connection: usize,
    /// Time to send `connection_init`.
    pub init_timeout: Duration,
    /// How often the connection's session is checked again.
    pub recheck: Duration,
    /// How often the server pings.
    pub ping: Duration,
    /// Time a client has to take one message.
    pub send_timeout: Duration,
}

impl From<&crate::config::Settings> for WsLimits {
    fn from(settings: &crate::config::Settings) -> Self {
        Self {
            connections_per_principal: settings.ws_connections_per_account.max(1),
            subscriptions_per_connection: settings.ws_subscriptions_per_connection.max(1),
            init_timeout: Duration::from_secs(settings.ws_init_timeout_secs.max(1)),
            recheck: Duration::from_secs(settings.ws_recheck_secs.max(1)),
            ping: Duration::from_secs(20),
            send_timeout: Duration::from_secs(10),
        }
    }
}

/// Open connections per principal in this process.
#[derive(Clone, Default)]
pub struct Connections(Arc<Mutex<HashMap<Uuid, usize>>>);

/// One counted connection; uncounted when dropped.
struct Held {
    connections: Connections,
    principal: Uuid,
}

impl Connections {
    fn acquire(&self, principal: Uuid, limit: usize) -> Option<Held> {
        let mut open = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(principal).or_insert(0);
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(Held {
            connections: self.clone(),
            principal,
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self
            .connections
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.principal) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.principal);
            }
        }
    }
}

/// What the handler needs besides the schema.
#[derive(Clone)]
pub struct Live {
    /// Limits and timers.
    pub limits: WsLimits,
    /// Open connections.
    pub connections: Connections,
}

/// `GET /graphql/ws`: upgrades to a WebSocket speaking `graphql-transport-ws`.
pub async fn handler(
    req: HttpRequest,
    body: web::Payload,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    live: web::Data<Live>,
) -> actix_web::Result<HttpResponse> {
    let offered = req
        .headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !offered.split(',').any(|p| p.trim() == PROTOCOL) {
        return Ok(HttpResponse::BadRequest().json(json!({
            "errors": [{
                "message": format!("Use the WebSocket subprotocol {PROTOCOL} (Sec-WebSocket-Protocol)"),
                "extensions": { "code": "BAD_REQUEST" }
            }]
        })));
    }
    let (mut response, session, stream) = actix_ws::handle(&req, body)?;
    response.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        header::HeaderValue::from_static(PROTOCOL),
    );
    let connection = Connection {
        schema: schema.get_ref().clone(),
        db: db.get_ref().clone(),
        live: live.get_ref().clone(),
        locale: locale(&req),
        address: ClientIp::of(&req),
    };
    actix_web::rt::spawn(connection.serve(session, stream));
    Ok(response)
}

struct Connection {
    schema: AppSchema,
    db: DatabaseConnection,
    live: Live,
    locale: super::extension::Locale,
    address: String,
}

fn close_reason(code: u16, description: &str) -> Option<CloseReason> {
    Some(CloseReason {
        code: CloseCode::from(code),
        description: Some(description.to_owned()),
    })
}

/// The next text frame, answering pings on the way; `None` when the client is gone or sent
/// something else.
async fn next_text(stream: &mut MessageStream, session: &mut Session) -> Option<String> {
    while let Some(Ok(message)) = stream.next().await {
        match message {
            Message::Text(text) => return Some(text.to_string()),
            Message::Ping(bytes) => {
                if session.pong(&bytes).await.is_err() {
                    return None;
                }
            }
            Message::Pong(_) | Message::Nop => {}
            _ => return None,
        }
    }
    None
}

/// The bearer credentials of a `connection_init` payload.
fn credentials(payload: &Value) -> Option<String> {
    let raw = ["authorization", "Authorization", "token", "accessToken"]
        .iter()
        .find_map(|key| payload.get(key).and_then(Value::as_str))?;
    let raw = raw.trim();
    Some(
        if raw.starts_with("Bearer ") || raw.starts_with("bearer ") {
            raw.to_owned()
        } else {
            format!("Bearer {raw}")
        },
    )
}

/// `{"type": …, "id": …}` of a protocol message.
fn kind_and_id(text: &str) -> (String, Option<String>) {
    let parsed: Value = serde_json::from_str(text).unwrap_or_default();
    (
        parsed["type"].as_str().unwrap_or_default().to_owned(),
        parsed["id"].as_str().map(str::to_owned),
    )
}

impl Connection {
    async fn serve(self, mut session: Session, stream: MessageStream) {
        let mut stream = stream.max_frame_size(64 * 1024);
        let limits = self.live.limits;
        // The handshake: connection_init with a valid token, in time.
        let first =
            match tokio::time::timeout(limits.init_timeout, next_text(&mut stream, &mut session))
                .await
            {
                Ok(Some(first)) => first,
                Ok(None) => return,
                Err(_) => {
                    let _ = session
                        .close(close_reason(4408, "Connection initialisation timeout"))
                        .await;
                    return;
                }
            };
        let parsed: Value = serde_json::from_str(&first).unwrap_or_default();
        match parsed["type"].as_str() {
            Some("connection_init") => {}
            Some("subscribe") => {
                let _ = session.close(close_reason(4401, "Unauthorized")).await;
                return;
            }
            _ => {
                let _ = session
                    .close(close_reason(4400, "Expected connection_init"))
                    .await;
                return;
            }
        }
        let Some(auth) = self.schema.data::<AuthConfig>().cloned() else {
            let _ = session.close(close_reason(1011, "Not configured")).await;
            return;
        };
        let header = credentials(&parsed["payload"]);
        let actor = match &header {
            Some(header) => authenticate(&self.db, &auth, Some(header)).await,
            None => Ok(Authentication::Anonymous),
        };
        let (actor, header) = match (actor, header) {
            (Ok(Authentication::Actor(actor)), Some(header)) => (actor, header),
            (Err(err), _) => {
                tracing::warn!(error = ?err, "cannot authenticate a WebSocket connection");
                let _ = session.close(close_reason(1011, "Try again later")).await;
                return;
            }
            _ => {
                let _ = session
                    .close(close_reason(
                        4403,
                        "Forbidden: a valid access token is needed",
                    ))
                    .await;
                return;
            }
        };
        let expires = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .and_then(|token| auth.keys.verify(token.trim()).ok())
            .map(|claims| claims.exp)
            .unwrap_or_default();
        let Some(_held) = self
            .live
            .connections
            .acquire(actor.id(), limits.connections_per_principal)
        else {
            let _ = session
                .close(close_reason(
                    4403,
                    "Forbidden: too many connections for this account",
                ))
                .await;
            return;
        };

        let mut data = Data::default();
        data.insert(Authentication::Actor(actor));
        data.insert(Credentials(header.clone()));
        data.insert(self.locale);
        data.insert(ClientAddress(self.address.clone()));
        let (to_machine, from_client) = mpsc::channel::<String>(32);
        let incoming = stream::unfold(from_client, |mut rx| async move {
            rx.recv().await.map(|message| (message, rx))
        });
        let mut machine = Box::pin(
            WebSocket::new(self.schema.clone(), incoming, Protocols::GraphQLWS)
                .on_connection_init(move |_| async move { Ok(data) }),
        );
        if to_machine.send(first).await.is_err() {
            return;
        }

        let until_expiry = Duration::from_secs(
            u64::try_from(expires - chrono::Utc::now().timestamp()).unwrap_or(0),
        );
        let expiry = tokio::time::sleep(until_expiry);
        tokio::pin!(expiry);
        let mut ping = tokio::time::interval(limits.ping);
        ping.tick().await;
        let mut recheck = tokio::time::interval(limits.recheck);
        recheck.tick().await;
        // Principals changed (a session revoked, an account disabled…), here or in another
        // process: check this connection's at once rather than at the next tick.
        let mut changes = self.schema.data::<Bus>().map(Bus::subscribe);
        let documents = self.schema.data::<Documents>().cloned().unwrap_or_default();
        let mut heard = Instant::now();
        let mut active: HashSet<String> = HashSet::new();
        let reason = loop {
            tokio::select! {
                message = stream.next() => {
                    heard = Instant::now();
                    match message {
                        Some(Ok(Message::Text(text))) => {
                            let (kind, id) = kind_and_id(&text);
                            match (kind.as_str(), id) {
                                ("subscribe", Some(id)) if !active.contains(&id)
                                    && active.len() >= limits.subscriptions_per_connection => {
                                    let refusal = json!({
                                        "id": id, "type": "error",
                                        "payload": [{
                                            "message": format!(
                                                "At most {} subscriptions on one connection",
                                                limits.subscriptions_per_connection
                                            ),
                                            "extensions": { "code": "RATE_LIMITED" }
                                        }]
                                    });
                                    if session.text(refusal.to_string()).await.is_err() {
                                        break None;
                                    }
                                    continue;
                                }
                                ("subscribe", Some(id)) => {
                                    match subscribe_document(&documents, &text, &id, self.locale) {
                                        Ok(message) => {
                                            active.insert(id);
                                            if to_machine.send(message).await.is_err() {
                                                break None;
                                            }
                                        }
                                        Err(refusal) => {
                                            if session.text(refusal).await.is_err() {
                                                break None;
                                            }
                                        }
                                    }
                                    continue;
                                }
                                ("complete", Some(id)) => { active.remove(&id); }
                                _ => {}
                            }
                            if to_machine.send(text.to_string()).await.is_err() {
                                break None;
                            }
                        }
                        Some(Ok(Message::Ping(bytes))) => {
                            if session.pong(&bytes).await.is_err() {
                                break None;
                            }
                        }
                        Some(Ok(Message::Pong(_) | Message::Nop)) => {}
                        Some(Ok(Message::Binary(_) | Message::Continuation(_))) => {
                            break close_reason(4400, "Only text frames are accepted");
                        }
                        Some(Ok(Message::Close(_))) | None => break None,
                        Some(Err(_)) => break close_reason(1002, "Protocol error"),
                    }
                }
                out = machine.next() => match out {
                    Some(WsMessage::Text(text)) => {
                        if let (kind, Some(id)) = kind_and_id(&text)
                            && (kind == "complete" || kind == "error")
                        {
                            active.remove(&id);
                        }
                        match tokio::time::timeout(limits.send_timeout, session.text(text)).await {
                            Ok(Ok(())) => {}
                            Ok(Err(_)) => break None,
                            Err(_) => break close_reason(1008, "Too slow to take messages"),
                        }
                    }
                    Some(WsMessage::Close(code, text)) => break close_reason(code, &text),
                    None => break close_reason(1000, "Done"),
                },
                _ = ping.tick() => {
                    if heard.elapsed() > limits.ping * 3 {
                        break close_reason(1001, "No answer to pings");
                    }
                    if session.ping(b"").await.is_err() {
                        break None;
                    }
                }
                _ = recheck.tick() => {
                    match authenticate(&self.db, &auth, Some(&header)).await {
                        Ok(Authentication::Actor(_)) | Err(_) => {}
                        Ok(_) => break close_reason(
                            4401,
                            "Unauthorized: the session was revoked or the account disabled",
                        ),
                    }
                }
                signal = async {
                    match changes.as_mut() {
                        Some(changes) => changes.recv().await,
                        None => std::future::pending().await,
                    }
                } => {
                    use tokio::sync::broadcast::error::RecvError;
                    let check = match signal {
                        Ok(Signal::AuthChanged | Signal::Resync) | Err(RecvError::Lagged(_)) => true,
                        Ok(Signal::Dispatched(_)) => false,
                        Err(RecvError::Closed) => {
                            changes = None;
                            false
                        }
                    };
                    if check {
                        match authenticate_afresh(&self.db, &auth, Some(&header)).await {
                            Ok(Authentication::Actor(_)) | Err(_) => {}
                            Ok(_) => break close_reason(
                                4401,
                                "Unauthorized: the session was revoked or the account disabled",
                            ),
                        }
                    }
                }
                () = &mut expiry => {
                    break close_reason(4401, "Unauthorized: the access token expired");
                }
            }
        };
        let _ = session.close(reason).await;
    }
}

/// A `subscribe` message with the document it runs, as over HTTP: its own, or the persisted one
/// its `extensions.persistedQuery` hash names; in trusted mode only a trusted document. A
/// refusal is the `error` message to send back for subscription `id` (nothing runs).
fn subscribe_document(
    documents: &Documents,
    text: &str,
    id: &str,
    locale: Locale,
) -> Result<String, String> {
    let mut message: Value = serde_json::from_str(text).unwrap_or_default();
    let persisted = message["payload"]["extensions"]
        .as_object()
        .map(|extensions| {
            extensions
                .iter()
                .filter_map(|(key, value)| {
                    async_graphql::Value::from_json(value.clone())
                        .ok()
                        .map(|value| (key.clone(), value))
                })
                .collect::<HashMap<_, _>>()
        })
        .and_then(|extensions| documents::persisted_hash(&extensions));
    if persisted.is_none() && !documents.trusted_only() {
        return Ok(text.to_owned());
    }
    let query = message["payload"]["query"].as_str().unwrap_or_default();
    match documents.resolve(query, persisted.as_deref()) {
        Ok(document) => {
            message["payload"]["query"] = Value::String(document.to_string());
            Ok(message.to_string())
        }
        Err(refusal) => {
            let text = match locale {
                Locale::Vi => refusal.msg.vi,
                Locale::En => refusal.msg.en,
            };
            Err(json!({
                "id": id,
                "type": "error",
                "payload": [{ "message": text, "extensions": { "code": refusal.code.as_str() } }]
            })
            .to_string())
        }
    }
}
