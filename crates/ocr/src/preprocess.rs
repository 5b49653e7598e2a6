//! Page preparation before recognition: measuring the height of its text and enlarging a page
//! whose text is too small, turning the page upright and straightening its lines.
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
    /// Enlarge low-resolution bilevel pages (fax) to the resolution tesseract reads best, and
    /// grey pages whose text is too small for it until it is not.
    pub upsample: bool,
    /// Read again, each on its own and enlarged, the stretches of a page tesseract read with
    /// low confidence (a form's small captions among its cells).
    pub reread: bool,
    /// Read a form's check boxes, radio buttons and circled options from the pixels (ticked or
    /// empty) and erase them before recognition, so the options beside them read clean.
    pub marks: bool,
}

impl Default for Preprocess {
    fn default() -> Self {
        Preprocess {
            orientation: true,
            deskew: true,
            clean: true,
            upsample: true,
            reread: true,
            marks: true,
        }
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

/// The height of the page's text in pixels: the median height of the connected components of its
/// ink that can be glyphs, each weighed by its ink (specks, grain and the fragments of broken
/// strokes weigh little) — at least `MIN_GLYPH_HEIGHT` pixels tall, not far wider than tall (not
/// rules), at most a twentieth of the page tall (not boxes, photos or borders). On running text
/// it lies between the x-height and the capitals' height. `None` when fewer than `MIN_GLYPHS` are
/// found.
pub(crate) fn text_height(pixels: &[u8], width: u32) -> Option<f32> {
    let h = pixels.len() / (width.max(1) as usize);
    glyph_height(&components(pixels, width)?.0, h as u32)
}

/// [`text_height`] from the page's components, on a page `page_height` pixels tall.
pub(crate) fn glyph_height(components: &[Component], page_height: u32) -> Option<f32> {
    let max_height = (page_height / 20).max(MIN_GLYPH_HEIGHT);
    let mut glyphs: Vec<&Component> = components
        .iter()
        .filter(|c| (MIN_GLYPH_HEIGHT..=max_height).contains(&c.h) && c.w <= c.h * 8)
        .collect();
    if glyphs.len() < MIN_GLYPHS {
        return None;
    }
    glyphs.sort_unstable_by_key(|c| c.h);
    let half = glyphs.iter().map(|c| u64::from(c.ink)).sum::<u64>().div_ceil(2);
    let mut acc = 0;
    glyphs
        .iter()
        .find(|c| {
            acc += u64::from(c.ink);
            acc >= half
        })
        .map(|c| c.h as f32)
}

/// A connected component of ink: its bounding box and how many pixels it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Component {
    pub(crate) x: u32,
    pub(crate) y: u32,
    pub(crate) w: u32,
    pub(crate) h: u32,
    pub(crate) ink: u32,
}

/// The 8-connected components of the page's ink (darker than Otsu's threshold), found by runs:
/// each row's runs of ink joined to the touching runs of the row above (union-find over
/// components, each root holding its bounding box and ink), so the cost is one pass over the
/// pixels and a little per run, and the memory two rows of runs and a node per component.
/// `None` for a page of more than `MAX_COMPONENTS` (not a page of text: a photo, noise). Also
/// returns the threshold: a pixel darker than it is ink.
pub(crate) fn components(pixels: &[u8], width: u32) -> Option<(Vec<Component>, u8)> {
    let w = width as usize;
    if w == 0 || pixels.len() < w {
        return None;
    }
    // Otsu's threshold of every seventh pixel: the same threshold, in a fifth of the time.
    let sample: Vec<u8> = pixels.iter().step_by(7).copied().collect();
    let threshold = otsu(&sample);
    #[derive(Clone, Copy)]
    struct Node {
        parent: u32,
        x0: u32,
        x1: u32,
        y0: u32,
        y1: u32,
        ink: u32,
    }
    fn find(nodes: &mut [Node], mut i: u32) -> u32 {
        while nodes[i as usize].parent != i {
            let p = nodes[i as usize].parent;
            nodes[i as usize].parent = nodes[p as usize].parent;
            i = p;
        }
        i
    }
    let mut nodes: Vec<Node> = Vec::new();
    // The runs of the row above and of this row: first column, end column, component.
    let mut above: Vec<(u32, u32, u32)> = Vec::new();
    let mut here: Vec<(u32, u32, u32)> = Vec::new();
    for (y, row) in pixels.chunks_exact(w).enumerate() {
        let y = y as u32;
        here.clear();
        let mut j = 0;
        let mut x = 0;
        while x < w {
            if row[x] >= threshold {
                // Paper, most of the page: skipped sixteen pixels at a time.
                x += 1;
                while x + 16 <= w && row[x..x + 16].iter().all(|&p| p >= threshold) {
                    x += 16;
                }
                continue;
            }
            let start = x;
            while x < w && row[x] < threshold {
                x += 1;
            }
            let (x0, x1) = (start as u32, x as u32);
            // The runs above that touch this one (diagonals too) join its component.
            while j < above.len() && above[j].1 < x0 {
                j += 1;
            }
            let mut label: Option<u32> = None;
            let mut k = j;
            while k < above.len() && above[k].0 <= x1 {
                let r = find(&mut nodes, above[k].2);
                label = Some(match label {
                    Some(l) if l != r => {
                        let (lo, hi) = (l.min(r), l.max(r));
                        let b = nodes[hi as usize];
                        nodes[hi as usize].parent = lo;
                        let n = &mut nodes[lo as usize];
                        (n.x0, n.x1, n.y0) = (n.x0.min(b.x0), n.x1.max(b.x1), n.y0.min(b.y0));
                        n.y1 = n.y1.max(b.y1);
                        n.ink += b.ink;
                        lo
                    }
                    _ => r,
                });
                k += 1;
            }
            let label = match label {
                Some(l) => {
                    let n = &mut nodes[l as usize];
                    (n.x0, n.x1, n.y1, n.ink) = (n.x0.min(x0), n.x1.max(x1), y, n.ink + x1 - x0);
                    l
                }
                None => {
                    if nodes.len() >= MAX_COMPONENTS {
                        return None;
                    }
                    let l = nodes.len() as u32;
                    nodes.push(Node { parent: l, x0, x1, y0: y, y1: y, ink: x1 - x0 });
                    l
                }
            };
            here.push((x0, x1, label));
        }
        std::mem::swap(&mut above, &mut here);
    }
    let found = nodes
        .iter()
        .enumerate()
        .filter(|&(i, n)| n.parent == i as u32)
        .map(|(_, n)| Component {
            x: n.x0,
            y: n.y0,
            w: n.x1 - n.x0,
            h: n.y1 - n.y0 + 1,
            ink: n.ink,
        })
        .collect();
    Some((found, threshold))
}

/// Grey pages whose text measures ([`text_height`]) under this many pixels are enlarged. On
/// FUNSD's 149 forms (real grey scans of about 100 dpi; heights 6–14 px) enlarging gained words
/// at every height; on grey pages rendered at 100–175 dpi it cut the error rate at heights of
/// 9–16 px (and up to 20). `scripts/eval-fields`' 200-dpi office scans measure 16–23 px (16 on a
/// sparse page, 17–18 in the monospaced font), where enlarging gained nothing before; 300-dpi
/// pages 26–35 (21–22 fed sideways).
const ENLARGE_BELOW_PX: f32 = 16.0;
/// The text height an enlarged page is brought to: on FUNSD word F1 is the same (0.770–0.773)
/// for targets of 21 to 35 px, so the smallest page that reads as well.
const ENLARGE_TO_PX: f32 = 24.0;
/// The most a page is enlarged, and the most pixels it is enlarged to (a letter page at 400 dpi).
const MAX_ENLARGEMENT: f64 = 4.0;
const MAX_ENLARGED_PIXELS: f64 = 15.0e6;
/// Less than this is not worth the time.
const MIN_ENLARGEMENT: f64 = 1.25;

/// How much to enlarge a grey page of `width` × `height` pixels whose text measures
/// `text_height` pixels: `None` if the text is big enough (or the page too big to enlarge).
pub(crate) fn enlargement(text_height: f32, width: u32, height: u32) -> Option<f64> {
    if !(text_height > 0.0 && text_height < ENLARGE_BELOW_PX) {
        return None;
    }
    let pixels = f64::from(width) * f64::from(height);
    let factor = (f64::from(ENLARGE_TO_PX) / f64::from(text_height))
        .min(MAX_ENLARGEMENT)
        .min((MAX_ENLARGED_PIXELS / pixels.max(1.0)).sqrt());
    (factor >= MIN_ENLARGEMENT).then_some(factor)
}

/// Components shorter than this are specks, not glyphs.
const MIN_GLYPH_HEIGHT: u32 = 3;
/// Fewer glyph-like components than this: too little text to measure.
const MIN_GLYPHS: usize = 20;
/// More components than this is not a page of text (a letter page at 300 dpi holds about 10,000
/// glyphs): not measured.
const MAX_COMPONENTS: usize = 500_000;

/// Enlarges the image by `factor` with bicubic interpolation (Catmull-Rom: sharper strokes than
/// bilinear), in fixed point: each output row is the blend of four source rows, then of four
/// columns of that blend.
pub(crate) fn enlarge(img: &Gray, factor: f64) -> Gray {
    let (w, h) = (img.width as usize, img.height as usize);
    let (nw, nh) = ((w as f64 * factor).round() as usize, (h as f64 * factor).round() as usize);
    if w == 0 || h == 0 || nw == 0 || nh == 0 {
        return img.clone();
    }
    let (cols, rows) = (cubic_taps(nw, w), cubic_taps(nh, h));
    let mut out = vec![0u8; nw * nh];
    // One output row's blend of its four source rows, scaled by 2^12 and shifted down by 4.
    let mut blend = vec![0i32; w];
    for ((src, wts), dst) in rows.iter().zip(out.chunks_exact_mut(nw)) {
        blend.fill(0);
        for (&y, &k) in src.iter().zip(wts) {
            for (b, &p) in blend.iter_mut().zip(&img.pixels[y * w..(y + 1) * w]) {
                *b += k * i32::from(p);
            }
        }
        blend.iter_mut().for_each(|b| *b = (*b + 8) >> 4);
        for ((src, wts), o) in cols.iter().zip(dst.iter_mut()) {
            let v: i32 = src.iter().zip(wts).map(|(&x, &k)| k * blend[x]).sum();
            *o = ((v + (1 << 19)) >> 20).clamp(0, 255) as u8;
        }
    }
    Gray { width: nw as u32, height: nh as u32, pixels: out }
}

/// For each of `n` output samples over `src` source samples: its four source indices (clamped
/// at the edges) and Catmull-Rom weights summing to 2^12.
fn cubic_taps(n: usize, src: usize) -> Vec<([usize; 4], [i32; 4])> {
    let scale = src as f64 / n as f64;
    (0..n)
        .map(|o| {
            let s = (o as f64 + 0.5) * scale - 0.5;
            let first = s.floor();
            let t = s - first;
            let mut idx = [0usize; 4];
            let mut wts = [0i32; 4];
            for k in 0..4 {
                let i = first as isize + k as isize - 1;
                idx[k] = i.clamp(0, src as isize - 1) as usize;
                wts[k] = (catmull_rom(t - (k as f64 - 1.0)) * 4096.0).round() as i32;
            }
            // Rounding may leave the sum off by a little: flat areas must stay flat.
            wts[1] += 4096 - wts.iter().sum::<i32>();
            (idx, wts)
        })
        .collect()
}

/// The Catmull-Rom cubic (Keys, a = -0.5) at distance `d` from a sample.
fn catmull_rom(d: f64) -> f64 {
    let d = d.abs();
    if d < 1.0 {
        1.5 * d * d * d - 2.5 * d * d + 1.0
    } else if d < 2.0 {
        -0.5 * d * d * d + 2.5 * d * d - 4.0 * d + 2.0
    } else {
        0.0
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
    if config.reread {
        steps.push("reread".to_string());
    }
    if config.marks {
        steps.push("marks".to_string());
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
        reread: 0,
        marks: 0,
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

    /// A page of glyph rows: "letters" `height` pixels tall (boxes with a counter, like an "o",
    /// and stems, like an "l"), every sixth a capital half as tall again, words of five letters,
    /// on paper of `paper`.
    fn glyph_rows(width: u32, lines: u32, height: u32, paper: u8) -> Gray {
        let (w, gap) = (width as usize, height as usize * 2);
        let h = 40 + lines as usize * (height as usize + gap);
        let mut pixels = vec![paper; w * h];
        let stroke = (height as usize / 6).max(1);
        for line in 0..lines as usize {
            let base = 20 + line * (height as usize + gap) + height as usize * 3 / 2;
            let mut x = 20;
            let mut n = 0;
            while x + height as usize * 2 < w - 20 {
                let tall = if n % 6 == 0 { height as usize * 3 / 2 } else { height as usize };
                let gw = height as usize * 3 / 5;
                for y in base - tall..base {
                    for dx in 0..gw {
                        let edge = dx < stroke || dx >= gw - stroke;
                        let bar = y < base - tall + stroke || y >= base - stroke;
                        if n % 3 == 1 && dx >= stroke {
                            continue; // a stem
                        }
                        if edge || bar {
                            pixels[y * w + x + dx] = 20;
                        }
                    }
                }
                n += 1;
                x += gw + stroke * 2 + if n % 5 == 0 { height as usize } else { 0 };
            }
        }
        Gray { width, height: h as u32, pixels }
    }

    fn noise(img: &mut Gray, every: u64, seed: u64) {
        let mut seed = seed;
        for p in img.pixels.iter_mut() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            if (seed >> 33).is_multiple_of(every) {
                *p = 0;
            }
        }
    }

    #[test]
    fn text_height_is_the_height_of_the_letters() {
        for height in [6, 8, 12, 20, 30] {
            let page = glyph_rows(1000, 12, height, 250);
            let measured = text_height(&page.pixels, page.width).unwrap();
            assert_eq!(measured, height as f32, "letters {height} px tall");
        }
        let blank = Gray { width: 300, height: 200, pixels: vec![255; 60_000] };
        assert_eq!(text_height(&blank.pixels, blank.width), None);
    }

    #[test]
    fn text_height_is_not_fooled_by_specks_grain_rules_or_boxes() {
        let mut page = glyph_rows(1200, 14, 9, 235);
        let w = page.width as usize;
        let h = page.height as usize;
        // Grain: the paper a few levels lighter or darker, pixel by pixel.
        let mut seed = 3u64;
        for p in page.pixels.iter_mut().filter(|p| **p > 128) {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            *p = (215 + (seed >> 58) as u32).min(255) as u8;
        }
        // Specks: one pixel in 150 black, and dirt: blobs of 3 x 3 pixels, more of them than
        // letters (a median of the components' heights, unweighed, would be 3).
        noise(&mut page, 150, 17);
        let letters = components(&page.pixels, page.width).unwrap().0.len();
        for i in 0..letters * 3 / 2 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let (x, y) = ((seed >> 20) as usize % (w - 3), (seed >> 40) as usize % (h - 3) + i % 2);
            for (dx, dy) in [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1), (0, 2), (1, 2), (2, 2)]
            {
                page.pixels[(y + dy).min(h - 1) * w + x + dx] = 30;
            }
        }
        // Form rules across the page, a frame round it, a filled logo, a tall box.
        for x in 0..w {
            for y in [5, 6, h / 2, h / 2 + 1, h - 6] {
                page.pixels[y * w + x] = 0;
            }
        }
        for y in 0..h {
            page.pixels[y * w + 2] = 0;
            page.pixels[y * w + w - 3] = 0;
        }
        for y in 30..130 {
            for x in 900..1100 {
                page.pixels[y * w + x] = 10;
            }
        }
        let measured = text_height(&page.pixels, page.width).unwrap();
        assert!((measured - 9.0).abs() <= 1.0, "measured {measured}");
    }

    #[test]
    fn small_text_is_enlarged_to_a_readable_height_and_normal_text_is_not() {
        // A FUNSD-like form: 762 x 1000 pixels, letters 7 px tall.
        let f = enlargement(7.0, 762, 1000).unwrap();
        assert!((f - 24.0 / 7.0).abs() < 1e-6, "{f}");
        assert_eq!(enlargement(3.0, 762, 1000), Some(MAX_ENLARGEMENT));
        // Office scans at 200 dpi (16-23 px) and pages at 300 dpi (26-35 px) stay as they are.
        for normal in [16.0, 18.0, 23.0, 31.0] {
            assert_eq!(enlargement(normal, 1700, 2200), None, "{normal} px");
        }
        // The enlarged page is bounded: a big page with small text is enlarged less, or not.
        let f = enlargement(12.0, 2550, 3300).unwrap();
        assert!(f < 2.0 && (f * 2550.0) * (f * 3300.0) <= MAX_ENLARGED_PIXELS + 1.0, "{f}");
        assert_eq!(enlargement(12.0, 5000, 7000), None);
        // From the page itself: small letters are enlarged, letters of a 300-dpi page are not.
        let small = glyph_rows(762, 20, 7, 250);
        let t = text_height(&small.pixels, small.width).unwrap();
        assert!(enlargement(t, small.width, small.height).is_some());
        let normal = glyph_rows(2550, 20, 30, 250);
        let t = text_height(&normal.pixels, normal.width).unwrap();
        assert_eq!(enlargement(t, normal.width, normal.height), None);
    }

    #[test]
    fn bicubic_enlargement_keeps_flat_areas_and_puts_strokes_where_they_were() {
        let flat = Gray { width: 7, height: 5, pixels: vec![180; 35] };
        let big = enlarge(&flat, 3.0);
        assert_eq!((big.width, big.height), (21, 15));
        assert!(big.pixels.iter().all(|&p| p == 180));
        // A black stroke in columns 4-5 of 10 lands in columns 12-17 of 30, black in its middle
        // and white away from it.
        let mut stroke = Gray { width: 10, height: 4, pixels: vec![255; 40] };
        for y in 0..4 {
            stroke.pixels[y * 10 + 4] = 0;
            stroke.pixels[y * 10 + 5] = 0;
        }
        let big = enlarge(&stroke, 3.0);
        let row = &big.pixels[5 * 30..6 * 30];
        assert!(row[14] < 20 && row[15] < 20, "{row:?}");
        assert!(row[..9].iter().chain(&row[21..]).all(|&p| p >= 250), "{row:?}");
        // Symmetric about the stroke's centre, columns 14.5 and 15.
        for d in 0..14 {
            assert!(row[14 - d].abs_diff(row[15 + d]) <= 1, "{row:?}");
        }
    }

    #[test]
    fn components_by_runs_match_a_flood_fill() {
        let (w, h) = (90usize, 70usize);
        let mut seed = 5u64;
        for density in [3u64, 5, 9] {
            let pixels: Vec<u8> = (0..w * h)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    if (seed >> 33).is_multiple_of(density) {
                        0
                    } else {
                        255
                    }
                })
                .collect();
            let mut expected = Vec::new();
            let mut seen = vec![false; w * h];
            for start in 0..w * h {
                if pixels[start] != 0 || seen[start] {
                    continue;
                }
                let (mut x0, mut x1, mut y0, mut y1, mut ink) = (w, 0, h, 0, 0);
                let mut stack = vec![start];
                seen[start] = true;
                while let Some(i) = stack.pop() {
                    let (x, y) = (i % w, i / w);
                    (x0, x1, y0, y1, ink) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y), ink + 1);
                    for (dx, dy) in
                        [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)]
                    {
                        let (nx, ny) = (x as isize + dx, y as isize + dy);
                        if nx < 0 || ny < 0 || nx >= w as isize || ny >= h as isize {
                            continue;
                        }
                        let j = ny as usize * w + nx as usize;
                        if pixels[j] == 0 && !seen[j] {
                            seen[j] = true;
                            stack.push(j);
                        }
                    }
                }
                let size = |a: usize, b: usize| (b - a + 1) as u32;
                let (x, y) = (x0 as u32, y0 as u32);
                expected.push(Component { x, y, w: size(x0, x1), h: size(y0, y1), ink });
            }
            let mut found = components(&pixels, w as u32).unwrap().0;
            let key = |c: &Component| (c.x, c.y, c.w, c.h, c.ink);
            expected.sort_by_key(key);
            found.sort_by_key(key);
            assert_eq!(found, expected, "one pixel in {density} black");
        }
    }
}
