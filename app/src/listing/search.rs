//! Reading the marketplace: one page of a search through the indexes made for it (full
//! text, regions, lowest prices), and one product.

use super::{listed, ListedProduct, ProductPage, ProductResults, Search, Sort, PAGE_SIZE};
use crate::error::AppError;
use crate::rules::product::Product;
use crate::rules::release::BillingMode;
use crate::store::{backend, from_json, Backend, Context, Db};
use sqlx::any::AnyArguments;
use sqlx::Arguments;

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

/// `values` as a statement's arguments.
fn arguments(values: Vec<Value>) -> Result<AnyArguments<'static>, AppError> {
    let mut arguments = AnyArguments::default();
    for value in values {
        match value {
            Value::Text(t) => arguments.add(t),
            Value::Int(i) => arguments.add(i),
        }
        .map_err(|error| crate::store::failure(sqlx::Error::Encode(error), "binding a search's values"))?;
    }
    Ok(arguments)
}

/// The words as a backend's full-text query: every word must be there, the last as a word
/// or the start of one (the word being typed; `completions` are the indexed words it
/// starts, when they were looked up), the others whole. Words hold only letters and
/// digits, so they carry no syntax.
fn text_query(kind: Backend, words: &[String], completions: &Option<Vec<String>>) -> String {
    let last = words.len().saturating_sub(1);
    let whole = |w: &str| match kind {
        Backend::Sqlite => format!("\"{w}\""),
        Backend::Postgres => w.to_owned(),
    };
    let term = |(n, w): (usize, &String)| match completions {
        Some(terms) if n == last => {
            let any = terms.iter().map(|t| whole(t)).collect::<Vec<_>>();
            format!("({})", any.join(if kind == Backend::Sqlite { " OR " } else { " | " }))
        }
        // A last word of one letter is taken whole: as a prefix it would match most of the catalogue.
        _ if n == last && w.chars().count() > 1 => match kind {
            Backend::Sqlite => format!("\"{w}\"*"),
            Backend::Postgres => format!("{w}:*"),
        },
        _ => whole(w),
    };
    let terms = words.iter().enumerate().map(term).collect::<Vec<_>>();
    terms.join(if kind == Backend::Sqlite { " AND " } else { " & " })
}

/// The words as a query of PostgreSQL's `names` (see `index::name_terms`): every word in the
/// name, read as pairs of words wherever there are two. The whole words are ordered, and each
/// two neighbours must be a pair of the name; the last word, when its `completions` were
/// looked up, must be one of them, paired with the first whole word (or alone, when there
/// is none or it is that word); typed as a prefix, it is read alone (`'postg':*`). One whole
/// word and no completions: that word alone.
fn names_query(words: &[String], completions: &Option<Vec<String>>) -> String {
    use super::index::{name_term, pair_term};
    let Some((last, others)) = words.split_last() else { return String::new() };
    // The last word as the start of a word: its completions, or itself as a prefix; one letter is a whole word.
    let typed = completions.is_some() || last.chars().count() > 1;
    let mut whole: Vec<String> = others.iter().chain((!typed).then_some(last)).map(|w| super::index::term(Backend::Postgres, w)).collect();
    whole.sort_unstable();
    whole.dedup();
    let mut terms: Vec<String> = whole.windows(2).map(|p| pair_term(&p[0], &p[1])).collect();
    match (completions, whole.first()) {
        (Some(terms_of_last), first) => {
            let any = terms_of_last
                .iter()
                .map(|t| match first {
                    Some(first) if !whole.contains(t) => pair_term(first, t),
                    _ => name_term(t),
                })
                .collect::<Vec<_>>();
            terms.push(format!("({})", any.join(" | ")));
        }
        (None, first) => {
            if let (Some(first), 1) = (first, whole.len()) {
                terms.push(name_term(first));
            }
            if typed {
                terms.push(format!("{}:*", name_term(last)));
            }
        }
    }
    terms.join(" & ")
}

/// At most this many indexed words stand for a word being typed; a word that starts more is
/// searched as a prefix.
const COMPLETIONS: i64 = 16;

/// The indexed words the last word starts, when there are few: FTS5 reads a few whole
/// words in the order of its keys and stops at a page, but reads every product with a
/// prefix before it can order one; PostgreSQL's index finds a few whole words several
/// times faster than a prefix. Prefixes of one to three letters are searched as they are
/// (FTS5 has a prefix index for them, and they start too many words).
async fn completions(db: &Db, search: &Search) -> Result<Option<Vec<String>>, AppError> {
    let Some(last) = search.words.last().filter(|w| w.chars().count() > 3) else { return Ok(None) };
    let last = super::index::term(backend(db), last);
    let terms: Vec<String> =
        sqlx::query_scalar("SELECT term FROM search_terms WHERE term >= $1 AND term < $2 ORDER BY term LIMIT $3")
            .bind(&last)
            .bind(format!("{last}\u{10FFFF}"))
            .bind(COMPLETIONS + 1)
            .fetch_all(db)
            .await
            .context("completing a search word")?;
    // A term kept cut may stand for longer words, which only the prefix finds.
    let cut = terms.iter().any(|t| t.chars().count() >= super::index::TERM_CHARS);
    Ok((!terms.is_empty() && terms.len() as i64 <= COMPLETIONS && !cut).then_some(terms))
}

/// Which of the products with the words one statement reads. Sorted by best match, the
/// products with every word in their name come first, then the others, newest first in
/// each; a score for every product found (bm25, ts_rank) had to read them all. The two
/// parts are read one after the other, and reading stops at a page: SQLite reads each in
/// its full-text index's own order; PostgreSQL walks the products newest first and checks
/// each one's document (a common word), or finds the few matches through the GIN index
/// and sorts them (a rare one), as its statistics say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Every word in the name.
    Names,
    /// The words, not all in the name.
    Others,
    /// All products with the words.
    All,
}

/// The words of a search as the backend's full-text query, and on PostgreSQL as the query
/// of `names` (`names_query`).
struct Words(String, String);

/// The statement and its values for products `offset..offset + limit` of `part` of
/// `search`. On SQLite the inner query finds and orders the page's ids from the indexes,
/// carrying only its sort keys, and the outer one reads those rows whole; PostgreSQL reads
/// the rows whole as it finds them (they are the rows it checks), in one table, which it
/// plans several times faster than the join.
fn statement(kind: Backend, search: &Search, words: Option<(&Words, Part)>, offset: i64, limit: i64) -> (String, Vec<Value>) {
    let mut values = Vec::new();
    let mut param = |v: Value| {
        values.push(v);
        format!("${}", values.len())
    };
    let mut conditions = Vec::new();
    // `key`: SQLite's full-text key, given to products in the order they were listed: it
    // orders them instead of their listing time.
    let (from, key) = match (words, kind) {
        (None, _) => ("products p", None),
        (Some((words, part)), Backend::Sqlite) => {
            let query = match part {
                Part::Names => format!("{{name}} : ({})", words.0),
                Part::Others => format!("({0}) NOT {{name}} : ({0})", words.0),
                Part::All => words.0.clone(),
            };
            conditions.push(format!("product_search MATCH {}", param(Value::Text(query))));
            ("product_search s JOIN products p ON p.search_key = s.rowid", Some("s.rowid".to_owned()))
        }
        (Some((words, part)), Backend::Postgres) => {
            // `names` holds the name's words and their pairs, `document` all the words; both
            // hold the regions.
            let column = match part {
                Part::Names => "p.names",
                Part::Others | Part::All => "p.document",
            };
            if part == Part::Names {
                conditions.push(format!("p.names @@ {}::tsquery", param(Value::Text(words.1.clone()))));
            } else {
                conditions.push(format!("p.document @@ to_tsquery('simple', {})", param(Value::Text(words.0.clone()))));
            }
            if part == Part::Others {
                conditions.push(format!("NOT p.names @@ {}::tsquery", param(Value::Text(words.1.clone()))));
            }
            if let Some(region) = &search.region {
                conditions.push(format!("{column} @@ {}::tsquery", param(Value::Text(super::index::region_term(region)))));
            }
            ("products p", None)
        }
    };
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
    // Last: the columns above are read from the index a search walks, the region from a
    // table of its own (but from the full-text index in PostgreSQL's searches by words).
    if let Some(region) = search.region.as_ref().filter(|_| words.is_none() || kind == Backend::Sqlite) {
        let region = param(Value::Text(region.clone()));
        conditions.push(format!("EXISTS (SELECT 1 FROM product_regions r WHERE r.region = {region} AND r.product_id = p.id)"));
    }
    let filter = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    let order = |key: Option<&str>, price: &str, listed: &str, id: &str| match (search.sort, key) {
        (Sort::Price, _) => format!("{price}, {listed} DESC, {id}"),
        // SQLite's key is unique and follows the listing: it is the whole order.
        (_, Some(key)) => format!("{key} DESC"),
        (_, None) => format!("{listed} DESC, {id}"),
    };
    let sql = match kind {
        Backend::Sqlite => format!(
            "SELECT {COLUMNS} FROM (SELECT p.id AS id, {} AS key, {price} AS price, p.listed_at AS listed_at FROM {from}{filter} \
             ORDER BY {} LIMIT {limit} OFFSET {offset}) k JOIN products p ON p.id = k.id JOIN accounts a ON a.id = p.seller_id ORDER BY {}",
            key.as_deref().unwrap_or("0"),
            order(key.as_deref(), price, "p.listed_at", "p.id"),
            order(key.as_ref().map(|_| "k.key"), "k.price", "k.listed_at", "k.id"),
        ),
        // The seller's name is looked up for the page's rows only, after the sort.
        Backend::Postgres => format!(
            "SELECT p.id, p.content, p.listed_at, (SELECT a.display_name FROM accounts a WHERE a.id = p.seller_id) AS seller_name \
             FROM {from}{filter} ORDER BY {} LIMIT {limit} OFFSET {offset}",
            order(None, price, "p.listed_at", "p.id"),
        ),
    };
    (sql, values)
}

/// The parts of `search` read one after the other, with the words as each backend needs them.
async fn parts(db: &Db, search: &Search) -> Result<(Option<Words>, Vec<Part>), AppError> {
    if search.words.is_empty() {
        return Ok((None, vec![Part::All]));
    }
    let kind = backend(db);
    let completions = completions(db, search).await?;
    let names = if kind == Backend::Postgres { names_query(&search.words, &completions) } else { String::new() };
    let words = Words(text_query(kind, &search.words, &completions), names);
    let parts = if search.sort == Sort::Relevance { vec![Part::Names, Part::Others] } else { vec![Part::All] };
    Ok((Some(words), parts))
}

/// Runs one statement.
async fn rows(db: &Db, (sql, values): (String, Vec<Value>)) -> Result<Vec<ListedRow>, AppError> {
    let query = sqlx::query_as_with::<_, ListedRow, _>(&sql, arguments(values)?);
    query.fetch_all(db).await.context("searching listed products")
}

/// How many products `part` of `search` holds (a page past the first part starts after them).
async fn count(db: &Db, search: &Search, words: Option<(&Words, Part)>) -> Result<i64, AppError> {
    let (sql, values) = statement(backend(db), search, words, 0, i64::MAX);
    let sql = format!("SELECT COUNT(*) FROM ({sql}) c");
    let query = sqlx::query_scalar_with::<_, i64, _>(&sql, arguments(values)?).persistent(false);
    query.fetch_one(db).await.context("counting listed products")
}

/// One page of listed products matching `search`, through the indexes made for it: one row
/// more than a page is read, to know whether another page follows.
pub async fn search(db: &Db, search: &Search) -> Result<ProductResults, AppError> {
    let kind = backend(db);
    let (words, parts) = parts(db, search).await?;
    let wanted = i64::from(PAGE_SIZE) + 1;
    // Where the page starts within the part being read.
    let mut offset = i64::from(search.page - 1) * i64::from(PAGE_SIZE);
    let mut found: Vec<ListedRow> = Vec::new();
    for part in parts {
        let words = words.as_ref().map(|w| (w, part));
        let limit = wanted - found.len() as i64;
        let page = rows(db, statement(kind, search, words, offset, limit)).await?;
        // The page starts in a later part: skip the products of this one.
        offset = if page.is_empty() && offset > 0 { offset - count(db, search, words).await? } else { 0 };
        found.extend(page);
        if found.len() as i64 == wanted {
            break;
        }
    }
    let more = found.len() > PAGE_SIZE as usize;
    found.truncate(PAGE_SIZE as usize);
    let products = found.into_iter().map(|r| r.read().map(|(p, _)| p)).collect::<Result<_, _>>()?;
    Ok(ProductResults { products, page: search.page, more })
}

/// The query plans of `search`'s statements, as the database describes them (benchmarks).
pub async fn plan(db: &Db, search: &Search) -> Result<Vec<String>, AppError> {
    use sqlx::Row;
    let kind = backend(db);
    let (words, parts) = parts(db, search).await?;
    let mut lines = Vec::new();
    for part in parts {
        let (sql, values) = statement(kind, search, words.as_ref().map(|w| (w, part)), 0, i64::from(PAGE_SIZE) + 1);
        let explain = match kind {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
            Backend::Postgres => format!("EXPLAIN {sql}"),
        };
        let query = sqlx::query_with(&explain, arguments(values)?);
        lines.push(format!("-- {part:?}"));
        for row in query.fetch_all(db).await.context("explaining a search")? {
            lines.push(match kind {
                Backend::Sqlite => row.try_get::<String, _>("detail").unwrap_or_default(),
                Backend::Postgres => row.try_get::<String, _>(0).unwrap_or_default(),
            });
        }
    }
    Ok(lines)
}

pub async fn one(db: &Db, id: &str) -> Result<ProductPage, AppError> {
    #[derive(sqlx::FromRow)]
    struct PageRow {
        #[sqlx(flatten)]
        listed: ListedRow,
        coming: String,
    }
    let row: PageRow = sqlx::query_as(&format!("SELECT {COLUMNS}, p.coming FROM products p JOIN accounts a ON a.id = p.seller_id WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
        .context("loading a product")?
        .ok_or_else(|| AppError::NotFound("The product".into()))?;
    let coming = from_json(&row.coming, "coming prices", id)?;
    let (product, content) = row.listed.read()?;
    Ok(ProductPage { product, content, coming })
}

#[cfg(test)]
mod tests {
    use super::names_query;

    fn query(words: &[&str], completions: Option<&[&str]>) -> String {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        names_query(&words, &completions.map(|c| c.iter().map(|t| t.to_string()).collect()))
    }

    #[test]
    fn r45_names_are_searched_by_pairs_of_words_wherever_there_are_two() {
        assert_eq!(query(&["postgresql"], Some(&["postgresql"])), "('postgresql')");
        assert_eq!(query(&["postgresql", "ubuntu"], Some(&["ubuntu"])), "('+postgresql ubuntu')");
        assert_eq!(query(&["ubuntu", "postg"], Some(&["postgis", "postgresql"])), "('+postgis ubuntu' | '+postgresql ubuntu')");
        assert_eq!(query(&["ubuntu", "postgresql", "nginx"], Some(&["nginx"])), "'+postgresql ubuntu' & ('+nginx postgresql')");
        // A typed word that is also a completion is in the name already.
        assert_eq!(query(&["quartz", "quartz"], Some(&["quartz", "quartzite"])), "('quartz' | '+quartz quartzite')");
        // Without completions the last word is a prefix, read alone; one letter is a whole word.
        assert_eq!(query(&["quartz", "rel"], None), "'quartz' & 'rel':*");
        assert_eq!(query(&["b", "a", "cd"], None), "'+a b' & 'cd':*");
        assert_eq!(query(&["ab"], None), "'ab':*");
        assert_eq!(query(&["c", "b", "a"], None), "'+a b' & '+b c'");
        assert_eq!(query(&["x"], None), "'x'");
        assert_eq!(query(&["x", "x"], None), "'x'");
    }

    #[test]
    fn r45_a_names_terms_are_its_words_and_each_pair_of_them() {
        // `'+'` first: these names hold pairs.
        assert_eq!(super::super::index::name_terms("quartz relay quartz"), "'+' 'quartz' 'relay' '+quartz relay'");
        assert_eq!(super::super::index::name_terms("c b a"), "'+' 'a' 'b' 'c' '+a b' '+a c' '+b c'");
        let long = "w".repeat(45);
        assert_eq!(super::super::index::name_terms(&long), format!("'+' '{}'", "w".repeat(40)), "words are kept as the search terms are, cut");
        assert_eq!(super::super::index::name_terms("it's"), "'+' 'it''s'", "quoted as PostgreSQL reads a term");
    }
}
