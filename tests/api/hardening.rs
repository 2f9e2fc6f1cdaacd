//! Hardening: spreadsheet cells, search input, forged cursors, refused writes in the audit
//! trail, classification stamps in text.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use ttdn_api::{demo::demo_id, text::MAX_SEARCH_CHARS};
use uuid::Uuid;

use crate::helpers::{
    TestApp, code, demo_agency, district_request, field, spawn_app_with_demo, template_id,
};

#[actix_web::test]
async fn exported_cells_that_a_spreadsheet_would_run_are_neutralised() {
    let app = spawn_app_with_demo().await;
    let formula = "=HYPERLINK(\"http://x\",\"click\")";
    let renamed = app
        .gql(
            "mutation($input: UpdateAgencyInput!) { updateAgency(input: $input) { agency { name } } }",
            json!({ "input": { "id": demo_agency("th.trieuson"), "name": formula } }),
        )
        .await;
    assert_eq!(
        renamed["data"]["updateAgency"]["agency"]["name"], formula,
        "{renamed:#}"
    );
    let department = app.demo_token("so.thanhhoa").await;
    let template = template_id(&app, "TTDN_ANNUAL").await;
    let issued = app
        .gql_as(
            Some(&department),
            "mutation($input: IssueObligationInput!) { issueObligation(input: $input) { obligation { id } } }",
            district_request(
                &template,
                "Báo cáo năm 2025",
                2025,
                Some(("2481/SVHTTDL-TTBCXB", &ttdn_api::time::today().to_string())),
                &(ttdn_api::time::today() + chrono::Duration::days(10)).to_string(),
            ),
        )
        .await;
    let id = issued["data"]["issueObligation"]["obligation"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{issued:#}"))
        .to_owned();
    let bearer = format!("Bearer {department}");
    let csv = app
        .request(
            "GET",
            &format!("/exports/obligations/{id}/compliance.csv"),
            &[("authorization", &bearer)],
            vec![],
        )
        .await;
    assert_eq!(csv.status, 200);
    let text = csv.text();
    let row = text
        .lines()
        .find(|l| l.contains("HYPERLINK"))
        .unwrap_or_else(|| panic!("no renamed agency in {text}"));
    assert!(
        row.starts_with("\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\","),
        "the formula must be written as text: {row}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("=") || l.contains(",=")),
        "{text}"
    );
}

/// Every search-like filter, as (list query, filter field).
const SEARCHES: &[(&str, &str)] = &[
    (
        "query($s: String) { agencies(filter: { search: $s }) { totalCount } }",
        "filter.search",
    ),
    (
        "query($s: String) { users(filter: { search: $s }) { totalCount } }",
        "filter.search",
    ),
    (
        "query($s: String) { spokespeople(filter: { search: $s }) { totalCount } }",
        "filter.search",
    ),
    (
        "query($s: String) { informationReleases(filter: { search: $s }) { totalCount } }",
        "filter.search",
    ),
    (
        "query($s: String) { informationReleases(filter: { topic: $s }) { totalCount } }",
        "filter.topic",
    ),
    (
        "query($s: String) { auditEvents(filter: { operation: $s }) { totalCount } }",
        "filter.operation",
    ),
];

#[actix_web::test]
async fn search_text_with_control_characters_or_beyond_the_limit_is_bad_input() {
    let app = spawn_app_with_demo().await;
    let too_long = "a".repeat(100 * 1024);
    for (query, expected_field) in SEARCHES {
        for bad in ["trieu\u{0}son", "trieu\nson", too_long.as_str()] {
            let error = app.error(query, json!({ "s": bad })).await;
            assert_eq!(code(&error), "BAD_USER_INPUT", "{query}: {error:#}");
            assert_eq!(field(&error), *expected_field, "{query}");
        }
        let longest = "ệ".repeat(MAX_SEARCH_CHARS);
        let fine = app.gql(query, json!({ "s": longest })).await;
        assert!(fine.get("errors").is_none(), "{query}: {fine:#}");
    }
}

/// Characters that break naive SQL quoting or `LIKE` patterns, and Vietnamese in both Unicode
/// forms.
const ALPHABET: &[&str] = &[
    "'",
    "\"",
    "\\",
    "%",
    "_",
    "E'",
    "''",
    "\\'",
    ";",
    "--",
    "/*",
    "*/",
    "$1",
    "$$",
    "?",
    "a",
    "Z",
    "0",
    " ",
    "đ",
    "Đ",
    "ệ",
    "e\u{0323}\u{0302}",
    "ơ",
    "😀",
    "\u{200b}",
    "\u{feff}",
    "(",
    ")",
    "[",
    "]",
    "^",
    "*",
    "|",
    "`",
];

fn arbitrary_text(rng: &mut fastrand::Rng, max_pieces: usize) -> String {
    let n = rng.usize(1..=max_pieces);
    (0..n)
        .map(|_| ALPHABET[rng.usize(..ALPHABET.len())])
        .collect()
}

async fn agency_names(app: &TestApp, search: &str) -> Vec<String> {
    app.agency_names(json!({ "search": search })).await
}

/// Property test: any printable search text within the limit runs as a literal pattern on both
/// databases, never as SQL and never as a wildcard: an agency named with the text is found by
/// it, and the search answers without error for every list.
#[actix_web::test]
async fn arbitrary_search_text_is_matched_literally() {
    let app = spawn_app_with_demo().await;
    let seed = std::env::var("TTDN_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261202_u64);
    let mut rng = fastrand::Rng::with_seed(seed);
    for case in 0..12 {
        let needle = arbitrary_text(&mut rng, 12);
        let name = format!("Cơ quan {case} {needle}").trim().to_owned();
        app.create_agency(
            json!({ "name": name, "shortName": format!("CQ{case}"), "kind": "OTHER" }),
        )
        .await;
        let found = agency_names(&app, &name).await;
        assert_eq!(found, vec![name.clone()], "seed {seed}, case {case}");
        // The tail alone may match more, but always this one.
        if !ttdn_api::text::fold(&needle).is_empty() {
            let found = agency_names(&app, &needle).await;
            assert!(found.contains(&name), "seed {seed}: {needle:?} → {found:?}");
        }
    }
    // Wildcards are literal: `%` and `_` match only themselves.
    assert!(
        agency_names(&app, "%")
            .await
            .iter()
            .all(|n| n.contains('%'))
    );
    assert!(
        agency_names(&app, "_")
            .await
            .iter()
            .all(|n| n.contains('_'))
    );
    for _ in 0..40 {
        let search = arbitrary_text(&mut rng, 60);
        for (query, _) in SEARCHES {
            let answer = app.gql(query, json!({ "s": search })).await;
            assert!(
                answer.get("errors").is_none(),
                "seed {seed}: {search:?} in {query}: {answer:#}"
            );
        }
    }
    // 64 KB of it: refused, not sent to the database.
    let huge = arbitrary_text(&mut rng, 1).repeat(64 * 1024);
    let error = app.error(SEARCHES[0].0, json!({ "s": huge })).await;
    assert_eq!(code(&error), "BAD_USER_INPUT");
    // A lone surrogate escaped in JSON is not text: the body is refused as malformed.
    let body = r#"{"query":"query($s: String) { agencies(filter: { search: $s }) { totalCount } }","variables":{"s":"a\ud800b"}}"#;
    let raw = app
        .request(
            "POST",
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("authorization", &app.bearer()),
            ],
            body.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(raw.status, 400, "{}", raw.text());
    assert_eq!(code(&raw.json()["errors"][0]), "BAD_REQUEST");
}

fn forged(key: Value) -> String {
    URL_SAFE_NO_PAD.encode(json!({ "k": key, "i": Uuid::now_v7() }).to_string())
}

/// Every paginated list, with the account that reads it.
const LISTS: &[(&str, &str)] = &[
    (
        "agencies",
        "{ agencies(first: 5, after: $after) { edges { cursor } } }",
    ),
    (
        "Agency.children",
        "{ agencies(first: 1, filter: { kinds: [PROVINCIAL_COMMITTEE] }) { edges { node { children(first: 5, after: $after) { edges { cursor } } } } } }",
    ),
    (
        "users",
        "{ users(first: 5, after: $after) { edges { cursor } } }",
    ),
    (
        "serviceClients",
        "{ serviceClients(first: 5, after: $after) { edges { cursor } } }",
    ),
    (
        "auditEvents",
        "{ auditEvents(first: 5, after: $after) { edges { cursor } } }",
    ),
    (
        "spokespeople",
        "{ spokespeople(first: 5, after: $after) { edges { cursor } } }",
    ),
    (
        "pressEvents",
        "{ pressEvents(first: 5, after: $after) { edges { cursor } } }",
    ),
    (
        "informationReleases",
        "{ informationReleases(first: 5, after: $after) { edges { cursor } } }",
    ),
    (
        "pressRequests",
        "{ pressRequests(first: 5, after: $after) { edges { cursor } } }",
    ),
    (
        "obligations",
        "{ obligations(first: 5, after: $after) { edges { cursor } } }",
    ),
    (
        "incidents",
        "{ incidents(first: 5, after: $after) { edges { cursor } } }",
    ),
    (
        "trainingSessions",
        "{ trainingSessions(first: 5, after: $after) { edges { cursor } } }",
    ),
    (
        "plans",
        "{ plans(first: 5, after: $after) { edges { cursor } } }",
    ),
];

#[actix_web::test]
async fn forged_cursors_are_bad_input_on_every_list() {
    let app = spawn_app_with_demo().await;
    let commune = app.demo_token("xa.danluc").await;
    let mut lists: Vec<(&str, String, Option<&str>)> = LISTS
        .iter()
        .map(|(name, body)| (*name, format!("query($after: String) {body}"), None))
        .collect();
    lists.push((
        "reportsDue",
        "query($after: String) { reportsDue(first: 5, after: $after) { edges { cursor } } }"
            .to_owned(),
        Some(&commune),
    ));
    let kinds = [
        json!({ "s": "trieu son" }),
        json!({ "t": "2026-06-01T00:00:00Z" }),
        json!({ "d": "2026-06-01" }),
        json!("n"),
    ];
    let out_of_range = [
        json!({ "d": "+262142-12-31" }),
        json!({ "t": "+262142-12-31T00:00:00Z" }),
        json!({ "t": "0000-01-01T00:00:00Z" }),
        json!({ "s": "a\u{0}b" }),
        json!({ "s": "x".repeat(5000) }),
        json!({ "k": 1 }),
    ];
    for (name, query, token) in &lists {
        let token = token.unwrap_or(app.admin_token.as_str());
        let mut fitting = 0;
        for key in &kinds {
            let answer = app
                .gql_as(Some(token), query, json!({ "after": forged(key.clone()) }))
                .await;
            match answer.get("errors") {
                None => fitting += 1,
                Some(errors) => {
                    assert_eq!(
                        code(&errors[0]),
                        "BAD_USER_INPUT",
                        "{name} {key}: {answer:#}"
                    );
                    assert_eq!(field(&errors[0]), "after", "{name}");
                }
            }
        }
        assert_eq!(
            fitting, 1,
            "{name}: exactly one kind of key orders the list"
        );
        for key in out_of_range.iter().cloned().chain([json!(null)]) {
            let answer = app
                .gql_as(Some(token), query, json!({ "after": forged(key.clone()) }))
                .await;
            assert_eq!(
                code(&answer["errors"][0]),
                "BAD_USER_INPUT",
                "{name} {key}: {answer:#}"
            );
        }
        for garbage in ["", "not a cursor", "e30", &"A".repeat(10_000)] {
            let answer = app
                .gql_as(Some(token), query, json!({ "after": garbage }))
                .await;
            assert_eq!(code(&answer["errors"][0]), "BAD_USER_INPUT", "{name}");
        }
    }
}

const ACCEPT: &str =
    "mutation($id: ID!) { acceptReport(input: { id: $id }) { report { id status } } }";

async fn denied_events(app: &TestApp, operation: &str) -> Vec<Value> {
    let events = app
        .data(
            "query($op: String) { auditEvents(first: 50, filter: { operation: $op, outcome: DENIED }) { edges { node { actorKind actorName targetId requestId reason } } } }",
            json!({ "op": operation }),
        )
        .await;
    events["auditEvents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[actix_web::test]
async fn refused_writes_are_audited_whatever_the_refusal() {
    let app = spawn_app_with_demo().await;
    let thoxuan = app.demo_token("huyen.thoxuan").await;
    // A report of a Triệu Sơn commune: it exists, outside Thọ Xuân's scope.
    let obligation = app
        .data(
            "query($id: ID!) { obligation(id: $id) { reports { id recipient { name } } } }",
            json!({ "id": demo_id("obligation.th.2026.h2").to_string() }),
        )
        .await;
    let hidden = obligation["obligation"]["reports"]
        .as_array()
        .expect("reports")
        .iter()
        .find(|r| r["recipient"]["name"] == "UBND xã Dân Lực")
        .and_then(|r| r["id"].as_str())
        .expect("Dân Lực's report")
        .to_owned();
    let absent = Uuid::now_v7().to_string();
    let bearer = format!("Bearer {thoxuan}");
    let mut answers = Vec::new();
    for id in [&hidden, &absent] {
        let raw = app
            .gql_with(ACCEPT, json!({ "id": id }), &[("authorization", &bearer)])
            .await;
        let body = raw.json();
        assert_eq!(code(&body["errors"][0]), "NOT_FOUND", "{body:#}");
        answers.push((
            body["errors"][0]["message"].clone(),
            raw.header("x-request-id").expect("request id"),
        ));
    }
    assert_eq!(
        answers[0].0, answers[1].0,
        "an existing hidden target and an absent one get the same answer"
    );
    let events = denied_events(&app, "report.accept").await;
    for ((_, request_id), target) in answers.iter().zip([&hidden, &absent]) {
        let event = events
            .iter()
            .find(|e| e["requestId"] == request_id.as_str())
            .unwrap_or_else(|| panic!("no denied event for {request_id}: {events:?}"));
        assert_eq!(event["actorName"], "huyen.thoxuan");
        assert_eq!(event["targetId"], target.as_str());
        assert!(
            event["reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("NOT_FOUND")),
            "{event:#}"
        );
    }
    // Without a token, too.
    let anonymous = app.gql_as(None, ACCEPT, json!({ "id": hidden })).await;
    assert_eq!(code(&anonymous["errors"][0]), "UNAUTHENTICATED");
    let logout = app
        .gql_as(None, "mutation { logout { ok } }", json!({}))
        .await;
    assert_eq!(code(&logout["errors"][0]), "UNAUTHENTICATED");
    let events = denied_events(&app, "report.accept").await;
    assert!(
        events
            .iter()
            .any(|e| e["actorKind"] == "ANONYMOUS" && e["targetId"] == hidden.as_str()),
        "{events:?}"
    );
    assert_eq!(denied_events(&app, "auth.logout").await.len(), 1);
}

#[actix_web::test]
async fn classification_stamps_in_release_and_report_text_are_refused() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let create = "mutation($input: CreateReleaseInput!) { createRelease(input: $input) { informationRelease { id } } }";
    let content = |body: &str| {
        json!({ "input": { "issuingAgencyId": demo_agency("th.svhttdl"), "content": {
            "kind": "PRESS_RELEASE", "title": "Thông cáo", "body": body, "audience": "PUBLIC"
        } } })
    };
    // "MẬT" with the letter decomposed (A, dot below, circumflex).
    for body in [
        "MẬT\nNội dung.",
        "Nội dung.\n  tối mật  ",
        "**TUYỆT MẬT**\nNội dung.",
        "Độ mật: Mật\nNội dung.",
        "MA\u{0323}\u{0302}T\nNội dung.",
    ] {
        let answer = app.gql_as(Some(&department), create, content(body)).await;
        let error = &answer["errors"][0];
        assert_eq!(code(error), "BAD_USER_INPUT", "{body:?}: {answer:#}");
        assert_eq!(field(error), "input.content.body", "{body:?}");
    }
    let fine = app
        .gql_as(
            Some(&department),
            create,
            content("Đề nghị giữ bí mật thông tin cá nhân của người cung cấp tin."),
        )
        .await;
    assert!(fine.get("errors").is_none(), "{fine:#}");

    // A report section.
    let danluc = app.demo_token("xa.danluc").await;
    let due = app
        .gql_as(
            Some(&danluc),
            "{ reportsDue(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let report = due["data"]["reportsDue"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{due:#}"))
        .to_owned();
    let mut input = crate::helpers::report_input(&report, 3);
    input["input"]["sections"]["situation"] = json!("TỐI MẬT\nTình hình chung.");
    let saved = app
        .gql_as(
            Some(&danluc),
            "mutation($input: ReportInput!) { saveReport(input: $input) { report { id } } }",
            input,
        )
        .await;
    let error = &saved["errors"][0];
    assert_eq!(code(error), "BAD_USER_INPUT", "{saved:#}");
    assert_eq!(field(error), "input.sections.situation");
}
