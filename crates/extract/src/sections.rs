//! Sections of a chart: "Assessment:", "Discharge Medications:", "Allergies:" … A heading sets
//! the section of the lines that follow it, up to the next heading; the text after a heading's
//! colon on the same line belongs to that section too.

use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Section {
    /// No heading yet, or one this reader does not care about.
    #[default]
    Other,
    Diagnoses,
    Medications,
    Plan,
    Allergies,
    /// Procedure or billing codes.
    Codes,
}

static HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[-•*]\s*)?([A-Za-z][A-Za-z /&'()#.-]{0,48}?)\s*[:;]").expect("valid regex")
});

/// The section a heading at the start of `line` opens, with the byte offset where the text
/// after the heading starts; `None` if the line opens no section.
pub(crate) fn heading(line: &str) -> Option<(Section, usize)> {
    let c = HEADING.captures(line)?;
    let words = c.get(1)?.as_str().to_lowercase();
    if words.split_whitespace().count() > 5 {
        return None;
    }
    let has = |needles: &[&str]| needles.iter().any(|n| words.contains(n));
    // The parts of one prescription or entry: they continue the section they are in.
    const PARTS: &[&str] =
        &["sig", "disp", "dispense", "refills", "qty", "quantity", "directions", "comment", "note"];
    if PARTS.contains(&words.trim()) {
        return None;
    }
    // A drug's name before its dose ("Prednisone: 10 mg PO daily") is a list's entry.
    if words.split_whitespace().next().is_some_and(crate::meds::is_drug_name) {
        return None;
    }
    let medication = has(&["medication", "medicine", "meds", "prescri", "rx", "drug"]);
    // A heading over both ("Medicines and Allergies:", "Meds/Allergies:") opens the list of
    // medications, the allergies following under their own label; "Drug Allergies:" opens
    // the allergies.
    let both = medication && [" and ", "&", "/"].iter().any(|c| words.contains(c));
    let section = if has(&["allerg"]) && !both {
        Section::Allergies
    } else if has(&[
        "cpt",
        "procedure code",
        "billing",
        "charges",
        "hcpcs",
        "e/m",
        "level of service",
    ]) {
        Section::Codes
    } else if medication {
        Section::Medications
    } else if has(&["diagnos", "assessment", "impression", "problem", "icd", "dx"]) {
        Section::Diagnoses
    } else if words.trim() == "plan" || has(&["assessment and plan", "a/p", "plan of care"]) {
        Section::Plan
    } else {
        Section::Other
    };
    Some((section, c.get(0)?.end()))
}

/// Each line's section.
pub(crate) fn of_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<Section> {
    let mut current = Section::Other;
    lines
        .into_iter()
        .map(|l| {
            if let Some((s, _)) = heading(l) {
                current = s;
            }
            current
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_open_sections_until_the_next() {
        let text = "Assessment:\n  E11.9 Type 2\n\nDischarge Medications:\n  Metformin 500 mg\n\
                    Allergies: Penicillin\nPatient: X  MRN: 1\nFollow-up in two weeks.";
        let s = of_lines(text.lines());
        use Section::*;
        assert_eq!(
            s,
            [Diagnoses, Diagnoses, Diagnoses, Medications, Medications, Allergies, Other, Other]
        );
        assert_eq!(heading("Plan: start metformin"), Some((Plan, 5)));
        assert_eq!(heading("CPT Codes: 99213"), Some((Codes, 10)));
        assert_eq!(heading("No heading here"), None);
        // Medicines, whatever they are called, and a heading over them and the allergies.
        assert_eq!(heading("Current Medicines:").map(|h| h.0), Some(Medications));
        assert_eq!(heading("Drugs & Allergies:").map(|h| h.0), Some(Medications));
        assert_eq!(heading("Drug allergies: none").map(|h| h.0), Some(Allergies));
    }
}
