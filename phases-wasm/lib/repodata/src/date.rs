//! The compose date as a timestamp. Repodata's revision and timestamps, and every other
//! time a compose records, are the compose date at 00:00 UTC rather than the clock, so
//! two composes of the same inputs on the same date are byte-identical.

/// Seconds since the epoch of `YYYYMMDD` at 00:00 UTC (days-from-civil); `None` when
/// `date` is not eight digits of a date from 1970 on.
pub fn compose_date_epoch(date: &str) -> Option<u64> {
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| date.get(range)?.parse::<i64>().ok();
    let (y, m, d) = (number(0..4)?, number(4..6)?, number(6..8)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400).ok()
}

#[cfg(test)]
mod tests {
    use super::compose_date_epoch;

    #[test]
    fn compose_dates_become_midnight_utc() {
        assert_eq!(compose_date_epoch("19700101"), Some(0));
        assert_eq!(compose_date_epoch("20261125"), Some(1_795_564_800));
        assert_eq!(compose_date_epoch("20240301"), Some(1_709_251_200));
        for bad in [
            "2026-11-25",
            "2026112",
            "20261325",
            "20261100",
            "19691231",
            "+2026112",
        ] {
            assert_eq!(compose_date_epoch(bad), None, "{bad}");
        }
    }
}
