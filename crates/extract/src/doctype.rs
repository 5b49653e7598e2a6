//! The document type: from the title near the top of the first page, read by what its words
//! mean; else from the words at the head of the page; else from what the body holds (a hospital
//! course, lab reference ranges, prescription refills …); and the facility from the letterhead.
//!
//! A title is read the way the LOINC Document Ontology names a document: a *kind of document*
//! (note, report, summary, letter, list, form, record, card, study …) and a *type of service* or
//! *subject matter* (progress, visit, consultation, discharge, operation, imaging, laboratory,
//! medications …), with setting and role words (outpatient, hospital, physician, attending …) that
//! do not change the type. So "Office Note", "SOAP Note", "Clinic Visit" and "Outpatient Follow-up
//! Visit Note" are all a progress note without any of them being listed, and a word OCR misread by
//! one letter ("Consu1tation", "Dlscharge") still means what it meant. The names of LOINC document
//! types (US Core DocumentReference types and LOINC Document Ontology display names) were the
//! checklist of wordings this vocabulary had to understand; LOINC is copyright © Regenstrief
//! Institute, Inc. and the LOINC Committee, available at no cost under the licence at
//! <https://loinc.org/license>; no LOINC table is shipped, only the words below.

use crate::names::title_case;
use chartdex_core::DocType;
use std::sync::LazyLock;

/// What a word of a title says about the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sense {
    // The kind of document.
    Note,
    Report,
    Summary,
    Letter,
    List,
    Sheet,
    Record,
    Form,
    Card,
    Study,
    Results,
    Instructions,
    Request,
    Document,
    // The type of service or the subject matter.
    Progress,
    Visit,
    /// A setting that is also a place ("clinic", "office"): a progress note only with a kind.
    Office,
    History,
    Physical,
    /// "H&P", "History and Physical".
    HAndP,
    Admission,
    Discharge,
    Transfer,
    Death,
    Consult,
    /// An operation ("operative", "-ectomy").
    Operation,
    /// Surgery as a subject ("surgical", "surgery"): an operative report only when nothing else
    /// (a clinic, a consultation, a pathology, a history) says otherwise.
    Surgery,
    Procedure,
    Emergency,
    Nurse,
    Lab,
    /// "lab", "laboratory": also the name of a place, so a type only with a kind or another word.
    LabPlace,
    Imaging,
    /// "imaging", "radiology": also the name of a department.
    ImagingPlace,
    Pathology,
    /// "pathology": also the name of a department.
    PathologyPlace,
    Biopsy,
    Medications,
    Reconciliation,
    Referral,
    Consent,
    /// An authorisation: a patient's consent, unless it is one a payer is asked for ("Prior
    /// Authorization Request").
    Authorization,
    /// A face sheet: registration, demographics.
    Registration,
    /// A prescription.
    Rx,
    Insurance,
    Identification,
    Fax,
    /// What a sheet or a form holds when it holds no service: "information", "details".
    Information,
    // Words that do not change the type.
    /// Setting, role, subject area or time: "outpatient", "attending", "cardiology", "daily".
    Modifier,
    /// The head of an institution's name: "center", "associates".
    Institution,
    /// A header label: "date", "name", "MRN".
    Label,
    /// "and", "of", "for".
    Stop,
}

use Sense::*;

/// A set of senses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Senses(u64);

impl Senses {
    fn add(&mut self, s: Sense) {
        self.0 |= 1 << s as u8;
    }

    fn has(self, s: Sense) -> bool {
        self.0 & (1 << s as u8) != 0
    }

    fn any(self, of: &[Sense]) -> bool {
        of.iter().any(|s| self.has(*s))
    }

    fn count(self, of: &[Sense]) -> usize {
        of.iter().filter(|s| self.has(**s)).count()
    }
}

/// The kinds of document.
const KINDS: &[Sense] = &[
    Note,
    Report,
    Summary,
    Letter,
    List,
    Sheet,
    Record,
    Form,
    Card,
    Study,
    Results,
    Instructions,
    Request,
    Document,
];

/// Types of service and subjects that name a document on their own ("Discharge", "Chest X-ray").
const STRONG: &[Sense] = &[
    Progress,
    Visit,
    HAndP,
    Discharge,
    Consult,
    Operation,
    Procedure,
    Emergency,
    Nurse,
    Lab,
    Imaging,
    Pathology,
    Biopsy,
    Medications,
    Reconciliation,
    Referral,
    Consent,
    Authorization,
    Registration,
    Rx,
    Fax,
    Surgery,
];

/// Senses that need a kind or a second sense to name a document: words that also name places,
/// parts of a name or a section ("Clinic", "Radiology", "History", "Insurance").
const WEAK: &[Sense] = &[
    Office,
    History,
    Physical,
    Admission,
    Transfer,
    Death,
    LabPlace,
    ImagingPlace,
    PathologyPlace,
    Insurance,
    Identification,
];

/// Subjects that are also a section of a note ("Current Medications", "Labs", "Chest X-ray"):
/// such a line without a kind is a heading when the page below it is a note.
const SECTION_LIKE: &[Sense] = &[Medications, Lab, LabPlace, Imaging, ImagingPlace, Procedure];

/// Single words (lower case) and what they mean.
const WORDS: &[(&str, Sense)] = &[
    // Kinds of document.
    ("note", Note),
    ("notes", Note),
    ("report", Report),
    ("reports", Report),
    ("summary", Summary),
    ("summarization", Summary),
    ("letter", Letter),
    ("correspondence", Letter),
    ("list", List),
    ("listing", List),
    ("profile", List),
    ("log", List),
    ("sheet", Sheet),
    ("flowsheet", Sheet),
    ("worksheet", Sheet),
    ("checklist", Sheet),
    ("record", Record),
    ("records", Record),
    ("form", Form),
    ("application", Form),
    ("card", Card),
    ("study", Study),
    ("studies", Study),
    ("diagnostic", Study),
    ("exam", Study),
    ("examination", Study),
    ("results", Results),
    ("result", Results),
    ("instructions", Instructions),
    ("request", Request),
    ("requisition", Request),
    ("order", Request),
    ("orders", Request),
    ("document", Document),
    ("documentation", Document),
    ("evaluation", Document),
    ("assessment", Document),
    ("addendum", Document),
    // Progress notes and visits.
    ("progress", Progress),
    ("soap", Progress),
    ("followup", Progress),
    ("fu", Progress),
    ("recheck", Progress),
    ("check", Visit),
    ("visit", Visit),
    ("encounter", Visit),
    ("appointment", Visit),
    ("office", Office),
    ("clinic", Office),
    // History and physical, admission, discharge.
    ("history", History),
    ("physical", Physical),
    ("h&p", HAndP),
    ("hnp", HAndP),
    ("admission", Admission),
    // A clinic's intake of a new patient, its first full assessment.
    ("intake", Admission),
    ("admit", Admission),
    ("admitting", Admission),
    ("discharge", Discharge),
    ("transfer", Transfer),
    // A stay in hospital, as a summary of it is the discharge's ("Confinement Summary").
    ("confinement", Transfer),
    ("hospitalization", Transfer),
    ("hospitalisation", Transfer),
    ("death", Death),
    // Consultation, operation, procedure.
    ("consult", Consult),
    ("consultation", Consult),
    ("consultative", Consult),
    ("operative", Operation),
    ("operation", Operation),
    ("op", Operation),
    ("intraoperative", Operation),
    ("cesarean", Operation),
    ("repair", Operation),
    ("reconstruction", Operation),
    ("removal", Operation),
    ("excision", Operation),
    ("resection", Operation),
    ("fusion", Operation),
    ("graft", Operation),
    ("implantation", Operation),
    ("revision", Operation),
    ("exploration", Operation),
    ("amputation", Operation),
    ("surgery", Surgery),
    ("surgical", Surgery),
    ("procedure", Procedure),
    ("procedural", Procedure),
    ("catheterization", Procedure),
    ("cath", Procedure),
    ("injection", Procedure),
    ("insertion", Procedure),
    ("placement", Procedure),
    ("ablation", Procedure),
    ("drainage", Procedure),
    ("i&d", Procedure),
    ("aspiration", Procedure),
    ("debridement", Procedure),
    ("manipulation", Procedure),
    // Emergency and nursing.
    ("emergency", Emergency),
    ("ed", Emergency),
    ("er", Emergency),
    ("triage", Emergency),
    ("nurse", Nurse),
    ("nurses", Nurse),
    ("nursing", Nurse),
    // Laboratory.
    ("laboratory", LabPlace),
    ("laboratories", Institution),
    ("lab", LabPlace),
    ("labs", LabPlace),
    ("chemistry", Lab),
    ("hematology", Lab),
    ("panel", Lab),
    ("specimen", Lab),
    ("urinalysis", Lab),
    ("microbiology", Lab),
    ("serology", Lab),
    ("culture", Lab),
    ("bloodwork", Lab),
    ("cbc", Lab),
    ("cmp", Lab),
    ("bmp", Lab),
    ("lipid", Lab),
    // Imaging.
    ("imaging", ImagingPlace),
    ("radiology", ImagingPlace),
    ("radiologic", ImagingPlace),
    ("radiological", ImagingPlace),
    ("xray", Imaging),
    ("xr", Imaging),
    ("densitometry", Imaging),
    ("radiograph", Imaging),
    ("ct", Imaging),
    ("cta", Imaging),
    ("mri", Imaging),
    ("mra", Imaging),
    ("ultrasound", Imaging),
    ("duplex", Imaging),
    ("sonographic", Imaging),
    ("fluoroscopy", Imaging),
    ("dexa", Imaging),
    ("scan", Imaging),
    ("echo", Imaging),
    ("doppler", Imaging),
    ("barium", Imaging),
    ("views", Imaging),
    ("images", Imaging),
    // Pathology.
    ("pathology", PathologyPlace),
    ("path", PathologyPlace),
    ("pathologic", Pathology),
    ("pathological", Pathology),
    ("cytology", Pathology),
    ("cytopathology", Pathology),
    ("histology", Pathology),
    ("histopathology", Pathology),
    // A histopathological examination's report ("HPE Report").
    ("hpe", Pathology),
    ("autopsy", Pathology),
    ("pap", Pathology),
    ("biopsy", Biopsy),
    // Medications and prescriptions.
    ("medication", Medications),
    ("medications", Medications),
    ("med", Medications),
    ("meds", Medications),
    ("drug", Medications),
    ("drugs", Medications),
    ("reconciliation", Reconciliation),
    ("rec", Reconciliation),
    ("prescription", Rx),
    ("rx", Rx),
    ("eprescription", Rx),
    // Referral, consent, registration, insurance, fax.
    ("referral", Referral),
    ("consent", Consent),
    // "Patient Agreement to Investigation or Treatment" (the NHS's consent form).
    ("agreement", Consent),
    ("authorization", Authorization),
    ("authorisation", Authorization),
    ("facesheet", Registration),
    ("registration", Registration),
    ("demographics", Registration),
    ("biodata", Registration),
    ("demographic", Registration),
    ("information", Information),
    ("info", Information),
    ("details", Information),
    ("insurance", Insurance),
    ("member", Insurance),
    ("subscriber", Insurance),
    ("medicare", Insurance),
    ("medicaid", Insurance),
    ("id", Identification),
    ("identification", Identification),
    ("fax", Fax),
    ("faxed", Fax),
    ("facsimile", Fax),
    ("telefax", Fax),
    ("transmittal", Fax),
    // Administrative papers filed with a chart: not a clinical document of any kind.
    ("administrative", Fax),
    // Setting, role, subject area, time: no change of type.
    ("outpatient", Modifier),
    ("inpatient", Modifier),
    ("ambulatory", Modifier),
    ("telehealth", Modifier),
    ("telemedicine", Modifier),
    ("virtual", Modifier),
    ("video", Modifier),
    ("telephone", Modifier),
    ("phone", Modifier),
    ("hospital", Modifier),
    ("hospitalist", Modifier),
    ("physician", Modifier),
    ("provider", Modifier),
    ("attending", Modifier),
    ("resident", Modifier),
    ("consultant", Modifier),
    ("surgeon", Modifier),
    ("clinician", Modifier),
    ("doctor", Modifier),
    ("medical", Modifier),
    ("clinical", Modifier),
    ("patient", Modifier),
    ("daily", Modifier),
    ("interval", Modifier),
    ("brief", Modifier),
    ("initial", Modifier),
    ("final", Modifier),
    ("preliminary", Modifier),
    ("new", Modifier),
    ("established", Modifier),
    ("annual", Modifier),
    ("general", Modifier),
    ("comprehensive", Modifier),
    ("focused", Modifier),
    ("complete", Modifier),
    ("limited", Modifier),
    ("routine", Modifier),
    ("current", Modifier),
    ("active", Modifier),
    ("home", Modifier),
    ("preoperative", Modifier),
    ("postoperative", Modifier),
    ("perioperative", Modifier),
    ("medicine", Modifier),
    ("care", Modifier),
    ("primary", Modifier),
    ("family", Modifier),
    ("internal", Modifier),
    ("pediatric", Modifier),
    ("pediatrics", Modifier),
    ("cardiology", Modifier),
    ("neurology", Modifier),
    ("oncology", Modifier),
    ("orthopedic", Modifier),
    ("orthopaedic", Modifier),
    ("psychiatry", Modifier),
    ("psychiatric", Modifier),
    ("obstetrics", Modifier),
    ("gynecology", Modifier),
    ("dermatology", Modifier),
    ("urology", Modifier),
    ("pulmonary", Modifier),
    ("gastroenterology", Modifier),
    ("endocrinology", Modifier),
    ("nephrology", Modifier),
    ("rheumatology", Modifier),
    ("ophthalmology", Modifier),
    ("podiatry", Modifier),
    ("dentistry", Modifier),
    ("dental", Modifier),
    ("mental", Modifier),
    ("behavioral", Modifier),
    ("health", Modifier),
    ("wellness", Modifier),
    ("well", Modifier),
    ("child", Modifier),
    ("adult", Modifier),
    ("continued", Modifier),
    ("page", Modifier),
    ("copy", Modifier),
    // Heads of institutions' names.
    ("center", Institution),
    ("centre", Institution),
    ("associates", Institution),
    ("group", Institution),
    ("institute", Institution),
    ("partners", Institution),
    ("services", Institution),
    ("department", Institution),
    ("dept", Institution),
    ("practice", Institution),
    ("physicians", Institution),
    ("llc", Institution),
    ("inc", Institution),
    ("pc", Institution),
    ("pllc", Institution),
    ("pa", Institution),
    ("system", Institution),
    ("network", Institution),
    ("university", Institution),
    ("foundation", Institution),
    // Header labels.
    ("date", Label),
    ("dob", Label),
    ("dos", Label),
    ("mrn", Label),
    ("name", Label),
    ("sex", Label),
    ("gender", Label),
    ("age", Label),
    ("npi", Label),
    ("address", Label),
    ("signature", Label),
    ("number", Label),
    ("account", Label),
    ("room", Label),
    // Words that join others, and near-neighbours of vocabulary words, read as themselves.
    ("and", Stop),
    ("&", Stop),
    ("of", Stop),
    ("for", Stop),
    ("the", Stop),
    ("a", Stop),
    ("an", Stop),
    ("to", Stop),
    ("with", Stop),
    ("without", Stop),
    ("on", Stop),
    ("in", Stop),
    ("at", Stop),
    ("by", Stop),
    ("from", Stop),
    ("or", Stop),
    ("re", Stop),
    ("content", Stop),
    ("contents", Stop),
    ("better", Stop),
    ("latter", Stop),
];

/// Word sequences that mean something other than their words, longest first where they overlap.
const PHRASES: &[(&[&str], Sense)] = &[
    (&["speech", "language", "pathology"], Modifier),
    (&["release", "of", "information"], Consent),
    (&["history", "and", "physical"], HAndP),
    // A nursing flowsheet, not a clinic's intake.
    (&["intake", "and", "output"], Nurse),
    (&["intake", "&", "output"], Nurse),
    (&["history", "&", "physical"], HAndP),
    (&["h", "and", "p"], HAndP),
    (&["x", "ray"], Imaging),
    (&["x", "rays"], Imaging),
    (&["cat", "scan"], Imaging),
    (&["pet", "scan"], Imaging),
    (&["pet", "ct"], Imaging),
    (&["nuclear", "medicine"], Imaging),
    (&["bone", "density"], Imaging),
    (&["follow", "up"], Progress),
    (&["c", "section"], Operation),
    (&["lumbar", "puncture"], Procedure),
    (&["surgical", "history"], Modifier),
    (&["face", "sheet"], Registration),
    // A chart's cover sheet is its face sheet; a cover sheet alone goes with a fax.
    (&["record", "cover", "sheet"], Registration),
    (&["chart", "cover", "sheet"], Registration),
    (&["cover", "sheet"], Fax),
    (&["cover", "page"], Fax),
    (&["emergency", "room"], Emergency),
    (&["emergency", "department"], Emergency),
    (&["emergency", "dept"], Emergency),
    (&["urgent", "care"], Office),
    (&["second", "opinion"], Consult),
    (&["health", "plan"], Insurance),
    (&["blood", "work"], Lab),
    (&["blood", "count"], Lab),
    (&["clinical", "pathology"], Lab),
    (&["frozen", "section"], Pathology),
    (&["speech", "pathology"], Modifier),
    (&["physical", "therapy"], Modifier),
    (&["physical", "medicine"], Modifier),
    (&["occupational", "therapy"], Modifier),
    (&["nurse", "practitioner"], Modifier),
    (&["nurse", "midwife"], Modifier),
    (&["nursing", "home"], Modifier),
    (&["nursing", "facility"], Modifier),
    (&["skilled", "nursing"], Modifier),
    (&["family", "practice"], Modifier),
    (&["post", "op"], Modifier),
    (&["pre", "op"], Modifier),
];

/// Vocabulary words long enough to be recognised one letter off.
static LONG_WORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| WORDS.iter().map(|(w, _)| *w).filter(|w| w.len() >= 6).collect());

/// A word's sense: the word itself, its singular, its form ("-ectomy" is an operation, "-scopy"
/// a procedure, "-ogram" an image), or the one vocabulary word it is a letter off or short of.
fn sense_of(word: &str) -> Option<Sense> {
    let exact = |w: &str| WORDS.iter().find(|(v, _)| *v == w).map(|(_, s)| *s);
    exact(word)
        .or_else(|| word.strip_suffix('s').filter(|w| w.len() > 2).and_then(exact))
        .or_else(|| by_form(word))
        .or_else(|| {
            let i = crate::one_letter_off(word, &LONG_WORDS)?;
            exact(LONG_WORDS[i])
        })
        .or_else(|| one_letter_dropped(word).and_then(exact))
}

/// The one long vocabulary word that `word` is with a letter dropped ("cosult"), if exactly one.
fn one_letter_dropped(word: &str) -> Option<&'static str> {
    if word.len() < 5 {
        return None;
    }
    let mut near = LONG_WORDS.iter().filter(|w| {
        w.len() == word.len() + 1
            && word.is_ascii()
            && (0..w.len()).any(|i| w[..i] == word[..i] && w[i + 1..] == word[i..])
    });
    match (near.next(), near.next()) {
        (Some(w), None) => Some(w),
        _ => None,
    }
}

/// The sense a medical word's form gives it.
fn by_form(word: &str) -> Option<Sense> {
    const NOT_IMAGES: &[&str] = &["program", "kilogram", "histogram", "nomogram", "diagram"];
    if word.len() < 7 {
        return None;
    }
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| word.ends_with(s));
    if ends(&["ectomy", "otomy", "plasty", "pexy", "rrhaphy", "desis"]) {
        Some(Operation)
    } else if ends(&["scopy", "centesis"]) {
        Some(Procedure)
    } else if ends(&["ogram", "ography", "ograms"])
        && !word.starts_with("electro")
        && !word.starts_with("polysomno")
        && !NOT_IMAGES.contains(&word)
    {
        Some(Imaging)
    } else {
        None
    }
}

/// A line's words as read: what they mean, and how many were not understood.
#[derive(Debug, Default)]
struct Reading {
    senses: Senses,
    words: usize,
    unknown: usize,
    /// Joining words ("and", "of"): many of them make running text, not a title.
    stops: usize,
}

/// The words of a line, case-folded and tolerant of OCR noise: punctuation split off, digits
/// inside words read as the letters they resemble ("N0TE"), letters spaced apart joined again
/// ("P R O G R E S S"), and words run together split again ("DISCHARGESUMMARY").
fn words(line: &str) -> Vec<String> {
    let cleaned: String = line
        .chars()
        .filter(|c| *c != '\'' && *c != '’')
        .map(|c| if c.is_alphanumeric() || c == '&' { c.to_ascii_lowercase() } else { ' ' })
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut run = String::new();
    for token in cleaned.split_whitespace() {
        let token = letters_for_digits(token);
        if token.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if token.chars().count() == 1 {
            run.push_str(&token);
            continue;
        }
        flush(&mut run, &mut out);
        out.extend(split_run_together(&token));
    }
    flush(&mut run, &mut out);
    out
}

/// Single letters in a row are one word ("E R", "F U", "H & P"); a lone one stays a word.
fn flush(run: &mut String, out: &mut Vec<String>) {
    let n = run.chars().count();
    if n > 1 && (!run.contains('&') || n == 3) {
        out.extend(split_run_together(run));
    } else {
        out.extend(run.chars().map(String::from));
    }
    run.clear();
}

/// "N0TE" → "note", "1ab" → "lab": digits in a word of letters, read as the letters they look
/// like; a token that is not then all letters is kept as it was.
fn letters_for_digits(token: &str) -> String {
    let letters = token.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 2 || letters == token.chars().count() {
        return token.to_string();
    }
    let read: String = token
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' => 'l',
            '5' => 's',
            c => c,
        })
        .collect();
    if read.chars().all(|c| c.is_alphabetic() || c == '&') {
        read
    } else {
        token.to_string()
    }
}

/// A word the vocabulary does not know, split into two or three words of three letters or more
/// it knows, if it can be ("dischargesummary"; not "reported" into "report" and "ed").
fn split_run_together(word: &str) -> Vec<String> {
    if word.len() < 7 || !word.is_ascii() || sense_of(word).is_some() {
        return vec![word.to_string()];
    }
    let known = |w: &str| w.len() >= 3 && WORDS.iter().any(|(v, s)| *v == w && *s != Stop);
    for at in 3..word.len() - 2 {
        let (head, tail) = word.split_at(at);
        if !known(head) {
            continue;
        }
        if known(tail) {
            return vec![head.to_string(), tail.to_string()];
        }
        for at2 in 3..tail.len().saturating_sub(2) {
            let (mid, last) = tail.split_at(at2);
            if known(mid) && known(last) {
                return vec![head.to_string(), mid.to_string(), last.to_string()];
            }
        }
    }
    vec![word.to_string()]
}

/// What the words of `text` mean.
fn read(text: &str) -> Reading {
    let words = words(text);
    let mut r = Reading::default();
    let mut i = 0;
    while i < words.len() {
        let phrase = PHRASES.iter().find(|(p, _)| {
            words.len() >= i + p.len() && p.iter().zip(&words[i..]).all(|(a, b)| *a == b.as_str())
        });
        let (sense, len) = match phrase {
            Some((p, s)) => (Some(*s), p.len()),
            None => (sense_of(&words[i]), 1),
        };
        match sense {
            Some(Stop) => r.stops += 1,
            Some(s) => {
                r.senses.add(s);
                r.words += 1;
            }
            None => {
                r.unknown += 1;
                r.words += 1;
            }
        }
        i += len;
    }
    r
}

/// The type a combination of senses names. A type of service outranks the subject matter
/// ("Radiology Consult note" is a consultation), a subject outranks the setting ("Clinic Lab
/// Report" is a lab report); `title` allows the weakest readings, a bare "Note" or "Results".
fn type_of(s: Senses, title: bool) -> Option<DocType> {
    let listing = s.any(&[List, Sheet, Record, Reconciliation]);
    let t = if s.has(Fax) {
        DocType::Other
    } else if s.has(Consent) || s.has(Authorization) && !s.has(Request) {
        // (A request for an authorisation is a payer's form: "Prior Authorization Request".)
        DocType::ConsentForm
    } else if s.has(Insurance) && s.any(&[Card, Identification])
        || s.has(Card) && s.has(Identification)
    {
        DocType::InsuranceCard
    } else if s.has(Registration) || s.has(Admission) && s.any(&[Record, Sheet, Form]) {
        DocType::FaceSheet
    } else if s.has(Referral) || s.has(Consult) && s.has(Request) {
        DocType::ReferralLetter
    } else if s.has(Medications) && listing || s.has(Reconciliation) || s.has(Rx) && s.has(List) {
        // (A pharmacy's "Prescription Profile" lists the patient's prescriptions.)
        DocType::MedicationList
    } else if s.has(Discharge) && !s.any(&[Instructions, Request])
        || s.any(&[Transfer, Death]) && s.has(Summary)
    {
        DocType::DischargeSummary
    } else if s.has(HAndP)
        || s.has(History) && s.has(Physical)
        || s.has(Admission) && !s.has(Nurse) && s.any(&[Note, History, Document, Report])
    {
        DocType::HistoryAndPhysical
    } else if s.has(Consult) {
        DocType::ConsultationNote
    } else if s.has(Operation) {
        DocType::OperativeReport
    } else if s.has(Procedure) {
        // (A surgical procedure is an operation: "Surgical Procedure Record".)
        if s.has(Surgery) {
            DocType::OperativeReport
        } else {
            DocType::ProcedureNote
        }
    } else if s.has(Emergency) {
        DocType::EmergencyDepartmentNote
    } else if s.has(Nurse) {
        DocType::NurseNote
    } else if s.any(&[Progress, Visit]) {
        DocType::ProgressNote
    } else if s.any(&[Pathology, PathologyPlace]) {
        DocType::PathologyReport
    } else if s.any(&[Imaging, ImagingPlace]) {
        DocType::RadiologyReport
    } else if s.has(Biopsy) {
        DocType::PathologyReport
    } else if s.any(&[Lab, LabPlace]) {
        DocType::LabReport
    } else if s.has(Rx) || s.has(Medications) && s.has(Request) && !listing {
        // An order for a medication is its prescription: "Medication Order".
        DocType::Prescription
    } else if s.has(Medications) {
        DocType::MedicationList
    } else if s.has(Information)
        && s.any(&[Sheet, Form, Record])
        && s.count(STRONG) + s.count(WEAK) == 0
    {
        // A sheet of the patient's details and no service: "Patient Information Sheet".
        DocType::FaceSheet
    } else if s.has(Office) {
        DocType::ProgressNote
    } else if title
        && s.has(Physical)
        && s.any(&[Study, Document, Form, Record])
        && s.count(STRONG) + s.count(WEAK) == 1
    {
        // A physical examination written up on its own is a history and physical: "Physical
        // Examination", "Preparticipation Physical Evaluation", "Annual Physical Exam Form".
        DocType::HistoryAndPhysical
    } else if s.has(Surgery) {
        DocType::OperativeReport
    } else if title && s.has(Results) && s.count(KINDS) == 1 {
        DocType::LabReport
    } else if title && s.has(Note) && s.count(STRONG) + s.count(WEAK) == 0 {
        DocType::ProgressNote
    } else if title && s.has(Card) && s.count(STRONG) + s.count(WEAK) == 0 {
        // A card that names no service is the one a patient carries: "Health Card",
        // "Member Card".
        DocType::InsuranceCard
    } else {
        return None;
    };
    Some(t)
}

impl Reading {
    /// The words name a document: a kind, a type of service that names one on its own, or two
    /// senses together ("Surgical Pathology"); and they are not an institution's name ("Riverbend
    /// Imaging Center") or a header label ("Discharge Date").
    fn names_a_document(&self) -> bool {
        let s = self.senses;
        let kind = s.any(KINDS);
        let named = kind || s.any(STRONG) || s.count(STRONG) + s.count(WEAK) >= 2;
        named && (kind || !s.has(Institution)) && !s.has(Label)
    }

    /// Only a subject that is also a section of a note, without a kind: "Current Medications".
    fn section_like(&self) -> bool {
        let s = self.senses;
        !s.any(KINDS)
            && s.any(SECTION_LIKE)
            && s.count(STRONG) + s.count(WEAK) == s.count(SECTION_LIKE)
    }
}

/// Headings of a clinician's note (not of a list, a report or a letter).
const NOTE_HEADINGS: &[&str] = &[
    "chief complaint",
    "history of present illness",
    "hpi",
    "subjective",
    "objective",
    "assessment",
    "plan",
    "review of systems",
    "physical exam",
    "physical examination",
    "reason for visit",
    "interval history",
    "hospital course",
];

/// The heading a line opens with, lower case: the words before a colon at its start, or the
/// whole line when it is short and in capitals.
fn heading_of(line: &str) -> Option<String> {
    let t = line.trim().trim_start_matches(|c: char| !c.is_alphanumeric());
    let head = match t.split_once(':') {
        Some((h, _)) => h,
        None if t.chars().any(char::is_alphabetic) && !t.chars().any(char::is_lowercase) => t,
        None => return None,
    };
    (head.split_whitespace().count() <= 5).then(|| head.trim().to_lowercase())
}

/// Whether a heading is one of `headings`, as whole words at its start ("Plan", not "Planned").
fn heading_is(heading: &str, headings: &[&str]) -> bool {
    headings.iter().any(|h| {
        heading.strip_prefix(h).is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric()))
    })
}

/// A title: a short line of its own at the top of the page, that is no label, no sentence, no
/// institution's name, and whose words name a type. A subject that is also a section of a note
/// ("Current Medications") is the title only of a page that is no note.
fn title(line: &str, note_below: bool) -> Option<DocType> {
    let line = line.trim();
    // (Nor a letterhead's numbers: "Tel (555) 010-0100 Fax (555) 010-0199".)
    let digits = line.chars().filter(char::is_ascii_digit).count();
    if line.contains(':') || is_sentence(line) || digits >= 7 {
        return None;
    }
    let r = read(line);
    if r.words == 0 || r.words > 8 || r.unknown > 4 || !r.names_a_document() {
        return None;
    }
    if note_below && r.section_like() {
        return None;
    }
    head_noun(line).or_else(|| type_of(r.senses, true))
}

/// The type a title's head names: a compound's last words before any preposition, as English
/// puts the kind last and its modifiers before it ("Discharge Prescription" is a prescription,
/// "Discharge Medication List" a medication list, "Consent for Anaesthesia" a consent). The
/// shortest ending of those words that holds a type of service or a subject ("Prescription",
/// "Medication List"), if any.
fn head_noun(line: &str) -> Option<DocType> {
    let words: Vec<&str> = line
        .split_whitespace()
        .take_while(|w| {
            let w = w.to_lowercase();
            !matches!(
                w.trim_matches(|c: char| !c.is_alphanumeric()),
                "of" | "for" | "to" | "on" | "at" | "with"
            )
        })
        .collect();
    // (Not a cover: a "Health Record Cover Sheet" is no fax's.)
    let head = (0..words.len()).rev().find(|&i| {
        let r = read(&words[i..].join(" "));
        r.senses.any(STRONG) && !r.senses.has(Fax) && r.unknown == 0
    })?;
    // (An adjective before it that names a service makes it that service's kind: an
    // "Operative Procedure Report" is an operation's.)
    let adjective = head.checked_sub(1).map(|i| words[i].to_lowercase()).is_some_and(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        ["ive", "al", "ic", "ary"].iter().any(|e| w.ends_with(e)) && read(w).senses.any(STRONG)
    });
    if adjective {
        return None;
    }
    type_of(read(&words[head..].join(" ")).senses, false)
}

/// True if a line reads as a document's title ("PROGRESS NOTE", "Fax Cover Page"): no
/// person's name.
pub(crate) fn is_title(line: &str) -> bool {
    title(line, false).is_some()
}

/// True if a line is the title of a document of a kind ("Physician Discharge Summary"), as
/// under a fax's cover; not one of the cover's own headings ("YOUR VISIT").
pub(crate) fn titles_a_document(line: &str) -> bool {
    names_a_kind(line) && title(line, false).is_some_and(|t| t != DocType::Other)
}

/// A line of running text: it ends with a full stop after a word (not after "Dr." or "M.D.").
fn is_sentence(line: &str) -> bool {
    let Some(last) = line.split_whitespace().last() else { return false };
    last.ends_with('.') && last.matches('.').count() == 1 && last.len() > 4
}

/// Labels whose value names the document: "Note Type: Office Visit", "Exam: CT abdomen".
const TYPE_LABELS: &[&str] =
    &["type", "title", "subject", "re", "exam", "examination", "study", "document", "service"];

/// Labels whose value is a study: an imaging word in it names the report ("Exam: CT abdomen
/// and pelvis, reconstruction" is a CT, whatever else it says).
const STUDY_LABELS: &[&str] = &["exam", "examination", "study"];

/// Where words at the head of a page stand.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// On a line of their own, or before the first label on it.
    Unlabelled,
    /// The value of a label that names the document.
    Labelled,
    /// The value of a label that names a study.
    Study,
}

/// The type named at the head of the page by words that are not a title line: a labelled type
/// ("Document Type: Discharge Summary", "Exam: CT head"), the words before the first label on
/// a line ("PROGRESS NOTE  Patient: …"), or a long line with a kind of document in it.
fn head(line: &str, note_below: bool) -> Option<DocType> {
    let mut parts: Vec<(String, Part)> = Vec::new();
    let segments: Vec<&str> = line.split(':').collect();
    if segments.len() == 1 {
        if !is_sentence(line) {
            parts.push((line.to_string(), Part::Unlabelled));
        }
    } else {
        // Before the first label: the words up to the label's own, dropped from the end.
        let mut first: Vec<&str> = segments[0].split_whitespace().collect();
        first.pop();
        while first.last().map(|w| read(w)).is_some_and(|r| r.unknown == 0 && !r.names_a_document())
        {
            first.pop();
        }
        parts.push((first.join(" "), Part::Unlabelled));
        for pair in segments.windows(2) {
            // The label's last word names the document ("Exam"), not "Reason for Exam".
            let mut label = pair[0].split_whitespace().rev().map(str::to_lowercase);
            let last = label.next().unwrap_or_default();
            let last = last.trim_matches(|c: char| !c.is_alphanumeric());
            let joined = label.next().is_some_and(|w| read(&w).stops > 0);
            if joined || !TYPE_LABELS.contains(&last) {
                continue;
            }
            // The value, up to the next label's words.
            let value: Vec<&str> =
                pair[1].split_whitespace().take_while(|w| !read(w).senses.has(Label)).collect();
            let place = if STUDY_LABELS.contains(&last) { Part::Study } else { Part::Labelled };
            parts.push((value.join(" "), place));
        }
    }
    parts.iter().find_map(|(text, place)| {
        let r = read(text);
        if *place != Part::Unlabelled && (r.words > 10 || r.stops > 3) {
            // A sentence after the label ("Physical Examination: Exam reveals …"), not a name.
            return None;
        }
        if *place == Part::Study && r.senses.has(Imaging) {
            return Some(DocType::RadiologyReport);
        }
        // Unlabelled words are a title only with a kind of document, and not in running text.
        let titled = *place != Part::Unlabelled || r.senses.any(KINDS) && r.stops <= 1;
        let named = r.words > 0 && r.names_a_document() && !(note_below && r.section_like());
        (titled && named).then(|| type_of(r.senses, false)).flatten()
    })
}

/// Section headings that name the type of the document they are in, most telling first (a
/// pathology report may repeat the operation's diagnoses; a discharge summary, the ED course).
const TYPE_HEADINGS: &[(&str, DocType)] = &[
    ("gross description", DocType::PathologyReport),
    ("microscopic description", DocType::PathologyReport),
    ("hospital course", DocType::DischargeSummary),
    ("course in the hospital", DocType::DischargeSummary),
    ("reason for consult", DocType::ConsultationNote),
    ("ed course", DocType::EmergencyDepartmentNote),
    ("er course", DocType::EmergencyDepartmentNote),
    ("emergency department course", DocType::EmergencyDepartmentNote),
    ("emergency room course", DocType::EmergencyDepartmentNote),
    ("discharge diagnos", DocType::DischargeSummary),
    ("preoperative diagnos", DocType::OperativeReport),
    ("pre-operative diagnos", DocType::OperativeReport),
    ("postoperative diagnos", DocType::OperativeReport),
    ("post-operative diagnos", DocType::OperativeReport),
    ("title of operation", DocType::OperativeReport),
    ("operation performed", DocType::OperativeReport),
    ("operations performed", DocType::OperativeReport),
];

/// What the body of each type holds, for pages without a title: (type, cues, cues needed).
/// A cue starts at a word; a short one is a whole word ("sig", not "signs").
const CUES: &[(DocType, &[&str], usize)] = &[
    (DocType::LabReport, &["reference", "specimen", "collected", "result", "mg/dl", "mmol/l"], 3),
    (DocType::RadiologyReport, &["findings", "impression", "exam:", "technique", "views"], 3),
    (DocType::PathologyReport, &["gross description", "microscopic", "specimen", "diagnosis"], 3),
    (DocType::OperativeReport, &["preoperative", "postoperative", "anesthesia", "procedure"], 3),
    (DocType::Prescription, &["sig", "refills", "disp", "dispense", "substitution"], 2),
    (DocType::InsuranceCard, &["member id", "group", "rxbin", "rxpcn", "copay", "payer"], 3),
    (DocType::ConsentForm, &["i consent", "i authorize", "risks", "signature", "witness"], 3),
    (
        DocType::EmergencyDepartmentNote,
        &[
            "emergency department",
            "emergency room",
            "triage",
            "ambulance",
            "medical decision making",
            "disposition",
        ],
        2,
    ),
    (
        DocType::DischargeSummary,
        &["hospital course", "discharge diagnos", "discharge medication", "admission diagnos"],
        2,
    ),
    (
        DocType::ConsultationNote,
        &["consult", "asked to see", "referred", "recommendation", "new patient", "second opinion"],
        2,
    ),
    (DocType::ReferralLetter, &["dear", "referring", "thank you for seeing", "sincerely"], 2),
    (
        DocType::HistoryAndPhysical,
        &[
            "past medical history",
            "past surgical history",
            "family history",
            "social history",
            "review of systems",
            "physical exam",
        ],
        6,
    ),
    (DocType::FaceSheet, &["emergency contact", "insurance", "address", "phone", "admit date"], 4),
];

/// Whether `text` holds `cue` at the start of a word (and as a whole word when it is short).
fn has_cue(text: &str, cue: &str) -> bool {
    text.match_indices(cue).any(|(at, _)| {
        let before = text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let whole = cue.len() >= 6 || !cue.ends_with(char::is_alphanumeric);
        let after = text[at + cue.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        before && (whole || after)
    })
}

/// The types a clinician's note can be: in a note, other types' cues are things it mentions
/// (a specimen, a signature).
const NOTE_TYPES: &[DocType] = &[
    DocType::ProgressNote,
    DocType::HistoryAndPhysical,
    DocType::DischargeSummary,
    DocType::ConsultationNote,
    DocType::ProcedureNote,
    DocType::OperativeReport,
    DocType::EmergencyDepartmentNote,
    DocType::ReferralLetter,
    DocType::NurseNote,
];

/// The type from the body: a heading that names it ("Hospital Course"), else the cues its text
/// holds, else a list of medications under its heading on a page that is no note, else a note's
/// headings (a progress note, the clinician's note of no more particular type).
fn body(lines: &[&str]) -> Option<DocType> {
    let headings: Vec<String> = lines.iter().filter_map(|l| heading_of(l)).collect();
    let named = TYPE_HEADINGS.iter().find(|(h, _)| headings.iter().any(|x| x.starts_with(h)));
    if let Some((_, t)) = named {
        return Some(*t);
    }
    let note_headings =
        NOTE_HEADINGS.iter().filter(|h| headings.iter().any(|x| heading_is(x, &[h]))).count();
    let all = lines.join("\n").to_lowercase();
    // The type whose cues are most fully there (the first of equals).
    let best = CUES
        .iter()
        .filter(|(t, _, _)| note_headings < 3 || NOTE_TYPES.contains(t))
        .map(|(t, cues, need)| (*t, cues.iter().filter(|c| has_cue(&all, c)).count(), *need))
        .filter(|(_, n, need)| n >= need)
        .rev()
        .max_by(|a, b| (a.1 * b.2).cmp(&(b.1 * a.2)));
    if let Some((t, _, _)) = best {
        return Some(t);
    }
    if note_headings == 0 && medication_list(lines) {
        return Some(DocType::MedicationList);
    }
    (note_headings >= 2).then_some(DocType::ProgressNote)
}

/// A page that lists medications: a medications heading with at least two lines under it, and
/// no diagnoses or plan (which would make it a note with a medication section).
fn medication_list(lines: &[&str]) -> bool {
    use crate::sections::{heading, of_lines, Section};
    let sections = of_lines(lines.iter().copied());
    if sections.iter().any(|s| matches!(s, Section::Diagnoses | Section::Plan)) {
        return false;
    }
    let opens = |i: usize| sections[i] == Section::Medications && heading(lines[i]).is_some();
    let Some(first) = (0..lines.len()).find(|i| opens(*i)) else { return false };
    let under = (first + 1..lines.len())
        .take_while(|i| sections[*i] == Section::Medications && heading(lines[*i]).is_none())
        .count();
    under >= 2
}

/// The type, and how sure: a title on the page (0.95), words at its head (0.8), cues in its
/// body (0.6), or nothing (other, 0.5).
pub(crate) fn doc_type(first_page: &str) -> (DocType, f32) {
    let mut lines: Vec<&str> = first_page.lines().filter(|l| !l.trim().is_empty()).collect();
    // A program's screen, printed: the lines down to its menu bar (the print's header, the
    // window's title: "Edit Demographics") are the program's, not the document's.
    if let Some(m) = lines.iter().take(6).position(|l| menu_bar(l)) {
        lines.drain(..=m);
    }
    // A fax's cover sheet before the document: its title is under the cover (or on the page
    // after it), past the cover's To, From, Pages and notice.
    let cover = lines.iter().take(8).position(|l| fax_cover(l));
    let (lines, window) = match cover {
        Some(c) => (lines[c + 1..].to_vec(), 40),
        None => (lines, 16),
    };
    let is_note_heading: Vec<bool> = lines
        .iter()
        .map(|l| heading_of(l).is_some_and(|h| heading_is(&h, NOTE_HEADINGS)))
        .collect();
    // Whether a note's heading follows each line (so that "Current Medications" is a heading).
    let mut note_below = vec![false; lines.len()];
    for i in (0..lines.len().saturating_sub(1)).rev() {
        note_below[i] = is_note_heading[i + 1] || note_below[i + 1];
    }
    // The head of the page: its first sixteen lines (a letterhead, a plate and a form's cells
    // may come before the title), up to the first heading of a note's body.
    let body_starts = is_note_heading.iter().position(|h| *h).unwrap_or(lines.len());
    let top = &lines[..lines.len().min(window).min(body_starts)];
    // Under a fax's cover, only a line that names a kind of document is the title (not the
    // cover's own headings: "YOUR VISIT", "Referral Office").
    let kind = |l: &str| cover.is_none() || names_a_kind(l);
    if let Some((line, t)) = top
        .iter()
        .zip(&note_below)
        .filter(|(l, _)| kind(l))
        .find_map(|(l, n)| Some((*l, title(l, *n)?)))
    {
        // A title whose head names no type ("Request for Administration of Anesthesia …") is
        // typed by its modifiers only where the body's cues name no other kind of form: what a
        // request asks for is not what the page is.
        if head_noun(line).is_none() {
            if let Some(b) = body(&lines).filter(|b| *b != t && !NOTE_TYPES.contains(b)) {
                return (b, 0.8);
            }
        }
        return (t, 0.95);
    }
    // (A cover with nothing under it that names a document is a fax, typed as its title says.)
    if cover.is_some() {
        return (DocType::Other, 0.95);
    }
    if let Some(t) = top.iter().zip(&note_below).find_map(|(l, n)| head(l, *n)) {
        return (t, 0.8);
    }
    match body(&lines) {
        Some(t) => (t, 0.6),
        None => (DocType::Other, 0.5),
    }
}

/// True if `line` is a program's menu bar: four or more single words, three of them the menus
/// every desktop and web program has (File, Edit, View, Tools, Window, Help …).
fn menu_bar(line: &str) -> bool {
    const MENUS: &[&str] =
        &["file", "edit", "view", "insert", "format", "tools", "window", "help", "options"];
    let words: Vec<String> = line
        .split(|c: char| c.is_whitespace() || c == '|')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let menus = words.iter().filter(|w| MENUS.contains(&w.as_str())).count();
    words.len() >= 4 && words.iter().all(|w| w.chars().all(char::is_alphabetic)) && menus >= 3
}

/// True if `line` names a kind of document, as the LOINC document names end: a note, a
/// summary, a report, a letter, a list, a form …
fn names_a_kind(line: &str) -> bool {
    const KINDS: &[&str] = &[
        "note",
        "notes",
        "summary",
        "report",
        "letter",
        "list",
        "form",
        "consent",
        "order",
        "prescription",
        "record",
        "records",
        "history",
        "physical",
        "profile",
        "reconciliation",
        "requisition",
        "referral",
        "consultation",
        "card",
        "face",
        "assessment",
        "evaluation",
        "medications",
        "medication",
        "meds",
    ];
    line.split(|c: char| !c.is_alphanumeric()).any(|w| KINDS.contains(&w.to_lowercase().as_str()))
}

/// True if `line` heads a fax's cover sheet: a short line naming a fax or a transmittal, not a
/// label ("CONFIDENTIAL FAX", "Facsimile Transmittal", "FAX COVER SHEET"; not "Fax #: …").
pub(crate) fn fax_cover(line: &str) -> bool {
    let lower = line.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let named = words.iter().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        matches!(w, "fax" | "facsimile" | "telefax" | "transmittal")
    });
    named && words.len() <= 8 && !line.contains(':') && !line.chars().any(|c| c.is_ascii_digit())
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
/// True if a letterhead's line names the government body that publishes the form ("Ministry
/// of Health", "Department of Health and Human Services", "State of …"), not the facility
/// that filled it in.
fn publisher(lower: &str) -> bool {
    const BODIES: &[&str] = &[
        "ministry",
        "ministère",
        "ministere",
        "department",
        "dept",
        "government",
        "bureau",
        "agency",
        "commonwealth",
    ];
    let mut words =
        lower.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()));
    let (first, second) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    (BODIES.contains(&first) || first == "state" && second == "of")
        && !contains_words(lower, "hospital")
        && !contains_words(lower, "clinic")
}

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
            let is_title = title(l, false).is_some()
                || ["plan", "insurance", "card"].iter().any(|w| contains_words(&lower, w));
            let words = l.split_whitespace().count();
            (named
                && !is_title
                && !publisher(&lower)
                && !l.contains(':')
                && (2..=8).contains(&words))
            .then(|| {
                let name = l.split_whitespace().map(title_case).collect::<Vec<_>>().join(" ");
                (name, n)
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use DocType::*;

    /// The type of a page, and how sure.
    fn check(page: &str, want: DocType, confidence: f32) {
        assert_eq!(doc_type(page), (want, confidence), "{page:?}");
    }

    /// The type a title alone gives (on a page with nothing else).
    fn titled(title: &str) -> DocType {
        let (t, confidence) = doc_type(title);
        assert_eq!(confidence, 0.95, "{title:?} read as {t:?} but not as a title");
        t
    }

    #[test]
    fn titles_name_the_type() {
        let t = |s: &str| doc_type(s).0;
        assert_eq!(t("RIVERBEND TEST CLINIC\nPROGRESS NOTE\nPatient: X"), ProgressNote);
        assert_eq!(t("Acme Lab\nLABORATORY REPORT"), LabReport);
        assert_eq!(t("OPERATIVE REPORT\n"), OperativeReport);
        assert_eq!(t("Surgical Pathology Report"), PathologyReport);
        assert_eq!(t("INFORMED CONSENT FOR PROCEDURE"), ConsentForm);
        assert_eq!(t("PRESCRIPTION\nRx: Metformin"), Prescription);
        assert_eq!(t("HEALTH PLAN INSURANCE CARD"), InsuranceCard);
        // A card that names no service is the patient's; one that does is that service's.
        assert_eq!(t("Fake Plan\nMember Card\nYour Visit"), InsuranceCard);
        assert_eq!(t("Clinic\nRegistration Card"), FaceSheet);
        // "Referring physician:" is a label, not a referral letter's title.
        assert_eq!(t("PROGRESS NOTE\nReferring physician: Dr X"), ProgressNote);
        assert_eq!(t("nothing to see"), Other);
    }

    #[test]
    fn a_title_whose_head_names_no_type_gives_way_to_the_bodys_cues() {
        let t = |s: &str| doc_type(s).0;
        let signed = "I authorize the surgeon named above.\nRisks were explained.\n\
                      Signature of patient:\nWitness:";
        // What is requested (an operation) is not what the page is: a patient's signed form.
        assert_eq!(
            t(&format!("Clinic\nRequest for Performance of Surgical Operations\n{signed}")),
            ConsentForm
        );
        // With nothing in the body, the title's words type it; a head that names the type
        // holds whatever the body says.
        assert_eq!(t("Clinic\nRequest for Performance of Surgical Operations"), OperativeReport);
        assert_eq!(t(&format!("Clinic\nOperative Report\n{signed}")), OperativeReport);
    }

    #[test]
    fn a_title_names_its_kind_last() {
        let t = |s: &str| doc_type(s).0;
        // The head of a compound is its last word; what comes before qualifies it.
        assert_eq!(t("Clinic\nDISCHARGE PRESCRIPTION"), Prescription);
        assert_eq!(t("Clinic\nDischarge Medication List"), MedicationList);
        assert_eq!(t("Clinic\nDischarge Summary"), DischargeSummary);
        assert_eq!(t("Clinic\nEmergency Department Discharge Summary"), DischargeSummary);
        // An adjective that names a service keeps it: an operation's procedure report.
        assert_eq!(t("Clinic\nOperative Procedure Report"), OperativeReport);
        // What follows a preposition is the subject, not the kind.
        assert_eq!(t("Clinic\nConsent for Operation"), ConsentForm);
    }

    // The wordings below are not the checklist the vocabulary was built from (LOINC's names):
    // EHR note-type menus, hospital forms, a health system's standard titles.

    #[test]
    fn titles_are_read_by_what_their_words_mean() {
        let cases: &[(&str, DocType)] = &[
            ("Office Note", ProgressNote),
            ("SOAP NOTE", ProgressNote),
            ("Clinic Visit", ProgressNote),
            ("Outpatient Progress Note", ProgressNote),
            ("Follow-up Visit Note", ProgressNote),
            ("Established Patient Office Visit", ProgressNote),
            ("Return Visit", ProgressNote),
            ("Telemedicine Encounter", ProgressNote),
            ("Phone Note", ProgressNote),
            ("Hospitalist Daily Progress Note", ProgressNote),
            ("Nurse Practitioner Progress Note", ProgressNote),
            ("Medical Note", ProgressNote),
            ("Discharge Summary", DischargeSummary),
            ("Hospital Discharge Summary", DischargeSummary),
            ("Death Summary", DischargeSummary),
            ("Interfacility Transfer Summary", DischargeSummary),
            ("Interval H&P", HistoryAndPhysical),
            ("Sports Physical Examination", HistoryAndPhysical),
            ("Preparticipation Physical Evaluation", HistoryAndPhysical),
            ("Histopathology (HPE) Report", PathologyReport),
            ("Admission History and Physical", HistoryAndPhysical),
            ("Nursing Home Admission H & P", HistoryAndPhysical),
            ("Consult Note", ConsultationNote),
            ("Inpatient Consultation", ConsultationNote),
            ("Cardiology Consult", ConsultationNote),
            ("Second Opinion", ConsultationNote),
            ("Surgical operation note", OperativeReport),
            ("Brief Op Note", OperativeReport),
            ("Laparoscopic Cholecystectomy", OperativeReport),
            ("Total Knee Arthroplasty", OperativeReport),
            ("Bedside Procedure Note", ProcedureNote),
            // A surgical procedure is an operation.
            ("Surgical Procedure Report", OperativeReport),
            ("Patient Demographic and Biodata Sheet", FaceSheet),
            ("Application for Hospital Admission", FaceSheet),
            ("Inpatient Hospitalization Summary", DischargeSummary),
            ("New Patient Intake Note", HistoryAndPhysical),
            ("Carotid Duplex Study", RadiologyReport),
            // A request for a payer's authorisation is no consent.
            ("Medication Prior Authorization Request", Prescription),
            ("Request for Release of Information", ConsentForm),
            ("Intake and Output Record", NurseNote),
            ("Emergency Surgical Procedure Note", OperativeReport),
            ("Colonoscopy Report", ProcedureNote),
            ("Cardiac Catheterization Report", ProcedureNote),
            ("Emergency Room Record", EmergencyDepartmentNote),
            ("ED Provider Notes", EmergencyDepartmentNote),
            ("E.R. Physician Report", EmergencyDepartmentNote),
            ("Triage Assessment", EmergencyDepartmentNote),
            ("Nursing Flowsheet", NurseNote),
            ("Nurse's Notes", NurseNote),
            ("Specimen Results", LabReport),
            ("Chemistry Panel", LabReport),
            ("Basic Metabolic Panel", LabReport),
            ("CBC with Differential", LabReport),
            ("Urine Culture", LabReport),
            ("Test Results", LabReport),
            ("Diagnostic imaging study", RadiologyReport),
            ("CT Abdomen Report", RadiologyReport),
            ("Chest X-Ray", RadiologyReport),
            ("MRI Lumbar Spine without Contrast", RadiologyReport),
            ("Screening Mammogram", RadiologyReport),
            ("Abdominal Ultrasound", RadiologyReport),
            ("Bone Densitometry", RadiologyReport),
            ("Cytopathology Report", PathologyReport),
            ("Bone Marrow Biopsy", PathologyReport),
            ("Autopsy Report", PathologyReport),
            ("Current Medications", MedicationList),
            ("Medication Reconciliation", MedicationList),
            ("Home Medication List", MedicationList),
            ("Medication Administration Record", MedicationList),
            ("Medication Profile", MedicationList),
            ("Referral Request", ReferralLetter),
            ("Request for Consultation", ReferralLetter),
            ("Consent for Surgery", ConsentForm),
            ("Authorization to Release Health Information", ConsentForm),
            ("Patient Registration Form", FaceSheet),
            ("Admission Face Sheet", FaceSheet),
            ("Patient Demographics", FaceSheet),
            ("Admission Record", FaceSheet),
            ("Rx", Prescription),
            ("Member Identification Card", InsuranceCard),
            ("Medicaid ID Card", InsuranceCard),
            ("Facsimile Transmittal", Other),
            ("Fax Cover Page", Other),
            // An order for medications; a sheet of details and no service.
            ("Outpatient Medication Orders", Prescription),
            ("Patient Details Form", FaceSheet),
            ("Discharge Information Sheet", DischargeSummary),
        ];
        for (title, want) in cases {
            assert_eq!(titled(title), *want, "{title:?}");
        }
        // A therapist's evaluation is no physical examination.
        assert_ne!(doc_type("Physical Therapy Evaluation").0, HistoryAndPhysical);
    }

    #[test]
    fn long_titles_of_an_enterprise_title_list_are_read_too() {
        // Titles in the style of a hospital system's standard note titles: the subject area first.
        let cases: &[(&str, DocType)] = &[
            ("NUTRITION DIETETICS CONSULT", ConsultationNote),
            ("NUTRITION DIETETICS E&M NOTE", ProgressNote),
            ("PRIMARY CARE NOTE", ProgressNote),
            ("PRIMARY CARE TELEPHONE ENCOUNTER NOTE", ProgressNote),
            ("NURSING ADMISSION ASSESSMENT", NurseNote),
            ("MENTAL HEALTH DISCHARGE SUMMARY", DischargeSummary),
            ("EMERGENCY DEPT NOTE", EmergencyDepartmentNote),
            ("SURGERY OPERATION REPORT", OperativeReport),
            ("ANESTHESIA PROCEDURE NOTE", ProcedureNote),
            ("RADIOLOGY CONSULT", ConsultationNote),
            ("PHARMACY MEDICATION RECONCILIATION", MedicationList),
        ];
        for (title, want) in cases {
            assert_eq!(titled(title), *want, "{title:?}");
        }
    }

    #[test]
    fn titles_misread_by_ocr_keep_their_meaning() {
        assert_eq!(titled("PR0GRESS N0TE"), ProgressNote);
        assert_eq!(titled("DISCHARGE SUMMAKY"), DischargeSummary);
        assert_eq!(titled("C0NSULTATI0N"), ConsultationNote);
        assert_eq!(titled("HISTORY AND PHYSlCAL"), HistoryAndPhysical);
        assert_eq!(titled("L A B O R A T O R Y   R E P O R T"), LabReport);
        assert_eq!(titled("OPERATIVEREPORT"), OperativeReport);
        assert_eq!(titled("~ Radiology Report |"), RadiologyReport);
    }

    #[test]
    fn a_fax_cover_over_a_document_is_typed_by_the_document_under_it() {
        let faxed = "RIVERBEND TEST CLINIC CONFIDENTIAL FAX\n\
                     Attention: Dr. X\n\
                     Sender: Referral Office\n\
                     Regarding: Jane Fakename\n\
                     CONFIDENTIAL: the pages that follow hold health information.\n\
                     Physician Discharge Summary\n\
                     Patient: Jane Fakename";
        check(faxed, DischargeSummary, 0.95);
        // Its own headings name no kind of document; a letterhead's fax number is no title.
        check("CONFIDENTIAL FAX\nTo: Records\nYOUR VISIT\nPages: 2", Other, 0.95);
        check(
            "Riverbend Clinic\nTel (555) 010-0100 Fax (555) 010-0199\nPROGRESS NOTE",
            ProgressNote,
            0.95,
        );
    }

    #[test]
    fn false_titles_are_not_taken() {
        // A label line, a header label without its colon, a sentence, an author's name.
        check("Referring Physician: Dr X\nDate: 01/02/2020", Other, 0.5);
        check("Discharge Date 01/02/2020", Other, 0.5);
        check("Follow up in two weeks.", Other, 0.5);
        check("Mar 2, 2024\nJane Fakename, RN", Other, 0.5);
        // A facility's letterhead is no title ("Imaging" in its name makes no radiology report).
        check("Riverbend Imaging Center\nPatient: X\nDate: 01/02/2020", Other, 0.5);
        let report = "Riverbend Imaging Center\nPatient: X\nTechnique: PA and lateral\n\
                      Findings: clear\nImpression: normal";
        check(report, RadiologyReport, 0.6);
        // A fax cover sheet is other, whatever the pages it covers.
        check(
            "FAX COVER SHEET\nTo: Dr X\nRe: discharge summary\nDear Dr X,\nSincerely,",
            Other,
            0.95,
        );
        // A letter's title does not type it; its body does.
        check(
            "Correspondence\nDear Dr X,\nThank you for seeing Ms Y.\nSincerely,",
            ReferralLetter,
            0.6,
        );
    }

    #[test]
    fn a_section_heading_of_a_note_is_not_its_title() {
        let note = "Patient: X   MRN: 1\nCHIEF COMPLAINT: cough\nCURRENT MEDICATIONS\nMetformin \
                    500 mg PO BID\nASSESSMENT: bronchitis\nPLAN: rest";
        check(note, ProgressNote, 0.6);
        let list = "CURRENT MEDICATIONS\nPatient: X   MRN: 1\n1. Metformin 500 mg PO BID\n\
                    2. Lisinopril 10 mg PO daily\nAllergies: penicillin";
        check(list, MedicationList, 0.95);
    }

    #[test]
    fn head_words_type_a_page_without_a_title_line() {
        check("Document Type: Discharge Summary\nPatient: X", DischargeSummary, 0.8);
        check("PROGRESS NOTE   Patient: X   MRN: 1", ProgressNote, 0.8);
        check("Patient: X\nExam: CT head without contrast\nIndication: fall", RadiologyReport, 0.8);
    }

    #[test]
    fn a_printed_screens_window_title_is_the_programs_not_the_documents() {
        let page = "3/4/22, 9:02 AM Patient Demographics\n\
                    Clinic Manager 7 - Patient Demographics - oO x\n\
                    File | Edit | View | Tools | Window | Help\n\
                    Summary History Billing\n\
                    Radiology Report\n\
                    Exam: Chest, two views\n";
        assert_eq!(doc_type(page).0, DocType::RadiologyReport);
        // Without a menu bar, the first title is the document's.
        assert_eq!(doc_type("Patient Demographics\nName: Test\n").0, DocType::FaceSheet);
        assert!(!menu_bar("File Number 12345 View Date"));
    }

    #[test]
    fn body_cues_type_untitled_pages() {
        let lab = "Specimen: blood\nCollected: 01/02/2020\nGlucose 99 mg/dL  Reference 70-99";
        check(lab, LabReport, 0.6);
        let discharge = "Patient: X\nHospital Course:\nAdmitted with pneumonia, treated.";
        check(discharge, DischargeSummary, 0.6);
        let consult = "Patient: X\nReason for Consultation: chest pain\nHistory of Present \
                       Illness: two days\nAssessment: angina\nPlan: stress test";
        check(consult, ConsultationNote, 0.6);
        let meds = "Patient: X\nDOB: 01/02/1950\nCurrent Medications:\n1. Metformin 500 mg PO \
                    BID\n2. Lisinopril 10 mg PO daily\nAllergies: NKDA";
        check(meds, MedicationList, 0.6);
        let soap = "Patient: X\nSubjective: cough\nObjective: clear lungs\nAssessment: cold\n\
                    Plan: fluids";
        check(soap, ProgressNote, 0.6);
    }

    #[test]
    fn letterhead_names_the_facility() {
        assert_eq!(
            letterhead("RIVERBEND TEST CLINIC\nPROGRESS NOTE").map(|f| f.0).as_deref(),
            Some("Riverbend Test Clinic")
        );
        assert_eq!(
            letterhead("Riverbend Imaging Center\nCT ABDOMEN").map(|f| f.0).as_deref(),
            Some("Riverbend Imaging Center")
        );
        assert_eq!(letterhead("PROGRESS NOTE\nPatient: X"), None);
        // The government body that publishes a form is not the facility that filled it in.
        assert_eq!(
            letterhead("Department of Health / Santé publique\nLakeside Fake Infirmary\nX")
                .map(|f| f.0)
                .as_deref(),
            Some("Lakeside Fake Infirmary")
        );
    }
}
