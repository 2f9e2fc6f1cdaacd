//! Obligations, the cascade, reports and their review, compliance and roll-up.
//!
//! - An agency issues an obligation to agencies inside its scope (never to itself, to press
//!   agencies or to closed agencies); each recipient gets a report `NOT_STARTED`.
//! - A recipient with subordinates passes the obligation on (`cascade`) to agencies of its own
//!   scope, due no later than its own due date; the child names its parent, so the chain is
//!   navigable both ways.
//! - Reports: `NOT_STARTED → DRAFT → SUBMITTED → ACCEPTED`, or `SUBMITTED → RETURNED → …
//!   SUBMITTED` again. Only the recipient writes and submits its report; only the issuer's side
//!   reviews it. Every submission is kept unchanged as a version; a submission after the due
//!   date's end (23:59:59 Vietnam time) is late.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agency::{self, AgencyKind},
    ids::{AgencyId, ObligationId, ReportId, TemplateId},
    obligation_amendment as amendment,
    report::{self, ReportStatus},
    report_save::{self},
    report_version,
    reporting_obligation::{
        ActiveModel, Column, Entity as Obligation, Model, ObligationStatus, PeriodKind,
    },
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, Select,
    sea_query::{Expr, ExprTrait, Query},
};
use serde_json::json;
use uuid::Uuid;

pub use super::reports::{ReportContent, ReportPatch, Review, review, save_draft, submit};
use super::reports::{register_report_document, write_report_content};
use super::{
    templates::{self, Spec},
    types::{MetricValue, check_content, is_late},
};
use crate::{
    agency::service as agency_service,
    auth::actor::{Actor, Scope},
    db,
    document::{DocumentRef, Numbered},
    error::{AppError, AppResult, Msg},
    graphql::pagination::{Page, PageRequest, SortKey, TotalCount, changed_since},
    policy::{self, Operation},
    time,
};

const OBLIGATIONS: db::Versioned<Obligation> = db::Versioned {
    id: Column::Id,
    version: Column::Version,
    updated_at: Column::UpdatedAt,
};

pub(super) const REPORTS: db::Versioned<report::Entity> = db::Versioned {
    id: report::Column::Id,
    version: report::Column::Version,
    updated_at: report::Column::UpdatedAt,
};

pub(super) fn not_found() -> AppError {
    AppError::NotFound(Msg::new(
        "Không tìm thấy yêu cầu báo cáo",
        "Reporting obligation not found",
    ))
}

fn report_not_found() -> AppError {
    AppError::NotFound(Msg::new("Không tìm thấy báo cáo", "Report not found"))
}

pub(super) fn stale() -> AppError {
    AppError::conflict(
        "expectedVersion",
        Msg::new(
            "Bản ghi vừa được người khác thay đổi; hãy tải lại rồi thử lại",
            "The record was changed by someone else; reload and try again",
        ),
    )
}

/// Obligations `actor` may see: issued in its scope, or addressed to an agency in its scope.
fn visible(actor: &Actor) -> AppResult<Select<Obligation>> {
    let visibility = policy::visibility(actor, Operation::ObligationRead)?;
    let select = Obligation::find();
    let Some(agencies) = agency_service::ids_visible(&visibility) else {
        return Ok(select);
    };
    let addressed = Query::select()
        .column(report::Column::ObligationId)
        .from(report::Entity)
        .and_where(report::Column::RecipientAgencyId.in_subquery(agencies.clone()))
        .to_owned();
    Ok(select.filter(
        Condition::any()
            .add(Column::IssuerAgencyId.in_subquery(agencies))
            .add(Column::Id.in_subquery(addressed)),
    ))
}

/// One obligation, if visible.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: ObligationId) -> AppResult<Model> {
    visible(actor)?
        .filter(Column::Id.eq(id.0))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Filters of the obligation list.
#[derive(Clone, Debug, Default)]
pub struct ObligationFilter {
    /// Issued by this agency or below it.
    pub issuer_within: Option<AgencyId>,
    /// Only these period kinds.
    pub period_kinds: Vec<PeriodKind>,
    /// Only these statuses.
    pub statuses: Vec<ObligationStatus>,
    /// Children of this obligation (its cascade).
    pub parent: Option<ObligationId>,
    /// Only those changed at or after, in the order of the change (for clients that poll).
    pub updated_since: Option<DateTime<Utc>>,
}

/// One page of obligations, latest due first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &ObligationFilter,
    page: &PageRequest,
) -> AppResult<(Page<Model>, TotalCount)> {
    let mut select = visible(actor)?;
    if let Some(root) = filter.issuer_within {
        let root = agency_service::get(db, root).await?;
        select = select
            .filter(Column::IssuerAgencyId.in_subquery(agency_service::ids_under(&root.path)));
    }
    if !filter.period_kinds.is_empty() {
        select = select.filter(Column::PeriodKind.is_in(filter.period_kinds.iter().copied()));
    }
    if !filter.statuses.is_empty() {
        select = select.filter(Column::Status.is_in(filter.statuses.iter().copied()));
    }
    if let Some(parent) = filter.parent {
        select = select.filter(Column::ParentId.eq(parent.0));
    }
    let select = changed_since(select, filter.updated_since);
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

/// Who receives an obligation: listed agencies, and/or every current agency of some kinds in
/// the issuer's scope.
#[derive(Clone, Debug, Default)]
pub struct Recipients {
    /// Listed agencies.
    pub agencies: Vec<AgencyId>,
    /// Every current agency of these kinds in scope.
    pub kinds: Vec<AgencyKind>,
}

/// A new obligation.
#[derive(Clone, Debug)]
pub struct NewObligation {
    /// Issuing agency.
    pub issuer: AgencyId,
    /// Request document.
    pub document: Option<DocumentRef>,
    /// Title.
    pub title: String,
    /// Period kind.
    pub period_kind: PeriodKind,
    /// Data period.
    pub period: (NaiveDate, NaiveDate),
    /// Due date.
    pub due_date: NaiveDate,
    /// Template version.
    pub template: TemplateId,
    /// Recipients.
    pub recipients: Recipients,
}

/// The agencies of `recipients`, checked: inside the actor's scope and under the issuer's
/// writable area, current, government, not the issuer.
async fn resolve_recipients<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    issuer: &agency::Model,
    recipients: &Recipients,
) -> AppResult<Vec<agency::Model>> {
    let today = time::today();
    let mut found: BTreeMap<Uuid, agency::Model> = BTreeMap::new();
    for id in &recipients.agencies {
        let agency = agency::Entity::find_by_id(id.0)
            .one(db)
            .await?
            .ok_or_else(|| {
                AppError::bad_input(
                    "recipients.agencyIds",
                    Msg::new("Không có cơ quan này", "No such agency"),
                )
            })?;
        found.insert(agency.id, agency);
    }
    if !recipients.kinds.is_empty() {
        let mut select = agency::Entity::find()
            .filter(agency::Column::Kind.is_in(recipients.kinds.iter().copied()))
            .filter(agency::Column::ValidTo.is_null());
        if let Scope::Subtree { path, .. } = &actor.scope {
            select = select.filter(agency_service::path_under(path));
        }
        for agency in select.all(db).await? {
            found.insert(agency.id, agency);
        }
    }
    found.remove(&issuer.id);
    if found.is_empty() {
        return Err(AppError::bad_input(
            "recipients",
            Msg::new(
                "Cần ít nhất một cơ quan nhận",
                "At least one recipient is needed",
            ),
        ));
    }
    for agency in found.values() {
        let outside = !actor.scope.contains(&agency.path);
        let wrong =
            agency.kind == AgencyKind::PressAgency || agency.valid_to.is_some_and(|to| to < today);
        if outside || wrong {
            return Err(AppError::bad_input(
                "recipients.agencyIds",
                Msg::new(
                    format!(
                        "\"{}\" không thuộc phạm vi được yêu cầu báo cáo",
                        agency.name
                    ),
                    format!(
                        "\"{}\" is outside the agencies you may ask for reports",
                        agency.name
                    ),
                ),
            ));
        }
    }
    Ok(found.into_values().collect())
}

fn check_dates(period: (NaiveDate, NaiveDate), due: NaiveDate) -> AppResult<()> {
    if period.1 < period.0 {
        return Err(AppError::bad_input(
            "periodEnd",
            Msg::new(
                "Kỳ số liệu kết thúc trước khi bắt đầu",
                "The data period ends before it starts",
            ),
        ));
    }
    if due <= period.1 {
        return Err(AppError::bad_input(
            "dueDate",
            Msg::new(
                "Hạn báo cáo phải sau ngày kết thúc kỳ số liệu",
                "The due date must follow the end of the data period",
            ),
        ));
    }
    Ok(())
}

async fn insert_reports<C: ConnectionTrait>(
    db: &C,
    obligation: Uuid,
    due: NaiveDate,
    agencies: &[Uuid],
) -> AppResult<()> {
    let now = Utc::now();
    for agency in agencies {
        report::Entity::insert(report::ActiveModel {
            id: Set(Uuid::now_v7()),
            obligation_id: Set(obligation),
            recipient_agency_id: Set(*agency),
            status: Set(ReportStatus::NotStarted),
            due_date: Set(due),
            sections: Set("{}".into()),
            metrics: Set("{}".into()),
            signer_name: Set(None),
            signer_title: Set(None),
            doc_number: Set(None),
            doc_date: Set(None),
            submitted_at: Set(None),
            late: Set(None),
            review_comment: Set(None),
            reviewed_at: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

async fn insert_obligation<C: ConnectionTrait>(
    db: &C,
    id: ObligationId,
    new: &NewObligation,
    parent: Option<ObligationId>,
    recipients: &[Uuid],
) -> AppResult<ObligationId> {
    let now = Utc::now();
    Obligation::insert(ActiveModel {
        id: Set(id.0),
        issuer_agency_id: Set(new.issuer.0),
        doc_number: Set(new.document.as_ref().map(|d| d.number.as_str().to_owned())),
        doc_date: Set(new.document.as_ref().map(|d| d.date)),
        title: Set(new.title.clone()),
        period_kind: Set(new.period_kind),
        period_start: Set(new.period.0),
        period_end: Set(new.period.1),
        due_date: Set(new.due_date),
        template_id: Set(new.template.0),
        parent_id: Set(parent.map(|p| p.0)),
        status: Set(ObligationStatus::Issued),
        withdrawal_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    crate::document::register(
        db,
        Numbered::Obligation,
        id.0,
        new.issuer.0,
        new.document.as_ref(),
        "document",
    )
    .await?;
    insert_reports(db, id.0, new.due_date, recipients).await?;
    Ok(id)
}

/// Issues an obligation.
#[tracing::instrument(skip_all, fields(agency.id = %new.issuer))]
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    new: NewObligation,
) -> AppResult<Model> {
    let issuer = agency::Entity::find_by_id(new.issuer.0)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "issuerAgencyId",
                Msg::new("Không có cơ quan này", "No such agency"),
            )
        })?;
    policy::require_at(actor, Operation::ObligationIssue, Some(&issuer.path))?;
    check_dates(new.period, new.due_date)?;
    templates::get(db, new.template).await.map_err(|_| {
        AppError::bad_input(
            "templateId",
            Msg::new("Không có mẫu báo cáo này", "No such template"),
        )
    })?;
    let recipients = resolve_recipients(db, actor, &issuer, &new.recipients).await?;
    let ids: Vec<Uuid> = recipients.iter().map(|a| a.id).collect();
    let id = insert_obligation(db, ObligationId::new(), &new, None, &ids).await?;
    get(db, actor, id).await
}

/// Passes an obligation on: a recipient asks agencies of its own scope for their reports,
/// due no later than its own.
pub async fn cascade<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    parent: ObligationId,
    document: Option<DocumentRef>,
    due_date: NaiveDate,
    recipients: Recipients,
) -> AppResult<Model> {
    let parent = get(db, actor, parent).await?;
    if parent.status != ObligationStatus::Issued {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Yêu cầu báo cáo đã bị thu hồi",
                "The obligation was withdrawn",
            ),
        });
    }
    let own = actor.agency.clone().ok_or_else(|| {
        AppError::Forbidden(Msg::new(
            "Chỉ cơ quan nhận mới chuyển tiếp được",
            "Only a recipient can pass it on",
        ))
    })?;
    let addressed = report::Entity::find()
        .filter(report::Column::ObligationId.eq(parent.id))
        .filter(report::Column::RecipientAgencyId.eq(own.id))
        .count(db)
        .await?;
    if addressed == 0 {
        return Err(AppError::Forbidden(Msg::new(
            "Cơ quan của bạn không phải nơi nhận yêu cầu này",
            "Your agency is not a recipient of this obligation",
        )));
    }
    if due_date > parent.due_date {
        return Err(AppError::bad_input(
            "dueDate",
            Msg::new(
                format!(
                    "Hạn báo cáo của cấp dưới không được sau hạn của cấp trên ({})",
                    parent.due_date
                ),
                format!(
                    "The children's due date cannot be after the parent's ({})",
                    parent.due_date
                ),
            ),
        ));
    }
    let new = NewObligation {
        issuer: AgencyId(own.id),
        document,
        title: parent.title.clone(),
        period_kind: parent.period_kind,
        period: (parent.period_start, parent.period_end),
        due_date,
        template: TemplateId(parent.template_id),
        recipients,
    };
    policy::require_at(actor, Operation::ObligationIssue, Some(&own.path))?;
    check_dates(new.period, new.due_date)?;
    let agencies = resolve_recipients(db, actor, &own, &new.recipients).await?;
    let ids: Vec<Uuid> = agencies.iter().map(|a| a.id).collect();
    let id = insert_obligation(
        db,
        ObligationId::new(),
        &new,
        Some(ObligationId(parent.id)),
        &ids,
    )
    .await?;
    get(db, actor, id).await
}

/// Loads an obligation the actor issued (in scope), at the expected version.
async fn issued<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ObligationId,
    expected_version: Option<i32>,
) -> AppResult<(Model, agency::Model)> {
    let obligation = get(db, actor, id).await?;
    let issuer = agency_service::get(db, AgencyId(obligation.issuer_agency_id)).await?;
    policy::require_at(actor, Operation::ObligationIssue, Some(&issuer.path))?;
    if expected_version.is_some_and(|v| v != obligation.version) {
        return Err(stale());
    }
    if obligation.status != ObligationStatus::Issued {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Yêu cầu báo cáo đã bị thu hồi",
                "The obligation was withdrawn",
            ),
        });
    }
    Ok((obligation, issuer))
}

async fn record_amendment<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    obligation: Uuid,
    change: serde_json::Value,
) -> AppResult<()> {
    amendment::Entity::insert(amendment::ActiveModel {
        id: Set(Uuid::now_v7()),
        obligation_id: Set(obligation),
        amended_at: Set(Utc::now()),
        amended_by: Set(Some(actor.id())),
        change: Set(change.to_string()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Extends the deadline and/or adds recipients; the change is recorded.
pub async fn amend<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ObligationId,
    due_date: Option<NaiveDate>,
    add: Recipients,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let (obligation, issuer) = issued(db, actor, id, expected_version).await?;
    let mut change = serde_json::Map::new();
    let mut changes = ActiveModel::default();
    if let Some(due) = due_date {
        if due < obligation.due_date {
            return Err(AppError::bad_input(
                "dueDate",
                Msg::new(
                    "Chỉ gia hạn được, không rút ngắn hạn",
                    "A deadline can be extended, not shortened",
                ),
            ));
        }
        if let Some(parent) = obligation.parent_id {
            let parent = Obligation::find_by_id(parent)
                .one(db)
                .await?
                .ok_or_else(not_found)?;
            if due > parent.due_date {
                return Err(AppError::bad_input(
                    "dueDate",
                    Msg::new(
                        "Không được sau hạn của cấp trên",
                        "Cannot be after the parent's due date",
                    ),
                ));
            }
        }
        changes.due_date = Set(due);
        change.insert(
            "dueDate".into(),
            json!({ "from": obligation.due_date, "to": due }),
        );
        report::Entity::update_many()
            .col_expr(
                report::Column::DueDate,
                sea_orm::sea_query::Expr::value(due),
            )
            .filter(report::Column::ObligationId.eq(obligation.id))
            .exec(db)
            .await?;
    }
    if !add.agencies.is_empty() || !add.kinds.is_empty() {
        let existing: Vec<Uuid> = report::Entity::find()
            .filter(report::Column::ObligationId.eq(obligation.id))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.recipient_agency_id)
            .collect();
        let new: Vec<Uuid> = resolve_recipients(db, actor, &issuer, &add)
            .await?
            .into_iter()
            .map(|a| a.id)
            .filter(|a| !existing.contains(a))
            .collect();
        insert_reports(
            db,
            obligation.id,
            due_date.unwrap_or(obligation.due_date),
            &new,
        )
        .await?;
        change.insert("recipientsAdded".into(), json!(new));
    }
    if change.is_empty() {
        return Err(AppError::bad_input(
            "dueDate",
            Msg::new("Không có gì thay đổi", "Nothing to change"),
        ));
    }
    record_amendment(db, actor, obligation.id, serde_json::Value::Object(change)).await?;
    if !OBLIGATIONS
        .update(db, obligation.id, obligation.version, changes)
        .await?
    {
        return Err(stale());
    }
    get(db, actor, id).await
}

/// Withdraws an obligation with a reason; reports already submitted are kept.
pub async fn withdraw<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ObligationId,
    reason: String,
    expected_version: Option<i32>,
) -> AppResult<Model> {
    let (obligation, _) = issued(db, actor, id, expected_version).await?;
    record_amendment(db, actor, obligation.id, json!({ "withdrawn": reason })).await?;
    let changes = ActiveModel {
        status: Set(ObligationStatus::Withdrawn),
        withdrawal_reason: Set(Some(reason)),
        ..Default::default()
    };
    if !OBLIGATIONS
        .update(db, obligation.id, obligation.version, changes)
        .await?
    {
        return Err(stale());
    }
    get(db, actor, id).await
}

// ── Reports ──────────────────────────────────────────────────────────────────────────────

/// Reports `actor` may see: of agencies in its scope, or of obligations issued in its scope.
fn visible_reports(actor: &Actor) -> AppResult<Select<report::Entity>> {
    visible_reports_on(None, actor)
}

/// [`visible_reports`], for a list read from `backend` (`None`: a lookup by keys, where the
/// form does not matter): on PostgreSQL the obligations issued in scope are then found from
/// the scope's agencies through the issuer index ([`db::in_computed_first`]), not by a scan
/// of every obligation of the country.
fn visible_reports_on(
    backend: Option<DbBackend>,
    actor: &Actor,
) -> AppResult<Select<report::Entity>> {
    let visibility = policy::visibility(actor, Operation::ObligationRead)?;
    let select = report::Entity::find();
    let Some(agencies) = agency_service::ids_visible(&visibility) else {
        return Ok(select);
    };
    let issued_in_scope = match backend {
        Some(backend) => db::in_computed_first(backend, Column::IssuerAgencyId, agencies.clone()),
        None => Column::IssuerAgencyId.in_subquery(agencies.clone()),
    };
    let issued_here = Query::select()
        .column(Column::Id)
        .from(Obligation)
        .and_where(issued_in_scope)
        .to_owned();
    Ok(select.filter(
        Condition::any()
            .add(report::Column::RecipientAgencyId.in_subquery(agencies))
            .add(report::Column::ObligationId.in_subquery(issued_here)),
    ))
}

/// Filters of the report list.
#[derive(Clone, Debug, Default)]
pub struct ReportFilter {
    /// Reports of this obligation.
    pub obligation: Option<ObligationId>,
    /// Reports of this agency or of agencies below it.
    pub recipient_within: Option<AgencyId>,
    /// Only these statuses.
    pub statuses: Vec<report::ReportStatus>,
    /// Only those changed at or after, in the order of the change (for clients that poll).
    pub updated_since: Option<DateTime<Utc>>,
}

/// One page of the reports `actor` may read, soonest due first (or in the order of their
/// changes, with `updated_since`).
pub async fn reports(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &ReportFilter,
    page: &PageRequest,
) -> AppResult<(Page<report::Model>, TotalCount)> {
    let mut select = visible_reports_on(Some(db.get_database_backend()), actor)?;
    if let Some(obligation) = filter.obligation {
        select = select.filter(report::Column::ObligationId.eq(obligation.0));
    }
    if let Some(root) = filter.recipient_within {
        let root = agency_service::get(db, root).await?;
        select = select.filter(
            report::Column::RecipientAgencyId.in_subquery(agency_service::ids_under(&root.path)),
        );
    }
    if !filter.statuses.is_empty() {
        select = select.filter(report::Column::Status.is_in(filter.statuses.iter().copied()));
    }
    let select = changed_since(select, filter.updated_since);
    let total = TotalCount::of(db, select.clone());
    let rows = page
        .fetch_polled(
            db,
            select,
            filter.updated_since,
            (report::Column::DueDate, Order::Asc),
            |r| (SortKey::Date(r.due_date), r.id),
        )
        .await?;
    Ok((rows, total))
}

/// One report, if visible.
pub async fn report<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ReportId,
) -> AppResult<report::Model> {
    visible_reports(actor)?
        .filter(report::Column::Id.eq(id.0))
        .one(db)
        .await?
        .ok_or_else(report_not_found)
}

/// Every report of an obligation (the caller already sees the obligation).
pub async fn reports_of<C: ConnectionTrait>(
    db: &C,
    obligation: ObligationId,
) -> AppResult<Vec<report::Model>> {
    Ok(report::Entity::find()
        .filter(report::Column::ObligationId.eq(obligation.0))
        .order_by_asc(report::Column::Id)
        .all(db)
        .await?)
}

/// The reports the caller's agency still owes (not started, draft, returned), soonest due
/// first: "what do I owe, by when".
pub async fn due_for(
    db: &DatabaseConnection,
    actor: &Actor,
    page: &PageRequest,
) -> AppResult<(Page<report::Model>, TotalCount)> {
    policy::require(actor, Operation::ObligationRead)?;
    let agency = actor.agency_id().map_or(Uuid::nil(), |a| a.0);
    // A correlated EXISTS, not `obligation_id IN (live obligations)`: the planner then starts
    // from the agency's own reports (an index lookup) instead of probing every obligation.
    let live = Query::select()
        .expr(Expr::val(1))
        .from(Obligation)
        .and_where(
            Expr::col((Obligation, Column::Id))
                .equals((report::Entity, report::Column::ObligationId)),
        )
        .and_where(Expr::col((Obligation, Column::Status)).eq(ObligationStatus::Issued))
        .to_owned();
    let select = report::Entity::find()
        .filter(report::Column::RecipientAgencyId.eq(agency))
        .filter(report::Column::Status.is_in([
            ReportStatus::NotStarted,
            ReportStatus::Draft,
            ReportStatus::Returned,
        ]))
        .filter(Expr::exists(live));
    page_by_due_date(db, select, page).await
}

/// Filters of the đôn đốc (chase) list.
#[derive(Clone, Debug, Default)]
pub struct ChaseFilter {
    /// Reports due at most this many days from today (0: overdue or due today).
    pub due_within_days: u32,
    /// Only recipients of these kinds (the level: districts, communes…).
    pub kinds: Vec<AgencyKind>,
    /// Only recipients in this agency's subtree.
    pub within: Option<AgencyId>,
    /// Only reports of this obligation and of those passing it on, down the cascade.
    pub obligation: Option<ObligationId>,
}

/// The look-ahead of the chase list: 0 (overdue or due today) to 366 days, 0 when not given.
pub fn chase_days(raw: Option<i32>) -> AppResult<u32> {
    let days = raw.unwrap_or(0);
    if !(0..=366).contains(&days) {
        return Err(AppError::bad_input(
            "dueWithinDays",
            Msg::new("Số ngày từ 0 đến 366", "dueWithinDays is between 0 and 366"),
        ));
    }
    Ok(days as u32)
}

/// Levels of "passed on" followed down from an obligation in the chase list's filter.
const CASCADE_DEPTH: usize = 4;

/// The đôn đốc list: every report still owed (not started, in draft, or returned and not
/// resubmitted) by an agency of the caller's scope other than its own, of obligations in
/// force, overdue or due within `due_within_days`, across obligations, soonest due first.
pub async fn to_chase<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &ChaseFilter,
) -> AppResult<Select<report::Entity>> {
    let visibility = policy::visibility(actor, Operation::ObligationRead)?;
    let until = time::today() + chrono::Duration::days(i64::from(filter.due_within_days));
    let live = Query::select()
        .column(Column::Id)
        .from(Obligation)
        .and_where(Column::Status.eq(ObligationStatus::Issued))
        .to_owned();
    let mut select = report::Entity::find()
        .filter(report::Column::Status.is_in([
            ReportStatus::NotStarted,
            ReportStatus::Draft,
            ReportStatus::Returned,
        ]))
        .filter(report::Column::DueDate.lte(until))
        .filter(report::Column::ObligationId.in_subquery(live));
    if let Some(agencies) = agency_service::ids_visible(&visibility) {
        select = select.filter(report::Column::RecipientAgencyId.in_subquery(agencies));
    }
    if let Some(own) = actor.agency_id() {
        select = select.filter(report::Column::RecipientAgencyId.ne(own.0));
    }
    if let Some(root) = filter.within {
        let root = agency_service::get(db, root).await?;
        select = select.filter(
            report::Column::RecipientAgencyId.in_subquery(agency_service::ids_under(&root.path)),
        );
    }
    if !filter.kinds.is_empty() {
        let of_kinds = Query::select()
            .column(agency::Column::Id)
            .from(agency::Entity)
            .and_where(agency::Column::Kind.is_in(filter.kinds.iter().copied()))
            .to_owned();
        select = select.filter(report::Column::RecipientAgencyId.in_subquery(of_kinds));
    }
    if let Some(root) = filter.obligation {
        let mut cascade = Condition::any().add(report::Column::ObligationId.eq(root.0));
        let mut level = Query::select()
            .column(Column::Id)
            .from(Obligation)
            .and_where(Column::ParentId.eq(root.0))
            .to_owned();
        for depth in 0..CASCADE_DEPTH {
            cascade = cascade.add(report::Column::ObligationId.in_subquery(level.clone()));
            if depth + 1 < CASCADE_DEPTH {
                level = Query::select()
                    .column(Column::Id)
                    .from(Obligation)
                    .and_where(Column::ParentId.in_subquery(level))
                    .to_owned();
            }
        }
        select = select.filter(cascade);
    }
    Ok(select)
}

/// One page of the đôn đốc list.
pub async fn chase_page(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &ChaseFilter,
    page: &PageRequest,
) -> AppResult<(Page<report::Model>, TotalCount)> {
    page_by_due_date(db, to_chase(db, actor, filter).await?, page).await
}

/// One page of `select`'s reports, soonest due first, with the total.
async fn page_by_due_date(
    db: &DatabaseConnection,
    select: Select<report::Entity>,
    page: &PageRequest,
) -> AppResult<(Page<report::Model>, TotalCount)> {
    let total = TotalCount::of(db, select.clone());
    let rows = page
        .fetch(
            db,
            select,
            (report::Column::DueDate, report::Column::Id),
            Order::Asc,
            |r| (SortKey::Date(r.due_date), r.id),
        )
        .await?;
    Ok((rows, total))
}

/// Days a report is overdue today (0 on its due date, negative while days are left).
pub fn days_overdue(row: &report::Model) -> i64 {
    (time::today() - row.due_date).num_days()
}

/// Submitted versions of a report, oldest first.
pub async fn versions<C: ConnectionTrait>(
    db: &C,
    report: ReportId,
) -> AppResult<Vec<report_version::Model>> {
    Ok(report_version::Entity::find()
        .filter(report_version::Column::ReportId.eq(report.0))
        .order_by_asc(report_version::Column::Number)
        .all(db)
        .await?)
}

// ── Compliance and roll-up ────────────────────────────────────────────────────────────────

/// Where a recipient stands on an obligation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ComplianceState {
    /// Nothing written, not yet due.
    NotStarted,
    /// Being written, not yet due.
    Draft,
    /// Submitted by the due date.
    SubmittedOnTime,
    /// Submitted after the due date.
    SubmittedLate,
    /// Sent back for changes.
    Returned,
    /// Accepted.
    Accepted,
    /// Not submitted and past the due date.
    Overdue,
}

/// The compliance state of a report on `today`.
pub fn state_of(row: &report::Model, today: NaiveDate) -> ComplianceState {
    match row.status {
        ReportStatus::Accepted => ComplianceState::Accepted,
        ReportStatus::Returned => ComplianceState::Returned,
        ReportStatus::Submitted if row.late == Some(true) => ComplianceState::SubmittedLate,
        ReportStatus::Submitted => ComplianceState::SubmittedOnTime,
        _ if today > row.due_date => ComplianceState::Overdue,
        ReportStatus::Draft => ComplianceState::Draft,
        _ => ComplianceState::NotStarted,
    }
}

/// A metric summed over reports.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricTotal {
    /// Key.
    pub key: String,
    /// Sum of integer or decimal values.
    pub total: f64,
    /// Sum of ratio numerators.
    pub numerator: i64,
    /// Sum of ratio denominators.
    pub denominator: i64,
    /// Reports that gave this metric.
    pub reports: u32,
}

/// Sums each metric of the template over the given submitted or accepted reports.
pub fn roll_up(spec: &Spec, rows: &[report::Model]) -> Vec<MetricTotal> {
    let counted: Vec<BTreeMap<String, MetricValue>> = rows
        .iter()
        .filter(|r| matches!(r.status, ReportStatus::Submitted | ReportStatus::Accepted))
        .filter_map(|r| {
            serde_json::from_str::<BTreeMap<String, serde_json::Value>>(&r.metrics).ok()
        })
        .filter_map(|raw| {
            check_content(&spec.sections, &spec.metrics, &BTreeMap::new(), &raw, false).ok()
        })
        .collect();
    spec.metrics
        .iter()
        .map(|m| {
            let mut total = MetricTotal {
                key: m.key.clone(),
                total: 0.0,
                numerator: 0,
                denominator: 0,
                reports: 0,
            };
            for values in &counted {
                match values.get(&m.key) {
                    Some(MetricValue::Integer(n)) => total.total += *n as f64,
                    Some(MetricValue::Decimal(x)) => total.total += x,
                    Some(MetricValue::Ratio {
                        numerator,
                        denominator,
                    }) => {
                        total.numerator += numerator;
                        total.denominator += denominator;
                    }
                    None => continue,
                }
                total.reports += 1;
            }
            total
        })
        .collect()
}

/// Inserts a demo obligation (with its reports) unless present, bypassing the policy.
pub async fn insert_demo<C: ConnectionTrait>(
    db: &C,
    id: ObligationId,
    new: &NewObligation,
    parent: Option<ObligationId>,
    recipients: &[Uuid],
) -> AppResult<bool> {
    if Obligation::find_by_id(id.0).one(db).await?.is_some() {
        return Ok(false);
    }
    insert_obligation(db, id, new, parent, recipients).await?;
    Ok(true)
}

/// Sets a demo report's content and state directly (demo data only).
pub async fn set_demo_report<C: ConnectionTrait>(
    db: &C,
    obligation: ObligationId,
    recipient: AgencyId,
    status: ReportStatus,
    content: &ReportContent,
    submitted_at: Option<chrono::DateTime<Utc>>,
) -> AppResult<()> {
    let Some(row) = report::Entity::find()
        .filter(report::Column::ObligationId.eq(obligation.0))
        .filter(report::Column::RecipientAgencyId.eq(recipient.0))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let mut changes = report::ActiveModel {
        status: Set(status),
        submitted_at: Set(submitted_at),
        late: Set(submitted_at.map(|at| is_late(at, row.due_date))),
        ..Default::default()
    };
    write_report_content(&mut changes, content)?;
    register_report_document(db, &row, content).await?;
    if let Some(at) = submitted_at {
        report_version::Entity::insert(report_version::ActiveModel {
            id: Set(Uuid::now_v7()),
            report_id: Set(row.id),
            number: Set(1),
            submitted_at: Set(at),
            submitted_by: Set(None),
            late: Set(is_late(at, row.due_date)),
            content: Set(
                json!({ "sections": content.sections, "metrics": content.metrics }).to_string(),
            ),
        })
        .exec_without_returning(db)
        .await?;
    }
    REPORTS.update(db, row.id, row.version, changes).await?;
    Ok(())
}

/// Ways to reach obligations, reports and their parts in batches (see `graphql::loaders`).
pub mod relations {
    use super::*;
    use crate::graphql::loaders::{Relation, signed_in};

    /// Obligations by id, among those the caller may see.
    pub struct ById;

    impl Relation for ById {
        type Entity = Obligation;
        fn key() -> Column {
            Column::Id
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<Obligation>> {
            visible(signed_in(actor)?)
        }
    }

    /// Obligations by id, for reports addressed to the caller's own agency. The visibility
    /// rule shows an obligation to every agency it is addressed to, and a caller's own agency
    /// is always among those it sees, so these need no rule: a read by key, without the rule's
    /// two subqueries over the agency paths to plan and run (planning them took 0.4 to 0.6 ms
    /// at every request when the loaders bound their keys with `IN`; docs/performance.md). The
    /// caller still needs the right to read obligations.
    pub struct AddressedById;

    impl Relation for AddressedById {
        type Entity = Obligation;
        fn key() -> Column {
            Column::Id
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<Obligation>> {
            policy::require(signed_in(actor)?, Operation::ObligationRead)?;
            Ok(Obligation::find())
        }
    }

    /// Reports by id, among those the caller may see.
    pub struct ReportById;

    impl Relation for ReportById {
        type Entity = report::Entity;
        fn key() -> report::Column {
            report::Column::Id
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<report::Entity>> {
            visible_reports(signed_in(actor)?)
        }
    }

    /// The obligations passing one on (one level down the cascade) that the caller may see,
    /// newest first.
    pub struct Children;

    impl Relation for Children {
        type Entity = Obligation;
        fn key() -> Column {
            Column::ParentId
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<Obligation>> {
            visible(signed_in(actor)?)
        }
        fn order() -> Vec<(Column, Order)> {
            vec![(Column::CreatedAt, Order::Desc), (Column::Id, Order::Desc)]
        }
    }

    /// The recorded changes of an obligation, oldest first.
    pub struct Amendments;

    impl Relation for Amendments {
        type Entity = amendment::Entity;
        fn key() -> amendment::Column {
            amendment::Column::ObligationId
        }
        fn order() -> Vec<(amendment::Column, Order)> {
            vec![
                (amendment::Column::AmendedAt, Order::Asc),
                (amendment::Column::Id, Order::Asc),
            ]
        }
    }

    /// The saves of a report's working copy, oldest first.
    pub struct Saves;

    impl Relation for Saves {
        type Entity = report_save::Entity;
        fn key() -> report_save::Column {
            report_save::Column::ReportId
        }
        fn order() -> Vec<(report_save::Column, Order)> {
            vec![
                (report_save::Column::SavedAt, Order::Asc),
                (report_save::Column::Id, Order::Asc),
            ]
        }
    }

    /// Every report of an obligation (for its issuer's side, who sees them all).
    pub struct Reports;

    impl Relation for Reports {
        type Entity = report::Entity;
        fn key() -> report::Column {
            report::Column::ObligationId
        }
        fn order() -> Vec<(report::Column, Order)> {
            vec![(report::Column::Id, Order::Asc)]
        }
    }

    /// The reports of an obligation the caller may see: all of them for the issuer's side, its
    /// own for a recipient.
    pub struct VisibleReports;

    impl Relation for VisibleReports {
        type Entity = report::Entity;
        fn key() -> report::Column {
            report::Column::ObligationId
        }
        fn select(actor: Option<&Actor>) -> AppResult<Select<report::Entity>> {
            visible_reports(signed_in(actor)?)
        }
        fn order() -> Vec<(report::Column, Order)> {
            vec![(report::Column::Id, Order::Asc)]
        }
    }

    /// The submitted versions of a report, oldest first.
    pub struct Versions;

    impl Relation for Versions {
        type Entity = report_version::Entity;
        fn key() -> report_version::Column {
            report_version::Column::ReportId
        }
        fn order() -> Vec<(report_version::Column, Order)> {
            vec![(report_version::Column::Number, Order::Asc)]
        }
    }

    /// Report templates by id.
    pub struct TemplateById;

    impl Relation for TemplateById {
        type Entity = entity::report_template::Entity;
        fn key() -> entity::report_template::Column {
            entity::report_template::Column::Id
        }
    }
}
