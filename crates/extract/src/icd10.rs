//! ICD-10-CM codes: validation against the official list of billable codes (April 2026, shipped
//! in `data/`), and correction of the OCR confusions codes suffer (I↔1, O↔0, S↔5, B↔8, Z↔2) —
//! only where the corrected code is valid and the code as read is not.

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
    let token = token.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '|' && c != '$');
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
}
