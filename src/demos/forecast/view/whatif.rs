//! The what-if panel on one head's weights over the window (the model exports only its weights,
//! so the panel starts from those); with the head average chosen, a hint to pick a head.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::forecast::{ForecastManifest, LayerAttention};
use crate::export::ExportContext;
use crate::maths::{Matrix, WhatIf};
use crate::ui::components::{WhatIfPanel, WhatIfSource};

pub struct ForecastWhatIfProps {
    pub manifest: Rc<ForecastManifest>,
    pub layers: Rc<Vec<LayerAttention>>,
    pub layer: usize,
    pub head: Option<usize>,
    /// Date labels of the past and forecast positions, oldest first.
    pub labels: Rc<Vec<String>>,
    pub whatif: WhatIf,
    pub onchange: Callback<WhatIf>,
    pub export: Rc<ExportContext>,
}

pub fn forecast_what_if(props: &ForecastWhatIfProps) -> Html {
    let m = &props.manifest;
    let (t_len, h_len) = (m.window, m.horizon);
    let panel = match (props.layers.get(props.layer), props.head) {
        (Some(layer), Some(h)) => {
            // rows: the H forecast steps; columns: the T past steps
            let data: Vec<f32> = (0..h_len)
                .flat_map(|k| layer.forecast_row(Some(h), k))
                .collect();
            match Matrix::from_vec(h_len, t_len, data) {
                Ok(weights) => {
                    let rows = Rc::new((0..h_len).map(|k| format!("+{}", k + 1)).collect());
                    let cols = Rc::new(props.labels[..t_len].to_vec());
                    let mask_label = t!("forecast.whatif.model_mask").into_owned();
                    let d_head = m.d_model / m.n_heads.max(1);
                    let source = WhatIfSource::from_weights(
                        weights,
                        d_head,
                        (rows, cols),
                        (props.layer, h),
                        &mask_label,
                    );
                    html! { <WhatIfPanel source={Rc::new(source)} whatif={props.whatif.clone()}
                    onchange={props.onchange.clone()} export={Some(props.export.clone())} /> }
                }
                Err(_) => html! {},
            }
        }
        _ => {
            html! { <p class="hint" data-testid="whatif-pick-head">{ t!("forecast.whatif.pick_head") }</p> }
        }
    };
    html! {
        <section class="fc-whatif" aria-label={t!("forecast.whatif.label")}>
            { panel }
        </section>
    }
}
