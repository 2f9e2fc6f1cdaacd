//! Service-client scopes: one per area a province integrates, each granting its own area and
//! nothing else; the older `press:read` and `reports:read` keep covering several areas; read
//! scopes show what the press would see where press rules apply.

use serde_json::{Value, json};

use crate::helpers::{TestApp, code, spawn_app_with_demo};

/// A service client of the Thanh Hóa province with `scopes`; its token.
async fn client(app: &TestApp, scopes: &[&str]) -> String {
    crate::helpers::service_client(app, "th", json!(scopes))
        .await
        .1
}

/// One read per area: (area, query).
const READS: [(&str, &str); 8] = [
    ("spokespersons", "{ spokespeople(first: 1) { totalCount } }"),
    ("press events", "{ pressEvents(first: 1) { totalCount } }"),
    (
        "releases",
        "{ informationReleases(first: 1) { totalCount } }",
    ),
    (
        "press requests",
        "{ pressRequests(first: 1) { totalCount } }",
    ),
    ("incidents", "{ incidents(first: 1) { totalCount } }"),
    ("training", "{ trainingSessions(first: 1) { totalCount } }"),
    ("plans", "{ plans(first: 1) { totalCount } }"),
    ("reporting", "{ obligations(first: 1) { totalCount } }"),
];

async fn readable(app: &TestApp, token: &str) -> Vec<&'static str> {
    let mut areas = Vec::new();
    for (area, query) in READS {
        let response: Value = app.gql_as(Some(token), query, json!({})).await;
        match response.get("errors") {
            None => areas.push(area),
            Some(errors) => assert_eq!(code(&errors[0]), "FORBIDDEN", "{area}: {response:#}"),
        }
    }
    areas
}

#[actix_web::test]
async fn each_area_has_a_scope_of_its_own_and_the_older_ones_cover_several() {
    let app = spawn_app_with_demo().await;
    for (scopes, areas) in [
        (vec!["SPOKESPERSONS_READ"], vec!["spokespersons"]),
        (vec!["PRESS_EVENTS_READ"], vec!["press events"]),
        (vec!["RELEASES_READ"], vec!["releases"]),
        (vec!["PRESS_REQUESTS_READ"], vec!["press requests"]),
        (vec!["INCIDENTS_READ"], vec!["incidents"]),
        (vec!["TRAINING_READ"], vec!["training"]),
        (vec!["PLANS_READ"], vec!["plans"]),
        (
            vec!["REPORTS_READ"],
            vec!["incidents", "training", "plans", "reporting"],
        ),
        (
            vec!["PRESS_READ"],
            vec![
                "spokespersons",
                "press events",
                "releases",
                "press requests",
            ],
        ),
        (vec!["AUDIT_READ"], vec![]),
    ] {
        let token = client(&app, &scopes).await;
        assert_eq!(readable(&app, &token).await, areas, "{scopes:?}");
    }
}

#[actix_web::test]
async fn a_client_sees_events_once_announced() {
    let app = spawn_app_with_demo().await;
    let token = client(&app, &["PRESS_EVENTS_READ"]).await;
    let read = "query($id: ID!) { pressEvent(id: $id) { id status } }";
    let announced = ttdn_api::demo::demo_id("event.th.trieuson").to_string();
    let planned = ttdn_api::demo::demo_id("event.th.danluc").to_string();
    let seen = app
        .gql_as(Some(&token), read, json!({ "id": announced }))
        .await;
    assert_eq!(
        seen["data"]["pressEvent"]["id"],
        announced.as_str(),
        "{seen:#}"
    );
    let hidden = app
        .gql_as(Some(&token), read, json!({ "id": planned }))
        .await;
    assert_eq!(code(&hidden["errors"][0]), "NOT_FOUND", "{hidden:#}");
    // The department, a person, sees the planned one.
    let department = app.demo_token("so.thanhhoa").await;
    let own = app
        .gql_as(Some(&department), read, json!({ "id": planned }))
        .await;
    assert_eq!(own["data"]["pressEvent"]["status"], "PLANNED");
}
