//! Where a rule violation points: a field of what is being checked, as a path such as
//! `name` or `specifications[0].tiers[1].prices.monthly`.
//!
//! Every path is built here, by the rules and by the pages that show a field's messages
//! beside it, so the two always agree. Indexes count from 0; a billing mode is named by its
//! key (`pay_per_use`, `monthly`, `yearly`).

use crate::release::BillingMode;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldPath(String);

impl FieldPath {
    /// A top-level field: `name`, `pricing_mode`, `image`, `reason`.
    pub fn new(name: impl Into<String>) -> Self {
        FieldPath(name.into())
    }

    /// One specification: `specifications[2]`.
    pub fn specification(spec: usize) -> Self {
        FieldPath(format!("specifications[{spec}]"))
    }

    /// A field of one specification: `specifications[2].regions`.
    pub fn of_specification(spec: usize, name: &str) -> Self {
        FieldPath(format!("specifications[{spec}].{name}"))
    }

    /// A simple template's price: `specifications[0].simple_prices.monthly`.
    pub fn simple_price(spec: usize, mode: BillingMode) -> Self {
        FieldPath(format!("specifications[{spec}].simple_prices.{}", mode.key()))
    }

    /// The vCPU count of a tier: `specifications[0].tiers[1].vcpus`.
    pub fn tier_vcpus(spec: usize, tier: usize) -> Self {
        FieldPath(format!("specifications[{spec}].tiers[{tier}].vcpus"))
    }

    /// A tier's price: `specifications[0].tiers[1].prices.monthly`.
    pub fn tier_price(spec: usize, tier: usize, mode: BillingMode) -> Self {
        FieldPath(format!("specifications[{spec}].tiers[{tier}].prices.{}", mode.key()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// Whether this path is `other` or lies inside it (`specifications[0].tiers` is inside
    /// `specifications[0]`).
    pub fn is_within(&self, other: &FieldPath) -> bool {
        self.0 == other.0 || self.0.strip_prefix(other.0.as_str()).is_some_and(|rest| rest.starts_with(['.', '[']))
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for FieldPath {
    fn from(name: &str) -> Self {
        FieldPath(name.to_owned())
    }
}

impl From<String> for FieldPath {
    fn from(name: String) -> Self {
        FieldPath(name)
    }
}

impl From<&FieldPath> for FieldPath {
    fn from(path: &FieldPath) -> Self {
        path.clone()
    }
}

impl PartialEq<str> for FieldPath {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for FieldPath {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_built_one_way_and_know_what_they_lie_within() {
        let price = FieldPath::tier_price(0, 1, BillingMode::Monthly);
        assert_eq!(price, "specifications[0].tiers[1].prices.monthly");
        assert_eq!(FieldPath::simple_price(2, BillingMode::PayPerUse), "specifications[2].simple_prices.pay_per_use");
        assert!(price.is_within(&FieldPath::specification(0)));
        assert!(price.is_within(&FieldPath::of_specification(0, "tiers")));
        assert!(!FieldPath::specification(10).is_within(&FieldPath::specification(1)));
        assert_eq!(serde_json_like(&price), "\"specifications[0].tiers[1].prices.monthly\"");
    }

    /// The path as it crosses the wire: a plain string.
    fn serde_json_like(path: &FieldPath) -> String {
        format!("{:?}", path.as_str())
    }
}
