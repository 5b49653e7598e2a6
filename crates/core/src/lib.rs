//! Shared value types of chartdex: document ids, page rasters, OCR words and pages, chart fields;
//! and the reading order of a page's words ([`reading`]), which both the OCR stage (to write a
//! page's text) and field extraction (to read its rows) need.
//!
//! This crate does no IO and knows no file format, OCR engine or storage. Every other crate speaks
//! in these types, so the stages never depend on each other.

mod fields;
pub mod reading;

pub use fields::{DocType, Evidence, Fields, Medication, Patient, Provider};

use serde::{Deserialize, Serialize};
use std::fmt;

/// The identity of a document: the lowercase hex SHA-256 of its original bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocId(String);

/// A string that is not a 64-character hex SHA-256.
#[derive(Debug, thiserror::Error)]
#[error("not a document id (64 hex characters expected): {0:?}")]
pub struct BadDocId(pub String);

impl DocId {
    /// Parses a full 64-character hex digest (upper case is folded to lower case).
    pub fn parse(s: &str) -> Result<DocId, BadDocId> {
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(DocId(s.to_ascii_lowercase()))
        } else {
            Err(BadDocId(s.to_string()))
        }
    }

    /// The full hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 hex digits, enough to name a document in messages.
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kind of file an original is, detected from its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MediaType {
    Pdf,
    Png,
    Jpeg,
    Tiff,
    Bmp,
    Gif,
    WebP,
}

impl MediaType {
    /// The IANA media type, as exported.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Png => "image/png",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Tiff => "image/tiff",
            MediaType::Bmp => "image/bmp",
            MediaType::Gif => "image/gif",
            MediaType::WebP => "image/webp",
        }
    }

    /// The inverse of [`MediaType::mime`].
    pub fn from_mime(s: &str) -> Option<MediaType> {
        ALL_MEDIA_TYPES.iter().copied().find(|m| m.mime() == s)
    }
}

const ALL_MEDIA_TYPES: [MediaType; 7] = [
    MediaType::Pdf,
    MediaType::Png,
    MediaType::Jpeg,
    MediaType::Tiff,
    MediaType::Bmp,
    MediaType::Gif,
    MediaType::WebP,
];

/// One page as an 8-bit greyscale raster, row-major, `width * height` bytes, with its resolution.
#[derive(Clone, PartialEq, Eq)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
    /// Horizontal and vertical resolution in dots per inch.
    pub dpi: (u32, u32),
}

impl fmt::Debug for Raster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Raster")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("dpi", &self.dpi)
            .finish_non_exhaustive()
    }
}

/// An axis-aligned box in page pixel coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BBox {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl BBox {
    /// The smallest box holding both.
    pub fn union(self, other: BBox) -> BBox {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        let right = (self.x + self.w).max(other.x + other.w);
        let bottom = (self.y + self.h).max(other.y + other.h);
        BBox { x, y, w: right - x, h: bottom - y }
    }
}

/// One recognised word with its position and the engine's confidence (0..1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub bbox: BBox,
    pub confidence: f32,
}

/// How a page's text was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextMethod {
    #[serde(rename = "ocr")]
    Ocr,
    #[serde(rename = "text-layer")]
    TextLayer,
}

impl TextMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            TextMethod::Ocr => "ocr",
            TextMethod::TextLayer => "text-layer",
        }
    }

    pub fn parse(s: &str) -> Option<TextMethod> {
        match s {
            "ocr" => Some(TextMethod::Ocr),
            "text-layer" => Some(TextMethod::TextLayer),
            _ => None,
        }
    }
}

/// What was done to a page before recognition, so a person can see why its text reads as it does.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PageMeta {
    /// Clockwise rotation applied to turn the page upright: 0, 90, 180 or 270.
    pub rotation: u32,
    /// The orientation detector's confidence, when it ran and found text.
    pub orientation_confidence: Option<f32>,
    /// Measured skew of the text lines in degrees (counter-clockwise positive), when measured.
    pub skew: Option<f32>,
    /// True if the page was rotated to remove that skew.
    pub deskewed: bool,
    /// The resolution a page was enlarged to before recognition (a low-resolution fax, a scan
    /// whose text is too small for tesseract), if it was.
    #[serde(default)]
    pub upscaled_to: Option<u32>,
    /// What cleaning changed: "borders", "2 streaks", "binarized", "130 specks".
    #[serde(default)]
    pub cleaning: Vec<String>,
    /// The preparation steps that were switched on.
    pub steps: Vec<String>,
    /// The page is blank (no ink but specks once cleaned): it was not recognised.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blank: bool,
    /// How many stretches of the page tesseract read with low confidence were read again on
    /// their own (a form's small captions) and replaced by the surer reading.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reread: u32,
    /// How many check boxes, radio buttons and circled options were read from the page's
    /// pixels (and erased before recognition).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub marks: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The text of one page of a document. Page numbers start at 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageText {
    pub number: u32,
    pub text: String,
    /// Mean word confidence, 0..1 (0 for a page without words).
    pub confidence: f32,
    pub method: TextMethod,
    /// Words with boxes in the original page's pixel coordinates.
    pub words: Vec<Word>,
    #[serde(default)]
    pub meta: PageMeta,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_id_parses_and_folds_case() {
        let hex = "AB".repeat(32);
        let id = DocId::parse(&hex).unwrap();
        assert_eq!(id.as_str(), "ab".repeat(32));
        assert_eq!(id.short(), "abababababab");
        assert!(DocId::parse("abc").is_err());
        assert!(DocId::parse(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn media_type_round_trips_through_mime() {
        for m in ALL_MEDIA_TYPES {
            assert_eq!(MediaType::from_mime(m.mime()), Some(m));
        }
        assert_eq!(MediaType::from_mime("text/plain"), None);
    }

    #[test]
    fn boxes_unite() {
        let a = BBox { x: 10, y: 20, w: 5, h: 5 };
        let b = BBox { x: 30, y: 18, w: 10, h: 4 };
        assert_eq!(a.union(b), BBox { x: 10, y: 18, w: 30, h: 7 });
    }

    #[test]
    fn text_method_uses_export_names() {
        assert_eq!(serde_json::to_string(&TextMethod::TextLayer).unwrap(), "\"text-layer\"");
        assert_eq!(TextMethod::parse("ocr"), Some(TextMethod::Ocr));
        assert_eq!(TextMethod::parse("OCR"), None);
    }
}
