use super::*;
use crate::after_release::tests::vcpu;
use crate::after_release::tier_prices_of;
use crate::price::Price;
use crate::review::day_number;

const HOUR: i64 = 3_600_000;

fn at(year: i32, month: u32, day: u32, hour: i64, minute: i64) -> i64 {
    day_number(year, month, day) * MS_PER_DAY + hour * HOUR + minute * 60_000
}

fn zone(minutes: i32) -> WorkCalendar {
    WorkCalendar { utc_offset_minutes: minutes, holidays: vec![] }
}

/// The product the tests change: one vCPU specification (2 vCPUs: $0.10 / $50; 4 vCPUs: $0.20 / $100).
fn product() -> Product {
    crate::after_release::tests::product(vec![vcpu()])
}

fn typed(rows: [[&str; 3]; 2]) -> Vec<Vec<TierPrices>> {
    vec![rows.iter().map(|r| r.map(String::from)).collect()]
}

fn change(vcpus: u32, billing: BillingMode, old: &str, new: &str) -> PriceChange {
    PriceChange { specification: 0, vcpus, billing, old: Price::parse(old).unwrap(), new: Price::parse(new).unwrap() }
}

/// Each case: saved at, notice days, and the instant the increase takes effect (UTC).
fn takes_effect_in_utc(cases: &[(i64, u32, i64)]) {
    for &(saved, days, expected) in cases {
        assert_eq!(increase_takes_effect(&zone(0), saved, days), expected, "saved {saved}, {days} days");
    }
}

#[test]
fn r70_an_increase_takes_effect_at_the_start_of_a_day_after_the_whole_notice() {
    takes_effect_in_utc(&[
        // Sunday 2026-11-29 13:30 + 90 days = Saturday 2027-02-27 13:30: from Sunday 28th.
        (at(2026, 11, 29, 13, 30), 90, at(2027, 2, 28, 0, 0)),
        // Weekends count: a Friday afternoon plus 1 day is Saturday afternoon, so from Sunday.
        (at(2026, 11, 27, 15, 0), 1, at(2026, 11, 29, 0, 0)),
        // Saved exactly at midnight: the notice ends at a midnight, and that is the date.
        (at(2026, 12, 1, 0, 0), 90, at(2027, 3, 1, 0, 0)),
    ]);
}

#[test]
fn r70_month_ends_and_leap_years() {
    takes_effect_in_utc(&[
        // 2027-11-30 + 90 days = 2028-02-28 (a leap year): from 2028-02-29.
        (at(2027, 11, 30, 9, 0), 90, at(2028, 2, 29, 0, 0)),
        // 31 January + 30 days = 2 March in 2027: from 3 March.
        (at(2027, 1, 31, 8, 0), 30, at(2027, 3, 3, 0, 0)),
        // A year-end crossing: 2026-12-31 23:59 + 1 day → from 2027-01-02.
        (at(2026, 12, 31, 23, 59), 1, at(2027, 1, 2, 0, 0)),
    ]);
}

#[test]
fn r70_the_day_is_the_marketplaces_own() {
    // 2026-11-29 20:00 UTC is already 30 November 04:00 in Singapore (+08:00).
    let singapore = zone(8 * 60);
    let saved = at(2026, 11, 29, 20, 0);
    // 90 days later is 28 February 04:00 local: from local midnight of 1 March, which is
    // 28 February 16:00 UTC.
    assert_eq!(increase_takes_effect(&singapore, saved, 90), at(2027, 2, 28, 16, 0));
    assert_eq!(local_date(&singapore, at(2027, 2, 28, 16, 0)), "2027-03-01");
    // West of UTC: 2026-11-30 02:00 UTC is 29 November 23:00 at -03:00.
    let brasilia = zone(-3 * 60);
    assert_eq!(increase_takes_effect(&brasilia, at(2026, 11, 30, 2, 0), 1), at(2026, 12, 1, 3, 0));
    // Whatever the zone, the notice is never shorter than promised.
    for offset in [-12 * 60, -210, 0, 345, 14 * 60] {
        for hour in 0..24 {
            let saved = at(2026, 11, 29, hour, 17);
            let from = increase_takes_effect(&zone(offset), saved, 90);
            assert!(from >= saved + 90 * MS_PER_DAY && from < saved + 91 * MS_PER_DAY, "offset {offset}, hour {hour}");
        }
    }
}

#[test]
fn r70_decreases_apply_at_once_and_increases_wait() {
    let product = product();
    // Tier 2 monthly down 50 → 45; tier 4 hourly up 0.20 → 0.25.
    let plan = plan_tier_prices(&product, &typed([["0.10", "45", ""], ["0.25", "100", ""]]), &[]).unwrap();
    assert_eq!(plan.now, vec![change(2, BillingMode::Monthly, "50", "45")]);
    assert_eq!(plan.later, vec![change(4, BillingMode::PayPerUse, "0.20", "0.25")]);
    assert!(plan.replaced.is_empty());
    // The product carries the decrease only: the increase waits.
    assert_eq!(tier_prices_of(&plan.product)[0], typed([["0.10", "45.00", ""], ["0.20", "100.00", ""]])[0]);
}

#[test]
fn r70_unchanged_prices_plan_nothing_and_bad_prices_are_refused() {
    let product = product();
    let plan = plan_tier_prices(&product, &tier_prices_of(&product), &[]).unwrap();
    assert!(plan.is_empty());
    assert_eq!(plan.product, product);
    let refused = plan_tier_prices(&product, &typed([["0", "45", ""], ["0.25", "100", ""]]), &[]).unwrap_err();
    assert_eq!(refused[0].rule, Rule::R19);
}

#[test]
fn r73_a_new_price_replaces_the_increase_waiting_for_its_tier() {
    let product = product();
    let waiting = vec![change(4, BillingMode::PayPerUse, "0.20", "0.25"), change(2, BillingMode::Monthly, "50", "60")];
    // Typed as it is today, or as the increase waiting: nothing changes.
    let same = plan_tier_prices(&product, &typed([["0.10", "50", ""], ["0.25", "100", ""]]), &waiting).unwrap();
    assert!(same.is_empty());
    // A higher price for tier 4 replaces its waiting increase, with a new notice.
    let higher = plan_tier_prices(&product, &typed([["0.10", "50", ""], ["0.30", "100", ""]]), &waiting).unwrap();
    assert_eq!((higher.later, higher.replaced), (vec![change(4, BillingMode::PayPerUse, "0.20", "0.30")], vec![0]));
    // A lower price for tier 2 replaces its waiting increase and applies at once.
    let lower = plan_tier_prices(&product, &typed([["0.10", "40", ""], ["0.20", "100", ""]]), &waiting).unwrap();
    assert_eq!((lower.now, lower.replaced), (vec![change(2, BillingMode::Monthly, "50", "40")], vec![1]));
    assert!(lower.later.is_empty());
}

#[test]
fn r73_a_scheduled_increase_can_be_cancelled_only_before_its_date() {
    let from = at(2027, 2, 28, 0, 0);
    assert_eq!(check_cancel(from, from - 1), Ok(()));
    assert_eq!(check_cancel(from, from).unwrap_err().rule, Rule::R73);
}

#[test]
fn a_scheduled_price_finds_its_tier_and_nothing_else() {
    let mut product = product();
    assert!(set_tier_price(&mut product, &change(4, BillingMode::Monthly, "100", "120")));
    assert_eq!(tier_prices_of(&product)[0][1][1], "120.00");
    assert!(!set_tier_price(&mut product, &change(16, BillingMode::Monthly, "100", "120")), "no 16-vCPU tier");
    assert!(!set_tier_price(&mut product, &change(4, BillingMode::Yearly, "100", "120")), "not offered yearly");
}
