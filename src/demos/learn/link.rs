//! The Learn view's permalink: `#/learn?lesson=dot&text=…` opens one lesson on a sentence;
//! `#/learn?sheet=dot.score,softmax.weight&text=…` is a teacher's worksheet of chosen exercises.

use super::exercise::Kind;
use super::Lesson;
use crate::route::{Demo, Route, MAX_LINK_TEXT};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnLink {
    pub lesson: Lesson,
    pub text: Option<String>,
    /// A worksheet: these exercises, in this order, on one page
    pub sheet: Option<Vec<Kind>>,
    /// The parameters that could not be used
    pub bad: Vec<&'static str>,
}

impl LearnLink {
    pub fn read(route: &Route) -> Self {
        let mut bad = Vec::new();
        let lesson = match route.get("lesson") {
            None => Lesson::Tokens,
            Some(id) => Lesson::from_id(id).unwrap_or_else(|| {
                bad.push("lesson");
                Lesson::Tokens
            }),
        };
        let text = route
            .get("text")
            .map(|t| t.chars().take(MAX_LINK_TEXT).collect());
        let sheet = route.get("sheet").map(|ids| {
            let mut kinds = Vec::new();
            for id in ids.split(',').filter(|s| !s.is_empty()) {
                match Kind::from_id(id) {
                    Some(k) if !kinds.contains(&k) => kinds.push(k),
                    Some(_) => {}
                    None => {
                        if !bad.contains(&"sheet") {
                            bad.push("sheet");
                        }
                    }
                }
            }
            kinds
        });
        // A worksheet of nothing usable is no worksheet
        let sheet = sheet.filter(|k| !k.is_empty());
        LearnLink {
            lesson,
            text,
            sheet,
            bad,
        }
    }

    pub fn write(&self) -> Route {
        let mut route = Route::of(Demo::Learn);
        if let Some(sheet) = &self.sheet {
            let ids: Vec<&str> = sheet.iter().map(|k| k.id()).collect();
            route.set("sheet", Some(ids.join(",")));
        } else {
            route.set("lesson", Some(self.lesson.id().to_owned()));
        }
        let text = self
            .text
            .clone()
            .filter(|t| t.chars().count() <= MAX_LINK_TEXT);
        route.set("text", text);
        route
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::link_problem;

    #[test]
    fn lesson_links_and_worksheets_round_trip() {
        let lesson = LearnLink {
            lesson: Lesson::Softmax,
            text: Some("Le chat & le chien 🙂".into()),
            sheet: None,
            bad: Vec::new(),
        };
        let hash = lesson.write().to_string();
        assert!(hash.starts_with("#/learn?lesson=softmax&text="), "{hash}");
        assert_eq!(LearnLink::read(&Route::parse(&hash)), lesson);

        let sheet = LearnLink {
            lesson: Lesson::Tokens,
            text: Some("It was tired.".into()),
            sheet: Some(vec![Kind::Softmax, Kind::Dot, Kind::CostFixed]),
            bad: Vec::new(),
        };
        let hash = sheet.write().to_string();
        assert!(
            hash.contains("sheet=softmax.weight%2Cdot.score%2Ccost.fixed")
                || hash.contains("sheet=softmax.weight,dot.score,cost.fixed"),
            "{hash}"
        );
        assert_eq!(LearnLink::read(&Route::parse(&hash)), sheet);
    }

    #[test]
    fn damaged_links_fall_back_and_say_what_was_dropped() {
        let link = LearnLink::read(&Route::parse(
            "#/learn?lesson=nope&sheet=dot.score,zzz,dot.score",
        ));
        assert_eq!(link.lesson, Lesson::Tokens);
        assert_eq!(link.sheet, Some(vec![Kind::Dot]));
        assert_eq!(link.bad, vec!["lesson", "sheet"]);
        assert!(link_problem(&link.bad).is_some());
        let empty = LearnLink::read(&Route::parse("#/learn?sheet=,,"));
        assert_eq!(empty.sheet, None);
        assert!(empty.bad.is_empty());
        let none = LearnLink::read(&Route::parse("#/learn"));
        assert_eq!(
            (none.lesson, none.text, none.sheet),
            (Lesson::Tokens, None, None)
        );
    }
}
