//! The `ttdn` command: serve the API, migrate the database, load demo data, print the schema.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use ttdn_api::{
    account::service as accounts,
    config::{Mode, Settings},
    db, demo,
    graphql::schema,
    startup::Application,
    synthetic, telemetry,
};

/// mimalloc instead of the system allocator: a GraphQL response allocates per field, and in a
/// profile of the agency page glibc's malloc and free took about a fifth of the server's CPU
/// (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        #[arg(long, required_unless_present = "scale", conflicts_with = "scale")]
        demo: bool,
        /// Synthetic data for benchmarks, on an empty database: one province, or the whole
        /// country (34 provinces, about 1.3 million rows). Accounts `pP.aA.uN`, password
        /// `ttdn-bench-2026`.
        #[arg(long, value_enum)]
        scale: Option<ScaleArg>,
        /// Seed of the synthetic data: the same seed gives the same rows.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Print the permission matrix (docs/permissions.md).
    Permissions,
    /// Manage accounts from the command line.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

/// Size of synthetic data.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ScaleArg {
    /// One province.
    Province,
    /// 34 provinces.
    National,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an administrator account (the first one, to bootstrap a new installation). The
    /// password is read from TTDN_NEW_PASSWORD, or from the first line of standard input.
    Create {
        /// Create an administrator (the only kind the command line creates; others are created
        /// through the API).
        #[arg(long, required = true)]
        admin: bool,
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// Name shown to people.
        #[arg(long, default_value = "Quản trị hệ thống")]
        display_name: String,
    },
}

/// A message for the operator: a plain line on standard error, or a JSON log line when the logs
/// are JSON (so that every line of the stream parses).
macro_rules! say {
    ($($arg:tt)*) => {
        telemetry::announce(&format!($($arg)*))
    };
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // The cause chain on one line; no backtrace for a setup mistake.
            if telemetry::json_logs() {
                tracing::error!(target: "ttdn", error = %format!("{err:#}"), "ttdn stopped");
            } else {
                eprintln!("Error: {err:#}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Schema => {
            print!("{}", schema::sdl());
            return Ok(());
        }
        Command::Permissions => {
            print!("{}", ttdn_api::policy::render_markdown());
            return Ok(());
        }
        _ => {}
    }
    let mut settings =
        Settings::load().context("invalid configuration (ttdn.toml or TTDN_* variables)")?;
    if let Command::Serve { demo: true } = cli.command {
        // A demo server: demo accounts with public passwords, so no production guarantees.
        settings.mode = Mode::Dev;
    }
    let telemetry = telemetry::init(&settings).map_err(anyhow::Error::msg)?;
    let database = connect(&settings).await?;
    match cli.command {
        Command::Schema | Command::Permissions => {}
        Command::User {
            command:
                UserCommand::Create {
                    username,
                    display_name,
                    ..
                },
        } => {
            db::migrate(&database).await.context("migration failed")?;
            create_admin(&database, &username, &display_name).await?;
        }
        Command::Migrate => {
            db::migrate(&database).await.context("migration failed")?;
            say!("Database is up to date.");
        }
        Command::Seed { scale: None, .. } => {
            db::migrate(&database).await.context("migration failed")?;
            seed_demo(&database).await?;
        }
        Command::Seed {
            scale: Some(scale),
            seed,
            ..
        } => {
            db::migrate(&database).await.context("migration failed")?;
            let scale = match scale {
                ScaleArg::Province => synthetic::Scale::Province,
                ScaleArg::National => synthetic::Scale::National,
            };
            let started = std::time::Instant::now();
            let summary = synthetic::generate(&database, scale, seed, &|line| {
                say!("{line} ({:.0?})", started.elapsed());
            })
            .await
            .map_err(|e| anyhow::anyhow!("synthetic data could not be loaded: {e:?}"))?;
            for (table, rows) in &summary.tables {
                say!("{table:>26} {rows:>9}");
            }
            say!(
                "{} rows in {:.1?}. Sign in as {} or {} (password {:?}).",
                summary.total(),
                started.elapsed(),
                synthetic::department_user(0),
                synthetic::commune_user(0, 0),
                synthetic::PASSWORD
            );
        }
        Command::Serve { demo } => {
            if settings.migrate_on_start || demo {
                db::migrate(&database).await.context("migration failed")?;
            }
            if demo {
                seed_demo(&database).await?;
            }
            let app = Application::build(&settings, database)?;
            if demo {
                say!(
                    "Demo accounts (password {:?}): {}",
                    demo::DEMO_PASSWORD,
                    demo::DEMO_ACCOUNTS
                        .iter()
                        .map(|a| a.1)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            let host = settings
                .bind
                .rsplit_once(':')
                .map_or("127.0.0.1", |(host, _)| host);
            let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
            say!("ttdn is listening on http://{host}:{}", app.port());
            say!(
                "GraphiQL (in-browser IDE): http://{host}:{}/graphiql",
                app.port()
            );
            let served = app.run_until_stopped().await;
            telemetry.shutdown();
            served?;
            return Ok(());
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
    db::connect_with(
        url,
        settings.database_max_connections,
        std::time::Duration::from_secs(settings.database_acquire_timeout_secs),
    )
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
    say!(
        "Demo data: {} of {} agencies inserted ({} already present); {} accounts and clients inserted.",
        report.agencies_inserted,
        report.agencies_total,
        report.agencies_total - report.agencies_inserted,
        report.accounts_inserted
    );
    Ok(())
}

async fn create_admin(
    database: &sea_orm::DatabaseConnection,
    username: &str,
    display_name: &str,
) -> anyhow::Result<()> {
    let password = match std::env::var("TTDN_NEW_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            eprintln!("Password for {username} (one line on standard input):");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("cannot read the password")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let user = accounts::create_admin(database, username, display_name, &password)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message().en))?;
    match user {
        Some(user) => say!("Administrator {} created (id {}).", user.username, user.id),
        None => anyhow::bail!("an account named {username:?} exists already"),
    }
    Ok(())
}
