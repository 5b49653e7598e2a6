//! Label-driven reading of header fields: "Patient: …", "MRN: …", "DOB: …" and their variants.
//!
//! Labels and values are found on the same line (several pairs to a line, as in two- and
//! three-column headers), under each other (a label whose value is on the next line, in the
//! label's column), and in form rows (a line of labels without colons over a line of values).
//! Labels unmistakable on their own (MRN, DOB, NPI, Date of Service …) count even when OCR lost
//! their colon, but only when the value after them validates.

use crate::dates::{self, Date};
use crate::layout::{split_tokens, Line, Token};
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
///
/// Some patterns allow for what OCR makes of a label: "MAN #" for "MRN #", dots and colons
/// of "D.O.B." read as other marks.
const LABELS: &[(&str, Key, bool)] = &[
    (r"patient\s+name|pt\.?\s+name|patient", Key::Patient, false),
    (r"last\s+name|family\s+name|surname", Key::Family, false),
    (r"first\s+name|given\s+name", Key::Given, false),
    (
        r"mrn\s*#?|man\s*#|m\.r\.n\.?|medical\s+record\s+(?:no\.?|number|#)|med\.?\s*rec\.?\s*(?:no\.?|#)?|chart\s*[:.]?\s*(?:#|no\.?|number)|patient\s+id|pt\.?\s+id",
        Key::Mrn,
        true,
    ),
    (
        // "D.O.B." with its dots as OCR reads them on poor scans ("D.O:Bs", "D,©:8::").
        r"d[.:,]?\s?[o0][.:,]?\s?b\b\.?|d[.:,;<]{1,2}[o0©][.:,;]{1,2}[b8][a-z0-9]?[.:,;>]*|date\s+of\s+birth|birth\s*date",
        Key::Dob,
        true,
    ),
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
    (r"npi\.?\s*(?:#|no\.?|number)?", Key::Npi, true),
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
    // OCR reads some spaces between a label's words as hyphens ("Medical-Record Number"),
    // or loses them ("PatientName"), and reads a colon as "!" ("Patient! MOCKFORD, CARMEN").
    let alts: Vec<String> =
        LABELS.iter().map(|(p, _, _)| format!("({})", p.replace(r"\s+", r"[\s-]*"))).collect();
    let re = Regex::new(&format!(r"(?i)\b(?:{})(?:[.,]?\s*([:;!])\s*|\s+|$)", alts.join("|")))
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
    // OCR reads a form's blank or a wide gap as "_" ("_D.O.B.:"): not a word character here.
    // (One byte for one, so offsets stay those of `text`.)
    let spaced;
    let text = if text.contains('_') {
        spaced = text.replace('_', " ");
        &spaced
    } else {
        text
    };
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
        let adjacent = lines.get(n + 1).is_some_and(|l| !l.text.trim().is_empty());
        let mut found = find_labels(line.text);
        // The line before; past blank lines (tesseract ends a block there) only when the boxes
        // show it right above this one.
        let prev = lines[..n].iter().rposition(|l| !l.text.trim().is_empty()).and_then(|p| {
            let l = &lines[p];
            let just_above = match (
                l.tokens.last().and_then(|t| t.bbox),
                line.tokens.first().and_then(|t| t.bbox),
            ) {
                (Some(a), Some(b)) => b.y > a.y && b.y <= a.y + a.h * 3,
                _ => false,
            };
            (p + 1 == n || just_above).then_some(l)
        });
        if let Some(prev) = prev {
            join_split_label(prev, line, &mut found);
        }
        if found.is_empty() {
            continue;
        }
        // The line under this one on the page: the next in the text, unless the page segmenter
        // put another block's line there.
        let under = line_under(lines, n);
        let row = is_label_row(line.text, &found);
        if let Some(under) = under.filter(|u| row && !find_labels(u.text).iter().any(|g| g.punct)) {
            read_label_row(line, &found, under, out, state);
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
            // Only a label chartdex does not know follows (an OCR-mangled "Gencer:"): this label
            // has no value on the line, and its column ends where that label starts.
            let names = matches!(f.key, Key::Patient | Key::Provider | Key::Given | Key::Family);
            let value = &line.text[vs..ve];
            let (vs, ve, unknown_x) =
                if only_unknown_labels(value) || (names && starts_with_label_word(value)) {
                    (ve, ve, line.x_at(vs))
                } else {
                    (vs, ve, None)
                };
            // The line's last value may go on at the start of the next line, as text wraps.
            let wrapped = next.filter(|_| i + 1 == accepted.len()).and_then(|next| {
                continuation(f.key, line, next, adjacent).map(|range| (next, range))
            });
            let next_x = accepted.get(i + 1).and_then(|g| line.x_at(g.start)).or(unknown_x);
            // (A value tesseract put in another block to the label's right is on this line:
            // lines are the page's rows.)
            let value = (vs < ve).then_some((line, vs, ve, 1.0));
            if let Some((l, vs, ve, factor)) = value {
                if let Some((next, (cs, ce))) = wrapped {
                    let (text, tokens) = joined(l, vs, ve, next, cs, ce);
                    let whole = Line { page: l.page, text: &text, tokens };
                    if cut_short(f.key, &l.text[vs..ve], whole.text) {
                        apply(f.key, &whole, 0, whole.text.len(), factor * 0.95, out, state);
                        continue;
                    }
                }
                apply(f.key, l, vs, ve, factor, out, state);
                continue;
            }
            // Else the value may be under the label, in its column, or wrapped to the next line.
            let Some(under) = under else { continue };
            let (Some(from), to) = (line.x_at(f.start), next_x) else {
                continue;
            };
            if !find_labels(under.text).iter().any(|g| g.punct) {
                if let Some((vs, ve)) = under.range_in_column(from, to) {
                    apply(f.key, under, vs, ve, 0.95, out, state);
                    continue;
                }
            }
            if let Some((next, (cs, ce))) = wrapped {
                apply(f.key, next, cs, ce, 0.9, out, state);
            }
        }
    }
}

/// True if `text` is one or more words that each end with a colon and hold only letters before
/// it: labels, none of them a value.
fn only_unknown_labels(text: &str) -> bool {
    let mut words = text.split_whitespace().peekable();
    words.peek().is_some()
        && words.all(|w| {
            w.strip_suffix(':').is_some_and(|l| l.len() >= 2 && l.chars().all(char::is_alphabetic))
        })
}

/// True if `text` starts with a word of the labels (a label row's next label, its "#:" lost to
/// OCR: "Chart oes"), which no name starts with.
fn starts_with_label_word(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "chart",
        "record",
        "medical",
        "mrn",
        "dob",
        "birth",
        "gender",
        "sex",
        "date",
        "npi",
        "provider",
        "physician",
        "attending",
        "rendering",
        "service",
        "admission",
        "admit",
        "discharge",
        "collected",
        "facility",
        "account",
        "acct",
    ];
    text.split_whitespace().next().is_some_and(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        WORDS.contains(&w.as_str())
    })
}

/// The line right under line `n` on the page: the next line of the text if it stands there,
/// else the line that does (tesseract reads a form's columns as separate blocks, so the line
/// after "Rendering Provider:" in the text may be from far down the page). Without boxes, the
/// next line of the text.
fn line_under<'l, 'a>(lines: &'l [Line<'a>], n: usize) -> Option<&'l Line<'a>> {
    let line = &lines[n];
    let next = lines[n + 1..].iter().find(|l| !l.text.trim().is_empty());
    let boxes: Vec<_> = line.tokens.iter().filter_map(|t| t.bbox).collect();
    let (Some(a), Some(last)) = (boxes.first(), boxes.last()) else { return next };
    let (left, right) = (a.x.saturating_sub(2 * a.h), last.x + last.w + 2 * a.h);
    // The word of `other` nearest in x to this line's first word, if within this line's span.
    let nearest = |other: &Line<'_>| {
        let b = other.tokens.iter().filter_map(|t| t.bbox).min_by_key(|b| b.x.abs_diff(a.x))?;
        (b.x >= left && b.x <= right).then_some(b)
    };
    // The next line of the text, unless it is clearly elsewhere: above, or rows further down.
    if let Some(next) = next {
        match nearest(next) {
            Some(b) if b.y + b.h >= a.y && b.y <= a.y + a.h * 3 => return Some(next),
            None if next.tokens.iter().all(|t| t.bbox.is_none()) => return Some(next),
            _ => {}
        }
    }
    // Else the line whose words stand right under this one.
    lines
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != n)
        .filter_map(|(_, l)| {
            let b = nearest(l)?;
            let below = b.y.checked_sub(a.y + a.h / 2)?;
            (b.y > a.y && below <= a.h * 5 / 2).then_some((below, l))
        })
        .min_by_key(|(below, _)| *below)
        .map(|(_, l)| l)
}

/// A label broken over two lines ("… Birth" / "Date: 1939-01-18"): when the previous line's last
/// word and the label starting this line make a longer label together, this line's first label
/// takes that label's meaning.
fn join_split_label(prev: &Line<'_>, line: &Line<'_>, found: &mut [Found]) {
    let lead = line.text.len() - line.text.trim_start().len();
    let (Some(first), Some(last)) = (found.first_mut(), prev.tokens.last()) else { return };
    let word = &prev.text[last.start..last.end];
    if first.start != lead || !word.chars().all(char::is_alphabetic) {
        return;
    }
    let shift = word.len() + 1;
    let text = format!("{word} {}", &line.text[lead..]);
    if let Some(g) = find_labels(&text).first() {
        if g.start == 0 && g.end == first.end - lead + shift {
            first.key = g.key;
            first.bare_ok = g.bare_ok;
        }
    }
}

/// Where a line's last value goes on when text wrapped: the start of the next line, up to its
/// first label, when that line follows right under this one from its left margin and does not
/// start with a label of its own. A name goes on for a few words at most, never past a colon.
fn continuation(
    key: Key,
    line: &Line<'_>,
    next: &Line<'_>,
    adjacent: bool,
) -> Option<(usize, usize)> {
    let (first, next_first) = (line.tokens.first()?, next.tokens.first()?);
    // Measured at the left margin, where a skewed page's lines are as far apart as anywhere.
    match (first.bbox, next_first.bbox) {
        (Some(a), Some(b)) => {
            let below = b.y.saturating_sub(a.y + a.h);
            if b.x > a.x + 2 * a.h || below > a.h * 3 / 2 || b.y <= a.y {
                return None;
            }
        }
        // No boxes (a text layer): only the very next line of the text.
        _ if !adjacent => return None,
        _ => {}
    }
    let labels = find_labels(next.text);
    if labels.first().is_some_and(|g| g.start <= next_first.start) {
        return None;
    }
    let end = labels.iter().find(|g| g.punct).map_or(next.text.len(), |g| g.start);
    let (cs, ce) = trimmed(next.text, next_first.start, end);
    let value = next.text.get(cs..ce)?;
    let name = matches!(key, Key::Patient | Key::Provider | Key::Family | Key::Given);
    if cs >= ce || (name && (value.contains(':') || value.split_whitespace().count() > 4)) {
        return None;
    }
    Some((cs, ce))
}

/// True when a line's last value is cut short and reads whole with its continuation: a name of
/// one word ("Rendering Provider: Samuel" / "Mockwell, MD"), a date without its year
/// ("D.O.B.: June 4," / "1997").
fn cut_short(key: Key, value: &str, whole: &str) -> bool {
    match key {
        Key::Patient | Key::Provider => {
            value.split_whitespace().count() == 1
                && person_name(whole).is_some_and(|(given, _)| given.is_some())
        }
        Key::Dob | Key::Dos(_) => leading_date(value).is_none() && leading_date(whole).is_some(),
        _ => false,
    }
}

/// A value and its continuation on the next line as one line of text, with their tokens.
fn joined(
    line: &Line<'_>,
    vs: usize,
    ve: usize,
    next: &Line<'_>,
    cs: usize,
    ce: usize,
) -> (String, Vec<Token>) {
    let text = format!("{} {}", &line.text[vs..ve], &next.text[cs..ce]);
    let shift = ve - vs + 1;
    let mut tokens = Vec::new();
    for t in line.tokens.iter().filter(|t| t.start >= vs && t.end <= ve) {
        tokens.push(Token { start: t.start - vs, end: t.end - vs, ..t.clone() });
    }
    for t in next.tokens.iter().filter(|t| t.start >= cs && t.end <= ce) {
        tokens.push(Token { start: t.start - cs + shift, end: t.end - cs + shift, ..t.clone() });
    }
    (text, tokens)
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
    // Stray specks and rules OCR reads as punctuation ("—", "|", ".") do not make it text.
    !rest.chars().any(char::is_alphanumeric)
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
    let cols = columns(values, found.len());
    let ranges: Vec<Option<(usize, usize)>> = match xs {
        // As many columns as labels: one each, in order (a short value may end far left of
        // the next label, so the next value starts left of its own label).
        Some(_) if cols.len() == found.len() => cols.into_iter().map(Some).collect(),
        Some(xs) => {
            let mut ranges: Vec<Option<(usize, usize)>> = vec![None; found.len()];
            for (cs, ce) in cols {
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

/// A line cut at its wide gaps (more than three quarters of the height of its words — two or
/// three spaces, where words of one value stand one space apart — or two spaces in text without
/// boxes) into at most `at_most` columns (one per label: where there are more, only the widest
/// gaps cut, as a noisy scan widens some word spaces): the byte ranges of its columns.
fn columns(line: &Line<'_>, at_most: usize) -> Vec<(usize, usize)> {
    let text = line.text;
    let mut heights: Vec<u32> = line.tokens.iter().filter_map(|t| t.bbox.map(|b| b.h)).collect();
    heights.sort_unstable();
    let height = heights.get(heights.len() / 2).copied();
    // Each column with the width of the gap before it (a separator counts as the widest).
    let mut cols: Vec<((usize, usize), u32)> = Vec::new();
    let mut prev: Option<&Token> = None;
    let mut separated = false;
    for t in &line.tokens {
        // A token with no letter or digit (a table rule read as "|") separates columns.
        if !text[t.start..t.end].chars().any(char::is_alphanumeric) {
            separated = true;
            continue;
        }
        let gap = match (prev, separated) {
            (None, _) => 0,
            (Some(_), true) => u32::MAX,
            (Some(p), false) => match (p.bbox, t.bbox, height) {
                (Some(a), Some(b), Some(h)) => {
                    let gap = b.x.saturating_sub(a.x + a.w);
                    if gap > (h * 3 / 4).max(8) {
                        gap
                    } else {
                        0
                    }
                }
                _ => u32::from(text[p.end..t.start].len() >= 2),
            },
        };
        match cols.last_mut() {
            Some(((_, end), _)) if gap == 0 => *end = t.end,
            _ => cols.push(((t.start, t.end), gap)),
        }
        prev = Some(t);
        separated = false;
    }
    while cols.len() > at_most.max(1) {
        // Join the column behind the narrowest gap to the one before it.
        let Some(i) = (1..cols.len()).min_by_key(|&i| cols[i].1) else { break };
        let ((_, end), _) = cols.remove(i);
        cols[i - 1].0 .1 = end;
    }
    cols.into_iter().map(|(c, _)| c).collect()
}

/// The range without surrounding space, nor the marks OCR leaves before a value (a doubled
/// colon, a form's "_", a rule read as "|" or "—").
fn trimmed(text: &str, start: usize, end: usize) -> (usize, usize) {
    let Some(s) = text.get(start..end) else { return (start, start) };
    let lead =
        s.len() - s.trim_start_matches(|c: char| c.is_whitespace() || ":;_|=~—–".contains(c)).len();
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
    let ve = match key {
        Key::Patient | Key::Family | Key::Given | Key::Provider => name_end(line, vs, ve),
        _ => ve,
    };
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
            let read = sex(value).map(|s| (s, None)).or_else(|| one_glyph_sex(line, vs, ve));
            if let Some((s, read_as)) = read {
                let factor = if read_as.is_some() { factor * 0.9 } else { factor };
                out.note("patient.sex", &s, place(1), factor, read_as.as_deref());
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

/// Where a name value ends when a label chartdex does not know follows it on the line ("Pt
/// Name: Alice Testpatient    Visit Type: …", "Name: Chart.#: …"): at the widest gap before
/// that label's colon; with no gap to tell where the label starts, the value is not trusted.
fn name_end(line: &Line<'_>, vs: usize, ve: usize) -> usize {
    let Some(colon) = split_tokens(&line.text[vs..ve])
        .find(|(_, t)| t.ends_with(':') || t.contains('#'))
        .map(|(at, _)| vs + at)
    else {
        return ve;
    };
    let toks: Vec<&Token> =
        line.tokens.iter().filter(|t| t.start >= vs && t.end <= colon).collect();
    let widest = toks
        .windows(2)
        .filter_map(|p| {
            let gap = match (p[0].bbox, p[1].bbox) {
                (Some(a), Some(b)) => {
                    let gap = b.x.saturating_sub(a.x + a.w);
                    (gap > a.h).then_some(gap)?
                }
                _ => {
                    u32::try_from(line.text[p[0].end..p[1].start].len()).ok().filter(|&n| n >= 2)?
                }
            };
            Some((gap, p[0].end))
        })
        .max_by_key(|(gap, _)| *gap);
    widest.map_or(vs, |(_, end)| end)
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
    let mut words = value.split_whitespace();
    let first = words.next()?;
    identifier_token(first).or_else(|| {
        // OCR may split one identifier at a gap ("MR1 32263"): joined, if it then reads as one.
        first.chars().any(|c| c.is_ascii_digit()).then_some(())?;
        let second = words.next().filter(|w| w.chars().all(|c| c.is_ascii_digit()))?;
        identifier_token(&format!("{first}{second}"))
    })
}

fn identifier_token(token: &str) -> Option<(String, bool)> {
    let token = token.trim_matches(|c: char| !c.is_ascii_alphanumeric());
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
    let words: Vec<&str> = value.split_whitespace().take(2).collect();
    let first = words.first().copied().unwrap_or("");
    npi_token(first).or_else(|| {
        let second = words.get(1)?;
        // A speck before the number ("#2: 2235289768"), or the number split at a gap.
        if first.chars().filter(char::is_ascii_alphanumeric).count() <= 2 {
            if let Some(found) = npi_token(second) {
                return Some(found);
            }
        }
        npi_token(&format!("{first}{second}"))
    })
}

fn npi_token(token: &str) -> Option<(String, bool)> {
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

/// A lone "F" or "M" that tesseract read as two letters ("EF", "OF": it is prone to that with
/// a letter standing alone), told by its box: one glyph wide, no wider than it is tall.
fn one_glyph_sex(line: &Line<'_>, vs: usize, ve: usize) -> Option<(String, Option<String>)> {
    let t = line.tokens.iter().find(|t| t.start >= vs && t.end <= ve)?;
    let word = &line.text[t.start..t.end];
    let b = t.bbox?;
    let last = word.chars().last()?;
    if word.chars().count() != 2 || !word.chars().all(char::is_alphanumeric) || b.w > b.h {
        return None;
    }
    let s = match last {
        'F' => "F",
        'M' => "M",
        _ => return None,
    };
    Some((s.to_string(), Some(word.to_string())))
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
        assert_eq!(npi("#2: 1234567893"), Some(("1234567893".into(), false)));
        assert_eq!(npi("123456789 3"), Some(("1234567893".into(), false)));
        assert_eq!(npi("123456789 0"), None);
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
    fn ocr_mangled_dob_labels_and_stray_punctuation() {
        for text in ["D.O:Bs 1990-12-08", "D,©:8:: 1990-12-08", "_D.O.B.: 1990-12-08"] {
            let f = find_labels(text);
            assert_eq!(f.first().map(|f| f.key), Some(Key::Dob), "{text}");
        }
        let f = find_labels("MAN #: 20440424");
        assert_eq!((f[0].key, f[0].punct), (Key::Mrn, true));
        assert!(find_labels("Man: 20440424").is_empty());
        let f = find_labels("Patient! MOCKFORD, CARMEN");
        assert_eq!((f[0].key, f[0].punct), (Key::Patient, true));
        let f = find_labels("PatientName MRN");
        assert_eq!(f.iter().map(|f| f.key).collect::<Vec<_>>(), [Key::Patient, Key::Mrn]);
        let f = find_labels("NPI. #: 1612136097");
        assert_eq!((f[0].key, f[0].punct), (Key::Npi, true));
        let f = find_labels("Registration Date — Physician");
        assert!(is_label_row("Registration Date — Physician", &f));
    }

    #[test]
    fn an_identifier_split_by_ocr_is_joined_only_when_it_then_reads_as_one() {
        assert_eq!(identifier("MR1 32263"), Some(("MR132263".into(), false)));
        assert_eq!(identifier("00123456 789"), Some(("00123456".into(), false)));
        assert_eq!(identifier("MR1 Smith"), None);
    }

    #[test]
    fn a_name_label_qualified_by_another_role_is_not_the_patient() {
        let f = find_labels("Emergency Contact Name: Pat Fakename");
        assert_eq!(f[0].key, Key::Other);
        let f = find_labels("Name: Pat Fakename");
        assert_eq!(f[0].key, Key::Patient);
        let f = find_labels("Name: Chart.#: 58166449");
        assert_eq!(f.iter().map(|f| f.key).collect::<Vec<_>>(), [Key::Patient, Key::Mrn]);
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

    #[test]
    fn values_wrapped_to_the_next_line_are_read_whole() {
        let p = page(&[
            &[("Pt", 201), ("Name:", 240), ("TESTPATIENT,", 330), ("ESTHER", 520), ("Birth", 650)],
            &[("Date:", 201), ("02/11/2001", 290), ("DOS:", 450), ("June", 520), ("4,", 590)],
            &[("2022", 201), ("Rendering", 280), ("Provider:", 420), ("Samuel", 560)],
            &[("Mockwell,", 201), ("MD", 340)],
            &[("Chart", 201), ("#:", 280), ("07129428", 330)],
        ]);
        let e = extract(&[p]);
        let f = &e.fields;
        // "Birth" ends one line and "Date:" starts the next: a birth date, not a visit date.
        assert_eq!(f.patient.dob.as_deref(), Some("2001-02-11"));
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.mrn.as_deref(), Some("07129428"));
        // "June 4," goes on with "2022"; the provider's name is all of the next line after it.
        assert_eq!(f.service_date.as_deref(), Some("2022-06-04"));
        assert_eq!(f.provider.given.as_deref(), Some("Samuel"));
        assert_eq!(f.provider.family.as_deref(), Some("Mockwell"));
        // The evidence box spans both lines.
        let dos = e.evidence_for("service_date").unwrap();
        assert_eq!(dos.bbox.map(|b| (b.y, b.h)), Some((146, 67)));
    }

    #[test]
    fn a_value_under_a_label_followed_by_an_unknown_label() {
        // "Gender:" read as "Gencer:": the date of birth is still under its label.
        let p = page(&[&[("D.O.B.:", 207), ("Gencer:", 366)], &[("2005-07-19", 205), ("F", 400)]]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.dob.as_deref(), Some("2005-07-19"));
        assert!(super::only_unknown_labels(" Gencer: Physican: "));
        assert!(!super::only_unknown_labels(""));
        assert!(!super::only_unknown_labels("2005-07-19"));
        assert!(!super::only_unknown_labels("SMITH, JOHN"));
    }

    #[test]
    fn a_label_whose_colon_was_lost_is_not_a_name() {
        // "Chart #:" read as "Chart oes": the name is under "Pt Name:", not "Chart oes".
        let p = page(&[
            &[("Pt", 207), ("Name:", 250), ("Chart", 560), ("oes", 660)],
            &[("Dmitri", 205), ("Sampleton", 330), ("71995246", 560)],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.given.as_deref(), Some("Dmitri"));
        assert_eq!(f.patient.family.as_deref(), Some("Sampleton"));
        assert!(super::starts_with_label_word("Chart oes"));
        assert!(!super::starts_with_label_word("Charity Testpatient"));
    }

    #[test]
    fn a_birth_date_label_split_after_an_identifier() {
        let p = page(&[
            &[
                ("Pt", 201),
                ("Name:", 240),
                ("Pedro", 330),
                ("Mockford", 420),
                ("Medical", 700),
                ("Record", 820),
                ("Number:", 982),
                ("MR693017", 1130),
                ("Birth", 1354),
            ],
            &[("Date:", 201), ("May", 290), ("2,", 350), ("1976", 390)],
            &[
                ("Gender:", 201),
                ("F", 310),
                ("Date", 400),
                ("of", 470),
                ("Service:", 510),
                ("Jan", 640),
                ("6,", 700),
                ("2016", 740),
            ],
        ]);
        // Tesseract ended a block after "Birth": a blank line in the text, not on the page.
        let mut p = p;
        p.text = p.text.replacen('\n', "\n\n", 1);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.mrn.as_deref(), Some("MR693017"));
        assert_eq!(f.patient.dob.as_deref(), Some("1976-05-02"));
        assert_eq!(f.service_date.as_deref(), Some("2016-01-06"));
    }

    #[test]
    fn a_name_cut_short_goes_on_only_into_a_line_that_continues_it() {
        // The next line starts with a label: no continuation.
        let p = page(&[
            &[("Gender:", 201), ("M", 320), ("Rendering", 400), ("Provider:", 540)],
            &[("NPI:", 201), ("1234567893", 280)],
        ]);
        let e = extract(&[p]);
        assert_eq!(e.fields.provider.family, None);
        assert_eq!(e.fields.provider.npi.as_deref(), Some("1234567893"));
        // The next line is indented far right of this one's margin: not a wrapped line.
        let p = page(&[
            &[("Sex:", 201), ("F", 280), ("Physician:", 400), ("Samuel", 560)],
            &[("Mockwell,", 700), ("MD", 840)],
        ]);
        let e = extract(&[p]);
        assert_eq!(e.fields.provider.given, None);
        assert_eq!(e.fields.provider.family.as_deref(), Some("Samuel"));
    }

    #[test]
    fn a_form_value_is_read_from_the_line_under_its_label_on_the_page_not_in_the_text() {
        // Tesseract read the form's right column as its own block: in the text, the line after
        // the label is from further down the page.
        let mut p = page(&[
            &[("Rendering", 600), ("Provider:", 740)],
            &[("Specimen:", 201), ("Whole", 340), ("blood.", 430)],
            &[("Rosa", 600), ("Notaphys,", 680), ("MD", 820)],
            &[("Medical-Record", 201), ("Number:", 420), ("80187699", 540)],
        ]);
        for w in &mut p.words[2..5] {
            w.bbox.y = 100 + 46 * 5;
        }
        for w in &mut p.words[5..8] {
            w.bbox.y = 146;
        }
        let e = extract(&[p]);
        assert_eq!(e.fields.provider.given.as_deref(), Some("Rosa"));
        assert_eq!(e.fields.provider.family.as_deref(), Some("Notaphys"));
        // OCR's hyphen for a space does not hide a label.
        assert_eq!(e.fields.patient.mrn.as_deref(), Some("80187699"));
    }

    #[test]
    fn a_name_ends_before_a_label_chartdex_does_not_know() {
        let p = page(&[
            &[("Pt", 201), ("Name:", 240), ("Alice", 330), ("Testpatient", 420), ("Visit", 700)],
            &[("Physician:", 201), ("Visit", 330), ("Type:", 420), ("follow-up", 520)],
        ]);
        let mut p = p;
        p.words.insert(
            5,
            Word {
                text: "Type:".into(),
                bbox: BBox { x: 780, y: 100, w: 70, h: 21 },
                confidence: 0.93,
            },
        );
        p.text = p.text.replacen("Visit\n", "Visit Type:\n", 1);
        let e = extract(&[p]);
        assert_eq!(e.fields.patient.given.as_deref(), Some("Alice"));
        assert_eq!(e.fields.patient.family.as_deref(), Some("Testpatient"));
        // No gap to tell the name from the label: no provider rather than "Visit".
        assert_eq!(e.fields.provider.family, None);
    }

    #[test]
    fn a_lone_sex_letter_read_as_two_is_read_by_its_box() {
        let mut p = page(&[&[("Sex", 486)], &[("EF", 484)], &[("Gender:", 201), ("OF", 330)]]);
        // One glyph: as wide as it is tall.
        p.words[1].bbox.w = 15;
        let e = extract(&[p.clone()]);
        assert_eq!(e.fields.patient.sex.as_deref(), Some("F"));
        assert_eq!(e.evidence_for("patient.sex").unwrap().read_as.as_deref(), Some("EF"));
        // Two glyphs wide: a word, not a letter.
        p.words[1].bbox.w = 34;
        p.words[3].bbox.w = 34;
        assert_eq!(extract(&[p]).fields.patient.sex, None);
    }

    #[test]
    fn form_values_go_to_their_labels_in_order_and_rules_separate_them() {
        let p = page(&[
            &[
                ("Date", 201),
                ("of", 267),
                ("Admission:", 300),
                ("Attending", 520),
                ("Physician:", 660),
            ],
            // The provider's name starts left of its label, far from the date.
            &[("7/18/15", 201), ("Samuel", 440), ("Mockwell,", 540), ("MD", 680)],
            &[("D.O.B.:", 201), ("Gender:", 420)],
            &[("November", 201), ("11,1935", 330), ("|", 440), ("Female", 470)],
        ]);
        let e = extract(&[p]);
        let f = &e.fields;
        assert_eq!(f.service_date.as_deref(), Some("2015-07-18"));
        assert_eq!(f.provider.family.as_deref(), Some("Mockwell"));
        assert_eq!(f.patient.dob.as_deref(), Some("1935-11-11"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
    }
}
