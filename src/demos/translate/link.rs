//! What a translation link holds: `#/translate?text=…&step=4&layer=3&head=2&temp=2`, the
//! sentence, how many decoding steps are shown, the layer and head (1-based, as the page shows
//! them; no head = the mean of the heads) and the what-if recipe ([`crate::route::write_what_if`]).
//!
//! Reading is in two stages: [`TranslateLink::read`] checks what can be checked from the link
//! alone; [`TranslateLink::fit`] checks the layer, head and step against the model once its
//! manifest is known. Every unusable value falls back to its default and is named in `bad`.

use crate::maths::WhatIf;
use crate::route::{
    fit_view, read_what_if, write_text_and_step, write_what_if, Demo, Route, MAX_LINK_TEXT,
};

/// The parts of a translation link, 0-based where the link is 1-based.
#[derive(Debug, Clone, PartialEq)]
pub struct TranslateLink {
    pub text: Option<String>,
    /// How many steps to show; `None`: play from the start, as after pressing Translate.
    pub step: Option<usize>,
    /// `None`: the default (the last decoder layer).
    pub layer: Option<usize>,
    /// `None`: the mean of the heads.
    pub head: Option<usize>,
    pub whatif: WhatIf,
    /// "Does attention explain this?" is open (`explain=1`)
    pub explain: bool,
    /// Link parameter names whose values could not be used (see [`crate::route::link_problem`]).
    pub bad: Vec<&'static str>,
}

/// Most steps a link may ask for (far beyond any manifest's `max_new_tokens`).
const MAX_LINK_STEP: usize = 4096;

impl TranslateLink {
    pub fn read(route: &Route) -> Self {
        let (whatif, mut bad) = read_what_if(route);
        let text = route
            .get("text")
            .map(|t| t.chars().take(MAX_LINK_TEXT).collect::<String>())
            .filter(|t| !t.trim().is_empty());
        let mut number = |key: &'static str, min: usize| -> Option<usize> {
            let v = route.get(key)?;
            match v.trim().parse::<usize>() {
                Ok(n) if (min..=MAX_LINK_STEP).contains(&n) => Some(n),
                _ => {
                    bad.push(key);
                    None
                }
            }
        };
        let step = number("step", 0);
        let layer = number("layer", 1).map(|l| l - 1);
        let head = match route.get("head") {
            Some("avg") | Some("average") | None => None,
            Some(_) => number("head", 1).map(|h| h - 1),
        };
        // A step without a sentence has nothing to show.
        let step = step.filter(|_| {
            if text.is_none() {
                bad.push("step");
            }
            text.is_some()
        });
        TranslateLink {
            text,
            step,
            layer,
            head,
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

    /// The hash for this view (text left out when longer than [`MAX_LINK_TEXT`]; a step only
    /// with a text).
    pub fn write(&self) -> Route {
        let mut route = Route::of(Demo::Translate);
        write_text_and_step(&mut route, &self.text, self.step);
        route.set("layer", self.layer.map(|l| (l + 1).to_string()));
        route.set("head", self.head.map(|h| (h + 1).to_string()));
        write_what_if(&mut route, &self.whatif);
        route.set("explain", self.explain.then(|| "1".to_owned()));
        route
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maths::Selection;

    fn read(hash: &str) -> TranslateLink {
        TranslateLink::read(&Route::parse(hash))
    }

    #[test]
    fn round_trip() {
        let link = TranslateLink {
            text: Some("God is love & light?".into()),
            step: Some(4),
            layer: Some(2),
            head: Some(1),
            whatif: WhatIf {
                temperature: 2.0,
                selection: Selection::TopK(2),
                ..WhatIf::default()
            },
            explain: true,
            bad: Vec::new(),
        };
        let hash = link.write().to_string();
        assert!(hash.starts_with("#/translate?text="), "{hash}");
        assert!(
            hash.contains("step=4&layer=3&head=2&temp=2&attn=top2"),
            "{hash}"
        );
        assert!(hash.contains("explain=1"), "{hash}");
        assert_eq!(read(&hash), link);
        let plain = read("#/translate");
        assert_eq!(plain.write().to_string(), "#/translate");
        assert_eq!((plain.step, plain.layer, plain.head), (None, None, None));
    }

    #[test]
    fn unusable_values_fall_back_and_are_named() {
        let link = read("#/translate?text=Hi&step=-1&layer=0&head=x&temp=99&mask=bogus");
        assert_eq!((link.step, link.layer, link.head), (None, None, None));
        assert_eq!(link.whatif, WhatIf::default());
        let mut bad = link.bad.clone();
        bad.sort_unstable();
        assert_eq!(bad, ["head", "layer", "mask", "step", "temperature"]);
        assert_eq!(read("#/translate?text=Hi&head=avg").bad, Vec::<&str>::new());
        assert_eq!(
            read("#/translate?step=3").bad,
            ["step"],
            "a step needs a text"
        );
        assert_eq!(read("#/translate?text=%20&step=3").text, None);

        let mut link = read("#/translate?text=Hi&step=200&layer=4&head=5");
        assert!(link.bad.is_empty());
        link.fit(3, 4, 95);
        assert_eq!((link.step, link.layer, link.head), (None, None, None));
        assert_eq!(link.bad, ["layer", "head", "step"]);
        let mut fine = read("#/translate?text=Hi&step=95&layer=3&head=4");
        fine.fit(3, 4, 95);
        assert_eq!(
            (fine.step, fine.layer, fine.head),
            (Some(95), Some(2), Some(3))
        );
        assert!(fine.bad.is_empty());
    }

    #[test]
    fn long_text_is_left_out_of_the_link() {
        let link = TranslateLink {
            text: Some("a".repeat(MAX_LINK_TEXT + 1)),
            step: Some(3),
            layer: None,
            head: None,
            whatif: WhatIf::default(),
            explain: false,
            bad: Vec::new(),
        };
        assert_eq!(link.write().to_string(), "#/translate");
    }
}
