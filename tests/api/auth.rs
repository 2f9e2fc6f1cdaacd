//! Signing in and out, sessions, lockout, service clients and token attacks.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{
    ADMIN, ADMIN_PASSWORD, DEMO_PASSWORD, TEST_JWT_SECRET, TestApp, code, demo_user, field,
    spawn_app, spawn_app_with_demo, spawn_with,
};

const ME: &str =
    "{ me { role user { username } serviceClient { name } agency { name } capabilities } }";
const REFRESH: &str = "mutation($t: String!) { refreshToken(input: { refreshToken: $t }) { accessToken refreshToken } }";

async fn me_code(app: &TestApp, token: &str) -> Option<String> {
    let response = app.gql_as(Some(token), ME, json!({})).await;
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned)
}

fn login_error(response: &Value) -> (&str, &str) {
    let error = &response["errors"][0];
    (code(error), error["message"].as_str().unwrap_or_default())
}

#[actix_web::test]
async fn login_returns_tokens_and_me_describes_the_caller() {
    let app = spawn_app_with_demo().await;
    let token = app.demo_token("so.thanhhoa").await;
    let me = app.gql_as(Some(&token), ME, json!({})).await;
    let me = &me["data"]["me"];
    assert_eq!(me["role"], "PROVINCIAL_DEPARTMENT");
    assert_eq!(me["user"]["username"], "so.thanhhoa");
    assert_eq!(
        me["agency"]["name"],
        "Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa"
    );
    let capabilities: Vec<&str> = me["capabilities"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(capabilities.contains(&"AGENCY_WRITE") && capabilities.contains(&"USER_MANAGE"));
    assert!(!capabilities.contains(&"SERVICE_CLIENT_MANAGE"));

    let commune = app.demo_token("xa.danluc").await;
    let me = app.gql_as(Some(&commune), ME, json!({})).await;
    let capabilities = me["data"]["me"]["capabilities"]
        .as_array()
        .expect("list")
        .clone();
    assert!(!capabilities.contains(&json!("AGENCY_WRITE")));
    assert!(capabilities.contains(&json!("AGENCY_READ")));
}

#[actix_web::test]
async fn without_a_valid_token_nothing_but_sign_in_works() {
    let app = spawn_app().await;
    for query in [
        "{ agencies { totalCount } }",
        ME,
        "{ users { totalCount } }",
        "{ auditEvents { totalCount } }",
    ] {
        let response = app.gql_as(None, query, json!({})).await;
        assert_eq!(code(&response["errors"][0]), "UNAUTHENTICATED", "{query}");
    }
    let response = app
        .gql_as(None, "mutation { createAgency(input: { name: \"X\", shortName: \"X\", kind: OTHER }) { agency { id } } }", json!({}))
        .await;
    assert_eq!(code(&response["errors"][0]), "UNAUTHENTICATED");
    assert_eq!(app.agency_count().await, 0);
}

#[actix_web::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    let unknown = app.login("nobody.here", "whatever-password").await;
    let wrong = app.login(ADMIN, "not-the-password").await;
    assert_eq!(login_error(&unknown), login_error(&wrong));
    assert_eq!(login_error(&wrong).0, "UNAUTHENTICATED");
    assert!(wrong["data"].is_null());
}

#[actix_web::test]
async fn refresh_rotates_and_reusing_a_spent_token_revokes_the_session() {
    let app = spawn_app().await;
    let login = app.login(ADMIN, ADMIN_PASSWORD).await;
    let first_refresh = login["data"]["login"]["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();

    let rotated = app
        .gql_as(None, REFRESH, json!({ "t": first_refresh }))
        .await;
    let access = rotated["data"]["refreshToken"]["accessToken"]
        .as_str()
        .expect("access")
        .to_owned();
    let second_refresh = rotated["data"]["refreshToken"]["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();
    assert_ne!(first_refresh, second_refresh);
    assert_eq!(me_code(&app, &access).await, None);

    // The spent token comes back (a thief, or the owner after the thief): the family dies.
    let reused = app
        .gql_as(None, REFRESH, json!({ "t": first_refresh }))
        .await;
    assert_eq!(code(&reused["errors"][0]), "UNAUTHENTICATED");
    let after = app
        .gql_as(None, REFRESH, json!({ "t": second_refresh }))
        .await;
    assert_eq!(code(&after["errors"][0]), "UNAUTHENTICATED");
    assert_eq!(
        me_code(&app, &access).await.as_deref(),
        Some("UNAUTHENTICATED")
    );

    let garbage = app
        .gql_as(None, REFRESH, json!({ "t": "not-a-token" }))
        .await;
    assert_eq!(code(&garbage["errors"][0]), "UNAUTHENTICATED");
}

#[actix_web::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    let login = app.login(ADMIN, ADMIN_PASSWORD).await;
    let access = login["data"]["login"]["accessToken"]
        .as_str()
        .expect("access")
        .to_owned();
    let refresh = login["data"]["login"]["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let out = app
        .gql_as(Some(&access), "mutation { logout { ok } }", json!({}))
        .await;
    assert_eq!(out["data"]["logout"]["ok"], true);
    assert_eq!(
        me_code(&app, &access).await.as_deref(),
        Some("UNAUTHENTICATED")
    );
    let again = app.gql_as(None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(code(&again["errors"][0]), "UNAUTHENTICATED");
    // Other sessions of the account live on.
    assert_eq!(me_code(&app, &app.admin_token).await, None);
}

#[actix_web::test]
async fn changing_the_password_ends_every_session_of_the_account() {
    let app = spawn_app_with_demo().await;
    let first = app.demo_token("xa.danluc").await;
    let second = app.demo_token("xa.danluc").await;
    let change = "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { ok } }";

    let wrong = app
        .gql_as(Some(&first), change, json!({ "input": { "currentPassword": "wrong-password-1", "newPassword": "Mật khẩu mới 2026" } }))
        .await;
    assert_eq!(field(&wrong["errors"][0]), "input.currentPassword");
    let weak = app
        .gql_as(
            Some(&first),
            change,
            json!({ "input": { "currentPassword": DEMO_PASSWORD, "newPassword": "short" } }),
        )
        .await;
    assert_eq!(code(&weak["errors"][0]), "BAD_USER_INPUT");
    assert_eq!(field(&weak["errors"][0]), "input.newPassword");
    assert_eq!(
        me_code(&app, &first).await,
        None,
        "a refused change ends nothing"
    );

    let done = app
        .gql_as(Some(&first), change, json!({ "input": { "currentPassword": DEMO_PASSWORD, "newPassword": "Mật khẩu mới 2026" } }))
        .await;
    assert_eq!(done["data"]["changePassword"]["ok"], true, "{done:#}");
    assert_eq!(
        me_code(&app, &first).await.as_deref(),
        Some("UNAUTHENTICATED")
    );
    assert_eq!(
        me_code(&app, &second).await.as_deref(),
        Some("UNAUTHENTICATED")
    );
    assert_eq!(
        code(&app.login("xa.danluc", DEMO_PASSWORD).await["errors"][0]),
        "UNAUTHENTICATED"
    );
    assert!(app.login("xa.danluc", "Mật khẩu mới 2026").await["errors"].is_null());
}

#[actix_web::test]
async fn a_disabled_account_stops_working_at_once() {
    let app = spawn_app_with_demo().await;
    let token = app.demo_token("xa.danluc").await;
    let set = "mutation($id: ID!, $d: Boolean!) { setUserDisabled(input: { id: $id, disabled: $d }) { user { disabled } } }";
    let disabled = app
        .data(set, json!({ "id": demo_user("xa.danluc"), "d": true }))
        .await;
    assert_eq!(disabled["setUserDisabled"]["user"]["disabled"], true);
    assert_eq!(
        me_code(&app, &token).await.as_deref(),
        Some("UNAUTHENTICATED")
    );
    assert_eq!(
        code(&app.login("xa.danluc", DEMO_PASSWORD).await["errors"][0]),
        "UNAUTHENTICATED"
    );

    app.data(set, json!({ "id": demo_user("xa.danluc"), "d": false }))
        .await;
    assert!(app.login("xa.danluc", DEMO_PASSWORD).await["errors"].is_null());
}

#[actix_web::test]
async fn repeated_failures_lock_an_account_name_known_or_not() {
    let app = spawn_with(|s| s.login_max_failures = 3, false).await;
    for username in [ADMIN, "nobody.here"] {
        for _ in 0..3 {
            let failed = app.login(username, "wrong-password-123").await;
            assert_eq!(code(&failed["errors"][0]), "UNAUTHENTICATED");
        }
        let locked = app.login(username, ADMIN_PASSWORD).await;
        let error = &locked["errors"][0];
        assert_eq!(code(error), "RATE_LIMITED", "{username}: {locked:#}");
        assert!(error["extensions"]["retryAfter"].as_u64() > Some(0));
    }
}

#[actix_web::test]
async fn an_address_with_many_failures_is_throttled() {
    let app = spawn_with(|s| s.login_max_failures_per_address = 4, false).await;
    for n in 0..4 {
        app.login(&format!("someone.{n}"), "wrong-password-123")
            .await;
    }
    let throttled = app.login(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(code(&throttled["errors"][0]), "RATE_LIMITED");
}

fn forge(claims: Value, header: &Header, secret: &[u8]) -> String {
    jsonwebtoken::encode(header, &claims, &EncodingKey::from_secret(secret)).expect("encode")
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[actix_web::test]
async fn forged_expired_and_confused_tokens_are_refused() {
    let app = spawn_app().await;
    // A genuine token's claims, to alter one thing at a time.
    let genuine = app.admin_token.clone();
    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(genuine.split('.').nth(1).expect("payload"))
            .expect("base64"),
    )
    .expect("json");
    assert_eq!(me_code(&app, &genuine).await, None);

    let secret = TEST_JWT_SECRET.as_bytes();
    let hs256 = Header::new(Algorithm::HS256);
    let with = |key: &str, value: Value| {
        let mut claims = payload.clone();
        claims[key] = value;
        claims
    };
    let now = chrono::Utc::now().timestamp();
    let mut attacks = vec![
        (
            "expired",
            forge(with("exp", json!(now - 3600)), &hs256, secret),
        ),
        (
            "wrong audience",
            forge(with("aud", json!("another-api")), &hs256, secret),
        ),
        (
            "wrong issuer",
            forge(with("iss", json!("someone-else")), &hs256, secret),
        ),
        ("no jti", {
            let mut claims = payload.clone();
            claims.as_object_mut().expect("object").remove("jti");
            forge(claims, &hs256, secret)
        }),
        (
            "other secret",
            forge(
                payload.clone(),
                &hs256,
                b"another-secret-that-is-long-enough-0123456789",
            ),
        ),
        (
            "HS384",
            forge(payload.clone(), &Header::new(Algorithm::HS384), secret),
        ),
        (
            "unknown account",
            forge(
                with("sub", json!("019a0000-0000-7000-8000-000000000000")),
                &hs256,
                secret,
            ),
        ),
        ("garbage", "not.a.token".to_owned()),
    ];
    // Tampered: the role in the payload changed, the signature kept.
    let parts: Vec<&str> = genuine.split('.').collect();
    attacks.push((
        "tampered",
        format!(
            "{}.{}.{}",
            parts[0],
            b64(&with("role", json!("PRESS"))),
            parts[2]
        ),
    ));
    // alg none, no signature.
    attacks.push((
        "alg none",
        format!(
            "{}.{}.",
            b64(&json!({ "alg": "none", "typ": "JWT" })),
            parts[1]
        ),
    ));
    // RS256 in the header, HMAC with the shared secret as the signature (key confusion).
    let rs_header = b64(&json!({ "alg": "RS256", "typ": "JWT" }));
    let message = format!("{rs_header}.{}", parts[1]);
    let signature = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &EncodingKey::from_secret(secret),
        Algorithm::HS256,
    )
    .expect("sign");
    attacks.push(("HS/RS confusion", format!("{message}.{signature}")));

    for (name, token) in attacks {
        assert_eq!(
            me_code(&app, &token).await.as_deref(),
            Some("UNAUTHENTICATED"),
            "{name} accepted"
        );
    }
    let basic = app
        .request(
            "POST",
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("authorization", "Basic YWRtaW46YWRtaW4="),
            ],
            json!({ "query": ME }).to_string().into_bytes(),
        )
        .await;
    assert_eq!(code(&basic.json()["errors"][0]), "UNAUTHENTICATED");
}

#[actix_web::test]
async fn service_clients_get_tokens_limited_to_their_scopes() {
    let app = spawn_app_with_demo().await;
    let token = app.client_token().await;
    let me = app.gql_as(Some(&token), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["role"], "INTEGRATION");
    assert_eq!(me["data"]["me"]["user"], Value::Null);
    assert_eq!(
        me["data"]["me"]["serviceClient"]["name"],
        "Hệ thống quản lý văn bản và điều hành tỉnh Thanh Hóa"
    );

    let agencies = app
        .gql_as(Some(&token), "{ agencies { totalCount } }", json!({}))
        .await;
    assert!(agencies["errors"].is_null());
    // Accounts inside its province only.
    let users = app
        .gql_as(
            Some(&token),
            "{ users(first: 100) { edges { node { username } } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = users["data"]["users"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["username"].as_str())
        .collect();
    assert!(
        names.contains(&"xa.danluc")
            && !names.contains(&"phuong.thucphan")
            && !names.contains(&"admin"),
        "{names:?}"
    );
    let write = app
        .gql_as(Some(&token), "mutation { createAgency(input: { name: \"X\", shortName: \"X\", kind: OTHER }) { agency { id } } }", json!({}))
        .await;
    assert_eq!(code(&write["errors"][0]), "FORBIDDEN");
    let password = app
        .gql_as(Some(&token), "mutation { logout { ok } }", json!({}))
        .await;
    assert_eq!(code(&password["errors"][0]), "FORBIDDEN");

    let wrong = app
        .gql_as(None, "mutation($id: String!) { clientToken(input: { clientId: $id, clientSecret: \"wrong\" }) { accessToken } }",
            json!({ "id": ttdn_api::demo::demo_id(ttdn_api::demo::DEMO_CLIENT).to_string() }))
        .await;
    assert_eq!(code(&wrong["errors"][0]), "UNAUTHENTICATED");
}

#[actix_web::test]
async fn rotating_or_disabling_a_client_stops_its_tokens() {
    let app = spawn_app_with_demo().await;
    let register = "mutation($a: ID!) { registerServiceClient(input: { name: \"Cổng dịch vụ công\", agencyId: $a, scopes: [AGENCIES_READ] }) { serviceClient { id scopes } clientSecret } }";
    let registered = app
        .data(register, json!({ "a": crate::helpers::demo_agency("cb") }))
        .await;
    let id = registered["registerServiceClient"]["serviceClient"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let secret = registered["registerServiceClient"]["clientSecret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let exchange = "mutation($id: String!, $s: String!) { clientToken(input: { clientId: $id, clientSecret: $s }) { accessToken scopes } }";
    let first = app
        .gql_as(None, exchange, json!({ "id": id, "s": secret }))
        .await;
    assert_eq!(
        first["data"]["clientToken"]["scopes"],
        json!(["AGENCIES_READ"])
    );
    let token = first["data"]["clientToken"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(me_code(&app, &token).await, None);

    let rotated = app
        .data("mutation($id: ID!) { rotateServiceClientSecret(input: { id: $id }) { clientSecret serviceClient { secretVersion } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        rotated["rotateServiceClientSecret"]["serviceClient"]["secretVersion"],
        2
    );
    let new_secret = rotated["rotateServiceClientSecret"]["clientSecret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert_eq!(
        me_code(&app, &token).await.as_deref(),
        Some("UNAUTHENTICATED")
    );
    assert_eq!(
        code(
            &app.gql_as(None, exchange, json!({ "id": id, "s": secret }))
                .await["errors"][0]
        ),
        "UNAUTHENTICATED"
    );
    let second = app
        .gql_as(None, exchange, json!({ "id": id, "s": new_secret }))
        .await;
    let token = second["data"]["clientToken"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();

    app.data("mutation($id: ID!) { setServiceClientDisabled(input: { id: $id, disabled: true }) { serviceClient { disabled } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        me_code(&app, &token).await.as_deref(),
        Some("UNAUTHENTICATED")
    );
    assert_eq!(
        code(
            &app.gql_as(None, exchange, json!({ "id": id, "s": new_secret }))
                .await["errors"][0]
        ),
        "UNAUTHENTICATED"
    );
}
