//! Live delivery in one process: the hub hears the bus and, once per dispatched event, reads the
//! event and its notices and hands them to every live subscriber of the process (one read per
//! event, not one per subscriber). Each subscriber keeps what concerns it and checks it against
//! its account's visibility at delivery time. A subscriber that falls too far behind is told so
//! ([`Delivery::Lagged`] through the channel's own lag) and must catch up from the tables.

use std::sync::Arc;

use entity::{domain_event, notification, report};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use tokio::sync::broadcast::{self, error::RecvError};
use uuid::Uuid;

use crate::events::bus::{Bus, Signal};

/// How many deliveries a subscriber may fall behind before it is dropped.
const BUFFER: usize = 256;

/// One dispatched event as live subscribers see it.
#[derive(Debug)]
pub struct Dispatched {
    /// The event.
    pub event: domain_event::Model,
    /// For an event about a report, the obligation the report answers (so that a subscriber of
    /// the obligation hears of its reports).
    pub obligation: Option<Uuid>,
    /// Its notices.
    pub notices: Vec<notification::Model>,
}

/// What a live subscriber receives.
#[derive(Clone, Debug)]
pub enum Delivery {
    /// An event was dispatched.
    Event(Arc<Dispatched>),
    /// Deliveries may have been missed (the listener reconnected): catch up from the tables.
    Resync,
}

/// This process's hub.
#[derive(Clone)]
pub struct Hub(broadcast::Sender<Delivery>);

impl Hub {
    /// Starts the hub of this process on `bus`.
    pub fn start(db: DatabaseConnection, bus: &Bus) -> Self {
        let (sender, _) = broadcast::channel(BUFFER);
        let hub = Self(sender);
        let mut signals = bus.subscribe();
        let out = hub.clone();
        tokio::spawn(async move {
            loop {
                match signals.recv().await {
                    Ok(Signal::Dispatched(id)) => match load(&db, id).await {
                        Ok(Some(dispatched)) => out.send(Delivery::Event(Arc::new(dispatched))),
                        Ok(None) => {}
                        Err(err) => {
                            tracing::warn!(error = %err, "cannot read a dispatched event");
                            out.send(Delivery::Resync);
                        }
                    },
                    Ok(Signal::Resync) | Err(RecvError::Lagged(_)) => out.send(Delivery::Resync),
                    Ok(Signal::AuthChanged) => {}
                    Err(RecvError::Closed) => return,
                }
            }
        });
        hub
    }

    fn send(&self, delivery: Delivery) {
        // No receiver is not an error: nobody is subscribed right now.
        let _ = self.0.send(delivery);
    }

    /// A new live subscriber.
    pub fn subscribe(&self) -> broadcast::Receiver<Delivery> {
        self.0.subscribe()
    }
}

async fn load(db: &DatabaseConnection, id: Uuid) -> Result<Option<Dispatched>, sea_orm::DbErr> {
    let Some(event) = domain_event::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let obligation = if event.record_type == "Report" {
        report::Entity::find_by_id(event.record_id)
            .one(db)
            .await?
            .map(|r| r.obligation_id)
    } else {
        None
    };
    let notices = notification::Entity::find()
        .filter(notification::Column::EventId.eq(id))
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await?;
    Ok(Some(Dispatched {
        event,
        obligation,
        notices,
    }))
}
