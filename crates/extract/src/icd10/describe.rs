//! The official descriptions of the billable ICD-10-CM codes (April 2026, shipped compressed in
//! `data/`, public domain), and how well a printed text names one of them.
//!
//! Loaded on first use only: the billable-code check does not need them. The comparison is by
//! words: case, punctuation and the short words ("of", "the", "and" …) do not count; each word
//! weighs by how rare it is among the descriptions (inverse document frequency), so "heart
//! failure" says more than "unspecified"; a printed word matches a description word when it is
//! the same, one letter off as OCR misreads (two for long words), a truncation ("unspec",
//! "chr") or a contraction ("athscl", "pctrs"), or a common chart abbreviation ("HTN", "COPD",
//! "w/o"). The printed text may stop short of the description (a shortened form) or run on
//! into the next column; the best-matching stretch from its start counts.

use flate2::read::GzDecoder;
use std::collections::HashMap;
use std::io::Read as _;
use std::sync::LazyLock;

static DESCRIPTIONS: LazyLock<Descriptions> = LazyLock::new(Descriptions::load);

/// The part of its description's weight a text must give for it to name a code.
const NAMES_RECALL: f32 = 0.3;
/// The part of the text's weight its description must explain for the text to name a code.
const NAMES_PRECISION: f32 = 0.75;
/// The least description weight a text must match to name a code (about one uncommon word).
const NAMES_WEIGHT: f32 = 4.0;
/// A text names a code clearly when it gives half of its description, and little else.
const CLEAR_RECALL: f32 = 0.5;
/// The weight of a printed word no description has.
const UNKNOWN_WEIGHT: f32 = 8.0;
/// At most this many words of a text are compared.
const MAX_WORDS: usize = 40;

/// Words that do not count.
const STOP_WORDS: &[&str] =
    &["a", "an", "and", "as", "at", "by", "in", "is", "of", "on", "or", "the", "to"];

/// Chart abbreviations and the description words they stand for.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("afib", "atrial fibrillation"),
    ("ashd", "atherosclerotic heart disease"),
    ("bph", "benign prostatic hyperplasia"),
    ("cad", "coronary artery disease"),
    ("chf", "heart failure"),
    ("ckd", "chronic kidney disease"),
    ("copd", "chronic obstructive pulmonary disease"),
    ("dm", "diabetes mellitus"),
    ("dm2", "type 2 diabetes mellitus"),
    ("esrd", "end stage renal disease"),
    ("gerd", "gastro esophageal reflux disease"),
    ("hld", "hyperlipidemia"),
    ("htn", "hypertension"),
    ("lbp", "low back pain"),
    ("nos", "unspecified"),
    ("osa", "obstructive sleep apnea"),
    ("t2dm", "type 2 diabetes mellitus"),
    ("uri", "upper respiratory infection"),
    ("uti", "urinary tract infection"),
];

/// How well a text names one code's description.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Match {
    /// The part of the description's weight the text gives.
    pub(crate) recall: f32,
    /// The part of the text's weight (the stretch compared) the description explains.
    pub(crate) precision: f32,
    /// The description weight matched.
    pub(crate) weight: f32,
}

impl Match {
    /// The text names the code: most of what it says is in the description, and it says enough
    /// of it.
    pub(crate) fn names(&self) -> bool {
        self.precision >= NAMES_PRECISION
            && self.recall >= NAMES_RECALL
            && self.weight >= NAMES_WEIGHT
    }

    /// The text names the code beyond doubt.
    pub(crate) fn names_clearly(&self) -> bool {
        self.names() && self.recall >= CLEAR_RECALL
    }

    fn f1(&self) -> f32 {
        let (p, r) = (self.precision, self.recall);
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

struct Descriptions {
    /// Code → index.
    index: HashMap<&'static str, u32>,
    codes: Vec<&'static str>,
    /// Each description's words (ids into `words`), code by code: `words_of[offsets[i]..offsets[i + 1]]`.
    words_of: Vec<u32>,
    offsets: Vec<u32>,
    /// The description vocabulary: word → id.
    vocabulary: HashMap<String, u32>,
    words: Vec<Word>,
}

struct Word {
    text: String,
    /// ln(descriptions / descriptions with the word).
    weight: f32,
    /// The codes whose description has the word.
    codes: Vec<u32>,
}

impl Descriptions {
    fn load() -> Descriptions {
        let gz: &[u8] = include_bytes!("../../data/icd10cm-descriptions.tsv.gz");
        let mut text = String::new();
        // The file is shipped with the code; a failure here is a broken build, caught by the tests.
        GzDecoder::new(gz)
            .read_to_string(&mut text)
            .expect("data/icd10cm-descriptions.tsv.gz reads");
        // Kept for the life of the process, as the static holding it is: codes point into it.
        let text: &'static str = Box::leak(text.into_boxed_str());
        let mut d = Descriptions {
            index: HashMap::new(),
            codes: Vec::new(),
            words_of: Vec::new(),
            offsets: vec![0],
            vocabulary: HashMap::new(),
            words: Vec::new(),
        };
        // One buffer for each description in lower case, so that only new words allocate.
        let mut lower = String::new();
        for line in text.lines() {
            let Some((code, description)) = line.split_once('\t') else { continue };
            let n = d.codes.len() as u32;
            d.index.insert(code, n);
            d.codes.push(code);
            lower.clear();
            lower.extend(description.chars().flat_map(char::to_lowercase));
            for w in lower.split(|c: char| !c.is_alphanumeric()) {
                if w.is_empty() || STOP_WORDS.contains(&w) {
                    continue;
                }
                let id = match d.vocabulary.get(w) {
                    Some(&id) => id,
                    None => {
                        let id = d.words.len() as u32;
                        d.vocabulary.insert(w.to_string(), id);
                        d.words.push(Word { text: w.to_string(), weight: 0.0, codes: Vec::new() });
                        id
                    }
                };
                let word = &mut d.words[id as usize];
                if word.codes.last() != Some(&n) {
                    word.codes.push(n);
                }
                d.words_of.push(id);
            }
            d.offsets.push(d.words_of.len() as u32);
        }
        let total = d.codes.len() as f32;
        for w in &mut d.words {
            w.weight = (total / w.codes.len() as f32).ln();
        }
        d
    }

    fn words_of(&self, code: u32) -> &[u32] {
        &self.words_of
            [self.offsets[code as usize] as usize..self.offsets[code as usize + 1] as usize]
    }

    /// How well `text` (its words) names the description of code number `code`: the best of the
    /// text's opening stretches, by F1 of precision and recall.
    fn compare(&self, text: &[String], code: u32) -> Match {
        let description = self.words_of(code);
        let weight = |id: u32| self.words[id as usize].weight;
        let total: f32 = description.iter().map(|&id| weight(id)).sum();
        if total == 0.0 {
            return Match::default();
        }
        let mut used = vec![false; description.len()];
        let (mut matched, mut said, mut explained) = (0.0, 0.0, 0.0);
        let mut best = Match::default();
        for t in text.iter().take(MAX_WORDS) {
            let found = description
                .iter()
                .enumerate()
                .filter(|(i, _)| !used[*i])
                .map(|(i, &id)| (i, id, similarity(t, &self.words[id as usize].text)))
                .filter(|(_, _, s)| *s > 0.0)
                .max_by(|a, b| a.2.total_cmp(&b.2));
            match found {
                Some((i, id, s)) => {
                    used[i] = true;
                    matched += weight(id) * s;
                    said += weight(id);
                    explained += weight(id) * s;
                }
                None => said += self.weight_of(t),
            }
            let m = Match { recall: matched / total, precision: explained / said, weight: matched };
            if m.f1() > best.f1() {
                best = m;
            }
        }
        best
    }

    /// The weight of a printed word: its own as a description word, else that of an unknown one.
    fn weight_of(&self, word: &str) -> f32 {
        self.vocabulary.get(word).map_or(UNKNOWN_WEIGHT, |&id| self.words[id as usize].weight)
    }

    /// The code whose description `text` names best, among all, with its match; `None` when it
    /// shares no word with any. The codes compared in full are those sharing the most weight
    /// with the text, word for word (exact or one letter off).
    fn best(&self, text: &[String]) -> Option<(&'static str, Match)> {
        let mut shared: HashMap<u32, f32> = HashMap::new();
        for t in text.iter().take(MAX_WORDS) {
            let ids: Vec<u32> = match self.vocabulary.get(t.as_str()) {
                Some(&id) => vec![id],
                None => (0..self.words.len() as u32)
                    .filter(|&id| near(t, &self.words[id as usize].text))
                    .collect(),
            };
            for id in ids {
                let w = &self.words[id as usize];
                for &code in &w.codes {
                    *shared.entry(code).or_default() += w.weight;
                }
            }
        }
        let mut ranked: Vec<(u32, f32)> = shared.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
            .into_iter()
            .take(32)
            .map(|(code, _)| (self.codes[code as usize], self.compare(text, code)))
            .max_by(|a, b| a.1.f1().total_cmp(&b.1.f1()).then(b.0.cmp(a.0)))
    }
}

/// How well `text` names the official description of `code` (a billable code, with its dot);
/// `None` for a code the list does not have.
pub(crate) fn compare(text: &str, code: &str) -> Option<Match> {
    let d = &*DESCRIPTIONS;
    let &n = d.index.get(code)?;
    Some(d.compare(&printed_words(text), n))
}

/// The code whose official description `text` names best, with its match, if any shares a word
/// with it.
pub(crate) fn best(text: &str) -> Option<(&'static str, Match)> {
    DESCRIPTIONS.best(&printed_words(text))
}

/// The words of a text as descriptions are split into (see `Descriptions::load`): lower case,
/// split at anything but letters and digits, short words left out.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
}

/// The words of printed text, chart shorthand spelt out ("w/o" → "without", "HTN" →
/// "hypertension").
fn printed_words(text: &str) -> Vec<String> {
    let lower = text.to_lowercase().replace("w/o", " without ").replace("w/", " with ");
    words(&lower)
        .flat_map(|w| match ABBREVIATIONS.iter().find(|(a, _)| *a == w) {
            Some((_, full)) => full.split(' ').map(str::to_string).collect(),
            None => vec![w],
        })
        .collect()
}

/// How much printed word `t` is description word `d`: 1 the same; 0.9 one letter off as OCR
/// misreads (two for long words); 0.8 a truncation ("unspec"); 0.7 a contraction keeping its
/// first letter ("athscl"); 0 no match. Numbers match only themselves.
fn similarity(t: &str, d: &str) -> f32 {
    if t == d {
        return 1.0;
    }
    let numeric = |w: &str| w.chars().any(|c| c.is_ascii_digit());
    if numeric(t) || numeric(d) || t.chars().count() < 3 {
        return 0.0;
    }
    if near(t, d) {
        return 0.9;
    }
    if t.len() < d.len() && d.starts_with(t) {
        return 0.8;
    }
    if t.len() < d.len() && t.chars().next() == d.chars().next() && is_subsequence(t, d) {
        return 0.7;
    }
    0.0
}

/// One letter off (an edit) for words of four letters or more, two for words of eight or more.
fn near(t: &str, d: &str) -> bool {
    // Most pairs differ in length by more than any allowance: no need to compare them.
    if t.len().abs_diff(d.len()) > 4 {
        return false;
    }
    let (a, b): (Vec<char>, Vec<char>) = (t.chars().collect(), d.chars().collect());
    if b.len() < 4 || a.len() < 3 {
        return false;
    }
    let allowed = if b.len() >= 8 { 2 } else { 1 };
    a.len().abs_diff(b.len()) <= allowed && edit_distance(&a, &b) <= allowed
}

/// Levenshtein distance.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diagonal + usize::from(ca != cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

fn is_subsequence(t: &str, d: &str) -> bool {
    let mut rest = d.chars();
    t.chars().all(|c| rest.any(|x| x == c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_billable_code_has_its_description() {
        let d = &*DESCRIPTIONS;
        assert_eq!(d.codes.len(), 74_706);
        assert!(d.codes.iter().all(|c| crate::icd10::is_billable(c)));
        let full = compare("Heart failure, unspecified", "I50.9").expect("I50.9");
        assert_eq!((full.recall, full.precision), (1.0, 1.0));
        assert_eq!(compare("Heart failure", "I50"), None, "a category has no entry");
    }

    #[test]
    fn printed_words_match_description_words_despite_ocr_and_shorthand() {
        assert_eq!(similarity("failure", "failure"), 1.0);
        assert_eq!(similarity("failurc", "failure"), 0.9);
        assert_eq!(similarity("unspecifled", "unspecified"), 0.9);
        assert_eq!(similarity("unspec", "unspecified"), 0.8);
        assert_eq!(similarity("athscl", "atherosclerotic"), 0.7);
        assert_eq!(similarity("2", "1"), 0.0);
        assert_eq!(similarity("hart", "heart"), 0.9);
        assert_eq!(similarity("lb", "left"), 0.0);
        assert_eq!(
            printed_words("HTN, T2DM w/o complications"),
            ["hypertension", "type", "2", "diabetes", "mellitus", "without", "complications"]
        );
    }

    #[test]
    fn a_text_names_a_code_by_most_of_its_words_and_little_else() {
        let names = |text: &str, code: &str| compare(text, code).is_some_and(|m| m.names());
        assert!(names("Type 2 diabetes", "E11.9"), "shortened");
        assert!(names("Essential (primary) hypertension, controlled on lisinopril", "I10"));
        assert!(!names("Type 2", "E11.9"), "too little of it");
        assert!(!names("unspecified", "I50.9"), "a word every other description has");
        assert!(!names("Patient doing well, heart failure", "I50.9"), "mostly other words");
    }
}
