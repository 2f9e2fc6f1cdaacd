//! The demo data set.

use serde_json::json;
use ttdn_api::demo;

use crate::helpers::{demo_agency, spawn_app_with_demo};

#[actix_web::test]
async fn seeding_twice_changes_nothing() {
    let app = spawn_app_with_demo().await;
    let before = app.agency_count().await;
    let report = demo::seed(&app.db).await.expect("second seed");
    assert_eq!(report.agencies_inserted, 0);
    assert_eq!(app.agency_count().await, before);
    assert!(before >= 30, "{before} agencies");
}

#[actix_web::test]
async fn the_demo_has_a_three_tier_and_a_two_tier_province_and_press() {
    let app = spawn_app_with_demo().await;
    let query = "query($id: ID!) { agency(id: $id) { children(first: 100, filter: { activeOn: \"2026-01-01\" }) { edges { node { kind children(first: 1) { totalCount } } } } } }";
    let kinds = |data: &serde_json::Value| -> Vec<String> {
        data["agency"]["children"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["kind"].as_str().expect("kind").to_owned())
            .collect()
    };
    let thanh_hoa = app.data(query, json!({ "id": demo_agency("th") })).await;
    assert!(
        kinds(&thanh_hoa)
            .iter()
            .filter(|k| *k == "DISTRICT")
            .count()
            >= 2
    );
    let districts_with_communes = thanh_hoa["agency"]["children"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| {
            e["node"]["kind"] == "DISTRICT"
                && e["node"]["children"]["totalCount"].as_u64() >= Some(3)
        })
        .count();
    assert!(districts_with_communes >= 2);

    let cao_bang = app.data(query, json!({ "id": demo_agency("cb") })).await;
    let current = kinds(&cao_bang);
    assert!(!current.iter().any(|k| k == "DISTRICT"), "{current:?}");
    assert!(current.iter().filter(|k| *k == "COMMUNE").count() >= 3);

    let press = app
        .data(
            "{ agencies(first: 100, filter: { kinds: [PRESS_AGENCY] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(press["agencies"]["totalCount"].as_u64() >= Some(5));
    let central = app
        .data(
            "{ agencies(filter: { kinds: [PRESS_AGENCY], rootsOnly: true }) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(central["agencies"]["totalCount"].as_u64() >= Some(3));

    let stttt = app
        .data(
            "query($id: ID!) { agency(id: $id) { validTo successor { name } } }",
            json!({ "id": demo_agency("th.stttt") }),
        )
        .await;
    assert_eq!(stttt["agency"]["validTo"], "2025-02-28");
    assert_eq!(
        stttt["agency"]["successor"]["name"],
        "Sở Khoa học và Công nghệ tỉnh Thanh Hóa"
    );
}
