//! The principals of this process: who a verified token stands for, kept so that a request
//! whose token was seen a moment ago runs no SQL statement to authenticate.
//!
//! An entry is keyed by what the token names (the account and its session, or the client and
//! its secret version) and is only as good as the records behind it, so every change that
//! could refuse or narrow a principal empties the cache: a session revoked (sign-out, password
//! changed or reset, account disabled, a refresh token reused) and any change to an account, a
//! service client or an agency. Such a change sends `NOTIFY ttdn_auth` in its transaction, which
//! PostgreSQL delivers to every process at commit; the process that made it also empties its
//! own cache right after the commit. An entry is dropped after `TTDN_AUTH_CACHE_SECS` in any
//! case, the bound should a notification be lost (a listener reconnecting also empties it).
//!
//! A request that read the records before a change committed must not put what it read back
//! after the cache was emptied: the cache counts its emptyings, and an entry is kept only if no
//! emptying happened since its reader started.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::actor::Actor;
use crate::{
    error::AppResult,
    events::{
        bus::{AUTH_CHANNEL, Bus, Signal},
        outbox,
    },
};

/// Most principals kept; past it the cache starts afresh.
const CAPACITY: usize = 50_000;

/// What a token names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// An account and one of its sessions.
    Session {
        /// The account.
        user: Uuid,
        /// The session.
        session: Uuid,
    },
    /// A service client under one version of its secret.
    Client {
        /// The client.
        client: Uuid,
        /// The secret version the token was issued under.
        secret_version: i32,
    },
}

struct Inner {
    entries: Mutex<HashMap<Key, (Arc<Actor>, Instant)>>,
    emptied: AtomicU64,
    ttl: Duration,
    /// This process's bus, once followed: a change made here is told to its live connections.
    bus: std::sync::OnceLock<Bus>,
}

/// This process's principals (cheap to clone: one cache).
#[derive(Clone)]
pub struct Principals(Arc<Inner>);

/// Where a reader started: the number of emptyings it saw.
#[derive(Clone, Copy, Debug)]
pub struct Since(u64);

impl Principals {
    /// A cache keeping entries `ttl` at most; zero keeps none.
    pub fn new(ttl: Duration) -> Self {
        Self(Arc::new(Inner {
            entries: Mutex::new(HashMap::new()),
            emptied: AtomicU64::new(0),
            ttl,
            bus: std::sync::OnceLock::new(),
        }))
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Key, (Arc<Actor>, Instant)>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.0
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The principal of `key`, if kept and fresh.
    pub fn get(&self, key: &Key) -> Option<Arc<Actor>> {
        if self.0.ttl.is_zero() {
            return None;
        }
        let entries = self.entries();
        let (actor, at) = entries.get(key)?;
        (at.elapsed() < self.0.ttl).then(|| actor.clone())
    }

    /// Where a reader of the records starts.
    pub fn since(&self) -> Since {
        Since(self.0.emptied.load(Ordering::SeqCst))
    }

    /// Keeps `actor` for `key`, read from the records since `since`, unless the cache was
    /// emptied meanwhile.
    pub fn put(&self, key: Key, actor: Arc<Actor>, since: Since) {
        if self.0.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        if self.0.emptied.load(Ordering::SeqCst) != since.0 {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(key, (actor, Instant::now()));
    }

    /// Forgets every principal after a change made in this process that may refuse or narrow
    /// one, and tells this process's live connections to check theirs again.
    pub fn empty(&self) {
        self.forget();
        if let Some(bus) = self.0.bus.get() {
            bus.signal(Signal::AuthChanged);
        }
    }

    fn forget(&self) {
        let mut entries = self.entries();
        self.0.emptied.fetch_add(1, Ordering::SeqCst);
        entries.clear();
    }

    /// Empties the cache whenever another process (or this one) says principals changed, and
    /// after a gap in listening, for as long as the bus runs.
    pub fn follow(&self, bus: &Bus) {
        let _ = self.0.bus.set(bus.clone());
        let mut signals = bus.subscribe();
        let principals = self.clone();
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                match signals.recv().await {
                    Ok(Signal::AuthChanged | Signal::Resync) | Err(RecvError::Lagged(_)) => {
                        principals.forget();
                    }
                    Ok(Signal::Dispatched(_)) => {}
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }
}

/// In a change's transaction: tells every process, at commit, to forget its principals (on
/// PostgreSQL; one process holds an SQLite database, and it empties its own after the commit).
pub async fn changed<C: ConnectionTrait>(txn: &C) -> AppResult<()> {
    outbox::notify(txn, AUTH_CHANNEL, "").await
}

/// Whether a change of a record of this kind (a mutation's record type) may refuse or narrow a
/// principal: an account, a service client, an agency (whose place in the tree is a scope).
pub fn affects_principals(kind: &str) -> bool {
    matches!(kind, "User" | "ServiceClient" | "Agency")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::actor::{ActorRole, Principal, Scope};

    fn actor() -> Arc<Actor> {
        Arc::new(Actor {
            principal: Principal::Client {
                id: entity::ids::ServiceClientId(Uuid::nil()),
                name: "test".into(),
                scopes: Vec::new(),
            },
            role: ActorRole::Integration,
            agency: None,
            scope: Scope::All,
        })
    }

    const KEY: Key = Key::Client {
        client: Uuid::nil(),
        secret_version: 1,
    };

    #[test]
    fn a_reader_that_started_before_an_emptying_keeps_nothing() {
        let cache = Principals::new(Duration::from_secs(30));
        let since = cache.since();
        cache.empty();
        cache.put(KEY, actor(), since);
        assert!(cache.get(&KEY).is_none());
        let since = cache.since();
        cache.put(KEY, actor(), since);
        assert!(cache.get(&KEY).is_some());
        cache.empty();
        assert!(cache.get(&KEY).is_none());
    }

    #[test]
    fn entries_expire_and_a_zero_lifetime_keeps_none() {
        let cache = Principals::new(Duration::from_millis(20));
        cache.put(KEY, actor(), cache.since());
        assert!(cache.get(&KEY).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert!(cache.get(&KEY).is_none());
        let off = Principals::new(Duration::ZERO);
        off.put(KEY, actor(), off.since());
        assert!(off.get(&KEY).is_none());
    }
}
