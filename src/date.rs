//! Dates as postings write them ("2018-12-27T10:50:17+0000", "7/30/2020", "August  3, 2026",
//! "Jan 5, 2004", 1713397508000), turned into ISO `YYYY-MM-DD` so they sort and group; and
//! the timestamps the tool writes. Plain UTC arithmetic, so no date crate is needed.

/// The ISO date of `raw`, or `None` when it is not a date this understands.
pub fn iso_date(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    iso(s)
        .or_else(|| epoch(s))
        .or_else(|| slashed(s))
        .or_else(|| named_month(s))
        .filter(|(y, m, d)| {
            (1970..=2100).contains(y) && (1..=12).contains(m) && (1..=31).contains(d)
        })
        .map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

/// `YYYY-MM` of a date, for `--group-by month`.
pub fn month(raw: &str) -> Option<String> {
    iso_date(raw).map(|d| d[..7].to_string())
}

fn num(s: &str) -> Option<i32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn iso(s: &str) -> Option<(i32, i32, i32)> {
    let head = s.get(..10)?;
    let mut parts = head.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 {
        return None;
    }
    Some((num(y)?, num(m)?, num(d)?))
}

/// Unix time in seconds or milliseconds (LinkedIn exports write `1713397508000.0`).
fn epoch(s: &str) -> Option<(i32, i32, i32)> {
    let v: f64 = s.parse().ok()?;
    let secs = if v > 1e11 { v / 1000.0 } else { v };
    if !(1e8..4.2e9).contains(&secs) {
        return None;
    }
    let (y, m, d) = civil_from_days((secs / 86_400.0).floor() as i64);
    Some((y as i32, m as i32, d as i32))
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

/// The current time, as `2024-05-01T12:34:56Z`.
pub fn now_iso() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
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

/// The `YYYY-MM-DD` a date or timestamp starts with, if it starts with one.
///
/// Postings carry dates as `2024-01-10`, `2024-01-10T12:00:00-05:00` or
/// `2024-01-10T12:00:00.000Z`; the calendar day as written is what `fetch --since` compares.
pub fn day_of(text: &str) -> Option<&str> {
    let day = text.trim().get(..10)?;
    let b = day.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let ok = digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10);
    ok.then_some(day)
}

/// `M/D/YYYY` (US exports) or `YYYY/M/D`; a first part over 12 is read as the day.
fn slashed(s: &str) -> Option<(i32, i32, i32)> {
    let head = s.split_whitespace().next()?;
    let parts: Vec<&str> = head.split('/').collect();
    if parts.len() != 3 {
        return None;
    }
    let (a, b, c) = (num(parts[0])?, num(parts[1])?, num(parts[2])?);
    if parts[0].len() == 4 {
        return Some((a, b, c));
    }
    let year = if c < 100 { 2000 + c } else { c };
    if a > 12 {
        Some((year, b, a))
    } else {
        Some((year, a, b))
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// "August 3, 2026", "Jan 5, 2004", "5 January 2004", "3rd March 2020".
fn named_month(s: &str) -> Option<(i32, i32, i32)> {
    let words: Vec<String> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .take(4)
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let mi = words
        .iter()
        .position(|w| w.len() >= 3 && MONTHS.iter().any(|m| w.starts_with(m)))?;
    let month = MONTHS.iter().position(|m| words[mi].starts_with(m))? as i32 + 1;
    let day_of = |w: &str| num(w.trim_end_matches(|c: char| c.is_ascii_alphabetic()));
    let (day, year) = if mi == 0 {
        (day_of(words.get(1)?)?, num(words.get(2)?)?)
    } else {
        (day_of(&words[mi - 1])?, num(words.get(mi + 1)?)?)
    };
    Some((year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[(&str, Option<&str>)] = &[
        ("2018-12-27T10:50:17+0000", Some("2018-12-27")),
        ("2020-11-02", Some("2020-11-02")),
        ("7/30/2020", Some("2020-07-30")),
        ("30/07/2020", Some("2020-07-30")),
        ("August  3, 2026", Some("2026-08-03")),
        ("Jan 5, 2004", Some("2004-01-05")),
        ("5 January 2004", Some("2004-01-05")),
        ("3rd March 2020", Some("2020-03-03")),
        ("1713397508000.0", Some("2024-04-17")),
        ("1713397508", Some("2024-04-17")),
        ("yesterday", None),
        ("", None),
        ("12", None),
    ];

    #[test]
    fn parses_dates() {
        for (raw, want) in CASES {
            assert_eq!(iso_date(raw).as_deref(), *want, "{raw:?}");
        }
        assert_eq!(month("Jan 5, 2004").as_deref(), Some("2004-01"));
    }

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
