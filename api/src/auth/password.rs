//! Password hashing (argon2id) and the password policy.
//!
//! Hashing costs tens of milliseconds of CPU by design, so it runs on the blocking pool, never on
//! the async executor that serves other requests. Verifying against an unknown account still
//! does the same work (against a fixed dummy hash), so that timing does not tell which usernames
//! exist.

use std::sync::LazyLock;

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};

use crate::error::{AppError, AppResult, Msg};

/// Password hashes computed at once: one fewer than the CPU cores (at least one), so that a
/// flood of sign-ins (argon2 costs tens of milliseconds of CPU each) queues here instead of
/// taking every core from the other requests.
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1))
});

/// Runs one argon2 computation on the blocking pool, within the [`HASHING`] bound.
async fn bounded<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let _permit = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)
}

/// Shortest accepted password.
pub const MIN_LENGTH: usize = 12;
/// Longest accepted password (argon2 accepts more; this bounds the work per attempt).
pub const MAX_LENGTH: usize = 128;

/// Passwords too common to accept, whatever their length (lower-cased comparison).
const COMMON: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678910",
    "password1234",
    "passwordpassword",
    "qwertyuiopas",
    "qwerty123456",
    "111111111111",
    "000000000000",
    "abc123456789",
    "iloveyou1234",
    "admin1234567",
    "administrator",
    "matkhau12345",
    "matkhaumoi123",
    "123456789abc",
    "1q2w3e4r5t6y",
    "zaq12wsxcde3",
    "welcome12345",
    "letmein12345",
    "vietnam12345",
    "hanoi1234567",
    "ttdn12345678",
];

/// OWASP's recommended argon2id parameters: 19 MiB memory, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hash compared against when the account does not exist.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(b"ttdn dummy password for unknown accounts", &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// A password that passed the policy.
pub struct NewPassword(String);

impl NewPassword {
    /// Checks the policy: 12 to 128 characters, not the username, not a common password.
    pub fn parse(field: &'static str, raw: &str, username: &str) -> AppResult<Self> {
        let length = raw.chars().count();
        let refuse =
            |vi: &'static str, en: &'static str| Err(AppError::bad_input(field, Msg::new(vi, en)));
        if length < MIN_LENGTH {
            return refuse(
                "Mật khẩu phải có ít nhất 12 ký tự",
                "A password has at least 12 characters",
            );
        }
        if length > MAX_LENGTH {
            return refuse(
                "Mật khẩu dài quá 128 ký tự",
                "A password has at most 128 characters",
            );
        }
        let lower = raw.to_lowercase();
        if lower == username.to_lowercase()
            || lower.contains(&username.to_lowercase()) && username.len() >= 4
        {
            return refuse(
                "Mật khẩu không được chứa tên đăng nhập",
                "A password must not contain the username",
            );
        }
        if COMMON.contains(&lower.as_str())
            || lower
                .chars()
                .all(|c| c == lower.chars().next().unwrap_or(' '))
        {
            return refuse(
                "Mật khẩu quá phổ biến, dễ đoán",
                "This password is too common",
            );
        }
        Ok(Self(raw.to_owned()))
    }
}

/// Hashes a password on the blocking pool.
pub async fn hash(password: NewPassword) -> AppResult<String> {
    bounded(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(anyhow::anyhow!("argon2 hash failed: {e}")))
    })
    .await?
}

/// Verifies `password` against `stored` (or against the dummy hash when there is no account),
/// on the blocking pool. `false` for an unknown account, whatever the password.
pub async fn verify(password: &str, stored: Option<&str>) -> AppResult<bool> {
    let known = stored.is_some();
    let stored = stored.map_or_else(|| DUMMY_HASH.clone(), str::to_owned);
    let password = password.to_owned();
    let matches = bounded(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await?;
    Ok(known && matches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_refuses_short_common_and_username_passwords() {
        assert!(NewPassword::parse("password", "short", "an").is_err());
        assert!(NewPassword::parse("password", "password1234", "an").is_err());
        assert!(NewPassword::parse("password", "aaaaaaaaaaaaaa", "an").is_err());
        assert!(NewPassword::parse("password", "so.thanhhoa-2026!", "so.thanhhoa").is_err());
        assert!(NewPassword::parse("password", &"x1".repeat(65), "an").is_err());
        assert!(NewPassword::parse("password", "Cổng thông tin 2026", "so.thanhhoa").is_ok());
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let hash = hash(NewPassword("Cổng thông tin 2026".into()))
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify("Cổng thông tin 2026", Some(&hash))
                .await
                .expect("verify")
        );
        assert!(
            !verify("wrong password!!", Some(&hash))
                .await
                .expect("verify")
        );
        assert!(!verify("Cổng thông tin 2026", None).await.expect("verify"));
    }
}
