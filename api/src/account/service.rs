//! Accounts: who manages whom, and the rules that keep accounts consistent with the agency tree.
//!
//! Administrators manage every account. The department manages the accounts of agencies in its
//! province, a district those of its own subtree; neither ever touches an administrator account.
//! Changing a password, resetting it or disabling an account revokes the account's sessions in
//! the same transaction, so its tokens stop working at the next request.

use chrono::{DateTime, Utc};
use entity::{
    agency,
    ids::{AgencyId, SessionId, UserId},
    session,
    user_account::{ActiveModel, Column, Entity as UserAccount, Model, Role},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Order,
    PaginatorTrait, QueryFilter, Select, sea_query::Expr,
};

use super::types::{Username, check_role_fits};
use crate::{
    agency::service as agency_service,
    auth::{
        actor::Actor,
        password::{self, NewPassword},
    },
    error::{AppError, AppResult, Msg, unique_violation},
    graphql::pagination::{Page, PageRequest, TotalCount, changed_since},
    policy::{self, Operation},
    time,
};

fn not_found() -> AppError {
    AppError::NotFound(Msg::new("Không tìm thấy tài khoản", "Account not found"))
}

fn admins_only() -> AppError {
    AppError::Forbidden(Msg::new(
        "Chỉ quản trị viên quản lý tài khoản quản trị",
        "Only administrators manage administrator accounts",
    ))
}

/// The accounts `actor` may see.
fn visible(actor: &Actor) -> AppResult<Select<UserAccount>> {
    let visibility = policy::visibility(actor, Operation::UserRead)?;
    Ok(agency_service::visible_to(
        UserAccount::find(),
        Column::AgencyId,
        &visibility,
    ))
}

/// One account, if `actor` may see it.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: UserId) -> AppResult<Model> {
    visible(actor)?
        .filter(Column::Id.eq(id.0))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Loads an account by id with no visibility filter (for the caller's own account).
pub async fn own<C: ConnectionTrait>(db: &C, id: UserId) -> AppResult<Model> {
    UserAccount::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Filters of the account list.
#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    /// Username containing this text.
    pub search: Option<String>,
    /// Accounts of this agency and its subtree.
    pub agency_within: Option<AgencyId>,
    /// Only these roles.
    pub roles: Vec<Role>,
    /// Whether disabled accounts are listed.
    pub include_disabled: bool,
    /// Only those changed at or after, in the order of the change (for clients that poll).
    pub updated_since: Option<DateTime<Utc>>,
}

/// One page of the accounts `actor` may see, newest first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &UserFilter,
    page: &PageRequest,
) -> AppResult<(Page<Model>, TotalCount)> {
    let mut select = changed_since(visible(actor)?, filter.updated_since);
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        select = select.filter(crate::text::column_contains(
            Column::Username,
            &search.to_lowercase(),
        ));
    }
    if let Some(root) = filter.agency_within {
        let root = agency_service::get(db, root).await?;
        select = select.filter(Column::AgencyId.in_subquery(agency_service::ids_under(&root.path)));
    }
    if !filter.roles.is_empty() {
        select = select.filter(Column::Role.is_in(filter.roles.iter().copied()));
    }
    if !filter.include_disabled {
        select = select.filter(Column::DisabledAt.is_null());
    }
    let total = TotalCount::of(db, select.clone());
    let rows = match filter.updated_since {
        Some(_) => page.fetch_changed(db, select).await?,
        None => {
            page.fetch_by_id(db, select, Column::Id, Order::Desc)
                .await?
        }
    };
    Ok((rows, total))
}

/// A new account.
pub struct NewUser {
    /// Sign-in name.
    pub username: Username,
    /// Name shown to people.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Agency acted for.
    pub agency: Option<AgencyId>,
    /// Initial password, already through the policy.
    pub password: NewPassword,
}

/// Loads the agency an account is to act for; unknown or closed is the input's fault.
async fn account_agency<C: ConnectionTrait>(
    db: &C,
    id: Option<AgencyId>,
) -> AppResult<Option<agency::Model>> {
    let Some(id) = id else { return Ok(None) };
    let agency = agency::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "agencyId",
                Msg::new("Không có cơ quan này", "No such agency"),
            )
        })?;
    if agency.valid_to.is_some_and(|to| to < time::today()) {
        return Err(AppError::bad_input(
            "agencyId",
            Msg::new("Cơ quan đã ngừng hoạt động", "The agency is closed"),
        ));
    }
    Ok(Some(agency))
}

/// Creates an account.
#[tracing::instrument(skip_all, fields(user.role = ?new.role))]
pub async fn create<C: ConnectionTrait>(db: &C, actor: &Actor, new: NewUser) -> AppResult<Model> {
    policy::require(actor, Operation::UserManage)?;
    if new.role == Role::Admin && actor.role != crate::auth::actor::ActorRole::Admin {
        return Err(admins_only());
    }
    let agency = account_agency(db, new.agency).await?;
    policy::require_at(
        actor,
        Operation::UserManage,
        agency.as_ref().map(|a| a.path.as_str()),
    )?;
    insert(db, UserId::new(), new, agency).await
}

/// Creates an account without an actor: the first administrator from the command line, and
/// the demo accounts. Returns `None` when an account with this id or username exists already.
pub async fn bootstrap<C: ConnectionTrait>(
    db: &C,
    id: UserId,
    new: NewUser,
) -> AppResult<Option<Model>> {
    let taken = UserAccount::find()
        .filter(
            sea_orm::Condition::any()
                .add(Column::Id.eq(id.0))
                .add(Column::Username.eq(new.username.as_str())),
        )
        .count(db)
        .await?;
    if taken > 0 {
        return Ok(None);
    }
    let agency = account_agency(db, new.agency).await?;
    insert(db, id, new, agency).await.map(Some)
}

/// Creates an administrator from the command line (no actor): checks the username and the
/// password policy; `None` when the username is taken.
pub async fn create_admin(
    db: &DatabaseConnection,
    username: &str,
    display_name: &str,
    password: &str,
) -> AppResult<Option<Model>> {
    let username = Username::parse(username)?;
    let new = NewUser {
        password: NewPassword::parse("password", password, username.as_str())?,
        username,
        display_name: crate::text::required_line("displayName", display_name, 255)?,
        role: Role::Admin,
        agency: None,
    };
    let txn = crate::db::begin(db).await?;
    let created = bootstrap(&*txn, UserId::new(), new).await?;
    txn.commit().await?;
    Ok(created)
}

async fn insert<C: ConnectionTrait>(
    db: &C,
    id: UserId,
    new: NewUser,
    agency: Option<agency::Model>,
) -> AppResult<Model> {
    check_role_fits(new.role, agency.as_ref())?;
    if UserAccount::find()
        .filter(Column::Username.eq(new.username.as_str()))
        .count(db)
        .await?
        > 0
    {
        return Err(AppError::conflict(
            "username",
            Msg::new("Tên đăng nhập đã được dùng", "The username is taken"),
        ));
    }
    let now = Utc::now();
    let account = ActiveModel {
        id: Set(id.0),
        username: Set(new.username.into_inner()),
        display_name: Set(new.display_name),
        role: Set(new.role),
        agency_id: Set(agency.map(|a| a.id)),
        password_hash: Set(password::hash(new.password).await?),
        disabled_at: Set(None),
        password_changed_at: Set(now),
        last_login_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    UserAccount::insert(account)
        .exec_without_returning(db)
        .await
        .map_err(|e| unique_violation(e, &[("username", "username")]))?;
    own(db, id).await
}

/// Loads an account `actor` may manage: visible (else `NOT_FOUND`), in the actor's scope for
/// management, and not an administrator account unless the actor is one (else `FORBIDDEN`).
async fn managed<C: ConnectionTrait>(db: &C, actor: &Actor, id: UserId) -> AppResult<Model> {
    let account = get(db, actor, id).await?;
    let path = match account.agency_id {
        Some(agency) => Some(agency_service::get(db, AgencyId(agency)).await?.path),
        None => None,
    };
    policy::require_at(actor, Operation::UserManage, path.as_deref())?;
    if account.role == Role::Admin && actor.role != crate::auth::actor::ActorRole::Admin {
        return Err(admins_only());
    }
    Ok(account)
}

fn stale() -> AppError {
    AppError::conflict(
        "expectedVersion",
        Msg::new(
            "Tài khoản vừa được người khác thay đổi; hãy tải lại rồi thử lại",
            "The account was changed by someone else; reload and try again",
        ),
    )
}

fn check_version(account: &Model, expected: Option<i32>) -> AppResult<()> {
    match expected {
        Some(expected) if expected != account.version => Err(stale()),
        _ => Ok(()),
    }
}

/// Writes `changes` at the account's version, bumping it.
async fn save<C: ConnectionTrait>(
    db: &C,
    account: &Model,
    changes: ActiveModel,
) -> AppResult<Model> {
    let versioned = crate::db::Versioned::<UserAccount> {
        id: Column::Id,
        version: Column::Version,
        updated_at: Column::UpdatedAt,
    };
    if !versioned
        .update(db, account.id, account.version, changes)
        .await?
    {
        return Err(stale());
    }
    own(db, UserId(account.id)).await
}

/// Changes to an account.
#[derive(Default)]
pub struct UserPatch {
    /// New display name.
    pub display_name: Option<String>,
    /// New role (must fit the agency).
    pub role: Option<Role>,
}

/// Changes an account's name or role.
#[tracing::instrument(skip_all, fields(user.id = %id))]
pub async fn update<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: UserId,
    patch: UserPatch,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let account = managed(db, actor, id).await?;
    check_version(&account, expected_version)?;
    let mut changes = ActiveModel::default();
    if let Some(role) = patch.role {
        if role == Role::Admin && actor.role != crate::auth::actor::ActorRole::Admin {
            return Err(admins_only());
        }
        let agency = account_agency(db, account.agency_id.map(AgencyId)).await?;
        check_role_fits(role, agency.as_ref())?;
        changes.role = Set(role);
    }
    if let Some(name) = patch.display_name {
        changes.display_name = Set(name);
    }
    save(db, &account, changes).await
}

/// Sets a new password chosen by a manager; the account's sessions end.
#[tracing::instrument(skip_all, fields(user.id = %id))]
pub async fn reset_password<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: UserId,
    new_password: &str,
) -> AppResult<Model> {
    let account = managed(db, actor, id).await?;
    let password = NewPassword::parse("newPassword", new_password, &account.username)?;
    set_password(db, &account, password, "PASSWORD_RESET").await
}

/// Stores a new password and ends every session of the account.
pub async fn set_password<C: ConnectionTrait>(
    db: &C,
    account: &Model,
    password: NewPassword,
    reason: &str,
) -> AppResult<Model> {
    let changes = ActiveModel {
        password_hash: Set(password::hash(password).await?),
        password_changed_at: Set(Utc::now()),
        ..Default::default()
    };
    let saved = save(db, account, changes).await?;
    revoke_sessions(db, UserId(account.id), reason).await?;
    Ok(saved)
}

/// Disables or enables an account; disabling ends its sessions.
#[tracing::instrument(skip_all, fields(user.id = %id))]
pub async fn set_disabled<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: UserId,
    disabled: bool,
) -> AppResult<Model> {
    let account = managed(db, actor, id).await?;
    if disabled && account.id == actor.id() {
        return Err(AppError::bad_input(
            "id",
            Msg::new(
                "Không thể tự khóa tài khoản của mình",
                "You cannot disable your own account",
            ),
        ));
    }
    if disabled == account.disabled_at.is_some() {
        return Ok(account);
    }
    let changes = ActiveModel {
        disabled_at: Set(disabled.then(Utc::now)),
        ..Default::default()
    };
    let saved = save(db, &account, changes).await?;
    if disabled {
        revoke_sessions(db, UserId(account.id), "ACCOUNT_DISABLED").await?;
    }
    Ok(saved)
}

/// Ends every live session of an account.
pub async fn revoke_sessions<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    reason: &str,
) -> AppResult<()> {
    revoke_where(db, session::Column::UserId.eq(user.0), reason).await
}

/// Ends one session (sign-out, reuse of a spent refresh token).
pub async fn revoke_session<C: ConnectionTrait>(
    db: &C,
    session: SessionId,
    reason: &str,
) -> AppResult<()> {
    revoke_where(db, session::Column::Id.eq(session.0), reason).await
}

async fn revoke_where<C: ConnectionTrait>(
    db: &C,
    which: sea_orm::sea_query::SimpleExpr,
    reason: &str,
) -> AppResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .col_expr(session::Column::RevokedReason, Expr::value(reason))
        .filter(which)
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    // Every process forgets the principals it keeps, at commit.
    crate::auth::cache::changed(db).await
}

/// Ways to reach accounts in batches (see `graphql::loaders`).
pub mod relations {
    use super::*;
    use crate::graphql::loaders::{Relation, signed_in};

    /// Accounts by id, among those the caller may see.
    pub struct ById;

    impl Relation for ById {
        type Entity = UserAccount;
        fn key() -> Column {
            Column::Id
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<UserAccount>> {
            visible(signed_in(actor)?)
        }
    }
}
