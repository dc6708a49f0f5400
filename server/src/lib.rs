//! The server: configuration, database, demo data and the axum router around the `app`
//! crate. `main.rs` runs it; the integration tests start it on port 0.

pub mod api;
pub mod config;
pub mod connections;
pub mod database;
pub mod demo;
pub mod form_errors;
pub mod http_errors;
pub mod input;
pub mod observability;
pub mod outbox;
pub mod page_account;
pub mod page_scripts;
pub mod security;
pub mod static_files;

/// Every binary built on this crate (the server, its tests and benchmarks) allocates with
/// mimalloc: glibc's malloc made the server's threads wait for each other on its arena
/// locks, a quarter of a signed-in page's time (`perf` on `scripts/bench-pages`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use app::auth::ssr::SessionAccount;
use app::throttle::{SignInGuard, SignInLimits};
use app::cloud::DatabaseImages;
use app::store::Db;
use app::state::{AppState, Settings};
use app::{shell, App};
use axum::Router;
use leptos::prelude::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Opens and migrates the database named by `config`, seeding demo data when asked.
pub async fn prepare_database(config: &config::Config) -> Result<Db, StartError> {
    Ok(prepare_database_reporting(config).await?.0)
}

/// [`prepare_database`], also saying whether demo data was seeded now.
pub async fn prepare_database_reporting(config: &config::Config) -> Result<(Db, bool), StartError> {
    if config.is_sqlite() {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
            path: config.data_dir.display().to_string(),
            source,
        })?;
    }
    let db = database::connect(&config.database_url, config.database_max_connections).await?;
    database::migrate(&db).await?;
    let mut seeded = false;
    if config.mode == config::Mode::Production {
        refuse_demo_secrets(&db).await?;
    } else if config.demo_data {
        seeded = demo::seed_if_empty(&db).await.map_err(|_| StartError::Seed)?;
    }
    Ok((db, seeded))
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
        // One costly search at a time per two cores (the rest wait up to 3 s, or are told
        // the server is busy), so a flood of them leaves cores and database connections to
        // every other page; at most 2 running or waiting for one client network, so one
        // client cannot take every turn from the others.
        searches: Arc::new(
            app::turns::Turns::new(std::thread::available_parallelism().map_or(1, |n| n.get() / 2), 16, std::time::Duration::from_secs(3))
                .per_client(2),
        ),
        product_rows: Default::default(),
        drawn_views: Default::default(),
        db,
        settings: Arc::new(Settings {
            asset_policy: config.asset_policy.clone(),
            catalog: config.catalog.clone(),
            secure_cookies: config.secure_cookies(),
            calendar: config.calendar.clone(),
            client_address_header: config.client_address_header.clone(),
            drafts_per_seller: config.drafts_per_seller,
            price_increase_notice_days: config.price_increase_notice_days,
            session_idle_ms: config.session_idle.as_millis() as i64,
            api_requests_per_minute: config.api_requests_per_minute,
            public_url: config.public_url.clone(),
        }),
        sign_in: Arc::new(SignInGuard::new({
            let defaults = SignInLimits::default();
            let concurrent_hashes = config.sign_in_concurrent_hashes.unwrap_or(defaults.concurrent_hashes);
            SignInLimits {
                address_failures: config.sign_in_address_failures,
                account_failures: config.sign_in_account_failures,
                concurrent_hashes,
                waiting_hashes: concurrent_hashes * 8,
                ..defaults
            }
        })),
    }
}

/// Starts this server's outbox worker (email and SMS, R43).
pub fn start_outbox_worker(db: Db, config: &config::Config) -> tokio::task::JoinHandle<()> {
    outbox::Worker::new(db, config.delivery.clone(), config.outbox_poll, config.outbox_retry_base).spawn()
}

/// On PostgreSQL, starts listening for the session changes of the other servers on the
/// database, without which this server reads every session from the database
/// (`app::auth::cache`). SQLite's servers share one process and need none.
pub fn start_session_listener(db: &Db) -> Option<tokio::task::JoinHandle<()>> {
    (app::store::backend(db) == app::store::Backend::Postgres)
        .then(|| tokio::spawn(app::auth::cache::listen(db.connect_options().database_url.to_string())))
}

/// A server on `database_url` with demo data off and `settings` besides, listening on a
/// loopback port of its own until the runtime ends: for benchmarks and the command-line
/// tool's tests, which talk to it over HTTP as anyone would.
pub async fn start_local(database_url: &str, data_dir: &std::path::Path, settings: &[(&str, &str)]) -> Result<(Db, std::net::SocketAddr), StartError> {
    let config = config::Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(database_url.to_owned()),
        "DATA_DIR" => Some(data_dir.display().to_string()),
        "DEMO_DATA" => Some("off".into()),
        _ => settings.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()),
    })
    .expect("a configuration of defaults");
    let db = prepare_database(&config).await?;
    start_session_listener(&db);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(StartError::Listen)?;
    let addr = listener.local_addr().map_err(StartError::Listen)?;
    let router = router(app_state(db.clone(), &config, local_options(addr)));
    tokio::spawn(serve(listener, router, config.connections.clone(), std::future::pending()));
    Ok((db, addr))
}

/// Leptos's options for a server on `addr` that serves pages and no files: the benchmarks',
/// the tests' and the command-line tool's servers (`start_local`). Its site root is a folder
/// that holds nothing; Leptos's default, `.`, would serve the working directory, sources
/// included.
pub fn local_options(addr: std::net::SocketAddr) -> LeptosOptions {
    let nothing = std::env::temp_dir().join("marketplace-no-site");
    LeptosOptions::builder().output_name("marketplace").site_addr(addr).site_root(nothing.display().to_string()).build()
}

/// The routes of the app, generated once per process: generating them sets a process-wide
/// flag in Leptos while it runs, and a page rendering on another server of the same
/// process meanwhile could wait forever for a resource (leptos-rs/leptos#4773).
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole router: pages, server functions, static files, and the layers every request
/// passes (outermost first): a request id, tracing, security headers, the refusal of
/// cross-site writes, compression, input checks, form errors only where they were given,
/// error statuses, the hydration scripts of pages with islands, the session, and a reactive
/// owner of its own.
pub fn router(state: AppState) -> Router {
    let site = Arc::new(security::SitePolicy::new(state.settings.public_url.as_deref()));
    let options = &state.leptos_options;
    let split_manifest = match app::build_hash(options, "manifest").filter(|_| options.hash_files) {
        Some(hash) => format!("__wasm_split_manifest.{hash}.json"),
        None => "__wasm_split_manifest.json".to_owned(),
    };
    let page_scripts = Arc::new(page_scripts::PageScripts {
        lazy: page_scripts::LazyIslands::read(
            &std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir),
            &split_manifest,
            &options.site_pkg_dir,
        ),
        wizard: page_scripts::WizardBundle::find(options),
    });
    let routes = Router::new()
        .route("/health", axum::routing::get(observability::health))
        .route("/pkg/{*file}", axum::routing::get(static_files::pkg))
        .route(&format!("/{}/{{*file}}", page_scripts::WIZARD_PKG_DIR), axum::routing::get(static_files::wizard_pkg))
        .nest("/api/v1", api::routes())
        .leptos_routes(&state, route_list(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(static_files::fallback)
        .with_state(state.clone());
    // The layers wrap the router once, not each route (what `Router::layer` does): every
    // middleware clones the service inside it for each request, and around each route that
    // was the whole stack again, boxed, dozens of allocations a request. Outermost first.
    let layered = tower::ServiceBuilder::new()
        .layer(axum::middleware::map_request(observability::plain_request_id))
        .layer(SetRequestIdLayer::new(observability::REQUEST_ID, observability::RandomRequestId))
        .layer(TraceLayer::new_for_http().make_span_with(observability::request_span))
        .layer(PropagateRequestIdLayer::new(observability::REQUEST_ID))
        // Pages and server-function answers as the browser asks (brotli or gzip); files
        // under /pkg and /wizard-pkg arrive already compressed and pass through as they are.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(site.clone(), security::security_headers))
        .layer(axum::middleware::from_fn(api::shape_refusals))
        .layer(axum::middleware::from_fn_with_state(site, security::refuse_cross_site))
        .layer(axum::middleware::from_fn(input::check_input))
        .layer(axum::middleware::from_fn_with_state(state.clone(), page_account::refuse_another_accounts_page))
        .layer(axum::middleware::from_fn_with_state(state.settings.secure_cookies, form_errors::vouch_for_form_errors))
        .layer(axum::middleware::map_response(http_errors::set_error_status))
        .layer(axum::middleware::from_fn_with_state(page_scripts, page_scripts::keep_scripts_where_islands_are))
        .layer(axum::middleware::from_fn_with_state(state, load_session))
        .layer(axum::middleware::from_fn(own_reactive_owner))
        .service(routes);
    Router::new().fallback_service(layered)
}

pub use connections::serve;

/// Runs each request under a reactive owner of its own, a root, so that nothing it does
/// reaches another request's.
///
/// Leptos keeps the current owner in a thread-local, and a page's render can leave its owner
/// there when it yields. Leptos's file handler (behind `static_files::fallback`) and its
/// server functions make their owner a child of whatever owner is current, and read their
/// context through it: a favicon answered on that thread took the page's response options,
/// the page's Content-Security-Policy among them, and the page went out without them (its
/// scripts then blocked, it never hydrated).
async fn own_reactive_owner(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use leptos::prelude::{Owner, ScopedFuture};
    Owner::new_root(None).with(|| ScopedFuture::new_untracked(next.run(request))).await
}

/// Looks up the session's account and unread count (one query) before a page renders, so
/// every part of the page reads one answer synchronously. Static files and server functions
/// (which guard themselves) skip it.
async fn load_session(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path();
    let is_file = path.rsplit('/').next().is_some_and(|last| last.contains('.'));
    if request.method() == http::Method::GET
        && !is_file
        && !static_files::is_build_path(path)
        && !path.starts_with("/api/")
        && path != "/health"
    {
        let (account, figures) = SessionAccount::load(&state.db, state.settings.session_idle_ms, request.headers()).await;
        request.extensions_mut().insert(figures);
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
    #[error("could not listen on a port: {0}")]
    Listen(std::io::Error),
    #[error("could not seed the demo data (see the log above)")]
    Seed,
    #[error(
        "refusing to start in production: the demo account {0} still has its published password. \
         Change or remove it, or run without MARKETPLACE_ENV=production."
    )]
    DemoSecret(&'static str),
}
