//! Reporting: the whole cascade, validation, compliance, roll-up, prefill and export.

use serde_json::{Value, json};
use ttdn_api::demo::demo_id;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};

use crate::helpers::{
    code, day, demo_agency, district_request, field, report_input, report_of, spawn_app_with_demo,
    template_id,
};

/// The first sheet of an XLSX file.
fn first_sheet(bytes: &[u8]) -> Range<Data> {
    let mut workbook: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX file");
    let name = workbook.sheet_names().first().cloned().expect("a sheet");
    workbook.worksheet_range(&name).expect("the sheet")
}

const ISSUE: &str = "mutation($input: IssueObligationInput!) { issueObligation(input: $input) { obligation { id periodStart periodEnd dueDate reports { id recipient { name } } } } }";
const CASCADE: &str = "mutation($input: CascadeObligationInput!) { cascadeObligation(input: $input) { obligation { id parent { id } reports { id recipient { name } } } } }";
const SUBMIT: &str = "mutation($input: ReportInput!) { submitReport(input: $input) { report { id status late state versions { number late } } } }";
const COMPLIANCE: &str = "query($id: ID!) { obligation(id: $id) { compliance { total counts { state count } recipients { state report { recipient { name } } } overdueAgencies { name } } rollUp { totals { key total numerator denominator reports } } } }";

fn counts(compliance: &Value) -> Vec<(String, u64)> {
    compliance["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .filter(|c| c["count"].as_u64() > Some(0))
        .map(|c| {
            (
                c["state"].as_str().expect("state").to_owned(),
                c["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

#[actix_web::test]
async fn the_annual_cascade_runs_from_the_department_to_the_communes_and_back() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let trieuson = app.demo_token("huyen.trieuson").await;
    let thoxuan = app.demo_token("huyen.thoxuan").await;
    let danluc = app.demo_token("xa.danluc").await;
    let xuanlam = app.demo_token("xa.xuanlam").await;
    let template = template_id(&app, "TTDN_ANNUAL").await;

    // The department asks every district of its province for the 2025 annual report.
    let issued = app
        .gql_as(
            Some(&department),
            ISSUE,
            district_request(
                &template,
                "Báo cáo công tác TTĐN năm 2025",
                2025,
                Some(("2480/SVHTTDL-TTBCXB", &day(-1))),
                &day(10),
            ),
        )
        .await;
    let parent = issued["data"]["issueObligation"]["obligation"].clone();
    assert_eq!(parent["periodStart"], "2024-12-15", "{issued:#}");
    assert_eq!(parent["periodEnd"], "2025-12-14");
    assert_eq!(
        parent["reports"].as_array().map(Vec::len),
        Some(3),
        "the three current districts of Thanh Hóa"
    );
    let parent_id = parent["id"].as_str().expect("id").to_owned();

    // Triệu Sơn passes it on with a deadline already past (its communes will be late); Thọ
    // Xuân with one still ahead.
    let late_child = app
        .gql_as(Some(&trieuson), CASCADE, json!({ "input": { "parentId": parent_id, "dueDate": day(-1), "recipients": { "kinds": ["COMMUNE"] } } }))
        .await;
    let late_child = late_child["data"]["cascadeObligation"]["obligation"].clone();
    assert_eq!(late_child["parent"]["id"], parent_id.as_str());
    assert_eq!(late_child["reports"].as_array().map(Vec::len), Some(5));
    let on_time_child = app
        .gql_as(Some(&thoxuan), CASCADE, json!({ "input": { "parentId": parent_id, "dueDate": day(5), "recipients": { "agencyIds": [demo_agency("th.thoxuan.xuanlam")] } } }))
        .await;
    let on_time_child = on_time_child["data"]["cascadeObligation"]["obligation"].clone();

    // Dân Lực submits late, is returned, resubmits; Xuân Lam submits on time.
    let danluc_report = report_of(&late_child, "UBND xã Dân Lực");
    let first = app
        .gql_as(Some(&danluc), SUBMIT, report_input(&danluc_report, 30))
        .await;
    assert_eq!(
        first["data"]["submitReport"]["report"]["state"], "SUBMITTED_LATE",
        "{first:#}"
    );
    let edit = app
        .gql_as(Some(&danluc), SUBMIT, report_input(&danluc_report, 31))
        .await;
    assert_eq!(
        code(&edit["errors"][0]),
        "CONFLICT",
        "a submitted report cannot be changed"
    );
    let returned = app
        .gql_as(Some(&trieuson), "mutation($id: ID!) { returnReport(input: { id: $id, comment: \"Bổ sung số liệu tập huấn\" }) { report { status reviewComment } } }", json!({ "id": danluc_report }))
        .await;
    assert_eq!(
        returned["data"]["returnReport"]["report"]["status"],
        "RETURNED"
    );
    let second = app
        .gql_as(Some(&danluc), SUBMIT, report_input(&danluc_report, 32))
        .await;
    let versions = second["data"]["submitReport"]["report"]["versions"]
        .as_array()
        .expect("versions")
        .clone();
    assert_eq!(versions.len(), 2);
    assert!(versions.iter().all(|v| v["late"] == true));
    let xuanlam_report = report_of(&on_time_child, "UBND xã Xuân Lam");
    let on_time = app
        .gql_as(Some(&xuanlam), SUBMIT, report_input(&xuanlam_report, 20))
        .await;
    assert_eq!(
        on_time["data"]["submitReport"]["report"]["state"],
        "SUBMITTED_ON_TIME"
    );

    // Triệu Sơn consolidates: compliance and roll-up of its communes.
    let view = app
        .gql_as(
            Some(&trieuson),
            COMPLIANCE,
            json!({ "id": late_child["id"] }),
        )
        .await;
    let compliance = &view["data"]["obligation"]["compliance"];
    assert_eq!(
        counts(compliance),
        vec![("SUBMITTED_LATE".to_owned(), 1), ("OVERDUE".to_owned(), 4)]
    );
    assert_eq!(
        compliance["overdueAgencies"].as_array().map(Vec::len),
        Some(4)
    );
    let totals = view["data"]["obligation"]["rollUp"]["totals"]
        .as_array()
        .expect("totals")
        .clone();
    let news = totals
        .iter()
        .find(|t| t["key"] == "news_articles")
        .expect("news");
    assert_eq!(news["total"], 32.0);
    assert_eq!(news["reports"], 1);

    // …then submits its own report to the department, on time.
    let trieuson_report = report_of(&parent, "UBND huyện Triệu Sơn");
    let own = app
        .gql_as(Some(&trieuson), SUBMIT, report_input(&trieuson_report, 32))
        .await;
    assert_eq!(
        own["data"]["submitReport"]["report"]["state"], "SUBMITTED_ON_TIME",
        "{own:#}"
    );

    // The department sees the province.
    let view = app
        .gql_as(Some(&department), COMPLIANCE, json!({ "id": parent_id }))
        .await;
    let compliance = &view["data"]["obligation"]["compliance"];
    assert_eq!(compliance["total"], 3);
    assert_eq!(
        counts(compliance),
        vec![
            ("NOT_STARTED".to_owned(), 2),
            ("SUBMITTED_ON_TIME".to_owned(), 1)
        ]
    );
    let totals = view["data"]["obligation"]["rollUp"]["totals"]
        .as_array()
        .expect("totals")
        .clone();
    let hours = totals
        .iter()
        .find(|t| t["key"] == "broadcast_hours")
        .expect("hours");
    assert_eq!(hours["total"], 2.5);

    // Export, as Excel wants it.
    let bearer = format!("Bearer {department}");
    let csv = app
        .request(
            "GET",
            &format!("/exports/obligations/{parent_id}/compliance.csv"),
            &[("authorization", &bearer)],
            vec![],
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.starts_with(&[0xEF, 0xBB, 0xBF]),
        "UTF-8 byte-order mark"
    );
    let text = csv.text();
    assert!(
        text.contains("UBND huyện Triệu Sơn") && text.contains("Đã gửi đúng hạn"),
        "{text}"
    );
    let xlsx = app
        .request(
            "GET",
            &format!("/exports/obligations/{parent_id}/compliance.xlsx"),
            &[("authorization", &bearer)],
            vec![],
        )
        .await;
    assert_eq!(xlsx.status, 200);
    let sheet = first_sheet(&xlsx.body);
    assert!(
        (0..3).any(|r| matches!(sheet.get((r, 0)), Some(Data::String(t)) if t.contains("2480/SVHTTDL-TTBCXB"))),
        "the công văn in the title rows"
    );
    let trieuson_row = (0..sheet.height())
        .find(|r| sheet.get((*r, 0)) == Some(&Data::String("UBND huyện Triệu Sơn".into())))
        .expect("Triệu Sơn's row");
    assert_eq!(
        sheet.get((trieuson_row, 3)),
        Some(&Data::String("Đã gửi đúng hạn".into()))
    );
    // The first metric (news articles): 32, a number.
    assert_eq!(sheet.get((trieuson_row, 6)), Some(&Data::Float(32.0)));
    let missing = app
        .request(
            "GET",
            &format!("/exports/obligations/{parent_id}/compliance.pdf"),
            &[("authorization", &bearer)],
            vec![],
        )
        .await;
    assert_eq!(missing.status, 404);
    let anonymous = app
        .request(
            "GET",
            &format!("/exports/obligations/{parent_id}/compliance.csv"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(anonymous.status, 401);
    let commune = format!("Bearer {danluc}");
    let outsider = app
        .request(
            "GET",
            &format!("/exports/obligations/{parent_id}/compliance.csv"),
            &[("authorization", &commune)],
            vec![],
        )
        .await;
    assert_eq!(outsider.status, 404);
}

#[actix_web::test]
async fn submissions_are_checked_against_the_template_and_write_nothing_when_wrong() {
    let app = spawn_app_with_demo().await;
    let danluc = app.demo_token("xa.danluc").await;
    let obligation = app
        .data(
            "query($id: ID!) { obligation(id: $id) { reports { id recipient { name } } } }",
            json!({ "id": demo_id("obligation.th.2026.h2").to_string() }),
        )
        .await;
    let report = report_of(&obligation["obligation"], "UBND xã Dân Lực");
    let mut missing_section = report_input(&report, 5);
    missing_section["input"]["sections"]["results"] = json!("  ");
    let mut negative = report_input(&report, -3);
    negative["input"]["sections"]["results"] = json!("x");
    let mut wrong_type = report_input(&report, 5);
    wrong_type["input"]["metrics"]["press_briefings"] = json!("một");
    let mut unknown = report_input(&report, 5);
    unknown["input"]["metrics"]["likes"] = json!(10);
    let mut unsigned = report_input(&report, 5);
    unsigned["input"]["signerName"] = Value::Null;
    for (input, expected) in [
        (missing_section, "input.sections.results"),
        (negative, "input.metrics.news_articles"),
        (wrong_type, "input.metrics.press_briefings"),
        (unknown, "input.metrics.likes"),
        (unsigned, "input.signerName"),
    ] {
        let refused = app.gql_as(Some(&danluc), SUBMIT, input).await;
        assert_eq!(code(&refused["errors"][0]), "BAD_USER_INPUT", "{refused:#}");
        assert_eq!(field(&refused["errors"][0]), expected);
    }
    let untouched = app
        .gql_as(
            Some(&danluc),
            "query($id: ID!) { report(id: $id) { status versions { number } } }",
            json!({ "id": report }),
        )
        .await;
    assert_eq!(untouched["data"]["report"]["status"], "NOT_STARTED");
    assert_eq!(untouched["data"]["report"]["versions"], json!([]));
}

#[actix_web::test]
async fn nobody_reports_for_another_agency_or_reviews_what_it_did_not_ask() {
    let app = spawn_app_with_demo().await;
    let obligation = app
        .data(
            "query($id: ID!) { obligation(id: $id) { reports { id recipient { name } } } }",
            json!({ "id": demo_id("obligation.th.2026.h2").to_string() }),
        )
        .await;
    let danly = report_of(&obligation["obligation"], "UBND xã Dân Lý");
    let danluc = app.demo_token("xa.danluc").await;
    let foreign = app
        .gql_as(Some(&danluc), SUBMIT, report_input(&danly, 5))
        .await;
    assert_eq!(code(&foreign["errors"][0]), "NOT_FOUND");
    // The district sees its commune's report but may not submit it in its place.
    let district = app.demo_token("huyen.trieuson").await;
    let in_place = app
        .gql_as(Some(&district), SUBMIT, report_input(&danly, 5))
        .await;
    assert_eq!(code(&in_place["errors"][0]), "FORBIDDEN");
    // A district reviewing a report of an obligation it did not issue.
    let child = app
        .data(
            "query($id: ID!) { obligation(id: $id) { reports { id recipient { name } } } }",
            json!({ "id": demo_id("obligation.2480.trieuson").to_string() }),
        )
        .await;
    let submitted = report_of(&child["obligation"], "UBND xã Dân Lý");
    let neighbour = app.demo_token("huyen.thoxuan").await;
    let review = app
        .gql_as(
            Some(&neighbour),
            "mutation($id: ID!) { acceptReport(input: { id: $id }) { report { id } } }",
            json!({ "id": submitted }),
        )
        .await;
    assert_eq!(code(&review["errors"][0]), "NOT_FOUND");

    // `node(id:)` finds a report for whoever may see it, and for no one else.
    const NODE: &str =
        "query($id: ID!) { node(id: $id) { __typename id ... on Report { recipient { name } } } }";
    let seen = app
        .gql_as(Some(&district), NODE, json!({ "id": submitted }))
        .await;
    assert_eq!(seen["data"]["node"]["__typename"], "Report", "{seen:#}");
    assert_eq!(seen["data"]["node"]["recipient"]["name"], "UBND xã Dân Lý");
    let hidden = app
        .gql_as(Some(&neighbour), NODE, json!({ "id": submitted }))
        .await;
    assert_eq!(code(&hidden["errors"][0]), "NOT_FOUND", "{hidden:#}");
}

#[actix_web::test]
async fn bad_obligations_are_refused() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let template = template_id(&app, "TTDN_ANNUAL").await;
    let base = json!({
        "issuerAgencyId": demo_agency("th.svhttdl"), "title": "Báo cáo năm", "periodKind": "ANNUAL",
        "periodYear": 2025, "dueDate": day(10), "templateId": template, "recipients": { "kinds": ["DISTRICT"] }
    });
    let with = |key: &str, value: Value| {
        let mut input = base.clone();
        input[key] = value;
        json!({ "input": input })
    };
    for (input, expected) in [
        (with("dueDate", json!("2025-12-01")), "input.dueDate"),
        (
            with(
                "recipients",
                json!({ "agencyIds": [demo_agency("cb.thucphan")] }),
            ),
            "input.recipients.agencyIds",
        ),
        (
            with(
                "recipients",
                json!({ "agencyIds": [demo_agency("th.baoth")] }),
            ),
            "input.recipients.agencyIds",
        ),
        (with("recipients", json!({})), "input.recipients"),
        (with("periodKind", json!("MONTHLY")), "input.periodIndex"),
    ] {
        let mut input = input;
        if expected == "input.periodIndex" {
            input["input"]["periodIndex"] = json!(13);
        }
        let refused = app.gql_as(Some(&department), ISSUE, input.clone()).await;
        assert_eq!(
            code(&refused["errors"][0]),
            "BAD_USER_INPUT",
            "{input}: {refused:#}"
        );
        assert_eq!(field(&refused["errors"][0]), expected, "{input}");
    }
    let commune = app.demo_token("xa.danluc").await;
    let refused = app
        .gql_as(
            Some(&commune),
            ISSUE,
            with("issuerAgencyId", json!(demo_agency("th.trieuson.danluc"))),
        )
        .await;
    assert_eq!(code(&refused["errors"][0]), "FORBIDDEN");

    // A child due after its parent.
    let district = app.demo_token("huyen.trieuson").await;
    let late_child = app
        .gql_as(Some(&district), CASCADE, json!({ "input": { "parentId": demo_id("obligation.th.2026.h2").to_string(), "dueDate": "2026-12-31", "recipients": { "kinds": ["COMMUNE"] } } }))
        .await;
    assert_eq!(field(&late_child["errors"][0]), "input.dueDate");
    // Recipients of a neighbouring district.
    let neighbours = app
        .gql_as(Some(&district), CASCADE, json!({ "input": { "parentId": demo_id("obligation.th.2026.h2").to_string(), "dueDate": "2026-12-15", "recipients": { "agencyIds": [demo_agency("th.thoxuan.xuanlam")] } } }))
        .await;
    assert_eq!(
        field(&neighbours["errors"][0]),
        "input.recipients.agencyIds"
    );
}

#[actix_web::test]
async fn the_demo_obligations_show_every_state() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let district = app.demo_token("huyen.trieuson").await;
    // The demo cascade (công văn 2480, passed on by Triệu Sơn) has communes late two levels
    // down: the consolidation and the đôn đốc list show them.
    let cascade = app
        .gql_as(
            Some(&department),
            CONSOLIDATION,
            json!({ "id": demo_id("obligation.2480").to_string(), "mode": "FROM_LEAVES" }),
        )
        .await;
    let late_below: Vec<&Value> = cascade["data"]["obligation"]["consolidation"]["lateAgencies"]
        .as_array()
        .unwrap_or_else(|| panic!("{cascade:#}"))
        .iter()
        .filter(|l| l["depth"] == 2 && l["state"] == "OVERDUE")
        .collect();
    assert_eq!(late_below.len(), 2, "{cascade:#}");
    let chase = app
        .gql_as(
            Some(&department),
            CHASE,
            json!({ "days": 0, "f": { "obligationId": demo_id("obligation.2480").to_string(), "kinds": ["COMMUNE"] } }),
        )
        .await;
    let chased_names: Vec<String> = chased(&chase).into_iter().map(|(n, _)| n).collect();
    for late in &late_below {
        let name = late["agency"]["name"].as_str().expect("name").to_owned();
        assert!(chased_names.contains(&name), "{name} in {chase:#}");
    }
    let parent = app
        .gql_as(
            Some(&department),
            COMPLIANCE,
            json!({ "id": demo_id("obligation.2480").to_string() }),
        )
        .await;
    assert_eq!(
        counts(&parent["data"]["obligation"]["compliance"]),
        vec![
            ("SUBMITTED_ON_TIME".to_owned(), 1),
            ("ACCEPTED".to_owned(), 1),
            ("OVERDUE".to_owned(), 1)
        ]
    );
    let child = app
        .gql_as(
            Some(&district),
            COMPLIANCE,
            json!({ "id": demo_id("obligation.2480.trieuson").to_string() }),
        )
        .await;
    assert_eq!(
        counts(&child["data"]["obligation"]["compliance"]),
        vec![
            ("SUBMITTED_LATE".to_owned(), 1),
            ("RETURNED".to_owned(), 1),
            ("ACCEPTED".to_owned(), 1),
            ("OVERDUE".to_owned(), 2)
        ]
    );
    let news = child["data"]["obligation"]["rollUp"]["totals"]
        .as_array()
        .expect("totals")
        .iter()
        .find(|t| t["key"] == "news_articles")
        .cloned()
        .expect("news");
    assert_eq!(
        news["total"], 54.0,
        "Dân Lực 36 accepted + Dân Lý 18 submitted; the returned one does not count"
    );
    // A commune sees the obligation addressed to it, but not the compliance view.
    let commune = app.demo_token("xa.danluc").await;
    let denied = app
        .gql_as(
            Some(&commune),
            COMPLIANCE,
            json!({ "id": demo_id("obligation.2480.trieuson").to_string() }),
        )
        .await;
    assert_eq!(code(&denied["errors"][0]), "FORBIDDEN");
    let due = app
        .gql_as(
            Some(&commune),
            "{ reportsDue { totalCount edges { node { dueDate obligation { title } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(due["data"]["reportsDue"]["totalCount"], 1, "{due:#}");
}

#[actix_web::test]
async fn prefill_computes_what_was_recorded_and_declares_the_rest() {
    let app = spawn_app_with_demo().await;
    let template = template_id(&app, "PRESS_STATEMENT_ANNUAL").await;
    let issued = app
        .data(ISSUE, json!({ "input": {
            "issuerAgencyId": demo_agency("th"), "title": "Báo cáo phát ngôn năm 2025", "periodKind": "ANNUAL",
            "periodYear": 2025, "dueDate": "2025-12-19", "templateId": template,
            "recipients": { "agencyIds": [demo_agency("th.svhttdl")] }
        } }))
        .await;
    let report = report_of(
        &issued["issueObligation"]["obligation"],
        "Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa",
    );
    let prefill = app
        .data("query($id: ID!) { reportPrefill(reportId: $id) { computed { key value source } manual } }", json!({ "id": report }))
        .await;
    let computed: Vec<(String, Value)> = prefill["reportPrefill"]["computed"]
        .as_array()
        .expect("computed")
        .iter()
        .map(|c| {
            (
                c["key"].as_str().expect("key").to_owned(),
                c["value"].clone(),
            )
        })
        .collect();
    assert!(
        computed.contains(&("press_conferences".to_owned(), json!(1))),
        "{computed:?}"
    );
    assert!(
        computed.contains(&("liaison_statements".to_owned(), json!(10))),
        "{computed:?}"
    );
    assert!(computed.iter().any(|(k, _)| k == "press_requests"));
    assert!(
        computed.iter().any(|(k, _)| k == "corrections"),
        "incidents feed the ratios"
    );
    assert_eq!(
        prefill["reportPrefill"]["manual"],
        json!([]),
        "every metric of this template is computed"
    );
}

#[actix_web::test]
async fn presets_follow_the_general_reporting_regime() {
    let app = spawn_app_with_demo().await;
    let period = app
        .data("{ h1: reportingPeriod(kind: SEMIANNUAL, year: 2021, index: 1) { start end } year: reportingPeriod(kind: ANNUAL, year: 2021) { start end } }", json!({}))
        .await;
    assert_eq!(
        period["h1"],
        json!({ "start": "2020-12-15", "end": "2021-06-14" })
    );
    assert_eq!(
        period["year"],
        json!({ "start": "2020-12-15", "end": "2021-12-14" })
    );
}

/// Moves a training session into the past, as time does (the API records attendance only once
/// a session has started, and registration only before).
async fn shift_session(app: &crate::helpers::TestApp, id: &str, days_ago: i64) {
    use sea_orm::ConnectionTrait;
    let starts = chrono::Utc::now() - chrono::Duration::days(days_ago);
    let ends = starts + chrono::Duration::hours(4);
    let backend = app.db.get_database_backend();
    app.db
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DatabaseBackend::Postgres => {
                    "UPDATE training_session SET starts_at = $1, ends_at = $2 WHERE id = $3"
                }
                _ => "UPDATE training_session SET starts_at = ?, ends_at = ? WHERE id = ?",
            },
            [
                starts.into(),
                ends.into(),
                uuid::Uuid::parse_str(id).expect("uuid").into(),
            ],
        ))
        .await
        .expect("shift the session");
}

/// A session organised by `organizer`, with two people of `invited`, moved `days_ago` into the
/// past; one of them attended.
async fn held_session(
    app: &crate::helpers::TestApp,
    token: &str,
    organizer: &str,
    invited: &str,
    days_ago: i64,
) {
    let starts = chrono::Utc::now() + chrono::Duration::hours(2);
    let created = app
        .gql_as(
            Some(token),
            "mutation($input: CreateTrainingSessionInput!) { createTrainingSession(input: $input) { trainingSession { id } } }",
            json!({ "input": {
                "organizerId": demo_agency(organizer), "title": format!("Tập huấn TTĐN ({days_ago} ngày trước)"),
                "startsAt": starts.to_rfc3339(), "endsAt": (starts + chrono::Duration::hours(4)).to_rfc3339(),
                "place": "Hội trường UBND", "mode": "IN_PERSON", "capacity": 50, "audience": ["OFFICER"]
            } }),
        )
        .await;
    let id = created["data"]["createTrainingSession"]["trainingSession"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created:#}"))
        .to_owned();
    let invited_answer = app
        .gql_as(
            Some(token),
            "mutation($input: InviteToTrainingInput!) { inviteToTraining(input: $input) { trainingSession { id } } }",
            json!({ "input": { "id": id, "invitations": [{ "agencyId": demo_agency(invited) }] } }),
        )
        .await;
    assert!(invited_answer.get("errors").is_none(), "{invited_answer:#}");
    let registered = app
        .gql_as(
            Some(token),
            "mutation($input: RegisterForTrainingInput!) { registerForTraining(input: $input) { participants { id } } }",
            json!({ "input": { "id": id, "agencyId": demo_agency(invited), "participants": [
                { "fullName": "Nguyễn Văn An", "category": "OFFICER" },
                { "fullName": "Trần Thị Bình", "category": "OFFICER" }
            ] } }),
        )
        .await;
    let people: Vec<String> = registered["data"]["registerForTraining"]["participants"]
        .as_array()
        .unwrap_or_else(|| panic!("{registered:#}"))
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_owned())
        .collect();
    shift_session(app, &id, days_ago).await;
    let attendance = app
        .gql_as(
            Some(token),
            "mutation($input: RecordTrainingAttendanceInput!) { recordTrainingAttendance(input: $input) { trainingSession { id } } }",
            json!({ "input": { "id": id, "attendance": [
                { "participantId": people[0], "attended": true },
                { "participantId": people[1], "attended": false }
            ] } }),
        )
        .await;
    assert!(attendance.get("errors").is_none(), "{attendance:#}");
}

/// A task of a new plan of `agency`, led by `lead`, marked done on `done_on`.
async fn task_done(
    app: &crate::helpers::TestApp,
    token: &str,
    agency: &str,
    lead: &str,
    content: &str,
    done_on: chrono::NaiveDate,
) {
    let plan = app
        .gql_as(
            Some(token),
            "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } } }",
            json!({ "input": { "agencyId": demo_agency(agency), "year": 2026, "title": format!("Kế hoạch: {content}") } }),
        )
        .await;
    let plan = plan["data"]["createPlan"]["plan"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{plan:#}"))
        .to_owned();
    let task = app
        .gql_as(
            Some(token),
            "mutation($input: AddPlanTaskInput!) { addPlanTask(input: $input) { task { id } } }",
            json!({ "input": { "planId": plan, "content": content, "leadAgencyId": demo_agency(lead) } }),
        )
        .await;
    let task = task["data"]["addPlanTask"]["task"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{task:#}"))
        .to_owned();
    let done = app
        .gql_as(
            Some(token),
            "mutation($input: RecordTaskProgressInput!) { recordTaskProgress(input: $input) { task { status } } }",
            json!({ "input": { "taskId": task, "notedOn": done_on.to_string(), "note": "Đã hoàn thành", "status": "DONE" } }),
        )
        .await;
    assert_eq!(
        done["data"]["recordTaskProgress"]["task"]["status"], "DONE",
        "{done:#}"
    );
}

/// Trainings held with their participants, and plan tasks done, reach the prefill of the
/// period that contains them, for the agency and those below it only.
#[actix_web::test]
async fn prefill_counts_trainings_and_tasks_done_of_the_period_and_the_subtree() {
    let app = spawn_app_with_demo().await;
    let trieuson = app.demo_token("huyen.trieuson").await;
    let thoxuan = app.demo_token("huyen.thoxuan").await;
    let today = ttdn_api::time::today();
    // In the period and the subtree: a district session and a commune's task.
    held_session(&app, &trieuson, "th.trieuson", "th.trieuson.danluc", 3).await;
    task_done(
        &app,
        &trieuson,
        "th.trieuson",
        "th.trieuson.danluc",
        "Tuyên truyền lễ hội",
        today,
    )
    .await;
    // Outside the period: a session 40 days ago and a task done 40 days ago.
    held_session(&app, &trieuson, "th.trieuson", "th.trieuson.danluc", 40).await;
    task_done(
        &app,
        &trieuson,
        "th.trieuson",
        "th.trieuson",
        "Hội nghị năm trước",
        today - chrono::Duration::days(40),
    )
    .await;
    // Outside the subtree: Thọ Xuân's.
    held_session(&app, &thoxuan, "th.thoxuan", "th.thoxuan.xuanlam", 3).await;
    task_done(
        &app,
        &thoxuan,
        "th.thoxuan",
        "th.thoxuan.xuanlam",
        "Việc của Thọ Xuân",
        today,
    )
    .await;

    let department = app.demo_token("so.thanhhoa").await;
    let template = template_id(&app, "TTDN_ANNUAL").await;
    let issued = app
        .gql_as(
            Some(&department),
            ISSUE,
            json!({ "input": {
                "issuerAgencyId": demo_agency("th.svhttdl"), "title": "Báo cáo nhanh công tác TTĐN",
                "periodKind": "AD_HOC", "periodStart": (today - chrono::Duration::days(20)).to_string(),
                "periodEnd": today.to_string(), "dueDate": day(5), "templateId": template,
                "recipients": { "agencyIds": [demo_agency("th.trieuson")] }
            } }),
        )
        .await;
    let report = report_of(
        &issued["data"]["issueObligation"]["obligation"],
        "UBND huyện Triệu Sơn",
    );
    let prefill = app
        .gql_as(
            Some(&trieuson),
            "query($id: ID!) { reportPrefill(reportId: $id) { computed { key value source } manual tasksDone { content } } }",
            json!({ "id": report }),
        )
        .await;
    let value = |key: &str| {
        prefill["data"]["reportPrefill"]["computed"]
            .as_array()
            .unwrap_or_else(|| panic!("{prefill:#}"))
            .iter()
            .find(|c| c["key"] == key)
            .map(|c| c["value"].clone())
    };
    assert_eq!(value("trainings"), Some(json!(1)), "{prefill:#}");
    assert_eq!(
        value("training_participants"),
        Some(json!(1)),
        "{prefill:#}"
    );
    let manual = prefill["data"]["reportPrefill"]["manual"]
        .as_array()
        .expect("manual");
    assert!(
        !manual
            .iter()
            .any(|m| m == "trainings" || m == "training_participants")
    );
    assert_eq!(
        prefill["data"]["reportPrefill"]["tasksDone"],
        json!([{ "content": "Tuyên truyền lễ hội" }]),
        "{prefill:#}"
    );
}

/// ND 30/2020: an agency's document numbers never repeat within a year, across obligations,
/// plans and releases, and two racing requests cannot both take one.
#[actix_web::test]
async fn a_document_number_is_used_once_per_issuer_and_year() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let template = template_id(&app, "TTDN_ANNUAL").await;
    let issue = |number: &str, date: &str| {
        district_request(
            &template,
            "Báo cáo công tác TTĐN năm 2026",
            2026,
            Some((number, date)),
            &day(20),
        )
    };
    let count = || async {
        app.data("{ obligations(first: 1) { totalCount } }", json!({}))
            .await["obligations"]["totalCount"]
            .clone()
    };
    let first = app
        .gql_as(
            Some(&department),
            ISSUE,
            issue("2390/SVHTTDL-QLBC", "2026-11-20"),
        )
        .await;
    assert!(first.get("errors").is_none(), "{first:#}");
    let before = count().await;
    let again = app
        .gql_as(
            Some(&department),
            ISSUE,
            issue("2390/SVHTTDL-QLBC", "2026-11-25"),
        )
        .await;
    let error = &again["errors"][0];
    assert_eq!(code(error), "CONFLICT", "{again:#}");
    assert_eq!(field(error), "input.document.number");
    assert_eq!(
        count().await,
        before,
        "the refused obligation wrote nothing"
    );
    // Numbering restarts each year.
    let next_year = app
        .gql_as(
            Some(&department),
            ISSUE,
            issue("2390/SVHTTDL-QLBC", "2027-01-05"),
        )
        .await;
    assert!(next_year.get("errors").is_none(), "{next_year:#}");
    // The same number in the same year for another kind of document of the same agency.
    let plan = app
        .gql_as(
            Some(&department),
            "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } } }",
            json!({ "input": { "agencyId": demo_agency("th.svhttdl"), "year": 2026, "title": "Kế hoạch",
                "document": { "number": "2390/SVHTTDL-QLBC", "date": "2026-12-01" } } }),
        )
        .await;
    assert_eq!(code(&plan["errors"][0]), "CONFLICT", "{plan:#}");
    assert_eq!(field(&plan["errors"][0]), "input.document.number");
    let release = app
        .gql_as(
            Some(&department),
            "mutation($input: CreateReleaseInput!) { createRelease(input: $input) { informationRelease { id } } }",
            json!({ "input": { "issuingAgencyId": demo_agency("th.svhttdl"), "content": {
                "kind": "PRESS_RELEASE", "title": "Thông cáo", "body": "Nội dung.", "audience": "PUBLIC",
                "document": { "number": "2390/SVHTTDL-QLBC", "date": "2026-12-01" } } } }),
        )
        .await;
    assert_eq!(code(&release["errors"][0]), "CONFLICT", "{release:#}");
    assert_eq!(
        field(&release["errors"][0]),
        "input.content.document.number"
    );
    // Another agency may use the same number.
    let other = app
        .gql(
            "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } } }",
            json!({ "input": { "agencyId": demo_agency("th.trieuson"), "year": 2026, "title": "Kế hoạch huyện",
                "document": { "number": "2390/SVHTTDL-QLBC", "date": "2026-12-01" } } }),
        )
        .await;
    assert!(other.get("errors").is_none(), "{other:#}");

    // Two requests racing for a new number: one wins, the other is told.
    let (a, b) = tokio::join!(
        app.gql_as(
            Some(&department),
            ISSUE,
            issue("2400/SVHTTDL-QLBC", "2026-12-01"),
        ),
        app.gql_as(
            Some(&department),
            ISSUE,
            issue("2400/SVHTTDL-QLBC", "2026-12-01"),
        ),
    );
    let won = [&a, &b]
        .iter()
        .filter(|r| r.get("errors").is_none())
        .count();
    assert_eq!(won, 1, "{a:#}\n{b:#}");
    let lost = if a.get("errors").is_some() { &a } else { &b };
    assert_eq!(code(&lost["errors"][0]), "CONFLICT", "{lost:#}");
}

const SAVE: &str = "mutation($input: ReportInput!) { saveReport(input: $input) { report { id status sections metrics signerName } } }";
const READ_REPORT: &str = "query($id: ID!) { report(id: $id) { status sections metrics signerName signerTitle history { kind changes savedBy } versions { number } } }";

/// Saving merges into what was saved (null clears one key), submitting submits the draft as it
/// stands, and every save is kept: nothing typed is lost.
#[actix_web::test]
async fn saves_merge_into_the_draft_and_a_submission_takes_it_as_it_stands() {
    let app = spawn_app_with_demo().await;
    let danluc = app.demo_token("xa.danluc").await;
    let obligation = app
        .gql_as(
            Some(&danluc),
            "query($id: ID!) { obligation(id: $id) { reports { id recipient { name } } } }",
            json!({ "id": demo_id("obligation.th.2026.h2").to_string() }),
        )
        .await;
    let report = report_of(&obligation["data"]["obligation"], "UBND xã Dân Lực");
    let save = |input: Value| {
        let mut input = input;
        input["id"] = json!(report);
        app.gql_as(Some(&danluc), SAVE, json!({ "input": input }))
    };
    // Three partial saves, one of them clearing a metric typed earlier.
    for partial in [
        json!({ "sections": { "situation": "Tình hình chung ổn định.", "results": "Đăng 12 tin." }, "metrics": { "news_articles": 12, "trainings": 5 } }),
        json!({ "sections": { "shortcomings": "Nhân lực còn thiếu.", "proposals": "Tăng cường tập huấn." }, "metrics": { "trainings": null, "press_briefings": 1 } }),
        json!({ "sections": { "next_plan": "Tiếp tục quảng bá." }, "signerName": "Lê Văn Bình", "signerTitle": "CHỦ TỊCH",
                "metrics": { "press_conferences": 0, "trainings": 1, "training_participants": 30, "false_information_handled": 0 } }),
    ] {
        let saved = save(partial).await;
        assert!(saved.get("errors").is_none(), "{saved:#}");
    }
    let draft = app
        .gql_as(Some(&danluc), READ_REPORT, json!({ "id": report }))
        .await;
    let draft = &draft["data"]["report"];
    assert_eq!(draft["status"], "DRAFT");
    assert_eq!(
        draft["sections"]["situation"], "Tình hình chung ổn định.",
        "{draft:#}"
    );
    assert_eq!(draft["sections"]["next_plan"], "Tiếp tục quảng bá.");
    assert_eq!(draft["metrics"]["news_articles"], 12);
    assert_eq!(draft["metrics"]["trainings"], 1);
    assert_eq!(draft["signerName"], "Lê Văn Bình");
    let history = draft["history"].as_array().expect("history");
    assert_eq!(history.len(), 3, "{draft:#}");
    assert!(
        history
            .iter()
            .all(|h| h["kind"] == "SAVED" && h["savedBy"] == "xa.danluc")
    );
    assert_eq!(history[1]["changes"]["metrics"]["trainings"], Value::Null);
    assert_eq!(
        history[1]["changes"]["sections"]["proposals"],
        "Tăng cường tập huấn."
    );

    // Clearing a required section makes the draft unsubmittable; the refusal keeps nothing.
    let cleared = save(json!({ "sections": { "situation": null } })).await;
    assert!(cleared.get("errors").is_none(), "{cleared:#}");
    let refused = app
        .gql_as(Some(&danluc), SUBMIT, json!({ "input": { "id": report } }))
        .await;
    assert_eq!(code(&refused["errors"][0]), "BAD_USER_INPUT", "{refused:#}");
    assert_eq!(field(&refused["errors"][0]), "input.sections.situation");
    let after_refusal = app
        .gql_as(Some(&danluc), READ_REPORT, json!({ "id": report }))
        .await;
    assert_eq!(
        after_refusal["data"]["report"]["history"]
            .as_array()
            .map(Vec::len),
        Some(4),
        "the refused submission left no trace in the history"
    );

    // Put it back, then submit the draft as it stands: only the id.
    save(json!({ "sections": { "situation": "Tình hình chung ổn định." } })).await;
    let submitted = app
        .gql_as(Some(&danluc), SUBMIT, json!({ "input": { "id": report } }))
        .await;
    assert!(
        submitted["data"]["submitReport"]["report"]["status"] == "SUBMITTED",
        "{submitted:#}"
    );
    let done = app
        .gql_as(Some(&danluc), READ_REPORT, json!({ "id": report }))
        .await;
    let done = &done["data"]["report"];
    assert_eq!(done["versions"].as_array().map(Vec::len), Some(1));
    assert_eq!(done["metrics"]["news_articles"], 12);
    let kinds: Vec<&str> = done["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        ["SAVED", "SAVED", "SAVED", "SAVED", "SAVED", "SUBMITTED"]
    );
}

const CHASE: &str = "query($days: Int, $f: ChaseFilterInput) { reportsToChase(first: 100, dueWithinDays: $days, filter: $f) { totalCount edges { node { id state daysOverdue recipient { name phone currentSpokespeople { fullName } } obligation { document { number } } } } } }";

fn chased(answer: &Value) -> Vec<(String, i64)> {
    answer["data"]["reportsToChase"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer:#}"))
        .iter()
        .map(|e| {
            (
                e["node"]["recipient"]["name"]
                    .as_str()
                    .expect("name")
                    .to_owned(),
                e["node"]["daysOverdue"].as_i64().expect("days"),
            )
        })
        .collect()
}

/// The đôn đốc list: the department chases a commune late two levels down, across
/// obligations, with whom to call; a district its communes; as a spreadsheet too.
#[actix_web::test]
async fn the_chase_list_finds_late_reports_down_the_cascade_with_whom_to_contact() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let trieuson = app.demo_token("huyen.trieuson").await;
    let template = template_id(&app, "TTDN_ANNUAL").await;
    let issued = app
        .gql_as(
            Some(&department),
            ISSUE,
            district_request(
                &template,
                "Báo cáo công tác TTĐN năm 2026",
                2025,
                Some(("2500/SVHTTDL-QLBC", &day(-3))),
                &day(10),
            ),
        )
        .await;
    let parent = issued["data"]["issueObligation"]["obligation"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{issued:#}"))
        .to_owned();
    // Triệu Sơn passes it on to its communes, due yesterday: they are late.
    let child = app
        .gql_as(Some(&trieuson), CASCADE, json!({ "input": { "parentId": parent, "document": { "number": "45/UBND-VHTT", "date": day(-2) }, "dueDate": day(-1), "recipients": { "agencyIds": [demo_agency("th.trieuson.danluc"), demo_agency("th.trieuson.danly")] } } }))
        .await;
    assert!(child.get("errors").is_none(), "{child:#}");

    let within_cascade = json!({ "obligationId": parent });
    let late = app
        .gql_as(
            Some(&department),
            CHASE,
            json!({ "days": 0, "f": within_cascade }),
        )
        .await;
    let mut rows = chased(&late);
    rows.sort();
    let mut expected = vec![
        ("UBND xã Dân Lực".to_owned(), 1),
        ("UBND xã Dân Lý".to_owned(), 1),
    ];
    expected.sort();
    assert_eq!(rows, expected, "{late:#}");
    let first = &late["data"]["reportsToChase"]["edges"][0]["node"];
    assert_eq!(first["state"], "OVERDUE");
    assert!(
        !first["recipient"]["currentSpokespeople"]
            .as_array()
            .expect("spokespeople")
            .is_empty(),
        "whom to call: {first:#}"
    );
    // Looking ten days ahead adds the districts' reports to the department.
    let ahead = app
        .gql_as(
            Some(&department),
            CHASE,
            json!({ "days": 10, "f": { "obligationId": parent, "kinds": ["DISTRICT"] } }),
        )
        .await;
    assert_eq!(
        ahead["data"]["reportsToChase"]["totalCount"], 3,
        "{ahead:#}"
    );
    // By area: nothing of Triệu Sơn's under Thọ Xuân.
    let elsewhere = app
        .gql_as(
            Some(&department),
            CHASE,
            json!({ "days": 0, "f": { "obligationId": parent, "within": demo_agency("th.thoxuan") } }),
        )
        .await;
    assert_eq!(elsewhere["data"]["reportsToChase"]["totalCount"], 0);
    // The district chases its communes, not itself; a commune has nobody to chase.
    let district = app
        .gql_as(
            Some(&trieuson),
            CHASE,
            json!({ "days": 30, "f": within_cascade }),
        )
        .await;
    let names: Vec<String> = chased(&district).into_iter().map(|(n, _)| n).collect();
    assert!(
        names.contains(&"UBND xã Dân Lực".to_owned()),
        "{district:#}"
    );
    assert!(!names.contains(&"UBND huyện Triệu Sơn".to_owned()));
    let danluc = app.demo_token("xa.danluc").await;
    let commune = app
        .gql_as(Some(&danluc), CHASE, json!({ "days": 30 }))
        .await;
    assert_eq!(
        commune["data"]["reportsToChase"]["totalCount"], 0,
        "{commune:#}"
    );

    // The same list as a spreadsheet, with Vietnamese labels.
    let bearer = format!("Bearer {department}");
    let csv = app
        .request(
            "GET",
            &format!("/exports/reports-to-chase.csv?dueWithinDays=0&obligationId={parent}"),
            &[("authorization", &bearer)],
            vec![],
        )
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    let text = csv.text();
    assert!(
        text.lines()
            .any(|h| h.contains("Số ngày quá hạn") && h.contains("Người phát ngôn")),
        "{text}"
    );
    let danluc_row = text
        .lines()
        .find(|l| l.starts_with("UBND xã Dân Lực"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        danluc_row.contains("Quá hạn chưa gửi") && danluc_row.contains(",1,"),
        "{danluc_row}"
    );
    assert!(danluc_row.contains("UBND cấp xã"), "{danluc_row}");
    // And as a workbook: numbers as numbers, dates as dates, codes and labels as text.
    let xlsx = app
        .request(
            "GET",
            &format!("/exports/reports-to-chase.xlsx?dueWithinDays=0&obligationId={parent}"),
            &[("authorization", &bearer)],
            vec![],
        )
        .await;
    assert_eq!(xlsx.status, 200, "{}", xlsx.text());
    assert!(
        xlsx.header("content-type")
            .is_some_and(|c| c.contains("spreadsheetml"))
    );
    let sheet = first_sheet(&xlsx.body);
    let header = (0..sheet.height())
        .find(|r| sheet.get((*r, 0)) == Some(&Data::String("Cơ quan".into())))
        .expect("a header row");
    assert!(
        matches!(sheet.get((0, 0)), Some(Data::String(t)) if t.starts_with("Danh sách đôn đốc")),
        "a title row"
    );
    let danluc_row = (header + 1..sheet.height())
        .find(|r| sheet.get((*r, 0)) == Some(&Data::String("UBND xã Dân Lực".into())))
        .expect("Dân Lực's row");
    let cell = |col: usize| sheet.get((danluc_row, col)).cloned().unwrap_or_default();
    assert_eq!(
        cell(1),
        Data::String("15493".into()),
        "the administrative code is text, never a number"
    );
    assert_eq!(cell(2), Data::String("UBND cấp xã".into()));
    // The công văn the commune was asked by: the district's passing-on letter.
    assert_eq!(cell(4), Data::String("45/UBND-VHTT".into()));
    let due = match cell(5) {
        Data::DateTime(d) => d.as_datetime().map(|t| t.date()),
        other => panic!("the due date is a date: {other:?}"),
    };
    assert_eq!(
        due,
        Some(ttdn_api::time::today() - chrono::Duration::days(1))
    );
    assert_eq!(cell(6), Data::Float(1.0), "days late as a number");
    assert_eq!(cell(7), Data::String("Quá hạn chưa gửi".into()));
    let bad = app
        .request(
            "GET",
            "/exports/reports-to-chase.csv?kinds=VILLAGE",
            &[("authorization", &bearer)],
            vec![],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(code(&bad.json()["errors"][0]), "BAD_USER_INPUT");
}

const CONSOLIDATION: &str = "query($id: ID!, $mode: ConsolidationMode) { obligation(id: $id) { consolidation(mode: $mode) { mode totals { key total reports } levels { depth total counts { state count } totals { key total } unanswered { askedBy { name } agencies { name } } } lateAgencies { depth state agency { name } } } } }";

fn total_of(consolidation: &Value, key: &str) -> f64 {
    consolidation["totals"]
        .as_array()
        .unwrap_or_else(|| panic!("{consolidation:#}"))
        .iter()
        .find(|t| t["key"] == key)
        .and_then(|t| t["total"].as_f64())
        .unwrap_or_else(|| panic!("no {key} in {consolidation:#}"))
}

/// The department consolidates its whole cascade in one query: as each district consolidated
/// it or summed from the communes, who has not answered at each level and under whom, and who
/// is late at any level.
#[actix_web::test]
async fn a_whole_cascade_consolidates_level_by_level_and_from_the_leaves() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let trieuson = app.demo_token("huyen.trieuson").await;
    let thoxuan = app.demo_token("huyen.thoxuan").await;
    let danluc = app.demo_token("xa.danluc").await;
    let template = template_id(&app, "TTDN_ANNUAL").await;
    let issued = app
        .gql_as(
            Some(&department),
            ISSUE,
            district_request(
                &template,
                "Báo cáo công tác TTĐN năm 2025",
                2025,
                None,
                &day(10),
            ),
        )
        .await;
    let parent = issued["data"]["issueObligation"]["obligation"].clone();
    let parent_id = parent["id"].as_str().expect("id").to_owned();
    // Triệu Sơn asks two communes, due yesterday.
    let child = app
        .gql_as(Some(&trieuson), CASCADE, json!({ "input": { "parentId": parent_id, "dueDate": day(-1), "recipients": { "agencyIds": [demo_agency("th.trieuson.danluc"), demo_agency("th.trieuson.danly")] } } }))
        .await;
    let child = child["data"]["cascadeObligation"]["obligation"].clone();
    // Dân Lực answers (late) with 10 articles; Dân Lý does not answer.
    let sent = app
        .gql_as(
            Some(&danluc),
            SUBMIT,
            report_input(&report_of(&child, "UBND xã Dân Lực"), 10),
        )
        .await;
    assert!(sent.get("errors").is_none(), "{sent:#}");
    // Triệu Sơn reports 25 (its own consolidation, not the communes' sum); Thọ Xuân 7.
    for (token, agency, news) in [
        (&trieuson, "UBND huyện Triệu Sơn", 25),
        (&thoxuan, "UBND huyện Thọ Xuân", 7),
    ] {
        let sent = app
            .gql_as(
                Some(token),
                SUBMIT,
                report_input(&report_of(&parent, agency), news),
            )
            .await;
        assert!(sent.get("errors").is_none(), "{sent:#}");
    }

    let view = |mode: &'static str| {
        app.gql_as(
            Some(&department),
            CONSOLIDATION,
            json!({ "id": parent_id, "mode": mode }),
        )
    };
    let consolidated = view("AS_CONSOLIDATED").await;
    let consolidated = &consolidated["data"]["obligation"]["consolidation"];
    assert_eq!(
        total_of(consolidated, "news_articles"),
        32.0,
        "{consolidated:#}"
    );
    let leaves = view("FROM_LEAVES").await;
    let leaves = &leaves["data"]["obligation"]["consolidation"];
    assert_eq!(
        total_of(leaves, "news_articles"),
        17.0,
        "Dân Lực's 10 and Thọ Xuân's 7: {leaves:#}"
    );

    let levels = leaves["levels"].as_array().expect("levels");
    assert_eq!(levels.len(), 2, "{leaves:#}");
    assert_eq!(levels[0]["total"], 3);
    assert_eq!(levels[1]["total"], 2);
    assert_eq!(
        levels[0]["unanswered"],
        json!([{ "askedBy": { "name": "Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa" }, "agencies": [{ "name": "UBND thành phố Sầm Sơn" }] }]),
        "{leaves:#}"
    );
    assert_eq!(
        levels[1]["unanswered"],
        json!([{ "askedBy": { "name": "UBND huyện Triệu Sơn" }, "agencies": [{ "name": "UBND xã Dân Lý" }] }])
    );
    let level_two_news = levels[1]["totals"]
        .as_array()
        .expect("totals")
        .iter()
        .find(|t| t["key"] == "news_articles")
        .map(|t| t["total"].clone());
    assert_eq!(level_two_news, Some(json!(10.0)));
    let mut late: Vec<(i64, String, String)> = leaves["lateAgencies"]
        .as_array()
        .expect("late")
        .iter()
        .map(|l| {
            (
                l["depth"].as_i64().expect("depth"),
                l["agency"]["name"].as_str().expect("name").to_owned(),
                l["state"].as_str().expect("state").to_owned(),
            )
        })
        .collect();
    late.sort();
    let mut expected = vec![
        (2, "UBND xã Dân Lý".to_owned(), "OVERDUE".to_owned()),
        (2, "UBND xã Dân Lực".to_owned(), "SUBMITTED_LATE".to_owned()),
    ];
    expected.sort();
    assert_eq!(late, expected);
    // The same as a workbook: every report by level, the total from the leaves last.
    let bearer = format!("Bearer {department}");
    let xlsx = app
        .request(
            "GET",
            &format!("/exports/obligations/{parent_id}/consolidation.xlsx?mode=FROM_LEAVES"),
            &[("authorization", &bearer)],
            vec![],
        )
        .await;
    assert_eq!(xlsx.status, 200, "{}", xlsx.text());
    let sheet = first_sheet(&xlsx.body);
    let last = sheet.height() - 1;
    assert_eq!(
        sheet.get((last, 1)),
        Some(&Data::String("Tổng cộng".into()))
    );
    assert_eq!(
        sheet.get((last, 5)),
        Some(&Data::Float(17.0)),
        "news articles from the leaves"
    );
    let danly = (0..sheet.height())
        .find(|r| sheet.get((*r, 1)) == Some(&Data::String("UBND xã Dân Lý".into())))
        .expect("Dân Lý's row");
    assert_eq!(sheet.get((danly, 0)), Some(&Data::Float(2.0)), "level 2");
    assert_eq!(
        sheet.get((danly, 3)),
        Some(&Data::String("UBND huyện Triệu Sơn".into()))
    );
    assert_eq!(
        sheet.get((danly, 4)),
        Some(&Data::String("Quá hạn chưa gửi".into()))
    );
    let csv = app
        .request(
            "GET",
            &format!("/exports/obligations/{parent_id}/consolidation.csv?mode=AS_CONSOLIDATED"),
            &[("authorization", &bearer)],
            vec![],
        )
        .await;
    assert_eq!(csv.status, 200);
    let text = csv.text();
    assert!(
        text.lines()
            .last()
            .is_some_and(|l| l.starts_with(",Tổng cộng,,,,32,")),
        "{text}"
    );
    // Only the issuer's side consolidates.
    let refused = app
        .gql_as(
            Some(&danluc),
            CONSOLIDATION,
            json!({ "id": child["id"], "mode": "FROM_LEAVES" }),
        )
        .await;
    assert_eq!(code(&refused["errors"][0]), "FORBIDDEN", "{refused:#}");
}

/// `Report.obligation` reads the obligation by key alone for the report's own recipient (its
/// obligation is visible to it by the rule itself) and through the visibility rule for anyone
/// else: both give the same obligation, and a report outside the caller's scope stays hidden.
#[actix_web::test]
async fn a_reports_obligation_is_the_same_for_its_recipient_and_the_agencies_above() {
    let app = spawn_app_with_demo().await;
    let obligation = demo_id("obligation.2480.trieuson").to_string();
    let reports = app
        .data(
            "query($id: ID!) { obligation(id: $id) { title reports { id recipient { name } } } }",
            json!({ "id": obligation }),
        )
        .await;
    let title = reports["obligation"]["title"].clone();
    assert!(title.is_string(), "{reports:#}");
    let report = report_of(&reports["obligation"], "UBND xã Dân Lực");
    const READ: &str = "query($id: ID!) { report(id: $id) { obligation { id title } } }";
    for reader in ["xa.danluc", "huyen.trieuson", "so.thanhhoa"] {
        let token = app.demo_token(reader).await;
        let seen = app
            .gql_as(Some(&token), READ, json!({ "id": report }))
            .await;
        assert_eq!(
            seen["data"]["report"]["obligation"],
            json!({ "id": obligation, "title": title }),
            "{reader}: {seen:#}"
        );
    }
    // What the commune owes: each report's obligation as the commune reads it in its list is
    // the one its district reads through the rule.
    let danluc = app.demo_token("xa.danluc").await;
    let trieuson = app.demo_token("huyen.trieuson").await;
    let due = app
        .gql_as(
            Some(&danluc),
            "{ reportsDue(first: 100) { edges { node { id obligation { id title } } } } }",
            json!({}),
        )
        .await;
    let owed = due["data"]["reportsDue"]["edges"]
        .as_array()
        .expect("edges");
    assert!(!owed.is_empty(), "{due:#}");
    for edge in owed {
        let seen = app
            .gql_as(Some(&trieuson), READ, json!({ "id": edge["node"]["id"] }))
            .await;
        assert_eq!(
            seen["data"]["report"]["obligation"], edge["node"]["obligation"],
            "{seen:#}"
        );
    }
    let neighbour = app.demo_token("huyen.thoxuan").await;
    let hidden = app
        .gql_as(Some(&neighbour), READ, json!({ "id": report }))
        .await;
    assert_eq!(code(&hidden["errors"][0]), "NOT_FOUND", "{hidden:#}");
}
