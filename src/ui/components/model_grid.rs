//! The model view: every head of every layer as a small attention map (layers down, heads
//! across); click one to open it in the head view.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::attention_canvas::AttentionCanvas;
use crate::demos::encoder::{submatrix, visible_positions, AttentionMaps, HeadStats};
use crate::ui::components::heatmap::ColorScale;

#[derive(Properties)]
pub struct ModelGridProps {
    pub maps: Rc<AttentionMaps>,
    /// Changes with every new result: props compare by it, not by millions of floats.
    pub version: u64,
    pub tokens: Rc<Vec<String>>,
    pub hide_special: bool,
    /// Statistics per head, layer-major (for the tooltips).
    pub stats: Rc<Vec<HeadStats>>,
    pub selected: (usize, usize),
    pub onpick: Callback<(usize, usize)>,
    /// A decoder's maps: the masked upper triangle is hatched.
    #[prop_or_default]
    pub causal: bool,
}

impl PartialEq for ModelGridProps {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
            && Rc::ptr_eq(&self.maps, &other.maps)
            && self.hide_special == other.hide_special
            && self.selected == other.selected
            && self.onpick == other.onpick
            && self.causal == other.causal
    }
}

#[component]
pub fn ModelGrid(props: &ModelGridProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let shown = use_memo((props.version, props.hide_special), {
        let (maps, tokens, hide) = (props.maps.clone(), props.tokens.clone(), props.hide_special);
        move |_| {
            let keep = visible_positions(&tokens, hide);
            maps.maps
                .iter()
                .map(|heads| {
                    heads
                        .iter()
                        .map(|m| Rc::new(submatrix(m, &keep, &keep)))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        }
    });
    let n_heads = props.maps.n_heads;
    html! {
        <div class="enc-grid-wrap">
            // A group of buttons laid out as a grid (each button names its layer and head), not
            // an ARIA grid, which would need rows and cells and arrow-key navigation.
            <div class="enc-grid" data-testid="model-grid" role="group" aria-label={t!("encoder.grid.label")}
                style={format!("grid-template-columns: 2.2rem repeat({n_heads}, minmax(0, 1fr))")}>
                <span class="enc-grid-corner" aria-hidden="true"></span>
                { for (0..n_heads).map(|h| html! { <span class="enc-grid-head" aria-hidden="true">{ h + 1 }</span> }) }
                { for shown.iter().enumerate().map(|(l, heads)| html! {
                    <>
                        <span class="enc-grid-layer" aria-hidden="true">{ format!("L{}", l + 1) }</span>
                        { for heads.iter().enumerate().map(|(h, m)| {
                            let onpick = props.onpick.clone();
                            let current = (l, h) == props.selected;
                            let stat = props.stats.get(l * n_heads + h);
                            let f = |v: f32| format!("{v:.2}");
                            let title = stat.map_or_else(String::new, |s| t!(
                                "encoder.grid.title", layer = l + 1, head = h + 1, entropy = f(s.entropy), cls = f(s.cls),
                                sep = f(s.sep), self_weight = f(s.self_weight), prev = f(s.prev), next = f(s.next)).into_owned());
                            html! {
                                <button class={classes!("enc-grid-cell", current.then_some("current"))}
                                    data-testid="grid-cell" data-layer={l.to_string()} data-head={h.to_string()}
                                    title={title.clone()} aria-label={t!("encoder.grid.open", layer = l + 1, head = h + 1, stats = title)}
                                    aria-pressed={current.to_string()}
                                    onclick={Callback::from(move |_| onpick.emit((l, h)))}>
                                    <AttentionCanvas name={format!("layer {} head {}", l + 1, h + 1)} label={t!("encoder.grid.map_name", layer = l + 1, head = h + 1).into_owned()} matrix={m.clone()}
                                        scale={ColorScale::Weights} cell={1} compact=true causal={props.causal} />
                                </button>
                            }
                        }) }
                    </>
                }) }
            </div>
            <p class="hint">{ t!("encoder.grid.hint") }</p>
        </div>
    }
}
