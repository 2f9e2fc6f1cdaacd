//! Webhooks: a real HTTP receiver on loopback checks each delivery's signature as the README's
//! recipe does, refuses the first attempts to prove the retries, and counts what arrives.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use ttdn_api::config::Settings;

use crate::helpers::{Process, TestApp, code, demo_agency, demo_user, field, settle, spawn_with};

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
    answered: u16,
}

#[derive(Default)]
struct Inbox {
    received: Vec<Received>,
    /// How many attempts of each delivery id to refuse before answering 200.
    refuse_first: usize,
    /// Refuse every attempt.
    refuse_all: bool,
    /// Hold each request unanswered until this is cleared.
    hold: bool,
    /// Requests held now.
    held: usize,
}

/// An HTTP receiver on loopback.
struct Receiver {
    url: String,
    inbox: Arc<Mutex<Inbox>>,
    server: actix_web::dev::ServerHandle,
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    inbox: web::Data<Mutex<Inbox>>,
) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    if inbox.lock().expect("inbox").hold {
        inbox.lock().expect("inbox").held += 1;
        while inbox.lock().expect("inbox").hold {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        inbox.lock().expect("inbox").held -= 1;
    }
    let mut inbox = inbox.lock().expect("inbox");
    let id = header("webhook-id");
    let tried = inbox.received.iter().filter(|r| r.id == id).count();
    let answered = if inbox.refuse_all || tried < inbox.refuse_first {
        500
    } else {
        200
    };
    inbox.received.push(Received {
        id,
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
        answered,
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(answered).expect("status")).finish()
}

impl Receiver {
    async fn start(refuse_first: usize) -> Self {
        let inbox = Arc::new(Mutex::new(Inbox {
            refuse_first,
            ..Inbox::default()
        }));
        let data = web::Data::from(inbox.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/hooks/ttdn", web::post().to(receive))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .expect("bind the receiver");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}/hooks/ttdn"),
            inbox,
            server: handle,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.inbox.lock().expect("inbox").received.clone()
    }

    fn set(&self, refuse_all: bool) {
        self.inbox.lock().expect("inbox").refuse_all = refuse_all;
    }

    /// Holds requests unanswered (`true`), or lets the held ones and the next ones through.
    fn hold(&self, hold: bool) {
        self.inbox.lock().expect("inbox").hold = hold;
    }

    /// Waits (up to `within`) until `done` holds for what was received.
    async fn until(&self, within: Duration, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        self.until_inbox(within, |inbox| done(&inbox.received))
            .await;
        self.received()
    }

    /// Waits (up to `within`) until `done` holds for the inbox.
    async fn until_inbox(&self, within: Duration, done: impl Fn(&Inbox) -> bool) {
        let start = Instant::now();
        loop {
            {
                let inbox = self.inbox.lock().expect("inbox");
                if done(&inbox) {
                    return;
                }
                assert!(
                    start.elapsed() < within,
                    "the receiver did not get what was expected: {:#?} ({} held)",
                    inbox.received,
                    inbox.held
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}

/// The check a receiver makes (the README's recipe): HMAC-SHA256 under the base64 key after
/// `whsec_`, over `id.timestamp.body`, compared with each `v1,` signature of the header.
fn verifies(secret: &str, received: &Received) -> bool {
    let key = STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .expect("base64 key");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("a key");
    mac.update(format!("{}.{}.{}", received.id, received.timestamp, received.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    received
        .signature
        .split(' ')
        .any(|signature| signature == expected)
}

/// Runs the Python `verify` of docs/integration.md on a delivery with `body`; `None` where
/// Python is not installed.
fn python_verifies(secret: &str, received: &Received, body: &str) -> Option<bool> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/integration.md"))
        .expect("docs/integration.md");
    let recipe = doc
        .split("```python\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the Python recipe");
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let unindented: String = readme
        .lines()
        .map(|l| l.strip_prefix("   ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        unindented.contains(recipe.trim()),
        "the README shows the recipe of docs/integration.md"
    );
    let program = format!(
        "{recipe}\nimport json, sys\nd = json.loads(sys.stdin.read())\nprint(verify(d['secret'], d['headers'], d['body'].encode()))\n"
    );
    let input = json!({
        "secret": secret,
        "headers": {
            "webhook-id": received.id,
            "webhook-timestamp": received.timestamp,
            "webhook-signature": received.signature,
        },
        "body": body,
    });
    let mut child = match std::process::Command::new("python3")
        .args(["-c", &program])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(_) => return None,
    };
    use std::io::Write as _;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("python3");
    assert!(output.status.success(), "{output:?}");
    Some(String::from_utf8_lossy(&output.stdout).trim() == "True")
}

const REGISTER: &str = "mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) { secret webhook { id url types disabled version } } }";
const DISABLE_USER: &str = "mutation($id: ID!, $d: Boolean!) { setUserDisabled(input: { id: $id, disabled: $d }) { user { id } } }";
const LOG: &str = "query($id: ID!) { webhook(id: $id) { disabled disabledReason failureRun deliveries(first: 20) { totalCount edges { node { id recordId status attempts lastStatusCode lastError deliveredAt body } } } } }";

fn settings(adjust: impl Fn(&mut Settings)) -> impl FnOnce(&mut Settings) {
    move |s: &mut Settings| {
        s.webhook_allowed_hosts = "127.0.0.1".into();
        s.webhook_retry_secs = 1;
        adjust(s);
    }
}

/// Asks for `delivery` to be sent again; it is pending at once.
async fn redeliver(app: &TestApp, delivery: &Value) {
    let redelivered = app
        .data(
            "mutation($id: ID!) { redeliverWebhook(input: { deliveryId: $id }) { delivery { status } } }",
            json!({ "id": delivery }),
        )
        .await;
    assert_eq!(
        redelivered["redeliverWebhook"]["delivery"]["status"],
        "PENDING"
    );
}

fn demo_client() -> String {
    ttdn_api::demo::demo_id(ttdn_api::demo::DEMO_CLIENT).to_string()
}

/// The Thanh Hóa department registers an endpoint for the demo client's account changes; the
/// endpoint's id and secret.
async fn register(app: &TestApp, url: &str) -> (String, String) {
    let department = app.demo_token("so.thanhhoa").await;
    let registered = app
        .gql_as(
            Some(&department),
            REGISTER,
            json!({ "input": { "clientId": demo_client(), "url": url, "types": ["USER"], "description": "Hệ thống QLVB" } }),
        )
        .await;
    let payload = &registered["data"]["registerWebhook"];
    let id = payload["webhook"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{registered:#}"))
        .to_owned();
    (id, payload["secret"].as_str().expect("secret").to_owned())
}

#[actix_web::test]
async fn a_change_is_pushed_signed_and_retried_until_the_receiver_takes_it() {
    let receiver = Receiver::start(2).await;
    let app = spawn_with(settings(|_| {}), true).await;
    let (endpoint, secret) = register(&app, &receiver.url).await;
    assert!(secret.starts_with("whsec_"));

    let account = demo_user("huyen.thoxuan");
    app.data(DISABLE_USER, json!({ "id": account, "d": true }))
        .await;
    // A change of a type the endpoint did not ask for is not pushed (the demo client reads
    // releases too).
    let department = app.demo_token("so.thanhhoa").await;
    let drafted = app
        .gql_as(
            Some(&department),
            "mutation($input: CreateReleaseInput!) { createRelease(input: $input) { informationRelease { id } } }",
            json!({ "input": { "issuingAgencyId": demo_agency("th.svhttdl"), "content": {
                "kind": "PRESS_RELEASE", "title": "Thông cáo", "body": "Nội dung.", "topics": [],
                "audience": "PUBLIC",
                "spokespersonId": ttdn_api::demo::demo_id("spokesperson.head.th.svhttdl").to_string()
            } } }),
        )
        .await;
    let release = drafted["data"]["createRelease"]["informationRelease"]["id"].clone();
    let published = app
        .gql_as(
            Some(&department),
            "mutation($id: ID!) { publishRelease(input: { id: $id }) { informationRelease { id } } }",
            json!({ "id": release }),
        )
        .await;
    assert!(published.get("errors").is_none(), "{published:#}");

    let received = receiver
        .until(Duration::from_secs(20), |r| {
            r.iter().any(|r| r.answered == 200)
        })
        .await;
    // Refused twice, taken the third time: the same delivery each time.
    assert_eq!(received.len(), 3, "{received:#?}");
    assert!(received.iter().all(|r| r.id == received[0].id));
    assert_eq!(
        received.iter().map(|r| r.answered).collect::<Vec<_>>(),
        [500, 500, 200]
    );
    for attempt in &received {
        assert!(verifies(&secret, attempt), "{attempt:#?}");
        let age = chrono::Utc::now().timestamp() - attempt.timestamp.parse::<i64>().expect("secs");
        assert!((0..60).contains(&age), "a fresh timestamp: {age}");
    }
    // The recipe of docs/integration.md, run as written.
    assert_eq!(
        python_verifies(&secret, &received[2], &received[2].body),
        Some(true)
    );
    let tampered = received[2].body.replace("UPDATED", "CREATED");
    assert_eq!(
        python_verifies(&secret, &received[2], &tampered),
        Some(false)
    );
    let body: Value = serde_json::from_str(&received[0].body).expect("JSON");
    assert_eq!(body["type"], "USER.UPDATED");
    assert_eq!(body["data"]["id"], account.as_str());
    assert_eq!(body["data"]["operation"], "user.setDisabled");
    assert!(body["data"]["cursor"].is_string());

    // The sender records the attempt, and resets the endpoint's failure run in the same
    // transaction, after the receiver has answered: wait until that is committed. (A read
    // in between saw the endpoint before the commit and its delivery after it.)
    let start = Instant::now();
    let log = loop {
        let log = app.data(LOG, json!({ "id": endpoint })).await;
        let delivered = log["webhook"]["deliveries"]["edges"][0]["node"]["status"] == "DELIVERED";
        if delivered && log["webhook"]["failureRun"] == 0 {
            break log;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{log:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let deliveries = &log["webhook"]["deliveries"];
    assert_eq!(
        deliveries["totalCount"], 1,
        "the release was not for this endpoint"
    );
    let delivery = &deliveries["edges"][0]["node"];
    assert_eq!(delivery["status"], "DELIVERED");
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["lastStatusCode"], 200);
    assert_eq!(delivery["id"], received[0].id.as_str());
    assert_eq!(log["webhook"]["failureRun"], 0);

    // A rotated secret signs what follows; the old one no longer verifies.
    let rotated = app
        .data(
            "mutation($id: ID!) { rotateWebhookSecret(input: { id: $id }) { secret } }",
            json!({ "id": endpoint }),
        )
        .await;
    let new_secret = rotated["rotateWebhookSecret"]["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert_ne!(new_secret, secret);
    app.data(DISABLE_USER, json!({ "id": account, "d": false }))
        .await;
    let received = receiver
        .until(Duration::from_secs(20), |r| {
            r.iter().filter(|r| r.answered == 200).count() == 2
        })
        .await;
    let last = received.last().expect("the second delivery");
    assert!(verifies(&new_secret, last));
    assert!(!verifies(&secret, last));
}

#[actix_web::test]
async fn an_endpoint_failing_in_a_row_is_disabled_its_agency_told_and_redelivery_resumes() {
    let receiver = Receiver::start(0).await;
    receiver.set(true);
    let app = spawn_with(settings(|s| s.webhook_disable_after = 3), true).await;
    let (endpoint, secret) = register(&app, &receiver.url).await;
    app.data(
        DISABLE_USER,
        json!({ "id": demo_user("huyen.thoxuan"), "d": true }),
    )
    .await;
    // Disabled after the third failed attempt in a row; nothing is sent while disabled.
    let start = Instant::now();
    let log = loop {
        let log = app.data(LOG, json!({ "id": endpoint })).await;
        if log["webhook"]["disabled"] == true {
            break log;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{log:#}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        log["webhook"]["disabledReason"],
        "disabled after 3 failed attempts in a row"
    );
    let delivery = log["webhook"]["deliveries"]["edges"][0]["node"].clone();
    assert_eq!(delivery["status"], "PENDING");
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["lastStatusCode"], 500);
    settle(&app).await;
    let department = app.demo_token("so.thanhhoa").await;
    let notices = app
        .gql_as(
            Some(&department),
            "{ notifications(first: 5) { edges { node { kind recordType recordId title } } } }",
            json!({}),
        )
        .await;
    let notice = notices["data"]["notifications"]["edges"]
        .as_array()
        .expect("notices")
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["kind"] == "webhook.disabled")
        .unwrap_or_else(|| panic!("no notice: {notices:#}"))
        .clone();
    assert_eq!(notice["recordId"], endpoint.as_str());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.received().len(), 3, "nothing sent while disabled");

    // The receiver is mended and the endpoint enabled: what waited is sent.
    receiver.set(false);
    let enabled = app
        .data(
            "mutation($id: ID!) { setWebhookDisabled(input: { id: $id, disabled: false }) { webhook { disabled failureRun } } }",
            json!({ "id": endpoint }),
        )
        .await;
    assert_eq!(enabled["setWebhookDisabled"]["webhook"]["disabled"], false);
    let received = receiver
        .until(Duration::from_secs(20), |r| {
            r.iter().any(|r| r.answered == 200)
        })
        .await;
    assert!(verifies(&secret, received.last().expect("one")));
    // Redelivery sends a delivered one again, under the same id.
    redeliver(&app, &delivery["id"]).await;
    let received = receiver
        .until(Duration::from_secs(20), |r| {
            r.iter().filter(|r| r.answered == 200).count() == 2
        })
        .await;
    assert!(
        received
            .iter()
            .all(|r| r.id == delivery["id"].as_str().expect("id"))
    );
}

/// A redelivery asked for while an attempt is in flight is not undone by that attempt's outcome:
/// the delivery is sent again once the attempt ends (CI caught this race on 2026-12-07).
#[actix_web::test]
async fn a_redelivery_asked_for_during_an_attempt_sends_the_delivery_again() {
    let receiver = Receiver::start(0).await;
    receiver.hold(true);
    let app = spawn_with(settings(|_| {}), true).await;
    let (endpoint, _) = register(&app, &receiver.url).await;
    app.data(
        DISABLE_USER,
        json!({ "id": demo_user("huyen.thoxuan"), "d": true }),
    )
    .await;
    receiver
        .until_inbox(Duration::from_secs(20), |inbox| inbox.held == 1)
        .await;
    let log = app.data(LOG, json!({ "id": endpoint })).await;
    let delivery = log["webhook"]["deliveries"]["edges"][0]["node"].clone();
    assert_eq!(delivery["attempts"], 0, "{log:#}");
    redeliver(&app, &delivery["id"]).await;
    receiver.hold(false);
    let received = receiver
        .until(Duration::from_secs(20), |r| {
            r.iter().filter(|r| r.answered == 200).count() == 2
        })
        .await;
    assert!(
        received
            .iter()
            .all(|r| r.id == delivery["id"].as_str().expect("id"))
    );
    // Both attempts are counted and the second one's outcome stands.
    let start = Instant::now();
    loop {
        let log = app.data(LOG, json!({ "id": endpoint })).await;
        let node = &log["webhook"]["deliveries"]["edges"][0]["node"];
        if node["status"] == "DELIVERED" {
            assert_eq!(node["attempts"], 2, "{log:#}");
            assert_eq!(node["lastStatusCode"], 200, "{log:#}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{log:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn registering_checks_the_url_the_scope_and_the_role() {
    let app = spawn_with(settings(|_| {}), true).await;
    let department = app.demo_token("so.thanhhoa").await;
    let attempt = |token: String, input: Value| {
        let app = &app;
        async move {
            let response = app
                .gql_as(Some(&token), REGISTER, json!({ "input": input }))
                .await;
            response["errors"][0].clone()
        }
    };
    let valid = json!({ "clientId": demo_client(), "url": "http://127.0.0.1:9/hook" });
    for (url, why) in [
        ("http://10.0.0.5/hook", "a host not in the list"),
        ("http://localhost:9/hook", "a name not in the list"),
        ("ftp://127.0.0.1/hook", "not HTTP"),
        ("http://user:pw@127.0.0.1:9/hook", "credentials"),
        ("hook", "not a URL"),
    ] {
        let mut input = valid.clone();
        input["url"] = json!(url);
        let error = attempt(department.clone(), input).await;
        assert_eq!(code(&error), "BAD_USER_INPUT", "{why}: {error:#}");
        assert_eq!(field(&error), "input.url", "{why}");
    }
    let mut long = valid.clone();
    long["description"] = json!("x".repeat(501));
    assert_eq!(
        field(&attempt(department.clone(), long).await),
        "input.description"
    );
    // A district may not; another province's department does not see the client.
    let district = app.demo_token("huyen.trieuson").await;
    assert_eq!(code(&attempt(district, valid.clone()).await), "FORBIDDEN");
    let caobang = app.demo_token("so.caobang").await;
    assert_eq!(code(&attempt(caobang, valid.clone()).await), "NOT_FOUND");
    let mut unknown = valid.clone();
    unknown["clientId"] = json!(uuid::Uuid::now_v7().to_string());
    assert_eq!(
        code(&attempt(department.clone(), unknown).await),
        "NOT_FOUND"
    );
    assert_eq!(
        crate::helpers::count(&app, "SELECT COUNT(*) AS n FROM webhook_endpoint").await,
        0,
        "nothing written"
    );
    let registered = app
        .gql_as(Some(&department), REGISTER, json!({ "input": valid }))
        .await;
    assert_eq!(
        registered["data"]["registerWebhook"]["webhook"]["types"],
        json!([]),
        "every type when none is named"
    );
    // Only who may look after it sees it.
    let caobang = app.demo_token("so.caobang").await;
    let listed = app
        .gql_as(Some(&caobang), "{ webhooks { id } }", json!({}))
        .await;
    assert_eq!(listed["data"]["webhooks"], json!([]));
    let listed = app
        .gql_as(Some(&department), "{ webhooks { id url } }", json!({}))
        .await;
    assert_eq!(
        listed["data"]["webhooks"][0]["url"],
        "http://127.0.0.1:9/hook"
    );
}

#[actix_web::test]
async fn the_allowed_hosts_are_checked_again_before_every_attempt() {
    // This process only writes; the test sends with a sender whose list no longer has the host.
    let receiver = Receiver::start(0).await;
    let app = spawn_with(settings(|s| s.webhook_interval_secs = 0), true).await;
    let (endpoint, _) = register(&app, &receiver.url).await;
    app.data(
        DISABLE_USER,
        json!({ "id": demo_user("huyen.thoxuan"), "d": true }),
    )
    .await;
    settle(&app).await;
    let narrowed = Settings {
        webhook_allowed_hosts: "10.20.0.0/16".into(),
        mode: ttdn_api::config::Mode::Dev,
        ..Settings::default()
    };
    let sender = ttdn_api::webhook::sender::Sender::from_settings(
        &narrowed,
        ttdn_api::events::bus::Bus::new(),
    )
    .expect("a sender");
    assert_eq!(sender.pass(&app.db).await.expect("a pass"), 0);
    let log = app.data(LOG, json!({ "id": endpoint })).await;
    let delivery = &log["webhook"]["deliveries"]["edges"][0]["node"];
    assert_eq!(delivery["status"], "PENDING");
    assert_eq!(delivery["attempts"], 1);
    assert!(
        delivery["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("allowed list")),
        "{delivery:#}"
    );
    assert!(receiver.received().is_empty(), "nothing reached the host");
}

/// `ttdn serve` processes that send webhooks, on the test's database.
fn sender_process(app: &TestApp) -> Process {
    Process::start_with(
        &app.database_url,
        &[
            ("TTDN_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"),
            ("TTDN_WEBHOOK_RETRY_SECS", "1"),
            ("TTDN_REMINDER_INTERVAL_SECS", "0"),
        ],
    )
}

#[actix_web::test]
async fn nothing_is_lost_across_a_restart_and_two_processes_deliver_each_change_once() {
    // This process only writes; the `ttdn serve` processes send.
    let app = spawn_with(settings(|s| s.webhook_interval_secs = 0), true).await;
    if !app.database_url.starts_with("postgres") {
        // Processes share PostgreSQL; the embedded SQLite setup is one process, whose
        // deliveries live in its database all the same (the first test).
        return;
    }
    let receiver = Receiver::start(1).await;
    let (_, secret) = register(&app, &receiver.url).await;
    let first = sender_process(&app);
    first.ready().await;
    app.data(
        DISABLE_USER,
        json!({ "id": demo_user("huyen.thoxuan"), "d": true }),
    )
    .await;
    // The first attempt is refused and recorded; then ttdn stops before the retry.
    receiver
        .until(Duration::from_secs(20), |r| !r.is_empty())
        .await;
    let start = Instant::now();
    while crate::helpers::count(
        &app,
        "SELECT COUNT(*) AS n FROM webhook_delivery WHERE attempts = 1",
    )
    .await
        == 0
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the attempt was not recorded"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(first);
    // Restarted: the delivery, pending in the database, is taken again.
    let restarted = sender_process(&app);
    let second = sender_process(&app);
    restarted.ready().await;
    second.ready().await;
    let received = receiver
        .until(Duration::from_secs(20), |r| {
            r.iter().any(|r| r.answered == 200)
        })
        .await;
    assert_eq!(received.len(), 2, "{received:#?}");
    assert!(verifies(&secret, &received[1]));

    // Twenty changes with two processes sending: each delivery taken once.
    for n in 0..10 {
        for user in ["huyen.trieuson", "xa.danluc"] {
            app.data(
                DISABLE_USER,
                json!({ "id": demo_user(user), "d": n % 2 == 0 }),
            )
            .await;
        }
    }
    let received = receiver
        .until(Duration::from_secs(40), |r| {
            r.iter().filter(|r| r.answered == 200).count() == 21
        })
        .await;
    let mut per_delivery: HashMap<&str, Vec<u16>> = HashMap::new();
    for r in &received {
        per_delivery.entry(&r.id).or_default().push(r.answered);
    }
    assert_eq!(per_delivery.len(), 21);
    assert!(
        per_delivery.values().all(|answers| answers == &[500, 200]),
        "each delivery refused once, then taken once: {per_delivery:#?}"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        receiver.received().len(),
        received.len(),
        "nothing sent twice"
    );
}
