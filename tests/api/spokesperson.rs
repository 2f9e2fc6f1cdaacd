//! Spokespersons: appointments, authorisations, publication and the press directory.

use serde_json::{Value, json};
use ttdn_api::demo::demo_id;

use crate::helpers::{TestApp, code, demo_agency, field, spawn_app_with_demo};

const APPOINT: &str = "mutation($input: AppointSpokespersonInput!) { appointSpokesperson(input: $input) { spokesperson { id fullName kind termFrom termTo publishedAt publicationOverdue } } }";
const DIRECTORY: &str = "query($f: SpokespersonFilterInput) { spokespeople(first: 100, filter: $f) { totalCount edges { node { id fullName kind termFrom termTo phone agency { name } } } } }";

fn spokesperson(key: &str) -> String {
    demo_id(key).to_string()
}

fn names(response: &Value) -> Vec<String> {
    response["data"]["spokespeople"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no directory: {response:#}"))
        .iter()
        .map(|e| e["node"]["fullName"].as_str().expect("name").to_owned())
        .collect()
}

/// Publishes appointment `id` as `token`; the answer.
async fn publish(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql_as(
        Some(token),
        "mutation($id: ID!) { publishSpokesperson(input: { id: $id }) { spokesperson { publishedAt } } }",
        json!({ "id": id }),
    )
    .await
}

async fn directory(app: &TestApp, token: &str, filter: Value) -> Value {
    app.gql_as(Some(token), DIRECTORY, json!({ "f": filter }))
        .await
}

#[actix_web::test]
async fn an_appointment_reaches_the_press_once_published() {
    let app = spawn_app_with_demo().await;
    let district = app.demo_token("huyen.trieuson").await;
    let press = app.demo_token("bao.thanhhoa").await;
    let appointed = app
        .gql_as(
            Some(&district),
            APPOINT,
            json!({ "input": {
                "agencyId": demo_agency("th.trieuson.danluc"), "fullName": "Đinh Thị Ngọc Ánh",
                "title": "Phó Chủ tịch UBND xã Dân Lực", "kind": "APPOINTED", "phone": "0912 345 678",
                "email": "anh.dtn@thanhhoa.gov.vn", "termFrom": "2026-01-01",
                "appointingDocument": { "number": "35/QĐ-UBND", "date": "2025-12-28" }
            } }),
        )
        .await;
    let person = &appointed["data"]["appointSpokesperson"]["spokesperson"];
    assert_eq!(person["kind"], "APPOINTED", "{appointed:#}");
    assert_eq!(person["publishedAt"], Value::Null);
    assert_eq!(person["publicationOverdue"], false);
    let id = person["id"].as_str().expect("id").to_owned();

    let search = json!({ "search": "dinh thi ngoc anh" });
    assert!(
        names(&directory(&app, &district, search.clone()).await)
            .contains(&"Đinh Thị Ngọc Ánh".to_owned())
    );
    assert!(
        names(&directory(&app, &press, search.clone()).await).is_empty(),
        "unpublished reached the press"
    );
    let hidden = app
        .gql_as(
            Some(&press),
            "query($id: ID!) { spokesperson(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&hidden["errors"][0]), "NOT_FOUND");

    let published = publish(&app, &district, &id).await;
    assert!(published["data"]["publishSpokesperson"]["spokesperson"]["publishedAt"].is_string());
    let found = directory(&app, &press, search).await;
    assert_eq!(names(&found), vec!["Đinh Thị Ngọc Ánh"]);
    assert_eq!(
        found["data"]["spokespeople"]["edges"][0]["node"]["phone"],
        "0912 345 678"
    );
}

#[actix_web::test]
async fn a_new_appointment_ends_the_previous_term_on_the_day_before() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let appointed = app
        .gql_as(
            Some(&department),
            APPOINT,
            json!({ "input": {
                "agencyId": demo_agency("th.trieuson"), "fullName": "Mai Xuân Trường",
                "title": "Phó Chủ tịch UBND huyện Triệu Sơn", "kind": "APPOINTED", "termFrom": "2026-12-01"
            } }),
        )
        .await;
    assert!(appointed["errors"].is_null(), "{appointed:#}");
    let previous = app
        .data(
            "query($id: ID!) { spokesperson(id: $id) { termTo } }",
            json!({ "id": spokesperson("spokesperson.appointed.th.trieuson") }),
        )
        .await;
    assert_eq!(previous["spokesperson"]["termTo"], "2026-11-30");

    let on = |day: &str| json!({ "agencyWithin": demo_agency("th.trieuson"), "kinds": ["APPOINTED"], "on": day, "agencyKinds": ["DISTRICT"] });
    let before = names(&directory(&app, &department, on("2026-06-01")).await);
    let after = names(&directory(&app, &department, on("2026-12-15")).await);
    assert_eq!(before.len(), 1);
    assert_eq!(after, vec!["Mai Xuân Trường"]);
    assert_ne!(before, after);
}

#[actix_web::test]
async fn overlapping_terms_are_refused_and_history_is_not_rewritten() {
    let app = spawn_app_with_demo().await;
    let input = json!({ "input": {
        "agencyId": demo_agency("th.trieuson"), "fullName": "Hà Văn Sơn",
        "title": "Phó Chủ tịch", "kind": "APPOINTED", "termFrom": "2024-01-01"
    } });
    let refused = app.error(APPOINT, input).await;
    assert_eq!(code(&refused), "CONFLICT");
    assert_eq!(field(&refused), "input.termFrom");
    let current = app
        .data(
            "query($id: ID!) { spokesperson(id: $id) { termFrom termTo } }",
            json!({ "id": spokesperson("spokesperson.appointed.th.trieuson") }),
        )
        .await;
    assert_eq!(
        current["spokesperson"],
        json!({ "termFrom": "2025-03-10", "termTo": null })
    );
}

#[actix_web::test]
async fn an_authorisation_needs_a_serving_grantor_a_subject_and_an_end() {
    let app = spawn_app_with_demo().await;
    let base = json!({
        "agencyId": demo_agency("th.trieuson"), "fullName": "Lê Thị Hồng", "title": "Chánh Văn phòng HĐND và UBND huyện",
        "kind": "AUTHORISED", "termFrom": "2026-12-01", "termTo": "2026-12-31",
        "subject": "Công tác phòng chống thiên tai", "grantorId": spokesperson("spokesperson.head.th.trieuson")
    });
    let with = |key: &str, value: Value| {
        let mut input = base.clone();
        input[key] = value;
        json!({ "input": input })
    };
    let cases = [
        (with("grantorId", Value::Null), "input.grantorId"),
        (
            with(
                "grantorId",
                json!(spokesperson("spokesperson.authorised.th.trieuson")),
            ),
            "input.grantorId",
        ),
        (
            with(
                "grantorId",
                json!(spokesperson("spokesperson.head.th.thoxuan")),
            ),
            "input.grantorId",
        ),
        (with("termTo", Value::Null), "input.termTo"),
        (with("subject", Value::Null), "input.subject"),
        (with("termFrom", json!("2019-01-01")), "input.grantorId"),
    ];
    for (input, expected) in cases {
        let refused = app.error(APPOINT, input.clone()).await;
        assert_eq!(code(&refused), "BAD_USER_INPUT", "{input}: {refused:#}");
        assert_eq!(field(&refused), expected, "{input}");
    }
    let granted = app.data(APPOINT, json!({ "input": base })).await;
    assert_eq!(
        granted["appointSpokesperson"]["spokesperson"]["kind"],
        "AUTHORISED"
    );
}

#[actix_web::test]
async fn only_agencies_in_scope_appoint_their_spokespersons() {
    let app = spawn_app_with_demo().await;
    let appoint = |agency: &str| {
        json!({ "input": {
        "agencyId": demo_agency(agency), "fullName": "Trịnh Văn Khoa", "title": "Phó Chủ tịch",
        "kind": "APPOINTED", "termFrom": "2026-12-01"
    } })
    };
    for (username, agency) in [
        ("xa.danluc", "th.trieuson"),
        ("bao.thanhhoa", "th.baoth"),
        ("so.caobang", "th.trieuson"),
        ("huyen.thoxuan", "th.trieuson.danluc"),
    ] {
        let token = app.demo_token(username).await;
        let refused = app.gql_as(Some(&token), APPOINT, appoint(agency)).await;
        assert_eq!(
            code(&refused["errors"][0]),
            "FORBIDDEN",
            "{username} for {agency}"
        );
    }
    let press_agency = app.error(APPOINT, appoint("th.baoth")).await;
    assert_eq!(field(&press_agency), "input.agencyId");
}

#[actix_web::test]
async fn the_press_finds_spokespersons_by_area_kind_and_date() {
    let app = spawn_app_with_demo().await;
    let press = app.demo_token("bao.thanhhoa").await;
    // Every commune of Thanh Hóa in one query.
    let communes = directory(
        &app,
        &press,
        json!({ "agencyWithin": demo_agency("th"), "agencyKinds": ["COMMUNE"] }),
    )
    .await;
    assert_eq!(
        communes["data"]["spokespeople"]["totalCount"], 12,
        "{communes:#}"
    );
    // The department gets the whole province in one query.
    let department = app.demo_token("so.thanhhoa").await;
    let province = directory(
        &app,
        &department,
        json!({ "agencyWithin": demo_agency("th") }),
    )
    .await;
    assert!(province["data"]["spokespeople"]["totalCount"].as_u64() >= Some(20));
    // Who spoke for the former Sở TTTT in 2024, and nobody today.
    let stttt = |day: &str| json!({ "agencyWithin": demo_agency("th.stttt"), "on": day });
    assert_eq!(
        names(&directory(&app, &press, stttt("2024-06-01")).await).len(),
        1
    );
    assert!(names(&directory(&app, &press, stttt("2026-06-01")).await).is_empty());
    // By the agency's name, without diacritics.
    let by_agency = directory(
        &app,
        &press,
        json!({ "search": "huyen trieu son", "agencyKinds": ["DISTRICT"] }),
    )
    .await;
    assert_eq!(
        by_agency["data"]["spokespeople"]["totalCount"], 3,
        "head, appointed, authorised: {by_agency:#}"
    );
    // Nested under agencies, without a query per agency.
    let nested = app
        .gql_as(
            Some(&press),
            "query($p: ID!) { agencies(first: 50, filter: { within: $p, kinds: [DISTRICT] }) { edges { node { name currentSpokespeople { fullName kind } } } } }",
            json!({ "p": demo_agency("th") }),
        )
        .await;
    for edge in nested["data"]["agencies"]["edges"]
        .as_array()
        .expect("edges")
    {
        let kinds: Vec<&str> = edge["node"]["currentSpokespeople"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|s| s["kind"].as_str())
            .collect();
        assert!(
            kinds.contains(&"HEAD") && kinds.contains(&"APPOINTED"),
            "{edge:#}"
        );
    }
}

/// The agencies within `within` with their current spokespersons' `fields` (a selection of
/// `Spokesperson`), as `token`: (statements run, the agencies).
async fn current_spokespeople(
    app: &TestApp,
    token: &str,
    within: &str,
    fields: &str,
) -> (u32, Value) {
    let query = format!(
        "query($p: ID!) {{ agencies(first: 100, filter: {{ within: $p }}) {{ edges {{ node {{ id currentSpokespeople {{ {fields} }} }} }} }} }} \
         fragment Card on Spokesperson {{ id agency {{ id }} fullName title kind phone email __typename }}"
    );
    let (statements, data) = app.gql_counted(token, &query, json!({ "p": within })).await;
    (statements, data["agencies"]["edges"].clone())
}

#[actix_web::test]
async fn current_spokespeople_asked_for_their_cards_alone_answer_as_the_whole_rows() {
    let app = spawn_app_with_demo().await;
    let district = app.demo_token("huyen.trieuson").await;
    let press = app.demo_token("bao.thanhhoa").await;
    // An appointment not yet published: its district sees it, the press does not.
    let appointed = app
        .gql_as(
            Some(&district),
            APPOINT,
            json!({ "input": {
                "agencyId": demo_agency("th.trieuson.danluc"), "fullName": "Lê Văn Thắng",
                "title": "Phó Chủ tịch UBND xã Dân Lực", "kind": "APPOINTED", "termFrom": "2026-01-01"
            } }),
        )
        .await;
    let unpublished = appointed["data"]["appointSpokesperson"]["spokesperson"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{appointed:#}"))
        .to_owned();
    for (token, sees_unpublished) in [(&district, true), (&press, false)] {
        let within = demo_agency("th.trieuson");
        // The token's first request reads its principal, and the first listing within the
        // district where it stands: both are kept, so read before measuring.
        current_spokespeople(&app, token, &within, "...Card").await;
        // Card fields alone (through a fragment): read as cards.
        let (card_statements, cards) = current_spokespeople(&app, token, &within, "...Card").await;
        // One more field: read whole.
        let (whole_statements, mut whole) =
            current_spokespeople(&app, token, &within, "...Card termFrom").await;
        for edge in whole.as_array_mut().expect("edges") {
            for person in edge["node"]["currentSpokespeople"]
                .as_array_mut()
                .expect("list")
            {
                assert!(person["termFrom"].is_string(), "{person:#}");
                person.as_object_mut().expect("object").remove("termFrom");
            }
        }
        assert_eq!(cards, whole, "the cards answer as the whole rows do");
        assert_eq!(card_statements, whole_statements, "{cards:#}");
        let people: Vec<&Value> = cards
            .as_array()
            .expect("edges")
            .iter()
            .flat_map(|e| e["node"]["currentSpokespeople"].as_array().expect("list"))
            .collect();
        assert!(
            people.len() >= 8,
            "the district's agencies have spokespersons: {}",
            people.len()
        );
        assert!(
            people
                .iter()
                .all(|p| p["__typename"] == "Spokesperson" && p["fullName"].is_string())
        );
        assert_eq!(
            people.iter().any(|p| p["id"] == unpublished.as_str()),
            sees_unpublished,
            "{cards:#}"
        );
    }
}

#[actix_web::test]
async fn appointments_unpublished_after_24_hours_are_flagged() {
    use sea_orm::{ConnectionTrait, Statement};

    let app = spawn_app_with_demo().await;
    let appointed = app
        .data(
            APPOINT,
            json!({ "input": {
                "agencyId": demo_agency("th.samson"), "fullName": "Cao Thị Lụa", "title": "Phó Chủ tịch UBND thành phố",
                "kind": "APPOINTED", "termFrom": "2026-10-01"
            } }),
        )
        .await;
    let id = appointed["appointSpokesperson"]["spokesperson"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let overdue = json!({ "publicationOverdue": true });
    assert!(names(&directory(&app, &app.admin_token, overdue.clone()).await).is_empty());

    // The appointment was recorded 25 hours ago, its publication due an hour ago.
    let backend = app.db.get_database_backend();
    let (placeholder, placeholder2) = if backend == sea_orm::DatabaseBackend::Postgres {
        ("$1", "$2")
    } else {
        ("?", "?")
    };
    let earlier = chrono::Utc::now() - chrono::Duration::hours(25);
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE spokesperson SET created_at = {placeholder}, \
                 publication_due_at = {placeholder2} WHERE full_name = 'Cao Thị Lụa'"
            ),
            [
                earlier.into(),
                (earlier + chrono::Duration::hours(24)).into(),
            ],
        ))
        .await
        .expect("backdate");
    assert_eq!(
        names(&directory(&app, &app.admin_token, overdue.clone()).await),
        vec!["Cao Thị Lụa"]
    );
    let flag = app
        .data(
            "query($id: ID!) { spokesperson(id: $id) { publicationOverdue } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(flag["spokesperson"]["publicationOverdue"], true);

    app.data(
        "mutation($id: ID!) { publishSpokesperson(input: { id: $id }) { spokesperson { id } } }",
        json!({ "id": id }),
    )
    .await;
    assert!(names(&directory(&app, &app.admin_token, overdue).await).is_empty());
}

#[actix_web::test]
async fn an_agency_name_shared_by_many_agencies_still_finds_their_spokespersons() {
    use entity::agency;
    use sea_orm::{ActiveValue::Set, EntityTrait};
    use ttdn_api::spokesperson::service::AGENCIES_NAMED_BY_ID;

    let app = spawn_app_with_demo().await;
    let commune = agency::Entity::find_by_id(demo_id("th.trieuson.danluc"))
        .one(&app.db)
        .await
        .expect("query")
        .expect("demo commune");
    // More residential groups named alike than the directory passes to its query by id.
    let groups: Vec<agency::ActiveModel> = (0..=AGENCIES_NAMED_BY_ID)
        .map(|k| {
            let id = uuid::Uuid::new_v4();
            let name = format!("Tổ dân phố Hồng Lam {k}");
            let path = format!("{}{}/", commune.path, id.simple());
            agency::ActiveModel {
                id: Set(id),
                search_name: Set(ttdn_api::text::fold(&name)),
                name: Set(name),
                short_name: Set(format!("HL{k}")),
                kind: Set(agency::AgencyKind::Other),
                parent_id: Set(Some(commune.id)),
                depth: Set(commune.depth + 1),
                path: Set(path),
                admin_code: Set(None),
                electronic_id: Set(None),
                address: Set(None),
                phone: Set(None),
                email: Set(None),
                website: Set(None),
                press_media: Set(None),
                press_licence: Set(None),
                is_ttdn_lead: Set(false),
                valid_from: Set(commune.valid_from),
                valid_to: Set(None),
                successor_id: Set(None),
                version: Set(1),
                created_at: Set(commune.created_at),
                updated_at: Set(commune.updated_at),
            }
        })
        .collect();
    let seventh = groups[7].id.clone().unwrap();
    agency::Entity::insert_many(groups)
        .exec(&app.db)
        .await
        .expect("insert groups");

    let district = app.demo_token("huyen.trieuson").await;
    let appointed = app
        .gql_as(
            Some(&district),
            APPOINT,
            json!({ "input": {
                "agencyId": seventh.to_string(), "fullName": "Lê Văn Tám",
                "title": "Tổ trưởng", "kind": "HEAD", "termFrom": "2026-01-01"
            } }),
        )
        .await;
    let id = appointed["data"]["appointSpokesperson"]["spokesperson"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{appointed:#}"))
        .to_owned();
    let published = publish(&app, &district, &id).await;
    assert!(published["errors"].is_null(), "{published:#}");

    let press = app.demo_token("bao.thanhhoa").await;
    // "hong lam 7" names a few of the groups, "hong lam" every one of them: both find him.
    for search in ["hong lam 7", "hong lam"] {
        let found = directory(&app, &press, json!({ "search": search })).await;
        assert_eq!(names(&found), vec!["Lê Văn Tám"], "{search}: {found:#}");
        assert_eq!(found["data"]["spokespeople"]["totalCount"], 1);
    }
}

#[actix_web::test]
async fn a_renamed_agency_is_found_by_its_new_name_only() {
    let app = spawn_app_with_demo().await;
    let press = app.demo_token("bao.thanhhoa").await;
    let by = |search: &str| json!({ "search": search, "agencyKinds": ["DISTRICT"] });
    let before = directory(&app, &press, by("huyen trieu son")).await;
    assert_eq!(
        before["data"]["spokespeople"]["totalCount"], 3,
        "{before:#}"
    );

    let renamed = app
        .data(
            "mutation($input: UpdateAgencyInput!) { updateAgency(input: $input) { agency { name } } }",
            json!({ "input": { "id": demo_agency("th.trieuson"), "name": "UBND huyện Sao Mai" } }),
        )
        .await;
    assert_eq!(
        renamed["updateAgency"]["agency"]["name"],
        "UBND huyện Sao Mai"
    );

    let after = directory(&app, &press, by("huyen sao mai")).await;
    assert_eq!(after["data"]["spokespeople"]["totalCount"], 3, "{after:#}");
    let old = directory(&app, &press, by("huyen trieu son")).await;
    assert_eq!(old["data"]["spokespeople"]["totalCount"], 0, "{old:#}");
}

#[actix_web::test]
async fn a_search_pages_through_its_matches_in_name_order() {
    let app = spawn_app_with_demo().await;
    let press = app.demo_token("bao.thanhhoa").await;
    // "ubnd" names every people's committee: their spokespersons, whatever they are called.
    let filter = json!({ "search": "ubnd" });
    let whole = directory(&app, &press, filter.clone()).await;
    let expected = names(&whole);
    assert!(expected.len() > 4, "{whole:#}");
    let mut folded: Vec<String> = expected.iter().map(|n| ttdn_api::text::fold(n)).collect();
    let in_order = folded.clone();
    folded.sort();
    assert_eq!(in_order, folded, "ordered by folded name");

    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .gql_as(
                Some(&press),
                "query($f: SpokespersonFilterInput, $after: String) { spokespeople(first: 2, after: $after, filter: $f) { totalCount pageInfo { hasNextPage endCursor } edges { node { fullName } } } }",
                json!({ "f": filter, "after": after }),
            )
            .await;
        assert_eq!(
            page["data"]["spokespeople"]["totalCount"], whole["data"]["spokespeople"]["totalCount"],
            "{page:#}"
        );
        paged.extend(names(&page));
        let info = &page["data"]["spokespeople"]["pageInfo"];
        if info["hasNextPage"] != true {
            break;
        }
        after = info["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(paged, expected);
}

#[actix_web::test]
async fn the_search_migrations_roll_back_and_apply_again() {
    use migration::{Migrator, MigratorTrait};
    let app = spawn_app_with_demo().await;
    let press = app.demo_token("bao.thanhhoa").await;
    let by_agency = json!({ "search": "huyen trieu son", "agencyKinds": ["DISTRICT"] });
    let before = directory(&app, &press, by_agency.clone()).await;
    assert_eq!(
        before["data"]["spokespeople"]["totalCount"], 3,
        "{before:#}"
    );

    // Back to before migrations 12 (PostgreSQL collation and trigram settings) and 13 (SQLite
    // name index), every later one with them, and forward again.
    let after_twelve = u32::try_from(Migrator::migrations().len() - 11).expect("count");
    Migrator::down(&app.db, Some(after_twelve))
        .await
        .expect("roll back");
    ttdn_api::db::migrate(&app.db).await.expect("apply again");
    let after = directory(&app, &press, by_agency).await;
    assert_eq!(before["data"], after["data"]);
}

/// Migration 26 puts the agency into the directory's name index. On SQLite a database analysed
/// before gets the new index's statistics, so that its planner keeps walking the name order,
/// and one never analysed is left without statistics; the search finds the same either way.
#[actix_web::test]
async fn the_name_index_holds_the_agency_and_keeps_its_statistics() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = spawn_app_with_demo().await;
    let press = app.demo_token("bao.thanhhoa").await;
    let by_agency = json!({ "search": "huyen trieu son", "agencyKinds": ["DISTRICT"] });
    let before = directory(&app, &press, by_agency.clone()).await;
    assert_eq!(before["data"]["spokespeople"]["totalCount"], 3);
    let sqlite = app.db.get_database_backend() == DbBackend::Sqlite;
    let run = |sql: &str| Statement::from_string(app.db.get_database_backend(), sql);
    let statistics_of = |index: &'static str| {
        let db = app.db.clone();
        async move {
            let statement = Statement::from_string(
                DbBackend::Sqlite,
                format!("SELECT stat FROM sqlite_stat1 WHERE idx = '{index}'"),
            );
            let row = db.query_one_raw(statement).await.expect("statistics");
            row.is_some()
        }
    };
    let from_twenty_six = u32::try_from(Migrator::migrations().len() - 25).expect("count");

    for analysed in [false, true] {
        Migrator::down(&app.db, Some(from_twenty_six))
            .await
            .expect("roll back");
        if sqlite {
            app.db.execute_raw(run("ANALYZE")).await.expect("analyse");
            if !analysed {
                app.db
                    .execute_raw(run("DELETE FROM sqlite_stat1"))
                    .await
                    .expect("forget the statistics");
            }
        }
        ttdn_api::db::migrate(&app.db).await.expect("apply again");
        if sqlite {
            assert_eq!(
                statistics_of("ix_spokesperson_search_name_id_agency").await,
                analysed,
                "analysed before: {analysed}"
            );
            assert!(!statistics_of("ix_spokesperson_search_name_id").await);
        }
        let after = directory(&app, &press, by_agency.clone()).await;
        assert_eq!(before["data"], after["data"], "analysed before: {analysed}");
    }
}
