//! Planning sessions, inviting agencies, registering participants, recording attendance.
//!
//! Capacity and quotas count active registrations (withdrawn ones free their place). A
//! registration can be withdrawn until the session starts; attendance is recorded after it
//! starts, for registered people only. Press agencies register reporters; government agencies
//! register leaders, spokespersons and officers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::{
    agency::{self, AgencyKind},
    ids::{AgencyId, ParticipantId, TrainingId},
    training_invitation as invitation,
    training_participant::{self as participant, ParticipantCategory},
    training_session::{ActiveModel, Column, Entity as Session, Model, TrainingMode},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    Order, PaginatorTrait, QueryFilter, QueryOrder, Select, sea_query::Query,
};
use uuid::Uuid;

use crate::{
    agency::service as agency_service,
    auth::actor::{Actor, ActorRole},
    db,
    error::{AppError, AppResult, Msg},
    graphql::pagination::{Page, PageRequest, SortKey, TotalCount, changed_since},
    policy::{self, Operation},
};

const VERSIONED: db::Versioned<Session> = db::Versioned {
    id: Column::Id,
    version: Column::Version,
    updated_at: Column::UpdatedAt,
};

fn not_found() -> AppError {
    AppError::NotFound(Msg::new(
        "Không tìm thấy lớp tập huấn",
        "Training session not found",
    ))
}

/// Sessions `actor` may see: organized in scope, or with an invited agency in scope (the press:
/// its own invitations).
fn visible(actor: &Actor) -> AppResult<Select<Session>> {
    let visibility = policy::visibility(actor, Operation::TrainingRead)?;
    let select = Session::find();
    let Some(area) = agency_service::ids_visible(&visibility) else {
        return Ok(select);
    };
    let invited = Query::select()
        .column(invitation::Column::SessionId)
        .from(invitation::Entity)
        .and_where(invitation::Column::AgencyId.in_subquery(area.clone()))
        .to_owned();
    let mut any = Condition::any().add(Column::Id.in_subquery(invited));
    if actor.role != ActorRole::Press {
        any = any.add(Column::OrganizerId.in_subquery(area));
    }
    Ok(select.filter(any))
}

/// One session, if visible.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: TrainingId) -> AppResult<Model> {
    visible(actor)?
        .filter(Column::Id.eq(id.0))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Filters of the session list.
#[derive(Clone, Debug, Default)]
pub struct SessionFilter {
    /// Organized by this agency or below it.
    pub organizer_within: Option<AgencyId>,
    /// Starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub to: Option<DateTime<Utc>>,
    /// Only those changed at or after, in the order of the change (for clients that poll).
    pub updated_since: Option<DateTime<Utc>>,
}

/// One page of sessions, latest first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &SessionFilter,
    page: &PageRequest,
) -> AppResult<(Page<Model>, TotalCount)> {
    let mut select = changed_since(visible(actor)?, filter.updated_since);
    if let Some(root) = filter.organizer_within {
        let root = agency_service::get(db, root).await?;
        select =
            select.filter(Column::OrganizerId.in_subquery(agency_service::ids_under(&root.path)));
    }
    if let Some(from) = filter.from {
        select = select.filter(Column::StartsAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(Column::StartsAt.lt(to));
    }
    let total = TotalCount::of(db, select.clone());
    let rows = page
        .fetch_polled(
            db,
            select,
            filter.updated_since,
            (Column::StartsAt, Order::Desc),
            |m| (SortKey::Time(m.starts_at), m.id),
        )
        .await?;
    Ok((rows, total))
}

/// Invitations of a session.
/// Active (not withdrawn) participants of a session, by agency then name.
pub async fn participants<C: ConnectionTrait>(
    db: &C,
    session: TrainingId,
) -> AppResult<Vec<participant::Model>> {
    Ok(active_participants()
        .filter(participant::Column::SessionId.eq(session.0))
        .all(db)
        .await?)
}

/// Participants not withdrawn, by agency then name.
fn active_participants() -> Select<participant::Entity> {
    participant::Entity::find()
        .filter(participant::Column::WithdrawnAt.is_null())
        .order_by_asc(participant::Column::AgencyId)
        .order_by_asc(participant::Column::FullName)
}

/// A new session.
pub struct NewSession {
    /// Organizer.
    pub organizer: AgencyId,
    /// Title.
    pub title: String,
    /// Topics.
    pub topics: Option<String>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Place.
    pub place: Option<String>,
    /// Online link.
    pub online_url: Option<String>,
    /// Mode.
    pub mode: TrainingMode,
    /// Capacity.
    pub capacity: i32,
    /// Audience.
    pub audience: Vec<ParticipantCategory>,
    /// Co-organizing agencies.
    pub co_organizers: Vec<AgencyId>,
    /// Materials by reference: (name, url).
    pub materials: Vec<(String, String)>,
}

fn category_name(category: ParticipantCategory) -> &'static str {
    match category {
        ParticipantCategory::Leader => "LEADER",
        ParticipantCategory::Spokesperson => "SPOKESPERSON",
        ParticipantCategory::Officer => "OFFICER",
        ParticipantCategory::Reporter => "REPORTER",
    }
}

/// The stored audience read back.
pub fn audience(model: &Model) -> Vec<ParticipantCategory> {
    use sea_orm::Iterable;
    ParticipantCategory::iter()
        .filter(|c| model.audience.split(',').any(|n| n == category_name(*c)))
        .collect()
}

/// Plans a session.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    new: NewSession,
) -> AppResult<Model> {
    let organizer = agency_service::get(db, new.organizer).await.map_err(|_| {
        AppError::bad_input(
            "organizerId",
            Msg::new("Không có cơ quan này", "No such agency"),
        )
    })?;
    policy::require_at(actor, Operation::TrainingManage, Some(&organizer.path))?;
    if new.ends_at <= new.starts_at {
        return Err(AppError::bad_input(
            "endsAt",
            Msg::new(
                "Kết thúc phải sau khi bắt đầu",
                "The end must follow the start",
            ),
        ));
    }
    if new.place.is_none() && new.online_url.is_none() {
        return Err(AppError::bad_input(
            "place",
            Msg::new(
                "Cần địa điểm hoặc đường liên kết trực tuyến",
                "A place or an online link is needed",
            ),
        ));
    }
    if !(1..=10_000).contains(&new.capacity) {
        return Err(AppError::bad_input(
            "capacity",
            Msg::new("Số chỗ từ 1 đến 10.000", "Capacity: 1 to 10,000"),
        ));
    }
    if new.audience.is_empty() {
        return Err(AppError::bad_input(
            "audience",
            Msg::new(
                "Cần ít nhất một đối tượng",
                "At least one audience category is needed",
            ),
        ));
    }
    for co in &new.co_organizers {
        let agency = agency::Entity::find_by_id(co.0).one(db).await?;
        if co.0 == organizer.id || agency.is_none_or(|a| a.valid_to.is_some()) {
            return Err(AppError::bad_input(
                "coOrganizerIds",
                Msg::new(
                    "Đơn vị phối hợp phải là cơ quan khác đang hoạt động",
                    "Co-organizers must be other current agencies",
                ),
            ));
        }
    }
    let id = TrainingId::new();
    insert_row(db, id, &new).await?;
    get(db, actor, id).await
}

async fn insert_row<C: ConnectionTrait>(db: &C, id: TrainingId, new: &NewSession) -> AppResult<()> {
    let now = Utc::now();
    Session::insert(ActiveModel {
        id: Set(id.0),
        organizer_id: Set(new.organizer.0),
        title: Set(new.title.clone()),
        topics: Set(new.topics.clone()),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        place: Set(new.place.clone()),
        online_url: Set(new.online_url.clone()),
        mode: Set(new.mode),
        capacity: Set(new.capacity),
        audience: Set(new
            .audience
            .iter()
            .map(|c| category_name(*c))
            .collect::<Vec<_>>()
            .join(",")),
        co_organizers: Set(new
            .co_organizers
            .iter()
            .map(|a| a.0.to_string())
            .collect::<Vec<_>>()
            .join(",")),
        materials: Set(serde_json::to_string(
            &new.materials
                .iter()
                .map(|(name, url)| serde_json::json!({ "name": name, "url": url }))
                .collect::<Vec<_>>(),
        )
        .map_err(AppError::internal)?),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

async fn organized<C: ConnectionTrait>(db: &C, actor: &Actor, id: TrainingId) -> AppResult<Model> {
    let session = get(db, actor, id).await?;
    let organizer = agency_service::get(db, AgencyId(session.organizer_id)).await?;
    policy::require_at(actor, Operation::TrainingManage, Some(&organizer.path))?;
    Ok(session)
}

/// Invites agencies (or changes their quota): government agencies of the organizer's scope, and
/// press agencies.
pub async fn invite<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: TrainingId,
    invited: &[(AgencyId, Option<i32>)],
) -> AppResult<Model> {
    let session = organized(db, actor, id).await?;
    if invited.is_empty() {
        return Err(AppError::bad_input(
            "invitations",
            Msg::new("Cần ít nhất một cơ quan", "At least one agency is needed"),
        ));
    }
    for (agency_id, quota) in invited {
        let agency = agency::Entity::find_by_id(agency_id.0).one(db).await?;
        let fits = agency.is_some_and(|a| {
            a.valid_to.is_none()
                && (a.kind == AgencyKind::PressAgency || actor.scope.contains(&a.path))
        });
        if !fits {
            return Err(AppError::bad_input(
                "invitations.agencyId",
                Msg::new(
                    "Chỉ mời cơ quan đang hoạt động trong phạm vi, hoặc cơ quan báo chí",
                    "Only current agencies in scope, or press agencies, can be invited",
                ),
            ));
        }
        if quota.is_some_and(|q| q < 1) {
            return Err(AppError::bad_input(
                "invitations.quota",
                Msg::new("Định mức tối thiểu là 1", "A quota is at least 1"),
            ));
        }
        invitation::Entity::insert(invitation::ActiveModel {
            session_id: Set(session.id),
            agency_id: Set(agency_id.0),
            quota: Set(*quota),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                invitation::Column::SessionId,
                invitation::Column::AgencyId,
            ])
            .update_column(invitation::Column::Quota)
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    if !VERSIONED
        .update(db, session.id, session.version, ActiveModel::default())
        .await?
    {
        return Err(AppError::conflict(
            "expectedVersion",
            Msg::new(
                "Lớp tập huấn vừa được thay đổi",
                "The session was changed concurrently",
            ),
        ));
    }
    get(db, actor, id).await
}

/// A person to register.
pub struct Registration {
    /// Full name.
    pub full_name: String,
    /// Position.
    pub title: Option<String>,
    /// Category.
    pub category: ParticipantCategory,
}

fn full() -> AppError {
    AppError::Conflict {
        field: Some("participants".into()),
        msg: Msg::new(
            "Vượt quá số chỗ của lớp hoặc định mức của cơ quan",
            "Over the session's capacity or the agency's quota",
        ),
    }
}

/// Registers people of an invited agency (the agency itself, or an agency above it).
pub async fn register<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: TrainingId,
    agency_id: AgencyId,
    people: Vec<Registration>,
) -> AppResult<Vec<participant::Model>> {
    let session = get(db, actor, id).await?;
    let agency = agency_service::get(db, agency_id).await.map_err(|_| {
        AppError::bad_input(
            "agencyId",
            Msg::new("Không có cơ quan này", "No such agency"),
        )
    })?;
    policy::require_at(actor, Operation::TrainingRegister, Some(&agency.path))?;
    let Some(invited) = invitation::Entity::find_by_id((session.id, agency.id))
        .one(db)
        .await?
    else {
        return Err(AppError::bad_input(
            "agencyId",
            Msg::new("Cơ quan này không được mời", "This agency is not invited"),
        ));
    };
    if session.starts_at <= Utc::now() {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new("Lớp tập huấn đã bắt đầu", "The session has started"),
        });
    }
    if people.is_empty() {
        return Err(AppError::bad_input(
            "participants",
            Msg::new("Cần ít nhất một người", "At least one person is needed"),
        ));
    }
    let press = agency.kind == AgencyKind::PressAgency;
    if people
        .iter()
        .any(|p| (p.category == ParticipantCategory::Reporter) != press)
    {
        return Err(AppError::bad_input(
            "participants.category",
            Msg::new(
                "Cơ quan báo chí cử phóng viên (REPORTER); cơ quan hành chính cử lãnh đạo, người phát ngôn, cán bộ",
                "Press agencies send reporters (REPORTER); government agencies send leaders, spokespersons and officers",
            ),
        ));
    }
    let active = |filter: participant::Column, value: Uuid| {
        participant::Entity::find()
            .filter(participant::Column::SessionId.eq(session.id))
            .filter(participant::Column::WithdrawnAt.is_null())
            .filter(filter.eq(value))
    };
    let taken = active(participant::Column::SessionId, session.id)
        .count(db)
        .await? as i64;
    let taken_by_agency = active(participant::Column::AgencyId, agency.id)
        .count(db)
        .await? as i64;
    let adding = people.len() as i64;
    if taken + adding > i64::from(session.capacity)
        || invited
            .quota
            .is_some_and(|q| taken_by_agency + adding > i64::from(q))
    {
        return Err(full());
    }
    let now = Utc::now();
    let mut ids = Vec::new();
    for person in people {
        let id = ParticipantId::new();
        participant::Entity::insert(participant::ActiveModel {
            id: Set(id.0),
            session_id: Set(session.id),
            agency_id: Set(agency.id),
            full_name: Set(person.full_name),
            title: Set(person.title),
            category: Set(person.category),
            registered_by: Set(Some(actor.id())),
            registered_at: Set(now),
            withdrawn_at: Set(None),
            attended: Set(None),
        })
        .exec_without_returning(db)
        .await?;
        ids.push(id.0);
    }
    // Bump the session so that concurrent registrations racing for the last places conflict.
    if !VERSIONED
        .update(db, session.id, session.version, ActiveModel::default())
        .await?
    {
        return Err(full());
    }
    Ok(participant::Entity::find()
        .filter(participant::Column::Id.is_in(ids))
        .all(db)
        .await?)
}

/// Withdraws a registration before the session starts.
pub async fn withdraw<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ParticipantId,
) -> AppResult<participant::Model> {
    let person = participant::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let session = get(db, actor, TrainingId(person.session_id)).await?;
    let agency = agency_service::get(db, AgencyId(person.agency_id)).await?;
    policy::require_at(actor, Operation::TrainingRegister, Some(&agency.path))?;
    if session.starts_at <= Utc::now() {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new("Lớp tập huấn đã bắt đầu", "The session has started"),
        });
    }
    participant::Entity::update(participant::ActiveModel {
        id: Set(person.id),
        withdrawn_at: Set(Some(Utc::now())),
        ..Default::default()
    })
    .exec(db)
    .await?;
    participant::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Records after the start who came; every id must be a registered (not withdrawn) participant
/// of this session.
pub async fn record_attendance<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: TrainingId,
    marks: &[(ParticipantId, bool)],
) -> AppResult<Model> {
    let session = organized(db, actor, id).await?;
    if session.starts_at > Utc::now() {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new("Lớp tập huấn chưa bắt đầu", "The session has not started"),
        });
    }
    let registered: BTreeMap<Uuid, participant::Model> = participants(db, id)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    for (person, attended) in marks {
        if !registered.contains_key(&person.0) {
            return Err(AppError::bad_input(
                "attendance.participantId",
                Msg::new(
                    "Người này không đăng ký lớp tập huấn",
                    "This person is not registered for the session",
                ),
            ));
        }
        participant::Entity::update(participant::ActiveModel {
            id: Set(person.0),
            attended: Set(Some(*attended)),
            ..Default::default()
        })
        .exec(db)
        .await?;
    }
    if !VERSIONED
        .update(db, session.id, session.version, ActiveModel::default())
        .await?
    {
        return Err(AppError::conflict(
            "expectedVersion",
            Msg::new(
                "Lớp tập huấn vừa được thay đổi",
                "The session was changed concurrently",
            ),
        ));
    }
    get(db, actor, id).await
}

/// Sessions an agency attended (at least one of its people came) in a period, for "attended all
/// courses organised by the level above".
pub async fn attended_by(
    db: &DatabaseConnection,
    actor: &Actor,
    agency: AgencyId,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> AppResult<Vec<Model>> {
    let attended = Query::select()
        .column(participant::Column::SessionId)
        .from(participant::Entity)
        .and_where(participant::Column::AgencyId.eq(agency.0))
        .and_where(participant::Column::Attended.eq(true))
        .to_owned();
    let mut select = visible(actor)?.filter(Column::Id.in_subquery(attended));
    if let Some(from) = from {
        select = select.filter(Column::StartsAt.gte(from));
    }
    if let Some(to) = to {
        select = select.filter(Column::StartsAt.lt(to));
    }
    Ok(select.order_by_asc(Column::StartsAt).all(db).await?)
}

/// (sessions organized under `area` in the period, people who attended them), for prefill.
pub async fn held_in<C: ConnectionTrait>(
    db: &C,
    area: &agency::Model,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<(u64, u64)> {
    let sessions = Session::find()
        .filter(Column::OrganizerId.in_subquery(agency_service::ids_under(&area.path)))
        .filter(Column::StartsAt.gte(from))
        .filter(Column::StartsAt.lt(to))
        .filter(Column::StartsAt.lte(Utc::now()))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = sessions.iter().map(|s| s.id).collect();
    let people = participant::Entity::find()
        .filter(crate::db::key_in(
            db.get_database_backend(),
            participant::Column::SessionId,
            ids,
        ))
        .filter(participant::Column::Attended.eq(true))
        .count(db)
        .await?;
    Ok((sessions.len() as u64, people))
}

/// Inserts a demo session with invitations and participants unless present.
pub async fn insert_demo<C: ConnectionTrait>(
    db: &C,
    id: TrainingId,
    new: NewSession,
    invited: &[(AgencyId, Option<i32>)],
    people: &[(AgencyId, Registration, Option<bool>)],
) -> AppResult<bool> {
    if Session::find_by_id(id.0).count(db).await? > 0 {
        return Ok(false);
    }
    insert_row(db, id, &new).await?;
    for (agency, quota) in invited {
        invitation::Entity::insert(invitation::ActiveModel {
            session_id: Set(id.0),
            agency_id: Set(agency.0),
            quota: Set(*quota),
        })
        .exec_without_returning(db)
        .await?;
    }
    for (agency, person, attended) in people {
        participant::Entity::insert(participant::ActiveModel {
            id: Set(Uuid::now_v7()),
            session_id: Set(id.0),
            agency_id: Set(agency.0),
            full_name: Set(person.full_name.clone()),
            title: Set(person.title.clone()),
            category: Set(person.category),
            registered_by: Set(None),
            registered_at: Set(new.starts_at - chrono::Duration::days(7)),
            withdrawn_at: Set(None),
            attended: Set(*attended),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(true)
}

/// Ways to reach the parts of sessions in batches (see `graphql::loaders`).
pub mod relations {
    use super::*;
    use crate::graphql::loaders::{Relation, signed_in};

    /// Sessions by id, among those the caller may see.
    pub struct ById;

    impl Relation for ById {
        type Entity = Session;
        fn key() -> Column {
            Column::Id
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<Session>> {
            visible(signed_in(actor)?)
        }
    }

    /// The invitations of a session.
    pub struct Invitations;

    impl Relation for Invitations {
        type Entity = invitation::Entity;
        fn key() -> invitation::Column {
            invitation::Column::SessionId
        }
    }

    /// Active (not withdrawn) participants of a session, by agency then name.
    pub struct Participants;

    impl Relation for Participants {
        type Entity = participant::Entity;
        fn key() -> participant::Column {
            participant::Column::SessionId
        }
        fn select(_: Option<&Actor>) -> AppResult<Select<participant::Entity>> {
            Ok(active_participants())
        }
    }
}
