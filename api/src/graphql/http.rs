//! GraphQL over HTTP and the in-browser IDE.
//!
//! - `POST /graphql` with `Content-Type: application/json` runs any operation; a GraphQL
//!   multipart request (`multipart/form-data`) carries a file for `uploadFile`.
//! - `GET /graphql?query=…` runs queries only; a mutation over GET is 405 (it must not be
//!   triggered by a link or a prefetch).
//! - Responses are `application/json` unless the client accepts
//!   `application/graphql-response+json`, which then also gets 400 for documents that could not
//!   run (parse, validation or limit failures; 429 for a spent budget; 503 for a database out of
//!   reach before execution), as the GraphQL-over-HTTP draft specifies. A request refused
//!   before execution has no `data` entry, whatever the content type.
//! - Malformed requests (broken JSON, wrong content type, oversized body) are 4xx with a JSON
//!   body of the same shape as GraphQL errors, code `BAD_REQUEST`.

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use async_graphql::{
    Response,
    parser::{
        parse_query,
        types::{DocumentOperations, OperationType},
    },
};
use sea_orm::DatabaseConnection;
use serde_json::json;

use super::{
    budget::{Budgets, Charge},
    context::ClientAddress,
    documents::{self, Documents},
    extension::{
        Kept, Locale, OperationName, RequestId as GraphqlRequestId, ValidationKey, finish,
    },
    idempotency,
    loaders::Loaders,
    schema::{AppSchema, Lean},
};
use crate::{
    access::{AccessNote, ClientIp, RequestId},
    auth::{
        actor::{Actor, Authentication, Principal, authenticate},
        service::AuthConfig,
    },
    error::{AppError, AppResult, ErrorCode, Msg},
    metrics,
};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// The language a request asks for (`Accept-Language`).
pub fn locale(req: &HttpRequest) -> Locale {
    Locale::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// The content type of a GraphQL response to `req`.
fn content_type(req: &HttpRequest) -> &'static str {
    if wants_graphql_response_json(req) {
        "application/graphql-response+json; charset=utf-8"
    } else {
        "application/json; charset=utf-8"
    }
}

fn wants_graphql_response_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains(GRAPHQL_RESPONSE_JSON))
}

/// A request-level failure, shaped like a GraphQL error response.
fn request_error(
    req: &HttpRequest,
    status: StatusCode,
    msg: Msg,
    request_id: &RequestId,
) -> HttpResponse {
    error_body(req, status, ErrorCode::BadRequest, msg, None, request_id)
}

/// The signed-in caller of a download (an export, a generated document, an attachment): the
/// bearer token of `req`, or `UNAUTHENTICATED`.
pub async fn signed_in(
    db: &DatabaseConnection,
    schema: &AppSchema,
    req: &HttpRequest,
) -> AppResult<std::sync::Arc<Actor>> {
    let auth = schema
        .data::<AuthConfig>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no auth config")))?;
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match authenticate(db, auth, header).await? {
        Authentication::Actor(actor) => Ok(actor),
        _ => Err(AppError::Unauthenticated),
    }
}

/// A file to download, named `name` (Vietnamese allowed): `Content-Disposition` carries the
/// name in UTF-8 (RFC 6266 `filename*`) and a plain-ASCII fallback for old clients.
pub fn file_download(name: &str, content_type: &str, body: Vec<u8>) -> HttpResponse {
    use actix_web::http::header::{
        Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
    };
    let ascii: String = deunicode::deunicode(name)
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                ' '
            }
        })
        .collect();
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![
                DispositionParam::Filename(ascii),
                DispositionParam::FilenameExt(ExtendedValue {
                    charset: Charset::Ext("UTF-8".to_owned()),
                    language_tag: None,
                    value: name.as_bytes().to_vec(),
                }),
            ],
        })
        .body(body)
}

/// The JSON error of a route outside GraphQL (exports, documents): the same shape, codes and
/// languages as a GraphQL error, with the HTTP status of the code; a 401 says how to
/// authenticate (`WWW-Authenticate: Bearer`).
pub fn http_error(req: &HttpRequest, err: &AppError, request_id: &RequestId) -> HttpResponse {
    let status = match err.code() {
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::BadUserInput | ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::CursorExpired => StatusCode::GONE,
        ErrorCode::PersistedQueryNotFound => StatusCode::OK,
        ErrorCode::UntrustedDocument => StatusCode::BAD_REQUEST,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::GraphqlParseFailed
        | ErrorCode::GraphqlValidationFailed
        | ErrorCode::QueryTooComplex => StatusCode::BAD_REQUEST,
        ErrorCode::InternalServerError => StatusCode::INTERNAL_SERVER_ERROR,
    };
    match err {
        AppError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
        AppError::Unavailable(cause) => tracing::warn!(error = %cause, "database unavailable"),
        _ => {}
    }
    let field = match err {
        AppError::BadInput { field, .. }
        | AppError::Conflict {
            field: Some(field), ..
        } => Some(field.as_ref()),
        _ => None,
    };
    let mut response = error_body(req, status, err.code(), err.message(), field, request_id);
    if let AppError::RateLimited { retry_after_secs } = err
        && let Ok(value) = header::HeaderValue::from_str(&retry_after_secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

fn error_body(
    req: &HttpRequest,
    status: StatusCode,
    code: ErrorCode,
    msg: Msg,
    field: Option<&str>,
    request_id: &RequestId,
) -> HttpResponse {
    let message = match locale(req) {
        Locale::Vi => msg.vi,
        Locale::En => msg.en,
    };
    let mut extensions = json!({ "code": code.as_str(), "requestId": request_id.to_string() });
    if let Some(field) = field {
        extensions["field"] = json!(field);
    }
    let body = json!({ "errors": [{ "message": message, "extensions": extensions }] });
    let mut response = HttpResponse::build(status);
    if status == StatusCode::METHOD_NOT_ALLOWED {
        response.insert_header((header::ALLOW, "POST"));
    }
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    response.json(body)
}

/// The operation a request would run, in its parsed document, with its name there (`None`
/// for a document's one anonymous operation).
fn operation_of<'d>(
    document: &'d async_graphql::parser::types::ExecutableDocument,
    request: &async_graphql::Request,
) -> Option<(
    Option<&'d async_graphql::Name>,
    &'d async_graphql::Positioned<async_graphql::parser::types::OperationDefinition>,
)> {
    match &document.operations {
        DocumentOperations::Single(operation) => Some((None, operation)),
        DocumentOperations::Multiple(operations) => match &request.operation_name {
            Some(name) => operations.get_key_value(name.as_str()),
            None if operations.len() == 1 => operations.iter().next(),
            None => None,
        }
        .map(|(name, operation)| (Some(name), operation)),
    }
}

/// The kind of the operation a request would run; `None` when the document does not parse or
/// names no operation (execution reports that).
fn operation_type(request: &async_graphql::Request) -> Option<OperationType> {
    let document = parse_query(&request.query).ok()?;
    operation_of(&document, request).map(|(_, o)| o.node.ty)
}

/// Whether the operation a request would run is a subscription (only parsed when the document
/// mentions one).
fn is_subscription(request: &async_graphql::Request) -> bool {
    request.query.contains("subscription")
        && operation_type(request) == Some(OperationType::Subscription)
}

/// What the idempotency key of a request applies to (parsed only when a key is sent).
fn keyed_operation(request: &async_graphql::Request) -> Option<idempotency::Operation> {
    let document = parse_query(&request.query).ok()?;
    let (_, operation) = operation_of(&document, request)?;
    Some(idempotency::Operation {
        mutation: operation.node.ty == OperationType::Mutation,
        fields: operation.node.selection_set.node.items.len(),
    })
}

async fn execute(
    req: &HttpRequest,
    schema: &AppSchema,
    db: &DatabaseConnection,
    request: async_graphql::Request,
    request_id: &RequestId,
) -> HttpResponse {
    if is_subscription(&request) {
        let msg = Msg::new(
            "Đăng ký nhận cập nhật (subscription) chạy qua WebSocket tại /graphql/ws \
             (giao thức graphql-transport-ws), không qua HTTP",
            "Subscriptions run over WebSocket at /graphql/ws (the graphql-transport-ws \
             protocol), not over HTTP",
        );
        let message = match locale(req) {
            Locale::Vi => msg.vi,
            Locale::En => msg.en,
        };
        let mut error = async_graphql::ServerError::new(message, None);
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("code", ErrorCode::BadRequest.as_str());
        extensions.set("requestId", request_id.to_string());
        return respond(
            req,
            &async_graphql::Response::from_errors(vec![error]),
            false,
        );
    }
    // The actor is computed once per request, before any resolver runs. Its statements count
    // for the request, as everything else it runs.
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let (authentication, mut statements) = metrics::count_statements(async {
        match schema.data::<AuthConfig>() {
            Some(auth) => authenticate(db, auth, header).await,
            None => Err(crate::error::AppError::internal(anyhow::anyhow!(
                "no auth config"
            ))),
        }
    })
    .await;
    let authentication = match authentication {
        Ok(authentication) => authentication,
        Err(err) => {
            tracing::error!(error = ?err, "authentication failed");
            let response = async_graphql::Response::from_errors(vec![
                async_graphql::Error::from(err).into_server_error(async_graphql::Pos::default()),
            ]);
            return respond(req, &response, false);
        }
    };
    let address = ClientIp::of(req);
    let actor = match &authentication {
        Authentication::Actor(actor) => Some(actor.clone()),
        _ => None,
    };
    let principal = actor.as_ref().map(|actor| match &actor.principal {
        Principal::User { id, .. } => format!("user:{}", id.0),
        Principal::Client { id, .. } => format!("client:{}", id.0),
    });
    let header = req
        .headers()
        .get(idempotency::HEADER)
        .map(|value| value.to_str().ok());
    let keyed = match idempotency::requested(
        header,
        principal.as_deref(),
        header.and_then(|_| keyed_operation(&request)),
        &request,
    ) {
        Ok(idempotency::Requested::Keyed(keyed)) => {
            let (seen, looked_up) =
                metrics::count_statements(idempotency::look_up(db, &keyed)).await;
            statements += looked_up;
            match seen {
                Ok(idempotency::Seen::New) => Some(keyed),
                Ok(idempotency::Seen::Replay(body)) => return replayed(req, body),
                Err(err) => return http_error(req, &err, request_id),
            }
        }
        Ok(idempotency::Requested::No) => None,
        Err(err) => return http_error(req, &err, request_id),
    };
    // A document this process parsed before is not parsed again.
    let parsed = schema
        .data::<Documents>()
        .and_then(|documents| documents.parsed(&request.query));
    let found = parsed.as_ref().and_then(|parsed| {
        let (name, operation) = operation_of(&parsed.document, &request)?;
        Some((parsed.digest, name, operation.node.ty))
    });
    // A query like one validated before, within the limits and the caller's budget, runs on
    // the lean schema (no extension), its errors finished here. Any other query is validated
    // by the extension, which keeps its measures under this key.
    let key = found.and_then(|(digest, _, kind)| ValidationKey::of(digest, &request, kind));
    let lean = key.and_then(|key| admitted(schema, key, &authentication));
    let operation = OperationName::default();
    let mut request = request
        .data(locale(req))
        .data(GraphqlRequestId(request_id.to_string()))
        .data(Loaders::new(db, actor))
        .data(authentication)
        .data(ClientAddress(address))
        .data(operation.clone());
    if let Some(keyed) = &keyed {
        request = request.data(keyed.clone());
    }
    if let (None, Some(key)) = (&lean, key) {
        request = request.data(key);
    }
    if lean.is_some() {
        // What the extension's execute hook would tell: the operation, named by the request
        // or by the document's only operation.
        let _ = operation.1.set(());
        if let Some(name) = request
            .operation_name
            .clone()
            .or_else(|| found.and_then(|(_, name, _)| name).map(ToString::to_string))
        {
            let _ = operation.0.set(name);
        }
    }
    if let Some(parsed) = parsed {
        request.set_parsed_query(parsed.document);
    }
    let started = std::time::Instant::now();
    let (response, executed) = metrics::count_statements(async {
        let response = match &lean {
            Some((lean, charge)) => {
                let mut response = lean.execute(request).await;
                let request_id = request_id.to_string();
                finish(
                    &mut response,
                    locale(req),
                    Some(&request_id),
                    charge.as_ref(),
                );
                response
            }
            None => schema.execute(request).await,
        };
        if let Some(keyed) = &keyed
            && let Err(err) = idempotency::finish(db, keyed, &response).await
        {
            // The change is made; only a retry's replay is lost (it is told CONFLICT).
            tracing::warn!(error = ?err, "cannot keep the answer of a keyed request");
        }
        response
    })
    .await;
    statements += executed;
    metrics::record_request(&metrics::RequestRecord {
        operation: operation.0.get().map(String::as_str),
        elapsed: started.elapsed(),
        statements,
        error_codes: response
            .errors
            .iter()
            .filter_map(|e| match e.extensions.as_ref()?.get("code")? {
                async_graphql::Value::String(code) => Some(code.as_str()),
                _ => None,
            })
            .collect(),
    });
    if let Some(note) = AccessNote::of(req) {
        note.record(operation.0.get().map(String::as_str), principal, statements);
    }
    let mut http_response = respond(req, &response, operation.executed());
    if schema.data::<DebugHeaders>().is_some_and(|d| d.0)
        && let Ok(value) = header::HeaderValue::from_str(&statements.to_string())
    {
        http_response.headers_mut().insert(
            header::HeaderName::from_static(SQL_STATEMENTS_HEADER),
            value,
        );
    }
    http_response
}

/// The lean schema and what the budget said, when the query under `key` is like one validated
/// before and is admitted again: within the limits, and charged to the caller's budget. `None`
/// sends it through the extension, which validates, or refuses with the limit's or the
/// budget's error (a refused charge takes nothing from the budget).
fn admitted<'s>(
    schema: &'s AppSchema,
    key: ValidationKey,
    authentication: &Authentication,
) -> Option<(&'s AppSchema, Option<Charge>)> {
    let (Lean(lean), kept) = (schema.data::<Lean>()?, schema.data::<Kept>()?);
    let measures = kept.measures(key)?;
    let charge = std::sync::OnceLock::new();
    kept.admit(
        measures,
        schema.data::<Budgets>(),
        Some(authentication),
        &charge,
    )
    .ok()?;
    Some((lean, charge.into_inner()))
}

/// The stored answer of a keyed request sent again.
fn replayed(req: &HttpRequest, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type(req))
        .insert_header((idempotency::REPLAYED_HEADER, "true"))
        .body(body)
}

/// Response header with the number of SQL statements the request executed (dev mode only).
pub const SQL_STATEMENTS_HEADER: &str = "x-sql-statements";

/// Whether responses carry debugging headers ([`SQL_STATEMENTS_HEADER`]): in dev mode.
#[derive(Clone, Copy, Debug)]
pub struct DebugHeaders(pub bool);

/// The HTTP answer of a GraphQL response. A request refused before execution (a document that
/// could not be parsed or validated, a limit, a budget) has no `data` entry, as the
/// GraphQL-over-HTTP specification says; with `application/graphql-response+json` it is also a
/// 4xx (400, or 429 for a spent budget), or a 5xx when the server failed before running it
/// (503 when the database could not be reached to check the caller's session).
fn respond(req: &HttpRequest, response: &Response, executed: bool) -> HttpResponse {
    let graphql_json = wants_graphql_response_json(req);
    let has_code = |code: ErrorCode| {
        response.errors.iter().any(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .is_some_and(|c| *c == async_graphql::Value::from(code.as_str()))
        })
    };
    let status = if executed || !graphql_json {
        StatusCode::OK
    } else if has_code(ErrorCode::ServiceUnavailable) {
        StatusCode::SERVICE_UNAVAILABLE
    } else if has_code(ErrorCode::InternalServerError) {
        StatusCode::INTERNAL_SERVER_ERROR
    } else if has_code(ErrorCode::RateLimited) {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::BAD_REQUEST
    };
    // Written straight from the response, without an intermediate JSON tree.
    let body = if executed {
        serde_json::to_vec(response)
    } else {
        serde_json::to_vec(&Refused {
            errors: &response.errors,
            extensions: &response.extensions,
        })
    };
    match body {
        Ok(body) => HttpResponse::build(status)
            .content_type(content_type(req))
            .body(body),
        Err(err) => {
            tracing::error!(error = %err, "cannot serialize a GraphQL response");
            HttpResponse::InternalServerError().finish()
        }
    }
}

/// A response refused before execution: its errors and extensions, no `data` entry.
#[derive(serde::Serialize)]
struct Refused<'r> {
    errors: &'r [async_graphql::ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'r std::collections::BTreeMap<String, async_graphql::Value>,
}

/// How large a `POST /graphql` body may be: a JSON request, and a multipart request carrying
/// a file (`TTDN_MAX_BODY_BYTES`, plus `TTDN_MAX_UPLOAD_BYTES` for multipart).
#[derive(Clone, Copy, Debug)]
pub struct BodyLimits {
    /// A JSON body.
    pub json: usize,
    /// A multipart body.
    pub multipart: usize,
}

fn too_large(req: &HttpRequest, request_id: &RequestId) -> HttpResponse {
    request_error(
        req,
        StatusCode::PAYLOAD_TOO_LARGE,
        Msg::new("Nội dung yêu cầu quá lớn", "The request body is too large"),
        request_id,
    )
}

/// The media type of a request, without parameters, in lower case.
fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// A GraphQL multipart request (files with their operation): the operation, with the files
/// kept in temporary files until it has run. A body cut short is refused before anything
/// runs; a file over the upload limit reaches the resolver, which refuses it on its field
/// (only a body over `max_file`, the whole multipart limit, is refused here).
async fn multipart(
    req: &HttpRequest,
    body: web::Bytes,
    max_file: usize,
    request_id: &RequestId,
) -> Result<async_graphql::Request, Box<HttpResponse>> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let options = async_graphql::http::MultipartOptions::default()
        .max_file_size(max_file)
        .max_num_files(1);
    let reader = futures_util::io::Cursor::new(body.to_vec());
    match async_graphql::http::receive_batch_body(content_type, reader, options).await {
        Ok(async_graphql::BatchRequest::Single(request)) => Ok(request),
        Ok(async_graphql::BatchRequest::Batch(_)) => Err(Box::new(request_error(
            req,
            StatusCode::BAD_REQUEST,
            Msg::new("Không hỗ trợ gửi theo lô", "Batches are not supported"),
            request_id,
        ))),
        Err(async_graphql::ParseRequestError::PayloadTooLarge) => Err(Box::new(request_error(
            req,
            StatusCode::PAYLOAD_TOO_LARGE,
            Msg::new(
                format!("Tệp lớn quá {max_file} byte"),
                format!("The file is larger than {max_file} bytes"),
            ),
            request_id,
        ))),
        Err(err) => Err(Box::new(request_error(
            req,
            StatusCode::BAD_REQUEST,
            Msg::new(
                format!("Yêu cầu multipart không hợp lệ hoặc bị cắt ngang: {err}"),
                format!("The multipart request is malformed or was cut short: {err}"),
            ),
            request_id,
        ))),
    }
}

/// `POST /graphql`.
pub async fn post(
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    limits: Option<web::Data<BodyLimits>>,
    request_id: RequestId,
) -> HttpResponse {
    let media = media_type(&req);
    let limits = limits.map_or(
        BodyLimits {
            json: usize::MAX,
            multipart: usize::MAX,
        },
        |l| **l,
    );
    let body = match body {
        Ok(body) if media == "multipart/form-data" && body.len() > limits.multipart => {
            return too_large(&req, &request_id);
        }
        Ok(body) if media != "multipart/form-data" && body.len() > limits.json => {
            return too_large(&req, &request_id);
        }
        Ok(body) => body,
        Err(err) if err.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE => {
            return too_large(&req, &request_id);
        }
        Err(_) => {
            return request_error(
                &req,
                StatusCode::BAD_REQUEST,
                Msg::new(
                    "Không đọc được nội dung yêu cầu",
                    "The request body could not be read",
                ),
                &request_id,
            );
        }
    };
    if media == "multipart/form-data" {
        // A browser sends a multipart form from any site without asking first; a bearer token
        // it cannot add. Uploads are signed in, so a multipart request without one is refused
        // before anything runs (no sign-in or other anonymous operation by a cross-site form).
        if req.headers().get(header::AUTHORIZATION).is_none() {
            return request_error(
                &req,
                StatusCode::BAD_REQUEST,
                Msg::new(
                    "Yêu cầu multipart (gửi tệp) phải kèm tiêu đề Authorization: Bearer <token>",
                    "A multipart request (an upload) must carry Authorization: Bearer <token>",
                ),
                &request_id,
            );
        }
        return match multipart(&req, body, limits.multipart, &request_id).await {
            Ok(request) => match with_document(&req, &schema, request, &request_id) {
                Ok(request) => execute(&req, &schema, &db, request, &request_id).await,
                Err(refused) => *refused,
            },
            Err(refused) => *refused,
        };
    }
    if media != "application/json" {
        return request_error(
            &req,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Msg::new(
                "Yêu cầu POST phải có Content-Type: application/json (hoặc multipart/form-data khi gửi tệp)",
                "A POST request must have Content-Type: application/json (or multipart/form-data with a file)",
            ),
            &request_id,
        );
    }
    // A body must be an object with a `query` string (a missing query is the client's
    // mistake, not an empty document), or the hash of a persisted query instead.
    let request = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .filter(|value| {
            value.get("query").is_some_and(serde_json::Value::is_string)
                || value
                    .pointer("/extensions/persistedQuery/sha256Hash")
                    .is_some()
        })
        .and_then(|value| serde_json::from_value::<async_graphql::Request>(value).ok());
    match request {
        Some(request) => match with_document(&req, &schema, request, &request_id) {
            Ok(request) => execute(&req, &schema, &db, request, &request_id).await,
            Err(refused) => *refused,
        },
        None => request_error(
            &req,
            StatusCode::BAD_REQUEST,
            Msg::new(
                "Nội dung không phải một yêu cầu GraphQL dạng JSON hợp lệ ({\"query\": …}); không hỗ trợ gửi theo lô",
                "The body is not a valid GraphQL request in JSON ({\"query\": …}); batches are not supported",
            ),
            &request_id,
        ),
    }
}

/// The request with the document it runs: its own, or the persisted one its hash names; in
/// trusted mode only a trusted document. A refusal answers at once (nothing runs).
fn with_document(
    req: &HttpRequest,
    schema: &AppSchema,
    mut request: async_graphql::Request,
    request_id: &RequestId,
) -> Result<async_graphql::Request, Box<HttpResponse>> {
    let documents = schema.data::<Documents>().cloned().unwrap_or_default();
    let persisted = documents::persisted_hash(&request.extensions);
    if persisted.is_none() && !documents.trusted_only() {
        return Ok(request);
    }
    match documents.resolve(&request.query, persisted.as_deref()) {
        Ok(document) => {
            request.query = document.to_string();
            Ok(request)
        }
        Err(refusal) => {
            let status = match refusal.code {
                // Apollo clients read the code in a 200 answer, then send the query.
                ErrorCode::PersistedQueryNotFound => StatusCode::OK,
                _ => StatusCode::BAD_REQUEST,
            };
            Err(Box::new(error_body(
                req,
                status,
                refusal.code,
                refusal.msg,
                None,
                request_id,
            )))
        }
    }
}

/// Whether the operation a request would run is a mutation or subscription.
fn is_write(request: &async_graphql::Request) -> bool {
    operation_type(request).is_some_and(|ty| ty != OperationType::Query)
}

/// `GET /graphql?query=…&variables=…&operationName=…`: queries only.
pub async fn get(
    req: HttpRequest,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    request_id: RequestId,
) -> HttpResponse {
    let request = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(request)
            if !request.query.is_empty()
                || documents::persisted_hash(&request.extensions).is_some() =>
        {
            match with_document(&req, &schema, request, &request_id) {
                Ok(request) => request,
                Err(refused) => return *refused,
            }
        }
        _ => {
            return request_error(
                &req,
                StatusCode::BAD_REQUEST,
                Msg::new(
                    "Tham số truy vấn không hợp lệ (cần query, và tùy chọn variables dạng JSON, operationName)",
                    "Invalid query parameters (expected query, and optionally variables as JSON and operationName)",
                ),
                &request_id,
            );
        }
    };
    if is_write(&request) {
        return request_error(
            &req,
            StatusCode::METHOD_NOT_ALLOWED,
            Msg::new(
                "Mutation chỉ được gửi bằng POST",
                "Mutations must be sent with POST",
            ),
            &request_id,
        );
    }
    execute(&req, &schema, &db, request, &request_id).await
}

const GRAPHIQL_HTML: &str = include_str!("../../assets/graphiql.html");
const GRAPHIQL_INIT_JS: &str = include_str!("../../assets/graphiql-init.js");

/// `GET /graphiql`: the IDE, with every asset served by this binary (no CDN: government
/// networks are often offline).
pub async fn graphiql() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:",
        ))
        .body(GRAPHIQL_HTML)
}

/// `GET /graphiql/assets/{name}`.
pub async fn graphiql_asset(name: web::Path<String>) -> HttpResponse {
    let (content_type, body): (&str, &'static [u8]) = match name.as_str() {
        "graphiql.min.js" => (
            "text/javascript; charset=utf-8",
            include_bytes!("../../assets/graphiql/graphiql.min.js"),
        ),
        "graphiql.min.css" => (
            "text/css; charset=utf-8",
            include_bytes!("../../assets/graphiql/graphiql.min.css"),
        ),
        "react.production.min.js" => (
            "text/javascript; charset=utf-8",
            include_bytes!("../../assets/graphiql/react.production.min.js"),
        ),
        "react-dom.production.min.js" => (
            "text/javascript; charset=utf-8",
            include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
        ),
        "init.js" => (
            "text/javascript; charset=utf-8",
            GRAPHIQL_INIT_JS.as_bytes(),
        ),
        _ => return HttpResponse::NotFound().finish(),
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(body)
}

/// `GET /healthz`: the process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers.
pub async fn readyz(db: web::Data<DatabaseConnection>) -> HttpResponse {
    match db.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": "ready" })),
        Err(err) => {
            tracing::warn!(error = %err, "database ping failed");
            HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable" }))
        }
    }
}
