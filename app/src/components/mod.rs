//! Pieces shared by several pages.

pub mod empty_state;
pub mod guard;
pub mod header;
pub mod time;
