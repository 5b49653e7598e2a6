//! ICD-10-CM codes: validation against the official list of billable codes (April 2026, shipped
//! in `data/`), correction of the OCR confusions codes suffer (I↔1, O↔0, S↔5, B↔8, Z↔2) — only
//! where the corrected code is valid and the code as read is not — and the check of a code
//! against the official description printed beside it (`describe`), which reads a misread code
//! as the one its description names.

mod describe;

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

static BILLABLE: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../data/icd10cm-billable.txt").lines().collect());

/// True if `code` (upper case, with its dot) is a billable ICD-10-CM code.
pub fn is_billable(code: &str) -> bool {
    BILLABLE.contains(code)
}

/// How a code was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Read {
    /// Valid as written (case and dot normalised).
    Exact(String),
    /// Valid after undoing OCR confusions.
    Corrected(String),
}

fn dotted(compact: &str) -> String {
    if compact.len() > 3 {
        format!("{}.{}", &compact[..3], &compact[3..])
    } else {
        compact.to_string()
    }
}

fn as_letter(c: char) -> Option<char> {
    match c {
        '1' | 'l' | '|' => Some('I'),
        '0' => Some('O'),
        '5' | '$' => Some('S'),
        '8' => Some('B'),
        '2' => Some('Z'),
        c if c.is_ascii_alphabetic() => Some(c.to_ascii_uppercase()),
        _ => None,
    }
}

fn as_digit(c: char) -> Option<char> {
    match c.to_ascii_uppercase() {
        'O' | 'Q' | 'D' => Some('0'),
        'I' | 'L' | '|' => Some('1'),
        'S' | '$' => Some('5'),
        'B' => Some('8'),
        'Z' => Some('2'),
        c if c.is_ascii_digit() => Some(c),
        _ => None,
    }
}

/// The other reading of a character in positions 3–7, where letters and digits both occur.
fn swapped(c: char) -> Option<char> {
    if c.is_ascii_digit() {
        as_letter(c).filter(|l| *l != c)
    } else {
        as_digit(c)
    }
}

/// Reads a token as an ICD-10-CM code: exact if it is one, corrected if exactly one reading with
/// OCR confusions undone is, else `None`. A speck read as a character before the code ("jJ18.9",
/// "S$52.501A") is left out when the code has its dot: the token without one of its first two
/// characters, if exactly one such reading is a code with the dot after its third character.
pub(crate) fn read(token: &str) -> Option<Read> {
    let token = trim(token);
    if let Some(code) = read_token(token) {
        return Some(code);
    }
    if token.find('.') != Some(4) {
        return None;
    }
    let mut found: Vec<String> = (0..2)
        .filter_map(|i| {
            let mut chars: Vec<char> = token.chars().collect();
            chars.remove(i);
            match read_token(&chars.into_iter().collect::<String>())? {
                Read::Exact(code) | Read::Corrected(code) => Some(code),
            }
        })
        .collect();
    found.dedup();
    match found.as_slice() {
        [one] => Some(Read::Corrected(one.clone())),
        _ => None,
    }
}

fn read_token(token: &str) -> Option<Read> {
    let compact: String = token.chars().filter(|&c| c != '.').collect();
    if !(3..=7).contains(&compact.chars().count())
        || !compact.chars().all(|c| c.is_ascii_alphanumeric() || c == '|' || c == '$')
    {
        return None;
    }
    let upper = compact.to_ascii_uppercase();
    let exact = dotted(&upper);
    if is_billable(&exact) {
        return Some(Read::Exact(exact));
    }
    // The first character is always a letter and the second a digit.
    let chars: Vec<char> = compact.chars().collect();
    let first = as_letter(chars[0])?;
    let second = as_digit(chars[1])?;
    let rest: Vec<char> = chars[2..].iter().map(|c| c.to_ascii_uppercase()).collect();
    let base: String = [first, second].into_iter().chain(rest.iter().copied()).collect();
    let candidate = dotted(&base);
    if is_billable(&candidate) {
        return Some(Read::Corrected(candidate));
    }
    // One more confusion further on, if exactly one such reading is valid.
    let mut found = Vec::new();
    for i in 2..base.len() {
        let c = base.as_bytes()[i] as char;
        if let Some(s) = swapped(c) {
            let mut alt: Vec<char> = base.chars().collect();
            alt[i] = s;
            let alt = dotted(&alt.into_iter().collect::<String>());
            if is_billable(&alt) {
                found.push(alt);
            }
        }
    }
    match found.as_slice() {
        [one] => Some(Read::Corrected(one.clone())),
        _ => None,
    }
}

/// What the text printed after a code-like token says of the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Described {
    /// The text names the official description of this code, the only one consistent with the
    /// token whose description it names.
    Names(String),
    /// The text names the description of a code other than the token's corrected reading (which
    /// is then not to be taken).
    Disagrees,
    /// The text says nothing either way: no text, or one that names no code, or several codes
    /// the token may be, its corrected reading among them.
    Silent,
}

/// A token shaped like a printed code: three to seven letters and digits (OCR's "|" and "$"
/// too), at least two of them digits as read, the second readable as a digit, and the dot, if
/// any, after the third (OCR's comma for it too: "F41,1"). A code without a dot only of three
/// characters ("I10"): longer numbers are years, record numbers or quantities far more often
/// than codes.
pub(crate) fn code_like(token: &str) -> bool {
    let token = with_dot(trim(token));
    let compact: Vec<char> = token.chars().filter(|&c| c != '.').collect();
    let shape = match token.matches('.').count() {
        0 => compact.len() == 3,
        1 => token.find('.') == Some(3) && (4..=7).contains(&compact.len()),
        _ => false,
    };
    shape
        && compact.iter().all(|&c| c.is_ascii_alphanumeric() || c == '|' || c == '$')
        && compact.iter().filter(|c| c.is_ascii_digit()).count() >= 2
        && as_digit(compact[1]).is_some()
}

/// Checks a code-like `token` against the text printed after it on its line (`text`) and, when
/// that names no code, against that text run on into the next line (`continued`: a description
/// that wraps). A continued text may name a code but never disagrees: the next line may be
/// another entry.
///
/// A code valid as read is named when the text names its own description. Otherwise the token
/// is read as the one billable code consistent with it (any first character; the rest as read
/// or with OCR confusions undone) whose description the text names, if exactly one is; a
/// corrected reading the text does not name, while it names another code, disagrees.
pub(crate) fn described(token: &str, text: &str, continued: Option<&str>) -> Described {
    if !code_like(token) {
        return Described::Silent;
    }
    let token = with_dot(trim(token));
    let token = token.as_ref();
    let reading = read(token);
    match judge(token, reading.as_ref(), text) {
        Described::Silent => {}
        decided => return decided,
    }
    match continued.map(|next| judge(token, reading.as_ref(), &format!("{text} {next}"))) {
        Some(Described::Names(code)) => Described::Names(code),
        _ => Described::Silent,
    }
}

fn judge(token: &str, reading: Option<&Read>, text: &str) -> Described {
    if !text.chars().any(char::is_alphabetic) {
        return Described::Silent;
    }
    if let Some(Read::Exact(code)) = reading {
        return match describe::compare(text, code) {
            Some(m) if m.names() => Described::Names(code.clone()),
            _ => Described::Silent,
        };
    }
    let named: Vec<String> = consistent(token)
        .into_iter()
        .filter(|code| describe::compare(text, code).is_some_and(|m| m.names()))
        .collect();
    if let [one] = named.as_slice() {
        return Described::Names(one.clone());
    }
    let Some(Read::Corrected(corrected)) = reading else { return Described::Silent };
    if !named.is_empty() {
        // Several codes the token may be are named: it disagrees only if its reading is not one.
        return if named.contains(corrected) { Described::Silent } else { Described::Disagrees };
    }
    match describe::best(text) {
        Some((_, m)) if m.names_clearly() => Described::Disagrees,
        _ => Described::Silent,
    }
}

/// The billable codes a code-like token may be: any letter first, the second character as a
/// digit, each further one as read or with its OCR confusion undone.
fn consistent(token: &str) -> Vec<String> {
    let compact: Vec<char> = trim(token).chars().filter(|&c| c != '.').collect();
    let Some(second) = compact.get(1).copied().and_then(as_digit) else { return Vec::new() };
    let mut stems: Vec<String> = vec![second.to_string()];
    for &c in &compact[2..] {
        let upper = c.to_ascii_uppercase();
        let readings: Vec<char> = [Some(upper), swapped(c)]
            .into_iter()
            .flatten()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        stems =
            stems.iter().flat_map(|s| readings.iter().map(move |r| format!("{s}{r}"))).collect();
    }
    let mut out: Vec<String> = ('A'..='Z')
        .flat_map(|first| stems.iter().map(move |s| dotted(&format!("{first}{s}"))))
        .filter(|code| is_billable(code))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The token with a comma where a code's dot stands ("F41,1") read as the dot. Only a code
/// checked against its description is read so: the comma is a misreading the list of codes
/// alone cannot tell from two values.
fn with_dot(token: &str) -> Cow<'_, str> {
    if token.find(',') == Some(3) && token.matches(',').count() == 1 && !token.contains('.') {
        Cow::Owned(token.replacen(',', ".", 1))
    } else {
        Cow::Borrowed(token)
    }
}

fn trim(token: &str) -> &str {
    token.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '|' && c != '$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_list_is_loaded() {
        assert_eq!(BILLABLE.len(), 74_706);
        for code in ["E11.9", "I10", "I50.9", "J45.909", "S03.40XA", "U07.1"] {
            assert!(is_billable(code), "{code}");
        }
        // Categories are not billable.
        assert!(!is_billable("E11"));
        assert!(!is_billable("N18.3"));
    }

    #[test]
    fn exact_codes_are_normalised() {
        assert_eq!(read("e11.9"), Some(Read::Exact("E11.9".into())));
        assert_eq!(read("E119"), Some(Read::Exact("E11.9".into())));
        assert_eq!(read("(J45.909),"), Some(Read::Exact("J45.909".into())));
    }

    #[test]
    fn ocr_confusions_are_corrected_only_into_valid_codes() {
        assert_eq!(read("150.9"), Some(Read::Corrected("I50.9".into())));
        assert_eq!(read("l10"), Some(Read::Corrected("I10".into())));
        assert_eq!(read("EI1.9"), Some(Read::Corrected("E11.9".into())));
        assert_eq!(read("J45.9O9"), Some(Read::Corrected("J45.909".into())));
        assert_eq!(read("$52.501A"), Some(Read::Corrected("S52.501A".into())));
        // A speck before the code.
        assert_eq!(read("jJ18.9"), Some(Read::Corrected("J18.9".into())));
        assert_eq!(read("S$52.501A"), Some(Read::Corrected("S52.501A".into())));
        // Of "M54.50" and "S54.50" only the first is a code.
        assert_eq!(read("MS54.50"), Some(Read::Corrected("M54.50".into())));
        assert_eq!(read("E11.9x"), None);
        // Nothing valid to correct to: no code.
        assert_eq!(read("100.4"), None);
        assert_eq!(read("999.9"), None);
        assert_eq!(read("hello"), None);
    }

    #[test]
    fn code_like_tokens() {
        for token in
            ["150.9", "I50.9", "125.10", "l10", "110", "(J44.9),", "S52.5O1A", "E1l.9", "F41,1"]
        {
            assert!(code_like(token), "{token}");
        }
        for token in
            ["1509", "2024", "98.6", "15.09", "1.509", "Heart", "use", "a1c", "150/90", "1,509"]
        {
            assert!(!code_like(token), "{token}");
        }
    }

    #[test]
    fn a_first_character_misread_as_a_digit_is_read_from_the_official_description() {
        let names = |code: &str| Described::Names(code.into());
        let cases = [
            ("150.9", "Heart failure, unspecified", "I50.9"),
            (
                "125.10",
                "Atherosclerotic heart disease of native coronary artery without angina pectoris",
                "I25.10",
            ),
            ("279.4", "Long term (current) use of insulin", "Z79.4"),
            ("144.9", "Chronic obstructive pulmonary disease, unspecified", "J44.9"),
        ];
        for (token, text, code) in cases {
            assert_eq!(described(token, text, None), names(code), "{token} {text}");
        }
        // "144.9" is no code even with the usual confusions undone.
        assert_eq!(read("144.9"), None);
    }

    #[test]
    fn printed_descriptions_may_be_shortened_abbreviated_or_misread() {
        let names = |code: &str| Described::Names(code.into());
        let cases = [
            ("150.9", "Heart failure, unsp.", "I50.9"),
            ("150.9", "Hcart failurc, unspecifled", "I50.9"),
            ("150.9", "CHF", "I50.9"),
            // The CMS short description.
            ("125.10", "Athscl heart disease of native coronary artery w/o ang pctrs", "I25.10"),
            ("125.10", "ASHD of native coronary artery w/o angina", "I25.10"),
            ("279.4", "Long-term insulin use", "Z79.4"),
            ("144.9", "COPD, unspecified", "J44.9"),
            ("144.9", "COPD", "J44.9"),
            ("110", "Essential hypertension", "I10"),
            ("E1l.9", "Type 2 diabetes mellitus w/o complications", "E11.9"),
            // Other columns of a table after the description.
            ("150.9", "| Heart failure, unspecified | Active | 03/01/2024 |", "I50.9"),
        ];
        for (token, text, code) in cases {
            assert_eq!(described(token, text, None), names(code), "{token} {text}");
        }
    }

    #[test]
    fn a_description_may_wrap_to_the_next_line() {
        assert_eq!(
            described("144.9", "Chronic", Some("obstructive pulmonary disease, unspecified")),
            Described::Names("J44.9".into())
        );
        // A line that names another code only names it: it may be the next entry.
        let next = Some("Type 2 diabetes mellitus without complications");
        assert_eq!(described("150.9", "", next), Described::Silent);
    }

    #[test]
    fn a_description_of_another_code_disagrees() {
        let text = "Type 2 diabetes mellitus without complications";
        assert_eq!(described("150.9", text, None), Described::Disagrees);
        // Valid as read: its own description is not this one, but it stays a code.
        assert_eq!(described("I50.9", text, None), Described::Silent);
    }

    #[test]
    fn text_that_names_no_code_says_nothing() {
        assert_eq!(described("150.9", "", None), Described::Silent);
        assert_eq!(described("150.9", "lb", None), Described::Silent);
        assert_eq!(described("150.9", "lb, down from 155", None), Described::Silent);
        assert_eq!(described("l10", "stable, continue lisinopril", None), Described::Silent);
        assert_eq!(described("Heart", "failure, unspecified", None), Described::Silent);
    }
}
