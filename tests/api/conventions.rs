//! The conventions operators' and front ends' tools expect: GraphQL over HTTP, localised and
//! coded errors of every kind, request ids, CORS, cost budgets, trusted proxies.

use serde_json::{Value, json};

use crate::helpers::{code, spawn_app, spawn_with};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

#[actix_web::test]
async fn a_document_refused_before_execution_has_no_data_entry() {
    let app = spawn_app().await;
    for (query, status) in [
        ("{ agencies { ", 400),
        ("{ nothing }", 400),
        (
            "query($n: Int!) { agencies(first: $n) { totalCount } }",
            400,
        ),
    ] {
        for (accept, expected) in [(GRAPHQL_RESPONSE, status), ("application/json", 200)] {
            let raw = app
                .gql_with(query, json!({ "n": "ten" }), &[("accept", accept)])
                .await;
            assert_eq!(raw.status, expected, "{query} as {accept}");
            let body = raw.json();
            assert!(body.get("data").is_none(), "{query} as {accept}: {body:#}");
            assert!(body["errors"][0]["extensions"]["code"].is_string());
        }
    }
    // An error while executing keeps `data` (null or partial) and is 200.
    let raw = app
        .gql_with(
            "{ agencies(first: 1000) { totalCount } }",
            json!({}),
            &[("accept", GRAPHQL_RESPONSE)],
        )
        .await;
    assert_eq!(raw.status, 200);
    assert!(raw.json().get("data").is_some());
}

#[actix_web::test]
async fn a_request_without_a_query_is_400() {
    let app = spawn_app().await;
    let bearer = app.bearer();
    for body in [
        r#"{"variables":{}}"#,
        r#"{"query":null}"#,
        r#"{"query":5}"#,
        r#"[]"#,
    ] {
        let raw = app
            .request(
                "POST",
                "/graphql",
                &[
                    ("content-type", "application/json"),
                    ("authorization", &bearer),
                ],
                body.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(raw.status, 400, "{body}");
        assert_eq!(code(&raw.json()["errors"][0]), "BAD_REQUEST");
    }
    let raw = app
        .request("GET", "/graphql?variables=%7B%7D", &[], vec![])
        .await;
    assert_eq!(raw.status, 400);
}

/// One document per kind of error async-graphql raises itself, with the code it must get.
const ENGINE_ERRORS: &[(&str, &str, &str)] = &[
    ("parse", "{ agencies { ", "GRAPHQL_PARSE_FAILED"),
    ("unknown field", "{ nothing }", "GRAPHQL_VALIDATION_FAILED"),
    (
        "unknown argument",
        "{ agencies(colour: 1) { totalCount } }",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    (
        "bad scalar literal",
        "{ agencies(filter: { activeOn: \"2025-13-45\" }) { totalCount } }",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    (
        "missing argument",
        "{ agency { id } }",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    (
        "variable coercion",
        "query($d: Date) { agencies(filter: { activeOn: $d }) { totalCount } }",
        "BAD_USER_INPUT",
    ),
    (
        "too complex",
        "{ agencies(first: 100) { edges { node { children(first: 100) { edges { node { id name shortName } } } } } } }",
        "QUERY_TOO_COMPLEX",
    ),
];

#[actix_web::test]
async fn errors_raised_by_the_engine_are_coded_by_kind_and_localised() {
    let app = spawn_app().await;
    let deep = format!(
        "{{ agencies {{ edges {{ node {{ {} id {} }} }} }} }}",
        "parent { ".repeat(47),
        "} ".repeat(47)
    );
    let mut cases: Vec<(&str, String, &str)> = ENGINE_ERRORS
        .iter()
        .map(|(kind, query, code)| (*kind, (*query).to_owned(), *code))
        .collect();
    cases.push(("too deep", deep, "QUERY_TOO_COMPLEX"));
    cases.push((
        "nested past the parser's guard",
        format!(
            "{{ {} id {} }}",
            "agencies { edges { node { ".repeat(40),
            "} } } ".repeat(40)
        ),
        "QUERY_TOO_COMPLEX",
    ));
    let variables = json!({ "d": "not a date" });
    for (kind, query, expected) in &cases {
        let vi = app.gql_with(query, variables.clone(), &[]).await.json();
        let en = app
            .gql_with(query, variables.clone(), &[("accept-language", "en")])
            .await
            .json();
        let (vi, en) = (&vi["errors"][0], &en["errors"][0]);
        assert_eq!(code(vi), *expected, "{kind}: {vi:#}");
        assert_eq!(code(en), *expected, "{kind}");
        let (vi_text, en_text) = (
            vi["message"].as_str().unwrap_or_default(),
            en["message"].as_str().unwrap_or_default(),
        );
        assert_ne!(
            vi_text, en_text,
            "{kind}: the message follows Accept-Language"
        );
        assert!(
            vi_text.chars().any(|c| "ảạắẵấầộợữưđơểịệ".contains(c)),
            "{kind}: Vietnamese by default: {vi_text}"
        );
        assert!(vi["extensions"].get("messageEn").is_none());
        assert!(vi["extensions"]["requestId"].is_string());
    }
}

#[actix_web::test]
async fn export_errors_are_coded_localised_json_and_a_401_says_bearer() {
    let app = spawn_app().await;
    let path = format!(
        "/exports/obligations/{}/compliance.csv",
        uuid::Uuid::now_v7()
    );
    let anonymous = app.request("GET", &path, &[], vec![]).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        anonymous.header("www-authenticate").as_deref(),
        Some("Bearer")
    );
    let body = anonymous.json();
    assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED");
    assert_eq!(
        body["errors"][0]["extensions"]["requestId"].as_str(),
        anonymous.header("x-request-id").as_deref()
    );
    let bearer = app.bearer();
    let absent = app
        .request(
            "GET",
            &path,
            &[("authorization", &bearer), ("accept-language", "en")],
            vec![],
        )
        .await;
    assert_eq!(absent.status, 404);
    let body = absent.json();
    assert_eq!(code(&body["errors"][0]), "NOT_FOUND");
    assert_eq!(
        body["errors"][0]["message"],
        "Reporting obligation not found"
    );
}

#[actix_web::test]
async fn a_well_formed_incoming_request_id_is_kept() {
    let app = spawn_app().await;
    let raw = app
        .gql_with(
            "{ nothing }",
            json!({}),
            &[("x-request-id", "egov-2026.12.02:0042")],
        )
        .await;
    assert_eq!(
        raw.header("x-request-id").as_deref(),
        Some("egov-2026.12.02:0042")
    );
    assert_eq!(
        raw.json()["errors"][0]["extensions"]["requestId"],
        "egov-2026.12.02:0042"
    );
    let raw = app
        .gql_with(
            "{ nothing }",
            json!({}),
            &[("x-request-id", "bad id <script>")],
        )
        .await;
    let replaced = raw.header("x-request-id").expect("a request id");
    assert!(uuid::Uuid::try_parse(&replaced).is_ok(), "{replaced}");
}

#[actix_web::test]
async fn browsers_on_configured_origins_only_may_call_the_api() {
    let preflight = |origin: &'static str| {
        vec![
            ("origin", origin),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "authorization, content-type, idempotency-key",
            ),
        ]
    };
    let closed = spawn_app().await;
    let refused = closed
        .request(
            "OPTIONS",
            "/graphql",
            &preflight("https://app.example.vn"),
            vec![],
        )
        .await;
    assert!(refused.header("access-control-allow-origin").is_none());

    let open = spawn_with(
        |s| s.cors_allowed_origins = "https://app.example.vn, https://ttdn.thanhhoa.gov.vn".into(),
        false,
    )
    .await;
    let allowed = open
        .request(
            "OPTIONS",
            "/graphql",
            &preflight("https://app.example.vn"),
            vec![],
        )
        .await;
    assert_eq!(allowed.status, 200);
    assert_eq!(
        allowed.header("access-control-allow-origin").as_deref(),
        Some("https://app.example.vn")
    );
    let methods = allowed
        .header("access-control-allow-methods")
        .unwrap_or_default();
    assert!(methods.contains("POST"), "{methods}");
    let other = open
        .request(
            "OPTIONS",
            "/graphql",
            &preflight("https://evil.example"),
            vec![],
        )
        .await;
    assert!(other.header("access-control-allow-origin").is_none());
    // The actual request carries the header and exposes the request id.
    let actual = open
        .gql_with(
            "{ me { role } }",
            json!({}),
            &[("origin", "https://ttdn.thanhhoa.gov.vn")],
        )
        .await;
    assert_eq!(
        actual.header("access-control-allow-origin").as_deref(),
        Some("https://ttdn.thanhhoa.gov.vn")
    );
    assert!(
        actual
            .header("access-control-expose-headers")
            .is_some_and(|h| h.contains("x-request-id") && h.contains("idempotent-replayed"))
    );
}

const PAGE: &str = "{ agencies(first: 100) { edges { node { id name } } } }";

fn cost(body: &Value) -> (u64, u64) {
    let cost = &body["extensions"]["cost"];
    (
        cost["requestedQueryCost"]
            .as_u64()
            .unwrap_or_else(|| panic!("{body:#}")),
        cost["throttleStatus"]["currentlyAvailable"]
            .as_u64()
            .unwrap_or_else(|| panic!("{body:#}")),
    )
}

#[actix_web::test]
async fn each_caller_spends_a_cost_budget_and_is_told_what_is_left() {
    let app = spawn_with(|s| s.budget_admin = 1000, false).await;
    let first = app.gql(PAGE, json!({})).await;
    assert!(first.get("errors").is_none(), "{first:#}");
    let (requested, mut left) = cost(&first);
    assert!(
        requested >= 200,
        "a page of 100 costs at least 200: {requested}"
    );
    assert_eq!(
        first["extensions"]["cost"]["throttleStatus"]["maximumAvailable"],
        1000
    );
    // Spend the rest: what is left goes down by about the cost each time (it refills a little).
    while left >= requested + 20 {
        let next = app.gql(PAGE, json!({})).await;
        assert!(next.get("errors").is_none(), "{next:#}");
        let (_, now) = cost(&next);
        assert!(now < left, "{now} after {left}");
        left = now;
    }
    let refused = app
        .gql_with(PAGE, json!({}), &[("accept", GRAPHQL_RESPONSE)])
        .await;
    assert_eq!(refused.status, 429);
    let body = refused.json();
    let error = &body["errors"][0];
    assert_eq!(code(error), "RATE_LIMITED", "{body:#}");
    assert!(error["extensions"]["retryAfter"].as_u64() >= Some(1));
    assert!(body.get("data").is_none());
    assert!(
        cost(&body).1 < requested,
        "the refusal reports the budget too"
    );
    // Another account has its own budget; a refused request cost nothing.
    ttdn_api::account::service::create_admin(
        &app.db,
        "admin.second",
        "Second administrator",
        "second-admin-password-2026",
    )
    .await
    .expect("create an administrator")
    .expect("a new one");
    let other = app
        .token("admin.second", "second-admin-password-2026")
        .await;
    let fine = app.gql_as(Some(&other), PAGE, json!({})).await;
    assert!(fine.get("errors").is_none(), "{fine:#}");
}

#[actix_web::test]
async fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    async fn throttled_after_failures(
        app: &crate::helpers::TestApp,
        first: &str,
        then: &str,
    ) -> bool {
        let login = |from: String| async move {
            let body = json!({ "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                "variables": { "i": { "username": format!("nobody{}", uuid::Uuid::now_v7().simple()), "password": "wrong-password-123" } } })
            .to_string();
            app.request(
                "POST",
                "/graphql",
                &[
                    ("content-type", "application/json"),
                    ("x-forwarded-for", &from),
                ],
                body.into_bytes(),
            )
            .await
            .json()
        };
        for _ in 0..2 {
            login(first.to_owned()).await;
        }
        let answer = login(then.to_owned()).await;
        answer["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    }
    let settings = |s: &mut ttdn_api::config::Settings| {
        s.login_max_failures_per_address = 2;
    };
    // No trusted proxy: the header is the client's word and changes nothing.
    let direct = spawn_with(settings, false).await;
    assert!(throttled_after_failures(&direct, "203.0.113.1", "203.0.113.2").await);
    // Behind a trusted proxy: each forwarded client has its own count.
    let proxied = spawn_with(
        |s| {
            settings(s);
            s.trusted_proxies = "127.0.0.1".into();
        },
        false,
    )
    .await;
    assert!(!throttled_after_failures(&proxied, "203.0.113.1", "203.0.113.2").await);
    assert!(throttled_after_failures(&proxied, "203.0.113.3", "203.0.113.3").await);
}
