//! The full-text index of page text and chart fields, over tantivy.
//!
//! One index document per page, carrying the page text and its document's fields, so a hit can
//! name the page. The index holds nothing the catalogue does not: it can always be deleted and
//! rebuilt from the catalogue. This is the only crate that knows tantivy.
//!
//! Ranking ([`SearchIndex::search`]): documents whose patient field holds more of the query's
//! words come first (exactly, case and accents folded, or within the fuzzy fallback's edits), so
//! a name finds that patient's charts before charts that only mention it; then BM25 score (the
//! patient field weighing more, fuzzy words weighted by closeness); equal scores (to three
//! decimals) by date of service, most recent first, then document id. The order depends on the
//! pages alone, never on the order they were indexed in.

mod phrase;
mod rank;
mod search;

pub use search::{DocSummary, SearchQuery};

use std::path::Path;
use tantivy::directory::MmapDirectory;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Errors of the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(
        "the index is locked by another writer (is another ingest running on this data directory?)"
    )]
    Locked,
    #[error("cannot open the index at {path}")]
    Open { path: String, source: tantivy::TantivyError },
    #[error(
        "the search index at {0} was built by another version of chartdex; rebuild it with `chartdex reindex`"
    )]
    Outdated(String),
    #[error("index error")]
    Tantivy(#[from] tantivy::TantivyError),
}

type Result<T> = std::result::Result<T, IndexError>;

const TOKENIZER: &str = "chart";

/// The version of the schema below; an index written with another is rebuilt, never misread.
const SCHEMA_VERSION: &str = "4";
const VERSION_FILE: &str = "chartdex-schema-version";

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
struct Fields {
    doc_id: Field,
    page: Field,
    source: Field,
    text: Field,
    doc_type: Field,
    patient: Field,
    mrn: Field,
    dob: Field,
    service_date: Field,
    /// The date of service and the id's first bytes packed into a number that orders pages the
    /// same in every segment, to break ties between equal scores (`rank::page_key`).
    rank: Field,
    codes: Field,
    icd10: Field,
    cpt: Field,
    med: Field,
    provider: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        // Fast, to break ties between equal scores by id (`rank`).
        doc_id: b.add_text_field("doc_id", STRING | STORED | FAST),
        page: b.add_u64_field("page", INDEXED | STORED | FAST),
        source: b.add_text_field("source", STRING | STORED),
        text: b.add_text_field("text", words.clone()),
        doc_type: b.add_text_field("type", STRING | STORED | FAST),
        patient: b.add_text_field("patient", words.clone()),
        mrn: b.add_text_field("mrn", STRING | STORED),
        dob: b.add_text_field("dob", STRING | STORED),
        service_date: b.add_text_field("service_date", STRING | STORED | FAST),
        rank: b.add_u64_field(rank::KEY, FAST),
        codes: b.add_text_field("codes", STRING | STORED),
        icd10: b.add_text_field("icd10", STRING),
        cpt: b.add_text_field("cpt", STRING),
        med: b.add_text_field("med", words.clone()),
        provider: b.add_text_field("provider", words),
    };
    (b.build(), fields)
}

/// One page as the index receives it.
#[derive(Debug, Clone, Default)]
pub struct PageEntry<'a> {
    pub doc_id: &'a str,
    pub page: u32,
    pub source: &'a str,
    pub text: &'a str,
    pub doc_type: Option<&'a str>,
    pub patient: Option<&'a str>,
    pub mrn: Option<&'a str>,
    pub dob: Option<&'a str>,
    pub service_date: Option<&'a str>,
    pub icd10: &'a [String],
    pub cpt: &'a [String],
    /// Medication names.
    pub meds: &'a [String],
    /// The provider's name.
    pub provider: Option<&'a str>,
}

/// One search result: a document, shown by its best page.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub doc_id: String,
    /// The best-matching page.
    pub page: u32,
    /// How many of the document's pages match (among the best pages looked at).
    pub pages_matched: u32,
    /// Found only by the fuzzy fallback (a term within one or two letters), ranked below every
    /// exact hit.
    pub fuzzy: bool,
    pub source: String,
    /// The score the document is ranked by (its best page's), to three decimals.
    pub score: f32,
    /// A fragment of the page text around the matches.
    pub snippet: String,
    /// Byte ranges of `snippet` that matched the query.
    pub highlights: Vec<(usize, usize)>,
    pub patient: Option<String>,
    pub doc_type: Option<String>,
    pub service_date: Option<String>,
}

/// The search index of one data directory.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    /// Opened on first use, brought up to date before each search.
    reader: std::sync::OnceLock<IndexReader>,
    /// The fast fields that break ties, per segment.
    keys: rank::KeyCache,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (and `dir`) if needed. An index written with another
    /// schema is refused with [`IndexError::Outdated`]: rebuild it with [`SearchIndex::recreate`].
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        let open_err = |source| IndexError::Open { path: dir.display().to_string(), source };
        let io_err = |e: std::io::Error| open_err(tantivy::TantivyError::IoError(e.into()));
        std::fs::create_dir_all(dir).map_err(io_err)?;
        let version = dir.join(VERSION_FILE);
        let exists = dir.join("meta.json").exists();
        match std::fs::read_to_string(&version) {
            Ok(v) if v.trim() == SCHEMA_VERSION => {}
            Ok(_) => return Err(IndexError::Outdated(dir.display().to_string())),
            Err(_) if exists => return Err(IndexError::Outdated(dir.display().to_string())),
            Err(_) => std::fs::write(&version, SCHEMA_VERSION).map_err(io_err)?,
        }
        let mmap = MmapDirectory::open(dir).map_err(|e| open_err(e.into()))?;
        let (schema, fields) = schema();
        let mut index = Index::open_or_create(mmap, schema).map_err(open_err)?;
        // Searches run over the index's segments on every core (a phrase of common words over a
        // million pages takes half the time on two).
        index.set_default_multithread_executor().map_err(open_err)?;
        let analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(60))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build();
        index.tokenizers().register(TOKENIZER, analyzer);
        Ok(SearchIndex {
            index,
            fields,
            reader: std::sync::OnceLock::new(),
            keys: rank::KeyCache::default(),
        })
    }

    /// Deletes the index in `dir` (whatever its version) and creates an empty one. Only the
    /// index's own files are removed; it can always be rebuilt from the catalogue.
    pub fn recreate(dir: &Path) -> Result<SearchIndex> {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| IndexError::Open {
                path: dir.display().to_string(),
                source: tantivy::TantivyError::IoError(e.into()),
            })?;
        }
        SearchIndex::open(dir)
    }

    /// Takes the index's single writer lock. Fails with [`IndexError::Locked`] while another
    /// process holds it.
    pub fn writer(&self) -> Result<Writer> {
        match self.index.writer_with_num_threads(1, 64_000_000) {
            Ok(inner) => Ok(Writer { inner, fields: self.fields }),
            Err(tantivy::TantivyError::LockFailure(..)) => Err(IndexError::Locked),
            Err(e) => Err(e.into()),
        }
    }

    /// The reader, reloaded so it sees every commit made so far.
    fn reader(&self) -> Result<&IndexReader> {
        let reader = match self.reader.get() {
            Some(r) => {
                r.reload()?;
                r
            }
            None => {
                let r =
                    self.index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
                self.reader.get_or_init(|| r)
            }
        };
        Ok(reader)
    }

    /// How many pages are indexed.
    pub fn page_count(&self) -> Result<u64> {
        Ok(self.reader()?.searcher().num_docs())
    }

    /// Every document the index holds, with its number of pages (deleted pages not counted).
    pub fn indexed_documents(&self) -> Result<std::collections::HashMap<String, u64>> {
        use tantivy::{DocSet, TERMINATED};
        let mut out = std::collections::HashMap::new();
        let searcher = self.reader()?.searcher();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.doc_id)?;
            let alive = segment.alive_bitset();
            let io =
                |e: std::io::Error| IndexError::Tantivy(tantivy::TantivyError::IoError(e.into()));
            let mut terms = inverted.terms().stream().map_err(io)?;
            while terms.advance() {
                let mut postings = inverted
                    .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)
                    .map_err(io)?;
                let mut pages = 0;
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        pages += 1;
                    }
                    doc = postings.advance();
                }
                if pages > 0 {
                    let id = String::from_utf8_lossy(terms.key()).into_owned();
                    *out.entry(id).or_insert(0) += pages;
                }
            }
        }
        Ok(out)
    }
}

/// The index's single writer. Nothing is visible to searches until [`Writer::commit`].
pub struct Writer {
    inner: IndexWriter,
    fields: Fields,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    /// Queues a page for indexing.
    pub fn add_page(&mut self, p: &PageEntry<'_>) -> Result<()> {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.doc_id, p.doc_id);
        doc.add_u64(f.rank, rank::page_key(p.service_date, p.doc_id));
        doc.add_u64(f.page, u64::from(p.page));
        doc.add_text(f.source, p.source);
        doc.add_text(f.text, p.text);
        let optional = [
            (f.doc_type, p.doc_type),
            (f.patient, p.patient),
            (f.mrn, p.mrn),
            (f.dob, p.dob),
            (f.service_date, p.service_date),
        ];
        for (field, value) in optional {
            if let Some(v) = value {
                doc.add_text(field, v);
            }
        }
        for code in p.icd10 {
            doc.add_text(f.codes, code);
            doc.add_text(f.icd10, code);
        }
        for code in p.cpt {
            doc.add_text(f.codes, code);
            doc.add_text(f.cpt, code);
        }
        for med in p.meds {
            doc.add_text(f.med, med);
        }
        if let Some(provider) = p.provider {
            doc.add_text(f.provider, provider);
        }
        self.inner.add_document(doc)?;
        Ok(())
    }

    /// Queues the removal of every page of a document (before re-adding it).
    pub fn delete_document(&mut self, doc_id: &str) {
        self.inner.delete_term(Term::from_field_text(self.fields.doc_id, doc_id));
    }

    /// Queues the removal of everything (before a rebuild).
    pub fn delete_all(&mut self) -> Result<()> {
        self.inner.delete_all_documents()?;
        Ok(())
    }

    /// Makes every queued change durable and visible.
    pub fn commit(&mut self) -> Result<()> {
        self.inner.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page<'a>(doc_id: &'a str, page: u32, text: &'a str) -> PageEntry<'a> {
        PageEntry { doc_id, page, source: "box1/chart.pdf", text, ..PageEntry::default() }
    }

    #[test]
    fn finds_the_right_page_with_highlights() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let mut w = index.writer().unwrap();
        w.add_page(&page("aaa", 1, "Patient seen for follow up of hypertension.")).unwrap();
        w.add_page(&page("aaa", 2, "Plan: start metformin 500 mg twice daily.")).unwrap();
        w.add_page(&page("bbb", 1, "Chest x-ray without acute findings.")).unwrap();
        w.commit().unwrap();
        let hits = index.search(&SearchQuery::text("metformin", 10)).unwrap();
        assert_eq!(hits.len(), 1);
        let h = &hits[0];
        assert_eq!((h.doc_id.as_str(), h.page), ("aaa", 2));
        assert_eq!(h.source, "box1/chart.pdf");
        let (s, e) = h.highlights[0];
        assert_eq!(&h.snippet[s..e], "metformin");
        // Words are all required.
        assert!(index.search(&SearchQuery::text("metformin xray", 10)).unwrap().is_empty());
        assert_eq!(index.search(&SearchQuery::text("metformin OR chest", 10)).unwrap().len(), 2);
        assert_eq!(index.page_count().unwrap(), 3);
        let docs = index.indexed_documents().unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!((docs["aaa"], docs["bbb"]), (2, 1));
        // Deleted pages are not counted.
        w.delete_document("aaa");
        w.commit().unwrap();
        assert_eq!(
            index.indexed_documents().unwrap().into_iter().collect::<Vec<_>>(),
            [("bbb".to_string(), 1)]
        );
    }

    #[test]
    fn fields_are_searchable_and_case_and_accents_fold() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let mut w = index.writer().unwrap();
        let codes = vec!["E11.9".to_string()];
        let cpt = vec!["99213".to_string()];
        let meds = vec!["Metformin".to_string()];
        w.add_page(&PageEntry {
            patient: Some("Zoë Testpatient"),
            mrn: Some("MRN00042"),
            dob: Some("1961-03-14"),
            service_date: Some("2024-03-02"),
            icd10: &codes,
            cpt: &cpt,
            meds: &meds,
            provider: Some("Robert Fakedoc"),
            doc_type: Some("progress_note"),
            ..page("ccc", 1, "Café visit")
        })
        .unwrap();
        w.add_page(&PageEntry {
            service_date: Some("2019-01-01"),
            doc_type: Some("lab_report"),
            ..page("ddd", 1, "Café visit")
        })
        .unwrap();
        w.commit().unwrap();
        for q in [
            "zoe",
            "TESTPATIENT",
            "MRN00042",
            "cafe mrn:MRN00042",
            "\"E11.9\"",
            "icd10:\"E11.9\"",
            "cpt:99213",
            "codes:99213",
            "med:metformin",
            "provider:fakedoc",
            "dob:1961-03-14",
            "type:progress_note",
            "cafe AND service_date:[2024-01-01 TO 2024-12-31]",
        ] {
            let hits = index.search(&SearchQuery::text(q, 10)).unwrap();
            assert_eq!(hits.len(), 1, "query {q}");
            assert_eq!(hits[0].patient.as_deref(), Some("Zoë Testpatient"));
            assert_eq!(hits[0].doc_type.as_deref(), Some("progress_note"));
        }
    }

    #[test]
    fn an_index_of_another_schema_version_is_refused_until_recreated() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let mut w = index.writer().unwrap();
        w.add_page(&page("eee", 1, "warfarin")).unwrap();
        w.commit().unwrap();
        drop((w, index));
        std::fs::write(dir.path().join(VERSION_FILE), "1").unwrap();
        assert!(matches!(SearchIndex::open(dir.path()), Err(IndexError::Outdated(_))));
        let index = SearchIndex::recreate(dir.path()).unwrap();
        assert_eq!(index.page_count().unwrap(), 0);
        assert!(SearchIndex::open(dir.path()).is_ok());
    }

    #[test]
    fn delete_then_re_add_leaves_one_copy() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let mut w = index.writer().unwrap();
        w.add_page(&page("ddd", 1, "warfarin")).unwrap();
        w.commit().unwrap();
        w.delete_document("ddd");
        w.add_page(&page("ddd", 1, "warfarin")).unwrap();
        w.commit().unwrap();
        assert_eq!(index.search(&SearchQuery::text("warfarin", 10)).unwrap().len(), 1);
    }

    #[test]
    fn a_second_writer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let _w = index.writer().unwrap();
        let again = SearchIndex::open(dir.path()).unwrap();
        assert!(matches!(again.writer(), Err(IndexError::Locked)));
    }
}
