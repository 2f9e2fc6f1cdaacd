//! GraphQL face of spokespersons and the press directory.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    ids::{AgencyId, SpokespersonId},
    spokesperson::{Card, Model, SpokespersonKind as Stored},
};
use serde::Serialize;

use super::service::{self, Appointment, ContactPatch, DirectoryFilter};
use crate::{
    agency::schema::{Agency, AgencyKind},
    document::{DocumentInput, DocumentReference},
    error::AppResult,
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
        pagination::{self, List, PageRequest},
        read::Read,
        scalars::Date,
    },
    policy::Operation,
    text, time,
};

/// On what basis a person speaks for an agency.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SpokespersonKind {
    /// The head of the agency (người đứng đầu), who speaks by law.
    Head,
    /// The regular spokesperson appointed by the head (người phát ngôn).
    Appointed,
    /// A person authorised to speak on one matter for a bounded time (người được ủy quyền
    /// phát ngôn).
    Authorised,
}

impl From<Stored> for SpokespersonKind {
    fn from(kind: Stored) -> Self {
        match kind {
            Stored::Head => Self::Head,
            Stored::Appointed => Self::Appointed,
            Stored::Authorised => Self::Authorised,
        }
    }
}

impl From<SpokespersonKind> for Stored {
    fn from(kind: SpokespersonKind) -> Self {
        match kind {
            SpokespersonKind::Head => Self::Head,
            SpokespersonKind::Appointed => Self::Appointed,
            SpokespersonKind::Authorised => Self::Authorised,
        }
    }
}

/// A spokesperson (người phát ngôn) as the API shows it: the whole row, or only its contact
/// card where the query asks for nothing else (an agency's current spokespersons, read by
/// [`Agency.currentSpokespeople`](crate::agency::schema::Agency)). A field the card lacks reads
/// the whole row by id, through the request's loader, so an answer never depends on which was
/// read.
pub struct Spokesperson(Read<Model, Card>);

impl From<Model> for Spokesperson {
    fn from(model: Model) -> Self {
        Self(Read::Whole(model))
    }
}

impl From<Card> for Spokesperson {
    fn from(card: Card) -> Self {
        Self(Read::narrow(card))
    }
}

impl Spokesperson {
    /// The fields a card answers (`__typename` included): a selection of these alone is
    /// served from cards.
    pub const CARD_FIELDS: [&str; 8] = [
        "__typename",
        "id",
        "agency",
        "fullName",
        "title",
        "kind",
        "phone",
        "email",
    ];

    /// The whole row: as read, or read once by id through the request's loader for a card.
    async fn whole(&self, ctx: &Context<'_>) -> AppResult<&Model> {
        let load = |card: &Card| {
            let id = card.id;
            async move { ctx.loaders()?.one::<service::relations::ById>(id).await }
        };
        self.0.whole(load, service::not_found).await
    }
}

/// A spokesperson (người phát ngôn) of an agency, with the term of the appointment.
#[Object]
impl Spokesperson {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(crate::either_column!(&self.0, id).to_string())
    }

    /// The agency spoken for.
    async fn agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, *crate::either_column!(&self.0, agency_id)).await
    }

    /// Full name (họ và tên).
    async fn full_name(&self) -> &str {
        crate::either_column!(&self.0, full_name)
    }

    /// Position (chức vụ).
    async fn title(&self) -> &str {
        crate::either_column!(&self.0, title)
    }

    /// Basis of speaking.
    async fn kind(&self) -> SpokespersonKind {
        (*crate::either_column!(&self.0, kind)).into()
    }

    /// Phone published to the press.
    async fn phone(&self) -> Option<&str> {
        crate::either_column!(&self.0, phone).as_deref()
    }

    /// Official e-mail published to the press.
    async fn email(&self) -> Option<&str> {
        crate::either_column!(&self.0, email).as_deref()
    }

    /// The appointing or authorising document (quyết định, giấy ủy quyền).
    async fn appointing_document(&self, ctx: &Context<'_>) -> AppResult<Option<DocumentReference>> {
        let whole = self.whole(ctx).await?;
        Ok(DocumentReference::from_columns(
            whole.appointing_doc_number.as_deref(),
            whole.appointing_doc_date,
        ))
    }

    /// First day of the term.
    async fn term_from(&self, ctx: &Context<'_>) -> AppResult<Date> {
        Ok(self.whole(ctx).await?.term_from.into())
    }

    /// Last day of the term; null while open.
    async fn term_to(&self, ctx: &Context<'_>) -> AppResult<Option<Date>> {
        Ok(self.whole(ctx).await?.term_to.map(Date))
    }

    /// Whether the term includes a date.
    async fn is_serving(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date; today in Vietnam time when omitted.")] on: Option<Date>,
    ) -> AppResult<bool> {
        Ok(service::serving_on(
            self.whole(ctx).await?,
            on.map_or_else(time::today, |d| d.0),
        ))
    }

    /// Authorised persons: who granted the authorisation.
    async fn grantor(&self, ctx: &Context<'_>) -> AppResult<Option<Spokesperson>> {
        let grantor = self.whole(ctx).await?.grantor_id;
        Ok(ctx
            .loaders()?
            .one::<service::relations::ById>(grantor)
            .await?
            .map(Spokesperson::from))
    }

    /// Authorised persons: the matter they speak on.
    async fn subject(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.whole(ctx).await?.subject.as_deref())
    }

    /// When the contacts were published to the press; null until then.
    async fn published_at(&self, ctx: &Context<'_>) -> AppResult<Option<DateTime<Utc>>> {
        Ok(self.whole(ctx).await?.published_at)
    }

    /// When publication is due: set at the appointment from the publication window then in
    /// force for the agency's province (`SPOKESPERSON_PUBLICATION_HOURS`, 24 hours unless
    /// changed); a later change of the window does not move it.
    async fn publication_due_at(&self, ctx: &Context<'_>) -> AppResult<DateTime<Utc>> {
        Ok(self.whole(ctx).await?.publication_due_at)
    }

    /// Whether the contacts are still unpublished after their due time.
    async fn publication_overdue(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let whole = self.whole(ctx).await?;
        Ok(whole.published_at.is_none() && whole.publication_due_at < Utc::now())
    }

    /// Version for optimistic concurrency (pass as `expectedVersion`).
    async fn version(&self, ctx: &Context<'_>) -> AppResult<i32> {
        Ok(self.whole(ctx).await?.version)
    }

    /// When the appointment was recorded.
    async fn created_at(&self, ctx: &Context<'_>) -> AppResult<DateTime<Utc>> {
        Ok(self.whole(ctx).await?.created_at)
    }
}

/// Filters of the spokesperson directory.
#[derive(InputObject, Default)]
pub struct SpokespersonFilterInput {
    /// Spokespersons of this agency and everything below it (a province, a district).
    agency_within: Option<ID>,
    /// Spokespersons of agencies of these kinds.
    agency_kinds: Option<Vec<AgencyKind>>,
    /// Text in the person's or the agency's name, ignoring case and diacritics ("trieu son"
    /// finds the spokespersons of UBND huyện Triệu Sơn).
    search: Option<String>,
    /// Who was serving on this date (default: today). Past dates answer who spoke then.
    on: Option<Date>,
    /// Every term, past and future, instead of those serving on a date.
    #[graphql(default = false)]
    history: bool,
    /// Only these kinds.
    kinds: Option<Vec<SpokespersonKind>>,
    /// Only appointments still unpublished after their publication was due.
    #[graphql(default = false)]
    publication_overdue: bool,
    /// Only spokespersons changed at or after this time, oldest change first (instead of by
    /// name), every term unless `on` is given: for systems that poll.
    updated_since: Option<DateTime<Utc>>,
}

/// Queries of spokespersons.
#[derive(Default)]
pub struct SpokespersonQuery;

#[Object]
impl SpokespersonQuery {
    /// One spokesperson.
    async fn spokesperson(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Spokesperson id.")] id: ID,
    ) -> AppResult<Spokesperson> {
        let id = SpokespersonId(parse_id("id", &id)?);
        Ok(service::get(ctx.db()?, ctx.actor()?, id).await?.into())
    }

    /// The spokesperson directory (danh bạ người phát ngôn): who speaks for which agency, with
    /// contacts, serving today or on a given date, ordered by name. The press sees published
    /// spokespersons only.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn spokespeople(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the directory.")] filter: Option<SpokespersonFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<Spokesperson>> {
        let filter = filter.unwrap_or_default();
        let filter = DirectoryFilter {
            agency_within: filter
                .agency_within
                .as_ref()
                .map(|id| parse_id("filter.agencyWithin", id).map(AgencyId))
                .transpose()?,
            agency_kinds: filter
                .agency_kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            search: text::search("filter.search", filter.search)?,
            on: filter.on.map(|d| d.0),
            history: filter.history,
            kinds: filter
                .kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            publication_overdue: filter.publication_overdue,
            updated_since: filter.updated_since,
        };
        let page = PageRequest::parse(first, after.as_deref())?;
        let (rows, total) = service::directory(ctx.db()?, ctx.actor()?, &filter, &page).await?;
        Ok(rows.into_connection(total))
    }
}

/// An appointment (HEAD or APPOINTED) or an authorisation (AUTHORISED).
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointSpokespersonInput {
    /// The agency spoken for.
    agency_id: ID,
    /// Full name.
    full_name: String,
    /// Position, e.g. "Chủ tịch UBND huyện".
    title: String,
    /// Basis of speaking.
    kind: SpokespersonKind,
    /// Phone published to the press.
    phone: Option<String>,
    /// Official e-mail published to the press.
    email: Option<String>,
    /// The appointing or authorising document.
    appointing_document: Option<DocumentInput>,
    /// First day of the term. A HEAD or APPOINTED term ends the current one of the same kind
    /// on the day before.
    term_from: Date,
    /// Last day of the term (required for AUTHORISED).
    term_to: Option<Date>,
    /// AUTHORISED only: the HEAD or APPOINTED spokesperson of the same agency granting it.
    grantor_id: Option<ID>,
    /// AUTHORISED only: the matter the person speaks on.
    subject: Option<String>,
}

/// Corrections to a spokesperson's contacts. Omitted fields stay; null clears.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSpokespersonContactInput {
    /// The spokesperson.
    id: ID,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
    /// New position.
    title: Option<String>,
    /// New phone, or null to clear.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    phone: MaybeUndefined<String>,
    /// New e-mail, or null to clear.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    email: MaybeUndefined<String>,
}

/// Ends a term.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndSpokespersonTermInput {
    /// The spokesperson.
    id: ID,
    /// Last day of the term.
    term_to: Date,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

/// Publishes a spokesperson's contacts to the press.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishSpokespersonInput {
    /// The spokesperson.
    id: ID,
}

/// Result of a spokesperson mutation.
#[derive(SimpleObject)]
pub struct SpokespersonPayload {
    /// The spokesperson after the change.
    spokesperson: Spokesperson,
}

impl From<Model> for SpokespersonPayload {
    fn from(model: Model) -> Self {
        Self {
            spokesperson: model.into(),
        }
    }
}

fn spokesperson_id(model: &Model) -> uuid::Uuid {
    model.id
}

/// A mutation of this area, for [`mutation::run`].
fn spokesperson_mutation(name: &'static str) -> Mutation {
    Mutation::new(name, Operation::SpokespersonManage, "Spokesperson")
}

fn contact<T>(
    value: &MaybeUndefined<String>,
    parse: impl FnOnce(&str) -> AppResult<T>,
) -> AppResult<Option<Option<T>>> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(parse(v)?)),
    })
}

/// Spokesperson management.
#[derive(Default)]
pub struct SpokespersonMutation;

#[Object]
impl SpokespersonMutation {
    /// Appoints a spokesperson or records an authorisation. Publish it to the press within 24
    /// hours with `publishSpokesperson`.
    async fn appoint_spokesperson(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The appointment.")] input: AppointSpokespersonInput,
    ) -> AppResult<SpokespersonPayload> {
        let mutation = spokesperson_mutation("spokesperson.appoint").input(&input);
        mutation::run(ctx, mutation, spokesperson_id, move |txn, actor| {
            Box::pin(async move {
                let new = Appointment {
                    agency: AgencyId(parse_id("agencyId", &input.agency_id)?),
                    full_name: text::required_line("fullName", &input.full_name, 255)?,
                    title: text::required_line("title", &input.title, 255)?,
                    kind: input.kind.into(),
                    phone: text::optional(input.phone.as_deref(), |v| text::phone("phone", v))?,
                    email: text::optional(input.email.as_deref(), |v| text::email("email", v))?,
                    document: input
                        .appointing_document
                        .as_ref()
                        .map(|d| d.parse("appointingDocument"))
                        .transpose()?,
                    term_from: input.term_from.0,
                    term_to: input.term_to.map(|d| d.0),
                    grantor: input
                        .grantor_id
                        .as_ref()
                        .map(|id| parse_id("grantorId", id).map(SpokespersonId))
                        .transpose()?,
                    subject: text::optional(input.subject.as_deref(), |v| {
                        text::required_line("subject", v, 500)
                    })?,
                };
                service::appoint(txn, actor, new).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Corrects a spokesperson's position, phone or e-mail.
    async fn update_spokesperson_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The spokesperson and the corrections.")]
        input: UpdateSpokespersonContactInput,
    ) -> AppResult<SpokespersonPayload> {
        let mutation = spokesperson_mutation("spokesperson.updateContact")
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, mutation, spokesperson_id, move |txn, actor| {
            Box::pin(async move {
                let id = SpokespersonId(parse_id("id", &input.id)?);
                let patch = ContactPatch {
                    title: text::optional(input.title.as_deref(), |v| {
                        text::required_line("title", v, 255)
                    })?,
                    phone: contact(&input.phone, |v| text::phone("phone", v))?,
                    email: contact(&input.email, |v| text::email("email", v))?,
                };
                service::update_contact(txn, actor, id, patch, input.expected_version).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Ends a spokesperson's term (resignation, end of an authorisation ahead of time).
    async fn end_spokesperson_term(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The spokesperson and the last day.")] input: EndSpokespersonTermInput,
    ) -> AppResult<SpokespersonPayload> {
        let mutation = spokesperson_mutation("spokesperson.endTerm")
            .on(&input.id)
            .input(&input);
        mutation::run(ctx, mutation, spokesperson_id, move |txn, actor| {
            Box::pin(async move {
                let id = SpokespersonId(parse_id("id", &input.id)?);
                service::end_term(txn, actor, id, input.term_to.0, input.expected_version).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Records that the spokesperson's contacts were published to the press.
    async fn publish_spokesperson(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The spokesperson.")] input: PublishSpokespersonInput,
    ) -> AppResult<SpokespersonPayload> {
        let mutation = spokesperson_mutation("spokesperson.publish").on(&input.id);
        mutation::run(ctx, mutation, spokesperson_id, move |txn, actor| {
            Box::pin(async move {
                let id = SpokespersonId(parse_id("id", &input.id)?);
                service::publish(txn, actor, id).await
            })
        })
        .await
        .map(Into::into)
    }
}
