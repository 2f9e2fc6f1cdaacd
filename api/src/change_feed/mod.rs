//! The change feed of service clients (*luồng thay đổi*): for each client, the changes of the
//! records it may read in commit order, with tombstones for those that left its reach. Entries
//! are written by the dispatcher beside the notices ([`service::record`]), read with a cursor
//! ([`schema`]), and pruned after the retention.

pub mod schema;
pub mod service;
