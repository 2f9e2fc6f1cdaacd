//! The blob store: where the bytes of uploaded files live, through the `object_store` crate.
//!
//! - A local directory by default (`TTDN_BLOB_DIR`, `blobs` beside the SQLite file), so that
//!   the embedded setup needs nothing else;
//! - S3-compatible object storage in production (`TTDN_BLOB_S3_BUCKET` with its endpoint and
//!   keys), so that several processes share the files.
//!
//! Blobs are written once under a fresh key and never overwritten; the database row that
//! names a blob is committed only after the blob is stored, and a blob whose row never came
//! (a failed or interrupted upload) is deleted at once, or by the sweep of the files area if
//! the process died in between.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload, path::Path};

use crate::config::Settings;

/// The store of this process, shared by every request.
#[derive(Clone, Debug)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// Where, for logs and `/readyz`: `directory blobs` or `s3 bucket ttdn at …`.
    pub describe: String,
}

/// The blob store with the upload limit, as the schema and the download route hold it.
#[derive(Clone, Debug)]
pub struct FileStore {
    /// Where the bytes go.
    pub blobs: Blobs,
    /// The largest file an upload accepts (`TTDN_MAX_UPLOAD_BYTES`).
    pub max_bytes: usize,
}

/// What a missing blob answers (the row names a blob the store does not have).
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The store has no such blob.
    #[error("no blob {0}")]
    Missing(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] object_store::Error),
}

impl Blobs {
    /// The store the settings name: S3 when a bucket is set, else the directory (created
    /// when missing).
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        if settings.blob_s3_bucket.is_empty() {
            Self::directory(&settings.blob_dir)
        } else {
            let mut builder = object_store::aws::AmazonS3Builder::new()
                .with_bucket_name(&settings.blob_s3_bucket)
                .with_region(&settings.blob_s3_region)
                .with_allow_http(settings.blob_s3_endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
            if !settings.blob_s3_endpoint.is_empty() {
                builder = builder.with_endpoint(&settings.blob_s3_endpoint);
            }
            if !settings.blob_s3_access_key_id.is_empty() {
                builder = builder
                    .with_access_key_id(&settings.blob_s3_access_key_id)
                    .with_secret_access_key(&settings.blob_s3_secret_access_key.0);
            }
            let store = builder.build()?;
            Ok(Self {
                store: Arc::new(store),
                describe: format!(
                    "s3 bucket {} at {}",
                    settings.blob_s3_bucket,
                    if settings.blob_s3_endpoint.is_empty() {
                        "AWS"
                    } else {
                        &settings.blob_s3_endpoint
                    }
                ),
            })
        }
    }

    /// A store in directory `dir`, created when missing.
    pub fn directory(dir: &str) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir).map_err(|err| {
            anyhow::anyhow!("cannot create the blob directory {dir} (TTDN_BLOB_DIR): {err}")
        })?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
        Ok(Self {
            store: Arc::new(store),
            describe: format!("directory {dir}"),
        })
    }

    /// Stores `bytes` under `key`.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobError> {
        self.store
            .put(&Path::from(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// The bytes under `key`.
    pub async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        match self.store.get(&Path::from(key)).await {
            Ok(found) => Ok(found.bytes().await?.to_vec()),
            Err(object_store::Error::NotFound { .. }) => Err(BlobError::Missing(key.to_owned())),
            Err(err) => Err(err.into()),
        }
    }

    /// Deletes the blob under `key` (nothing if there is none).
    pub async fn delete(&self, key: &str) -> Result<(), BlobError> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// The keys under `prefix` last written before `before`.
    pub async fn keys_before(
        &self,
        prefix: &str,
        before: DateTime<Utc>,
    ) -> Result<Vec<String>, BlobError> {
        let listed: Vec<_> = self
            .store
            .list(Some(&Path::from(prefix)))
            .try_collect()
            .await?;
        Ok(listed
            .into_iter()
            .filter(|meta| meta.last_modified < before)
            .map(|meta| meta.location.to_string())
            .collect())
    }
}
