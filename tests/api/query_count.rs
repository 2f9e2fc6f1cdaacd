//! The query-count guard: a list query costs a number of SQL statements set by the shape of the
//! query, not by the number of items on the page. Every list query of every area runs twice
//! with its per-item fields selected, with a page of all the items and a page of half of them;
//! both runs must execute the same number of statements, give or take a small slack (read from
//! the dev-mode `x-sql-statements` header). The lists without pages (`planTasks`,
//! `trainingAttendance`) run with arguments that give fewer items and more. A resolver that
//! queries per item (N+1) makes the bigger list cost more and fails the test.

use serde_json::{Value, json};

use crate::helpers::{TestApp, demo_agency, spawn_app_with_demo, template_id};

const AGENCY: &str = "id parent { id } ancestors { id } successor { id } predecessors { id }
    currentSpokespeople { id agency { id } grantor { id } }
    children(first: 5) { edges { node { id currentSpokespeople { id } } } }";

/// Runs `query` as `token` with `variables` and returns (statements, items in `list`).
async fn cost(
    app: &TestApp,
    token: &str,
    query: &str,
    list: &str,
    variables: Value,
) -> (u32, usize) {
    let (statements, body) = app.gql_counted(token, query, variables).await;
    let data = &body[list];
    let items = match data {
        Value::Array(items) => items.len(),
        _ => data["edges"].as_array().map_or(0, Vec::len),
    };
    (statements, items)
}

/// Statements a page may cost beyond a page of half its items: the DataLoaders batch each
/// nested level once, but a level that the smaller page does not reach (none of its items has
/// children, say) or a batch the loader splits in two costs one more.
const SLACK: u32 = 4;

/// Checks that a page of all the items costs hardly more than a page of half of them; the
/// failure, if any. The list must hold enough items that a field querying per item would cost
/// more than the slack.
async fn flat(app: &TestApp, token: &str, list: &str, query: &str) -> Option<String> {
    let large = cost(app, token, query, list, json!({ "first": 100 })).await;
    let half = large.1.div_ceil(2);
    let small = cost(app, token, query, list, json!({ "first": half })).await;
    compare(list, small, large)
}

/// Checks that `large` (statements, items) costs hardly more than `small`, which has fewer
/// items; the failure, if any.
fn compare(list: &str, small: (u32, usize), large: (u32, usize)) -> Option<String> {
    if large.1 <= small.1 + SLACK as usize {
        return Some(format!(
            "{list}: the test data must give more than {SLACK} items more to compare (got {} and {})",
            small.1, large.1
        ));
    }
    (large.0 > small.0 + SLACK).then(|| {
        format!(
            "{list}: {} statements for {} items but {} for {}: a field queries per item",
            small.0, small.1, large.0, large.1
        )
    })
}

/// Adds what the demo data has too little of for the comparison: service clients, training
/// sessions, plans with tasks, press requests, obligations and reports the Triệu Sơn district
/// owes.
async fn add_items(app: &TestApp, department: &str, press: &str) {
    for i in 0..9 {
        let sent = app
            .gql_as(Some(press), "mutation($input: SendPressRequestInput!) { sendPressRequest(input: $input) { pressRequest { id } } }", json!({ "input": {
                "addressedAgencyId": demo_agency("th.thoxuan"), "subject": format!("Câu hỏi số {i}"), "question": "Đề nghị cho biết tiến độ."
            } }))
            .await;
        assert!(sent.get("errors").is_none(), "{sent:#}");
        let reported = app
            .gql_as(Some(department), "mutation($input: ReportIncidentInput!) { reportIncident(input: $input) { incident { id } } }", json!({ "input": {
                "affectedAgencyId": demo_agency("th.trieuson"), "sourceOutlet": "Trang tin điện tử", "category": "FALSE_INFORMATION",
                "summary": format!("Tin sai số {i}"), "appearedAt": "2026-11-01T08:00:00+07:00", "receivedAt": "2026-11-01T09:00:00+07:00"
            } }))
            .await;
        assert!(reported.get("errors").is_none(), "{reported:#}");
        app.data(
            "mutation($input: RegisterServiceClientInput!) { registerServiceClient(input: $input) { clientSecret } }",
            json!({ "input": { "name": format!("Cổng dịch vụ công {i}"), "agencyId": demo_agency("th"), "scopes": ["AGENCIES_READ"] } }),
        )
        .await;
        let session = app
            .gql_as(Some(department), "mutation($input: CreateTrainingSessionInput!) { createTrainingSession(input: $input) { trainingSession { id } } }", json!({ "input": {
                "organizerId": demo_agency("th.svhttdl"), "title": format!("Tập huấn phát ngôn đợt {i}"),
                "startsAt": "2027-03-10T08:00:00+07:00", "endsAt": "2027-03-11T17:00:00+07:00",
                "mode": "IN_PERSON", "place": "Sở VHTTDL", "capacity": 30, "audience": ["SPOKESPERSON"],
                "coOrganizerIds": [demo_agency("th.sngv")]
            } }))
            .await;
        assert!(session.get("errors").is_none(), "{session:#}");
        let plan = app
            .gql_as(Some(department), "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } } }", json!({ "input": {
                "agencyId": demo_agency("th"), "year": 2030 + i, "title": format!("Kế hoạch TTĐN năm {}", 2030 + i)
            } }))
            .await;
        let plan = plan["data"]["createPlan"]["plan"]["id"].clone();
        // Two tasks, one of them Thọ Xuân's: `planTasks` of Thọ Xuân lists half of them.
        for (task, lead, coordinator) in [
            ("Tập huấn cấp xã", "th.thoxuan", "th.trieuson"),
            ("Họp báo định kỳ", "th.trieuson", "th.sngv"),
        ] {
            let added = app
                .gql_as(Some(department), "mutation($input: AddPlanTaskInput!) { addPlanTask(input: $input) { task { id } } }", json!({ "input": {
                    "planId": plan, "content": task, "leadAgencyId": demo_agency(lead),
                    "coordinatorIds": [demo_agency(coordinator)], "dueDate": "2031-06-30"
                } }))
                .await;
            assert!(added.get("errors").is_none(), "{added:#}");
        }
    }
    let template = template_id(app, "TTDN_ANNUAL").await;
    for year in 2026..2036 {
        let issued = app
            .gql_as(Some(department), "mutation($input: IssueObligationInput!) { issueObligation(input: $input) { obligation { id } } }", json!({ "input": {
                "issuerAgencyId": demo_agency("th.svhttdl"), "title": format!("Báo cáo công tác TTĐN năm {year}"),
                "periodKind": "ANNUAL", "periodYear": year, "dueDate": format!("{}-12-20", year),
                "templateId": template, "recipients": { "agencyIds": [demo_agency("th.trieuson")] }
            } }))
            .await;
        assert!(issued.get("errors").is_none(), "{issued:#}");
    }
}

/// Records that someone of `agency` attended `count` of the sessions `add_items` created. Written
/// to the table directly: the API records attendance only once a session has started, and
/// these start in 2027.
async fn attend(app: &TestApp, token: &str, agency: &str, count: usize) {
    use entity::training_participant::{ActiveModel, Entity, ParticipantCategory};
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let sessions = app
        .gql_as(
            Some(token),
            "{ trainingSessions(first: 100) { edges { node { id title } } } }",
            json!({}),
        )
        .await;
    let ids: Vec<uuid::Uuid> = sessions["data"]["trainingSessions"]["edges"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter(|e| {
            e["node"]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Tập huấn phát ngôn đợt"))
        })
        .map(|e| uuid::Uuid::parse_str(e["node"]["id"].as_str().expect("id")).expect("a uuid"))
        .take(count)
        .collect();
    assert_eq!(ids.len(), count, "{sessions:#}");
    let rows = ids.into_iter().map(|session| ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        session_id: Set(session),
        agency_id: Set(ttdn_api::demo::demo_id(agency)),
        full_name: Set("Lê Thị Hoa".to_owned()),
        title: Set(None),
        category: Set(ParticipantCategory::Officer),
        registered_by: Set(None),
        registered_at: Set(chrono::Utc::now()),
        withdrawn_at: Set(None),
        attended: Set(Some(true)),
    });
    Entity::insert_many(rows)
        .exec(&app.db)
        .await
        .expect("attendance");
}

/// Authentication is part of the request: its statements are counted with the rest; a token
/// seen a moment ago costs none.
#[actix_web::test]
async fn the_count_includes_authentication() {
    let app = spawn_app_with_demo().await;
    let so = app.demo_token("so.thanhhoa").await;
    let anonymous = app
        .request(
            "POST",
            "/graphql",
            &[("content-type", "application/json")],
            json!({ "query": "{ __typename }" })
                .to_string()
                .into_bytes(),
        )
        .await;
    assert_eq!(anonymous.header("x-sql-statements").as_deref(), Some("0"));
    let bearer = format!("Bearer {so}");
    let signed_in = app
        .gql_with(
            "{ __typename }",
            json!({}),
            &[("authorization", bearer.as_str())],
        )
        .await;
    // The account, its session and its agency.
    assert_eq!(signed_in.header("x-sql-statements").as_deref(), Some("3"));
    let again = app
        .gql_with(
            "{ __typename }",
            json!({}),
            &[("authorization", bearer.as_str())],
        )
        .await;
    assert_eq!(again.header("x-sql-statements").as_deref(), Some("0"));
}

fn connection(list: &str, selection: &str) -> String {
    format!(
        "query($first: Int) {{ {list}(first: $first) {{ edges {{ node {{ {selection} }} }} }} }}"
    )
}

#[actix_web::test]
async fn list_queries_cost_the_same_whatever_the_page_size() {
    let app = spawn_app_with_demo().await;
    let so = app.demo_token("so.thanhhoa").await;
    let admin = app.demo_token("admin").await;
    let press = app.demo_token("bao.thanhhoa").await;
    let district = app.demo_token("huyen.trieuson").await;
    add_items(&app, &so, &press).await;

    let spokesperson = "id agency { id currentSpokespeople { id } } grantor { id agency { id } }";
    let event = "id organizer { id } coOrganizers { id } presidingSpokesperson { id }
        invitations { pressAgency { id } reply }";
    let release = "id issuingAgency { id } spokesperson { id } event { id organizer { id } }
        recipients { id } corrects { id } attachments { name }";
    let obligation = "id issuer { id } template { id code } parent { id } children { id }
        amendments { amendedAt } reports { id recipient { id } versions { number } }
        compliance { total overdueAgencies { id } recipients { state report { id } } }
        rollUp { totals { key total } byRecipient { agency { id } } }";
    let training = "id organizer { id } coOrganizers { id } materials { name }
        invitations { agency { id } registered } absentAgencies { id }
        participants { id agency { id } } byCategory { category registered }";
    let plan = "id agency { id } implements { id } children { id } cascade { id }
        tasks { id leadAgency { id } coordinatingAgencies { id } progress { note } }
        completion { total done }";
    // (who asks, list, per-item selection): every list query of every area, the press too
    // where it sees the list differently.
    let cases: [(&str, &str, &str); 17] = [
        (&so, "agencies", AGENCY),
        (&admin, "users", "id agency { id parent { id } }"),
        (&admin, "serviceClients", "id agency { id }"),
        (&admin, "auditEvents", "id actorAgency { id }"),
        (&so, "spokespeople", spokesperson),
        (&press, "spokespeople", spokesperson),
        (&so, "pressEvents", event),
        (&press, "pressEvents", event),
        (&so, "informationReleases", release),
        (&press, "informationReleases", release),
        (
            &so,
            "pressRequests",
            "id pressAgency { id } addressedAgency { id } overdue",
        ),
        (&so, "obligations", obligation),
        (
            &so,
            "reports",
            "id obligation { id issuer { id } } recipient { id } versions { number }",
        ),
        (
            &district,
            "reportsDue",
            "id obligation { id issuer { id } } recipient { id } versions { number }",
        ),
        (
            &so,
            "incidents",
            "id reportingAgency { id } affectedAgency { id } handlingAgency { id }
             correctionRelease { id }",
        ),
        (&so, "trainingSessions", training),
        (&so, "plans", plan),
    ];
    let mut failures = Vec::new();
    for (token, list, selection) in cases {
        failures.extend(flat(&app, token, list, &connection(list, selection)).await);
    }
    // The đôn đốc list, a year ahead so that it holds every report the province still owes.
    let chase =
        "query($first: Int) { reportsToChase(first: $first, dueWithinDays: 366) { edges { node {
        id daysOverdue history { kind } obligation { id document { number } issuer { id } }
        recipient { id currentSpokespeople { id } } } } } }";
    failures.extend(flat(&app, &so, "reportsToChase", chase).await);
    // The lists without pages: Thọ Xuân's tasks against every visible task; the sessions Thọ
    // Xuân attended (two) against Triệu Sơn's (nine).
    attend(&app, &so, "th.trieuson", 9).await;
    attend(&app, &so, "th.thoxuan", 2).await;
    let thoxuan = demo_agency("th.thoxuan");
    let unpaged = [
        (
            "planTasks",
            "query($assignee: ID) { planTasks(assigneeId: $assignee) {
                id leadAgency { id } coordinatingAgencies { id } progress { note } overdue } }"
                .to_owned(),
            json!({ "assignee": thoxuan }),
            json!({}),
        ),
        (
            "trainingAttendance",
            format!(
                "query($agency: ID!) {{ trainingAttendance(agencyId: $agency) {{ {training} }} }}"
            ),
            json!({ "agency": thoxuan }),
            json!({ "agency": demo_agency("th.trieuson") }),
        ),
    ];
    for (list, query, fewer, more) in unpaged {
        let small = cost(&app, &so, &query, list, fewer).await;
        let large = cost(&app, &so, &query, list, more).await;
        failures.extend(compare(list, small, large));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A loader reads as soon as the request's task has gone once through the list, not after a
/// timer (`BATCH_WAIT` is zero): the items of a long list are still asked for in one pass, so
/// each relation is still one statement. The list is longer than the 32 items async-graphql's
/// list resolution polls before it lets other tasks run, where a zero wait could take a batch
/// early and read the rest in a second statement.
#[actix_web::test]
async fn a_long_list_still_loads_each_relation_in_one_statement() {
    let app = spawn_app_with_demo().await;
    let so = app.demo_token("so.thanhhoa").await;
    // One level of two loaders: no batch of one can merge with another's, so the count is
    // exact (a deeper level may take keys of two levels in one batch, depending on timing).
    let query = "query($first: Int) { agencies(first: $first) { edges { node {
        id parent { id } currentSpokespeople { id } } } } }";
    // The first request also authenticates the token; from the second on it is known.
    cost(&app, &so, query, "agencies", json!({ "first": 1 })).await;
    let (statements, agencies) = cost(&app, &so, query, "agencies", json!({ "first": 100 })).await;
    assert!(
        agencies > 32,
        "the demo data must give more agencies than one pass of 32 (got {agencies})"
    );
    assert_eq!(
        statements, 3,
        "the page, its parents, its spokespersons: {statements} statements for {agencies} \
         agencies, so a loader split its batch"
    );
}

/// A list of reports reads each report's obligation, the obligation's issuer and the
/// recipient in its own statement, asked inline or through fragments, and shows of them what
/// the loaders would give: "what do I owe" for a district, the department's received reports
/// (whose obligations the loaders read under the visibility rule), and the đôn đốc list.
#[actix_web::test]
async fn a_list_of_reports_comes_with_obligation_issuer_and_recipient_in_one_statement() {
    let app = spawn_app_with_demo().await;
    let shown = "id obligation { id title status document { number } issuer { id name kind } }
        recipient { id name }";
    for (account, list, args) in [
        ("huyen.trieuson", "reportsDue", ""),
        ("so.thanhhoa", "reports", ""),
        ("so.thanhhoa", "reportsToChase", "dueWithinDays: 366, "),
    ] {
        let token = app.demo_token(account).await;
        let inline = format!(
            "query($first: Int) {{ {list}({args}first: $first) {{ edges {{ node {{ {shown} }} }} }} }}"
        );
        let fragments = format!(
            "query($first: Int) {{ {list}({args}first: $first) {{ ...page }} }}
            fragment page on ReportConnection {{ edges {{ node {{ id ... on Report {{
                obligation {{ ...duty }} recipient {{ name }} }} }} }} }}
            fragment duty on ReportingObligation {{ id title issuer {{ name }} }}"
        );
        // The first request also authenticates the token; from the second on it is known.
        cost(&app, &token, &inline, list, json!({ "first": 1 })).await;
        for query in [&inline, &fragments] {
            let (statements, items) =
                cost(&app, &token, query, list, json!({ "first": 100 })).await;
            assert!(
                items >= 2,
                "{account} must have reports in {list} (got {items})"
            );
            assert_eq!(
                statements, 1,
                "{account}: {statements} statements for {items} reports: {query}"
            );
        }
        // Each report as `report(id)` shows it, through the loaders.
        let page = app
            .gql_as(Some(&token), &inline, json!({ "first": 100 }))
            .await;
        for edge in page["data"][list]["edges"].as_array().expect("edges") {
            let node = &edge["node"];
            let alone = app
                .gql_as(
                    Some(&token),
                    &format!("query($id: ID!) {{ report(id: $id) {{ {shown} }} }}"),
                    json!({ "id": node["id"] }),
                )
                .await;
            assert_eq!(&alone["data"]["report"], node, "{account}: {alone:#}");
        }
    }
}
