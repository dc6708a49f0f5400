use leptos::config::get_configuration;
use server::{config::Config, demo::DEMO_ACCOUNTS};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    server::observability::init_logging(config.log_json);
    let mut leptos_options = get_configuration(None).map_err(|e| e.to_string())?.leptos_options;
    if leptos_options.output_name.is_empty() {
        leptos_options.output_name = "marketplace".into();
    }
    let addr = leptos_options.site_addr;
    let db = server::prepare_database(&config).await.map_err(|e| e.to_string())?;
    server::start_outbox_worker(db.clone(), &config);
    server::start_session_listener(&db);
    let state = server::app_state(db, &config, leptos_options);
    let router = server::router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("could not listen on {addr}: {e}"))?;
    let database = if config.is_sqlite() { config.database_url.clone() } else { "PostgreSQL (DATABASE_URL)".into() };
    println!("Marketplace seller console listening on http://{addr}");
    println!("Database: {database}");
    let channel = |on: bool, name: &str| if on { format!("{name} configured") } else { format!("{name} not configured (kept in the outbox)") };
    println!("Notifications: {}; {}", channel(config.delivery.smtp.is_some(), "email"), channel(config.delivery.sms.is_some(), "SMS"));
    // Only in development (the configuration refuses demo data in production), and only
    // the accounts this database was seeded with.
    if config.demo_data && config.mode == server::config::Mode::Development {
        println!("Demo sign-ins:");
        for demo in &DEMO_ACCOUNTS {
            println!("  {:<9} {:<22} password: {}", demo.role.as_str(), demo.email, demo.password);
        }
    }
    server::serve(listener, router, config.connections.clone(), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| format!("server error: {e}"))
}
