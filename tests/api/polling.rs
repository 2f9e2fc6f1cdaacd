//! Incremental reads for systems that poll: every list an integration client reads takes
//! `updatedSince`, and then lists only the records changed since, oldest change first, so that
//! a record changed while the client walks the pages comes again later in the walk.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ConnectionTrait,
    sea_query::{Alias, Expr, ExprTrait, Order, Query},
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, code, field, spawn_app_with_demo};

/// (list, table, query): each query takes `$since`, `$first`, `$after` and answers the list's
/// ids in `edges` (or in a plain list for `planTasks`, which has no pages).
const LISTS: [(&str, &str, &str); 12] = [
    (
        "agencies",
        "agency",
        "query($since: DateTime, $first: Int, $after: String) { list: agencies(filter: { updatedSince: $since }, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id updatedAt } } } }",
    ),
    (
        "users",
        "user_account",
        "query($since: DateTime, $first: Int, $after: String) { list: users(filter: { updatedSince: $since }, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
    ),
    (
        "spokespeople",
        "spokesperson",
        "query($since: DateTime, $first: Int, $after: String) { list: spokespeople(filter: { updatedSince: $since }, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
    ),
    (
        "pressEvents",
        "press_event",
        "query($since: DateTime, $first: Int, $after: String) { list: pressEvents(filter: { updatedSince: $since }, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
    ),
    (
        "informationReleases",
        "information_release",
        "query($since: DateTime, $first: Int, $after: String) { list: informationReleases(filter: { updatedSince: $since }, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
    ),
    (
        "pressRequests",
        "press_request",
        "query($since: DateTime, $first: Int, $after: String) { list: pressRequests(filter: { updatedSince: $since }, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
    ),
    (
        "obligations",
        "reporting_obligation",
        "query($since: DateTime, $first: Int, $after: String) { list: obligations(filter: { updatedSince: $since }, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
    ),
    (
        "reports",
        "report",
        "query($since: DateTime, $first: Int, $after: String) { list: reports(filter: { updatedSince: $since }, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
    ),
    (
        "plans",
        "plan",
        "query($since: DateTime, $first: Int, $after: String) { list: plans(updatedSince: $since, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
    ),
    (
        "trainingSessions",
        "training_session",
        "query($since: DateTime, $first: Int, $after: String) { list: trainingSessions(filter: { updatedSince: $since }, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
    ),
    (
        "incidents",
        "incident",
        "query($since: DateTime, $first: Int, $after: String) { list: incidents(filter: { updatedSince: $since }, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
    ),
    (
        "planTasks",
        "plan_task",
        "query($since: DateTime) { list: planTasks(updatedSince: $since) { id } }",
    ),
];

/// Three ids of `table`.
async fn three_ids(app: &TestApp, table: &str) -> Vec<Uuid> {
    let query = Query::select()
        .column(Alias::new("id"))
        .from(Alias::new(table))
        .order_by(Alias::new("id"), Order::Asc)
        .limit(3)
        .to_owned();
    let rows = app.db.query_all(&query).await.expect("ids");
    let ids: Vec<Uuid> = rows
        .iter()
        .map(|row| row.try_get::<Uuid>("", "id").expect("an id"))
        .collect();
    assert_eq!(ids.len(), 3, "the demo data has three rows of {table}");
    ids
}

/// Sets the time of the last change of a row, as a change at that instant would.
async fn changed_at(app: &TestApp, table: &str, id: Uuid, at: DateTime<Utc>) {
    let update = Query::update()
        .table(Alias::new(table))
        .value(Alias::new("updated_at"), at)
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .to_owned();
    app.db.execute(&update).await.expect("set updated_at");
}

fn ids(list: &Value) -> Vec<String> {
    let items = list["edges"]
        .as_array()
        .map(|edges| edges.iter().map(|e| e["node"].clone()).collect::<Vec<_>>())
        .or_else(|| list.as_array().cloned())
        .unwrap_or_else(|| panic!("a list: {list:#}"));
    items
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn page(app: &TestApp, query: &str, since: DateTime<Utc>, after: Option<&str>) -> Value {
    app.data(query, json!({ "since": since, "first": 2, "after": after }))
        .await["list"]
        .clone()
}

#[actix_web::test]
async fn every_list_polls_by_change_time_and_a_row_changed_during_the_walk_comes_again() {
    let app = spawn_app_with_demo().await;
    // Later than anything the demo wrote, so only the rows moved there are "changed since".
    let since = Utc::now() + Duration::days(1);
    for (list, table, query) in LISTS {
        let [a, b, c]: [Uuid; 3] = three_ids(&app, table).await.try_into().expect("three");
        // Changed in the order b, c, a.
        changed_at(&app, table, b, since + Duration::hours(1)).await;
        changed_at(&app, table, c, since + Duration::hours(2)).await;
        changed_at(&app, table, a, since + Duration::hours(3)).await;
        let (a, b, c) = (a.to_string(), b.to_string(), c.to_string());
        if list == "planTasks" {
            let all = page(&app, query, since, None).await;
            assert_eq!(ids(&all), [b.clone(), c.clone(), a.clone()], "{list}");
            continue;
        }
        let first = page(&app, query, since, None).await;
        assert_eq!(
            ids(&first),
            [b.clone(), c.clone()],
            "{list}: oldest change first"
        );
        assert_eq!(first["totalCount"], 3, "{list}: only what changed since");
        assert_eq!(first["pageInfo"]["hasNextPage"], true, "{list}");
        // b changes again while the client is between pages: it moves behind the page it was
        // on, and the walk meets it again.
        changed_at(
            &app,
            table,
            b.parse().expect("uuid"),
            since + Duration::hours(4),
        )
        .await;
        let cursor = first["pageInfo"]["endCursor"].as_str().expect("cursor");
        let second = page(&app, query, since, Some(cursor)).await;
        assert_eq!(
            ids(&second),
            [a.clone(), b.clone()],
            "{list}: the walk meets the row changed during it"
        );
        assert_eq!(second["pageInfo"]["hasNextPage"], false, "{list}");
    }
}

#[actix_web::test]
async fn a_cursor_of_one_order_is_refused_in_the_other() {
    let app = spawn_app_with_demo().await;
    let by_name = app
        .data(
            "{ agencies(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let cursor = by_name["agencies"]["pageInfo"]["endCursor"].clone();
    let polled = "query($after: String) { agencies(filter: { updatedSince: \"2020-01-01T00:00:00Z\" }, first: 1, after: $after) { pageInfo { endCursor } } }";
    let error = app.error(polled, json!({ "after": cursor })).await;
    assert_eq!(code(&error), "BAD_USER_INPUT");
    assert_eq!(field(&error), "after");
    let polled_cursor =
        app.data(polled, json!({ "after": null })).await["agencies"]["pageInfo"]["endCursor"]
            .clone();
    let error = app
        .error(
            "query($after: String) { agencies(first: 1, after: $after) { totalCount } }",
            json!({ "after": polled_cursor }),
        )
        .await;
    assert_eq!(code(&error), "BAD_USER_INPUT");
}

#[actix_web::test]
async fn polling_shows_what_a_default_list_hides_a_disabled_account_and_an_ended_term() {
    let app = spawn_app_with_demo().await;
    let since = Utc::now();
    let danluc = crate::helpers::demo_user("xa.danluc");
    app.data(
        "mutation($id: ID!) { setUserDisabled(input: { id: $id, disabled: true }) { user { id } } }",
        json!({ "id": danluc }),
    )
    .await;
    let polled = app
        .data(
            "query($since: DateTime) { users(filter: { updatedSince: $since }) { edges { node { id disabled } } } }",
            json!({ "since": since }),
        )
        .await;
    assert_eq!(ids(&polled["users"]), vec![danluc.clone()]);
    let default = app
        .data("{ users(first: 100) { edges { node { id } } } }", json!({}))
        .await;
    assert!(!ids(&default["users"]).contains(&danluc));

    // A term that ended today is no longer in the directory of who serves today, but it
    // changed: a polling system sees it end.
    let appointed = ttdn_api::demo::demo_id("spokesperson.appointed.th.trieuson").to_string();
    app.data(
        "mutation($id: ID!, $to: Date!) { endSpokespersonTerm(input: { id: $id, termTo: $to }) { spokesperson { id } } }",
        json!({ "id": appointed, "to": crate::helpers::day(-1) }),
    )
    .await;
    let polled = app
        .data(
            "query($since: DateTime) { spokespeople(filter: { updatedSince: $since }) { edges { node { id termTo } } } }",
            json!({ "since": since }),
        )
        .await;
    assert_eq!(ids(&polled["spokespeople"]), vec![appointed.clone()]);
    let serving = app
        .data(
            "{ spokespeople(first: 100, filter: { agencyWithin: \"%s\" }) { edges { node { id } } } }"
                .replace("%s", &crate::helpers::demo_agency("th.trieuson"))
                .as_str(),
            json!({}),
        )
        .await;
    assert!(!ids(&serving["spokespeople"]).contains(&appointed));
}
