//! The best pages for a query, in an order that depends on the pages alone.
//!
//! Pages are ranked by score, compared to three decimals (so that two sums of the same numbers
//! added in another order are equal), then by date of service, most recent first (undated pages
//! after dated ones), then document id, then page number. tantivy's own top-docs breaks ties by
//! the page's place in the index, which changes with the order files were ingested and with how
//! segments were merged; here the tie-breaking keys are read from the pages' fast fields, so two
//! indexes of the same pages choose the same pages and list them in the same order.
//!
//! The date and the id's first bytes are packed into one number per page ([`page_key`]) that
//! compares the same in every segment, so that a page's key is one read and merging the
//! segments' best pages reads no dictionary; only two ids sharing those first bytes are told
//! apart by their dictionary ordinal within a segment (read only then) and by their text across
//! segments. Each segment keeps its best pages in a bounded heap ([`SegmentTop`]), fed by
//! tantivy's pruning (block-max WAND for a union of words), which passes over pages that cannot
//! reach the worst page kept.

use crate::IndexError;
use std::cell::Cell;
use std::cmp::{Ordering, Reverse};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

type Result<T> = std::result::Result<T, IndexError>;

/// The fast field of [`page_key`].
pub(crate) const KEY: &str = "rank";

/// Bits of the id in [`page_key`].
const ID_BITS: u32 = 36;
/// Bits of the date in [`page_key`] (yyyymmdd up to 9999-12-31).
const DAY_BITS: u32 = 27;

/// A number that sorts pages as they are ranked among equal scores, in any segment: dated
/// before undated, the most recent date of service first, then by the id's first 36 bits (pages
/// of the same number are told apart by [`SegmentKeys`]).
pub(crate) fn page_key(service_date: Option<&str>, id: &str) -> u64 {
    let day = match service_date {
        Some(date) => ((1 << DAY_BITS) - 1 - day_key(date)) << ID_BITS,
        None => 1 << (DAY_BITS + ID_BITS),
    };
    day | (id_key(id) >> (64 - ID_BITS))
}

/// A date of service as a number that sorts as the date does: its first eight digits
/// (`2024-03-02` → 20240302), padded with zeros.
fn day_key(date: &str) -> u64 {
    let digits = date.bytes().filter(u8::is_ascii_digit).take(8);
    let (n, count) = digits.fold((0u64, 0), |(n, c), d| (n * 10 + u64::from(d - b'0'), c + 1));
    n * 10u64.pow(8 - count)
}

/// A document id's first eight bytes as a number that sorts as the ids do (padded with zeros).
fn id_key(id: &str) -> u64 {
    let mut bytes = [0u8; 8];
    for (b, c) in bytes.iter_mut().zip(id.bytes()) {
        *b = c;
    }
    u64::from_be_bytes(bytes)
}

/// A score as pages are compared: in thousandths (scores are never negative).
pub(crate) fn milli(score: Score) -> i64 {
    (f64::from(score).max(0.0) * 1000.0 + 0.5) as i64
}

/// A score in thousandths as a score.
fn score_of(milli: i64) -> Score {
    (milli as f64 / 1000.0) as Score
}

/// The fast fields a segment's pages are told apart by.
#[derive(Clone)]
pub(crate) struct SegmentKeys {
    key: Option<Column<u64>>,
    doc_id: Option<StrColumn>,
    page: Option<Column<u64>>,
}

/// Each segment's [`SegmentKeys`], opened once (a segment's fast fields never change) rather
/// than for every search.
#[derive(Default)]
pub(crate) struct KeyCache(Mutex<HashMap<SegmentId, SegmentKeys>>);

impl KeyCache {
    /// The keys of each of the searcher's segments, in its order.
    pub(crate) fn segments(&self, searcher: &Searcher) -> Result<Vec<SegmentKeys>> {
        let mut cache = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let segments = searcher.segment_readers();
        let mut out = Vec::with_capacity(segments.len());
        for segment in segments {
            let keys = match cache.get(&segment.segment_id()) {
                Some(keys) => keys.clone(),
                None => {
                    let keys = SegmentKeys::open(segment)?;
                    cache.insert(segment.segment_id(), keys.clone());
                    keys
                }
            };
            out.push(keys);
        }
        // Segments merged away since.
        if cache.len() > segments.len() {
            cache.retain(|id, _| segments.iter().any(|s| s.segment_id() == *id));
        }
        Ok(out)
    }
}

impl SegmentKeys {
    fn open(segment: &SegmentReader) -> tantivy::Result<SegmentKeys> {
        let fast = segment.fast_fields();
        Ok(SegmentKeys {
            key: fast.u64(KEY).ok(),
            doc_id: fast.str("doc_id")?,
            page: fast.u64("page").ok(),
        })
    }

    /// A page kept, with its [`page_key`] (read now: one read, at a random place of the column).
    fn entry(&self, milli: i64, doc: DocId) -> Entry {
        let key = self.key.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
        Entry { milli, key, rest: Cell::new(None), doc }
    }

    /// The rest of a page's key: the id's ordinal in the segment's dictionary (which sorts as
    /// the ids do), then the page number, as `ord << 32 | page`; read the first time two pages
    /// of the same [`page_key`] are compared.
    fn rest(&self, e: &Entry) -> u64 {
        if let Some(rest) = e.rest.get() {
            return rest;
        }
        let ord = self.doc_id.as_ref().and_then(|c| c.ords().first(e.doc)).unwrap_or(0);
        let page = self.page.as_ref().and_then(|c| c.first(e.doc)).unwrap_or(0);
        let rest = (ord << 32) | (page & u64::from(u32::MAX));
        e.rest.set(Some(rest));
        rest
    }

    /// How two pages of this segment rank: `Less` if `a` is better.
    fn compare(&self, a: &Entry, b: &Entry) -> Ordering {
        b.milli.cmp(&a.milli).then(a.key.cmp(&b.key)).then_with(|| self.rest(a).cmp(&self.rest(b)))
    }

    /// The id of a page, to compare it with another segment's of the same first bytes.
    fn id_text(&self, e: &Entry) -> std::io::Result<String> {
        let mut out = String::new();
        if let Some(c) = &self.doc_id {
            c.ord_to_str(self.rest(e) >> 32, &mut out)?;
        }
        Ok(out)
    }
}

/// One page kept by a [`SegmentTop`].
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    milli: i64,
    key: u64,
    /// [`SegmentKeys::rest`], once read.
    rest: Cell<Option<u64>>,
    doc: DocId,
}

/// The `n` best pages of one segment seen so far: a binary heap whose first page is the worst,
/// comparing pages with [`SegmentKeys::compare`] (std's heap cannot read the keys it compares).
pub(crate) struct SegmentTop {
    n: usize,
    keys: SegmentKeys,
    heap: Vec<Entry>,
    /// A score every page that could still enter beats ([`SegmentTop::threshold`]).
    floor: Score,
}

impl SegmentTop {
    pub(crate) fn new(n: usize, keys: SegmentKeys) -> SegmentTop {
        SegmentTop { n, keys, heap: Vec::with_capacity(n), floor: Score::MIN }
    }

    /// True if a page scoring at most `bound` could enter.
    pub(crate) fn would_take(&self, bound: Score, doc: DocId) -> bool {
        if bound <= self.floor {
            return false;
        }
        match self.heap.first() {
            Some(worst) if self.heap.len() >= self.n => {
                let m = milli(bound);
                m > worst.milli
                    || (m == worst.milli
                        && self.keys.compare(&self.keys.entry(m, doc), worst).is_lt())
            }
            _ => true,
        }
    }

    pub(crate) fn offer(&mut self, score: Score, doc: DocId) {
        if self.n == 0 || score <= self.floor {
            return;
        }
        let m = milli(score);
        if self.heap.len() < self.n {
            let entry = self.keys.entry(m, doc);
            self.heap.push(entry);
            self.sift_up(self.heap.len() - 1);
        } else {
            let worst = &self.heap[0];
            if m < worst.milli {
                return;
            }
            let entry = self.keys.entry(m, doc);
            if m == worst.milli && self.keys.compare(&entry, worst).is_ge() {
                return;
            }
            self.heap[0] = entry;
            self.sift_down(0);
        }
        if self.heap.len() >= self.n {
            self.floor = below(self.heap[0].milli);
        }
    }

    /// A score every page that could still enter beats: below the worst page's, to three
    /// decimals (pages of equal score may enter by their key).
    pub(crate) fn threshold(&self) -> Score {
        self.floor
    }

    /// True if the page at `a` ranks below the page at `b`.
    fn worse(&self, a: usize, b: usize) -> bool {
        self.keys.compare(&self.heap[a], &self.heap[b]).is_gt()
    }

    fn sift_up(&mut self, mut i: usize) {
        while i > 0 {
            let parent = (i - 1) / 2;
            if !self.worse(i, parent) {
                break;
            }
            self.heap.swap(i, parent);
            i = parent;
        }
    }

    fn sift_down(&mut self, mut i: usize) {
        loop {
            let (left, right) = (2 * i + 1, 2 * i + 2);
            let mut worst = i;
            if left < self.heap.len() && self.worse(left, worst) {
                worst = left;
            }
            if right < self.heap.len() && self.worse(right, worst) {
                worst = right;
            }
            if worst == i {
                break;
            }
            self.heap.swap(i, worst);
            i = worst;
        }
    }

    /// The pages kept, best first.
    pub(crate) fn finish(self, segment_ord: u32) -> SegmentBest {
        let SegmentTop { keys, mut heap, .. } = self;
        heap.sort_by(|a, b| keys.compare(a, b));
        SegmentBest { segment_ord, keys, entries: heap }
    }
}

/// A score below every score of `milli` thousandths.
fn below(milli: i64) -> Score {
    let t = ((milli as f64 - 0.5) / 1000.0) as Score;
    t - t.abs() * 1e-5 - 1e-6
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
    keys: &KeyCache,
    query: &dyn Query,
    n: usize,
) -> Result<Vec<(Score, DocAddress)>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let segments = searcher.segment_readers().iter().zip(keys.segments(searcher)?).enumerate();
    let best = searcher.index().search_executor().map(
        |(ord, (segment, keys))| {
            let mut top = SegmentTop::new(n, keys);
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
    // Each segment's next page's id, looked up when it ties with another segment's.
    let mut ids: Vec<Option<String>> = vec![None; segments.len()];
    let mut out = Vec::with_capacity(n);
    // The best next page of any segment: by score and the key every segment shares.
    let shared = |e: &Entry| (Reverse(e.milli), e.key);
    while out.len() < n {
        let heads = || {
            segments.iter().enumerate().filter_map(|(i, s)| s.entries.get(next[i]).map(|e| (i, e)))
        };
        let Some(best) = heads().map(|(_, e)| shared(e)).min() else {
            break;
        };
        let tied: Vec<usize> = heads().filter(|(_, e)| shared(e) == best).map(|(i, _)| i).collect();
        let winner = if let [only] = tied[..] {
            only
        } else {
            // Ids of the same first bytes in several segments (or one id): by text, then page.
            for &i in &tied {
                if ids[i].is_none() {
                    ids[i] =
                        Some(segments[i].keys.id_text(&segments[i].entries[next[i]]).map_err(io)?);
                }
            }
            let page = |i: usize| {
                let s = &segments[i];
                s.keys.rest(&s.entries[next[i]]) & u64::from(u32::MAX)
            };
            tied.iter()
                .copied()
                .min_by(|&a, &b| (&ids[a], page(a)).cmp(&(&ids[b], page(b))))
                .unwrap_or(tied[0])
        };
        let s = &segments[winner];
        let entry = &s.entries[next[winner]];
        out.push((score_of(entry.milli), DocAddress::new(s.segment_ord, entry.doc)));
        next[winner] += 1;
        ids[winner] = None;
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
    /// service and none, ids out of insertion order (some sharing their first eight bytes),
    /// several segments, deleted pages.
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
        // Out of insertion order; half of them longer than eight bytes and sharing those.
        let id_of = |d: usize| {
            let n = (d * 7919) % 1000;
            if d.is_multiple_of(2) {
                format!("document{n:03}")
            } else {
                format!("{n:03}")
            }
        };
        let mut w = index.writer().unwrap();
        for d in 0..600 {
            let id = id_of(d);
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
            if d.is_multiple_of(50) && d > 0 {
                w.delete_document(&id_of(d - 1));
            }
        }
        w.commit().unwrap();
        (dir, index)
    }

    #[test]
    fn the_keys_sort_as_dates_and_ids_do() {
        assert_eq!(day_key("2024-03-02"), 20240302);
        assert_eq!(day_key("2024-03"), 20240300);
        let ids = ["", "a", "a1", "ab", "b", "doc00001", "doc000010", "e3b0c442", "f"];
        for pair in ids.windows(2) {
            assert!(id_key(pair[0]) <= id_key(pair[1]), "{pair:?}");
        }
        // Past eight bytes the ids tie here, and are told apart by their text.
        assert_eq!(id_key("doc00001"), id_key("doc000010"));
        // Dated first, the most recent first, then by id.
        let ranked = [
            (Some("2025-01-01"), "b"),
            (Some("2024-10-01"), "a"),
            (Some("2024-10-01"), "b"),
            (Some("2024-03-02"), "a"),
            (Some("1999-12-31"), "ff"),
            (None, "a"),
            (None, "b"),
        ];
        for pair in ranked.windows(2) {
            let ((d1, i1), (d2, i2)) = (pair[0], pair[1]);
            assert!(page_key(d1, i1) < page_key(d2, i2), "{pair:?}");
        }
        assert_eq!(milli(1.2344), 1234);
        assert_eq!(milli(1.2346), 1235);
        assert!(below(1235) < 1.2345 && below(1235) > 1.2344);
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
                let got = top_pages(&searcher, &index.keys, &**query, n).unwrap();
                let want: Vec<(Score, DocAddress)> =
                    expected.iter().take(n).map(|e| (score_of(-e.0), e.5)).collect();
                assert_eq!(got, want, "{query:?} top {n}");
            }
        }
    }
}
