//! Notices for people (*thông báo*): each domain event of the outbox gives notices to the
//! accounts that must act or know ([`rules`]), written by the dispatcher ([`dispatch`]) after
//! the change committed, read and marked read by their accounts ([`service`], [`schema`]).

pub mod dispatch;
pub mod live;
mod press_rules;
mod reminders;
pub mod rules;
pub mod schema;
pub mod service;
pub mod subscription;
