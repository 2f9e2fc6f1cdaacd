//! Webhook rules: who registers endpoints for which service client, which URLs may be reached,
//! the deliveries written beside the change feed, their signature, and redelivery.
//!
//! An endpoint receives the entries of its client's change feed (of the record types it asks
//! for) as Standard Webhooks deliveries: `webhook-id` (the delivery's id, the same on every
//! attempt), `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,` and the base64
//! HMAC-SHA256, under the secret's key, of `id.timestamp.body`).

use std::net::IpAddr;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use chrono::{DateTime, Duration, Utc};
use entity::{
    agency, change_entry,
    ids::ServiceClientId,
    service_client,
    webhook_delivery::{self, DeliveryStatus},
    webhook_endpoint::{ActiveModel, Column, Entity as Endpoint, Model},
};
use hmac::{Hmac, Mac};
use ipnet::IpNet;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Order,
    QueryFilter, QueryOrder, sea_query::Query,
};
use sha2::Sha256;
use uuid::Uuid;

use crate::{
    auth::actor::Actor,
    db,
    error::{AppError, AppResult, Msg},
    graphql::pagination::{Page, PageRequest},
    policy::{self, Operation},
};

/// How long a delivery is tried before it is given up.
pub const RETRY_WINDOW: Duration = Duration::hours(24);

const VERSIONED: db::Versioned<Endpoint> = db::Versioned {
    id: Column::Id,
    version: Column::Version,
    updated_at: Column::UpdatedAt,
};

fn not_found() -> AppError {
    AppError::NotFound(Msg::new(
        "Không tìm thấy webhook",
        "Webhook endpoint not found",
    ))
}

fn stale() -> AppError {
    AppError::Conflict {
        field: Some("expectedVersion".into()),
        msg: Msg::new(
            "Webhook đã được thay đổi bởi người khác; hãy tải lại",
            "The webhook endpoint was changed by someone else; reload it",
        ),
    }
}

/// Where webhooks may be sent: `TTDN_WEBHOOK_ALLOWED_HOSTS`, host names, IP addresses and
/// networks (`10.20.0.0/16`); nothing else, so that the feature cannot be turned against other
/// internal services. HTTPS is required outside dev mode.
#[derive(Clone, Debug, Default)]
pub struct AllowList {
    hosts: Vec<String>,
    networks: Vec<IpNet>,
    plain_http: bool,
}

impl AllowList {
    /// Reads the comma-separated list; `plain_http` allows `http://` (dev mode).
    pub fn parse(raw: &str, plain_http: bool) -> Result<Self, String> {
        let mut list = Self {
            plain_http,
            ..Self::default()
        };
        for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if let Ok(network) = entry.parse::<IpNet>() {
                list.networks.push(network);
            } else if let Ok(address) = entry.parse::<IpAddr>() {
                list.networks.push(IpNet::from(address));
            } else if entry
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            {
                list.hosts.push(entry.to_ascii_lowercase());
            } else {
                return Err(format!(
                    "TTDN_WEBHOOK_ALLOWED_HOSTS: {entry:?} is neither a host name, an IP address nor a network"
                ));
            }
        }
        Ok(list)
    }

    /// The URL, if webhooks may be sent there; else why not.
    pub fn check(&self, raw: &str) -> Result<url::Url, Msg> {
        let url = url::Url::parse(raw.trim()).map_err(|_| {
            Msg::new(
                "Địa chỉ webhook không phải URL hợp lệ",
                "The webhook URL is not a valid URL",
            )
        })?;
        match url.scheme() {
            "https" => {}
            "http" if self.plain_http => {}
            _ => {
                return Err(Msg::new(
                    "Webhook phải dùng https://",
                    "A webhook URL must use https://",
                ));
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Msg::new(
                "Địa chỉ webhook không được chứa tên đăng nhập, mật khẩu",
                "A webhook URL must not carry credentials",
            ));
        }
        let allowed = match url.host() {
            Some(url::Host::Domain(name)) => self.hosts.iter().any(|h| h == name),
            Some(url::Host::Ipv4(ip)) => self.networks.iter().any(|n| n.contains(&IpAddr::V4(ip))),
            Some(url::Host::Ipv6(ip)) => self.networks.iter().any(|n| n.contains(&IpAddr::V6(ip))),
            None => false,
        };
        if !allowed {
            return Err(Msg::new(
                "Máy chủ nhận webhook không nằm trong danh sách cho phép (TTDN_WEBHOOK_ALLOWED_HOSTS)",
                "The webhook host is not in the allowed list (TTDN_WEBHOOK_ALLOWED_HOSTS)",
            ));
        }
        Ok(url)
    }
}

/// A fresh signing secret: `whsec_` and base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    format!("whsec_{}", STANDARD.encode(key))
}

/// The `webhook-signature` of a delivery: `v1,` and the base64 HMAC-SHA256 of
/// `id.timestamp.body` under the key of `secret`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    let key = STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap_or_default();
    // HMAC takes a key of any length: this cannot fail.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&key) else {
        return String::new();
    };
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The client and its agency, when `actor` may look after its webhooks (`NOT_FOUND` outside
/// the actor's scope, as if absent; `FORBIDDEN` for a role that never may).
async fn client_in_scope<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    client: Uuid,
) -> AppResult<service_client::Model> {
    policy::require(actor, Operation::WebhookManage)?;
    let client = service_client::Entity::find_by_id(client)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(Msg::new(
                "Không tìm thấy máy khách dịch vụ",
                "Service client not found",
            ))
        })?;
    let agency = agency::Entity::find_by_id(client.agency_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    policy::require_at(actor, Operation::WebhookManage, Some(&agency.path)).map_err(|_| {
        AppError::NotFound(Msg::new(
            "Không tìm thấy máy khách dịch vụ",
            "Service client not found",
        ))
    })?;
    Ok(client)
}

/// One endpoint, when `actor` may look after it.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> AppResult<Model> {
    let endpoint = Endpoint::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    client_in_scope(db, actor, endpoint.client_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => not_found(),
            other => other,
        })?;
    Ok(endpoint)
}

/// The endpoints of `client` (or of every client `actor` looks after), oldest first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    client: Option<ServiceClientId>,
) -> AppResult<Vec<Model>> {
    let visibility = policy::visibility(actor, Operation::WebhookManage)?;
    let mut select = Endpoint::find();
    if let Some(client) = client {
        client_in_scope(db, actor, client.0).await?;
        select = select.filter(Column::ClientId.eq(client.0));
    }
    // The clients of the agencies the actor looks after.
    if let Some(agencies) = crate::agency::service::ids_visible(&visibility) {
        let clients = Query::select()
            .column(service_client::Column::Id)
            .from(service_client::Entity)
            .and_where(service_client::Column::AgencyId.in_subquery(agencies))
            .to_owned();
        select = select.filter(Column::ClientId.in_subquery(clients));
    }
    Ok(select.order_by_asc(Column::Id).all(db).await?)
}

/// A new endpoint.
pub struct NewEndpoint {
    /// The client whose feed it receives.
    pub client: ServiceClientId,
    /// Where to POST.
    pub url: String,
    /// Record types (GraphQL type names); empty: all.
    pub types: Vec<&'static str>,
    /// What it is for.
    pub description: Option<String>,
}

fn checked_description(description: Option<String>) -> AppResult<Option<String>> {
    let description = description
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 500)
    {
        return Err(AppError::bad_input(
            "description",
            Msg::new(
                "Mô tả tối đa 500 ký tự",
                "The description is at most 500 characters",
            ),
        ));
    }
    Ok(description)
}

/// Registers an endpoint; the endpoint and its secret (shown once).
pub async fn register<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    allow: &AllowList,
    new: NewEndpoint,
) -> AppResult<(Model, String)> {
    let client = client_in_scope(db, actor, new.client.0).await?;
    let url = allow
        .check(&new.url)
        .map_err(|msg| AppError::bad_input("url", msg))?;
    let description = checked_description(new.description)?;
    let secret = new_secret();
    let now = Utc::now();
    let model = Model {
        id: Uuid::now_v7(),
        client_id: client.id,
        url: url.to_string(),
        description,
        types: new.types.join(","),
        secret: secret.clone(),
        // Told when the endpoint is disabled: the registering agency (the client's own for an
        // administrator, who acts for none).
        notify_agency_id: actor.agency_id().map_or(client.agency_id, |a| a.0),
        failure_run: 0,
        disabled_at: None,
        disabled_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    Endpoint::insert(ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    Ok((model, secret))
}

/// Replaces an endpoint's secret; the endpoint and the new secret (shown once). Deliveries
/// from now on are signed with it.
pub async fn rotate<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<(Model, String)> {
    let endpoint = get(db, actor, id).await?;
    let secret = new_secret();
    let version = expected_version.unwrap_or(endpoint.version);
    let changes = ActiveModel {
        secret: Set(secret.clone()),
        ..Default::default()
    };
    if !VERSIONED.update(db, id, version, changes).await? {
        return Err(stale());
    }
    Ok((get(db, actor, id).await?, secret))
}

/// Disables an endpoint (its deliveries wait) or enables it again (its failure run starts
/// again from zero, and what waited is sent).
pub async fn set_disabled<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    disabled: bool,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let endpoint = get(db, actor, id).await?;
    let version = expected_version.unwrap_or(endpoint.version);
    let changes = ActiveModel {
        disabled_at: Set(disabled.then(Utc::now)),
        disabled_reason: Set(disabled.then(|| format!("disabled by {}", actor.name()))),
        failure_run: Set(0),
        ..Default::default()
    };
    if !VERSIONED.update(db, id, version, changes).await? {
        return Err(stale());
    }
    get(db, actor, id).await
}

/// Sends a delivery again (delivered or given up): it is pending at once, tried for another
/// day.
pub async fn redeliver<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    delivery: Uuid,
) -> AppResult<webhook_delivery::Model> {
    let found = webhook_delivery::Entity::find_by_id(delivery)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(Msg::new(
                "Không tìm thấy lần gửi webhook",
                "Webhook delivery not found",
            ))
        })?;
    get(db, actor, found.endpoint_id).await?;
    let now = Utc::now();
    let changed = webhook_delivery::ActiveModel {
        id: Set(found.id),
        status: Set(DeliveryStatus::Pending),
        next_attempt_at: Set(now),
        retry_until: Set(now + RETRY_WINDOW),
        ..Default::default()
    };
    Ok(webhook_delivery::Entity::update(changed).exec(db).await?)
}

/// An endpoint's deliveries, newest first.
pub async fn deliveries(
    db: &DatabaseConnection,
    endpoint: Uuid,
    page: &PageRequest,
) -> AppResult<Page<webhook_delivery::Model>> {
    let select =
        webhook_delivery::Entity::find().filter(webhook_delivery::Column::EndpointId.eq(endpoint));
    page.fetch_by_id(db, select, webhook_delivery::Column::Id, Order::Desc)
        .await
}

/// The body of the delivery of `entry`.
fn payload(entry: &change_entry::Model) -> String {
    let kind = crate::change_feed::service::type_key(&entry.record_type);
    let cursor = crate::change_feed::service::FeedCursor {
        position: entry.position,
        record: entry.record_id,
    };
    serde_json::json!({
        "type": format!("{kind}.{}", entry.change),
        "timestamp": entry.occurred_at,
        "data": {
            "id": entry.record_id.to_string(),
            "type": kind,
            "change": entry.change,
            "operation": entry.operation,
            "occurredAt": entry.occurred_at,
            "cursor": cursor.encode(),
        }
    })
    .to_string()
}

/// Writes the deliveries of `entries` (just written to their clients' feeds) to the enabled
/// endpoints that want them, in the same transaction: a delivery exists exactly when its entry
/// does.
pub async fn enqueue<C: ConnectionTrait>(
    txn: &C,
    entries: &[change_entry::Model],
    now: DateTime<Utc>,
) -> AppResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let endpoints = Endpoint::find()
        .filter(Column::DisabledAt.is_null())
        .filter(Column::ClientId.is_in(entries.iter().map(|e| e.client_id)))
        .all(txn)
        .await?;
    let mut rows = Vec::new();
    for entry in entries {
        for endpoint in endpoints.iter().filter(|e| e.client_id == entry.client_id) {
            let wanted = endpoint.types.is_empty()
                || endpoint.types.split(',').any(|t| t == entry.record_type);
            if !wanted {
                continue;
            }
            rows.push(webhook_delivery::ActiveModel::from(
                webhook_delivery::Model {
                    id: Uuid::now_v7(),
                    endpoint_id: endpoint.id,
                    position: entry.position,
                    record_id: entry.record_id,
                    payload: payload(entry),
                    status: DeliveryStatus::Pending,
                    attempts: 0,
                    next_attempt_at: now,
                    retry_until: now + RETRY_WINDOW,
                    last_status_code: None,
                    last_error: None,
                    last_attempt_at: None,
                    delivered_at: None,
                    created_at: now,
                },
            ));
        }
    }
    for chunk in rows.chunks(500) {
        webhook_delivery::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_follows_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn only_listed_hosts_and_networks_over_https_are_allowed() {
        let allow = AllowList::parse("qlvb.thanhhoa.gov.vn, 10.20.0.0/16, 127.0.0.1", false)
            .expect("a list");
        assert!(
            allow
                .check("https://qlvb.thanhhoa.gov.vn/hooks/ttdn")
                .is_ok()
        );
        assert!(allow.check("https://10.20.3.4:8443/in").is_ok());
        assert!(allow.check("http://qlvb.thanhhoa.gov.vn/hooks").is_err());
        assert!(
            allow
                .check("https://169.254.169.254/latest/meta-data")
                .is_err()
        );
        assert!(allow.check("https://evil.example.com/").is_err());
        assert!(
            allow
                .check("https://user:pw@qlvb.thanhhoa.gov.vn/")
                .is_err()
        );
        assert!(allow.check("not a url").is_err());
        let dev = AllowList::parse("127.0.0.1", true).expect("a list");
        assert!(dev.check("http://127.0.0.1:9000/hook").is_ok());
        assert!(AllowList::parse("a b", false).is_err());
    }
}
