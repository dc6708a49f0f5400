//! Notice before a price rises (R70, R73): new vCPU tier prices split into the decreases,
//! which apply at once, and the increases, which wait for the notice period; a new price
//! for a tier with an increase waiting replaces it. Judged the same way in the price editor
//! (to say, before saving, what applies when) and on the server.

use super::after_release::{apply_tier_prices, PriceChange, TierPrices};
use super::product::{Pricing, Product};
use super::release::BillingMode;
use super::review::WorkCalendar;
use super::{Rule, RuleViolation};

const MS_PER_DAY: i64 = 86_400_000;

/// How long buyers are told before a price rises, unless the operator says otherwise.
pub const DEFAULT_NOTICE_DAYS: u32 = 90;

/// When an increase saved at `now_ms` takes effect (R70): the start of the first day, in the
/// marketplace's time zone, that begins at least `notice_days` whole days after `now_ms`.
/// Calendar days: weekends and holidays count, so buyers get the full notice and a date.
pub fn increase_takes_effect(calendar: &WorkCalendar, now_ms: i64, notice_days: u32) -> i64 {
    let earliest = now_ms + i64::from(notice_days) * MS_PER_DAY;
    let day = calendar.local_day(earliest - 1) + 1;
    day * MS_PER_DAY - i64::from(calendar.utc_offset_minutes) * 60_000
}

/// The marketplace's date of an instant, as `2027-02-28`: how the day an increase takes
/// effect is shown to sellers and buyers.
pub fn local_date(calendar: &WorkCalendar, at_ms: i64) -> String {
    let (y, m, d) = super::review::civil_date(calendar.local_day(at_ms));
    format!("{y:04}-{m:02}-{d:02}")
}

/// What saving new tier prices does (R70, R73): the product with the decreases applied,
/// the decreases (`now`), the increases to schedule (`later`, each from the current price),
/// and which of the increases already waiting (`replaced`, as indexes into `pending`) the
/// new prices take the place of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricePlan {
    pub product: Product,
    pub now: Vec<PriceChange>,
    pub later: Vec<PriceChange>,
    pub replaced: Vec<usize>,
}

impl PricePlan {
    pub fn is_empty(&self) -> bool {
        self.now.is_empty() && self.later.is_empty() && self.replaced.is_empty()
    }
}

fn same_price(a: &PriceChange, b: &PriceChange) -> bool {
    a.specification == b.specification && a.vcpus == b.vcpus && a.billing == b.billing
}

/// Plans new tier prices for a released product (R54 checks them first; R70 splits them;
/// R73 replaces). `pending` holds the increases already waiting: a price typed as it is
/// now, or as the increase waiting for it, changes nothing; any other new price replaces
/// the waiting increase, applying at once when lower than today's price and waiting a new
/// notice period when higher.
pub fn plan_tier_prices(product: &Product, prices: &[Vec<TierPrices>], pending: &[PriceChange]) -> Result<PricePlan, Vec<RuleViolation>> {
    let (_, changes) = apply_tier_prices(product, prices)?;
    let mut plan = PricePlan { product: product.clone(), now: Vec::new(), later: Vec::new(), replaced: Vec::new() };
    for change in changes {
        let waiting = pending.iter().position(|p| same_price(p, &change));
        if waiting.is_some_and(|w| pending[w].new == change.new) {
            continue;
        }
        plan.replaced.extend(waiting);
        if change.new < change.old {
            set_tier_price(&mut plan.product, &change);
            plan.now.push(change);
        } else {
            plan.later.push(change);
        }
    }
    Ok(plan)
}

/// The product with one tier price set to `change.new`; `false` if the product has no such
/// tier price (its tiers never change after release, so a scheduled change always finds it).
pub fn set_tier_price(product: &mut Product, change: &PriceChange) -> bool {
    let m = BillingMode::ALL.iter().position(|b| *b == change.billing);
    let spec = product.specifications.get_mut(change.specification);
    let tier = spec.and_then(|s| match &mut s.pricing {
        Pricing::Vcpu(tiers) => tiers.iter_mut().find(|t| t.vcpus == change.vcpus),
        Pricing::Simple(_) => None,
    });
    match (tier, m) {
        (Some(tier), Some(m)) if tier.prices[m].is_some() => {
            tier.prices[m] = Some(change.new);
            true
        }
        _ => false,
    }
}

/// Whether a scheduled increase can still be cancelled (R73): only before its date.
pub fn check_cancel(takes_effect_at: i64, now_ms: i64) -> Result<(), RuleViolation> {
    if now_ms >= takes_effect_at {
        return Err(RuleViolation::new(Rule::R73, "scheduled", "This increase has already taken effect; it can no longer be cancelled."));
    }
    Ok(())
}

#[cfg(test)]
#[path = "notice_tests.rs"]
mod tests;
