//! Press requests: a press agency asks an agency; the agency answers or refuses with a legal
//! reason, within 30 days by default.

pub mod schema;
pub mod service;
