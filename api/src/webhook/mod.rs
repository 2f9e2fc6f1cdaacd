//! Webhooks of service clients: endpoints registered for a client receive its change-feed
//! entries as signed deliveries ([`service`]), written beside the entries by the dispatcher and
//! sent with retries by a sender in each process ([`sender`]); registered, rotated, disabled
//! and redelivered through [`schema`].

pub mod schema;
pub mod sender;
pub mod service;
