//! The records that officials file, as administrative documents: a report (at its current
//! state or as one of its submitted versions), a district's consolidated report with its
//! communes' roll-up, an obligation's request letter (công văn) and a plan with its tasks.
//!
//! Each is read under the caller's visibility, through the areas' own `get`s: a record the
//! caller cannot see is `NOT_FOUND`, as in the API.

use std::collections::HashMap;

use chrono::Datelike as _;
use entity::{
    agency,
    ids::{ObligationId, PlanId, TemplateId},
    plan_task, reporting_obligation,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::layout::{Block, Official, Signature, roman};
use crate::{
    auth::actor::Actor,
    error::AppResult,
    plan::service as plans,
    reporting::{service as reporting, templates},
    time,
};

use super::issuer::*;
pub use super::report::{ReportContent, report};

/// A generated document with the name it is downloaded under.
pub struct Generated {
    /// The file name, in Vietnamese, built from the document's symbol (`Báo cáo 12-BC-UBND`),
    /// without extension.
    pub name: String,
    /// The document.
    pub document: Official,
}

/// An obligation's request letter (công văn): what is asked, the period, the due date, the
/// recipients; read by whoever sees the obligation, its recipients included.
pub async fn request_letter<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    raw_id: &str,
) -> AppResult<Generated> {
    let id = parse_id(
        raw_id,
        "Không tìm thấy yêu cầu báo cáo",
        "Reporting obligation not found",
    )?;
    let obligation = reporting::get(db, actor, ObligationId(id)).await?;
    let spec = templates::get(db, TemplateId(obligation.template_id)).await?;
    let issuer = Issuer::load(db, obligation.issuer_agency_id).await?;
    let reports = reporting::reports_of(db, ObligationId(id)).await?;
    let mut recipients: Vec<String> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(reports.iter().map(|r| r.recipient_agency_id)))
        .order_by_asc(agency::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.name)
        .collect();
    recipients.dedup();
    let (parent, letterhead) = issuer.letterhead();
    let year = obligation.doc_date.map_or_else(
        || obligation.created_at.with_timezone(&time::VIETNAM).year(),
        |d| d.year(),
    );

    let mut body = Vec::new();
    let parent_obligation = match obligation.parent_id {
        Some(parent) => {
            reporting_obligation::Entity::find_by_id(parent)
                .one(db)
                .await?
        }
        None => None,
    };
    let opening = match &parent_obligation {
        Some(above) => {
            let requester = Issuer::load(db, above.issuer_agency_id).await?;
            format!("{}; ", request_reference(above, &requester.agency))
        }
        None => String::new(),
    };
    let addressed = if recipients.len() == 1 {
        "Quý cơ quan"
    } else {
        "các cơ quan, đơn vị"
    };
    body.push(Block::Text(format!(
        "{opening}{} đề nghị {addressed} {}, số liệu tính từ ngày {} đến ngày {}, với các nội dung sau:",
        issuer.agency.name,
        lower_first(&obligation.title),
        time::date_vi(obligation.period_start),
        time::date_vi(obligation.period_end),
    )));
    for (i, section) in spec.sections.iter().enumerate() {
        body.push(Block::Text(format!("{}. {}.", i + 1, section.title)));
    }
    if !spec.metrics.is_empty() {
        body.push(Block::Text(
            "Số liệu báo cáo theo các chỉ tiêu sau:".to_owned(),
        ));
        body.push(Block::Table {
            headers: vec![
                "STT".to_owned(),
                "Chỉ tiêu".to_owned(),
                "Đơn vị tính".to_owned(),
                "Bắt buộc".to_owned(),
            ],
            rows: spec
                .metrics
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    vec![
                        (i + 1).to_string(),
                        m.label.clone(),
                        m.unit.clone(),
                        if m.required { "Có" } else { "Không" }.to_owned(),
                    ]
                })
                .collect(),
            widths: vec![1, 6, 2, 2],
            total: false,
        });
    }
    body.push(Block::Text(format!(
        "Báo cáo gửi về {} trước ngày {}, đồng thời cập nhật trên hệ thống thông tin đối ngoại.",
        issuer.agency.name,
        time::date_vi(obligation.due_date)
    )));
    body.push(Block::Text(format!(
        "Đề nghị {addressed} quan tâm, phối hợp thực hiện./."
    )));
    Ok(Generated {
        name: file_name(
            "Công văn",
            obligation.doc_number.as_deref(),
            &issuer.agency,
            false,
        ),
        document: Official {
            parent,
            issuer: letterhead,
            number: issuer.number(obligation.doc_number.as_deref(), None),
            subject: Some(format!("V/v {}", lower_first(&obligation.title))),
            place_date: issuer.place_date(obligation.doc_date, year),
            kind: None,
            title: None,
            recipients,
            body,
            copies_to: vec!["- Như trên;".to_owned(), "- Lưu: VT.".to_owned()],
            signature: Signature {
                lines: issuer.authority(),
                name: None,
            },
            draft: false,
        },
    })
}

/// A plan with its tasks table: content, lead agency, coordinating agencies, due date.
pub async fn plan<C: ConnectionTrait>(db: &C, actor: &Actor, raw_id: &str) -> AppResult<Generated> {
    let id = parse_id(raw_id, "Không tìm thấy kế hoạch", "Plan not found")?;
    let plan = plans::get(db, actor, PlanId(id)).await?;
    let issuer = Issuer::load(db, plan.agency_id).await?;
    let tasks = plan_task::Entity::find()
        .filter(plan_task::Column::PlanId.eq(id))
        .order_by_asc(plan_task::Column::CreatedAt)
        .order_by_asc(plan_task::Column::Id)
        .all(db)
        .await?;
    let coordinators = |task: &plan_task::Model| -> Vec<Uuid> {
        task.coordinators
            .split(',')
            .filter_map(|s| Uuid::try_parse(s).ok())
            .collect()
    };
    let names: HashMap<Uuid, String> = agency::Entity::find()
        .filter(
            agency::Column::Id.is_in(
                tasks
                    .iter()
                    .flat_map(|t| std::iter::once(t.lead_agency_id).chain(coordinators(t))),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let name_of = |id: &Uuid| names.get(id).cloned().unwrap_or_default();
    let (parent, letterhead) = issuer.letterhead();

    let mut body = Vec::new();
    if let Some(implemented) = match plan.implements_id {
        Some(above) => entity::plan::Entity::find_by_id(above).one(db).await?,
        None => None,
    } {
        let author = Issuer::load(db, implemented.agency_id).await?;
        let reference = match (&implemented.doc_number, implemented.doc_date) {
            (Some(number), Some(date)) => {
                format!("Kế hoạch số {number} ngày {}", time::date_vi(date))
            }
            _ => format!("Kế hoạch {}", lower_first(&implemented.title)),
        };
        body.push(Block::Text(format!(
            "Thực hiện {reference} của {}; {} ban hành Kế hoạch {}, như sau:",
            author.agency.name,
            issuer.agency.name,
            lower_first(&plan.title)
        )));
    }
    let mut heading = 0;
    let mut next_heading = |text: &str| {
        heading += 1;
        Block::Heading(format!("{}. {}", roman(heading), text.to_uppercase()))
    };
    if let Some(purpose) = &plan.purpose {
        body.push(next_heading("Mục đích, yêu cầu"));
        body.push(Block::Text(purpose.clone()));
    }
    body.push(next_heading("Nhiệm vụ và phân công thực hiện"));
    body.push(Block::Table {
        headers: vec![
            "STT".to_owned(),
            "Nội dung".to_owned(),
            "Cơ quan chủ trì".to_owned(),
            "Cơ quan phối hợp".to_owned(),
            "Thời hạn".to_owned(),
        ],
        rows: tasks
            .iter()
            .enumerate()
            .map(|(i, task)| {
                vec![
                    (i + 1).to_string(),
                    task.content.clone(),
                    name_of(&task.lead_agency_id),
                    coordinators(task)
                        .iter()
                        .map(name_of)
                        .collect::<Vec<_>>()
                        .join("; "),
                    task.due_date
                        .map(time::date_vi)
                        .unwrap_or_else(|| "Cả năm".to_owned()),
                ]
            })
            .collect(),
        widths: vec![1, 6, 3, 3, 2],
        total: false,
    });
    if let Some(budget) = &plan.budget_note {
        body.push(next_heading("Kinh phí thực hiện"));
        body.push(Block::Text(budget.clone()));
    }
    body.push(next_heading("Tổ chức thực hiện"));
    body.push(Block::Text(
        "Các cơ quan được giao chủ trì chủ động triển khai nhiệm vụ, cập nhật tiến độ trên hệ thống thông tin đối ngoại và báo cáo kết quả theo quy định./."
            .to_owned(),
    ));
    let mut copies_to: Vec<String> = tasks
        .iter()
        .map(|t| name_of(&t.lead_agency_id))
        .filter(|n| !n.is_empty())
        .collect();
    copies_to.sort();
    copies_to.dedup();
    let mut copies_to: Vec<String> = copies_to.into_iter().map(|n| format!("- {n};")).collect();
    copies_to.push("- Lưu: VT.".to_owned());
    let year = plan.doc_date.map_or(plan.year, |d| d.year());
    Ok(Generated {
        name: file_name(
            "Kế hoạch",
            plan.doc_number.as_deref(),
            &issuer.agency,
            false,
        ),
        document: Official {
            parent,
            issuer: letterhead,
            number: issuer.number(plan.doc_number.as_deref(), Some("KH")),
            subject: None,
            place_date: issuer.place_date(plan.doc_date, year),
            kind: Some("Kế hoạch".to_owned()),
            title: Some(upper_first(
                plan.title.strip_prefix("Kế hoạch ").unwrap_or(&plan.title),
            )),
            recipients: Vec::new(),
            body,
            copies_to,
            signature: Signature {
                lines: issuer.authority(),
                name: None,
            },
            draft: false,
        },
    })
}
