//! Server-side application state, handed to server functions as Leptos context.

use crate::cloud::PrivateImageSource;
use crate::error::AppError;
use crate::rules::{asset::AssetPolicy, release::CatalogPolicy, review::WorkCalendar};
use axum::extract::FromRef;
use leptos::prelude::*;
use std::sync::Arc;

/// Operator settings that server functions need at run time.
#[derive(Debug, Clone)]
pub struct Settings {
    pub asset_policy: AssetPolicy,
    /// The operator's catalog: sales types, categories and regions products are offered in.
    pub catalog: CatalogPolicy,
    /// Mark session cookies `Secure` (the site is served over HTTPS).
    pub secure_cookies: bool,
    /// The marketplace's time zone and holidays: review due dates (R41) and days (R42).
    pub calendar: WorkCalendar,
    /// A request header holding the client's address, set by a proxy in front of the
    /// servers (`CLIENT_ADDRESS_HEADER`); without it, the TCP peer's address is used.
    pub client_address_header: Option<String>,
    /// How many drafts one seller may keep (`DRAFTS_PER_SELLER`).
    pub drafts_per_seller: i64,
    /// Days between saving a price increase and its taking effect (`PRICE_INCREASE_NOTICE_DAYS`, R70).
    pub price_increase_notice_days: u32,
    /// A session unused this long ends (`SESSION_IDLE_MINUTES`), besides its lifetime.
    pub session_idle_ms: i64,
    /// Requests one API token may make a minute (`API_REQUESTS_PER_MINUTE`, R64).
    pub api_requests_per_minute: i64,
    /// The address people use (`PUBLIC_URL`), if the operator set it.
    pub public_url: Option<String>,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: crate::store::Db,
    pub settings: Arc<Settings>,
    /// Where private images come from: the local database, or a cloud image service.
    pub images: Arc<dyn PrivateImageSource>,
    /// This server's bound on password hashing and its per-address sign-in counts.
    pub sign_in: Arc<crate::throttle::SignInGuard>,
    /// This server's bound on marketplace searches that cost more than the plain first page
    /// (`listing::Search::costly`).
    pub searches: Arc<crate::turns::Turns>,
    /// My Products' rows as last drawn, by version (`products::RowCache`).
    pub product_rows: Arc<crate::products::RowCache>,
    /// Views drawn once per input, as HTML (`components::drawn`).
    pub drawn_views: Arc<crate::components::drawn::DrawnViews>,
}

/// The application state of the current request.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        let path = use_context::<http::request::Parts>().map(|p| p.uri.to_string());
        tracing::error!(?path, "AppState missing from the server function context");
        AppError::Internal
    })
}
