//! GraphQL face of stored files: `uploadFile` (a GraphQL multipart request), and the `files`
//! of obligations, reports, plans and releases.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use entity::stored_file::{FileKind as StoredKind, Model};
use uuid::Uuid;

use super::service::{self, Record};
use crate::{
    agency::schema::Agency,
    blob::FileStore,
    error::{AppError, AppResult, Msg},
    graphql::{
        context::{ContextExt, parse_id},
        mutation::{self, Mutation},
    },
    mirror_enum,
    policy::Operation,
};

mirror_enum!(
    /// What a file is to its record.
    StoredFileKind => StoredKind {
        /// The signed and sealed document, scanned (usually a PDF).
        SignedScan,
        /// The final file as issued (DOCX, XLSX) or an image.
        FinalFile,
    }
);

/// The records files are kept with.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FileRecordType {
    /// A reporting obligation (its request letter, công văn).
    ReportingObligation,
    /// A report.
    Report,
    /// A plan.
    Plan,
    /// An information release.
    InformationRelease,
}

impl From<FileRecordType> for Record {
    fn from(value: FileRecordType) -> Self {
        match value {
            FileRecordType::ReportingObligation => Record::Obligation,
            FileRecordType::Report => Record::Report,
            FileRecordType::Plan => Record::Plan,
            FileRecordType::InformationRelease => Record::Release,
        }
    }
}

/// A file kept with a record: never replaced or deleted; a later upload of the same kind
/// supersedes it and both stay in the history.
pub struct StoredFile {
    row: Model,
    superseded: bool,
}

/// A file kept with a record (signed scan or final file): never replaced or deleted; a later
/// upload of the same kind supersedes it and both stay in the history.
#[Object]
impl StoredFile {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }

    /// What the file is to its record.
    async fn kind(&self) -> StoredFileKind {
        self.row.kind.into()
    }

    /// Its place in the record's history of this kind (1 for the first upload).
    async fn sequence(&self) -> i32 {
        self.row.sequence
    }

    /// Whether a later upload of the same kind took its place.
    async fn superseded(&self) -> bool {
        self.superseded
    }

    /// The file name as uploaded.
    async fn name(&self) -> &str {
        &self.row.name
    }

    /// The media type, read from the file's bytes (not from what the uploader declared).
    async fn media_type(&self) -> &str {
        &self.row.media_type
    }

    /// Size in bytes.
    async fn size_bytes(&self) -> i64 {
        self.row.size_bytes
    }

    /// SHA-256 of the bytes, lowercase hex: compare with the download's `x-checksum-sha256`.
    async fn sha256(&self) -> &str {
        &self.row.sha256
    }

    /// What the uploader said of it.
    async fn note(&self) -> Option<&str> {
        self.row.note.as_deref()
    }

    /// When it was uploaded.
    async fn uploaded_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }

    /// The agency it was uploaded for.
    async fn uploaded_by_agency(&self, ctx: &Context<'_>) -> AppResult<Option<Agency>> {
        Agency::load(ctx, self.row.agency_id).await
    }

    /// Where to download it, relative to the server (`GET` with the bearer token).
    async fn download_path(&self) -> String {
        format!("/files/{}", self.row.id)
    }
}

/// The files of record `id` (which the caller sees), oldest first by kind; with `history`,
/// the superseded ones too.
pub async fn files_of(ctx: &Context<'_>, id: Uuid, history: bool) -> AppResult<Vec<StoredFile>> {
    let rows = ctx.loaders()?.many::<service::relations::Files>(id).await?;
    Ok(rows
        .iter()
        .map(|row| StoredFile {
            row: row.clone(),
            superseded: service::superseded(row, &rows),
        })
        .filter(|file| history || !file.superseded)
        .collect())
}

/// A file to keep with a record.
#[derive(InputObject)]
pub struct UploadFileInput {
    /// The record's type.
    pub record_type: FileRecordType,
    /// The record.
    pub record_id: ID,
    /// What the file is to the record; it supersedes the record's current file of this kind.
    pub kind: StoredFileKind,
    /// The file (PDF, DOCX, XLSX, PNG, JPEG), as a part of a GraphQL multipart request.
    pub file: Upload,
    /// What the uploader says of it.
    pub note: Option<String>,
}

/// Result of an upload.
#[derive(SimpleObject)]
pub struct StoredFilePayload {
    /// The file as kept.
    file: StoredFile,
}

/// Uploads.
#[derive(Default)]
pub struct FileMutation;

#[Object]
impl FileMutation {
    /// Keeps a file with an obligation, a report, a plan or a release: the signed scan or the
    /// final file. Sent as a GraphQL multipart request (`Content-Type: multipart/form-data`,
    /// the `operations`, `map` and file parts). The type is read from the bytes; an empty,
    /// oversize, disguised or classified file is `BAD_USER_INPUT` on `input.file`, and nothing
    /// is kept.
    async fn upload_file(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file and its record.")] input: UploadFileInput,
    ) -> AppResult<StoredFilePayload> {
        let store = ctx
            .data_opt::<FileStore>()
            .cloned()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("no file store")))?;
        let value = input.file.value(ctx).map_err(|err| {
            AppError::bad_input(
                "input.file",
                Msg::new(
                    format!("Không đọc được tệp gửi lên: {err}"),
                    format!("The uploaded file could not be read: {err}"),
                ),
            )
        })?;
        let max = store.max_bytes;
        let name = value.filename.clone();
        let declared = value.content_type.clone();
        // At most one byte more than allowed is read: enough to tell the file is too large.
        let bytes = tokio::task::spawn_blocking(move || {
            use std::io::Read as _;
            let mut bytes = Vec::new();
            value
                .content
                .take(max as u64 + 1)
                .read_to_end(&mut bytes)
                .map(|_| bytes)
        })
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
        let id = Uuid::now_v7();
        let audit = serde_json::json!({
            "recordType": input.record_type,
            "recordId": input.record_id.as_str(),
            "kind": input.kind,
            "name": name,
            "sizeBytes": bytes.len(),
        });
        // The right each record's files need (the record itself is checked in the service).
        let needs = match input.record_type {
            FileRecordType::ReportingObligation => Operation::ObligationIssue,
            FileRecordType::Report => Operation::ReportWrite,
            FileRecordType::Plan => Operation::PlanManage,
            FileRecordType::InformationRelease => Operation::ReleaseManage,
        };
        let mut described = Mutation::new("file.upload", needs, "StoredFile");
        described.changes = Some(audit);
        let blobs = store.blobs.clone();
        let record = Record::from(input.record_type);
        let kind = StoredKind::from(input.kind);
        let note = input.note.clone();
        let record_id = input.record_id.clone();
        let result = mutation::run(
            ctx,
            described,
            |m: &Model| m.id,
            move |txn, actor| {
                Box::pin(async move {
                    let upload = service::Upload {
                        record,
                        record_id: parse_id("recordId", &record_id)?,
                        kind,
                        name,
                        declared,
                        bytes,
                        note,
                    };
                    service::store(txn, &blobs, actor, id, upload, max).await
                })
            },
        )
        .await;
        if result.is_err() {
            // Nothing was committed: the blob, if it was stored, has no row and goes.
            if let Err(err) = store.blobs.delete(&service::blob_key(id)).await {
                tracing::warn!(error = ?err, %id, "could not delete the blob of a failed upload");
            }
        }
        let row = result?;
        Ok(StoredFilePayload {
            file: StoredFile {
                row,
                superseded: false,
            },
        })
    }
}
