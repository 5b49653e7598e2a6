//! PDFs through `lopdf`: each page that is one embedded scan image is decoded from that image,
//! without re-rendering, at its own resolution.

use crate::raster::{from_gray, rotate, samples_to_gray, Color};
use crate::{DecodeError, Limits};
use chartdex_core::Raster;
use lopdf::{Dictionary, Document, Object, ObjectId};

pub(crate) struct PdfPages {
    doc: Document,
    pages: Vec<ObjectId>,
}

fn corrupt(detail: impl std::fmt::Display) -> DecodeError {
    DecodeError::Corrupt { format: "PDF", detail: detail.to_string() }
}

impl PdfPages {
    pub(crate) fn open(bytes: &[u8], limits: &Limits) -> Result<PdfPages, DecodeError> {
        let options = lopdf::LoadOptions {
            max_decompressed_size: Some(
                usize::try_from(limits.max_page_pixels.saturating_mul(4)).unwrap_or(usize::MAX),
            ),
            ..lopdf::LoadOptions::default()
        };
        // lopdf tries the empty user password itself; a file it cannot decrypt needs a password.
        let doc = match Document::load_mem_with_options(bytes, options) {
            Ok(doc) => doc,
            Err(lopdf::Error::Decryption(_)) | Err(lopdf::Error::InvalidPassword) => {
                return Err(DecodeError::Encrypted)
            }
            Err(e) => return Err(corrupt(e)),
        };
        if doc.is_encrypted() && doc.encryption_state.is_none() {
            return Err(DecodeError::Encrypted);
        }
        let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
        if pages.is_empty() {
            return Err(corrupt("the document has no pages"));
        }
        limits.check_pages(pages.len() as u64)?;
        Ok(PdfPages { doc, pages })
    }

    pub(crate) fn count(&self) -> u32 {
        self.pages.len() as u32
    }

    pub(crate) fn page(&mut self, index: u32, limits: &Limits) -> Result<Raster, DecodeError> {
        let number = index + 1;
        let page_id = self.pages[index as usize];
        let unsupported = |detail: String| DecodeError::UnsupportedPage { page: number, detail };
        let images = self
            .doc
            .get_page_images(page_id)
            .map_err(|e| corrupt(format!("page {number}: {e}")))?;
        let image = match images.as_slice() {
            [one] => one,
            [] => {
                return Err(unsupported(
                    "no scanned image on the page (rendering text or vector pages is not supported yet)"
                        .into(),
                ))
            }
            many => {
                return Err(unsupported(format!(
                    "{} images on one page (composite pages are not supported yet)",
                    many.len()
                )))
            }
        };
        let (w, h) = (
            u32::try_from(image.width).map_err(|_| unsupported("negative image width".into()))?,
            u32::try_from(image.height).map_err(|_| unsupported("negative image height".into()))?,
        );
        limits.check_page(number, u64::from(w), u64::from(h))?;
        let gray = self.image_gray(image, w, h, number)?;
        let page = self.doc.get_dictionary(page_id).map_err(corrupt)?;
        let dpi = media_box(&self.doc, page).map(|(pw, ph)| {
            let d = |px: u32, pt: f64| crate::raster::plausible_dpi(f64::from(px) * 72.0 / pt);
            (d(w, pw), d(h, ph))
        });
        let dpi = match dpi {
            Some((Some(x), Some(y))) => Some((x, y)),
            _ => None,
        };
        let img =
            image::GrayImage::from_raw(w, h, gray).ok_or_else(|| corrupt("image size mismatch"))?;
        let rotation =
            inherited(&self.doc, page, b"Rotate").and_then(|o| o.as_i64().ok()).unwrap_or(0);
        Ok(rotate(from_gray(img, dpi), rotation))
    }

    fn image_gray(
        &self,
        image: &lopdf::xobject::PdfImage<'_>,
        w: u32,
        h: u32,
        number: u32,
    ) -> Result<Vec<u8>, DecodeError> {
        let unsupported = |detail: String| DecodeError::UnsupportedPage { page: number, detail };
        let dict = image.origin_dict;
        let filters = image.filters.clone().unwrap_or_default();
        match filters.last().map(String::as_str) {
            Some("DCTDecode") if filters.len() == 1 => {
                let img =
                    image::load_from_memory_with_format(image.content, image::ImageFormat::Jpeg)
                        .map_err(|e| corrupt(format!("page {number}: JPEG image: {e}")))?;
                let (iw, ih) = (img.width(), img.height());
                if (iw, ih) != (w, h) {
                    return Err(corrupt(format!(
                        "page {number}: JPEG is {iw}x{ih} but the PDF says {w}x{h}"
                    )));
                }
                let mut gray = img.into_luma8().into_raw();
                if decode_inverted(dict) {
                    gray.iter_mut().for_each(|p| *p = 255 - *p);
                }
                return Ok(gray);
            }
            Some(f @ ("JPXDecode" | "CCITTFaxDecode" | "JBIG2Decode" | "DCTDecode")) => {
                return Err(unsupported(format!("{f} images are not decoded yet")))
            }
            _ => {}
        }
        let is_mask = dict.get(b"ImageMask").and_then(Object::as_bool).unwrap_or(false);
        let (color, bpc) = if is_mask {
            (Color::Gray, 1)
        } else {
            let cs = dict
                .get(b"ColorSpace")
                .map_err(|_| unsupported("image without a colour space".into()))?;
            let color = color_space(&self.doc, cs).map_err(unsupported)?;
            let bpc = image.bits_per_component.unwrap_or(8);
            (color, u8::try_from(bpc).unwrap_or(0))
        };
        let bits = u64::from(w) * u64::from(h) * color.components() as u64 * u64::from(bpc.max(1));
        // The stream may hold a little more than the samples (row padding, trailing bytes).
        let limit = usize::try_from(bits / 8 + u64::from(h) + 1024).unwrap_or(usize::MAX);
        let stream = self.doc.get_object(image.id).and_then(Object::as_stream).map_err(corrupt)?;
        let data = stream
            .decompressed_content_with_limit(limit)
            .map_err(|e| corrupt(format!("page {number}: image data: {e}")))?;
        samples_to_gray(&data, w, h, bpc, &color, decode_inverted(dict))
            .map_err(|e| corrupt(format!("page {number}: {e}")))
    }
}

/// True when the image's /Decode array maps the first component backwards ([1 0]).
fn decode_inverted(dict: &Dictionary) -> bool {
    match dict.get(b"Decode").and_then(Object::as_array) {
        Ok(arr) => matches!(
            (arr.first().and_then(num), arr.get(1).and_then(num)),
            (Some(a), Some(b)) if a > b
        ),
        Err(_) => false,
    }
}

fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    doc.dereference(o).map(|(_, o)| o).unwrap_or(o)
}

fn color_space(doc: &Document, cs: &Object) -> Result<Color, String> {
    let cs = resolve(doc, cs);
    match cs {
        Object::Name(n) => named_color(n),
        Object::Array(arr) => {
            let family = arr
                .first()
                .map(|o| resolve(doc, o))
                .and_then(|o| o.as_name().ok())
                .ok_or("malformed colour space")?;
            match family {
                b"ICCBased" => {
                    let stream = arr
                        .get(1)
                        .map(|o| resolve(doc, o))
                        .and_then(|o| o.as_stream().ok())
                        .ok_or("malformed ICCBased colour space")?;
                    match stream.dict.get(b"N").and_then(Object::as_i64) {
                        Ok(1) => Ok(Color::Gray),
                        Ok(3) => Ok(Color::Rgb),
                        Ok(4) => Ok(Color::Cmyk),
                        _ => Err("ICCBased colour space with an unusual component count".into()),
                    }
                }
                b"Indexed" | b"I" => {
                    let base = color_space(doc, arr.get(1).ok_or("Indexed without base")?)?;
                    let lookup = match arr.get(3).map(|o| resolve(doc, o)) {
                        Some(Object::String(s, _)) => s.clone(),
                        Some(Object::Stream(s)) => s
                            .decompressed_content_with_limit(256 * 4 + 16)
                            .map_err(|e| format!("Indexed lookup table: {e}"))?,
                        _ => return Err("Indexed colour space without a lookup table".into()),
                    };
                    let comps = base.components();
                    let palette = lookup
                        .chunks_exact(comps)
                        .map(|c| {
                            let g = samples_to_gray(c, 1, 1, 8, &base, false)
                                .map(|v| v[0])
                                .unwrap_or(0);
                            [g, g, g]
                        })
                        .collect();
                    Ok(Color::Indexed(palette))
                }
                b"CalGray" => Ok(Color::Gray),
                b"CalRGB" | b"Lab" => Ok(Color::Rgb),
                other => Err(format!(
                    "{} colour space is not supported yet",
                    String::from_utf8_lossy(other)
                )),
            }
        }
        _ => Err("malformed colour space".into()),
    }
}

fn named_color(n: &[u8]) -> Result<Color, String> {
    match n {
        b"DeviceGray" | b"G" | b"CalGray" => Ok(Color::Gray),
        b"DeviceRGB" | b"RGB" | b"CalRGB" => Ok(Color::Rgb),
        b"DeviceCMYK" | b"CMYK" => Ok(Color::Cmyk),
        other => {
            Err(format!("{} colour space is not supported yet", String::from_utf8_lossy(other)))
        }
    }
}

/// A page attribute that may be inherited from the page tree (/Rotate, /MediaBox).
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..64 {
        if let Ok(v) = node.get(key) {
            return Some(resolve(doc, v));
        }
        let parent = node.get(b"Parent").ok()?.as_reference().ok()?;
        node = doc.get_dictionary(parent).ok()?;
    }
    None
}

/// The page's width and height in points.
fn media_box(doc: &Document, page: &Dictionary) -> Option<(f64, f64)> {
    let arr = inherited(doc, page, b"MediaBox")?.as_array().ok()?;
    let v: Vec<f64> = arr.iter().filter_map(|o| num(resolve(doc, o))).collect();
    let [x0, y0, x1, y1] = v.as_slice() else {
        return None;
    };
    let (w, h) = ((x1 - x0).abs(), (y1 - y0).abs());
    (w > 1.0 && h > 1.0).then_some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, Stream};

    /// A one-page PDF whose page is a single 8-bit grey image, built the way a scanner writes it.
    pub(crate) fn scan_pdf(w: u32, h: u32, pixels: Vec<u8>, rotate: i64, decode: bool) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let mut img = dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        };
        if decode {
            img.set("Decode", vec![1.into(), 0.into()]);
        }
        let mut stream = Stream::new(img, pixels);
        stream.compress().unwrap();
        let img_id = doc.add_object(stream);
        let content = format!("q {w} 0 0 {h} 0 0 cm /Im0 Do Q");
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        // The page is w/2 x h/2 points, so the image is 144 dpi.
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), (w as i64 / 2).into(), (h as i64 / 2).into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => img_id } },
            "Rotate" => rotate,
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
            ),
        );
        let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn decode_one(bytes: &[u8]) -> Result<Raster, DecodeError> {
        let mut pages = crate::open(bytes, chartdex_core::MediaType::Pdf, Limits::default())?;
        assert_eq!(pages.page_count(), 1);
        pages.next().unwrap()
    }

    #[test]
    fn flate_grey_image_page_is_extracted_at_its_resolution() {
        let pixels: Vec<u8> = (0..6 * 4).map(|i| (i * 10) as u8).collect();
        let r = decode_one(&scan_pdf(6, 4, pixels.clone(), 0, false)).unwrap();
        assert_eq!((r.width, r.height, r.dpi), (6, 4, (144, 144)));
        assert_eq!(r.pixels, pixels);
    }

    #[test]
    fn rotate_and_decode_array_are_respected() {
        let pixels = vec![0, 100, 200, 255];
        let r = decode_one(&scan_pdf(2, 2, pixels.clone(), 90, true)).unwrap();
        // Inverted: 255, 155, 55, 0; then turned clockwise.
        assert_eq!(r.pixels, vec![55, 255, 0, 155]);
    }

    #[test]
    fn truncated_pdf_is_corrupt() {
        let bytes = scan_pdf(2, 2, vec![0; 4], 0, false);
        let err = decode_one(&bytes[..40]).unwrap_err();
        assert!(matches!(err, DecodeError::Corrupt { format: "PDF", .. }), "{err}");
    }
}
