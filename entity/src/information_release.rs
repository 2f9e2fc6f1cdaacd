//! An information release: press release, information bulletin, propaganda guidance or
//! correction. Published content is never edited in place; a correction is a new release.

use sea_orm::entity::prelude::*;

/// What kind of release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ReleaseKind {
    /// Thông cáo báo chí.
    #[sea_orm(string_value = "PRESS_RELEASE")]
    PressRelease,
    /// Văn bản cung cấp thông tin.
    #[sea_orm(string_value = "INFORMATION_BULLETIN")]
    InformationBulletin,
    /// Hướng dẫn tuyên truyền.
    #[sea_orm(string_value = "PROPAGANDA_GUIDANCE")]
    PropagandaGuidance,
    /// Đính chính.
    #[sea_orm(string_value = "CORRECTION")]
    Correction,
}

/// Who may read a published release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Audience {
    /// Every press agency.
    #[sea_orm(string_value = "PUBLIC")]
    Public,
    /// The listed press agencies.
    #[sea_orm(string_value = "TARGETED")]
    Targeted,
    /// Government agencies only.
    #[sea_orm(string_value = "INTERNAL")]
    Internal,
}

/// Lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ReleaseStatus {
    /// Being written; only the issuer sees it.
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    /// Out.
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    /// Withdrawn after publication; kept with the reason.
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

/// One release row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "information_release")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Issuing agency.
    pub issuing_agency_id: Uuid,
    /// Document number and symbol.
    pub doc_number: Option<String>,
    /// Document date.
    pub doc_date: Option<Date>,
    /// Kind.
    pub kind: ReleaseKind,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: Option<String>,
    /// Body (Markdown).
    pub body: String,
    /// Topics, one per line, as written.
    pub topics: Option<String>,
    /// Topics folded and fenced (`|trieu son|du lich|`) for exact topic filters.
    pub topic_keys: String,
    /// Language (BCP 47, e.g. `vi`, `en`).
    pub language: String,
    /// The spokesperson the release is attributed to.
    pub spokesperson_id: Option<Uuid>,
    /// The event it was given out at.
    pub event_id: Option<Uuid>,
    /// Audience.
    pub audience: Audience,
    /// Not visible to the press before.
    pub embargo_until: Option<DateTimeUtc>,
    /// Lifecycle.
    pub status: ReleaseStatus,
    /// When published.
    pub published_at: Option<DateTimeUtc>,
    /// When withdrawn.
    pub withdrawn_at: Option<DateTimeUtc>,
    /// Why withdrawn.
    pub withdrawal_reason: Option<String>,
    /// The release a correction corrects.
    pub corrects_id: Option<Uuid>,
    /// Title, summary and body folded for search.
    pub search_text: String,
    /// Sort time: publication time once published, creation time before.
    pub listed_at: DateTimeUtc,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last change (for `updatedSince` polling).
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
