//! Synthetic data of realistic shape at the size of one province or of the whole country, for
//! benchmarks and scale tests (`ttdn seed --scale province|national`).
//!
//! The data is deterministic: the same scale and seed give the same rows, ids included, so that
//! two runs of the benchmark read the same data. It goes straight to the tables in batches
//! (one multi-row `INSERT` per thousand rows, one transaction per province), which is what
//! makes the national scale take minutes rather than hours, then refreshes the planner's
//! statistics (`ANALYZE`, on PostgreSQL `VACUUM ANALYZE`); the rows obey the same rules as
//! those the services write (paths, folded search columns, one head per agency, report
//! states).
//!
//! Shape, per province (the national scale has 34):
//! - the provincial committee, eight departments (the culture department leads TTĐN), press
//!   agencies, current communes under the province (two-tier, since 2025-07-01), and the
//!   historical three-tier units: districts and their communes, closed on 2025-06-30 with
//!   successors;
//! - accounts for every current agency, spokespersons for every current agency (a head, and an
//!   appointed spokesperson for the province, departments and press agencies);
//! - five years of reporting (2022–2026): each year a six-month report, an annual report and ten
//!   ad hoc requests from the department; before the reform they cascade through the districts
//!   to the communes, after it they go to the communes directly; reports in every state, with
//!   their submitted versions;
//! - information releases (some targeted at press agencies), press events with invitations,
//!   training sessions with participants, plans with tasks, incidents and press requests.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use entity::{
    agency::{self, AgencyKind},
    incident, information_release as release,
    legal_setting::LegalKey,
    plan, plan_task, press_event, press_event_co_organizer as co_organizer,
    press_event_invitation as event_invitation, press_request, release_recipient, report,
    report_version, reporting_obligation as obligation, spokesperson, training_invitation,
    training_participant as participant, training_session, user_account,
};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    account::types::Username,
    auth::password::{self, NewPassword},
    error::{AppError, AppResult},
    legal::service as legal,
    reporting::types::is_late,
    text,
};

/// Password of every generated account.
pub const PASSWORD: &str = "ttdn-bench-2026";

/// The day the generated data is "as of": states (overdue, pending) are drawn against it, so
/// that the data does not depend on the day it is generated.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default()
}

/// How much data to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// One province: quick runs and tests.
    Province,
    /// The whole country: 34 provinces.
    National,
}

/// Sizes of the data, per province unless said otherwise.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Provinces.
    pub provinces: usize,
    /// Historical districts.
    pub districts: usize,
    /// Historical communes per district.
    pub communes_per_district: usize,
    /// Current communes.
    pub communes: usize,
    /// Press agencies.
    pub press: usize,
    /// Accounts per current agency.
    pub accounts_per_agency: usize,
    /// Information releases per year.
    pub releases_per_year: usize,
    /// Press events per year.
    pub events_per_year: usize,
    /// Training sessions per year.
    pub trainings_per_year: usize,
    /// Incidents per year.
    pub incidents_per_year: usize,
    /// Press requests per year.
    pub requests_per_year: usize,
}

/// Departments of each province: (name, short name); the first leads TTĐN.
const DEPARTMENTS: [(&str, &str); 8] = [
    ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
    ("Sở Ngoại vụ", "SNGV"),
    ("Sở Tài chính", "STC"),
    ("Sở Y tế", "SYT"),
    ("Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("Sở Nông nghiệp và Môi trường", "SNNMT"),
    ("Sở Khoa học và Công nghệ", "SKHCN"),
    ("Công an tỉnh", "CAT"),
];

/// The 34 provinces and cities since 2025-07-01.
const PROVINCES: [&str; 34] = [
    "Hà Nội",
    "Huế",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
    "Tuyên Quang",
    "Lào Cai",
    "Thái Nguyên",
    "Phú Thọ",
    "Bắc Ninh",
    "Hưng Yên",
    "Hải Phòng",
    "Ninh Bình",
    "Quảng Trị",
    "Đà Nẵng",
    "Quảng Ngãi",
    "Gia Lai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Đắk Lắk",
    "Hồ Chí Minh",
    "Đồng Nai",
    "Tây Ninh",
    "Cần Thơ",
    "Vĩnh Long",
    "Đồng Tháp",
    "Cà Mau",
    "An Giang",
];

const SYLLABLES: [&str; 24] = [
    "An", "Bình", "Phú", "Hòa", "Tân", "Thạnh", "Xuân", "Đông", "Tây", "Nam", "Bắc", "Hưng",
    "Long", "Phước", "Thuận", "Quang", "Minh", "Sơn", "Hải", "Lâm", "Trung", "Vĩnh", "Định", "Lộc",
];
const FAMILY: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE: [&str; 7] = ["Văn", "Thị", "Minh", "Đức", "Thu", "Hữu", "Ngọc"];
const GIVEN: [&str; 20] = [
    "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Linh", "Long",
    "Mai", "Nam", "Phương", "Quân", "Sơn", "Thảo", "Trang", "Tuấn",
];
const TOPICS: [&str; 10] = [
    "du lịch",
    "đầu tư",
    "biên giới",
    "thiên tai",
    "y tế",
    "giáo dục",
    "chuyển đổi số",
    "nông nghiệp",
    "văn hóa",
    "an ninh trật tự",
];

fn province_name(p: usize) -> &'static str {
    PROVINCES[p % PROVINCES.len()]
}

/// Years of generated activity.
const YEARS: std::ops::RangeInclusive<i32> = 2022..=2026;

/// The day districts closed and communes were merged (two-tier local government).
fn reform_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or_default()
}

impl Scale {
    /// The sizes of this scale.
    pub fn shape(self) -> Shape {
        let province = Shape {
            provinces: 1,
            districts: 21,
            communes_per_district: 14,
            communes: 97,
            press: 29,
            accounts_per_agency: 11,
            releases_per_year: 590,
            events_per_year: 60,
            trainings_per_year: 6,
            incidents_per_year: 25,
            requests_per_year: 40,
        };
        match self {
            Scale::Province => province,
            Scale::National => Shape {
                provinces: PROVINCES.len(),
                ..province
            },
        }
    }
}

/// Rows written, per table.
#[derive(Debug, Default)]
pub struct Summary {
    /// (table, rows).
    pub tables: Vec<(&'static str, usize)>,
}

impl Summary {
    fn add(&mut self, table: &'static str, rows: usize) {
        match self.tables.iter_mut().find(|(t, _)| *t == table) {
            Some((_, n)) => *n += rows,
            None => self.tables.push((table, rows)),
        }
    }

    /// Inserts `rows` into `table` in batches and counts them.
    async fn insert<A, C>(&mut self, db: &C, table: &'static str, rows: Vec<A>) -> AppResult<()>
    where
        A: ActiveModelTrait + Send,
        C: ConnectionTrait,
    {
        let n = insert_all(db, rows, BATCH).await?;
        self.add(table, n);
        Ok(())
    }

    /// Rows in all tables.
    pub fn total(&self) -> usize {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// Inserts `rows` in multi-row statements of at most `per` rows.
async fn insert_all<A, C>(db: &C, rows: Vec<A>, per: usize) -> AppResult<usize>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let total = rows.len();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(total)
}

/// Deterministic ids: the same seed, kind and numbers give the same id.
struct Ids {
    namespace: Uuid,
}

impl Ids {
    fn id(&self, kind: &str, numbers: &[usize]) -> Uuid {
        let mut name = String::from(kind);
        for n in numbers {
            name.push(':');
            name.push_str(&n.to_string());
        }
        Uuid::new_v5(&self.namespace, name.as_bytes())
    }
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    // Hours in Vietnam time (UTC+07:00).
    let naive = day.and_hms_opt(hour, 0, 0).unwrap_or_default() - Duration::hours(7);
    Utc.from_utc_datetime(&naive)
}

fn day(year: i32, month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, d).unwrap_or_default()
}

struct Gen {
    rng: fastrand::Rng,
    ids: Ids,
}

impl Gen {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.rng.usize(..from.len())]
    }

    fn place_name(&mut self) -> String {
        format!(
            "{} {}",
            self.pick(&SYLLABLES),
            self.pick(&SYLLABLES).to_lowercase()
        )
    }

    fn person(&mut self) -> String {
        format!(
            "{} {} {}",
            self.pick(&FAMILY),
            self.pick(&MIDDLE),
            self.pick(&GIVEN)
        )
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.f64() < p
    }

    fn day_in(&mut self, year: i32) -> NaiveDate {
        day(year, 1, 1) + Duration::days(self.rng.i64(0..365))
    }
}

/// One generated agency, remembered to wire the other rows to it.
#[derive(Clone)]
struct Unit {
    id: Uuid,
    kind: AgencyKind,
    path: String,
}

/// What differs from one generated agency to the next.
struct NewUnit {
    id: Uuid,
    name: String,
    short: String,
    kind: AgencyKind,
    code: Option<String>,
    valid: (NaiveDate, Option<NaiveDate>),
    successor: Option<Uuid>,
}

fn agency_row(new: NewUnit, parent: Option<&Unit>) -> (agency::ActiveModel, Unit) {
    let NewUnit {
        id,
        name,
        short,
        kind,
        code,
        valid,
        successor,
    } = new;
    let path = match parent {
        Some(parent) => format!("{}{}/", parent.path, id.simple()),
        None => format!("/{}/", id.simple()),
    };
    let created = at(valid.0, 8);
    let model = agency::Model {
        id,
        search_name: text::fold(&name),
        name,
        short_name: short,
        kind,
        parent_id: parent.map(|p| p.id),
        path: path.clone(),
        depth: path.matches('/').count() as i32 - 2,
        admin_code: code,
        electronic_id: None,
        address: None,
        phone: None,
        email: None,
        website: None,
        press_media: (kind == AgencyKind::PressAgency).then(|| "PRINT,ONLINE".to_owned()),
        press_licence: None,
        is_ttdn_lead: false,
        valid_from: valid.0,
        valid_to: valid.1,
        successor_id: successor,
        version: 1,
        created_at: created,
        updated_at: created,
    };
    (model.into_active_model(), Unit { id, kind, path })
}

/// The agencies of one province: (province, departments, current communes, press agencies,
/// historical districts with their communes).
struct Province {
    committee: Unit,
    departments: Vec<Unit>,
    communes: Vec<Unit>,
    press: Vec<Unit>,
    districts: Vec<(Unit, Vec<Unit>)>,
}

impl Province {
    fn current(&self) -> impl Iterator<Item = &Unit> {
        std::iter::once(&self.committee)
            .chain(&self.departments)
            .chain(&self.communes)
            .chain(&self.press)
    }

    fn lead(&self) -> &Unit {
        &self.departments[0]
    }
}

/// Generates the data of `scale` on an empty database (refused when it holds agencies), telling
/// `progress` as it goes.
pub async fn generate(
    db: &DatabaseConnection,
    scale: Scale,
    seed: u64,
    progress: &(dyn Fn(String) + Sync),
) -> AppResult<Summary> {
    if agency::Entity::find().count(db).await? > 0 {
        return Err(AppError::internal(anyhow::anyhow!(
            "the database already holds agencies: generate synthetic data on an empty database"
        )));
    }
    let shape = scale.shape();
    let password_hash =
        password::hash(NewPassword::parse("password", PASSWORD, "synthetic.user")?).await?;
    let templates: HashMap<String, Uuid> = entity::report_template::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.code, t.id))
        .collect();
    let template = |code: &str| {
        templates.get(code).copied().ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("the built-in template {code} is missing"))
        })
    };
    let (annual, semiannual) = (template("TTDN_ANNUAL")?, template("TTDN_SEMIANNUAL")?);
    let mut summary = Summary::default();
    for p in 0..shape.provinces {
        let mut g = Gen {
            rng: fastrand::Rng::with_seed(seed.wrapping_mul(1_000_003).wrapping_add(p as u64)),
            ids: Ids {
                namespace: Uuid::new_v5(
                    &Uuid::NAMESPACE_OID,
                    format!("ttdn-synthetic-{seed}").as_bytes(),
                ),
            },
        };
        let txn = db.begin().await?;
        let province = agencies(&txn, &mut g, &shape, p, &mut summary).await?;
        people(
            &txn,
            &mut g,
            &shape,
            p,
            &province,
            &password_hash,
            &mut summary,
        )
        .await?;
        reporting(
            &txn,
            &mut g,
            p,
            &province,
            (annual, semiannual),
            &mut summary,
        )
        .await?;
        press_side(&txn, &mut g, &shape, p, &province, &mut summary).await?;
        training_and_plans(&txn, &mut g, &shape, p, &province, &mut summary).await?;
        txn.commit().await?;
        progress(format!(
            "province {}/{} ({}): {} rows so far",
            p + 1,
            shape.provinces,
            province_name(p),
            summary.total()
        ));
    }
    // The rows were written directly: their document numbers go into the register as well.
    migration::register_documents(db).await?;
    progress("document numbers registered".to_owned());
    // Fresh statistics: without them the planners guess (PostgreSQL scans obligations to find
    // one agency's reports until autovacuum gets round to the new tables). On PostgreSQL a
    // vacuum too, as a database in service has had: it records the new rows as visible to all
    // (index-only scans, no hint bits for the first readers to write) instead of leaving that
    // work to the first requests and to an autovacuum running beside them.
    let refresh = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    db.execute_unprepared(refresh).await?;
    progress(format!("statistics updated ({refresh})"));
    Ok(summary)
}

/// Rows per multi-row statement: keeps each statement under the bind-parameter limits of both
/// databases (SQLite 32,766; PostgreSQL 65,535) for tables of up to 30 columns.
const BATCH: usize = 1000;

async fn agencies<C: ConnectionTrait>(
    db: &C,
    g: &mut Gen,
    shape: &Shape,
    p: usize,
    summary: &mut Summary,
) -> AppResult<Province> {
    let mut rows = Vec::new();
    let old = day(2008, 8, 1);
    let name = province_name(p);
    let (row, committee) = agency_row(
        NewUnit {
            id: g.ids.id("province", &[p]),
            name: format!("UBND tỉnh {name}"),
            short: format!("UBND-{}", p + 1),
            kind: AgencyKind::ProvincialCommittee,
            code: Some(format!("{:02}", p + 1)),
            valid: (old, None),
            successor: None,
        },
        None,
    );
    rows.push(row);
    let mut departments = Vec::new();
    for (d, (dept, short)) in DEPARTMENTS.iter().enumerate() {
        let (mut row, unit) = agency_row(
            NewUnit {
                id: g.ids.id("department", &[p, d]),
                name: format!("{dept} tỉnh {name}"),
                short: (*short).to_owned(),
                kind: AgencyKind::Department,
                code: None,
                valid: (old, None),
                successor: None,
            },
            Some(&committee),
        );
        row.is_ttdn_lead = sea_orm::Set(d == 0);
        rows.push(row);
        departments.push(unit);
    }
    let mut communes = Vec::new();
    for c in 0..shape.communes {
        let (row, unit) = agency_row(
            NewUnit {
                id: g.ids.id("commune", &[p, c]),
                name: format!("UBND xã {}", g.place_name()),
                short: format!("UBND-X{c}"),
                kind: AgencyKind::Commune,
                code: Some(format!("{:05}", 20_000 + p * shape.communes + c)),
                valid: (reform_day(), None),
                successor: None,
            },
            Some(&committee),
        );
        rows.push(row);
        communes.push(unit);
    }
    let mut press = Vec::new();
    for n in 0..shape.press {
        let (row, unit) = agency_row(
            NewUnit {
                id: g.ids.id("press", &[p, n]),
                name: format!("Báo {} {}", g.place_name(), n + 1),
                short: format!("BAO-{n}"),
                kind: AgencyKind::PressAgency,
                code: None,
                valid: (old, None),
                successor: None,
            },
            Some(&committee),
        );
        rows.push(row);
        press.push(unit);
    }
    let closed = Some(reform_day() - Duration::days(1));
    let mut districts = Vec::new();
    for d in 0..shape.districts {
        let (row, district) = agency_row(
            NewUnit {
                id: g.ids.id("district", &[p, d]),
                name: format!("UBND huyện {}", g.place_name()),
                short: format!("UBND-H{d}"),
                kind: AgencyKind::District,
                code: Some(format!("{:03}", p * shape.districts + d + 1)),
                valid: (old, closed),
                successor: Some(committee.id),
            },
            Some(&committee),
        );
        rows.push(row);
        let mut members = Vec::new();
        for c in 0..shape.communes_per_district {
            let index = d * shape.communes_per_district + c;
            let successor = communes[index % communes.len().max(1)].id;
            let code = p * shape.districts * shape.communes_per_district + index + 1;
            let (row, unit) = agency_row(
                NewUnit {
                    id: g.ids.id("old-commune", &[p, d, c]),
                    name: format!("UBND xã {}", g.place_name()),
                    short: format!("UBND-X{d}-{c}"),
                    kind: AgencyKind::Commune,
                    code: Some(format!("{code:05}")),
                    valid: (old, closed),
                    successor: Some(successor),
                },
                Some(&district),
            );
            rows.push(row);
            members.push(unit);
        }
        districts.push((district, members));
    }
    summary.insert(db, "agency", rows).await?;
    Ok(Province {
        committee,
        departments,
        communes,
        press,
        districts,
    })
}

async fn people<C: ConnectionTrait>(
    db: &C,
    g: &mut Gen,
    shape: &Shape,
    p: usize,
    province: &Province,
    password_hash: &str,
    summary: &mut Summary,
) -> AppResult<()> {
    let created = at(day(2021, 1, 4), 8);
    let mut accounts = Vec::new();
    let mut spokespeople = Vec::new();
    for (a, unit) in province.current().enumerate() {
        let role = match unit.kind {
            AgencyKind::Commune => user_account::Role::Commune,
            AgencyKind::PressAgency => user_account::Role::Press,
            _ => user_account::Role::ProvincialDepartment,
        };
        for n in 0..shape.accounts_per_agency {
            let username = Username::parse(&format!("p{p}.a{a}.u{n}"))?;
            accounts.push(
                user_account::Model {
                    id: g.ids.id("user", &[p, a, n]),
                    username: username.as_str().to_owned(),
                    display_name: g.person(),
                    role,
                    agency_id: Some(unit.id),
                    password_hash: password_hash.to_owned(),
                    disabled_at: None,
                    password_changed_at: created,
                    last_login_at: None,
                    version: 1,
                    created_at: created,
                    updated_at: created,
                }
                .into_active_model(),
            );
        }
        let appointed = !matches!(unit.kind, AgencyKind::Commune);
        let kinds: &[spokesperson::SpokespersonKind] = if appointed {
            &[
                spokesperson::SpokespersonKind::Head,
                spokesperson::SpokespersonKind::Appointed,
            ]
        } else {
            &[spokesperson::SpokespersonKind::Head]
        };
        for (k, kind) in kinds.iter().enumerate() {
            let full_name = g.person();
            spokespeople.push(
                spokesperson::Model {
                    id: head_id(g, p, a, k),
                    agency_id: unit.id,
                    search_name: text::fold(&full_name),
                    full_name,
                    title: if k == 0 {
                        "Chủ tịch"
                    } else {
                        "Phó Giám đốc"
                    }
                    .to_owned(),
                    kind: *kind,
                    phone: Some(format!("0237{:07}", g.rng.u32(0..10_000_000))),
                    email: None,
                    appointing_doc_number: (k > 0).then(|| format!("{}/QĐ-UBND", 100 + a)),
                    appointing_doc_date: (k > 0).then(|| day(2021, 1, 4)),
                    term_from: day(2021, 1, 4),
                    term_to: None,
                    grantor_id: None,
                    subject: None,
                    published_at: Some(created),
                    publication_due_at: created
                        + legal::default_window(LegalKey::SpokespersonPublicationHours),
                    version: 1,
                    created_at: created,
                    updated_at: created,
                }
                .into_active_model(),
            );
        }
    }
    summary.insert(db, "user_account", accounts).await?;
    summary.insert(db, "spokesperson", spokespeople).await?;
    Ok(())
}

/// The id of spokesperson `k` (0: the head) of current agency `a` of province `p`.
fn head_id(g: &Gen, p: usize, a: usize, k: usize) -> Uuid {
    g.ids.id("spokesperson", &[p, a, k])
}

/// A report's content and its state on [`as_of`].
fn report_rows(
    g: &mut Gen,
    id: Uuid,
    (obligation, issuer): (Uuid, Uuid),
    recipient: Uuid,
    due: NaiveDate,
    issued: DateTime<Utc>,
    versions: &mut Vec<report_version::ActiveModel>,
) -> report::ActiveModel {
    use report::ReportStatus::*;
    let news = g.rng.i64(5..200);
    let sections = json!({
        "situation": "Tình hình chính trị, kinh tế - xã hội ổn định.",
        "results": format!("Đăng tải {news} tin, bài; tổ chức họp báo định kỳ."),
        "shortcomings": "Nhân lực làm công tác thông tin đối ngoại còn mỏng.",
        "proposals": "Tăng cường tập huấn kỹ năng phát ngôn.",
        "next_plan": "Tiếp tục quảng bá hình ảnh địa phương."
    });
    let metrics = json!({
        "news_articles": news, "press_briefings": g.rng.i64(0..12), "press_conferences": g.rng.i64(0..4),
        "trainings": g.rng.i64(0..3), "training_participants": g.rng.i64(0..120),
        "false_information_handled": g.rng.i64(0..5), "broadcast_hours": g.rng.i64(0..40) as f64 / 2.0
    });
    let roll = g.rng.f64();
    let past = due < as_of();
    let status = match (past, roll) {
        (true, r) if r < 0.70 => Accepted,
        (true, r) if r < 0.85 => Submitted,
        (true, r) if r < 0.90 => Returned,
        (true, r) if r < 0.95 => Draft,
        (true, _) => NotStarted,
        (false, r) if r < 0.3 => Draft,
        (false, _) => NotStarted,
    };
    let submitted = matches!(status, Accepted | Submitted | Returned);
    let submitted_at = submitted.then(|| {
        let days = if g.chance(0.1) {
            g.rng.i64(1..15)
        } else {
            -g.rng.i64(0..10)
        };
        at(due + Duration::days(days), 15).max(issued + Duration::hours(1))
    });
    let late = submitted_at.map(|s| is_late(s, due));
    if let Some(submitted_at) = submitted_at {
        let resubmitted = status != Returned && g.chance(0.1);
        for number in 1..=(1 + i32::from(resubmitted)) {
            versions.push(
                report_version::Model {
                    id: Uuid::new_v5(&id, &number.to_be_bytes()),
                    report_id: id,
                    number,
                    submitted_at: submitted_at + Duration::hours(i64::from(number - 1) * 24),
                    submitted_by: None,
                    late: is_late(submitted_at, due),
                    content: json!({ "sections": sections, "metrics": metrics }).to_string(),
                }
                .into_active_model(),
            );
        }
    }
    let written = !matches!(status, NotStarted);
    report::Model {
        id,
        obligation_id: obligation,
        recipient_agency_id: recipient,
        issuer_agency_id: issuer,
        status,
        due_date: due,
        sections: if written {
            sections.to_string()
        } else {
            "{}".into()
        },
        metrics: if written {
            metrics.to_string()
        } else {
            "{}".into()
        },
        signer_name: written.then(|| g.person()),
        signer_title: written.then(|| "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH".to_owned()),
        doc_number: None,
        doc_date: None,
        submitted_at,
        late,
        review_comment: (status == Returned).then(|| "Đề nghị bổ sung số liệu".to_owned()),
        reviewed_at: matches!(status, Accepted | Returned)
            .then(|| submitted_at.map(|s| s + Duration::days(3)))
            .flatten(),
        version: 1 + i32::from(submitted) + i32::from(matches!(status, Accepted | Returned)),
        created_at: issued,
        updated_at: submitted_at.unwrap_or(issued),
    }
    .into_active_model()
}

/// The reporting of one province: twelve requests a year, cascading through the districts
/// before the reform and straight to the communes after it.
async fn reporting<C: ConnectionTrait>(
    db: &C,
    g: &mut Gen,
    p: usize,
    province: &Province,
    (annual, semiannual): (Uuid, Uuid),
    summary: &mut Summary,
) -> AppResult<()> {
    let mut obligations = Vec::new();
    let mut reports = Vec::new();
    let mut versions = Vec::new();
    for year in YEARS {
        // (kind, template, period, due, title)
        let mut requests = vec![
            (
                obligation::PeriodKind::Semiannual,
                semiannual,
                (day(year - 1, 12, 15), day(year, 6, 14)),
                day(year, 6, 20),
                format!("Báo cáo công tác thông tin đối ngoại 6 tháng đầu năm {year}"),
            ),
            (
                obligation::PeriodKind::Annual,
                annual,
                (day(year - 1, 12, 15), day(year, 12, 14)),
                day(year, 12, 20),
                format!("Báo cáo tổng kết công tác thông tin đối ngoại năm {year}"),
            ),
        ];
        for month in [1, 2, 3, 4, 5, 7, 8, 9, 10, 11] {
            let start = day(year, month, 1);
            let end = day(year, month + 1, 1) - Duration::days(1);
            requests.push((
                obligation::PeriodKind::AdHoc,
                annual,
                (start, end),
                day(year, month + 1, 10),
                format!("Báo cáo đột xuất về thông tin đối ngoại tháng {month}/{year}"),
            ));
        }
        for (r, (kind, template, (start, end), due, title)) in requests.into_iter().enumerate() {
            let issued = at(due - Duration::days(20), 9);
            let id = g.ids.id("obligation", &[p, year as usize, r]);
            let row = |id, issuer, parent, due, title: String| {
                obligation::Model {
                    id,
                    issuer_agency_id: issuer,
                    doc_number: Some(format!("{}/SVHTTDL-TTBCXB", 100 + r)),
                    doc_date: Some(issued.date_naive()),
                    title,
                    period_kind: kind,
                    period_start: start,
                    period_end: end,
                    due_date: due,
                    template_id: template,
                    parent_id: parent,
                    status: obligation::ObligationStatus::Issued,
                    withdrawal_reason: None,
                    version: 1,
                    created_at: issued,
                    updated_at: issued,
                }
                .into_active_model()
            };
            obligations.push(row(id, province.lead().id, None, due, title.clone()));
            if issued.date_naive() < reform_day() {
                for (d, (district, members)) in province.districts.iter().enumerate() {
                    reports.push(report_rows(
                        g,
                        g.ids.id("report", &[p, year as usize, r, d]),
                        (id, province.lead().id),
                        district.id,
                        due,
                        issued,
                        &mut versions,
                    ));
                    let child = g.ids.id("district-obligation", &[p, year as usize, r, d]);
                    let child_due = due - Duration::days(5);
                    obligations.push(row(child, district.id, Some(id), child_due, title.clone()));
                    for (c, commune) in members.iter().enumerate() {
                        reports.push(report_rows(
                            g,
                            g.ids.id("commune-report", &[p, year as usize, r, d, c]),
                            (child, district.id),
                            commune.id,
                            child_due,
                            issued + Duration::days(1),
                            &mut versions,
                        ));
                    }
                }
            } else {
                for (c, commune) in province.communes.iter().enumerate() {
                    reports.push(report_rows(
                        g,
                        g.ids.id("report", &[p, year as usize, r, c]),
                        (id, province.lead().id),
                        commune.id,
                        due,
                        issued,
                        &mut versions,
                    ));
                }
            }
        }
    }
    summary
        .insert(db, "reporting_obligation", obligations)
        .await?;
    summary.insert(db, "report", reports).await?;
    summary.insert(db, "report_version", versions).await?;
    Ok(())
}

/// Releases, events and their invitations, press requests and incidents.
async fn press_side<C: ConnectionTrait>(
    db: &C,
    g: &mut Gen,
    shape: &Shape,
    p: usize,
    province: &Province,
    summary: &mut Summary,
) -> AppResult<()> {
    let issuers: Vec<(usize, &Unit)> = province
        .current()
        .enumerate()
        .filter(|(_, u)| u.kind != AgencyKind::PressAgency)
        .collect();
    let mut events = Vec::new();
    let mut invitations = Vec::new();
    let mut co_organizers = Vec::new();
    let mut releases = Vec::new();
    let mut recipients = Vec::new();
    let mut requests = Vec::new();
    let mut incidents = Vec::new();
    for year in YEARS {
        let y = year as usize;
        for e in 0..shape.events_per_year {
            // Most events are the province's and its departments'.
            let (a, organizer) = issuers[g.rng.usize(..(1 + DEPARTMENTS.len()).min(issuers.len()))];
            let id = g.ids.id("event", &[p, y, e]);
            let starts = at(g.day_in(year), 9);
            let held = starts.date_naive() < as_of();
            let topic = g.pick(&TOPICS);
            events.push(
                press_event::Model {
                    id,
                    organizer_id: organizer.id,
                    kind: if e % 4 == 0 {
                        press_event::PressEventKind::PressConference
                    } else {
                        press_event::PressEventKind::PressBriefing
                    },
                    title: format!("Họp báo cung cấp thông tin về {topic} năm {year}"),
                    starts_at: starts,
                    ends_at: Some(starts + Duration::hours(2)),
                    place: Some(format!("Hội trường {}", province_name(p))),
                    online_url: None,
                    presiding_spokesperson_id: Some(head_id(g, p, a, 0)),
                    status: if held {
                        press_event::PressEventStatus::Held
                    } else {
                        press_event::PressEventStatus::Announced
                    },
                    is_public: e % 3 != 0,
                    topics: Some(topic.to_owned()),
                    agenda: Some(
                        "Thông tin tình hình kinh tế - xã hội; trả lời câu hỏi của báo chí".into(),
                    ),
                    cancellation_reason: None,
                    version: 1,
                    created_at: starts - Duration::days(7),
                    updated_at: starts - Duration::days(7),
                }
                .into_active_model(),
            );
            if e % 3 == 0 {
                co_organizers.push(
                    co_organizer::Model {
                        event_id: id,
                        agency_id: province.departments[1].id,
                    }
                    .into_active_model(),
                );
            }
            let first = g.rng.usize(..province.press.len().max(1));
            for k in 0..5.min(province.press.len()) {
                let press = &province.press[(first + k) % province.press.len()];
                let replied = held.then(|| starts - Duration::days(2));
                invitations.push(
                    event_invitation::Model {
                        event_id: id,
                        press_agency_id: press.id,
                        reply: if held {
                            event_invitation::InvitationReply::Accepted
                        } else {
                            event_invitation::InvitationReply::Pending
                        },
                        reporters: held.then_some(2),
                        replied_at: replied,
                        attended: held.then_some(true),
                        attendees: held.then_some(2),
                        invited_at: starts - Duration::days(7),
                    }
                    .into_active_model(),
                );
            }
        }
        for n in 0..shape.releases_per_year {
            let (a, issuer) = issuers[g.rng.usize(..issuers.len())];
            let id = g.ids.id("release", &[p, y, n]);
            let topic = g.pick(&TOPICS);
            let created = at(g.day_in(year), 10);
            let roll = g.rng.f64();
            let status = if roll < 0.03 {
                release::ReleaseStatus::Draft
            } else if roll < 0.05 {
                release::ReleaseStatus::Withdrawn
            } else {
                release::ReleaseStatus::Published
            };
            let audience = match g.rng.u8(0..20) {
                0 => release::Audience::Internal,
                1 | 2 => release::Audience::Targeted,
                _ => release::Audience::Public,
            };
            let published = (status != release::ReleaseStatus::Draft).then_some(created);
            let title = format!("Thông cáo báo chí về {topic} số {}/{year}", n + 1);
            let summary_text = format!("Thông tin chính thức của cơ quan về {topic}.");
            let body = format!(
                "Ngày {}, cơ quan cung cấp thông tin về {topic} trên địa bàn tỉnh {}. Các cơ quan báo chí đề nghị liên hệ người phát ngôn để được cung cấp thêm thông tin.",
                created.date_naive(),
                province_name(p)
            );
            releases.push(
                release::Model {
                    id,
                    issuing_agency_id: issuer.id,
                    doc_number: Some(format!("{}/TB-UBND", n + 1)),
                    doc_date: Some(created.date_naive()),
                    kind: release::ReleaseKind::PressRelease,
                    search_text: text::fold(&format!("{title} {summary_text} {body}")),
                    title,
                    summary: Some(summary_text),
                    body,
                    topics: Some(topic.to_owned()),
                    topic_keys: format!("|{}|", text::fold(topic)),
                    language: "vi".into(),
                    spokesperson_id: Some(head_id(g, p, a, 0)),
                    event_id: None,
                    audience,
                    embargo_until: None,
                    status,
                    published_at: published,
                    withdrawn_at: (status == release::ReleaseStatus::Withdrawn)
                        .then(|| created + Duration::days(1)),
                    withdrawal_reason: (status == release::ReleaseStatus::Withdrawn)
                        .then(|| "Thông tin cần được cập nhật".to_owned()),
                    corrects_id: None,
                    listed_at: published.unwrap_or(created),
                    version: 1,
                    created_at: created,
                    updated_at: created,
                }
                .into_active_model(),
            );
            if audience == release::Audience::Targeted {
                let first = g.rng.usize(..province.press.len().max(1));
                for k in 0..3.min(province.press.len()) {
                    recipients.push(
                        release_recipient::Model {
                            release_id: id,
                            press_agency_id: province.press[(first + k) % province.press.len()].id,
                        }
                        .into_active_model(),
                    );
                }
            }
        }
        for n in 0..shape.requests_per_year {
            let press = &province.press[g.rng.usize(..province.press.len().max(1))];
            let (_, addressed) = issuers[g.rng.usize(..issuers.len())];
            let received = at(g.day_in(year), 11);
            let due = received + legal::default_window(LegalKey::PressRequestAnswerDays);
            let answered = due.date_naive() < as_of() && g.chance(0.9);
            requests.push(
                press_request::Model {
                    id: g.ids.id("press-request", &[p, y, n]),
                    press_agency_id: press.id,
                    addressed_agency_id: addressed.id,
                    subject: format!("Đề nghị cung cấp thông tin về {}", g.pick(&TOPICS)),
                    question: "Đề nghị cơ quan cho biết tiến độ và kết quả thực hiện.".into(),
                    received_at: received,
                    due_at: due,
                    status: if answered {
                        press_request::PressRequestStatus::Answered
                    } else {
                        press_request::PressRequestStatus::Open
                    },
                    answer: answered.then(|| "Cơ quan đã cung cấp thông tin đầy đủ.".to_owned()),
                    refusal_reason: None,
                    refusal_explanation: None,
                    answered_at: answered.then(|| received + Duration::days(5)),
                    answered_by: None,
                    version: 1 + i32::from(answered),
                    created_at: received,
                    updated_at: received,
                }
                .into_active_model(),
            );
        }
        for n in 0..shape.incidents_per_year {
            let (_, affected) = issuers[g.rng.usize(..issuers.len())];
            let received = at(g.day_in(year), 14);
            let closed = received.date_naive() + Duration::days(10) < as_of();
            let statement = closed.then(|| received + Duration::hours(g.rng.i64(2..36)));
            incidents.push(
                incident::Model {
                    id: g.ids.id("incident", &[p, y, n]),
                    reporting_agency_id: affected.id,
                    affected_agency_id: affected.id,
                    handling_agency_id: Some(province.lead().id),
                    source_outlet: "Mạng xã hội".into(),
                    link: None,
                    category: if n % 3 == 0 {
                        incident::IncidentCategory::NegativeCoverage
                    } else {
                        incident::IncidentCategory::FalseInformation
                    },
                    summary: format!("Thông tin sai sự thật về {}", g.pick(&TOPICS)),
                    appeared_at: received - Duration::hours(3),
                    received_at: received,
                    statement_due_at: received
                        + legal::default_window(LegalKey::IncidentStatementHours),
                    first_statement_at: statement,
                    correction_release_id: None,
                    correction_requested: false,
                    status: if closed {
                        incident::IncidentStatus::Closed
                    } else {
                        incident::IncidentStatus::Open
                    },
                    outcome: closed.then(|| "Đã cải chính".to_owned()),
                    closed_at: closed.then(|| received + Duration::days(3)),
                    version: 1 + i32::from(closed),
                    created_at: received,
                    updated_at: received,
                }
                .into_active_model(),
            );
        }
    }
    summary.insert(db, "press_event", events).await?;
    summary
        .insert(db, "press_event_co_organizer", co_organizers)
        .await?;
    summary
        .insert(db, "press_event_invitation", invitations)
        .await?;
    summary.insert(db, "information_release", releases).await?;
    summary.insert(db, "release_recipient", recipients).await?;
    summary.insert(db, "press_request", requests).await?;
    summary.insert(db, "incident", incidents).await?;
    Ok(())
}

/// Training sessions with invitations and participants; yearly plans with their tasks.
async fn training_and_plans<C: ConnectionTrait>(
    db: &C,
    g: &mut Gen,
    shape: &Shape,
    p: usize,
    province: &Province,
    summary: &mut Summary,
) -> AppResult<()> {
    let mut sessions = Vec::new();
    let mut invited = Vec::new();
    let mut participants = Vec::new();
    let mut plans = Vec::new();
    let mut tasks = Vec::new();
    for year in YEARS {
        let y = year as usize;
        for t in 0..shape.trainings_per_year {
            let id = g.ids.id("training", &[p, y, t]);
            let starts = at(g.day_in(year), 8);
            let created = starts - Duration::days(20);
            sessions.push(
                training_session::Model {
                    id,
                    organizer_id: province.lead().id,
                    title: format!(
                        "Tập huấn kỹ năng phát ngôn và cung cấp thông tin đợt {} năm {year}",
                        t + 1
                    ),
                    topics: Some("phát ngôn, xử lý thông tin sai sự thật".into()),
                    starts_at: starts,
                    ends_at: starts + Duration::hours(8),
                    place: Some("Hội trường Sở Văn hóa, Thể thao và Du lịch".into()),
                    online_url: None,
                    mode: training_session::TrainingMode::InPerson,
                    capacity: 60,
                    audience: "SPOKESPERSON,OFFICER".into(),
                    co_organizers: province.departments[1].id.to_string(),
                    materials: "[]".into(),
                    version: 1,
                    created_at: created,
                    updated_at: created,
                }
                .into_active_model(),
            );
            let first = g.rng.usize(..province.communes.len().max(1));
            let held = starts.date_naive() < as_of();
            for k in 0..10.min(province.communes.len()) {
                let commune = &province.communes[(first + k) % province.communes.len()];
                invited.push(
                    training_invitation::Model {
                        session_id: id,
                        agency_id: commune.id,
                        quota: Some(3),
                    }
                    .into_active_model(),
                );
                for n in 0..g.rng.usize(1..4) {
                    participants.push(
                        participant::Model {
                            id: g.ids.id("participant", &[p, y, t, k, n]),
                            session_id: id,
                            agency_id: commune.id,
                            full_name: g.person(),
                            title: Some("Công chức Văn hóa - Xã hội".into()),
                            category: if n == 0 {
                                participant::ParticipantCategory::Spokesperson
                            } else {
                                participant::ParticipantCategory::Officer
                            },
                            registered_by: None,
                            registered_at: created + Duration::days(2),
                            withdrawn_at: None,
                            attended: held.then(|| g.chance(0.9)),
                        }
                        .into_active_model(),
                    );
                }
            }
        }
        // The province's plan, and the plans of ten communes implementing it.
        let plan_id = g.ids.id("plan", &[p, y]);
        let created = at(day(year, 1, 15), 9);
        let plan_row = |id, agency, implements, title: String| {
            plan::Model {
                id,
                agency_id: agency,
                year,
                doc_number: Some(format!("{}/KH-UBND", 10 + y % 100)),
                doc_date: Some(created.date_naive()),
                title,
                purpose: Some("Nâng cao hiệu quả công tác thông tin đối ngoại".into()),
                budget_note: None,
                implements_id: implements,
                version: 1,
                created_at: created,
                updated_at: created,
            }
            .into_active_model()
        };
        plans.push(plan_row(
            plan_id,
            province.committee.id,
            None,
            format!("Kế hoạch thông tin đối ngoại năm {year}"),
        ));
        for (k, commune) in province.communes.iter().take(10).enumerate() {
            plans.push(plan_row(
                g.ids.id("commune-plan", &[p, y, k]),
                commune.id,
                Some(plan_id),
                format!("Kế hoạch thông tin đối ngoại của xã năm {year}"),
            ));
        }
        for n in 0..8 {
            let due = day(year, 3 + n as u32, 28);
            let status = if due < as_of() {
                if g.chance(0.8) {
                    plan_task::TaskStatus::Done
                } else {
                    plan_task::TaskStatus::InProgress
                }
            } else {
                plan_task::TaskStatus::NotStarted
            };
            let lead = &province.departments[n % province.departments.len()];
            tasks.push(
                plan_task::Model {
                    id: g.ids.id("task", &[p, y, n]),
                    plan_id,
                    content: format!("Nhiệm vụ {} về {}", n + 1, g.pick(&TOPICS)),
                    lead_agency_id: lead.id,
                    coordinators: province.lead().id.to_string(),
                    due_date: Some(due),
                    status,
                    version: 1,
                    created_at: created,
                    updated_at: created,
                }
                .into_active_model(),
            );
        }
    }
    summary.insert(db, "training_session", sessions).await?;
    summary.insert(db, "training_invitation", invited).await?;
    summary
        .insert(db, "training_participant", participants)
        .await?;
    summary.insert(db, "plan", plans).await?;
    summary.insert(db, "plan_task", tasks).await?;
    Ok(())
}

/// Usernames of generated accounts, to sign in as in benchmarks: the lead department's first
/// account of province `p`, and the first account of current commune `c` of province `p`.
pub fn department_user(p: usize) -> String {
    format!("p{p}.a1.u0")
}

/// See [`department_user`].
pub fn commune_user(p: usize, c: usize) -> String {
    commune_account(p, c, 0)
}

/// Account `n` (of [`Shape::accounts_per_agency`]) of current commune `c` of province `p`.
pub fn commune_account(p: usize, c: usize, n: usize) -> String {
    format!("p{p}.a{}.u{n}", 1 + DEPARTMENTS.len() + c)
}

/// A press agency's first account of province `p`.
pub fn press_user(p: usize, shape: &Shape, n: usize) -> String {
    format!("p{p}.a{}.u0", 1 + DEPARTMENTS.len() + shape.communes + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_usernames_are_valid() {
        for name in [department_user(33), commune_user(0, 96), "p0.a0.u10".into()] {
            assert!(Username::parse(&name).is_ok(), "{name}");
        }
    }

    #[test]
    fn ids_are_deterministic_and_distinct() {
        let ids = Ids {
            namespace: Uuid::NAMESPACE_OID,
        };
        assert_eq!(ids.id("report", &[1, 2]), ids.id("report", &[1, 2]));
        assert_ne!(ids.id("report", &[1, 2]), ids.id("report", &[12]));
    }
}
