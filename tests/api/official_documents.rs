//! Official documents as Word files (`GET /documents/...`): each generated file is opened as
//! the zip of XML parts it is, and its text read paragraph by paragraph.

use std::io::Read as _;

use serde_json::Value;
use ttdn_api::demo::demo_id;

use crate::helpers::{Raw, TestApp, code, spawn_app_with_demo};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A generated document, opened.
struct Docx {
    /// The names of the zip's parts.
    parts: Vec<String>,
    /// `word/document.xml`.
    xml: String,
    /// The text of each paragraph, in order (table cells included).
    paragraphs: Vec<String>,
}

impl Docx {
    fn open(bytes: &[u8]) -> Self {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let parts = zip
            .file_names()
            .filter_map(Result::ok)
            .map(std::borrow::Cow::into_owned)
            .collect();
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .expect("word/document.xml")
            .read_to_string(&mut xml)
            .expect("UTF-8 XML");
        let paragraphs =
            ttdn_api::file::content::docx_paragraphs(bytes, usize::MAX).expect("a Word document");
        Self {
            parts,
            xml,
            paragraphs,
        }
    }

    fn has(&self, text: &str) -> bool {
        self.paragraphs.iter().any(|p| p.contains(text))
    }

    /// The paragraph that is exactly `text`, as a position.
    fn position(&self, text: &str) -> usize {
        self.paragraphs
            .iter()
            .position(|p| p == text)
            .unwrap_or_else(|| panic!("no paragraph {text:?} in {:#?}", self.paragraphs))
    }

    fn assert_has(&self, texts: &[&str]) {
        for text in texts {
            assert!(self.has(text), "no {text:?} in {:#?}", self.paragraphs);
        }
    }
}

/// The UTF-8 file name of a download (`filename*=UTF-8''…`), decoded.
pub fn file_name(raw: &Raw) -> String {
    let header = raw
        .header("content-disposition")
        .expect("a Content-Disposition");
    let encoded = header
        .split("filename*=UTF-8''")
        .nth(1)
        .expect("a UTF-8 file name")
        .split(';')
        .next()
        .unwrap_or_default();
    let bytes = encoded.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
            out.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

async fn document(app: &TestApp, token: &str, path: &str) -> (Raw, Docx) {
    let raw = app.get_as(token, path).await;
    assert_eq!(raw.status, 200, "{path}: {}", raw.text());
    assert_eq!(raw.header("content-type").as_deref(), Some(DOCX));
    let docx = Docx::open(&raw.body);
    (raw, docx)
}

#[actix_web::test]
async fn trieu_son_2021_annual_report_reads_like_the_office_files_it() {
    let app = spawn_app_with_demo().await;
    let district = app.demo_token("huyen.trieuson").await;
    let report = crate::helpers::demo_report(&app, "obligation.2480", "UBND huyện Triệu Sơn").await;
    let (raw, doc) = document(
        &app,
        &district,
        &format!("/documents/reports/{report}.docx"),
    )
    .await;

    for part in [
        "[Content_Types].xml",
        "word/document.xml",
        "word/styles.xml",
    ] {
        assert!(
            doc.parts.iter().any(|p| p == part),
            "no {part}: {:?}",
            doc.parts
        );
    }
    // A4 portrait, Times New Roman, left margin 30 mm.
    assert!(doc.xml.contains(r#"w:w="11906""#) && doc.xml.contains(r#"w:h="16838""#));
    assert!(doc.xml.contains(r#"w:left="1701""#), "left margin 30 mm");
    let mut styles = String::new();
    zip::ZipArchive::new(std::io::Cursor::new(&raw.body[..]))
        .expect("zip")
        .by_name("word/styles.xml")
        .expect("styles")
        .read_to_string(&mut styles)
        .expect("UTF-8");
    assert!(styles.contains("Times New Roman"), "the default font");

    // The letterhead, in the decree's order: issuer, number, national title, motto, place and date.
    let issuer = doc.position("ỦY BAN NHÂN DÂN");
    assert_eq!(doc.paragraphs[issuer + 1], "HUYỆN TRIỆU SƠN");
    let number = doc.position("Số:        /BC-UBND");
    let national = doc.position("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    assert_eq!(doc.paragraphs[national + 1], "Độc lập - Tự do - Hạnh phúc");
    let dated = doc.position("Triệu Sơn, ngày 15 tháng 12 năm 2021");
    let kind = doc.position("BÁO CÁO");
    assert!(issuer < number && number < national && national < dated && dated < kind);
    assert_eq!(
        doc.paragraphs[kind + 1],
        "Hoạt động thông tin đối ngoại năm 2021 và xây dựng kế hoạch năm 2022"
    );
    assert!(!doc.has("DỰ THẢO"), "a submitted report is no draft");
    doc.assert_has(&[
        "Kính gửi: Sở Thông tin và Truyền thông tỉnh Thanh Hóa.",
        "Thực hiện Công văn số 2480/STTTT-BCXB ngày 18/11/2021 của Sở Thông tin và Truyền thông tỉnh Thanh Hóa",
        "UBND huyện Triệu Sơn báo cáo như sau:",
        // The template's sections in order, as Roman-numbered headings, with their text.
        "I. ĐẶC ĐIỂM TÌNH HÌNH",
        "Công tác TTĐN được cấp ủy, chính quyền quan tâm chỉ đạo.",
        "II. KẾT QUẢ THỰC HIỆN",
        "Đăng tải 412 tin, bài; tổ chức 3 lớp tập huấn.",
        "V. KẾ HOẠCH CÔNG TÁC THÔNG TIN ĐỐI NGOẠI NĂM SAU",
        "Nơi nhận:",
        "- Như trên;",
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn Long",
    ]);
    assert!(doc.position("I. ĐẶC ĐIỂM TÌNH HÌNH") < doc.position("II. KẾT QUẢ THỰC HIỆN"));
    // The metrics as a table with their units and the system's figures.
    let row = doc.position("Tin, bài thông tin đối ngoại");
    assert_eq!(doc.paragraphs[row + 1], "tin, bài");
    assert_eq!(doc.paragraphs[row + 2], "412");
    let signer = doc.position("Nguyễn Văn Long");
    assert!(doc.position("PHÓ CHỦ TỊCH") < signer && doc.position("Nơi nhận:") < signer);

    // Named from the document's type and issuer (no number yet), in UTF-8 with an ASCII fallback.
    assert_eq!(file_name(&raw), "Báo cáo - UBND huyện Triệu Sơn.docx");
    let disposition = raw.header("content-disposition").expect("a file name");
    assert!(
        disposition.contains("filename=\"Bao cao - UBND huyen Trieu Son.docx\""),
        "{disposition}"
    );
}

#[actix_web::test]
async fn a_district_consolidates_its_communes_reports_into_its_own() {
    let app = spawn_app_with_demo().await;
    let district = app.demo_token("huyen.trieuson").await;
    let report = crate::helpers::demo_report(&app, "obligation.2480", "UBND huyện Triệu Sơn").await;
    let (raw, doc) = document(
        &app,
        &district,
        &format!("/documents/reports/{report}/consolidated.docx"),
    )
    .await;
    doc.assert_has(&[
        "TỔNG HỢP SỐ LIỆU CỦA CÁC ĐƠN VỊ CẤP DƯỚI",
        "UBND xã Dân Lực",
        "UBND xã Dân Lý",
        "Tổng cộng",
        "Tổng hợp từ cấp dưới",
    ]);
    // Dân Lực (accepted, 36) and Dân Lý (submitted, 18) count; Dân Quyền was returned and Nưa
    // is a draft, so their figures stay out of the total.
    let total = doc.position("Tổng cộng");
    assert_eq!(
        doc.paragraphs[total + 1],
        "54",
        "{:#?}",
        &doc.paragraphs[total..]
    );
    let returned = doc.position("UBND xã Dân Quyền");
    assert_eq!(doc.paragraphs[returned + 1], "Bị trả lại");
    // The district's own table shows its figure and the communes' sum beside it.
    let row = doc.position("Tin, bài thông tin đối ngoại");
    assert_eq!(&doc.paragraphs[row + 1..row + 4], ["tin, bài", "412", "54"]);
    assert_eq!(
        file_name(&raw),
        "Báo cáo tổng hợp - UBND huyện Triệu Sơn.docx"
    );

    // A commune's report has nothing below it.
    let commune =
        crate::helpers::demo_report(&app, "obligation.2480.trieuson", "UBND xã Dân Lực").await;
    let raw = app
        .get_as(
            &district,
            &format!("/documents/reports/{commune}/consolidated.docx"),
        )
        .await;
    assert_eq!(raw.status, 404);
    assert_eq!(code(&raw.json()["errors"][0]), "NOT_FOUND");
}

#[actix_web::test]
async fn a_draft_is_marked_and_named_as_one() {
    let app = spawn_app_with_demo().await;
    let district = app.demo_token("huyen.trieuson").await;
    let nua = crate::helpers::demo_report(&app, "obligation.2480.trieuson", "Thị trấn Nưa").await;
    let (raw, doc) = document(&app, &district, &format!("/documents/reports/{nua}.docx")).await;
    assert_eq!(doc.paragraphs[0], "DỰ THẢO", "the mark comes first");
    doc.assert_has(&["THỊ TRẤN NƯA", "Kính gửi: UBND huyện Triệu Sơn."]);
    assert_eq!(file_name(&raw), "Báo cáo - Thị trấn Nưa (dự thảo).docx");
}

#[actix_web::test]
async fn a_submitted_version_is_served_as_it_was_sent() {
    let app = spawn_app_with_demo().await;
    let department = app.demo_token("so.thanhhoa").await;
    let report = crate::helpers::demo_report(&app, "obligation.2480", "UBND huyện Thọ Xuân").await;
    let (_, doc) = document(
        &app,
        &department,
        &format!("/documents/reports/{report}.docx?version=1"),
    )
    .await;
    doc.assert_has(&[
        "Đăng tải 265 tin, bài; tổ chức 2 lớp tập huấn.",
        "HUYỆN THỌ XUÂN",
    ]);
    let raw = app
        .get_as(
            &department,
            &format!("/documents/reports/{report}.docx?version=9"),
        )
        .await;
    assert_eq!(raw.status, 404);
    assert_eq!(code(&raw.json()["errors"][0]), "NOT_FOUND");
}

#[actix_web::test]
async fn the_request_letter_names_what_is_asked_by_when_and_of_whom() {
    let app = spawn_app_with_demo().await;
    let district = app.demo_token("huyen.trieuson").await;
    let id = demo_id("obligation.2480");
    let (raw, doc) = document(
        &app,
        &district,
        &format!("/documents/obligations/{id}/request.docx"),
    )
    .await;
    doc.assert_has(&[
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG TỈNH THANH HÓA",
        "UBND TỈNH THANH HÓA",
        "Số: 2480/STTTT-BCXB",
        "V/v báo cáo hoạt động thông tin đối ngoại năm 2021 và xây dựng kế hoạch năm 2022",
        "Thanh Hóa, ngày 18 tháng 11 năm 2021",
        "Kính gửi:",
        "- UBND huyện Triệu Sơn;",
        "- UBND huyện Thọ Xuân;",
        "số liệu tính từ ngày 15/12/2020 đến ngày 14/12/2021",
        "1. Đặc điểm tình hình.",
        "Tin, bài thông tin đối ngoại",
        "trước ngày 20/12/2021",
    ]);
    assert_eq!(file_name(&raw), "Công văn 2480-STTTT-BCXB.docx");

    // Passed on: the district's letter to its communes cites the department's.
    let child = demo_id("obligation.2480.trieuson");
    let (_, doc) = document(
        &app,
        &district,
        &format!("/documents/obligations/{child}/request.docx"),
    )
    .await;
    doc.assert_has(&[
        "Số: 1650/UBND-VHTT",
        "Thực hiện Công văn số 2480/STTTT-BCXB ngày 18/11/2021",
        "- UBND xã Dân Lực;",
        "trước ngày 15/12/2021",
    ]);
}

#[actix_web::test]
async fn a_plan_lists_its_tasks_with_who_leads_and_by_when() {
    let app = spawn_app_with_demo().await;
    let district = app.demo_token("huyen.trieuson").await;
    let id = demo_id("plan.trieuson.2021");
    let (_, doc) = document(&app, &district, &format!("/documents/plans/{id}.docx")).await;
    doc.assert_has(&[
        "Số: 149/KH-UBND",
        "Triệu Sơn, ngày 26 tháng 12 năm 2020",
        "KẾ HOẠCH",
        "Hoạt động thông tin đối ngoại huyện Triệu Sơn năm 2021",
        "Thực hiện Kế hoạch",
        "Cơ quan chủ trì",
        "Tuyên truyền về chủ quyền biển, đảo tại các xã",
        "30/11/2021",
    ]);
    let task = doc.position("Tuyên truyền về chủ quyền biển, đảo tại các xã");
    assert_eq!(
        &doc.paragraphs[task + 1..task + 3],
        ["UBND xã Dân Lực", "UBND xã Dân Lý"]
    );
}

#[actix_web::test]
async fn documents_follow_the_records_visibility() {
    let app = spawn_app_with_demo().await;
    let report = crate::helpers::demo_report(&app, "obligation.2480", "UBND huyện Triệu Sơn").await;
    let path = format!("/documents/reports/{report}.docx");

    // No token: 401 with the way to authenticate.
    let raw = app.request("GET", &path, &[], Vec::new()).await;
    assert_eq!(raw.status, 401);
    assert_eq!(code(&raw.json()["errors"][0]), "UNAUTHENTICATED");

    // Another district and a commune below cannot see the district's report: NOT_FOUND, as in
    // the API, not FORBIDDEN (which would tell that it exists).
    for user in ["huyen.thoxuan", "xa.danluc"] {
        let token = app.demo_token(user).await;
        let raw = app.get_as(&token, &path).await;
        assert_eq!(raw.status, 404, "{user}");
        let error: Value = raw.json()["errors"][0].clone();
        assert_eq!(code(&error), "NOT_FOUND", "{user}");
    }
    let thoxuan = app.demo_token("huyen.thoxuan").await;
    let plan = demo_id("plan.trieuson.2021");
    let raw = app
        .get_as(&thoxuan, &format!("/documents/plans/{plan}.docx"))
        .await;
    assert_eq!(raw.status, 404);

    // An id that is not one is NOT_FOUND too.
    let raw = app
        .get_as(&thoxuan, "/documents/obligations/not-an-id/request.docx")
        .await;
    assert_eq!(raw.status, 404);
    assert_eq!(code(&raw.json()["errors"][0]), "NOT_FOUND");
}
