//! The public marketplace site (R45, SPEC section 7): approved products, open to everyone.

use crate::error::AppError;
use crate::rules::price::Price;
use crate::rules::product::Product;
use crate::rules::release::BillingMode;
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
    /// The lowest price in cents per billing mode (indexed as [`BillingMode::ALL`]); `None`
    /// where the product does not offer that mode.
    pub lowest_cents: [Option<i64>; 3],
    pub listed_at: i64,
}

impl ListedProduct {
    /// What the product costs at the least, as its card says: "Free", or "from $X / month"
    /// in `preferred` billing mode when offered, else in the first mode it is offered in.
    pub fn price_from(&self, preferred: BillingMode) -> String {
        if self.free {
            return "Free".into();
        }
        let index = |mode: BillingMode| BillingMode::ALL.iter().position(|m| *m == mode).unwrap_or(0);
        let order = [index(preferred), 1, 0, 2];
        order
            .iter()
            .find_map(|&m| self.lowest_cents[m].map(|cents| (m, cents)))
            .map(|(m, cents)| format!("from ${} / {}", Price::from_cents(cents), BillingMode::ALL[m].unit()))
            .unwrap_or_default()
    }
}

/// A listed product with everything its page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPage {
    pub product: ListedProduct,
    pub content: Product,
}

/// The home page's search form, as the browser sends it (a plain GET form: every field is
/// text, and anything may be in it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductQuery {
    /// Words in the name, summary, category, seller or description.
    #[serde(default)]
    pub text: String,
    /// Only products offered in this region.
    #[serde(default)]
    pub region: String,
    /// `free`, `charged`, or empty for both.
    #[serde(default)]
    pub mode: String,
    /// The billing mode the price range and price sort are about (a [`BillingMode::key`]).
    #[serde(default)]
    pub billing: String,
    /// The lowest price a product is offered at, in USD: at least `min`, at most `max`.
    #[serde(default)]
    pub min: String,
    #[serde(default)]
    pub max: String,
    /// `relevance`, `newest` or `price`; empty: relevance when there are words, else newest.
    #[serde(default)]
    pub sort: String,
    /// The page of results, from 1.
    #[serde(default)]
    pub page: String,
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Relevance,
    Newest,
    Price,
}

/// A search the server can run: [`ProductQuery`] read and bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// Lower-case words of letters and digits, at most [`MAX_WORDS`].
    pub words: Vec<String>,
    pub region: Option<String>,
    pub free: Option<bool>,
    pub billing: BillingMode,
    pub min: Option<Price>,
    pub max: Option<Price>,
    pub sort: Sort,
    pub page: u32,
}

/// Products on one page of results.
pub const PAGE_SIZE: u32 = 24;
/// The deepest page a search shows; past it, the seller is asked to narrow the search.
pub const MAX_PAGE: u32 = 100;
/// Words of a search beyond this many are ignored.
pub const MAX_WORDS: usize = 8;

impl ProductQuery {
    /// The search this form asks for, or what is wrong with it in words a visitor reads.
    pub fn search(&self) -> Result<Search, String> {
        let too_long = [&self.text, &self.region, &self.mode, &self.billing, &self.min, &self.max, &self.sort, &self.page]
            .iter()
            .any(|field| field.len() > 200);
        if too_long {
            return Err("The search is too long.".into());
        }
        let words: Vec<String> = words(&self.text).map(|w| w.chars().take(40).collect()).take(MAX_WORDS).collect();
        let region = Some(self.region.trim().to_owned()).filter(|r| !r.is_empty());
        let free = match self.mode.trim() {
            "" => None,
            "free" => Some(true),
            "charged" => Some(false),
            _ => return Err("Choose Free image, Charged or any pricing mode.".into()),
        };
        let billing = match self.billing.trim() {
            "" => BillingMode::Monthly,
            key => BillingMode::ALL.into_iter().find(|b| b.key() == key).ok_or("Choose a billing mode for the price.")?,
        };
        let price = |text: &str, which: &str| -> Result<Option<Price>, String> {
            match text.trim() {
                "" => Ok(None),
                t => Price::parse(t).map(Some).map_err(|e| format!("The {which} price: {}", e.message())),
            }
        };
        let (min, max) = (price(&self.min, "lowest")?, price(&self.max, "highest")?);
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                return Err("The lowest price is above the highest price.".into());
            }
        }
        let sort = match self.sort.trim() {
            "" if words.is_empty() => Sort::Newest,
            "" | "relevance" => Sort::Relevance,
            "newest" => Sort::Newest,
            "price" => Sort::Price,
            _ => return Err("Sort by relevance, newest or price.".into()),
        };
        // Relevance needs words to weigh; without them the newest come first.
        let sort = if sort == Sort::Relevance && words.is_empty() { Sort::Newest } else { sort };
        let page = match self.page.trim() {
            "" => 1,
            p => p.parse::<u32>().ok().filter(|p| (1..=MAX_PAGE).contains(p)).ok_or(format!("Pages go from 1 to {MAX_PAGE}; narrow the search to see more."))?,
        };
        Ok(Search { words, region, free, billing, min, max, sort, page })
    }

    /// Whether any filter narrows the list (for the empty state's words): a price sort lists
    /// only the products offered in its billing mode.
    pub fn filtered(&self) -> bool {
        [&self.text, &self.region, &self.mode, &self.min, &self.max].iter().any(|f| !f.trim().is_empty())
            || self.sort.trim() == "price"
    }

    /// This query's link for another page of results.
    pub fn page_link(&self, page: u32) -> String {
        let pairs = [
            ("q", self.text.as_str()),
            ("region", &self.region),
            ("mode", &self.mode),
            ("billing", &self.billing),
            ("min", &self.min),
            ("max", &self.max),
            ("sort", &self.sort),
        ];
        let mut link = String::from("/?");
        for (name, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            link.push_str(&format!("{name}={}&", encode(value)));
        }
        link.push_str(&format!("page={page}"));
        link
    }
}

/// Text as the search sees it, in a search and in what is searched: lower-case words of
/// letters and digits, split at everything else ("Node.js 22.04" is node, js, 22, 04).
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// A value percent-encoded for a query string: letters, digits and `-._~` as they are.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One page of a search's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductResults {
    pub products: Vec<ListedProduct>,
    pub page: u32,
    /// Whether a next page has products.
    pub more: bool,
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
pub async fn list_products(query: ProductQuery) -> Result<ProductResults, AppError> {
    let state = crate::state::state()?;
    let search = query.search().map_err(AppError::BadRequest)?;
    ssr::search(&state.db, &search).await
}

#[server(endpoint = "products/get")]
pub async fn load_product(id: String) -> Result<ProductPage, AppError> {
    let state = crate::state::state()?;
    ssr::one(&state.db, &id).await
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
        lowest_cents: product.lowest_prices().map(|p| p.map(Price::cents)),
        listed_at,
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{listed, ListedProduct, ProductPage, ProductResults, Search, Sort, PAGE_SIZE};
    use crate::error::AppError;
    use crate::rules::product::Product;
    use crate::rules::release::BillingMode;
    use crate::store::{backend, from_json, Backend, Context, Db};
    use sqlx::AnyConnection;

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

    /// Lists `product` on the marketplace: the product row, approved from `request_id`, and
    /// what the search reads of it, in `conn`'s transaction.
    pub async fn list(
        conn: &mut AnyConnection,
        product_id: &str,
        seller_id: &str,
        request_id: &str,
        product: &Product,
        listed_at: i64,
    ) -> Result<(), AppError> {
        sqlx::query("INSERT INTO products (id, seller_id, request_id, name, content, listed_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(product_id)
            .bind(seller_id)
            .bind(request_id)
            .bind(&product.name)
            .bind(crate::store::to_json(product, "product")?)
            .bind(listed_at)
            .execute(&mut *conn)
            .await
            .context("listing an approved product")?;
        index(conn, product_id, product).await
    }

    /// Writes what the marketplace's search reads of product `id`: its words, regions,
    /// pricing mode and lowest prices. Called in the transaction that lists or changes it.
    pub async fn index(conn: &mut AnyConnection, id: &str, product: &Product) -> Result<(), AppError> {
        let kind = backend_of(conn);
        let lowest = product.lowest_prices().map(|p| p.map(|p| p.cents()));
        sqlx::query(
            "UPDATE products SET free = $1, from_pay_per_use = $2, from_monthly = $3, from_yearly = $4, indexed_version = version \
             WHERE id = $5",
        )
        .bind(product.is_free() as i64)
        .bind(lowest[0])
        .bind(lowest[1])
        .bind(lowest[2])
        .bind(id)
        .execute(&mut *conn)
        .await
        .context("indexing a product's prices")?;
        sqlx::query("DELETE FROM product_regions WHERE product_id = $1").bind(id).execute(&mut *conn).await.context("indexing a product's regions")?;
        for region in product.regions() {
            sqlx::query("INSERT INTO product_regions (region, product_id) VALUES ($1, $2)")
                .bind(region)
                .bind(id)
                .execute(&mut *conn)
                .await
                .context("indexing a product's regions")?;
        }
        let seller: String = sqlx::query_scalar("SELECT a.display_name FROM products p JOIN accounts a ON a.id = p.seller_id WHERE p.id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await
            .context("indexing a product's words")?;
        // PostgreSQL's parser keeps "22.04" or "node.js" whole; the search splits them, so the
        // document is given the words as the search sees them. FTS5 splits the same way itself.
        let text = |t: &str| match kind {
            Backend::Sqlite => t.to_owned(),
            Backend::Postgres => super::words(t).collect::<Vec<_>>().join(" "),
        };
        let (a, b, c, d, e) = (text(&product.name), text(&product.summary), text(&product.category), text(&seller), text(&product.description));
        match kind {
            Backend::Sqlite => {
                sqlx::query(
                    "UPDATE products SET search_key = (SELECT COALESCE(MAX(search_key), 0) + 1 FROM products) \
                     WHERE id = $1 AND search_key IS NULL",
                )
                .bind(id)
                .execute(&mut *conn)
                .await
                .context("indexing a product's words")?;
                sqlx::query("DELETE FROM product_search WHERE rowid = (SELECT search_key FROM products WHERE id = $1)")
                    .bind(id)
                    .execute(&mut *conn)
                    .await
                    .context("indexing a product's words")?;
                sqlx::query(
                    "INSERT INTO product_search (rowid, name, summary, category, seller, description) \
                     SELECT search_key, $1, $2, $3, $4, $5 FROM products WHERE id = $6",
                )
                .bind(&a).bind(&b).bind(&c).bind(&d).bind(&e).bind(id)
                .execute(&mut *conn)
                .await
                .context("indexing a product's words")?;
            }
            Backend::Postgres => {
                sqlx::query(
                    "INSERT INTO product_search (product_id, document) VALUES ($6, \
                     setweight(to_tsvector('simple', $1), 'A') || \
                     setweight(to_tsvector('simple', $2 || ' ' || $3 || ' ' || $4), 'B') || \
                     setweight(to_tsvector('simple', $5), 'C')) \
                     ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document",
                )
                .bind(&a).bind(&b).bind(&c).bind(&d).bind(&e).bind(id)
                .execute(&mut *conn)
                .await
                .context("indexing a product's words")?;
            }
        }
        Ok(())
    }

    fn backend_of(conn: &AnyConnection) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// Indexes every product whose index was written for another version than its own: the
    /// products listed before the search index existed, or changed by a server that did not
    /// index them (during a rolling upgrade). Run at start-up, after the migrations. Rows are
    /// read locked, in the transaction that indexes them and in id order (PostgreSQL: `FOR
    /// UPDATE`; SQLite: the write lock taken first), so a change committed meanwhile cannot
    /// leave an older content's index marked current, and servers starting together wait
    /// for each other. A product whose stored content does not read is logged and skipped,
    /// never a failed start.
    pub async fn index_unindexed(db: &Db) -> Result<(), AppError> {
        let kind = backend(db);
        let mut after = String::new();
        loop {
            let mut tx = db.begin().await.context("starting to index products")?;
            if kind == Backend::Sqlite {
                sqlx::query("UPDATE products SET version = version WHERE id = ''").execute(&mut *tx).await.context("locking products to index")?;
            }
            let lock = if kind == Backend::Postgres { " FOR UPDATE" } else { "" };
            let rows: Vec<(String, String)> = sqlx::query_as(&format!(
                "SELECT id, content FROM products WHERE (indexed_version IS NULL OR indexed_version <> version) AND id > $1 \
                 ORDER BY id LIMIT 200{lock}"
            ))
            .bind(&after)
            .fetch_all(&mut *tx)
            .await
            .context("finding products to index")?;
            let Some((last, _)) = rows.last() else { return Ok(()) };
            after = last.clone();
            for (id, content) in rows {
                match from_json::<Product>(&content, "product", &id) {
                    Ok(product) => index(&mut tx, &id, &product).await?,
                    Err(_) => tracing::error!(%id, "a listed product was left out of the search: its content does not read"),
                }
            }
            tx.commit().await.context("indexing products")?;
        }
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

    fn query(pairs: &[(&str, &str)]) -> ProductQuery {
        let mut q = ProductQuery::default();
        for (name, value) in pairs {
            let field = match *name {
                "text" => &mut q.text,
                "region" => &mut q.region,
                "mode" => &mut q.mode,
                "billing" => &mut q.billing,
                "min" => &mut q.min,
                "max" => &mut q.max,
                "sort" => &mut q.sort,
                "page" => &mut q.page,
                other => panic!("no field {other}"),
            };
            *field = value.to_string();
        }
        q
    }

    #[test]
    fn r45_a_search_is_read_into_words_filters_a_sort_and_a_page() {
        let s = query(&[("text", "Rocky  \"hardened\" OR*"), ("region", "eu-paris"), ("mode", "charged"), ("min", "10"), ("max", "$50.5")]).search().unwrap();
        assert_eq!(s.words, ["rocky", "hardened", "or"], "only letters and digits reach the full-text query");
        assert_eq!(s.region.as_deref(), Some("eu-paris"));
        assert_eq!(s.free, Some(false));
        assert_eq!(s.billing, BillingMode::Monthly, "prices are monthly unless another mode is chosen");
        assert_eq!((s.min.map(Price::cents), s.max.map(Price::cents)), (Some(1000), Some(5050)));
        assert_eq!((s.sort, s.page), (Sort::Relevance, 1), "words sort by relevance");
        let plain = query(&[]).search().unwrap();
        assert_eq!((plain.sort, plain.free, plain.min), (Sort::Newest, None, None), "no words: the newest first");
        assert_eq!(query(&[("sort", "relevance")]).search().unwrap().sort, Sort::Newest, "relevance needs words");
        assert_eq!(query(&[("sort", "price"), ("billing", "yearly"), ("page", "3")]).search().unwrap().page, 3);
        assert_eq!(query(&[("text", &"word ".repeat(20))]).search().unwrap().words.len(), MAX_WORDS);
    }

    #[test]
    fn r45_a_search_that_cannot_be_run_says_why() {
        for (pairs, says) in [
            (vec![("min", "ten")], "lowest price"),
            (vec![("max", "1.234")], "highest price"),
            (vec![("min", "50"), ("max", "10")], "above the highest"),
            (vec![("mode", "cheap")], "pricing mode"),
            (vec![("billing", "weekly")], "billing mode"),
            (vec![("sort", "random")], "Sort by"),
            (vec![("page", "0")], "Pages go"),
            (vec![("page", "101")], "Pages go"),
        ] {
            let error = query(&pairs).search().unwrap_err();
            assert!(error.contains(says), "{pairs:?}: {error}");
        }
        assert!(query(&[("text", &"x".repeat(201))]).search().is_err());
    }

    #[test]
    fn a_card_says_the_lowest_price_in_the_mode_asked_for_or_the_first_offered() {
        let product = ListedProduct {
            id: "p".into(),
            name: "Hardened Rocky".into(),
            summary: String::new(),
            category: String::new(),
            seller_name: String::new(),
            regions: vec![],
            free: false,
            lowest_cents: [Some(12), None, Some(50_000)],
            listed_at: 0,
        };
        assert_eq!(product.price_from(BillingMode::Monthly), "from $0.12 / hour", "no monthly price: the hourly one");
        assert_eq!(product.price_from(BillingMode::Yearly), "from $500.00 / year");
        assert_eq!(ListedProduct { free: true, ..product }.price_from(BillingMode::Monthly), "Free");
    }

    #[test]
    fn a_page_link_keeps_the_search_and_encodes_it() {
        let q = query(&[("text", "a&b c"), ("region", "eu-paris"), ("sort", "price")]);
        assert_eq!(q.page_link(2), "/?q=a%26b%20c&region=eu-paris&sort=price&page=2");
    }
}
