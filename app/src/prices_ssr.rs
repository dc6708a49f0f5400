//! The server's side of price notices: saving, cancelling and applying, each in one
//! transaction with its audit rows (R74) and its notices to buyers (R72).

use super::ScheduledIncrease;
use crate::audit::ssr::{record, Subject};
use crate::audit::AuditKind;
use crate::error::AppError;
use crate::rules::after_release::{PriceChange, TierPrices};
use crate::rules::notice::{check_cancel, increase_takes_effect, local_date, plan_tier_prices};
use crate::rules::product::Product;
use crate::rules::review::WorkCalendar;
use crate::store::{from_json, new_id, to_json, Context, Db};
use sqlx::AnyConnection;

const SCHEDULED: &str = "scheduled";

/// How long buyers are told before an increase, in the marketplace's calendar (R70).
#[derive(Debug, Clone, Copy)]
pub struct Notice<'a> {
    pub calendar: &'a WorkCalendar,
    pub days: u32,
}

impl<'a> Notice<'a> {
    pub fn of(settings: &'a crate::state::Settings) -> Self {
        Notice { calendar: &settings.calendar, days: settings.price_increase_notice_days }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    specification: i64,
    vcpus: i64,
    billing: String,
    old_price: String,
    new_price: String,
    takes_effect_at: i64,
}

impl From<Row> for ScheduledIncrease {
    fn from(r: Row) -> Self {
        ScheduledIncrease {
            id: r.id,
            specification: r.specification as usize,
            vcpus: r.vcpus as u32,
            billing: r.billing,
            old_price: r.old_price,
            new_price: r.new_price,
            takes_effect_at: r.takes_effect_at,
            from_day: String::new(),
        }
    }
}


const COLUMNS: &str = "id, specification, vcpus, billing, old_price, new_price, takes_effect_at";

/// The increases of product `id` still waiting (due ones too, until the worker applies them),
/// soonest first.
pub async fn waiting(conn: &mut AnyConnection, id: &str) -> Result<Vec<ScheduledIncrease>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM scheduled_prices WHERE product_id = $1 AND state = '{SCHEDULED}' \
         ORDER BY takes_effect_at, specification, vcpus, billing"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .context("reading scheduled price increases")?;
    Ok(rows.into_iter().map(ScheduledIncrease::from).collect())
}

/// The increases with the change each will make; a row that does not read (which no code
/// writes) is logged and left out.
fn readable(increases: Vec<ScheduledIncrease>) -> Vec<(ScheduledIncrease, PriceChange)> {
    increases
        .into_iter()
        .filter_map(|i| match i.change() {
            Some(change) => Some((i, change)),
            None => {
                tracing::error!(id = %i.id, "a scheduled price increase does not read; left out");
                None
            }
        })
        .collect()
}

/// `increases` as shown: with their dates, and only those still to come at `now_ms`.
pub fn shown(mut increases: Vec<ScheduledIncrease>, calendar: &WorkCalendar, now_ms: i64) -> Vec<ScheduledIncrease> {
    increases.retain(|i| i.takes_effect_at > now_ms);
    for increase in &mut increases {
        increase.from_day = local_date(calendar, increase.takes_effect_at);
    }
    increases
}

/// Writes the increases waiting into the product's row, for its public page (R71).
async fn refresh_coming(conn: &mut AnyConnection, id: &str) -> Result<(), AppError> {
    let coming = waiting(conn, id).await?;
    sqlx::query("UPDATE products SET coming = $1 WHERE id = $2")
        .bind(to_json(&coming, "scheduled price increases")?)
        .bind(id)
        .execute(&mut *conn)
        .await
        .context("noting a product's coming prices")?;
    Ok(())
}

/// Tells every account that bought product `id` (R72), in the caller's transaction: the
/// internal message, and email and SMS as each account's settings say, through the outbox,
/// in a few statements however many buyers there are.
async fn tell_buyers(conn: &mut AnyConnection, id: &str, subject: &str, body: &str) -> Result<(), AppError> {
    use crate::notifications::ssr::{notify_all, Recipients};
    notify_all(conn, Recipients::BuyersOf(id), subject, body, &format!("/products/{id}")).await.context("telling buyers of a price")
}

/// How many times a day the buyers of one product can be told of a new or withdrawn
/// increase: a seller cannot flood them by raising and cancelling in a loop.
const NOTICES_PER_DAY: i64 = 10;

/// Refuses a new increase once the product's buyers have had `NOTICES_PER_DAY` notices in 24
/// hours. Each notice is counted: a save that scheduled increases (and maybe withdrew
/// others: one notice, at one moment), a cancellation, a save that only withdrew. Withdrawing
/// an increase (a cancellation, a lower price) is never refused: it only spares buyers a
/// rise, and there are no more of them than increases, which this bounds.
async fn check_notice_budget(conn: &mut AnyConnection, id: &str, now: i64) -> Result<(), AppError> {
    let sent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (\
           SELECT scheduled_at AS told_at FROM scheduled_prices WHERE product_id = $1 AND scheduled_at > $2 \
           UNION \
           SELECT settled_at FROM scheduled_prices WHERE product_id = $1 AND state IN ('cancelled', 'replaced') AND settled_at > $2\
         ) notices",
    )
    .bind(id)
    .bind(now - 86_400_000)
    .fetch_one(&mut *conn)
    .await
    .context("counting a product's price notices")?;
    if sent >= NOTICES_PER_DAY {
        return Err(AppError::TooManyRequests {
            message: format!(
                "The customers of this product have been told of {NOTICES_PER_DAY} price increases or cancellations in the last 24 hours. \
                 Lower prices and cancellations still apply at once; try an increase again tomorrow."
            ),
            retry_after: 3_600,
        });
    }
    Ok(())
}

/// Records price changes that took effect in the price history (R54) and the audit log.
async fn record_applied(
    conn: &mut AnyConnection,
    id: &str,
    changes: &[PriceChange],
    by: &str,
    actor: Option<&str>,
    kind: AuditKind,
    now: i64,
) -> Result<(), AppError> {
    for change in changes {
        sqlx::query(
            "INSERT INTO price_changes (id, product_id, specification, vcpus, billing, old_price, new_price, changed_by, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(id)
        .bind(change.specification as i64)
        .bind(change.vcpus.to_string())
        .bind(change.billing.label())
        .bind(change.old.to_string())
        .bind(change.new.to_string())
        .bind(by)
        .bind(now)
        .execute(&mut *conn)
        .await
        .context("recording a price change")?;
        record(conn, actor, kind, Subject { product_id: Some(id), ..Default::default() }, &change.describe()).await?;
    }
    Ok(())
}

/// Saves new vCPU tier prices (R54) on the product as it is at `version`: decreases apply
/// at once (R70), increases are scheduled and buyers told (R70, R72), and a new price for a
/// tier with an increase waiting replaces it (R73). The product's row is written first, at
/// `version`, and everything is read after it in the same transaction.
#[allow(clippy::too_many_arguments)]
pub async fn save(db: &Db, notice: Notice<'_>, seller_id: &str, id: &str, version: i64, prices: &[Vec<TierPrices>], now: i64) -> Result<(), AppError> {
    if prices.len() > 64 || prices.iter().any(|tiers| tiers.len() > 64 || tiers.iter().flatten().any(|p| p.len() > 32)) {
        return Err(AppError::BadRequest("Too many prices, or a price too long.".into()));
    }
    let mut tx = db.begin().await.context("starting a price change")?;
    let held: Option<(String, String)> =
        sqlx::query_as("UPDATE products SET version = version + 1 WHERE id = $1 AND seller_id = $2 AND version = $3 RETURNING name, content")
            .bind(id)
            .bind(seller_id)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await
            .context("changing a product's prices")?;
    let Some((name, content)) = held else {
        drop(tx);
        let stored: Option<(String, String)> = sqlx::query_as("SELECT seller_id, content FROM products WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await
            .context("loading a product")?;
        let Some((_, content)) = stored.filter(|(owner, _)| owner == seller_id) else {
            return Err(AppError::NotFound("The product".into()));
        };
        // Already as asked (this very save sent again after its answer was lost, say): done.
        let content: Product = from_json(&content, "product", id)?;
        let mut read = db.begin().await.context("reading a product's prices")?;
        let changes: Vec<PriceChange> = readable(waiting(&mut read, id).await?).into_iter().map(|(_, c)| c).collect();
        if plan_tier_prices(&content, prices, &changes).is_ok_and(|plan| plan.is_empty()) {
            return Ok(());
        }
        return Err(AppError::Conflict(
            "This product's prices were changed elsewhere (in another tab or window, or through the API) since you opened it. Reload it to see them, and try again.".into(),
        ));
    };
    let content: Product = from_json(&content, "product", id)?;
    let pending = readable(waiting(&mut tx, id).await?);
    let changes: Vec<PriceChange> = pending.iter().map(|(_, c)| c.clone()).collect();
    let plan = plan_tier_prices(&content, prices, &changes).map_err(AppError::Rules)?;
    if plan.is_empty() {
        // Nothing changes: the transaction is dropped, and the version with it.
        return Ok(());
    }
    if !plan.later.is_empty() {
        check_notice_budget(&mut tx, id, now).await?;
    }
    let from = increase_takes_effect(notice.calendar, now, notice.days);
    let day = local_date(notice.calendar, from);
    sqlx::query("UPDATE products SET content = $1 WHERE id = $2")
        .bind(to_json(&plan.product, "product")?)
        .bind(id)
        .execute(&mut *tx)
        .await
        .context("changing a product's prices")?;
    crate::listing::ssr::index(&mut tx, id, &plan.product).await?;
    record_applied(&mut tx, id, &plan.now, seller_id, Some(seller_id), AuditKind::PriceChanged, now).await?;
    let subject = Subject { product_id: Some(id), ..Default::default() };
    let mut withdrawn = Vec::new();
    for &r in &plan.replaced {
        let old = &pending[r].0;
        sqlx::query("UPDATE scheduled_prices SET state = 'replaced', settled_at = $1 WHERE id = $2 AND state = 'scheduled'")
            .bind(now)
            .bind(&old.id)
            .execute(&mut *tx)
            .await
            .context("replacing a scheduled price increase")?;
        let announced = format!("{} (from {})", old.describe(), local_date(notice.calendar, old.takes_effect_at));
        record(&mut tx, Some(seller_id), AuditKind::PriceCancelled, subject, &format!("{announced}, replaced by a new price")).await?;
        withdrawn.push(announced);
    }
    for change in &plan.later {
        sqlx::query(
            "INSERT INTO scheduled_prices (id, product_id, specification, vcpus, billing, old_price, new_price, scheduled_by, \
             scheduled_at, takes_effect_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'scheduled')",
        )
        .bind(new_id())
        .bind(id)
        .bind(change.specification as i64)
        .bind(i64::from(change.vcpus))
        .bind(change.billing.label())
        .bind(change.old.to_string())
        .bind(change.new.to_string())
        .bind(seller_id)
        .bind(now)
        .bind(from)
        .execute(&mut *tx)
        .await
        .context("scheduling a price increase")?;
        record(&mut tx, Some(seller_id), AuditKind::PriceScheduled, subject, &format!("{}, from {day}", change.describe())).await?;
    }
    refresh_coming(&mut tx, id).await?;
    let withdrawn = if withdrawn.is_empty() {
        String::new()
    } else {
        format!("\nThese increases you were told of no longer take effect:\n{}", withdrawn.join("\n"))
    };
    if !plan.later.is_empty() {
        let lines: Vec<String> = plan.later.iter().map(PriceChange::describe).collect();
        let body = format!(
            "You bought {name}. From {day}, these prices of it rise:\n{}\nUntil then its prices stay as they are.{withdrawn}",
            lines.join("\n")
        );
        tell_buyers(&mut tx, id, &format!("Price increase for {name} from {day}"), &body).await?;
    } else if !withdrawn.is_empty() {
        let body = format!("You bought {name}. Its seller changed the prices it had announced.{withdrawn}");
        tell_buyers(&mut tx, id, &format!("Price increase for {name} cancelled"), &body).await?;
    }
    tx.commit().await.context("committing a price change")
}

/// Cancels increase `increase_id` of the seller's product before its date (R73), and tells
/// the buyers who were told of it.
pub async fn cancel(db: &Db, seller_id: &str, product_id: &str, increase_id: &str, now: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await.context("starting a cancellation")?;
    // Held first, as every change of the product's prices does: the worker cannot apply
    // this increase while it is being cancelled.
    // Its content does not change: a search index written for this version stays current.
    let name: Option<String> = sqlx::query_scalar(
        "UPDATE products SET version = version + 1, \
         indexed_version = CASE WHEN indexed_version = version THEN version + 1 ELSE indexed_version END \
         WHERE id = $1 AND seller_id = $2 RETURNING name",
    )
        .bind(product_id)
        .bind(seller_id)
        .fetch_optional(&mut *tx)
        .await
        .context("holding a product")?;
    let name = name.ok_or_else(|| AppError::NotFound("The product".into()))?;
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM scheduled_prices WHERE id = $1 AND product_id = $2 AND state = '{SCHEDULED}'"))
        .bind(increase_id)
        .bind(product_id)
        .fetch_optional(&mut *tx)
        .await
        .context("reading a scheduled price increase")?;
    let increase = ScheduledIncrease::from(row.ok_or_else(|| AppError::NotFound("The scheduled price increase".into()))?);
    check_cancel(increase.takes_effect_at, now).map_err(|v| AppError::Rules(vec![v]))?;
    sqlx::query("UPDATE scheduled_prices SET state = 'cancelled', settled_at = $1 WHERE id = $2")
        .bind(now)
        .bind(increase_id)
        .execute(&mut *tx)
        .await
        .context("cancelling a price increase")?;
    record(&mut tx, Some(seller_id), AuditKind::PriceCancelled, Subject { product_id: Some(product_id), ..Default::default() }, &increase.describe()).await?;
    refresh_coming(&mut tx, product_id).await?;
    let body = format!("The increase of a price of {name} you were told of is cancelled: {}. The price stays as it is.", increase.describe());
    tell_buyers(&mut tx, product_id, &format!("Price increase for {name} cancelled"), &body).await?;
    tx.commit().await.context("committing a cancellation")
}

#[path = "prices_apply.rs"]
mod apply;
pub use apply::apply_due;
