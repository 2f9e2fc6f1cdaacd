//! Prefill: the metric values the system can compute from what was recorded (events, releases,
//! press requests, trainings, plan tasks, incidents), so that a
//! reporter starts from numbers, not a blank form. It declares which metrics it computed; the
//! others are left to manual input.

use chrono::{NaiveDate, TimeZone, Utc};
use entity::{
    agency,
    information_release::{self, ReleaseStatus},
    press_event::{self, PressEventKind, PressEventStatus},
    press_request::{self, PressRequestStatus},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use super::templates::Spec;
use crate::{agency::service as agency_service, error::AppResult, time::VIETNAM};

/// One computed value.
#[derive(Clone, Debug)]
pub struct Prefilled {
    /// Metric key.
    pub key: String,
    /// Value, in the metric's shape.
    pub value: Value,
    /// Where it comes from.
    pub source: &'static str,
}

/// The half-open UTC interval of a period of Vietnam dates.
fn interval(start: NaiveDate, end: NaiveDate) -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let at = |day: NaiveDate| {
        VIETNAM
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    (at(start), at(end.succ_opt().unwrap_or(end)))
}

/// Computes what it can of `spec`'s metrics for `agency` (and everything below it) over the
/// data period.
pub async fn compute<C: ConnectionTrait>(
    db: &C,
    spec: &Spec,
    agency: &agency::Model,
    period: (NaiveDate, NaiveDate),
) -> AppResult<Vec<Prefilled>> {
    let (from, to) = interval(period.0, period.1);
    let area = || agency_service::ids_under(&agency.path);
    let held = |kind: PressEventKind| {
        press_event::Entity::find()
            .filter(press_event::Column::OrganizerId.in_subquery(area()))
            .filter(press_event::Column::Status.eq(PressEventStatus::Held))
            .filter(press_event::Column::Kind.eq(kind))
            .filter(press_event::Column::StartsAt.gte(from))
            .filter(press_event::Column::StartsAt.lt(to))
    };
    let mut out = Vec::new();
    for metric in &spec.metrics {
        let (value, source) = match metric.key.as_str() {
            "press_conferences" => (
                json!(held(PressEventKind::PressConference).count(db).await?),
                "Họp báo đã tổ chức (sự kiện HELD)",
            ),
            "press_briefings" => (
                json!(held(PressEventKind::PressBriefing).count(db).await?),
                "Hội nghị cung cấp thông tin đã tổ chức",
            ),
            "liaison_statements" => (
                json!(held(PressEventKind::PressLiaisonMeeting).count(db).await?),
                "Giao ban báo chí đã tổ chức",
            ),
            "news_articles" => {
                let published = information_release::Entity::find()
                    .filter(information_release::Column::IssuingAgencyId.in_subquery(area()))
                    .filter(information_release::Column::Status.ne(ReleaseStatus::Draft))
                    .filter(information_release::Column::PublishedAt.gte(from))
                    .filter(information_release::Column::PublishedAt.lt(to))
                    .count(db)
                    .await?;
                (json!(published), "Văn bản cung cấp thông tin đã công bố")
            }
            "press_requests" => {
                let received = press_request::Entity::find()
                    .filter(press_request::Column::AddressedAgencyId.in_subquery(area()))
                    .filter(press_request::Column::ReceivedAt.gte(from))
                    .filter(press_request::Column::ReceivedAt.lt(to));
                let answered = received
                    .clone()
                    .filter(press_request::Column::Status.eq(PressRequestStatus::Answered));
                (
                    json!({ "numerator": answered.count(db).await?, "denominator": received.count(db).await? }),
                    "Yêu cầu của báo chí đã trả lời / đã nhận",
                )
            }
            "trainings" | "training_participants" => {
                let (sessions, people) =
                    crate::training::service::held_in(db, agency, from, to).await?;
                if metric.key == "trainings" {
                    (json!(sessions), "Lớp tập huấn đã tổ chức (đã bắt đầu)")
                } else {
                    (json!(people), "Lượt người có mặt tại các lớp tập huấn")
                }
            }
            "incident_statements"
            | "statements_on_time"
            | "corrections"
            | "false_information_handled" => {
                let counts = crate::incident::service::counts_in(db, agency, from, to).await?;
                let ratio = |numerator: u64, denominator: u64| json!({ "numerator": numerator, "denominator": denominator });
                match metric.key.as_str() {
                    "incident_statements" => (
                        ratio(counts.with_statement, counts.incidents),
                        "Vụ việc đã phát ngôn / vụ việc phát sinh",
                    ),
                    "statements_on_time" => (
                        ratio(counts.on_time, counts.with_statement),
                        "Phát ngôn đúng hạn / phát ngôn có thời hạn",
                    ),
                    "corrections" => (
                        ratio(counts.correction_requested, counts.false_information),
                        "Yêu cầu cải chính / thông tin sai sự thật",
                    ),
                    _ => (
                        json!(counts.false_information),
                        "Thông tin sai lệch đã ghi nhận",
                    ),
                }
            }
            _ => continue,
        };
        out.push(Prefilled {
            key: metric.key.clone(),
            value,
            source,
        });
    }
    Ok(out)
}
