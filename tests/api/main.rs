//! Integration tests through the real HTTP endpoint, one fresh database per test: an SQLite file
//! by default, a new PostgreSQL database when `TTDN_TEST_DATABASE_URL` points at a server.

mod agency;
mod demo;
mod errors;
mod helpers;
mod http;
mod schema;
