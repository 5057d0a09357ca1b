//! Which demo the page shows, read from and written to the URL hash: `#/<demo>?key=value&…`.
//!
//! The hash keeps the site a set of static files (GitHub Pages serves one `index.html`) and
//! makes every view a link someone can share. Anything unrecognised falls back to the default
//! demo with a note, never a panic.

use std::fmt;

use rust_i18n::t;

use crate::maths::{MaskChoice, Selection, WhatIf};

/// The demos, in the order the navigation lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Demo {
    /// A guided path of lessons with exercises checked against the model.
    Learn,
    /// Self-attention step by step on the language identifier.
    Walkthrough,
    /// all-MiniLM-L6-v2: every layer and head.
    Encoder,
    /// English → French with cross-attention.
    Translate,
    /// Next-movie recommendation over a viewing history.
    Recommend,
    /// Forecasting a time series from its past steps.
    Forecast,
    /// A tiny vision transformer over a drawn digit.
    Digits,
    /// A GPT-style decoder writing text: sampling, KV cache, induction heads.
    Generate,
    /// The cost of attention, measured: full, tiled, sparse, low-rank and linear.
    Cost,
    /// Your own model: an exported Hugging Face transformer opened from local files or a URL.
    Open,
}

impl Demo {
    pub const ALL: [Demo; 10] = [
        Demo::Learn,
        Demo::Walkthrough,
        Demo::Encoder,
        Demo::Translate,
        Demo::Recommend,
        Demo::Forecast,
        Demo::Digits,
        Demo::Generate,
        Demo::Cost,
        Demo::Open,
    ];

    /// The path segment in the hash.
    pub fn slug(self) -> &'static str {
        match self {
            Demo::Learn => "learn",
            Demo::Walkthrough => "walkthrough",
            Demo::Encoder => "encoder",
            Demo::Translate => "translate",
            Demo::Recommend => "recommend",
            Demo::Forecast => "forecast",
            Demo::Digits => "digits",
            Demo::Generate => "generate",
            Demo::Cost => "cost",
            Demo::Open => "open",
        }
    }

    /// The short name in the navigation, in the reader's language.
    pub fn label(self) -> std::borrow::Cow<'static, str> {
        match self {
            Demo::Learn => t!("nav.learn"),
            Demo::Walkthrough => t!("nav.walkthrough"),
            Demo::Encoder => t!("nav.encoder"),
            Demo::Translate => t!("nav.translate"),
            Demo::Recommend => t!("nav.recommend"),
            Demo::Forecast => t!("nav.forecast"),
            Demo::Digits => t!("nav.digits"),
            Demo::Generate => t!("nav.generate"),
            Demo::Cost => t!("nav.cost"),
            Demo::Open => t!("nav.open"),
        }
    }

    pub fn from_slug(slug: &str) -> Option<Demo> {
        Demo::ALL.into_iter().find(|d| d.slug() == slug)
    }
}

/// A parsed hash: the demo and its `key=value` parameters, in order, percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub demo: Demo,
    pub params: Vec<(String, String)>,
    /// Why the hash was not understood, when it was not.
    pub problem: Option<RouteProblem>,
}

/// Why a hash was not (fully) understood; shown in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteProblem {
    /// The demo named does not exist (its name, shortened).
    UnknownView(String),
    /// A parameter had a bad escape or invalid UTF-8 and was dropped.
    Damaged,
}

impl fmt::Display for RouteProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteProblem::UnknownView(name) => f.write_str(&t!("link.unknown_view", name = name)),
            RouteProblem::Damaged => f.write_str(&t!("link.damaged")),
        }
    }
}

impl Default for Route {
    fn default() -> Self {
        Route::of(Demo::Walkthrough)
    }
}

impl Route {
    pub fn of(demo: Demo) -> Self {
        Route {
            demo,
            params: Vec::new(),
            problem: None,
        }
    }

    /// Reads `#/<demo>?a=1&b=2` (the leading `#` optional). An empty hash is the default demo.
    pub fn parse(hash: &str) -> Route {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        let hash = hash.strip_prefix('/').unwrap_or(hash);
        let (path, query) = hash.split_once('?').unwrap_or((hash, ""));
        let path = path.trim_end_matches('/');
        if path.is_empty() && query.is_empty() {
            return Route::default();
        }
        let Some(demo) = Demo::from_slug(path) else {
            return Route {
                problem: Some(RouteProblem::UnknownView(shorten(
                    &percent_decode(path),
                    40,
                ))),
                ..Route::default()
            };
        };
        let mut params = Vec::new();
        let mut problem = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match (try_decode(k), try_decode(v)) {
                (Some(k), Some(v)) => params.push((k, v)),
                _ => problem = Some(RouteProblem::Damaged),
            }
        }
        Route {
            demo,
            params,
            problem,
        }
    }

    /// The value of parameter `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Parameter `key` as a 0-based index, written 1-based in the link (as the page shows layers,
    /// heads and steps) and at most `max`. `None` when it is absent or unusable; an unusable
    /// value is also named in `bad`.
    pub fn one_based(
        &self,
        key: &'static str,
        max: usize,
        bad: &mut Vec<&'static str>,
    ) -> Option<usize> {
        let v = self.get(key)?;
        match v.parse::<usize>() {
            Ok(k @ 1..) if k <= max => Some(k - 1),
            _ => {
                bad.push(key);
                None
            }
        }
    }

    /// Parameter `head`: `avg` (the average of the heads) is `Some(None)`, a usable 1-based head
    /// `Some(Some(h))`; absent or unusable is `None` (unusable also named in `bad`).
    pub fn head_or_average(
        &self,
        n_heads: usize,
        bad: &mut Vec<&'static str>,
    ) -> Option<Option<usize>> {
        if self.get("head") == Some("avg") {
            return Some(None);
        }
        self.one_based("head", n_heads, bad).map(Some)
    }

    /// Writes `head` as [`Route::head_or_average`] reads it.
    pub fn set_head_or_average(&mut self, head: Option<usize>) {
        let value = head.map_or_else(|| "avg".to_owned(), |h| (h + 1).to_string());
        self.set("head", Some(value));
    }

    /// Sets (or, with `None`, removes) parameter `key`, keeping the others in order.
    pub fn set(&mut self, key: &str, value: Option<String>) {
        let at = self.params.iter().position(|(k, _)| k == key);
        match (at, value) {
            (Some(i), Some(v)) => self.params[i].1 = v,
            (Some(i), None) => {
                self.params.remove(i);
            }
            (None, Some(v)) => self.params.push((key.to_owned(), v)),
            (None, None) => {}
        }
    }
}

impl fmt::Display for Route {
    /// The hash, `#/<demo>` plus `?k=v&…` when there are parameters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#/{}", self.demo.slug())?;
        for (i, (k, v)) in self.params.iter().enumerate() {
            let sep = if i == 0 { '?' } else { '&' };
            write!(f, "{sep}{}={}", percent_encode(k), percent_encode(v))?;
        }
        Ok(())
    }
}

/// Longest text a link carries; longer text is left out of the link (it still runs).
pub const MAX_LINK_TEXT: usize = 2000;

/// The sentence a view shows when some of its link's parameters could not be used (and fell
/// back to their defaults), or `None` when every one could. `parts` are parameter names, e.g.
/// `["layer", "temperature"]`; known ones are shown in the reader's language (`link.part.*`).
pub fn link_problem(parts: &[&str]) -> Option<String> {
    if parts.is_empty() {
        return None;
    }
    let names: Vec<String> = parts.iter().map(|p| link_part_name(p)).collect();
    Some(t!("link.unusable", parts = join_list(&names)).into_owned())
}

/// `a`, `a and b`, `a, b and c` in English; `a`, `a和b`, `a、b和c` in Chinese.
fn join_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!(
            "{}{}{last}",
            rest.join(&t!("link.list_sep")),
            t!("link.and")
        ),
    }
}

/// The link parameters that have a name of their own in `locales` (`link.part.<name>`).
pub const NAMED_PARTS: [&str; 11] = [
    "text",
    "step",
    "layer",
    "head",
    "view",
    "scale",
    "temperature",
    "attention",
    "mask",
    "lesson",
    "sheet",
];

/// A link parameter's name in the reader's language (unknown names are shown as they are).
pub fn link_part_name(part: &str) -> String {
    if NAMED_PARTS.contains(&part) {
        t!(format!("link.part.{part}")).into_owned()
    } else {
        part.to_owned()
    }
}

/// Writes a step-by-step view's text and step: the text only when it fits a link
/// ([`MAX_LINK_TEXT`]), the step only with a text (without one there is nothing to step through).
pub fn write_text_and_step(route: &mut Route, text: &Option<String>, step: Option<usize>) {
    let text = text
        .clone()
        .filter(|t| !t.trim().is_empty() && t.chars().count() <= MAX_LINK_TEXT);
    let step = step.filter(|_| text.is_some());
    route.set("text", text);
    route.set("step", step.map(|s| s.to_string()));
}

/// Drops (and names in `bad`) a layer, head or step that a model of `n_layers` layers,
/// `n_heads` heads and at most `max_steps` steps does not have (links of step-by-step views).
pub fn fit_view(
    (layer, head, step): (&mut Option<usize>, &mut Option<usize>, &mut Option<usize>),
    bad: &mut Vec<&'static str>,
    (n_layers, n_heads, max_steps): (usize, usize, usize),
) {
    if layer.is_some_and(|l| l >= n_layers) {
        *layer = None;
        bad.push("layer");
    }
    if head.is_some_and(|h| h >= n_heads) {
        *head = None;
        bad.push("head");
    }
    if step.is_some_and(|s| s > max_steps) {
        *step = None;
        bad.push("step");
    }
}

/// Writes the what-if recipe into `route` (only what differs from the model's).
pub fn write_what_if(route: &mut Route, w: &WhatIf) {
    route.set("scale", (!w.scale).then(|| "off".to_owned()));
    route.set(
        "temp",
        (w.temperature != 1.0).then(|| w.temperature.to_string()),
    );
    route.set(
        "attn",
        match w.selection {
            Selection::Soft => None,
            Selection::Argmax => Some("argmax".to_owned()),
            Selection::TopK(k) => Some(format!("top{k}")),
            Selection::Threshold(p) => Some(format!("p{p}")),
        },
    );
    route.set(
        "mask",
        match &w.mask {
            MaskChoice::Model => None,
            MaskChoice::None => Some("none".to_owned()),
            MaskChoice::Causal => Some("causal".to_owned()),
            MaskChoice::Custom(cells) => {
                let hidden: Vec<String> = cells
                    .iter()
                    .enumerate()
                    .filter(|(_, &h)| h)
                    .map(|(k, _)| k.to_string())
                    .collect();
                Some(format!("custom:{}", hidden.join(".")))
            }
        },
    );
}

/// Reads the what-if recipe; unusable values keep the model's setting and are named.
pub fn read_what_if(route: &Route) -> (WhatIf, Vec<&'static str>) {
    let mut w = WhatIf::default();
    let mut bad = Vec::new();
    match route.get("scale") {
        None => {}
        Some("off") => w.scale = false,
        Some(_) => bad.push("scale"),
    }
    if let Some(t) = route.get("temp") {
        match t.parse::<f32>() {
            Ok(t) if (0.1..=5.0).contains(&t) => w.temperature = t,
            _ => bad.push("temperature"),
        }
    }
    if let Some(a) = route.get("attn") {
        let parsed = match a {
            "argmax" => Some(Selection::Argmax),
            _ => a
                .strip_prefix("top")
                .and_then(|k| k.parse::<usize>().ok())
                .filter(|k| (1..=512).contains(k))
                .map(Selection::TopK)
                .or_else(|| {
                    a.strip_prefix('p')
                        .and_then(|p| p.parse::<f32>().ok())
                        .filter(|p| (0.0..=1.0).contains(p))
                        .map(Selection::Threshold)
                }),
        };
        match parsed {
            Some(s) => w.selection = s,
            None => bad.push("attention"),
        }
    }
    if let Some(m) = route.get("mask") {
        let parsed = match m {
            "none" => Some(MaskChoice::None),
            "causal" => Some(MaskChoice::Causal),
            _ => m.strip_prefix("custom:").and_then(|cells| {
                let mut hidden = Vec::new();
                for c in cells.split('.').filter(|c| !c.is_empty()) {
                    let k = c.parse::<usize>().ok().filter(|&k| k < 512 * 512)?;
                    if hidden.len() <= k {
                        hidden.resize(k + 1, false);
                    }
                    hidden[k] = true;
                }
                Some(MaskChoice::Custom(hidden))
            }),
        };
        match parsed {
            Some(mask) => w.mask = mask,
            None => bad.push("mask"),
        }
    }
    (w, bad)
}

fn shorten(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}

/// Percent-encodes everything but unreserved characters (RFC 3986), as UTF-8.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` as space; `None` for a bad escape or invalid UTF-8.
pub fn try_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn percent_decode(s: &str) -> String {
    try_decode(s).unwrap_or_else(|| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_based_indices_and_the_head_average() {
        let route = Route::parse("#/forecast?layer=2&step=0&head=avg&x=3");
        let mut bad = Vec::new();
        assert_eq!(route.one_based("layer", 2, &mut bad), Some(1));
        assert_eq!(
            route.one_based("layer", 1, &mut bad),
            None,
            "past the model"
        );
        assert_eq!(
            route.one_based("step", 12, &mut bad),
            None,
            "0 is not 1-based"
        );
        assert_eq!(route.one_based("missing", 12, &mut bad), None);
        assert_eq!(bad, ["layer", "step"], "absent is not unusable");
        assert_eq!(route.head_or_average(4, &mut bad), Some(None));
        let mut bad = Vec::new();
        for (hash, want) in [
            ("head=3", Some(Some(2))),
            ("head=5", None),
            ("head=x", None),
            ("", None),
        ] {
            let route = Route::parse(&format!("#/digits?{hash}"));
            assert_eq!(route.head_or_average(4, &mut bad), want, "{hash}");
        }
        assert_eq!(bad, ["head", "head"]);
        let mut route = Route::of(Demo::Digits);
        for head in [None, Some(0), Some(3)] {
            route.set_head_or_average(head);
            assert_eq!(route.head_or_average(4, &mut bad), Some(head));
        }
        assert_eq!(route.to_string(), "#/digits?head=4");
    }

    #[test]
    fn empty_and_bare_hashes_are_the_walkthrough() {
        for h in ["", "#", "#/", "/"] {
            assert_eq!(Route::parse(h), Route::default(), "{h:?}");
        }
    }

    #[test]
    fn every_demo_round_trips_with_awkward_parameters() {
        for demo in Demo::ALL {
            let mut route = Route::of(demo);
            route.set(
                "text",
                Some("Le roi & la « reine » = 100% 🙂 שלום +".into()),
            );
            route.set("layer", Some("2".into()));
            let hash = route.to_string();
            assert!(hash.is_ascii(), "{hash}");
            assert_eq!(Route::parse(&hash), route);
        }
    }

    #[test]
    fn unknown_or_damaged_links_fall_back_with_a_message() {
        let r = Route::parse("#/nope?x=1");
        assert_eq!(r.demo, Demo::Walkthrough);
        assert!(r
            .problem
            .as_ref()
            .is_some_and(|p| p.to_string().contains("nope")));

        let r = Route::parse("#/encoder?text=%E2%28&layer=3&bad=%zz");
        assert_eq!(r.demo, Demo::Encoder);
        assert_eq!(r.get("layer"), Some("3"));
        assert_eq!(r.get("text"), None);
        assert!(r.problem.is_some());

        // Long garbage is cut in the message.
        let r = Route::parse(&format!("#/{}", "x".repeat(5000)));
        assert!(r
            .problem
            .as_ref()
            .is_some_and(|p| p.to_string().len() < 200));
    }

    #[test]
    fn what_if_settings_round_trip_and_bad_ones_are_named() {
        let recipes = [
            WhatIf::default(),
            WhatIf {
                scale: false,
                temperature: 2.5,
                selection: Selection::TopK(3),
                mask: MaskChoice::Causal,
            },
            WhatIf {
                selection: Selection::Threshold(0.25),
                mask: MaskChoice::Custom(vec![false, true, false, true]),
                ..WhatIf::default()
            },
            WhatIf {
                selection: Selection::Argmax,
                mask: MaskChoice::None,
                ..WhatIf::default()
            },
        ];
        for w in recipes {
            let mut route = Route::of(Demo::Walkthrough);
            write_what_if(&mut route, &w);
            let (back, bad) = read_what_if(&Route::parse(&route.to_string()));
            assert!(bad.is_empty(), "{bad:?}");
            assert_eq!(back, w);
        }
        assert!(Route::of(Demo::Walkthrough).params.is_empty());
        let (w, bad) = read_what_if(&Route::parse(
            "#/walkthrough?scale=1&temp=99&attn=top0&mask=custom:x",
        ));
        assert_eq!(w, WhatIf::default());
        assert_eq!(bad, ["scale", "temperature", "attention", "mask"]);
    }

    #[test]
    fn set_replaces_and_removes() {
        let mut r = Route::of(Demo::Translate);
        r.set("a", Some("1".into()));
        r.set("b", Some("2".into()));
        r.set("a", Some("3".into()));
        r.set("b", None);
        assert_eq!(r.to_string(), "#/translate?a=3");
    }
}
