//! A file kept with a record: a signed scan or a final file, its bytes in the blob store.
//! Never updated or deleted; a later upload of the same kind supersedes it.

use sea_orm::entity::prelude::*;

/// What the file is to its record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum FileKind {
    /// The signed and sealed document, scanned (usually a PDF).
    #[sea_orm(string_value = "SIGNED_SCAN")]
    SignedScan,
    /// The final file as issued (DOCX, XLSX) or an image.
    #[sea_orm(string_value = "FINAL_FILE")]
    FinalFile,
}

/// One upload.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stored_file")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The record's type: `ReportingObligation`, `Report`, `Plan`, `InformationRelease`.
    pub record_type: String,
    /// The record.
    pub record_id: Uuid,
    /// What the file is to the record.
    pub kind: FileKind,
    /// Its place in the record's history of this kind (1 for the first upload).
    pub sequence: i32,
    /// The file name as uploaded.
    pub name: String,
    /// The media type read from the bytes.
    pub media_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// Where the bytes are in the blob store.
    pub blob_key: String,
    /// What the uploader said of it.
    pub note: Option<String>,
    /// The account that uploaded it.
    pub uploaded_by: Option<Uuid>,
    /// The agency it uploaded for.
    pub agency_id: Option<Uuid>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
