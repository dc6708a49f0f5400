//! Applying due price increases (R70, R72): the worker on every server calls `apply_due`
//! each round.

use super::{record_applied, refresh_coming, tell_buyers, Row, ScheduledIncrease, COLUMNS, SCHEDULED};
use crate::audit::AuditKind;
use crate::error::AppError;
use crate::rules::notice::set_tier_price;
use crate::rules::product::Product;
use crate::store::{from_json, to_json, Context, Db};

#[derive(sqlx::FromRow)]
struct DueRow {
    #[sqlx(flatten)]
    row: Row,
    scheduled_by: String,
}

/// Applies every increase due at `now` (R70, R72): the worker on each server calls this.
/// Returns how many took effect here. Each product's due increases take effect together, in
/// one transaction that holds the product's row first, so on several servers each takes
/// effect exactly once, and a purchase sees the product's prices before or after, never a
/// mix.
pub async fn apply_due(db: &Db, now: i64) -> Result<usize, AppError> {
    let products: Vec<String> = sqlx::query_scalar(
        "SELECT product_id FROM scheduled_prices WHERE state = 'scheduled' AND takes_effect_at <= $1 \
         GROUP BY product_id ORDER BY MIN(takes_effect_at), product_id LIMIT 100",
    )
    .bind(now)
    .fetch_all(db)
    .await
    .context("finding due price increases")?;
    let mut applied = 0;
    for id in products {
        // One product that cannot be changed must not hold up the others' increases.
        match apply_for(db, &id, now).await {
            Ok(n) => applied += n,
            Err(error) => tracing::error!(product = %id, %error, "due price increases could not be applied; trying again next round"),
        }
    }
    Ok(applied)
}

async fn apply_for(db: &Db, id: &str, now: i64) -> Result<usize, AppError> {
    let mut tx = db.begin().await.context("starting a scheduled price change")?;
    let held: Option<(String, String)> =
        sqlx::query_as("UPDATE products SET version = version + 1 WHERE id = $1 RETURNING name, content")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .context("holding a product")?;
    let Some((name, content)) = held else { return Ok(0) };
    let mut product: Product = from_json(&content, "product", id)?;
    let due: Vec<DueRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, scheduled_by FROM scheduled_prices \
         WHERE product_id = $1 AND state = '{SCHEDULED}' AND takes_effect_at <= $2 ORDER BY takes_effect_at"
    ))
    .bind(id)
    .bind(now)
    .fetch_all(&mut *tx)
    .await
    .context("reading due price increases")?;
    if due.is_empty() {
        // Another server applied them first: leave the product as it was.
        return Ok(0);
    }
    let mut took_effect = Vec::new();
    for DueRow { row, scheduled_by } in due {
        let increase = ScheduledIncrease::from(row);
        let settled = sqlx::query("UPDATE scheduled_prices SET state = 'applied', settled_at = $1 WHERE id = $2 AND state = 'scheduled'")
            .bind(now)
            .bind(&increase.id)
            .execute(&mut *tx)
            .await
            .context("applying a price increase")?;
        if settled.rows_affected() != 1 {
            continue;
        }
        match increase.change() {
            Some(change) if set_tier_price(&mut product, &change) => took_effect.push((change, scheduled_by)),
            // No code writes such a row; if one is found it is set aside, never retried forever.
            _ => {
                tracing::error!(id = %increase.id, product = %id, "a scheduled price increase does not fit its product; set aside");
                sqlx::query("UPDATE scheduled_prices SET state = 'failed' WHERE id = $1")
                    .bind(&increase.id)
                    .execute(&mut *tx)
                    .await
                    .context("setting aside a price increase")?;
            }
        }
    }
    sqlx::query("UPDATE products SET content = $1 WHERE id = $2")
        .bind(to_json(&product, "product")?)
        .bind(id)
        .execute(&mut *tx)
        .await
        .context("applying price increases")?;
    crate::listing::ssr::index(&mut tx, id, &product).await?;
    for (change, by) in &took_effect {
        record_applied(&mut tx, id, std::slice::from_ref(change), by, None, AuditKind::PriceTookEffect, now).await?;
    }
    refresh_coming(&mut tx, id).await?;
    if !took_effect.is_empty() {
        let lines: Vec<String> = took_effect.iter().map(|(c, _)| c.describe()).collect();
        // Announced when they were scheduled (R70), to the buyers of that day; those who bought
        // since were shown the coming price on the product page (R71).
        let body = format!("You bought {name}. These prices of it rose today, as announced on its page:\n{}", lines.join("\n"));
        tell_buyers(&mut tx, id, &format!("New prices for {name}"), &body).await?;
    }
    tx.commit().await.context("committing a scheduled price change")?;
    Ok(took_effect.len())
}
