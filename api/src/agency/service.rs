//! Rules and transactions of the agency directory.
//!
//! The tree is kept twice on purpose: `parent_id` for the direct relation and the materialized
//! `path` (`/<root>/<…>/<self>/`, ids in simple hex) so that "this agency and everything below it"
//! is one indexed range ([`path_under`]), which every scope check of later areas relies on.
//! Every change here keeps the two consistent, for the agency and its whole subtree, inside the
//! caller's transaction.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agency::{ActiveModel, AgencyKind, Column, Entity as Agency, Listed, Model},
    ids::AgencyId,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait,
    Order, PaginatorTrait, QueryFilter, QuerySelect, Select,
    sea_query::{Alias, Expr, ExprTrait, Query},
};
use uuid::Uuid;

use super::types::{AdminCode, ElectronicId, PressMedium, ShortName, parent_allowed};
use crate::{
    auth::{
        actor::Actor,
        cache::{Principals, Subtree},
    },
    db,
    error::{AppError, AppResult, Msg, unique_violation},
    graphql::{
        loaders::Relation,
        pagination::{Page, PageRequest, SortKey, TotalCount, changed_since},
    },
    policy::{self, Operation, Visibility},
    text,
};

/// Columns with a unique index, and the input field to blame when a write collides on one.
const UNIQUE_COLUMNS: &[(&str, &str)] = &[
    ("admin_code", "adminCode"),
    ("electronic_id", "electronicId"),
];

const VERSIONED: db::Versioned<Agency> = db::Versioned {
    id: Column::Id,
    version: Column::Version,
    updated_at: Column::UpdatedAt,
};

pub(super) fn not_found() -> AppError {
    AppError::NotFound(Msg::new("Không tìm thấy cơ quan", "Agency not found"))
}

/// The path segment of an agency id.
fn segment(id: Uuid) -> String {
    id.simple().to_string()
}

/// Path of a new child of `parent` (or of a root).
pub(super) fn child_path(parent: Option<&Model>, id: Uuid) -> String {
    match parent {
        Some(parent) => format!("{}{}/", parent.path, segment(id)),
        None => format!("/{}/", segment(id)),
    }
}

/// Ids along a path, root first.
pub(crate) fn path_ids(path: &str) -> Vec<Uuid> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .filter_map(|s| Uuid::try_parse(s).ok())
        .collect()
}

/// Whether an agency with this validity exists on `day`.
pub(super) fn active_on(model: &Model, day: NaiveDate) -> bool {
    model.valid_from <= day && model.valid_to.is_none_or(|to| to >= day)
}

/// "The path starts with `prefix`" (the agency is in that subtree), as the range
/// `prefix <= path < prefix'`, where `prefix'` is `prefix` with its last character (the `/`)
/// raised by one: every path in between starts with `prefix`, because paths are ASCII and
/// compared byte by byte (collation `C` on PostgreSQL, `BINARY` on SQLite). A range, unlike
/// `LIKE 'prefix%'`, keeps its index in PostgreSQL's generic plans of prepared statements,
/// which do not know the pattern: with `LIKE $1` they scanned every agency.
pub fn path_under(prefix: &str) -> Condition {
    let mut end = prefix.to_owned();
    let last = end.pop().map_or(0, u32::from);
    end.push(char::from_u32(last + 1).unwrap_or(char::MAX));
    Condition::all()
        .add(Column::Path.gte(prefix))
        .add(Column::Path.lt(end))
}

/// Ids of the agencies whose path starts with `prefix` (a subtree), as a subquery.
pub fn ids_under(prefix: &str) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(Column::Id)
        .from(Agency)
        .cond_where(path_under(prefix))
        .to_owned()
}

/// Ids of the agencies `visibility` covers, as a subquery (`None`: every agency).
pub fn ids_visible(visibility: &Visibility) -> Option<sea_orm::sea_query::SelectStatement> {
    match visibility {
        Visibility::All => None,
        Visibility::Subtree(path) => Some(ids_under(path)),
        Visibility::Agency(id) => Some(
            sea_orm::sea_query::Query::select()
                .column(Column::Id)
                .from(Agency)
                .and_where(Column::Id.eq(*id))
                .to_owned(),
        ),
    }
}

/// Restricts records whose agency is in `agency_column` to what `visibility` allows.
pub fn visible_to<E: EntityTrait>(
    select: Select<E>,
    agency_column: E::Column,
    visibility: &Visibility,
) -> Select<E> {
    match visibility {
        Visibility::All => select,
        Visibility::Subtree(path) => select.filter(agency_column.in_subquery(ids_under(path))),
        Visibility::Agency(id) => select.filter(agency_column.eq(*id)),
    }
}

/// Filters of an agency list.
#[derive(Clone, Debug, Default)]
pub struct AgencyFilter {
    /// Diacritics-insensitive text anywhere in the name.
    pub search: Option<String>,
    /// Only these kinds (all when empty).
    pub kinds: Vec<AgencyKind>,
    /// Only this agency and its descendants.
    pub within: Option<AgencyId>,
    /// Only direct children of this agency.
    pub parent: Option<AgencyId>,
    /// Only roots of the tree.
    pub roots_only: bool,
    /// Only agencies that exist on this date.
    pub active_on: Option<NaiveDate>,
    /// Only agencies changed at or after, in the order of the change (for clients that poll).
    pub updated_since: Option<DateTime<Utc>>,
}

/// Loads one agency.
pub async fn get<C: ConnectionTrait>(db: &C, id: AgencyId) -> AppResult<Model> {
    Agency::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Loads agencies by id, in no particular order (for DataLoaders).
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> AppResult<Vec<Model>> {
    Ok(Agency::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// The ids of an agency's ancestors, root first (the agency itself excluded).
pub fn ancestor_ids(agency: &Model) -> Vec<Uuid> {
    let mut ids = path_ids(&agency.path);
    ids.retain(|id| *id != agency.id);
    ids
}

/// Agencies that closed into an agency (named it as successor), oldest first.
pub struct Predecessors;

impl Relation for Predecessors {
    type Entity = Agency;
    fn key() -> Column {
        Column::SuccessorId
    }
    fn order() -> Vec<(Column, Order)> {
        vec![(Column::ValidTo, Order::Asc), (Column::Id, Order::Asc)]
    }
}

/// The direct children of an agency, in the order of agency lists (folded name, then id).
pub struct Children;

impl Relation for Children {
    type Entity = Agency;
    fn key() -> Column {
        Column::ParentId
    }
    fn order() -> Vec<(Column, Order)> {
        vec![(Column::SearchName, Order::Asc), (Column::Id, Order::Asc)]
    }
}

/// The sort key of an agency in lists (for cursors).
pub fn sort_key(model: &Model) -> (SortKey, Uuid) {
    (SortKey::Text(model.search_name.clone()), model.id)
}

/// The query for `filter` (resolving `within` to its path, kept in `kept` for the next
/// listing). An unknown `within` or `parent` agency is `NOT_FOUND`.
async fn select(
    db: &DatabaseConnection,
    kept: &Principals,
    filter: &AgencyFilter,
) -> AppResult<Select<Agency>> {
    let mut select = Agency::find();
    if let Some(within) = filter.within {
        let Subtree { path, part_of_tree } = match kept.subtree(within) {
            Some(kept) => kept,
            None => {
                let since = kept.since();
                let (path, part_of_tree) = subtree(db, within).await?;
                let read = Subtree {
                    path: path.into(),
                    part_of_tree,
                };
                kept.put_subtree(within, read.clone(), since);
                read
            }
        };
        // The tree of the only root is every agency: no condition to test. PostgreSQL would
        // plan the path's range once for any root, guessing it matches a few rows, and sort the
        // whole tree for every page (0.19 ms for a province's 450 agencies) instead of walking
        // the name index to the page (0.04 ms; docs/performance.md, "A province's whole
        // tree, …").
        if part_of_tree {
            select = select.filter(path_under(&path));
            if db.get_database_backend() == DatabaseBackend::Postgres {
                // A subtree that is a part of the data (one province of several, a district)
                // is read through its path index, then sorted. Left to itself, PostgreSQL
                // walks the name index and filters on the path, which costs in proportion to
                // the whole table: 1.3 ms instead of 0.5 ms for one province's 450 agencies in
                // the national data.
                select = crate::db::fenced(select);
            }
        }
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(text::fold)
        .filter(|s| !s.is_empty())
    {
        select = select.filter(text::column_contains(Column::SearchName, &search));
    }
    if !filter.kinds.is_empty() {
        select = select.filter(Column::Kind.is_in(filter.kinds.iter().copied()));
    }
    if let Some(parent) = filter.parent {
        select = select.filter(Column::ParentId.eq(parent.0));
    }
    if filter.roots_only {
        select = select.filter(Column::ParentId.is_null());
    }
    if let Some(day) = filter.active_on {
        select = select.filter(Column::ValidFrom.lte(day)).filter(
            Condition::any()
                .add(Column::ValidTo.is_null())
                .add(Column::ValidTo.gte(day)),
        );
    }
    Ok(select)
}

/// The path of agency `root`, and whether its subtree leaves other agencies out (it has a
/// parent, or other trees exist beside it), in one statement. An unknown agency is
/// `NOT_FOUND`.
async fn subtree<C: ConnectionTrait>(db: &C, root: AgencyId) -> AppResult<(String, bool)> {
    let others = Alias::new("other_root");
    let other_roots = Query::select()
        .expr(Expr::val(1))
        .from_as(Agency, others.clone())
        .and_where(Expr::col((others.clone(), Column::ParentId)).is_null())
        .and_where(Expr::col((others, Column::Id)).ne(root.0))
        .to_owned();
    Agency::find_by_id(root.0)
        .select_only()
        .column(Column::Path)
        .expr(
            Expr::col((Agency, Column::ParentId))
                .is_not_null()
                .or(Expr::exists(other_roots)),
        )
        .into_tuple()
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// One page of agencies matching `filter`, ordered by folded name, with its lazy total count.
pub async fn list(
    db: &DatabaseConnection,
    kept: &Principals,
    filter: &AgencyFilter,
    page: &PageRequest,
) -> AppResult<(Page<Model>, TotalCount)> {
    let select = changed_since(select(db, kept, filter).await?, filter.updated_since);
    let total = TotalCount::of(db, select.clone());
    let rows = page
        .fetch_polled(
            db,
            select,
            filter.updated_since,
            (Column::SearchName, sea_orm::Order::Asc),
            sort_key,
        )
        .await?;
    Ok((rows, total))
}

/// [`list`] with each agency read as [`Listed`] alone, for a page whose query shows nothing
/// else; `None` for a poll (`updated_since`), whose order is that of the changes: [`list`]
/// reads it.
pub async fn list_listed(
    db: &DatabaseConnection,
    kept: &Principals,
    filter: &AgencyFilter,
    page: &PageRequest,
) -> AppResult<Option<(Page<Listed>, TotalCount)>> {
    if filter.updated_since.is_some() {
        return Ok(None);
    }
    let select = select(db, kept, filter).await?;
    let total = TotalCount::of(db, select.clone());
    let (read, select) = crate::db::Columns::<Listed>::of(select);
    let rows = page
        .fetch_joined(
            db,
            select,
            (Column::SearchName, Column::Id),
            sea_orm::Order::Asc,
            &read,
            |listed| (SortKey::Text(listed.search_name.clone()), listed.id),
        )
        .await?;
    Ok(Some((rows, total)))
}

/// Descriptive fields of an agency, already shape-checked; the checks that depend on the kind,
/// the parent or other rows happen in [`create`] and [`update`].
#[derive(Clone, Debug)]
pub struct Details {
    /// Full name.
    pub name: String,
    /// Symbol short name.
    pub short_name: ShortName,
    /// Administrative-unit code, checked against the kind here.
    pub admin_code: Option<String>,
    /// Electronic identifier.
    pub electronic_id: Option<ElectronicId>,
    /// Postal address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Web portal.
    pub website: Option<String>,
    /// Press media (press agencies only).
    pub press_media: Vec<PressMedium>,
    /// Press licence (press agencies only).
    pub press_licence: Option<String>,
    /// TTĐN lead department of its province.
    pub is_ttdn_lead: bool,
    /// First day of existence.
    pub valid_from: NaiveDate,
}

impl Details {
    pub(super) fn of(model: &Model) -> Self {
        Self {
            name: model.name.clone(),
            short_name: ShortName::trusted(model.short_name.clone()),
            admin_code: model.admin_code.clone(),
            electronic_id: model.electronic_id.clone().map(ElectronicId::trusted),
            address: model.address.clone(),
            phone: model.phone.clone(),
            email: model.email.clone(),
            website: model.website.clone(),
            press_media: PressMedium::decode(model.press_media.as_deref()),
            press_licence: model.press_licence.clone(),
            is_ttdn_lead: model.is_ttdn_lead,
            valid_from: model.valid_from,
        }
    }
}

/// A new agency.
#[derive(Clone, Debug)]
pub struct NewAgency {
    /// Kind.
    pub kind: AgencyKind,
    /// Parent (`None`: a root).
    pub parent: Option<AgencyId>,
    /// Everything else.
    pub details: Details,
}

/// Changes to an agency: `None` keeps a field; for nullable fields `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct AgencyPatch {
    /// New name.
    pub name: Option<String>,
    /// New short name.
    pub short_name: Option<ShortName>,
    /// New administrative-unit code.
    pub admin_code: Option<Option<String>>,
    /// New electronic identifier.
    pub electronic_id: Option<Option<ElectronicId>>,
    /// New address.
    pub address: Option<Option<String>>,
    /// New phone.
    pub phone: Option<Option<String>>,
    /// New e-mail.
    pub email: Option<Option<String>>,
    /// New web portal.
    pub website: Option<Option<String>>,
    /// New press media.
    pub press_media: Option<Vec<PressMedium>>,
    /// New press licence.
    pub press_licence: Option<Option<String>>,
    /// New lead flag.
    pub is_ttdn_lead: Option<bool>,
    /// New first day.
    pub valid_from: Option<NaiveDate>,
}

impl AgencyPatch {
    fn apply(self, mut d: Details) -> Details {
        fn put<T>(slot: &mut T, value: Option<T>) {
            if let Some(value) = value {
                *slot = value;
            }
        }
        put(&mut d.name, self.name);
        put(&mut d.short_name, self.short_name);
        put(&mut d.admin_code, self.admin_code);
        put(&mut d.electronic_id, self.electronic_id);
        put(&mut d.address, self.address);
        put(&mut d.phone, self.phone);
        put(&mut d.email, self.email);
        put(&mut d.website, self.website);
        put(&mut d.press_media, self.press_media);
        put(&mut d.press_licence, self.press_licence);
        put(&mut d.is_ttdn_lead, self.is_ttdn_lead);
        put(&mut d.valid_from, self.valid_from);
        d
    }
}

/// Loads the parent named in an input; unknown is the input's fault.
pub(super) async fn input_parent<C: ConnectionTrait>(db: &C, id: AgencyId) -> AppResult<Model> {
    Agency::find_by_id(id.0).one(db).await?.ok_or_else(|| {
        AppError::bad_input(
            "parentId",
            Msg::new("Không có cơ quan cấp trên này", "No such parent agency"),
        )
    })
}

pub(super) fn check_kind_under(kind: AgencyKind, parent: Option<&Model>) -> AppResult<()> {
    if parent_allowed(kind, parent.map(|p| p.kind)) {
        return Ok(());
    }
    Err(AppError::bad_input(
        "parentId",
        Msg::new(
            "Loại cơ quan này không thể trực thuộc cơ quan cấp trên đã chọn",
            "An agency of this kind cannot sit under the chosen parent",
        ),
    ))
}

/// The agency's validity must lie inside its parent's.
pub(super) fn check_validity_under(
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    parent: Option<&Model>,
    field: &'static str,
) -> AppResult<()> {
    let Some(parent) = parent else { return Ok(()) };
    let starts_inside = valid_from >= parent.valid_from;
    let ends_inside = match (valid_to, parent.valid_to) {
        (_, None) => true,
        (Some(to), Some(parent_to)) => to <= parent_to,
        (None, Some(_)) => false,
    };
    if starts_inside && ends_inside {
        return Ok(());
    }
    Err(AppError::bad_input(
        field,
        Msg::new(
            format!(
                "Thời gian hiệu lực phải nằm trong thời gian hiệu lực của cơ quan cấp trên ({} – {})",
                parent.valid_from,
                parent.valid_to.map_or("nay".to_owned(), |d| d.to_string())
            ),
            format!(
                "The validity must lie within the parent agency's ({} – {})",
                parent.valid_from,
                parent
                    .valid_to
                    .map_or("present".to_owned(), |d| d.to_string())
            ),
        ),
    ))
}

/// Kind-, parent- and uniqueness-dependent checks shared by create and update. Returns the
/// normalised administrative-unit code.
pub(super) async fn check_details<C: ConnectionTrait>(
    db: &C,
    kind: AgencyKind,
    parent: Option<&Model>,
    details: &Details,
    this: Option<Uuid>,
) -> AppResult<Option<String>> {
    let admin_code = details
        .admin_code
        .as_deref()
        .map(|raw| AdminCode::parse(kind, raw).map(AdminCode::into_inner))
        .transpose()?;
    if kind != AgencyKind::PressAgency {
        if !details.press_media.is_empty() {
            return Err(AppError::bad_input(
                "pressMedia",
                Msg::new(
                    "Chỉ cơ quan báo chí có loại hình báo chí",
                    "Only press agencies have press media",
                ),
            ));
        }
        if details.press_licence.is_some() {
            return Err(AppError::bad_input(
                "pressLicence",
                Msg::new(
                    "Chỉ cơ quan báo chí có giấy phép hoạt động báo chí",
                    "Only press agencies have a press licence",
                ),
            ));
        }
    }
    let others = |column: Column, value: String| {
        let mut query = Agency::find().filter(column.eq(value));
        if let Some(this) = this {
            query = query.filter(Column::Id.ne(this));
        }
        query
    };
    if details.is_ttdn_lead {
        let parent = parent.filter(|p| {
            kind == AgencyKind::Department && p.kind == AgencyKind::ProvincialCommittee
        });
        let Some(parent) = parent else {
            return Err(AppError::bad_input(
                "isTtdnLead",
                Msg::new(
                    "Chỉ một sở trực thuộc UBND tỉnh mới có thể là cơ quan chủ trì TTĐN",
                    "Only a department directly under a provincial committee can lead TTĐN",
                ),
            ));
        };
        let mut leads = Agency::find()
            .filter(Column::ParentId.eq(parent.id))
            .filter(Column::IsTtdnLead.eq(true))
            .filter(Column::ValidTo.is_null());
        if let Some(this) = this {
            leads = leads.filter(Column::Id.ne(this));
        }
        if leads.count(db).await? > 0 {
            return Err(AppError::conflict(
                "isTtdnLead",
                Msg::new(
                    "Tỉnh này đã có cơ quan chủ trì TTĐN; hãy bỏ đánh dấu cơ quan kia trước",
                    "This province already has a TTĐN lead department; unmark that one first",
                ),
            ));
        }
    }
    if let Some(code) = &admin_code
        && others(Column::AdminCode, code.clone()).count(db).await? > 0
    {
        return Err(AppError::conflict(
            "adminCode",
            Msg::new(
                "Mã đơn vị hành chính đã thuộc về cơ quan khác",
                "The administrative-unit code belongs to another agency",
            ),
        ));
    }
    if let Some(eid) = &details.electronic_id
        && others(Column::ElectronicId, eid.as_str().to_owned())
            .count(db)
            .await?
            > 0
    {
        return Err(AppError::conflict(
            "electronicId",
            Msg::new(
                "Mã định danh điện tử đã thuộc về cơ quan khác",
                "The electronic identifier belongs to another agency",
            ),
        ));
    }
    Ok(admin_code)
}

fn write_details(model: &mut ActiveModel, details: Details, admin_code: Option<String>) {
    model.search_name = Set(text::fold(&details.name));
    model.name = Set(details.name);
    model.short_name = Set(details.short_name.into_inner());
    model.admin_code = Set(admin_code);
    model.electronic_id = Set(details.electronic_id.map(ElectronicId::into_inner));
    model.address = Set(details.address);
    model.phone = Set(details.phone);
    model.email = Set(details.email);
    model.website = Set(details.website);
    model.press_media = Set(PressMedium::encode(&details.press_media));
    model.press_licence = Set(details.press_licence);
    model.is_ttdn_lead = Set(details.is_ttdn_lead);
    model.valid_from = Set(details.valid_from);
}

/// Path of an optional agency, for scope checks (`None` for "no agency", i.e. a root).
pub(super) async fn path_of<C: ConnectionTrait>(
    db: &C,
    id: Option<AgencyId>,
) -> AppResult<Option<String>> {
    Ok(match id {
        Some(id) => Some(input_parent(db, id).await?.path),
        None => None,
    })
}

/// Creates an agency: under a parent in the actor's scope, or as a root (administrators).
#[tracing::instrument(skip_all, fields(agency.kind = ?new.kind))]
pub async fn create<C: ConnectionTrait>(db: &C, actor: &Actor, new: NewAgency) -> AppResult<Model> {
    let parent_path = path_of(db, new.parent).await?;
    policy::require_at(actor, Operation::AgencyWrite, parent_path.as_deref())?;
    let id = AgencyId::new();
    insert(db, id.0, new, None, None).await?;
    get(db, id).await
}

/// Inserts an agency with the given id, validity end and successor, after every check.
async fn insert<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    new: NewAgency,
    valid_to: Option<NaiveDate>,
    successor: Option<Uuid>,
) -> AppResult<()> {
    let parent = match new.parent {
        Some(parent) => Some(input_parent(db, parent).await?),
        None => None,
    };
    check_kind_under(new.kind, parent.as_ref())?;
    check_validity_under(
        new.details.valid_from,
        valid_to,
        parent.as_ref(),
        "validFrom",
    )?;
    let admin_code = check_details(db, new.kind, parent.as_ref(), &new.details, Some(id)).await?;
    let now = chrono::Utc::now();
    let mut model = ActiveModel {
        id: Set(id),
        kind: Set(new.kind),
        parent_id: Set(parent.as_ref().map(|p| p.id)),
        path: Set(child_path(parent.as_ref(), id)),
        depth: Set(parent.as_ref().map_or(0, |p| p.depth + 1)),
        valid_to: Set(valid_to),
        successor_id: Set(successor),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    write_details(&mut model, new.details, admin_code);
    Agency::insert(model)
        .exec(db)
        .await
        .map_err(|e| unique_violation(e, UNIQUE_COLUMNS))?;
    Ok(())
}

pub(super) fn check_version(model: &Model, expected: Option<i32>) -> AppResult<()> {
    match expected {
        Some(expected) if expected != model.version => Err(stale()),
        _ => Ok(()),
    }
}

fn stale() -> AppError {
    AppError::conflict(
        "expectedVersion",
        Msg::new(
            "Cơ quan vừa được người khác thay đổi; hãy tải lại rồi thử lại",
            "The agency was changed by someone else; reload and try again",
        ),
    )
}

/// Writes `changes` to the row at `model.version`, bumping the version; a concurrent change in
/// between is `CONFLICT`.
pub(super) async fn save<C: ConnectionTrait>(
    db: &C,
    model: &Model,
    changes: ActiveModel,
) -> AppResult<Model> {
    let saved = VERSIONED
        .update(db, model.id, model.version, changes)
        .await
        .map_err(|e| unique_violation(e, UNIQUE_COLUMNS))?;
    if !saved {
        return Err(stale());
    }
    get(db, AgencyId(model.id)).await
}

/// Updates the descriptive fields of an agency.
#[tracing::instrument(skip_all, fields(agency.id = %id))]
pub async fn update<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: AgencyId,
    patch: AgencyPatch,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let current = get(db, id).await?;
    policy::require_at(actor, Operation::AgencyWrite, Some(&current.path))?;
    check_version(&current, expected_version)?;
    let details = patch.apply(Details::of(&current));
    let parent = match current.parent_id {
        Some(parent) => Some(get(db, AgencyId(parent)).await?),
        None => None,
    };
    if current.valid_to.is_some_and(|to| details.valid_from > to) {
        return Err(AppError::bad_input(
            "validFrom",
            Msg::new(
                "Ngày bắt đầu hiệu lực sau ngày kết thúc",
                "The first day is after the last day",
            ),
        ));
    }
    check_validity_under(
        details.valid_from,
        current.valid_to,
        parent.as_ref(),
        "validFrom",
    )?;
    let earliest_child = Agency::find()
        .filter(Column::ParentId.eq(current.id))
        .filter(Column::ValidFrom.lt(details.valid_from))
        .count(db)
        .await?;
    if earliest_child > 0 {
        return Err(AppError::bad_input(
            "validFrom",
            Msg::new(
                "Có cơ quan trực thuộc bắt đầu hiệu lực trước ngày này",
                "A child agency starts before this date",
            ),
        ));
    }
    let admin_code = check_details(
        db,
        current.kind,
        parent.as_ref(),
        &details,
        Some(current.id),
    )
    .await?;
    let mut changes = ActiveModel::default();
    write_details(&mut changes, details, admin_code);
    save(db, &current, changes).await
}

/// Inserts an agency with a fixed id unless it exists (demo data, which must be idempotent):
/// returns whether it was inserted.
pub async fn insert_fixed<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    new: NewAgency,
    valid_to: Option<NaiveDate>,
    successor: Option<Uuid>,
) -> AppResult<bool> {
    if Agency::find_by_id(id).one(db).await?.is_some() {
        return Ok(false);
    }
    insert(db, id, new, valid_to, successor).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_list_ids_root_first() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let path = format!("/{}/{}/", segment(a), segment(b));
        assert_eq!(path_ids(&path), vec![a, b]);
    }
}
