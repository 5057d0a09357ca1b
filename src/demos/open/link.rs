//! What a "your own model" link holds: `#/open?text=…&layer=2&head=3&view=head`, the text, the
//! layer and head (1-based, as the page shows them) and the tab. The model itself cannot travel
//! in a link (it is the user's files), so a link opened without it asks for the files and says
//! why; once they are opened, the layer and head are checked against the model.

use crate::route::{write_text_and_step, Demo, Route, MAX_LINK_TEXT};

/// The view's tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    /// Every layer × head as a small map, and the statistics table
    #[default]
    Model,
    /// One head (or a layer's heads) as lines between tokens, and its matrix
    Head,
}

impl Tab {
    pub fn id(self) -> &'static str {
        match self {
            Tab::Model => "model",
            Tab::Head => "head",
        }
    }
}

/// The parts of a link, 0-based where the link is 1-based.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpenLink {
    pub text: Option<String>,
    pub layer: Option<usize>,
    pub head: Option<usize>,
    pub tab: Tab,
    /// Parameter names whose values could not be used (see [`crate::route::link_problem`]).
    pub bad: Vec<&'static str>,
}

/// More layers or heads than any model could have: refused before a model is known.
const MAX_LINK_INDEX: usize = 1024;

impl OpenLink {
    pub fn read(route: &Route) -> Self {
        let mut bad = Vec::new();
        let text = route
            .get("text")
            .map(|t| t.chars().take(MAX_LINK_TEXT).collect::<String>())
            .filter(|t| !t.trim().is_empty());
        let layer = route.one_based("layer", MAX_LINK_INDEX, &mut bad);
        let head = route.one_based("head", MAX_LINK_INDEX, &mut bad);
        let tab = match route.get("view") {
            None | Some("model") => Tab::Model,
            Some("head") => Tab::Head,
            Some(_) => {
                bad.push("view");
                Tab::Model
            }
        };
        OpenLink {
            text,
            layer,
            head,
            tab,
            bad,
        }
    }

    /// Whether the link asks for more than the empty view (and so needs the model's files).
    pub fn asks_for_something(&self) -> bool {
        self.text.is_some() || self.layer.is_some() || self.head.is_some() || self.tab != Tab::Model
    }

    /// Drops (and names in `bad`) a layer or head the opened model does not have.
    pub fn fit(&mut self, n_layers: usize, n_heads: usize) {
        if self.layer.is_some_and(|l| l >= n_layers) {
            self.layer = None;
            self.bad.push("layer");
        }
        if self.head.is_some_and(|h| h >= n_heads) {
            self.head = None;
            self.bad.push("head");
        }
    }

    /// The hash for this view (the text left out when longer than [`MAX_LINK_TEXT`]).
    pub fn write(&self) -> Route {
        let mut route = Route::of(Demo::Open);
        write_text_and_step(&mut route, &self.text, None);
        route.set("layer", self.layer.map(|l| (l + 1).to_string()));
        route.set("head", self.head.map(|h| (h + 1).to_string()));
        route.set(
            "view",
            (self.tab != Tab::Model).then(|| self.tab.id().to_owned()),
        );
        route
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(hash: &str) -> OpenLink {
        OpenLink::read(&Route::parse(hash))
    }

    #[test]
    fn round_trip() {
        let link = OpenLink {
            text: Some("Attention & <b>you</b>?".into()),
            layer: Some(1),
            head: Some(3),
            tab: Tab::Head,
            bad: Vec::new(),
        };
        let hash = link.write().to_string();
        assert!(hash.starts_with("#/open?text="), "{hash}");
        assert!(hash.ends_with("&layer=2&head=4&view=head"), "{hash}");
        assert_eq!(read(&hash), link);
        assert!(link.asks_for_something());
        let plain = read("#/open");
        assert_eq!(plain, OpenLink::default());
        assert!(!plain.asks_for_something());
        assert_eq!(plain.write().to_string(), "#/open");
    }

    #[test]
    fn unusable_values_fall_back_and_are_named() {
        let link = read("#/open?text=%20&layer=0&head=x&view=steps");
        assert_eq!(
            (link.text, link.layer, link.head, link.tab),
            (None, None, None, Tab::Model)
        );
        assert_eq!(link.bad, ["layer", "head", "view"]);
        let mut link = read("#/open?text=Hi&layer=3&head=5");
        assert!(link.bad.is_empty());
        link.fit(2, 4);
        assert_eq!((link.layer, link.head), (None, None));
        assert_eq!(link.bad, ["layer", "head"]);
        let mut fine = read("#/open?text=Hi&layer=2&head=4");
        fine.fit(2, 4);
        assert_eq!((fine.layer, fine.head), (Some(1), Some(3)));
        assert!(fine.bad.is_empty());
        let long = OpenLink {
            text: Some("a".repeat(MAX_LINK_TEXT + 1)),
            ..OpenLink::default()
        };
        assert_eq!(long.write().to_string(), "#/open");
    }
}
