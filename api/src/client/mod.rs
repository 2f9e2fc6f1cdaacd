//! Service clients of provincial e-government systems (machine-to-machine integration).

pub mod schema;
pub mod service;
