//! What operators watch, on the real binary: the JSON log stream with its access lines, and
//! trace export to an OpenTelemetry collector (a real OTLP/HTTP receiver on loopback).

use std::{
    io::{BufRead, BufReader, Lines},
    process::{Child, ChildStderr, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::Value;

/// `ttdn serve --demo` in a process of its own, on a fresh SQLite file and a free port.
struct Server {
    child: Child,
    lines: Lines<BufReader<ChildStderr>>,
    port: u16,
    db: std::path::PathBuf,
    /// The lines read so far.
    seen: Vec<String>,
}

impl Server {
    /// Starts it with `env` and reads its log up to the "listening" banner.
    fn start(env: &[(&str, &str)]) -> Self {
        let db =
            std::env::temp_dir().join(format!("ttdn-obs-{}.db", uuid::Uuid::now_v7().simple()));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut command = Command::new(env!("CARGO_BIN_EXE_ttdn"));
        command
            .args(["serve", "--demo"])
            .current_dir(std::env::temp_dir())
            .env(
                "TTDN_DATABASE_URL",
                format!("sqlite://{}?mode=rwc", db.display()),
            )
            .env("TTDN_BIND", format!("127.0.0.1:{port}"))
            .env("TTDN_WORKERS", "1")
            .stderr(Stdio::piped())
            .stdout(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("start ttdn");
        let stderr = child.stderr.take().expect("stderr");
        let mut server = Self {
            child,
            lines: BufReader::new(stderr).lines(),
            port,
            db,
            seen: Vec::new(),
        };
        server.read_until(|line| line.contains("listening on"));
        server
    }

    /// Reads log lines until one satisfies `done` (or the stream ends).
    fn read_until(&mut self, done: impl Fn(&str) -> bool) {
        for line in self.lines.by_ref() {
            let line = line.expect("a log line");
            let stop = done(&line);
            self.seen.push(line);
            if stop {
                return;
            }
        }
        panic!("the server stopped; its log:\n{}", self.seen.join("\n"));
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.db.display()));
        }
    }
}

#[actix_web::test]
async fn the_json_log_stream_has_one_access_line_per_request_and_nothing_else() {
    let mut server = Server::start(&[("TTDN_LOG_FORMAT", "json"), ("TTDN_LOG", "info")]);
    let client = awc::Client::default();
    let _ = client
        .post(server.url("/graphql"))
        .insert_header(("content-type", "application/json"))
        .insert_header(("x-request-id", "log-test-1"))
        .send_body(r#"{"query":"query Probe { me { role } }"}"#)
        .await;
    let _ = client
        .get(server.url("/healthz"))
        .insert_header(("x-request-id", "log-test-2"))
        .send()
        .await;
    server.read_until(|line| line.contains("log-test-2") && line.contains("ttdn::access"));
    for line in &server.seen {
        let parsed: Result<Value, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "not JSON: {line}");
    }
    let access: Vec<Value> = server
        .seen
        .iter()
        .filter(|l| l.contains("ttdn::access"))
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(access.len(), 2, "{:#?}", server.seen);
    let fields = &access[0]["fields"];
    assert_eq!(fields["method"], "POST");
    assert_eq!(fields["path"], "/graphql");
    assert_eq!(fields["status"], 200);
    assert_eq!(fields["operation"], "Probe");
    assert!(fields["duration_ms"].as_f64().is_some());
    assert!(fields["sql_statements"].as_u64().is_some());
    assert_eq!(
        access[0]["span"]["request_id"], "log-test-1",
        "{:#}",
        access[0]
    );
    assert_eq!(access[1]["fields"]["path"], "/healthz");
}

/// A minimal OTLP/HTTP receiver: keeps every JSON body posted to `/v1/traces`.
async fn collector() -> (String, Arc<Mutex<Vec<Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = web::Data::new(received.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let server = HttpServer::new(move || {
        App::new().app_data(store.clone()).route(
            "/v1/traces",
            web::post().to(
                |body: web::Bytes, store: web::Data<Arc<Mutex<Vec<Value>>>>| async move {
                    match serde_json::from_slice::<Value>(&body) {
                        Ok(json) => {
                            store.lock().expect("lock").push(json);
                            HttpResponse::Ok()
                                .content_type("application/json")
                                .body("{}")
                        }
                        Err(_) => HttpResponse::BadRequest().finish(),
                    }
                },
            ),
        )
    })
    .workers(1)
    .listen(listener)
    .expect("listen")
    .run();
    actix_web::rt::spawn(server);
    (format!("http://127.0.0.1:{port}/v1/traces"), received)
}

fn spans(batches: &[Value]) -> Vec<(Value, Value)> {
    let mut out = Vec::new();
    for batch in batches {
        for resource in batch["resourceSpans"].as_array().into_iter().flatten() {
            for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                for span in scope["spans"].as_array().into_iter().flatten() {
                    out.push((resource["resource"].clone(), span.clone()));
                }
            }
        }
    }
    out
}

#[actix_web::test]
async fn request_spans_are_exported_over_otlp_as_children_of_the_callers_trace() {
    let (endpoint, received) = collector().await;
    let server = Server::start(&[
        ("TTDN_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        // Request spans are INFO; the rest quiet, so that the unread log pipe never fills.
        ("TTDN_LOG", "ttdn_api=info,warn"),
    ]);
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let parent_id = "00f067aa0ba902b7";
    let answer = awc::Client::default()
        .post(server.url("/graphql"))
        .insert_header(("content-type", "application/json"))
        .insert_header(("traceparent", format!("00-{trace_id}-{parent_id}-01")))
        .insert_header(("x-request-id", "otlp-test-1"))
        .send_body(r#"{"query":"query Traced { me { role } }"}"#)
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 200);
    let deadline = Instant::now() + Duration::from_secs(20);
    let exported = loop {
        let batches = received.lock().expect("lock").clone();
        let found = spans(&batches)
            .into_iter()
            .find(|(_, span)| span["traceId"] == trace_id && span["name"] == "POST /graphql");
        if let Some(found) = found {
            break found;
        }
        assert!(
            Instant::now() < deadline,
            "no span of trace {trace_id} exported; received {batches:#?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    };
    let (resource, span) = exported;
    assert_eq!(span["parentSpanId"], parent_id, "{span:#}");
    let attribute = |key: &str| {
        span["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["key"] == key)
            .map(|a| a["value"].clone())
    };
    assert_eq!(
        attribute("request_id").and_then(|v| v["stringValue"].as_str().map(str::to_owned)),
        Some("otlp-test-1".to_owned()),
        "{span:#}"
    );
    assert!(attribute("http.response.status_code").is_some(), "{span:#}");
    let service = resource["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["key"] == "service.name")
        .map(|a| a["value"]["stringValue"].clone());
    assert_eq!(service, Some(Value::from("ttdn")));
    drop(server);
}
