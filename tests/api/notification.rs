//! Domain events and notices, played as the accounts would: the Sở's công văn reaches the
//! districts asked, a district's cascade its communes, a submission the district, a return the
//! commune; nobody else hears of it, an event exists only for a committed change, and an event
//! whose wake-up was lost is still dispatched from the outbox.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, code, count, day, demo_agency, department_asks_districts, district_request,
    report_input, report_of, settle, spawn_app_with_demo, template_id,
};

const NOTICES: &str = "query($u: Boolean) { notifications(first: 50, unreadOnly: $u) { edges { node { id kind title text recordType recordId createdAt readAt } } } unreadNotificationCount }";
const ISSUE: &str = "mutation($input: IssueObligationInput!) { issueObligation(input: $input) { obligation { id reports { id recipient { name } } } } }";
const CASCADE: &str = "mutation($input: CascadeObligationInput!) { cascadeObligation(input: $input) { obligation { id reports { id recipient { name } } } } }";
const SUBMIT: &str =
    "mutation($input: ReportInput!) { submitReport(input: $input) { report { id } } }";
const MARK: &str = "mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) { marked unreadCount } }";

/// The notices of the account behind `token`, newest first.
async fn notices(app: &TestApp, token: &str) -> Vec<Value> {
    let answer = app.gql_as(Some(token), NOTICES, json!({})).await;
    answer["data"]["notifications"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no notices: {answer:#}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// Waits (up to five seconds) until the account has a notice of `kind` about `record`.
async fn notice_of(app: &TestApp, token: &str, kind: &str, record: &str) -> Value {
    let start = Instant::now();
    loop {
        let found = notices(app, token)
            .await
            .into_iter()
            .find(|n| n["kind"] == kind && n["recordId"] == record);
        if let Some(found) = found {
            return found;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no {kind} notice about {record}: {:#?}",
            notices(app, token).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn a_cong_van_reaches_the_agencies_asked_and_the_answers_come_back_up() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let district = app.demo_token("huyen.trieuson").await;
    let commune = app.demo_token("xa.danluc").await;
    let other_province = app.demo_token("so.caobang").await;
    let obligation =
        department_asks_districts(&app, Some(("2711/SVHTTDL-QLBC", &day(-1))), &day(20)).await;
    let obligation_id = obligation["id"].as_str().expect("id").to_owned();

    // The district asked hears of it, in Vietnamese by default and in English on request.
    let notice = notice_of(&app, &district, "obligation.issue", &obligation_id).await;
    assert_eq!(notice["recordType"], "ReportingObligation");
    assert_eq!(
        notice["title"],
        "Yêu cầu báo cáo mới: Báo cáo công tác TTĐN năm 2025"
    );
    let text = notice["text"].as_str().expect("text");
    assert!(text.contains("2711/SVHTTDL-QLBC"), "{text}");
    assert!(text.contains("hạn nộp"), "{text}");
    assert_eq!(notice["readAt"], Value::Null);
    let english = app
        .gql_with(
            NOTICES,
            json!({}),
            &[
                ("authorization", &format!("Bearer {district}")),
                ("accept-language", "en"),
            ],
        )
        .await
        .json();
    assert_eq!(
        english["data"]["notifications"]["edges"][0]["node"]["title"],
        "New report request: Báo cáo công tác TTĐN năm 2025"
    );
    // The node id opens the record.
    let opened = app
        .gql_as(
            Some(&district),
            "query($id: ID!) { node(id: $id) { ... on ReportingObligation { title } } }",
            json!({ "id": obligation_id }),
        )
        .await;
    assert_eq!(
        opened["data"]["node"]["title"],
        "Báo cáo công tác TTĐN năm 2025"
    );

    // Nobody else: not the issuer itself, not a commune, not another province.
    settle(&app).await;
    for token in [&department, &commune, &other_province] {
        assert!(
            notices(&app, token)
                .await
                .iter()
                .all(|n| n["recordId"] != obligation_id.as_str()),
            "a notice for an account the công văn does not ask"
        );
    }

    // The district passes it on: its commune hears of the district's own request.
    let cascaded = app
        .gql_as(
            Some(&district),
            CASCADE,
            json!({ "input": { "parentId": obligation_id, "dueDate": day(10),
                               "recipients": { "kinds": ["COMMUNE"] } } }),
        )
        .await;
    let child = cascaded["data"]["cascadeObligation"]["obligation"].clone();
    let child_id = child["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{cascaded:#}"))
        .to_owned();
    notice_of(&app, &commune, "obligation.cascade", &child_id).await;

    // The commune submits: the district hears of it; then returns it: the commune hears.
    let report = report_of(&child, "UBND xã Dân Lực");
    let submitted = app
        .gql_as(Some(&commune), SUBMIT, report_input(&report, 12))
        .await;
    assert!(submitted["errors"].is_null(), "{submitted:#}");
    let arrived = notice_of(&app, &district, "report.submit", &report).await;
    assert_eq!(arrived["title"], "UBND xã Dân Lực đã nộp báo cáo");
    let returned = app
        .gql_as(
            Some(&district),
            "mutation($id: ID!) { returnReport(input: { id: $id, comment: \"Bổ sung số liệu tập huấn\" }) { report { status } } }",
            json!({ "id": report }),
        )
        .await;
    assert!(returned["errors"].is_null(), "{returned:#}");
    let back = notice_of(&app, &commune, "report.return", &report).await;
    assert!(
        back["text"]
            .as_str()
            .is_some_and(|t| t.contains("Bổ sung số liệu tập huấn")),
        "{back:#}"
    );
}

#[actix_web::test]
async fn notices_are_marked_read_one_by_one_or_all_at_once() {
    let app = spawn_app_with_demo().await;
    let press = app.demo_token("bao.thanhhoa").await;
    let department = app.demo_token("so.thanhhoa").await;
    // Three questions from the press to the department: three notices.
    let mut ids = Vec::new();
    for subject in [
        "Dự án đường ven biển",
        "Lễ hội Lam Kinh",
        "Quy hoạch đô thị",
    ] {
        let sent = app
            .gql_as(
                Some(&press),
                "mutation($a: ID!, $s: String!) { sendPressRequest(input: { addressedAgencyId: $a, subject: $s, question: \"Xin cho biết tiến độ.\" }) { pressRequest { id } } }",
                json!({ "a": demo_agency("th.svhttdl"), "s": subject }),
            )
            .await;
        let id = sent["data"]["sendPressRequest"]["pressRequest"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{sent:#}"))
            .to_owned();
        let notice = notice_of(&app, &department, "pressRequest.send", &id).await;
        assert!(
            notice["title"]
                .as_str()
                .is_some_and(|t| t.ends_with(subject)),
            "{notice:#}"
        );
        ids.push(notice["id"].clone());
    }
    let unread = |answer: &Value| answer["data"]["unreadNotificationCount"].as_u64();
    let before = app.gql_as(Some(&department), NOTICES, json!({})).await;
    assert_eq!(unread(&before), Some(3), "{before:#}");
    // totalCount counts them all, whatever the page size.
    let one_page = app
        .gql_as(
            Some(&department),
            "{ notifications(first: 1) { totalCount edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        one_page["data"]["notifications"]["totalCount"], 3,
        "{one_page:#}"
    );

    let one = app
        .gql_as(
            Some(&department),
            MARK,
            json!({ "input": { "ids": [ids[0]] } }),
        )
        .await;
    assert_eq!(
        one["data"]["markNotificationsRead"],
        json!({ "marked": 1, "unreadCount": 2 })
    );
    let unread_only = app
        .gql_as(Some(&department), NOTICES, json!({ "u": true }))
        .await;
    assert_eq!(
        unread_only["data"]["notifications"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    // Another account cannot mark someone else's notices.
    let foreign = app
        .gql_as(Some(&press), MARK, json!({ "input": { "ids": [ids[1]] } }))
        .await;
    assert_eq!(foreign["data"]["markNotificationsRead"]["marked"], 0);
    for bad in [
        json!({}),
        json!({ "ids": [ids[1]], "all": true }),
        json!({ "ids": [] }),
    ] {
        let refused = app
            .gql_as(Some(&department), MARK, json!({ "input": bad }))
            .await;
        assert_eq!(code(&refused["errors"][0]), "BAD_USER_INPUT", "{refused:#}");
    }
    let all = app
        .gql_as(Some(&department), MARK, json!({ "input": { "all": true } }))
        .await;
    assert_eq!(
        all["data"]["markNotificationsRead"],
        json!({ "marked": 2, "unreadCount": 0 })
    );
    let client = app.client_token().await;
    let refused = app.gql_as(Some(&client), NOTICES, json!({})).await;
    assert_eq!(code(&refused["errors"][0]), "FORBIDDEN", "{refused:#}");
}

#[actix_web::test]
async fn an_incident_enters_the_departments_queue_and_no_other_provinces() {
    let app = spawn_app_with_demo().await;
    let district = app.demo_token("huyen.trieuson").await;
    let department = app.demo_token("so.thanhhoa").await;
    let other = app.demo_token("so.caobang").await;
    let reported = app
        .gql_as(
            Some(&district),
            "mutation($a: ID!, $t: DateTime!) { reportIncident(input: { affectedAgencyId: $a, sourceOutlet: \"Mạng xã hội\", category: FALSE_INFORMATION, summary: \"Tin sai về dự án.\", appearedAt: $t }) { incident { id } } }",
            json!({ "a": demo_agency("th.trieuson"), "t": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339() }),
        )
        .await;
    let id = reported["data"]["reportIncident"]["incident"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{reported:#}"))
        .to_owned();
    let notice = notice_of(&app, &department, "incident.report", &id).await;
    assert_eq!(notice["title"], "Sự cố thông tin mới: UBND huyện Triệu Sơn");
    settle(&app).await;
    assert!(notices(&app, &other).await.is_empty());
    assert!(
        notices(&app, &district).await.is_empty(),
        "the reporter is not told of its own change"
    );
}

#[actix_web::test]
async fn an_event_exists_only_for_a_committed_change_and_a_lost_wake_up_is_caught_up() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    settle(&app).await;
    let events = "SELECT COUNT(*) AS n FROM domain_event";
    let before = count(&app, events).await;
    // A refused change (a past due date) writes no event.
    let template = template_id(&app, "TTDN_ANNUAL").await;
    let refused = app
        .gql_as(
            Some(&department),
            ISSUE,
            district_request(&template, "Báo cáo", 2026, None, "2020-01-01"),
        )
        .await;
    assert!(refused["errors"].is_array(), "{refused:#}");
    assert_eq!(count(&app, events).await, before);

    // An event committed by a process that died before waking anyone (recorded here without
    // the wake-up) is dispatched from the outbox on the dispatcher's next pass.
    let obligation = ttdn_api::demo::demo_id("obligation.2480").to_string();
    {
        use sea_orm::TransactionTrait;
        let txn = app.db.begin().await.expect("begin");
        ttdn_api::events::outbox::record(
            &txn,
            "obligation.amend",
            "ReportingObligation",
            uuid::Uuid::parse_str(&obligation).expect("id"),
            None,
        )
        .await
        .expect("record");
        txn.commit().await.expect("commit");
    }
    let district = app.demo_token("huyen.trieuson").await;
    let notice = notice_of(&app, &district, "obligation.amend", &obligation).await;
    assert!(
        notice["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("Yêu cầu báo cáo được điều chỉnh")),
        "{notice:#}"
    );
    // Every event has its own position, in dispatch order.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(DISTINCT position) AS n FROM domain_event WHERE position IS NOT NULL"
        )
        .await,
        count(&app, events).await
    );
}
