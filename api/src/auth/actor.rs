//! Who is calling: computed once per request from the bearer token and the database (or the
//! principals this process keeps, `super::cache`), then read by every resolver. A token is only
//! as good as the records behind it: a disabled account, a revoked session or a rotated client
//! secret stops working at the next request.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use entity::{
    agency,
    ids::{AgencyId, ServiceClientId, SessionId, UserId},
    service_client, session, user_account,
};
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use uuid::Uuid;

use super::{cache::Key, service::AuthConfig, token::PrincipalKind};
use crate::error::{AppError, AppResult};

/// The role an actor acts in: an account's role, or `Integration` for a service client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActorRole {
    /// System administrator.
    Admin,
    /// The TTĐN lead department of a province.
    ProvincialDepartment,
    /// A district committee.
    District,
    /// A commune committee.
    Commune,
    /// A press agency.
    Press,
    /// A machine client.
    Integration,
}

impl ActorRole {
    /// Every role, in matrix order.
    pub const ALL: [ActorRole; 6] = [
        ActorRole::Admin,
        ActorRole::ProvincialDepartment,
        ActorRole::District,
        ActorRole::Commune,
        ActorRole::Press,
        ActorRole::Integration,
    ];

    /// The stable name (as in tokens, the audit trail and the schema).
    pub fn as_str(self) -> &'static str {
        match self {
            ActorRole::Admin => "ADMIN",
            ActorRole::ProvincialDepartment => "PROVINCIAL_DEPARTMENT",
            ActorRole::District => "DISTRICT",
            ActorRole::Commune => "COMMUNE",
            ActorRole::Press => "PRESS",
            ActorRole::Integration => "INTEGRATION",
        }
    }
}

impl From<user_account::Role> for ActorRole {
    fn from(role: user_account::Role) -> Self {
        match role {
            user_account::Role::Admin => ActorRole::Admin,
            user_account::Role::ProvincialDepartment => ActorRole::ProvincialDepartment,
            user_account::Role::District => ActorRole::District,
            user_account::Role::Commune => ActorRole::Commune,
            user_account::Role::Press => ActorRole::Press,
        }
    }
}

/// A permission a service client can be granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClientScope {
    /// `agencies:read`.
    AgenciesRead,
    /// `agencies:write`.
    AgenciesWrite,
    /// `users:read`.
    UsersRead,
    /// `users:write`.
    UsersWrite,
    /// `audit:read`.
    AuditRead,
    /// `press:read`: the spokesperson directory and what is published to the press.
    PressRead,
    /// `reports:read`: reporting obligations and reports; also incidents, training sessions
    /// and plans (as before the scopes of those areas).
    ReportsRead,
    /// `spokespersons:read`: the spokesperson directory (published appointments).
    SpokespersonsRead,
    /// `press_events:read`: press events of its subtree, once announced.
    PressEventsRead,
    /// `releases:read`: information releases of its subtree, out of draft and past their
    /// embargo.
    ReleasesRead,
    /// `press_requests:read`: press requests addressed to its subtree.
    PressRequestsRead,
    /// `incidents:read`: false-information incidents of its subtree.
    IncidentsRead,
    /// `training:read`: training sessions of its subtree or to which it is invited.
    TrainingRead,
    /// `plans:read`: plans of its subtree and those with tasks for it.
    PlansRead,
}

impl ClientScope {
    /// Every scope.
    pub const ALL: [ClientScope; 14] = [
        ClientScope::AgenciesRead,
        ClientScope::AgenciesWrite,
        ClientScope::UsersRead,
        ClientScope::UsersWrite,
        ClientScope::AuditRead,
        ClientScope::PressRead,
        ClientScope::ReportsRead,
        ClientScope::SpokespersonsRead,
        ClientScope::PressEventsRead,
        ClientScope::ReleasesRead,
        ClientScope::PressRequestsRead,
        ClientScope::IncidentsRead,
        ClientScope::TrainingRead,
        ClientScope::PlansRead,
    ];

    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientScope::AgenciesRead => "agencies:read",
            ClientScope::AgenciesWrite => "agencies:write",
            ClientScope::UsersRead => "users:read",
            ClientScope::UsersWrite => "users:write",
            ClientScope::AuditRead => "audit:read",
            ClientScope::PressRead => "press:read",
            ClientScope::ReportsRead => "reports:read",
            ClientScope::SpokespersonsRead => "spokespersons:read",
            ClientScope::PressEventsRead => "press_events:read",
            ClientScope::ReleasesRead => "releases:read",
            ClientScope::PressRequestsRead => "press_requests:read",
            ClientScope::IncidentsRead => "incidents:read",
            ClientScope::TrainingRead => "training:read",
            ClientScope::PlansRead => "plans:read",
        }
    }

    /// Reads the stored comma-separated list; unknown names are skipped.
    pub fn decode(stored: &str) -> Vec<ClientScope> {
        stored
            .split(',')
            .filter_map(|name| Self::ALL.into_iter().find(|s| s.as_str() == name))
            .collect()
    }

    /// Stores a list as one column.
    pub fn encode(scopes: &[ClientScope]) -> String {
        let mut scopes = scopes.to_vec();
        scopes.sort();
        scopes.dedup();
        scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The identity behind a request.
#[derive(Clone, Debug)]
pub enum Principal {
    /// A person, signed in through a session.
    User {
        /// Account.
        id: UserId,
        /// Session the token belongs to.
        session: SessionId,
        /// Username.
        username: String,
    },
    /// A service client.
    Client {
        /// Client.
        id: ServiceClientId,
        /// Name of the system.
        name: String,
        /// Granted scopes.
        scopes: Vec<ClientScope>,
    },
}

/// The part of the agency tree an actor works in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Everything (administrators).
    All,
    /// One agency and everything below it, by materialized path.
    Subtree {
        /// The subtree's root.
        root: AgencyId,
        /// Its path (`/…/`).
        path: String,
    },
}

impl Scope {
    /// Whether an agency with this path lies inside.
    pub fn contains(&self, agency_path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Subtree { path, .. } => agency_path.starts_with(path.as_str()),
        }
    }
}

/// A verified caller.
#[derive(Clone, Debug)]
pub struct Actor {
    /// Who.
    pub principal: Principal,
    /// In which role.
    pub role: ActorRole,
    /// The agency acted for (administrators may have none).
    pub agency: Option<agency::Model>,
    /// Where the actor works.
    pub scope: Scope,
}

impl Actor {
    /// Account or client id.
    pub fn id(&self) -> Uuid {
        match &self.principal {
            Principal::User { id, .. } => id.0,
            Principal::Client { id, .. } => id.0,
        }
    }

    /// Username or client name.
    pub fn name(&self) -> &str {
        match &self.principal {
            Principal::User { username, .. } => username,
            Principal::Client { name, .. } => name,
        }
    }

    /// The agency's id, if any.
    pub fn agency_id(&self) -> Option<AgencyId> {
        self.agency.as_ref().map(|a| AgencyId(a.id))
    }

    /// The signed-in person's account and session, or `UNAUTHENTICATED` for a client.
    pub fn user(&self) -> AppResult<(UserId, SessionId)> {
        match &self.principal {
            Principal::User { id, session, .. } => Ok((*id, *session)),
            Principal::Client { .. } => Err(AppError::Forbidden(crate::error::Msg::new(
                "Thao tác này chỉ dành cho tài khoản người dùng",
                "Only a person's account can do this",
            ))),
        }
    }
}

/// The path of the province an agency with `path` belongs to: the root of its tree (the
/// provincial committee, or a central agency for agencies outside the provinces).
pub fn province_path(path: &str) -> String {
    path.split('/')
        .find(|s| !s.is_empty())
        .map_or_else(|| path.to_owned(), |root| format!("/{root}/"))
}

/// The scope of `role` acting for `agency`: the department works in its whole province (the
/// tree under its provincial committee), everyone else in their own agency's subtree.
pub fn scope_of(role: ActorRole, agency: Option<&agency::Model>) -> Scope {
    let Some(agency) = agency else {
        return Scope::All;
    };
    if role == ActorRole::Admin {
        return Scope::All;
    }
    let path = if role == ActorRole::ProvincialDepartment {
        province_path(&agency.path)
    } else {
        agency.path.clone()
    };
    let root = path
        .split('/')
        .rfind(|s| !s.is_empty())
        .and_then(|s| Uuid::try_parse(s).ok())
        .map_or(AgencyId(agency.id), AgencyId);
    Scope::Subtree { root, path }
}

/// The actor of service client `id` (named `name`, with its encoded `scopes`) acting for its
/// agency `agency`.
pub fn client_actor(
    id: ServiceClientId,
    name: String,
    scopes: &str,
    agency: Option<agency::Model>,
) -> Actor {
    Actor {
        scope: scope_of(ActorRole::Integration, agency.as_ref()),
        principal: Principal::Client {
            id,
            name,
            scopes: ClientScope::decode(scopes),
        },
        role: ActorRole::Integration,
        agency,
    }
}

/// What the request's credentials amount to.
#[derive(Clone, Debug)]
pub enum Authentication {
    /// No `Authorization` header.
    Anonymous,
    /// A header whose token was refused.
    Refused,
    /// A verified actor.
    Actor(Arc<Actor>),
}

/// Reads the `Authorization` header's bearer token and loads the actor behind it: from this
/// process's principals when the token's session or client version was verified a moment ago
/// (no SQL statement), else from the database (then kept; see [`super::cache`]).
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    auth: &AuthConfig,
    header: Option<&str>,
) -> AppResult<Authentication> {
    authenticate_with(db, auth, header, true).await
}

/// [`authenticate`] from the database, whatever this process keeps: for a check made because
/// principals changed (a live connection asked to prove itself again).
pub async fn authenticate_afresh<C: ConnectionTrait>(
    db: &C,
    auth: &AuthConfig,
    header: Option<&str>,
) -> AppResult<Authentication> {
    authenticate_with(db, auth, header, false).await
}

async fn authenticate_with<C: ConnectionTrait>(
    db: &C,
    auth: &AuthConfig,
    header: Option<&str>,
    kept: bool,
) -> AppResult<Authentication> {
    let keys = &auth.keys;
    let Some(header) = header else {
        return Ok(Authentication::Anonymous);
    };
    let Some(token) = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
    else {
        return Ok(Authentication::Refused);
    };
    let Ok(claims) = keys.verify(token.trim()) else {
        return Ok(Authentication::Refused);
    };
    let key = match (claims.kind, claims.sid, claims.sv) {
        (PrincipalKind::User, Some(session), _) => Key::Session {
            user: claims.sub,
            session,
        },
        (PrincipalKind::Client, _, Some(secret_version)) => Key::Client {
            client: claims.sub,
            secret_version,
        },
        _ => return Ok(Authentication::Refused),
    };
    if kept && let Some(actor) = auth.principals.get(&key) {
        return Ok(Authentication::Actor(actor));
    }
    let since = auth.principals.since();
    let actor = match claims.kind {
        PrincipalKind::User => {
            let Some(session_id) = claims.sid else {
                return Ok(Authentication::Refused);
            };
            // Only the columns a principal needs: the password hash never leaves sign-in.
            use user_account::Column as U;
            let user = user_account::Entity::find_by_id(claims.sub)
                .select_only()
                .columns([U::Username, U::Role, U::AgencyId, U::DisabledAt])
                .into_tuple::<(
                    String,
                    user_account::Role,
                    Option<Uuid>,
                    Option<DateTime<Utc>>,
                )>()
                .one(db)
                .await?;
            let session = session::Entity::find_by_id(session_id)
                .select_only()
                .columns([session::Column::UserId, session::Column::RevokedAt])
                .into_tuple::<(Uuid, Option<DateTime<Utc>>)>()
                .one(db)
                .await?;
            let (Some((username, role, agency_id, disabled_at)), Some((owner, revoked_at))) =
                (user, session)
            else {
                return Ok(Authentication::Refused);
            };
            if disabled_at.is_some() || revoked_at.is_some() || owner != claims.sub {
                return Ok(Authentication::Refused);
            }
            let agency = match agency_id {
                Some(id) => agency::Entity::find_by_id(id).one(db).await?,
                None => None,
            };
            let role = ActorRole::from(role);
            Actor {
                scope: scope_of(role, agency.as_ref()),
                principal: Principal::User {
                    id: UserId(claims.sub),
                    session: SessionId(session_id),
                    username,
                },
                role,
                agency,
            }
        }
        PrincipalKind::Client => {
            // Not the secret's hash: it never leaves the token exchange.
            use service_client::Column as C;
            let Some((name, agency_id, scopes, secret_version, disabled_at)) =
                service_client::Entity::find_by_id(claims.sub)
                    .select_only()
                    .columns([
                        C::Name,
                        C::AgencyId,
                        C::Scopes,
                        C::SecretVersion,
                        C::DisabledAt,
                    ])
                    .into_tuple::<(String, Uuid, String, i32, Option<DateTime<Utc>>)>()
                    .one(db)
                    .await?
            else {
                return Ok(Authentication::Refused);
            };
            if disabled_at.is_some() || claims.sv != Some(secret_version) {
                return Ok(Authentication::Refused);
            }
            let agency = agency::Entity::find_by_id(agency_id).one(db).await?;
            client_actor(ServiceClientId(claims.sub), name, &scopes, agency)
        }
    };
    // Only administrators act without an agency; anything else would have no scope to work in.
    if actor.agency.is_none() && actor.role != ActorRole::Admin {
        return Ok(Authentication::Refused);
    }
    let actor = Arc::new(actor);
    auth.principals.put(key, actor.clone(), since);
    Ok(Authentication::Actor(actor))
}
