//! The agency directory (danh bạ cơ quan): the tree every other area hangs from.

pub mod reorganise;
pub mod schema;
pub mod service;
pub mod types;
