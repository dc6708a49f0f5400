//! My Products (SPEC section 5): every product of the seller, released, in review,
//! rejected or a draft, as one row each with what its More menu may offer.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::rules::{product::Product, release::ProductDraft};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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
/// stored). Drawn on the server only.
#[cfg(feature = "ssr")]
fn row(status: ProductStatus, id: String, version: i64, content: ProductDraft) -> ProductRow {
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
#[server(client = crate::page_account::PageAccountClient, endpoint = "products/mine", output = crate::codec::TextJson)]
pub async fn my_products() -> Result<Vec<ProductRow>, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    rows_ssr::rows(&caller.state.db, &caller.state.product_rows, &seller.id).await
}

#[cfg(feature = "ssr")]
pub mod rows_ssr {
    use crate::store::Context;
    use super::{row, ProductRow, ProductStatus};
    use crate::products::row_cache::RowCache;
    use crate::error::AppError;
    use crate::rules::release::ProductDraft;
    use crate::rules::request::RequestStatus;
    use crate::store::Db;


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
        if let Some(rows) = cache.all(named.iter().map(|n| (n.kind, n.id.as_str(), n.version))) {
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
