//! The server: configuration, database, demo data and the axum router around the `app`
//! crate. `main.rs` runs it; the integration tests start it on port 0.

pub mod config;
pub mod database;
pub mod demo;
pub mod http_errors;
pub mod outbox;
pub mod render_watchdog;

use app::auth::ssr::SessionAccount;
use app::images::ssr::DatabaseImages;
use app::state::{AppState, Db, Settings};
use app::{shell, App};
use axum::Router;
use leptos::prelude::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;

/// Opens and migrates the database named by `config`, seeding demo data when asked.
pub async fn prepare_database(config: &config::Config) -> Result<Db, StartError> {
    if config.is_sqlite() {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
            path: config.data_dir.display().to_string(),
            source,
        })?;
    }
    let db = database::connect(&config.database_url).await?;
    database::migrate(&db).await?;
    if config.mode == config::Mode::Production {
        refuse_demo_secrets(&db).await?;
    } else if config.demo_data {
        demo::seed_if_empty(&db).await.map_err(|_| StartError::Seed)?;
    }
    Ok(db)
}

/// Production must not run with an account that still has a published demo password.
async fn refuse_demo_secrets(db: &Db) -> Result<(), StartError> {
    for demo in &demo::DEMO_ACCOUNTS {
        if app::auth::ssr::verify_credentials(db, demo.email, demo.password).await.is_ok() {
            return Err(StartError::DemoSecret(demo.email));
        }
    }
    Ok(())
}

/// The application state for `db` and `config`.
pub fn app_state(db: Db, config: &config::Config, leptos_options: LeptosOptions) -> AppState {
    AppState {
        leptos_options,
        images: Arc::new(DatabaseImages { db: db.clone() }),
        db,
        settings: Arc::new(Settings {
            asset_policy: config.asset_policy.clone(),
            secure_cookies: config.secure_cookies(),
            calendar: config.calendar.clone(),
        }),
    }
}

/// Starts this server's outbox worker (email and SMS, R43).
pub fn start_outbox_worker(db: Db, config: &config::Config) -> tokio::task::JoinHandle<()> {
    outbox::Worker::new(db, config.delivery.clone(), config.outbox_poll, config.outbox_retry_base).spawn()
}

/// The whole router: pages, server functions, static files.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    // The fallback renders the app too (for its 404 page), so it needs the state as well.
    let fallback_context = {
        let state = state.clone();
        move || leptos::prelude::provide_context(state.clone())
    };
    Router::new()
        .leptos_routes(&state, routes, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(fallback_context, shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), load_session))
        .layer(axum::middleware::from_fn(render_watchdog::finish_pages))
        .layer(axum::middleware::map_response(http_errors::set_error_status))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Looks up the session's account before a page renders, so every part of the page reads
/// one answer synchronously. Static files and server functions (which guard themselves) skip it.
async fn load_session(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path();
    let is_file = path.rsplit('/').next().is_some_and(|last| last.contains('.'));
    if request.method() == http::Method::GET && !is_file && !path.starts_with("/pkg/") && !path.starts_with("/api/") {
        let account = SessionAccount::load(&state.db, request.headers()).await;
        if let Ok(Some(seller)) = account.0.as_ref().map(|a| a.as_ref().filter(|a| a.role == app::auth::Role::Seller)) {
            if let Ok(unread) = app::notifications::ssr::unread(&state.db, &seller.id).await {
                request.extensions_mut().insert(app::notifications::ssr::UnreadMessages(unread));
            }
        }
        request.extensions_mut().insert(account);
    }
    next.run(request).await
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("could not create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error(transparent)]
    Database(#[from] database::DatabaseError),
    #[error("could not seed the demo data (see the log above)")]
    Seed,
    #[error(
        "refusing to start in production: the demo account {0} still has its published password. \
         Change or remove it, or run without MARKETPLACE_ENV=production."
    )]
    DemoSecret(&'static str),
}
