use crate::helpers::fresh_database_url;
use app::auth::Role;
use app::cloud::{DatabaseImages, PrivateImageSource};
use app::rules::asset::{asset_violations, AssetPolicy};
use app::rules::Rule;
use server::config::Config;
use server::demo::{seed_if_empty, DEMO_ACCOUNTS};
use std::collections::BTreeSet;

fn config(url: &str, mode: &str) -> Config {
    let url = url.to_owned();
    let mode = mode.to_owned();
    Config::from_lookup(move |name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "MARKETPLACE_ENV" => Some(mode.clone()),
        _ => None,
    })
    .unwrap()
}

#[tokio::test]
async fn demo_data_is_seeded_on_first_run_only_and_covers_rules_r1_to_r8() {
    let url = fresh_database_url().await;
    let db = server::prepare_database(&config(&url, "development")).await.unwrap();
    assert!(!seed_if_empty(&db).await.unwrap(), "already seeded by the first start");

    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts").fetch_one(&db).await.unwrap();
    assert_eq!(accounts, DEMO_ACCOUNTS.len() as i64);
    let sellers = DEMO_ACCOUNTS.iter().filter(|a| a.role == Role::Seller).count();
    assert!(sellers >= 2, "two sellers or more, so isolation can be seen");

    let seller_id: String = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(DEMO_ACCOUNTS[0].email)
        .fetch_one(&db)
        .await
        .unwrap();
    let images = DatabaseImages { db: db.clone() }.list_for_owner(&seller_id).await.unwrap();
    let policy = AssetPolicy::default();
    let eligible = images.iter().filter(|i| asset_violations(i, &policy).is_empty()).count();
    let broken: BTreeSet<String> = images
        .iter()
        .flat_map(|i| asset_violations(i, &policy))
        .map(|v| v.rule.to_string())
        .collect();
    assert_eq!(eligible, 1);
    let all: BTreeSet<String> =
        [Rule::R1, Rule::R2, Rule::R3, Rule::R4, Rule::R5, Rule::R6, Rule::R7, Rule::R8]
            .iter()
            .map(|r| r.to_string())
            .collect();
    assert_eq!(broken, all);
    // R1–R8 report every failure at once: one demo image shows three together.
    let most = images.iter().map(|i| asset_violations(i, &policy).len()).max();
    assert_eq!(most, Some(3), "one demo image breaks three rules");
}

#[tokio::test]
async fn production_refuses_to_start_while_a_demo_password_works() {
    let url = fresh_database_url().await;
    server::prepare_database(&config(&url, "development")).await.unwrap();

    let refused = server::prepare_database(&config(&url, "production")).await;

    assert!(matches!(refused, Err(server::StartError::DemoSecret(_))));
}

#[tokio::test]
async fn a_migration_that_no_longer_matches_the_database_stops_the_server_with_the_reason() {
    let url = fresh_database_url().await;
    let db = server::prepare_database(&config(&url, "development")).await.unwrap();
    sqlx::query("UPDATE _sqlx_migrations SET checksum = $1")
        .bind(vec![0u8; 48])
        .execute(&db)
        .await
        .unwrap();

    let refused = server::prepare_database(&config(&url, "development")).await;

    let message = match refused {
        Err(error @ server::StartError::Database(server::database::DatabaseError::Migrate(_))) => error.to_string(),
        other => panic!("expected a migration error, got {:?}", other.map(|_| ())),
    };
    assert!(message.contains("could not apply the database migrations"), "{message}");
}
