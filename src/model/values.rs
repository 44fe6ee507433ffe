//! ASP.NET's and IIS's value formats, parsed the way the runtime parses them.
//!
//! Sources (see `../shared/research/iis-semantics.md` §8): .NET reference source
//! `TimeSpanMinutesConverter`, `TimeSpanMinutesOrInfiniteConverter`, `GenericEnumConverter`,
//! `SessionStateSection.ConvertToCookieMode`; IIS schema `timeSpan` attributes.

/// A `system.web` time-out in whole minutes, or the literal `Infinite` where a property accepts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Minutes {
    Finite(i64),
    Infinite,
}

impl Minutes {
    pub fn finite(self) -> Option<i64> {
        match self {
            Minutes::Finite(n) => Some(n),
            Minutes::Infinite => None,
        }
    }
}

impl std::fmt::Display for Minutes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Minutes::Finite(n) => write!(f, "{n} minutes"),
            Minutes::Infinite => f.write_str("Infinite"),
        }
    }
}

/// `TimeSpan.MaxValue` in whole minutes: a larger value overflows the converter.
const MAX_TIMESPAN_MINUTES: i64 = 15_372_286_728;

/// ASP.NET's minutes converters: `long.Parse` with the invariant culture (surrounding white space
/// and a sign allowed), then a validator that requires at least one minute. `Infinite` is accepted,
/// case-sensitively, only where the property's converter allows it.
pub fn parse_minutes(raw: &str, allow_infinite: bool) -> Result<Minutes, String> {
    // NumberStyles.Integer allows only U+0009..U+000D and U+0020 around the number.
    let trimmed = raw.trim_matches(|c| matches!(c, '\t'..='\r' | ' '));
    if allow_infinite && trimmed == "Infinite" {
        return Ok(Minutes::Infinite);
    }
    let infinite_hint = if allow_infinite { " or `Infinite`" } else { "" };
    if looks_like_timespan(trimmed) {
        return Err(format!(
            "`{raw}` is a time span, but this value is a whole number of minutes{infinite_hint}; ASP.NET fails to start with a configuration error"
        ));
    }
    let digits = trimmed.strip_prefix('+').unwrap_or(trimmed);
    let number: i64 = match digits.parse() {
        Ok(n)
            if digits
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == '-') =>
        {
            n
        }
        _ => {
            return Err(format!(
                "`{raw}` is not a whole number of minutes{infinite_hint}; ASP.NET fails to start with a configuration error"
            ));
        }
    };
    if number < 1 {
        return Err(format!(
            "`{raw}` minutes: the time-out must be at least 1 minute"
        ));
    }
    if number > MAX_TIMESPAN_MINUTES {
        return Err(format!(
            "`{raw}` minutes is larger than the largest time span .NET can hold"
        ));
    }
    Ok(Minutes::Finite(number))
}

fn looks_like_timespan(s: &str) -> bool {
    s.contains(':')
}

/// An IIS native `timeSpan` value (applicationHost.config, ARR): `[d.]hh:mm:ss[.fraction]`, hours
/// may exceed 23. Returns whole seconds; a fraction must be zero to be returned exactly, otherwise
/// it is rounded down.
pub fn parse_iis_timespan(raw: &str) -> Result<u64, String> {
    let bad = || {
        format!(
            "`{raw}` is not an IIS time span; write it as hh:mm:ss or d.hh:mm:ss (for example 00:20:00)"
        )
    };
    let s = raw.trim();
    let (days, clock) = match s.split_once(':') {
        // A '.' before the first ':' separates days from hours.
        Some((head, _)) if head.contains('.') => {
            let (days, rest) = s.split_once('.').ok_or_else(bad)?;
            (parse_digits(days).ok_or_else(bad)?, rest)
        }
        _ => (0, s),
    };
    let mut parts = clock.split(':');
    let (Some(h), Some(m), Some(sec_frac), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let (sec, frac) = match sec_frac.split_once('.') {
        Some((sec, frac)) => (sec, Some(frac)),
        None => (sec_frac, None),
    };
    let hours = parse_digits(h).ok_or_else(bad)?;
    let minutes = parse_digits(m).filter(|m| *m < 60).ok_or_else(bad)?;
    let seconds = parse_digits(sec).filter(|s| *s < 60).ok_or_else(bad)?;
    if let Some(frac) = frac {
        parse_digits(frac).ok_or_else(bad)?;
    }
    days.checked_mul(86_400)
        .and_then(|d| d.checked_add(hours.checked_mul(3_600)?))
        .and_then(|t| t.checked_add(minutes * 60 + seconds))
        .ok_or_else(bad)
}

fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Formats seconds as IIS writes time spans: `hh:mm:ss`, or `d.hh:mm:ss` past a day.
pub fn format_iis_timespan(total_seconds: u64) -> String {
    let (days, rest) = (total_seconds / 86_400, total_seconds % 86_400);
    let clock = format!(
        "{:02}:{:02}:{:02}",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    );
    if days > 0 {
        format!("{days}.{clock}")
    } else {
        clock
    }
}

/// A `system.web` enum: exactly one of the names, case-sensitive, no surrounding white space
/// (.NET `GenericEnumConverter`).
pub fn parse_enum(raw: &str, names: &[&'static str]) -> Result<&'static str, String> {
    if let Some(name) = names.iter().find(|n| **n == raw) {
        return Ok(name);
    }
    let hint = match names.iter().find(|n| n.eq_ignore_ascii_case(raw.trim())) {
        Some(n) => format!("; names are case-sensitive: write `{n}`"),
        None => String::new(),
    };
    Err(format!(
        "`{raw}` is not one of {}{hint}",
        quoted_list(names)
    ))
}

pub fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `bool.Parse`: `true` or `false` in any case, surrounding white space allowed.
pub fn parse_net_bool(raw: &str) -> Result<bool, String> {
    let t = raw.trim();
    if t.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if t.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(format!("`{raw}` is not `true` or `false`"))
    }
}

/// A `System.Version` as `new Version(string)` reads it: two to four components separated by
/// `.`, each an `int.Parse` number (surrounding white space and a `+` allowed) of at least 0.
/// Missing components are -1, as `Version.Build` and `Version.Revision` are, so versions compare
/// as .NET compares them (`4.0` < `4.0.0`).
pub fn parse_version(raw: &str) -> Result<[i64; 4], String> {
    let bad = || format!("`{raw}` is not a version such as `4.0`");
    let parts: Vec<&str> = raw.split('.').collect();
    if !(2..=4).contains(&parts.len()) {
        return Err(bad());
    }
    let mut version = [-1; 4];
    for (slot, part) in version.iter_mut().zip(&parts) {
        let trimmed = part.trim_matches(|c| matches!(c, '\t'..='\r' | ' '));
        let digits = trimmed.strip_prefix('+').unwrap_or(trimmed);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        *slot = digits.parse::<i32>().map_err(|_| bad()).map(i64::from)?;
    }
    Ok(version)
}

/// An IIS native unsigned integer (`uint` in the IIS schema).
pub fn parse_uint(raw: &str) -> Result<u32, String> {
    raw.trim()
        .parse::<u32>()
        .map_err(|_| format!("`{raw}` is not a whole number from 0 to 4294967295"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_follow_long_parse() {
        assert_eq!(parse_minutes("30", false), Ok(Minutes::Finite(30)));
        assert_eq!(parse_minutes(" +45 ", false), Ok(Minutes::Finite(45)));
        assert_eq!(parse_minutes("Infinite", true), Ok(Minutes::Infinite));
        assert!(parse_minutes("Infinite", false).is_err());
        assert!(parse_minutes("infinite", true).is_err());
        assert!(
            parse_minutes("00:30:00", false)
                .unwrap_err()
                .contains("time span")
        );
        assert!(
            parse_minutes("0", false)
                .unwrap_err()
                .contains("at least 1")
        );
        assert!(
            parse_minutes("-5", false)
                .unwrap_err()
                .contains("at least 1")
        );
        assert!(parse_minutes("20m", false).is_err());
        assert!(parse_minutes("1.5", false).is_err());
        assert!(parse_minutes("", false).is_err());
        assert!(
            parse_minutes("\u{a0}5", false).is_err(),
            "no-break space is not white space here"
        );
        assert!(parse_minutes("99999999999999", false).is_err());
    }

    #[test]
    fn iis_timespans() {
        assert_eq!(parse_iis_timespan("00:20:00"), Ok(1_200));
        assert_eq!(parse_iis_timespan("00:00:00"), Ok(0));
        assert_eq!(parse_iis_timespan("29:00:00"), Ok(29 * 3_600));
        assert_eq!(parse_iis_timespan("1.00:00:00"), Ok(86_400));
        assert_eq!(parse_iis_timespan("00:00:00.1"), Ok(0));
        for bad in [
            "20",
            "00:60:00",
            "00:20",
            "a:b:c",
            "-00:20:00",
            "00:20:00:00",
            "",
            "1.2.00:00:00",
        ] {
            assert!(parse_iis_timespan(bad).is_err(), "{bad} should be rejected");
        }
        assert_eq!(format_iis_timespan(3_600), "01:00:00");
        assert_eq!(format_iis_timespan(90_061), "1.01:01:01");
    }

    #[test]
    fn enums_are_case_sensitive() {
        let names = &["Off", "InProc"];
        assert_eq!(parse_enum("InProc", names), Ok("InProc"));
        let err = parse_enum("inproc", names).unwrap_err();
        assert!(err.contains("write `InProc`"), "{err}");
        assert!(parse_enum(" InProc", names).is_err());
    }

    #[test]
    fn versions_compare_as_dotnet_compares_them() {
        assert_eq!(parse_version("2.0"), Ok([2, 0, -1, -1]));
        assert_eq!(parse_version(" 4 . 5 "), Ok([4, 5, -1, -1]));
        assert!(parse_version("4.0").unwrap() < parse_version("4.0.0").unwrap());
        assert!(parse_version("3.5").unwrap() < parse_version("4.0").unwrap());
        for bad in ["4", "4.x", "-1.0", "1.2.3.4.5", "", "4.0."] {
            assert!(parse_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_net_bool("False"), Ok(false));
        assert_eq!(parse_net_bool(" true "), Ok(true));
        assert!(parse_net_bool("1").is_err());
        assert_eq!(parse_uint("2"), Ok(2));
        assert!(parse_uint("-1").is_err());
    }
}
