//! Searching: the query language, filters, results grouped by document, the fuzzy fallback for
//! OCR errors, and a patient's documents (the timeline).
//!
//! Ranking: a page's score is BM25 over the page text and its document's fields, a word in the
//! patient field weighing [`PATIENT_BOOST`] times as much. Documents are then ordered by how
//! many of the query's words their patient field holds (exactly, or for the fuzzy fallback within
//! the word's edits), then by score, then by date of service (most recent first) and id
//! ([`crate::rank`]): a patient's own charts come before charts that only mention the name (a
//! provider of that name, a word in the text), and equal scores always list in the same order.
//! The fuzzy fallback scores each index word it reaches by BM25 weighted by closeness,
//! `1 / (1 + edits)`, and by field, so a closer word and a patient-field match rank higher.

use crate::phrase::PhrasePlan;
use crate::rank;
use crate::{Hit, IndexError, SearchIndex};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, QueryParser, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Score, Searcher, TantivyDocument, Term};

type Result<T> = std::result::Result<T, IndexError>;

/// What to search for: a query in the query language, and filters every hit must pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Words (all required), "phrases", AND/OR/NOT, `field:value`; empty for filters alone.
    pub text: String,
    /// The patient's MRN, exactly.
    pub mrn: Option<String>,
    /// Words of the patient's name, all required (any case, accents or not).
    pub patient: Option<String>,
    /// The patient's date of birth, YYYY-MM-DD.
    pub dob: Option<String>,
    /// The document type, as exported (`progress_note`); spaces and case are forgiven.
    pub doc_type: Option<String>,
    /// The earliest and latest date of service, YYYY-MM-DD (inclusive); documents without one are
    /// left out.
    pub from: Option<String>,
    pub to: Option<String>,
    /// An ICD-10-CM or CPT code (`I50.9`, `i509`, `99213`).
    pub code: Option<String>,
    /// Most documents to return.
    pub limit: usize,
}

impl SearchQuery {
    /// A plain query with no filters.
    pub fn text(text: &str, limit: usize) -> SearchQuery {
        SearchQuery { text: text.to_string(), limit, ..SearchQuery::default() }
    }

    /// True if any filter is set.
    pub fn has_filters(&self) -> bool {
        [&self.mrn, &self.patient, &self.dob, &self.doc_type, &self.from, &self.to, &self.code]
            .iter()
            .any(|f| f.is_some())
    }
}

/// One document of a patient's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocSummary {
    pub doc_id: String,
    pub source: String,
    pub patient: Option<String>,
    pub mrn: Option<String>,
    pub dob: Option<String>,
    pub doc_type: Option<String>,
    pub service_date: Option<String>,
    /// Pages in the index.
    pub pages: u32,
}

/// A query's words, each with the edits it may differ by (0 for an exact word).
type Words = Vec<(String, u8)>;

/// Pages looked at per document asked for, when grouping pages into documents.
const PAGES_PER_DOCUMENT: usize = 8;

/// How much more a word weighs in the patient field than in the text or another field: enough
/// that a patient's own pages are among the best pages looked at, before documents are ordered
/// by their patient-field matches.
pub(crate) const PATIENT_BOOST: Score = 4.0;

/// Most index words one fuzzy word is widened to in each field, the closest kept (as Lucene's
/// fuzzy query keeps 50).
const MAX_EXPANSIONS: usize = 50;

impl SearchIndex {
    /// Searches page text and fields; one hit per document (its best page), best first: documents
    /// whose patient field holds more of the query's words first, then by score, then most recent
    /// date of service, then id. When the exact query finds fewer documents than asked for and is
    /// plain words, each word of four letters or more is looked for again within one letter (two
    /// from eight letters on), and those documents follow, marked `fuzzy`, ranked the same way.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>> {
        let limit = q.limit.max(1);
        let searcher = self.reader()?.searcher();
        let filters = self.filters(q)?;
        let main: Box<dyn Query> = if q.text.trim().is_empty() {
            Box::new(AllQuery)
        } else {
            self.parser().parse_query_lenient(&q.text).0
        };
        let exact = with_filters(main.box_clone(), &filters);
        let pages = limit.saturating_mul(PAGES_PER_DOCUMENT).min(10_000);
        // One exact phrase: its best pages without counting it on every page (same result).
        let phrase = filters
            .is_empty()
            .then(|| {
                let words = self.words(self.fields.text, &q.text);
                PhrasePlan::of(&*main, &q.text, self.fields.text, &words)
            })
            .flatten();
        let top = match phrase {
            Some(plan) => plan.top(&searcher, &self.keys, pages)?,
            None => rank::top_pages(&searcher, &self.keys, &*exact, pages)?,
        };
        let names = self.patient_words(&*main);
        let mut hits = self.grouped(&searcher, top, &*main, limit, &names, None)?;
        if hits.len() < limit {
            if let Some((fuzzy, words)) = self.fuzzy_query(&searcher, &q.text)? {
                let query = with_filters(fuzzy.box_clone(), &filters);
                let top = rank::top_pages(&searcher, &self.keys, &*query, pages)?;
                for hit in self.grouped(&searcher, top, &*fuzzy, limit, &words, Some(&words))? {
                    if hits.len() >= limit {
                        break;
                    }
                    if !hits.iter().any(|h| h.doc_id == hit.doc_id) {
                        hits.push(hit);
                    }
                }
            }
        }
        Ok(hits)
    }

    /// Every document passing the filters of `q` (its text is ignored), sorted by date of service
    /// (documents without one last), then id: a patient's timeline by MRN, or by name and date of
    /// birth.
    pub fn documents(&self, q: &SearchQuery) -> Result<Vec<DocSummary>> {
        let searcher = self.reader()?.searcher();
        let query = with_filters(Box::new(AllQuery), &self.filters(q)?);
        let pages = searcher.search(&*query, &tantivy::collector::DocSetCollector)?;
        let f = self.fields;
        let mut docs: HashMap<String, DocSummary> = HashMap::new();
        let mut addresses: Vec<DocAddress> = pages.into_iter().collect();
        addresses.sort();
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let get = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
            let id = get(f.doc_id).unwrap_or_default();
            let entry = docs.entry(id.clone()).or_insert_with(|| DocSummary {
                doc_id: id,
                source: get(f.source).unwrap_or_default(),
                patient: get(f.patient),
                mrn: get(f.mrn),
                dob: get(f.dob),
                doc_type: get(f.doc_type),
                service_date: get(f.service_date),
                pages: 0,
            });
            entry.pages += 1;
        }
        let mut out: Vec<DocSummary> = docs.into_values().collect();
        out.sort_by(|a, b| {
            let key = |d: &DocSummary| (d.service_date.is_none(), d.service_date.clone());
            key(a).cmp(&key(b)).then_with(|| a.doc_id.cmp(&b.doc_id))
        });
        Ok(out)
    }

    /// The fields a word without `field:` is looked for in.
    pub(crate) fn default_fields(&self) -> Vec<Field> {
        let f = self.fields;
        vec![f.text, f.patient, f.mrn, f.codes, f.med, f.provider]
    }

    /// The query language's parser: every word required, the patient field boosted.
    pub(crate) fn parser(&self) -> QueryParser {
        let mut parser = QueryParser::for_index(&self.index, self.default_fields());
        parser.set_conjunction_by_default();
        parser.set_field_boost(self.fields.patient, PATIENT_BOOST);
        parser
    }

    /// The words a query looks for in the patient field (exactly), whose presence in a
    /// document's patient field ranks it.
    fn patient_words(&self, query: &dyn Query) -> Words {
        let mut out: Words = Vec::new();
        query.query_terms(&mut |term, _| {
            if term.field() != self.fields.patient {
                return;
            }
            if let Some(word) = term.value().as_str() {
                if !out.iter().any(|(w, _)| w == word) {
                    out.push((word.to_string(), 0));
                }
            }
        });
        out
    }

    /// How many of `words` the patient field `patient` holds, each within its edits.
    fn patient_matches(&self, patient: &str, words: &[(String, u8)]) -> usize {
        let names = self.words(self.fields.patient, patient);
        words
            .iter()
            .filter(|(w, d)| names.iter().any(|n| edits_within(w, n, usize::from(*d))))
            .count()
    }

    /// The filters of a query, each a clause every hit must match.
    fn filters(&self, q: &SearchQuery) -> Result<Vec<Box<dyn Query>>> {
        let f = self.fields;
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        let term = |field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic))
        };
        if let Some(mrn) = q.mrn.as_deref().map(str::trim) {
            let upper = mrn.to_uppercase();
            out.push(if upper == mrn {
                term(f.mrn, mrn)
            } else {
                Box::new(BooleanQuery::union(vec![term(f.mrn, mrn), term(f.mrn, &upper)]))
            });
        }
        if let Some(name) = &q.patient {
            let words = self.words(f.patient, name);
            if words.is_empty() {
                out.push(Box::new(BooleanQuery::new(Vec::new())));
            }
            for w in words {
                out.push(term(f.patient, &w));
            }
        }
        if let Some(dob) = &q.dob {
            out.push(term(f.dob, dob.trim()));
        }
        if let Some(t) = &q.doc_type {
            let t = t.trim().to_lowercase().replace([' ', '-'], "_");
            out.push(term(f.doc_type, &t));
        }
        if q.from.is_some() || q.to.is_some() {
            let bound = |v: &Option<String>, pad: &str| match v {
                Some(d) => Bound::Included(Term::from_field_text(
                    f.service_date,
                    &date_bound(d.trim(), pad),
                )),
                None => Bound::Unbounded,
            };
            out.push(Box::new(RangeQuery::new(bound(&q.from, "-01"), bound(&q.to, "-31"))));
        }
        if let Some(code) = &q.code {
            out.push(term(f.codes, &normalise_code(code)));
        }
        Ok(out)
    }

    /// The terms the field's tokenizer makes of `text`.
    pub(crate) fn words(&self, field: Field, text: &str) -> Vec<String> {
        let Ok(mut analyzer) = self.index.tokenizer_for_field(field) else {
            return Vec::new();
        };
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    /// The fuzzy form of a plain query (words only: no quotes, operators or `field:`) and its
    /// words with the edits each may differ by, or `None` when it has no word long enough to be
    /// worth it. Each word is widened to the index words within its edits, field by field, each
    /// scored by BM25 weighted by its closeness and its field.
    fn fuzzy_query(
        &self,
        searcher: &Searcher,
        text: &str,
    ) -> Result<Option<(Box<dyn Query>, Words)>> {
        let plain = !text.contains(['"', ':', '(', ')', '[', ']'])
            && text
                .split_whitespace()
                .all(|w| !matches!(w, "AND" | "OR" | "NOT") && !w.starts_with(['-', '+']));
        if !plain {
            return Ok(None);
        }
        let f = self.fields;
        let fields = [(f.text, 1.0), (f.patient, PATIENT_BOOST), (f.med, 1.0), (f.provider, 1.0)];
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut words = Vec::new();
        for word in self.words(f.text, text) {
            let letters = word.chars().count();
            let distance = match letters {
                _ if !word.chars().all(char::is_alphabetic) => 0,
                0..=3 => 0,
                4..=7 => 1,
                _ => 2,
            };
            let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
            for (field, weight) in fields {
                let near = if distance > 0 {
                    near_words(searcher, field, &word, distance)?
                } else {
                    vec![(word.clone(), 0)]
                };
                for (term, edits) in near {
                    let term = Term::from_field_text(field, &term);
                    let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
                    let boost = weight / (1.0 + Score::from(edits));
                    alternatives.push(Box::new(BoostQuery::new(Box::new(query), boost)));
                }
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::union(alternatives))));
            words.push((word, distance));
        }
        if words.iter().all(|(_, d)| *d == 0) {
            return Ok(None);
        }
        Ok(Some((Box::new(BooleanQuery::new(clauses)), words)))
    }

    /// The words of a page's text, as the index reads them, within the edits allowed of a fuzzy
    /// query's words: what a fuzzy hit matched there, to highlight.
    fn near_terms(&self, text: &str, words: &[(String, u8)]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for term in self.words(self.fields.text, text) {
            let near = words.iter().any(|(w, d)| edits_within(w, &term, usize::from(*d)));
            if near && !out.contains(&term) {
                out.push(term);
            }
        }
        out
    }

    /// Groups a query's best pages (`top`, best first) by document and orders the documents:
    /// those whose patient field holds more of `names` first, then as `top` ranks their best
    /// page (score, date of service, id). Makes the hits (snippets from `highlight`; for a fuzzy
    /// query, given its words, from the words near them on each page).
    fn grouped(
        &self,
        searcher: &Searcher,
        top: Vec<(Score, DocAddress)>,
        highlight: &dyn Query,
        limit: usize,
        names: &[(String, u8)],
        fuzzy_words: Option<&[(String, u8)]>,
    ) -> Result<Vec<Hit>> {
        let fuzzy = fuzzy_words.is_some();
        let f = self.fields;
        struct Page {
            id: String,
            score: Score,
            names: usize,
            doc: TantivyDocument,
        }
        let mut pages = Vec::with_capacity(top.len());
        // A document's pages share its patient.
        let mut matches: HashMap<String, usize> = HashMap::new();
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text_of = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
            let id = text_of(f.doc_id).to_string();
            let patient = text_of(f.patient);
            let names = match matches.get(patient) {
                _ if names.is_empty() => 0,
                Some(&n) => n,
                None => {
                    let n = self.patient_matches(patient, names);
                    matches.insert(patient.to_string(), n);
                    n
                }
            };
            pages.push(Page { id, score, names, doc });
        }
        // Stable: among pages matching as many names, `top`'s order.
        pages.sort_by_key(|p| std::cmp::Reverse(p.names));
        // The documents in order of their best page, with how many of their pages matched.
        let mut matched: HashMap<String, u32> = HashMap::new();
        let mut order: Vec<Page> = Vec::new();
        for page in pages {
            let n = matched.entry(page.id.clone()).or_insert(0);
            *n += 1;
            if *n == 1 && order.len() < limit {
                order.push(page);
            }
        }
        let mut snippets = SnippetGenerator::create(searcher, highlight, f.text)?;
        snippets.set_max_num_chars(240);
        let mut hits = Vec::with_capacity(order.len());
        for Page { id, score, doc, .. } in order {
            let text_of = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
            let near = fuzzy_words
                .map(|words| self.near_terms(&text_of(f.text).unwrap_or_default(), words))
                .filter(|terms| !terms.is_empty());
            let snippet = match near {
                // A fuzzy query's terms are not the page's: the page's own words it matched.
                Some(terms) => {
                    let terms: Vec<Box<dyn Query>> = terms
                        .iter()
                        .map(|t| -> Box<dyn Query> {
                            let term = Term::from_field_text(f.text, t);
                            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
                        })
                        .collect();
                    let mut near =
                        SnippetGenerator::create(searcher, &BooleanQuery::union(terms), f.text)?;
                    near.set_max_num_chars(240);
                    near.snippet_from_doc(&doc)
                }
                None => snippets.snippet_from_doc(&doc),
            };
            let fragment = snippet.fragment().to_string();
            let (fragment, highlights) = if fragment.is_empty() {
                // The match was in a field other than the text (or fuzzy): the page's opening.
                let start: String = text_of(f.text).unwrap_or_default().chars().take(160).collect();
                (start, Vec::new())
            } else {
                let ranges = snippet.highlighted().iter().map(|r| (r.start, r.end)).collect();
                (fragment, ranges)
            };
            hits.push(Hit {
                pages_matched: matched.get(&id).copied().unwrap_or(1),
                doc_id: id,
                page: doc.get_first(f.page).and_then(|v| v.as_u64()).unwrap_or(0) as u32,
                fuzzy,
                source: text_of(f.source).unwrap_or_default(),
                score,
                snippet: fragment,
                highlights,
                patient: text_of(f.patient),
                doc_type: text_of(f.doc_type),
                service_date: text_of(f.service_date),
            });
        }
        Ok(hits)
    }
}

/// The words of `field` in the index within `distance` edits of `word`, with their edits: the
/// closest [`MAX_EXPANSIONS`] (then in alphabetical order, so the choice depends on the words
/// alone).
fn near_words(
    searcher: &Searcher,
    field: Field,
    word: &str,
    distance: u8,
) -> Result<Vec<(String, u8)>> {
    let io = |e: std::io::Error| IndexError::Tantivy(tantivy::TantivyError::IoError(e.into()));
    let automaton =
        FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true).automaton()?;
    let mut found: BTreeMap<String, u8> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut terms = inverted.terms().search(&automaton).into_stream().map_err(io)?;
        while terms.advance() {
            if let Ok(term) = std::str::from_utf8(terms.key()) {
                if !found.contains_key(term) {
                    let edits = edits(word, term).min(usize::from(distance)) as u8;
                    found.insert(term.to_string(), edits);
                }
            }
        }
    }
    let mut near: Vec<(String, u8)> = found.into_iter().collect();
    near.sort_by_key(|(_, edits)| *edits);
    near.truncate(MAX_EXPANSIONS);
    Ok(near)
}

/// True if `a` and `b` are at most `max` edits apart (insertions, deletions, substitutions, and
/// swaps of two neighbouring letters, each one edit: what tantivy's fuzzy terms allow).
fn edits_within(a: &str, b: &str, max: usize) -> bool {
    match max {
        0 => a == b,
        _ => a.chars().count().abs_diff(b.chars().count()) <= max && edits(a, b) <= max,
    }
}

/// How many edits apart `a` and `b` are (insertions, deletions, substitutions, and swaps of two
/// neighbouring letters, each one edit).
fn edits(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Optimal string alignment distance, three rows at a time.
    let mut before = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(before[j - 2] + 1);
            }
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// `query` with every filter required.
fn with_filters(query: Box<dyn Query>, filters: &[Box<dyn Query>]) -> Box<dyn Query> {
    if filters.is_empty() {
        return query;
    }
    let mut clauses = vec![(Occur::Must, query)];
    clauses.extend(filters.iter().map(|f| (Occur::Must, f.box_clone())));
    Box::new(BooleanQuery::new(clauses))
}

/// A date bound as the index compares it (text): "2019" and "2019-03" are widened to a day with
/// `pad` ("-01" for a start, "-31" for an end).
fn date_bound(d: &str, pad: &str) -> String {
    match d.len() {
        4 => format!("{d}{pad}{pad}"),
        7 => format!("{d}{pad}"),
        _ => d.to_string(),
    }
}

/// A code as the index holds it: upper case, and an ICD-10 code's dot after its third character.
fn normalise_code(code: &str) -> String {
    let c = code.trim().to_uppercase();
    let icd = c.len() > 3
        && !c.contains('.')
        && c.starts_with(|ch: char| ch.is_ascii_alphabetic())
        && c[1..3].chars().all(|ch| ch.is_ascii_alphanumeric());
    if icd {
        format!("{}.{}", &c[..3], &c[3..])
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PageEntry;

    fn index() -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let mut w = index.writer().unwrap();
        let page = |doc_id, page, text, patient, mrn, date, kind| PageEntry {
            doc_id,
            page,
            source: "box/chart.pdf",
            text,
            patient: Some(patient),
            mrn: Some(mrn),
            dob: Some("1961-03-14"),
            service_date: date,
            doc_type: Some(kind),
            ..PageEntry::default()
        };
        let codes = vec!["I50.9".to_string()];
        let meds = vec!["Metformin".to_string()];
        let entries = [
            page(
                "a1",
                1,
                "Follow up for heart failure.",
                "Zoë Testpatient",
                "MR001",
                Some("2019-03-14"),
                "progress_note",
            ),
            page(
                "a1",
                2,
                "Plan: continue metformin, heart failure clinic.",
                "Zoë Testpatient",
                "MR001",
                Some("2019-03-14"),
                "progress_note",
            ),
            page(
                "a2",
                1,
                "Glucose 142 mg/dL.",
                "Zoë Testpatient",
                "MR001",
                Some("2021-06-01"),
                "lab_report",
            ),
            page(
                "a3",
                1,
                "Discharged home.",
                "Zoë Testpatient",
                "MR001",
                None,
                "discharge_summary",
            ),
            page(
                "b1",
                1,
                "Chest x-ray: pneumonia.",
                "Bob Fakename",
                "MR002",
                Some("2020-01-05"),
                "radiology_report",
            ),
        ];
        for (i, e) in entries.iter().enumerate() {
            let e = PageEntry {
                icd10: if i < 2 { &codes } else { &[] },
                meds: if i == 1 { &meds } else { &[] },
                ..e.clone()
            };
            w.add_page(&e).unwrap();
        }
        w.commit().unwrap();
        (dir, index)
    }

    fn ids(hits: &[Hit]) -> Vec<&str> {
        hits.iter().map(|h| h.doc_id.as_str()).collect()
    }

    #[test]
    fn one_hit_per_document_with_its_best_page() {
        let (_d, index) = index();
        let hits = index.search(&SearchQuery::text("heart failure", 10)).unwrap();
        assert_eq!(ids(&hits), ["a1"]);
        assert_eq!(hits[0].pages_matched, 2);
        assert!(!hits[0].fuzzy);
    }

    #[test]
    fn phrases_find_the_words_together_in_order_and_nothing_else() {
        let (_d, index) = index();
        let found = |q: &str| -> Vec<(String, u32)> {
            let hits = index.search(&SearchQuery::text(q, 10)).unwrap();
            hits.into_iter().filter(|h| !h.fuzzy).map(|h| (h.doc_id, h.pages_matched)).collect()
        };
        let a1 = |pages| vec![("a1".to_string(), pages)];
        assert_eq!(found("\"heart failure\""), a1(2));
        assert_eq!(found("\"heart failure clinic\""), a1(1));
        assert_eq!(found("\"continue metformin heart\""), a1(1), "across a comma");
        assert!(found("\"failure heart\"").is_empty(), "out of order");
        assert!(found("\"follow heart\"").is_empty(), "apart");
        assert!(found("\"heart failure home\"").is_empty());
        // With other words and operators, and in another field.
        assert_eq!(found("\"heart failure\" metformin"), a1(1));
        assert_eq!(found("\"heart failure\" OR pneumonia").len(), 2);
        assert_eq!(found("\"zoe testpatient\" glucose"), vec![("a2".to_string(), 1)]);
        // A phrase with slop is looked for as written.
        assert_eq!(found("\"follow failure\"~3"), a1(1));
        // The snippet marks the phrase's words in the text.
        let hit = &index.search(&SearchQuery::text("\"heart failure\"", 10)).unwrap()[0];
        let marked: Vec<&str> = hit.highlights.iter().map(|&(a, b)| &hit.snippet[a..b]).collect();
        assert_eq!(marked, ["heart", "failure"]);
    }

    #[test]
    fn every_filter_narrows() {
        let (_d, index) = index();
        let q = |f: &dyn Fn(&mut SearchQuery)| {
            let mut q = SearchQuery { limit: 10, ..SearchQuery::default() };
            f(&mut q);
            let mut got: Vec<String> =
                index.search(&q).unwrap().into_iter().map(|h| h.doc_id).collect();
            got.sort();
            got
        };
        assert_eq!(q(&|q| q.mrn = Some("mr001".into())), ["a1", "a2", "a3"]);
        assert_eq!(q(&|q| q.patient = Some("zoe TESTPATIENT".into())), ["a1", "a2", "a3"]);
        assert_eq!(q(&|q| q.patient = Some("Bob".into())), ["b1"]);
        assert_eq!(q(&|q| q.doc_type = Some("Lab Report".into())), ["a2"]);
        assert_eq!(q(&|q| q.from = Some("2020-01-05".into())), ["a2", "b1"]);
        assert_eq!(q(&|q| q.to = Some("2019".into())), ["a1"]);
        assert_eq!(
            q(&|q| {
                q.from = Some("2019-06".into());
                q.to = Some("2020-12".into())
            }),
            ["b1"]
        );
        assert_eq!(q(&|q| q.code = Some("i509".into())), ["a1"]);
        assert_eq!(q(&|q| q.dob = Some("1961-03-14".into())), ["a1", "a2", "a3", "b1"]);
        // Filters and words together.
        assert_eq!(
            q(&|q| {
                q.text = "glucose".into();
                q.mrn = Some("MR001".into())
            }),
            ["a2"]
        );
        assert!(q(&|q| {
            q.text = "glucose".into();
            q.mrn = Some("MR002".into())
        })
        .is_empty());
    }

    #[test]
    fn fuzzy_hits_come_after_exact_ones_and_only_for_plain_words() {
        let (_d, index) = index();
        // "Testpatiant": one letter off.
        let hits = index.search(&SearchQuery::text("testpatiant", 10)).unwrap();
        assert_eq!(hits.len(), 3);
        assert!(hits.iter().all(|h| h.fuzzy));
        // "metformin" exactly, "metfromin" (swapped letters) fuzzily.
        let hits = index.search(&SearchQuery::text("metfromin", 10)).unwrap();
        assert_eq!(ids(&hits), ["a1"]);
        assert!(hits[0].fuzzy);
        // An exact hit first, then the fuzzy ones.
        let hits = index.search(&SearchQuery::text("pneumonia", 10)).unwrap();
        assert_eq!(ids(&hits), ["b1"]);
        assert!(!hits[0].fuzzy);
        // The page's own word is highlighted, not the misspelt one.
        let hits = index.search(&SearchQuery::text("metfromin", 10)).unwrap();
        let (start, end) = hits[0].highlights[0];
        assert_eq!(hits[0].snippet[start..end].to_lowercase(), "metformin");
        // Short words, codes and structured queries are never fuzzy.
        assert!(index.search(&SearchQuery::text("\"testpatiant\"", 10)).unwrap().is_empty());
        assert!(index.search(&SearchQuery::text("MR003", 10)).unwrap().is_empty());
        assert!(index.search(&SearchQuery::text("bib", 10)).unwrap().is_empty());
    }

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        assert!(edits_within("metformin", "metfromin", 1));
        assert!(edits_within("testpatient", "testpatiant", 1));
        assert!(edits_within("placeholder", "placeholdr", 1));
        assert!(!edits_within("metformin", "metoprolol", 2));
        assert!(edits_within("abcd", "abcd", 0));
        assert!(!edits_within("abcd", "abce", 0));
    }

    #[test]
    fn a_patients_documents_in_date_order() {
        let (_d, index) = index();
        let q = SearchQuery { mrn: Some("MR001".into()), ..SearchQuery::default() };
        let docs = index.documents(&q).unwrap();
        let got: Vec<(&str, Option<&str>, u32)> =
            docs.iter().map(|d| (d.doc_id.as_str(), d.service_date.as_deref(), d.pages)).collect();
        assert_eq!(
            got,
            [("a1", Some("2019-03-14"), 2), ("a2", Some("2021-06-01"), 1), ("a3", None, 1)]
        );
        let q = SearchQuery {
            patient: Some("Bob Fakename".into()),
            dob: Some("1961-03-14".into()),
            ..SearchQuery::default()
        };
        assert_eq!(index.documents(&q).unwrap().len(), 1);
    }

    #[test]
    fn codes_and_dates_are_normalised() {
        assert_eq!(normalise_code("i509"), "I50.9");
        assert_eq!(normalise_code(" E11.65 "), "E11.65");
        assert_eq!(normalise_code("99213"), "99213");
        assert_eq!(date_bound("2019", "-01"), "2019-01-01");
        assert_eq!(date_bound("2019-02", "-31"), "2019-02-31");
        assert_eq!(date_bound("2019-02-03", "-31"), "2019-02-03");
    }

    /// An index of `pages`, added in the order given, committed every `per_commit` pages (so the
    /// pages land in other segments, in another order).
    fn index_of(pages: &[PageEntry<'_>], per_commit: usize) -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let mut w = index.writer().unwrap();
        for (i, p) in pages.iter().enumerate() {
            w.add_page(p).unwrap();
            if (i + 1) % per_commit == 0 {
                w.commit().unwrap();
            }
        }
        w.commit().unwrap();
        (dir, index)
    }

    fn chart<'a>(doc_id: &'a str, text: &'a str, patient: &'a str) -> PageEntry<'a> {
        PageEntry {
            doc_id,
            page: 1,
            source: "box/chart.pdf",
            text,
            patient: Some(patient),
            service_date: Some("2024-01-01"),
            ..PageEntry::default()
        }
    }

    /// Ann Fakename's thirty charts (so her name is common in the patient field), a chart whose
    /// provider is Bob Fakename and whose text says the name three times, a chart that mentions
    /// the name once, and charts of other patients.
    fn fakenames() -> Vec<PageEntry<'static>> {
        const HERS: [&str; 30] = [
            "f00", "f01", "f02", "f03", "f04", "f05", "f06", "f07", "f08", "f09", "f10", "f11",
            "f12", "f13", "f14", "f15", "f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23",
            "f24", "f25", "f26", "f27", "f28", "f29",
        ];
        let mut pages: Vec<PageEntry<'static>> = HERS
            .iter()
            .map(|id| {
                chart(id, "Follow up visit, blood pressure stable, continue plan.", "Ann Fakename")
            })
            .collect();
        pages.push(PageEntry {
            provider: Some("Bob Fakename"),
            ..chart(
                "provider",
                "Fakename clinic. Seen by Dr Fakename. Fakename.",
                "Cy Otherpatient",
            )
        });
        pages.push(chart("mention", "Referred on by Fakename for imaging.", "Di Otherpatient"));
        pages.push(chart("ann", "Annual visit, Ann is well.", "Ann Otherpatient"));
        pages
    }

    #[test]
    fn a_patient_field_match_ranks_above_a_provider_or_a_word_in_the_text() {
        let (_d, index) = index_of(&fakenames(), 100);
        for query in ["fakename", "FAKENAME", "Fakénamé"] {
            let hits = index.search(&SearchQuery::text(query, 40)).unwrap();
            assert_eq!(hits.len(), 32, "{query}");
            assert!(
                hits[..30].iter().all(|h| h.doc_id.starts_with('f')),
                "{query}: {:?}",
                ids(&hits)
            );
            // Then by score: three mentions and the provider before one mention.
            assert_eq!(ids(&hits[30..]), ["provider", "mention"], "{query}");
            assert!(hits.iter().all(|h| !h.fuzzy));
        }
        // Given and family name, in either order, "LAST, FIRST" too: only hers (every word is
        // required, and no other chart holds both).
        for query in ["Ann Fakename", "fakename ann", "Fakename, Ann", "FAKENAME,ANN"] {
            let hits = index.search(&SearchQuery::text(query, 40)).unwrap();
            assert_eq!(hits.len(), 30, "{query}: {:?}", ids(&hits));
            assert!(hits.iter().all(|h| h.patient.as_deref() == Some("Ann Fakename")), "{query}");
        }
        // With a word of the text as well.
        let hits = index.search(&SearchQuery::text("fakename imaging", 10)).unwrap();
        assert_eq!(ids(&hits)[0], "mention");
    }

    #[test]
    fn a_name_of_two_words_ranks_that_patient_first() {
        let mut pages = vec![
            chart("p1", "Seen with Dr Fakedoc. Plan discussed.", "Carl Testpatient"),
            chart("p2", "Testpatient Carl Testpatient Carl, Testpatient.", "Carl Otherpatient"),
            chart("p3", "Testpatient", "Dora Testpatient"),
        ];
        pages.push(PageEntry {
            provider: Some("Carl Testpatient"),
            ..chart("p4", "Note.", "Eve Else")
        });
        let (_d, index) = index_of(&pages, 100);
        for query in ["Carl Testpatient", "testpatient carl", "Testpatient, Carl"] {
            let hits = index.search(&SearchQuery::text(query, 10)).unwrap();
            assert_eq!(ids(&hits)[0], "p1", "{query}: {:?}", ids(&hits));
            // Two name words in the patient field, then one, then none.
            assert_eq!(ids(&hits[..2]), ["p1", "p2"], "{query}");
        }
    }

    #[test]
    fn fuzzy_hits_rank_a_patient_field_match_first_and_closer_words_higher() {
        let (_d, index) = index_of(&fakenames(), 100);
        // One letter dropped: every hit is fuzzy; her charts first, then the provider's (three
        // mentions) and the one mention's, at different scores.
        let hits = index.search(&SearchQuery::text("fakenme", 50)).unwrap();
        assert!(hits.iter().all(|h| h.fuzzy));
        assert_eq!(hits.len(), 32, "{:?}", ids(&hits));
        assert!(hits[..30].iter().all(|h| h.doc_id.starts_with('f')), "{:?}", ids(&hits));
        assert_eq!(ids(&hits[30..]), ["provider", "mention"]);
        assert!(hits[30].score > hits[31].score);
        // "placeholdr" is one edit from "placeholder" and two from "placeholders": the closer
        // patient first, both before the provider of that name.
        let pages = [
            chart("one", "Follow up.", "Cy Placeholder"),
            chart("two", "Follow up.", "Cy Placeholders"),
            PageEntry { provider: Some("Cy Placeholder"), ..chart("doc", "Follow up.", "Di Else") },
        ];
        let (_d, index) = index_of(&pages, 100);
        let hits = index.search(&SearchQuery::text("placeholdr", 10)).unwrap();
        assert_eq!(ids(&hits), ["one", "two", "doc"]);
        assert!(hits[0].score > hits[1].score, "{} {}", hits[0].score, hits[1].score);
        assert!(hits[1].score > hits[2].score, "{} {}", hits[1].score, hits[2].score);
    }

    #[test]
    fn equal_scores_list_the_most_recent_first_then_by_id() {
        let dated = |doc_id, date| PageEntry {
            service_date: date,
            ..chart(doc_id, "Identical follow up note.", "Ann Testpatient")
        };
        let pages = [
            dated("t-b", Some("2024-05-01")),
            dated("t-d", None),
            dated("t-a", Some("2024-05-01")),
            dated("t-c", Some("2023-01-01")),
            dated("t-e", Some("2025-02-02")),
        ];
        let (_d, index) = index_of(&pages, 100);
        let hits = index.search(&SearchQuery::text("identical", 10)).unwrap();
        assert_eq!(ids(&hits), ["t-e", "t-a", "t-b", "t-c", "t-d"]);
        assert!(hits.iter().all(|h| h.score == hits[0].score));
        // The same pages are chosen when fewer are asked for.
        let hits = index.search(&SearchQuery::text("identical", 2)).unwrap();
        assert_eq!(ids(&hits), ["t-e", "t-a"]);
        // Filters alone: every page scores the same.
        let q =
            SearchQuery { patient: Some("testpatient".into()), limit: 3, ..SearchQuery::default() };
        assert_eq!(ids(&index.search(&q).unwrap()), ["t-e", "t-a", "t-b"]);
    }

    struct RandomPage {
        id: String,
        page: u32,
        text: String,
        patient: &'static str,
        provider: &'static str,
        date: Option<&'static str>,
    }

    /// Pages of a small random archive: words from a short vocabulary, a few patients and
    /// providers sharing names, dates of service (some missing), documents of one to three pages.
    fn random_archive() -> Vec<RandomPage> {
        let words = ["heart", "failure", "chest", "pain", "follow", "up", "plan", "note", "x"];
        let names = ["Ann Testpatient", "Bob Fakename", "Ann Fakename", "Cy Testpatient"];
        let dates = [None, Some("2020-01-02"), Some("2021-05-06"), Some("2021-05-07")];
        let mut seed = 7u64;
        let mut next = move |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let mut out = Vec::new();
        for d in 0..300 {
            let (patient, provider, date) = (names[next(4)], names[next(4)], dates[next(4)]);
            for page in 1..=1 + next(3) as u32 {
                let text: Vec<&str> = (0..3 + next(8)).map(|_| words[next(words.len())]).collect();
                let (id, text) = (format!("doc{d:03}"), text.join(" "));
                out.push(RandomPage { id, page, text, patient, provider, date });
            }
        }
        out
    }

    #[test]
    fn two_indexes_of_the_same_pages_in_another_order_list_the_same_hits() {
        let archive = random_archive();
        let entries: Vec<PageEntry<'_>> = archive
            .iter()
            .map(|p| PageEntry {
                doc_id: &p.id,
                page: p.page,
                source: "box/chart.pdf",
                text: &p.text,
                patient: Some(p.patient),
                provider: Some(p.provider),
                service_date: p.date,
                ..PageEntry::default()
            })
            .collect();
        let (_a, first) = index_of(&entries, 1000);
        let mut reversed = entries.clone();
        reversed.reverse();
        // Every third page first, then the rest: another order again, in many segments.
        let mut shuffled: Vec<PageEntry<'_>> = reversed.iter().step_by(3).cloned().collect();
        shuffled.extend(
            reversed.iter().enumerate().filter(|(i, _)| i % 3 != 0).map(|(_, p)| p.clone()),
        );
        let (_b, second) = index_of(&shuffled, 37);
        let listed = |index: &SearchIndex, q: &SearchQuery| -> Vec<(String, u32, bool, f32)> {
            let hits = index.search(q).unwrap();
            hits.into_iter().map(|h| (h.doc_id, h.page, h.fuzzy, h.score)).collect()
        };
        for text in [
            "heart",
            "note",
            "x",
            "Testpatient",
            "ann fakename",
            "Fakename, Ann",
            "chest pain",
            "\"chest pain\"",
            "\"follow up\"",
            "heart OR plan",
            "testpatiant",
            "fakenam",
            "",
        ] {
            for limit in [1, 3, 10, 100] {
                let q = SearchQuery { text: text.into(), limit, ..SearchQuery::default() };
                let q = if text.is_empty() {
                    SearchQuery { from: Some("2000".into()), ..q }
                } else {
                    q
                };
                let got = listed(&first, &q);
                assert!(!got.is_empty(), "{text:?}");
                assert_eq!(got, listed(&second, &q), "{text:?} limit {limit}");
            }
        }
    }
}
