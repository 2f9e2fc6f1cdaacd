//! `/metrics`: what operators scrape, and the token that may guard it.

use serde_json::json;

use crate::helpers::{spawn_app, spawn_with};

#[actix_web::test]
async fn metrics_count_requests_errors_and_statements_per_operation() {
    let app = spawn_app().await;
    for _ in 0..3 {
        app.gql(
            "query MetricsProbe { agencies(first: 5) { totalCount } }",
            json!({}),
        )
        .await;
    }
    // One failing operation: a bad argument.
    app.gql(
        "query MetricsFailure { agencies(first: 500) { totalCount } }",
        json!({}),
    )
    .await;
    let raw = app.request("GET", "/metrics", &[], Vec::new()).await;
    assert_eq!(raw.status, 200);
    assert!(
        raw.header("content-type")
            .is_some_and(|c| c.starts_with("application/openmetrics-text"))
    );
    let text = raw.text();
    let value = |line_start: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(line_start))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {line_start} in\n{text}"))
    };
    assert_eq!(
        value("ttdn_graphql_requests_total{operation=\"MetricsProbe\"}"),
        3.0
    );
    assert_eq!(
        value("ttdn_graphql_request_duration_seconds_count{operation=\"MetricsProbe\"}"),
        3.0
    );
    // Each probe reads the page and counts it: at least two statements each.
    assert!(
        value("ttdn_graphql_sql_statements_per_request_sum{operation=\"MetricsProbe\"}") >= 6.0
    );
    assert!(value("ttdn_graphql_errors_total{code=\"BAD_USER_INPUT\"}") >= 1.0);
    assert!(value("ttdn_sql_statements_total") > 0.0);
    assert!(value("ttdn_db_pool_max_connections") >= 1.0);
    assert!(text.contains("ttdn_db_pool_connections{state=\"idle\"}"));
}

#[actix_web::test]
async fn a_metrics_token_keeps_metrics_private() {
    let app = spawn_with(
        |settings| settings.metrics_token = ttdn_api::config::Secret("scrape-token".into()),
        false,
    )
    .await;
    let refused = app.request("GET", "/metrics", &[], Vec::new()).await;
    assert_eq!(refused.status, 401);
    let wrong = app
        .request(
            "GET",
            "/metrics",
            &[("authorization", "Bearer nope")],
            Vec::new(),
        )
        .await;
    assert_eq!(wrong.status, 401);
    let allowed = app
        .request(
            "GET",
            "/metrics",
            &[("authorization", "Bearer scrape-token")],
            Vec::new(),
        )
        .await;
    assert_eq!(allowed.status, 200);
    assert!(allowed.text().contains("ttdn_graphql_requests_total"));
}
