//! Reporting obligations and reports (yêu cầu báo cáo, báo cáo): request, cascade, submit,
//! review, consolidate.

pub mod cascade;
pub mod compliance;
pub mod export;
pub mod inputs;
pub mod objects;
pub mod prefill;
pub mod relations;
pub mod report_lists;
pub mod report_objects;
pub mod reports;
pub mod schema;
pub mod service;
pub mod templates;
pub mod types;
