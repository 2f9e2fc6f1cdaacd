//! Incidents: the department's queue, assignment, the 24-hour statement, counts and prefill.

use serde_json::{Value, json};
use ttdn_api::demo::demo_id;

use crate::helpers::{code, demo_agency, field, spawn_app_with_demo};

const REPORT: &str = "mutation($input: ReportIncidentInput!) { reportIncident(input: $input) { incident { id receivedAt statementDueAt status } } }";
const STATEMENT: &str = "mutation($id: ID!, $t: DateTime!) { recordIncidentStatement(input: { id: $id, statementAt: $t, correctionRequested: true }) { incident { firstStatementAt statementOnTime correctionRequested } } }";

fn hours_ago(hours: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::hours(hours)).to_rfc3339()
}

#[actix_web::test]
async fn an_incident_reaches_the_department_and_is_answered_within_24_hours() {
    let app = spawn_app_with_demo().await;
    let commune = app.demo_token("xa.danluc").await;
    let department = app.demo_token("so.thanhhoa").await;
    let district = app.demo_token("huyen.trieuson").await;
    let reported = app
        .gql_as(Some(&commune), REPORT, json!({ "input": {
            "affectedAgencyId": demo_agency("th.trieuson.danluc"), "sourceOutlet": "Trang Facebook cá nhân",
            "link": "https://facebook.com/post/1", "category": "FALSE_INFORMATION",
            "summary": "Tin sai về giải phóng mặt bằng", "appearedAt": hours_ago(6), "receivedAt": hours_ago(4)
        } }))
        .await;
    let incident = reported["data"]["reportIncident"]["incident"].clone();
    let id = incident["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{reported:#}"))
        .to_owned();
    let received =
        chrono::DateTime::parse_from_rfc3339(incident["receivedAt"].as_str().expect("time"))
            .expect("rfc3339");
    let due =
        chrono::DateTime::parse_from_rfc3339(incident["statementDueAt"].as_str().expect("time"))
            .expect("rfc3339");
    assert_eq!((due - received).num_hours(), 24);

    let queue = app
        .gql_as(
            Some(&department),
            "{ incidents(first: 100, filter: { statuses: [OPEN] }) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let ids: Vec<&str> = queue["data"]["incidents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["id"].as_str())
        .collect();
    assert!(ids.contains(&id.as_str()), "not in the department's queue");
    let other = app.demo_token("so.caobang").await;
    assert_eq!(
        code(
            &app.gql_as(
                Some(&other),
                "query($id: ID!) { incident(id: $id) { id } }",
                json!({ "id": id })
            )
            .await["errors"][0]
        ),
        "NOT_FOUND"
    );

    let assign = "mutation($id: ID!, $h: ID!) { assignIncident(input: { id: $id, handlingAgencyId: $h }) { incident { handlingAgency { name } } } }";
    assert_eq!(
        code(
            &app.gql_as(
                Some(&commune),
                assign,
                json!({ "id": id, "h": demo_agency("th.trieuson") })
            )
            .await["errors"][0]
        ),
        "FORBIDDEN"
    );
    let assigned = app
        .gql_as(
            Some(&department),
            assign,
            json!({ "id": id, "h": demo_agency("th.trieuson") }),
        )
        .await;
    assert_eq!(
        assigned["data"]["assignIncident"]["incident"]["handlingAgency"]["name"],
        "UBND huyện Triệu Sơn"
    );

    let before_receipt = app
        .gql_as(
            Some(&district),
            STATEMENT,
            json!({ "id": id, "t": hours_ago(5) }),
        )
        .await;
    assert_eq!(field(&before_receipt["errors"][0]), "input.statementAt");
    let answered = app
        .gql_as(
            Some(&district),
            STATEMENT,
            json!({ "id": id, "t": hours_ago(1) }),
        )
        .await;
    assert_eq!(
        answered["data"]["recordIncidentStatement"]["incident"]["statementOnTime"], true,
        "{answered:#}"
    );

    let close = "mutation($id: ID!) { closeIncident(input: { id: $id, outcome: \"Đã đính chính trên Cổng thông tin\" }) { incident { status } } }";
    assert_eq!(
        app.gql_as(Some(&department), close, json!({ "id": id }))
            .await["data"]["closeIncident"]["incident"]["status"],
        "CLOSED"
    );
    let again = app
        .gql_as(
            Some(&district),
            STATEMENT,
            json!({ "id": id, "t": hours_ago(1) }),
        )
        .await;
    assert_eq!(code(&again["errors"][0]), "CONFLICT");
}

#[actix_web::test]
async fn a_statement_after_24_hours_is_late_and_open_ones_past_due_are_overdue() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let overdue = app
        .gql_as(
            Some(&department),
            "{ incidents(filter: { overdue: true }) { edges { node { id overdue } } } }",
            json!({}),
        )
        .await;
    let edges = overdue["data"]["incidents"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert_eq!(edges.len(), 1, "{overdue:#}");
    assert_eq!(
        edges[0]["node"]["id"],
        demo_id("incident.th.current").to_string().as_str()
    );

    let district = app.demo_token("huyen.trieuson").await;
    let late = app
        .gql_as(
            Some(&district),
            STATEMENT,
            json!({ "id": demo_id("incident.th.current").to_string(), "t": hours_ago(1) }),
        )
        .await;
    assert_eq!(
        late["data"]["recordIncidentStatement"]["incident"]["statementOnTime"],
        false
    );
    let cao_bang = app.demo_token("so.caobang").await;
    let none = app
        .gql_as(
            Some(&cao_bang),
            "{ incidents(filter: { overdue: true }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(none["data"]["incidents"]["totalCount"], 0);
}

#[actix_web::test]
async fn counts_feed_the_press_statement_report() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let counts = app
        .gql_as(
            Some(&department),
            "{ incidentCounts(filter: { from: \"2025-01-01T00:00:00+07:00\", to: \"2026-01-01T00:00:00+07:00\" }) { incidents withStatement statementsOnTime correctionRequested falseInformation } }",
            json!({}),
        )
        .await;
    assert_eq!(
        counts["data"]["incidentCounts"],
        json!({ "incidents": 5, "withStatement": 4, "statementsOnTime": 3, "correctionRequested": 2, "falseInformation": 3 })
    );

    let templates = app.data("{ reportTemplates { id code } }", json!({})).await;
    let template = templates["reportTemplates"]
        .as_array()
        .expect("list")
        .iter()
        .find(|t| t["code"] == "PRESS_STATEMENT_ANNUAL")
        .and_then(|t| t["id"].as_str())
        .expect("template")
        .to_owned();
    let issued = app
        .data(
            "mutation($input: IssueObligationInput!) { issueObligation(input: $input) { obligation { reports { id } } } }",
            json!({ "input": {
                "issuerAgencyId": demo_agency("th"), "title": "Báo cáo phát ngôn năm 2025", "periodKind": "ANNUAL",
                "periodYear": 2025, "dueDate": "2025-12-19", "templateId": template,
                "recipients": { "agencyIds": [demo_agency("th.trieuson")] }
            } }),
        )
        .await;
    let report = issued["issueObligation"]["obligation"]["reports"][0]["id"].clone();
    let prefill = app
        .data(
            "query($id: ID!) { reportPrefill(reportId: $id) { computed { key value } } }",
            json!({ "id": report }),
        )
        .await;
    let value = |key: &str| -> Value {
        prefill["reportPrefill"]["computed"]
            .as_array()
            .expect("computed")
            .iter()
            .find(|c| c["key"] == key)
            .map(|c| c["value"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        value("incident_statements"),
        json!({ "numerator": 1, "denominator": 2 })
    );
    assert_eq!(
        value("corrections"),
        json!({ "numerator": 1, "denominator": 2 })
    );
    assert_eq!(
        value("statements_on_time"),
        json!({ "numerator": 1, "denominator": 1 })
    );
}
