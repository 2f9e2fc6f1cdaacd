//! Who an event concerns and what it tells them: for each kind of event, the agencies that must
//! act or know (chosen as the records' own visibility rules choose their readers) and the
//! notice's title and text in Vietnamese and English. Read from the records as they are when
//! the event is dispatched; an event no rule names gives no notice (it stays in the outbox for
//! the change feed).

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agency, domain_event, incident,
    information_release::{self as release, Audience, ReleaseStatus},
    plan, plan_task, press_event,
    press_event::PressEventStatus,
    press_event_invitation as invitation, press_request, release_recipient, report,
    reporting_obligation as obligation, spokesperson, training_invitation, training_participant,
    training_session,
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
        | "pressEvent.invite" => press_event_notices(db, event).await,
        "pressEvent.reply" => reply_notices(db, event).await,
        "pressRequest.send" | "pressRequest.answer" | "pressRequest.refuse" => {
            press_request_notices(db, &event.kind, id).await
        }
        "incident.report" | "incident.assign" | "incident.statement" => {
            incident_notices(db, &event.kind, id).await
        }
        "plan.addTask" | "plan.progress" => task_notices(db, &event.kind, id).await,
        "plan.create" => plan_notices(db, id).await,
        "training.invite" | "training.register" => training_notices(db, &event.kind, id).await,
        "release.publish" | "release.withdraw" => release_notices(db, &event.kind, id).await,
        "spokesperson.appoint" | "spokesperson.endTerm" => {
            spokesperson_notices(db, &event.kind, id).await
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

async fn press_event_notices<C: ConnectionTrait>(
    db: &C,
    event: &domain_event::Model,
) -> AppResult<Vec<Notice>> {
    let Some(e) = press_event::Entity::find_by_id(event.record_id)
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    // The press sees an event once announced: no notice about a planned one.
    if e.status == PressEventStatus::Planned {
        return Ok(Vec::new());
    }
    let mut invited = invitation::Entity::find().filter(invitation::Column::EventId.eq(e.id));
    if event.kind == "pressEvent.invite" {
        // Only the agencies this invitation added (invited in the same transaction).
        invited = invited.filter(
            invitation::Column::InvitedAt.gte(event.occurred_at - chrono::Duration::seconds(60)),
        );
    }
    let invited: Vec<Uuid> = invited
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.press_agency_id)
        .collect();
    let organizer = name(db, e.organizer_id).await?;
    let when = moment(e.starts_at);
    let place = e.place.clone().unwrap_or_default();
    let (title, body) = match event.kind.as_str() {
        "pressEvent.reschedule" => (
            Msg::new(
                format!("Đổi thời gian: {}", e.title),
                format!("Rescheduled: {}", e.title),
            ),
            Msg::new(
                format!("{organizer} chuyển “{}” sang {when}, {place}.", e.title),
                format!("{organizer} moved “{}” to {when}, {place}.", e.title),
            ),
        ),
        "pressEvent.cancel" => (
            Msg::new(
                format!("Hủy: {}", e.title),
                format!("Cancelled: {}", e.title),
            ),
            Msg::new(
                format!(
                    "{organizer} hủy “{}”: {}",
                    e.title,
                    e.cancellation_reason.clone().unwrap_or_default()
                ),
                format!(
                    "{organizer} cancelled “{}”: {}",
                    e.title,
                    e.cancellation_reason.clone().unwrap_or_default()
                ),
            ),
        ),
        _ => (
            Msg::new(
                format!("Giấy mời: {}", e.title),
                format!("Invitation: {}", e.title),
            ),
            Msg::new(
                format!("{organizer} mời dự “{}” lúc {when}, {place}.", e.title),
                format!(
                    "{organizer} invites you to “{}” at {when}, {place}.",
                    e.title
                ),
            ),
        ),
    };
    Ok(one(Addressees::Agencies(invited), title, body))
}

async fn reply_notices<C: ConnectionTrait>(
    db: &C,
    event: &domain_event::Model,
) -> AppResult<Vec<Notice>> {
    let Some(e) = press_event::Entity::find_by_id(event.record_id)
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    Ok(one(
        Addressees::Agencies(vec![e.organizer_id]),
        Msg::new(
            format!("Phản hồi giấy mời: {}", e.title),
            format!("Invitation answered: {}", e.title),
        ),
        Msg::new(
            format!("{} đã trả lời giấy mời dự “{}”.", event.actor_name, e.title),
            format!(
                "{} answered the invitation to “{}”.",
                event.actor_name, e.title
            ),
        ),
    ))
}

async fn press_request_notices<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    id: Uuid,
) -> AppResult<Vec<Notice>> {
    let Some(q) = press_request::Entity::find_by_id(id).one(db).await? else {
        return Ok(Vec::new());
    };
    Ok(match kind {
        "pressRequest.send" => {
            let press = name(db, q.press_agency_id).await?;
            let due = moment(q.due_at);
            one(
                Addressees::Agencies(vec![q.addressed_agency_id]),
                Msg::new(
                    format!("Câu hỏi của báo chí: {}", q.subject),
                    format!("Press request: {}", q.subject),
                ),
                Msg::new(
                    format!("{press} gửi câu hỏi “{}”; hạn trả lời {due}.", q.subject),
                    format!(
                        "{press} sent the question “{}”; answer due {due}.",
                        q.subject
                    ),
                ),
            )
        }
        _ => {
            let agency = name(db, q.addressed_agency_id).await?;
            let (vi, en) = if kind == "pressRequest.answer" {
                ("đã trả lời", "answered")
            } else {
                ("từ chối trả lời", "declined to answer")
            };
            one(
                Addressees::Agencies(vec![q.press_agency_id]),
                Msg::new(
                    format!("{agency} {vi}: {}", q.subject),
                    format!("{agency} {en}: {}", q.subject),
                ),
                Msg::new(
                    format!("{agency} {vi} câu hỏi “{}”.", q.subject),
                    format!("{agency} {en} the question “{}”.", q.subject),
                ),
            )
        }
    })
}

async fn incident_notices<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    id: Uuid,
) -> AppResult<Vec<Notice>> {
    let Some(i) = incident::Entity::find_by_id(id).one(db).await? else {
        return Ok(Vec::new());
    };
    let affected = name(db, i.affected_agency_id).await?;
    let due = moment(i.statement_due_at);
    let department = province(db, i.affected_agency_id).await?;
    Ok(match kind {
        "incident.report" => {
            let Some(department) = department else {
                return Ok(Vec::new());
            };
            one(
                Addressees::DepartmentOf(department),
                Msg::new(
                    format!("Sự cố thông tin mới: {affected}"),
                    format!("New incident: {affected}"),
                ),
                Msg::new(
                    format!(
                        "{} ({}) về {affected}; phát ngôn lần đầu hạn {due}.",
                        i.source_outlet,
                        summary(&i.summary)
                    ),
                    format!(
                        "{} ({}) about {affected}; first statement due {due}.",
                        i.source_outlet,
                        summary(&i.summary)
                    ),
                ),
            )
        }
        "incident.assign" => match i.handling_agency_id {
            Some(handler) => one(
                Addressees::Agencies(vec![handler]),
                Msg::new(
                    format!("Được giao xử lý sự cố: {affected}"),
                    format!("Incident assigned to you: {affected}"),
                ),
                Msg::new(
                    format!(
                        "Phát ngôn lần đầu về sự cố “{}” hạn {due}.",
                        summary(&i.summary)
                    ),
                    format!(
                        "The first statement on “{}” is due {due}.",
                        summary(&i.summary)
                    ),
                ),
            ),
            None => Vec::new(),
        },
        _ => {
            let Some(department) = department else {
                return Ok(Vec::new());
            };
            one(
                Addressees::DepartmentOf(department),
                Msg::new(
                    format!("Đã phát ngôn về sự cố: {affected}"),
                    format!("Statement made on an incident: {affected}"),
                ),
                Msg::new(
                    format!("Đã phát ngôn lần đầu về “{}”.", summary(&i.summary)),
                    format!("The first statement on “{}” was made.", summary(&i.summary)),
                ),
            )
        }
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

async fn release_notices<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    id: Uuid,
) -> AppResult<Vec<Notice>> {
    let Some(r) = release::Entity::find_by_id(id).one(db).await? else {
        return Ok(Vec::new());
    };
    // The press reads a release once published and past its embargo, and never an INTERNAL one.
    let embargoed = r.embargo_until.is_some_and(|until| until > Utc::now());
    if r.status == ReleaseStatus::Draft || r.audience == Audience::Internal || embargoed {
        return Ok(Vec::new());
    }
    let press: Vec<Uuid> = match r.audience {
        Audience::Targeted => release_recipient::Entity::find()
            .filter(release_recipient::Column::ReleaseId.eq(id))
            .all(db)
            .await?
            .into_iter()
            .map(|rr| rr.press_agency_id)
            .collect(),
        // A public release: the press agencies of the issuer's province.
        _ => {
            let Some(path) = province(db, r.issuing_agency_id).await? else {
                return Ok(Vec::new());
            };
            agency::Entity::find()
                .filter(agency::Column::Kind.eq(agency::AgencyKind::PressAgency))
                .filter(agency::Column::Path.starts_with(path))
                .filter(agency::Column::ValidTo.is_null())
                .all(db)
                .await?
                .into_iter()
                .map(|a| a.id)
                .collect()
        }
    };
    let issuer = name(db, r.issuing_agency_id).await?;
    let (title, body) = if kind == "release.withdraw" {
        (
            Msg::new(
                format!("Thu hồi thông tin: {}", r.title),
                format!("Release withdrawn: {}", r.title),
            ),
            Msg::new(
                format!("{issuer} thu hồi “{}”.", r.title),
                format!("{issuer} withdrew “{}”.", r.title),
            ),
        )
    } else {
        (
            Msg::new(
                format!("Thông tin mới: {}", r.title),
                format!("New release: {}", r.title),
            ),
            Msg::new(
                format!("{issuer} cung cấp thông tin “{}”.", r.title),
                format!("{issuer} released “{}”.", r.title),
            ),
        )
    };
    Ok(one(Addressees::Agencies(press), title, body))
}

async fn spokesperson_notices<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    id: Uuid,
) -> AppResult<Vec<Notice>> {
    let Some(s) = spokesperson::Entity::find_by_id(id).one(db).await? else {
        return Ok(Vec::new());
    };
    let Some(department) = province(db, s.agency_id).await? else {
        return Ok(Vec::new());
    };
    let agency = name(db, s.agency_id).await?;
    let (title, body) = if kind == "spokesperson.endTerm" {
        (
            Msg::new(
                format!("Kết thúc nhiệm vụ phát ngôn: {agency}"),
                format!("Spokesperson's term ended: {agency}"),
            ),
            Msg::new(
                format!("{} ({}) thôi làm người phát ngôn.", s.full_name, s.title),
                format!(
                    "{} ({}) no longer speaks for the agency.",
                    s.full_name, s.title
                ),
            ),
        )
    } else {
        let due = moment(s.publication_due_at);
        (
            Msg::new(
                format!("Người phát ngôn mới: {agency}"),
                format!("New spokesperson: {agency}"),
            ),
            Msg::new(
                format!(
                    "{} ({}); công bố thông tin liên hệ hạn {due}.",
                    s.full_name, s.title
                ),
                format!(
                    "{} ({}); contacts to be published by {due}.",
                    s.full_name, s.title
                ),
            ),
        )
    };
    Ok(one(Addressees::DepartmentOf(department), title, body))
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
