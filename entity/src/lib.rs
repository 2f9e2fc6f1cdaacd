//! sea-orm entities of ttdn, one module per table, and the typed ids used below the GraphQL boundary.
//!
//! Entities know nothing about GraphQL: the `api` crate builds its own output types from these models.

pub mod agency;
pub mod audit_event;
pub mod change_entry;
pub mod change_seen;
pub mod domain_event;
pub mod idempotency_key;
pub mod ids;
pub mod in_order;
pub mod incident;
pub mod information_release;
pub mod issued_document;
pub mod legal_setting;
pub mod login_throttle;
pub mod mail_message;
pub mod mail_subscription;
pub mod notification;
pub mod obligation_amendment;
pub mod plan;
pub mod plan_task;
pub mod plan_task_progress;
pub mod press_event;
pub mod press_event_co_organizer;
pub mod press_event_invitation;
pub mod press_request;
pub mod refresh_token;
pub mod release_attachment;
pub mod release_recipient;
pub mod reminder_sent;
pub mod report;
pub mod report_save;
pub mod report_template;
pub mod report_version;
pub mod reporting_obligation;
pub mod service_client;
pub mod session;
pub mod spokesperson;
pub mod stored_file;
pub mod training_invitation;
pub mod training_participant;
pub mod training_session;
pub mod user_account;
pub mod webhook_delivery;
pub mod webhook_endpoint;
