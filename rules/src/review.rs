//! When a release request's review is due (R41), and which calendar day a submission falls
//! on (R42), in the marketplace's time zone. Plain calendar arithmetic on milliseconds
//! since the Unix epoch; no time-zone database: the zone is a fixed offset from UTC.

const MS_PER_DAY: i64 = 86_400_000;
/// Working days a review may take (R41).
pub const REVIEW_WORKING_DAYS: u32 = 3;

/// The marketplace's working calendar: its offset from UTC and its holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    pub utc_offset_minutes: i32,
    /// Holidays, as day numbers ([`day_number`]), in any order.
    pub holidays: Vec<i64>,
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn day_number(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// When a pending request is due, in the words the console and the command-line tool both
/// show (R41, R42): by the last minute of its working day (`due_at` is the midnight that
/// ends it), so that midnight does not read as the next day; a busy day's request is not
/// held to the date, which is only what is usual.
pub fn due_by(due_at: i64, busy_day: bool) -> String {
    let at = format_utc(due_at - 60_000);
    if busy_day {
        format!("Usually by {at}")
    } else {
        format!("Due by {at}")
    }
}

/// `2026-11-28 06:46 UTC` for a timestamp in milliseconds since the epoch: how times are
/// shown to people, in the console and by the command-line tool.
pub fn format_utc(ms: i64) -> String {
    const MS_PER_DAY: i64 = 86_400_000;
    let (y, m, d) = civil_date(ms.div_euclid(MS_PER_DAY));
    let minutes = ms.rem_euclid(MS_PER_DAY) / 60_000;
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", minutes / 60, minutes % 60)
}

/// The civil date (year, month, day) of a day number.
pub fn civil_date(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

/// Reads "YYYY-MM-DD" as a day number; `None` if it is not a real date.
pub fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let days = day_number(year, month, day);
    (civil_date(days) == (year, month, day)).then_some(days)
}

impl WorkCalendar {
    fn offset_ms(&self) -> i64 {
        i64::from(self.utc_offset_minutes) * 60_000
    }

    /// The marketplace's calendar day of an instant (R42 counts requests per such day).
    pub fn local_day(&self, at_ms: i64) -> i64 {
        (at_ms + self.offset_ms()).div_euclid(MS_PER_DAY)
    }

    /// Monday to Friday, and not a holiday.
    pub fn is_working_day(&self, day: i64) -> bool {
        let weekday = (day + 3).rem_euclid(7); // 0 = Monday; 1970-01-01 was a Thursday
        weekday < 5 && !self.holidays.contains(&day)
    }

    /// When the review of a request submitted at `submitted_ms` is due (R41): the end of the
    /// third working day after the day it was submitted, in the marketplace's time zone.
    pub fn review_due(&self, submitted_ms: i64) -> i64 {
        let mut day = self.local_day(submitted_ms);
        let mut counted = 0;
        // A calendar needs more than ten years of holidays in a row to stop this early.
        for _ in 0..3_660 {
            if counted == REVIEW_WORKING_DAYS {
                break;
            }
            day += 1;
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        (day + 1) * MS_PER_DAY - self.offset_ms()
    }

    pub fn is_overdue(&self, submitted_ms: i64, now_ms: i64) -> bool {
        now_ms >= self.review_due(submitted_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    fn at(year: i32, month: u32, day: u32, hour: i64, minute: i64) -> i64 {
        day_number(year, month, day) * MS_PER_DAY + hour * HOUR + minute * 60_000
    }

    fn due_day(calendar: &WorkCalendar, submitted: i64) -> (i32, u32, u32) {
        // The due instant is the end of the due day, so the day is the one just before it.
        civil_date(calendar.local_day(calendar.review_due(submitted) - 1))
    }

    #[test]
    fn r41_r42_a_due_date_reads_as_the_last_minute_of_its_day_and_a_busy_day_only_as_usual() {
        let midnight = at(2026, 12, 4, 0, 0);
        assert_eq!(due_by(midnight, false), "Due by 2026-12-03 23:59 UTC");
        assert_eq!(due_by(midnight, true), "Usually by 2026-12-03 23:59 UTC");
    }

    #[test]
    fn dates_convert_both_ways_and_bad_dates_are_refused() {
        assert_eq!(day_number(1970, 1, 1), 0);
        assert_eq!(civil_date(day_number(2028, 2, 29)), (2028, 2, 29));
        assert_eq!(parse_date("2026-12-25"), Some(day_number(2026, 12, 25)));
        assert_eq!(parse_date("2026-02-29"), None, "2026 is not a leap year");
        assert_eq!(parse_date("25/12/2026"), None);
    }

    #[test]
    fn r41_three_working_days_after_a_weekday_submission() {
        let utc = WorkCalendar::default();
        // Monday 2026-11-23 10:00 → end of Thursday 2026-11-26.
        assert_eq!(due_day(&utc, at(2026, 11, 23, 10, 0)), (2026, 11, 26));
        assert_eq!(utc.review_due(at(2026, 11, 23, 10, 0)), at(2026, 11, 27, 0, 0));
    }

    #[test]
    fn r41_weekends_are_skipped() {
        let utc = WorkCalendar::default();
        // Friday 2026-11-27 → Monday, Tuesday, Wednesday.
        assert_eq!(due_day(&utc, at(2026, 11, 27, 15, 0)), (2026, 12, 2));
        // Saturday and Sunday submissions are due the same Wednesday.
        assert_eq!(due_day(&utc, at(2026, 11, 28, 9, 0)), (2026, 12, 2));
        assert_eq!(due_day(&utc, at(2026, 11, 29, 23, 0)), (2026, 12, 2));
    }

    #[test]
    fn r41_holidays_are_skipped_across_the_year_end() {
        let calendar = WorkCalendar {
            utc_offset_minutes: 0,
            holidays: vec![parse_date("2026-12-25").unwrap(), parse_date("2027-01-01").unwrap()],
        };
        // Thursday 2026-12-24 → Friday is a holiday → Monday 28, Tuesday 29, Wednesday 30.
        assert_eq!(due_day(&calendar, at(2026, 12, 24, 12, 0)), (2026, 12, 30));
        // Thursday 2026-12-31 → Friday 1 January is a holiday → Monday 4 … Wednesday 6.
        assert_eq!(due_day(&calendar, at(2026, 12, 31, 12, 0)), (2027, 1, 6));
    }

    #[test]
    fn r41_month_ends_and_leap_days() {
        let utc = WorkCalendar::default();
        // Friday 2026-01-30 → Monday 2 February … Wednesday 4 February.
        assert_eq!(due_day(&utc, at(2026, 1, 30, 8, 0)), (2026, 2, 4));
        // Monday 2028-02-28 → Tuesday 29 (a leap day), Wednesday 1 March, Thursday 2 March.
        assert_eq!(due_day(&utc, at(2028, 2, 28, 8, 0)), (2028, 3, 2));
    }

    #[test]
    fn r41_a_minute_before_and_at_midnight_fall_on_different_days() {
        let utc = WorkCalendar::default();
        // Tuesday 23:59 counts from Tuesday; Wednesday 00:00 from Wednesday.
        assert_eq!(due_day(&utc, at(2026, 11, 24, 23, 59)), (2026, 11, 27));
        assert_eq!(due_day(&utc, at(2026, 11, 25, 0, 0)), (2026, 11, 30));
    }

    #[test]
    fn r41_days_are_counted_in_the_marketplace_time_zone() {
        let singapore = WorkCalendar { utc_offset_minutes: 8 * 60, holidays: vec![] };
        // Friday 2026-11-27 17:00 UTC is already Saturday 01:00 in UTC+8.
        let submitted = at(2026, 11, 27, 17, 0);
        assert_eq!(singapore.local_day(submitted), day_number(2026, 11, 28));
        assert_eq!(due_day(&singapore, submitted), (2026, 12, 2));
        // Due at the end of Wednesday in UTC+8, which is 16:00 UTC.
        assert_eq!(singapore.review_due(submitted), at(2026, 12, 2, 16, 0));
    }

    #[test]
    fn r41_a_request_is_overdue_from_its_due_instant_on() {
        let utc = WorkCalendar::default();
        let submitted = at(2026, 11, 23, 10, 0);
        let due = utc.review_due(submitted);
        assert!(!utc.is_overdue(submitted, due - 1));
        assert!(utc.is_overdue(submitted, due));
    }
}
