//! GraphQL face of accounts.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    ids::{AgencyId, UserId},
    user_account::{Model, Role as StoredRole},
};
use serde::Serialize;

use super::{
    service::{self, NewUser, UserFilter, UserPatch},
    types::Username,
};
use crate::{
    agency::schema::Agency,
    auth::{actor::ActorRole, password::NewPassword},
    error::{AppError, AppResult, Msg},
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
        pagination::{self, List, PageRequest},
    },
    policy::Operation,
    text,
};

/// Role of an account or caller (vai trò).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[graphql(name = "Role")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// System administrator: agencies, accounts, configuration.
    Admin,
    /// The department leading TTĐN in a province (the Sở): its whole province.
    ProvincialDepartment,
    /// A district committee: itself and its communes.
    District,
    /// A commune committee: itself.
    Commune,
    /// A press agency (cơ quan báo chí).
    Press,
    /// A machine client of an e-government system; never an account's role.
    Integration,
}

impl From<ActorRole> for Role {
    fn from(role: ActorRole) -> Self {
        match role {
            ActorRole::Admin => Role::Admin,
            ActorRole::ProvincialDepartment => Role::ProvincialDepartment,
            ActorRole::District => Role::District,
            ActorRole::Commune => Role::Commune,
            ActorRole::Press => Role::Press,
            ActorRole::Integration => Role::Integration,
        }
    }
}

impl From<StoredRole> for Role {
    fn from(role: StoredRole) -> Self {
        ActorRole::from(role).into()
    }
}

impl Role {
    /// The stored role of an account; `INTEGRATION` is not one.
    fn account_role(self, field: &'static str) -> AppResult<StoredRole> {
        Ok(match self {
            Role::Admin => StoredRole::Admin,
            Role::ProvincialDepartment => StoredRole::ProvincialDepartment,
            Role::District => StoredRole::District,
            Role::Commune => StoredRole::Commune,
            Role::Press => StoredRole::Press,
            Role::Integration => {
                return Err(AppError::bad_input(
                    field,
                    Msg::new(
                        "INTEGRATION là vai trò của ứng dụng tích hợp, không phải của tài khoản",
                        "INTEGRATION is the role of service clients, not of accounts",
                    ),
                ));
            }
        })
    }
}

/// A person's account (tài khoản).
pub struct User(pub(crate) Model);

impl From<Model> for User {
    fn from(model: Model) -> Self {
        Self(model)
    }
}

/// A person's account (tài khoản): acts for one agency in one role.
#[Object]
impl User {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Sign-in name (tên đăng nhập).
    async fn username(&self) -> &str {
        &self.0.username
    }

    /// Name shown to people (họ và tên).
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// Role.
    async fn role(&self) -> Role {
        self.0.role.into()
    }

    /// The agency the account acts for; null only for administrators.
    async fn agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.agency_id).await
    }

    /// Whether the account is disabled (bị khóa).
    async fn disabled(&self) -> bool {
        self.0.disabled_at.is_some()
    }

    /// When it was disabled.
    async fn disabled_at(&self) -> Option<DateTime<Utc>> {
        self.0.disabled_at
    }

    /// Last successful sign-in.
    async fn last_login_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_login_at
    }

    /// When the password last changed.
    async fn password_changed_at(&self) -> DateTime<Utc> {
        self.0.password_changed_at
    }

    /// Version for optimistic concurrency (pass as `expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Filters of the account list.
#[derive(InputObject, Default)]
pub struct UserFilterInput {
    /// Text in the username.
    search: Option<String>,
    /// Only accounts of this agency and its subtree.
    agency_within: Option<ID>,
    /// Only these roles.
    roles: Option<Vec<Role>>,
    /// Include disabled accounts (default: false, but true with `updatedSince`: a polling
    /// system must see an account disabled).
    include_disabled: Option<bool>,
    /// Only accounts changed at or after this time, oldest change first (instead of newest
    /// first): for systems that poll.
    updated_since: Option<DateTime<Utc>>,
}

/// Queries of accounts.
#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// One account, within what the caller may see.
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Account id.")] id: ID,
    ) -> AppResult<User> {
        let actor = ctx.actor()?;
        let id = UserId(parse_id("id", &id)?);
        Ok(User(service::get(ctx.db()?, actor, id).await?))
    }

    /// Accounts the caller may see, newest first.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<UserFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<User>> {
        let actor = ctx.actor()?;
        let filter = filter.unwrap_or_default();
        let roles = filter
            .roles
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.account_role("filter.roles"))
            .collect::<AppResult<Vec<_>>>()?;
        let filter = UserFilter {
            search: text::search("filter.search", filter.search)?,
            agency_within: filter
                .agency_within
                .as_ref()
                .map(|id| parse_id("filter.agencyWithin", id).map(AgencyId))
                .transpose()?,
            roles,
            include_disabled: filter
                .include_disabled
                .unwrap_or(filter.updated_since.is_some()),
            updated_since: filter.updated_since,
        };
        let page = PageRequest::parse(first, after.as_deref())?;
        let (rows, total) = service::list(ctx.db()?, actor, &filter, &page).await?;
        Ok(rows.into_connection(total))
    }
}

/// A new account.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUserInput {
    /// Sign-in name: 3–64 characters of a-z, 0-9, '.', '_', '-'.
    username: String,
    /// Name shown to people.
    display_name: String,
    /// Role; must fit the agency's kind.
    role: Role,
    /// The agency the account acts for (optional only for administrators).
    agency_id: Option<ID>,
    /// Initial password: 12 to 128 characters, not the username, not a common password.
    #[serde(skip)]
    password: String,
}

/// Changes to an account.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserInput {
    /// The account.
    id: ID,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
    /// New display name.
    display_name: Option<String>,
    /// New role; must fit the agency's kind.
    role: Option<Role>,
}

/// A new password chosen by a manager for an account.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetUserPasswordInput {
    /// The account.
    id: ID,
    /// The new password (same policy as every password).
    #[serde(skip)]
    new_password: String,
}

/// Disables or enables an account.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetUserDisabledInput {
    /// The account.
    id: ID,
    /// True to disable (its sessions end at once), false to enable.
    disabled: bool,
}

/// Result of an account mutation.
#[derive(SimpleObject)]
pub struct UserPayload {
    /// The account after the change.
    user: User,
}

impl From<Model> for UserPayload {
    fn from(model: Model) -> Self {
        Self { user: User(model) }
    }
}

fn user_id(model: &Model) -> uuid::Uuid {
    model.id
}

/// A mutation of this area, for [`mutation::run`].
fn account_mutation(name: &'static str) -> Mutation {
    Mutation::new(name, Operation::UserManage, "User")
}

/// Account management.
#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates an account.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new account.")] input: CreateUserInput,
    ) -> AppResult<UserPayload> {
        let described = account_mutation("user.create").input(&input);
        mutation::run(ctx, described, user_id, move |txn, actor| {
            Box::pin(async move {
                let username = Username::parse(&input.username)?;
                let new = NewUser {
                    password: NewPassword::parse("password", &input.password, username.as_str())?,
                    username,
                    display_name: text::required_line("displayName", &input.display_name, 255)?,
                    role: input.role.account_role("role")?,
                    agency: input
                        .agency_id
                        .as_ref()
                        .map(|id| parse_id("agencyId", id).map(AgencyId))
                        .transpose()?,
                };
                service::create(txn, actor, new).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Changes an account's display name or role.
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account and the changes.")] input: UpdateUserInput,
    ) -> AppResult<UserPayload> {
        let described = account_mutation("user.update").on(&input.id).input(&input);
        mutation::run(ctx, described, user_id, move |txn, actor| {
            Box::pin(async move {
                let id = UserId(parse_id("id", &input.id)?);
                let patch = UserPatch {
                    display_name: text::optional(input.display_name.as_deref(), |v| {
                        text::required_line("displayName", v, 255)
                    })?,
                    role: input.role.map(|r| r.account_role("role")).transpose()?,
                };
                service::update(txn, actor, id, patch, input.expected_version).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Sets a new password for an account; its sessions end.
    async fn reset_user_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account and its new password.")] input: ResetUserPasswordInput,
    ) -> AppResult<UserPayload> {
        let described = account_mutation("user.resetPassword").on(&input.id);
        mutation::run(ctx, described, user_id, move |txn, actor| {
            Box::pin(async move {
                let id = UserId(parse_id("id", &input.id)?);
                service::reset_password(txn, actor, id, &input.new_password).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Disables an account (its sessions end at once) or enables it again.
    async fn set_user_disabled(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account and its new state.")] input: SetUserDisabledInput,
    ) -> AppResult<UserPayload> {
        let described = account_mutation("user.setDisabled")
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, described, user_id, move |txn, actor| {
            Box::pin(async move {
                let id = UserId(parse_id("id", &input.id)?);
                service::set_disabled(txn, actor, id, input.disabled).await
            })
        })
        .await
        .map(Into::into)
    }
}
