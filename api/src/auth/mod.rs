//! Identity: passwords, tokens, sessions, and the actor behind each request.

pub mod actor;
pub mod cache;
pub mod password;
pub mod schema;
pub mod service;
pub mod token;
