//! Dates as charts write them (in digits month first as in the US, or day first where the
//! document shows it writes them so), normalised to YYYY-MM-DD.

use std::cell::Cell;
use std::sync::LazyLock;

use regex::Regex;

const MONTHS: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// A calendar date read off a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    /// The year was written with two digits (and pivoted: ≤ 30 → 20xx, else 19xx).
    pub two_digit_year: bool,
}

impl Date {
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

thread_local! {
    /// The document being read writes its dates day first ([`in_order`]).
    static DAY_FIRST: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` reading dates in digits day first ("05/03/1961" the 5th of March) or, as US charts
/// write them, month first; the order before is restored after, even if `f` panics.
pub(crate) fn in_order<R>(day_first: bool, f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            DAY_FIRST.set(self.0);
        }
    }
    let _restore = Restore(DAY_FIRST.replace(day_first));
    f()
}

/// Dates in digits with two numbers before the year ("14/03/1961").
static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](?:\d{4}|\d{2})\b").expect("valid regex")
});

/// True if a document writes its dates day first: some date of its text can only be read so
/// ("14/03/1961"), or a format hint says so ("dd/mm/yyyy", French "jj/mm/aaaa"), and none can
/// only be read month first ("03/14/1961", "mm/dd/yyyy").
pub(crate) fn writes_day_first<'t>(texts: impl Iterator<Item = &'t str>) -> bool {
    let (mut day_first, mut month_first) = (false, false);
    for text in texts {
        for c in NUMERIC.captures_iter(text) {
            let (a, b): (u32, u32) = (c[1].parse().unwrap_or(0), c[2].parse().unwrap_or(0));
            day_first |= (13..=31).contains(&a) && (1..=12).contains(&b);
            month_first |= (1..=12).contains(&a) && (13..=31).contains(&b);
        }
        let lower = text.to_lowercase();
        day_first |= ["dd/mm", "dd-mm", "dd.mm", "jj/mm"].iter().any(|h| lower.contains(h));
        month_first |= ["mm/dd", "mm-dd", "mm.dd"].iter().any(|h| lower.contains(h));
    }
    day_first && !month_first
}

/// Normalises one date string (03/14/2019, 3/14/19, 2019-03-14, March 14, 2019, 14-Mar-2019,
/// 03-14-2019, 03.14.2019, March 14th, 2019, 2019/03/14) to YYYY-MM-DD.
pub fn normalize_date(s: &str) -> Option<String> {
    parse(s).map(|d| d.iso())
}

/// Parses one date string; see [`normalize_date`]. OCR's O for 0 and l or I for 1 inside a
/// number are read as digits.
pub(crate) fn parse(s: &str) -> Option<Date> {
    parse_with(s, true)
}

/// True when `s` reads as a date only once OCR letters are taken for digits.
pub(crate) fn needs_ocr_fix(s: &str) -> bool {
    parse_with(s, false).is_none() && parse_with(s, true).is_some()
}

fn parse_with(s: &str, ocr: bool) -> Option<Date> {
    let s = s.trim().trim_end_matches(['.', ',', ';', ')']).trim_start_matches('(');
    // An ISO 8601 date and time: the date before its "T" ("2024-03-04T10:32:00").
    let s = match s.split_once('T') {
        Some((date, time))
            if date.len() == 10 && time.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            date
        }
        _ => s,
    };
    let month = |t: &str| if ocr { month_ocr(t) } else { month(t) };
    let tokens: Vec<String> = s
        .split(|c: char| c == '/' || c == '-' || c == '.' || c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .flat_map(|t| split_month_day(t, month))
        .map(|t| if ocr { ocr_digits(t) } else { t.to_string() })
        .collect();
    let t: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let (y, m, d, short) = match t.as_slice() {
        [a, b, c] if a.len() == 4 && is_num(a) => (num(a)?, month(b)?, day(c)?, false),
        [a, b, c] if is_num(a) && is_num(b) => {
            let (y, short) = year(c)?;
            let (m, d) = (num(a)?, day(b)?);
            // The day first, as most of the world writes it: where the first number cannot be
            // a month ("14/03/1961"), or the document writes its dates so and the second can.
            let swap = d <= 12 && (m > 12 || DAY_FIRST.get());
            let (m, d) = if swap { (d, m) } else { (m, d) };
            (y, m, d, short)
        }
        // (An ordinal day before the month: "4th March 1950".)
        [a, b, c] if is_num(a) || (day(a).is_some() && month(b).is_some()) => {
            let (y, short) = year(c)?;
            (y, month(b)?, day(a)?, short)
        }
        [a, b, c] => {
            let (y, short) = year(c)?;
            (y, month(a)?, day(b)?, short)
        }
        _ => return None,
    };
    valid(y, m, d).then_some(Date { year: y, month: m, day: d, two_digit_year: short })
}

/// "O3" → "03", "2O19" → "2019", "l4" → "14", "Q4" → "04": only in tokens that already hold a
/// digit and no other letter. (The letters OCR reads for digits: O, Q and D for 0, l and I for
/// 1, Z for 2, S for 5, B for 8.)
fn ocr_digits(t: &str) -> String {
    let has_digit = t.bytes().any(|b| b.is_ascii_digit());
    let only_confusable = t.chars().all(|c| c.is_ascii_digit() || "OoQDlIZSB".contains(c));
    if has_digit && only_confusable {
        t.chars()
            .map(|c| match c {
                'O' | 'o' | 'Q' | 'D' => '0',
                'l' | 'I' => '1',
                'Z' => '2',
                'S' => '5',
                'B' => '8',
                c => c,
            })
            .collect()
    } else {
        t.to_string()
    }
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

/// A day, with an English ordinal suffix allowed ("14th").
fn day(t: &str) -> Option<u32> {
    let lower = t.to_ascii_lowercase();
    let bare =
        ["st", "nd", "rd", "th"].iter().find_map(|s| lower.strip_suffix(s)).unwrap_or(&lower);
    if bare.len() > 2 {
        return None;
    }
    num(bare)
}

fn year(t: &str) -> Option<(u32, bool)> {
    match t.len() {
        4 => num(t).map(|y| (y, false)),
        2 => num(t).map(|y| (if y <= 30 { 2000 + y } else { 1900 + y }, true)),
        _ => None,
    }
}

/// A month name run into its day where OCR lost the space ("Jul10"): the two apart.
fn split_month_day(t: &str, month: impl Fn(&str) -> Option<u32>) -> Vec<&str> {
    match t.find(|c: char| c.is_ascii_digit()) {
        Some(at) if at >= 3 && month(&t[..at]).is_some() && is_num(&t[at..]) => {
            vec![&t[..at], &t[at..]]
        }
        _ => vec![t],
    }
}

fn month(t: &str) -> Option<u32> {
    if is_num(t) {
        return num(t).filter(|m| t.len() <= 2 && *m >= 1);
    }
    let lower = t.to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    let i = MONTHS.iter().position(|m| lower.starts_with(m))?;
    // "Mar", "March", "Sept"; not "Marching".
    (FULL_MONTHS[i].starts_with(&lower) || lower == "sept").then_some(i as u32 + 1)
}

const FULL_MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A month, also when OCR misread one letter of its full name ("Aprit" for April): a name of five
/// letters or more one letter off exactly one month's.
fn month_ocr(t: &str) -> Option<u32> {
    month(t).or_else(|| {
        let lower = t.to_ascii_lowercase();
        if lower.len() < 5 || !lower.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        crate::one_letter_off(&lower, &FULL_MONTHS).map(|i| i as u32 + 1)
    })
}

/// A date written in digits alone, as forms' date boxes are filled in and OCR reads them when
/// it loses the boxes' rules: "03271982" (MMDDYYYY), "19820327" (YYYYMMDD), "0327 1982" (MMDD
/// YYYY), "032782" (MMDDYY, as claim forms print dates). Only for a value a date label
/// announces: a number alone is no date.
pub(crate) fn parse_digits(s: &str) -> Option<Date> {
    let digits: String = s.split_whitespace().collect();
    let shape: Vec<usize> = s.split_whitespace().map(str::len).collect();
    if shape == [6] && is_num(&digits) {
        let n = |r: std::ops::Range<usize>| digits[r].parse::<u32>().ok();
        let (y, short) = year(&digits[4..6])?;
        let (m, d) = (n(0..2)?, n(2..4)?);
        return valid(y, m, d).then_some(Date { year: y, month: m, day: d, two_digit_year: short });
    }
    // An HL7 timestamp: YYYYMMDDHHMM[SS] ("202405061030").
    if (shape == [12] || shape == [14]) && is_num(&digits) {
        let n = |r: std::ops::Range<usize>| digits[r].parse::<u32>().ok();
        let (y, m, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
        let clock = n(8..10)? < 24 && n(10..12)? < 60 && (shape == [12] || n(12..14)? < 60);
        return (clock && valid(y, m, d) && (1900..=2100).contains(&y)).then_some(Date {
            year: y,
            month: m,
            day: d,
            two_digit_year: false,
        });
    }
    if digits.len() != 8 || !is_num(&digits) || !(shape == [8] || shape == [4, 4]) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits[r].parse::<u32>().ok();
    let date = |y, m, d| {
        valid(y, m, d).then_some(Date { year: y, month: m, day: d, two_digit_year: false })
    };
    let ymd = || date(n(0..4)?, n(4..6)?, n(6..8)?).filter(|d| (1900..=2100).contains(&d.year));
    let mdy = || date(n(4..8)?, n(0..2)?, n(2..4)?);
    if shape == [8] {
        ymd().or_else(mdy)
    } else {
        mdy()
    }
}

/// The order of a date's parts a format hint gives, as the letters of their first
/// occurrences: "(ddmmyyyy)", "DD/MM/YYYY" and "jj/mm/aaaa" give "dmy", "yyyy-mm-dd" "ymd";
/// with each part's width. None unless the hint is only such letters and separators, each part
/// once.
pub(crate) fn order_hint(hint: &str) -> Option<[(char, usize); 3]> {
    let letters: String = hint
        .trim_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .filter(|c| !matches!(c, '/' | '-' | '.'))
        .map(|c| match c.to_ascii_lowercase() {
            'j' => 'd',
            'a' => 'y',
            c => c,
        })
        .collect();
    let mut parts: Vec<(char, usize)> = Vec::with_capacity(3);
    for c in letters.chars() {
        let seen = parts.iter().any(|(p, _)| *p == c);
        match parts.last_mut() {
            Some((p, n)) if *p == c => *n += 1,
            _ if matches!(c, 'd' | 'm' | 'y') && !seen => parts.push((c, 1)),
            _ => return None,
        }
    }
    let widths = parts.iter().all(|&(p, n)| if p == 'y' { n == 4 } else { n == 2 });
    (parts.len() == 3 && widths).then(|| [parts[0], parts[1], parts[2]])
}

/// Eight digits read in the order a format hint gave ([`order_hint`]).
pub(crate) fn digits_in_order(digits: &str, order: [(char, usize); 3]) -> Option<Date> {
    if digits.len() != 8 || !is_num(digits) {
        return None;
    }
    let (mut y, mut m, mut d, mut at) = (0, 0, 0, 0);
    for (part, width) in order {
        let n: u32 = digits.get(at..at + width)?.parse().ok()?;
        match part {
            'y' => y = n,
            'm' => m = n,
            _ => d = n,
        }
        at += width;
    }
    valid(y, m, d).then_some(Date { year: y, month: m, day: d, two_digit_year: false })
}

/// True if `t` names a day of the week ("Thursday,", "Mon"), as a date may open with one.
pub(crate) fn is_weekday(t: &str) -> bool {
    let t = t.trim_end_matches([',', '.']).to_ascii_lowercase();
    const DAYS: [&str; 7] =
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    t.len() >= 3 && DAYS.iter().any(|d| *d == t || (t.len() <= 4 && d.starts_with(t.as_str())))
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
    fn digits_in_the_order_a_format_hint_gives() {
        let read =
            |digits: &str, hint: &str| digits_in_order(digits, order_hint(hint)?).map(|d| d.iso());
        assert_eq!(read("14031961", "(DDMMYYYY)").as_deref(), Some("1961-03-14"));
        assert_eq!(read("03141961", "mm/dd/yyyy").as_deref(), Some("1961-03-14"));
        assert_eq!(read("19610314", "[YYYY-MM-DD]").as_deref(), Some("1961-03-14"));
        assert_eq!(read("14031961", "jj/mm/aaaa").as_deref(), Some("1961-03-14"));
        // The hint's order or nothing: not the other order where the hint's gives no date.
        assert_eq!(read("03141961", "(ddmmyyyy)"), None);
        // No hint: words, two-digit years, a part twice.
        assert_eq!(order_hint("(years)"), None);
        assert_eq!(order_hint("dd/mm/yy"), None);
        assert_eq!(order_hint("dd/mm/dd"), None);
    }

    #[test]
    fn the_day_first_where_the_document_writes_it_so() {
        let d = |s: &str| parse(s).map(|d| d.iso());
        // A first number that cannot be a month: the day.
        assert_eq!(d("14/03/1961").as_deref(), Some("1961-03-14"));
        assert_eq!(d("05/03/1961").as_deref(), Some("1961-05-03"));
        assert_eq!(in_order(true, || d("05/03/1961")).as_deref(), Some("1961-03-05"));
        // (A second number that cannot be a month stays the day.)
        assert_eq!(in_order(true, || d("03/14/1961")).as_deref(), Some("1961-03-14"));
        // The order is restored after, even after a panic.
        let _ = std::panic::catch_unwind(|| in_order(true, || panic!("bad page")));
        assert_eq!(d("05/03/1961").as_deref(), Some("1961-05-03"));
        assert!(writes_day_first(["DOB: 14/03/1961", "Seen 05/03/2021"].into_iter()));
        assert!(writes_day_first(["Date of birth (dd/mm/yyyy): 05/03/1961"].into_iter()));
        assert!(!writes_day_first(["DOB: 14/03/1961 Visit: 03/14/2021"].into_iter()));
        assert!(!writes_day_first(["DOB: 05/03/1961"].into_iter()));
        assert!(!writes_day_first(["Lot 2019-03-14"].into_iter()));
    }

    #[test]
    fn dates_in_digits_alone() {
        let d = |s: &str| parse_digits(s).map(|d| d.iso());
        assert_eq!(d("03271982").as_deref(), Some("1982-03-27"));
        assert_eq!(d("19820327").as_deref(), Some("1982-03-27"));
        assert_eq!(d("0327 1982").as_deref(), Some("1982-03-27"));
        assert_eq!(d("032782").as_deref(), Some("1982-03-27"));
        assert_eq!(d("3271982"), None);
        assert_eq!(d("133182"), None);
        assert_eq!(d("99999999"), None);
        assert_eq!(d("03 27 1982"), None);
        // HL7 v2 timestamps, to the minute or the second.
        assert_eq!(d("198203271030").as_deref(), Some("1982-03-27"));
        assert_eq!(d("19820327103059").as_deref(), Some("1982-03-27"));
        assert_eq!(d("198203272530"), None);
    }

    #[test]
    fn ordinal_days_iso_times_and_weekdays() {
        let d = |s: &str| normalize_date(s);
        assert_eq!(d("4th March 1950").as_deref(), Some("1950-03-04"));
        assert_eq!(d("2024-03-04T10:32:00").as_deref(), Some("2024-03-04"));
        assert_eq!(d("4th Testing 1950"), None);
        assert!(is_weekday("Thursday,") && is_weekday("Mon") && is_weekday("Tues"));
        assert!(!is_weekday("Mo") && !is_weekday("March"));
    }

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
            "Mar. 14, 2019",
            "March 14th, 2019",
            "14 March 2019",
            "2019/03/14",
        ] {
            assert_eq!(normalize_date(s).as_deref(), Some("2019-03-14"), "{s}");
        }
    }

    #[test]
    fn ocr_letters_in_numbers_are_read_as_digits() {
        assert_eq!(normalize_date("O3/l4/2O19").as_deref(), Some("2019-03-14"));
        // A line printer's zeros and fives: Q, D and S.
        assert_eq!(normalize_date("Q4/08/1953").as_deref(), Some("1953-04-08"));
        assert_eq!(normalize_date("D3/1S/2021").as_deref(), Some("2021-03-15"));
        // (Not in a word: "DEC", "SEP" are months, no digits.)
        assert_eq!(normalize_date("SEP 5 2021").as_deref(), Some("2021-09-05"));
        assert_eq!(normalize_date("Oct 1, 2019").as_deref(), Some("2019-10-01"));
        assert_eq!(normalize_date("Sept 14, 2019").as_deref(), Some("2019-09-14"));
        // One letter of a month's full name misread, and its day run into it.
        assert_eq!(normalize_date("Aprit 7, 2015").as_deref(), Some("2015-04-07"));
        assert_eq!(normalize_date("Aprit7,2015").as_deref(), Some("2015-04-07"));
        assert!(needs_ocr_fix("Aprit 7, 2015"));
        assert!(!needs_ocr_fix("April 7, 2015"));
        // Not a word two letters off, nor a short name that could be two months.
        assert_eq!(normalize_date("Apron 7, 2015"), None);
        assert_eq!(normalize_date("Jume 7, 2015"), None);
    }

    #[test]
    fn impossible_dates_are_refused() {
        for s in [
            "02/30/2019",
            "13/13/2019",
            "32/01/2019",
            "2019-14-01",
            "hello",
            "1/2",
            "02/29/2019",
            "Marching 1, 2019",
        ] {
            assert_eq!(normalize_date(s), None, "{s}");
        }
        assert_eq!(normalize_date("02/29/2020").as_deref(), Some("2020-02-29"));
        // (A first number over 12 is a day: the date is written day first.)
        assert_eq!(normalize_date("13/01/2019").as_deref(), Some("2019-01-13"));
        let d = parse("1/2/45").unwrap();
        assert_eq!((d.iso().as_str(), d.two_digit_year), ("1945-01-02", true));
    }
}
