//! A product that passed the release rules, typed: what a release request carries, what the
//! marketplace lists, and what everything after release works on.
//!
//! Parse, don't validate: a [`ProductDraft`] holds whatever the seller typed, as text; a
//! submission turns it into a [`Product`] once ([`parse_product`]), with exact prices, vCPU
//! counts as numbers and one pricing per specification, and nothing after that parses a
//! price again. Stored and sent, a product has the draft's shape (prices as text such as
//! `"12.50"`), so a stored product reads back as a draft and a draft of a product is exact.

use crate::price::Price;
use crate::release::{
    check_draft, tier_price, BillingMode, PricingMode, ProductDraft, ReleaseContext, SpecificationDraft, TemplateKind,
    VcpuTierDraft, DELIVERY_METHOD_IMAGE,
};
use crate::RuleViolation;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ProductDraft", into = "ProductDraft")]
pub struct Product {
    pub sales_type: String,
    pub pricing_mode: PricingMode,
    pub name: String,
    pub summary: String,
    pub description: String,
    pub category: String,
    pub version: String,
    pub support_email: String,
    pub specifications: Vec<Specification>,
}

/// One specification: an image asset, the regions it is offered in, the billing modes
/// offered (indexed as [`BillingMode::ALL`]) and its prices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Specification {
    pub asset_id: String,
    pub regions: Vec<String>,
    pub billing: [bool; 3],
    pub pricing: Pricing,
}

/// A Pricing Template with its prices; a price is present exactly for each offered billing
/// mode (a Free image's are all $0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pricing {
    Simple([Option<Price>; 3]),
    Vcpu(Vec<VcpuTier>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VcpuTier {
    pub vcpus: u32,
    pub prices: [Option<Price>; 3],
}

/// The draft as a product, if it passes every rule in `context`; otherwise every rule it
/// breaks (R10–R22, R55).
pub fn parse_product(draft: &ProductDraft, context: &ReleaseContext) -> Result<Product, Vec<RuleViolation>> {
    let violations = check_draft(draft, context);
    if !violations.is_empty() {
        return Err(violations);
    }
    Product::try_from(draft.clone()).map_err(|reason| {
        vec![RuleViolation::new(crate::Rule::R16, "specifications", reason)]
    })
}

impl Specification {
    pub fn template(&self) -> TemplateKind {
        match self.pricing {
            Pricing::Simple(_) => TemplateKind::Simple,
            Pricing::Vcpu(_) => TemplateKind::Vcpu,
        }
    }

    /// The billing modes offered, with their index in [`BillingMode::ALL`].
    pub fn offered(&self) -> impl Iterator<Item = (usize, BillingMode)> + '_ {
        BillingMode::ALL.into_iter().enumerate().filter(|(m, _)| self.billing[*m])
    }
}

impl Product {
    pub fn is_free(&self) -> bool {
        self.pricing_mode == PricingMode::FreeImage
    }

    /// Priced by vCPUs somewhere: it can never be a Free image (R13, R51), and its tier
    /// prices can change after release (R54).
    pub fn priced_by_vcpu(&self) -> bool {
        self.specifications.iter().any(|s| matches!(s.pricing, Pricing::Vcpu(_)))
    }

    /// The lowest price the product is offered at in each billing mode (indexed as
    /// [`BillingMode::ALL`]), over every specification and vCPU tier; `None` where no
    /// specification offers that mode. What the marketplace's cards and price filter show.
    pub fn lowest_prices(&self) -> [Option<Price>; 3] {
        let mut lowest = [None; 3];
        for spec in &self.specifications {
            for (m, _) in spec.offered() {
                let prices: Vec<Price> = match &spec.pricing {
                    Pricing::Simple(prices) => prices[m].into_iter().collect(),
                    Pricing::Vcpu(tiers) => tiers.iter().filter_map(|t| t.prices[m]).collect(),
                };
                for price in prices {
                    lowest[m] = Some(lowest[m].map_or(price, |l: Price| l.min(price)));
                }
            }
        }
        lowest
    }

    /// Every region the product is offered in, sorted, each once (R55).
    pub fn regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = self.specifications.iter().flat_map(|s| s.regions.iter().cloned()).collect();
        regions.sort();
        regions.dedup();
        regions
    }
}

/// A draft's shape read as a product, without the rules' context: what a stored product
/// is. Fails only for a text that is not a product at all.
impl TryFrom<ProductDraft> for Product {
    type Error = String;

    fn try_from(draft: ProductDraft) -> Result<Self, Self::Error> {
        let pricing_mode = draft.pricing_mode.ok_or("a product has a pricing mode")?;
        let free = pricing_mode == PricingMode::FreeImage;
        let price = |text: &str, what: &str| -> Result<Option<Price>, String> {
            if free {
                return Ok(Some(Price::ZERO));
            }
            Price::parse(text).map(Some).map_err(|e| format!("{what}: {}", e.message()))
        };
        let specifications = draft
            .specifications
            .into_iter()
            .map(|spec| {
                let offered = |m: usize| spec.billing[m];
                let pricing = match spec.template {
                    TemplateKind::Simple => {
                        let mut prices = [None; 3];
                        for (m, slot) in prices.iter_mut().enumerate() {
                            if offered(m) {
                                *slot = price(&spec.simple_prices[m], "a simple price")?;
                            }
                        }
                        Pricing::Simple(prices)
                    }
                    TemplateKind::Vcpu => Pricing::Vcpu(
                        spec.tiers
                            .iter()
                            .map(|tier| {
                                let vcpus = tier.vcpus.trim().parse().map_err(|_| format!("a vCPU count: {:?}", tier.vcpus))?;
                                let mut prices = [None; 3];
                                for (m, slot) in prices.iter_mut().enumerate() {
                                    if offered(m) {
                                        *slot = Some(tier_price(&tier.prices[m]).map_err(|e| format!("a tier price: {e}"))?);
                                    }
                                }
                                Ok(VcpuTier { vcpus, prices })
                            })
                            .collect::<Result<_, String>>()?,
                    ),
                };
                Ok(Specification { asset_id: spec.asset_id, regions: spec.regions, billing: spec.billing, pricing })
            })
            .collect::<Result<_, String>>()?;
        Ok(Product {
            sales_type: draft.sales_type,
            pricing_mode,
            name: draft.name.trim().to_owned(),
            summary: draft.summary.trim().to_owned(),
            description: draft.description,
            category: draft.category,
            version: draft.version,
            support_email: draft.support_email.trim().to_owned(),
            specifications,
        })
    }
}

/// The product as a draft again: to store or send it, and to edit it after a rejection.
impl From<Product> for ProductDraft {
    fn from(product: Product) -> Self {
        let text = |price: Option<Price>| price.map(|p| p.to_string()).unwrap_or_default();
        ProductDraft {
            sales_type: product.sales_type,
            delivery_method: DELIVERY_METHOD_IMAGE.into(),
            pricing_mode: Some(product.pricing_mode),
            name: product.name,
            summary: product.summary,
            description: product.description,
            category: product.category,
            version: product.version,
            support_email: product.support_email,
            specifications: product
                .specifications
                .into_iter()
                .map(|spec| {
                    let (template, simple_prices, tiers) = match spec.pricing {
                        Pricing::Simple(prices) => (TemplateKind::Simple, prices.map(text), Vec::new()),
                        Pricing::Vcpu(tiers) => (
                            TemplateKind::Vcpu,
                            Default::default(),
                            tiers.into_iter().map(|t| VcpuTierDraft { vcpus: t.vcpus.to_string(), prices: t.prices.map(text) }).collect(),
                        ),
                    };
                    SpecificationDraft { asset_id: spec.asset_id, regions: spec.regions, template, billing: spec.billing, simple_prices, tiers }
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::sample::complete_product;

    #[test]
    fn a_draft_that_passes_the_rules_becomes_a_product_with_exact_prices_and_back() {
        let draft = complete_product("Hardened Ubuntu", "asset-1");
        let product = Product::try_from(draft.clone()).unwrap();
        assert_eq!(product.name, "Hardened Ubuntu");
        let again = ProductDraft::from(product.clone());
        assert_eq!(Product::try_from(again).unwrap(), product, "a stored product reads back the same");
        let json = serde_json::to_string(&product).unwrap();
        assert_eq!(serde_json::from_str::<ProductDraft>(&json).unwrap().name, "Hardened Ubuntu", "stored in the draft's shape");
    }

    #[test]
    fn the_lowest_price_of_each_billing_mode_is_over_every_specification_and_tier() {
        let mut draft = complete_product("Priced", "asset-1");
        let mut second = draft.specifications[0].clone();
        draft.specifications[0].template = TemplateKind::Simple;
        draft.specifications[0].billing = [true, true, false];
        draft.specifications[0].simple_prices = ["0.30".into(), "90".into(), String::new()];
        second.template = TemplateKind::Vcpu;
        second.billing = [false, true, true];
        second.tiers = vec![
            VcpuTierDraft { vcpus: "2".into(), prices: [String::new(), "60".into(), "700".into()] },
            VcpuTierDraft { vcpus: "4".into(), prices: [String::new(), "120".into(), "650".into()] },
        ];
        draft.specifications.push(second);
        let product = Product::try_from(draft).unwrap();
        let cents = product.lowest_prices().map(|p| p.map(Price::cents));
        assert_eq!(cents, [Some(30), Some(6000), Some(65000)]);
        let mut only_hourly = product.clone();
        only_hourly.specifications.truncate(1);
        only_hourly.specifications[0].billing = [true, false, false];
        assert_eq!(only_hourly.lowest_prices().map(|p| p.map(Price::cents)), [Some(30), None, None], "a mode nobody offers has no price");
    }

    #[test]
    fn r13_r14_a_free_image_costs_nothing_anywhere_and_a_vcpu_product_knows_it() {
        let mut draft = complete_product("Free", "asset-1");
        draft.pricing_mode = Some(PricingMode::FreeImage);
        let free = Product::try_from(draft).unwrap();
        assert!(free.is_free() && !free.priced_by_vcpu());
        assert!(matches!(&free.specifications[0].pricing, Pricing::Simple(p) if p.iter().flatten().all(|p| p.is_zero())));
    }

    #[test]
    fn text_that_is_not_a_product_is_refused_when_read() {
        let mut draft = complete_product("Broken", "asset-1");
        draft.pricing_mode = None;
        assert!(Product::try_from(draft).is_err());
    }
}
