//! Pieces shared by several pages.

pub mod application;
pub mod confirm;
pub mod drawn;
pub mod empty_state;
pub mod guard;
pub mod header;
pub mod history;
pub mod island;
pub mod loaded;
pub mod menu;
pub mod nav_link;
pub mod product;
pub mod rule_message;
pub mod said_once;
pub mod time;
