//! The audit trail (nhật ký thao tác): every mutation, allowed or denied, leaves an event.

pub mod schema;
pub mod service;
