//! GraphQL face of signing in and out, and `me`.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{
    actor::Principal,
    service::{self, Tokens},
};
use crate::{
    account::{
        schema::{Role, User},
        service as accounts,
    },
    agency::schema::Agency,
    audit::service::Target,
    client::schema::{ClientScope, ServiceClient},
    error::{AppError, AppResult},
    graphql::context::ContextExt,
    policy::{self, Operation},
};

/// Tokens of a signed-in person.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Access token (JWT) for `Authorization: Bearer …`; short-lived.
    access_token: String,
    /// When the access token expires.
    access_token_expires_at: DateTime<Utc>,
    /// Refresh token for `refreshToken`; each is used once.
    refresh_token: String,
    /// When the refresh token expires.
    refresh_token_expires_at: DateTime<Utc>,
    /// The account.
    user: User,
}

impl From<Tokens> for AuthPayload {
    fn from(tokens: Tokens) -> Self {
        Self {
            access_token: tokens.access_token,
            access_token_expires_at: tokens.access_expires_at,
            refresh_token: tokens.refresh_token,
            refresh_token_expires_at: tokens.refresh_expires_at,
            user: tokens.user.into(),
        }
    }
}

/// A service client's access token.
#[derive(SimpleObject)]
pub struct ClientTokenPayload {
    /// Access token (JWT) for `Authorization: Bearer …`, role INTEGRATION.
    access_token: String,
    /// When it expires; ask for a new one then.
    expires_at: DateTime<Utc>,
    /// The scopes the token carries.
    scopes: Vec<ClientScope>,
}

/// Result of a mutation that only succeeds or fails.
#[derive(SimpleObject)]
pub struct OkPayload {
    /// Always true (a failure is an error).
    ok: bool,
}

/// Sign-in with a username and password.
#[derive(InputObject)]
pub struct LoginInput {
    /// Username.
    username: String,
    /// Password.
    password: String,
}

/// A refresh token to exchange.
#[derive(InputObject)]
pub struct RefreshTokenInput {
    /// The refresh token from `login` or the previous `refreshToken`.
    refresh_token: String,
}

/// A password change by the account's owner.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The current password.
    current_password: String,
    /// The new password: 12 to 128 characters, not the username, not a common password.
    new_password: String,
}

/// A service client's credentials.
#[derive(InputObject)]
pub struct ClientTokenInput {
    /// Client id, from `registerServiceClient`.
    client_id: String,
    /// Client secret, from `registerServiceClient` or `rotateServiceClientSecret`.
    client_secret: String,
}

/// The caller, as `me` shows it.
pub struct Me;

/// The caller (người dùng hiện tại): who they are, whom they act for, what they may do.
#[Object]
impl Me {
    /// Role the caller acts in.
    async fn role(&self, ctx: &Context<'_>) -> AppResult<Role> {
        Ok(ctx.actor()?.role.into())
    }

    /// The caller's account; null for a service client.
    async fn user(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        let actor = ctx.actor()?;
        match &actor.principal {
            Principal::User { id, .. } => Ok(Some(accounts::own(ctx.db()?, *id).await?.into())),
            Principal::Client { .. } => Ok(None),
        }
    }

    /// The calling service client; null for a person.
    async fn service_client(&self, ctx: &Context<'_>) -> AppResult<Option<ServiceClient>> {
        let actor = ctx.actor()?;
        match &actor.principal {
            Principal::Client { id, .. } => Ok(Some(
                crate::client::service::find(ctx.db()?, *id).await?.into(),
            )),
            Principal::User { .. } => Ok(None),
        }
    }

    /// The agency the caller acts for; null for an administrator without one.
    async fn agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Ok(ctx.actor()?.agency.clone().map(Agency::from))
    }

    /// What the caller may do somewhere (the front end shows or hides actions by it); each
    /// action is still checked against the record it touches.
    async fn capabilities(&self, ctx: &Context<'_>) -> AppResult<Vec<Operation>> {
        Ok(policy::capabilities(ctx.actor()?))
    }
}

/// Queries about the caller.
#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The caller: account or client, role, agency and capabilities. UNAUTHENTICATED without a
    /// valid token.
    async fn me(&self, ctx: &Context<'_>) -> AppResult<Me> {
        ctx.actor()?;
        Ok(Me)
    }
}

/// Signing in and out.
#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Signs in with a username and password. Repeated failures lock the account name and
    /// throttle the caller's address for a while (RATE_LIMITED with `retryAfter`).
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Credentials.")] input: LoginInput,
    ) -> AppResult<AuthPayload> {
        let (db, cfg) = (ctx.db()?, ctx.auth_config()?);
        let address = ctx.client_address();
        let tokens = service::login(
            db,
            cfg,
            &ctx.trail(),
            &address,
            &input.username,
            &input.password,
        )
        .await?;
        Ok(tokens.into())
    }

    /// Exchanges a refresh token for new tokens. The old refresh token is spent; using a spent
    /// one again revokes the whole session.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The refresh token.")] input: RefreshTokenInput,
    ) -> AppResult<AuthPayload> {
        let auth = ctx.auth_config()?;
        let tokens = service::refresh(ctx.db()?, auth, &ctx.trail(), &input.refresh_token)
            .await
            // A refused refresh may have revoked the session (a spent token presented again).
            .inspect_err(|_| auth.principals.empty())?;
        Ok(tokens.into())
    }

    /// Signs out: ends the caller's session (its access and refresh tokens stop working).
    async fn logout(&self, ctx: &Context<'_>) -> AppResult<OkPayload> {
        let (db, trail) = (ctx.db()?, ctx.trail());
        let done = match ctx.actor() {
            Ok(actor) => service::logout(db, &trail, actor).await,
            Err(err) => Err(err),
        };
        // The session is over in this process from the next request (other processes hear it
        // from PostgreSQL).
        ctx.auth_config()?.principals.empty();
        trail
            .finish(db, "auth.logout", Target::kind("User"), None, done)
            .await?;
        Ok(OkPayload { ok: true })
    }

    /// Changes the caller's password; every session of the account ends (sign in again).
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Current and new password.")] input: ChangePasswordInput,
    ) -> AppResult<OkPayload> {
        let (db, trail) = (ctx.db()?, ctx.trail());
        let done = match ctx.actor() {
            Ok(actor) => {
                service::change_password(
                    db,
                    &trail,
                    actor,
                    &input.current_password,
                    &input.new_password,
                )
                .await
            }
            Err(err) => Err(err),
        };
        ctx.auth_config()?.principals.empty();
        match done {
            Err(AppError::Unauthenticated) => {
                trail
                    .finish(db, "auth.changePassword", Target::kind("User"), None, done)
                    .await?
            }
            other => other.map_err(|e| e.under("input"))?,
        }
        Ok(OkPayload { ok: true })
    }

    /// Exchanges a service client's id and secret for an access token (role INTEGRATION).
    async fn client_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Client credentials.")] input: ClientTokenInput,
    ) -> AppResult<ClientTokenPayload> {
        let (db, cfg) = (ctx.db()?, ctx.auth_config()?);
        let address = ctx.client_address();
        let (access_token, expires_at, scopes) = service::client_token(
            db,
            cfg,
            &ctx.trail(),
            &address,
            &input.client_id,
            &input.client_secret,
        )
        .await?;
        Ok(ClientTokenPayload {
            access_token,
            expires_at,
            scopes: scopes.into_iter().map(Into::into).collect(),
        })
    }
}
