//! The walkthrough's steps for the chosen layer and head at the step shown, recomputed here
//! from the model's own `X` and weights (RoPE included), checked against the model's cache and
//! attention; then the language-model head from the final LayerNorm to the sampled token.

use rust_i18n::t;
use yew::prelude::*;

use super::attention::{query_row, window_labels};
use super::output::token_label;
use super::state::GenState;
use crate::demos::generate::steps::{head_steps, layer_norm, max_abs_diff, Focus, HeadAtPosition};
use crate::maths::{Agreement, StepCheck};
use crate::ui::components::AgreementBadge;

fn short(v: &[f32]) -> String {
    let mut s: Vec<String> = v.iter().take(6).map(|x| format!("{x:.3}")).collect();
    if v.len() > 6 {
        s.push(format!("… ({})", v.len()));
    }
    format!("[{}]", s.join(", "))
}

fn checks(s: &GenState, st: &HeadAtPosition, q: usize) -> Agreement {
    let mut checks = Vec::new();
    let (Some(g), Some(full)) = (&s.generation, &s.full) else {
        return Agreement::default();
    };
    let n = q + 1;
    let d_k = st.k.cols();
    let offset = full.first_position.saturating_sub(g.cache.first_position);
    let cache_rows = |values: bool| -> Vec<f32> {
        g.cache
            .head(st.layer, st.head, values)
            .and_then(|h| h.get(offset * d_k..(offset + n) * d_k))
            .map(<[f32]>::to_vec)
            .unwrap_or_default()
    };
    let ours = |m: &crate::maths::Matrix| m.data()[..n * d_k].to_vec();
    let mut push = |what: String, d: f32| {
        checks.push(StepCheck {
            layer: Some(st.layer),
            what,
            max_abs_diff: d,
        })
    };
    push(
        "K (RoPE) = cache".into(),
        max_abs_diff(&ours(&st.k), &cache_rows(false)),
    );
    push(
        "V = cache".into(),
        max_abs_diff(&ours(&st.v), &cache_rows(true)),
    );
    let model_row: Vec<f32> = (0..n)
        .map(|j| {
            full.weights[st.layer]
                .get((st.head * full.n + q) * full.n + j)
                .copied()
                .unwrap_or(f32::NAN)
        })
        .collect();
    push(
        format!("weights head {}", st.head + 1),
        max_abs_diff(&st.weights[..n], &model_row),
    );
    if let Some(p) = &s.params {
        let ln = layer_norm(
            full.final_hidden.row(q),
            &p.gamma,
            &p.beta,
            s.manifest.as_ref().map_or(1e-5, |m| m.ln_eps),
        );
        checks.push(StepCheck {
            layer: None,
            what: "final LayerNorm".into(),
            max_abs_diff: ln.map_or(f32::INFINITY, |ln| {
                max_abs_diff(&ln, full.final_norm.row(q))
            }),
        });
    }
    Agreement { checks }
}

pub fn steps_view(s: &GenState) -> Html {
    let (Some(m), Some(full), Some(p), Some(g)) = (&s.manifest, &s.full, &s.params, &s.generation)
    else {
        return html! {};
    };
    let Some(q) = query_row(s) else {
        return html! {};
    };
    let head = s.head.unwrap_or(0);
    let (Some(x), Some(w)) = (full.x.get(s.layer), p.layers.get(s.layer)) else {
        return html! {};
    };
    let focus = Focus {
        layer: s.layer,
        head,
        t: q,
        first_position: full.first_position,
        n_heads: m.n_heads,
        rope_base: m.rope_base,
    };
    let st = match head_steps(x, w, focus) {
        Ok(st) => st,
        Err(e) => return html! { <p class="error">{ format!("{e:?}") }</p> },
    };
    let labels = window_labels(s);
    let agreement = checks(s, &st, q);
    let choice = s.shown.checked_sub(1).and_then(|i| g.choices.get(i));
    let vocab = s.vocab.as_ref();
    let temp = g.sampler.temperature;
    html! {
        <section class="gen-steps" aria-label={t!("generate.steps")} data-testid="steps">
            <h2>{ t!("generate.steps_title", layer = s.layer + 1, head = head + 1, token = labels.get(q).cloned().unwrap_or_default()) }</h2>
            if s.head.is_none() { <p class="note">{ t!("generate.steps_avg_note") }</p> }
            <AgreementBadge agreement={agreement} layer={s.layer} />
            <ol class="gen-step-list">
                <li>{ t!("generate.step_qkv", d_k = m.d_k) }<br /><code>{ format!("q_raw = {}", short(&st.q_raw)) }</code></li>
                <li>{ t!("generate.step_rope", pos = st.position, base = m.rope_base) }<br /><code>{ format!("q = {}", short(&st.q)) }</code></li>
                <li>{ t!("generate.step_cache", n = q + 1) }</li>
                <li>{ t!("generate.step_scores") }</li>
                <li>{ t!("generate.step_scale", sqrt = format!("{:.2}", (m.d_k as f32).sqrt())) }</li>
                <li>{ t!("generate.step_mask", t = q + 1) }</li>
                <li>{ t!("generate.step_softmax") }
                    <table class="gen-table" data-testid="steps-table">
                        <thead><tr><th>{ t!("generate.col_key") }</th><th>{ "q·k" }</th><th>{ "÷√d_k" }</th><th>{ t!("generate.col_masked") }</th><th>{ t!("generate.col_weight") }</th></tr></thead>
                        <tbody>{ for (0..st.scores.len()).filter(|&j| j <= q + 2).map(|j| html! {
                            <tr class={classes!((j > q).then_some("filtered"))}><td lang="en">{ labels.get(j).cloned().unwrap_or_default() }</td>
                                <td>{ format!("{:.3}", st.scores[j]) }</td><td>{ format!("{:.3}", st.scaled[j]) }</td>
                                <td>{ if st.masked[j].is_finite() { format!("{:.3}", st.masked[j]) } else { "−∞".into() } }</td>
                                <td>{ format!("{:.4}", st.weights[j]) }</td></tr>
                        }) }</tbody>
                    </table>
                </li>
                <li>{ t!("generate.step_context") }<br /><code>{ format!("c = {}", short(&st.context)) }</code></li>
                <li>{ t!("generate.step_concat", heads = m.n_heads, d = m.d_model) }<br /><code>{ short(&st.concat) }</code></li>
                <li>{ t!("generate.step_wo") }<br /><code>{ short(&st.out) }</code></li>
            </ol>
            <h3>{ t!("generate.lm_head") }</h3>
            <ol class="gen-step-list">
                <li>{ t!("generate.step_final_norm") }<br /><code>{ short(full.final_norm.row(q)) }</code></li>
                <li>{ t!("generate.step_logits", vocab = m.vocab_size) }</li>
                if let Some(c) = choice {
                    <li>{ t!("generate.step_temperature", t = temp) }
                        <table class="gen-table"><thead><tr><th>{ t!("generate.col_token") }</th><th>{ t!("generate.col_logit") }</th><th>{ "÷T" }</th></tr></thead>
                            <tbody>{ for c.candidates.iter().take(5).map(|k| html! { <tr><td lang="en">{ token_label(vocab, k.id) }</td><td>{ format!("{:.3}", k.logit) }</td>
                                <td>{ if temp > 0.0 { format!("{:.3}", f64::from(k.logit) / temp) } else { "–".into() } }</td></tr> }) }</tbody></table></li>
                    <li>{ t!("generate.step_filter", kept = c.kept) }</li>
                    <li>{ t!("generate.step_sample", token = token_label(vocab, c.token)) }</li>
                }
            </ol>
        </section>
    }
}
