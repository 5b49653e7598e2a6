//! Dates as US charts write them, normalised to YYYY-MM-DD.

const MONTHS: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// Normalises one date string (03/14/2019, 3/14/19, 2019-03-14, March 14, 2019, 14-Mar-2019,
/// 03-14-2019, 03.14.2019) to YYYY-MM-DD. Two-digit years pivot at 30 (≤ 30 → 20xx).
pub fn normalize_date(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches(['.', ',', ';']);
    let tokens: Vec<&str> = s
        .split(|c: char| c == '/' || c == '-' || c == '.' || c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    let (y, m, d) = match tokens.as_slice() {
        [a, b, c] if a.len() == 4 && is_num(a) => (num(a)?, month(b)?, num(c)?),
        [a, b, c] if is_num(a) && is_num(b) => (year(c)?, num(a)?, num(b)?),
        [a, b, c] if is_num(a) => (year(c)?, month(b)?, num(a)?),
        [a, b, c] => (year(c)?, month(a)?, num(b)?),
        _ => return None,
    };
    valid(y, m, d).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn is_num(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

fn num(t: &str) -> Option<u32> {
    if is_num(t) && t.len() <= 4 {
        t.parse().ok()
    } else {
        None
    }
}

fn year(t: &str) -> Option<u32> {
    match t.len() {
        4 => num(t),
        2 => num(t).map(|y| if y <= 30 { 2000 + y } else { 1900 + y }),
        _ => None,
    }
}

fn month(t: &str) -> Option<u32> {
    if is_num(t) {
        return num(t);
    }
    let lower = t.to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    MONTHS.iter().position(|m| lower.starts_with(m)).map(|i| i as u32 + 1)
}

fn valid(y: u32, m: u32, d: u32) -> bool {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => return false,
    };
    (1850..=2200).contains(&y) && (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_us_formats() {
        for s in [
            "03/14/2019",
            "3/14/19",
            "2019-03-14",
            "March 14, 2019",
            "14-Mar-2019",
            "03-14-2019",
            "03.14.2019",
            "Mar 14 2019",
        ] {
            assert_eq!(normalize_date(s).as_deref(), Some("2019-03-14"), "{s}");
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        for s in ["02/30/2019", "13/01/2019", "2019-14-01", "hello", "1/2", "02/29/2019"] {
            assert_eq!(normalize_date(s), None, "{s}");
        }
        assert_eq!(normalize_date("02/29/2020").as_deref(), Some("2020-02-29"));
        assert_eq!(normalize_date("1/2/45").as_deref(), Some("1945-01-02"));
    }
}
