//! Prices as typed in the editor's fields, beside the prices saved.

use crate::rules::after_release::TierPrices;

/// The prices the fields show when a change made elsewhere on the page answers with the
/// prices `answered`: those, but for each price typed differently from `before` (the prices
/// saved as the answer comes), which stays as typed. Prices of another shape are the answer's.
pub(super) fn keep_typed(before: &[Vec<TierPrices>], typed: &[Vec<TierPrices>], mut answered: Vec<Vec<TierPrices>>) -> Vec<Vec<TierPrices>> {
    let same_shape = |a: &[Vec<TierPrices>], b: &[Vec<TierPrices>]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.len() == y.len());
    if !same_shape(before, typed) || !same_shape(before, &answered) {
        return answered;
    }
    for ((spec, was), now) in answered.iter_mut().zip(before).zip(typed) {
        for ((tier, was), now) in spec.iter_mut().zip(was).zip(now) {
            for ((price, was), now) in tier.iter_mut().zip(was).zip(now) {
                if was != now {
                    price.clone_from(now);
                }
            }
        }
    }
    answered
}

#[cfg(test)]
mod tests {
    use super::keep_typed;

    fn prices(rows: &[[&str; 3]]) -> Vec<Vec<[String; 3]>> {
        vec![rows.iter().map(|r| r.map(str::to_owned)).collect()]
    }

    /// Two specifications: `first`'s tiers, then `second`'s.
    fn two(first: &[[&str; 3]], second: &[[&str; 3]]) -> Vec<Vec<[String; 3]>> {
        [prices(first), prices(second)].concat()
    }

    #[test]
    fn a_change_made_elsewhere_keeps_the_prices_typed_and_takes_the_others() {
        let before = prices(&[["1", "", "10"], ["2", "", "20"]]);
        let typed = prices(&[["1", "", "12"], ["2", "", "20"]]);
        let answered = prices(&[["1", "", "10"], ["3", "", "20"]]);
        assert_eq!(keep_typed(&before, &typed, answered), prices(&[["1", "", "12"], ["3", "", "20"]]));
    }

    #[test]
    fn each_specification_keeps_its_own_typed_prices() {
        let before = two(&[["1", "", ""]], &[["", "10", ""], ["", "20", ""]]);
        let typed = two(&[["1", "", ""]], &[["", "10", ""], ["", "25", ""]]);
        let answered = two(&[["2", "", ""]], &[["", "11", ""], ["", "20", ""]]);
        assert_eq!(keep_typed(&before, &typed, answered), two(&[["2", "", ""]], &[["", "11", ""], ["", "25", ""]]));
    }

    #[test]
    fn nothing_typed_shows_the_answer_and_another_shape_is_the_answer_whole() {
        let before = prices(&[["1", "", "10"]]);
        let answered = prices(&[["5", "", "50"]]);
        assert_eq!(keep_typed(&before, &before, answered.clone()), answered);
        let typed = prices(&[["1", "", "12"]]);
        let reshaped = prices(&[["5", "", "50"], ["6", "", "60"]]);
        assert_eq!(keep_typed(&before, &typed, reshaped.clone()), reshaped);
    }
}
