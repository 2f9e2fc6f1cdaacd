//! The layout of an administrative document (Nghị định 30/2020/NĐ-CP, Appendix I) as a Word
//! file: A4 portrait, Times New Roman, the decree's margins; the issuing agency and the
//! number at top left, the national title and motto with place and date at top right, the
//! document type and title centred, `Kính gửi:`, the body, then `Nơi nhận:` at bottom left
//! and the signature block at bottom right.
//!
//! [`Official`] is what a document says; [`Official::to_docx`] lays it out with `docx-rs`.
//! Nothing here reads the database: the areas' records become an [`Official`] in `service`.

use docx_rs::{
    AlignmentType, BreakType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts,
    SpecialIndentType, Table, TableCell, TableRow, WidthType,
};

/// A4 in twentieths of a point (210 × 297 mm).
const A4: (u32, u32) = (11_906, 16_838);
/// Margins in twentieths of a point: top and bottom 20 mm, left 30 mm, right 15 mm.
const MARGIN: (i32, i32, i32, i32) = (1_134, 1_701, 1_134, 850);
/// The width of the text between the margins.
const TEXT_WIDTH: usize = 11_906 - 1_701 - 850;
/// The font of every run (the decree asks for a Unicode Times New Roman).
const FONT: &str = "Times New Roman";
/// Body text, in half-points (14 pt).
const BODY: usize = 28;
/// The header lines (13 pt) and the national title and `Nơi nhận:` (12 pt).
const HEADER: usize = 26;
const SMALL: usize = 24;
/// The list under `Nơi nhận:` (11 pt).
const LIST: usize = 22;
/// The first-line indent of body paragraphs (1 cm).
const INDENT: i32 = 567;

/// The national title and motto, as the decree spells them.
pub const NATIONAL_TITLE: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
/// The motto under the national title.
pub const MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";
/// The mark of a document not yet issued.
pub const DRAFT_MARK: &str = "DỰ THẢO";

/// One part of a document's body.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A heading, in bold (`I. ĐẶC ĐIỂM TÌNH HÌNH`).
    Heading(String),
    /// A paragraph of body text, justified with a first-line indent.
    Text(String),
    /// A table with a bold header row; `widths` are relative.
    Table {
        /// The header cells.
        headers: Vec<String>,
        /// The rows, each as long as `headers`.
        rows: Vec<Vec<String>>,
        /// Relative column widths, as many as `headers`.
        widths: Vec<usize>,
        /// Whether the last row is a total (set in bold).
        total: bool,
    },
}

/// The signature block: the authority (`TM. ỦY BAN NHÂN DÂN`, `KT. CHỦ TỊCH`), the signer's
/// title (`PHÓ CHỦ TỊCH`) and name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Signature {
    /// Lines above the space for signature and seal, in bold capitals.
    pub lines: Vec<String>,
    /// The signer's full name, when known; the line stays free for it otherwise.
    pub name: Option<String>,
}

/// An administrative document, ready to be laid out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Official {
    /// The parent agency's name (`UBND TỈNH THANH HÓA`), when the issuer shows one.
    pub parent: Option<String>,
    /// The issuing agency's name, one or two lines (`ỦY BAN NHÂN DÂN` / `HUYỆN TRIỆU SƠN`).
    pub issuer: Vec<String>,
    /// `Số: 12/BC-UBND`, or the blank number of a document not yet numbered.
    pub number: String,
    /// A letter's subject (`V/v báo cáo …`), under the number.
    pub subject: Option<String>,
    /// `Triệu Sơn, ngày 15 tháng 12 năm 2021`.
    pub place_date: String,
    /// The document type (`BÁO CÁO`, `KẾ HOẠCH`); a letter (công văn) has none.
    pub kind: Option<String>,
    /// The title under the type.
    pub title: Option<String>,
    /// `Kính gửi:` these (none for a plan).
    pub recipients: Vec<String>,
    /// The body.
    pub body: Vec<Block>,
    /// The list under `Nơi nhận:`.
    pub copies_to: Vec<String>,
    /// The signature block.
    pub signature: Signature,
    /// Whether this is a draft (marked `DỰ THẢO` above the header).
    pub draft: bool,
}

fn run(text: impl Into<String>, size: usize) -> Run {
    Run::new().add_text(text).size(size)
}

fn centred(run: Run) -> Paragraph {
    Paragraph::new()
        .add_run(run)
        .align(AlignmentType::Center)
        .line_spacing(LineSpacing::new().before(0).after(0))
}

fn cell(paragraphs: Vec<Paragraph>, width: usize) -> TableCell {
    paragraphs
        .into_iter()
        .fold(TableCell::new(), TableCell::add_paragraph)
        .width(width, WidthType::Dxa)
}

/// Splits `total` twips in proportion to `weights`.
fn columns(weights: &[usize], total: usize) -> Vec<usize> {
    let sum = weights.iter().sum::<usize>().max(1);
    weights.iter().map(|w| total * w / sum).collect()
}

impl Official {
    /// The top of the page: issuer and number at left, national title, motto and place and
    /// date at right, in a table without borders.
    fn letterhead(&self) -> Table {
        let widths = columns(&[2, 3], TEXT_WIDTH);
        let mut left = Vec::new();
        if let Some(parent) = &self.parent {
            left.push(centred(run(parent.to_uppercase(), HEADER)));
        }
        for line in &self.issuer {
            left.push(centred(run(line.to_uppercase(), HEADER).bold()));
        }
        left.push(centred(run("", HEADER)));
        left.push(centred(run(self.number.clone(), HEADER)));
        if let Some(subject) = &self.subject {
            left.push(centred(run(subject.clone(), SMALL)));
        }
        let right = vec![
            centred(run(NATIONAL_TITLE, SMALL).bold()),
            centred(run(MOTTO, HEADER).bold().underline("single")),
            centred(run("", HEADER)),
            centred(run(self.place_date.clone(), BODY).italic()),
        ];
        Table::without_borders(vec![TableRow::new(vec![
            cell(left, widths[0]),
            cell(right, widths[1]),
        ])])
        .set_grid(widths)
        .width(TEXT_WIDTH, WidthType::Dxa)
    }

    /// The bottom of the document: `Nơi nhận:` at left, the signature block at right.
    fn closing(&self) -> Table {
        let widths = columns(&[1, 1], TEXT_WIDTH);
        let mut left = vec![
            Paragraph::new()
                .add_run(run("Nơi nhận:", SMALL).bold().italic())
                .line_spacing(LineSpacing::new().before(120).after(0)),
        ];
        left.extend(self.copies_to.iter().map(|line| {
            Paragraph::new()
                .add_run(run(line.clone(), LIST))
                .line_spacing(LineSpacing::new().before(0).after(0))
        }));
        let mut right: Vec<Paragraph> = self
            .signature
            .lines
            .iter()
            .map(|line| centred(run(line.to_uppercase(), BODY).bold()))
            .collect();
        for _ in 0..4 {
            right.push(centred(run("", BODY)));
        }
        right.push(centred(
            run(self.signature.name.clone().unwrap_or_default(), BODY).bold(),
        ));
        Table::without_borders(vec![TableRow::new(vec![
            cell(left, widths[0]),
            cell(right, widths[1]),
        ])])
        .set_grid(widths)
        .width(TEXT_WIDTH, WidthType::Dxa)
    }

    fn table(headers: &[String], rows: &[Vec<String>], weights: &[usize], total: bool) -> Table {
        let widths = columns(weights, TEXT_WIDTH);
        let line = |texts: &[String], bold: bool| {
            TableRow::new(
                texts
                    .iter()
                    .zip(&widths)
                    .enumerate()
                    .map(|(i, (text, width))| {
                        let mut r = run(text.clone(), SMALL);
                        if bold {
                            r = r.bold();
                        }
                        // Names read from the left; numbers and the STT column are centred.
                        let align = if i == 0 || bold || text.parse::<f64>().is_ok() {
                            AlignmentType::Center
                        } else {
                            AlignmentType::Left
                        };
                        cell(
                            vec![
                                Paragraph::new()
                                    .add_run(r)
                                    .align(align)
                                    .line_spacing(LineSpacing::new().before(40).after(40)),
                            ],
                            *width,
                        )
                    })
                    .collect(),
            )
        };
        let mut table_rows = vec![line(headers, true)];
        let last = rows.len().saturating_sub(1);
        table_rows.extend(
            rows.iter()
                .enumerate()
                .map(|(i, row)| line(row, total && i == last)),
        );
        Table::new(table_rows)
            .set_grid(widths)
            .width(TEXT_WIDTH, WidthType::Dxa)
    }

    /// The document as a `.docx` file.
    pub fn to_docx(&self) -> anyhow::Result<Vec<u8>> {
        let fonts = RunFonts::new()
            .ascii(FONT)
            .hi_ansi(FONT)
            .east_asia(FONT)
            .cs(FONT);
        let mut doc = Docx::new()
            .page_size(A4.0, A4.1)
            .page_margin(PageMargin {
                top: MARGIN.0,
                left: MARGIN.1,
                bottom: MARGIN.2,
                right: MARGIN.3,
                header: 720,
                footer: 720,
                gutter: 0,
            })
            .default_fonts(fonts)
            .default_size(BODY);
        if self.draft {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .add_run(run(DRAFT_MARK, BODY).bold())
                    .align(AlignmentType::Right),
            );
        }
        doc = doc.add_table(self.letterhead());
        doc = doc.add_paragraph(centred(run("", BODY)));
        if let Some(kind) = &self.kind {
            doc = doc.add_paragraph(centred(run(kind.to_uppercase(), BODY).bold()));
        }
        if let Some(title) = &self.title {
            doc = doc.add_paragraph(centred(run(title.clone(), BODY).bold()));
        }
        match self.recipients.as_slice() {
            [] => {}
            [one] => {
                doc = doc.add_paragraph(
                    centred(run(format!("Kính gửi: {one}."), BODY))
                        .line_spacing(LineSpacing::new().before(240).after(240)),
                );
            }
            many => {
                doc = doc.add_paragraph(
                    Paragraph::new()
                        .add_run(run("Kính gửi:", BODY))
                        .indent(Some(2_268), None, None, None)
                        .line_spacing(LineSpacing::new().before(240).after(0)),
                );
                let last = many.len() - 1;
                for (i, recipient) in many.iter().enumerate() {
                    let end = if i == last { "." } else { ";" };
                    doc = doc.add_paragraph(
                        Paragraph::new()
                            .add_run(run(format!("- {recipient}{end}"), BODY))
                            .indent(Some(3_402), None, None, None)
                            .line_spacing(LineSpacing::new().before(0).after(0)),
                    );
                }
                doc = doc.add_paragraph(centred(run("", BODY)));
            }
        }
        for block in &self.body {
            doc = match block {
                Block::Heading(text) => doc.add_paragraph(
                    Paragraph::new()
                        .add_run(run(text.clone(), BODY).bold())
                        .align(AlignmentType::Both)
                        .indent(None, Some(SpecialIndentType::FirstLine(INDENT)), None, None)
                        .line_spacing(LineSpacing::new().before(120).after(120)),
                ),
                Block::Text(text) => text
                    .split('\n')
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .fold(doc, |doc, line| {
                        doc.add_paragraph(
                            Paragraph::new()
                                .add_run(run(line, BODY))
                                .align(AlignmentType::Both)
                                .indent(
                                    None,
                                    Some(SpecialIndentType::FirstLine(INDENT)),
                                    None,
                                    None,
                                )
                                .line_spacing(LineSpacing::new().before(0).after(120)),
                        )
                    }),
                Block::Table {
                    headers,
                    rows,
                    widths,
                    total,
                } => doc
                    .add_table(Self::table(headers, rows, widths, *total))
                    .add_paragraph(Paragraph::new().add_run(run("", SMALL))),
            };
        }
        doc = doc.add_paragraph(
            Paragraph::new().add_run(run("", BODY).add_break(BreakType::TextWrapping)),
        );
        doc = doc.add_table(self.closing());
        let mut out = std::io::Cursor::new(Vec::new());
        doc.build().pack(&mut out)?;
        Ok(out.into_inner())
    }
}

/// `ngày 05 tháng 02 năm 2021`, as the decree writes dates: days below 10 and months below 3
/// with a leading zero.
pub fn date_words(day: chrono::NaiveDate) -> String {
    use chrono::Datelike as _;
    let month = if day.month() < 3 {
        format!("{:02}", day.month())
    } else {
        day.month().to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", day.day(), day.year())
}

/// The date line of a document not dated yet, as offices print it for the signer to fill:
/// `ngày      tháng      năm 2021`.
pub fn blank_date_words(year: i32) -> String {
    format!("ngày      tháng      năm {year}")
}

/// The Roman numeral of a heading (1 → I, 4 → IV, up to 39).
pub fn roman(n: usize) -> String {
    const TENS: [&str; 4] = ["", "X", "XX", "XXX"];
    const UNITS: [&str; 10] = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"];
    format!("{}{}", TENS[(n / 10).min(3)], UNITS[n % 10])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_the_decree_writes_them() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(date_words(day(2021, 12, 15)), "ngày 15 tháng 12 năm 2021");
        assert_eq!(date_words(day(2021, 2, 5)), "ngày 05 tháng 02 năm 2021");
        assert_eq!(date_words(day(2021, 6, 5)), "ngày 05 tháng 6 năm 2021");
    }

    #[test]
    fn headings_count_in_roman_numerals() {
        let numerals: Vec<String> = [1, 2, 4, 5, 9, 10, 14].into_iter().map(roman).collect();
        assert_eq!(numerals, ["I", "II", "IV", "V", "IX", "X", "XIV"]);
    }

    #[test]
    fn columns_share_the_text_width() {
        assert_eq!(columns(&[1, 1], 100), [50, 50]);
        assert_eq!(columns(&[1, 3], 100), [25, 75]);
    }
}
