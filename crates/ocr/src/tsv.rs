//! Parsing tesseract's TSV output into words with boxes and confidences.

use chartdex_core::{BBox, Word};

/// The words (TSV level 5) with a confidence, in reading order.
///
/// Columns: level page_num block_num par_num line_num word_num left top width height conf text.
pub(crate) fn words(tsv: &str) -> Vec<Word> {
    tsv.lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.splitn(12, '\t').collect();
            if cols.len() != 12 || cols[0] != "5" {
                return None;
            }
            let n = |i: usize| cols[i].trim().parse::<u32>().ok();
            let conf: f32 = cols[10].trim().parse().ok()?;
            let text = cols[11].trim();
            if conf < 0.0 || text.is_empty() {
                return None;
            }
            Some(Word {
                text: text.to_string(),
                bbox: BBox { x: n(6)?, y: n(7)?, w: n(8)?, h: n(9)? },
                confidence: (conf / 100.0).clamp(0.0, 1.0),
            })
        })
        .collect()
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
        let w = words(tsv);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].text, "Patient:");
        assert_eq!(w[0].bbox, BBox { x: 100, y: 200, w: 180, h: 40 });
        assert!((w[0].confidence - 0.965).abs() < 1e-6);
        assert_eq!(w[1].text, "Testpatient");
    }

    #[test]
    fn garbage_lines_are_skipped() {
        assert!(words("not tsv\n5\tx\n").is_empty());
    }
}
