//! Renders the attention map of one result: history item × history item for the chosen layer and
//! head (click a row to inspect that position), and the what-if panel for a single head.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::state::{Action, RecResult, RecState};
use crate::demos::recommend::{history_param, shorten, Catalogue, HeadChoice, RecManifest};
use crate::export::ExportContext;
use crate::maths::{Matrix, WhatIf};
use crate::route::Demo;
use crate::ui::components::heatmap::{ColorScale, Heatmap};
use crate::ui::components::{WhatIfPanel, WhatIfSource};

pub struct AttentionMapProps {
    pub state: UseReducerHandle<RecState>,
    pub manifest: Rc<RecManifest>,
    pub catalogue: Rc<Catalogue>,
    /// The result on screen (it has history items in the window).
    pub result: Rc<RecResult>,
    /// Its attention matrix for the chosen layer and head.
    pub matrix: Rc<Matrix>,
    pub whatif: WhatIf,
    pub onwhatif: Callback<WhatIf>,
}

/// `3. The Usual Susp…`: the 1-based history index and a short title of each windowed item.
fn item_labels(result: &RecResult, catalogue: &Catalogue) -> Vec<String> {
    let first = result.input.dropped;
    result.history[first..]
        .iter()
        .enumerate()
        .map(|(k, &id)| {
            let title = catalogue
                .get(id)
                .map_or_else(|| id.to_string(), |m| m.display.clone());
            format!("{}. {}", first + k + 1, shorten(&title, 14))
        })
        .collect()
}

pub fn attention_map(props: &AttentionMapProps) -> Html {
    let AttentionMapProps {
        state,
        manifest,
        catalogue,
        result: r,
        matrix,
        whatif,
        onwhatif,
    } = props;
    let labels = Rc::new(item_labels(r, catalogue));
    let q_row = r.query.checked_sub(r.input.dropped);
    let onselect = {
        let (d, dropped) = (state.dispatcher(), r.input.dropped);
        Callback::from(move |(i, _j): (usize, usize)| d.dispatch(Action::Query(Some(dropped + i))))
    };
    let head = match state.head {
        HeadChoice::Head(h) => Some(h),
        HeadChoice::Average => None,
    };
    let export = Rc::new(ExportContext {
        model: crate::demos::recommend::MODEL_NAME.into(),
        demo: Demo::Recommend.slug().into(),
        step: Some(format!("prediction after history item {}", r.query + 1)),
        layer: Some(state.layer + 1),
        head: head.map(|h| h + 1),
        input: Some(format!(
            "history (movie ids, oldest first): {}",
            history_param(&r.history)
        )),
    });
    // Stable (English) name: `data-name` and exported file names.
    let heatmap_id = format!(
        "attention, layer {}, {}",
        state.layer + 1,
        head.map_or_else(
            || "average of the heads".to_owned(),
            |h| format!("head {}", h + 1)
        )
    );
    let label = t!(
        "recommend.heatmap_name",
        layer = state.layer_label(),
        head = state.head_label()
    );
    let what_if = match head {
        Some(h) => {
            let source = WhatIfSource::from_weights(
                (**matrix).clone(),
                manifest.d_model / manifest.n_heads.max(1),
                (labels.clone(), labels.clone()),
                (state.layer, h),
                &t!("recommend.whatif_mask"),
            );
            html! { <WhatIfPanel source={Rc::new(source)} whatif={whatif.clone()} onchange={onwhatif.clone()} export={Some(export.clone())} /> }
        }
        None => html! {
            <p class="hint" data-testid="whatif-pick-head">{ t!("recommend.whatif_pick_head") }</p>
        },
    };
    html! {
        <>
        <Heatmap name={heatmap_id} label={Some(AttrValue::from(label.into_owned()))} matrix={matrix.clone()} export={Some(export)}
            rows={labels.clone()} cols={Some(labels)} scale={ColorScale::Weights}
            selected={q_row.map(|q| (q, q))} onselect={Some(onselect)}
            caption={t!("recommend.heatmap_caption")} />
        { what_if }
        </>
    }
}
