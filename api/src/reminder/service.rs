//! Which reminders are due at an instant, and giving each once. A reminder is claimed by
//! inserting its `reminder_sent` row (kind, record, day) in the transaction that records its
//! domain event; a row already there means another pass (of this process or another) gave it,
//! so every reminder goes out once however many processes run the scheduler.
//!
//! | kind | when | record |
//! |---|---|---|
//! | `report.dueSoon` | each of `report_days` days before the due date | a report still owed |
//! | `report.dueToday` | on the due date | a report still owed |
//! | `report.overdue` | every day after the due date, for `overdue_days` days | a report still owed |
//! | `pressRequest.dueSoon` | from `press_request_days` days before its due time | an open request |
//! | `pressRequest.overdue` | once past its due time | an open request |
//! | `incident.statementDueSoon` | from `incident_hours` hours before the statement deadline | no statement yet |
//! | `incident.statementOverdue` | once past the statement deadline | no statement yet |
//! | `spokesperson.publicationOverdue` | once past the publication deadline | unpublished, serving |
//! | `planTask.dueSoon` | `task_days` days before its due date | a task not done |
//! | `planTask.overdue` | once past its due date | a task not done |
//!
//! A report is owed while NOT_STARTED, DRAFT or RETURNED under an obligation still ISSUED.
//! Deadlines more than `overdue_days` days past give no reminder any more (old data does not
//! ring every day).

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{
    incident::{self, IncidentStatus},
    plan_task::{self, TaskStatus},
    press_request::{self, PressRequestStatus},
    reminder_sent,
    report::{self, ReportStatus},
    reporting_obligation::{self as obligation, ObligationStatus},
    spokesperson,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, TryInsertResult, sea_query::Query,
};
use uuid::Uuid;

use crate::{
    db,
    error::AppResult,
    events::{bus::Bus, outbox},
    time::VIETNAM,
};

/// Every kind of reminder.
pub const KINDS: [&str; 10] = [
    "report.dueSoon",
    "report.dueToday",
    "report.overdue",
    "pressRequest.dueSoon",
    "pressRequest.overdue",
    "incident.statementDueSoon",
    "incident.statementOverdue",
    "spokesperson.publicationOverdue",
    "planTask.dueSoon",
    "planTask.overdue",
];

/// Most reminders of one kind given in one pass (the rest on the next pass).
const PER_KIND: u64 = 1000;

/// When reminders are given.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// Days before a report's due date on which its agency is reminded (default 3 and 1).
    pub report_days: Vec<i64>,
    /// Days before a press request's due time from which the agency asked is reminded.
    pub press_request_days: i64,
    /// Hours before an incident's statement deadline from which its handler is reminded.
    pub incident_hours: i64,
    /// Days before a plan task's due date on which its lead agency is reminded.
    pub task_days: i64,
    /// Days after a deadline during which overdue reminders are still given.
    pub overdue_days: i64,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            report_days: vec![3, 1],
            press_request_days: 5,
            incident_hours: 4,
            task_days: 3,
            overdue_days: 30,
        }
    }
}

impl Schedule {
    /// The schedule of `TTDN_REMINDER_REPORT_DAYS` (`3,1`), the rest as shipped.
    pub fn from_settings(settings: &crate::config::Settings) -> Self {
        let mut days: Vec<i64> = settings
            .reminder_report_days
            .split(',')
            .filter_map(|d| d.trim().parse().ok())
            .filter(|d| (1..=60).contains(d))
            .collect();
        days.sort_unstable();
        days.dedup();
        Self {
            report_days: days,
            ..Self::default()
        }
    }
}

/// One reminder to give.
struct Due {
    kind: &'static str,
    record_type: &'static str,
    record_id: Uuid,
    day: NaiveDate,
}

/// Starts this process's scheduler: a pass every `every` (none when zero).
pub fn spawn(db: DatabaseConnection, bus: Bus, schedule: Schedule, every: StdDuration) {
    if every.is_zero() {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match run_once(&db, &schedule, Utc::now()).await {
                Ok(0) => {}
                Ok(_) => bus.wake(),
                Err(err) => tracing::warn!(error = ?err, "reminder pass failed"),
            }
        }
    });
}

/// Gives every reminder due at `now` that was not given yet; how many were given.
pub async fn run_once(
    db: &DatabaseConnection,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let due = due_at(db, schedule, now).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let txn = db::begin(db).await?;
    let mut given = 0;
    for reminder in due {
        let claimed = reminder_sent::Entity::insert(reminder_sent::ActiveModel {
            kind: Set(reminder.kind.to_owned()),
            record_id: Set(reminder.record_id),
            day: Set(reminder.day),
            sent_at: Set(now),
        })
        .on_conflict_do_nothing()
        .exec_without_returning(&*txn)
        .await?;
        if matches!(claimed, TryInsertResult::Inserted(1)) {
            outbox::record_at(
                &*txn,
                reminder.kind,
                reminder.record_type,
                reminder.record_id,
                None,
                now,
            )
            .await?;
            given += 1;
        }
    }
    txn.commit().await?;
    Ok(given)
}

/// The condition that `id` has no reminder `kind` for `day` yet.
fn not_given<C: ColumnTrait>(id: C, kind: &str, day: NaiveDate) -> sea_orm::sea_query::SimpleExpr {
    id.not_in_subquery(
        Query::select()
            .column(reminder_sent::Column::RecordId)
            .from(reminder_sent::Entity)
            .cond_where(
                Condition::all()
                    .add(reminder_sent::Column::Kind.eq(kind))
                    .add(reminder_sent::Column::Day.eq(day)),
            )
            .to_owned(),
    )
}

async fn due_at(
    db: &DatabaseConnection,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> AppResult<Vec<Due>> {
    let today = now.with_timezone(&VIETNAM).date_naive();
    let oldest = today - Duration::days(schedule.overdue_days);
    let mut due = Vec::new();

    // Reports still owed under obligations still in force.
    let owed = || {
        report::Entity::find()
            .select_only()
            .column(report::Column::Id)
            .filter(report::Column::Status.is_in([
                ReportStatus::NotStarted,
                ReportStatus::Draft,
                ReportStatus::Returned,
            ]))
            .filter(
                report::Column::ObligationId.in_subquery(
                    Query::select()
                        .column(obligation::Column::Id)
                        .from(obligation::Entity)
                        .cond_where(obligation::Column::Status.eq(ObligationStatus::Issued))
                        .to_owned(),
                ),
            )
            .limit(PER_KIND)
    };
    for days in &schedule.report_days {
        let ids: Vec<Uuid> = owed()
            .filter(report::Column::DueDate.eq(today + Duration::days(*days)))
            .filter(not_given(report::Column::Id, "report.dueSoon", today))
            .into_tuple()
            .all(db)
            .await?;
        due.extend(ids.into_iter().map(|id| Due {
            kind: "report.dueSoon",
            record_type: "Report",
            record_id: id,
            day: today,
        }));
    }
    let ids: Vec<Uuid> = owed()
        .filter(report::Column::DueDate.eq(today))
        .filter(not_given(report::Column::Id, "report.dueToday", today))
        .into_tuple()
        .all(db)
        .await?;
    due.extend(ids.into_iter().map(|id| Due {
        kind: "report.dueToday",
        record_type: "Report",
        record_id: id,
        day: today,
    }));
    let ids: Vec<Uuid> = owed()
        .filter(report::Column::DueDate.lt(today))
        .filter(report::Column::DueDate.gte(oldest))
        .filter(not_given(report::Column::Id, "report.overdue", today))
        .into_tuple()
        .all(db)
        .await?;
    due.extend(ids.into_iter().map(|id| Due {
        kind: "report.overdue",
        record_type: "Report",
        record_id: id,
        day: today,
    }));

    // Open press requests: soon due, then overdue (each once, dated by the deadline).
    let open: Vec<(Uuid, DateTime<Utc>)> = press_request::Entity::find()
        .select_only()
        .column(press_request::Column::Id)
        .column(press_request::Column::DueAt)
        .filter(press_request::Column::Status.eq(PressRequestStatus::Open))
        .filter(press_request::Column::DueAt.gte(now - Duration::days(schedule.overdue_days)))
        .filter(press_request::Column::DueAt.lte(now + Duration::days(schedule.press_request_days)))
        .limit(PER_KIND)
        .into_tuple()
        .all(db)
        .await?;
    for (id, due_at) in open {
        let kind = if due_at < now {
            "pressRequest.overdue"
        } else {
            "pressRequest.dueSoon"
        };
        due.push(Due {
            kind,
            record_type: "PressRequest",
            record_id: id,
            day: due_at.with_timezone(&VIETNAM).date_naive(),
        });
    }

    // Incidents without a first statement.
    let waiting: Vec<(Uuid, DateTime<Utc>)> = incident::Entity::find()
        .select_only()
        .column(incident::Column::Id)
        .column(incident::Column::StatementDueAt)
        .filter(incident::Column::Status.eq(IncidentStatus::Open))
        .filter(incident::Column::FirstStatementAt.is_null())
        .filter(incident::Column::StatementDueAt.gte(now - Duration::days(schedule.overdue_days)))
        .filter(
            incident::Column::StatementDueAt.lte(now + Duration::hours(schedule.incident_hours)),
        )
        .limit(PER_KIND)
        .into_tuple()
        .all(db)
        .await?;
    for (id, due_at) in waiting {
        let kind = if due_at < now {
            "incident.statementOverdue"
        } else {
            "incident.statementDueSoon"
        };
        due.push(Due {
            kind,
            record_type: "Incident",
            record_id: id,
            day: due_at.with_timezone(&VIETNAM).date_naive(),
        });
    }

    // Appointments still unpublished after their deadline, while serving.
    let unpublished: Vec<(Uuid, DateTime<Utc>)> = spokesperson::Entity::find()
        .select_only()
        .column(spokesperson::Column::Id)
        .column(spokesperson::Column::PublicationDueAt)
        .filter(spokesperson::Column::PublishedAt.is_null())
        .filter(spokesperson::Column::PublicationDueAt.lt(now))
        .filter(
            spokesperson::Column::PublicationDueAt.gte(now - Duration::days(schedule.overdue_days)),
        )
        .filter(
            Condition::any()
                .add(spokesperson::Column::TermTo.is_null())
                .add(spokesperson::Column::TermTo.gte(today)),
        )
        .limit(PER_KIND)
        .into_tuple()
        .all(db)
        .await?;
    for (id, due_at) in unpublished {
        due.push(Due {
            kind: "spokesperson.publicationOverdue",
            record_type: "Spokesperson",
            record_id: id,
            day: due_at.with_timezone(&VIETNAM).date_naive(),
        });
    }

    // Plan tasks not done.
    let tasks: Vec<(Uuid, Option<NaiveDate>)> = plan_task::Entity::find()
        .select_only()
        .column(plan_task::Column::Id)
        .column(plan_task::Column::DueDate)
        .filter(plan_task::Column::Status.is_in([TaskStatus::NotStarted, TaskStatus::InProgress]))
        .filter(plan_task::Column::DueDate.gte(oldest))
        .filter(plan_task::Column::DueDate.lte(today + Duration::days(schedule.task_days)))
        .limit(PER_KIND)
        .into_tuple()
        .all(db)
        .await?;
    for (id, due_date) in tasks {
        let Some(due_date) = due_date else { continue };
        let kind = if due_date < today {
            "planTask.overdue"
        } else if due_date == today + Duration::days(schedule.task_days) {
            "planTask.dueSoon"
        } else {
            continue;
        };
        due.push(Due {
            kind,
            record_type: "PlanTask",
            record_id: id,
            day: due_date,
        });
    }
    Ok(due)
}
