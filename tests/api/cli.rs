//! The `ttdn` command's clear errors for a bad setup.

use std::{net::TcpListener, process::Command};

fn ttdn(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let dir = std::env::temp_dir();
    let mut command = Command::new(env!("CARGO_BIN_EXE_ttdn"));
    command
        .args(args)
        .current_dir(&dir)
        .env("TTDN_LOG", "error");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("run ttdn");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn production_mode_refuses_a_missing_or_short_jwt_secret() {
    let db = std::env::temp_dir().join(format!("ttdn-cli-{}.db", uuid::Uuid::now_v7().simple()));
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let (ok, text) = ttdn(
        &["serve"],
        &[("TTDN_BIND", "127.0.0.1:0"), ("TTDN_DATABASE_URL", &url)],
    );
    assert!(!ok);
    assert!(text.contains("TTDN_JWT_SECRET is not set"), "{text}");
    let (ok, text) = ttdn(
        &["serve"],
        &[
            ("TTDN_BIND", "127.0.0.1:0"),
            ("TTDN_DATABASE_URL", &url),
            ("TTDN_JWT_SECRET", "short"),
        ],
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    assert!(!ok);
    assert!(text.contains("TTDN_JWT_SECRET is too short"), "{text}");
}

#[test]
fn the_permissions_command_prints_the_committed_matrix() {
    let (ok, text) = ttdn(&["permissions"], &[]);
    assert!(ok, "{text}");
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/permissions.md"))
            .expect("docs/permissions.md");
    assert_eq!(
        text, committed,
        "docs/permissions.md is stale: run `cargo run -- permissions > docs/permissions.md`"
    );
}

#[test]
fn schema_prints_the_sdl() {
    let (ok, text) = ttdn(&["schema"], &[]);
    assert!(ok, "{text}");
    assert!(text.contains("type Agency implements Node"), "{text}");
}

#[test]
fn an_unsupported_database_url_is_explained() {
    let (ok, text) = ttdn(
        &["migrate"],
        &[("TTDN_DATABASE_URL", "mysql://root@localhost/x")],
    );
    assert!(!ok);
    assert!(text.contains("unsupported TTDN_DATABASE_URL"), "{text}");
}

#[test]
fn an_unreachable_database_is_explained_without_its_password() {
    let (ok, text) = ttdn(
        &["migrate"],
        &[(
            "TTDN_DATABASE_URL",
            "postgres://ttdn:secret@127.0.0.1:1/ttdn",
        )],
    );
    assert!(!ok);
    assert!(text.contains("cannot connect to the database"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}

#[test]
fn a_port_in_use_is_explained() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = taken.local_addr().expect("address").to_string();
    let db = std::env::temp_dir().join(format!("ttdn-cli-{}.db", uuid::Uuid::now_v7().simple()));
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let (ok, text) = ttdn(
        &["serve"],
        &[
            ("TTDN_BIND", &address),
            ("TTDN_DATABASE_URL", &url),
            ("TTDN_MODE", "dev"),
        ],
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    assert!(!ok);
    assert!(text.contains("cannot listen on"), "{text}");
}

#[test]
fn the_first_administrator_is_created_from_the_command_line() {
    let db = std::env::temp_dir().join(format!("ttdn-cli-{}.db", uuid::Uuid::now_v7().simple()));
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let env = [
        ("TTDN_DATABASE_URL", url.as_str()),
        ("TTDN_NEW_PASSWORD", "Quản trị tỉnh 2026!"),
    ];
    let (ok, text) = ttdn(
        &["user", "create", "--admin", "--username", "quantri"],
        &env,
    );
    assert!(ok, "{text}");
    assert!(text.contains("Administrator quantri created"), "{text}");
    let (again, text) = ttdn(
        &["user", "create", "--admin", "--username", "quantri"],
        &env,
    );
    assert!(!again);
    assert!(text.contains("exists already"), "{text}");
    let weak = [
        ("TTDN_DATABASE_URL", url.as_str()),
        ("TTDN_NEW_PASSWORD", "short"),
    ];
    let (ok, text) = ttdn(
        &["user", "create", "--admin", "--username", "quantri2"],
        &weak,
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    assert!(!ok);
    assert!(text.contains("at least 12 characters"), "{text}");
}

#[test]
fn domain_events_cannot_be_turned_off_by_configuration() {
    // `Settings::record_events` exists for the live benchmark only: a variable naming it is
    // refused, so that no deployment runs a server that tells nobody anything.
    let (ok, text) = ttdn(
        &["serve"],
        &[
            ("TTDN_BIND", "127.0.0.1:0"),
            ("TTDN_MODE", "dev"),
            ("TTDN_DATABASE_URL", "sqlite::memory:"),
            ("TTDN_RECORD_EVENTS", "false"),
        ],
    );
    assert!(!ok, "{text}");
    assert!(text.contains("record_events"), "{text}");
}
