//! Persisted documents: automatic persisted queries (a client sends the hash of its query, and
//! the query once when the server does not know it), and the trusted-documents mode in which
//! only the registered documents of the client applications run.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_with};

const QUERY: &str = "query Agencies { agencies(first: 1) { totalCount } }";

fn sha256(document: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(document.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// POSTs `body` as the test administrator: (status, JSON).
async fn post(app: &TestApp, body: Value) -> (u16, Value) {
    let bearer = app.bearer();
    let raw = app
        .request(
            "POST",
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("authorization", bearer.as_str()),
            ],
            body.to_string().into_bytes(),
        )
        .await;
    (raw.status.as_u16(), raw.json())
}

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

#[actix_web::test]
async fn a_query_sent_once_with_its_hash_runs_by_its_hash_after() {
    let app = spawn_app().await;
    let hash = sha256(QUERY);
    // Not known yet: the client is told, in a 200 answer as Apollo clients expect.
    let (status, unknown) = post(&app, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!((status, code(&unknown)), (200, "PERSISTED_QUERY_NOT_FOUND"));
    // Sent with its hash: it runs and is kept.
    let (_, first) = post(
        &app,
        json!({ "query": QUERY, "extensions": persisted(&hash) }),
    )
    .await;
    assert_eq!(first["data"]["agencies"]["totalCount"], 0, "{first:#}");
    let (_, again) = post(&app, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(again["data"], first["data"]);
    // Over GET too (queries only), the hash alone.
    let path = format!(
        "/graphql?extensions={}",
        url_encode(&persisted(&hash).to_string())
    );
    let bearer = app.bearer();
    let got = app
        .request(
            "GET",
            &path,
            &[("authorization", bearer.as_str())],
            Vec::new(),
        )
        .await;
    assert_eq!(got.json()["data"], first["data"], "{}", got.text());
    // A hash never stands for another document.
    let (status, mismatch) = post(
        &app,
        json!({ "query": "{ me { role } }", "extensions": persisted(&hash) }),
    )
    .await;
    assert_eq!((status, code(&mismatch)), (400, "BAD_REQUEST"));
    let (_, still) = post(&app, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(still["data"], first["data"]);
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[actix_web::test]
async fn in_trusted_mode_only_the_registered_documents_run() {
    let manifest = std::env::temp_dir().join(format!("ttdn-trusted-{}.json", uuid::Uuid::now_v7()));
    // The application's documents: this query, and the sign-in.
    let login = crate::helpers::LOGIN;
    std::fs::write(
        &manifest,
        json!({ sha256(QUERY): QUERY, sha256(login): login }).to_string(),
    )
    .expect("manifest");
    let path = manifest.display().to_string();
    let app = spawn_with(move |s| s.trusted_documents = path, false).await;
    let hash = sha256(QUERY);
    // By its hash, without ever being sent.
    let (_, by_hash) = post(&app, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(by_hash["data"]["agencies"]["totalCount"], 0, "{by_hash:#}");
    // Sent in full, a registered document runs too.
    let (_, in_full) = post(&app, json!({ "query": QUERY })).await;
    assert_eq!(in_full["data"], by_hash["data"]);
    // Anything else is refused before it runs.
    let (status, other) = post(
        &app,
        json!({ "query": "{ agencies(first: 100) { totalCount } }" }),
    )
    .await;
    assert_eq!((status, code(&other)), (400, "UNTRUSTED_DOCUMENT"));
    assert!(other.get("data").is_none());
    let (_, unknown) = post(&app, json!({ "extensions": persisted(&sha256("{ x }")) })).await;
    assert_eq!(code(&unknown), "PERSISTED_QUERY_NOT_FOUND");
    let _ = std::fs::remove_file(manifest);
}
