//! Reading the marketplace: one page of a search through the indexes made for it (full
//! text, regions, lowest prices), and one product.

use super::{listed, ListedProduct, ProductPage, ProductResults, Search, Sort, PAGE_SIZE};
use crate::error::AppError;
use crate::rules::product::Product;
use crate::rules::release::BillingMode;
use crate::store::{backend, from_json, Backend, Context, Db};

const COLUMNS: &str = "p.id, p.content, p.listed_at, a.display_name AS seller_name";

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

/// The column holding the lowest price of `billing` (a fixed name, never input).
fn price_column(billing: BillingMode) -> &'static str {
    match billing {
        BillingMode::PayPerUse => "p.from_pay_per_use",
        BillingMode::Monthly => "p.from_monthly",
        BillingMode::Yearly => "p.from_yearly",
    }
}

/// A value bound to a numbered parameter.
enum Value {
    Text(String),
    Int(i64),
}

/// The words as each backend's full-text query: every word must be there, the last as a
/// word or the start of one (the word being typed), the others whole. Words hold only
/// letters and digits, so they carry no syntax.
fn text_query(kind: Backend, words: &[String]) -> String {
    let last = words.len().saturating_sub(1);
    // A last word of one letter is taken whole: as a prefix it would match most of the catalogue.
    let term = |(n, w): (usize, &String)| match (kind, n == last && w.chars().count() > 1) {
        (Backend::Sqlite, true) => format!("\"{w}\"*"),
        (Backend::Sqlite, false) => format!("\"{w}\""),
        (Backend::Postgres, true) => format!("{w}:*"),
        (Backend::Postgres, false) => w.clone(),
    };
    let terms = words.iter().enumerate().map(term).collect::<Vec<_>>();
    terms.join(if kind == Backend::Sqlite { " " } else { " & " })
}

/// The statement and its values for one page of `search` (one row more than a page, to
/// know whether another page follows). The inner query finds and orders the page's ids
/// from the indexes, carrying only its sort keys; the outer one reads those rows whole.
fn statement(kind: Backend, search: &Search) -> (String, Vec<Value>) {
    let mut values = Vec::new();
    let mut param = |v: Value| {
        values.push(v);
        format!("${}", values.len())
    };
    let mut conditions = Vec::new();
    let (from, rank) = if search.words.is_empty() {
        ("products p".to_owned(), "0".to_owned())
    } else {
        let query = param(Value::Text(text_query(kind, &search.words)));
        match kind {
            Backend::Sqlite => {
                conditions.push(format!("product_search MATCH {query}"));
                // The name weighs most, then summary, category and seller, then the description.
                ("product_search s JOIN products p ON p.search_key = s.rowid".to_owned(), "bm25(product_search, 10.0, 4.0, 3.0, 3.0, 1.0)".to_owned())
            }
            Backend::Postgres => {
                conditions.push(format!("s.document @@ to_tsquery('simple', {query})"));
                ("product_search s JOIN products p ON p.id = s.product_id".to_owned(), format!("-ts_rank(s.document, to_tsquery('simple', {query}))"))
            }
        }
    };
    if let Some(region) = &search.region {
        let region = param(Value::Text(region.clone()));
        conditions.push(format!("EXISTS (SELECT 1 FROM product_regions r WHERE r.region = {region} AND r.product_id = p.id)"));
    }
    if let Some(free) = search.free {
        conditions.push(format!("p.free = {}", param(Value::Int(free as i64))));
    }
    let price = price_column(search.billing);
    if search.sort == Sort::Price {
        // Sorted by the price of one billing mode, the products offered in it are listed
        // (the mode's price index gives them in order).
        conditions.push(format!("{price} IS NOT NULL"));
    }
    // A price range in another order than by price: SQLite is told (`+`) to read the
    // range while walking the order's index, rather than sort a wide range of prices.
    let bounded = if search.sort != Sort::Price && kind == Backend::Sqlite { format!("+{price}") } else { price.to_owned() };
    if let Some(min) = search.min {
        conditions.push(format!("{bounded} >= {}", param(Value::Int(min.cents()))));
    }
    if let Some(max) = search.max {
        conditions.push(format!("{bounded} <= {}", param(Value::Int(max.cents()))));
    }
    let filter = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    let order = |rank: &str, price: &str, listed: &str, id: &str| match search.sort {
        Sort::Relevance if !search.words.is_empty() => format!("{rank}, {listed} DESC, {id}"),
        Sort::Relevance | Sort::Newest => format!("{listed} DESC, {id}"),
        Sort::Price => format!("{price}, {listed} DESC, {id}"),
    };
    let offset = i64::from(search.page - 1) * i64::from(PAGE_SIZE);
    let sql = format!(
        "SELECT {COLUMNS} FROM (SELECT p.id AS id, {rank} AS rank, {price} AS price, p.listed_at AS listed_at FROM {from}{filter} \
         ORDER BY {} LIMIT {} OFFSET {offset}) k JOIN products p ON p.id = k.id JOIN accounts a ON a.id = p.seller_id ORDER BY {}",
        order(&rank, price, "p.listed_at", "p.id"),
        PAGE_SIZE + 1,
        order("k.rank", "k.price", "k.listed_at", "k.id"),
    );
    (sql, values)
}

/// One page of listed products matching `search`, through the indexes made for it.
pub async fn search(db: &Db, search: &Search) -> Result<ProductResults, AppError> {
    let kind = backend(db);
    let (sql, values) = statement(kind, search);
    // PostgreSQL plans a search by words for its words and filters each time: a prepared
    // statement's generic plan, made without them, read tens of thousands of rows.
    let replan = kind == Backend::Postgres && !search.words.is_empty();
    let mut query = sqlx::query_as::<_, ListedRow>(&sql).persistent(!replan);
    for value in values {
        query = match value {
            Value::Text(t) => query.bind(t),
            Value::Int(i) => query.bind(i),
        };
    }
    let mut rows = query.fetch_all(db).await.context("searching listed products")?;
    let more = rows.len() > PAGE_SIZE as usize;
    rows.truncate(PAGE_SIZE as usize);
    let products = rows.into_iter().map(|r| r.read().map(|(p, _)| p)).collect::<Result<_, _>>()?;
    Ok(ProductResults { products, page: search.page, more })
}

/// The query plan of `search`'s statement, as the database describes it (benchmarks).
pub async fn plan(db: &Db, search: &Search) -> Result<Vec<String>, sqlx::Error> {
    use sqlx::Row;
    let kind = backend(db);
    let (sql, values) = statement(kind, search);
    let explain = match kind {
        Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        Backend::Postgres => format!("EXPLAIN {sql}"),
    };
    let mut query = sqlx::query(&explain);
    for value in values {
        query = match value {
            Value::Text(t) => query.bind(t),
            Value::Int(i) => query.bind(i),
        };
    }
    let rows = query.fetch_all(db).await?;
    Ok(rows
        .iter()
        .map(|row| match kind {
            Backend::Sqlite => row.try_get::<String, _>("detail").unwrap_or_default(),
            Backend::Postgres => row.try_get::<String, _>(0).unwrap_or_default(),
        })
        .collect())
}

pub async fn one(db: &Db, id: &str) -> Result<ProductPage, AppError> {
    let row: ListedRow = sqlx::query_as(&format!("SELECT {COLUMNS} FROM products p JOIN accounts a ON a.id = p.seller_id WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
        .context("loading a product")?
        .ok_or_else(|| AppError::NotFound("The product".into()))?;
    let (product, content) = row.read()?;
    Ok(ProductPage { product, content })
}
