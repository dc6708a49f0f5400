use super::*;
use crate::release::{ProductDraft, SpecificationDraft, TemplateKind, VcpuTierDraft};

fn simple(prices: [&str; 3], billing: [bool; 3]) -> SpecificationDraft {
    SpecificationDraft {
        asset_id: "a".into(),
        regions: vec!["eu-dublin".into(), "eu-paris".into()],
        billing,
        simple_prices: prices.map(String::from),
        ..Default::default()
    }
}

/// A vCPU-priced specification: tiers of 2 and 4 vCPUs, pay-per-use and monthly.
pub(crate) fn vcpu() -> SpecificationDraft {
    SpecificationDraft {
        asset_id: "b".into(),
        regions: vec!["eu-dublin".into()],
        template: TemplateKind::Vcpu,
        billing: [true, true, false],
        tiers: vec![
            VcpuTierDraft { vcpus: "2".into(), prices: ["0.10".into(), "50.00".into(), String::new()] },
            VcpuTierDraft { vcpus: "4".into(), prices: ["0.20".into(), "100.00".into(), String::new()] },
        ],
        ..Default::default()
    }
}

pub(crate) fn product(specs: Vec<SpecificationDraft>) -> Product {
    Product::try_from(ProductDraft { pricing_mode: Some(PricingMode::Charged), name: "P".into(), specifications: specs, ..Default::default() })
        .unwrap()
}

fn price(text: &str) -> Price {
    Price::parse(text).unwrap()
}

#[test]
fn r50_a_product_whose_every_price_is_zero_can_be_set_as_a_free_image_once() {
    let zero = product(vec![simple(["0", "0.00", "12"], [true, true, false])]);
    assert_eq!(check_set_free(&zero), Ok(()));
    let free = set_free(&zero);
    assert_eq!(free.pricing_mode, PricingMode::FreeImage);
    assert_eq!(free.specifications, zero.specifications, "nothing else changes");
    assert_eq!(check_set_free(&free).unwrap_err().rule, Rule::R50);
    let priced = product(vec![simple(["0", "1", ""], [true, true, false])]);
    assert_eq!(check_set_free(&priced).unwrap_err().rule, Rule::R50);
}

#[test]
fn r51_a_product_priced_by_vcpus_cannot_be_set_as_a_free_image() {
    let mixed = product(vec![simple(["0", "", ""], [true, false, false]), vcpu()]);
    let refused = check_set_free(&mixed).unwrap_err();
    assert_eq!(refused.rule, Rule::R51);
    assert!(refused.message.contains("priced by vCPUs can never be a Free image"), "{}", refused.message);
}

#[test]
fn r54_tier_prices_change_and_each_change_is_listed() {
    let released = product(vec![simple(["1", "", ""], [true, false, false]), vcpu()]);
    let new = vec![vec![], vec![["0.15".into(), "50".into(), String::new()], ["0.20".into(), "90".into(), "ignored".into()]]];
    let (updated, changes) = apply_tier_prices(&released, &new).unwrap();
    let typed = tier_prices_of(&updated);
    assert_eq!(typed[1][0][0], "0.15");
    assert_eq!(typed[1][1][1], "90.00");
    assert_eq!(typed[1][1][2], "", "a mode not offered is left alone");
    assert_eq!(
        changes,
        vec![
            PriceChange { specification: 1, vcpus: 2, billing: BillingMode::PayPerUse, old: price("0.10"), new: price("0.15") },
            PriceChange { specification: 1, vcpus: 4, billing: BillingMode::Monthly, old: price("100"), new: price("90") },
        ]
    );
    assert_eq!(updated.specifications[0], released.specifications[0]);
}

#[test]
fn r54_tiers_cannot_be_deleted_or_added_and_bad_prices_are_refused() {
    let released = product(vec![vcpu()]);
    let fewer = vec![vec![["0.10".into(), "50".into(), String::new()]]];
    assert!(apply_tier_prices(&released, &fewer).unwrap_err()[0].message.contains("cannot be deleted"));
    let mut more = vec![vec![["0.10".into(), "50".into(), String::new()]; 3]];
    assert_eq!(apply_tier_prices(&released, &more).unwrap_err()[0].rule, Rule::R54);
    more[0].truncate(2);
    more[0][1][0] = "-1".into();
    assert_eq!(apply_tier_prices(&released, &more).unwrap_err()[0].field, "specifications[0].tiers[1].prices.pay_per_use");
    let simple_only = product(vec![simple(["1", "", ""], [true, false, false])]);
    assert!(apply_tier_prices(&simple_only, &[vec![["2".into(), String::new(), String::new()]]]).is_err(), "simple prices are fixed");
}

#[test]
fn r19_a_tier_price_changed_after_release_must_stay_above_zero() {
    let released = product(vec![vcpu()]);
    let mut prices = vec![vec![["0.10".into(), "50".into(), String::new()], ["0.20".into(), "100".into(), String::new()]]];
    assert!(apply_tier_prices(&released, &prices).is_ok());
    for zero in ["0", "0.00", "$0"] {
        prices[0][1][0] = zero.into();
        let refused = apply_tier_prices(&released, &prices).unwrap_err();
        assert_eq!((refused[0].rule, refused[0].field.as_str()), (Rule::R19, "specifications[0].tiers[1].prices.pay_per_use"), "{zero}");
        assert_eq!(refused[0].message, "A vCPU tier price must be more than 0.");
    }
}

#[test]
fn r50_a_free_image_price_never_changes() {
    let free = Product { pricing_mode: PricingMode::FreeImage, ..product(vec![vcpu()]) };
    let same = vec![vec![["0".into(), "0".into(), String::new()]; 2]];
    assert_eq!(apply_tier_prices(&free, &same).unwrap_err()[0].rule, Rule::R50);
}

#[test]
fn r53_r55_a_purchase_costs_the_chosen_region_mode_and_tier() {
    let p = product(vec![simple(["0.25", "99", ""], [true, true, false]), vcpu()]);
    let choice = |specification, region: &str, billing, tier| PurchaseChoice { specification, region: region.into(), billing, tier };
    assert_eq!(purchase_price(&p, &choice(0, "eu-paris", BillingMode::Monthly, None)), Ok(Price::from_cents(9_900)));
    assert_eq!(purchase_price(&p, &choice(1, "eu-dublin", BillingMode::PayPerUse, Some(1))), Ok(Price::from_cents(20)));
    assert!(purchase_price(&p, &choice(1, "eu-dublin", BillingMode::PayPerUse, None)).is_err(), "a tier is needed");
    assert!(purchase_price(&p, &choice(1, "eu-paris", BillingMode::PayPerUse, Some(0))).is_err(), "not in that region");
    assert!(purchase_price(&p, &choice(0, "eu-dublin", BillingMode::Yearly, None)).is_err(), "mode not offered");
    assert!(purchase_price(&p, &choice(5, "eu-dublin", BillingMode::Yearly, None)).is_err());
    let free = set_free(&product(vec![simple(["0", "", ""], [true, false, false])]));
    assert_eq!(purchase_price(&free, &choice(0, "eu-dublin", BillingMode::Yearly, None)), Ok(Price::from_cents(0)));
}

#[test]
fn r53_a_choice_is_recorded_as_it_is_priced_so_choices_priced_alike_are_one() {
    let p = product(vec![simple(["0.25", "99", ""], [true, true, false]), vcpu()]);
    let choice = |specification, billing, tier| PurchaseChoice { specification, region: "eu-dublin".into(), billing, tier };
    // A simple specification reads no tier; a vCPU one does.
    assert_eq!(priced_choice(&p, &choice(0, BillingMode::Monthly, Some(7))), choice(0, BillingMode::Monthly, None));
    assert_eq!(priced_choice(&p, &choice(1, BillingMode::Monthly, Some(1))), choice(1, BillingMode::Monthly, Some(1)));
    // A Free image reads neither mode nor tier: it is held under its first mode.
    let free = set_free(&product(vec![simple(["", "0", ""], [false, true, false])]));
    for (billing, tier) in [(BillingMode::Yearly, None), (BillingMode::PayPerUse, Some(3)), (BillingMode::Monthly, Some(usize::MAX))] {
        assert_eq!(priced_choice(&free, &choice(0, billing, tier)), choice(0, BillingMode::Monthly, None));
    }
    // A Free image may offer no mode at all (R18 asks none of it): still one choice.
    let mut none = free.clone();
    none.specifications[0].billing = [false; 3];
    for billing in BillingMode::ALL {
        assert_eq!(priced_choice(&none, &choice(0, billing, None)), choice(0, BillingMode::PayPerUse, None));
    }
}

#[test]
fn r54_a_price_change_is_told_with_its_specification_tier_mode_and_both_prices() {
    let change = PriceChange { specification: 0, vcpus: 4, billing: BillingMode::Monthly, old: price("100"), new: price("120") };
    assert_eq!(change.describe(), "Specification 1, 4 vCPUs, Monthly: $100.00 → $120.00");
}
