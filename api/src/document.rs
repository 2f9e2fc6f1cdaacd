//! Official document references (số, ký hiệu văn bản): `219/KH-UBND`, `2480/STTTT-BCXB`.
//!
//! A number and symbol is unique per issuing agency and calendar year; numbering restarts every
//! 1 January. The shape is checked (`<number>/<symbol>`, the symbol made of letters, Vietnamese
//! ones included, digits and `-`); the value is stored as given, with its issue date beside it.

use chrono::NaiveDate;

use crate::error::{AppError, AppResult, Msg};

/// A checked document number and symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentNumber(String);

impl DocumentNumber {
    /// Parses `raw` (trimmed; a leading "Số:" is dropped).
    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        let value = raw.trim();
        let value = value
            .strip_prefix("Số:")
            .or_else(|| value.strip_prefix("số:"))
            .map_or(value, str::trim);
        let valid = match value.split_once('/') {
            Some((number, symbol)) => {
                !number.is_empty()
                    && number.len() <= 6
                    && number.bytes().all(|b| b.is_ascii_digit())
                    && !symbol.is_empty()
                    && symbol.chars().count() <= 50
                    && symbol
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
                    && symbol.chars().next().is_some_and(char::is_alphanumeric)
            }
            None => false,
        };
        if !valid {
            return Err(AppError::bad_input(
                field,
                Msg::new(
                    "Số, ký hiệu văn bản có dạng <số>/<ký hiệu>, ví dụ 219/KH-UBND",
                    "A document number has the shape <number>/<symbol>, e.g. 219/KH-UBND",
                ),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The number and symbol.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As stored.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A document reference: number and symbol, and issue date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentRef {
    /// Number and symbol.
    pub number: DocumentNumber,
    /// Issue date.
    pub date: NaiveDate,
}

/// A document reference as the API shows it.
#[derive(async_graphql::SimpleObject, Clone, Debug)]
pub struct DocumentReference {
    /// Number and symbol (số, ký hiệu), e.g. "219/KH-UBND".
    pub number: String,
    /// Issue date (ngày ban hành).
    pub date: crate::graphql::scalars::Date,
}

impl DocumentReference {
    /// From stored columns (both or neither present).
    pub fn from_columns(number: Option<&str>, date: Option<NaiveDate>) -> Option<Self> {
        Some(Self {
            number: number?.to_owned(),
            date: date?.into(),
        })
    }
}

/// A document reference given as input.
#[derive(async_graphql::InputObject, serde::Serialize, Clone, Debug)]
pub struct DocumentInput {
    /// Number and symbol (số, ký hiệu), e.g. "219/KH-UBND".
    pub number: String,
    /// Issue date (ngày ban hành).
    pub date: crate::graphql::scalars::Date,
}

impl DocumentInput {
    /// Checks the number's shape; errors name `field.number`.
    pub fn parse(&self, field: &'static str) -> AppResult<DocumentRef> {
        Ok(DocumentRef {
            number: DocumentNumber::parse("number", &self.number).map_err(|e| e.under(field))?,
            date: self.date.0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_document_numbers_parse() {
        for raw in [
            "219/KH-UBND",
            "2480/STTTT-BCXB",
            "Số: 45/BC-UBND",
            "537/STTTT-TTBCXB",
            "12/QĐ-UBND",
        ] {
            assert!(DocumentNumber::parse("n", raw).is_ok(), "{raw}");
        }
        assert_eq!(
            DocumentNumber::parse("n", "Số: 45/BC-UBND")
                .ok()
                .map(DocumentNumber::into_inner)
                .as_deref(),
            Some("45/BC-UBND")
        );
        for raw in [
            "",
            "KH-UBND",
            "/KH",
            "12/",
            "abc/KH",
            "12/KH UBND",
            "12/-KH",
        ] {
            assert!(DocumentNumber::parse("n", raw).is_err(), "{raw}");
        }
    }
}
