//! Unlabelled identity blocks: an addressograph plate's imprint or a chart label stuck at the
//! top of a page ("TESTPATIENT, ALICE" / "H9534283" / "03/14/1961 F" / "ROBERT FAKEDOC, MD"),
//! a clinician's name standing alone in a header, and an EHR banner's name.
//!
//! No label says what these lines are; their shapes and their place do. A plate is a stack of
//! at least three cells, left-aligned one under the other in the first page's header, holding
//! a person's name, an identifier and a date (or the labelled name, MRN and birth date some
//! plates print: "Patient: NOTREAL, INES", "MRN 41694582", "DOB 09/19/52 M"; a labelled cell
//! lines up by its label or by its value): the name is the patient's, the identifier the MRN,
//! the date (and a lone sex letter after it) the birth date, a name with a clinician's title or
//! degree the provider. A plate's values rank below a label's: its name below a label that
//! says patient (above an insured's), its clinician as an admitting one; its identifier and
//! date only fill fields no label gave; all at a confidence low enough to send the document to
//! review. An EHR's banner heads the page with the patient's name alone ("MOCKFORD, Esther"),
//! in letters larger than the labelled birth date, sex and record number on the line under it.

use crate::labels::{self, State};
use crate::layout::Line;
use crate::names::person_name;
use crate::vocab::Key;
use crate::Extraction;
use chartdex_core::BBox;

/// The confidence factor of a value read by its place alone.
const FACTOR: f32 = 0.6;
/// How many of the first page's cells make its header.
const HEADER_CELLS: usize = 40;
/// How many of the first page's last cells make its foot.
const FOOT_CELLS: usize = 30;

/// What a cell of a stack holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Patient,
    Clinician,
    Identifier,
    Date,
    /// A cell with a label of the patient's name, MRN or birth date (read by the labels).
    LabelledPatient,
    LabelledMrn,
    LabelledDob,
    /// A sex alone, the birth date in the next cell of its row.
    SexThenDate,
    Other,
}

/// Reads a plate among the first page's `cells` (its rows cut at their wide gaps, in reading
/// order), then a lone clinician's name in its header, into the fields still empty.
pub(crate) fn read(all: &[Line<'_>], out: &mut Extraction, state: &mut State) {
    let cells = &trimmed(&all[..all.len().min(HEADER_CELLS)]);
    let keys: Vec<Vec<Key>> = cells.iter().map(labels::field_labels).collect();
    let unlabelled: Vec<bool> = cells.iter().map(|c| !labels::has_field_label(c)).collect();
    let shapes = shapes_of(cells, &keys);
    // (Some forms ask for the patient's identification at their foot, as the SF 600 does.)
    if !read_stacks(cells, &shapes, out, state) && all.len() > HEADER_CELLS {
        let foot = &trimmed(&all[all.len().saturating_sub(FOOT_CELLS).max(HEADER_CELLS)..]);
        let keys: Vec<Vec<Key>> = foot.iter().map(labels::field_labels).collect();
        read_stacks(foot, &shapes_of(foot, &keys), out, state);
    }
    lone_clinician(cells, &unlabelled, &shapes, out, state);
    banner_patient(cells, out, state);
}

/// How much taller than the header's usual word a banner's name is, at least.
const BANNER_SCALE: f32 = 1.4;

/// An EHR's banner: the patient's name written family first with its comma ("MOCKFORD,
/// Esther"), alone in one of the header's first cells, in letters larger than the header's,
/// over labelled values of the patient's (a birth date or a record number read by their
/// labels). Read where no label named the patient, at the confidence of a value read by its
/// place. Large letters are often cut into pieces by OCR ("TESTPATI ENT, Bru no"): pieces
/// closer than a quarter of their height are one word.
fn banner_patient(cells: &[Line<'_>], out: &mut Extraction, state: &mut State) {
    let p = &out.fields.patient;
    if p.family.is_some() || p.dob.is_none() && p.mrn.is_none() {
        return;
    }
    let mut heights: Vec<u32> =
        cells.iter().flat_map(|c| c.tokens.iter().filter_map(|t| t.bbox.map(|b| b.h))).collect();
    if heights.len() < 6 {
        return;
    }
    heights.sort_unstable();
    let usual = heights[heights.len() / 2] as f32;
    for cell in cells.iter().take(4) {
        let tall = cell.tokens.iter().filter_map(|t| t.bbox.map(|b| b.h)).max();
        if tall.is_none_or(|h| (h as f32) < BANNER_SCALE * usual) {
            continue;
        }
        let (text, tokens) = pieces_joined(cell);
        let words: Vec<&str> = text.split_whitespace().collect();
        let named = (2..=4).contains(&words.len())
            && text.contains(',')
            && text.chars().all(|c| c.is_alphabetic() || " ,.'-".contains(c))
            && !words.iter().any(|w| crate::vocab::is_label_word(w.trim_matches(',')))
            && person_name(&text).is_some();
        if named {
            let line = Line { page: cell.page, text: &text, tokens, space: cell.space };
            labels::apply_family_first(Key::Patient(2), &line, FACTOR, out, state);
            return;
        }
    }
}

/// A cell's text with the pieces OCR cut a word into joined again: tokens closer than a quarter
/// of their height, the first not ending a phrase (",", ":").
fn pieces_joined(cell: &Line<'_>) -> (String, Vec<crate::layout::Token>) {
    let mut text = String::new();
    let mut tokens: Vec<crate::layout::Token> = Vec::new();
    for t in &cell.tokens {
        let word = &cell.text[t.start..t.end];
        let close = tokens.last().is_some_and(|last| {
            let (Some(a), Some(b)) = (last.bbox, t.bbox) else { return false };
            let gap = b.x.saturating_sub(a.x + a.w) as f32;
            !text.ends_with([',', ':', ';']) && b.x >= a.x + a.w && gap < 0.25 * a.h.max(b.h) as f32
        });
        match tokens.last_mut() {
            Some(last) if close => {
                text.push_str(word);
                last.end = text.len();
                last.bbox = last.bbox.zip(t.bbox).map(|(a, b)| a.union(b));
                last.page_box =
                    last.page_box.zip(t.page_box).map(|(a, b)| a.union(b)).or(last.page_box);
                last.confidence = last.confidence.min(t.confidence);
            }
            _ => {
                if !text.is_empty() {
                    text.push(' ');
                }
                let start = text.len();
                text.push_str(word);
                tokens.push(crate::layout::Token { start, end: text.len(), ..t.clone() });
            }
        }
    }
    (text, tokens)
}

/// The shapes of the cells; a sex alone in its cell before a date in the next cell of its row
/// ("FEMALE      02/06/1941") is a birth date's line.
fn shapes_of(cells: &[Line<'_>], keys: &[Vec<Key>]) -> Vec<Shape> {
    let mut shapes: Vec<Shape> = cells.iter().zip(keys).map(|(c, k)| shape(c, k)).collect();
    for i in 0..cells.len().saturating_sub(1) {
        let (cell, next) = (&cells[i], &cells[i + 1]);
        if shapes[i] == Shape::Other
            && keys[i].is_empty()
            && cell.text.split_whitespace().count() == 1
            && labels::sex(cell.text).is_some()
            && same_row(top(cell), top(next))
            && labels::leading_date(next.text).is_some()
        {
            shapes[i] = Shape::SexThenDate;
        }
    }
    shapes
}

/// The box of a cell's first word.
fn top(l: &Line<'_>) -> Option<BBox> {
    l.tokens.first().and_then(|t| t.bbox)
}

/// True if `b` stands right of `a` on its row.
fn same_row(a: Option<BBox>, b: Option<BBox>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => b.x > a.x && a.y < b.y + b.h && b.y < a.y + a.h,
        _ => false,
    }
}

/// Reads the first stack of `cells` that makes a plate; false if none does.
fn read_stacks(
    cells: &[Line<'_>],
    shapes: &[Shape],
    out: &mut Extraction,
    state: &mut State,
) -> bool {
    for stack in stacks(cells, shapes) {
        let of: Vec<Shape> = stack.iter().map(|&i| shapes[i]).collect();
        let has = |s: &[Shape]| of.iter().any(|x| s.contains(x));
        let plate = has(&[Shape::Patient, Shape::LabelledPatient])
            && has(&[Shape::Identifier, Shape::LabelledMrn])
            && has(&[Shape::Date, Shape::LabelledDob, Shape::SexThenDate]);
        if !plate {
            continue;
        }
        // A stack whose name is labelled gives an identifier only where one alone stands in it
        // after a caption of its own ("IP No. MR274634"): what a bare number under a labelled
        // name is, nothing on the page says (see `labels::unlabelled_mrn`).
        let labelled = !has(&[Shape::Patient]);
        let identifiers: Vec<usize> =
            stack.iter().copied().filter(|&i| shapes[i] == Shape::Identifier).collect();
        let captioned =
            |i: usize| !labelled || (identifiers.len() == 1 && identifier_at(cells[i].text) > 0);
        for (&i, &s) in stack.iter().zip(&of) {
            let cell = &cells[i];
            let whole = cell.text.len();
            let p = &out.fields.patient;
            match s {
                // A plate imprints the family name first, in capitals ("MOCKFORD HIROSHI"),
                // as the chart is filed.
                Shape::Patient if !cell.text.chars().any(char::is_lowercase) => {
                    labels::apply_family_first(Key::Patient(2), cell, FACTOR, out, state)
                }
                Shape::Patient => {
                    labels::apply(Key::Patient(2), cell, 0, whole, FACTOR, out, state)
                }
                // A plate is embossed at admission, with the admitting consultant's name:
                // ranked as an admitting clinician's (below an attending's label, above a
                // referring one's).
                Shape::Clinician => {
                    labels::apply(Key::Provider(2), cell, 0, whole, FACTOR, out, state)
                }
                Shape::Identifier if p.mrn.is_none() && captioned(i) => {
                    let at = identifier_at(cell.text);
                    labels::apply(Key::Mrn(1), cell, at, whole, FACTOR, out, state)
                }
                Shape::Date if p.dob.is_none() => {
                    let at = date_after_sex(cell.text).unwrap_or(0);
                    labels::apply(Key::Dob, cell, at, whole, FACTOR, out, state);
                    if at > 0 && out.fields.patient.sex.is_none() {
                        labels::apply(Key::Sex, cell, 0, at, FACTOR, out, state);
                    } else {
                        sex_after_date(cell, cells.get(i + 1), out, state);
                    }
                }
                Shape::SexThenDate => {
                    if let Some(next) = cells.get(i + 1).filter(|_| p.dob.is_none()) {
                        labels::apply(Key::Dob, next, 0, next.text.len(), FACTOR, out, state);
                    }
                    if out.fields.patient.sex.is_none() {
                        labels::apply(Key::Sex, cell, 0, whole, FACTOR, out, state);
                    }
                }
                // ("DOB 09/19/52 F": the label reads the date.)
                Shape::LabelledDob => sex_after_date(cell, cells.get(i + 1), out, state),
                _ => {}
            }
        }
        return true;
    }
    false
}

/// A header's one clinician named alone in a cell, by a title or degree ("DR ROBERT FAKEDOC",
/// "Priya Testwood, DO"), when no label gave the provider: the rows down to the last with a
/// field's label, and only if no other such name stands there (a referring and a rendering
/// physician side by side say nothing of which is whose).
fn lone_clinician(
    cells: &[Line<'_>],
    unlabelled: &[bool],
    shapes: &[Shape],
    out: &mut Extraction,
    state: &mut State,
) {
    if out.fields.provider.family.is_some() {
        return;
    }
    let Some(last) = unlabelled.iter().rposition(|u| !u) else { return };
    let found: Vec<usize> =
        (0..=last).filter(|&i| unlabelled[i] && shapes[i] == Shape::Clinician).collect();
    let names: Vec<_> = found.iter().filter_map(|&i| person_name(cells[i].text)).collect();
    if names.is_empty() || names.iter().any(|n| n != &names[0]) {
        return;
    }
    let cell = &cells[found[0]];
    labels::apply(Key::Provider(3), cell, 0, cell.text.len(), FACTOR, out, state);
}

/// "03/14/1961 F": the sex after the birth date on a plate's line, if none was read — in the
/// date's cell, or alone in the next cell of its row ("10/09/1970      F").
fn sex_after_date(
    cell: &Line<'_>,
    next: Option<&Line<'_>>,
    out: &mut Extraction,
    state: &mut State,
) {
    if out.fields.patient.sex.is_some() {
        return;
    }
    let text = cell.text;
    let date = crate::layout::split_tokens(text)
        .find_map(|(at, _)| labels::leading_date(&text[at..]).map(|(_, n)| (at, n)));
    if let Some((at, n)) = date {
        let from = at + token_start(&text[at..], n);
        // (The age in parentheses between: "07/12/1989 (33 y) F".)
        let from = match labels::leading_age(&text[from..]) {
            Some((_, Some(true), end)) if text[from..].trim_start().starts_with('(') => from + end,
            _ => from,
        };
        labels::apply(Key::Sex, cell, from, text.len(), FACTOR, out, state);
    }
    if let Some(next) =
        next.filter(|n| same_row(top(cell), top(n)) && n.text.split_whitespace().count() == 1)
    {
        if out.fields.patient.sex.is_none() && labels::sex(next.text).is_some() {
            labels::apply(Key::Sex, next, 0, next.text.len(), FACTOR, out, state);
        }
    }
}

/// The cells with what stands before a plate's left edge cut off. A label stuck over a form
/// hides the form's captions but their first letters, and OCR reads its border as specks
/// ("Pati NOTREAL, Ines", "Pa 11/21/1970 M", "nf MRN 4608918"): a cell whose words after
/// one or two short fragments (no label's words, no identifier) start at the left edge of a cell
/// above or below it (within three line heights) and read as a name, a number or a date, is
/// read from there.
fn trimmed<'a>(cells: &[Line<'a>]) -> Vec<Line<'a>> {
    // Where each cell's words may begin: its first word, and each of the next two words after
    // fragments only (at most eight characters with a letter or digit, no label's word, no
    // identifier).
    let starts = |cell: &Line<'_>| -> Vec<usize> {
        let word = |k: usize| &cell.text[cell.tokens[k].start..cell.tokens[k].end];
        let mut out = if cell.tokens.is_empty() { vec![] } else { vec![0] };
        let mut chars = 0;
        for k in 1..cell.tokens.len().min(3) {
            let w = word(k - 1);
            chars += w.chars().count();
            // (A dash or colon before a value is the label's, not a fragment.)
            let marks = !w.chars().any(char::is_alphanumeric);
            if chars > 8 || marks || crate::vocab::is_label_word(w) || identifier_shaped(w) {
                break;
            }
            if word(k).starts_with(char::is_alphanumeric) {
                out.push(k);
            }
        }
        out
    };
    let starts: Vec<Vec<usize>> = cells.iter().map(starts).collect();
    let edges: Vec<Vec<BBox>> = cells
        .iter()
        .zip(&starts)
        .map(|(c, s)| s.iter().filter_map(|&k| c.tokens[k].bbox).collect())
        .collect();
    let aligned = |i: usize, b: BBox, h: u32| {
        edges.iter().enumerate().any(|(j, other)| {
            j != i
                && other.iter().any(|a| {
                    let dy = a.y.abs_diff(b.y);
                    a.x.abs_diff(b.x) <= h / 2 && dy >= h / 2 && dy <= 3 * h
                })
        })
    };
    let mut out = cells.to_vec();
    for (i, cell) in cells.iter().enumerate() {
        for &k in starts[i].iter().skip(1) {
            let Some(b) = cell.tokens[k].bbox else { continue };
            let h = cell.height().unwrap_or(b.h).max(1);
            let part = cell.part(k, cell.tokens.len() - 1);
            if aligned(i, b, h) && shape(&part, &labels::field_labels(&part)) != Shape::Other {
                out[i] = part;
                break;
            }
        }
    }
    out
}

/// "M 03/01/1935", "FEMALE 02/06/1941": the byte offset of a birth date after the sex that
/// opens a plate's line (as forms that ask for "Sex; Date of Birth" print them).
fn date_after_sex(text: &str) -> Option<usize> {
    let mut tokens = crate::layout::split_tokens(text);
    let (_, first) = tokens.next()?;
    let (at, _) = tokens.next()?;
    (labels::sex(first).is_some() && labels::leading_date(&text[at..]).is_some()).then_some(at)
}

/// The byte offset of token `n` of `text` (its end if it has fewer).
fn token_start(text: &str, n: usize) -> usize {
    crate::layout::split_tokens(text).nth(n).map_or(text.len(), |(at, _)| at)
}

/// The stacks of cells that may make a plate (unlabelled, or with the patient's MRN or birth
/// date labelled): each cell joins the stack whose last cell stands right above it (less than
/// two line heights between them) with its left edge within a line height of that cell's;
/// stacks of three or more, top to bottom.
fn stacks(cells: &[Line<'_>], shapes: &[Shape]) -> Vec<Vec<usize>> {
    let bbox = |c: &Line<'_>| {
        let boxes: Vec<_> = c.tokens.iter().filter_map(|t| t.bbox).collect();
        let first = *boxes.first()?;
        Some(boxes.iter().fold(first, |a, b| a.union(*b)))
    };
    let mut stacks: Vec<Vec<usize>> = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let Some(b) = bbox(cell).filter(|_| shapes[i] != Shape::Other) else { continue };
        let h = cell.tokens.iter().filter_map(|t| t.bbox.map(|b| b.h)).max().unwrap_or(b.h);
        // (A labelled cell lines up with the others by its label or by its value: a label
        // printed in the plate's margin, "Patient: SAMPLETON, Jonah" over "07/12/1989".)
        let edges = |j: usize, b: BBox| [Some(b.x), value_x(&cells[j])];
        let joins = stacks.iter_mut().rev().find(|s| {
            let Some(&j) = s.last() else { return false };
            let Some(a) = bbox(&cells[j]) else { return false };
            let aligned = edges(j, a)
                .iter()
                .flatten()
                .any(|ax| edges(i, b).iter().flatten().any(|bx| ax.abs_diff(*bx) <= h));
            a.y + a.h <= b.y + h / 2 && b.y < a.y + a.h + 2 * h && aligned
        });
        match joins {
            Some(s) => s.push(i),
            None => stacks.push(vec![i]),
        }
    }
    stacks.retain(|s| s.len() >= 3);
    stacks
}

/// Where a labelled cell's value starts: the left edge of the first word after its label's
/// words (label words, or words that end in a colon or OCR's "!" for one); `None` in a cell
/// that opens with none.
fn value_x(cell: &Line<'_>) -> Option<u32> {
    let label = |t: &crate::layout::Token| {
        let t = &cell.text[t.start..t.end];
        (t.len() > 1 && t.ends_with([':', '!'])) || crate::vocab::is_label_word_near(t)
    };
    let n = cell.tokens.iter().take(4).take_while(|t| label(t)).count();
    cell.tokens.get(n).filter(|_| n > 0).and_then(|t| t.bbox).map(|b| b.x)
}

/// What a cell's text looks like, given the keys of the fields' labels on it.
fn shape(cell: &Line<'_>, keys: &[Key]) -> Shape {
    match keys {
        [] => {}
        [Key::Patient(_)] => return Shape::LabelledPatient,
        [Key::Mrn(_)] => return Shape::LabelledMrn,
        [Key::Dob] | [Key::Dob, Key::Sex] => return Shape::LabelledDob,
        _ => return Shape::Other,
    }
    let text = cell.text.trim();
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return Shape::Other;
    }
    // (A date in digits alone is a date only where a label says so: here it is a number;
    // but not a month and day before a year: "1221 1995".)
    let digits_only = words[0].len() >= 6 && words[0].bytes().all(|b| b.is_ascii_digit());
    if !digits_only && labels::leading_date(text).is_some() || date_after_sex(text).is_some() {
        return Shape::Date;
    }
    if words.len() <= 2 && identifier_shaped(words[0]) {
        return Shape::Identifier;
    }
    // (After a short caption a label of its own the vocabulary lacks: "IP No. MR274634".)
    if identifier_at(text) > 0 {
        return Shape::Identifier;
    }
    let letters = text.chars().all(|c| c.is_alphabetic() || " ,.'-".contains(c));
    if !letters || words.len() > 5 || person_name(text).is_none() {
        return Shape::Other;
    }
    // (Not a caption a title's abbreviation opens: "Hosp. Number". The name is the words
    // between the title and the first credential.)
    // (A degree as OCR read its stops: "M.D", "M.D.,".)
    let degree = |w: &str| {
        crate::names::is_credential(w) || crate::names::is_credential(&w.replace('.', ""))
    };
    let title = |w: &&&str| degree(w) || crate::vocab::is_role_abbreviation(w);
    let mut named = words.iter().skip_while(title).take_while(|w| !degree(w));
    if clinician(&words) && !named.any(|w| crate::vocab::is_label_word(w.trim_matches(','))) {
        return Shape::Clinician;
    }
    // A patient's name: two to four words, each capitalised, none a word labels use (not a
    // sentence, not a place: "HEALTH CENTER", not a title: "FOLLOW-UP VISIT").
    let capitalised = words.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase));
    let label_word = words.iter().any(|w| crate::vocab::is_label_word(w.trim_matches(',')));
    if capitalised
        && (2..=4).contains(&words.len())
        && !label_word
        && !crate::doctype::is_title(text)
    {
        Shape::Patient
    } else {
        Shape::Other
    }
}

/// Where a cell's identifier starts after a short caption of one or two words of four letters
/// at most ("IP No. MR274634", "# 00412234"; only cells without a field's label get here); 0 if
/// it does not.
fn identifier_at(text: &str) -> usize {
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some((last, caption)) = words.split_last() else { return 0 };
    let short = |w: &&str| {
        let letters = w.chars().filter(|c| c.is_alphabetic()).count();
        letters <= 4 && !w.chars().any(|c| c.is_ascii_digit())
    };
    if (1..=2).contains(&caption.len())
        && caption.iter().all(short)
        && identifier_shaped(last)
        && labels::identifier(last).is_some()
    {
        token_start(text, caption.len())
    } else {
        0
    }
}

/// A chart number as plates and labels print it: six to twelve letters and digits, at least
/// five of them digits ("H9534283", "156974752", "MR-0042").
fn identifier_shaped(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let digits = w.bytes().filter(u8::is_ascii_digit).count();
    (6..=12).contains(&w.len())
        && digits >= 5
        && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A name written with a clinician's title before it or degree after it.
fn clinician(words: &[&str]) -> bool {
    const TITLES: &[&str] = &["dr", "doctor"];
    const DEGREES: &[&str] = &[
        "md", "do", "np", "pa", "pac", "aprn", "fnp", "dnp", "crnp", "npc", "fnpc", "dpm", "dds",
        "mbbs", "od", "cnm", "crna", "mbchb",
    ];
    let fold = |w: &str| -> String {
        w.chars().filter(char::is_ascii_alphabetic).collect::<String>().to_ascii_lowercase()
    };
    TITLES.contains(&fold(words[0]).as_str())
        || crate::vocab::is_role_abbreviation(words[0])
        || words[1..].iter().any(|w| DEGREES.contains(&fold(w).as_str()))
}

#[cfg(test)]
mod tests {
    use crate::extract;
    use chartdex_core::{BBox, PageMeta, PageText, TextMethod, Word};

    /// A page of words at (x, y), 20 px high, 12 px a letter, given row by row.
    fn page(words: &[(&str, u32, u32)]) -> PageText {
        let words: Vec<Word> = words
            .iter()
            .map(|&(t, x, y)| Word {
                text: t.into(),
                bbox: BBox { x, y, w: 12 * t.len() as u32, h: 20 },
                confidence: 0.95,
            })
            .collect();
        // A line of text a row (the words are given row by row).
        let mut text = String::new();
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                text.push(if w.bbox.y == words[i - 1].bbox.y { ' ' } else { '\n' });
            }
            text.push_str(&w.text);
        }
        PageText {
            number: 1,
            text,
            confidence: 0.95,
            method: TextMethod::Ocr,
            words,
            meta: PageMeta::default(),
        }
    }

    #[test]
    fn an_addressograph_plate_beside_the_letterhead_is_read_by_its_lines_shapes() {
        let p = page(&[
            ("SAMPLE", 100, 100),
            ("TEST", 190, 100),
            ("CLINIC", 250, 100),
            ("NOTREAL", 1300, 100),
            ("BRUNO", 1410, 100),
            ("12", 100, 140),
            ("Example", 130, 140),
            ("Road", 230, 140),
            ("MR0045127", 1300, 140),
            ("02/03/1950", 1300, 180),
            ("M", 1440, 180),
            ("DR", 1300, 220),
            ("ROBERT", 1340, 220),
            ("FAKEDOC", 1430, 220),
            ("Visit", 100, 300),
            ("Date:", 170, 300),
            ("04/05/2024", 240, 300),
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Notreal"));
        assert_eq!(f.patient.given.as_deref(), Some("Bruno"));
        assert_eq!(f.patient.mrn.as_deref(), Some("MR0045127"));
        assert_eq!(f.patient.dob.as_deref(), Some("1950-02-03"));
        assert_eq!(f.patient.sex.as_deref(), Some("M"));
        assert_eq!(f.provider.family.as_deref(), Some("Fakedoc"));
        assert_eq!(f.service_date.as_deref(), Some("2024-04-05"));
    }

    #[test]
    fn a_labels_name_in_its_margin_lines_up_by_its_value() {
        // The name's caption printed in the label's margin, left of the lines under it; the
        // record number after a caption the vocabulary lacks, the sex after the age.
        let p = page(&[
            ("SAMPLE", 100, 100),
            ("CLINIC", 190, 100),
            ("Patient:", 1170, 140),
            ("FAKESON,", 1300, 140),
            ("MIRA", 1410, 140),
            ("07/08/1941", 1300, 180),
            ("(82", 1430, 180),
            ("y)", 1470, 180),
            ("F", 1510, 180),
            ("Op", 1300, 220),
            ("No.", 1340, 220),
            ("K7730021", 1390, 220),
            ("Visit", 100, 300),
            ("Date:", 170, 300),
            ("04/05/2024", 240, 300),
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Fakeson"));
        assert_eq!(f.patient.dob.as_deref(), Some("1941-07-08"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        assert_eq!(f.patient.mrn.as_deref(), Some("K7730021"));
    }

    #[test]
    fn a_label_stuck_over_a_forms_captions_is_read_from_its_own_left_edge() {
        // The captions' first letters peek out left of the label ("Su", "Bi"), its border
        // read as a speck ("r;"); the label's consultant's role cut short ("Prof.").
        let p = page(&[
            ("SAMPLE", 100, 100),
            ("CLINIC", 190, 100),
            ("Su", 1260, 140),
            ("FAKESON,", 1300, 140),
            ("MIRA", 1410, 140),
            ("Bi", 1260, 180),
            ("07/08/1941", 1300, 180),
            ("F", 1440, 180),
            ("r;", 1270, 220),
            ("Q7730021", 1300, 220),
            ("Prof.", 1300, 260),
            ("Olu", 1370, 260),
            ("Notadoc", 1420, 260),
            ("MD", 1520, 260),
            ("Seen:", 100, 340),
            ("04/05/2024", 170, 340),
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Fakeson"));
        assert_eq!(f.patient.given.as_deref(), Some("Mira"));
        assert_eq!(f.patient.mrn.as_deref(), Some("Q7730021"));
        assert_eq!(f.patient.dob.as_deref(), Some("1941-07-08"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        assert_eq!(f.provider.given.as_deref(), Some("Olu"));
        assert_eq!(f.provider.family.as_deref(), Some("Notadoc"));
    }

    #[test]
    fn an_ehr_banners_large_name_over_the_patients_labelled_values() {
        // The banner's name three times the header's height, cut by OCR into pieces.
        let mut p = page(&[
            ("TESTPATI", 100, 60),
            ("ENT,", 206, 60),
            ("Bru", 300, 60),
            ("no", 344, 60),
            ("DOB:", 100, 160),
            ("12/26/1974", 160, 160),
            ("Sex:", 320, 160),
            ("Male", 380, 160),
            ("MRN:", 480, 160),
            ("053366051", 540, 160),
            ("PROGRESS", 100, 240),
            ("NOTE", 220, 240),
        ]);
        for (w, x, width) in [(0, 100, 96), (1, 206, 60), (2, 300, 38), (3, 344, 30)] {
            p.words[w].bbox = BBox { x, y: 40, w: width, h: 60 };
        }
        let f = extract(std::slice::from_ref(&p)).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.given.as_deref(), Some("Bruno"));
        // The same name in the header's own size is a line like any other: no banner.
        for w in &mut p.words[..4] {
            w.bbox.h = 20;
        }
        assert_eq!(extract(&[p]).fields.patient.family, None);
    }

    #[test]
    fn a_forms_identification_block_at_its_foot_with_the_sex_before_the_birth_date() {
        // Forty lines of the record, then the patient's identification the form asks for at
        // its foot: name, number, then sex and birth date in cells of their own.
        let mut words: Vec<(String, u32, u32)> = vec![("SAMPLE CLINIC".into(), 100, 60)];
        for n in 0..44 {
            words.push((format!("entry{n}"), 100, 100 + 30 * n));
        }
        let y = 100 + 30 * 46;
        words.extend([
            ("SAMPLEFAKE,".to_string(), 100, y),
            ("ROSA".into(), 250, y),
            ("Q7730021".into(), 100, y + 40),
            ("FEMALE".into(), 100, y + 80),
            ("07/08/1941".into(), 300, y + 80),
        ]);
        let words: Vec<(&str, u32, u32)> = words.iter().map(|(t, x, y)| (&**t, *x, *y)).collect();
        let f = extract(&[page(&words)]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Samplefake"));
        assert_eq!(f.patient.mrn.as_deref(), Some("Q7730021"));
        assert_eq!(f.patient.dob.as_deref(), Some("1941-07-08"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
    }

    #[test]
    fn a_plate_that_labels_its_identifiers_names_the_patient_above_an_insured() {
        let p = page(&[
            ("SAMPLE", 100, 100),
            ("CLINIC", 190, 100),
            ("DOE,", 1300, 100),
            ("JANE", 1370, 100),
            ("MRN", 1300, 140),
            ("41694582", 1360, 140),
            ("DOB", 1300, 180),
            ("09/19/52", 1360, 180),
            ("F", 1480, 180),
            ("PROGRESS", 100, 260),
            ("NOTE", 220, 260),
            ("Policyholder:", 100, 320),
            ("Pat", 270, 320),
            ("Doe", 320, 320),
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Doe"));
        assert_eq!(f.patient.given.as_deref(), Some("Jane"));
        assert_eq!(f.patient.mrn.as_deref(), Some("41694582"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
    }

    #[test]
    fn a_plates_sex_may_stand_in_a_cell_of_its_own_after_the_date() {
        let p = page(&[
            ("DOE", 1300, 100),
            ("JANE", 1360, 100),
            ("X7740021", 1300, 140),
            ("07/04/1976", 1300, 180),
            ("F", 1700, 180),
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.dob.as_deref(), Some("1976-07-04"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
    }

    #[test]
    fn a_letterhead_is_no_plate_and_two_clinicians_name_no_provider() {
        // A name, an address and a date stacked, but no identifier: nothing is read.
        let p = page(&[
            ("Alice", 100, 100),
            ("Testpatient", 170, 100),
            ("12", 100, 140),
            ("Example", 130, 140),
            ("Road", 230, 140),
            ("Testville", 100, 180),
            ("04/05/2024", 100, 220),
            ("DR", 1300, 100),
            ("ROBERT", 1340, 100),
            ("FAKEDOC", 1430, 100),
            ("SAMUEL", 1300, 300),
            ("MOCKWELL,", 1390, 300),
            ("MD", 1520, 300),
            ("Visit", 100, 400),
            ("Date:", 170, 400),
            ("04/05/2024", 240, 400),
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family, None);
        assert_eq!(f.patient.dob, None);
        assert_eq!(f.provider.family, None);
    }
}
