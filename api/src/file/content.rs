//! What an uploaded file is, read from its bytes, never from what the client says: the type
//! from its signature (`infer`), checked against its name and declared media type; and
//! whether it carries a secrecy stamp, as far as can be read without OCR.

use std::io::Read as _;

use crate::{
    error::{AppError, AppResult, Msg},
    text::is_classified_stamp,
};

/// The kinds of file an office files: signed scans and final documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    /// A PDF (the signed scan).
    Pdf,
    /// A Word document.
    Docx,
    /// An Excel workbook.
    Xlsx,
    /// A PNG image.
    Png,
    /// A JPEG image.
    Jpeg,
}

impl FileType {
    /// The media type stored and served.
    pub fn media_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Docx => &["docx"],
            FileType::Xlsx => &["xlsx"],
            FileType::Png => &["png"],
            FileType::Jpeg => &["jpg", "jpeg"],
        }
    }

    fn label(self) -> &'static str {
        match self {
            FileType::Pdf => "PDF",
            FileType::Docx => "DOCX",
            FileType::Xlsx => "XLSX",
            FileType::Png => "PNG",
            FileType::Jpeg => "JPEG",
        }
    }

    /// The type the bytes show.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        let found = infer::get(bytes)?;
        Some(match found.mime_type() {
            "application/pdf" => FileType::Pdf,
            "image/png" => FileType::Png,
            "image/jpeg" => FileType::Jpeg,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
                FileType::Docx
            }
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => FileType::Xlsx,
            _ => return None,
        })
    }
}

fn refuse(vi: String, en: String) -> AppError {
    AppError::bad_input("file", Msg::new(vi, en))
}

/// Checks an upload: not empty, within `max` bytes, of a type ttdn keeps, shown by its bytes
/// and agreeing with its name's extension and the declared media type, and not classified.
pub fn check(name: &str, declared: Option<&str>, bytes: &[u8], max: usize) -> AppResult<FileType> {
    if bytes.is_empty() {
        return Err(refuse(
            "Tệp rỗng (0 byte): hãy chọn lại tệp".to_owned(),
            "The file is empty (0 bytes): choose the file again".to_owned(),
        ));
    }
    if bytes.len() > max {
        return Err(refuse(
            format!("Tệp lớn quá {max} byte (tệp có {} byte)", bytes.len()),
            format!(
                "The file is larger than {max} bytes ({} bytes)",
                bytes.len()
            ),
        ));
    }
    let Some(kind) = FileType::sniff(bytes) else {
        return Err(refuse(
            "Nội dung tệp không phải PDF, DOCX, XLSX, PNG hay JPEG".to_owned(),
            "The file's content is not PDF, DOCX, XLSX, PNG or JPEG".to_owned(),
        ));
    };
    let extension = std::path::Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .unwrap_or_default();
    if !kind.extensions().contains(&extension.as_str()) {
        return Err(refuse(
            format!(
                "Nội dung tệp là {} nhưng tên tệp có đuôi .{extension}: tệp bị đổi tên hoặc ngụy trang",
                kind.label()
            ),
            format!(
                "The file's content is {} but its name ends in .{extension}: renamed or disguised",
                kind.label()
            ),
        ));
    }
    let declared = declared
        .and_then(|d| d.split(';').next())
        .map(|d| d.trim().to_lowercase())
        .filter(|d| !d.is_empty() && d != "application/octet-stream");
    if let Some(declared) = declared
        && declared != kind.media_type()
    {
        return Err(refuse(
            format!(
                "Nội dung tệp là {} nhưng được gửi là {declared}",
                kind.label()
            ),
            format!(
                "The file's content is {} but it was sent as {declared}",
                kind.label()
            ),
        ));
    }
    if classified_name(name)
        || first_page(kind, bytes)
            .iter()
            .any(|l| is_classified_stamp(l))
    {
        return Err(refuse(
            "Tệp mang dấu độ mật (Mật, Tối mật, Tuyệt mật): không được lưu tài liệu thuộc bí mật nhà nước trên hệ thống này".to_owned(),
            "The file carries a classification stamp (Mật, Tối mật, Tuyệt mật): state secrets are never stored in this system".to_owned(),
        ));
    }
    Ok(kind)
}

/// Whether a file name carries a stamp: `TỐI MẬT - Báo cáo.pdf`, `Báo cáo (Mật).pdf`,
/// `do-mat.pdf` is not (a name without marks proves nothing either way).
fn classified_name(name: &str) -> bool {
    use unicode_normalization::UnicodeNormalization as _;
    let stem = std::path::Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(name);
    let normalized: String = stem.nfc().collect::<String>().to_lowercase();
    let words: Vec<&str> = normalized
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let pairs = words
        .windows(2)
        .any(|w| w[1] == "mật" && matches!(w[0], "tối" | "tuyệt" | "độ"));
    // "mật" alone is a stamp when set apart by punctuation ("Mật - Báo cáo", "Báo cáo (Mật)",
    // "Mật_báo_cáo"), not inside a phrase ("bí mật", "mật khẩu").
    let alone = normalized
        .split(|c: char| !c.is_alphanumeric() && !c.is_whitespace())
        .any(|segment| segment.trim() == "mật");
    pairs || alone
}

/// The lines of the first page that can be read without OCR: a DOCX's first paragraphs; a
/// PDF's title and the text of its first content streams, where its fonts keep text as text.
/// Images and workbooks give none.
pub fn first_page(kind: FileType, bytes: &[u8]) -> Vec<String> {
    match kind {
        FileType::Docx => docx_paragraphs(bytes, 40).unwrap_or_default(),
        FileType::Pdf => pdf_lines(bytes),
        _ => Vec::new(),
    }
}

/// The text of the first `most` non-empty paragraphs of a DOCX's `word/document.xml`, table
/// cells included, in order (`None` when it is no DOCX).
pub fn docx_paragraphs(bytes: &[u8], most: usize) -> Option<Vec<String>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .ok()?
        .take(4 * 1024 * 1024)
        .read_to_string(&mut xml)
        .ok()?;
    Some(
        xml.split("</w:p>")
            .map(|chunk| {
                let mut text = String::new();
                for piece in chunk.split("<w:t").skip(1) {
                    // `<w:t>` or `<w:t xml:space="preserve">`, not `<w:tab/>` or `<w:tbl>`.
                    if !(piece.starts_with('>') || piece.starts_with(' ')) {
                        continue;
                    }
                    let Some(start) = piece.find('>') else {
                        continue;
                    };
                    let body = &piece[start + 1..];
                    text.push_str(&body[..body.find("</w:t>").unwrap_or(body.len())]);
                }
                text.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&")
            })
            .filter(|t| !t.trim().is_empty())
            .take(most)
            .collect(),
    )
}

/// The title and first-page text of a PDF: literal and hexadecimal strings of the document
/// information and of the first content streams (inflated when compressed), decoded as
/// UTF-16 (with its byte-order mark) or UTF-8 where they are; one line per text object.
fn pdf_lines(bytes: &[u8]) -> Vec<String> {
    let head = &bytes[..bytes.len().min(4 * 1024 * 1024)];
    let mut lines = Vec::new();
    // The document information (`/Title (…)`), outside streams.
    if let Some(at) = find(head, b"/Title") {
        let rest = &head[at + 6..];
        if let Some(text) = strings(rest).into_iter().next() {
            lines.push(text);
        }
    }
    let mut from = 0;
    let mut streams = 0;
    while streams < 8 {
        let Some(start) = find(&head[from..], b"stream") else {
            break;
        };
        let start = from + start;
        let dictionary = &head[from..start];
        let mut body_start = start + 6;
        while body_start < head.len() && matches!(head[body_start], b'\r' | b'\n') {
            body_start += 1;
        }
        let Some(end) = find(&head[body_start..], b"endstream") else {
            break;
        };
        let body = &head[body_start..body_start + end];
        from = body_start + end + 9;
        if dictionary.ends_with(b"end") {
            continue;
        }
        streams += 1;
        let content = if find(dictionary, b"/FlateDecode").is_some() {
            let mut out = Vec::new();
            if flate2::read::ZlibDecoder::new(body)
                .take(4 * 1024 * 1024)
                .read_to_end(&mut out)
                .is_err()
            {
                continue;
            }
            out
        } else {
            body.to_vec()
        };
        for block in split_text_objects(&content) {
            let line = strings(block).join("");
            if !line.trim().is_empty() {
                lines.push(line);
            }
        }
    }
    lines
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The `BT … ET` text objects of a content stream.
fn split_text_objects(content: &[u8]) -> Vec<&[u8]> {
    let mut blocks = Vec::new();
    let mut rest = content;
    while let Some(begin) = find(rest, b"BT") {
        let after = &rest[begin + 2..];
        let end = find(after, b"ET").unwrap_or(after.len());
        blocks.push(&after[..end]);
        rest = &after[end.min(after.len())..];
        if end == after.len() {
            break;
        }
    }
    blocks
}

/// The strings of a piece of PDF: `(literal)` with its escapes, and `<hex>`.
fn strings(piece: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < piece.len() && found.len() < 256 {
        match piece[i] {
            b'(' => {
                let mut depth = 1;
                let mut raw = Vec::new();
                i += 1;
                while i < piece.len() && depth > 0 {
                    match piece[i] {
                        b'\\' if i + 1 < piece.len() => {
                            i += 1;
                            match piece[i] {
                                b'n' => raw.push(b'\n'),
                                b'r' => raw.push(b'\r'),
                                b't' => raw.push(b'\t'),
                                d @ b'0'..=b'7' => {
                                    let mut value = u32::from(d - b'0');
                                    for _ in 0..2 {
                                        if i + 1 < piece.len()
                                            && (b'0'..=b'7').contains(&piece[i + 1])
                                        {
                                            i += 1;
                                            value = value * 8 + u32::from(piece[i] - b'0');
                                        }
                                    }
                                    raw.push((value & 0xff) as u8);
                                }
                                other => raw.push(other),
                            }
                        }
                        b'(' => {
                            depth += 1;
                            raw.push(b'(');
                        }
                        b')' => {
                            depth -= 1;
                            if depth > 0 {
                                raw.push(b')');
                            }
                        }
                        other => raw.push(other),
                    }
                    i += 1;
                }
                found.push(decode(&raw));
            }
            b'<' if piece.get(i + 1) != Some(&b'<') => {
                let end = piece[i..]
                    .iter()
                    .position(|&b| b == b'>')
                    .map_or(piece.len(), |e| i + e);
                let digits: Vec<u8> = piece[i + 1..end]
                    .iter()
                    .copied()
                    .filter(u8::is_ascii_hexdigit)
                    .collect();
                let raw: Vec<u8> = digits
                    .chunks(2)
                    .filter_map(|pair| {
                        let text = std::str::from_utf8(pair).ok()?;
                        u8::from_str_radix(&format!("{text:0<2}"), 16).ok()
                    })
                    .collect();
                found.push(decode(&raw));
                i = end + 1;
            }
            b'<' => i += 2,
            _ => i += 1,
        }
    }
    found
}

/// A PDF string's bytes as text: UTF-16BE after its byte-order mark, else UTF-8 where valid,
/// else Latin-1 (close to PDFDocEncoding).
fn decode(raw: &[u8]) -> String {
    if let Some(utf16) = raw.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = utf16
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    match std::str::from_utf8(raw) {
        Ok(text) => text.to_owned(),
        Err(_) => raw.iter().map(|&b| char::from(b)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_a_stamp_are_classified_and_others_are_not() {
        for name in [
            "TỐI MẬT - Báo cáo.pdf",
            "Báo cáo (Mật).pdf",
            "Mật_báo_cáo.pdf",
            "tuyet-mat.pdf".replace("tuyet-mat", "tuyệt-mật").as_str(),
            "Độ mật - KH.docx",
        ] {
            assert!(classified_name(name), "{name}");
        }
        for name in [
            "Báo cáo năm 2021.pdf",
            "Bảo vệ bí mật.pdf",
            "Mật khẩu wifi.png",
        ] {
            assert!(!classified_name(name), "{name}");
        }
    }

    #[test]
    fn a_pdf_title_and_first_page_text_are_read() {
        let title: String = "TỐI MẬT"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .map(|b| format!("{b:02X}"))
            .collect();
        let pdf = format!(
            "%PDF-1.4\n1 0 obj << /Title <FEFF{title}> >> endobj\n2 0 obj << /Length 30 >>\nstream\nBT /F1 12 Tf (Hello \\(world\\)) Tj ET\nendstream\nendobj\n%%EOF"
        );
        let lines = pdf_lines(pdf.as_bytes());
        assert_eq!(lines, ["TỐI MẬT", "Hello (world)"]);
    }

    #[test]
    fn compressed_content_streams_are_inflated() {
        use std::io::Write as _;
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder
            .write_all("BT (MẬT) Tj ET".as_bytes())
            .unwrap_or_default();
        let body = encoder.finish().unwrap_or_default();
        let mut pdf = b"%PDF-1.4\n1 0 obj << /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend_from_slice(&body);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        assert_eq!(pdf_lines(&pdf), ["MẬT"]);
    }
}
