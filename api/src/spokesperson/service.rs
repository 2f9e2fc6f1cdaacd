//! Appointments, authorisations, publication and the directory.
//!
//! Rules (DOMAIN.md, flow 3):
//! - at most one current `HEAD` and one current `APPOINTED` spokesperson per agency: a new
//!   appointment ends the current one on the day before it starts, in the same transaction;
//!   terms of one kind never overlap, and closed terms are never rewritten;
//! - an `AUTHORISED` person speaks on one subject for a finite term, granted by a `HEAD` or
//!   `APPOINTED` spokesperson of the same agency current on the first day; an authorised person
//!   cannot authorise anyone;
//! - contacts are published to the press within the publication window of the agency's province
//!   (the `SPOKESPERSON_PUBLICATION_HOURS` legal setting, 24 hours by default), its due time
//!   stored at the appointment; the directory flags those that are late.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agency,
    ids::{AgencyId, SpokespersonId},
    legal_setting::LegalKey,
    spokesperson::{ActiveModel, Column, Entity as Spokesperson, Model, SpokespersonKind},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, ExprTrait, QueryFilter, QueryOrder, Select, Statement, sea_query::Expr,
};

use crate::{
    agency::service as agency_service,
    auth::actor::{Actor, ActorRole},
    db,
    document::DocumentRef,
    error::{AppError, AppResult, Msg},
    graphql::pagination::{Page, PageRequest, SortKey, TotalCount, changed_since},
    legal::service as legal,
    policy::{self, Operation},
    text, time,
};

const VERSIONED: db::Versioned<Spokesperson> = db::Versioned {
    id: Column::Id,
    version: Column::Version,
    updated_at: Column::UpdatedAt,
};

pub(super) fn not_found() -> AppError {
    AppError::NotFound(Msg::new(
        "Không tìm thấy người phát ngôn",
        "Spokesperson not found",
    ))
}

/// Whether the term includes `day`.
pub fn serving_on(model: &Model, day: NaiveDate) -> bool {
    model.term_from <= day && model.term_to.is_none_or(|to| to >= day)
}

/// Press and machine clients see published spokespersons only; agencies see every record.
pub(crate) fn sees_unpublished(actor: &Actor) -> bool {
    !matches!(actor.role, ActorRole::Press | ActorRole::Integration)
}

fn visible(actor: &Actor) -> AppResult<Select<Spokesperson>> {
    policy::require(actor, Operation::SpokespersonRead)?;
    let select = Spokesperson::find();
    Ok(if sees_unpublished(actor) {
        select
    } else {
        select.filter(Column::PublishedAt.is_not_null())
    })
}

/// "Serving on `day`": `day` bound as a parameter ([`Expr::val`]) or written into the
/// statement ([`crate::db::constant`]).
fn serving_condition(day: Expr) -> Condition {
    Condition::all()
        .add(Expr::col((Spokesperson, Column::TermFrom)).lte(day.clone()))
        .add(
            Condition::any()
                .add(Column::TermTo.is_null())
                .add(Expr::col((Spokesperson, Column::TermTo)).gte(day)),
        )
}

/// One spokesperson, if visible.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: SpokespersonId,
) -> AppResult<Model> {
    visible(actor)?
        .filter(Column::Id.eq(id.0))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Filters of the directory.
#[derive(Clone, Debug, Default)]
pub struct DirectoryFilter {
    /// Spokespersons of this agency and its subtree.
    pub agency_within: Option<AgencyId>,
    /// Spokespersons of agencies of these kinds.
    pub agency_kinds: Vec<agency::AgencyKind>,
    /// Diacritics-insensitive text in the person's or the agency's name.
    pub search: Option<String>,
    /// Serving on this date (today when `None`); `history` lists every term instead.
    pub on: Option<NaiveDate>,
    /// Every term, past and future, instead of those serving on a date.
    pub history: bool,
    /// Only these kinds.
    pub kinds: Vec<SpokespersonKind>,
    /// Only appointments whose publication is overdue.
    pub publication_overdue: bool,
    /// Only spokespersons changed at or after, in the order of the change; every term unless
    /// `on` is given (a term that ended is a change a polling system must see).
    pub updated_since: Option<DateTime<Utc>>,
}

/// The directory: who speaks for which agency on a date, ordered by name.
pub async fn directory(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &DirectoryFilter,
    page: &PageRequest,
) -> AppResult<(Page<Model>, TotalCount)> {
    let mut select = changed_since(visible(actor)?, filter.updated_since);
    let every_term = filter.history || (filter.updated_since.is_some() && filter.on.is_none());
    if !every_term {
        // Today is written into the statement: a search's statement is its own for each text
        // (`text::column_contains`), and with no value of the filter's bound PostgreSQL keeps
        // its plan instead of planning every search afresh (nationally 0.25 ms instead of 0.32
        // for "nguyen", 0.36 instead of 0.47 for "tran"; docs/performance.md). A day the
        // caller gives is bound, as every input is.
        let day = match filter.on {
            Some(day) => Expr::val(day),
            None => db::constant(time::today()),
        };
        select = select.filter(serving_condition(day));
    }
    if let Some(root) = filter.agency_within {
        let root = agency_service::get(db, root).await?;
        select = select.filter(Column::AgencyId.in_subquery(agency_service::ids_under(&root.path)));
    }
    if !filter.agency_kinds.is_empty() {
        let of_kinds = sea_orm::sea_query::Query::select()
            .column(agency::Column::Id)
            .from(agency::Entity)
            .and_where(agency::Column::Kind.is_in(filter.agency_kinds.iter().copied()))
            .to_owned();
        select = select.filter(Column::AgencyId.in_subquery(of_kinds));
    }
    let search = filter
        .search
        .as_deref()
        .map(text::fold)
        .filter(|s| !s.is_empty());
    if let Some(search) = &search {
        // A liaison types a person's name or an agency's: match either (one OR: a union of the
        // two lookups made PostgreSQL pick a nested-loop semi-join, 20× slower).
        select = select.filter(
            Condition::any()
                .add(text::column_contains(Column::SearchName, search))
                .add_option(of_agencies_named(db, search).await?),
        );
    }
    if !filter.kinds.is_empty() {
        select = select.filter(Column::Kind.is_in(filter.kinds.iter().copied()));
    }
    if filter.publication_overdue {
        select = select
            .filter(Column::PublishedAt.is_null())
            .filter(Column::PublicationDueAt.lt(Utc::now()));
    }
    if search.is_some() && db.get_database_backend() == DbBackend::Postgres {
        // The people named alike sit together in name order ("nguyen …"), so PostgreSQL's walk
        // of the name index to the first page passes every name before them: 2.8 ms for
        // "nguyen" nationally. Through a fence it takes the matches from the trigram and agency
        // indexes and sorts them: 1.3 ms.
        select = crate::db::fenced(select);
    }
    let total = TotalCount::of(db, select.clone());
    let rows = page
        .fetch_polled(
            db,
            select,
            filter.updated_since,
            (Column::SearchName, sea_orm::Order::Asc),
            |m| (SortKey::Text(m.search_name.clone()), m.id),
        )
        .await?;
    Ok((rows, total))
}

/// At most this many agencies matching a directory search are passed to the main query by id;
/// beyond it the main query matches agency names itself.
pub const AGENCIES_NAMED_BY_ID: u64 = 500;

/// "The spokesperson's agency is named like `search`". The matching agencies are looked up
/// first, on their own, from a trigram index: on PostgreSQL `pg_trgm` (0.05 ms for the 15,300
/// agencies of the national data, where it planned the same condition inside the directory's
/// OR as a scan of every agency, about 4 ms), on SQLite the FTS5 table `agency_name_fts` for a
/// text of three characters or more (0.1 ms instead of a 2 ms scan). A common word matching
/// many agencies stays a subquery rather than a long list of ids.
///
/// `None` when no agency is named so: the condition would match nothing, and PostgreSQL
/// still planned and ran its empty array as a second index scan.
async fn of_agencies_named(db: &DatabaseConnection, search: &str) -> AppResult<Option<Condition>> {
    use sea_orm::{QuerySelect, sea_query::Query};
    let limit = AGENCIES_NAMED_BY_ID + 1;
    let named: Vec<uuid::Uuid> =
        if db.get_database_backend() == DbBackend::Sqlite && search.chars().count() >= 3 {
            // One FTS5 phrase: the trigram tokenizer matches it as a substring.
            let phrase = format!("\"{}\"", search.replace('"', "\"\""));
            let rows = db
                .query_all_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "SELECT id FROM agency_name_fts WHERE agency_name_fts MATCH ? LIMIT ?",
                    [phrase.into(), limit.into()],
                ))
                .await?;
            rows.iter()
                .map(|row| row.try_get::<uuid::Uuid>("", "id"))
                .collect::<Result<_, _>>()?
        } else {
            agency::Entity::find()
                .select_only()
                .column(agency::Column::Id)
                .filter(text::column_contains(agency::Column::SearchName, search))
                .limit(limit)
                .into_tuple()
                .all(db)
                .await?
        };
    if named.is_empty() {
        return Ok(None);
    }
    Ok(Some(if named.len() as u64 > AGENCIES_NAMED_BY_ID {
        let subquery = Query::select()
            .column(agency::Column::Id)
            .from(agency::Entity)
            .and_where(text::column_contains(agency::Column::SearchName, search))
            .to_owned();
        Condition::all().add(Column::AgencyId.in_subquery(subquery))
    } else {
        Condition::all().add(crate::db::key_in(
            db.get_database_backend(),
            Column::AgencyId,
            named,
        ))
    }))
}

/// The spokespersons serving `agencies` today, for the DataLoaders behind
/// `Agency.currentSpokespeople`, with the same visibility as the directory, ordered by kind.
/// Read whole with `.all`, or only their cards with `.into_partial_model::<Card>()`.
///
/// The agencies are bound as one array on PostgreSQL ([`crate::db::key_in`]): for a page of
/// 50 agencies, `IN ($1, …, $50)` was planned afresh on every run (0.08 ms to bind, 0.19 ms in
/// all in a province), the array binds in 0.02 ms (0.13 ms in all), and nationally 0.22 ms
/// against 0.26 (docs/performance.md, "A province's whole tree, …").
pub fn serving_for_agencies(
    backend: sea_orm::DbBackend,
    agencies: &[uuid::Uuid],
    include_unpublished: bool,
) -> Select<Spokesperson> {
    let mut select = Spokesperson::find()
        .filter(crate::db::key_in(
            backend,
            Column::AgencyId,
            agencies.iter().copied(),
        ))
        .filter(serving_condition(Expr::val(time::today())));
    if !include_unpublished {
        select = select.filter(Column::PublishedAt.is_not_null());
    }
    select.order_by_asc(Column::Kind).order_by_asc(Column::Id)
}

/// An appointment or authorisation.
pub struct Appointment {
    /// Agency spoken for.
    pub agency: AgencyId,
    /// Full name.
    pub full_name: String,
    /// Position.
    pub title: String,
    /// Basis.
    pub kind: SpokespersonKind,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Appointing document.
    pub document: Option<DocumentRef>,
    /// First day.
    pub term_from: NaiveDate,
    /// Last day (required for an authorisation).
    pub term_to: Option<NaiveDate>,
    /// Granting spokesperson (authorisations).
    pub grantor: Option<SpokespersonId>,
    /// Subject (authorisations).
    pub subject: Option<String>,
}

fn overlap() -> AppError {
    AppError::conflict(
        "termFrom",
        Msg::new(
            "Nhiệm kỳ trùng với một nhiệm kỳ khác cùng loại của cơ quan; nhiệm kỳ cũ không được ghi đè",
            "The term overlaps another term of the same kind at this agency; past terms are never rewritten",
        ),
    )
}

/// Appoints (or authorises) a spokesperson.
#[tracing::instrument(skip_all, fields(agency.id = %new.agency))]
pub async fn appoint<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    new: Appointment,
) -> AppResult<Model> {
    let agency = agency::Entity::find_by_id(new.agency.0)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "agencyId",
                Msg::new("Không có cơ quan này", "No such agency"),
            )
        })?;
    policy::require_at(actor, Operation::SpokespersonManage, Some(&agency.path))?;
    if agency.kind == agency::AgencyKind::PressAgency {
        return Err(AppError::bad_input(
            "agencyId",
            Msg::new(
                "Người phát ngôn thuộc cơ quan hành chính, không phải cơ quan báo chí",
                "Spokespersons belong to government agencies, not to press agencies",
            ),
        ));
    }
    if !(agency.valid_from <= new.term_from && agency.valid_to.is_none_or(|to| to >= new.term_from))
    {
        return Err(AppError::bad_input(
            "termFrom",
            Msg::new(
                "Cơ quan không hoạt động vào ngày bắt đầu nhiệm kỳ",
                "The agency does not exist on the first day of the term",
            ),
        ));
    }
    if new.term_to.is_some_and(|to| to < new.term_from) {
        return Err(AppError::bad_input(
            "termTo",
            Msg::new(
                "Ngày kết thúc trước ngày bắt đầu",
                "The term ends before it starts",
            ),
        ));
    }
    match new.kind {
        SpokespersonKind::Authorised => check_authorisation(db, &new).await?,
        SpokespersonKind::Head | SpokespersonKind::Appointed => {
            if new.grantor.is_some() || new.subject.is_some() {
                return Err(AppError::bad_input(
                    "grantorId",
                    Msg::new(
                        "Chỉ người được ủy quyền mới có người ủy quyền và nội dung ủy quyền",
                        "Only an authorised person has a grantor and a subject",
                    ),
                ));
            }
            close_previous_term(db, &new).await?;
        }
    }
    // The publication window in force for the agency's province today.
    let now = Utc::now();
    let window = legal::window(
        db,
        LegalKey::SpokespersonPublicationHours,
        &agency.path,
        now,
    )
    .await?;
    let id = SpokespersonId::new();
    insert_row(db, id, new, now, None, now + window).await?;
    Spokesperson::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// An authorisation needs a subject, a finite term and a grantor who is the HEAD or APPOINTED
/// spokesperson of the same agency on the first day (so an authorised person cannot
/// re-delegate).
async fn check_authorisation<C: ConnectionTrait>(db: &C, new: &Appointment) -> AppResult<()> {
    if new.subject.as_deref().is_none_or(|s| s.trim().is_empty()) {
        return Err(AppError::bad_input(
            "subject",
            Msg::new(
                "Cần nêu nội dung được ủy quyền phát ngôn",
                "An authorisation needs its subject",
            ),
        ));
    }
    if new.term_to.is_none() {
        return Err(AppError::bad_input(
            "termTo",
            Msg::new(
                "Ủy quyền phát ngôn phải có thời hạn",
                "An authorisation needs a last day",
            ),
        ));
    }
    let grantor = match new.grantor {
        Some(id) => Spokesperson::find_by_id(id.0).one(db).await?,
        None => None,
    };
    let valid = grantor.is_some_and(|g| {
        g.agency_id == new.agency.0
            && matches!(g.kind, SpokespersonKind::Head | SpokespersonKind::Appointed)
            && serving_on(&g, new.term_from)
    });
    if !valid {
        return Err(AppError::bad_input(
            "grantorId",
            Msg::new(
                "Người ủy quyền phải là người đứng đầu hoặc người phát ngôn của cùng cơ quan, đang đương nhiệm vào ngày bắt đầu; người được ủy quyền không được ủy quyền lại",
                "The grantor must be the head or the appointed spokesperson of the same agency, serving on the first day; an authorised person cannot authorise anyone",
            ),
        ));
    }
    Ok(())
}

/// Ends the current term of the same kind on the day before the new one starts; refuses a new
/// term that would overlap any other term of that kind.
async fn close_previous_term<C: ConnectionTrait>(db: &C, new: &Appointment) -> AppResult<()> {
    let same_kind = Spokesperson::find()
        .filter(Column::AgencyId.eq(new.agency.0))
        .filter(Column::Kind.eq(new.kind))
        .all(db)
        .await?;
    let new_end = new.term_to.unwrap_or(NaiveDate::MAX);
    for term in same_kind {
        let end = term.term_to.unwrap_or(NaiveDate::MAX);
        let overlaps = term.term_from <= new_end && new.term_from <= end;
        if !overlaps {
            continue;
        }
        let open_and_earlier = term.term_to.is_none() && term.term_from < new.term_from;
        if !open_and_earlier {
            return Err(overlap());
        }
        let day_before = new.term_from.pred_opt().unwrap_or(new.term_from);
        let changes = ActiveModel {
            term_to: Set(Some(day_before)),
            ..Default::default()
        };
        if !VERSIONED.update(db, term.id, term.version, changes).await? {
            return Err(stale());
        }
    }
    Ok(())
}

fn stale() -> AppError {
    AppError::conflict(
        "expectedVersion",
        Msg::new(
            "Người phát ngôn vừa được người khác thay đổi; hãy tải lại rồi thử lại",
            "The spokesperson was changed by someone else; reload and try again",
        ),
    )
}

/// Loads a spokesperson the actor may manage.
async fn managed<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: SpokespersonId,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let model = get(db, actor, id).await?;
    let agency = agency_service::get(db, AgencyId(model.agency_id)).await?;
    policy::require_at(actor, Operation::SpokespersonManage, Some(&agency.path))?;
    if expected_version.is_some_and(|v| v != model.version) {
        return Err(stale());
    }
    Ok(model)
}

async fn save<C: ConnectionTrait>(db: &C, model: &Model, changes: ActiveModel) -> AppResult<Model> {
    if !VERSIONED
        .update(db, model.id, model.version, changes)
        .await?
    {
        return Err(stale());
    }
    Spokesperson::find_by_id(model.id)
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Contact corrections: position, phone, e-mail (`Some(None)` clears).
#[derive(Default)]
pub struct ContactPatch {
    /// New position.
    pub title: Option<String>,
    /// New phone.
    pub phone: Option<Option<String>>,
    /// New e-mail.
    pub email: Option<Option<String>>,
}

/// Corrects a spokesperson's contacts.
pub async fn update_contact<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: SpokespersonId,
    patch: ContactPatch,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let model = managed(db, actor, id, expected_version).await?;
    let mut changes = ActiveModel::default();
    if let Some(title) = patch.title {
        changes.title = Set(title);
    }
    if let Some(phone) = patch.phone {
        changes.phone = Set(phone);
    }
    if let Some(email) = patch.email {
        changes.email = Set(email);
    }
    save(db, &model, changes).await
}

/// Ends a term on `last_day` (not before it started; an ended term ends only earlier).
pub async fn end_term<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: SpokespersonId,
    last_day: NaiveDate,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let model = managed(db, actor, id, expected_version).await?;
    if last_day < model.term_from || model.term_to.is_some_and(|to| last_day > to) {
        return Err(AppError::bad_input(
            "termTo",
            Msg::new(
                "Ngày kết thúc phải từ ngày bắt đầu đến ngày kết thúc hiện tại",
                "The last day must lie between the first day and the current last day",
            ),
        ));
    }
    let changes = ActiveModel {
        term_to: Set(Some(last_day)),
        ..Default::default()
    };
    save(db, &model, changes).await
}

/// Records that the spokesperson's contacts were published to the press (once).
pub async fn publish<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: SpokespersonId,
) -> AppResult<Model> {
    let model = managed(db, actor, id, None).await?;
    if model.published_at.is_some() {
        return Ok(model);
    }
    let changes = ActiveModel {
        published_at: Set(Some(Utc::now())),
        ..Default::default()
    };
    save(db, &model, changes).await
}

/// Inserts a published demo spokesperson with a fixed id unless present.
pub async fn insert_demo<C: ConnectionTrait>(
    db: &C,
    id: SpokespersonId,
    new: Appointment,
) -> AppResult<bool> {
    if Spokesperson::find_by_id(id.0).one(db).await?.is_some() {
        return Ok(false);
    }
    let now = Utc::now();
    let due = now + legal::default_window(LegalKey::SpokespersonPublicationHours);
    insert_row(db, id, new, now, Some(now), due).await?;
    Ok(true)
}

async fn insert_row<C: ConnectionTrait>(
    db: &C,
    id: SpokespersonId,
    new: Appointment,
    now: DateTime<Utc>,
    published_at: Option<DateTime<Utc>>,
    publication_due_at: DateTime<Utc>,
) -> AppResult<()> {
    Spokesperson::insert(ActiveModel {
        id: Set(id.0),
        agency_id: Set(new.agency.0),
        search_name: Set(text::fold(&new.full_name)),
        full_name: Set(new.full_name),
        title: Set(new.title),
        kind: Set(new.kind),
        phone: Set(new.phone),
        email: Set(new.email),
        appointing_doc_number: Set(new.document.as_ref().map(|d| d.number.as_str().to_owned())),
        appointing_doc_date: Set(new.document.map(|d| d.date)),
        term_from: Set(new.term_from),
        term_to: Set(new.term_to),
        grantor_id: Set(new.grantor.map(|g| g.0)),
        subject: Set(new.subject),
        published_at: Set(published_at),
        publication_due_at: Set(publication_due_at),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Ways to reach spokespersons in batches (see `graphql::loaders`).
pub mod relations {
    use super::*;
    use crate::graphql::loaders::{Relation, signed_in};

    /// Spokespersons by id, among those the caller may see.
    pub struct ById;

    impl Relation for ById {
        type Entity = Spokesperson;
        fn key() -> Column {
            Column::Id
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<Spokesperson>> {
            visible(signed_in(actor)?)
        }
    }
}
