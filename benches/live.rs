//! Live benchmark: what the events backbone costs and how fast it tells people.
//!
//! 1. **Write path with and without the outbox.** Two servers in this process on one database,
//!    one writing domain events with every mutation (as always), one not (the switch exists for
//!    this measurement only: `Settings::record_events`, which no setting reaches). The
//!    department issues công văn to ten communes on each, in interleaved rounds; between rounds
//!    the dispatcher finishes its backlog, so that each round pays for its own notices. Prints
//!    p50/p99 of each and the ratio of the p99 medians (goal: at most 1.10).
//! 2. **Delivery to open subscriptions.** `ttdn serve` in a process of its own; 1,000 accounts
//!    each open a WebSocket and subscribe to `notificationAdded`; each công văn goes to ten
//!    communes, whose 100 connected officers are told. Prints p50/p99 of the delivery latency
//!    (from the moment the mutation is sent), the mutation's own latency, deliveries missed or
//!    misdirected, and the server's resident memory per connection.
//!
//! ```text
//! cargo bench --bench live -- [--database-url URL] [--connections 1000] [--reached 100]
//!     [--events 20] [--writes 1000] [--rounds 5] [--concurrency 4] [--only write|delivery]
//!     [--json target/bench/live.json]
//! ```
//!
//! The default database is a fresh SQLite file under the system temp directory, filled with
//! the synthetic province. See `docs/performance.md` for the figures.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

/// The allocator `ttdn` itself runs with (src/main.rs), so that the benchmark measures it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::{
    cell::RefCell,
    rc::Rc,
    time::{Duration, Instant},
};

mod common;

use awc::ws::{Codec, Frame, Message};
use common::{percentile, rss_kib};
use futures_util::{SinkExt, StreamExt, stream};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};
use ttdn_api::{
    config::{Mode, Secret, Settings},
    db,
    startup::Application,
    synthetic::{self, Scale},
};

struct Options {
    database_url: String,
    connections: usize,
    reached: usize,
    events: usize,
    writes: usize,
    rounds: usize,
    concurrency: usize,
    json: String,
    /// Run one part only: `write` or `delivery`.
    only: Option<String>,
}

fn options() -> Options {
    let mut options = Options {
        database_url: String::new(),
        connections: 1000,
        reached: 100,
        events: 20,
        writes: 1000,
        rounds: 5,
        concurrency: 4,
        json: "target/bench/live.json".into(),
        only: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        let number = || value.parse::<usize>().expect("a number");
        match args[i].as_str() {
            "--database-url" => options.database_url = value.clone(),
            "--connections" => options.connections = number(),
            "--reached" => options.reached = number(),
            "--events" => options.events = number(),
            "--writes" => options.writes = number(),
            "--rounds" => options.rounds = number(),
            "--concurrency" => options.concurrency = number(),
            "--json" => options.json = value.clone(),
            "--only" => options.only = Some(value.clone()),
            // `cargo bench` passes `--bench`; anything else is ignored.
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    if options.database_url.is_empty() {
        // A fresh file each run: the rounds add công văn, and the figures should not depend on
        // how many earlier runs added.
        let file = std::env::temp_dir().join("ttdn-live-bench.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        options.database_url = format!("sqlite://{}?mode=rwc", file.display());
    }
    assert!(
        options.reached <= 110 && options.reached <= options.connections,
        "--reached: at most 110 (ten communes of eleven accounts) and at most --connections"
    );
    options
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// A GraphQL client of one server.
#[derive(Clone)]
struct Client {
    http: awc::Client,
    address: String,
}

impl Client {
    fn new(address: String) -> Self {
        Self {
            http: awc::Client::builder()
                .timeout(Duration::from_secs(60))
                .finish(),
            address,
        }
    }

    async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self.http.post(format!("{}/graphql", self.address));
        if let Some(token) = token {
            request = request.insert_header(("authorization", format!("Bearer {token}")));
        }
        let mut response = request
            .send_json(&json!({ "query": query, "variables": variables }))
            .await
            .expect("a response");
        let body: Value = response.json().limit(16 * 1024 * 1024).await.expect("JSON");
        assert!(body["errors"].is_null(), "{body:#}");
        body["data"].clone()
    }

    async fn login(&self, username: &str) -> String {
        let data = self
            .gql(
                None,
                "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                json!({ "i": { "username": username, "password": synthetic::PASSWORD } }),
            )
            .await;
        data["login"]["accessToken"]
            .as_str()
            .expect("a token")
            .to_owned()
    }

    /// The department (`issuer`) issues a công văn to `communes`.
    async fn issue(&self, token: &str, issuer: &str, template: &str, communes: &[String]) {
        self.gql(
            Some(token),
            "mutation($input: IssueObligationInput!) { issueObligation(input: $input) { obligation { id } } }",
            json!({ "input": {
                "issuerAgencyId": issuer, "title": "Báo cáo nhanh công tác TTĐN",
                "periodKind": "ANNUAL", "periodYear": 2026, "dueDate": "2027-01-15",
                "templateId": template, "recipients": { "agencyIds": communes }
            } }),
        )
        .await;
    }
}

/// What the rounds work with, read once from the synthetic province.
struct Province {
    /// The lead department's agency id.
    department: String,
    /// The annual TTĐN template's id.
    template: String,
    /// The ten communes each công văn goes to.
    recipients: Vec<String>,
}

async fn province(client: &Client, department: &str) -> Province {
    let me = client
        .gql(Some(department), "{ me { agency { id } } }", json!({}))
        .await;
    let templates = client
        .gql(
            Some(department),
            "{ reportTemplates { id code } }",
            json!({}),
        )
        .await;
    let template = templates["reportTemplates"]
        .as_array()
        .and_then(|all| all.iter().find(|t| t["code"] == "TTDN_ANNUAL"))
        .and_then(|t| t["id"].as_str())
        .expect("the annual template")
        .to_owned();
    let mut recipients = Vec::new();
    for c in 0..10 {
        let token = client.login(&synthetic::commune_user(0, c)).await;
        let me = client
            .gql(Some(&token), "{ me { agency { id } } }", json!({}))
            .await;
        recipients.push(me["me"]["agency"]["id"].as_str().unwrap().to_owned());
    }
    Province {
        department: me["me"]["agency"]["id"].as_str().unwrap().to_owned(),
        template,
        recipients,
    }
}

/// Waits until the dispatcher has taken every event written so far.
async fn settle(database: &DatabaseConnection) {
    let start = Instant::now();
    loop {
        let pending = database
            .query_one_raw(Statement::from_string(
                database.get_database_backend(),
                "SELECT COUNT(*) AS n FROM domain_event WHERE position IS NULL",
            ))
            .await
            .expect("count")
            .and_then(|row| row.try_get::<i64>("", "n").ok())
            .unwrap_or(0);
        if pending == 0 || start.elapsed() > Duration::from_secs(120) {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

fn settings(database_url: &str, secret: &str, record_events: bool) -> Settings {
    Settings {
        database_url: database_url.to_owned(),
        database_max_connections: 8,
        bind: "127.0.0.1:0".into(),
        log: "error".into(),
        mode: Mode::Production,
        jwt_secret: Secret(secret.to_owned()),
        reminder_interval_secs: 0,
        budget_admin: 0,
        budget_provincial_department: 0,
        budget_district: 0,
        budget_commune: 0,
        budget_press: 0,
        budget_integration: 0,
        record_events,
        ..Settings::default()
    }
}

/// `writes` công văn at `concurrency`; their latencies, sorted.
async fn write_round(
    client: &Client,
    token: &str,
    province: &Province,
    writes: usize,
    concurrency: usize,
) -> Vec<Duration> {
    let mut latencies: Vec<Duration> = stream::iter(0..writes)
        .map(|_| async {
            let began = Instant::now();
            client
                .issue(
                    token,
                    &province.department,
                    &province.template,
                    &province.recipients,
                )
                .await;
            began.elapsed()
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    latencies.sort();
    latencies
}

async fn write_path(options: &Options, secret: &str) -> anyhow::Result<Value> {
    let database = db::connect(&options.database_url, 16).await?;
    let mut clients = Vec::new();
    for record_events in [true, false] {
        let app = Application::build(
            &settings(&options.database_url, secret, record_events),
            database.clone(),
        )?;
        clients.push(Client::new(format!("http://127.0.0.1:{}", app.port())));
        actix_web::rt::spawn(app.run_until_stopped());
    }
    let token = clients[0].login(&synthetic::department_user(0)).await;
    let province = province(&clients[0], &token).await;
    // Warm both servers (pools, caches) before measuring.
    for client in &clients {
        write_round(client, &token, &province, 10, options.concurrency).await;
    }
    settle(&database).await;
    let mut p50s = [Vec::new(), Vec::new()];
    let mut p99s = [Vec::new(), Vec::new()];
    for round in 0..options.rounds {
        for (mode, client) in clients.iter().enumerate() {
            let latencies = write_round(
                client,
                &token,
                &province,
                options.writes,
                options.concurrency,
            )
            .await;
            settle(&database).await;
            let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
            println!(
                "  round {}, {:<15} p50 {p50:>7.2} ms  p99 {p99:>7.2} ms",
                round + 1,
                ["with outbox", "without outbox"][mode]
            );
            p50s[mode].push(p50);
            p99s[mode].push(p99);
        }
    }
    let [with_p50, without_p50] = p50s.map(|mut v| median(&mut v));
    let [with_p99, without_p99] = p99s.clone().map(|mut v| median(&mut v));
    let ratio = with_p99 / without_p99;
    println!(
        "issueObligation to ten communes, {} writes × {} rounds at concurrency {} (medians of the rounds):",
        options.writes, options.rounds, options.concurrency
    );
    println!("  with the outbox     p50 {with_p50:>7.2} ms  p99 {with_p99:>7.2} ms");
    println!("  without the outbox  p50 {without_p50:>7.2} ms  p99 {without_p99:>7.2} ms");
    println!("  p99 ratio {ratio:.3} (goal: at most 1.10)");
    Ok(json!({
        "writes": options.writes, "rounds": options.rounds, "concurrency": options.concurrency,
        "withOutbox": { "p50Ms": with_p50, "p99Ms": with_p99, "p99MsByRound": p99s[0] },
        "withoutOutbox": { "p50Ms": without_p50, "p99Ms": without_p99, "p99MsByRound": p99s[1] },
        "p99Ratio": ratio,
    }))
}

/// `ttdn serve` in a process of its own.
struct Server {
    child: std::process::Child,
    address: String,
}

impl Server {
    async fn start(database_url: &str, secret: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_ttdn"))
            .arg("serve")
            .current_dir(std::env::temp_dir())
            .env("TTDN_DATABASE_URL", database_url)
            .env("TTDN_BIND", format!("127.0.0.1:{port}"))
            .env("TTDN_JWT_SECRET", secret)
            .env("TTDN_LOG", "error")
            .env("TTDN_REMINDER_INTERVAL_SECS", "0")
            .env("TTDN_BUDGET_PROVINCIAL_DEPARTMENT", "0")
            .env("TTDN_BUDGET_COMMUNE", "0")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start ttdn serve");
        let server = Self {
            child,
            address: format!("http://127.0.0.1:{port}"),
        };
        let start = Instant::now();
        while !awc::Client::default()
            .get(format!("{}/readyz", server.address))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "ttdn did not start"
            );
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    fn rss_kib(&self) -> f64 {
        rss_kib(&self.child.id().to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Socket = actix_codec::Framed<awc::BoxedSocket, Codec>;

/// Opens, initialises and subscribes one connection; `None` when the server refused.
async fn subscribe(address: &str, token: &str) -> Option<Socket> {
    let url = format!("{}/graphql/ws", address.replacen("http", "ws", 1));
    let (_, mut socket) = awc::Client::new()
        .ws(url)
        .protocols(["graphql-transport-ws"])
        .connect()
        .await
        .ok()?;
    let send = |value: Value| Message::Text(value.to_string().into());
    socket
        .send(send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })))
        .await
        .ok()?;
    match socket.next().await {
        Some(Ok(Frame::Text(bytes)))
            if bytes.as_ref().starts_with(br#"{"type":"connection_ack""#) => {}
        _ => return None,
    }
    socket
        .send(send(json!({ "id": "n", "type": "subscribe", "payload": {
            "query": "subscription { notificationAdded { recordId } }"
        } })))
        .await
        .ok()?;
    Some(socket)
}

/// Reads `socket` until it closes, noting when each notice arrives.
async fn listen(mut socket: Socket, index: usize, heard: Rc<RefCell<Vec<(usize, Instant)>>>) {
    while let Some(Ok(frame)) = socket.next().await {
        match frame {
            Frame::Text(bytes) => {
                let message: Value = serde_json::from_slice(&bytes).unwrap_or_default();
                match message["type"].as_str() {
                    Some("next") => heard.borrow_mut().push((index, Instant::now())),
                    Some("ping") => {
                        let pong = json!({ "type": "pong" }).to_string();
                        let _ = socket.send(Message::Text(pong.into())).await;
                    }
                    _ => {}
                }
            }
            Frame::Ping(bytes) => {
                let _ = socket.send(Message::Pong(bytes)).await;
            }
            Frame::Close(_) => return,
            _ => {}
        }
    }
}

async fn delivery(options: &Options, secret: &str) -> anyhow::Result<Value> {
    let server = Server::start(&options.database_url, secret).await;
    let client = Client::new(server.address.clone());
    let department = client.login(&synthetic::department_user(0)).await;
    let province = province(&client, &department).await;
    // The accounts: first those of the ten recipient communes (eleven each), then those of the
    // other communes; the first `reached` connections are the ones each công văn reaches.
    let shape = Scale::Province.shape();
    let accounts = |communes: std::ops::Range<usize>| {
        communes.flat_map(move |c| {
            (0..shape.accounts_per_agency).map(move |n| synthetic::commune_account(0, c, n))
        })
    };
    let usernames: Vec<String> = accounts(0..10)
        .take(options.reached)
        .chain(accounts(10..shape.communes))
        .take(options.connections)
        .collect();
    assert_eq!(
        usernames.len(),
        options.connections,
        "the synthetic province has fewer accounts than --connections"
    );
    let signed_in = Instant::now();
    let tokens: Vec<String> = stream::iter(&usernames)
        .map(|u| client.login(u))
        .buffered(8)
        .collect()
        .await;
    eprintln!(
        "{} accounts signed in in {:.1?}",
        tokens.len(),
        signed_in.elapsed()
    );
    let rss_before = server.rss_kib();
    let heard = Rc::new(RefCell::new(Vec::new()));
    let opened = Instant::now();
    let sockets: Vec<Option<Socket>> = stream::iter(&tokens)
        .map(|t| subscribe(&server.address, t))
        .buffered(32)
        .collect()
        .await;
    let refused = sockets.iter().filter(|s| s.is_none()).count();
    for (index, socket) in sockets.into_iter().enumerate() {
        if let Some(socket) = socket {
            actix_web::rt::spawn(listen(socket, index, heard.clone()));
        }
    }
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    let rss_after = server.rss_kib();
    let per_connection = (rss_after - rss_before) / options.connections as f64;
    eprintln!(
        "{} connections subscribed in {:.1?} ({refused} refused)",
        options.connections,
        opened.elapsed()
    );

    let (mut latencies, mut mutations) = (Vec::new(), Vec::new());
    let (mut missed, mut misdirected) = (0, 0);
    for _ in 0..options.events {
        heard.borrow_mut().clear();
        let sent = Instant::now();
        client
            .issue(
                &department,
                &province.department,
                &province.template,
                &province.recipients,
            )
            .await;
        mutations.push(sent.elapsed());
        let deadline = sent + Duration::from_secs(10);
        while heard.borrow().len() < options.reached && Instant::now() < deadline {
            actix_web::rt::time::sleep(Duration::from_millis(1)).await;
        }
        // A moment more, so that a notice to someone not asked would be seen.
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        let heard = heard.borrow();
        missed += options.reached.saturating_sub(heard.len());
        misdirected += heard.iter().filter(|(i, _)| *i >= options.reached).count();
        latencies.extend(heard.iter().map(|(_, at)| at.duration_since(sent)));
    }
    latencies.sort();
    mutations.sort();
    let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    let mutation_p50 = percentile(&mutations, 0.5);
    println!(
        "{} connections subscribed to notificationAdded, {} công văn each reaching {} of them:",
        options.connections, options.events, options.reached
    );
    println!(
        "  delivery from the mutation sent: p50 {p50:.1} ms, p99 {p99:.1} ms (the mutation itself: p50 {mutation_p50:.1} ms)"
    );
    println!(
        "  {} delivered, {missed} missed, {misdirected} to connections not reached, {refused} connections refused",
        latencies.len()
    );
    println!(
        "  server RSS {:.1} MiB before the connections, {:.1} MiB with them: {per_connection:.1} KiB per connection",
        rss_before / 1024.0,
        rss_after / 1024.0
    );
    Ok(json!({
        "connections": options.connections, "events": options.events, "reached": options.reached,
        "deliveryP50Ms": p50, "deliveryP99Ms": p99, "mutationP50Ms": mutation_p50,
        "delivered": latencies.len(), "missed": missed, "misdirected": misdirected, "refused": refused,
        "serverRssKiB": { "before": rss_before, "after": rss_after, "perConnection": per_connection },
    }))
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let options = options();
    let database = db::connect(&options.database_url, 8).await?;
    db::migrate(&database).await?;
    let generated = synthetic::generate(&database, Scale::Province, 2026, &|_| {}).await;
    if generated.is_err() {
        eprintln!("the database holds data already: using it as it is");
    }
    database.close().await?;
    let backend = if options.database_url.starts_with("sqlite") {
        "sqlite"
    } else {
        "postgres"
    };
    println!("ttdn live benchmark: {backend}, province scale");
    let secret = format!("bench-secret-{}", uuid::Uuid::new_v4().simple());
    let runs = |part: &str| options.only.as_deref().is_none_or(|only| only == part);
    let live = if runs("delivery") {
        delivery(&options, &secret).await?
    } else {
        Value::Null
    };
    let write = if runs("write") {
        write_path(&options, &secret).await?
    } else {
        Value::Null
    };
    let output = json!({ "backend": backend, "delivery": live, "writePath": write });
    if let Some(dir) = std::path::Path::new(&options.json).parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&options.json, serde_json::to_string_pretty(&output)?)?;
    println!("written to {}", options.json);
    Ok(())
}
