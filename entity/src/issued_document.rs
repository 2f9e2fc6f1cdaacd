//! The register of document numbers (sổ đăng ký văn bản đi): one row per record carrying a
//! document number, unique per issuing agency, year and number and symbol (ND 30/2020: an
//! agency's numbering restarts each year and never repeats within it).

use sea_orm::entity::prelude::*;

/// One registered number.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issued_document")]
pub struct Model {
    /// Kind of record (`ReportingObligation`, `Plan`, `InformationRelease`, `Report`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_type: String,
    /// The record.
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: Uuid,
    /// The agency that issues the document.
    pub issuer_agency_id: Uuid,
    /// Year of the issue date.
    pub year: i32,
    /// Number and symbol, as recorded (`2390/SVHTTDL-QLBC`).
    pub number: String,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
