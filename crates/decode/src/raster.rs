//! Conversions from decoded samples to the greyscale [`Raster`] every later stage reads.

use chartdex_core::Raster;
use image::GrayImage;

/// The resolution assumed when a file does not say: the page is taken to be US Letter, so its
/// longer side is 11 inches. Clamped to what scanners produce.
pub(crate) fn infer_dpi(width: u32, height: u32) -> u32 {
    (width.max(height) / 11).clamp(72, 1200)
}

/// A resolution read from a file, or `None` if it is missing or absurd.
pub(crate) fn plausible_dpi(dpi: f64) -> Option<u32> {
    (dpi.is_finite() && (50.0..=4800.0).contains(&dpi)).then(|| dpi.round() as u32)
}

pub(crate) fn from_gray(img: GrayImage, dpi: Option<(u32, u32)>) -> Raster {
    let (width, height) = img.dimensions();
    let dpi = dpi.unwrap_or_else(|| {
        let d = infer_dpi(width, height);
        (d, d)
    });
    Raster { width, height, pixels: img.into_raw(), dpi }
}

/// Resamples a page whose pixels are not square (fax: 204×98 dpi) so both axes have the higher
/// resolution; text then has its real proportions, which OCR needs.
pub(crate) fn square_pixels(
    r: Raster,
    limits: &crate::Limits,
    page: u32,
) -> Result<Raster, crate::DecodeError> {
    let (dx, dy) = r.dpi;
    let ratio = f64::from(dx.max(dy)) / f64::from(dx.min(dy).max(1));
    if ratio < 1.1 {
        return Ok(r);
    }
    let (w, h) = if dx < dy {
        ((f64::from(r.width) * ratio).round() as u32, r.height)
    } else {
        (r.width, (f64::from(r.height) * ratio).round() as u32)
    };
    limits.check_page(page, u64::from(w), u64::from(h))?;
    let img = GrayImage::from_raw(r.width, r.height, r.pixels).expect("raster size is consistent");
    let img = image::imageops::resize(&img, w, h, image::imageops::FilterType::Triangle);
    let d = dx.max(dy);
    Ok(from_gray(img, Some((d, d))))
}

/// Rotates a raster clockwise by `degrees` (a multiple of 90).
pub(crate) fn rotate(r: Raster, degrees: i64) -> Raster {
    let degrees = degrees.rem_euclid(360);
    if degrees == 0 {
        return r;
    }
    let dpi = r.dpi;
    let img = GrayImage::from_raw(r.width, r.height, r.pixels).expect("raster size is consistent");
    let (img, dpi) = match degrees {
        90 => (image::imageops::rotate90(&img), (dpi.1, dpi.0)),
        180 => (image::imageops::rotate180(&img), dpi),
        270 => (image::imageops::rotate270(&img), (dpi.1, dpi.0)),
        _ => (img, dpi),
    };
    from_gray(img, Some(dpi))
}

/// The colour model of raw samples.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Color {
    Gray,
    /// Grey with an alpha sample, composited over white.
    GrayAlpha,
    Rgb,
    /// RGB with an alpha sample, composited over white.
    Rgba,
    Cmyk,
    /// CIE L*a*b*: the first component is lightness.
    Lab,
    /// Palette entries as RGB triples.
    Indexed(Vec<[u8; 3]>),
}

impl Color {
    pub(crate) fn components(&self) -> usize {
        match self {
            Color::Gray | Color::Indexed(_) => 1,
            Color::GrayAlpha => 2,
            Color::Rgb | Color::Lab => 3,
            Color::Rgba | Color::Cmyk => 4,
        }
    }
}

/// Turns packed samples (`bpc` bits per component, rows padded to whole bytes) into 8-bit grey.
/// `invert` flips the result (PDF `/Decode [1 0]`, TIFF WhiteIsZero).
pub(crate) fn samples_to_gray(
    data: &[u8],
    width: u32,
    height: u32,
    bpc: u8,
    color: &Color,
    invert: bool,
) -> Result<Vec<u8>, String> {
    if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
        return Err(format!("{bpc} bits per component"));
    }
    let comps = color.components();
    let bits_per_row = width as usize * comps * bpc as usize;
    let row_bytes = bits_per_row.div_ceil(8);
    let needed = row_bytes * height as usize;
    if data.len() < needed {
        return Err(format!(
            "image data is {} bytes, {needed} expected for {width}x{height}",
            data.len()
        ));
    }
    let mut out = Vec::with_capacity(width as usize * height as usize);
    let flip = if invert { 255 } else { 0 };
    // The common cases — 8-bit grey (JPEG, Flate scans) and 1-bit (CCITT, JBIG2 pages) — a
    // row at a time, not through the general per-sample path below.
    if *color == Color::Gray && bpc == 8 {
        for row in data[..needed].chunks_exact(row_bytes) {
            out.extend(row.iter().map(|&g| g ^ flip));
        }
        return Ok(out);
    }
    if *color == Color::Gray && bpc == 1 {
        for row in data[..needed].chunks_exact(row_bytes) {
            let bits = row.iter().flat_map(|&b| (0..8).rev().map(move |i| (b >> i) & 1));
            out.extend(bits.take(width as usize).map(|bit| (0u8.wrapping_sub(bit)) ^ flip));
        }
        return Ok(out);
    }
    let max = ((1u32 << bpc.min(8)) - 1) as f32;
    let mut comp = [0u8; 4];
    for row in data[..needed].chunks_exact(row_bytes) {
        for x in 0..width as usize {
            for (c, slot) in comp.iter_mut().enumerate().take(comps) {
                let i = x * comps + c;
                *slot = match bpc {
                    8 => row[i],
                    16 => row[i * 2],
                    _ => {
                        let bit = i * bpc as usize;
                        let byte = row[bit / 8];
                        let shift = 8 - bpc as usize - (bit % 8);
                        let v = (byte >> shift) & ((1u8 << bpc) - 1);
                        (f32::from(v) * 255.0 / max).round() as u8
                    }
                };
            }
            let g = match color {
                Color::Gray => comp[0],
                Color::Rgb => luma(comp[0], comp[1], comp[2]),
                Color::GrayAlpha => over_white(comp[0], comp[1]),
                Color::Lab => comp[0],
                Color::Rgba => over_white(luma(comp[0], comp[1], comp[2]), comp[3]),
                Color::Cmyk => {
                    let k = 255 - u32::from(comp[3]);
                    let ch = |c: u8| ((255 - u32::from(c)) * k / 255) as u8;
                    luma(ch(comp[0]), ch(comp[1]), ch(comp[2]))
                }
                Color::Indexed(palette) => {
                    // Indexed samples are palette indices, not intensities: undo the scaling.
                    let idx = if bpc >= 8 {
                        comp[0] as usize
                    } else {
                        (f32::from(comp[0]) * max / 255.0).round() as usize
                    };
                    let [r, g, b] = palette.get(idx).copied().unwrap_or([0, 0, 0]);
                    luma(r, g, b)
                }
            };
            out.push(if invert { 255 - g } else { g });
        }
    }
    Ok(out)
}

/// A grey value with alpha, composited over white paper.
fn over_white(g: u8, a: u8) -> u8 {
    let (g, a) = (u32::from(g), u32::from(a));
    ((g * a + 255 * (255 - a) + 127) / 255) as u8
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114 + 500) / 1000) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bit_rows_are_unpacked_with_padding() {
        // 3 pixels wide: bits 1,0,1 then 5 padding bits; second row 0,1,0.
        let data = [0b1010_0000, 0b0100_0000];
        let g = samples_to_gray(&data, 3, 2, 1, &Color::Gray, false).unwrap();
        assert_eq!(g, vec![255, 0, 255, 0, 255, 0]);
        let inv = samples_to_gray(&data, 3, 2, 1, &Color::Gray, true).unwrap();
        assert_eq!(inv, vec![0, 255, 0, 255, 0, 255]);
        // Wider than a byte, with padding: 10 pixels from two bytes a row.
        let g = samples_to_gray(&[0xff, 0b0100_0000], 10, 1, 1, &Color::Gray, false).unwrap();
        assert_eq!(g, [[255; 8].as_slice(), &[0, 255]].concat());
    }

    #[test]
    fn eight_bit_grey_is_copied_or_flipped() {
        let data = [0, 17, 255, 128];
        assert_eq!(samples_to_gray(&data, 2, 2, 8, &Color::Gray, false).unwrap(), data);
        assert_eq!(
            samples_to_gray(&data, 2, 2, 8, &Color::Gray, true).unwrap(),
            [255, 238, 0, 127]
        );
    }

    #[test]
    fn colour_models_become_grey() {
        let rgb = samples_to_gray(&[255, 255, 255, 0, 0, 0], 2, 1, 8, &Color::Rgb, false).unwrap();
        assert_eq!(rgb, vec![255, 0]);
        let cmyk =
            samples_to_gray(&[0, 0, 0, 0, 0, 0, 0, 255], 2, 1, 8, &Color::Cmyk, false).unwrap();
        assert_eq!(cmyk, vec![255, 0]);
        let pal = Color::Indexed(vec![[0, 0, 0], [255, 255, 255]]);
        let idx = samples_to_gray(&[0b0100_0000], 2, 1, 2, &pal, false).unwrap();
        assert_eq!(idx, vec![255, 0]);
    }

    #[test]
    fn short_data_is_an_error_not_a_panic() {
        assert!(samples_to_gray(&[0; 5], 10, 10, 8, &Color::Gray, false).is_err());
        assert!(samples_to_gray(&[0; 5], 1, 1, 3, &Color::Gray, false).is_err());
    }

    #[test]
    fn dpi_is_inferred_from_letter_size() {
        assert_eq!(infer_dpi(2550, 3300), 300);
        assert_eq!(infer_dpi(1700, 2200), 200);
        assert_eq!(infer_dpi(100, 100), 72);
        assert_eq!(plausible_dpi(1.0), None);
        assert_eq!(plausible_dpi(299.7), Some(300));
    }

    #[test]
    fn fax_pixels_are_made_square() {
        let fax = Raster { width: 10, height: 5, pixels: vec![255; 50], dpi: (204, 98) };
        let r = square_pixels(fax, &crate::Limits::default(), 1).unwrap();
        assert_eq!((r.width, r.height, r.dpi), (10, 10, (204, 204)));
        let fine = Raster { width: 10, height: 10, pixels: vec![255; 100], dpi: (204, 196) };
        let r = square_pixels(fine, &crate::Limits::default(), 1).unwrap();
        assert_eq!((r.width, r.height, r.dpi), (10, 10, (204, 196)));
    }

    #[test]
    fn rotation_swaps_dimensions_and_resolution() {
        let r = Raster { width: 2, height: 1, pixels: vec![0, 255], dpi: (204, 98) };
        let r90 = rotate(r.clone(), 90);
        assert_eq!((r90.width, r90.height, r90.dpi), (1, 2, (98, 204)));
        assert_eq!(r90.pixels, vec![0, 255]);
        let r180 = rotate(r, 180);
        assert_eq!(r180.pixels, vec![255, 0]);
    }
}
