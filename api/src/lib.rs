//! ttdn: a GraphQL API for external-information work (thông tin đối ngoại) in Vietnamese
//! provinces. See `docs/architecture.md` for the shape of the code.

pub mod access;
pub mod account;
pub mod agency;
pub mod audit;
pub mod auth;
pub mod change_feed;
pub mod client;
pub mod config;
pub mod db;
pub mod demo;
pub mod document;
pub mod error;
pub mod events;
pub mod graphql;
pub mod incident;
pub mod legal;
pub mod mail;
pub mod metrics;
pub mod notification;
pub mod plan;
pub mod policy;
pub mod press_event;
pub mod press_request;
pub mod release;
pub mod reminder;
pub mod reporting;
pub mod spokesperson;
pub mod spreadsheet;
pub mod startup;
pub mod synthetic;
pub mod telemetry;
pub mod text;
pub mod time;
pub mod training;
pub mod webhook;
