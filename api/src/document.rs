//! Official document references (số, ký hiệu văn bản): `219/KH-UBND`, `2480/STTTT-BCXB`.
//!
//! A number and symbol is unique per issuing agency and calendar year; numbering restarts every
//! 1 January. [`register`] keeps the register (`issued_document`) that enforces it across every
//! kind of record that carries a number. The shape is checked (`<number>/<symbol>`, the symbol made of letters, Vietnamese
//! ones included, digits and `-`); the value is stored as given, with its issue date beside it.

use chrono::{Datelike as _, NaiveDate};
use entity::issued_document::{ActiveModel, Column, Entity as Issued};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::{AppError, AppResult, Msg};

/// The kinds of record that carry a document number, as the register names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numbered {
    /// A reporting obligation's request letter (công văn).
    Obligation,
    /// A plan (kế hoạch).
    Plan,
    /// An information release.
    Release,
    /// A report (báo cáo).
    Report,
}

impl Numbered {
    fn as_str(self) -> &'static str {
        match self {
            Numbered::Obligation => "ReportingObligation",
            Numbered::Plan => "Plan",
            Numbered::Release => "InformationRelease",
            Numbered::Report => "Report",
        }
    }

    fn describe(record_type: &str) -> (&'static str, &'static str) {
        match record_type {
            "ReportingObligation" => ("một yêu cầu báo cáo", "a reporting obligation"),
            "Plan" => ("một kế hoạch", "a plan"),
            "InformationRelease" => ("một văn bản cung cấp thông tin", "an information release"),
            _ => ("một báo cáo", "a report"),
        }
    }
}

fn taken(field: &'static str, number: &str, year: i32, by: &str) -> AppError {
    let (vi, en) = Numbered::describe(by);
    AppError::conflict(
        field,
        Msg::new(
            format!(
                "Số, ký hiệu {number} đã được cơ quan dùng năm {year} cho {vi}; số văn bản không lặp lại trong năm"
            ),
            format!(
                "{number} was already used by the agency in {year} for {en}; a document number never repeats within a year"
            ),
        ),
    )
}

/// Registers the document number of record `id` (of kind `of`, issued by `issuer`), replacing
/// what the record had registered; `None` takes its number off the register. A number and
/// symbol the issuer already used that year for another record is `CONFLICT` on
/// `field.number`, also when two requests race for it (the register's unique index decides).
pub async fn register<C: ConnectionTrait>(
    db: &C,
    of: Numbered,
    id: Uuid,
    issuer: Uuid,
    document: Option<&DocumentRef>,
    field: &'static str,
) -> AppResult<()> {
    Issued::delete_many()
        .filter(Column::RecordType.eq(of.as_str()))
        .filter(Column::RecordId.eq(id))
        .exec(db)
        .await?;
    let Some(document) = document else {
        return Ok(());
    };
    let (number, year) = (document.number.as_str(), document.date.year());
    let number_field = match field {
        "document" => "document.number",
        "content.document" => "content.document.number",
        _ => field,
    };
    if let Some(existing) = Issued::find()
        .filter(Column::IssuerAgencyId.eq(issuer))
        .filter(Column::Year.eq(year))
        .filter(Column::Number.eq(number))
        .one(db)
        .await?
    {
        return Err(taken(number_field, number, year, &existing.record_type));
    }
    Issued::insert(ActiveModel {
        record_type: Set(of.as_str().to_owned()),
        record_id: Set(id),
        issuer_agency_id: Set(issuer),
        year: Set(year),
        number: Set(number.to_owned()),
    })
    .exec_without_returning(db)
    .await
    .map_err(|err| match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            taken(number_field, number, year, of.as_str())
        }
        _ => AppError::from(err),
    })?;
    Ok(())
}

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
