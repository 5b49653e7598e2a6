//! The export record: one document with exactly the keys of the export contract.

use chartdex_core::{Evidence, Medication, Patient, Provider};
use chartdex_pipeline::{DocumentRecord, StoredPage};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub(crate) struct Record<'a> {
    pub(crate) id: &'a str,
    /// The first source path, relative to the ingested root.
    pub(crate) source: Option<&'a str>,
    pub(crate) sources: Vec<&'a str>,
    pub(crate) bytes: u64,
    pub(crate) media_type: Option<&'static str>,
    pub(crate) doc_type: Option<&'static str>,
    pub(crate) patient: &'a Patient,
    pub(crate) service_date: Option<&'a str>,
    pub(crate) provider: &'a Provider,
    pub(crate) facility: Option<&'a str>,
    pub(crate) icd10: &'a [String],
    pub(crate) cpt: &'a [String],
    pub(crate) medications: &'a [Medication],
    pub(crate) pages: Vec<PageRecord<'a>>,
    pub(crate) needs_review: bool,
    /// Where each field value was read (page, box, confidence): only when asked for, so the
    /// export keeps exactly the contract's keys by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) evidence: Option<&'a [Evidence]>,
}

#[derive(Debug, Serialize)]
pub(crate) struct PageRecord<'a> {
    pub(crate) number: u32,
    pub(crate) text: &'a str,
    pub(crate) confidence: f32,
    pub(crate) method: &'static str,
}

impl<'a> Record<'a> {
    pub(crate) fn new(
        doc: &'a DocumentRecord,
        pages: &'a [StoredPage],
        with_evidence: bool,
    ) -> Record<'a> {
        let f = &doc.fields;
        Record {
            id: doc.id.as_str(),
            source: doc.sources.first().map(|s| s.rel_path.as_str()),
            sources: doc.sources.iter().map(|s| s.rel_path.as_str()).collect(),
            bytes: doc.bytes,
            media_type: doc.media_type.map(|m| m.mime()),
            doc_type: f.doc_type.map(|t| t.name()),
            patient: &f.patient,
            service_date: f.service_date.as_deref(),
            provider: &f.provider,
            facility: f.facility.as_deref(),
            icd10: &f.icd10,
            cpt: &f.cpt,
            medications: &f.medications,
            pages: pages
                .iter()
                .map(|p| PageRecord {
                    number: p.page.number,
                    text: &p.page.text,
                    // Rounded: more digits than this are noise.
                    confidence: (p.page.confidence * 1000.0).round() / 1000.0,
                    method: p.page.method.as_str(),
                })
                .collect(),
            needs_review: doc.needs_review,
            evidence: with_evidence.then_some(doc.evidence.as_slice()),
        }
    }
}
