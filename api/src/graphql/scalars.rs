//! Custom scalars.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date in Vietnam time, `YYYY-MM-DD` (ISO 8601). Deadlines are dates: a report due on
/// `2021-11-15` is on time until 23:59:59 +07:00 that day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Date(pub NaiveDate);

/// Calendar date in Vietnam time, `YYYY-MM-DD` (ngày, giờ Việt Nam UTC+07:00). A deadline date
/// includes the whole day until 23:59:59 +07:00.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| {
                    InputValueError::custom(format!("expected a date YYYY-MM-DD, got {text:?}"))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(text) if NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Date(date)
    }
}
