//! Schema assembly: one query and one mutation object per area, merged; limits; extensions.

use async_graphql::{MergedSubscription, Schema};
use sea_orm::DatabaseConnection;

use super::{extension::ErrorShaping, node::NodeQuery};
use crate::{
    account::schema::{AccountMutation, AccountQuery},
    agency::schema::{AgencyMutation, AgencyQuery},
    audit::schema::AuditQuery,
    auth::{
        schema::{AuthMutation, AuthQuery},
        service::AuthConfig,
    },
    change_feed::{schema::ChangeFeedQuery, service::Retention},
    client::schema::{ClientMutation, ClientQuery},
    config::Settings,
    incident::schema::{IncidentMutation, IncidentQuery},
    legal::schema::{LegalMutation, LegalQuery},
    mail::schema::{MailMutation, MailQuery},
    notification::{
        live::Hub,
        schema::{NotificationMutation, NotificationQuery},
        subscription::NotificationSubscription,
    },
    plan::schema::{PlanMutation, PlanQuery},
    press_event::schema::{PressEventMutation, PressEventQuery},
    press_request::schema::{PressRequestMutation, PressRequestQuery},
    release::schema::{ReleaseMutation, ReleaseQuery},
    reporting::schema::{ReportingMutation, ReportingQuery},
    spokesperson::schema::{SpokespersonMutation, SpokespersonQuery},
    training::schema::{TrainingMutation, TrainingQuery},
    webhook::{
        schema::{WebhookMutation, WebhookQuery},
        service::AllowList,
    },
};

crate::root! {
    /// Every read of the API.
    Query as "Query", merged QueryAreas, [
    NodeQuery,
    AuthQuery,
    AgencyQuery,
    AccountQuery,
    ClientQuery,
    AuditQuery,
    SpokespersonQuery,
    PressEventQuery,
    ReleaseQuery,
    PressRequestQuery,
    ReportingQuery,
    IncidentQuery,
    TrainingQuery,
    PlanQuery,
    LegalQuery,
    NotificationQuery,
    MailQuery,
    ChangeFeedQuery,
    WebhookQuery,
    ]
}

crate::root! {
    /// Every change of the API. Each mutation takes one `input` and runs in one transaction.
    Mutation as "Mutation", merged MutationAreas, [
    AuthMutation,
    AgencyMutation,
    AccountMutation,
    ClientMutation,
    SpokespersonMutation,
    PressEventMutation,
    ReleaseMutation,
    PressRequestMutation,
    ReportingMutation,
    IncidentMutation,
    TrainingMutation,
    PlanMutation,
    crate::file::schema::FileMutation,
    LegalMutation,
    NotificationMutation,
    MailMutation,
    WebhookMutation,
    ]
}

/// Every live subscription of the API (over WebSocket, `/graphql/ws`).
#[derive(MergedSubscription, Default)]
pub struct Subscription(NotificationSubscription);

/// The executable schema.
pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Query limits.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits {
    /// Deepest selection nesting.
    pub depth: usize,
    /// Highest query cost.
    pub complexity: usize,
}

impl From<&Settings> for Limits {
    fn from(settings: &Settings) -> Self {
        Self {
            depth: settings.max_query_depth,
            complexity: settings.max_query_complexity,
        }
    }
}

/// What the resolvers need at run time.
pub struct Runtime {
    /// The database pool.
    pub db: DatabaseConnection,
    /// Token keys and sign-in limits.
    pub auth: AuthConfig,
    /// Whether responses carry debugging headers (dev mode).
    pub debug_headers: bool,
    /// Per-caller cost budgets.
    pub budgets: super::budget::Budgets,
    /// This process's end of the events bus.
    pub bus: crate::events::bus::Bus,
    /// This process's live deliveries.
    pub hub: Hub,
    /// Whether mutations write domain events ([`Settings::record_events`]).
    pub record_events: bool,
    /// How long the change feed keeps its entries.
    pub change_retention: Retention,
    /// Where webhooks may be sent.
    pub webhook_hosts: AllowList,
    /// Persisted and trusted documents.
    pub documents: super::documents::Documents,
    /// Where uploaded files go, and how large they may be.
    pub files: crate::blob::FileStore,
}

/// The same schema without the extension, which runs a query like one validated before
/// (kept in [`super::extension::Kept`]): async-graphql resolves every field of every object
/// through the extensions' hooks as soon as a schema has one (a registry lookup by type and
/// field name, type names formatted for each item of a list, one more boxed future), work
/// ttdn's extension does not need per field. Without it an agency page costs a fifth fewer
/// instructions (docs/performance.md, "Instructions per request"). Its own validation is
/// async-graphql's fast mode (the cost and depth, measured again); the limits, the budget and
/// the errors' finish are applied by the HTTP layer as the extension applies them.
pub struct Lean(pub AppSchema);

/// Builds the schema; `runtime` is `None` only to print the SDL.
pub fn build(runtime: Option<Runtime>, limits: Limits) -> AppSchema {
    // The depth and cost limits are checked by the extension after validation, so that their
    // errors are coded and worded by us; for a request run on the lean schema, by the HTTP
    // layer on the measures the extension kept (`Kept::admit`, the same check).
    let shaping = ErrorShaping::new(limits);
    let kept = shaping.kept();
    let mut builder =
        described(Schema::build(Query, Mutation, Subscription::default())).extension(shaping);
    if let Some(runtime) = runtime {
        let lean = provide(
            described(Schema::build(Query, Mutation, Subscription::default()))
                .validation_mode(async_graphql::ValidationMode::Fast),
            &runtime,
        )
        .finish();
        builder = provide(builder, &runtime)
            .data(runtime.budgets)
            .data(kept)
            .data(Lean(lean));
    }
    builder.finish()
}

type Builder = async_graphql::SchemaBuilder<Query, Mutation, Subscription>;

/// What every build of the schema says of its types.
fn described(builder: Builder) -> Builder {
    builder
        .override_output_type_description::<chrono::DateTime<chrono::Utc>>(
            super::scalars::DATE_TIME_DESCRIPTION,
        )
        .override_input_type_description::<chrono::DateTime<chrono::Utc>>(
            super::scalars::DATE_TIME_DESCRIPTION,
        )
}

/// What the resolvers need, shared by both builds (each handle is one store, cloned).
fn provide(builder: Builder, runtime: &Runtime) -> Builder {
    let builder = builder
        .data(runtime.db.clone())
        .data(runtime.auth.clone())
        .data(runtime.bus.clone())
        .data(runtime.hub.clone())
        .data(runtime.change_retention)
        .data(runtime.webhook_hosts.clone())
        .data(runtime.documents.clone())
        .data(runtime.files.clone())
        .data(super::http::DebugHeaders(runtime.debug_headers));
    if runtime.record_events {
        builder
    } else {
        builder.data(crate::events::outbox::Off)
    }
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build(None, Limits::from(&Settings::default()))
        .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}

#[cfg(test)]
mod tests {
    use async_graphql::registry::{MetaType, Registry};

    use super::*;

    /// The fields the schema gives a merged root type, sorted.
    fn merged_fields<T: async_graphql::OutputType>() -> Vec<String> {
        let MetaType::Object { fields, .. } = Registry::default().create_fake_output_type::<T>()
        else {
            panic!("a root type is an object");
        };
        let mut fields: Vec<String> = fields.into_keys().collect();
        fields.sort_unstable();
        fields
    }

    #[test]
    fn every_root_field_is_resolved_by_its_area() {
        let query = merged_fields::<QueryAreas>();
        assert!(query.len() > 40, "{query:?}");
        assert_eq!(Query::areas().fields(), query);
        let mutation = merged_fields::<MutationAreas>();
        assert!(mutation.len() > 40, "{mutation:?}");
        assert_eq!(Mutation::areas().fields(), mutation);
    }

    #[test]
    fn the_schema_runs_the_roots_under_their_names() {
        let sdl = sdl();
        assert!(
            sdl.contains("schema {\n\tquery: Query\n\tmutation: Mutation\n"),
            "{sdl}"
        );
        assert!(!sdl.contains("QueryAreas") && !sdl.contains("MutationAreas"));
    }
}
