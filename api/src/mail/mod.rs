//! Notices by e-mail. An account chooses an address and the notice kinds it wants by mail
//! ([`service`]); the dispatcher writes a message to the mail outbox with each such notice, in
//! the notice's transaction; the mailer ([`sender`]) sends them over SMTP outside any request,
//! with retries and backoff. Off unless `TTDN_SMTP_URL` is set.

pub mod schema;
pub mod sender;
pub mod service;
