//! The HTTP rules: methods, content types, body limits, health, the IDE.

use serde_json::json;

use crate::helpers::{code, spawn_app, spawn_with};

#[actix_web::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let health = app.request("GET", "/healthz", &[], vec![]).await;
    assert_eq!(health.status, 200);
    let ready = app.request("GET", "/readyz", &[], vec![]).await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["status"], "ready");
}

#[actix_web::test]
async fn a_query_runs_over_get() {
    let app = spawn_app().await;
    let bearer = app.bearer();
    let response = app
        .request(
            "GET",
            "/graphql?query=%7Bagencies%7BtotalCount%7D%7D",
            &[("authorization", &bearer)],
            vec![],
        )
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["data"]["agencies"]["totalCount"], 0);
}

#[actix_web::test]
async fn a_mutation_over_get_is_405_and_writes_nothing() {
    let app = spawn_app().await;
    let query = "mutation{createAgency(input:{name:\"UBND tỉnh X\",shortName:\"UBND\",kind:PROVINCIAL_COMMITTEE}){agency{id}}}";
    let path = format!("/graphql?query={}", urlencode(query));
    let response = app.request("GET", &path, &[], vec![]).await;
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow").as_deref(), Some("POST"));
    assert_eq!(code(&response.json()["errors"][0]), "BAD_REQUEST");
    assert_eq!(app.agency_count().await, 0);
}

#[actix_web::test]
async fn broken_json_is_400_with_a_code() {
    let app = spawn_app().await;
    let response = app
        .request(
            "POST",
            "/graphql",
            &[("content-type", "application/json")],
            b"{\"query\": ".to_vec(),
        )
        .await;
    assert_eq!(response.status, 400);
    let body = response.json();
    assert_eq!(code(&body["errors"][0]), "BAD_REQUEST");
    assert!(body["errors"][0]["extensions"]["requestId"].is_string());
}

#[actix_web::test]
async fn a_body_without_json_content_type_is_415() {
    let app = spawn_app().await;
    let response = app
        .request(
            "POST",
            "/graphql",
            &[("content-type", "text/plain")],
            b"{\"query\":\"{__typename}\"}".to_vec(),
        )
        .await;
    assert_eq!(response.status, 415);
    assert_eq!(code(&response.json()["errors"][0]), "BAD_REQUEST");
}

#[actix_web::test]
async fn an_oversized_body_is_413_and_writes_nothing() {
    let app = spawn_app().await;
    let name = "a".repeat(10 * 1024 * 1024);
    let body = json!({
        "query": "mutation($n:String!){createAgency(input:{name:$n,shortName:\"UBND\",kind:PROVINCIAL_COMMITTEE}){agency{id}}}",
        "variables": { "n": name }
    });
    let response = app
        .request(
            "POST",
            "/graphql",
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await;
    assert_eq!(response.status, 413);
    assert_eq!(code(&response.json()["errors"][0]), "BAD_REQUEST");
    assert_eq!(app.agency_count().await, 0);
}

#[actix_web::test]
async fn the_body_limit_is_configurable() {
    let app = spawn_with(|s| s.max_body_bytes = 1024, false).await;
    let small = app
        .gql_with("{ agencies { totalCount } }", json!({}), &[])
        .await;
    assert_eq!(small.status, 200);
    let padded = json!({ "padding": "x".repeat(2000) });
    let response = app
        .gql_with("{ agencies { totalCount } }", padded, &[])
        .await;
    assert_eq!(response.status, 413);
}

#[actix_web::test]
async fn both_response_content_types_are_served() {
    let app = spawn_app().await;
    let plain = app
        .gql_with("{ agencies { totalCount } }", json!({}), &[])
        .await;
    assert_eq!(plain.status, 200);
    assert!(
        plain
            .header("content-type")
            .unwrap_or_default()
            .starts_with("application/json")
    );

    let accept = [("accept", "application/graphql-response+json")];
    let modern = app
        .gql_with("{ agencies { totalCount } }", json!({}), &accept)
        .await;
    assert_eq!(modern.status, 200);
    assert!(
        modern
            .header("content-type")
            .unwrap_or_default()
            .starts_with("application/graphql-response+json")
    );
    assert_eq!(modern.json()["data"]["agencies"]["totalCount"], 0);

    // A document that cannot run: 400 with the new media type, 200 with the legacy one.
    let bad = app
        .gql_with("{ agencies { nope } }", json!({}), &accept)
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(code(&bad.json()["errors"][0]), "GRAPHQL_VALIDATION_FAILED");
    let bad_legacy = app.gql_with("{ agencies { nope } }", json!({}), &[]).await;
    assert_eq!(bad_legacy.status, 200);
}

#[actix_web::test]
async fn every_response_carries_a_request_id_matching_its_errors() {
    let app = spawn_app().await;
    let response = app
        .gql_with("{ agency(id: \"nope\") { id } }", json!({}), &[])
        .await;
    let header = response
        .header("x-request-id")
        .expect("x-request-id header");
    assert_eq!(
        response.json()["errors"][0]["extensions"]["requestId"],
        header.as_str()
    );
}

#[actix_web::test]
async fn graphiql_is_served_with_no_external_url() {
    let app = spawn_app().await;
    let page = app.request("GET", "/graphiql", &[], vec![]).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("graphiql"), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"),
        "{html}"
    );
    for asset in [
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "init.js",
    ] {
        assert!(
            html.contains(&format!("/graphiql/assets/{asset}")),
            "{asset} not referenced"
        );
        let response = app
            .request("GET", &format!("/graphiql/assets/{asset}"), &[], vec![])
            .await;
        assert_eq!(response.status, 200, "{asset}");
        assert!(!response.body.is_empty());
    }
    let init = app
        .request("GET", "/graphiql/assets/init.js", &[], vec![])
        .await
        .text();
    assert!(!init.contains("http://") && !init.contains("https://"));
    let missing = app
        .request("GET", "/graphiql/assets/other.js", &[], vec![])
        .await;
    assert_eq!(missing.status, 404);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
