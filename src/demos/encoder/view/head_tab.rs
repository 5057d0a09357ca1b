//! The head view's tab: one head (or every head of a layer) as lines from each token to the
//! tokens it attends to.

use yew::prelude::*;

use super::controls::{controls, ControlsProps};
use super::state::{EncoderState, RunResult};
use crate::ui::components::head_view::HeadView;

pub struct HeadTabProps {
    pub run: RunResult,
    pub n_layers: usize,
    pub n_heads: usize,
    pub layer: usize,
    pub head: usize,
    pub all_heads: bool,
    pub hide_special: bool,
    pub dispatch: UseReducerDispatcher<EncoderState>,
}

pub fn head_tab(props: &HeadTabProps) -> Html {
    let run = &props.run;
    html! {
        <>
            { controls(&ControlsProps { n_layers: props.n_layers, n_heads: props.n_heads, layer: Some(props.layer),
                head: Some(props.head), head_disabled: props.all_heads, all_heads: Some(props.all_heads),
                hide_special: Some(props.hide_special), children: Html::default(), dispatch: props.dispatch.clone() }) }
            <HeadView maps={run.maps.clone()} version={run.seq} tokens={run.tokens.clone()} layer={props.layer}
                head={props.head} all_heads={props.all_heads} hide_special={props.hide_special} />
        </>
    }
}
