//! My Products' rows as last drawn, kept by version (server only).

use super::ProductRow;
use std::collections::HashMap;
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
    fn rows_read_often_stay_and_the_bytes_kept_are_bounded() {
        let cache = RowCache::default();
        cache.keep([((3, "often".to_owned(), 1), row("often", 1))]);
        // Rows of 16 KiB each, far more than the budget holds; the one read between
        // them keeps coming back into the recent generation.
        for i in 0..10_000 {
            let id = format!("big-{i}");
            cache.keep([((3, id.clone(), 1), row(&id, 320))]);
            assert!(cache.all([key("often")].into_iter()).is_some(), "a row read often stays (after {i} others)");
        }
        let kept = cache.kept.lock().unwrap();
        let bytes: usize = kept.recent.iter().chain(kept.older.iter()).map(|(k, r)| weight(k, r)).sum();
        assert!(bytes <= RowCache::BUDGET + weight(&(3, "big-0".into(), 1), &row("big-0", 320)), "{bytes} bytes kept");
        drop(kept);
        assert!(cache.all([key("big-0")].into_iter()).is_none(), "old rows go");
        assert!(cache.all([key("often"), key("big-9999")].into_iter()).is_some());
    }
}
