//! `spawn_app()`: the real server on port 0 over a fresh database, and a client for it.

use std::path::PathBuf;

use actix_web::http::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use ttdn_api::{
    account::service as accounts,
    config::{Mode, Secret, Settings},
    db, demo,
    startup::Application,
};
use uuid::Uuid;

/// The JWT secret of every test server, so that tests can forge tokens.
pub const TEST_JWT_SECRET: &str = "test-secret-that-is-long-enough-for-hs256-0123456789";
/// The test administrator, created in every test database.
pub const ADMIN: &str = "admin.test";
/// Its password.
pub const ADMIN_PASSWORD: &str = "test-admin-password-2026";
/// Password of every demo account.
pub const DEMO_PASSWORD: &str = demo::DEMO_PASSWORD;

/// Removes the test's database when the test ends.
enum DbGuard {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        match self {
            DbGuard::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            DbGuard::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime: do the async cleanup on a thread of its own.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(runtime) = runtime {
                        runtime.block_on(async {
                            if let Ok(admin) = db::connect(&admin_url, 1).await {
                                let _ = admin
                                    .execute_unprepared(&format!(
                                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                                    ))
                                    .await;
                            }
                        });
                    }
                })
                .join();
            }
        }
    }
}

/// The sign-in of the test harness (a trusted document of the tests' own "application").
pub const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id username } } }";

/// A running server on a fresh database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// A direct connection to the test's database, for arranging and checking.
    pub db: DatabaseConnection,
    /// Access token of the test administrator, used by `gql` and `data`.
    pub admin_token: String,
    /// The database's URL (for a second process on the same database).
    pub database_url: String,
    /// The directory uploaded files go to (when no S3 bucket is set).
    pub blob_dir: PathBuf,
    client: awc::Client,
    _guard: DbGuard,
    _blobs: DirGuard,
}

/// A temporary directory, removed with everything in it when dropped.
pub struct DirGuard(pub PathBuf);

impl DirGuard {
    /// A new empty directory under the system's temporary directory.
    pub fn new(what: &str) -> Self {
        let path = std::env::temp_dir().join(format!("ttdn-{what}-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        Self(path)
    }
}

impl Drop for DirGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The files under `dir`, at any depth.
pub fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// A fresh database: (url, guard).
async fn fresh_database() -> (String, DbGuard) {
    match std::env::var("TTDN_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("ttdn_test_{}", Uuid::now_v7().simple());
            let admin = db::connect(&admin_url, 1).await.unwrap_or_else(|e| {
                panic!("TTDN_TEST_DATABASE_URL={admin_url} is unreachable: {e}")
            });
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create the test database");
            let (base, _) = admin_url
                .rsplit_once('/')
                .expect("a database URL ends with /DBNAME");
            (
                format!("{base}/{name}"),
                DbGuard::Postgres { admin_url, name },
            )
        }
        _ => {
            let path =
                std::env::temp_dir().join(format!("ttdn-test-{}.db", Uuid::now_v7().simple()));
            (
                format!("sqlite://{}?mode=rwc", path.display()),
                DbGuard::Sqlite(path),
            )
        }
    }
}

/// Starts the server on an empty, migrated database.
pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}, false).await
}

/// Starts the server on a database holding the demo data.
pub async fn spawn_app_with_demo() -> TestApp {
    spawn_with(|_| {}, true).await
}

/// Starts the server with adjusted settings.
pub async fn spawn_with(adjust: impl FnOnce(&mut Settings), with_demo: bool) -> TestApp {
    let (url, guard) = fresh_database().await;
    let blobs = DirGuard::new("blobs");
    let mut settings = Settings {
        blob_dir: blobs.0.display().to_string(),
        database_url: url,
        database_max_connections: 4,
        bind: "127.0.0.1:0".into(),
        workers: 1,
        log: "error".into(),
        mode: Mode::Dev,
        jwt_secret: Secret(TEST_JWT_SECRET.into()),
        // Tests give reminders themselves, at the instants they choose
        // (`reminder::service::run_once`); none at the real time behind their backs.
        reminder_interval_secs: 0,
        ..Settings::default()
    };
    adjust(&mut settings);
    let database = db::connect_with(
        &settings.database_url,
        settings.database_max_connections,
        std::time::Duration::from_secs(settings.database_acquire_timeout_secs),
    )
    .await
    .expect("connect to the test database");
    db::migrate(&database).await.expect("migrate");
    if with_demo {
        demo::seed(&database).await.expect("seed the demo data");
    }
    accounts::create_admin(&database, ADMIN, "Test administrator", ADMIN_PASSWORD)
        .await
        .expect("create the test administrator")
        .expect("a new administrator");
    let app = Application::build(&settings, database.clone()).expect("build the app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let mut app = TestApp {
        address,
        database_url: settings.database_url.clone(),
        db: database,
        admin_token: String::new(),
        blob_dir: blobs.0.clone(),
        client: awc::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .finish(),
        _guard: guard,
        _blobs: blobs,
    };
    app.admin_token = app.token(ADMIN, ADMIN_PASSWORD).await;
    app
}

/// A raw HTTP answer.
pub struct Raw {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

impl TestApp {
    /// Runs a GraphQL operation by POST as the test administrator and returns the whole
    /// response body.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_with(query, variables, &[]).await.json()
    }

    /// Runs a GraphQL operation by POST with `token` (`None`: no `Authorization` header).
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(bearer) = &bearer {
            headers.push(("authorization", bearer.as_str()));
        }
        self.request("POST", "/graphql", &headers, body.into_bytes())
            .await
            .json()
    }

    /// Runs a GraphQL operation by POST with extra headers, as the test administrator unless
    /// the headers carry an `authorization` of their own.
    pub async fn gql_with(&self, query: &str, variables: Value, headers: &[(&str, &str)]) -> Raw {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let bearer = self.bearer();
        let mut headers = headers.to_vec();
        headers.push(("content-type", "application/json"));
        if !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        {
            headers.push(("authorization", bearer.as_str()));
        }
        self.request("POST", "/graphql", &headers, body.into_bytes())
            .await
    }

    /// Runs a GraphQL operation as `token`, which must succeed: the statements it ran (the
    /// dev-mode `x-sql-statements` header) and its `data`.
    pub async fn gql_counted(&self, token: &str, query: &str, variables: Value) -> (u32, Value) {
        let bearer = format!("Bearer {token}");
        let raw = self
            .gql_with(query, variables, &[("authorization", bearer.as_str())])
            .await;
        let body = raw.json();
        assert!(body.get("errors").is_none(), "{query} failed: {body:#}");
        let statements = raw
            .header("x-sql-statements")
            .expect("dev mode reports x-sql-statements")
            .parse()
            .expect("a number");
        (statements, body["data"].clone())
    }

    /// Waits (up to ten seconds) until `token`'s principal stays kept: a change empties the
    /// principals at once and again when its notification comes back (from this process's bus,
    /// and on PostgreSQL through `LISTEN`), so a count of statements taken right after a change
    /// may include signing the token in again. Settled when `{ __typename }` has run no
    /// statement three times in a row, 50 ms apart.
    pub async fn principals_settled(&self, token: &str) {
        let start = std::time::Instant::now();
        let mut quiet = 0;
        while quiet < 3 {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(10),
                "the principals kept being emptied"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let (statements, _) = self.gql_counted(token, "{ __typename }", json!({})).await;
            quiet = if statements == 0 { quiet + 1 } else { 0 };
        }
    }

    /// `Bearer <admin token>`.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.admin_token)
    }

    /// Signs in and returns the whole `login` response.
    pub async fn login(&self, username: &str, password: &str) -> Value {
        self.gql_as(
            None,
            LOGIN,
            json!({ "input": { "username": username, "password": password } }),
        )
        .await
    }

    /// Signs in and returns the access token.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let response = self.login(username, password).await;
        response["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("login of {username} failed: {response:#}"))
            .to_owned()
    }

    /// Access token of a demo account.
    pub async fn demo_token(&self, username: &str) -> String {
        self.token(username, DEMO_PASSWORD).await
    }

    /// Access token of the demo service client.
    pub async fn client_token(&self) -> String {
        let credentials = json!({
            "clientId": demo::demo_id(demo::DEMO_CLIENT).to_string(),
            "clientSecret": demo::DEMO_CLIENT_SECRET,
        });
        let response = self
            .gql_as(
                None,
                "mutation($input: ClientTokenInput!) { clientToken(input: $input) { accessToken } }",
                json!({ "input": credentials }),
            )
            .await;
        response["data"]["clientToken"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("client token failed: {response:#}"))
            .to_owned()
    }

    /// `GET path` with a bearer token (a download).
    pub async fn get_as(&self, token: &str, path: &str) -> Raw {
        self.request(
            "GET",
            path,
            &[("authorization", &format!("Bearer {token}"))],
            Vec::new(),
        )
        .await
    }

    /// Any request.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Raw {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .client
            .request(method, format!("{}{}", self.address, path));
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        let mut response = request.send_body(body).await.expect("send the request");
        let body = response
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .expect("read the body");
        Raw {
            status: response.status(),
            headers: response.headers().clone(),
            body: body.to_vec(),
        }
    }

    /// Runs an operation that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.gql(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"].clone()
    }

    /// Runs an operation that must fail and returns its first error.
    pub async fn error(&self, query: &str, variables: Value) -> Value {
        let response = self.gql(query, variables).await;
        response["errors"][0].clone()
    }

    /// Creates an agency and returns its id.
    pub async fn create_agency(&self, input: Value) -> String {
        let data = self
            .data(
                "mutation($input: CreateAgencyInput!) { createAgency(input: $input) { agency { id } } }",
                json!({ "input": input }),
            )
            .await;
        data["createAgency"]["agency"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Names of the first 100 agencies matching `filter` (an `AgencyFilterInput`), in order.
    pub async fn agency_names(&self, filter: Value) -> Vec<String> {
        let data = self
            .data(
                "query($f: AgencyFilterInput) { agencies(first: 100, filter: $f) { edges { node { name } } } }",
                json!({ "f": filter }),
            )
            .await;
        data["agencies"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["name"].as_str().expect("name").to_owned())
            .collect()
    }

    /// Number of agencies in the database.
    pub async fn agency_count(&self) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM agency",
            ))
            .await
            .expect("count")
            .expect("a row");
        row.try_get("", "n").expect("n")
    }
}

/// The `extensions.code` of an error.
pub fn code(error: &Value) -> &str {
    error["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code in {error:#}"))
}

/// The `extensions.field` of an error.
pub fn field(error: &Value) -> &str {
    error["extensions"]["field"]
        .as_str()
        .unwrap_or_else(|| panic!("no field in {error:#}"))
}

/// The id of a demo agency.
pub fn demo_agency(key: &str) -> String {
    demo::demo_id(key).to_string()
}

/// The id of a demo account by username.
pub fn demo_user(username: &str) -> String {
    let key = demo::DEMO_ACCOUNTS
        .iter()
        .find(|a| a.1 == username)
        .map(|a| a.0)
        .unwrap_or_else(|| panic!("no demo account {username}"));
    demo::demo_id(key).to_string()
}

/// Id of the current version of the shipped report template `code`.
pub async fn template_id(app: &TestApp, code: &str) -> String {
    let data = app
        .data("{ reportTemplates { id code version } }", json!({}))
        .await;
    data["reportTemplates"]
        .as_array()
        .expect("templates")
        .iter()
        .find(|t| t["code"] == code)
        .and_then(|t| t["id"].as_str())
        .expect("template")
        .to_owned()
}

/// A `ReportInput` for the TTĐN templates: every section and metric, `news` articles.
pub fn report_input(id: &str, news: i64) -> Value {
    json!({ "input": {
        "id": id,
        "sections": {
            "situation": "Tình hình chung ổn định.", "results": format!("Đăng {news} tin, bài."),
            "shortcomings": "Nhân lực còn thiếu.", "proposals": "Tăng cường tập huấn.", "next_plan": "Tiếp tục quảng bá."
        },
        "metrics": {
            "news_articles": news, "press_briefings": 1, "press_conferences": 0, "trainings": 1,
            "training_participants": 30, "false_information_handled": 0, "broadcast_hours": 2.5
        },
        "signerName": "Lê Văn Bình", "signerTitle": "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    } })
}

/// `{ input: IssueObligationInput }`: the Thanh Hóa department asks every district for the annual
/// report of `year` with `template`, due `due`, by the công văn `document` (number, date) if
/// given.
pub fn district_request(
    template: &str,
    title: &str,
    year: i32,
    document: Option<(&str, &str)>,
    due: &str,
) -> Value {
    let mut input = json!({
        "issuerAgencyId": demo_agency("th.svhttdl"), "title": title,
        "periodKind": "ANNUAL", "periodYear": year, "dueDate": due,
        "templateId": template, "recipients": { "kinds": ["DISTRICT"] }
    });
    if let Some((number, date)) = document {
        input["document"] = json!({ "number": number, "date": date });
    }
    json!({ "input": input })
}

/// The date `offset` days from today (Vietnam time), as `YYYY-MM-DD`.
pub fn day(offset: i64) -> String {
    (ttdn_api::time::today() + chrono::Duration::days(offset)).to_string()
}

/// The id of the report of `agency` (by name) among an obligation's `reports`.
pub fn report_of(obligation: &Value, agency: &str) -> String {
    obligation["reports"]
        .as_array()
        .expect("reports")
        .iter()
        .find(|r| r["recipient"]["name"] == agency)
        .and_then(|r| r["id"].as_str())
        .unwrap_or_else(|| panic!("no report of {agency}: {obligation:#}"))
        .to_owned()
}

/// The id of `agency`'s (by name) report on demo obligation `key`.
pub async fn demo_report(app: &TestApp, key: &str, agency: &str) -> String {
    let data = app
        .data(
            "query($id: ID!) { obligation(id: $id) { reports { id recipient { name } } } }",
            json!({ "id": demo::demo_id(key).to_string() }),
        )
        .await;
    report_of(&data["obligation"], agency)
}

/// The Thanh Hóa department (`so.thanhhoa`) asks every district for the 2025 annual report,
/// due `due`, by the công văn `document` if given; the obligation with its `id` and `reports`.
pub async fn department_asks_districts(
    app: &TestApp,
    document: Option<(&str, &str)>,
    due: &str,
) -> Value {
    let department = app.demo_token("so.thanhhoa").await;
    let template = template_id(app, "TTDN_ANNUAL").await;
    let issued = app
        .gql_as(
            Some(&department),
            "mutation($input: IssueObligationInput!) { issueObligation(input: $input) { obligation { id periodStart periodEnd dueDate reports { id recipient { name } } } } }",
            district_request(&template, "Báo cáo công tác TTĐN năm 2025", 2025, document, due),
        )
        .await;
    let obligation = issued["data"]["issueObligation"]["obligation"].clone();
    assert!(obligation["id"].is_string(), "{issued:#}");
    obligation
}

/// `SELECT COUNT(*) AS n …` on the test's database.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    use sea_orm::Statement;
    app.db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .expect("count")
        .and_then(|row| row.try_get::<i64>("", "n").ok())
        .expect("a count")
}

/// Registers (as the test administrator) a service client for the demo agency `agency` with
/// `scopes` (GraphQL names); its id and an access token.
pub async fn service_client(app: &TestApp, agency: &str, scopes: Value) -> (String, String) {
    let registered = app
        .data(
            "mutation($a: ID!, $s: [ClientScope!]!) { registerServiceClient(input: { name: \"Hệ thống tích hợp\", agencyId: $a, scopes: $s }) { serviceClient { id } clientSecret } }",
            json!({ "a": demo_agency(agency), "s": scopes }),
        )
        .await;
    let client = &registered["registerServiceClient"];
    let id = client["serviceClient"]["id"]
        .as_str()
        .expect("client id")
        .to_owned();
    let token = app
        .gql_as(
            None,
            "mutation($i: ClientTokenInput!) { clientToken(input: $i) { accessToken } }",
            json!({ "i": { "clientId": id, "clientSecret": client["clientSecret"] } }),
        )
        .await;
    let token = token["data"]["clientToken"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{token:#}"))
        .to_owned();
    (id, token)
}

/// Waits (up to ten seconds) until the dispatcher has taken every pending event, so that an
/// absent notice means something.
pub async fn settle(app: &TestApp) {
    let start = std::time::Instant::now();
    while count(
        app,
        "SELECT COUNT(*) AS n FROM domain_event WHERE position IS NULL",
    )
    .await
        > 0
    {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "events left pending"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// `ttdn serve` in a process of its own on `database_url`.
pub struct Process {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub address: String,
}

impl Process {
    /// Starts it on `database_url`.
    pub fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[])
    }

    /// Starts it on `database_url` with more `TTDN_*` variables.
    pub fn start_with(database_url: &str, env: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_ttdn"))
            .arg("serve")
            .current_dir(std::env::temp_dir())
            .env("TTDN_DATABASE_URL", database_url)
            .env("TTDN_BIND", format!("127.0.0.1:{port}"))
            .env("TTDN_WORKERS", "1")
            .env("TTDN_MODE", "dev")
            .env("TTDN_LOG", "error")
            .env("TTDN_DATABASE_MAX_CONNECTIONS", "4")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .envs(env.iter().copied())
            .spawn()
            .expect("start ttdn");
        Self {
            child,
            address: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Waits until it answers `/readyz`.
    pub async fn ready(&self) {
        let start = std::time::Instant::now();
        loop {
            let ok = awc::Client::default()
                .get(format!("{}/readyz", self.address))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(30),
                "ttdn did not start"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Access token of a demo account.
    pub async fn token(&self, username: &str) -> String {
        let answer: Value = awc::Client::default()
            .post(format!("{}/graphql", self.address))
            .send_json(&json!({
                "query": "mutation($u: String!, $p: String!) { login(input: { username: $u, password: $p }) { accessToken } }",
                "variables": { "u": username, "p": ttdn_api::demo::DEMO_PASSWORD }
            }))
            .await
            .expect("login")
            .json()
            .await
            .expect("JSON");
        answer["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("{answer:#}"))
            .to_owned()
    }

    /// Runs an operation as `token`.
    pub async fn gql(&self, token: &str, query: &str, variables: Value) -> Value {
        awc::Client::default()
            .post(format!("{}/graphql", self.address))
            .insert_header(("authorization", format!("Bearer {token}")))
            .send_json(&json!({ "query": query, "variables": variables }))
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The access key of the test S3 server.
pub const S3_KEY: &str = "ttdn-test";
/// Its secret.
pub const S3_SECRET: &str = "ttdn-test-secret-access-key";

/// A real S3-compatible server on loopback, started in the test from a crate (`s3s-fs`, the
/// S3 protocol over a temporary directory), with one bucket and one access key.
pub struct S3Server {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The bucket ttdn is given.
    pub bucket: String,
    root: DirGuard,
    task: tokio::task::JoinHandle<()>,
}

impl S3Server {
    /// Starts the server.
    pub async fn start() -> Self {
        let root = DirGuard::new("s3");
        let bucket = "ttdn-files".to_owned();
        std::fs::create_dir_all(root.0.join(&bucket)).expect("create the bucket");
        let fs = s3s_fs::FileSystem::new(&root.0).expect("an s3s-fs root");
        let mut builder = s3s::service::S3ServiceBuilder::new(fs);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(S3_KEY, S3_SECRET));
        let service = builder.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let endpoint = format!("http://{}", listener.local_addr().expect("its address"));
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let service = service.clone();
                tokio::spawn(async move {
                    let builder = hyper_util::server::conn::auto::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    );
                    let _ = builder
                        .serve_connection(hyper_util::rt::TokioIo::new(socket), service)
                        .await;
                });
            }
        });
        Self {
            endpoint,
            bucket,
            root,
            task,
        }
    }

    /// Points ttdn's settings at this server.
    pub fn apply(&self, settings: &mut Settings) {
        settings.blob_s3_bucket = self.bucket.clone();
        settings.blob_s3_endpoint = self.endpoint.clone();
        settings.blob_s3_access_key_id = S3_KEY.to_owned();
        settings.blob_s3_secret_access_key = Secret(S3_SECRET.to_owned());
    }

    /// The objects the bucket holds, as files of the server's directory.
    pub fn objects(&self) -> Vec<PathBuf> {
        files_under(&self.root.0.join(&self.bucket))
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Takes out of each item of `whole` (a connection asking for `edges { node }` and `nodes`,
/// each with one field more than `listed`) what `extra` removes, after checking that `whole`
/// has as many items as `listed`: the two can then be compared whole.
pub fn without_extra(whole: &mut Value, listed: &Value, extra: impl Fn(&mut Value)) {
    let items = connection_items(whole);
    assert_eq!(
        items.len(),
        2 * listed["nodes"].as_array().map_or(0, Vec::len)
    );
    for item in items {
        extra(item);
    }
}

/// The items of a connection as returned (`edges[].node` and `nodes[]`), to edit in place.
pub fn connection_items(connection: &mut Value) -> Vec<&mut Value> {
    let Value::Object(connection) = connection else {
        panic!("no connection: {connection:#}");
    };
    let mut items: Vec<&mut Value> = Vec::new();
    for (key, value) in connection.iter_mut() {
        match (key.as_str(), value) {
            ("edges", Value::Array(edges)) => {
                items.extend(edges.iter_mut().map(|edge| &mut edge["node"]));
            }
            ("nodes", Value::Array(nodes)) => items.extend(nodes.iter_mut()),
            _ => {}
        }
    }
    items
}
