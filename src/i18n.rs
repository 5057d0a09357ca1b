//! The interface language: English or Simplified Chinese.
//!
//! Every sentence the page shows lives in `locales/*.yml` (one file per area, each key with its
//! `en` and `zh-CN` text side by side) and is looked up with [`rust_i18n::t!`] in the current
//! locale. The page sets that locale once at start-up (remembered choice, else the browser's
//! languages, else English) and again when the reader switches; components that show text call
//! `use_lang()` (in `ui`) so they re-render on a switch.
//!
//! Model output (tokens, translations, movie titles, series names) is never translated.

use std::fmt;

/// A language the interface is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The locale key in `locales/*.yml`, also the BCP 47 tag for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "中文",
        }
    }

    /// Reads a BCP 47 tag (`en-GB`, `zh`, `zh-Hans-CN`, `ZH_tw`…). Any Chinese tag gets the
    /// Simplified Chinese interface: it is the only Chinese one, and closer than English.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// The first of the reader's preferred languages that the interface has, else English.
    pub fn pick<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Lang {
        preferred
            .into_iter()
            .find_map(Lang::from_tag)
            .unwrap_or_default()
    }

    /// The language the lookups currently use.
    pub fn current() -> Lang {
        Lang::from_tag(&rust_i18n::locale()).unwrap_or_default()
    }

    /// Makes every later lookup use this language.
    pub fn activate(self) {
        rust_i18n::set_locale(self.code());
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn tags_map_to_languages() {
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("zh"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("zh-Hans-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("ZH_tw"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("fr-FR"), None);
        assert_eq!(Lang::from_tag(""), None);
        assert_eq!(Lang::pick(["fr", "zh-CN", "en"]), Lang::Zh);
        assert_eq!(Lang::pick(["de", "en-US"]), Lang::En);
        assert_eq!(Lang::pick([]), Lang::En);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.code()), Some(lang));
        }
    }

    fn catalogue(lang: Lang) -> BTreeMap<String, String> {
        crate::_rust_i18n_backend()
            .messages_for_locale(lang.code())
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// `%{name}` placeholders of a message.
    fn placeholders(message: &str) -> BTreeSet<&str> {
        message
            .split("%{")
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_message_exists_in_both_languages_with_the_same_placeholders() {
        let en = catalogue(Lang::En);
        let zh = catalogue(Lang::Zh);
        assert!(en.len() > 10, "the English catalogue is nearly empty");
        let only_en: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        let only_zh: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(only_en.is_empty(), "no Chinese text for {only_en:?}");
        assert!(only_zh.is_empty(), "no English text for {only_zh:?}");
        for (key, text) in &en {
            let other = &zh[key];
            assert!(
                !text.trim().is_empty() && !other.trim().is_empty(),
                "{key} is empty"
            );
            assert_eq!(
                placeholders(text),
                placeholders(other),
                "placeholders differ in {key}"
            );
        }
    }

    /// Every literal key given to `t!` in the sources names a message that exists: a mistyped
    /// key would otherwise show the key itself on the page.
    #[test]
    fn every_key_the_code_uses_exists() {
        let en = catalogue(Lang::En);
        let mut missing = Vec::new();
        let mut used = 0;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("src is readable") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("a source file");
                    for (at, _) in text.match_indices("t!(") {
                        // `t!(`, not the end of `format!(`, `print!(`… nor this test's own string.
                        let before = text[..at].chars().next_back();
                        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '"') {
                            continue;
                        }
                        // rustfmt may put the key on the next line.
                        let Some(rest) = text[at + 3..].trim_start().strip_prefix('"') else {
                            continue;
                        };
                        let Some((key, _)) = rest.split_once('"') else {
                            continue;
                        };
                        used += 1;
                        if !en.contains_key(key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(used > 0, "no t!(\"…\") call found");
        assert!(
            missing.is_empty(),
            "keys missing from locales/*.yml: {missing:#?}"
        );
    }
}
