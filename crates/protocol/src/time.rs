//! The two UTC formats on the wire: query times (`2024-01-02T03:04:05`) and the
//! signer's `X-Sdk-Date` (`20240102T030405Z`). Seconds since the Unix epoch inside.
//!
//! The civil-date arithmetic (days from 1970-01-01, proleptic Gregorian) is a few lines
//! and needs no date library.

/// A calendar date and time of day, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_secs(secs: i64) -> Civil {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: (rem / 3600) as u32,
        minute: (rem % 3600 / 60) as u32,
        second: (rem % 60) as u32,
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn secs_from_civil(c: Civil) -> Option<i64> {
    let valid = (1..=9999).contains(&c.year)
        && (1..=12).contains(&c.month)
        && c.day >= 1
        && c.day <= days_in_month(c.year, c.month)
        && c.hour < 24
        && c.minute < 60
        && c.second < 60;
    valid.then(|| {
        days_from_civil(c.year, c.month, c.day) * 86_400
            + i64::from(c.hour * 3600 + c.minute * 60 + c.second)
    })
}

/// Reads exactly `n` ASCII digits at `s[at..]`.
fn digits(s: &[u8], at: usize, n: usize) -> Option<u32> {
    let field = s.get(at..at + n)?;
    field.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// Seconds since the epoch of `t` (negative before it), the unit of the query's times.
pub fn unix_secs(t: std::time::SystemTime) -> i64 {
    match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Formats seconds since the epoch as the query time format `YYYY-MM-DDTHH:mm:ss`.
pub fn format_query_time(secs: i64) -> String {
    format_civil(secs, "-", ":", "")
}

/// `YYYY{d}MM{d}DDTHH{t}mm{t}ss{suffix}`.
fn format_civil(secs: i64, d: &str, t: &str, suffix: &str) -> String {
    let Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
    } = civil_from_secs(secs);
    format!("{year:04}{d}{month:02}{d}{day:02}T{hour:02}{t}{minute:02}{t}{second:02}{suffix}")
}

/// Parses a query time: `YYYY-MM-DDTHH:mm:ss` (UTC), plus the forms the official
/// Python SDK sends for `datetime` and `date` values (`isoformat()`): fractional
/// seconds, a `Z` or `±HH:MM` offset, or a bare date (midnight UTC).
pub fn parse_query_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() == 10 {
        return parse_date_time(&[b, b"T00:00:00"].concat());
    }
    let base = parse_date_time(b.get(..19)?)?;
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let minutes = i64::from(digits(rest, 1, 2)? * 60 + digits(rest, 4, 2)?);
            if minutes >= 24 * 60 {
                return None;
            }
            if *sign == b'+' {
                minutes * 60
            } else {
                -minutes * 60
            }
        }
        _ => return None,
    };
    // An offset may not carry the time outside the years this module can write back.
    let utc = base - offset;
    (MIN_SECS..=MAX_SECS).contains(&utc).then_some(utc)
}

/// 0001-01-01T00:00:00 UTC, the first instant the formats can express.
const MIN_SECS: i64 = -62_135_596_800;
/// 9999-12-31T23:59:59 UTC, the last.
const MAX_SECS: i64 = 253_402_300_799;

/// Strict `YYYY-MM-DDTHH:mm:ss`.
fn parse_date_time(b: &[u8]) -> Option<i64> {
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    secs_from_civil(Civil {
        year: i64::from(digits(b, 0, 4)?),
        month: digits(b, 5, 2)?,
        day: digits(b, 8, 2)?,
        hour: digits(b, 11, 2)?,
        minute: digits(b, 14, 2)?,
        second: digits(b, 17, 2)?,
    })
}

/// Formats seconds since the epoch as `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`).
pub fn format_sdk_date(secs: i64) -> String {
    format_civil(secs, "", "", "Z")
}

/// Parses `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`) strictly.
pub fn parse_sdk_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    secs_from_civil(Civil {
        year: i64::from(digits(b, 0, 4)?),
        month: digits(b, 4, 2)?,
        day: digits(b, 6, 2)?,
        hour: digits(b, 9, 2)?,
        minute: digits(b, 11, 2)?,
        second: digits(b, 13, 2)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(format_query_time(0), "1970-01-01T00:00:00");
        assert_eq!(format_sdk_date(1_704_164_645), "20240102T030405Z");
        assert_eq!(parse_sdk_date("20240102T030405Z"), Some(1_704_164_645));
        assert_eq!(parse_query_time("2024-02-29T23:59:59"), Some(1_709_251_199));
        assert_eq!(format_query_time(1_709_251_200), "2024-03-01T00:00:00");
    }

    #[test]
    fn round_trips_across_centuries() {
        for secs in (-2_000_000_000_i64..10_000_000_000).step_by(86_399 * 97) {
            assert_eq!(parse_query_time(&format_query_time(secs)), Some(secs));
            assert_eq!(parse_sdk_date(&format_sdk_date(secs)), Some(secs));
        }
    }

    #[test]
    fn accepts_what_the_official_python_sdk_sends() {
        // datetime.isoformat() and date.isoformat(), naive or aware.
        let t = 1_704_164_645;
        for s in [
            "2024-01-02T03:04:05",
            "2024-01-02T03:04:05.385076",
            "2024-01-02T03:04:05Z",
            "2024-01-02T03:04:05+00:00",
            "2024-01-02T11:04:05+08:00",
            "2024-01-01T22:34:05.5-04:30",
        ] {
            assert_eq!(parse_query_time(s), Some(t), "{s}");
        }
        assert_eq!(parse_query_time("2024-01-02"), Some(1_704_153_600));
    }

    #[test]
    fn refuses_malformed_or_impossible_times() {
        for bad in [
            "2023-02-29T00:00:00",
            "2024-13-01T00:00:00",
            "2024-01-01T24:00:00",
            "2024-01-01 00:00:00",
            "2024-01-01T00:00:00.",
            "2024-01-01T00:00:00+0800",
            "2024-01-01T00:00:00+24:00",
            "2024-01-01T00:00:00 Z",
            "2024-1-01T00:00:00",
            "+024-01-01T00:00:00",
            "",
        ] {
            assert_eq!(parse_query_time(bad), None, "{bad}");
        }
        assert_eq!(parse_sdk_date("20240102T030405"), None);
        assert_eq!(parse_sdk_date("2024010xT030405Z"), None);
    }
}
