//! Recording, assigning, answering and closing incidents; counts for reports.
//!
//! An incident is visible to the agencies whose scope holds the agency that recorded it, the
//! agency it is about, or the agency handling it: it reaches the department of the province at
//! once. The first statement is due the statement window after receipt (the
//! `INCIDENT_STATEMENT_HOURS` legal setting in force for the affected agency's province that
//! day, 24 hours by default) unless the department sets another deadline; a statement is on time
//! when made by then.

use chrono::{DateTime, Duration, Utc};
use entity::{
    agency::{self, AgencyKind},
    ids::{AgencyId, IncidentId, ReleaseId},
    incident::{ActiveModel, Column, Entity as Incident, IncidentCategory, IncidentStatus, Model},
    information_release,
    legal_setting::LegalKey,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    Order, PaginatorTrait, QueryFilter, Select,
};

use crate::{
    agency::service as agency_service,
    auth::actor::Actor,
    db,
    error::{AppError, AppResult, Msg},
    graphql::pagination::{Page, PageRequest, SortKey, TotalCount, changed_since},
    legal::service as legal,
    policy::{self, Operation},
};

const VERSIONED: db::Versioned<Incident> = db::Versioned {
    id: Column::Id,
    version: Column::Version,
    updated_at: Column::UpdatedAt,
};

fn not_found() -> AppError {
    AppError::NotFound(Msg::new("Không tìm thấy vụ việc", "Incident not found"))
}

/// Whether the first statement was (or is being) late.
pub fn on_time(model: &Model) -> Option<bool> {
    model
        .first_statement_at
        .map(|at| at <= model.statement_due_at)
}

/// Whether an open incident has no statement past its deadline.
pub fn overdue(model: &Model) -> bool {
    model.status == IncidentStatus::Open
        && model.first_statement_at.is_none()
        && model.statement_due_at < Utc::now()
}

fn visible(actor: &Actor) -> AppResult<Select<Incident>> {
    let select = Incident::find();
    let visibility = policy::visibility(actor, Operation::IncidentRead)?;
    let Some(area) = agency_service::ids_visible(&visibility) else {
        return Ok(select);
    };
    Ok(select.filter(
        Condition::any()
            .add(Column::ReportingAgencyId.in_subquery(area.clone()))
            .add(Column::AffectedAgencyId.in_subquery(area.clone()))
            .add(Column::HandlingAgencyId.in_subquery(area)),
    ))
}

/// One incident, if visible.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: IncidentId) -> AppResult<Model> {
    visible(actor)?
        .filter(Column::Id.eq(id.0))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Filters of the incident list and counts.
#[derive(Clone, Debug, Default)]
pub struct IncidentFilter {
    /// Only these statuses.
    pub statuses: Vec<IncidentStatus>,
    /// Only open incidents without a statement past their deadline.
    pub overdue: bool,
    /// About an agency in this subtree.
    pub affected_within: Option<AgencyId>,
    /// Received at or after.
    pub from: Option<DateTime<Utc>>,
    /// Received before.
    pub to: Option<DateTime<Utc>>,
    /// Only those changed at or after, in the order of the change (for clients that poll).
    pub updated_since: Option<DateTime<Utc>>,
}

async fn filtered(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &IncidentFilter,
) -> AppResult<Select<Incident>> {
    let mut select = changed_since(visible(actor)?, filter.updated_since);
    if !filter.statuses.is_empty() {
        select = select.filter(Column::Status.is_in(filter.statuses.iter().copied()));
    }
    if filter.overdue {
        select = select
            .filter(Column::Status.eq(IncidentStatus::Open))
            .filter(Column::FirstStatementAt.is_null())
            .filter(Column::StatementDueAt.lt(Utc::now()));
    }
    if let Some(root) = filter.affected_within {
        let root = agency_service::get(db, root).await?;
        select = select
            .filter(Column::AffectedAgencyId.in_subquery(agency_service::ids_under(&root.path)));
    }
    if let Some(from) = filter.from {
        select = select.filter(Column::ReceivedAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(Column::ReceivedAt.lt(to));
    }
    Ok(select)
}

/// One page of incidents, by statement deadline (soonest first).
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &IncidentFilter,
    page: &PageRequest,
) -> AppResult<(Page<Model>, TotalCount)> {
    let select = filtered(db, actor, filter).await?;
    let total = TotalCount::of(db, select.clone());
    let rows = page
        .fetch_polled(
            db,
            select,
            filter.updated_since,
            (Column::StatementDueAt, Order::Asc),
            |m| (SortKey::Time(m.statement_due_at), m.id),
        )
        .await?;
    Ok((rows, total))
}

/// The counts of the annual press-statement report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Incidents.
    pub incidents: u64,
    /// With a first statement.
    pub with_statement: u64,
    /// With a statement on time.
    pub on_time: u64,
    /// With a correction requested.
    pub correction_requested: u64,
    /// False-information incidents.
    pub false_information: u64,
}

/// Counts over the visible incidents matching `filter`.
pub async fn counts(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &IncidentFilter,
) -> AppResult<Counts> {
    let rows = filtered(db, actor, filter).await?.all(db).await?;
    Ok(count_rows(&rows))
}

/// Counts over rows.
pub fn count_rows(rows: &[Model]) -> Counts {
    Counts {
        incidents: rows.len() as u64,
        with_statement: rows
            .iter()
            .filter(|r| r.first_statement_at.is_some())
            .count() as u64,
        on_time: rows.iter().filter(|r| on_time(r) == Some(true)).count() as u64,
        correction_requested: rows.iter().filter(|r| r.correction_requested).count() as u64,
        false_information: rows
            .iter()
            .filter(|r| r.category == IncidentCategory::FalseInformation)
            .count() as u64,
    }
}

/// A new incident.
pub struct NewIncident {
    /// The agency it is about.
    pub affected: AgencyId,
    /// Outlet.
    pub source_outlet: String,
    /// Link.
    pub link: Option<String>,
    /// Category.
    pub category: IncidentCategory,
    /// Summary.
    pub summary: String,
    /// When it appeared.
    pub appeared_at: DateTime<Utc>,
    /// When received (now by default).
    pub received_at: Option<DateTime<Utc>>,
}

/// Records an incident in the name of the caller's agency.
pub async fn report<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    new: NewIncident,
) -> AppResult<Model> {
    policy::require(actor, Operation::IncidentReport)?;
    let reporter = actor.agency_id().ok_or_else(|| {
        AppError::Forbidden(Msg::new(
            "Cần tài khoản của một cơ quan",
            "An agency's account is needed",
        ))
    })?;
    let affected = agency::Entity::find_by_id(new.affected.0)
        .one(db)
        .await?
        .filter(|a| a.kind != AgencyKind::PressAgency);
    let Some(affected) = affected else {
        return Err(AppError::bad_input(
            "affectedAgencyId",
            Msg::new(
                "Cần một cơ quan hành chính",
                "A government agency is needed",
            ),
        ));
    };
    let now = Utc::now();
    let received_at = new.received_at.unwrap_or(now);
    if received_at < new.appeared_at || received_at > now + Duration::minutes(5) {
        return Err(AppError::bad_input(
            "receivedAt",
            Msg::new(
                "Thời điểm tiếp nhận phải sau khi thông tin xuất hiện và không ở tương lai",
                "Receipt must follow the appearance and not be in the future",
            ),
        ));
    }
    // The statement window in force where the incident is, when it was received.
    let window = legal::window(
        db,
        LegalKey::IncidentStatementHours,
        &affected.path,
        received_at,
    )
    .await?;
    let id = IncidentId::new();
    Incident::insert(ActiveModel {
        id: Set(id.0),
        reporting_agency_id: Set(reporter.0),
        affected_agency_id: Set(new.affected.0),
        handling_agency_id: Set(None),
        source_outlet: Set(new.source_outlet),
        link: Set(new.link),
        category: Set(new.category),
        summary: Set(new.summary),
        appeared_at: Set(new.appeared_at),
        received_at: Set(received_at),
        statement_due_at: Set(received_at + window),
        first_statement_at: Set(None),
        correction_release_id: Set(None),
        correction_requested: Set(false),
        status: Set(IncidentStatus::Open),
        outcome: Set(None),
        closed_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    get(db, actor, id).await
}

async fn save<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    model: &Model,
    changes: ActiveModel,
) -> AppResult<Model> {
    if !VERSIONED
        .update(db, model.id, model.version, changes)
        .await?
    {
        return Err(AppError::conflict(
            "expectedVersion",
            Msg::new(
                "Vụ việc vừa được người khác thay đổi",
                "The incident was changed by someone else",
            ),
        ));
    }
    get(db, actor, IncidentId(model.id)).await
}

fn closed() -> AppError {
    AppError::Conflict {
        field: None,
        msg: Msg::new("Vụ việc đã kết thúc", "The incident is closed"),
    }
}

/// The department assigns the handling agency (inside its province) and may set another
/// statement deadline.
pub async fn assign<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: IncidentId,
    handler: AgencyId,
    due: Option<DateTime<Utc>>,
) -> AppResult<Model> {
    let incident = get(db, actor, id).await?;
    let agency = agency::Entity::find_by_id(handler.0)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "handlingAgencyId",
                Msg::new("Không có cơ quan này", "No such agency"),
            )
        })?;
    policy::require_at(actor, Operation::IncidentManage, Some(&agency.path))?;
    if incident.status != IncidentStatus::Open {
        return Err(closed());
    }
    if agency.kind == AgencyKind::PressAgency || agency.valid_to.is_some() {
        return Err(AppError::bad_input(
            "handlingAgencyId",
            Msg::new(
                "Cần một cơ quan hành chính đang hoạt động",
                "A current government agency is needed",
            ),
        ));
    }
    if due.is_some_and(|d| d <= incident.received_at) {
        return Err(AppError::bad_input(
            "statementDueAt",
            Msg::new(
                "Hạn phát ngôn phải sau khi tiếp nhận",
                "The deadline must follow the receipt",
            ),
        ));
    }
    let changes = ActiveModel {
        handling_agency_id: Set(Some(agency.id)),
        statement_due_at: Set(due.unwrap_or(incident.statement_due_at)),
        ..Default::default()
    };
    save(db, actor, &incident, changes).await
}

/// The handling agency (or an agency above it) records its first statement and, optionally, the
/// correction release and whether a correction was requested from the outlet.
pub async fn record_statement<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: IncidentId,
    at: DateTime<Utc>,
    release: Option<ReleaseId>,
    correction_requested: bool,
) -> AppResult<Model> {
    let incident = get(db, actor, id).await?;
    let handler = incident
        .handling_agency_id
        .ok_or_else(|| AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Vụ việc chưa được giao cơ quan xử lý",
                "The incident has no handling agency yet",
            ),
        })?;
    let handler = agency_service::get(db, AgencyId(handler)).await?;
    policy::require_at(actor, Operation::IncidentHandle, Some(&handler.path))?;
    if incident.status != IncidentStatus::Open {
        return Err(closed());
    }
    if at < incident.received_at || at > Utc::now() + Duration::minutes(5) {
        return Err(AppError::bad_input(
            "statementAt",
            Msg::new(
                "Thời điểm phát ngôn phải sau khi tiếp nhận và không ở tương lai",
                "The statement must follow the receipt and not be in the future",
            ),
        ));
    }
    if let Some(release) = release {
        let found = information_release::Entity::find_by_id(release.0)
            .one(db)
            .await?;
        if found.is_none_or(|r| r.published_at.is_none()) {
            return Err(AppError::bad_input(
                "correctionReleaseId",
                Msg::new(
                    "Cần một văn bản đã công bố",
                    "A published release is needed",
                ),
            ));
        }
    }
    let changes = ActiveModel {
        first_statement_at: Set(Some(incident.first_statement_at.unwrap_or(at).min(at))),
        correction_release_id: Set(release.map(|r| r.0).or(incident.correction_release_id)),
        correction_requested: Set(incident.correction_requested || correction_requested),
        ..Default::default()
    };
    save(db, actor, &incident, changes).await
}

/// The department closes an incident with its outcome.
pub async fn close<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: IncidentId,
    outcome: String,
) -> AppResult<Model> {
    let incident = get(db, actor, id).await?;
    let affected = agency_service::get(db, AgencyId(incident.affected_agency_id)).await?;
    policy::require_at(actor, Operation::IncidentManage, Some(&affected.path))?;
    if incident.status != IncidentStatus::Open {
        return Err(closed());
    }
    let changes = ActiveModel {
        status: Set(IncidentStatus::Closed),
        outcome: Set(Some(outcome)),
        closed_at: Set(Some(Utc::now())),
        ..Default::default()
    };
    save(db, actor, &incident, changes).await
}

/// Counts of incidents about agencies under `area` received in a period (for prefill).
pub async fn counts_in<C: ConnectionTrait>(
    db: &C,
    area: &agency::Model,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Counts> {
    let rows = Incident::find()
        .filter(Column::AffectedAgencyId.in_subquery(agency_service::ids_under(&area.path)))
        .filter(Column::ReceivedAt.gte(from))
        .filter(Column::ReceivedAt.lt(to))
        .all(db)
        .await?;
    Ok(count_rows(&rows))
}

/// Inserts a demo incident unless present (no checks).
pub async fn insert_demo<C: ConnectionTrait>(
    db: &C,
    id: IncidentId,
    model: Model,
) -> AppResult<bool> {
    if Incident::find_by_id(id.0).count(db).await? > 0 {
        return Ok(false);
    }
    let mut row: ActiveModel = model.into();
    row.id = Set(id.0);
    Incident::insert(row).exec_without_returning(db).await?;
    Ok(true)
}

/// Ways to reach incidents in batches (see `graphql::loaders`).
pub mod relations {
    use super::*;
    use crate::graphql::loaders::{Relation, signed_in};

    /// Incidents by id, among those the caller may see.
    pub struct ById;

    impl Relation for ById {
        type Entity = Incident;
        fn key() -> Column {
            Column::Id
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<Incident>> {
            visible(signed_in(actor)?)
        }
    }
}
