//! Side-by-side bars per element: attention (one head or the head mean), rollout and occlusion,
//! each scaled to its own largest magnitude, with the numbers beside them and a data table.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::ui::components::scroll_box;

use super::toggle_element;
use crate::explain::{Importance, Measure, Subject};
use crate::export::ExportContext;
use crate::maths::Matrix;
use crate::ui::components::heatmap::format_value;
use crate::ui::components::MatrixTools;
use crate::ui::events::one_based_select;

const ROW_H: f64 = 20.0;
const LABEL_W: f64 = 110.0;
const BAR_W: f64 = 150.0;
const GAP: f64 = 14.0;
const HEAD_H: f64 = 22.0;

/// Every series as one matrix (elements × heads, mean, rollout, occlusion) with its column names.
fn table(importance: &Importance) -> (Matrix, Vec<String>) {
    let heads = importance.per_head.len();
    let mut cols: Vec<String> = (1..=heads)
        .map(|h| t!("explain.col.head", h = h).into_owned())
        .collect();
    cols.extend([Measure::Attention, Measure::Rollout, Measure::Occlusion].map(Measure::label));
    let n = importance.occlusion.len();
    let matrix = Matrix::from_fn(n, heads + 3, |e, c| {
        let v = match c {
            c if c < heads => importance.per_head[c][e],
            c if c == heads => importance.attention[e],
            c if c == heads + 1 => importance.rollout[e],
            _ => importance.occlusion[e],
        };
        v as f32
    });
    (matrix, cols)
}

pub(super) fn bars(
    subject: &Subject,
    importance: &Importance,
    head: &UseStateHandle<Option<usize>>,
    removed: &UseStateHandle<Vec<usize>>,
    export: Option<Rc<ExportContext>>,
) -> Html {
    let heads = importance.per_head.len();
    let chosen = head.filter(|&h| h < heads);
    let attention = chosen.map_or(&importance.attention, |h| &importance.per_head[h]);
    let attention_label = match chosen {
        Some(h) => t!("explain.col.head", h = h + 1).into_owned(),
        None => Measure::Attention.label(),
    };
    let series: [(String, &Vec<f64>, &str); 3] = [
        (attention_label, attention, "attention"),
        (Measure::Rollout.label(), &importance.rollout, "rollout"),
        (
            Measure::Occlusion.label(),
            &importance.occlusion,
            "occlusion",
        ),
    ];
    let n = subject.labels.len();
    let width = LABEL_W + 3.0 * (BAR_W + GAP);
    let height = HEAD_H + ROW_H * n as f64;
    let (matrix, cols) = table(importance);
    let svg = NodeRef::default();
    let on_head = {
        let head = head.clone();
        // Option 1 is the head mean, then heads 1…H.
        one_based_select(Callback::from(move |v: usize| head.set(v.checked_sub(1))))
    };
    html! {
        <div class="explain-bars-wrap">
            <label class="explain-head">{ t!("explain.head_choice") }{ " " }
                <select data-testid="explain-head" onchange={on_head}>
                    <option value="1" selected={chosen.is_none()}>{ t!("explain.head_mean") }</option>
                    { for (0..heads).map(|h| html! { <option value={(h + 2).to_string()} selected={chosen == Some(h)}>{ t!("explain.col.head", h = h + 1) }</option> }) }
                </select>
            </label>
            { scroll_box("explain-scroll", t!("explain.bars_label"), html! {
            <svg ref={svg.clone()} class="explain-bars" data-testid="explain-bars" role="img"
                aria-label={t!("explain.bars_label")} viewBox={format!("0 0 {width} {height}")} width={width.to_string()}>
                { for series.iter().enumerate().map(|(s, (name, _, _))| html! {
                    <text class="explain-col" x={(LABEL_W + s as f64 * (BAR_W + GAP)).to_string()} y="14">{ name.clone() }</text>
                }) }
                { for subject.labels.iter().enumerate().map(|(e, label)| {
                    let y = HEAD_H + e as f64 * ROW_H;
                    let gone = removed.contains(&e);
                    html! {
                        <g class={classes!("explain-row", gone.then_some("removed"))} data-testid="explain-row" onclick={toggle_element(removed, e)}>
                            <text class="explain-label" x={(LABEL_W - 6.0).to_string()} y={(y + 14.0).to_string()} text-anchor="end">{ short(label) }</text>
                            { for series.iter().enumerate().map(|(s, (_, values, id))| bar(s, y, values, e, id)) }
                        </g>
                    }
                }) }
            </svg>
            }) }
            <MatrixTools name="explain-importance" label={t!("explain.bars_label").into_owned()}
                matrix={Rc::new(matrix)} rows={Rc::new(subject.labels.clone())} cols={Some(Rc::new(cols))}
                export={export} svg={svg} />
        </div>
    }
}

fn bar(s: usize, y: f64, values: &[f64], e: usize, id: &str) -> Html {
    let max = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let v = values.get(e).copied().unwrap_or(f64::NAN);
    let w = if max > 0.0 {
        v.abs() / max * (BAR_W - 50.0)
    } else {
        0.0
    };
    let x = LABEL_W + s as f64 * (BAR_W + GAP);
    html! { <>
        <rect class={classes!("explain-bar", id.to_owned(), (v < 0.0).then_some("neg"))} x={x.to_string()} y={(y + 4.0).to_string()}
            width={format!("{w:.2}")} height={(ROW_H - 7.0).to_string()} />
        <text class="explain-value" data-testid={format!("explain-value-{id}")} x={(x + w + 3.0).to_string()} y={(y + 14.0).to_string()}>{ format_value(v as f32) }</text>
    </> }
}

/// A label cut to fit its column.
fn short(label: &str) -> String {
    if label.chars().count() > 14 {
        label.chars().take(13).chain(['…']).collect()
    } else {
        label.to_owned()
    }
}
