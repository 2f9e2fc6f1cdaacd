//! sea-orm entities of ttdn, one module per table, and the typed ids used below the GraphQL boundary.
//!
//! Entities know nothing about GraphQL: the `api` crate builds its own output types from these models.

pub mod agency;
pub mod ids;
