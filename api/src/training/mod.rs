//! Training sessions (tập huấn, bồi dưỡng nghiệp vụ): invitations with quotas, registrations,
//! attendance.

pub mod schema;
pub mod service;
