//! Mail subscriptions and the mail outbox.

use chrono::Utc;
use entity::{
    ids::NotificationId,
    mail_message::{self, MailStatus},
    mail_subscription::{self, Entity as Subscription, Model},
    notification,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::OnConflict,
};

use crate::{
    auth::actor::Actor,
    error::{AppError, AppResult, Msg},
    text,
};

/// What the outbox needs to write a message.
#[derive(Clone, Debug, Default)]
pub struct MailSettings {
    /// Whether mail is on (`TTDN_SMTP_URL` set).
    pub enabled: bool,
    /// The link to a record, with `{type}` and `{id}` (`TTDN_MAIL_RECORD_URL`); none when empty.
    pub record_url: String,
}

impl MailSettings {
    /// From the settings.
    pub fn from_settings(settings: &crate::config::Settings) -> Self {
        Self {
            enabled: !settings.smtp_url.trim().is_empty(),
            record_url: settings.mail_record_url.trim().to_owned(),
        }
    }
}

/// Whether a subscription's `kinds` take notices of `kind`.
fn wants(kinds: &str, kind: &str) -> bool {
    kinds.split(',').any(|k| k == "*" || k == kind)
}

/// The caller's subscription (a person's account).
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor) -> AppResult<Option<Model>> {
    let (user, _) = actor.user()?;
    Ok(Subscription::find_by_id(user.0).one(db).await?)
}

/// Sets (or, with no address, ends) the caller's subscription.
pub async fn set<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    address: Option<&str>,
    kinds: &[String],
    all: bool,
) -> AppResult<Option<Model>> {
    let (user, _) = actor.user()?;
    let Some(address) = address else {
        Subscription::delete_by_id(user.0).exec(db).await?;
        return Ok(None);
    };
    let address = text::email("address", address)?;
    let kinds = if all {
        "*".to_owned()
    } else {
        if kinds.is_empty() || kinds.len() > 100 {
            return Err(AppError::bad_input(
                "kinds",
                Msg::new(
                    "Cần ít nhất một loại thông báo (hoặc allKinds: true)",
                    "Give at least one notice kind (or allKinds: true)",
                ),
            ));
        }
        if let Some(bad) = kinds
            .iter()
            .find(|k| !crate::notification::rules::gives_notices(k))
        {
            return Err(AppError::bad_input(
                "kinds",
                Msg::new(
                    format!("Loại thông báo không hợp lệ: {bad}"),
                    format!("Not a notice kind: {bad}"),
                ),
            ));
        }
        kinds.join(",")
    };
    let model = Model {
        account_id: user.0,
        address,
        kinds,
        updated_at: Utc::now(),
    };
    Subscription::insert(mail_subscription::ActiveModel::from(model.clone()))
        .on_conflict(
            OnConflict::column(mail_subscription::Column::AccountId)
                .update_columns([
                    mail_subscription::Column::Address,
                    mail_subscription::Column::Kinds,
                    mail_subscription::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(Some(model))
}

/// Writes the mail of `notices` for the accounts that want them, in the notices' transaction.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    settings: &MailSettings,
    notices: &[notification::Model],
) -> AppResult<()> {
    if !settings.enabled || notices.is_empty() {
        return Ok(());
    }
    let subscriptions = Subscription::find()
        .filter(
            mail_subscription::Column::AccountId
                .is_in(notices.iter().map(|n| n.account_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?;
    let now = Utc::now();
    let mut rows = Vec::new();
    for notice in notices {
        let Some(subscription) = subscriptions
            .iter()
            .find(|s| s.account_id == notice.account_id && wants(&s.kinds, &notice.kind))
        else {
            continue;
        };
        let mut body = notice.body_vi.clone();
        if !settings.record_url.is_empty() {
            let link = settings
                .record_url
                .replace("{type}", &notice.record_type)
                .replace("{id}", &notice.record_id.to_string());
            body.push_str("\n\n");
            body.push_str(&link);
        }
        body.push_str(
            "\n\n--\nThư tự động của hệ thống thông tin đối ngoại (ttdn); \
             đổi loại thông báo nhận qua thư trong tài khoản của bạn.",
        );
        rows.push(mail_message::ActiveModel {
            id: Set(NotificationId::new().0),
            notification_id: Set(notice.id),
            account_id: Set(notice.account_id),
            to_address: Set(subscription.address.clone()),
            subject: Set(notice.title_vi.clone()),
            body: Set(body),
            status: Set(MailStatus::Pending),
            attempts: Set(0),
            next_attempt_at: Set(now),
            last_error: Set(None),
            sent_at: Set(None),
            created_at: Set(now),
        });
    }
    for chunk in rows.chunks(500) {
        mail_message::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
