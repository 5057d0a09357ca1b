//! The recommendation demo's pure logic: the movie catalogue and title search, the viewing
//! history and its edits, the model's input window, top-k without what was already watched, the
//! popularity fallback, and attention matrices cut to the real history.
//!
//! No yew, no tract: everything here is tested natively. The model itself (a SASRec-style
//! sequential recommender on MovieLens-100k) is described in `models/README.md`.

#[cfg(target_arch = "wasm32")]
pub mod view;

pub mod explain;

use rust_i18n::t;
use serde::Deserialize;

use crate::maths::Matrix;
use crate::protocol::InputSpec;

/// How many recommendations the page shows.
pub const TOP_K: usize = 10;
/// How many search results the page lists.
pub const SEARCH_LIMIT: usize = 8;
/// The longest history the page keeps (the model reads only its last `window` items).
pub const MAX_HISTORY: usize = 500;
/// The model's name in exported files.
pub const MODEL_NAME: &str = "SASRec-style recommender (MovieLens-100k)";
/// The graph's input and output names (see models/README.md).
pub const INPUT_ITEMS: &str = "item_ids";
pub const INPUT_POSITION: &str = "position";
pub const OUTPUT_SCORES: &str = "scores";

/// The graph's inputs for a model window of `window` items: the padded history and the slot
/// whose next item is scored.
pub fn input_specs(window: usize) -> Vec<InputSpec> {
    vec![
        InputSpec::i64(INPUT_ITEMS, &["batch", &window.to_string()]),
        InputSpec::i64(INPUT_POSITION, &["batch"]),
    ]
}

/// The output holding layer `l`'s attention weights, `(batch, heads, window, window)`.
pub fn weights_output(layer: usize) -> String {
    format!("layer{layer}.weights")
}

// --------------------------------------------------------------------------- manifest

/// A real MovieLens user's most recent items (ids only), shipped as a starting point.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ExampleHistory {
    pub user: u32,
    pub history: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RankMetrics {
    #[serde(rename = "HR@10")]
    pub hr_at_10: f64,
    #[serde(rename = "NDCG@10")]
    pub ndcg_at_10: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TestMetrics {
    pub sasrec: RankMetrics,
    pub popularity: RankMetrics,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Metrics {
    pub test: TestMetrics,
}

/// `models/recommend/manifest.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecManifest {
    pub onnx: String,
    pub items: String,
    pub onnx_bytes: u64,
    /// sha256 of the files, to version their URLs (`model.onnx?v=…`).
    #[serde(default)]
    pub onnx_sha256: String,
    #[serde(default)]
    pub items_sha256: String,
    pub window: usize,
    pub n_ids: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    /// Model width; `d_model / n_heads` is each head's d_k (for the what-if panel).
    #[serde(default)]
    pub d_model: usize,
    pub metrics: Metrics,
    /// Every item id, most interacted-with first (training part of the data).
    pub popularity: Vec<u32>,
    pub examples: Vec<ExampleHistory>,
}

impl RecManifest {
    pub fn parse(json: &str) -> Result<Self, String> {
        let m: RecManifest = serde_json::from_str(json)
            .map_err(|e| t!("recommend.err.manifest_invalid", error = e).into_owned())?;
        if m.window == 0 || m.n_layers == 0 || m.n_heads == 0 || m.n_ids < 2 {
            return Err(t!("recommend.err.manifest_empty").into_owned());
        }
        Ok(m)
    }

    /// The outputs the page needs from the graph, in the order it asks for them: the scores,
    /// then every layer's attention weights.
    pub fn outputs(&self) -> Vec<String> {
        std::iter::once(OUTPUT_SCORES.to_owned())
            .chain((0..self.n_layers).map(weights_output))
            .collect()
    }
}

// --------------------------------------------------------------------------- catalogue

/// One movie of the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct Movie {
    /// MovieLens item id (1-based; 0 is the model's padding).
    pub id: u32,
    /// The title as MovieLens writes it, e.g. `Usual Suspects, The`.
    pub title: String,
    pub year: Option<u16>,
    pub genres: Vec<String>,
    /// The title with a trailing article moved to the front: `The Usual Suspects`.
    pub display: String,
    /// Folded words of both titles and the year, for search.
    words: Vec<String>,
    folded_display: String,
    folded_title: String,
}

impl Movie {
    pub fn new(id: u32, title: &str, year: Option<u16>, genres: Vec<String>) -> Self {
        let display = display_title(title);
        let folded_display = fold(&display);
        let folded_title = fold(title);
        let mut words: Vec<String> = folded_display
            .split(' ')
            .chain(folded_title.split(' '))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(y) = year {
            words.push(y.to_string());
        }
        words.sort();
        words.dedup();
        Self {
            id,
            title: title.to_owned(),
            year,
            genres,
            display,
            words,
            folded_display,
            folded_title,
        }
    }

    /// `The Usual Suspects (1995)`.
    pub fn label(&self) -> String {
        match self.year {
            Some(y) => format!("{} ({y})", self.display),
            None => self.display.clone(),
        }
    }

    /// `Crime · Thriller`, the genre names in the current language.
    pub fn genre_text(&self) -> String {
        self.genres
            .iter()
            .map(|g| genre_name(g))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// A MovieLens genre's name in the current language (the 19 genres of MovieLens-100k; any
/// other name is shown as it is).
pub fn genre_name(genre: &str) -> String {
    let name = match genre {
        "unknown" => t!("recommend.genre.unknown"),
        "Action" => t!("recommend.genre.action"),
        "Adventure" => t!("recommend.genre.adventure"),
        "Animation" => t!("recommend.genre.animation"),
        "Children's" => t!("recommend.genre.children"),
        "Comedy" => t!("recommend.genre.comedy"),
        "Crime" => t!("recommend.genre.crime"),
        "Documentary" => t!("recommend.genre.documentary"),
        "Drama" => t!("recommend.genre.drama"),
        "Fantasy" => t!("recommend.genre.fantasy"),
        "Film-Noir" => t!("recommend.genre.film_noir"),
        "Horror" => t!("recommend.genre.horror"),
        "Musical" => t!("recommend.genre.musical"),
        "Mystery" => t!("recommend.genre.mystery"),
        "Romance" => t!("recommend.genre.romance"),
        "Sci-Fi" => t!("recommend.genre.sci_fi"),
        "Thriller" => t!("recommend.genre.thriller"),
        "War" => t!("recommend.genre.war"),
        "Western" => t!("recommend.genre.western"),
        other => return other.to_owned(),
    };
    name.into_owned()
}

#[derive(Deserialize)]
struct ItemsFile {
    items: Vec<(u32, String, Option<u16>, Vec<String>)>,
}

/// Every movie the model knows, by id.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalogue {
    /// `movies[i]` has id `i + 1`.
    movies: Vec<Movie>,
    /// `rank[i]`: popularity rank of id `i + 1` (0 = most popular); `usize::MAX` when unknown.
    rank: Vec<usize>,
}

impl Catalogue {
    /// Reads `items.json` (`{"items": [[id, title, year, [genres…]], …]}`, ids 1..=n in order).
    pub fn from_json(json: &str) -> Result<Self, String> {
        let file: ItemsFile = serde_json::from_str(json)
            .map_err(|e| t!("recommend.err.items_invalid", error = e).into_owned())?;
        let mut movies = Vec::with_capacity(file.items.len());
        for (i, (id, title, year, genres)) in file.items.into_iter().enumerate() {
            if id as usize != i + 1 {
                return Err(t!("recommend.err.items_id", entry = i + 1, id = id).into_owned());
            }
            movies.push(Movie::new(id, &title, year, genres));
        }
        if movies.is_empty() {
            return Err(t!("recommend.err.items_empty").into_owned());
        }
        let rank = vec![usize::MAX; movies.len()];
        Ok(Self { movies, rank })
    }

    /// Uses `ranking` (ids, most popular first) to order search results.
    pub fn with_popularity(mut self, ranking: &[u32]) -> Self {
        for (r, &id) in ranking.iter().enumerate() {
            if let Some(slot) = (id as usize)
                .checked_sub(1)
                .and_then(|i| self.rank.get_mut(i))
            {
                *slot = (*slot).min(r);
            }
        }
        self
    }

    pub fn len(&self) -> usize {
        self.movies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.movies.is_empty()
    }

    pub fn get(&self, id: u32) -> Option<&Movie> {
        (id as usize)
            .checked_sub(1)
            .and_then(|i| self.movies.get(i))
    }

    pub fn contains(&self, id: u32) -> bool {
        self.get(id).is_some()
    }

    /// Movies matching `query`, best first, at most `limit`. Matching ignores case, accents
    /// and punctuation; every query word must start a word of the title (either form) or the
    /// year. Exact titles come first, then titles starting with the query, then the rest;
    /// within each, more popular movies first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Movie> {
        let q = fold(query);
        let tokens: Vec<&str> = q.split(' ').filter(|t| !t.is_empty()).collect();
        if tokens.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, usize, &Movie)> = self
            .movies
            .iter()
            .filter(|m| {
                tokens
                    .iter()
                    .all(|t| m.words.iter().any(|w| w.starts_with(t)))
            })
            .map(|m| {
                let year = m.year.map(|y| y.to_string()).unwrap_or_default();
                let tier = if m.folded_display == q
                    || m.folded_title == q
                    || format!("{} {year}", m.folded_display) == q
                {
                    0
                } else if m.folded_display.starts_with(&q) || m.folded_title.starts_with(&q) {
                    1
                } else {
                    2
                };
                let rank = self
                    .rank
                    .get(m.id as usize - 1)
                    .copied()
                    .unwrap_or(usize::MAX);
                (tier, rank, m)
            })
            .collect();
        hits.sort_by_key(|&(tier, rank, m)| (tier, rank, m.id));
        hits.into_iter().take(limit).map(|(_, _, m)| m).collect()
    }
}

/// At most `max` characters of `s`, with `…` when something was cut.
pub fn shorten(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}

/// Moves a trailing article to the front, as MovieLens writes titles the library way:
/// `Usual Suspects, The` → `The Usual Suspects`; `Postino, Il` → `Il Postino`;
/// `Blue Angel, The (Blaue Engel, Der)` → `The Blue Angel (Blaue Engel, Der)`.
pub fn display_title(title: &str) -> String {
    const ARTICLES: [&str; 13] = [
        "The", "A", "An", "La", "Le", "Les", "L'", "Il", "Das", "Der", "Die", "Det", "El",
    ];
    let (main, rest) = match title.find(" (") {
        Some(i) => title.split_at(i),
        None => (title, ""),
    };
    for article in ARTICLES {
        if let Some(head) = main
            .strip_suffix(article)
            .and_then(|h| h.strip_suffix(", "))
        {
            if head.is_empty() {
                break;
            }
            let sep = if article.ends_with('\'') { "" } else { " " };
            return format!("{article}{sep}{head}{rest}");
        }
    }
    title.to_owned()
}

/// Text for matching: lower case, Latin accents removed (é → e, ß → ss, Æ → ae), apostrophes
/// dropped (`Schindler's` → `schindlers`), every other non-alphanumeric character a single
/// space, no leading or trailing space.
///
/// Written out rather than taken from a Unicode-normalisation crate: the catalogue's titles use
/// only Latin letters, and the decomposition tables would add to the page's download.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if matches!(c, '\'' | '’' | '‘' | 'ʼ' | '`') || ('\u{300}'..='\u{36f}').contains(&c) {
            continue; // apostrophes and combining accents vanish
        }
        let lower: String = match fold_latin(c) {
            Some(base) => base.to_owned(),
            None => c.to_lowercase().collect(),
        };
        for l in lower.chars() {
            if l.is_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(l);
            } else {
                pending_space = true;
            }
        }
    }
    out
}

/// The unaccented lower-case form of a Latin-1 or Latin Extended-A letter.
fn fold_latin(c: char) -> Option<&'static str> {
    let s = match c {
        'À'..='Å' | 'à'..='å' => "a",
        'Æ' | 'æ' => "ae",
        'Ç' | 'ç' => "c",
        'È'..='Ë' | 'è'..='ë' => "e",
        'Ì'..='Ï' | 'ì'..='ï' => "i",
        'Ð' | 'ð' => "d",
        'Ñ' | 'ñ' => "n",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' => "o",
        'Ù'..='Ü' | 'ù'..='ü' => "u",
        'Ý' | 'ý' | 'ÿ' => "y",
        'Þ' | 'þ' => "th",
        'ß' => "ss",
        '\u{100}'..='\u{105}' => "a",
        '\u{106}'..='\u{10d}' => "c",
        '\u{10e}'..='\u{111}' => "d",
        '\u{112}'..='\u{11b}' => "e",
        '\u{11c}'..='\u{123}' => "g",
        '\u{124}'..='\u{127}' => "h",
        '\u{128}'..='\u{131}' => "i",
        '\u{132}'..='\u{133}' => "ij",
        '\u{134}'..='\u{135}' => "j",
        '\u{136}'..='\u{138}' => "k",
        '\u{139}'..='\u{142}' => "l",
        '\u{143}'..='\u{14b}' => "n",
        '\u{14c}'..='\u{151}' => "o",
        '\u{152}'..='\u{153}' => "oe",
        '\u{154}'..='\u{159}' => "r",
        '\u{15a}'..='\u{161}' | '\u{17f}' => "s",
        '\u{162}'..='\u{167}' => "t",
        '\u{168}'..='\u{173}' => "u",
        '\u{174}'..='\u{175}' => "w",
        '\u{176}'..='\u{178}' => "y",
        '\u{179}'..='\u{17e}' => "z",
        _ => return None,
    };
    Some(s)
}

// --------------------------------------------------------------------------- history

/// One change to the viewing history (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Append a movie as the most recent one.
    Add(u32),
    Remove(usize),
    /// Swap with the previous (older) item.
    MoveUp(usize),
    /// Swap with the next (more recent) item.
    MoveDown(usize),
    Clear,
    Replace(Vec<u32>),
}

/// Why an edit was refused, in words for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The movie's label and its (1-based) place in the history.
    Duplicate(String, usize),
    UnknownId(u32),
    /// The most a history holds.
    Full(usize),
    /// 1-based
    NoSuchItem(usize),
}

impl std::fmt::Display for EditError {
    /// The sentence for the page, in the current language.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            EditError::Duplicate(title, item) => {
                t!("recommend.err.duplicate", title = title, item = item)
            }
            EditError::UnknownId(id) => t!("recommend.err.unknown_id", id = id),
            EditError::Full(n) => t!("recommend.err.full", n = n),
            EditError::NoSuchItem(item) => t!("recommend.err.no_item", item = item),
        };
        f.write_str(&text)
    }
}

impl std::error::Error for EditError {}

/// Applies `edit` to `history`; a refused edit leaves it unchanged. Moves at either end are
/// no-ops. `Replace` drops unknown ids and repeats and keeps at most [`MAX_HISTORY`] of the
/// most recent items (use [`parse_history_param`] to learn what was dropped).
pub fn apply_edit(
    history: &mut Vec<u32>,
    edit: Edit,
    catalogue: &Catalogue,
) -> Result<(), EditError> {
    match edit {
        Edit::Add(id) => {
            let movie = catalogue.get(id).ok_or(EditError::UnknownId(id))?;
            if let Some(at) = history.iter().position(|&h| h == id) {
                return Err(EditError::Duplicate(movie.label(), at + 1));
            }
            if history.len() >= MAX_HISTORY {
                return Err(EditError::Full(MAX_HISTORY));
            }
            history.push(id);
        }
        Edit::Remove(i) => {
            if i >= history.len() {
                return Err(EditError::NoSuchItem(i + 1));
            }
            history.remove(i);
        }
        Edit::MoveUp(i) => {
            if i >= history.len() {
                return Err(EditError::NoSuchItem(i + 1));
            }
            if i > 0 {
                history.swap(i - 1, i);
            }
        }
        Edit::MoveDown(i) => {
            if i >= history.len() {
                return Err(EditError::NoSuchItem(i + 1));
            }
            if i + 1 < history.len() {
                history.swap(i, i + 1);
            }
        }
        Edit::Clear => history.clear(),
        Edit::Replace(ids) => *history = clean_history(&ids, catalogue).0,
    }
    Ok(())
}

/// Keeps known ids, first occurrence only, at most the [`MAX_HISTORY`] most recent.
/// Returns the kept ids and how many were dropped.
fn clean_history(ids: &[u32], catalogue: &Catalogue) -> (Vec<u32>, usize) {
    let mut kept: Vec<u32> = Vec::with_capacity(ids.len().min(MAX_HISTORY));
    for &id in ids {
        if catalogue.contains(id) && !kept.contains(&id) {
            kept.push(id);
        }
    }
    let mut dropped = ids.len() - kept.len();
    if kept.len() > MAX_HISTORY {
        dropped += kept.len() - MAX_HISTORY;
        kept.drain(..kept.len() - MAX_HISTORY);
    }
    (kept, dropped)
}

/// Separator of the ids in the `h` link parameter (unreserved in URLs, so it stays readable).
pub const HISTORY_SEPARATOR: char = '-';

/// Writes a history as the `h` link parameter: `50-181-1`.
pub fn history_param(history: &[u32]) -> String {
    history
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(&HISTORY_SEPARATOR.to_string())
}

/// What [`parse_history_param`] left out of a link's history; its `Display` is the sentence
/// for the page, in the current language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryNote {
    /// Entries left out.
    pub dropped: usize,
    /// Entries in the link.
    pub total: usize,
}

impl std::fmt::Display for HistoryNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (dropped, total, max) = (self.dropped, self.total, MAX_HISTORY);
        let text = if dropped == 1 {
            t!("recommend.link_dropped_one", total = total, max = max)
        } else {
            t!(
                "recommend.link_dropped",
                n = dropped,
                total = total,
                max = max
            )
        };
        f.write_str(&text)
    }
}

/// Reads the `h` link parameter. Returns the usable history and, if anything was left out
/// (not a number, not a movie, a repeat, beyond [`MAX_HISTORY`]), what and how much.
pub fn parse_history_param(param: &str, catalogue: &Catalogue) -> (Vec<u32>, Option<HistoryNote>) {
    let parts: Vec<&str> = param
        .split(HISTORY_SEPARATOR)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    // Ids that do not parse become 0, which is never a movie.
    let ids: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
    let (kept, dropped) = clean_history(&ids, catalogue);
    let note = (dropped > 0).then_some(HistoryNote {
        dropped,
        total: parts.len(),
    });
    (kept, note)
}

// --------------------------------------------------------------------------- model input

/// The model's view of a history: the last `window` items, left-padded with 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInput {
    /// `(window,)`: padding (0) first, then the kept items, oldest first.
    pub item_ids: Vec<i64>,
    /// How many of the oldest history items did not fit in the window.
    pub dropped: usize,
    /// How many history items are in the window.
    pub kept: usize,
}

impl ModelInput {
    pub fn new(history: &[u32], window: usize) -> Self {
        let kept = history.len().min(window);
        let dropped = history.len() - kept;
        let mut item_ids = vec![0i64; window - kept];
        item_ids.extend(history[dropped..].iter().map(|&id| i64::from(id)));
        Self {
            item_ids,
            dropped,
            kept,
        }
    }

    pub fn window(&self) -> usize {
        self.item_ids.len()
    }

    /// The window slot of history item `index` (0 = oldest of the whole history), if it is in
    /// the window.
    pub fn slot_of(&self, index: usize) -> Option<usize> {
        (index >= self.dropped && index < self.dropped + self.kept)
            .then(|| self.window() - self.kept + (index - self.dropped))
    }

    /// The history index of window slot `slot`, if that slot holds an item (not padding).
    pub fn index_of(&self, slot: usize) -> Option<usize> {
        let first = self.window() - self.kept;
        (slot >= first && slot < self.window()).then(|| self.dropped + slot - first)
    }
}

// --------------------------------------------------------------------------- ranking

/// The `k` highest-scoring ids (index = id), best first, never id 0 (padding) or an id in
/// `exclude`. Ties go to the smaller id; NaN scores rank last.
pub fn top_k_excluding(scores: &[f32], exclude: &[u32], k: usize) -> Vec<(u32, f32)> {
    let mut candidates: Vec<(u32, f32)> = scores
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(i, &s)| u32::try_from(i).ok().map(|id| (id, s)))
        .filter(|(id, _)| !exclude.contains(id))
        .collect();
    let key = |a: &(u32, f32), b: &(u32, f32)| {
        let (sa, sb) = (
            if a.1.is_nan() { f32::NEG_INFINITY } else { a.1 },
            if b.1.is_nan() { f32::NEG_INFINITY } else { b.1 },
        );
        sb.total_cmp(&sa).then(a.0.cmp(&b.0))
    };
    if k < candidates.len() {
        candidates.select_nth_unstable_by(k, key);
        candidates.truncate(k);
    }
    candidates.sort_by(key);
    candidates
}

/// The labelled fallback for an empty history: the `k` most popular ids not in `exclude`.
pub fn popular_excluding(ranking: &[u32], exclude: &[u32], k: usize) -> Vec<u32> {
    ranking
        .iter()
        .copied()
        .filter(|id| *id != 0 && !exclude.contains(id))
        .take(k)
        .collect()
}

// --------------------------------------------------------------------------- attention

/// Which head's weights to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadChoice {
    Head(usize),
    /// The arithmetic mean over heads.
    Average,
}

/// One layer's attention weights `(1, heads, window, window)` cut to the `kept` real history
/// slots: a `(kept, kept)` matrix, rows = query (the position predicting what comes next),
/// columns = key (the history item looked at). Entries above the diagonal are exactly 0 (causal
/// mask).
pub fn history_attention(
    weights: &[f32],
    shape: &[usize],
    kept: usize,
    head: HeadChoice,
) -> Result<Matrix, String> {
    let &[batch, heads, window, window2] = shape else {
        return Err(t!("recommend.err.weights_dims", shape = format!("{shape:?}")).into_owned());
    };
    if batch < 1 || window != window2 || weights.len() != batch * heads * window * window {
        return Err(t!(
            "recommend.err.weights_values",
            shape = format!("{shape:?}"),
            n = weights.len()
        )
        .into_owned());
    }
    if kept > window {
        return Err(t!("recommend.err.window", kept = kept, window = window).into_owned());
    }
    let chosen: Vec<usize> = match head {
        HeadChoice::Head(h) if h < heads => vec![h],
        HeadChoice::Head(h) => {
            return Err(t!("recommend.err.no_head", head = h + 1, heads = heads).into_owned())
        }
        HeadChoice::Average => (0..heads).collect(),
    };
    let first = window - kept;
    let at = |h: usize, i: usize, j: usize| weights[(h * window + i) * window + j];
    Ok(Matrix::from_fn(kept, kept, |i, j| {
        let sum: f32 = chosen.iter().map(|&h| at(h, first + i, first + j)).sum();
        sum / chosen.len() as f32
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        let json = r#"{"items": [
            [1, "Toy Story", 1995, ["Animation", "Children's", "Comedy"]],
            [2, "Usual Suspects, The", 1995, ["Crime", "Thriller"]],
            [3, "Misérables, Les", 1995, ["Drama", "War"]],
            [4, "Star Wars", 1977, ["Action", "Adventure", "Romance", "Sci-Fi", "War"]],
            [5, "Schindler's List", 1993, ["Drama", "War"]],
            [6, "Chasing Amy", 1997, ["Drama", "Romance"]],
            [7, "Chasing Amy", 1997, ["Drama", "Romance"]],
            [8, "unknown", null, ["unknown"]],
            [9, "Blue Angel, The (Blaue Engel, Der)", 1930, ["Drama"]],
            [10, "Toy Story", 1999, ["Animation"]]
        ]}"#;
        Catalogue::from_json(json)
            .expect("valid")
            .with_popularity(&[4, 1, 7, 2, 5, 3, 6, 9, 8, 10])
    }

    fn ids(movies: Vec<&Movie>) -> Vec<u32> {
        movies.iter().map(|m| m.id).collect()
    }

    #[test]
    fn folding_ignores_case_accents_and_punctuation() {
        assert_eq!(fold("Misérables, Les"), "miserables les");
        assert_eq!(fold("  ÉCOLE—Straße  "), "ecole strasse");
        assert_eq!(fold("Schindler’s List"), "schindlers list");
        assert_eq!(
            fold("Á köldum klaka (Cold Fever)"),
            "a koldum klaka cold fever"
        );
        assert_eq!(fold("Se7en!!"), "se7en");
        // combining accents typed separately vanish too
        assert_eq!(fold("Mise\u{301}rables"), "miserables");
        assert_eq!(fold("🙂 <b>"), "b");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn trailing_articles_move_to_the_front() {
        assert_eq!(display_title("Usual Suspects, The"), "The Usual Suspects");
        assert_eq!(display_title("Postino, Il"), "Il Postino");
        assert_eq!(
            display_title("Blue Angel, The (Blaue Engel, Der)"),
            "The Blue Angel (Blaue Engel, Der)"
        );
        assert_eq!(display_title("Homme, L'"), "L'Homme");
        assert_eq!(display_title("Toy Story"), "Toy Story");
        assert_eq!(display_title(", The"), ", The");
        assert_eq!(display_title("Paris, Texas"), "Paris, Texas");
    }

    #[test]
    fn search_matches_both_title_forms_and_the_year() {
        let c = catalogue();
        assert_eq!(ids(c.search("the usual", 8)), vec![2]);
        assert_eq!(ids(c.search("usual suspects the", 8)), vec![2]);
        assert_eq!(ids(c.search("MISERABLES", 8)), vec![3]);
        assert_eq!(ids(c.search("misérables", 8)), vec![3]);
        assert_eq!(ids(c.search("schindlers", 8)), vec![5]);
        assert_eq!(ids(c.search("schindler's", 8)), vec![5]);
        assert_eq!(ids(c.search("toy story 1999", 8)), vec![10]);
        assert_eq!(ids(c.search("1977", 8)), vec![4]);
        // word prefixes only: "ar" does not find "Star Wars"
        assert!(c.search("ar", 8).is_empty());
        assert!(c.search("zzz", 8).is_empty());
        assert!(c.search("  ", 8).is_empty());
        assert!(c.search("<script>", 8).is_empty());
    }

    #[test]
    fn search_ranks_exact_then_prefix_then_popularity() {
        let c = catalogue();
        // exact title first (tier 0), both Toy Story films; the more popular one first
        assert_eq!(ids(c.search("toy story", 8)), vec![1, 10]);
        // duplicates (two Chasing Amy ids) both found, popularity orders them
        assert_eq!(ids(c.search("chasing", 8)), vec![7, 6]);
        // prefix of a title beats a word in the middle
        assert_eq!(ids(c.search("s", 8)), vec![4, 5, 1, 2, 10]);
        assert_eq!(c.search("s", 2).len(), 2);
    }

    #[test]
    fn catalogue_rejects_bad_files() {
        assert!(Catalogue::from_json("").is_err());
        assert!(Catalogue::from_json(r#"{"items": []}"#).is_err());
        assert!(Catalogue::from_json(r#"{"items": [[2, "x", 1990, []]]}"#).is_err());
        assert!(Catalogue::from_json(r#"{"items": [[1, "x", "1990", []]]}"#).is_err());
        let c = catalogue();
        assert_eq!(c.get(0), None);
        assert_eq!(c.get(11), None);
        assert_eq!(c.get(8).map(Movie::label).as_deref(), Some("unknown"));
        assert_eq!(
            c.get(2).map(Movie::label).as_deref(),
            Some("The Usual Suspects (1995)")
        );
        assert_eq!(
            c.get(4).map(Movie::genre_text).as_deref(),
            Some("Action · Adventure · Romance · Sci-Fi · War")
        );
    }

    #[test]
    fn edits_keep_the_history_consistent() {
        let c = catalogue();
        let mut h = vec![];
        apply_edit(&mut h, Edit::Add(1), &c).expect("add");
        apply_edit(&mut h, Edit::Add(2), &c).expect("add");
        apply_edit(&mut h, Edit::Add(3), &c).expect("add");
        assert_eq!(
            apply_edit(&mut h, Edit::Add(2), &c),
            Err(EditError::Duplicate("The Usual Suspects (1995)".into(), 2))
        );
        assert_eq!(
            apply_edit(&mut h, Edit::Add(0), &c),
            Err(EditError::UnknownId(0))
        );
        assert_eq!(
            apply_edit(&mut h, Edit::Add(99), &c),
            Err(EditError::UnknownId(99))
        );
        assert_eq!(h, vec![1, 2, 3]);
        apply_edit(&mut h, Edit::MoveUp(2), &c).expect("up");
        assert_eq!(h, vec![1, 3, 2]);
        apply_edit(&mut h, Edit::MoveUp(0), &c).expect("no-op");
        apply_edit(&mut h, Edit::MoveDown(2), &c).expect("no-op");
        apply_edit(&mut h, Edit::MoveDown(0), &c).expect("down");
        assert_eq!(h, vec![3, 1, 2]);
        assert_eq!(
            apply_edit(&mut h, Edit::Remove(3), &c),
            Err(EditError::NoSuchItem(4))
        );
        assert_eq!(
            apply_edit(&mut h, Edit::MoveUp(7), &c),
            Err(EditError::NoSuchItem(8))
        );
        apply_edit(&mut h, Edit::Remove(1), &c).expect("remove");
        assert_eq!(h, vec![3, 2]);
        apply_edit(&mut h, Edit::Replace(vec![5, 0, 5, 42, 4]), &c).expect("replace");
        assert_eq!(h, vec![5, 4]);
        apply_edit(&mut h, Edit::Clear, &c).expect("clear");
        assert!(h.is_empty());
    }

    #[test]
    fn history_is_capped() {
        let json = format!(
            r#"{{"items": [{}]}}"#,
            (1..=MAX_HISTORY + 5)
                .map(|i| format!(r#"[{i}, "Movie {i}", 2000, []]"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        let c = Catalogue::from_json(&json).expect("valid");
        let all: Vec<u32> = (1..=(MAX_HISTORY as u32 + 5)).collect();
        let (h, note) = parse_history_param(&history_param(&all), &c);
        assert_eq!(h.len(), MAX_HISTORY);
        assert_eq!(h[0], 6, "the most recent are kept");
        assert!(note.is_some_and(|n| n.to_string().contains("5 of the 505")));
        let mut h2 = h.clone();
        assert_eq!(
            apply_edit(&mut h2, Edit::Add(1), &c),
            Err(EditError::Full(MAX_HISTORY))
        );
    }

    #[test]
    fn link_parameter_round_trips_and_reports_junk() {
        let c = catalogue();
        assert_eq!(history_param(&[4, 1, 10]), "4-1-10");
        assert_eq!(parse_history_param("4-1-10", &c), (vec![4, 1, 10], None));
        assert_eq!(parse_history_param("", &c), (vec![], None));
        let (h, note) = parse_history_param("4-x-1-4--99-0-🙂", &c);
        assert_eq!(h, vec![4, 1]);
        let note = note.expect("a note").to_string();
        assert!(note.contains("5 of the 7"), "{note}");
        let (_, note) = parse_history_param("4-99", &c);
        let note = note.expect("a note");
        assert!(note
            .to_string()
            .contains("1 of the 2 entries in this link was"));
        let zh = t!(
            "recommend.link_dropped",
            n = 5,
            total = 7,
            max = MAX_HISTORY,
            locale = "zh-CN"
        );
        assert!(zh.contains("7 项中有 5 项"), "{zh}");
    }

    #[test]
    fn the_window_keeps_the_most_recent_items_left_padded() {
        let input = ModelInput::new(&[7, 8, 9], 5);
        assert_eq!(input.item_ids, vec![0, 0, 7, 8, 9]);
        assert_eq!((input.kept, input.dropped), (3, 0));
        assert_eq!(input.slot_of(0), Some(2));
        assert_eq!(input.slot_of(2), Some(4));
        assert_eq!(input.slot_of(3), None);
        assert_eq!(input.index_of(1), None);
        assert_eq!(input.index_of(3), Some(1));

        let long: Vec<u32> = (1..=8).collect();
        let input = ModelInput::new(&long, 5);
        assert_eq!(input.item_ids, vec![4, 5, 6, 7, 8]);
        assert_eq!((input.kept, input.dropped), (5, 3));
        assert_eq!(input.slot_of(2), None, "cut off");
        assert_eq!(input.slot_of(3), Some(0));
        assert_eq!(input.index_of(0), Some(3));
        assert_eq!(input.index_of(4), Some(7));
        assert_eq!(input.index_of(5), None);

        let empty = ModelInput::new(&[], 3);
        assert_eq!(empty.item_ids, vec![0, 0, 0]);
        assert_eq!(empty.kept, 0);
        let exact = ModelInput::new(&[1, 2, 3], 3);
        assert_eq!((exact.kept, exact.dropped), (3, 0));
    }

    #[test]
    fn top_k_skips_padding_history_and_nan_and_breaks_ties_by_id() {
        //             pad   1    2    3    4    5    6         7    8
        let scores = [9.0, 1.0, 5.0, 3.0, 5.0, 2.0, f32::NAN, 4.0, -1.0];
        assert_eq!(
            top_k_excluding(&scores, &[], 3),
            vec![(2, 5.0), (4, 5.0), (7, 4.0)]
        );
        assert_eq!(
            top_k_excluding(&scores, &[2, 7], 3),
            vec![(4, 5.0), (3, 3.0), (5, 2.0)]
        );
        let all = top_k_excluding(&scores, &[], 100);
        assert_eq!(all.len(), 8);
        assert_eq!(all.last().map(|p| p.0), Some(6), "NaN last");
        assert!(top_k_excluding(&[], &[], 10).is_empty());
        assert!(top_k_excluding(&[1.0], &[], 10).is_empty());
    }

    #[test]
    fn popularity_fallback_skips_history() {
        assert_eq!(popular_excluding(&[5, 0, 3, 9, 1], &[3], 3), vec![5, 9, 1]);
        assert_eq!(popular_excluding(&[5, 3], &[], 10), vec![5, 3]);
    }

    #[test]
    fn attention_is_cut_to_the_history_and_averaged_over_heads() {
        // (1, 2 heads, window 3, 3): head 0 = h0[i][j] = 10*i + j, head 1 = 100 + that.
        let weights: Vec<f32> = (0..2)
            .flat_map(|h| {
                (0..3).flat_map(move |i| (0..3).map(move |j| (100 * h + 10 * i + j) as f32))
            })
            .collect();
        let m = history_attention(&weights, &[1, 2, 3, 3], 2, HeadChoice::Head(1)).expect("ok");
        assert_eq!(m.data(), &[111.0, 112.0, 121.0, 122.0]);
        let m = history_attention(&weights, &[1, 2, 3, 3], 2, HeadChoice::Average).expect("ok");
        assert_eq!(m.data(), &[61.0, 62.0, 71.0, 72.0]);
        let m = history_attention(&weights, &[1, 2, 3, 3], 0, HeadChoice::Average).expect("ok");
        assert_eq!(m.shape(), (0, 0));
        assert!(history_attention(&weights, &[1, 2, 3, 3], 2, HeadChoice::Head(2)).is_err());
        assert!(history_attention(&weights, &[1, 2, 3, 3], 4, HeadChoice::Average).is_err());
        assert!(history_attention(&weights, &[1, 2, 3, 2], 2, HeadChoice::Average).is_err());
        assert!(history_attention(&weights[1..], &[1, 2, 3, 3], 2, HeadChoice::Average).is_err());
        assert!(history_attention(&weights, &[2, 3, 3], 2, HeadChoice::Average).is_err());
    }

    #[test]
    fn manifest_parses_and_rejects_nonsense() {
        let json = r#"{"onnx": "model.onnx", "items": "items.json", "onnx_bytes": 10, "window": 50,
            "n_ids": 11, "n_layers": 2, "n_heads": 2,
            "metrics": {"test": {"sasrec": {"HR@10": 0.2, "NDCG@10": 0.1},
                                 "popularity": {"HR@10": 0.05, "NDCG@10": 0.02}}},
            "popularity": [4, 1], "examples": [{"user": 1, "history": [1, 2]}], "extra": true}"#;
        let m = RecManifest::parse(json).expect("valid");
        assert_eq!(m.window, 50);
        assert_eq!(m.examples[0].history, vec![1, 2]);
        assert!(RecManifest::parse(&json.replace("\"window\": 50", "\"window\": 0")).is_err());
        assert!(RecManifest::parse("{}").is_err());
        assert!(RecManifest::parse("<html>").is_err());
        assert_eq!(
            m.outputs(),
            vec!["scores", "layer0.weights", "layer1.weights"]
        );
    }

    #[test]
    fn shorten_cuts_characters_not_bytes() {
        assert_eq!(shorten("Misérables", 4), "Misé…");
        assert_eq!(shorten("Amy", 3), "Amy");
        assert_eq!(shorten("", 3), "");
    }
}
