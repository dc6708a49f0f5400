//! Prices as exact decimals: whole cents in an `i64`, never floats (R18, R19).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A price in US dollars, held as whole cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Price(i64);

/// The highest price a seller can set: $1,000,000.
pub const MAX_PRICE: Price = Price(100_000_000);

/// Why a typed price was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceError {
    Empty,
    NotANumber,
    Negative,
    TooManyDecimals,
    TooHigh,
    /// A comma that does not separate thousands (`12,50`): a decimal comma, read as one
    /// it would be 100 times the price meant, so it is refused.
    Comma,
}

impl PriceError {
    pub fn message(self) -> &'static str {
        match self {
            PriceError::Empty => "Enter a price.",
            PriceError::NotANumber => "Enter a price in US dollars, such as 12.50.",
            PriceError::Negative => "A price cannot be negative.",
            PriceError::TooManyDecimals => "A price has at most 2 decimal places.",
            PriceError::TooHigh => "A price can be at most 1,000,000 USD.",
            PriceError::Comma => "Write cents after a point, such as 12.50; a comma only separates thousands, as in 1,200.",
        }
    }
}

impl Price {
    pub const ZERO: Price = Price(0);

    pub fn from_cents(cents: i64) -> Self {
        Price(cents)
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    /// Reads a price as a seller types it: `12`, `12.5`, `12.50`, `$12.50`, `1,200.00`. A
    /// comma only separates thousands (groups of three digits before the point): `12,50`
    /// is refused, not read as 1,250 dollars.
    pub fn parse(text: &str) -> Result<Price, PriceError> {
        let text = text.trim();
        let text = text.strip_prefix('$').unwrap_or(text).trim();
        if text.is_empty() {
            return Err(PriceError::Empty);
        }
        if text.starts_with('-') {
            return Err(PriceError::Negative);
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.contains(',') || fraction.contains(',') {
            let mut groups = whole.split(',');
            let first = groups.next().unwrap_or_default();
            // `0,125` is an eighth of a dollar written with a decimal comma, never 125.
            let thousands = (1..=3).contains(&first.len()) && !first.starts_with('0') && groups.all(|g| g.len() == 3);
            if fraction.contains(',') || !thousands {
                return Err(PriceError::Comma);
            }
        }
        let whole = &whole.replace(',', "");
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
            return Err(PriceError::NotANumber);
        }
        if fraction.len() > 2 {
            return Err(PriceError::TooManyDecimals);
        }
        // More than 7 whole digits is over the maximum whatever follows; this also keeps
        // the arithmetic below far from overflow.
        let whole = whole.trim_start_matches('0');
        if whole.len() > 7 {
            return Err(PriceError::TooHigh);
        }
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| PriceError::NotANumber)? };
        let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| PriceError::NotANumber)?;
        let price = Price(whole * 100 + fraction);
        if price > MAX_PRICE {
            return Err(PriceError::TooHigh);
        }
        Ok(price)
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The sum of two prices, exactly.
    pub fn checked_add(self, other: Price) -> Option<Price> {
        self.0.checked_add(other.0).map(Price)
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A price is never negative, but a forged amount shown back in a message may be.
        let sign = if self.0 < 0 { "-" } else { "" };
        let cents = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", cents / 100, cents % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_amount_is_written_as_dollars_and_cents_even_a_forged_negative_one() {
        assert_eq!(Price::from_cents(1_250).to_string(), "12.50");
        assert_eq!(Price::from_cents(-50).to_string(), "-0.50");
        assert_eq!(Price::from_cents(i64::MIN).to_string(), "-92233720368547758.08");
    }

    #[test]
    fn r18_prices_are_read_as_exact_cents() {
        assert_eq!(Price::parse("12").unwrap().cents(), 1200);
        assert_eq!(Price::parse("12.5").unwrap().cents(), 1250);
        assert_eq!(Price::parse(" $1,200.05 ").unwrap().cents(), 120_005);
        assert_eq!(Price::parse(".5").unwrap().cents(), 50);
        assert_eq!(Price::parse("0").unwrap(), Price::ZERO);
    }

    #[test]
    fn r18_point_one_plus_point_two_is_exactly_point_three() {
        let sum = Price::parse("0.1").unwrap().checked_add(Price::parse("0.2").unwrap()).unwrap();
        assert_eq!(sum, Price::parse("0.30").unwrap());
        assert_eq!(sum.to_string(), "0.30");
    }

    #[test]
    fn r18_at_most_two_decimals_and_one_million_dollars() {
        assert_eq!(Price::parse("1.005"), Err(PriceError::TooManyDecimals));
        assert_eq!(Price::parse("1000000").unwrap(), MAX_PRICE);
        assert_eq!(Price::parse("1000000.01"), Err(PriceError::TooHigh));
        assert_eq!(Price::parse("99999999999999999999999"), Err(PriceError::TooHigh));
    }

    #[test]
    fn r18_negative_empty_and_non_numbers_are_refused() {
        assert_eq!(Price::parse("-1"), Err(PriceError::Negative));
        assert_eq!(Price::parse("  "), Err(PriceError::Empty));
        assert_eq!(Price::parse("12a"), Err(PriceError::NotANumber));
        assert_eq!(Price::parse("."), Err(PriceError::NotANumber));
        assert_eq!(Price::parse("1e3"), Err(PriceError::NotANumber));
        assert_eq!(Price::parse("1.2.3"), Err(PriceError::NotANumber));
    }

    #[test]
    fn r18_a_comma_separates_thousands_and_is_never_a_decimal_point() {
        assert_eq!(Price::parse("1,200").unwrap().cents(), 120_000);
        assert_eq!(Price::parse("$1,000,000.00").unwrap(), MAX_PRICE);
        assert_eq!(Price::parse("12,345.6").unwrap().cents(), 1_234_560);
        assert_eq!(Price::parse(" 1,000.5 ").unwrap().cents(), 100_050);
        assert_eq!(Price::parse("1,234,567"), Err(PriceError::TooHigh));
        for decimal_comma in ["12,50", "0,10", "0,15", "1,0.1", "1,2345", ",500", "1,,000", "1,000,00", "1.000,50", "12.5,0", "1,", "1000,000", "0,125", "00,500", "0,000"] {
            assert_eq!(Price::parse(decimal_comma), Err(PriceError::Comma), "{decimal_comma}");
        }
    }
}
