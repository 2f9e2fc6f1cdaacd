//! GraphQL face of the legal settings.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    ids::{AgencyId, LegalSettingId},
    legal_setting::{LegalKey as StoredKey, Model},
};
use serde::Serialize;

use super::service::{self, NewValue, Unit};
use crate::{
    agency::schema::Agency,
    error::AppResult,
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
        scalars::Date,
    },
    mirror_enum,
    policy::Operation,
    text, time,
};

mirror_enum!(
    /// A legal deadline or cut-off kept as data.
    LegalSettingKey => StoredKey {
        /// Hours from the receipt of an incident to its first statement (default 24).
        IncidentStatementHours,
        /// Days from the receipt of a press request to its answer (default 30).
        PressRequestAnswerDays,
        /// Hours from a spokesperson's appointment to the publication of their contacts
        /// (default 24).
        SpokespersonPublicationHours,
        /// Day of the month a reporting period's data is cut off (default 14: periods run from
        /// the 15th to the 14th).
        ReportingCutoffDay,
    }
);

/// The unit of a setting's value.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum LegalSettingUnit {
    /// Hours.
    Hours,
    /// Calendar days.
    Days,
    /// A day of the month.
    DayOfMonth,
}

impl From<Unit> for LegalSettingUnit {
    fn from(unit: Unit) -> Self {
        match unit {
            Unit::Hours => Self::Hours,
            Unit::Days => Self::Days,
            Unit::DayOfMonth => Self::DayOfMonth,
        }
    }
}

/// One value of a legal setting from one date on, nationally or for one province.
pub struct LegalSetting(Model);

/// One value of a legal deadline or cut-off (tham số theo quy định) from one date on, nationally
/// or for one province. Values are never changed: a later date supersedes them, and one not yet
/// in force can be withdrawn. A deadline takes the value in force when its clock starts and
/// keeps it.
#[Object]
impl LegalSetting {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The setting.
    async fn key(&self) -> LegalSettingKey {
        self.0.key.into()
    }

    /// The value, in `unit`.
    async fn value(&self) -> i32 {
        self.0.value
    }

    /// Unit of the value.
    async fn unit(&self) -> LegalSettingUnit {
        service::spec(self.0.key).unit.into()
    }

    /// Smallest value accepted.
    async fn minimum(&self) -> i32 {
        *service::spec(self.0.key).allowed.start()
    }

    /// Largest value accepted.
    async fn maximum(&self) -> i32 {
        *service::spec(self.0.key).allowed.end()
    }

    /// What the setting decides, in the caller's language.
    async fn description(&self, ctx: &Context<'_>) -> String {
        ctx.say(&service::spec(self.0.key).description)
    }

    /// The rule behind the shipped default (in Vietnamese, as the law is written).
    async fn legal_source(&self) -> &'static str {
        service::spec(self.0.key).source
    }

    /// The province (its provincial committee) the value applies to; null for the national
    /// value, which applies where a province has set none.
    async fn province(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.0.province_agency_id).await
    }

    /// First day (Vietnam time) the value applies.
    async fn effective_from(&self) -> Date {
        self.0.effective_from.into()
    }

    /// Whether the value has taken effect (effective today or before, not withdrawn). A value
    /// in effect may since have been superseded by a later one.
    async fn in_effect(&self) -> bool {
        self.0.withdrawn_at.is_none() && self.0.effective_from <= time::today()
    }

    /// Why: the decision or regulation behind the value.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Who recorded the value (`ttdn` for the shipped defaults).
    async fn changed_by(&self) -> &str {
        &self.0.created_by_name
    }

    /// When the value was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When a value not yet in force was withdrawn.
    async fn withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.0.withdrawn_at
    }
}

/// The province whose values a query is about: the one asked for, else the caller's own.
fn province_asked(ctx: &Context<'_>, province_id: Option<&ID>) -> AppResult<Option<uuid::Uuid>> {
    match province_id {
        Some(id) => Ok(Some(parse_id("provinceId", id)?)),
        None => Ok(ctx
            .actor()?
            .agency
            .as_ref()
            .and_then(|a| service::province_of(&a.path))),
    }
}

/// Legal settings.
#[derive(Default)]
pub struct LegalQuery;

#[Object]
impl LegalQuery {
    /// The value of every legal setting in force for a province on a day: the province's own
    /// where it has set one, else the national value. Every signed-in party may read them.
    async fn legal_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The province (its provincial committee); default: the caller's own.")]
        province_id: Option<ID>,
        #[graphql(desc = "The day (Vietnam time); default: today.")] on: Option<Date>,
    ) -> AppResult<Vec<LegalSetting>> {
        let province = province_asked(ctx, province_id.as_ref())?;
        let day = on.map_or_else(time::today, |d| d.0);
        let values = service::all_in_force(ctx.db()?, province, day).await?;
        Ok(values
            .into_iter()
            .filter_map(|(_, row)| row.map(LegalSetting))
            .collect())
    }

    /// Every value recorded for a setting, nationally and for a province: in force, superseded,
    /// scheduled and withdrawn; the latest effective date first.
    async fn legal_setting_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this setting; default: all.")] key: Option<LegalSettingKey>,
        #[graphql(desc = "The province (its provincial committee); default: the caller's own.")]
        province_id: Option<ID>,
    ) -> AppResult<Vec<LegalSetting>> {
        let province = province_asked(ctx, province_id.as_ref())?;
        Ok(service::history(ctx.db()?, key.map(Into::into), province)
            .await?
            .into_iter()
            .map(LegalSetting)
            .collect())
    }
}

/// A new value of a legal setting.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleLegalSettingInput {
    /// The setting.
    key: LegalSettingKey,
    /// The province (its provincial committee); omitted for the national value
    /// (administrators only).
    province_id: Option<ID>,
    /// The value, between the setting's `minimum` and `maximum`.
    value: i32,
    /// First day it applies (Vietnam time): today or later.
    effective_from: Date,
    /// The decision or regulation behind it.
    note: Option<String>,
}

/// A scheduled value to withdraw.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawLegalSettingInput {
    /// The value, not yet in effect.
    id: ID,
}

/// Result of a change of a legal setting.
#[derive(SimpleObject)]
pub struct LegalSettingPayload {
    /// The value after the change.
    legal_setting: LegalSetting,
}

fn setting_id(model: &Model) -> uuid::Uuid {
    model.id
}

/// Changes of legal settings.
#[derive(Default)]
pub struct LegalMutation;

#[Object]
impl LegalMutation {
    /// Schedules a new value of a legal setting from a day on (today or later). Deadlines
    /// already set keep the value they were set with.
    async fn schedule_legal_setting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new value.")] input: ScheduleLegalSettingInput,
    ) -> AppResult<LegalSettingPayload> {
        let described = Mutation::new(
            "legalSetting.schedule",
            Operation::LegalSettingManage,
            "LegalSetting",
        )
        .input(&input);
        mutation::run(ctx, described, setting_id, move |txn, actor| {
            Box::pin(async move {
                let new = NewValue {
                    key: input.key.into(),
                    province: input
                        .province_id
                        .as_ref()
                        .map(|id| parse_id("provinceId", id).map(AgencyId))
                        .transpose()?,
                    value: input.value,
                    effective_from: input.effective_from.0,
                    note: text::optional(input.note.as_deref(), |v| {
                        text::required_line("note", v, 2000)
                    })?,
                };
                service::schedule(txn, actor, new).await
            })
        })
        .await
        .map(|model| LegalSettingPayload {
            legal_setting: LegalSetting(model),
        })
    }

    /// Withdraws a scheduled value that has not yet taken effect.
    async fn withdraw_legal_setting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scheduled value.")] input: WithdrawLegalSettingInput,
    ) -> AppResult<LegalSettingPayload> {
        let described = Mutation::new(
            "legalSetting.withdraw",
            Operation::LegalSettingManage,
            "LegalSetting",
        )
        .on(&input.id)
        .input(&input);
        mutation::run(ctx, described, setting_id, move |txn, actor| {
            Box::pin(async move {
                let id = LegalSettingId(parse_id("id", &input.id)?);
                service::withdraw(txn, actor, id).await
            })
        })
        .await
        .map(|model| LegalSettingPayload {
            legal_setting: LegalSetting(model),
        })
    }
}
