//! Registering, rotating and disabling service clients. Administrators only.
//!
//! The secret is shown once, when registered or rotated; only its hash is kept. Rotating bumps
//! the secret version, so tokens issued under the old secret stop working at once.

use chrono::Utc;
use entity::{
    agency,
    ids::{AgencyId, ServiceClientId},
    service_client::{ActiveModel, Column, Entity as ServiceClient, Model},
};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, Order};

use crate::{
    auth::{
        actor::{Actor, ClientScope},
        token::{random_secret, secret_hash},
    },
    db,
    error::{AppError, AppResult, Msg},
    graphql::pagination::{Page, PageRequest, TotalCount},
    policy::{self, Operation},
};

fn not_found() -> AppError {
    AppError::NotFound(Msg::new(
        "Không tìm thấy ứng dụng tích hợp",
        "Service client not found",
    ))
}

/// A client and its new secret (shown once).
pub struct WithSecret {
    /// The client.
    pub client: Model,
    /// The secret in clear.
    pub secret: String,
}

/// A new client.
pub struct NewClient {
    /// Name of the system.
    pub name: String,
    /// Agency it acts for.
    pub agency: AgencyId,
    /// Granted scopes (at least one).
    pub scopes: Vec<ClientScope>,
}

/// Registers a client.
pub async fn register<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    new: NewClient,
) -> AppResult<WithSecret> {
    policy::require(actor, Operation::ServiceClientManage)?;
    let secret = random_secret();
    let id = ServiceClientId::new();
    insert(db, id, new, &secret).await?;
    Ok(WithSecret {
        client: get(db, actor, id).await?,
        secret,
    })
}

/// Registers a client with a fixed id and secret unless it exists (demo data): returns whether
/// it was inserted.
pub async fn bootstrap<C: ConnectionTrait>(
    db: &C,
    id: ServiceClientId,
    new: NewClient,
    secret: &str,
) -> AppResult<bool> {
    if ServiceClient::find_by_id(id.0).one(db).await?.is_some() {
        return Ok(false);
    }
    insert(db, id, new, secret).await?;
    Ok(true)
}

async fn insert<C: ConnectionTrait>(
    db: &C,
    id: ServiceClientId,
    new: NewClient,
    secret: &str,
) -> AppResult<()> {
    if new.scopes.is_empty() {
        return Err(AppError::bad_input(
            "scopes",
            Msg::new(
                "Cần ít nhất một phạm vi quyền",
                "At least one scope is needed",
            ),
        ));
    }
    let agency = agency::Entity::find_by_id(new.agency.0).one(db).await?;
    if agency.is_none_or(|a| a.valid_to.is_some()) {
        return Err(AppError::bad_input(
            "agencyId",
            Msg::new(
                "Không có cơ quan đang hoạt động này",
                "No such current agency",
            ),
        ));
    }
    let now = Utc::now();
    ServiceClient::insert(ActiveModel {
        id: Set(id.0),
        name: Set(new.name),
        agency_id: Set(new.agency.0),
        scopes: Set(ClientScope::encode(&new.scopes)),
        secret_hash: Set(secret_hash(secret)),
        secret_version: Set(1),
        disabled_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// A client by id, unchecked (the calling client itself).
pub async fn find<C: ConnectionTrait>(db: &C, id: ServiceClientId) -> AppResult<Model> {
    ServiceClient::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// One client.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ServiceClientId,
) -> AppResult<Model> {
    policy::require(actor, Operation::ServiceClientManage)?;
    find(db, id).await
}

/// Every client, newest first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    page: &PageRequest,
) -> AppResult<(Page<Model>, TotalCount)> {
    policy::require(actor, Operation::ServiceClientManage)?;
    let select = ServiceClient::find();
    let total = TotalCount::of(db, select.clone());
    Ok((
        page.fetch_by_id(db, select, Column::Id, Order::Desc)
            .await?,
        total,
    ))
}

async fn save<C: ConnectionTrait>(db: &C, client: &Model, changes: ActiveModel) -> AppResult<()> {
    let versioned = db::Versioned::<ServiceClient> {
        id: Column::Id,
        version: Column::Version,
        updated_at: Column::UpdatedAt,
    };
    if !versioned
        .update(db, client.id, client.version, changes)
        .await?
    {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Ứng dụng vừa được người khác thay đổi; hãy thử lại",
                "The client was changed concurrently; try again",
            ),
        });
    }
    Ok(())
}

/// Replaces a client's secret; tokens issued under the old one stop working.
pub async fn rotate<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ServiceClientId,
) -> AppResult<WithSecret> {
    let client = get(db, actor, id).await?;
    let secret = random_secret();
    let changes = ActiveModel {
        secret_hash: Set(secret_hash(&secret)),
        secret_version: Set(client.secret_version + 1),
        ..Default::default()
    };
    save(db, &client, changes).await?;
    Ok(WithSecret {
        client: get(db, actor, id).await?,
        secret,
    })
}

/// Disables or enables a client; a disabled client's tokens stop working at once.
pub async fn set_disabled<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ServiceClientId,
    disabled: bool,
) -> AppResult<Model> {
    let client = get(db, actor, id).await?;
    if disabled != client.disabled_at.is_some() {
        let changes = ActiveModel {
            disabled_at: Set(disabled.then(Utc::now)),
            ..Default::default()
        };
        save(db, &client, changes).await?;
    }
    get(db, actor, id).await
}
