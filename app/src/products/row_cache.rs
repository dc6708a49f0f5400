//! My Products' rows as last drawn, kept by version (server only).

use super::ProductRow;
use crate::kept::Kept;
use std::sync::{Arc, Mutex};

/// Which table a row is from (and for a request, whether it was rejected), its id and its
/// version.
pub type RowKey = (i64, String, i64);

/// The rows My Products has drawn, by what makes each what it is: its table (and a
/// request's outcome), its id and its version. A draft's and a listed product's version
/// goes up in the transaction that changes their content, and a request's content never
/// changes after it is submitted, so a kept row is the row the database holds, on every
/// server sharing it: the list is then read without content, and no product's JSON is
/// parsed again. (So anything that rewrites stored content, a data migration included,
/// raises the version with it.) Bounded by the bytes the rows hold (`Kept`).
pub struct RowCache {
    kept: Mutex<Kept<RowKey, Arc<ProductRow>>>,
}

impl Default for RowCache {
    fn default() -> Self {
        RowCache { kept: Mutex::new(Kept::new(Self::BUDGET, weight)) }
    }
}

/// About the bytes a kept row holds.
fn weight(key: &RowKey, row: &Arc<ProductRow>) -> usize {
    let text = key.1.len() + row.id.len() + row.name.len() + row.pricing.len() + row.templates.len();
    let regions: usize = row.regions.iter().map(|r| r.len() + std::mem::size_of::<String>()).sum();
    text + regions + std::mem::size_of::<(RowKey, ProductRow)>() + 64
}

impl RowCache {
    /// The bytes the rows may hold, both generations together.
    const BUDGET: usize = 32 << 20;

    /// The rows for every key (table, id, version), if all are kept.
    pub fn all<'a>(&self, keys: impl ExactSizeIterator<Item = (i64, &'a str, i64)>) -> Option<Vec<ProductRow>> {
        let found = {
            let mut kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let mut key = (0, String::new(), 0);
            let mut found = Vec::with_capacity(keys.len());
            for (kind, id, version) in keys {
                key.0 = kind;
                key.1.clear();
                key.1.push_str(id);
                key.2 = version;
                found.push(kept.get(&key)?);
            }
            found
        };
        Some(found.into_iter().map(Arc::unwrap_or_clone).collect())
    }

    pub fn keep(&self, rows: impl IntoIterator<Item = (RowKey, ProductRow)>) {
        let mut kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for (key, row) in rows {
            kept.insert(key, Arc::new(row));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::products::ProductStatus;

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

    fn key(id: &str) -> (i64, &str, i64) {
        (3, id, 1)
    }

    #[test]
    fn a_list_is_kept_only_when_every_row_of_it_is() {
        let cache = RowCache::default();
        cache.keep([((3, "a".to_owned(), 1), row("a", 1)), ((3, "b".to_owned(), 1), row("b", 2))]);
        let rows = cache.all([key("b"), key("a")].into_iter()).expect("both rows are kept");
        assert_eq!(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["b", "a"]);
        assert!(cache.all([key("a"), key("c")].into_iter()).is_none(), "c is not kept");
        assert!(cache.all([(3, "a", 2)].into_iter()).is_none(), "another version of a is another row");
        assert!(cache.all([(2, "a", 1)].into_iter()).is_none(), "so is a row of another table");
    }
}
