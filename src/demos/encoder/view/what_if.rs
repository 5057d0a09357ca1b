//! The step view's what-if panel for the chosen head, from the layer's real raw scores (this
//! view recomputes the layer from the model's weights, so it has them), or a note when the
//! input is too long for its cell-by-cell maps.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::encoder::EncoderLayer;
use crate::export::ExportContext;
use crate::maths::{Matrix, WhatIf};
use crate::ui::components::what_if::{WhatIfPanel, WhatIfSource};

/// The what-if maps draw every cell as SVG (like the step view's): longer inputs get a note.
const WHAT_IF_MAX_TOKENS: usize = 40;

pub struct EncoderWhatIfProps {
    pub record: Rc<EncoderLayer>,
    pub head: usize,
    pub whatif: WhatIf,
    pub onchange: Callback<WhatIf>,
    /// The text the layer was run on (for the export).
    pub text: String,
}

pub fn encoder_what_if(props: &EncoderWhatIfProps) -> Html {
    let rec = &props.record;
    let layer = &rec.record;
    let n = rec.tokens.len();
    if n > WHAT_IF_MAX_TOKENS {
        return html! {
            <p class="note" data-testid="whatif-too-long">{ t!("encoder.whatif_too_long", n = n, max = WHAT_IF_MAX_TOKENS) }</p>
        };
    }
    let head = props.head.min(layer.scores.len().saturating_sub(1));
    let d_k = layer.params.d_k();
    let (Some(scores), Some(real)) = (layer.scores.get(head), layer.weights.get(head)) else {
        return html! {};
    };
    let tokens = Rc::new(rec.tokens.clone());
    let source = WhatIfSource {
        scores: scores.clone(),
        // One sentence, no padding: the model masks nothing.
        model_mask: Matrix::zeros(n, n),
        d_k,
        real: real.clone(),
        value: Some(layer.value.columns(head * d_k, (head + 1) * d_k)),
        rows: tokens.clone(),
        cols: tokens,
        layer: rec.layer,
        head,
        mask_label: t!("encoder.whatif_model_mask").into_owned(),
        from_weights: false,
    };
    let export = ExportContext {
        model: "all-MiniLM-L6-v2".into(),
        demo: crate::route::Demo::Encoder.slug().into(),
        input: Some(props.text.clone()),
        ..ExportContext::default()
    };
    html! {
        <WhatIfPanel source={Rc::new(source)} whatif={props.whatif.clone()} onchange={props.onchange.clone()}
            export={Some(Rc::new(export))} />
    }
}
