//! What can happen to a released product: Set as Free Image (R50, R51), vCPU tier price
//! changes (R54, with R19 still holding), and what a purchase costs (R53, R55). These work
//! on a [`Product`], typed once at submission; judged the same way in the browser and on the
//! server.

use super::price::Price;
use super::product::{Pricing, Product};
use super::release::{tier_price, BillingMode, PricingMode};
use super::{FieldPath, Rule, RuleViolation};

/// Whether the product may be Set as Free Image now: not priced by vCPUs (R51, R13), every
/// price $0 (R50), and not a Free image already.
pub fn check_set_free(product: &Product) -> Result<(), RuleViolation> {
    if product.is_free() {
        return Err(RuleViolation::new(Rule::R50, "pricing_mode", "This product is a Free image already."));
    }
    if product.priced_by_vcpu() {
        return Err(RuleViolation::new(Rule::R51, "pricing_mode", "A product priced by vCPUs can never be a Free image."));
    }
    let all_zero = product.specifications.iter().all(|s| match &s.pricing {
        Pricing::Simple(prices) => prices.iter().flatten().all(|p| p.is_zero()),
        Pricing::Vcpu(_) => false,
    });
    if !all_zero {
        return Err(RuleViolation::new(Rule::R50, "pricing_mode", "Only a product whose every price is $0 can be set as a Free image."));
    }
    Ok(())
}

/// The product as a Free image: its Pricing Mode changed, and nothing else (R50).
pub fn set_free(product: &Product) -> Product {
    Product { pricing_mode: PricingMode::FreeImage, ..product.clone() }
}

/// One tier's prices, as typed in the price editor, indexed as [`BillingMode::ALL`].
pub type TierPrices = [String; 3];

/// A change of one price: which specification, tier and billing mode, from what to what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PriceChange {
    pub specification: usize,
    pub vcpus: u32,
    pub billing: BillingMode,
    pub old: Price,
    pub new: Price,
}

/// "Specification 1, 4 vCPUs, Monthly: $100.00 → $120.00": how one tier price's change is
/// told to sellers, buyers and in the history, however it is held.
pub fn describe_price_change(specification: usize, vcpus: u32, billing: &str, old: &str, new: &str) -> String {
    format!("Specification {}, {vcpus} vCPUs, {billing}: ${old} → ${new}", specification + 1)
}

impl PriceChange {
    pub fn describe(&self) -> String {
        describe_price_change(self.specification, self.vcpus, self.billing.label(), &self.old.to_string(), &self.new.to_string())
    }
}

/// A product's tier prices as the price editor starts from: `[s]` holds the tiers of
/// specification `s` (none for one not priced by vCPUs).
pub fn tier_prices_of(product: &Product) -> Vec<Vec<TierPrices>> {
    product
        .specifications
        .iter()
        .map(|s| match &s.pricing {
            Pricing::Vcpu(tiers) => tiers.iter().map(|t| t.prices.map(|p| p.map(|p| p.to_string()).unwrap_or_default())).collect(),
            Pricing::Simple(_) => Vec::new(),
        })
        .collect()
}

/// Checks new tier prices for a released product (R54) and returns the product with them,
/// and the prices that change. `prices[s]` holds the tiers of specification `s`, in order;
/// a vCPU specification must keep every tier (none deleted, none added), every other
/// specification must be left as it is. A Free image's price never changes (R50), and a
/// tier price stays above $0 (R19).
pub fn apply_tier_prices(product: &Product, prices: &[Vec<TierPrices>]) -> Result<(Product, Vec<PriceChange>), Vec<RuleViolation>> {
    if product.is_free() {
        return Err(vec![RuleViolation::new(Rule::R50, "pricing_mode", "The price of a Free image is fixed and can never change.")]);
    }
    if prices.len() != product.specifications.len() {
        return Err(vec![RuleViolation::new(Rule::R54, "specifications", "Send the prices of every specification, in order.")]);
    }
    let mut updated = product.clone();
    let mut changes = Vec::new();
    let mut found = Vec::new();
    for (s, (spec, new_tiers)) in updated.specifications.iter_mut().zip(prices).enumerate() {
        let field = FieldPath::of_specification(s, "tiers");
        let billing = spec.billing;
        let Pricing::Vcpu(tiers) = &mut spec.pricing else {
            if !new_tiers.is_empty() {
                found.push(RuleViolation::new(Rule::R54, &field, "Only vCPU tier prices can change after release."));
            }
            continue;
        };
        if new_tiers.len() != tiers.len() {
            found.push(RuleViolation::new(
                Rule::R54,
                &field,
                format!("Tiers cannot be deleted or added after release: specification {} has {} tiers.", s + 1, tiers.len()),
            ));
            continue;
        }
        for (t, (tier, new)) in tiers.iter_mut().zip(new_tiers).enumerate() {
            for (m, mode) in BillingMode::ALL.into_iter().enumerate().filter(|(m, _)| billing[*m]) {
                match tier_price(&new[m]) {
                    Err(message) => found.push(RuleViolation::new(Rule::R19, FieldPath::tier_price(s, t, mode), message)),
                    Ok(price) if tier.prices[m] != Some(price) => {
                        if let Some(old) = tier.prices[m] {
                            changes.push(PriceChange { specification: s, vcpus: tier.vcpus, billing: mode, old, new: price });
                        }
                        tier.prices[m] = Some(price);
                    }
                    Ok(_) => {}
                }
            }
        }
    }
    if found.is_empty() { Ok((updated, changes)) } else { Err(found) }
}

/// What a customer chooses to buy: a specification, a region, a billing mode and, for a
/// vCPU specification, a tier.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PurchaseChoice {
    pub specification: usize,
    pub region: String,
    pub billing: BillingMode,
    pub tier: Option<usize>,
}

/// The price of `choice`, or why it cannot be bought (R53, R55).
pub fn purchase_price(product: &Product, choice: &PurchaseChoice) -> Result<Price, RuleViolation> {
    let refused = |rule: Rule, message: &str| RuleViolation::new(rule, "purchase", message);
    let spec = product
        .specifications
        .get(choice.specification)
        .ok_or_else(|| refused(Rule::R53, "Choose one of the product's specifications."))?;
    if !spec.regions.contains(&choice.region) {
        return Err(refused(Rule::R55, "This specification is not offered in that region."));
    }
    if product.is_free() {
        return Ok(Price::ZERO);
    }
    let m = BillingMode::ALL.iter().position(|b| *b == choice.billing).unwrap_or(0);
    if !spec.billing[m] {
        return Err(refused(Rule::R53, "This specification is not offered with that billing mode."));
    }
    let price = match &spec.pricing {
        Pricing::Simple(prices) => prices[m],
        Pricing::Vcpu(tiers) => choice.tier.and_then(|t| tiers.get(t)).ok_or_else(|| refused(Rule::R53, "Choose a vCPU tier."))?.prices[m],
    };
    price.ok_or_else(|| refused(Rule::R53, "This specification is not offered with that billing mode."))
}

/// `choice` as it is priced: only what [`purchase_price`] reads of it. A Free image reads
/// neither the billing mode nor the tier (it is held under its specification's first mode,
/// or pay-per-use when it offers none: never a mode the buyer names),
/// a simple specification no tier; so two choices that are priced alike are one choice, and
/// a purchase records what was bought, not what else was sent with it.
pub fn priced_choice(product: &Product, choice: &PurchaseChoice) -> PurchaseChoice {
    let spec = product.specifications.get(choice.specification);
    let free = product.is_free();
    let by_vcpu = spec.is_some_and(|s| matches!(s.pricing, Pricing::Vcpu(_)));
    PurchaseChoice {
        specification: choice.specification,
        region: choice.region.clone(),
        billing: if free { spec.and_then(|s| s.offered().next()).map_or(BillingMode::PayPerUse, |(_, b)| b) } else { choice.billing },
        tier: if by_vcpu && !free { choice.tier } else { None },
    }
}

#[cfg(test)]
#[path = "after_release_tests.rs"]
pub(crate) mod tests;
