//! The connection to PostgreSQL: on a loopback address and the default `sslmode`, without TLS
//! (nothing sent leaves the machine); with TLS whenever the URL requires it.

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use ttdn_api::db;

/// Whether the pool's connection runs over TLS, as PostgreSQL sees it.
async fn over_tls(db: &DatabaseConnection) -> bool {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        ))
        .await
        .expect("pg_stat_ssl")
        .expect("a row for this connection");
    row.try_get::<bool>("", "ssl").expect("a boolean")
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
    let server_offers_tls = admin
        .query_one_raw(Statement::from_string(
            admin.get_database_backend(),
            "SELECT current_setting('ssl') = 'on' AS on",
        ))
        .await
        .expect("SHOW ssl")
        .expect("a row")
        .try_get::<bool>("", "on")
        .expect("a boolean");
    let host = url
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split([':', '/']).next())
        .unwrap_or_default();
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
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
