//! Annual plans (kế hoạch) with tasks, cascading province → (district →) commune.

pub mod schema;
pub mod service;
