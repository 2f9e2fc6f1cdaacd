//! Resilience: concurrent writers on one record have exactly one winner and lose nothing; a
//! database outage fails requests fast with `SERVICE_UNAVAILABLE` and the server recovers by
//! itself.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::Mutex,
    task::JoinHandle,
};

use crate::helpers::{
    TestApp, code, demo_agency, report_input, spawn_app_with_demo, spawn_with, template_id,
};

const SUBMIT: &str = "mutation($input: ReportInput!) { submitReport(input: $input) { report { id status version } } }";
const ACCEPT: &str = "mutation($input: ReviewReportInput!) { acceptReport(input: $input) { report { status version } } }";
const RETURN: &str = "mutation($input: ReviewReportInput!) { returnReport(input: $input) { report { status version } } }";
const REPORT: &str = "query($id: ID!) { report(id: $id) { status version versions { number } } }";

/// Exactly one of two concurrent answers succeeded and the other is `CONFLICT`; the winner's
/// index.
fn one_winner(answers: [&Value; 2]) -> usize {
    let won: Vec<usize> = (0..2)
        .filter(|i| answers[*i].get("errors").is_none())
        .collect();
    assert_eq!(won.len(), 1, "exactly one winner: {answers:#?}");
    let loser = answers[1 - won[0]];
    assert_eq!(code(&loser["errors"][0]), "CONFLICT", "{loser:#}");
    won[0]
}

/// Allowed audit events of `operation` on `target`.
async fn allowed_events(app: &TestApp, operation: &str, target: &str) -> usize {
    let data = app
        .data(
            "query($f: AuditFilterInput) { auditEvents(first: 100, filter: $f) { edges { node { targetId } } } }",
            json!({ "f": { "operation": operation, "outcome": "ALLOWED" } }),
        )
        .await;
    data["auditEvents"]["edges"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["node"]["targetId"] == target)
        .count()
}

/// A submission of report `id` at `version`.
fn submission(id: &str, version: &Value, news: i64) -> Value {
    let mut input = report_input(id, news);
    input["input"]["expectedVersion"] = version.clone();
    input
}

#[actix_web::test]
async fn two_clerks_submitting_and_two_reviewers_deciding_one_report_have_one_winner_each() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let template = template_id(&app, "TTDN_ANNUAL").await;
    let issued = app
        .gql_as(Some(&department), "mutation($input: IssueObligationInput!) { issueObligation(input: $input) { obligation { reports { id version } } } }", json!({ "input": {
            "issuerAgencyId": demo_agency("th.svhttdl"), "title": "Báo cáo công tác TTĐN năm 2026",
            "periodKind": "ANNUAL", "periodYear": 2026, "dueDate": "2026-12-20",
            "templateId": template, "recipients": { "agencyIds": [demo_agency("th.trieuson")] }
        } }))
        .await;
    let report = issued["data"]["issueObligation"]["obligation"]["reports"][0].clone();
    let id = report["id"].as_str().expect("a report").to_owned();

    // Two clerks of the district (two sessions) submit the same report at once.
    let (clerk_a, clerk_b) = (
        app.demo_token("huyen.trieuson").await,
        app.demo_token("huyen.trieuson").await,
    );
    let (a, b) = tokio::join!(
        app.gql_as(
            Some(&clerk_a),
            SUBMIT,
            submission(&id, &report["version"], 12)
        ),
        app.gql_as(
            Some(&clerk_b),
            SUBMIT,
            submission(&id, &report["version"], 13)
        ),
    );
    one_winner([&a, &b]);
    let stored = app.data(REPORT, json!({ "id": id })).await;
    assert_eq!(stored["report"]["status"], "SUBMITTED");
    assert_eq!(
        stored["report"]["versions"].as_array().map(Vec::len),
        Some(1),
        "one submission, one version: {stored:#}"
    );
    assert_eq!(allowed_events(&app, "report.submit", &id).await, 1);

    // Two reviewers of the department: one accepts, one returns, at once.
    let (reviewer_a, reviewer_b) = (
        app.demo_token("so.thanhhoa").await,
        app.demo_token("so.thanhhoa").await,
    );
    let version = stored["report"]["version"].clone();
    let (accepted, returned) = tokio::join!(
        app.gql_as(
            Some(&reviewer_a),
            ACCEPT,
            json!({ "input": { "id": id, "expectedVersion": version } })
        ),
        app.gql_as(
            Some(&reviewer_b),
            RETURN,
            json!({ "input": { "id": id, "comment": "Bổ sung số liệu", "expectedVersion": version } })
        ),
    );
    let winner = one_winner([&accepted, &returned]);
    let stored = app.data(REPORT, json!({ "id": id })).await;
    let (status, operation) = if winner == 0 {
        ("ACCEPTED", "report.accept")
    } else {
        ("RETURNED", "report.return")
    };
    assert_eq!(stored["report"]["status"], status, "{stored:#}");
    assert_eq!(allowed_events(&app, operation, &id).await, 1);
    let other = if winner == 0 {
        "report.return"
    } else {
        "report.accept"
    };
    assert_eq!(allowed_events(&app, other, &id).await, 0);
}

#[actix_web::test]
async fn two_administrators_moving_one_agency_have_one_winner() {
    let app = spawn_app_with_demo().await;
    let commune = demo_agency("th.trieuson.danluc");
    let current = app
        .data(
            "query($id: ID!) { agency(id: $id) { version } }",
            json!({ "id": commune }),
        )
        .await;
    let version = current["agency"]["version"].clone();
    let second_admin = app.demo_token("admin").await;
    const MOVE: &str = "mutation($input: MoveAgencyInput!) { moveAgency(input: $input) { agency { parent { id } version } } }";
    let (a, b) = tokio::join!(
        app.gql_as(
            Some(&app.admin_token),
            MOVE,
            json!({ "input": { "id": commune, "parentId": demo_agency("th.thoxuan"), "expectedVersion": version } })
        ),
        app.gql_as(
            Some(&second_admin),
            MOVE,
            json!({ "input": { "id": commune, "parentId": demo_agency("th"), "expectedVersion": version } })
        ),
    );
    let winner = one_winner([&a, &b]);
    let parent = [demo_agency("th.thoxuan"), demo_agency("th")][winner].clone();
    let stored = app
        .data(
            "query($id: ID!) { agency(id: $id) { version parent { id } } }",
            json!({ "id": commune }),
        )
        .await;
    assert_eq!(stored["agency"]["parent"]["id"], parent.as_str());
    assert_eq!(
        stored["agency"]["version"],
        version.as_i64().expect("a version") + 1
    );
    assert_eq!(allowed_events(&app, "agency.move", &commune).await, 1);
}

/// A TCP proxy in front of PostgreSQL that the test can cut and restore, to play a database
/// restart without disturbing the other tests sharing the server.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let up = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (flag, registry) = (up.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    // Down: the connection closes at once, as a stopped server's would.
                    continue;
                }
                let upstream = upstream.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                registry.lock().await.push(link);
            }
        });
        Self { port, up, links }
    }

    /// Drops every open connection and refuses new ones.
    async fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().await.drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[actix_web::test]
async fn a_database_outage_fails_fast_and_the_server_recovers_by_itself() {
    let Some(admin_url) = std::env::var("TTDN_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
    else {
        eprintln!("skipped: the outage test runs in the PostgreSQL pass");
        return;
    };
    let upstream = admin_url
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("postgres://USER@HOST:PORT/DB")
        .to_owned();
    let proxy = Proxy::start(upstream.clone()).await;
    let port = proxy.port;
    let app = spawn_with(
        move |settings| {
            settings.database_url = settings
                .database_url
                .replace(&upstream, &format!("127.0.0.1:{port}"));
            settings.database_acquire_timeout_secs = 1;
        },
        false,
    )
    .await;
    let query = "{ agencies(first: 1) { totalCount } }";
    assert!(app.gql(query, json!({})).await.get("errors").is_none());
    assert_eq!(
        app.request("GET", "/readyz", &[], Vec::new()).await.status,
        200
    );

    // A session not yet seen by this process (the administrator's token above is kept).
    let unseen = app
        .token(crate::helpers::ADMIN, crate::helpers::ADMIN_PASSWORD)
        .await;

    proxy.cut().await;
    let started = Instant::now();
    let failed = app.gql_as(Some(&unseen), query, json!({})).await;
    assert_eq!(
        code(&failed["errors"][0]),
        "SERVICE_UNAVAILABLE",
        "{failed:#}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the request must fail, not hang ({:?})",
        started.elapsed()
    );
    // Signed in, the session cannot be checked: refused before execution, so no `data`, and
    // a 503 for a client that reads statuses.
    assert!(failed.get("data").is_none(), "{failed:#}");
    let bearer = format!("Bearer {unseen}");
    let strict = app
        .gql_with(
            query,
            json!({}),
            &[
                ("accept", "application/graphql-response+json"),
                ("authorization", bearer.as_str()),
            ],
        )
        .await;
    assert_eq!(strict.status, 503, "{}", strict.text());
    // A session seen a moment ago is known without the database: the request runs, and its
    // reads fail the same way.
    let known = app.gql(query, json!({})).await;
    assert_eq!(
        code(&known["errors"][0]),
        "SERVICE_UNAVAILABLE",
        "{known:#}"
    );
    assert_eq!(
        app.request("GET", "/readyz", &[], Vec::new()).await.status,
        503
    );
    let health = app.request("GET", "/healthz", &[], Vec::new()).await;
    assert_eq!(health.status, 200, "the process itself stays up");

    proxy.restore();
    let mut recovered = false;
    for _ in 0..30 {
        if app.request("GET", "/readyz", &[], Vec::new()).await.status == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        recovered,
        "/readyz is ready again once the database is back"
    );
    let again = app.gql(query, json!({})).await;
    assert!(again.get("errors").is_none(), "{again:#}");
}
