//! Person names as charts write them: "LAST, FIRST M", "First M. Last", with titles and
//! credentials ("Dr.", "MD", "RN") dropped, and all-capital names put in title case.

/// Titles and credentials that are not part of a name.
const DROP: &[&str] = &[
    "dr", "dr.", "md", "m.d.", "do", "d.o.", "np", "pa", "pa-c", "rn", "phd", "mr", "mrs", "ms",
    "mr.", "mrs.", "ms.", "jr", "jr.", "sr", "facp", "dds", "mbbs", "aprn", "fnp", "dnp", "crnp",
    "lpn", "pharmd", "rph", "facs", "faap", "dpm", "od", "np-c", "fnp-c", "anp", "lcsw", "psyd",
    "cnm", "crna", "dnp", "msn", "bsn", "ma", "cma",
];

/// An unknown credential after "First Last,": one short all-capital token ("PA-C", "ARNP"). A
/// name written all in capitals ("DE LA CRUZ, ANA") is read family-first instead.
fn looks_like_credential(before: &str, after: &str) -> bool {
    let after: Vec<&str> = after.split_whitespace().collect();
    before.split_whitespace().count() >= 2
        && before.chars().any(char::is_lowercase)
        && after.len() == 1
        && after[0].len() <= 6
        && after[0].chars().all(|c| c.is_ascii_uppercase() || "-.".contains(c))
}

/// Words after a name that end it ("Robert Fakedoc on 03/02/2024", "Alice Testpatient (spouse)").
const STOP: &[&str] = &["on", "at", "date", "dated"];

/// True if `w` is a title or credential written with a name ("MD", "D.O.", "Dr."): after a
/// name, not a label.
pub(crate) fn is_credential(w: &str) -> bool {
    DROP.contains(&w.to_ascii_lowercase().trim_end_matches([',', ';', ')']))
}

/// True if a value is a clinician's name and nothing else (but a date or time after it): a
/// person's name with a clinical title before it or credentials after it ("Dr. Lee Notreal",
/// "Ann Fakedoc, MD 03/02/2024"), not a courtesy title ("Mrs.") nor a phrase that holds a
/// credential's letters ("XR CHEST PA AND LATERAL").
pub(crate) fn clinician(value: &str) -> bool {
    let courtesy = ["mr", "mrs", "ms", "jr", "sr"];
    let clinical = |w: &str| {
        let folded = w.to_ascii_lowercase();
        is_credential(w) && !courtesy.contains(&folded.trim_end_matches([',', ';', ')', '.']))
    };
    let words: Vec<&str> = value.split_whitespace().collect();
    let titled =
        words.first().is_some_and(|w| clinical(w) || crate::vocab::is_role_abbreviation(w));
    let from = usize::from(titled);
    let names = words[from..].iter().take_while(|w| !is_credential(w)).count();
    let credentials = words[from + names..].iter().take_while(|w| clinical(w)).count();
    let rest = &words[from + names + credentials..];
    (1..=4).contains(&names)
        && (titled || credentials > 0)
        && rest.iter().all(|w| w.chars().any(|c| c.is_ascii_digit()))
        && person_name(value).is_some()
}

fn is_dropped(w: &str) -> bool {
    // Rules and specks ("—_—") are not words.
    !w.chars().any(char::is_alphanumeric)
        || DROP.contains(&w.to_ascii_lowercase().trim_end_matches(',').trim_end_matches(';'))
}

/// (given, family) from a name value, or `None` when it does not read as a name.
pub(crate) fn person_name(value: &str) -> Option<(Option<String>, String)> {
    // HL7 v2's components, as interface printouts show them: family^given^middle (XPN), after
    // the person's id in a clinician's (XCN: "1234567893^FAKEDOC^ANN").
    // (OCR reads a caret as an asterisk, with or without a space after it: "FAKEDOC* ANN".)
    if let Some(first) = value.split_whitespace().next().filter(|t| {
        t.len() > 2 && t.contains('*') && !t.contains('^') && t.starts_with(char::is_alphabetic)
    }) {
        let at = value.find(first).unwrap_or(0);
        let rest = value[at + first.len()..].trim_start();
        let joined = if first.ends_with('*') { format!("{first}{rest}") } else { value.into() };
        let caret = joined.replacen('*', "^", 2);
        if caret.split_whitespace().next().is_some_and(|t| t.contains('^')) {
            return person_name(&caret);
        }
    }
    if let Some(token) = value.split_whitespace().next().filter(|t| t.contains('^')) {
        let mut parts = token.split('^').skip_while(|p| p.chars().all(|c| c.is_ascii_digit()));
        let family = parts.next().filter(|f| !f.is_empty())?;
        let rest: Vec<&str> = parts.filter(|p| !p.is_empty()).take(2).collect();
        if rest.is_empty() {
            return person_name(family);
        }
        return person_name(&format!("{family}, {}", rest.join(" ")));
    }
    // A role cut short before the name is a title: "Cons. Owen Shamfield".
    let value = match value.split_whitespace().next() {
        Some(w) if crate::vocab::is_role_abbreviation(w) => {
            value.trim_start()[w.len()..].trim_start()
        }
        _ => value,
    };
    // A name ends where something else starts: a date, a time, a parenthesis after it (what
    // the name is: "(self)", "(spouse)", a FHIR name's use, "(OFFICIAL)").
    let end = value
        .split_whitespace()
        .enumerate()
        .position(|(i, w)| {
            w.chars().any(|c| c.is_ascii_digit())
                || STOP.contains(&w.to_lowercase().as_str())
                || (i > 0 && w.starts_with('('))
        })
        .unwrap_or(usize::MAX);
    // A credential after the name ends it: "Linda Nodoctor, DO   Pt Age" is the name and the
    // next column's label.
    let words: Vec<&str> = value.split_whitespace().take(end).collect();
    let end = (1..words.len())
        .find(|&i| is_credential(words[i]) && !is_dropped(words[i - 1]))
        .map_or(words.len(), |i| {
            // (Credentials come in runs: "MD, FACP".)
            i + words[i..].iter().take_while(|w| is_credential(w)).count()
        });
    let value: String = words[..end].join(" ");
    if value.is_empty() || reads_as_prose(&value) {
        return None;
    }
    // (Nor a heading's or a sentence's words: "About This Visit", "Please see". After a
    // family name and its comma such a word is OCR's reading of a given name's part and goes
    // alone: "Sampleton, In es".)
    let function_word = |w: &str| {
        let w = w.trim_matches(|c: char| !c.is_alphabetic()).to_lowercase();
        FUNCTION_WORDS.contains(&w.as_str())
    };
    let before_comma = value.split(',').next().unwrap_or(&value);
    if before_comma.split_whitespace().any(function_word) {
        return None;
    }
    // A comma OCR read as a full stop after a whole word ("Fakedoc. Robert. M.D."): no name
    // word ends in one (an initial's stop follows one letter).
    let value = if value.contains(',') {
        value
    } else {
        let words: Vec<&str> = value.split_whitespace().collect();
        let misread = words.iter().position(|w| {
            let letters = w.trim_end_matches('.');
            w.ends_with('.')
                && letters.chars().count() >= 3
                && letters.chars().all(char::is_alphabetic)
                && !is_credential(w)
        });
        match misread {
            Some(i) if i + 1 < words.len() && !words[i + 1..].iter().all(|w| is_dropped(w)) => {
                let mut v = words[..i].join(" ");
                if !v.is_empty() {
                    v.push(' ');
                }
                v.push_str(words[i].trim_end_matches('.'));
                v.push_str(", ");
                v.push_str(&words[i + 1..].join(" "));
                v
            }
            _ => value,
        }
    };
    let (family_first, body) = match value.split_once(',') {
        Some((family, rest))
            if !rest.split_whitespace().all(is_dropped)
                && !rest.trim().is_empty()
                && !looks_like_credential(family, rest) =>
        {
            (Some(family), rest)
        }
        _ => (None, value.split(',').next().unwrap_or(&value)),
    };
    let words = |s: &str| -> Vec<String> {
        s.split_whitespace()
            .filter(|w| !is_dropped(w))
            .map(l_for_bang)
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphabetic() && c != '\'' && c != '-').to_string()
            })
            .map(|w| w.trim_matches(['-', '\'']).to_string())
            .filter(|w| !w.is_empty())
            .map(|w| title_case(&w))
            .collect()
    };
    let (given, family) = match family_first {
        Some(family) => {
            let fam = words(family);
            let giv = words(body);
            (giv.first().cloned(), fam.join(" "))
        }
        None => {
            let w = words(body);
            // The family name in capitals before a given name in small letters, as many
            // systems print it ("EXAMPLAR Carmen", its comma misread as a full stop).
            let raw: Vec<&str> = body.split_whitespace().filter(|x| !is_dropped(x)).collect();
            let capitals = |x: &str| {
                let l: Vec<char> = x.chars().filter(|c| c.is_alphabetic()).collect();
                l.len() >= 2 && l.iter().all(|c| c.is_uppercase())
            };
            let mixed = |x: &str| {
                x.chars().next().is_some_and(char::is_uppercase)
                    && x.chars().any(char::is_lowercase)
            };
            if let ([f, g], [fam, giv]) = (w.as_slice(), raw.as_slice()) {
                if capitals(fam) && mixed(giv) {
                    return usable(f).then(|| (Some(g.clone()).filter(|g| usable(g)), f.clone()));
                }
            }
            match w.as_slice() {
                [] => return None,
                [only] => (None, only.clone()),
                // A middle initial is dropped: "Alice Q. Testpatient".
                [first, .., last] => (Some(first.clone()), last.clone()),
            }
        }
    };
    if !usable(&family) {
        return None;
    }
    Some((given.filter(|g| usable(g)), family))
}

/// "Samue!" → "Samuel": OCR reads a lowercase "l" as "!" after letters; no name has a "!".
fn l_for_bang(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut prev_lower = false;
    for c in w.chars() {
        out.push(if c == '!' && prev_lower { 'l' } else { c });
        prev_lower = c.is_lowercase() || (c == '!' && prev_lower);
    }
    out
}

/// Small words that are part of a name ("de la Cruz", "van der Berg").
const PARTICLES: &[&str] = &[
    "de", "la", "del", "della", "van", "von", "der", "den", "da", "di", "le", "du", "dos", "das",
    "ter", "ten", "bin", "al", "el", "y",
];

/// True if a value reads as a phrase of running text rather than a name: more than five words
/// once titles and credentials are dropped, or more than three with a word of four letters or
/// more in small letters ("Flattened right nasolabial fold only").
fn reads_as_prose(value: &str) -> bool {
    let words: Vec<&str> = value.split_whitespace().filter(|w| !is_dropped(w)).collect();
    let small = words.iter().skip(1).any(|w| {
        let letters: String = w.chars().filter(|c| c.is_alphabetic()).collect();
        letters.len() >= 4
            && letters.chars().all(char::is_lowercase)
            && !PARTICLES.contains(&letters.as_str())
    });
    words.len() > 5 || (words.len() > 3 && small)
}

/// True if a subject line's value ("RE: Jane Q. Testpatient") is a person's name rather than
/// a topic ("RE: Lab Results", "Re: Follow-up visit"): two to four capitalised words up to a
/// number or a parenthesis, none of them a label's word, and each usable as a name.
pub(crate) fn subject_name(value: &str) -> bool {
    let words: Vec<&str> = value
        .split_whitespace()
        .take_while(|w| !w.starts_with('(') && !w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| !is_dropped(w))
        .collect();
    // (Not run on into the greeting under it: "RE: Jane Doe,Dear Dr. Lee:".)
    let greeting =
        value.split(|c: char| !c.is_alphabetic()).any(|w| w.eq_ignore_ascii_case("dear"));
    !greeting
        && (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            let body = w.trim_matches(|c: char| !c.is_alphabetic());
            let initial = body.chars().count() == 1;
            body.chars().next().is_some_and(char::is_uppercase)
                && (initial || !crate::vocab::is_label_word(body))
        })
        && person_name(value).is_some_and(|(g, _)| g.is_some())
}

/// One name word ("Last Name: TESTPATIENT").
pub(crate) fn single_name(value: &str) -> Option<String> {
    let w = value.split_whitespace().find(|w| !is_dropped(w))?;
    let w = w.trim_matches(|c: char| !c.is_alphabetic() && c != '\'' && c != '-');
    // (A short word all in small letters is OCR's reading of a speck or a scribble: "ee".)
    let scribble = w.chars().count() <= 3 && w.chars().all(char::is_lowercase);
    (usable(w) && !scribble && !w.chars().any(|c| c.is_ascii_digit())).then(|| title_case(w))
}

fn usable(s: &str) -> bool {
    // (A small letter before a capital is no name's: "oO", OCR's reading of two check boxes.)
    let mut letters = s.chars().filter(|c| c.is_alphabetic());
    let marks = letters.next().is_some_and(char::is_lowercase) && letters.any(char::is_uppercase);
    s.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && !marks
        && !FUNCTION_WORDS.contains(&s.to_lowercase().as_str())
}

/// English words that only join or point and are nobody's name ("About This Visit", "Please
/// see"): a heading's or a sentence's words where a name was looked for.
const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "and", "are", "as", "by", "for", "from", "has", "have", "her", "his", "if", "in",
    "into", "is", "it", "its", "of", "or", "our", "please", "see", "that", "the", "their", "these",
    "this", "those", "to", "was", "were", "what", "when", "which", "who", "with", "you", "your",
];

/// "TESTPATIENT" → "Testpatient", "O'BRIEN-FAKE" → "O'Brien-Fake"; mixed case is kept.
pub(crate) fn title_case(w: &str) -> String {
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
        start = c == '-' || c == '\'' || c == ' ';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Option<(Option<&str>, String)> {
        person_name(s).map(|(g, f)| (g.map(|g| &*g.leak()), f))
    }

    #[test]
    fn what_a_name_is_said_in_parentheses_after_it_is_no_part_of_it() {
        // HL7 FHIR's HumanName.use, a relationship, a preferred name's note.
        assert_eq!(name("Jane TESTPATIENT (MAIDEN)"), Some((Some("Jane"), "Testpatient".into())));
        assert_eq!(name("Robert Fakedoc (usual)"), Some((Some("Robert"), "Fakedoc".into())));
        assert_eq!(name("TESTPATIENT, ALICE (Self)"), Some((Some("Alice"), "Testpatient".into())));
    }

    #[test]
    fn names_in_both_orders() {
        assert_eq!(name("TESTPATIENT, ALICE Q"), Some((Some("Alice"), "Testpatient".into())));
        assert_eq!(name("Alice Q. Testpatient"), Some((Some("Alice"), "Testpatient".into())));
        // The family name in capitals, the given name in small letters.
        assert_eq!(name("DOE Jane"), Some((Some("Jane"), "Doe".into())));
        assert_eq!(name("Linda Nodoctor, DO Pt Age"), Some((Some("Linda"), "Nodoctor".into())));
        assert_eq!(name("Fakedoc. Robert. M.D."), Some((Some("Robert"), "Fakedoc".into())));
        assert_eq!(name("Robert J. Fakedoc"), Some((Some("Robert"), "Fakedoc".into())));
        assert_eq!(name("Dr. Robert Fakedoc"), Some((Some("Robert"), "Fakedoc".into())));
        assert_eq!(name("Fakedoc, Robert, MD, FACP"), Some((Some("Robert"), "Fakedoc".into())));
        assert_eq!(name("FAKENAME. Olga"), Some((Some("Olga"), "Fakename".into())));
        assert_eq!(name("Jane DOE"), Some((Some("Jane"), "Doe".into())));
        assert_eq!(name("Dr. Robert Fakedoc, MD"), Some((Some("Robert"), "Fakedoc".into())));
        assert_eq!(name("Fakedoc, Robert, MD"), Some((Some("Robert"), "Fakedoc".into())));
        assert_eq!(name("O'BRIEN-FAKE, JO"), Some((Some("Jo"), "O'Brien-Fake".into())));
        assert_eq!(name("12345"), None);
        assert_eq!(
            name("Linda Nodoctor, MD on 03/02/2024"),
            Some((Some("Linda"), "Nodoctor".into()))
        );
        assert_eq!(name("Priya Testwood, NP-C"), Some((Some("Priya"), "Testwood".into())));
        assert_eq!(name("DE LA CRUZ, ANA MARIA"), Some((Some("Ana"), "De La Cruz".into())));
        // A phrase of running text is not a name, nor a heading's or a request's words.
        assert_eq!(name("Flattened right nasolabial fold only."), None);
        assert_eq!(name("Your Visit"), None);
        assert_eq!(name("Kindly see"), None);
        assert_eq!(single_name("The"), None);
    }

    #[test]
    fn ocr_specks_and_bangs_in_names() {
        // A rule read as "—_—" after the credential; "l" read as "!".
        assert_eq!(name("Samue! Mockwell, MD —_—"), Some((Some("Samuel"), "Mockwell".into())));
        assert_eq!(l_for_bang("Wi!!iam"), "William");
        assert_eq!(l_for_bang("NOTE!"), "NOTE!");
        // Two check boxes read as letters are no name; a short name is.
        assert_eq!(name("oO"), None);
        assert_eq!(name("Ng"), Some((None, "Ng".into())));
    }

    #[test]
    fn a_role_cut_short_before_a_name_is_a_title() {
        assert_eq!(name("Att. Mira Fakeson"), Some((Some("Mira"), "Fakeson".into())));
        assert_eq!(name("Phys. FAKESON, MIRA MD"), Some((Some("Mira"), "Fakeson".into())));
        assert!(clinician("Prof. Mira Fakeson"));
        // A word that begins no role is no title: its stop is a misread comma.
        assert_eq!(name("Dan. Fakeson"), Some((Some("Fakeson"), "Dan".into())));
        assert!(!crate::vocab::is_role_abbreviation("Att"));
    }

    #[test]
    fn single_names() {
        assert_eq!(single_name("TESTPATIENT").as_deref(), Some("Testpatient"));
        assert_eq!(single_name(" 123 "), None);
    }
}
