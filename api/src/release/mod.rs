//! Information releases (thông cáo báo chí, văn bản cung cấp thông tin, hướng dẫn tuyên truyền,
//! đính chính) and the press feed.

pub mod schema;
pub mod service;
