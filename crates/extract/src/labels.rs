//! Label-driven reading of header fields: "Patient: …", "MRN: …", "DOB: …" and their variants.
//!
//! Labels and values are found on the same line (several pairs to a line, as in two- and
//! three-column headers), under each other (a label whose value is on the next line, in the
//! label's column), and in form rows (a line of labels without colons over a line of values).
//! Labels unmistakable on their own (MRN, DOB, NPI, Date of Service …) count even when OCR lost
//! their colon, but only when the value after them validates.

use crate::dates::{self, Date};
use crate::layout::{split_tokens, Line};
use crate::names::{person_name, single_name};
use crate::{npi_is_valid, Extraction};
use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Patient,
    Family,
    Given,
    Mrn,
    Dob,
    Sex,
    /// A date of service; the number is its priority (lower wins), so "Date of Service" beats
    /// "Admit Date", which beats a bare "Date".
    Dos(u8),
    Provider,
    Npi,
    Facility,
    /// A label of something else ("Emergency Contact Name"): it ends the value before it.
    Other,
}

/// (pattern, key, counts without a colon when its value validates)
const LABELS: &[(&str, Key, bool)] = &[
    (r"patient\s+name|pt\.?\s+name|patient", Key::Patient, false),
    (r"last\s+name|family\s+name|surname", Key::Family, false),
    (r"first\s+name|given\s+name", Key::Given, false),
    (
        r"mrn\s*#?|m\.r\.n\.?|medical\s+record\s+(?:no\.?|number|#)|med\.?\s*rec\.?\s*(?:no\.?|#)?|chart\s*(?:#|no\.?|number)|patient\s+id|pt\.?\s+id",
        Key::Mrn,
        true,
    ),
    (r"d[.:,]?\s?[o0][.:,]?\s?b\b\.?|date\s+of\s+birth|birth\s*date", Key::Dob, true),
    (r"sex|gender", Key::Sex, true),
    (
        r"date\s+of\s+service|dos|service\s+date|date\s+of\s+visit|visit\s+date|encounter\s+date",
        Key::Dos(0),
        true,
    ),
    (
        r"collection\s+date|date\s+collected|collected|discharge\s+date|date\s+of\s+discharge|admit\s+date|admission\s+date|date\s+of\s+admission|registration\s+date|exam\s+date|date\s+of\s+exam|procedure\s+date|date\s+of\s+procedure|surgery\s+date|date\s+of\s+surgery|report\s+date|specimen\s+date|date\s+written|date\s+issued|effective\s+date",
        Key::Dos(1),
        true,
    ),
    (r"date", Key::Dos(2), false),
    (r"npi\s*(?:#|no\.?|number)?", Key::Npi, true),
    (
        r"attending\s+physician|attending|rendering\s+provider|ordering\s+provider|ordering\s+physician|referring\s+provider|referring\s+physician|prescriber|surgeon|radiologist|pathologist|provider|physician|(?:electronically\s+)?signed\s+by",
        Key::Provider,
        false,
    ),
    (r"facility|clinic|hospital|location", Key::Facility, false),
    (
        r"member\s+id|subscriber\s+id|group\s*(?:#|no\.?|number)|rxbin|rxpcn|rxgrp|copay|address|phone|insurance|emergency\s+contact|account\s*(?:#|no\.?|number)",
        Key::Other,
        false,
    ),
    (r"member\s+name|member|name", Key::Patient, false),
];

/// Words that, just before a name label, say the name is not the patient's.
const NOT_THE_PATIENT: &[&str] = &[
    "contact",
    "emergency",
    "subscriber",
    "insured",
    "guarantor",
    "employer",
    "provider",
    "physician",
    "doctor",
    "facility",
    "pharmacy",
    "plan",
    "insurance",
    "spouse",
    "parent",
    "guardian",
    "mother",
    "father",
    "company",
    "drug",
    "test",
    "clinic",
    "hospital",
];

struct LabelSet {
    re: Regex,
    keys: Vec<(Key, bool)>,
    punct: usize,
}

static LABEL_SET: LazyLock<LabelSet> = LazyLock::new(|| {
    let alts: Vec<String> = LABELS.iter().map(|(p, _, _)| format!("({p})")).collect();
    let re = Regex::new(&format!(r"(?i)\b(?:{})(?:\s*([:;])\s*|\s+|$)", alts.join("|")))
        .expect("label regex is valid");
    LabelSet {
        re,
        keys: LABELS.iter().map(|(_, k, b)| (*k, *b)).collect(),
        punct: LABELS.len() + 1,
    }
});

/// One label found on a line.
#[derive(Debug, Clone, Copy)]
struct Found {
    key: Key,
    /// The label counts without a colon when its value validates.
    bare_ok: bool,
    /// A colon (or what OCR made of one) follows it.
    punct: bool,
    start: usize,
    end: usize,
    value_start: usize,
}

fn find_labels(text: &str) -> Vec<Found> {
    let set = &*LABEL_SET;
    set.re
        .captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let group = (1..=set.keys.len()).find(|&i| c.get(i).is_some())?;
            let label = c.get(group)?;
            let (mut key, bare_ok) = set.keys[group - 1];
            if key == Key::Patient {
                let before = text[..label.start()].split_whitespace().next_back().unwrap_or("");
                let before = before.trim_matches(|c: char| !c.is_alphabetic()).to_lowercase();
                if NOT_THE_PATIENT.contains(&before.as_str()) {
                    key = Key::Other;
                }
            }
            Some(Found {
                key,
                bare_ok,
                punct: c.get(set.punct).is_some(),
                start: label.start(),
                end: label.end(),
                value_start: whole.end(),
            })
        })
        .collect()
}

/// What reading remembers from line to line and page to page.
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

/// Reads the labelled values of a page's lines into `out`, keeping values already found.
pub(crate) fn read_lines(lines: &[Line<'_>], out: &mut Extraction, state: &mut State) {
    for (n, line) in lines.iter().enumerate() {
        let next = lines[n + 1..].iter().find(|l| !l.text.trim().is_empty());
        let found = find_labels(line.text);
        if found.is_empty() {
            continue;
        }
        let row = is_label_row(line.text, &found);
        if let Some(next) = next.filter(|n| row && !find_labels(n.text).iter().any(|g| g.punct)) {
            read_label_row(line, &found, next, out, state);
            continue;
        }
        // Bare labels count only where their value validates; the others need their colon.
        let accepted: Vec<Found> = found
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                if f.punct {
                    return true;
                }
                if !f.bare_ok {
                    return false;
                }
                let end = found.get(i + 1).map_or(line.text.len(), |g| g.start);
                validates(f.key, line.text.get(f.value_start..end).unwrap_or(""))
            })
            .map(|(_, f)| *f)
            .collect();
        for (i, f) in accepted.iter().enumerate() {
            let end = accepted.get(i + 1).map_or(line.text.len(), |g| g.start);
            let (vs, ve) = trimmed(line.text, f.value_start, end);
            if vs < ve {
                apply(f.key, line, vs, ve, 1.0, out, state);
                continue;
            }
            let next_x = accepted.get(i + 1).and_then(|g| line.x_at(g.start));
            // Nothing after the label in the text: the page segmenter may have put the value
            // to its right in another block; else it may be under the label, in its column.
            if let Some((l, vs, ve)) = same_row(lines, line, f, next_x) {
                apply(f.key, l, vs, ve, 0.9, out, state);
                continue;
            }
            let Some(next) = next else { continue };
            let (Some(from), to) =
                (line.x_at(f.start), accepted.get(i + 1).and_then(|g| line.x_at(g.start)))
            else {
                continue;
            };
            if !find_labels(next.text).iter().any(|g| g.punct) {
                if let Some((vs, ve)) = next.range_in_column(from, to) {
                    apply(f.key, next, vs, ve, 0.95, out, state);
                }
            }
        }
    }
}

/// The words to the right of a label with nothing after it in its line, on the same row of the
/// page (by their boxes), up to the next label: the line they are in and their byte range.
fn same_row<'l, 'a>(
    lines: &'l [Line<'a>],
    line: &Line<'_>,
    label: &Found,
    next_x: Option<u32>,
) -> Option<(&'l Line<'a>, usize, usize)> {
    let end_tok = line.tokens.iter().rev().find(|t| t.start < label.value_start.max(label.end))?;
    let lb = end_tok.bbox?;
    let (top, bottom) = (lb.y, lb.y + lb.h);
    for other in lines {
        let inside: Vec<_> = other
            .tokens
            .iter()
            .filter(|t| {
                t.bbox.is_some_and(|b| {
                    let mid = b.y + b.h / 2;
                    mid >= top
                        && mid <= bottom
                        && b.x > lb.x + lb.w
                        && next_x.is_none_or(|n| b.x < n)
                })
            })
            .collect();
        if let (Some(first), Some(last)) = (inside.first(), inside.last()) {
            if !std::ptr::eq(other.text, line.text) {
                return Some((other, first.start, last.end));
            }
        }
    }
    None
}

/// A line made only of labels, as the top row of a form ("Patient Name   MRN   DOB", or one
/// label alone): their values are on the next line.
fn is_label_row(text: &str, found: &[Found]) -> bool {
    if found.is_empty() || (found.len() == 1 && !found[0].bare_ok && !found[0].punct) {
        return false;
    }
    let mut rest = String::with_capacity(text.len());
    let mut at = 0;
    for f in found {
        rest.push_str(text.get(at..f.start).unwrap_or(""));
        at = f.value_start.max(f.end);
    }
    rest.push_str(text.get(at..).unwrap_or(""));
    rest.chars().all(|c| c.is_whitespace() || ":;#|".contains(c))
}

/// Values in the line under a row of labels. The value line is cut into columns at its wide
/// gaps, and each column goes to the last label that starts left of it (form columns line up
/// in pixels, not in characters; a little slack allows for a value written left of its label).
fn read_label_row(
    labels: &Line<'_>,
    found: &[Found],
    values: &Line<'_>,
    out: &mut Extraction,
    state: &mut State,
) {
    let xs: Option<Vec<u32>> = found.iter().map(|f| labels.x_at(f.start)).collect();
    let slack = labels.tokens.iter().filter_map(|t| t.bbox).map(|b| b.h).max().unwrap_or(20) * 2;
    let ranges: Vec<Option<(usize, usize)>> = match xs {
        Some(xs) => {
            let mut ranges: Vec<Option<(usize, usize)>> = vec![None; found.len()];
            for (cs, ce) in columns(values) {
                let Some(x) = values.x_at(cs) else { continue };
                let i = xs.iter().rposition(|&lx| lx <= x + slack).unwrap_or(0);
                ranges[i] = Some(ranges[i].map_or((cs, ce), |(s, _)| (s, ce)));
            }
            ranges
        }
        // No boxes (a text layer): the same character columns.
        None => (0..found.len())
            .map(|i| {
                let end =
                    found.get(i + 1).map_or(values.text.len(), |g| g.start.min(values.text.len()));
                let (s, e) = trimmed(values.text, found[i].start.min(end), end);
                (s < e).then_some((s, e))
            })
            .collect(),
    };
    for (f, range) in found.iter().zip(ranges) {
        if let Some((vs, ve)) = range {
            apply(f.key, values, vs, ve, 0.95, out, state);
        }
    }
}

/// A line cut at its wide gaps (more than one and a half times the height of its words, or two
/// spaces in text without boxes): the byte ranges of its columns.
fn columns(line: &Line<'_>) -> Vec<(usize, usize)> {
    let toks = &line.tokens;
    if toks.is_empty() {
        return Vec::new();
    }
    let mut heights: Vec<u32> = toks.iter().filter_map(|t| t.bbox.map(|b| b.h)).collect();
    heights.sort_unstable();
    let height = heights.get(heights.len() / 2).copied();
    let mut out = vec![(toks[0].start, toks[0].end)];
    for pair in toks.windows(2) {
        let wide = match (pair[0].bbox, pair[1].bbox, height) {
            (Some(a), Some(b), Some(h)) => b.x.saturating_sub(a.x + a.w) > (h * 3 / 2).max(8),
            _ => line.text[pair[0].end..pair[1].start].len() >= 2,
        };
        if wide {
            out.push((pair[1].start, pair[1].end));
        } else if let Some(last) = out.last_mut() {
            last.1 = pair[1].end;
        }
    }
    out
}

fn trimmed(text: &str, start: usize, end: usize) -> (usize, usize) {
    let Some(s) = text.get(start..end) else { return (start, start) };
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    (start + lead, (end - trail).max(start + lead))
}

/// True when a value after a label without its colon is what that label announces.
fn validates(key: Key, value: &str) -> bool {
    match key {
        Key::Mrn => identifier(value).is_some(),
        Key::Dob | Key::Dos(_) => leading_date(value).is_some(),
        Key::Sex => sex(value).is_some(),
        Key::Npi => npi(value).is_some(),
        _ => false,
    }
}

/// The byte end of the first `n` tokens of `text[start..end]`.
fn first_tokens_end(text: &str, start: usize, end: usize, n: usize) -> usize {
    split_tokens(&text[start..end]).take(n).last().map_or(start, |(at, t)| start + at + t.len())
}

fn apply(
    key: Key,
    line: &Line<'_>,
    vs: usize,
    ve: usize,
    factor: f32,
    out: &mut Extraction,
    state: &mut State,
) {
    let value = &line.text[vs..ve];
    let place =
        |n: usize| line.place(vs, if n == 0 { ve } else { first_tokens_end(line.text, vs, ve, n) });
    let f = &mut out.fields;
    match key {
        Key::Patient if f.patient.family.is_none() => {
            if let Some((given, family)) = person_name(value) {
                let p = place(0);
                out.note("patient.family", &family, p, factor, None);
                if let Some(g) = &given {
                    out.note("patient.given", g, p, factor, None);
                }
                out.fields.patient.family = Some(family);
                out.fields.patient.given = given;
            }
        }
        Key::Family if f.patient.family.is_none() => {
            if let Some(name) = single_name(value) {
                out.note("patient.family", &name, place(0), factor, None);
                out.fields.patient.family = Some(name);
            }
        }
        Key::Given if f.patient.given.is_none() => {
            if let Some(name) = single_name(value) {
                out.note("patient.given", &name, place(1), factor, None);
                out.fields.patient.given = Some(name);
            }
        }
        Key::Mrn if f.patient.mrn.is_none() => {
            if let Some((mrn, corrected)) = identifier(value) {
                let read_as = corrected.then(|| first_token(value));
                let factor = if corrected { factor * 0.9 } else { factor };
                out.note("patient.mrn", &mrn, place(1), factor, read_as.as_deref());
                out.fields.patient.mrn = Some(mrn);
            }
        }
        Key::Dob if f.patient.dob.is_none() => {
            if let Some((date, n)) = leading_date(value) {
                let iso = date.iso();
                let read_as = date_read_as(value, n);
                let factor = if read_as.is_some() { factor * 0.9 } else { factor };
                out.note("patient.dob", &iso, place(n), factor, read_as.as_deref());
                out.fields.patient.dob = Some(iso);
                out.dob_two_digit_year = date.two_digit_year;
            }
        }
        Key::Sex if f.patient.sex.is_none() => {
            if let Some(s) = sex(value) {
                out.note("patient.sex", &s, place(1), factor, None);
                out.fields.patient.sex = Some(s);
            }
        }
        // A more specific label wins over a generic one; among equals, the first.
        Key::Dos(priority) if priority < state.dos_priority => {
            if let Some((date, n)) = leading_date(value) {
                let iso = date.iso();
                // A bare "Date:" is only a guess at the date of service.
                let factor = if priority == 2 { factor * 0.85 } else { factor };
                let read_as = date_read_as(value, n);
                let factor = if read_as.is_some() { factor * 0.9 } else { factor };
                out.evidence.retain(|e| e.field != "service_date");
                out.note("service_date", &iso, place(n), factor, read_as.as_deref());
                out.fields.service_date = Some(iso);
                state.dos_priority = priority;
            }
        }
        Key::Provider if f.provider.family.is_none() => {
            if let Some((given, family)) = person_name(value) {
                let p = place(0);
                out.note("provider.family", &family, p, factor, None);
                if let Some(g) = &given {
                    out.note("provider.given", g, p, factor, None);
                }
                out.fields.provider.family = Some(family);
                out.fields.provider.given = given;
            }
        }
        Key::Npi if f.provider.npi.is_none() => match npi(value) {
            Some((digits, corrected)) => {
                let read_as = corrected.then(|| first_token(value));
                let factor = if corrected { factor * 0.9 } else { factor };
                out.note("provider.npi", &digits, place(1), factor, read_as.as_deref());
                out.fields.provider.npi = Some(digits);
            }
            None => out.diagnose(line.page, "NPI fails its check digit; not kept"),
        },
        Key::Facility if f.facility.is_none() => {
            let v: String = value.chars().take(80).collect();
            let v = v.trim().trim_end_matches([',', ';']).to_string();
            if v.chars().filter(|c| c.is_alphabetic()).count() >= 3 {
                out.note("facility", &v, place(0), factor, None);
                out.fields.facility = Some(v);
            }
        }
        _ => {}
    }
}

fn first_token(value: &str) -> String {
    value.split_whitespace().next().unwrap_or("").to_string()
}

/// The date as written, when OCR letters in it had to be read as digits ("O3/l4/2019").
fn date_read_as(value: &str, n: usize) -> Option<String> {
    let raw = value.split_whitespace().take(n).collect::<Vec<_>>().join(" ");
    dates::needs_ocr_fix(&raw).then_some(raw)
}

/// The first token of a value as an identifier (MRN): letters, digits and hyphens, with at least
/// three digits; a letter O among digits is read as zero (then `true`: corrected).
pub(crate) fn identifier(value: &str) -> Option<(String, bool)> {
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
        return Some((token.replace(['O', 'o'], "0"), true));
    }
    Some((token.to_ascii_uppercase(), false))
}

/// An NPI: the first token's ten digits with a valid check digit. OCR letters among the digits
/// (O, o, l, I) are read as digits only when that makes the check digit hold.
fn npi(value: &str) -> Option<(String, bool)> {
    let token = value.split_whitespace().next().unwrap_or("");
    let token = token.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if token.chars().all(|c| c.is_ascii_digit() || c == '-') {
        let digits: String = token.chars().filter(char::is_ascii_digit).collect();
        return npi_is_valid(&digits).then_some((digits, false));
    }
    let mapped: Option<String> = token
        .chars()
        .map(|c| match c {
            '0'..='9' => Some(c),
            'O' | 'o' | 'D' => Some('0'),
            'l' | 'I' | '|' => Some('1'),
            'S' => Some('5'),
            'B' => Some('8'),
            _ => None,
        })
        .collect();
    mapped.filter(|d| npi_is_valid(d)).map(|d| (d, true))
}

/// A date at the start of a value ("03/14/1961 (62 y)", "March 2, 2024 10:30"), with how many
/// tokens it took.
pub(crate) fn leading_date(value: &str) -> Option<(Date, usize)> {
    let tokens: Vec<&str> = value.split_whitespace().take(3).collect();
    (1..=tokens.len()).rev().find_map(|n| dates::parse(&tokens[..n].join(" ")).map(|d| (d, n)))
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
    fn identifiers_and_ocr_zeroes() {
        assert_eq!(identifier("00123456"), Some(("00123456".into(), false)));
        assert_eq!(identifier("OO123456 "), Some(("00123456".into(), true)));
        assert_eq!(identifier("AB-12345"), Some(("AB-12345".into(), false)));
        assert_eq!(identifier("none"), None);
    }

    #[test]
    fn npi_with_ocr_letters_is_read_only_when_the_check_digit_holds() {
        assert_eq!(npi("1234567893"), Some(("1234567893".into(), false)));
        assert_eq!(npi("l234567893"), Some(("1234567893".into(), true)));
        assert_eq!(npi("1234567890"), None);
        assert_eq!(npi("l23456789O"), None);
    }

    #[test]
    fn dates_and_sex_values() {
        let d = |v: &str| leading_date(v).map(|(d, n)| (d.iso(), n));
        assert_eq!(d("03/14/1961 (62 y)"), Some(("1961-03-14".into(), 1)));
        assert_eq!(d("March 2, 2024 10:30"), Some(("2024-03-02".into(), 3)));
        assert_eq!(sex("Female").as_deref(), Some("F"));
        assert_eq!(sex("?"), None);
    }

    #[test]
    fn labels_without_colons_need_a_label_row_or_a_valid_value() {
        let f = find_labels("Patient Name   MRN   DOB");
        assert_eq!(f.len(), 3);
        assert!(is_label_row("Patient Name   MRN   DOB", &f));
        assert!(is_label_row("NPI", &find_labels("NPI")));
        assert!(!is_label_row("Patient", &find_labels("Patient")));
        let f = find_labels("Patient: Alice Testpatient  MRN 00123456");
        assert_eq!(f.iter().map(|f| f.key).collect::<Vec<_>>(), [Key::Patient, Key::Mrn]);
        assert!(!is_label_row("Patient: Alice Testpatient  MRN 00123456", &f));
        assert!(validates(Key::Mrn, "00123456"));
        assert!(!validates(Key::Dos(0), "Santos"));
    }

    #[test]
    fn a_name_label_qualified_by_another_role_is_not_the_patient() {
        let f = find_labels("Emergency Contact Name: Pat Fakename");
        assert_eq!(f[0].key, Key::Other);
        let f = find_labels("Name: Pat Fakename");
        assert_eq!(f[0].key, Key::Patient);
    }
}

#[cfg(test)]
mod layout_tests {
    use crate::extract;
    use chartdex_core::{BBox, PageText, TextMethod, Word};

    /// A page from rows of (text, x) words; each row 46 px below the last.
    fn page(rows: &[&[(&str, u32)]]) -> PageText {
        let mut words = Vec::new();
        let mut text = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            let y = 100 + 46 * r as u32;
            for (t, x) in row.iter() {
                let w = 14 * t.len() as u32;
                words.push(Word {
                    text: t.to_string(),
                    bbox: BBox { x: *x, y, w, h: 21 },
                    confidence: 0.93,
                });
            }
            text.push(row.iter().map(|(t, _)| *t).collect::<Vec<_>>().join(" "));
        }
        PageText {
            number: 1,
            text: text.join("\n"),
            confidence: 0.93,
            method: TextMethod::Ocr,
            words,
            meta: Default::default(),
        }
    }

    #[test]
    fn values_under_their_labels_in_pixel_columns() {
        let p = page(&[
            &[("Date", 201), ("of", 267), ("Visit:", 300), ("Rendering", 438), ("Provider:", 574)],
            &[("2018-10-04", 201), ("Samuel", 400), ("Mockwell,", 500), ("MD", 640)],
            &[("Patient", 201), ("Name", 310), ("MRN", 600)],
            &[("FAKENAME,", 190), ("HIROSHI", 340), ("87846976", 590)],
        ]);
        let e = extract(&[p]);
        let f = &e.fields;
        assert_eq!(f.service_date.as_deref(), Some("2018-10-04"));
        assert_eq!(f.provider.given.as_deref(), Some("Samuel"));
        assert_eq!(f.provider.family.as_deref(), Some("Mockwell"));
        assert_eq!(f.patient.family.as_deref(), Some("Fakename"));
        assert_eq!(f.patient.mrn.as_deref(), Some("87846976"));
        let mrn = e.evidence_for("patient.mrn").unwrap();
        assert_eq!(mrn.bbox, Some(BBox { x: 590, y: 238, w: 112, h: 21 }));
        assert_eq!(mrn.page, 1);
    }

    #[test]
    fn a_value_the_segmenter_put_elsewhere_is_found_on_the_labels_row() {
        let p = page(&[
            &[("MRN", 201), ("#:", 260)],
            &[("DOB:", 201), ("12/16/1977", 300)],
            &[("73295840", 400)],
        ]);
        // Put the MRN's value on the label's row by its box, as a page segmenter may not.
        let mut p = p;
        p.words[4].bbox.y = 100;
        let e = extract(&[p]);
        assert_eq!(e.fields.patient.mrn.as_deref(), Some("73295840"));
        assert_eq!(e.fields.patient.dob.as_deref(), Some("1977-12-16"));
    }
}
