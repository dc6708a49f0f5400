//! `scripts/bench-autosave`: the autosave round trip at the server for 100 sellers saving
//! at once. Each seller saves its draft 20 times in a row (as autosave does while they
//! type), all sellers concurrently, over HTTP to a real server on a real database: SQLite
//! in a temporary folder, or PostgreSQL when `BENCH_DATABASE_URL` names one. Prints
//! figures; it asserts nothing.

mod bench_common;

use app::auth::{ssr::create_account, Role};
use app::drafts::{DraftBase, SavedDraft};
use app::rules::release::sample::largest_draft;
use bench_common::{quantile_ms, BenchServer};
use std::time::{Duration, Instant};

const SELLERS: usize = 100;
const SAVES_EACH: usize = 20;

#[tokio::main]
async fn main() {
    let bench = BenchServer::start("bench-autosave").await;
    let (db, addr) = (bench.db.clone(), bench.addr);
    let mut clients = Vec::new();
    for n in 0..SELLERS {
        let email = format!("bench-{}-{n}@example.test", std::process::id());
        let account = create_account(&db, &email, "Bench seller", Role::Seller, "bench-password").await.unwrap();
        clients.push(bench.client_for(&account.id).await);
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
                        .json(&serde_json::json!({ "base": base, "content": draft, "save_id": app::drafts::new_save_id() }))
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
    let pick = |q: f64| quantile_ms(&times, q);
    let backend = bench.backend;
    println!(
        "autosave round trip, {SELLERS} sellers at once x {SAVES_EACH} saves, {backend}: \
         median {:.1} ms, p99 {:.1} ms, max {:.1} ms; {:.0} saves/s",
        pick(0.5),
        pick(0.99),
        pick(1.0),
        times.len() as f64 / wall.as_secs_f64()
    );
    bench.finish().await;
}
