//! Who issues a document and how it names itself: the letterhead of an agency, its place and
//! date line, its number and symbol, the authority it signs under, and the file name.

use chrono::NaiveDate;
use entity::{
    agency::{self, AgencyKind},
    reporting_obligation,
};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::layout::{blank_date_words, date_words};
use crate::error::{AppError, AppResult, Msg};

pub(super) fn not_found(vi: &'static str, en: &'static str) -> AppError {
    AppError::NotFound(Msg::new(vi, en))
}

pub(super) fn parse_id(raw: &str, vi: &'static str, en: &'static str) -> AppResult<Uuid> {
    Uuid::try_parse(raw).map_err(|_| not_found(vi, en))
}

/// Whether an agency is a people's committee (Ủy ban nhân dân) of some level.
pub(super) fn is_committee(agency: &agency::Model) -> bool {
    matches!(
        agency.kind,
        AgencyKind::ProvincialCommittee | AgencyKind::District | AgencyKind::Commune
    )
}

/// `UBND huyện Triệu Sơn` → `huyện Triệu Sơn`; a name without the prefix stays.
pub(super) fn without_committee_prefix(name: &str) -> &str {
    ["UBND ", "Ủy ban nhân dân ", "Uỷ ban nhân dân "]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))
        .unwrap_or(name)
}

/// The place written before the date: the name of the administrative unit without its level
/// (`Triệu Sơn`, `Thanh Hóa`); a city or town keeps it (`Thành phố Cao Bằng`).
pub(super) fn place_of_committee(agency: &agency::Model) -> String {
    let unit = without_committee_prefix(&agency.name);
    for level in [
        "tỉnh ",
        "huyện ",
        "xã ",
        "thị trấn ",
        "phường ",
        "Tỉnh ",
        "Huyện ",
        "Xã ",
    ] {
        if let Some(rest) = unit.strip_prefix(level) {
            return rest.to_owned();
        }
    }
    let mut chars = unit.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The issuer as the letterhead names it, with the agencies above it.
pub(super) struct Issuer {
    pub(super) agency: agency::Model,
    /// Parent first, then its parent, up to the root.
    ancestors: Vec<agency::Model>,
}

impl Issuer {
    pub(super) async fn load<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Self> {
        let agency = agency::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| not_found("Không tìm thấy cơ quan", "Agency not found"))?;
        let mut ancestors = Vec::new();
        let mut next = agency.parent_id;
        while let Some(parent) = next {
            let Some(row) = agency::Entity::find_by_id(parent).one(db).await? else {
                break;
            };
            next = row.parent_id;
            ancestors.push(row);
            if ancestors.len() > 8 {
                break;
            }
        }
        Ok(Self { agency, ancestors })
    }

    /// The top-left lines: a committee is `ỦY BAN NHÂN DÂN` over its unit; any other agency
    /// is its name under its parent's.
    pub(super) fn letterhead(&self) -> (Option<String>, Vec<String>) {
        if is_committee(&self.agency) {
            (
                None,
                vec![
                    "Ủy ban nhân dân".to_owned(),
                    without_committee_prefix(&self.agency.name).to_owned(),
                ],
            )
        } else {
            let parent = self.ancestors.first().map(|p| {
                if is_committee(p) {
                    format!("UBND {}", without_committee_prefix(&p.name))
                } else {
                    p.name.clone()
                }
            });
            (parent, vec![self.agency.name.clone()])
        }
    }

    /// The place of the nearest committee, the agency itself included.
    pub(super) fn place(&self) -> String {
        std::iter::once(&self.agency)
            .chain(&self.ancestors)
            .find(|a| is_committee(a))
            .map(place_of_committee)
            .unwrap_or_default()
    }

    /// `Triệu Sơn, ngày 15 tháng 12 năm 2021`, or with the day and month left blank.
    pub(super) fn place_date(&self, date: Option<NaiveDate>, year: i32) -> String {
        let words = date.map_or_else(|| blank_date_words(year), date_words);
        format!("{}, {words}", self.place())
    }

    /// `Số: 12/BC-UBND`, or `Số:      /BC-UBND` for a document not numbered yet.
    pub(super) fn number(&self, given: Option<&str>, kind: Option<&str>) -> String {
        match given {
            Some(number) => format!("Số: {number}"),
            None => match kind {
                Some(kind) => format!("Số:        /{kind}-{}", self.agency.short_name),
                None => format!("Số:        /{}", self.agency.short_name),
            },
        }
    }

    /// The authority line a committee signs under.
    pub(super) fn authority(&self) -> Vec<String> {
        if is_committee(&self.agency) {
            vec!["TM. Ủy ban nhân dân".to_owned()]
        } else {
            Vec::new()
        }
    }
}

/// `Báo cáo hoạt động …` → `hoạt động …` after "về việc": the title with a lower-case first
/// letter.
pub(super) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

pub(super) fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The file name of a document: its type and symbol (`Báo cáo 12-BC-UBND`), or its type and
/// issuer while it has no number.
pub(super) fn file_name(
    kind: &str,
    number: Option<&str>,
    issuer: &agency::Model,
    draft: bool,
) -> String {
    let base = match number {
        Some(number) => format!("{kind} {}", number.replace('/', "-")),
        None => format!("{kind} - {}", issuer.name),
    };
    if draft {
        format!("{base} (dự thảo)")
    } else {
        base
    }
}

/// "Thực hiện Công văn số 2480/STTTT-BCXB ngày 18/11/2021 của Sở … về việc …"
pub(super) fn request_reference(
    obligation: &reporting_obligation::Model,
    issuer: &agency::Model,
) -> String {
    let what = lower_first(&obligation.title);
    match (&obligation.doc_number, obligation.doc_date) {
        (Some(number), Some(date)) => format!(
            "Thực hiện Công văn số {number} ngày {} của {} về việc {what}",
            crate::time::date_vi(date),
            issuer.name
        ),
        _ => format!("Thực hiện yêu cầu của {} về việc {what}", issuer.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_units_without_their_level() {
        let committee = |name: &str| agency::Model {
            name: name.to_owned(),
            kind: AgencyKind::District,
            ..crate::official::tests::agency()
        };
        assert_eq!(
            place_of_committee(&committee("UBND huyện Triệu Sơn")),
            "Triệu Sơn"
        );
        assert_eq!(
            place_of_committee(&committee("UBND tỉnh Thanh Hóa")),
            "Thanh Hóa"
        );
        assert_eq!(
            place_of_committee(&committee("UBND thành phố Cao Bằng")),
            "Thành phố Cao Bằng"
        );
        assert_eq!(
            place_of_committee(&committee("Thị trấn Nưa")),
            "Thị trấn Nưa"
        );
        assert_eq!(place_of_committee(&committee("UBND xã Dân Lực")), "Dân Lực");
    }

    #[test]
    fn file_names_carry_the_symbol() {
        let issuer = crate::official::tests::agency();
        assert_eq!(
            file_name("Báo cáo", Some("12/BC-UBND"), &issuer, false),
            "Báo cáo 12-BC-UBND"
        );
        assert_eq!(
            file_name("Báo cáo", None, &issuer, true),
            "Báo cáo - UBND huyện Triệu Sơn (dự thảo)"
        );
    }
}
