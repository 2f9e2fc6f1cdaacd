//! The change feed of service clients: the changes of what a client may read, in commit order,
//! resumable from a cursor, with tombstones for what left its reach and nothing about what it
//! never could read.

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, code, demo_agency, demo_user, department_asks_districts, field, settle,
    spawn_app_with_demo,
};

const CHANGES: &str = "query($after: String, $types: [ChangeRecordType!], $first: Int) { changes(after: $after, types: $types, first: $first) { endCursor hasMore entries { cursor change type id operation occurredAt node { __typename id ... on InformationRelease { status } } } } }";

/// A service client of UBND huyện Triệu Sơn with `scopes`; its access token.
async fn district_client(app: &TestApp, scopes: Value) -> String {
    crate::helpers::service_client(app, "th.trieuson", scopes)
        .await
        .1
}

async fn read(app: &TestApp, token: &str, after: Option<&str>, first: i64) -> Value {
    let response = app
        .gql_as(
            Some(token),
            CHANGES,
            json!({ "after": after, "first": first }),
        )
        .await;
    assert!(response.get("errors").is_none(), "{response:#}");
    response["data"]["changes"].clone()
}

/// Every entry after `after`, read `first` at a time; and the last cursor.
async fn follow(app: &TestApp, token: &str, after: &str, first: i64) -> (Vec<Value>, String) {
    let (mut entries, mut cursor) = (Vec::new(), after.to_owned());
    loop {
        let page = read(app, token, Some(&cursor), first).await;
        entries.extend(page["entries"].as_array().expect("entries").iter().cloned());
        cursor = page["endCursor"].as_str().expect("cursor").to_owned();
        if page["hasMore"] == false {
            return (entries, cursor);
        }
    }
}

fn of<'a>(entries: &'a [Value], id: &str) -> Vec<&'a Value> {
    entries.iter().filter(|e| e["id"] == id).collect()
}

#[actix_web::test]
async fn a_client_follows_what_it_may_read_in_commit_order_and_sees_what_leaves_its_scope() {
    let app = spawn_app_with_demo().await;
    let client = district_client(
        &app,
        json!(["AGENCIES_READ", "USERS_READ", "PRESS_READ", "REPORTS_READ"]),
    )
    .await;
    // Where the feed stands before the client reads the lists.
    let start = read(&app, &client, None, 0).await;
    assert_eq!(start["entries"], json!([]));
    let start = start["endCursor"].as_str().expect("cursor").to_owned();

    // The district drafts a release (no client ever reads a draft), publishes and withdraws it.
    let district = app.demo_token("huyen.trieuson").await;
    let created = app
        .gql_as(
            Some(&district),
            "mutation($input: CreateReleaseInput!) { createRelease(input: $input) { informationRelease { id } } }",
            json!({ "input": { "issuingAgencyId": demo_agency("th.trieuson"), "content": {
                "kind": "PRESS_RELEASE", "title": "Thông cáo về mùa lúa Triệu Sơn",
                "body": "Năm nay huyện được mùa.", "topics": ["Nông nghiệp"], "audience": "PUBLIC",
                "spokespersonId": ttdn_api::demo::demo_id("spokesperson.head.th.trieuson").to_string()
            } } }),
        )
        .await;
    let release = created["data"]["createRelease"]["informationRelease"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created:#}"))
        .to_owned();
    // Dispatched while still a draft: the client is told nothing of it.
    settle(&app).await;
    for mutation in [
        "mutation($id: ID!) { publishRelease(input: { id: $id }) { informationRelease { id } } }",
        "mutation($id: ID!) { withdrawRelease(input: { id: $id, reason: \"Số liệu chưa chính xác\" }) { informationRelease { id } } }",
    ] {
        let done = app
            .gql_as(Some(&district), mutation, json!({ "id": release }))
            .await;
        assert!(done.get("errors").is_none(), "{done:#}");
    }
    // The department asks every district for a report: the client reads the obligation and
    // Triệu Sơn's report, not the other districts'.
    let obligation = department_asks_districts(&app, None, &crate::helpers::day(30)).await;
    let trieu_son_report = crate::helpers::report_of(&obligation, "UBND huyện Triệu Sơn");
    let tho_xuan_report = crate::helpers::report_of(&obligation, "UBND huyện Thọ Xuân");
    // Dân Lực moves from Triệu Sơn to Thọ Xuân: its account leaves the client's scope.
    let moved = app
        .gql(
            "mutation($input: MoveAgencyInput!) { moveAgency(input: $input) { agency { id } } }",
            json!({ "input": { "id": demo_agency("th.trieuson.danluc"), "parentId": demo_agency("th.thoxuan") } }),
        )
        .await;
    assert!(moved.get("errors").is_none(), "{moved:#}");
    settle(&app).await;

    let (entries, end) = follow(&app, &client, &start, 3).await;
    let release_entries = of(&entries, &release);
    let changes: Vec<&Value> = release_entries.iter().map(|e| &e["change"]).collect();
    assert_eq!(
        changes,
        [&json!("UPDATED"), &json!("CLOSED")],
        "{entries:#?}"
    );
    assert_eq!(release_entries[0]["operation"], "release.publish");
    assert_eq!(release_entries[1]["node"]["status"], "WITHDRAWN");
    assert_eq!(release_entries[1]["type"], "INFORMATION_RELEASE");

    let obligation_id = obligation["id"].as_str().expect("id");
    assert_eq!(of(&entries, obligation_id)[0]["change"], "CREATED");
    let report = of(&entries, &trieu_son_report);
    assert_eq!(report.len(), 1, "{entries:#?}");
    assert_eq!(report[0]["change"], "CREATED");
    assert_eq!(report[0]["node"]["id"], trieu_son_report.as_str());
    assert!(
        of(&entries, &tho_xuan_report).is_empty(),
        "another district's report"
    );

    let account = of(&entries, &demo_user("xa.danluc"));
    assert_eq!(account.len(), 1, "{entries:#?}");
    assert_eq!(account[0]["change"], "LEFT_SCOPE");
    assert_eq!(account[0]["type"], "USER");
    assert_eq!(
        account[0]["node"],
        Value::Null,
        "a tombstone carries the id only"
    );
    let agency = of(&entries, &demo_agency("th.trieuson.danluc"));
    assert_eq!(
        agency[0]["change"], "UPDATED",
        "the directory is readable everywhere"
    );

    // Commit order: the release's entries, then the obligation's, then the move's.
    let at = |id: &str| entries.iter().position(|e| e["id"] == id).expect("entry");
    assert!(at(&release) < at(obligation_id));
    assert!(at(obligation_id) < at(&demo_user("xa.danluc")));
    // Nothing about another province, and nothing twice.
    assert!(entries.iter().all(|e| e["operation"] != "release.create"));
    let mut cursors: Vec<&str> = entries
        .iter()
        .map(|e| e["cursor"].as_str().expect("c"))
        .collect();
    cursors.dedup();
    assert_eq!(cursors.len(), entries.len());

    // Caught up: the next read from the end brings nothing, and resumes at any cursor.
    let again = read(&app, &client, Some(&end), 100).await;
    assert_eq!(again["entries"], json!([]));
    assert_eq!(again["hasMore"], false);
    let second = entries[1]["cursor"].as_str().expect("cursor");
    let (resumed, _) = follow(&app, &client, second, 100).await;
    assert_eq!(resumed.as_slice(), &entries[2..]);
}

#[actix_web::test]
async fn what_a_client_never_could_read_gives_it_nothing() {
    let app = spawn_app_with_demo().await;
    // Press scope only: the department's draft, the reporting cascade and another province's
    // changes are out of its reach.
    let client = district_client(&app, json!(["PRESS_READ"])).await;
    let start = read(&app, &client, None, 0).await["endCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    department_asks_districts(&app, None, &crate::helpers::day(30)).await;
    let caobang = app.demo_token("so.caobang").await;
    let drafted = app
        .gql_as(
            Some(&caobang),
            "mutation($input: CreateReleaseInput!) { createRelease(input: $input) { informationRelease { id } } }",
            json!({ "input": { "issuingAgencyId": demo_agency("cb.svhttdl"), "content": {
                "kind": "PRESS_RELEASE", "title": "Thông cáo Cao Bằng", "body": "Nội dung.",
                "topics": [], "audience": "PUBLIC",
                "spokespersonId": ttdn_api::demo::demo_id("spokesperson.head.cb.svhttdl").to_string()
            } } }),
        )
        .await;
    let id = drafted["data"]["createRelease"]["informationRelease"]["id"].clone();
    let published = app
        .gql_as(
            Some(&caobang),
            "mutation($id: ID!) { publishRelease(input: { id: $id }) { informationRelease { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(published.get("errors").is_none(), "{published:#}");
    settle(&app).await;
    let (entries, _) = follow(&app, &client, &start, 100).await;
    assert_eq!(entries, Vec::<Value>::new());
}

#[actix_web::test]
async fn the_feed_is_for_service_clients_and_checks_what_it_is_given() {
    let app = spawn_app_with_demo().await;
    let person = app.demo_token("so.thanhhoa").await;
    let refused = app.gql_as(Some(&person), CHANGES, json!({})).await;
    assert_eq!(code(&refused["errors"][0]), "FORBIDDEN");

    let client = app.client_token().await;
    for (variables, wrong) in [
        (json!({ "after": "not-a-cursor" }), "after"),
        (json!({ "first": 101 }), "first"),
        (json!({ "first": -1 }), "first"),
    ] {
        let response = app.gql_as(Some(&client), CHANGES, variables).await;
        let error = &response["errors"][0];
        assert_eq!(code(error), "BAD_USER_INPUT", "{response:#}");
        assert_eq!(field(error), wrong);
    }
    // A position past the head of the feed was never given.
    let beyond = base64_cursor(i64::MAX / 2);
    let response = app
        .gql_as(Some(&client), CHANGES, json!({ "after": beyond }))
        .await;
    assert_eq!(field(&response["errors"][0]), "after");

    // Types narrow the feed.
    let start = read(&app, &client, None, 0).await["endCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    app.data(
        "mutation($id: ID!) { setUserDisabled(input: { id: $id, disabled: true }) { user { id } } }",
        json!({ "id": demo_user("huyen.thoxuan") }),
    )
    .await;
    settle(&app).await;
    let only_agencies = app
        .gql_as(
            Some(&client),
            CHANGES,
            json!({ "after": start, "types": ["AGENCY"] }),
        )
        .await;
    assert_eq!(only_agencies["data"]["changes"]["entries"], json!([]));
    let users = app
        .gql_as(
            Some(&client),
            CHANGES,
            json!({ "after": start, "types": ["USER"] }),
        )
        .await;
    let entries = &users["data"]["changes"]["entries"];
    assert_eq!(entries.as_array().map(Vec::len), Some(1), "{users:#}");
    assert_eq!(entries[0]["id"], demo_user("huyen.thoxuan").as_str());
    assert_eq!(entries[0]["node"]["__typename"], "User");
}

#[actix_web::test]
async fn a_read_of_the_feed_costs_the_same_whatever_its_size() {
    let app = spawn_app_with_demo().await;
    let client = district_client(
        &app,
        json!(["AGENCIES_READ", "USERS_READ", "PRESS_READ", "REPORTS_READ"]),
    )
    .await;
    let start = read(&app, &client, None, 0).await["endCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    // Changes of several types: accounts, an obligation with its reports, an agency.
    for user in ["xa.danluc", "huyen.trieuson"] {
        for disabled in [true, false, true, false, true, false] {
            app.data(
                "mutation($id: ID!, $d: Boolean!) { setUserDisabled(input: { id: $id, disabled: $d }) { user { id } } }",
                json!({ "id": demo_user(user), "d": disabled }),
            )
            .await;
        }
    }
    department_asks_districts(&app, None, &crate::helpers::day(30)).await;
    settle(&app).await;
    let query = "query($after: String, $first: Int) { changes(after: $after, first: $first) { entries { id node { id ... on User { agency { id parent { id } } } ... on Report { recipient { id } obligation { id issuer { id } } } ... on ReportingObligation { issuer { id } } } } } }";
    let cost = |first: i64| {
        let (app, client, start) = (&app, &client, &start);
        async move {
            let bearer = format!("Bearer {client}");
            let raw = app
                .gql_with(
                    query,
                    json!({ "after": start, "first": first }),
                    &[("authorization", bearer.as_str())],
                )
                .await;
            let body = raw.json();
            let entries = body["data"]["changes"]["entries"]
                .as_array()
                .unwrap_or_else(|| panic!("{body:#}"))
                .len();
            let statements: u32 = raw
                .header("x-sql-statements")
                .expect("dev mode")
                .parse()
                .expect("a number");
            (statements, entries)
        }
    };
    let (small, large) = (cost(4).await, cost(100).await);
    assert!(large.1 >= 14, "{large:?}");
    assert!(
        large.0 <= small.0 + 4,
        "{} statements for {} entries but {} for {}",
        small.0,
        small.1,
        large.0,
        large.1
    );
}

fn base64_cursor(position: i64) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
        serde_json::to_vec(&json!({ "p": position, "r": uuid::Uuid::nil() })).expect("json"),
    )
}

#[actix_web::test]
async fn a_cursor_older_than_the_retention_asks_the_client_to_resynchronise() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app_with_demo().await;
    let client = app.client_token().await;
    let start = read(&app, &client, None, 0).await["endCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    for user in ["huyen.thoxuan", "huyen.trieuson"] {
        app.data(
            "mutation($id: ID!) { setUserDisabled(input: { id: $id, disabled: true }) { user { id } } }",
            json!({ "id": demo_user(user) }),
        )
        .await;
    }
    settle(&app).await;
    let (entries, _) = follow(&app, &client, &start, 1).await;
    assert_eq!(entries.len(), 2);
    let kept = entries[0]["cursor"].as_str().expect("cursor").to_owned();
    // Forty days later (the retention is thirty).
    app.db
        .execute_unprepared(&format!(
            "UPDATE domain_event SET dispatched_at = {} WHERE position IS NOT NULL",
            if app.db.get_database_backend() == sea_orm::DbBackend::Postgres {
                "now() - interval '40 days'"
            } else {
                "strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-40 days')"
            }
        ))
        .await
        .expect("age the events");
    let response = app
        .gql_as(Some(&client), CHANGES, json!({ "after": kept }))
        .await;
    assert_eq!(
        code(&response["errors"][0]),
        "CURSOR_EXPIRED",
        "{response:#}"
    );
    let pruned = ttdn_api::change_feed::service::prune(
        &app.db,
        ttdn_api::change_feed::service::Retention(chrono::Duration::days(30)),
    )
    .await
    .expect("prune");
    assert!(pruned >= 2, "{pruned}");
    assert_eq!(
        crate::helpers::count(&app, "SELECT COUNT(*) AS n FROM change_entry").await,
        0
    );
}
