//! The bus between processes. Several stateless ttdn processes share one PostgreSQL database;
//! PostgreSQL is also their bus, so no other broker is needed:
//!
//! - `ttdn_events` (payload: an event id) is sent in the transaction of every change and wakes
//!   the dispatcher of every process (one of them, holding an advisory lock, dispatches);
//! - `ttdn_notices` (payload: an event id) is sent in the dispatcher's transaction once the
//!   event's notices are written, and tells every process to deliver them to its own live
//!   subscribers.
//!
//! A notification is lost when its listener is disconnected, so every (re)connection wakes the
//! dispatcher (which catches up from the outbox) and tells subscribers to catch up from the
//! notices table ([`Signal::Resync`]). On SQLite one process holds the database and the bus is
//! in-process: the same [`Signal`]s on a broadcast channel.

use std::{sync::Arc, time::Duration};

use sea_orm::{DatabaseConnection, DbBackend};
use sqlx::postgres::PgListener;
use tokio::sync::{Notify, broadcast};
use uuid::Uuid;

use super::outbox::EVENTS_CHANNEL;

/// The channel that announces dispatched events: its payload is the event's id.
pub const NOTICES_CHANNEL: &str = "ttdn_notices";

/// The channel that tells every process to forget the principals it keeps (a session revoked,
/// an account, a client or an agency changed).
pub const AUTH_CHANNEL: &str = "ttdn_auth";

/// How many signals a slow subscriber may fall behind before it must catch up from the table.
const SIGNAL_BUFFER: usize = 1024;

/// What subscribers hear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// The notices of this event are written.
    Dispatched(Uuid),
    /// Signals may have been missed (the listener reconnected): read what is new from the
    /// tables.
    Resync,
    /// Principals may have changed: forget the ones kept.
    AuthChanged,
}

struct Inner {
    wake: Notify,
    signals: broadcast::Sender<Signal>,
}

/// This process's end of the bus.
#[derive(Clone)]
pub struct Bus(Arc<Inner>);

impl Default for Bus {
    fn default() -> Self {
        Self::new()
    }
}

impl Bus {
    /// A bus not yet listening to PostgreSQL.
    pub fn new() -> Self {
        let (signals, _) = broadcast::channel(SIGNAL_BUFFER);
        Self(Arc::new(Inner {
            wake: Notify::new(),
            signals,
        }))
    }

    /// Wakes this process's dispatcher (after a commit, or when events may have been missed).
    pub fn wake(&self) {
        self.0.wake.notify_one();
    }

    /// Waits until the dispatcher is woken.
    pub async fn woken(&self) {
        self.0.wake.notified().await;
    }

    /// Tells this process's subscribers.
    pub fn signal(&self, signal: Signal) {
        // No receiver is not an error: nobody is subscribed right now.
        let _ = self.0.signals.send(signal);
    }

    /// Hears what this process's subscribers are told.
    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.0.signals.subscribe()
    }

    /// On PostgreSQL, listens to `ttdn_events` and `ttdn_notices` for as long as the pool is
    /// open, reconnecting after a failure; nothing on SQLite.
    pub fn listen(&self, db: &DatabaseConnection) {
        if db.get_database_backend() != DbBackend::Postgres {
            return;
        }
        let pool = db.get_postgres_connection_pool().clone();
        let bus = self.clone();
        tokio::spawn(async move {
            while !pool.is_closed() {
                match PgListener::connect_with(&pool).await {
                    Ok(mut listener) => {
                        if let Err(err) = listener
                            .listen_all([EVENTS_CHANNEL, NOTICES_CHANNEL, AUTH_CHANNEL])
                            .await
                        {
                            tracing::warn!(error = %err, "cannot LISTEN; retrying");
                        } else {
                            bus.caught_up_after_gap();
                            bus.pump(&mut listener).await;
                        }
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "the event listener cannot connect; retrying");
                    }
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    /// After a gap in listening: the dispatcher catches up from the outbox, subscribers from
    /// the notices.
    fn caught_up_after_gap(&self) {
        self.wake();
        self.signal(Signal::Resync);
    }

    /// Passes notifications on until the connection fails for good.
    async fn pump(&self, listener: &mut PgListener) {
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => match notification.channel() {
                    EVENTS_CHANNEL => self.wake(),
                    AUTH_CHANNEL => self.signal(Signal::AuthChanged),
                    NOTICES_CHANNEL => {
                        if let Ok(id) = Uuid::try_parse(notification.payload()) {
                            self.signal(Signal::Dispatched(id));
                        }
                    }
                    _ => {}
                },
                // The connection dropped and is being re-established: what was sent meanwhile
                // is lost, so catch up.
                Ok(None) => {
                    tracing::info!("the event listener reconnected");
                    self.caught_up_after_gap();
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the event listener lost PostgreSQL");
                    return;
                }
            }
        }
    }
}
