//! Page preparation before recognition: turning the page upright and straightening its lines.
//!
//! Each step records what it did ([`PageMeta`]) and keeps the geometry needed to map word boxes
//! back to the original page ([`Geometry::map_to_original`]).

use chartdex_core::{BBox, PageMeta};

/// Which preparation steps run. All on by default; each can be switched off for comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preprocess {
    /// Detect 90/180/270° page rotation (tesseract OSD) and turn the page upright.
    pub orientation: bool,
    /// Measure the skew of the text lines and rotate it away.
    pub deskew: bool,
    /// Remove scan borders, edge shadows, streaks and speckle; binarise uneven paper.
    pub clean: bool,
    /// Enlarge low-resolution pages (fax) to the resolution tesseract reads best.
    pub upsample: bool,
}

impl Default for Preprocess {
    fn default() -> Self {
        Preprocess { orientation: true, deskew: true, clean: true, upsample: true }
    }
}

/// An 8-bit grey image owned by the preprocessing steps.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Gray {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) pixels: Vec<u8>,
}

/// How the prepared page relates to the original: first a scaling, then a quarter-turn rotation,
/// then a small rotation about the centre.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Geometry {
    /// Original size.
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Size after scaling (equal to the original when not scaled).
    pub(crate) scaled: (u32, u32),
    /// Clockwise quarter turns applied (0, 90, 180, 270).
    pub(crate) quarter: u32,
    /// Clockwise rotation applied after it, in degrees.
    pub(crate) skew: f32,
}

impl Geometry {
    /// Maps a box on the prepared page to the original page (the bounding box of its corners).
    pub(crate) fn map_to_original(&self, b: BBox) -> BBox {
        let (sw, sh) = self.scaled;
        let (qw, qh) = if self.quarter % 180 == 90 { (sh, sw) } else { (sw, sh) };
        let corners = [
            (b.x as f64, b.y as f64),
            ((b.x + b.w) as f64, b.y as f64),
            (b.x as f64, (b.y + b.h) as f64),
            ((b.x + b.w) as f64, (b.y + b.h) as f64),
        ];
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (x, y) in corners {
            // Undo the small rotation (about the centre of the quarter-turned page).
            let (cx, cy) = (qw as f64 / 2.0, qh as f64 / 2.0);
            let a = -(self.skew as f64).to_radians();
            let (dx, dy) = (x - cx, y - cy);
            let (x, y) = (cx + dx * a.cos() - dy * a.sin(), cy + dx * a.sin() + dy * a.cos());
            // Undo the quarter turn.
            let (ow, oh) = (sw as f64, sh as f64);
            let (x, y) = match self.quarter {
                90 => (y, oh - x),
                180 => (ow - x, oh - y),
                270 => (ow - y, x),
                _ => (x, y),
            };
            // Undo the scaling.
            let (x, y) = (x * self.width as f64 / ow, y * self.height as f64 / oh);
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        let clamp = |v: f64, max: u32| v.round().clamp(0.0, max as f64) as u32;
        let (x0, y0) = (clamp(x0, self.width), clamp(y0, self.height));
        let (x1, y1) = (clamp(x1, self.width), clamp(y1, self.height));
        BBox { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }
    }
}

/// Enlarges the image by `factor` (bilinear).
pub(crate) fn scale(img: &Gray, factor: f64) -> Gray {
    let (w, h) = (img.width as usize, img.height as usize);
    let (nw, nh) = ((w as f64 * factor).round() as usize, (h as f64 * factor).round() as usize);
    let mut out = vec![255u8; nw * nh];
    for oy in 0..nh {
        let sy = ((oy as f64 + 0.5) / factor - 0.5).clamp(0.0, (h - 1) as f64);
        let (y0, fy) = (sy.floor() as usize, sy - sy.floor());
        let y1 = (y0 + 1).min(h - 1);
        for ox in 0..nw {
            let sx = ((ox as f64 + 0.5) / factor - 0.5).clamp(0.0, (w - 1) as f64);
            let (x0, fx) = (sx.floor() as usize, sx - sx.floor());
            let x1 = (x0 + 1).min(w - 1);
            let p = |x: usize, y: usize| img.pixels[y * w + x] as f64;
            let v = p(x0, y0) * (1.0 - fx) * (1.0 - fy)
                + p(x1, y0) * fx * (1.0 - fy)
                + p(x0, y1) * (1.0 - fx) * fy
                + p(x1, y1) * fx * fy;
            out[oy * nw + ox] = v.round() as u8;
        }
    }
    Gray { width: nw as u32, height: nh as u32, pixels: out }
}

/// A Gaussian blur of standard deviation `sigma` pixels (separable; edges repeat). Fixed-point
/// weights (summing to 2^12), so a 200-dpi page takes milliseconds.
pub(crate) fn blur(img: &Gray, sigma: f64) -> Gray {
    let r = (sigma * 3.0).ceil() as usize;
    let weights: Vec<f64> = (0..=2 * r)
        .map(|i| {
            let d = i as f64 - r as f64;
            (-(d * d) / (2.0 * sigma * sigma)).exp()
        })
        .collect();
    let total: f64 = weights.iter().sum();
    let mut kernel: Vec<u32> =
        weights.iter().map(|k| (k / total * 4096.0).round() as u32).collect();
    // Rounding may leave the sum off by a little: put it on the centre, so flat areas stay flat.
    let sum: u32 = kernel.iter().sum();
    kernel[r] = (kernel[r] + 4096).saturating_sub(sum);
    let (w, h) = (img.width as usize, img.height as usize);
    if w == 0 || h == 0 {
        return img.clone();
    }
    // Across each row, into 16-bit sums scaled by 2^4 (the 2^12 weights shifted down by 8).
    let mut across = vec![0u16; w * h];
    let mut padded = vec![0u8; w + 2 * r];
    for y in 0..h {
        let row = &img.pixels[y * w..(y + 1) * w];
        padded[r..r + w].copy_from_slice(row);
        padded[..r].fill(row[0]);
        padded[r + w..].fill(row[w - 1]);
        let out = &mut across[y * w..(y + 1) * w];
        for (x, o) in out.iter_mut().enumerate() {
            let acc: u32 =
                kernel.iter().zip(&padded[x..x + 2 * r + 1]).map(|(k, &p)| k * u32::from(p)).sum();
            *o = ((acc + 128) >> 8) as u16;
        }
    }
    // Down each column, a row at a time (rows beyond the edges repeat the edge rows).
    let mut pixels = vec![0u8; w * h];
    let mut acc = vec![0u32; w];
    for y in 0..h {
        acc.fill(0);
        for (j, &k) in kernel.iter().enumerate() {
            let sy = (y + j).saturating_sub(r).min(h - 1);
            for (a, &v) in acc.iter_mut().zip(&across[sy * w..(sy + 1) * w]) {
                *a += k * u32::from(v);
            }
        }
        for (p, &a) in pixels[y * w..(y + 1) * w].iter_mut().zip(&acc) {
            *p = ((a + (1 << 15)) >> 16).min(255) as u8;
        }
    }
    Gray { width: img.width, height: img.height, pixels }
}

/// Turns the image clockwise by a multiple of 90 degrees.
pub(crate) fn quarter_turn(img: &Gray, degrees: u32) -> Gray {
    let (w, h) = (img.width as usize, img.height as usize);
    let src = &img.pixels;
    match degrees % 360 {
        90 => {
            let mut out = vec![0u8; w * h];
            for y in 0..h {
                for x in 0..w {
                    // (x, y) goes to (h - 1 - y, x) in an h-wide image.
                    out[x * h + (h - 1 - y)] = src[y * w + x];
                }
            }
            Gray { width: img.height, height: img.width, pixels: out }
        }
        180 => Gray {
            width: img.width,
            height: img.height,
            pixels: src.iter().rev().copied().collect(),
        },
        270 => {
            let mut out = vec![0u8; w * h];
            for y in 0..h {
                for x in 0..w {
                    out[(w - 1 - x) * h + y] = src[y * w + x];
                }
            }
            Gray { width: img.height, height: img.width, pixels: out }
        }
        _ => img.clone(),
    }
}

/// Rotates the image clockwise by `degrees` about its centre, same size, white where the turned
/// page leaves the canvas, bilinear sampling.
pub(crate) fn rotate(img: &Gray, degrees: f32) -> Gray {
    let (w, h) = (img.width as usize, img.height as usize);
    let a = f64::from(degrees).to_radians();
    let (sin, cos) = a.sin_cos();
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    let src = &img.pixels;
    // Source coordinates in 16.16 fixed point, stepped along each row; bilinear weights in 8 bits.
    const ONE: f64 = 65536.0;
    let (step_x, step_y) = ((cos * ONE).round() as i64, (-sin * ONE).round() as i64);
    let at = |x: i64, y: i64| -> u32 {
        if x < 0 || y < 0 || x >= w as i64 || y >= h as i64 {
            255
        } else {
            u32::from(src[y as usize * w + x as usize])
        }
    };
    let mut out = vec![255u8; w * h];
    for oy in 0..h {
        let dy = oy as f64 + 0.5 - cy;
        // Inverse of a clockwise turn (y pointing down).
        let dx0 = 0.5 - cx;
        let mut sx = ((cx + dx0 * cos + dy * sin - 0.5) * ONE).round() as i64;
        let mut sy = ((cy - dx0 * sin + dy * cos - 0.5) * ONE).round() as i64;
        for o in out[oy * w..(oy + 1) * w].iter_mut() {
            let (xi, yi) = (sx >> 16, sy >> 16);
            let (fx, fy) = (((sx >> 8) & 0xff) as u32, ((sy >> 8) & 0xff) as u32);
            let (p00, p10, p01, p11) =
                if xi >= 0 && yi >= 0 && (xi as usize) + 1 < w && (yi as usize) + 1 < h {
                    let i = yi as usize * w + xi as usize;
                    (
                        u32::from(src[i]),
                        u32::from(src[i + 1]),
                        u32::from(src[i + w]),
                        u32::from(src[i + w + 1]),
                    )
                } else {
                    (at(xi, yi), at(xi + 1, yi), at(xi, yi + 1), at(xi + 1, yi + 1))
                };
            let top = p00 * (256 - fx) + p10 * fx;
            let bottom = p01 * (256 - fx) + p11 * fx;
            *o = ((top * (256 - fy) + bottom * fy + (1 << 15)) >> 16) as u8;
            sx += step_x;
            sy += step_y;
        }
    }
    Gray { width: img.width, height: img.height, pixels: out }
}

/// The skew of the page's text lines: how many degrees they are turned counter-clockwise (so
/// rotating the page clockwise by the result straightens them). `None` for a page with too
/// little ink to tell. Searches ±10° with a projection profile on a reduced copy, to 0.05°.
pub(crate) fn measure_skew(img: &Gray) -> Option<f32> {
    // Ink points of a reduced copy (a point per dark pixel of a ≤1000-px-wide image).
    let step = (img.width as usize / 1000).max(1);
    let (w, h) = (img.width as usize, img.height as usize);
    let threshold = otsu(&img.pixels);
    let mut points = Vec::new();
    for y in (0..h).step_by(step) {
        for x in (0..w).step_by(step) {
            if img.pixels[y * w + x] < threshold {
                points.push(((x / step) as f64, (y / step) as f64));
            }
        }
    }
    if points.len() < 200 || points.len() > (w / step) * (h / step) / 2 {
        return None;
    }
    let rows = (h / step + w / step) * 2 + 4;
    // The coarse search sees every fourth point: half-degree steps need no more.
    let score = |deg: f64, every: usize| -> f64 {
        let (sin, cos) = deg.to_radians().sin_cos();
        let mut bins = vec![0u32; rows];
        let offset = (w / step) as f64 + 2.0;
        for &(x, y) in points.iter().step_by(every) {
            let yr = x * sin + y * cos + offset;
            bins[(yr as usize).min(rows - 1)] += 1;
        }
        bins.iter().map(|&c| (c as f64) * (c as f64)).sum()
    };
    let best_in = |from: f64, to: f64, by: f64, every: usize| -> f64 {
        let mut best = (f64::MIN, 0.0);
        let mut a = from;
        while a <= to + 1e-9 {
            let s = score(a, every);
            if s > best.0 {
                best = (s, a);
            }
            a += by;
        }
        best.1
    };
    let coarse = best_in(-10.0, 10.0, 0.5, 4);
    let fine = best_in(coarse - 0.5, coarse + 0.5, 0.05, 1);
    Some(fine as f32)
}

/// Otsu's threshold of an 8-bit histogram.
fn otsu(pixels: &[u8]) -> u8 {
    let mut hist = [0u64; 256];
    for &p in pixels {
        hist[p as usize] += 1;
    }
    let total = pixels.len() as f64;
    let sum: f64 = hist.iter().enumerate().map(|(i, &c)| i as f64 * c as f64).sum();
    let (mut sum_b, mut w_b, mut best, mut threshold) = (0.0, 0.0, 0.0, 128u8);
    for (t, &c) in hist.iter().enumerate() {
        w_b += c as f64;
        if w_b == 0.0 {
            continue;
        }
        let w_f = total - w_b;
        if w_f == 0.0 {
            break;
        }
        sum_b += t as f64 * c as f64;
        let (m_b, m_f) = (sum_b / w_b, (sum - sum_b) / w_f);
        let between = w_b * w_f * (m_b - m_f) * (m_b - m_f);
        if between > best {
            best = between;
            threshold = t as u8;
        }
    }
    threshold.saturating_add(1)
}

/// Records the steps in the page's metadata.
pub(crate) fn meta(
    geometry: &Geometry,
    orientation_confidence: Option<f32>,
    measured_skew: Option<f32>,
    config: &Preprocess,
) -> PageMeta {
    let mut steps = Vec::new();
    if config.upsample {
        steps.push("upsample".to_string());
    }
    if config.clean {
        steps.push("clean".to_string());
    }
    if config.orientation {
        steps.push("orientation".to_string());
    }
    if config.deskew {
        steps.push("deskew".to_string());
    }
    PageMeta {
        rotation: geometry.quarter,
        orientation_confidence,
        skew: measured_skew,
        deskewed: geometry.skew != 0.0,
        upscaled_to: None,
        cleaning: Vec::new(),
        steps,
        blank: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of "text lines": dark bars 6 px tall every 30 px, with gaps like words.
    fn lines(width: u32, height: u32) -> Gray {
        let mut pixels = vec![255u8; (width * height) as usize];
        for y in (40..height - 40).step_by(30) {
            for dy in 0..6 {
                for x in 60..width - 60 {
                    if (x / 37) % 4 != 3 {
                        pixels[((y + dy) * width + x) as usize] = 0;
                    }
                }
            }
        }
        Gray { width, height, pixels }
    }

    #[test]
    fn blur_keeps_flat_areas_and_spreads_an_edge() {
        let flat = Gray { width: 9, height: 5, pixels: vec![200; 45] };
        assert_eq!(blur(&flat, 0.7).pixels, flat.pixels);
        // A black dot: its ink spreads to its neighbours, symmetrically, and is kept.
        let mut dot = Gray { width: 9, height: 9, pixels: vec![255; 81] };
        dot.pixels[4 * 9 + 4] = 0;
        let b = blur(&dot, 0.7);
        let at = |x: usize, y: usize| b.pixels[y * 9 + x];
        assert!(at(4, 4) > 0 && at(4, 4) < at(3, 4));
        assert!(at(3, 4) < 255);
        assert_eq!((at(3, 4), at(4, 3)), (at(5, 4), at(4, 5)));
        assert_eq!(at(0, 0), 255);
        let ink: i64 = b.pixels.iter().map(|&p| 255 - i64::from(p)).sum();
        assert!((ink - 255).abs() <= 8, "{ink}");
    }

    #[test]
    fn a_skewed_page_is_measured_within_a_fifth_of_a_degree() {
        let page = lines(1200, 900);
        assert!(measure_skew(&page).unwrap().abs() < 0.1);
        for angle in [-3.0f32, -0.7, 1.2, 4.5] {
            // Turning the page counter-clockwise by `angle` is what a skewed scan looks like.
            let skewed = rotate(&page, -angle);
            let measured = measure_skew(&skewed).unwrap();
            assert!((measured - angle).abs() <= 0.2, "{angle}: measured {measured}");
            let straight = rotate(&skewed, measured);
            assert!(measure_skew(&straight).unwrap().abs() <= 0.2);
        }
    }

    #[test]
    fn a_blank_page_has_no_skew() {
        let blank = Gray { width: 300, height: 200, pixels: vec![255; 60_000] };
        assert_eq!(measure_skew(&blank), None);
    }

    #[test]
    fn quarter_turns_compose_and_keep_pixels() {
        let img = Gray { width: 3, height: 2, pixels: vec![1, 2, 3, 4, 5, 6] };
        let r90 = quarter_turn(&img, 90);
        assert_eq!((r90.width, r90.height), (2, 3));
        assert_eq!(r90.pixels, vec![4, 1, 5, 2, 6, 3]);
        assert_eq!(quarter_turn(&r90, 270), img);
        assert_eq!(quarter_turn(&quarter_turn(&img, 180), 180), img);
    }

    #[test]
    fn boxes_map_back_to_the_original_page() {
        // A 100 x 50 page turned 90° clockwise is 50 x 100; its top-left 10 x 20 box came from
        // the bottom-left of the original.
        let g = Geometry { width: 100, height: 50, scaled: (100, 50), quarter: 90, skew: 0.0 };
        let b = g.map_to_original(BBox { x: 0, y: 0, w: 10, h: 20 });
        assert_eq!(b, BBox { x: 0, y: 40, w: 20, h: 10 });
        let none = Geometry { width: 100, height: 50, scaled: (100, 50), quarter: 0, skew: 0.0 };
        let doubled =
            Geometry { width: 100, height: 50, scaled: (200, 100), quarter: 0, skew: 0.0 };
        let b = BBox { x: 10, y: 20, w: 30, h: 40 };
        assert_eq!(doubled.map_to_original(b), BBox { x: 5, y: 10, w: 15, h: 20 });
        let same = BBox { x: 5, y: 6, w: 7, h: 8 };
        assert_eq!(none.map_to_original(same), same);
    }
}
