//! What a label means: its words mapped to the ideas they stand for (a person, a record, a
//! number, a birth, a visit, a clinician's role …), and the field those ideas together name.
//!
//! Charts label the same few fields in hundreds of wordings ("MRN", "Med Rec #", "Chart No.",
//! "Hospital Number", "Patient ID"; "DOB", "Born", "Birthdate"; "Seen on", "Visit Date", "Date of
//! Encounter"). A list of phrases is always one short; a label is read here word by word instead,
//! so a wording never seen before is understood when its words are. Words are compared as OCR
//! reads them: case and punctuation folded, digits in words read as the letters they resemble,
//! and a long word one or two letters off a known one taken for it when that is the only match.

use std::collections::HashMap;
use std::sync::LazyLock;

/// What a label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    /// The patient's whole name; the rank orders candidates (lower wins): 0 a label that says
    /// patient, 1 a bare "Name", 2 the unlabelled name opening a banner or a plate of the
    /// patient's identifiers, 3 a health plan's insured or subscriber (the patient on a card;
    /// on a chart often a spouse or a parent).
    Patient(u8),
    /// The patient's family name alone; ranked as [`Key::Patient`] (3 an insured's).
    Family(u8),
    /// The patient's given name alone; ranked as [`Key::Patient`].
    Given(u8),
    /// The medical record number; 0 a record's number, 1 a patient's id or number, 2 a
    /// facility's number (the patient's number there).
    Mrn(u8),
    Dob,
    Sex,
    /// A date of service; the number is its priority (lower wins): 0 the visit itself, 1 the
    /// event the document records (discharge, collection, procedure, examination), 2 an
    /// admission or registration, 3 a bare "Date" (or a prescription's, a review's), 4 a
    /// report's, a result's or an order's date, 5 a signature's, 6 a clerk's (typed, printed,
    /// sent).
    Dos(u8),
    /// A clinician; 0 the one who saw the patient, 1 one who operated, ordered or signed, 2 an
    /// admitting one, 3 a referring or primary-care clinician.
    Provider(u8),
    /// A clinician's NPI, ranked as [`Key::Provider`].
    Npi(u8),
    /// A clinician's number of unknown kind, ranked as [`Key::Provider`]: an NPI only if its
    /// check digit holds.
    ProviderId(u8),
    Facility,
    /// A label of something else ("Emergency Contact Name", "Account #", "Next Appointment"):
    /// it ends the value before it, and its own value is not a field.
    Other,
}

impl Key {
    /// The label counts without a colon when the value after it is what it announces.
    pub(crate) fn bare_ok(self) -> bool {
        matches!(self, Key::Mrn(_) | Key::Dob | Key::Sex | Key::Npi(_) | Key::ProviderId(_))
            || matches!(self, Key::Dos(p) if p != 3)
    }

    /// The key names a person.
    pub(crate) fn is_name(self) -> bool {
        matches!(self, Key::Patient(_) | Key::Provider(_) | Key::Family(_) | Key::Given(_))
    }
}

/// The idea a label word stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Idea {
    /// The person the chart is about.
    Subject,
    /// A health plan's member: the patient on an insurance card, whose numbers are the plan's.
    Member,
    /// A person's name.
    Name,
    Family,
    Given,
    Middle,
    /// A record or chart (its number is the MRN).
    Record,
    /// A hospital or unit, whose number is the MRN on some charts ("Hospital No.", "Unit No.").
    Unit,
    /// A number or identifier.
    Number,
    Birth,
    Sex,
    Date,
    /// An event a date can be of, with its priority as a date of service (see [`Key::Dos`]).
    Event(u8),
    /// A clinician's role, with its rank (see [`Key::Provider`]).
    Role(u8),
    /// "by": the words before name who did it.
    By,
    Npi,
    Facility,
    /// Someone other than the patient: a contact, a relative, a guarantor.
    NotPatient,
    /// A health plan's insured or subscriber: on a card, the patient; elsewhere, maybe not.
    Insured,
    /// A date that is not a visit: birth's kin (death), the future (next, follow-up), the past
    /// (last, previous), an illness's (onset, injury), a card's (expiry).
    NotVisit,
    /// Staff who handle the record, not the patient's clinician ("transcribed by").
    Staff,
    /// A person's age: printed beside the date of birth ("DOB/Age").
    Age,
    /// Anything else a form labels: address, phone, insurance, account …
    Other,
    /// Words that join others: "of", "the", "for".
    Joiner,
}

/// Label words and what they mean. Abbreviations are listed as charts write them.
const WORDS: &[(&str, Idea)] = &[
    // The person the chart is about.
    ("patient", Idea::Subject),
    ("patients", Idea::Subject),
    ("pt", Idea::Subject),
    ("ptnt", Idea::Subject),
    ("pat", Idea::Subject),
    ("client", Idea::Subject),
    // Who a veterans' administration's form is about: the veteran, the service member.
    ("veteran", Idea::Subject),
    ("resident", Idea::Subject),
    // Who the chart is about on a school's or an employer's form: the student, the injured
    // worker or employee.
    ("student", Idea::Subject),
    ("injured", Idea::Subject),
    ("worker", Idea::Subject),
    ("employee", Idea::Subject),
    ("claimant", Idea::Subject),
    ("member", Idea::Member),
    ("beneficiary", Idea::Member),
    ("enrollee", Idea::Member),
    ("person", Idea::Subject),
    ("individual", Idea::Subject),
    ("name", Idea::Name),
    // French, as bilingual (Canadian) forms print it under the English: "Nom de famille",
    // "Prénom", "Date de naissance", "Sexe".
    ("nom", Idea::Name),
    ("names", Idea::Name),
    ("nm", Idea::Name),
    ("last", Idea::Family),
    ("family", Idea::Family),
    ("surname", Idea::Family),
    ("famille", Idea::Family),
    ("lname", Idea::Family),
    ("lastname", Idea::Family),
    ("first", Idea::Given),
    ("given", Idea::Given),
    ("forename", Idea::Given),
    ("prenom", Idea::Given),
    ("prénom", Idea::Given),
    ("fname", Idea::Given),
    ("firstname", Idea::Given),
    ("middle", Idea::Middle),
    ("mi", Idea::Middle),
    ("initial", Idea::Middle),
    // Records and their numbers.
    ("record", Idea::Record),
    ("dossier", Idea::Record),
    // An enterprise's or a registration's number, a file's: a record's on a chart ("EMPI",
    // "Enterprise ID", "Reg No.", "File No."; Australia's "MRUN", medical record unit number).
    ("enterprise", Idea::Record),
    ("empi", Idea::Record),
    ("mrun", Idea::Record),
    ("file", Idea::Record),
    ("records", Idea::Record),
    ("rec", Idea::Record),
    ("chart", Idea::Record),
    ("mr", Idea::Record),
    ("mrn", Idea::Record),
    ("mrno", Idea::Record),
    ("emr", Idea::Record),
    ("ehr", Idea::Record),
    ("hrn", Idea::Record),
    ("ur", Idea::Record),
    // "URN": a unit record number; an NHS number is the patient's number across the NHS.
    ("urn", Idea::Record),
    ("nhs", Idea::Record),
    ("hospital", Idea::Unit),
    ("hosp", Idea::Unit),
    // "HN": a hospital number, the MRN where charts say so.
    ("hn", Idea::Record),
    // A unique health identifier ("UHID"), as hospitals in India and elsewhere number records.
    ("uhid", Idea::Record),
    // A national health number: New Zealand's NHI, Scotland's CHI, a Canadian province's PHN
    // (personal health number).
    // An inpatient's or an outpatient's number, as hospitals in India and elsewhere number
    // their records ("IP No.", "OP No."); also "ID" as OCR misreads it ("Ip No."), the
    // patient's number all the same. A record only before a number's word (see
    // `classify_whole`): "Date of Op" is an operation's.
    ("ip", Idea::Joiner),
    ("nhi", Idea::Record),
    ("chi", Idea::Record),
    ("phn", Idea::Record),
    ("unit", Idea::Unit),
    ("number", Idea::Number),
    ("numero", Idea::Number),
    ("numéro", Idea::Number),
    ("numbers", Idea::Number),
    ("no", Idea::Number),
    ("num", Idea::Number),
    ("nbr", Idea::Number),
    ("ids", Idea::Number),
    ("nr", Idea::Number),
    ("#", Idea::Number),
    ("id", Idea::Number),
    ("identifier", Idea::Number),
    ("identification", Idea::Number),
    ("ident", Idea::Number),
    // Birth and sex.
    ("birth", Idea::Birth),
    ("born", Idea::Birth),
    ("dob", Idea::Birth),
    ("naissance", Idea::Birth),
    ("birthdate", Idea::Birth),
    ("birthday", Idea::Birth),
    ("bday", Idea::Birth),
    ("bd", Idea::Birth),
    ("sex", Idea::Sex),
    ("sexe", Idea::Sex),
    // (As tesseract reads "Sex" run into a leader's dots: "Sex (M/F) ......" → "SOX (M/F)".)
    ("sox", Idea::Sex),
    ("gender", Idea::Sex),
    ("mf", Idea::Sex),
    // Dates and what they are of.
    ("date", Idea::Date),
    ("dates", Idea::Date),
    // A date with its time, as data models name it ("Birth Datetime", "Visit DateTime").
    ("datetime", Idea::Date),
    ("dt", Idea::Date),
    ("dte", Idea::Date),
    ("day", Idea::Date),
    ("on", Idea::Joiner),
    // Events, priority 0: the visit itself.
    ("serv", Idea::Event(0)),
    ("arrival", Idea::Event(0)),
    ("arrived", Idea::Event(0)),
    ("checkin", Idea::Event(0)),
    ("svc", Idea::Event(0)),
    ("enc", Idea::Event(0)),
    ("dos", Idea::Event(0)),
    ("service", Idea::Event(0)),
    ("services", Idea::Event(0)),
    ("visit", Idea::Event(0)),
    ("visited", Idea::Event(0)),
    ("encounter", Idea::Event(0)),
    ("seen", Idea::Event(0)),
    ("appointment", Idea::Event(0)),
    ("appt", Idea::Event(0)),
    ("consult", Idea::Event(0)),
    ("consultation", Idea::Event(0)),
    ("exam", Idea::Event(0)),
    ("examination", Idea::Event(0)),
    ("examined", Idea::Event(0)),
    ("evaluation", Idea::Event(0)),
    ("eval", Idea::Event(0)),
    ("treatment", Idea::Event(0)),
    ("treated", Idea::Event(0)),
    ("session", Idea::Event(0)),
    // A clinic's intake of the patient; a dialysis session.
    ("intake", Idea::Event(0)),
    ("dialysis", Idea::Event(0)),
    // Events, priority 1: what the document records: a discharge, a collection, a procedure.
    ("obtained", Idea::Event(1)),
    ("sample", Idea::Event(1)),
    ("anaesthesia", Idea::Event(1)),
    ("anesthesia", Idea::Event(1)),
    ("xray", Idea::Event(1)),
    // A discharge, as an ambulance's or an emergency department's record says it.
    ("departure", Idea::Event(1)),
    ("departed", Idea::Event(1)),
    ("biopsy", Idea::Event(1)),
    ("scan", Idea::Event(1)),
    ("excision", Idea::Event(1)),
    ("resection", Idea::Event(1)),
    ("disch", Idea::Event(1)),
    ("surg", Idea::Event(1)),
    ("discharge", Idea::Event(1)),
    ("discharged", Idea::Event(1)),
    ("dc", Idea::Event(1)),
    ("collection", Idea::Event(1)),
    ("collected", Idea::Event(1)),
    ("taken", Idea::Event(1)),
    ("op", Idea::Event(1)),
    ("coll", Idea::Event(1)),
    ("drawn", Idea::Event(1)),
    ("specimen", Idea::Event(1)),
    ("consent", Idea::Event(1)),
    ("consented", Idea::Event(1)),
    ("procedure", Idea::Event(1)),
    ("surgery", Idea::Event(1)),
    ("operation", Idea::Event(1)),
    ("performed", Idea::Event(1)),
    ("study", Idea::Event(1)),
    ("test", Idea::Event(1)),
    // Events, priority 2: an admission or a registration.
    ("admission", Idea::Event(2)),
    ("admit", Idea::Event(2)),
    ("admitted", Idea::Event(2)),
    // "DOA": the date of admission (as Indian case sheets abbreviate it beside "DOD").
    ("doa", Idea::Event(2)),
    ("adm", Idea::Event(2)),
    ("registration", Idea::Event(2)),
    ("reg", Idea::Event(2)),
    ("registered", Idea::Event(2)),
    // A stay in hospital ("Start of Confinement", as claim forms date an admission).
    ("confinement", Idea::Event(2)),
    // Events, priority 3: a prescription's, a review's.
    ("prescribed", Idea::Event(3)),
    ("prescription", Idea::Event(3)),
    ("dispensed", Idea::Event(3)),
    ("filled", Idea::Event(3)),
    ("rx", Idea::Event(3)),
    ("reconciled", Idea::Event(3)),
    ("reconciliation", Idea::Event(3)),
    ("written", Idea::Event(3)),
    ("reviewed", Idea::Event(3)),
    ("updated", Idea::Event(3)),
    // The day a form was filled in ("Date Completed").
    ("completed", Idea::Event(3)),
    ("start", Idea::Joiner),
    // Events, priority 4: a report's, a result's, an order's.
    ("recd", Idea::Event(4)),
    ("rcvd", Idea::Event(4)),
    ("report", Idea::Event(4)),
    ("reported", Idea::Event(4)),
    ("result", Idea::Event(4)),
    ("resulted", Idea::Event(4)),
    ("results", Idea::Event(4)),
    ("received", Idea::Event(4)),
    // The other end of a transfer or a referral: "Receiving Facility", "Receiving Physician".
    ("receiving", Idea::Other),
    ("order", Idea::Event(4)),
    ("ordered", Idea::Event(4)),
    ("requested", Idea::Event(4)),
    ("request", Idea::Event(4)),
    ("referral", Idea::Event(4)),
    ("referred", Idea::Event(4)),
    // Events, priority 5: a signature's.
    ("signed", Idea::Event(5)),
    ("cosigned", Idea::Event(5)),
    ("interpreted", Idea::Event(1)),
    ("signature", Idea::Event(5)),
    ("esigned", Idea::Event(5)),
    ("dictated", Idea::Event(5)),
    ("verified", Idea::Event(5)),
    ("authenticated", Idea::Event(5)),
    ("approved", Idea::Event(5)),
    // Events, priority 6: a clerk's: typed, printed, sent.
    ("transcribed", Idea::Event(6)),
    ("typed", Idea::Event(6)),
    ("printed", Idea::Event(6)),
    ("created", Idea::Event(6)),
    ("print", Idea::Event(6)),
    ("dictation", Idea::Event(6)),
    ("transcription", Idea::Event(6)),
    ("faxed", Idea::Event(6)),
    ("sent", Idea::Event(6)),
    ("entered", Idea::Event(6)),
    // When a system recorded an event ("Recorded Date/Time", HL7's EVN-2): a clerk's.
    ("recorded", Idea::Event(6)),
    ("scanned", Idea::Event(6)),
    // Dates that are not the visit.
    ("death", Idea::NotVisit),
    ("dod", Idea::NotVisit),
    ("deceased", Idea::NotVisit),
    ("expired", Idea::NotVisit),
    ("onset", Idea::NotVisit),
    ("injury", Idea::NotVisit),
    ("accident", Idea::NotVisit),
    ("illness", Idea::NotVisit),
    ("lmp", Idea::NotVisit),
    ("menstrual", Idea::NotVisit),
    ("expiration", Idea::NotVisit),
    ("expiry", Idea::NotVisit),
    ("expires", Idea::NotVisit),
    ("exp", Idea::NotVisit),
    ("effective", Idea::NotVisit),
    ("issued", Idea::Event(3)),
    ("issue", Idea::Event(3)),
    ("next", Idea::NotVisit),
    ("upcoming", Idea::NotVisit),
    ("future", Idea::NotVisit),
    ("scheduled", Idea::Event(3)),
    ("followup", Idea::NotVisit),
    ("follow", Idea::NotVisit),
    ("return", Idea::NotVisit),
    ("due", Idea::NotVisit),
    ("previous", Idea::NotVisit),
    ("prior", Idea::NotVisit),
    ("hire", Idea::NotVisit),
    // Clinicians.
    ("provider", Idea::Role(0)),
    ("prov", Idea::Role(0)),
    ("ref", Idea::Role(3)),
    ("providers", Idea::Role(0)),
    ("physician", Idea::Role(0)),
    ("physicians", Idea::Role(0)),
    ("doctor", Idea::Role(0)),
    ("dr", Idea::Role(0)),
    ("md", Idea::Role(0)),
    ("clinician", Idea::Role(0)),
    ("practitioner", Idea::Role(0)),
    ("attending", Idea::Role(0)),
    ("rendering", Idea::Role(0)),
    ("treating", Idea::Role(0)),
    ("dictating", Idea::Role(0)),
    ("phys", Idea::Role(0)),
    ("examiner", Idea::Role(0)),
    ("prescriber", Idea::Role(0)),
    ("prescribing", Idea::Role(0)),
    ("radiologist", Idea::Role(0)),
    ("pathologist", Idea::Role(0)),
    ("interpreting", Idea::Role(0)),
    ("reading", Idea::Role(0)),
    ("consultant", Idea::Role(0)),
    ("medecin", Idea::Role(0)),
    ("médecin", Idea::Role(0)),
    ("traitant", Idea::Role(0)),
    ("fournisseur", Idea::Role(0)),
    // "Responsible Health Professional"; who gave a vaccine.
    ("professional", Idea::Role(1)),
    ("vaccinator", Idea::Role(1)),
    ("consulting", Idea::Role(1)),
    ("hospitalist", Idea::Role(0)),
    ("therapist", Idea::Role(0)),
    ("dentist", Idea::Role(0)),
    ("specialist", Idea::Role(0)),
    ("author", Idea::Role(0)),
    // A study's investigator; the clinician who did the procedure.
    ("investigator", Idea::Role(0)),
    ("proceduralist", Idea::Role(1)),
    // The clinicians in charge as one ("Medical Team", "Care Team").
    ("team", Idea::Role(1)),
    // A service's head, not the patient's clinician ("Hospice Medical Director").
    ("director", Idea::Other),
    // A clinical document's legal authenticator (HL7 CDA): the clinician who signed it.
    ("authenticator", Idea::Role(1)),
    ("np", Idea::Role(0)),
    ("surgeon", Idea::Role(1)),
    ("anesthesiologist", Idea::Role(1)),
    ("ordering", Idea::Role(1)),
    ("operating", Idea::Role(1)),
    ("admitting", Idea::Role(2)),
    ("requesting", Idea::Role(1)),
    ("authorizing", Idea::Role(1)),
    ("performing", Idea::Role(1)),
    // (FHIR's and HL7's name for who did it: an observation's or a procedure's performer.)
    ("performer", Idea::Role(1)),
    ("referring", Idea::Role(3)),
    ("pcp", Idea::Role(3)),
    ("primary", Idea::Role(3)),
    ("by", Idea::By),
    ("npi", Idea::Npi),
    // Where.
    ("facility", Idea::Facility),
    ("clinic", Idea::Facility),
    ("practice", Idea::Facility),
    ("organization", Idea::Facility),
    ("organisation", Idea::Facility),
    ("institution", Idea::Facility),
    ("center", Idea::Facility),
    ("centre", Idea::Facility),
    ("site", Idea::Facility),
    // People other than the patient.
    ("contact", Idea::NotPatient),
    ("emergency", Idea::NotPatient),
    // "Person to Notify": whom to call, not the patient.
    ("notify", Idea::NotPatient),
    ("kin", Idea::NotPatient),
    // An ambulance's crew: its members are the responders ("Crew Member").
    ("crew", Idea::NotPatient),
    ("nok", Idea::NotPatient),
    ("relative", Idea::NotPatient),
    ("spouse", Idea::NotPatient),
    ("parent", Idea::NotPatient),
    ("guardian", Idea::NotPatient),
    ("mother", Idea::NotPatient),
    ("father", Idea::NotPatient),
    ("maiden", Idea::NotPatient),
    // Another of the patient's names, not the one the chart is filed under.
    ("preferred", Idea::Other),
    ("nickname", Idea::Other),
    ("alias", Idea::Other),
    // A visit's financial number (Cerner's FIN, Epic's CSN): not the record's.
    ("fin", Idea::Other),
    ("csn", Idea::Other),
    ("husband", Idea::NotPatient),
    ("wife", Idea::NotPatient),
    ("partner", Idea::NotPatient),
    ("responsible", Idea::NotPatient),
    ("resp", Idea::NotPatient),
    ("party", Idea::NotPatient),
    ("representative", Idea::NotPatient),
    ("caregiver", Idea::NotPatient),
    ("witness", Idea::NotPatient),
    ("assistant", Idea::NotPatient),
    ("interpreter", Idea::NotPatient),
    ("guarantor", Idea::NotPatient),
    ("subscriber", Idea::Insured),
    ("insured", Idea::Insured),
    ("policyholder", Idea::Insured),
    ("cardholder", Idea::Insured),
    ("holder", Idea::NotPatient),
    ("employer", Idea::NotPatient),
    ("pharmacy", Idea::NotPatient),
    ("pharmacist", Idea::NotPatient),
    ("company", Idea::NotPatient),
    ("drug", Idea::NotPatient),
    ("nurse", Idea::Staff),
    ("rn", Idea::Staff),
    ("technologist", Idea::Staff),
    ("tech", Idea::Staff),
    ("technician", Idea::Staff),
    ("phlebotomist", Idea::Staff),
    ("transcriptionist", Idea::Staff),
    ("staff", Idea::Staff),
    ("clerk", Idea::Staff),
    ("operator", Idea::Staff),
    ("scribe", Idea::Staff),
    // Everything else a header labels.
    ("address", Idea::Other),
    ("addr", Idea::Other),
    ("street", Idea::Other),
    ("city", Idea::Other),
    ("state", Idea::Other),
    ("zip", Idea::Other),
    ("postal", Idea::Other),
    ("country", Idea::Other),
    ("county", Idea::Other),
    ("place", Idea::Other),
    ("phone", Idea::Other),
    ("telephone", Idea::Other),
    ("tel", Idea::Other),
    ("cell", Idea::Other),
    ("mobile", Idea::Other),
    ("fax", Idea::Other),
    ("email", Idea::Other),
    ("ssn", Idea::Other),
    ("social", Idea::Other),
    ("security", Idea::Other),
    // "Soc. Sec. No.", as claim forms abbreviate it.
    ("soc", Idea::Other),
    ("sec", Idea::Other),
    ("insurance", Idea::Other),
    ("insurer", Idea::Other),
    ("payer", Idea::Other),
    ("payor", Idea::Other),
    ("carrier", Idea::Other),
    ("plan", Idea::Other),
    ("policy", Idea::Other),
    ("group", Idea::Other),
    ("grp", Idea::Other),
    ("account", Idea::Other),
    ("compte", Idea::Other),
    ("autre", Idea::Other),
    ("assurance", Idea::Other),
    ("acct", Idea::Other),
    ("acc", Idea::Other),
    ("claim", Idea::Other),
    ("authorization", Idea::Other),
    ("auth", Idea::Other),
    ("control", Idea::Other),
    ("pcn", Idea::Other),
    ("cntl", Idea::Other),
    ("accession", Idea::Other),
    ("requisition", Idea::Other),
    ("req", Idea::Other),
    ("case", Idea::Other),
    ("invoice", Idea::Other),
    ("bill", Idea::Other),
    ("billing", Idea::Other),
    ("copay", Idea::Other),
    ("rxbin", Idea::Other),
    ("rxpcn", Idea::Other),
    ("rxgrp", Idea::Other),
    ("bin", Idea::Other),
    ("rx", Idea::Other),
    ("license", Idea::Other),
    ("dea", Idea::Other),
    ("tax", Idea::Other),
    ("medicare", Idea::Other),
    ("medicaid", Idea::Other),
    ("mbi", Idea::Other),
    ("room", Idea::Other),
    ("bed", Idea::Other),
    ("ward", Idea::Other),
    ("floor", Idea::Other),
    ("location", Idea::Other),
    ("department", Idea::Other),
    ("dept", Idea::Other),
    ("race", Idea::Other),
    ("ethnicity", Idea::Other),
    ("language", Idea::Other),
    ("religion", Idea::Other),
    ("marital", Idea::Other),
    ("status", Idea::Other),
    ("relationship", Idea::Other),
    ("relation", Idea::Other),
    ("age", Idea::Age),
    ("weight", Idea::Other),
    ("height", Idea::Other),
    ("type", Idea::Other),
    ("class", Idea::Other),
    ("reason", Idea::Other),
    ("source", Idea::Other),
    // What the field holds ("Gender Value"; OMOP's "Gender Source Value", as the source system
    // wrote it, see `classify_whole`).
    ("value", Idea::Joiner),
    ("mode", Idea::Other),
    ("priority", Idea::Other),
    ("time", Idea::Joiner),
    ("page", Idea::Other),
    ("pages", Idea::Other),
    ("copy", Idea::Other),
    // A coded value is a number of a kind ("Gender Code", "Patient Code"), as data models and
    // interface prints name their fields.
    ("code", Idea::Number),
    ("occupation", Idea::Other),
    ("allergies", Idea::Other),
    ("medications", Idea::Other),
    ("medicines", Idea::Other),
    ("diagnosis", Idea::Other),
    ("indication", Idea::Other),
    ("multiple", Idea::Other),
    ("indicator", Idea::Other),
    ("certificate", Idea::Other),
    ("re", Idea::Other),
    ("regarding", Idea::Other),
    ("concerning", Idea::Other),
    ("to", Idea::Other),
    ("from", Idea::Other),
    ("attn", Idea::Other),
    ("cc", Idea::Other),
    ("of", Idea::Joiner),
    // "Gender Identity", "Sex / Gender Identity": the sex the form asks for, "identity" adding
    // no field of its own.
    ("identity", Idea::Joiner),
    ("the", Idea::Joiner),
    ("with", Idea::Joiner),
    ("de", Idea::Joiner),
    ("du", Idea::Joiner),
    ("for", Idea::Joiner),
    ("at", Idea::Joiner),
    ("and", Idea::Joiner),
    ("&", Idea::Joiner),
    ("in", Idea::Joiner),
    // ("In charge": the one responsible, "Practitioner in Charge".)
    ("charge", Idea::Joiner),
    ("care", Idea::Joiner),
    ("medical", Idea::Joiner),
    ("med", Idea::Joiner),
    ("health", Idea::Joiner),
    ("national", Idea::Joiner),
    ("current", Idea::Joiner),
    ("legal", Idea::Joiner),
    ("home", Idea::Joiner),
    ("full", Idea::Joiner),
    ("assigned", Idea::Joiner),
    ("administrative", Idea::Joiner),
    ("electronically", Idea::Joiner),
    ("e", Idea::Joiner),
];

/// The idea of one word as written (any case, with its punctuation), or `None` for a word a
/// label does not use; a word OCR misread is taken for a label word only before a colon, where
/// a label stands (see [`idea_near`]), never among values, where a name may be one letter off a
/// label word ("Fakename", "forename").
fn idea(word: &str) -> Option<Idea> {
    exact(word)
}

/// The idea of a word that stands where a label does (before a colon): also a long word one or
/// two letters off a label word.
fn idea_near(word: &str) -> Option<Idea> {
    exact(word).or_else(|| near(&fold(word)))
}

fn exact(word: &str) -> Option<Idea> {
    let w = fold(word);
    if w.is_empty() {
        return None;
    }
    // A courtesy title as names are written with it ("Mr.", "Mrs", "Ms."), not the medical
    // record's "MR" a label abbreviates in capitals ("MR #", "MR No.").
    if matches!(word.trim_end_matches('.'), "Mr" | "Mrs" | "Ms" | "Mx" | "Miss") {
        return None;
    }
    if let Some(i) = lookup(&w) {
        return Some(i);
    }
    // A plural or possessive: "providers", "patient's" (folded to "patients").
    if let Some(i) = w.strip_suffix('s').and_then(lookup) {
        return Some(i);
    }
    if is_dob(word) {
        return Some(Idea::Birth);
    }
    // A specialist by the name of the speciality: "Nephrologist", "Psychiatrist",
    // "Pediatrician".
    // (Not a laboratory's staff: "Cytotechnologist", "Histotechnician".)
    let staff = w.contains("technolog") || w.contains("technic");
    if w.len() >= 8 && !staff && ["ologist", "iatrist", "ician"].iter().any(|s| w.ends_with(s)) {
        return Some(Idea::Role(0));
    }
    // "NPI" with its last letter misread ("NPU", "NPY", "NPE", "NPl"): NPI labels count only
    // before a number whose check digit holds. ("NPO", nothing by mouth, is a word.)
    if w.len() == 3 && w.starts_with("np") && w != "npo" {
        return Some(Idea::Npi);
    }
    // Digits OCR read for letters ("D0B", "Pat1ent").
    if w.chars().any(|c| c.is_ascii_digit()) && w.chars().any(|c| c.is_ascii_alphabetic()) {
        let letters: String = w
            .chars()
            .map(|c| match c {
                '0' => 'o',
                '1' => 'l',
                '5' => 's',
                '8' => 'b',
                c => c,
            })
            .collect();
        if let Some(i) = lookup(&letters).or_else(|| lookup(&letters.replace('l', "i"))) {
            return Some(i);
        }
    }
    None
}

static BY_WORD: LazyLock<HashMap<&'static str, Idea>> = LazyLock::new(|| {
    // The first entry of a word wins, as in the list.
    let mut map = HashMap::with_capacity(WORDS.len());
    for (w, i) in WORDS {
        map.entry(*w).or_insert(*i);
    }
    map
});

fn lookup(w: &str) -> Option<Idea> {
    BY_WORD.get(w).copied()
}

/// A long word one letter off exactly one known word (two for words of nine letters or more),
/// as OCR misreads a letter ("Physlcian", "Gencer", "Dlscharqe"); or with one letter read as
/// two ("rn" or "ni" for "m": "Nuniber"; "cl" for "d"; "vv" for "w").
fn near(w: &str) -> Option<Idea> {
    if w.len() < 5 || !w.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    for (two, one) in [("rn", "m"), ("ni", "m"), ("in", "m"), ("cl", "d"), ("vv", "w")] {
        if w.contains(two) {
            if let Some(i) = lookup(&w.replace(two, one)) {
                return Some(i);
            }
        }
    }
    // (Two letters off only for long words: "Fakename" is two off "forename"; and only by two
    // misread letters, not in a word of another length: "breathing" is two off "treating".)
    let limit = if w.len() >= 9 { 2 } else { 1 };
    let mut best: Option<(usize, Idea, &str)> = None;
    let mut tie = false;
    for (k, i) in WORDS.iter().filter(|(k, _)| k.len() >= 5 && k.len().abs_diff(w.len()) <= limit) {
        let d = distance(w, k);
        if d > limit || (d == 2 && (k.len() != w.len() || k.as_bytes()[0] != w.as_bytes()[0])) {
            continue;
        }
        match best {
            Some((bd, bi, _)) if d == bd && bi != *i => tie = true,
            Some((bd, _, _)) if d >= bd => {}
            _ => {
                best = Some((d, *i, k));
                tie = false;
            }
        }
    }
    best.filter(|_| !tie).map(|(_, i, _)| i)
}

/// Levenshtein distance of two short ASCII words.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// "D.O.B." as OCR reads its dots on poor scans ("D.O:Bs", "D,©:8::", "D0B").
pub(crate) fn is_dob(word: &str) -> bool {
    let chars: Vec<char> = word.chars().filter(|c| !c.is_whitespace()).collect();
    let mut letters = chars.iter().filter(|c| c.is_alphanumeric() || **c == '©');
    let (Some(d), Some(o), Some(b)) = (letters.next(), letters.next(), letters.next()) else {
        return false;
    };
    let rest: Vec<&char> = letters.collect();
    let marks = chars.iter().filter(|c| !(c.is_alphanumeric() || **c == '©')).count();
    matches!(d, 'd' | 'D')
        && matches!(o, 'o' | 'O' | '0' | '©')
        && matches!(b, 'b' | 'B' | '8')
        && rest.len() <= 1
        && (rest.is_empty() || marks >= 2)
}

/// A word folded for lookup: lower case, without the marks around it or inside an
/// abbreviation ("D.O.B." → "dob", "Pt." → "pt", "Patient's" → "patients", "Med.Rec.#" is
/// split before it comes here); "#" and "№" stay as the number sign.
fn fold(word: &str) -> String {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '#' && c != '&' && c != '№');
    if w == "#" || w == "№" || w == "&" {
        return if w == "&" { "&".into() } else { "#".into() };
    }
    w.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .replace('º', "")
}

/// The words of a label phrase as lookup sees them: split at spaces, slashes, hyphens, and at
/// the dots between abbreviations ("Med.Rec.#" → "Med", "Rec", "#"; "D.O.B." stays whole, as
/// one-letter parts make one word), and "#" apart from the word it ends ("MRN#").
pub(crate) fn words(label: &str) -> Vec<String> {
    let mut out = Vec::new();
    // "M/F": letters between slashes are one word.
    let joined;
    let label = if label.split('/').count() > 1
        && label.split('/').all(|p| p.trim_matches([':', '.', ' ']).chars().count() == 1)
    {
        joined = label.replace('/', "");
        &joined
    } else {
        label
    };
    // ... and so in a word of its own: "Date of D/C".
    let pieces = label.split_whitespace().flat_map(|t| {
        let single = |p: &str| p.trim_matches([':', '.']).chars().count() == 1;
        // ("X-Ray" is one word.)
        if t.trim_end_matches([':', 's', 'S']).eq_ignore_ascii_case("x-ray") {
            return vec!["xray".to_string()];
        }
        // A plural's "/s" is no alternative: "First Name/s", "Physician/s".
        let bare = t.trim_end_matches(':');
        if let Some(stem) = ["/s", "/S", "/es", "/ES"].iter().find_map(|p| bare.strip_suffix(p)) {
            if stem.chars().count() > 1 {
                return vec![stem.to_string()];
            }
        }
        if t.contains('/') && t.split('/').all(single) {
            vec![t.replace('/', "")]
        } else {
            t.split(['/', '-', '_']).map(str::to_string).collect()
        }
    });
    for raw in pieces {
        let raw = raw.as_str();
        // Marks OCR read around a label ("—-MRN", "‘Birth") are not words.
        let raw = raw.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '#' && c != '&');
        if raw.is_empty() {
            continue;
        }
        if is_dob(raw) {
            out.push("dob".to_string());
            continue;
        }
        let trimmed = raw.trim_end_matches([':', ';', '.', ',', '!']);
        let (body, hash) = match trimmed.strip_suffix('#') {
            Some(b) => (b, true),
            None => (trimmed, false),
        };
        // "1NPI", "2NPI": an NPI's type run into it.
        if let Some(kind) = body
            .to_ascii_lowercase()
            .strip_suffix("npi")
            .filter(|k| matches!(*k, "1" | "2" | "i" | "l" | "ii"))
        {
            out.push(kind.to_string());
            out.push("NPI".to_string());
            continue;
        }
        let parts: Vec<&str> = body.split('.').filter(|p| !p.is_empty()).collect();
        // "D.O.B.", "M.R.N.": letters a part, one word.
        if parts.len() > 1 && parts.iter().all(|p| p.chars().count() == 1) {
            out.push(parts.concat());
        } else if parts.len() > 1 {
            out.extend(parts.iter().map(|p| p.to_string()));
        } else if let Some(run) = run_together(body).or_else(|| run_together_in_one_case(body)) {
            out.extend(run);
        } else if !body.is_empty() {
            out.push(body.to_string());
        }
        if hash {
            out.push("#".to_string());
        }
    }
    out
}

/// Label words run together where OCR lost the spaces ("PatientName", "DateOfBirth"): the
/// words, split where a capital follows a small letter, when each is a label word (a name such
/// as "Testpatient" is never cut).
fn run_together(word: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = word.chars().collect();
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 1..chars.len() {
        if chars[i].is_uppercase() && chars[i - 1].is_lowercase() {
            parts.push(chars[start..i].iter().collect::<String>());
            start = i;
        }
    }
    if parts.is_empty() {
        return None;
    }
    parts.push(chars[start..].iter().collect());
    parts.iter().all(|p| lookup(&fold(p)).is_some()).then_some(parts)
}

/// Label words run together in one case, as OCR reads a form's small captions ("URNUMBER",
/// "NPINUMBER", "PATIENTSSEX"): the words, when the word splits into label words of two
/// letters or more and the last says what the value is (a number, a date, a sex, a name). A
/// name is not cut: its parts are not label words ("TESTPATIENT" would end in "patient",
/// which names no value).
fn run_together_in_one_case(word: &str) -> Option<Vec<String>> {
    let w = word.to_ascii_lowercase();
    let one_case = word.chars().all(|c| c.is_ascii_uppercase()) || word == w;
    if !one_case || w.len() < 6 || !w.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let says_value = |p: &str| {
        matches!(
            exact(p),
            Some(
                Idea::Number
                    | Idea::Date
                    | Idea::Sex
                    | Idea::Name
                    | Idea::Given
                    | Idea::Family
                    | Idea::Birth
            )
        )
    };
    // The split into the fewest known words, by the longest known prefix first.
    fn split(rest: &str, out: &mut Vec<String>) -> bool {
        if rest.is_empty() {
            return true;
        }
        for cut in (2..=rest.len()).rev() {
            if lookup(&rest[..cut]).is_some() || lookup(rest[..cut].trim_end_matches('s')).is_some()
            {
                out.push(rest[..cut].to_string());
                if split(&rest[cut..], out) {
                    return true;
                }
                out.pop();
            }
        }
        false
    }
    let mut parts = Vec::new();
    (split(&w, &mut parts) && parts.len() >= 2 && parts.last().is_some_and(|p| says_value(p)))
        .then_some(parts)
}

/// Whose section of a form a heading opens ("PATIENT INFORMATION", "GUARANTOR", "REFERRING
/// PHYSICIAN"): the generic labels under it ("Name:", "DOB:", "ID #:", "NPI:") are that
/// person's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Patient,
    /// A contact, a relative, a guarantor, staff: none of their fields are the chart's.
    OtherPerson,
    /// A health plan's insured or subscriber.
    Insured,
    /// A clinician, with the rank of [`Key::Provider`].
    Provider(u8),
}

/// Words a section's heading adds to whose it is: "PATIENT INFORMATION", "Contact Details".
const SECTION_WORDS: &[&str] =
    &["information", "info", "details", "detail", "data", "demographics", "section", "profile"];

/// True if `word` is one a section's heading adds ("Information", "Details", "Profile"): no
/// part of a person's name.
pub(crate) fn is_section_word(word: &str) -> bool {
    SECTION_WORDS.contains(&fold(word).as_str())
}

/// The section a heading opens: a short line of label words that names a person or a role and
/// no field ("Patient Name" is a label, "PATIENT INFORMATION" a heading).
pub(crate) fn section(heading: &str) -> Option<Section> {
    let text = heading.trim().trim_end_matches(':');
    let split = words(text);
    if split.is_empty() || split.len() > 5 {
        return None;
    }
    let mut ideas = Vec::new();
    for w in &split {
        match idea(w) {
            Some(i) => ideas.push(i),
            None if SECTION_WORDS.contains(&fold(w).as_str()) => {}
            None => return None,
        }
    }
    let field = ideas.iter().any(|i| {
        matches!(
            i,
            Idea::Name
                | Idea::Family
                | Idea::Given
                | Idea::Birth
                | Idea::Sex
                | Idea::Record
                | Idea::Number
                | Idea::Date
                | Idea::Event(_)
                | Idea::Npi
        ) || (*i == Idea::NotVisit && !ideas.contains(&Idea::NotPatient))
    });
    // ("NEXT OF KIN": "next" says a date is no visit's, but of kin it says whose.)
    if field {
        return None;
    }
    // "CONTACT INFO", "Contact Details": how to reach the patient (a phone, an address), not
    // another person's section, unless a word says whose ("Emergency Contact Information").
    let folded: Vec<String> = split.iter().map(|w| fold(w)).collect();
    let persons = ideas.iter().filter(|i| matches!(i, Idea::NotPatient)).count();
    if persons == 1
        && folded.iter().any(|w| w == "contact")
        && folded.iter().any(|w| SECTION_WORDS.contains(&w.as_str()))
    {
        return None;
    }
    let role =
        ideas.iter().filter_map(|i| if let Idea::Role(r) = i { Some(*r) } else { None }).max();
    if ideas.iter().any(|i| matches!(i, Idea::NotPatient | Idea::Staff)) {
        Some(Section::OtherPerson)
    } else if ideas.contains(&Idea::Insured)
        || split.iter().any(|w| INSURANCE.contains(&fold(w).as_str()))
    {
        Some(Section::Insured)
    } else if let Some(r) = role {
        Some(Section::Provider(r))
    } else if ideas.iter().any(|i| matches!(i, Idea::Subject | Idea::Member)) {
        Some(Section::Patient)
    } else {
        None
    }
}

/// Words of a health plan's section: "INSURANCE", "PRIMARY COVERAGE".
const INSURANCE: &[&str] =
    &["insurance", "insurer", "payer", "payor", "coverage", "plan", "policy", "carrier"];

/// True if a label says whose value it is (a patient, a contact, a clinician, a plan, a
/// record, a place, an event), so a form's section does not decide it: "Name:", "DOB:",
/// "Phone:", "ID:" say nothing of whose.
pub(crate) fn qualified(label: &str) -> bool {
    let label = without_explanation(label);
    words(&label).iter().filter_map(|w| idea(w)).any(|i| {
        matches!(
            i,
            Idea::Subject
                | Idea::Member
                | Idea::Insured
                | Idea::NotPatient
                | Idea::Staff
                | Idea::Role(_)
                | Idea::Record
                | Idea::Unit
                | Idea::Facility
                | Idea::Event(_)
                | Idea::NotVisit
                | Idea::By
        )
    })
}

/// True if a label is a number's alone: "ID #", "No.", "Number".
pub(crate) fn only_number(label: &str) -> bool {
    let ideas: Vec<Option<Idea>> = words(label).iter().map(|w| idea(w)).collect();
    ideas.contains(&Some(Idea::Number))
        && ideas.iter().all(|i| matches!(i, Some(Idea::Number | Idea::Joiner)))
}

/// True if `word` is a label word for a value no surname is ("Number", "Date", "DOB", "NPI",
/// "MRN"): a caption row's words read where a name was looked for ("PERSONAL HEALTH NUMBER").
pub(crate) fn names_a_value(word: &str) -> bool {
    let w = words(word);
    !w.is_empty()
        && w.iter().all(|w| {
            matches!(
                idea(w),
                Some(
                    Idea::Number | Idea::Date | Idea::Birth | Idea::Sex | Idea::Npi | Idea::Record
                )
            )
        })
}

/// True if `word` says "date" or is an acronym that names one ("DOS").
pub(crate) fn says_date(word: &str) -> bool {
    words(word).iter().any(|w| idea(w) == Some(Idea::Date) || fold(w) == "dos")
}

/// True if `words` open with an NPI's type before it ("Type 1 NPI", "TYPE i NPI", "Type 2"):
/// a type's number is no label word alone, but part of this label.
pub(crate) fn npi_type(words: &[&str]) -> bool {
    let digit = |w: &str| matches!(fold(w).as_str(), "1" | "2" | "i" | "l" | "ii");
    matches!(words, [t, d, ..] if fold(t) == "type" && digit(d))
}

/// True if `word` is a word labels are made of.
pub(crate) fn is_label_word(word: &str) -> bool {
    let w = words(word);
    !w.is_empty() && w.iter().all(|w| idea(w).is_some())
}

/// True if `word` is a label word or one letter off one of five letters or more, whichever
/// ("Patier" for "Patient"): a caption OCR garbled, not a name.
pub(crate) fn is_label_word_or_misread(word: &str) -> bool {
    let w = fold(word);
    is_label_word(word)
        || (w.len() >= 5
            && WORDS.iter().any(|(k, _)| {
                k.len() >= 5 && k.len().abs_diff(w.len()) <= 1 && distance(&w, k) <= 1
            }))
}

/// True if `word`, standing before a colon, is a label word, also as OCR misread it.
pub(crate) fn is_label_word_near(word: &str) -> bool {
    let w = words(word);
    !w.is_empty() && w.iter().all(|w| idea_near(w).is_some())
}

/// True if `word` is a clinician's role cut short with a full stop before a name ("Cons.",
/// "Phys.", "Prof."): the beginning of a role word the vocabulary knows, a title, not a name.
pub(crate) fn is_role_abbreviation(word: &str) -> bool {
    let Some(stem) = word.strip_suffix('.') else { return false };
    let stem = stem.to_ascii_lowercase();
    (3..=5).contains(&stem.len())
        && stem.chars().all(|c| c.is_ascii_alphabetic())
        && WORDS.iter().any(|(k, i)| {
            matches!(i, Idea::Role(_)) && k.len() > stem.len() && k.starts_with(stem.as_str())
        })
}

/// True if `word` names a clinician's role ("Practitioner", "Physician", "Surgeon").
pub(crate) fn is_role_word(word: &str) -> bool {
    let w = words(word);
    w.len() == 1 && matches!(idea(&w[0]), Some(Idea::Role(_)))
}

/// True if `word` is a label word that never starts a person's name ("Chart", "DOB", "Date"):
/// a value that starts with one is the next label, its colon lost.
pub(crate) fn starts_no_name(word: &str) -> bool {
    let w = words(word);
    !w.is_empty()
        && w.iter().all(|w| {
            idea(w).is_some_and(|i| {
                !matches!(i, Idea::Subject | Idea::Member | Idea::Joiner | Idea::By | Idea::Staff)
                    && !matches!(fold(w).as_str(), "dr" | "md" | "np")
            })
        })
}

/// True if `word` alone can be a label set apart by a form's layout (no colon): a word that
/// names a field by itself ("PATIENT", "DOB", "PHYSICIAN", "SURNAME"), not one that qualifies
/// another ("FAMILY", "FIRST", "OF", "NUMBER"), which letterheads and titles are full of.
pub(crate) fn stands_alone(word: &str) -> bool {
    let w = words(word);
    if w.len() != 1 {
        return true;
    }
    if matches!(fold(&w[0]).as_str(), "md" | "dr" | "np" | "do") {
        // A credential after a name, not a label.
        return false;
    }
    match idea(&w[0]) {
        Some(Idea::Family | Idea::Given) => {
            matches!(fold(&w[0]).as_str(), "surname" | "forename" | "forenames")
        }
        Some(Idea::Joiner | Idea::By | Idea::Number | Idea::Middle | Idea::Unit) | None => false,
        Some(_) => true,
    }
}

/// What part of a label a word is, for telling where one label ends and the next begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Head {
    Person,
    Record,
    Birth,
    Sex,
    Date,
    Event,
    Role,
    Npi,
    Facility,
    Other,
}

fn head(i: Idea) -> Option<Head> {
    Some(match i {
        Idea::Name | Idea::Family | Idea::Given | Idea::Middle => Head::Person,
        Idea::Record | Idea::Unit => Head::Record,
        Idea::Birth => Head::Birth,
        Idea::Sex => Head::Sex,
        Idea::Date => Head::Date,
        Idea::Event(_) | Idea::NotVisit => Head::Event,
        Idea::Role(_) => Head::Role,
        Idea::Npi => Head::Npi,
        Idea::Facility => Head::Facility,
        Idea::NotPatient | Idea::Staff | Idea::Other | Idea::Age => Head::Other,
        Idea::Insured => Head::Person,
        Idea::Subject | Idea::Member | Idea::Number | Idea::By | Idea::Joiner => return None,
    })
}

/// The sets of heads one label may join: "Provider Name", "Date of Birth", "Physician Signature
/// Date", "Attending NPI". A label of something else (Other) may hold any ("Insured's Date of
/// Birth", "Emergency Contact Name").
const TOGETHER: &[&[Head]] = &[
    &[Head::Person, Head::Role],
    &[Head::Person, Head::Facility],
    &[Head::Birth, Head::Date],
    &[Head::Birth, Head::Sex],
    &[Head::Date, Head::Event, Head::Role],
    &[Head::Date, Head::Event, Head::Facility],
    &[Head::Npi, Head::Role],
    // (A practice's or a facility's NPI: "Practice NPI", "Facility NPI".)
    &[Head::Npi, Head::Facility],
    &[Head::Record, Head::Facility],
    // (A clinician "of record": "Surgeon of Record", "Physician of Record".)
    &[Head::Record, Head::Role],
];

/// True if `label_words` can be one label: their heads go together, and no idea a label holds
/// once ("Date", "Name", "Number", the patient) comes twice ("Admit Date Discharge Date" is two);
/// two events may ("Procedure Scheduled", "Date Specimen Collected").
pub(crate) fn coherent(label_words: &[&str]) -> bool {
    // (An explanation in parentheses is not more of the label: "Name (Last, First)".)
    let label = without_explanation(&label_words.join(" "));
    let split = words(&label);
    // ("Last" before an event or a date is an earlier one, not a family name: "Last Visit".)
    let word_ideas: Vec<Option<Idea>> = split
        .iter()
        .enumerate()
        .map(|(i, w)| match (fold(w).as_str(), split.get(i + 1).and_then(|n| idea(n))) {
            ("last", Some(Idea::Event(_) | Idea::Date)) => Some(Idea::NotVisit),
            ("service", _) if split.get(i + 1).is_some_and(|n| fold(n) == "member") => {
                Some(Idea::Joiner)
            }
            ("given", _) if given_as_done(&split) => Some(Idea::Event(1)),
            _ => idea(w),
        })
        .collect();
    let mut ideas: Vec<Idea> = read_together(&split, word_ideas).into_iter().flatten().collect();
    // (A number sign after "No." or "ID" says the same thing again: "Patient ID #".)
    ideas.dedup_by(|a, b| *a == Idea::Number && *b == Idea::Number);
    // (Nor do two words for the subject together: "Injured Worker", "Claimant Employee".)
    ideas.dedup_by(|a, b| *a == Idea::Subject && *b == Idea::Subject);
    let count = |f: &dyn Fn(&Idea) -> bool| ideas.iter().filter(|i| f(i)).count();
    if count(&|i| *i == Idea::Date) > 1
        || count(&|i| matches!(i, Idea::Event(_))) > 2
        || count(&|i| *i == Idea::NotVisit) > 1
        || count(&|i| *i == Idea::Name) > 1
        // (Alternatives parted by a slash may each have their number: "ID/Account #".)
        || count(&|i| *i == Idea::Number) > 1 + usize::from(label.contains('/'))
        || count(&|i| matches!(i, Idea::Subject | Idea::Member)) > 1 + usize::from(label.contains('/'))
        || name_parts(&ideas, label.contains('/')) > 1
        || count(&|i| *i == Idea::Birth) > 1
        || count(&|i| *i == Idea::Sex) > 1
        || count(&|i| *i == Idea::Npi) > 1
    {
        return false;
    }
    let mut heads: Vec<Head> = ideas.iter().filter_map(|&i| head(i)).collect();
    heads.sort_by_key(|h| *h as u8);
    heads.dedup();
    if heads.len() <= 1 && !(ideas.contains(&Idea::Number) && heads == [Head::Person]) {
        return true;
    }
    if heads.contains(&Head::Other) {
        return true;
    }
    // A number belongs to a record, a clinician, a patient or a plan, not to a name or a date.
    if ideas.contains(&Idea::Number)
        && heads.iter().any(|h| matches!(h, Head::Person | Head::Date | Head::Birth | Head::Sex))
    {
        return false;
    }
    // A clinician and an event together only with a date word ("Physician Signature Date"),
    // or as the clinician of the visit itself ("Visit Provider", "Encounter Provider").
    if heads.contains(&Head::Role) && heads.contains(&Head::Event) && !heads.contains(&Head::Date) {
        return visit_clinician(&ideas);
    }
    TOGETHER.iter().any(|set| heads.iter().all(|h| set.contains(h)))
}

/// How many parts of a name a label's ideas hold; alternatives parted by a slash that say the
/// same part twice ("Surname/Family Name", "Given/First Name") hold it once.
fn name_parts(ideas: &[Idea], slashed: bool) -> usize {
    const PARTS: [Idea; 3] = [Idea::Family, Idea::Given, Idea::Middle];
    if slashed {
        PARTS.iter().filter(|p| ideas.contains(p)).count()
    } else {
        ideas.iter().filter(|i| PARTS.contains(i)).count()
    }
}

/// True if "given" in a label's words is what was given, not a given name: with a date or an
/// event ("Date Given", "Consent Given").
fn given_as_done(split: &[String]) -> bool {
    split.iter().any(|s| matches!(idea(s), Some(Idea::Date | Idea::Event(_))))
}

/// True if label ideas name the clinician of the visit itself: the visit's event, then the
/// clinician's role, and nothing else ("Visit Provider", "Encounter Physician").
fn visit_clinician(ideas: &[Idea]) -> bool {
    let main: Vec<&Idea> = ideas.iter().filter(|i| **i != Idea::Joiner).collect();
    matches!(main.as_slice(), [Idea::Event(0), Idea::Role(0 | 1)])
}

/// The label without what says where its value is written ("Name as it appears on Insurance
/// Card", "Date of Birth as shown on ID"): the card is where to copy it from, not whose it is.
fn without_source(label: &str) -> String {
    let words: Vec<&str> = label.split_whitespace().collect();
    let said = |w: &str| {
        matches!(
            w,
            "it" | "appears"
                | "appearing"
                | "shown"
                | "written"
                | "printed"
                | "stated"
                | "recorded"
        )
    };
    let cut = (1..words.len()).find(|&i| {
        fold(words[i]) == "as" && {
            let rest = words[i + 1..].iter().map(|w| fold(w)).find(|w| !said(w));
            rest.is_some_and(|w| w == "on" || w == "in") && i + 2 < words.len()
        }
    });
    match cut {
        Some(i) => words[..i].join(" "),
        None => label.to_string(),
    }
}

/// The words of a label without an explanation in parentheses ("Patient's Name (Last Name,
/// First Name, Middle Initial)"); a plural's "(s)" stays.
pub(crate) fn without_explanation(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    let mut rest = label;
    while let Some(open) = rest.find('(') {
        // (One OCR left unclosed after the label's words runs to the end: "NAME (LAST, FIRST
        // MD"; one that opens the label is only its mark: "(MRN 00123456)".)
        let Some(close) = rest[open..].find(')').map(|c| open + c) else {
            if out.trim().is_empty() && rest[..open].trim().is_empty() {
                break;
            }
            out.push_str(&rest[..open]);
            return out;
        };
        out.push_str(&rest[..open]);
        if close - open <= 3 {
            out.push_str(&rest[open..=close]);
        } else {
            out.push(' ');
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Staff who handle a record, not a clinician: "Transcribed by", "Collected by".
const STAFF_EVENTS: &[&str] = &[
    "transcribed",
    "typed",
    "entered",
    "recorded",
    "scanned",
    "received",
    "collected",
    "drawn",
    "registered",
    "faxed",
    "sent",
    "printed",
    "verified",
];

/// "RE:", "Regarding:", "Subject:": a letter's or a fax's subject line, which names whom it is about when
/// what follows reads as a person's name (see `names::subject_name`).
pub(crate) fn regarding(label: &str) -> bool {
    let w = words(label);
    !w.is_empty()
        && w.iter()
            .all(|w| matches!(fold(w).as_str(), "re" | "regarding" | "concerning" | "subject"))
}

/// One part of a label that joins several with slashes ("DOB/Age", "Name/MRN").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Field(Key),
    /// The patient's age, printed beside the date of birth or the sex ("Age/Sex: 74 y F").
    Age,
    /// Something else a form labels ("MRN/FIN"): its value is told apart only by a slash.
    Other,
}

/// The parts of a label that joins labels of different fields with slashes, in order
/// ("DOB/Age", "Name/MRN", "Sex/DOB", "Age/Sex"): `None` unless every part is a label on its
/// own and at least two name different fields. A bare "Date" or "Time" is no label on its own
/// but part of the one it joins ("Date/Time of Birth", "Admit Date/Time"), as single letters
/// are one word ("M/F", "D/C").
pub(crate) fn composite(label: &str) -> Option<Vec<Part>> {
    let label = without_explanation(label);
    if !label.contains('/') {
        return None;
    }
    let pieces: Vec<&str> = label.split('/').map(str::trim).collect();
    let mut parts = Vec::with_capacity(pieces.len());
    for piece in &pieces {
        let ideas: Vec<Option<Idea>> = words(piece).iter().map(|w| idea(w)).collect();
        if piece.chars().filter(|c| c.is_alphabetic()).count() < 2 || ideas.contains(&None) {
            return None;
        }
        let part = if ideas.iter().all(|i| matches!(i, Some(Idea::Age | Idea::Joiner))) {
            Part::Age
        } else if only_number(piece) {
            // "Patient Name/ID": the number of whom the part before names.
            match parts.first() {
                Some(Part::Field(Key::Patient(_))) => Part::Field(Key::Mrn(1)),
                _ => return None,
            }
        } else {
            match classify(piece)? {
                Key::Dos(3) => return None,
                Key::Other => Part::Other,
                key => Part::Field(key),
            }
        };
        parts.push(part);
    }
    let fields: Vec<std::mem::Discriminant<Key>> = parts
        .iter()
        .filter_map(|p| if let Part::Field(k) = p { Some(std::mem::discriminant(k)) } else { None })
        .collect();
    let distinct = fields.iter().enumerate().all(|(i, k)| !fields[..i].contains(k));
    (parts.len() >= 2 && !fields.is_empty() && distinct).then_some(parts)
}

/// The field a label phrase names, or `None` when none of its words is a label word.
pub(crate) fn classify(label: &str) -> Option<Key> {
    classify_with(label, idea)
}

/// The field a label phrase before a colon names: its words also as OCR misread them.
pub(crate) fn classify_near(label: &str) -> Option<Key> {
    classify_with(label, idea_near)
}

/// "MAN #": how OCR reads "MRN #" in some fonts; only with its number sign ("Man:" is a word).
pub(crate) fn is_ocr_mrn(word: &str, next: &str) -> bool {
    fold(word) == "man" && fold(next) == "#"
}

fn classify_with(label: &str, idea: fn(&str) -> Option<Idea>) -> Option<Key> {
    let key = classify_whole(label, idea);
    if key.is_some_and(|k| k != Key::Other) {
        return key;
    }
    // Alternatives parted by a slash ("Patient ID/Account #"): the first names the field, the
    // words after the last ("#") go with each.
    let Some((first, rest)) = label.split_once('/') else { return key };
    let tail: Vec<&str> = rest.split_whitespace().skip(1).collect();
    if first.trim().is_empty() || rest.contains('/') || tail.len() > 2 {
        return key;
    }
    let alternative = format!("{} {}", first.trim(), tail.join(" "));
    match classify_whole(alternative.trim(), idea) {
        Some(Key::Other) | None => {}
        found => return found,
    }
    // Two wordings of one field, each whole ("Sex / Gender Identity"): that field.
    match (classify_whole(first.trim(), idea), classify_whole(rest.trim(), idea)) {
        (Some(a), Some(b)) if a == b && a != Key::Other => return Some(a),
        _ => {}
    }
    // A label of several words that its translation or a second wording follows ("Date of
    // Birth / Date de naissance", "Surname / Nom"): the first names the field.
    if first.split_whitespace().count() >= 2 && !tail.is_empty() {
        if let found @ Some(k) = classify_whole(first.trim(), idea) {
            if k != Key::Other {
                return found;
            }
        }
    }
    key
}

/// True if two words written apart are one label word of the vocabulary, the first saying little
/// alone ("Card Holder").
pub(crate) fn one_word(first: &str, second: &str) -> bool {
    let (a, b) = (fold(first), fold(second.trim_end_matches([':', ';'])));
    let word = |w: &str| w.len() >= 2 && w.chars().all(char::is_alphabetic);
    // (Not two label words that say as much apart: "Last Name" is a family name either way.)
    let says_little = matches!(exact(&a), None | Some(Idea::Other));
    word(&a) && word(&b) && says_little && exact(&format!("{a}{b}")).is_some()
}

/// Words' ideas read together with their neighbours':
/// - two words written apart that are one word of the vocabulary, meaning something else than
///   the second alone ("Card Holder" is the cardholder, not a holder);
/// - a clinician's role said of a place is what the place does ("Referring Facility");
/// - an event right after the subject, in a name's label or last, says which person the
///   subject is ("Name of Person Examined", "Person Referred"), not a date.
fn read_together(split: &[String], mut ideas: Vec<Option<Idea>>) -> Vec<Option<Idea>> {
    for i in 1..split.len() {
        if !one_word(&split[i - 1], &split[i]) {
            continue;
        }
        let joined = format!("{}{}", fold(&split[i - 1]), fold(&split[i]));
        if let Some(one) = exact(&joined).filter(|one| Some(*one) != ideas[i]) {
            ideas[i - 1] = Some(one);
            ideas[i] = Some(Idea::Joiner);
        }
    }
    // A place a clinician's role qualifies is a place: "Referring Facility", "Referring
    // Medical Institution" (the role said as what the place does; no clinician named).
    let place = ideas.iter().any(|i| matches!(i, Some(Idea::Facility)));
    let clinician = split
        .iter()
        .zip(&ideas)
        .any(|(w, i)| matches!(i, Some(Idea::Role(_))) && !fold(w).ends_with("ing"));
    if place && !clinician {
        for i in ideas.iter_mut().filter(|i| matches!(i, Some(Idea::Role(_)))) {
            *i = Some(Idea::Joiner);
        }
    }
    // "Responsible" after a clinician, and what for, says which clinician: "Clinician
    // Responsible", "Sending Clinician Responsible for Transfer".
    if let Some(r) = split.iter().position(|w| fold(w) == "responsible") {
        let after_role = ideas[..r].iter().any(|i| matches!(i, Some(Idea::Role(_))));
        let what_for = split.get(r + 1).is_none_or(|w| fold(w) == "for");
        if after_role && what_for {
            ideas[r..].iter_mut().for_each(|i| *i = Some(Idea::Joiner));
        }
    }
    let named = ideas.iter().any(|i| matches!(i, Some(Idea::Name)));
    let dated = ideas.iter().any(|i| matches!(i, Some(Idea::Date | Idea::By)));
    for i in 1..split.len() {
        if (named || i + 1 == split.len())
            && !dated
            && ideas[i - 1] == Some(Idea::Subject)
            && matches!(ideas[i], Some(Idea::Event(_)))
            // (What was done to the person, a participle: not "Patient Registration".)
            && (fold(&split[i]).ends_with("ed") || fold(&split[i]) == "seen")
        {
            ideas[i] = Some(Idea::Joiner);
        }
    }
    ideas
}

fn classify_whole(label: &str, idea: fn(&str) -> Option<Idea>) -> Option<Key> {
    let label = without_source(&without_explanation(label));
    if regarding(&label) {
        return Some(Key::Patient(2));
    }
    let split = words(&label);
    let folded: Vec<String> = split.iter().map(|w| fold(w)).collect();
    let word_ideas: Vec<Option<Idea>> = split
        .iter()
        .enumerate()
        .map(|(i, w)| match split.get(i + 1) {
            Some(next) if is_ocr_mrn(w, next) => Some(Idea::Record),
            Some(next)
                if matches!(fold(w).as_str(), "ip" | "op") && idea(next) == Some(Idea::Number) =>
            {
                Some(Idea::Record)
            }
            // "Last" before an event or a date is the latest, not a family name: "Last
            // Updated", "Last Visit Date".
            Some(next)
                if fold(w) == "last" && matches!(idea(next), Some(Idea::Event(_) | Idea::Date)) =>
            {
                None
            }
            // "Source" before "Value" says whose writing the value is ("Gender Source Value":
            // the sex as the source system recorded it), not a source of something.
            Some(next) if fold(w) == "source" && fold(next) == "value" => Some(Idea::Joiner),
            // A "Service Member" is a person in the armed services, not a service's.
            Some(next) if fold(w) == "service" && fold(next) == "member" => Some(Idea::Joiner),
            // "Family" before a clinician is family medicine, a primary-care one: "Family
            // Physician", "Family Doctor".
            Some(next) if fold(w) == "family" && matches!(idea(next), Some(Idea::Role(_))) => {
                Some(Idea::Role(3))
            }
            // "Responsible" before a clinician is the one in charge ("Most Responsible
            // Physician", "Responsible Health Professional"), not a responsible party.
            _ if fold(w) == "responsible"
                && split[i + 1..].iter().any(|s| matches!(idea(s), Some(Idea::Role(_)))) =>
            {
                Some(Idea::Joiner)
            }
            // "Given" with a date is what was given then ("Date Given", as a vaccine or a
            // drug's record says), not a given name.
            _ if fold(w) == "given" && given_as_done(&split) => Some(Idea::Event(1)),
            _ => idea(w),
        })
        .collect();
    let word_ideas = read_together(&split, word_ideas);
    let ideas: Vec<Idea> = word_ideas.iter().flatten().copied().collect();
    if ideas.iter().all(|i| *i == Idea::Joiner) {
        return None;
    }
    // A member of a family or of a care team is not a plan's member: "Family Member", "Team
    // Member".
    let other_members = folded.iter().enumerate().any(|(i, f)| {
        (f == "member" || f == "members")
            && i > 0
            && (word_ideas[i - 1] == Some(Idea::Family) || folded[i - 1] == "team")
    });
    if other_members {
        return Some(Key::Other);
    }
    // A provider asked for with its address or telephone is an organisation, the one that
    // provides the care (CMS-485's "Provider's Name, Address and Telephone Number", the home
    // health agency), not a clinician.
    let provider = folded.iter().any(|f| f == "provider" || f == "providers");
    let reached = folded.iter().any(|f| matches!(f.as_str(), "address" | "telephone" | "phone"));
    if provider && reached && !ideas.contains(&Idea::Npi) {
        return Some(Key::Facility);
    }
    // A phrase that opens with a preposition of place or time is a moment or a place, not a
    // field of the chart: "At Patient", "To Hospital", "From Scene" (an EMS run's times).
    // (Not a period's ends: "From Date of Service", "To Date".)
    if split.len() >= 2
        && matches!(folded[0].as_str(), "at" | "to" | "from" | "until")
        && !ideas.contains(&Idea::Date)
    {
        return Some(Key::Other);
    }
    // One that ends with "at" asks where something happened or is kept: "Seen At", "Records
    // Kept At" (a place; not with a word of any other field's: "Sex Assigned at [Birth]").
    if split.len() >= 2
        && folded.last().is_some_and(|w| w == "at")
        && ideas.iter().all(|i| matches!(i, Idea::Record | Idea::Event(_) | Idea::Joiner))
    {
        return Some(Key::Facility);
    }
    let has = |f: fn(&Idea) -> bool| ideas.iter().any(f);
    let word = |w: &str| folded.iter().any(|f| f == w);
    let subject = has(|i| *i == Idea::Subject);
    let member = has(|i| *i == Idea::Member);
    let name = has(|i| matches!(i, Idea::Name | Idea::Family | Idea::Given | Idea::Middle));
    let number = has(|i| *i == Idea::Number);
    let date = has(|i| *i == Idea::Date);
    let by = has(|i| *i == Idea::By);
    let other = has(|i| *i == Idea::Other);
    let age = has(|i| *i == Idea::Age);
    let facility = has(|i| *i == Idea::Facility);
    let record = has(|i| matches!(i, Idea::Record | Idea::Unit));
    let not_visit = has(|i| *i == Idea::NotVisit);
    // A place asked for by its name and where it is ("Location and Name of Referring
    // Institution", "Institution Name and Address"): the facility, whose name comes first.
    let whereabouts = |f: &str| matches!(f, "address" | "location" | "telephone" | "phone");
    let placed =
        word_ideas.iter().zip(&folded).all(|(i, f)| *i != Some(Idea::Other) || whereabouts(f));
    let other = other && !((facility || has(|i| *i == Idea::Unit)) && name && placed);
    // What a specimen or a sample underwent, if the label says ("Sample Registered Date",
    // "Specimen Received"); else its collection.
    let events = |all: bool| {
        word_ideas
            .iter()
            .zip(&folded)
            .filter(|(_, w)| all || !matches!(w.as_str(), "specimen" | "sample"))
            .filter_map(|(i, _)| if let Some(Idea::Event(p)) = i { Some(*p) } else { None })
            .min()
    };
    let event = events(false).or_else(|| events(true));
    // The most specific role: "Referring Provider" is a referring one.
    let role =
        ideas.iter().filter_map(|i| if let Idea::Role(r) = i { Some(*r) } else { None }).max();
    if has(|i| *i == Idea::NotPatient) || (has(|i| *i == Idea::Staff) && role.is_none()) {
        return Some(Key::Other);
    }
    // A health plan's insured: the patient only where nothing better names one.
    // (Or a part of the name: "Subscriber Last Name", as a claim's subscriber loop has it.)
    if has(|i| *i == Idea::Insured) {
        let only_name = ideas.iter().all(|i| {
            // ("Insured Person", "Insured Member": the insured, said twice.)
            matches!(
                i,
                Idea::Insured
                    | Idea::Subject
                    | Idea::Member
                    | Idea::Name
                    | Idea::Family
                    | Idea::Given
                    | Idea::Joiner
            )
        });
        let family = has(|i| *i == Idea::Family);
        let given = has(|i| *i == Idea::Given);
        return Some(match (only_name, family, given) {
            (false, _, _) => Key::Other,
            (true, true, false) => Key::Family(3),
            (true, false, true) => Key::Given(3),
            (true, _, _) => Key::Patient(3),
        });
    }
    let rank = role.unwrap_or(0);
    if word("national") && role.is_some() && number {
        return Some(Key::Npi(rank));
    }
    if has(|i| *i == Idea::Birth) {
        if has(|i| *i == Idea::Sex) {
            return Some(Key::Sex);
        }
        // "Place of Birth", "Birth Weight", "Multiple Birth Indicator", "Birth Name"; an age
        // beside it is the same fact ("DOB/Age").
        return Some(if other || name || number { Key::Other } else { Key::Dob });
    }
    let other = other || age;
    if has(|i| *i == Idea::Sex) {
        return Some(if other { Key::Other } else { Key::Sex });
    }
    // A group's or a facility's NPI is not the clinician's; one that says no role is below the
    // attending's or rendering clinician's ("56 NPI" before "76 ATTENDING NPI" on a UB-04), until
    // its row or section says whose it is.
    if has(|i| *i == Idea::Npi) {
        // An NPI's type: 1 an individual's (a clinician's), 2 an organisation's.
        let organisation = word("2") || word("ii");
        let typed = word("type") && ideas.iter().filter(|i| **i == Idea::Other).count() == 1;
        let other = (other && !typed) || organisation;
        return Some(if other || facility { Key::Other } else { Key::Npi(role.unwrap_or(1)) });
    }
    if by {
        // "Seen by", "Dictated by", "Referred by": the clinician; "Collected by": staff.
        if STAFF_EVENTS.iter().any(|w| word(w)) {
            return Some(Key::Other);
        }
        return Some(match (role, event) {
            (Some(r), _) => Key::Provider(r),
            (None, Some(0)) => Key::Provider(0),
            (None, Some(1 | 3 | 5)) => Key::Provider(1),
            (None, Some(2)) => Key::Provider(2),
            (None, Some(4)) if word("referred") => Key::Provider(3),
            (None, Some(4)) => Key::Provider(1),
            (None, _) => Key::Other,
        });
    }
    // A date, and what it is of; an event alone is a date when nothing else is said of it
    // ("Admitted:", "Seen on:"), not "Visit Type", "Procedure Name", "Service Facility".
    // An event's word and "on" say a date whatever else the label names ("Medications
    // Reviewed On", "Consent Signed On").
    let on_event = folded.len() >= 2
        && folded[folded.len() - 1] == "on"
        && matches!(word_ideas[folded.len() - 2], Some(Idea::Event(_)));
    let dated = date
        || not_visit
        || (on_event && !number && role.is_none())
        || (event.is_some()
            && !number
            && role.is_none()
            && !other
            && !facility
            && !name
            && !subject
            && !member
            && !record);
    // A case's date is the procedure's ("Case Date" on an operating room's record).
    if date && word("case") && !number {
        return Some(Key::Dos(1));
    }
    // A fax's date is the day it was sent: a clerk's ("Fax Date", "Date Faxed").
    if date && word("fax") {
        return Some(Key::Dos(6));
    }
    if dated {
        // ("Last Visit" was an earlier one; a list's "Last Updated" or "Last Reviewed" is its
        // own date.)
        let earlier = word("last") && (date || event.is_some()) && event != Some(3);
        if not_visit || earlier || (other && event.is_none()) {
            return Some(Key::Other);
        }
        // A clinician's date is the date they signed.
        let priority = event.unwrap_or(if role.is_some() { 5 } else { 3 });
        return Some(Key::Dos(priority));
    }
    if number {
        return Some(if other || event.is_some() || member {
            Key::Other
        } else if role.is_some() {
            Key::ProviderId(rank)
        } else if facility && !has(|i| *i == Idea::Record) && !word("code") {
            // A hospital's practice, a unit's clinic: the number of a place within a place
            // ("Hospital Practice Number") is as unsure as a clinic's.
            Key::Mrn(2)
        } else if record && !word("code") {
            Key::Mrn(0)
        } else if subject {
            Key::Mrn(1)
        } else if facility && !word("code") {
            // A clinic's or a facility's number in a patient's header is the patient's number
            // there ("Clinic No.", "Facility ID"), least sure of the record numbers: some forms
            // print the facility's own.
            Key::Mrn(2)
        } else {
            // A bare "ID", "No.": of what, the label does not say.
            Key::Other
        });
    }
    let unit = has(|i| *i == Idea::Unit);
    // (A clinician "of record" is the attending: "Physician of Record".)
    if record && !unit && role.is_none() {
        return Some(if other || name { Key::Other } else { Key::Mrn(0) });
    }
    if let Some(r) = role {
        if visit_clinician(&ideas) && !other {
            return Some(Key::Provider(0));
        }
        return Some(if other || event.is_some() { Key::Other } else { Key::Provider(r) });
    }
    if facility || unit {
        return Some(if other || subject || member || event.is_some() {
            Key::Other
        } else {
            Key::Facility
        });
    }
    if other || event.is_some() || has(|i| *i == Idea::Middle) {
        return Some(Key::Other);
    }
    // Both parts of a name: the whole of it ("Last Name, First Name", "Name (Last, First)").
    if has(|i| *i == Idea::Family) && has(|i| *i == Idea::Given) {
        return Some(Key::Patient(0));
    }
    if has(|i| *i == Idea::Family) {
        return Some(Key::Family(0));
    }
    if has(|i| *i == Idea::Given) {
        return Some(Key::Given(0));
    }
    if subject || member {
        return Some(Key::Patient(0));
    }
    if name {
        return Some(Key::Patient(1));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_a_value_is_to_be_copied_from_is_not_whose_it_is() {
        assert_eq!(classify("Patient Name as it appears on Insurance Card"), Some(Key::Patient(0)));
        assert_eq!(classify("Date of Birth as shown on ID"), Some(Key::Dob));
        assert_eq!(classify("Name as printed on passport"), classify("Name"));
        // ("as" with no place after it says nothing of where: "Also Known As".)
        assert_eq!(without_source("Also Known As"), "Also Known As");
    }

    #[test]
    fn a_place_asked_for_by_its_name_and_whereabouts_is_the_facility() {
        // (UB-04's form locator 1, "Billing Provider Name, Address and Telephone Number", is
        // the provider rule's; these ask for a place itself.)
        for label in [
            "Hospital Name and Address",
            "Name and Address of Facility",
            "Institution Name and Location",
        ] {
            assert_eq!(classify(label), Some(Key::Facility), "{label}");
        }
        // Where it is without its name is no name; another's name and address is not the place.
        for label in [
            "Facility Address",
            "Hospital Address",
            "Patient Name and Address",
            "Employer Name and Address",
        ] {
            assert_ne!(classify(label), Some(Key::Facility), "{label}");
        }
    }

    /// Wordings taken from published forms and standards, not the ones the vocabulary was
    /// written from: CMS-1500, UB-04, HL7 v2 PID/PV1 field names, registration forms.
    #[test]
    fn labels_from_real_forms_are_understood_by_their_words() {
        let cases: &[(&str, Key)] = &[
            ("Patient's Name (Last Name, First Name, Middle Initial)", Key::Patient(0)),
            ("Pt", Key::Patient(0)),
            ("Client Name", Key::Patient(0)),
            ("Surname", Key::Family(0)),
            ("Given Name", Key::Given(0)),
            ("Patient Identifier List", Key::Mrn(1)),
            ("Med. Rec. #", Key::Mrn(0)),
            ("Record Number", Key::Mrn(0)),
            ("Hospital No.", Key::Mrn(0)),
            // A clinic's number in a patient's header is the patient's there, least sure.
            ("Clinic No.", Key::Mrn(2)),
            ("Facility ID", Key::Mrn(2)),
            ("Unit Number", Key::Mrn(0)),
            ("MR#", Key::Mrn(0)),
            ("Date/Time of Birth", Key::Dob),
            ("Birthdate", Key::Dob),
            ("Born", Key::Dob),
            ("DOB/Age", Key::Dob),
            ("Date of Svc", Key::Dos(0)),
            ("Date of D/C", Key::Dos(1)),
            ("Specimen Taken", Key::Dos(1)),
            ("Op Date", Key::Dos(1)),
            ("Last Reviewed", Key::Dos(3)),
            ("Last Visit", Key::Other),
            ("Physician NPU", Key::Npi(0)),
            ("Family Doctor", Key::Provider(3)),
            ("UNITNUMBER", Key::Mrn(0)),
            ("BIRTHDATE", Key::Dob),
            ("PATIENTSSEX", Key::Sex),
            ("PTFIRSTNAME", Key::Given(0)),
            ("Disch. Date", Key::Dos(1)),
            ("Patient's Birth Date", Key::Dob),
            ("Administrative Sex", Key::Sex),
            ("Sex Assigned at Birth", Key::Sex),
            ("M/F", Key::Sex),
            ("Date(s) of Service", Key::Dos(0)),
            ("Seen on", Key::Dos(0)),
            ("Encounter Date", Key::Dos(0)),
            ("Admit Date/Time", Key::Dos(2)),
            ("Discharge Date/Time", Key::Dos(1)),
            ("Date Signed", Key::Dos(5)),
            ("Clinician", Key::Provider(0)),
            ("Attending Doctor", Key::Provider(0)),
            ("Seen by", Key::Provider(0)),
            ("Name of Referring Provider", Key::Provider(3)),
            ("Rendering Provider ID #", Key::ProviderId(0)),
            ("Attending NPI", Key::Npi(0)),
            ("NPI", Key::Npi(1)),
            ("National Provider Identifier", Key::Npi(0)),
            ("Service Facility Location", Key::Other),
        ];
        for (label, key) in cases {
            assert_eq!(classify(label), Some(*key), "{label}");
        }
        // Data models' field names (a coded value, the value as a source wrote it, a date with
        // its time), a claim's insured as the only name, specialists and care teams, past
        // participles that date what they say.
        let more: &[(&str, Key)] = &[
            ("Sex Code", Key::Sex),
            ("Patient Sex Source Value", Key::Sex),
            ("Admission DateTime", Key::Dos(2)),
            ("Patient Code", Key::Mrn(1)),
            ("Facility Code", Key::Other),
            ("Insured First Name", Key::Given(3)),
            ("Insured's Family Name", Key::Family(3)),
            ("Insured's Date of Birth", Key::Other),
            ("Name of Service Member", Key::Patient(0)),
            ("Cardiologist", Key::Provider(0)),
            ("Attending Pediatrician", Key::Provider(0)),
            ("Physician of Record", Key::Provider(0)),
            ("Care Team", Key::Provider(1)),
            ("Clinic Director", Key::Other),
            ("Results Reviewed On", Key::Dos(3)),
            ("Date Vaccine Given", Key::Dos(1)),
            ("Date of Intake", Key::Dos(0)),
            ("Date Completed", Key::Dos(3)),
        ];
        for (label, key) in more {
            assert_eq!(classify(label), Some(*key), "{label}");
        }
        // A name in capitals is not cut into label words.
        for name in ["TESTPATIENT", "DATEMAN", "NOTREAL"] {
            assert_eq!(classify(name), None, "{name}");
        }
    }

    #[test]
    fn labels_of_other_things_and_other_people_are_not_the_fields() {
        for label in [
            "Patient Control No.",
            "Patient Account Number",
            "Visit Number",
            "Insured's Date of Birth",
            "Emergency Contact Name",
            "Mother's Maiden Name",
            "Birth Place",
            "Next Appointment",
            "Date of Injury",
            "Last Visit",
            "Follow-up Date",
            "SSN Number - Patient",
            "Phone",
            "Age",
            "Transcribed by",
            "Member ID",
            "ID",
            "Group NPI",
            "Insured's Date of Birth",
        ] {
            assert_eq!(classify(label), Some(Key::Other), "{label}");
        }
        // An insured's name is the patient's only where nothing better names one.
        assert_eq!(classify("Insured's Name"), Some(Key::Patient(3)));
        assert_eq!(classify("Referring NPI"), Some(Key::Npi(3)));
        assert_eq!(classify("Chief Complaint"), None);
        assert_eq!(classify("of the"), None);
    }

    #[test]
    fn words_as_ocr_reads_them() {
        for (label, key) in [
            ("D.O:Bs", Key::Dob),
            ("D,©:8::", Key::Dob),
            ("D0B", Key::Dob),
            ("Physlcian", Key::Provider(0)),
            ("Gencer", Key::Sex),
            ("Narne", Key::Patient(1)),
            ("Dlscharqe Date", Key::Dos(1)),
            ("Medical-Record Number", Key::Mrn(0)),
        ] {
            assert_eq!(classify_near(label), Some(key), "{label}");
        }
        assert_eq!(classify_near("Banana"), None);
        // Among values (no colon), a name one letter off a label word is a name.
        assert_eq!(classify("Fakename"), None);
        assert_eq!(classify("Physlcian"), None);
    }

    #[test]
    fn a_sections_heading_says_whose_its_generic_labels_are() {
        assert_eq!(section("PATIENT INFORMATION"), Some(Section::Patient));
        assert_eq!(section("Guarantor"), Some(Section::OtherPerson));
        assert_eq!(section("Emergency Contact:"), Some(Section::OtherPerson));
        assert_eq!(section("Primary Insurance"), Some(Section::Insured));
        assert_eq!(section("REFERRING PHYSICIAN"), Some(Section::Provider(3)));
        // A label of a field is no heading, nor is a line of text.
        assert_eq!(section("Patient Name"), None);
        assert_eq!(section("Guarantor DOB"), None);
        assert_eq!(section("The patient was seen"), None);
        assert!(!qualified("Name"));
        assert!(!qualified("DOB (mm/dd/yyyy)"));
        assert!(qualified("Patient Name"));
        assert!(qualified("Referring NPI"));
    }

    #[test]
    fn label_phrases_split_into_words() {
        assert_eq!(words("Med.Rec.#"), ["Med", "Rec", "#"]);
        assert_eq!(words("D.O.B.:"), ["dob"]);
        assert_eq!(words("D.O:Bs"), ["dob"]);
        assert_eq!(words("MRN#"), ["MRN", "#"]);
        assert_eq!(words("PatientName"), ["Patient", "Name"]);
        assert_eq!(words("DateOfBirth:"), ["Date", "Of", "Birth"]);
        assert_eq!(words("Testpatient"), ["Testpatient"]);
        assert_eq!(words("Date/Time of Birth"), ["Date", "Time", "of", "Birth"]);
        assert!(is_label_word("Chart"));
        assert!(!is_label_word("Testpatient"));
        // A plural's "/s" is no alternative; a courtesy title is no record's "MR".
        assert_eq!(words("Physician/s"), ["Physician"]);
        assert!(!is_label_word("Mrs."));
        assert!(is_label_word("MR"));
    }

    #[test]
    fn slashes_plurals_translations_prepositions_and_members() {
        let cases: &[(&str, Key)] = &[
            // A name's part said twice with a slash, a plural's "/s".
            ("Last/Family Name", Key::Family(0)),
            ("Given Name/s", Key::Given(0)),
            // A label its translation follows.
            ("Place of Treatment / Lieu de traitement", Key::Other),
            ("Birth Date / Fecha de nacimiento", Key::Dob),
            // The insured said twice, a worker's form's subject.
            ("Insured Individual", Key::Patient(3)),
            ("Claimant Name", Key::Patient(0)),
            ("Name of Injured Employee", Key::Patient(0)),
            // A moment of a run, a place asked for.
            ("To Hospital", Key::Other),
            ("From Date of Service", Key::Dos(0)),
            ("Sex / Gender Identity", Key::Sex),
            ("Gender Identity", Key::Sex),
            ("Hospital Practice Number", Key::Mrn(2)),
            ("Provider Name, Address and Phone", Key::Facility),
            ("Treated At", Key::Facility),
            ("Sex Assigned at", Key::Sex),
            // Whose member.
            ("Team Member", Key::Other),
            ("Family Member Name", Key::Other),
            ("Crew Member", Key::Other),
            ("Enrolled Member Name", Key::Patient(0)),
            // A system's recording time is a clerk's date.
            ("Date Recorded", Key::Dos(6)),
            // An inpatient's number, not an operation's date.
            ("IP Number", Key::Mrn(0)),
            ("Op #", Key::Mrn(0)),
        ];
        for (label, key) in cases {
            assert_eq!(classify(label), Some(*key), "{label}");
        }
        assert!(names_a_value("Number"));
        assert!(names_a_value("DOB"));
        assert!(!names_a_value("Ward"));
    }

    /// Words read with their neighbours: two written apart that are one word, a role said of a
    /// place, a participle saying which person, "responsible" after a clinician, the other
    /// end of a transfer.
    #[test]
    fn words_are_read_with_their_neighbours() {
        let cases: &[(&str, Option<Key>)] = &[
            ("Policy Holder Name", Some(Key::Patient(3))),
            ("Name of Person Tested", Some(Key::Patient(0))),
            ("Individual Examined", Some(Key::Patient(0))),
            ("Ordering Facility", Some(Key::Facility)),
            ("Referring Medical Institution", Some(Key::Facility)),
            // (A clinician named: the clinician.)
            ("Referring Physician", Some(Key::Provider(3))),
            ("Physician Responsible", Some(Key::Provider(0))),
            ("Doctor Responsible for Discharge", Some(Key::Provider(0))),
            ("Receiving Hospital", Some(Key::Other)),
            ("Receiving Physician", Some(Key::Other)),
            // (A noun after the patient is no participle, nor a name's label.)
            ("Patient Registration", Some(Key::Other)),
        ];
        for (label, key) in cases {
            assert_eq!(classify(label), *key, "{label}");
        }
        assert!(one_word("Card", "Holder:"));
        assert!(!one_word("11-05-2022", "Physician:"));
        assert!(!one_word("Last", "Name"));
    }
}
