//! A person's account. Every account acts for exactly one agency, except administrators, who
//! act for the system and may have none.

use sea_orm::entity::prelude::*;

/// What an account may do; must fit the kind of its agency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum Role {
    /// System administrator.
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    /// The department leading TTĐN in a province (the Sở).
    #[sea_orm(string_value = "PROVINCIAL_DEPARTMENT")]
    ProvincialDepartment,
    /// A district committee.
    #[sea_orm(string_value = "DISTRICT")]
    District,
    /// A commune committee.
    #[sea_orm(string_value = "COMMUNE")]
    Commune,
    /// A press agency.
    #[sea_orm(string_value = "PRESS")]
    Press,
}

/// One account row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_account")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Sign-in name, lower case, unique.
    #[sea_orm(unique)]
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// The agency the account acts for (`None` only for administrators).
    pub agency_id: Option<Uuid>,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// When the account was disabled; a disabled account cannot sign in and its tokens stop
    /// working at once.
    pub disabled_at: Option<DateTimeUtc>,
    /// When the password last changed.
    pub password_changed_at: DateTimeUtc,
    /// Last successful sign-in.
    pub last_login_at: Option<DateTimeUtc>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
