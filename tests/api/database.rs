//! The connection to PostgreSQL: on a loopback address and the default `sslmode`, without TLS
//! (nothing sent leaves the machine); with TLS whenever the URL requires it.

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, sqlx::postgres::PgConnectOptions};
use ttdn_api::db;

/// The one boolean `sql` returns, in a column named `answer`.
async fn answer(db: &DatabaseConnection, sql: &str) -> bool {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap_or_else(|| panic!("{sql}: no row"))
        .try_get::<bool>("", "answer")
        .expect("a boolean")
}

/// Whether the pool's connection runs over TLS, as PostgreSQL sees it.
async fn over_tls(db: &DatabaseConnection) -> bool {
    answer(
        db,
        "SELECT ssl AS answer FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    )
    .await
}

#[actix_web::test]
async fn postgres_on_loopback_goes_without_tls_unless_the_url_requires_it() {
    let Some(url) = std::env::var("TTDN_TEST_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres"))
    else {
        eprintln!("skipped: PostgreSQL only, in the PostgreSQL pass");
        return;
    };
    let admin = db::connect(&url, 1).await.expect("connect");
    let server_offers_tls = answer(&admin, "SELECT current_setting('ssl') = 'on' AS answer").await;
    let options: PgConnectOptions = url.parse().expect("a PostgreSQL URL");
    let host = options.get_host();
    let loopback = db::is_loopback(host);
    assert!(
        loopback,
        "this test needs the test server on a loopback address, not {host}"
    );
    assert!(
        !over_tls(&admin).await,
        "the default sslmode on loopback goes without TLS"
    );

    let separator = if url.contains('?') { '&' } else { '?' };
    let required = db::connect(&format!("{url}{separator}sslmode=require"), 1)
        .await
        .expect("connect with sslmode=require");
    assert_eq!(
        over_tls(&required).await,
        server_offers_tls,
        "sslmode=require is kept as given"
    );
    assert!(
        server_offers_tls,
        "the test server offers TLS (Debian's PostgreSQL does by default), so that \
         sslmode=require is seen to take effect"
    );
}
