//! A letter's own parts: its date, alone on a line at the head of the letter, and its signer,
//! the name under the complimentary close ("Sincerely," / "Ann Fakedoc, MD").
//!
//! No label says what these are; a letter's form does. A document is read as a letter when it
//! greets someone ("Dear Dr. …") or closes as letters close. Its date is the first line of its
//! head that is a date and nothing else, above the greeting: the date of the letter, taken as
//! the date of service unless a label gave one as sure, at a confidence that sends it to review.
//! Its signer is the person's name on one of the few lines under the close, taken as the
//! clinician who signed when no label named one as sure.

use crate::labels::{self, State};
use crate::layout::Line;
use crate::names::person_name;
use crate::vocab::Key;
use crate::Extraction;

/// The confidence factor of a value read by its place in the letter alone.
const FACTOR: f32 = 0.75;
/// How many lines under the close the signer's name may be (room for a signature's scrawl).
const SIGNATURE_LINES: usize = 4;

/// True if `line` greets the reader: "Dear Dr. Otherdoc:", "Dear Colleague,".
fn greets(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or("");
    first.trim_matches(|c: char| !c.is_alphabetic()).eq_ignore_ascii_case("dear")
}

/// True if `line` is a complimentary close: a short line of a letter's closing words, ending
/// with a comma or nothing ("Sincerely,", "Yours truly,", "With kind regards").
fn closes(line: &str) -> bool {
    const WORDS: &[&str] = &[
        "sincerely",
        "respectfully",
        "regards",
        "truly",
        "faithfully",
        "cordially",
        "yours",
        "best",
        "kind",
        "kindest",
        "warm",
        "warmest",
        "with",
        "very",
        "wishes",
    ];
    const ANCHORS: &[&str] =
        &["sincerely", "respectfully", "regards", "truly", "faithfully", "cordially"];
    let words: Vec<String> = line
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()).to_ascii_lowercase())
        .collect();
    !words.is_empty()
        && words.len() <= 4
        && !line.trim_end().ends_with(['.', ':'])
        && words.iter().all(|w| WORDS.contains(&w.as_str()))
        && words.iter().any(|w| ANCHORS.contains(&w.as_str()))
}

/// True if the lines read as a letter's.
pub(crate) fn is_letter(lines: &[Line<'_>]) -> bool {
    lines.iter().any(|l| greets(l.text) || closes(l.text))
}

/// The letter's date: the first line above its greeting that is a whole date, as the date of
/// service where no label gave one as sure (a bare "Date:" does; a dictation's or a signature's
/// date does not).
pub(crate) fn date(lines: &[Line<'_>], out: &mut Extraction, state: &mut State) {
    let head = lines.iter().position(|l| greets(l.text)).unwrap_or(0);
    for (n, line) in lines[..head].iter().enumerate() {
        // (Not a date a caption under it names: "Aug 10, 2017" over "Next Appointment".)
        let under = lines[n + 1..].iter().find(|l| !l.text.trim().is_empty());
        if under.is_some_and(|u| labels::label_words_only(u.text)) {
            continue;
        }
        let text = line.text.trim().trim_end_matches(['.', ',']);
        let Some((date, n)) = labels::leading_date(text) else { continue };
        if n != text.split_whitespace().count() {
            continue;
        }
        // (Not the patient's birth date printed alone.)
        if out.fields.patient.dob.as_deref() == Some(date.iso().as_str()) {
            continue;
        }
        let (s, e) = (line.text.len() - line.text.trim_start().len(), line.text.trim_end().len());
        labels::apply(Key::Dos(3), line, s, e, FACTOR, out, state);
        return;
    }
}

/// The letter's signer: a person's name on the lines under its close, as the clinician who
/// signed, unless a label already named the one who saw the patient or signed.
pub(crate) fn signer(lines: &[Line<'_>], out: &mut Extraction, state: &mut State) {
    let Some(close) = lines.iter().rposition(|l| closes(l.text)) else { return };
    let under = lines[close + 1..].iter().filter(|l| !l.text.trim().is_empty());
    for line in under.take(SIGNATURE_LINES) {
        let text = line.text.trim();
        if labels::has_field_label(line) {
            return;
        }
        // (Not the signature's scrawl OCR read as letters: "Ni Iv" at a confidence of 0.2.)
        let sure = line.place(0, line.text.len()).confidence >= 0.5;
        if sure
            && person_name(text).is_some_and(|(g, _)| g.is_some())
            && text.split_whitespace().count() <= 6
        {
            let (s, e) =
                (line.text.len() - line.text.trim_start().len(), line.text.trim_end().len());
            labels::apply(Key::Provider(1), line, s, e, FACTOR, out, state);
            return;
        }
    }
}
