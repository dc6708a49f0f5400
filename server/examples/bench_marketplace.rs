//! `scripts/bench-marketplace [PRODUCTS]`: the public marketplace at scale. Seeds PRODUCTS
//! listed products (100,000 unless said) with realistic names, descriptions, regions and
//! prices, then measures the home page with no filter, with words, and with words, a region,
//! a pricing mode and a price range (16 clients, 5 s each), and prints each search's query
//! plan. On SQLite, and on PostgreSQL when `BENCH_DATABASE_URL` names a server. Prints
//! figures only; it asserts nothing.

mod bench_common;

use app::auth::{ssr::create_account, Role};
use app::listing::ProductQuery;
use app::rules::product::Product;
use app::rules::release::{PricingMode, ProductDraft, SpecificationDraft, TemplateKind, VcpuTierDraft, DELIVERY_METHOD_IMAGE};
use bench_common::{measure, BenchServer};
use std::time::{Duration, Instant};

const CLIENTS: usize = 16;
const RUN: Duration = Duration::from_secs(5);
const SELLERS: usize = 40;
const BATCH: usize = 500;

const SYSTEMS: [&str; 12] = [
    "Ubuntu 22.04", "Ubuntu 24.04", "Debian 12", "Rocky Linux 9", "AlmaLinux 9", "Windows Server 2022",
    "Alpine 3.20", "Fedora 40", "openSUSE Leap 15", "CentOS Stream 9", "FreeBSD 14", "Oracle Linux 9",
];
const STACKS: [&str; 30] = [
    "PostgreSQL", "MySQL", "MariaDB", "Redis", "MongoDB", "Nginx", "Apache", "Node.js", "Python", "Java",
    "Kafka", "Elasticsearch", "GitLab", "Jenkins", "WordPress", "Django", "Tomcat", "Grafana", "Prometheus", "Vault",
    "Docker", "Kubernetes", "TensorFlow", "PyTorch", "CUDA", "Spark", "Hadoop", "RabbitMQ", "Keycloak", "Nextcloud",
];
const QUALIFIERS: [&str; 10] =
    ["Hardened", "Minimal", "Enterprise", "Developer", "CIS Level 1", "GPU", "High Availability", "Secure", "Managed", "Community"];
const CATEGORIES: [&str; 6] = ["Databases", "Web servers", "Developer tools", "Machine learning", "Security", "Monitoring"];
const SENTENCES: [&str; 8] = [
    "Preconfigured and tested for production workloads.",
    "Security updates are applied monthly and the image is scanned before every release.",
    "Includes monitoring agents, log rotation and automatic backups to object storage.",
    "Tuned kernel parameters and file-system settings for predictable latency.",
    "Comes with a setup guide, sample configuration and 24/7 email support.",
    "Start a VM from it and the service is listening within a minute.",
    "Licensed for commercial use; no extra fees beyond the listed price.",
    "Built from the vendor's official packages with unnecessary services removed.",
];

/// A small deterministic generator, so every run seeds the same catalogue.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

fn product(n: usize, rng: &mut Rng, regions: &[String]) -> Product {
    let (system, stack, qualifier) = (rng.pick(&SYSTEMS), rng.pick(&STACKS), rng.pick(&QUALIFIERS));
    let name = format!("{qualifier} {stack} on {system} #{n}");
    let description = (0..3).map(|_| rng.pick(&SENTENCES)).collect::<Vec<_>>().join(" ");
    let mut offered: Vec<String> = regions.iter().filter(|_| rng.below(3) == 0).cloned().collect();
    if offered.is_empty() {
        offered.push(regions[rng.below(regions.len())].clone());
    }
    let free = rng.below(7) == 0;
    let cents = |rng: &mut Rng, lo: u64, hi: u64| {
        let c = lo + rng.next() % (hi - lo);
        format!("{}.{:02}", c / 100, c % 100)
    };
    let billing = [true, rng.below(4) != 0, rng.below(3) == 0];
    let spec = if free {
        SpecificationDraft { asset_id: format!("asset-{n}"), regions: offered, billing, simple_prices: ["0".into(), "0".into(), "0".into()], ..Default::default() }
    } else if rng.below(3) == 0 {
        let tiers = [2u64, 4, 8]
            .iter()
            .map(|v| VcpuTierDraft {
                vcpus: v.to_string(),
                prices: [cents(rng, 2 * v, 50 * v), cents(rng, 1000 * v, 9000 * v), cents(rng, 10000 * v, 90000 * v)],
            })
            .collect();
        SpecificationDraft { asset_id: format!("asset-{n}"), regions: offered, billing, template: TemplateKind::Vcpu, tiers, ..Default::default() }
    } else {
        let prices = [cents(rng, 1, 300), cents(rng, 500, 50000), cents(rng, 5000, 500000)];
        SpecificationDraft { asset_id: format!("asset-{n}"), regions: offered, billing, simple_prices: prices, ..Default::default() }
    };
    let draft = ProductDraft {
        sales_type: "Standard".into(),
        delivery_method: DELIVERY_METHOD_IMAGE.into(),
        pricing_mode: Some(if free { PricingMode::FreeImage } else { PricingMode::Charged }),
        summary: format!("{stack} on {system}, {} and ready to deploy.", qualifier.to_lowercase()),
        name,
        description,
        category: rng.pick(&CATEGORIES).into(),
        version: format!("{}.{}", 1 + rng.below(20), rng.below(10)),
        support_email: "support@example.com".into(),
        specifications: vec![spec],
    };
    Product::try_from(draft).expect("a generated product is a product")
}

fn query(pairs: &[(&str, &str)]) -> ProductQuery {
    let mut q = ProductQuery::default();
    for (name, value) in pairs {
        let value = value.to_string();
        match *name {
            "q" => q.text = value,
            "region" => q.region = value,
            "mode" => q.mode = value,
            "billing" => q.billing = value,
            "min" => q.min = value,
            "max" => q.max = value,
            "sort" => q.sort = value,
            _ => unreachable!(),
        }
    }
    q
}

/// Lists `count` generated products from `SELLERS` sellers, then vacuums and analyzes.
async fn seed(db: &app::store::Db, count: usize, backend: &str) {
    let regions: Vec<String> = ["eu-dublin", "eu-paris", "ap-singapore", "af-johannesburg", "la-santiago"].map(String::from).to_vec();
    let mut sellers = Vec::new();
    for s in 0..SELLERS {
        let account = create_account(db, &format!("seller-{s}@example.test"), &format!("Seller {s} Systems"), Role::Seller, "bench-password")
            .await
            .unwrap();
        sellers.push(account.id);
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let day_ms = 86_400_000i64;
    for start in (0..count).step_by(BATCH) {
        let mut tx = db.begin().await.unwrap();
        for n in start..(start + BATCH).min(count) {
            let seller = &sellers[n % SELLERS];
            let product = product(n, &mut rng, &regions);
            let request = format!("request-{n}");
            let listed_at = 1_700_000_000_000 + (n as i64) * (day_ms / 100);
            sqlx::query("INSERT INTO release_requests (id, seller_id, product_name, content, status, submitted_at) VALUES ($1, $2, $3, '{}', 'Approved', $4)")
                .bind(&request)
                .bind(seller)
                .bind(&product.name)
                .bind(listed_at)
                .execute(&mut *tx)
                .await
                .unwrap();
            app::listing::ssr::list(&mut tx, &format!("product-{n}"), seller, &request, &product, listed_at).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    if backend == "SQLite" {
        sqlx::query("ANALYZE").execute(db).await.unwrap();
        sqlx::query("INSERT INTO product_search (product_search) VALUES ('optimize')").execute(db).await.unwrap();
    }
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::args().nth(1).and_then(|a| a.replace(['_', ','], "").parse().ok()).unwrap_or(100_000);
    let bench = BenchServer::start("bench-marketplace").await;
    let db = bench.db.clone();
    let seeding = Instant::now();
    let listed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products").fetch_one(&db).await.unwrap();
    if listed > 0 {
        // A database kept by an earlier run (`BENCH_REUSE`) is measured as it is.
        println!("measuring the {listed} products already listed ({})", bench.backend);
    } else {
        seed(&db, count, bench.backend).await;
        println!("seeded {count} listed products from {SELLERS} sellers in {:.1} s ({})", seeding.elapsed().as_secs_f64(), bench.backend);
    }
    if bench.backend == "PostgreSQL" {
        // Vacuumed as well as analyzed, after seeding or after the server indexed a kept
        // database's products again at its start: otherwise autovacuum visits the rows
        // while the searches are measured, on the same two cores.
        sqlx::query("VACUUM ANALYZE").execute(&db).await.unwrap();
    }

    let searches: [(&str, Vec<(&str, &str)>); 5] = [
        ("home page, no filter (newest first)", vec![]),
        ("words: \"postgresql ubuntu\"", vec![("q", "postgresql ubuntu")]),
        ("words + region + Charged + $10–$200 a month", vec![("q", "postgresql ubuntu"), ("region", "eu-paris"), ("mode", "charged"), ("billing", "monthly"), ("min", "10"), ("max", "200")]),
        ("one common word + Free image", vec![("q", "hardened"), ("mode", "free")]),
        ("region, sorted by lowest monthly price", vec![("region", "eu-dublin"), ("sort", "price")]),
    ];
    let base = format!("http://{}", bench.addr);
    let client = reqwest::Client::new();
    println!("home page searches, {CLIENTS} clients for {}s each, release build, client and server on one machine (goal: p99 <= 20 ms at 100,000 products):", RUN.as_secs());
    for (label, pairs) in &searches {
        let q = query(pairs);
        let url = format!("{base}{}", q.page_link(1));
        let found = app::listing::ssr::search(&db, &q.search().unwrap()).await.unwrap();
        measure(&client, &url, CLIENTS, Duration::from_secs(1)).await; // warm-up
        let f = measure(&client, &url, CLIENTS, RUN).await;
        println!(
            "  {label:<46} {:>6.0} req/s  median {:>6.1} ms  p99 {:>6.1} ms  errors {}  ({} on page 1{})",
            f.rps,
            f.median,
            f.p99,
            f.errors,
            found.products.len(),
            if found.more { ", more pages" } else { "" }
        );
    }
    println!("query plans ({}):", bench.backend);
    for (label, pairs) in &searches {
        println!("  {label}:");
        for line in app::listing::ssr::plan(&db, &query(pairs).search().unwrap()).await.unwrap() {
            println!("    {line}");
        }
    }
    bench.finish().await;
}
