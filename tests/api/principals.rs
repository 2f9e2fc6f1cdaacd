//! The principals a process keeps: a token seen a moment ago authenticates without SQL, and
//! every change that refuses or narrows a principal takes effect on the next request, in this
//! process and (on PostgreSQL) in the others.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{
    Process, TestApp, code, demo_agency, demo_user, service_client, spawn_app_with_demo,
};

const WHO: &str = "{ me { role } }";

/// Runs `WHO` as `token`: the statements it cost and whether it was let in.
async fn ask(app: &TestApp, token: &str) -> (u32, bool) {
    let bearer = format!("Bearer {token}");
    let raw = app
        .gql_with(WHO, json!({}), &[("authorization", bearer.as_str())])
        .await;
    let body = raw.json();
    let statements = raw
        .header("x-sql-statements")
        .and_then(|n| n.parse().ok())
        .expect("dev mode counts statements");
    match body["errors"].get(0) {
        None => (statements, true),
        Some(error) => {
            assert_eq!(code(error), "UNAUTHENTICATED", "{body:#}");
            (statements, false)
        }
    }
}

#[actix_web::test]
async fn a_kept_principal_costs_nothing_and_is_forgotten_when_it_changes() {
    let app = spawn_app_with_demo().await;
    let district = app.demo_token("huyen.thoxuan").await;
    assert_eq!(ask(&app, &district).await, (3, true));
    assert_eq!(ask(&app, &district).await, (0, true), "kept");

    // Disabled: refused at the next request.
    app.data(
        "mutation($id: ID!) { setUserDisabled(input: { id: $id, disabled: true }) { user { id } } }",
        json!({ "id": demo_user("huyen.thoxuan") }),
    )
    .await;
    assert!(!ask(&app, &district).await.1, "a disabled account");

    // Signed out, or the password changed: refused at the next request.
    let commune = app.demo_token("xa.danluc").await;
    assert!(ask(&app, &commune).await.1);
    app.gql_as(Some(&commune), "mutation { logout { ok } }", json!({}))
        .await;
    assert!(!ask(&app, &commune).await.1, "a session signed out");
    let department = app.demo_token("so.thanhhoa").await;
    assert!(ask(&app, &department).await.1);
    let changed = app
        .gql_as(
            Some(&department),
            "mutation { changePassword(input: { currentPassword: \"ttdn-demo-2026\", newPassword: \"mat-khau-moi-2026\" }) { ok } }",
            json!({}),
        )
        .await;
    assert!(changed.get("errors").is_none(), "{changed:#}");
    assert!(!ask(&app, &department).await.1, "a password changed");

    // A client whose secret is rotated.
    let (client_id, client) = service_client(&app, "th", json!(["AGENCIES_READ"])).await;
    let agencies = "{ agencies(first: 1) { totalCount } }";
    let read = |token: String| {
        let app = &app;
        async move { app.gql_as(Some(&token), agencies, json!({})).await }
    };
    assert!(read(client.clone()).await.get("errors").is_none());
    app.data(
        "mutation($id: ID!) { rotateServiceClientSecret(input: { id: $id }) { clientSecret } }",
        json!({ "id": client_id }),
    )
    .await;
    assert_eq!(
        code(&read(client).await["errors"][0]),
        "UNAUTHENTICATED",
        "a rotated secret"
    );
}

#[actix_web::test]
async fn an_agency_moved_moves_the_scope_of_its_accounts_at_once() {
    let app = spawn_app_with_demo().await;
    let commune = app.demo_token("xa.danluc").await;
    let own = "{ users(first: 10) { edges { node { username } } } }";
    let usernames = |answer: &Value| -> Vec<String> {
        answer["data"]["users"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{answer:#}"))
            .iter()
            .map(|e| e["node"]["username"].as_str().expect("name").to_owned())
            .collect()
    };
    let before = app.gql_as(Some(&commune), own, json!({})).await;
    assert_eq!(usernames(&before), ["xa.danluc"]);
    app.data(
        "mutation($input: MoveAgencyInput!) { moveAgency(input: $input) { agency { id } } }",
        json!({ "input": { "id": demo_agency("th.trieuson.danluc"), "parentId": demo_agency("th.thoxuan") } }),
    )
    .await;
    // Kept with its old place in the tree, the commune would see nothing of its own now.
    let after = app.gql_as(Some(&commune), own, json!({})).await;
    assert_eq!(usernames(&after), ["xa.danluc"]);
}

/// Waits (up to two seconds: the time for PostgreSQL to notify the process) until `token` is
/// refused by `process`.
async fn refused_by(process: &Process, token: &str) {
    let start = Instant::now();
    loop {
        let answer = process.gql(token, WHO, json!({})).await;
        if answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED" {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "still let in: {answer:#}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[actix_web::test]
async fn another_process_forgets_a_revoked_principal() {
    let app = spawn_app_with_demo().await;
    if !app.database_url.starts_with("postgres") {
        // Processes share PostgreSQL; the embedded SQLite setup is one process (above).
        return;
    }
    // One signing key for every process, as in a deployment behind a load balancer.
    let env = [("TTDN_JWT_SECRET", crate::helpers::TEST_JWT_SECRET)];
    let (first, second) = (
        Process::start_with(&app.database_url, &env),
        Process::start_with(&app.database_url, &env),
    );
    first.ready().await;
    second.ready().await;
    // Signed in on the first process, kept by the second.
    let district = first.token("huyen.thoxuan").await;
    for _ in 0..2 {
        assert!(second.gql(&district, WHO, json!({})).await["errors"].is_null());
    }
    // Signed out on the first: the second refuses it.
    first
        .gql(&district, "mutation { logout { ok } }", json!({}))
        .await;
    refused_by(&second, &district).await;

    // Disabled by an administrator elsewhere (this test's own server): both refuse it.
    let commune = first.token("xa.danluc").await;
    for process in [&first, &second] {
        assert!(process.gql(&commune, WHO, json!({})).await["errors"].is_null());
    }
    app.data(
        "mutation($id: ID!) { setUserDisabled(input: { id: $id, disabled: true }) { user { id } } }",
        json!({ "id": demo_user("xa.danluc") }),
    )
    .await;
    refused_by(&first, &commune).await;
    refused_by(&second, &commune).await;
}

/// Authenticating a token reads what a principal needs from the database, never a password's
/// or a client secret's hash: those stay on the sign-in path.
#[actix_web::test]
async fn authenticating_a_token_reads_no_secret_hash() {
    use std::sync::{Arc, Mutex};

    use ttdn_api::{
        auth::{
            actor::{Authentication, authenticate},
            service::AuthConfig,
        },
        config::{Secret, Settings},
    };

    let app = spawn_app_with_demo().await;
    let user = app.demo_token("huyen.trieuson").await;
    let (_, client) = service_client(&app, "th.trieuson", json!(["REPORTS_READ"])).await;

    let statements = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut db = sea_orm::Database::connect(app.database_url.as_str())
        .await
        .expect("connect");
    let seen = statements.clone();
    db.set_metric_callback(move |info| {
        seen.lock()
            .expect("the statements")
            .push(info.statement.sql.clone());
    });
    let settings = Settings {
        jwt_secret: Secret(crate::helpers::TEST_JWT_SECRET.into()),
        ..Settings::default()
    };
    // A configuration of its own keeps no principal yet: each token is read from the database.
    let auth = AuthConfig::new(&settings, &settings.signing_key().expect("a key"));
    for token in [&user, &client] {
        let found = authenticate(&db, &auth, Some(&format!("Bearer {token}")))
            .await
            .expect("authenticate");
        assert!(matches!(found, Authentication::Actor(_)), "{found:?}");
    }
    let sql = statements.lock().expect("the statements").clone();
    assert!(sql.len() >= 5, "read from the database: {sql:#?}");
    assert!(
        sql.iter()
            .all(|s| !s.contains("password_hash") && !s.contains("secret_hash")),
        "{sql:#?}"
    );
}
