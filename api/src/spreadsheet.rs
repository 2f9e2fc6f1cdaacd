//! Cells of every spreadsheet the API exports (CSV today), made safe to open.
//!
//! A spreadsheet program runs a cell that begins with `=`, `+`, `-` or `@` as a formula, and
//! treats a leading tab or carriage return the same way in some versions; quoting the cell does
//! not stop it. Any text written into an export (an agency's name, a metric label typed by a
//! department) could then run `=HYPERLINK(…)` on the reader's machine. Following the OWASP
//! rule on CSV injection, such a cell is written with a leading `'`, which shows the text as it
//! is. Plain numbers (`-5`, `2.5`) are left alone: they cannot be formulas, and a report's
//! figures stay numbers.
//!
//! Every export format goes through [`cell`]; [`csv_row`] adds the CSV quoting. An export is
//! built once as a [`Table`] of typed cells and written as CSV or XLSX ([`Table::to_csv`],
//! [`Table::to_xlsx`]), so both formats carry the same labels.

use std::borrow::Cow;

use chrono::NaiveDate;

/// Whether `value` would be read as a formula by a spreadsheet program.
fn is_formula_like(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') && value.parse::<f64>().is_err()
}

/// The text of one cell, neutralised when a spreadsheet would run it.
pub fn cell(value: &str) -> Cow<'_, str> {
    if is_formula_like(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// One CSV field: neutralised, then quoted when needed (RFC 4180).
fn csv_field(value: &str) -> String {
    let value = cell(value);
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.into_owned()
    }
}

/// One CSV line of `cells`, with its CRLF ending.
pub fn csv_row<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = cells
        .iter()
        .map(|c| csv_field(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// One typed cell of an export.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text (names, labels).
    Text(String),
    /// Text that looks like a number but is not one (administrative codes such as `01273`,
    /// document numbers): kept as text, leading zeros included.
    Code(String),
    /// A whole number.
    Int(i64),
    /// A number.
    Number(f64),
    /// A calendar date.
    Date(NaiveDate),
    /// Nothing.
    Empty,
}

impl Cell {
    /// Text, or empty when `None`.
    pub fn text(value: Option<impl Into<String>>) -> Self {
        value.map_or(Cell::Empty, |v| Cell::Text(v.into()))
    }

    /// A code, or empty when `None`.
    pub fn code(value: Option<impl Into<String>>) -> Self {
        value.map_or(Cell::Empty, |v| Cell::Code(v.into()))
    }

    fn csv_text(&self) -> String {
        match self {
            Cell::Text(t) | Cell::Code(t) => t.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A sheet to export: title lines, a header row, and rows of typed cells.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// The sheet's name (at most 31 characters in XLSX).
    pub name: String,
    /// Lines above the header: what the sheet is (the công văn, the period).
    pub title: Vec<String>,
    /// Column headers.
    pub headers: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// CSV, UTF-8 with a byte-order mark (so that Excel reads Vietnamese), the title lines
    /// first.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("\u{feff}");
        for line in &self.title {
            out.push_str(&csv_row(&[line]));
        }
        out.push_str(&csv_row(&self.headers));
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(Cell::csv_text).collect();
            out.push_str(&csv_row(&cells));
        }
        out
    }

    /// An XLSX workbook of one sheet: the title lines in bold, then the header row, bold and
    /// frozen; numbers as numbers, codes as text, dates as dates (dd/mm/yyyy); columns fitted
    /// to their content; printed landscape on A4, one page wide.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        let name: String = self.name.chars().take(31).collect();
        sheet.set_name(if name.is_empty() { "Sheet1" } else { &name })?;
        let bold = Format::new().set_bold();
        let date = Format::new().set_num_format("dd/mm/yyyy");
        let text = Format::new().set_num_format("@");
        let mut row = self.title.len() as u32;
        for (col, header) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, cell(header), &bold)?;
        }
        sheet.set_freeze_panes(row + 1, 0)?;
        for values in &self.rows {
            row += 1;
            for (col, value) in values.iter().enumerate() {
                let col = col as u16;
                match value {
                    Cell::Text(t) => {
                        sheet.write_string(row, col, cell(t))?;
                    }
                    Cell::Code(t) => {
                        sheet.write_string_with_format(row, col, cell(t), &text)?;
                    }
                    Cell::Int(n) => {
                        sheet.write_number(row, col, *n as f64)?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number(row, col, *n)?;
                    }
                    Cell::Date(d) => {
                        sheet.write_date_with_format(row, col, *d, &date)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        // Fitted to the header and the figures; the title lines, written after, overflow
        // into the empty cells beside them instead of widening the first column.
        sheet.autofit();
        for (line, text) in self.title.iter().enumerate() {
            sheet.write_string_with_format(line as u32, 0, cell(text), &bold)?;
        }
        sheet.set_landscape();
        sheet.set_print_fit_to_pages(1, 0);
        sheet.set_paper_size(9); // A4
        workbook.save_to_buffer()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_plain_values_kept() {
        for formula in [
            "=HYPERLINK(\"http://x\",\"click\")",
            "=2+2",
            "@SUM(A1)",
            "+3+4",
            "-5+6",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(cell(formula), format!("'{formula}"), "{formula:?}");
        }
        for plain in ["UBND huyện Triệu Sơn", "-5", "2.5", "+84", "", "a=b"] {
            assert_eq!(cell(plain), plain, "{plain:?}");
        }
    }

    #[test]
    fn csv_quotes_after_neutralising() {
        assert_eq!(
            csv_row(&["=HYPERLINK(\"http://x\",\"click\")", "a,b", "3"]),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\",\"a,b\",3\r\n"
        );
    }
}
