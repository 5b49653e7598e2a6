//! Field extraction: the OCR text of a document (with its word boxes) → its chart fields
//! (patient, dates, provider, facility, codes, medications, document type), each value with
//! where it was read and how sure the extractor is of it.
//!
//! Pure and infallible: no IO, no panics on any input, and never an invented value — a field the
//! text does not clearly give stays empty, and an OCR misreading is corrected only where
//! validation (a code list, a check digit, the drug vocabulary) confirms the correction. What
//! could not be read cleanly is reported as a [`Diagnostic`] beside the fields rather than as an
//! error.
//!
//! How a document is read:
//! - `layout` ties each token of the text to its OCR word and rebuilds the page's rows
//!   ([`chartdex_core::reading`]), judged upright and deskewed.
//! - `labels` finds the header's label → value pairs by their layout and `vocab` says what each
//!   label means, word by word (a person, a record, a number, a birth, a visit, a clinician's
//!   role …), so wordings no list holds are understood; each value is checked by its shape
//!   (a name, an identifier, a date, an NPI's check digit, a sex) and candidates for one field
//!   are ranked. A header whose MRN carries no label it knows gives its only 7–10 digit
//!   identifier, at a confidence that sends it to review.
//! - `plate` reads an addressograph plate or chart label (a name, a number, a birth date, a
//!   doctor stacked without labels) by the shapes of its lines, for the fields no label gave.
//! - `codes` reads ICD-10-CM codes against the official list and the descriptions printed beside
//!   them, and CPT codes by format; `meds` medications against the FDA's drug names; `sections`
//!   tells which part of a note a line is in.
//! - `letter` reads a letter's date (alone on a line above its greeting) and its signer (the
//!   name under its close), for the fields no label gave.
//! - `unlabelled` reads a birth date (by the age beside it, or by how long before the visit it
//!   is), the visit's date (the one recent date beside a birth date) and a sex spelled out,
//!   where the header's labels were unreadable.
//! - `doctype` types the document by what its title's words mean, and reads the letterhead.

mod codes;
mod dates;
mod doctype;
mod icd10;
mod labels;
mod layout;
mod letter;
mod meds;
mod names;
mod plate;
mod sections;
mod unlabelled;
mod vocab;

use chartdex_core::{Evidence, Fields, PageText};
pub use dates::{normalize_date, Date};
pub use icd10::is_billable;
use layout::Place;
pub use meds::is_drug_name;

/// A note about something the extractor saw but did not trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub page: u32,
    pub message: String,
}

/// The fields of a document, where each value was read, and the diagnostics met on the way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extraction {
    pub fields: Fields,
    /// One entry per value (per code and medication for the lists), in reading order.
    pub evidence: Vec<Evidence>,
    pub diagnostics: Vec<Diagnostic>,
    /// The date of birth was written with a two-digit year.
    dob_two_digit_year: bool,
}

/// The fields whose doubt sends a document to a person: the ones it is filed under.
pub const KEY_FIELDS: [(&str, &str); 4] = [
    ("patient.family", "patient name"),
    ("patient.mrn", "MRN"),
    ("patient.dob", "date of birth"),
    ("service_date", "date of service"),
];

impl Extraction {
    fn note(&mut self, field: &str, value: &str, place: Place, factor: f32, read_as: Option<&str>) {
        self.evidence.push(Evidence {
            field: field.to_string(),
            value: value.to_string(),
            confidence: ((place.confidence * factor * 1000.0).round() / 1000.0).clamp(0.0, 1.0),
            page: place.page,
            bbox: place.bbox,
            read_as: read_as.map(str::to_string),
        });
    }

    fn diagnose(&mut self, page: u32, message: &str) {
        self.diagnostics.push(Diagnostic { page, message: message.to_string() });
    }

    /// The evidence for one field (the first, for list fields).
    pub fn evidence_for(&self, field: &str) -> Option<&Evidence> {
        self.evidence.iter().find(|e| e.field == field)
    }

    /// Why a person should check the fields, if they should: no patient name or MRN at all (the
    /// document cannot be filed), or a key field read with confidence below `threshold`.
    pub fn doubts(&self, threshold: f32) -> Vec<String> {
        let mut out = Vec::new();
        let p = &self.fields.patient;
        if p.family.is_none() && p.mrn.is_none() {
            out.push("no patient name or MRN found".to_string());
        }
        for (field, label) in KEY_FIELDS {
            if let Some(e) = self.evidence_for(field).filter(|e| e.confidence < threshold) {
                out.push(format!(
                    "page {}: {label} read with low confidence ({:.2})",
                    e.page, e.confidence
                ));
            }
        }
        out
    }
}

/// Reads the fields off a document's pages. Where several labels give one field, the one that
/// says most beats the others (a visit's date a signature's, an attending a referring
/// physician, a patient's name an insured's), across pages; among equals, the first.
pub fn extract(pages: &[PageText]) -> Extraction {
    // (Dates in digits as the document writes them: day first if it shows it does so.)
    let day_first = dates::writes_day_first(pages.iter().map(|p| p.text.as_str()));
    dates::in_order(day_first, || extract_in_order(pages))
}

fn extract_in_order(pages: &[PageText]) -> Extraction {
    let mut out = Extraction::default();
    let mut state = labels::State::default();
    // The first page's rows, where the letterhead is read.
    let mut first_rows = None;
    for page in pages {
        let lines = layout::lines(page);
        // Labels are read on the page's rows (a form's columns joined again, true columns
        // apart); codes and medications on the text's lines, which are those rows for a page
        // read by this chartdex and tesseract's own lines for one stored by an older one.
        let rows = layout::rows(&lines);
        let row_lines = rows.lines();
        labels::read_lines(&row_lines, &mut out, &mut state);
        if letter::is_letter(&row_lines) {
            letter::signer(&row_lines, &mut out, &mut state);
        }
        drop(row_lines);
        if first_rows.is_none() {
            first_rows = Some(rows);
        }
        let secs = sections::of_lines(lines.iter().map(|l| l.text));
        for (i, (line, section)) in lines.iter().zip(secs).enumerate() {
            let next = lines[i + 1..].iter().find(|l| !l.text.trim().is_empty());
            codes::read_icd10(line, next, section, &mut out);
            codes::read_cpt(line, section, &mut out);
            meds::read_line(line, next, section, &mut out);
        }
    }
    if let (Some(first), Some(rows)) = (pages.first(), &first_rows) {
        let row_lines = rows.lines();
        // The header's values and whether a known label claims each, for the values read by
        // their shape alone.
        let header = labels::header_tokens(&row_lines);
        labels::unlabelled_mrn(&row_lines, &header, &mut out);
        // The title and the letterhead on the page's rows cut at their wide gaps: a letterhead's
        // words in blocks of their own are one name again, and a title printed at the far end of
        // the letterhead's row ("RIVERBEND CLINIC        PROGRESS NOTE") is a line of its own.
        let cells = rows.cells();
        let text = cells.iter().map(|l| l.text).collect::<Vec<_>>().join("\n");
        // (A fax's cover sheet alone on the first page: the title is on the next.)
        let covered = text.lines().filter(|l| !l.trim().is_empty()).take(8).any(doctype::fax_cover);
        // (Its rows whole, not cut into cells: the cover's "Sender: Referral Office" is a
        // label's value, no title.)
        let (t, confidence) = if covered {
            let whole = row_lines.iter().map(|l| l.text).collect::<Vec<_>>().join("\n");
            match (doctype::doc_type(&whole), pages.get(1)) {
                ((chartdex_core::DocType::Other, _), Some(next)) => {
                    doctype::doc_type(&format!("{whole}\n{}", next.text))
                }
                (typed, _) => typed,
            }
        } else {
            doctype::doc_type(&text)
        };
        out.fields.doc_type = Some(t);
        let place = Place { page: first.number, bbox: None, confidence };
        out.note("doc_type", t.name(), place, 1.0, None);
        // An insurance card records no visit: a date on it is its own (issued, effective).
        // (Nor does it bear an addressograph's plate: its stacked member name, number and
        // birth date are the card's.)
        // Nor has it a chart's record number: an "ID No." on it is the member's.
        if t == chartdex_core::DocType::InsuranceCard {
            out.fields.service_date = None;
            out.evidence.retain(|e| e.field != "service_date");
            if !state.mrn_is_a_records() {
                out.fields.patient.mrn = None;
                out.evidence.retain(|e| e.field != "patient.mrn");
            }
        } else {
            plate::read(&cells, &mut out, &mut state);
            if letter::is_letter(&row_lines) {
                letter::date(&row_lines, &mut out, &mut state);
            }
        }
        let dates = unlabelled::header_dates(&row_lines, &header);
        unlabelled::dob(&row_lines, &dates, &mut out, &mut state);
        if t != chartdex_core::DocType::InsuranceCard {
            unlabelled::dos(&row_lines, &dates, &mut out, &mut state);
            labels::unlabelled_npi(&row_lines, &header, &mut out);
        }
        unlabelled::marked_sex(&row_lines, &mut out);
        unlabelled::sex(&row_lines, &header, &mut out, &mut state);
        if let Some((name, n)) = doctype::letterhead(&text) {
            // (Or a labelled name cut short to a field's width, the letterhead's whole:
            // "Sending Facility = MOCKINGBIRD_FAKE_HOSPITA", HL7's 24 characters.)
            let cut_short = out.fields.facility.as_ref().is_some_and(|f| {
                let (f, name) = (f.to_lowercase(), name.to_lowercase());
                f.len() >= 10 && name.len() > f.len() && name.starts_with(&f)
            });
            if out.fields.facility.is_none() || cut_short {
                let place = cells.get(n).map(|l| l.place(0, l.text.len()));
                let place =
                    place.unwrap_or(Place { page: first.number, bbox: None, confidence: 0.5 });
                out.evidence.retain(|e| e.field != "facility");
                out.note("facility", &name, place, 0.9, None);
                out.fields.facility = Some(name);
            }
        }
    }
    fix_two_digit_birth_year(&mut out);
    names_in_the_documents_own_order(pages, &mut out);
    out
}

/// A name read without a comma to say its order ("NOTREAL CARMEN" taken as given name first),
/// where the document also writes it with one ("NOTREAL, CARMEN"), only that way round: the
/// order the document itself shows.
fn names_in_the_documents_own_order(pages: &[PageText], out: &mut Extraction) {
    let texts: Vec<String> = pages.iter().map(|p| p.text.to_lowercase()).collect();
    let fields = &mut out.fields;
    for (person, given, family) in [
        ("patient", &mut fields.patient.given, &mut fields.patient.family),
        ("provider", &mut fields.provider.given, &mut fields.provider.family),
    ] {
        let (Some(g), Some(f)) = (given.as_ref(), family.as_ref()) else { continue };
        // (As words: "Ann, Lee" is not in "Joann, Leeds".)
        let written = |a: &str, b: &str| {
            let needle = format!("{}, {}", a.to_lowercase(), b.to_lowercase());
            texts.iter().any(|text| {
                text.match_indices(&needle).any(|(at, m)| {
                    let before = text[..at].chars().next_back();
                    let after = text[at + m.len()..].chars().next();
                    !before.is_some_and(char::is_alphabetic)
                        && !after.is_some_and(char::is_alphabetic)
                })
            })
        };
        if written(g, f) && !written(f, g) {
            std::mem::swap(given, family);
            let (gf, ff) = (format!("{person}.given"), format!("{person}.family"));
            for e in out.evidence.iter_mut() {
                if e.field == gf {
                    e.field.clone_from(&ff);
                } else if e.field == ff {
                    e.field.clone_from(&gf);
                }
            }
        }
    }
}

/// A date of birth written with a two-digit year after the date of service ("DOB 1/2/25" on a
/// 2024 visit) was born a century earlier.
fn fix_two_digit_birth_year(out: &mut Extraction) {
    let (Some(dob), Some(dos)) = (&out.fields.patient.dob, &out.fields.service_date) else {
        return;
    };
    if !out.dob_two_digit_year || dob <= dos {
        return;
    }
    let Some(year) = dob.get(..4).and_then(|y| y.parse::<u32>().ok()) else { return };
    let fixed = format!("{}{}", year - 100, &dob[4..]);
    for e in out.evidence.iter_mut().filter(|e| e.field == "patient.dob") {
        e.value = fixed.clone();
    }
    out.fields.patient.dob = Some(fixed);
}

/// The one word of `words` (lower case) that `word` is one letter off, as OCR misreads a
/// letter ("aprit" for "april"), if exactly one is: its index.
pub(crate) fn one_letter_off(word: &str, words: &[&str]) -> Option<usize> {
    let lower = word.to_lowercase();
    let mut near = words.iter().enumerate().filter(|(_, w)| {
        w.len() == lower.len() && w.bytes().zip(lower.bytes()).filter(|(a, b)| a != b).count() == 1
    });
    match (near.next(), near.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use chartdex_core::{DocType, TextMethod};

    /// A one-page OCR document of `text`, without word boxes.
    pub(crate) fn page(text: &str) -> PageText {
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
    fn a_facility_cut_to_its_fields_width_is_the_letterheads_name_whole() {
        let text = "SAMPLETON FAKE HOSPITAL\nProgress Note\nFacility: SAMPLETON FAKE HOSPI\n\
                    Patient: Jane Doe\nMRN: 41694582";
        let f = extract(&[page(text)]).fields;
        assert_eq!(f.facility.as_deref(), Some("Sampleton Fake Hospital"));
        // A labelled name that is no part of the letterhead's is kept.
        let other = text.replace("Facility: SAMPLETON FAKE HOSPI", "Facility: Notreal Labs");
        let f = extract(&[page(&other)]).fields;
        assert_eq!(f.facility.as_deref(), Some("Notreal Labs"));
    }

    #[test]
    fn an_insurance_cards_id_is_the_members_not_a_charts_record_number() {
        let card = "SAMPLE MUTUAL INSURANCE\nMember Identification Card\nMember: Jane Doe\n\
                    ID No.: ZZT2215737\nDOB: 12/04/2000\nEff. Date: 09/01/2023";
        let f = extract(&[page(card)]).fields;
        assert_eq!(f.doc_type, Some(DocType::InsuranceCard));
        assert_eq!(f.patient.mrn, None);
        assert_eq!(f.service_date, None);
        assert_eq!(f.patient.dob.as_deref(), Some("2000-12-04"));
        // A record number a card prints is kept.
        let card = card.replace("ID No.:", "MRN:");
        assert_eq!(extract(&[page(&card)]).fields.patient.mrn.as_deref(), Some("ZZT2215737"));
    }

    #[test]
    fn a_word_one_letter_off_exactly_one_of_a_list() {
        assert_eq!(one_letter_off("Aprit", &["march", "april"]), Some(1));
        assert_eq!(one_letter_off("april", &["march", "april"]), None, "not off: the word itself");
        assert_eq!(one_letter_off("apron", &["march", "april"]), None, "two letters off");
        assert_eq!(one_letter_off("jule", &["june", "july"]), None, "off two words");
        assert_eq!(one_letter_off("aprils", &["april"]), None, "another length");
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
    fn candidates_for_one_field_are_ranked_by_what_their_labels_say() {
        let text = "Date Signed: 05/05/2022    Referring Physician: Rita Fakeref, MD\n\
                    Admission Date: 06/01/2022    Discharge Date: 06/06/2022\n\
                    Group NPI: 1234567893    Attending: Alan Fakedoc, MD\n\
                    Rendering NPI: 1245319599\n\
                    Insured's Name: Pat Testpatient    Patient Name: Alice Testpatient\n\
                    Next Appointment: 07/07/2022";
        let f = extract(&[page(text)]).fields;
        // The discharge (what a discharge summary records) over the admission, over a signature.
        assert_eq!(f.service_date.as_deref(), Some("2022-06-06"));
        assert_eq!(f.provider.family.as_deref(), Some("Fakedoc"));
        assert_eq!(f.provider.npi.as_deref(), Some("1245319599"));
        assert_eq!(f.patient.given.as_deref(), Some("Alice"));
        // An insured's name is the patient's where nothing better names one (a card).
        let card = extract(&[page("Subscriber Name: Pat Testpatient\nMember ID: ZZ123456")]);
        assert_eq!(card.fields.patient.given.as_deref(), Some("Pat"));
        assert_eq!(card.fields.patient.mrn, None);
    }

    #[test]
    fn the_story_of_a_note_gives_no_header_fields() {
        // Sentences of a note (MTSamples-style) name events and people, not the header.
        let text = "HISTORY: His neurological examination on 09/23/2009 was unremarkable.\n\
                    The patient was admitted on 08/24/2007 to the transitional care unit.\n\
                    Impaired writing of name.,CN: Flattened right nasolabial fold only.\n\
                    DM and Htn in family.,SHX: Married, Secretary.\n\
                    BREATHING: Unlabored.";
        let f = extract(&[page(text)]).fields;
        assert_eq!(f.service_date, None);
        assert_eq!(f.patient, Default::default());
        assert_eq!(f.provider, Default::default());
        // A header's bare label is still one where its value is all there is.
        let f = extract(&[page("Collected 06-17-2018\nSeen 03/02/2024 10:30")]).fields;
        assert_eq!(f.service_date.as_deref(), Some("2024-03-02"));
    }

    #[test]
    fn a_name_without_its_comma_is_read_in_the_order_the_document_writes_it() {
        let pages = [
            page("CONSENT\nName of Client: TESTLY CARLA\nMRN: 00123456"),
            page("Name of Client: TESTLY, CARLA\nMRN: 00123456"),
        ];
        let f = extract(&pages).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Testly"));
        assert_eq!(f.patient.given.as_deref(), Some("Carla"));
        // Written both ways, or never with a comma: as read.
        let f = extract(&[page("CONSENT\nName of Client: TESTLY CARLA")]).fields;
        assert_eq!(f.patient.family.as_deref(), Some("Carla"));
    }

    #[test]
    fn no_pages_no_fields() {
        assert_eq!(extract(&[]), Extraction::default());
    }
}
