//! The error catalogue: codes, fields, languages and query limits.

use serde_json::json;

use crate::helpers::{code, field, spawn_app};

#[actix_web::test]
async fn a_page_larger_than_100_is_bad_user_input_on_first() {
    let app = spawn_app().await;
    let error = app
        .error("{ agencies(first: 1000) { totalCount } }", json!({}))
        .await;
    assert_eq!(code(&error), "BAD_USER_INPUT");
    assert_eq!(field(&error), "first");
}

#[actix_web::test]
async fn a_query_50_levels_deep_is_refused_as_too_complex() {
    let app = spawn_app().await;
    // agencies → edges → node → 47 × parent: 50 levels.
    let query = format!(
        "{{ agencies {{ edges {{ node {{ {} id {} }} }} }} }}",
        "parent { ".repeat(47),
        "} ".repeat(47)
    );
    let error = app.error(&query, json!({})).await;
    assert_eq!(code(&error), "QUERY_TOO_COMPLEX");
}

#[actix_web::test]
async fn nested_full_pages_exceed_the_complexity_limit() {
    let app = spawn_app().await;
    let query = "{ agencies(first: 100) { edges { node { children(first: 100) { edges { node { id name shortName } } } } } } }";
    let error = app.error(query, json!({})).await;
    assert_eq!(code(&error), "QUERY_TOO_COMPLEX");
}

#[actix_web::test]
async fn parse_and_validation_failures_have_their_codes() {
    let app = spawn_app().await;
    assert_eq!(
        code(&app.error("{ agencies { ", json!({})).await),
        "GRAPHQL_PARSE_FAILED"
    );
    assert_eq!(
        code(&app.error("{ nothing }", json!({})).await),
        "GRAPHQL_VALIDATION_FAILED"
    );
}

#[actix_web::test]
async fn messages_are_vietnamese_by_default_and_english_on_request() {
    let app = spawn_app().await;
    let query = "{ agency(id: \"019a0000-0000-7000-8000-000000000000\") { id } }";
    let vi = app.gql_with(query, json!({}), &[]).await.json();
    let en = app
        .gql_with(query, json!({}), &[("accept-language", "en-US,en;q=0.9")])
        .await
        .json();
    assert_eq!(code(&vi["errors"][0]), "NOT_FOUND");
    assert_eq!(code(&en["errors"][0]), "NOT_FOUND");
    assert_eq!(vi["errors"][0]["message"], "Không tìm thấy cơ quan");
    assert_eq!(en["errors"][0]["message"], "Agency not found");
    assert!(en["errors"][0]["extensions"].get("messageEn").is_none());
}

#[actix_web::test]
async fn a_malformed_id_is_bad_user_input() {
    let app = spawn_app().await;
    let error = app.error("{ node(id: \"12\") { id } }", json!({})).await;
    assert_eq!(code(&error), "BAD_USER_INPUT");
    assert_eq!(field(&error), "id");
}

#[actix_web::test]
async fn a_garbage_cursor_is_bad_user_input_on_after() {
    let app = spawn_app().await;
    let error = app
        .error("{ agencies(after: \"garbage\") { totalCount } }", json!({}))
        .await;
    assert_eq!(code(&error), "BAD_USER_INPUT");
    assert_eq!(field(&error), "after");
}

#[actix_web::test]
async fn an_invalid_date_literal_is_refused_before_running() {
    let app = spawn_app().await;
    let error = app
        .error(
            "{ agencies(filter: { activeOn: \"2024-13-45\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&error), "GRAPHQL_VALIDATION_FAILED");
}

/// Validation's measures are kept for a request like one validated before; a request that
/// differs in its variables is measured afresh, and the limits apply to kept measures too.
#[actix_web::test]
async fn a_kept_validation_never_lets_a_costlier_request_through() {
    let app = spawn_app().await;
    let nested = "query Pages($n: Int) { agencies(first: $n) { edges { node { children(first: $n) { edges { node { id name shortName } } } } } } }";
    for _ in 0..2 {
        let small = app.gql(nested, json!({ "n": 2 })).await;
        assert!(small.get("errors").is_none(), "{small:#}");
        let big = app.error(nested, json!({ "n": 100 })).await;
        assert_eq!(code(&big), "QUERY_TOO_COMPLEX", "{big:#}");
    }
    // A document that fails validation fails every time.
    for _ in 0..2 {
        assert_eq!(
            code(&app.error("{ nothing }", json!({})).await),
            "GRAPHQL_VALIDATION_FAILED"
        );
    }
}

/// A request like one validated before runs without the extension (docs/performance.md,
/// "Instructions per request"); its answer is the first one's: the same data and statements,
/// and errors with the same codes, languages and request ids.
#[actix_web::test]
async fn a_repeated_request_is_answered_as_the_first() {
    let app = spawn_app().await;
    let page = "{ agencies(first: 2) { totalCount edges { node { name currentSpokespeople { fullName } } } } }";
    for (name, code) in [("Tỉnh Một", "91"), ("Tỉnh Hai", "92")] {
        app.create_agency(json!({
            "name": name, "shortName": "UBND", "kind": "PROVINCIAL_COMMITTEE",
            "adminCode": code, "validFrom": "1976-01-01"
        }))
        .await;
    }
    // The principals, which the new agencies emptied, are kept again before the page's first
    // run (validated by the extension; the later ones run without it).
    app.principals_settled(&app.admin_token).await;
    let first = app.gql_counted(&app.admin_token, page, json!({})).await;
    assert_eq!(first.1["agencies"]["totalCount"], 2, "{first:?}");
    for _ in 0..2 {
        assert_eq!(
            app.gql_counted(&app.admin_token, page, json!({})).await,
            first
        );
    }
    let missing = "{ agency(id: \"019a0000-0000-7000-8000-000000000000\") { id } }";
    let wrong = "query($id: ID!) { node(id: $id) { id } }";
    for _ in 0..3 {
        let vi = app.gql_with(missing, json!({}), &[]).await.json();
        assert_eq!(code(&vi["errors"][0]), "NOT_FOUND", "{vi:#}");
        assert_eq!(vi["errors"][0]["message"], "Không tìm thấy cơ quan");
        assert!(
            vi["errors"][0]["extensions"]["requestId"].is_string(),
            "{vi:#}"
        );
        let en = app
            .gql_with(missing, json!({}), &[("accept-language", "en")])
            .await
            .json();
        assert_eq!(en["errors"][0]["message"], "Agency not found", "{en:#}");
        assert!(en["errors"][0]["extensions"].get("messageEn").is_none());
        let error = app.error(wrong, json!({ "id": "12" })).await;
        assert_eq!(code(&error), "BAD_USER_INPUT", "{error:#}");
        assert_eq!(field(&error), "id");
    }
}
