//! Second readings of what tesseract read badly on a page: a stretch of words it read with low
//! confidence (a form's small caption in a cell, a label beside a box) is cut out of the
//! prepared page, enlarged, and read again on its own as one block of text, where the page's
//! layout analysis no longer mixes it with the cell's borders and the larger print around it.
//! The second reading replaces the first only when tesseract is clearly surer of it.
//!
//! On a registration form's caption "Full Name (Block Letters)" in 11-pixel print beside a
//! 19-pixel value, the page read "ae Eas" (confidence 0.1); the caption cut out reads whole.

use crate::preprocess::{self, Gray};
use chartdex_core::{BBox, Word};
use std::ops::Range;

/// A stretch of a line is read again when the mean confidence of its words is below this.
pub(crate) const DOUBTFUL_BELOW: f32 = 0.6;
/// The second reading is kept when its mean confidence is higher than the first's by this much.
const SURER_BY: f32 = 0.15;
/// At most this many stretches of a page are read again (a page of noise or handwriting has
/// hundreds; the lowest-confidence ones first).
pub(crate) const AT_MOST: usize = 24;
/// How much a stretch is enlarged before it is read again.
pub(crate) const FACTOR: f64 = 2.0;

/// A stretch of one line's words (indices into the page's words) to be read again, and the part
/// of the page to cut out for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stretch {
    pub(crate) words: Range<usize>,
    pub(crate) area: BBox,
    confidence: f32,
}

/// The stretches of a page worth reading again: within each of tesseract's lines, the runs of
/// words not parted by a gap wider than twice their height, whose mean confidence is below
/// [`DOUBTFUL_BELOW`] (of the words that hold a letter or a digit) and which hold at least two. Each is cut out with a
/// margin of its height around it (clipped to the page). At most [`AT_MOST`], the least
/// confident first, in page order.
pub(crate) fn doubtful(
    words: &[Word],
    lines: &[Range<usize>],
    width: u32,
    height: u32,
) -> Vec<Stretch> {
    let mut found = Vec::new();
    for line in lines {
        let mut start = line.start;
        for i in line.clone() {
            let end_here = i + 1 == line.end || {
                let (a, b) = (&words[i].bbox, &words[i + 1].bbox);
                let h = a.h.max(b.h).max(1);
                b.x.saturating_sub(a.x + a.w) > 2 * h
            };
            if end_here {
                if let Some(s) = stretch(words, start..i + 1, width, height) {
                    found.push(s);
                }
                start = i + 1;
            }
        }
    }
    found.sort_by(|a, b| a.confidence.total_cmp(&b.confidence));
    found.truncate(AT_MOST);
    found.sort_by_key(|s| s.words.start);
    found
}

fn stretch(words: &[Word], run: Range<usize>, width: u32, height: u32) -> Option<Stretch> {
    let ws = &words[run.clone()];
    // (A rule or a mark read beside a word, "|", says nothing of how well the words were read.)
    let read: Vec<&Word> =
        ws.iter().filter(|w| w.text.chars().any(char::is_alphanumeric)).collect();
    let letters: usize =
        read.iter().map(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count()).sum();
    if letters < 2 {
        return None;
    }
    let confidence = read.iter().map(|w| w.confidence).sum::<f32>() / read.len() as f32;
    if confidence >= DOUBTFUL_BELOW {
        return None;
    }
    let x0 = ws.iter().map(|w| w.bbox.x).min()?;
    let y0 = ws.iter().map(|w| w.bbox.y).min()?;
    let x1 = ws.iter().map(|w| w.bbox.x + w.bbox.w).max()?;
    let y1 = ws.iter().map(|w| w.bbox.y + w.bbox.h).max()?;
    // (The median height: a speck or a rule read into the run makes one word tall.)
    let mut hs: Vec<u32> = ws.iter().map(|w| w.bbox.h).collect();
    hs.sort_unstable();
    let m = hs[hs.len() / 2].max(4);
    let (ax, ay) = (x0.saturating_sub(m), y0.saturating_sub(m / 2));
    let (bx, by) = ((x1 + m).min(width), (y1 + m / 2).min(height));
    if bx <= ax || by <= ay {
        return None;
    }
    Some(Stretch { words: run, area: BBox { x: ax, y: ay, w: bx - ax, h: by - ay }, confidence })
}

/// The part of the page under `area`, enlarged by [`FACTOR`].
pub(crate) fn cut_out(page: (u32, u32, &[u8]), area: BBox) -> Gray {
    let (w, _, pixels) = page;
    let mut out = Vec::with_capacity(area.w as usize * area.h as usize);
    for y in area.y..area.y + area.h {
        let row = (y * w + area.x) as usize;
        out.extend_from_slice(&pixels[row..row + area.w as usize]);
    }
    preprocess::enlarge(&Gray { width: area.w, height: area.h, pixels: out }, FACTOR)
}

/// The words of a second reading of `stretch` (read on its cut-out, enlarged), put back on the
/// page, if tesseract is clearly surer of them than of the first reading (`words` are the
/// page's): words that fall mostly on another word of the page (the margin caught a neighbour)
/// are left out.
pub(crate) fn better(stretch: &Stretch, words: &[Word], second: Vec<Word>) -> Option<Vec<Word>> {
    let area = stretch.area;
    let first = &words[stretch.words.clone()];
    let back = |v: u32, origin: u32| origin + (f64::from(v) / FACTOR).round() as u32;
    let others: Vec<&BBox> = words
        .iter()
        .enumerate()
        .filter(|(i, w)| !stretch.words.contains(i) && overlap(&w.bbox, &area) > 0)
        .map(|(_, w)| &w.bbox)
        .collect();
    let placed: Vec<Word> = second
        .into_iter()
        .map(|w| Word {
            bbox: BBox {
                x: back(w.bbox.x, area.x),
                y: back(w.bbox.y, area.y),
                w: ((f64::from(w.bbox.w) / FACTOR).round() as u32).max(1),
                h: ((f64::from(w.bbox.h) / FACTOR).round() as u32).max(1),
            },
            ..w
        })
        .filter(|w| {
            let own = u64::from(w.bbox.w) * u64::from(w.bbox.h);
            others.iter().all(|o| overlap(&w.bbox, o) * 10 < own * 3)
        })
        .filter(|w| w.text.chars().any(char::is_alphanumeric))
        .collect();
    if placed.is_empty() {
        return None;
    }
    let mean = |ws: &[Word]| ws.iter().map(|w| w.confidence).sum::<f32>() / ws.len() as f32;
    (mean(&placed) >= mean(first) + SURER_BY).then_some(placed)
}

/// The area two boxes share, in pixels.
fn overlap(a: &BBox, b: &BBox) -> u64 {
    let w = (a.x + a.w).min(b.x + b.w).saturating_sub(a.x.max(b.x));
    let h = (a.y + a.h).min(b.y + b.h).saturating_sub(a.y.max(b.y));
    u64::from(w) * u64::from(h)
}

/// The page's words and lines with each stretch's words replaced by its second reading
/// (`replacements` in page order, not overlapping); the line of a stretch keeps its place.
pub(crate) fn splice(
    words: Vec<Word>,
    lines: &[Range<usize>],
    replacements: Vec<(Range<usize>, Vec<Word>)>,
) -> (Vec<Word>, Vec<Range<usize>>) {
    if replacements.is_empty() {
        return (words, lines.to_vec());
    }
    let mut out = Vec::with_capacity(words.len());
    let mut new_index = vec![0usize; words.len() + 1];
    let mut pending = replacements.into_iter().peekable();
    let mut old = words.into_iter().enumerate().peekable();
    while let Some((i, w)) = old.next() {
        new_index[i] = out.len();
        match pending.peek() {
            Some((range, _)) if range.start == i => {
                let (range, new) = pending.next().expect("peeked");
                out.extend(new);
                // (The rest of the stretch's old words go.)
                while old.peek().is_some_and(|(j, _)| *j < range.end) {
                    let (j, _) = old.next().expect("peeked");
                    new_index[j] = out.len();
                }
            }
            _ => out.push(w),
        }
    }
    let total = new_index.len() - 1;
    new_index[total] = out.len();
    let kept = lines
        .iter()
        .map(|r| new_index[r.start]..if r.end == total { out.len() } else { new_index[r.end] })
        .filter(|r| !r.is_empty())
        .collect();
    (out, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, x: u32, conf: f32) -> Word {
        Word { text: text.into(), bbox: BBox { x, y: 100, w: 40, h: 12 }, confidence: conf }
    }

    #[test]
    fn only_runs_read_with_low_confidence_are_doubtful() {
        // One line: a garbled caption, a wide gap, a value read well.
        let words = [
            word("ae", 10, 0.1),
            word("Eas", 60, 0.2),
            word("Kalina", 300, 0.96),
            word("|", 350, 0.0),
        ];
        let lines = std::slice::from_ref(&(0..4));
        let found = doubtful(&words, lines, 1000, 1000);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].words, 0..2);
        // Cut out with a margin of its height, clipped to the page.
        assert_eq!(found[0].area, BBox { x: 0, y: 94, w: 112, h: 24 });
    }

    #[test]
    fn a_second_reading_is_kept_only_when_surer_and_off_its_neighbours() {
        // The stretch, and a neighbour inside its margin.
        let words = [word("ae", 10, 0.1), word("Eas", 60, 0.2), word("|", 104, 0.9)];
        let s =
            Stretch { words: 0..2, area: BBox { x: 0, y: 94, w: 112, h: 24 }, confidence: 0.15 };
        // Read on the cut-out enlarged twice: boxes in its coordinates.
        let at = |text: &str, x: u32, conf: f32| Word {
            text: text.into(),
            bbox: BBox { x, y: 12, w: 60, h: 24 },
            confidence: conf,
        };
        let kept = better(&s, &words, vec![at("Full", 20, 0.9), at("Name", 100, 0.9)]).unwrap();
        assert_eq!(kept.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), ["Full", "Name"]);
        assert_eq!(kept[1].bbox, BBox { x: 50, y: 100, w: 30, h: 12 });
        // No surer: the first reading stays.
        assert!(better(&s, &words, vec![at("Fu11", 20, 0.25)]).is_none());
        // The neighbour caught in the margin is no part of it.
        assert!(better(&s, &words, vec![at("l", 206, 0.9)]).is_none());
    }

    #[test]
    fn splicing_keeps_every_other_word_and_the_lines() {
        let words = vec![
            word("a", 0, 0.9),
            word("ae", 10, 0.1),
            word("Eas", 60, 0.2),
            word("b", 300, 0.9),
            word("c", 0, 0.9),
        ];
        let lines = [0..4, 4..5];
        let new = vec![word("Full", 10, 0.9), word("Name", 40, 0.9), word("(Block", 70, 0.9)];
        let (out, lines) = splice(words, &lines, vec![(1..3, new)]);
        let texts: Vec<&str> = out.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["a", "Full", "Name", "(Block", "b", "c"]);
        assert_eq!(lines, [0..5, 5..6]);
    }
}
