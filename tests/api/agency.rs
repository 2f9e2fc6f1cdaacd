//! The agency directory: tree operations, validity, search, pagination, and bad input.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{
    Process, TestApp, code, demo_agency, field, spawn_app, spawn_app_with_demo, without_extra,
};

const AGENCY: &str = "id name kind depth version validFrom validTo parent { id } ancestors { id name } successor { id } predecessors { id }";

async fn agency(app: &TestApp, id: &str) -> Value {
    let query = format!("query($id: ID!) {{ agency(id: $id) {{ {AGENCY} }} }}");
    app.data(&query, json!({ "id": id })).await["agency"].clone()
}

async fn province(app: &TestApp, name: &str, code: &str) -> String {
    app.create_agency(json!({
        "name": name, "shortName": "UBND", "kind": "PROVINCIAL_COMMITTEE", "adminCode": code, "validFrom": "1976-01-01"
    }))
    .await
}

async fn child(app: &TestApp, parent: &str, kind: &str, name: &str) -> String {
    app.create_agency(json!({
        "name": name, "shortName": "UBND", "kind": kind, "parentId": parent, "validFrom": "2000-01-01"
    }))
    .await
}

/// Each input must be refused with `expected_code` on its field, and nothing written.
async fn assert_creation_refused(app: &TestApp, cases: &[(Value, &str)], expected_code: &str) {
    let before = app.agency_count().await;
    for (input, expected_field) in cases {
        let error = app
            .error(
                "mutation($input: CreateAgencyInput!) { createAgency(input: $input) { agency { id } } }",
                json!({ "input": input }),
            )
            .await;
        assert_eq!(code(&error), expected_code, "{input}: {error:#}");
        assert_eq!(field(&error), *expected_field, "{input}: {error:#}");
    }
    assert_eq!(app.agency_count().await, before);
}

async fn names_within(app: &TestApp, root: &str) -> Vec<String> {
    app.agency_names(json!({ "within": root })).await
}

#[actix_web::test]
async fn a_created_tree_reads_back_with_parents_ancestors_and_children() {
    let app = spawn_app().await;
    let th = province(&app, "UBND tỉnh Thanh Hóa", "38").await;
    let ts = child(&app, &th, "DISTRICT", "UBND huyện Triệu Sơn").await;
    let dl = child(&app, &ts, "COMMUNE", "UBND xã Dân Lực").await;

    let commune = agency(&app, &dl).await;
    assert_eq!(commune["depth"], 2);
    assert_eq!(commune["parent"]["id"], ts.as_str());
    let ancestors: Vec<&str> = commune["ancestors"]
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ancestors, vec![th.as_str(), ts.as_str()]);

    let data = app
        .data(
            "query($id: ID!) { agency(id: $id) { children { totalCount edges { node { id name } } } } }",
            json!({ "id": th }),
        )
        .await;
    assert_eq!(data["agency"]["children"]["totalCount"], 1);
    assert_eq!(
        data["agency"]["children"]["edges"][0]["node"]["id"],
        ts.as_str()
    );

    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { id ... on Agency { name } } }",
            json!({ "id": dl }),
        )
        .await;
    assert_eq!(node["node"]["name"], "UBND xã Dân Lực");
}

#[actix_web::test]
async fn a_commune_can_sit_directly_under_a_two_tier_province() {
    let app = spawn_app().await;
    let cb = province(&app, "UBND tỉnh Cao Bằng", "04").await;
    let ward = child(&app, &cb, "COMMUNE", "UBND phường Thục Phán").await;
    assert_eq!(agency(&app, &ward).await["depth"], 1);
}

#[actix_web::test]
async fn moving_an_agency_moves_its_whole_subtree() {
    let app = spawn_app().await;
    let a = province(&app, "UBND tỉnh A", "01").await;
    let b = province(&app, "UBND tỉnh B", "02").await;
    let district = child(&app, &a, "DISTRICT", "UBND huyện Một").await;
    let commune = child(&app, &district, "COMMUNE", "UBND xã Hai").await;
    let office = child(&app, &district, "DEPARTMENT", "Phòng Văn hóa và Thông tin").await;

    // Listed once before the move: where the district stood is kept, and forgotten by it.
    let under_district = [
        "Phòng Văn hóa và Thông tin",
        "UBND huyện Một",
        "UBND xã Hai",
    ];
    assert_eq!(names_within(&app, &district).await, under_district);

    let moved = app
        .data(
            "mutation($input: MoveAgencyInput!) { moveAgency(input: $input) { agency { parent { id } version } } }",
            json!({ "input": { "id": district, "parentId": b } }),
        )
        .await;
    assert_eq!(moved["moveAgency"]["agency"]["parent"]["id"], b.as_str());
    assert_eq!(moved["moveAgency"]["agency"]["version"], 2);
    // The first listing after the move reads where the district now stands; the next one
    // finds it kept and runs one statement less. (The move emptied the principals too: the
    // token is authenticated again first.)
    app.gql_counted(&app.admin_token, "{ __typename }", json!({}))
        .await;
    let listing = "query($p: ID!) { agencies(filter: { within: $p }) { nodes { name } } }";
    let (first, read) = app
        .gql_counted(&app.admin_token, listing, json!({ "p": district }))
        .await;
    let (next, kept) = app
        .gql_counted(&app.admin_token, listing, json!({ "p": district }))
        .await;
    assert_eq!(read, kept);
    assert_eq!(first, next + 1, "{kept:#}");
    assert_eq!(names_within(&app, &district).await, under_district);

    let mut under_b = names_within(&app, &b).await;
    under_b.sort();
    assert_eq!(
        under_b,
        vec![
            "Phòng Văn hóa và Thông tin",
            "UBND huyện Một",
            "UBND tỉnh B",
            "UBND xã Hai"
        ]
    );
    assert_eq!(names_within(&app, &a).await, vec!["UBND tỉnh A"]);
    for id in [&commune, &office] {
        let descendant = agency(&app, id).await;
        assert_eq!(descendant["depth"], 2);
        assert_eq!(descendant["ancestors"][0]["id"], b.as_str());
        assert_eq!(descendant["ancestors"][1]["id"], district.as_str());
    }
}

#[actix_web::test]
async fn moving_under_itself_or_a_descendant_is_refused() {
    let app = spawn_app().await;
    let other = app
        .create_agency(json!({ "name": "Ban Chỉ đạo", "shortName": "BCĐ", "kind": "OTHER", "validFrom": "2000-01-01" }))
        .await;
    let inner = app
        .create_agency(json!({ "name": "Tổ giúp việc", "shortName": "TGV", "kind": "OTHER", "parentId": other, "validFrom": "2001-01-01" }))
        .await;
    for target in [&other, &inner] {
        let error = app
            .error(
                "mutation($input: MoveAgencyInput!) { moveAgency(input: $input) { agency { id } } }",
                json!({ "input": { "id": other, "parentId": target } }),
            )
            .await;
        assert_eq!(code(&error), "BAD_USER_INPUT");
        assert_eq!(field(&error), "input.parentId");
    }
    assert_eq!(agency(&app, &inner).await["depth"], 1);
}

#[actix_web::test]
async fn a_stale_expected_version_is_a_conflict_and_writes_nothing() {
    let app = spawn_app().await;
    let a = province(&app, "UBND tỉnh A", "01").await;
    let query = "mutation($input: UpdateAgencyInput!) { updateAgency(input: $input) { agency { name version } } }";
    let ok = app
        .data(
            query,
            json!({ "input": { "id": a, "expectedVersion": 1, "name": "UBND tỉnh Á" } }),
        )
        .await;
    assert_eq!(ok["updateAgency"]["agency"]["version"], 2);
    let error = app
        .error(
            query,
            json!({ "input": { "id": a, "expectedVersion": 1, "name": "Khác" } }),
        )
        .await;
    assert_eq!(code(&error), "CONFLICT");
    assert_eq!(field(&error), "input.expectedVersion");
    assert_eq!(agency(&app, &a).await["name"], "UBND tỉnh Á");
}

#[actix_web::test]
async fn update_sets_and_clears_optional_fields() {
    let app = spawn_app().await;
    let a = app
        .create_agency(json!({ "name": "UBND tỉnh A", "shortName": "UBND", "kind": "PROVINCIAL_COMMITTEE", "phone": "0237 3852 326", "email": "UBND@A.gov.vn" }))
        .await;
    let data = app
        .data(
            "mutation($input: UpdateAgencyInput!) { updateAgency(input: $input) { agency { phone email website } } }",
            json!({ "input": { "id": a, "phone": null, "website": "https://a.gov.vn" } }),
        )
        .await;
    let updated = &data["updateAgency"]["agency"];
    assert_eq!(updated["phone"], Value::Null);
    assert_eq!(updated["email"], "ubnd@a.gov.vn");
    assert_eq!(updated["website"], "https://a.gov.vn");
}

#[actix_web::test]
async fn closing_with_a_successor_keeps_history_readable() {
    let app = spawn_app().await;
    let p = province(&app, "UBND tỉnh Cao Bằng", "04").await;
    let city = child(&app, &p, "DISTRICT", "UBND thành phố Cao Bằng").await;
    let ward = child(&app, &city, "COMMUNE", "UBND phường Sông Hiến").await;
    let close = "mutation($input: CloseAgencyInput!) { closeAgency(input: $input) { agency { validTo successor { id } } } }";

    // Active children block a plain close…
    let error = app
        .error(
            close,
            json!({ "input": { "id": city, "validTo": "2025-06-30", "successorId": p } }),
        )
        .await;
    assert_eq!(code(&error), "CONFLICT");
    assert_eq!(agency(&app, &city).await["validTo"], Value::Null);

    // …and move to the successor when asked.
    let closed = app
        .data(close, json!({ "input": { "id": city, "validTo": "2025-06-30", "successorId": p, "transferChildren": true } }))
        .await;
    assert_eq!(closed["closeAgency"]["agency"]["validTo"], "2025-06-30");
    assert_eq!(
        closed["closeAgency"]["agency"]["successor"]["id"],
        p.as_str()
    );
    assert_eq!(agency(&app, &ward).await["parent"]["id"], p.as_str());
    assert_eq!(
        agency(&app, &p).await["predecessors"][0]["id"],
        city.as_str()
    );

    let active = "query($id: ID!, $on: Date!) { agency(id: $id) { isActive(on: $on) } }";
    assert_eq!(
        app.data(active, json!({ "id": city, "on": "2025-06-30" }))
            .await["agency"]["isActive"],
        true
    );
    assert_eq!(
        app.data(active, json!({ "id": city, "on": "2025-07-01" }))
            .await["agency"]["isActive"],
        false
    );

    let again = app
        .error(
            close,
            json!({ "input": { "id": city, "validTo": "2025-07-31" } }),
        )
        .await;
    assert_eq!(code(&again), "CONFLICT");
}

#[actix_web::test]
async fn active_on_filters_by_validity() {
    let app = spawn_app().await;
    let p = province(&app, "UBND tỉnh A", "01").await;
    let old = child(&app, &p, "DISTRICT", "UBND huyện Cũ").await;
    app.data(
        "mutation($input: CloseAgencyInput!) { closeAgency(input: $input) { agency { id } } }",
        json!({ "input": { "id": old, "validTo": "2025-06-30" } }),
    )
    .await;
    let new = app
        .create_agency(json!({ "name": "UBND xã Mới", "shortName": "UBND", "kind": "COMMUNE", "parentId": p, "validFrom": "2025-07-01" }))
        .await;
    let query = "query($on: Date!, $p: ID!) { agencies(filter: { activeOn: $on, within: $p, kinds: [DISTRICT, COMMUNE] }) { edges { node { id } } } }";
    let ids = |data: Value| -> Vec<String> {
        data["agencies"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert_eq!(
        ids(app.data(query, json!({ "on": "2024-01-01", "p": p })).await),
        vec![old.clone()]
    );
    assert_eq!(
        ids(app.data(query, json!({ "on": "2025-07-01", "p": p })).await),
        vec![new]
    );
}

#[actix_web::test]
async fn search_ignores_case_and_diacritics() {
    let app = spawn_app().await;
    let p = province(&app, "UBND tỉnh Thanh Hóa", "38").await;
    child(&app, &p, "DISTRICT", "UBND huyện Triệu Sơn").await;
    child(&app, &p, "DISTRICT", "UBND huyện Đông Sơn").await;
    child(&app, &p, "DISTRICT", "UBND huyện Thọ Xuân").await;
    let query =
        "query($s: String!) { agencies(filter: { search: $s }) { edges { node { name } } } }";
    let names = |data: Value| -> Vec<String> {
        data["agencies"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["name"].as_str().expect("name").to_owned())
            .collect()
    };
    assert_eq!(
        names(app.data(query, json!({ "s": "trieu son" })).await),
        vec!["UBND huyện Triệu Sơn"]
    );
    assert_eq!(
        names(app.data(query, json!({ "s": "TRIỆU  SƠN" })).await),
        vec!["UBND huyện Triệu Sơn"]
    );
    assert_eq!(
        names(app.data(query, json!({ "s": "dong son" })).await),
        vec!["UBND huyện Đông Sơn"]
    );
    assert_eq!(
        names(app.data(query, json!({ "s": "son" })).await),
        vec!["UBND huyện Đông Sơn", "UBND huyện Triệu Sơn"]
    );
    assert!(names(app.data(query, json!({ "s": "100%" })).await).is_empty());
}

#[actix_web::test]
async fn pagination_walks_every_row_once_with_exact_edges() {
    let app = spawn_app().await;
    let query = "query($first: Int, $after: String) { agencies(first: $first, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { name } } } }";

    // Empty list.
    let empty = app.data(query, json!({ "first": 2 })).await;
    assert_eq!(empty["agencies"]["totalCount"], 0);
    assert_eq!(empty["agencies"]["edges"], json!([]));
    assert_eq!(empty["agencies"]["pageInfo"]["hasNextPage"], false);

    for name in ["Báo E", "Báo A", "Báo D", "Báo C"] {
        app.create_agency(json!({ "name": name, "shortName": "B", "kind": "PRESS_AGENCY" }))
            .await;
    }
    // Exact pages: 4 rows in pages of 2.
    let page1 = app.data(query, json!({ "first": 2 })).await["agencies"].clone();
    assert_eq!(page1["totalCount"], 4);
    assert_eq!(page1["pageInfo"]["hasNextPage"], true);
    assert_eq!(page1["pageInfo"]["hasPreviousPage"], false);
    let page2 = app
        .data(
            query,
            json!({ "first": 2, "after": page1["pageInfo"]["endCursor"] }),
        )
        .await["agencies"]
        .clone();
    assert_eq!(page2["pageInfo"]["hasNextPage"], false);
    assert_eq!(page2["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(page2["totalCount"], 4);
    let names: Vec<&str> = [&page1, &page2]
        .iter()
        .flat_map(|p| {
            p["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"]["name"].as_str().expect("name"))
        })
        .collect();
    assert_eq!(names, vec!["Báo A", "Báo C", "Báo D", "Báo E"]);

    // Last page shorter than `first`, and nothing after the end.
    let last = app
        .data(
            query,
            json!({ "first": 3, "after": page1["edges"][0]["cursor"] }),
        )
        .await["agencies"]
        .clone();
    assert_eq!(last["edges"].as_array().map(Vec::len), Some(3));
    assert_eq!(last["pageInfo"]["hasNextPage"], false);
    let after_end = app
        .data(
            query,
            json!({ "first": 3, "after": page2["pageInfo"]["endCursor"] }),
        )
        .await["agencies"]
        .clone();
    assert_eq!(after_end["edges"], json!([]));

    // first: 0 gives just the count.
    let zero = app.data(query, json!({ "first": 0 })).await["agencies"].clone();
    assert_eq!(zero["edges"], json!([]));
    assert_eq!(zero["totalCount"], 4);
    assert_eq!(zero["pageInfo"]["hasNextPage"], true);
}

#[actix_web::test]
async fn bad_agency_input_is_refused_with_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let p = province(&app, "UBND tỉnh A", "01").await;
    let closed = child(&app, &p, "DISTRICT", "UBND huyện Cũ").await;
    app.data(
        "mutation($input: CloseAgencyInput!) { closeAgency(input: $input) { agency { id } } }",
        json!({ "input": { "id": closed, "validTo": "2020-12-31" } }),
    )
    .await;
    let district = child(&app, &p, "DISTRICT", "UBND huyện Mới").await;
    let unknown = "019a0000-0000-7000-8000-000000000000";
    let cases = [
        (
            json!({ "name": "", "shortName": "UBND", "kind": "OTHER" }),
            "input.name",
        ),
        (
            json!({ "name": "a".repeat(500), "shortName": "UBND", "kind": "OTHER" }),
            "input.name",
        ),
        (
            json!({ "name": "X", "shortName": "U B", "kind": "OTHER" }),
            "input.shortName",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "PROVINCIAL_COMMITTEE", "adminCode": "1" }),
            "input.adminCode",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "COMMUNE", "parentId": p, "adminCode": "123" }),
            "input.adminCode",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "DEPARTMENT", "parentId": p, "adminCode": "12" }),
            "input.adminCode",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "OTHER", "electronicId": "000..31" }),
            "input.electronicId",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "OTHER", "email": "nope" }),
            "input.email",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "OTHER", "phone": "abc" }),
            "input.phone",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "OTHER", "website": "ftp://x" }),
            "input.website",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "COMMUNE", "parentId": unknown }),
            "input.parentId",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "COMMUNE", "parentId": "not-an-id" }),
            "input.parentId",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "COMMUNE" }),
            "input.parentId",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "DISTRICT", "parentId": closed }),
            "input.parentId",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "COMMUNE", "parentId": p, "validFrom": "1970-01-01" }),
            "input.validFrom",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "COMMUNE", "parentId": closed, "validFrom": "2010-01-01" }),
            "input.validFrom",
        ),
        (
            json!({ "name": "X", "shortName": "UBND", "kind": "OTHER", "pressMedia": ["PRINT"] }),
            "input.pressMedia",
        ),
        (
            json!({ "name": "X", "shortName": "STTTT", "kind": "DEPARTMENT", "parentId": district, "isTtdnLead": true }),
            "input.isTtdnLead",
        ),
    ];
    assert_creation_refused(&app, &cases, "BAD_USER_INPUT").await;
}

#[actix_web::test]
async fn duplicate_identifiers_and_a_second_lead_are_conflicts() {
    let app = spawn_app().await;
    let p = app
        .create_agency(json!({ "name": "UBND tỉnh A", "shortName": "UBND", "kind": "PROVINCIAL_COMMITTEE", "adminCode": "01", "electronicId": "000.00.00.H01" }))
        .await;
    app.create_agency(json!({ "name": "Sở VHTTDL", "shortName": "SVHTTDL", "kind": "DEPARTMENT", "parentId": p, "isTtdnLead": true }))
        .await;
    let cases = [
        (
            json!({ "name": "B", "shortName": "UBND", "kind": "PROVINCIAL_COMMITTEE", "adminCode": "01" }),
            "input.adminCode",
        ),
        (
            json!({ "name": "B", "shortName": "UBND", "kind": "OTHER", "electronicId": "000.00.00.h01" }),
            "input.electronicId",
        ),
        (
            json!({ "name": "Sở TTTT", "shortName": "STTTT", "kind": "DEPARTMENT", "parentId": p, "isTtdnLead": true }),
            "input.isTtdnLead",
        ),
    ];
    assert_creation_refused(&app, &cases, "CONFLICT").await;
}

#[actix_web::test]
async fn an_unknown_agency_is_not_found() {
    let app = spawn_app().await;
    let id = "019a0000-0000-7000-8000-000000000000";
    assert_eq!(
        code(
            &app.error(
                "query($id: ID!) { agency(id: $id) { id } }",
                json!({ "id": id })
            )
            .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(
        code(
            &app.error(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id })
            )
            .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(
        code(
            &app.error(
                "query($id: ID!) { agencies(filter: { within: $id }) { totalCount } }",
                json!({ "id": id })
            )
            .await
        ),
        "NOT_FOUND"
    );
    let error = app
        .error(
            "mutation($input: UpdateAgencyInput!) { updateAgency(input: $input) { agency { id } } }",
            json!({ "input": { "id": id, "name": "X" } }),
        )
        .await;
    assert_eq!(code(&error), "NOT_FOUND");
}

/// The number of agencies `within` counts.
async fn count_within(app: &TestApp, root: &str) -> i64 {
    app.data(
        "query($p: ID!) { agencies(filter: { within: $p }) { totalCount } }",
        json!({ "p": root }),
    )
    .await["agencies"]["totalCount"]
        .as_i64()
        .expect("totalCount")
}

/// The tree of the only root is every agency, listed without testing paths; once a second tree
/// stands beside it, each root lists its own tree alone.
#[actix_web::test]
async fn the_only_tree_lists_every_agency_and_a_second_tree_is_left_out() {
    let app = spawn_app().await;
    let a = province(&app, "UBND tỉnh A", "01").await;
    let district = child(&app, &a, "DISTRICT", "UBND huyện Một").await;
    child(&app, &district, "COMMUNE", "UBND xã Hai").await;
    let tree_a = ["UBND huyện Một", "UBND tỉnh A", "UBND xã Hai"];
    assert_eq!(names_within(&app, &a).await, tree_a);
    assert_eq!(count_within(&app, &a).await, 3);
    assert_eq!(
        names_within(&app, &district).await,
        ["UBND huyện Một", "UBND xã Hai"]
    );

    let b = province(&app, "UBND tỉnh B", "02").await;
    child(&app, &b, "COMMUNE", "UBND xã Ba").await;
    assert_eq!(names_within(&app, &a).await, tree_a);
    assert_eq!(count_within(&app, &a).await, 3);
    assert_eq!(names_within(&app, &b).await, ["UBND tỉnh B", "UBND xã Ba"]);
    assert_eq!(count_within(&app, &b).await, 2);
}

/// The names another process lists `within` `root`, once they are `expected` (waiting up to two
/// seconds: the time for PostgreSQL to tell it of a change made here).
async fn listed_by(process: &Process, token: &str, root: &str, expected: &[&str]) {
    let start = Instant::now();
    loop {
        let answer = process
            .gql(
                token,
                "query($p: ID!) { agencies(filter: { within: $p }) { nodes { name } } }",
                json!({ "p": root }),
            )
            .await;
        let names: Vec<&str> = answer["data"]["agencies"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{answer:#}"))
            .iter()
            .map(|n| n["name"].as_str().expect("name"))
            .collect();
        if names == expected {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "still {names:?}, not {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A process keeps where the agencies it lists within stand; a new tree or a move made by
/// another process reaches its next listings.
#[actix_web::test]
async fn another_process_lists_a_changed_tree() {
    let app = spawn_app().await;
    if !app.database_url.starts_with("postgres") {
        // Processes share PostgreSQL; the embedded SQLite setup is one process (above).
        return;
    }
    let a = province(&app, "UBND tỉnh A", "01").await;
    let district = child(&app, &a, "DISTRICT", "UBND huyện Một").await;
    child(&app, &district, "COMMUNE", "UBND xã Hai").await;
    let other = Process::start_with(
        &app.database_url,
        &[("TTDN_JWT_SECRET", crate::helpers::TEST_JWT_SECRET)],
    );
    other.ready().await;
    let token = &app.admin_token;
    let tree_a = ["UBND huyện Một", "UBND tỉnh A", "UBND xã Hai"];
    let under_district = ["UBND huyện Một", "UBND xã Hai"];
    for _ in 0..2 {
        listed_by(&other, token, &a, &tree_a).await;
        listed_by(&other, token, &district, &under_district).await;
    }

    // A second tree, made here: the other process leaves it out of the first.
    let b = province(&app, "UBND tỉnh B", "02").await;
    listed_by(&other, token, &a, &tree_a).await;
    listed_by(&other, token, &b, &["UBND tỉnh B"]).await;

    // The district moved here: the other process finds its subtree under its new path.
    app.data(
        "mutation($input: MoveAgencyInput!) { moveAgency(input: $input) { agency { id } } }",
        json!({ "input": { "id": district, "parentId": b } }),
    )
    .await;
    listed_by(&other, token, &district, &under_district).await;
    listed_by(&other, token, &a, &["UBND tỉnh A"]).await;
}

#[actix_web::test]
async fn a_subtree_pages_in_name_order_beside_other_trees() {
    let app = spawn_app().await;
    let a = province(&app, "UBND tỉnh A", "01").await;
    let b = province(&app, "UBND tỉnh B", "02").await;
    for name in ["UBND xã Đông", "UBND xã Bắc", "UBND xã Cẩm"] {
        child(&app, &a, "COMMUNE", name).await;
        child(&app, &b, "COMMUNE", name).await;
    }
    let page = |after: Option<String>| {
        let app = &app;
        let a = a.clone();
        async move {
            app.data(
                "query($root: ID!, $after: String) { agencies(first: 2, after: $after, filter: { within: $root }) { totalCount pageInfo { hasNextPage endCursor } edges { node { name parent { id } } } } }",
                json!({ "root": a, "after": after }),
            )
            .await["agencies"]
                .clone()
        }
    };
    let first = page(None).await;
    let second = page(first["pageInfo"]["endCursor"].as_str().map(str::to_owned)).await;
    assert_eq!(first["totalCount"], 4);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    let names: Vec<&str> = [&first, &second]
        .iter()
        .flat_map(|p| p["edges"].as_array().expect("edges"))
        .map(|e| e["node"]["name"].as_str().expect("name"))
        .collect();
    // Folded-name order ("ubnd tinh a" < "ubnd xa bac" < "ubnd xa cam" < "ubnd xa dong"), the
    // other province's namesakes left out.
    assert_eq!(
        names,
        vec!["UBND tỉnh A", "UBND xã Bắc", "UBND xã Cẩm", "UBND xã Đông"]
    );
}

/// One page of the agencies within `within` after `after`, each showing `fields`, as the
/// department: (statements run, the connection).
async fn agency_page(app: &TestApp, token: &str, fields: &str, after: &Value) -> (u32, Value) {
    let query = format!(
        "query($p: ID!, $after: String) {{ agencies(first: 7, after: $after, filter: {{ within: $p }}) {{ \
         totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {fields} }} }} nodes {{ {fields} }} }} }} \
         fragment Listed on Agency {{ __typename id name shortName kind parent {{ id name }} predecessors {{ id }} }}"
    );
    let (statements, data) = app
        .gql_counted(
            token,
            &query,
            json!({ "p": demo_agency("th"), "after": after }),
        )
        .await;
    (statements, data["agencies"].clone())
}

#[actix_web::test]
async fn a_list_asking_for_listed_fields_alone_pages_as_the_whole_rows_do() {
    let app = spawn_app_with_demo().await;
    let token = app.demo_token("so.thanhhoa").await;
    // Authenticated once, and where the province stands read once: both are kept.
    agency_page(&app, &token, "...Listed", &Value::Null).await;
    let mut after = Value::Null;
    let mut walked = 0;
    loop {
        // Listed fields alone (through a fragment): the listed columns are read.
        let (listed_statements, listed) = agency_page(&app, &token, "...Listed", &after).await;
        // One field more: the whole rows.
        let (whole_statements, mut whole) =
            agency_page(&app, &token, "...Listed validFrom", &after).await;
        without_extra(&mut whole, &listed, |item| {
            assert!(item["validFrom"].is_string(), "{item:#}");
            item.as_object_mut().expect("object").remove("validFrom");
        });
        assert_eq!(listed, whole, "same items, cursors, count and page info");
        assert_eq!(listed_statements, whole_statements, "{listed:#}");
        walked += listed["edges"].as_array().map_or(0, Vec::len);
        if listed["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = listed["pageInfo"]["endCursor"].clone();
    }
    assert!(walked > 7, "more than one page: {walked}");
}
