//! The GraphQL layer: schema assembly, conventions shared by every area, and the HTTP endpoints.

pub mod context;
pub mod extension;
pub mod http;
pub mod loaders;
pub mod mutation;
pub mod node;
pub mod pagination;
pub mod scalars;
pub mod schema;
