//! GraphQL face of the agency directory: transport only. Resolvers parse their input, call one
//! service function and convert the result.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    agency::{AgencyKind as Kind, Listed, Model},
    ids::AgencyId,
};
use serde::Serialize;
use uuid::Uuid;

use super::{
    reorganise::{self, Closing},
    service::{self, AgencyFilter, AgencyPatch, Details, NewAgency},
    types::{ElectronicId, MAX_NAME, PressMedium, ShortName},
};
use crate::{
    error::AppResult,
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
        pagination::{self, List, PageRequest, TotalCount},
        read::{self, Read},
        scalars::Date,
    },
    policy::{self, Operation},
    text, time,
};

/// Kind of agency (loại cơ quan); decides where it may sit in the tree.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[graphql(name = "AgencyKind")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AgencyKind {
    /// Provincial people's committee (UBND tỉnh/thành phố). Always a root of the tree.
    ProvincialCommittee,
    /// Department, board or office (sở, ban, ngành; phòng of a district). Under a provincial
    /// committee or a district.
    Department,
    /// District-level people's committee (UBND huyện/thị xã/thành phố thuộc tỉnh), under a
    /// provincial committee. Most were dissolved on 1 July 2025.
    District,
    /// Commune-level people's committee (UBND xã/phường/thị trấn/đặc khu), under a district or
    /// directly under a provincial committee (two-tier provinces).
    Commune,
    /// Press agency (cơ quan báo chí): a root (central press) or under a provincial committee.
    PressAgency,
    /// Any other agency; may sit anywhere.
    Other,
}

impl From<Kind> for AgencyKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::ProvincialCommittee => Self::ProvincialCommittee,
            Kind::Department => Self::Department,
            Kind::District => Self::District,
            Kind::Commune => Self::Commune,
            Kind::PressAgency => Self::PressAgency,
            Kind::Other => Self::Other,
        }
    }
}

impl From<AgencyKind> for Kind {
    fn from(kind: AgencyKind) -> Self {
        match kind {
            AgencyKind::ProvincialCommittee => Self::ProvincialCommittee,
            AgencyKind::Department => Self::Department,
            AgencyKind::District => Self::District,
            AgencyKind::Commune => Self::Commune,
            AgencyKind::PressAgency => Self::PressAgency,
            AgencyKind::Other => Self::Other,
        }
    }
}

/// An agency (cơ quan) as the API shows it: its whole row, or only the columns a list shows
/// ([`Listed`]) where the list's query asks for nothing else. A field the listed columns lack
/// reads the whole row by id, through the request's loader, so an answer never depends on
/// which was read.
pub struct Agency(Read<Model, Listed>);

impl From<Model> for Agency {
    fn from(model: Model) -> Self {
        Self(Read::Whole(model))
    }
}

impl From<Listed> for Agency {
    fn from(listed: Listed) -> Self {
        Self(Read::narrow(listed))
    }
}

impl Agency {
    /// The fields the listed columns answer (`__typename` included; the relations read by the
    /// agency's id alone): a list whose items ask for these alone reads [`Listed`].
    pub(crate) const LISTED_FIELDS: [&str; 9] = [
        "__typename",
        "id",
        "name",
        "shortName",
        "kind",
        "parent",
        "children",
        "currentSpokespeople",
        "predecessors",
    ];

    fn many(models: Vec<Model>) -> Vec<Agency> {
        models.into_iter().map(Agency::from).collect()
    }

    fn key(&self) -> Uuid {
        *crate::either_column!(&self.0, id)
    }

    /// The agency of a reference field (`null` stays `null`), through the request's loader so
    /// that every agency a response mentions is read in one batch.
    pub async fn load(ctx: &Context<'_>, id: impl Into<Option<Uuid>>) -> AppResult<Option<Agency>> {
        let Some(id) = id.into() else {
            return Ok(None);
        };
        Ok(ctx.loaders()?.agency(id).await?.map(Agency::from))
    }

    /// The whole row: as read, or read once by id through the request's loader for a listed
    /// one.
    async fn whole(&self, ctx: &Context<'_>) -> AppResult<&Model> {
        let load = |listed: &Listed| {
            let id = listed.id;
            async move { ctx.loaders()?.agency(id).await }
        };
        self.0.whole(load, service::not_found).await
    }

    /// Whether a connection's items ask for listed fields alone (`edges { node }` and
    /// `nodes`, fragments included).
    fn listed_only(ctx: &Context<'_>) -> bool {
        read::every_item(ctx, |item| read::selects_only(item, &Self::LISTED_FIELDS))
    }
}

/// An agency (cơ quan): a people's committee, a department, a press agency… Agencies form a
/// tree; they are never deleted but close (`validTo`), possibly into a successor.
#[Object]
impl Agency {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(self.key().to_string())
    }

    /// Full official name (tên cơ quan), e.g. "UBND huyện Triệu Sơn".
    async fn name(&self) -> &str {
        crate::either_column!(&self.0, name)
    }

    /// Short name used in document symbols (tên viết tắt), e.g. "UBND", "STTTT".
    async fn short_name(&self) -> &str {
        crate::either_column!(&self.0, short_name)
    }

    /// Kind of agency.
    async fn kind(&self) -> AgencyKind {
        (*crate::either_column!(&self.0, kind)).into()
    }

    /// Administrative-unit code (mã đơn vị hành chính): 2 digits for a province, 3 for a
    /// district, 5 for a commune.
    async fn admin_code(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.whole(ctx).await?.admin_code.as_deref())
    }

    /// Electronic agency identifier for document exchange (mã định danh điện tử), e.g.
    /// "000.00.31.H56".
    async fn electronic_id(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.whole(ctx).await?.electronic_id.as_deref())
    }

    /// Postal address (địa chỉ).
    async fn address(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.whole(ctx).await?.address.as_deref())
    }

    /// Switchboard phone number (điện thoại).
    async fn phone(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.whole(ctx).await?.phone.as_deref())
    }

    /// Official e-mail address (thư điện tử công vụ).
    async fn email(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.whole(ctx).await?.email.as_deref())
    }

    /// Web portal (cổng thông tin điện tử).
    async fn website(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.whole(ctx).await?.website.as_deref())
    }

    /// Media a press agency publishes in (loại hình báo chí); empty for other kinds.
    async fn press_media(&self, ctx: &Context<'_>) -> AppResult<Vec<PressMedium>> {
        Ok(PressMedium::decode(
            self.whole(ctx).await?.press_media.as_deref(),
        ))
    }

    /// Press agencies: operating licence (giấy phép hoạt động báo chí).
    async fn press_licence(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.whole(ctx).await?.press_licence.as_deref())
    }

    /// Whether this department leads TTĐN work in its province (cơ quan chủ trì TTĐN).
    async fn is_ttdn_lead(&self, ctx: &Context<'_>) -> AppResult<bool> {
        Ok(self.whole(ctx).await?.is_ttdn_lead)
    }

    /// First day the agency exists (hiệu lực từ ngày).
    async fn valid_from(&self, ctx: &Context<'_>) -> AppResult<Date> {
        Ok(self.whole(ctx).await?.valid_from.into())
    }

    /// Last day the agency exists (hiệu lực đến ngày); null while it is current.
    async fn valid_to(&self, ctx: &Context<'_>) -> AppResult<Option<Date>> {
        Ok(self.whole(ctx).await?.valid_to.map(Date))
    }

    /// Whether the agency exists on a date.
    async fn is_active(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to check; today in Vietnam time when omitted.")] on: Option<
            Date,
        >,
    ) -> AppResult<bool> {
        let day = on.map_or_else(time::today, |d| d.0);
        let whole = self.whole(ctx).await?;
        Ok(whole.valid_from <= day && whole.valid_to.is_none_or(|to| to >= day))
    }

    /// Number of ancestors: 0 for a root.
    async fn depth(&self, ctx: &Context<'_>) -> AppResult<i32> {
        Ok(self.whole(ctx).await?.depth)
    }

    /// Version for optimistic concurrency: pass it as `expectedVersion` to a change so that a
    /// concurrent change is reported as CONFLICT instead of being overwritten.
    async fn version(&self, ctx: &Context<'_>) -> AppResult<i32> {
        Ok(self.whole(ctx).await?.version)
    }

    /// When the record was created.
    async fn created_at(&self, ctx: &Context<'_>) -> AppResult<DateTime<Utc>> {
        Ok(self.whole(ctx).await?.created_at)
    }

    /// When the record last changed.
    async fn updated_at(&self, ctx: &Context<'_>) -> AppResult<DateTime<Utc>> {
        Ok(self.whole(ctx).await?.updated_at)
    }

    /// Parent agency (cơ quan cấp trên); null for a root.
    async fn parent(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, *crate::either_column!(&self.0, parent_id)).await
    }

    /// All ancestors, root first (e.g. province → district for a commune).
    async fn ancestors(&self, ctx: &Context<'_>) -> AppResult<Vec<Agency>> {
        let ids = service::ancestor_ids(self.whole(ctx).await?);
        let mut found = ctx.loaders()?.agency.load_many(ids.iter().copied()).await?;
        Ok(ids
            .iter()
            .filter_map(|id| found.remove(id))
            .map(Agency::from)
            .collect())
    }

    /// Direct children (cơ quan trực thuộc), ordered by name.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the children.")] filter: Option<AgencyFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<Agency>> {
        if filter.is_none() && after.is_none() {
            // The common case, children listed under each agency of a list: every parent's
            // children in one batch, the page cut here.
            policy::require(ctx.actor()?, Operation::AgencyRead)?;
            let page = PageRequest::parse(first, None)?;
            let rows = ctx.loaders()?.many::<service::Children>(self.key()).await?;
            let total = TotalCount::known(rows.len());
            return Ok(page
                .first_page(rows, service::sort_key)
                .into_connection(total));
        }
        let mut filter = filter.unwrap_or_default().parse()?;
        filter.parent = Some(AgencyId(self.key()));
        // Boxed: an agency's every field is resolved in a future the size of its largest
        // field's, and this one's would be five times the next (docs/performance.md, "A
        // province's whole tree, …").
        Box::pin(list(ctx, filter, first, after)).await
    }

    /// The agency that took over when this one closed (cơ quan kế thừa).
    async fn successor(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.whole(ctx).await?.successor_id).await
    }

    /// The spokespersons serving today (người phát ngôn đương nhiệm): the head, the appointed
    /// spokesperson and current authorisations. The press sees published ones only.
    async fn current_spokespeople(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Vec<crate::spokesperson::schema::Spokesperson>> {
        use crate::spokesperson::schema::Spokesperson;
        policy::require(ctx.actor()?, Operation::SpokespersonRead)?;
        let loaders = ctx.loaders()?;
        // A selection of card fields alone (fragments included) reads the cards: 7 of the
        // row's 19 columns.
        let cards_only = read::selects_only(ctx.field(), &Spokesperson::CARD_FIELDS);
        Ok(if cards_only {
            let cards = loaders.spokesperson_cards.load_one(self.key()).await?;
            cards
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect()
        } else {
            let rows = loaders.spokespeople.load_one(self.key()).await?;
            rows.unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect()
        })
    }

    /// Agencies that closed into this one, oldest first.
    async fn predecessors(&self, ctx: &Context<'_>) -> AppResult<Vec<Agency>> {
        let rows = ctx
            .loaders()?
            .many::<service::Predecessors>(self.key())
            .await?;
        Ok(Agency::many(rows))
    }
}

async fn list(
    ctx: &Context<'_>,
    filter: AgencyFilter,
    first: Option<i32>,
    after: Option<String>,
) -> AppResult<List<Agency>> {
    policy::require(ctx.actor()?, Operation::AgencyRead)?;
    let page = PageRequest::parse(first, after.as_deref())?;
    let db = ctx.db()?;
    let kept = &ctx.auth_config()?.principals;
    if Agency::listed_only(ctx)
        && let Some((rows, total)) = service::list_listed(db, kept, &filter, &page).await?
    {
        return Ok(rows.into_connection(total));
    }
    let (rows, total) = service::list(db, kept, &filter, &page).await?;
    Ok(rows.into_connection(total))
}

/// Filters of an agency list; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct AgencyFilterInput {
    /// Text anywhere in the name, ignoring case and Vietnamese diacritics ("trieu son" finds
    /// "Triệu Sơn", "d" matches "đ").
    search: Option<String>,
    /// Only these kinds.
    kinds: Option<Vec<AgencyKind>>,
    /// Only this agency and everything below it.
    within: Option<ID>,
    /// Only roots of the tree (provincial committees, central press agencies…).
    roots_only: Option<bool>,
    /// Only agencies that exist on this date.
    active_on: Option<Date>,
    /// Only agencies changed at or after this time, oldest change first (instead of by name),
    /// for systems that poll: see "Integrating a provincial system" in the README.
    updated_since: Option<DateTime<Utc>>,
}

impl AgencyFilterInput {
    fn parse(self) -> AppResult<AgencyFilter> {
        Ok(AgencyFilter {
            search: text::search("filter.search", self.search)?,
            kinds: self
                .kinds
                .unwrap_or_default()
                .into_iter()
                .map(Kind::from)
                .collect(),
            within: self
                .within
                .as_ref()
                .map(|id| parse_id("filter.within", id).map(AgencyId))
                .transpose()?,
            parent: None,
            roots_only: self.roots_only.unwrap_or(false),
            active_on: self.active_on.map(|d| d.0),
            updated_since: self.updated_since,
        })
    }
}

/// Queries of the agency directory.
#[derive(Default)]
pub struct AgencyQuery;

#[Object]
impl AgencyQuery {
    /// One agency by id.
    async fn agency(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Agency id.")] id: ID,
    ) -> AppResult<Agency> {
        policy::require(ctx.actor()?, Operation::AgencyRead)?;
        let id = parse_id("id", &id)?;
        Ok(Agency::from(service::get(ctx.db()?, AgencyId(id)).await?))
    }

    /// Agencies, ordered by name (ignoring diacritics).
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn agencies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<AgencyFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<Agency>> {
        let filter = filter.unwrap_or_default().parse()?;
        list(ctx, filter, first, after).await
    }
}

/// A new agency.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAgencyInput {
    /// Full official name, 1 to 255 characters.
    name: String,
    /// Short name for document symbols: letters, digits and '-', at most 30 characters.
    short_name: String,
    /// Kind of agency.
    kind: AgencyKind,
    /// Parent agency; omit for a root (a provincial committee or a central press agency).
    parent_id: Option<ID>,
    /// Administrative-unit code (2, 3 or 5 digits by level).
    admin_code: Option<String>,
    /// Electronic agency identifier (dot-separated groups of 0-9 and A-Z, at most 35 characters).
    electronic_id: Option<String>,
    /// Postal address.
    address: Option<String>,
    /// Switchboard phone number.
    phone: Option<String>,
    /// Official e-mail address.
    email: Option<String>,
    /// Web portal (http:// or https://).
    website: Option<String>,
    /// Press agencies only: media.
    press_media: Option<Vec<PressMedium>>,
    /// Press agencies only: operating licence.
    press_licence: Option<String>,
    /// Marks the department that leads TTĐN in its province (one per province).
    #[graphql(default = false)]
    is_ttdn_lead: bool,
    /// First day the agency exists; today (Vietnam time) when omitted.
    valid_from: Option<Date>,
}

impl CreateAgencyInput {
    fn parse(self) -> AppResult<NewAgency> {
        let parent = self
            .parent_id
            .as_ref()
            .map(|id| parse_id("parentId", id).map(AgencyId))
            .transpose()?;
        Ok(NewAgency {
            kind: self.kind.into(),
            parent,
            details: Details {
                name: text::required_line("name", &self.name, MAX_NAME)?,
                short_name: ShortName::parse(&self.short_name)?,
                admin_code: self.admin_code,
                electronic_id: text::optional(self.electronic_id.as_deref(), ElectronicId::parse)?,
                address: text::optional(self.address.as_deref(), |v| {
                    text::required_line("address", v, 500)
                })?,
                phone: text::optional(self.phone.as_deref(), |v| text::phone("phone", v))?,
                email: text::optional(self.email.as_deref(), |v| text::email("email", v))?,
                website: text::optional(self.website.as_deref(), |v| text::url("website", v))?,
                press_media: self.press_media.unwrap_or_default(),
                press_licence: text::optional(self.press_licence.as_deref(), |v| {
                    text::required_line("pressLicence", v, 255)
                })?,
                is_ttdn_lead: self.is_ttdn_lead,
                valid_from: self.valid_from.map_or_else(time::today, |d| d.0),
            },
        })
    }
}

/// Changes to an agency's details. Omitted fields stay as they are; `null` clears a nullable
/// field. The parent changes through `moveAgency`, the end of validity through `closeAgency`.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAgencyInput {
    /// The agency to change.
    id: ID,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
    /// New full name.
    name: Option<String>,
    /// New short name.
    short_name: Option<String>,
    /// New administrative-unit code, or null to clear.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    admin_code: MaybeUndefined<String>,
    /// New electronic identifier, or null to clear.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    electronic_id: MaybeUndefined<String>,
    /// New address, or null to clear.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    address: MaybeUndefined<String>,
    /// New phone, or null to clear.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    phone: MaybeUndefined<String>,
    /// New e-mail, or null to clear.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    email: MaybeUndefined<String>,
    /// New web portal, or null to clear.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    website: MaybeUndefined<String>,
    /// New press media (press agencies only).
    press_media: Option<Vec<PressMedium>>,
    /// New press licence, or null to clear.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    press_licence: MaybeUndefined<String>,
    /// Marks or unmarks the TTĐN lead department.
    is_ttdn_lead: Option<bool>,
    /// New first day of existence.
    valid_from: Option<Date>,
}

/// `MaybeUndefined` → keep (`None`), clear (`Some(None)`) or set after `parse`.
fn patch<T>(
    value: MaybeUndefined<String>,
    parse: impl FnOnce(&str) -> AppResult<T>,
) -> AppResult<Option<Option<T>>> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(parse(&v)?)),
    })
}

impl UpdateAgencyInput {
    fn parse(self) -> AppResult<(AgencyId, AgencyPatch, Option<i32>)> {
        let id = AgencyId(parse_id("id", &self.id)?);
        let patch = AgencyPatch {
            name: text::optional(self.name.as_deref(), |v| {
                text::required_line("name", v, MAX_NAME)
            })?,
            short_name: text::optional(self.short_name.as_deref(), ShortName::parse)?,
            admin_code: patch(self.admin_code, |v| Ok(v.to_owned()))?,
            electronic_id: patch(self.electronic_id, ElectronicId::parse)?,
            address: patch(self.address, |v| text::required_line("address", v, 500))?,
            phone: patch(self.phone, |v| text::phone("phone", v))?,
            email: patch(self.email, |v| text::email("email", v))?,
            website: patch(self.website, |v| text::url("website", v))?,
            press_media: self.press_media,
            press_licence: patch(self.press_licence, |v| {
                text::required_line("pressLicence", v, 255)
            })?,
            is_ttdn_lead: self.is_ttdn_lead,
            valid_from: self.valid_from.map(|d| d.0),
        };
        Ok((id, patch, self.expected_version))
    }
}

/// Moves an agency, with everything below it, to another parent.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveAgencyInput {
    /// The agency to move.
    id: ID,
    /// The new parent; null or omitted makes the agency a root.
    parent_id: Option<ID>,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

/// Closes an agency (ngừng hoạt động, sáp nhập): it stays readable, with its history.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseAgencyInput {
    /// The agency to close.
    id: ID,
    /// Last day the agency exists.
    valid_to: Date,
    /// The agency that takes over (cơ quan kế thừa), active after `validTo`.
    successor_id: Option<ID>,
    /// Move the children still active after `validTo` under the successor; without it, active
    /// children make the close a CONFLICT.
    #[graphql(default = false)]
    transfer_children: bool,
    /// The `version` the change is based on; a different current version is CONFLICT.
    expected_version: Option<i32>,
}

/// Result of an agency mutation.
#[derive(SimpleObject)]
pub struct AgencyPayload {
    /// The agency as it is after the change.
    agency: Agency,
}

impl From<Model> for AgencyPayload {
    fn from(model: Model) -> Self {
        Self {
            agency: Agency::from(model),
        }
    }
}

/// Changes to the agency directory. Agencies are never deleted.
#[derive(Default)]
pub struct AgencyMutation;

fn agency_id(model: &Model) -> Uuid {
    model.id
}

/// A mutation of this area, for [`mutation::run`].
fn agency_mutation(name: &'static str) -> Mutation {
    Mutation::new(name, Operation::AgencyWrite, "Agency")
}

#[Object]
impl AgencyMutation {
    /// Creates an agency.
    async fn create_agency(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new agency.")] input: CreateAgencyInput,
    ) -> AppResult<AgencyPayload> {
        let described = agency_mutation("agency.create").input(&input);
        mutation::run(ctx, described, agency_id, move |txn, actor| {
            Box::pin(async move { service::create(txn, actor, input.parse()?).await })
        })
        .await
        .map(Into::into)
    }

    /// Changes an agency's details.
    async fn update_agency(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The agency and the changes.")] input: UpdateAgencyInput,
    ) -> AppResult<AgencyPayload> {
        let described = agency_mutation("agency.update").on(&input.id).input(&input);
        mutation::run(ctx, described, agency_id, move |txn, actor| {
            Box::pin(async move {
                let (id, patch, version) = input.parse()?;
                service::update(txn, actor, id, patch, version).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Moves an agency and its whole subtree under another parent (or makes it a root).
    async fn move_agency(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The agency and its new parent.")] input: MoveAgencyInput,
    ) -> AppResult<AgencyPayload> {
        let described = agency_mutation("agency.move").on(&input.id).input(&input);
        mutation::run(ctx, described, agency_id, move |txn, actor| {
            Box::pin(async move {
                let id = AgencyId(parse_id("id", &input.id)?);
                let parent = input
                    .parent_id
                    .as_ref()
                    .map(|p| parse_id("parentId", p).map(AgencyId))
                    .transpose()?;
                reorganise::move_agency(txn, actor, id, parent, input.expected_version).await
            })
        })
        .await
        .map(Into::into)
    }

    /// Closes an agency, optionally naming its successor and handing its children over.
    async fn close_agency(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The agency, its last day and its successor.")] input: CloseAgencyInput,
    ) -> AppResult<AgencyPayload> {
        let described = agency_mutation("agency.close").on(&input.id).input(&input);
        mutation::run(ctx, described, agency_id, move |txn, actor| {
            Box::pin(async move {
                let id = AgencyId(parse_id("id", &input.id)?);
                let successor = input
                    .successor_id
                    .as_ref()
                    .map(|s| parse_id("successorId", s).map(AgencyId))
                    .transpose()?;
                let closing = Closing {
                    valid_to: input.valid_to.0,
                    successor,
                    transfer_children: input.transfer_children,
                };
                reorganise::close(txn, actor, id, closing, input.expected_version).await
            })
        })
        .await
        .map(Into::into)
    }
}
