//! A page as lines of tokens, each token tied to the OCR word it came from (box and confidence),
//! so a value read off the text can say where on the page it stands and how well it was read.

use chartdex_core::reading::{self, Frame};
#[cfg(test)]
use chartdex_core::PageMeta;
use chartdex_core::{BBox, PageText, TextMethod};

/// One whitespace-separated token of a line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    /// Byte range in the line.
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// The word's box in the frame tesseract read the page in (turned upright and deskewed),
    /// where a line of text is level: what rows, columns and "under" are judged by.
    pub(crate) bbox: Option<BBox>,
    /// The word's box on the page as scanned: what evidence points at.
    pub(crate) page_box: Option<BBox>,
    pub(crate) confidence: f32,
}

/// One line of a page's text.
#[derive(Debug, Clone)]
pub(crate) struct Line<'a> {
    pub(crate) page: u32,
    pub(crate) text: &'a str,
    pub(crate) tokens: Vec<Token>,
    /// The page's usual word space, in word heights ([`reading::word_space`]): what a wide gap
    /// is wider than.
    pub(crate) space: f32,
}

/// Where a value was read: its page, box and the confidence of its words.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Place {
    pub(crate) page: u32,
    pub(crate) bbox: Option<BBox>,
    pub(crate) confidence: f32,
}

impl<'a> Line<'a> {
    /// The place of the text in byte range `start..end` of the line: the union of the boxes of
    /// the tokens it touches and their mean confidence (as a page's is the mean of its words).
    /// Tokens without a letter or digit (OCR's "=" or "|" for a gap) do not count.
    /// The median height of the line's words, when they have boxes.
    pub(crate) fn height(&self) -> Option<u32> {
        let mut h: Vec<u32> = self.tokens.iter().filter_map(|t| t.bbox.map(|b| b.h)).collect();
        h.sort_unstable();
        h.get(h.len() / 2).copied()
    }

    /// The line's cells, as ranges of its tokens (first, last): cut at its wide gaps (more than
    /// twice the height of its words and three of the page's word spaces) and at a rule between
    /// them ("|", as OCR reads a box's border), which is no cell's.
    pub(crate) fn cell_ranges(&self) -> Vec<(usize, usize)> {
        let height = self.height().unwrap_or(0);
        let rule = |t: &Token| self.text[t.start..t.end].chars().all(|c| "|[]".contains(c));
        // A form's options with their check boxes are one cell, however far apart the options
        // are printed: "☒ M    ☐ F", "M ☒    F ☐" (the marks the OCR stage read).
        let mark = |k: usize| {
            self.tokens.get(k).is_some_and(|t| {
                let w = &self.text[t.start..t.end];
                w == crate::labels::MARK_CHECKED || w == crate::labels::MARK_EMPTY
            })
        };
        let mut out = Vec::new();
        let mut start = 0;
        for i in 1..=self.tokens.len() {
            let options = (mark(i) || mark(i + 1)) && (start..i).any(mark);
            let cut = i == self.tokens.len()
                || (!options && rule(&self.tokens[i]))
                || rule(&self.tokens[i - 1])
                || match (self.tokens[i - 1].bbox, self.tokens[i].bbox) {
                    _ if options => false,
                    (Some(a), Some(b)) => {
                        let wide = 2.0_f32.max(3.0 * self.space) * height as f32;
                        (b.x.saturating_sub(a.x + a.w)) as f32 > wide
                    }
                    _ => false,
                };
            if !cut {
                continue;
            }
            if !(start..i).all(|k| rule(&self.tokens[k])) {
                out.push((start, i - 1));
            }
            start = i;
        }
        out
    }

    /// The line of tokens `first..=last` of this one.
    pub(crate) fn part(&self, first: usize, last: usize) -> Line<'a> {
        let (from, to) = (self.tokens[first].start, self.tokens[last].end);
        let tokens = self.tokens[first..=last]
            .iter()
            .map(|t| Token { start: t.start - from, end: t.end - from, ..t.clone() })
            .collect();
        Line { page: self.page, text: &self.text[from..to], tokens, space: self.space }
    }

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
            if let Some(b) = t.page_box {
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
    let frame = Frame::of(&page.words, &page.meta);
    let mut next_word = 0;
    let mut out = Vec::new();
    for text in page.text.lines() {
        let mut tokens = Vec::new();
        for (start, token) in split_tokens(text) {
            let mut token = Token {
                start,
                end: start + token.len(),
                bbox: None,
                page_box: None,
                confidence: base,
            };
            let look = words.iter().enumerate().skip(next_word).take(4);
            let word_text = &text[token.start..token.end];
            if let Some((i, w)) = look.clone().find(|(_, w)| w.text == word_text) {
                token.bbox = Some(frame.upright(w.bbox));
                token.page_box = Some(w.bbox);
                token.confidence = w.confidence;
                next_word = i + 1;
            }
            tokens.push(token);
        }
        out.push(Line { page: page.number, text, tokens, space: 0.0 });
    }
    let boxes: Vec<Vec<BBox>> =
        out.iter().map(|l| l.tokens.iter().filter_map(|t| t.bbox).collect()).collect();
    let space = reading::word_space(&boxes);
    for line in &mut out {
        line.space = space;
    }
    out
}

/// A page's lines rebuilt as rows of the page, owning their text.
#[derive(Debug, Clone)]
pub(crate) struct Rows {
    page: u32,
    rows: Vec<(String, Vec<Token>)>,
    space: f32,
}

impl Rows {
    /// The rows as lines.
    pub(crate) fn lines(&self) -> Vec<Line<'_>> {
        self.rows
            .iter()
            .map(|(text, tokens)| Line {
                page: self.page,
                text,
                tokens: tokens.clone(),
                space: self.space,
            })
            .collect()
    }

    /// The rows cut at their wide gaps (more than twice the height of their words): the cells a
    /// form or a letterhead sets apart on one row, each a line of its own.
    pub(crate) fn cells(&self) -> Vec<Line<'_>> {
        let mut out = Vec::new();
        for line in self.lines() {
            for (first, last) in line.cell_ranges() {
                out.push(line.part(first, last));
            }
            if line.tokens.is_empty() {
                out.push(line);
            }
        }
        out
    }
}

/// The lines of a page as rows of the page, in reading order ([`chartdex_core::reading::rows`]):
/// lines tesseract read as separate blocks but standing on one row are one line again (a form's
/// columns read as blocks of their own: "Name: Bruno Notreal Chart #: MR460221", then far down
/// the text "D.O.B.:", "Nov 21,", "1947"), and true columns of running text are read one after
/// the other. Boxes are compared on the page as tesseract read it (upright, deskewed); lines
/// without boxes stay after the line before them.
pub(crate) fn rows(lines: &[Line<'_>]) -> Rows {
    let boxes: Vec<Vec<BBox>> = lines
        .iter()
        .map(|line| {
            reading::geometry(
                line.tokens.iter().filter_map(|t| Some((&line.text[t.start..t.end], t.bbox?))),
            )
        })
        .collect();
    let mut rows = Vec::with_capacity(lines.len());
    for row in reading::rows(&boxes) {
        let mut text = String::new();
        let mut tokens = Vec::new();
        for j in row.lines {
            let part = &lines[j];
            if !text.is_empty() {
                text.push(' ');
            }
            let shift = text.len();
            text.push_str(part.text);
            tokens.extend(part.tokens.iter().map(|t| Token {
                start: t.start + shift,
                end: t.end + shift,
                ..t.clone()
            }));
        }
        // ("MRN=…", "Name - …": read as the colons they stand for.)
        crate::labels::separators_as_colons(&mut text, &tokens);
        rows.push((text, tokens));
    }
    Rows {
        page: lines.first().map_or(0, |l| l.page),
        rows,
        space: lines.first().map_or(0.0, |l| l.space),
    }
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

    /// A page of tesseract lines, each a list of (word, x, y); words 20 px tall, 12 px a letter.
    fn ocr_page(lines: &[&[(&str, u32, u32)]], meta: PageMeta) -> PageText {
        let mut words = Vec::new();
        for (t, x, y) in lines.iter().flat_map(|l| l.iter()) {
            let w = 12 * t.len() as u32;
            words.push(Word {
                text: t.to_string(),
                bbox: BBox { x: *x, y: *y, w, h: 20 },
                confidence: 0.9,
            });
        }
        let text = lines
            .iter()
            .map(|l| l.iter().map(|(t, _, _)| *t).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\n");
        PageText { number: 1, text, confidence: 0.9, method: TextMethod::Ocr, words, meta }
    }

    fn row_texts(page: &PageText) -> Vec<String> {
        let lines = lines(page);
        rows(&lines).lines().iter().map(|l| l.text.to_string()).collect()
    }

    #[test]
    fn a_forms_columns_read_as_blocks_of_their_own_are_one_row_again() {
        // Tesseract gave the right-hand column after the left one, a line at a time.
        let page = ocr_page(
            &[
                &[("Name:", 200, 100), ("Bruno", 280, 100), ("Chart", 500, 101), ("#:", 570, 101)],
                &[("Gender:", 200, 150), ("F", 300, 150)],
                &[("D.O.B.:", 900, 102)],
                &[("Nov", 1000, 101), ("21,", 1050, 101)],
                &[("Provider:", 900, 151)],
                &[("1947", 1100, 100)],
                &[("Rosa", 1020, 152)],
                &[("Notaphys,", 200, 200), ("MD", 320, 200)],
            ],
            PageMeta::default(),
        );
        assert_eq!(
            row_texts(&page),
            [
                "Name: Bruno Chart #: D.O.B.: Nov 21, 1947",
                "Gender: F Provider: Rosa",
                "Notaphys, MD",
            ]
        );
        // Each token keeps its own box.
        let lines = lines(&page);
        let rows = rows(&lines);
        let row = &rows.lines()[0];
        let t = row.tokens.iter().find(|t| &row.text[t.start..t.end] == "1947").unwrap();
        assert_eq!(t.bbox.map(|b| (b.x, b.y)), Some((1100, 100)));
        assert_eq!(row.place(t.start, t.end).bbox.map(|b| b.x), Some(1100));
    }

    #[test]
    fn lines_on_other_rows_or_to_the_left_stay_apart() {
        let page = ocr_page(
            &[
                &[("Assessment:", 200, 100)],
                // Half a line lower: another row.
                &[("Plan:", 700, 112)],
                // Starting before the row's last word ends: not on from it.
                &[("Overlap", 300, 100)],
                // Left of the row: its start.
                &[("Left", 100, 100)],
            ],
            PageMeta::default(),
        );
        // Top to bottom: "Plan:" stands lower than "Overlap".
        assert_eq!(row_texts(&page), ["Left Assessment:", "Overlap", "Plan:"]);
    }

    #[test]
    fn rows_are_judged_on_the_deskewed_page() {
        // A page scanned 2° counter-clockwise: each row rises to the right by tan 2° ≈ 0.035,
        // 35 px over 1000 px, more than a word's height. Deskewed, it is one row again.
        let meta = PageMeta { skew: Some(2.0), deskewed: true, ..PageMeta::default() };
        let page = ocr_page(
            &[
                &[("Name:", 200, 500), ("Ann", 280, 497)],
                &[("MRN:", 1200, 465), ("0012", 1270, 463)],
            ],
            meta.clone(),
        );
        assert_eq!(row_texts(&page), ["Name: Ann MRN: 0012"]);
        // On the page as scanned (not deskewed) those are two rows.
        let page = PageText { meta: PageMeta::default(), ..page };
        assert_eq!(row_texts(&page), ["MRN: 0012", "Name: Ann"]);
    }

    #[test]
    fn boxes_of_a_page_turned_upright_are_read_upright() {
        // Fed upside down and turned 180°: the word last on the scan is first on the page.
        let meta = PageMeta { rotation: 180, ..PageMeta::default() };
        let page = ocr_page(&[&[("MRN:", 1000, 500), ("Name:", 100, 500)]], meta);
        let line = &lines(&page)[0];
        let (a, b) = (line.tokens[0].bbox.unwrap(), line.tokens[1].bbox.unwrap());
        assert!(a.x < b.x, "{a:?} {b:?}");
        // Evidence still points at the page as scanned.
        assert_eq!(line.tokens[0].page_box.map(|b| b.x), Some(1000));
    }
}
