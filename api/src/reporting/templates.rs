//! Report templates: the three the seed documents imply ship with every installation (created
//! at start when missing), and agencies may add versions of their own.

use chrono::Utc;
use entity::{
    ids::TemplateId,
    report_template::{ActiveModel, Column, Entity as Template, Model},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::types::{MetricKind, MetricSpec, SectionSpec};
use crate::{
    auth::actor::Actor,
    error::{AppError, AppResult, Msg},
    policy::{self, Operation},
};

/// A template with its specification read.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The row.
    pub model: Model,
    /// Sections.
    pub sections: Vec<SectionSpec>,
    /// Metrics.
    pub metrics: Vec<MetricSpec>,
}

impl Spec {
    /// Reads a stored template.
    pub fn of(model: Model) -> AppResult<Self> {
        let sections = serde_json::from_str(&model.sections).map_err(AppError::internal)?;
        let metrics = serde_json::from_str(&model.metrics).map_err(AppError::internal)?;
        Ok(Self {
            model,
            sections,
            metrics,
        })
    }
}

fn section(key: &str, title: &str) -> SectionSpec {
    SectionSpec {
        key: key.into(),
        title: title.into(),
        required: true,
    }
}

fn metric(key: &str, label: &str, unit: &str, kind: MetricKind, required: bool) -> MetricSpec {
    MetricSpec {
        key: key.into(),
        label: label.into(),
        unit: unit.into(),
        kind,
        required,
    }
}

/// The metrics of the annual and six-month TTĐN reports (seeds 000 and 004).
fn ttdn_metrics() -> Vec<MetricSpec> {
    use MetricKind::*;
    vec![
        metric(
            "news_articles",
            "Tin, bài thông tin đối ngoại",
            "tin, bài",
            Integer,
            true,
        ),
        metric(
            "broadcast_hours",
            "Thời lượng phát thanh, truyền hình",
            "giờ",
            Decimal,
            false,
        ),
        metric(
            "press_briefings",
            "Hội nghị cung cấp thông tin cho báo chí",
            "cuộc",
            Integer,
            true,
        ),
        metric("press_conferences", "Họp báo", "cuộc", Integer, true),
        metric("trainings", "Lớp tập huấn, bồi dưỡng", "lớp", Integer, true),
        metric(
            "training_participants",
            "Lượt người tham gia tập huấn",
            "lượt",
            Integer,
            true,
        ),
        metric(
            "false_information_handled",
            "Thông tin sai lệch, xuyên tạc được xử lý",
            "tin",
            Integer,
            true,
        ),
    ]
}

/// A shipped template: code, name, description, sections, metrics.
pub type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    Vec<SectionSpec>,
    Vec<MetricSpec>,
);

/// The templates that ship with ttdn.
pub fn builtin() -> Vec<Builtin> {
    use MetricKind::*;
    let ttdn_sections = |plan: &str| {
        vec![
            section("situation", "Đặc điểm tình hình"),
            section("results", "Kết quả thực hiện"),
            section("shortcomings", "Tồn tại, hạn chế và nguyên nhân"),
            section("proposals", "Đề xuất, kiến nghị"),
            section("next_plan", plan),
        ]
    };
    vec![
        (
            "TTDN_ANNUAL",
            "Báo cáo tổng kết công tác thông tin đối ngoại năm và kế hoạch năm sau",
            "Báo cáo năm theo công văn của Sở (như Công văn 2480/STTTT-BCXB): tình hình, kết quả, hạn chế, kiến nghị và kế hoạch năm sau.",
            ttdn_sections("Kế hoạch công tác thông tin đối ngoại năm sau"),
            ttdn_metrics(),
        ),
        (
            "TTDN_SEMIANNUAL",
            "Báo cáo kết quả công tác thông tin đối ngoại 6 tháng",
            "Báo cáo 6 tháng theo công văn của Sở (như Công văn 537/STTTT-TTBCXB).",
            ttdn_sections("Nhiệm vụ trọng tâm 6 tháng cuối năm"),
            ttdn_metrics(),
        ),
        (
            "PRESS_STATEMENT_ANNUAL",
            "Báo cáo kết quả phát ngôn và cung cấp thông tin cho báo chí năm",
            "Kỳ số liệu 15/12 năm trước đến 14/12, gửi trước ngày 20/12, với sáu chỉ tiêu.",
            vec![section("summary", "Đánh giá chung")],
            vec![
                metric(
                    "press_conferences",
                    "Số cuộc họp báo đã tổ chức",
                    "cuộc",
                    Integer,
                    true,
                ),
                metric(
                    "liaison_statements",
                    "Số lần phát ngôn tại giao ban báo chí",
                    "lần",
                    Integer,
                    true,
                ),
                metric(
                    "press_requests",
                    "Yêu cầu của báo chí đã trả lời / đã nhận",
                    "yêu cầu",
                    Ratio,
                    true,
                ),
                metric(
                    "incident_statements",
                    "Vụ việc đã phát ngôn / vụ việc phát sinh",
                    "vụ việc",
                    Ratio,
                    true,
                ),
                metric(
                    "statements_on_time",
                    "Phát ngôn đúng hạn / phát ngôn có thời hạn",
                    "lần",
                    Ratio,
                    true,
                ),
                metric(
                    "corrections",
                    "Yêu cầu cải chính đã gửi / thông tin sai sự thật",
                    "trường hợp",
                    Ratio,
                    true,
                ),
            ],
        ),
    ]
}

/// Namespace of the shipped templates' ids (v5 of `code/version`).
const NAMESPACE: Uuid = Uuid::from_u128(0x2b1c_77a0_5e3d_4f61_8a2e_94d0_c1f3_6b58);

/// The id of a shipped template's first version.
pub fn builtin_id(code: &str) -> TemplateId {
    TemplateId(Uuid::new_v5(&NAMESPACE, format!("{code}/1").as_bytes()))
}

/// Creates the shipped templates that are missing (run at every start, after the migrations).
pub async fn ensure_builtin<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    for (code, name, description, sections, metrics) in builtin() {
        let id = builtin_id(code);
        if Template::find_by_id(id.0).one(db).await?.is_some() {
            continue;
        }
        insert(
            db,
            id,
            code,
            1,
            name,
            Some(description),
            &sections,
            &metrics,
        )
        .await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert<C: ConnectionTrait>(
    db: &C,
    id: TemplateId,
    code: &str,
    version: i32,
    name: &str,
    description: Option<&str>,
    sections: &[SectionSpec],
    metrics: &[MetricSpec],
) -> AppResult<()> {
    Template::insert(ActiveModel {
        id: Set(id.0),
        code: Set(code.to_owned()),
        version: Set(version),
        name: Set(name.to_owned()),
        description: Set(description.map(str::to_owned)),
        sections: Set(serde_json::to_string(sections).map_err(AppError::internal)?),
        metrics: Set(serde_json::to_string(metrics).map_err(AppError::internal)?),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// One template version.
pub async fn get<C: ConnectionTrait>(db: &C, id: TemplateId) -> AppResult<Spec> {
    let model = Template::find_by_id(id.0).one(db).await?.ok_or_else(|| {
        AppError::NotFound(Msg::new(
            "Không tìm thấy mẫu báo cáo",
            "Report template not found",
        ))
    })?;
    Spec::of(model)
}

/// Every template version, by code then version.
pub async fn list<C: ConnectionTrait>(db: &C) -> AppResult<Vec<Spec>> {
    Template::find()
        .order_by_asc(Column::Code)
        .order_by_asc(Column::Version)
        .all(db)
        .await?
        .into_iter()
        .map(Spec::of)
        .collect()
}

/// Adds a version of a template (version 1 of a new code); obligations keep the version they
/// named.
pub async fn create_version<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    code: &str,
    name: &str,
    description: Option<&str>,
    sections: &[SectionSpec],
    metrics: &[MetricSpec],
) -> AppResult<Spec> {
    policy::require(actor, Operation::ObligationIssue)?;
    let code_ok = (2..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if !code_ok {
        return Err(AppError::bad_input(
            "code",
            Msg::new(
                "Mã mẫu gồm chữ in hoa, chữ số và '_'",
                "A template code is capital letters, digits and '_'",
            ),
        ));
    }
    let mut keys: Vec<&str> = sections
        .iter()
        .map(|s| s.key.as_str())
        .chain(metrics.iter().map(|m| m.key.as_str()))
        .collect();
    let total = keys.len();
    keys.sort_unstable();
    keys.dedup();
    let keys_ok = keys.len() == total
        && keys.iter().all(|k| {
            !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        });
    if !keys_ok || total == 0 {
        return Err(AppError::bad_input(
            "metrics",
            Msg::new(
                "Các khóa mục và chỉ tiêu phải khác nhau, gồm chữ thường, chữ số và '_'",
                "Section and metric keys must be distinct, lower-case letters, digits and '_'",
            ),
        ));
    }
    let latest: Option<i32> = Template::find()
        .select_only()
        .column(Column::Version)
        .filter(Column::Code.eq(code))
        .order_by_desc(Column::Version)
        .into_tuple()
        .one(db)
        .await?;
    let id = TemplateId::new();
    insert(
        db,
        id,
        code,
        latest.unwrap_or(0) + 1,
        name,
        description,
        sections,
        metrics,
    )
    .await?;
    get(db, id).await
}
