//! Deciding whether a PDF page's text layer is real text worth using instead of OCR.
//!
//! Fonts without a Unicode mapping extract as symbol soup ("Ink^;eZ\d!D6*))"), and a scanned page
//! may carry a stray stamp; neither should replace OCR. A text layer from an earlier OCR run
//! (invisible text over the scan) counts as real text.

/// The page's text if it reads as real text. `has_images` asks for more text, since a scanned
/// page with a short stamp or header must still be OCRed.
pub(crate) fn usable(text: &str, has_images: bool) -> Option<String> {
    let mut clean = 0usize;
    let mut dirty = 0usize;
    let mut letters = 0usize;
    let mut words = 0usize;
    for token in text.split_whitespace() {
        let core = token.trim_matches(|c: char| !c.is_alphanumeric());
        if core.is_empty() {
            continue; // punctuation, rules, bullets
        }
        let ok = core
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '\'' | '’' | '.' | ',' | '/' | ':'));
        if ok {
            clean += 1;
            let l = core.chars().filter(|c| c.is_alphabetic()).count();
            letters += l;
            if l >= 2 {
                words += 1;
            }
        } else {
            dirty += 1;
        }
    }
    let total = clean + dirty;
    let enough = if has_images { letters >= 50 && words >= 8 } else { letters >= 4 && words >= 1 };
    (total > 0 && clean * 10 >= total * 7 && enough).then(|| tidy(text))
}

/// Trims lines and collapses runs of blank lines, as OCR text is stored.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_text_is_used() {
        assert_eq!(
            usable("Page 2 Heading\nBody text. \n", false).as_deref(),
            Some("Page 2 Heading\nBody text.")
        );
    }

    #[test]
    fn unmapped_fonts_are_not() {
        assert_eq!(usable("\"7+%-\n", false), None);
        assert_eq!(
            usable("Fnemb\\hehk;eZ\\d\nInk^;eZ\\d!D6*))\"\nInk^FZ‘^gmZ\nInk^<rZg\n", false),
            None
        );
        assert_eq!(usable(" \n", false), None);
    }

    #[test]
    fn a_stamp_on_a_scan_is_not_a_text_layer() {
        assert_eq!(usable("Received by fax 03/02/2024", true), None);
        let ocr_layer =
            "Patient: Alice Testpatient MRN 00123456 seen today for follow up of diabetes \
                         and hypertension; doing well on metformin and lisinopril, no complaints.";
        assert!(usable(ocr_layer, true).is_some());
    }
}
