//! Persisted documents: automatic persisted queries (Apollo's protocol: a client sends the
//! SHA-256 of its document instead of the document, and the document once when the server does
//! not know it yet), and trusted documents (an allow-list of the operations of the client
//! applications, off by default), which production front ends use so that nothing else runs.
//!
//! A document sent with its hash is kept only when the hash is the document's: a hash can never
//! be made to stand for another document.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use sha2::{Digest, Sha256};

use crate::error::{ErrorCode, Msg};

/// Most documents kept by hash; past it the cache starts afresh.
const CAPACITY: usize = 10_000;

/// This process's persisted documents (cheap to clone: one store).
#[derive(Clone, Default)]
pub struct Documents {
    seen: Arc<Mutex<HashMap<String, Arc<str>>>>,
    /// Trusted mode: the documents of the client applications, by hash.
    trusted: Option<Arc<HashMap<String, Arc<str>>>>,
}

/// Why a request's document cannot run.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The stable code.
    pub code: ErrorCode,
    /// What to do.
    pub msg: Msg,
}

/// The hex SHA-256 of a document.
pub fn hash(document: &str) -> String {
    Sha256::digest(document.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Documents {
    /// Persisted documents with, in trusted mode, the documents of `manifests` (JSON objects of
    /// hash → document, as GraphQL Codegen's `persisted-documents.json`); each hash is checked.
    pub fn new(manifests: &[String]) -> Result<Self, String> {
        if manifests.is_empty() {
            return Ok(Self::default());
        }
        let mut trusted = HashMap::new();
        for path in manifests {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("TTDN_TRUSTED_DOCUMENTS: cannot read {path}: {e}"))?;
            let manifest: HashMap<String, String> = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "TTDN_TRUSTED_DOCUMENTS: {path} is not a JSON object of hash → document: {e}"
                )
            })?;
            for (key, document) in manifest {
                let key = key.trim_start_matches("sha256:").to_ascii_lowercase();
                if hash(&document) != key {
                    return Err(format!(
                        "TTDN_TRUSTED_DOCUMENTS: in {path}, {key} is not the SHA-256 of its document"
                    ));
                }
                trusted.insert(key, Arc::from(document));
            }
        }
        Ok(Self {
            seen: Arc::default(),
            trusted: Some(Arc::new(trusted)),
        })
    }

    /// Whether only trusted documents run.
    pub fn trusted_only(&self) -> bool {
        self.trusted.is_some()
    }

    /// The document a request runs: its `query`, or the one its persisted-query hash names.
    pub fn resolve(&self, query: &str, persisted: Option<&str>) -> Result<Arc<str>, Refusal> {
        let persisted = persisted.map(str::to_ascii_lowercase);
        let query = (!query.trim().is_empty()).then_some(query);
        match (query, persisted) {
            (None, None) => Err(Refusal {
                code: ErrorCode::BadRequest,
                msg: Msg::new(
                    "Yêu cầu thiếu truy vấn (query) hoặc mã băm của truy vấn đã lưu",
                    "The request has neither a query nor the hash of a persisted query",
                ),
            }),
            (Some(query), Some(persisted)) if hash(query) != persisted => Err(Refusal {
                code: ErrorCode::BadRequest,
                msg: Msg::new(
                    "Mã băm sha256Hash không khớp với truy vấn",
                    "The sha256Hash does not match the query",
                ),
            }),
            (query, persisted) => {
                let key = persisted.unwrap_or_else(|| hash(query.unwrap_or_default()));
                if let Some(trusted) = &self.trusted {
                    return trusted.get(&key).cloned().ok_or_else(|| match query {
                        Some(_) => untrusted(),
                        None => not_found(),
                    });
                }
                match query {
                    Some(query) => {
                        let document: Arc<str> = Arc::from(query);
                        let mut seen = self.seen();
                        if seen.len() >= CAPACITY {
                            seen.clear();
                        }
                        seen.insert(key, document.clone());
                        Ok(document)
                    }
                    None => self.seen().get(&key).cloned().ok_or_else(not_found),
                }
            }
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<str>>> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn not_found() -> Refusal {
    Refusal {
        code: ErrorCode::PersistedQueryNotFound,
        msg: Msg::new(
            "PersistedQueryNotFound: máy chủ chưa có truy vấn này; hãy gửi lại kèm query",
            "PersistedQueryNotFound: send the query again with its hash",
        ),
    }
}

fn untrusted() -> Refusal {
    Refusal {
        code: ErrorCode::UntrustedDocument,
        msg: Msg::new(
            "Máy chủ chỉ chạy các truy vấn đã đăng ký của ứng dụng (trusted documents)",
            "This server runs only the registered documents of its applications (trusted documents)",
        ),
    }
}

/// The hash a request's `extensions.persistedQuery` names (version 1), if any.
pub fn persisted_hash(extensions: &HashMap<String, async_graphql::Value>) -> Option<String> {
    let async_graphql::Value::Object(persisted) = extensions.get("persistedQuery")? else {
        return None;
    };
    match persisted.get("sha256Hash")? {
        async_graphql::Value::String(hash) => Some(hash.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUERY: &str = "{ __typename }";

    #[test]
    fn a_manifest_whose_hash_is_not_its_documents_is_refused() {
        let path =
            std::env::temp_dir().join(format!("ttdn-manifest-{}.json", uuid::Uuid::now_v7()));
        let wrong = serde_json::json!({ hash("{ a }"): "{ b }" }).to_string();
        std::fs::write(&path, wrong).expect("write");
        let refused = Documents::new(&[path.display().to_string()]);
        assert!(refused.is_err_and(|e| e.contains("is not the SHA-256")));
        let right = serde_json::json!({ format!("sha256:{}", hash(QUERY)): QUERY }).to_string();
        std::fs::write(&path, right).expect("write");
        let trusted = Documents::new(&[path.display().to_string()]).expect("a manifest");
        assert!(trusted.trusted_only());
        assert_eq!(trusted.resolve(QUERY, None).as_deref().ok(), Some(QUERY));
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_hash_stands_only_for_its_own_document() {
        let documents = Documents::default();
        let key = hash(QUERY);
        assert_eq!(
            documents.resolve("", Some(&key)).map_err(|r| r.code),
            Err(ErrorCode::PersistedQueryNotFound)
        );
        assert_eq!(
            documents.resolve(QUERY, Some(&key)).as_deref().ok(),
            Some(QUERY)
        );
        assert_eq!(
            documents.resolve("", Some(&key)).as_deref().ok(),
            Some(QUERY)
        );
        assert_eq!(
            documents
                .resolve("{ me { role } }", Some(&key))
                .map_err(|r| r.code),
            Err(ErrorCode::BadRequest)
        );
        assert_eq!(
            documents.resolve("", None).map_err(|r| r.code),
            Err(ErrorCode::BadRequest)
        );
    }
}
