//! Label-driven reading of header fields: "Patient: …", "MRN: …", "DOB: …" and their variants,
//! several to a line as in two-column chart headers.

use crate::dates::normalize_date;
use crate::{icd10, npi_is_valid, Diagnostic, Extraction};
use chartdex_core::PageText;
use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Patient,
    Mrn,
    Dob,
    Sex,
    /// A date of service; the number is its priority (lower wins), so "Date of Service" beats a
    /// bare "Date".
    Dos(u8),
    Provider,
    Npi,
    Facility,
}

const LABELS: &[(&str, Key)] = &[
    (r"patient\s+name|pt\.?\s+name|patient", Key::Patient),
    (
        r"mrn\s*#?|medical\s+record\s+(?:no\.?|number|#)|med\.?\s*rec\.?\s*(?:no\.?|#)?|chart\s*(?:#|no\.?|number)",
        Key::Mrn,
    ),
    (r"d\.\s?o\.\s?b\.?|dob|date\s+of\s+birth|birth\s*date", Key::Dob),
    (r"sex|gender", Key::Sex),
    (r"date\s+of\s+service|dos|service\s+date|date\s+of\s+visit|visit\s+date", Key::Dos(0)),
    (
        r"collection\s+date|collected|discharge\s+date|admit\s+date|admission\s+date|registration\s+date|exam\s+date|procedure\s+date|report\s+date",
        Key::Dos(1),
    ),
    (r"date", Key::Dos(2)),
    (r"npi(?:\s*#)?", Key::Npi),
    (
        r"attending\s+physician|attending|rendering\s+provider|ordering\s+provider|provider|physician|signed\s+by",
        Key::Provider,
    ),
    (r"facility|clinic", Key::Facility),
    (r"name", Key::Patient),
];

static LABEL_RE: LazyLock<(Regex, Vec<Key>)> = LazyLock::new(|| {
    let alts: Vec<String> = LABELS.iter().map(|(p, _)| format!("({p})")).collect();
    let re = Regex::new(&format!(r"(?i)(?:^|[\s|;])(?:{})\s*[:#]\s*", alts.join("|")))
        .expect("label regex is valid");
    (re, LABELS.iter().map(|(_, k)| *k).collect())
});

/// Words that say a line lists diagnoses.
const DIAGNOSIS_CONTEXT: &[&str] = &["icd", "diagnos", "assessment", "impression", "dx", "problem"];

/// What reading remembers from page to page.
#[derive(Debug)]
pub(crate) struct State {
    /// The priority of the label the service date came from.
    dos_priority: u8,
}

impl Default for State {
    fn default() -> Self {
        State { dos_priority: u8::MAX }
    }
}

/// Reads one page's labelled values into `out`, keeping values already found.
pub(crate) fn read_page(page: &PageText, out: &mut Extraction, state: &mut State) {
    let (re, keys) = &*LABEL_RE;
    for line in page.text.lines() {
        let found: Vec<(Key, usize, usize)> = re
            .captures_iter(line)
            .filter_map(|c| {
                let whole = c.get(0)?;
                let group = (1..c.len()).find(|&i| c.get(i).is_some())?;
                Some((keys[group - 1], whole.start(), whole.end()))
            })
            .collect();
        for (i, &(key, _, value_start)) in found.iter().enumerate() {
            let value_end = found.get(i + 1).map(|f| f.1).unwrap_or(line.len());
            let value = line[value_start..value_end].trim();
            if value.is_empty() {
                continue;
            }
            apply(key, value, page.number, out, &mut state.dos_priority);
        }
    }
    read_codes(page, out);
}

/// ICD-10-CM codes, validated against the official list. A code written with its dot counts
/// anywhere; one without (I10) only on a line about diagnoses. A code that is valid only once OCR
/// confusions are undone ("150.9" for I50.9) counts where a code is expected: at the start of a
/// line, or on a line about diagnoses — never in the middle of other text, where "150.9" may be
/// a weight.
fn read_codes(page: &PageText, out: &mut Extraction) {
    for line in page.text.lines() {
        let lower = line.to_lowercase();
        let context = DIAGNOSIS_CONTEXT.iter().any(|w| lower.contains(w));
        for (i, token) in line.split_whitespace().enumerate() {
            let has_dot =
                token.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()).contains('.');
            let code = match icd10::read(token) {
                Some(icd10::Read::Exact(code)) if has_dot || context => code,
                Some(icd10::Read::Corrected(code)) if context || (has_dot && i == 0) => {
                    out.diagnostics.push(Diagnostic {
                        page: page.number,
                        message: format!("ICD-10 code read as {token:?}, corrected to {code}"),
                    });
                    code
                }
                _ => continue,
            };
            if !out.fields.icd10.contains(&code) {
                out.fields.icd10.push(code);
            }
        }
    }
}

fn apply(key: Key, value: &str, page: u32, out: &mut Extraction, dos_priority: &mut u8) {
    let f = &mut out.fields;
    match key {
        Key::Patient if f.patient.family.is_none() => {
            if let Some((given, family)) = person_name(value) {
                f.patient.given = given;
                f.patient.family = Some(family);
            }
        }
        Key::Mrn if f.patient.mrn.is_none() => f.patient.mrn = identifier(value),
        Key::Dob if f.patient.dob.is_none() => f.patient.dob = leading_date(value),
        Key::Sex if f.patient.sex.is_none() => f.patient.sex = sex(value),
        // A more specific label wins over a generic one; among equals, the first.
        Key::Dos(priority) if priority < *dos_priority => {
            if let Some(d) = leading_date(value) {
                f.service_date = Some(d);
                *dos_priority = priority;
            }
        }
        Key::Provider if f.provider.family.is_none() => {
            if let Some((given, family)) = person_name(value) {
                f.provider.given = given;
                f.provider.family = Some(family);
            }
        }
        Key::Npi if f.provider.npi.is_none() => {
            let digits: String = value
                .split_whitespace()
                .next()
                .unwrap_or("")
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            if npi_is_valid(&digits) {
                f.provider.npi = Some(digits);
            } else {
                out.diagnostics.push(Diagnostic {
                    page,
                    message: "NPI fails its check digit; not kept".into(),
                });
            }
        }
        Key::Facility if f.facility.is_none() => {
            let v: String = value.chars().take(80).collect();
            f.facility = Some(v.trim().to_string());
        }
        _ => {}
    }
}

/// "LAST, FIRST M" or "First M. Last", with titles and credentials dropped. Returns
/// (given, family), names in title case when written all in capitals.
fn person_name(value: &str) -> Option<(Option<String>, String)> {
    const DROP: &[&str] = &[
        "dr", "dr.", "md", "m.d.", "do", "d.o.", "np", "pa", "pa-c", "rn", "phd", "mr", "mrs",
        "ms", "mr.", "mrs.", "ms.", "jr", "jr.", "sr", "facp", "dds",
    ];
    let (family_first, body) = match value.split_once(',') {
        Some((family, rest))
            if !DROP.contains(&rest.trim().trim_end_matches('.').to_ascii_lowercase().as_str())
                && !rest.trim().is_empty() =>
        {
            (Some(family), rest)
        }
        _ => (None, value.split(',').next().unwrap_or(value)),
    };
    let words = |s: &str| -> Vec<String> {
        s.split_whitespace()
            .filter(|w| !DROP.contains(&w.to_ascii_lowercase().trim_end_matches(',')))
            .map(|w| w.trim_matches(|c: char| !c.is_alphabetic() && c != '\'' && c != '-'))
            .filter(|w| !w.is_empty())
            .map(title_case)
            .collect()
    };
    if value.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let (given, family) = match family_first {
        Some(family) => {
            let fam = words(family);
            let giv = words(body);
            (giv.first().cloned(), fam.join(" "))
        }
        None => {
            let w = words(body);
            match w.as_slice() {
                [] => return None,
                [only] => (None, only.clone()),
                [first, .., last] => (Some(first.clone()), last.clone()),
            }
        }
    };
    let usable = |s: &str| s.chars().filter(|c| c.is_alphabetic()).count() >= 2;
    if !usable(&family) {
        return None;
    }
    Some((given.filter(|g| usable(g)), family))
}

fn title_case(w: &str) -> String {
    if w.chars().any(|c| c.is_lowercase()) {
        return w.to_string();
    }
    let mut out = String::with_capacity(w.len());
    let mut start = true;
    for c in w.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c == '-' || c == '\'';
    }
    out
}

/// The first token of a value as an identifier (MRN): letters, digits and hyphens, with at least
/// three digits; a letter O among digits is read as zero.
fn identifier(value: &str) -> Option<String> {
    let token = value.split_whitespace().next()?.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let digits = token.chars().filter(char::is_ascii_digit).count();
    if token.len() < 4
        || digits < 3
        || !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return None;
    }
    let letters = token.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let only_o = token.chars().filter(|c| c.is_ascii_alphabetic()).all(|c| c == 'O' || c == 'o');
    if letters > 0 && only_o && digits * 2 >= token.len() {
        return Some(token.replace(['O', 'o'], "0"));
    }
    Some(token.to_ascii_uppercase())
}

/// A date at the start of a value ("03/14/1961 (62 y)", "March 2, 2024 10:30").
fn leading_date(value: &str) -> Option<String> {
    let tokens: Vec<&str> = value.split_whitespace().take(3).collect();
    (1..=tokens.len()).rev().find_map(|n| normalize_date(&tokens[..n].join(" ")))
}

fn sex(value: &str) -> Option<String> {
    let v = value
        .split_whitespace()
        .next()?
        .trim_matches(|c: char| !c.is_alphabetic())
        .to_ascii_lowercase();
    match v.as_str() {
        "m" | "male" => Some("M".into()),
        "f" | "female" => Some("F".into()),
        "u" | "unknown" | "x" => Some("U".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_both_orders() {
        assert_eq!(
            person_name("TESTPATIENT, ALICE Q"),
            Some((Some("Alice".into()), "Testpatient".into()))
        );
        assert_eq!(
            person_name("Alice Q. Testpatient"),
            Some((Some("Alice".into()), "Testpatient".into()))
        );
        assert_eq!(
            person_name("Dr. Robert Fakedoc, MD"),
            Some((Some("Robert".into()), "Fakedoc".into()))
        );
        assert_eq!(person_name("12345"), None);
        assert_eq!(
            person_name("O'BRIEN-FAKE, JO"),
            Some((Some("Jo".into()), "O'Brien-Fake".into()))
        );
    }

    #[test]
    fn identifiers_and_ocr_zeroes() {
        assert_eq!(identifier("00123456").as_deref(), Some("00123456"));
        assert_eq!(identifier("OO123456 ").as_deref(), Some("00123456"));
        assert_eq!(identifier("AB-12345").as_deref(), Some("AB-12345"));
        assert_eq!(identifier("none"), None);
    }

    #[test]
    fn dates_and_sex_values() {
        assert_eq!(leading_date("03/14/1961 (62 y)").as_deref(), Some("1961-03-14"));
        assert_eq!(leading_date("March 2, 2024 10:30").as_deref(), Some("2024-03-02"));
        assert_eq!(sex("Female").as_deref(), Some("F"));
        assert_eq!(sex("?"), None);
    }
}
