//! Field extraction: the OCR text of a document → its chart fields (patient, dates, provider,
//! codes, document type).
//!
//! Pure and infallible: no IO, no panics on any input, and never an invented value — a field the
//! text does not clearly give stays empty. What could not be read cleanly is reported as a
//! [`Diagnostic`] beside the fields rather than as an error.

mod dates;
mod icd10;
mod labels;

use chartdex_core::{DocType, Fields, PageText};
pub use dates::normalize_date;
pub use icd10::is_billable;

/// A note about something the extractor saw but did not trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub page: u32,
    pub message: String,
}

/// The fields of a document and the diagnostics met on the way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extraction {
    pub fields: Fields,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the fields off a document's pages. The first page that gives a value wins.
pub fn extract(pages: &[PageText]) -> Extraction {
    let mut out = Extraction::default();
    let mut state = labels::State::default();
    for page in pages {
        labels::read_page(page, &mut out, &mut state);
    }
    if let Some(first) = pages.first() {
        out.fields.doc_type = Some(doc_type(&first.text));
    }
    out
}

/// Luhn check of an NPI: the check digit over "80840" followed by the first nine digits.
pub fn npi_is_valid(npi: &str) -> bool {
    if npi.len() != 10 || !npi.bytes().all(|b| b.is_ascii_digit()) || !npi.starts_with(['1', '2']) {
        return false;
    }
    let digits = format!("80840{npi}");
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 {
                    dd - 9
                } else {
                    dd
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The document type from the title words near the top of the first page.
fn doc_type(text: &str) -> DocType {
    let head: String = text.lines().take(8).collect::<Vec<_>>().join(" ").to_lowercase();
    const RULES: &[(&str, DocType)] = &[
        ("discharge summary", DocType::DischargeSummary),
        ("history and physical", DocType::HistoryAndPhysical),
        ("history & physical", DocType::HistoryAndPhysical),
        ("operative report", DocType::OperativeReport),
        ("operative note", DocType::OperativeReport),
        ("pathology report", DocType::PathologyReport),
        ("surgical pathology", DocType::PathologyReport),
        ("radiology report", DocType::RadiologyReport),
        ("imaging report", DocType::RadiologyReport),
        ("laboratory report", DocType::LabReport),
        ("lab report", DocType::LabReport),
        ("lab results", DocType::LabReport),
        ("medication list", DocType::MedicationList),
        ("referral", DocType::ReferralLetter),
        ("consent", DocType::ConsentForm),
        ("face sheet", DocType::FaceSheet),
        ("facesheet", DocType::FaceSheet),
        ("registration", DocType::FaceSheet),
        ("prescription", DocType::Prescription),
        ("insurance card", DocType::InsuranceCard),
        ("consultation", DocType::ConsultationNote),
        ("emergency department", DocType::EmergencyDepartmentNote),
        ("procedure note", DocType::ProcedureNote),
        ("nursing note", DocType::NurseNote),
        ("nurse note", DocType::NurseNote),
        ("progress note", DocType::ProgressNote),
        ("office visit", DocType::ProgressNote),
        ("clinic note", DocType::ProgressNote),
    ];
    RULES
        .iter()
        .find(|(needle, _)| head.contains(needle))
        .map(|(_, t)| *t)
        .unwrap_or(DocType::Other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chartdex_core::TextMethod;

    fn page(text: &str) -> PageText {
        PageText {
            number: 1,
            text: text.into(),
            confidence: 0.9,
            method: TextMethod::Ocr,
            words: vec![],
            meta: Default::default(),
        }
    }

    #[test]
    fn npi_check_digit() {
        assert!(npi_is_valid("1234567893"));
        assert!(!npi_is_valid("1234567890"));
        assert!(!npi_is_valid("3234567893"));
        assert!(!npi_is_valid("123456789"));
    }

    #[test]
    fn header_fields_from_a_two_column_header() {
        let text = "RIVERBEND TEST CLINIC\nPROGRESS NOTE\n\
                    Patient: TESTPATIENT, ALICE Q      MRN: 00123456\n\
                    DOB: 03/14/1961    Sex: F\n\
                    Date of Service: March 2, 2024\n\
                    Provider: Robert Fakedoc, MD    NPI: 1234567893\n\
                    Assessment: E11.9 Type 2 diabetes; I10 hypertension; J45.909\n";
        let e = extract(&[page(text)]);
        let f = &e.fields;
        assert_eq!(f.doc_type, Some(DocType::ProgressNote));
        assert_eq!(f.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(f.patient.given.as_deref(), Some("Alice"));
        assert_eq!(f.patient.mrn.as_deref(), Some("00123456"));
        assert_eq!(f.patient.dob.as_deref(), Some("1961-03-14"));
        assert_eq!(f.patient.sex.as_deref(), Some("F"));
        assert_eq!(f.service_date.as_deref(), Some("2024-03-02"));
        assert_eq!(f.provider.family.as_deref(), Some("Fakedoc"));
        assert_eq!(f.provider.npi.as_deref(), Some("1234567893"));
        assert_eq!(f.icd10, vec!["E11.9", "I10", "J45.909"]);
    }

    #[test]
    fn codes_are_validated_and_ocr_confusions_corrected_where_a_code_belongs() {
        let text = "Assessment:\n150.9 Heart failure, unspecified\n  E11.9 Type 2 diabetes\n\
                    Weight 150.9 lb, Z99.9 is no code\nDx: l10";
        let e = extract(&[page(text)]);
        assert_eq!(e.fields.icd10, vec!["I50.9", "E11.9", "I10"]);
        assert_eq!(e.diagnostics.len(), 2, "{:?}", e.diagnostics);
    }

    #[test]
    fn invalid_npi_is_not_kept_but_noted() {
        let e = extract(&[page("Provider: Jane Fakedoc MD  NPI: 1234567890")]);
        assert_eq!(e.fields.provider.npi, None);
        assert_eq!(e.diagnostics.len(), 1);
    }

    #[test]
    fn nothing_is_invented_from_unlabelled_text() {
        let e = extract(&[page("The quick brown fox.\nNo labels here at all.")]);
        assert_eq!(e.fields.patient, Default::default());
        assert_eq!(e.fields.service_date, None);
        assert!(e.fields.icd10.is_empty());
        assert_eq!(e.fields.doc_type, Some(DocType::Other));
    }

    #[test]
    fn specific_date_label_beats_generic_across_pages() {
        let mut p2 = page("Date: 01/01/2023");
        p2.number = 2;
        let e = extract(&[page("Date: 05/05/2022\nDate of Service: 06/06/2022"), p2]);
        assert_eq!(e.fields.service_date.as_deref(), Some("2022-06-06"));
        let e = extract(&[page("Date: 05/05/2022\nDate: 07/07/2022")]);
        assert_eq!(e.fields.service_date.as_deref(), Some("2022-05-05"));
    }

    #[test]
    fn no_pages_no_fields() {
        assert_eq!(extract(&[]), Extraction::default());
    }
}
