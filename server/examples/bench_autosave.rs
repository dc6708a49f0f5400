//! `scripts/bench-autosave`: the autosave round trip at the server for 100 sellers saving
//! at once. Each seller saves its draft 20 times in a row (as autosave does while they
//! type), all sellers concurrently, over HTTP to a real server on a real database: SQLite
//! in a temporary folder, or PostgreSQL when `BENCH_DATABASE_URL` names one. Prints
//! figures; it asserts nothing.

use app::auth::{ssr::create_account, ssr::create_session, Role};
use app::drafts::{DraftBase, SavedDraft};
use app::rules::release::sample::largest_draft;
use leptos::prelude::LeptosOptions;
use std::time::{Duration, Instant};

const SELLERS: usize = 100;
const SAVES_EACH: usize = 20;

#[tokio::main]
async fn main() {
    let folder = std::env::temp_dir().join(format!("bench-autosave-{}", std::process::id()));
    // On PostgreSQL the benchmark makes a database of its own and drops it afterwards.
    let admin = std::env::var("BENCH_DATABASE_URL").ok();
    let bench_db = format!("bench_{}", std::process::id());
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
    tokio::spawn(async move { axum::serve(listener, router.into_make_service()).await });

    let mut clients = Vec::new();
    for n in 0..SELLERS {
        let email = format!("bench-{}-{n}@example.test", std::process::id());
        let account = create_account(&db, &email, "Bench seller", Role::Seller, "bench-password").await.unwrap();
        let token = create_session(&db, &account.id).await.unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("cookie", format!("mp_session={token}").parse().unwrap());
        clients.push(reqwest::Client::builder().default_headers(headers).build().unwrap());
    }
    // A realistic draft: one specification of the largest one, edited a little each save.
    let (mut draft, _) = largest_draft();
    draft.specifications.truncate(1);

    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|client| {
            let mut draft = draft.clone();
            let endpoint = format!("http://{addr}/api/drafts/save");
            tokio::spawn(async move {
                let mut base = DraftBase::New;
                let mut times = Vec::with_capacity(SAVES_EACH);
                for edit in 0..SAVES_EACH {
                    draft.summary = format!("Edit number {edit}");
                    let sent = Instant::now();
                    let response = client
                        .post(&endpoint)
                        .json(&serde_json::json!({ "base": base, "content": draft }))
                        .send()
                        .await
                        .expect("save request");
                    assert!(response.status().is_success(), "save failed: {}", response.status());
                    let saved: SavedDraft = response.json().await.unwrap();
                    times.push(sent.elapsed());
                    base = DraftBase::Existing { id: saved.id, version: saved.version };
                }
                times
            })
        })
        .collect();
    let mut times: Vec<Duration> = Vec::new();
    for task in tasks {
        times.extend(task.await.unwrap());
    }
    let wall = started.elapsed();
    times.sort();
    let pick = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1_000.0;
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!(
        "autosave round trip, {SELLERS} sellers at once x {SAVES_EACH} saves, {backend}: \
         median {:.1} ms, p99 {:.1} ms, max {:.1} ms; {:.0} saves/s",
        pick(0.5),
        pick(0.99),
        pick(1.0),
        times.len() as f64 / wall.as_secs_f64()
    );
    db.close().await;
    if let Some(admin_url) = admin {
        let admin = server::database::connect(&admin_url).await.expect("connect to PostgreSQL");
        let _ = sqlx::Executor::execute(&admin, format!("DROP DATABASE {bench_db} WITH (FORCE)").as_str()).await;
    }
    let _ = std::fs::remove_dir_all(&folder);
}
