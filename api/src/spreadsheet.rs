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
//! Every export format goes through [`cell`]; [`csv_row`] adds the CSV quoting.

use std::borrow::Cow;

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
