//! A provincial e-government system, played end to end: it is registered, synchronises
//! everything it may read from the lists, then follows only the changes, once by the change
//! feed and once by webhooks, through a day of the province's work; at the end each copy holds
//! exactly what a fresh synchronisation reads, and every removal was seen.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, count, day, demo_agency, demo_user, department_asks_districts, report_input,
    report_of, settle, spawn_with,
};

/// What the system holds: ids by record type (the change feed's type names).
type Copy = BTreeMap<String, BTreeSet<String>>;

const EPOCH: &str = "1970-01-01T00:00:00Z";

/// (type, connection query with `$since` and `$after`).
const LISTS: [(&str, &str); 11] = [
    (
        "AGENCY",
        "agencies(filter: { updatedSince: $since }, first: 100, after: $after)",
    ),
    (
        "USER",
        "users(filter: { updatedSince: $since }, first: 100, after: $after)",
    ),
    (
        "SPOKESPERSON",
        "spokespeople(filter: { updatedSince: $since }, first: 100, after: $after)",
    ),
    (
        "PRESS_EVENT",
        "pressEvents(filter: { updatedSince: $since }, first: 100, after: $after)",
    ),
    (
        "INFORMATION_RELEASE",
        "informationReleases(filter: { updatedSince: $since }, first: 100, after: $after)",
    ),
    (
        "PRESS_REQUEST",
        "pressRequests(filter: { updatedSince: $since }, first: 100, after: $after)",
    ),
    (
        "REPORTING_OBLIGATION",
        "obligations(filter: { updatedSince: $since }, first: 100, after: $after)",
    ),
    (
        "REPORT",
        "reports(filter: { updatedSince: $since }, first: 100, after: $after)",
    ),
    (
        "TRAINING_SESSION",
        "trainingSessions(filter: { updatedSince: $since }, first: 100, after: $after)",
    ),
    (
        "INCIDENT",
        "incidents(filter: { updatedSince: $since }, first: 100, after: $after)",
    ),
    (
        "PLAN",
        "plans(updatedSince: $since, first: 100, after: $after)",
    ),
];

/// Everything the client may read, from the lists.
async fn synchronise(app: &TestApp, token: &str) -> Copy {
    let mut copy = Copy::new();
    for (kind, list) in LISTS {
        let query = format!(
            "query($since: DateTime, $after: String) {{ list: {list} {{ pageInfo {{ hasNextPage endCursor }} edges {{ node {{ id }} }} }} }}"
        );
        let mut after = Value::Null;
        loop {
            let page = app
                .gql_as(
                    Some(token),
                    &query,
                    json!({ "since": EPOCH, "after": after }),
                )
                .await;
            let list = &page["data"]["list"];
            let ids = copy.entry(kind.to_owned()).or_default();
            for edge in list["edges"]
                .as_array()
                .unwrap_or_else(|| panic!("{kind}: {page:#}"))
            {
                ids.insert(edge["node"]["id"].as_str().expect("id").to_owned());
            }
            if list["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = list["pageInfo"]["endCursor"].clone();
        }
    }
    let tasks = app
        .gql_as(
            Some(token),
            "query($since: DateTime) { planTasks(updatedSince: $since) { id } }",
            json!({ "since": EPOCH }),
        )
        .await;
    let ids = copy.entry("PLAN_TASK".to_owned()).or_default();
    for task in tasks["data"]["planTasks"].as_array().expect("tasks") {
        ids.insert(task["id"].as_str().expect("id").to_owned());
    }
    copy
}

/// Applies the change feed from `cursor` to `copy`; the number of entries and the ids removed.
async fn follow(app: &TestApp, token: &str, copy: &mut Copy, cursor: &str) -> (usize, Vec<String>) {
    let mut cursor = cursor.to_owned();
    let (mut read, mut removed) = (0, Vec::new());
    loop {
        let page = app
            .gql_as(
                Some(token),
                "query($after: String) { changes(after: $after, first: 100) { endCursor hasMore entries { change type id node { id } } } }",
                json!({ "after": cursor }),
            )
            .await;
        let feed = &page["data"]["changes"];
        for entry in feed["entries"]
            .as_array()
            .unwrap_or_else(|| panic!("{page:#}"))
        {
            read += 1;
            let ids = copy
                .entry(entry["type"].as_str().expect("type").to_owned())
                .or_default();
            let id = entry["id"].as_str().expect("id").to_owned();
            if entry["change"] == "LEFT_SCOPE" {
                ids.remove(&id);
                removed.push(id);
            } else if entry["node"].is_null() {
                // Out of reach since; a later entry says so.
            } else {
                ids.insert(id);
            }
        }
        cursor = feed["endCursor"].as_str().expect("cursor").to_owned();
        if feed["hasMore"] != true {
            return (read, removed);
        }
    }
}

/// Applies webhook bodies to `copy`, reading each record as the client does on a delivery.
async fn apply_deliveries(app: &TestApp, token: &str, copy: &mut Copy, bodies: &[String]) {
    for body in bodies {
        let body: Value = serde_json::from_str(body).expect("JSON");
        let data = &body["data"];
        let kind = data["type"].as_str().expect("type").to_owned();
        let id = data["id"].as_str().expect("id").to_owned();
        let ids = copy.entry(kind).or_default();
        if data["change"] == "LEFT_SCOPE" {
            ids.remove(&id);
            continue;
        }
        let node = app
            .gql_as(
                Some(token),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        if node["data"]["node"]["id"] == id.as_str() {
            ids.insert(id);
        } else {
            ids.remove(&id);
        }
    }
}

/// A receiver on loopback that takes every delivery; the bodies in the order received.
async fn receiver() -> (
    String,
    web::Data<std::sync::Mutex<Vec<String>>>,
    actix_web::dev::ServerHandle,
) {
    let bodies = web::Data::new(std::sync::Mutex::new(Vec::<String>::new()));
    let data = bodies.clone();
    let server = HttpServer::new(move || {
        App::new().app_data(data.clone()).route(
            "/in",
            web::post().to(
                |body: web::Bytes, bodies: web::Data<std::sync::Mutex<Vec<String>>>| async move {
                    bodies
                        .lock()
                        .expect("bodies")
                        .push(String::from_utf8_lossy(&body).into_owned());
                    HttpResponse::NoContent().finish()
                },
            ),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .expect("bind");
    let url = format!("http://127.0.0.1:{}/in", server.addrs()[0].port());
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    (url, bodies, handle)
}

async fn ok(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let response = app.gql_as(Some(token), query, variables).await;
    assert!(response.get("errors").is_none(), "{query}: {response:#}");
    response["data"].clone()
}

#[actix_web::test]
async fn a_provincial_system_syncs_then_follows_a_day_of_changes_by_feed_and_by_webhook() {
    let app = spawn_with(
        |s| {
            s.webhook_allowed_hosts = "127.0.0.1".into();
            s.webhook_retry_secs = 1;
        },
        true,
    )
    .await;
    // Registered by the administrator, for the province, with an endpoint.
    let (client_id, token) = crate::helpers::service_client(
        &app,
        "th",
        json!(["AGENCIES_READ", "USERS_READ", "PRESS_READ", "REPORTS_READ"]),
    )
    .await;
    let (url, bodies, server) = receiver().await;
    app.data(
        "mutation($c: ID!, $u: String!) { registerWebhook(input: { clientId: $c, url: $u }) { webhook { id } } }",
        json!({ "c": client_id, "u": url }),
    )
    .await;

    // It takes the head of the feed, then synchronises from the lists.
    let head = app
        .gql_as(
            Some(&token),
            "{ changes(first: 0) { endCursor } }",
            json!({}),
        )
        .await["data"]["changes"]["endCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let mut by_feed = synchronise(&app, &token).await;
    let mut by_webhook = by_feed.clone();
    let xuan_lam_account = demo_user("xa.xuanlam");
    assert!(by_feed["USER"].contains(&xuan_lam_account));

    // A day of the province's work.
    let department = app.demo_token("so.thanhhoa").await;
    let district = app.demo_token("huyen.trieuson").await;
    let commune = app.demo_token("xa.danluc").await;
    let press = app.demo_token("bao.thanhhoa").await;
    let obligation =
        department_asks_districts(&app, Some(("1450/SVHTTDL-TTĐN", &day(0))), &day(20)).await;
    let cascaded = ok(
        &app,
        &district,
        "mutation($input: CascadeObligationInput!) { cascadeObligation(input: $input) { obligation { id reports { id recipient { name } } } } }",
        json!({ "input": { "parentId": obligation["id"], "dueDate": day(10), "recipients": { "kinds": ["COMMUNE"] } } }),
    )
    .await;
    let commune_report = report_of(
        &cascaded["cascadeObligation"]["obligation"],
        "UBND xã Dân Lực",
    );
    ok(
        &app,
        &commune,
        "mutation($input: ReportInput!) { submitReport(input: $input) { report { id } } }",
        report_input(&commune_report, 7),
    )
    .await;
    let release = ok(
        &app,
        &department,
        "mutation($input: CreateReleaseInput!) { createRelease(input: $input) { informationRelease { id } } }",
        json!({ "input": { "issuingAgencyId": demo_agency("th.svhttdl"), "content": {
            "kind": "PRESS_RELEASE", "title": "Thông cáo báo chí về Lễ hội Lam Kinh",
            "body": "Lễ hội diễn ra tại Thọ Xuân.", "topics": ["Lễ hội"], "audience": "PUBLIC",
            "spokespersonId": ttdn_api::demo::demo_id("spokesperson.head.th.svhttdl").to_string()
        } } }),
    )
    .await["createRelease"]["informationRelease"]["id"]
        .clone();
    for mutation in [
        "mutation($id: ID!) { publishRelease(input: { id: $id }) { informationRelease { id } } }",
        "mutation($id: ID!) { withdrawRelease(input: { id: $id, reason: \"Đổi lịch\" }) { informationRelease { id } } }",
    ] {
        ok(&app, &department, mutation, json!({ "id": release })).await;
    }
    let request = ok(
        &app,
        &press,
        "mutation($a: ID!) { sendPressRequest(input: { addressedAgencyId: $a, subject: \"Lễ hội Lam Kinh\", question: \"Xin cho biết lịch mới.\" }) { pressRequest { id } } }",
        json!({ "a": demo_agency("th.svhttdl") }),
    )
    .await["sendPressRequest"]["pressRequest"]["id"]
        .clone();
    let incident = ok(
        &app,
        &commune,
        "mutation($a: ID!, $t: DateTime!) { reportIncident(input: { affectedAgencyId: $a, sourceOutlet: \"Mạng xã hội\", category: FALSE_INFORMATION, summary: \"Tin sai về lễ hội.\", appearedAt: $t }) { incident { id } } }",
        json!({ "a": demo_agency("th.trieuson.danluc"), "t": chrono::Utc::now() - chrono::Duration::hours(1) }),
    )
    .await["reportIncident"]["incident"]["id"]
        .clone();
    let appointed = ok(
        &app,
        &district,
        "mutation($input: AppointSpokespersonInput!) { appointSpokesperson(input: $input) { spokesperson { id } } }",
        json!({ "input": {
            "agencyId": demo_agency("th.trieuson.danluc"), "fullName": "Đinh Thị Ngọc Ánh",
            "title": "Phó Chủ tịch UBND xã", "kind": "APPOINTED", "termFrom": day(0)
        } }),
    )
    .await["appointSpokesperson"]["spokesperson"]["id"]
        .clone();
    ok(
        &app,
        &district,
        "mutation($id: ID!) { publishSpokesperson(input: { id: $id }) { spokesperson { id } } }",
        json!({ "id": appointed }),
    )
    .await;
    // The account of Xuân Lâm is disabled, then the commune is moved to another province:
    // its account leaves the system's reach.
    app.data(
        "mutation($id: ID!) { setUserDisabled(input: { id: $id, disabled: true }) { user { id } } }",
        json!({ "id": xuan_lam_account }),
    )
    .await;
    app.data(
        "mutation($input: MoveAgencyInput!) { moveAgency(input: $input) { agency { id } } }",
        json!({ "input": { "id": demo_agency("th.thoxuan.xuanlam"), "parentId": demo_agency("cb") } }),
    )
    .await;
    settle(&app).await;

    // By the feed.
    let (entries, removed) = follow(&app, &token, &mut by_feed, &head).await;
    // By webhook: every delivery taken, then applied.
    let start = Instant::now();
    while count(
        &app,
        "SELECT COUNT(*) AS n FROM webhook_delivery WHERE status <> 'DELIVERED'",
    )
    .await
        > 0
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "deliveries left pending"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivered: Vec<String> = bodies.lock().expect("bodies").clone();
    assert_eq!(
        delivered.len(),
        entries,
        "one delivery per entry of the feed"
    );
    apply_deliveries(&app, &token, &mut by_webhook, &delivered).await;
    drop(server.stop(false));

    // Exactly what a fresh synchronisation reads, both ways.
    let truth = synchronise(&app, &token).await;
    assert_eq!(by_feed, truth, "the copy kept by the feed");
    assert_eq!(by_webhook, truth, "the copy kept by webhooks");
    assert!(removed.contains(&xuan_lam_account), "{removed:?}");
    assert!(!truth["USER"].contains(&xuan_lam_account));
    // And the day's records are there.
    for (kind, id) in [
        (
            "REPORTING_OBLIGATION",
            obligation["id"].as_str().expect("id"),
        ),
        ("REPORT", commune_report.as_str()),
        ("INFORMATION_RELEASE", release.as_str().expect("id")),
        ("SPOKESPERSON", appointed.as_str().expect("id")),
        ("PRESS_REQUEST", request.as_str().expect("id")),
        ("INCIDENT", incident.as_str().expect("id")),
    ] {
        assert!(truth[kind].contains(id), "{kind} {id}");
    }
}
