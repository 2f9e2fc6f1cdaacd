//! Builds the HTTP application and binds it, so that callers (the CLI, the tests) get a running
//! server and its port.

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::{
    App, HttpServer,
    dev::Server,
    http::{Method, header},
    middleware::{Compress, DefaultHeaders, from_fn},
    web,
};
use anyhow::Context as _;
use sea_orm::DatabaseConnection;

use crate::{
    access::{self, REQUEST_ID_HEADER, TrustedProxies},
    auth::service::AuthConfig,
    config::Settings,
    graphql::{
        http,
        schema::{self, Limits, Runtime},
    },
};

/// How often the dispatcher looks at the outbox without being woken: the bound on how late an
/// event whose wake-up was lost (a process died after its commit) is dispatched.
const DISPATCH_TICK: std::time::Duration = std::time::Duration::from_secs(2);

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
}

/// Cross-origin access for browser front ends on other sites: only the configured origins
/// (`TTDN_CORS_ALLOWED_ORIGINS`; none by default, so a browser on another site is refused), for
/// the GraphQL endpoint, exports and documents, with the headers a client sends and the
/// request id it may read back. Preflights are cached for an hour.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([Method::GET, Method::POST])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::HeaderName::from_static(REQUEST_ID_HEADER),
            header::HeaderName::from_static(crate::graphql::idempotency::HEADER),
        ])
        .expose_headers([
            header::HeaderName::from_static(REQUEST_ID_HEADER),
            header::RETRY_AFTER,
            header::HeaderName::from_static(crate::graphql::idempotency::REPLAYED_HEADER),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

impl Application {
    /// Binds `settings.bind` and prepares the server on `db`. Refuses a missing or weak JWT
    /// secret outside dev mode.
    pub fn build(settings: &Settings, db: DatabaseConnection) -> anyhow::Result<Self> {
        let signing_key = settings.signing_key().map_err(anyhow::Error::msg)?;
        // The events bus of this process: listening to PostgreSQL, and the dispatcher that turns
        // the outbox's events into notices.
        let bus = crate::events::bus::Bus::new();
        bus.listen(&db);
        crate::notification::dispatch::spawn(
            db.clone(),
            bus.clone(),
            DISPATCH_TICK,
            crate::mail::service::MailSettings::from_settings(settings),
        );
        if let Some(mailer) = crate::mail::sender::Mailer::from_settings(settings)? {
            mailer.spawn(db.clone());
        }
        let hub = crate::notification::live::Hub::start(db.clone(), &bus);
        crate::reminder::service::spawn(
            db.clone(),
            bus.clone(),
            crate::reminder::service::Schedule::from_settings(settings),
            std::time::Duration::from_secs(settings.reminder_interval_secs),
        );
        // At least a day, at most a century.
        let change_retention = crate::change_feed::service::Retention(chrono::Duration::days(
            settings.change_retention_days.clamp(1, 36_500) as i64,
        ));
        crate::change_feed::service::spawn_pruner(
            db.clone(),
            change_retention,
            std::time::Duration::from_secs(3600),
        );
        let webhooks = crate::webhook::sender::Sender::from_settings(settings, bus.clone())?;
        let webhook_hosts = crate::webhook::service::AllowList::parse(
            &settings.webhook_allowed_hosts,
            settings.mode == crate::config::Mode::Dev,
        )
        .map_err(anyhow::Error::msg)?;
        webhooks.spawn(db.clone());
        let files = crate::blob::FileStore {
            blobs: crate::blob::Blobs::from_settings(settings)?,
            max_bytes: settings.max_upload_bytes,
        };
        crate::file::service::spawn_sweeper(
            db.clone(),
            files.blobs.clone(),
            std::time::Duration::from_secs(3600),
        );
        let live = web::Data::new(crate::graphql::ws::Live {
            limits: crate::graphql::ws::WsLimits::from(settings),
            connections: crate::graphql::ws::Connections::default(),
        });
        let auth = AuthConfig::new(settings, &signing_key);
        auth.principals.follow(&bus);
        let runtime = Runtime {
            bus,
            hub,
            record_events: settings.record_events,
            change_retention,
            webhook_hosts,
            documents: crate::graphql::documents::Documents::new(
                &settings
                    .trusted_documents
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>(),
            )
            .map_err(anyhow::Error::msg)?,
            files: files.clone(),
            db: db.clone(),
            auth,
            debug_headers: settings.mode == crate::config::Mode::Dev,
            budgets: crate::graphql::budget::Budgets::new(
                crate::graphql::budget::RoleBudgets::from_settings(settings),
            ),
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
        let limits = web::Data::new(http::BodyLimits {
            json: settings.max_body_bytes,
            // A multipart request carries a file of up to the upload limit, and its operation.
            multipart: settings
                .max_upload_bytes
                .saturating_add(settings.max_body_bytes),
        });
        let max_body = limits.json.max(limits.multipart);
        let proxies = web::Data::new(TrustedProxies(std::sync::Arc::new(
            settings.proxies().map_err(anyhow::Error::msg)?,
        )));
        let origins = settings.cors_origins();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(Compress::default())
                // Browsers must not guess content types (an asset is never run as a script).
                .wrap(DefaultHeaders::new().add(("X-Content-Type-Options", "nosniff")))
                .wrap(cors(&origins))
                .wrap(from_fn(access::middleware))
                .app_data(proxies.clone())
                .app_data(web::PayloadConfig::new(max_body))
                .app_data(limits.clone())
                .app_data(schema.clone())
                .app_data(db.clone())
                .app_data(metrics_token.clone())
                .app_data(live.clone())
                .route("/graphql/ws", web::get().to(crate::graphql::ws::handler))
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
                    "/exports/obligations/{id}/compliance.{format}",
                    web::get().to(crate::reporting::export::compliance),
                )
                .route(
                    "/exports/obligations/{id}/consolidation.{format}",
                    web::get().to(crate::reporting::export::consolidation),
                )
                .route(
                    "/exports/reports-to-chase.{format}",
                    web::get().to(crate::reporting::export::chase),
                )
                .route("/files/{id}", web::get().to(crate::file::http::download))
                .route(
                    "/documents/reports/{id}.docx",
                    web::get().to(crate::official::http::report),
                )
                .route(
                    "/documents/reports/{id}/consolidated.docx",
                    web::get().to(crate::official::http::consolidated),
                )
                .route(
                    "/documents/obligations/{id}/request.docx",
                    web::get().to(crate::official::http::request_letter),
                )
                .route(
                    "/documents/plans/{id}.docx",
                    web::get().to(crate::official::http::plan),
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
