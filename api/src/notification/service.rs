//! An account's notices: listed newest first, counted, marked read. A notice shows only to its
//! account while the account still acts for the agency it was addressed to (an account moved to
//! another agency stops seeing the old agency's notices), and only while the account may read
//! the record it is about: a notice never reveals a record its reader cannot see.

use chrono::Utc;
use entity::{
    ids::{
        AgencyId, IncidentId, ObligationId, PlanId, PressEventId, PressRequestId, ReleaseId,
        ReportId, SpokespersonId, TrainingId,
    },
    notification::{Column, Entity as Notification, Model},
    plan_task,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Order, PaginatorTrait,
    QueryFilter, Select, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    agency::service as agencies,
    auth::actor::Actor,
    error::{AppError, AppResult},
    graphql::pagination::{Page, PageRequest, TotalCount},
    incident::service as incidents,
    plan::service as plans,
    press_event::service as press_events,
    press_request::service as press_requests,
    release::service as releases,
    reporting::service as reporting,
    spokesperson::service as spokespersons,
    training::service as trainings,
};

/// The caller's notices (a person's account acting for an agency; other callers have none).
fn mine(actor: &Actor) -> AppResult<Select<Notification>> {
    let (user, _) = actor.user()?;
    let agency = actor.agency_id().map(|a| a.0).unwrap_or_default();
    Ok(Notification::find()
        .filter(Column::AccountId.eq(user.0))
        .filter(Column::AgencyId.eq(agency)))
}

/// Whether `actor` may read the record a notice is about.
pub async fn visible<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    record_type: &str,
    id: Uuid,
) -> AppResult<bool> {
    let result = match record_type {
        "ReportingObligation" => reporting::get(db, actor, ObligationId(id)).await.map(drop),
        "Report" => reporting::report(db, actor, ReportId(id)).await.map(drop),
        "PressEvent" => press_events::get(db, actor, PressEventId(id))
            .await
            .map(drop),
        "PressRequest" => press_requests::get(db, actor, PressRequestId(id))
            .await
            .map(drop),
        "Incident" => incidents::get(db, actor, IncidentId(id)).await.map(drop),
        "Plan" => plans::get(db, actor, PlanId(id)).await.map(drop),
        "PlanTask" => match plan_task::Entity::find_by_id(id).one(db).await? {
            Some(task) => plans::get(db, actor, PlanId(task.plan_id)).await.map(drop),
            None => return Ok(false),
        },
        "TrainingSession" => trainings::get(db, actor, TrainingId(id)).await.map(drop),
        "InformationRelease" => releases::get(db, actor, ReleaseId(id)).await.map(drop),
        "Spokesperson" => spokespersons::get(db, actor, SpokespersonId(id))
            .await
            .map(drop),
        "Agency" => agencies::get(db, AgencyId(id)).await.map(drop),
        "WebhookEndpoint" => crate::webhook::service::get(db, actor, id).await.map(drop),
        _ => return Ok(false),
    };
    match result {
        Ok(()) => Ok(true),
        Err(AppError::NotFound(_) | AppError::Forbidden(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

/// A page of the caller's notices, newest first, and the count of them all; those about records
/// the caller can no longer read are left out of the page (but counted).
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    unread_only: bool,
    page: &PageRequest,
) -> AppResult<(Page<Model>, TotalCount)> {
    let mut select = mine(actor)?;
    if unread_only {
        select = select.filter(Column::ReadAt.is_null());
    }
    let total = TotalCount::of(db, select.clone());
    let mut found = page
        .fetch_by_id(db, select, Column::Id, Order::Desc)
        .await?;
    let mut shown = Vec::with_capacity(found.items.len());
    for (cursor, notice) in found.items {
        if visible(db, actor, &notice.record_type, notice.record_id).await? {
            shown.push((cursor, notice));
        }
    }
    found.items = shown;
    Ok((found, total))
}

/// How many of the caller's notices are unread.
pub async fn unread_count<C: ConnectionTrait>(db: &C, actor: &Actor) -> AppResult<u64> {
    Ok(mine(actor)?
        .filter(Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Marks the caller's notices `ids` read (all of them when `None`); how many were unread.
pub async fn mark_read<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    ids: Option<&[Uuid]>,
) -> AppResult<u64> {
    let (user, _) = actor.user()?;
    let mut update = Notification::update_many()
        .col_expr(Column::ReadAt, Expr::value(Utc::now()))
        .filter(Column::AccountId.eq(user.0))
        .filter(Column::ReadAt.is_null());
    if let Some(ids) = ids {
        update = update.filter(Column::Id.is_in(ids.iter().copied()));
    }
    Ok(update.exec(db).await?.rows_affected)
}
