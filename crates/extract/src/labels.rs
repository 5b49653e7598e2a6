//! Label-driven reading of header fields: a header is a set of label → value pairs, found by
//! their layout and read by what their words mean ([`crate::vocab`]).
//!
//! A label is a short phrase before a colon (or what OCR made of one), a phrase standing alone
//! in a form's cell before a wide gap, or a phrase of label words before a value that shows it
//! is one ("MRN 00123456", "DOB 03/14/1961"). Values are found on the same line (several pairs
//! to a line, as in two- and three-column headers), under their label (in the label's column), in
//! form rows (a line of labels over a line of values), and wrapped to the next line; each value
//! is checked by its shape: a person's name, an identifier, a date, an NPI with its check digit,
//! a sex. Several candidates for one field are ranked (a visit date beats a signature date).

use crate::dates::{self, Date};
use crate::layout::{split_tokens, Line, Token};
use crate::names::{self, person_name, single_name};
use crate::vocab::{self, Key};
use crate::{npi_is_valid, Extraction};
use chartdex_core::BBox;

/// One label found on a line.
#[derive(Debug, Clone, Copy)]
struct Found {
    key: Key,
    /// The label counts without a colon when its value validates.
    bare_ok: bool,
    /// A colon (or what OCR made of one) follows it, or a form's wide gap.
    punct: bool,
    /// A colon follows it.
    colon: bool,
    /// Where the label's region starts (a form cell's first word) and its words end.
    start: usize,
    end: usize,
    value_start: usize,
    /// How many words the label has.
    words: usize,
    /// Its words are label words chartdex knows (not a colon after an unknown word).
    known: bool,
    /// Without its colon, it counts only if its value is all there is up to the next label.
    whole_value: bool,
    /// Its words say whose value it is ([`vocab::qualified`]); else a form's section does.
    qualified: bool,
    /// Its words are a number's alone ("ID #:", "No."): of whom, the section says.
    number: bool,
}

/// A word of a line as labels are looked for: a token, or the label part of one that runs
/// into its value ("Name:Alice").
#[derive(Debug, Clone, Copy)]
struct Word<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    bbox: Option<BBox>,
}

impl Word<'_> {
    /// The word without the colon that ends a label, if one does ("DOB:" → "DOB"; "!" for ":"
    /// only after a label word: "Patient!").
    fn label_part(&self) -> Option<&str> {
        let t = self.text;
        let body = t.trim_end_matches([':', ';']);
        // A semicolon after a word no label uses ends a value ("Testpatient, Alice; MRN: …"),
        // as pairs are listed; after a label word it is a colon OCR misread.
        if t.ends_with(';') && !t.ends_with(":;") && !vocab::is_label_word_near(body) {
            return None;
        }
        if body.len() < t.len() {
            let body = body.trim_end_matches(['.', ',']);
            return body.chars().any(|c| c.is_alphabetic() || c == '#').then_some(body);
        }
        let body = t.strip_suffix('!')?;
        vocab::is_label_word(body).then_some(body)
    }
}

/// The words of a line, with labels run into their values split off at the colon.
fn label_words<'a>(line: &Line<'a>) -> Vec<Word<'a>> {
    let text = line.text;
    let mut out = Vec::with_capacity(line.tokens.len());
    for t in &line.tokens {
        let s = &text[t.start..t.end];
        // "Name:Alice", "D.O.B.:1990-12-08": letters (or '#') before the colon, no digit.
        let split = s.find([':', ';']).filter(|_| !vocab::is_dob(s)).filter(|&c| {
            let (head, tail) = (&s[..c], &s[c + 1..]);
            !tail.trim_start_matches([':', ';']).is_empty()
                && head.chars().any(|ch| ch.is_alphabetic() || ch == '#')
                && !head.chars().any(|ch| ch.is_ascii_digit())
        });
        // "family.,SHX:": a label run onto the sentence before it; the label starts after the
        // comma.
        let comma = s
            .find([':', ';'])
            .and_then(|c| s[..c].rfind(',').filter(|&k| k > 0 && k + 1 < c))
            .filter(|_| !vocab::is_dob(s));
        if let Some(k) = comma {
            out.push(Word { start: t.start, end: t.start + k + 1, text: &s[..=k], bbox: t.bbox });
            let rest = Token { start: t.start + k + 1, ..t.clone() };
            out.extend(label_words(&Line {
                page: line.page,
                text,
                tokens: vec![rest],
                space: line.space,
            }));
            continue;
        }
        // "Date(MM/DD/YYYY)": an explanation run onto its label's last word.
        if let Some(p) = s.find('(').filter(|&p| {
            p > 0 && s[..p].chars().all(char::is_alphabetic) && split.is_none_or(|c| c > p)
        }) {
            out.push(Word { start: t.start, end: t.start + p, text: &s[..p], bbox: t.bbox });
            out.push(Word { start: t.start + p, end: t.end, text: &s[p..], bbox: t.bbox });
            continue;
        }
        match split {
            Some(c) => {
                let colon_end =
                    c + 1 + s[c + 1..].len() - s[c + 1..].trim_start_matches([':', ';']).len();
                out.push(Word {
                    start: t.start,
                    end: t.start + colon_end,
                    text: &s[..colon_end],
                    bbox: t.bbox,
                });
                out.push(Word {
                    start: t.start + colon_end,
                    end: t.end,
                    text: &s[colon_end..],
                    bbox: t.bbox,
                });
            }
            None => out.push(Word { start: t.start, end: t.end, text: s, bbox: t.bbox }),
        }
    }
    // Semicolons that part a list ("Insulin glargine; 20 units; subcutaneous; at bedtime")
    // are no colons OCR misread: a line with two of them ends no label with one.
    let listed = |w: &Word<'_>| w.text.ends_with(';') && !w.text.ends_with(":;");
    if out.iter().filter(|w| listed(w)).count() >= 2 {
        for w in out.iter_mut().filter(|w| listed(w)) {
            w.text = w.text.trim_end_matches(';');
            w.end = w.start + w.text.len();
        }
    }
    out
}

/// True if a wide gap stands before word `i`: more than the height of the line's words (a form's
/// cells, a label and its tabbed value), or two spaces in text without boxes.
fn gap_before(words: &[Word<'_>], i: usize, height: Option<u32>, line: &Line<'_>) -> bool {
    gap_wider(words, i, height, line, 0.9)
}

/// True if the gap before word `i` is wider than `heights` times the line's word height, and
/// than two and a half of the page's word spaces (a monospaced font's space is a letter wide);
/// without boxes, two spaces.
fn gap_wider(
    words: &[Word<'_>],
    i: usize,
    height: Option<u32>,
    line: &Line<'_>,
    heights: f32,
) -> bool {
    let text = line.text;
    let heights = heights.max(2.5 * line.space);
    if i == 0 || i >= words.len() {
        return false;
    }
    let (a, b) = (&words[i - 1], &words[i]);
    match (a.bbox, b.bbox, height) {
        // Words split at a colon share one box.
        (Some(x), Some(y), _) if x == y => false,
        (Some(x), Some(y), Some(h)) => {
            y.x.saturating_sub(x.x + x.w) as f32 > (h as f32 * heights).max(8.0)
        }
        _ => text.get(a.end..b.start).is_some_and(|s| s.len() >= 2),
    }
}

/// The labels of a line, in order: labels before their colon, read back over the label words
/// before it as far as they make one label ("Medical Record Number:", not "ALICE Q Medical
/// Record Number:"), a colon after a word no label uses counting as a label of something else;
/// and runs of label words without a colon, cut where one label ends and the next begins
/// ("Patient Name MRN DOB" is three), counting as labels by layout when a form's wide gap
/// follows them at the start of a cell.
fn find_labels(line: &Line<'_>) -> Vec<Found> {
    let words = label_words(line);
    let n = words.len();
    let mut heights: Vec<u32> = words.iter().filter_map(|w| w.bbox.map(|b| b.h)).collect();
    heights.sort_unstable();
    let height = heights.get(heights.len() / 2).copied();
    let gap = |i: usize| gap_before(&words, i, height, line);
    // A label's own words stand closer than this, however widely a form spaces them.
    let column_gap = |i: usize| gap_wider(&words, i, height, line, 2.5);
    // (Or the first half of one written apart: "Card Holder".)
    let is_word = |i: usize| {
        vocab::is_label_word(words[i].text)
            || words.get(i + 1).is_some_and(|next| vocab::one_word(words[i].text, next.text))
    };
    let mut found = Vec::new();
    let mut claimed = vec![false; n];
    let mut from = 0;
    let mut k = 0;
    while k < n {
        // A colon ends the word, or stands alone after it ("Name : Alice").
        let lone_colon =
            words.get(k + 1).is_some_and(|w| w.text.trim_matches([':', ';']).is_empty());
        let (label, value_at) = match words[k].label_part() {
            Some(l) => (l, k + 1),
            None if lone_colon && words[k].text.chars().any(char::is_alphabetic) => {
                (words[k].text, k + 2)
            }
            None => {
                k += 1;
                continue;
            }
        };
        // An explanation before the colon ("Date of Birth (MM/DD/YYYY):", "Sex (M/F):",
        // "Patient (Last, First):"): the label's words are those before it.
        let (mut head, mut label) = (k, label);
        // Or a date's format ("Date of Birth MM/DD/YY:", "DOB MM DD YYYY:").
        while head > from && head + 3 > k && is_format_hint(label) {
            head -= 1;
            label = words[head].text;
        }
        if label.ends_with(')') {
            let open = (from..=k).rev().take(8).find(|&o| words[o].text.starts_with('('));
            if let Some(o) = open.filter(|&o| o > from && !column_gap(o)) {
                (head, label) = (o - 1, words[o - 1].text);
            }
        } else if let Some(o) = (from + 1..=k)
            .rev()
            .take(6)
            .find(|&o| words[o].text.starts_with('('))
            .filter(|_| crate::names::is_credential(label))
        {
            // An explanation whose closing parenthesis OCR lost, its last word read as a
            // credential ("NAME (LAST, FIRST MD:" for "… MI):"): the label's words are those
            // before it; no colon follows a credential.
            if !words[o..=k].iter().any(|w| w.text.contains(')')) && !column_gap(o) {
                (head, label) = (o - 1, words[o - 1].text);
            }
        }
        // Back over the label words before it, while they make one label with it.
        let mut j = head;
        if vocab::is_label_word_near(label) {
            loop {
                while j > from
                    && head - j < 5
                    && (vocab::is_label_word_near(words[j - 1].text)
                        || vocab::is_ocr_mrn(words[j - 1].text, words[j].text)
                        || vocab::one_word(words[j - 1].text, words[j].text))
                    && !column_gap(j)
                    && vocab::coherent(&phrase(&words, j - 1, head, Some(label)))
                {
                    j -= 1;
                }
                // Two wordings parted by a slash standing alone: "DOB / Age:", "Date of
                // Birth / Age:".
                let slash = j >= from + 2
                    && head - j < 5
                    && words[j - 1].text == "/"
                    && vocab::is_label_word_near(words[j - 2].text)
                    && !column_gap(j)
                    && !column_gap(j - 1)
                    && vocab::coherent(&phrase(&words, j - 2, head, Some(label)));
                if !slash {
                    break;
                }
                j -= 2;
            }
        } else if head >= from + 2
            && words[head - 1].text.eq_ignore_ascii_case("of")
            && vocab::says_date(words[head - 2].text)
            && !column_gap(head - 1)
            && !column_gap(head)
            && label.chars().all(char::is_alphabetic)
        {
            // "Date of" a word the vocabulary lacks ("Date of Dialysis:"): a date of something,
            // at least a guess at the visit's.
            j = head - 2;
        } else if head >= from + 2
            && ["in", "on", "of"].iter().any(|p| words[head - 1].text.eq_ignore_ascii_case(p))
            && matches!(vocab::classify(words[head - 2].text), Some(Key::Provider(_)))
            && !column_gap(head - 1)
            && !column_gap(head)
            && label.chars().all(char::is_alphabetic)
        {
            // A clinician "in" or "on" something the vocabulary lacks ("Practitioner in
            // Charge:", "Doctor on Call:", its last word misread): the clinician.
            j = head - 2;
        }
        // A name's two parts in one label, a comma between them ("Last Name, First Name:",
        // "Surname, Forename(s):"): the patient's whole name, in the order the label says.
        if j > from && words[j - 1].text.ends_with(',') {
            let part = |a: usize, b: usize, last: Option<&str>| {
                vocab::classify(&phrase(&words, a, b, last).join(" "))
                    .filter(|k| matches!(k, Key::Family(_) | Key::Given(_)))
            };
            let here = part(j, head, Some(label));
            let first = (from.max(j.saturating_sub(3))..j).find(|&b| part(b, j, None).is_some());
            if let (Some(b), Some(_)) = (first, here) {
                if part(b, j, None) != here {
                    j = b;
                }
            }
        }
        // (An NPI's type before it: "Type 1 NPI:".)
        if j >= from + 2 && vocab::npi_type(&[words[j - 2].text, words[j - 1].text]) {
            j -= 2;
        }
        // In a form's cell, the label's region starts at the cell: unknown words there are
        // not the value before it.
        // (Not words that end in a comma: a value's, "Jane Testpatient female, DoB: …".)
        let cell = (from + 1..=j)
            .rev()
            .find(|&g| gap(g))
            .filter(|&g| j - g <= 3 && !words[g..j].iter().any(|w| w.text.ends_with(',')));
        let start = cell.unwrap_or(j);
        let text = phrase(&words, j, head, Some(label)).join(" ");
        let known = vocab::classify_near(&text);
        let key = known.unwrap_or(Key::Other);
        let value_start = words.get(value_at).map_or(line.text.len(), |w| w.start);
        found.push(Found {
            key,
            bare_ok: key.bare_ok(),
            punct: true,
            colon: true,
            start: words[start].start,
            end: words[value_at - 1].end,
            value_start,
            words: k - j + 1,
            known: known.is_some(),
            whole_value: false,
            qualified: vocab::qualified(&text),
            number: vocab::only_number(&text),
        });
        claimed[start..value_at.min(n)].iter_mut().for_each(|c| *c = true);
        from = value_at;
        k = value_at;
    }
    // A row of five or more single words each in its own cell (a program's menu bar or tabs,
    // "File   Edit   View   Patient   Fees   Reports", a table's column headings) holds no
    // value after a label: each cell is one word.
    let cells_of_one_word = n >= 5
        && found.is_empty()
        && words.iter().all(|w| w.text.chars().all(char::is_alphabetic))
        && (1..n).all(gap);
    if cells_of_one_word {
        return found;
    }
    // Runs of label words without a colon, cut into labels.
    let opens_explanation = |k: usize| words[k].text.starts_with('(');
    let mut i = 0;
    while i < n {
        // An explanation after a label ("PATIENT'S NAME (Last Name, First Name)", "DOB
        // (mm/dd/yyyy)") is part of it, not labels of its own.
        if !claimed[i] && opens_explanation(i) {
            let close = (i..n.min(i + 8)).find(|&c| words[c].text.ends_with(')'));
            let after_label =
                found.last().is_some_and(|f: &Found| i > 0 && f.end == words[i - 1].end);
            if let (Some(c), true) = (close, after_label) {
                if let Some(f) = found.last_mut() {
                    f.end = words[c].end;
                    f.value_start = words.get(c + 1).map_or(line.text.len(), |w| w.start);
                }
                claimed[i..=c].iter_mut().for_each(|x| *x = true);
                i = c + 1;
                continue;
            }
        }
        if claimed[i] || !is_word(i) {
            i += 1;
            continue;
        }
        let mut e = i;
        // (An NPI's type is part of its label: "TYPE 2 NPI".)
        if i + 2 < n && !claimed[i + 1] && vocab::npi_type(&[words[i].text, words[i + 1].text]) {
            e = i + 1;
        }
        loop {
            while e + 1 < n
                && e - i < 5
                && !claimed[e + 1]
                && !opens_explanation(e + 1)
                && is_word(e + 1)
                && !gap(e + 1)
                && vocab::coherent(&phrase(&words, i, e + 2, None))
            {
                e += 1;
            }
            // (Two wordings parted by a slash standing alone: "DOB / Age (yrs)".)
            let slash = e + 2 < n
                && e - i < 4
                && words[e + 1].text == "/"
                && !claimed[e + 1]
                && !claimed[e + 2]
                && is_word(e + 2)
                && !gap(e + 1)
                && !gap(e + 2)
                && vocab::coherent(&phrase(&words, i, e + 3, None));
            if !slash {
                break;
            }
            e += 2;
        }
        // A credential after a name ("Linda Nodoctor MD") is the name's, not a label.
        if e == i && i > 0 && crate::names::is_credential(words[i].text) && !gap(i) {
            i += 1;
            continue;
        }
        let text = phrase(&words, i, e + 1, None).join(" ");
        // An explanation or a date's format printed after it ("Patient Name (Last, First,
        // MI)", "Birth Date (MM DD YYYY)", "Date of Birth MM/DD/YY") is part of the label: the
        // value starts after it, and a form's gap is looked for after it.
        let explained = explanation_end(&words, e + 1, &claimed);
        let e_label = explained.unwrap_or(e);
        // (A subject line's "RE" names the patient only before its colon.)
        let key =
            vocab::classify(&text).map(|k| if vocab::regarding(&text) { Key::Other } else { k });
        if let Some(key) = key {
            // At the start of a cell and followed by a form's wide gap (a tab stop, a cell's
            // border: one and a half word heights, more than any word space): a label by the
            // form's layout, if it names a field alone. A word or two the vocabulary lacks may
            // open the cell ("DICTATING PHYSICIAN"): the label's region starts there.
            let opening = (0..i).rev().find(|&g| g == 0 || gap(g) || claimed[g - 1]);
            // (Not the value after a label's colon: "Attending Doctor: Owen Shamfield MD".)
            let opening = opening.filter(|&g| g == 0 || !claimed[g - 1]);
            // (Nor the value of the label before, past its form's gap: "Pt Last Name
            // Fauxberg    Pt First Name Carmen"; unless a label word is among them, as in a
            // row of captions: "Name of Patient   Hospital Nuniber   Patient's Birth Date".)
            let value_before = |g: usize| {
                let value = &line.text[words[g].start..words[i - 1].end];
                found.iter().any(|f: &Found| {
                    f.value_start == words[g].start && f.punct && plausible(f.key, value)
                }) && !words[g..i].iter().any(|w| vocab::is_label_word_near(w.text))
            };
            // (A label after a form's gap opens its cell itself: "SURNAME    FORENAME(S)".)
            let lead = opening.filter(|&g| {
                i - g <= 2
                    && !gap(i)
                    && !claimed[g]
                    && !value_before(g)
                    && words[g..i].iter().all(|w| w.text.chars().all(char::is_alphabetic))
            });
            // A rule ("|") or a leader ("........", "____") between cells counts as their gap.
            let ruled = |k: usize| is_separator(words[k].text);
            let opens = i == 0 || gap(i) || (i > 0 && (claimed[i - 1] || ruled(i - 1)));
            let cell = opens || lead.is_some();
            // (Or a narrower gap before a value in larger print than its caption of two words
            // or more, as a form's entries are filled in: "Client's Full Name  Carmen
            // Fakename".)
            let resized = |k: usize| {
                let caption: Option<Vec<u32>> =
                    words[i..k].iter().map(|w| w.bbox.map(|b| b.h)).collect();
                match (caption, words[k - 1].bbox, words[k].bbox) {
                    (Some(mut hs), Some(a), Some(b)) if hs.len() >= 2 => {
                        hs.sort_unstable();
                        let usual = hs[hs.len() / 2].max(1) as f32;
                        b.h as f32 >= 1.3 * usual && b.x.saturating_sub(a.x + a.w) as f32 > usual
                    }
                    _ => false,
                }
            };
            let tab = e_label + 1 < n
                && (gap_wider(&words, e_label + 1, height, line, 1.5)
                    || ruled(e_label + 1)
                    || resized(e_label + 1));
            // (Not a place: "RIVERBEND FAMILY PRACTICE    PROGRESS NOTE" is a letterhead.)
            // (An explanation of the value's form says a value follows, as a colon would:
            // "Patient Name (Last, First, MI) NOTREAL, KALINA".)
            let explains = explained.is_some() && e_label + 1 < n;
            let punct = cell
                && (tab || explains)
                && key != Key::Facility
                && (e > i || explains || vocab::stands_alone(words[i].text));
            let start = if punct { lead.unwrap_or(i) } else { i };
            // An event without a date word counts bare only where a label stands, opening a
            // cell whose value is the date alone: "seen on 03/02/2024 for" in a sentence is the
            // story, not the header.
            let dated = words[i..=e].iter().any(|w| vocab::says_date(w.text));
            let event_only = matches!(key, Key::Dos(_)) && !dated;
            let bare_ok = key.bare_ok() && (!event_only || opens);
            found.push(Found {
                key,
                bare_ok,
                punct,
                colon: false,
                start: words[start].start,
                end: words[e_label].end,
                value_start: words.get(e_label + 1).map_or(line.text.len(), |w| w.start),
                words: e - i + 1,
                known: true,
                whole_value: event_only,
                qualified: vocab::qualified(&text),
                number: vocab::only_number(&text),
            });
        }
        i = if vocab::classify(&text).is_some() { e_label + 1 } else { e + 1 };
    }
    found.sort_by_key(|f| f.start);
    split_composites(line.text, found)
}

/// A label of several fields joined by slashes over a value holding them in the same order
/// ("DOB/Age: 03/04/1950 (74 y)", "Name/MRN: DOE, JANE / 1234567"): a label per part, over
/// its part of the value. One whose value does not come apart so stays as it is.
fn split_composites(text: &str, found: Vec<Found>) -> Vec<Found> {
    let mut out = Vec::with_capacity(found.len());
    for (i, f) in found.iter().enumerate() {
        let end = found.get(i + 1).map_or(text.len(), |g| g.start);
        // (Only before a colon and its value: a caption's entries are read under it.)
        let parts = vocab::composite(&text[f.start..f.end]).filter(|_| f.colon);
        let pieces = parts.as_ref().and_then(|p| composite_values(p, text, f.value_start, end));
        let (Some(parts), Some(pieces)) = (parts, pieces) else {
            out.push(*f);
            continue;
        };
        let mut from = f.start;
        for (part, (ps, pe)) in parts.iter().zip(pieces) {
            let key = match part {
                vocab::Part::Field(k) => *k,
                _ => Key::Other,
            };
            out.push(Found {
                key,
                bare_ok: key.bare_ok(),
                start: from,
                end: if from == f.start { f.end } else { ps },
                value_start: ps,
                ..*f
            });
            from = pe;
        }
    }
    out
}

/// Where each part's value is in `text[vs..ve]`: cut at the slashes or bars between them
/// when there are as many pieces as parts and each reads as its part's value, else read in
/// order by what each value looks like (a date, a sex, an age, an identifier; a name up to
/// what the part after it reads as).
fn composite_values(
    parts: &[vocab::Part],
    text: &str,
    vs: usize,
    ve: usize,
) -> Option<Vec<(usize, usize)>> {
    use vocab::Part;
    let value = text.get(vs..ve)?;
    // A slash or a bar between pieces, not one inside a date ("03/04/1950").
    let b = value.as_bytes();
    let cuts: Vec<usize> = (0..b.len())
        .filter(|&k| {
            // (A semicolon is how OCR reads a slash at times.)
            (b[k] == b'/' || b[k] == b'|' || b[k] == b';')
                && !(k > 0
                    && b[k - 1].is_ascii_digit()
                    && b.get(k + 1).is_some_and(u8::is_ascii_digit))
        })
        .collect();
    let fits = |part: &Part, piece: &str| match part {
        Part::Field(k) => plausible(*k, piece),
        Part::Age => is_age(piece),
        Part::Other => !piece.trim().is_empty(),
    };
    // The value cut at its slashes, read as the first parts (all of them, or the first few
    // when the rest are not there or wrapped to the next line: "MRN/FIN: 009916804").
    let cut = |parts: &[Part]| -> Option<Vec<(usize, usize)>> {
        let parts = parts.get(..cuts.len() + 1)?;
        let bounds: Vec<(usize, usize)> = std::iter::once(0)
            .chain(cuts.iter().map(|c| c + 1))
            .zip(cuts.iter().copied().chain(std::iter::once(value.len())))
            .map(|(s, e)| trimmed(text, vs + s, vs + e))
            .collect();
        parts
            .iter()
            .zip(&bounds)
            .all(|(p, &(s, e))| s < e && fits(p, &text[s..e]))
            .then_some(bounds)
    };
    if cuts.len() + 1 == parts.len() {
        if let Some(bounds) = cut(parts) {
            return Some(bounds);
        }
    }
    if parts.contains(&Part::Other) {
        return cut(parts);
    }
    by_shape(parts, text, vs, ve, &cuts).or_else(|| cut(parts))
}

/// The parts' values read in order by their shapes (see [`composite_values`]).
fn by_shape(
    parts: &[vocab::Part],
    text: &str,
    vs: usize,
    ve: usize,
    cuts: &[usize],
) -> Option<Vec<(usize, usize)>> {
    use vocab::Part;
    let value = text.get(vs..ve)?;
    // In order, by shape: tokens (a slash between letters cut too: "74Y/F").
    let tokens: Vec<(usize, usize)> = split_tokens(value)
        .flat_map(|(at, t)| {
            let mut pieces = Vec::new();
            let mut s = 0;
            for &c in cuts.iter().filter(|&&c| c >= at && c < at + t.len()) {
                pieces.push((vs + at + s, vs + c));
                s = c - at + 1;
            }
            pieces.push((vs + at + s, vs + at + t.len()));
            pieces.into_iter().filter(|(s, e)| s < e)
        })
        .collect();
    let takes = |part: &Part, from: usize| -> Option<usize> {
        let rest = &text[tokens.get(from)?.0..ve];
        match part {
            Part::Field(Key::Dob | Key::Dos(_)) => leading_date(rest).map(|(_, n)| n),
            Part::Field(Key::Sex) => sex(&text[tokens[from].0..tokens[from].1]).map(|_| 1),
            Part::Field(Key::Mrn(_) | Key::Npi(_) | Key::ProviderId(_)) => {
                identifier(&text[tokens[from].0..tokens[from].1]).map(|_| 1)
            }
            Part::Age => {
                let one = &text[tokens[from].0..tokens[from].1];
                let two = tokens.get(from + 1).map(|t| &text[tokens[from].0..t.1]);
                if two.is_some_and(is_age) {
                    Some(2)
                } else {
                    is_age(one).then_some(1)
                }
            }
            _ => None,
        }
    };
    let mut out = Vec::with_capacity(parts.len());
    let mut at = 0;
    for (i, part) in parts.iter().enumerate() {
        let n = match part {
            Part::Field(k) if k.is_name() => {
                // A name runs up to what the next part reads as, or to the end.
                let stop = match parts.get(i + 1) {
                    Some(next) => (at + 1..tokens.len()).find(|&t| takes(next, t).is_some())?,
                    None => tokens.len(),
                };
                let (s, e) = (tokens[at].0, tokens[stop - 1].1);
                person_name(&text[s..e])?;
                stop - at
            }
            _ => takes(part, at)?,
        };
        let (s, e) = (tokens[at].0, tokens[at + n - 1].1);
        out.push(trimmed(text, s, e));
        at += n;
    }
    Some(out)
}

/// A person's age at the start of `text`, as charts print it ("74", "74 y", "74Y", "(74 yrs)",
/// "74 y/o", "3 mo"): the number, whether it counts years (`None` without a unit), and where
/// it ends in `text`.
pub(crate) fn leading_age(text: &str) -> Option<(i64, Option<bool>, usize)> {
    const UNITS: &[(&str, bool)] = &[
        ("years", true),
        ("year", true),
        ("yrs", true),
        ("yr", true),
        ("y/o", true),
        ("yo", true),
        ("y", true),
        ("months", false),
        ("mos", false),
        ("mo", false),
        ("m", false),
        ("days", false),
        ("d", false),
        ("wks", false),
        ("wk", false),
        ("w", false),
    ];
    let start = text.len() - text.trim_start_matches(|c: char| c == '(' || c.is_whitespace()).len();
    let digits = text[start..].bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=3).contains(&digits) {
        return None;
    }
    let n = text[start..start + digits].parse().ok()?;
    let after = &text[start + digits..];
    let gap = after.len() - after.trim_start().len();
    let rest = after.trim_start();
    let unit = UNITS.iter().find(|(u, _)| {
        rest.get(..u.len()).is_some_and(|r| r.eq_ignore_ascii_case(u))
            && !rest[u.len()..].starts_with(|c: char| c.is_alphanumeric())
    });
    let mut end = start + digits + unit.map_or(0, |(u, _)| gap + u.len());
    end += text[end..].len() - text[end..].trim_start_matches(['.', ')']).len();
    Some((n, unit.map(|(_, years)| *years), end))
}

/// True if `value` is an age and nothing else ("74", "(74 yrs)", "3 mo").
fn is_age(value: &str) -> bool {
    leading_age(value).is_some_and(|(_, _, end)| value[end..].trim().is_empty())
}

/// Where an explanation in parentheses (at most eight words) or a date's format hint (up to
/// three words: "MM DD YYYY") that starts at word `at` ends, if one does.
fn explanation_end(words: &[Word<'_>], at: usize, claimed: &[bool]) -> Option<usize> {
    let first = words.get(at).filter(|_| !claimed[at])?;
    if first.text.starts_with('(') {
        return (at..words.len().min(at + 8))
            .take_while(|&c| !claimed[c])
            .find(|&c| words[c].text.ends_with(')'));
    }
    let hints = (at..words.len().min(at + 3))
        .take_while(|&c| !claimed[c] && is_format_hint(words[c].text))
        .count();
    (hints > 0).then(|| at + hints - 1)
}

/// The texts of words `from..to`, then `last` (a label word without its colon).
fn phrase<'a>(words: &[Word<'a>], from: usize, to: usize, last: Option<&'a str>) -> Vec<&'a str> {
    words[from..to].iter().map(|w| w.text).chain(last).collect()
}

/// A rule or a leader between a form's cells: "|", "........", "____", "-----".
fn is_separator(word: &str) -> bool {
    let marks = |c: char| ".…_-—–|·".contains(c);
    word == "|" || (word.chars().count() >= 3 && word.chars().all(marks)) || leader_remnant(word)
}

/// What OCR left of a dot leader that it read as dots and letters ("....seeeeeee",
/// ".......0.0..00c"): a word opening with three dots, or one whose dots are half of it.
fn leader_remnant(word: &str) -> bool {
    let dots = word.chars().filter(|&c| c == '.' || c == '…').count();
    word.starts_with("...") && word.len() > 3 || (word.len() >= 4 && dots * 2 >= word.len())
}

/// The labels of a line of text without boxes.
#[cfg(test)]
fn find_labels_in(text: &str) -> Vec<Found> {
    let tokens = split_tokens(text)
        .map(|(start, t)| Token {
            start,
            end: start + t.len(),
            bbox: None,
            page_box: None,
            confidence: 1.0,
        })
        .collect();
    find_labels(&Line { page: 0, text, tokens, space: 0.0 })
}

/// What reading remembers from line to line and page to page: the rank of the label each
/// ranked field came from (lower wins; `u8::MAX` while the field is empty).
#[derive(Debug)]
pub(crate) struct State {
    dos_priority: u8,
    patient_rank: u8,
    mrn_rank: u8,
    provider_rank: u8,
    npi_rank: u8,
    /// The form's sections the lines are in, from its last row of headings: each heading's
    /// left edge and whose its labels are (a form in columns heads them side by side:
    /// "PATIENT INFORMATION      EMERGENCY CONTACT").
    sections: Vec<(u32, Option<vocab::Section>)>,
    /// The rank of the clinician the row before named, if it named one.
    row_provider: Option<u8>,
    /// The row before labelled a clinician with no name after the label: a form's box whose
    /// name is in "Last" and "First" boxes under it (UB-04's "76 ATTENDING … LAST … FIRST").
    nameless_provider: Option<u8>,
    /// The label of the value being read says the family name comes first ("Name (Last,
    /// First)"), so a name without its comma ("NOTREAL DMITRI") is read that way.
    family_first: bool,
    /// The lines are a fax's cover sheet, up to the title of the document under it: its
    /// dates are the fax's (sent), not the visit's.
    in_cover: bool,
    /// How the patient's name was read so far: the family name from a label of its own, or
    /// one word under a label of the whole name (which may be either part).
    name_parts: NameParts,
}

/// How the patient's name was read, for telling what a later label's one word is.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum NameParts {
    #[default]
    Other,
    /// The family name, from its own label ("Surname of Patient").
    FamilyAlone,
    /// One word under a label of the whole name ("Full Names of Patient: Carmen").
    OneWord,
}

impl Default for State {
    fn default() -> Self {
        State {
            dos_priority: u8::MAX,
            patient_rank: u8::MAX,
            mrn_rank: u8::MAX,
            provider_rank: u8::MAX,
            npi_rank: u8::MAX,
            sections: Vec::new(),
            row_provider: None,
            nameless_provider: None,
            family_first: false,
            in_cover: false,
            name_parts: NameParts::Other,
        }
    }
}

/// Reads the labelled values of a page's lines into `out`, keeping values already found.
pub(crate) fn read_lines(lines: &[Line<'_>], out: &mut Extraction, state: &mut State) {
    state.sections.clear();
    state.row_provider = None;
    state.nameless_provider = None;
    state.in_cover = false;
    for (n, line) in lines.iter().enumerate() {
        if crate::doctype::fax_cover(line.text) {
            state.in_cover = true;
        } else if state.in_cover && crate::doctype::titles_a_document(line.text) {
            state.in_cover = false;
        }
        let next = lines[n + 1..].iter().find(|l| !l.text.trim().is_empty());
        let adjacent = lines.get(n + 1).is_some_and(|l| !l.text.trim().is_empty());
        let mut found = find_labels(line);
        if values_before_labels(line, &found, out, state) {
            continue;
        }
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
        // The generic labels of a form's section are the section's person's; a row opening with
        // a label that says whose it is ends the section.
        // (With sections side by side, the section of its column; and not a label that agrees
        // with it: "Pt Last Name:" under PATIENT INFORMATION.)
        if let Some(f) = found.first().filter(|f| f.qualified && f.known) {
            if let Some(i) = section_at(&state.sections, line, f.start) {
                if !agrees(state.sections[i].1, f.key) {
                    state.sections[i].1 = None;
                }
            }
        }
        if state.in_cover {
            for f in found.iter_mut().filter(|f| matches!(f.key, Key::Dos(_))) {
                f.key = Key::Dos(6);
            }
        }
        for f in found.iter_mut().filter(|f| !f.qualified) {
            let section = section_at(&state.sections, line, f.start);
            f.key = in_section(f.key, f.number, section.and_then(|i| state.sections[i].1));
            f.bare_ok = f.bare_ok && f.key.bare_ok();
        }
        labels_after(line, out, state);
        let row_provider = state.row_provider.take();
        if let Some(r) = state.nameless_provider.take() {
            provider_in_parts(line, &mut found, r, out, state);
        }
        if found.is_empty() {
            continue;
        }
        // The line under this one on the page: the next in the text, unless the page segmenter
        // put another block's line there.
        let under = line_under(lines, n);
        // A section's heading ("GUARANTOR", "PATIENT INFORMATION") over its own labels.
        if let Some(heads) = headings(line) {
            if under.is_none_or(has_colon_label) || !is_caption_row(line, &found) {
                state.sections = heads;
                continue;
            }
        }
        let above = line_above(lines, n);
        // Captions with sub-captions under them ("3. DATE OF BIRTH" over "MM DD YYYY SEX"),
        // then the entries: the two rows of captions as one, over the entries.
        if let Some((sub, entries)) = sub_captions(lines, n, &found) {
            let (text, tokens) = joined(line, 0, line.text.len(), sub, 0, sub.text.len());
            let captions = Line { page: line.page, text: &text, tokens, space: line.space };
            let mut all = find_labels(&captions);
            all.sort_by_key(|f| captions.x_at(f.start));
            if read_label_row(&captions, &all, Some(entries), None, out, state) {
                continue;
            }
        }
        let captions = caption_row(line, &found, [under, above]);
        let row = is_caption_row(line, &found);
        if row || captions.contains(&true) {
            // (A row of small captions, only of entries printed larger.)
            let side = |i: usize| row || captions[i];
            let under = under.filter(|u| side(0) && !has_colon_label(u));
            let above = above.filter(|a| side(1) && !has_colon_label(a));
            if (under.is_some() || above.is_some())
                && read_label_row(line, &found, under, above, out, state)
            {
                continue;
            }
        }
        // An NPI without a role of its own is the clinician's its row (or the row above) names:
        // "Referring Physician: … NPI: …".
        let mut provider = row_provider;
        for f in found.iter_mut() {
            match f.key {
                Key::Provider(r) => provider = Some(r),
                Key::Npi(_) | Key::ProviderId(_) if !f.qualified => {
                    if let Some(r) = provider {
                        f.key = if matches!(f.key, Key::Npi(_)) {
                            Key::Npi(r)
                        } else {
                            Key::ProviderId(r)
                        };
                    }
                }
                _ => {}
            }
        }
        state.row_provider =
            found
                .iter()
                .rev()
                .find_map(|f| if let Key::Provider(r) = f.key { Some(r) } else { None });
        state.nameless_provider = found.iter().enumerate().find_map(|(i, f)| match f.key {
            Key::Provider(r) => {
                let end = found.get(i + 1).map_or(line.text.len(), |g| g.start);
                let (vs, ve) = trimmed(line.text, f.value_start, end);
                // (Nothing after it that reads as a whole name: "NPINUMBER 1849957538".)
                let named = person_name(&line.text[vs..ve]).is_some_and(|(g, _)| g.is_some());
                (!named).then_some(r)
            }
            _ => None,
        });
        // Bare labels count only where their value validates; the others need their colon.
        let accepted: Vec<Found> = found
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                if f.punct {
                    return true;
                }
                let end = found.get(i + 1).map_or(line.text.len(), |g| g.start);
                let end = pair_end(line.text, f.value_start, end);
                let value = line.text.get(f.value_start..end).unwrap_or("");
                // A clinician's role opening the line, over a clinician's name and nothing
                // else: "Clinician Ann Fakedoc, MD".
                if matches!(f.key, Key::Provider(_))
                    && codes_before(line, f.start).is_some()
                    && names::clinician(value)
                {
                    return true;
                }
                // A clinician's label over an NPI alone, its check digit holding: the
                // clinician's NPI ("11. Rendering Provider 2854677574").
                if matches!(f.key, Key::Provider(_))
                    && lone_identifier(value)
                    && npi(value).is_some()
                {
                    return true;
                }
                // A label of two words or more opening its line after an interface's element
                // codes, over a value of its shape and nothing else: "2010CA NM1 03 Surname of
                // Patient PRETENDO", "2400 DTP 03 Form Date 20190615".
                let whole = match f.key {
                    Key::Dob | Key::Dos(_) => whole_date(value),
                    key if key.is_name() => value.split_whitespace().count() <= 4,
                    _ => value.split_whitespace().count() == 1,
                };
                if i + 1 == found.len()
                    && f.words >= 2
                    && codes_before(line, f.start) == Some(true)
                    && whole
                    && plausible(f.key, value)
                {
                    return true;
                }
                if !f.bare_ok {
                    return false;
                }
                validates(f.key, value) && (!f.whole_value || whole_date(value))
            })
            .map(|(_, f)| *f)
            .collect();
        banner_name(line, prev, &accepted, out, state);
        for (i, f) in accepted.iter().enumerate() {
            state.family_first = says_family_first(&line.text[f.start..f.value_start]);
            let end = accepted.get(i + 1).map_or(line.text.len(), |g| g.start);
            let end = pair_end(line.text, f.value_start, end);
            let (vs, ve) = trimmed(line.text, f.value_start, end);
            // Only a label chartdex does not know follows (an OCR-mangled "Gencer:"): this label
            // has no value on the line, and its column ends where that label starts.
            let value = &line.text[vs..ve];
            // A subject line names the patient only with a person's name after it.
            if vocab::regarding(&line.text[f.start..f.end]) && !names::subject_name(value) {
                continue;
            }
            // An event's label over a clinician's name, not a date ("Signed: Ann Fakedoc, MD",
            // "Dictated: Dr. Lee Notreal"): the clinician who did it.
            let key = match f.key {
                Key::Dos(p) if leading_date(value).is_none() && names::clinician(value) => {
                    Key::Provider(if p == 0 { 0 } else { 1 })
                }
                key => key,
            };
            let f = &Found { key, ..*f };
            let first = value.split_whitespace().next();
            // (A clinician's value may open with the kind of person it names, as a FHIR
            // reference's display does: "performer: Practitioner NOTAPHYS, ROSA MD".)
            let kind = first.filter(|w| {
                matches!(f.key, Key::Provider(_))
                    && vocab::is_role_word(w)
                    && names::clinician(value[w.len()..].trim_start())
            });
            let vs = kind.map_or(vs, |w| vs + value.len() - value[w.len()..].trim_start().len());
            // (Such a reference closes what opened before its label: "(requester: Practitioner
            // Owen Shamfield, MD)".)
            let ve = match kind {
                Some(_) if line.text[vs..ve].ends_with(')') && !line.text[vs..ve].contains('(') => {
                    ve - 1
                }
                _ => ve,
            };
            let starts_label = kind.is_none() && first.is_some_and(vocab::starts_no_name);
            let (vs, ve, unknown_x) = if f.key.is_name() && starts_label {
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
            // A date's label heading a column, the next column's heading beside it ("DATE
            // SYMPTOMS, DIAGNOSIS, TREATMENT"): the date that opens the line under, in its column.
            if matches!(f.key, Key::Dos(_) | Key::Dob)
                && f.punct
                && vs < ve
                && leading_date(&line.text[vs..ve]).is_none()
            {
                let (from, to) = (line.x_at(f.start), line.x_at(vs));
                let cell = under
                    .zip(from.zip(to))
                    .and_then(|(u, (a, b))| u.range_in_column(a, Some(b)).map(|(s, e)| (u, s, e)));
                if let Some((u, s, e)) = cell.filter(|(u, s, e)| whole_date(&u.text[*s..*e])) {
                    apply(f.key, u, s, e, 0.9, out, state);
                    continue;
                }
            }
            let value = (vs < ve).then_some((line, vs, ve, 1.0));
            if let Some((l, vs, ve, factor)) = value {
                if let Some((next, (cs, ce))) = wrapped {
                    let (text, tokens) = joined(l, vs, ve, next, cs, ce);
                    let whole = Line { page: l.page, text: &text, tokens, space: l.space };
                    if cut_short(f.key, &l.text[vs..ve], whole.text) {
                        apply(f.key, &whole, 0, whole.text.len(), factor * 0.95, out, state);
                        continue;
                    }
                }
                apply(f.key, l, vs, ve, factor, out, state);
                continue;
            }
            // Else the value may be under the label, in its column, or wrapped to the next line.
            let (Some(from), to) = (line.x_at(f.start), next_x) else {
                continue;
            };
            // Or over it, on forms that print each entry above its caption: when the line
            // under holds no value of the label's shape and the line above no label, no other
            // label's value, and a value of that shape.
            let alone = codes_before(line, f.start).is_some()
                && line.text[f.value_start..].trim().is_empty();
            let fits_under = under.filter(|u| !has_colon_label(u)).is_some_and(|u| {
                u.range_in_column(from, to).is_some_and(|(s, e)| plausible(f.key, &u.text[s..e]))
            });
            if f.punct && alone && accepted.len() == 1 && !fits_under {
                if let Some((a, vs, ve)) = value_over_label(lines, n, f.key, from, to) {
                    apply(f.key, a, vs, ve, 0.85, out, state);
                    continue;
                }
                if let Some((a, vs, ve)) = value_written_above(lines, n, f) {
                    apply(f.key, a, vs, ve, 0.8, out, state);
                    continue;
                }
            }
            let Some(under) = under else { continue };
            if !has_colon_label(under) {
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

/// The value over line `n`'s label, as a form that prints each entry above its caption has it
/// ("MOCKFORD, BRUNO" over "Full Names:"): the line right above, in the label's column, when it
/// holds no label, reads as the label's value, and is not the value of an empty label over it.
/// A line that prints each value before its caption, with no colon ("SAMPLETON Family Name
/// Hiroshi Given Name MR643473 Unit No.", "Dmitri Examplar pt. name 323921775 Record #"):
/// each label's value is what stands between the label before it and itself, read so when two
/// at least of those look like what their labels announce and more than the words after them
/// do. True if the line was read so.
fn values_before_labels(
    line: &Line<'_>,
    found: &[Found],
    out: &mut Extraction,
    state: &mut State,
) -> bool {
    // (The patient's and the clinician's fields: a date before a label of an event may be
    // another event's, "7/1/14 Last Visit".)
    let read = |k: Key| k.is_name() || matches!(k, Key::Mrn(_) | Key::Dob | Key::Sex | Key::Npi(_));
    let known: Vec<&Found> = found.iter().filter(|f| f.known && read(f.key)).collect();
    if known.len() < 2 || found.iter().any(|f| f.colon) {
        return false;
    }
    // (A label's region may open with words of the cell before its own: "SAMPLETON Family
    // Name"; its own start at its first label word.)
    let own_start = |f: &Found| {
        line.tokens
            .iter()
            .filter(|t| t.start >= f.start && t.end <= f.end)
            .find(|t| vocab::is_label_word_near(&line.text[t.start..t.end]))
            .map_or(f.start, |t| t.start)
    };
    let before: Vec<(usize, usize)> = known
        .iter()
        .map(|f| {
            let at = own_start(f);
            let from = found.iter().filter(|g| g.end <= at).map(|g| g.end).max().unwrap_or(0);
            trimmed(line.text, from, at)
        })
        .collect();
    let after: Vec<(usize, usize)> = known
        .iter()
        .map(|f| {
            let to = found.iter().filter(|g| g.start >= f.end).map(|g| g.start).min();
            trimmed(line.text, f.value_start.max(f.end), to.unwrap_or(line.text.len()))
        })
        .collect();
    // (The whole of what stands there: a name without digits, a date, one identifier.)
    let whole = |k: Key, v: &str| match k {
        Key::Dob => whole_date(v),
        k if k.is_name() => {
            v.split_whitespace().count() <= 4 && !v.chars().any(|c| c.is_ascii_digit())
        }
        _ => v.split_whitespace().count() == 1,
    };
    let fits_one = |f: &Found, (s, e): (usize, usize)| {
        s < e && plausible(f.key, &line.text[s..e]) && whole(f.key, &line.text[s..e])
    };
    let fits = |ranges: &[(usize, usize)]| {
        known.iter().zip(ranges).filter(|(f, r)| fits_one(f, **r)).count()
    };
    let (by_before, by_after) = (fits(&before), fits(&after));
    if by_before < 2 || by_before <= by_after {
        return false;
    }
    for (f, &(s, e)) in known.iter().zip(&before) {
        if fits_one(f, (s, e)) {
            apply(f.key, line, s, e, 0.85, out, state);
        }
    }
    true
}

/// A line's one label, its colon last and nothing after it, with a hand's entry written
/// over the rule that follows it: the entry starts right of the label and sits just above its
/// row, its foot within a quarter of a line of the label's top ("MOCKINGLY, ALICE" written
/// after "Patient Name (Last, First):", a little high). The label's last word's box.
fn written_above(labels: &Line<'_>, found: &[Found]) -> Option<BBox> {
    let [f] = found else { return None };
    if !f.punct || !labels.text[f.value_start..].trim().is_empty() {
        return None;
    }
    labels.tokens.iter().rfind(|t| t.end <= f.end).and_then(|t| t.bbox)
}

/// The entry written just above and right of the label `f` of line `n` (see [`written_above`]):
/// the line whose first word starts past the label's end, within six of its heights, its foot
/// no higher than a quarter of a line over the label's top, holding no label of its own.
fn value_written_above<'l, 'a>(
    lines: &'l [Line<'a>],
    n: usize,
    f: &Found,
) -> Option<(&'l Line<'a>, usize, usize)> {
    let line = &lines[n];
    let last = written_above(line, std::slice::from_ref(f))?;
    let end = last.x + last.w;
    let entry = lines.iter().enumerate().filter(|&(i, _)| i != n).find_map(|(_, l)| {
        let b = l.tokens.first()?.bbox?;
        let foot = b.y + b.h;
        let placed = b.x > end
            && b.x <= end + 6 * last.h
            && b.y < last.y
            && foot + last.h / 4 >= last.y
            && foot <= last.y + last.h;
        placed.then_some(l)
    })?;
    if find_labels(entry).iter().any(|g| g.known) {
        return None;
    }
    let (vs, ve) = trimmed(entry.text, 0, entry.text.len());
    plausible(f.key, &entry.text[vs..ve]).then_some((entry, vs, ve))
}

fn value_over_label<'l, 'a>(
    lines: &'l [Line<'a>],
    n: usize,
    key: Key,
    from: u32,
    to: Option<u32>,
) -> Option<(&'l Line<'a>, usize, usize)> {
    let above = line_above(lines, n)?;
    if find_labels(above).iter().any(|f| f.known) {
        return None;
    }
    let (vs, ve) = above.range_in_column(from, to)?;
    let (vs, ve) = trimmed(above.text, vs, ve);
    let value = &above.text[vs..ve];
    if !plausible(key, value) || (key.is_name() && crate::doctype::is_title(value)) {
        return None;
    }
    // (Not the entry of an empty label right over it that it fits: "DOB:" over "03/14/1961".)
    let i = lines.iter().position(|l| std::ptr::eq(l, above))?;
    let taken = line_above(lines, i).is_some_and(|up| {
        let found = find_labels(up);
        found.last().is_some_and(|f| {
            f.known && up.text[f.value_start..].trim().is_empty() && plausible(f.key, value)
        })
    });
    (!taken).then_some((above, vs, ve))
}

/// Values with their labels after them, in parentheses ("10480607 (MRN)", "03/14/2017 (Date
/// of Service)", "FAKEDOC, ROBERT MD (Attending)"): in each of the line's cells, the words
/// before a parenthesis of label words alone are the value of the field it names, when they
/// read as that field's value.
pub(crate) fn labels_after(line: &Line<'_>, out: &mut Extraction, state: &mut State) {
    let text = line.text;
    let t = &line.tokens;
    for (first, last) in line.cell_ranges() {
        let mut from = first;
        let mut k = first;
        while k <= last {
            let open = &text[t[k].start..t[k].end];
            if !open.starts_with('(') {
                k += 1;
                continue;
            }
            // The parenthesis that closes it, past those inside it ("(Birth Date (YYYY-MM-DD))").
            let mut depth = 0i32;
            let close = (k..=last.min(k + 7)).find(|&c| {
                let w = &text[t[c].start..t[c].end];
                depth += w.matches('(').count() as i32 - w.matches(')').count() as i32;
                depth <= 0
            });
            let Some(close) = close else {
                k += 1;
                continue;
            };
            // (The closing token may end in a letter of more than one byte: no slice through it.)
            let Some(inner) = text.get(t[k].start + 1..t[close].end.saturating_sub(1)) else {
                k = close + 1;
                continue;
            };
            // Its words, without a format or an explanation of its own.
            let plain = vocab::without_explanation(inner);
            let words: Vec<&str> = plain.split_whitespace().filter(|w| *w != "#").collect();
            // (An NPI's type opens its label: "(Type 1 NPI)".)
            let typed = if vocab::npi_type(&words) { 2 } else { 0 };
            let labelled =
                words.len() > typed && words.iter().skip(typed).all(|w| vocab::is_label_word(w));
            let key = vocab::classify(inner).filter(|_| labelled);
            if let (Some(key), true) = (key.filter(|k| *k != Key::Other), from < k) {
                let (vs, ve) = trimmed(text, t[from].start, t[k - 1].end);
                let value = &text[vs..ve];
                if vs < ve && plausible(key, value) {
                    apply(key, line, vs, ve, 0.9, out, state);
                }
            }
            // Words in parentheses end the value before them, as a label of something else
            // ("(Contact Info)"); an aside with a number stays part of it ("03/14/1935 (87 y)
            // (DOB/Age)").
            if key.is_some() || !inner.chars().any(|c| c.is_ascii_digit()) {
                from = close + 1;
            }
            k = close + 1;
        }
    }
}

/// An HL7 v2 field's code, as interface prints put it before the field's name: a segment's
/// three letters or digits, a dot and the field's number ("PID.7", "PV1.44", "PID.5.1").
fn is_segment_field(w: &str) -> bool {
    let mut parts = w.split('.');
    let segment = parts.next().unwrap_or("");
    let numbers: Vec<&str> = parts.collect();
    segment.len() == 3
        && segment.starts_with(|c: char| c.is_ascii_uppercase())
        && segment.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && !numbers.is_empty()
        && numbers.iter().all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Where a value that starts at `start` ends, at most at `end`: at a semicolon that separates
/// it from the next pair ("Alice Testpatient; MRN …").
fn pair_end(text: &str, start: usize, end: usize) -> usize {
    text.get(start..end).and_then(|v| v.find("; ")).map_or(end, |k| start + k)
}

/// A row's other ways of setting a value after its label written as colons, in place (the
/// text keeps its length, so its tokens keep their ranges): an equals sign after a word
/// ("MRN=00123456", "Patient Name = Alice Testpatient", as interface prints and logs write
/// pairs), and a dash between a field's label and its value ("Patient Name - Alice
/// Testpatient", "DOB :- 03/14/1961", as many forms do). A dash after words that name no
/// field ("Lisinopril - 10 mg", "E11.9 - Type 2 diabetes") stays a dash.
pub(crate) fn separators_as_colons(text: &mut String, tokens: &[Token]) {
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    for (k, t) in tokens.iter().enumerate() {
        let word = &text[t.start..t.end];
        // The label words before token k, back to the row's start or the value before them
        // (a word ending in a colon or a semicolon ends the pair before).
        // (A label opens its row, its cell or its pair: after a wide gap or a semicolon.)
        let opens = |j: usize| {
            j == 0
                || text[tokens[j - 1].start..tokens[j - 1].end].ends_with([';', ':'])
                || match (tokens[j - 1].bbox, tokens[j].bbox) {
                    (Some(a), Some(b)) => b.x.saturating_sub(a.x + a.w) * 2 > b.h * 3,
                    _ => false,
                }
        };
        let label = || {
            let from = (0..k)
                .rev()
                .take(8)
                .take_while(|&j| {
                    let w = &text[tokens[j].start..tokens[j].end];
                    !w.ends_with([':', ';', '='])
                })
                .last()?;
            let words: Vec<&str> = tokens[from..k].iter().map(|t| &text[t.start..t.end]).collect();
            // The longest run of words right before the separator that names a field of the
            // patient's or the visit's (not a letterhead's "… Health Center - Page 1").
            // Label words, as a label is made of (one word the vocabulary lacks at most, not
            // the last: "Injured Worker's Name"); not a name before an OCR's stray "=" ("FAKEDOC,
            // ROBERT MD =").
            let wordy = |w: &&str| {
                let bare = w.trim_matches(|c: char| "()[]{},/".contains(c));
                bare.is_empty()
                    || vocab::is_label_word_near(bare)
                    || is_format_hint(w)
                    || is_segment_field(w)
            };
            (0..words.len()).filter(|&i| opens(from + i)).find_map(|i| {
                // (An explanation in parentheses after it is its own: "DOB (Age in Years)".)
                let named: Vec<&str> =
                    words[i..].iter().copied().filter(|w| !is_segment_field(w)).collect();
                let plain = vocab::without_explanation(&named.join(" "));
                let phrase: Vec<&str> = plain.split_whitespace().collect();
                let unknown = phrase.iter().filter(|w| !wordy(w)).count();
                (unknown <= 1 && phrase.last().is_some_and(wordy)).then_some(())?;
                vocab::classify_near(&plain)
                    .filter(|key| !matches!(key, Key::Other | Key::Facility))
            })
        };
        let after_letter = |at: usize| word[..at].chars().any(char::is_alphabetic);
        // A dash of any length or make, OCR's runs of them and a colon with one ("-", "--",
        // "—", "-—", ":-"): colons, as many bytes as it has.
        let dash = word.chars().count() <= 3
            && word.chars().all(|c| "-–—:".contains(c))
            && word.chars().any(|c| "-–—".contains(c));
        match word {
            "=" if k > 0 && label().is_some() => edits.push((t.start, t.end, ":")),
            _ if dash && k > 0 && label().is_some() => {
                edits.push((t.start, t.end, &":::::::::"[..word.len()]))
            }
            _ => {
                // (Not a digit OCR read as "=" in an identifier: "MR=04053" for "MR304053".)
                let misread =
                    |at: usize| at <= 2 && word[at + 1..].starts_with(|c: char| c.is_ascii_digit());
                if let Some(at) =
                    word.find('=').filter(|&at| at > 0 && after_letter(at) && !misread(at))
                {
                    edits.push((t.start + at, t.start + at + 1, ":"));
                }
            }
        }
    }
    for (s, e, with) in edits {
        text.replace_range(s..e, with);
    }
}

/// The MRN of a header whose MRN has no label chartdex knows (an addressograph plate, a label
/// OCR garbled): the only identifier of seven to ten digits among the header's rows (the first
/// page's rows down to the last with a field's label) that is no known label's value (not an
/// NPI, account or phone number). Read with a confidence low enough to send it to review.
pub(crate) fn unlabelled_mrn(rows: &[Line<'_>], header: &Header<'_>, out: &mut Extraction) {
    if out.fields.patient.mrn.is_some() {
        return;
    }
    let mut candidates = Vec::new();
    for &(n, t, known) in header {
        let row = &rows[n];
        let token = row.text[t.start..t.end].trim_matches(|c: char| !c.is_ascii_alphanumeric());
        // Seven to ten digits, or five to ten after a letter or two ("MR664270", "H2198109").
        let letters = token.bytes().take_while(u8::is_ascii_uppercase).count();
        let digits = &token[letters..];
        let shaped = digits.bytes().all(|b| b.is_ascii_digit())
            && match letters {
                0 => (7..=10).contains(&digits.len()),
                1 | 2 => (5..=10).contains(&digits.len()),
                _ => false,
            };
        // (Nor eight digits that read as a date: a form's date boxes run together, "04111976".)
        let dated = letters == 0 && digits.len() == 8 && dates::parse_digits(digits).is_some();
        // (Nor ten digits that open with a 1 or a 2, as an NPI does: one whose check digit OCR
        // spoiled looks the same.)
        let npi_like = letters == 0 && digits.len() == 10 && digits.starts_with(['1', '2']);
        if !shaped || dated || npi_like || npi_is_valid(token) {
            continue;
        }
        // The value of a label chartdex knows is that label's: an account, a phone.
        if !known {
            candidates.push((n, t.start, t.end));
        }
    }
    if let [(n, start, end)] = candidates[..] {
        let row = &rows[n];
        let mrn = row.text[start..end].trim_matches(|c: char| !c.is_ascii_alphanumeric());
        out.note("patient.mrn", mrn, row.place(start, end), 0.6, None);
        out.fields.patient.mrn = Some(mrn.to_string());
    }
}

/// The clinician's NPI where no label chartdex knows gives it (its caption garbled, a portal's
/// tile): the only number among the header's tokens that is a valid NPI (ten digits opening
/// with a 1 or a 2, its check digit right) and no known label's value, on a document that
/// names its clinician. Read with a confidence low enough to send it to review.
pub(crate) fn unlabelled_npi(rows: &[Line<'_>], header: &Header<'_>, out: &mut Extraction) {
    if out.fields.provider.npi.is_some() || out.fields.provider.family.is_none() {
        return;
    }
    let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
    for &(n, t, known) in header {
        let raw = &rows[n].text[t.start..t.end];
        let token = raw.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        if known || !npi_is_valid(token) {
            continue;
        }
        let start = t.start + raw.find(token).unwrap_or(0);
        candidates.push((n, start, start + token.len()));
    }
    if let [(n, start, end)] = candidates[..] {
        let row = &rows[n];
        let npi = &row.text[start..end];
        out.note("provider.npi", npi, row.place(start, end), 0.5, None);
        out.fields.provider.npi = Some(npi.to_string());
    }
}

/// The tokens of a header's rows (the first page's rows down to the last with a field's
/// label), each with its row and whether it is the value of a label chartdex knows: the
/// value after it on its row, or under (or over) its caption in a row of captions. A bare
/// "ID:" or "No." does not say whose number it is, so its value counts as no known label's.
pub(crate) type Header<'l> = [(usize, &'l Token, bool)];

pub(crate) fn header_tokens<'l>(rows: &'l [Line<'_>]) -> Vec<(usize, &'l Token, bool)> {
    let labelled: Vec<Vec<Found>> = rows.iter().take(30).map(find_labels).collect();
    let field = |f: &Found| f.known && f.key != Key::Other && (f.punct || f.bare_ok);
    let Some(last) = labelled.iter().rposition(|found| found.iter().any(field)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (n, row) in rows.iter().enumerate().take(last + 1) {
        for t in &row.tokens {
            let before = labelled[n].iter().rev().find(|f| f.value_start <= t.start);
            // (A name's or a facility's label does not claim a word with digits: a value is
            // that label's only if it looks like one, and no name has digits.)
            let digits = row.text[t.start..t.end].bytes().any(|b| b.is_ascii_digit());
            let fits = |f: &Found| !(digits && (f.key.is_name() || f.key == Key::Facility));
            let known = match before {
                Some(f) => f.known && (!f.number || f.qualified) && fits(f),
                None => {
                    // (A date's label must be one of a true row of captions: a date under a
                    // caption OCR lost is read by its shape.)
                    let loose = leading_date(&row.text[t.start..]).is_none();
                    caption_of(rows, &labelled, n, t, loose).is_some_and(|f| f.known && fits(f))
                }
            };
            out.push((n, t, known));
        }
    }
    out
}

/// The label of a token in a row of labels right above its row, or right under it (a fill-in
/// form's caption), if there is one. `loose`: also in a row of three captions or more that
/// holds other words besides.
fn caption_of<'f>(
    rows: &[Line<'_>],
    labelled: &'f [Vec<Found>],
    n: usize,
    t: &Token,
    loose: bool,
) -> Option<&'f Found> {
    let (x, slack) = (t.bbox?.x, t.bbox?.h * 2);
    [line_above(rows, n), line_under(rows, n)].into_iter().flatten().find_map(|line| {
        let i = rows.iter().position(|r| std::ptr::eq(r, line))?;
        let found = labelled.get(i)?;
        // (Or a row of three captions or more, whatever words it has besides: whose value a
        // token is needs no more.)
        let captions = loose
            && found.iter().filter(|f| f.known).count() >= 3
            && !found.iter().any(|f| f.colon);
        if !captions && !is_caption_row(line, found) {
            return None;
        }
        let label =
            found.iter().rev().find(|f| line.x_at(f.start).is_some_and(|lx| lx <= x + slack))?;
        // (Not past a caption no label was found in: the token is that caption's.)
        let lx = line.x_at(label.start)?;
        let past = unknown_cells(line, found).iter().any(|c| c.2 > lx && c.2 <= x + slack);
        (!past).then_some(label)
    })
}

/// The name opening a banner of patient identifiers, as EHR printouts head each page
/// ("TESTPATIENT, ALICE   MRN: 00123456   DOB: 03/14/1961"), or on the line of its own right
/// above them (an addressograph plate): unlabelled, but a name written family first on a row
/// whose labels give the patient's MRN or birth date. Taken only when no label names the
/// patient, at a lower confidence.
fn banner_name(
    line: &Line<'_>,
    above: Option<&Line<'_>>,
    accepted: &[Found],
    out: &mut Extraction,
    state: &mut State,
) {
    let Some(first) = accepted.first() else { return };
    let identifiers = accepted
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            let end = accepted.get(i + 1).map_or(line.text.len(), |g| g.start);
            let value = line.text.get(f.value_start..end).unwrap_or("");
            matches!(f.key, Key::Mrn(_) | Key::Dob) && validates(f.key, value)
        })
        .count();
    if identifiers == 0 {
        return;
    }
    // Written family first ("TESTPATIENT, ALICE"); or, before both an MRN and a birth date,
    // as a name of two or three capitalised words ("Alice Testpatient (MRN 00123456) DOB …").
    let family_first = |name: &str| {
        let ordered = name.split_once(',').is_some_and(|(family, given)| {
            !family.trim().is_empty()
                && !given.trim().is_empty()
                && !family.contains(char::is_numeric)
        });
        let words: Vec<&str> = name.split_whitespace().collect();
        let capitalised = identifiers >= 2
            && (2..=3).contains(&words.len())
            && words.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase));
        (ordered || capitalised) && words.len() <= 4 && plausible(Key::Patient(2), name)
    };
    let (vs, ve) = trimmed(line.text, 0, first.start);
    // (Not a border OCR read before it: "| Jane Testpatient …".)
    let vs = vs + line.text[vs..ve].len()
        - line.text[vs..ve].trim_start_matches(['|', '[', ']', ' ']).len();
    // A sex written after the name, before the labels ("Jane Testpatient female, DoB: …").
    let (vs, ve) = match line.text[vs..ve].trim_end_matches(',').rsplit_once(' ') {
        Some((name, last))
            if sex(last).is_some() && last.len() > 1 && family_first(name.trim_end()) =>
        {
            let (s, e) = trimmed(line.text, vs + name.len(), ve);
            let e = s + line.text[s..e].trim_end_matches(',').len();
            apply(Key::Sex, line, s, e, 0.8, out, state);
            (vs, vs + name.len())
        }
        _ => (vs, ve),
    };
    // The banner's cells before its labels, cut at its bars or bullets ("Jane Testpatient | F |
    // 74 yrs | DOB …"): the name, then what a value alone says it is (a sex, an age).
    let lead = &line.text[vs..ve];
    let cuts: Vec<usize> = lead
        .char_indices()
        .filter(|(_, c)| matches!(c, '|' | '•' | '·' | '(' | ')'))
        .map(|(k, _)| k)
        .collect();
    if let Some(&cut) = cuts.first() {
        let ends = cuts.iter().copied().chain(std::iter::once(lead.len()));
        let cells: Vec<(usize, usize)> = cuts
            .iter()
            .map(|c| c + lead[*c..].chars().next().map_or(1, char::len_utf8))
            .zip(ends.skip(1))
            .map(|(s, e)| trimmed(line.text, vs + s, vs + e))
            .filter(|(s, e)| s < e)
            .collect();
        let (ns, ne) = trimmed(line.text, vs, vs + cut);
        // (What a parenthesis holds is an aside: "Jane Testpatient (official) female".)
        let aside = |s: usize| line.text[..s].ends_with('(');
        let cells: Vec<(usize, usize)> = cells
            .into_iter()
            .filter(|&(s, _)| !aside(s))
            .map(|(s, e)| trimmed(line.text, s, s + line.text[s..e].trim_end_matches(',').len()))
            .collect();
        let said = |&(s, e): &(usize, usize)| {
            let cell = &line.text[s..e];
            sex(cell).is_some() || is_age(cell)
        };
        if family_first(&line.text[ns..ne]) && cells.iter().all(said) {
            apply(Key::Patient(2), line, ns, ne, 0.7, out, state);
            for &(s, e) in cells.iter().filter(|&&(s, e)| sex(&line.text[s..e]).is_some()) {
                apply(Key::Sex, line, s, e, 0.8, out, state);
            }
            return;
        }
    }
    if family_first(&line.text[vs..ve]) {
        apply(Key::Patient(2), line, vs, ve, 0.7, out, state);
        return;
    }
    // The plate's first line: the name alone, no label on it.
    if let Some(above) = above.filter(|_| vs == ve) {
        let (s, e) = trimmed(above.text, 0, above.text.len());
        if family_first(&above.text[s..e]) && find_labels(above).iter().all(|f| !f.known) {
            apply(Key::Patient(2), above, s, e, 0.7, out, state);
        }
    }
}

/// True if a line holds a label of a field, with or without its value.
pub(crate) fn has_field_label(line: &Line<'_>) -> bool {
    find_labels(line).iter().any(|f| f.known && f.key != Key::Other && (f.punct || f.bare_ok))
}

/// The keys of the labels of fields on a line, by their colon, their form's layout, or a value
/// that shows what they are.
pub(crate) fn field_labels(line: &Line<'_>) -> Vec<Key> {
    let found = find_labels(line);
    found
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            let end = found.get(i + 1).map_or(line.text.len(), |g| g.start);
            let value = line.text.get(f.value_start..end).unwrap_or("");
            f.known && f.key != Key::Other && (f.punct || (f.bare_ok && validates(f.key, value)))
        })
        .map(|(_, f)| f.key)
        .collect()
}

/// True if a line holds a label with its colon: a line of labels and values, not a form's row
/// of values.
fn has_colon_label(line: &Line<'_>) -> bool {
    find_labels(line).iter().any(|g| g.colon && g.key != Key::Other)
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
    // How far the row above stands, from this row's top to its words' bottom.
    let above = lines[..n].iter().rev().find(|l| !l.text.trim().is_empty()).and_then(|l| {
        let b = l.tokens.iter().filter_map(|t| t.bbox).min_by_key(|b| b.x.abs_diff(a.x))?;
        a.y.checked_sub(b.y + b.h)
    });
    // The next line of the text, unless it is clearly elsewhere: above, or rows further down.
    // (Measured by the taller of the two where the row above is no nearer: small captions over
    // larger entries stand apart by the entries' height.)
    let reach = |b: &BBox| {
        let gap = b.y.saturating_sub(a.y + a.h);
        if above.is_none_or(|up| up > gap) {
            a.h.max(b.h)
        } else {
            a.h
        }
    };
    if let Some(next) = next {
        match nearest(next) {
            Some(b) if b.y + b.h >= a.y && b.y <= a.y + reach(&b) * 3 => return Some(next),
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
            (b.y > a.y && below <= reach(&b) * 5 / 2).then_some((below, l))
        })
        .min_by_key(|(below, _)| *below)
        .map(|(_, l)| l)
}

/// The line right above line `n` on the page (by its boxes: within two and a half line heights,
/// its words in this line's span); `None` without boxes.
fn line_above<'l, 'a>(lines: &'l [Line<'a>], n: usize) -> Option<&'l Line<'a>> {
    let line = &lines[n];
    let boxes: Vec<_> = line.tokens.iter().filter_map(|t| t.bbox).collect();
    let (Some(a), Some(last)) = (boxes.first(), boxes.last()) else { return None };
    let (left, right) = (a.x.saturating_sub(2 * a.h), last.x + last.w + 2 * a.h);
    lines
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != n)
        .filter_map(|(_, l)| {
            let b = l.tokens.iter().filter_map(|t| t.bbox).min_by_key(|b| b.x.abs_diff(a.x))?;
            // (Measured in the taller line's height: a caption is smaller than its value.)
            let above = (a.y + a.h / 2).checked_sub(b.y + b.h)?;
            (b.x >= left && b.x <= right && b.y < a.y && above <= a.h.max(b.h) * 5 / 2)
                .then_some((above, l))
        })
        .min_by_key(|(above, _)| *above)
        .map(|(_, l)| l)
}

/// A label broken over two lines ("… Birth" / "Date: 1939-01-18"): when the previous line's last
/// word and the label starting this line make one label together, this line's first label takes
/// that label's meaning.
fn join_split_label(prev: &Line<'_>, line: &Line<'_>, found: &mut [Found]) {
    let lead = line.text.len() - line.text.trim_start().len();
    let (Some(first), Some(last)) = (found.first_mut(), prev.tokens.last()) else { return };
    let word = &prev.text[last.start..last.end];
    // (Not a credential after a name: "Samuel Mockwell, MD" / "Patient Name".)
    // (Nor a section's heading over its labels: "ATTENDING PHYSICIAN" / "Name:".)
    if first.start != lead
        || !first.colon
        || headings(prev).is_some()
        || !word.chars().all(char::is_alphabetic)
        || !vocab::is_label_word(word)
        || !vocab::starts_no_name(word)
    {
        return;
    }
    let label = line.text[first.start..first.end].trim_end_matches([':', ';', '!']);
    let mut words: Vec<&str> = vec![word];
    words.extend(label.split_whitespace());
    if !vocab::coherent(&words) {
        return;
    }
    // Only a label that says little alone ("Date:", "Number:", "Name:") takes its meaning from
    // the word before it, and only a field's ("REPORT" / "Patient:" is a title and a label).
    if !matches!(first.key, Key::Dos(3) | Key::Other | Key::Patient(1)) {
        return;
    }
    if let Some(key) = vocab::classify(&words.join(" ")).filter(|k| *k != Key::Other) {
        first.key = key;
        first.bare_ok = key.bare_ok();
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
    let labels = find_labels(next);
    if labels.first().is_some_and(|g| g.start <= next_first.start) {
        return None;
    }
    let end = labels.iter().find(|g| g.punct).map_or(next.text.len(), |g| g.start);
    let (cs, ce) = trimmed(next.text, next_first.start, end);
    let value = next.text.get(cs..ce)?;
    if cs >= ce || (key.is_name() && (value.contains(':') || value.split_whitespace().count() > 4))
    {
        return None;
    }
    Some((cs, ce))
}

/// True when a line's last value is cut short and reads whole with its continuation: a name of
/// one word ("Rendering Provider: Samuel" / "Mockwell, MD"), a date without its year
/// ("D.O.B.: June 4," / "1997").
fn cut_short(key: Key, value: &str, whole: &str) -> bool {
    match key {
        Key::Patient(_) | Key::Provider(_) => {
            value.split_whitespace().count() == 1
                && person_name(whole).is_some_and(|(given, _)| given.is_some())
        }
        Key::Dob | Key::Dos(_) => leading_date(value).is_none() && leading_date(whole).is_some(),
        _ => false,
    }
}

/// A clinician's name in a form's "Last" and "First" boxes under the box that says whose it
/// is: read as the clinician's (rank `r`), not the patient's.
fn provider_in_parts(
    line: &Line<'_>,
    found: &mut [Found],
    r: u8,
    out: &mut Extraction,
    state: &mut State,
) {
    let part = |key: Key| found.iter().position(|f| f.key == key && !f.qualified);
    let (Some(a), Some(b)) = (part(Key::Family(0)), part(Key::Given(0))) else {
        if found.iter().all(|f| matches!(f.key, Key::Other | Key::Family(_) | Key::Given(_)))
            && provider_under_captions(line, r, out, state)
        {
            found.iter_mut().for_each(|f| f.key = Key::Other);
        }
        return;
    };
    let range = |i: usize| {
        let end = found.get(i + 1).map_or(line.text.len(), |g| g.start);
        trimmed(line.text, found[i].value_start, end)
    };
    let ((fs, fe), (gs, ge)) = (range(a), range(b));
    if fs < fe && gs < ge {
        let (text, tokens) = joined(line, gs, ge, line, fs, fe);
        let whole = Line { page: line.page, text: &text, tokens, space: line.space };
        apply(Key::Provider(r), &whole, 0, whole.text.len(), 0.9, out, state);
    }
    found[a].key = Key::Other;
    found[b].key = Key::Other;
}

/// The same boxes with their captions misread ("tast NOTAPHYS FirsT ROSA"): the captions are
/// printed smaller than the name they caption, so the line's full-height words are the name,
/// in the boxes' order — the family name first, unless the first caption reads as "first" or
/// "given" within two letters.
fn provider_under_captions(
    line: &Line<'_>,
    r: u8,
    out: &mut Extraction,
    state: &mut State,
) -> bool {
    let Some(tall) = line.tokens.iter().filter_map(|t| t.bbox.map(|b| b.h)).max() else {
        return false;
    };
    let word = |t: &Token| &line.text[t.start..t.end];
    let caption = |t: &Token| t.bbox.is_some_and(|b| b.h * 10 < tall * 8);
    if !line
        .tokens
        .iter()
        .all(|t| word(t).chars().all(|c| c.is_alphabetic() || ".,'_-".contains(c)))
    {
        return false;
    }
    // The name's words, each after its caption: caption, word(s), caption, word(s).
    let mut groups: Vec<(Option<&str>, Vec<&Token>)> = Vec::new();
    for t in &line.tokens {
        match (caption(t), groups.last_mut()) {
            (true, _) => groups.push((Some(word(t)), Vec::new())),
            (false, Some(g)) => g.1.push(t),
            (false, None) => return false,
        }
    }
    let [(first_caption, a), (_, b)] = &groups[..] else { return false };
    let (Some(a0), Some(a1), Some(b0), Some(b1)) = (a.first(), a.last(), b.first(), b.last())
    else {
        return false;
    };
    let given_first = first_caption.is_some_and(|c| {
        let c = c.to_lowercase();
        ["first", "given"].iter().any(|w| vocab::distance(&c, w) <= 2)
    });
    let ((gs, ge), (fs, fe)) = if given_first {
        ((a0.start, a1.end), (b0.start, b1.end))
    } else {
        ((b0.start, b1.end), (a0.start, a1.end))
    };
    let (text, tokens) = joined(line, gs, ge, line, fs, fe);
    let whole = Line { page: line.page, text: &text, tokens, space: line.space };
    apply(Key::Provider(r), &whole, 0, whole.text.len(), 0.8, out, state);
    true
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

/// A row of a form's captions with words the vocabulary lacks among them, or that OCR garbled
/// ("SOC. SEC. NO.", "26. FIN", "Patier t IO"): two labels or more without colons, one a
/// field's, over (or, on a fill-in form, under) a line of entries printed larger (a third
/// taller: forms caption their boxes in small print) that holds no label.
///
/// Returns which of `entries` (the line under, the line above) may be the captions' entries:
/// [`read_label_row`] takes the one whose values fit them better, the line under on a tie.
fn caption_row(line: &Line<'_>, found: &[Found], entries: [Option<&Line<'_>>; 2]) -> [bool; 2] {
    let Some(small) = line.height() else { return [false; 2] };
    // (Captions carry no value of their own: "PROVIDER NPI 2505424616", "Full Name
    // Placeholder, Pedro" are labels and their values.)
    let own_value = found.iter().enumerate().any(|(i, f)| {
        let end = found.get(i + 1).map_or(line.text.len(), |g| g.start);
        let (vs, ve) = trimmed(line.text, f.value_start.min(end), end);
        let value = &line.text[vs..ve];
        let whole_name = person_name(value).is_some_and(|(g, _)| g.is_some());
        f.known
            && plausible(f.key, value)
            && (!matches!(f.key, Key::Patient(_) | Key::Provider(_)) || whole_name)
    });
    let labels = found.iter().filter(|f| f.known).count() >= 2
        && found.iter().any(|f| f.known && f.key != Key::Other)
        && !found.iter().any(|f| f.colon)
        && !own_value;
    entries.map(|e| {
        labels
            && e.is_some_and(|e| {
                e.height().is_some_and(|large| large * 3 >= small * 4)
                    && find_labels(e).iter().all(|f| !f.known)
            })
    })
}

/// The row of sub-captions under a row of captions (a claim form's "MM DD YYYY SEX" under
/// "3. DATE OF BIRTH"), printed as small, all format hints and label words, and the entries
/// under it (larger, no label): the line `n`'s captions are of those entries.
fn sub_captions<'l, 'a>(
    lines: &'l [Line<'a>],
    n: usize,
    found: &[Found],
) -> Option<(&'l Line<'a>, &'l Line<'a>)> {
    if found.iter().filter(|f| f.known && f.key != Key::Other).count() < 1
        || found.iter().any(|f| f.colon)
    {
        return None;
    }
    let small = lines[n].height()?;
    let sub = line_under(lines, n)?;
    let words: Vec<&str> = sub.text.split_whitespace().collect();
    let hints = words.iter().filter(|w| is_format_hint(w)).count();
    let sub_like = hints >= 1
        && words.iter().all(|w| is_format_hint(w) || vocab::is_label_word(w) || is_box_number(w))
        && sub.height().is_some_and(|h| h * 10 <= small * 12);
    if !sub_like {
        return None;
    }
    let i = lines.iter().position(|l| std::ptr::eq(l, sub))?;
    let entries = line_under(lines, i)?;
    let entry_like = entries.height().is_some_and(|h| h * 3 >= small * 4)
        && find_labels(entries).iter().all(|f| !f.known || f.key == Key::Other);
    entry_like.then_some((sub, entries))
}

/// A line made only of labels, as the top row of a form ("Patient Name   MRN   DOB", or one
/// label alone): their values are on the next line.
fn is_label_row(text: &str, found: &[Found]) -> bool {
    // One label alone on its line is a label over its value when it is unmistakable: its
    // colon, two words or more ("Patient Name"), a label that counts bare ("MRN"), or a word
    // that names a field by itself ("SURNAME" over "EXAMPLAR", "PATIENT" over a name; over
    // labels of their own, "PATIENT" or "PHYSICIAN" is a heading: see `headings`); not a word
    // that qualifies another ("FAMILY").
    let alone = |f: &Found| {
        text.trim() == text[f.start..f.end].trim() && vocab::stands_alone(&text[f.start..f.end])
    };
    if found.is_empty()
        || (found.len() == 1
            && !found[0].bare_ok
            && !found[0].punct
            && found[0].words < 2
            && !alone(&found[0]))
    {
        return false;
    }
    let mut rest = String::with_capacity(text.len());
    let mut at = 0;
    for f in found {
        rest.push_str(text.get(at..f.start).unwrap_or(""));
        at = f.value_start.max(f.end);
    }
    rest.push_str(text.get(at..).unwrap_or(""));
    // Stray specks and rules OCR reads as punctuation ("—", "|", ".") do not make it text, nor
    // does a label word OCR misread among the labels ("Fatient Sex"), nor a form's box number
    // before a caption ("3a", "17b").
    let labels = found.iter().filter(|f| f.known).count();
    rest.split_whitespace().all(|w| {
        !w.chars().any(char::is_alphanumeric)
            || is_format_hint(w)
            || is_item_number(w)
            || (labels >= 2
                && (vocab::is_label_word_near(w)
                    || is_box_number(w)
                    || w.chars().filter(|c| c.is_alphanumeric()).count() <= 2))
    })
}

/// A date's format printed with its label: "MM/DD/YYYY", "mm-dd-yy", "MM DD YY".
fn is_format_hint(w: &str) -> bool {
    let w = w.trim_matches(|c: char| "()[]:,".contains(c));
    w.len() >= 2
        && w.chars().all(|c| "MDYmdy/-.".contains(c))
        && ["mm", "dd", "yy"].iter().any(|p| w.to_lowercase().contains(p))
}

/// An assessment's item number before its caption ("A0500.", "M0040.", "B0100A."), its
/// zeroes maybe read as O's: a letter or two, three or four digits, at most a letter, a stop.
fn is_item_number(w: &str) -> bool {
    let Some(w) = w.strip_suffix('.') else { return false };
    if misread_item_code(w) && w.chars().any(|c| "0oO".contains(c)) {
        return true;
    }
    let b = w.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count().min(2);
    let digits = b[letters..].iter().take_while(|c| c.is_ascii_digit() || **c == b'O').count();
    let tail = &b[letters + digits..];
    (1..=2).contains(&letters)
        && (3..=4).contains(&digits)
        && b[letters..letters + digits].iter().filter(|c| c.is_ascii_digit()).count() >= 2
        && (tail.is_empty() || tail.len() == 1 && tail[0].is_ascii_uppercase())
}

/// What stands on `line` before a label at `start`: `None` unless only codes that number a
/// form's items or an interface's elements (or nothing); `Some(true)` if one of them holds a
/// digit, as an interface's element codes do ("2010CA NM1 03").
fn codes_before(line: &Line<'_>, start: usize) -> Option<bool> {
    let mut codes = line.text[..start].split_whitespace();
    codes
        .clone()
        .all(is_element_code)
        .then(|| codes.any(|c| c.chars().any(|ch| ch.is_ascii_digit())))
}

/// A code that numbers a form's item or an interface's element before its caption: one with
/// digits ("2010CA", "NM1", "03", "1.") or a segment's name in capitals ("REF", "DMG").
fn is_element_code(w: &str) -> bool {
    let stopped = w.ends_with('.');
    let w = w.trim_end_matches(['.', ')']);
    (!w.is_empty()
        && w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && (w.chars().any(|c| c.is_ascii_digit()) || (2..=3).contains(&w.len())))
        || (stopped && misread_item_code(w))
}

/// An item's code as OCR misreads its digits on a poor copy ("aosooc" for "A0500C", "MOO4O"
/// for "M0040"): four to seven letters and digits, all but two of them digits or the letters
/// OCR makes of digits, three of them at least.
fn misread_item_code(w: &str) -> bool {
    let n = w.chars().count();
    let digitlike = w.chars().filter(|c| c.is_ascii_digit() || "oOsSlIzZB".contains(*c)).count();
    (4..=7).contains(&n)
        && w.chars().all(|c| c.is_ascii_alphanumeric())
        && digitlike >= 3
        && digitlike + 2 >= n
        && !vocab::is_label_word(w)
}

/// A form's box number printed before its caption: a digit or two and at most a letter.
fn is_box_number(w: &str) -> bool {
    let w = w.trim_matches(|c: char| !c.is_alphanumeric());
    let digits = w.chars().take_while(char::is_ascii_digit).count();
    (1..=2).contains(&digits)
        && w.len() - digits <= 1
        && w.chars().skip(digits).all(char::is_alphabetic)
}

/// Values in the line under a row of labels. The value line is cut into columns at its wide
/// gaps, and each column goes to the last label that starts left of it (form columns line up
/// in pixels, not in characters; a little slack allows for a value written left of its label).
fn read_label_row(
    labels: &Line<'_>,
    found: &[Found],
    under: Option<&Line<'_>>,
    above: Option<&Line<'_>>,
    out: &mut Extraction,
    state: &mut State,
) -> bool {
    // A form prints its captions over its values, or (fill-in forms) under them: the values are
    // on the side where more of them look like what their labels announce; under on a tie.
    // Above only when some do: the line above a row of labels is most often something else.
    let below = under.map(|l| side(labels, found, l, false));
    let over = above.map(|l| side(labels, found, l, true));
    let chosen = match (below, over) {
        (Some(b), Some(o)) if o.0 > b.0 => o,
        // (Nothing under that fits: the labels' values are elsewhere, as a hand wrote them.)
        (Some(b), _) if b.0 > 0 || written_above(labels, found).is_none() => b,
        (None, Some(o)) if o.0 > 0 => o,
        _ => return false,
    };
    let (_, values, ranges) = chosen;
    for (f, range) in found.iter().zip(ranges) {
        if let Some((vs, ve)) = range {
            state.family_first = says_family_first(&labels.text[f.start..f.end]);
            apply(f.key, values, vs, ve, 0.95, out, state);
        }
    }
    state.family_first = false;
    true
}

/// True if a label's words put the family name first: "Name (Last, First, MI)", "SURNAME,
/// Given names", "Last Name / First Name".
/// An explanation in parentheses that opens a value, of a label's words only ("(Last, First
/// M.I.)"): its words and the bytes to skip past it and the spaces after it.
fn explanation_before(value: &str) -> Option<(&str, usize)> {
    let rest = value.trim_start();
    let lead = value.len() - rest.len();
    let inner = rest.strip_prefix('(')?;
    let close = inner.find(')')?;
    let words: Vec<&str> =
        inner[..close].split([' ', ',', '/']).filter(|w| !w.trim_matches('.').is_empty()).collect();
    let labelled = !words.is_empty()
        && words.iter().all(|w| vocab::is_label_word(w) || w.trim_matches('.').len() <= 2);
    let after = &inner[close + 1..];
    let skip = lead + 1 + close + 1 + (after.len() - after.trim_start().len());
    labelled.then_some((&inner[..close], skip))
}

fn says_family_first(label: &str) -> bool {
    let lower = label.to_lowercase();
    let words: Vec<&str> =
        lower.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).collect();
    let at = |of: &[&str]| words.iter().position(|w| of.contains(w));
    match (at(&["last", "surname", "family"]), at(&["first", "given", "forename", "forenames"])) {
        (Some(l), Some(f)) => l < f,
        _ => false,
    }
}

/// What a label that does not say whose it is names in a form's section: in a guarantor's or a
/// contact's section none of the chart's fields; in an insured's, the insured's name; in a
/// clinician's, the clinician's name and NPI; in the patient's, a bare number is the MRN.
/// The sections a line of headings opens, left to right: one for each of its cells (cut at
/// the gaps between a form's columns) when every cell is a heading, else one for the whole line
/// if it is one.
fn headings(line: &Line<'_>) -> Option<Vec<(u32, Option<vocab::Section>)>> {
    let x = |at: usize| line.x_at(at).unwrap_or(0);
    let whole = vocab::section(line.text).map(|s| vec![(x(0), Some(s))]);
    let cells = line.cell_ranges();
    if cells.len() < 2 {
        return whole;
    }
    let heads: Option<Vec<_>> = cells
        .iter()
        .map(|&(a, b)| {
            let (s, e) = (line.tokens[a].start, line.tokens[b].end);
            vocab::section(&line.text[s..e]).map(|h| (x(s), Some(h)))
        })
        .collect();
    heads.or(whole)
}

/// The heading over the label at byte `at` of `line` (an index into `sections`): the last
/// heading that starts left of it (a line height's slack), else the first.
fn section_at(
    sections: &[(u32, Option<vocab::Section>)],
    line: &Line<'_>,
    at: usize,
) -> Option<usize> {
    if sections.is_empty() {
        return None;
    }
    let Some(b) = line.tokens.iter().find(|t| t.end > at).and_then(|t| t.bbox) else {
        return Some(0);
    };
    Some(sections.iter().rposition(|(hx, _)| *hx <= b.x + b.h).unwrap_or(0))
}

/// True if a label that says whose its value is names the person a section is of.
fn agrees(section: Option<vocab::Section>, key: Key) -> bool {
    use vocab::Section;
    match section {
        Some(Section::Patient) => matches!(
            key,
            Key::Patient(0 | 1)
                | Key::Family(0)
                | Key::Given(0)
                | Key::Mrn(_)
                | Key::Dob
                | Key::Sex
        ),
        Some(Section::Provider(_)) => matches!(key, Key::Provider(_) | Key::Npi(_)),
        _ => false,
    }
}

fn in_section(key: Key, number: bool, section: Option<vocab::Section>) -> Key {
    use vocab::Section;
    match (section, key) {
        (None, key) => key,
        (Some(Section::OtherPerson), _) => Key::Other,
        (Some(Section::Insured), Key::Patient(_)) => Key::Patient(3),
        (Some(Section::Insured), Key::Dos(p)) => Key::Dos(p),
        (Some(Section::Insured), _) => Key::Other,
        (Some(Section::Provider(r)), Key::Patient(_) | Key::Provider(_)) => Key::Provider(r),
        (Some(Section::Provider(r)), Key::Npi(_)) => Key::Npi(r),
        (Some(Section::Provider(r)), Key::ProviderId(_)) => Key::ProviderId(r),
        (Some(Section::Provider(r)), Key::Other) if number => Key::ProviderId(r),
        (Some(Section::Provider(_)), Key::Dos(p)) => Key::Dos(p),
        (Some(Section::Provider(_)), _) => Key::Other,
        (Some(Section::Patient), Key::Other) if number => Key::Mrn(1),
        (Some(Section::Patient), key) => key,
    }
}

/// A candidate line of values for a row of labels: how many look right, the line, the ranges.
fn side<'l, 'a>(
    labels: &Line<'_>,
    found: &[Found],
    values: &'l Line<'a>,
    over: bool,
) -> (usize, &'l Line<'a>, Vec<Option<(usize, usize)>>) {
    let ranges = label_row_values(labels, found, values);
    let by_columns = plausible_count(found, values, &ranges);
    if !over {
        return (by_columns, values, ranges);
    }
    // Or, over the captions, the words right over each, where the values are typed into a
    // sentence's blanks with their captions centred under them ("I, PRETENDO, ESTHER, born
    // Feb 9, 1935, record number 880501282, hereby …"): no gap cuts such a line into columns.
    let overlap = caption_spans(labels, found, values);
    let by_spans = plausible_count(found, values, &overlap);
    // (Two at least, and more than by columns: one alone may be an address's number.)
    if by_spans >= 2 && by_spans > by_columns {
        (by_spans, values, overlap)
    } else {
        (by_columns, values, ranges)
    }
}

/// For each label of a row, the byte range of the words of `values` whose middles stand
/// within the label's own width (a word height's slack either side, never past halfway to the
/// next label): the words over or under the caption.
fn caption_spans(
    labels: &Line<'_>,
    found: &[Found],
    values: &Line<'_>,
) -> Vec<Option<(usize, usize)>> {
    let span = |f: &Found| -> Option<(u32, u32, u32)> {
        let toks: Vec<BBox> = labels
            .tokens
            .iter()
            .filter(|t| t.start >= f.start && t.end <= f.end)
            .filter_map(|t| t.bbox)
            .collect();
        let first = toks.first()?;
        let last = toks.last()?;
        Some((first.x, last.x + last.w, first.h))
    };
    let spans: Vec<Option<(u32, u32, u32)>> = found.iter().map(span).collect();
    spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (x0, x1, h) = (*s)?;
            let prev = i.checked_sub(1).and_then(|p| spans[p]).map(|(_, e, _)| (e + x0) / 2);
            let next = spans.get(i + 1).copied().flatten().map(|(b, _, _)| (x1 + b) / 2);
            let lo = prev.unwrap_or(0).max(x0.saturating_sub(h));
            let hi = next.unwrap_or(u32::MAX).min(x1 + h);
            let inside: Vec<&Token> = values
                .tokens
                .iter()
                .filter(|t| t.bbox.is_some_and(|b| (lo..=hi).contains(&(b.x + b.w / 2))))
                .collect();
            Some((inside.first()?.start, inside.last()?.end))
        })
        .collect()
}

/// How many of a label row's values look like what their labels announce.
fn plausible_count(found: &[Found], values: &Line<'_>, ranges: &[Option<(usize, usize)>]) -> usize {
    found
        .iter()
        .zip(ranges)
        .filter(|(f, r)| r.is_some_and(|(vs, ve)| plausible(f.key, &values.text[vs..ve])))
        .count()
}

/// True if a name's words of three letters or more are all label words, also as OCR misreads
/// them ("Patient", "Patier t IO"): a caption, not a name.
pub(crate) fn label_words_only(value: &str) -> bool {
    // A letter OCR set apart goes back on its word ("Patier t" → "Patiert").
    let mut words: Vec<String> = Vec::new();
    for w in value.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric())) {
        match words.last_mut() {
            Some(last) if w.chars().count() == 1 && last.len() >= 4 => last.push_str(w),
            _ => words.push(w.to_string()),
        }
    }
    words.retain(|w| w.len() >= 3);
    !words.is_empty() && words.iter().all(|w| vocab::is_label_word_or_misread(w))
}

/// True if `value` has the shape of what `key` announces: a person's name, an identifier, a
/// date, a sex, an NPI with its check digit.
fn plausible(key: Key, value: &str) -> bool {
    let starts_label = value.split_whitespace().next().is_some_and(vocab::starts_no_name);
    match key {
        Key::Patient(_) | Key::Provider(_) => {
            !starts_label && !label_words_only(value) && person_name(value).is_some()
        }
        Key::Family(_) | Key::Given(_) => {
            !starts_label && !label_words_only(value) && single_name(value).is_some()
        }
        Key::Facility => value.chars().filter(|c| c.is_alphabetic()).count() >= 3,
        Key::Other => false,
        key => validates(key, value),
    }
}

/// The byte ranges of the values of a row of labels in a line of values. The value line is cut
/// into columns at its wide gaps, and each column goes to the last label that starts left of it
/// (form columns line up in pixels, not in characters; a little slack allows for a value written
/// left of its label).
fn label_row_values(
    labels: &Line<'_>,
    found: &[Found],
    values: &Line<'_>,
) -> Vec<Option<(usize, usize)>> {
    let xs: Option<Vec<u32>> = found.iter().map(|f| labels.x_at(f.start)).collect();
    let slack = labels.tokens.iter().filter_map(|t| t.bbox).map(|b| b.h).max().unwrap_or(20) * 2;
    // Captions no label was found in (a word the vocabulary lacks, one OCR garbled): their
    // columns are theirs, not the value of the label before them.
    let unknown: Vec<u32> = unknown_cells(labels, found).iter().map(|c| c.2).collect();
    let by_x = |cols: Vec<(usize, usize)>, xs: &[u32]| {
        let mut ranges: Vec<Option<(usize, usize)>> = vec![None; found.len()];
        for (cs, ce) in cols {
            let Some(x) = values.x_at(cs) else { continue };
            let i = xs.iter().rposition(|&lx| lx <= x + slack).unwrap_or(0);
            // (Under an unknown caption that starts right of the label and left of it.)
            if unknown.iter().any(|&ux| ux > xs[i] && ux <= x + slack) {
                continue;
            }
            ranges[i] = Some(ranges[i].map_or((cs, ce), |(s, _)| (s, ce)));
        }
        ranges
    };
    let cols = columns(values, if unknown.is_empty() { found.len() } else { usize::MAX });
    match xs {
        // As many columns as labels: one each, in order (a short value may end far left of
        // the next label, so the next value starts left of its own label); unless the value
        // line's cells, each put under the label it stands under, read as more of what their
        // labels announce (the gaps that cut it into as many columns were not the cells').
        Some(xs) if cols.len() == found.len() && unknown.is_empty() => {
            let in_order: Vec<_> = cols.into_iter().map(Some).collect();
            let under = by_x(columns(values, usize::MAX), &xs);
            if plausible_count(found, values, &under) > plausible_count(found, values, &in_order) {
                under
            } else {
                in_order
            }
        }
        Some(xs) => by_x(cols, &xs),
        // No boxes (a text layer): the same character columns.
        None => (0..found.len())
            .map(|i| {
                let end =
                    found.get(i + 1).map_or(values.text.len(), |g| g.start.min(values.text.len()));
                let (s, e) = trimmed(values.text, found[i].start.min(end), end);
                (s < e).then_some((s, e))
            })
            .collect(),
    }
}

/// The cells of a row of captions that no found label covers (a caption the vocabulary lacks,
/// one OCR garbled): from a word after a wide gap (one and a half word heights) outside every
/// label, to the next label or such word. Each as its byte range and left edge.
fn unknown_cells(labels: &Line<'_>, found: &[Found]) -> Vec<(usize, usize, u32)> {
    let height = labels.height().unwrap_or(0);
    let mut out: Vec<(usize, usize, u32)> = Vec::new();
    let mut prev: Option<BBox> = None;
    let mut open = false;
    for t in &labels.tokens {
        let Some(b) = t.bbox else { continue };
        let word = &labels.text[t.start..t.end];
        let covered = found.iter().any(|f| t.start < f.end.max(f.value_start) && t.end > f.start);
        let opens = prev.is_none_or(|p| b.x.saturating_sub(p.x + p.w) * 2 > height * 3);
        prev = Some(b);
        if covered {
            // Words that run into a label without a gap are that label's ("SOC. SEC. NO.").
            if open && !opens {
                out.pop();
            }
            open = false;
        } else if is_box_number(word) {
            // (A form's box number opens the cell of the caption after it: "33a. NPI".)
            open = false;
        } else if opens && word.chars().any(char::is_alphanumeric) {
            out.push((t.start, t.end, b.x));
            open = true;
        } else if let Some(last) = out.last_mut().filter(|_| open) {
            last.1 = t.end;
        }
    }
    out
}

/// True if a line is a row of captions over their values (see [`is_label_row`]), also with a
/// cell or two whose caption is no label chartdex knows among three labels or more: "SURNAME
/// FORENAME(S)   HN   INFORMANT   GROUP #". (Not words with a digit: a value's.)
fn is_caption_row(line: &Line<'_>, found: &[Found]) -> bool {
    if is_label_row(line.text, found) {
        return true;
    }
    let unknown = unknown_cells(line, found);
    let known = found.iter().filter(|f| f.known).count();
    if unknown.is_empty() || known < 3 || unknown.len() * 2 >= known {
        return false;
    }
    let captions = |&(s, e, _): &(usize, usize, u32)| {
        line.text[s..e].split_whitespace().count() <= 3
            && !line.text[s..e].chars().any(|c| c.is_ascii_digit())
    };
    if !unknown.iter().all(captions) {
        return false;
    }
    let mut text = line.text.to_string();
    for &(s, e, _) in &unknown {
        text.replace_range(s..e, &" ".repeat(e - s));
    }
    is_label_row(&text, found)
}

/// A line cut at its wide gaps (more than three quarters of the height of its words — two or
/// three spaces, where words of one value stand one space apart — or two spaces in text without
/// boxes) into at most `at_most` columns (one per label: where there are more, only the widest
/// gaps cut, as a noisy scan widens some word spaces): the byte ranges of its columns.
fn columns(line: &Line<'_>, at_most: usize) -> Vec<(usize, usize)> {
    let text = line.text;
    let height = line.height();
    // Each column with the width of the gap before it (a separator counts as the widest).
    let mut cols: Vec<((usize, usize), u32)> = Vec::new();
    let mut prev: Option<&Token> = None;
    let mut separated = false;
    // A form's options with their check boxes are one column ("☒ M    ☐ F").
    let is_mark = |t: &Token| matches!(&text[t.start..t.end], MARK_CHECKED | MARK_EMPTY);
    let mut marked = false;
    for t in &line.tokens {
        // A token with no letter or digit (a table rule read as "|") separates columns.
        if !text[t.start..t.end].chars().any(char::is_alphanumeric) && !is_mark(t) {
            separated = true;
            continue;
        }
        // (After a mark only an option's word: not the next column's date, "M ☐ F ☒ 3/11/21".)
        let word = text[t.start..t.end].chars().all(char::is_alphabetic);
        let options = marked && (is_mark(t) || (word && prev.is_some_and(is_mark)));
        let gap = match (prev, separated) {
            (None, _) => 0,
            (Some(_), false) if options => 0,
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
            _ => {
                cols.push(((t.start, t.end), gap));
                marked = false;
            }
        }
        marked |= is_mark(t);
        prev = Some(t);
        separated = false;
    }
    // A date in a form's boxes ("05 | 06 | 1986") is one value.
    let piece = |(s, e): (usize, usize), max: usize| {
        let t = text[s..e].trim_matches(|c: char| !c.is_ascii_digit());
        (1..=max).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
    };
    let mut i = 0;
    while i + 2 < cols.len() {
        if piece(cols[i].0, 2) && piece(cols[i + 1].0, 2) && piece(cols[i + 2].0, 4) {
            let end = cols[i + 2].0 .1;
            let joined = ((cols[i].0 .0, end), cols[i].1);
            cols.splice(i..i + 3, [joined]);
        }
        i += 1;
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
    let marks = |c: char| c.is_whitespace() || ":;_|=~—–.…·".contains(c);
    let mut rest = s.trim_start();
    // And what OCR left of a dot leader.
    while let Some(word) = rest.split_whitespace().next().filter(|w| leader_remnant(w)) {
        rest = rest[word.len()..].trim_start();
    }
    let rest = rest.trim_start_matches(marks);
    let lead = s.len() - rest.len();
    let trail = s.len() - s.trim_end().len();
    (start + lead, (end - trail).max(start + lead))
}

/// True when a value after a label without its colon is what that label announces.
fn validates(key: Key, value: &str) -> bool {
    match key {
        Key::Mrn(_) => identifier(value).is_some(),
        Key::Dob | Key::Dos(_) => leading_date(value).is_some(),
        Key::Sex => sex(value).is_some(),
        Key::Npi(_) | Key::ProviderId(_) => npi(value).is_some(),
        _ => false,
    }
}

/// True if `value` is a date and nothing else (a time of day after it aside).
fn whole_date(value: &str) -> bool {
    let Some((_, n)) = leading_date(value) else { return false };
    let rest: Vec<&str> = value.split_whitespace().skip(n).collect();
    rest.is_empty() || (rest.len() <= 2 && rest[0].contains(':') && rest[0].len() <= 5)
}

/// The byte end of the first `n` tokens of `text[start..end]`.
fn first_tokens_end(text: &str, start: usize, end: usize, n: usize) -> usize {
    split_tokens(&text[start..end]).take(n).last().map_or(start, |(at, t)| start + at + t.len())
}

impl State {
    /// True if the MRN read so far came from a label that says it is the chart's record ("MRN",
    /// "Chart No."), not a generic patient's number or id ("Pt ID", "ID No.").
    pub(crate) fn mrn_is_a_records(&self) -> bool {
        self.mrn_rank == 0
    }
}

/// [`apply`] for a name written family first without its comma.
pub(crate) fn apply_family_first(
    key: Key,
    line: &Line<'_>,
    factor: f32,
    out: &mut Extraction,
    state: &mut State,
) {
    let before = std::mem::replace(&mut state.family_first, true);
    apply(key, line, 0, line.text.len(), factor, out, state);
    state.family_first = before;
}

/// Reads the value at `vs..ve` of `line` as `key` announces it, into the field if it beats
/// what is there (its rank), with `factor` times the place's confidence.
pub(crate) fn apply(
    key: Key,
    line: &Line<'_>,
    vs: usize,
    ve: usize,
    factor: f32,
    out: &mut Extraction,
    state: &mut State,
) {
    let whole_end = ve;
    // A name's explanation printed before it, under its caption ("(Surname, Forename)
    // SAMPLETON, PEDRO"): the label's, saying the order, not the name.
    let vs = match explanation_before(&line.text[vs..ve]) {
        Some((inner, skip)) if key.is_name() => {
            state.family_first |= says_family_first(inner);
            vs + skip
        }
        _ => vs,
    };
    let ve = if key.is_name() { name_end(line, vs, column_end(line, vs, ve)) } else { ve };
    let value = &line.text[vs..ve];
    // A date at the end of its cell, after what a form's column merged into it ("X7740021
    // 07/04/1976").
    let vs = if matches!(key, Key::Dob | Key::Dos(_)) && leading_date(value).is_none() {
        split_tokens(value)
            .skip(1)
            .take(3)
            .find(|(at, _)| whole_date(&value[*at..]))
            .map_or(vs, |(at, _)| vs + at)
    } else {
        vs
    };
    let value = &line.text[vs..ve];
    let place =
        |n: usize| line.place(vs, if n == 0 { ve } else { first_tokens_end(line.text, vs, ve, n) });
    let f = &mut out.fields;
    match key {
        // A label that says "patient" beats a bare "Name"; among equals, the first.
        // (A document's title is nobody's name: "Clinical Laboratory Report", "Follow-Up Note".)
        Key::Patient(_) | Key::Provider(_) if crate::doctype::is_title(value) => {}
        // A patient's label over an identifier and nothing else gives the patient's number
        // ("Patient: 00412234", "Person Source Value: 322732228"): a name holds no digits.
        Key::Patient(0 | 1) if lone_identifier(value) => {
            apply(Key::Mrn(1), line, vs, ve, factor * 0.9, out, state);
        }
        // A clinician's label over a number and nothing else: the clinician's number, an NPI
        // if its check digit holds ("Rendering Provider 2854677574").
        Key::Provider(rank) if lone_identifier(value) => {
            apply(Key::ProviderId(rank), line, vs, ve, factor * 0.9, out, state);
        }
        // One word under a label of the whole name, where a label of its own gave the family
        // name: the given name ("Surname of Patient: MOCKFORD" … "Full Names of Patient: Bruno").
        Key::Patient(rank)
            if rank == state.patient_rank
                && state.name_parts == NameParts::FamilyAlone
                && f.patient.given.is_none()
                && value.split_whitespace().count() == 1 =>
        {
            if let Some(name) = single_name(value).filter(|n| Some(n) != f.patient.family.as_ref())
            {
                out.note("patient.given", &name, place(0), factor, None);
                out.fields.patient.given = Some(name);
                state.patient_rank = rank;
                state.name_parts = NameParts::Other;
            }
        }
        // (Not words OCR itself barely made out, 0.3 of its confidence or less: a caption's
        // smudge read as "Detlentic summonses Eonsihy" is no one's name.)
        Key::Patient(rank)
            if rank < state.patient_rank
                && !label_words_only(value)
                && place(0).confidence > 0.3 =>
        {
            if let Some((given, family)) =
                ordered_name(value, state.family_first).filter(|(g, f)| !caption_words(g, f))
            {
                // A label that puts the family name first over the family name alone, the
                // given name in the next box ("Name (Last, First): | FAKENAME | | ESTHER").
                let next_box = given.is_none().then(|| next_box_name(line, ve, whole_end, state));
                let (given, given_place) = match next_box.flatten() {
                    Some((g, at)) => (Some(g), at),
                    None => (given, place(0)),
                };
                state.name_parts = if given.is_none() && value.split_whitespace().count() == 1 {
                    NameParts::OneWord
                } else {
                    NameParts::Other
                };
                let p = place(0);
                out.evidence.retain(|e| e.field != "patient.family" && e.field != "patient.given");
                out.note("patient.family", &family, p, factor, None);
                if let Some(g) = &given {
                    out.note("patient.given", g, given_place, factor, None);
                }
                out.fields.patient.family = Some(family);
                out.fields.patient.given = given;
                state.patient_rank = rank;
            }
        }
        // Last and first name in fields of their own are the patient's, whatever comes after.
        // (An insured's, only where nothing better names the patient.)
        Key::Family(rank)
            if rank < state.patient_rank
                || (rank <= state.patient_rank && f.patient.family.is_none()) =>
        {
            if let Some(name) = single_name(value) {
                // (The patient's own label over an insured's: the insured's other part goes.)
                if state.patient_rank == 3 && rank < 3 {
                    out.evidence.retain(|e| e.field != "patient.given");
                    out.fields.patient.given = None;
                }
                out.evidence.retain(|e| e.field != "patient.family");
                out.note("patient.family", &name, place(0), factor, None);
                out.fields.patient.family = Some(name);
                state.patient_rank = rank;
                state.name_parts = NameParts::FamilyAlone;
            }
        }
        // The family name's own label after one word under a label of the whole name: that
        // word was the given name ("Full Names of Patient: Bruno" … "Surname: MOCKFORD").
        // (Not a label beside it on its row: a row of captions was read one cell off.)
        Key::Family(rank)
            if rank == state.patient_rank
                && state.name_parts == NameParts::OneWord
                && f.patient.given.is_none() =>
        {
            let here = place(0);
            let beside = out.evidence.iter().any(|e| {
                e.field == "patient.family"
                    && e.page == here.page
                    && match (e.bbox, here.bbox) {
                        (Some(a), Some(b)) => a.y < b.y + b.h && b.y < a.y + a.h,
                        // (Text without boxes, a text layer's, is in lines as printed.)
                        _ => false,
                    }
            });
            if let Some(name) =
                single_name(value).filter(|n| !beside && Some(n) != f.patient.family.as_ref())
            {
                if let Some(g) = out.fields.patient.family.replace(name.clone()) {
                    if let Some(e) = out.evidence.iter_mut().find(|e| e.field == "patient.family") {
                        e.field = "patient.given".into();
                    }
                    out.fields.patient.given = Some(g);
                }
                out.note("patient.family", &name, place(0), factor, None);
                state.patient_rank = rank;
                state.name_parts = NameParts::Other;
            }
        }
        Key::Given(rank)
            if rank < state.patient_rank
                || (rank <= state.patient_rank && f.patient.given.is_none()) =>
        {
            if let Some(name) = single_name(value) {
                if state.patient_rank == 3 && rank < 3 {
                    out.evidence.retain(|e| e.field != "patient.family");
                    out.fields.patient.family = None;
                }
                out.evidence.retain(|e| e.field != "patient.given");
                out.note("patient.given", &name, place(1), factor, None);
                out.fields.patient.given = Some(name);
                state.patient_rank = rank;
            }
        }
        Key::Mrn(rank) if rank < state.mrn_rank => {
            if let Some((mrn, corrected)) = identifier(value) {
                let read_as = corrected.then(|| first_token(value));
                let factor = if corrected { factor * 0.9 } else { factor };
                out.evidence.retain(|e| e.field != "patient.mrn");
                out.note("patient.mrn", &mrn, place(1), factor, read_as.as_deref());
                out.fields.patient.mrn = Some(mrn);
                state.mrn_rank = rank;
            }
        }
        // A birth's label over a sex, not a date: the sex assigned at birth (its label's
        // other words garbled: "SEX ASSIGNED iT BIRTH:").
        Key::Dob if leading_date(value).is_none() && sex(value).is_some() => {
            apply(Key::Sex, line, vs, ve, factor * 0.9, out, state);
        }
        Key::Dob if f.patient.dob.is_none() => {
            if let Some((date, n)) = leading_date(value) {
                let iso = date.iso();
                let read_as = date_read_as(value, n);
                let factor = if read_as.is_some() { factor * 0.9 } else { factor };
                out.note("patient.dob", &iso, place(n), factor, read_as.as_deref());
                out.fields.patient.dob = Some(iso);
                out.dob_two_digit_year = date.two_digit_year;
                // A lone sex after the date and its age, as banners and labels print them
                // ("DOB 03/14/1961 F", "DOB: 1961-03-14 (62 y) M").
                let at = first_tokens_end(line.text, vs, ve, n);
                let at = match leading_age(&line.text[at..ve]) {
                    Some((_, Some(true), end))
                        if line.text[at..ve].trim_start().starts_with('(') =>
                    {
                        at + end
                    }
                    _ => at,
                };
                let rest = line.text[at..ve].trim();
                if out.fields.patient.sex.is_none()
                    && rest.split_whitespace().count() == 1
                    && sex(rest).is_some()
                {
                    apply(Key::Sex, line, at, ve, factor * 0.9, out, state);
                }
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
                // A bare "Date:", a report's or a signature's date are only guesses at the
                // date of service.
                let factor = if priority >= 3 { factor * 0.85 } else { factor };
                let read_as = date_read_as(value, n);
                let factor = if read_as.is_some() { factor * 0.9 } else { factor };
                out.evidence.retain(|e| e.field != "service_date");
                out.note("service_date", &iso, place(n), factor, read_as.as_deref());
                out.fields.service_date = Some(iso);
                state.dos_priority = priority;
            }
        }
        // The clinician who saw the patient beats one who ordered or signed, who beats a
        // referring one.
        Key::Provider(rank) if rank < state.provider_rank && !label_words_only(value) => {
            if let Some((given, family)) =
                ordered_name(value, state.family_first).filter(|(g, f)| !caption_words(g, f))
            {
                let p = place(0);
                out.evidence
                    .retain(|e| e.field != "provider.family" && e.field != "provider.given");
                out.note("provider.family", &family, p, factor, None);
                if let Some(g) = &given {
                    out.note("provider.given", g, p, factor, None);
                }
                out.fields.provider.family = Some(family);
                out.fields.provider.given = given;
                state.provider_rank = rank;
            }
        }
        Key::Npi(rank) | Key::ProviderId(rank) if rank < state.npi_rank => match npi(value) {
            Some((digits, corrected)) => {
                let read_as = corrected.then(|| first_token(value));
                let factor = if corrected { factor * 0.9 } else { factor };
                out.evidence.retain(|e| e.field != "provider.npi");
                out.note("provider.npi", &digits, place(1), factor, read_as.as_deref());
                out.fields.provider.npi = Some(digits);
                state.npi_rank = rank;
            }
            None if matches!(key, Key::Npi(_)) => {
                out.diagnose(line.page, "NPI fails its check digit; not kept")
            }
            None => {}
        },
        // (Nor words OCR barely made out, under half of its confidence: the small print of a
        // dark bar read as "AHH Hh SSS" is no facility's name, and the letterhead may give it.)
        Key::Facility if f.facility.is_none() && place(0).confidence >= 0.45 => {
            let v: String = value.chars().take(80).collect();
            let v = v.trim().trim_end_matches([',', ';']).to_string();
            // (A name an interface writes as one identifier, its spaces as underscores:
            // "RIVERBEND_TEST_CLINIC".)
            let v = if v.contains('_') && !v.contains(' ') { v.replace('_', " ") } else { v };
            if v.chars().filter(|c| c.is_alphabetic()).count() >= 3 {
                out.note("facility", &v, place(0), factor, None);
                out.fields.facility = Some(v);
            }
        }
        _ => {}
    }
}

/// The given name in the box after the family name's, where the label puts the family name
/// first and the value was cut at the boxes' gap: the one name word in `line.text[from..to]`
/// (past the boxes' borders), with its place.
fn next_box_name(
    line: &Line<'_>,
    from: usize,
    to: usize,
    state: &State,
) -> Option<(String, crate::layout::Place)> {
    let rest = line.text.get(from..to)?;
    let trimmed = rest.trim_start_matches(|c: char| c == '|' || c.is_whitespace());
    let start = from + rest.len() - trimmed.len();
    let word = trimmed.trim_end_matches(|c: char| c == '|' || c.is_whitespace());
    let one = word.split_whitespace().count() == 1;
    if !state.family_first || !one || vocab::is_label_word(word) {
        return None;
    }
    let name = single_name(word).filter(|n| !caption_words(&None, n))?;
    Some((name, line.place(start, start + word.len())))
}

/// True if a name read is a caption where a value was looked for, nobody's name: a label's
/// word for the family name ("Number", "NPI", "Sponsor's SSN", "Pi iber NPI"), with no given
/// name, or one no person has: a label's word, a possessive, a letter or two; or a word of a
/// section's heading ("Maternal Profile", "Patient Information").
fn caption_words(given: &Option<String>, family: &str) -> bool {
    let no_given = |g: &str| {
        vocab::is_label_word_or_misread(g)
            || g.ends_with("'s")
            || g.chars().filter(|c| c.is_alphabetic()).count() <= 2
    };
    let heading = |w: &str| w.split_whitespace().any(vocab::is_section_word);
    (vocab::is_label_word(family) && given.as_deref().is_none_or(no_given))
        || vocab::names_a_value(family)
        || heading(family)
        || given.as_deref().is_some_and(heading)
}

/// A person's name, read family first when its label says so and it has no comma to say it.
fn ordered_name(value: &str, family_first: bool) -> Option<(Option<String>, String)> {
    match value.trim().split_once(char::is_whitespace) {
        Some((family, rest)) if family_first && !value.contains(',') && !rest.trim().is_empty() => {
            person_name(&format!("{family}, {rest}"))
        }
        _ => person_name(value),
    }
}

/// Where a value ends at the first gap as wide as between a form's columns (two and a half
/// word heights, and more than two and a half of the page's word spaces): what stands past it
/// ("Attending: Linda Nodoctor, DO        Pt Age: 53") is the next column's.
fn column_end(line: &Line<'_>, vs: usize, ve: usize) -> usize {
    let heights = 2.5f32.max(2.5 * line.space);
    let toks: Vec<&Token> = line.tokens.iter().filter(|t| t.start >= vs && t.end <= ve).collect();
    toks.windows(2)
        .find(|p| match (p[0].bbox, p[1].bbox) {
            (Some(a), Some(b)) => {
                b.x.saturating_sub(a.x + a.w) as f32 > heights * a.h.max(b.h).min(a.h * 2) as f32
            }
            _ => false,
        })
        .map_or(ve, |p| p[0].end)
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
        // OCR may split one identifier at a gap ("MR1 32263"), and some print theirs in groups
        // ("123 456 7890"): groups of digits joined while it is shorter than an identifier is,
        // if it then reads as one.
        first.chars().any(|c| c.is_ascii_digit()).then_some(())?;
        let mut joined = first.to_string();
        for next in words.take(3) {
            if joined.len() >= 7 || !next.chars().all(|c| c.is_ascii_digit()) {
                break;
            }
            joined.push_str(next);
        }
        (joined != first).then_some(())?;
        identifier_token(&joined)
    })
}

/// True if a value is one identifier with most of it digits, which no name is.
fn lone_identifier(value: &str) -> bool {
    let mut tokens = value.split_whitespace();
    let (Some(first), None) = (tokens.next(), tokens.next()) else { return false };
    let digits = first.chars().filter(char::is_ascii_digit).count();
    digits >= 5 && digits * 2 > first.len() && identifier_token(first).is_some()
}

fn identifier_token(token: &str) -> Option<(String, bool)> {
    // A sign no keyboard types run into the number ("©09049838") is OCR's reading of one of its
    // characters: which one, nothing says.
    if token.chars().next().is_some_and(|c| !c.is_ascii() && !c.is_alphanumeric()) {
        return None;
    }
    let token = token.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let digits = token.chars().filter(char::is_ascii_digit).count();
    if token.len() < 4
        || digits < 3
        || !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return None;
    }
    // A social security number's shape (999-99-9999) is no record's number.
    let groups: Vec<usize> = token.split('-').map(str::len).collect();
    if groups == [3, 2, 4] && digits == 9 {
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
/// A form's date boxes may stand between its parts, read as marks ("05 | 06 | 1986", "10 [24
/// |1991"); and a date in digits alone counts here, where a label announced it ("03271982").
pub(crate) fn leading_date(value: &str) -> Option<(Date, usize)> {
    // A comb of eight boxes, a digit in each ("0 1 1 0 1 9 5 8"), in the order a hint after
    // them gives ("(ddmmyyyy)", "DD/MM/YYYY"), else as eight digits run together are read.
    let tokens: Vec<&str> = value.split_whitespace().collect();
    let comb =
        tokens.iter().take_while(|t| t.len() == 1 && t.as_bytes()[0].is_ascii_digit()).count();
    if comb == 8 {
        let digits = tokens[..8].concat();
        let hinted = tokens.get(8).and_then(|h| dates::order_hint(h));
        if let Some(d) = hinted
            .map_or_else(|| dates::parse_digits(&digits), |o| dates::digits_in_order(&digits, o))
        {
            return Some((d, 8));
        }
    }
    let mut parts: Vec<(usize, &str)> = Vec::with_capacity(3);
    // (A day of the week before it: "Thursday, March 4, 2024", "Mon 03/04/2024".)
    let weekday = value.split_whitespace().next().is_some_and(dates::is_weekday);
    'tokens: for (i, t) in value.split_whitespace().enumerate().skip(usize::from(weekday)).take(6) {
        for piece in unboxed(t) {
            parts.push((i, piece));
            if parts.len() == 3 {
                break 'tokens;
            }
        }
    }
    (1..=parts.len()).rev().find_map(|n| {
        let s = parts[..n].iter().map(|(_, t)| *t).collect::<Vec<_>>().join(" ");
        let d = dates::parse(&s).or_else(|| dates::parse_digits(&s))?;
        Some((d, parts[n - 1].0 + 1))
    })
}

/// The pieces of a date's token as a form's boxes leave it: the box borders OCR read around
/// and between the digits ("|", "[", a dash or a slash after a bar: "06 |-/18 |-|2016")
/// taken away, and a border read as a "1" before the digits of a box ("|-122" for "|-|22",
/// "-11941" for "-|1941") dropped where the digits are then a day's or a year's.
fn unboxed(token: &str) -> Vec<&str> {
    let bar = |c: char| matches!(c, '|' | '[' | ']' | '{' | '}' | '(' | ')');
    let mark = |c: char| bar(c) || matches!(c, '-' | '/' | ';' | '_' | '=');
    if !token.contains(bar) {
        let t = token.trim_matches(bar);
        // (A box's border or a dash between boxes alone is no part: "04 -| 02 - | 1951".)
        return if t.is_empty() || (t.chars().all(mark) && token.len() <= 2) {
            Vec::new()
        } else {
            vec![t]
        };
    }
    token
        .split(bar)
        .enumerate()
        .filter_map(|(k, piece)| {
            let core = piece.trim_matches(mark);
            if core.is_empty() {
                return None;
            }
            let boxed = k > 0 || piece.starts_with(mark);
            let digits = core.bytes().all(|b| b.is_ascii_digit());
            let border_one =
                boxed && digits && core.starts_with('1') && matches!(core.len(), 3 | 5);
            Some(if border_one { &core[1..] } else { core })
        })
        .collect()
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

pub(crate) fn sex(value: &str) -> Option<String> {
    // (The marks with all their options: a label's own options may come first, "Gender (Male /
    // Female): ☒ Male ☐ Female ☐ Other".)
    let marked: Vec<&str> = value.split_whitespace().take(12).collect();
    if let Some(s) = measured_mark(&marked) {
        return Some(s.into());
    }
    let tokens: Vec<&str> = value.split_whitespace().take(6).collect();
    if let Some(s) = marked_box(&tokens).or_else(|| box_glyphs(&tokens)) {
        return Some(s.into());
    }
    let of = |t: &str| match t
        .trim_matches(|c: char| !c.is_alphabetic())
        .to_ascii_lowercase()
        .as_str()
    {
        "m" | "male" | "masc" | "masculine" | "man" => Some("M"),
        "f" | "female" | "fem" | "feminine" | "woman" => Some("F"),
        "u" | "unknown" | "x" => Some("U"),
        _ => None,
    };
    // Check boxes with both printed ("[X] Male [ ] Female", "M □ F ☒"): the one marked, if
    // the marks say which; else nothing (no guess).
    let options: Vec<(usize, &str)> = tokens
        .iter()
        .enumerate()
        .filter_map(|(i, t)| of(t).filter(|s| *s != "U").map(|s| (i, s)))
        .collect();
    if let [(i, a), (j, b)] = options[..] {
        let between = &tokens[i + 1..j];
        if a != b
            && between.len() <= 2
            && !between.iter().any(|t| t.chars().any(|c| c.is_ascii_digit()))
        {
            let marked = |k: usize| {
                let before = k.checked_sub(1).map(|p| tokens[p]);
                let glued = tokens[k].chars().next().is_some_and(|c| !c.is_alphabetic());
                let mark = |m: &str| {
                    ["x", "[x]", "(x)", "☒", "✓", "✔", "■", "&"]
                        .contains(&m.to_lowercase().as_str())
                };
                before.is_some_and(mark) || (glued && mark(&tokens[k][..1]))
            };
            return match (marked(i), marked(j)) {
                (true, false) => Some(a.into()),
                (false, true) => Some(b.into()),
                _ => None,
            };
        }
    }
    // An item's code before its answer ("Enter Code 1 - Male", "> F"): the answer.
    let answer = tokens
        .iter()
        .position(|t| {
            let t = t.to_ascii_lowercase();
            !matches!(t.as_str(), "enter" | "code" | "-" | "." | "=" | ">" | "—")
                && !t.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
        .filter(|&k| k <= 4)?;
    // (Not an option of a list the answer's code is chosen from: "Enter Code  1. Male", its
    // number with a full stop, as a list numbers its items.)
    let numbered = |t: &str| matches!(t.as_bytes(), [b'1'..=b'9', b'.']);
    if answer > 1 && numbered(tokens[answer - 1]) {
        return None;
    }
    // (After a code's separator or its words: not after a number alone, "12 F" an age's.)
    let coded = tokens[..answer].iter().any(|t| !t.chars().all(|c| c.is_ascii_digit()));
    of(tokens[answer]).filter(|_| answer == 0 || coded).map(Into::into)
}

/// The sex a mark read from the page's pixels chooses: the OCR stage writes a ticked box, a
/// filled button and a ring drawn around an option as "☒", an empty box or button as "☐", each
/// where it stands: before its option ("☒ Male ☐ Female", "Male ☒ Female" for a ring around
/// "Female") or after it ("M ☐ F ☒", told by the marks' side: every mark after its option).
/// None unless the marks choose exactly one sex.
pub(crate) fn measured_mark(tokens: &[&str]) -> Option<&'static str> {
    let option = |t: &str| box_option(t.trim_matches(|c: char| !c.is_alphanumeric()));
    let is_mark = |t: &str| t == MARK_CHECKED || t == MARK_EMPTY;
    let marks: Vec<usize> = (0..tokens.len()).filter(|&k| is_mark(tokens[k])).collect();
    if !marks.iter().any(|&k| tokens[k] == MARK_CHECKED) {
        return None;
    }
    // Each mark before its option, unless some mark has none after it and every mark has one
    // before it ("M ☒ F ☐"). (A label's own options before the marks, "Gender (Male / Female):
    // ☒ Male ☐ Female", leave every mark with its option after it.)
    let has = |k: Option<usize>| k.and_then(|k| tokens.get(k)).is_some_and(|t| option(t).is_some());
    let after =
        !marks.iter().all(|&k| has(Some(k + 1))) && marks.iter().all(|&k| has(k.checked_sub(1)));
    let chosen: std::collections::BTreeSet<&str> = marks
        .iter()
        .filter(|&&k| tokens[k] == MARK_CHECKED)
        .filter_map(|&k| {
            let at = if after { k.checked_sub(1)? } else { k + 1 };
            option(tokens.get(at)?)
        })
        .collect();
    match chosen.len() {
        1 => chosen.into_iter().next(),
        _ => None,
    }
}

/// How the OCR stage writes a ticked box, a filled button or a ring around an option, and an
/// empty box or button (chartdex-ocr's `marks`).
pub(crate) const MARK_CHECKED: &str = "☒";
pub(crate) const MARK_EMPTY: &str = "☐";

/// The sex whose box is marked where each option is printed with its box run into it, as OCR
/// reads a form's check boxes: a mark ("X", "K", "&", "®", "[X]", "☒") or a circle ("(M)") on
/// one, an empty box ("O", "0", "[]", "☐") on the other: "XM/H OF", "[X]M []F", "(M) F". The
/// French "M/H" (masculin / homme) is the male box. None unless exactly one option is marked.
fn marked_box(tokens: &[&str]) -> Option<&'static str> {
    let option = box_option;
    let mut marked = Vec::new();
    let (mut seen, mut after) = (0, 0);
    for t in tokens {
        let t = t.strip_suffix("/H").or_else(|| t.strip_suffix("/h")).unwrap_or(t);
        let (mark, rest) = if let Some(inner) =
            t.strip_prefix('(').and_then(|r| r.strip_suffix(')'))
        {
            (option(inner).map(|_| true), inner)
        } else if let Some(rest) =
            ["[X]", "[x]", "(X)", "☒", "■", "✓", "✔"].iter().find_map(|m| t.strip_prefix(m))
        {
            (Some(true), rest)
        } else if let Some(rest) = ["[ ]", "[]", "☐", "□"].iter().find_map(|m| t.strip_prefix(m))
        {
            (Some(false), rest)
        } else {
            let mut chars = t.chars();
            match chars.next() {
                Some('X' | 'x' | 'K' | '&' | '®') if option(chars.as_str()).is_some() => {
                    (Some(true), chars.as_str())
                }
                Some('O' | 'o' | '0') if option(chars.as_str()).is_some() => {
                    (Some(false), chars.as_str())
                }
                // Or its box after it ("M □  F ☒" read "Mo FR"): counted only beside the other
                // option's.
                _ => match suffix_box(t) {
                    Some((m, rest)) if option(rest).is_some() => {
                        after += 1;
                        (Some(m), rest)
                    }
                    _ => (None, t),
                },
            }
        };
        match (mark, option(rest)) {
            (Some(m), Some(o)) => {
                seen += 1;
                if m {
                    marked.push(o);
                }
            }
            // (An option without a box of its own: "(M) F".)
            (None, Some(_)) => seen += 1,
            _ => {}
        }
    }
    match marked[..] {
        [one] if seen >= 2 || (tokens.len() == 1 && after == 0) => Some(one),
        _ => None,
    }
}

/// An option with its box after it, as OCR reads a check box run into the letter before it: a
/// mark ("X", "K", "R", "&", "®", "☒") or an empty box (any other sign: "o", "0", "g", "□"), with
/// whether it is marked and the option before it.
/// The sex a check box's option prints: "M", "Male", "F", "Female".
fn box_option(o: &str) -> Option<&'static str> {
    match o {
        "M" | "Male" | "MALE" => Some("M"),
        "F" | "Female" | "FEMALE" => Some("F"),
        _ => None,
    }
}

/// The sex whose box is marked where OCR read both boxes as letters or marks before the two
/// options ("CIM/H X F", "OM/H QF", "MM/H OF", "x M/ 4H O F"): one box read as an empty box's
/// shape (O, 0, C, I, |, a bracket), the other as anything else, or a ring holding something
/// ("©") beside either; None unless exactly so.
fn box_glyphs(tokens: &[&str]) -> Option<&'static str> {
    let option = box_option;
    // How much ink a box's glyph says it holds: an empty box's shape none; a ring with
    // something in it ("©": an empty radio button beside a filled one read "@", or the filled
    // one beside an empty "O") some; anything else a mark.
    let ink = |g: &str| {
        if g.chars().all(|c| "Oo0CcIl|()[]□☐○◯".contains(c)) {
            0
        } else if g.chars().all(|c| c == '©') {
            1
        } else {
            2
        }
    };
    let mut boxes: Vec<(&'static str, u8)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        // (A speck after the option read as a quote: "Male’".)
        let t = t.trim_end_matches(['/', '\\', '’', '\'', '`']);
        let t = t.strip_suffix("/H").or_else(|| t.strip_suffix("/h")).unwrap_or(t);
        // The option's box run into it ("CIM", "QF"), or the word before it ("x M", "O F").
        let (glyph, o) =
            match (1..t.len()).find(|&k| t.is_char_boundary(k) && option(&t[k..]).is_some()) {
                Some(k) if option(t).is_none() => (&t[..k], option(&t[k..])),
                _ => match (option(t), i.checked_sub(1).map(|p| tokens[p])) {
                    (Some(o), Some(b))
                        if b.chars().count() <= 2 && option(b).is_none() && !b.contains('/') =>
                    {
                        (b, Some(o))
                    }
                    _ => continue,
                },
            };
        if let Some(o) = o {
            if glyph.chars().count() <= 2 && !glyph.chars().any(|c| c.is_ascii_digit() && c != '0')
            {
                boxes.push((o, ink(glyph)));
            }
        }
    }
    match boxes[..] {
        [(a, ia), (b, ib)] if a != b && ia != ib => Some(if ia > ib { a } else { b }),
        _ => None,
    }
}

fn suffix_box(t: &str) -> Option<(bool, &str)> {
    for (m, marked) in [("[X]", true), ("[x]", true), ("[]", false), ("[ ]", false)] {
        if let Some(rest) = t.strip_suffix(m) {
            return Some((marked, rest));
        }
    }
    let last = t.chars().last()?;
    let rest = &t[..t.len() - last.len_utf8()];
    match last {
        'X' | 'x' | 'K' | 'R' | '&' | '®' | '☒' | '■' | '✓' | '✔' => Some((true, rest)),
        // (An empty box reads as any mark but those: "o", "0", "g", "□".)
        _ if !last.is_ascii_digit() || last == '0' => Some((false, rest)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_in_a_comb_of_boxes_is_read_in_the_order_its_hint_gives() {
        let d = |v: &str| leading_date(v).map(|(d, n)| (d.iso(), n));
        assert_eq!(d("1 4 0 3 1 9 6 1 (DD/MM/YYYY)"), Some(("1961-03-14".into(), 8)));
        assert_eq!(d("1 9 6 1 0 3 1 4 [yyyy-mm-dd] Sex F"), Some(("1961-03-14".into(), 8)));
        // Without a hint, as eight digits run together are read.
        assert_eq!(d("0 3 1 4 1 9 6 1"), Some(("1961-03-14".into(), 8)));
        // Seven boxes filled: no date.
        assert_eq!(d("0 3 1 4 1 9 6"), None);
    }

    #[test]
    fn a_sex_by_the_marks_read_from_the_pages_pixels() {
        // A mark before its option, as forms print them.
        assert_eq!(measured_mark(&["☒", "Male", "☐", "Female"]), Some("M"));
        assert_eq!(measured_mark(&["☐", "M", "☒", "F"]), Some("F"));
        // After its option: every mark has an option before it, and the last none after it.
        assert_eq!(measured_mark(&["M", "☒", "F", "☐"]), Some("M"));
        assert_eq!(measured_mark(&["Male", "☐", "Female", "☒"]), Some("F"));
        // The label's own options before its marks: each mark still goes with the option after.
        assert_eq!(sex("(Male / Female): ☒ Male ☐ Female").as_deref(), Some("M"));
        assert_eq!(sex("(M/F) ☐ M ☒ F").as_deref(), Some("F"));
        // Two sexes marked, or none: no guess.
        assert_eq!(measured_mark(&["☒", "M", "☒", "F"]), None);
        assert_eq!(measured_mark(&["☐", "M", "☐", "F"]), None);
        // A mark beside no sex.
        assert_eq!(measured_mark(&["☒", "Other"]), None);
    }

    #[test]
    fn a_sex_by_the_box_marked_in_boxes_run_into_their_options() {
        assert_eq!(sex("[X]M []F").as_deref(), Some("M"));
        assert_eq!(sex("OM/H XF").as_deref(), Some("F"));
        assert_eq!(sex("KM/H OF 2022/04/19").as_deref(), Some("M"));
        // The box after its option: "M □  F ☒" read "Mo FR".
        assert_eq!(sex("Mo FR").as_deref(), Some("F"));
        assert_eq!(sex("Mg FR").as_deref(), Some("F"));
        assert_eq!(sex("M☒ F☐").as_deref(), Some("M"));
        assert_eq!(sex("Male[] Female[X]").as_deref(), Some("F"));
        // Not a lone option with what may be a box after it: no other option to weigh it by.
        assert_eq!(sex("FR"), None);
        // Both marked, or neither: no guess.
        assert_eq!(sex("XM XF"), None);
        assert_eq!(sex("OM OF"), None);
        // An item's code before its answer; a number alone before a letter is no code.
        assert_eq!(sex("Enter Code 2 - Female").as_deref(), Some("F"));
        assert_eq!(sex("Enter Code 1. Male"), None);
        assert_eq!(sex("0. Male").as_deref(), Some("M"));
        // Both boxes read as letters or marks: the one not read as an empty box's shape.
        for (read, marked) in [
            ("CIM/H X F", "F"),
            ("OM/H QF", "F"),
            ("MM/H OF", "M"),
            ("x M/ 4H O F", "M"),
            // Radio buttons: a filled one read "@", an empty ring "©".
            ("@ Male © Female", "M"),
            ("© Male’ @ Female", "F"),
            ("O Male © Female", "F"),
        ] {
            assert_eq!(sex(read).as_deref(), Some(marked), "{read}");
        }
        assert_eq!(sex("OM/H OF"), None);
        assert_eq!(sex("XM/H XF"), None);
        assert_eq!(sex("12 F"), None);
    }

    #[test]
    fn an_assessments_item_numbers_are_no_words_of_a_caption() {
        for w in ["A0500.", "M0040.", "B0100A.", "MO069.", "GG0130."] {
            assert!(is_item_number(w), "{w}");
        }
        for w in ["A0500", "MOOD.", "Dr.", "12.", "ABC123.", "A1."] {
            assert!(!is_item_number(w), "{w}");
        }
        let text = "B0200. Date of Birth";
        assert!(is_label_row(text, &find_labels_in(text)));
    }

    #[test]
    fn alternatives_parted_by_a_slash_name_the_field_of_the_first() {
        assert_eq!(keys("Patient ID/Account #: MR0041"), [Key::Mrn(1)]);
        assert_eq!(keys("Chart No./Billing Ref: MR0041"), [Key::Mrn(0)]);
        assert_eq!(keys("Account #/Visit No.: 0041"), [Key::Other]);
    }

    #[test]
    fn a_caption_where_a_name_was_looked_for_is_nobodys_name() {
        assert!(caption_words(&Some("Sponsor's".into()), "SSN"));
        assert!(caption_words(&None, "Number"));
        // A caption row's words where a name was looked for: what the caption names a value.
        assert!(caption_words(&Some("Provincial".into()), "Number"));
        assert!(caption_words(&Some("Visit".into()), "Date"));
        assert!(caption_words(&Some("Pi".into()), "NPI"));
        assert!(!caption_words(&Some("Jo".into()), "Fakeson"));
        // A surname that is also a label's word, with a given name, is a name.
        assert!(!caption_words(&Some("Olive".into()), "Ward"));
        // Captions in French name their fields too.
        assert_eq!(keys("Médecin traitant: x"), [Key::Provider(0)]);
        assert_eq!(keys("Numéro de dossier: x"), [Key::Mrn(0)]);
    }

    #[test]
    fn identifiers_and_ocr_zeroes() {
        assert_eq!(identifier("©09049838"), None);
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
        // A form's date boxes, read with their rules; digits alone where a label says date.
        assert_eq!(d("07 | 12 | 1952 | F"), Some(("1952-07-12".into(), 5)));
        assert_eq!(d("10 [24 |1991 M"), Some(("1991-10-24".into(), 3)));
        assert_eq!(d("01 (22 |1940 | Mp"), Some(("1940-01-22".into(), 3)));
        assert_eq!(d("03271982 M"), Some(("1982-03-27".into(), 1)));
        assert_eq!(d("1005 1996"), Some(("1996-10-05".into(), 2)));
        assert_eq!(d("13271982"), None);
        assert_eq!(sex("Female").as_deref(), Some("F"));
        assert_eq!(sex("Fem.").as_deref(), Some("F"));
        assert_eq!(sex("Man").as_deref(), Some("M"));
        // Both boxes printed: the marked one, or nothing.
        assert_eq!(sex("X Male [ ] Female").as_deref(), Some("M"));
        assert_eq!(sex("[] Male & Female").as_deref(), Some("F"));
        assert_eq!(sex("[]Male Female"), None);
        assert_eq!(sex("M F"), None);
        assert_eq!(sex("F 03/02/2024 Male").as_deref(), Some("F"));
        assert_eq!(sex("?"), None);
    }

    fn keys(text: &str) -> Vec<Key> {
        find_labels_in(text).iter().map(|f| f.key).collect()
    }

    #[test]
    fn labels_without_colons_need_a_label_row_or_a_valid_value() {
        let f = find_labels_in("Patient Name   MRN   DOB");
        assert_eq!(f.len(), 3);
        assert!(is_label_row("Patient Name   MRN   DOB", &f));
        // Without the form's gaps, the label words are cut where one label ends.
        assert_eq!(keys("Patient Name MRN DOB"), [Key::Patient(0), Key::Mrn(0), Key::Dob]);
        assert!(is_label_row("NPI", &find_labels_in("NPI")));
        // A word that names a field alone may stand over its value; one that qualifies another
        // may not.
        assert!(is_label_row("Patient", &find_labels_in("Patient")));
        assert!(!is_label_row("Family", &find_labels_in("Family")));
        assert!(is_label_row("Patient Name", &find_labels_in("Patient Name")));
        let text = "Patient: Alice Testpatient  MRN 00123456";
        let f = find_labels_in(text);
        assert_eq!(f.iter().map(|f| f.key).collect::<Vec<_>>(), [Key::Patient(0), Key::Mrn(0)]);
        assert!(!is_label_row(text, &f));
        assert!(validates(Key::Mrn(0), "00123456"));
        assert!(!validates(Key::Dos(0), "Santos"));
    }

    #[test]
    fn a_label_is_read_back_from_its_colon_over_its_words_only() {
        let text = "Patient: TESTPATIENT, ALICE Q Medical Record Number: 00123456";
        let f = find_labels_in(text);
        assert_eq!(f.iter().map(|f| f.key).collect::<Vec<_>>(), [Key::Patient(0), Key::Mrn(0)]);
        assert_eq!(&text[f[1].start..f[1].end], "Medical Record Number:");
        // A colon after a word no label uses ends the value before it.
        let f = find_labels_in("Pt Name: Alice Testpatient Visit Type: follow-up");
        assert_eq!(f.iter().map(|f| f.key).collect::<Vec<_>>(), [Key::Patient(0), Key::Other]);
        assert_eq!(keys("Name:Alice Fakename"), [Key::Patient(1)]);
        assert_eq!(keys("Seen on : 03/04/2024"), [Key::Dos(0)]);
    }

    #[test]
    fn ocr_mangled_dob_labels_and_stray_punctuation() {
        for text in ["D.O:Bs 1990-12-08", "D,©:8:: 1990-12-08", "_D.O.B.: 1990-12-08"] {
            let f = find_labels_in(text);
            assert_eq!(f.first().map(|f| f.key), Some(Key::Dob), "{text}");
        }
        let f = find_labels_in("MAN #: 20440424");
        assert_eq!((f[0].key, f[0].punct), (Key::Mrn(0), true));
        assert_eq!(keys("Man: 20440424"), [Key::Other]);
        let f = find_labels_in("Patient! MOCKFORD, CARMEN");
        assert_eq!((f[0].key, f[0].punct), (Key::Patient(0), true));
        assert_eq!(keys("PatientName MRN"), [Key::Patient(0), Key::Mrn(0)]);
        let f = find_labels_in("NPI. #: 1612136097");
        assert_eq!((f[0].key, f[0].punct), (Key::Npi(1), true));
        let f = find_labels_in("Registration Date — Physician");
        assert!(is_label_row("Registration Date — Physician", &f));
    }

    #[test]
    fn a_persons_label_over_a_number_gives_that_persons_number() {
        let f = crate::extract(&[crate::tests::page(
            "PROGRESS NOTE\nPerson Source Value: 322732228\nPatient Name: TESTLY, CARLA\n\
             Rendering Provider: 1234567893",
        )])
        .fields;
        assert_eq!(f.patient.mrn.as_deref(), Some("322732228"));
        assert_eq!(f.patient.family.as_deref(), Some("Testly"));
        assert_eq!(f.provider.npi.as_deref(), Some("1234567893"));
        // A clinician's label over a number whose check digit fails gives no NPI.
        let f = crate::extract(&[crate::tests::page("PROGRESS NOTE\nProvider: 1234567890")]).fields;
        assert_eq!(f.provider.npi, None);
    }

    #[test]
    fn a_name_in_two_labels_of_its_own_whichever_comes_first() {
        for text in [
            "INTAKE\nSurname of Patient: TESTLY\nFull Names of Patient: Carla",
            "INTAKE\nFull Names of Patient: Carla\nSurname of Patient: TESTLY",
        ] {
            let f = crate::extract(&[crate::tests::page(text)]).fields;
            assert_eq!(f.patient.family.as_deref(), Some("Testly"), "{text}");
            assert_eq!(f.patient.given.as_deref(), Some("Carla"), "{text}");
        }
        // An insured's name parts are the patient's only where no label names the patient.
        let f = crate::extract(&[crate::tests::page(
            "NOTE\nPatient Name: Testly, Carla\nInsured Last Name: Placebo\nInsured First Name: Dan",
        )])
        .fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testly"));
        assert_eq!(f.patient.given.as_deref(), Some("Carla"));
        // (Nor does an insured's part stay beside the patient's own: one person's name.)
        let f = crate::extract(&[crate::tests::page(
            "NOTE\nInsured Last Name: Placebo\nPatient First Name: Carla\nPatient Last Name: Testly",
        )])
        .fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testly"));
        assert_eq!(f.patient.given.as_deref(), Some("Carla"));
        let f = crate::extract(&[crate::tests::page(
            "CLAIM\nInsured Last Name: Placebo\nInsured First Name: Dan",
        )])
        .fields;
        assert_eq!(f.patient.family.as_deref(), Some("Placebo"));
        assert_eq!(f.patient.given.as_deref(), Some("Dan"));
    }

    #[test]
    fn dates_written_into_boxes_lose_the_borders_ocr_read() {
        assert_eq!(
            leading_date("11 -| 03 - | 1962").map(|(d, _)| d.iso()).as_deref(),
            Some("1962-11-03")
        );
        let d = |v: &str| leading_date(v).map(|(d, _)| d.iso());
        assert_eq!(d("06 |-/18 |-|2016").as_deref(), Some("2016-06-18"));
        // (A border read as a "1" before a box's digits.)
        assert_eq!(d("09 |-122 |-]2018").as_deref(), Some("2018-09-22"));
        assert_eq!(d("04 |-]14 |-11941").as_deref(), Some("1941-04-14"));
        // A day of three digits without a border before it is no date.
        assert_eq!(d("09 122 2018"), None);
        // "Date of" a word the vocabulary lacks is a date's label.
        let f =
            crate::extract(&[crate::tests::page("NOTE\nDate of Transfusion: 03/04/2020")]).fields;
        assert_eq!(f.service_date.as_deref(), Some("2020-03-04"));
    }

    #[test]
    fn values_are_typed_by_their_shape() {
        assert!(plausible(Key::Patient(0), "TESTPATIENT, ALICE"));
        assert!(!plausible(Key::Patient(0), "03/04/2024"));
        assert!(!plausible(Key::Patient(0), "Chart #"));
        assert!(plausible(Key::Mrn(0), "MR00123"));
        assert!(!plausible(Key::Mrn(0), "Testpatient"));
        assert!(plausible(Key::Dob, "March 2, 1961"));
        assert!(!plausible(Key::Dob, "12345678"));
        assert!(plausible(Key::Sex, "Female"));
        assert!(!plausible(Key::Sex, "Fakedoc"));
        assert!(plausible(Key::Npi(0), "1234567893"));
        assert!(!plausible(Key::Npi(0), "1234567890"));
        assert!(!plausible(Key::Other, "anything"));
    }

    #[test]
    fn an_identifier_split_by_ocr_is_joined_only_when_it_then_reads_as_one() {
        assert_eq!(identifier("MR1 32263"), Some(("MR132263".into(), false)));
        assert_eq!(identifier("00123456 789"), Some(("00123456".into(), false)));
        assert_eq!(identifier("MR1 Smith"), None);
        assert_eq!(identifier("123 456 7890"), Some(("1234567890".into(), false)));
    }

    #[test]
    fn a_name_label_qualified_by_another_role_is_not_the_patient() {
        assert_eq!(keys("Emergency Contact Name: Pat Fakename")[0], Key::Other);
        let e = crate::extract(&[crate::tests::page("Emergency Contact Name: Pat Fakename")]);
        assert_eq!(e.fields.patient.family, None);
        assert_eq!(keys("Name: Pat Fakename")[0], Key::Patient(1));
        assert_eq!(keys("Name: Chart.#: 58166449"), [Key::Patient(1), Key::Mrn(0)]);
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
    fn a_forms_options_with_their_marks_are_one_value_however_far_apart() {
        // "Sex:  ☐ M        ☒ F" with the options spread across the field, and another field
        // after them.
        let p = page(&[&[
            ("Patient:", 100),
            ("Jane", 240),
            ("Testpatient", 320),
            ("Sex:", 700),
            ("☐", 780),
            ("M", 810),
            ("☒", 980),
            ("F", 1010),
            ("MRN:", 1300),
            ("00123456", 1380),
        ]]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        assert_eq!(f.patient.mrn.as_deref(), Some("00123456"));
        let p = page(&[
            &[("Sex:", 100), ("☐", 180), ("M", 210), ("☒", 700), ("F", 740)],
            &[("Date", 100), ("of", 170), ("Visit:", 210), ("01/23/2021", 310)],
        ]);
        let lines = crate::layout::lines(&p);
        assert_eq!(lines[0].cell_ranges(), [(0, 4)]);
    }

    #[test]
    fn a_sex_marked_under_its_caption_in_a_row_of_columns() {
        // A grid of captions over values, the sex's options spread under its caption.
        let p = page(&[
            &[("Patient", 100), ("Name", 200), ("Sex", 700), ("MRN", 1200)],
            &[
                ("Jane", 100),
                ("Testpatient", 180),
                ("☐", 640),
                ("M", 670),
                ("☒", 820),
                ("F", 850),
                ("00123456", 1200),
            ],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        assert_eq!(f.patient.mrn.as_deref(), Some("00123456"));
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        // The marks and their options one column: the values still one to each caption.
        let p = page(&[
            &[
                ("Patient's", 356),
                ("Name", 465),
                ("and", 543),
                ("Address", 596),
                ("Identifier", 928),
                ("Patient", 1343),
                ("DOB", 1433),
                ("Sex", 1759),
                ("at", 1812),
                ("Birth", 1843),
            ],
            &[
                ("FAUXBERG,", 373),
                ("JONAH", 630),
                ("160432681", 944),
                ("Oct", 1358),
                ("3,", 1438),
                ("1945", 1490),
                ("☒", 1778),
                ("M", 1831),
                ("☐", 1937),
                ("F", 1990),
            ],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.dob.as_deref(), Some("1945-10-03"));
        assert_eq!(f.patient.sex.as_deref(), Some("M"));
        // Marks after their options, and the next column's date after them.
        let p = page(&[
            &[("Encounter", 100), ("No.", 300), ("Sex", 700), ("Date", 1100), ("Written", 1210)],
            &[("V4516414", 100), ("M", 700), ("☐", 720), ("F", 800), ("☒", 820), ("3/11/21", 1100)],
        ]);
        let lines = crate::layout::lines(&p);
        let cols = crate::labels::columns(&lines[1], 8);
        assert_eq!(cols.len(), 3, "{cols:?}");
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        assert_eq!(f.service_date.as_deref(), Some("2021-03-11"));
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
        assert!(crate::vocab::starts_no_name("Chart"));
        assert!(!crate::vocab::starts_no_name("Charity"));
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
                ("Record", 812),
                ("Number:", 910),
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
    fn each_entry_printed_over_its_own_captions_colon() {
        // A form that prints each entry above its caption, one pair a line: the entry is the
        // caption's when the line under holds a caption of its own.
        let p = page(&[
            &[("REGISTRATION", 201), ("FORM", 420)],
            &[("TESTLY,", 201), ("CARLA", 330)],
            &[("Full", 201), ("Names:", 270)],
            &[("12/03/1961", 201)],
            &[("Birth", 201), ("Date:", 290)],
            &[("Telephone:", 201), ("555-0100", 400)],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testly"));
        assert_eq!(f.patient.given.as_deref(), Some("Carla"));
        assert_eq!(f.patient.dob.as_deref(), Some("1961-12-03"));
        // Not a title over the caption, nor an entry an empty caption over it already has.
        let p = page(&[
            &[("Admission", 201), ("Profile", 380)],
            &[("Patient", 201), ("Name:", 330)],
            &[("MRN:", 201), ("00123456", 300)],
        ]);
        assert_eq!(extract(&[p]).fields.patient.family, None);
    }

    #[test]
    fn an_interfaces_element_list_labels_without_colons() {
        // "Loop Seg Elem | Name Value" rows of a claim's print: codes, the element's name, its
        // value.
        let p = page(&[
            &[
                ("2010CA", 201),
                ("NM1", 320),
                ("03", 400),
                ("Family", 460),
                ("Name", 560),
                ("PLACEBO", 700),
            ],
            &[
                ("2010CA", 201),
                ("NM1", 320),
                ("04", 400),
                ("Given", 460),
                ("Name", 560),
                ("Carla", 700),
            ],
            &[
                ("2300", 201),
                ("DTP", 320),
                ("03", 400),
                ("Date", 460),
                ("Completed", 540),
                ("20190615", 700),
            ],
            &[
                ("2310B", 201),
                ("NM1", 320),
                ("03", 400),
                ("Cardiologist", 460),
                ("Ann", 700),
                ("Fakedoc,", 760),
                ("MD", 900),
            ],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Placebo"));
        assert_eq!(f.patient.given.as_deref(), Some("Carla"));
        assert_eq!(f.service_date.as_deref(), Some("2019-06-15"));
        assert_eq!(f.provider.family.as_deref(), Some("Fakedoc"));
        // Without its codes, a label's words and a word after them are no pair: running text.
        let p = page(&[&[("Family", 201), ("Name", 300), ("Placebo", 400)]]);
        assert_eq!(extract(&[p]).fields.patient.family, None);
    }

    #[test]
    fn values_over_their_captions_are_read_from_the_line_above() {
        // A fill-in form: each value on a line, its caption printed under it.
        let p = page(&[
            &[("TESTPATIENT,", 201), ("ALICE", 400), ("00123456", 700)],
            &[("Patient's", 201), ("Name", 340), ("MR", 700), ("#", 740)],
            &[("F", 201), ("03/04/2024", 700)],
            &[("Sex", 201), ("Date", 700), ("Seen", 770)],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.mrn.as_deref(), Some("00123456"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        assert_eq!(f.service_date.as_deref(), Some("2024-03-04"));
    }

    #[test]
    fn a_label_set_apart_by_the_forms_gap_needs_no_colon() {
        let p = page(&[
            &[("PATIENT", 201), ("NAME", 308), ("ALICE", 600), ("TESTPATIENT", 690)],
            &[("ATTENDING", 201), ("ALAN", 600), ("FAKEDOC", 670)],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.provider.family.as_deref(), Some("Fakedoc"));
        // Words of a label in running text are not a label.
        let p = page(&[&[("The", 201), ("patient", 260), ("Alice", 370), ("improved", 450)]]);
        assert_eq!(extract(&[p]).fields.patient.family, None);
    }

    #[test]
    fn an_unlabelled_identifier_is_the_mrn_only_when_it_is_the_only_one() {
        // An addressograph plate: the name and birth date labelled, the number not.
        let rows: &[&[(&str, u32)]] = &[
            &[("Patient:", 201), ("Alice", 330), ("Testpatient", 420)],
            &[("4455667", 201), ("Account", 500), ("#:", 610), ("99887766", 660)],
            &[("DOB:", 201), ("01/02/1960", 280)],
        ];
        let e = extract(&[page(rows)]);
        assert_eq!(e.fields.patient.mrn.as_deref(), Some("4455667"));
        let mrn = e.evidence_for("patient.mrn").unwrap();
        assert!(mrn.confidence < 0.6, "{mrn:?}");
        assert!(!e.doubts(0.6).is_empty());
        // Two such numbers: which one is the MRN, the page does not say.
        let mut two = rows.to_vec();
        two.insert(2, &[("5566778", 201)]);
        assert_eq!(extract(&[page(&two)]).fields.patient.mrn, None);
        // Nor is a number the MRN in a page without a labelled header.
        let p = page(&[&[("Call", 201), ("4455667", 300)]]);
        assert_eq!(extract(&[p]).fields.patient.mrn, None);
        // A name's label does not claim a number after it (no name has digits): the number
        // beside the patient's name is still the only one.
        let beside: &[&[(&str, u32)]] = &[
            &[("Patient:", 201), ("Alice", 330), ("Testpatient", 420), ("4455667", 900)],
            &[("DOB:", 201), ("01/02/1960", 280)],
        ];
        assert_eq!(extract(&[page(beside)]).fields.patient.mrn.as_deref(), Some("4455667"));
        // Ten digits that open with a 1 or a 2 may be an NPI whose check digit OCR spoiled.
        let npi: &[&[(&str, u32)]] = &[
            &[("Patient:", 201), ("Alice", 330), ("Testpatient", 420)],
            &[("2936222005", 201)],
            &[("DOB:", 201), ("01/02/1960", 280)],
        ];
        assert_eq!(extract(&[page(npi)]).fields.patient.mrn, None);
    }

    #[test]
    fn a_hands_entry_written_over_the_rule_after_its_caption_is_its_value() {
        // "MOCKINGLY, ALICE" written a little high after "Patient Name (Last, First):", the
        // next caption's entry ("53") under it.
        let word = |t: &str, x: u32, y: u32, h: u32| Word {
            text: t.into(),
            bbox: BBox { x, y, w: 18 * t.len() as u32, h },
            confidence: 0.93,
        };
        let words = vec![
            word("MOCKINGLY,", 760, 488, 51),
            word("ALICE", 1146, 488, 44),
            word("Patient", 228, 538, 26),
            word("Name", 361, 538, 26),
            word("(Last,", 475, 537, 31),
            word("First):", 580, 537, 31),
            word("53", 635, 599, 41),
            word("Age:", 228, 657, 26),
        ];
        let p = PageText {
            number: 1,
            text: "MOCKINGLY, ALICE\nPatient Name (Last, First):\n53\nAge:".into(),
            confidence: 0.93,
            method: TextMethod::Ocr,
            words,
            meta: Default::default(),
        };
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Mockingly"));
        assert_eq!(f.patient.given.as_deref(), Some("Alice"));
    }

    #[test]
    fn a_facility_ocr_barely_made_out_is_no_facilitys_name() {
        let rows: &[&[(&str, u32)]] = &[
            &[("Patient:", 201), ("Alice", 330), ("Testpatient", 420)],
            &[("Facility:", 201), ("Sampleton", 340), ("Clinic", 480)],
        ];
        let read = extract(&[page(rows)]).fields;
        assert_eq!(read.facility.as_deref(), Some("Sampleton Clinic"));
        let mut p = page(rows);
        for w in &mut p.words[4..] {
            w.confidence = 0.2;
        }
        assert_eq!(extract(&[p]).fields.facility, None);
    }

    #[test]
    fn a_clinicians_value_may_open_with_the_kind_of_person_it_names() {
        let f = extract(&[crate::tests::page(
            "Consent\nsubject: Ines FAUXBERG\nperformer: Practitioner NOTAPHYS, ROSA MD",
        )])
        .fields;
        assert_eq!(f.provider.family.as_deref(), Some("Notaphys"));
        assert_eq!(f.provider.given.as_deref(), Some("Rosa"));
        // Nor is the parenthesis the reference closes part of the name.
        let f = extract(&[crate::tests::page(
            "Specimen\nRequest: ServiceRequest (requester: Practitioner Owen Shamfield, MD)",
        )])
        .fields;
        assert_eq!(f.provider.family.as_deref(), Some("Shamfield"));
        assert_eq!(f.provider.given.as_deref(), Some("Owen"));
        // A role word alone after the label is no name.
        let f = extract(&[crate::tests::page("Consent\nperformer: Practitioner")]).fields;
        assert_eq!(f.provider.family, None);
    }

    #[test]
    fn an_unlabelled_npi_is_the_clinicians_only_when_it_is_the_only_valid_one() {
        // A portal's tile whose caption OCR garbled: the number under it checks as an NPI.
        let rows: &[&[(&str, u32)]] = &[
            &[("Patient:", 201), ("Alice", 330), ("Testpatient", 420)],
            &[("Provider:", 201), ("Samuel", 330), ("Mockwell,", 440), ("MD", 570)],
            &[("THSATIVG", 201), ("FF", 330), ("VIPSES", 380)],
            &[("1089139731", 201)],
            &[("DOB:", 201), ("01/02/1960", 280)],
        ];
        let e = extract(&[page(rows)]);
        assert_eq!(e.fields.provider.npi.as_deref(), Some("1089139731"));
        assert!(e.evidence_for("provider.npi").unwrap().confidence < 0.6);
        // Two of them: whose is whose, the page does not say.
        let mut two = rows.to_vec();
        two.insert(4, &[("1073027686", 201)]);
        assert_eq!(extract(&[page(&two)]).fields.provider.npi, None);
        // A check digit that fails is no NPI (an account number of ten digits).
        let mut spoiled = rows.to_vec();
        spoiled[3] = &[("1089139732", 201)];
        assert_eq!(extract(&[page(&spoiled)]).fields.provider.npi, None);
        // Nor is there a clinician's NPI on a page that names no clinician.
        let mut nobody = rows.to_vec();
        nobody.remove(1);
        assert_eq!(extract(&[page(&nobody)]).fields.provider.npi, None);
    }

    #[test]
    fn labels_before_a_rule_or_a_leader_need_no_colon() {
        let p = page(&[
            &[
                ("Patient", 201),
                ("Name", 310),
                ("..........", 380),
                ("TESTPATIENT,", 540),
                ("ALICE", 720),
            ],
            &[
                ("|", 180),
                ("Attending", 201),
                ("|", 340),
                ("Alan", 360),
                ("Fakedoc", 430),
                ("|", 560),
            ],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.provider.family.as_deref(), Some("Fakedoc"));
    }

    #[test]
    fn the_name_opening_a_banner_of_identifiers_is_the_patient() {
        let rows: &[&[(&str, u32)]] = &[&[
            ("TESTPATIENT,", 201),
            ("ALICE", 380),
            ("MRN:", 600),
            ("00123456", 670),
            ("DOB:", 900),
            ("03/14/1961", 970),
        ]];
        let e = extract(&[page(rows)]);
        assert_eq!(e.fields.patient.family.as_deref(), Some("Testpatient"));
        assert!(e.evidence_for("patient.family").unwrap().confidence < 0.7);
        // Written first-last, before both an MRN and a birth date.
        let p = page(&[&[
            ("Alice", 201),
            ("Testpatient", 290),
            ("(MRN", 500),
            ("00123456)", 580),
            ("DOB:", 800),
            ("03/14/1961", 870),
        ]]);
        assert_eq!(extract(&[p]).fields.patient.family.as_deref(), Some("Testpatient"));
        // Not a name written first-last without identifiers beside it, nor over a labelled one.
        let p =
            page(&[&[("Alice", 201), ("Testpatient", 300), ("Visit:", 600), ("Follow-up", 700)]]);
        assert_eq!(extract(&[p]).fields.patient.family, None);
        let p = page(&[
            &[("TESTPATIENT,", 201), ("ALICE", 380), ("MRN:", 600), ("00123456", 670)],
            &[("Patient:", 201), ("Bruno", 330), ("Fakename", 420)],
        ]);
        assert_eq!(extract(&[p]).fields.patient.family.as_deref(), Some("Fakename"));
    }

    #[test]
    fn a_forms_sections_say_whose_its_generic_labels_are() {
        let p = page(&[
            &[("PATIENT", 201), ("INFORMATION", 330)],
            &[("Name:", 201), ("Alice", 300), ("Testpatient", 390)],
            &[("ID", 201), ("#:", 240), ("00123456", 300)],
            &[("GUARANTOR", 201)],
            &[("Name:", 201), ("Pat", 300), ("Testpatient", 360)],
            &[("DOB:", 201), ("01/02/1950", 300)],
            &[("REFERRING", 201), ("PHYSICIAN", 360)],
            &[("Name:", 201), ("Rita", 300), ("Fakeref", 370)],
            &[("NPI:", 201), ("1234567893", 300)],
            &[
                ("Attending:", 201),
                ("Alan", 360),
                ("Fakedoc", 430),
                ("NPI:", 700),
                ("1245319599", 770),
            ],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.given.as_deref(), Some("Alice"));
        assert_eq!(f.patient.mrn.as_deref(), Some("00123456"));
        // The guarantor's birth date is not the patient's.
        assert_eq!(f.patient.dob, None);
        // The attending and the NPI on their row beat the referring physician's.
        assert_eq!(f.provider.family.as_deref(), Some("Fakedoc"));
        assert_eq!(f.provider.npi.as_deref(), Some("1245319599"));
    }

    #[test]
    fn sections_side_by_side_head_their_own_columns() {
        let p = page(&[
            &[("NEXT", 201), ("OF", 290), ("KIN", 340), ("CLIENT", 1000), ("DETAILS", 1110)],
            &[
                ("Name:", 201),
                ("Pat", 300),
                ("Doe", 360),
                ("Name:", 1000),
                ("Jane", 1100),
                ("Doe", 1180),
            ],
            &[("DOB:", 201), ("01/02/1950", 300), ("DOB:", 1000), ("07/04/1976", 1100)],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.given.as_deref(), Some("Jane"));
        assert_eq!(f.patient.dob.as_deref(), Some("1976-07-04"));
    }

    #[test]
    fn a_credential_after_a_name_is_no_label_and_a_columns_section_ends_alone() {
        // The referring physician's column: its NPI is not the attending's, though "MD" ends
        // the name on the row above it and the patient's column's section ended.
        let p = page(&[
            &[("PATIENT", 201), ("DETAILS", 330), ("REFERRING", 1000), ("DOCTOR", 1160)],
            &[
                ("Surname:", 201),
                ("DOE", 340),
                ("Name:", 1000),
                ("Rita", 1100),
                ("Fakeref", 1170),
                ("MD", 1290),
            ],
            &[("Given:", 201), ("JANE", 340), ("NPI:", 1000), ("1234567893", 1100)],
            &[("ATTENDING", 201), ("DOCTOR", 360), ("CONTACT", 1000)],
            &[
                ("Name:", 201),
                ("Alan", 300),
                ("Fakedoc", 370),
                ("Name:", 1000),
                ("Pat", 1100),
                ("Doe", 1160),
            ],
            &[("NPU", 201), ("1245319599", 300)],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Doe"));
        assert_eq!(f.patient.given.as_deref(), Some("Jane"));
        assert_eq!(f.provider.family.as_deref(), Some("Fakedoc"));
        // "NPU" is how OCR may read "NPI"; its check digit holds.
        assert_eq!(f.provider.npi.as_deref(), Some("1245319599"));
    }

    #[test]
    fn a_clinicians_box_with_its_name_in_last_and_first_boxes_under_it() {
        // "76 ATTENDING   NPI 1245319599" over "LAST  FAKEDOC   FIRST  ALAN", the captions
        // printed small; read as they are, and with the captions misread.
        for (last, first) in [("LAST", "FIRST"), ("tast", "rirst")] {
            let mut p = page(&[
                &[("76", 201), ("ATTENDING", 240), ("NPI", 700), ("1245319599", 760)],
                &[(last, 201), ("FAKEDOC", 280), (first, 700), ("ALAN", 790)],
                &[("Patient:", 201), ("Jane", 330), ("Doe", 400)],
            ]);
            for w in p.words.iter_mut().filter(|w| w.text == last || w.text == first) {
                w.bbox.h = 14;
                w.bbox.y += 6;
            }
            let f = extract(&[p]).fields;
            assert_eq!(f.provider.family.as_deref(), Some("Fakedoc"), "{last}");
            assert_eq!(f.provider.given.as_deref(), Some("Alan"), "{last}");
            assert_eq!(f.provider.npi.as_deref(), Some("1245319599"));
            assert_eq!(f.patient.family.as_deref(), Some("Doe"));
        }
    }

    #[test]
    fn a_row_of_small_captions_over_larger_entries_with_words_the_vocabulary_lacks() {
        // A claim form's boxes: "3. DOB   SOC. SEC. NO.   24A. DISCH DATE" in small print over
        // the entries, the birth date in three boxes.
        let mut p = page(&[
            &[
                ("3.", 201),
                ("DOB", 230),
                ("SOC.", 700),
                ("SEC.", 780),
                ("NO.", 850),
                ("24A.", 1200),
                ("DISCH", 1270),
                ("DATE", 1360),
            ],
            &[
                ("05", 201),
                ("|", 250),
                ("06", 270),
                ("|", 320),
                ("1986", 340),
                ("999-90-6221", 700),
                ("08/08/2018", 1200),
            ],
        ]);
        for w in p.words.iter_mut().filter(|w| w.bbox.y == 100) {
            w.bbox.h = 14;
            w.bbox.y += 12;
        }
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.dob.as_deref(), Some("1986-05-06"));
        assert_eq!(f.service_date.as_deref(), Some("2018-08-08"));
    }

    #[test]
    fn small_captions_under_a_fill_in_forms_entries_though_ocr_garbled_some() {
        // Entries written on a line, captions printed small under it: "Patier t IO" for
        // "Patient ID"; the next row's entries under the captions fit them worse.
        let mut p = page(&[
            &[("DOE,", 201), ("JANE", 280), ("X7740021", 700), ("07/04/1976", 1100)],
            &[
                ("Legal", 201),
                ("Name", 270),
                ("Patier", 700),
                ("t", 790),
                ("IO", 810),
                ("Date", 1100),
                ("of", 1170),
                ("Birth", 1210),
            ],
            &[("F", 201), ("03/02/2024", 700)],
            &[("Administrative", 201), ("Sex", 400), ("Date", 700), ("Seen", 770)],
        ]);
        for w in p.words.iter_mut().filter(|w| w.bbox.y == 146 || w.bbox.y == 238) {
            w.bbox.h = 14;
            w.bbox.y -= 20;
        }
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Doe"));
        assert_eq!(f.patient.given.as_deref(), Some("Jane"));
        assert_eq!(f.patient.dob.as_deref(), Some("1976-07-04"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        assert_eq!(f.service_date.as_deref(), Some("2024-03-02"));
    }

    #[test]
    fn captions_with_sub_captions_under_them_are_of_the_entries_under_those() {
        // A claim form's "3. DATE OF BIRTH" box with "MM DD YYYY" and "SEX" sub-captions.
        let mut p = page(&[
            &[
                ("3.", 201),
                ("DATE", 230),
                ("OF", 300),
                ("BIRTH", 340),
                ("4.", 900),
                ("PERSON", 940),
                ("TO", 1050),
                ("NOTIFY", 1090),
            ],
            &[("MM", 210), ("DD", 270), ("YYYY", 330), ("SEX", 600)],
            &[
                ("07", 210),
                ("|", 250),
                ("12", 270),
                ("|", 310),
                ("1952", 330),
                ("F", 600),
                ("CHRIS", 900),
                ("DOE", 990),
            ],
        ]);
        // Captions and sub-captions in small print close over the entries.
        for w in p.words.iter_mut() {
            match w.bbox.y {
                100 => (w.bbox.h, w.bbox.y) = (14, 126),
                146 => (w.bbox.h, w.bbox.y) = (14, 150),
                _ => w.bbox.y = 172,
            }
        }
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.dob.as_deref(), Some("1952-07-12"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
    }

    #[test]
    fn a_label_that_agrees_with_its_section_does_not_end_it() {
        // "Pt Last Name:" under PATIENT INFORMATION; the section still says whose "ID #:" is.
        let p = page(&[
            &[("PATIENT", 201), ("INFORMATION", 330), ("ORDERING", 1000), ("PHYSICIAN", 1160)],
            &[
                ("Pt", 201),
                ("Last", 240),
                ("Name:", 300),
                ("DOE", 400),
                ("Name:", 1000),
                ("Alan", 1100),
                ("Fakedoc", 1170),
            ],
            &[
                ("ID", 201),
                ("#:", 240),
                ("88347718", 300),
                ("Acct", 1000),
                ("No.:", 1070),
                ("2423154610", 1150),
            ],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.mrn.as_deref(), Some("88347718"));
        assert_eq!(f.patient.family.as_deref(), Some("Doe"));
        assert_eq!(f.provider.family.as_deref(), Some("Fakedoc"));
    }

    #[test]
    fn a_label_that_puts_the_family_name_first_says_how_to_read_a_name_without_its_comma() {
        let p = page(&[
            &[("Name", 201), ("(Surname", 290), ("First)", 420), ("DOE", 700), ("JANE", 780)],
            &[("Doctor", 201), ("(Family,", 300), ("Given):", 430), ("ROE", 700), ("RICHARD", 780)],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Doe"));
        assert_eq!(f.patient.given.as_deref(), Some("Jane"));
        assert_eq!(f.provider.family.as_deref(), Some("Roe"));
        assert_eq!(f.provider.given.as_deref(), Some("Richard"));
    }

    #[test]
    fn an_addressograph_plates_name_stands_alone_over_its_identifiers() {
        let p = page(&[
            &[("TESTPATIENT,", 201), ("ALICE", 380)],
            &[("MRN", 201), ("00123456", 280), ("DOB", 500), ("03/14/1961", 570)],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.mrn.as_deref(), Some("00123456"));
    }

    #[test]
    fn a_labels_explanation_is_part_of_it() {
        let p = page(&[
            &[
                ("PATIENT'S", 201),
                ("NAME", 340),
                ("(Last", 410),
                ("Name,", 480),
                ("First", 560),
                ("Name)", 630),
                ("DOB", 900),
                ("(mm/dd/yyyy)", 960),
            ],
            &[("TESTPATIENT,", 201), ("ALICE", 380), ("03/14/1961", 900)],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.given.as_deref(), Some("Alice"));
        assert_eq!(f.patient.dob.as_deref(), Some("1961-03-14"));
    }

    #[test]
    fn an_explanation_or_a_format_before_the_value_belongs_to_its_label() {
        // Before the colon, after a label without one, and what OCR left of a leader.
        let p = page(&[
            &[("Gender", 200), ("(M/F):", 300), ("F", 420)],
            &[
                ("Client", 200),
                ("Name", 300),
                ("(Surname,", 380),
                ("Given)", 520),
                ("DOE,", 700),
                ("JANE", 780),
            ],
            &[
                ("Birth", 200),
                ("Date", 280),
                ("MM", 350),
                ("DD", 400),
                ("YYYY", 450),
                ("07", 700),
                ("04", 750),
                ("1976", 800),
            ],
            &[("Chart", 200), ("No.", 290), ("......ce.eee", 350), ("X7740021", 700)],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        assert_eq!(f.patient.family.as_deref(), Some("Doe"));
        assert_eq!(f.patient.given.as_deref(), Some("Jane"));
        assert_eq!(f.patient.dob.as_deref(), Some("1976-07-04"));
        assert_eq!(f.patient.mrn.as_deref(), Some("X7740021"));
        let p = page(&[
            &[("Date", 200), ("of", 270), ("Birth", 310), ("MM/DD/YY:", 400), ("07/04/76", 560)],
            &[("Visit", 200), ("Date(MM/DD/YYYY)", 280), ("|", 560), ("03/02/2024", 600)],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.dob.as_deref(), Some("1976-07-04"));
        assert_eq!(f.service_date.as_deref(), Some("2024-03-02"));
    }

    #[test]
    fn a_name_ends_at_the_gap_before_the_next_column() {
        let p = page(&[&[
            ("Surgeon:", 200),
            ("Robert", 330),
            ("Fakedoc,", 430),
            ("DO", 560),
            ("Ward", 900),
            ("East", 980),
        ]]);
        let f = extract(&[p]).fields;
        assert_eq!(f.provider.given.as_deref(), Some("Robert"));
        assert_eq!(f.provider.family.as_deref(), Some("Fakedoc"));
    }

    #[test]
    fn a_title_at_the_far_end_of_the_letterheads_row_is_not_the_facility() {
        let p = page(&[
            &[
                ("RIVERBEND", 201),
                ("TEST", 350),
                ("CLINIC", 420),
                ("PROGRESS", 1200),
                ("NOTE", 1330),
            ],
            &[("Patient:", 201), ("Alice", 330), ("Testpatient", 420)],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.facility.as_deref(), Some("Riverbend Test Clinic"));
        assert_eq!(f.doc_type, Some(chartdex_core::DocType::ProgressNote));
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

    /// A page of `rows` over three lines of a note's body, whose word spaces tell a form's gaps
    /// from a sentence's.
    fn with_body(rows: &[&[(&str, u32)]]) -> PageText {
        const BODY: [&[(&str, u32)]; 3] = [
            &[("Cough", 160), ("for", 246), ("two", 302), ("weeks,", 358), ("worse", 456)],
            &[("No", 160), ("fever", 204), ("and", 290), ("no", 348), ("chills", 392)],
            &[("Lungs", 160), ("clear", 246), ("on", 332), ("both", 376), ("sides", 448)],
        ];
        let all: Vec<&[(&str, u32)]> = rows.iter().copied().chain(BODY).collect();
        page(&all)
    }

    /// The tokens of a line of text, without boxes.
    fn typed_line(text: &str) -> crate::layout::Line<'_> {
        let tokens = crate::layout::split_tokens(text)
            .map(|(start, t)| crate::layout::Token {
                start,
                end: start + t.len(),
                bbox: None,
                page_box: None,
                confidence: 1.0,
            })
            .collect();
        crate::layout::Line { page: 1, text, tokens, space: 0.0 }
    }

    /// A page typed as `text` reads: each word boxed where its characters stand (14 px each),
    /// so two spaces are a form's gap.
    fn typed(text: &str) -> PageText {
        let rows: Vec<Vec<(&str, u32)>> = text
            .lines()
            .map(|l| {
                crate::layout::split_tokens(l).map(|(at, t)| (t, 100 + 14 * at as u32)).collect()
            })
            .collect();
        let rows: Vec<&[(&str, u32)]> = rows.iter().map(Vec::as_slice).collect();
        page(&rows)
    }

    #[test]
    fn labels_joined_by_slashes_over_values_in_the_same_order() {
        let f = extract(&[typed(
            "Name/MRN: TESTPATIENT, ALICE / 00123456\n\
             DOB/Age: 03/14/1961 (62 y)    Age/Sex: 62 y F\n\
             Visit Date: 03/02/2024",
        )])
        .fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.mrn.as_deref(), Some("00123456"));
        assert_eq!(f.patient.dob.as_deref(), Some("1961-03-14"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        let f = extract(&[typed("Pt Name: Alice Testpatient\nSex/DOB: M/03/14/1961")]).fields;
        assert_eq!(
            (f.patient.sex.as_deref(), f.patient.dob.as_deref()),
            (Some("M"), Some("1961-03-14"))
        );
        // A bare "Date" or "Time" is part of the label it joins, not a label of its own.
        let f =
            extract(&[typed("Date/Time of Birth: 03/14/1961\nAdmit Date/Time: 03/02/2024 10:30")])
                .fields;
        assert_eq!(f.patient.dob.as_deref(), Some("1961-03-14"));
        assert_eq!(f.service_date.as_deref(), Some("2024-03-02"));
    }

    #[test]
    fn a_letters_subject_line_date_and_signer() {
        let letter = "NOTREAL FAMILY CLINIC\n\
                      March 2, 2024\n\
                      Dr. Owen Otherdoc\n\
                      RE: Alice Testpatient\n\
                      DOB: 03/14/1961    Dictation Date: 03/05/2024\n\
                      Dear Dr. Otherdoc:\n\
                      Thank you for asking me to see her.\n\
                      Sincerely,\n\
                      Linda Nodoctor, MD\n\
                      NPI: 1234567893";
        let e = extract(&[typed(letter)]);
        let f = &e.fields;
        assert_eq!(
            (f.patient.given.as_deref(), f.patient.family.as_deref()),
            (Some("Alice"), Some("Testpatient"))
        );
        assert_eq!(f.service_date.as_deref(), Some("2024-03-02"));
        assert!(e.evidence_for("service_date").unwrap().confidence < 0.8);
        assert_eq!(f.provider.family.as_deref(), Some("Nodoctor"));
        assert_eq!(f.provider.npi.as_deref(), Some("1234567893"));
        // A subject line that names a topic names nobody; and no letter, no letter's date.
        let f = extract(&[typed("RE: Lab Results\nDear Dr. Otherdoc:\nSee below.")]).fields;
        assert_eq!(f.patient.family, None);
        let f =
            extract(&[typed("NOTREAL FAMILY CLINIC\nMarch 2, 2024\nAssessment: stable.")]).fields;
        assert_eq!(f.service_date, None);
        // A date over its caption is that caption's, not the letter's.
        let f = extract(&[typed(
            "Referral Date: 03/01/2024\nMarch 9, 2024\nNext Appointment\nDear Dr. Lee:",
        )])
        .fields;
        assert_eq!(f.service_date.as_deref(), Some("2024-03-01"));
        // The signature's scrawl OCR read as letters is no signer.
        let mut p = typed("Sincerely,\nNi Iv\nDear Dr. Lee:");
        p.words
            .iter_mut()
            .filter(|w| w.text == "Ni" || w.text == "Iv")
            .for_each(|w| w.confidence = 0.2);
        assert_eq!(extract(&[p]).fields.provider.family, None);
    }

    #[test]
    fn a_banners_bars_cut_its_name_from_what_its_values_say() {
        let f = extract(&[typed(
            "Alice Testpatient  |  F  |  62 yrs  |  DOB 03/14/1961  |  MRN 00123456",
        )])
        .fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
    }

    #[test]
    fn an_events_label_over_a_clinicians_name_is_who_did_it() {
        let f =
            extract(&[typed("Signed: Linda Nodoctor, MD\nExam: XR CHEST PA AND LATERAL")]).fields;
        assert_eq!(f.provider.family.as_deref(), Some("Nodoctor"));
        let f = extract(&[typed("Exam: XR CHEST PA AND LATERAL\nDate: 03/02/2024")]).fields;
        assert_eq!(f.provider.family, None);
        // A role opening a line needs no colon before a clinician's name and nothing else.
        let f = extract(&[typed("Clinician Linda Nodoctor, MD")]).fields;
        assert_eq!(f.provider.family.as_deref(), Some("Nodoctor"));
        let f = extract(&[typed("Clinician notes were reviewed.")]).fields;
        assert_eq!(f.provider.family, None);
    }

    #[test]
    fn hl7_components_and_timestamps() {
        let f = extract(&[typed(
            "Patient Name: TESTPATIENT^ALICE^Q\n\
             Admit Date/Time: 202403021030\n\
             Attending Doctor: 1234567893^NODOCTOR^LINDA",
        )])
        .fields;
        assert_eq!(
            (f.patient.given.as_deref(), f.patient.family.as_deref()),
            (Some("Alice"), Some("Testpatient"))
        );
        assert_eq!(f.service_date.as_deref(), Some("2024-03-02"));
        assert_eq!(
            (f.provider.given.as_deref(), f.provider.family.as_deref()),
            (Some("Linda"), Some("Nodoctor"))
        );
    }

    #[test]
    fn a_bare_id_may_be_the_mrn_when_it_is_the_only_identifier() {
        let e = extract(&[typed("Patient: TESTPATIENT, ALICE\nID: 00123456\nDOB: 03/14/1961")]);
        assert_eq!(e.fields.patient.mrn.as_deref(), Some("00123456"));
        assert!(e.evidence_for("patient.mrn").unwrap().confidence < 0.7);
    }

    #[test]
    fn a_names_parts_in_one_label_and_a_birth_label_over_a_sex() {
        let f = extract(&[typed(
            "LAST NAME, FIRST NAME: Testpatient, Alice   UNIT NO.: 00123456\n\
             SEX ASSIGNED iT BIRTH: F",
        )])
        .fields;
        assert_eq!(
            (f.patient.given.as_deref(), f.patient.family.as_deref()),
            (Some("Alice"), Some("Testpatient"))
        );
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
    }

    #[test]
    fn an_npis_type_says_whose_it_is() {
        let f = extract(&[typed("Type 2 NPI: 1234567893\nPhysician: Linda Nodoctor, MD")]).fields;
        assert_eq!(f.provider.npi, None);
        let f = extract(&[typed("Physician: Linda Nodoctor, MD\nType 1 NPI: 1234567893")]).fields;
        assert_eq!(f.provider.npi.as_deref(), Some("1234567893"));
    }

    #[test]
    fn an_npis_type_in_parentheses_after_its_value() {
        let f = extract(&[typed("Linda Nodoctor, MD (Attending)\n1234567893 (Type 1 NPI)")]).fields;
        assert_eq!(f.provider.npi.as_deref(), Some("1234567893"));
        let f = extract(&[typed("Linda Nodoctor, MD (Attending)\n1234567893 (Type 2 NPI)")]).fields;
        assert_eq!(f.provider.npi, None);
    }

    #[test]
    fn values_typed_into_a_sentences_blanks_are_read_over_their_captions() {
        // No gap cuts the sentence into columns: each caption's width says which words are its.
        let p = with_body(&[
            &[
                ("I,", 100),
                ("TESTPATIENT,", 140),
                ("DANA", 300),
                (",", 400),
                ("born", 420),
                ("03/14/1961", 500),
                (",", 650),
                ("number", 670),
                ("00412234", 800),
                (",", 920),
                ("hereby", 940),
                ("consent", 1040),
            ],
            &[
                ("Client's", 150),
                ("Name", 280),
                ("Birth", 500),
                ("Date", 580),
                ("Record", 790),
                ("No.", 890),
            ],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.given.as_deref(), Some("Dana"));
        assert_eq!(f.patient.dob.as_deref(), Some("1961-03-14"));
        assert_eq!(f.patient.mrn.as_deref(), Some("00412234"));
    }

    #[test]
    fn values_printed_before_their_captions_without_colons() {
        let f = extract(&[typed(
            "Clinic Report\nTESTPATIENT   Surname   Dana   Forename   H2210931   Chart #\nCough for two weeks.",
        )])
        .fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.given.as_deref(), Some("Dana"));
        assert_eq!(f.patient.mrn.as_deref(), Some("H2210931"));
        // Not where the words after the labels fit them as well.
        let f =
            extract(&[typed("Surname   TESTPATIENT   Given Name   Dana\nCough for two weeks.")])
                .fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.given.as_deref(), Some("Dana"));
    }

    #[test]
    fn a_courtesy_title_an_item_code_ocr_misread_and_a_dated_column() {
        // "Mrs." before a name is no record's "MR".
        let f = extract(&[typed("Enrollee: Mrs. Dana Testpatient\nDOB: 03/14/1961")]).fields;
        assert_eq!(f.patient.given.as_deref(), Some("Dana"));
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        // An item's code whose zeroes and fives OCR read as letters still opens its caption.
        let f = extract(&[typed("bosio. Last Name\nTESTPATIENT\nbos2o. Birth Date\n03/14/1961")])
            .fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.dob.as_deref(), Some("1961-03-14"));
        // A date's heading over a column of entries, the entries' heading beside it.
        let f = extract(&[typed(
            "Patient: Dana Testpatient\nDATE         NOTES AND ORDERS (initial each)\n04 MAR 21    Seen for cough.",
        )])
        .fields;
        assert_eq!(f.service_date.as_deref(), Some("2021-03-04"));
        // A name's explanation under its caption, before the name: the order it is written in.
        let f = extract(&[typed(
            "Client Name          Phone\n(Last, First) DOE JANE   (555) 010-1234",
        )])
        .fields;
        assert_eq!(f.patient.family.as_deref(), Some("Doe"));
        assert_eq!(f.patient.given.as_deref(), Some("Jane"));
        // A lone sex after the birth date and its age.
        let f =
            extract(&[typed("Patient: Dana Testpatient\nBorn: 1961-03-14 (62 yrs) Female")]).fields;
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        let f =
            extract(&[typed("Patient: Dana Testpatient\nBorn: 1961-03-14 Female Room 4")]).fields;
        assert_eq!(f.patient.sex, None);
        // An interface's name of a place, its spaces written as underscores.
        let f =
            extract(&[typed("Sending Facility: SAMPLE_TEST_CLINIC\nPatient: Dana Testpatient")])
                .fields;
        assert_eq!(f.facility.as_deref(), Some("SAMPLE TEST CLINIC"));
        // (The other end of a transfer is not the chart's place.)
        let f = extract(&[typed(
            "Sending Facility: SAMPLE_TEST_CLINIC\nReceiving Facility: NOTREAL_HOSPITAL\n\
             Patient: Dana Testpatient",
        )])
        .fields;
        assert_eq!(f.facility.as_deref(), Some("SAMPLE TEST CLINIC"));
    }

    #[test]
    fn a_word_that_names_a_field_alone_over_its_value() {
        let f = extract(&[typed("SURNAME\nTESTPATIENT\nFORENAME(S)\nAlice")]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.given.as_deref(), Some("Alice"));
        // A heading alone over a label is no label over a value.
        let f = extract(&[typed("PHYSICIAN\nName: Linda Nodoctor, MD")]).fields;
        assert_eq!(f.provider.family.as_deref(), Some("Nodoctor"));
    }

    #[test]
    fn a_caption_the_vocabulary_lacks_keeps_its_own_column() {
        // "SPONSOR" and "LOCKER" are captions chartdex does not know: the values under them are
        // theirs, not the values of the captions before them.
        let p = with_body(&[
            &[
                ("SURNAME", 160),
                ("FORENAME(S)", 470),
                ("SPONSOR", 750),
                ("UNIT", 1050),
                ("NO.", 1120),
            ],
            &[("TESTPATIENT", 160), ("Alice", 470), ("Quaker", 750), ("H6057503", 1050)],
            &[
                ("BORN", 160),
                ("SEX", 360),
                ("SEEN", 670),
                ("ON", 740),
                ("LOCKER", 980),
                ("ATTENDING", 1290),
            ],
            &[
                ("1994-12-20", 160),
                ("F", 360),
                ("2017-08-13", 670),
                ("4B", 980),
                ("Linda", 1290),
                ("Nodoctor,", 1380),
                ("MD", 1520),
            ],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.given.as_deref(), Some("Alice"));
        assert_eq!(f.patient.mrn.as_deref(), Some("H6057503"));
        assert_eq!(f.patient.dob.as_deref(), Some("1994-12-20"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        assert_eq!(f.service_date.as_deref(), Some("2017-08-13"));
        assert_eq!(f.provider.family.as_deref(), Some("Nodoctor"));
    }

    #[test]
    fn values_go_under_the_captions_they_stand_under_when_that_reads_more_of_them() {
        // As many cells as captions, but one caption's value (the sex) stands close after the
        // birth date and its age, and the last two cells are one caption's.
        let p = with_body(&[
            &[
                ("BIRTH", 160),
                ("DATE", 240),
                ("SEX", 440),
                ("VISIT", 700),
                ("DATE", 790),
                ("TYPE", 1040),
            ],
            &[
                ("21-Nov-1989", 160),
                ("(27", 326),
                ("y)", 380),
                ("M", 440),
                ("27-May-2017", 700),
                ("07", 905),
                ("3", 1040),
            ],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.dob.as_deref(), Some("1989-11-21"));
        assert_eq!(f.patient.sex.as_deref(), Some("M"));
        assert_eq!(f.service_date.as_deref(), Some("2017-05-27"));
    }

    #[test]
    fn a_label_word_ocr_read_with_two_letters_for_one() {
        // "m" read as "ni", "d" as "cl".
        let f = extract(&[typed("Hospital Nuniber: 48291736\nDate of Birtli: 03/14/1961")]).fields;
        assert_eq!(f.patient.mrn.as_deref(), Some("48291736"));
        let f =
            extract(&[typed("Patient: Alice Testpatient\nAttencling: Linda Nodoctor, MD")]).fields;
        assert_eq!(f.provider.family.as_deref(), Some("Nodoctor"));
    }

    #[test]
    fn eight_digits_that_read_as_a_date_are_no_unlabelled_record_number() {
        let f = extract(&[typed("Patient: Alice Testpatient\n04111976\nSex: F")]).fields;
        assert_eq!(f.patient.mrn, None);
        let f = extract(&[typed("Patient: Alice Testpatient\n48291736\nSex: F")]).fields;
        assert_eq!(f.patient.mrn.as_deref(), Some("48291736"));
    }

    #[test]
    fn semicolons_that_part_a_list_end_no_label() {
        // "units;" is no ward's label in a drug's parts; a colon OCR read as one still is.
        let f = extract(&[typed(
            "Chestnut Fake Clinic\nMedicines:\nInsulin lispro; 8 units; subcut; with meals\n\
             DOB; 02/03/1950",
        )])
        .fields;
        assert_eq!(f.facility.as_deref(), Some("Chestnut Fake Clinic"));
        assert_eq!(f.patient.dob.as_deref(), Some("1950-02-03"));
    }

    #[test]
    fn pairs_set_apart_by_equals_signs_dashes_and_semicolons() {
        // An interface print's "key = value; key = value", with HL7 field codes and a caret OCR
        // read as an asterisk.
        let f = extract(&[typed(
            "PID.5 Name of Enrollee = TESTPATIENT* ALICE; PID.3 Chart Number = 48291736\n\
             PID.7 Date of Birth (MM/DD/CCYY) = 03/14/1961; PID.8 Sex=F\n\
             PV1.7 Responsible Health Professional=NODOCTOR*LINDA",
        )])
        .fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.given.as_deref(), Some("Alice"));
        assert_eq!(f.patient.mrn.as_deref(), Some("48291736"));
        assert_eq!(f.patient.dob.as_deref(), Some("1961-03-14"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        assert_eq!(f.provider.family.as_deref(), Some("Nodoctor"));
        // A case sheet's dashes.
        let f = extract(&[typed(
            "Patient Name - Alice Testpatient\nD.O.B. :- 03/14/1961\nPHN -— 0412",
        )])
        .fields;
        assert_eq!(f.patient.mrn.as_deref(), Some("0412"));
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.dob.as_deref(), Some("1961-03-14"));
        // A dash or an equals sign after words that name no field stays what it is.
        let mut text = "Lisinopril - 10 mg daily".to_string();
        let tokens = typed_line(&text.clone()).tokens;
        super::separators_as_colons(&mut text, &tokens);
        assert_eq!(text, "Lisinopril - 10 mg daily");
        let mut text = "TESTPATIENT, ALICE = 48291736".to_string();
        let tokens = typed_line(&text.clone()).tokens;
        super::separators_as_colons(&mut text, &tokens);
        assert_eq!(text, "TESTPATIENT, ALICE = 48291736");
        let mut text = "Printed 2024-04-18 Riverbend Health Center - Page 1 of 1".to_string();
        let tokens = typed_line(&text.clone()).tokens;
        super::separators_as_colons(&mut text, &tokens);
        assert!(text.ends_with("Center - Page 1 of 1"));
    }

    #[test]
    fn french_captions_under_english_ones() {
        let f = extract(&[typed(
            "Nom de famille: TESTPATIENT\nPrénom: Alice\nDate de naissance: 1961-03-14\nSexe: F",
        )])
        .fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.given.as_deref(), Some("Alice"));
        assert_eq!(f.patient.dob.as_deref(), Some("1961-03-14"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
    }

    #[test]
    fn values_with_their_labels_after_them() {
        let e = extract(&[typed(
            "Alice Testpatient (official) female, DoB: 1961-03-14 ( Medical record number: 00123456 )\n\
             10480607 (Job #)    03/02/2024 (Date of Service)\n\
             Linda Nodoctor, MD (Attending)    Pat Testpatient (spouse)",
        )]);
        let f = &e.fields;
        assert_eq!(
            (f.patient.given.as_deref(), f.patient.family.as_deref()),
            (Some("Alice"), Some("Testpatient"))
        );
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        assert_eq!(f.patient.mrn.as_deref(), Some("00123456"));
        assert_eq!(f.service_date.as_deref(), Some("2024-03-02"));
        assert_eq!(f.provider.family.as_deref(), Some("Nodoctor"));
    }

    #[test]
    fn small_captions_over_entries_set_well_below_them() {
        // A reference lab's grid: captions 18 px high, the entries 27 px high, 59 px lower.
        let row = |y: u32, h: u32, words: &[(&str, u32)]| -> Vec<Word> {
            let w = |t: &str, x: u32| Word {
                text: t.into(),
                bbox: BBox { x, y, w: 14 * t.len() as u32, h },
                confidence: 0.93,
            };
            words.iter().map(|(t, x)| w(t, *x)).collect()
        };
        let captions = row(355, 18, &[("PT.", 243), ("NAME", 317), ("PATIENT", 907), ("#", 1058)]);
        let entries = row(414, 27, &[("Alice", 245), ("Testpatient", 330), ("MR288318", 907)]);
        let words: Vec<Word> = captions.into_iter().chain(entries).collect();
        let p = PageText {
            number: 1,
            text: "PT. NAME PATIENT #\nAlice Testpatient MR288318".into(),
            confidence: 0.93,
            method: TextMethod::Ocr,
            words,
            meta: Default::default(),
        };
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.mrn.as_deref(), Some("MR288318"));
    }

    #[test]
    fn a_social_security_numbers_shape_is_no_mrn() {
        let f = extract(&[typed("Record #: 999-57-6058\nPatient: Alice Testpatient")]).fields;
        assert_eq!(f.patient.mrn, None);
    }

    #[test]
    fn an_unlabelled_record_number_may_open_with_a_letter_or_two() {
        let e = extract(&[typed("Patient: Alice Testpatient\nMRE\nMR664270\nDOB: 03/14/1961")]);
        assert_eq!(e.fields.patient.mrn.as_deref(), Some("MR664270"));
        // Not a word with digits in it of another shape, nor one of two such.
        let e = extract(&[typed("Patient: Alice Testpatient\nXYZ664270\nDOB: 03/14/1961")]);
        assert_eq!(e.fields.patient.mrn, None);
        let e = extract(&[typed("Patient: Alice Testpatient\nH2198109 MR664270\nDOB: 03/14/1961")]);
        assert_eq!(e.fields.patient.mrn, None);
    }

    #[test]
    fn a_composite_labels_first_parts_when_the_rest_wrapped_and_a_label_ocr_left_unclosed() {
        let f =
            extract(&[typed("MRN/FIN: 00123456\n/ 3992962409 Pt. Name: Alice Testpatient")]).fields;
        assert_eq!(f.patient.mrn.as_deref(), Some("00123456"));
        let f = extract(&[typed(
            "NAME (LAST, FIRST MD: Testpatient, Alice\nDICTATED BY: Dr. Owen Fakedoc",
        )])
        .fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.provider.family.as_deref(), Some("Fakedoc"));
    }

    #[test]
    fn the_clinician_of_the_visit_itself() {
        let f = extract(&[typed(
            "Referring Provider: Owen Fakedoc, MD\nVisit Provider: Linda Nodoctor, MD",
        )])
        .fields;
        assert_eq!(f.provider.family.as_deref(), Some("Nodoctor"));
        let f = extract(&[typed("Encounter Physician: Linda Nodoctor, MD")]).fields;
        assert_eq!(f.provider.family.as_deref(), Some("Nodoctor"));
    }

    #[test]
    fn a_parenthesis_closed_inside_a_word_of_other_letters_is_no_panic() {
        let f = extract(&[typed("10480607 (a)é (Ωmega)ü\n03/02/2024 (Date of Service)")]).fields;
        assert_eq!(f.service_date.as_deref(), Some("2024-03-02"));
    }

    #[test]
    fn labels_of_two_wordings_parted_by_a_slash_and_a_clinician_in_charge() {
        let p = page(&[
            &[
                ("DOB", 201),
                ("/", 260),
                ("AGE", 290),
                ("(YRS)", 350),
                (":", 440),
                ("Q4/08/1953", 470),
            ],
            &[
                ("Practitioner", 201),
                ("in", 380),
                ("Chrage:", 420),
                ("Dr.", 540),
                ("Robert", 590),
                ("Fakedoc", 690),
            ],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.dob.as_deref(), Some("1953-04-08"));
        assert_eq!(f.provider.family.as_deref(), Some("Fakedoc"));
    }

    #[test]
    fn a_menu_bars_words_are_no_labels_and_values() {
        let p = page(&[
            &[
                ("File", 100),
                ("Edit", 250),
                ("View", 400),
                ("Patient", 550),
                ("Fees", 750),
                ("Reports", 900),
            ],
            &[("Card", 201), ("Holder", 270), ("Name:", 370), ("MOCKINGLY,", 460), ("CARMEN", 620)],
        ]);
        let f = extract(&[p]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Mockingly"));
        assert_eq!(f.patient.given.as_deref(), Some("Carmen"));
    }

    #[test]
    fn a_value_in_larger_print_than_its_caption_follows_it_across_a_narrow_gap() {
        let mut p = page(&[&[
            ("Client's", 201),
            ("Full", 325),
            ("Name", 385),
            ("Carmen", 470),
            ("Fakename", 575),
        ]]);
        // The caption in small print, the entry larger; the gap (29 px) under 1.5 heights.
        for w in &mut p.words[3..] {
            w.bbox.h = 30;
            w.bbox.y -= 9;
        }
        let f = extract(&[p.clone()]).fields;
        assert_eq!(f.patient.given.as_deref(), Some("Carmen"));
        assert_eq!(f.patient.family.as_deref(), Some("Fakename"));
        // In the caption's own print, the same gap parts no label from a value.
        for w in &mut p.words[3..] {
            w.bbox.h = 21;
            w.bbox.y += 9;
        }
        assert_eq!(extract(&[p]).fields.patient.family, None);
    }
}
