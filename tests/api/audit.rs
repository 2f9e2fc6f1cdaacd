//! The audit trail: every mutation leaves an event, allowed or denied, visible by scope.

use serde_json::{Value, json};

use crate::helpers::{demo_agency, spawn_app_with_demo};

const EVENTS: &str = "query($f: AuditFilterInput) { auditEvents(first: 100, filter: $f) { totalCount edges { node { operation outcome actorName actorRole targetId changes requestId reason actorAgency { name } } } } }";

fn events(response: &Value) -> Vec<Value> {
    response["data"]["auditEvents"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no events: {response:#}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[actix_web::test]
async fn an_allowed_change_is_audited_with_its_request_and_changes() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let bearer = format!("Bearer {department}");
    let response = app
        .gql_with(
            "mutation($id: ID!) { updateAgency(input: { id: $id, phone: \"0237 3567 999\" }) { agency { id } } }",
            json!({ "id": demo_agency("th.trieuson.danluc") }),
            &[("authorization", &bearer)],
        )
        .await;
    let request_id = response.header("x-request-id").expect("request id");
    assert!(response.json()["errors"].is_null());

    let trail = app
        .gql(EVENTS, json!({ "f": { "operation": "agency.update" } }))
        .await;
    let events = events(&trail);
    assert_eq!(events.len(), 1, "{events:#?}");
    let event = &events[0];
    assert_eq!(event["outcome"], "ALLOWED");
    assert_eq!(event["actorName"], "so.thanhhoa");
    assert_eq!(event["actorRole"], "PROVINCIAL_DEPARTMENT");
    assert_eq!(
        event["targetId"],
        demo_agency("th.trieuson.danluc").as_str()
    );
    assert_eq!(event["changes"]["phone"], "0237 3567 999");
    assert_eq!(event["requestId"], request_id.as_str());
}

#[actix_web::test]
async fn a_denied_attempt_is_audited_and_changes_nothing() {
    let app = spawn_app_with_demo().await;
    let commune = app.demo_token("xa.danluc").await;
    let response = app
        .gql_as(
            Some(&commune),
            "mutation($id: ID!) { updateAgency(input: { id: $id, name: \"Bị đổi tên\" }) { agency { id } } }",
            json!({ "id": demo_agency("th.trieuson") }),
        )
        .await;
    assert_eq!(response["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let trail = app
        .gql(
            EVENTS,
            json!({ "f": { "outcome": "DENIED", "operation": "agency.update" } }),
        )
        .await;
    let events = events(&trail);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["actorName"], "xa.danluc");
    assert!(events[0]["reason"].is_string());
    let name = app
        .data(
            "query($id: ID!) { agency(id: $id) { name } }",
            json!({ "id": demo_agency("th.trieuson") }),
        )
        .await;
    assert_eq!(name["agency"]["name"], "UBND huyện Triệu Sơn");
}

#[actix_web::test]
async fn passwords_never_reach_the_trail_and_sign_ins_are_recorded() {
    let app = spawn_app_with_demo().await;
    app.data(
        "mutation($a: ID!) { createUser(input: { username: \"xa.danly\", displayName: \"Xã Dân Lý\", role: COMMUNE, agencyId: $a, password: \"Một mật khẩu đủ dài 2026\" }) { user { id } } }",
        json!({ "a": demo_agency("th.trieuson.danly") }),
    )
    .await;
    app.login("xa.danly", "wrong password 123").await;
    let trail = app.gql(EVENTS, json!({})).await;
    let text = trail.to_string();
    assert!(
        !text.contains("Một mật khẩu đủ dài"),
        "a password leaked into the trail"
    );
    let events = events(&trail);
    let created = events
        .iter()
        .find(|e| e["operation"] == "user.create")
        .expect("user.create");
    assert_eq!(created["changes"]["username"], "xa.danly");
    assert!(created["changes"].get("password").is_none());
    assert!(
        events
            .iter()
            .any(|e| e["operation"] == "auth.login" && e["outcome"] == "DENIED")
    );
    assert!(
        events
            .iter()
            .any(|e| e["operation"] == "auth.login" && e["outcome"] == "ALLOWED")
    );
}

#[actix_web::test]
async fn each_role_sees_the_trail_of_its_scope() {
    let app = spawn_app_with_demo().await;
    // Every demo account signs in once: one event per agency.
    let mut tokens = Vec::new();
    for username in [
        "so.thanhhoa",
        "huyen.trieuson",
        "xa.danluc",
        "xa.xuanlam",
        "so.caobang",
        "phuong.thucphan",
    ] {
        tokens.push((username, app.demo_token(username).await));
    }
    let actors = |response: &Value| -> Vec<String> {
        events(response)
            .iter()
            .filter_map(|e| e["actorName"].as_str().map(str::to_owned))
            .collect()
    };
    for (username, token) in &tokens {
        let seen = actors(&app.gql_as(Some(token), EVENTS, json!({})).await);
        let expect_visible: &[&str] = match *username {
            "so.thanhhoa" => &["so.thanhhoa", "huyen.trieuson", "xa.danluc", "xa.xuanlam"],
            "huyen.trieuson" => &["huyen.trieuson"],
            "xa.danluc" => &["xa.danluc"],
            "so.caobang" => &["so.caobang", "phuong.thucphan"],
            _ => &[username],
        };
        for name in [
            "so.thanhhoa",
            "huyen.trieuson",
            "xa.danluc",
            "xa.xuanlam",
            "so.caobang",
            "phuong.thucphan",
        ] {
            assert_eq!(
                seen.iter().any(|s| s == name),
                expect_visible.contains(&name),
                "{username} sees {name}? {seen:?}"
            );
        }
    }
}
