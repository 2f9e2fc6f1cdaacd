//! GraphQL face of plans.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    ids::{AgencyId, PlanId, TaskId},
    plan::Model,
    plan_task::{self as task, TaskStatus as StoredStatus},
};
use serde::Serialize;

use super::service::{self, NewPlan, NewTask};
use crate::{
    agency::schema::Agency,
    document::{DocumentInput, DocumentReference},
    error::AppResult,
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
        pagination::{self, List, PageRequest},
        scalars::Date,
    },
    mirror_enum,
    policy::{self, Operation},
    text,
};

mirror_enum!(
    /// Where a task stands.
    TaskStatus => StoredStatus {
        /// Not started (chưa thực hiện).
        NotStarted,
        /// Under way (đang thực hiện).
        InProgress,
        /// Done (hoàn thành).
        Done,
        /// Cancelled (hủy).
        Cancelled,
    }
);

/// A dated progress note.
#[derive(SimpleObject)]
pub struct ProgressNote {
    /// The day it is about.
    noted_on: Date,
    /// The note.
    note: String,
    /// The task's status after it.
    status: TaskStatus,
    /// When recorded.
    recorded_at: DateTime<Utc>,
}

/// A task as the API shows it.
pub struct PlanTask(pub(crate) task::Model);

/// A task of a plan (nhiệm vụ), with its lead agency (đơn vị chủ trì) and coordinating agencies
/// (đơn vị phối hợp).
#[Object]
impl PlanTask {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What to do.
    async fn content(&self) -> &str {
        &self.0.content
    }

    /// Lead agency.
    async fn lead_agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.lead_agency_id).await
    }

    /// Coordinating agencies.
    async fn coordinating_agencies(&self, ctx: &Context<'_>) -> AppResult<Vec<Agency>> {
        let ids: Vec<uuid::Uuid> = self
            .0
            .coordinators
            .split(',')
            .filter_map(|s| uuid::Uuid::try_parse(s).ok())
            .collect();
        let found = ctx.loaders()?.agency.load_many(ids).await?;
        Ok(found.into_values().map(Agency::from).collect())
    }

    /// Due date.
    async fn due_date(&self) -> Option<Date> {
        self.0.due_date.map(Date)
    }

    /// Status.
    async fn status(&self) -> TaskStatus {
        self.0.status.into()
    }

    /// Whether it is past due and neither done nor cancelled.
    async fn overdue(&self) -> bool {
        service::overdue(&self.0)
    }

    /// Progress notes, oldest first.
    async fn progress(&self, ctx: &Context<'_>) -> AppResult<Vec<ProgressNote>> {
        let rows = ctx
            .loaders()?
            .many::<service::relations::Notes>(self.0.id)
            .await?;
        Ok(rows
            .into_iter()
            .map(|n| ProgressNote {
                noted_on: n.noted_on.into(),
                note: n.note,
                status: n.status.into(),
                recorded_at: n.recorded_at,
            })
            .collect())
    }
}

/// How far a plan has come.
#[derive(SimpleObject)]
pub struct Completion {
    /// Tasks.
    total: u64,
    /// Done.
    done: u64,
    /// Under way.
    in_progress: u64,
    /// Not started.
    not_started: u64,
    /// Cancelled.
    cancelled: u64,
    /// Past due, neither done nor cancelled.
    overdue: u64,
}

/// A plan as the API shows it.
pub struct PlanObject(Model);

impl From<Model> for PlanObject {
    fn from(model: Model) -> Self {
        Self(model)
    }
}

/// An annual TTĐN plan (kế hoạch) of an agency.
#[Object(name = "Plan")]
impl PlanObject {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Issuing agency.
    async fn agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.agency_id).await
    }

    /// Year.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// Document number and date (e.g. 219/KH-UBND).
    async fn document(&self) -> Option<DocumentReference> {
        DocumentReference::from_columns(self.0.doc_number.as_deref(), self.0.doc_date)
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Purpose and requirements (mục đích, yêu cầu).
    async fn purpose(&self) -> Option<&str> {
        self.0.purpose.as_deref()
    }

    /// Budget note (kinh phí).
    async fn budget_note(&self) -> Option<&str> {
        self.0.budget_note.as_deref()
    }

    /// The plan this one implements.
    async fn implements(&self, ctx: &Context<'_>) -> AppResult<Option<PlanObject>> {
        Ok(ctx
            .loaders()?
            .one::<service::relations::ById>(self.0.implements_id)
            .await?
            .map(Into::into))
    }

    /// Plans implementing this one (one level down) that the caller may see.
    async fn children(&self, ctx: &Context<'_>) -> AppResult<Vec<PlanObject>> {
        Ok(ctx
            .loaders()?
            .many::<service::relations::Children>(self.0.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Every plan below this one in the cascade (children, their children…), level by level.
    async fn cascade(&self, ctx: &Context<'_>) -> AppResult<Vec<PlanObject>> {
        let loaders = ctx.loaders()?;
        let mut found = Vec::new();
        let mut level = vec![self.0.id];
        // A plan implements one above it, so the walk ends; the bound guards bad data.
        for _ in 0..10 {
            let next = loaders
                .many_each::<service::relations::Children>(&level)
                .await?;
            if next.is_empty() {
                break;
            }
            level = next.iter().map(|p| p.id).collect();
            found.extend(next);
        }
        Ok(found.into_iter().map(Into::into).collect())
    }

    /// Tasks.
    async fn tasks(&self, ctx: &Context<'_>) -> AppResult<Vec<PlanTask>> {
        Ok(ctx
            .loaders()?
            .many::<service::relations::Tasks>(self.0.id)
            .await?
            .into_iter()
            .map(PlanTask)
            .collect())
    }

    /// Completion counts.
    async fn completion(&self, ctx: &Context<'_>) -> AppResult<Completion> {
        let tasks = ctx
            .loaders()?
            .many::<service::relations::Tasks>(self.0.id)
            .await?;
        let count =
            |status: StoredStatus| tasks.iter().filter(|t| t.status == status).count() as u64;
        Ok(Completion {
            total: tasks.len() as u64,
            done: count(StoredStatus::Done),
            in_progress: count(StoredStatus::InProgress),
            not_started: count(StoredStatus::NotStarted),
            cancelled: count(StoredStatus::Cancelled),
            overdue: tasks.iter().filter(|t| service::overdue(t)).count() as u64,
        })
    }

    /// Files kept with this plan: the signed scan and the final file, the current ones;
    /// with `history: true`, every upload (superseded ones included).
    async fn files(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false, desc = "Include superseded uploads.")] history: bool,
    ) -> AppResult<Vec<crate::file::schema::StoredFile>> {
        crate::file::schema::files_of(ctx, self.0.id, history).await
    }

    /// Version for optimistic concurrency.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Queries of plans.
#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    /// One plan.
    async fn plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Plan id.")] id: ID,
    ) -> AppResult<PlanObject> {
        let id = PlanId(parse_id("id", &id)?);
        Ok(service::get(ctx.db()?, ctx.actor()?, id).await?.into())
    }

    /// Plans issued in the caller's scope or assigning it tasks, latest first.
    #[graphql(complexity = "pagination::cost(first, child_complexity)")]
    async fn plans(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Plans of this agency or below it.")] agency_within: Option<ID>,
        #[graphql(desc = "Year.")] year: Option<i32>,
        #[graphql(
            desc = "Only plans changed at or after this time, oldest change first: for systems that poll."
        )]
        updated_since: Option<DateTime<Utc>>,
        #[graphql(desc = "Page size: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts (`endCursor` of the previous page).")]
        after: Option<String>,
    ) -> AppResult<List<PlanObject>> {
        let filter = service::PlanFilter {
            agency_within: agency_within
                .as_ref()
                .map(|id| parse_id("agencyWithin", id).map(AgencyId))
                .transpose()?,
            year,
            updated_since,
        };
        let page = PageRequest::parse(first, after.as_deref())?;
        let (rows, total) = service::list(ctx.db()?, ctx.actor()?, &filter, &page).await?;
        Ok(rows.into_connection(total))
    }

    /// Tasks of visible plans, by due date: of an assignee (lead or coordinating), by status,
    /// or overdue ones.
    async fn plan_tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Tasks led or coordinated by this agency.")] assignee_id: Option<ID>,
        #[graphql(desc = "Only these statuses.")] statuses: Option<Vec<TaskStatus>>,
        #[graphql(
            desc = "Only tasks past due, neither done nor cancelled.",
            default = false
        )]
        overdue: bool,
        #[graphql(
            desc = "Only tasks changed at or after this time, oldest change first (instead of by due date): for systems that poll."
        )]
        updated_since: Option<DateTime<Utc>>,
    ) -> AppResult<Vec<PlanTask>> {
        let actor = ctx.actor()?;
        policy::require(actor, Operation::PlanRead)?;
        let assignee = assignee_id
            .as_ref()
            .map(|id| parse_id("assigneeId", id).map(AgencyId))
            .transpose()?;
        let statuses: Vec<StoredStatus> = statuses
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let rows = service::tasks_for(
            ctx.db()?,
            actor,
            assignee,
            &statuses,
            overdue,
            updated_since,
        )
        .await?;
        Ok(rows.into_iter().map(PlanTask).collect())
    }
}

/// A new plan.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePlanInput {
    /// Issuing agency.
    agency_id: ID,
    /// Year.
    year: i32,
    /// Document number and date.
    document: Option<DocumentInput>,
    /// Title.
    title: String,
    /// Purpose and requirements.
    purpose: Option<String>,
    /// Budget note.
    budget_note: Option<String>,
    /// The plan of an agency above that this one implements.
    implements_plan_id: Option<ID>,
}

/// A new task.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddPlanTaskInput {
    /// The plan.
    plan_id: ID,
    /// What to do.
    content: String,
    /// Lead agency (in the issuer's scope).
    lead_agency_id: ID,
    /// Coordinating agencies (in the issuer's scope).
    coordinator_ids: Option<Vec<ID>>,
    /// Due date.
    due_date: Option<Date>,
}

/// A progress note.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordTaskProgressInput {
    /// The task.
    task_id: ID,
    /// The day it is about (today or earlier).
    noted_on: Date,
    /// The note.
    note: String,
    /// The task's status now.
    status: TaskStatus,
}

/// Result of a plan mutation.
#[derive(SimpleObject)]
pub struct PlanPayload {
    /// The plan.
    plan: PlanObject,
}

/// Result of a task mutation.
#[derive(SimpleObject)]
pub struct PlanTaskPayload {
    /// The task.
    task: PlanTask,
}

/// Plans.
#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Issues a plan.
    async fn create_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The plan.")] input: CreatePlanInput,
    ) -> AppResult<PlanPayload> {
        let described = Mutation::new("plan.create", Operation::PlanManage, "Plan").input(&input);
        mutation::run(
            ctx,
            described,
            |m: &Model| m.id,
            move |txn, actor| {
                Box::pin(async move {
                    let new = NewPlan {
                        agency: AgencyId(parse_id("agencyId", &input.agency_id)?),
                        year: input.year,
                        document: input
                            .document
                            .as_ref()
                            .map(|d| d.parse("document"))
                            .transpose()?,
                        title: text::required_line("title", &input.title, 500)?,
                        purpose: input.purpose.clone().filter(|p| !p.trim().is_empty()),
                        budget_note: input.budget_note.clone().filter(|p| !p.trim().is_empty()),
                        implements: input
                            .implements_plan_id
                            .as_ref()
                            .map(|id| parse_id("implementsPlanId", id).map(PlanId))
                            .transpose()?,
                    };
                    service::create(txn, actor, new).await
                })
            },
        )
        .await
        .map(|m| PlanPayload { plan: m.into() })
    }

    /// Adds a task to a plan.
    async fn add_plan_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task.")] input: AddPlanTaskInput,
    ) -> AppResult<PlanTaskPayload> {
        let described =
            Mutation::new("plan.addTask", Operation::PlanManage, "PlanTask").input(&input);
        mutation::run(
            ctx,
            described,
            |t: &task::Model| t.id,
            move |txn, actor| {
                Box::pin(async move {
                    let plan = PlanId(parse_id("planId", &input.plan_id)?);
                    let new = NewTask {
                        content: text::required_line("content", &input.content, 2000)?,
                        lead: AgencyId(parse_id("leadAgencyId", &input.lead_agency_id)?),
                        coordinators: input
                            .coordinator_ids
                            .iter()
                            .flatten()
                            .map(|id| parse_id("coordinatorIds", id).map(AgencyId))
                            .collect::<AppResult<_>>()?,
                        due_date: input.due_date.map(|d| d.0),
                    };
                    service::add_task(txn, actor, plan, new).await
                })
            },
        )
        .await
        .map(|t| PlanTaskPayload { task: PlanTask(t) })
    }

    /// Records progress on a task; the note is kept and the status moves.
    async fn record_task_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The note.")] input: RecordTaskProgressInput,
    ) -> AppResult<PlanTaskPayload> {
        let described = Mutation::new("plan.progress", Operation::PlanProgress, "PlanTask")
            .on(&input.task_id)
            .input(&input);
        mutation::run(
            ctx,
            described,
            |t: &task::Model| t.id,
            move |txn, actor| {
                Box::pin(async move {
                    let id = TaskId(parse_id("taskId", &input.task_id)?);
                    let note = text::required_line("note", &input.note, 2000)?;
                    service::record_progress(
                        txn,
                        actor,
                        id,
                        input.noted_on.0,
                        note,
                        input.status.into(),
                    )
                    .await
                })
            },
        )
        .await
        .map(|t| PlanTaskPayload { task: PlanTask(t) })
    }
}
