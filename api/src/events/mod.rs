//! The events backbone, shared by every area: the outbox ([`outbox::record`], called by
//! `graphql::mutation::run` in the transaction of every change) and the bus between processes
//! ([`bus::Bus`]: PostgreSQL `LISTEN/NOTIFY` in production, in-process on SQLite). What an
//! event means for people (notices) is the `notification` area's.

pub mod bus;
pub mod outbox;
