//! The mailer: sends the mail outbox over SMTP (`lettre`), outside any request. Each process may
//! run one; a message is taken by moving its `next_attempt_at` past now (a lease) with an update
//! conditional on it being due and on its attempt count, so that two mailers never send the same
//! message at once. A refused
//! message is tried again after 1, 2, 4… times `TTDN_MAIL_RETRY_SECS` (at most an hour apart),
//! up to ten attempts; a permanent refusal (5xx) fails it at once.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use entity::{
    mail_message::{self, Column, Entity as MailMessage, MailStatus},
    notification, user_account,
};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, SinglePart, header::ContentTransferEncoding, header::ContentType},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};

use crate::error::AppResult;

/// Attempts before a message is given up.
const MAX_ATTEMPTS: i32 = 10;

/// How long a taken message is held by its sender.
const LEASE: i64 = 300;

/// The SMTP side.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    retry: Duration,
}

impl Mailer {
    /// A mailer for `TTDN_SMTP_URL` (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://host:465`), sending as `from`; `None` when mail is off.
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<Option<Self>> {
        let url = settings.smtp_url.trim();
        if url.is_empty() {
            return Ok(None);
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("TTDN_SMTP_URL is not a usable SMTP URL: {e}"))?
            .timeout(Some(StdDuration::from_secs(30)))
            .build();
        let from = settings
            .mail_from
            .parse::<Mailbox>()
            .map_err(|e| anyhow::anyhow!("TTDN_MAIL_FROM is not a mailbox: {e}"))?;
        Ok(Some(Self {
            transport,
            from,
            retry: Duration::seconds(i64::try_from(settings.mail_retry_secs.max(1)).unwrap_or(30)),
        }))
    }

    /// Starts sending, every second.
    pub fn spawn(self, db: DatabaseConnection) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(StdDuration::from_secs(1));
            loop {
                tick.tick().await;
                if let Err(err) = self.pass(&db).await {
                    tracing::warn!(error = ?err, "sending mail failed; retrying");
                }
            }
        });
    }

    /// Sends what is due; how many were accepted.
    pub async fn pass(&self, db: &DatabaseConnection) -> AppResult<usize> {
        let now = Utc::now();
        let due = MailMessage::find()
            .filter(Column::Status.eq(MailStatus::Pending))
            .filter(Column::NextAttemptAt.lte(now))
            .order_by_asc(Column::NextAttemptAt)
            .limit(20)
            .all(db)
            .await?;
        let mut sent = 0;
        for message in due {
            // Take it: only one sender moves its next attempt forward.
            let taken = MailMessage::update_many()
                .col_expr(
                    Column::NextAttemptAt,
                    Expr::value(now + Duration::seconds(LEASE)),
                )
                .filter(Column::Id.eq(message.id))
                .filter(Column::Status.eq(MailStatus::Pending))
                .filter(Column::NextAttemptAt.lte(now))
                .filter(Column::Attempts.eq(message.attempts))
                .exec(db)
                .await?
                .rows_affected
                == 1;
            if !taken {
                continue;
            }
            let attempts = message.attempts + 1;
            // The notice's scope rules hold for its mail too: an account disabled, or moved to
            // another agency, since the notice was given gets no mail of it.
            let outcome = if still_addressed(db, &message).await? {
                self.send(&message).await
            } else {
                Err((
                    "the account no longer receives this notice (disabled, or acting for \
                     another agency)"
                        .to_owned(),
                    true,
                ))
            };
            let mut change = mail_message::ActiveModel {
                id: Set(message.id),
                attempts: Set(attempts),
                ..Default::default()
            };
            match outcome {
                Ok(()) => {
                    change.status = Set(MailStatus::Sent);
                    change.sent_at = Set(Some(Utc::now()));
                    change.last_error = Set(None);
                    sent += 1;
                }
                Err((error, permanent)) => {
                    tracing::info!(message = %message.id, attempts, error = %error, "mail refused");
                    change.last_error = Set(Some(error));
                    if permanent || attempts >= MAX_ATTEMPTS {
                        change.status = Set(MailStatus::Failed);
                    } else {
                        let factor = 1_i32 << (attempts - 1).min(10);
                        let wait = (self.retry * factor).min(Duration::hours(1));
                        change.next_attempt_at = Set(Utc::now() + wait);
                    }
                }
            }
            MailMessage::update(change).exec(db).await?;
        }
        Ok(sent)
    }

    /// Sends one message: `Err((why, permanent))` when refused.
    async fn send(&self, message: &mail_message::Model) -> Result<(), (String, bool)> {
        let to = message
            .to_address
            .parse::<Mailbox>()
            .map_err(|e| (format!("bad address: {e}"), true))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .header(ContentTransferEncoding::Base64)
                    .body(message.body.clone()),
            )
            .map_err(|e| (format!("cannot build the message: {e}"), true))?;
        self.transport
            .send(email)
            .await
            .map(drop)
            .map_err(|e| (e.to_string(), e.is_permanent()))
    }
}

/// Whether the account of `message` still acts, enabled, for the agency its notice went to.
async fn still_addressed(
    db: &DatabaseConnection,
    message: &mail_message::Model,
) -> AppResult<bool> {
    let account = user_account::Entity::find_by_id(message.account_id)
        .one(db)
        .await?;
    let notice = notification::Entity::find_by_id(message.notification_id)
        .one(db)
        .await?;
    Ok(match (account, notice) {
        (Some(account), Some(notice)) => {
            account.disabled_at.is_none() && account.agency_id == Some(notice.agency_id)
        }
        _ => false,
    })
}
