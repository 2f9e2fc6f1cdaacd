//! GraphQL over HTTP and the in-browser IDE.
//!
//! - `POST /graphql` with `Content-Type: application/json` runs any operation.
//! - `GET /graphql?query=…` runs queries only; a mutation over GET is 405 (it must not be
//!   triggered by a link or a prefetch).
//! - Responses are `application/json` unless the client accepts
//!   `application/graphql-response+json`, which then also gets 400 for documents that could not
//!   run (parse, validation or limit failures), as the GraphQL-over-HTTP draft specifies.
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
use tracing_actix_web::RequestId as HttpRequestId;

use super::{
    context::ClientAddress,
    extension::{Locale, OperationName, RequestId},
    loaders::Loaders,
    schema::AppSchema,
};
use crate::{
    auth::{
        actor::{Authentication, authenticate},
        service::AuthConfig,
    },
    error::{ErrorCode, Msg},
    metrics,
};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

fn locale(req: &HttpRequest) -> Locale {
    Locale::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
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
    request_id: &HttpRequestId,
) -> HttpResponse {
    let message = match locale(req) {
        Locale::Vi => msg.vi,
        Locale::En => msg.en,
    };
    let body = json!({
        "errors": [{
            "message": message,
            "extensions": { "code": ErrorCode::BadRequest.as_str(), "requestId": request_id.to_string() }
        }]
    });
    let mut response = HttpResponse::build(status);
    if status == StatusCode::METHOD_NOT_ALLOWED {
        response.insert_header((header::ALLOW, "POST"));
    }
    response.json(body)
}

async fn execute(
    req: &HttpRequest,
    schema: &AppSchema,
    db: &DatabaseConnection,
    request: async_graphql::Request,
    request_id: &HttpRequestId,
) -> HttpResponse {
    // The actor is computed once per request, before any resolver runs.
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let authentication = match schema.data::<AuthConfig>() {
        Some(auth) => authenticate(db, &auth.keys, header).await,
        None => Err(crate::error::AppError::internal(anyhow::anyhow!(
            "no auth config"
        ))),
    };
    let authentication = match authentication {
        Ok(authentication) => authentication,
        Err(err) => {
            tracing::error!(error = ?err, "authentication failed");
            let response = async_graphql::Response::from_errors(vec![
                async_graphql::Error::from(err).into_server_error(async_graphql::Pos::default()),
            ]);
            return respond(req, &response);
        }
    };
    let address = req
        .peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
    let actor = match &authentication {
        Authentication::Actor(actor) => Some(actor.clone()),
        _ => None,
    };
    let operation = OperationName::default();
    let request = request
        .data(locale(req))
        .data(RequestId(request_id.to_string()))
        .data(Loaders::new(db, actor))
        .data(authentication)
        .data(ClientAddress(address))
        .data(operation.clone());
    let started = std::time::Instant::now();
    let (response, statements) = metrics::count_statements(schema.execute(request)).await;
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
    let mut http_response = respond(req, &response);
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

/// Response header with the number of SQL statements the request executed (dev mode only).
pub const SQL_STATEMENTS_HEADER: &str = "x-sql-statements";

/// Whether responses carry debugging headers ([`SQL_STATEMENTS_HEADER`]): in dev mode.
#[derive(Clone, Copy, Debug)]
pub struct DebugHeaders(pub bool);

fn respond(req: &HttpRequest, response: &Response) -> HttpResponse {
    let graphql_json = wants_graphql_response_json(req);
    let not_executed = response.data == async_graphql::Value::Null
        && response.errors.iter().any(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .is_some_and(|code| {
                    [
                        ErrorCode::GraphqlParseFailed,
                        ErrorCode::GraphqlValidationFailed,
                        ErrorCode::QueryTooComplex,
                    ]
                    .iter()
                    .any(|c| *code == async_graphql::Value::from(c.as_str()))
                })
        });
    let status = if graphql_json && not_executed {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let content_type = if graphql_json {
        "application/graphql-response+json; charset=utf-8"
    } else {
        "application/json; charset=utf-8"
    };
    match serde_json::to_vec(response) {
        Ok(body) => HttpResponse::build(status)
            .content_type(content_type)
            .body(body),
        Err(err) => {
            tracing::error!(error = %err, "cannot serialize a GraphQL response");
            HttpResponse::InternalServerError().finish()
        }
    }
}

/// `POST /graphql`.
pub async fn post(
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    request_id: HttpRequestId,
) -> HttpResponse {
    let body = match body {
        Ok(body) => body,
        Err(err) if err.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE => {
            return request_error(
                &req,
                StatusCode::PAYLOAD_TOO_LARGE,
                Msg::new("Nội dung yêu cầu quá lớn", "The request body is too large"),
                &request_id,
            );
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
    let json_content = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json_content {
        return request_error(
            &req,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Msg::new(
                "Yêu cầu POST phải có Content-Type: application/json",
                "A POST request must have Content-Type: application/json",
            ),
            &request_id,
        );
    }
    match serde_json::from_slice::<async_graphql::Request>(&body) {
        Ok(request) => execute(&req, &schema, &db, request, &request_id).await,
        Err(_) => request_error(
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

/// Whether the operation a request would run is a mutation or subscription.
fn is_write(request: &async_graphql::Request) -> bool {
    let Ok(document) = parse_query(&request.query) else {
        // Not parseable: execution will report the parse error.
        return false;
    };
    let operation = match &document.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(ops) => match &request.operation_name {
            Some(name) => ops.get(name.as_str()),
            None if ops.len() == 1 => ops.values().next(),
            None => None,
        },
    };
    operation.is_some_and(|op| op.node.ty != OperationType::Query)
}

/// `GET /graphql?query=…&variables=…&operationName=…`: queries only.
pub async fn get(
    req: HttpRequest,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    request_id: HttpRequestId,
) -> HttpResponse {
    let request = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(request) => request,
        Err(_) => {
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
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:",
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
