//! The head view (as BertViz draws it, here in the browser): the tokens twice, queries on the
//! left and keys on the right, and a line from each query to the keys it attends to, as opaque
//! as the weight. Hover or focus a token to follow only its lines and read their weights.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::encoder::{head_lines, visible_positions, AttentionMaps, Line};

/// One colour per head (Tableau 10 and two more), for the all-heads drawing.
pub const HEAD_COLOURS: [&str; 12] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#6b6b6b", "#1f3f8f", "#8cd17d",
];

/// Lines lighter than this are not drawn unless their token is hovered (they would be
/// invisible at their opacity, and at 256 tokens there would be 65 536 of them).
const MIN_WEIGHT: f32 = 0.04;
const MIN_WEIGHT_ALL_HEADS: f32 = 0.15;
const ROW: f32 = 18.0;
const LEFT_X: f32 = 125.0;
const RIGHT_X: f32 = 275.0;
const GAP: f32 = 8.0;
const WIDTH: f32 = 400.0;

#[derive(Properties)]
pub struct HeadViewProps {
    pub maps: Rc<AttentionMaps>,
    /// Changes with every new result: props compare by it, not by the maps' floats.
    pub version: u64,
    pub tokens: Rc<Vec<String>>,
    pub layer: usize,
    pub head: usize,
    /// Draw every head of the layer, each in its colour.
    pub all_heads: bool,
    pub hide_special: bool,
}

impl PartialEq for HeadViewProps {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
            && Rc::ptr_eq(&self.maps, &other.maps)
            && (self.layer, self.head, self.all_heads, self.hide_special)
                == (other.layer, other.head, other.all_heads, other.hide_special)
    }
}

/// Which token the pointer (or keyboard focus) is on: a query on the left or a key on the right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Focus {
    Query(usize),
    Key(usize),
}

#[component]
pub fn HeadView(props: &HeadViewProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let focus = use_state(|| None::<Focus>);
    let visible = visible_positions(&props.tokens, props.hide_special);
    // Position in the drawing of each visible token.
    let slot = |pos: usize| visible.iter().position(|&p| p == pos);
    let heads: Vec<usize> = if props.all_heads {
        (0..props.maps.n_heads).collect()
    } else {
        vec![props.head]
    };
    let threshold = match (*focus, props.all_heads) {
        (Some(_), _) => 0.0,
        (None, true) => MIN_WEIGHT_ALL_HEADS,
        (None, false) => MIN_WEIGHT,
    };
    let keep = |l: &Line| match *focus {
        Some(Focus::Query(i)) => l.from == i,
        Some(Focus::Key(j)) => l.to == j,
        None => true,
    };
    let mut lines: Vec<(usize, Line)> = Vec::new();
    for &h in &heads {
        if let Some(m) = props.maps.head(props.layer, h) {
            lines.extend(
                head_lines(m, &visible, threshold.max(1e-3))
                    .into_iter()
                    .filter(keep)
                    .map(|l| (h, l)),
            );
        }
    }
    // Weights shown beside the tokens on the other side of a focused token (one head only).
    let focused_weight = |pos: usize, left_side: bool| -> Option<f32> {
        if props.all_heads {
            return None;
        }
        let m = props.maps.head(props.layer, props.head)?;
        match (*focus, left_side) {
            (Some(Focus::Query(i)), false) => m.get(i, pos),
            (Some(Focus::Key(j)), true) => m.get(pos, j),
            _ => None,
        }
    };
    let height = ROW * visible.len() as f32 + 8.0;
    let y = |k: usize| 4.0 + ROW * k as f32 + ROW / 2.0;
    let token_label = |k: usize, pos: usize, left: bool| {
        let token = props.tokens.get(pos).cloned().unwrap_or_default();
        let f = if left {
            Focus::Query(pos)
        } else {
            Focus::Key(pos)
        };
        let active = *focus == Some(f);
        let (enter, leave) = {
            let (a, b) = (focus.clone(), focus.clone());
            (
                Callback::from(move |_| a.set(Some(f))),
                Callback::from(move |_| b.set(None)),
            )
        };
        let (fin, fout) = (
            enter.reform(|_: FocusEvent| ()),
            leave.reform(|_: FocusEvent| ()),
        );
        let x = if left { LEFT_X } else { RIGHT_X };
        let weight = focused_weight(pos, left).map(|w| format!(" {:.0}%", w * 100.0));
        let shown = if token.chars().count() > 14 {
            format!("{}…", token.chars().take(13).collect::<String>())
        } else {
            token.clone()
        };
        let text = match (&weight, left) {
            (Some(w), true) => format!("{w}  {shown}"),
            (Some(w), false) => format!("{shown}  {w}"),
            (None, _) => shown,
        };
        html! {
            <text class={classes!("enc-hv-token", active.then_some("active"), token.starts_with('[').then_some("special"))}
                data-testid={if left { "hv-query" } else { "hv-key" }} data-pos={pos.to_string()}
                x={x.to_string()} y={(y(k) + 4.0).to_string()} text-anchor={if left { "end" } else { "start" }}
                tabindex="0" focusable="true" aria-label={if left { t!("encoder.hv.query_label", pos = pos, token = token) } else { t!("encoder.hv.key_label", pos = pos, token = token) }}
                onmouseenter={enter.reform(|_: MouseEvent| ())} onmouseleave={leave.reform(|_: MouseEvent| ())}
                onfocus={fin} onblur={fout}>{ text }</text>
        }
    };
    let drawn = lines.iter().filter_map(|(h, l)| {
        let (a, b) = (slot(l.from)?, slot(l.to)?);
        let colour = if props.all_heads { HEAD_COLOURS[h % HEAD_COLOURS.len()] } else { "#3b4cc0" };
        Some(html! {
            <line class="enc-hv-line" data-testid="hv-line" data-from={l.from.to_string()} data-to={l.to.to_string()}
                data-head={h.to_string()} data-weight={format!("{:.4}", l.weight)}
                x1={(LEFT_X + GAP).to_string()} y1={y(a).to_string()} x2={(RIGHT_X - GAP).to_string()} y2={y(b).to_string()}
                stroke={colour} stroke-opacity={format!("{:.3}", l.weight.clamp(0.0, 1.0))}
                stroke-width={if focus.is_some() { "2.5" } else { "2" }} />
        })
    });
    let n_lines = lines.len();
    html! {
        <figure class="enc-head-view" data-testid="head-view" data-layer={props.layer.to_string()}
            data-head={props.head.to_string()} data-all-heads={props.all_heads.to_string()} data-lines={n_lines.to_string()}>
            <figcaption class="muted">
                { if props.all_heads {
                    t!("encoder.hv.caption_all", layer = props.layer + 1, heads = props.maps.n_heads, min = format!("{:.0}", MIN_WEIGHT_ALL_HEADS * 100.0))
                } else {
                    t!("encoder.hv.caption_one", layer = props.layer + 1, head = props.head + 1, min = format!("{:.0}", MIN_WEIGHT * 100.0))
                } }
            </figcaption>
            if props.all_heads {
                <ul class="enc-hv-legend" aria-label={t!("encoder.hv.legend")}>
                    { for (0..props.maps.n_heads).map(|h| html! {
                        <li><span style={format!("background:{}", HEAD_COLOURS[h % HEAD_COLOURS.len()])}></span>{ h + 1 }</li>
                    }) }
                </ul>
            }
            <div class="enc-hv-sides" aria-hidden="true"><span>{ t!("encoder.hv.queries") }</span><span>{ t!("encoder.hv.keys") }</span></div>
            <div class="enc-hv-scroll">
                <svg class="enc-hv" viewBox={format!("0 0 {WIDTH} {height}")} width={WIDTH.to_string()} height={height.to_string()}
                    role="img" aria-label={t!("encoder.hv.svg_label", tokens = visible.len(), lines = n_lines)}>
                    <g class="enc-hv-lines">{ for drawn }</g>
                    { for visible.iter().enumerate().map(|(k, &pos)| token_label(k, pos, true)) }
                    { for visible.iter().enumerate().map(|(k, &pos)| token_label(k, pos, false)) }
                </svg>
            </div>
        </figure>
    }
}
