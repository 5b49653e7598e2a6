//! The best pages for a query that is one exact phrase, without reading the word positions of
//! every page that holds its words.
//!
//! A phrase of common words ("shortness of breath") is in a large part of an archive's pages,
//! and tantivy scores a phrase by counting its occurrences on every one of them, each count a
//! merge of the words' positions. But a page cannot hold the phrase more often than it holds its
//! rarest word, and BM25 grows with the count: so the best score a page could reach is known from
//! its word counts alone, which cost nothing to read. Pages that could not beat the page now
//! last among the best are passed over without reading their positions (Lucene prunes its phrase
//! queries the same way). The result is the same pages with the same scores, in the same order
//! (ties broken as [`crate::rank`] breaks them), as the plain query.

use crate::rank::{self, KeyCache, SegmentKeys, SegmentTop};
use crate::IndexError;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, BooleanQuery, EnableScoring, Occur, PhraseQuery, Query, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, Term, TERMINATED};

type Result<T> = std::result::Result<T, IndexError>;

/// A query made of one exact phrase: its terms in the page text, and the query's other clauses
/// (the same phrase in the other fields searched by default), whose scores add to a page's.
pub(crate) struct PhrasePlan {
    terms: Vec<Term>,
    rest: Vec<Box<dyn Query>>,
}

impl PhrasePlan {
    /// The plan for `query` as the query parser made it from `text`, when `text` is a single
    /// exact phrase (quoted, no slop) of two words or more: a union of clauses, one of them the
    /// phrase in the `page_text` field with its words one after the other. `words` are the
    /// phrase's words as the index reads them.
    pub(crate) fn of(
        query: &dyn Query,
        text: &str,
        page_text: Field,
        words: &[String],
    ) -> Option<PhrasePlan> {
        let inner = text.trim().strip_prefix('"')?.strip_suffix('"')?;
        if inner.contains('"') || words.len() < 2 {
            return None;
        }
        let union = query.downcast_ref::<BooleanQuery>()?;
        if union.clauses().iter().any(|(occur, _)| *occur != Occur::Should)
            || union.get_minimum_number_should_match() > 1
        {
            return None;
        }
        let mut terms = None;
        let mut rest = Vec::new();
        for (_, clause) in union.clauses() {
            match clause.downcast_ref::<PhraseQuery>().filter(|p| p.field() == page_text) {
                Some(p) if terms.is_none() => terms = Some(p.phrase_terms()),
                Some(_) => return None,
                None => rest.push(clause.box_clone()),
            }
        }
        let terms = terms?;
        // The parser's terms are the words, in order, none dropped (so one after the other).
        let same = terms.len() == words.len()
            && terms.iter().zip(words).all(|(t, w)| t.value().as_str() == Some(w.as_str()));
        same.then_some(PhrasePlan { terms, rest })
    }

    /// The `n` best pages, best first, with their scores, ranked as [`crate::rank`] ranks them.
    pub(crate) fn top(
        &self,
        searcher: &Searcher,
        keys: &KeyCache,
        n: usize,
    ) -> Result<Vec<(Score, DocAddress)>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let bm25 = Bm25Weight::for_terms(searcher, &self.terms)?;
        let rest: Option<Box<dyn Weight>> = if self.rest.is_empty() {
            None
        } else {
            let clauses = self.rest.iter().map(|q| (Occur::Should, q.box_clone())).collect();
            let query = BooleanQuery::new(clauses);
            Some(query.weight(EnableScoring::enabled_from_searcher(searcher))?)
        };
        let segments = searcher.segment_readers().iter().zip(keys.segments(searcher)?).enumerate();
        let per_segment = searcher.index().search_executor().map(
            |(ord, (segment, keys))| {
                let top = self.segment_top(segment, keys, &bm25, rest.as_deref(), n)?;
                Ok(top.finish(ord as u32))
            },
            segments,
        )?;
        rank::merge(per_segment, n)
    }

    /// The `n` best pages of one segment.
    fn segment_top(
        &self,
        segment: &SegmentReader,
        keys: SegmentKeys,
        bm25: &Bm25Weight,
        rest: Option<&dyn Weight>,
        n: usize,
    ) -> tantivy::Result<SegmentTop> {
        let alive = |doc: DocId| segment.alive_bitset().is_none_or(|a| a.is_alive(doc));
        // The other clauses' scores, page by page (their words are in few pages).
        let mut extra: HashMap<DocId, Score> = HashMap::new();
        if let Some(rest) = rest {
            let mut scorer = rest.scorer(segment, 1.0)?;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if alive(doc) {
                    extra.insert(doc, scorer.score());
                }
                doc = scorer.advance();
            }
        }
        let mut best = SegmentTop::new(n, keys);
        let mut phrase_seen: HashSet<DocId> = HashSet::new();
        let field = self.terms[0].field();
        let inverted = segment.inverted_index(field)?;
        let mut postings: Vec<SegmentPostings> = Vec::with_capacity(self.terms.len());
        for term in &self.terms {
            match inverted.read_postings(term, IndexRecordOption::WithFreqsAndPositions)? {
                Some(p) => postings.push(p),
                None => postings.clear(),
            }
            if postings.is_empty() {
                break;
            }
        }
        if postings.len() == self.terms.len() {
            let norms = segment.get_fieldnorms_reader(field)?;
            let mut positions = Positions::default();
            let mut doc = postings[0].doc();
            'pages: while doc != TERMINATED {
                // The next page holding every word.
                for p in postings.iter_mut().skip(1) {
                    // (A word's postings may already stand past this page.)
                    let at = if p.doc() < doc { p.seek(doc) } else { p.doc() };
                    if at > doc {
                        doc = postings[0].seek(at);
                        continue 'pages;
                    }
                }
                if alive(doc) {
                    let norm = norms.fieldnorm_id(doc);
                    let other = extra.get(&doc).copied().unwrap_or(0.0);
                    let at_most = postings.iter().map(|p| p.term_freq()).min().unwrap_or(0);
                    if best.would_take(bm25.score(norm, at_most) + other, doc) {
                        phrase_seen.insert(doc);
                        let count = positions.phrase_count(&mut postings);
                        if count > 0 {
                            best.offer(bm25.score(norm, count) + other, doc);
                        } else if other > 0.0 {
                            best.offer(other, doc);
                        }
                    }
                }
                doc = postings[0].advance();
            }
        }
        // Pages matching only the other clauses. (A page passed over above scores at most what
        // its words allow, which the pages kept already beat; offered at less, it stays out.)
        for (doc, score) in extra {
            if !phrase_seen.contains(&doc) {
                best.offer(score, doc);
            }
        }
        Ok(best)
    }
}

/// Position buffers reused from page to page.
#[derive(Default)]
struct Positions {
    left: Vec<u32>,
    right: Vec<u32>,
}

impl Positions {
    /// How often the words stand one after the other on the current page.
    fn phrase_count(&mut self, postings: &mut [SegmentPostings]) -> u32 {
        postings[0].positions(&mut self.left);
        for (i, p) in postings.iter_mut().enumerate().skip(1) {
            p.positions(&mut self.right);
            // Where the phrase would start, by this word.
            let offset = i as u32;
            let mut kept = 0;
            let (mut a, mut b) = (0, 0);
            while a < self.left.len() && b < self.right.len() {
                let start = self.right[b].checked_sub(offset);
                match start.map(|s| self.left[a].cmp(&s)) {
                    None => b += 1,
                    Some(Ordering::Less) => a += 1,
                    Some(Ordering::Greater) => b += 1,
                    Some(Ordering::Equal) => {
                        self.left[kept] = self.left[a];
                        kept += 1;
                        a += 1;
                        b += 1;
                    }
                }
            }
            self.left.truncate(kept);
            if kept == 0 {
                return 0;
            }
        }
        self.left.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use crate::{rank, PageEntry, SearchIndex};

    /// A small random archive: words from a short vocabulary, the phrases planted often, some
    /// patients named with the phrases' words, some dates of service, three commits (segments),
    /// deleted pages.
    fn archive() -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let words = ["heart", "failure", "chest", "pain", "of", "breath", "shortness", "the", "x"];
        let mut seed = 42u64;
        let mut next = move |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let mut w = index.writer().unwrap();
        for batch in 0..3 {
            for d in 0..700 {
                let mut text = String::new();
                for _ in 0..5 + next(60) {
                    match next(10) {
                        0 => text.push_str("shortness of breath"),
                        1 => text.push_str("chest pain"),
                        _ => text.push_str(words[next(words.len())]),
                    }
                    text.push(' ');
                }
                let patient = if next(20) == 0 { "Chest Pain" } else { "Ann Testpatient" };
                let service_date = [None, Some("2020-01-02"), Some("2021-05-06")][next(3)];
                let id = format!("d{batch}-{d}");
                w.add_page(&PageEntry {
                    doc_id: &id,
                    page: 1,
                    source: "s",
                    text: &text,
                    patient: Some(patient),
                    service_date,
                    ..PageEntry::default()
                })
                .unwrap();
                if d % 97 == 0 && batch > 0 {
                    w.delete_document(&format!("d{}-{d}", batch - 1));
                }
            }
            w.commit().unwrap();
        }
        (dir, index)
    }

    #[test]
    fn the_best_pages_of_a_phrase_are_those_of_the_plain_query() {
        let (_d, index) = archive();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() >= 2);
        let parser = index.parser();
        for text in
            ["\"shortness of breath\"", "\"chest pain\"", "\"heart failure x\"", "\"of the\""]
        {
            let query = parser.parse_query(text).unwrap();
            let words = index.words(index.fields.text, text);
            let plan = super::PhrasePlan::of(&*query, text, index.fields.text, &words)
                .unwrap_or_else(|| panic!("no plan for {text}"));
            for n in [1, 10, 80, 5000] {
                let expected = rank::top_pages(&searcher, &index.keys, &*query, n).unwrap();
                let got = plan.top(&searcher, &index.keys, n).unwrap();
                assert_eq!(got.len(), expected.len(), "{text} top {n}");
                for ((gs, gd), (es, ed)) in got.iter().zip(&expected) {
                    assert!((gs - es).abs() <= 1e-4 * es.abs().max(1.0), "{text}: {gs} vs {es}");
                    assert_eq!(gd, ed, "{text} top {n}");
                }
            }
        }
    }

    #[test]
    fn only_a_single_exact_phrase_has_a_plan() {
        let (_d, index) = archive();
        let parser = index.parser();
        for text in [
            "chest pain",
            "\"chest pain\"~2",
            "\"chest pain\" heart",
            "\"chest\"",
            "patient:\"chest pain\"",
        ] {
            let query = parser.parse_query(text).unwrap();
            let words = index.words(index.fields.text, text);
            assert!(
                super::PhrasePlan::of(&*query, text, index.fields.text, &words).is_none(),
                "{text}"
            );
        }
    }
}
