//! Reminders and đôn đốc: a scheduler in every process looks, once a minute, for deadlines
//! coming or passed and gives each reminder once, as a domain event (so that the dispatcher
//! turns it into notices like any other). Time is a parameter of [`service::run_once`], so
//! tests move the clock instead of sleeping.

pub mod service;
