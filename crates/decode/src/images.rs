//! Single-image formats (PNG, JPEG, BMP, GIF, WebP) through the `image` crate.

use crate::raster::{from_gray, plausible_dpi};
use crate::{DecodeError, Limits};
use chartdex_core::{MediaType, Raster};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use std::io::Cursor;

fn format_name(media: MediaType) -> &'static str {
    match media {
        MediaType::Png => "PNG",
        MediaType::Jpeg => "JPEG",
        MediaType::Bmp => "BMP",
        MediaType::Gif => "GIF",
        MediaType::WebP => "WebP",
        MediaType::Tiff => "TIFF",
        MediaType::Pdf => "PDF",
    }
}

/// Decodes a single-image file to grey, honouring EXIF orientation, checking the pixel limit
/// before any pixel buffer is allocated.
pub(crate) fn decode(
    bytes: &[u8],
    media: MediaType,
    limits: &Limits,
) -> Result<Raster, DecodeError> {
    let format = match media {
        MediaType::Png => ImageFormat::Png,
        MediaType::Jpeg => ImageFormat::Jpeg,
        MediaType::Bmp => ImageFormat::Bmp,
        MediaType::Gif => ImageFormat::Gif,
        MediaType::WebP => ImageFormat::WebP,
        MediaType::Tiff => ImageFormat::Tiff,
        MediaType::Pdf => unreachable!("PDFs are not decoded as images"),
    };
    let name = format_name(media);
    let corrupt =
        |e: image::ImageError| DecodeError::Corrupt { format: name, detail: e.to_string() };
    if media == MediaType::Jpeg && !jpeg_complete(bytes) {
        // The decoder would fill the missing rows with grey; a truncated scan must not pass.
        return Err(DecodeError::Corrupt {
            format: name,
            detail: "the image data ends before the end-of-image marker (truncated file)".into(),
        });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut image_limits = image::Limits::default();
    // Bytes per pixel can reach 8 (16-bit RGBA); the page check below is the real bound.
    image_limits.max_alloc = Some(limits.max_page_pixels.saturating_mul(8));
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (w, h) = decoder.dimensions();
    limits.check_page(1, u64::from(w), u64::from(h))?;
    let orientation = decoder.orientation().map_err(corrupt)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    img.apply_orientation(orientation);
    let dpi = match media {
        MediaType::Png => png_dpi(bytes),
        MediaType::Jpeg => jfif_dpi(bytes),
        MediaType::Bmp => bmp_dpi(bytes),
        _ => None,
    };
    // A quarter turn swaps the axes' resolutions too.
    let dpi =
        dpi.map(
            |(x, y)| {
                if img.width() == h && img.height() == w && w != h {
                    (y, x)
                } else {
                    (x, y)
                }
            },
        );
    Ok(from_gray(flatten(img), dpi))
}

/// Grey, with any transparency composited over white paper (a transparent pixel's colour is
/// often black, which would otherwise turn the page black).
fn flatten(img: DynamicImage) -> image::GrayImage {
    if !img.color().has_alpha() {
        return img.into_luma8();
    }
    let la = img.into_luma_alpha8();
    image::GrayImage::from_fn(la.width(), la.height(), |x, y| {
        let [l, a] = la.get_pixel(x, y).0;
        let (l, a) = (u32::from(l), u32::from(a));
        image::Luma([((l * a + 255 * (255 - a) + 127) / 255) as u8])
    })
}

/// True if an end-of-image marker follows the last start-of-scan marker. (Inside entropy-coded
/// data 0xFF is always followed by 0x00 or a restart marker, so FF D9 there is the real end; an
/// embedded EXIF thumbnail's own end comes before the main scan.)
fn jpeg_complete(bytes: &[u8]) -> bool {
    let Some(sos) = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]) else {
        return false;
    };
    bytes[sos..].windows(2).any(|w| w == [0xFF, 0xD9])
}

/// The `pHYs` chunk of a PNG, when its unit is the metre.
fn png_dpi(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut pos = 8;
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().ok()?) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let data = bytes.get(pos + 8..pos + 8 + len)?;
        match kind {
            b"pHYs" if len == 9 && data[8] == 1 => {
                let x = u32::from_be_bytes(data[0..4].try_into().ok()?);
                let y = u32::from_be_bytes(data[4..8].try_into().ok()?);
                return Some((
                    plausible_dpi(f64::from(x) * 0.0254)?,
                    plausible_dpi(f64::from(y) * 0.0254)?,
                ));
            }
            b"IDAT" | b"IEND" => return None,
            _ => {}
        }
        pos += 12 + len;
    }
    None
}

/// The density of a JPEG's JFIF APP0 segment, in dots per inch or per centimetre.
fn jfif_dpi(bytes: &[u8]) -> Option<(u32, u32)> {
    let app0 = bytes.get(2..20)?;
    if app0[0] != 0xFF || app0[1] != 0xE0 || &app0[4..9] != b"JFIF\0" {
        return None;
    }
    let unit = app0[11];
    let x = f64::from(u16::from_be_bytes([app0[12], app0[13]]));
    let y = f64::from(u16::from_be_bytes([app0[14], app0[15]]));
    let scale = match unit {
        1 => 1.0,
        2 => 2.54,
        _ => return None,
    };
    Some((plausible_dpi(x * scale)?, plausible_dpi(y * scale)?))
}

/// The pixels-per-metre fields of a BMP info header.
fn bmp_dpi(bytes: &[u8]) -> Option<(u32, u32)> {
    let x = i32::from_le_bytes(bytes.get(38..42)?.try_into().ok()?);
    let y = i32::from_le_bytes(bytes.get(42..46)?.try_into().ok()?);
    Some((plausible_dpi(f64::from(x) * 0.0254)?, plausible_dpi(f64::from(y) * 0.0254)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, Luma};

    fn png_bytes(w: u32, h: u32) -> Vec<u8> {
        let img = GrayImage::from_fn(w, h, |x, _| Luma([if x % 2 == 0 { 0 } else { 255 }]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn png_decodes_to_grey_with_inferred_dpi() {
        let r = decode(&png_bytes(4, 3), MediaType::Png, &Limits::default()).unwrap();
        assert_eq!((r.width, r.height), (4, 3));
        assert_eq!(&r.pixels[..4], &[0, 255, 0, 255]);
        assert_eq!(r.dpi, (72, 72));
    }

    #[test]
    fn png_phys_chunk_gives_dpi() {
        let mut bytes = png_bytes(2, 2);
        // Insert a pHYs chunk (300 dpi = 11811 px/m) right after IHDR (8 + 25 bytes).
        let mut chunk = Vec::new();
        chunk.extend_from_slice(&9u32.to_be_bytes());
        chunk.extend_from_slice(b"pHYs");
        chunk.extend_from_slice(&11811u32.to_be_bytes());
        chunk.extend_from_slice(&11811u32.to_be_bytes());
        chunk.push(1);
        chunk.extend_from_slice(&[0, 0, 0, 0]); // CRC is not checked by png_dpi
        bytes.splice(33..33, chunk);
        assert_eq!(png_dpi(&bytes), Some((300, 300)));
    }

    #[test]
    fn truncated_jpeg_is_refused() {
        let img = GrayImage::from_fn(64, 64, |x, y| Luma([((x * y) % 256) as u8]));
        let mut bytes = Vec::new();
        img.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Jpeg).unwrap();
        assert!(decode(&bytes, MediaType::Jpeg, &Limits::default()).is_ok());
        let err =
            decode(&bytes[..bytes.len() - 40], MediaType::Jpeg, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
    }

    #[test]
    fn transparency_becomes_white_paper() {
        // Black ink on a fully transparent background whose colour is black.
        let img = image::RgbaImage::from_fn(2, 1, |x, _| {
            if x == 0 {
                image::Rgba([0, 0, 0, 255])
            } else {
                image::Rgba([0, 0, 0, 0])
            }
        });
        let mut bytes = Vec::new();
        img.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png).unwrap();
        let r = decode(&bytes, MediaType::Png, &Limits::default()).unwrap();
        assert_eq!(r.pixels, vec![0, 255]);
    }

    #[test]
    fn pixel_limit_is_checked_before_decoding() {
        let limits = Limits { max_page_pixels: 10, ..Limits::default() };
        let err = decode(&png_bytes(4, 3), MediaType::Png, &limits).unwrap_err();
        assert!(matches!(err, DecodeError::TooManyPixels { width: 4, height: 3, .. }), "{err}");
    }
}
