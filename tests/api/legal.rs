//! Legal deadlines as dated, editable data: the shipped defaults, a province's department
//! changing its own province's values from a day on, deadlines already set never moving, and
//! every bad change refused with nothing written.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, code, day, demo_agency, district_request, field, spawn_app_with_demo, template_id,
};

const SETTINGS: &str = "query($p: ID, $on: Date) { legalSettings(provinceId: $p, on: $on) { key value unit minimum maximum effectiveFrom legalSource description changedBy inEffect province { name } } }";
const HISTORY: &str = "query($k: LegalSettingKey, $p: ID) { legalSettingHistory(key: $k, provinceId: $p) { id key value effectiveFrom withdrawnAt note province { name } } }";
const SCHEDULE: &str = "mutation($input: ScheduleLegalSettingInput!) { scheduleLegalSetting(input: $input) { legalSetting { id key value effectiveFrom inEffect changedBy note province { name } } } }";
const WITHDRAW: &str = "mutation($id: ID!) { withdrawLegalSetting(input: { id: $id }) { legalSetting { id withdrawnAt } } }";
const REPORT_INCIDENT: &str = "mutation($a: ID!, $t: DateTime!) { reportIncident(input: { affectedAgencyId: $a, sourceOutlet: \"Mạng xã hội\", category: FALSE_INFORMATION, summary: \"Tin sai sự thật về dự án.\", appearedAt: $t }) { incident { id receivedAt statementDueAt } } }";
const INCIDENT: &str = "query($id: ID!) { incident(id: $id) { receivedAt statementDueAt } }";
const SEND_REQUEST: &str = "mutation($a: ID!) { sendPressRequest(input: { addressedAgencyId: $a, subject: \"Tiến độ dự án\", question: \"Xin cho biết tiến độ.\" }) { pressRequest { id receivedAt dueAt } } }";

fn instant(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
        .unwrap_or_else(|| panic!("not a DateTime: {value}"))
        .with_timezone(&Utc)
}

/// The hours between two DateTime values of an answer, to the nearest hour (SQLite keeps
/// milliseconds of a time computed in SQL).
fn hours_between(from: &Value, to: &Value) -> i64 {
    ((instant(to) - instant(from)).num_seconds() + 1800).div_euclid(3600)
}

/// The value of `key` among `legalSettings`.
fn setting<'a>(answer: &'a Value, key: &str) -> &'a Value {
    answer["data"]["legalSettings"]
        .as_array()
        .unwrap_or_else(|| panic!("no settings: {answer:#}"))
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("no {key}: {answer:#}"))
}

async fn schedule(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql_as(Some(token), SCHEDULE, json!({ "input": input }))
        .await
}

async fn history_len(app: &TestApp, token: &str) -> usize {
    let answer = app
        .gql_as(Some(token), HISTORY, json!({ "p": demo_agency("th") }))
        .await;
    answer["data"]["legalSettingHistory"]
        .as_array()
        .unwrap_or_else(|| panic!("no history: {answer:#}"))
        .len()
}

async fn report_incident(app: &TestApp, token: &str, agency: &str) -> Value {
    let appeared = (Utc::now() - Duration::hours(2)).to_rfc3339();
    let answer = app
        .gql_as(
            Some(token),
            REPORT_INCIDENT,
            json!({ "a": demo_agency(agency), "t": appeared }),
        )
        .await;
    answer["data"]["reportIncident"]["incident"].clone()
}

#[actix_web::test]
async fn everyone_reads_the_shipped_defaults_with_their_legal_source() {
    let app = spawn_app_with_demo().await;
    for account in ["xa.danluc", "bao.thanhhoa", "so.caobang"] {
        let token = app.demo_token(account).await;
        let answer = app.gql_as(Some(&token), SETTINGS, json!({})).await;
        for (key, value, unit) in [
            ("INCIDENT_STATEMENT_HOURS", 24, "HOURS"),
            ("PRESS_REQUEST_ANSWER_DAYS", 30, "DAYS"),
            ("SPOKESPERSON_PUBLICATION_HOURS", 24, "HOURS"),
            ("REPORTING_CUTOFF_DAY", 14, "DAY_OF_MONTH"),
        ] {
            let found = setting(&answer, key);
            assert_eq!(found["value"], value, "{account} {key}: {answer:#}");
            assert_eq!(found["unit"], unit);
            assert_eq!(found["province"], Value::Null, "the national value");
            assert_eq!(found["changedBy"], "ttdn");
            assert_eq!(found["inEffect"], true);
            assert!(
                found["legalSource"].as_str().is_some_and(|s| s.len() > 20),
                "{found:#}"
            );
        }
    }
    let english = app
        .gql_with(
            "{ legalSettings { key description } }",
            json!({}),
            &[("accept-language", "en")],
        )
        .await
        .json();
    assert!(
        setting(&english, "INCIDENT_STATEMENT_HOURS")["description"]
            .as_str()
            .is_some_and(|d| d.contains("first statement")),
        "{english:#}"
    );
    assert!(
        app.gql_as(None, SETTINGS, json!({})).await["errors"][0]["extensions"]["code"]
            == "UNAUTHENTICATED"
    );
}

#[actix_web::test]
async fn a_department_shortens_its_provinces_statement_window_and_set_deadlines_stay() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let district = app.demo_token("huyen.trieuson").await;
    let cao_bang = app.demo_token("so.caobang").await;

    let before = report_incident(&app, &district, "th.trieuson").await;
    assert_eq!(
        hours_between(&before["receivedAt"], &before["statementDueAt"]),
        24
    );

    let changed = schedule(
        &app,
        &department,
        json!({ "key": "INCIDENT_STATEMENT_HOURS", "provinceId": demo_agency("th"), "value": 12,
                "effectiveFrom": day(0), "note": "Quyết định 15/2026/QĐ-UBND của UBND tỉnh" }),
    )
    .await;
    let row = &changed["data"]["scheduleLegalSetting"]["legalSetting"];
    assert_eq!(row["value"], 12, "{changed:#}");
    assert_eq!(row["inEffect"], true);
    assert_eq!(row["changedBy"], "so.thanhhoa");
    assert_eq!(row["province"]["name"], "UBND tỉnh Thanh Hóa");

    // A new incident in the province takes 12 hours; one elsewhere keeps the national 24.
    let after = report_incident(&app, &district, "th.trieuson").await;
    assert_eq!(
        hours_between(&after["receivedAt"], &after["statementDueAt"]),
        12
    );
    let elsewhere = report_incident(&app, &cao_bang, "cb.thucphan").await;
    assert_eq!(
        hours_between(&elsewhere["receivedAt"], &elsewhere["statementDueAt"]),
        24
    );
    // The incident recorded before the change keeps its deadline.
    let again = app
        .gql_as(Some(&department), INCIDENT, json!({ "id": before["id"] }))
        .await;
    assert_eq!(
        again["data"]["incident"]["statementDueAt"],
        before["statementDueAt"]
    );

    // The province's values and the national ones, as each reads them.
    let own = app.gql_as(Some(&district), SETTINGS, json!({})).await;
    assert_eq!(setting(&own, "INCIDENT_STATEMENT_HOURS")["value"], 12);
    assert_eq!(
        setting(&own, "INCIDENT_STATEMENT_HOURS")["province"]["name"],
        "UBND tỉnh Thanh Hóa"
    );
    assert_eq!(setting(&own, "PRESS_REQUEST_ANSWER_DAYS")["value"], 30);
    let theirs = app.gql_as(Some(&cao_bang), SETTINGS, json!({})).await;
    assert_eq!(setting(&theirs, "INCIDENT_STATEMENT_HOURS")["value"], 24);
    let yesterday = app
        .gql_as(Some(&district), SETTINGS, json!({ "on": day(-1) }))
        .await;
    assert_eq!(setting(&yesterday, "INCIDENT_STATEMENT_HOURS")["value"], 24);
}

#[actix_web::test]
async fn a_provinces_answer_time_sets_the_due_date_of_press_requests_sent_to_it() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let press = app.demo_token("bao.thanhhoa").await;
    let changed = schedule(
        &app,
        &department,
        json!({ "key": "PRESS_REQUEST_ANSWER_DAYS", "provinceId": demo_agency("th"), "value": 10,
                "effectiveFrom": day(0) }),
    )
    .await;
    assert!(changed["errors"].is_null(), "{changed:#}");
    let sent = |agency: &'static str| {
        let (app, press) = (&app, &press);
        async move {
            let answer = app
                .gql_as(
                    Some(press),
                    SEND_REQUEST,
                    json!({ "a": demo_agency(agency) }),
                )
                .await;
            answer["data"]["sendPressRequest"]["pressRequest"].clone()
        }
    };
    let here = sent("th.trieuson").await;
    assert_eq!(
        hours_between(&here["receivedAt"], &here["dueAt"]),
        10 * 24,
        "{here:#}"
    );
    let there = sent("cb.thucphan").await;
    assert_eq!(
        hours_between(&there["receivedAt"], &there["dueAt"]),
        30 * 24
    );
}

#[actix_web::test]
async fn a_provinces_publication_window_sets_the_due_time_of_new_appointments_only() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let district = app.demo_token("huyen.trieuson").await;
    let appoint = |commune: &'static str, name: &'static str| {
        let (app, district) = (&app, &district);
        async move {
            let answer = app
                .gql_as(
                    Some(district),
                    "mutation($input: AppointSpokespersonInput!) { appointSpokesperson(input: $input) { spokesperson { id createdAt publicationDueAt publicationOverdue } } }",
                    json!({ "input": {
                        "agencyId": demo_agency(commune), "fullName": name,
                        "title": "Phó Chủ tịch UBND xã", "kind": "APPOINTED",
                        "phone": "0912 345 678", "termFrom": "2026-01-01"
                    } }),
                )
                .await;
            assert!(answer["errors"].is_null(), "{answer:#}");
            answer["data"]["appointSpokesperson"]["spokesperson"].clone()
        }
    };
    let first = appoint("th.trieuson.danluc", "Đinh Thị Ngọc Ánh").await;
    assert_eq!(
        hours_between(&first["createdAt"], &first["publicationDueAt"]),
        24,
        "{first:#}"
    );
    let changed = schedule(
        &app,
        &department,
        json!({ "key": "SPOKESPERSON_PUBLICATION_HOURS", "provinceId": demo_agency("th"),
                "value": 48, "effectiveFrom": day(0) }),
    )
    .await;
    assert!(changed["errors"].is_null(), "{changed:#}");
    let second = appoint("th.trieuson.danly", "Lê Văn Hùng").await;
    assert_eq!(
        hours_between(&second["createdAt"], &second["publicationDueAt"]),
        48
    );
    assert_eq!(second["publicationOverdue"], false);
    let first_again = app
        .gql_as(
            Some(&district),
            "query($id: ID!) { spokesperson(id: $id) { publicationDueAt } }",
            json!({ "id": first["id"] }),
        )
        .await;
    assert_eq!(
        first_again["data"]["spokesperson"]["publicationDueAt"],
        first["publicationDueAt"]
    );
}

#[actix_web::test]
async fn a_provinces_cutoff_day_shapes_the_preset_periods_it_issues() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let cao_bang = app.demo_token("so.caobang").await;
    let changed = schedule(
        &app,
        &department,
        json!({ "key": "REPORTING_CUTOFF_DAY", "provinceId": demo_agency("th"), "value": 20,
                "effectiveFrom": day(0) }),
    )
    .await;
    assert!(changed["errors"].is_null(), "{changed:#}");
    let period = "{ reportingPeriod(kind: SEMIANNUAL, year: 2027, index: 1) { start end } }";
    let here = app.gql_as(Some(&department), period, json!({})).await;
    assert_eq!(
        here["data"]["reportingPeriod"],
        json!({ "start": "2026-12-21", "end": "2027-06-20" })
    );
    let there = app.gql_as(Some(&cao_bang), period, json!({})).await;
    assert_eq!(
        there["data"]["reportingPeriod"],
        json!({ "start": "2026-12-15", "end": "2027-06-14" })
    );

    let template = template_id(&app, "TTDN_ANNUAL").await;
    let issued = app
        .gql_as(
            Some(&department),
            "mutation($input: IssueObligationInput!) { issueObligation(input: $input) { obligation { periodStart periodEnd } } }",
            district_request(&template, "Báo cáo công tác TTĐN năm 2027", 2027, None, "2027-12-31"),
        )
        .await;
    assert_eq!(
        issued["data"]["issueObligation"]["obligation"],
        json!({ "periodStart": "2026-12-21", "periodEnd": "2027-12-20" }),
        "{issued:#}"
    );
}

#[actix_web::test]
async fn only_administrators_set_national_values_and_departments_their_own_province() {
    let app = spawn_app_with_demo().await;
    let admin = app.demo_token("admin").await;
    let department = app.demo_token("so.thanhhoa").await;
    let district = app.demo_token("huyen.trieuson").await;
    let press = app.demo_token("bao.thanhhoa").await;
    let input = |province: Option<&str>| {
        let mut input =
            json!({ "key": "PRESS_REQUEST_ANSWER_DAYS", "value": 20, "effectiveFrom": day(30) });
        if let Some(province) = province {
            input["provinceId"] = json!(demo_agency(province));
        }
        input
    };
    let before = history_len(&app, &admin).await;
    for (token, province) in [
        (&department, None),
        (&department, Some("cb")),
        (&district, Some("th")),
        (&press, Some("th")),
    ] {
        let refused = schedule(&app, token, input(province)).await;
        assert_eq!(code(&refused["errors"][0]), "FORBIDDEN", "{refused:#}");
    }
    assert_eq!(history_len(&app, &admin).await, before, "nothing written");

    let national = schedule(&app, &admin, input(None)).await;
    assert!(national["errors"].is_null(), "{national:#}");
    assert_eq!(
        national["data"]["scheduleLegalSetting"]["legalSetting"]["inEffect"],
        false
    );
    let provincial = schedule(&app, &admin, input(Some("cb"))).await;
    assert!(provincial["errors"].is_null(), "{provincial:#}");
    // Scheduled for next month: today's value is unchanged, next month's is the new one.
    let now = app.gql_as(Some(&department), SETTINGS, json!({})).await;
    assert_eq!(setting(&now, "PRESS_REQUEST_ANSWER_DAYS")["value"], 30);
    let later = app
        .gql_as(Some(&department), SETTINGS, json!({ "on": day(30) }))
        .await;
    assert_eq!(setting(&later, "PRESS_REQUEST_ANSWER_DAYS")["value"], 20);
    assert_eq!(
        setting(&later, "PRESS_REQUEST_ANSWER_DAYS")["province"],
        Value::Null
    );
    // The audit trail keeps who changed what.
    let audit = app
        .gql_as(
            Some(&admin),
            "{ auditEvents(first: 5, filter: { operation: \"legalSetting.schedule\", outcome: ALLOWED }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(audit["data"]["auditEvents"]["totalCount"], 2, "{audit:#}");
}

#[actix_web::test]
async fn a_bad_change_is_refused_with_its_field_and_writes_nothing() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let base = json!({ "key": "INCIDENT_STATEMENT_HOURS", "provinceId": demo_agency("th"),
                       "value": 12, "effectiveFrom": day(10) });
    let with = |change: Value| {
        let mut input = base.clone();
        for (k, v) in change.as_object().into_iter().flatten() {
            input[k] = v.clone();
        }
        input
    };
    let before = history_len(&app, &department).await;
    for (change, expected_code, expected_field) in [
        (
            json!({ "effectiveFrom": day(-1) }),
            "BAD_USER_INPUT",
            "input.effectiveFrom",
        ),
        (json!({ "value": 0 }), "BAD_USER_INPUT", "input.value"),
        (json!({ "value": 169 }), "BAD_USER_INPUT", "input.value"),
        (
            json!({ "provinceId": demo_agency("th.trieuson") }),
            "BAD_USER_INPUT",
            "input.provinceId",
        ),
        (
            json!({ "provinceId": "not-an-id" }),
            "BAD_USER_INPUT",
            "input.provinceId",
        ),
    ] {
        let refused = schedule(&app, &department, with(change.clone())).await;
        assert_eq!(
            code(&refused["errors"][0]),
            expected_code,
            "{change}: {refused:#}"
        );
        assert_eq!(field(&refused["errors"][0]), expected_field, "{change}");
    }
    assert_eq!(history_len(&app, &department).await, before);

    // One value per day: the second is CONFLICT until the first is withdrawn.
    let first = schedule(&app, &department, base.clone()).await;
    let id = first["data"]["scheduleLegalSetting"]["legalSetting"]["id"].clone();
    assert!(id.is_string(), "{first:#}");
    let second = schedule(&app, &department, with(json!({ "value": 6 }))).await;
    assert_eq!(code(&second["errors"][0]), "CONFLICT", "{second:#}");
    assert_eq!(field(&second["errors"][0]), "input.effectiveFrom");
    let withdrawn = app
        .gql_as(Some(&department), WITHDRAW, json!({ "id": id }))
        .await;
    assert!(
        withdrawn["data"]["withdrawLegalSetting"]["legalSetting"]["withdrawnAt"].is_string(),
        "{withdrawn:#}"
    );
    let again = app
        .gql_as(Some(&department), WITHDRAW, json!({ "id": id }))
        .await;
    assert_eq!(code(&again["errors"][0]), "CONFLICT", "{again:#}");
    let replaced = schedule(&app, &department, with(json!({ "value": 6 }))).await;
    assert!(replaced["errors"].is_null(), "{replaced:#}");

    // A value in force cannot be withdrawn: deadlines may already rest on it.
    let today = schedule(&app, &department, with(json!({ "effectiveFrom": day(0) }))).await;
    let in_force = today["data"]["scheduleLegalSetting"]["legalSetting"]["id"].clone();
    let refused = app
        .gql_as(Some(&department), WITHDRAW, json!({ "id": in_force }))
        .await;
    assert_eq!(code(&refused["errors"][0]), "CONFLICT", "{refused:#}");

    // The history shows all of it, the withdrawn value included.
    let history = app
        .gql_as(
            Some(&department),
            HISTORY,
            json!({ "k": "INCIDENT_STATEMENT_HOURS" }),
        )
        .await;
    let rows = history["data"]["legalSettingHistory"]
        .as_array()
        .expect("history");
    assert_eq!(
        rows.len(),
        4,
        "default, withdrawn, replacement, today's: {history:#}"
    );
    assert_eq!(
        rows.iter().filter(|r| r["withdrawnAt"].is_string()).count(),
        1
    );
}

#[actix_web::test]
async fn two_changes_racing_for_the_same_day_leave_one() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let input = |value: i64| {
        json!({ "key": "REPORTING_CUTOFF_DAY", "provinceId": demo_agency("th"), "value": value,
                "effectiveFrom": day(5) })
    };
    let (a, b) = tokio::join!(
        schedule(&app, &department, input(20)),
        schedule(&app, &department, input(21))
    );
    let won = [&a, &b].iter().filter(|r| r["errors"].is_null()).count();
    assert_eq!(won, 1, "{a:#} {b:#}");
    let lost = if a["errors"].is_null() { &b } else { &a };
    assert_eq!(code(&lost["errors"][0]), "CONFLICT", "{lost:#}");
    let history = app
        .gql_as(
            Some(&department),
            HISTORY,
            json!({ "k": "REPORTING_CUTOFF_DAY", "p": demo_agency("th") }),
        )
        .await;
    assert_eq!(
        history["data"]["legalSettingHistory"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "the default and the winner: {history:#}"
    );
}

#[actix_web::test]
async fn the_migration_keeps_the_publication_deadlines_of_recorded_appointments() {
    use migration::{Migrator, MigratorTrait};
    let app = spawn_app_with_demo().await;
    let press = app.demo_token("bao.thanhhoa").await;
    let query = "{ spokespeople(first: 100) { edges { node { createdAt publicationDueAt } } } }";
    // Back to before migration 16 and forward again: the due times are rebuilt from the
    // appointments as they were made (24 hours), and the shipped defaults recorded again.
    let after_fifteen = u32::try_from(Migrator::migrations().len() - 15).expect("count");
    Migrator::down(&app.db, Some(after_fifteen))
        .await
        .expect("roll back");
    ttdn_api::db::migrate(&app.db).await.expect("apply again");
    let answer = app.gql_as(Some(&press), query, json!({})).await;
    let people = answer["data"]["spokespeople"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer:#}"));
    assert!(!people.is_empty());
    for person in people {
        let node = &person["node"];
        assert_eq!(
            hours_between(&node["createdAt"], &node["publicationDueAt"]),
            24,
            "{node:#}"
        );
    }
    let settings = app.gql_as(Some(&press), SETTINGS, json!({})).await;
    assert_eq!(setting(&settings, "INCIDENT_STATEMENT_HOURS")["value"], 24);
}
