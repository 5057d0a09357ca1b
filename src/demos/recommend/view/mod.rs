//! The recommendation demo: build a viewing history from MovieLens-100k titles, and see a
//! SASRec-style model's top-10 next movies and the attention it pays to each history item.
//!
//! The page keeps the history and sends the model's window (the most recent items, left-padded
//! with 0) to the worker; the worker runs the ONNX graph; ranking, windowing and the fallback
//! are the pure functions of [`crate::demos::recommend`].
mod history_list;
mod movie_search;
mod recommendation_list;

mod state;

use std::rc::Rc;

use rust_i18n::t;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;

use self::history_list::{Bar, HistoryList};
use self::movie_search::{MovieSearch, SearchNotice};
use self::recommendation_list::RecommendationList;
use self::state::{Action, Notice, RecResult, RecState, Status};
use crate::demos::recommend::{
    history_attention, popular_excluding, top_k_excluding, weights_output, Catalogue, Edit,
    HeadChoice, ModelInput, RecManifest, INPUT_ITEMS, INPUT_POSITION, OUTPUT_SCORES, TOP_K,
};
use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::protocol::{InputSpec, Tensor};
use crate::route::{link_problem, read_what_if, write_what_if, Demo, Route};
use crate::ui::components::heatmap::{ColorScale, Heatmap};
use crate::ui::components::{WhatIfPanel, WhatIfSource};
use crate::ui::fetch::{fetch_bytes_cached, fetch_text};
use crate::ui::permalink::use_permalink;
use crate::ui::worker_client::{infer, load_graph, GraphSource, Runner};
use crate::worker::AttentionWorker;

/// Where the model lives, relative to the page so the site works under a sub-path.
const MODEL_DIR: &str = "models/recommend/";
/// The worker's name for the graph.
const KEY: &str = "recommend";

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

fn specs(window: usize) -> Vec<InputSpec> {
    vec![
        InputSpec::i64(INPUT_ITEMS, &["batch", &window.to_string()]),
        InputSpec::i64(INPUT_POSITION, &["batch"]),
    ]
}

/// `file?v=<hash>`: a new file gets a new URL, so no cache serves an old copy.
fn versioned(file: &str, sha256: &str) -> String {
    let v: String = sha256.chars().take(12).collect();
    if v.is_empty() {
        format!("{MODEL_DIR}{file}")
    } else {
        format!("{MODEL_DIR}{file}?v={v}")
    }
}

async fn load_model(runner: Runner, dispatch: UseReducerDispatcher<RecState>) {
    let fail = |m: String| dispatch.dispatch(Action::LoadFailed(m));
    let manifest = match fetch_text(&format!("{MODEL_DIR}manifest.json"))
        .await
        .and_then(|t| RecManifest::parse(&t))
    {
        Ok(m) => Rc::new(m),
        Err(e) => return fail(e),
    };
    let items_url = versioned(&manifest.items, &manifest.items_sha256);
    let catalogue = match fetch_bytes_cached(&items_url, |_| ()).await.and_then(|b| {
        String::from_utf8(b)
            .map_err(|_| t!("recommend.err.not_text", url = items_url).into_owned())
            .and_then(|t| Catalogue::from_json(&t))
    }) {
        Ok(c) => Rc::new(c.with_popularity(&manifest.popularity)),
        Err(e) => return fail(e),
    };
    if catalogue.len() + 1 != manifest.n_ids {
        return fail(
            t!(
                "recommend.err.items_mismatch",
                n = catalogue.len(),
                expected = manifest.n_ids - 1
            )
            .into_owned(),
        );
    }
    dispatch.dispatch(Action::Loaded(manifest.clone(), catalogue));
    let total = manifest.onnx_bytes;
    let source = GraphSource {
        cache: true,
        ..GraphSource::new(
            KEY,
            versioned(&manifest.onnx, &manifest.onnx_sha256),
            specs(manifest.window),
        )
    };
    let loaded = load_graph(&runner, &source, |loaded| {
        dispatch.dispatch(Action::Progress(loaded, total))
    })
    .await;
    match loaded {
        Ok(summary) => {
            let missing: Vec<String> = std::iter::once(OUTPUT_SCORES.to_owned())
                .chain((0..manifest.n_layers).map(weights_output))
                .filter(|o| !summary.outputs.contains(o))
                .collect();
            if missing.is_empty() {
                dispatch.dispatch(Action::Ready);
            } else {
                fail(
                    t!(
                        "recommend.err.not_recommender",
                        outputs = missing.join(", ")
                    )
                    .into_owned(),
                );
            }
        }
        Err(e) => fail(e),
    }
}

/// Runs the model for `history`, scoring what comes after history item `query`.
async fn run(
    runner: Runner,
    dispatch: UseReducerDispatcher<RecState>,
    manifest: Rc<RecManifest>,
    seq: u64,
    history: Rc<Vec<u32>>,
    query: usize,
) {
    let started = now_ms();
    let input = ModelInput::new(&history, manifest.window);
    let slot = input.slot_of(query).unwrap_or(manifest.window - 1);
    let outputs: Vec<String> = std::iter::once(OUTPUT_SCORES.to_owned())
        .chain((0..manifest.n_layers).map(weights_output))
        .collect();
    let tensors = vec![
        Tensor::i64(
            INPUT_ITEMS,
            vec![1, manifest.window],
            input.item_ids.clone(),
        ),
        Tensor::i64(INPUT_POSITION, vec![1], vec![slot as i64]),
    ];
    let result = match infer(&runner, KEY, tensors, Some(outputs)).await {
        Ok(out) => {
            let scores = Tensor::find(&out, OUTPUT_SCORES).and_then(Tensor::as_f32);
            match scores {
                Some(scores) if scores.len() == manifest.n_ids => {
                    // Everything watched up to the inspected item is never recommended.
                    let seen = &history[..=query.min(history.len() - 1)];
                    let top = top_k_excluding(scores, seen, TOP_K);
                    let weights = (0..manifest.n_layers)
                        .filter_map(|l| Tensor::find(&out, &weights_output(l)).cloned())
                        .collect::<Vec<_>>();
                    if weights.len() == manifest.n_layers {
                        Ok(Rc::new(RecResult {
                            history,
                            query,
                            input,
                            top,
                            weights,
                            latency_ms: now_ms() - started,
                        }))
                    } else {
                        Err(t!("recommend.err.no_weights").into_owned())
                    }
                }
                _ => Err(t!("recommend.err.scores_shape").into_owned()),
            }
        }
        Err(e) => Err(e.to_string()),
    };
    dispatch.dispatch(Action::RunFinished { seq, result });
}

/// The attention matrix of the chosen layer and head, cut to the history in the window.
fn attention(result: &RecResult, layer: usize, head: HeadChoice) -> Option<Matrix> {
    let w = result.weights.get(layer)?;
    history_attention(w.as_f32()?, &w.shape, result.input.kept, head).ok()
}

fn status_bar(state: &RecState) -> Html {
    match &state.status {
        Status::Loading { loaded, total } => html! {
            <div class="status loading" data-testid="model-status" data-state="loading" role="status">
                <span>{ t!("recommend.downloading") }</span>
                <progress data-testid="progress" max={(*total).max(1).to_string()} value={loaded.to_string()}
                    aria-label={t!("recommend.progress_label")}></progress>
                if *total > 0 { <span class="muted">{ t!("recommend.progress_kb", loaded = format!("{:.0}", *loaded as f64 / 1024.0), total = format!("{:.0}", *total as f64 / 1024.0)) }</span> }
            </div>
        },
        Status::Ready => {
            let m = state.manifest.as_ref();
            html! {
                <div class="status ready" data-testid="model-status" data-state="ready" role="status">
                    { t!("recommend.ready", layers = m.map_or(0, |m| m.n_layers), heads = m.map_or(0, |m| m.n_heads), window = m.map_or(0, |m| m.window)) }
                </div>
            }
        }
        Status::Failed(message) => html! {
            <div class="status failed" data-testid="model-status" data-state="failed">
                <p class="error" data-testid="error" role="alert">{ message.clone() }</p>
            </div>
        },
    }
}

/// The sentence for the link's unusable parameters; `at` (the inspected position) is named
/// here, the others by [`link_problem`].
fn link_problem_text(bad: &[&'static str]) -> Option<String> {
    let names: Vec<String> = bad
        .iter()
        .map(|&part| match part {
            "at" => t!("recommend.link_position").into_owned(),
            other => other.to_owned(),
        })
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    link_problem(&names)
}

fn short(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}

#[component]
pub fn RecommendDemo() -> Html {
    let _lang = crate::ui::lang::use_lang();
    let route = use_context::<Route>().unwrap_or_else(|| Route::of(Demo::Recommend));
    let link = use_memo((), |_| read_what_if(&route));
    let state = use_reducer(|| RecState::from_route(&route, link.1.clone()));
    let runner = use_oneshot_runner::<AttentionWorker>();
    let seq = use_mut_ref(|| 0u64);
    let whatif = use_state(|| link.0.clone());

    {
        let (runner, dispatch) = (runner.clone(), state.dispatcher());
        use_effect_with((), move |_| spawn_local(load_model(runner, dispatch)));
    }
    let ready = state.status == Status::Ready;
    let query = state.query_index();
    {
        // Run whenever the history or the inspected position changes: no debounce, an edit is
        // one click.
        let (runner, dispatch, seq) = (runner.clone(), state.dispatcher(), seq.clone());
        let manifest = state.manifest.clone();
        use_effect_with(
            (state.history.clone(), query, ready),
            move |(history, query, ready)| {
                if let (true, Some(query), Some(manifest)) = (*ready, *query, manifest) {
                    let next = {
                        let mut s = seq.borrow_mut();
                        *s += 1;
                        *s
                    };
                    spawn_local(run(
                        runner,
                        dispatch,
                        manifest,
                        next,
                        history.clone(),
                        query,
                    ));
                }
            },
        );
    }
    {
        // Keep the link in the address bar restoring this view.
        let mut route = state.route();
        write_what_if(&mut route, &whatif);
        // Not before the catalogue is in: until then the history from the link is not restored.
        use_permalink(state.catalogue.is_some().then(|| route.to_string()));
    }

    let dispatch = state.dispatcher();
    let on_edit = {
        let d = dispatch.clone();
        Callback::from(move |e: Edit| d.dispatch(Action::Edit(e)))
    };
    let on_add = {
        let d = dispatch.clone();
        Callback::from(move |id: u32| d.dispatch(Action::Edit(Edit::Add(id))))
    };
    let on_notice = {
        let d = dispatch.clone();
        Callback::from(move |n: Option<SearchNotice>| {
            d.dispatch(Action::Notice(n.map(Notice::Search)))
        })
    };
    let on_query = {
        let d = dispatch.clone();
        Callback::from(move |q: Option<usize>| d.dispatch(Action::Query(q)))
    };
    let on_layer = {
        let d = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(l) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                .and_then(|s| s.value().parse::<usize>().ok())
                .and_then(|l| l.checked_sub(1))
            {
                d.dispatch(Action::SetLayer(l));
            }
        })
    };
    let on_head = {
        let d = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                let head = match s
                    .value()
                    .parse::<usize>()
                    .ok()
                    .and_then(|h| h.checked_sub(1))
                {
                    Some(h) => HeadChoice::Head(h),
                    None => HeadChoice::Average,
                };
                d.dispatch(Action::SetHead(head));
            }
        })
    };

    let (Some(manifest), Some(catalogue)) = (state.manifest.clone(), state.catalogue.clone())
    else {
        return html! {
            <div class="demo rec" data-testid="rec-demo">
                <header class="demo-head">
                    <p class="tagline">{ t!("recommend.tagline_short") }</p>
                    { status_bar(&state) }
                </header>
                <About manifest={None::<Rc<RecManifest>>} />
            </div>
        };
    };

    let history = state.history.clone();
    let n = history.len();
    let window = manifest.window;
    let dropped = n.saturating_sub(window);
    let current = state.current_result().cloned();
    // What is on screen: the current result, or the previous one (marked stale) while the new
    // one is computed, so the page does not jump.
    let shown = current.clone().or_else(|| state.result.clone());
    let stale = current.is_none();
    let matrix = shown
        .as_ref()
        .and_then(|r| attention(r, state.layer, state.head));

    // Bars: the inspected position's attention row, over the history items.
    let bars: Vec<Bar> = match (&current, &matrix, query) {
        (Some(r), Some(m), Some(q)) => (0..n)
            .map(|i| {
                if i < r.input.dropped {
                    Bar::Outside
                } else if i > q {
                    Bar::Later
                } else {
                    m.get(q - r.input.dropped, i - r.input.dropped)
                        .map_or(Bar::Pending, Bar::Weight)
                }
            })
            .collect(),
        _ => (0..n)
            .map(|i| {
                if i < dropped {
                    Bar::Outside
                } else {
                    Bar::Pending
                }
            })
            .collect(),
    };

    let layer_label = t!("recommend.layer_label", layer = state.layer + 1).into_owned();
    let head_label = match state.head {
        HeadChoice::Head(h) => t!("recommend.head_label", head = h + 1),
        HeadChoice::Average => t!("recommend.average_label"),
    }
    .into_owned();
    // Stable (English) name: `data-name` and exported file names.
    let heatmap_id = format!(
        "attention, layer {}, {}",
        state.layer + 1,
        match state.head {
            HeadChoice::Head(h) => format!("head {}", h + 1),
            HeadChoice::Average => "average of the heads".to_owned(),
        }
    );
    let query_label = query
        .and_then(|q| catalogue.get(history[q]))
        .map(|m| m.label())
        .unwrap_or_default();
    let at_latest = query.is_none_or(|q| q + 1 == n);

    let examples = html! {
        <div class="rec-examples" aria-label={t!("recommend.examples_label")}>
            <span class="muted">{ t!("recommend.examples") }</span>
            { for manifest.examples.iter().map(|ex| {
                let d = dispatch.clone();
                let user = ex.user;
                let current = state.example_user == Some(user);
                html! {
                    <button type="button" class={classes!("example", current.then_some("current"))} data-testid="rec-example"
                        data-user={user.to_string()} aria-pressed={current.to_string()}
                        onclick={Callback::from(move |_| d.dispatch(Action::Example(user)))}>
                        { t!("recommend.example_user", user = user, n = ex.history.len()) }
                    </button>
                }
            }) }
            <button type="button" class="example" data-testid="rec-clear" disabled={n == 0}
                onclick={{ let d = dispatch.clone(); Callback::from(move |_| d.dispatch(Action::Edit(Edit::Clear))) }}>
                { t!("recommend.clear") }
            </button>
        </div>
    };

    let top_panel = if n == 0 {
        let items: Vec<(u32, Option<f32>)> = popular_excluding(&manifest.popularity, &[], TOP_K)
            .into_iter()
            .map(|id| (id, None))
            .collect();
        html! {
            <section class="rec-panel" aria-labelledby="rec-top-title">
                <h2 id="rec-top-title">{ t!("recommend.popular_title") }</h2>
                <p class="note" data-testid="rec-empty" role="status">{ t!("recommend.empty_note") }</p>
                <RecommendationList catalogue={catalogue.clone()} items={Rc::new(items)} source="popularity" />
            </section>
        }
    } else {
        let items: Vec<(u32, Option<f32>)> = shown
            .as_ref()
            .map(|r| r.top.iter().map(|&(id, s)| (id, Some(s))).collect())
            .unwrap_or_default();
        let later: Vec<u32> = match query {
            Some(q) if !at_latest => history[q + 1..].to_vec(),
            _ => Vec::new(),
        };
        let seen = query.map_or(0, |q| q + 1);
        html! {
            <section class={classes!("rec-panel", stale.then_some("rec-stale"))} aria-labelledby="rec-top-title" aria-busy={stale.to_string()}>
                if at_latest {
                    <h2 id="rec-top-title">{ t!("recommend.top_title") }</h2>
                    <p class="hint">{ t!("recommend.top_hint", n = catalogue.len(), seen = seen) }</p>
                } else {
                    <h2 id="rec-top-title">{ t!("recommend.query_title", item = query.map_or(0, |q| q + 1)) }</h2>
                    <p class="hint" data-testid="rec-query-note">{ t!("recommend.query_note", title = query_label, seen = seen) }</p>
                }
                <RecommendationList catalogue={catalogue.clone()} items={Rc::new(items)} later={Rc::new(later)} source="model" />
                if let Some(r) = &current {
                    <p class="muted rec-latency">{ t!("recommend.latency", ms = format!("{:.0}", r.latency_ms)) }</p>
                }
            </section>
        }
    };

    let heatmap = match (&shown, &matrix) {
        (Some(r), Some(m)) if r.input.kept > 0 => {
            let labels: Vec<String> = r.history[r.input.dropped..]
                .iter()
                .enumerate()
                .map(|(k, &id)| {
                    let title = catalogue
                        .get(id)
                        .map_or_else(|| id.to_string(), |m| m.display.clone());
                    format!("{}. {}", r.input.dropped + k + 1, short(&title, 14))
                })
                .collect();
            let labels = Rc::new(labels);
            let q_row = r.query.checked_sub(r.input.dropped);
            let dropped_then = r.input.dropped;
            let onselect = {
                let d = dispatch.clone();
                Callback::from(move |(i, _j): (usize, usize)| {
                    d.dispatch(Action::Query(Some(dropped_then + i)))
                })
            };
            let export = Rc::new(ExportContext {
                model: "SASRec-style recommender (MovieLens-100k)".into(),
                demo: Demo::Recommend.slug().into(),
                step: Some(format!("prediction after history item {}", r.query + 1)),
                layer: Some(state.layer + 1),
                head: match state.head {
                    HeadChoice::Head(h) => Some(h + 1),
                    HeadChoice::Average => None,
                },
                input: Some(format!(
                    "history (movie ids, oldest first): {}",
                    crate::demos::recommend::history_param(&r.history)
                )),
            });
            let what_if = match state.head {
                HeadChoice::Head(h) => {
                    let source = WhatIfSource::from_weights(
                        m.clone(),
                        manifest.d_model / manifest.n_heads.max(1),
                        (labels.clone(), labels.clone()),
                        (state.layer, h),
                        &t!("recommend.whatif_mask"),
                    );
                    let onchange = {
                        let whatif = whatif.clone();
                        Callback::from(move |v| whatif.set(v))
                    };
                    html! { <WhatIfPanel source={Rc::new(source)} whatif={(*whatif).clone()} {onchange} export={Some(export.clone())} /> }
                }
                HeadChoice::Average => html! {
                    <p class="hint" data-testid="whatif-pick-head">{ t!("recommend.whatif_pick_head") }</p>
                },
            };
            html! {
                <>
                <Heatmap name={heatmap_id} label={Some(AttrValue::from(t!("recommend.heatmap_name", layer = layer_label, head = head_label).into_owned()))} matrix={Rc::new(m.clone())} export={Some(export)}
                    rows={labels.clone()} cols={Some(labels)} scale={ColorScale::Weights}
                    selected={q_row.map(|q| (q, q))} onselect={Some(onselect)}
                    caption={t!("recommend.heatmap_caption")} />
                { what_if }
                </>
            }
        }
        _ => html! {},
    };

    html! {
        <div class="demo rec" data-testid="rec-demo">
            <header class="demo-head">
                <p class="tagline">{ t!("recommend.tagline") }</p>
                { status_bar(&state) }
            </header>
            if let Some(note) = &state.link_note {
                <p class="note" data-testid="rec-link-note" role="status">{ note.to_string() }</p>
            }
            if let Some(problem) = link_problem_text(&state.link_bad) {
                <p class="note" data-testid="link-problem" role="status">{ problem }</p>
            }
            <div class="rec-grid">
                <section class="rec-panel rec-history-panel" aria-labelledby="rec-history-title">
                    <MovieSearch catalogue={catalogue.clone()} history={history.clone()} onadd={on_add} onnotice={on_notice} />
                    if let Some(notice) = &state.notice {
                        <p class="note" data-testid="rec-notice" role="status">{ notice.to_string() }</p>
                    }
                    { examples }
                    <h2 id="rec-history-title">{ if n == 1 { t!("recommend.history_title_one") } else { t!("recommend.history_title", n = n) } }</h2>
                    if dropped > 0 {
                        <p class="note" data-testid="rec-window-note" role="status">{ t!("recommend.window_note", n = n, window = window, dropped = dropped) }</p>
                    }
                    if n > 0 {
                        <p class="hint">{ t!("recommend.bars_hint", title = query_label, layer = layer_label, head = head_label) }</p>
                        <HistoryList catalogue={catalogue.clone()} history={history.clone()} bars={Rc::new(bars)}
                            query={query.unwrap_or(0)} onedit={on_edit} onquery={on_query} />
                    } else {
                        <p class="muted" data-testid="rec-history-empty">{ t!("recommend.history_empty") }</p>
                    }
                </section>
                { top_panel }
            </div>
            if let Some(err) = &state.run_error {
                <p class="error" data-testid="error" role="alert">{ err.clone() }</p>
            }
            <span data-testid="rec-run" data-run={state.run_id.to_string()} hidden=true></span>

            if n > 0 {
                <section class="rec-panel rec-attention" aria-labelledby="rec-attn-title">
                    <h2 id="rec-attn-title">{ t!("recommend.attention_title") }</h2>
                    <div class="controls">
                        <label>{ t!("recommend.layer") }
                            <select data-testid="rec-layer" onchange={on_layer}>
                                { for (0..manifest.n_layers).map(|l| html! { <option value={(l + 1).to_string()} selected={l == state.layer}>{ l + 1 }</option> }) }
                            </select>
                        </label>
                        <label>{ t!("recommend.head") }
                            <select data-testid="rec-head" onchange={on_head}>
                                <option value="avg" selected={state.head == HeadChoice::Average}>{ t!("recommend.average") }</option>
                                { for (0..manifest.n_heads).map(|h| html! { <option value={(h + 1).to_string()} selected={state.head == HeadChoice::Head(h)}>{ h + 1 }</option> }) }
                            </select>
                        </label>
                    </div>
                    <p class="hint">{ t!("recommend.attention_hint") }</p>
                    { heatmap }
                </section>
            }
            <Explanations />
            <About manifest={Some(manifest)} />
        </div>
    }
}

#[component]
fn Explanations() -> Html {
    let _lang = crate::ui::lang::use_lang();
    html! {
        <section class="rec-panel rec-explain" data-testid="rec-explain">
            <h2>{ t!("recommend.explain.mask_title") }</h2>
            <p>{ t!("recommend.explain.mask_1") }</p>
            <p>{ t!("recommend.explain.mask_2") }</p>
            <h2>{ t!("recommend.explain.not_title") }</h2>
            <p>{ t!("recommend.explain.not_1") }</p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct AboutProps {
    manifest: Option<Rc<RecManifest>>,
}

#[component]
fn About(props: &AboutProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let metrics = props.manifest.as_ref().map(|m| {
        let test = &m.metrics.test;
        t!(
            "recommend.about.metrics",
            hr = format!("{:.1}", 100.0 * test.sasrec.hr_at_10),
            ndcg = format!("{:.3}", test.sasrec.ndcg_at_10),
            pop_hr = format!("{:.1}", 100.0 * test.popularity.hr_at_10),
            pop_ndcg = format!("{:.3}", test.popularity.ndcg_at_10)
        )
        .into_owned()
    });
    html! {
        <footer class="about" data-testid="rec-about">
            <p>{ t!("recommend.about.model") }{ metrics.map(|m| format!(" {m}")).unwrap_or_default() }</p>
            <p data-testid="rec-acknowledgement">{ t!("recommend.about.data") }
                <cite lang="en">{ " F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and Context. ACM Transactions on Interactive Intelligent Systems (TiiS) 5, 4, Article 19. " }</cite>
                { t!("recommend.about.shipped") }</p>
        </footer>
    }
}
