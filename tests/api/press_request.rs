//! Press requests: sending, answering, refusing, overdue follow-up.

use serde_json::json;
use ttdn_api::demo::demo_id;

use crate::helpers::{code, demo_agency, field, spawn_app_with_demo};

const SEND: &str = "mutation($input: SendPressRequestInput!) { sendPressRequest(input: $input) { pressRequest { id status dueAt receivedAt pressAgency { name } } } }";
const LIST: &str = "query($f: PressRequestFilterInput) { pressRequests(first: 100, filter: $f) { totalCount edges { node { subject overdue addressedAgency { name } } } } }";

#[actix_web::test]
async fn a_question_is_due_in_30_days_and_gets_an_answer() {
    let app = spawn_app_with_demo().await;
    let press = app.demo_token("bao.thanhhoa").await;
    let sent = app
        .gql_as(
            Some(&press),
            SEND,
            json!({ "input": { "addressedAgencyId": demo_agency("th.thoxuan"), "subject": "Dự án sân bay Thọ Xuân", "question": "Đề nghị cho biết tiến độ." } }),
        )
        .await;
    let request = &sent["data"]["sendPressRequest"]["pressRequest"];
    assert_eq!(request["status"], "OPEN", "{sent:#}");
    assert_eq!(request["pressAgency"]["name"], "Báo Thanh Hóa");
    let received =
        chrono::DateTime::parse_from_rfc3339(request["receivedAt"].as_str().expect("time"))
            .expect("rfc3339");
    let due = chrono::DateTime::parse_from_rfc3339(request["dueAt"].as_str().expect("time"))
        .expect("rfc3339");
    assert_eq!((due - received).num_days(), 30);
    let id = request["id"].as_str().expect("id").to_owned();

    // Thọ Xuân answers; Triệu Sơn, a neighbour, cannot even see it.
    let neighbour = app.demo_token("huyen.trieuson").await;
    let answer = "mutation($id: ID!) { answerPressRequest(input: { id: $id, answer: \"Dự án đang triển khai đúng tiến độ.\" }) { pressRequest { status answer answeredAt } } }";
    assert_eq!(
        code(
            &app.gql_as(Some(&neighbour), answer, json!({ "id": id }))
                .await["errors"][0]
        ),
        "NOT_FOUND"
    );
    let district = app.demo_token("huyen.thoxuan").await;
    let answered = app
        .gql_as(Some(&district), answer, json!({ "id": id }))
        .await;
    assert_eq!(
        answered["data"]["answerPressRequest"]["pressRequest"]["status"], "ANSWERED",
        "{answered:#}"
    );
    assert_eq!(
        code(
            &app.gql_as(Some(&district), answer, json!({ "id": id }))
                .await["errors"][0]
        ),
        "CONFLICT"
    );
    let seen = app
        .gql_as(
            Some(&press),
            "query($id: ID!) { pressRequest(id: $id) { answer } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        seen["data"]["pressRequest"]["answer"],
        "Dự án đang triển khai đúng tiến độ."
    );
}

#[actix_web::test]
async fn a_refusal_names_its_legal_ground() {
    let app = spawn_app_with_demo().await;
    let refuse = "mutation($id: ID!) { refusePressRequest(input: { id: $id, reason: INSPECTION_OR_COMPLAINT_PENDING, explanation: \"Vụ việc đang được thanh tra.\" }) { pressRequest { status refusalReason refusalExplanation } } }";
    let refused = app
        .data(
            refuse,
            json!({ "id": demo_id("request.th.danluc").to_string() }),
        )
        .await;
    let request = &refused["refusePressRequest"]["pressRequest"];
    assert_eq!(request["status"], "REFUSED");
    assert_eq!(request["refusalReason"], "INSPECTION_OR_COMPLAINT_PENDING");
}

#[actix_web::test]
async fn overdue_requests_are_listed_for_the_agency_and_its_parents() {
    let app = spawn_app_with_demo().await;
    let overdue = json!({ "f": { "overdue": true } });
    for username in ["huyen.trieuson", "so.thanhhoa"] {
        let token = app.demo_token(username).await;
        let listed = app.gql_as(Some(&token), LIST, overdue.clone()).await;
        let subjects: Vec<&str> = listed["data"]["pressRequests"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter_map(|e| e["node"]["subject"].as_str())
            .collect();
        assert_eq!(
            subjects,
            vec!["Tiến độ giải phóng mặt bằng cụm công nghiệp"],
            "{username}"
        );
    }
    for username in ["xa.danluc", "so.caobang"] {
        let token = app.demo_token(username).await;
        let listed = app.gql_as(Some(&token), LIST, overdue.clone()).await;
        assert_eq!(
            listed["data"]["pressRequests"]["totalCount"], 0,
            "{username}"
        );
    }
}

#[actix_web::test]
async fn only_press_agencies_ask_and_only_government_is_asked() {
    let app = spawn_app_with_demo().await;
    let input = |agency: &str| json!({ "input": { "addressedAgencyId": demo_agency(agency), "subject": "Câu hỏi", "question": "Nội dung." } });
    let commune = app.demo_token("xa.danluc").await;
    assert_eq!(
        code(&app.gql_as(Some(&commune), SEND, input("th.trieuson")).await["errors"][0]),
        "FORBIDDEN"
    );
    let press = app.demo_token("bao.thanhhoa").await;
    let to_press = app.gql_as(Some(&press), SEND, input("press.vtv")).await;
    assert_eq!(field(&to_press["errors"][0]), "input.addressedAgencyId");
    let closed = app.gql_as(Some(&press), SEND, input("th.stttt")).await;
    assert_eq!(field(&closed["errors"][0]), "input.addressedAgencyId");
    let empty = app
        .gql_as(Some(&press), SEND, json!({ "input": { "addressedAgencyId": demo_agency("th"), "subject": "Câu hỏi", "question": "  " } }))
        .await;
    assert_eq!(field(&empty["errors"][0]), "input.question");
}
