//! Obligations, the cascade and amendments; the rest of the area's rules are beside it
//! (`reports.rs`: a report written, submitted, reviewed; `report_lists.rs`: reading reports;
//! `compliance.rs`: compliance and roll-up; `relations.rs`: the batch loaders' ways in).
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
    ids::{AgencyId, ObligationId, TemplateId},
    obligation_amendment as amendment,
    report::{self, ReportStatus},
    report_version,
    reporting_obligation::{
        ActiveModel, Column, Entity as Obligation, Model, ObligationStatus, PeriodKind,
    },
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    Order, PaginatorTrait, QueryFilter, Select, sea_query::Query,
};
use serde_json::json;
use uuid::Uuid;

pub use super::compliance::{ComplianceState, MetricTotal, roll_up, state_of, state_of_parts};
pub use super::relations;
pub use super::report_lists::{
    ChaseFilter, ListedObligation, ListedWith, ReportBeside, ReportFilter, ReportWith, chase_days,
    chase_page, days_overdue, due_for, due_for_listed, report, reports, reports_of, to_chase,
    versions,
};
pub use super::reports::{ReportContent, ReportPatch, Review, review, save_draft, submit};
use super::reports::{register_report_document, write_report_content};
use super::{templates, types::is_late};
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

pub(super) fn report_not_found() -> AppError {
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
pub(super) fn visible(actor: &Actor) -> AppResult<Select<Obligation>> {
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

/// The reports of `obligation`, issued by `issuer`, one per agency of `agencies`.
async fn insert_reports<C: ConnectionTrait>(
    db: &C,
    (obligation, issuer): (Uuid, Uuid),
    due: NaiveDate,
    agencies: &[Uuid],
) -> AppResult<()> {
    let now = Utc::now();
    for agency in agencies {
        report::Entity::insert(report::ActiveModel {
            id: Set(Uuid::now_v7()),
            obligation_id: Set(obligation),
            recipient_agency_id: Set(*agency),
            issuer_agency_id: Set(issuer),
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
    insert_reports(db, (id.0, new.issuer.0), new.due_date, recipients).await?;
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
            (obligation.id, obligation.issuer_agency_id),
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
