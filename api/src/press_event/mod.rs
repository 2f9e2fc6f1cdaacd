//! Press-provision events (họp báo, hội nghị cung cấp thông tin, giao ban báo chí…).

pub mod schema;
pub mod service;
