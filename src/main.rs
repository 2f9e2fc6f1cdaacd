//! The `ttdn` command: serve the API, migrate the database, load demo data, print the schema.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use ttdn_api::{config::Settings, db, demo, graphql::schema, startup::Application, telemetry};

/// ttdn: GraphQL API for external-information work (thông tin đối ngoại).
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server (applies pending migrations first unless TTDN_MIGRATE_ON_START=false).
    Serve {
        /// Load the demo province data before serving (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Load data into the database.
    Seed {
        /// The demo data set: two provinces with their agencies and press (idempotent).
        #[arg(long, required = true)]
        demo: bool,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // The cause chain on one line; no backtrace for a setup mistake.
            eprintln!("Error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Schema = cli.command {
        print!("{}", schema::sdl());
        return Ok(());
    }
    let settings =
        Settings::load().context("invalid configuration (ttdn.toml or TTDN_* variables)")?;
    telemetry::init(&settings);
    let database = connect(&settings).await?;
    match cli.command {
        Command::Schema => {}
        Command::Migrate => {
            db::migrate(&database).await.context("migration failed")?;
            eprintln!("Database is up to date.");
        }
        Command::Seed { .. } => {
            db::migrate(&database).await.context("migration failed")?;
            seed_demo(&database).await?;
        }
        Command::Serve { demo } => {
            if settings.migrate_on_start || demo {
                db::migrate(&database).await.context("migration failed")?;
            }
            if demo {
                seed_demo(&database).await?;
            }
            let app = Application::build(&settings, database)?;
            let host = settings
                .bind
                .rsplit_once(':')
                .map_or("127.0.0.1", |(host, _)| host);
            let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
            eprintln!("ttdn is listening on http://{host}:{}", app.port());
            eprintln!(
                "GraphiQL (in-browser IDE): http://{host}:{}/graphiql",
                app.port()
            );
            app.run_until_stopped().await?;
        }
    }
    Ok(())
}

async fn connect(settings: &Settings) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let url = &settings.database_url;
    if !(url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://"))
    {
        anyhow::bail!(
            "unsupported TTDN_DATABASE_URL {url:?}: use sqlite://FILE?mode=rwc or postgres://USER@HOST:PORT/DB"
        );
    }
    db::connect(url, settings.database_max_connections)
        .await
        .with_context(|| format!("cannot connect to the database at {}", redact(url)))
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn seed_demo(database: &sea_orm::DatabaseConnection) -> anyhow::Result<()> {
    let report = demo::seed(database)
        .await
        .map_err(|e| anyhow::anyhow!("demo data could not be loaded: {e:?}"))?;
    eprintln!(
        "Demo data: {} of {} agencies inserted ({} already present).",
        report.agencies_inserted,
        report.agencies_total,
        report.agencies_total - report.agencies_inserted
    );
    Ok(())
}
