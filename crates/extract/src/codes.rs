//! Codes on a chart: ICD-10-CM diagnoses (validated against the official list, OCR confusions
//! undone only into valid codes) and CPT procedure codes (format and range checked; CPT
//! descriptions are AMA-licensed, so only codes are kept).

use crate::icd10::{self, Described, Read};
use crate::layout::{Line, Token};
use crate::sections::{self, Section};
use crate::Extraction;

/// Words that say a line lists diagnoses.
const DIAGNOSIS_CONTEXT: &[&str] = &["icd", "diagnos", "assessment", "impression", "dx", "problem"];

/// Words that say a line lists procedure codes.
const CPT_CONTEXT: &[&str] = &["cpt", "procedure code", "hcpcs", "e/m", "billing", "charge"];

/// ICD-10-CM codes of one line (`next`: the next line with text, where a description may wrap).
///
/// A code written with its dot counts anywhere; one without (I10) only in a diagnosis context (a
/// diagnosis section, or a line that says so) or beside its official description. A code valid
/// only once OCR confusions are undone ("150.9" for I50.9) counts where a code is expected: at
/// the start of a line with its dot, or in a diagnosis context — never in the middle of other
/// text, where "150.9" may be a weight. The text printed after a code is checked against the
/// official descriptions (`icd10::described`): a token that is no valid code as read is taken,
/// anywhere on the line (a numbered list, a table), as the one code consistent with it whose
/// description the text names ("144.9 Chronic obstructive pulmonary disease" is J44.9), and a
/// corrected reading is dropped when the text names another code's description.
/// A code as a FHIR narrative or a CDA display writes it, after its code system and a "#"
/// ("(ICD-10-CM#A41.9)", "icd-10-cm#I25.10"): the code.
fn coded(token: &str) -> &str {
    match token.rsplit_once('#') {
        Some((system, code)) if system.chars().any(char::is_alphabetic) && !code.is_empty() => code,
        _ => token,
    }
}

pub(crate) fn read_icd10(
    line: &Line<'_>,
    next: Option<&Line<'_>>,
    section: Section,
    out: &mut Extraction,
) {
    let lower = line.text.to_lowercase();
    let says_so = DIAGNOSIS_CONTEXT.iter().any(|w| lower.contains(w));
    let context = section == Section::Diagnoses || says_so;
    let text_of = |t: &Token| coded(&line.text[t.start..t.end]);
    // Where each token's description ends: at the next code-like token, else the line's end.
    let code_like: Vec<bool> = line.tokens.iter().map(|t| icd10::code_like(text_of(t))).collect();
    // The next line continues a description if it holds no code and opens no section.
    let continued = next
        .filter(|n| !n.tokens.iter().any(|t| icd10::code_like(&n.text[t.start..t.end])))
        .filter(|n| sections::heading(n.text).is_none())
        .map(|n| n.text);
    for (i, t) in line.tokens.iter().enumerate() {
        let token = text_of(t);
        let has_dot = token.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()).contains('.');
        // In a list of diagnoses, a corrected code must open its line.
        let corrected_counts = says_so || ((has_dot || context) && i == 0);
        let described = || {
            let end =
                (i + 1..line.tokens.len()).find(|&j| code_like[j]).map(|j| line.tokens[j].start);
            let text = &line.text[t.end..end.unwrap_or(line.text.len())];
            let after = icd10::described(token, text, if end.is_none() { continued } else { None });
            if text.chars().any(char::is_alphabetic) || !matches!(after, Described::Silent) {
                return after;
            }
            // A code printed after its description ("Cough, unspecified (R05.9)"): the text
            // before it, back to the code before it or the line's start.
            let start = (0..i).rev().find(|&j| code_like[j]).map_or(0, |j| line.tokens[j].end);
            // (Without a list's number or bullet: "2.", "•".)
            let before = line.text[start..t.start].trim_start();
            let before = match before.split_once(char::is_whitespace) {
                Some((first, rest)) if is_list_mark(first) => rest,
                _ => before,
            };
            icd10::described(token, before, None)
        };
        let (code, factor, read_as) = match (icd10::read(token), code_like[i]) {
            (Some(Read::Exact(code)), _) if has_dot || context => (code, 1.0, None),
            (Some(Read::Exact(code)), _) => match described() {
                Described::Names(named) if named == code => (code, 1.0, None),
                _ => continue,
            },
            // Not a code as read, or one only once corrected: its description decides first.
            (read, true) => match (described(), read) {
                // The reading by confusions agrees with the description: as sure as before.
                (Described::Names(named), Some(Read::Corrected(code))) if named == code => {
                    (code, 0.85, Some(token))
                }
                (Described::Names(named), _) => (named, 0.8, Some(token)),
                (Described::Silent, Some(Read::Corrected(code))) if corrected_counts => {
                    (code, 0.85, Some(token))
                }
                _ => continue,
            },
            (Some(Read::Corrected(code)), false) if corrected_counts => (code, 0.85, Some(token)),
            _ => continue,
        };
        if out.fields.icd10.contains(&code) {
            continue;
        }
        if read_as.is_some() {
            out.diagnose(line.page, &format!("ICD-10 code read as {token:?}, corrected to {code}"));
        }
        out.note("icd10", &code, line.place(t.start, t.end), factor, read_as);
        out.fields.icd10.push(code);
    }
}

/// A list's number or bullet before an entry: "2.", "3)", "•", "-".
fn is_list_mark(word: &str) -> bool {
    let body = word.trim_end_matches(['.', ')']);
    (body.len() < word.len() && !body.is_empty() && body.chars().all(|c| c.is_ascii_digit()))
        || (!word.is_empty() && word.chars().all(|c| !c.is_alphanumeric()))
}

/// CPT codes of one line, in a procedure-code context only: five digits in the Category I
/// ranges (a modifier such as "-25" is dropped), or four digits and F (Category II), T
/// (Category III) or U (lab analyses).
pub(crate) fn read_cpt(line: &Line<'_>, section: Section, out: &mut Extraction) {
    let lower = line.text.to_lowercase();
    if section != Section::Codes && !CPT_CONTEXT.iter().any(|w| lower.contains(w)) {
        return;
    }
    for t in &line.tokens {
        let token = &line.text[t.start..t.end];
        let Some((code, corrected)) = cpt(token) else { continue };
        if !out.fields.cpt.contains(&code) {
            let factor = if corrected { 0.85 } else { 1.0 };
            let read_as = corrected.then_some(token);
            out.note("cpt", &code, line.place(t.start, t.end), factor, read_as);
            out.fields.cpt.push(code);
        }
    }
}

/// A CPT code from one token, and whether OCR letters had to be read as digits.
pub(crate) fn cpt(token: &str) -> Option<(String, bool)> {
    let token = token.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-');
    let token = token.trim_matches('-');
    // A modifier: 99213-25.
    let base = match token.split_once('-') {
        Some((b, m)) if m.len() == 2 && m.chars().all(|c| c.is_ascii_alphanumeric()) => b,
        Some(_) => return None,
        None => token,
    };
    if base.len() != 5 {
        return None;
    }
    let (body, last) = base.split_at(4);
    let digit = |c: char| match c {
        '0'..='9' => Some(c),
        'O' | 'o' => Some('0'),
        'l' | 'I' => Some('1'),
        _ => None,
    };
    let body_digits: String = body.chars().map(digit).collect::<Option<_>>()?;
    let corrected = body_digits != body;
    let code = match last {
        "F" | "T" | "U" => format!("{body_digits}{last}"),
        _ => {
            let d = digit(last.chars().next()?)?;
            let code = format!("{body_digits}{d}");
            let n: u32 = code.parse().ok()?;
            let in_range = matches!(n, 100..=1999 | 10004..=69990 | 70010..=79999 | 80047..=89398 | 90281..=99607);
            if !in_range {
                return None;
            }
            return Some((code, corrected || last != d.to_string()));
        }
    };
    Some((code, corrected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout;

    /// The ICD-10 codes read off a one-page text, with their evidence.
    fn icd10(text: &str) -> Extraction {
        let page = crate::tests::page(text);
        let lines = layout::lines(&page);
        let secs = sections::of_lines(lines.iter().map(|l| l.text));
        let mut out = Extraction::default();
        for (i, (line, section)) in lines.iter().zip(secs).enumerate() {
            let next = lines[i + 1..].iter().find(|l| !l.text.trim().is_empty());
            read_icd10(line, next, section, &mut out);
        }
        out
    }

    fn codes(text: &str) -> Vec<String> {
        icd10(text).fields.icd10
    }

    #[test]
    fn a_code_printed_after_its_description_is_read_by_it() {
        let e = icd10(
            "Active Problems\n\
             1. Atherosclerotic heart disease of native coronary artery (125.10)\n\
             2. Cough, unspecified RO5.9\n\
             Weight 150.9",
        );
        assert_eq!(e.fields.icd10, ["I25.10", "R05.9"]);
        // A description naming another code before a misread one gives nothing.
        assert!(codes("Note: Cough, unspecified 125.10").is_empty());
    }

    #[test]
    fn a_code_after_its_code_system_and_a_hash_is_read() {
        // A FHIR narrative's coding: the system, "#", the code.
        assert_eq!(
            codes(
                "Diagnoses at Transfer:\n\
                 Sepsis, unspecified organism (ICD-10-CM#A41.9)\n\
                 Acute kidney failure, unspecified (ICD-10-CM#N17.9)"
            ),
            ["A41.9", "N17.9"]
        );
        // A number after a "#" that is no code's system is no code: "Lot #150.9".
        assert!(codes("Seen today. Lot #150.9").is_empty());
    }

    #[test]
    fn codes_in_a_table_row_are_read_by_their_description() {
        let e = icd10(
            "Problems reviewed today\n\
             | 1 | 150.9 | Heart failure, unspecified | Active | 03/01/2024 |\n\
             | 2 | 125.10 | Atherosclerotic heart disease of native coronary artery | Active |",
        );
        assert_eq!(e.fields.icd10, ["I50.9", "I25.10"]);
        let first = e.evidence_for("icd10").expect("evidence");
        assert_eq!(first.read_as.as_deref(), Some("150.9"));
        assert_eq!(first.confidence, 0.765, "0.9 for the page, lowered for the correction");
        assert_eq!(e.diagnostics.len(), 2);
    }

    #[test]
    fn codes_in_a_numbered_list_are_read_by_their_description() {
        let text = "Follow-up:\n1. 279.4 Long term (current) use of insulin\n\
                    2. 144.9 Chronic obstructive pulmonary disease, unspecified\n\
                    3. l10 Essential (primary) hypertension\n\
                    - I10 Essential (primary) hypertension";
        assert_eq!(codes(text), ["Z79.4", "J44.9", "I10"]);
        let e = icd10(text);
        let j44 = e.evidence.iter().find(|e| e.value == "J44.9").expect("J44.9");
        assert_eq!((j44.read_as.as_deref(), j44.confidence), (Some("144.9"), 0.72));
        // Valid as written, without a dot, and outside a diagnosis context: by its description.
        assert_eq!(codes("Follow-up:\n- I10 Essential (primary) hypertension"), ["I10"]);
        assert!(codes("Follow-up:\n- I10 next door").is_empty());
    }

    #[test]
    fn a_description_may_wrap_to_the_next_line() {
        let text =
            "Follow-up:\n1. 125.10 Atherosclerotic\n   heart disease of native coronary artery\n\
                    2. 150.9\n   Heart failure, unspecified";
        assert_eq!(codes(text), ["I25.10", "I50.9"]);
    }

    #[test]
    fn a_corrected_code_beside_another_codes_description_is_not_taken() {
        // Where a code belongs, but its description is E11.9's.
        assert!(
            codes("Assessment:\n150.9 Type 2 diabetes mellitus without complications").is_empty()
        );
        // Valid as read: kept whatever is printed beside it.
        let text = "Assessment:\nI50.9 Type 2 diabetes mellitus without complications";
        assert_eq!(codes(text), ["I50.9"]);
    }

    #[test]
    fn a_code_no_confusion_explains_is_read_by_its_description() {
        // No code begins with T10, and a comma is no dot: read from the descriptions.
        let text =
            "Assessment:\nT10 Essential (primary) hypertension\nF41,1 Generalized anxiety disorder";
        assert_eq!(codes(text), ["I10", "F41.1"]);
        // Without one, neither is a code.
        assert!(codes("Assessment:\nT10\nF41,1\nPlan: none").is_empty());
    }

    #[test]
    fn without_a_description_the_old_rules_hold() {
        // A corrected code at the start of a diagnosis line, or on a line that says so.
        assert_eq!(codes("Assessment:\n150.9\nPlan: follow up in two weeks"), ["I50.9"]);
        assert_eq!(codes("Dx: l10, stable, continue lisinopril"), ["I10"]);
        // Not at a line's start, in no diagnosis context: no code.
        assert!(codes("Follow-up:\n1. 150.9").is_empty());
        assert!(codes("Assessment:\nSeen for 150.9 and more").is_empty());
    }

    #[test]
    fn a_weight_is_never_a_code() {
        assert!(codes("Weight 150.9 lb, stable").is_empty());
        assert!(codes("Assessment:\nWeight 150.9 lb").is_empty());
        assert!(codes("Vitals:\n| Weight | 150.9 | lb |").is_empty());
    }

    #[test]
    fn a_description_without_a_code_gives_no_code() {
        let text = "Assessment:\nHeart failure, unspecified\n\
                    Chronic obstructive pulmonary disease, unspecified\n\
                    1. Long term (current) use of insulin";
        assert!(codes(text).is_empty());
    }

    #[test]
    fn cpt_formats_and_ranges() {
        assert_eq!(cpt("99213"), Some(("99213".into(), false)));
        assert_eq!(cpt("99214-25,"), Some(("99214".into(), false)));
        assert_eq!(cpt("3074F"), Some(("3074F".into(), false)));
        assert_eq!(cpt("0042T"), Some(("0042T".into(), false)));
        assert_eq!(cpt("9921З"), None);
        assert_eq!(cpt("992l3"), Some(("99213".into(), true)));
        // Outside every CPT range, or not five characters.
        assert_eq!(cpt("00050"), None);
        assert_eq!(cpt("99999"), None);
        assert_eq!(cpt("1234"), None);
        assert_eq!(cpt("123456"), None);
    }
}
