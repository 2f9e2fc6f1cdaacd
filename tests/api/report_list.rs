//! The report list of a caller whose sight is a scope: the reports of agencies in its scope
//! and of obligations issued there (on PostgreSQL the second found from the scope's agencies
//! computed first). Walked page by page it must be exactly the reports the caller may open one
//! by one, in the list's order, each once, whatever the page size and the filters. A commune
//! moved to another district keeps the reports it owes its former district: that district
//! reads them through the obligations it issued (the rule's second branch), the new one
//! through its agencies.

use std::collections::HashSet;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, demo_agency, spawn_app_with_demo, without_extra};

/// A report as stored: (id, status, obligation id, recipient id).
type Row = (String, String, String, String);

/// A filter of the list, the reports in the order it lists them, and which of those it keeps.
type Case<'a> = (Value, &'a [Row], &'a dyn Fn(&Row) -> bool);

/// Every report in `order` (an `ORDER BY` of the report table).
async fn stored(app: &TestApp, order: &str) -> Vec<Row> {
    let backend = app.db.get_database_backend();
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT id, status, obligation_id, recipient_agency_id FROM report ORDER BY {order}"
            ),
        ))
        .await
        .expect("reports");
    rows.iter()
        .map(|row| {
            let id: Uuid = row.try_get("", "id").expect("id");
            let status: String = row.try_get("", "status").expect("status");
            let obligation: Uuid = row.try_get("", "obligation_id").expect("obligation");
            let recipient: Uuid = row.try_get("", "recipient_agency_id").expect("recipient");
            (
                id.to_string(),
                status,
                obligation.to_string(),
                recipient.to_string(),
            )
        })
        .collect()
}

/// The reports `token` may open one by one (`report(id:)`, the rule's own form).
async fn openable(app: &TestApp, token: &str, rows: &[Row]) -> HashSet<String> {
    let fields: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, (id, ..))| format!("r{i}: report(id: \"{id}\") {{ id }}"))
        .collect();
    let response = app
        .gql_as(
            Some(token),
            &format!("{{ {} }}", fields.join(" ")),
            json!({}),
        )
        .await;
    for error in response["errors"].as_array().into_iter().flatten() {
        assert_eq!(error["extensions"]["code"], "NOT_FOUND", "{error:#}");
    }
    (0..rows.len())
        .filter_map(|i| response["data"][format!("r{i}")]["id"].as_str())
        .map(str::to_owned)
        .collect()
}

/// The whole list, walked `first` at a time: the ids in order, and the total it announced.
async fn walk(app: &TestApp, token: &str, filter: &Value, first: i64) -> (Vec<String>, i64) {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    let mut total = None;
    loop {
        let response = app
            .gql_as(
                Some(token),
                "query($f: ReportFilterInput, $first: Int, $after: String) { reports(filter: $f, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
                json!({ "f": filter, "first": first, "after": after }),
            )
            .await;
        let page = &response["data"]["reports"];
        assert!(page.is_object(), "{response:#}");
        total.get_or_insert(page["totalCount"].as_i64().expect("totalCount"));
        let edges = page["edges"].as_array().expect("edges");
        assert!(edges.len() as i64 <= first);
        ids.extend(
            edges
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap().to_owned()),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        assert!(ids.len() < 10_000, "the walk does not end");
    }
    (ids, total.expect("one page"))
}

#[actix_web::test]
async fn a_scoped_report_list_walked_page_by_page_is_every_report_the_caller_may_open_once() {
    let app = spawn_app_with_demo().await;
    // Đông Lý, a commune of Triệu Sơn that owes Triệu Sơn a report on the district's own
    // obligation, moves to Thọ Xuân.
    let moved = demo_agency("th.trieuson.danly");
    let district_obligation = ttdn_api::demo::demo_id("obligation.2480.trieuson").to_string();
    app.data(
        "mutation($input: MoveAgencyInput!) { moveAgency(input: $input) { agency { id } } }",
        json!({ "input": { "id": moved, "parentId": demo_agency("th.thoxuan") } }),
    )
    .await;
    let by_due = stored(&app, "due_date, id").await;
    let by_change = stored(&app, "updated_at, id").await;
    let statuses: HashSet<&str> = by_due.iter().map(|(_, s, ..)| s.as_str()).collect();
    let left_behind = by_due
        .iter()
        .find(|(_, _, o, r)| *o == district_obligation && *r == moved)
        .expect("the moved commune's report to its former district")
        .0
        .clone();
    assert!(
        statuses.len() >= 2,
        "the demo has reports in several statuses"
    );
    for account in [
        "so.thanhhoa",
        "huyen.trieuson",
        "huyen.thoxuan",
        "xa.danluc",
    ] {
        let token = app.demo_token(account).await;
        let visible = openable(&app, &token, &by_due).await;
        if account.starts_with("huyen.") {
            assert!(
                visible.contains(&left_behind),
                "{account} reads {left_behind}"
            );
        }
        assert!(!visible.is_empty(), "{account} reads some reports");
        assert!(visible.len() < by_due.len(), "{account} does not read all");
        // One obligation of the caller's sight.
        let obligation = match account {
            "huyen.trieuson" => district_obligation.clone(),
            _ => by_due
                .iter()
                .find(|(id, ..)| visible.contains(id))
                .expect("a visible report")
                .2
                .clone(),
        };
        let cases: [Case; 4] = [
            (json!(null), &by_due, &|_| true),
            (
                json!({ "statuses": ["NOT_STARTED", "SUBMITTED"] }),
                &by_due,
                &|(_, s, ..)| s == "NOT_STARTED" || s == "SUBMITTED",
            ),
            (
                json!({ "obligationId": obligation }),
                &by_due,
                &|(_, _, o, _)| *o == obligation,
            ),
            (
                json!({ "updatedSince": "2000-01-01T00:00:00Z" }),
                &by_change,
                &|_| true,
            ),
        ];
        for (filter, order, keep) in cases {
            let expected: Vec<String> = order
                .iter()
                .filter(|row| visible.contains(&row.0) && keep(row))
                .map(|row| row.0.clone())
                .collect();
            assert!(
                !expected.is_empty(),
                "{account} {filter}: some reports pass"
            );
            for first in [1, 2, 3, 7, 100] {
                let (ids, total) = walk(&app, &token, &filter, first).await;
                assert_eq!(
                    ids, expected,
                    "{account}, filter {filter}, pages of {first}"
                );
                assert_eq!(
                    total,
                    expected.len() as i64,
                    "{account} {filter}: totalCount"
                );
            }
        }
    }
}

/// A report carries its obligation's issuer, which the rule reads from the report's row: the
/// migration fills it for the reports already there, and the database refuses a report whose
/// copy differs from its obligation's, on insert and on update, on both databases.
#[actix_web::test]
async fn a_report_carries_its_obligations_issuer_and_no_other() {
    use entity::{report, reporting_obligation as obligation};
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QueryOrder};
    let app = spawn_app_with_demo().await;
    // Back to before the copy (migration 25, and every later one with it) and forward again:
    // the reports already there are filled in.
    let from_twenty_five = u32::try_from(Migrator::migrations().len() - 24).expect("count");
    Migrator::down(&app.db, Some(from_twenty_five))
        .await
        .expect("roll back");
    ttdn_api::db::migrate(&app.db).await.expect("apply again");
    let reports = report::Entity::find()
        .order_by_asc(report::Column::Id)
        .all(&app.db)
        .await
        .expect("reports");
    assert!(reports.len() > 10, "the demo has reports");
    for row in &reports {
        let duty = obligation::Entity::find_by_id(row.obligation_id)
            .one(&app.db)
            .await
            .expect("read")
            .expect("its obligation");
        assert_eq!(row.issuer_agency_id, duty.issuer_agency_id, "{}", row.id);
    }
    let row = &reports[0];
    // An agency neither issuing nor owing this obligation.
    let owing: HashSet<Uuid> = reports
        .iter()
        .filter(|r| r.obligation_id == row.obligation_id)
        .map(|r| r.recipient_agency_id)
        .collect();
    let other = reports
        .iter()
        .map(|r| r.recipient_agency_id)
        .find(|a| *a != row.issuer_agency_id && !owing.contains(a))
        .expect("another agency");
    // Changed to another agency: refused, and nothing written.
    let changed = report::ActiveModel {
        id: Set(row.id),
        issuer_agency_id: Set(other),
        ..Default::default()
    }
    .update(&app.db)
    .await;
    assert!(changed.is_err(), "{changed:?}");
    // A new report of the same obligation with another issuer: refused.
    let mut wrong = row.clone();
    wrong.id = Uuid::now_v7();
    wrong.recipient_agency_id = other;
    wrong.issuer_agency_id = other;
    let inserted = report::Entity::insert(report::ActiveModel::from(wrong.clone()))
        .exec_without_returning(&app.db)
        .await;
    assert!(inserted.is_err(), "{inserted:?}");
    let stored = report::Entity::find_by_id(row.id)
        .one(&app.db)
        .await
        .expect("read")
        .expect("the report");
    assert_eq!(&stored, row);
    assert!(
        report::Entity::find_by_id(wrong.id)
            .one(&app.db)
            .await
            .expect("read")
            .is_none()
    );
    // With its obligation's issuer, the same new report is taken.
    wrong.issuer_agency_id = row.issuer_agency_id;
    report::Entity::insert(report::ActiveModel::from(wrong))
        .exec_without_returning(&app.db)
        .await
        .expect("a report with its obligation's issuer");
}

/// One page of what `token`'s agency owes after `after`, each report showing `fields`: (the
/// statements it ran, the connection).
async fn owed_page(app: &TestApp, token: &str, fields: &str, after: &Value) -> (u32, Value) {
    let query = format!(
        "query($after: String) {{ reportsDue(first: 1, after: $after) {{ \
         totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {fields} }} }} \
         nodes {{ {fields} }} }} }} \
         fragment Owed on Report {{ __typename id dueDate status state late daysOverdue \
         obligation {{ ...Duty }} }} \
         fragment Duty on ReportingObligation {{ __typename id title issuer {{ id name shortName kind }} }}"
    );
    let (statements, data) = app
        .gql_counted(token, &query, json!({ "after": after }))
        .await;
    (statements, data["reportsDue"].clone())
}

/// "What do I owe" asking for the fields a list shows alone (each report's due date and
/// state, its obligation's title and issuer) reads only those columns; its pages, cursors,
/// count and statements are those of the page asking for one field more, which reads the
/// whole rows.
#[actix_web::test]
async fn what_an_agency_owes_with_listed_fields_alone_pages_as_the_whole_rows_do() {
    let app = spawn_app_with_demo().await;
    for account in ["huyen.trieuson", "xa.danluc"] {
        let token = app.demo_token(account).await;
        // Authenticated once: the token is kept.
        owed_page(&app, &token, "...Owed", &Value::Null).await;
        let mut after = Value::Null;
        let mut walked = 0;
        loop {
            let (listed_statements, listed) = owed_page(&app, &token, "...Owed", &after).await;
            // One field more of the obligation: the whole rows.
            let (whole_statements, mut whole) =
                owed_page(&app, &token, "...Owed obligation { periodEnd }", &after).await;
            without_extra(&mut whole, &listed, |item| {
                let obligation = item["obligation"].as_object_mut().expect("obligation");
                assert!(obligation["periodEnd"].is_string(), "{obligation:#?}");
                obligation.remove("periodEnd");
            });
            assert_eq!(
                listed, whole,
                "{account}: same items, cursors, count, page info"
            );
            assert_eq!(listed_statements, whole_statements, "{account}: {listed:#}");
            for node in listed["nodes"].as_array().expect("nodes") {
                assert!(node["obligation"]["issuer"]["name"].is_string(), "{node:#}");
            }
            walked += listed["edges"].as_array().map_or(0, Vec::len);
            if listed["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = listed["pageInfo"]["endCursor"].clone();
        }
        assert!(walked > 0, "{account} owes reports");
        if account == "huyen.trieuson" {
            assert!(walked > 1, "more than one page: {walked}");
        }
    }
}
