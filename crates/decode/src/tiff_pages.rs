//! Multi-page TIFF (scanner and fax output) through the `tiff` crate: every page, one at a time.

use crate::ccitt;
use crate::raster::{from_gray, infer_dpi, plausible_dpi, samples_to_gray, Color};
use crate::{DecodeError, Limits};
use chartdex_core::Raster;
use std::io::Cursor;
use tiff::decoder::{Decoder, DecodingResult};
use tiff::tags::Tag;
use tiff::ColorType;

pub(crate) struct TiffPages<'a> {
    bytes: &'a [u8],
    decoder: Decoder<Cursor<&'a [u8]>>,
    count: u32,
}

fn corrupt(e: impl std::fmt::Display) -> DecodeError {
    DecodeError::Corrupt { format: "TIFF", detail: e.to_string() }
}

fn page_err(page: u32) -> impl Fn(tiff::TiffError) -> DecodeError {
    move |e| match e {
        tiff::TiffError::UnsupportedError(u) => {
            DecodeError::UnsupportedPage { page, detail: format!("unsupported TIFF encoding: {u}") }
        }
        tiff::TiffError::LimitsExceeded => DecodeError::UnsupportedPage {
            page,
            detail: "TIFF page exceeds the decoding limits".into(),
        },
        other => DecodeError::Corrupt { format: "TIFF", detail: format!("page {page}: {other}") },
    }
}

impl<'a> TiffPages<'a> {
    pub(crate) fn open(bytes: &'a [u8], limits: &Limits) -> Result<TiffPages<'a>, DecodeError> {
        let mut tiff_limits = tiff::decoder::Limits::default();
        tiff_limits.decoding_buffer_size =
            usize::try_from(limits.max_page_pixels.saturating_mul(8)).unwrap_or(usize::MAX);
        let mut decoder =
            Decoder::new(Cursor::new(bytes)).map_err(corrupt)?.with_limits(tiff_limits);
        // Count the pages by walking the IFD chain once (a loop in the chain is caught by the
        // decoder; the page limit bounds a very long chain).
        let mut count = 1u32;
        while decoder.more_images() {
            if count >= limits.max_pages {
                return Err(DecodeError::TooManyPages {
                    pages: u64::from(count) + 1,
                    limit: limits.max_pages,
                });
            }
            decoder.next_image().map_err(corrupt)?;
            count += 1;
        }
        Ok(TiffPages { bytes, decoder, count })
    }

    pub(crate) fn count(&self) -> u32 {
        self.count
    }

    pub(crate) fn page(&mut self, index: u32, limits: &Limits) -> Result<Raster, DecodeError> {
        let number = index + 1;
        let err = page_err(number);
        let d = &mut self.decoder;
        d.seek_to_image(index as usize).map_err(&err)?;
        let (w, h) = d.dimensions().map_err(&err)?;
        limits.check_page(number, u64::from(w), u64::from(h))?;
        let color_type = d.colortype().map_err(&err)?;
        let photometric =
            d.find_tag_unsigned::<u16>(Tag::PhotometricInterpretation).map_err(&err)?;
        let (color, bpc) = match color_type {
            ColorType::Gray(b) => (Color::Gray, b),
            ColorType::GrayA(b) => (Color::GrayAlpha, b),
            ColorType::RGB(b) | ColorType::YCbCr(b) => (Color::Rgb, b),
            ColorType::RGBA(b) => (Color::Rgba, b),
            ColorType::CMYK(b) => (Color::Cmyk, b),
            ColorType::Palette(b) => {
                let map = d.get_tag(Tag::ColorMap).and_then(|v| v.into_u16_vec()).map_err(&err)?;
                let n = map.len() / 3;
                let palette = (0..n)
                    .map(|i| {
                        [(map[i] >> 8) as u8, (map[n + i] >> 8) as u8, (map[2 * n + i] >> 8) as u8]
                    })
                    .collect();
                (Color::Indexed(palette), b)
            }
            other => {
                return Err(DecodeError::UnsupportedPage {
                    page: number,
                    detail: format!("TIFF colour type {other:?}"),
                })
            }
        };
        let dpi = resolution(d);
        let compression = d.find_tag_unsigned::<u16>(Tag::Compression).map_err(&err)?.unwrap_or(1);
        if matches!(compression, 2 | 3) {
            // CCITT Group 3 (fax), which the tiff crate does not decode.
            let mut gray = self.group3(w, h, compression, number)?;
            if photometric == Some(1) {
                gray.iter_mut().for_each(|v| *v = 255 - *v);
            }
            let img = image::GrayImage::from_raw(w, h, gray)
                .ok_or_else(|| corrupt("page size mismatch"))?;
            let dpi = dpi.or_else(|| Some((infer_dpi(w, h), infer_dpi(w, h))));
            return Ok(from_gray(img, dpi));
        }
        let d = &mut self.decoder;
        let data = d.read_image().map_err(&err)?;
        let (bytes, bpc) = match data {
            DecodingResult::U8(v) => (v, bpc),
            DecodingResult::U16(v) => (v.into_iter().map(|s| (s >> 8) as u8).collect(), 8),
            _ => {
                return Err(DecodeError::UnsupportedPage {
                    page: number,
                    detail: format!("TIFF sample format with {bpc} bits"),
                })
            }
        };
        let white_is_zero = photometric == Some(0);
        let gray = samples_to_gray(&bytes, w, h, bpc, &color, white_is_zero).map_err(|detail| {
            DecodeError::Corrupt { format: "TIFF", detail: format!("page {number}: {detail}") }
        })?;
        let img =
            image::GrayImage::from_raw(w, h, gray).ok_or_else(|| corrupt("page size mismatch"))?;
        let dpi = dpi.or_else(|| {
            let d = infer_dpi(w, h);
            Some((d, d))
        });
        Ok(from_gray(img, dpi))
    }
}

impl TiffPages<'_> {
    /// Decodes a Group 3 page strip by strip from the file's bytes (compression 2: modified
    /// Huffman; 3: T.4, one- or two-dimensional per T4Options).
    fn group3(
        &mut self,
        w: u32,
        h: u32,
        compression: u16,
        number: u32,
    ) -> Result<Vec<u8>, DecodeError> {
        let err = page_err(number);
        let d = &mut self.decoder;
        let offsets: Vec<u64> =
            d.get_tag(Tag::StripOffsets).and_then(|v| v.into_u64_vec()).map_err(&err)?;
        let counts: Vec<u64> =
            d.get_tag(Tag::StripByteCounts).and_then(|v| v.into_u64_vec()).map_err(&err)?;
        let rows_per_strip =
            d.find_tag_unsigned::<u32>(Tag::RowsPerStrip).map_err(&err)?.unwrap_or(h).max(1);
        let options = d.find_tag_unsigned::<u32>(Tag::Unknown(292)).map_err(&err)?.unwrap_or(0);
        let reversed = d.find_tag_unsigned::<u16>(Tag::FillOrder).map_err(&err)?.unwrap_or(1) == 2;
        let bytes = self.bytes;
        let mut out = Vec::with_capacity(w as usize * h as usize);
        for (i, (&off, &len)) in offsets.iter().zip(&counts).enumerate() {
            let first_row = i as u32 * rows_per_strip;
            if first_row >= h {
                break;
            }
            let rows = rows_per_strip.min(h - first_row);
            let strip = usize::try_from(off)
                .ok()
                .zip(usize::try_from(len).ok())
                .and_then(|(o, l)| bytes.get(o..o.checked_add(l)?))
                .ok_or_else(|| {
                    corrupt(format!("page {number}: strip {i} lies outside the file"))
                })?;
            let strip: std::borrow::Cow<'_, [u8]> = if reversed {
                strip.iter().map(|b| b.reverse_bits()).collect::<Vec<_>>().into()
            } else {
                strip.into()
            };
            let params = ccitt::Params {
                columns: w,
                rows,
                mode: match (compression, options & 1) {
                    (3, 1) => hayro_ccitt::EncodingMode::Group3_2D,
                    _ => hayro_ccitt::EncodingMode::Group3_1D,
                },
                byte_aligned: compression == 2 || options & 4 != 0,
                end_of_block: true,
            };
            out.extend(
                ccitt::decode(&strip, params)
                    .map_err(|e| corrupt(format!("page {number}: {e}")))?,
            );
        }
        out.resize(w as usize * h as usize, 255);
        Ok(out)
    }
}

/// A numeric tag value (the tiff crate's own conversion does not take rationals, which is how
/// resolutions are stored).
fn value_f64(v: tiff::decoder::ifd::Value) -> Option<f64> {
    use tiff::decoder::ifd::Value::*;
    match v {
        Rational(n, d) if d != 0 => Some(f64::from(n) / f64::from(d)),
        Float(f) => Some(f64::from(f)),
        Double(f) => Some(f),
        Short(n) => Some(f64::from(n)),
        Unsigned(n) => Some(f64::from(n)),
        List(mut l) if !l.is_empty() => value_f64(l.swap_remove(0)),
        _ => None,
    }
}

/// XResolution/YResolution with ResolutionUnit (2 inch, the default; 3 centimetre).
fn resolution(d: &mut Decoder<Cursor<&[u8]>>) -> Option<(u32, u32)> {
    let unit = d.find_tag_unsigned::<u16>(Tag::ResolutionUnit).ok().flatten().unwrap_or(2);
    let scale = match unit {
        2 => 1.0,
        3 => 2.54,
        _ => return None,
    };
    let mut get = |tag| d.find_tag(tag).ok().flatten().and_then(value_f64);
    let x = get(Tag::XResolution)?;
    let y = get(Tag::YResolution).unwrap_or(x);
    Some((plausible_dpi(x * scale)?, plausible_dpi(y * scale)?))
}
