//! The notices of reminders (the events `reminder::service` gives): the agency that must act,
//! and for what is overdue the level above that chases it. A reminder about a record that no
//! longer needs it (the report was submitted, the question answered) gives no notice.

use entity::{
    domain_event,
    incident::{self, IncidentStatus},
    plan, plan_task,
    plan_task::TaskStatus,
    press_request::{self, PressRequestStatus},
    report::{self, ReportStatus},
    reporting_obligation as obligation, spokesperson,
};
use sea_orm::{ConnectionTrait, EntityTrait};

use super::rules::{Addressees, Notice, date, moment, name, one, province, summary};
use crate::{
    error::{AppResult, Msg},
    time::VIETNAM,
};

/// The notices of the reminder `event`.
pub async fn notices<C: ConnectionTrait>(
    db: &C,
    event: &domain_event::Model,
) -> AppResult<Vec<Notice>> {
    let id = event.record_id;
    let today = event.occurred_at.with_timezone(&VIETNAM).date_naive();
    match event.kind.as_str() {
        "report.dueSoon" | "report.dueToday" | "report.overdue" => {
            let Some(r) = report::Entity::find_by_id(id).one(db).await? else {
                return Ok(Vec::new());
            };
            let owed = matches!(
                r.status,
                ReportStatus::NotStarted | ReportStatus::Draft | ReportStatus::Returned
            );
            let Some(o) = obligation::Entity::find_by_id(r.obligation_id)
                .one(db)
                .await?
            else {
                return Ok(Vec::new());
            };
            if !owed {
                return Ok(Vec::new());
            }
            let due = date(r.due_date);
            let days = (r.due_date - today).num_days();
            Ok(match event.kind.as_str() {
                "report.dueSoon" => one(
                    Addressees::Agencies(vec![r.recipient_agency_id]),
                    Msg::new(
                        format!("Sắp đến hạn nộp báo cáo: {}", o.title),
                        format!("Report due soon: {}", o.title),
                    ),
                    Msg::new(
                        format!("Hạn nộp {due}, còn {days} ngày."),
                        format!("Due {due}, in {days} days."),
                    ),
                ),
                "report.dueToday" => one(
                    Addressees::Agencies(vec![r.recipient_agency_id]),
                    Msg::new(
                        format!("Hôm nay là hạn nộp báo cáo: {}", o.title),
                        format!("Report due today: {}", o.title),
                    ),
                    Msg::new(
                        format!("Hạn nộp hôm nay, {due}."),
                        format!("Due today, {due}."),
                    ),
                ),
                _ => {
                    let late = -days;
                    let reporter = name(db, r.recipient_agency_id).await?;
                    let mut notices = one(
                        Addressees::Agencies(vec![r.recipient_agency_id]),
                        Msg::new(
                            format!("Quá hạn nộp báo cáo: {}", o.title),
                            format!("Report overdue: {}", o.title),
                        ),
                        Msg::new(
                            format!("Đã quá hạn {late} ngày (hạn {due}); đề nghị nộp ngay."),
                            format!("{late} days past its due date ({due}); please submit."),
                        ),
                    );
                    notices.extend(one(
                        Addressees::Agencies(vec![o.issuer_agency_id]),
                        Msg::new(
                            format!("{reporter} chưa nộp báo cáo: {}", o.title),
                            format!("{reporter} has not reported: {}", o.title),
                        ),
                        Msg::new(
                            format!("Quá hạn {late} ngày (hạn {due})."),
                            format!("{late} days past its due date ({due})."),
                        ),
                    ));
                    notices
                }
            })
        }
        "pressRequest.dueSoon" | "pressRequest.overdue" => {
            let Some(q) = press_request::Entity::find_by_id(id).one(db).await? else {
                return Ok(Vec::new());
            };
            if q.status != PressRequestStatus::Open {
                return Ok(Vec::new());
            }
            let due = moment(q.due_at);
            let (vi, en) = if event.kind == "pressRequest.overdue" {
                ("Quá hạn trả lời báo chí", "Press request overdue")
            } else {
                ("Sắp đến hạn trả lời báo chí", "Press request due soon")
            };
            Ok(one(
                Addressees::Agencies(vec![q.addressed_agency_id]),
                Msg::new(
                    format!("{vi}: {}", q.subject),
                    format!("{en}: {}", q.subject),
                ),
                Msg::new(
                    format!("Câu hỏi “{}”, hạn trả lời {due}.", q.subject),
                    format!("The question “{}”, answer due {due}.", q.subject),
                ),
            ))
        }
        "incident.statementDueSoon" | "incident.statementOverdue" => {
            let Some(i) = incident::Entity::find_by_id(id).one(db).await? else {
                return Ok(Vec::new());
            };
            if i.status != IncidentStatus::Open || i.first_statement_at.is_some() {
                return Ok(Vec::new());
            }
            let handler = i.handling_agency_id.unwrap_or(i.affected_agency_id);
            let due = moment(i.statement_due_at);
            let about = summary(&i.summary);
            let overdue = event.kind == "incident.statementOverdue";
            let (vi, en) = if overdue {
                ("Quá hạn phát ngôn về sự cố", "Incident statement overdue")
            } else {
                (
                    "Sắp đến hạn phát ngôn về sự cố",
                    "Incident statement due soon",
                )
            };
            let mut notices = one(
                Addressees::Agencies(vec![handler]),
                Msg::new(format!("{vi}: {about}"), format!("{en}: {about}")),
                Msg::new(
                    format!("Phát ngôn lần đầu hạn {due}."),
                    format!("The first statement is due {due}."),
                ),
            );
            if overdue && let Some(department) = province(db, i.affected_agency_id).await? {
                let handler = name(db, handler).await?;
                notices.extend(one(
                    Addressees::DepartmentOf(department),
                    Msg::new(format!("{vi}: {about}"), format!("{en}: {about}")),
                    Msg::new(
                        format!("{handler} chưa phát ngôn; hạn {due}."),
                        format!("{handler} has not made a statement; due {due}."),
                    ),
                ));
            }
            Ok(notices)
        }
        "spokesperson.publicationOverdue" => {
            let Some(s) = spokesperson::Entity::find_by_id(id).one(db).await? else {
                return Ok(Vec::new());
            };
            if s.published_at.is_some() {
                return Ok(Vec::new());
            }
            let agency = name(db, s.agency_id).await?;
            let due = moment(s.publication_due_at);
            let title = Msg::new(
                format!("Chưa công bố người phát ngôn: {agency}"),
                format!("Spokesperson not yet published: {agency}"),
            );
            let body = Msg::new(
                format!("{} ({}): hạn công bố {due} đã qua.", s.full_name, s.title),
                format!("{} ({}): publication was due {due}.", s.full_name, s.title),
            );
            let mut notices = one(
                Addressees::Agencies(vec![s.agency_id]),
                title.clone(),
                body.clone(),
            );
            if let Some(department) = province(db, s.agency_id).await? {
                notices.extend(one(Addressees::DepartmentOf(department), title, body));
            }
            Ok(notices)
        }
        "planTask.dueSoon" | "planTask.overdue" => {
            let Some(t) = plan_task::Entity::find_by_id(id).one(db).await? else {
                return Ok(Vec::new());
            };
            if !matches!(t.status, TaskStatus::NotStarted | TaskStatus::InProgress) {
                return Ok(Vec::new());
            }
            let Some(p) = plan::Entity::find_by_id(t.plan_id).one(db).await? else {
                return Ok(Vec::new());
            };
            let content = summary(&t.content);
            let due = t.due_date.map(date).unwrap_or_default();
            let overdue = event.kind == "planTask.overdue";
            let (vi, en) = if overdue {
                ("Nhiệm vụ quá hạn", "Task overdue")
            } else {
                ("Nhiệm vụ sắp đến hạn", "Task due soon")
            };
            let mut agencies = vec![t.lead_agency_id];
            if overdue && p.agency_id != t.lead_agency_id {
                agencies.push(p.agency_id);
            }
            Ok(one(
                Addressees::Agencies(agencies),
                Msg::new(format!("{vi}: {content}"), format!("{en}: {content}")),
                Msg::new(
                    format!("Kế hoạch “{}”: hạn {due}.", p.title),
                    format!("Plan “{}”: due {due}.", p.title),
                ),
            ))
        }
        _ => Ok(Vec::new()),
    }
}
