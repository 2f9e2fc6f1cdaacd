//! Press-provision events: lifecycle, invitations, replies, attendance, counts.

use serde_json::{Value, json};
use ttdn_api::demo::demo_id;

use crate::helpers::{code, demo_agency, field, spawn_app_with_demo};

const CREATE: &str = "mutation($input: CreatePressEventInput!) { createPressEvent(input: $input) { pressEvent { id status version } } }";
const READ: &str = "query($id: ID!) { pressEvent(id: $id) { id status startsAt cancellationReason invitations { pressAgency { name } reply reporters } } }";

fn in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339()
}

fn briefing(presiding: &str, days: i64) -> Value {
    json!({ "input": {
        "organizerId": demo_agency("th.svhttdl"), "kind": "PRESS_BRIEFING",
        "title": "Hội nghị cung cấp thông tin cho báo chí tháng 12", "startsAt": in_days(days),
        "place": "Hội trường Sở VHTTDL", "presidingSpokespersonId": demo_id(presiding).to_string()
    } })
}

#[actix_web::test]
async fn an_event_goes_from_plan_to_press_and_back_off() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let press = app.demo_token("bao.thanhhoa").await;
    let created = app
        .gql_as(
            Some(&department),
            CREATE,
            briefing("spokesperson.head.th.svhttdl", 10),
        )
        .await;
    let id = created["data"]["createPressEvent"]["pressEvent"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created:#}"))
        .to_owned();
    assert_eq!(
        created["data"]["createPressEvent"]["pressEvent"]["status"],
        "PLANNED"
    );

    let hidden = app.gql_as(Some(&press), READ, json!({ "id": id })).await;
    assert_eq!(
        code(&hidden["errors"][0]),
        "NOT_FOUND",
        "a planned event reached the press"
    );

    let invite = "mutation($id: ID!, $p: [ID!]!) { invitePressAgencies(input: { id: $id, pressAgencyIds: $p }) { pressEvent { id } } }";
    let invited = app
        .gql_as(
            Some(&department),
            invite,
            json!({ "id": id, "p": [demo_agency("th.baoth"), demo_agency("th.ptth")] }),
        )
        .await;
    assert!(invited["errors"].is_null(), "{invited:#}");
    let not_press = app
        .gql_as(
            Some(&department),
            invite,
            json!({ "id": id, "p": [demo_agency("th.trieuson")] }),
        )
        .await;
    assert_eq!(field(&not_press["errors"][0]), "input.pressAgencyIds");

    let reply = "mutation($id: ID!, $a: Boolean!, $n: Int) { replyToPressInvitation(input: { eventId: $id, accept: $a, reporters: $n }) { pressEvent { id } } }";
    let too_early = app
        .gql_as(Some(&press), reply, json!({ "id": id, "a": true, "n": 3 }))
        .await;
    assert!(
        too_early["errors"].is_array(),
        "replied before the announcement"
    );

    let announce =
        "mutation($id: ID!) { announcePressEvent(input: { id: $id }) { pressEvent { status } } }";
    let announced = app
        .gql_as(Some(&department), announce, json!({ "id": id }))
        .await;
    assert_eq!(
        announced["data"]["announcePressEvent"]["pressEvent"]["status"],
        "ANNOUNCED"
    );

    let too_many = app
        .gql_as(Some(&press), reply, json!({ "id": id, "a": true, "n": 50 }))
        .await;
    assert_eq!(field(&too_many["errors"][0]), "input.reporters");
    let accepted = app
        .gql_as(Some(&press), reply, json!({ "id": id, "a": true, "n": 3 }))
        .await;
    assert!(accepted["errors"].is_null(), "{accepted:#}");

    // The press sees its own invitation only; the organizer sees both.
    let seen_by_press = app.gql_as(Some(&press), READ, json!({ "id": id })).await;
    let invitations = seen_by_press["data"]["pressEvent"]["invitations"]
        .as_array()
        .expect("list")
        .clone();
    assert_eq!(invitations.len(), 1);
    assert_eq!(invitations[0]["pressAgency"]["name"], "Báo Thanh Hóa");
    assert_eq!(invitations[0]["reply"], "ACCEPTED");
    assert_eq!(invitations[0]["reporters"], 3);
    let seen_by_organizer = app
        .gql_as(Some(&department), READ, json!({ "id": id }))
        .await;
    assert_eq!(
        seen_by_organizer["data"]["pressEvent"]["invitations"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let held =
        "mutation($id: ID!) { markPressEventHeld(input: { id: $id }) { pressEvent { status } } }";
    assert_eq!(
        code(
            &app.gql_as(Some(&department), held, json!({ "id": id }))
                .await["errors"][0]
        ),
        "CONFLICT"
    );

    let reschedule = "mutation($id: ID!, $t: DateTime!) { reschedulePressEvent(input: { id: $id, startsAt: $t }) { pressEvent { startsAt } } }";
    let moved = app
        .gql_as(
            Some(&department),
            reschedule,
            json!({ "id": id, "t": in_days(12) }),
        )
        .await;
    assert!(moved["errors"].is_null(), "{moved:#}");

    let cancel = "mutation($id: ID!) { cancelPressEvent(input: { id: $id, reason: \"Trùng lịch họp HĐND tỉnh\" }) { pressEvent { status cancellationReason } } }";
    let cancelled = app
        .gql_as(Some(&department), cancel, json!({ "id": id }))
        .await;
    assert_eq!(
        cancelled["data"]["cancelPressEvent"]["pressEvent"]["status"],
        "CANCELLED"
    );
    assert_eq!(
        code(
            &app.gql_as(Some(&department), announce, json!({ "id": id }))
                .await["errors"][0]
        ),
        "CONFLICT"
    );
}

#[actix_web::test]
async fn a_former_spokesperson_cannot_preside() {
    let app = spawn_app_with_demo().await;
    let ended = app
        .data(
            "mutation($id: ID!) { endSpokespersonTerm(input: { id: $id, termTo: \"2026-01-31\" }) { spokesperson { termTo } } }",
            json!({ "id": demo_id("spokesperson.appointed.th.svhttdl").to_string() }),
        )
        .await;
    assert_eq!(
        ended["endSpokespersonTerm"]["spokesperson"]["termTo"],
        "2026-01-31"
    );
    let count_before = app.data("{ pressEvents { totalCount } }", json!({})).await;
    let refused = app
        .error(CREATE, briefing("spokesperson.appointed.th.svhttdl", 10))
        .await;
    assert_eq!(code(&refused), "BAD_USER_INPUT");
    assert_eq!(field(&refused), "input.presidingSpokespersonId");
    let other_agency = app
        .error(CREATE, briefing("spokesperson.head.th.trieuson", 10))
        .await;
    assert_eq!(field(&other_agency), "input.presidingSpokespersonId");
    assert_eq!(
        app.data("{ pressEvents { totalCount } }", json!({})).await,
        count_before
    );
}

#[actix_web::test]
async fn counts_per_kind_give_the_numbers_reports_need() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let counts = app
        .gql_as(
            Some(&department),
            "query($f: PressEventFilterInput) { pressEventCounts(filter: $f) { kind count } }",
            json!({ "f": {
                "organizerWithin": demo_agency("th.svhttdl"), "statuses": ["HELD"],
                "from": "2025-01-01T00:00:00+07:00", "to": "2026-01-01T00:00:00+07:00"
            } }),
        )
        .await;
    let mut got: Vec<(String, u64)> = counts["data"]["pressEventCounts"]
        .as_array()
        .unwrap_or_else(|| panic!("{counts:#}"))
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().expect("kind").to_owned(),
                c["count"].as_u64().expect("count"),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("INTERVIEW".to_owned(), 0),
            ("OTHER".to_owned(), 0),
            ("PRESS_BRIEFING".to_owned(), 6),
            ("PRESS_CONFERENCE".to_owned(), 1),
            ("PRESS_LIAISON_MEETING".to_owned(), 10),
        ]
    );
    // Cao Bằng's department counts nothing of Thanh Hóa's.
    let other = app.demo_token("so.caobang").await;
    let theirs = app
        .gql_as(
            Some(&other),
            "{ pressEventCounts(filter: { statuses: [HELD] }) { count } }",
            json!({}),
        )
        .await;
    let total: u64 = theirs["data"]["pressEventCounts"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["count"].as_u64())
        .sum();
    assert_eq!(total, 0);
}

#[actix_web::test]
async fn attendance_is_recorded_for_invited_agencies_of_held_events() {
    let app = spawn_app_with_demo().await;
    let record = "mutation($id: ID!, $p: ID!, $n: Int!) { recordPressAttendance(input: { id: $id, pressAgencyId: $p, attendees: $n }) { pressEvent { invitations { pressAgency { name } attended attendees } } } }";
    let held = demo_id("event.th.2025.0").to_string();
    let recorded = app
        .data(
            record,
            json!({ "id": held, "p": demo_agency("th.baoth"), "n": 3 }),
        )
        .await;
    let invitations = recorded["recordPressAttendance"]["pressEvent"]["invitations"]
        .as_array()
        .expect("list")
        .clone();
    let bao = invitations
        .iter()
        .find(|i| i["pressAgency"]["name"] == "Báo Thanh Hóa")
        .expect("invited");
    assert_eq!(bao["attended"], true);
    assert_eq!(bao["attendees"], 3);
    let stranger = app
        .error(
            record,
            json!({ "id": held, "p": demo_agency("press.vtv"), "n": 2 }),
        )
        .await;
    assert_eq!(code(&stranger), "BAD_USER_INPUT");
    assert_eq!(field(&stranger), "input.pressAgencyId");
    let upcoming = app
        .error(record, json!({ "id": demo_id("event.th.trieuson").to_string(), "p": demo_agency("th.baoth"), "n": 1 }))
        .await;
    assert_eq!(code(&upcoming), "CONFLICT");
}

#[actix_web::test]
async fn the_press_lists_only_events_addressed_to_it() {
    let app = spawn_app_with_demo().await;
    let press = app.demo_token("bao.thanhhoa").await;
    let listed = app
        .gql_as(
            Some(&press),
            "{ pressEvents(first: 100) { totalCount edges { node { title status } } } }",
            json!({}),
        )
        .await;
    let titles: Vec<&str> = listed["data"]["pressEvents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["title"].as_str())
        .collect();
    assert_eq!(
        listed["data"]["pressEvents"]["totalCount"], 18,
        "{titles:?}"
    );
    assert!(
        !titles
            .iter()
            .any(|t| t.contains("Cao Bằng") || t.contains("nông thôn mới")),
        "{titles:?}"
    );

    // `node(id:)` keeps the same boundary as the list.
    let all = app
        .data(
            "{ pressEvents(first: 100) { edges { node { id title } } } }",
            json!({}),
        )
        .await;
    let id_where = |wanted: &dyn Fn(&str) -> bool| -> String {
        all["pressEvents"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .find(|e| wanted(e["node"]["title"].as_str().expect("title")))
            .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
            .expect("a matching event")
    };
    let foreign = id_where(&|t| t.contains("Cao Bằng"));
    let addressed = id_where(&|t| titles.contains(&t));
    const NODE: &str =
        "query($id: ID!) { node(id: $id) { __typename ... on PressEvent { title } } }";
    let seen = app
        .gql_as(Some(&press), NODE, json!({ "id": addressed }))
        .await;
    assert_eq!(seen["data"]["node"]["__typename"], "PressEvent", "{seen:#}");
    let hidden = app
        .gql_as(Some(&press), NODE, json!({ "id": foreign }))
        .await;
    assert_eq!(code(&hidden["errors"][0]), "NOT_FOUND", "{hidden:#}");
}
