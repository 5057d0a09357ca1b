//! The walkthrough's permalink.

use crate::route::{Demo, Route, MAX_LINK_TEXT};
use crate::steps::Step;

/// What a walkthrough link holds: `#/walkthrough?text=…&step=softmax&layer=1&head=2`
/// (layer and head 1-based, as the page shows them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkthroughLink {
    pub text: Option<String>,
    pub step: Step,
    /// 0-based
    pub layer: usize,
    /// 0-based
    pub head: usize,
    /// Whether "Does attention explain this?" is open (`explain=1`)
    pub explain: bool,
    /// The parameters that could not be used (see [`link_problem`] for the sentence)
    pub bad: Vec<&'static str>,
}

impl WalkthroughLink {
    /// Reads the parameters; unusable values fall back to the defaults and are named in `problem`.
    pub fn read(route: &Route) -> Self {
        let mut bad = Vec::new();
        let text = route
            .get("text")
            .map(|t| t.chars().take(MAX_LINK_TEXT).collect());
        let step = match route.get("step") {
            None => Step::Tokens,
            Some(id) => Step::from_id(id).unwrap_or_else(|| {
                bad.push("step");
                Step::Tokens
            }),
        };
        // The model's sizes are not known here: anything up to 64 is taken, and the view clamps.
        let layer = route.one_based("layer", 64, &mut bad).unwrap_or(0);
        let head = route.one_based("head", 64, &mut bad).unwrap_or(0);
        WalkthroughLink {
            text,
            step,
            layer,
            head,
            explain: route.get("explain") == Some("1"),
            bad,
        }
    }

    /// The hash for this view (text left out when longer than [`MAX_LINK_TEXT`]).
    pub fn write(&self) -> Route {
        let mut route = Route::of(Demo::Walkthrough);
        let text = self
            .text
            .clone()
            .filter(|t| t.chars().count() <= MAX_LINK_TEXT);
        route.set("text", text);
        route.set("step", Some(self.step.id().to_owned()));
        route.set("layer", Some((self.layer + 1).to_string()));
        route.set("head", Some((self.head + 1).to_string()));
        route.set("explain", self.explain.then(|| "1".to_owned()));
        route
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::{link_part_name, link_problem};

    #[test]
    fn a_walkthrough_link_round_trips_and_bad_parts_are_named() {
        let link = WalkthroughLink {
            text: Some("Wer & wie? 100% 🙂 <b>".into()),
            step: Step::Softmax,
            layer: 1,
            head: 3,
            explain: true,
            bad: Vec::new(),
        };
        let hash = link.write().to_string();
        assert!(hash.starts_with("#/walkthrough?text="));
        assert_eq!(WalkthroughLink::read(&Route::parse(&hash)), link);
        assert!(hash.contains("explain=1"));
        let closed = WalkthroughLink {
            explain: false,
            ..link.clone()
        };
        assert!(!closed.write().to_string().contains("explain"));

        let bad = WalkthroughLink::read(&Route::parse("#/walkthrough?step=nope&layer=0&head=x"));
        assert_eq!(
            (bad.step, bad.layer, bad.head, bad.text),
            (Step::Tokens, 0, 0, None)
        );
        assert_eq!(bad.bad, ["step", "layer", "head"]);
        assert_eq!(
            link_problem(&bad.bad).as_deref(),
            Some("This link's step and layer and head could not be used, so the default is shown instead.")
        );
        assert_eq!(link_problem(&[]), None);
        // Unknown parts are shown as they are; every known one has a Chinese name.
        assert!(link_problem(&["zoom"]).is_some_and(|p| p.contains("zoom")));
        for part in crate::route::NAMED_PARTS {
            assert_ne!(link_part_name(part), "", "{part}");
            for lang in ["en", "zh-CN"] {
                let key = format!("link.part.{part}");
                assert_ne!(rust_i18n::t!(&key, locale = lang), key, "{lang}: {key}");
            }
        }

        let long = WalkthroughLink {
            text: Some("a".repeat(MAX_LINK_TEXT + 1)),
            ..link
        };
        assert_eq!(long.write().get("text"), None);
    }
}
