//! The largest draft the rules allow: `MAX_SPECIFICATIONS` specifications, each priced by
//! `MAX_VCPU_TIERS` vCPU tiers in every billing mode. The validation benchmarks time the
//! rules on it, natively and in the browser. Also a small complete product, which the
//! integration tests and the page benchmark submit.

use super::{
    AssetAvailability, CatalogPolicy, PricingMode, ProductDraft, ReleaseContext, SpecificationDraft, TemplateKind,
    VcpuTierDraft, DELIVERY_METHOD_IMAGE, MAX_SPECIFICATIONS, MAX_VCPU_TIERS,
};

pub fn largest_draft() -> (ProductDraft, ReleaseContext) {
    let policy = CatalogPolicy::default();
    let specifications: Vec<SpecificationDraft> = (0..MAX_SPECIFICATIONS)
        .map(|s| SpecificationDraft {
            asset_id: format!("asset-{s}"),
            regions: policy.regions.clone(),
            template: TemplateKind::Vcpu,
            billing: [true, true, true],
            simple_prices: Default::default(),
            tiers: (1..=MAX_VCPU_TIERS)
                .map(|t| VcpuTierDraft {
                    vcpus: (t * 2).to_string(),
                    prices: [format!("0.{t:02}"), format!("{t}.50"), format!("{}0.00", t)],
                })
                .collect(),
        })
        .collect();
    let context = ReleaseContext {
        assets: (0..MAX_SPECIFICATIONS).map(|s| (format!("asset-{s}"), AssetAvailability::Available)).collect(),
        live_product_names: (0..50).map(|n| format!("Existing product {n}")).collect(),
        policy: policy.clone(),
    };
    let draft = ProductDraft {
        sales_type: policy.sales_types[0].clone(),
        delivery_method: DELIVERY_METHOD_IMAGE.into(),
        pricing_mode: Some(PricingMode::Charged),
        name: "Largest product".into(),
        summary: "Every specification and tier the rules allow.".into(),
        description: "x".repeat(4_000),
        category: policy.categories[0].clone(),
        version: "1.0".into(),
        support_email: "support@example.com".into(),
        specifications,
    };
    (draft, context)
}

/// Mean time of `check_draft` on [`largest_draft`], over `iterations` runs, timed by `now`
/// (milliseconds): `std::time::Instant` natively, `performance.now()` in the browser.
pub fn time_largest_draft(iterations: u32, now: impl Fn() -> f64) -> f64 {
    let (draft, context) = largest_draft();
    let start = now();
    for _ in 0..iterations {
        let found = super::check_draft(std::hint::black_box(&draft), &context);
        assert!(found.is_empty(), "the largest draft passes every rule: {found:?}");
    }
    (now() - start) / f64::from(iterations.max(1))
}

/// A product named `name` on `asset_id` that passes every rule: one specification in
/// eu-dublin and eu-paris, at $0.10 an hour.
pub fn complete_product(name: &str, asset_id: &str) -> ProductDraft {
    ProductDraft {
        sales_type: "Standard".into(),
        delivery_method: DELIVERY_METHOD_IMAGE.into(),
        pricing_mode: Some(PricingMode::Charged),
        name: name.into(),
        summary: "A database image.".into(),
        description: "PostgreSQL 16 on Debian 12.".into(),
        category: "Databases".into(),
        version: "16.2".into(),
        support_email: "support@example.com".into(),
        specifications: vec![SpecificationDraft {
            asset_id: asset_id.into(),
            regions: vec!["eu-dublin".into(), "eu-paris".into()],
            simple_prices: ["0.10".into(), String::new(), String::new()],
            ..SpecificationDraft::default()
        }],
    }
}
