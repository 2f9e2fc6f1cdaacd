//! Vietnam time. Deadlines are calendar dates in UTC+07:00 (no daylight saving); timestamps are
//! stored in UTC.

use chrono::{FixedOffset, NaiveDate, Utc};

/// UTC+07:00, checked at compile time.
pub const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+07:00 is a valid offset"),
};

/// Today's date in Vietnam.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&VIETNAM).date_naive()
}

/// A date as Vietnamese documents and spreadsheets write it in figures: `18/11/2021`.
pub fn date_vi(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}
