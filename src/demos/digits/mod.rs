//! The image-patches demo, its pure part: turning a drawing into the 8×8 image the model reads
//! (scikit-learn's 0–16 scale), which patch a pixel belongs to, the [CLS] token's attention over
//! the patches, and attention rollout (Abnar & Zuidema 2020).
//!
//! No yew, no tract: everything here runs natively under `cargo test`.

pub mod explain;
#[cfg(target_arch = "wasm32")]
pub mod view;

use rust_i18n::t;
use serde::Deserialize;

use crate::explain::LayerAttention;
use crate::protocol::InputSpec;
use crate::route::{link_problem, Route};

/// Folder of the model files, relative to the page (the site may live under a sub-path).
pub const MODEL_DIR: &str = "models/digits/";
/// Key under which the page loads the graph into the worker.
pub const GRAPH_KEY: &str = "digits";
/// The image is SIDE × SIDE pixels.
pub const SIDE: usize = 8;
/// Pixel values run from 0 (no ink) to 16 (a full block), as in scikit-learn's digits.
pub const PIXEL_MAX: f32 = 16.0;
/// Patches are PATCH × PATCH pixels: a GRID × GRID grid of them.
pub const PATCH: usize = 2;
pub const GRID: usize = SIDE / PATCH;
pub const N_PATCHES: usize = GRID * GRID;
/// Tokens: [CLS] then the patches.
pub const SEQ: usize = N_PATCHES + 1;
/// Side of the square drawing surface, in canvas pixels (it is drawn larger or smaller on screen).
pub const CANVAS: usize = 256;
/// Half the pen's width, in canvas pixels: thick, like the strokes in the data set.
pub const PEN_RADIUS: f32 = 14.0;
/// Canvas pixels with less ink than this (0–1) do not count towards the drawing's box.
const INK_THRESHOLD: f32 = 0.1;
/// A drawing whose box is smaller than this share of the canvas side is too small to read: a tap
/// with the pen (PEN_RADIUS 14 on a 256 canvas) makes a box of about 0.11.
const MIN_BOX_SHARE: f32 = 0.16;

/// `models/digits/manifest.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DigitsManifest {
    pub name: String,
    pub onnx: String,
    pub onnx_bytes: u64,
    pub n_layers: usize,
    pub n_heads: usize,
    pub d_model: usize,
    pub metrics: DigitsMetrics,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct DigitsMetrics {
    pub test_accuracy: f64,
    pub test_images: usize,
}

/// A test image (never trained on) shipped with the page.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Example {
    pub label: u8,
    /// Row in scikit-learn's `load_digits()`.
    pub index: usize,
    /// 64 values, 0–16, row-major.
    pub pixels: Vec<u8>,
}

impl DigitsManifest {
    pub fn parse(json: &str) -> Result<Self, String> {
        let m: DigitsManifest = serde_json::from_str(json)
            .map_err(|e| t!("digits.manifest.invalid", error = e).into_owned())?;
        if let Some(bad) = m
            .examples
            .iter()
            .find(|e| e.pixels.len() != SIDE * SIDE || e.pixels.iter().any(|&p| p > 16))
        {
            return Err(t!("digits.manifest.broken_image", index = bad.index).into_owned());
        }
        Ok(m)
    }
}

/// The graph's one input: a batch of 8×8 images, 64 levels 0–16 each.
pub fn input_specs() -> Vec<InputSpec> {
    vec![InputSpec::f32("pixels", &["batch", "64"])]
}

/// The outputs a run asks for: the class probabilities, then every layer's attention weights.
pub fn wanted_outputs(n_layers: usize) -> Vec<String> {
    std::iter::once("probs".to_owned())
        .chain((0..n_layers).map(|l| format!("layer{l}.weights")))
        .collect()
}

/// Why a drawing is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrawingError {
    /// Nothing drawn.
    Blank,
    /// Only a dot or a speck: the box around it is a few canvas pixels.
    TooSmall,
    /// The pixel buffer does not match the stated size.
    BadSize {
        width: usize,
        height: usize,
        len: usize,
    },
}

impl std::fmt::Display for DrawingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            DrawingError::Blank => t!("digits.drawing.blank"),
            DrawingError::TooSmall => t!("digits.drawing.too_small"),
            DrawingError::BadSize { width, height, len } => t!(
                "digits.drawing.bad_size",
                len = len,
                width = width,
                height = height
            ),
        };
        f.write_str(&text)
    }
}

/// Rasterises pen strokes (each a polyline of canvas coordinates) onto a `size × size` grid of
/// ink (0–1, row-major): a pixel is inked where its centre lies within `radius` of a stroke, with
/// a one-pixel soft edge. A stroke of one point is a dot.
pub fn rasterise(strokes: &[Vec<(f32, f32)>], size: usize, radius: f32) -> Vec<f32> {
    let mut ink = vec![0.0f32; size * size];
    let reach = radius + 1.0;
    for stroke in strokes {
        let segments: Vec<((f32, f32), (f32, f32))> = match stroke.as_slice() {
            [] => continue,
            [p] => vec![(*p, *p)],
            pts => pts.windows(2).map(|w| (w[0], w[1])).collect(),
        };
        for (a, b) in segments {
            if !(a.0.is_finite() && a.1.is_finite() && b.0.is_finite() && b.1.is_finite()) {
                continue;
            }
            let lo_x = (a.0.min(b.0) - reach).floor().max(0.0) as usize;
            let hi_x = ((a.0.max(b.0) + reach).ceil().max(0.0) as usize).min(size);
            let lo_y = (a.1.min(b.1) - reach).floor().max(0.0) as usize;
            let hi_y = ((a.1.max(b.1) + reach).ceil().max(0.0) as usize).min(size);
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let len2 = dx * dx + dy * dy;
            for y in lo_y..hi_y {
                for x in lo_x..hi_x {
                    let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                    // distance from the pixel centre to the segment
                    let t = if len2 > 0.0 {
                        (((px - a.0) * dx + (py - a.1) * dy) / len2).clamp(0.0, 1.0)
                    } else {
                        0.0
                    };
                    let (cx, cy) = (a.0 + t * dx - px, a.1 + t * dy - py);
                    let d = (cx * cx + cy * cy).sqrt();
                    let v = (radius + 0.5 - d).clamp(0.0, 1.0);
                    let cell = &mut ink[y * size + x];
                    *cell = cell.max(v);
                }
            }
        }
    }
    ink
}

/// Ink (0–1) of a canvas's RGBA pixels: the alpha channel (strokes are drawn on a transparent canvas).
pub fn ink_from_rgba(rgba: &[u8]) -> Vec<f32> {
    rgba.chunks_exact(4)
        .map(|p| f32::from(p[3]) / 255.0)
        .collect()
}

/// The box (x0, y0, x1, y1), end-exclusive, around the pixels with ink above the threshold.
fn ink_box(ink: &[f32], width: usize, height: usize) -> Option<(usize, usize, usize, usize)> {
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..height {
        for x in 0..width {
            if ink[y * width + x] > INK_THRESHOLD {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x + 1);
                y1 = y1.max(y + 1);
            }
        }
    }
    (x0 < x1).then_some((x0, y0, x1, y1))
}

/// Mean ink over the rectangle [x0, x1) × [y0, y1) in canvas pixel units (fractional edges
/// weigh the pixels they cut by the overlap; outside the canvas there is no ink).
fn area_mean(ink: &[f32], width: usize, height: usize, x0: f64, y0: f64, x1: f64, y1: f64) -> f64 {
    let area = (x1 - x0) * (y1 - y0);
    if area <= 0.0 {
        return 0.0;
    }
    let px0 = x0.floor().max(0.0) as usize;
    let py0 = y0.floor().max(0.0) as usize;
    let px1 = (x1.ceil().max(0.0) as usize).min(width);
    let py1 = (y1.ceil().max(0.0) as usize).min(height);
    let mut sum = 0.0;
    for py in py0..py1 {
        let oy = (y1.min(py as f64 + 1.0) - y0.max(py as f64)).max(0.0);
        if oy == 0.0 {
            continue;
        }
        for px in px0..px1 {
            let ox = (x1.min(px as f64 + 1.0) - x0.max(px as f64)).max(0.0);
            sum += f64::from(ink[py * width + px]) * ox * oy;
        }
    }
    sum / area
}

/// Turns a drawing into the model's input, the way scikit-learn's digits were made (NIST
/// normalised each digit to fill its box, then counted ink in 4×4 blocks of a 32×32 bitmap):
///
/// 1. the box around the ink is found; a blank canvas or a speck is refused;
/// 2. the box is scaled, keeping its aspect ratio, so that its longer side fills the 8×8 frame
///    (in the data set every digit spans all 8 rows), and centred;
/// 3. each of the 8×8 cells takes the mean ink of the canvas area it covers (area averaging),
///    times 16.
///
/// `ink` is row-major, `width × height`, values 0–1. Returns 64 values in 0–16, row-major.
pub fn drawing_to_pixels(
    ink: &[f32],
    width: usize,
    height: usize,
) -> Result<[f32; 64], DrawingError> {
    if width == 0 || height == 0 || ink.len() != width * height {
        return Err(DrawingError::BadSize {
            width,
            height,
            len: ink.len(),
        });
    }
    let (x0, y0, x1, y1) = ink_box(ink, width, height).ok_or(DrawingError::Blank)?;
    let (bw, bh) = ((x1 - x0) as f64, (y1 - y0) as f64);
    if (bw.max(bh) as f32) < MIN_BOX_SHARE * width.max(height) as f32 {
        return Err(DrawingError::TooSmall);
    }
    // canvas pixels per output cell; the longer side of the box spans SIDE cells
    let per_cell = bw.max(bh) / SIDE as f64;
    // the frame's top-left corner in canvas pixels, so that the box sits in its centre
    let fx = (x0 as f64 + x1 as f64) / 2.0 - per_cell * SIDE as f64 / 2.0;
    let fy = (y0 as f64 + y1 as f64) / 2.0 - per_cell * SIDE as f64 / 2.0;
    let mut out = [0.0f32; 64];
    for r in 0..SIDE {
        for c in 0..SIDE {
            let cx0 = fx + c as f64 * per_cell;
            let cy0 = fy + r as f64 * per_cell;
            let mean = area_mean(ink, width, height, cx0, cy0, cx0 + per_cell, cy0 + per_cell);
            out[r * SIDE + c] = (mean.clamp(0.0, 1.0) * f64::from(PIXEL_MAX)) as f32;
        }
    }
    Ok(out)
}

/// Whether an 8×8 image has no ink at all (the app refuses it instead of classifying it).
pub fn is_blank(pixels: &[f32]) -> bool {
    pixels.iter().all(|&p| p <= 0.0)
}

/// The patch (0–15, row-major over the 4×4 grid) that pixel (row, col) belongs to.
pub fn patch_of(row: usize, col: usize) -> usize {
    (row / PATCH) * GRID + col / PATCH
}

/// The tokens' names, in order: `[CLS]`, then each patch by its row and column (`r1c1` … `r4c4`).
pub fn token_labels() -> Vec<String> {
    std::iter::once("[CLS]".to_owned())
        .chain((0..N_PATCHES).map(|p| format!("r{}c{}", p / GRID + 1, p % GRID + 1)))
        .collect()
}

/// Levels 0–16 (a test image, a drawing from a link) as the numbers the model reads.
pub fn levels_to_pixels(levels: &[u8]) -> Vec<f32> {
    levels.iter().map(|&v| f32::from(v)).collect()
}

/// One layer's attention weights, `[heads, 17, 17]` row-major (batch 1; token 0 is [CLS]).
#[derive(Debug, Clone, PartialEq)]
pub struct LayerWeights {
    pub heads: usize,
    pub data: Vec<f32>,
}

impl LayerWeights {
    /// Checks the shape `[1, heads, 17, 17]` against the data.
    pub fn new(shape: &[usize], data: Vec<f32>) -> Result<Self, String> {
        match shape {
            [1, heads, SEQ, SEQ] if data.len() == heads * SEQ * SEQ && *heads > 0 => Ok(Self {
                heads: *heads,
                data,
            }),
            _ => Err(t!(
                "digits.error.attention_shape",
                shape = format!("{shape:?}"),
                len = data.len(),
                seq = SEQ
            )
            .into_owned()),
        }
    }

    /// Row `row` (a query token: 0 = [CLS], then the patches) of head `head`.
    pub fn row(&self, head: usize, row: usize) -> &[f32] {
        let start = (head * SEQ + row) * SEQ;
        &self.data[start..start + SEQ]
    }

    /// [CLS]'s attention to the 16 patches (its weight on itself left out), for `head` or the
    /// head average.
    pub fn cls_to_patches(&self, head: Option<usize>) -> Vec<f32> {
        match head {
            Some(h) => self.row(h.min(self.heads - 1), 0)[1..].to_vec(),
            None => {
                let mut avg = vec![0.0f32; N_PATCHES];
                for h in 0..self.heads {
                    for (a, w) in avg.iter_mut().zip(&self.row(h, 0)[1..]) {
                        *a += w / self.heads as f32;
                    }
                }
                avg
            }
        }
    }

    /// [CLS]'s weight on itself, for `head` or the head average.
    pub fn cls_to_cls(&self, head: Option<usize>) -> f32 {
        match head {
            Some(h) => self.row(h.min(self.heads - 1), 0)[0],
            None => (0..self.heads).map(|h| self.row(h, 0)[0]).sum::<f32>() / self.heads as f32,
        }
    }
}

/// Attention rollout (Abnar & Zuidema 2020; [`crate::explain::rollout`]): per layer the
/// head-averaged weights A with the residual connection as 0.5·I + 0.5·A (rows renormalised),
/// multiplied over the layers. `[17, 17]` row-major: row i is how much each input token flows
/// into token i at the top.
pub fn rollout(layers: &[LayerWeights]) -> Vec<f64> {
    let layers: Vec<LayerAttention> = layers
        .iter()
        .filter_map(|l| LayerAttention::new(l.heads, SEQ, l.data.clone()).ok())
        .collect();
    crate::explain::rollout(&layers)
}

/// Row 0 of the rollout without its first column: how much each patch flows into [CLS].
pub fn cls_rollout(rollout: &[f64]) -> Vec<f64> {
    rollout[1..SEQ].to_vec()
}

/// Index of the largest probability.
pub fn argmax(probs: &[f32]) -> Option<usize> {
    probs
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_finite())
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
}

/// The image the model reads, as whole numbers 0–16: the scale of scikit-learn's digits (each
/// pixel counts the inked cells of a 4×4 block). The page rounds a drawing to it too, so the
/// model reads exactly what a link to the drawing holds.
pub fn quantise(pixels: &[f32]) -> Vec<u8> {
    pixels
        .iter()
        .map(|&p| {
            if p.is_finite() {
                p.clamp(0.0, PIXEL_MAX).round() as u8
            } else {
                0
            }
        })
        .collect()
}

/// One character per pixel level 0–16 in a link: `0`–`9`, then `a`–`g`.
const LEVELS: &[u8; 17] = b"0123456789abcdefg";

/// An 8×8 image (64 levels 0–16, row-major) as 64 characters, e.g. `005dc1000…`; `None` for
/// anything but 64 levels in range.
pub fn encode_pixels(levels: &[u8]) -> Option<String> {
    if levels.len() != SIDE * SIDE {
        return None;
    }
    levels
        .iter()
        .map(|&v| LEVELS.get(usize::from(v)).map(|&c| char::from(c)))
        .collect()
}

/// Reads [`encode_pixels`]' 64 characters (upper case accepted). `None` for the wrong length, a
/// character outside `0`–`9`/`a`–`g`, or an image without any ink (a link never holds one).
pub fn decode_pixels(text: &str) -> Option<Vec<u8>> {
    let levels: Vec<u8> = text
        .bytes()
        .map(|b| {
            LEVELS
                .iter()
                .position(|&c| c == b.to_ascii_lowercase())
                .map(|v| v as u8)
        })
        .collect::<Option<_>>()?;
    (levels.len() == SIDE * SIDE && levels.iter().any(|&v| v > 0)).then_some(levels)
}

/// The image a digits view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewImage {
    /// Nothing yet: the empty canvas.
    Empty,
    /// A shipped test image: its position in the manifest's `examples`.
    Example(usize),
    /// A drawing, as the 64 levels 0–16 the model reads.
    Pixels(Vec<u8>),
}

/// What a digits link holds: `#/digits?test=49&layer=2&head=3` for a test image (its row in
/// scikit-learn's `load_digits()`), `#/digits?draw=<64 characters>&…` for a drawing (see
/// [`encode_pixels`]), `draw=` for the empty canvas (no image at all: the first test image); layer and head 1-based, `head=avg` the average of the heads; plus the
/// what-if settings ([`crate::route::write_what_if`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitsView {
    pub image: ViewImage,
    /// 0-based
    pub layer: usize,
    /// 0-based; `None`: the average of the heads.
    pub head: Option<usize>,
    /// Whether "Does attention explain this?" is open (`explain=1`)
    pub explain: bool,
}

impl DigitsView {
    /// The view a page opens on: the first test image (a result on screen at once; the canvas
    /// is one click away), the last layer's head average.
    pub fn default_for(m: &DigitsManifest) -> Self {
        Self {
            image: if m.examples.is_empty() {
                ViewImage::Empty
            } else {
                ViewImage::Example(0)
            },
            layer: m.n_layers.saturating_sub(1),
            head: None,
            explain: false,
        }
    }

    /// Reads a link against the manifest. Every unusable value falls back to its default and is
    /// named in the list (`test`, `drawing`, `layer`, `head`; see [`digits_link_problem`]).
    pub fn read(route: &Route, m: &DigitsManifest) -> (Self, Vec<&'static str>) {
        let mut view = Self::default_for(m);
        let mut bad = Vec::new();
        if let Some(text) = route.get("draw") {
            // `draw=` with nothing: the empty canvas, cleared on purpose.
            match decode_pixels(text) {
                _ if text.is_empty() => view.image = ViewImage::Empty,
                Some(levels) => view.image = ViewImage::Pixels(levels),
                None => bad.push("drawing"),
            }
        } else if let Some(index) = route.get("test") {
            let at = index
                .parse::<usize>()
                .ok()
                .and_then(|index| m.examples.iter().position(|e| e.index == index));
            match at {
                Some(at) => view.image = ViewImage::Example(at),
                None => bad.push("test"),
            }
        }
        if let Some(layer) = route.one_based("layer", m.n_layers, &mut bad) {
            view.layer = layer;
        }
        if let Some(head) = route.head_or_average(m.n_heads, &mut bad) {
            view.head = head;
        }
        view.explain = route.get("explain") == Some("1");
        (view, bad)
    }

    /// Writes this view into `route` (the what-if settings are written beside it).
    pub fn write(&self, route: &mut Route, m: &DigitsManifest) {
        let (test, draw) = match &self.image {
            ViewImage::Empty => (None, Some(String::new())),
            ViewImage::Example(at) => (m.examples.get(*at).map(|e| e.index.to_string()), None),
            ViewImage::Pixels(levels) => (None, encode_pixels(levels)),
        };
        route.set("test", test);
        route.set("draw", draw);
        route.set("layer", Some((self.layer + 1).to_string()));
        route.set_head_or_average(self.head);
        route.set("explain", self.explain.then(|| "1".to_owned()));
    }
}

/// The note for a digits link's unusable parts (the names [`DigitsView::read`] and
/// [`crate::route::read_what_if`] give), in the reader's language; `None` when all were usable.
pub fn digits_link_problem(parts: &[&str]) -> Option<String> {
    let names: Vec<String> = parts
        .iter()
        .map(|&p| match p {
            "test" => t!("digits.link.test").into_owned(),
            "drawing" => t!("digits.link.drawing").into_owned(),
            other => other.to_owned(),
        })
        .collect();
    link_problem(&names.iter().map(String::as_str).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canvas(width: usize, height: usize, f: impl Fn(usize, usize) -> f32) -> Vec<f32> {
        (0..height)
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .map(|(x, y)| f(x, y))
            .collect()
    }

    fn manifest() -> DigitsManifest {
        DigitsManifest {
            name: "d".into(),
            onnx: "model.onnx".into(),
            onnx_bytes: 1,
            n_layers: 2,
            n_heads: 4,
            d_model: 48,
            metrics: DigitsMetrics {
                test_accuracy: 0.9,
                test_images: 360,
            },
            examples: vec![
                Example {
                    label: 0,
                    index: 49,
                    pixels: vec![1; 64],
                },
                Example {
                    label: 7,
                    index: 1203,
                    pixels: vec![2; 64],
                },
            ],
        }
    }

    #[test]
    fn pixels_encode_as_64_characters_and_back() {
        let levels: Vec<u8> = (0..64).map(|i| (i % 17) as u8).collect();
        let text = encode_pixels(&levels).expect("64 levels");
        assert_eq!(text.len(), 64);
        assert!(text.starts_with("0123456789abcdefg0"), "{text}");
        assert_eq!(decode_pixels(&text), Some(levels.clone()));
        assert_eq!(decode_pixels(&text.to_uppercase()), Some(levels));
        // the wrong length, a level out of range, characters outside the alphabet, no ink
        assert_eq!(encode_pixels(&[0; 63]), None);
        assert_eq!(encode_pixels(&[17; 64]), None);
        for bad in [
            "",
            "1",
            &"1".repeat(63),
            &"1".repeat(65),
            &format!("{}h", "1".repeat(63)),
            &format!("{}-", "1".repeat(63)),
            &format!("{}é", "1".repeat(62)),
            &"0".repeat(64),
        ] {
            assert_eq!(decode_pixels(bad), None, "{bad:?}");
        }
        // a drawing is rounded to whole levels, clamped to 0–16
        assert_eq!(
            quantise(&[0.0, 0.4, 0.5, 9.6, 16.0, 17.5, -3.0, f32::NAN]),
            vec![0, 0, 1, 10, 16, 16, 0, 0]
        );
    }

    #[test]
    fn a_digits_link_round_trips() {
        let m = manifest();
        let (default, bad) = DigitsView::read(&Route::of(crate::route::Demo::Digits), &m);
        assert!(bad.is_empty());
        assert_eq!(default, DigitsView::default_for(&m));
        assert_eq!((default.layer, default.head), (1, None));
        assert_eq!(
            default.image,
            ViewImage::Example(0),
            "a page opens on a test image"
        );
        let drawn: Vec<u8> = (0..64).map(|i| ((i * 5) % 17) as u8).collect();
        for view in [
            default.clone(),
            DigitsView {
                image: ViewImage::Empty,
                ..default.clone()
            },
            DigitsView {
                image: ViewImage::Example(1),
                layer: 0,
                head: Some(3),
                explain: true,
            },
            DigitsView {
                image: ViewImage::Pixels(drawn),
                layer: 1,
                head: Some(0),
                explain: false,
            },
        ] {
            let mut route = Route::of(crate::route::Demo::Digits);
            view.write(&mut route, &m);
            let hash = route.to_string();
            let (back, bad) = DigitsView::read(&Route::parse(&hash), &m);
            assert!(bad.is_empty(), "{hash}: {bad:?}");
            assert_eq!(back, view, "{hash}");
        }
        // a test image is named by its row in scikit-learn's data, not its place on the page
        let mut route = Route::of(crate::route::Demo::Digits);
        DigitsView {
            image: ViewImage::Example(1),
            ..default
        }
        .write(&mut route, &m);
        assert_eq!(route.to_string(), "#/digits?test=1203&layer=2&head=avg");
    }

    #[test]
    fn bad_digits_link_parts_fall_back_and_are_named() {
        let m = manifest();
        let read = |hash: &str| DigitsView::read(&Route::parse(hash), &m);
        let (v, bad) = read("#/digits?draw=zz&layer=0&head=5");
        assert_eq!(v, DigitsView::default_for(&m));
        assert_eq!(bad, ["drawing", "layer", "head"]);
        for test in ["48", "x", "", "-1", "49.0"] {
            let (v, bad) = read(&format!("#/digits?test={test}&head=avg"));
            assert_eq!(
                (v.image, bad),
                (ViewImage::Example(0), vec!["test"]),
                "{test:?}"
            );
        }
        let (v, bad) = read("#/digits?test=49&layer=1&head=4");
        assert!(bad.is_empty());
        assert_eq!(
            (v.image, v.layer, v.head),
            (ViewImage::Example(0), 0, Some(3))
        );
        let note = digits_link_problem(&["drawing", "head", "temperature"]).expect("a note");
        assert!(
            note.contains("drawing") && note.contains("head") && note.contains("temperature"),
            "{note}"
        );
        assert_eq!(digits_link_problem(&[]), None);
        for key in [
            "digits.link.drawing",
            "digits.drawing.blank",
            "digits.link.test",
        ] {
            let zh = t!(key, locale = "zh-CN");
            assert!(!zh.is_ascii() && zh != key, "{key}: {zh}");
        }
    }

    #[test]
    fn blank_specks_and_bad_buffers_are_refused() {
        assert_eq!(
            drawing_to_pixels(&[0.0; 64 * 64], 64, 64),
            Err(DrawingError::Blank)
        );
        // faint ink below the threshold is still blank
        assert_eq!(
            drawing_to_pixels(&[0.05; 64 * 64], 64, 64),
            Err(DrawingError::Blank)
        );
        let speck = canvas(256, 256, |x, y| {
            if (100..103).contains(&x) && (50..53).contains(&y) {
                1.0
            } else {
                0.0
            }
        });
        assert_eq!(
            drawing_to_pixels(&speck, 256, 256),
            Err(DrawingError::TooSmall)
        );
        assert!(matches!(
            drawing_to_pixels(&[1.0; 10], 4, 4),
            Err(DrawingError::BadSize { .. })
        ));
        assert!(matches!(
            drawing_to_pixels(&[], 0, 0),
            Err(DrawingError::BadSize { .. })
        ));
        assert!(DrawingError::Blank.to_string().contains("draw a digit"));
    }

    #[test]
    fn a_full_square_fills_the_frame_at_sixteen() {
        let full = canvas(256, 256, |_, _| 1.0);
        let px = drawing_to_pixels(&full, 256, 256).expect("drawn");
        assert!(px.iter().all(|&p| (p - 16.0).abs() < 1e-5), "{px:?}");
    }

    #[test]
    fn a_drawing_is_scaled_to_fill_the_height_and_centred() {
        // a solid bar 32 wide and 128 tall in the top-left corner of a 256×256 canvas:
        // its height spans the 8 rows, each cell is 16 canvas pixels, the bar 2 cells wide, centred
        let bar = canvas(256, 256, |x, y| if x < 32 && y < 128 { 1.0 } else { 0.0 });
        let px = drawing_to_pixels(&bar, 256, 256).expect("drawn");
        for r in 0..8 {
            let row: Vec<f32> = px[r * 8..r * 8 + 8].to_vec();
            assert_eq!(
                row,
                vec![0.0, 0.0, 0.0, 16.0, 16.0, 0.0, 0.0, 0.0],
                "row {r}"
            );
        }
        // where the box is wider than tall, the width fills the frame and the rows are centred
        let wide = canvas(100, 100, |x, y| {
            if (10..90).contains(&x) && (40..60).contains(&y) {
                1.0
            } else {
                0.0
            }
        });
        let px = drawing_to_pixels(&wide, 100, 100).expect("drawn");
        let rows: Vec<f32> = (0..8)
            .map(|r| px[r * 8..r * 8 + 8].iter().sum::<f32>() / 8.0)
            .collect();
        assert_eq!(rows, vec![0.0, 0.0, 0.0, 16.0, 16.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn cells_average_the_area_they_cover() {
        // an 8-pixel-tall, 8-pixel-wide box (one canvas pixel per cell) whose left half is
        // half-inked: area averaging gives 8 there, 16 on the right
        let img = canvas(8, 8, |x, _| if x < 4 { 0.5 } else { 1.0 });
        let px = drawing_to_pixels(&img, 8, 8).expect("drawn");
        assert_eq!(&px[0..8], &[8.0, 8.0, 8.0, 8.0, 16.0, 16.0, 16.0, 16.0]);
        // a 16×16 box: each cell averages 2×2 canvas pixels, a checkerboard gives 8 everywhere
        let checker = canvas(16, 16, |x, y| if (x + y) % 2 == 0 { 1.0 } else { 0.2 });
        let px = drawing_to_pixels(&checker, 16, 16).expect("drawn");
        assert!(px.iter().all(|&p| (p - 9.6).abs() < 1e-4), "{px:?}");
        // fractional cells: a 12-pixel box -> 1.5 canvas pixels per cell, total ink is kept
        let img = canvas(12, 12, |x, y| ((x * 7 + y * 3) % 5) as f32 / 4.0);
        let px = drawing_to_pixels(&img, 12, 12).expect("drawn");
        let ink_total: f32 = img.iter().sum();
        let cell_total: f32 = px.iter().map(|p| p / 16.0 * 1.5 * 1.5).sum();
        assert!(
            (ink_total - cell_total).abs() < 1e-3,
            "{ink_total} vs {cell_total}"
        );
    }

    #[test]
    fn strokes_are_rasterised_with_the_pen_width() {
        // a horizontal stroke across a 32-pixel canvas, radius 2: rows whose centre is within
        // 2 of y = 16 are inked (rows 14..=17 at full ink, centres 14.5..17.5)
        let ink = rasterise(&[vec![(0.0, 16.0), (32.0, 16.0)]], 32, 2.0);
        let col: Vec<f32> = (0..32).map(|y| ink[y * 32 + 10]).collect();
        assert_eq!(&col[12..20], &[0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
        // a single point is a dot; points off the canvas or not numbers are ignored
        let dot = rasterise(
            &[
                vec![(8.0, 8.0)],
                vec![(-50.0, -50.0)],
                vec![(f32::NAN, 1.0)],
                vec![],
            ],
            16,
            1.0,
        );
        let inked: Vec<usize> = (0..256).filter(|&i| dot[i] > 0.0).collect();
        assert_eq!(inked, vec![7 * 16 + 7, 7 * 16 + 8, 8 * 16 + 7, 8 * 16 + 8]);
        // a tap of the pen is a dot, refused; a short stroke is a drawing
        let tap = rasterise(&[vec![(100.0, 100.0), (102.0, 101.0)]], CANVAS, PEN_RADIUS);
        assert_eq!(
            drawing_to_pixels(&tap, CANVAS, CANVAS),
            Err(DrawingError::TooSmall)
        );
        let short = rasterise(&[vec![(100.0, 100.0), (100.0, 130.0)]], CANVAS, PEN_RADIUS);
        assert!(drawing_to_pixels(&short, CANVAS, CANVAS).is_ok());
        // and the whole pipeline: a vertical stroke becomes a centred "1"
        let one = rasterise(&[vec![(128.0, 30.0), (128.0, 220.0)]], CANVAS, PEN_RADIUS);
        let px = drawing_to_pixels(&one, CANVAS, CANVAS).expect("drawn");
        for r in 0..8 {
            let row = &px[r * 8..r * 8 + 8];
            assert_eq!(
                [row[0], row[1], row[6], row[7]],
                [0.0; 4],
                "row {r}: {row:?}"
            );
            assert!(row[3] + row[4] > 12.0, "row {r}: {row:?}");
            assert!((row[3] - row[4]).abs() < 1e-3, "row {r}: {row:?}");
        }
    }

    #[test]
    fn alpha_is_ink_and_patches_are_row_major() {
        assert_eq!(
            ink_from_rgba(&[0, 0, 0, 255, 9, 9, 9, 0, 1, 2, 3, 51]),
            vec![1.0, 0.0, 0.2]
        );
        assert_eq!(patch_of(0, 0), 0);
        assert_eq!(patch_of(1, 1), 0);
        assert_eq!(patch_of(0, 7), 3);
        assert_eq!(patch_of(2, 0), 4);
        assert_eq!(patch_of(7, 7), 15);
        assert!(is_blank(&[0.0; 64]));
        assert!(!is_blank(&[0.0, 0.1]));
        assert_eq!(argmax(&[0.1, 0.7, 0.2]), Some(1));
    }

    fn uniform_layer(heads: usize) -> LayerWeights {
        LayerWeights::new(
            &[1, heads, SEQ, SEQ],
            vec![1.0 / SEQ as f32; heads * SEQ * SEQ],
        )
        .expect("shape")
    }

    #[test]
    fn rollout_of_identity_attention_is_identity_and_rows_sum_to_one() {
        let mut eye = vec![0.0f32; 2 * SEQ * SEQ];
        for h in 0..2 {
            for i in 0..SEQ {
                eye[(h * SEQ + i) * SEQ + i] = 1.0;
            }
        }
        let layer = LayerWeights::new(&[1, 2, SEQ, SEQ], eye).expect("shape");
        let r = rollout(&[layer.clone(), layer]);
        let eye: Vec<f64> = (0..SEQ * SEQ)
            .map(|k| if k % (SEQ + 1) == 0 { 1.0 } else { 0.0 })
            .collect();
        assert_eq!(r, eye);

        // uniform attention: one layer gives 0.5·I + 0.5/17 everywhere (1/17 as f32: ~1e-8 off)
        let r = rollout(&[uniform_layer(4)]);
        assert!((r[0] - (0.5 + 0.5 / 17.0)).abs() < 1e-7);
        assert!((r[1] - 0.5 / 17.0).abs() < 1e-7);
        let r = rollout(&[uniform_layer(4), uniform_layer(4)]);
        for row in r.chunks(SEQ) {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        assert_eq!(cls_rollout(&r).len(), 16);
    }

    #[test]
    fn cls_rows_pick_heads_or_average_them() {
        let mut data = vec![0.0f32; 2 * SEQ * SEQ];
        data[1] = 1.0; // head 0, [CLS] -> patch 0
        data[SEQ * SEQ + 16] = 0.5; // head 1, [CLS] -> patch 15
        data[SEQ * SEQ] = 0.5; // head 1, [CLS] -> itself
        let layer = LayerWeights::new(&[1, 2, SEQ, SEQ], data).expect("shape");
        assert_eq!(layer.cls_to_patches(Some(0))[0], 1.0);
        let avg = layer.cls_to_patches(None);
        assert_eq!((avg[0], avg[15]), (0.5, 0.25));
        assert_eq!(layer.cls_to_cls(None), 0.25);
        assert!(LayerWeights::new(&[1, 2, 16, 16], vec![0.0; 512]).is_err());
    }

    #[test]
    fn manifest_checks_the_test_images() {
        let ok = format!(
            r#"{{"name":"d","onnx":"model.onnx","onnx_bytes":1,"n_layers":2,"n_heads":4,"d_model":48,
            "metrics":{{"test_accuracy":0.9,"test_images":360}},
            "examples":[{{"label":3,"index":5,"predicted":3,"pixels":{:?}}}]}}"#,
            vec![16u8; 64]
        );
        assert_eq!(
            DigitsManifest::parse(&ok).expect("valid").examples[0].label,
            3
        );
        let short = ok.replace(&format!("{:?}", vec![16u8; 64]), "[1,2]");
        assert!(DigitsManifest::parse(&short).is_err());
        assert!(DigitsManifest::parse("not json").is_err());
    }

    #[test]
    fn tokens_are_cls_then_patches_by_row_and_column() {
        let labels = token_labels();
        assert_eq!(labels.len(), SEQ);
        assert_eq!(labels[0], "[CLS]");
        assert_eq!(labels[1], "r1c1");
        assert_eq!(labels[GRID + 1], "r2c1");
        assert_eq!(labels[SEQ - 1], "r4c4");
        assert_eq!(
            wanted_outputs(2),
            ["probs", "layer0.weights", "layer1.weights"]
        );
        assert_eq!(levels_to_pixels(&[0, 16]), [0.0, 16.0]);
    }
}
