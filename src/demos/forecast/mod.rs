//! The time-series demo, its pure part: the shipped series, the window before a point in time,
//! per-window normalisation (the model's input contract), the seasonal-naive baseline, errors,
//! reading the forecast step's attention over the past steps, and the plot's axis maths.
//!
//! No yew, no tract: everything here runs natively under `cargo test`.

#[cfg(target_arch = "wasm32")]
pub mod view;

use std::collections::BTreeMap;

use rust_i18n::t;
use serde::Deserialize;

use crate::route::{link_problem, Route};

/// Folder of the model files, relative to the page (the site may live under a sub-path).
pub const MODEL_DIR: &str = "models/forecast/";

/// `models/forecast/manifest.json`: the model contract and the series, values included.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ForecastManifest {
    /// T: past steps the model reads.
    pub window: usize,
    /// H: steps it forecasts at once.
    pub horizon: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    pub d_model: usize,
    /// scale = max(std, scale_floor · max(1, |mean|)).
    pub scale_floor: f64,
    pub series: Vec<Series>,
}

/// Errors of one forecaster on the held-out tail.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Errors {
    pub mae: f64,
    pub rmse: f64,
    pub mase: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SeriesMetrics {
    pub model: Errors,
    pub seasonal_naive: Errors,
    pub naive_last: Errors,
}

/// One series and the model trained on it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Series {
    pub id: String,
    pub title: String,
    pub unit: String,
    /// `"monthly"` or `"yearly"`.
    pub frequency: String,
    /// Season length of the baseline: 12 months, or the ~11-year solar cycle.
    pub period: usize,
    /// Year and (for monthly data) month of the first value.
    pub start: (i32, Option<u32>),
    pub source: String,
    pub licence: String,
    pub onnx: String,
    pub onnx_bytes: u64,
    /// Index of the first value of the held-out tail (never seen in training).
    pub test_start: usize,
    pub metrics: SeriesMetrics,
    pub values: Vec<f64>,
}

impl ForecastManifest {
    /// Parses and checks the manifest: a series too short for one window, or a value that is not
    /// a finite number, is an error in words.
    pub fn parse(json: &str) -> Result<Self, String> {
        let m: ForecastManifest = serde_json::from_str(json)
            .map_err(|e| t!("forecast.manifest.invalid", error = e).into_owned())?;
        if m.window == 0 || m.horizon == 0 || m.series.is_empty() {
            return Err(t!("forecast.manifest.empty").into_owned());
        }
        for s in &m.series {
            if s.values.len() <= m.window {
                return Err(t!("forecast.manifest.short", series = s.id).into_owned());
            }
            if s.values.iter().any(|v| !v.is_finite()) {
                return Err(t!("forecast.manifest.not_a_number", series = s.id).into_owned());
            }
            if s.period == 0 {
                return Err(t!("forecast.manifest.no_period", series = s.id).into_owned());
            }
        }
        Ok(m)
    }

    pub fn find(&self, id: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.id == id)
    }
}

/// A month's short name in the reader's language ("May", "5月").
fn month_name(month: u32) -> std::borrow::Cow<'static, str> {
    match month {
        1 => t!("forecast.month.1"),
        2 => t!("forecast.month.2"),
        3 => t!("forecast.month.3"),
        4 => t!("forecast.month.4"),
        5 => t!("forecast.month.5"),
        6 => t!("forecast.month.6"),
        7 => t!("forecast.month.7"),
        8 => t!("forecast.month.8"),
        9 => t!("forecast.month.9"),
        10 => t!("forecast.month.10"),
        11 => t!("forecast.month.11"),
        _ => t!("forecast.month.12"),
    }
}

impl Series {
    /// Whether one step is a month (else a year).
    pub fn monthly(&self) -> bool {
        self.start.1.is_some()
    }

    /// (year, month 1–12 or `None`) of step `index`; steps past the data continue the calendar.
    pub fn date(&self, index: usize) -> (i64, Option<u32>) {
        let (year, month) = self.start;
        match month {
            Some(m) => {
                let months = i64::from(year) * 12 + i64::from(m.clamp(1, 12) - 1) + index as i64;
                (
                    months.div_euclid(12),
                    Some((months.rem_euclid(12) + 1) as u32),
                )
            }
            None => (i64::from(year) + index as i64, None),
        }
    }

    /// "May 1964" (in Chinese "1964年5月") or "1700".
    pub fn date_label(&self, index: usize) -> String {
        match self.date(index) {
            (y, Some(m)) => {
                t!("forecast.date.monthly", month = month_name(m), year = y).into_owned()
            }
            (y, None) => y.to_string(),
        }
    }

    /// The series' name in the reader's language. The manifest's `title` is English; the shipped
    /// series have translated names, and an unknown one keeps the manifest's.
    pub fn display_title(&self) -> String {
        match self.id.as_str() {
            "co2" => t!("forecast.series.co2.title").into_owned(),
            "elnino" => t!("forecast.series.elnino.title").into_owned(),
            "sunspots" => t!("forecast.series.sunspots.title").into_owned(),
            _ => self.title.clone(),
        }
    }

    /// The unit, for axes and sentences ("ppm", "°C", "sunspots").
    pub fn display_unit(&self) -> String {
        match self.id.as_str() {
            "sunspots" => t!("forecast.series.sunspots.unit").into_owned(),
            _ => self.unit.clone(),
        }
    }

    /// Where the data comes from, in the reader's language.
    pub fn display_source(&self) -> String {
        match self.id.as_str() {
            "co2" => t!("forecast.series.co2.source").into_owned(),
            "elnino" => t!("forecast.series.elnino.source").into_owned(),
            "sunspots" => t!("forecast.series.sunspots.source").into_owned(),
            _ => self.source.clone(),
        }
    }

    /// The data's licence, in the reader's language.
    pub fn display_licence(&self) -> String {
        match self.id.as_str() {
            "co2" => t!("forecast.series.co2.licence").into_owned(),
            "elnino" => t!("forecast.series.elnino.licence").into_owned(),
            "sunspots" => t!("forecast.series.sunspots.licence").into_owned(),
            _ => self.licence.clone(),
        }
    }
}

/// Why no forecast can be made at a point in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowError {
    /// Fewer than `needed` values before the chosen point.
    TooShort { available: usize, needed: usize },
    /// The point lies after the end of the data.
    PastEnd { len: usize },
}

impl std::fmt::Display for WindowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WindowError::TooShort { available, needed } => f.write_str(&t!(
                "forecast.window.too_short",
                available = available,
                needed = needed
            )),
            WindowError::PastEnd { len } => f.write_str(&t!("forecast.window.past_end", len = len)),
        }
    }
}

/// The `window` values before `origin` (the first forecast step is `origin`).
/// Valid origins are `window ..= values.len()`.
pub fn window_before(values: &[f64], origin: usize, window: usize) -> Result<&[f64], WindowError> {
    if origin > values.len() {
        return Err(WindowError::PastEnd { len: values.len() });
    }
    if origin < window {
        return Err(WindowError::TooShort {
            available: origin,
            needed: window,
        });
    }
    Ok(&values[origin - window..origin])
}

/// The series with the user's edits (index → value) applied.
pub fn with_edits(values: &[f64], edits: &BTreeMap<usize, f64>) -> Vec<f64> {
    let mut out = values.to_vec();
    for (&i, &v) in edits {
        if let Some(slot) = out.get_mut(i) {
            *slot = v;
        }
    }
    out
}

/// A window as the model reads it: `z = (x − mean) / scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalised {
    /// (T,) the model's input.
    pub z: Vec<f32>,
    pub mean: f64,
    /// max(std, floor · max(1, |mean|)), std the population standard deviation.
    pub scale: f64,
}

/// Per-window normalisation, in f64 (the model then reads `z` as f32). The floor keeps a flat
/// window (std 0) from dividing by zero.
pub fn normalise(window: &[f64], scale_floor: f64) -> Normalised {
    let n = window.len().max(1) as f64;
    let mean = window.iter().sum::<f64>() / n;
    let std = (window.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt();
    let scale = std.max(scale_floor * mean.abs().max(1.0));
    let z = window.iter().map(|x| ((x - mean) / scale) as f32).collect();
    Normalised { z, mean, scale }
}

/// The model's normalised forecast back in the series' units: `mean + scale · ẑ`.
pub fn denormalise(forecast: &[f32], mean: f64, scale: f64) -> Vec<f64> {
    forecast
        .iter()
        .map(|&z| mean + scale * f64::from(z))
        .collect()
}

/// Seasonal naive: step `h` (1-based) repeats the value of the same season in the last full cycle,
/// `y[t+h−m·⌈h/m⌉]`. `None` when the history is shorter than one season.
pub fn seasonal_naive(history: &[f64], horizon: usize, period: usize) -> Option<Vec<f64>> {
    let n = history.len();
    if period == 0 || n < period {
        return None;
    }
    Some(
        (1..=horizon)
            .map(|h| history[n + h - 1 - period * h.div_ceil(period)])
            .collect(),
    )
}

/// Mean absolute error over the pairs present in both (`None` when there are none).
pub fn mae(forecast: &[f64], truth: &[f64]) -> Option<f64> {
    let n = forecast.len().min(truth.len());
    (n > 0).then(|| {
        forecast
            .iter()
            .zip(truth)
            .map(|(a, b)| (a - b).abs())
            .sum::<f64>()
            / n as f64
    })
}

/// Root mean squared error over the pairs present in both.
pub fn rmse(forecast: &[f64], truth: &[f64]) -> Option<f64> {
    let n = forecast.len().min(truth.len());
    (n > 0).then(|| {
        (forecast
            .iter()
            .zip(truth)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            / n as f64)
            .sqrt()
    })
}

/// Attention weights of one layer, `[heads, T+H, T]` row-major (batch 1): rows are the T past
/// steps then the H forecast steps (queries); columns are the T past steps (keys).
#[derive(Debug, Clone, PartialEq)]
pub struct LayerAttention {
    pub heads: usize,
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f32>,
}

impl LayerAttention {
    /// Checks the shape `[1, heads, window + horizon, window]` against the data.
    pub fn new(
        shape: &[usize],
        data: Vec<f32>,
        window: usize,
        horizon: usize,
    ) -> Result<Self, String> {
        match shape {
            [1, heads, rows, cols]
                if *rows == window + horizon
                    && *cols == window
                    && data.len() == heads * rows * cols =>
            {
                Ok(Self {
                    heads: *heads,
                    rows: *rows,
                    cols: *cols,
                    data,
                })
            }
            _ => Err(format!(
                "attention of shape {shape:?} ({} values), expected [1, heads, {}, {window}]",
                data.len(),
                window + horizon
            )),
        }
    }

    /// Forecast step `step` (0-based) over the past steps, for `head` (or the head average).
    pub fn forecast_row(&self, head: Option<usize>, step: usize) -> Vec<f32> {
        let row = self.cols + step;
        let one = |h: usize| {
            let start = (h * self.rows + row) * self.cols;
            &self.data[start..start + self.cols]
        };
        match head {
            Some(h) => one(h.min(self.heads - 1)).to_vec(),
            None => {
                let mut avg = vec![0.0f32; self.cols];
                for h in 0..self.heads {
                    for (a, w) in avg.iter_mut().zip(one(h)) {
                        *a += w / self.heads as f32;
                    }
                }
                avg
            }
        }
    }
}

/// How many steps before forecast step `step` (0-based) the past step at column `col` lies:
/// the forecast step is at position `window + step`, so lag = window + step − col.
pub fn lag(window: usize, step: usize, col: usize) -> usize {
    window + step - col
}

/// The lag (see [`lag`]) of the largest weight in `row`, and that weight.
pub fn peak_lag(row: &[f32], window: usize, step: usize) -> Option<(usize, f32)> {
    row.iter()
        .enumerate()
        .filter(|(_, w)| w.is_finite())
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(col, &w)| (lag(window, step, col), w))
}

/// The sentence about where forecast step `step` (0-based) looks most: the date it weighs most,
/// how many months or years back that is, and whether that is a whole number of seasons.
/// `labels` are the date labels of the `window` past and the forecast positions, oldest first.
pub fn attention_summary(
    series: &Series,
    labels: &[String],
    row: &[f32],
    window: usize,
    step: usize,
) -> Option<String> {
    let (lag, w) = peak_lag(row, window, step)?;
    let label = |p: usize| labels.get(p).cloned().unwrap_or_default();
    let (when, target) = (label(window + step - lag), label(window + step));
    let monthly = series.monthly();
    // One sentence each for "1 month/year back" and "n months/years back".
    let key = match (monthly, lag) {
        (true, 1) => "forecast.summary.monthly_one",
        (true, _) => "forecast.summary.monthly",
        (false, 1) => "forecast.summary.yearly_one",
        (false, _) => "forecast.summary.yearly",
    };
    let pct = format!("{:.1}", w * 100.0);
    let mut text = t!(
        key,
        step = step + 1,
        target = target,
        pct = pct,
        when = when,
        lag = lag
    )
    .into_owned();
    if lag.is_multiple_of(series.period) {
        text.push_str(&if monthly {
            t!("forecast.summary.seasonal_monthly", period = series.period)
        } else {
            t!("forecast.summary.seasonal_yearly", period = series.period)
        });
    }
    text.push_str(&t!("forecast.summary.end"));
    Some(text)
}

/// A head's name as the page shows it: "head 2", or the average of the `n_heads` heads.
pub fn head_name(head: Option<usize>, n_heads: usize) -> String {
    match head {
        Some(h) => t!("forecast.head_n", n = h + 1).into_owned(),
        None => t!("forecast.head_average_of", n = n_heads).into_owned(),
    }
}

/// Outputs a series' graph must have: the forecast, and the attention weights (at least the
/// first layer's; the run asks for every layer's).
pub const REQUIRED_OUTPUTS: [&str; 2] = ["forecast", "layer0.weights"];

/// The [`REQUIRED_OUTPUTS`] a loaded graph lacks, for the "not a forecaster" message.
pub fn missing_outputs(outputs: &[String]) -> Vec<&'static str> {
    REQUIRED_OUTPUTS
        .into_iter()
        .filter(|n| !outputs.iter().any(|o| o == n))
        .collect()
}

/// A value as the page writes it: one decimal from 100 up, two below.
pub fn format_value(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A linear map between data values and pixels (y grows downwards on screen, so `px_lo` may be
/// larger than `px_hi`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearScale {
    pub lo: f64,
    pub hi: f64,
    pub px_lo: f64,
    pub px_hi: f64,
}

impl LinearScale {
    pub fn new(lo: f64, hi: f64, px_lo: f64, px_hi: f64) -> Self {
        // A flat range would divide by zero: widen it around its value.
        let (lo, hi) = if (hi - lo).abs() < 1e-12 {
            (lo - 1.0, hi + 1.0)
        } else {
            (lo, hi)
        };
        Self {
            lo,
            hi,
            px_lo,
            px_hi,
        }
    }

    pub fn to_px(&self, v: f64) -> f64 {
        self.px_lo + (v - self.lo) / (self.hi - self.lo) * (self.px_hi - self.px_lo)
    }

    pub fn from_px(&self, px: f64) -> f64 {
        self.lo + (px - self.px_lo) / (self.px_hi - self.px_lo) * (self.hi - self.lo)
    }
}

/// About `count` round tick values (1, 2 or 5 × 10ⁿ apart) covering [lo, hi].
pub fn nice_ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || count == 0 {
        return vec![lo];
    }
    let raw = (hi - lo) / count as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// Range of the finite values, padded by `pad` of its width on each side.
pub fn padded_range(values: impl IntoIterator<Item = f64>, pad: f64) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return None;
    }
    let w = (hi - lo).max(1e-9);
    Some((lo - pad * w, hi + pad * w))
}

/// What a forecast link holds: `#/forecast?series=co2&t=356&step=1&layer=2&head=avg` (step,
/// layer and head 1-based, as the page shows them; `head=avg` is the average of the heads), plus
/// the what-if settings ([`crate::route::write_what_if`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastView {
    pub series: String,
    /// First forecast step (index in the series); the window is the steps before it.
    pub origin: usize,
    /// 0-based forecast step whose attention is shown.
    pub step: usize,
    /// 0-based
    pub layer: usize,
    /// 0-based; `None`: the average of the heads.
    pub head: Option<usize>,
}

impl ForecastView {
    /// The view a page opens on: the first series, from the start of its held-out tail, the
    /// last layer's head average.
    pub fn default_for(m: &ForecastManifest) -> Self {
        let series = &m.series[0];
        Self {
            series: series.id.clone(),
            origin: series.test_start,
            step: 0,
            layer: m.n_layers.saturating_sub(1),
            head: None,
        }
    }

    /// Reads a link against the manifest. Every unusable value falls back to its default and is
    /// named in the list (`series`, `time`, `step`, `layer`, `head`; see [`forecast_link_problem`]).
    /// A point in time is read for the series the view ends up showing.
    pub fn read(route: &Route, m: &ForecastManifest) -> (Self, Vec<&'static str>) {
        let mut view = Self::default_for(m);
        let mut bad = Vec::new();
        if let Some(id) = route.get("series") {
            match m.find(id) {
                Some(s) => {
                    view.series = s.id.clone();
                    view.origin = s.test_start;
                }
                None => bad.push("series"),
            }
        }
        let n = m.find(&view.series).map_or(0, |s| s.values.len());
        if let Some(t) = route.get("t") {
            match t.parse::<usize>() {
                Ok(t @ 1..) if t <= n => view.origin = t,
                _ => bad.push("time"),
            }
        }
        if let Some(step) = route.one_based("step", m.horizon, &mut bad) {
            view.step = step;
        }
        if let Some(layer) = route.one_based("layer", m.n_layers, &mut bad) {
            view.layer = layer;
        }
        if let Some(head) = route.head_or_average(m.n_heads, &mut bad) {
            view.head = head;
        }
        (view, bad)
    }

    /// Writes this view into `route` (the what-if settings are written beside it).
    pub fn write(&self, route: &mut Route) {
        route.set("series", Some(self.series.clone()));
        route.set("t", Some(self.origin.to_string()));
        route.set("step", Some((self.step + 1).to_string()));
        route.set("layer", Some((self.layer + 1).to_string()));
        route.set_head_or_average(self.head);
    }
}

/// The note for a forecast link's unusable parts (the names [`ForecastView::read`] and
/// [`crate::route::read_what_if`] give), in the reader's language; `None` when all were usable.
pub fn forecast_link_problem(parts: &[&str]) -> Option<String> {
    let names: Vec<String> = parts
        .iter()
        .map(|&p| match p {
            "series" => t!("forecast.link.series").into_owned(),
            "time" => t!("forecast.link.time").into_owned(),
            // here a step is a forecast step, not a step of the walkthrough
            "step" => t!("forecast.link.step").into_owned(),
            other => other.to_owned(),
        })
        .collect();
    link_problem(&names.iter().map(String::as_str).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: Vec<f64>, start: (i32, Option<u32>)) -> Series {
        Series {
            id: "s".into(),
            title: "S".into(),
            unit: "u".into(),
            frequency: "monthly".into(),
            period: 12,
            start,
            source: String::new(),
            licence: String::new(),
            onnx: "s.onnx".into(),
            onnx_bytes: 1,
            test_start: 0,
            metrics: SeriesMetrics {
                model: Errors {
                    mae: 0.0,
                    rmse: 0.0,
                    mase: 0.0,
                },
                seasonal_naive: Errors {
                    mae: 0.0,
                    rmse: 0.0,
                    mase: 0.0,
                },
                naive_last: Errors {
                    mae: 0.0,
                    rmse: 0.0,
                    mase: 0.0,
                },
            },
            values,
        }
    }

    fn manifest() -> ForecastManifest {
        let mut a = series((0..50).map(f64::from).collect(), (1964, Some(5)));
        a.id = "co2".into();
        a.test_start = 40;
        let mut b = series((0..30).map(f64::from).collect(), (1700, None));
        b.id = "sunspots".into();
        b.test_start = 20;
        ForecastManifest {
            window: 10,
            horizon: 4,
            n_layers: 2,
            n_heads: 4,
            d_model: 32,
            scale_floor: 1e-3,
            series: vec![a, b],
        }
    }

    #[test]
    fn a_forecast_link_round_trips() {
        let m = manifest();
        let (default, bad) = ForecastView::read(&Route::of(crate::route::Demo::Forecast), &m);
        assert!(bad.is_empty());
        assert_eq!(default, ForecastView::default_for(&m));
        assert_eq!(
            (default.series.as_str(), default.origin, default.layer),
            ("co2", 40, 1)
        );
        for view in [
            default.clone(),
            ForecastView {
                series: "sunspots".into(),
                origin: 30,
                step: 3,
                layer: 0,
                head: Some(2),
            },
            ForecastView {
                origin: 1,
                head: None,
                ..default.clone()
            },
        ] {
            let mut route = Route::of(crate::route::Demo::Forecast);
            view.write(&mut route);
            let hash = route.to_string();
            let (back, bad) = ForecastView::read(&Route::parse(&hash), &m);
            assert!(bad.is_empty(), "{hash}: {bad:?}");
            assert_eq!(back, view, "{hash}");
        }
        // a series named alone starts at its own held-out tail
        let (v, _) = ForecastView::read(&Route::parse("#/forecast?series=sunspots"), &m);
        assert_eq!((v.series.as_str(), v.origin), ("sunspots", 20));
    }

    #[test]
    fn bad_forecast_link_parts_fall_back_and_are_named() {
        let m = manifest();
        let read = |hash: &str| ForecastView::read(&Route::parse(hash), &m);
        let (v, bad) = read("#/forecast?series=%3Cb%3E&t=999&step=0&layer=3&head=x");
        assert_eq!(v, ForecastView::default_for(&m));
        assert_eq!(bad, ["series", "time", "step", "layer", "head"]);
        // the point is read for the series shown: 45 fits co2 (50 values), not sunspots (30)
        let (v, bad) = read("#/forecast?series=sunspots&t=45&head=5&step=-1");
        assert_eq!(
            (v.series.as_str(), v.origin, v.head, v.step),
            ("sunspots", 20, None, 0)
        );
        assert_eq!(bad, ["time", "step", "head"]);
        let (v, bad) = read("#/forecast?t=45&step=4&head=4&layer=1");
        assert!(bad.is_empty());
        assert_eq!((v.origin, v.step, v.head, v.layer), (45, 3, Some(3), 0));
        for t in ["0", "", "1e3", "-5", "۴"] {
            assert_eq!(read(&format!("#/forecast?t={t}")).1, ["time"], "{t:?}");
        }

        let note = forecast_link_problem(&["series", "time", "layer"]).expect("a note");
        assert!(
            note.contains("series") && note.contains("point in time") && note.contains("layer"),
            "{note}"
        );
        assert_eq!(forecast_link_problem(&[]), None);
        let zh = t!("forecast.link.series", locale = "zh-CN");
        assert!(!zh.is_ascii(), "{zh}");
    }

    #[test]
    fn names_and_dates_have_chinese_text() {
        for key in [
            "forecast.series.co2.title",
            "forecast.series.elnino.title",
            "forecast.series.sunspots.title",
            "forecast.window.too_short",
        ] {
            let zh = t!(key, locale = "zh-CN");
            assert!(!zh.is_ascii() && zh != key, "{key}: {zh}");
        }
        assert_eq!(
            t!(
                "forecast.date.monthly",
                locale = "zh-CN",
                month = t!("forecast.month.5", locale = "zh-CN"),
                year = 1964
            ),
            "1964年5月"
        );
    }

    #[test]
    fn dates_continue_the_calendar() {
        let s = series(vec![0.0; 3], (1964, Some(5)));
        assert_eq!(s.date_label(0), "May 1964");
        assert_eq!(s.date_label(7), "Dec 1964");
        assert_eq!(s.date_label(8), "Jan 1965");
        assert_eq!(s.date(8 + 24), (1967, Some(1)));
        let y = series(vec![0.0; 3], (1700, None));
        assert_eq!(y.date_label(308), "2008");
        assert!(!y.monthly());
    }

    #[test]
    fn the_attention_summary_names_the_peak_and_how_far_back_it_is() {
        let labels: Vec<String> = (0..6).map(|p| format!("d{p}")).collect();
        // window 4, step 0: the forecast step is at position 4; column 3 is 1 step back
        let monthly = series(vec![0.0; 3], (1964, Some(5)));
        let one = attention_summary(&monthly, &labels, &[0.1, 0.1, 0.1, 0.7], 4, 0).expect("text");
        assert!(
            one.contains("+1 (d4)") && one.contains("70.0%") && one.contains("d3: 1 month back"),
            "{one}"
        );
        assert!(!one.contains("season"), "{one}");
        let mut yearly = series(vec![0.0; 3], (1700, None));
        yearly.period = 4;
        let four = attention_summary(&yearly, &labels, &[0.7, 0.1, 0.1, 0.1], 4, 0).expect("text");
        assert!(
            four.contains("d0: 4 years back") && four.contains("4-year cycles"),
            "{four}"
        );
        let two = attention_summary(&yearly, &labels, &[0.1, 0.1, 0.7, 0.1], 4, 1).expect("text");
        assert!(
            two.contains("+2 (d5)") && two.contains("d2: 3 years back"),
            "{two}"
        );
        assert_eq!(attention_summary(&monthly, &labels, &[], 4, 0), None);
    }

    #[test]
    fn a_graph_without_the_forecast_or_the_weights_is_named_for_what_it_lacks() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(missing_outputs(&names(&["forecast", "layer0.weights", "x"])).is_empty());
        assert_eq!(missing_outputs(&names(&["layer0.weights"])), ["forecast"]);
        assert_eq!(missing_outputs(&[]), REQUIRED_OUTPUTS);
        assert_eq!(format_value(123.456), "123.5");
        assert_eq!(format_value(-1.234), "-1.23");
    }

    #[test]
    fn windows_need_enough_past_and_stay_inside_the_data() {
        let v: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(window_before(&v, 4, 4), Ok(&v[0..4]));
        assert_eq!(window_before(&v, 10, 4), Ok(&v[6..10]));
        assert_eq!(
            window_before(&v, 3, 4),
            Err(WindowError::TooShort {
                available: 3,
                needed: 4
            })
        );
        assert_eq!(
            window_before(&v, 11, 4),
            Err(WindowError::PastEnd { len: 10 })
        );
        let msg = WindowError::TooShort {
            available: 3,
            needed: 36,
        }
        .to_string();
        assert!(msg.contains("36") && msg.contains("later"), "{msg}");
    }

    #[test]
    fn normalisation_is_z_scores_and_survives_a_flat_window() {
        let n = normalise(&[1.0, 2.0, 3.0, 4.0], 1e-3);
        assert!((n.mean - 2.5).abs() < 1e-12);
        assert!((n.scale - 1.25f64.sqrt()).abs() < 1e-12);
        let back = denormalise(&n.z, n.mean, n.scale);
        for (a, b) in back.iter().zip([1.0, 2.0, 3.0, 4.0]) {
            assert!((a - b).abs() < 1e-6);
        }
        let flat = normalise(&[370.0; 36], 1e-3);
        assert!((flat.scale - 0.37).abs() < 1e-12);
        assert!(flat.z.iter().all(|&z| z == 0.0));
        let near_zero = normalise(&[0.0; 5], 1e-3);
        assert!((near_zero.scale - 1e-3).abs() < 1e-15);
    }

    #[test]
    fn seasonal_naive_repeats_the_last_full_season() {
        let history: Vec<f64> = (0..24).map(f64::from).collect();
        // horizon 14 with period 12: steps 1..12 repeat 12..23, steps 13, 14 repeat 12, 13 again
        let f = seasonal_naive(&history, 14, 12).expect("long enough");
        let want: Vec<f64> = (12..24).chain(12..14).map(f64::from).collect();
        assert_eq!(f, want);
        assert_eq!(seasonal_naive(&history[..5], 3, 12), None);
        assert_eq!(seasonal_naive(&[1.0, 2.0, 3.0], 4, 1), Some(vec![3.0; 4]));
    }

    #[test]
    fn errors_use_the_overlap() {
        assert_eq!(mae(&[1.0, 2.0, 3.0], &[2.0, 2.0]), Some(0.5));
        assert_eq!(rmse(&[0.0, 0.0], &[3.0, 4.0]), Some(12.5f64.sqrt()));
        assert_eq!(mae(&[1.0], &[]), None);
    }

    #[test]
    fn edits_replace_values_in_range_only() {
        let mut e = BTreeMap::new();
        e.insert(1, 9.0);
        e.insert(7, 9.0);
        assert_eq!(with_edits(&[0.0, 0.0, 0.0], &e), vec![0.0, 9.0, 0.0]);
    }

    #[test]
    fn forecast_rows_and_lags() {
        // window 3, horizon 2, 2 heads: rows 0..2 past, 3..4 forecast
        let (t, h, heads) = (3, 2, 2);
        let mut data = vec![0.0f32; heads * (t + h) * t];
        // head 0, forecast step 1 (row 4): all weight on column 0
        data[(4) * t] = 1.0;
        // head 1, forecast step 1: all weight on column 2
        data[(t + h + 4) * t + 2] = 1.0;
        let a = LayerAttention::new(&[1, heads, t + h, t], data, t, h).expect("shape");
        assert_eq!(a.forecast_row(Some(0), 1), vec![1.0, 0.0, 0.0]);
        assert_eq!(a.forecast_row(None, 1), vec![0.5, 0.0, 0.5]);
        // forecast step 1 sits at position 4: column 0 is 4 steps back, column 2 is 2 back
        assert_eq!(peak_lag(&a.forecast_row(Some(0), 1), t, 1), Some((4, 1.0)));
        assert_eq!(peak_lag(&a.forecast_row(Some(1), 1), t, 1), Some((2, 1.0)));
        assert!(LayerAttention::new(&[1, 2, 4, 3], vec![0.0; 24], t, h).is_err());
        assert!(LayerAttention::new(&[1, 2, 5, 3], vec![0.0; 29], t, h).is_err());
    }

    #[test]
    fn scales_invert_and_ticks_are_round() {
        let s = LinearScale::new(300.0, 400.0, 200.0, 0.0);
        assert!((s.to_px(350.0) - 100.0).abs() < 1e-9);
        assert!((s.from_px(50.0) - 375.0).abs() < 1e-9);
        let flat = LinearScale::new(5.0, 5.0, 0.0, 10.0);
        assert!(flat.to_px(5.0).is_finite());
        assert_eq!(
            nice_ticks(0.0, 10.0, 5),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(nice_ticks(312.0, 377.0, 4), vec![320.0, 340.0, 360.0]);
        assert_eq!(padded_range([1.0, 3.0, f64::NAN], 0.5), Some((0.0, 4.0)));
        assert_eq!(padded_range([], 0.1), None);
    }

    #[test]
    fn manifest_rejects_short_or_broken_series() {
        let good = r#"{"window":3,"horizon":2,"n_layers":2,"n_heads":4,"d_model":32,"scale_floor":0.001,
          "series":[{"id":"a","title":"A","unit":"u","frequency":"yearly","period":2,"start":[1700,null],
          "source":"","licence":"","onnx":"a.onnx","onnx_bytes":1,"test_start":3,
          "metrics":{"model":{"mae":1,"rmse":1,"mase":1},"seasonal_naive":{"mae":1,"rmse":1,"mase":1},
          "naive_last":{"mae":1,"rmse":1,"mase":1}},"values":[1,2,3,4]}]}"#;
        let m = ForecastManifest::parse(good).expect("valid");
        assert_eq!(m.series[0].start, (1700, None));
        assert!(m.find("a").is_some() && m.find("b").is_none());
        let short = good.replace("[1,2,3,4]", "[1,2,3]");
        assert!(ForecastManifest::parse(&short)
            .expect_err("too short")
            .contains("shorter"));
        assert!(ForecastManifest::parse("{}").is_err());
        assert!(ForecastManifest::parse("<html>").is_err());
    }
}
