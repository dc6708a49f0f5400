//! The storage limits of a draft, separate from the rules it is judged by.

use super::ProductDraft;

/// How much a draft may hold at all, complete or not. Generous beside the rules in `release`, so
/// that what a seller typed past a rule's limit is still saved (and shown as a problem),
/// while a forged request cannot make the server store anything large.
pub mod storage_bounds {
    pub const SPECIFICATIONS: usize = 50;
    pub const TIERS: usize = 64;
    pub const REGIONS: usize = 32;
    pub const SHORT_TEXT: usize = 1_000;
    pub const DESCRIPTION: usize = 20_000;
}

/// Refuses a draft too large to store, naming what is too large.
pub fn check_draft_bounds(draft: &ProductDraft) -> Result<(), String> {
    use storage_bounds::*;
    let short = [
        ("sales type", &draft.sales_type),
        ("delivery method", &draft.delivery_method),
        ("name", &draft.name),
        ("summary", &draft.summary),
        ("category", &draft.category),
        ("version", &draft.version),
        ("support email", &draft.support_email),
    ];
    for (what, text) in short {
        if text.chars().count() > SHORT_TEXT {
            return Err(format!("The {what} is too long to save ({SHORT_TEXT} characters at most)."));
        }
    }
    if draft.description.chars().count() > DESCRIPTION {
        return Err(format!("The description is too long to save ({DESCRIPTION} characters at most)."));
    }
    if draft.specifications.len() > SPECIFICATIONS {
        return Err(format!("A draft can hold at most {SPECIFICATIONS} specifications."));
    }
    for spec in &draft.specifications {
        if spec.tiers.len() > TIERS || spec.regions.len() > REGIONS {
            return Err(format!("A specification can hold at most {TIERS} vCPU tiers and {REGIONS} regions."));
        }
        let texts = std::iter::once(&spec.asset_id)
            .chain(&spec.regions)
            .chain(&spec.simple_prices)
            .chain(spec.tiers.iter().flat_map(|t| std::iter::once(&t.vcpus).chain(&t.prices)));
        if texts.into_iter().any(|t| t.chars().count() > 64) {
            return Err("A specification field is too long to save (64 characters at most).".into());
        }
    }
    Ok(())
}
