//! A seller's released products (SPEC section 5): Set as Free Image (R50, R51) and vCPU
//! tier price changes with their history (R54). Every change re-runs the shared rules on
//! the server and is written only if the product is still at the version it was read at.

use crate::error::AppError;
use crate::listing::ListedProduct;
use crate::rules::after_release::TierPrices;
use crate::rules::product::Product;
use crate::rules::release::ProductDraft;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One recorded price change: who, when, old and new price (R54).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceChangeRecord {
    pub specification: usize,
    pub vcpus: String,
    pub billing: String,
    pub old_price: String,
    pub new_price: String,
    pub changed_by: String,
    pub changed_at: i64,
}

/// A released product as its seller manages it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedProduct {
    pub product: ListedProduct,
    #[cfg_attr(feature = "ssr", schema(value_type = crate::rules::release::ProductDraft))]
    pub content: Product,
    pub version: i64,
    pub history: Vec<PriceChangeRecord>,
    /// Increases waiting for their date, soonest first (R70, R73).
    pub scheduled: Vec<crate::prices::ScheduledIncrease>,
    /// The notice before an increase takes effect, in days, and the date an increase saved
    /// now would take effect on, as `2027-02-28` (R70).
    pub notice_days: u32,
    pub increase_from_day: String,
}

#[server(endpoint = "products/owned", output = crate::codec::TextJson)]
pub async fn load_owned_product(id: String) -> Result<OwnedProduct, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::owned(&caller.state.db, &caller.state.settings, &seller.id, &id).await
}

/// My Products → More → Set as Free Image (R50): refused for a product priced by vCPUs
/// (R51) or with a price above $0.
#[server(endpoint = "products/set-free", output = crate::codec::TextJson)]
pub async fn set_free_image(id: String, version: i64) -> Result<OwnedProduct, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::set_free(&caller.state.db, &caller.state.settings, &seller.id, &id, version).await
}

/// New prices for the vCPU tiers of a released product (R54): `prices[s]` holds the tiers
/// of specification `s` in order (empty for a specification that is not priced by vCPUs).
/// Decreases apply at once; increases wait for the notice period (R70).
#[server(endpoint = "products/tier-prices", input = server_fn::codec::Json, output = crate::codec::TextJson)]
pub async fn change_tier_prices(id: String, version: i64, prices: Vec<Vec<TierPrices>>) -> Result<OwnedProduct, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::change_tier_prices(&caller.state.db, &caller.state.settings, &seller.id, &id, version, &prices).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::store::Context;
    use super::{OwnedProduct, PriceChangeRecord, TierPrices};
    use crate::error::AppError;
    use crate::audit::ssr::{record, Subject};
    use crate::audit::AuditKind;
    use crate::rules::product::Product;
    use crate::prices::ssr::Notice;
    use crate::state::Settings;
    use crate::store::{now_ms, to_json, Db};

    #[derive(sqlx::FromRow)]
    struct ChangeRow {
        specification: i64,
        vcpus: String,
        billing: String,
        old_price: String,
        new_price: String,
        changed_at: i64,
        changed_by: String,
    }

    /// Set as Free Image (R50, R51), on the product as it is at `version`.
    pub async fn set_free(db: &Db, settings: &Settings, seller_id: &str, id: &str, version: i64) -> Result<OwnedProduct, AppError> {
        let owned = owned(db, settings, seller_id, id).await?;
        crate::rules::after_release::check_set_free(&owned.content).map_err(|v| AppError::Rules(vec![v]))?;
        let free = crate::rules::after_release::set_free(&owned.content);
        write(db, seller_id, id, version, &free).await?;
        self::owned(db, settings, seller_id, id).await
    }

    /// New vCPU tier prices (R54, R70, R73), on the product as it is at `version`.
    pub async fn change_tier_prices(
        db: &Db,
        settings: &Settings,
        seller_id: &str,
        id: &str,
        version: i64,
        prices: &[Vec<TierPrices>],
    ) -> Result<OwnedProduct, AppError> {
        let now = now_ms();
        crate::prices::ssr::save(db, Notice::of(settings), seller_id, id, version, prices, now).await?;
        self::owned(db, settings, seller_id, id).await
    }

    pub async fn owned(db: &Db, settings: &Settings, seller_id: &str, id: &str) -> Result<OwnedProduct, AppError> {
        let page = crate::listing::ssr::one(db, id).await?;
        let (owner, version): (String, i64) = sqlx::query_as("SELECT seller_id, version FROM products WHERE id = $1")
            .bind(id)
            .fetch_one(db)
            .await
            .context("loading a product")?;
        if owner != seller_id {
            return Err(AppError::NotFound("The product".into()));
        }
        let rows: Vec<ChangeRow> = sqlx::query_as(
            "SELECT c.specification, c.vcpus, c.billing, c.old_price, c.new_price, c.changed_at, a.display_name AS changed_by \
             FROM price_changes c JOIN accounts a ON a.id = c.changed_by WHERE c.product_id = $1 ORDER BY c.changed_at DESC, c.id",
        )
        .bind(id)
        .fetch_all(db)
        .await
        .context("loading price history")?;
        let history = rows
            .into_iter()
            .map(|r| PriceChangeRecord {
                specification: r.specification as usize,
                vcpus: r.vcpus,
                billing: r.billing,
                old_price: r.old_price,
                new_price: r.new_price,
                changed_by: r.changed_by,
                changed_at: r.changed_at,
            })
            .collect();
        let now = now_ms();
        let mut conn = db.acquire().await.context("reading scheduled price increases")?;
        let scheduled = crate::prices::ssr::waiting(&mut conn, id).await?;
        let notice = Notice::of(settings);
        // A due increase is being applied by a worker within moments: no longer cancellable.
        let scheduled = crate::prices::ssr::shown(scheduled, notice.calendar, now);
        let from = crate::rules::notice::increase_takes_effect(notice.calendar, now, notice.days);
        let increase_from_day = crate::rules::notice::local_date(notice.calendar, from);
        Ok(OwnedProduct { product: page.product, content: page.content, version, history, scheduled, notice_days: notice.days, increase_from_day })
    }

    /// The release request a product of `seller_id` was listed from.
    pub async fn request_of(db: &Db, seller_id: &str, id: &str) -> Result<String, AppError> {
        sqlx::query_scalar("SELECT request_id FROM products WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(seller_id)
            .fetch_optional(db)
            .await
            .context("finding a product's request")?
            .ok_or_else(|| AppError::NotFound("The product".into()))
    }

    /// Writes a product Set as Free Image at `version`, in one transaction with its audit
    /// row (R74); a product changed meanwhile is refused (409).
    async fn write(db: &Db, seller_id: &str, id: &str, version: i64, content: &Product) -> Result<(), AppError> {
        let json = to_json(content, "product")?;
        let mut tx = db.begin().await.context("starting a product change")?;
        let updated = sqlx::query(
            "UPDATE products SET content = $1, version = version + 1 WHERE id = $2 AND seller_id = $3 AND version = $4",
        )
        .bind(&json)
        .bind(id)
        .bind(seller_id)
        .bind(version)
        .execute(&mut *tx)
        .await
        .context("changing a product")?;
        if updated.rows_affected() != 1 {
            return Err(AppError::Conflict(
                "This product was changed in another tab or window since you opened it. Reload it and try again.".into(),
            ));
        }
        crate::listing::ssr::index(&mut tx, id, content).await?;
        let subject = Subject { product_id: Some(id), ..Default::default() };
        record(&mut tx, Some(seller_id), AuditKind::SetFree, subject, "Every price fixed at $0").await?;
        tx.commit().await.context("committing a product change")
    }
}

/// Where a product of My Products stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProductStatus {
    Draft,
    InReview,
    Released,
    Rejected,
}

impl ProductStatus {
    pub fn label(self) -> &'static str {
        match self {
            ProductStatus::Draft => "Draft",
            ProductStatus::InReview => "In review",
            ProductStatus::Released => "Released",
            ProductStatus::Rejected => "Rejected",
        }
    }
}

/// One row of My Products, with what its More menu may offer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProductRow {
    pub status: ProductStatus,
    /// The draft's, request's or listed product's id, by status.
    pub id: String,
    pub name: String,
    pub pricing: String,
    pub templates: String,
    pub regions: Vec<String>,
    pub version: i64,
    /// Set as Free Image applies (R50, R51).
    pub can_set_free: bool,
    /// Priced by vCPUs somewhere: its tier prices can change (R54).
    pub vcpu: bool,
}

/// Written as an array of the fields in order, which the derived `Deserialize` reads as
/// well as an object: the rows travel in My Products' page as the island's props, where each
/// field's name would be written, quoted and escaped again for every row (the props were
/// 7.3 KB of a 19.8 KB page).
impl Serialize for ProductRow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut fields = serializer.serialize_tuple(9)?;
        fields.serialize_element(&self.status)?;
        fields.serialize_element(&self.id)?;
        fields.serialize_element(&self.name)?;
        fields.serialize_element(&self.pricing)?;
        fields.serialize_element(&self.templates)?;
        fields.serialize_element(&self.regions)?;
        fields.serialize_element(&self.version)?;
        fields.serialize_element(&self.can_set_free)?;
        fields.serialize_element(&self.vcpu)?;
        fields.end()
    }
}

/// The Pricing Mode a Free image shows in My Products.
pub const FREE_IMAGE: &str = "Free image";

/// What My Products shows of a product's content (a draft's as typed, a submitted one's as
/// stored).
pub fn row(status: ProductStatus, id: String, version: i64, content: ProductDraft) -> ProductRow {
    use crate::rules::release::{PricingMode, TemplateKind};
    let has = |kind: TemplateKind| content.specifications.iter().any(|s| s.template == kind);
    let templates = match (has(TemplateKind::Simple), has(TemplateKind::Vcpu)) {
        (true, true) => "Simple and vCPU",
        (true, false) => "Simple",
        (false, true) => "vCPU",
        (false, false) => "—",
    };
    let name = content.name.trim();
    let name = if name.is_empty() { "Untitled".into() } else { name.to_owned() };
    let regions = content.regions();
    let vcpu = content.priced_by_vcpu() && content.pricing_mode != Some(PricingMode::FreeImage);
    let pricing = content.pricing_mode;
    let can_set_free = status == ProductStatus::Released
        && Product::try_from(content).is_ok_and(|p| crate::rules::after_release::check_set_free(&p).is_ok());
    ProductRow {
        status,
        id,
        name,
        pricing: match pricing {
            Some(PricingMode::FreeImage) => FREE_IMAGE,
            Some(PricingMode::Charged) => "Charged",
            None => "—",
        }
        .into(),
        templates: templates.into(),
        regions,
        version,
        can_set_free,
        vcpu,
    }
}

/// Every product of the signed-in seller: released, in review, rejected, and drafts.
#[server(endpoint = "products/mine", output = crate::codec::TextJson)]
pub async fn my_products() -> Result<Vec<ProductRow>, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    rows_ssr::rows(&caller.state.db, &caller.state.product_rows, &seller.id).await
}

#[cfg(feature = "ssr")]
pub mod rows_ssr {
    use crate::store::Context;
    use super::{row, ProductRow, ProductStatus};
    use crate::error::AppError;
    use crate::rules::release::ProductDraft;
    use crate::rules::request::RequestStatus;
    use crate::store::Db;

    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    #[derive(sqlx::FromRow)]
    struct ListedRow {
        kind: i64,
        id: String,
        content: String,
        version: i64,
        at: i64,
    }

    /// A row as the list names it, without its content.
    #[derive(sqlx::FromRow)]
    struct RowName {
        kind: i64,
        id: String,
        version: i64,
        at: i64,
    }

    /// Which table a row is from (and for a request, whether it was rejected), its id and its
    /// version.
    type RowKey = (i64, String, i64);

    /// The rows My Products has drawn, by what makes each what it is: its table (and a
    /// request's outcome), its id and its version. A draft's and a listed product's version
    /// goes up in the transaction that changes their content, and a request's content never
    /// changes after it is submitted, so a kept row is the row the database holds, on every
    /// server sharing it: the list is then read without content, and no product's JSON is
    /// parsed again. (So anything that rewrites stored content, a data migration included,
    /// raises the version with it.)
    ///
    /// Bounded by the bytes the rows hold, in two generations: rows go into the recent one,
    /// and when it holds half the budget it becomes the older one, whose rows are dropped
    /// unless a list reads them first (which brings them back into the recent one). Rows
    /// read often stay; old versions go.
    #[derive(Default)]
    pub struct RowCache {
        kept: Mutex<Generations>,
    }

    #[derive(Default)]
    struct Generations {
        recent: HashMap<RowKey, Arc<ProductRow>>,
        recent_bytes: usize,
        older: HashMap<RowKey, Arc<ProductRow>>,
    }

    impl Generations {
        fn insert(&mut self, key: RowKey, row: Arc<ProductRow>) {
            self.recent_bytes += weight(&key, &row);
            self.recent.insert(key, row);
            if self.recent_bytes > RowCache::BUDGET / 2 {
                self.older = std::mem::take(&mut self.recent);
                self.recent_bytes = 0;
            }
        }
    }

    /// About the bytes a kept row holds.
    fn weight(key: &RowKey, row: &ProductRow) -> usize {
        let text = key.1.len() + row.id.len() + row.name.len() + row.pricing.len() + row.templates.len();
        let regions: usize = row.regions.iter().map(|r| r.len() + std::mem::size_of::<String>()).sum();
        text + regions + std::mem::size_of::<(RowKey, ProductRow)>() + 64
    }

    impl RowCache {
        /// The bytes the rows may hold, both generations together.
        const BUDGET: usize = 32 << 20;

        /// The rows for every name, if all are kept.
        fn all(&self, names: &[RowName]) -> Option<Vec<ProductRow>> {
            let found = {
                let mut kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let mut key = (0, String::new(), 0);
                let mut found = Vec::with_capacity(names.len());
                for n in names {
                    key.0 = n.kind;
                    key.1.clear();
                    key.1.push_str(&n.id);
                    key.2 = n.version;
                    if let Some(row) = kept.recent.get(&key) {
                        found.push(row.clone());
                    } else if let Some(row) = kept.older.remove(&key) {
                        found.push(row.clone());
                        kept.insert(key.clone(), row);
                    } else {
                        return None;
                    }
                }
                found
            };
            Some(found.into_iter().map(Arc::unwrap_or_clone).collect())
        }

        fn keep(&self, rows: impl IntoIterator<Item = (RowKey, ProductRow)>) {
            let mut kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            for (key, row) in rows {
                kept.insert(key, Arc::new(row));
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn row(id: &str, regions: usize) -> ProductRow {
            ProductRow {
                status: ProductStatus::Draft,
                id: id.into(),
                name: "A draft".into(),
                pricing: "Charged".into(),
                templates: "Simple".into(),
                regions: vec!["r".repeat(32); regions],
                version: 1,
                can_set_free: false,
                vcpu: false,
            }
        }

        fn name(id: &str) -> RowName {
            RowName { kind: 3, id: id.into(), version: 1, at: 0 }
        }

        #[test]
        fn rows_read_often_stay_and_the_bytes_kept_are_bounded() {
            let cache = RowCache::default();
            cache.keep([((3, "often".to_owned(), 1), row("often", 1))]);
            // Rows of 16 KiB each, far more than the budget holds; the one read between
            // them keeps coming back into the recent generation.
            for i in 0..10_000 {
                let id = format!("big-{i}");
                cache.keep([((3, id.clone(), 1), row(&id, 320))]);
                assert!(cache.all(&[name("often")]).is_some(), "a row read often stays (after {i} others)");
            }
            let kept = cache.kept.lock().unwrap();
            let bytes: usize = kept.recent.iter().chain(kept.older.iter()).map(|(k, r)| weight(k, r)).sum();
            assert!(bytes <= RowCache::BUDGET + weight(&(3, "big-0".into(), 1), &row("big-0", 320)), "{bytes} bytes kept");
            drop(kept);
            assert!(cache.all(&[name("big-0")]).is_none(), "old rows go");
            assert!(cache.all(&[name("often"), name("big-9999")]).is_some());
        }
    }

    /// The three groups, one query: `columns` is what each gives besides its kind.
    fn listing(columns: [&str; 3]) -> String {
        let [product, request, draft] = columns;
        format!(
            "SELECT CAST(0 AS BIGINT) AS kind, {product} FROM products WHERE seller_id = $1 \
             UNION ALL \
             SELECT CAST(CASE WHEN status = $4 THEN 2 ELSE 1 END AS BIGINT), {request} \
             FROM release_requests WHERE seller_id = $1 AND status IN ($2, $3, $4) \
             UNION ALL \
             SELECT CAST(3 AS BIGINT), {draft} FROM drafts WHERE seller_id = $1"
        )
    }

    /// A row of a listing, as the list is ordered: by group (`kind`), newest first, then id.
    trait Listed {
        fn order(&self) -> (i64, i64, &str);
    }

    impl Listed for ListedRow {
        fn order(&self) -> (i64, i64, &str) {
            (self.kind, self.at, &self.id)
        }
    }

    impl Listed for RowName {
        fn order(&self) -> (i64, i64, &str) {
            (self.kind, self.at, &self.id)
        }
    }

    /// The seller's rows of listing `sql`, in My Products' order. They are put in that order
    /// here: ordered by the database, SQLite copied every row, content and all, into a
    /// temporary tree to sort it.
    async fn listed<T>(db: &Db, sql: &str, seller_id: &str) -> Result<Vec<T>, AppError>
    where
        T: Listed + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let [first_pending, second_pending] = RequestStatus::PENDING.map(RequestStatus::label);
        let mut found: Vec<T> = sqlx::query_as(sql)
            .bind(seller_id)
            .bind(first_pending)
            .bind(second_pending)
            .bind(RequestStatus::Rejected.label())
            .fetch_all(db)
            .await
            .context("listing products")?;
        found.sort_by(|a, b| {
            let ((a_kind, a_at, a_id), (b_kind, b_at, b_id)) = (a.order(), b.order());
            a_kind.cmp(&b_kind).then(b_at.cmp(&a_at)).then_with(|| a_id.cmp(b_id))
        });
        Ok(found)
    }

    /// Every product of the seller: released, in review, rejected, then drafts, each group
    /// newest first.
    ///
    /// The list is read without content first; when every row is kept (`RowCache`) that is
    /// all. Otherwise it is read again with content, and that reading is the answer.
    pub async fn rows(db: &Db, cache: &RowCache, seller_id: &str) -> Result<Vec<ProductRow>, AppError> {
        static NAMES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        static FULL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let names = NAMES.get_or_init(|| {
            listing(["id, version, listed_at AS at", "id, CAST(0 AS BIGINT), submitted_at", "id, version, updated_at"])
        });
        let named: Vec<RowName> = listed(db, names, seller_id).await?;
        if let Some(rows) = cache.all(&named) {
            return Ok(rows);
        }
        let full = FULL.get_or_init(|| {
            listing([
                "id, content, version, listed_at AS at",
                "id, content, CAST(0 AS BIGINT), submitted_at",
                "id, content, version, updated_at",
            ])
        });
        let found: Vec<ListedRow> = listed(db, full, seller_id).await?;
        let rows = found
            .into_iter()
            .map(|r| {
                let status = match r.kind {
                    0 => ProductStatus::Released,
                    1 => ProductStatus::InReview,
                    2 => ProductStatus::Rejected,
                    _ => ProductStatus::Draft,
                };
                // Drafts and submitted products are stored in one shape, the draft's.
                let content: ProductDraft = crate::store::from_json(&r.content, "product", &r.id)?;
                Ok(((r.kind, r.id.clone(), r.version), row(status, r.id, r.version, content)))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        cache.keep(rows.iter().cloned());
        Ok(rows.into_iter().map(|(_, row)| row).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{ProductRow, ProductStatus};

    #[test]
    fn a_row_travels_as_an_array_and_reads_back_the_same() {
        let row = ProductRow {
            status: ProductStatus::Released,
            id: "p-1".into(),
            name: "Hardened \"base\" image".into(),
            pricing: "Charged".into(),
            templates: "Simple".into(),
            regions: vec!["eu-dublin".into(), "eu-paris".into()],
            version: 3,
            can_set_free: false,
            vcpu: true,
        };
        let json = serde_json::to_string(&row).unwrap();
        assert_eq!(
            json,
            r#"["Released","p-1","Hardened \"base\" image","Charged","Simple",["eu-dublin","eu-paris"],3,false,true]"#
        );
        assert_eq!(serde_json::from_str::<ProductRow>(&json).unwrap(), row);
    }
}
