//! The synthetic data generator (`ttdn seed --scale`): the province scale loads, obeys the
//! rules the API relies on (every flow works on it), is deterministic, and refuses a database
//! that already holds data.

use serde_json::json;
use ttdn_api::synthetic::{self, Scale};

use crate::helpers::{TestApp, spawn_app};

async fn signed_in(app: &TestApp, username: &str) -> String {
    app.token(username, synthetic::PASSWORD).await
}

#[actix_web::test]
async fn the_province_scale_loads_and_every_flow_works_on_it() {
    let app = spawn_app().await;
    let summary = synthetic::generate(&app.db, Scale::Province, 7, &|_| {})
        .await
        .expect("generate");
    let rows = |table: &str| {
        summary
            .tables
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    };
    let shape = Scale::Province.shape();
    // The provincial committee, 8 departments, current communes, press agencies, and the
    // historical districts with their communes.
    let agencies =
        1 + 8 + shape.communes + shape.press + shape.districts * (1 + shape.communes_per_district);
    assert_eq!(rows("agency"), agencies);
    assert!(rows("report") > 10_000, "{summary:?}");
    assert!(rows("report_version") > 10_000, "{summary:?}");

    // The same seed gives the same data: a second run on another database makes the same ids.
    let again = spawn_app().await;
    synthetic::generate(&again.db, Scale::Province, 7, &|_| {})
        .await
        .expect("generate again");
    let first_ids = "{ agencies(first: 5, filter: { kinds: [COMMUNE] }) { totalCount edges { node { id name } } } }";
    assert_eq!(
        app.data(first_ids, json!({})).await,
        again.data(first_ids, json!({})).await
    );

    // Not on a database that holds agencies.
    assert!(
        synthetic::generate(&app.db, Scale::Province, 7, &|_| {})
            .await
            .is_err()
    );

    // The department sees its obligations with compliance and roll-up.
    let department = signed_in(&app, &synthetic::department_user(0)).await;
    let obligations = app
        .gql_as(
            Some(&department),
            "{ obligations(first: 3) { totalCount edges { node { title compliance { total } rollUp { totals { key total } } children { id } } } } }",
            json!({}),
        )
        .await;
    assert!(obligations.get("errors").is_none(), "{obligations:#}");
    assert!(
        obligations["data"]["obligations"]["totalCount"]
            .as_u64()
            .unwrap_or(0)
            > 100
    );

    // A commune owes reports and can submit one.
    let commune = signed_in(&app, &synthetic::commune_user(0, 0)).await;
    let due = app
        .gql_as(
            Some(&commune),
            "{ reportsDue(first: 5) { totalCount edges { node { id version status } } } }",
            json!({}),
        )
        .await;
    let owed = &due["data"]["reportsDue"]["edges"];
    assert!(owed.as_array().is_some_and(|a| !a.is_empty()), "{due:#}");
    let submitted = app
        .gql_as(
            Some(&commune),
            "mutation($input: ReportInput!) { submitReport(input: $input) { report { status } } }",
            json!({ "input": {
                "id": owed[0]["node"]["id"], "expectedVersion": owed[0]["node"]["version"],
                "sections": { "situation": "Ổn định.", "results": "Đăng 10 tin.", "shortcomings": "Không.", "proposals": "Không.", "next_plan": "Tiếp tục." },
                "metrics": { "news_articles": 10, "press_briefings": 1, "press_conferences": 0, "trainings": 0,
                    "training_participants": 0, "false_information_handled": 0, "broadcast_hours": 1.5 },
                "signerName": "Nguyễn Văn An", "signerTitle": "CHỦ TỊCH"
            } }),
        )
        .await;
    assert_eq!(
        submitted["data"]["submitReport"]["report"]["status"], "SUBMITTED",
        "{submitted:#}"
    );

    // The press finds releases by text and spokespersons by agency.
    let press = signed_in(&app, &synthetic::press_user(0, &shape, 0)).await;
    let feed = app
        .gql_as(
            Some(&press),
            "{ informationReleases(first: 10, filter: { search: \"du lich\" }) { edges { node { title spokesperson { fullName } } } } spokespeople(first: 5) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(feed.get("errors").is_none(), "{feed:#}");
    assert!(
        feed["data"]["informationReleases"]["edges"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "{feed:#}"
    );
    assert!(
        feed["data"]["spokespeople"]["totalCount"]
            .as_u64()
            .unwrap_or(0)
            > 100
    );
}
