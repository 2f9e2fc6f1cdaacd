//! Who a press-facing event concerns and what it tells them: press events and the press's
//! replies, press requests, incidents, information releases and spokespersons. The types, the
//! dispatch by kind and the rules of the reporting cascade, plans and the directory are in
//! `rules.rs`.

use chrono::Utc;
use entity::{
    agency, domain_event, incident,
    information_release::{self as release, Audience, ReleaseStatus},
    press_event,
    press_event::PressEventStatus,
    press_event_invitation as invitation, press_request, release_recipient, spokesperson,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::rules::{Addressees, Notice, moment, name, one, province, summary};
use crate::{error::AppResult, error::Msg};

pub(super) async fn press_event_notices<C: ConnectionTrait>(
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

pub(super) async fn reply_notices<C: ConnectionTrait>(
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

pub(super) async fn press_request_notices<C: ConnectionTrait>(
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

pub(super) async fn incident_notices<C: ConnectionTrait>(
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

pub(super) async fn release_notices<C: ConnectionTrait>(
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

pub(super) async fn spokesperson_notices<C: ConnectionTrait>(
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
