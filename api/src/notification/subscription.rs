//! Live notices and record changes over WebSocket (`/graphql/ws`). Every delivery is checked
//! against the subscriber's access at that moment, not at subscription time: the connection's
//! token is authenticated again (a revoked session or a disabled account ends the stream) and
//! the record must still be readable.

use std::collections::VecDeque;

use async_graphql::{Context, ID, Object, Subscription};
use chrono::{DateTime, Utc};
use entity::notification::{Column, Entity as NotificationRow, Model};
use futures_util::{Stream, stream};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::broadcast::{Receiver, error::RecvError};
use uuid::Uuid;

use super::{
    live::{Delivery, Dispatched, Hub},
    schema::Notification,
    service,
};
use crate::{
    auth::{
        actor::{Actor, Authentication, authenticate},
        service::AuthConfig,
    },
    error::{AppError, AppResult, Msg},
    graphql::{
        context::{ContextExt, parse_id},
        ws::Credentials,
    },
};

/// Record types a subscription may follow.
const FOLLOWED: [&str; 11] = [
    "ReportingObligation",
    "Report",
    "PressEvent",
    "PressRequest",
    "Incident",
    "Plan",
    "TrainingSession",
    "InformationRelease",
    "Spokesperson",
    "Agency",
    "PlanTask",
];

/// What a subscriber needs to check a delivery again.
#[derive(Clone)]
struct Watch {
    db: DatabaseConnection,
    auth: AuthConfig,
    credentials: Option<Credentials>,
    actor: std::sync::Arc<Actor>,
}

impl Watch {
    fn of(ctx: &Context<'_>) -> AppResult<Self> {
        Ok(Self {
            db: ctx.db()?.clone(),
            auth: ctx.auth_config()?.clone(),
            credentials: ctx.data_opt::<Credentials>().cloned(),
            actor: ctx.actor()?.clone(),
        })
    }

    /// The subscriber as it stands now: `UNAUTHENTICATED` once its session is revoked, its
    /// account disabled or its token expired.
    async fn actor(&self) -> AppResult<std::sync::Arc<Actor>> {
        let Some(credentials) = &self.credentials else {
            return Ok(self.actor.clone());
        };
        match authenticate(&self.db, &self.auth, Some(&credentials.0)).await? {
            Authentication::Actor(actor) => Ok(actor),
            _ => Err(AppError::Unauthenticated),
        }
    }
}

fn hub(ctx: &Context<'_>) -> AppResult<Hub> {
    ctx.data_opt::<Hub>()
        .cloned()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no live hub in the context")))
}

fn fell_behind() -> AppError {
    AppError::Unavailable(std::sync::Arc::new(anyhow::anyhow!(
        "the subscriber fell too far behind; subscribe again and read what was missed"
    )))
}

/// A change of a record, as a live subscriber sees it: the event, not a copy of the record
/// (read the record with `node(id:)`).
pub struct RecordChange(std::sync::Arc<Dispatched>);

/// A change of a record the subscriber follows.
#[Object]
impl RecordChange {
    /// The domain event's id.
    async fn event_id(&self) -> ID {
        ID(self.0.event.id.to_string())
    }

    /// What happened (`report.submit`, `obligation.amend`…).
    async fn kind(&self) -> &str {
        &self.0.event.kind
    }

    /// Type of the record changed.
    async fn record_type(&self) -> &str {
        &self.0.event.record_type
    }

    /// The record changed (a report, when the subscription follows its obligation).
    async fn record_id(&self) -> ID {
        ID(self.0.event.record_id.to_string())
    }

    /// When the change was made.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.event.occurred_at
    }
}

/// Live subscriptions.
#[derive(Default)]
pub struct NotificationSubscription;

#[Subscription]
impl NotificationSubscription {
    /// The signed-in account's new notices, as they are given (a person's account).
    async fn notification_added(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = AppResult<Notification>> + use<>> {
        let watch = Watch::of(ctx)?;
        let (user, _) = watch.actor.user()?;
        let agency = watch.actor.agency_id().map(|a| a.0).unwrap_or_default();
        // Only what is given from now on.
        let last: Option<Uuid> = NotificationRow::find()
            .select_only()
            .column(Column::Id)
            .filter(Column::AccountId.eq(user.0))
            .order_by_desc(Column::Id)
            .into_tuple()
            .one(&watch.db)
            .await
            .map_err(AppError::from)?;
        let state = NoticeState {
            receiver: Some(hub(ctx)?.subscribe()),
            watch,
            user: user.0,
            agency,
            last: last.unwrap_or(Uuid::nil()),
            pending: VecDeque::new(),
        };
        Ok(stream::unfold(state, next_notice))
    }

    /// Changes of one record the signed-in party can read, as they are made: of the record
    /// itself, and for an obligation of its reports too (its compliance).
    async fn record_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's id (node id).")] id: ID,
    ) -> async_graphql::Result<impl Stream<Item = AppResult<RecordChange>> + use<>> {
        let watch = Watch::of(ctx)?;
        let id = parse_id("id", &id)?;
        let mut readable = false;
        for kind in FOLLOWED {
            if service::visible(&watch.db, &watch.actor, kind, id).await? {
                readable = true;
                break;
            }
        }
        if !readable {
            return Err(AppError::NotFound(Msg::new(
                "Không tìm thấy đối tượng",
                "No object with this id",
            ))
            .into());
        }
        let state = ChangeState {
            receiver: Some(hub(ctx)?.subscribe()),
            watch,
            id,
        };
        Ok(stream::unfold(state, next_change))
    }
}

struct NoticeState {
    receiver: Option<Receiver<Delivery>>,
    watch: Watch,
    user: Uuid,
    agency: Uuid,
    last: Uuid,
    pending: VecDeque<Model>,
}

async fn next_notice(mut state: NoticeState) -> Option<(AppResult<Notification>, NoticeState)> {
    loop {
        if let Some(notice) = state.pending.pop_front() {
            if notice.id <= state.last {
                continue;
            }
            state.last = notice.id;
            let actor = match state.watch.actor().await {
                Ok(actor) => actor,
                Err(err) => {
                    state.receiver = None;
                    return Some((Err(err), state));
                }
            };
            match service::visible(
                &state.watch.db,
                &actor,
                &notice.record_type,
                notice.record_id,
            )
            .await
            {
                Ok(true) => return Some((Ok(notice.into()), state)),
                Ok(false) => continue,
                Err(err) => return Some((Err(err), state)),
            }
        }
        let receiver = state.receiver.as_mut()?;
        match receiver.recv().await {
            Ok(Delivery::Event(dispatched)) => state.pending.extend(
                dispatched
                    .notices
                    .iter()
                    .filter(|n| n.account_id == state.user && n.agency_id == state.agency)
                    .cloned(),
            ),
            Ok(Delivery::Resync) => {
                let missed = NotificationRow::find()
                    .filter(Column::AccountId.eq(state.user))
                    .filter(Column::AgencyId.eq(state.agency))
                    .filter(Column::Id.gt(state.last))
                    .order_by_asc(Column::Id)
                    .limit(100)
                    .all(&state.watch.db)
                    .await;
                match missed {
                    Ok(missed) => state.pending.extend(missed),
                    Err(err) => return Some((Err(err.into()), state)),
                }
            }
            Err(RecvError::Lagged(_)) => {
                state.receiver = None;
                return Some((Err(fell_behind()), state));
            }
            Err(RecvError::Closed) => return None,
        }
    }
}

struct ChangeState {
    receiver: Option<Receiver<Delivery>>,
    watch: Watch,
    id: Uuid,
}

async fn next_change(mut state: ChangeState) -> Option<(AppResult<RecordChange>, ChangeState)> {
    loop {
        let receiver = state.receiver.as_mut()?;
        let dispatched = match receiver.recv().await {
            Ok(Delivery::Event(dispatched)) => dispatched,
            // A change missed during a gap is not replayed: the record itself tells its state.
            Ok(Delivery::Resync) => continue,
            Err(RecvError::Lagged(_)) => {
                state.receiver = None;
                return Some((Err(fell_behind()), state));
            }
            Err(RecvError::Closed) => return None,
        };
        let event = &dispatched.event;
        if event.record_id != state.id && dispatched.obligation != Some(state.id) {
            continue;
        }
        let actor = match state.watch.actor().await {
            Ok(actor) => actor,
            Err(err) => {
                state.receiver = None;
                return Some((Err(err), state));
            }
        };
        match service::visible(&state.watch.db, &actor, &event.record_type, event.record_id).await {
            Ok(true) => return Some((Ok(RecordChange(dispatched)), state)),
            Ok(false) => continue,
            Err(err) => return Some((Err(err), state)),
        }
    }
}
