//! The step view's tab: one layer of the encoder step by step, from the model's own tensors and
//! weights (fetched when the tab is shown), with the agreement badge and the what-if panel.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::controls::{controls, ControlsProps};
use super::state::{send, Action, EncoderState, RunResult};
use super::steps::{formula, EncoderStepView};
use super::what_if::{encoder_what_if, EncoderWhatIfProps};
use crate::demos::encoder::{step_explanation, step_title, EncoderLayer};
use crate::maths::WhatIf;
use crate::steps::Step;
use crate::ui::components::{AgreementBadge, StepNavigator};

#[derive(Properties)]
pub struct StepsTabProps {
    pub run: RunResult,
    /// The chosen layer's tensors for this run, once they have arrived.
    pub record: Option<Rc<EncoderLayer>>,
    pub layer_error: Option<String>,
    pub n_layers: usize,
    pub n_heads: usize,
    pub step: Step,
    pub layer: usize,
    pub head: usize,
    /// The score cell whose q·k breakdown is open.
    pub selected: Option<(usize, usize)>,
    pub whatif: WhatIf,
    pub text: String,
    pub dispatch: UseReducerDispatcher<EncoderState>,
}

/// The record compares by address: it is large, and a new run or layer brings a new one.
impl PartialEq for StepsTabProps {
    fn eq(&self, other: &Self) -> bool {
        let same_record = match (&self.record, &other.record) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        };
        same_record
            && self.run == other.run
            && self.layer_error == other.layer_error
            && (
                self.n_layers,
                self.n_heads,
                self.step,
                self.layer,
                self.head,
                self.selected,
            ) == (
                other.n_layers,
                other.n_heads,
                other.step,
                other.layer,
                other.head,
                other.selected,
            )
            && (&self.whatif, &self.text) == (&other.whatif, &other.text)
            && self.dispatch == other.dispatch
    }
}

#[component]
pub fn StepsTab(props: &StepsTabProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let dispatch = &props.dispatch;
    let step = props.step;
    let shows_head = (Step::Scores.index()..=Step::Context.index()).contains(&step.index());
    let shows_what_if = (Step::Scale.index()..=Step::Context.index()).contains(&step.index());
    html! {
        <>
            <StepNavigator current={step} onchange={send(dispatch, Action::GoTo)} />
            { controls(&ControlsProps { n_layers: props.n_layers, n_heads: props.n_heads, layer: Some(props.layer),
                head: shows_head.then_some(props.head), head_disabled: false, all_heads: None, hide_special: None,
                children: html! {
                    if let Some(rec) = &props.record {
                        <AgreementBadge agreement={rec.agreement()} layer={props.layer} />
                    }
                },
                dispatch: dispatch.clone() }) }
            if let Some(rec) = props.record.clone() {
                <EncoderStepView record={rec.clone()} ids={Rc::new(props.run.encoded.ids.clone())} step={step}
                    head={props.head} selected={props.selected} onselect={send(dispatch, Action::Select)} onhead={send(dispatch, Action::SetHead)} />
                if shows_what_if {
                    { encoder_what_if(&EncoderWhatIfProps { record: rec, head: props.head, whatif: props.whatif.clone(),
                        onchange: send(dispatch, Action::SetWhatIf), text: props.text.clone() }) }
                }
            } else if let Some(err) = &props.layer_error {
                <p class="error" data-testid="error" role="alert">{ err.clone() }</p>
            } else {
                <section class="step placeholder" data-testid="step" data-step={step.id()} data-loading="true">
                    <h2>{ step_title(step) }</h2>
                    <p class="formula">{ formula(step) }</p>
                    <p class="explanation">{ step_explanation(step) }</p>
                    <p class="muted">{ t!("encoder.fetching_layer", layer = props.layer + 1) }</p>
                </section>
            }
        </>
    }
}
