//! The document type: from the title near the top of the first page, else from what the text
//! holds (a lab report has reference ranges, a prescription has refills …); and the facility
//! from the letterhead.

use crate::names::title_case;
use chartdex_core::DocType;

/// Title phrases, most specific first.
const TITLES: &[(&str, DocType)] = &[
    ("discharge summary", DocType::DischargeSummary),
    ("discharge note", DocType::DischargeSummary),
    ("history and physical", DocType::HistoryAndPhysical),
    ("history & physical", DocType::HistoryAndPhysical),
    ("h&p", DocType::HistoryAndPhysical),
    ("admission history", DocType::HistoryAndPhysical),
    ("operative report", DocType::OperativeReport),
    ("operative note", DocType::OperativeReport),
    ("operation report", DocType::OperativeReport),
    ("surgical report", DocType::OperativeReport),
    ("op note", DocType::OperativeReport),
    ("pathology report", DocType::PathologyReport),
    ("surgical pathology", DocType::PathologyReport),
    ("cytology report", DocType::PathologyReport),
    ("radiology report", DocType::RadiologyReport),
    ("imaging report", DocType::RadiologyReport),
    ("diagnostic imaging", DocType::RadiologyReport),
    ("x-ray report", DocType::RadiologyReport),
    ("ct report", DocType::RadiologyReport),
    ("mri report", DocType::RadiologyReport),
    ("ultrasound report", DocType::RadiologyReport),
    ("laboratory report", DocType::LabReport),
    ("laboratory results", DocType::LabReport),
    ("lab report", DocType::LabReport),
    ("lab results", DocType::LabReport),
    ("medication list", DocType::MedicationList),
    ("medication record", DocType::MedicationList),
    ("current medications list", DocType::MedicationList),
    ("medication reconciliation", DocType::MedicationList),
    ("referral letter", DocType::ReferralLetter),
    ("referral", DocType::ReferralLetter),
    ("letter of referral", DocType::ReferralLetter),
    ("consent form", DocType::ConsentForm),
    ("consent for", DocType::ConsentForm),
    ("informed consent", DocType::ConsentForm),
    ("consent", DocType::ConsentForm),
    ("face sheet", DocType::FaceSheet),
    ("facesheet", DocType::FaceSheet),
    ("patient registration", DocType::FaceSheet),
    ("registration form", DocType::FaceSheet),
    ("admission record", DocType::FaceSheet),
    ("prescription", DocType::Prescription),
    ("insurance card", DocType::InsuranceCard),
    ("insurance identification card", DocType::InsuranceCard),
    ("member id card", DocType::InsuranceCard),
    ("consultation note", DocType::ConsultationNote),
    ("consultation report", DocType::ConsultationNote),
    ("consultation", DocType::ConsultationNote),
    ("emergency department", DocType::EmergencyDepartmentNote),
    ("emergency room", DocType::EmergencyDepartmentNote),
    ("procedure note", DocType::ProcedureNote),
    ("nursing note", DocType::NurseNote),
    ("nurse note", DocType::NurseNote),
    ("nursing progress note", DocType::NurseNote),
    ("progress note", DocType::ProgressNote),
    ("office visit", DocType::ProgressNote),
    ("clinic note", DocType::ProgressNote),
    ("follow-up visit", DocType::ProgressNote),
    ("soap note", DocType::ProgressNote),
];

/// What the body of each type holds, for pages without a title: (type, cues, cues needed).
const CUES: &[(DocType, &[&str], usize)] = &[
    (DocType::LabReport, &["reference", "specimen", "collected", "result", "mg/dl", "mmol/l"], 3),
    (DocType::RadiologyReport, &["findings", "impression", "exam:", "technique", "views"], 3),
    (DocType::PathologyReport, &["gross description", "microscopic", "specimen", "diagnosis"], 3),
    (DocType::OperativeReport, &["preoperative", "postoperative", "anesthesia", "procedure"], 3),
    (DocType::Prescription, &["sig", "refills", "disp", "dispense", "substitution"], 2),
    (DocType::InsuranceCard, &["member id", "group", "rxbin", "rxpcn", "copay", "payer"], 3),
    (DocType::ConsentForm, &["i consent", "i authorize", "risks", "signature", "witness"], 3),
    (DocType::ReferralLetter, &["dear", "referring", "thank you for seeing", "sincerely"], 2),
    (
        DocType::DischargeSummary,
        &["hospital course", "discharge diagnos", "discharge medication"],
        2,
    ),
    (DocType::FaceSheet, &["emergency contact", "insurance", "address", "phone", "admit date"], 4),
];

/// The type, and how sure: a title on the page, or cues in its text.
pub(crate) fn doc_type(first_page: &str) -> (DocType, f32) {
    let lines: Vec<String> = first_page
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(10)
        .map(str::to_lowercase)
        .collect();
    // A title is a short line of its own: prefer one before any phrase in running text.
    for line in &lines {
        let title = line.trim().trim_end_matches(|c: char| !c.is_alphanumeric() && c != ')');
        if title.split_whitespace().count() > 7 || title.contains(':') {
            continue;
        }
        if let Some((_, t)) = TITLES.iter().find(|(needle, _)| contains_words(title, needle)) {
            return (*t, 0.95);
        }
    }
    let head = lines.join(" ");
    if let Some((_, t)) = TITLES.iter().find(|(needle, _)| contains_words(&head, needle)) {
        return (*t, 0.8);
    }
    let all = first_page.to_lowercase();
    let best = CUES
        .iter()
        .map(|(t, cues, need)| (*t, cues.iter().filter(|c| all.contains(*c)).count(), *need))
        .filter(|(_, n, need)| n >= need)
        .max_by_key(|(_, n, _)| *n);
    match best {
        Some((t, _, _)) => (t, 0.6),
        None => (DocType::Other, 0.5),
    }
}

/// `needle` in `hay` at word boundaries.
fn contains_words(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(at, _)| {
        let before = hay[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = hay[at + needle.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        before && after
    })
}

/// Words that name an institution in a letterhead.
const INSTITUTION: &[&str] = &[
    "clinic",
    "hospital",
    "medical center",
    "medical group",
    "health",
    "associates",
    "physicians",
    "laboratory",
    "laboratories",
    "imaging",
    "radiology",
    "urgent care",
    "family medicine",
    "family practice",
    "pediatrics",
    "center",
    "infirmary",
    "practice",
];

/// The facility from the letterhead: one of the first three lines of the first page that names
/// an institution and is neither a label nor the title. Returns the name and its line number.
pub(crate) fn letterhead(first_page: &str) -> Option<(String, usize)> {
    first_page.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).take(3).find_map(
        |(n, l)| {
            let lower = l.to_lowercase();
            let named = INSTITUTION.iter().any(|w| contains_words(&lower, w));
            let is_title = TITLES.iter().any(|(t, _)| contains_words(&lower, t))
                || ["plan", "insurance", "card"].iter().any(|w| contains_words(&lower, w));
            let words = l.split_whitespace().count();
            (named && !is_title && !l.contains(':') && (2..=8).contains(&words)).then(|| {
                let name = l.split_whitespace().map(title_case).collect::<Vec<_>>().join(" ");
                (name, n)
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_name_the_type() {
        let t = |s: &str| doc_type(s).0;
        assert_eq!(t("RIVERBEND TEST CLINIC\nPROGRESS NOTE\nPatient: X"), DocType::ProgressNote);
        assert_eq!(t("Acme Lab\nLABORATORY REPORT"), DocType::LabReport);
        assert_eq!(t("OPERATIVE REPORT\n"), DocType::OperativeReport);
        assert_eq!(t("Surgical Pathology Report"), DocType::PathologyReport);
        assert_eq!(t("INFORMED CONSENT FOR PROCEDURE"), DocType::ConsentForm);
        assert_eq!(t("PRESCRIPTION\nRx: Metformin"), DocType::Prescription);
        assert_eq!(t("HEALTH PLAN INSURANCE CARD"), DocType::InsuranceCard);
        // "Referring physician:" is a label, not a referral letter's title.
        assert_eq!(t("PROGRESS NOTE\nReferring physician: Dr X"), DocType::ProgressNote);
        assert_eq!(t("nothing to see"), DocType::Other);
    }

    #[test]
    fn body_cues_type_untitled_pages() {
        let lab = "Specimen: blood\nCollected: 01/02/2020\nGlucose 99 mg/dL  Reference 70-99";
        assert_eq!(doc_type(lab), (DocType::LabReport, 0.6));
    }

    #[test]
    fn letterhead_names_the_facility() {
        assert_eq!(
            letterhead("RIVERBEND TEST CLINIC\nPROGRESS NOTE").map(|f| f.0).as_deref(),
            Some("Riverbend Test Clinic")
        );
        assert_eq!(letterhead("PROGRESS NOTE\nPatient: X"), None);
    }
}
