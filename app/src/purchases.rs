//! Purchases and deployments (R52, R53): a locked image is used by purchasing its product on
//! the marketplace; a purchase grants the right to deploy it. A seller's own unlocked image
//! deploys directly. Paid purchases take their price from the buyer's credit in the same
//! transaction. What costs nothing (a Free image, or a $0.00 price) needs an account with a
//! credit balance, and is taken once: asked again, the buyer gets the purchase they hold.

use crate::error::AppError;
use crate::paging::Paged;
use crate::rules::after_release::PurchaseChoice;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Purchase {
    pub id: String,
    pub product_id: String,
    pub product_name: String,
    pub region: String,
    pub billing: String,
    pub price_cents: i64,
    pub created_at: i64,
    pub deployments: i64,
}

/// Buys `choice` of product `id` for the signed-in account (any role but reviewer), at the
/// price the buyer was shown (`shown_cents`): if the product's price is no longer that, the
/// purchase is refused (409) and nothing is charged. `request_key`, chosen by the buyer's
/// page for this purchase (16 to 64 letters, digits or dashes), makes it once however often
/// it is sent: a purchase whose answer was lost, sent again, answers the purchase it made.
#[server(client = crate::page_account::PageAccountClient, endpoint = "purchases/buy", input = server_fn::codec::Json, output = crate::codec::TextJson)]
pub async fn buy_product(id: String, choice: PurchaseChoice, shown_cents: i64, request_key: Option<String>) -> Result<Purchase, AppError> {
    let caller = crate::auth::ssr::Caller::from_context()?;
    let buyer = ssr::buyer(&caller).await?;
    if let Some(key) = &request_key {
        crate::drafts::ssr::check_save_id(key)
            .map_err(|_| AppError::BadRequest("The purchase's request key must be 16 to 64 letters, digits or dashes.".into()))?;
    }
    ssr::buy(&caller.state.db, &buyer, &id, &choice, shown_cents, request_key.as_deref()).await
}

/// A page of the signed-in account's purchases, newest first: the first, or the one after
/// the cursor `before` (a page's `older`).
#[server(client = crate::page_account::PageAccountClient, endpoint = "purchases/list", output = crate::codec::TextJson)]
pub async fn my_purchases(before: Option<String>) -> Result<Paged<Purchase>, AppError> {
    let caller = crate::auth::ssr::Caller::from_context()?;
    let buyer = ssr::buyer(&caller).await?;
    let after = crate::paging::ssr::after(before.as_deref())?;
    ssr::list(&caller.state.db, &buyer.id, &after, crate::paging::PAGE_SIZE).await
}

/// When the signed-in buyer first and last bought product `id`, if ever: its page says so
/// beside the purchase form, so a second purchase is made knowingly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoughtDates {
    pub first: i64,
    pub last: i64,
}

#[server(client = crate::page_account::PageAccountClient, endpoint = "purchases/bought-before", output = crate::codec::TextJson)]
pub async fn bought_before(id: String) -> Result<Option<BoughtDates>, AppError> {
    use crate::store::Context;
    let caller = crate::auth::ssr::Caller::from_context()?;
    let buyer = ssr::buyer(&caller).await?;
    let (first, last): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT MIN(created_at), MAX(created_at) FROM purchases WHERE product_id = $1 AND buyer_id = $2")
            .bind(&id)
            .bind(&buyer.id)
            .fetch_one(&caller.state.db)
            .await
            .context("reading when a product was bought")?;
    Ok(first.zip(last).map(|(first, last)| BoughtDates { first, last }))
}

/// Deploys a VM from a purchased product's image (R53). Returns the deployment's id.
#[server(client = crate::page_account::PageAccountClient, endpoint = "purchases/deploy", output = crate::codec::TextJson)]
pub async fn deploy_purchase(purchase_id: String) -> Result<String, AppError> {
    let caller = crate::auth::ssr::Caller::from_context()?;
    let buyer = ssr::buyer(&caller).await?;
    ssr::deploy_purchase(&caller.state, &buyer.id, &purchase_id).await
}

/// Deploys a VM from one of the seller's own private images; refused for a locked image,
/// which must be purchased from the marketplace (R52).
#[server(client = crate::page_account::PageAccountClient, endpoint = "images/deploy", output = crate::codec::TextJson)]
pub async fn deploy_image(image_id: String) -> Result<String, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::deploy_own(&caller.state, &seller.id, &image_id).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::store::Context;
    use super::Purchase;
    use crate::auth::{ssr::Caller, Account, Role};
    use crate::error::AppError;
    use crate::paging::{After, Paged};
    use crate::rules::after_release::{priced_choice, purchase_price, PurchaseChoice};
    use crate::rules::price::Price;
    use crate::rules::product::Product;
    use crate::rules::{Rule, RuleViolation};
    use crate::store::{from_json, new_id, now_ms, Db};
    use crate::state::AppState;

    /// Customers and sellers buy; reviewers do not.
    pub async fn buyer(caller: &Caller) -> Result<Account, AppError> {
        match caller.account().await? {
            None => Err(AppError::Unauthenticated),
            Some(account) if account.role == Role::Reviewer => Err(AppError::Forbidden),
            Some(account) => Ok(account),
        }
    }

    fn refused(rule: Rule, message: &str) -> AppError {
        AppError::Rules(vec![RuleViolation::new(rule, "purchase", message)])
    }

    pub async fn buy(
        db: &Db,
        buyer: &Account,
        product_id: &str,
        choice: &PurchaseChoice,
        shown_cents: i64,
        request_key: Option<&str>,
    ) -> Result<Purchase, AppError> {
        let now = now_ms();
        let id = new_id();
        let mut tx = db.begin().await.context("starting a purchase")?;
        // The product is read inside the transaction that charges for it, after a write
        // to its row: a price change committed meanwhile waits for this purchase or is seen
        // by it, so what is charged is the price read here, never a newer one.
        let touched = sqlx::query("UPDATE products SET version = version WHERE id = $1")
            .bind(product_id)
            .execute(&mut *tx)
            .await
            .context("holding a product for a purchase")?;
        if touched.rows_affected() != 1 {
            return Err(AppError::NotFound("The product".into()));
        }
        let (name, content): (String, String) = sqlx::query_as("SELECT name, content FROM products WHERE id = $1")
            .bind(product_id)
            .fetch_one(&mut *tx)
            .await
            .context("reading a product for a purchase")?;
        let content: Product = from_json(&content, "product", product_id)?;
        let price = purchase_price(&content, choice).map_err(|v| AppError::Rules(vec![v]))?;
        // What was bought, as it is priced: nothing else that was sent with it.
        let choice = &priced_choice(&content, choice);
        // Sent again: the purchase it made, charged once, if it is the same purchase. The
        // product's row, written above, holds back a twin of this request until this one is done.
        if let Some(key) = request_key {
            let made: Option<(String, String, i64, String, String, Option<i64>)> = sqlx::query_as(
                "SELECT id, product_id, specification, region, billing, tier FROM purchases WHERE buyer_id = $1 AND request_key = $2",
            )
            .bind(&buyer.id)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await
            .context("looking up a purchase sent before")?;
            if let Some((id, product, specification, region, billing, tier)) = made {
                let same = product == product_id
                    && specification == choice.specification as i64
                    && region == choice.region
                    && billing == choice.billing.label()
                    && tier == choice.tier.map(|t| t as i64);
                if !same {
                    return Err(AppError::Conflict(
                        "This purchase request was already made for another choice. Reload the page and purchase again.".into(),
                    ));
                }
                let made: Purchase = sqlx::query_as(&format!("SELECT {COLUMNS} WHERE u.id = $1"))
                    .bind(&id)
                    .fetch_one(&mut *tx)
                    .await
                    .context("reading a purchase sent before")?;
                return Ok(made);
            }
        }
        if price.cents() != shown_cents {
            return Err(AppError::Conflict(format!(
                "The price of this choice changed since the page was shown: it is now ${price}, not ${}. \
                 Nothing was charged. Check the new price and purchase again.",
                Price::from_cents(shown_cents)
            )));
        }
        // What costs nothing, a Free image or a $0.00 price, is taken once: a purchase is the
        // right to deploy, so a second grants nothing, and free ones could pile up without end.
        // The product's row written above holds other purchases of it back until this commits.
        let free = price.cents() == 0;
        if free {
            if let Some(held) = held(&mut *tx, &buyer.id, product_id, choice).await? {
                return Ok(held);
            }
        }
        // The balance check and the debit are one conditional UPDATE: concurrent purchases
        // cannot spend the same credit twice.
        let (condition, debit) = if free { ("credit_cents > 0", 0) } else { ("credit_cents >= $1", price.cents()) };
        let paid = sqlx::query(&format!("UPDATE accounts SET credit_cents = credit_cents - $1 WHERE id = $2 AND {condition}"))
            .bind(debit)
            .bind(&buyer.id)
            .execute(&mut *tx)
            .await
            .context("charging a purchase")?;
        if paid.rows_affected() != 1 {
            return Err(if free {
                refused(Rule::R53, "Free images and $0.00 choices can be used by accounts with a credit balance. Add credit to your account first.")
            } else {
                refused(Rule::R53, &format!("Your credit does not cover this purchase (${price})."))
            });
        }
        sqlx::query(
            "INSERT INTO purchases (id, product_id, buyer_id, specification, region, billing, tier, price_cents, created_at, request_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(product_id)
        .bind(&buyer.id)
        .bind(choice.specification as i64)
        .bind(&choice.region)
        .bind(choice.billing.label())
        .bind(choice.tier.map(|t| t as i64))
        .bind(price.cents())
        .bind(now)
        .bind(request_key)
        .execute(&mut *tx)
        .await
        .context("recording a purchase")?;
        // The balance the servers remember changes with it: announced with the purchase, forgotten here after it.
        let forget = crate::auth::cache::Forget::Account(&buyer.id);
        crate::auth::cache::changed(&mut tx, forget).await.context("recording a purchase")?;
        tx.commit().await.context("committing a purchase")?;
        crate::auth::cache::forget(forget);
        Ok(Purchase {
            id,
            product_id: product_id.to_owned(),
            product_name: name,
            region: choice.region.clone(),
            billing: choice.billing.label().to_owned(),
            price_cents: price.cents(),
            created_at: now,
            deployments: 0,
        })
    }

    const COLUMNS: &str = "u.id, u.product_id, p.name AS product_name, u.region, u.billing, u.price_cents, u.created_at, \
        (SELECT COUNT(*) FROM deployments d WHERE d.purchase_id = u.id) AS deployments \
        FROM purchases u JOIN products p ON p.id = u.product_id";

    /// A page of one account's purchases, newest first, after `after`.
    pub async fn list(db: &Db, buyer_id: &str, after: &After, limit: usize) -> Result<Paged<Purchase>, AppError> {
        let select = format!("SELECT {COLUMNS} WHERE u.buyer_id = $1");
        let rows: Vec<Purchase> =
            crate::paging::ssr::rows_after(db, &select, buyer_id, ("u.created_at", "u.id"), after, limit).await.context("listing purchases")?;
        Ok(crate::paging::split(rows, limit, |p| (p.created_at, p.id.as_str())))
    }

    /// The buyer's purchase of exactly this choice of the product at $0.00, if they have one.
    async fn held(tx: &mut sqlx::AnyConnection, buyer_id: &str, product_id: &str, choice: &PurchaseChoice) -> Result<Option<Purchase>, AppError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} WHERE u.buyer_id = $1 AND u.product_id = $2 AND u.specification = $3 AND u.region = $4 \
             AND u.billing = $5 AND COALESCE(u.tier, -1) = $6 AND u.price_cents = 0 ORDER BY u.created_at, u.id LIMIT 1"
        ))
        .bind(buyer_id)
        .bind(product_id)
        .bind(choice.specification as i64)
        .bind(&choice.region)
        .bind(choice.billing.label())
        .bind(choice.tier.map_or(-1, |t| t as i64))
        .fetch_optional(tx)
        .await
        .context("looking for a purchase held")
    }

    /// The private image behind one specification of a listed product.
    async fn image_of(db: &Db, product_id: &str, specification: i64) -> Result<String, AppError> {
        let page = crate::listing::ssr::one(db, product_id).await?;
        let asset_id = page
            .content
            .specifications
            .get(specification as usize)
            .map(|s| s.asset_id.clone())
            .ok_or(AppError::Internal)?;
        crate::assets::ssr::image_of(db, &asset_id).await
    }

    /// VMs one account may deploy in a clock hour: each is a VM in the cloud, and a purchase
    /// (or a seller's own image) is the right to deploy, not to deploy without end.
    pub const DEPLOYS_PER_HOUR: i64 = 20;

    /// Counts one deployment against the account's [`DEPLOYS_PER_HOUR`], or refuses it (429,
    /// with when to retry). One statement counts and reads, so deployments asked for at
    /// once cannot all pass the budget.
    async fn within_deploy_budget(db: &Db, account_id: &str) -> Result<(), AppError> {
        const HOUR_MS: i64 = 60 * 60 * 1000;
        let now = now_ms();
        let hour = now.div_euclid(HOUR_MS);
        let hours = crate::store::WindowCounter { table: "deploy_hours", key: "account_id", window: "hour", count: "deploys" };
        let deploys = hours.add_one(db, account_id, hour).await?;
        if deploys <= DEPLOYS_PER_HOUR {
            return Ok(());
        }
        let retry_after = (((hour + 1) * HOUR_MS - now).max(0) as u64).div_ceil(1000).max(1);
        Err(AppError::TooManyRequests {
            message: format!(
                "You deployed {DEPLOYS_PER_HOUR} VMs this hour, the most an account may. Try again in {}.",
                crate::throttle::describe_wait(retry_after)
            ),
            retry_after,
        })
    }

    pub async fn deploy_purchase(state: &AppState, buyer_id: &str, purchase_id: &str) -> Result<String, AppError> {
        let (product_id, specification, region): (String, i64, String) =
            sqlx::query_as("SELECT product_id, specification, region FROM purchases WHERE id = $1 AND buyer_id = $2")
                .bind(purchase_id)
                .bind(buyer_id)
                .fetch_optional(&state.db)
                .await
                .context("loading a purchase")?
                .ok_or_else(|| AppError::NotFound("The purchase".into()))?;
        let image_id = image_of(&state.db, &product_id, specification).await?;
        within_deploy_budget(&state.db, buyer_id).await?;
        state
            .images
            .deploy_vm(buyer_id, &image_id, &region, Some(purchase_id))
            .await
            .context("deploying a VM")
    }

    pub async fn deploy_own(state: &AppState, seller_id: &str, image_id: &str) -> Result<String, AppError> {
        let image = state
            .images
            .find_for_owner(seller_id, image_id)
            .await
            .context("loading a private image")?
            .ok_or_else(|| AppError::NotFound("The image".into()))?;
        if crate::assets::ssr::is_locked(&state.db, image_id).await? {
            return Err(AppError::Rules(vec![RuleViolation::new(
                Rule::R52,
                "image",
                "This image is locked by a released product: it cannot deploy a VM. Purchase the product from the marketplace to use it.",
            )]));
        }
        within_deploy_budget(&state.db, seller_id).await?;
        state.images.deploy_vm(seller_id, &image.id, &image.region, None).await.context("deploying a VM")
    }
}
