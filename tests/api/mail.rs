//! Notices by e-mail through a real SMTP server on loopback (mailin-embedded, started by the
//! test): the commune that asked for its công văn notices by mail gets one, in Vietnamese, with
//! the link to the record, after the server refused the first attempt; nobody else gets mail.

use std::{
    net::TcpListener,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use base64::Engine as _;
use mailin_embedded::{Handler, Response, Server, response};
use serde_json::json;

use crate::helpers::{code, day, demo_agency, department_asks_districts, field, spawn_with};

/// One message the SMTP server accepted.
#[derive(Clone, Debug)]
struct Received {
    to: Vec<String>,
    data: String,
}

/// The server's side: refuses the first `refuse` messages with 451 (at DATA), keeps the others.
#[derive(Clone)]
struct Inbox {
    received: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<AtomicUsize>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Inbox {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        let refused = self
            .refuse
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if refused {
            return response::INTERNAL_ERROR;
        }
        self.to = to.to_vec();
        self.data.clear();
        response::START_DATA
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.received.lock().expect("inbox").push(Received {
            to: self.to.clone(),
            data: String::from_utf8_lossy(&self.data).into_owned(),
        });
        response::OK
    }
}

/// Starts the SMTP server on a free loopback port; its port and inbox.
fn smtp_server(refuse: usize) -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("address").port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let inbox = Inbox {
        received: received.clone(),
        refuse: Arc::new(AtomicUsize::new(refuse)),
        to: Vec::new(),
        data: Vec::new(),
    };
    std::thread::spawn(move || {
        let mut server = Server::new(inbox);
        server.with_name("mail.test").with_tcp_listener(listener);
        let _ = server.serve();
    });
    (port, received)
}

/// The decoded text of RFC 2047 encoded words (`=?utf-8?b?…?=`) and plain words around them
/// (the space between two encoded words is not part of the text).
fn decode_words(header: &str) -> String {
    let mut out = String::new();
    let mut last_encoded = false;
    for word in header.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        let encoded = lower.starts_with("=?utf-8?b?") && lower.ends_with("?=");
        let joined = encoded && last_encoded;
        if !out.is_empty() && !joined {
            out.push(' ');
        }
        if encoded {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&word[10..word.len() - 2])
                .expect("base64 word");
            out.push_str(&String::from_utf8(bytes).expect("UTF-8 word"));
        } else {
            out.push_str(word);
        }
        last_encoded = encoded;
    }
    out
}

/// Subject and body of a received message.
fn read(message: &Received) -> (String, String) {
    let (head, body) = message
        .data
        .split_once("\r\n\r\n")
        .expect("headers and body");
    // Unfold continued header lines, then find the subject.
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let subject = unfolded
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .map(decode_words)
        .expect("a subject");
    let text: String = body.split_whitespace().collect();
    let body = base64::engine::general_purpose::STANDARD
        .decode(text.trim_end_matches('.'))
        .map(|b| String::from_utf8(b).expect("UTF-8 body"))
        .expect("a base64 body");
    (subject, body)
}

/// The outbox's rows: (status, attempts, last error).
async fn outbox(app: &crate::helpers::TestApp) -> Vec<(String, i32, Option<String>)> {
    use sea_orm::{ConnectionTrait, Statement};
    app.db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT status, attempts, last_error FROM mail_message",
        ))
        .await
        .expect("query")
        .iter()
        .map(|r| {
            (
                r.try_get::<String>("", "status").expect("status"),
                r.try_get::<i32>("", "attempts").expect("attempts"),
                r.try_get::<Option<String>>("", "last_error")
                    .expect("error"),
            )
        })
        .collect()
}

const SET: &str = "mutation($input: SetMailSubscriptionInput!) { setMailSubscription(input: $input) { mailSubscription { address kinds } } }";

#[actix_web::test]
async fn a_commune_gets_its_cong_van_by_mail_after_a_refused_first_attempt() {
    let (port, inbox) = smtp_server(1);
    let app = spawn_with(
        |s| {
            s.smtp_url = format!("smtp://127.0.0.1:{port}");
            s.mail_retry_secs = 1;
            s.mail_from = "TTĐN Thanh Hóa <ttdn@thanhhoa.gov.vn>".into();
            s.mail_record_url = "https://ttdn.thanhhoa.gov.vn/records/{type}/{id}".into();
        },
        true,
    )
    .await;
    let commune = app.demo_token("xa.danluc").await;
    let district = app.demo_token("huyen.trieuson").await;

    // Bad subscriptions are refused with their field.
    for (input, expected) in [
        (
            json!({ "address": "not an address", "allKinds": true }),
            "input.address",
        ),
        (
            json!({ "address": "danluc@thanhhoa.gov.vn" }),
            "input.kinds",
        ),
        (
            json!({ "address": "danluc@thanhhoa.gov.vn", "kinds": ["DROP TABLE"] }),
            "input.kinds",
        ),
        (
            json!({ "address": "danluc@thanhhoa.gov.vn", "kinds": ["report.save"] }),
            "input.kinds",
        ),
    ] {
        let refused = app
            .gql_as(Some(&commune), SET, json!({ "input": input }))
            .await;
        assert_eq!(code(&refused["errors"][0]), "BAD_USER_INPUT", "{refused:#}");
        assert_eq!(field(&refused["errors"][0]), expected);
    }
    let set = app
        .gql_as(
            Some(&commune),
            SET,
            json!({ "input": { "address": "danluc@thanhhoa.gov.vn", "kinds": ["obligation.cascade"] } }),
        )
        .await;
    assert_eq!(
        set["data"]["setMailSubscription"]["mailSubscription"],
        json!({ "address": "danluc@thanhhoa.gov.vn", "kinds": ["obligation.cascade"] })
    );
    let mine = app
        .gql_as(
            Some(&commune),
            "{ mailSubscription { address } }",
            json!({}),
        )
        .await;
    assert_eq!(
        mine["data"]["mailSubscription"]["address"],
        "danluc@thanhhoa.gov.vn"
    );

    let parent = department_asks_districts(&app, None, &day(20)).await["id"].clone();
    let cascaded = app
        .gql_as(
            Some(&district),
            "mutation($input: CascadeObligationInput!) { cascadeObligation(input: $input) { obligation { id } } }",
            json!({ "input": { "parentId": parent, "dueDate": day(10), "recipients": { "agencyIds": [demo_agency("th.trieuson.danluc")] } } }),
        )
        .await;
    let child = cascaded["data"]["cascadeObligation"]["obligation"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{cascaded:#}"))
        .to_owned();

    let start = Instant::now();
    let message = loop {
        if let Some(message) = inbox.lock().expect("inbox").first().cloned() {
            break message;
        }
        if start.elapsed() > Duration::from_secs(15) {
            panic!("no mail arrived; the outbox holds {:?}", outbox(&app).await);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(message.to, vec!["danluc@thanhhoa.gov.vn".to_owned()]);
    let (subject, body) = read(&message);
    assert_eq!(
        subject,
        "Yêu cầu báo cáo mới: Báo cáo công tác TTĐN năm 2025"
    );
    assert!(
        body.contains("UBND huyện Triệu Sơn yêu cầu báo cáo"),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "https://ttdn.thanhhoa.gov.vn/records/ReportingObligation/{child}"
        )),
        "{body}"
    );
    // One message only: the district, which has no subscription, got none, and the refused
    // attempt was retried, not duplicated.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(inbox.lock().expect("inbox").len(), 1);
    let sent = outbox(&app).await;
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].0.as_str(), sent[0].1), ("SENT", 2), "{sent:?}");

    // Ending the subscription stops the mail.
    let ended = app
        .gql_as(Some(&commune), SET, json!({ "input": { "address": null } }))
        .await;
    assert_eq!(
        ended["data"]["setMailSubscription"]["mailSubscription"],
        serde_json::Value::Null
    );
}

#[actix_web::test]
async fn mail_waiting_for_an_account_since_disabled_is_not_sent() {
    // The relay refuses everything for now: the message waits for its next attempt.
    let (port, inbox) = smtp_server(1000);
    let app = spawn_with(
        |s| {
            s.smtp_url = format!("smtp://127.0.0.1:{port}");
            s.mail_retry_secs = 1;
        },
        true,
    )
    .await;
    let commune = app.demo_token("xa.danluc").await;
    let district = app.demo_token("huyen.trieuson").await;
    let set = app
        .gql_as(
            Some(&commune),
            SET,
            json!({ "input": { "address": "danluc@thanhhoa.gov.vn", "allKinds": true } }),
        )
        .await;
    assert!(set["errors"].is_null(), "{set:#}");
    let parent = department_asks_districts(&app, None, &day(20)).await["id"].clone();
    let cascaded = app
        .gql_as(
            Some(&district),
            "mutation($input: CascadeObligationInput!) { cascadeObligation(input: $input) { obligation { id } } }",
            json!({ "input": { "parentId": parent, "dueDate": day(10), "recipients": { "agencyIds": [demo_agency("th.trieuson.danluc")] } } }),
        )
        .await;
    assert!(cascaded["errors"].is_null(), "{cascaded:#}");
    let start = Instant::now();
    while outbox(&app).await.first().is_none_or(|m| m.1 == 0) {
        assert!(start.elapsed() < Duration::from_secs(15), "never tried");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let disabled = app
        .gql(
            "mutation($id: ID!) { setUserDisabled(input: { id: $id, disabled: true }) { user { id } } }",
            json!({ "id": crate::helpers::demo_user("xa.danluc") }),
        )
        .await;
    assert!(disabled["errors"].is_null(), "{disabled:#}");
    let start = Instant::now();
    let failed = loop {
        let rows = outbox(&app).await;
        if rows[0].0 == "FAILED" {
            break rows[0].clone();
        }
        assert!(start.elapsed() < Duration::from_secs(15), "still {rows:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        failed
            .2
            .as_deref()
            .is_some_and(|e| e.contains("no longer receives")),
        "{failed:?}"
    );
    assert!(inbox.lock().expect("inbox").is_empty());
}
