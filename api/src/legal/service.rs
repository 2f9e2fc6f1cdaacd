//! Rules of the legal settings. A value applies from its effective date (Vietnam time) on; for
//! an agency, the value in force on a day is its province's latest value from that day or
//! before, else the national one, else the shipped default. A deadline takes the value in force
//! when its clock starts and is stored with its record: a change, which can only take effect
//! today or later, never moves a deadline already set.

use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{
    agency,
    ids::{AgencyId, LegalSettingId},
    legal_setting::{ActiveModel, Column, Entity as LegalSetting, LegalKey, Model},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    auth::actor::{Actor, province_path},
    error::{AppError, AppResult, Msg},
    policy::{self, Operation},
    time,
};

/// The unit of a setting's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A number of hours.
    Hours,
    /// A number of calendar days.
    Days,
    /// A day of the month.
    DayOfMonth,
}

/// What a setting is: its unit, the value shipped, the values allowed and where the law sets it.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Which setting.
    pub key: LegalKey,
    /// Its stable name (`INCIDENT_STATEMENT_HOURS`).
    pub name: &'static str,
    /// Unit of the value.
    pub unit: Unit,
    /// The value shipped, in force until someone changes it.
    pub default: i32,
    /// The values accepted.
    pub allowed: RangeInclusive<i32>,
    /// What it decides.
    pub description: Msg,
    /// The rule behind the default.
    pub source: &'static str,
}

/// Every setting, in the order they are listed.
pub const KEYS: [LegalKey; 4] = [
    LegalKey::IncidentStatementHours,
    LegalKey::PressRequestAnswerDays,
    LegalKey::SpokespersonPublicationHours,
    LegalKey::ReportingCutoffDay,
];

/// The description of `key`.
pub fn spec(key: LegalKey) -> Spec {
    match key {
        LegalKey::IncidentStatementHours => Spec {
            key,
            name: "INCIDENT_STATEMENT_HOURS",
            unit: Unit::Hours,
            default: 24,
            allowed: 1..=168,
            description: Msg::new(
                "Thời hạn phát ngôn lần đầu khi có sự cố truyền thông, tính từ khi tiếp nhận (giờ)",
                "Time from the receipt of an incident to its first statement (hours)",
            ),
            source: "Nghị định 09/2017/NĐ-CP, Điều 11: phát ngôn trong trường hợp đột xuất, bất \
                     thường chậm nhất 24 giờ kể từ khi sự việc xảy ra",
        },
        LegalKey::PressRequestAnswerDays => Spec {
            key,
            name: "PRESS_REQUEST_ANSWER_DAYS",
            unit: Unit::Days,
            default: 30,
            allowed: 1..=365,
            description: Msg::new(
                "Thời hạn trả lời câu hỏi của cơ quan báo chí, tính từ khi tiếp nhận (ngày)",
                "Time from the receipt of a press request to its answer (days)",
            ),
            source: "Thời hạn mặc định của quy chế phát ngôn và cung cấp thông tin cho báo chí \
                     (30 ngày); mỗi tỉnh quy định trong quy chế của mình",
        },
        LegalKey::SpokespersonPublicationHours => Spec {
            key,
            name: "SPOKESPERSON_PUBLICATION_HOURS",
            unit: Unit::Hours,
            default: 24,
            allowed: 1..=720,
            description: Msg::new(
                "Thời hạn công bố họ tên, chức vụ, điện thoại, thư điện tử của người phát ngôn, \
                 tính từ khi giao nhiệm vụ (giờ)",
                "Time from a spokesperson's appointment to the publication of their name, title, \
                 phone and e-mail (hours)",
            ),
            source: "Quy định về người phát ngôn có hiệu lực từ 01/7/2026: công bố trong vòng \
                     24 giờ kể từ khi giao nhiệm vụ",
        },
        LegalKey::ReportingCutoffDay => Spec {
            key,
            name: "REPORTING_CUTOFF_DAY",
            unit: Unit::DayOfMonth,
            default: 14,
            allowed: 1..=28,
            description: Msg::new(
                "Ngày chốt số liệu của kỳ báo cáo: kỳ kết thúc ngày này, bắt đầu ngày kế tiếp \
                 của tháng đầu kỳ",
                "Day of the month a reporting period's data is cut off: a period ends on this \
                 day and starts the day after it, the period's length earlier",
            ),
            source: "Nghị định 09/2019/NĐ-CP, Điều 12: thời gian chốt số liệu từ ngày 15 tháng \
                     trước đến ngày 14 của tháng thuộc kỳ báo cáo",
        },
    }
}

/// The province of the agency at `path`: the root of its tree.
pub fn province_of(path: &str) -> Option<Uuid> {
    let province = province_path(path);
    province
        .split('/')
        .find(|s| !s.is_empty())
        .and_then(|s| Uuid::try_parse(s).ok())
}

/// The row that gives `key` its value for `province` (`None`: nationally) on `day`: the
/// province's latest from that day or before, else the national one.
pub async fn in_force<C: ConnectionTrait>(
    db: &C,
    key: LegalKey,
    province: Option<Uuid>,
    day: NaiveDate,
) -> AppResult<Option<Model>> {
    let place = match province {
        Some(province) => Condition::any()
            .add(Column::ProvinceAgencyId.eq(province))
            .add(Column::ProvinceAgencyId.is_null()),
        None => Condition::all().add(Column::ProvinceAgencyId.is_null()),
    };
    Ok(LegalSetting::find()
        .filter(Column::Key.eq(key))
        .filter(Column::WithdrawnAt.is_null())
        .filter(Column::EffectiveFrom.lte(day))
        .filter(place)
        .order_by(Expr::col(Column::ProvinceAgencyId).is_null(), Order::Asc)
        .order_by_desc(Column::EffectiveFrom)
        .limit(1)
        .one(db)
        .await?)
}

/// The value of `key` for the agency at `agency_path` on `day`.
pub async fn value_on<C: ConnectionTrait>(
    db: &C,
    key: LegalKey,
    agency_path: &str,
    day: NaiveDate,
) -> AppResult<i32> {
    Ok(in_force(db, key, province_of(agency_path), day)
        .await?
        .map_or(spec(key).default, |row| row.value))
}

/// `value` of the window `key` as a duration.
fn as_window(key: LegalKey, value: i32) -> AppResult<Duration> {
    let value = i64::from(value);
    match spec(key).unit {
        Unit::Hours => Ok(Duration::hours(value)),
        Unit::Days => Ok(Duration::days(value)),
        Unit::DayOfMonth => Err(AppError::internal(anyhow::anyhow!(
            "{} is a day of the month, not a window",
            spec(key).name
        ))),
    }
}

/// The shipped length of the window `key`, for records dated before any change (demo and
/// synthetic data).
pub fn default_window(key: LegalKey) -> Duration {
    as_window(key, spec(key).default).unwrap_or_default()
}

/// The length of the window `key` (in hours or days) for the agency at `agency_path` when its
/// clock starts at `start`.
pub async fn window<C: ConnectionTrait>(
    db: &C,
    key: LegalKey,
    agency_path: &str,
    start: DateTime<Utc>,
) -> AppResult<Duration> {
    let day = start.with_timezone(&time::VIETNAM).date_naive();
    as_window(key, value_on(db, key, agency_path, day).await?)
}

/// The value of `key` for the agency `agency` on `day` (an unknown agency: the national value).
pub async fn value_for<C: ConnectionTrait>(
    db: &C,
    key: LegalKey,
    agency: AgencyId,
    day: NaiveDate,
) -> AppResult<i32> {
    let path = agency::Entity::find_by_id(agency.0)
        .one(db)
        .await?
        .map(|a| a.path)
        .unwrap_or_default();
    value_on(db, key, &path, day).await
}

/// A change to schedule.
#[derive(Clone, Debug)]
pub struct NewValue {
    /// The setting.
    pub key: LegalKey,
    /// The province (its root agency); `None` for the national value.
    pub province: Option<AgencyId>,
    /// The new value.
    pub value: i32,
    /// First day it applies: today or later.
    pub effective_from: NaiveDate,
    /// The decision behind it.
    pub note: Option<String>,
}

fn not_found() -> AppError {
    AppError::NotFound(Msg::new("Không tìm thấy tham số", "Setting not found"))
}

/// The province agency `id`, which must be the root of a tree; with the path the policy checks.
async fn province<C: ConnectionTrait>(db: &C, id: AgencyId) -> AppResult<agency::Model> {
    match agency::Entity::find_by_id(id.0).one(db).await? {
        Some(found) if found.parent_id.is_none() => Ok(found),
        _ => Err(AppError::bad_input(
            "provinceId",
            Msg::new(
                "Cần mã của Ủy ban nhân dân tỉnh (gốc của cây cơ quan)",
                "Give the id of a provincial committee (the root of an agency tree)",
            ),
        )),
    }
}

/// May `actor` change the settings of `province` (`None`: the national values)?
fn require_manage(actor: &Actor, province: Option<&agency::Model>) -> AppResult<()> {
    policy::require_at(
        actor,
        Operation::LegalSettingManage,
        province.map(|p| p.path.as_str()),
    )
}

/// Schedules a value from a day on (today or later).
pub async fn schedule<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    new: NewValue,
) -> AppResult<Model> {
    let place = match new.province {
        Some(id) => Some(province(db, id).await?),
        None => None,
    };
    require_manage(actor, place.as_ref())?;
    let spec = spec(new.key);
    if !spec.allowed.contains(&new.value) {
        return Err(AppError::bad_input(
            "value",
            Msg::new(
                format!(
                    "Giá trị của {} phải từ {} đến {}",
                    spec.name,
                    spec.allowed.start(),
                    spec.allowed.end()
                ),
                format!(
                    "{} takes a value from {} to {}",
                    spec.name,
                    spec.allowed.start(),
                    spec.allowed.end()
                ),
            ),
        ));
    }
    if new.effective_from < time::today() {
        return Err(AppError::bad_input(
            "effectiveFrom",
            Msg::new(
                "Thay đổi chỉ có hiệu lực từ hôm nay trở đi: các thời hạn đã tính không thay đổi",
                "A change takes effect today or later: deadlines already set do not move",
            ),
        ));
    }
    let taken = || {
        AppError::conflict(
            "effectiveFrom",
            Msg::new(
                "Đã có giá trị có hiệu lực từ ngày này; hãy rút giá trị đó trước",
                "A value already takes effect on that day; withdraw it first",
            ),
        )
    };
    let same_day = LegalSetting::find()
        .filter(Column::Key.eq(new.key))
        .filter(Column::EffectiveFrom.eq(new.effective_from))
        .filter(Column::WithdrawnAt.is_null())
        .filter(match new.province {
            Some(id) => Column::ProvinceAgencyId.eq(id.0),
            None => Column::ProvinceAgencyId.is_null(),
        })
        .one(db)
        .await?;
    if same_day.is_some() {
        return Err(taken());
    }
    let model = Model {
        id: LegalSettingId::new().0,
        key: new.key,
        province_agency_id: new.province.map(|p| p.0),
        value: new.value,
        effective_from: new.effective_from,
        note: new.note,
        created_by: actor.user().ok().map(|(user, _)| user.0),
        created_by_name: actor.name().to_owned(),
        created_at: Utc::now(),
        withdrawn_at: None,
    };
    LegalSetting::insert(ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await
        .map_err(|err| match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => taken(),
            _ => err.into(),
        })?;
    Ok(model)
}

/// Withdraws a scheduled value that is not yet in force.
pub async fn withdraw<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: LegalSettingId,
) -> AppResult<Model> {
    let row = LegalSetting::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let place = match row.province_agency_id {
        Some(id) => Some(province(db, AgencyId(id)).await?),
        None => None,
    };
    require_manage(actor, place.as_ref())?;
    if row.withdrawn_at.is_some() || row.effective_from <= time::today() {
        return Err(AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Chỉ rút được giá trị chưa có hiệu lực; hãy đặt một giá trị mới",
                "Only a value not yet in force can be withdrawn; schedule a new value instead",
            ),
        });
    }
    let withdrawn = Model {
        withdrawn_at: Some(Utc::now()),
        ..row
    };
    LegalSetting::update(ActiveModel {
        id: Set(withdrawn.id),
        withdrawn_at: Set(withdrawn.withdrawn_at),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(withdrawn)
}

/// The values of every setting in force for `province` (`None`: nationally) on `day`.
pub async fn all_in_force<C: ConnectionTrait>(
    db: &C,
    province: Option<Uuid>,
    day: NaiveDate,
) -> AppResult<Vec<(LegalKey, Option<Model>)>> {
    let mut values = Vec::with_capacity(KEYS.len());
    for key in KEYS {
        values.push((key, in_force(db, key, province, day).await?));
    }
    Ok(values)
}

/// Every change of `key` (all settings when `None`) nationally and for `province`, withdrawn and
/// scheduled ones included, the latest effective date first.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    key: Option<LegalKey>,
    province: Option<Uuid>,
) -> AppResult<Vec<Model>> {
    let mut place = Condition::any().add(Column::ProvinceAgencyId.is_null());
    if let Some(province) = province {
        place = place.add(Column::ProvinceAgencyId.eq(province));
    }
    let mut select = LegalSetting::find().filter(place);
    if let Some(key) = key {
        select = select.filter(Column::Key.eq(key));
    }
    Ok(select
        .order_by_desc(Column::EffectiveFrom)
        .order_by_desc(Column::CreatedAt)
        .all(db)
        .await?)
}

/// The shipped defaults as national values from the first day the system knows, so that the
/// history of every setting starts with them; written once, also when several processes start
/// at once (the unique index of national values decides).
pub async fn ensure_defaults<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    let since = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    for key in KEYS {
        let exists = LegalSetting::find()
            .filter(Column::Key.eq(key))
            .filter(Column::ProvinceAgencyId.is_null())
            .filter(Column::EffectiveFrom.eq(since))
            .one(db)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let row = ActiveModel::from(Model {
            id: LegalSettingId::new().0,
            key,
            province_agency_id: None,
            value: spec(key).default,
            effective_from: since,
            note: Some(spec(key).source.to_owned()),
            created_by: None,
            created_by_name: "ttdn".to_owned(),
            created_at: Utc::now(),
            withdrawn_at: None,
        });
        match LegalSetting::insert(row).exec_without_returning(db).await {
            Ok(_) => {}
            Err(err)
                if matches!(
                    err.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}
