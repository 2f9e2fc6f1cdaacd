//! Reminders and đôn đốc, with the clock moved instead of waited for: a report is reminded
//! before its deadline, on the day and every day after (the issuer told who is late), once per
//! day however many processes run the scheduler; press requests and incidents before and after
//! their deadlines.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use ttdn_api::reminder::service::{Schedule, run_once};

use crate::helpers::{
    TestApp, count, day, demo_agency, department_asks_districts, report_input, report_of, settle,
    spawn_app_with_demo,
};

const NOTICES: &str =
    "{ notifications(first: 100) { edges { node { kind title text recordId } } } }";

/// The account's notices of `kind` about `record`, once the dispatcher has caught up.
async fn notices_of(app: &TestApp, token: &str, kind: &str, record: &str) -> Vec<Value> {
    settle(app).await;
    let answer = app.gql_as(Some(token), NOTICES, json!({})).await;
    answer["data"]["notifications"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer:#}"))
        .iter()
        .map(|e| e["node"].clone())
        .filter(|n| n["kind"] == kind && n["recordId"] == record)
        .collect()
}

/// Noon (Vietnam time) `days` from today.
fn noon(days: i64) -> DateTime<Utc> {
    let date = ttdn_api::time::today() + Duration::days(days);
    date.and_hms_opt(5, 0, 0).expect("a time").and_utc()
}

#[actix_web::test]
async fn a_report_is_reminded_before_on_and_after_its_deadline_once_a_day() {
    let app = spawn_app_with_demo().await;
    let schedule = Schedule::default();
    let department = app.demo_token("so.thanhhoa").await;
    let district = app.demo_token("huyen.trieuson").await;
    let obligation = department_asks_districts(&app, None, &day(3)).await;
    let report = report_of(&obligation, "UBND huyện Triệu Sơn");

    // Three days before: one reminder, however often the scheduler looks.
    assert!(run_once(&app.db, &schedule, noon(0)).await.expect("pass") >= 3);
    assert_eq!(
        run_once(&app.db, &schedule, noon(0)).await.expect("pass"),
        0
    );
    let soon = notices_of(&app, &district, "report.dueSoon", &report).await;
    assert_eq!(soon.len(), 1, "{soon:#?}");
    assert!(
        soon[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("còn 3 ngày")),
        "{soon:#?}"
    );
    // Nothing on a day between, the day before, on the day.
    run_once(&app.db, &schedule, noon(1)).await.expect("pass");
    assert_eq!(
        notices_of(&app, &district, "report.dueSoon", &report)
            .await
            .len(),
        1
    );
    run_once(&app.db, &schedule, noon(2)).await.expect("pass");
    assert_eq!(
        notices_of(&app, &district, "report.dueSoon", &report)
            .await
            .len(),
        2
    );
    run_once(&app.db, &schedule, noon(3)).await.expect("pass");
    assert_eq!(
        notices_of(&app, &district, "report.dueToday", &report)
            .await
            .len(),
        1
    );
    // Overdue: the district and the department that asked, every day.
    run_once(&app.db, &schedule, noon(4)).await.expect("pass");
    run_once(&app.db, &schedule, noon(4)).await.expect("pass");
    let late = notices_of(&app, &district, "report.overdue", &report).await;
    assert_eq!(late.len(), 1);
    assert!(
        late[0]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("Đã quá hạn 1 ngày")),
        "{late:#?}"
    );
    let chased = notices_of(&app, &department, "report.overdue", &report).await;
    assert_eq!(chased.len(), 1);
    assert_eq!(
        chased[0]["title"],
        "UBND huyện Triệu Sơn chưa nộp báo cáo: Báo cáo công tác TTĐN năm 2025"
    );
    run_once(&app.db, &schedule, noon(5)).await.expect("pass");
    assert_eq!(
        notices_of(&app, &district, "report.overdue", &report)
            .await
            .len(),
        2
    );
    // Once submitted, the reminders stop.
    let submitted = app
        .gql_as(
            Some(&district),
            "mutation($input: ReportInput!) { submitReport(input: $input) { report { id } } }",
            report_input(&report, 7),
        )
        .await;
    assert!(submitted["errors"].is_null(), "{submitted:#}");
    run_once(&app.db, &schedule, noon(6)).await.expect("pass");
    assert_eq!(
        notices_of(&app, &district, "report.overdue", &report)
            .await
            .len(),
        2
    );
}

#[actix_web::test]
async fn two_schedulers_at_once_give_each_reminder_once() {
    let app = spawn_app_with_demo().await;
    department_asks_districts(&app, None, &day(1)).await;
    // Two processes: two pools on the same database, each with its own scheduler pass.
    let other = ttdn_api::db::connect(&app.database_url, 4)
        .await
        .expect("a second pool");
    let schedule = Schedule::default();
    let (a, b) = tokio::join!(
        run_once(&app.db, &schedule, noon(0)),
        run_once(&other, &schedule, noon(0))
    );
    let given = a.expect("first") + b.expect("second");
    assert!(given >= 3, "the three districts' reports at least");
    let reminders = "SELECT COUNT(*) AS n FROM domain_event WHERE actor_id IS NULL";
    assert_eq!(
        count(&app, reminders).await,
        i64::try_from(given).expect("count")
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM (SELECT DISTINCT kind, record_id FROM domain_event \
             WHERE actor_id IS NULL) AS d"
        )
        .await,
        i64::try_from(given).expect("count"),
        "no reminder twice"
    );
}

#[actix_web::test]
async fn press_requests_and_incidents_are_reminded_before_and_after_their_deadlines() {
    let app = spawn_app_with_demo().await;
    let schedule = Schedule::default();
    let press = app.demo_token("bao.thanhhoa").await;
    let department = app.demo_token("so.thanhhoa").await;
    let district = app.demo_token("huyen.trieuson").await;
    let now = Utc::now();

    let sent = app
        .gql_as(
            Some(&press),
            "mutation($a: ID!, $d: DateTime!) { sendPressRequest(input: { addressedAgencyId: $a, subject: \"Dự án đường ven biển\", question: \"Tiến độ?\", dueAt: $d }) { pressRequest { id } } }",
            json!({ "a": demo_agency("th.trieuson"), "d": (now + Duration::days(10)).to_rfc3339() }),
        )
        .await;
    let request = sent["data"]["sendPressRequest"]["pressRequest"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{sent:#}"))
        .to_owned();
    let reported = app
        .gql_as(
            Some(&district),
            "mutation($a: ID!, $t: DateTime!) { reportIncident(input: { affectedAgencyId: $a, sourceOutlet: \"Mạng xã hội\", category: FALSE_INFORMATION, summary: \"Tin sai về dự án.\", appearedAt: $t }) { incident { id } } }",
            json!({ "a": demo_agency("th.trieuson"), "t": (now - Duration::hours(1)).to_rfc3339() }),
        )
        .await;
    let incident = reported["data"]["reportIncident"]["incident"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{reported:#}"))
        .to_owned();

    // Six days before the request's due time: nothing yet; four days before: reminded once.
    run_once(&app.db, &schedule, now + Duration::days(4))
        .await
        .expect("pass");
    assert!(
        notices_of(&app, &district, "pressRequest.dueSoon", &request)
            .await
            .is_empty()
    );
    run_once(&app.db, &schedule, now + Duration::days(6))
        .await
        .expect("pass");
    run_once(&app.db, &schedule, now + Duration::days(7))
        .await
        .expect("pass");
    assert_eq!(
        notices_of(&app, &district, "pressRequest.dueSoon", &request)
            .await
            .len(),
        1
    );
    run_once(&app.db, &schedule, now + Duration::days(11))
        .await
        .expect("pass");
    assert_eq!(
        notices_of(&app, &district, "pressRequest.overdue", &request)
            .await
            .len(),
        1
    );

    // The statement is due 24 hours after receipt: reminded 4 hours before, then overdue, and
    // the department told.
    run_once(&app.db, &schedule, now + Duration::hours(21))
        .await
        .expect("pass");
    assert_eq!(
        notices_of(&app, &district, "incident.statementDueSoon", &incident)
            .await
            .len(),
        1
    );
    run_once(&app.db, &schedule, now + Duration::hours(25))
        .await
        .expect("pass");
    assert_eq!(
        notices_of(&app, &district, "incident.statementOverdue", &incident)
            .await
            .len(),
        1
    );
    assert_eq!(
        notices_of(&app, &department, "incident.statementOverdue", &incident)
            .await
            .len(),
        1
    );
}
