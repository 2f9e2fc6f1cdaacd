//! Plans: the cascade, tasks and their assignees, progress, completion, bad input.

use serde_json::json;
use ttdn_api::demo::demo_id;

use crate::helpers::{code, demo_agency, field, spawn_app_with_demo};

const CREATE: &str = "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id implements { id } } } }";
const ADD: &str =
    "mutation($input: AddPlanTaskInput!) { addPlanTask(input: $input) { task { id status } } }";

#[actix_web::test]
async fn a_plan_cascades_and_its_tasks_reach_their_assignees() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let district = app.demo_token("huyen.thoxuan").await;
    let commune = app.demo_token("xa.xuanlam").await;
    let province = app
        .gql_as(Some(&department), CREATE, json!({ "input": { "agencyId": demo_agency("th"), "year": 2027, "title": "Kế hoạch TTĐN tỉnh năm 2027", "document": { "number": "300/KH-UBND", "date": "2026-11-20" } } }))
        .await;
    let province_plan = province["data"]["createPlan"]["plan"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{province:#}"))
        .to_owned();
    let task = app
        .gql_as(Some(&department), ADD, json!({ "input": { "planId": province_plan, "content": "Tập huấn cho cán bộ cấp xã", "leadAgencyId": demo_agency("th.thoxuan"), "coordinatorIds": [demo_agency("th.thoxuan.xuanlam")], "dueDate": "2027-06-30" } }))
        .await;
    let task_id = task["data"]["addPlanTask"]["task"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{task:#}"))
        .to_owned();

    // The district implements the province's plan; the commune the district's.
    let district_plan = app
        .gql_as(Some(&district), CREATE, json!({ "input": { "agencyId": demo_agency("th.thoxuan"), "year": 2027, "title": "Kế hoạch TTĐN huyện Thọ Xuân năm 2027", "implementsPlanId": province_plan } }))
        .await;
    let district_plan = district_plan["data"]["createPlan"]["plan"].clone();
    assert_eq!(district_plan["implements"]["id"], province_plan.as_str());
    let commune_plan = app
        .gql_as(Some(&commune), CREATE, json!({ "input": { "agencyId": demo_agency("th.thoxuan.xuanlam"), "year": 2027, "title": "Kế hoạch TTĐN xã Xuân Lam năm 2027", "implementsPlanId": district_plan["id"] } }))
        .await;
    assert!(commune_plan["errors"].is_null(), "{commune_plan:#}");

    // The coordinating commune sees the province's plan and the task assigned to it.
    let seen = app
        .gql_as(
            Some(&commune),
            "query($a: ID!) { planTasks(assigneeId: $a) { id content } }",
            json!({ "a": demo_agency("th.thoxuan.xuanlam") }),
        )
        .await;
    let ids: Vec<&str> = seen["data"]["planTasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert!(ids.contains(&task_id.as_str()), "{seen:#}");
    let children = app
        .gql_as(
            Some(&department),
            "query($id: ID!) { plan(id: $id) { children { title children { title } } } }",
            json!({ "id": province_plan }),
        )
        .await;
    assert_eq!(
        children["data"]["plan"]["children"][0]["children"][0]["title"],
        "Kế hoạch TTĐN xã Xuân Lam năm 2027"
    );

    // The lead records progress; the note is kept.
    let progress = "mutation($t: ID!, $s: TaskStatus!) { recordTaskProgress(input: { taskId: $t, notedOn: \"2026-11-22\", note: \"Đã xây dựng tài liệu\", status: $s }) { task { status progress { note status } } } }";
    let noted = app
        .gql_as(
            Some(&district),
            progress,
            json!({ "t": task_id, "s": "IN_PROGRESS" }),
        )
        .await;
    assert_eq!(
        noted["data"]["recordTaskProgress"]["task"]["status"], "IN_PROGRESS",
        "{noted:#}"
    );
    let done = app
        .gql_as(
            Some(&district),
            progress,
            json!({ "t": task_id, "s": "DONE" }),
        )
        .await;
    assert_eq!(
        done["data"]["recordTaskProgress"]["task"]["progress"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(
        code(
            &app.gql_as(
                Some(&district),
                progress,
                json!({ "t": task_id, "s": "IN_PROGRESS" })
            )
            .await["errors"][0]
        ),
        "CONFLICT"
    );
    let coordinator = app
        .gql_as(
            Some(&commune),
            progress,
            json!({ "t": task_id, "s": "IN_PROGRESS" }),
        )
        .await;
    assert_eq!(
        code(&coordinator["errors"][0]),
        "FORBIDDEN",
        "only the lead's side records progress"
    );
}

#[actix_web::test]
async fn completion_counts_and_overdue_tasks_of_the_demo_plan() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let plan = app
        .gql_as(Some(&department), "query($id: ID!) { plan(id: $id) { completion { total done inProgress notStarted cancelled overdue } } }", json!({ "id": demo_id("plan.th.2021").to_string() }))
        .await;
    assert_eq!(
        plan["data"]["plan"]["completion"],
        json!({ "total": 4, "done": 1, "inProgress": 1, "notStarted": 1, "cancelled": 1, "overdue": 2 })
    );
    let overdue = app
        .gql_as(
            Some(&department),
            "{ planTasks(overdue: true) { content } }",
            json!({}),
        )
        .await;
    assert_eq!(
        overdue["data"]["planTasks"].as_array().map(Vec::len),
        Some(3),
        "{overdue:#}"
    );
}

#[actix_web::test]
async fn bad_plans_and_tasks_are_refused() {
    let app = spawn_app_with_demo().await;
    let district = app.demo_token("huyen.trieuson").await;
    let unrelated = app
        .gql_as(Some(&district), CREATE, json!({ "input": { "agencyId": demo_agency("th.trieuson"), "year": 2026, "title": "Kế hoạch", "implementsPlanId": demo_id("plan.cb.2026").to_string() } }))
        .await;
    assert_eq!(
        code(&unrelated["errors"][0]),
        "BAD_USER_INPUT",
        "{unrelated:#}"
    );
    assert_eq!(field(&unrelated["errors"][0]), "input.implementsPlanId");
    let outside = app
        .gql_as(Some(&district), ADD, json!({ "input": { "planId": demo_id("plan.trieuson.2021").to_string(), "content": "Nhiệm vụ", "leadAgencyId": demo_agency("th.thoxuan") } }))
        .await;
    assert_eq!(field(&outside["errors"][0]), "input.leadAgencyId");
    let commune = app.demo_token("xa.danluc").await;
    let for_district = app.gql_as(Some(&commune), CREATE, json!({ "input": { "agencyId": demo_agency("th.trieuson"), "year": 2026, "title": "Kế hoạch" } })).await;
    assert_eq!(code(&for_district["errors"][0]), "FORBIDDEN");
}

/// Seed 003: a commune's plan written against its district's plan 149/KH-UBND, which
/// implements the province's. The commune reads both up the chain (not changes them), and the
/// link shows both ways.
#[actix_web::test]
async fn a_commune_reads_the_plans_its_own_plan_implements_up_the_chain() {
    let app = spawn_app_with_demo().await;
    let danluc = app.demo_token("xa.danluc").await;
    let district_plan = demo_id("plan.trieuson.2021").to_string();
    let province_plan = demo_id("plan.th.2021").to_string();
    let created = app
        .gql_as(
            Some(&danluc),
            CREATE,
            json!({ "input": { "agencyId": demo_agency("th.trieuson.danluc"), "year": 2027,
                "title": "Kế hoạch TTĐN xã Dân Lực năm 2027", "implementsPlanId": district_plan } }),
        )
        .await;
    let plan = &created["data"]["createPlan"]["plan"];
    assert_eq!(
        plan["implements"]["id"],
        district_plan.as_str(),
        "{created:#}"
    );
    let own = plan["id"].as_str().expect("id").to_owned();
    let chain = app
        .gql_as(
            Some(&danluc),
            "query($id: ID!) { plan(id: $id) { implements { id title implements { id title } children { id } } } }",
            json!({ "id": own }),
        )
        .await;
    let up = &chain["data"]["plan"]["implements"];
    assert_eq!(up["id"], district_plan.as_str(), "{chain:#}");
    assert_eq!(up["implements"]["id"], province_plan.as_str(), "{chain:#}");
    assert!(
        up["children"]
            .as_array()
            .expect("children")
            .iter()
            .any(|c| c["id"] == own.as_str()),
        "the district plan lists the commune's as implementing it: {chain:#}"
    );
    let read = app
        .gql_as(
            Some(&danluc),
            "query($id: ID!) { plan(id: $id) { id } }",
            json!({ "id": district_plan }),
        )
        .await;
    assert_eq!(
        read["data"]["plan"]["id"],
        district_plan.as_str(),
        "{read:#}"
    );
    // Reading is not changing.
    let add = app
        .gql_as(Some(&danluc), ADD, json!({ "input": { "planId": district_plan, "content": "Nhiệm vụ", "leadAgencyId": demo_agency("th.trieuson.danluc") } }))
        .await;
    assert_eq!(code(&add["errors"][0]), "FORBIDDEN", "{add:#}");
    // A commune of another district, whose plans implement nothing of Triệu Sơn's, sees
    // nothing of it.
    let xuanlam = app.demo_token("xa.xuanlam").await;
    let other = app
        .gql_as(
            Some(&xuanlam),
            "query($id: ID!) { plan(id: $id) { id } }",
            json!({ "id": district_plan }),
        )
        .await;
    assert_eq!(code(&other["errors"][0]), "NOT_FOUND", "{other:#}");
}
