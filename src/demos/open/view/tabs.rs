//! What the user sees of an opened model's run: every layer × head at once with the sortable
//! statistics (model tab), or one head as lines between tokens and as its matrix, with the
//! data table and Save (head tab). Decoders get the causal mask hatched.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::encoder::{all_head_stats, submatrix, visible_positions, AttentionMaps, StatKey};
use crate::demos::open::link::Tab;
use crate::export::ExportContext;
use crate::ui::components::attention_canvas::AttentionCanvas;
use crate::ui::components::head_stats_table::{head_stats_table, HeadStatsTableProps};
use crate::ui::components::head_view::HeadView;
use crate::ui::components::model_grid::ModelGrid;
use crate::ui::components::{ColorScale, Heatmap};
use crate::ui::events::one_based_select;

/// Above this many tokens the head's matrix is drawn on a canvas (an SVG cell each would stall
/// the page); its table and exports stay with the model tab's statistics.
const SVG_MAX_TOKENS: usize = 64;

/// One run of the opened model.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Changes with every run: components compare by it, not by the maps.
    pub seq: u64,
    /// Token labels as shown (byte-level tokens decoded)
    pub tokens: Rc<Vec<String>>,
    pub ids: Vec<u32>,
    pub maps: Rc<AttentionMaps>,
    /// The input as typed (or the image's name), for exported files
    pub input: String,
}

/// What the tabs show and how.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    pub tab: Tab,
    pub layer: usize,
    pub head: usize,
    pub all_heads: bool,
    pub hide_special: bool,
    pub sort: StatKey,
    pub descending: bool,
}

#[derive(Properties, PartialEq)]
pub struct TabsProps {
    pub run: Run,
    pub look: Look,
    pub n_layers: usize,
    pub n_heads: usize,
    pub causal: bool,
    /// Whether the model has [CLS]/[SEP]-like tokens (the toggle is shown only then)
    pub has_special: bool,
    /// The model's name, for exported files
    pub model: AttrValue,
    pub onlook: Callback<Look>,
}

#[component]
pub fn Tabs(props: &TabsProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let look = props.look;
    let set = |change: fn(&mut Look, usize)| {
        let onlook = props.onlook.clone();
        Callback::from(move |v: usize| {
            let mut next = look;
            change(&mut next, v);
            onlook.emit(next);
        })
    };
    let pick = {
        let onlook = props.onlook.clone();
        Callback::from(move |(layer, head): (usize, usize)| {
            onlook.emit(Look {
                tab: Tab::Head,
                layer,
                head,
                all_heads: false,
                ..look
            })
        })
    };
    let tab_button = |tab: Tab, label: String| {
        let onlook = props.onlook.clone();
        let current = look.tab == tab;
        html! {
            <button type="button" data-testid="view-tab" data-view={tab.id()}
                aria-pressed={current.to_string()} class={classes!("enc-view-tab", current.then_some("current"))}
                onclick={Callback::from(move |_| onlook.emit(Look { tab, ..look }))}>{ label }</button>
        }
    };
    let body = match look.tab {
        Tab::Model => model_tab(props, pick),
        Tab::Head => head_tab(props, (set(|l, v| l.layer = v), set(|l, v| l.head = v))),
    };
    let toggle = |change: fn(&mut Look)| {
        let onlook = props.onlook.clone();
        Callback::from(move |_: Event| {
            let mut next = look;
            change(&mut next);
            onlook.emit(next);
        })
    };
    html! {
        <>
            <nav class="enc-views" aria-label={t!("open.tabs")}>
                { tab_button(Tab::Model, t!("open.tab.model").into_owned()) }
                { tab_button(Tab::Head, t!("open.tab.head").into_owned()) }
            </nav>
            <div class="controls">
                if look.tab == Tab::Head {
                    <label class="enc-check">
                        <input type="checkbox" data-testid="all-heads-toggle" checked={look.all_heads}
                            onchange={toggle(|l| l.all_heads = !l.all_heads)} />
                        { " " }{ t!("encoder.all_heads") }
                    </label>
                }
                if props.has_special {
                    <label class="enc-check">
                        <input type="checkbox" data-testid="special-toggle" checked={!look.hide_special}
                            onchange={toggle(|l| l.hide_special = !l.hide_special)} />
                        { " " }{ t!("open.show_special") }
                    </label>
                }
            </div>
            <section class="enc-view" data-testid="open-view" data-view={look.tab.id()}>
                { body }
            </section>
        </>
    }
}

fn model_tab(props: &TabsProps, pick: Callback<(usize, usize)>) -> Html {
    let run = &props.run;
    let look = props.look;
    let stats = Rc::new(all_head_stats(&run.maps, &run.tokens, look.hide_special));
    let visible = visible_positions(&run.tokens, look.hide_special).len();
    let onsort = {
        let onlook = props.onlook.clone();
        Callback::from(move |sort: StatKey| {
            let descending = if sort == look.sort {
                !look.descending
            } else {
                sort != StatKey::Head
            };
            onlook.emit(Look {
                sort,
                descending,
                ..look
            })
        })
    };
    html! {
        <>
            if props.causal { <p class="muted" data-testid="causal-note">{ t!("open.causal_note") }</p> }
            <ModelGrid maps={run.maps.clone()} version={run.seq} tokens={run.tokens.clone()}
                hide_special={look.hide_special} stats={stats.clone()} selected={(look.layer, look.head)}
                onpick={pick.clone()} causal={props.causal} />
            { head_stats_table(&HeadStatsTableProps { stats, max_entropy: (visible.max(1) as f32).ln(),
                sort: look.sort, descending: look.descending, onsort, onpick: pick,
                selected: (look.layer, look.head), words_only: look.hide_special }) }
        </>
    }
}

fn head_tab(props: &TabsProps, (on_layer, on_head): (Callback<usize>, Callback<usize>)) -> Html {
    let run = &props.run;
    let look = props.look;
    let options = |n: usize, selected: usize| {
        html! {
            { for (0..n).map(|i| html! { <option value={(i + 1).to_string()} selected={i == selected}>{ i + 1 }</option> }) }
        }
    };
    let keep = visible_positions(&run.tokens, look.hide_special);
    let labels: Rc<Vec<String>> = Rc::new(keep.iter().map(|&i| run.tokens[i].clone()).collect());
    let matrix = run
        .maps
        .head(look.layer, look.head)
        .map(|m| Rc::new(submatrix(m, &keep, &keep)));
    let name = format!("attention layer {} head {}", look.layer + 1, look.head + 1);
    let label = t!(
        "open.head_matrix",
        layer = look.layer + 1,
        head = look.head + 1
    )
    .into_owned();
    let export = Rc::new(ExportContext {
        model: props.model.to_string(),
        demo: "open".into(),
        layer: Some(look.layer + 1),
        head: Some(look.head + 1),
        input: Some(run.input.clone()),
        ..ExportContext::default()
    });
    html! {
        <>
            <div class="controls">
                <label>{ t!("encoder.layer") }{ " " }
                    <select data-testid="layer-select" onchange={one_based_select(on_layer)}>{ options(props.n_layers, look.layer) }</select>
                </label>
                <label>{ t!("encoder.head") }{ " " }
                    <select data-testid="head-select" onchange={one_based_select(on_head)} disabled={look.all_heads}>{ options(props.n_heads, look.head) }</select>
                </label>
            </div>
            <HeadView maps={run.maps.clone()} version={run.seq} tokens={run.tokens.clone()} layer={look.layer}
                head={look.head} all_heads={look.all_heads} hide_special={look.hide_special} />
            if let Some(m) = matrix {
                if keep.len() <= SVG_MAX_TOKENS {
                    <Heatmap name={name} label={label} matrix={m} rows={labels.clone()} cols={labels}
                        scale={ColorScale::Weights} causal={props.causal} export={export} />
                } else {
                    <AttentionCanvas name={name} label={label} matrix={m} scale={ColorScale::Weights}
                        rows={labels} causal={props.causal} caption={t!("open.canvas_caption").into_owned()} />
                }
            }
        </>
    }
}
