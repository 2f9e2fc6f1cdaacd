//! GraphQL face of information releases and the press feed.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    ids::{AgencyId, PressEventId, ReleaseId, SpokespersonId},
    information_release::{
        Audience as StoredAudience, Model, ReleaseKind as StoredKind, ReleaseStatus as StoredStatus,
    },
    release_attachment,
};
use serde::Serialize;

use super::service::{self, Content, NewAttachment, ReleaseFilter, SecurityMarking as Marking};
use crate::{
    agency::schema::Agency,
    document::{DocumentInput, DocumentReference},
    error::{AppError, AppResult, Msg},
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
        pagination::{self, List, PageRequest},
    },
    mirror_enum,
    policy::Operation,
    press_event::{schema::PressEvent, service as events},
    spokesperson::{schema::Spokesperson, service as spokespersons},
    text,
};

mirror_enum!(
    /// Kind of release.
    ReleaseKind => StoredKind {
        /// Press release (thông cáo báo chí).
        PressRelease,
        /// Information bulletin for the press (văn bản cung cấp thông tin).
        InformationBulletin,
        /// Propaganda guidance (hướng dẫn tuyên truyền).
        PropagandaGuidance,
        /// Correction (đính chính) of an earlier release.
        Correction,
    }
);

mirror_enum!(
    /// Who may read a published release.
    Audience => StoredAudience {
        /// Every press agency.
        Public,
        /// The listed press agencies (`recipients`).
        Targeted,
        /// Government agencies only; never the press.
        Internal,
    }
);

mirror_enum!(
    /// Lifecycle of a release.
    ReleaseStatus => StoredStatus {
        /// Being written; only the issuer's side sees it.
        Draft,
        /// Published.
        Published,
        /// Withdrawn after publication; kept with the reason.
        Withdrawn,
    }
);

/// Security classification of a document (độ mật). Anything but UNCLASSIFIED is refused: state
/// secrets are never stored in this system.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SecurityMarking {
    /// Not classified.
    #[default]
    Unclassified,
    /// Mật.
    Mat,
    /// Tối mật.
    ToiMat,
    /// Tuyệt mật.
    TuyetMat,
}

impl From<SecurityMarking> for Marking {
    fn from(marking: SecurityMarking) -> Self {
        match marking {
            SecurityMarking::Unclassified => Marking::Unclassified,
            SecurityMarking::Mat => Marking::Confidential,
            SecurityMarking::ToiMat => Marking::Secret,
            SecurityMarking::TuyetMat => Marking::TopSecret,
        }
    }
}

/// A file attached to a release, by reference.
#[derive(SimpleObject)]
pub struct Attachment {
    /// File name.
    name: String,
    /// Media type, e.g. "application/pdf".
    media_type: String,
    /// Size in bytes.
    size_bytes: i64,
    /// SHA-256 of the content, hex.
    checksum: String,
    /// Where to fetch it.
    url: String,
}

impl From<release_attachment::Model> for Attachment {
    fn from(row: release_attachment::Model) -> Self {
        Self {
            name: row.name,
            media_type: row.media_type,
            size_bytes: row.size_bytes,
            checksum: row.checksum,
            url: row.url,
        }
    }
}

/// An information release as the API shows it.
pub struct InformationRelease(Model);

impl From<Model> for InformationRelease {
    fn from(model: Model) -> Self {
        Self(model)
    }
}

/// An information release (thông cáo báo chí, văn bản cung cấp thông tin, hướng dẫn tuyên
/// truyền, đính chính).
#[Object]
impl InformationRelease {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Issuing agency.
    async fn issuing_agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.issuing_agency_id).await
    }

    /// Document number and date.
    async fn document(&self) -> Option<DocumentReference> {
        DocumentReference::from_columns(self.0.doc_number.as_deref(), self.0.doc_date)
    }

    /// Kind.
    async fn kind(&self) -> ReleaseKind {
        self.0.kind.into()
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Summary.
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }

    /// Body (Markdown).
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// Topics.
    async fn topics(&self) -> Vec<&str> {
        self.0
            .topics
            .as_deref()
            .map(|t| t.lines().collect())
            .unwrap_or_default()
    }

    /// Language (BCP 47).
    async fn language(&self) -> &str {
        &self.0.language
    }

    /// The spokesperson it is attributed to, shown with the release as the law requires.
    async fn spokesperson(&self, ctx: &Context<'_>) -> AppResult<Option<Spokesperson>> {
        Ok(ctx
            .loaders()?
            .one::<spokespersons::relations::ById>(self.0.spokesperson_id)
            .await?
            .map(Into::into))
    }

    /// The event it was given out at.
    async fn event(&self, ctx: &Context<'_>) -> AppResult<Option<PressEvent>> {
        Ok(ctx
            .loaders()?
            .one::<events::relations::ById>(self.0.event_id)
            .await?
            .map(Into::into))
    }

    /// Audience.
    async fn audience(&self) -> Audience {
        self.0.audience.into()
    }

    /// Press agencies a TARGETED release is addressed to (not shown to the press).
    async fn recipients(&self, ctx: &Context<'_>) -> AppResult<Vec<Agency>> {
        if ctx.actor()?.role == crate::auth::actor::ActorRole::Press {
            return Ok(Vec::new());
        }
        let loaders = ctx.loaders()?;
        let rows = loaders
            .many::<service::relations::Recipients>(self.0.id)
            .await?;
        let found = loaders
            .agency
            .load_many(rows.into_iter().map(|r| r.press_agency_id))
            .await?;
        Ok(found.into_values().map(Agency::from).collect())
    }

    /// The press does not see it before this time.
    async fn embargo_until(&self) -> Option<DateTime<Utc>> {
        self.0.embargo_until
    }

    /// Lifecycle.
    async fn status(&self) -> ReleaseStatus {
        self.0.status.into()
    }

    /// When published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }

    /// When withdrawn.
    async fn withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.0.withdrawn_at
    }

    /// Why withdrawn.
    async fn withdrawal_reason(&self) -> Option<&str> {
        self.0.withdrawal_reason.as_deref()
    }

    /// The release this correction corrects.
    async fn corrects(&self, ctx: &Context<'_>) -> AppResult<Option<InformationRelease>> {
        Ok(ctx
            .loaders()?
            .one::<service::relations::ById>(self.0.corrects_id)
            .await?
            .map(Into::into))
    }

    /// Attachments.
    async fn attachments(&self, ctx: &Context<'_>) -> AppResult<Vec<Attachment>> {
        let rows = ctx
            .loaders()?
            .many::<service::relations::Attachments>(self.0.id)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Files kept with this release: the signed scan and the final file, the current ones;
    /// with `history: true`, every upload (superseded ones included).
    async fn files(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false, desc = "Include superseded uploads.")] history: bool,
    ) -> AppResult<Vec<crate::file::schema::StoredFile>> {
        crate::file::schema::files_of(ctx, self.0.id, history).await
    }

    /// Version for optimistic concurrency (pass as `expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When last changed (for `updatedSince` polling).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Filters of the release list (the press feed).
#[derive(InputObject, Default)]
pub struct ReleaseFilterInput {
    /// Releases of this agency or below it.
    issuer_within: Option<ID>,
    /// Releases with this topic (whole topic, diacritics-insensitive).
    topic: Option<String>,
    /// Only these kinds.
    kinds: Option<Vec<ReleaseKind>>,
    /// Only these statuses.
    statuses: Option<Vec<ReleaseStatus>>,
    /// Published (created, for drafts) at or after.
    from: Option<DateTime<Utc>>,
    /// Published (created, for drafts) before.
    to: Option<DateTime<Utc>>,
    /// Text in the title, summary or body, ignoring case and diacritics.
    search: Option<String>,
    /// Only releases changed at or after this time, oldest change first (instead of newest
    /// first): for systems that poll. A withdrawn release comes back with status WITHDRAWN.
    updated_since: Option<DateTime<Utc>>,
}

/// Queries of releases.
#[derive(Default)]
pub struct ReleaseQuery;

#[Object]
impl ReleaseQuery {
    /// One release.
    async fn information_release(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Release id.")] id: ID,
    ) -> AppResult<InformationRelease> {
        let id = ReleaseId(parse_id("id", &id)?);
        Ok(service::get(ctx.db()?, ctx.actor()?, id).await?.into())
    }

    /// Releases, newest first. For a press account this is its feed: published, past their
    /// embargo, addressed to all press or to its agency.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn information_releases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<ReleaseFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<InformationRelease>> {
        let filter = filter.unwrap_or_default();
        let filter = ReleaseFilter {
            issuer_within: filter
                .issuer_within
                .as_ref()
                .map(|id| parse_id("filter.issuerWithin", id).map(AgencyId))
                .transpose()?,
            topic: text::search("filter.topic", filter.topic)?,
            kinds: filter
                .kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            statuses: filter
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            from: filter.from,
            to: filter.to,
            search: text::search("filter.search", filter.search)?,
            updated_since: filter.updated_since,
        };
        let page = PageRequest::parse(first, after.as_deref())?;
        let (rows, total) = service::list(ctx.db()?, ctx.actor()?, &filter, &page).await?;
        Ok(rows.into_connection(total))
    }
}

/// An attachment, by reference (the file itself lives elsewhere).
#[derive(InputObject, Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentInput {
    /// File name.
    name: String,
    /// Media type, e.g. "application/pdf".
    media_type: String,
    /// Size in bytes.
    size_bytes: i64,
    /// SHA-256 of the content, 64 hex digits.
    checksum: String,
    /// Where to fetch it (http or https).
    url: String,
    /// Security classification; anything but UNCLASSIFIED is refused.
    #[graphql(default)]
    security_marking: SecurityMarking,
}

/// The content of a draft.
#[derive(InputObject, Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseContentInput {
    /// Document number and date, e.g. 15/TC-UBND.
    document: Option<DocumentInput>,
    /// Kind.
    kind: ReleaseKind,
    /// Title, 1 to 500 characters.
    title: String,
    /// Summary.
    summary: Option<String>,
    /// Body (Markdown), at most 200,000 characters.
    body: String,
    /// Topics (each at most 100 characters).
    topics: Option<Vec<String>>,
    /// Language (BCP 47, default "vi").
    #[graphql(default_with = "String::from(\"vi\")")]
    language: String,
    /// The spokesperson of the issuer it is attributed to (required to publish).
    spokesperson_id: Option<ID>,
    /// The event it is given out at.
    event_id: Option<ID>,
    /// Audience.
    audience: Audience,
    /// The press does not see it before this time (in the future).
    embargo_until: Option<DateTime<Utc>>,
    /// Press agencies of a TARGETED release.
    recipient_ids: Option<Vec<ID>>,
    /// Attachments.
    attachments: Option<Vec<AttachmentInput>>,
    /// The release a CORRECTION corrects.
    corrects_id: Option<ID>,
    /// Security classification; anything but UNCLASSIFIED is refused.
    #[graphql(default)]
    security_marking: SecurityMarking,
}

fn checksum(field: &'static str, raw: &str) -> AppResult<String> {
    let value = raw.trim().to_ascii_lowercase();
    if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(value);
    }
    Err(AppError::bad_input(
        field,
        Msg::new(
            "Mã băm SHA-256 gồm 64 chữ số hex",
            "A SHA-256 checksum is 64 hex digits",
        ),
    ))
}

impl ReleaseContentInput {
    fn parse(&self) -> AppResult<Content> {
        service::refuse_classified("securityMarking", self.security_marking.into())?;
        text::refuse_classified_text("title", &self.title)?;
        text::refuse_classified_text("summary", self.summary.as_deref().unwrap_or_default())?;
        text::refuse_classified_text("body", &self.body)?;
        let mut attachments = Vec::new();
        for file in self.attachments.iter().flatten() {
            service::refuse_classified(
                "attachments.securityMarking",
                file.security_marking.into(),
            )?;
            if file.size_bytes < 0 {
                return Err(AppError::bad_input(
                    "attachments.sizeBytes",
                    Msg::new("Kích thước không được âm", "A size cannot be negative"),
                ));
            }
            attachments.push(NewAttachment {
                name: text::required_line("attachments.name", &file.name, 255)?,
                media_type: text::required_line("attachments.mediaType", &file.media_type, 127)?,
                size_bytes: file.size_bytes,
                checksum: checksum("attachments.checksum", &file.checksum)?,
                url: text::url("attachments.url", &file.url)?,
            });
        }
        let body = self.body.trim();
        if body.is_empty() || body.chars().count() > 200_000 {
            return Err(AppError::bad_input(
                "body",
                Msg::new(
                    "Nội dung từ 1 đến 200.000 ký tự",
                    "The body is 1 to 200,000 characters",
                ),
            ));
        }
        Ok(Content {
            document: self
                .document
                .as_ref()
                .map(|d| d.parse("document"))
                .transpose()?,
            kind: self.kind.into(),
            title: text::required_line("title", &self.title, 500)?,
            summary: self
                .summary
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            body: body.to_owned(),
            topics: self
                .topics
                .iter()
                .flatten()
                .map(|t| text::required_line("topics", t, 100))
                .collect::<AppResult<_>>()?,
            language: text::required_line("language", &self.language, 16)?,
            spokesperson: self
                .spokesperson_id
                .as_ref()
                .map(|id| parse_id("spokespersonId", id).map(SpokespersonId))
                .transpose()?,
            event: self
                .event_id
                .as_ref()
                .map(|id| parse_id("eventId", id).map(PressEventId))
                .transpose()?,
            audience: self.audience.into(),
            embargo_until: self.embargo_until,
            recipients: self
                .recipient_ids
                .iter()
                .flatten()
                .map(|id| parse_id("recipientIds", id).map(AgencyId))
                .collect::<AppResult<_>>()?,
            attachments,
            corrects: self
                .corrects_id
                .as_ref()
                .map(|id| parse_id("correctsId", id).map(ReleaseId))
                .transpose()?,
        })
    }
}

/// A new draft.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateReleaseInput {
    /// Issuing agency.
    issuing_agency_id: ID,
    /// Content.
    content: ReleaseContentInput,
}

/// A draft's new content (drafts only; published content is never edited).
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateReleaseInput {
    /// The release.
    id: ID,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
    /// The whole new content.
    content: ReleaseContentInput,
}

/// A release to publish.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishReleaseInput {
    /// The release.
    id: ID,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

/// A release to withdraw.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawReleaseInput {
    /// The release.
    id: ID,
    /// Why (kept with the record).
    reason: String,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

/// Result of a release mutation.
#[derive(SimpleObject)]
pub struct ReleasePayload {
    /// The release after the change.
    information_release: InformationRelease,
}

impl From<Model> for ReleasePayload {
    fn from(model: Model) -> Self {
        Self {
            information_release: model.into(),
        }
    }
}

/// Puts the service's content-field errors under `content` (the issuer stays top level).
fn in_content(error: AppError) -> AppError {
    match error {
        AppError::BadInput { ref field, .. } if field != "issuingAgencyId" => {
            error.under("content")
        }
        other => other,
    }
}

fn release_id(model: &Model) -> uuid::Uuid {
    model.id
}

/// A mutation of this area, for [`mutation::run`].
fn release_mutation(name: &'static str) -> Mutation {
    Mutation::new(name, Operation::ReleaseManage, "InformationRelease")
}

/// Drafting and publishing releases.
#[derive(Default)]
pub struct ReleaseMutation;

#[Object]
impl ReleaseMutation {
    /// Creates a draft.
    async fn create_release(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issuer and the content.")] input: CreateReleaseInput,
    ) -> AppResult<ReleasePayload> {
        let mutation = release_mutation("release.create").input(&input);
        mutation::run(ctx, mutation, release_id, move |txn, actor| {
            Box::pin(async move {
                let issuer = AgencyId(parse_id("issuingAgencyId", &input.issuing_agency_id)?);
                let content = input.content.parse().map_err(|e| e.under("content"))?;
                service::create(txn, actor, issuer, content)
                    .await
                    .map_err(in_content)
            })
        })
        .await
        .map(Into::into)
    }

    /// Rewrites a draft.
    async fn update_release(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The release and its new content.")] input: UpdateReleaseInput,
    ) -> AppResult<ReleasePayload> {
        let mutation = release_mutation("release.update")
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, mutation, release_id, move |txn, actor| {
            Box::pin(async move {
                let id = ReleaseId(parse_id("id", &input.id)?);
                let content = input.content.parse().map_err(|e| e.under("content"))?;
                service::update_draft(txn, actor, id, content, input.expected_version)
                    .await
                    .map_err(in_content)
            })
        })
        .await
        .map(Into::into)
    }

    /// Publishes a draft (it must be attributed to a serving spokesperson of the issuer).
    async fn publish_release(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The release.")] input: PublishReleaseInput,
    ) -> AppResult<ReleasePayload> {
        let mutation = release_mutation("release.publish")
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, mutation, release_id, move |txn, actor| {
            Box::pin(async move {
                let id = ReleaseId(parse_id("id", &input.id)?);
                service::publish(txn, actor, id, input.expected_version).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Withdraws a published release; the record and the reason stay.
    async fn withdraw_release(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The release and the reason.")] input: WithdrawReleaseInput,
    ) -> AppResult<ReleasePayload> {
        let mutation = release_mutation("release.withdraw")
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, mutation, release_id, move |txn, actor| {
            Box::pin(async move {
                let id = ReleaseId(parse_id("id", &input.id)?);
                let reason = text::required_line("reason", &input.reason, 1000)?;
                service::withdraw(txn, actor, id, reason, input.expected_version).await
            })
        })
        .await
        .map(Into::into)
    }
}
