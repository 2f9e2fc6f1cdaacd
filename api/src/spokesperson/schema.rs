//! GraphQL face of spokespersons and the press directory.

use async_graphql::{
    Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject, connection::Connection,
};
use chrono::{DateTime, Utc};
use entity::{
    ids::{AgencyId, SpokespersonId},
    spokesperson::{Model, SpokespersonKind as Stored},
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
        pagination::{self, PageRequest, TotalCount},
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

/// A spokesperson (người phát ngôn) as the API shows it.
pub struct Spokesperson(Model);

impl From<Model> for Spokesperson {
    fn from(model: Model) -> Self {
        Self(model)
    }
}

/// A spokesperson (người phát ngôn) of an agency, with the term of the appointment.
#[Object]
impl Spokesperson {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The agency spoken for.
    async fn agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.agency_id).await
    }

    /// Full name (họ và tên).
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }

    /// Position (chức vụ).
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Basis of speaking.
    async fn kind(&self) -> SpokespersonKind {
        self.0.kind.into()
    }

    /// Phone published to the press.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// Official e-mail published to the press.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// The appointing or authorising document (quyết định, giấy ủy quyền).
    async fn appointing_document(&self) -> Option<DocumentReference> {
        DocumentReference::from_columns(
            self.0.appointing_doc_number.as_deref(),
            self.0.appointing_doc_date,
        )
    }

    /// First day of the term.
    async fn term_from(&self) -> Date {
        self.0.term_from.into()
    }

    /// Last day of the term; null while open.
    async fn term_to(&self) -> Option<Date> {
        self.0.term_to.map(Date)
    }

    /// Whether the term includes a date.
    async fn is_serving(
        &self,
        #[graphql(desc = "The date; today in Vietnam time when omitted.")] on: Option<Date>,
    ) -> bool {
        service::serving_on(&self.0, on.map_or_else(time::today, |d| d.0))
    }

    /// Authorised persons: who granted the authorisation.
    async fn grantor(&self, ctx: &Context<'_>) -> AppResult<Option<Spokesperson>> {
        Ok(ctx
            .loaders()?
            .one::<service::relations::ById>(self.0.grantor_id)
            .await?
            .map(Spokesperson))
    }

    /// Authorised persons: the matter they speak on.
    async fn subject(&self) -> Option<&str> {
        self.0.subject.as_deref()
    }

    /// When the contacts were published to the press; null until then.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }

    /// When publication is due: set at the appointment from the publication window then in
    /// force for the agency's province (`SPOKESPERSON_PUBLICATION_HOURS`, 24 hours unless
    /// changed); a later change of the window does not move it.
    async fn publication_due_at(&self) -> DateTime<Utc> {
        self.0.publication_due_at
    }

    /// Whether the contacts are still unpublished after their due time.
    async fn publication_overdue(&self) -> bool {
        self.0.published_at.is_none() && self.0.publication_due_at < Utc::now()
    }

    /// Version for optimistic concurrency (pass as `expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the appointment was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
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
    ) -> AppResult<Connection<String, Spokesperson, TotalCount>> {
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
