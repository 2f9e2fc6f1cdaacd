//! Files kept with records: `uploadFile` as a GraphQL multipart request, `files` on the
//! records, `GET /files/{id}`; every scenario runs on both stores, the directory and a real
//! S3-compatible server on loopback.

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use ttdn_api::demo::demo_id;

use crate::helpers::{Raw, S3Server, TestApp, code, count, field, files_under, spawn_with};

const UPLOAD: &str = "mutation($input: UploadFileInput!) { uploadFile(input: $input) { file { id kind sequence superseded name mediaType sizeBytes sha256 downloadPath uploadedByAgency { name } } } }";

const REPORT_FILES: &str = "query($id: ID!) { node(id: $id) { ... on Report { files { id name mediaType sizeBytes sha256 sequence superseded downloadPath } history: files(history: true) { id sequence superseded } } } }";

/// A PDF of one page with `text` on it, as a scanner's software writes a text layer.
pub fn pdf(text: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n4 0 obj << /Length 44 >>\nstream\nBT /F1 12 Tf 72 720 Td ({text}) Tj ET\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    .into_bytes()
}

/// The smallest PNG signature and header: enough to be read as a PNG.
fn png() -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    bytes.extend_from_slice(&[
        0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0,
    ]);
    bytes
}

/// A file to upload: name, declared media type, bytes.
type File<'a> = (&'a str, &'a str, Vec<u8>);

/// Where the app keeps its files in a test.
enum Store {
    Directory,
    S3(S3Server),
}

/// The demo app on a store of `kind`.
async fn app_on(s3: bool, max_upload: Option<usize>) -> (TestApp, Store) {
    let store = if s3 {
        Store::S3(S3Server::start().await)
    } else {
        Store::Directory
    };
    let app = spawn_with(
        |settings| {
            if let Store::S3(server) = &store {
                server.apply(settings);
            }
            if let Some(max) = max_upload {
                settings.max_upload_bytes = max;
            }
        },
        true,
    )
    .await;
    (app, store)
}

/// The blobs the store holds.
fn blobs(app: &TestApp, store: &Store) -> usize {
    match store {
        Store::Directory => files_under(&app.blob_dir).len(),
        Store::S3(server) => server.objects().len(),
    }
}

/// A GraphQL multipart request (the spec's `operations`, `map` and one file part).
pub async fn upload(
    app: &TestApp,
    token: &str,
    input: Value,
    (name, content_type, bytes): (&str, &str, &[u8]),
) -> Raw {
    let boundary = "ttdn-test-boundary-7MA4YWxkTrZu0gW";
    let operations = json!({ "query": UPLOAD, "variables": { "input": input } });
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"0\": [\"variables.input.file\"]}}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.request(
        "POST",
        "/graphql",
        &[
            ("authorization", &format!("Bearer {token}")),
            (
                "content-type",
                &format!("multipart/form-data; boundary={boundary}"),
            ),
        ],
        body,
    )
    .await
}

fn input(record_type: &str, id: &str, kind: &str) -> Value {
    json!({ "recordType": record_type, "recordId": id, "kind": kind, "file": null })
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The done-when of issue 17: Triệu Sơn's officer downloads the .docx of the 2021 annual report,
/// uploads the signed scan back, and the department sees it on the report and downloads the
/// same bytes.
async fn signed_scan_reaches_the_department(s3: bool) {
    let (app, store) = app_on(s3, None).await;
    let district = app.demo_token("huyen.trieuson").await;
    let report = crate::helpers::demo_report(&app, "obligation.2480", "UBND huyện Triệu Sơn").await;
    let docx = app
        .get_as(&district, &format!("/documents/reports/{report}.docx"))
        .await;
    assert_eq!(docx.status, 200);

    let scan = pdf("UBND huyen Trieu Son - Bao cao so 12/BC-UBND");
    let raw = upload(
        &app,
        &district,
        input("REPORT", &report, "SIGNED_SCAN"),
        ("Báo cáo 12-BC-UBND (bản ký).pdf", "application/pdf", &scan),
    )
    .await;
    let body = raw.json();
    assert!(body.get("errors").is_none(), "{body:#}");
    let file = &body["data"]["uploadFile"]["file"];
    assert_eq!(file["mediaType"], "application/pdf");
    assert_eq!(file["sizeBytes"], scan.len());
    assert_eq!(file["sha256"], sha256(&scan));
    assert_eq!(file["sequence"], 1);
    assert_eq!(file["uploadedByAgency"]["name"], "UBND huyện Triệu Sơn");
    // The final .docx beside it, as a file of its own kind.
    let raw = upload(
        &app,
        &district,
        input("REPORT", &report, "FINAL_FILE"),
        (
            "Báo cáo 12-BC-UBND.docx",
            "application/octet-stream",
            &docx.body,
        ),
    )
    .await;
    assert!(raw.json().get("errors").is_none(), "{}", raw.text());
    assert_eq!(blobs(&app, &store), 2, "both files are in the store");

    let department = app.demo_token("so.thanhhoa").await;
    let seen = app
        .gql_as(Some(&department), REPORT_FILES, json!({ "id": report }))
        .await;
    let files = seen["data"]["node"]["files"]
        .as_array()
        .expect("files")
        .clone();
    assert_eq!(files.len(), 2, "{seen:#}");
    let scan_file = files
        .iter()
        .find(|f| f["mediaType"] == "application/pdf")
        .expect("the scan");
    assert_eq!(scan_file["name"], "Báo cáo 12-BC-UBND (bản ký).pdf");
    let path = scan_file["downloadPath"].as_str().expect("a path");
    let got = app.get_as(&department, path).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, scan, "the same bytes come back");
    assert_eq!(
        got.header("content-type").as_deref(),
        Some("application/pdf")
    );
    assert_eq!(got.header("x-checksum-sha256"), Some(sha256(&scan)));
    assert_eq!(
        crate::official_documents::file_name(&got),
        "Báo cáo 12-BC-UBND (bản ký).pdf"
    );
    let docx_file = files
        .iter()
        .find(|f| f["name"] == "Báo cáo 12-BC-UBND.docx")
        .expect("the docx");
    assert_eq!(
        docx_file["mediaType"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "the type is read from the bytes, not from what the client declared"
    );

    // Outside the report's visibility the file does not exist.
    let thoxuan = app.demo_token("huyen.thoxuan").await;
    let hidden = app.get_as(&thoxuan, path).await;
    assert_eq!(hidden.status, 404);
    assert_eq!(code(&hidden.json()["errors"][0]), "NOT_FOUND");
    let anonymous = app.request("GET", path, &[], Vec::new()).await;
    assert_eq!(anonymous.status, 401);
}

#[actix_web::test]
async fn a_signed_scan_uploaded_back_appears_on_the_report_in_a_directory() {
    signed_scan_reaches_the_department(false).await;
}

#[actix_web::test]
async fn a_signed_scan_uploaded_back_appears_on_the_report_in_s3() {
    signed_scan_reaches_the_department(true).await;
}

/// A second upload of the same kind supersedes the first; both stay and both download.
async fn uploads_supersede_and_history_stays(s3: bool) {
    let (app, store) = app_on(s3, None).await;
    let department = app.demo_token("so.thanhhoa").await;
    let obligation = demo_id("obligation.2480").to_string();
    let first = pdf("Cong van 2480 - ban ky lan 1");
    let second = pdf("Cong van 2480 - ban ky lan 2");
    for (bytes, expected) in [(&first, 1), (&second, 2)] {
        let raw = upload(
            &app,
            &department,
            input("REPORTING_OBLIGATION", &obligation, "SIGNED_SCAN"),
            ("2480-STTTT-BCXB.pdf", "application/pdf", bytes),
        )
        .await;
        let body = raw.json();
        assert_eq!(
            body["data"]["uploadFile"]["file"]["sequence"], expected,
            "{body:#}"
        );
    }
    let seen = app
        .gql_as(
            Some(&department),
            "query($id: ID!) { obligation(id: $id) { files { sequence sha256 } all: files(history: true) { sequence superseded sha256 downloadPath } } }",
            json!({ "id": obligation }),
        )
        .await;
    let current = &seen["data"]["obligation"]["files"];
    assert_eq!(
        current,
        &json!([{ "sequence": 2, "sha256": sha256(&second) }])
    );
    let all = seen["data"]["obligation"]["all"]
        .as_array()
        .expect("history");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["superseded"], true);
    assert_eq!(all[1]["superseded"], false);
    // The superseded file is still there, unchanged.
    let old = app
        .get_as(&department, all[0]["downloadPath"].as_str().expect("path"))
        .await;
    assert_eq!(old.body, first);
    assert_eq!(blobs(&app, &store), 2);
    // A recipient reads the letter's files; only the issuer's side adds them.
    let district = app.demo_token("huyen.trieuson").await;
    let read = app
        .gql_as(
            Some(&district),
            "query($id: ID!) { obligation(id: $id) { files { sequence } } }",
            json!({ "id": obligation }),
        )
        .await;
    assert_eq!(
        read["data"]["obligation"]["files"],
        json!([{ "sequence": 2 }])
    );
    let refused = upload(
        &app,
        &district,
        input("REPORTING_OBLIGATION", &obligation, "SIGNED_SCAN"),
        ("2480.pdf", "application/pdf", &first),
    )
    .await;
    assert_eq!(code(&refused.json()["errors"][0]), "FORBIDDEN");
    assert_eq!(blobs(&app, &store), 2, "a refused upload leaves no blob");

    // A release keeps its final file too: an image, read as one.
    let release = demo_id("release.th.targeted").to_string();
    let raw = upload(
        &app,
        &department,
        input("INFORMATION_RELEASE", &release, "FINAL_FILE"),
        ("Ảnh hội nghị.png", "image/png", &png()),
    )
    .await;
    assert!(raw.json().get("errors").is_none(), "{}", raw.text());
    let seen = app
        .gql_as(
            Some(&department),
            "query($id: ID!) { node(id: $id) { ... on InformationRelease { files { name mediaType kind } } } }",
            json!({ "id": release }),
        )
        .await;
    assert_eq!(
        seen["data"]["node"]["files"],
        json!([{ "name": "Ảnh hội nghị.png", "mediaType": "image/png", "kind": "FINAL_FILE" }])
    );
    assert_eq!(blobs(&app, &store), 3);

    // A workbook (the compliance export, a real XLSX) and a JPEG photo as the plan's files.
    let xlsx = app
        .get_as(
            &department,
            &format!("/exports/obligations/{obligation}/compliance.xlsx"),
        )
        .await;
    assert_eq!(xlsx.status, 200);
    let jpeg = [
        0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1,
    ];
    let plan = demo_id("plan.th.2021").to_string();
    for (kind, name, bytes, media) in [
        (
            "FINAL_FILE",
            "Tình hình báo cáo.xlsx",
            xlsx.body.clone(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("SIGNED_SCAN", "Ảnh bản ký.jpg", jpeg.to_vec(), "image/jpeg"),
    ] {
        let raw = upload(
            &app,
            &department,
            input("PLAN", &plan, kind),
            (name, "application/octet-stream", &bytes),
        )
        .await;
        let body = raw.json();
        assert_eq!(
            body["data"]["uploadFile"]["file"]["mediaType"], media,
            "{body:#}"
        );
    }
    assert_eq!(blobs(&app, &store), 5);
}

#[actix_web::test]
async fn a_new_upload_supersedes_and_the_history_stays_in_a_directory() {
    uploads_supersede_and_history_stays(false).await;
}

#[actix_web::test]
async fn a_new_upload_supersedes_and_the_history_stays_in_s3() {
    uploads_supersede_and_history_stays(true).await;
}

/// Every bad upload is refused with a code, and leaves no row and no blob.
async fn bad_uploads_keep_nothing(s3: bool) {
    let (app, store) = app_on(s3, Some(4096)).await;
    let district = app.demo_token("huyen.trieuson").await;
    let report = crate::helpers::demo_report(&app, "obligation.2480", "UBND huyện Triệu Sơn").await;
    let on_report = || input("REPORT", &report, "SIGNED_SCAN");
    let title: String = "TỐI MẬT"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .map(|b| format!("{b:02X}"))
        .collect();
    let stamped =
        format!("%PDF-1.4\n1 0 obj << /Title <FEFF{title}> >> endobj\n%%EOF\n").into_bytes();
    let big = {
        let mut bytes = pdf("big");
        bytes.resize(5000, b' ');
        bytes
    };
    let cases: Vec<(&str, File)> = vec![
        ("empty", ("Báo cáo.pdf", "application/pdf", Vec::new())),
        ("oversize", ("Báo cáo.pdf", "application/pdf", big)),
        ("disguised", ("Báo cáo.pdf", "application/pdf", png())),
        ("declared otherwise", ("Báo cáo.pdf", "image/png", pdf("x"))),
        (
            "not a kept type",
            (
                "Báo cáo.pdf",
                "application/pdf",
                b"plain text, no PDF".to_vec(),
            ),
        ),
        (
            "stamped name",
            ("TỐI MẬT - Báo cáo.pdf", "application/pdf", pdf("x")),
        ),
        (
            "stamped first page",
            ("Báo cáo.pdf", "application/pdf", stamped),
        ),
    ];
    for (case, (name, content_type, bytes)) in &cases {
        let raw = upload(&app, &district, on_report(), (name, content_type, bytes)).await;
        let error = raw.json()["errors"][0].clone();
        assert_eq!(code(&error), "BAD_USER_INPUT", "{case}: {error:#}");
        assert_eq!(field(&error), "input.file", "{case}: {error:#}");
    }
    // Outside the caller's scope the record does not exist; a visible record of another agency
    // is not the caller's to file.
    let thoxuan_report =
        crate::helpers::demo_report(&app, "obligation.2480", "UBND huyện Thọ Xuân").await;
    let raw = upload(
        &app,
        &district,
        input("REPORT", &thoxuan_report, "SIGNED_SCAN"),
        ("Báo cáo.pdf", "application/pdf", &pdf("x")),
    )
    .await;
    assert_eq!(code(&raw.json()["errors"][0]), "NOT_FOUND");
    let commune_report =
        crate::helpers::demo_report(&app, "obligation.2480.trieuson", "UBND xã Dân Lực").await;
    let raw = upload(
        &app,
        &district,
        input("REPORT", &commune_report, "SIGNED_SCAN"),
        ("Báo cáo.pdf", "application/pdf", &pdf("x")),
    )
    .await;
    assert_eq!(code(&raw.json()["errors"][0]), "FORBIDDEN");

    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM stored_file").await,
        0
    );
    assert_eq!(blobs(&app, &store), 0, "no blob without its row");
}

#[actix_web::test]
async fn bad_uploads_are_refused_and_keep_nothing_in_a_directory() {
    bad_uploads_keep_nothing(false).await;
}

#[actix_web::test]
async fn bad_uploads_are_refused_and_keep_nothing_in_s3() {
    bad_uploads_keep_nothing(true).await;
}

/// A request cut short (the connection closes before the body ends, or the multipart body has
/// no end) stores nothing.
async fn interrupted_uploads_keep_nothing(s3: bool) {
    use tokio::io::AsyncWriteExt as _;
    let (app, store) = app_on(s3, None).await;
    let district = app.demo_token("huyen.trieuson").await;
    let report = crate::helpers::demo_report(&app, "obligation.2480", "UBND huyện Triệu Sơn").await;
    let boundary = "cut-short-boundary";
    let operations = json!({ "query": UPLOAD, "variables": { "input": input("REPORT", &report, "SIGNED_SCAN") } });
    let mut head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"0\": [\"variables.input.file\"]}}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"scan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    head.extend_from_slice(&pdf("half of a scan"));

    // The multipart body never ends (no closing boundary): 400, nothing runs.
    let raw = app
        .request(
            "POST",
            "/graphql",
            &[
                ("authorization", &format!("Bearer {district}")),
                (
                    "content-type",
                    &format!("multipart/form-data; boundary={boundary}"),
                ),
            ],
            head.clone(),
        )
        .await;
    assert_eq!(raw.status, 400, "{}", raw.text());
    assert_eq!(code(&raw.json()["errors"][0]), "BAD_REQUEST");

    // The connection closes halfway through a body announced longer.
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {district}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        head.len() * 2
    );
    socket
        .write_all(request.as_bytes())
        .await
        .expect("write the head");
    socket.write_all(&head).await.expect("write half the body");
    drop(socket);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM stored_file").await,
        0
    );
    assert_eq!(blobs(&app, &store), 0);
    // The server is fine afterwards.
    let raw = upload(
        &app,
        &district,
        input("REPORT", &report, "SIGNED_SCAN"),
        ("scan.pdf", "application/pdf", &pdf("whole scan")),
    )
    .await;
    assert!(raw.json().get("errors").is_none(), "{}", raw.text());
}

#[actix_web::test]
async fn interrupted_uploads_keep_nothing_in_a_directory() {
    interrupted_uploads_keep_nothing(false).await;
}

#[actix_web::test]
async fn interrupted_uploads_keep_nothing_in_s3() {
    interrupted_uploads_keep_nothing(true).await;
}

/// A blob whose row never came (its process died between the two) is swept; a blob with its
/// row stays.
async fn orphan_blobs_are_swept(s3: bool) {
    let (app, store) = app_on(s3, None).await;
    let department = app.demo_token("so.thanhhoa").await;
    let plan = demo_id("plan.th.2021").to_string();
    let raw = upload(
        &app,
        &department,
        input("PLAN", &plan, "FINAL_FILE"),
        (
            "Kế hoạch TTĐN 2021.pdf",
            "application/pdf",
            &pdf("ke hoach"),
        ),
    )
    .await;
    assert!(raw.json().get("errors").is_none(), "{}", raw.text());
    let mut settings = ttdn_api::config::Settings {
        blob_dir: app.blob_dir.display().to_string(),
        ..Default::default()
    };
    if let Store::S3(server) = &store {
        server.apply(&mut settings);
    }
    let blobs_store = ttdn_api::blob::Blobs::from_settings(&settings).expect("the store");
    let orphan = ttdn_api::file::service::blob_key(uuid::Uuid::now_v7());
    blobs_store
        .put(&orphan, b"left by a process that died".to_vec())
        .await
        .expect("put");
    assert_eq!(blobs(&app, &store), 2);
    let later = chrono::Utc::now() + chrono::Duration::seconds(5);
    let swept = ttdn_api::file::service::sweep(&app.db, &blobs_store, later)
        .await
        .expect("sweep");
    assert_eq!(swept, 1);
    assert_eq!(blobs(&app, &store), 1, "the uploaded file stays");
    assert!(blobs_store.get(&orphan).await.is_err());
}

#[actix_web::test]
async fn orphan_blobs_are_swept_in_a_directory() {
    orphan_blobs_are_swept(false).await;
}

#[actix_web::test]
async fn orphan_blobs_are_swept_in_s3() {
    orphan_blobs_are_swept(true).await;
}

/// An integrated system learns of a file through its change feed: the record it was kept with
/// changed, and its `files` show it.
#[actix_web::test]
async fn a_file_uploaded_reaches_the_change_feed_as_its_record_updated() {
    let (app, _store) = app_on(false, None).await;
    let (_, client) =
        crate::helpers::service_client(&app, "th.trieuson", json!(["REPORTS_READ"])).await;
    let feed = "query($after: String) { changes(after: $after, first: 50) { endCursor entries { change type id node { ... on Report { files { name sha256 } } } } } }";
    let start = app
        .gql_as(Some(&client), feed, json!({ "after": null }))
        .await;
    let cursor = start["data"]["changes"]["endCursor"]
        .as_str()
        .unwrap_or_else(|| panic!("{start:#}"))
        .to_owned();
    let district = app.demo_token("huyen.trieuson").await;
    let report = crate::helpers::demo_report(&app, "obligation.2480", "UBND huyện Triệu Sơn").await;
    let scan = pdf("ban ky");
    let raw = upload(
        &app,
        &district,
        input("REPORT", &report, "SIGNED_SCAN"),
        ("scan.pdf", "application/pdf", &scan),
    )
    .await;
    assert!(raw.json().get("errors").is_none(), "{}", raw.text());
    crate::helpers::settle(&app).await;
    let after = app
        .gql_as(Some(&client), feed, json!({ "after": cursor }))
        .await;
    let entries = after["data"]["changes"]["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("{after:#}"));
    assert_eq!(entries.len(), 1, "{after:#}");
    assert_eq!(entries[0]["change"], "UPDATED");
    assert_eq!(entries[0]["type"], "REPORT");
    assert_eq!(entries[0]["id"], report.as_str());
    assert_eq!(
        entries[0]["node"]["files"],
        json!([{ "name": "scan.pdf", "sha256": sha256(&scan) }])
    );
}
