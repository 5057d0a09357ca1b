//! "Does attention explain this?" under the translation: the shared panel, explaining the token
//! chosen at the step shown (see [`crate::demos::translate::explain`] for what is compared).

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::state::{token_label, Source};
use crate::demos::translate::explain::{SourceVariants, StepInput};
use crate::demos::translate::{display_token, Decoding, TranslateManifest, DECODER_KEY};
use crate::export::ExportContext;
use crate::ui::components::explain::{ExplainPanel, Explainable};

#[derive(Properties, PartialEq)]
pub struct TrExplainProps {
    pub source: Option<Rc<Source>>,
    pub decoding: Option<Rc<Decoding>>,
    /// Steps shown: the panel explains step `shown` (1-based)
    pub shown: usize,
    /// The translation's number: with `shown` it names the prediction explained
    pub run: u64,
    pub manifest: Option<Rc<TranslateManifest>>,
    /// Decoding runs on its own (play, all, a link's steps): the panel waits, since its runs
    /// would hold up every step
    pub decoding_runs: bool,
    pub vocab: Option<Rc<Vec<String>>>,
    pub open: bool,
    pub ontoggle: Callback<bool>,
    pub export: Rc<ExportContext>,
}

/// The subject of step `shown`, or why there is none.
fn explainable(
    source: Option<&Source>,
    decoding: Option<&Decoding>,
    shown: usize,
    manifest: Option<&TranslateManifest>,
) -> Result<Explainable, String> {
    let (Some(src), Some(d), Some(m), Some(t)) = (source, decoding, manifest, shown.checked_sub(1))
    else {
        return Err(t!("explain.translate_wait").into_owned());
    };
    let Some(step) = d.steps().get(t) else {
        return Err(t!("explain.translate_wait").into_owned());
    };
    let chosen = step.top.first().map_or(f32::NAN, |c| c.log_prob);
    let cross = step.cross_rows.last().cloned().unwrap_or_default();
    let prefix = d.prefix()[..=t].to_vec();
    let input = StepInput {
        src_ids: &src.encoded.ids,
        src_tokens: &src.encoded.tokens,
        encoder: &src.encoder,
        cross: &cross,
        prefix,
        target: step.chosen,
        base: f64::from(chosen).exp(),
    };
    Explainable::new(
        SourceVariants::new(input, m.eos_id, m.unk_id, m.vocab_size, display_token),
        DECODER_KEY,
    )
}

#[component]
pub fn TrExplain(props: &TrExplainProps) -> Html {
    // Made once per (translation, step): stepping on reruns the panel, new steps decoded
    // after the one shown do not.
    let input = use_memo(
        (
            props.run,
            props.shown,
            props.decoding.is_some(),
            props.decoding_runs,
        ),
        {
            let (source, decoding, manifest) = (
                props.source.clone(),
                props.decoding.clone(),
                props.manifest.clone(),
            );
            move |(_, shown, _, runs)| {
                if *runs {
                    return Err(t!("explain.wait_decoding").into_owned());
                }
                explainable(
                    source.as_deref(),
                    decoding.as_deref(),
                    *shown,
                    manifest.as_deref(),
                )
            }
        },
    );
    let target = props
        .decoding
        .as_ref()
        .and_then(|d| d.steps().get(props.shown.checked_sub(1)?))
        .map(|s| {
            let token = token_label(props.vocab.as_ref(), s.chosen);
            t!(
                "explain.translate_target",
                token = token,
                step = props.shown
            )
            .into_owned()
        })
        .unwrap_or_default();
    html! {
        <ExplainPanel input={(*input).clone()} target={target} open={props.open}
            ontoggle={props.ontoggle.clone()} export={Some(props.export.clone())}
            note={Some(AttrValue::from(t!("explain.translate_note").into_owned()))} />
    }
}
