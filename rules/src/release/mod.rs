//! Release New Product (SPEC section 2): the rules a product draft must pass before it can
//! be submitted (R10–R16, R18–R21, R55). A draft may be incomplete; [`check_draft`] lists
//! every problem, each naming its field and rule, so the form can show it beside the field.

mod bounds;
mod check;
#[cfg(any(test, feature = "sample"))]
pub mod sample;
pub use bounds::{check_draft_bounds, storage_bounds};
pub use check::{account_problems, check_draft, content_problems, fill_tiers_from_per_vcpu, name_taken, tier_price};

use serde::{Deserialize, Serialize};

/// Upper bounds on what one draft may hold (our choice), enforced on the server too.
pub const MAX_SPECIFICATIONS: usize = 10;
pub const MAX_VCPU_TIERS: usize = 16;
pub const MAX_NAME_CHARS: usize = 60;
pub const MAX_SUMMARY_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;
pub const MAX_VERSION_CHARS: usize = 40;
pub const MAX_VCPUS: u32 = 1_024;

/// The only delivery method this console releases (R11).
pub const DELIVERY_METHOD_IMAGE: &str = "Image";

/// The operator's lists that a draft is checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPolicy {
    /// Sales types a seller may choose (R10).
    pub sales_types: Vec<String>,
    /// Product categories (R15).
    pub categories: Vec<String>,
    /// Regions a product can be offered in (R16, R55).
    pub regions: Vec<String>,
}

impl Default for CatalogPolicy {
    fn default() -> Self {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Self {
            sales_types: list(&["Standard", "Joint operation"]),
            categories: list(&["Operating systems", "Databases", "Web servers", "Developer tools", "Security", "Analytics"]),
            regions: list(&["eu-dublin", "eu-paris", "ap-singapore", "af-johannesburg", "la-santiago"]),
        }
    }
}

/// Free image, or a charged mode (R12).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PricingMode {
    FreeImage,
    Charged,
}

/// How a specification is priced (R18, R19).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TemplateKind {
    Simple,
    Vcpu,
}

/// The billing modes every template supports, in the order the form shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BillingMode {
    PayPerUse,
    Monthly,
    Yearly,
}

impl BillingMode {
    pub const ALL: [BillingMode; 3] = [BillingMode::PayPerUse, BillingMode::Monthly, BillingMode::Yearly];

    pub fn label(self) -> &'static str {
        match self {
            BillingMode::PayPerUse => "Pay-per-use (hourly)",
            BillingMode::Monthly => "Monthly",
            BillingMode::Yearly => "Yearly",
        }
    }

    /// What one price of this mode pays for: "hour", "month" or "year".
    pub fn unit(self) -> &'static str {
        match self {
            BillingMode::PayPerUse => "hour",
            BillingMode::Monthly => "month",
            BillingMode::Yearly => "year",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            BillingMode::PayPerUse => "pay_per_use",
            BillingMode::Monthly => "monthly",
            BillingMode::Yearly => "yearly",
        }
    }
}

/// What the seller has entered so far; every field as typed, so nothing typed is lost.
/// Fields left out of a saved draft read as empty.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductDraft {
    pub sales_type: String,
    pub delivery_method: String,
    pub pricing_mode: Option<PricingMode>,
    pub name: String,
    pub summary: String,
    pub description: String,
    pub category: String,
    pub version: String,
    pub support_email: String,
    pub specifications: Vec<SpecificationDraft>,
}

impl ProductDraft {
    /// A specification is priced by vCPUs: then the product can never be a Free image (R13).
    pub fn priced_by_vcpu(&self) -> bool {
        self.specifications.iter().any(|s| s.template == TemplateKind::Vcpu)
    }

    /// Every region chosen so far, sorted, each once.
    pub fn regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = self.specifications.iter().flat_map(|s| s.regions.iter().cloned()).collect();
        regions.sort();
        regions.dedup();
        regions
    }
}

/// One specification: an image asset, its regions and its prices, as typed.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpecificationDraft {
    pub asset_id: String,
    pub regions: Vec<String>,
    pub template: TemplateKind,
    /// Which billing modes are offered, indexed as [`BillingMode::ALL`].
    pub billing: [bool; 3],
    /// Simple template prices, indexed as [`BillingMode::ALL`].
    pub simple_prices: [String; 3],
    pub tiers: Vec<VcpuTierDraft>,
}

impl Default for SpecificationDraft {
    fn default() -> Self {
        Self {
            asset_id: String::new(),
            regions: Vec::new(),
            template: TemplateKind::Simple,
            billing: [true, false, false],
            simple_prices: Default::default(),
            tiers: Vec::new(),
        }
    }
}

/// One row of a vCPU template: a vCPU count and a price per billing mode.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VcpuTierDraft {
    pub vcpus: String,
    pub prices: [String; 3],
}

/// Whether one of the seller's assets can go into a product (R20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssetAvailability {
    Available,
    /// In another product that is pending review or live.
    InAnotherProduct,
    /// Locked by a released product (R52).
    Locked,
}

/// What a draft is checked against besides itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseContext {
    pub policy: CatalogPolicy,
    /// The seller's image assets by id, with whether each may be chosen.
    pub assets: Vec<(String, AssetAvailability)>,
    /// Names of the seller's live products, other than the one being edited (R15).
    pub live_product_names: Vec<String>,
}

#[cfg(test)]
mod tests;
