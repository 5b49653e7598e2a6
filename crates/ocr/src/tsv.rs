//! Parsing tesseract's TSV output into words with boxes and confidences, and its lines.

use chartdex_core::{BBox, Word};
use std::ops::Range;

/// The words (TSV level 5) with a confidence, in tesseract's order, and the ranges of them that
/// tesseract read as one line each (same block, paragraph and line number).
///
/// Columns: level page_num block_num par_num line_num word_num left top width height conf text.
pub(crate) fn words(tsv: &str) -> (Vec<Word>, Vec<Range<usize>>) {
    let mut words = Vec::new();
    let mut lines: Vec<Range<usize>> = Vec::new();
    let mut current = None;
    for line in tsv.lines() {
        let cols: Vec<&str> = line.splitn(12, '\t').collect();
        if cols.len() != 12 || cols[0] != "5" {
            continue;
        }
        let n = |i: usize| cols[i].trim().parse::<u32>().ok();
        let (Some(conf), text) = (cols[10].trim().parse::<f32>().ok(), cols[11].trim()) else {
            continue;
        };
        let (Some(x), Some(y), Some(w), Some(h)) = (n(6), n(7), n(8), n(9)) else { continue };
        if conf < 0.0 || text.is_empty() {
            continue;
        }
        let key = (n(1), n(2), n(3), n(4));
        match lines.last_mut() {
            Some(range) if current == Some(key) => range.end += 1,
            _ => lines.push(words.len()..words.len() + 1),
        }
        current = Some(key);
        words.push(Word {
            text: text.to_string(),
            bbox: BBox { x, y, w, h },
            confidence: (conf / 100.0).clamp(0.0, 1.0),
        });
    }
    (words, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_word_rows_only() {
        let tsv = "1\t1\t0\t0\t0\t0\t0\t0\t2550\t3300\t-1\t\n\
                   4\t1\t1\t1\t1\t0\t100\t200\t800\t40\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t100\t200\t180\t40\t96.5\tPatient:\n\
                   5\t1\t1\t1\t1\t2\t300\t200\t220\t40\t91\tTestpatient\n\
                   5\t1\t1\t1\t1\t3\t300\t200\t220\t40\t95\t \n";
        let (w, lines) = words(tsv);
        assert_eq!(w.len(), 2);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0], 0..2);
        assert_eq!(w[0].text, "Patient:");
        assert_eq!(w[0].bbox, BBox { x: 100, y: 200, w: 180, h: 40 });
        assert!((w[0].confidence - 0.965).abs() < 1e-6);
        assert_eq!(w[1].text, "Testpatient");
    }

    #[test]
    fn garbage_lines_are_skipped() {
        assert!(words("not tsv\n5\tx\n").0.is_empty());
    }

    #[test]
    fn words_are_grouped_in_tesseracts_lines() {
        let row = |block: u32, line: u32, word: u32, text: &str| {
            format!("5\t1\t{block}\t1\t{line}\t{word}\t10\t10\t50\t20\t90\t{text}\n")
        };
        let tsv = [row(1, 1, 1, "a"), row(1, 1, 2, "b"), row(1, 2, 1, "c"), row(2, 1, 1, "d")];
        let (w, lines) = words(&tsv.concat());
        assert_eq!(w.len(), 4);
        assert_eq!(lines, [0..2, 2..3, 3..4]);
    }
}
