//! Renders the what-if panel for the chosen layer and head, on that head's 17×17 attention weights
//! from the model. The head average is no one head's attention, so with it chosen the panel asks
//! for a head instead.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::state::Outcome;
use crate::demos::digits::{token_labels, DigitsManifest};
use crate::export::ExportContext;
use crate::maths::{Matrix, WhatIf};
use crate::route::Demo;
use crate::ui::components::{WhatIfPanel, WhatIfSource};

pub struct DigitsWhatIfProps {
    pub outcome: Outcome,
    pub manifest: Option<Rc<DigitsManifest>>,
    pub layer: usize,
    /// `None`: the average of the heads.
    pub head: Option<usize>,
    pub whatif: WhatIf,
    pub onchange: Callback<WhatIf>,
}

pub fn digits_what_if(props: &DigitsWhatIfProps) -> Html {
    let (Some(layer), Some(h), Some(m)) = (
        props.outcome.layers.get(props.layer),
        props.head,
        props.manifest.as_ref(),
    ) else {
        return html! { <p class="hint" data-testid="whatif-pick-head">{ t!("digits.whatif.pick_head") }</p> };
    };
    let labels = Rc::new(token_labels());
    let n = labels.len();
    let data: Vec<f32> = (0..n).flat_map(|i| layer.row(h, i).to_vec()).collect();
    let Ok(weights) = Matrix::from_vec(n, n, data) else {
        return html! {};
    };
    let mask_label = t!("digits.whatif.model_mask").into_owned();
    let source = WhatIfSource::from_weights(
        weights,
        m.d_model / m.n_heads.max(1),
        (labels.clone(), labels),
        (props.layer, h),
        &mask_label,
    );
    let export = Rc::new(ExportContext {
        model: m.name.clone(),
        demo: Demo::Digits.slug().into(),
        ..ExportContext::default()
    });
    html! {
        <WhatIfPanel source={Rc::new(source)} whatif={props.whatif.clone()} onchange={props.onchange.clone()} export={Some(export)} />
    }
}
