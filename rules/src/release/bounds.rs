//! The storage limits of a draft, separate from the rules it is judged by.

use super::ProductDraft;

/// How much a draft may hold at all, complete or not. Generous beside the rules in `release`, so
/// that what a seller typed past a rule's limit is still saved (and shown as a problem),
/// while a forged request cannot make the server store anything large.
///
/// Each is twice what the rules allow (or a little more), which is room enough to type past
/// a limit and see the problem; the largest draft these allow is about 150 KB of JSON (it
/// was 1.1 MB before the hardening review, and 20 such saves grew a database by 25 MB).
pub mod storage_bounds {
    use super::super::{MAX_DESCRIPTION_CHARS, MAX_SPECIFICATIONS, MAX_VCPU_TIERS};
    pub const SPECIFICATIONS: usize = 2 * MAX_SPECIFICATIONS;
    pub const TIERS: usize = 2 * MAX_VCPU_TIERS;
    /// Each region can be chosen once (R55); there are far fewer to choose from.
    pub const REGIONS: usize = 16;
    pub const SHORT_TEXT: usize = 500;
    pub const DESCRIPTION: usize = 2 * MAX_DESCRIPTION_CHARS;
    /// An asset id, a region, a vCPU count or a price as typed.
    pub const FIELD: usize = 32;
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
        if texts.into_iter().any(|t| t.chars().count() > FIELD) {
            return Err(format!("A specification field is too long to save ({FIELD} characters at most)."));
        }
    }
    Ok(())
}
