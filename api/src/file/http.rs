//! `GET /files/{id}`: a stored file's bytes, with the bearer token, under its record's
//! visibility (`NOT_FOUND` outside it), named as uploaded, with its SHA-256 in
//! `x-checksum-sha256`.

use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::DatabaseConnection;

use super::service;
use crate::{
    access::RequestId,
    blob::FileStore,
    error::AppError,
    graphql::{http, schema::AppSchema},
};

/// `GET /files/{id}`.
pub async fn download(
    req: HttpRequest,
    id: web::Path<String>,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    request_id: RequestId,
) -> HttpResponse {
    let found = async {
        let store = schema
            .data::<FileStore>()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("no file store")))?;
        let actor = http::signed_in(&db, &schema, &req).await?;
        service::download(db.get_ref(), &store.blobs, &actor, &id).await
    }
    .await;
    match found {
        Ok((row, bytes)) => {
            let mut response = http::file_download(&row.name, &row.media_type, bytes);
            if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&row.sha256) {
                response.headers_mut().insert(
                    actix_web::http::header::HeaderName::from_static("x-checksum-sha256"),
                    value,
                );
            }
            response
        }
        Err(err) => http::http_error(&req, &err, &request_id),
    }
}
