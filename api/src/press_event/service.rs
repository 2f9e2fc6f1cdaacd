//! Events, invitations, replies and attendance.
//!
//! Lifecycle: `PLANNED → ANNOUNCED → HELD`, or `CANCELLED` from either of the first two. The
//! press sees an event once it is announced, if invited or if the event is public, and sees only
//! its own invitation. A presiding spokesperson must be serving for the organizer on the day of
//! the event (Vietnam time).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agency::{self, AgencyKind},
    ids::{AgencyId, PressEventId, SpokespersonId},
    press_event::{
        ActiveModel, Column, Entity as PressEvent, Model, PressEventKind, PressEventStatus,
    },
    press_event_co_organizer as co_organizer, press_event_invitation as invitation, spokesperson,
};
use invitation::InvitationReply;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    Order, QueryFilter, QuerySelect, Select, sea_query::Query,
};

use crate::{
    agency::service as agency_service,
    auth::actor::{Actor, ActorRole},
    db,
    error::{AppError, AppResult, Msg},
    graphql::pagination::{Page, PageRequest, SortKey, TotalCount, changed_since},
    policy::{self, Operation, Visibility},
    spokesperson::service as spokespersons,
    time::VIETNAM,
};

const VERSIONED: db::Versioned<PressEvent> = db::Versioned {
    id: Column::Id,
    version: Column::Version,
    updated_at: Column::UpdatedAt,
};

/// Most reporters one press agency may announce for one event.
pub const MAX_REPORTERS: i32 = 20;

fn not_found() -> AppError {
    AppError::NotFound(Msg::new("Không tìm thấy sự kiện", "Event not found"))
}

fn stale() -> AppError {
    AppError::conflict(
        "expectedVersion",
        Msg::new(
            "Sự kiện vừa được người khác thay đổi; hãy tải lại rồi thử lại",
            "The event was changed by someone else; reload and try again",
        ),
    )
}

/// The day of an instant in Vietnam.
fn vietnam_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&VIETNAM).date_naive()
}

/// Events `actor` may see.
fn visible(actor: &Actor) -> AppResult<Select<PressEvent>> {
    let select = PressEvent::find();
    if actor.role == ActorRole::Press {
        policy::require(actor, Operation::PressEventRead)?;
        let agency = actor.agency_id().map_or(uuid::Uuid::nil(), |a| a.0);
        let invited = Query::select()
            .column(invitation::Column::EventId)
            .from(invitation::Entity)
            .and_where(invitation::Column::PressAgencyId.eq(agency))
            .to_owned();
        return Ok(select
            .filter(Column::Status.ne(PressEventStatus::Planned))
            .filter(
                Condition::any()
                    .add(Column::IsPublic.eq(true))
                    .add(Column::Id.in_subquery(invited)),
            ));
    }
    // Service clients see what the press would once announced: never a planned event.
    let select = if actor.role == ActorRole::Integration {
        select.filter(Column::Status.ne(PressEventStatus::Planned))
    } else {
        select
    };
    Ok(
        match policy::visibility(actor, Operation::PressEventRead)? {
            Visibility::All => select,
            Visibility::Subtree(path) => {
                let co_organized = Query::select()
                    .column(co_organizer::Column::EventId)
                    .from(co_organizer::Entity)
                    .and_where(
                        co_organizer::Column::AgencyId
                            .in_subquery(agency_service::ids_under(&path)),
                    )
                    .to_owned();
                select.filter(
                    Condition::any()
                        .add(Column::OrganizerId.in_subquery(agency_service::ids_under(&path)))
                        .add(Column::Id.in_subquery(co_organized)),
                )
            }
            Visibility::Agency(id) => select.filter(Column::OrganizerId.eq(id)),
        },
    )
}

/// One event, if visible.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: PressEventId) -> AppResult<Model> {
    visible(actor)?
        .filter(Column::Id.eq(id.0))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Filters of the event list.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    /// Events organized by this agency or below it.
    pub organizer_within: Option<AgencyId>,
    /// Starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub to: Option<DateTime<Utc>>,
    /// Only these kinds.
    pub kinds: Vec<PressEventKind>,
    /// Only these statuses.
    pub statuses: Vec<PressEventStatus>,
    /// Only those changed at or after, in the order of the change (for clients that poll).
    pub updated_since: Option<DateTime<Utc>>,
}

async fn filtered(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &EventFilter,
) -> AppResult<Select<PressEvent>> {
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
    if !filter.kinds.is_empty() {
        select = select.filter(Column::Kind.is_in(filter.kinds.iter().copied()));
    }
    if !filter.statuses.is_empty() {
        select = select.filter(Column::Status.is_in(filter.statuses.iter().copied()));
    }
    Ok(select)
}

/// One page of events, latest first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &EventFilter,
    page: &PageRequest,
) -> AppResult<(Page<Model>, TotalCount)> {
    let select = filtered(db, actor, filter).await?;
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

/// How many visible events match `filter`, per kind (every kind listed, zeros included): the
/// numbers reports need ("6 briefings, 10 liaison meetings, 1 press conference").
pub async fn counts_by_kind(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &EventFilter,
) -> AppResult<Vec<(PressEventKind, u64)>> {
    let rows: Vec<(PressEventKind, i64)> = filtered(db, actor, filter)
        .await?
        .select_only()
        .column(Column::Kind)
        .column_as(Column::Id.count(), "n")
        .group_by(Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let counted: HashMap<PressEventKind, i64> = rows.into_iter().collect();
    use sea_orm::Iterable;
    Ok(PressEventKind::iter()
        .map(|kind| (kind, counted.get(&kind).copied().unwrap_or(0).max(0) as u64))
        .collect())
}

/// The invitations of an event `actor` may see: all of them for the organizers, its own for a
/// press agency (never the others' replies).
pub async fn invitations<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    event: PressEventId,
) -> AppResult<Vec<invitation::Model>> {
    Ok(visible_invitations(actor)
        .filter(invitation::Column::EventId.eq(event.0))
        .all(db)
        .await?)
}

/// Invitations `actor` may see: all for government roles, its own for a press agency.
fn visible_invitations(actor: &Actor) -> Select<invitation::Entity> {
    let select = invitation::Entity::find();
    if actor.role == ActorRole::Press {
        let agency = actor.agency_id().map_or(uuid::Uuid::nil(), |a| a.0);
        select.filter(invitation::Column::PressAgencyId.eq(agency))
    } else {
        select
    }
}

/// A new event.
pub struct NewEvent {
    /// Organizer.
    pub organizer: AgencyId,
    /// Co-organizers.
    pub co_organizers: Vec<AgencyId>,
    /// Kind.
    pub kind: PressEventKind,
    /// Title.
    pub title: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: Option<DateTime<Utc>>,
    /// Place.
    pub place: Option<String>,
    /// Online link.
    pub online_url: Option<String>,
    /// Presiding spokesperson.
    pub presiding: Option<SpokespersonId>,
    /// Open to every press agency.
    pub is_public: bool,
    /// Topics.
    pub topics: Option<String>,
    /// Agenda.
    pub agenda: Option<String>,
}

fn check_times(starts_at: DateTime<Utc>, ends_at: Option<DateTime<Utc>>) -> AppResult<()> {
    if ends_at.is_some_and(|end| end <= starts_at) {
        return Err(AppError::bad_input(
            "endsAt",
            Msg::new(
                "Thời gian kết thúc phải sau thời gian bắt đầu",
                "The end must follow the start",
            ),
        ));
    }
    Ok(())
}

/// The presiding spokesperson must serve for the organizer on the day of the event.
async fn check_presiding<C: ConnectionTrait>(
    db: &C,
    organizer: uuid::Uuid,
    presiding: Option<uuid::Uuid>,
    starts_at: DateTime<Utc>,
) -> AppResult<()> {
    let Some(presiding) = presiding else {
        return Ok(());
    };
    let person = spokesperson::Entity::find_by_id(presiding).one(db).await?;
    let serving = person.is_some_and(|p| {
        p.agency_id == organizer && spokespersons::serving_on(&p, vietnam_day(starts_at))
    });
    if serving {
        return Ok(());
    }
    Err(AppError::bad_input(
        "presidingSpokespersonId",
        Msg::new(
            "Người chủ trì phải là người phát ngôn của cơ quan tổ chức, đương nhiệm vào ngày diễn ra sự kiện",
            "The presiding person must be a spokesperson of the organizer serving on the day of the event",
        ),
    ))
}

/// Creates an event (`PLANNED`).
#[tracing::instrument(skip_all, fields(agency.id = %new.organizer))]
pub async fn create<C: ConnectionTrait>(db: &C, actor: &Actor, new: NewEvent) -> AppResult<Model> {
    let organizer = agency::Entity::find_by_id(new.organizer.0)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "organizerId",
                Msg::new("Không có cơ quan này", "No such agency"),
            )
        })?;
    policy::require_at(actor, Operation::PressEventManage, Some(&organizer.path))?;
    if organizer.kind == AgencyKind::PressAgency || organizer.valid_to.is_some() {
        return Err(AppError::bad_input(
            "organizerId",
            Msg::new(
                "Cơ quan tổ chức phải là cơ quan hành chính đang hoạt động",
                "The organizer must be a current government agency",
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
    check_times(new.starts_at, new.ends_at)?;
    check_presiding(db, organizer.id, new.presiding.map(|p| p.0), new.starts_at).await?;
    let mut co_ids = new.co_organizers.clone();
    co_ids.sort();
    co_ids.dedup();
    for co in &co_ids {
        let agency = agency::Entity::find_by_id(co.0).one(db).await?;
        if co.0 == organizer.id || agency.is_none_or(|a| a.kind == AgencyKind::PressAgency) {
            return Err(AppError::bad_input(
                "coOrganizerIds",
                Msg::new(
                    "Đơn vị phối hợp phải là cơ quan hành chính khác cơ quan tổ chức",
                    "Co-organizers must be government agencies other than the organizer",
                ),
            ));
        }
    }
    let id = PressEventId::new();
    insert_row(db, id, new, co_ids, PressEventStatus::Planned).await?;
    get(db, actor, id).await
}

/// Loads an event the actor organizes (in scope) at the expected version.
async fn managed<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: PressEventId,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let event = get(db, actor, id).await?;
    let organizer = agency_service::get(db, AgencyId(event.organizer_id)).await?;
    policy::require_at(actor, Operation::PressEventManage, Some(&organizer.path))?;
    if expected_version.is_some_and(|v| v != event.version) {
        return Err(stale());
    }
    Ok(event)
}

async fn save<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    event: &Model,
    changes: ActiveModel,
) -> AppResult<Model> {
    if !VERSIONED
        .update(db, event.id, event.version, changes)
        .await?
    {
        return Err(stale());
    }
    get(db, actor, PressEventId(event.id)).await
}

fn wrong_status(event: &Model, action_vi: &str, action_en: &str) -> AppError {
    let status = format!("{:?}", event.status).to_uppercase();
    AppError::Conflict {
        field: None,
        msg: Msg::new(
            format!("Không thể {action_vi}: sự kiện đang ở trạng thái {status}"),
            format!("Cannot {action_en}: the event is {status}"),
        ),
    }
}

/// What changes an event's status.
#[derive(Clone, Debug)]
pub enum Transition {
    /// `PLANNED → ANNOUNCED`.
    Announce,
    /// `PLANNED | ANNOUNCED → CANCELLED`, with the reason.
    Cancel(String),
    /// `PLANNED | ANNOUNCED → HELD`, once it has started.
    MarkHeld,
}

/// Moves an event through its lifecycle.
pub async fn transition<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: PressEventId,
    transition: Transition,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let event = managed(db, actor, id, expected_version).await?;
    use PressEventStatus::*;
    let mut changes = ActiveModel::default();
    match (&transition, event.status) {
        (Transition::Announce, Planned) => changes.status = Set(Announced),
        (Transition::Announce, _) => return Err(wrong_status(&event, "công bố", "announce")),
        (Transition::Cancel(reason), Planned | Announced) => {
            changes.status = Set(Cancelled);
            changes.cancellation_reason = Set(Some(reason.clone()));
        }
        (Transition::Cancel(_), _) => return Err(wrong_status(&event, "hủy", "cancel")),
        (Transition::MarkHeld, Planned | Announced) if event.starts_at <= Utc::now() => {
            changes.status = Set(Held)
        }
        (Transition::MarkHeld, Planned | Announced) => {
            return Err(AppError::Conflict {
                field: None,
                msg: Msg::new("Sự kiện chưa diễn ra", "The event has not started yet"),
            });
        }
        (Transition::MarkHeld, _) => {
            return Err(wrong_status(&event, "ghi nhận đã tổ chức", "mark as held"));
        }
    }
    save(db, actor, &event, changes).await
}

/// Moves an event to another time (`PLANNED` or `ANNOUNCED` only).
pub async fn reschedule<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: PressEventId,
    starts_at: DateTime<Utc>,
    ends_at: Option<DateTime<Utc>>,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let event = managed(db, actor, id, expected_version).await?;
    if !matches!(
        event.status,
        PressEventStatus::Planned | PressEventStatus::Announced
    ) {
        return Err(wrong_status(&event, "dời lịch", "reschedule"));
    }
    check_times(starts_at, ends_at)?;
    check_presiding(
        db,
        event.organizer_id,
        event.presiding_spokesperson_id,
        starts_at,
    )
    .await?;
    let changes = ActiveModel {
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        ..Default::default()
    };
    save(db, actor, &event, changes).await
}

/// Invites press agencies (already invited ones are left as they are).
pub async fn invite<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: PressEventId,
    press_agencies: &[AgencyId],
) -> AppResult<Model> {
    let event = managed(db, actor, id, None).await?;
    if !matches!(
        event.status,
        PressEventStatus::Planned | PressEventStatus::Announced
    ) {
        return Err(wrong_status(&event, "mời", "invite to it"));
    }
    if press_agencies.is_empty() {
        return Err(AppError::bad_input(
            "pressAgencyIds",
            Msg::new(
                "Cần ít nhất một cơ quan báo chí",
                "At least one press agency is needed",
            ),
        ));
    }
    let existing: Vec<uuid::Uuid> = invitations(db, actor, id)
        .await?
        .into_iter()
        .map(|i| i.press_agency_id)
        .collect();
    let now = Utc::now();
    for agency_id in press_agencies {
        let agency = agency::Entity::find_by_id(agency_id.0).one(db).await?;
        if agency.is_none_or(|a| a.kind != AgencyKind::PressAgency || a.valid_to.is_some()) {
            return Err(AppError::bad_input(
                "pressAgencyIds",
                Msg::new(
                    "Chỉ mời được cơ quan báo chí đang hoạt động",
                    "Only current press agencies can be invited",
                ),
            ));
        }
        if existing.contains(&agency_id.0) {
            continue;
        }
        invitation::Entity::insert(invitation::ActiveModel {
            event_id: Set(event.id),
            press_agency_id: Set(agency_id.0),
            reply: Set(InvitationReply::Pending),
            reporters: Set(None),
            replied_at: Set(None),
            attended: Set(None),
            attendees: Set(None),
            invited_at: Set(now),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                invitation::Column::EventId,
                invitation::Column::PressAgencyId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    save(db, actor, &event, ActiveModel::default()).await
}

/// A press agency answers its invitation: accept with a number of reporters, or decline. Only
/// for announced events that have not started.
pub async fn reply<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: PressEventId,
    accept: bool,
    reporters: Option<i32>,
) -> AppResult<Model> {
    policy::require(actor, Operation::PressEventReply)?;
    let event = get(db, actor, id).await?;
    let agency = actor.agency_id().map_or(uuid::Uuid::nil(), |a| a.0);
    let invited = invitation::Entity::find_by_id((event.id, agency))
        .one(db)
        .await?;
    let Some(invited) = invited else {
        return Err(AppError::Forbidden(Msg::new(
            "Cơ quan của bạn không được mời tới sự kiện này",
            "Your agency is not invited to this event",
        )));
    };
    if event.status != PressEventStatus::Announced || event.starts_at <= Utc::now() {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Chỉ trả lời được lời mời của sự kiện đã công bố và chưa diễn ra",
                "Only invitations to announced events that have not started can be answered",
            ),
        });
    }
    let reporters = match (accept, reporters) {
        (true, Some(n)) if (1..=MAX_REPORTERS).contains(&n) => Some(n),
        (true, _) => {
            return Err(AppError::bad_input(
                "reporters",
                Msg::new(
                    format!("Số phóng viên tham dự từ 1 đến {MAX_REPORTERS}"),
                    format!("Reporters attending: 1 to {MAX_REPORTERS}"),
                ),
            ));
        }
        (false, _) => None,
    };
    invitation::Entity::update(invitation::ActiveModel {
        event_id: Set(invited.event_id),
        press_agency_id: Set(invited.press_agency_id),
        reply: Set(if accept {
            InvitationReply::Accepted
        } else {
            InvitationReply::Declined
        }),
        reporters: Set(reporters),
        replied_at: Set(Some(Utc::now())),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(event)
}

/// Records after the event whether an invited press agency came, and with how many reporters.
pub async fn record_attendance<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: PressEventId,
    press_agency: AgencyId,
    attendees: i32,
) -> AppResult<Model> {
    let event = managed(db, actor, id, None).await?;
    if event.status != PressEventStatus::Held {
        return Err(wrong_status(
            &event,
            "ghi nhận tham dự",
            "record attendance",
        ));
    }
    if !(0..=100).contains(&attendees) {
        return Err(AppError::bad_input(
            "attendees",
            Msg::new("Số người tham dự từ 0 đến 100", "Attendees: 0 to 100"),
        ));
    }
    let invited = invitation::Entity::find_by_id((event.id, press_agency.0))
        .one(db)
        .await?;
    if invited.is_none() {
        return Err(AppError::bad_input(
            "pressAgencyId",
            Msg::new(
                "Cơ quan báo chí này không được mời",
                "This press agency was not invited",
            ),
        ));
    }
    invitation::Entity::update(invitation::ActiveModel {
        event_id: Set(event.id),
        press_agency_id: Set(press_agency.0),
        attended: Set(Some(attendees > 0)),
        attendees: Set(Some(attendees)),
        ..Default::default()
    })
    .exec(db)
    .await?;
    save(db, actor, &event, ActiveModel::default()).await
}

async fn insert_row<C: ConnectionTrait>(
    db: &C,
    id: PressEventId,
    new: NewEvent,
    co_organizers: Vec<AgencyId>,
    status: PressEventStatus,
) -> AppResult<()> {
    let now = Utc::now();
    PressEvent::insert(ActiveModel {
        id: Set(id.0),
        organizer_id: Set(new.organizer.0),
        kind: Set(new.kind),
        title: Set(new.title),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        place: Set(new.place),
        online_url: Set(new.online_url),
        presiding_spokesperson_id: Set(new.presiding.map(|p| p.0)),
        status: Set(status),
        is_public: Set(new.is_public),
        topics: Set(new.topics),
        agenda: Set(new.agenda),
        cancellation_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    for co in co_organizers {
        co_organizer::Entity::insert(co_organizer::ActiveModel {
            event_id: Set(id.0),
            agency_id: Set(co.0),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Inserts a demo event with a fixed id, status and invitations unless present.
pub async fn insert_demo<C: ConnectionTrait>(
    db: &C,
    id: PressEventId,
    new: NewEvent,
    status: PressEventStatus,
    invited: &[AgencyId],
) -> AppResult<bool> {
    if PressEvent::find_by_id(id.0).one(db).await?.is_some() {
        return Ok(false);
    }
    let co = new.co_organizers.clone();
    insert_row(db, id, new, co, status).await?;
    for agency in invited {
        invitation::Entity::insert(invitation::ActiveModel {
            event_id: Set(id.0),
            press_agency_id: Set(agency.0),
            reply: Set(InvitationReply::Pending),
            reporters: Set(None),
            replied_at: Set(None),
            attended: Set(None),
            attendees: Set(None),
            invited_at: Set(Utc::now()),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(true)
}

/// Ways to reach events and their parts in batches (see `graphql::loaders`).
pub mod relations {
    use super::*;
    use crate::graphql::loaders::{Relation, signed_in};

    /// Events by id, among those the caller may see.
    pub struct ById;

    impl Relation for ById {
        type Entity = PressEvent;
        fn key() -> Column {
            Column::Id
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<PressEvent>> {
            visible(signed_in(actor)?)
        }
    }

    /// The co-organizers of an event.
    pub struct CoOrganizers;

    impl Relation for CoOrganizers {
        type Entity = co_organizer::Entity;
        fn key() -> co_organizer::Column {
            co_organizer::Column::EventId
        }
    }

    /// The invitations of an event the caller may see: all of them for the organizers, its own
    /// for a press agency (never the others' replies).
    pub struct Invitations;

    impl Relation for Invitations {
        type Entity = invitation::Entity;
        fn key() -> invitation::Column {
            invitation::Column::EventId
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<invitation::Entity>> {
            Ok(visible_invitations(signed_in(actor)?))
        }
    }
}
