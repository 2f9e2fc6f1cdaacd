//! Official documents (văn bản hành chính): the reports, request letters and plans the system
//! holds, generated as Word files in the layout of Nghị định 30/2020/NĐ-CP, so that an office
//! files what ttdn produced instead of typing the figures into Word.
//!
//! - [`layout`]: the decree's layout, with `docx-rs`, from a plain description ([`layout::Official`]);
//! - [`service`]: the records, read under the caller's visibility, as such descriptions
//!   (reports in `report`, the letterhead and naming in `issuer`);
//! - [`http`]: the `GET /documents/...` routes.

pub mod http;
mod issuer;
pub mod layout;
mod report;
pub mod service;

#[cfg(test)]
mod tests {
    use entity::agency::{self, AgencyKind};

    /// An agency for unit tests: UBND huyện Triệu Sơn.
    pub(crate) fn agency() -> agency::Model {
        let day = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
        agency::Model {
            id: uuid::Uuid::nil(),
            name: "UBND huyện Triệu Sơn".to_owned(),
            search_name: "ubnd huyen trieu son".to_owned(),
            short_name: "UBND".to_owned(),
            kind: AgencyKind::District,
            parent_id: None,
            path: "/".to_owned(),
            depth: 1,
            admin_code: None,
            electronic_id: None,
            address: None,
            phone: None,
            email: None,
            website: None,
            press_media: None,
            press_licence: None,
            is_ttdn_lead: false,
            valid_from: day,
            valid_to: None,
            successor_id: None,
            version: 1,
            created_at: chrono::DateTime::default(),
            updated_at: chrono::DateTime::default(),
        }
    }
}
