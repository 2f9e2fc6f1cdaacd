//! Live updates over WebSocket (`/graphql/ws`, graphql-transport-ws), with a real WebSocket
//! client: a commune sees the district's công văn arrive, the district sees the submission;
//! nobody without scope hears anything; the connection's limits and its closing when the session
//! ends; and, on PostgreSQL, two server processes on one database.

use std::time::{Duration, Instant};

use awc::ws::{Codec, Frame, Message};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};

use crate::helpers::{
    Process, TestApp, day, demo_agency, department_asks_districts, report_input, report_of,
    spawn_app_with_demo, spawn_with,
};

type Socket = actix_codec::Framed<awc::BoxedSocket, Codec>;

/// A graphql-transport-ws client.
struct Live {
    socket: Socket,
}

/// What the server sent.
#[derive(Debug)]
enum Heard {
    Message(Value),
    Closed(Option<u16>, String),
    Nothing,
}

impl Live {
    /// Opens a connection to the server at `address` (`http://…`) without initialising it.
    async fn open(address: &str) -> Self {
        let url = format!("{}/graphql/ws", address.replacen("http", "ws", 1));
        let (_, socket) = awc::Client::new()
            .ws(url)
            .protocols(["graphql-transport-ws"])
            .connect()
            .await
            .expect("open the WebSocket");
        Self { socket }
    }

    /// Opens and initialises a connection with `token`; panics unless acknowledged.
    async fn connect(address: &str, token: &str) -> Self {
        let mut live = Self::open(address).await;
        live.send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }))
            .await;
        match live.hear(Duration::from_secs(5)).await {
            Heard::Message(m) if m["type"] == "connection_ack" => live,
            other => panic!("no connection_ack: {other:?}"),
        }
    }

    async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("send");
    }

    async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next protocol message or close, answering pings, within `wait`.
    async fn hear(&mut self, wait: Duration) -> Heard {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let frame = match tokio::time::timeout(left, self.socket.next()).await {
                Err(_) => return Heard::Nothing,
                Ok(None) => return Heard::Closed(None, String::new()),
                Ok(Some(frame)) => frame.expect("a frame"),
            };
            match frame {
                Frame::Text(bytes) => {
                    let message: Value = serde_json::from_slice(&bytes).expect("JSON");
                    if message["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return Heard::Message(message);
                }
                Frame::Ping(bytes) => {
                    let _ = self.socket.send(Message::Pong(bytes)).await;
                }
                Frame::Close(reason) => {
                    return Heard::Closed(
                        reason.as_ref().map(|r| u16::from(r.code)),
                        reason.and_then(|r| r.description).unwrap_or_default(),
                    );
                }
                _ => {}
            }
        }
    }

    /// The next `next` message of subscription `id` within `wait`; panics on anything else.
    async fn next_of(&mut self, id: &str, wait: Duration) -> Value {
        match self.hear(wait).await {
            Heard::Message(m) if m["type"] == "next" && m["id"] == id => m["payload"].clone(),
            other => panic!("expected next of {id}, got {other:?}"),
        }
    }
}

const NOTICES: &str = "subscription { notificationAdded { kind title recordType recordId } }";
const CHANGES: &str =
    "subscription($id: ID!) { recordChanged(id: $id) { kind recordType recordId occurredAt } }";
const CASCADE: &str = "mutation($input: CascadeObligationInput!) { cascadeObligation(input: $input) { obligation { id reports { id recipient { name } } } } }";
const SUBMIT: &str =
    "mutation($input: ReportInput!) { submitReport(input: $input) { report { id } } }";

/// The Sở asks the districts for the 2025 report; its id.
async fn department_asks(app: &TestApp) -> String {
    department_asks_districts(app, None, &day(20)).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Triệu Sơn passes `parent` on to its communes; the child.
async fn district_passes_on(app: &TestApp, parent: &str) -> Value {
    let district = app.demo_token("huyen.trieuson").await;
    let cascaded = app
        .gql_as(
            Some(&district),
            CASCADE,
            json!({ "input": { "parentId": parent, "dueDate": day(10), "recipients": { "kinds": ["COMMUNE"] } } }),
        )
        .await;
    cascaded["data"]["cascadeObligation"]["obligation"].clone()
}

#[actix_web::test]
async fn a_commune_sees_the_cong_van_arrive_and_the_district_the_submission() {
    let app = spawn_app_with_demo().await;
    let parent = department_asks(&app).await;
    let commune_token = app.demo_token("xa.danluc").await;
    let mut commune = Live::connect(&app.address, &commune_token).await;
    commune.subscribe("n", NOTICES, json!({})).await;
    // A commune of another district, subscribed too, hears nothing.
    let other_token = app.demo_token("xa.xuanlam").await;
    let mut other = Live::connect(&app.address, &other_token).await;
    other.subscribe("n", NOTICES, json!({})).await;

    let child = district_passes_on(&app, &parent).await;
    let child_id = child["id"].as_str().expect("child").to_owned();
    let notice = commune.next_of("n", Duration::from_secs(5)).await;
    assert_eq!(
        notice["data"]["notificationAdded"]["kind"],
        "obligation.cascade"
    );
    assert_eq!(
        notice["data"]["notificationAdded"]["recordId"],
        child_id.as_str()
    );
    assert!(
        notice["data"]["notificationAdded"]["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("Yêu cầu báo cáo mới")),
        "{notice:#}"
    );

    // The district follows its request: the commune's submission reaches it at once.
    let district_token = app.demo_token("huyen.trieuson").await;
    let mut district = Live::connect(&app.address, &district_token).await;
    district
        .subscribe("c", CHANGES, json!({ "id": child_id }))
        .await;
    // Let the subscription start before the change.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let report = report_of(&child, "UBND xã Dân Lực");
    let submitted = app
        .gql_as(Some(&commune_token), SUBMIT, report_input(&report, 12))
        .await;
    assert!(submitted["errors"].is_null(), "{submitted:#}");
    let change = district.next_of("c", Duration::from_secs(5)).await;
    assert_eq!(
        change["data"]["recordChanged"]["kind"], "report.submit",
        "{change:#}"
    );
    assert_eq!(change["data"]["recordChanged"]["recordId"], report.as_str());

    assert!(
        matches!(other.hear(Duration::from_millis(500)).await, Heard::Nothing),
        "a commune without scope heard of another district's request"
    );
}

#[actix_web::test]
async fn a_connection_needs_a_valid_token_first_and_text_frames() {
    let app = spawn_with(|s| s.ws_init_timeout_secs = 1, true).await;
    // No token, a bad token: 4403.
    for payload in [json!({}), json!({ "authorization": "Bearer not-a-token" })] {
        let mut live = Live::open(&app.address).await;
        live.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        match live.hear(Duration::from_secs(5)).await {
            Heard::Closed(Some(4403), reason) => assert!(reason.starts_with("Forbidden")),
            other => panic!("expected 4403, got {other:?}"),
        }
    }
    // A subscription before the handshake: 4401.
    let mut early = Live::open(&app.address).await;
    early.subscribe("n", NOTICES, json!({})).await;
    assert!(matches!(
        early.hear(Duration::from_secs(5)).await,
        Heard::Closed(Some(4401), _)
    ));
    // Nothing at all: 4408 after the initialisation timeout.
    let mut silent = Live::open(&app.address).await;
    assert!(matches!(
        silent.hear(Duration::from_secs(5)).await,
        Heard::Closed(Some(4408), _)
    ));
    // A binary frame after the handshake: 4400.
    let token = app.demo_token("xa.danluc").await;
    let mut binary = Live::connect(&app.address, &token).await;
    binary
        .socket
        .send(Message::Binary(vec![0x7b, 0x7d].into()))
        .await
        .expect("send");
    match binary.hear(Duration::from_secs(5)).await {
        Heard::Closed(Some(4400), reason) => assert!(reason.contains("text"), "{reason}"),
        other => panic!("expected 4400, got {other:?}"),
    }
    // A plain GET without the subprotocol is told which one to use.
    let plain = app.request("GET", "/graphql/ws", &[], Vec::new()).await;
    assert_eq!(plain.status.as_u16(), 400);
    assert!(plain.text().contains("graphql-transport-ws"));
}

#[actix_web::test]
async fn a_connection_closes_when_its_session_ends_and_keeps_its_limits() {
    let app = spawn_with(
        |s| {
            s.ws_recheck_secs = 1;
            s.ws_connections_per_account = 2;
            s.ws_subscriptions_per_connection = 1;
        },
        true,
    )
    .await;
    let token = app.demo_token("xa.danluc").await;
    let mut first = Live::connect(&app.address, &token).await;
    let _second = Live::connect(&app.address, &token).await;
    // A third connection of the same account is refused.
    let mut third = Live::open(&app.address).await;
    third
        .send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }))
        .await;
    match third.hear(Duration::from_secs(5)).await {
        Heard::Closed(Some(4403), reason) => assert!(reason.contains("too many connections")),
        other => panic!("expected 4403, got {other:?}"),
    }
    // One subscription per connection here: the second is refused with RATE_LIMITED.
    first.subscribe("a", NOTICES, json!({})).await;
    first.subscribe("b", NOTICES, json!({})).await;
    match first.hear(Duration::from_secs(5)).await {
        Heard::Message(m) if m["type"] == "error" && m["id"] == "b" => {
            assert_eq!(m["payload"][0]["extensions"]["code"], "RATE_LIMITED");
        }
        other => panic!("expected an error for b, got {other:?}"),
    }
    // Signing out revokes the session: the connection is closed 4401 within the recheck.
    let out = app
        .gql_as(Some(&token), "mutation { logout { ok } }", json!({}))
        .await;
    assert!(out["errors"].is_null(), "{out:#}");
    match first.hear(Duration::from_secs(5)).await {
        Heard::Closed(Some(4401), reason) => assert!(reason.contains("revoked"), "{reason}"),
        other => panic!("expected 4401, got {other:?}"),
    }
}

/// A revocation closes the connections it concerns at once, not at the next recheck (an hour
/// here): in this process, and on PostgreSQL in another one.
#[actix_web::test]
async fn a_revoked_session_closes_its_connections_at_once() {
    let app = spawn_with(|s| s.ws_recheck_secs = 3600, true).await;
    let commune = app.demo_token("xa.danluc").await;
    let mut signed_out = Live::connect(&app.address, &commune).await;
    let district = app.demo_token("huyen.trieuson").await;
    let mut disabled = Live::connect(&app.address, &district).await;
    let department = app.demo_token("so.thanhhoa").await;
    let mut untouched = Live::connect(&app.address, &department).await;
    app.gql_as(Some(&commune), "mutation { logout { ok } }", json!({}))
        .await;
    match signed_out.hear(Duration::from_secs(2)).await {
        Heard::Closed(Some(4401), reason) => assert!(reason.contains("revoked"), "{reason}"),
        other => panic!("expected 4401 at once, got {other:?}"),
    }
    app.data(
        "mutation($id: ID!) { setUserDisabled(input: { id: $id, disabled: true }) { user { id } } }",
        json!({ "id": crate::helpers::demo_user("huyen.trieuson") }),
    )
    .await;
    match disabled.hear(Duration::from_secs(2)).await {
        Heard::Closed(Some(4401), _) => {}
        other => panic!("expected 4401 at once, got {other:?}"),
    }
    assert!(
        matches!(
            untouched.hear(Duration::from_millis(500)).await,
            Heard::Nothing
        ),
        "a connection whose session stands stays open"
    );

    // Another process hears it from PostgreSQL.
    if !app.database_url.starts_with("postgres") {
        return;
    }
    let env = [
        ("TTDN_JWT_SECRET", crate::helpers::TEST_JWT_SECRET),
        ("TTDN_WS_RECHECK_SECS", "3600"),
    ];
    let other = Process::start_with(&app.database_url, &env);
    other.ready().await;
    let mut elsewhere = Live::connect(&other.address, &department).await;
    app.gql_as(Some(&department), "mutation { logout { ok } }", json!({}))
        .await;
    match elsewhere.hear(Duration::from_secs(2)).await {
        Heard::Closed(Some(4401), _) => {}
        other => panic!("expected 4401 at once in the other process, got {other:?}"),
    }
}

/// On PostgreSQL, two `ttdn serve` processes on the test's database, ready; `None` on SQLite,
/// the embedded single-process setup (processes share PostgreSQL only).
async fn two_processes(app: &TestApp) -> Option<(Process, Process)> {
    if !app.database_url.starts_with("postgres") {
        return None;
    }
    let (first, second) = (
        Process::start(&app.database_url),
        Process::start(&app.database_url),
    );
    first.ready().await;
    second.ready().await;
    Some((first, second))
}

#[actix_web::test]
async fn a_change_on_one_process_reaches_a_subscriber_on_another() {
    let app = spawn_app_with_demo().await;
    let parent = department_asks(&app).await;
    let Some((first, second)) = two_processes(&app).await else {
        return;
    };
    let commune_token = second.token("xa.danluc").await;
    let mut commune = Live::connect(&second.address, &commune_token).await;
    commune.subscribe("n", NOTICES, json!({})).await;
    let other_token = second.token("xa.xuanlam").await;
    let mut other = Live::connect(&second.address, &other_token).await;
    other.subscribe("n", NOTICES, json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let district = first.token("huyen.trieuson").await;
    let changed_at = Instant::now();
    let cascaded = first
        .gql(
            &district,
            CASCADE,
            json!({ "input": { "parentId": parent, "dueDate": day(10), "recipients": { "agencyIds": [demo_agency("th.trieuson.danluc")] } } }),
        )
        .await;
    let child = cascaded["data"]["cascadeObligation"]["obligation"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{cascaded:#}"))
        .to_owned();
    let notice = commune.next_of("n", Duration::from_secs(1)).await;
    assert!(
        changed_at.elapsed() < Duration::from_secs(1),
        "delivered after {:?}",
        changed_at.elapsed()
    );
    assert_eq!(
        notice["data"]["notificationAdded"]["recordId"],
        child.as_str()
    );
    assert!(matches!(
        other.hear(Duration::from_millis(500)).await,
        Heard::Nothing
    ));
    // Each event was dispatched once, whichever process took it.
    let notices: Vec<Value> = {
        let answer = second
            .gql(
                &commune_token,
                "{ notifications(first: 50) { edges { node { recordId } } } }",
                json!({}),
            )
            .await;
        answer["data"]["notifications"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        notices
            .iter()
            .filter(|n| n["node"]["recordId"] == child.as_str())
            .count(),
        1
    );
}

#[actix_web::test]
async fn a_subscription_over_http_is_told_where_to_go() {
    let app = spawn_app_with_demo().await;
    let answer = app
        .gql_with(
            "subscription { notificationAdded { kind } }",
            json!({}),
            &[("accept-language", "en")],
        )
        .await
        .json();
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("/graphql/ws")),
        "{answer:#}"
    );
    assert!(answer.get("data").is_none(), "not executed: {answer:#}");
}

#[actix_web::test]
async fn processes_resume_delivering_after_losing_postgresql() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app_with_demo().await;
    let parent = department_asks(&app).await;
    let Some((first, second)) = two_processes(&app).await else {
        return;
    };
    let commune_token = second.token("xa.danluc").await;
    let district = first.token("huyen.trieuson").await;
    let mut commune = Live::connect(&second.address, &commune_token).await;
    commune.subscribe("n", NOTICES, json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    // What a restart of PostgreSQL does to its clients: every connection to the database is
    // cut, the processes' listeners and pools included.
    app.db
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await
        .expect("cut the connections");
    // A change committed while the listeners are away: its NOTIFY reaches nobody.
    let cascaded = loop {
        let answer = first
            .gql(
                &district,
                CASCADE,
                json!({ "input": { "parentId": parent, "dueDate": day(10), "recipients": { "agencyIds": [demo_agency("th.trieuson.danluc")] } } }),
            )
            .await;
        if answer["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE" {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        break answer;
    };
    let child = cascaded["data"]["cascadeObligation"]["obligation"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{cascaded:#}"))
        .to_owned();
    // Both processes reconnect on their own, and the subscriber on the second gets the notice,
    // caught up from the outbox and the notices table.
    let notice = commune.next_of("n", Duration::from_secs(10)).await;
    assert_eq!(
        notice["data"]["notificationAdded"]["recordId"],
        child.as_str()
    );
    // And live delivery works again afterwards.
    let again = first
        .gql(
            &district,
            "mutation($input: AmendObligationInput!) { amendObligation(input: $input) { obligation { id } } }",
            json!({ "input": { "id": child, "dueDate": day(11) } }),
        )
        .await;
    assert!(again["errors"].is_null(), "{again:#}");
    let notice = commune.next_of("n", Duration::from_secs(5)).await;
    assert_eq!(
        notice["data"]["notificationAdded"]["kind"],
        "obligation.amend"
    );
}

#[actix_web::test]
async fn a_connection_closes_when_its_access_token_expires() {
    let app = spawn_with(|s| s.access_token_ttl_secs = 2, true).await;
    let token = app.demo_token("xa.danluc").await;
    let mut live = Live::connect(&app.address, &token).await;
    live.subscribe("n", NOTICES, json!({})).await;
    match live.hear(Duration::from_secs(6)).await {
        Heard::Closed(Some(4401), reason) => assert!(reason.contains("expired"), "{reason}"),
        other => panic!("expected 4401, got {other:?}"),
    }
}

/// Subscriptions follow the same document rules as HTTP: in trusted mode only a registered
/// document runs, by its hash or in full; anything else is an `error` for that subscription
/// (the connection stays); an unknown hash is `PERSISTED_QUERY_NOT_FOUND`.
#[actix_web::test]
async fn subscriptions_run_only_trusted_documents_in_trusted_mode() {
    use sha2::{Digest as _, Sha256};
    let sha256 = |text: &str| format!("{:x}", Sha256::digest(text.as_bytes()));
    let manifest =
        std::env::temp_dir().join(format!("ttdn-trusted-ws-{}.json", uuid::Uuid::now_v7()));
    let login = crate::helpers::LOGIN;
    std::fs::write(
        &manifest,
        json!({ sha256(NOTICES): NOTICES, sha256(login): login }).to_string(),
    )
    .expect("manifest");
    let path = manifest.display().to_string();
    let app = spawn_with(move |s| s.trusted_documents = path, true).await;
    let token = app.demo_token("xa.danluc").await;
    let mut live = Live::connect(&app.address, &token).await;

    // Not registered: refused for that subscription only.
    live.subscribe("other", CHANGES, json!({ "id": demo_agency("th") }))
        .await;
    match live.hear(Duration::from_secs(5)).await {
        Heard::Message(m) if m["type"] == "error" && m["id"] == "other" => {
            assert_eq!(
                m["payload"][0]["extensions"]["code"], "UNTRUSTED_DOCUMENT",
                "{m:#}"
            );
        }
        other => panic!("expected an error, got {other:?}"),
    }
    // An unknown hash.
    live.send(json!({ "id": "unknown", "type": "subscribe", "payload": {
        "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256("subscription { x }") } }
    } }))
    .await;
    match live.hear(Duration::from_secs(5)).await {
        Heard::Message(m) if m["type"] == "error" && m["id"] == "unknown" => {
            assert_eq!(
                m["payload"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
                "{m:#}"
            );
        }
        other => panic!("expected an error, got {other:?}"),
    }
    // Registered, by its hash alone: it runs, on the same connection.
    live.send(json!({ "id": "n", "type": "subscribe", "payload": {
        "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256(NOTICES) } }
    } }))
    .await;
    assert!(
        matches!(live.hear(Duration::from_millis(500)).await, Heard::Nothing),
        "a registered subscription is accepted"
    );
    let _ = std::fs::remove_file(manifest);
}
