//! Legal deadlines and cut-offs as dated, editable data (*tham số theo quy định*): what each
//! setting means and where the law sets it ([`service::spec`]), the value in force for an
//! agency on a day, and the changes an administrator (nationally or for a province) or a
//! province's department (for its own province) schedule from today on.

pub mod schema;
pub mod service;
