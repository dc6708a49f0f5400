//! One module per page (or group of small pages).

pub mod account;
pub mod applications;
pub mod console;
pub mod drafts;
pub mod image_assets;
pub mod marketplace;
pub mod messages;
pub mod price_editor;
pub mod products;
pub mod purchases;
pub mod release;
pub mod review;
pub mod sign_in;
pub mod tokens;
