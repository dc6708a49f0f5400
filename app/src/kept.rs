//! What a server keeps in memory to draw pages faster, bounded by bytes (server only).
//!
//! Only what cannot go stale is kept: values under keys that say everything they depend on
//! (a row's version, a view's whole input). So a kept value is right on every server
//! sharing the database, and losing it costs only time.

use std::collections::HashMap;
use std::hash::Hash;

/// Values bounded by the bytes they hold, in two generations: values go into the recent
/// one, and when it holds half the budget it becomes the older one, whose values are
/// dropped unless they are read first (which brings them back into the recent one). Values
/// read often stay; the rest go. Both generations hold at most the budget and one more
/// value, and no value over a quarter of the budget is kept.
pub struct Kept<K, V> {
    budget: usize,
    weight: fn(&K, &V) -> usize,
    recent: HashMap<K, V>,
    recent_bytes: usize,
    older: HashMap<K, V>,
}

impl<K: Eq + Hash, V: Clone> Kept<K, V> {
    /// Keeps at most about `budget` bytes, as `weight` counts a key and its value.
    pub fn new(budget: usize, weight: fn(&K, &V) -> usize) -> Self {
        Kept { budget, weight, recent: HashMap::new(), recent_bytes: 0, older: HashMap::new() }
    }

    pub fn get<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        if let Some(value) = self.recent.get(key) {
            return Some(value.clone());
        }
        let (key, value) = self.older.remove_entry(key)?;
        self.insert(key, value.clone());
        Some(value)
    }

    /// Keeps `value`, unless it alone weighs more than a quarter of the budget: kept, it
    /// would turn the generations over on every insert and push out everything else.
    pub fn insert(&mut self, key: K, value: V) {
        let weight = (self.weight)(&key, &value);
        if weight > self.budget / 4 {
            return;
        }
        self.recent_bytes += weight;
        self.recent.insert(key, value);
        if self.recent_bytes > self.budget / 2 {
            self.older = std::mem::take(&mut self.recent);
            self.recent_bytes = 0;
        }
    }

    /// The bytes both generations hold, as `weight` counts them.
    pub fn bytes(&self) -> usize {
        self.recent.iter().chain(self.older.iter()).map(|(k, v)| (self.weight)(k, v)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::Kept;

    #[test]
    fn values_read_often_stay_and_the_bytes_kept_are_bounded() {
        const BUDGET: usize = 1 << 20;
        let weight = |key: &String, value: &String| key.len() + value.len();
        let mut kept = Kept::new(BUDGET, weight);
        kept.insert("often".to_owned(), "x".to_owned());
        let big = "y".repeat(16 << 10);
        for i in 0..10_000 {
            kept.insert(format!("big-{i}"), big.clone());
            assert!(kept.get("often").is_some(), "a value read often stays (after {i} others)");
        }
        assert!(kept.bytes() <= BUDGET + big.len() + 16, "{} bytes kept", kept.bytes());
        assert!(kept.get("big-0").is_none(), "old values go");
        assert!(kept.get("big-9999").is_some());
    }

    #[test]
    fn a_value_over_a_quarter_of_the_budget_is_not_kept_and_pushes_nothing_out() {
        let weight = |_: &&str, value: &String| value.len();
        let mut kept = Kept::new(1000, weight);
        kept.insert("small", "s".repeat(200));
        kept.insert("huge", "h".repeat(251));
        assert!(kept.get("huge").is_none());
        assert!(kept.get("small").is_some());
        kept.insert("quarter", "q".repeat(250));
        assert!(kept.get("quarter").is_some());
    }
}
