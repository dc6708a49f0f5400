//! The shared Leptos crate: pages, components, the rule book and server functions.
//! Compiled with `ssr` into the server and with `hydrate` into the browser's WASM.
// Release builds keep full view types; the wizard's nest deeper than the default limit.
#![recursion_limit = "512"]

pub mod applications;
pub mod assets;
pub mod audit;
pub mod codec;
pub mod auth;
#[cfg(feature = "ssr")]
pub mod cloud;
pub mod components;
pub mod drafts;
pub mod error;
pub mod images;
#[cfg(feature = "ssr")]
pub mod kept;
pub mod listing;
pub mod notifications;
pub mod page_account;
pub mod pages;
pub mod paging;
pub mod prices;
pub mod products;
pub mod purchases;
pub mod release;
pub mod reviews;
pub use ::rules;
pub mod session;
pub mod signed_in;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod turns;
pub mod tokens;

mod root;
pub use root::{build_hash, escape_html, shell, stylesheet_href, App};
#[cfg(feature = "ssr")]
pub use root::read_hash_file;
