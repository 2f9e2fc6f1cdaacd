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
    let raw = app
        .request(
            "GET",
            "/metrics",
            &[(
                "accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
            )],
            Vec::new(),
        )
        .await;
    assert_eq!(raw.status, 200);
    assert!(
        raw.header("content-type")
            .is_some_and(|c| c.starts_with("application/openmetrics-text"))
    );
    let text = raw.text();
    assert!(text.ends_with("# EOF\n"));
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
    assert!(value("process_resident_memory_bytes") > 0.0);
    assert!(value("process_open_fds") > 0.0);
    assert!(value("process_cpu_seconds_total") > 0.0);
    assert!(value("process_start_time_seconds") > 1.0e9);
    assert_eq!(
        value(&format!(
            "ttdn_build_info{{version=\"{}\"}}",
            env!("CARGO_PKG_VERSION")
        )),
        1.0
    );
    every_family_is_described(&text, true);
}

/// Every sample belongs to a family with `# HELP` and `# TYPE` lines (what `promtool check
/// metrics` asks), named as the format wants: in the classic text format a counter's lines name
/// its `_total` samples.
fn every_family_is_described(text: &str, openmetrics: bool) {
    let described = |prefix: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix(prefix))
            .filter_map(|l| l.split(' ').next())
            .map(str::to_owned)
            .collect()
    };
    let (helps, types) = (described("# HELP "), described("# TYPE "));
    assert_eq!(helps, types, "one HELP and one TYPE per family");
    for sample in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let name = sample.split(['{', ' ']).next().unwrap_or_default();
        let family = helps.iter().any(|h| {
            name == h
                || ["_bucket", "_sum", "_count"]
                    .iter()
                    .any(|suffix| name.strip_suffix(suffix) == Some(h))
                || (openmetrics && name.strip_suffix("_total") == Some(h))
        });
        assert!(family, "sample {name} has no HELP in\n{text}");
    }
}

#[actix_web::test]
async fn scrapers_asking_for_the_classic_text_format_get_it() {
    let app = spawn_app().await;
    app.gql("{ agencies(first: 1) { totalCount } }", json!({}))
        .await;
    for accept in [Some("text/plain; version=0.0.4"), Some("*/*"), None] {
        let headers: Vec<(&str, &str)> = accept.iter().map(|a| ("accept", *a)).collect();
        let raw = app.request("GET", "/metrics", &headers, Vec::new()).await;
        assert_eq!(raw.status, 200);
        assert_eq!(
            raw.header("content-type").as_deref(),
            Some("text/plain; version=0.0.4; charset=utf-8"),
            "{accept:?}"
        );
        let text = raw.text();
        assert!(!text.contains("# EOF") && !text.contains("# UNIT"));
        assert!(
            text.contains("# TYPE ttdn_graphql_requests_total counter"),
            "{text}"
        );
        assert!(text.contains("# HELP process_cpu_seconds_total "), "{text}");
        every_family_is_described(&text, false);
    }
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
