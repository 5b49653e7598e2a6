//! Cleaning a scan for OCR: dark scan borders and edge shadows, long vertical streaks (photocopier
//! drums) and rules, uneven grey backgrounds (adaptive binarisation), and fax speckle.

use crate::preprocess::Gray;

/// What cleaning changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cleaned {
    pub(crate) inverted: bool,
    pub(crate) borders: bool,
    /// Dark bars with light text (a report's reversed section bands, an EHR's banner) turned
    /// into ink on paper.
    pub(crate) bars: usize,
    pub(crate) streaks: usize,
    pub(crate) rules: usize,
    pub(crate) binarized: bool,
    pub(crate) specks: usize,
}

/// Runs every cleaning step; `None` when nothing needed changing. With `binarize`, a grey page is
/// binarised even when its paper is even.
pub(crate) fn clean(img: &Gray, binarize: bool) -> (Option<Gray>, Cleaned) {
    let mut out = img.clone();
    // A negative (white text on black) reads as a dark page: turn it into ink on paper first,
    // or every step below would take the page for one big shadow.
    let inverted = mean(&out.pixels) < 96.0;
    if inverted {
        out.pixels.iter_mut().for_each(|p| *p = 255 - *p);
    }
    let mut did =
        Cleaned { inverted, borders: remove_edge_shadows(&mut out), ..Cleaned::default() };
    // (Before the rules: a bar's dark rows would be taken for rules and painted over, its text
    // with them.)
    did.bars = invert_bars(&mut out);
    did.streaks = remove_streaks(&mut out);
    did.rules = remove_rules(&mut out);
    let forced = (binarize && !is_bilevel(&out)).then(|| sauvola(&out, SAUVOLA_RADIUS, SAUVOLA_K));
    if let Some(bin) = forced.or_else(|| binarize_if_uneven(&out)) {
        out = bin;
        did.binarized = true;
    }
    if is_bilevel(&out) {
        did.specks = despeckle(&mut out);
    }
    let changed = did.inverted
        || did.borders
        || did.bars > 0
        || did.streaks > 0
        || did.rules > 0
        || did.binarized
        || did.specks > 0;
    (changed.then_some(out), did)
}

fn mean(pixels: &[u8]) -> f64 {
    if pixels.is_empty() {
        return 255.0;
    }
    pixels.iter().map(|&p| u64::from(p)).sum::<u64>() as f64 / pixels.len() as f64
}

fn col_mean(img: &Gray, x: usize) -> f64 {
    let w = img.width as usize;
    (0..img.height as usize).map(|y| img.pixels[y * w + x] as f64).sum::<f64>() / img.height as f64
}

fn row_mean(img: &Gray, y: usize) -> f64 {
    let w = img.width as usize;
    img.pixels[y * w..(y + 1) * w].iter().map(|&p| p as f64).sum::<f64>() / w as f64
}

/// Whitens dark bands running along the page edges (the scanner lid's shadow, a book's gutter):
/// columns or rows from an edge inwards whose mean is far darker than a text line's.
fn remove_edge_shadows(img: &mut Gray) -> bool {
    let (w, h) = (img.width as usize, img.height as usize);
    if w < 50 || h < 50 {
        return false;
    }
    // A text-dense line averages well above 150; a shadow or border well below.
    const DARK: f64 = 140.0;
    let max_band = |n: usize| n / 12;
    let mut changed = false;
    let mut band = |img: &mut Gray, cols: bool, from_end: bool| {
        let n = if cols { w } else { h };
        let mut k = 0;
        while k < max_band(n) {
            let i = if from_end { n - 1 - k } else { k };
            let m = if cols { col_mean(img, i) } else { row_mean(img, i) };
            if m >= DARK {
                break;
            }
            k += 1;
        }
        // Also take the fading edge of the shadow (a few lines lighter than DARK).
        if k > 0 {
            k = (k + k / 2 + 2).min(max_band(n));
            for j in 0..k {
                let i = if from_end { n - 1 - j } else { j };
                if cols {
                    (0..h).for_each(|y| img.pixels[y * w + i] = 255);
                } else {
                    img.pixels[i * w..(i + 1) * w].fill(255);
                }
            }
            changed = true;
        }
    };
    band(img, true, false);
    band(img, true, true);
    band(img, false, false);
    band(img, false, true);
    changed
}

/// Turns dark bars holding light text into dark text on light paper: bands of at least
/// `MIN_BAR` rows, each dark over most of a stretch a quarter of the page wide or more, with
/// light pixels (the text) inside. Tesseract reads white-on-black words poorly or not at all
/// (it takes the bar for a picture), and the rules step would paint the bar over. A bar of
/// black text on a light or mid grey (no light pixels inside) is left alone. Returns how many.
fn invert_bars(img: &mut Gray) -> usize {
    const MIN_BAR: usize = 20;
    const LIGHT: u8 = 200;
    let (w, h) = (img.width as usize, img.height as usize);
    if w < 200 || h < 200 {
        return 0;
    }
    // Per row: the stretch from its first to its last dark pixel, if most of it is dark.
    let bar_row = |row: &[u8]| -> Option<(usize, usize)> {
        let first = row.iter().position(|&p| p < INK)?;
        let last = row.iter().rposition(|&p| p < INK)?;
        let dark = row[first..=last].iter().filter(|&&p| p < INK).count();
        (last - first >= w / 4 && dark * 10 >= (last - first + 1) * 7).then_some((first, last))
    };
    let rows: Vec<Option<(usize, usize)>> = img.pixels.chunks_exact(w).map(bar_row).collect();
    let mut bars = 0;
    let mut y = 0;
    while y < h {
        if rows[y].is_none() {
            y += 1;
            continue;
        }
        let start = y;
        while y < h && rows[y].is_some() {
            y += 1;
        }
        if y - start < MIN_BAR || y - start > h / 4 {
            continue;
        }
        // The bar's stretch: the median of its rows' (specks beyond it widen a row or two).
        let mut firsts: Vec<usize> = rows[start..y].iter().flatten().map(|r| r.0).collect();
        let mut lasts: Vec<usize> = rows[start..y].iter().flatten().map(|r| r.1).collect();
        firsts.sort_unstable();
        lasts.sort_unstable();
        let (x0, x1) = (firsts[firsts.len() / 2], lasts[lasts.len() / 2]);
        let area = (y - start) * (x1 + 1 - x0);
        let light = (start..y)
            .map(|r| img.pixels[r * w + x0..=r * w + x1].iter().filter(|&&p| p >= LIGHT).count())
            .sum::<usize>();
        if light * 100 < area {
            continue; // a filled box, or black text on a grey band
        }
        for r in start..y {
            img.pixels[r * w + x0..=r * w + x1].iter_mut().for_each(|p| *p = 255 - *p);
        }
        bars += 1;
    }
    bars
}

/// Horizontal rules and streaks (form lines, copier marks): rows with one unbroken dark run over
/// a third of the page width (words always break a text line's runs), painted over the same way
/// as vertical streaks. Returns how many were removed.
fn remove_rules(img: &mut Gray) -> usize {
    let min_run = img.width as usize / 3;
    // Most pages have none: look along the rows first, and turn the page only when one does.
    let has_rule = img.pixels.chunks_exact(img.width.max(1) as usize).any(|row| {
        let mut run = 0;
        row.iter().any(|&p| {
            run = if p < INK { run + 1 } else { 0 };
            run >= min_run
        })
    });
    if !has_rule {
        return 0;
    }
    let mut t = transpose(img);
    let removed = remove_long_runs(&mut t, min_run);
    if removed > 0 {
        *img = transpose(&t);
    }
    removed
}

fn transpose(img: &Gray) -> Gray {
    let (w, h) = (img.width as usize, img.height as usize);
    let mut out = vec![0u8; w * h];
    for y in 0..h {
        for x in 0..w {
            out[x * h + y] = img.pixels[y * w + x];
        }
    }
    Gray { width: img.height, height: img.width, pixels: out }
}

/// Finds columns where a dark run covers most of the page height (no glyph is that tall) and
/// paints them over with what lies beside them, so text a streak crosses keeps its strokes.
/// Returns how many streaks were removed.
fn remove_streaks(img: &mut Gray) -> usize {
    let min_run = img.height as usize * 2 / 5;
    remove_long_runs(img, min_run)
}

/// Dark for the purposes of streaks and rules.
const INK: u8 = 160;

/// Paints over thin groups of columns holding an unbroken dark run of at least `long` pixels,
/// with the mean of the pixels just beside the group. Returns how many groups.
fn remove_long_runs(img: &mut Gray, long: usize) -> usize {
    let (w, h) = (img.width as usize, img.height as usize);
    if w < 50 || h < 200 {
        return 0;
    }
    // Longest dark vertical run per column, walking the page row by row (a column walk would
    // read one byte per cache line).
    let mut run = vec![0u32; w];
    let mut best = vec![0u32; w];
    for row in img.pixels.chunks_exact(w).take(h) {
        for ((&p, r), b) in row.iter().zip(&mut run).zip(&mut best) {
            *r = if p < INK { *r + 1 } else { 0 };
            *b = (*b).max(*r);
        }
    }
    let streak_col: Vec<bool> = best.iter().map(|&b| b as usize >= long).collect();
    let mut streaks = 0;
    let mut x = 0;
    while x < w {
        if !streak_col[x] {
            x += 1;
            continue;
        }
        let start = x;
        while x < w && streak_col[x] {
            x += 1;
        }
        let end = x; // exclusive
        if end - start > w / 20 {
            continue; // a wide dark area is not a streak (a photo, a filled box)
        }
        streaks += 1;
        let left = start.checked_sub(2);
        let right = (end + 1 < w).then_some(end + 1);
        for y in 0..h {
            let row = &mut img.pixels[y * w..(y + 1) * w];
            let l = left.map(|i| row[i]);
            let r = right.map(|i| row[i]);
            let fill = match (l, r) {
                (Some(a), Some(b)) => ((a as u16 + b as u16) / 2) as u8,
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => 255,
            };
            row[start..end].fill(fill);
        }
    }
    streaks
}

/// Sauvola binarisation, but only for pages whose paper is unevenly grey (photocopies, shadows);
/// an evenly lit page is left to tesseract's own thresholding, which reads it as well or better.
fn binarize_if_uneven(img: &Gray) -> Option<Gray> {
    let (w, h) = (img.width as usize, img.height as usize);
    if w < 64 || h < 64 || is_bilevel(img) {
        return None;
    }
    // The paper's brightness per 64-px block: the 90th percentile of the block.
    let mut paper = Vec::new();
    for by in (0..h - 63).step_by(64) {
        for bx in (0..w - 63).step_by(64) {
            let mut hist = [0u32; 256];
            for y in by..by + 64 {
                for &p in &img.pixels[y * w + bx..y * w + bx + 64] {
                    hist[p as usize] += 1;
                }
            }
            let mut acc = 0;
            let p90 = (0..256).find(|&v| {
                acc += hist[v];
                acc >= 64 * 64 * 9 / 10
            });
            paper.push(p90.unwrap_or(255) as i32);
        }
    }
    paper.sort_unstable();
    let spread = paper[paper.len() * 95 / 100] - paper[paper.len() * 5 / 100];
    let dim = paper[paper.len() / 2] < 215;
    if spread < 30 && !dim {
        return None;
    }
    Some(sauvola(img, SAUVOLA_RADIUS, SAUVOLA_K))
}

/// Sauvola's window radius (pixels) and k.
const SAUVOLA_RADIUS: usize = 25;
const SAUVOLA_K: f64 = 0.2;

/// Sauvola's threshold t = m (1 + k (s / 128 - 1)) over a (2r+1)² window (clipped at the page's
/// edges), by running sums: each column's sums over the rows of the window, moved down a row at a
/// time, and their prefix sums along the row. A few rows' worth of memory, whatever the page.
fn sauvola(img: &Gray, r: usize, k: f64) -> Gray {
    let (w, h) = (img.width as usize, img.height as usize);
    let mut out = vec![255u8; w * h];
    if w == 0 || h == 0 {
        return Gray { width: img.width, height: img.height, pixels: out };
    }
    let row = |y: usize| &img.pixels[y * w..(y + 1) * w];
    // Sums over the window's rows, per column: of the pixels and of their squares.
    let (mut col, mut col_sq) = (vec![0u32; w], vec![0u32; w]);
    let add = |col: &mut [u32], col_sq: &mut [u32], y: usize, sign: bool| {
        for ((c, q), &p) in col.iter_mut().zip(col_sq.iter_mut()).zip(row(y)) {
            let (v, vv) = (u32::from(p), u32::from(p) * u32::from(p));
            if sign {
                *c += v;
                *q += vv;
            } else {
                *c -= v;
                *q -= vv;
            }
        }
    };
    for y in 0..r.min(h) {
        add(&mut col, &mut col_sq, y, true);
    }
    // Prefix sums of the column sums along the row; a window's sum is a difference of two.
    let (mut pre, mut pre_sq) = (vec![0u64; w + 1], vec![0u64; w + 1]);
    // 1 / the window's width at each x.
    let inv_width: Vec<f64> =
        (0..w).map(|x| 1.0 / ((x + r + 1).min(w) - x.saturating_sub(r)) as f64).collect();
    for (y, dst) in out.chunks_exact_mut(w).enumerate() {
        if y + r < h {
            add(&mut col, &mut col_sq, y + r, true);
        }
        if y > r {
            add(&mut col, &mut col_sq, y - r - 1, false);
        }
        let rows = ((y + r + 1).min(h) - y.saturating_sub(r)) as f64;
        for x in 0..w {
            pre[x + 1] = pre[x] + u64::from(col[x]);
            pre_sq[x + 1] = pre_sq[x] + u64::from(col_sq[x]);
        }
        for (x, (&p, d)) in row(y).iter().zip(dst.iter_mut()).enumerate() {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let inv_n = inv_width[x] / rows;
            let mean = (pre[x1] - pre[x0]) as f64 * inv_n;
            let var = ((pre_sq[x1] - pre_sq[x0]) as f64 * inv_n - mean * mean).max(0.0);
            if f64::from(p) <= mean * (1.0 + k * (var.sqrt() / 128.0 - 1.0)) {
                *d = 0;
            }
        }
    }
    Gray { width: img.width, height: img.height, pixels: out }
}

/// True for black-and-white pages (fax, Group 4 scans): nearly every pixel is 0 or 255.
fn is_bilevel(img: &Gray) -> bool {
    grey_share(&img.pixels) <= BILEVEL_AT_MOST
}

/// True if the page holds no ink once its margins (4% each side, where scan borders and shadows
/// sit) are set aside and lone specks ignored: fewer than 1 in 20,000 pixels are dark pixels in a
/// 2×2 dark block. At 300 dpi a letter page needs about 420 such pixels: a page number alone
/// ("2") is blank by this measure, a word ("Void") or a signature is not.
pub(crate) fn is_blank(pixels: &[u8], width: u32) -> bool {
    let w = width as usize;
    if w == 0 {
        return true;
    }
    let h = pixels.len() / w;
    let (mx, my) = (w * 4 / 100, h * 4 / 100);
    let dark = |x: usize, y: usize| pixels[y * w + x] < 128;
    let area = (w - 2 * mx) * (h - 2 * my);
    let limit = (area / 20_000).max(16);
    let mut ink = 0;
    for y in my..h.saturating_sub(my + 1) {
        for x in mx..w.saturating_sub(mx + 1) {
            if dark(x, y) && dark(x + 1, y) && dark(x, y + 1) && dark(x + 1, y + 1) {
                ink += 1;
                if ink > limit {
                    return false;
                }
            }
        }
    }
    true
}

/// The share of a page's pixels (every seventh) that are neither pure black nor pure white.
pub(crate) fn grey_share(pixels: &[u8]) -> f64 {
    let (n, grey) = pixels
        .iter()
        .step_by(7)
        .fold((0usize, 0usize), |(n, grey), &p| (n + 1, grey + usize::from(p != 0 && p != 255)));
    if n == 0 {
        0.0
    } else {
        grey as f64 / n as f64
    }
}

/// At most this share of grey pixels: a black-and-white page (fax, Group 4 scans).
pub(crate) const BILEVEL_AT_MOST: f64 = 0.005;
/// Above this share: a page scanned in grey (paper grain, JPEG). A black-and-white page
/// resampled (a fax's pixels made square) has grey only at its strokes' edges.
pub(crate) const SCANNED_IN_GREY_ABOVE: f64 = 0.5;

/// Removes black pixels with no black neighbour (fax speckle). Returns how many.
fn despeckle(img: &mut Gray) -> usize {
    let (w, h) = (img.width as usize, img.height as usize);
    let mut specks = Vec::new();
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            if img.pixels[y * w + x] != 0 {
                continue;
            }
            let alone =
                [(-1isize, -1isize), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)]
                    .iter()
                    .all(|&(dx, dy)| {
                        img.pixels[(y as isize + dy) as usize * w + (x as isize + dx) as usize] != 0
                    });
            if alone {
                specks.push(y * w + x);
            }
        }
    }
    for &i in &specks {
        img.pixels[i] = 255;
    }
    specks.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// White paper with "text": short dark bars in lines.
    fn page(w: u32, h: u32) -> Gray {
        let mut pixels = vec![250u8; (w * h) as usize];
        for y in (60..h - 60).step_by(40) {
            for dy in 0..10 {
                for x in 80..w - 80 {
                    if (x / 9) % 3 != 2 {
                        pixels[((y + dy) * w + x) as usize] = 20;
                    }
                }
            }
        }
        Gray { width: w, height: h, pixels }
    }

    #[test]
    fn a_streaked_page_loses_its_streaks_but_keeps_its_text() {
        let clean = page(600, 800);
        let mut streaked = clean.clone();
        for y in 0..800 {
            for x in 300..304 {
                streaked.pixels[y * 600 + x] = 40;
            }
        }
        let removed = remove_streaks(&mut streaked);
        assert_eq!(removed, 1);
        // The streak's columns are paper again between the text lines …
        assert!(streaked.pixels[30 * 600 + 301] > 200);
        // … and text where a line crosses it.
        assert!(streaked.pixels[65 * 600 + 301] < 100);
        // Text columns elsewhere are untouched.
        assert_eq!(streaked.pixels[65 * 600 + 100], clean.pixels[65 * 600 + 100]);
        // A page without streaks is left alone.
        let mut plain = clean.clone();
        assert_eq!(remove_streaks(&mut plain), 0);
        assert_eq!(plain, clean);
    }

    #[test]
    fn a_dark_bar_with_light_text_is_turned_into_ink_on_paper() {
        let clean = page(600, 800);
        let mut barred = clean.clone();
        // A bar 40 rows high across most of the page, below the text, with light letters in it.
        for y in 700..740 {
            for x in 50..550 {
                let letter = (712..728).contains(&y) && (100..200).contains(&x) && x % 6 < 2;
                barred.pixels[y * 600 + x] = if letter { 245 } else { 40 };
            }
        }
        assert_eq!(invert_bars(&mut barred), 1);
        assert!(barred.pixels[705 * 600 + 300] > 200, "the bar is paper");
        assert!(barred.pixels[720 * 600 + 102] < 20, "its letters are ink");
        assert_eq!(barred.pixels[65 * 600 + 90], 20, "text elsewhere kept");
        // The text lines of a page, a solid box and a grey band of dark text are no such bars.
        let mut plain = clean.clone();
        assert_eq!(invert_bars(&mut plain), 0);
        assert_eq!(plain, clean);
        let mut boxed = clean.clone();
        for y in 700..740 {
            for x in 50..550 {
                let letter = (712..728).contains(&y) && (100..200).contains(&x) && x % 6 < 2;
                boxed.pixels[y * 600 + x] = if letter { 10 } else { 120 };
            }
        }
        let before = boxed.clone();
        assert_eq!(invert_bars(&mut boxed), 0);
        assert_eq!(boxed, before);
    }

    #[test]
    fn a_horizontal_rule_is_removed_and_text_kept() {
        let clean = page(600, 800);
        let mut ruled = clean.clone();
        // A form line between two text lines, and one through a text line.
        for y in [85usize, 86, 87, 104, 105] {
            for x in 40..560 {
                ruled.pixels[y * 600 + x] = 10;
            }
        }
        assert_eq!(remove_rules(&mut ruled), 2);
        assert!(ruled.pixels[86 * 600 + 300] > 200, "the line between text lines is gone");
        assert_eq!(ruled.pixels[65 * 600 + 90], 20, "text kept");
        let mut plain = clean.clone();
        assert_eq!(remove_rules(&mut plain), 0);
        assert_eq!(plain, clean);
    }

    #[test]
    fn an_edge_shadow_is_whitened() {
        let mut img = page(600, 800);
        for y in 0..800 {
            for x in 0..25 {
                img.pixels[y * 600 + x] = 30;
            }
        }
        assert!(remove_edge_shadows(&mut img));
        assert!(img.pixels[400 * 600 + 10] == 255);
        assert_eq!(img.pixels[65 * 600 + 90], 20, "text kept");
    }

    #[test]
    fn uneven_paper_is_binarized_and_even_paper_is_not() {
        let even = page(640, 640);
        assert!(binarize_if_uneven(&even).is_none());
        let mut uneven = even.clone();
        for y in 0..640 {
            for x in 0..640 {
                let p = &mut uneven.pixels[y * 640 + x];
                if *p > 200 {
                    *p = (250 - x * 80 / 640) as u8; // paper from 250 down to 170
                }
            }
        }
        let bin = binarize_if_uneven(&uneven).unwrap();
        assert!(is_bilevel(&bin));
        assert_eq!(bin.pixels[30 * 640 + 600], 255, "dim paper becomes white");
        assert_eq!(bin.pixels[65 * 640 + 90], 0, "text stays black");
    }

    #[test]
    fn sauvola_by_running_sums_matches_integral_images() {
        // Large and bright enough that a page's sums of squares would overflow 32 bits.
        let (w, h) = (1200usize, 1100usize);
        let mut seed = 11u64;
        let pixels: Vec<u8> = (0..w * h)
            .map(|i| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let grain = (seed >> 59) as u8;
                if (i / w) % 40 < 8 && (i % w) % 30 < 20 {
                    40 + grain
                } else {
                    240 - grain
                }
            })
            .collect();
        let img = Gray { width: w as u32, height: h as u32, pixels };
        let (r, k) = (SAUVOLA_RADIUS, SAUVOLA_K);
        let mut expected = vec![255u8; w * h];
        let mut sum = vec![0f64; (w + 1) * (h + 1)];
        let mut sq = vec![0f64; (w + 1) * (h + 1)];
        for y in 0..h {
            let (mut rs, mut rq) = (0f64, 0f64);
            for x in 0..w {
                let v = f64::from(img.pixels[y * w + x]);
                rs += v;
                rq += v * v;
                sum[(y + 1) * (w + 1) + x + 1] = sum[y * (w + 1) + x + 1] + rs;
                sq[(y + 1) * (w + 1) + x + 1] = sq[y * (w + 1) + x + 1] + rq;
            }
        }
        for y in 0..h {
            let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
            for x in 0..w {
                let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
                let n = ((y1 - y0) * (x1 - x0)) as f64;
                let at = |t: &[f64]| {
                    t[y1 * (w + 1) + x1] - t[y0 * (w + 1) + x1] - t[y1 * (w + 1) + x0]
                        + t[y0 * (w + 1) + x0]
                };
                let mean = at(&sum) / n;
                let var = (at(&sq) / n - mean * mean).max(0.0);
                if f64::from(img.pixels[y * w + x]) <= mean * (1.0 + k * (var.sqrt() / 128.0 - 1.0))
                {
                    expected[y * w + x] = 0;
                }
            }
        }
        assert!(sauvola(&img, r, k).pixels == expected);
    }

    #[test]
    fn a_negative_page_is_turned_into_ink_on_paper() {
        let mut negative = page(300, 300);
        negative.pixels.iter_mut().for_each(|p| *p = 255 - *p);
        let (out, did) = clean(&negative, false);
        assert!(did.inverted);
        let out = out.unwrap();
        assert!(mean(&out.pixels) > 150.0);
        assert!(out.pixels[65 * 300 + 90] < 50, "text is dark again");
    }

    #[test]
    fn lone_specks_are_removed_and_strokes_kept() {
        let mut img = Gray { width: 5, height: 5, pixels: vec![255; 25] };
        img.pixels[6] = 0; // a speck
        img.pixels[13] = 0;
        img.pixels[18] = 0; // a two-pixel stroke
        assert_eq!(despeckle(&mut img), 1);
        assert_eq!(img.pixels[6], 255);
        assert_eq!((img.pixels[13], img.pixels[18]), (0, 0));
    }
}
