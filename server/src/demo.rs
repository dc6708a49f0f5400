//! Demo data for the embedded default: seeded into an empty database on first run only.

use app::store::Context;
use app::auth::{ssr::create_account, Role};
use app::error::AppError;
use app::cloud::insert_private_image;
use app::rules::asset::{DiskKind, ImageOrigin, PrivateImage};
use app::store::Db;

/// A demo sign-in, printed at start-up and listed in the README.
pub struct DemoAccount {
    pub email: &'static str,
    pub password: &'static str,
    pub name: &'static str,
    pub role: Role,
}

pub const DEMO_ACCOUNTS: [DemoAccount; 8] = [
    DemoAccount { email: "seller@example.com", password: "seller-demo-1", name: "Northwind Images", role: Role::Seller },
    DemoAccount { email: "seller2@example.com", password: "seller-demo-2", name: "Contoso Systems", role: Role::Seller },
    // A seller who has just joined: no images yet, so every empty state can be seen.
    DemoAccount { email: "seller3@example.com", password: "seller-demo-3", name: "Tailspin Software", role: Role::Seller },
    // A seller with eligible images for the journey after release (SPEC section 5).
    DemoAccount { email: "seller4@example.com", password: "seller-demo-4", name: "Woodgrove Labs", role: Role::Seller },
    // A seller with one eligible image, who can submit and withdraw many requests in a day
    // and so see the busy-day notice (R42).
    DemoAccount { email: "seller5@example.com", password: "seller-demo-5", name: "Adventure Works", role: Role::Seller },
    // A seller with two eligible images, whose products the marketplace's filters find.
    DemoAccount { email: "seller6@example.com", password: "seller-demo-6", name: "Litware Inc", role: Role::Seller },
    DemoAccount { email: "reviewer@example.com", password: "reviewer-demo", name: "Marketplace Review", role: Role::Reviewer },
    DemoAccount { email: "customer@example.com", password: "customer-demo", name: "Fabrikam Ltd", role: Role::Customer },
];

/// Seeds the demo accounts and images if the database has no accounts yet. Returns
/// whether it seeded.
pub async fn seed_if_empty(db: &Db) -> Result<bool, AppError> {
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(db)
        .await
        .context("counting accounts")?;
    if accounts > 0 {
        return Ok(false);
    }
    let mut ids = Vec::new();
    for demo in &DEMO_ACCOUNTS {
        ids.push(create_account(db, demo.email, demo.name, demo.role, demo.password).await?.id);
    }
    // Credit for purchases (R53): customers and sellers alike can buy.
    sqlx::query("UPDATE accounts SET credit_cents = 50000 WHERE role IN ('customer', 'seller')")
        .execute(db)
        .await
        .context("seeding credit")?;
    for image in first_seller_images() {
        insert_private_image(db, &ids[0], &image).await.context("seeding images")?;
    }
    for image in second_seller_images() {
        insert_private_image(db, &ids[1], &image).await.context("seeding images")?;
    }
    for image in [
        PrivateImage { os: "Debian 12".into(), ..image("img-demo4-tools", "debian-tools") },
        PrivateImage { os: "Ubuntu 22.04".into(), ..image("img-demo4-gpu", "ubuntu-gpu") },
        // A third, for the browser test of a product named with markup (issue 10).
        PrivateImage { os: "Ubuntu 24.04".into(), ..image("img-demo4-lab", "ubuntu-lab") },
        // A fourth, for the browser test of price increases and their notices (R70–R73).
        PrivateImage { os: "Rocky Linux 9".into(), ..image("img-demo4-batch", "rocky-batch") },
    ] {
        insert_private_image(db, &ids[3], &image).await.context("seeding images")?;
    }
    let busy = PrivateImage { os: "Debian 12".into(), ..image("img-demo5-busy", "debian-busy") };
    insert_private_image(db, &ids[4], &busy).await.context("seeding images")?;
    for image in [
        PrivateImage { os: "Ubuntu 24.04".into(), ..image("img-demo6-kiosk", "ubuntu-kiosk") },
        PrivateImage { os: "Debian 12".into(), ..image("img-demo6-mail", "debian-mail") },
        // A third, submitted and left pending, so the accessibility scan sees a request page.
        PrivateImage { os: "Alpine 3.20".into(), ..image("img-demo6-proxy", "alpine-proxy") },
    ] {
        insert_private_image(db, &ids[5], &image).await.context("seeding images")?;
    }
    Ok(true)
}

fn image(id: &str, name: &str) -> PrivateImage {
    PrivateImage::eligible(id, name)
}

/// One eligible image, and at least one failing each of R1–R8.
fn first_seller_images() -> Vec<PrivateImage> {
    vec![
        PrivateImage { os: "Ubuntu 22.04".into(), ..image("img-demo-web", "ubuntu-web-stack") },
        PrivateImage { region: "ap-singapore".into(), ..image("img-demo-sg", "singapore-copy") },
        PrivateImage { origin: ImageOrigin::ImportedFile, os: "Debian 12".into(), ..image("img-demo-imported", "imported-debian") },
        PrivateImage { shared: true, ..image("img-demo-shared", "partner-shared") },
        PrivateImage { encrypted: true, os: "CentOS Stream 9".into(), ..image("img-demo-encrypted", "encrypted-db") },
        PrivateImage { released: true, ..image("img-demo-released", "released-earlier") },
        PrivateImage { disk_kind: DiskKind::FullEcs, ..image("img-demo-fullecs", "full-ecs-backup") },
        PrivateImage { disk_kind: DiskKind::Data, ..image("img-demo-datadisk", "data-volume") },
        PrivateImage { origin: ImageOrigin::ExternalSharedImage, ..image("img-demo-external", "from-external-share") },
        PrivateImage { origin: ImageOrigin::MarketImage, ..image("img-demo-market", "from-market-image") },
        PrivateImage { size_bytes: 129 << 30, os: "Windows Server 2022".into(), ..image("img-demo-large", "oversized-windows") },
        // Breaks three rules at once (R3, R4, R8): every one is listed, not only the first.
        PrivateImage { shared: true, encrypted: true, size_bytes: 200 << 30, ..image("img-demo-many", "shared-encrypted-large") },
    ]
}

fn second_seller_images() -> Vec<PrivateImage> {
    vec![
        PrivateImage { os: "Rocky Linux 9".into(), ..image("img-demo2-rocky", "rocky-hardened") },
        PrivateImage { os: "Debian 12".into(), ..image("img-demo2-postgres", "debian-postgres") },
        PrivateImage { os: "Alpine 3.20".into(), ..image("img-demo2-nginx", "alpine-nginx") },
        PrivateImage { os: "Fedora 40".into(), ..image("img-demo2-devtools", "fedora-devtools") },
        PrivateImage { os: "Ubuntu 24.04".into(), ..image("img-demo2-ml", "ubuntu-ml") },
        PrivateImage { encrypted: true, ..image("img-demo2-vault", "vault-encrypted") },
    ]
}
