use super::*;
use crate::price::Price;
use crate::Rule;

fn context() -> ReleaseContext {
    ReleaseContext {
        policy: CatalogPolicy::default(),
        assets: vec![
            ("asset-free".into(), AssetAvailability::Available),
            ("asset-taken".into(), AssetAvailability::InAnotherProduct),
            ("asset-locked".into(), AssetAvailability::Locked),
        ],
        live_product_names: vec!["Existing Product".into()],
    }
}

fn simple_spec() -> SpecificationDraft {
    SpecificationDraft {
        asset_id: "asset-free".into(),
        regions: vec!["eu-dublin".into()],
        template: TemplateKind::Simple,
        billing: [true, true, false],
        simple_prices: ["0.12".into(), "80".into(), String::new()],
        tiers: Vec::new(),
    }
}

fn vcpu_spec() -> SpecificationDraft {
    SpecificationDraft {
        template: TemplateKind::Vcpu,
        billing: [true, false, true],
        tiers: vec![
            VcpuTierDraft { vcpus: "2".into(), prices: ["0.10".into(), String::new(), "500".into()] },
            VcpuTierDraft { vcpus: "4".into(), prices: ["0.20".into(), String::new(), "900".into()] },
        ],
        ..simple_spec()
    }
}

fn complete() -> ProductDraft {
    ProductDraft {
        sales_type: "Standard".into(),
        delivery_method: DELIVERY_METHOD_IMAGE.into(),
        pricing_mode: Some(PricingMode::Charged),
        name: "Hardened Ubuntu".into(),
        summary: "Ubuntu 22.04 with CIS hardening".into(),
        description: "A long description.".into(),
        category: "Operating systems".into(),
        version: "1.0".into(),
        support_email: "support@example.com".into(),
        specifications: vec![simple_spec()],
    }
}

fn rules(draft: &ProductDraft) -> Vec<(Rule, String)> {
    check_draft(draft, &context()).into_iter().map(|v| (v.rule, v.field.into_string())).collect()
}

#[test]
fn a_complete_draft_passes_every_rule() {
    assert_eq!(rules(&complete()), vec![]);
    let vcpu = ProductDraft { specifications: vec![vcpu_spec()], ..complete() };
    assert_eq!(rules(&vcpu), vec![]);
}

#[test]
fn an_empty_draft_reports_every_missing_choice_with_its_field() {
    let found = rules(&ProductDraft::default());
    for expected in [
        (Rule::R10, "sales_type"),
        (Rule::R11, "delivery_method"),
        (Rule::R12, "pricing_mode"),
        (Rule::R15, "name"),
        (Rule::R15, "category"),
        (Rule::R15, "support_email"),
        (Rule::R16, "specifications"),
    ] {
        assert!(found.contains(&(expected.0, expected.1.to_string())), "missing {expected:?} in {found:?}");
    }
}

#[test]
fn r10_the_sales_type_comes_from_the_configured_list() {
    let draft = ProductDraft { sales_type: "Auction".into(), ..complete() };
    assert_eq!(rules(&draft), vec![(Rule::R10, "sales_type".into())]);
}

#[test]
fn r11_the_delivery_method_is_image() {
    let draft = ProductDraft { delivery_method: "API".into(), ..complete() };
    assert_eq!(rules(&draft), vec![(Rule::R11, "delivery_method".into())]);
}

#[test]
fn r12_a_pricing_mode_is_chosen() {
    let draft = ProductDraft { pricing_mode: None, ..complete() };
    assert_eq!(rules(&draft), vec![(Rule::R12, "pricing_mode".into())]);
}

#[test]
fn r13_a_vcpu_priced_product_cannot_be_a_free_image() {
    let draft = ProductDraft {
        pricing_mode: Some(PricingMode::FreeImage),
        specifications: vec![vcpu_spec()],
        ..complete()
    };
    assert_eq!(rules(&draft), vec![(Rule::R13, "pricing_mode".into())]);
}

#[test]
fn r14_a_free_image_needs_no_prices() {
    let mut spec = simple_spec();
    spec.simple_prices = Default::default();
    spec.billing = [false; 3];
    let draft = ProductDraft { pricing_mode: Some(PricingMode::FreeImage), specifications: vec![spec], ..complete() };
    assert_eq!(rules(&draft), vec![]);
}

#[test]
fn r15_names_are_bounded_and_unique_among_live_products() {
    let long = ProductDraft { name: "x".repeat(61), ..complete() };
    assert_eq!(rules(&long), vec![(Rule::R15, "name".into())]);
    let sixty = ProductDraft { name: "é".repeat(60), ..complete() };
    assert_eq!(rules(&sixty), vec![], "60 characters, not bytes");
    let taken = ProductDraft { name: " existing product ".into(), ..complete() };
    assert_eq!(rules(&taken), vec![(Rule::R15, "name".into())]);
}

#[test]
fn r15_summary_description_category_version_and_support_email_are_checked() {
    let draft = ProductDraft {
        summary: "s".repeat(201),
        description: "d".repeat(5_001),
        category: "Games".into(),
        version: String::new(),
        support_email: "support at example".into(),
        ..complete()
    };
    let fields: Vec<String> = rules(&draft).into_iter().map(|(r, f)| {
        assert_eq!(r, Rule::R15);
        f
    }).collect();
    assert_eq!(fields, vec!["summary", "description", "version", "category", "support_email"]);
}

#[test]
fn r16_each_specification_names_an_asset_and_one_or_more_regions() {
    let spec = SpecificationDraft { asset_id: "nope".into(), regions: vec![], ..simple_spec() };
    let draft = ProductDraft { specifications: vec![simple_spec(), spec], ..complete() };
    assert_eq!(
        rules(&draft),
        vec![
            (Rule::R16, "specifications[1].asset_id".into()),
            (Rule::R16, "specifications[1].regions".into()),
        ]
    );
}

#[test]
fn r16_the_number_of_specifications_is_bounded() {
    let draft = ProductDraft { specifications: vec![simple_spec(); MAX_SPECIFICATIONS + 1], ..complete() };
    assert!(rules(&draft).contains(&(Rule::R16, "specifications".into())));
}

#[test]
fn r18_simple_prices_are_checked_for_each_enabled_billing_mode_only() {
    let mut spec = simple_spec();
    spec.simple_prices = ["1.005".into(), "-3".into(), "not checked: yearly is off".into()];
    let draft = ProductDraft { specifications: vec![spec], ..complete() };
    assert_eq!(
        rules(&draft),
        vec![
            (Rule::R18, "specifications[0].simple_prices.pay_per_use".into()),
            (Rule::R18, "specifications[0].simple_prices.monthly".into()),
        ]
    );
}

#[test]
fn r18_at_least_one_billing_mode_is_offered() {
    let spec = SpecificationDraft { billing: [false; 3], ..simple_spec() };
    let draft = ProductDraft { specifications: vec![spec], ..complete() };
    assert_eq!(rules(&draft), vec![(Rule::R18, "specifications[0].billing".into())]);
}

#[test]
fn r19_tiers_are_distinct_positive_and_ascending_with_prices_above_zero() {
    let mut spec = vcpu_spec();
    spec.tiers = vec![
        VcpuTierDraft { vcpus: "4".into(), prices: ["0.2".into(), String::new(), "900".into()] },
        VcpuTierDraft { vcpus: "4".into(), prices: ["0".into(), String::new(), "900".into()] },
        VcpuTierDraft { vcpus: "0".into(), prices: ["0.1".into(), String::new(), "".into()] },
    ];
    let draft = ProductDraft { specifications: vec![spec], ..complete() };
    assert_eq!(
        rules(&draft),
        vec![
            (Rule::R19, "specifications[0].tiers[1].vcpus".into()),
            (Rule::R19, "specifications[0].tiers[1].prices.pay_per_use".into()),
            (Rule::R19, "specifications[0].tiers[2].vcpus".into()),
            (Rule::R19, "specifications[0].tiers[2].prices.yearly".into()),
        ]
    );
}

#[test]
fn r19_a_vcpu_template_has_at_least_one_and_at_most_sixteen_tiers() {
    let empty = ProductDraft { specifications: vec![SpecificationDraft { tiers: vec![], ..vcpu_spec() }], ..complete() };
    assert_eq!(rules(&empty), vec![(Rule::R19, "specifications[0].tiers".into())]);
    let tiers = (1..=17)
        .map(|n| VcpuTierDraft { vcpus: n.to_string(), prices: ["1".into(), String::new(), "1".into()] })
        .collect();
    let many = ProductDraft { specifications: vec![SpecificationDraft { tiers, ..vcpu_spec() }], ..complete() };
    assert_eq!(rules(&many), vec![(Rule::R19, "specifications[0].tiers".into())]);
}

#[test]
fn r19_tiers_can_be_filled_from_one_price_per_vcpu() {
    let mut spec = vcpu_spec();
    let per_vcpu = [Price::parse("0.05").unwrap(), Price::ZERO, Price::parse("240").unwrap()];
    fill_tiers_from_per_vcpu(&mut spec, per_vcpu);
    assert_eq!(spec.tiers[0].prices, ["0.10".to_string(), String::new(), "480.00".to_string()]);
    assert_eq!(spec.tiers[1].prices, ["0.20".to_string(), String::new(), "960.00".to_string()]);
}

#[test]
fn r20_an_asset_in_another_product_or_locked_cannot_be_chosen() {
    for (asset, _) in [("asset-taken", "another product"), ("asset-locked", "locked")] {
        let spec = SpecificationDraft { asset_id: asset.into(), ..simple_spec() };
        let draft = ProductDraft { specifications: vec![spec], ..complete() };
        assert_eq!(rules(&draft), vec![(Rule::R20, "specifications[0].asset_id".into())]);
    }
}

#[test]
fn r55_a_product_can_be_offered_in_several_known_regions_each_once() {
    let several = SpecificationDraft { regions: vec!["eu-dublin".into(), "ap-singapore".into(), "eu-paris".into()], ..simple_spec() };
    assert_eq!(rules(&ProductDraft { specifications: vec![several], ..complete() }), vec![]);
    let unknown = SpecificationDraft { regions: vec!["mars-1".into()], ..simple_spec() };
    assert_eq!(rules(&ProductDraft { specifications: vec![unknown], ..complete() }), vec![(Rule::R55, "specifications[0].regions".into())]);
    let twice = SpecificationDraft { regions: vec!["eu-dublin".into(), "eu-dublin".into()], ..simple_spec() };
    assert_eq!(rules(&ProductDraft { specifications: vec![twice], ..complete() }), vec![(Rule::R55, "specifications[0].regions".into())]);
}

#[test]
fn r30_a_draft_past_a_rules_limit_can_still_be_stored_but_not_an_enormous_one() {
    let over_rule = ProductDraft { name: "x".repeat(61), ..complete() };
    assert_eq!(check_draft_bounds(&over_rule), Ok(()));
    let enormous = ProductDraft { description: "d".repeat(20_001), ..complete() };
    assert!(check_draft_bounds(&enormous).unwrap_err().contains("description"));
    let many = ProductDraft { specifications: vec![simple_spec(); 51], ..complete() };
    assert!(check_draft_bounds(&many).is_err());
}

#[test]
fn the_largest_draft_the_rules_allow_passes_them_and_fits_the_storage_bounds() {
    let (draft, context) = super::sample::largest_draft();
    assert_eq!(check_draft(&draft, &context), vec![]);
    assert_eq!(super::check_draft_bounds(&draft), Ok(()));
    assert_eq!(draft.specifications.len(), MAX_SPECIFICATIONS);
    assert!(draft.specifications.iter().all(|s| s.tiers.len() == MAX_VCPU_TIERS));
}

#[test]
fn r15_a_name_with_invisible_or_control_characters_is_refused_and_cannot_shadow_a_live_name() {
    for name in ["Existing\u{200B} Product", "Existing Product\u{202E}", "Hardened\u{0}Ubuntu"] {
        let draft = ProductDraft { name: name.into(), ..complete() };
        assert_eq!(rules(&draft), vec![(Rule::R15, "name".into())], "{name:?}");
    }
    // A name is one line of plain spaces (it reaches buyers' emails and SMS as it is), and
    // more spaces between its words do not make it another name.
    for name in ["Existing Product\n\nPAYMENT FAILED: pay at evil.test", "Existing\u{00A0}Product", "\tNew product", "New product\r\n", "Cafe\u{0301} tools"] {
        let draft = ProductDraft { name: name.into(), ..complete() };
        assert_eq!(rules(&draft), vec![(Rule::R15, "name".into())], "{name:?}");
    }
    let spaced = ProductDraft { name: "existing   product".into(), ..complete() };
    assert_eq!(rules(&spaced), vec![(Rule::R15, "name".into())]);
    let summary = ProductDraft { summary: "tab\tand line\nbreaks are fine".into(), ..complete() };
    assert_eq!(rules(&summary), vec![]);
    let nul = ProductDraft { description: "pasted\u{0}".into(), ..complete() };
    let found = check_draft(&nul, &context());
    assert_eq!((found[0].rule, found[0].field.as_str()), (Rule::R15, "description"));
    assert!(found[0].message.contains("U+0000"), "{}", found[0].message);
}

#[test]
fn r32_a_drafts_problems_split_into_content_and_account_parts_that_add_up() {
    let taken = SpecificationDraft { asset_id: "asset-taken".into(), ..simple_spec() };
    let unknown = SpecificationDraft { asset_id: "asset-gone".into(), ..vcpu_spec() };
    let empty = SpecificationDraft { asset_id: String::new(), regions: vec![], ..simple_spec() };
    let drafts = [
        complete(),
        ProductDraft::default(),
        ProductDraft { name: "Existing Product".into(), ..complete() },
        ProductDraft { name: "x".repeat(61), specifications: vec![taken.clone(), unknown.clone()], ..complete() },
        ProductDraft { specifications: vec![empty, taken, simple_spec(), unknown], pricing_mode: None, ..complete() },
        ProductDraft { name: "Existing\u{200B} Product".into(), ..complete() },
    ];
    let context = context();
    for draft in drafts {
        let asset_ids: Vec<String> = draft.specifications.iter().map(|s| s.asset_id.clone()).collect();
        let split = content_problems(&draft, &context.policy) + account_problems(&draft.name, &asset_ids, &context);
        assert_eq!(split, check_draft(&draft, &context).len(), "{draft:?}");
    }
}
