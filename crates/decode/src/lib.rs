//! Page decoding: the bytes of an original → greyscale page rasters with their resolution.
//!
//! Pure: no filesystem, no OCR. The file type is detected from the bytes ([`sniff`]), never from a
//! file name. Pages are produced one at a time ([`Pages`]), so a 300-page PDF is never held
//! decoded in memory at once, and every allocation is checked against [`Limits`] first so a
//! decompression bomb is refused instead of exhausting memory.

mod ccitt;
mod images;
mod pdf;
mod raster;
mod render;
mod text_layer;
mod tiff_pages;

use chartdex_core::{MediaType, Raster};

/// Why a file or one of its pages could not be decoded. The messages name the reason in words a
/// records clerk can act on; the caller adds the file path.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("empty file")]
    Empty,
    #[error("not a supported file type (not a PDF, PNG, JPEG, TIFF, BMP, GIF or WebP)")]
    UnknownType,
    #[error("corrupt or truncated {format}: {detail}")]
    Corrupt { format: &'static str, detail: String },
    #[error("page {page}: {width}x{height} pixels exceeds the limit of {limit} pixels per page")]
    TooManyPixels { page: u32, width: u64, height: u64, limit: u64 },
    #[error("decoded data exceeds the limit of {limit} bytes per file")]
    TooMuchData { limit: u64 },
    #[error("{pages} pages exceeds the limit of {limit} pages per file")]
    TooManyPages { pages: u64, limit: u32 },
    #[error("page {page}: image data expands past its declared size (a decompression bomb?)")]
    Bomb { page: u32 },
    #[error("encrypted, password required")]
    Encrypted,
    #[error("page {page}: {detail}")]
    UnsupportedPage { page: u32, detail: String },
    #[error("unsupported {format} encoding: {detail}")]
    Unsupported { format: &'static str, detail: String },
}

/// Bounds on what one file may make the decoder allocate.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest page accepted, in pixels (width × height).
    pub max_page_pixels: u64,
    /// Largest total of decoded raster bytes over all pages of one file.
    pub max_file_bytes: u64,
    /// Most pages accepted in one file.
    pub max_pages: u32,
}

impl Default for Limits {
    /// 200 megapixels a page (an A0 sheet at 300 dpi is 140), 8 GiB of decoded pages a file (about
    /// 900 letter pages at 300 dpi), 5,000 pages a file.
    fn default() -> Limits {
        Limits { max_page_pixels: 200_000_000, max_file_bytes: 8 << 30, max_pages: 5_000 }
    }
}

impl Limits {
    fn check_page(&self, page: u32, width: u64, height: u64) -> Result<(), DecodeError> {
        if width == 0 || height == 0 {
            return Err(DecodeError::UnsupportedPage {
                page,
                detail: "image has zero width or height".into(),
            });
        }
        if width.saturating_mul(height) > self.max_page_pixels {
            return Err(DecodeError::TooManyPixels {
                page,
                width,
                height,
                limit: self.max_page_pixels,
            });
        }
        Ok(())
    }

    fn check_pages(&self, pages: u64) -> Result<(), DecodeError> {
        if pages > u64::from(self.max_pages) {
            return Err(DecodeError::TooManyPages { pages, limit: self.max_pages });
        }
        Ok(())
    }
}

/// Detects the file type from its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"%PDF-") || pdf_header_near_start(bytes) {
        Some(MediaType::Pdf)
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some(MediaType::Png)
    } else if starts(b"\xff\xd8\xff") {
        Some(MediaType::Jpeg)
    } else if starts(b"II*\0") || starts(b"MM\0*") || starts(b"II+\0") || starts(b"MM\0+") {
        Some(MediaType::Tiff)
    } else if starts(b"BM") && bytes.len() > 14 {
        Some(MediaType::Bmp)
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some(MediaType::Gif)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(MediaType::WebP)
    } else {
        None
    }
}

/// PDF readers accept the header anywhere in the first 1024 bytes (some scanners prepend junk).
fn pdf_header_near_start(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// One page of a file: a raster to OCR, or the text of a PDF page that already carries real text.
#[derive(Debug, Clone, PartialEq)]
pub enum PageContent {
    Raster(Raster),
    /// The page's text layer, which makes OCR unnecessary.
    Text(String),
}

/// The pages of one file, decoded lazily in order.
pub struct Pages<'a> {
    inner: Inner<'a>,
    limits: Limits,
    next: u32,
    count: u32,
    decoded_bytes: u64,
}

enum Inner<'a> {
    Single(Option<Raster>),
    Tiff(Box<tiff_pages::TiffPages<'a>>),
    Pdf(Box<pdf::PdfPages<'a>>),
}

impl std::fmt::Debug for Pages<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("next", &self.next)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

/// Opens `bytes` of type `media` for page-by-page decoding.
///
/// Whole-file problems (corrupt header, encryption, too many pages) are reported here; problems
/// with one page come from the iterator.
pub fn open(bytes: &[u8], media: MediaType, limits: Limits) -> Result<Pages<'_>, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let (inner, count) = match media {
        MediaType::Tiff => {
            let t = tiff_pages::TiffPages::open(bytes, &limits)?;
            let n = t.count();
            (Inner::Tiff(Box::new(t)), n)
        }
        MediaType::Pdf => {
            let p = pdf::PdfPages::open(bytes, &limits)?;
            let n = p.count();
            (Inner::Pdf(Box::new(p)), n)
        }
        other => (Inner::Single(Some(images::decode(bytes, other, &limits)?)), 1),
    };
    limits.check_pages(u64::from(count))?;
    Ok(Pages { inner, limits, next: 0, count, decoded_bytes: 0 })
}

impl Pages<'_> {
    /// How many pages the file has.
    pub fn page_count(&self) -> u32 {
        self.count
    }
}

impl Iterator for Pages<'_> {
    type Item = Result<PageContent, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.count {
            return None;
        }
        let index = self.next;
        self.next += 1;
        let page = match &mut self.inner {
            Inner::Single(r) => r.take().map(|r| Ok(PageContent::Raster(r)))?,
            Inner::Tiff(t) => t.page(index, &self.limits).map(PageContent::Raster),
            Inner::Pdf(p) => p.page(index, &self.limits),
        };
        Some(page.and_then(|content| match content {
            PageContent::Raster(raster) => {
                let raster = raster::square_pixels(raster, &self.limits, index + 1)?;
                self.decoded_bytes += raster.pixels.len() as u64;
                if self.decoded_bytes > self.limits.max_file_bytes {
                    // Stop here: later pages would only add to the total.
                    self.next = self.count;
                    Err(DecodeError::TooMuchData { limit: self.limits.max_file_bytes })
                } else {
                    Ok(PageContent::Raster(raster))
                }
            }
            text => Ok(text),
        }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.count - self.next) as usize;
        (left, Some(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_detects_types_from_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(MediaType::Pdf));
        assert_eq!(sniff(b"\0\0junk%PDF-1.4\n"), Some(MediaType::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(MediaType::Png));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), Some(MediaType::Jpeg));
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Some(MediaType::Tiff));
        assert_eq!(sniff(b"MM\0*\0\0\0\x08"), Some(MediaType::Tiff));
        assert_eq!(sniff(b"GIF89a"), Some(MediaType::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(MediaType::WebP));
        assert_eq!(sniff(b"Patient: Testpatient, Alice"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn empty_and_unknown_are_refused() {
        assert!(matches!(open(b"", MediaType::Png, Limits::default()), Err(DecodeError::Empty)));
        let err =
            open(b"\x89PNG\r\n\x1a\ntruncated", MediaType::Png, Limits::default()).unwrap_err();
        assert!(matches!(err, DecodeError::Corrupt { format: "PNG", .. }), "{err}");
    }
}
