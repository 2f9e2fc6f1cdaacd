//! Per-caller cost budgets: every account and service client may spend a number of query-cost
//! points per minute (the same points as the complexity limit: a connection costs `first ×`
//! its selection), set per role. A request costs its measured complexity (at least 1); one that
//! does not fit in what is left is refused with `RATE_LIMITED` and `retryAfter`, and every
//! response of a signed-in caller reports the budget in `extensions.cost`, as Shopify's
//! `throttleStatus` does:
//!
//! ```json
//! "cost": { "requestedQueryCost": 120,
//!           "throttleStatus": { "maximumAvailable": 60000, "currentlyAvailable": 59880, "restoreRate": 1000 } }
//! ```
//!
//! The budget is a token bucket that refills continuously (`restoreRate` points a second, the
//! whole budget in a minute). It lives in the memory of each process: behind a load balancer
//! with N processes a caller can spend up to N budgets a minute (each process enforces its own).
//! The limit protects each process from one caller's flood; an exact cluster-wide quota belongs
//! at the load balancer.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use async_graphql::Value;
use uuid::Uuid;

use crate::{auth::actor::ActorRole, config::Settings};

/// Points a minute for each role (0: unlimited).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleBudgets {
    per_minute: [u32; 6],
}

impl RoleBudgets {
    /// The budgets configured in `settings`.
    pub fn from_settings(settings: &Settings) -> Self {
        let s = settings;
        Self {
            per_minute: [
                s.budget_admin,
                s.budget_provincial_department,
                s.budget_district,
                s.budget_commune,
                s.budget_press,
                s.budget_integration,
            ],
        }
    }

    fn of(&self, role: ActorRole) -> u32 {
        let index = ActorRole::ALL.iter().position(|r| *r == role).unwrap_or(0);
        self.per_minute[index]
    }
}

struct Bucket {
    available: f64,
    updated: Instant,
}

/// Buckets of every caller seen by this process.
pub struct Budgets {
    roles: RoleBudgets,
    buckets: Mutex<HashMap<Uuid, Bucket>>,
}

/// Buckets kept before idle full ones are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// What one request was charged, for `extensions.cost`.
#[derive(Clone, Debug, PartialEq)]
pub struct Charge {
    /// The request's cost.
    pub requested: usize,
    /// The caller's budget a minute.
    pub maximum: u32,
    /// What is left after this request.
    pub available: u32,
    /// Points restored a second.
    pub restore_rate: f64,
    /// Set when the request was refused: seconds until its cost fits.
    pub retry_after_secs: Option<u64>,
}

impl Charge {
    /// The `extensions.cost` entry.
    pub fn to_value(&self) -> Value {
        let restore = self.restore_rate.floor() as u64;
        async_graphql::value!({
            "requestedQueryCost": self.requested,
            "throttleStatus": {
                "maximumAvailable": self.maximum,
                "currentlyAvailable": self.available,
                "restoreRate": restore,
            },
        })
    }
}

impl Budgets {
    /// Empty buckets for these budgets.
    pub fn new(roles: RoleBudgets) -> Self {
        Self {
            roles,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Charges `cost` points to `caller` (of `role`), or tells when it would fit.
    pub fn charge(&self, caller: Uuid, role: ActorRole, cost: usize) -> Charge {
        self.charge_at(caller, role, cost, Instant::now())
    }

    fn charge_at(&self, caller: Uuid, role: ActorRole, cost: usize, now: Instant) -> Charge {
        let maximum = self.roles.of(role);
        let requested = cost.max(1);
        if maximum == 0 {
            return Charge {
                requested,
                maximum: 0,
                available: 0,
                restore_rate: 0.0,
                retry_after_secs: None,
            };
        }
        let capacity = f64::from(maximum);
        let rate = capacity / 60.0;
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| now.duration_since(b.updated) < Duration::from_secs(60));
        }
        let bucket = buckets.entry(caller).or_insert(Bucket {
            available: capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.available = (bucket.available + elapsed * rate).min(capacity);
        bucket.updated = now;
        let cost = requested as f64;
        let retry_after_secs = if cost <= bucket.available {
            bucket.available -= cost;
            None
        } else {
            // A request costlier than the whole budget can never run: it waits a full minute
            // and is refused again; the complexity limit keeps single requests below budgets.
            let missing = cost.min(capacity) - bucket.available;
            Some(((missing / rate).ceil() as u64).max(1))
        };
        Charge {
            requested,
            maximum,
            available: bucket.available.floor() as u32,
            restore_rate: rate,
            retry_after_secs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budgets(per_minute: u32) -> Budgets {
        Budgets::new(RoleBudgets {
            per_minute: [per_minute; 6],
        })
    }

    #[test]
    fn a_budget_is_spent_then_restored_over_a_minute() {
        let b = budgets(600);
        let caller = Uuid::now_v7();
        let start = Instant::now();
        let first = b.charge_at(caller, ActorRole::Press, 500, start);
        assert_eq!((first.available, first.retry_after_secs), (100, None));
        let refused = b.charge_at(caller, ActorRole::Press, 200, start);
        // 100 points missing at 10 a second.
        assert_eq!(refused.retry_after_secs, Some(10));
        assert_eq!(refused.available, 100, "a refusal costs nothing");
        let later = b.charge_at(
            caller,
            ActorRole::Press,
            200,
            start + Duration::from_secs(10),
        );
        assert_eq!((later.available, later.retry_after_secs), (0, None));
        // Another caller has a budget of its own.
        let other = b.charge_at(Uuid::now_v7(), ActorRole::Press, 200, start);
        assert_eq!(other.retry_after_secs, None);
    }

    #[test]
    fn zero_means_unlimited() {
        let b = budgets(0);
        let caller = Uuid::now_v7();
        for _ in 0..1000 {
            assert_eq!(
                b.charge(caller, ActorRole::Admin, 5000).retry_after_secs,
                None
            );
        }
    }
}
