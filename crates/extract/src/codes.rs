//! Codes on a chart: ICD-10-CM diagnoses (validated against the official list, OCR confusions
//! undone only into valid codes) and CPT procedure codes (format and range checked; CPT
//! descriptions are AMA-licensed, so only codes are kept).

use crate::icd10;
use crate::layout::Line;
use crate::sections::Section;
use crate::Extraction;

/// Words that say a line lists diagnoses.
const DIAGNOSIS_CONTEXT: &[&str] = &["icd", "diagnos", "assessment", "impression", "dx", "problem"];

/// Words that say a line lists procedure codes.
const CPT_CONTEXT: &[&str] = &["cpt", "procedure code", "hcpcs", "e/m", "billing", "charge"];

/// ICD-10-CM codes of one line. A code written with its dot counts anywhere; one without (I10)
/// only in a diagnosis context (a diagnosis section, or a line that says so). A code valid only
/// once OCR confusions are undone ("150.9" for I50.9) counts where a code is expected: at the
/// start of a line with its dot, or in a diagnosis context — never in the middle of other text,
/// where "150.9" may be a weight.
pub(crate) fn read_icd10(line: &Line<'_>, section: Section, out: &mut Extraction) {
    let lower = line.text.to_lowercase();
    let says_so = DIAGNOSIS_CONTEXT.iter().any(|w| lower.contains(w));
    let context = section == Section::Diagnoses || says_so;
    for (i, t) in line.tokens.iter().enumerate() {
        let token = &line.text[t.start..t.end];
        let has_dot = token.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()).contains('.');
        let (code, factor, read_as) = match icd10::read(token) {
            Some(icd10::Read::Exact(code)) if has_dot || context => (code, 1.0, None),
            // In a list of diagnoses, a corrected code must open its line.
            Some(icd10::Read::Corrected(code)) if says_so || ((has_dot || context) && i == 0) => {
                (code, 0.85, Some(token))
            }
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
