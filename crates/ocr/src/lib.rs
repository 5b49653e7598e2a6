//! Optical character recognition: a page raster → its text, words with boxes, and confidences.
//!
//! [`Recognizer`] is the seam the pipeline drives; [`TesseractEngine`] implements it over
//! libtesseract (Debian's tesseract 5, through the `tesseract` crate), and tests elsewhere plug in
//! fakes. An engine is expensive to create (it loads the language model), so a caller makes one
//! per worker thread and reuses it for every page. This crate never touches files or the catalogue.

mod tsv;

use chartdex_core::{Raster, Word};
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
    pub text: String,
    /// Mean word confidence, 0..1; 0 when no word was found.
    pub confidence: f32,
    pub words: Vec<Word>,
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
}

impl Default for TesseractConfig {
    fn default() -> Self {
        TesseractConfig { language: "eng".into(), datapath: None }
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
        Ok(TesseractEngine { config, api: Some(api) })
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
        let api = match self.api.take() {
            Some(api) => api,
            None => Self::start(&self.config)?,
        };
        let bad_image =
            |detail: String| OcrError::BadImage { width: page.width, height: page.height, detail };
        let width = i32::try_from(page.width).map_err(|_| bad_image("too wide".into()))?;
        let height = i32::try_from(page.height).map_err(|_| bad_image("too tall".into()))?;
        let api = api
            .set_frame(&page.pixels, width, height, 1, width)
            .map_err(|e| bad_image(e.to_string()))?;
        let dpi = i32::try_from(page.dpi.1.max(1)).unwrap_or(300);
        let mut api = api
            .set_source_resolution(dpi)
            .recognize()
            .map_err(|e| OcrError::Recognize(e.to_string()))?;
        let text = api.get_text().map_err(|e| OcrError::Recognize(e.to_string()))?;
        let tsv = api.get_tsv_text(0).map_err(|e| OcrError::Recognize(e.to_string()))?;
        self.api = Some(api);
        let words = tsv::words(&tsv);
        Ok(Recognized { text: tidy(&text), confidence: mean_confidence(&words), words })
    }
}

/// The mean confidence of the words, 0 for none.
pub fn mean_confidence(words: &[Word]) -> f32 {
    if words.is_empty() {
        0.0
    } else {
        words.iter().map(|w| w.confidence).sum::<f32>() / words.len() as f32
    }
}

/// Trims trailing spaces from lines, collapses runs of blank lines, and drops the form feed
/// tesseract ends a page with.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end_matches([' ', '\t', '\x0c']);
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_normalises_tesseract_output() {
        assert_eq!(tidy("a  \nb\n\n\n\nc\n\x0c"), "a\nb\n\nc");
        assert_eq!(tidy("\n\n"), "");
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
        // The engine is reused for the next page.
        assert!(engine.recognize(&page).is_ok());
    }

    #[test]
    fn missing_language_is_a_clear_error() {
        let err = TesseractEngine::new(TesseractConfig { language: "zzz".into(), datapath: None })
            .unwrap_err();
        assert!(err.to_string().contains("tesseract-ocr-zzz"), "{err}");
    }
}
