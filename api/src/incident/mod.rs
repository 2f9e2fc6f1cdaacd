//! Incidents (thông tin sai lệch, vụ việc cần phát ngôn): recorded by any government agency,
//! queued for the department, assigned, answered within 24 hours, closed.

pub mod schema;
pub mod service;
