//! What can happen to a released product (SPEC section 5): Set as Free Image (R50, R51),
//! vCPU tier price changes (R54), and what a purchase costs (R53). Plain Rust, judged the
//! same way in the browser and on the server.

use super::price::Price;
use super::release::{tier_price, BillingMode, PricingMode, ProductDraft, TemplateKind};
use super::{FieldPath, Rule, RuleViolation};

/// Whether the product may be Set as Free Image now: not priced by vCPUs (R51, R13), every
/// price $0 (R50), and not a Free image already.
pub fn check_set_free(content: &ProductDraft) -> Result<(), RuleViolation> {
    if content.pricing_mode == Some(PricingMode::FreeImage) {
        return Err(RuleViolation::new(Rule::R50, "pricing_mode", "This product is a Free image already."));
    }
    if content.specifications.iter().any(|s| s.template == TemplateKind::Vcpu) {
        return Err(RuleViolation::new(
            Rule::R51,
            "pricing_mode",
            "A product priced by vCPUs can never be a Free image.",
        ));
    }
    let all_zero = content.specifications.iter().all(|s| {
        BillingMode::ALL.iter().enumerate().filter(|(m, _)| s.billing[*m]).all(|(m, _)| Price::parse(&s.simple_prices[m]).is_ok_and(Price::is_zero))
    });
    if !all_zero {
        return Err(RuleViolation::new(
            Rule::R50,
            "pricing_mode",
            "Only a product whose every price is $0 can be set as a Free image.",
        ));
    }
    Ok(())
}

/// The product as a Free image: its Pricing Mode changed, and nothing else (R50).
pub fn set_free(content: &ProductDraft) -> ProductDraft {
    ProductDraft { pricing_mode: Some(PricingMode::FreeImage), ..content.clone() }
}

/// One tier's prices, as typed in the price editor, indexed as [`BillingMode::ALL`].
pub type TierPrices = [String; 3];

/// A change of one price: which specification, tier and billing mode, from what to what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PriceChange {
    pub specification: usize,
    pub vcpus: String,
    pub billing: BillingMode,
    pub old: String,
    pub new: String,
}

/// Checks new tier prices for a released product (R54) and returns the product with them,
/// and the list of prices that change. `prices[s]` holds the tiers of specification `s`, in
/// order; a vCPU specification must keep every tier (none deleted, none added), every other
/// specification must be left as it is. A Free image's price never changes (R50).
pub fn apply_tier_prices(content: &ProductDraft, prices: &[Vec<TierPrices>]) -> Result<(ProductDraft, Vec<PriceChange>), Vec<RuleViolation>> {
    if content.pricing_mode == Some(PricingMode::FreeImage) {
        return Err(vec![RuleViolation::new(Rule::R50, "pricing_mode", "The price of a Free image is fixed and can never change.")]);
    }
    if prices.len() != content.specifications.len() {
        return Err(vec![RuleViolation::new(Rule::R54, "specifications", "Send the prices of every specification, in order.")]);
    }
    let mut updated = content.clone();
    let mut changes = Vec::new();
    let mut found = Vec::new();
    for (s, (spec, new_tiers)) in updated.specifications.iter_mut().zip(prices).enumerate() {
        let field = FieldPath::of_specification(s, "tiers");
        if spec.template != TemplateKind::Vcpu {
            if !new_tiers.is_empty() {
                found.push(RuleViolation::new(Rule::R54, &field, "Only vCPU tier prices can change after release."));
            }
            continue;
        }
        if new_tiers.len() != spec.tiers.len() {
            found.push(RuleViolation::new(
                Rule::R54,
                &field,
                format!("Tiers cannot be deleted or added after release: specification {} has {} tiers.", s + 1, spec.tiers.len()),
            ));
            continue;
        }
        for (t, (tier, new)) in spec.tiers.iter_mut().zip(new_tiers).enumerate() {
            for (m, mode) in BillingMode::ALL.into_iter().enumerate() {
                if !spec.billing[m] {
                    continue;
                }
                // R19 holds after release too: a tier price is a valid price above $0.
                match tier_price(&new[m]) {
                    Err(message) => found.push(RuleViolation::new(Rule::R19, FieldPath::tier_price(s, t, mode), message)),
                    Ok(price) => {
                        let old = Price::parse(&tier.prices[m]).ok();
                        if old != Some(price) {
                            changes.push(PriceChange {
                                specification: s,
                                vcpus: tier.vcpus.clone(),
                                billing: mode,
                                old: tier.prices[m].clone(),
                                new: price.to_string(),
                            });
                            tier.prices[m] = price.to_string();
                        }
                    }
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
pub fn purchase_price(content: &ProductDraft, choice: &PurchaseChoice) -> Result<Price, String> {
    let spec = content.specifications.get(choice.specification).ok_or("Choose one of the product's specifications.")?;
    if !spec.regions.contains(&choice.region) {
        return Err("This specification is not offered in that region.".into());
    }
    if content.pricing_mode == Some(PricingMode::FreeImage) {
        return Ok(Price::from_cents(0));
    }
    let m = BillingMode::ALL.iter().position(|b| *b == choice.billing).unwrap_or(0);
    if !spec.billing[m] {
        return Err("This specification is not offered with that billing mode.".into());
    }
    let text = match spec.template {
        TemplateKind::Simple => &spec.simple_prices[m],
        TemplateKind::Vcpu => {
            let tier = choice.tier.and_then(|t| spec.tiers.get(t)).ok_or("Choose a vCPU tier.")?;
            &tier.prices[m]
        }
    };
    Price::parse(text).map_err(|e| e.message().to_owned())
}

#[cfg(test)]
#[path = "after_release_tests.rs"]
mod tests;
