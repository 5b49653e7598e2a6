//! The structured fields read off a chart, shaped as the export contract names them.

use crate::BBox;
use serde::{Deserialize, Serialize};

/// The kind of clinical document, exported by its snake_case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    ProgressNote,
    HistoryAndPhysical,
    DischargeSummary,
    ConsultationNote,
    ProcedureNote,
    OperativeReport,
    EmergencyDepartmentNote,
    LabReport,
    PathologyReport,
    RadiologyReport,
    ReferralLetter,
    NurseNote,
    ConsentForm,
    InsuranceCard,
    Prescription,
    MedicationList,
    FaceSheet,
    Other,
}

impl DocType {
    pub const ALL: [DocType; 18] = [
        DocType::ProgressNote,
        DocType::HistoryAndPhysical,
        DocType::DischargeSummary,
        DocType::ConsultationNote,
        DocType::ProcedureNote,
        DocType::OperativeReport,
        DocType::EmergencyDepartmentNote,
        DocType::LabReport,
        DocType::PathologyReport,
        DocType::RadiologyReport,
        DocType::ReferralLetter,
        DocType::NurseNote,
        DocType::ConsentForm,
        DocType::InsuranceCard,
        DocType::Prescription,
        DocType::MedicationList,
        DocType::FaceSheet,
        DocType::Other,
    ];

    /// The snake_case export name.
    pub fn name(self) -> &'static str {
        match self {
            DocType::ProgressNote => "progress_note",
            DocType::HistoryAndPhysical => "history_and_physical",
            DocType::DischargeSummary => "discharge_summary",
            DocType::ConsultationNote => "consultation_note",
            DocType::ProcedureNote => "procedure_note",
            DocType::OperativeReport => "operative_report",
            DocType::EmergencyDepartmentNote => "emergency_department_note",
            DocType::LabReport => "lab_report",
            DocType::PathologyReport => "pathology_report",
            DocType::RadiologyReport => "radiology_report",
            DocType::ReferralLetter => "referral_letter",
            DocType::NurseNote => "nurse_note",
            DocType::ConsentForm => "consent_form",
            DocType::InsuranceCard => "insurance_card",
            DocType::Prescription => "prescription",
            DocType::MedicationList => "medication_list",
            DocType::FaceSheet => "face_sheet",
            DocType::Other => "other",
        }
    }

    /// Parses an export name.
    pub fn from_name(s: &str) -> Option<DocType> {
        DocType::ALL.iter().copied().find(|t| t.name() == s)
    }

    /// The LOINC document code, where an authoritative one exists (see shared/domain.md).
    pub fn loinc(self) -> Option<&'static str> {
        match self {
            DocType::ProgressNote => Some("11506-3"),
            DocType::HistoryAndPhysical => Some("34117-2"),
            DocType::DischargeSummary => Some("18842-5"),
            DocType::ConsultationNote => Some("11488-4"),
            DocType::ProcedureNote => Some("28570-0"),
            DocType::OperativeReport => Some("11504-8"),
            DocType::EmergencyDepartmentNote => Some("34111-5"),
            DocType::LabReport => Some("11502-2"),
            DocType::PathologyReport => Some("11526-1"),
            DocType::RadiologyReport => Some("18748-4"),
            DocType::ReferralLetter => Some("57133-1"),
            DocType::NurseNote => Some("34746-8"),
            DocType::ConsentForm => Some("59284-0"),
            DocType::InsuranceCard => Some("64290-0"),
            DocType::Prescription => Some("57833-6"),
            DocType::MedicationList | DocType::FaceSheet | DocType::Other => None,
        }
    }
}

/// The patient a document belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    pub given: Option<String>,
    pub family: Option<String>,
    pub mrn: Option<String>,
    /// Date of birth, YYYY-MM-DD.
    pub dob: Option<String>,
    /// M, F or U.
    pub sex: Option<String>,
}

impl Patient {
    /// "Given Family", or whichever part is known.
    pub fn display_name(&self) -> Option<String> {
        let parts: Vec<&str> =
            [self.given.as_deref(), self.family.as_deref()].into_iter().flatten().collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// The provider who authored or signed a document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    pub given: Option<String>,
    pub family: Option<String>,
    pub npi: Option<String>,
}

/// One medication entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Medication {
    pub name: String,
    pub dose: Option<String>,
    pub route: Option<String>,
    pub frequency: Option<String>,
}

/// Everything read off a document. Unknown values are `None` or empty, never guessed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fields {
    pub doc_type: Option<DocType>,
    pub patient: Patient,
    /// Date of service, YYYY-MM-DD.
    pub service_date: Option<String>,
    pub provider: Provider,
    pub facility: Option<String>,
    pub icd10: Vec<String>,
    pub cpt: Vec<String>,
    pub medications: Vec<Medication>,
}

/// Where one field value was read and how sure the extractor is of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The field, as its export key path: `patient.mrn`, `service_date`, `icd10`, `medications` …
    pub field: String,
    /// The value as extracted (normalised: ISO date, dotted code, medication name).
    pub value: String,
    /// 0..1: the OCR confidence of the words it was read from, lowered where the value had to be
    /// corrected or was found without a label.
    pub confidence: f32,
    /// The page it was read on (from 1).
    pub page: u32,
    /// Where on that page, in the original page's pixels; `None` for text without word boxes.
    #[serde(default)]
    pub bbox: Option<BBox>,
    /// The text as it was read, when the value differs from it (a corrected code, a date before
    /// normalisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_as: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_type_names_round_trip_and_match_serde() {
        for t in DocType::ALL {
            assert_eq!(DocType::from_name(t.name()), Some(t));
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{}\"", t.name()));
        }
        assert_eq!(DocType::LabReport.loinc(), Some("11502-2"));
        assert_eq!(DocType::FaceSheet.loinc(), None);
    }

    #[test]
    fn display_name_joins_known_parts() {
        let mut p = Patient::default();
        assert_eq!(p.display_name(), None);
        p.family = Some("Testpatient".into());
        assert_eq!(p.display_name().as_deref(), Some("Testpatient"));
        p.given = Some("Alice".into());
        assert_eq!(p.display_name().as_deref(), Some("Alice Testpatient"));
    }
}
