//! Plans, tasks and progress.
//!
//! A plan may implement a plan of an agency above its own (same tree, any number of levels: a
//! commune plan implements its district's, or its province's in a two-tier province). Task lead
//! and coordinating agencies must lie in the issuer's scope; they see the plan and its tasks
//! wherever it sits. Progress notes are dated and kept.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agency,
    ids::{AgencyId, PlanId, TaskId},
    plan::{ActiveModel, Column, Entity as Plan, Model},
    plan_task::{self as task, TaskStatus},
    plan_task_progress as progress,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    Order, QueryFilter, QueryOrder, Select, sea_query::Query,
};
use uuid::Uuid;

use crate::{
    agency::service as agency_service,
    auth::actor::Actor,
    db,
    document::{DocumentRef, Numbered},
    error::{AppError, AppResult, Msg},
    graphql::pagination::{Page, PageRequest, SortKey, TotalCount, changed_since},
    policy::{self, Operation},
    text, time,
};

const TASKS: db::Versioned<task::Entity> = db::Versioned {
    id: task::Column::Id,
    version: task::Column::Version,
    updated_at: task::Column::UpdatedAt,
};

fn not_found() -> AppError {
    AppError::NotFound(Msg::new("Không tìm thấy kế hoạch", "Plan not found"))
}

/// Levels of "implements" followed up from the plans of a scope.
const IMPLEMENTS_DEPTH: usize = 4;

/// Plans `actor` may see: issued in scope, with a task led or coordinated in scope, or
/// implemented (directly or up the chain) by a plan issued in scope.
fn visible(actor: &Actor) -> AppResult<Select<Plan>> {
    let visibility = policy::visibility(actor, Operation::PlanRead)?;
    let select = Plan::find();
    let Some(area) = agency_service::ids_visible(&visibility) else {
        return Ok(select);
    };
    let led = Query::select()
        .column(task::Column::PlanId)
        .from(task::Entity)
        .and_where(task::Column::LeadAgencyId.in_subquery(area.clone()))
        .to_owned();
    let mut any = Condition::any()
        .add(Column::AgencyId.in_subquery(area.clone()))
        .add(Column::Id.in_subquery(led));
    // Up the chain: the plans that plans issued in scope implement, and the plans those
    // implement, to the depth of any agency tree (province, district, commune and a level
    // more), read-only: changing one still needs its own agency in scope.
    let mut implemented = Query::select()
        .column(Column::ImplementsId)
        .from(Plan)
        .and_where(Column::AgencyId.in_subquery(area))
        .and_where(Column::ImplementsId.is_not_null())
        .to_owned();
    for level in 0..IMPLEMENTS_DEPTH {
        any = any.add(Column::Id.in_subquery(implemented.clone()));
        if level + 1 < IMPLEMENTS_DEPTH {
            implemented = Query::select()
                .column(Column::ImplementsId)
                .from(Plan)
                .and_where(Column::Id.in_subquery(implemented))
                .and_where(Column::ImplementsId.is_not_null())
                .to_owned();
        }
    }
    if let Some(agency) = actor.agency_id() {
        // Coordinators are stored as a list; the caller's own agency is matched in it.
        let coordinated = Query::select()
            .column(task::Column::PlanId)
            .from(task::Entity)
            .and_where(text::column_contains(
                task::Column::Coordinators,
                &agency.0.to_string(),
            ))
            .to_owned();
        any = any.add(Column::Id.in_subquery(coordinated));
    }
    Ok(select.filter(any))
}

/// One plan, if visible.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: PlanId) -> AppResult<Model> {
    visible(actor)?
        .filter(Column::Id.eq(id.0))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Filters of the plan list.
#[derive(Clone, Debug, Default)]
pub struct PlanFilter {
    /// Plans of this agency or below it.
    pub agency_within: Option<AgencyId>,
    /// Plans of this year.
    pub year: Option<i32>,
    /// Only those changed at or after, in the order of the change (for clients that poll).
    pub updated_since: Option<DateTime<Utc>>,
}

/// Plans, latest first (or in the order of their changes, with `updated_since`).
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &PlanFilter,
    page: &PageRequest,
) -> AppResult<(Page<Model>, TotalCount)> {
    let mut select = changed_since(visible(actor)?, filter.updated_since);
    if let Some(root) = filter.agency_within {
        let root = agency_service::get(db, root).await?;
        select = select.filter(Column::AgencyId.in_subquery(agency_service::ids_under(&root.path)));
    }
    if let Some(year) = filter.year {
        select = select.filter(Column::Year.eq(year));
    }
    let total = TotalCount::of(db, select.clone());
    let rows = page
        .fetch_polled(
            db,
            select,
            filter.updated_since,
            (Column::CreatedAt, Order::Desc),
            |m| (SortKey::Time(m.created_at), m.id),
        )
        .await?;
    Ok((rows, total))
}

/// Whether a task is past its due date without being done or cancelled.
pub fn overdue(row: &task::Model) -> bool {
    matches!(row.status, TaskStatus::NotStarted | TaskStatus::InProgress)
        && row.due_date.is_some_and(|d| d < time::today())
}

/// Tasks of visible plans led (or coordinated) by an agency, by status.
pub async fn tasks_for(
    db: &DatabaseConnection,
    actor: &Actor,
    assignee: Option<AgencyId>,
    statuses: &[TaskStatus],
    only_overdue: bool,
    updated_since: Option<DateTime<Utc>>,
) -> AppResult<Vec<task::Model>> {
    let plans = visible(actor)?.all(db).await?;
    let ids: Vec<Uuid> = plans.iter().map(|p| p.id).collect();
    let mut select = task::Entity::find().filter(crate::db::key_in(
        db.get_database_backend(),
        task::Column::PlanId,
        ids,
    ));
    if let Some(assignee) = assignee {
        select = select.filter(
            Condition::any()
                .add(task::Column::LeadAgencyId.eq(assignee.0))
                .add(text::column_contains(
                    task::Column::Coordinators,
                    &assignee.0.to_string(),
                )),
        );
    }
    if !statuses.is_empty() {
        select = select.filter(task::Column::Status.is_in(statuses.iter().copied()));
    }
    let (order, select) = match updated_since {
        Some(_) => (
            task::Column::UpdatedAt,
            changed_since(select, updated_since),
        ),
        None => (task::Column::DueDate, select),
    };
    let mut rows = select
        .order_by_asc(order)
        .order_by_asc(task::Column::Id)
        .all(db)
        .await?;
    if only_overdue {
        rows.retain(overdue);
    }
    Ok(rows)
}

/// A new plan.
pub struct NewPlan {
    /// Issuing agency.
    pub agency: AgencyId,
    /// Year.
    pub year: i32,
    /// Document.
    pub document: Option<DocumentRef>,
    /// Title.
    pub title: String,
    /// Purpose and requirements.
    pub purpose: Option<String>,
    /// Budget note.
    pub budget_note: Option<String>,
    /// The plan it implements.
    pub implements: Option<PlanId>,
}

/// Issues a plan.
pub async fn create<C: ConnectionTrait>(db: &C, actor: &Actor, new: NewPlan) -> AppResult<Model> {
    let agency = agency_service::get(db, new.agency).await.map_err(|_| {
        AppError::bad_input(
            "agencyId",
            Msg::new("Không có cơ quan này", "No such agency"),
        )
    })?;
    policy::require_at(actor, Operation::PlanManage, Some(&agency.path))?;
    if !(2000..=2100).contains(&new.year) {
        return Err(AppError::bad_input(
            "year",
            Msg::new("Năm không hợp lệ", "Invalid year"),
        ));
    }
    if let Some(parent) = new.implements {
        let parent = Plan::find_by_id(parent.0).one(db).await?;
        let parent_agency = match &parent {
            Some(p) => agency::Entity::find_by_id(p.agency_id).one(db).await?,
            None => None,
        };
        // The implemented plan belongs to an agency above this one in the same tree.
        let related =
            parent_agency.is_some_and(|a| a.id != agency.id && agency.path.starts_with(&a.path));
        if !related {
            return Err(AppError::bad_input(
                "implementsPlanId",
                Msg::new(
                    "Chỉ thực hiện kế hoạch của cơ quan cấp trên cùng tỉnh",
                    "A plan implements a plan of an agency above it in the same province",
                ),
            ));
        }
    }
    let id = PlanId::new();
    insert_row(db, id, &new).await?;
    get(db, actor, id).await
}

async fn insert_row<C: ConnectionTrait>(db: &C, id: PlanId, new: &NewPlan) -> AppResult<()> {
    let now = Utc::now();
    Plan::insert(ActiveModel {
        id: Set(id.0),
        agency_id: Set(new.agency.0),
        year: Set(new.year),
        doc_number: Set(new.document.as_ref().map(|d| d.number.as_str().to_owned())),
        doc_date: Set(new.document.as_ref().map(|d| d.date)),
        title: Set(new.title.clone()),
        purpose: Set(new.purpose.clone()),
        budget_note: Set(new.budget_note.clone()),
        implements_id: Set(new.implements.map(|p| p.0)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    crate::document::register(
        db,
        Numbered::Plan,
        id.0,
        new.agency.0,
        new.document.as_ref(),
        "document",
    )
    .await
}

/// A new task.
pub struct NewTask {
    /// What to do.
    pub content: String,
    /// Lead agency.
    pub lead: AgencyId,
    /// Coordinating agencies.
    pub coordinators: Vec<AgencyId>,
    /// Due date.
    pub due_date: Option<NaiveDate>,
}

/// Adds a task to a plan the actor manages; lead and coordinators must be in the actor's scope.
pub async fn add_task<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    plan: PlanId,
    new: NewTask,
) -> AppResult<task::Model> {
    let plan = get(db, actor, plan).await?;
    let issuer = agency_service::get(db, AgencyId(plan.agency_id)).await?;
    policy::require_at(actor, Operation::PlanManage, Some(&issuer.path))?;
    for (field, id) in std::iter::once(("leadAgencyId", new.lead))
        .chain(new.coordinators.iter().map(|c| ("coordinatorIds", *c)))
    {
        let agency = agency::Entity::find_by_id(id.0).one(db).await?;
        if agency.is_none_or(|a| !actor.scope.contains(&a.path) || a.valid_to.is_some()) {
            return Err(AppError::bad_input(
                field,
                Msg::new(
                    "Đơn vị chủ trì, phối hợp phải thuộc phạm vi của cơ quan ban hành",
                    "Lead and coordinating agencies must lie in the issuer's scope",
                ),
            ));
        }
    }
    let id = TaskId::new();
    insert_task(db, id, PlanId(plan.id), &new, TaskStatus::NotStarted).await?;
    task::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or_else(not_found)
}

async fn insert_task<C: ConnectionTrait>(
    db: &C,
    id: TaskId,
    plan: PlanId,
    new: &NewTask,
    status: TaskStatus,
) -> AppResult<()> {
    let now = Utc::now();
    task::Entity::insert(task::ActiveModel {
        id: Set(id.0),
        plan_id: Set(plan.0),
        content: Set(new.content.clone()),
        lead_agency_id: Set(new.lead.0),
        coordinators: Set(new
            .coordinators
            .iter()
            .map(|c| c.0.to_string())
            .collect::<Vec<_>>()
            .join(",")),
        due_date: Set(new.due_date),
        status: Set(status),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Tasks led by agencies under `area` that were marked done on a day of `period` (their last
/// note moving them to DONE), for the report prefill: what the plan achieved in the period.
pub async fn done_in<C: ConnectionTrait>(
    db: &C,
    area: &agency::Model,
    period: (NaiveDate, NaiveDate),
) -> AppResult<Vec<task::Model>> {
    let finished = Query::select()
        .column(progress::Column::TaskId)
        .from(progress::Entity)
        .and_where(progress::Column::Status.eq(TaskStatus::Done))
        .and_where(progress::Column::NotedOn.gte(period.0))
        .and_where(progress::Column::NotedOn.lte(period.1))
        .to_owned();
    Ok(task::Entity::find()
        .filter(task::Column::LeadAgencyId.in_subquery(agency_service::ids_under(&area.path)))
        .filter(task::Column::Status.eq(TaskStatus::Done))
        .filter(task::Column::Id.in_subquery(finished))
        .order_by_asc(task::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Records progress on a task led by an agency in the actor's scope (the lead itself, or an
/// agency above it); the note is kept and the status moves.
pub async fn record_progress<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: TaskId,
    noted_on: NaiveDate,
    note: String,
    status: TaskStatus,
) -> AppResult<task::Model> {
    let row = task::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    get(db, actor, PlanId(row.plan_id)).await?;
    let lead = agency_service::get(db, AgencyId(row.lead_agency_id)).await?;
    policy::require_at(actor, Operation::PlanProgress, Some(&lead.path))?;
    if matches!(row.status, TaskStatus::Done | TaskStatus::Cancelled) {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new("Nhiệm vụ đã kết thúc", "The task is finished"),
        });
    }
    if noted_on > time::today() {
        return Err(AppError::bad_input(
            "notedOn",
            Msg::new(
                "Ngày ghi nhận không được ở tương lai",
                "The date cannot be in the future",
            ),
        ));
    }
    progress::Entity::insert(progress::ActiveModel {
        id: Set(Uuid::now_v7()),
        task_id: Set(row.id),
        noted_on: Set(noted_on),
        note: Set(note),
        status: Set(status),
        recorded_by: Set(Some(actor.id())),
        recorded_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    let changes = task::ActiveModel {
        status: Set(status),
        ..Default::default()
    };
    if !TASKS.update(db, row.id, row.version, changes).await? {
        return Err(AppError::conflict(
            "expectedVersion",
            Msg::new(
                "Nhiệm vụ vừa được người khác cập nhật",
                "The task was updated concurrently",
            ),
        ));
    }
    task::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Inserts a demo plan with tasks unless present.
pub async fn insert_demo<C: ConnectionTrait>(
    db: &C,
    id: PlanId,
    new: NewPlan,
    tasks: Vec<(TaskId, NewTask, TaskStatus)>,
) -> AppResult<bool> {
    if Plan::find_by_id(id.0).one(db).await?.is_some() {
        return Ok(false);
    }
    insert_row(db, id, &new).await?;
    for (task_id, new_task, status) in tasks {
        insert_task(db, task_id, id, &new_task, status).await?;
    }
    Ok(true)
}

/// Ways to reach plans and their parts in batches (see `graphql::loaders`).
pub mod relations {
    use sea_orm::{QuerySelect, QueryTrait};

    use super::*;
    use crate::graphql::loaders::{Relation, signed_in};

    /// Plans by id, among those the caller may see.
    pub struct ById;

    impl Relation for ById {
        type Entity = Plan;
        fn key() -> Column {
            Column::Id
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<Plan>> {
            visible(signed_in(actor)?)
        }
    }

    /// The plans implementing one (one level down) that the caller may see, oldest first.
    pub struct Children;

    impl Relation for Children {
        type Entity = Plan;
        fn key() -> Column {
            Column::ImplementsId
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<Plan>> {
            visible(signed_in(actor)?)
        }
        fn order() -> Vec<(Column, Order)> {
            vec![(Column::CreatedAt, Order::Asc)]
        }
    }

    /// Tasks by id, among those of the plans the caller may see.
    pub struct TaskById;

    impl Relation for TaskById {
        type Entity = task::Entity;
        fn key() -> task::Column {
            task::Column::Id
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<task::Entity>> {
            let plans = visible(signed_in(actor)?)?
                .select_only()
                .column(Column::Id)
                .into_query();
            Ok(task::Entity::find().filter(task::Column::PlanId.in_subquery(plans)))
        }
    }

    /// The tasks of a plan, in creation order.
    pub struct Tasks;

    impl Relation for Tasks {
        type Entity = task::Entity;
        fn key() -> task::Column {
            task::Column::PlanId
        }
        fn order() -> Vec<(task::Column, Order)> {
            vec![
                (task::Column::CreatedAt, Order::Asc),
                (task::Column::Id, Order::Asc),
            ]
        }
    }

    /// The progress notes of a task, oldest first.
    pub struct Notes;

    impl Relation for Notes {
        type Entity = progress::Entity;
        fn key() -> progress::Column {
            progress::Column::TaskId
        }
        fn order() -> Vec<(progress::Column, Order)> {
            vec![(progress::Column::RecordedAt, Order::Asc)]
        }
    }
}
