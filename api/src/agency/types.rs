//! Validated values of the agency directory (parse, don't validate): once built, they are right.

use entity::agency::AgencyKind;

use crate::error::{AppError, AppResult, Msg};

/// Longest agency name accepted.
pub const MAX_NAME: usize = 255;

/// An administrative-unit code whose length fits the agency's level: 2 digits for a province,
/// 3 for a district, 5 for a commune. Other kinds carry none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminCode(String);

impl AdminCode {
    /// Parses `raw` for an agency of `kind`.
    pub fn parse(kind: AgencyKind, raw: &str) -> AppResult<Self> {
        const FIELD: &str = "adminCode";
        let digits = match kind {
            AgencyKind::ProvincialCommittee => 2,
            AgencyKind::District => 3,
            AgencyKind::Commune => 5,
            _ => {
                return Err(AppError::bad_input(
                    FIELD,
                    Msg::new(
                        "Chỉ UBND tỉnh, huyện, xã có mã đơn vị hành chính",
                        "Only provincial, district and commune committees have an administrative-unit code",
                    ),
                ));
            }
        };
        let value = raw.trim();
        if value.len() != digits || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::bad_input(
                FIELD,
                Msg::new(
                    format!("Mã đơn vị hành chính cấp này gồm đúng {digits} chữ số"),
                    format!("An administrative-unit code at this level is exactly {digits} digits"),
                ),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The code as stored.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An electronic agency identifier: dot-separated groups of `0-9` and `A-Z`, at most 35
/// characters (`000.00.31.H56`). Otherwise opaque.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElectronicId(String);

impl ElectronicId {
    /// Parses `raw` (upper-cased first).
    pub fn parse(raw: &str) -> AppResult<Self> {
        let value = raw.trim().to_ascii_uppercase();
        let groups_ok = value.split('.').all(|group| {
            !group.is_empty()
                && group
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        });
        if value.is_empty() || value.len() > 35 || !groups_ok {
            return Err(AppError::bad_input(
                "electronicId",
                Msg::new(
                    "Mã định danh điện tử gồm các nhóm chữ số và chữ in hoa cách nhau bởi dấu chấm, tối đa 35 ký tự (ví dụ 000.00.31.H56)",
                    "An electronic agency identifier is dot-separated groups of digits and capital letters, at most 35 characters (e.g. 000.00.31.H56)",
                ),
            ));
        }
        Ok(Self(value))
    }

    /// A value read back from the database (validated when it was written).
    pub(crate) fn trusted(stored: String) -> Self {
        Self(stored)
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identifier as stored.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The short name used in document symbols (`UBND`, `STTTT`, `VHTTDL`): letters (Vietnamese
/// ones too), digits and `-`, at most 30 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShortName(String);

impl ShortName {
    /// Parses `raw`.
    pub fn parse(raw: &str) -> AppResult<Self> {
        let value = raw.trim();
        let ok = !value.is_empty()
            && value.chars().count() <= 30
            && value.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !value.starts_with('-')
            && !value.ends_with('-');
        if !ok {
            return Err(AppError::bad_input(
                "shortName",
                Msg::new(
                    "Tên viết tắt gồm chữ cái, chữ số và dấu '-', tối đa 30 ký tự (ví dụ STTTT)",
                    "A short name is letters, digits and '-', at most 30 characters (e.g. STTTT)",
                ),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// A value read back from the database (validated when it was written).
    pub(crate) fn trusted(stored: String) -> Self {
        Self(stored)
    }

    /// The short name as stored.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A medium a press agency publishes in (loại hình báo chí).
#[derive(
    async_graphql::Enum, serde::Serialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PressMedium {
    /// Báo in: printed newspaper or magazine.
    Print,
    /// Báo điện tử: online newspaper.
    Online,
    /// Phát thanh: radio.
    Radio,
    /// Truyền hình: television.
    Television,
}

impl PressMedium {
    const ALL: [PressMedium; 4] = [Self::Print, Self::Online, Self::Radio, Self::Television];

    /// Storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            PressMedium::Print => "PRINT",
            PressMedium::Online => "ONLINE",
            PressMedium::Radio => "RADIO",
            PressMedium::Television => "TELEVISION",
        }
    }

    /// Stores a set of media as one comma-separated column (`None` when empty).
    pub fn encode(media: &[PressMedium]) -> Option<String> {
        let mut media = media.to_vec();
        media.sort();
        media.dedup();
        (!media.is_empty()).then(|| {
            media
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    /// Reads the stored column back; unknown names are skipped.
    pub fn decode(stored: Option<&str>) -> Vec<PressMedium> {
        stored
            .unwrap_or_default()
            .split(',')
            .filter_map(|name| Self::ALL.into_iter().find(|m| m.as_str() == name))
            .collect()
    }
}

/// Where an agency of `child` kind may sit: `None` means a root. Every kind but the provincial
/// committee may also sit under an `OTHER` agency, and `OTHER` may sit anywhere, so that
/// structures the model does not name can still be represented. The rules follow the tree,
/// never a fixed number of levels: a commune sits under a district or directly under its
/// province (two-tier provinces since 1 July 2025).
pub fn parent_allowed(child: AgencyKind, parent: Option<AgencyKind>) -> bool {
    use AgencyKind::*;
    match (child, parent) {
        (ProvincialCommittee, None) => true,
        (ProvincialCommittee, Some(_)) => false,
        (Other, _) => true,
        (_, Some(Other)) => true,
        (Department, Some(ProvincialCommittee | District)) => true,
        (District, Some(ProvincialCommittee)) => true,
        (Commune, Some(District | ProvincialCommittee)) => true,
        (PressAgency, None | Some(ProvincialCommittee)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_code_length_follows_the_level() {
        assert!(AdminCode::parse(AgencyKind::ProvincialCommittee, "38").is_ok());
        assert!(AdminCode::parse(AgencyKind::District, "399").is_ok());
        assert!(AdminCode::parse(AgencyKind::Commune, "15544").is_ok());
        assert!(AdminCode::parse(AgencyKind::Commune, "399").is_err());
        assert!(AdminCode::parse(AgencyKind::District, "39a").is_err());
        assert!(AdminCode::parse(AgencyKind::Department, "38").is_err());
    }

    #[test]
    fn electronic_id_shape() {
        assert_eq!(
            ElectronicId::parse("000.00.31.h56")
                .ok()
                .map(ElectronicId::into_inner)
                .as_deref(),
            Some("000.00.31.H56")
        );
        for bad in ["", "000..31", ".000", "000.00-31", &"1".repeat(36)] {
            assert!(ElectronicId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn short_name_allows_vietnamese_letters_and_dashes() {
        assert!(ShortName::parse("VHTTDL").is_ok());
        assert!(ShortName::parse("UBND-ĐK").is_ok());
        assert!(ShortName::parse("S TTTT").is_err());
        assert!(ShortName::parse("-UBND").is_err());
    }

    #[test]
    fn press_media_round_trip_sorted_and_deduplicated() {
        let stored =
            PressMedium::encode(&[PressMedium::Online, PressMedium::Print, PressMedium::Online]);
        assert_eq!(stored.as_deref(), Some("PRINT,ONLINE"));
        assert_eq!(
            PressMedium::decode(stored.as_deref()),
            vec![PressMedium::Print, PressMedium::Online]
        );
        assert_eq!(PressMedium::encode(&[]), None);
    }

    #[test]
    fn tree_rules_follow_kinds_not_levels() {
        use AgencyKind::*;
        assert!(parent_allowed(Commune, Some(ProvincialCommittee)));
        assert!(parent_allowed(Commune, Some(District)));
        assert!(!parent_allowed(Commune, None));
        assert!(!parent_allowed(District, Some(District)));
        assert!(!parent_allowed(ProvincialCommittee, Some(Other)));
        assert!(parent_allowed(PressAgency, None));
        assert!(!parent_allowed(PressAgency, Some(Commune)));
    }
}
