//! Load benchmark: starts the server in this process against a chosen database holding
//! synthetic data (generated first when the database is empty) and drives a realistic mix of
//! operations at fixed concurrency over loopback, then a flood of failed sign-ins beside the
//! same mix. Prints, per operation, requests per second, p50, p99 and errors, the process's
//! memory at start and end, and writes the same as JSON.
//!
//! ```text
//! cargo bench --bench load -- [--database-url URL] [--scale province|national]
//!     [--concurrency 16] [--seconds 30] [--json target/bench/load.json] [--only OPERATION]
//! ```
//!
//! `--only` runs that one operation for the given time and skips the sign-in flood; besides
//! the mix's operations it can run `received_reports` (the department reading the reports it
//! receives, with each one's obligation and recipient: statements under visibility rules) and
//! `received_reports_later_page` (the same list's page after a cursor 100 to 1,000 reports
//! deep, as a client paging through it reads it).
//!
//! `--baseline` measures instead, for the agency page (50 agencies of the province with their
//! spokespersons' name, title, phone and e-mail) and a commune's `reportsDue(first: 20)`, the
//! server's rate against the same result built by the database alone (one SQL statement that
//! returns the page as JSON, which the benchmark then parses as it parses ttdn's responses)
//! over the same pool at the same concurrency, and an authenticated
//! `{ __typename }` against an anonymous one at one connection; it prints the ratios, and
//! beside each the ceiling a server adding only the round trip of a signed-in
//! `{ __typename }` (measured at the same concurrency) could reach.
//! `--no-auth-cache` authenticates every request from the database, as before issue 15.
//!
//! The default database is a fresh SQLite file under the system temp directory. See
//! `docs/performance.md` for the figures and how they were taken.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

/// The allocator `ttdn` itself runs with (src/main.rs), so that the benchmark measures it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::{
    cell::RefCell,
    collections::BTreeMap,
    rc::Rc,
    time::{Duration, Instant},
};

mod common;

use common::percentile;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};
use ttdn_api::{
    config::{Mode, Secret, Settings},
    db,
    startup::Application,
    synthetic::{self, Scale},
};

struct Options {
    database_url: String,
    scale: Scale,
    concurrency: usize,
    seconds: u64,
    json: String,
    /// Run one operation of the mix instead of all of them.
    only: Option<usize>,
    /// Measure against the database alone instead of running the mix.
    baseline: bool,
    /// Authenticate every request from the database (`TTDN_AUTH_CACHE_SECS=0`), to measure
    /// what the principals kept by each process save.
    no_auth_cache: bool,
}

fn options() -> Options {
    let mut options = Options {
        database_url: format!(
            "sqlite://{}?mode=rwc",
            std::env::temp_dir().join("ttdn-bench.db").display()
        ),
        scale: Scale::Province,
        concurrency: 16,
        seconds: 30,
        json: "target/bench/load.json".into(),
        only: None,
        baseline: false,
        no_auth_cache: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--database-url" => options.database_url = value,
            "--scale" => {
                options.scale = match value.as_str() {
                    "national" => Scale::National,
                    _ => Scale::Province,
                }
            }
            "--concurrency" => options.concurrency = value.parse().expect("--concurrency N"),
            "--seconds" => options.seconds = value.parse().expect("--seconds N"),
            "--json" => options.json = value,
            "--only" => {
                options.only = Some(
                    OPERATIONS
                        .iter()
                        .position(|o| *o == value)
                        .unwrap_or_else(|| panic!("--only one of {OPERATIONS:?}")),
                )
            }
            "--baseline" => {
                options.baseline = true;
                i += 1;
                continue;
            }
            "--no-auth-cache" => {
                options.no_auth_cache = true;
                i += 1;
                continue;
            }
            // `cargo bench` passes `--bench`; anything else is ignored.
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    options
}

/// Resident memory of this process, in MiB.
fn rss_mib() -> f64 {
    common::rss_kib("self") / 1024.0
}

#[derive(Clone)]
struct Client {
    http: awc::Client,
    url: String,
}

impl Client {
    /// Runs one operation; `Ok` when the response has no errors.
    async fn gql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Result<Value, String> {
        let mut request = self.http.post(&self.url);
        if let Some(token) = token {
            request = request.insert_header(("authorization", format!("Bearer {token}")));
        }
        let mut response = request
            .send_json(&json!({ "query": query, "variables": variables }))
            .await
            .map_err(|e| e.to_string())?;
        let mut body: Value = response
            .json()
            .limit(16 * 1024 * 1024)
            .await
            .map_err(|e| e.to_string())?;
        match body.get("errors") {
            Some(errors) => Err(errors.to_string()),
            // Taken, not copied: the load generator shares the machine with the server.
            None => Ok(body.get_mut("data").map(Value::take).unwrap_or(Value::Null)),
        }
    }

    async fn login(&self, username: &str, password: &str) -> Result<String, String> {
        let data = self
            .gql(
                None,
                "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                json!({ "i": { "username": username, "password": password } }),
            )
            .await?;
        Ok(data["login"]["accessToken"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }
}

/// What the mix works with: tokens and ids gathered before the run.
struct Fixture {
    department: String,
    press: String,
    communes: Vec<String>,
    province: String,
    obligations: Vec<String>,
    /// Reports still owed: (commune token index, id, version).
    owed: RefCell<Vec<(usize, String, i64)>>,
    /// Reports submitted during the run: the department returns one when none is owed, so the
    /// mix never runs out of reports to submit.
    submitted: RefCell<Vec<(usize, String)>>,
    users: Vec<String>,
    /// Cursors into the department's received reports, 100 to 1,000 reports deep: where a
    /// later page starts.
    deep_cursors: Vec<String>,
}

/// A report to submit: an owed one, or else a submitted one that the department returns first
/// (untimed: the preparation is not the operation measured).
async fn report_to_submit(client: &Client, fixture: &Fixture) -> Option<(usize, String, i64)> {
    if let Some(owed) = fixture.owed.borrow_mut().pop() {
        return Some(owed);
    }
    let (who, id) = fixture.submitted.borrow_mut().pop()?;
    let returned = client
        .gql(
            Some(&fixture.department),
            "mutation($input: ReviewReportInput!) { returnReport(input: $input) { report { version } } }",
            json!({ "input": { "id": id, "comment": "Đề nghị bổ sung số liệu" } }),
        )
        .await
        .ok()?;
    let version = returned["returnReport"]["report"]["version"].as_i64()?;
    Some((who, id, version))
}

const OPERATIONS: [&str; 13] = [
    "press_feed_search",
    "spokesperson_lookup",
    "agency_subtree_with_spokespeople",
    "obligation_compliance_rollup",
    "reports_due",
    "report_submission",
    "login",
    "agency_page",
    "reports_due_page",
    "typename_signed_in",
    "typename_anonymous",
    "received_reports",
    "received_reports_later_page",
];

/// Relative frequency of each operation in the mix (reads dominate, as in real use); the last
/// six are measured by `--baseline` or `--only` only.
const WEIGHTS: [u32; 13] = [30, 20, 10, 10, 20, 5, 5, 0, 0, 0, 0, 0, 0];

/// The agency page of `--baseline`.
const AGENCY_PAGE: &str = "query($p: ID) { agencies(first: 50, filter: { within: $p }) { edges { node { name currentSpokespeople { fullName title phone email } } } } }";

/// A commune's reports due, as `--baseline` measures them.
const REPORTS_DUE_PAGE: &str = "{ reportsDue(first: 20) { edges { node { id dueDate obligation { title issuer { name } } } } } }";

async fn run_operation(
    client: &Client,
    fixture: &Fixture,
    operation: usize,
    n: usize,
    report: Option<(usize, String, i64)>,
) -> Result<(), String> {
    let topic = ["du lich", "dau tu", "bien gioi", "y te", "chuyen doi so"][n % 5];
    let family = ["nguyen", "tran", "le van", "pham thi", "hoang"][n % 5];
    match operation {
        0 => client
            .gql(
                Some(&fixture.press),
                "query($q: String) { informationReleases(first: 20, filter: { search: $q }) { edges { node { title publishedAt issuingAgency { name } spokesperson { fullName phone } } } } }",
                json!({ "q": topic }),
            )
            .await
            .map(drop),
        1 => client
            .gql(
                Some(&fixture.press),
                "query($q: String) { spokespeople(first: 10, filter: { search: $q }) { edges { node { fullName title phone agency { name } } } } }",
                json!({ "q": family }),
            )
            .await
            .map(drop),
        2 => client
            .gql(
                Some(&fixture.department),
                "query($p: ID) { agencies(first: 50, filter: { within: $p }) { totalCount edges { node { name kind currentSpokespeople { fullName phone } } } } }",
                json!({ "p": fixture.province }),
            )
            .await
            .map(drop),
        3 => client
            .gql(
                Some(&fixture.department),
                "query($id: ID!) { obligation(id: $id) { title compliance { total counts { state count } overdueAgencies { name } } rollUp { totals { key total } } } }",
                json!({ "id": fixture.obligations[n % fixture.obligations.len()] }),
            )
            .await
            .map(drop),
        4 => client
            .gql(
                Some(&fixture.communes[n % fixture.communes.len()]),
                "{ reportsDue(first: 20) { totalCount edges { node { id dueDate state obligation { title issuer { name } } } } } }",
                json!({}),
            )
            .await
            .map(drop),
        5 => {
            let Some((who, id, version)) = report else {
                // A database whose owed reports earlier runs submitted: nothing to do; wait a
                // little rather than spin.
                actix_web::rt::time::sleep(Duration::from_millis(100)).await;
                return Err("no report left to submit (run on a freshly generated database)".into());
            };
            let submitted = client
                .gql(
                    Some(&fixture.communes[who]),
                    "mutation($input: ReportInput!) { submitReport(input: $input) { report { status } } }",
                    json!({ "input": {
                        "id": id, "expectedVersion": version,
                        "sections": { "situation": "Ổn định.", "results": "Đăng 10 tin.", "shortcomings": "Không.",
                            "proposals": "Không.", "next_plan": "Tiếp tục." },
                        "metrics": { "news_articles": 10, "press_briefings": 1, "press_conferences": 0, "trainings": 0,
                            "training_participants": 0, "false_information_handled": 0, "broadcast_hours": 1.5 },
                        "signerName": "Nguyễn Văn An", "signerTitle": "CHỦ TỊCH"
                    } }),
                )
                .await;
            if submitted.is_ok() {
                fixture.submitted.borrow_mut().push((who, id));
            }
            submitted.map(drop)
        }
        6 => client
            .login(&fixture.users[n % fixture.users.len()], synthetic::PASSWORD)
            .await
            .map(drop),
        7 => client
            .gql(
                Some(&fixture.department),
                AGENCY_PAGE,
                json!({ "p": fixture.province }),
            )
            .await
            .map(drop),
        8 => client
            .gql(
                Some(&fixture.communes[n % fixture.communes.len()]),
                REPORTS_DUE_PAGE,
                json!({}),
            )
            .await
            .map(drop),
        9 => client
            .gql(Some(&fixture.department), "{ __typename }", json!({}))
            .await
            .map(drop),
        10 => client.gql(None, "{ __typename }", json!({})).await.map(drop),
        // A later page of the same list: the page after a cursor 100 to 1,000 reports deep.
        12 => client
            .gql(
                Some(&fixture.department),
                "query($after: String) { reports(first: 20, after: $after) { edges { node { id status obligation { title } recipient { name } } } } }",
                json!({ "after": fixture.deep_cursors.get(n % fixture.deep_cursors.len().max(1)) }),
            )
            .await
            .map(drop),
        // The department reading the reports it receives, each with its obligation and
        // recipient: the obligations are read through their visibility rule.
        _ => client
            .gql(
                Some(&fixture.department),
                "{ reports(first: 20) { edges { node { id status obligation { title } recipient { name } } } } }",
                json!({}),
            )
            .await
            .map(drop),
    }
}

/// The agency page built by the database alone: one statement returning its JSON (without
/// its path range for the tree of the only root, see `baseline`).
fn agency_page_sql(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => {
            "SELECT COALESCE(json_agg(json_build_object('name', a.name, 'currentSpokespeople', (\
                 SELECT COALESCE(json_agg(json_build_object('fullName', s.full_name, 'title', s.title, \
                     'phone', s.phone, 'email', s.email) ORDER BY s.search_name, s.id), '[]'::json) \
                 FROM spokesperson s WHERE s.agency_id = a.id AND s.term_from <= CURRENT_DATE \
                     AND (s.term_to IS NULL OR s.term_to >= CURRENT_DATE))) \
                 ORDER BY a.search_name, a.id), '[]'::json)::text AS page \
             FROM (SELECT id, name, search_name FROM agency WHERE path >= $1 AND path < $2 \
                 ORDER BY search_name, id LIMIT 50) a"
        }
        _ => {
            "SELECT COALESCE(json_group_array(json_object('name', a.name, 'currentSpokespeople', json((\
                 SELECT COALESCE(json_group_array(json_object('fullName', s.full_name, 'title', s.title, \
                     'phone', s.phone, 'email', s.email)), '[]') \
                 FROM spokesperson s WHERE s.agency_id = a.id AND s.term_from <= date('now') \
                     AND (s.term_to IS NULL OR s.term_to >= date('now')))))), '[]') AS page \
             FROM (SELECT id, name FROM agency WHERE path >= $1 AND path < $2 \
                 ORDER BY search_name, id LIMIT 50) a"
        }
    }
}

/// A commune's reports due built by the database alone. On PostgreSQL each report's
/// obligation and issuer are looked up by key through a lateral subquery fenced by `OFFSET 0`,
/// as ttdn does (`db::look_up`): joined plainly, PostgreSQL read the province's obligations
/// (twice) into hashes at every page, 0.28–0.30 ms where the lookups take 0.08–0.12 ms.
fn reports_due_sql(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => {
            "SELECT COALESCE(json_agg(json_build_object('id', p.id, 'dueDate', p.due_date, \
                 'obligation', json_build_object('title', p.title, 'issuer', json_build_object('name', p.name))) \
                 ORDER BY p.due_date, p.id), '[]'::json)::text AS page \
             FROM (SELECT r.id, r.due_date, o.title, a.name FROM report r \
                 CROSS JOIN LATERAL (SELECT title FROM reporting_obligation WHERE id = r.obligation_id OFFSET 0) o \
                 CROSS JOIN LATERAL (SELECT name FROM agency WHERE id = r.issuer_agency_id OFFSET 0) a \
                 WHERE r.recipient_agency_id = $1 AND r.status IN ('NOT_STARTED', 'DRAFT', 'RETURNED') \
                 AND EXISTS (SELECT 1 FROM reporting_obligation x WHERE x.id = r.obligation_id AND x.status = 'ISSUED') \
                 ORDER BY r.due_date, r.id LIMIT 20) p"
        }
        _ => {
            "SELECT COALESCE(json_group_array(json_object('id', lower(hex(r.id)), 'dueDate', r.due_date, \
                 'obligation', json_object('title', o.title, 'issuer', json_object('name', a.name)))), '[]') AS page \
             FROM (SELECT r.id, r.due_date, r.obligation_id FROM report r \
                 WHERE r.recipient_agency_id = $1 AND r.status IN ('NOT_STARTED', 'DRAFT', 'RETURNED') \
                 AND EXISTS (SELECT 1 FROM reporting_obligation x WHERE x.id = r.obligation_id AND x.status = 'ISSUED') \
                 ORDER BY r.due_date, r.id LIMIT 20) r \
             JOIN reporting_obligation o ON o.id = r.obligation_id JOIN agency a ON a.id = o.issuer_agency_id"
        }
    }
}

/// Runs `statement(n)` on `database` from `concurrency` tasks for `seconds`: (requests per
/// second, p50 ms, errors).
async fn drive_sql(
    database: &DatabaseConnection,
    statement: Rc<dyn Fn(usize) -> Statement>,
    concurrency: usize,
    seconds: u64,
) -> (f64, f64, usize) {
    let latencies = Rc::new(RefCell::new(Vec::new()));
    let errors = Rc::new(RefCell::new(0usize));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (database, statement) = (database.clone(), statement.clone());
        let (latencies, errors) = (latencies.clone(), errors.clone());
        tasks.push(actix_web::rt::spawn(async move {
            let mut n = worker;
            while Instant::now() < deadline {
                let began = Instant::now();
                let page = database
                    .query_one_raw(statement(n))
                    .await
                    .ok()
                    .flatten()
                    .and_then(|row| row.try_get::<String>("", "page").ok())
                    // The client reads the page as a client of ttdn reads its response.
                    .and_then(|page| serde_json::from_str::<Value>(&page).ok());
                latencies.borrow_mut().push(began.elapsed());
                if page.is_none() {
                    *errors.borrow_mut() += 1;
                }
                n += concurrency;
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let mut latencies = latencies.borrow().clone();
    latencies.sort();
    let rate = latencies.len() as f64 / started.elapsed().as_secs_f64();
    let errors = *errors.borrow();
    (rate, percentile(&latencies, 0.5), errors)
}

/// `--baseline`: each page through ttdn and by the database alone, and authentication's
/// share of the smallest request.
async fn baseline(
    client: &Client,
    fixture: Rc<Fixture>,
    database: &DatabaseConnection,
    options: &Options,
) -> anyhow::Result<Value> {
    let backend = database.get_database_backend();
    let (concurrency, seconds) = (options.concurrency, options.seconds);
    let province = database
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                DbBackend::Postgres => {
                    "SELECT path, (SELECT COUNT(*) FROM agency WHERE parent_id IS NULL) AS roots \
                     FROM agency WHERE id = $1"
                }
                _ => {
                    "SELECT path, (SELECT COUNT(*) FROM agency WHERE parent_id IS NULL) AS roots \
                     FROM agency WHERE id = ?"
                }
            },
            [uuid::Uuid::parse_str(&fixture.province)?.into()],
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("the province's path"))?;
    let province_path: String = province.try_get("", "path")?;
    // The tree of the only root is every agency: the SQL alone leaves the path out then, as
    // ttdn does (a hand-written statement for that page would not test it either).
    let whole_tree = province.try_get::<i64>("", "roots")? == 1;
    let mut path_end = province_path.clone();
    let last = path_end.pop().map_or(0, u32::from);
    path_end.push(char::from_u32(last + 1).unwrap_or(char::MAX));
    let mut communes = Vec::new();
    for token in &fixture.communes {
        let me = client
            .gql(Some(token), "{ me { agency { id } } }", json!({}))
            .await
            .map_err(anyhow::Error::msg)?;
        communes.push(uuid::Uuid::parse_str(
            me["me"]["agency"]["id"].as_str().unwrap_or_default(),
        )?);
    }
    let sqlite = |sql: &str| match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => sql.replace("$1", "?").replace("$2", "?"),
    };
    let agency_sql = if whole_tree {
        agency_page_sql(backend).replace("WHERE path >= $1 AND path < $2 ", "")
    } else {
        sqlite(agency_page_sql(backend))
    };
    let reports_sql = sqlite(reports_due_sql(backend));
    let agency_statement: Rc<dyn Fn(usize) -> Statement> = Rc::new(move |_| {
        let range: Vec<sea_orm::Value> = if whole_tree {
            Vec::new()
        } else {
            vec![province_path.clone().into(), path_end.clone().into()]
        };
        Statement::from_sql_and_values(backend, agency_sql.clone(), range)
    });
    let reports_statement: Rc<dyn Fn(usize) -> Statement> = Rc::new(move |n| {
        Statement::from_sql_and_values(
            backend,
            reports_sql.clone(),
            [communes[n % communes.len()].into()],
        )
    });
    // The floor: the smallest signed-in request (`{ __typename }`) at the same concurrency. No
    // server that answers over HTTP and GraphQL can serve a page faster than the database's
    // own work for it (the SQL-alone rate) plus this round trip, so ttdn's ratio to SQL alone
    // cannot exceed floor / (SQL alone + floor): the ceiling printed beside each ratio.
    let floor = {
        let (mut samples, elapsed) =
            drive(client, fixture.clone(), concurrency, seconds, Some(9), 0).await;
        samples.latencies.entry(9).or_default().len() as f64 / elapsed
    };
    println!(
        "{:<22} {:>11} {:>9} {:>11} {:>9} {:>7} {:>8}",
        "page", "ttdn req/s", "ttdn p50", "SQL req/s", "SQL p50", "ratio", "ceiling"
    );
    let mut rows = Vec::new();
    for (operation, statement) in [(7, agency_statement), (8, reports_statement)] {
        let (mut samples, elapsed) = drive(
            client,
            fixture.clone(),
            concurrency,
            seconds,
            Some(operation),
            0,
        )
        .await;
        let latencies = samples.latencies.entry(operation).or_default();
        latencies.sort();
        let ttdn_rate = latencies.len() as f64 / elapsed;
        let ttdn_p50 = percentile(latencies, 0.5);
        let ttdn_errors = samples.errors.get(&operation).copied().unwrap_or(0);
        let (sql_rate, sql_p50, sql_errors) =
            drive_sql(database, statement, concurrency, seconds).await;
        let ratio = ttdn_rate / sql_rate.max(f64::MIN_POSITIVE);
        let ceiling = ratio_ceiling(sql_rate, floor);
        println!(
            "{:<22} {:>11.1} {:>9.2} {:>11.1} {:>9.2} {:>6.2}× {:>7.2}×",
            OPERATIONS[operation], ttdn_rate, ttdn_p50, sql_rate, sql_p50, ratio, ceiling
        );
        if ttdn_errors + sql_errors > 0 {
            println!("    errors: ttdn {ttdn_errors}, SQL {sql_errors}");
        }
        rows.push(json!({
            "page": OPERATIONS[operation], "ttdnRequestsPerSecond": ttdn_rate, "ttdnP50Ms": ttdn_p50,
            "sqlRequestsPerSecond": sql_rate, "sqlP50Ms": sql_p50, "ratio": ratio,
            "ratioCeiling": ceiling,
            "errors": { "ttdn": ttdn_errors, "sql": sql_errors }
        }));
    }
    // Authentication's share: `{ __typename }` signed in against anonymous, one connection.
    let mut p50 = Vec::new();
    for operation in [9, 10] {
        let (mut samples, _) = drive(client, fixture.clone(), 1, seconds, Some(operation), 0).await;
        let latencies = samples.latencies.entry(operation).or_default();
        latencies.sort();
        p50.push(percentile(latencies, 0.5));
    }
    let auth_ratio = p50[0] / p50[1].max(f64::MIN_POSITIVE);
    println!(
        "{{ __typename }} signed in at {concurrency} connections (the floor of the ceilings): {floor:.1} req/s"
    );
    println!(
        "{{ __typename }} at one connection: signed in p50 {:.3} ms, anonymous {:.3} ms: {auth_ratio:.2}×",
        p50[0], p50[1]
    );
    Ok(json!({
        "pages": rows,
        "floorRequestsPerSecond": floor,
        "typename": { "signedInP50Ms": p50[0], "anonymousP50Ms": p50[1], "ratio": auth_ratio }
    }))
}

/// The highest ratio to SQL alone a server can reach for a page the database serves alone at
/// `sql` requests per second, when its smallest request runs at `floor`: each page costs at
/// least the database's work plus that round trip (1/sql + 1/floor seconds of the machine), so
/// its rate is at most 1 / (1/sql + 1/floor), that is a ratio of floor / (sql + floor).
fn ratio_ceiling(sql: f64, floor: f64) -> f64 {
    floor / (sql + floor).max(f64::MIN_POSITIVE)
}

#[derive(Default)]
struct Samples {
    latencies: BTreeMap<usize, Vec<Duration>>,
    errors: BTreeMap<usize, usize>,
    first_error: BTreeMap<usize, String>,
}

/// Drives the mix (`only`: one operation, for the flood comparison) for `seconds` at
/// `concurrency`, optionally beside a flood of failed sign-ins.
async fn drive(
    client: &Client,
    fixture: Rc<Fixture>,
    concurrency: usize,
    seconds: u64,
    only: Option<usize>,
    flood: usize,
) -> (Samples, f64) {
    let samples = Rc::new(RefCell::new(Samples::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let total: u32 = WEIGHTS.iter().sum();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (client, fixture, samples) = (client.clone(), fixture.clone(), samples.clone());
        tasks.push(actix_web::rt::spawn(async move {
            let mut rng = fastrand::Rng::with_seed(worker as u64);
            let mut n = worker;
            while Instant::now() < deadline {
                let operation = only.unwrap_or_else(|| {
                    let mut roll = rng.u32(..total);
                    WEIGHTS
                        .iter()
                        .position(|w| {
                            if roll < *w {
                                true
                            } else {
                                roll -= w;
                                false
                            }
                        })
                        .unwrap_or(0)
                });
                let report = if operation == 5 {
                    report_to_submit(&client, &fixture).await
                } else {
                    None
                };
                let began = Instant::now();
                let outcome = run_operation(&client, &fixture, operation, n, report).await;
                let elapsed = began.elapsed();
                let mut samples = samples.borrow_mut();
                samples
                    .latencies
                    .entry(operation)
                    .or_default()
                    .push(elapsed);
                if let Err(err) = outcome {
                    *samples.errors.entry(operation).or_default() += 1;
                    samples.first_error.entry(operation).or_insert(err);
                }
                n += concurrency;
            }
        }));
    }
    for attacker in 0..flood {
        let client = client.clone();
        tasks.push(actix_web::rt::spawn(async move {
            let mut n = 0;
            while Instant::now() < deadline {
                let _ = client
                    .login(&format!("attacker{attacker}.{n}"), "wrong-password-123")
                    .await;
                n += 1;
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let samples = Rc::try_unwrap(samples)
        .ok()
        .map(RefCell::into_inner)
        .unwrap_or_default();
    (samples, elapsed)
}

fn report(samples: &mut Samples, elapsed: f64) -> Vec<Value> {
    println!(
        "{:<34} {:>8} {:>9} {:>9} {:>9} {:>7}",
        "operation", "requests", "req/s", "p50 ms", "p99 ms", "errors"
    );
    let mut rows = Vec::new();
    for (operation, latencies) in samples.latencies.iter_mut() {
        latencies.sort();
        let errors = samples.errors.get(operation).copied().unwrap_or(0);
        let (p50, p99) = (percentile(latencies, 0.50), percentile(latencies, 0.99));
        let rate = latencies.len() as f64 / elapsed;
        println!(
            "{:<34} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>7}",
            OPERATIONS[*operation],
            latencies.len(),
            rate,
            p50,
            p99,
            errors
        );
        if let Some(err) = samples.first_error.get(operation) {
            println!(
                "    first error: {}",
                err.chars().take(200).collect::<String>()
            );
        }
        rows.push(json!({
            "operation": OPERATIONS[*operation], "requests": latencies.len(), "requestsPerSecond": rate,
            "p50Ms": p50, "p99Ms": p99, "errors": errors
        }));
    }
    rows
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let options = options();
    let shape = options.scale.shape();
    let rss_start = rss_mib();
    let database = db::connect(&options.database_url, 16).await?;
    let pool = database.clone();
    db::migrate(&database).await?;
    let generate_started = Instant::now();
    let generated =
        synthetic::generate(&database, options.scale, 2026, &|line| eprintln!("{line}")).await;
    match generated {
        Ok(summary) => eprintln!(
            "generated {} rows in {:.1?}",
            summary.total(),
            generate_started.elapsed()
        ),
        Err(_) => eprintln!("the database holds data already: using it as it is"),
    }
    let settings = Settings {
        database_url: options.database_url.clone(),
        database_max_connections: 16,
        bind: "127.0.0.1:0".into(),
        log: "error".into(),
        mode: Mode::Production,
        jwt_secret: Secret(format!("bench-secret-{}", uuid::Uuid::new_v4().simple())),
        // The flood must reach the password hasher: no per-address throttling here.
        login_max_failures_per_address: i32::MAX,
        // A few accounts drive the whole load: per-account cost budgets would measure the
        // throttle, not the server.
        budget_admin: 0,
        budget_provincial_department: 0,
        budget_district: 0,
        budget_commune: 0,
        budget_press: 0,
        budget_integration: 0,
        auth_cache_secs: if options.no_auth_cache { 0 } else { 30 },
        ..Settings::default()
    };
    let _telemetry = ttdn_api::telemetry::init(&settings).map_err(anyhow::Error::msg)?;
    let app = Application::build(&settings, database)?;
    let url = format!("http://127.0.0.1:{}/graphql", app.port());
    let server = app.run_until_stopped();
    actix_web::rt::spawn(server);
    let client = Client {
        http: awc::Client::builder()
            .timeout(Duration::from_secs(60))
            .finish(),
        url,
    };

    // The fixture: tokens of a department, a press agency and communes across the provinces,
    // the department's obligations, reports the communes still owe, accounts to sign in as.
    let department = client
        .login(&synthetic::department_user(0), synthetic::PASSWORD)
        .await
        .map_err(anyhow::Error::msg)?;
    let press = client
        .login(&synthetic::press_user(0, &shape, 0), synthetic::PASSWORD)
        .await
        .map_err(anyhow::Error::msg)?;
    let mut communes = Vec::new();
    let mut users = Vec::new();
    // Communes of the first province, whose department can return their reports.
    for k in 0..48 {
        let user = synthetic::commune_user(0, (k * 2) % shape.communes);
        communes.push(
            client
                .login(&user, synthetic::PASSWORD)
                .await
                .map_err(anyhow::Error::msg)?,
        );
        users.push(user);
    }
    let me = client
        .gql(
            Some(&department),
            "{ me { agency { parent { id } } } }",
            json!({}),
        )
        .await
        .map_err(anyhow::Error::msg)?;
    let province = me["me"]["agency"]["parent"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let listed = client
        .gql(
            Some(&department),
            "{ obligations(first: 40) { edges { node { id } } } }",
            json!({}),
        )
        .await
        .map_err(anyhow::Error::msg)?;
    let obligations: Vec<String> = listed["obligations"]["edges"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["node"]["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut owed = Vec::new();
    for (who, token) in communes.iter().enumerate() {
        let due = client
            .gql(
                Some(token),
                "{ reportsDue(first: 100) { edges { node { id version } } } }",
                json!({}),
            )
            .await
            .map_err(anyhow::Error::msg)?;
        for edge in due["reportsDue"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            owed.push((
                who,
                edge["node"]["id"].as_str().unwrap_or_default().to_owned(),
                edge["node"]["version"].as_i64().unwrap_or(1),
            ));
        }
    }
    // Walk the department's received reports a hundred at a time, keeping where each page ends.
    let mut deep_cursors = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..10 {
        let page = client
            .gql(
                Some(&department),
                "query($after: String) { reports(first: 100, after: $after) { pageInfo { endCursor hasNextPage } } }",
                json!({ "after": after }),
            )
            .await
            .map_err(anyhow::Error::msg)?;
        let info = &page["reports"]["pageInfo"];
        let Some(end) = info["endCursor"].as_str() else {
            break;
        };
        deep_cursors.push(end.to_owned());
        after = Some(end.to_owned());
        if info["hasNextPage"] != true {
            break;
        }
    }
    eprintln!(
        "fixture: {} obligations, {} owed reports, {} commune accounts",
        obligations.len(),
        owed.len(),
        communes.len()
    );
    let fixture = Rc::new(Fixture {
        department,
        press,
        communes,
        province,
        obligations,
        owed: RefCell::new(owed),
        submitted: RefCell::default(),
        users,
        deep_cursors,
    });

    let backend = if options.database_url.starts_with("sqlite") {
        "sqlite"
    } else {
        "postgres"
    };
    let scale = match options.scale {
        Scale::Province => "province",
        Scale::National => "national",
    };
    println!(
        "ttdn load benchmark: {backend}, {scale} scale, concurrency {}, {} s",
        options.concurrency, options.seconds
    );
    if options.baseline {
        let output = baseline(&client, fixture.clone(), &pool, &options).await?;
        let output = json!({
            "backend": backend, "scale": scale, "concurrency": options.concurrency,
            "seconds": options.seconds, "baseline": output,
        });
        return write_json(&options.json, &output);
    }
    let rss_before_mix = rss_mib();
    // RSS sampled through the mix: it should level off, not climb.
    let rss_samples = Rc::new(RefCell::new(Vec::new()));
    let sampler = {
        let samples = rss_samples.clone();
        let step = Duration::from_millis(options.seconds * 1000 / 10);
        actix_web::rt::spawn(async move {
            for _ in 0..10 {
                actix_web::rt::time::sleep(step).await;
                samples.borrow_mut().push((rss_mib() * 10.0).round() / 10.0);
            }
        })
    };
    let (mut mix, elapsed) = drive(
        &client,
        fixture.clone(),
        options.concurrency,
        options.seconds,
        options.only,
        0,
    )
    .await;
    let _ = sampler.await;
    let rss_samples = rss_samples.borrow().clone();
    let mix_rows = report(&mut mix, elapsed);
    let rss_after_mix = rss_mib();
    if options.only.is_some() {
        // One operation on its own: its figures are the whole result.
        let output = json!({
            "backend": backend, "scale": scale, "concurrency": options.concurrency, "seconds": options.seconds,
            "mix": mix_rows,
        });
        return write_json(&options.json, &output);
    }

    // Failed sign-ins beside a read: the read's p99 alone, then with the flood.
    let quiet_seconds = (options.seconds / 3).max(5);
    let (mut quiet, quiet_elapsed) = drive(
        &client,
        fixture.clone(),
        options.concurrency / 2,
        quiet_seconds,
        Some(0),
        0,
    )
    .await;
    println!(
        "\npress feed alone, then beside a flood of failed sign-ins ({} attackers):",
        options.concurrency / 2
    );
    let quiet_rows = report(&mut quiet, quiet_elapsed);
    let (mut flooded, flooded_elapsed) = drive(
        &client,
        fixture.clone(),
        options.concurrency / 2,
        quiet_seconds,
        Some(0),
        options.concurrency / 2,
    )
    .await;
    let flood_rows = report(&mut flooded, flooded_elapsed);
    let p99 = |rows: &[Value]| {
        rows.first()
            .and_then(|r| r["p99Ms"].as_f64())
            .unwrap_or(0.0)
    };
    let ratio = if p99(&quiet_rows) > 0.0 {
        p99(&flood_rows) / p99(&quiet_rows)
    } else {
        0.0
    };
    let rss_end = rss_mib();
    println!("\np99 of the press feed beside the flood: {ratio:.2}× its p99 alone");
    println!(
        "memory (RSS, server and load generator in one process): start {rss_start:.0} MiB, before the mix {rss_before_mix:.0} MiB, after the mix {rss_after_mix:.0} MiB, end {rss_end:.0} MiB"
    );
    println!("RSS through the mix, every tenth of it (MiB): {rss_samples:?}");
    let output = json!({
        "backend": backend, "scale": scale, "concurrency": options.concurrency, "seconds": options.seconds,
        "mix": mix_rows, "pressFeedAlone": quiet_rows, "pressFeedBesideLoginFlood": flood_rows,
        "loginFloodP99Ratio": ratio,
        "rssMiB": { "start": rss_start, "beforeMix": rss_before_mix, "duringMix": rss_samples, "afterMix": rss_after_mix, "end": rss_end }
    });
    write_json(&options.json, &output)
}

fn write_json(path: &str, output: &Value) -> anyhow::Result<()> {
    if let Some(dir) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, serde_json::to_string_pretty(output)?)?;
    println!("written to {path}");
    Ok(())
}
