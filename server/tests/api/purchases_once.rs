//! What is sent again after its answer was lost is done once (the sixth review: a lost
//! answer charged twice, and a retried decision or price change read as someone else's),
//! and deployments are bounded per account (one purchase deployed VMs without end).

use crate::after_release::{owned, released, tier_prices, vcpu_priced};
use crate::hardening::credit;
use crate::helpers::{error_of, TestApp};
use app::purchases::{ssr::DEPLOYS_PER_HOUR, Purchase};
use serde_json::json;

#[tokio::test]
async fn r53_a_purchase_sent_again_with_its_key_answers_the_purchase_it_made_and_charges_once() {
    let app = TestApp::spawn().await;
    let (_, _, id) = released(&app, "tiered", vcpu_priced).await;
    let (_, other_product) = {
        let (seller, _, other) = released(&app, "other", vcpu_priced).await;
        (seller, other)
    };
    let (customer, client) = app.customer_with_credit(50_000).await;
    let url = format!("{}/api/purchases/buy", app.address);
    let choice = json!({ "specification": 0, "region": "eu-dublin", "billing": "Monthly", "tier": 0 });
    let buy = |product: &str, key: Option<&str>| {
        let body = json!({ "id": product, "choice": choice, "shown_cents": 5_000, "request_key": key });
        client.post(&url).json(&body).send()
    };

    // The first answer is lost and the page sends the purchase again, twice at once too.
    let key = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    let first: Purchase = buy(&id, Some(key)).await.unwrap().json().await.unwrap();
    let again = futures::future::join_all((0..3).map(|_| buy(&id, Some(key)))).await;
    for answer in again {
        let answer = answer.unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.json::<Purchase>().await.unwrap().id, first.id);
    }
    assert_eq!(credit(&app, &customer).await, 45_000, "charged once");

    // A new key is a new purchase; a key is the buyer's own, and names one product.
    let second: Purchase = buy(&id, Some("0f1e2d3c4b5a69788796a5b4c3d2e1f0")).await.unwrap().json().await.unwrap();
    assert_ne!(second.id, first.id);
    assert_eq!(credit(&app, &customer).await, 40_000);
    let elsewhere = buy(&other_product, Some(key)).await.unwrap();
    assert_eq!(elsewhere.status(), 409);
    assert!(error_of(elsewhere).await.to_string().contains("another choice"));
    let other_tier = json!({ "specification": 0, "region": "eu-dublin", "billing": "Monthly", "tier": 1 });
    let changed = client.post(&url).json(&json!({ "id": id, "choice": other_tier, "shown_cents": 10_000, "request_key": key })).send().await.unwrap();
    assert_eq!(changed.status(), 409, "the same key for another tier is not the purchase it made");
    assert_eq!(buy(&id, Some("short")).await.unwrap().status(), 400);
    let (_, stranger) = app.customer_with_credit(50_000).await;
    let theirs = stranger.post(&url).json(&json!({ "id": id, "choice": choice, "shown_cents": 5_000, "request_key": key })).send().await.unwrap();
    assert_ne!(theirs.json::<Purchase>().await.unwrap().id, first.id, "another buyer's key is their own");
    // Without a key (an older page), each purchase is made as before.
    assert_eq!(buy(&id, None).await.unwrap().status(), 200);
    assert_eq!(credit(&app, &customer).await, 35_000);

    // The product's page tells the buyer, and only them, that they bought it; its button buys again.
    let page = app.get(&client, &format!("/products/{id}")).await.text().await.unwrap();
    assert!(page.contains("You last bought this product on ") && page.contains(", ready to deploy."), "{page}");
    assert!(page.contains(">Purchase again<"), "{page}");
    let (_, newcomer) = app.customer_with_credit(50_000).await;
    let fresh = app.get(&newcomer, &format!("/products/{id}")).await.text().await.unwrap();
    assert!(!fresh.contains("You last bought this product") && !fresh.contains("Purchase again"), "{fresh}");
    let bought: Option<app::purchases::BoughtDates> = app.answer(&client, "purchases/bought-before", &[("id", &id)]).await;
    let bought = bought.expect("bought");
    let times: Vec<i64> = sqlx::query_scalar("SELECT created_at FROM purchases WHERE buyer_id = $1 AND product_id = $2")
        .bind(&customer.id)
        .bind(&id)
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(times.len(), 3);
    assert_eq!((bought.first, bought.last), (*times.iter().min().unwrap(), *times.iter().max().unwrap()));
    let none: Option<app::purchases::BoughtDates> = app.answer(&newcomer, "purchases/bought-before", &[("id", &id)]).await;
    assert_eq!(none, None);
    // Only a buyer asks: a reviewer is refused, a visitor told to sign in.
    let (_, reviewer) = app.signed_in(app::auth::Role::Reviewer).await;
    assert_eq!(app.call(&reviewer, "purchases/bought-before", &[("id", &id)]).await.status(), 403);
    assert_eq!(app.call(&app.client(), "purchases/bought-before", &[("id", &id)]).await.status(), 401);
}

#[tokio::test]
async fn r53_an_account_deploys_at_most_its_vms_an_hour_from_purchases_and_its_own_images_even_asked_at_once() {
    let app = TestApp::spawn().await;
    let (seller, seller_client, id) = released(&app, "tiered", vcpu_priced).await;
    let (_, client) = app.customer_with_credit(50_000).await;
    let body = json!({ "id": id, "choice": { "specification": 0, "region": "eu-dublin", "billing": "Monthly", "tier": 0 }, "shown_cents": 5_000 });
    let purchase: Purchase = client.post(format!("{}/api/purchases/buy", app.address)).json(&body).send().await.unwrap().json().await.unwrap();
    // Asked for all at once, past the budget: exactly the budget is deployed.
    let form = [("purchase_id", purchase.id.as_str())];
    let asked = (0..DEPLOYS_PER_HOUR + 10).map(|_| app.call(&client, "purchases/deploy", &form));
    let answers: Vec<u16> = futures::future::join_all(asked).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(answers.iter().filter(|s| **s == 200).count() as i64, DEPLOYS_PER_HOUR, "{answers:?}");
    assert!(answers.iter().all(|s| *s == 200 || *s == 429), "{answers:?}");
    let refused = app.call(&client, "purchases/deploy", &[("purchase_id", &purchase.id)]).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(error_of(refused).await.to_string().contains("this hour"));
    let deployed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deployments WHERE purchase_id = $1").bind(&purchase.id).fetch_one(&app.db).await.unwrap();
    assert_eq!(deployed, DEPLOYS_PER_HOUR);

    // A seller's own image counts the same; another account is not held back.
    crate::release::asset(&app, &seller_client, &seller, "spare").await;
    sqlx::query("UPDATE deploy_hours SET account_id = $1").bind(&seller.id).execute(&app.db).await.unwrap();
    let own = app.call(&seller_client, "images/deploy", &[("image_id", "img-spare")]).await;
    assert_eq!(own.status(), 429);
    assert_eq!(app.call(&client, "purchases/deploy", &[("purchase_id", &purchase.id)]).await.status(), 200, "the customer's hour is free again");
}

#[tokio::test]
async fn r51_a_price_change_sent_again_is_done_and_a_different_one_on_an_old_version_is_refused() {
    let app = TestApp::spawn().await;
    let (_, client, id) = released(&app, "tiered", vcpu_priced).await;
    let version = owned(&app, &client, &id).await.version;
    let lower = json!([[["0.08", "50", ""], ["0.20", "100", ""]]]);
    assert_eq!(tier_prices(&app, &client, &id, version, lower.clone()).await.status(), 200);
    let again = tier_prices(&app, &client, &id, version, lower).await;
    assert_eq!(again.status(), 200, "the same change sent again: done, not another tab's");
    let history = owned(&app, &client, &id).await.history;
    assert_eq!(history.len(), 1, "changed once");
    let other = tier_prices(&app, &client, &id, version, json!([[["0.07", "50", ""], ["0.20", "100", ""]]])).await;
    assert_eq!(other.status(), 409);
    assert!(error_of(other).await.to_string().contains("changed elsewhere"));
}
