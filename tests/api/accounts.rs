//! Account management: who creates whom, roles that fit agencies, the password policy.

use serde_json::{Value, json};

use crate::helpers::{code, demo_agency, demo_user, field, spawn_app_with_demo};

const CREATE: &str = "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id username role agency { name } } } }";

fn account(username: &str, role: &str, agency: Option<&str>) -> Value {
    json!({
        "username": username,
        "displayName": "Cán bộ văn hóa – thông tin",
        "role": role,
        "agencyId": agency.map(demo_agency),
        "password": "Một mật khẩu đủ dài 2026",
    })
}

#[actix_web::test]
async fn a_district_creates_accounts_for_its_communes_only() {
    let app = spawn_app_with_demo().await;
    let district = app.demo_token("huyen.trieuson").await;
    let created = app
        .gql_as(
            Some(&district),
            CREATE,
            json!({ "input": account("xa.danly", "COMMUNE", Some("th.trieuson.danly")) }),
        )
        .await;
    assert_eq!(
        created["data"]["createUser"]["user"]["role"], "COMMUNE",
        "{created:#}"
    );
    assert_eq!(
        created["data"]["createUser"]["user"]["agency"]["name"],
        "UBND xã Dân Lý"
    );

    // A commune of the neighbouring district, an administrator, a department account: refused.
    for (input, expected) in [
        (
            account("xa.xuanhoa", "COMMUNE", Some("th.thoxuan.xuanhoa")),
            "FORBIDDEN",
        ),
        (account("admin.two", "ADMIN", None), "FORBIDDEN"),
    ] {
        let refused = app
            .gql_as(Some(&district), CREATE, json!({ "input": input }))
            .await;
        assert_eq!(code(&refused["errors"][0]), expected, "{refused:#}");
    }
    // The neighbour's accounts are invisible, so changing them is NOT_FOUND.
    let neighbour = app
        .gql_as(
            Some(&district),
            "mutation($id: ID!) { setUserDisabled(input: { id: $id, disabled: true }) { user { id } } }",
            json!({ "id": demo_user("xa.xuanlam") }),
        )
        .await;
    assert_eq!(code(&neighbour["errors"][0]), "NOT_FOUND");
    let count = app
        .gql_as(
            Some(&district),
            "{ users(first: 100) { totalCount edges { node { username } } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = count["data"]["users"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["username"].as_str())
        .collect();
    assert!(
        names.contains(&"xa.danluc") && names.contains(&"huyen.trieuson"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"xa.xuanlam")
            && !names.contains(&"huyen.thoxuan")
            && !names.contains(&"admin"),
        "{names:?}"
    );
}

#[actix_web::test]
async fn the_department_never_manages_administrators_or_other_provinces() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let admin = app
        .gql_as(Some(&department), "mutation($id: ID!) { resetUserPassword(input: { id: $id, newPassword: \"Một mật khẩu đủ dài 2026\" }) { user { id } } }", json!({ "id": demo_user("admin") }))
        .await;
    assert_eq!(
        code(&admin["errors"][0]),
        "NOT_FOUND",
        "administrators are outside every province"
    );
    let other = app
        .gql_as(
            Some(&department),
            CREATE,
            json!({ "input": account("xa.moi", "COMMUNE", Some("cb.hungdao")) }),
        )
        .await;
    assert_eq!(code(&other["errors"][0]), "FORBIDDEN");
    let own = app
        .gql_as(
            Some(&department),
            CREATE,
            json!({ "input": account("phuong.truongson", "COMMUNE", Some("th.samson.truongson")) }),
        )
        .await;
    assert!(own["errors"].is_null(), "{own:#}");
}

#[actix_web::test]
async fn a_role_must_fit_its_agency() {
    let app = spawn_app_with_demo().await;
    let cases = [
        (
            account("a.commune", "COMMUNE", Some("th.trieuson")),
            "input.role",
        ),
        (
            account("a.press", "PRESS", Some("th.trieuson.danluc")),
            "input.role",
        ),
        (
            account("a.department", "PROVINCIAL_DEPARTMENT", Some("th.sngv")),
            "input.role",
        ),
        (
            account("a.old", "PROVINCIAL_DEPARTMENT", Some("th.stttt")),
            "input.agencyId",
        ),
        (account("a.district", "DISTRICT", None), "input.role"),
        (
            account("a.machine", "INTEGRATION", Some("th")),
            "input.role",
        ),
        (
            account("x", "COMMUNE", Some("th.trieuson.danluc")),
            "input.username",
        ),
    ];
    for (input, expected_field) in cases {
        let refused = app.error(CREATE, json!({ "input": input })).await;
        assert_eq!(code(&refused), "BAD_USER_INPUT", "{input}: {refused:#}");
        assert_eq!(field(&refused), expected_field, "{input}: {refused:#}");
    }
    let taken = app
        .error(
            CREATE,
            json!({ "input": account("xa.danluc", "COMMUNE", Some("th.trieuson.danluc")) }),
        )
        .await;
    assert_eq!(code(&taken), "CONFLICT");
    assert_eq!(field(&taken), "input.username");
}

#[actix_web::test]
async fn passwords_follow_the_policy() {
    let app = spawn_app_with_demo().await;
    for password in [
        "short",
        "password1234",
        "xa.danly.2026!",
        "aaaaaaaaaaaaaaaa",
    ] {
        let mut input = account("xa.danly", "COMMUNE", Some("th.trieuson.danly"));
        input["password"] = json!(password);
        let refused = app.error(CREATE, json!({ "input": input })).await;
        assert_eq!(code(&refused), "BAD_USER_INPUT", "{password}");
        assert_eq!(field(&refused), "input.password", "{password}");
    }
}

#[actix_web::test]
async fn nobody_disables_their_own_account() {
    let app = spawn_app_with_demo().await;
    let admin = app.demo_token("admin").await;
    let refused = app
        .gql_as(Some(&admin), "mutation($id: ID!) { setUserDisabled(input: { id: $id, disabled: true }) { user { id } } }", json!({ "id": demo_user("admin") }))
        .await;
    assert_eq!(code(&refused["errors"][0]), "BAD_USER_INPUT");
}
