//! Operational metrics: `GET /metrics` in the Prometheus text format, and the count of SQL
//! statements each GraphQL request executes.
//!
//! The statement count works through a task-local counter: the HTTP handler runs a request
//! inside [`count_statements`], the database's metric callback ([`record_statement`]) adds one
//! per statement to the counter of the task it runs in, and the DataLoaders spawn their batch
//! loads with [`spawn_in_request`] so that those statements count for the request that caused
//! them. The count goes to the `ttdn_sql_statements_per_request` histogram and, in dev mode,
//! to the `x-sql-statements` response header (the query-count tests read it).
//!
//! Metrics are process-wide: one server runs per process.

use std::{
    collections::HashSet,
    future::Future,
    sync::{
        Arc, LazyLock, Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};
use sea_orm::{DatabaseBackend, DatabaseConnection};

tokio::task_local! {
    static STATEMENTS: Arc<AtomicU32>;
}

/// Runs `request` counting the SQL statements it executes, including those of DataLoader batches
/// it triggers. Returns its output and the count.
pub async fn count_statements<F: Future>(request: F) -> (F::Output, u32) {
    let counter = Arc::new(AtomicU32::new(0));
    let output = STATEMENTS.scope(counter.clone(), request).await;
    (output, counter.load(Ordering::Relaxed))
}

/// Spawns `task` on the runtime, counting its statements for the request that spawns it (the
/// DataLoaders' spawner).
pub fn spawn_in_request<F>(task: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match STATEMENTS.try_with(Arc::clone) {
        Ok(counter) => tokio::spawn(STATEMENTS.scope(counter, task)),
        Err(_) => tokio::spawn(task),
    }
}

/// The database's metric callback: one statement executed.
pub fn record_statement(info: &sea_orm::metric::Info<'_>) {
    let _ = STATEMENTS.try_with(|counter| counter.fetch_add(1, Ordering::Relaxed));
    let metrics = &*METRICS;
    metrics.statements.inc();
    metrics
        .statement_seconds
        .observe(info.elapsed.as_secs_f64());
    if info.failed {
        metrics.failed_statements.inc();
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

/// The process metrics every Prometheus client exports, read from `/proc` at each scrape
/// (Linux; elsewhere none): CPU time, resident memory, open and maximum file descriptors,
/// start time.
#[derive(Debug)]
struct ProcessCollector;

/// Clock ticks a second of `/proc/self/stat` (USER_HZ, 100 on every Linux architecture).
const TICKS_PER_SECOND: f64 = 100.0;

impl ProcessCollector {
    fn read() -> Option<ProcessStats> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        // Fields 14 and 15 (utime, stime) and 22 (starttime), counted from 1 with the pid and
        // the command as 1 and 2.
        let ticks = |n: usize| fields.get(n - 3)?.parse::<f64>().ok();
        let cpu_seconds = (ticks(14)? + ticks(15)?) / TICKS_PER_SECOND;
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let rss_kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<i64>().ok())?;
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as i64;
        let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
        let max_fds = limits
            .lines()
            .find(|l| l.starts_with("Max open files"))
            .and_then(|l| l.split_whitespace().nth(3)?.parse::<i64>().ok())
            .unwrap_or(0);
        let boot = std::fs::read_to_string("/proc/stat").ok()?;
        let boot_time = boot
            .lines()
            .find_map(|l| l.strip_prefix("btime "))
            .and_then(|v| v.trim().parse::<f64>().ok())?;
        Some(ProcessStats {
            cpu_seconds,
            rss_bytes: rss_kib * 1024,
            open_fds,
            max_fds,
            start_time: boot_time + ticks(22)? / TICKS_PER_SECOND,
        })
    }
}

struct ProcessStats {
    cpu_seconds: f64,
    rss_bytes: i64,
    open_fds: i64,
    max_fds: i64,
    start_time: f64,
}

impl prometheus_client::collector::Collector for ProcessCollector {
    fn encode(
        &self,
        mut encoder: prometheus_client::encoding::DescriptorEncoder,
    ) -> Result<(), std::fmt::Error> {
        use prometheus_client::{
            encoding::EncodeMetric,
            metrics::{counter::ConstCounter, gauge::ConstGauge},
        };
        let Some(stats) = Self::read() else {
            return Ok(());
        };
        let cpu = ConstCounter::new(stats.cpu_seconds);
        cpu.encode(encoder.encode_descriptor(
            "process_cpu_seconds",
            "Total user and system CPU time spent in seconds",
            None,
            cpu.metric_type(),
        )?)?;
        let gauges: [(&str, &str, f64); 4] = [
            (
                "process_resident_memory_bytes",
                "Resident memory size in bytes",
                stats.rss_bytes as f64,
            ),
            (
                "process_open_fds",
                "Number of open file descriptors",
                stats.open_fds as f64,
            ),
            (
                "process_max_fds",
                "Maximum number of open file descriptors",
                stats.max_fds as f64,
            ),
            (
                "process_start_time_seconds",
                "Start time of the process since the Unix epoch in seconds",
                stats.start_time,
            ),
        ];
        for (name, help, value) in gauges {
            let gauge = ConstGauge::new(value);
            gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)?;
        }
        Ok(())
    }
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// Distinct operation names kept as label values; later names count as `other`, so that clients
/// sending ever new names cannot grow the metrics without bound.
const MAX_OPERATIONS: usize = 200;

/// Every metric of the process.
struct Metrics {
    registry: Registry,
    requests: Family<OperationLabels, Counter>,
    request_seconds: HistogramFamily<OperationLabels>,
    statements_per_request: HistogramFamily<OperationLabels>,
    errors: Family<CodeLabels, Counter>,
    statements: Counter,
    failed_statements: Counter,
    statement_seconds: Histogram,
    pool_connections: Family<PoolLabels, Gauge>,
    pool_max: Gauge,
    operations: Mutex<HashSet<String>>,
}

fn latency_histogram() -> Histogram {
    // 1 ms … about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

fn statement_histogram() -> Histogram {
    Histogram::new([1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 34.0, 55.0, 89.0, 144.0])
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    // Names carry their prefix themselves: the process metrics are `process_*`, as every
    // Prometheus client library names them.
    let mut registry = Registry::default();
    let requests = Family::<OperationLabels, Counter>::default();
    let request_seconds =
        HistogramFamily::<OperationLabels>::new_with_constructor(latency_histogram);
    let statements_per_request =
        HistogramFamily::<OperationLabels>::new_with_constructor(statement_histogram);
    let errors = Family::<CodeLabels, Counter>::default();
    let statements = Counter::default();
    let failed_statements = Counter::default();
    let statement_seconds = Histogram::new(exponential_buckets(0.0001, 2.0, 16));
    let pool_connections = Family::<PoolLabels, Gauge>::default();
    let pool_max = Gauge::default();
    registry.register(
        "ttdn_graphql_requests",
        "GraphQL requests, by operation name (anonymous when unnamed)",
        requests.clone(),
    );
    registry.register(
        "ttdn_graphql_request_duration_seconds",
        "Time to execute a GraphQL request, by operation name",
        request_seconds.clone(),
    );
    registry.register(
        "ttdn_graphql_sql_statements_per_request",
        "SQL statements one GraphQL request executed, by operation name",
        statements_per_request.clone(),
    );
    registry.register(
        "ttdn_graphql_errors",
        "Errors in GraphQL responses, by extensions.code",
        errors.clone(),
    );
    registry.register(
        "ttdn_sql_statements",
        "SQL statements executed",
        statements.clone(),
    );
    registry.register(
        "ttdn_sql_statements_failed",
        "SQL statements that returned an error",
        failed_statements.clone(),
    );
    registry.register(
        "ttdn_sql_statement_duration_seconds",
        "Time to execute one SQL statement",
        statement_seconds.clone(),
    );
    registry.register(
        "ttdn_db_pool_connections",
        "Connections of the database pool, by state (idle or in_use)",
        pool_connections.clone(),
    );
    registry.register(
        "ttdn_db_pool_max_connections",
        "Largest size of the database pool (TTDN_DATABASE_MAX_CONNECTIONS)",
        pool_max.clone(),
    );
    let build_info = Family::<BuildLabels, Gauge>::default();
    build_info
        .get_or_create(&BuildLabels {
            version: env!("CARGO_PKG_VERSION"),
        })
        .set(1);
    registry.register(
        "ttdn_build_info",
        "The running build: its version (always 1)",
        build_info,
    );
    registry.register_collector(Box::new(ProcessCollector));
    Metrics {
        registry,
        requests,
        request_seconds,
        statements_per_request,
        errors,
        statements,
        failed_statements,
        statement_seconds,
        pool_connections,
        pool_max,
        operations: Mutex::new(HashSet::new()),
    }
});

/// The label value for an operation name: the name when it is a plain GraphQL name and one of
/// the first [`MAX_OPERATIONS`] seen, `anonymous` when unnamed, `other` otherwise.
fn operation_label(name: Option<&str>) -> String {
    let Some(name) = name else {
        return "anonymous".into();
    };
    let plain = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return "other".into();
    }
    let Ok(mut known) = METRICS.operations.lock() else {
        return "other".into();
    };
    if known.contains(name) || known.len() < MAX_OPERATIONS {
        known.insert(name.to_owned());
        name.to_owned()
    } else {
        "other".into()
    }
}

/// What one GraphQL request did, for the metrics.
pub struct RequestRecord<'a> {
    /// The operation's name, if it has one.
    pub operation: Option<&'a str>,
    /// Time to execute it.
    pub elapsed: Duration,
    /// SQL statements it executed.
    pub statements: u32,
    /// The `extensions.code` of each error of its response.
    pub error_codes: Vec<&'a str>,
}

/// Records one GraphQL request.
pub fn record_request(record: &RequestRecord<'_>) {
    let metrics = &*METRICS;
    let labels = OperationLabels {
        operation: operation_label(record.operation),
    };
    metrics.requests.get_or_create(&labels).inc();
    metrics
        .request_seconds
        .get_or_create(&labels)
        .observe(record.elapsed.as_secs_f64());
    metrics
        .statements_per_request
        .get_or_create(&labels)
        .observe(f64::from(record.statements));
    for code in &record.error_codes {
        metrics
            .errors
            .get_or_create(&CodeLabels {
                code: (*code).to_owned(),
            })
            .inc();
    }
}

/// Bearer token `/metrics` requires, when one is configured (`TTDN_METRICS_TOKEN`).
#[derive(Clone, Debug)]
pub struct MetricsToken(pub Option<String>);

/// `GET /metrics`: every metric in the Prometheus text format.
pub async fn endpoint(
    req: HttpRequest,
    db: web::Data<DatabaseConnection>,
    token: web::Data<MetricsToken>,
) -> HttpResponse {
    if let Some(expected) = &token.0 {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if given != Some(expected.as_str()) {
            return HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
                .finish();
        }
    }
    let metrics = &*METRICS;
    let (size, idle, max) = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => (0, 0, 0),
    };
    let idle = i64::try_from(idle).unwrap_or(i64::MAX);
    let in_use = i64::from(size) - idle;
    metrics
        .pool_connections
        .get_or_create(&PoolLabels { state: "idle" })
        .set(idle);
    metrics
        .pool_connections
        .get_or_create(&PoolLabels { state: "in_use" })
        .set(in_use.max(0));
    metrics.pool_max.set(i64::from(max));
    let mut body = String::new();
    if let Err(err) = encode(&mut body, &metrics.registry) {
        tracing::error!(error = %err, "cannot encode the metrics");
        return HttpResponse::InternalServerError().finish();
    }
    if wants_openmetrics(&req) {
        HttpResponse::Ok()
            .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
            .body(body)
    } else {
        HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(to_prometheus_text(&body))
    }
}

/// Whether the scraper asked for OpenMetrics (Prometheus does when it can); anything else gets
/// the classic text format 0.0.4.
fn wants_openmetrics(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/openmetrics-text"))
}

/// The same metrics in the Prometheus text format 0.0.4: counters are described under the
/// name of their sample (`…_total`), and there are no `# UNIT` or `# EOF` lines.
fn to_prometheus_text(openmetrics: &str) -> String {
    let counters: HashSet<&str> = openmetrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line.starts_with("# EOF") || line.starts_with("# UNIT ") {
            continue;
        }
        let described = ["# HELP ", "# TYPE "].iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let (name, tail) = rest.split_once(' ')?;
            counters
                .contains(name)
                .then(|| format!("{prefix}{name}_total {tail}"))
        });
        match described {
            Some(line) => out.push_str(&line),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_stay_bounded_and_plain() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("PressFeed")), "PressFeed");
        assert_eq!(operation_label(Some("drop table;")), "other");
        assert_eq!(operation_label(Some(&"x".repeat(65))), "other");
        for i in 0..MAX_OPERATIONS {
            operation_label(Some(&format!("Op{i}")));
        }
        assert_eq!(operation_label(Some("OneTooMany")), "other");
        assert_eq!(operation_label(Some("PressFeed")), "PressFeed");
    }

    #[test]
    fn the_classic_text_format_names_counters_by_their_samples() {
        let openmetrics = "# HELP ttdn_sql_statements SQL statements executed.\n\
                           # TYPE ttdn_sql_statements counter\n\
                           ttdn_sql_statements_total 3\n\
                           # HELP ttdn_db_pool_max_connections Largest size.\n\
                           # TYPE ttdn_db_pool_max_connections gauge\n\
                           ttdn_db_pool_max_connections 10\n\
                           # EOF\n";
        assert_eq!(
            to_prometheus_text(openmetrics),
            "# HELP ttdn_sql_statements_total SQL statements executed.\n\
             # TYPE ttdn_sql_statements_total counter\n\
             ttdn_sql_statements_total 3\n\
             # HELP ttdn_db_pool_max_connections Largest size.\n\
             # TYPE ttdn_db_pool_max_connections gauge\n\
             ttdn_db_pool_max_connections 10\n"
        );
    }

    #[test]
    fn process_metrics_are_read_from_proc() {
        let stats = ProcessCollector::read().expect("/proc is readable on Linux");
        assert!(stats.rss_bytes > 0 && stats.open_fds > 0 && stats.start_time > 1.0e9);
    }

    #[tokio::test]
    async fn statements_of_spawned_tasks_count_for_the_request() {
        let ((), count) = count_statements(async {
            let _ = STATEMENTS.try_with(|c| c.fetch_add(1, Ordering::Relaxed));
            let handle = spawn_in_request(async {
                let _ = STATEMENTS.try_with(|c| c.fetch_add(2, Ordering::Relaxed));
            });
            let _ = handle.await;
        })
        .await;
        assert_eq!(count, 3);
    }
}
