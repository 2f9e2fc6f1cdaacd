//! Training sessions: invitations with quotas, registration, withdrawal, attendance.

use serde_json::{Value, json};
use ttdn_api::demo::demo_id;

use crate::helpers::{code, demo_agency, field, spawn_app_with_demo};

const CREATE: &str = "mutation($input: CreateTrainingSessionInput!) { createTrainingSession(input: $input) { trainingSession { id } } }";
const INVITE: &str = "mutation($id: ID!, $inv: [TrainingInvitationInput!]!) { inviteToTraining(input: { id: $id, invitations: $inv }) { trainingSession { id } } }";
const REGISTER: &str = "mutation($id: ID!, $a: ID!, $p: [ParticipantInput!]!) { registerForTraining(input: { id: $id, agencyId: $a, participants: $p }) { participants { id fullName } } }";

fn in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339()
}

fn people(category: &str, names: &[&str]) -> Value {
    json!(
        names
            .iter()
            .map(|n| json!({ "fullName": n, "category": category }))
            .collect::<Vec<_>>()
    )
}

#[actix_web::test]
async fn quotas_and_capacity_are_enforced_and_withdrawal_frees_a_place() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let created = app
        .gql_as(Some(&department), CREATE, json!({ "input": {
            "organizerId": demo_agency("th.svhttdl"), "title": "Tập huấn kỹ năng phát ngôn", "startsAt": in_days(10), "endsAt": in_days(11),
            "place": "Sở VHTTDL", "mode": "IN_PERSON", "capacity": 3, "audience": ["SPOKESPERSON", "OFFICER", "REPORTER"],
            "coOrganizerIds": [demo_agency("th.sngv")], "materials": [{ "name": "Giáo trình", "url": "https://svhttdl.thanhhoa.gov.vn/giao-trinh.pdf" }]
        } }))
        .await;
    let id = created["data"]["createTrainingSession"]["trainingSession"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created:#}"))
        .to_owned();
    let invited = app
        .gql_as(
            Some(&department),
            INVITE,
            json!({ "id": id, "inv": [
            { "agencyId": demo_agency("th.trieuson.danluc"), "quota": 2 },
            { "agencyId": demo_agency("th.baoth"), "quota": 1 },
            { "agencyId": demo_agency("th.thoxuan") }
        ] }),
        )
        .await;
    assert!(invited["errors"].is_null(), "{invited:#}");

    let commune = app.demo_token("xa.danluc").await;
    let two = app.gql_as(Some(&commune), REGISTER, json!({ "id": id, "a": demo_agency("th.trieuson.danluc"), "p": people("OFFICER", &["Lê Văn A", "Lê Thị B"]) })).await;
    assert_eq!(
        two["data"]["registerForTraining"]["participants"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{two:#}"
    );
    let over_quota = app.gql_as(Some(&commune), REGISTER, json!({ "id": id, "a": demo_agency("th.trieuson.danluc"), "p": people("OFFICER", &["Lê Văn C"]) })).await;
    assert_eq!(code(&over_quota["errors"][0]), "CONFLICT");

    let press = app.demo_token("bao.thanhhoa").await;
    let wrong = app.gql_as(Some(&press), REGISTER, json!({ "id": id, "a": demo_agency("th.baoth"), "p": people("OFFICER", &["Phóng viên"]) })).await;
    assert_eq!(field(&wrong["errors"][0]), "input.participants.category");
    let reporter = app.gql_as(Some(&press), REGISTER, json!({ "id": id, "a": demo_agency("th.baoth"), "p": people("REPORTER", &["Trần Thu Hà"]) })).await;
    assert!(reporter["errors"].is_null(), "{reporter:#}");

    // The session is full (3): Thọ Xuân has no quota but no place either.
    let district = app.demo_token("huyen.thoxuan").await;
    let full = app.gql_as(Some(&district), REGISTER, json!({ "id": id, "a": demo_agency("th.thoxuan"), "p": people("LEADER", &["Phó Chủ tịch"]) })).await;
    assert_eq!(code(&full["errors"][0]), "CONFLICT");
    let withdrawn = two["data"]["registerForTraining"]["participants"][0]["id"].clone();
    let withdraw = app
        .gql_as(Some(&commune), "mutation($p: ID!) { withdrawTrainingRegistration(input: { participantId: $p }) { participants { id } } }", json!({ "p": withdrawn }))
        .await;
    assert!(withdraw["errors"].is_null(), "{withdraw:#}");
    let now_fits = app.gql_as(Some(&district), REGISTER, json!({ "id": id, "a": demo_agency("th.thoxuan"), "p": people("LEADER", &["Phó Chủ tịch"]) })).await;
    assert!(now_fits["errors"].is_null(), "{now_fits:#}");

    // Nobody registers for an agency that is not invited, or outside their scope.
    let uninvited = app
        .gql_as(
            Some(&department),
            REGISTER,
            json!({ "id": id, "a": demo_agency("th.samson"), "p": people("OFFICER", &["X"]) }),
        )
        .await;
    assert_eq!(field(&uninvited["errors"][0]), "input.agencyId");
    let neighbour = app.demo_token("huyen.trieuson").await;
    let foreign = app
        .gql_as(
            Some(&neighbour),
            REGISTER,
            json!({ "id": id, "a": demo_agency("th.thoxuan"), "p": people("OFFICER", &["X"]) }),
        )
        .await;
    assert_eq!(code(&foreign["errors"][0]), "FORBIDDEN");

    let early = app
        .gql_as(Some(&department), "mutation($id: ID!, $p: ID!) { recordTrainingAttendance(input: { id: $id, attendance: [{ participantId: $p, attended: true }] }) { trainingSession { id } } }", json!({ "id": id, "p": withdrawn }))
        .await;
    assert_eq!(code(&early["errors"][0]), "CONFLICT");
}

#[actix_web::test]
async fn the_2020_session_counts_its_participants_and_refuses_strangers() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let id = demo_id("training.th.2020").to_string();
    let session = app
        .gql_as(Some(&department), "query($id: ID!) { trainingSession(id: $id) { participants { id } byCategory { category registered attended } invitations { agency { name } quota registered attended } absentAgencies { name } } }", json!({ "id": id }))
        .await;
    let session = &session["data"]["trainingSession"];
    let registered: u64 = session["byCategory"]
        .as_array()
        .expect("categories")
        .iter()
        .filter_map(|c| c["registered"].as_u64())
        .sum();
    assert_eq!(registered, 103, "about a hundred people, as seed 002 says");
    let reporters = session["byCategory"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == "REPORTER")
        .cloned()
        .expect("reporters");
    assert_eq!(reporters["registered"], 28);
    assert_eq!(session["absentAgencies"], json!([]));

    let stranger = app
        .gql_as(Some(&department), "mutation($id: ID!, $p: ID!) { recordTrainingAttendance(input: { id: $id, attendance: [{ participantId: $p, attended: true }] }) { trainingSession { id } } }", json!({ "id": id, "p": "019a0000-0000-7000-8000-000000000000" }))
        .await;
    assert_eq!(
        field(&stranger["errors"][0]),
        "input.attendance.participantId"
    );

    let attended = app
        .gql_as(Some(&department), "query($a: ID!) { trainingAttendance(agencyId: $a, from: \"2020-01-01T00:00:00Z\", to: \"2021-01-01T00:00:00Z\") { id } }", json!({ "a": demo_agency("th.trieuson") }))
        .await;
    assert_eq!(
        attended["data"]["trainingAttendance"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}
