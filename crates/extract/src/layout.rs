//! A page as lines of tokens, each token tied to the OCR word it came from (box and confidence),
//! so a value read off the text can say where on the page it stands and how well it was read.

use chartdex_core::{BBox, PageText, TextMethod};

/// One whitespace-separated token of a line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    /// Byte range in the line.
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) bbox: Option<BBox>,
    pub(crate) confidence: f32,
}

/// One line of a page's text.
#[derive(Debug, Clone)]
pub(crate) struct Line<'a> {
    pub(crate) page: u32,
    pub(crate) text: &'a str,
    pub(crate) tokens: Vec<Token>,
}

/// Where a value was read: its page, box and the confidence of its words.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Place {
    pub(crate) page: u32,
    pub(crate) bbox: Option<BBox>,
    pub(crate) confidence: f32,
}

impl Line<'_> {
    /// The place of the text in byte range `start..end` of the line: the union of the boxes of
    /// the tokens it touches and their mean confidence (as a page's is the mean of its words).
    /// Tokens without a letter or digit (OCR's "=" or "|" for a gap) do not count.
    pub(crate) fn place(&self, start: usize, end: usize) -> Place {
        let text = self.text;
        let touched = self.tokens.iter().filter(|t| {
            t.start < end
                && t.end > start
                && text[t.start..t.end].chars().any(char::is_alphanumeric)
        });
        let mut bbox: Option<BBox> = None;
        let (mut sum, mut n) = (0.0, 0);
        for t in touched {
            if let Some(b) = t.bbox {
                bbox = Some(bbox.map_or(b, |a| a.union(b)));
            }
            sum += t.confidence;
            n += 1;
        }
        let confidence = if n == 0 { 0.0 } else { sum / n as f32 };
        Place { page: self.page, bbox, confidence }
    }

    /// The left edge of the token starting at or containing byte `at`, in pixels, if known.
    pub(crate) fn x_at(&self, at: usize) -> Option<u32> {
        self.tokens.iter().find(|t| t.end > at).and_then(|t| t.bbox).map(|b| b.x)
    }

    /// The byte range of the tokens whose left edge lies in `from..to` pixels (to the line's end
    /// when `to` is `None`); `None` when no token does or the line has no boxes.
    pub(crate) fn range_in_column(&self, from: u32, to: Option<u32>) -> Option<(usize, usize)> {
        let inside: Vec<&Token> = self
            .tokens
            .iter()
            .filter(|t| t.bbox.is_some_and(|b| b.x + 8 >= from && to.is_none_or(|to| b.x < to)))
            .collect();
        Some((inside.first()?.start, inside.last()?.end))
    }
}

/// The lines of a page with their tokens. OCR text is tesseract's words joined by spaces and
/// newlines, so the page's tokens and its words come in the same order: each token takes the box
/// and confidence of its word. Where they disagree (a word the text does not hold) the two are
/// brought back in step a few words on; a token without a word has no box and the page's
/// confidence. Text-layer pages have no boxes and full confidence.
pub(crate) fn lines(page: &PageText) -> Vec<Line<'_>> {
    let words = &page.words;
    let base = match page.method {
        TextMethod::TextLayer => 1.0,
        TextMethod::Ocr => page.confidence,
    };
    let mut next_word = 0;
    let mut out = Vec::new();
    for text in page.text.lines() {
        let mut tokens = Vec::new();
        for (start, token) in split_tokens(text) {
            let mut token = Token { start, end: start + token.len(), bbox: None, confidence: base };
            let look = words.iter().enumerate().skip(next_word).take(4);
            let word_text = &text[token.start..token.end];
            if let Some((i, w)) = look.clone().find(|(_, w)| w.text == word_text) {
                token.bbox = Some(w.bbox);
                token.confidence = w.confidence;
                next_word = i + 1;
            }
            tokens.push(token);
        }
        out.push(Line { page: page.number, text, tokens });
    }
    out
}

/// Whitespace-separated tokens with their byte offsets.
pub(crate) fn split_tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text;
    let mut offset = 0;
    std::iter::from_fn(move || {
        let trimmed = rest.trim_start();
        offset += rest.len() - trimmed.len();
        if trimmed.is_empty() {
            return None;
        }
        let len = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let at = offset;
        rest = &trimmed[len..];
        offset += len;
        Some((at, &trimmed[..len]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chartdex_core::Word;

    fn word(text: &str, x: u32, confidence: f32) -> Word {
        Word { text: text.into(), bbox: BBox { x, y: 100, w: 50, h: 20 }, confidence }
    }

    #[test]
    fn tokens_take_their_words_boxes_and_resync_after_a_mismatch() {
        let page = PageText {
            number: 2,
            text: "MRN: 0012\nDOB: 01/02/1990".into(),
            confidence: 0.5,
            method: TextMethod::Ocr,
            words: vec![
                word("MRN:", 10, 0.9),
                word("0012", 80, 0.7),
                word("??", 150, 0.1),
                word("DOB:", 10, 0.95),
                word("01/02/1990", 80, 0.8),
            ],
            meta: Default::default(),
        };
        let lines = lines(&page);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].tokens[1].bbox.unwrap().x, 80);
        assert_eq!(lines[1].tokens[1].confidence, 0.8);
        let p = lines[1].place(0, lines[1].text.len());
        assert_eq!(p.page, 2);
        assert_eq!(p.bbox, Some(BBox { x: 10, y: 100, w: 120, h: 20 }));
        assert!((p.confidence - 0.875).abs() < 1e-6);
        assert_eq!(lines[1].range_in_column(60, None), Some((5, 15)));
        assert_eq!(lines[1].range_in_column(200, None), None);
    }

    #[test]
    fn text_layer_tokens_have_no_boxes_and_full_confidence() {
        let page = PageText {
            number: 1,
            text: "  a  bb ".into(),
            confidence: 1.0,
            method: TextMethod::TextLayer,
            words: vec![],
            meta: Default::default(),
        };
        let l = &lines(&page)[0];
        assert_eq!(l.tokens.iter().map(|t| (t.start, t.end)).collect::<Vec<_>>(), [(2, 3), (5, 7)]);
        assert_eq!(l.place(0, 8).confidence, 1.0);
        assert_eq!(l.place(0, 8).bbox, None);
    }
}
