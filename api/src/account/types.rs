//! Validated values of accounts.

use entity::{
    agency::{self, AgencyKind},
    user_account::Role,
};

use crate::error::{AppError, AppResult, Msg};

/// A sign-in name: 3 to 64 characters of `a-z`, `0-9`, `.`, `_`, `-`, stored in lower case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Parses `raw` (trimmed, lower-cased).
    pub fn parse(raw: &str) -> AppResult<Self> {
        let value = raw.trim().to_lowercase();
        let ok = (3..=64).contains(&value.len())
            && value.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            });
        if !ok {
            return Err(AppError::bad_input(
                "username",
                Msg::new(
                    "Tên đăng nhập gồm 3–64 ký tự a-z, 0-9, '.', '_', '-'",
                    "A username is 3–64 characters of a-z, 0-9, '.', '_', '-'",
                ),
            ));
        }
        Ok(Self(value))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as stored.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Checks that `role` fits the agency it acts for: an administrator acts for the system (an
/// agency is optional), the department role belongs to a province's current TTĐN lead
/// department, district and commune roles to district and commune committees, the press role
/// to a press agency.
pub fn check_role_fits(role: Role, agency: Option<&agency::Model>) -> AppResult<()> {
    let fits = match (role, agency) {
        (Role::Admin, _) => true,
        (_, None) => false,
        (Role::ProvincialDepartment, Some(a)) => a.kind == AgencyKind::Department && a.is_ttdn_lead,
        (Role::District, Some(a)) => a.kind == AgencyKind::District,
        (Role::Commune, Some(a)) => a.kind == AgencyKind::Commune,
        (Role::Press, Some(a)) => a.kind == AgencyKind::PressAgency,
    };
    if fits {
        return Ok(());
    }
    Err(AppError::bad_input(
        "role",
        Msg::new(
            "Vai trò không phù hợp với cơ quan: PROVINCIAL_DEPARTMENT cho sở chủ trì TTĐN, DISTRICT cho UBND huyện, COMMUNE cho UBND xã, PRESS cho cơ quan báo chí",
            "The role does not fit the agency: PROVINCIAL_DEPARTMENT for the TTĐN lead department, DISTRICT for a district committee, COMMUNE for a commune committee, PRESS for a press agency",
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(
            Username::parse(" So.ThanhHoa ")
                .ok()
                .map(Username::into_inner)
                .as_deref(),
            Some("so.thanhhoa")
        );
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("xã.dânlực").is_err());
        assert!(Username::parse("a b c").is_err());
    }
}
