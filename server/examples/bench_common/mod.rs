//! What the benchmarks share: a real server on a real database of their own (SQLite in a
//! temporary folder, or a new PostgreSQL database when `BENCH_DATABASE_URL` names a server),
//! removed again when they finish.

use app::store::Db;
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use std::path::PathBuf;

pub struct BenchServer {
    pub db: Db,
    pub addr: SocketAddr,
    pub backend: &'static str,
    folder: PathBuf,
    admin: Option<(String, String)>,
}

impl BenchServer {
    pub async fn start(name: &str) -> BenchServer {
        let folder = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let admin = std::env::var("BENCH_DATABASE_URL").ok();
        let bench_db = format!("{}_{}", name.replace('-', "_"), std::process::id());
        let url = match &admin {
            Some(admin_url) => {
                let admin = server::database::connect(admin_url).await.expect("connect to PostgreSQL");
                sqlx::Executor::execute(&admin, format!("CREATE DATABASE {bench_db}").as_str()).await.expect("create database");
                admin.close().await;
                format!("{}/{bench_db}", admin_url.rsplit_once('/').expect("a database URL with a path").0)
            }
            None => format!("sqlite://{}?mode=rwc", folder.join("bench.db").display()),
        };
        let config = server::config::Config::from_lookup(|name| match name {
            "DATABASE_URL" => Some(url.clone()),
            "DATA_DIR" => Some(folder.display().to_string()),
            "DEMO_DATA" => Some("off".into()),
            _ => None,
        })
        .expect("configuration");
        let db = server::prepare_database(&config).await.expect("database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let options = LeptosOptions::builder().output_name("marketplace").site_addr(addr).build();
        let router = server::router(server::app_state(db.clone(), &config, options));
        tokio::spawn(server::serve(listener, router, std::future::pending()));
        let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
        BenchServer { db, addr, backend, folder, admin: admin.map(|a| (a, bench_db)) }
    }

    /// A client that sends `account_id`'s new session cookie with every request.
    pub async fn client_for(&self, account_id: &str) -> reqwest::Client {
        let token = app::auth::ssr::create_session(&self.db, account_id).await.unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("cookie", format!("mp_session={token}").parse().unwrap());
        reqwest::Client::builder().default_headers(headers).build().unwrap()
    }

    pub async fn finish(self) {
        self.db.close().await;
        if let Some((admin_url, bench_db)) = self.admin {
            let admin = server::database::connect(&admin_url).await.expect("connect to PostgreSQL");
            let _ = sqlx::Executor::execute(&admin, format!("DROP DATABASE {bench_db} WITH (FORCE)").as_str()).await;
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// The value at quantile `q` of sorted durations, in milliseconds.
pub fn quantile_ms(sorted: &[std::time::Duration], q: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1_000.0
}
