//! Spokespersons (người phát ngôn) and the press directory.

pub mod schema;
pub mod service;
