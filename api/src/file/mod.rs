//! Files kept with records: the signed scan (PDF) or the final file (DOCX, XLSX, images) of an
//! obligation's request letter, a report, a plan or a release.
//!
//! - [`content`]: what a file is, from its bytes; whether it carries a secrecy stamp;
//! - [`service`]: who may upload where, the history, reading under the record's visibility,
//!   the sweep of blobs whose upload never landed;
//! - [`schema`]: `uploadFile` (GraphQL multipart request) and the records' `files`;
//! - [`http`]: `GET /files/{id}`.
//!
//! The bytes live in the blob store (`crate::blob`); rows are never updated or deleted.

pub mod content;
pub mod http;
pub mod schema;
pub mod service;
