//! The principals of this process: who a verified token stands for, kept so that a request
//! whose token was seen a moment ago runs no SQL statement to authenticate; and, with them,
//! where the agencies a listing is asked to look `within` stand in the tree (their path, and
//! whether their subtree leaves other agencies out), so that such a listing runs one statement
//! less.
//!
//! An entry is keyed by what the token names (the account and its session, or the client and
//! its secret version) and is only as good as the records behind it, so every change that
//! could refuse or narrow a principal empties the cache: a session revoked (sign-out, password
//! changed or reset, account disabled, a refresh token reused) and any change to an account, a
//! service client or an agency (the same emptying keeps the agencies' places true: a move
//! changes a path, a new root makes the first one's tree a part of the data). Such a change sends `NOTIFY ttdn_auth` in its transaction, which
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

use entity::ids::AgencyId;
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

/// Where an agency stands in the tree, as a listing within it needs to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subtree {
    /// The agency's materialized path (`/…/`).
    pub path: Arc<str>,
    /// Whether its subtree leaves other agencies out: it has a parent, or other trees stand
    /// beside it.
    pub part_of_tree: bool,
}

/// What is kept, each entry with the moment it was read.
#[derive(Default)]
struct Entries {
    principals: HashMap<Key, (Arc<Actor>, Instant)>,
    subtrees: HashMap<AgencyId, (Subtree, Instant)>,
}

impl Entries {
    fn clear(&mut self) {
        self.principals.clear();
        self.subtrees.clear();
    }
}

struct Inner {
    entries: Mutex<Entries>,
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
            entries: Mutex::new(Entries::default()),
            emptied: AtomicU64::new(0),
            ttl,
            bus: std::sync::OnceLock::new(),
        }))
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
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
        let (actor, at) = entries.principals.get(key)?;
        (at.elapsed() < self.0.ttl).then(|| actor.clone())
    }

    /// Where agency `root` stands, if kept and fresh.
    pub fn subtree(&self, root: AgencyId) -> Option<Subtree> {
        if self.0.ttl.is_zero() {
            return None;
        }
        let entries = self.entries();
        let (subtree, at) = entries.subtrees.get(&root)?;
        (at.elapsed() < self.0.ttl).then(|| subtree.clone())
    }

    /// Where a reader of the records starts.
    pub fn since(&self) -> Since {
        Since(self.0.emptied.load(Ordering::SeqCst))
    }

    /// Keeps `actor` for `key`, read from the records since `since`, unless the cache was
    /// emptied meanwhile.
    pub fn put(&self, key: Key, actor: Arc<Actor>, since: Since) {
        self.keep(since, |entries| {
            keep_in(&mut entries.principals, key, actor);
        });
    }

    /// Keeps where agency `root` stands, read from the database (never inside a transaction
    /// that may yet roll back) since `since`, unless the cache was emptied meanwhile.
    pub fn put_subtree(&self, root: AgencyId, subtree: Subtree, since: Since) {
        self.keep(since, |entries| {
            keep_in(&mut entries.subtrees, root, subtree);
        });
    }

    fn keep(&self, since: Since, put: impl FnOnce(&mut Entries)) {
        if self.0.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        if self.0.emptied.load(Ordering::SeqCst) == since.0 {
            put(&mut entries);
        }
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

/// Puts `value` under `key`, starting afresh past [`CAPACITY`] entries.
fn keep_in<K: std::hash::Hash + Eq, V>(map: &mut HashMap<K, (V, Instant)>, key: K, value: V) {
    if map.len() >= CAPACITY {
        map.clear();
    }
    map.insert(key, (value, Instant::now()));
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
    fn places_in_the_tree_are_forgotten_with_the_principals() {
        let cache = Principals::new(Duration::from_secs(30));
        let root = AgencyId(Uuid::nil());
        let place = Subtree {
            path: "/a/".into(),
            part_of_tree: false,
        };
        let since = cache.since();
        cache.empty();
        cache.put_subtree(root, place.clone(), since);
        assert_eq!(cache.subtree(root), None, "read before the change");
        cache.put_subtree(root, place.clone(), cache.since());
        cache.put(KEY, actor(), cache.since());
        assert_eq!(cache.subtree(root), Some(place));
        cache.empty();
        assert_eq!(cache.subtree(root), None);
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
