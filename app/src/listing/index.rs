//! Writing what the marketplace's search reads of a product: its words, regions, pricing
//! mode and lowest prices, in the transaction that lists or changes it.

use crate::error::AppError;
use crate::rules::product::Product;
use crate::store::{backend, from_json, Backend, Context, Db};
use sqlx::AnyConnection;

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
    // Both backends index the words as the search splits them (`words`), so what a visitor
    // types and what was indexed are split alike.
    let text = |t: &str| super::words(t).collect::<Vec<_>>().join(" ");
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
            // The name's words and their pairs in `names` (`name_terms`), without positions
            // (a name matches or not); the regions as terms of their own in both.
            let regions = product.regions().iter().map(|r| region_term(r)).collect::<Vec<_>>().join(" ");
            sqlx::query(
                "UPDATE products SET document = \
                 setweight(to_tsvector('simple', $1), 'A') || \
                 setweight(to_tsvector('simple', $2 || ' ' || $3 || ' ' || $4), 'B') || \
                 setweight(to_tsvector('simple', $5), 'C') || $6::tsvector, \
                 names = $7::tsvector || $6::tsvector \
                 WHERE id = $8",
            )
            .bind(&a).bind(&b).bind(&c).bind(&d).bind(&e).bind(&regions).bind(name_terms(&a)).bind(id)
            .execute(&mut *conn)
            .await
            .context("indexing a product's words")?;
        }
    }
    remember_terms(conn, kind, [&a, &b, &c, &d, &e]).await
}

/// A term quoted as PostgreSQL's `tsvector` and `tsquery` read it.
fn quoted(term: &str) -> String {
    format!("'{}'", term.replace('\\', "\\\\").replace('\'', "''"))
}

/// A region as a term of PostgreSQL's documents: an `@` first, which no word a visitor
/// types holds (words are letters and digits).
pub fn region_term(region: &str) -> String {
    quoted(&format!("@{region}"))
}

/// A name's word (`term`) as a term of PostgreSQL's `names`.
pub fn name_term(word: &str) -> String {
    quoted(&term(Backend::Postgres, word))
}

/// Two of a name's words as one term of PostgreSQL's `names`: a `+` first (no word starts
/// so, so a word typed as a prefix never reaches a pair), then the two in order.
pub fn pair_term(a: &str, b: &str) -> String {
    let (a, b) = (term(Backend::Postgres, a), term(Backend::Postgres, b));
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    quoted(&format!("+{a} {b}"))
}

/// The term every `names` holds since they hold pairs (`name_terms`): a product whose
/// `names` lacks it was indexed by an older server (during a rolling upgrade), and is
/// indexed again at start-up (`index_unindexed`).
fn pairs_held() -> String {
    quoted("+")
}

/// PostgreSQL's `names` of a name given as its words (`words`, joined by spaces): each
/// word, and each pair of distinct words (`pair_term`), and `pairs_held`. A search for
/// several words in names then reads one short list per pair from the GIN index, where it
/// intersected each word's long one (a common word is in a sixth of the catalogue). A name
/// of at most `MAX_NAME_CHARS` holds at most 30 words, so 435 pairs.
pub fn name_terms(words: &str) -> String {
    let mut words: Vec<String> = words.split(' ').filter(|w| !w.is_empty()).map(|w| term(Backend::Postgres, w)).collect();
    words.sort_unstable();
    words.dedup();
    let mut terms: Vec<String> = std::iter::once(pairs_held()).chain(words.iter().map(|w| name_term(w))).collect();
    for (n, a) in words.iter().enumerate() {
        terms.extend(words[n + 1..].iter().map(|b| pair_term(a, b)));
    }
    terms.join(" ")
}

/// Indexed words are kept this long at most in `search_terms`; a longer one is kept cut,
/// and a typed word that reaches one is searched as a prefix (see `search::completions`).
pub const TERM_CHARS: usize = 40;

/// A word as a backend's full-text index holds it: SQLite's FTS5 (`remove_diacritics 2`)
/// drops accents, so "café" is held as "cafe"; PostgreSQL's `simple` configuration keeps them.
pub fn term(kind: Backend, word: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    let word: String = word.chars().take(TERM_CHARS).collect();
    match kind {
        Backend::Sqlite => word.nfd().filter(|c| !is_combining_mark(*c)).collect(),
        Backend::Postgres => word,
    }
}

/// Adds the distinct words of `texts` to `search_terms`, where a word being typed is looked
/// up as the words it starts. Words of products no longer listed stay: a term that matches
/// nothing costs a search nothing. On PostgreSQL the transactions that add terms take
/// turns (a transaction-scoped advisory lock): two adding the same new words in another
/// order could otherwise wait for each other.
async fn remember_terms(conn: &mut AnyConnection, kind: Backend, texts: [&str; 5]) -> Result<(), AppError> {
    const TERMS_LOCK: i64 = 0x5EA2C4;
    let mut terms: Vec<String> = texts.iter().flat_map(|t| t.split(' ')).filter(|w| !w.is_empty()).map(|w| term(kind, w)).collect();
    terms.sort_unstable();
    terms.dedup();
    if kind == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(TERMS_LOCK).execute(&mut *conn).await.context("taking the search terms' turn")?;
    }
    for chunk in terms.chunks(200) {
        let values = (1..=chunk.len()).map(|n| format!("(${n})")).collect::<Vec<_>>().join(", ");
        let sql = format!("INSERT INTO search_terms (term) VALUES {values} ON CONFLICT DO NOTHING");
        let mut query = sqlx::query(&sql);
        for term in chunk {
            query = query.bind(term.as_str());
        }
        query.execute(&mut *conn).await.context("indexing a product's words")?;
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
/// read locked, in the transaction that indexes them and in the order they were listed
/// (a product first indexed gets the next key of SQLite's full-text index, and a search
/// reads that index newest key first), then by id (PostgreSQL: `FOR
/// UPDATE`; SQLite: the write lock taken first), so a change committed meanwhile cannot
/// leave an older content's index marked current, and servers starting together wait
/// for each other. A product whose stored content does not read is logged and skipped,
/// never a failed start.
pub async fn index_unindexed(db: &Db) -> Result<(), AppError> {
    let kind = backend(db);
    let mut after = (i64::MIN, String::new());
    loop {
        let mut tx = db.begin().await.context("starting to index products")?;
        if kind == Backend::Sqlite {
            sqlx::query("UPDATE products SET version = version WHERE id = ''").execute(&mut *tx).await.context("locking products to index")?;
        }
        let lock = if kind == Backend::Postgres { " FOR UPDATE" } else { "" };
        // On PostgreSQL a product without `names`, or whose `names` hold no pairs, was
        // indexed by a server from before they did (during a rolling upgrade).
        let unnamed = match kind {
            Backend::Postgres => format!(" OR names IS NULL OR NOT names @@ '{}'::tsquery", pairs_held().replace('\'', "''")),
            Backend::Sqlite => String::new(),
        };
        let rows: Vec<(String, String, i64)> = sqlx::query_as(&format!(
            "SELECT id, content, listed_at FROM products WHERE (indexed_version IS NULL OR indexed_version <> version{unnamed}) \
             AND (listed_at > $1 OR (listed_at = $1 AND id > $2)) ORDER BY listed_at, id LIMIT 200{lock}"
        ))
        .bind(after.0)
        .bind(&after.1)
        .fetch_all(&mut *tx)
        .await
        .context("finding products to index")?;
        let Some((last, _, listed_at)) = rows.last() else { return Ok(()) };
        after = (*listed_at, last.clone());
        for (id, content, _) in rows {
            match from_json::<Product>(&content, "product", &id) {
                Ok(product) => index(&mut tx, &id, &product).await?,
                Err(_) => tracing::error!(%id, "a listed product was left out of the search: its content does not read"),
            }
        }
        tx.commit().await.context("indexing products")?;
    }
}
