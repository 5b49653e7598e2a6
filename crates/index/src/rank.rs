//! The best pages for a query, in an order that depends on the pages alone.
//!
//! Pages are ranked by score, compared to three decimals (so that two sums of the same numbers
//! added in another order are equal), then by date of service, most recent first (undated pages
//! after dated ones), then document id, then page number. tantivy's own top-docs breaks ties by
//! the page's place in the index, which changes with the order files were ingested and with how
//! segments were merged; here the tie-breaking keys are read from the pages' fast fields, so two
//! indexes of the same pages choose the same pages and list them in the same order.
//!
//! Each segment keeps its best pages in a bounded heap ([`SegmentTop`]), comparing the keys as
//! the segment's dictionary ordinals (which sort as the values do); the segments' lists are then
//! merged, looking up the values themselves only for pages of equal score from different
//! segments.

use crate::IndexError;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

type Result<T> = std::result::Result<T, IndexError>;

/// A score as pages are compared: in thousandths.
pub(crate) fn milli(score: Score) -> i64 {
    (f64::from(score) * 1000.0).round() as i64
}

/// A score in thousandths as a score.
fn score_of(milli: i64) -> Score {
    (milli as f64 / 1000.0) as Score
}

/// The fast fields a segment's pages are told apart by.
#[derive(Clone)]
pub(crate) struct SegmentKeys {
    service_date: Option<StrColumn>,
    doc_id: Option<StrColumn>,
    page: Option<Column<u64>>,
}

/// A page's tie-breaking key within its segment: smaller is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SegmentKey {
    undated: bool,
    /// The date's ordinal in the segment's dictionary, which sorts as the dates do.
    date: Reverse<u64>,
    doc_id: u64,
    page: u64,
}

/// A page's tie-breaking key across segments: smaller is better.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    undated: bool,
    date: Reverse<String>,
    doc_id: String,
    page: u64,
}

impl SegmentKeys {
    pub(crate) fn open(segment: &SegmentReader) -> tantivy::Result<SegmentKeys> {
        let fast = segment.fast_fields();
        Ok(SegmentKeys {
            service_date: fast.str("service_date")?,
            doc_id: fast.str("doc_id")?,
            page: fast.u64("page").ok(),
        })
    }

    pub(crate) fn key(&self, doc: DocId) -> SegmentKey {
        let ord = |column: &Option<StrColumn>| column.as_ref().and_then(|c| c.ords().first(doc));
        let date = ord(&self.service_date);
        SegmentKey {
            undated: date.is_none(),
            date: Reverse(date.unwrap_or(0)),
            doc_id: ord(&self.doc_id).unwrap_or(0),
            page: self.page.as_ref().and_then(|c| c.first(doc)).unwrap_or(0),
        }
    }

    /// The values behind a key, to compare it with another segment's.
    fn values(&self, key: SegmentKey) -> std::io::Result<Key> {
        let text = |column: &Option<StrColumn>, ord: u64| -> std::io::Result<String> {
            let mut out = String::new();
            if let Some(c) = column {
                c.ord_to_str(ord, &mut out)?;
            }
            Ok(out)
        };
        let date = if key.undated { String::new() } else { text(&self.service_date, key.date.0)? };
        Ok(Key {
            undated: key.undated,
            date: Reverse(date),
            doc_id: text(&self.doc_id, key.doc_id)?,
            page: key.page,
        })
    }
}

/// One page kept by a [`SegmentTop`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    milli: i64,
    key: SegmentKey,
    doc: DocId,
}

impl Ord for Entry {
    /// Worse is greater, so that a heap's top is its worst page.
    fn cmp(&self, other: &Self) -> Ordering {
        other.milli.cmp(&self.milli).then(self.key.cmp(&other.key))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The `n` best pages of one segment seen so far.
pub(crate) struct SegmentTop {
    n: usize,
    keys: SegmentKeys,
    heap: BinaryHeap<Entry>,
}

impl SegmentTop {
    pub(crate) fn new(n: usize, segment: &SegmentReader) -> tantivy::Result<SegmentTop> {
        Ok(SegmentTop {
            n,
            keys: SegmentKeys::open(segment)?,
            heap: BinaryHeap::with_capacity(n + 1),
        })
    }

    /// True if a page scoring at most `bound` could enter.
    pub(crate) fn would_take(&self, bound: Score, doc: DocId) -> bool {
        match self.heap.peek() {
            _ if self.heap.len() < self.n => true,
            Some(worst) => {
                let m = milli(bound);
                m > worst.milli || (m == worst.milli && self.keys.key(doc) < worst.key)
            }
            None => false,
        }
    }

    pub(crate) fn offer(&mut self, score: Score, doc: DocId) {
        if self.n == 0 {
            return;
        }
        let entry = Entry { milli: milli(score), key: self.keys.key(doc), doc };
        if self.heap.len() < self.n {
            self.heap.push(entry);
        } else if self.heap.peek().is_some_and(|worst| entry < *worst) {
            self.heap.pop();
            self.heap.push(entry);
        }
    }

    /// A score every page that could still enter beats: below the worst page's, to three
    /// decimals (pages of equal score may enter by their key).
    pub(crate) fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(worst) if self.heap.len() >= self.n => {
                let t = ((worst.milli as f64 - 0.5) / 1000.0) as Score;
                t - t.abs() * 1e-5 - 1e-6
            }
            _ => Score::MIN,
        }
    }

    /// The pages kept, best first.
    pub(crate) fn finish(self, segment_ord: u32) -> SegmentBest {
        SegmentBest { segment_ord, keys: self.keys, entries: self.heap.into_sorted_vec() }
    }
}

/// One segment's best pages, best first.
pub(crate) struct SegmentBest {
    segment_ord: u32,
    keys: SegmentKeys,
    entries: Vec<Entry>,
}

/// The `n` best pages for `query`, best first, with their scores (to three decimals). Pages are
/// scored with tantivy's own pruning (block-max WAND for a union of words), passing over pages
/// whose score cannot reach the worst page kept.
pub(crate) fn top_pages(
    searcher: &Searcher,
    query: &dyn Query,
    n: usize,
) -> Result<Vec<(Score, DocAddress)>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let segments = searcher.segment_readers().iter().enumerate();
    let best = searcher.index().search_executor().map(
        |(ord, segment)| {
            let mut top = SegmentTop::new(n, segment)?;
            let alive = segment.alive_bitset();
            weight.for_each_pruning(Score::MIN, segment, &mut |doc, score| {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    top.offer(score, doc);
                }
                top.threshold()
            })?;
            Ok(top.finish(ord as u32))
        },
        segments,
    )?;
    merge(best, n)
}

/// The `n` best of the segments' best pages, best first.
pub(crate) fn merge(segments: Vec<SegmentBest>, n: usize) -> Result<Vec<(Score, DocAddress)>> {
    let io = |e: std::io::Error| IndexError::Tantivy(tantivy::TantivyError::IoError(e.into()));
    let mut next = vec![0usize; segments.len()];
    // The values of each segment's next page, looked up when it ties with another segment's.
    let mut values: Vec<Option<Key>> = vec![None; segments.len()];
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let heads = || {
            segments.iter().enumerate().filter_map(|(i, s)| s.entries.get(next[i]).map(|e| (i, e)))
        };
        let Some(best) = heads().map(|(_, e)| e.milli).max() else {
            break;
        };
        let tied: Vec<usize> = heads().filter(|(_, e)| e.milli == best).map(|(i, _)| i).collect();
        let winner = if tied.len() == 1 {
            tied[0]
        } else {
            for &i in &tied {
                if values[i].is_none() {
                    let key = segments[i].entries[next[i]].key;
                    values[i] = Some(segments[i].keys.values(key).map_err(io)?);
                }
            }
            *tied.iter().min_by(|&&a, &&b| values[a].cmp(&values[b])).unwrap_or(&tied[0])
        };
        let s = &segments[winner];
        let entry = s.entries[next[winner]];
        out.push((score_of(entry.milli), DocAddress::new(s.segment_ord, entry.doc)));
        next[winner] += 1;
        values[winner] = None;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PageEntry, SearchIndex};
    use tantivy::collector::TopDocs;
    use tantivy::query::AllQuery;
    use tantivy::schema::Value;
    use tantivy::TantivyDocument;

    /// A random archive of many equal scores: short texts from four words, three dates of
    /// service and none, ids out of insertion order, several segments, deleted pages.
    fn archive() -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let words = ["pain", "chest", "note", "plan"];
        let dates = [None, Some("2020-01-02"), Some("2021-05-06"), Some("2021-05-07")];
        let mut seed = 3u64;
        let mut next = move |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let mut w = index.writer().unwrap();
        for d in 0..600 {
            let id = format!("{:03}", (d * 7919) % 1000);
            let date = dates[next(4)];
            for page in 1..=1 + next(2) as u32 {
                let text: Vec<&str> = (0..1 + next(3)).map(|_| words[next(4)]).collect();
                let text = text.join(" ");
                let patient = ["Ann Testpatient", "Bob Pain"][next(2)];
                let entry = PageEntry {
                    doc_id: &id,
                    page,
                    source: "s",
                    text: &text,
                    patient: Some(patient),
                    service_date: date,
                    ..PageEntry::default()
                };
                w.add_page(&entry).unwrap();
            }
            if d % 150 == 149 {
                w.commit().unwrap();
            }
            if d % 50 == 0 && d > 0 {
                w.delete_document(&format!("{:03}", ((d - 1) * 7919) % 1000));
            }
        }
        w.commit().unwrap();
        (dir, index)
    }

    #[test]
    fn the_best_pages_are_the_first_of_every_matching_page_sorted_by_score_date_and_id() {
        let (_d, index) = archive();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() >= 3);
        let f = index.fields;
        let parser = index.parser();
        let queries: Vec<Box<dyn Query>> = vec![
            parser.parse_query("pain").unwrap(),
            parser.parse_query("chest pain").unwrap(),
            parser.parse_query("note OR plan").unwrap(),
            parser.parse_query("\"chest pain\"").unwrap(),
            Box::new(AllQuery),
        ];
        for query in &queries {
            // Every matching page, sorted here from its stored fields.
            let all =
                searcher.search(&**query, &TopDocs::with_limit(100_000).order_by_score()).unwrap();
            let mut expected: Vec<(i64, bool, Reverse<String>, String, u64, DocAddress)> = all
                .iter()
                .map(|&(score, address)| {
                    let doc: TantivyDocument = searcher.doc(address).unwrap();
                    let text =
                        |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
                    let date = text(f.service_date);
                    let page = doc.get_first(f.page).and_then(|v| v.as_u64()).unwrap();
                    let id = text(f.doc_id).unwrap();
                    (
                        -milli(score),
                        date.is_none(),
                        Reverse(date.unwrap_or_default()),
                        id,
                        page,
                        address,
                    )
                })
                .collect();
            expected.sort();
            assert!(expected.len() > 20, "{query:?}");
            for n in [1, 7, 50, 100, expected.len() + 5] {
                let got = top_pages(&searcher, &**query, n).unwrap();
                let want: Vec<(Score, DocAddress)> =
                    expected.iter().take(n).map(|e| (score_of(-e.0), e.5)).collect();
                assert_eq!(got, want, "{query:?} top {n}");
            }
        }
    }
}
