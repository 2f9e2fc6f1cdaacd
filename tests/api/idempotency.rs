//! Safe retries with `Idempotency-Key`: a retried creating mutation returns the first answer
//! and writes nothing again; a key reused for another request is `CONFLICT`; keys are per
//! caller, expire after 24 hours, and a failed mutation leaves its key free.

use serde_json::{Value, json};

use crate::helpers::{TestApp, code, count, spawn_app, spawn_app_with_demo};

const CREATE: &str =
    "mutation($input: CreateAgencyInput!) { createAgency(input: $input) { agency { id name } } }";

fn agency(name: &str) -> Value {
    json!({ "input": { "name": name, "shortName": "BCĐ", "kind": "OTHER", "validFrom": "2000-01-01" } })
}

/// `createAgency` as the administrator with `key`.
async fn create(app: &TestApp, name: &str, key: &str) -> crate::helpers::Raw {
    app.gql_with(CREATE, agency(name), &[("idempotency-key", key)])
        .await
}

async fn agencies_named(app: &TestApp, name: &str) -> i64 {
    count(
        app,
        &format!("SELECT COUNT(*) AS n FROM agency WHERE name = '{name}'"),
    )
    .await
}

#[actix_web::test]
async fn a_retried_mutation_returns_the_first_answer_and_writes_once() {
    let app = spawn_app().await;
    let first = create(&app, "Ban Chỉ đạo TTĐN", "3f0c8a52-retry-1").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("idempotent-replayed"), None);
    let id = first.json()["data"]["createAgency"]["agency"]["id"].clone();
    assert!(id.is_string(), "{}", first.text());

    let again = create(&app, "Ban Chỉ đạo TTĐN", "3f0c8a52-retry-1").await;
    assert_eq!(again.status, 200);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.json()["data"]["createAgency"]["agency"]["id"], id);
    assert_eq!(agencies_named(&app, "Ban Chỉ đạo TTĐN").await, 1);
    // One change, one audit entry and one domain event.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM domain_event WHERE kind = 'agency.create'"
        )
        .await,
        1
    );

    // Without a key, the same request is a new change.
    app.gql(CREATE, agency("Ban Chỉ đạo TTĐN")).await;
    assert_eq!(agencies_named(&app, "Ban Chỉ đạo TTĐN").await, 2);
}

#[actix_web::test]
async fn the_same_key_for_another_request_is_a_conflict_and_writes_nothing() {
    let app = spawn_app().await;
    create(&app, "Tổ Thông tin", "key-2").await;
    let other = create(&app, "Tổ Báo chí", "key-2").await;
    assert_eq!(other.status, 409);
    let error = other.json()["errors"][0].clone();
    assert_eq!(code(&error), "CONFLICT");
    assert_eq!(error["extensions"]["field"], "idempotency-key");
    assert_eq!(agencies_named(&app, "Tổ Báo chí").await, 0);

    // Variables in another order are the same request.
    let reordered = json!({ "input": { "validFrom": "2000-01-01", "kind": "OTHER", "shortName": "BCĐ", "name": "Tổ Thông tin" } });
    let replay = app
        .gql_with(CREATE, reordered, &[("idempotency-key", "key-2")])
        .await;
    assert_eq!(
        replay.header("idempotent-replayed").as_deref(),
        Some("true")
    );
}

#[actix_web::test]
async fn keys_belong_to_their_caller() {
    let app = spawn_app_with_demo().await;
    create(&app, "Tổ Công tác", "shared-key").await;
    // The department's "shared-key" is its own: a different request under it runs.
    let department = app.demo_token("so.thanhhoa").await;
    let bearer = format!("Bearer {department}");
    let theirs = app
        .gql_with(
            "mutation { markNotificationsRead(input: { all: true }) { marked } }",
            json!({}),
            &[
                ("idempotency-key", "shared-key"),
                ("authorization", &bearer),
            ],
        )
        .await;
    assert!(theirs.json()["errors"].is_null(), "{}", theirs.text());
    assert_eq!(theirs.header("idempotent-replayed"), None);
    assert_eq!(agencies_named(&app, "Tổ Công tác").await, 1);
}

#[actix_web::test]
async fn a_key_is_remembered_for_twenty_four_hours() {
    let app = spawn_app().await;
    create(&app, "Tổ Lâm thời", "old-key").await;
    let past = (chrono::Utc::now() - chrono::Duration::hours(25)).to_rfc3339();
    use sea_orm::ConnectionTrait;
    app.db
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            app.db.get_database_backend(),
            match app.db.get_database_backend() {
                sea_orm::DbBackend::Postgres => {
                    "UPDATE idempotency_key SET created_at = CAST($1 AS timestamptz)"
                }
                _ => "UPDATE idempotency_key SET created_at = $1",
            },
            [past.into()],
        ))
        .await
        .expect("age the key");
    let again = create(&app, "Tổ Lâm thời", "old-key").await;
    assert_eq!(again.header("idempotent-replayed"), None);
    assert_eq!(agencies_named(&app, "Tổ Lâm thời").await, 2);
    // The expired key made way for the new one.
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM idempotency_key").await,
        1
    );
}

#[actix_web::test]
async fn a_failed_mutation_leaves_its_key_for_the_corrected_retry() {
    let app = spawn_app().await;
    let bad = app
        .gql_with(
            CREATE,
            json!({ "input": { "name": "", "shortName": "X", "kind": "OTHER", "validFrom": "2000-01-01" } }),
            &[("idempotency-key", "fix-me")],
        )
        .await;
    assert_eq!(code(&bad.json()["errors"][0]), "BAD_USER_INPUT");
    let fixed = create(&app, "Tổ Sửa lại", "fix-me").await;
    assert!(fixed.json()["errors"].is_null(), "{}", fixed.text());
    assert_eq!(agencies_named(&app, "Tổ Sửa lại").await, 1);
}

#[actix_web::test]
async fn two_racing_requests_with_one_key_write_once() {
    let app = spawn_app().await;
    let (a, b) = tokio::join!(
        create(&app, "Tổ Đua", "race"),
        create(&app, "Tổ Đua", "race")
    );
    assert_eq!(agencies_named(&app, "Tổ Đua").await, 1);
    // One made the change; the other replayed it or was told it is being made.
    let made = [&a, &b]
        .iter()
        .filter(|r| r.json()["data"]["createAgency"]["agency"]["id"].is_string())
        .count();
    assert!(made >= 1, "{} / {}", a.text(), b.text());
    for response in [&a, &b] {
        let body = response.json();
        if let Some(error) = body["errors"].get(0) {
            assert_eq!(code(error), "CONFLICT", "{body:#}");
        }
    }
}

#[actix_web::test]
async fn a_malformed_or_misplaced_key_is_refused() {
    let app = spawn_app().await;
    let long = "k".repeat(256);
    for key in ["", long.as_str(), "two words"] {
        let response = create(&app, "Tổ Sai", key).await;
        assert_eq!(response.status, 400, "{key:?}: {}", response.text());
        assert_eq!(code(&response.json()["errors"][0]), "BAD_USER_INPUT");
    }
    // Two mutations under one key.
    let two = app
        .gql_with(
            "mutation($input: CreateAgencyInput!) { a: createAgency(input: $input) { agency { id } } b: createAgency(input: $input) { agency { id } } }",
            agency("Tổ Sai"),
            &[("idempotency-key", "two")],
        )
        .await;
    assert_eq!(two.status, 400, "{}", two.text());
    // Anonymous callers have no keys.
    let anonymous = app
        .request(
            "POST",
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("idempotency-key", "anon"),
            ],
            json!({ "query": "mutation { logout { ok } }" })
                .to_string()
                .into_bytes(),
        )
        .await;
    assert_eq!(anonymous.status, 400, "{}", anonymous.text());
    assert_eq!(agencies_named(&app, "Tổ Sai").await, 0);
    // A query ignores the key: reading changes nothing.
    let read = app
        .gql_with(
            "{ me { __typename } }",
            json!({}),
            &[("idempotency-key", "q")],
        )
        .await;
    assert!(read.json()["errors"].is_null(), "{}", read.text());
}
