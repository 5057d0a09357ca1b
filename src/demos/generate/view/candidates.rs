//! One step's choice: the top candidates' probabilities as the model gives them and after
//! temperature, top-k and top-p, their cumulative sums, and the draw that picked the token —
//! drawn as a bar of the kept candidates' probabilities with the draw marked, and as a table.

use rust_i18n::t;
use yew::prelude::*;

use super::output::token_label;
use super::state::GenState;
use crate::demos::generate::sampling::Choice;

const BAR_W: f64 = 600.0;
const BAR_H: f64 = 34.0;

fn pct(p: f64) -> String {
    format!("{:.2} %", p * 100.0)
}

/// The kept candidates side by side on [0, 1], and the draw as a line.
fn draw_bar(c: &Choice, vocab: Option<&std::rc::Rc<Vec<String>>>) -> Html {
    let mut x = 0.0;
    let segments: Vec<Html> = c
        .candidates
        .iter()
        .filter(|k| k.kept)
        .enumerate()
        .map(|(i, k)| {
            let w = k.p_final * BAR_W;
            let seg = html! {
                <g>
                    <rect x={x.to_string()} y="0" width={w.max(0.5).to_string()} height={BAR_H.to_string()}
                        class={classes!("gen-seg", (k.id == c.token).then_some("chosen"), if i % 2 == 0 { "even" } else { "odd" })}>
                        <title>{ format!("{} {}", token_label(vocab, k.id), pct(k.p_final)) }</title>
                    </rect>
                    if w > 36.0 {
                        <text x={(x + 3.0).to_string()} y="21" class="gen-seg-label">{ token_label(vocab, k.id) }</text>
                    }
                </g>
            };
            x += w;
            seg
        })
        .collect();
    let u = c.draw.map(|u| u * BAR_W);
    html! {
        <svg class="gen-draw" data-testid="draw-bar" viewBox={format!("0 -6 {BAR_W} {}", BAR_H + 20.0)} role="img"
            aria-label={c.draw.map_or_else(|| t!("generate.greedy_note").into_owned(), |u| t!("generate.draw_label", u = format!("{u:.4}")).into_owned())}>
            { for segments }
            if x < BAR_W {
                <rect x={x.to_string()} y="0" width={(BAR_W - x).to_string()} height={BAR_H.to_string()} class="gen-seg rest" />
            }
            if let Some(u) = u {
                <line x1={u.to_string()} x2={u.to_string()} y1="-6" y2={(BAR_H + 6.0).to_string()} class="gen-u" />
                <text x={u.min(BAR_W - 60.0).to_string()} y={(BAR_H + 14.0).to_string()} class="gen-u-label">{ format!("u = {:.4}", c.draw.unwrap_or_default()) }</text>
            }
        </svg>
    }
}

pub fn candidates(s: &GenState) -> Html {
    let Some(g) = &s.generation else {
        return html! {};
    };
    let Some(c) = s.shown.checked_sub(1).and_then(|i| g.choices.get(i)) else {
        return html! {};
    };
    let vocab = s.vocab.as_ref();
    let sm = g.sampler;
    html! {
        // Focusable: on a phone the table scrolls sideways (`.generate section`), and a
        // keyboard must be able to scroll it too.
        <section class="gen-candidates" tabindex="0" aria-label={t!("generate.candidates")}>
            <h2>{ t!("generate.candidates_step", step = s.shown) }</h2>
            <p class="hint">{
                if sm.greedy() { t!("generate.greedy_note").into_owned() }
                else { t!("generate.sampled_note", t = sm.temperature, k = sm.top_k, p = sm.top_p, kept = c.kept, mass = pct(c.kept_mass)).into_owned() }
            }</p>
            { draw_bar(c, vocab) }
            <p data-testid="chosen">{ t!("generate.chosen", token = token_label(vocab, c.token), id = c.token) }
                if let Some(u) = c.draw { { " · " }<span data-testid="draw">{ t!("generate.draw", u = format!("{u:.6}")) }</span> }</p>
            <table class="gen-table" data-testid="candidates-table">
                <thead><tr>
                    <th>{ "#" }</th><th>{ t!("generate.col_token") }</th><th>{ t!("generate.col_logit") }</th>
                    <th>{ t!("generate.col_p_model") }</th><th>{ t!("generate.col_p_final") }</th><th>{ t!("generate.col_cumulative") }</th>
                </tr></thead>
                <tbody>
                    { for c.candidates.iter().enumerate().map(|(r, k)| html! {
                        <tr class={classes!((!k.kept).then_some("filtered"), (k.id == c.token).then_some("chosen"))} data-testid="candidate" data-id={k.id.to_string()}>
                            <td>{ r + 1 }</td><td lang="en">{ token_label(vocab, k.id) }</td><td>{ format!("{:.3}", k.logit) }</td>
                            <td>{ pct(k.p_model) }</td><td>{ if k.kept { pct(k.p_final) } else { t!("generate.filtered").into_owned() } }</td>
                            <td>{ if k.kept { format!("{:.4}", k.cumulative) } else { "–".into() } }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}
