//! Access tokens (JWT, HS256) and opaque secrets (refresh tokens, client secrets).
//!
//! The algorithm is pinned: a token signed with anything else (`none`, RS256…) is refused, as
//! is one with the wrong issuer or audience, an expired one, or one without an id (`jti`).
//!
//! A client sends the same access token with every request of its lifetime, and a token's
//! signature and claims give the same answer each time: the keys keep the claims of the last
//! [`VERIFIED_CAPACITY`] tokens they verified, by the token's exact text, and check only the
//! expiry of a token found there. Whether its session or client still stands is not a property
//! of the token and is checked at every request all the same ([`super::actor`]).

use std::sync::{Arc, Mutex, PoisonError};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Issuer of every token.
pub const ISSUER: &str = "ttdn";
/// Audience of every token.
pub const AUDIENCE: &str = "ttdn-api";

/// Who a token speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalKind {
    /// A person's account.
    User,
    /// A service client.
    Client,
}

/// The claims of an access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Account or client id.
    pub sub: Uuid,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// Token id.
    pub jti: Uuid,
    /// Account or client.
    pub kind: PrincipalKind,
    /// Role at issue time (informative; the role is re-read from the database per request).
    pub role: String,
    /// Agency at issue time (informative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<Uuid>,
    /// Session of an account's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
    /// Secret version of a client's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sv: Option<i32>,
}

/// Most verified tokens whose claims the keys keep; the least recently used goes first.
pub const VERIFIED_CAPACITY: usize = 4_096;

/// Signs and checks access tokens (cheap to clone: the kept claims are shared).
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_ttl: Duration,
    /// The claims of the tokens verified with these keys, by the token's text.
    verified: Arc<Mutex<lru::LruCache<Box<str>, Arc<Claims>>>>,
}

impl TokenKeys {
    /// Keys from the shared secret; tokens live `access_ttl_secs`.
    pub fn new(secret: &[u8], access_ttl_secs: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub", "jti"]);
        validation.leeway = 30;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl: Duration::seconds(access_ttl_secs),
            verified: Arc::new(Mutex::new(lru::LruCache::new(
                std::num::NonZeroUsize::new(VERIFIED_CAPACITY)
                    .unwrap_or(std::num::NonZeroUsize::MIN),
            ))),
        }
    }

    /// Lifetime of access tokens.
    pub fn access_ttl(&self) -> Duration {
        self.access_ttl
    }

    /// Issues an access token; returns it with its expiry.
    pub fn issue(&self, claims: ClaimsDraft) -> AppResult<(String, DateTime<Utc>)> {
        let now = Utc::now();
        let expires = now + self.access_ttl;
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: claims.sub,
            exp: expires.timestamp(),
            iat: now.timestamp(),
            jti: Uuid::now_v7(),
            kind: claims.kind,
            role: claims.role,
            agency: claims.agency,
            sid: claims.sid,
            sv: claims.sv,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)?;
        Ok((token, expires))
    }

    /// Checks a token's signature, algorithm, issuer, audience and expiry (only the expiry
    /// for a token verified before). Any failure is `UNAUTHENTICATED`, without detail (the log
    /// gets the reason at debug level).
    pub fn verify(&self, token: &str) -> AppResult<Arc<Claims>> {
        self.verify_at(token, Utc::now().timestamp())
    }

    /// [`Self::verify`] at `now` (seconds since the epoch) for a token verified before; a new
    /// token is checked against the clock.
    fn verify_at(&self, token: &str, now: i64) -> AppResult<Arc<Claims>> {
        let kept = self.kept().get(token).cloned();
        if let Some(claims) = kept {
            // As `decode` checks it: expired once the leeway has passed too.
            if claims.exp.saturating_add(self.validation.leeway as i64) < now {
                self.kept().pop(token);
                tracing::debug!("access token refused: expired");
                return Err(AppError::Unauthenticated);
            }
            return Ok(claims);
        }
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| Arc::new(data.claims))
            .map_err(|err| {
                tracing::debug!(error = %err, "access token refused");
                AppError::Unauthenticated
            })?;
        self.kept().put(token.into(), claims.clone());
        Ok(claims)
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, lru::LruCache<Box<str>, Arc<Claims>>> {
        self.verified.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What the caller decides about a new token.
pub struct ClaimsDraft {
    /// Account or client id.
    pub sub: Uuid,
    /// Account or client.
    pub kind: PrincipalKind,
    /// Role name.
    pub role: String,
    /// Agency.
    pub agency: Option<Uuid>,
    /// Session (accounts).
    pub sid: Option<Uuid>,
    /// Secret version (clients).
    pub sv: Option<i32>,
}

/// A new random secret: 256 bits, base64url.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex SHA-256 of a secret, as stored. Secrets are 256 random bits, so a fast hash is enough
/// (nothing to brute-force), and lookups by hash stay indexable.
pub fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ClaimsDraft {
        ClaimsDraft {
            sub: Uuid::now_v7(),
            kind: PrincipalKind::User,
            role: "COMMUNE".into(),
            agency: None,
            sid: Some(Uuid::now_v7()),
            sv: None,
        }
    }

    #[test]
    fn a_token_verifies_with_its_key_only() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 900);
        let (token, _) = keys.issue(draft()).expect("issue");
        assert!(keys.verify(&token).is_ok());
        let other = TokenKeys::new(b"another secret of at least 32 bytes", 900);
        assert!(other.verify(&token).is_err());
    }

    #[test]
    fn a_kept_token_is_refused_once_expired_and_a_forged_one_is_never_kept() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 900);
        let (token, expires) = keys.issue(draft()).expect("issue");
        let claims = keys.verify(&token).expect("verified");
        assert!(Arc::ptr_eq(&claims, &keys.verify(&token).expect("kept")));
        // A clone shares what is kept.
        assert!(Arc::ptr_eq(
            &claims,
            &keys.clone().verify(&token).expect("kept")
        ));
        // Within the leeway it still stands; past it, it is refused and forgotten.
        let expiry = expires.timestamp();
        assert!(keys.verify_at(&token, expiry + 30).is_ok());
        assert!(keys.verify_at(&token, expiry + 31).is_err());
        assert!(keys.kept().peek(token.as_str()).is_none());
        // The same claims with another signature are checked, refused, and not kept.
        let (head_and_claims, _) = token.rsplit_once('.').expect("three parts");
        let forged = format!("{head_and_claims}.{}", "A".repeat(43));
        assert!(keys.verify(&forged).is_err());
        assert!(keys.kept().peek(forged.as_str()).is_none());
        // Expired before it was ever verified: `decode` refuses it against the clock.
        let stale = TokenKeys::new(b"0123456789abcdef0123456789abcdef", -60);
        let (old, _) = stale.issue(draft()).expect("issue");
        assert!(stale.verify(&old).is_err());
    }

    #[test]
    fn the_last_tokens_verified_are_kept_and_no_more() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 900);
        let tokens: Vec<String> = (0..=VERIFIED_CAPACITY)
            .map(|_| keys.issue(draft()).expect("issue").0)
            .collect();
        for token in &tokens {
            keys.verify(token).expect("verified");
        }
        assert_eq!(keys.kept().len(), VERIFIED_CAPACITY);
        assert!(
            keys.kept().peek(tokens[0].as_str()).is_none(),
            "the oldest went"
        );
        assert!(
            keys.kept()
                .peek(tokens[VERIFIED_CAPACITY].as_str())
                .is_some()
        );
        // Gone from memory is not refused: it is verified again.
        assert!(keys.verify(&tokens[0]).is_ok());
    }

    #[test]
    fn secrets_are_random_and_hashed_to_hex() {
        assert_ne!(random_secret(), random_secret());
        assert_eq!(random_secret().len(), 43);
        assert_eq!(
            secret_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
