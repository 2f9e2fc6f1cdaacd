//! Accounts of people: one agency, one role each.

pub mod schema;
pub mod service;
pub mod types;
