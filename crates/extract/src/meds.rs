//! Medications: name, dose, route and frequency, from medication lists and plans.
//!
//! A medication is a drug name found in the shipped vocabulary (FDA UNII names: official, brand
//! and common drug names; see `data/SOURCE.md`) followed by a dose ("500 mg"), or a vocabulary
//! name opening a line of a medication section. A name OCR misread by one letter is corrected
//! only when a dose follows it and exactly one vocabulary name is that close. Allergy lines and
//! stopped drugs are not medications.

use crate::layout::{split_tokens, Line};
use crate::names::title_case;
use crate::sections::{self, Section};
use crate::Extraction;
use chartdex_core::Medication;
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

/// Chart abbreviations and class names the FDA list does not carry as names.
const SUPPLEMENT: &[&str] = &[
    "insulin",
    "insulin regular",
    "insulin nph",
    "hctz",
    "asa",
    "apap",
    "kcl",
    "ntg",
    "mvi",
    "multivitamin",
    "vitamin d",
    "vitamin d3",
    "vitamin b12",
    "fish oil",
];

/// Vocabulary entries that are ordinary words on a chart, or lab analytes ("Glucose 142 mg/dL").
const NOT_DRUGS: &[&str] = &[
    "water",
    "oxygen",
    "air",
    "saline",
    "normal",
    "balance",
    "care",
    "glucose",
    "creatinine",
    "sodium",
    "potassium",
    "calcium",
    "magnesium",
    "chloride",
    "phosphorus",
    "albumin",
    "bilirubin",
    "cholesterol",
    "hemoglobin",
    "urea",
    "iron",
    "ferritin",
    "triglycerides",
    "protein",
];

static VOCABULARY: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/drug-names.txt")
        .lines()
        .chain(SUPPLEMENT.iter().copied())
        .filter(|n| !NOT_DRUGS.contains(n))
        .collect()
});

/// True if `name` (any case) is in the drug vocabulary.
pub fn is_drug_name(name: &str) -> bool {
    VOCABULARY.contains(name.to_lowercase().as_str())
}

static DOSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b\d+(?:[.,]\d+)?(?:\s*/\s*\d+(?:\.\d+)?)?\s*(?:(?:mg/ml|mg/5\s?ml|mg|mcg|meg|mcq|rncg|µg|ug|gm|grams?|g|ml|units?|iu|meq|mmol|puffs?|tabs?|tablets?|caps?|capsules?|drops?|gtts?|sprays?|patch(?:es)?)\b|%)",
    )
    .expect("valid regex")
});

static ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|[\s,(])((?:p\.o\.|i\.v\.|i\.m\.|s\.c\.)|(?:po|by mouth|orally|oral|iv|intravenous(?:ly)?|im|intramuscular(?:ly)?|subcutaneous(?:ly)?|subcut|subq|sq|sc|sublingual(?:ly)?|sl|inhaled|inhalation|inh|nebulized|topical(?:ly)?|transdermal|pr|per rectum|rectal(?:ly)?|ophthalmic|otic|intranasal|nasal|vaginal(?:ly)?|per tube)\b)",
    )
    .expect("valid regex")
});

static FREQUENCY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(?:once|twice|three times|four times|one time|[1-4]\s?x)\s+(?:a\s+|per\s+)?(?:day|daily|week|weekly)|every\s+(?:other\s+)?(?:\d+(?:\s*(?:-|to)\s*\d+)?\s+)?(?:hours?|hrs?|days?|weeks?|months?|morning|evening|night|bedtime|day)|q\.?\s?\d+(?:-\d+)?\s?h(?:rs?|ours?)?|q\.?\s?(?:am|pm|hs|day|od|week|wk|d)|b\.i\.d\.?|t\.i\.d\.?|q\.i\.d\.?|bid|tid|qid|qhs|qam|qpm|qod|qd|daily|nightly|at bedtime|bedtime|weekly|monthly|in the morning|in the evening|at night|with meals|before meals|after meals|as needed(?: for [a-z]+)?|as directed|prn|p\.r\.n\.?)",
    )
    .expect("valid regex")
});

/// Words on a line that say its drugs are not being taken.
const NOT_TAKEN: &[&str] =
    &["allerg", "discontinu", "stopped", "stop ", "hold ", "no longer", "intoleran", "reaction to"];

/// Reads the medications of one line. A prescription's directions on the next line ("Sig: 1
/// tablet PO BID") give the route and frequency its drug line lacks.
pub(crate) fn read_line(
    line: &Line<'_>,
    next: Option<&Line<'_>>,
    section: Section,
    out: &mut Extraction,
) {
    let before = out.fields.medications.len();
    read_line_alone(line, section, out);
    let sig_line = |t: &&str| t.trim_start().to_lowercase().starts_with("sig");
    let Some(sig) = next.map(|l| l.text).filter(sig_line) else {
        return;
    };
    if out.fields.medications.len() != before + 1 {
        return;
    }
    let Some(med) = out.fields.medications.last_mut() else { return };
    if med.route.is_none() && med.frequency.is_none() {
        let directions = sig.split_once([':', ';']).map_or(sig, |(_, d)| d);
        med.route = ROUTE.captures(directions).and_then(|c| c.get(1)).map(|m| squash(m.as_str()));
        med.frequency = frequency(directions).map(|(_, f)| f);
    }
}

fn read_line_alone(line: &Line<'_>, section: Section, out: &mut Extraction) {
    if section == Section::Allergies {
        return;
    }
    let lower = line.text.to_lowercase();
    if NOT_TAKEN.iter().any(|w| lower.contains(w)) {
        return;
    }
    let content_start = sections::heading(line.text).map_or(0, |(_, at)| at);
    // Semicolons part a line's drugs ("Metformin 500 mg BID; Lisinopril 10 mg daily") or one
    // drug's parts ("Warfarin; 5 mg; PO; daily"): a part that names no drug goes with the one
    // before it.
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut seg_start = content_start;
    for segment in line.text[content_start..].split(';') {
        let (start, end) = (seg_start, seg_start + segment.len());
        seg_start = end + 1;
        let toks = tokens(&line.text[start..end], start);
        let names_a_drug = (0..toks.len()).any(|i| name_at(&toks, i).is_some_and(|n| !n.2));
        match segments.last_mut() {
            Some(last) if !names_a_drug => last.1 = end,
            _ => segments.push((start, end)),
        }
    }
    for (start, end) in segments {
        read_segment(line, start, end, section, out);
    }
}

/// The tokens of `text`, which starts at byte `start` of its line.
fn tokens(text: &str, start: usize) -> Vec<Tok> {
    split_tokens(text)
        .map(|(at, t)| Tok {
            start: start + at,
            end: start + at + t.len(),
            norm: t.trim_matches(|c: char| !c.is_alphanumeric() && c != '-').to_lowercase(),
        })
        .collect()
}

/// A token of a segment: byte range in the line and its text lower-cased, punctuation trimmed.
struct Tok {
    start: usize,
    end: usize,
    norm: String,
}

fn read_segment(line: &Line<'_>, start: usize, end: usize, section: Section, out: &mut Extraction) {
    let toks = tokens(&line.text[start..end], start);
    // Bullets and numbering before the first word: "1.", "-", "•".
    let first_word =
        toks.iter().position(|t| t.norm.chars().any(char::is_alphabetic)).unwrap_or(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let Some((n, name, corrected)) = name_at(&toks, i) else {
            i += 1;
            continue;
        };
        let after = toks.get(i + n).map_or(end, |t| t.start);
        let next_name =
            (i + n..toks.len()).find(|&j| name_at(&toks, j).is_some_and(|(_, _, c)| !c));
        let rest_end = next_name.map_or(end, |j| toks[j].start);
        let rest = &line.text[after..rest_end];
        // "142 mg/dL" is a concentration, not a dose.
        let dose = DOSE.find(rest).filter(|m| {
            rest[..m.start()].split_whitespace().count() <= 2 && !rest[m.end()..].starts_with('/')
        });
        // Without a dose, only a name as written opening a line of a medication list counts.
        let opens_list_line = i == first_word && section == Section::Medications && !corrected;
        if dose.is_none() && !opens_list_line {
            i += 1;
            continue;
        }
        if corrected && dose.is_none_or(|m| m.start() > 2) {
            i += 1;
            continue;
        }
        let route = ROUTE.captures(rest).and_then(|c| c.get(1));
        let frequency = frequency(rest).or_else(|| {
            let from =
                [dose.map(|m| m.end()), route.map(|m| m.end())].into_iter().flatten().max()?;
            misread_frequency(&rest[from..]).map(|(e, f)| (from + e, f))
        });
        let written = line.text[toks[i].start..toks[i + n - 1].end]
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
        let display =
            if corrected { title_case(&name.to_uppercase()) } else { display_name(written) };
        let mut last = toks[i + n - 1].end;
        for m in [dose.map(|m| (m.end(), m.as_str())), route.map(|m| (m.end(), m.as_str()))]
            .into_iter()
            .flatten()
            .chain(frequency.as_ref().map(|(e, s)| (*e, s.as_str())))
        {
            last = last.max(after + m.0);
        }
        let med = Medication {
            name: display,
            dose: dose.map(|m| dose_unit_read_right(&squash(m.as_str()))),
            route: route.map(|m| squash(m.as_str())),
            frequency: frequency.map(|(_, s)| s),
        };
        let duplicate = out
            .fields
            .medications
            .iter()
            .any(|m| m.name.eq_ignore_ascii_case(&med.name) && m.dose == med.dose);
        if !duplicate {
            let factor = if corrected { 0.8 } else { 1.0 };
            let read_as = corrected.then_some(written);
            let place = line.place(toks[i].start, last);
            out.note("medications", &med.name, place, factor, read_as);
            out.fields.medications.push(med);
        }
        i = toks.iter().position(|t| t.start >= last).unwrap_or(toks.len()).max(i + n);
    }
}

/// The vocabulary name starting at token `i` (longest first, up to three words): how many tokens
/// it takes, the name, and whether it had to be corrected.
fn name_at(toks: &[Tok], i: usize) -> Option<(usize, String, bool)> {
    for n in (1..=3).rev() {
        let Some(words) = toks.get(i..i + n) else { continue };
        if words.iter().any(|t| t.norm.is_empty()) {
            continue;
        }
        let name = words.iter().map(|t| t.norm.as_str()).collect::<Vec<_>>().join(" ");
        if VOCABULARY.contains(name.as_str()) {
            return Some((n, name, false));
        }
    }
    let t = toks.get(i)?;
    // A misread name is only trusted right before its dose.
    let dose_next =
        toks.get(i + 1).is_some_and(|n| n.norm.starts_with(|c: char| c.is_ascii_digit()));
    if dose_next && t.norm.len() >= 5 && t.norm.chars().all(|c| c.is_alphanumeric()) {
        return correct(&t.norm).map(|c| (1, c.to_string(), true));
    }
    None
}

/// The one vocabulary word within one OCR confusion or one edit of `word`, if exactly one is.
fn correct(word: &str) -> Option<&'static str> {
    let mut found: HashSet<&'static str> = HashSet::new();
    let mut check = |w: String| {
        if let Some(v) = VOCABULARY.get(w.as_str()) {
            if !v.contains(' ') {
                found.insert(v);
            }
        }
    };
    const PAIRS: &[(&str, &str)] = &[
        ("rn", "m"),
        ("m", "rn"),
        ("cl", "d"),
        ("d", "cl"),
        ("li", "h"),
        ("vv", "w"),
        ("ii", "u"),
        ("1", "l"),
        ("1", "i"),
        ("l", "i"),
        ("i", "l"),
        ("0", "o"),
        ("5", "s"),
        ("8", "b"),
    ];
    for (from, to) in PAIRS {
        for (at, _) in word.match_indices(from) {
            check(format!("{}{}{}", &word[..at], to, &word[at + from.len()..]));
        }
    }
    let chars: Vec<char> = word.chars().collect();
    let letters = 'a'..='z';
    for i in 0..chars.len() {
        let mut del = chars.clone();
        del.remove(i);
        check(del.into_iter().collect());
        for c in letters.clone() {
            let mut sub = chars.clone();
            sub[i] = c;
            check(sub.into_iter().collect());
        }
        if i + 1 < chars.len() {
            let mut swap = chars.clone();
            swap.swap(i, i + 1);
            check(swap.into_iter().collect());
        }
    }
    for i in 0..=chars.len() {
        for c in letters.clone() {
            let mut ins = chars.clone();
            ins.insert(i, c);
            check(ins.into_iter().collect());
        }
    }
    found.remove(word);
    let mut it = found.into_iter();
    match (it.next(), it.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The frequency written after a drug: the first frequency phrase, joined with the ones right
/// after it ("every 4 hours" + "as needed"). Returns its end in `rest` and its text.
fn frequency(rest: &str) -> Option<(usize, String)> {
    let mut matches = FREQUENCY
        .find_iter(rest)
        .filter(|m| rest[m.end()..].chars().next().is_none_or(|c| !c.is_alphanumeric()));
    let first = matches.next()?;
    let (start, mut end) = (first.start(), first.end());
    for m in matches {
        let gap = &rest[end..m.start()];
        if gap.chars().all(|c| c.is_whitespace() || c == ',') || gap.trim() == "and" {
            end = m.end();
        } else {
            break;
        }
    }
    Some((end, squash(&rest[start..end])))
}

/// A one-word frequency right after the dose or route with one letter misread by OCR ("aaily"):
/// the word it is one letter off, if exactly one.
fn misread_frequency(rest: &str) -> Option<(usize, String)> {
    const WORDS: [&str; 4] = ["daily", "nightly", "weekly", "monthly"];
    let lead = rest.len() - rest.trim_start().len();
    let word = rest[lead..].split(|c: char| !c.is_alphanumeric()).next()?;
    crate::one_letter_off(word, &WORDS).map(|i| (lead + word.len(), WORDS[i].to_string()))
}

/// A dose as "amount unit", one space between ("5mg" and "5 mg" are one dose), with OCR's
/// readings of "mcg" put right ("90 meg": no unit is written so).
fn dose_unit_read_right(dose: &str) -> String {
    let unit = dose.trim_start_matches(|c: char| c.is_ascii_digit() || ".,".contains(c));
    let amount = dose[..dose.len() - unit.len()].trim();
    let unit = unit.trim();
    let unit =
        if ["meg", "mcq", "rncg"].contains(&unit.to_lowercase().as_str()) { "mcg" } else { unit };
    if amount.is_empty() || unit.is_empty() {
        dose.to_string()
    } else {
        format!("{amount} {unit}")
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A drug name as written, in title case when written all in one case.
fn display_name(written: &str) -> String {
    if written.chars().any(char::is_uppercase) && written.chars().any(char::is_lowercase) {
        return written.to_string();
    }
    let mut out = title_case(&written.to_uppercase());
    // Only the first letter of a lower-case name: "insulin glargine" → "Insulin glargine".
    if written.chars().all(|c| !c.is_uppercase()) {
        let mut chars = written.chars();
        out = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout;

    fn meds(text: &str) -> Vec<Medication> {
        let page = crate::tests::page(text);
        let lines = layout::lines(&page);
        let secs = sections::of_lines(lines.iter().map(|l| l.text));
        let mut out = Extraction::default();
        for (i, (l, s)) in lines.iter().zip(secs).enumerate() {
            read_line(l, lines.get(i + 1), s, &mut out);
        }
        out.fields.medications
    }

    fn med(name: &str, dose: &str, route: Option<&str>, freq: Option<&str>) -> Medication {
        Medication {
            name: name.into(),
            dose: Some(dose.into()),
            route: route.map(Into::into),
            frequency: freq.map(Into::into),
        }
    }

    #[test]
    fn semicolons_part_one_drugs_fields_or_a_lines_drugs() {
        let text = "Drugs & Allergies:\nAtenolol; 50 mg; by mouth; once daily\n\
                    Sertraline 25 mg qhs; Metformin 500 mg PO BID\nAllergies: sulfa";
        assert_eq!(
            meds(text),
            [
                med("Atenolol", "50 mg", Some("by mouth"), Some("once daily")),
                med("Sertraline", "25 mg", None, Some("qhs")),
                med("Metformin", "500 mg", Some("PO"), Some("BID")),
            ]
        );
    }

    #[test]
    fn mcg_misread_by_ocr_is_put_right() {
        let m = meds("Plan:\nAlbuterol 90 meg inhaled every 4 hours as needed");
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].name.as_str(), m[0].dose.as_deref()), ("Albuterol", Some("90 mcg")));
        assert_eq!(super::dose_unit_read_right("50rncg"), "50 mcg");
        assert_eq!(super::dose_unit_read_right("20 mg"), "20 mg");
        assert_eq!(super::dose_unit_read_right("5mg"), "5 mg");
        assert_eq!(super::dose_unit_read_right("0.5mg"), "0.5 mg");
        assert_eq!(super::dose_unit_read_right("20 units"), "20 units");
    }

    #[test]
    fn a_drug_name_before_a_colon_is_an_entry_not_a_heading() {
        let m = meds("Current Meds:\nPrednisone: 10 mg PO daily\nMetformin: 500 mg PO BID");
        assert_eq!(
            m,
            vec![
                med("Prednisone", "10 mg", Some("PO"), Some("daily")),
                med("Metformin", "500 mg", Some("PO"), Some("BID"))
            ]
        );
    }

    #[test]
    fn the_vocabulary_is_loaded() {
        for n in
            ["metformin", "Lisinopril", "ATORVASTATIN", "lipitor", "insulin glargine", "aspirin"]
        {
            assert!(is_drug_name(n), "{n}");
        }
        for n in ["water", "patient", "daily", "continue", "glucose"] {
            assert!(!is_drug_name(n), "{n}");
        }
    }

    #[test]
    fn list_lines_give_name_dose_route_and_frequency() {
        let m = meds(
            "Current Medications:\n  Metformin 500 mg PO BID\n  Albuterol 90 mcg inhaled every 4 hours as needed\n\
             2. LISINOPRIL 10 mg by mouth daily; Atorvastatin 40 mg PO nightly\n  Aspirin\n\
             Allergies: Penicillin 500 mg (rash)",
        );
        assert_eq!(
            m,
            [
                med("Metformin", "500 mg", Some("PO"), Some("BID")),
                med("Albuterol", "90 mcg", Some("inhaled"), Some("every 4 hours as needed")),
                med("Lisinopril", "10 mg", Some("by mouth"), Some("daily")),
                med("Atorvastatin", "40 mg", Some("PO"), Some("nightly")),
                Medication { name: "Aspirin".into(), ..Default::default() },
            ]
        );
    }

    #[test]
    fn a_prescriptions_sig_line_gives_route_and_frequency() {
        let m = meds("Rx: Amoxicillin 500 mg capsule\nSig: 1 capsule by mouth three times daily for 10 days\nDisp: #30");
        assert_eq!(m, [med("Amoxicillin", "500 mg", Some("by mouth"), Some("three times daily"))]);
    }

    #[test]
    fn plans_need_a_dose_and_prose_gives_nothing() {
        let m = meds(
            "Plan: start metformin 500 mg twice daily.\nResponded well to intravenous furosemide.",
        );
        assert_eq!(m, [med("Metformin", "500 mg", None, Some("twice daily"))]);
        assert!(meds("Stop lisinopril 10 mg daily.\nNo medications.").is_empty());
    }

    #[test]
    fn a_misread_name_is_corrected_only_before_its_dose() {
        let m = meds("Medications:\n  Metforrnin 500 mg PO BID\n  Lisinoprl daily");
        assert_eq!(m, [med("Metformin", "500 mg", Some("PO"), Some("BID"))]);
        assert_eq!(correct("metforrnin"), Some("metformin"));
        assert_eq!(correct("zzzzzzzz"), None);
    }

    #[test]
    fn a_frequency_with_one_letter_misread_is_read_right_after_the_dose_or_route() {
        let m = meds("Medications:\n1. Warfarin 5 mg PO aaily\n2. Lisinopril 10 mg PO");
        assert_eq!(
            m,
            [
                med("Warfarin", "5 mg", Some("PO"), Some("daily")),
                med("Lisinopril", "10 mg", Some("PO"), None)
            ]
        );
        // Two letters off, or not right after the dose: no frequency.
        let m = meds("Medications:\n1. Warfarin 5 mg PO aaiiy\n2. Lisinopril 10 mg PO then aaily");
        assert_eq!(
            m,
            [
                med("Warfarin", "5 mg", Some("PO"), None),
                med("Lisinopril", "10 mg", Some("PO"), None)
            ]
        );
    }
}
