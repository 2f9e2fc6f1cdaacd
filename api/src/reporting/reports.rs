//! Writing and reviewing reports: the working copy saved as a merge of changes (each kept in
//! the history), submission as an unchangeable version, return and acceptance.

use std::collections::BTreeMap;

use chrono::Utc;
use entity::{
    ids::{AgencyId, ReportId, TemplateId},
    report::{self, ReportStatus},
    report_save::{self, SaveKind},
    report_version,
    reporting_obligation::{Entity as Obligation, Model, ObligationStatus},
};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::json;
use uuid::Uuid;

use super::{
    service::{REPORTS, not_found, report, stale, versions},
    templates::{self, Spec},
    types::{check_content, is_late},
};
use crate::{
    agency::service as agency_service,
    auth::actor::Actor,
    document::{DocumentRef, Numbered},
    error::{AppError, AppResult, Msg},
    policy::{self, Operation},
};

/// A report's content as written.
#[derive(Clone, Debug, Default)]
pub struct ReportContent {
    /// Section texts.
    pub sections: BTreeMap<String, String>,
    /// Metric values (JSON, checked against the template).
    pub metrics: BTreeMap<String, serde_json::Value>,
    /// Signer's name.
    pub signer_name: Option<String>,
    /// Signer's title.
    pub signer_title: Option<String>,
    /// The report's document.
    pub document: Option<DocumentRef>,
}

/// A change to a report's working copy, merged into what was saved before: a section or metric
/// given replaces the saved one, one given as `None` (null) is cleared, one not given stays;
/// the signer and the document likewise (outer `None`: not given).
#[derive(Clone, Debug, Default)]
pub struct ReportPatch {
    /// Section texts by key.
    pub sections: BTreeMap<String, Option<String>>,
    /// Metric values by key.
    pub metrics: BTreeMap<String, Option<serde_json::Value>>,
    /// Signer's name.
    pub signer_name: Option<Option<String>>,
    /// Signer's title.
    pub signer_title: Option<Option<String>>,
    /// The report's document.
    pub document: Option<Option<DocumentRef>>,
}

impl ReportPatch {
    /// The change as JSON, for the history: what was given, nulls for what was cleared.
    fn to_json(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        if !self.sections.is_empty() {
            out.insert("sections".into(), json!(self.sections));
        }
        if !self.metrics.is_empty() {
            out.insert("metrics".into(), json!(self.metrics));
        }
        if let Some(name) = &self.signer_name {
            out.insert("signerName".into(), json!(name));
        }
        if let Some(title) = &self.signer_title {
            out.insert("signerTitle".into(), json!(title));
        }
        if let Some(document) = &self.document {
            out.insert(
                "document".into(),
                json!(
                    document
                        .as_ref()
                        .map(|d| json!({ "number": d.number.as_str(), "date": d.date }))
                ),
            );
        }
        serde_json::Value::Object(out)
    }

    /// The content after this change to `row`'s saved content.
    fn apply(self, row: &report::Model) -> AppResult<ReportContent> {
        let mut sections: BTreeMap<String, String> =
            serde_json::from_str(&row.sections).unwrap_or_default();
        for (key, value) in self.sections {
            match value {
                Some(text) => sections.insert(key, text),
                None => sections.remove(&key),
            };
        }
        let mut metrics: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(&row.metrics).unwrap_or_default();
        for (key, value) in self.metrics {
            match value {
                Some(value) => metrics.insert(key, value),
                None => metrics.remove(&key),
            };
        }
        let saved_document = match (&row.doc_number, row.doc_date) {
            (Some(number), Some(date)) => Some(DocumentRef {
                number: crate::document::DocumentNumber::parse("document", number)?,
                date,
            }),
            _ => None,
        };
        Ok(ReportContent {
            sections,
            metrics,
            signer_name: self.signer_name.unwrap_or_else(|| row.signer_name.clone()),
            signer_title: self
                .signer_title
                .unwrap_or_else(|| row.signer_title.clone()),
            document: self.document.unwrap_or(saved_document),
        })
    }
}

/// Keeps one save in the report's history (inside the mutation's transaction: a refused save
/// leaves none).
async fn record_save<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    row: &report::Model,
    kind: SaveKind,
    patch: &ReportPatch,
) -> AppResult<()> {
    report_save::Entity::insert(report_save::ActiveModel {
        id: Set(Uuid::now_v7()),
        report_id: Set(row.id),
        kind: Set(kind),
        changes: Set(patch.to_json().to_string()),
        saved_by: Set(Some(actor.id())),
        saved_by_name: Set(actor.name().to_owned()),
        saved_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Loads a report the actor's own agency writes, with its obligation and template.
async fn own_report<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ReportId,
    expected_version: Option<i32>,
) -> AppResult<(report::Model, Model, Spec)> {
    policy::require(actor, Operation::ReportWrite)?;
    let row = report(db, actor, id).await?;
    if actor.agency_id().map(|a| a.0) != Some(row.recipient_agency_id) {
        return Err(AppError::Forbidden(Msg::new(
            "Chỉ cơ quan được yêu cầu mới lập và gửi báo cáo của mình",
            "Only the agency asked writes and submits its report",
        )));
    }
    if expected_version.is_some_and(|v| v != row.version) {
        return Err(stale());
    }
    let obligation = Obligation::find_by_id(row.obligation_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if obligation.status != ObligationStatus::Issued {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Yêu cầu báo cáo đã bị thu hồi",
                "The obligation was withdrawn",
            ),
        });
    }
    if matches!(row.status, ReportStatus::Submitted | ReportStatus::Accepted) {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Báo cáo đã gửi không được sửa; chờ cấp trên trả lại nếu cần sửa",
                "A submitted report is not edited; it must be returned first",
            ),
        });
    }
    let spec = templates::get(db, TemplateId(obligation.template_id)).await?;
    Ok((row, obligation, spec))
}

pub(super) fn write_report_content(
    changes: &mut report::ActiveModel,
    content: &ReportContent,
) -> AppResult<()> {
    changes.sections = Set(serde_json::to_string(&content.sections).map_err(AppError::internal)?);
    changes.metrics = Set(serde_json::to_string(&content.metrics).map_err(AppError::internal)?);
    changes.signer_name = Set(content.signer_name.clone());
    changes.signer_title = Set(content.signer_title.clone());
    changes.doc_number = Set(content
        .document
        .as_ref()
        .map(|d| d.number.as_str().to_owned()));
    changes.doc_date = Set(content.document.as_ref().map(|d| d.date));
    Ok(())
}

/// Registers the report's document number (unique per reporting agency and year).
pub(super) async fn register_report_document<C: ConnectionTrait>(
    db: &C,
    row: &report::Model,
    content: &ReportContent,
) -> AppResult<()> {
    crate::document::register(
        db,
        Numbered::Report,
        row.id,
        row.recipient_agency_id,
        content.document.as_ref(),
        "document",
    )
    .await
}

async fn save_report<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    row: &report::Model,
    changes: report::ActiveModel,
) -> AppResult<report::Model> {
    if !REPORTS.update(db, row.id, row.version, changes).await? {
        return Err(stale());
    }
    report(db, actor, ReportId(row.id)).await
}

/// The report the actor's agency writes, with `patch` merged into its saved content and kept in
/// the history as a save of `kind`; the merged content is checked against the template (every
/// required part present when submitting).
async fn merged<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ReportId,
    patch: ReportPatch,
    expected_version: Option<i32>,
    kind: SaveKind,
) -> AppResult<(report::Model, Model, ReportContent)> {
    let (row, obligation, spec) = own_report(db, actor, id, expected_version).await?;
    record_save(db, actor, &row, kind, &patch).await?;
    let content = patch.apply(&row)?;
    check_content(
        &spec.sections,
        &spec.metrics,
        &content.sections,
        &content.metrics,
        kind == SaveKind::Submitted,
    )?;
    Ok((row, obligation, content))
}

/// Saves the working copy (status `DRAFT`), `patch` merged into what was saved; the content is
/// checked for known keys and types.
pub async fn save_draft<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ReportId,
    patch: ReportPatch,
    expected_version: Option<i32>,
) -> AppResult<report::Model> {
    let (row, _, content) = merged(db, actor, id, patch, expected_version, SaveKind::Saved).await?;
    let mut changes = report::ActiveModel {
        status: Set(ReportStatus::Draft),
        ..Default::default()
    };
    write_report_content(&mut changes, &content)?;
    register_report_document(db, &row, &content).await?;
    save_report(db, actor, &row, changes).await
}

/// Submits the report as saved, with `patch` merged in (an empty patch submits the draft as it
/// stands): the template must be satisfied; the submission is kept as a new, unchangeable
/// version; lateness is computed against the due date.
pub async fn submit<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ReportId,
    patch: ReportPatch,
    expected_version: Option<i32>,
) -> AppResult<report::Model> {
    let (row, obligation, content) =
        merged(db, actor, id, patch, expected_version, SaveKind::Submitted).await?;
    if content.signer_name.is_none() || content.signer_title.is_none() {
        return Err(AppError::bad_input(
            "signerName",
            Msg::new(
                "Cần người ký và chức danh người ký",
                "The signer's name and title are needed",
            ),
        ));
    }
    let now = Utc::now();
    let late = is_late(now, obligation.due_date);
    // The report row first: its versioned update locks the row and decides between two
    // concurrent submissions (the second gets `CONFLICT`), so the version number read after it
    // cannot be taken by the other one.
    let mut changes = report::ActiveModel {
        status: Set(ReportStatus::Submitted),
        submitted_at: Set(Some(now)),
        late: Set(Some(late)),
        ..Default::default()
    };
    write_report_content(&mut changes, &content)?;
    register_report_document(db, &row, &content).await?;
    if !REPORTS.update(db, row.id, row.version, changes).await? {
        return Err(stale());
    }
    let number = versions(db, ReportId(row.id)).await?.len() as i32 + 1;
    let snapshot = json!({
        "sections": content.sections,
        "metrics": content.metrics,
        "signerName": content.signer_name,
        "signerTitle": content.signer_title,
        "document": content.document.as_ref().map(|d| json!({ "number": d.number.as_str(), "date": d.date })),
    });
    report_version::Entity::insert(report_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        report_id: Set(row.id),
        number: Set(number),
        submitted_at: Set(now),
        submitted_by: Set(Some(actor.id())),
        late: Set(late),
        content: Set(snapshot.to_string()),
    })
    .exec_without_returning(db)
    .await?;
    report(db, actor, ReportId(row.id)).await
}

/// How the issuer's side decides on a submitted report.
pub enum Review {
    /// Sent back with a comment.
    Return(String),
    /// Accepted.
    Accept,
}

/// Returns or accepts a submitted report of an obligation issued in the actor's scope.
pub async fn review<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: ReportId,
    decision: Review,
    expected_version: Option<i32>,
) -> AppResult<report::Model> {
    let row = report(db, actor, id).await?;
    let obligation = Obligation::find_by_id(row.obligation_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let issuer = agency_service::get(db, AgencyId(obligation.issuer_agency_id)).await?;
    policy::require_at(actor, Operation::ReportReview, Some(&issuer.path))?;
    if expected_version.is_some_and(|v| v != row.version) {
        return Err(stale());
    }
    if row.status != ReportStatus::Submitted {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Chỉ xét được báo cáo đã gửi",
                "Only a submitted report can be reviewed",
            ),
        });
    }
    let mut changes = report::ActiveModel {
        reviewed_at: Set(Some(Utc::now())),
        ..Default::default()
    };
    match decision {
        Review::Return(comment) => {
            changes.status = Set(ReportStatus::Returned);
            changes.review_comment = Set(Some(comment));
        }
        Review::Accept => changes.status = Set(ReportStatus::Accepted),
    }
    save_report(db, actor, &row, changes).await
}
