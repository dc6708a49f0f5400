//! The checks of a draft (R10–R16, R18–R22, R55): every problem at once, each with its rule
//! and field; and the tier-price rule (R19) that price changes after release share.

use super::*;
use crate::price::Price;
use crate::{text, FieldPath, Rule, RuleViolation};

/// Every rule the draft breaks; empty when it may be submitted.
pub fn check_draft(draft: &ProductDraft, context: &ReleaseContext) -> Vec<RuleViolation> {
    let mut found = Vec::new();
    let policy = &context.policy;
    if !policy.sales_types.iter().any(|t| t == &draft.sales_type) {
        found.push(RuleViolation::new(Rule::R10, "sales_type", "Choose a sales type."));
    }
    if draft.delivery_method != DELIVERY_METHOD_IMAGE {
        found.push(RuleViolation::new(Rule::R11, "delivery_method", "Set Delivery Method to Image."));
    }
    match draft.pricing_mode {
        None => found.push(RuleViolation::new(Rule::R12, "pricing_mode", "Choose a pricing mode.")),
        Some(PricingMode::FreeImage) => {
            if draft.priced_by_vcpu() {
                found.push(RuleViolation::new(
                    Rule::R13,
                    "pricing_mode",
                    "An image priced by vCPUs cannot be released as a free image.",
                ));
            }
        }
        Some(PricingMode::Charged) => {}
    }
    check_details(draft, context, &mut found);
    if draft.specifications.is_empty() {
        found.push(RuleViolation::new(Rule::R16, "specifications", "Add at least one specification."));
    }
    if draft.specifications.len() > MAX_SPECIFICATIONS {
        found.push(RuleViolation::new(
            Rule::R16,
            "specifications",
            format!("A product can have at most {MAX_SPECIFICATIONS} specifications."),
        ));
    }
    let free = draft.pricing_mode == Some(PricingMode::FreeImage);
    for (index, spec) in draft.specifications.iter().enumerate() {
        check_specification(index, spec, free, context, &mut found);
    }
    found
}

fn check_details(draft: &ProductDraft, context: &ReleaseContext, found: &mut Vec<RuleViolation>) {
    found.extend(check_name(&draft.name, &context.live_product_names));
    let too_long = |field: &str, text: &str, max: usize, what: &str, found: &mut Vec<RuleViolation>| {
        if text.chars().count() > max {
            found.push(RuleViolation::new(Rule::R15, field, format!("{what} has at most {max} characters.")));
        }
    };
    too_long("summary", &draft.summary, MAX_SUMMARY_CHARS, "The summary", found);
    too_long("description", &draft.description, MAX_DESCRIPTION_CHARS, "The description", found);
    too_long("version", &draft.version, MAX_VERSION_CHARS, "The version", found);
    if draft.summary.trim().is_empty() {
        found.push(RuleViolation::new(Rule::R15, "summary", "Enter a summary."));
    }
    if draft.version.trim().is_empty() {
        found.push(RuleViolation::new(Rule::R15, "version", "Enter a version."));
    }
    for (field, what, text) in [
        ("summary", "summary", &draft.summary),
        ("description", "description", &draft.description),
        ("version", "version", &draft.version),
        ("support_email", "support email", &draft.support_email),
    ] {
        if let Some(c) = text::first_control(text) {
            found.push(RuleViolation::new(
                Rule::R15,
                field,
                format!("Remove the control character ({}) from the {what}.", text::code_point(c)),
            ));
        }
    }
    if !context.policy.categories.iter().any(|c| c == &draft.category) {
        found.push(RuleViolation::new(Rule::R15, "category", "Choose a category."));
    }
    if !looks_like_email(draft.support_email.trim()) {
        found.push(RuleViolation::new(Rule::R15, "support_email", "Enter a support email address, such as support@example.com."));
    }
}

/// What is wrong with a product name, if anything (R15): empty, too long, holding
/// characters that hide what it says, or already the name of one of the seller's live
/// products (`live`).
fn check_name(name: &str, live: &[String]) -> Option<RuleViolation> {
    // Only plain spaces are trimmed: a line break or tab at either end is refused with the rest.
    let name = name.trim_matches(' ');
    let chars = name.chars().count();
    let problem = if chars == 0 {
        "Enter a product name.".to_owned()
    } else if chars > MAX_NAME_CHARS {
        format!("A name has at most {MAX_NAME_CHARS} characters.")
    } else if let Some(problem) = text::name_problem(name) {
        problem
    } else if live.iter().any(|n| text::same_name(n, name)) {
        "You already have a product with this name.".to_owned()
    } else {
        return None;
    };
    Some(RuleViolation::new(Rule::R15, "name", problem))
}

/// A plain check for the shape `local@domain.tld`; the mailbox itself is not verified.
fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && text.len() <= 254
                && !text.contains(char::is_whitespace)
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }
        None => false,
    }
}

fn check_specification(
    index: usize,
    spec: &SpecificationDraft,
    free: bool,
    context: &ReleaseContext,
    found: &mut Vec<RuleViolation>,
) {
    let field = |name: &str| FieldPath::of_specification(index, name);
    if let Some((rule, message)) = asset_problem(&spec.asset_id, context) {
        found.push(RuleViolation::new(rule, field("asset_id"), message));
    }
    if spec.regions.is_empty() {
        found.push(RuleViolation::new(Rule::R16, field("regions"), "Choose one or more regions."));
    }
    for region in &spec.regions {
        if !context.policy.regions.contains(region) {
            found.push(RuleViolation::new(Rule::R55, field("regions"), format!("{region} is not a region products can be offered in.")));
        }
    }
    let mut sorted = spec.regions.clone();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != spec.regions.len() {
        found.push(RuleViolation::new(Rule::R55, field("regions"), "Each region can be chosen once."));
    }
    if free {
        // R14: a free image is $0 everywhere; no price needs entering, so none is checked.
        return;
    }
    if !spec.billing.iter().any(|on| *on) {
        found.push(RuleViolation::new(Rule::R18, field("billing"), "Offer at least one billing mode."));
    }
    let enabled = BillingMode::ALL.into_iter().enumerate().filter(|(i, _)| spec.billing[*i]);
    match spec.template {
        TemplateKind::Simple => {
            for (i, mode) in enabled {
                if let Err(e) = Price::parse(&spec.simple_prices[i]) {
                    found.push(RuleViolation::new(Rule::R18, FieldPath::simple_price(index, mode), e.message()));
                }
            }
        }
        TemplateKind::Vcpu => check_tiers(index, spec, enabled.collect(), found),
    }
}

/// Why a specification cannot use the asset `asset_id`, if it cannot: it is not one of the
/// seller's assets (R16), or it is taken by another product or locked (R20).
fn asset_problem(asset_id: &str, context: &ReleaseContext) -> Option<(Rule, &'static str)> {
    match context.assets.iter().find(|(id, _)| id == asset_id) {
        None => Some((Rule::R16, "Choose one of your image assets.")),
        Some((_, AssetAvailability::InAnotherProduct)) => {
            Some((Rule::R20, "This image asset is already in another product that is in review or released."))
        }
        Some((_, AssetAvailability::Locked)) => Some((Rule::R20, "This image asset is locked by a released product.")),
        Some((_, AssetAvailability::Available)) => None,
    }
}

/// How many of a draft's problems ([`check_draft`]) come from its content alone, whatever
/// the seller's assets and products are. Stored with each saved draft, so the Drafts list
/// does not read and judge every whole draft each time it is shown.
pub fn content_problems(draft: &ProductDraft, policy: &CatalogPolicy) -> usize {
    let neutral = ReleaseContext {
        policy: policy.clone(),
        assets: draft.specifications.iter().map(|s| (s.asset_id.clone(), AssetAvailability::Available)).collect(),
        live_product_names: Vec::new(),
    };
    check_draft(draft, &neutral).len()
}

/// How many of a draft's problems come from the seller's account as it is now: the assets
/// its specifications name (R16, R20) and its name among the live products (R15). With
/// [`content_problems`], this adds up to `check_draft(draft, context).len()`.
pub fn account_problems(name: &str, asset_ids: &[String], context: &ReleaseContext) -> usize {
    let name_taken = name_taken(name, &context.live_product_names).is_some();
    usize::from(name_taken) + asset_ids.iter().filter(|id| asset_problem(id, context).is_some()).count()
}

/// R15's one check against the seller's products: `name`, a valid name, is one of `live`.
/// Also checked when a request is approved, as two requests of one name may wait side by side.
pub fn name_taken(name: &str, live: &[String]) -> Option<RuleViolation> {
    check_name(name, live).filter(|_| check_name(name, &[]).is_none())
}

/// A vCPU tier's price as typed, if it is one (R19): a valid price (R18's format) above $0.
/// The wizard and price changes after release (R54) both judge tier prices with this.
pub fn tier_price(text: &str) -> Result<Price, &'static str> {
    match Price::parse(text) {
        Ok(price) if price.is_zero() => Err("A vCPU tier price must be more than 0."),
        Ok(price) => Ok(price),
        Err(error) => Err(error.message()),
    }
}

fn check_tiers(index: usize, spec: &SpecificationDraft, enabled: Vec<(usize, BillingMode)>, found: &mut Vec<RuleViolation>) {
    let tiers = FieldPath::of_specification(index, "tiers");
    if spec.tiers.is_empty() {
        found.push(RuleViolation::new(Rule::R19, &tiers, "Add at least one vCPU tier."));
    }
    if spec.tiers.len() > MAX_VCPU_TIERS {
        found.push(RuleViolation::new(Rule::R19, &tiers, format!("A template has at most {MAX_VCPU_TIERS} vCPU tiers.")));
    }
    let mut previous: Option<u32> = None;
    for (t, tier) in spec.tiers.iter().enumerate() {
        match tier.vcpus.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_VCPUS).contains(&n) => {
                if previous.is_some_and(|p| n <= p) {
                    found.push(RuleViolation::new(
                        Rule::R19,
                        FieldPath::tier_vcpus(index, t),
                        "vCPU counts must be distinct and in ascending order.",
                    ));
                }
                previous = Some(n);
            }
            _ => found.push(RuleViolation::new(
                Rule::R19,
                FieldPath::tier_vcpus(index, t),
                format!("Enter a whole number of vCPUs from 1 to {MAX_VCPUS}."),
            )),
        }
        for (i, mode) in &enabled {
            if let Err(message) = tier_price(&tier.prices[*i]) {
                found.push(RuleViolation::new(Rule::R19, FieldPath::tier_price(index, t, *mode), message));
            }
        }
    }
}

/// Fills a tier table from one price per vCPU: each tier's price is its vCPU count times
/// `per_vcpu`, for every enabled billing mode. Tiers whose count does not parse are left.
pub fn fill_tiers_from_per_vcpu(spec: &mut SpecificationDraft, per_vcpu: [Price; 3]) {
    for tier in &mut spec.tiers {
        if let Ok(n) = tier.vcpus.trim().parse::<i64>() {
            for (i, price) in per_vcpu.iter().enumerate() {
                if spec.billing[i] {
                    tier.prices[i] = Price::from_cents(price.cents().saturating_mul(n)).to_string();
                }
            }
        }
    }
}
