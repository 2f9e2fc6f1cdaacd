//! Who an event concerns and what it tells them: for each kind of event, the agencies that must
//! act or know (chosen as the records' own visibility rules choose their readers) and the
//! notice's title and text in Vietnamese and English. Read from the records as they are when
//! the event is dispatched; an event no rule names gives no notice (it stays in the outbox for
//! the change feed). The press-facing kinds' rules are in `press_rules.rs`.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agency, domain_event, plan, plan_task, report, reporting_obligation as obligation,
    training_invitation, training_participant, training_session,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::{auth::actor::province_path, error::AppResult, error::Msg, time::VIETNAM};

/// Who a notice goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addressees {
    /// The accounts of these agencies.
    Agencies(Vec<Uuid>),
    /// The department accounts of the province at this path (its TTĐN lead's queue).
    DepartmentOf(String),
}

/// One notice to give.
#[derive(Clone, Debug)]
pub struct Notice {
    /// Who.
    pub to: Addressees,
    /// Title.
    pub title: Msg,
    /// Text.
    pub body: Msg,
}

pub(super) fn date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

pub(super) fn moment(at: DateTime<Utc>) -> String {
    at.with_timezone(&VIETNAM)
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

async fn agency<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Option<agency::Model>> {
    Ok(agency::Entity::find_by_id(id).one(db).await?)
}

pub(super) async fn name<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<String> {
    Ok(agency(db, id).await?.map(|a| a.name).unwrap_or_default())
}

/// The province path of agency `id` (empty when unknown: no department then).
pub(super) async fn province<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Option<String>> {
    Ok(agency(db, id).await?.map(|a| province_path(&a.path)))
}

pub(super) fn one(to: Addressees, title: Msg, body: Msg) -> Vec<Notice> {
    vec![Notice { to, title, body }]
}

fn document(number: Option<&str>) -> (String, String) {
    match number {
        Some(n) => (format!(" (công văn số {n})"), format!(" (letter {n})")),
        None => (String::new(), String::new()),
    }
}

/// The kinds of event that give notices (those [`notices`] matches; reminders in
/// `reminder::service::KINDS`): what a mail subscription may ask for.
pub const KINDS: [&str; 31] = [
    "obligation.issue",
    "obligation.cascade",
    "obligation.amend",
    "obligation.withdraw",
    "report.submit",
    "report.return",
    "report.accept",
    "pressEvent.announce",
    "pressEvent.reschedule",
    "pressEvent.cancel",
    "pressEvent.invite",
    "pressEvent.reply",
    "pressRequest.send",
    "pressRequest.answer",
    "pressRequest.refuse",
    "incident.report",
    "incident.assign",
    "incident.statement",
    "plan.addTask",
    "plan.progress",
    "plan.create",
    "training.invite",
    "training.register",
    "release.publish",
    "release.withdraw",
    "spokesperson.appoint",
    "spokesperson.endTerm",
    "agency.create",
    "agency.move",
    "agency.close",
    "webhook.disabled",
];

/// Whether events of `kind` give notices.
pub fn gives_notices(kind: &str) -> bool {
    KINDS.contains(&kind) || crate::reminder::service::KINDS.contains(&kind)
}

/// The notices `event` gives.
pub async fn notices<C: ConnectionTrait>(
    db: &C,
    event: &domain_event::Model,
) -> AppResult<Vec<Notice>> {
    let id = event.record_id;
    match event.kind.as_str() {
        "obligation.issue" | "obligation.cascade" | "obligation.amend" | "obligation.withdraw" => {
            obligation_notices(db, &event.kind, id).await
        }
        "report.submit" | "report.return" | "report.accept" => {
            report_notices(db, &event.kind, id).await
        }
        "pressEvent.announce"
        | "pressEvent.reschedule"
        | "pressEvent.cancel"
        | "pressEvent.invite" => super::press_rules::press_event_notices(db, event).await,
        "pressEvent.reply" => super::press_rules::reply_notices(db, event).await,
        "pressRequest.send" | "pressRequest.answer" | "pressRequest.refuse" => {
            super::press_rules::press_request_notices(db, &event.kind, id).await
        }
        "incident.report" | "incident.assign" | "incident.statement" => {
            super::press_rules::incident_notices(db, &event.kind, id).await
        }
        "plan.addTask" | "plan.progress" => task_notices(db, &event.kind, id).await,
        "plan.create" => plan_notices(db, id).await,
        "training.invite" | "training.register" => training_notices(db, &event.kind, id).await,
        "release.publish" | "release.withdraw" => {
            super::press_rules::release_notices(db, &event.kind, id).await
        }
        "spokesperson.appoint" | "spokesperson.endTerm" => {
            super::press_rules::spokesperson_notices(db, &event.kind, id).await
        }
        "agency.create" | "agency.move" | "agency.close" => {
            agency_notices(db, &event.kind, id).await
        }
        "webhook.disabled" => webhook_notices(db, id).await,
        kind if crate::reminder::service::KINDS.contains(&kind) => {
            super::reminders::notices(db, event).await
        }
        _ => Ok(Vec::new()),
    }
}

/// An endpoint disabled after a run of failures: the agency that registered it is told.
async fn webhook_notices<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Vec<Notice>> {
    let Some(endpoint) = entity::webhook_endpoint::Entity::find_by_id(id)
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    let reason = endpoint.disabled_reason.clone().unwrap_or_default();
    Ok(one(
        Addressees::Agencies(vec![endpoint.notify_agency_id]),
        Msg::new(
            "Webhook bị tạm dừng do gửi không thành công nhiều lần",
            "Webhook disabled after repeated failures",
        ),
        Msg::new(
            format!(
                "Webhook {} đã bị tạm dừng ({reason}). Kiểm tra hệ thống nhận rồi bật lại; các thay đổi đang chờ sẽ được gửi tiếp.",
                endpoint.url
            ),
            format!(
                "The webhook {} was disabled ({reason}). Check the receiving system, then enable it again; the changes waiting will be sent.",
                endpoint.url
            ),
        ),
    ))
}

async fn obligation_notices<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    id: Uuid,
) -> AppResult<Vec<Notice>> {
    let Some(o) = obligation::Entity::find_by_id(id).one(db).await? else {
        return Ok(Vec::new());
    };
    let asked: Vec<Uuid> = report::Entity::find()
        .select_only()
        .column(report::Column::RecipientAgencyId)
        .filter(report::Column::ObligationId.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    let issuer = name(db, o.issuer_agency_id).await?;
    let (doc_vi, doc_en) = document(o.doc_number.as_deref());
    let due = date(o.due_date);
    let (title, body) = match kind {
        "obligation.amend" => (
            Msg::new(
                format!("Yêu cầu báo cáo được điều chỉnh: {}", o.title),
                format!("Report request amended: {}", o.title),
            ),
            Msg::new(
                format!(
                    "{issuer} điều chỉnh yêu cầu báo cáo “{}”{doc_vi}; hạn nộp {due}.",
                    o.title
                ),
                format!(
                    "{issuer} amended the report request “{}”{doc_en}; due {due}.",
                    o.title
                ),
            ),
        ),
        "obligation.withdraw" => (
            Msg::new(
                format!("Yêu cầu báo cáo đã thu hồi: {}", o.title),
                format!("Report request withdrawn: {}", o.title),
            ),
            Msg::new(
                format!("{issuer} thu hồi yêu cầu báo cáo “{}”{doc_vi}.", o.title),
                format!(
                    "{issuer} withdrew the report request “{}”{doc_en}.",
                    o.title
                ),
            ),
        ),
        _ => (
            Msg::new(
                format!("Yêu cầu báo cáo mới: {}", o.title),
                format!("New report request: {}", o.title),
            ),
            Msg::new(
                format!(
                    "{issuer} yêu cầu báo cáo “{}”{doc_vi}, số liệu từ {} đến {}; hạn nộp {due}.",
                    o.title,
                    date(o.period_start),
                    date(o.period_end)
                ),
                format!(
                    "{issuer} asks for the report “{}”{doc_en}, data from {} to {}; due {due}.",
                    o.title,
                    date(o.period_start),
                    date(o.period_end)
                ),
            ),
        ),
    };
    Ok(one(Addressees::Agencies(asked), title, body))
}

async fn report_notices<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    id: Uuid,
) -> AppResult<Vec<Notice>> {
    let Some(r) = report::Entity::find_by_id(id).one(db).await? else {
        return Ok(Vec::new());
    };
    let Some(o) = obligation::Entity::find_by_id(r.obligation_id)
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    let reporter = name(db, r.recipient_agency_id).await?;
    Ok(match kind {
        "report.submit" => {
            let late = r.late == Some(true);
            one(
                Addressees::Agencies(vec![o.issuer_agency_id]),
                Msg::new(
                    format!(
                        "{reporter} đã nộp báo cáo{}",
                        if late { " (muộn)" } else { "" }
                    ),
                    format!(
                        "{reporter} submitted its report{}",
                        if late { " (late)" } else { "" }
                    ),
                ),
                Msg::new(
                    format!(
                        "{reporter} đã nộp báo cáo “{}”{}.",
                        o.title,
                        if late { ", quá hạn" } else { "" }
                    ),
                    format!(
                        "{reporter} submitted the report “{}”{}.",
                        o.title,
                        if late { ", past its due date" } else { "" }
                    ),
                ),
            )
        }
        "report.return" => {
            let why = r.review_comment.clone().unwrap_or_default();
            one(
                Addressees::Agencies(vec![r.recipient_agency_id]),
                Msg::new(
                    format!("Báo cáo bị trả lại: {}", o.title),
                    format!("Report returned: {}", o.title),
                ),
                Msg::new(
                    format!("Báo cáo “{}” được trả lại để hoàn thiện: {why}", o.title),
                    format!(
                        "The report “{}” was returned for completion: {why}",
                        o.title
                    ),
                ),
            )
        }
        _ => one(
            Addressees::Agencies(vec![r.recipient_agency_id]),
            Msg::new(
                format!("Báo cáo đã được tiếp nhận: {}", o.title),
                format!("Report accepted: {}", o.title),
            ),
            Msg::new(
                format!("Báo cáo “{}” đã được tiếp nhận.", o.title),
                format!("The report “{}” was accepted.", o.title),
            ),
        ),
    })
}

/// The first 120 characters of a text.
pub(super) fn summary(text: &str) -> String {
    let mut short: String = text.chars().take(120).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

async fn task_notices<C: ConnectionTrait>(db: &C, kind: &str, id: Uuid) -> AppResult<Vec<Notice>> {
    let Some(t) = plan_task::Entity::find_by_id(id).one(db).await? else {
        return Ok(Vec::new());
    };
    let Some(p) = plan::Entity::find_by_id(t.plan_id).one(db).await? else {
        return Ok(Vec::new());
    };
    let content = summary(&t.content);
    if kind == "plan.progress" {
        let lead = name(db, t.lead_agency_id).await?;
        return Ok(one(
            Addressees::Agencies(vec![p.agency_id]),
            Msg::new(
                format!("Tiến độ nhiệm vụ: {content}"),
                format!("Task progress: {content}"),
            ),
            Msg::new(
                format!(
                    "{lead} cập nhật tiến độ nhiệm vụ “{content}” của kế hoạch “{}”.",
                    p.title
                ),
                format!(
                    "{lead} recorded progress on “{content}” of the plan “{}”.",
                    p.title
                ),
            ),
        ));
    }
    let mut agencies = vec![t.lead_agency_id];
    agencies.extend(
        t.coordinators
            .split(',')
            .filter_map(|c| Uuid::try_parse(c.trim()).ok()),
    );
    let due = t.due_date.map(date).unwrap_or_default();
    Ok(one(
        Addressees::Agencies(agencies),
        Msg::new(
            format!("Nhiệm vụ mới: {content}"),
            format!("New task: {content}"),
        ),
        Msg::new(
            format!(
                "Kế hoạch “{}” giao nhiệm vụ “{content}”; hạn {due}.",
                p.title
            ),
            format!(
                "The plan “{}” assigns the task “{content}”; due {due}.",
                p.title
            ),
        ),
    ))
}

async fn plan_notices<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Vec<Notice>> {
    let Some(p) = plan::Entity::find_by_id(id).one(db).await? else {
        return Ok(Vec::new());
    };
    let Some(parent) = p.implements_id else {
        return Ok(Vec::new());
    };
    let Some(parent) = plan::Entity::find_by_id(parent).one(db).await? else {
        return Ok(Vec::new());
    };
    let issuer = name(db, p.agency_id).await?;
    Ok(one(
        Addressees::Agencies(vec![parent.agency_id]),
        Msg::new(
            format!("Kế hoạch triển khai: {}", p.title),
            format!("Implementing plan: {}", p.title),
        ),
        Msg::new(
            format!(
                "{issuer} ban hành kế hoạch “{}” triển khai kế hoạch “{}”.",
                p.title, parent.title
            ),
            format!(
                "{issuer} issued the plan “{}” implementing “{}”.",
                p.title, parent.title
            ),
        ),
    ))
}

async fn training_notices<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    id: Uuid,
) -> AppResult<Vec<Notice>> {
    let Some(s) = training_session::Entity::find_by_id(id).one(db).await? else {
        return Ok(Vec::new());
    };
    let when = moment(s.starts_at);
    if kind == "training.register" {
        let count = training_participant::Entity::find()
            .filter(training_participant::Column::SessionId.eq(id))
            .count(db)
            .await?;
        return Ok(one(
            Addressees::Agencies(vec![s.organizer_id]),
            Msg::new(
                format!("Đăng ký tập huấn: {}", s.title),
                format!("Training registration: {}", s.title),
            ),
            Msg::new(
                format!("Lớp “{}” có {count} học viên đăng ký.", s.title),
                format!("“{}” has {count} registered participants.", s.title),
            ),
        ));
    }
    let invited: Vec<Uuid> = training_invitation::Entity::find()
        .filter(training_invitation::Column::SessionId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.agency_id)
        .collect();
    let organizer = name(db, s.organizer_id).await?;
    let place = s.place.clone().unwrap_or_default();
    Ok(one(
        Addressees::Agencies(invited),
        Msg::new(
            format!("Mời tập huấn: {}", s.title),
            format!("Training invitation: {}", s.title),
        ),
        Msg::new(
            format!(
                "{organizer} mời cử người dự lớp “{}” lúc {when}, {place}.",
                s.title
            ),
            format!(
                "{organizer} invites participants to “{}” at {when}, {place}.",
                s.title
            ),
        ),
    ))
}

async fn agency_notices<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    id: Uuid,
) -> AppResult<Vec<Notice>> {
    let Some(a) = agency(db, id).await? else {
        return Ok(Vec::new());
    };
    let (vi, en) = match kind {
        "agency.create" => ("Cơ quan mới", "New agency"),
        "agency.move" => ("Cơ quan chuyển trực thuộc", "Agency moved"),
        _ => ("Cơ quan giải thể, sáp nhập", "Agency closed"),
    };
    Ok(one(
        Addressees::DepartmentOf(province_path(&a.path)),
        Msg::new(format!("{vi}: {}", a.name), format!("{en}: {}", a.name)),
        Msg::new(
            format!("{vi}: {} (cập nhật danh bạ).", a.name),
            format!("{en}: {} (directory updated).", a.name),
        ),
    ))
}
