//! Optical character recognition: a page raster → its text, words with boxes, and confidences.
//!
//! [`Recognizer`] is the seam the pipeline drives; [`TesseractEngine`] implements it over
//! libtesseract (Debian's tesseract 5, through the `tesseract` crate), and tests elsewhere plug in
//! fakes. An engine is expensive to create (it loads the language model), so a caller makes one
//! per worker thread and reuses it for every page. This crate never touches files or the catalogue.

mod clean;
mod marks;
mod osd;
mod preprocess;
mod reread;
mod tsv;

pub use preprocess::Preprocess;
use preprocess::{Geometry, Gray};

use chartdex_core::{reading, BBox, PageMeta, PageText, Raster, TextMethod, Word};
use std::ops::Range;
use std::path::PathBuf;
use tesseract::{PageSegMode, Tesseract};

/// Errors from an OCR engine.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error(
        "could not start tesseract with language {language:?}{}: is the language data installed \
         (Debian: tesseract-ocr-{language})?",
        datapath.as_ref().map(|p| format!(" and data path {}", p.display())).unwrap_or_default()
    )]
    Init { language: String, datapath: Option<PathBuf> },
    #[error("page of {width}x{height} pixels cannot be handed to tesseract: {detail}")]
    BadImage { width: u32, height: u32, detail: String },
    #[error("tesseract failed to recognise the page: {0}")]
    Recognize(String),
}

/// What recognition found on one page.
#[derive(Debug, Clone, PartialEq)]
pub struct Recognized {
    /// The words as text in reading order (rows of the page; true columns one after the other;
    /// see [`chartdex_core::reading`]).
    pub text: String,
    /// Mean word confidence, 0..1; 0 when no word was found.
    pub confidence: f32,
    /// Words with boxes in the original page's coordinates, in the order of the text.
    pub words: Vec<Word>,
    /// What was done to the page before recognition.
    pub meta: PageMeta,
}

/// An OCR engine that recognises one page at a time. Implementations are `Send` so each worker
/// thread can own one.
pub trait Recognizer: Send {
    fn recognize(&mut self, page: &Raster) -> Result<Recognized, OcrError>;
}

/// Settings for [`TesseractEngine`].
#[derive(Debug, Clone)]
pub struct TesseractConfig {
    /// Tesseract language code(s), e.g. `eng` or `eng+spa`.
    pub language: String,
    /// Directory holding `*.traineddata`; `None` uses tesseract's default (or `TESSDATA_PREFIX`).
    pub datapath: Option<PathBuf>,
    /// Page preparation before recognition.
    pub preprocess: Preprocess,
}

impl Default for TesseractConfig {
    fn default() -> Self {
        TesseractConfig {
            language: "eng".into(),
            datapath: None,
            preprocess: Preprocess::default(),
        }
    }
}

/// True when tesseract's OpenMP threading is limited for this process.
///
/// libgomp reads `OMP_THREAD_LIMIT` when the library is loaded, before `main`, so it must be in
/// the environment the process was started with; a caller that finds it missing should re-execute
/// itself with `OMP_THREAD_LIMIT=1`. With one engine per core, OpenMP's own threads only fight
/// each other: a letter page took 3.6 s with them and 0.59 s without on a 2-core machine.
pub fn openmp_limited() -> bool {
    std::env::var_os("OMP_THREAD_LIMIT").is_some()
}

/// A libtesseract engine, created once and reused across pages.
pub struct TesseractEngine {
    config: TesseractConfig,
    // `tesseract::Tesseract` consumes itself on every call and is lost on error; it is re-created
    // on the next page when that happens.
    api: Option<Tesseract>,
    /// The orientation detector; `None` if switched off or the `osd` model is missing.
    osd: Option<osd::Osd>,
}

impl std::fmt::Debug for TesseractEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TesseractEngine").field("config", &self.config).finish_non_exhaustive()
    }
}

impl TesseractEngine {
    /// Starts an engine, loading the language model.
    pub fn new(config: TesseractConfig) -> Result<TesseractEngine, OcrError> {
        let api = Self::start(&config)?;
        let osd = if config.preprocess.orientation {
            let osd = osd::Osd::new(config.datapath.as_deref());
            if osd.is_none() {
                tracing::warn!("tesseract's osd model is missing (Debian: tesseract-ocr-osd); pages are not turned upright");
            }
            osd
        } else {
            None
        };
        Ok(TesseractEngine { config, api: Some(api), osd })
    }

    fn start(config: &TesseractConfig) -> Result<Tesseract, OcrError> {
        let init_err = || OcrError::Init {
            language: config.language.clone(),
            datapath: config.datapath.clone(),
        };
        let datapath =
            config.datapath.as_ref().map(|p| p.to_str().ok_or_else(init_err)).transpose()?;
        let api = Tesseract::new(datapath, Some(&config.language)).map_err(|_| init_err())?;
        // Tesseract prints diagnostics ("Detected 19 diacritics") to stderr; they are noise
        // beside chartdex's own report.
        let mut api = api.set_variable("debug_file", "/dev/null").map_err(|_| init_err())?;
        // The API's default is a single text block; the tesseract command line (and every chart
        // page) wants automatic page segmentation.
        api.set_page_seg_mode(PageSegMode::PsmAuto);
        Ok(api)
    }

    /// The version of the linked libtesseract.
    pub fn version() -> String {
        tesseract::plumbing::version().to_string_lossy().into_owned()
    }
}

impl Recognizer for TesseractEngine {
    fn recognize(&mut self, page: &Raster) -> Result<Recognized, OcrError> {
        if page.pixels.len() != page.width as usize * page.height as usize {
            return Err(OcrError::BadImage {
                width: page.width,
                height: page.height,
                detail: "pixel buffer does not match the size".into(),
            });
        }
        // Most pages come upright, and tesseract reads them as well without asking the
        // orientation model, which costs about a fifth of a second a page. It is asked only
        // when the page does not read as upright text: low confidence (an upside-down page reads
        // as garbage, at 0.3–0.4) or word boxes standing on end (a page fed sideways).
        let first = self.read(page, false)?.expect("a reading without orientation check");
        if first.meta.blank || self.osd.is_none() || !self.config.preprocess.orientation {
            return Ok(first);
        }
        if !reads_upright(&first) {
            match self.read(page, true)? {
                // Turned: the turned reading, unless it reads worse.
                Some(turned) if turned.confidence + 0.05 >= first.confidence => return Ok(turned),
                Some(_) => {}
                None => {}
            }
        }
        Ok(first)
    }
}

/// A page's resolution: the finer of its two axes (a fine-mode fax is 204×196 dpi: 204, not
/// a resolution low enough to enlarge).
fn resolution(page: &Raster) -> u32 {
    page.dpi.0.max(page.dpi.1).max(1)
}

/// Below this mean word confidence a page is checked for orientation. Upright pages of
/// `scripts/eval-ocr` and `scripts/bench-throughput` read at 0.85 or more; upside-down ones at
/// 0.29–0.39.
const UPRIGHT_CONFIDENCE: f32 = 0.7;

/// True if a reading looks like upright text: confident, and most words wider than tall.
fn reads_upright(r: &Recognized) -> bool {
    let long: Vec<&Word> = r
        .words
        .iter()
        .filter(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 3)
        .collect();
    let standing = long.iter().filter(|w| w.bbox.h > w.bbox.w).count();
    !r.words.is_empty() && r.confidence >= UPRIGHT_CONFIDENCE && standing * 2 <= long.len()
}

impl TesseractEngine {
    /// Prepares and recognises the page. With `orient`, the orientation model is asked first,
    /// and `None` is returned when it finds the page upright (or is unsure): nothing to read anew.
    fn read(&mut self, page: &Raster, orient: bool) -> Result<Option<Recognized>, OcrError> {
        let api = match self.api.take() {
            Some(api) => api,
            None => Self::start(&self.config)?,
        };
        let bad_image =
            |detail: String| OcrError::BadImage { width: page.width, height: page.height, detail };
        let (mut prepared, geometry, mut meta) = self.prepare(page, orient);
        if meta.blank || (orient && meta.rotation == 0) {
            // Nothing (new) to read: tesseract is not asked.
            self.api = Some(api);
            if orient {
                return Ok(None);
            }
            let empty =
                Recognized { text: String::new(), confidence: 0.0, words: Vec::new(), meta };
            return Ok(Some(empty));
        }
        // Whether a step moved or changed the page (its words' boxes are mapped back).
        let moved = prepared.is_some();
        let unmoved = geometry.scaled == (page.width, page.height)
            && geometry.quarter == 0
            && geometry.skew == 0.0;
        // A form's check boxes and rings, read from the pixels and erased before tesseract
        // reads the page (and, for second readings, from the page as given where it lies
        // unmoved under the prepared one).
        let mut marks = Vec::new();
        let mut original_erased: Option<Gray> = None;
        if self.config.preprocess.marks {
            let (w, px) =
                prepared.as_ref().map_or((page.width, &page.pixels), |g| (g.width, &g.pixels));
            marks = marks::find(px, w);
            if !marks.is_empty() {
                let as_given =
                    || Gray { width: page.width, height: page.height, pixels: page.pixels.clone() };
                let mut work = prepared.take().unwrap_or_else(as_given);
                marks::erase(&mut work, &marks);
                if unmoved && moved {
                    let mut o = as_given();
                    marks::erase(&mut o, &marks);
                    original_erased = Some(o);
                }
                prepared = Some(work);
                meta.marks = u32::try_from(marks.len()).unwrap_or(u32::MAX);
            }
        }
        let img = prepared.as_ref().map_or((page.width, page.height, &page.pixels[..]), |g| {
            (g.width, g.height, &g.pixels[..])
        });
        let width = i32::try_from(img.0).map_err(|_| bad_image("too wide".into()))?;
        let height = i32::try_from(img.1).map_err(|_| bad_image("too tall".into()))?;
        // A black-and-white page (fax, bilevel scan, or binarised here) is handed over as one
        // bit a pixel: tesseract then skips its own thresholding (Otsu histograms over the
        // page, a tenth of the run's time on such pages) and reads the same pixels.
        let api = if img.2.iter().all(|&p| p == 0 || p == 255) {
            let packed = pack_bits(img.2, img.0 as usize);
            let line =
                i32::try_from(img.0.div_ceil(8)).map_err(|_| bad_image("too wide".into()))?;
            api.set_frame(&packed, width, height, 0, line)
        } else {
            api.set_frame(img.2, width, height, 1, width)
        }
        .map_err(|e| bad_image(e.to_string()))?;
        let dpi = i32::try_from(meta.upscaled_to.unwrap_or(resolution(page))).unwrap_or(300);
        let mut api = api
            .set_source_resolution(dpi)
            .recognize()
            .map_err(|e| OcrError::Recognize(e.to_string()))?;
        let tsv = api.get_tsv_text(0).map_err(|e| OcrError::Recognize(e.to_string()))?;
        self.api = Some(api);
        let (words, lines) = tsv::words(&tsv);
        // A form's dot leaders and rules are ink, not words.
        let (words, lines) = without_leaders(words, &lines);
        // What was read with low confidence, once more on its own.
        let (words, lines, reread) = if self.config.preprocess.reread {
            // (Cut out of the page as given where the prepared page lies on it unmoved: the
            // grey pixels read better enlarged than a binarised page's.)
            // (The marks erased there too.)
            let source = match &original_erased {
                Some(o) => (o.width, o.height, &o.pixels[..]),
                None if unmoved && marks.is_empty() => (page.width, page.height, &page.pixels[..]),
                None => img,
            };
            self.reread(source, dpi, words, lines)
        } else {
            (words, lines, 0)
        };
        meta.reread = reread;
        // The marks among the words, where they stand.
        let (words, lines) = marks::insert(words, &lines, &marks);
        // The text in reading order, judged on the page as tesseract read it (upright,
        // deskewed), where rows are level; the words in that order, their boxes mapped back to
        // the page as given.
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        let boxes: Vec<BBox> = words.iter().map(|w| w.bbox).collect();
        let (text, order) = reading::assemble(&texts, &boxes, &lines);
        let words: Vec<Word> = order
            .into_iter()
            .map(|i| {
                let w = &words[i];
                let bbox = if moved { geometry.map_to_original(w.bbox) } else { w.bbox };
                Word { bbox, ..w.clone() }
            })
            .collect();
        // Once more as `reextract` reads a stored page (from the words in that order, on the
        // page as given): a page's text is the same whether it was just read or read again
        // from the archive.
        let page = PageText {
            number: 0,
            text,
            confidence: 0.0,
            method: TextMethod::Ocr,
            words,
            meta: meta.clone(),
        };
        let (text, words) = match reading::reassemble(&page) {
            Some(again) => again,
            None => (page.text, page.words),
        };
        Ok(Some(Recognized { text, confidence: mean_confidence(&words), words, meta }))
    }
}

impl TesseractEngine {
    /// The page's words with the stretches tesseract read with low confidence read again, each
    /// on its own, enlarged ([`reread`]), and how many readings were kept. `page` is the image
    /// tesseract read, the words' boxes on it. If tesseract fails on a cut-out, the words read so
    /// far are kept and the engine is started anew for the next page.
    fn reread(
        &mut self,
        page: (u32, u32, &[u8]),
        dpi: i32,
        words: Vec<Word>,
        lines: Vec<Range<usize>>,
    ) -> (Vec<Word>, Vec<Range<usize>>, u32) {
        let stretches = reread::doubtful(&words, &lines, page.0, page.1);
        let mut replacements = Vec::new();
        let enlarged_dpi = (f64::from(dpi) * reread::FACTOR).round() as i32;
        for stretch in &stretches {
            let Some(mut api) = self.api.take() else { break };
            // (One block of text: a caption may wrap onto a second line.)
            api.set_page_seg_mode(PageSegMode::PsmSingleBlock);
            let cut = reread::cut_out(page, stretch.area);
            let (Ok(w), Ok(h)) = (i32::try_from(cut.width), i32::try_from(cut.height)) else {
                self.api = Some(api);
                continue;
            };
            let read = api
                .set_frame(&cut.pixels, w, h, 1, w)
                .ok()
                .map(|api| api.set_source_resolution(enlarged_dpi))
                .and_then(|api| api.recognize().ok());
            let Some(mut api) = read else { break };
            let tsv = api.get_tsv_text(0).unwrap_or_default();
            api.set_page_seg_mode(PageSegMode::PsmAuto);
            self.api = Some(api);
            if let Some(new) = reread::better(stretch, &words, tsv::words(&tsv).0) {
                replacements.push((stretch.words.clone(), new));
            }
        }
        if let Some(api) = self.api.as_mut() {
            api.set_page_seg_mode(PageSegMode::PsmAuto);
        }
        let kept = u32::try_from(replacements.len()).unwrap_or(u32::MAX);
        let (words, lines) = reread::splice(words, &lines, replacements);
        (words, lines, kept)
    }
}

/// The words tesseract read (in its lines) without those that are a form's leaders or rules
/// ([`reading::leaders`]), and its lines over what is left.
fn without_leaders(words: Vec<Word>, lines: &[Range<usize>]) -> (Vec<Word>, Vec<Range<usize>>) {
    let seen: Vec<(&str, BBox, f32)> =
        words.iter().map(|w| (w.text.as_str(), w.bbox, w.confidence)).collect();
    let leader = reading::leaders(&seen);
    if !leader.contains(&true) {
        return (words, lines.to_vec());
    }
    let mut kept_lines = Vec::with_capacity(lines.len());
    let mut n = 0;
    for range in lines {
        let start = n;
        n += range.clone().filter(|&i| !leader[i]).count();
        if n > start {
            kept_lines.push(start..n);
        }
    }
    let kept = words.into_iter().zip(leader).filter(|(_, l)| !l).map(|(w, _)| w).collect();
    (kept, kept_lines)
}

/// Below this OSD confidence a page is left as it is. On `scripts/eval-ocr`'s pages (two seeds,
/// 63 pages) every real rotation was detected with a confidence of 10.4 or more, and the one wrong
/// answer (a noisy fax "upside down") had 2.5; OCRmyPDF's more cautious default is 14.
const MIN_ORIENTATION_CONFIDENCE: f32 = 5.0;
/// Skews smaller than this are left alone: rotating costs sharpness for nothing.
const MIN_SKEW_DEGREES: f32 = 0.1;
/// Bilevel pages below this resolution are enlarged to `TARGET_DPI`, where tesseract's glyph
/// sizes read best; below `MIN_UPSAMPLE_DPI` the resolution is not trusted. Fax pages at 200–204
/// dpi (after their pixels are made square) are left as they are: on `scripts/eval-ocr`'s fax
/// pages enlarging them to 300 dpi raised the error rate (0.055 → 0.063 over two seeds).
const UPSAMPLE_BELOW_DPI: u32 = 200;
const MIN_UPSAMPLE_DPI: u32 = 100;
const TARGET_DPI: u32 = 300;
/// Grey pages below this resolution are smoothed (Gaussian, `SMOOTH_SIGMA` pixels), and those
/// scanned in grey binarised, before recognition. On `scripts/eval-fields`' 200-dpi JPEG pages, over three sets of 168
/// charts, smoothing cut the header-field errors from 60 to 50 (enlarging those pages to 300 dpi
/// instead gained nothing); binarising them too cut them from 41 to 27 over three more sets of
/// 168–224 charts (binarising without smoothing: 40; binarising every grey page, 300 dpi too: 29).
const SMOOTH_BELOW_DPI: u32 = 250;
const SMOOTH_SIGMA: f64 = 0.7;

impl TesseractEngine {
    /// Runs the preparation steps; the prepared page if any step made one, how it maps to the
    /// original, and what was done.
    fn prepare(&mut self, page: &Raster, orient: bool) -> (Option<Gray>, Geometry, PageMeta) {
        let cfg = self.config.preprocess;
        let (width, height) = (page.width, page.height);
        let mut geometry =
            Geometry { width, height, scaled: (width, height), quarter: 0, skew: 0.0 };
        let original = || Gray { width, height, pixels: page.pixels.clone() };
        // The page as the steps have left it; `None` while it is the page as given.
        let mut work: Option<Gray> = None;

        let dpi = resolution(page);
        let grey = clean::grey_share(&page.pixels);
        let mut upscaled_to = None;
        // A bilevel page (fax) is enlarged by its resolution; a grey page by the measured height
        // of its text, as a grey scan at 200 dpi reads as well as it is, and enlarging its noise
        // costs more than it gains.
        if cfg.upsample
            && (MIN_UPSAMPLE_DPI..UPSAMPLE_BELOW_DPI).contains(&dpi)
            && grey <= clean::BILEVEL_AT_MOST
        {
            let mut img = preprocess::scale(&original(), f64::from(TARGET_DPI) / f64::from(dpi));
            // Keep the page black and white: grey edges from the interpolation only blur glyphs.
            img.pixels.iter_mut().for_each(|p| *p = if *p < 128 { 0 } else { 255 });
            geometry.scaled = (img.width, img.height);
            upscaled_to = Some(TARGET_DPI);
            work = Some(img);
        } else if cfg.upsample && grey > clean::BILEVEL_AT_MOST {
            // A grey page whose text is too small for tesseract (a form scanned at 100 dpi,
            // whatever resolution its file says) is enlarged until it is not, judged by the
            // height of its glyphs.
            let measured = preprocess::text_height(&page.pixels, width);
            let factor = measured.and_then(|t| preprocess::enlargement(t, width, height));
            tracing::debug!(text_height = ?measured, enlarged_by = ?factor, "grey page measured");
            if let Some(factor) = factor {
                let img = preprocess::enlarge(&original(), factor);
                geometry.scaled = (img.width, img.height);
                upscaled_to = Some((f64::from(dpi) * factor).round() as u32);
                work = Some(img);
            }
        }

        let mut cleaning = Vec::new();
        // Low-resolution grey pages (office scanners at 200 dpi, JPEG; a fax whose pixels were
        // made square): a light blur joins the broken strokes. A page scanned in grey is then
        // binarised (Sauvola) whatever its paper: tesseract's recogniser reads the grey pixels,
        // and the scanner's grain among them costs it whole words (monospaced "D.O.B.:" read as
        // "D202 Bvs"). A resampled fax is not: its grey is only at the strokes' edges, and
        // binarising it again cost characters (`scripts/eval-ocr` fax CER 0.008 → 0.034). A page
        // enlarged for its small text is neither: the interpolation smooths it, and on
        // `scripts/eval-funsd`'s forms smoothing before enlarging cost words (F1 0.77 → 0.69) and
        // binarising after it too (0.77 → 0.73).
        let low_res_grey = work.is_none()
            && (MIN_UPSAMPLE_DPI..SMOOTH_BELOW_DPI).contains(&dpi)
            && grey > clean::BILEVEL_AT_MOST;
        let grainy = low_res_grey && grey > clean::SCANNED_IN_GREY_ABOVE;
        if cfg.clean && low_res_grey {
            work = Some(preprocess::blur(&original(), SMOOTH_SIGMA));
            cleaning.push("smoothed".to_string());
        }
        if cfg.clean {
            let base = work.take().unwrap_or_else(original);
            let (cleaned, did) = clean::clean(&base, grainy);
            if did.inverted {
                cleaning.push("inverted".to_string());
            }
            if did.borders {
                cleaning.push("borders".to_string());
            }
            if did.bars > 0 {
                cleaning.push(format!("{} dark bars", did.bars));
            }
            if did.streaks > 0 {
                cleaning.push(format!("{} streaks", did.streaks));
            }
            if did.rules > 0 {
                cleaning.push(format!("{} rules", did.rules));
            }
            if did.binarized {
                cleaning.push("binarized".to_string());
            }
            if did.specks > 0 {
                cleaning.push(format!("{} specks", did.specks));
            }
            work = Some(cleaned.unwrap_or(base));
        }

        // A blank page (a separator sheet, the back of a one-sided form) is recorded and not
        // read: orientation, deskew and recognition would find nothing.
        if cfg.clean
            && clean::is_blank(
                work.as_ref().map_or(&page.pixels[..], |g| &g.pixels[..]),
                work.as_ref().map_or(width, |g| g.width),
            )
        {
            let mut meta = preprocess::meta(&geometry, None, None, &cfg);
            meta.upscaled_to = upscaled_to;
            meta.cleaning = cleaning;
            meta.blank = true;
            return (work, geometry, meta);
        }

        let mut orientation_confidence = None;
        if let Some(osd) = self.osd.as_mut().filter(|_| cfg.orientation && orient) {
            let (pixels, w, h) = match &work {
                Some(g) => (&g.pixels[..], g.width, g.height),
                None => (&page.pixels[..], width, height),
            };
            if let Some(o) = osd.detect(pixels, w, h, upscaled_to.unwrap_or(dpi)) {
                orientation_confidence = Some(o.confidence);
                if o.degrees != 0 && o.confidence >= MIN_ORIENTATION_CONFIDENCE {
                    // OSD reports how far the page is turned clockwise; turn it back.
                    let turn = (360 - o.degrees) % 360;
                    work =
                        Some(preprocess::quarter_turn(&work.take().unwrap_or_else(original), turn));
                    geometry.quarter = turn;
                }
            }
        }

        let mut measured = None;
        if cfg.deskew {
            let current = work.take().unwrap_or_else(original);
            measured = preprocess::measure_skew(&current);
            work = Some(match measured {
                Some(s) if s.abs() >= MIN_SKEW_DEGREES => {
                    geometry.skew = s;
                    preprocess::rotate(&current, s)
                }
                _ => current,
            });
        }
        let mut meta = preprocess::meta(&geometry, orientation_confidence, measured, &cfg);
        meta.upscaled_to = upscaled_to;
        meta.cleaning = cleaning;
        (work, geometry, meta)
    }
}

/// A page of 0 and 255 pixels as tesseract takes a binary image: rows of bits, first pixel in the
/// most significant bit, each row padded to a whole byte, 1 for white.
fn pack_bits(pixels: &[u8], width: usize) -> Vec<u8> {
    let line = width.div_ceil(8);
    let mut out = vec![0u8; line * (pixels.len() / width.max(1))];
    for (row, packed) in pixels.chunks_exact(width.max(1)).zip(out.chunks_exact_mut(line.max(1))) {
        for (byte, eight) in packed.iter_mut().zip(row.chunks(8)) {
            *byte =
                eight.iter().enumerate().fold(0, |b, (i, &p)| b | (u8::from(p != 0) << (7 - i)));
        }
    }
    out
}

/// The mean confidence of the words, 0 for none.
pub fn mean_confidence(words: &[Word]) -> f32 {
    if words.is_empty() {
        0.0
    } else {
        words.iter().map(|w| w.confidence).sum::<f32>() / words.len() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_pages_are_packed_a_bit_a_pixel_white_as_one() {
        // Ten pixels a row: two bytes, the second padded.
        let row = [255, 0, 0, 255, 255, 255, 255, 0, 0, 255];
        let pixels = [row, [0; 10]].concat();
        assert_eq!(pack_bits(&pixels, 10), [0b1001_1110, 0b0100_0000, 0, 0]);
    }

    /// A black-and-white page reads the same handed over a bit a pixel as a byte a pixel.
    #[test]
    fn a_bilevel_page_reads_the_same_as_packed_bits() {
        let page = fixture("referral_fax.tif");
        let bilevel = Raster {
            pixels: page.pixels.iter().map(|&p| if p < 128 { 0 } else { 255 }).collect(),
            ..page
        };
        let off = unprepared();
        let mut engine = TesseractEngine::new(off).unwrap();
        let packed = engine.recognize(&bilevel).unwrap();
        // One grey pixel and the page goes over a byte a pixel.
        let mut grey = bilevel.clone();
        grey.pixels[0] = 254;
        let bytes = engine.recognize(&grey).unwrap();
        assert!(packed.text.contains("REFERRAL"), "{}", packed.text);
        assert_eq!(packed.text, bytes.text);
        assert_eq!(packed.words.len(), bytes.words.len());
    }

    #[test]
    fn mean_confidence_of_nothing_is_zero() {
        assert_eq!(mean_confidence(&[]), 0.0);
    }

    /// A real engine on a blank page finds nothing, and reports that without failing.
    #[test]
    fn blank_page_yields_no_words() {
        let mut engine = TesseractEngine::new(TesseractConfig::default()).unwrap();
        let page =
            Raster { width: 200, height: 100, pixels: vec![255; 200 * 100], dpi: (300, 300) };
        let r = engine.recognize(&page).unwrap();
        assert!(r.words.is_empty(), "{:?}", r.words);
        assert_eq!(r.text, "");
        assert_eq!(r.confidence, 0.0);
        assert!(r.meta.blank);
        // The engine is reused for the next page.
        assert!(engine.recognize(&page).is_ok());
    }

    #[test]
    fn blank_pages_are_told_from_pages_with_little_on_them() {
        // A letter page at 300 dpi: white, a dark scan border in the margin, scattered specks.
        let (w, h) = (2550usize, 3300usize);
        let mut pixels = vec![250u8; w * h];
        for y in 0..h {
            for x in 0..60 {
                pixels[y * w + x] = 20;
            }
        }
        let mut seed = 7u64;
        for _ in 0..400 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let (x, y) = ((seed >> 33) as usize % w, (seed >> 13) as usize % h);
            pixels[y * w + x] = 0;
        }
        let page = Raster { width: w as u32, height: h as u32, pixels, dpi: (300, 300) };
        let mut engine = TesseractEngine::new(TesseractConfig::default()).unwrap();
        let r = engine.recognize(&page).unwrap();
        assert!(r.meta.blank, "{:?}", r.meta);
        // One short word's worth of strokes (four letters of 12 pt) is not blank.
        let mut word = page.clone();
        for letter in 0..4 {
            for y in 1500..1540 {
                for x in 0..8 {
                    word.pixels[y * w + 1200 + letter * 30 + x] = 0;
                }
            }
        }
        assert!(!clean::is_blank(&word.pixels, word.width));
        // Nor is a chart page.
        let chart = fixture("progress_note.png");
        assert!(!clean::is_blank(&chart.pixels, chart.width));
    }

    /// An engine configuration with every preparation step off.
    fn unprepared() -> TesseractConfig {
        let preprocess = Preprocess {
            orientation: false,
            deskew: false,
            clean: false,
            upsample: false,
            reread: false,
            marks: false,
        };
        TesseractConfig { preprocess, ..Default::default() }
    }

    /// A fixture chart page, as the decoder would hand it over.
    fn fixture(name: &str) -> Raster {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/charts")
            .join(name);
        let img = image::open(path).unwrap().into_luma8();
        let (width, height) = img.dimensions();
        Raster { width, height, pixels: img.into_raw(), dpi: (300, 300) }
    }

    fn turned(page: &Raster, degrees: u32) -> Raster {
        let g = Gray { width: page.width, height: page.height, pixels: page.pixels.clone() };
        let t = preprocess::quarter_turn(&g, degrees);
        Raster { width: t.width, height: t.height, pixels: t.pixels, dpi: page.dpi }
    }

    fn word<'a>(r: &'a Recognized, text: &str) -> &'a Word {
        r.words
            .iter()
            .find(|w| w.text == text)
            .unwrap_or_else(|| panic!("no {text:?} in {:?}", r.text))
    }

    #[test]
    fn check_boxes_drawn_on_a_page_are_read_as_marks_before_their_options() {
        let plain = TesseractConfig {
            preprocess: Preprocess { marks: false, ..Preprocess::default() },
            ..Default::default()
        };
        let page = fixture("progress_note.png");
        let base = TesseractEngine::new(plain.clone()).unwrap().recognize(&page).unwrap();
        // The letters "M" (the sex) and "F" (after the temperature), copied to the blank end
        // of the visit date's row, each after a box: "[X] M  [ ] F".
        let (m, f) = (word(&base, "M").bbox, word(&base, "F,").bbox);
        // (The "F" without its comma.)
        let f = BBox { w: f.w - f.h / 3, ..f };
        let row = word(&base, "Service:").bbox;
        let mut drawn = page.clone();
        let w = page.width as usize;
        let side = m.h + 4;
        let stroke = (side / 10).max(2);
        let y = row.y + row.h - side + 2;
        let x0 = page.width * 6 / 10;
        let area = (x0..page.width - 40).flat_map(|x| (y - 10..y + side + 10).map(move |y| (x, y)));
        assert!(area.clone().all(|(x, y)| page.pixels[y as usize * w + x as usize] > 128));
        let mut ink = |x: u32, y: u32| drawn.pixels[y as usize * w + x as usize] = 0;
        let mut draw_box = |x: u32, ticked: bool| {
            for i in 0..side {
                for t in 0..stroke {
                    for (px, py) in [
                        (x + i, y + t),
                        (x + i, y + side - 1 - t),
                        (x + t, y + i),
                        (x + side - 1 - t, y + i),
                    ] {
                        ink(px, py);
                    }
                    if ticked {
                        let j = i.min(side - 1 - t);
                        ink(x + j + t.min(side - 1 - j), y + i);
                        ink(x + side - 1 - j - t.min(side - 1 - j).min(side - 1 - j), y + i);
                    }
                }
            }
        };
        draw_box(x0, true);
        draw_box(x0 + 6 * side, false);
        let mut copy = |b: BBox, to: u32| {
            for dy in 0..b.h {
                for dx in 0..b.w {
                    let from = (b.y + dy) as usize * w + (b.x + dx) as usize;
                    let at = (y + side - b.h - 2 + dy) as usize * w + (to + dx) as usize;
                    drawn.pixels[at] = page.pixels[from];
                }
            }
        };
        copy(m, x0 + side + side / 2);
        copy(f, x0 + 7 * side + side / 2);

        let read =
            TesseractEngine::new(TesseractConfig::default()).unwrap().recognize(&drawn).unwrap();
        assert_eq!(read.meta.marks, 2);
        let texts: Vec<&str> = read.words.iter().map(|w| w.text.as_str()).collect();
        assert!(texts.windows(4).any(|k| k == ["☒", "M", "☐", "F"]), "{}", read.text);
        // The rest of the page reads as before.
        assert!(read.text.contains("Date of Service: 03/25/2022"), "{}", read.text);
        let before = TesseractEngine::new(plain).unwrap().recognize(&drawn).unwrap();
        assert!(!before.words.iter().any(|w| w.text == "☒" || w.text == "☐"));
    }

    #[test]
    fn a_page_fed_sideways_or_upside_down_is_read_upright_with_boxes_on_the_original() {
        let mut engine = TesseractEngine::new(TesseractConfig::default()).unwrap();
        let upright = fixture("progress_note.png");
        let base = engine.recognize(&upright).unwrap();
        assert_eq!(base.meta.rotation, 0);
        let heading = word(&base, "PROGRESS").bbox;
        for degrees in [90, 180, 270] {
            let page = turned(&upright, degrees);
            let r = engine.recognize(&page).unwrap();
            assert_eq!(r.meta.rotation, (360 - degrees) % 360, "fed turned {degrees}°");
            assert!(r.text.contains("PROGRESS NOTE"), "{degrees}°: {}", r.text);
            // The word's box is in the coordinates of the page as it was fed: turning the
            // upright box the same way gives the same place.
            let b = word(&r, "PROGRESS").bbox;
            let fed = Geometry {
                scaled: (page.width, page.height),
                width: page.width,
                height: page.height,
                quarter: (360 - degrees) % 360,
                skew: 0.0,
            };
            let expected = fed.map_to_original(heading);
            let near = |a: u32, b: u32| a.abs_diff(b) <= 4;
            assert!(
                near(b.x, expected.x)
                    && near(b.y, expected.y)
                    && near(b.w, expected.w)
                    && near(b.h, expected.h),
                "{degrees}°: {b:?} vs {expected:?}"
            );
        }
    }

    #[test]
    fn a_skewed_page_is_straightened_before_recognition() {
        // The medication list fixture is rendered turned 1.2° counter-clockwise.
        let mut engine = TesseractEngine::new(TesseractConfig::default()).unwrap();
        let r = engine.recognize(&fixture("medication_list.png")).unwrap();
        let skew = r.meta.skew.unwrap();
        assert!((skew - 1.2).abs() <= 0.2, "measured {skew}");
        assert!(r.meta.deskewed);
        assert_eq!(r.meta.steps, ["upsample", "clean", "orientation", "deskew", "reread", "marks"]);
        let off = unprepared();
        let raw =
            TesseractEngine::new(off).unwrap().recognize(&fixture("medication_list.png")).unwrap();
        assert_eq!(raw.meta.skew, None);
        assert!(!raw.meta.deskewed);
        assert!(raw.meta.steps.is_empty());
    }

    #[test]
    fn low_resolution_grey_scans_are_smoothed_and_binarised_and_others_are_not() {
        let mut engine = TesseractEngine::new(TesseractConfig::default()).unwrap();
        let mut page = fixture("lab_report.jpg");
        let did = |meta: &PageMeta, step: &str| meta.cleaning.iter().any(|c| c == step);
        let (_, _, meta) = engine.prepare(&page, true);
        assert!(
            !did(&meta, "smoothed") && !did(&meta, "binarized"),
            "300 dpi: {:?}",
            meta.cleaning
        );
        page.dpi = (200, 200);
        let (prepared, _, meta) = engine.prepare(&page, true);
        assert!(did(&meta, "smoothed") && did(&meta, "binarized"), "200 dpi: {:?}", meta.cleaning);
        let prepared = prepared.unwrap();
        assert!(prepared.pixels.iter().all(|&p| p == 0 || p == 255));
        // Ink stays ink, and the paper stays paper: the dark pixels are kept, and the page holds
        // not much more ink than a plain threshold finds (glyph edges thicken a little).
        let dark: Vec<usize> = (0..page.pixels.len()).filter(|&i| page.pixels[i] < 96).collect();
        let kept = dark.iter().filter(|&&i| prepared.pixels[i] == 0).count();
        assert!(kept * 100 >= dark.len() * 98, "{kept} of {} dark pixels kept", dark.len());
        let ink = |pixels: &[u8]| pixels.iter().filter(|&&p| p < 128).count() as f64;
        let ratio = ink(&prepared.pixels) / ink(&page.pixels);
        assert!(ratio < 2.0, "ink ratio {ratio}");
        // A bilevel page (fax) is not: it is enlarged instead.
        let bilevel = Raster {
            pixels: page.pixels.iter().map(|&p| if p < 128 { 0 } else { 255 }).collect(),
            dpi: (150, 150),
            ..page.clone()
        };
        assert!(!did(&engine.prepare(&bilevel, true).2, "smoothed"));
        // A fax at 204×98 dpi whose pixels were made square, as decode does: grey only at its
        // strokes' edges. Smoothed, not binarised again.
        let fax = fixture("referral_fax.tif");
        let img = image::GrayImage::from_raw(fax.width, fax.height, fax.pixels).unwrap();
        let (w, h) = (fax.width, fax.height / 2);
        let normal = image::imageops::resize(&img, w, h, image::imageops::FilterType::Nearest);
        let h = h * 204 / 98;
        let square = image::imageops::resize(&normal, w, h, image::imageops::FilterType::Triangle);
        let fax = Raster { width: w, height: h, pixels: square.into_raw(), dpi: (204, 204) };
        let meta = engine.prepare(&fax, true).2;
        assert!(did(&meta, "smoothed") && !did(&meta, "binarized"), "{:?}", meta.cleaning);
    }

    /// A grey page whose letters are too small for tesseract (the progress note shrunk to a third,
    /// as a form scanned at 100 dpi, and tagged 72 dpi) is enlarged before recognition, and its
    /// words' boxes are on the page as given; the same page at full size, or at 200 dpi, is not.
    #[test]
    fn grey_pages_with_small_text_are_enlarged_and_their_boxes_kept_on_the_page_as_given() {
        let full = fixture("progress_note.png");
        let img = image::GrayImage::from_raw(full.width, full.height, full.pixels.clone()).unwrap();
        let shrink = |n: u32, d: u32| {
            let (w, h) = (full.width * n / d, full.height * n / d);
            let small = image::imageops::resize(&img, w, h, image::imageops::FilterType::Lanczos3);
            Raster {
                width: w,
                height: h,
                pixels: small.into_raw(),
                dpi: (300 * n / d, 300 * n / d),
            }
        };
        let mut small = shrink(1, 3);
        small.dpi = (72, 72);
        let mut engine = TesseractEngine::new(TesseractConfig::default()).unwrap();
        // Its letters measure 11 px: it is enlarged about twice (to 24 px), and read as a page of
        // twice its resolution.
        let (prepared, _, meta) = engine.prepare(&small, false);
        let factor = f64::from(prepared.unwrap().width) / f64::from(small.width);
        assert!((1.8..=2.6).contains(&factor), "enlarged {factor} times");
        let to = meta.upscaled_to.expect("enlarged");
        assert!((f64::from(to) - 72.0 * factor).abs() <= 1.0, "enlarged to {to} dpi");
        let r = engine.recognize(&small).unwrap();
        assert_eq!(r.meta.upscaled_to, meta.upscaled_to);
        assert!(r.text.contains("PROGRESS NOTE"), "{}", r.text);
        let heading = word(&r, "PROGRESS").bbox;
        let expected = word(&engine.recognize(&full).unwrap(), "PROGRESS").bbox;
        let near = |a: u32, b: u32| a.abs_diff(b / 3) <= 3;
        assert!(
            near(heading.x, expected.x)
                && near(heading.y, expected.y)
                && near(heading.w, expected.w)
                && near(heading.h, expected.h),
            "{heading:?} vs a third of {expected:?}"
        );
        assert!(r
            .words
            .iter()
            .all(|w| w.bbox.x + w.bbox.w <= small.width && w.bbox.y + w.bbox.h <= small.height));
        // Switched off with the other enlargements (`--no-upsample`).
        let off = Preprocess { upsample: false, ..Preprocess::default() };
        let mut plain =
            TesseractEngine::new(TesseractConfig { preprocess: off, ..Default::default() })
                .unwrap();
        assert_eq!(plain.prepare(&small, false).2.upscaled_to, None);
        // Letters big enough are left as they are: at 300 dpi and at 200.
        assert_eq!(engine.prepare(&full, false).2.upscaled_to, None);
        assert_eq!(engine.prepare(&shrink(2, 3), false).2.upscaled_to, None);
    }

    #[test]
    fn missing_language_is_a_clear_error() {
        let err =
            TesseractEngine::new(TesseractConfig { language: "zzz".into(), ..Default::default() })
                .unwrap_err();
        assert!(err.to_string().contains("tesseract-ocr-zzz"), "{err}");
    }
}
