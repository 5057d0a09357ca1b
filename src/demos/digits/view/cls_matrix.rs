//! Every layer's and head's [CLS] attention, and the rollout, as one matrix with a data table
//! and Save buttons: rows are (layer, head), columns [CLS] itself then the 16 patches.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::state::Outcome;
use crate::demos::digits::token_labels;
use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::route::Demo;
use crate::ui::components::{ColorScale, Heatmap};

#[derive(PartialEq, Properties)]
pub struct ClsMatrixProps {
    pub outcome: Outcome,
    /// The model's name, for exported files.
    pub model: String,
    /// The test image's label when the image is one (else it is a drawing).
    pub test_label: Option<String>,
}

/// The matrix's rows (in the reader's language) and values.
fn rows_and_data(o: &Outcome) -> (Vec<String>, Vec<f32>) {
    let mut rows = Vec::new();
    let mut data = Vec::new();
    for (l, layer) in o.layers.iter().enumerate() {
        for h in (0..layer.heads).map(Some).chain(std::iter::once(None)) {
            rows.push(match h {
                Some(h) => t!("digits.matrix.row_head", layer = l + 1, head = h + 1).into_owned(),
                None => t!("digits.matrix.row_average", layer = l + 1).into_owned(),
            });
            data.push(layer.cls_to_cls(h));
            data.extend(layer.cls_to_patches(h));
        }
    }
    rows.push(t!("digits.matrix.row_rollout").into_owned());
    data.push(1.0 - o.rollout.iter().sum::<f32>());
    data.extend(o.rollout.iter().copied());
    (rows, data)
}

#[component]
pub fn ClsMatrix(props: &ClsMatrixProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let (rows, data) = rows_and_data(&props.outcome);
    let cols = token_labels();
    let Ok(matrix) = Matrix::from_vec(rows.len(), cols.len(), data) else {
        return html! {};
    };
    let export = Rc::new(ExportContext {
        model: props.model.clone(),
        demo: Demo::Digits.slug().into(),
        step: Some(t!("digits.matrix.step").into_owned()),
        input: Some(match &props.test_label {
            Some(label) => t!("digits.matrix.input_test", label = label).into_owned(),
            None => t!("digits.matrix.input_drawing").into_owned(),
        }),
        ..ExportContext::default()
    });
    html! {
        <Heatmap name="[CLS] attention, every layer and head" label={Some(AttrValue::from(t!("digits.matrix.name").into_owned()))} matrix={Rc::new(matrix)} rows={Rc::new(rows)}
            cols={Some(Rc::new(cols))} scale={ColorScale::Weights} export={Some(export)}
            caption={t!("digits.matrix.caption").into_owned()} />
    }
}
