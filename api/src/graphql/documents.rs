//! Persisted documents: automatic persisted queries (Apollo's protocol: a client sends the
//! SHA-256 of its document instead of the document, and the document once when the server does
//! not know it yet), and trusted documents (an allow-list of the operations of the client
//! applications, off by default), which production front ends use so that nothing else runs.
//!
//! A document sent with its hash is kept only when the hash is the document's: a hash can never
//! be made to stand for another document.
//!
//! Parsed documents are kept too ([`Documents::parsed`]): a front end sends the same few
//! documents over and over, and each is parsed once per process, not once per request.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_graphql::parser::types::ExecutableDocument;
use sha2::{Digest, Sha256};

use crate::error::{ErrorCode, Msg};

/// Most documents kept by hash; past it the cache starts afresh.
const CAPACITY: usize = 10_000;

/// Most parsed documents kept; the least recently used goes first.
const PARSED_CAPACITY: usize = 1_000;

/// Longest document whose parse is kept, in bytes (front ends' documents are far shorter; a
/// longer one is parsed each time, so that the cache stays small).
const PARSED_MAX_BYTES: usize = 16 * 1024;

/// Parsed documents by the SHA-256 of their text.
type Parsed = lru::LruCache<[u8; 32], Arc<ExecutableDocument>>;

/// A document's text parsed, and the SHA-256 of the text (which the validated requests are
/// kept under too, [`super::extension::ValidationKey`]).
pub struct ParsedDocument {
    /// The SHA-256 of the text.
    pub digest: [u8; 32],
    /// The document.
    pub document: ExecutableDocument,
}

/// This process's persisted documents (cheap to clone: one store).
#[derive(Clone)]
pub struct Documents {
    seen: Arc<Mutex<HashMap<String, Arc<str>>>>,
    parsed: Arc<Mutex<Parsed>>,
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
            trusted: Some(Arc::new(trusted)),
            ..Self::default()
        })
    }

    /// `query` parsed, from the documents this process parsed before when it is one of them
    /// (a copy: execution changes its document), with the SHA-256 of its text; `None` when it
    /// does not parse, for the engine to report why.
    pub fn parsed(&self, query: &str) -> Option<ParsedDocument> {
        if query.len() > PARSED_MAX_BYTES {
            return None;
        }
        let digest: [u8; 32] = Sha256::digest(query.as_bytes()).into();
        let kept = self.parsed_lock().get(&digest).cloned();
        let document = match kept {
            Some(document) => (*document).clone(),
            None => {
                let document = async_graphql::parser::parse_query(query).ok()?;
                self.parsed_lock().put(digest, Arc::new(document.clone()));
                document
            }
        };
        Some(ParsedDocument { digest, document })
    }

    /// How many parsed documents this process keeps.
    pub fn parsed_count(&self) -> usize {
        self.parsed_lock().len()
    }

    fn parsed_lock(&self) -> std::sync::MutexGuard<'_, Parsed> {
        self.parsed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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

impl Default for Documents {
    fn default() -> Self {
        Self {
            seen: Arc::default(),
            parsed: Arc::new(Mutex::new(lru::LruCache::new(
                std::num::NonZeroUsize::new(PARSED_CAPACITY).unwrap_or(std::num::NonZeroUsize::MIN),
            ))),
            trusted: None,
        }
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
    fn a_document_is_parsed_once_and_a_broken_or_long_one_is_not_kept() {
        let documents = Documents::default();
        let first = documents.parsed(QUERY).expect("parses");
        let again = documents.parsed(QUERY).expect("kept");
        assert_eq!(
            format!("{:?}", first.document),
            format!("{:?}", again.document)
        );
        assert_eq!(first.digest, again.digest);
        let digest: [u8; 32] = Sha256::digest(QUERY.as_bytes()).into();
        assert_eq!(first.digest, digest, "the SHA-256 of the text");
        assert_eq!(documents.parsed_count(), 1);
        // A clone of the store shares it (one per process).
        assert_eq!(documents.clone().parsed_count(), 1);
        assert!(documents.parsed("{ broken").is_none());
        let long = format!("{{ __typename {} }}", " ".repeat(PARSED_MAX_BYTES));
        assert!(documents.parsed(&long).is_none());
        assert_eq!(documents.parsed_count(), 1);
        for i in 0..PARSED_CAPACITY + 10 {
            let _ = documents.parsed(&format!("{{ a{i}: __typename }}"));
        }
        assert_eq!(documents.parsed_count(), PARSED_CAPACITY, "bounded");
    }

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
