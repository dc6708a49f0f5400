//! `scripts/bench-pages`: requests per second and latency of the public product page, My
//! Products and My Applications (signed in, 20 requests of a seller), each beside a minimal
//! page of the same server (the sign-in page: the app shell, no data), signed out and signed
//! in, measured in the same run. `wrk` requests one page over 32 connections (as the issue
//! that set the goals measured them); wrk and the server share this machine. The pages are measured in turn, 3 s each, in 3 rounds, and each
//! page's ratio is taken to the minimal page of its own round: this machine's speed drifts
//! by a quarter from minute to minute, and a page measured once, minutes from the page it is
//! compared with, was 0.23x in one run and 0.31x in the next. Prints each round and the
//! median of the rounds; it asserts nothing.
//!
//! With `BENCH_PAGES_SEQUENTIAL=<page>:<n>` (page `minimal` or `my-products`) it requests
//! that page `n` times one after another instead: it writes `measuring` on stderr and waits
//! for the file `on` in the folder `BENCH_PAGES_SIGNALS`, makes the requests, writes
//! `measured` and waits for the file `off`. `scripts/bench-instructions` switches callgrind's
//! count on and off between them: instructions, a figure that does not drift with this
//! machine's speed.

mod bench_common;

use app::auth::{ssr::create_account, Role};
use app::rules::asset::PrivateImage;
use app::rules::release::sample::complete_product;
use app::rules::request::RequestAction;
use bench_common::{wrk, BenchServer, Figures};
use std::time::Duration;

const CLIENTS: usize = 32;
const RUN: Duration = Duration::from_secs(3);
const ROUNDS: usize = 3;
const REQUESTS: usize = 20;

#[tokio::main]
async fn main() {
    let bench = BenchServer::start("bench-pages").await;
    let db = bench.db.clone();
    let seller = create_account(&db, "bench-seller@example.test", "Bench seller", Role::Seller, "bench-password").await.unwrap();
    let reviewer = create_account(&db, "bench-reviewer@example.test", "Bench reviewer", Role::Reviewer, "bench-password").await.unwrap();
    let mut product_request = String::new();
    for n in 0..REQUESTS {
        let image = PrivateImage { os: "Debian 12".into(), ..PrivateImage::eligible(&format!("img-{n}"), &format!("image-{n}")) };
        app::cloud::insert_private_image(&db, &seller.id, &image).await.unwrap();
        sqlx::query("INSERT INTO image_assets (id, image_id, owner_id, released_at) VALUES ($1, $2, $3, 0)")
            .bind(format!("asset-{n}"))
            .bind(&image.id)
            .bind(&seller.id)
            .execute(&db)
            .await
            .unwrap();
        let submitted = app::release::ssr::submit(&db, &Default::default(), &seller.id, 0, None, &complete_product(&format!("Product {n}"), &format!("asset-{n}")), None)
            .await
            .unwrap();
        // A mix of outcomes, as a seller's list has: approved, rejected and pending.
        let action = match n % 4 {
            0 => Some(RequestAction::Approve),
            1 => Some(RequestAction::Reject),
            _ => None,
        };
        if let Some(action) = action {
            app::reviews::ssr::decide(&db, &reviewer.id, &submitted.request_id, action, "Needs work.").await.unwrap();
        }
        if n == 0 {
            product_request = submitted.request_id;
        }
    }
    let product_id: String = sqlx::query_scalar("SELECT id FROM products WHERE request_id = $1")
        .bind(&product_request)
        .fetch_one(&db)
        .await
        .unwrap();
    let base = format!("http://{}", bench.addr);
    let anonymous = reqwest::Client::new();
    let cookie = bench.session_cookie(&seller.id).await;
    let signed_in = bench.client_for(&seller.id).await;
    let minimal = format!("{base}/sign-in");
    let product = format!("{base}/products/{product_id}");
    let applications = format!("{base}/console/applications");
    let my_products = format!("{base}/console/products");

    if let Ok(sequential) = std::env::var("BENCH_PAGES_SEQUENTIAL") {
        let (page, count) = sequential.split_once(':').expect("BENCH_PAGES_SEQUENTIAL is <page>:<count>");
        let count: usize = count.parse().expect("a count of requests");
        let signals = std::path::PathBuf::from(std::env::var("BENCH_PAGES_SIGNALS").expect("BENCH_PAGES_SIGNALS names a folder"));
        let (client, url) = match page {
            "minimal" => (&anonymous, &minimal),
            "my-products" => (&signed_in, &my_products),
            other => panic!("no page {other}: minimal or my-products"),
        };
        let get = || async {
            let response = client.get(url.as_str()).send().await.unwrap();
            assert!(response.status().is_success(), "{url} answered {}", response.status());
            response.bytes().await.unwrap();
        };
        for _ in 0..5 {
            get().await;
        }
        eprintln!("measuring");
        wait_for(&signals.join("on")).await;
        for _ in 0..count {
            get().await;
        }
        eprintln!("measured");
        wait_for(&signals.join("off")).await;
        bench.finish().await;
        return;
    }
    // wrk counts any 2xx or 3xx answer: each page is checked once to be the page itself (a
    // lost session would answer a redirect to the sign-in page).
    let pages_shown = [
        (&anonymous, &minimal, "Sign in"),
        (&anonymous, &product, "Product 0"),
        (&signed_in, &applications, "Product 19"),
        (&signed_in, &my_products, "Product 19"),
    ];
    let check_pages = || async {
        for (client, url, shows) in pages_shown {
            let response = client.get(url.as_str()).header("accept", "text/html").send().await.unwrap();
            assert_eq!(response.status(), reqwest::StatusCode::OK, "{url}");
            assert!(response.text().await.unwrap().contains(shows), "{url} does not show {shows}");
        }
    };
    check_pages().await;
    let signed_out: &[(&str, &str)] = &[("accept", "text/html")];
    let signed_in_headers: &[(&str, &str)] = &[("accept", "text/html"), ("cookie", cookie.as_str())];
    for (headers, url) in [(signed_out, &minimal), (signed_out, &product), (signed_in_headers, &applications), (signed_in_headers, &my_products)] {
        wrk(url, headers, CLIENTS, Duration::from_secs(1)).await; // warm-up
    }
    println!(
        "pages, wrk with {CLIENTS} connections, {}s each in {ROUNDS} rounds, {}, release build, wrk and server on one machine:",
        RUN.as_secs(),
        bench.backend
    );
    println!("  ratios are to the minimal page signed out of the same round (goals: signed in >= 0.80x, product page >= 0.50x, My Products >= 0.30x with p99 <= 10 ms)");
    let pages = [
        ("minimal page (/sign-in), signed out".to_owned(), signed_out, &minimal),
        ("public product page, signed out".to_owned(), signed_out, &product),
        ("minimal page (/sign-in), signed in".to_owned(), signed_in_headers, &minimal),
        (format!("My Products ({REQUESTS} rows), signed in"), signed_in_headers, &my_products),
        (format!("My Applications ({REQUESTS} requests), signed in"), signed_in_headers, &applications),
    ];
    // rounds[r][page]
    let mut rounds: Vec<Vec<Figures>> = Vec::new();
    for round in 1..=ROUNDS {
        let mut figures = Vec::new();
        for (_, headers, url) in &pages {
            figures.push(wrk(url, headers, CLIENTS, RUN).await);
        }
        println!("  round {round}:");
        for ((name, _, _), f) in pages.iter().zip(&figures) {
            println!(
                "    {name:<40} {:>7.0} req/s  median {:>6.1} ms  p99 {:>6.1} ms  errors {}  | {:.2}x req/s",
                f.rps,
                f.median,
                f.p99,
                f.errors,
                f.rps / figures[0].rps
            );
        }
        rounds.push(figures);
    }
    // And still so after the load (the session included).
    check_pages().await;
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    println!("  median of the {ROUNDS} rounds:");
    for (n, (name, _, _)) in pages.iter().enumerate() {
        let ratio = median(rounds.iter().map(|r| r[n].rps / r[0].rps).collect());
        let ratios = rounds.iter().map(|r| format!("{:.2}", r[n].rps / r[0].rps)).collect::<Vec<_>>().join(", ");
        println!(
            "    {name:<40} {:>7.0} req/s  p99 {:>6.1} ms  | {ratio:.2}x req/s (rounds: {ratios})",
            median(rounds.iter().map(|r| r[n].rps).collect()),
            median(rounds.iter().map(|r| r[n].p99).collect()),
        );
    }
    bench.finish().await;
}

/// Waits for `file` to exist (`scripts/bench-instructions` makes it), at most 10 minutes.
async fn wait_for(file: &std::path::Path) {
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    while !file.exists() {
        assert!(std::time::Instant::now() < deadline, "{} did not appear in 10 minutes", file.display());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
