//! Custom scalars, each with a description and a `@specifiedBy` URL so that generated client
//! types know what they hold. (`DateTime` is async-graphql's own, RFC 3339, with its
//! description set in `schema::build`.)

use std::borrow::Cow;

use async_graphql::{
    ContextSelectionSet, InputType, InputValueError, InputValueResult, OutputType, Positioned,
    Scalar, ScalarType, ServerResult, Value,
    parser::types::Field,
    registry::{MetaType, MetaTypeId, Registry},
};
use chrono::NaiveDate;
use serde::{Serialize, de::DeserializeOwned};

/// The description of `DateTime`.
pub const DATE_TIME_DESCRIPTION: &str = "An instant, as an RFC 3339 date and time with its \
offset (`2026-12-02T09:30:00+07:00`); answers are in UTC (`2026-12-02T02:30:00+00:00`).";

/// A calendar date in Vietnam time, `YYYY-MM-DD` (ISO 8601). Deadlines are dates: a report due on
/// `2021-11-15` is on time until 23:59:59 +07:00 that day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Date(pub NaiveDate);

/// Calendar date in Vietnam time, `YYYY-MM-DD` (ngày, giờ Việt Nam UTC+07:00). A deadline date
/// includes the whole day until 23:59:59 +07:00.
#[Scalar(
    name = "Date",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
)]
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

/// Any JSON value (RFC 8259), as the `JSON` scalar.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Json<T>(pub T);

const JSON_NAME: &str = "JSON";
const JSON_DESCRIPTION: &str = "Any JSON value (RFC 8259): an object, array, string, number, \
boolean or null, given as is (not as a string). Each field that uses it says what shape it has.";
const JSON_SPEC: &str = "https://www.rfc-editor.org/rfc/rfc8259";

fn json_meta() -> MetaType {
    MetaType::Scalar {
        name: JSON_NAME.to_owned(),
        description: Some(JSON_DESCRIPTION.to_owned()),
        is_valid: None,
        visible: None,
        inaccessible: false,
        tags: Vec::new(),
        specified_by_url: Some(JSON_SPEC.to_owned()),
        directive_invocations: Vec::new(),
        requires_scopes: Vec::new(),
    }
}

impl<T: DeserializeOwned + Serialize + Send + Sync> InputType for Json<T> {
    type RawValueType = T;

    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(JSON_NAME)
    }

    fn create_type_info(registry: &mut Registry) -> String {
        registry.create_input_type::<Json<T>, _>(MetaTypeId::Scalar, |_| json_meta())
    }

    fn parse(value: Option<Value>) -> InputValueResult<Self> {
        Ok(Json(async_graphql::from_value(value.unwrap_or_default())?))
    }

    fn to_value(&self) -> Value {
        async_graphql::to_value(&self.0).unwrap_or_default()
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(&self.0)
    }
}

impl<T: Serialize + Send + Sync> OutputType for Json<T> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(JSON_NAME)
    }

    fn create_type_info(registry: &mut Registry) -> String {
        registry.create_output_type::<Json<T>, _>(MetaTypeId::Scalar, |_| json_meta())
    }

    async fn resolve(
        &self,
        _ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        Ok(async_graphql::to_value(&self.0).unwrap_or_default())
    }
}
