//! The GraphQL layer: schema assembly, conventions shared by every area, and the HTTP endpoints.

pub mod budget;
pub mod context;
pub mod documents;
pub mod extension;
pub mod http;
pub mod idempotency;
pub mod loaders;
pub mod mutation;
pub mod node;
pub mod pagination;
pub mod read;
pub mod root;
pub mod scalars;
pub mod schema;
pub mod shaped;
pub mod ws;

/// Declares a GraphQL enum that mirrors a stored (entity) enum variant for variant, with the
/// conversions both ways, so that entities never derive GraphQL traits.
#[macro_export]
macro_rules! mirror_enum {
    ($(#[$doc:meta])* $name:ident => $stored:ident { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl From<$stored> for $name {
            fn from(value: $stored) -> Self {
                match value {
                    $($stored::$variant => Self::$variant),+
                }
            }
        }

        impl From<$name> for $stored {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => Self::$variant),+
                }
            }
        }
    };
}
