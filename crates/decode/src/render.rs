//! Rasterising PDF pages that are not one scan image (vector text, several images, forms) with
//! hayro, a pure-Rust PDF renderer.

use crate::{DecodeError, Limits};
use chartdex_core::Raster;
use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use std::sync::Arc;

/// The resolution pages are rendered at for OCR.
pub(crate) const RENDER_DPI: f32 = 300.0;

/// A PDF opened for rendering.
pub(crate) struct Renderer {
    pdf: Pdf,
}

impl Renderer {
    pub(crate) fn open(bytes: &[u8]) -> Result<Renderer, DecodeError> {
        match Pdf::new(Arc::new(bytes.to_vec())) {
            Ok(pdf) => Ok(Renderer { pdf }),
            Err(hayro::hayro_syntax::LoadPdfError::Decryption(_)) => Err(DecodeError::Encrypted),
            Err(e) => Err(DecodeError::Corrupt { format: "PDF", detail: format!("{e:?}") }),
        }
    }

    pub(crate) fn page_count(&self) -> usize {
        self.pdf.pages().len()
    }

    /// Renders page `index` at `dpi` (300 by default), lowered if needed so the page fits the
    /// pixel limit.
    pub(crate) fn render(
        &self,
        index: usize,
        dpi: Option<f32>,
        limits: &Limits,
    ) -> Result<Raster, DecodeError> {
        let number = index as u32 + 1;
        let page = self.pdf.pages().get(index).ok_or_else(|| DecodeError::UnsupportedPage {
            page: number,
            detail: "the renderer does not see this page".into(),
        })?;
        let (w_pt, h_pt) = page.render_dimensions();
        if !(w_pt >= 1.0 && h_pt >= 1.0) {
            return Err(DecodeError::UnsupportedPage {
                page: number,
                detail: "page has no area".into(),
            });
        }
        let mut dpi = dpi.unwrap_or(RENDER_DPI);
        // Stay inside the pixel limit and the renderer's 16-bit canvas.
        let pixels_at = |d: f32| f64::from(w_pt * d / 72.0) * f64::from(h_pt * d / 72.0);
        let max_pixels = limits.max_page_pixels as f64;
        if pixels_at(dpi) > max_pixels {
            dpi = (dpi as f64 * (max_pixels / pixels_at(dpi)).sqrt()) as f32;
        }
        let longest = w_pt.max(h_pt) * dpi / 72.0;
        if longest > 32_000.0 {
            dpi *= 32_000.0 / longest;
        }
        if dpi < 50.0 {
            return Err(DecodeError::TooManyPixels {
                page: number,
                width: (w_pt * RENDER_DPI / 72.0) as u64,
                height: (h_pt * RENDER_DPI / 72.0) as u64,
                limit: limits.max_page_pixels,
            });
        }
        let scale = dpi / 72.0;
        let settings = PixmapSettings { x_scale: scale, y_scale: scale, bg_color: WHITE };
        let cache = RenderCache::new();
        let pixmap = hayro::render(
            page,
            &cache,
            &InterpreterSettings::default(),
            &RenderSettings::default(),
            &settings,
        );
        let (width, height) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
        let pixels = pixmap
            .data_as_u8_slice()
            .chunks_exact(4)
            .map(|p| {
                // Premultiplied over an opaque white background: alpha is 255.
                ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114 + 500)
                    / 1000) as u8
            })
            .collect();
        let d = dpi.round() as u32;
        Ok(Raster { width, height, pixels, dpi: (d, d) })
    }
}
