//! Reading order: a page's recognised words as the rows a person reads on the printed page.
//!
//! Tesseract splits a page into blocks and gives them one after the other. That is right for a
//! newspaper's columns, and wrong for a form (its columns of labels and values become blocks of
//! their own, so "D.O.B.:" and its date end up far apart in the text) and for a photocopy with a
//! drum streak (one printed line read as two half-blocks). Here the lines tesseract found are
//! joined again into the rows they stand on, and only true columns of running text — a gutter
//! that runs down several rows with prose on both sides — are read column after column.
//!
//! Pure geometry over word boxes in the frame the page was read in (turned upright, deskewed):
//! no IO, no failure, and the words themselves are never changed, only put in order — except
//! that what tesseract made of a form's dot leaders and rules ([`leaders`]: flat boxes read as
//! "....:ccsseesee", "wees") is left out, as ink that is no text.

use crate::{BBox, PageMeta, PageText, TextMethod, Word};
use std::ops::Range;

/// One row of the page: lines (indices into the caller's lines) from left to right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub lines: Vec<usize>,
    /// A blank line goes before this row in the text: a paragraph or a column starts here.
    pub paragraph: bool,
}

/// The geometry of one line: its word boxes (only words holding a letter or digit count; a
/// comma's box is too small to tell a row by).
#[derive(Debug, Clone, Copy)]
struct Geom {
    first: BBox,
    last: BBox,
    left: u32,
    right: u32,
    top: u32,
    height: u32,
    words: usize,
    /// The middle of the line's words, top to bottom (the median of their centres): where the
    /// line stands, whatever its first word does (a check box's mark set low: "x Male").
    middle: u32,
    /// How many line heights a gap must be to be a gutter, on this page.
    gutter: f32,
}

impl Geom {
    fn of(boxes: &[BBox]) -> Option<Geom> {
        let first = *boxes.first()?;
        let last = *boxes.last()?;
        let mut heights: Vec<u32> = boxes.iter().map(|b| b.h).collect();
        heights.sort_unstable();
        let mut middles: Vec<u32> = boxes.iter().map(|b| b.y + b.h / 2).collect();
        middles.sort_unstable();
        Some(Geom {
            first,
            last,
            left: boxes.iter().map(|b| b.x).min()?,
            right: boxes.iter().map(|b| b.x + b.w).max()?,
            top: first.y,
            height: heights[heights.len() / 2].max(1),
            words: boxes.len(),
            middle: middles[middles.len() / 2],
            gutter: GUTTER_HEIGHTS,
        })
    }
}

/// The rows of a page, in reading order, from its lines' word boxes (`lines[i]`: the boxes of
/// line i's words in reading order, in the frame the page was read in; an empty list for a line
/// without boxes, such as a blank line or a text layer's).
///
/// A line joins a row when its first word starts right of the row's last word and overlaps it in
/// height by at least half (the word, or the line's words as a whole where the first is a single
/// glyph such as a check box's mark), however wide the gap (a form's columns stand far apart); the
/// nearest such line joins first, and lines claim their row's right part from left to right.
/// Rows go top to bottom; a line without boxes stays right after the line before it. Where
/// three or more rows share a gutter (a gap wider than 1.2 line heights, the same pixels on
/// every row, crossed by no line) with running text on both sides (four words or more a line on
/// average), the rows are read column by column.
pub fn rows(lines: &[Vec<BBox>]) -> Vec<Row> {
    let mut geoms: Vec<Option<Geom>> = lines.iter().map(|b| Geom::of(b)).collect();
    // A monospaced font's word space is as wide as a letter: a gutter is wider than that too.
    let gutter = GUTTER_HEIGHTS.max(3.0 * word_space(lines));
    for g in geoms.iter_mut().flatten() {
        g.gutter = gutter;
    }
    // Each line's height on the page; a line without boxes stands where the line before it does.
    let mut tops = Vec::with_capacity(lines.len());
    let mut last_top = 0;
    for g in &geoms {
        if let Some(g) = g {
            last_top = g.first.y + g.first.h / 2;
        }
        tops.push(last_top);
    }
    // Top to bottom; rows level with each other in the order of their lines in the text.
    let mut ordered = chain(&geoms);
    ordered.sort_by_key(|c| (tops[c[0]], c.iter().copied().min().unwrap_or(0)));
    let mut out = Vec::with_capacity(ordered.len());
    columns(&ordered, &geoms, &mut out, false);
    mark_paragraphs(&mut out, &geoms);
    out
}

/// Lines joined into rows: each chain starts with a line no other line's row took.
fn chain(geoms: &[Option<Geom>]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..geoms.len()).filter(|&i| geoms[i].is_some()).collect();
    order.sort_by_key(|&i| geoms[i].map(|g| g.first.x));
    let mut joined = vec![false; geoms.len()];
    let mut chains: Vec<Vec<usize>> = vec![Vec::new(); geoms.len()];
    for &start in &order {
        if joined[start] {
            continue;
        }
        let mut chain = vec![start];
        let mut last = geoms[start].map(|g| g.last);
        while let Some(end) = last {
            let right = end.x + end.w;
            let next = order
                .iter()
                .copied()
                .filter(|&j| !joined[j] && !chain.contains(&j))
                .filter_map(|j| {
                    let g = geoms[j]?;
                    let first = g.first;
                    let gap = first.x.checked_sub(right)?;
                    let overlap = |top: u32, h: u32| {
                        (end.y + end.h).min(top + h).saturating_sub(end.y.max(top)) * 2
                            >= end.h.min(h)
                    };
                    // (By its first word; or, where that is a single glyph that need not sit on
                    // the line, a check box's mark or a bullet, by where its words stand.)
                    let glyph = first.w <= first.h + first.h / 4;
                    let band = g.middle.saturating_sub(g.height / 2);
                    (overlap(first.y, first.h) || (glyph && g.words > 1 && overlap(band, g.height)))
                        .then_some((gap, j))
                })
                .min();
            let Some((_, j)) = next else { break };
            joined[j] = true;
            chain.push(j);
            last = geoms[j].map(|g| g.last);
        }
        chains[start] = chain;
    }
    (0..geoms.len())
        .filter(|&i| !joined[i])
        .map(|i| if chains[i].is_empty() { vec![i] } else { std::mem::take(&mut chains[i]) })
        .collect()
}

/// The page's usual space between the words of a line, in word heights: the median gap between
/// neighbouring words of tesseract's lines (about 0.3 in a proportional font, a letter's width —
/// about 1 — in a monospaced one); 0 without words to measure.
pub fn word_space(lines: &[Vec<BBox>]) -> f32 {
    let mut ratios: Vec<f32> = lines
        .iter()
        .flat_map(|l| l.windows(2))
        .filter(|w| w[1].x > w[0].x + w[0].w)
        .map(|w| (w[1].x - w[0].x - w[0].w) as f32 / w[0].h.max(w[1].h).max(1) as f32)
        .collect();
    ratios.sort_by(f32::total_cmp);
    ratios.get(ratios.len() / 2).copied().unwrap_or(0.0)
}

/// A gutter must be this many line heights wide: wider than any word space, even a justified
/// line's (linn.png of OCRmyPDF's tests, two columns of a book page: 1.85).
const GUTTER_HEIGHTS: f32 = 1.2;
/// Rows with text on both sides of a gutter, at least, for it to be one.
const GUTTER_ROWS: usize = 3;
/// Mean words a line on each side: running text, not a form's labels and values.
const PROSE_WORDS: f32 = 4.0;

/// Appends `rows` (in reading order) to `out`, read column by column where they hold true
/// columns. `column` marks that `rows` are one column of a split: its first row starts a
/// paragraph.
fn columns(rows: &[Vec<usize>], geoms: &[Option<Geom>], out: &mut Vec<Row>, column: bool) {
    let mut i = 0;
    let mut first = column;
    while i < rows.len() {
        if let Some((end, gutter)) = column_block(rows, i, geoms) {
            let (mut left, mut right) = (Vec::new(), Vec::new());
            for row in &rows[i..end] {
                let (l, r): (Vec<usize>, Vec<usize>) = row.iter().partition(|&&p| {
                    geoms[p].is_none_or(|g| g.right <= (gutter.start + gutter.end) / 2)
                });
                if !l.is_empty() {
                    left.push(l);
                }
                if !r.is_empty() {
                    right.push(r);
                }
            }
            columns(&left, geoms, out, true);
            columns(&right, geoms, out, true);
            i = end;
            first = true;
            continue;
        }
        out.push(Row { lines: rows[i].clone(), paragraph: first });
        first = false;
        i += 1;
    }
}

/// The rows `start..end` of a column block starting at row `start`, and its gutter's pixels.
fn column_block(
    rows: &[Vec<usize>],
    start: usize,
    geoms: &[Option<Geom>],
) -> Option<(usize, Range<u32>)> {
    for gap in gaps(&rows[start], geoms) {
        let mut gutter = gap.clone();
        let mut end = start + 1;
        let mut both = 1;
        let (mut left_words, mut right_words) = (0, 0);
        let count = |row: &[usize], gutter: &Range<u32>, l: &mut usize, r: &mut usize| {
            for g in row.iter().filter_map(|&p| geoms[p]) {
                if g.right <= gutter.start {
                    *l += g.words;
                } else {
                    *r += g.words;
                }
            }
        };
        count(&rows[start], &gutter, &mut left_words, &mut right_words);
        // The last row with text on both sides: the block ends there (a shorter column's
        // tail after it is read on its own).
        let mut last_both = start + 1;
        while end < rows.len() {
            let row = &rows[end];
            // The gap of this row that runs on with the gutter: overlapping it by half a line's
            // height at least (a justified column's lines end a little unevenly).
            let height = row.iter().find_map(|&p| geoms[p]).map_or(1, |g| g.height);
            let shared = gaps(row, geoms).into_iter().find_map(|g| {
                let (s, e) = (g.start.max(gutter.start), g.end.min(gutter.end));
                (e > s && (e - s) * 2 >= height).then_some(s..e)
            });
            if let Some(s) = shared {
                gutter = s;
                both += 1;
                count(row, &gutter, &mut left_words, &mut right_words);
                last_both = end + 1;
            } else if row.iter().any(|&p| geoms[p].is_some_and(|g| crosses(g, &gutter))) {
                break;
            }
            end += 1;
        }
        // One-sided rows right after the last two-sided one belong to a column only while they
        // follow on closely (a column longer than the other); else the block ends there.
        let end = tail_end(rows, last_both, end, geoms);
        if both >= GUTTER_ROWS
            && left_words as f32 >= PROSE_WORDS * both as f32
            && right_words as f32 >= PROSE_WORDS * both as f32
        {
            return Some((end, gutter));
        }
    }
    None
}

/// How far the one-sided rows after a block's last two-sided row go on: while each stands within
/// two line pitches of the row before it.
fn tail_end(rows: &[Vec<usize>], from: usize, to: usize, geoms: &[Option<Geom>]) -> usize {
    let top = |r: &[usize]| r.iter().find_map(|&p| geoms[p]).map(|g| (g.top, g.height));
    let mut end = from;
    while end < to {
        match (top(&rows[end - 1]), top(&rows[end])) {
            (Some((a, h)), Some((b, _))) if b.saturating_sub(a) <= 3 * h => end += 1,
            (_, None) => end += 1,
            _ => break,
        }
    }
    end
}

/// True if the line stands across the gutter: over its middle.
fn crosses(g: Geom, gutter: &Range<u32>) -> bool {
    let middle = (gutter.start + gutter.end) / 2;
    g.left < middle && g.right > middle
}

/// The wide gaps between a row's lines: where a gutter may run.
fn gaps(row: &[usize], geoms: &[Option<Geom>]) -> Vec<Range<u32>> {
    let parts: Vec<Geom> = row.iter().filter_map(|&p| geoms[p]).collect();
    parts
        .windows(2)
        .filter_map(|w| {
            let (a, b) = (w[0], w[1]);
            let (s, e) = (a.last.x + a.last.w, b.first.x);
            let height = a.height.max(b.height) as f32;
            (e > s && (e - s) as f32 >= a.gutter * height).then_some(s..e)
        })
        .collect()
}

/// Marks rows that stand well below the row before them (more than 1.6 times the page's usual
/// line pitch) as starting a paragraph.
fn mark_paragraphs(rows: &mut [Row], geoms: &[Option<Geom>]) {
    let top = |r: &Row| r.lines.iter().find_map(|&p| geoms[p]).map(|g| g.top);
    let mut pitches: Vec<u32> =
        rows.windows(2).filter_map(|w| top(&w[1])?.checked_sub(top(&w[0])?)).collect();
    pitches.retain(|&p| p > 0);
    pitches.sort_unstable();
    let Some(&pitch) = pitches.get(pitches.len() / 2) else { return };
    for i in 1..rows.len() {
        if let (Some(a), Some(b)) = (top(&rows[i - 1]), top(&rows[i])) {
            if b > a && (b - a) * 10 > pitch * 16 {
                rows[i].paragraph = true;
            }
        }
    }
}

/// The boxes a line's place is judged by: its words that hold a letter or digit (a comma's box
/// is too small to tell a row by), or all of them for a line of marks only ("=", "|").
pub fn geometry<'a>(words: impl Iterator<Item = (&'a str, BBox)> + Clone) -> Vec<BBox> {
    let alnum: Vec<BBox> = words
        .clone()
        .filter(|(t, _)| t.chars().any(char::is_alphanumeric))
        .map(|(_, b)| b)
        .collect();
    if alnum.is_empty() {
        words.map(|(_, b)| b).collect()
    } else {
        alnum
    }
}

/// A page's words, in the order tesseract gave them, as text in reading order: `lines` are the
/// ranges of `words` tesseract read as one line each; `boxes` the words' boxes in the frame the
/// page was read in. Returns the text (rows a line each, a blank line before a paragraph) and
/// the order of the words in it (indices into `words`), which holds each word once.
pub fn assemble(words: &[&str], boxes: &[BBox], lines: &[Range<usize>]) -> (String, Vec<usize>) {
    let line_boxes: Vec<Vec<BBox>> =
        lines.iter().map(|r| geometry(r.clone().map(|i| (words[i], boxes[i])))).collect();
    let mut text = String::new();
    let mut order = Vec::with_capacity(words.len());
    for row in rows(&line_boxes) {
        if !text.is_empty() {
            text.push_str(if row.paragraph { "\n\n" } else { "\n" });
        }
        let mut first = true;
        for &l in &row.lines {
            for i in lines[l].clone() {
                if !first {
                    text.push(' ');
                }
                first = false;
                text.push_str(words[i]);
                order.push(i);
            }
        }
    }
    (text, order)
}

/// Which of a page's words (text, box in the frame the page was read in, confidence; in
/// tesseract's order) are a form's dot leader or rule, not text. Tesseract reads the dots from a
/// label to its value ("Patient No. ............ 753687797") as words of dots and letters
/// ("....:ccsseesseceseesn", "wees", "oe"); their boxes give them away: no taller than a dot
/// (under a third of the page's usual word height) and at least a word height wide. Words
/// tesseract read right after one with no confidence at all and no digit ("eres etn eee",
/// the rest of the same leader) go with it. Left in, they hide a label's gap from its value,
/// read as values ("SOX oe Male"), lower the page's confidence and answer searches ("seen").
pub fn leaders(words: &[(&str, BBox, f32)]) -> Vec<bool> {
    let mut heights: Vec<u32> = words
        .iter()
        .filter(|(t, _, c)| *c >= 0.5 && t.chars().any(char::is_alphanumeric))
        .map(|(_, b, _)| b.h)
        .collect();
    heights.sort_unstable();
    let mut out = vec![false; words.len()];
    let Some(&height) = heights.get(heights.len() / 2) else { return out };
    let flat = |b: &BBox| b.h * 10 <= height * 3 && b.w >= height;
    for i in 0..words.len() {
        let (text, b, c) = words[i];
        out[i] = flat(&b) || {
            // The rest of a leader: no confidence, no digit, right after a leader's word on
            // its row.
            let follows = i > 0 && out[i - 1] && {
                let a = words[i - 1].1;
                b.x >= a.x && b.y <= a.y + a.h && a.y <= b.y + b.h
            };
            follows && c < 0.05 && !text.chars().any(|ch| ch.is_ascii_digit())
        };
    }
    out
}

/// Tesseract's lines recovered from words given in its order (pages stored before chartdex kept
/// its line numbers): a word starts a new line unless it stands right of the word before it,
/// overlapping it in height by at least half.
pub fn lines_in_sequence(boxes: &[BBox]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=boxes.len() {
        let same = boxes.get(i).is_some_and(|b| {
            let a = boxes[i - 1];
            let overlap = (a.y + a.h).min(b.y + b.h).saturating_sub(a.y.max(b.y));
            b.x >= a.x + a.w / 2 && overlap * 2 >= a.h.min(b.h)
        });
        if !same {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// An OCR page's text rebuilt in reading order from its stored words, and the words in that
/// order (their boxes and confidences unchanged; a form's leaders left out, [`leaders`]);
/// `None` for a page without words or with a text layer, whose text stands as it is.
pub fn reassemble(page: &PageText) -> Option<(String, Vec<Word>)> {
    if page.method != TextMethod::Ocr || page.words.is_empty() {
        return None;
    }
    let frame = Frame::of(&page.words, &page.meta);
    let upright: Vec<(&str, BBox, f32)> =
        page.words.iter().map(|w| (w.text.as_str(), frame.upright(w.bbox), w.confidence)).collect();
    let leader = leaders(&upright);
    let kept: Vec<usize> = (0..page.words.len()).filter(|&i| !leader[i]).collect();
    let boxes: Vec<BBox> = kept.iter().map(|&i| upright[i].1).collect();
    let texts: Vec<&str> = kept.iter().map(|&i| upright[i].0).collect();
    let (text, order) = assemble(&texts, &boxes, &lines_in_sequence(&boxes));
    Some((text, order.into_iter().map(|i| page.words[kept[i]].clone()).collect()))
}

/// How the page as scanned was turned (a quarter turn, then the deskew) before tesseract read
/// it; word boxes are kept on the page as scanned, and rows, columns and "under" are judged in
/// the frame it was read in, where a line of text is level.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    /// Clockwise quarter turn, degrees.
    rotation: u32,
    /// Deskew rotation, radians (counter-clockwise positive).
    skew: f64,
    /// The extent of the page's words, standing in for the page's size.
    width: u32,
    height: u32,
}

impl Frame {
    /// The frame of a page with these words and this preparation.
    pub fn of(words: &[Word], meta: &PageMeta) -> Frame {
        let width = words.iter().map(|w| w.bbox.x + w.bbox.w).max().unwrap_or(0);
        let height = words.iter().map(|w| w.bbox.y + w.bbox.h).max().unwrap_or(0);
        let skew = match meta.skew {
            Some(s) if meta.deskewed => f64::from(s).to_radians(),
            _ => 0.0,
        };
        Frame { rotation: meta.rotation % 360, skew, width, height }
    }

    /// A box on the page as scanned, in the frame the page was read in.
    pub fn upright(&self, b: BBox) -> BBox {
        let (w, h) = (self.width, self.height);
        let (b, fw, fh) = match self.rotation {
            90 => (BBox { x: h.saturating_sub(b.y + b.h), y: b.x, w: b.h, h: b.w }, h, w),
            180 => {
                (BBox { x: w.saturating_sub(b.x + b.w), y: h.saturating_sub(b.y + b.h), ..b }, w, h)
            }
            270 => (BBox { x: b.y, y: w.saturating_sub(b.x + b.w), w: b.h, h: b.w }, h, w),
            _ => (b, w, h),
        };
        if self.skew == 0.0 {
            return b;
        }
        // The box on the scan holds the word's box turned by the skew: its centre turns back,
        // and its size is the word's own (outer = w cos + h sin, h cos + w sin).
        let (sin, cos) = self.skew.abs().sin_cos();
        let (ow, oh) = (f64::from(b.w), f64::from(b.h));
        let det = cos * cos - sin * sin;
        let (iw, ih) = ((ow * cos - oh * sin) / det, (oh * cos - ow * sin) / det);
        let (iw, ih) = if iw >= 1.0 && ih >= 1.0 { (iw, ih) } else { (ow, oh) };
        let (cx, cy) = (f64::from(fw) / 2.0, f64::from(fh) / 2.0);
        let (dx, dy) = (f64::from(b.x) + ow / 2.0 - cx, f64::from(b.y) + oh / 2.0 - cy);
        let (sin, cos) = self.skew.sin_cos();
        let (x, y) = (cx + dx * cos - dy * sin, cy + dx * sin + dy * cos);
        let at = |v: f64| v.max(0.0).round() as u32;
        BBox { x: at(x - iw / 2.0), y: at(y - ih / 2.0), w: at(iw), h: at(ih) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of lines: (text, x, y), 20 px tall, 12 px a letter; the lines in the given order.
    fn page(lines: &[&[(&str, u32, u32)]]) -> (Vec<String>, Vec<BBox>, Vec<Range<usize>>) {
        let (mut words, mut boxes, mut ranges) = (Vec::new(), Vec::new(), Vec::new());
        for line in lines {
            let start = words.len();
            for (t, x, y) in line.iter() {
                words.push(t.to_string());
                boxes.push(BBox { x: *x, y: *y, w: 12 * t.len() as u32, h: 20 });
            }
            ranges.push(start..words.len());
        }
        (words, boxes, ranges)
    }

    fn text(lines: &[&[(&str, u32, u32)]]) -> String {
        let (words, boxes, ranges) = page(lines);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        assemble(&words, &boxes, &ranges).0
    }

    /// A line of prose at `y` from `x`: `n` words of five letters, a space of 12 px between.
    fn prose(word: &'static str, n: u32, x: u32, y: u32) -> Vec<(&'static str, u32, u32)> {
        (0..n).map(|i| (word, x + i * 72, y)).collect()
    }

    #[test]
    fn a_line_split_by_a_streak_comes_back_whole() {
        // A photocopier's streak at x ≈ 560 cut the page in two: tesseract read the left halves
        // as one block and the right halves as another, far below in its text.
        let t = text(&[
            &[("Patient:", 200, 100), ("Alice", 310, 100), ("Testpatient", 380, 100)],
            &[("Date", 200, 140), ("of", 260, 140), ("Birth:", 290, 140), ("10-", 370, 141)],
            &[("Provider:", 200, 180), ("Robert", 320, 180)],
            &[("MRN:", 600, 101), ("00123456", 660, 100)],
            &[("7-1936", 420, 140)],
            &[("Fakedoc,", 410, 181), ("MD", 520, 180)],
        ]);
        assert_eq!(
            t,
            "Patient: Alice Testpatient MRN: 00123456\nDate of Birth: 10- 7-1936\n\
             Provider: Robert Fakedoc, MD"
        );
    }

    #[test]
    fn two_true_columns_stay_apart() {
        let mut lines: Vec<Vec<(&str, u32, u32)>> = Vec::new();
        // A title across the page, then two columns of five lines of six words, 100 px apart.
        lines.push(vec![("Heading", 500, 40), ("across", 600, 40)]);
        for r in 0..5 {
            lines.push(prose("lefty", 6, 100, 100 + 40 * r));
        }
        for r in 0..4 {
            lines.push(prose("right", 6, 620, 100 + 40 * r));
        }
        let refs: Vec<&[(&str, u32, u32)]> = lines.iter().map(Vec::as_slice).collect();
        let t = text(&refs);
        let left = ["lefty"; 6].join(" ");
        let right = ["right"; 6].join(" ");
        let want = format!(
            "Heading across\n\n{}\n\n{}",
            [left.as_str(); 5].join("\n"),
            [right.as_str(); 4].join("\n")
        );
        assert_eq!(t, want);
        // Given in the other order (right column first), the same reading.
        let mut other = refs.clone();
        other[1..].reverse();
        assert_eq!(text(&other), want);
    }

    #[test]
    fn a_forms_columns_are_rows_not_columns() {
        // Labels and short values in two columns over four rows: not running text.
        let t = text(&[
            &[("Name:", 200, 100), ("Bruno", 280, 100)],
            &[("DOB:", 200, 140), ("1/2/1947", 270, 140)],
            &[("Sex:", 200, 180), ("M", 260, 180)],
            &[("Date:", 200, 220), ("3/4/2024", 280, 220)],
            &[("MRN:", 800, 100), ("0012", 870, 100)],
            &[("NPI:", 800, 140), ("1234567893", 860, 140)],
            &[("Room:", 800, 180), ("12", 880, 180)],
            &[("Bed:", 800, 220), ("A", 870, 220)],
        ]);
        assert_eq!(
            t,
            "Name: Bruno MRN: 0012\nDOB: 1/2/1947 NPI: 1234567893\nSex: M Room: 12\n\
             Date: 3/4/2024 Bed: A"
        );
    }

    #[test]
    fn rows_go_top_to_bottom_and_lines_left_of_a_row_start_it() {
        let t = text(&[
            &[("Assessment:", 200, 100)],
            // Half a line lower: another row.
            &[("Plan:", 700, 112)],
            // Starting before the row's last word ends: not on from it.
            &[("Overlap", 300, 100)],
            // Left of the row: its start.
            &[("Left", 100, 100)],
        ]);
        assert_eq!(t, "Left Assessment:\nOverlap\nPlan:");
    }

    #[test]
    fn a_check_box_mark_set_low_does_not_take_its_options_off_the_labels_row() {
        // Tesseract's line of options opens with the mark of the box ticked, lower than the
        // words: the line stands on the label's row by its words, not by that mark.
        let t = text(&[
            &[("Sex:", 200, 100)],
            &[("x", 300, 114), ("Male", 320, 100), ("o", 390, 100), ("Female", 410, 100)],
        ]);
        assert_eq!(t, "Sex: x Male o Female");
        // A word that is no single glyph is where its line is: half a line lower, another row.
        let t = text(&[
            &[("Requested", 200, 100)],
            &[("April", 340, 114), ("26", 410, 100), ("1976", 450, 100)],
        ]);
        assert_eq!(t, "Requested\nApril 26 1976");
    }

    #[test]
    fn a_paragraph_break_is_a_blank_line() {
        let t = text(&[
            &[("One", 100, 100)],
            &[("two", 100, 130)],
            &[("three", 100, 160)],
            &[("Four", 100, 260)],
        ]);
        assert_eq!(t, "One\ntwo\nthree\n\nFour");
    }

    #[test]
    fn lines_are_recovered_from_words_in_tesseracts_order() {
        let (_, boxes, ranges) = page(&[
            &[("Name:", 200, 100), ("Bruno", 280, 100)],
            &[("MRN:", 200, 140), ("0012", 270, 140)],
            &[("Right", 800, 100)],
        ]);
        assert_eq!(lines_in_sequence(&boxes), ranges);
        assert!(lines_in_sequence(&[]).is_empty());
    }

    #[test]
    fn a_stored_page_is_reassembled_with_its_words_unchanged() {
        let (words, boxes, _) = page(&[
            &[("Name:", 200, 100), ("Bruno", 280, 100)],
            &[("Gender:", 200, 140), ("M", 300, 140)],
            &[("Chart", 600, 100), ("#:", 670, 100), ("MR460221", 710, 100)],
        ]);
        let words: Vec<Word> = words
            .into_iter()
            .zip(boxes)
            .map(|(text, bbox)| Word { text, bbox, confidence: 0.9 })
            .collect();
        let page = PageText {
            number: 1,
            text: "Name: Bruno\nGender: M\n\nChart #: MR460221".into(),
            confidence: 0.9,
            method: TextMethod::Ocr,
            words: words.clone(),
            meta: PageMeta::default(),
        };
        let (text, reordered) = reassemble(&page).unwrap();
        assert_eq!(text, "Name: Bruno Chart #: MR460221\nGender: M");
        assert_eq!(reordered.len(), words.len());
        assert_eq!(reordered[2], words[4]);
        let layer = PageText { method: TextMethod::TextLayer, ..page };
        assert_eq!(reassemble(&layer), None);
    }

    #[test]
    fn a_forms_dot_leaders_are_left_out_of_its_text() {
        // Boxes as tesseract gave them for "Patient No. ........ 753687797" and a sex row whose
        // leader it read as dots, then tall letters of no confidence.
        let b = |x, y, w, h| BBox { x, y, w, h };
        let words = [
            ("Patient", b(155, 300, 98, 19), 0.96),
            ("No.", b(263, 300, 45, 19), 0.95),
            ("....:ccsseesseceseesn", b(320, 316, 400, 4), 0.0),
            ("eres", b(730, 296, 32, 37), 0.0),
            ("TEESE", b(770, 296, 41, 37), 0.0),
            ("753687797", b(830, 300, 173, 22), 0.97),
            ("Sex", b(155, 360, 49, 19), 0.9),
            ("wees", b(220, 376, 172, 4), 0.15),
            ("Male", b(400, 360, 70, 19), 0.2),
            // Punctuation is small, but no leader: a full stop, a hyphen.
            (".", b(480, 374, 5, 5), 0.9),
            ("-", b(500, 368, 9, 3), 0.9),
        ];
        let leader = leaders(&words);
        let kept: Vec<&str> =
            words.iter().zip(&leader).filter(|(_, l)| !**l).map(|(w, _)| w.0).collect();
        assert_eq!(kept, ["Patient", "No.", "753687797", "Sex", "Male", ".", "-"]);
        // A page of text alone loses nothing.
        assert!(!leaders(&words[..2]).contains(&true));
        assert!(leaders(&[]).is_empty());
    }

    #[test]
    fn boxes_of_a_page_turned_upright_are_read_upright() {
        // Fed upside down and turned 180°: the word last on the scan is first on the page.
        let meta = PageMeta { rotation: 180, ..PageMeta::default() };
        let w =
            |x| Word { text: "w".into(), bbox: BBox { x, y: 500, w: 60, h: 20 }, confidence: 1.0 };
        let words = [w(1000), w(100)];
        let frame = Frame::of(&words, &meta);
        assert!(frame.upright(words[0].bbox).x < frame.upright(words[1].bbox).x);
    }
}
