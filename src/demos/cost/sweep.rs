//! A sweep: the settings the page offers (and their link), the (method, n) runs they plan, one
//! timed measurement as the worker makes it, and the slopes the page prints.

use rust_i18n::t;
use serde::{Deserialize, Serialize};

use super::{
    check_limits, expected_counts, fit_slope, median, memory_bytes, random_matrix, run, CostError,
    Detail, Inputs, Measurement, Method, Projections,
};
use crate::route::{Demo, Route};

/// The method families the page offers, in the order it lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MethodKind {
    Full,
    Tiled,
    Window,
    Strided,
    LocalGlobal,
    Linformer,
    Linear,
}

impl MethodKind {
    pub const ALL: [MethodKind; 7] = [
        MethodKind::Full,
        MethodKind::Tiled,
        MethodKind::Window,
        MethodKind::Strided,
        MethodKind::LocalGlobal,
        MethodKind::Linformer,
        MethodKind::Linear,
    ];

    /// The method's name in links, tables and exported files.
    pub fn slug(self) -> &'static str {
        match self {
            MethodKind::Full => "full",
            MethodKind::Tiled => "tiled",
            MethodKind::Window => "window",
            MethodKind::Strided => "strided",
            MethodKind::LocalGlobal => "global",
            MethodKind::Linformer => "linformer",
            MethodKind::Linear => "linear",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// The family a method belongs to.
    pub fn of(method: Method) -> Self {
        match method {
            Method::Full => MethodKind::Full,
            Method::Tiled { .. } => MethodKind::Tiled,
            Method::Window { .. } => MethodKind::Window,
            Method::Strided { .. } => MethodKind::Strided,
            Method::LocalGlobal { .. } => MethodKind::LocalGlobal,
            Method::Linformer { .. } => MethodKind::Linformer,
            Method::Linear => MethodKind::Linear,
        }
    }

    /// The name shown to the reader, in their language.
    pub fn label(self) -> String {
        t!(format!("cost.method.{}", self.slug())).into_owned()
    }

    /// The multiply-add formula of [`expected_counts`], as the page prints it.
    pub fn formula(self) -> &'static str {
        match self {
            MethodKind::Full => "2n²d",
            MethodKind::Tiled => "2n²d + nd(⌈n/b⌉ − 1)",
            MethodKind::Window | MethodKind::Strided | MethodKind::LocalGlobal => "2·|P|·d",
            MethodKind::Linformer => "4nkd",
            MethodKind::Linear => "2nd² + nd",
        }
    }
}

/// The methods' parameters, as the user sets them. A parameter larger than a sequence allows is
/// cut to it at that n ([`Params::method`]): k ≤ n keys for Linformer, g ≤ n global tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Tile size b (keys per block).
    pub block: usize,
    /// Window half-width w (sliding window, the band of the strided pattern, local + global).
    pub window: usize,
    /// Stride s of the strided pattern.
    pub stride: usize,
    /// Global tokens g.
    pub globals: usize,
    /// Linformer's rank k.
    pub rank: usize,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            block: 32,
            window: 8,
            stride: 8,
            globals: 2,
            rank: 16,
        }
    }
}

impl Params {
    /// The method of family `kind` for a sequence of `n` tokens.
    pub fn method(&self, kind: MethodKind, n: usize) -> Method {
        match kind {
            MethodKind::Full => Method::Full,
            MethodKind::Tiled => Method::Tiled { block: self.block },
            MethodKind::Window => Method::Window { w: self.window },
            MethodKind::Strided => Method::Strided {
                stride: self.stride,
                local: self.window,
            },
            MethodKind::LocalGlobal => Method::LocalGlobal {
                w: self.window,
                globals: self.globals.min(n),
            },
            MethodKind::Linformer => Method::Linformer {
                k: self.rank.min(n),
            },
            MethodKind::Linear => Method::Linear,
        }
    }
}

/// A method's parameters in words the page and the files share, e.g. `w = 8, g = 2`.
pub fn method_params(method: Method) -> String {
    match method {
        Method::Full | Method::Linear => String::new(),
        Method::Tiled { block } => format!("b = {block}"),
        Method::Window { w } => format!("w = {w}"),
        Method::Strided { stride, local } => format!("s = {stride}, w = {local}"),
        Method::LocalGlobal { w, globals } => format!("w = {w}, g = {globals}"),
        Method::Linformer { k } => format!("k = {k}"),
    }
}

/// The choices the page offers.
pub const D_K_CHOICES: [usize; 5] = [16, 32, 64, 128, 256];
pub const MAX_HEADS: usize = 16;
pub const MIN_N: usize = 16;
pub const MAX_N: usize = 8192;
/// The largest method parameter a link may set (anything larger than 8192 acts like n anyway).
pub const MAX_PARAM: usize = MAX_N;

/// What the user chose: the sweep runs every chosen method at n = 16, 32, … `max_n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub d_k: usize,
    pub heads: usize,
    /// A power of two in [`MIN_N`]..=[`MAX_N`].
    pub max_n: usize,
    /// In [`MethodKind::ALL`]'s order, no repeats.
    pub methods: Vec<MethodKind>,
    pub params: Params,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            d_k: 64,
            heads: 1,
            max_n: 1024,
            methods: MethodKind::ALL.to_vec(),
            params: Params::default(),
        }
    }
}

/// The sequence lengths of a sweep: 16, 32, … up to `max_n` (doubling).
pub fn sizes(max_n: usize) -> Vec<usize> {
    std::iter::successors(Some(MIN_N), |n| Some(n * 2))
        .take_while(|&n| n <= max_n.min(MAX_N))
        .collect()
}

/// One (method, n) of a sweep, checked before anything runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub kind: MethodKind,
    pub method: Method,
    pub n: usize,
    /// [`memory_bytes`] of all heads (saturated for absurd settings).
    pub bytes: u64,
    /// Why it will not run (too large for a tab, bad parameters), if it will not.
    pub refused: Option<CostError>,
}

impl Settings {
    /// Every (method, n), smallest n first and the methods in order within each n, so the chart
    /// grows from the left and every method has its points as early as possible.
    pub fn plan(&self) -> Vec<Planned> {
        let mut plan = Vec::new();
        for n in sizes(self.max_n) {
            for &kind in &self.methods {
                let method = self.params.method(kind, n);
                let bytes = memory_bytes(method, n, self.d_k, self.heads).unwrap_or(u64::MAX);
                let refused = check_limits(method, n, self.d_k, self.heads).err();
                plan.push(Planned {
                    kind,
                    method,
                    n,
                    bytes,
                    refused,
                });
            }
        }
        plan
    }

    /// The planned runs that will be refused, for the note shown before Run is pressed.
    pub fn refusals(&self) -> Vec<Planned> {
        self.plan()
            .into_iter()
            .filter(|p| p.refused.is_some())
            .collect()
    }

    /// Reads a `#/cost?…` link; unusable values keep their defaults and are named in the list.
    pub fn read(route: &Route) -> (Self, Vec<&'static str>) {
        let mut s = Settings::default();
        let mut bad = Vec::new();
        let mut number = |key: &'static str, ok: &dyn Fn(usize) -> bool, into: &mut usize| {
            if let Some(v) = route.get(key) {
                match v.parse::<usize>() {
                    Ok(x) if ok(x) => *into = x,
                    _ => bad.push(key),
                }
            }
        };
        number("d", &|x| D_K_CHOICES.contains(&x), &mut s.d_k);
        number("heads", &|x| (1..=MAX_HEADS).contains(&x), &mut s.heads);
        number(
            "n",
            &|x| x.is_power_of_two() && (MIN_N..=MAX_N).contains(&x),
            &mut s.max_n,
        );
        let param = |x: usize| (1..=MAX_PARAM).contains(&x);
        number("b", &param, &mut s.params.block);
        number("w", &param, &mut s.params.window);
        number("s", &param, &mut s.params.stride);
        number("g", &|x| x <= MAX_PARAM, &mut s.params.globals);
        number("k", &param, &mut s.params.rank);
        if let Some(list) = route.get("methods") {
            let kinds: Option<Vec<MethodKind>> =
                list.split(',').map(MethodKind::from_slug).collect();
            match kinds {
                Some(kinds) if !kinds.is_empty() => {
                    s.methods = MethodKind::ALL
                        .into_iter()
                        .filter(|k| kinds.contains(k))
                        .collect()
                }
                _ => bad.push("methods"),
            }
        }
        (s, bad)
    }

    /// The link [`Settings::read`] reads back.
    pub fn write(&self) -> Route {
        let mut route = Route::of(Demo::Cost);
        let methods: Vec<&str> = self.methods.iter().map(|k| k.slug()).collect();
        let p = &self.params;
        for (key, value) in [
            ("d", self.d_k.to_string()),
            ("heads", self.heads.to_string()),
            ("n", self.max_n.to_string()),
            ("methods", methods.join(",")),
            ("b", p.block.to_string()),
            ("w", p.window.to_string()),
            ("s", p.stride.to_string()),
            ("g", p.globals.to_string()),
            ("k", p.rank.to_string()),
        ] {
            route.set(key, Some(value));
        }
        route
    }
}

/// How many times a measurement runs at most, and the time after which it stops repeating (it
/// always runs once): small n repeat enough for a stable median, large n do not take minutes.
pub const MAX_REPEATS: usize = 5;
pub const REPEAT_BUDGET_MS: f64 = 400.0;

/// A method whose median passed this at some n is not run at larger n: doubling n at least
/// doubles its time, and the sweep should not keep the user waiting for the slowest method.
pub const SLOW_MS: f64 = 1000.0;

/// One measurement: `heads` heads of `method` over (n, d) inputs drawn from `seed`, timed on
/// `clock` (milliseconds; the worker's `performance.now()`), up to [`MAX_REPEATS`] times.
/// Refuses a setting over the memory limit before it allocates anything.
pub fn measure(
    method: Method,
    n: usize,
    d: usize,
    heads: usize,
    seed: u64,
    clock: &mut dyn FnMut() -> f64,
) -> Result<Measurement, CostError> {
    check_limits(method, n, d, heads)?;
    let bytes = memory_bytes(method, n, d, heads)?;
    let counts = expected_counts(method, n, d)?;
    let len = n * d;
    let head_seed = |h: usize, part: u64| seed.wrapping_add(4 * h as u64 + part);
    let qkv: Vec<[Vec<f32>; 3]> = (0..heads)
        .map(|h| [0, 1, 2].map(|part| random_matrix(n, d, head_seed(h, part))))
        .collect();
    let projections = match method {
        Method::Linformer { k } => Some(Projections::random(k, n, head_seed(0, 3))),
        _ => None,
    };
    let mut times = Vec::with_capacity(MAX_REPEATS);
    let mut spent = 0.0;
    while times.len() < MAX_REPEATS && (times.is_empty() || spent < REPEAT_BUDGET_MS) {
        let start = clock();
        for [query, key, value] in &qkv {
            let inputs = Inputs {
                query,
                key,
                value,
                n,
                d,
                projections: projections.as_ref(),
            };
            let out = run(method, &inputs, Detail::Output)?;
            // The counters and the formulas agree (tests), so a run that disagrees is a bug.
            if out.counts != counts || out.output.data().len() != len {
                return Err(CostError::BadLength {
                    which: "output",
                    expected: len,
                    got: out.output.data().len(),
                });
            }
        }
        let elapsed = (clock() - start).max(0.0);
        spent += elapsed;
        times.push(elapsed);
    }
    let repeats = times.len();
    Ok(Measurement {
        method,
        n,
        d,
        heads,
        median_ms: median(&mut times).unwrap_or(0.0),
        repeats,
        counts,
        bytes,
    })
}

/// The times below this are not fitted: the browser coarsens `performance.now()` to 0.1 ms
/// (no cross-origin isolation on a static host), and below 1 ms fixed costs dominate.
pub const TIME_FLOOR_MS: f64 = 1.0;

/// The slopes the page prints for one method, from its measurements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slopes {
    /// Least squares of ln time on ln n over the points at or above [`TIME_FLOOR_MS`].
    pub time: Option<f64>,
    /// Over the last doubling of n: log₂(bytes(n) / bytes(n/2)).
    pub memory: Option<f64>,
    /// Over the last doubling of n: log₂(mul_adds(n) / mul_adds(n/2)), exactly what the
    /// formula gives there (full: 2, linear: 1, sparse → 1 once n ≫ w).
    pub mul_adds: Option<f64>,
}

/// Slopes of `kind`'s measurements (any order; other methods' are ignored).
pub fn slopes(measurements: &[Measurement], kind: MethodKind) -> Slopes {
    let mut mine: Vec<&Measurement> = measurements
        .iter()
        .filter(|m| MethodKind::of(m.method) == kind)
        .collect();
    mine.sort_by_key(|m| m.n);
    let timed: Vec<(f64, f64)> = mine
        .iter()
        .filter(|m| m.median_ms >= TIME_FLOOR_MS)
        .map(|m| (m.n as f64, m.median_ms))
        .collect();
    let last_doubling = |value: fn(&Measurement) -> u64| -> Option<f64> {
        let [.., before, last] = mine.as_slice() else {
            return None;
        };
        let ratio = value(last) as f64 / value(before) as f64;
        let step = last.n as f64 / before.n as f64;
        (value(before) > 0 && step > 1.0).then(|| ratio.ln() / step.ln())
    };
    Slopes {
        time: fit_slope(&timed),
        memory: last_doubling(|m| m.bytes),
        mul_adds: last_doubling(|m| m.counts.mul_adds),
    }
}

/// The measurements as CSV, one row per (method, n), full precision.
pub fn measurements_csv(measurements: &[Measurement]) -> String {
    let mut out = String::from(
        "method,params,n,d_k,heads,repeats,median_ms,bytes,mul_adds,exps,peak_floats\n",
    );
    for m in measurements {
        out.push_str(&format!(
            "{},\"{}\",{},{},{},{},{},{},{},{},{}\n",
            MethodKind::of(m.method).slug(),
            method_params(m.method),
            m.n,
            m.d,
            m.heads,
            m.repeats,
            m.median_ms,
            m.bytes,
            m.counts.mul_adds,
            m.counts.exps,
            m.counts.peak_floats
        ));
    }
    out
}

/// Bytes in words: `1.07 GB` (decimal units, as a file manager shows them).
pub fn format_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", b / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", b / 1e6),
        _ => format!("{:.2} GB", b / 1e9),
    }
}

/// A refusal in the reader's language, with the bytes it would need.
pub fn refusal_message(planned: &Planned, heads: usize) -> String {
    match &planned.refused {
        Some(CostError::TooLarge { bytes, limit }) => t!(
            "cost.refused.too_large",
            method = planned.kind.label(),
            n = planned.n,
            heads = heads,
            bytes = bytes,
            words = format_bytes(*bytes),
            limit = limit,
            limit_words = format_bytes(*limit)
        )
        .into_owned(),
        Some(other) => t!(
            "cost.refused.other",
            method = planned.kind.label(),
            n = planned.n,
            why = other
        )
        .into_owned(),
        None => String::new(),
    }
}
