//! The webhook sender: POSTs pending deliveries, outside any request. Each process runs one; a
//! delivery is taken by moving its `next_attempt_at` past now (a lease) with an update
//! conditional on it being due and on its attempt count, so that two senders, in one process or
//! two, never send the same delivery at once. Deliveries live in the database: after a restart
//! the next pass sends what was pending. A delivery not answered 2xx is tried again after 1, 2,
//! 4… times `TTDN_WEBHOOK_RETRY_SECS` (at most an hour apart) for 24 hours, then given up; an
//! endpoint whose attempts fail `TTDN_WEBHOOK_DISABLE_AFTER` times in a row is disabled, and the
//! agency that registered it is told.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use entity::{
    webhook_delivery::{self, Column, DeliveryStatus, Entity as Delivery},
    webhook_endpoint,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Query},
};

use super::service::{AllowList, sign};
use crate::{
    config::Settings,
    db,
    error::AppResult,
    events::{bus::Bus, outbox},
};

/// How long a taken delivery is held by its sender (longer than an attempt's timeout).
const LEASE: i64 = 60;

/// How long a receiver has to answer.
const TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// Deliveries taken per pass.
const PER_PASS: u64 = 20;

/// The HTTP side.
#[derive(Clone)]
pub struct Sender {
    agent: ureq::Agent,
    allow: AllowList,
    retry: Duration,
    disable_after: i32,
    interval: StdDuration,
    bus: Bus,
}

/// What one attempt got: the receiver's status, or why there was none.
type Outcome = Result<u16, String>;

impl Sender {
    /// A sender with the settings' allow-list, retry base and failure run.
    pub fn from_settings(settings: &Settings, bus: Bus) -> anyhow::Result<Self> {
        let allow = AllowList::parse(
            &settings.webhook_allowed_hosts,
            settings.mode == crate::config::Mode::Dev,
        )
        .map_err(anyhow::Error::msg)?;
        Ok(Self {
            agent: ureq::Agent::config_builder()
                .timeout_global(Some(TIMEOUT))
                .http_status_as_error(false)
                .max_redirects(0)
                .build()
                .new_agent(),
            allow,
            retry: Duration::seconds(
                i64::try_from(Ord::max(settings.webhook_retry_secs, 1)).unwrap_or(30),
            ),
            disable_after: i32::try_from(Ord::max(settings.webhook_disable_after, 1)).unwrap_or(50),
            interval: StdDuration::from_secs(settings.webhook_interval_secs),
            bus,
        })
    }

    /// Starts sending, every `TTDN_WEBHOOK_INTERVAL_SECS` (not at all when 0).
    pub fn spawn(self, db: DatabaseConnection) {
        if self.interval.is_zero() {
            return;
        }
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(self.interval);
            loop {
                tick.tick().await;
                if let Err(err) = self.pass(&db).await {
                    tracing::warn!(error = ?err, "sending webhooks failed; retrying");
                }
            }
        });
    }

    /// Sends what is due to enabled endpoints; how many were accepted.
    pub async fn pass(&self, db: &DatabaseConnection) -> AppResult<usize> {
        let now = Utc::now();
        let enabled = Query::select()
            .column(webhook_endpoint::Column::Id)
            .from(webhook_endpoint::Entity)
            .and_where(webhook_endpoint::Column::DisabledAt.is_null())
            .to_owned();
        let due = Delivery::find()
            .filter(Column::Status.eq(DeliveryStatus::Pending))
            .filter(Column::NextAttemptAt.lte(now))
            .filter(Column::EndpointId.in_subquery(enabled))
            .order_by_asc(Column::NextAttemptAt)
            .limit(PER_PASS)
            .all(db)
            .await?;
        let mut delivered = 0;
        // Whole microseconds, as both databases keep it, so that `record` can find it again.
        let lease = (now + Duration::seconds(LEASE)).trunc_subsecs(6);
        for delivery in due {
            // Take it: only one sender moves its next attempt forward.
            let taken = Delivery::update_many()
                .col_expr(Column::NextAttemptAt, Expr::value(lease))
                .filter(Column::Id.eq(delivery.id))
                .filter(Column::Status.eq(DeliveryStatus::Pending))
                .filter(Column::NextAttemptAt.lte(now))
                .filter(Column::Attempts.eq(delivery.attempts))
                .exec(db)
                .await?
                .rows_affected
                == 1;
            if !taken {
                continue;
            }
            let Some(endpoint) = webhook_endpoint::Entity::find_by_id(delivery.endpoint_id)
                .one(db)
                .await?
            else {
                continue;
            };
            let outcome = self.post(&endpoint, &delivery).await;
            if self
                .record(db, &endpoint, &delivery, lease, outcome)
                .await?
            {
                delivered += 1;
            }
        }
        Ok(delivered)
    }

    /// One attempt: the POST, signed with the endpoint's secret.
    async fn post(
        &self,
        endpoint: &webhook_endpoint::Model,
        delivery: &webhook_delivery::Model,
    ) -> Outcome {
        // The list may have changed since the endpoint was registered.
        let url = self
            .allow
            .check(&endpoint.url)
            .map_err(|msg| msg.en.to_string())?;
        let id = delivery.id.to_string();
        let timestamp = Utc::now().timestamp();
        let signature = sign(&endpoint.secret, &id, timestamp, &delivery.payload);
        let (agent, body) = (self.agent.clone(), delivery.payload.clone());
        tokio::task::spawn_blocking(move || {
            agent
                .post(url.as_str())
                .header("content-type", "application/json")
                .header("user-agent", "ttdn-webhooks")
                .header("webhook-id", &id)
                .header("webhook-timestamp", timestamp.to_string())
                .header("webhook-signature", signature)
                .send(body)
                .map(|response| response.status().as_u16())
                .map_err(|err| err.to_string())
        })
        .await
        .map_err(|err| err.to_string())?
    }

    /// Records an attempt, its outcome, the endpoint's failure run, and its disabling after too
    /// many failures in a row, in one transaction; whether it was delivered.
    ///
    /// The attempt is always counted. Its outcome (delivered, given up, or when to try again)
    /// is written only while the delivery still holds this sender's `lease`: a redelivery asked
    /// for during the attempt moved `next_attempt_at` back to its own time, and that request
    /// stands (the delivery is sent again) instead of being overwritten by the attempt.
    async fn record(
        &self,
        db: &DatabaseConnection,
        endpoint: &webhook_endpoint::Model,
        delivery: &webhook_delivery::Model,
        lease: DateTime<Utc>,
        outcome: Outcome,
    ) -> AppResult<bool> {
        let now = Utc::now();
        let attempts = delivery.attempts + 1;
        let ok = matches!(outcome, Ok(status) if (200..300).contains(&status));
        let attempt = Delivery::update_many()
            .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
            .col_expr(Column::LastAttemptAt, Expr::value(now))
            .col_expr(
                Column::LastStatusCode,
                Expr::value(outcome.as_ref().ok().map(|s| i32::from(*s))),
            )
            .col_expr(
                Column::LastError,
                Expr::value(match &outcome {
                    Ok(status) if !ok => Some(format!("the receiver answered {status}")),
                    Ok(_) => None,
                    Err(error) => Some(error.chars().take(1000).collect::<String>()),
                }),
            )
            .filter(Column::Id.eq(delivery.id));
        let held = Delivery::update_many()
            .filter(Column::Id.eq(delivery.id))
            .filter(Column::NextAttemptAt.eq(lease));
        let result = if ok {
            held.col_expr(Column::Status, Expr::value(DeliveryStatus::Delivered))
                .col_expr(Column::DeliveredAt, Expr::value(now))
        } else if now >= delivery.retry_until {
            held.col_expr(Column::Status, Expr::value(DeliveryStatus::Failed))
        } else {
            let factor = 1_i32 << (attempts - 1).clamp(0, 12);
            let wait = (self.retry * factor).min(Duration::hours(1));
            held.col_expr(
                Column::NextAttemptAt,
                Expr::value(Ord::min(now + wait, delivery.retry_until)),
            )
        };
        tracing::info!(delivery = %delivery.id, attempts, ok, outcome = ?outcome, "webhook attempt");
        let txn = db::begin(db).await?;
        attempt.exec(&*txn).await?;
        if result.exec(&*txn).await?.rows_affected == 0 {
            tracing::info!(delivery = %delivery.id, "asked to be sent again during the attempt");
        }
        let mut disabled = false;
        if ok {
            webhook_endpoint::Entity::update_many()
                .col_expr(webhook_endpoint::Column::FailureRun, Expr::value(0))
                .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
                .exec(&*txn)
                .await?;
        } else {
            webhook_endpoint::Entity::update_many()
                .col_expr(
                    webhook_endpoint::Column::FailureRun,
                    Expr::col(webhook_endpoint::Column::FailureRun).add(1),
                )
                .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
                .exec(&*txn)
                .await?;
            // Disabled once, by the attempt that completes the run.
            disabled = webhook_endpoint::Entity::update_many()
                .col_expr(webhook_endpoint::Column::DisabledAt, Expr::value(now))
                .col_expr(
                    webhook_endpoint::Column::DisabledReason,
                    Expr::value(format!(
                        "disabled after {} failed attempts in a row",
                        self.disable_after
                    )),
                )
                .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
                .filter(webhook_endpoint::Column::DisabledAt.is_null())
                .filter(webhook_endpoint::Column::FailureRun.gte(self.disable_after))
                .exec(&*txn)
                .await?
                .rows_affected
                == 1;
            if disabled {
                outbox::record_at(
                    &*txn,
                    "webhook.disabled",
                    "WebhookEndpoint",
                    endpoint.id,
                    None,
                    now,
                )
                .await?;
            }
        }
        txn.commit().await?;
        if disabled {
            tracing::warn!(endpoint = %endpoint.id, url = %endpoint.url, "webhook endpoint disabled after a run of failures");
            self.bus.wake();
        }
        Ok(ok)
    }
}
