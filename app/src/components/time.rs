//! Showing stored timestamps (milliseconds since the epoch) to people: the one place times
//! are formatted. Dates are the rule book's ([`format_utc`]), which the command-line tool shares.

pub use crate::rules::review::format_utc;

/// "hh:mm:ss UTC": a time of today, to the second (when the wizard last saved). UTC, as every
/// other time the console shows, in the browser too.
pub fn clock_time(ms: i64) -> String {
    let secs = ms.rem_euclid(86_400_000) / 1000;
    format!("{:02}:{:02}:{:02} UTC", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::{clock_time, format_utc};

    #[test]
    fn timestamps_are_shown_as_utc_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(1_796_107_560_000), "2026-12-01 06:46 UTC");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(format_utc(-60_000), "1969-12-31 23:59 UTC", "before the epoch");
    }

    #[test]
    fn clock_times_say_their_zone() {
        assert_eq!(clock_time(1_796_107_561_000), "06:46:01 UTC");
    }
}
