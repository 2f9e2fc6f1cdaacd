//! Integration tests through the real HTTP endpoint, one fresh database per test: an SQLite file
//! by default, a new PostgreSQL database when `TTDN_TEST_DATABASE_URL` points at a server.

// Tests may panic on the unexpected: that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod agency;
mod audit;
mod auth;
mod change_feed;
mod cli;
mod conventions;
mod database;
mod demo;
mod documents;
mod errors;
mod files;
mod hardening;
mod helpers;
mod http;
mod idempotency;
mod incident;
mod legal;
mod listed_rows;
mod live;
mod mail;
mod metrics;
mod notification;
mod observability;
mod official_documents;
mod permissions;
mod plan;
mod polling;
mod press_event;
mod press_request;
mod principals;
mod provincial_system;
mod query_count;
mod release;
mod reminder;
mod report_list;
mod reporting;
mod resilience;
mod schema;
mod scopes;
mod spokesperson;
mod synthetic;
mod training;
mod webhook;
