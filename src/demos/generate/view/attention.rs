//! Causal attention at the step shown: for every layer and head (and each layer's head average)
//! the newest query's weights over the earlier tokens, as small strips one can pick; and the
//! chosen layer's full causal matrix up to that query, the masked upper triangle hatched,
//! with its data table and Save buttons. Hovering a token follows it in both.
//!
//! A causal model's row `i` never depends on later tokens, so the latest full recompute holds
//! every earlier step's attention too (until the window slides past a row).

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::output::token_label;
use super::state::{Action, FullRun, GenState};
use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::ui::components::heatmap::color;
use crate::ui::components::{ColorScale, MatrixTools};

/// Query row of step `shown` in the full run's window, if it is still in the window.
pub fn query_row(s: &GenState) -> Option<usize> {
    let g = s.generation.as_ref()?;
    let full = s.full.as_ref()?;
    let abs = (g.prompt_len + s.shown).checked_sub(2)?;
    let row = abs.checked_sub(full.first_position)?;
    (row < full.n).then_some(row)
}

/// One head's (or the mean of the heads') `(n, n)` map of a layer.
pub fn head_map(
    full: &FullRun,
    layer: usize,
    head: Option<usize>,
    n_heads: usize,
) -> Option<Matrix> {
    let w = full.weights.get(layer)?;
    let n = full.n;
    let at = |h: usize, i: usize, j: usize| w.get((h * n + i) * n + j).copied().unwrap_or(0.0);
    Some(match head {
        Some(h) => Matrix::from_fn(n, n, |i, j| at(h, i, j)),
        None => Matrix::from_fn(n, n, |i, j| {
            (0..n_heads).map(|h| at(h, i, j)).sum::<f32>() / n_heads as f32
        }),
    })
}

/// Labels of the window's tokens.
pub fn window_labels(s: &GenState) -> Vec<String> {
    let (Some(g), Some(full)) = (&s.generation, &s.full) else {
        return Vec::new();
    };
    let vocab = s.vocab.as_ref();
    g.ids[full.first_position..(full.first_position + full.n).min(g.ids.len())]
        .iter()
        .map(|&id| token_label(vocab, id))
        .collect()
}

fn strips(
    s: &GenState,
    dispatch: &UseReducerDispatcher<GenState>,
    q: usize,
    n_layers: usize,
    n_heads: usize,
) -> Html {
    let Some(full) = &s.full else { return html! {} };
    let cell = (480.0 / (q + 1) as f64).clamp(2.0, 16.0);
    let width = cell * (q + 1) as f64;
    let rows: Vec<(usize, Option<usize>)> = (0..n_layers)
        .flat_map(|l| {
            (0..n_heads)
                .map(move |h| (l, Some(h)))
                .chain(std::iter::once((l, None)))
        })
        .collect();
    html! {
        <div class="gen-strips" data-testid="attention-strips" role="group" aria-label={t!("generate.strips")}>
            { for rows.into_iter().map(|(l, h)| {
                let map = head_map(full, l, h, n_heads);
                let on = s.layer == l && s.head == h;
                let pick = { let d = dispatch.clone(); Callback::from(move |_: MouseEvent| { d.dispatch(Action::Layer(l)); d.dispatch(Action::Head(h)); }) };
                let name = match h { Some(h) => t!("generate.layer_head", layer = l + 1, head = h + 1).into_owned(), None => t!("generate.layer_avg", layer = l + 1).into_owned() };
                html! {
                    <button class={classes!("gen-strip", on.then_some("on"), h.is_none().then_some("avg"))} aria-pressed={on.to_string()}
                        data-testid="strip" data-layer={(l + 1).to_string()} data-head={h.map_or("avg".into(), |h| (h + 1).to_string())} onclick={pick}>
                        <span class="gen-strip-name">{ name }</span>
                        <svg width={width.to_string()} height="12" aria-hidden="true">
                            { for (0..=q).map(|j| {
                                let v = map.as_ref().and_then(|m| m.get(q, j)).unwrap_or(0.0);
                                html! { <rect x={(j as f64 * cell).to_string()} width={cell.to_string()} height="12" fill={color(ColorScale::Weights, v, 1.0)} /> }
                            }) }
                        </svg>
                    </button>
                }
            }) }
        </div>
    }
}

pub fn attention(
    s: &GenState,
    dispatch: &UseReducerDispatcher<GenState>,
    export: Rc<ExportContext>,
    svg: NodeRef,
) -> Html {
    let (Some(m), Some(full)) = (&s.manifest, &s.full) else {
        return html! {};
    };
    let Some(q) = query_row(s) else {
        return html! { <p class="note" data-testid="slid-out">{ t!("generate.slid_out") }</p> };
    };
    let Some(map) = head_map(full, s.layer, s.head, m.n_heads) else {
        return html! {};
    };
    let labels = window_labels(s);
    let n = q + 1;
    let shown = Rc::new(Matrix::from_fn(n, n, |i, j| map.get(i, j).unwrap_or(0.0)));
    let row_labels = Rc::new(labels[..n.min(labels.len())].to_vec());
    let cell = (440.0 / n as f64).clamp(3.0, 22.0);
    let pad = if cell >= 10.0 { 70.0 } else { 4.0 };
    let size = cell * n as f64;
    let hover_row = s.hover.and_then(|h| h.checked_sub(full.first_position));
    let name = match s.head {
        Some(h) => t!("generate.layer_head", layer = s.layer + 1, head = h + 1),
        None => t!("generate.layer_avg", layer = s.layer + 1),
    };
    html! {
        <section class="gen-attention" aria-label={t!("generate.attention")}>
            <h2>{ t!("generate.attention") }</h2>
            <p class="hint">{ t!("generate.attention_hint") }</p>
            { strips(s, dispatch, q, m.n_layers, m.n_heads) }
            <h3>{ t!("generate.causal_matrix", name = name.clone()) }</h3>
            <svg ref={svg.clone()} class="gen-causal" data-testid="causal-matrix" data-n={n.to_string()}
                viewBox={format!("0 0 {} {}", size + pad, size + pad)} width={(size + pad).min(560.0).to_string()} role="img"
                aria-label={t!("generate.causal_label", name = name.clone(), n = n)}>
                { crate::ui::components::heatmap::hatch_defs("gen-hatch", 6) }
                { for (0..n).flat_map(|i| (0..n).map(move |j| (i, j))).map(|(i, j)| {
                    let (x, y) = (pad + j as f64 * cell, pad + i as f64 * cell);
                    let v = shown.get(i, j).unwrap_or(0.0);
                    let fill = if j > i { "url(#gen-hatch)".to_owned() } else { color(ColorScale::Weights, v, 1.0) };
                    let hot = hover_row.is_some_and(|h| h == i || h == j);
                    html! { <rect class={classes!(hot.then_some("hot"), (j > i).then_some("masked"))} x={x.to_string()} y={y.to_string()}
                        width={cell.to_string()} height={cell.to_string()} fill={fill}>
                        <title>{ if j > i { t!("generate.masked_cell").into_owned() } else { format!("{} → {}: {v:.4}", row_labels[i], row_labels[j]) } }</title></rect> }
                }) }
                if pad > 10.0 {
                    { for row_labels.iter().enumerate().map(|(i, l)| html! {
                        <>
                            <text class="gen-axis" x={(pad - 3.0).to_string()} y={(pad + (i as f64 + 0.7) * cell).to_string()} text-anchor="end">{ l.chars().take(9).collect::<String>() }</text>
                            <text class="gen-axis" transform={format!("translate({},{}) rotate(-60)", pad + (i as f64 + 0.6) * cell, pad - 3.0)}>{ l.chars().take(9).collect::<String>() }</text>
                        </>
                    }) }
                }
            </svg>
            <p class="muted">{ t!("generate.causal_caption", n = n) }</p>
            <MatrixTools name={format!("attention L{} {}", s.layer + 1, s.head.map_or("avg".into(), |h| format!("H{}", h + 1)))} label={Some(AttrValue::from(name.into_owned()))}
                matrix={shown} rows={row_labels.clone()} cols={Some(row_labels)} export={Some(export)} svg={svg.clone()} />
        </section>
    }
}
