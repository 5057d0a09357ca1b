//! Every layer and head's attention of the chosen forecast step, small, side by side; clicking
//! one shows it in the main panel.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::mini_bars::{mini_bars, MiniBarsProps};
use super::state::{Action, State};
use crate::demos::forecast::{head_name, LayerAttention};

pub struct HeadsGridProps {
    pub layers: Rc<Vec<LayerAttention>>,
    pub n_heads: usize,
    pub step: usize,
    /// The layer and head shown in the main panel (`None`: the head average).
    pub layer: usize,
    pub head: Option<usize>,
    pub dispatch: UseReducerDispatcher<State>,
}

pub fn heads_grid(props: &HeadsGridProps) -> Html {
    let step = props.step;
    html! {
        <section class="fc-heads" aria-label={t!("forecast.heads.label")}>
            <h3>{ t!("forecast.heads.heading", step = step + 1) }</h3>
            <div class="fc-mini-grid">
                { for props.layers.iter().enumerate().map(|(l, layer)| html! {
                    <div class="fc-mini-row">
                        <span class="fc-mini-layer">{ t!("forecast.layer_n", n = l + 1) }</span>
                        // the head average first, then each head
                        { for std::iter::once(None).chain((0..layer.heads).map(Some)).map(|h| {
                            let dispatch = props.dispatch.clone();
                            let onclick = Callback::from(move |_| {
                                dispatch.dispatch(Action::SetLayer(l));
                                dispatch.dispatch(Action::SetHead(h));
                            });
                            mini_bars(&MiniBarsProps {
                                row: Rc::new(layer.forecast_row(h, step)),
                                label: AttrValue::from(head_name(h, props.n_heads)),
                                selected: l == props.layer && h == props.head,
                                onclick,
                            })
                        }) }
                    </div>
                }) }
            </div>
        </section>
    }
}
