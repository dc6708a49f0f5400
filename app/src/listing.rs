//! The public marketplace site (R45, SPEC section 7): approved products, open to everyone.

use crate::error::AppError;
use crate::rules::product::Product;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A listed product as the home page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedProduct {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub category: String,
    pub seller_name: String,
    pub regions: Vec<String>,
    pub free: bool,
    pub listed_at: i64,
}

/// A listed product with everything its page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPage {
    pub product: ListedProduct,
    pub content: Product,
}

/// What the home page's search form asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductQuery {
    /// Words in the name, summary or category.
    pub text: String,
    /// Only products offered in this region.
    pub region: String,
}

/// The regions products can be offered in, as the operator configured them (for the
/// marketplace's filters, which are rendered on the server).
pub fn product_regions() -> Vec<String> {
    #[cfg(feature = "ssr")]
    {
        crate::state::state().map(|s| s.settings.catalog.regions.clone()).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Vec::new()
    }
}

#[server(endpoint = "products/list")]
pub async fn list_products(query: ProductQuery) -> Result<Vec<ListedProduct>, AppError> {
    let state = crate::state::state()?;
    if query.text.len() > 200 || query.region.len() > 100 {
        return Err(AppError::BadRequest("The search is too long.".into()));
    }
    let products = ssr::all(&state.db).await?;
    Ok(products.into_iter().map(|(p, _)| p).filter(|p| query.matches(p)).collect())
}

#[server(endpoint = "products/get")]
pub async fn load_product(id: String) -> Result<ProductPage, AppError> {
    let state = crate::state::state()?;
    ssr::one(&state.db, &id).await
}

impl ProductQuery {
    pub fn matches(&self, product: &ListedProduct) -> bool {
        let text = self.text.trim().to_lowercase();
        let words_match = text.split_whitespace().all(|word| {
            [&product.name, &product.summary, &product.category, &product.seller_name]
                .iter()
                .any(|field| field.to_lowercase().contains(word))
        });
        let region = self.region.trim();
        words_match && (region.is_empty() || product.regions.iter().any(|r| r == region))
    }
}

/// The listing fields of a product.
pub fn listed(id: String, seller_name: String, listed_at: i64, product: &Product) -> ListedProduct {
    ListedProduct {
        id,
        name: product.name.clone(),
        summary: product.summary.clone(),
        category: product.category.clone(),
        seller_name,
        regions: product.regions(),
        free: product.is_free(),
        listed_at,
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::store::Context;
    use super::{listed, ListedProduct, ProductPage};
    use crate::error::AppError;
    use crate::rules::product::Product;
    use crate::store::{from_json, Db};

    const SELECT: &str = "SELECT p.id, p.content, p.listed_at, a.display_name AS seller_name FROM products p \
        JOIN accounts a ON a.id = p.seller_id";

    #[derive(sqlx::FromRow)]
    struct ListedRow {
        id: String,
        content: String,
        listed_at: i64,
        seller_name: String,
    }

    impl ListedRow {
        fn read(self) -> Result<(ListedProduct, Product), AppError> {
            let content: Product = from_json(&self.content, "product", &self.id)?;
            Ok((listed(self.id, self.seller_name, self.listed_at, &content), content))
        }
    }

    /// Every listed product, newest first.
    pub async fn all(db: &Db) -> Result<Vec<(ListedProduct, Product)>, AppError> {
        let rows: Vec<ListedRow> =
            sqlx::query_as(&format!("{SELECT} ORDER BY p.listed_at DESC, p.id")).fetch_all(db).await.context("listing products")?;
        rows.into_iter().map(ListedRow::read).collect()
    }

    pub async fn one(db: &Db, id: &str) -> Result<ProductPage, AppError> {
        let row: ListedRow = sqlx::query_as(&format!("{SELECT} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(db)
            .await
            .context("loading a product")?
            .ok_or_else(|| AppError::NotFound("The product".into()))?;
        let (product, content) = row.read()?;
        Ok(ProductPage { product, content })
    }

    /// Names of a seller's listed products (R15: a new product may not take one).
    pub async fn names_of(db: &Db, seller_id: &str) -> Result<Vec<String>, AppError> {
        sqlx::query_scalar("SELECT name FROM products WHERE seller_id = $1")
            .bind(seller_id)
            .fetch_all(db)
            .await
            .context("listing a seller's product names")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r45_the_search_matches_words_and_region() {
        let product = ListedProduct {
            id: "p".into(),
            name: "Hardened Rocky".into(),
            summary: "A secure base".into(),
            category: "Security".into(),
            seller_name: "Contoso".into(),
            regions: vec!["eu-dublin".into(), "eu-paris".into()],
            free: false,
            listed_at: 0,
        };
        let q = |text: &str, region: &str| ProductQuery { text: text.into(), region: region.into() };
        assert!(q("", "").matches(&product));
        assert!(q("rocky secure", "eu-paris").matches(&product));
        assert!(q("CONTOSO", "").matches(&product));
        assert!(!q("rocky windows", "").matches(&product));
        assert!(!q("", "ap-singapore").matches(&product));
    }
}
