//! What a generator link holds: `#/generate?text=…&t=0.8&k=40&p=0.95&seed=42&step=12&layer=2&head=3`
//! — the prompt, the sampling settings (`t=0` is greedy), how many generated tokens are shown,
//! the layer and head (1-based, as the page shows them; no head = the mean of the heads) and the
//! what-if recipe ([`crate::route::write_what_if`]). The same link regenerates the same text:
//! the seed fixes every draw.
//!
//! Unusable values fall back to their defaults and are named in `bad`; values out of range
//! are clamped by [`Sampler::clamped`] with a note, as the controls do.

use crate::maths::WhatIf;
use crate::route::{
    fit_view, read_what_if, write_text_and_step, write_what_if, Demo, Route, MAX_LINK_TEXT,
};

use super::heads::SortBy;
use super::sampling::Sampler;

/// The parts of a generator link, 0-based where the link is 1-based.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateLink {
    pub text: Option<String>,
    pub sampler: Sampler,
    /// How many generated tokens to show; `None`: generate to the end.
    pub step: Option<usize>,
    pub layer: Option<usize>,
    /// `None`: the mean of the heads.
    pub head: Option<usize>,
    /// How the head table is sorted.
    pub sort: SortBy,
    pub whatif: WhatIf,
    /// "Does attention explain this?" is open (`explain=1`)
    pub explain: bool,
    pub bad: Vec<&'static str>,
}

const MAX_LINK_NUMBER: usize = 4096;

impl Default for GenerateLink {
    fn default() -> Self {
        Self {
            text: None,
            sampler: Sampler::default(),
            step: None,
            layer: None,
            head: None,
            sort: SortBy::Induction,
            whatif: WhatIf::default(),
            explain: false,
            bad: Vec::new(),
        }
    }
}

impl GenerateLink {
    pub fn read(route: &Route) -> Self {
        let (whatif, mut bad) = read_what_if(route);
        let d = Sampler::default();
        let text = route
            .get("text")
            .map(|t| t.chars().take(MAX_LINK_TEXT).collect::<String>())
            .filter(|t| !t.trim().is_empty());
        let mut float = |key: &'static str, default: f64| -> f64 {
            match route.get(key).map(|v| v.trim().parse::<f64>()) {
                None => default,
                Some(Ok(x)) if x.is_finite() => x,
                Some(_) => {
                    bad.push(key);
                    default
                }
            }
        };
        let temperature = float("t", d.temperature);
        let top_p = float("p", d.top_p);
        let mut number = |key: &'static str, min: usize| -> Option<usize> {
            match route.get(key)?.trim().parse::<usize>() {
                Ok(n) if (min..=MAX_LINK_NUMBER).contains(&n) => Some(n),
                _ => {
                    bad.push(key);
                    None
                }
            }
        };
        let top_k = number("k", 0).unwrap_or(d.top_k);
        let step = number("step", 0);
        let layer = number("layer", 1).map(|l| l - 1);
        let head = match route.get("head") {
            Some("avg") | None => None,
            Some(_) => number("head", 1).map(|h| h - 1),
        };
        let seed = match route.get("seed").map(|s| s.trim().parse::<u64>()) {
            None => d.seed,
            Some(Ok(s)) => s,
            Some(Err(_)) => {
                bad.push("seed");
                d.seed
            }
        };
        let sort = match route.get("sort") {
            None => SortBy::Induction,
            Some(s) => SortBy::from_slug(s).unwrap_or_else(|| {
                bad.push("sort");
                SortBy::Induction
            }),
        };
        let step = step.filter(|_| {
            if text.is_none() {
                bad.push("step");
            }
            text.is_some()
        });
        GenerateLink {
            text,
            sampler: Sampler {
                temperature,
                top_k,
                top_p,
                seed,
            },
            step,
            layer,
            head,
            sort,
            whatif,
            explain: route.get("explain") == Some("1"),
            bad,
        }
    }

    /// Drops (and names in `bad`) a layer, head or step the model does not have.
    pub fn fit(&mut self, n_layers: usize, n_heads: usize, max_steps: usize) {
        fit_view(
            (&mut self.layer, &mut self.head, &mut self.step),
            &mut self.bad,
            (n_layers, n_heads, max_steps),
        );
    }

    pub fn write(&self) -> Route {
        let mut route = Route::of(Demo::Generate);
        write_text_and_step(&mut route, &self.text, self.step);
        let d = Sampler::default();
        let s = &self.sampler;
        route.set(
            "t",
            (s.temperature != d.temperature).then(|| s.temperature.to_string()),
        );
        route.set("k", (s.top_k != d.top_k).then(|| s.top_k.to_string()));
        route.set("p", (s.top_p != d.top_p).then(|| s.top_p.to_string()));
        route.set("seed", (s.seed != d.seed).then(|| s.seed.to_string()));
        route.set("layer", self.layer.map(|l| (l + 1).to_string()));
        route.set("head", self.head.map(|h| (h + 1).to_string()));
        route.set(
            "sort",
            (self.sort != SortBy::Induction).then(|| self.sort.slug().to_owned()),
        );
        write_what_if(&mut route, &self.whatif);
        route.set("explain", self.explain.then(|| "1".to_owned()));
        route
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(hash: &str) -> GenerateLink {
        GenerateLink::read(&Route::parse(hash))
    }

    #[test]
    fn round_trip() {
        let link = GenerateLink {
            text: Some("ROMEO:\nBut soft & light?".into()),
            sampler: Sampler {
                temperature: 0.0,
                top_k: 5,
                top_p: 0.5,
                seed: 123_456_789,
            },
            step: Some(7),
            layer: Some(3),
            head: Some(0),
            sort: SortBy::Sink,
            whatif: WhatIf::default(),
            explain: true,
            bad: vec![],
        };
        let hash = link.write().to_string();
        assert!(hash.contains("explain=1"), "{hash}");
        assert_eq!(read(&hash), link);
        assert_eq!(GenerateLink::default().write().to_string(), "#/generate");
    }

    #[test]
    fn bad_values_fall_back_and_are_named() {
        let l = read("#/generate?t=hot&k=-1&p=nan&seed=x&layer=0&head=9&sort=up&step=3");
        assert_eq!(l.sampler, Sampler::default());
        assert_eq!(l.layer, None);
        for part in ["t", "k", "p", "seed", "layer", "sort", "step"] {
            assert!(l.bad.contains(&part), "{part}: {:?}", l.bad);
        }
        let mut l = read("#/generate?text=a&layer=9&head=9&step=999");
        l.fit(4, 4, 200);
        assert_eq!((l.layer, l.head, l.step), (None, None, None));
        assert_eq!(l.bad, vec!["layer", "head", "step"]);
    }

    #[test]
    fn out_of_range_numbers_are_kept_for_the_clamp_note() {
        let l = read("#/generate?text=a&t=7&p=3");
        assert_eq!(l.sampler.temperature, 7.0);
        assert!(l.bad.is_empty());
        let (c, notes) = l.sampler.clamped(4096);
        assert_eq!(c.temperature, 2.0);
        assert_eq!(notes.len(), 2);
    }
}
