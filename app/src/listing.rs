//! The public marketplace site (R45, SPEC section 7): approved products, open to everyone.

use crate::error::AppError;
use crate::rules::price::Price;
use crate::rules::product::Product;
use crate::rules::release::BillingMode;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A listed product as the home page shows it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// Prices that will rise, with their dates (R71).
    pub coming: Vec<crate::prices::ScheduledIncrease>,
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

impl Search {
    /// Whether this search costs more than the marketplace's plain first page, which reads
    /// the newest listings through an index: words, filters, a price sort or a later page.
    pub fn costly(&self) -> bool {
        !self.words.is_empty()
            || self.region.is_some()
            || self.free.is_some()
            || self.min.is_some()
            || self.max.is_some()
            || self.sort == Sort::Price
            || self.page > 1
    }
}

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
pub fn encode(value: &str) -> String {
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

#[server(client = crate::page_account::PageAccountClient, endpoint = "products/list", output = crate::codec::TextJson)]
pub async fn list_products(query: ProductQuery) -> Result<ProductResults, AppError> {
    let state = crate::state::state()?;
    let search = query.search().map_err(AppError::BadRequest)?;
    let _turn = match search.costly() {
        true => {
            let client = crate::auth::ssr::client_address(state.settings.client_address_header.as_deref());
            let busy = || AppError::Busy { message: "Many searches are running just now. Please try again in a few seconds.".into(), retry_after: 2 };
            Some(state.searches.take_for(client, busy).await?)
        }
        false => None,
    };
    ssr::search(&state.db, &search).await
}

#[server(client = crate::page_account::PageAccountClient, endpoint = "products/get", output = crate::codec::TextJson)]
pub async fn load_product(id: String) -> Result<ProductPage, AppError> {
    let state = crate::state::state()?;
    let mut page = ssr::one(&state.db, &id).await?;
    page.coming = crate::prices::ssr::shown(std::mem::take(&mut page.coming), &state.settings.calendar, crate::store::now_ms());
    Ok(page)
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
mod index;
#[cfg(feature = "ssr")]
mod search;

#[cfg(feature = "ssr")]
pub mod ssr {
    pub use super::index::{index, index_unindexed, list};
    pub use super::search::{one, plan, search};
    use crate::error::AppError;
    use crate::store::Context;

    /// Names of a seller's listed products (R15: a new product may not take one).
    pub async fn names_of<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, seller_id: &str) -> Result<Vec<String>, AppError> {
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
    fn only_the_plain_first_page_goes_without_a_turn_among_costly_searches() {
        assert!(!query(&[]).search().unwrap().costly(), "the newest listings, through an index");
        assert!(!query(&[("billing", "yearly"), ("sort", "newest")]).search().unwrap().costly(), "which price is shown costs nothing");
        for pairs in [
            vec![("text", "web")],
            vec![("region", "eu-paris")],
            vec![("mode", "free")],
            vec![("min", "1")],
            vec![("max", "10")],
            vec![("sort", "price")],
            vec![("page", "2")],
        ] {
            assert!(query(&pairs).search().unwrap().costly(), "{pairs:?}");
        }
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
