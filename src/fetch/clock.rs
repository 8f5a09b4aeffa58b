//! Timestamps as ISO 8601 text, without a date crate.
//!
//! Fetch needs only three things from a calendar: stamp each file and log line with the
//! current time, turn Lever's `createdAt` (milliseconds since the epoch) into a `datePosted`,
//! and compare a posting's date with `--since`. All three are plain UTC date arithmetic, so
//! this small file stands in for chrono.

use std::time::{SystemTime, UNIX_EPOCH};

/// The current time, as `2024-05-01T12:34:56Z`.
pub fn now_iso() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    iso_from_unix_millis(ms)
}

/// Milliseconds since 1970-01-01 UTC, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso_from_unix_millis(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The `YYYY-MM-DD` a date or timestamp starts with, if it starts with one.
///
/// Postings carry dates as `2024-01-10`, `2024-01-10T12:00:00-05:00` or
/// `2024-01-10T12:00:00.000Z`; the calendar day as written is what `--since` compares.
pub fn day_of(text: &str) -> Option<&str> {
    let day = text.trim().get(..10)?;
    let b = day.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let ok = digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10);
    ok.then_some(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_epoch_millis() {
        assert_eq!(iso_from_unix_millis(0), "1970-01-01T00:00:00Z");
        // Lever's documented example posting: createdAt 1710000000000.
        assert_eq!(
            iso_from_unix_millis(1_710_000_000_000),
            "2024-03-09T16:00:00Z"
        );
        assert_eq!(
            iso_from_unix_millis(951_782_400_000),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(iso_from_unix_millis(-1000), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn finds_the_day() {
        assert_eq!(day_of("2024-01-10T12:00:00-05:00"), Some("2024-01-10"));
        assert_eq!(day_of("2024-01-10"), Some("2024-01-10"));
        assert_eq!(day_of("Jan 10 2024"), None);
        assert_eq!(day_of("2024-1-10"), None);
        assert_eq!(day_of(""), None);
    }
}
