//! PDFs through `lopdf`: each page that is one embedded scan image is decoded from that image,
//! without re-rendering, at its own resolution.

use crate::raster::{from_gray, rotate, samples_to_gray, Color};
use crate::render::Renderer;
use crate::{ccitt, text_layer, DecodeError, Limits, PageContent};
use chartdex_core::Raster;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub(crate) struct PdfPages<'a> {
    bytes: &'a [u8],
    /// The document as lopdf reads it; `None` when only the renderer could read the file.
    doc: Option<Document>,
    pages: Vec<ObjectId>,
    count: u32,
    /// Opened on the first page that needs rendering.
    renderer: Option<Renderer>,
}

fn corrupt(detail: impl std::fmt::Display) -> DecodeError {
    DecodeError::Corrupt { format: "PDF", detail: detail.to_string() }
}

/// What a page's content stream draws.
#[derive(Debug, Default)]
struct Drawn {
    text: bool,
    paths: bool,
    /// Text in render mode 3 (neither filled nor stroked): the layer OCR tools lay over a scan.
    invisible_text: bool,
}

impl<'a> PdfPages<'a> {
    pub(crate) fn open(bytes: &'a [u8], limits: &Limits) -> Result<PdfPages<'a>, DecodeError> {
        let options = lopdf::LoadOptions {
            // Object and cross-reference streams: structure, never this large in a real file.
            max_decompressed_size: Some(256 << 20),
            ..lopdf::LoadOptions::default()
        };
        // lopdf tries the empty user password itself; a file it cannot decrypt needs a password.
        let doc = match Document::load_mem_with_options(bytes, options) {
            Ok(doc) => doc,
            Err(lopdf::Error::Decryption(_)) | Err(lopdf::Error::InvalidPassword) => {
                return Err(DecodeError::Encrypted)
            }
            Err(e) => {
                // lopdf already rebuilt what it could of a broken cross-reference table; the
                // renderer has its own recovery, so it gets a second chance before rejecting.
                return match Renderer::open(bytes) {
                    Ok(r) if r.page_count() > 0 => {
                        let count = r.page_count() as u32;
                        limits.check_pages(u64::from(count))?;
                        Ok(PdfPages {
                            bytes,
                            doc: None,
                            pages: Vec::new(),
                            count,
                            renderer: Some(r),
                        })
                    }
                    Err(DecodeError::Encrypted) => Err(DecodeError::Encrypted),
                    _ => Err(corrupt(e)),
                };
            }
        };
        if doc.is_encrypted() && doc.encryption_state.is_none() {
            return Err(DecodeError::Encrypted);
        }
        let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
        if pages.is_empty() {
            return Err(corrupt("the document has no pages"));
        }
        limits.check_pages(pages.len() as u64)?;
        let count = pages.len() as u32;
        Ok(PdfPages { bytes, doc: Some(doc), pages, count, renderer: None })
    }

    pub(crate) fn count(&self) -> u32 {
        self.count
    }

    fn renderer(&mut self) -> Result<&Renderer, DecodeError> {
        if self.renderer.is_none() {
            self.renderer = Some(Renderer::open(self.bytes)?);
        }
        Ok(self.renderer.as_ref().expect("renderer was just opened"))
    }

    fn render(
        &mut self,
        index: u32,
        dpi: Option<f32>,
        limits: &Limits,
    ) -> Result<PageContent, DecodeError> {
        let count = self.count;
        let renderer = self.renderer()?;
        if renderer.page_count() != count as usize {
            // The two readers see different documents: the file is damaged past this page.
            return Err(corrupt(format!(
                "page {}: the page cannot be read (is the file truncated?)",
                index + 1
            )));
        }
        let raster =
            catch_unwind(AssertUnwindSafe(|| renderer.render(index as usize, dpi, limits)))
                .unwrap_or_else(|_| {
                    Err(DecodeError::UnsupportedPage {
                        page: index + 1,
                        detail: "the PDF renderer crashed on this page".into(),
                    })
                })?;
        Ok(PageContent::Raster(raster))
    }

    /// Page `index`: its text layer if it has real text, else its scan image taken as is when
    /// the page is one image, else the page rendered at 300 dpi.
    pub(crate) fn page(&mut self, index: u32, limits: &Limits) -> Result<PageContent, DecodeError> {
        let number = index + 1;
        let Some(doc) = &self.doc else {
            return self.render(index, None, limits);
        };
        let page_id = self.pages[index as usize];
        let images = doc.get_page_images(page_id).unwrap_or_default();
        let drawn = drawn(doc, page_id);
        // A scan with a few visible words on it (a stamp, a header) still needs OCR; a scan under
        // an invisible OCR layer does not.
        let scan_needs_more_text = !images.is_empty() && !drawn.invisible_text;
        if let Some(text) = doc
            .extract_text(&[number])
            .ok()
            .and_then(|t| text_layer::usable(&t, scan_needs_more_text))
        {
            return Ok(PageContent::Text(text));
        }
        let native = match images.as_slice() {
            [one] if !drawn.text && !drawn.paths => {
                Some(self.image_page(one, page_id, number, limits))
            }
            _ => None,
        };
        match native {
            Some(Ok(raster)) => Ok(PageContent::Raster(raster)),
            Some(Err(
                e @ (DecodeError::TooManyPixels { .. }
                | DecodeError::TooMuchData { .. }
                | DecodeError::Bomb { .. }),
            )) => Err(e),
            // An image this decoder cannot take as is: the renderer may still draw it, at the
            // image's own resolution.
            Some(Err(native_err)) => {
                let dpi = self.image_dpi(page_id, &images[0]);
                self.render(index, dpi, limits).map_err(|_| native_err)
            }
            None => self.render(index, None, limits),
        }
    }

    /// The resolution the page's one image has on the page, if the page size is known.
    fn image_dpi(&self, page_id: ObjectId, image: &lopdf::xobject::PdfImage<'_>) -> Option<f32> {
        let doc = self.doc.as_ref()?;
        let page = doc.get_dictionary(page_id).ok()?;
        let (pw, _) = media_box(doc, page)?;
        Some((image.width as f64 * 72.0 / pw) as f32)
    }

    fn image_page(
        &self,
        image: &lopdf::xobject::PdfImage<'_>,
        page_id: ObjectId,
        number: u32,
        limits: &Limits,
    ) -> Result<Raster, DecodeError> {
        let doc = self.doc.as_ref().expect("image pages come from lopdf");
        let unsupported = |detail: String| DecodeError::UnsupportedPage { page: number, detail };
        let (w, h) = (
            u32::try_from(image.width).map_err(|_| unsupported("negative image width".into()))?,
            u32::try_from(image.height).map_err(|_| unsupported("negative image height".into()))?,
        );
        limits.check_page(number, u64::from(w), u64::from(h))?;
        let gray = image_gray(doc, image, w, h, number)?;
        let page = doc.get_dictionary(page_id).map_err(corrupt)?;
        let dpi = media_box(doc, page).map(|(pw, ph)| {
            let d = |px: u32, pt: f64| crate::raster::plausible_dpi(f64::from(px) * 72.0 / pt);
            (d(w, pw), d(h, ph))
        });
        let dpi = match dpi {
            Some((Some(x), Some(y))) => Some((x, y)),
            _ => None,
        };
        let img =
            image::GrayImage::from_raw(w, h, gray).ok_or_else(|| corrupt("image size mismatch"))?;
        let rotation = inherited(doc, page, b"Rotate").and_then(|o| o.as_i64().ok()).unwrap_or(0);
        Ok(rotate(from_gray(img, dpi), rotation))
    }
}

/// Whether the page's content stream shows text or paints paths (then it is not just a scan).
fn drawn(doc: &Document, page_id: ObjectId) -> Drawn {
    let Ok(content) = doc.get_and_decode_page_content(page_id) else {
        // Unreadable content: let the renderer decide what the page shows.
        return Drawn { text: true, paths: true, invisible_text: false };
    };
    let mut d = Drawn::default();
    for op in &content.operations {
        match op.operator.as_str() {
            "Tj" | "TJ" | "'" | "\"" => d.text = true,
            "Tr" => {
                d.invisible_text |= op.operands.first().and_then(|o| o.as_i64().ok()) == Some(3)
            }
            "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" | "S" | "s" | "sh" => d.paths = true,
            _ => {}
        }
    }
    d
}

/// The one image of a page, decoded to grey at its own size.
fn image_gray(
    doc: &Document,
    image: &lopdf::xobject::PdfImage<'_>,
    w: u32,
    h: u32,
    number: u32,
) -> Result<Vec<u8>, DecodeError> {
    let unsupported = |detail: String| DecodeError::UnsupportedPage { page: number, detail };
    let dict = image.origin_dict;
    let filters = image.filters.clone().unwrap_or_default();
    let params = decode_params(doc, dict);
    let mut gray = match filters.as_slice() {
        [f] if f == "DCTDecode" => {
            let img = image::load_from_memory_with_format(image.content, image::ImageFormat::Jpeg)
                .map_err(|e| corrupt(format!("page {number}: JPEG image: {e}")))?;
            check_size(img.width(), img.height(), w, h, number)?;
            img.into_luma8().into_raw()
        }
        [f] if f == "CCITTFaxDecode" => {
            let k =
                params.and_then(|p| p.get(b"K").ok()).and_then(|o| o.as_i64().ok()).unwrap_or(0);
            let flag = |key: &[u8], default: bool| {
                params
                    .and_then(|p| p.get(key).ok())
                    .and_then(|o| o.as_bool().ok())
                    .unwrap_or(default)
            };
            let p = ccitt::Params {
                columns: w,
                rows: h,
                mode: match k {
                    k if k < 0 => hayro_ccitt::EncodingMode::Group4,
                    0 => hayro_ccitt::EncodingMode::Group3_1D,
                    _ => hayro_ccitt::EncodingMode::Group3_2D,
                },
                byte_aligned: flag(b"EncodedByteAlign", false),
                end_of_block: flag(b"EndOfBlock", true),
            };
            let mut g = ccitt::decode(image.content, p)
                .map_err(|e| corrupt(format!("page {number}: {e}")))?;
            if flag(b"BlackIs1", false) {
                g.iter_mut().for_each(|v| *v = 255 - *v);
            }
            g
        }
        [f] if f == "JBIG2Decode" => jbig2(doc, image.content, params, w, h, number)?,
        [f] if f == "JPXDecode" => jpx(image.content, w, h, number)?,
        fs if fs.iter().any(|f| {
            matches!(f.as_str(), "DCTDecode" | "CCITTFaxDecode" | "JBIG2Decode" | "JPXDecode")
        }) =>
        {
            return Err(unsupported(format!("image filter chain {fs:?}")))
        }
        _ => return raw_samples(doc, image, w, h, number),
    };
    if decode_inverted(dict) {
        gray.iter_mut().for_each(|v| *v = 255 - *v);
    }
    Ok(gray)
}

fn check_size(iw: u32, ih: u32, w: u32, h: u32, number: u32) -> Result<(), DecodeError> {
    if (iw, ih) == (w, h) {
        Ok(())
    } else {
        Err(corrupt(format!("page {number}: the image is {iw}x{ih} but the PDF says {w}x{h}")))
    }
}

fn decode_params<'a>(doc: &'a Document, dict: &'a Dictionary) -> Option<&'a Dictionary> {
    match dict.get(b"DecodeParms").ok().map(|o| resolve(doc, o))? {
        Object::Dictionary(d) => Some(d),
        Object::Array(a) => a.first().map(|o| resolve(doc, o)).and_then(|o| o.as_dict().ok()),
        _ => None,
    }
}

/// Uncompressed, Flate (with predictors), LZW, RunLength or ASCII-coded samples.
fn raw_samples(
    doc: &Document,
    image: &lopdf::xobject::PdfImage<'_>,
    w: u32,
    h: u32,
    number: u32,
) -> Result<Vec<u8>, DecodeError> {
    let unsupported = |detail: String| DecodeError::UnsupportedPage { page: number, detail };
    let dict = image.origin_dict;
    let is_mask = dict.get(b"ImageMask").and_then(Object::as_bool).unwrap_or(false);
    let (color, bpc) = if is_mask {
        (Color::Gray, 1)
    } else {
        let cs = dict
            .get(b"ColorSpace")
            .map_err(|_| unsupported("image without a colour space".into()))?;
        let color = color_space(doc, cs).map_err(unsupported)?;
        let bpc = image.bits_per_component.unwrap_or(8);
        (color, u8::try_from(bpc).unwrap_or(0))
    };
    let bits = u64::from(w) * u64::from(h) * color.components() as u64 * u64::from(bpc.max(1));
    // The stream may hold a little more than the samples (row padding, trailing bytes).
    let limit = usize::try_from(bits / 8 + u64::from(h) + 1024).unwrap_or(usize::MAX);
    let stream = doc.get_object(image.id).and_then(Object::as_stream).map_err(corrupt)?;
    let data = stream.decompressed_content_with_limit(limit).map_err(|e| match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            DecodeError::Bomb { page: number }
        }
        e => corrupt(format!("page {number}: image data: {e}")),
    })?;
    // lopdf may also stop quietly at the limit; a real image never fills its slack.
    if data.len() >= limit {
        return Err(DecodeError::Bomb { page: number });
    }
    samples_to_gray(&data, w, h, bpc, &color, decode_inverted(dict))
        .map_err(|e| corrupt(format!("page {number}: {e}")))
}

/// Collects JBIG2 pixels into grey (black 0, white 255).
struct Bits {
    pixels: Vec<u8>,
    cap: usize,
}

impl hayro_jbig2::Decoder for Bits {
    fn push_pixel(&mut self, black: bool) {
        if self.pixels.len() < self.cap {
            self.pixels.push(if black { 0 } else { 255 });
        }
    }

    fn push_pixel_chunk(&mut self, black: bool, chunk_count: u32) {
        let n = (chunk_count as usize * 8).min(self.cap - self.pixels.len());
        self.pixels.extend(std::iter::repeat_n(if black { 0 } else { 255 }, n));
    }

    fn next_line(&mut self) {}
}

fn jbig2(
    doc: &Document,
    data: &[u8],
    params: Option<&Dictionary>,
    w: u32,
    h: u32,
    number: u32,
) -> Result<Vec<u8>, DecodeError> {
    let err = |e: String| corrupt(format!("page {number}: JBIG2 image: {e}"));
    let settings = hayro_jbig2::DecodeSettings::default();
    let globals_data = params
        .and_then(|p| p.get(b"JBIG2Globals").ok())
        .map(|o| resolve(doc, o))
        .and_then(|o| o.as_stream().ok())
        .map(|s| s.decompressed_content_with_limit(16 << 20).map_err(|e| err(e.to_string())))
        .transpose()?;
    let globals = globals_data
        .as_deref()
        .map(|g| hayro_jbig2::Globals::new(g, &settings).map_err(|e| err(format!("{e:?}"))))
        .transpose()?;
    let page = hayro_jbig2::Page::new_embedded(data, globals.as_ref(), &settings)
        .map_err(|e| err(format!("{e:?}")))?;
    check_size(page.width(), page.height(), w, h, number)?;
    let cap = w as usize * h as usize;
    let mut bits = Bits { pixels: Vec::with_capacity(cap), cap };
    page.decode(&mut bits).map_err(|e| err(format!("{e:?}")))?;
    bits.pixels.resize(cap, 255);
    Ok(bits.pixels)
}

fn jpx(data: &[u8], w: u32, h: u32, number: u32) -> Result<Vec<u8>, DecodeError> {
    let err = |e: String| corrupt(format!("page {number}: JPEG 2000 image: {e}"));
    let settings = hayro_jpeg2000::DecodeSettings::default();
    let image = hayro_jpeg2000::Image::new(data, &settings).map_err(|e| err(format!("{e:?}")))?;
    check_size(image.width(), image.height(), w, h, number)?;
    let mut ctx = hayro_jpeg2000::DecoderContext::default();
    let decoded = image.decode(&mut ctx).map_err(|e| err(format!("{e:?}")))?;
    let samples = decoded.data_u8();
    let channels = decoded.components().len();
    let color = match (channels, image.has_alpha()) {
        (1, _) => Color::Gray,
        (2, true) => Color::GrayAlpha,
        (3, _) => Color::Rgb,
        (4, true) => Color::Rgba,
        (4, false) => Color::Cmyk,
        (n, _) => return Err(err(format!("{n} channels"))),
    };
    samples_to_gray(&samples, w, h, 8, &color, false).map_err(err)
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
                b"CalRGB" => Ok(Color::Rgb),
                b"Lab" => Ok(Color::Lab),
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
        match pages.next().unwrap()? {
            PageContent::Raster(r) => Ok(r),
            PageContent::Text(t) => panic!("expected a raster, got text {t:?}"),
        }
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
