//! Rules of stored files: who may upload to which record, the history per record and kind,
//! reading under the record's visibility, and the sweep of blobs whose upload never landed.

use std::collections::HashSet;

use chrono::Utc;
use entity::{
    agency,
    ids::{ObligationId, PlanId, ReleaseId, ReportId},
    stored_file::{ActiveModel, Column, Entity as StoredFile, FileKind, Model},
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    QueryFilter, QuerySelect,
};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::content;
use crate::{
    auth::actor::Actor,
    blob::{BlobError, Blobs},
    error::{AppError, AppResult, Msg},
    plan::service as plans,
    policy::{self, Operation},
    release::service as releases,
    reporting::service as reporting,
};

/// The records files are kept with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    /// A reporting obligation (its request letter, công văn).
    Obligation,
    /// A report.
    Report,
    /// A plan.
    Plan,
    /// An information release.
    Release,
}

impl Record {
    /// The type name stored and shown (as `node(id:)` names it).
    pub fn type_name(self) -> &'static str {
        match self {
            Record::Obligation => "ReportingObligation",
            Record::Report => "Report",
            Record::Plan => "Plan",
            Record::Release => "InformationRelease",
        }
    }

    fn of(type_name: &str) -> Option<Self> {
        [
            Record::Obligation,
            Record::Report,
            Record::Plan,
            Record::Release,
        ]
        .into_iter()
        .find(|r| r.type_name() == type_name)
    }
}

/// The prefix of every key this area writes in the blob store.
pub const BLOB_PREFIX: &str = "files";

/// The blob key of the file with id `id`.
pub fn blob_key(id: Uuid) -> String {
    format!("{BLOB_PREFIX}/{id}")
}

/// The agency that owns record `id`, if the caller sees the record (`NOT_FOUND` otherwise,
/// as each area answers).
async fn owner<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    record: Record,
    id: Uuid,
) -> AppResult<Uuid> {
    Ok(match record {
        Record::Obligation => {
            reporting::get(db, actor, ObligationId(id))
                .await?
                .issuer_agency_id
        }
        Record::Report => {
            reporting::report(db, actor, ReportId(id))
                .await?
                .recipient_agency_id
        }
        Record::Plan => plans::get(db, actor, PlanId(id)).await?.agency_id,
        Record::Release => {
            releases::get(db, actor, ReleaseId(id))
                .await?
                .issuing_agency_id
        }
    })
}

/// Whether the caller may add files to a record of `owner`: whoever may issue the obligation,
/// write the report (its own agency), manage the plan or the release.
async fn may_upload<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    record: Record,
    owner: Uuid,
) -> AppResult<()> {
    let path = agency::Entity::find_by_id(owner)
        .one(db)
        .await?
        .map(|a| a.path);
    match record {
        Record::Report => {
            policy::require(actor, Operation::ReportWrite)?;
            if actor.agency_id().map(|a| a.0) == Some(owner) {
                Ok(())
            } else {
                Err(AppError::Forbidden(Msg::new(
                    "Chỉ cơ quan lập báo cáo mới đính kèm tệp vào báo cáo của mình",
                    "Only the agency that writes a report attaches files to it",
                )))
            }
        }
        Record::Obligation => {
            policy::require_at(actor, Operation::ObligationIssue, path.as_deref())
        }
        Record::Plan => policy::require_at(actor, Operation::PlanManage, path.as_deref()),
        Record::Release => policy::require_at(actor, Operation::ReleaseManage, path.as_deref()),
    }
}

/// An upload, read in full and not yet checked.
pub struct Upload {
    /// The record it is for.
    pub record: Record,
    /// The record's id.
    pub record_id: Uuid,
    /// What it is to the record.
    pub kind: FileKind,
    /// The file name as sent.
    pub name: String,
    /// The media type the client declared.
    pub declared: Option<String>,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// What the uploader says of it.
    pub note: Option<String>,
}

/// A checked file name: a base name (no directories), at most 255 characters, no control
/// characters, no secrecy stamp (checked with the bytes).
fn file_name(raw: &str) -> AppResult<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw).trim();
    if base.is_empty() || base.chars().count() > 255 || base.chars().any(char::is_control) {
        return Err(AppError::bad_input(
            "file",
            Msg::new(
                "Tên tệp phải có từ 1 đến 255 ký tự, không có ký tự điều khiển",
                "The file name must have 1 to 255 characters and no control characters",
            ),
        ));
    }
    Ok(base.to_owned())
}

/// Stores `upload` as file `id`: checks the bytes and the caller's right, puts the blob, then
/// writes the row as the next of its record's history. The blob is written before the row;
/// the caller deletes it when the transaction does not commit.
pub async fn store<C: ConnectionTrait>(
    db: &C,
    blobs: &Blobs,
    actor: &Actor,
    id: Uuid,
    upload: Upload,
    max_bytes: usize,
) -> AppResult<Model> {
    let name = file_name(&upload.name)?;
    let kind = content::check(&name, upload.declared.as_deref(), &upload.bytes, max_bytes)?;
    let note = upload
        .note
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if let Some(note) = &note {
        crate::text::refuse_classified_text("note", note)?;
        if note.chars().count() > 1000 {
            return Err(AppError::bad_input(
                "note",
                Msg::new(
                    "Ghi chú dài quá 1000 ký tự",
                    "The note is longer than 1000 characters",
                ),
            ));
        }
    }
    let owner = owner(db, actor, upload.record, upload.record_id).await?;
    may_upload(db, actor, upload.record, owner).await?;
    let last: Option<i32> = StoredFile::find()
        .select_only()
        .column_as(Column::Sequence.max(), "last")
        .filter(Column::RecordType.eq(upload.record.type_name()))
        .filter(Column::RecordId.eq(upload.record_id))
        .filter(Column::Kind.eq(upload.kind))
        .into_tuple::<Option<i32>>()
        .one(db)
        .await?
        .flatten();
    let sha256 = format!("{:x}", Sha256::digest(&upload.bytes));
    let size = upload.bytes.len() as i64;
    let key = blob_key(id);
    blobs.put(&key, upload.bytes).await.map_err(unavailable)?;
    let row = ActiveModel {
        id: Set(id),
        record_type: Set(upload.record.type_name().to_owned()),
        record_id: Set(upload.record_id),
        kind: Set(upload.kind),
        sequence: Set(last.unwrap_or(0) + 1),
        name: Set(name),
        media_type: Set(kind.media_type().to_owned()),
        size_bytes: Set(size),
        sha256: Set(sha256),
        blob_key: Set(key),
        note: Set(note),
        uploaded_by: Set(match &actor.principal {
            crate::auth::actor::Principal::User { id, .. } => Some(id.0),
            crate::auth::actor::Principal::Client { .. } => None,
        }),
        agency_id: Set(actor.agency_id().map(|a| a.0)),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .map_err(|err| match AppError::from(err) {
        AppError::Conflict { .. } => AppError::Conflict {
            field: None,
            msg: Msg::new(
                "Một tệp khác vừa được tải lên cho hồ sơ này cùng lúc; hãy thử lại",
                "Another file was uploaded to this record at the same moment; try again",
            ),
        },
        other => other,
    })?;
    Ok(row)
}

/// The blob store failed: the service is unavailable, nothing was written.
pub fn unavailable(err: BlobError) -> AppError {
    AppError::Unavailable(std::sync::Arc::new(anyhow::Error::new(err)))
}

/// Whether a later upload of the same kind supersedes `row` among `all` of its record.
pub fn superseded(row: &Model, all: &[Model]) -> bool {
    all.iter()
        .any(|other| other.kind == row.kind && other.sequence > row.sequence)
}

fn file_not_found() -> AppError {
    AppError::NotFound(Msg::new("Không tìm thấy tệp", "File not found"))
}

/// File `id` with its bytes, if the caller sees its record.
pub async fn download<C: ConnectionTrait>(
    db: &C,
    blobs: &Blobs,
    actor: &Actor,
    raw_id: &str,
) -> AppResult<(Model, Vec<u8>)> {
    let id = Uuid::try_parse(raw_id).map_err(|_| file_not_found())?;
    let row = StoredFile::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(file_not_found)?;
    let record = Record::of(&row.record_type).ok_or_else(file_not_found)?;
    owner(db, actor, record, row.record_id)
        .await
        .map_err(|err| match err {
            AppError::NotFound(_) | AppError::Forbidden(_) => file_not_found(),
            other => other,
        })?;
    let bytes = blobs.get(&row.blob_key).await.map_err(unavailable)?;
    Ok((row, bytes))
}

/// Deletes the blobs under [`BLOB_PREFIX`] written before `before` that no row names: what an
/// upload left when its process died between storing the blob and committing the row.
pub async fn sweep<C: ConnectionTrait>(
    db: &C,
    blobs: &Blobs,
    before: chrono::DateTime<Utc>,
) -> AppResult<usize> {
    let keys = blobs
        .keys_before(BLOB_PREFIX, before)
        .await
        .map_err(unavailable)?;
    let mut deleted = 0;
    for chunk in keys.chunks(500) {
        let known: HashSet<String> = StoredFile::find()
            .select_only()
            .column(Column::BlobKey)
            .filter(Column::BlobKey.is_in(chunk.iter().cloned()))
            .into_tuple::<String>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for key in chunk.iter().filter(|k| !known.contains(*k)) {
            blobs.delete(key).await.map_err(unavailable)?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// Sweeps every `every`, for blobs older than an hour, for as long as the process runs.
pub fn spawn_sweeper(db: sea_orm::DatabaseConnection, blobs: Blobs, every: std::time::Duration) {
    tokio::spawn(async move {
        loop {
            let before = Utc::now() - chrono::Duration::hours(1);
            match sweep(&db, &blobs, before).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(blobs = n, "blobs of unfinished uploads deleted"),
                Err(err) => tracing::warn!(error = ?err, "sweeping the blob store failed"),
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// The relations of stored files, for the request's loaders.
pub mod relations {
    use sea_orm::Order;

    use super::{Column, StoredFile};
    use crate::graphql::loaders::Relation;

    /// The files of a record, by the record's id (ids are unique across record types), in
    /// kind and upload order.
    pub struct Files;

    impl Relation for Files {
        type Entity = StoredFile;
        fn key() -> Column {
            Column::RecordId
        }
        fn order() -> Vec<(Column, Order)> {
            vec![(Column::Kind, Order::Asc), (Column::Sequence, Order::Asc)]
        }
    }
}
