//! Builds the HTTP application and binds it, so that callers (the CLI, the tests) get a running
//! server and its port.

use std::net::TcpListener;

use actix_web::{
    App, HttpMessage, HttpServer,
    body::MessageBody,
    dev::{Server, ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::{Compress, DefaultHeaders, Next, from_fn},
    web,
};
use anyhow::Context as _;
use sea_orm::DatabaseConnection;
use tracing_actix_web::{RequestId, TracingLogger};

use crate::{
    auth::service::AuthConfig,
    config::Settings,
    graphql::{
        http,
        schema::{self, Limits, Runtime},
    },
};

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
}

/// Copies the request id into an `x-request-id` response header, so that a user reporting a
/// problem can quote it and operators can find the log lines.
async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().copied();
    let mut response = next.call(req).await?;
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id.to_string()).ok()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(response)
}

impl Application {
    /// Binds `settings.bind` and prepares the server on `db`. Refuses a missing or weak JWT
    /// secret outside dev mode.
    pub fn build(settings: &Settings, db: DatabaseConnection) -> anyhow::Result<Self> {
        let signing_key = settings.signing_key().map_err(anyhow::Error::msg)?;
        let runtime = Runtime {
            db: db.clone(),
            auth: AuthConfig::new(settings, &signing_key),
            debug_headers: settings.mode == crate::config::Mode::Dev,
        };
        let listener = TcpListener::bind(&settings.bind).with_context(|| {
            format!(
                "cannot listen on {}: the address is in use or not available here; set TTDN_BIND to another address:port",
                settings.bind
            )
        })?;
        let port = listener.local_addr()?.port();
        let schema = web::Data::new(schema::build(Some(runtime), Limits::from(settings)));
        let db = web::Data::new(db);
        let metrics_token = web::Data::new(crate::metrics::MetricsToken(
            Some(settings.metrics_token.0.clone()).filter(|t| !t.is_empty()),
        ));
        let max_body = settings.max_body_bytes;
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(Compress::default())
                // Browsers must not guess content types (an asset is never run as a script).
                .wrap(DefaultHeaders::new().add(("X-Content-Type-Options", "nosniff")))
                .wrap(from_fn(request_id_header))
                .wrap(TracingLogger::default())
                .app_data(web::PayloadConfig::new(max_body))
                .app_data(schema.clone())
                .app_data(db.clone())
                .app_data(metrics_token.clone())
                .service(
                    web::resource("/graphql")
                        .route(web::post().to(http::post))
                        .route(web::get().to(http::get)),
                )
                .route("/graphiql", web::get().to(http::graphiql))
                .route(
                    "/graphiql/assets/{name}",
                    web::get().to(http::graphiql_asset),
                )
                .route(
                    "/exports/obligations/{id}/compliance.csv",
                    web::get().to(crate::reporting::export::compliance_csv),
                )
                .route("/healthz", web::get().to(http::healthz))
                .route("/readyz", web::get().to(http::readyz))
                .route("/metrics", web::get().to(crate::metrics::endpoint))
        })
        .shutdown_timeout(settings.shutdown_timeout_secs);
        if settings.workers > 0 {
            server = server.workers(settings.workers);
        }
        let server = server.listen(listener)?.run();
        Ok(Self { port, server })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM, then lets in-flight requests finish (graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
