//! `scripts/bench-api`: the API's submit throughput, and product files for the command-line
//! tool's validate benchmark.
//!
//! - `bench_api files DIR N` writes N product files into DIR: most complete, every tenth
//!   breaking several rules (as a pipeline's files would be, mostly right).
//! - `bench_api` (no arguments): 16 sellers each submit products through `/api/v1/submissions`
//!   with their own token, each with an idempotency key and an image asset of its own, for
//!   5 s; prints requests per second and latency. On SQLite, and on PostgreSQL when
//!   `BENCH_DATABASE_URL` names a server. Prints figures only; it asserts nothing.

mod bench_common;

use app::auth::{ssr::create_account, Role};
use app::rules::asset::PrivateImage;
use app::rules::release::sample::complete_product;
use app::tokens::Scope;
use bench_common::{measure_requests, BenchServer};
use std::time::Duration;

const CLIENTS: usize = 16;
const RUN: Duration = Duration::from_secs(5);
/// Image assets per seller: more than one client submits in the run.
const ASSETS: usize = 600;

fn files(dir: &str, count: usize) {
    std::fs::create_dir_all(dir).expect("create the files' folder");
    for n in 0..count {
        let mut product = complete_product(&format!("Product {n}"), &format!("asset-{n}"));
        product.description = format!("{} Release {n} of the image, with monitoring and backups.", product.description);
        if n % 10 == 9 {
            product.name = String::new();
            product.specifications[0].regions.push("moon-base".into());
            product.specifications[0].simple_prices[0] = "free".into();
        }
        let text = serde_json::to_string_pretty(&product).expect("a product writes as JSON");
        std::fs::write(format!("{dir}/product-{n:04}.json"), text).expect("write a product file");
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("files") {
        let count = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(1000);
        files(&args[2], count);
        return;
    }
    let bench = BenchServer::start("bench-api").await;
    let db = bench.db.clone();
    let mut sellers = Vec::new();
    for s in 0..CLIENTS {
        let seller = create_account(&db, &format!("api-seller-{s}@example.test"), &format!("Seller {s}"), Role::Seller, "bench-password").await.unwrap();
        let token = app::tokens::ssr::create(&db, &seller.id, "bench", 30, &[Scope::Submit]).await.unwrap().secret;
        let mut assets = Vec::new();
        for a in 0..ASSETS {
            let image = PrivateImage::eligible(&format!("img-{s}-{a}"), &format!("image {s}-{a}"));
            app::cloud::insert_private_image(&db, &seller.id, &image).await.unwrap();
            let asset = app::images::ssr::release_asset(&db, &app::cloud::DatabaseImages { db: db.clone() }, &Default::default(), &seller.id, &image.id).await.unwrap();
            assets.push(asset.id);
        }
        sellers.push((token, assets));
    }
    let base = format!("http://{}/api/v1/submissions", bench.addr);
    let client = reqwest::Client::new();
    println!("API submissions ({}), {CLIENTS} sellers each submitting in a loop for {} s, release build, client and server on one machine:", bench.backend, RUN.as_secs());
    let sellers = std::sync::Arc::new(sellers);
    let f = measure_requests(CLIENTS, RUN, move |c, n| {
        let (token, assets) = &sellers[c];
        let product = complete_product(&format!("Bench {c}-{n}"), &assets[n % ASSETS]);
        client.post(&base).bearer_auth(token).header("idempotency-key", format!("bench-{c}-{n}")).json(&product)
    })
    .await;
    let requests: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM release_requests").fetch_one(&db).await.unwrap();
    println!(
        "  POST /api/v1/submissions  {:>6.0} req/s  median {:>6.1} ms  p99 {:>6.1} ms  errors {}  ({requests} requests stored)",
        f.rps, f.median, f.p99, f.errors
    );
    bench.finish().await;
}
