//! The model view's tab: every head of every layer as a small map, and the same heads as a
//! sortable table of statistics; clicking either opens that head in the head view.

use yew::prelude::*;

use super::controls::{controls, ControlsProps};
use super::state::{send, Action, EncoderState, RunResult};
use crate::demos::encoder::{all_head_stats, visible_positions, StatKey};
use crate::ui::components::head_stats_table::{head_stats_table, HeadStatsTableProps};
use crate::ui::components::model_grid::ModelGrid;

#[derive(PartialEq, Properties)]
pub struct ModelTabProps {
    pub run: RunResult,
    pub hide_special: bool,
    /// The head last opened (layer, head), marked in the grid and the table.
    pub selected: (usize, usize),
    pub sort: StatKey,
    pub descending: bool,
    pub dispatch: UseReducerDispatcher<EncoderState>,
}

#[component]
pub fn ModelTab(props: &ModelTabProps) -> Html {
    // The controls and the statistics table are plain functions rendered here: this
    // subscription keeps their text in the current language.
    let _lang = crate::ui::lang::use_lang();
    let run = &props.run;
    let stats = {
        let run = run.clone();
        use_memo((run.seq, props.hide_special), move |(_, hide)| {
            all_head_stats(&run.maps, &run.tokens, *hide)
        })
    };
    let on_pick = send(&props.dispatch, |(layer, head)| Action::Pick {
        layer,
        head,
    });
    let on_sort = send(&props.dispatch, Action::Sort);
    let visible = visible_positions(&run.tokens, props.hide_special).len();
    let max_entropy = (visible.max(1) as f32).ln();
    html! {
        <>
            { controls(&ControlsProps { n_layers: 0, n_heads: 0, layer: None, head: None, head_disabled: false,
                all_heads: None, hide_special: Some(props.hide_special), children: Html::default(), dispatch: props.dispatch.clone() }) }
            <ModelGrid maps={run.maps.clone()} version={run.seq} tokens={run.tokens.clone()}
                hide_special={props.hide_special} stats={stats.clone()}
                selected={props.selected} onpick={on_pick.clone()} />
            { head_stats_table(&HeadStatsTableProps { stats, max_entropy, sort: props.sort,
                descending: props.descending, onsort: on_sort, onpick: on_pick,
                selected: props.selected, words_only: props.hide_special }) }
        </>
    }
}
