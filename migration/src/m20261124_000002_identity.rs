//! Identity and access: accounts, sessions with their refresh tokens, service clients, the
//! audit trail and the sign-in throttle.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UserAccount::Table)
                    .col(uuid(UserAccount::Id).primary_key())
                    .col(string_len_uniq(UserAccount::Username, 64))
                    .col(string_len(UserAccount::DisplayName, 255))
                    .col(string_len(UserAccount::Role, 32))
                    .col(uuid_null(UserAccount::AgencyId))
                    .col(string_len(UserAccount::PasswordHash, 255))
                    .col(timestamp_with_time_zone_null(UserAccount::DisabledAt))
                    .col(timestamp_with_time_zone(UserAccount::PasswordChangedAt))
                    .col(timestamp_with_time_zone_null(UserAccount::LastLoginAt))
                    .col(integer(UserAccount::Version))
                    .col(timestamp_with_time_zone(UserAccount::CreatedAt))
                    .col(timestamp_with_time_zone(UserAccount::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_user_account_agency",
                        (UserAccount::Table, UserAccount::AgencyId),
                        (Agency::Table, Agency::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Session::Table)
                    .col(uuid(Session::Id).primary_key())
                    .col(uuid(Session::UserId))
                    .col(timestamp_with_time_zone(Session::CreatedAt))
                    .col(timestamp_with_time_zone_null(Session::RevokedAt))
                    .col(string_len_null(Session::RevokedReason, 32))
                    .foreign_key(&mut fk(
                        "fk_session_user",
                        (Session::Table, Session::UserId),
                        (UserAccount::Table, UserAccount::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RefreshToken::Table)
                    .col(uuid(RefreshToken::Id).primary_key())
                    .col(uuid(RefreshToken::SessionId))
                    .col(string_len_uniq(RefreshToken::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshToken::CreatedAt))
                    .col(timestamp_with_time_zone(RefreshToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::UsedAt))
                    .foreign_key(&mut fk(
                        "fk_refresh_token_session",
                        (RefreshToken::Table, RefreshToken::SessionId),
                        (Session::Table, Session::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServiceClient::Table)
                    .col(uuid(ServiceClient::Id).primary_key())
                    .col(string_len(ServiceClient::Name, 255))
                    .col(uuid(ServiceClient::AgencyId))
                    .col(string_len(ServiceClient::Scopes, 500))
                    .col(string_len(ServiceClient::SecretHash, 64))
                    .col(integer(ServiceClient::SecretVersion))
                    .col(timestamp_with_time_zone_null(ServiceClient::DisabledAt))
                    .col(integer(ServiceClient::Version))
                    .col(timestamp_with_time_zone(ServiceClient::CreatedAt))
                    .col(timestamp_with_time_zone(ServiceClient::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_service_client_agency",
                        (ServiceClient::Table, ServiceClient::AgencyId),
                        (Agency::Table, Agency::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(uuid(AuditEvent::Id).primary_key())
                    .col(timestamp_with_time_zone(AuditEvent::OccurredAt))
                    .col(string_len(AuditEvent::ActorKind, 16))
                    .col(uuid_null(AuditEvent::ActorId))
                    .col(string_len_null(AuditEvent::ActorName, 255))
                    .col(string_len_null(AuditEvent::ActorRole, 32))
                    .col(uuid_null(AuditEvent::ActorAgencyId))
                    .col(string_len(AuditEvent::Operation, 64))
                    .col(string_len_null(AuditEvent::TargetType, 64))
                    .col(string_len_null(AuditEvent::TargetId, 100))
                    .col(text_null(AuditEvent::Changes))
                    .col(string_len_null(AuditEvent::RequestId, 64))
                    .col(string_len(AuditEvent::Outcome, 16))
                    .col(text_null(AuditEvent::Reason))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginThrottle::Table)
                    .col(string_len(LoginThrottle::Key, 200).primary_key())
                    .col(integer(LoginThrottle::Failures))
                    .col(timestamp_with_time_zone(LoginThrottle::WindowStartedAt))
                    .col(timestamp_with_time_zone_null(LoginThrottle::LockedUntil))
                    .to_owned(),
            )
            .await?;
        let indexes: [(&str, DynIden, DynIden); 7] = [
            (
                "ix_user_account_agency_id",
                UserAccount::Table.into_iden(),
                UserAccount::AgencyId.into_iden(),
            ),
            (
                "ix_session_user_id",
                Session::Table.into_iden(),
                Session::UserId.into_iden(),
            ),
            (
                "ix_refresh_token_session_id",
                RefreshToken::Table.into_iden(),
                RefreshToken::SessionId.into_iden(),
            ),
            (
                "ix_service_client_agency_id",
                ServiceClient::Table.into_iden(),
                ServiceClient::AgencyId.into_iden(),
            ),
            (
                "ix_audit_event_actor_agency_id",
                AuditEvent::Table.into_iden(),
                AuditEvent::ActorAgencyId.into_iden(),
            ),
            (
                "ix_audit_event_actor_id",
                AuditEvent::Table.into_iden(),
                AuditEvent::ActorId.into_iden(),
            ),
            (
                "ix_audit_event_operation",
                AuditEvent::Table.into_iden(),
                AuditEvent::Operation.into_iden(),
            ),
        ];
        for (name, table, column) in indexes {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LoginThrottle::Table.into_iden(),
            AuditEvent::Table.into_iden(),
            ServiceClient::Table.into_iden(),
            RefreshToken::Table.into_iden(),
            Session::Table.into_iden(),
            UserAccount::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Agency {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum UserAccount {
    Table,
    Id,
    Username,
    DisplayName,
    Role,
    AgencyId,
    PasswordHash,
    DisabledAt,
    PasswordChangedAt,
    LastLoginAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Session {
    Table,
    Id,
    UserId,
    CreatedAt,
    RevokedAt,
    RevokedReason,
}

#[derive(DeriveIden)]
enum RefreshToken {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum ServiceClient {
    Table,
    Id,
    Name,
    AgencyId,
    Scopes,
    SecretHash,
    SecretVersion,
    DisabledAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    OccurredAt,
    ActorKind,
    ActorId,
    ActorName,
    ActorRole,
    ActorAgencyId,
    Operation,
    TargetType,
    TargetId,
    Changes,
    RequestId,
    Outcome,
    Reason,
}

#[derive(DeriveIden)]
enum LoginThrottle {
    Table,
    Key,
    Failures,
    WindowStartedAt,
    LockedUntil,
}
