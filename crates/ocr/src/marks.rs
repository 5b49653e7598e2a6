//! A form's check boxes, radio buttons and circled options, read from the page's pixels.
//!
//! Tesseract reads a check box as a letter or a sign ("O", "©", "[]", "mY", "&"), whether it is
//! ticked or not, and a ring drawn around an option ("Male  (Female)") hides the word inside it:
//! the choice a form records is lost. Here the marks are found in the image the page is read
//! from, by shape, before recognition:
//!
//! - **boxes and buttons**: a component of ink about a letter's size and square — a square's
//!   outline (all four sides inked) or a round one (its corners empty, its sides inked) — standing
//!   apart from its neighbours like a word, with another like it on the same row (a set of
//!   options). It is ticked when its inside holds ink (an X, a dot, a fill), empty when it holds
//!   none; a set with a mark that is neither is left alone, as is a set of rounds that does not
//!   hold exactly the two kinds (a row of letters "o" is no set of buttons).
//! - **rings**: a thin round outline, taller than the text, around ink that is not its own (the
//!   option it chooses).
//!
//! The marks found are erased from the image tesseract reads (a box with what is in it, a ring's
//! own ink, so the word it circles reads clean), and put among the words afterwards as "☒"
//! (ticked, circled) and "☐" (empty), each where it stands on its row. Nothing here reads
//! text; a mark is added only where one is seen.

use std::ops::Range;

use chartdex_core::{BBox, Word};

use crate::preprocess::{components, glyph_height, Component, Gray};

/// How a ticked box, a filled button or a circled option is written among the words.
pub(crate) const CHECKED: &str = "☒";
/// How an empty box or button is written.
pub(crate) const EMPTY: &str = "☐";

/// The confidence a mark's word carries: it was measured, not guessed, but by shape alone.
const MARK_CONFIDENCE: f32 = 0.9;

/// A mark found on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark {
    /// Where its word stands: a box's outline, or the left edge of a ring.
    pub(crate) bbox: BBox,
    pub(crate) checked: bool,
    /// What is erased before recognition.
    erase: Erase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Erase {
    /// The box and everything in it.
    Area(BBox),
    /// The ring's own ink: the ink connected to this pixel within the ring's bounding box.
    Ink { bbox: BBox, seed: (u32, u32) },
    /// A ring drawn touching the word it circles: the ink on the ellipse that fills the box,
    /// `stroke` pixels thick.
    Band { bbox: BBox, stroke: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Square,
    Round,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Checked,
    Empty,
    Unsure,
}

/// The page's pixels with a threshold: darker than it is ink.
struct Ink<'a> {
    width: usize,
    height: usize,
    pixels: &'a [u8],
    threshold: u8,
}

impl Ink<'_> {
    fn dark(&self, x: u32, y: u32) -> bool {
        let (x, y) = (x as usize, y as usize);
        x < self.width && y < self.height && self.pixels[y * self.width + x] < self.threshold
    }

    /// The share of the rectangle's pixels (`x0..x1`, `y0..y1`) that are ink.
    fn share(&self, x0: u32, y0: u32, x1: u32, y1: u32) -> f64 {
        let area = u64::from(x1.saturating_sub(x0)) * u64::from(y1.saturating_sub(y0));
        if area == 0 {
            return 0.0;
        }
        let dark = (y0..y1).flat_map(|y| (x0..x1).map(move |x| (x, y)));
        dark.filter(|&(x, y)| self.dark(x, y)).count() as f64 / area as f64
    }

    fn any(&self, x0: u32, y0: u32, x1: u32, y1: u32) -> bool {
        (y0..y1).any(|y| (x0..x1).any(|x| self.dark(x, y)))
    }

    /// The share of the columns (`horizontal`) or rows of the band that hold ink.
    fn coverage(&self, b: (u32, u32, u32, u32), horizontal: bool) -> f64 {
        let (x0, y0, x1, y1) = b;
        let (n, hit) = if horizontal {
            (x1 - x0, (x0..x1).filter(|&x| (y0..y1).any(|y| self.dark(x, y))).count())
        } else {
            (y1 - y0, (y0..y1).filter(|&y| (x0..x1).any(|x| self.dark(x, y))).count())
        };
        if n == 0 {
            0.0
        } else {
            hit as f64 / f64::from(n)
        }
    }

    /// Whether the four corners of the box are free of ink (the triangles cut off by lines a
    /// fifth of the way along each side's half: where a round outline does not reach).
    fn corners_empty(&self, c: &Component) -> bool {
        let (hw, hh) = (f64::from(c.w) / 2.0, f64::from(c.h) / 2.0);
        let mut dark = 0usize;
        let mut area = 0usize;
        for dy in 0..c.h {
            for dx in 0..c.w {
                // Distance from the nearest corner, in halves of the sides.
                let fx = f64::from(dx.min(c.w - 1 - dx)) / hw;
                let fy = f64::from(dy.min(c.h - 1 - dy)) / hh;
                if fx + fy < 0.4 {
                    area += 1;
                    dark += usize::from(self.dark(c.x + dx, c.y + dy));
                }
            }
        }
        area > 0 && dark * 100 <= area * 3
    }

    /// Ink at the middle of each of the four sides.
    fn sides_inked(&self, c: &Component) -> bool {
        let (cx, cy) = (c.x + c.w / 2, c.y + c.h / 2);
        let (bx, by) = ((c.w / 6).max(1), (c.h / 6).max(1));
        let (sx, sy) = ((c.w / 8).max(1), (c.h / 8).max(1));
        self.any(cx - sx.min(cx), c.y, cx + sx + 1, c.y + by)
            && self.any(cx - sx.min(cx), c.y + c.h - by, cx + sx + 1, c.y + c.h)
            && self.any(c.x, cy - sy.min(cy), c.x + bx, cy + sy + 1)
            && self.any(c.x + c.w - bx, cy - sy.min(cy), c.x + c.w, cy + sy + 1)
    }

    fn shape(&self, c: &Component) -> Option<Shape> {
        let band = (c.w.max(c.h) / 8).max(1);
        let (x0, y0, x1, y1) = (c.x, c.y, c.x + c.w, c.y + c.h);
        let square = self.coverage((x0, y0, x1, y0 + band), true) >= 0.9
            && self.coverage((x0, y1 - band, x1, y1), true) >= 0.9
            && self.coverage((x0, y0, x0 + band, y1), false) >= 0.9
            && self.coverage((x1 - band, y0, x1, y1), false) >= 0.9;
        if square {
            Some(Shape::Square)
        } else if self.corners_empty(c) && self.sides_inked(c) {
            Some(Shape::Round)
        } else {
            None
        }
    }

    /// Ticked, empty or neither, by the ink inside the outline: its middle (a dot, the cross of
    /// an X, a fill) and, for a box, the corners of its inside (an X reaches them; a letter
    /// written in a box of a comb field does not).
    fn state(&self, c: &Component, shape: Shape) -> State {
        let inset = |n: u32, f: f64| (f64::from(n) * f).round() as u32;
        let (ix, iy) = (inset(c.w, 0.28), inset(c.h, 0.28));
        let (x0, y0, x1, y1) = (c.x + ix, c.y + iy, c.x + c.w - ix, c.y + c.h - iy);
        let middle = self.share(x0, y0, x1, y1);
        if middle < 0.05 {
            return State::Empty;
        }
        if shape == Shape::Round {
            // A button's dot stands free inside its ring, or fills it; a letter's bar ("e") is
            // joined to its bowl.
            let cy = c.y + c.h / 2;
            let Some(sx) = (c.x..c.x + c.w / 2).find(|&x| self.dark(x, cy)) else {
                return State::Unsure;
            };
            let own = flood(self, c, (sx, cy));
            let (mut mine, mut other, mut area) = (0usize, 0usize, 0usize);
            for y in y0..y1 {
                for x in x0..x1 {
                    area += 1;
                    if self.dark(x, y) {
                        if own[((y - c.y) * c.w + (x - c.x)) as usize] {
                            mine += 1;
                        } else {
                            other += 1;
                        }
                    }
                }
            }
            return if other * 100 >= area * 15 || mine * 10 >= area * 9 {
                State::Checked
            } else {
                State::Unsure
            };
        }
        if middle < 0.15 {
            return State::Unsure;
        }
        let (a, b) = (inset(c.w, 0.12), inset(c.w, 0.27));
        let (p, q) = (inset(c.h, 0.12), inset(c.h, 0.27));
        let corners = [
            (c.x + a, c.y + p),
            (c.x + c.w - b, c.y + p),
            (c.x + a, c.y + c.h - q),
            (c.x + c.w - b, c.y + c.h - q),
        ];
        let inked =
            corners.iter().filter(|&&(x, y)| self.any(x, y, x + (b - a), y + (q - p))).count();
        if inked >= 3 {
            State::Checked
        } else {
            State::Unsure
        }
    }
}

/// A box or button found, before it is judged with the others on its row.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    c: Component,
    shape: Shape,
    state: State,
}

/// The marks on a page (`pixels`, `width` pixels a row), on it as given.
pub(crate) fn find(pixels: &[u8], width: u32) -> Vec<Mark> {
    let Some((comps, threshold)) = components(pixels, width) else { return Vec::new() };
    let height = pixels.len() / (width.max(1) as usize);
    let Some(text) = glyph_height(&comps, height as u32) else { return Vec::new() };
    let ink = Ink { width: width as usize, height, pixels, threshold };
    let mut by_x: Vec<Component> = comps;
    by_x.sort_unstable_by_key(|c| c.x);
    let mut marks = boxes(&ink, &by_x, text);
    marks.extend(rings(&ink, &by_x, text));
    marks.sort_unstable_by_key(|m| (m.bbox.y, m.bbox.x));
    marks
}

/// The components whose rows overlap `c`'s and that stand within `reach` pixels of it
/// left or right (not `c`, nor what lies inside its box, nor frames and rules much taller).
fn beside<'a>(
    by_x: &'a [Component],
    c: &'a Component,
    reach: u32,
) -> impl Iterator<Item = &'a Component> + 'a {
    // (Sorted by their left edges: a neighbour is taken to be at most six times as wide as
    // `c` is tall.)
    let from = by_x.partition_point(|o| o.x + reach + 6 * c.w.max(c.h) < c.x);
    by_x[from..].iter().take_while(move |o| o.x <= c.x + c.w + reach).filter(move |o| {
        let inside = o.x >= c.x && o.y >= c.y && o.x + o.w <= c.x + c.w && o.y + o.h <= c.y + c.h;
        let overlap = (o.y + o.h).min(c.y + c.h).saturating_sub(o.y.max(c.y));
        let near = o.x <= c.x + c.w + reach && o.x + o.w + reach >= c.x;
        **o != *c && !inside && o.h <= 3 * c.h && overlap * 10 >= 3 * o.h.min(c.h) && near
    })
}

fn boxes(ink: &Ink<'_>, by_x: &[Component], text: f32) -> Vec<Mark> {
    let mut found: Vec<Candidate> = Vec::new();
    for c in by_x {
        let side = c.w.max(c.h);
        let letter_sized = f64::from(side) >= 0.6 * f64::from(text).max(11.0)
            && f64::from(side) <= 2.0 * f64::from(text);
        if !letter_sized || c.w.min(c.h) * 10 < side * 8 {
            continue;
        }
        let Some(shape) = ink.shape(c) else { continue };
        // Apart from its neighbours as a word is (a letter "o" in a word is not), with a word
        // beside it (its option).
        if beside(by_x, c, side / 4).next().is_some() {
            continue;
        }
        let labelled = beside(by_x, c, 2 * side).any(|o| o.h * 5 >= side * 2);
        if !labelled {
            continue;
        }
        found.push(Candidate { c: *c, shape, state: ink.state(c, shape) });
    }
    // Sets: marks of one shape and size on one row.
    let mut set_of: Vec<usize> = (0..found.len()).collect();
    for i in 0..found.len() {
        for j in 0..i {
            let (a, b) = (&found[i], &found[j]);
            let (sa, sb) = (a.c.w.max(a.c.h), b.c.w.max(b.c.h));
            let same_size = sa.max(sb) * 10 <= sa.min(sb) * 13;
            let (ya, yb) = (a.c.y * 2 + a.c.h, b.c.y * 2 + b.c.h);
            let same_row = ya.abs_diff(yb) * 10 <= sa.min(sb) * 8;
            let near = f64::from(a.c.x.abs_diff(b.c.x)) <= 30.0 * f64::from(text);
            if a.shape == b.shape && same_size && same_row && near {
                let (ri, rj) = (root(&mut set_of, i), root(&mut set_of, j));
                set_of[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    let mut marks = Vec::new();
    for r in 0..found.len() {
        if root(&mut set_of, r) != r {
            continue;
        }
        let set: Vec<&Candidate> =
            (0..found.len()).filter(|&i| root(&mut set_of, i) == r).map(|i| &found[i]).collect();
        let count = |s: State| set.iter().filter(|c| c.state == s).count();
        let (checked, empty) = (count(State::Checked), count(State::Empty));
        let whole = set.len() >= 2 && count(State::Unsure) == 0 && empty >= 1;
        let holds = match set[0].shape {
            Shape::Square => true,
            Shape::Round => checked >= 1,
        };
        if !(whole && holds) {
            continue;
        }
        for c in set {
            let b = BBox { x: c.c.x, y: c.c.y, w: c.c.w, h: c.c.h };
            let grown =
                BBox { x: b.x.saturating_sub(1), y: b.y.saturating_sub(1), w: b.w + 2, h: b.h + 2 };
            marks.push(Mark {
                bbox: b,
                checked: c.state == State::Checked,
                erase: Erase::Area(grown),
            });
        }
    }
    marks
}

fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Rings drawn around an option: thin round outlines taller than the text, around ink not
/// their own.
fn rings(ink: &Ink<'_>, by_x: &[Component], text: f32) -> Vec<Mark> {
    let t = f64::from(text);
    let mut marks = Vec::new();
    for c in by_x {
        let (w, h) = (f64::from(c.w), f64::from(c.h));
        let sized = h >= 1.2 * t && h <= 5.0 * t && w >= 0.9 * h && w <= 25.0 * t;
        // (Thin: a ring's own ink is at most a quarter of its box, checked below; the word
        // may be one component with it.)
        if !sized || f64::from(c.ink) > 0.6 * w * h {
            continue;
        }
        if !(ink.corners_empty(c) && ink.sides_inked(c)) {
            continue;
        }
        // Its own ink, found from the left end of its middle row.
        let cy = c.y + c.h / 2;
        let Some(sx) = (c.x..c.x + c.w / 4).find(|&x| ink.dark(x, cy)) else { continue };
        let bbox = BBox { x: c.x, y: c.y, w: c.w, h: c.h };
        let mut own = flood(ink, c, (sx, cy));
        let mut erase = Erase::Ink { bbox, seed: (sx, cy) };
        // The middle of the ring holds ink, none of it the ring's: unless the ring touches the
        // word it is drawn around, when its own ink is what lies on the ellipse it makes.
        let (x0, x1) = (c.x + c.w / 5, c.x + c.w - c.w / 5);
        let (y0, y1) = (c.y + c.h / 4, c.y + c.h - c.h / 4);
        let middle = |own: &[bool]| {
            let (mut dark, mut mine) = (0usize, 0usize);
            for y in y0..y1 {
                for x in x0..x1 {
                    if ink.dark(x, y) {
                        dark += 1;
                        mine += usize::from(own[((y - c.y) * c.w + (x - c.x)) as usize]);
                    }
                }
            }
            (dark, mine)
        };
        let (mut dark, mut mine) = middle(&own);
        if mine > 0 {
            let Some(stroke) = ellipse_stroke(ink, c) else { continue };
            own = band(ink, c, stroke);
            erase = Erase::Band { bbox, stroke };
            // (What of the word lies on the ring's stroke is the ring's.)
            (dark, mine) = (middle(&own).0, 0);
            // A word inside, not a bold letter's thick sides (an "O" of a title): much of what
            // is not on the stroke lies well away from it.
            let off = off_ellipse(c, stroke);
            let (mut held, mut away) = (0usize, 0usize);
            for y in c.y..c.y + c.h {
                for x in c.x..c.x + c.w {
                    if ink.dark(x, y) && !own[((y - c.y) * c.w + (x - c.x)) as usize] {
                        held += 1;
                        away += usize::from(off(x, y) > f64::from(2 * stroke + 1));
                    }
                }
            }
            if away * 4 < held {
                continue;
            }
        }
        let area = ((x1 - x0) * (y1 - y0)) as usize;
        let thin = own.iter().filter(|&&o| o).count() as f64 <= 0.25 * w * h;
        if mine > 0 || dark * 100 < area * 4 || !thin {
            continue;
        }
        // What it holds fills its height as a word a ring is drawn around does (a stamp's
        // circle with "Seal" printed small in it is no choice).
        let inner = |y: u32| {
            (c.x + c.w / 8..c.x + c.w - c.w / 8)
                .any(|x| ink.dark(x, y) && !own[((y - c.y) * c.w + (x - c.x)) as usize])
        };
        let rows = (c.y..c.y + c.h).filter(|&y| inner(y)).count() as u32;
        if rows * 10 < c.h * 3 {
            continue;
        }
        let edge = (c.h / 5).max(2);
        let mark = BBox { x: c.x, y: c.y + c.h / 4, w: edge, h: (c.h / 2).max(1) };
        marks.push(Mark { bbox: mark, checked: true, erase });
    }
    marks
}

/// The thickness of the outline when the component is an ellipse's outline filling its box
/// (inked all round it, as a ring drawn with a template or a program is), else None.
fn ellipse_stroke(ink: &Ink<'_>, c: &Component) -> Option<u32> {
    // The thinnest of the runs of ink in from the box's four sides at their middles (the word
    // inside may touch the ring on one or two of them).
    let (mx, my) = (c.x + c.w / 2, c.y + c.h / 2);
    let run = |points: &mut dyn Iterator<Item = (u32, u32)>| {
        points.skip_while(|&(x, y)| !ink.dark(x, y)).take_while(|&(x, y)| ink.dark(x, y)).count()
            as u32
    };
    let runs = [
        run(&mut (c.x..c.x + c.w / 2).map(|x| (x, my))),
        run(&mut (c.x + c.w / 2..c.x + c.w).rev().map(|x| (x, my))),
        run(&mut (c.y..c.y + c.h / 2).map(|y| (mx, y))),
        run(&mut (c.y + c.h / 2..c.y + c.h).rev().map(|y| (mx, y))),
    ];
    let stroke = runs.into_iter().filter(|&r| r > 0).min()?;
    // A pen's even stroke, a side and a top or bottom as thin as each other: not a letter "O"
    // of a title, thick at its sides and thin at its top ([10, 10, 2, 2]).
    let even = |a: u32, b: u32| 2 * a.min(b) <= 3 * stroke + 2;
    if stroke * 4 > c.h || !even(runs[0], runs[1]) || !even(runs[2], runs[3]) {
        return None;
    }
    // Ink at (nearly) every point of the ellipse along the middle of the stroke.
    let (cx, cy, a, b) = ellipse(c, stroke);
    let reach = stroke.max(2);
    let samples = 72;
    let inked = (0..samples)
        .filter(|&k| {
            let t = f64::from(k) * std::f64::consts::TAU / f64::from(samples);
            let (x, y) = ((cx + a * t.cos()).round() as u32, (cy + b * t.sin()).round() as u32);
            ink.any(
                x.saturating_sub(reach / 2),
                y.saturating_sub(reach / 2),
                x + reach / 2 + 1,
                y + reach / 2 + 1,
            )
        })
        .count();
    (inked * 100 >= samples as usize * 95).then_some(stroke)
}

/// The ink on the ellipse that fills the component's box, `stroke` pixels thick (and a pixel
/// either side), as a mask over the box.
fn band(ink: &Ink<'_>, c: &Component, stroke: u32) -> Vec<bool> {
    let off = off_ellipse(c, stroke);
    let half = f64::from(stroke) / 2.0;
    let mut mask = vec![false; (c.w * c.h) as usize];
    for y in c.y..c.y + c.h {
        for x in c.x..c.x + c.w {
            if off(x, y) <= half + 1.0 && ink.dark(x, y) {
                mask[((y - c.y) * c.w + (x - c.x)) as usize] = true;
            }
        }
    }
    mask
}

/// How far a pixel is from the middle of the stroke of the ellipse that fills the component's
/// box (along the ray from its centre).
fn off_ellipse(c: &Component, stroke: u32) -> impl Fn(u32, u32) -> f64 {
    let (cx, cy, a, b) = ellipse(c, stroke);
    move |x, y| {
        let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
        let r = ((dx / a).powi(2) + (dy / b).powi(2)).sqrt();
        if r > 0.0 {
            (r - 1.0).abs() * dx.hypot(dy) / r
        } else {
            f64::MAX
        }
    }
}

/// The middle of the stroke of the ellipse that fills the component's box: its centre and
/// half-axes.
fn ellipse(c: &Component, stroke: u32) -> (f64, f64, f64, f64) {
    let half = f64::from(stroke) / 2.0;
    (
        f64::from(c.x) + f64::from(c.w - 1) / 2.0,
        f64::from(c.y) + f64::from(c.h - 1) / 2.0,
        f64::from(c.w) / 2.0 - half,
        f64::from(c.h) / 2.0 - half,
    )
}

/// The ink 8-connected to `seed` within the component's box, as a mask over that box.
fn flood(ink: &Ink<'_>, c: &Component, seed: (u32, u32)) -> Vec<bool> {
    let (w, h) = (c.w as usize, c.h as usize);
    let mut mask = vec![false; w * h];
    let at = |x: u32, y: u32| (y - c.y) as usize * w + (x - c.x) as usize;
    let mut stack = vec![seed];
    mask[at(seed.0, seed.1)] = true;
    while let Some((x, y)) = stack.pop() {
        for dy in -1i64..=1 {
            for dx in -1i64..=1 {
                let (nx, ny) = (i64::from(x) + dx, i64::from(y) + dy);
                let inside = nx >= i64::from(c.x)
                    && ny >= i64::from(c.y)
                    && nx < i64::from(c.x + c.w)
                    && ny < i64::from(c.y + c.h);
                if !inside {
                    continue;
                }
                let (nx, ny) = (nx as u32, ny as u32);
                if !mask[at(nx, ny)] && ink.dark(nx, ny) {
                    mask[at(nx, ny)] = true;
                    stack.push((nx, ny));
                }
            }
        }
    }
    mask
}

/// The page with the marks erased (painted the paper's white).
pub(crate) fn erase(page: &mut Gray, marks: &[Mark]) {
    let Some((_, threshold)) = components(&page.pixels, page.width) else { return };
    let w = page.width as usize;
    for m in marks {
        match m.erase {
            Erase::Area(b) => {
                for y in b.y..(b.y + b.h).min(page.height) {
                    for x in b.x..(b.x + b.w).min(page.width) {
                        page.pixels[y as usize * w + x as usize] = 255;
                    }
                }
            }
            Erase::Ink { bbox, .. } | Erase::Band { bbox, .. } => {
                let c = Component { x: bbox.x, y: bbox.y, w: bbox.w, h: bbox.h, ink: 0 };
                let ink =
                    Ink { width: w, height: page.height as usize, pixels: &page.pixels, threshold };
                let own = match m.erase {
                    Erase::Band { stroke, .. } => band(&ink, &c, stroke),
                    Erase::Ink { seed, .. } => flood(&ink, &c, seed),
                    Erase::Area(_) => continue,
                };
                for (i, _) in own.iter().enumerate().filter(|(_, &o)| o) {
                    let (x, y) = (c.x as usize + i % c.w as usize, c.y as usize + i / c.w as usize);
                    page.pixels[y * w + x] = 255;
                }
            }
        }
    }
}

/// The words and lines with each mark put in as a word: into the line it stands on (the line
/// whose words overlap its height most, within a few letters of it), before the first word of
/// that line right of it; a mark on no line is a line of its own.
pub(crate) fn insert(
    words: Vec<Word>,
    lines: &[Range<usize>],
    marks: &[Mark],
) -> (Vec<Word>, Vec<Range<usize>>) {
    if marks.is_empty() {
        return (words, lines.to_vec());
    }
    let mut heights: Vec<u32> = words
        .iter()
        .filter(|w| w.text.chars().any(char::is_alphanumeric))
        .map(|w| w.bbox.h)
        .collect();
    heights.sort_unstable();
    let text_height = heights.get(heights.len() / 2).copied().unwrap_or(0);
    let mut rows: Vec<Vec<Word>> = lines.iter().map(|r| words[r.clone()].to_vec()).collect();
    for m in marks {
        let word = Word {
            text: if m.checked { CHECKED } else { EMPTY }.to_string(),
            bbox: m.bbox,
            confidence: MARK_CONFIDENCE,
        };
        let b = m.bbox;
        let reach = 3 * text_height.max(b.h);
        let best = rows
            .iter()
            .enumerate()
            .filter_map(|(i, row)| {
                let letters: Vec<&Word> =
                    row.iter().filter(|w| w.text.chars().any(char::is_alphanumeric)).collect();
                let x0 = letters.iter().map(|w| w.bbox.x).min()?;
                let x1 = letters.iter().map(|w| w.bbox.x + w.bbox.w).max()?;
                if b.x + b.w + reach < x0 || x1 + reach < b.x {
                    return None;
                }
                let overlap = letters
                    .iter()
                    .map(|w| (w.bbox.y + w.bbox.h).min(b.y + b.h).saturating_sub(w.bbox.y.max(b.y)))
                    .max()?;
                (overlap * 10 >= b.h * 4).then_some((overlap, i))
            })
            .max();
        match best {
            Some((_, i)) => {
                let at = rows[i].iter().position(|w| w.bbox.x > b.x).unwrap_or(rows[i].len());
                rows[i].insert(at, word);
            }
            None => rows.push(vec![word]),
        }
    }
    let mut out = Vec::with_capacity(words.len() + marks.len());
    let mut ranges = Vec::with_capacity(rows.len());
    for row in rows {
        let start = out.len();
        out.extend(row);
        ranges.push(start..out.len());
    }
    (out, ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A white page with rows of "text": letters as dark blocks 8 × 12 pixels, 2 apart, in words
    /// of five, enough of them for the page's text height to be measured (12).
    fn page() -> Gray {
        let (width, height) = (640u32, 320u32);
        let mut g = Gray { width, height, pixels: vec![255; (width * height) as usize] };
        for row in [20u32, 260] {
            for word in 0..6 {
                for letter in 0..5 {
                    block(&mut g, 20 + word * 70 + letter * 10, row, 8, 12);
                }
            }
        }
        g
    }

    fn block(g: &mut Gray, x: u32, y: u32, w: u32, h: u32) {
        for yy in y..y + h {
            for xx in x..x + w {
                g.pixels[(yy * g.width + xx) as usize] = 0;
            }
        }
    }

    /// An option's word: three letters.
    fn word(g: &mut Gray, x: u32, y: u32) {
        for k in 0..3 {
            block(g, x + k * 10, y, 8, 12);
        }
    }

    /// A square box of side 14 at (x, y), with an X in it when `ticked`.
    fn square(g: &mut Gray, x: u32, y: u32, ticked: bool) {
        for i in 0..14 {
            for (px, py) in [(x + i, y), (x + i, y + 13), (x, y + i), (x + 13, y + i)] {
                g.pixels[(py * g.width + px) as usize] = 0;
            }
            if ticked {
                for (px, py) in [(x + i, y + i), (x + 13 - i, y + i)] {
                    g.pixels[(py * g.width + px) as usize] = 0;
                    g.pixels[(py * g.width + px + 1).min(py * g.width + x + 13) as usize] = 0;
                }
            }
        }
    }

    /// A ring (an ellipse's outline, 3 pixels thick) centred at (cx, cy) with half-axes a, b;
    /// with a dot of radius `dot` in it.
    fn ring(g: &mut Gray, (cx, cy): (f64, f64), (a, b): (f64, f64), dot: f64) {
        for y in 0..g.height {
            for x in 0..g.width {
                let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
                let r = ((dx / a).powi(2) + (dy / b).powi(2)).sqrt();
                // (Within a pixel of the ellipse along the ray from its centre.)
                let on_ring = r > 0.0 && ((r - 1.0) * dx.hypot(dy) / r).abs() <= 1.0;
                if on_ring || (dx * dx + dy * dy).sqrt() <= dot {
                    g.pixels[(y * g.width + x) as usize] = 0;
                }
            }
        }
    }

    #[test]
    fn a_ticked_box_and_an_empty_one_beside_their_options_are_read() {
        let mut g = page();
        square(&mut g, 100, 120, true);
        word(&mut g, 122, 121);
        square(&mut g, 200, 120, false);
        word(&mut g, 222, 121);
        let marks = find(&g.pixels, g.width);
        let seen: Vec<(u32, bool)> = marks.iter().map(|m| (m.bbox.x, m.checked)).collect();
        assert_eq!(seen, [(100, true), (200, false)]);
        // Erased: the boxes and the X in one, not the words beside them.
        erase(&mut g, &marks);
        let dark = |x0: u32, x1: u32| {
            (120..134)
                .flat_map(|y| (x0..x1).map(move |x| (x, y)))
                .filter(|&(x, y)| g.pixels[(y * g.width + x) as usize] == 0)
                .count()
        };
        assert_eq!(dark(99, 116), 0);
        assert_eq!(dark(199, 216), 0);
        assert_eq!(dark(122, 150), 3 * 8 * 12);
    }

    #[test]
    fn a_lone_box_is_no_set_of_options_and_letters_o_in_a_word_are_no_buttons() {
        let mut g = page();
        square(&mut g, 100, 120, true);
        word(&mut g, 122, 121);
        // A word of rings 2 pixels apart ("ooo"), and one with a filled one among them.
        for k in 0..4 {
            ring(
                &mut g,
                (300.0 + f64::from(k) * 16.0, 127.0),
                (7.0, 7.0),
                if k == 1 { 3.0 } else { 0.0 },
            );
        }
        assert_eq!(find(&g.pixels, g.width), []);
    }

    #[test]
    fn round_buttons_are_read_only_as_a_set_with_one_filled() {
        let mut g = page();
        ring(&mut g, (107.0, 127.0), (7.0, 7.0), 3.0);
        word(&mut g, 122, 121);
        ring(&mut g, (207.0, 127.0), (7.0, 7.0), 0.0);
        word(&mut g, 222, 121);
        let marks = find(&g.pixels, g.width);
        let seen: Vec<(u32, bool)> = marks.iter().map(|m| (m.bbox.x, m.checked)).collect();
        assert_eq!(seen, [(99, true), (199, false)]);
        // Two empty rounds: letters "o" as like as buttons; nothing.
        let mut g = page();
        ring(&mut g, (107.0, 127.0), (7.0, 7.0), 0.0);
        word(&mut g, 122, 121);
        ring(&mut g, (207.0, 127.0), (7.0, 7.0), 0.0);
        word(&mut g, 222, 121);
        assert_eq!(find(&g.pixels, g.width), []);
    }

    #[test]
    fn a_ring_drawn_around_an_option_is_read_and_only_its_own_ink_erased() {
        let mut g = page();
        word(&mut g, 400, 121);
        ring(&mut g, (415.0, 127.0), (40.0, 15.0), 0.0);
        let marks = find(&g.pixels, g.width);
        assert_eq!(marks.len(), 1, "{marks:?}");
        assert!(marks[0].checked);
        assert!(marks[0].bbox.x <= 376 && marks[0].bbox.x + marks[0].bbox.w < 400);
        erase(&mut g, &marks);
        let dark = g.pixels.iter().filter(|&&p| p == 0).count();
        assert_eq!(dark, 2 * 6 * 5 * 8 * 12 + 3 * 8 * 12, "the ring gone, every letter kept");
    }

    #[test]
    fn a_ring_drawn_touching_the_word_it_circles_is_read_and_the_word_kept() {
        let mut g = page();
        word(&mut g, 400, 117);
        // Its top drawn through the letters' tops: one component with the word.
        ring(&mut g, (415.0, 125.0), (24.0, 9.0), 0.0);
        let marks = find(&g.pixels, g.width);
        assert_eq!(marks.len(), 1, "{marks:?}");
        assert!(marks[0].checked && marks[0].bbox.x < 400);
        erase(&mut g, &marks);
        let dark = |x0: u32, x1: u32, y0: u32, y1: u32| {
            (y0..y1)
                .flat_map(|y| (x0..x1).map(move |x| (x, y)))
                .filter(|&(x, y)| g.pixels[(y * g.width + x) as usize] == 0)
                .count()
        };
        // The ring's sides gone; of the word, its top row or two at most.
        assert_eq!(dark(390, 399, 110, 145) + dark(430, 440, 110, 145), 0);
        assert!(dark(400, 430, 110, 145) >= 3 * 8 * 10, "{}", dark(400, 430, 110, 145));
        // A ring whose outline is not an ellipse filling its box (a rounded frame touching its
        // word) is left alone.
        let mut g = page();
        word(&mut g, 400, 121);
        for x in 380..450 {
            for y in [119, 120, 136, 137] {
                g.pixels[(y * g.width + x) as usize] = 0;
            }
        }
        ring(&mut g, (386.0, 128.0), (6.0, 9.0), 0.0);
        ring(&mut g, (444.0, 128.0), (6.0, 9.0), 0.0);
        assert_eq!(find(&g.pixels, g.width).iter().filter(|m| m.checked).count(), 0);
        // A title's bold "O": thick sides reaching into its middle, nothing else there.
        let mut g = page();
        let (cx, cy) = (300.0, 127.0);
        for y in 100..160u32 {
            for x in 270..330u32 {
                let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
                let outer = (dx / 16.0).powi(2) + (dy / 16.0).powi(2) <= 1.0;
                let inner = (dx / 4.0).powi(2) + (dy / 14.0).powi(2) < 1.0;
                if outer && !inner {
                    g.pixels[(y * g.width + x) as usize] = 0;
                }
            }
        }
        word(&mut g, 330, 121);
        assert_eq!(find(&g.pixels, g.width), []);
    }

    #[test]
    fn marks_go_into_the_line_they_stand_on_before_their_options() {
        let w = |text: &str, x: u32, y: u32| Word {
            text: text.into(),
            bbox: BBox { x, y, w: 30, h: 12 },
            confidence: 0.9,
        };
        let words = vec![
            w("Sex:", 20, 100),
            w("Male", 122, 101),
            w("Female", 222, 101),
            w("Plan", 20, 200),
        ];
        let lines = vec![0..3, 3..4];
        let mark = |x: u32, checked: bool| Mark {
            bbox: BBox { x, y: 100, w: 14, h: 14 },
            checked,
            erase: Erase::Area(BBox { x, y: 100, w: 14, h: 14 }),
        };
        let (words, lines) =
            insert(words, &lines, &[mark(100, false), mark(200, true), mark(600, true)]);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["Sex:", "☐", "Male", "☒", "Female", "Plan", "☒"]);
        // (The mark far from every line is a line of its own.)
        assert_eq!(lines, [0..5, 5..6, 6..7]);
    }
}
