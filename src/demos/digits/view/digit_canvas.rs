//! A square drawing surface for a digit: pointer events, so a mouse, a pen and a finger all draw.
//! Strokes are kept as points in canvas units (`CANVAS` × `CANVAS`, whatever the size on screen);
//! the page turns them into the model's 8×8 input with [`crate::demos::digits`].

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::digits::{CANVAS, PEN_RADIUS, PIXEL_MAX, SIDE};

pub type Stroke = Vec<(f32, f32)>;

#[derive(Properties, PartialEq)]
pub struct DigitCanvasProps {
    /// Finished strokes.
    pub strokes: Rc<Vec<Stroke>>,
    /// Called with each stroke when the pen lifts.
    pub onstroke: Callback<Stroke>,
    /// An 8×8 image (64 levels 0–16) drawn faintly behind the strokes: a drawing that came in a
    /// link, which holds the image the model read but not the strokes.
    #[prop_or_default]
    pub backdrop: Option<Rc<Vec<f32>>>,
}

/// The pointer's position in canvas units. (Yew delegates events to the app root, so
/// `current_target` is not the drawing area: the element comes from a node ref.)
fn point(el: &NodeRef, e: &PointerEvent) -> Option<(f32, f32)> {
    let el: web_sys::Element = el.cast()?;
    let rect = el.get_bounding_client_rect();
    if rect.width() <= 0.0 || rect.height() <= 0.0 {
        return None;
    }
    let x = (f64::from(e.client_x()) - rect.left()) / rect.width() * CANVAS as f64;
    let y = (f64::from(e.client_y()) - rect.top()) / rect.height() * CANVAS as f64;
    Some((x as f32, y as f32))
}

fn path_of(stroke: &[(f32, f32)]) -> String {
    match stroke {
        [] => String::new(),
        // a dot: a zero-length line with round caps
        [(x, y)] => format!("M{x:.1},{y:.1}l0.01,0"),
        [(x, y), rest @ ..] => {
            let mut d = format!("M{x:.1},{y:.1}");
            for (x, y) in rest {
                d.push_str(&format!("L{x:.1},{y:.1}"));
            }
            d
        }
    }
}

#[component]
pub fn DigitCanvas(props: &DigitCanvasProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    // The stroke being drawn lives in a cell, not in state: pointer events can arrive faster than
    // the component re-renders, and each must see the points before it.
    let current = use_mut_ref(|| None::<Stroke>);
    let redraw = use_force_update();
    let svg_ref = use_node_ref();

    let onpointerdown = {
        let (current, svg_ref, redraw) = (current.clone(), svg_ref.clone(), redraw.clone());
        Callback::from(move |e: PointerEvent| {
            e.prevent_default();
            if let Some(el) = svg_ref.cast::<web_sys::Element>() {
                let _ = el.set_pointer_capture(e.pointer_id());
            }
            if let Some(p) = point(&svg_ref, &e) {
                *current.borrow_mut() = Some(vec![p]);
                redraw.force_update();
            }
        })
    };
    let onpointermove = {
        let (current, svg_ref, redraw) = (current.clone(), svg_ref.clone(), redraw.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(p) = point(&svg_ref, &e) else {
                return;
            };
            let mut cur = current.borrow_mut();
            if let Some(stroke) = cur.as_mut() {
                // skip points closer than a pixel to the last one
                if stroke
                    .last()
                    .is_none_or(|&(x, y)| (x - p.0).abs() + (y - p.1).abs() >= 1.0)
                {
                    stroke.push(p);
                    drop(cur);
                    redraw.force_update();
                }
            }
        })
    };
    let finish = {
        let (current, onstroke) = (current.clone(), props.onstroke.clone());
        Callback::from(move |_: PointerEvent| {
            let stroke = current.borrow_mut().take();
            if let Some(stroke) = stroke {
                onstroke.emit(stroke);
            }
        })
    };
    let width = (2.0 * PEN_RADIUS).to_string();
    let cell = CANVAS as f32 / SIDE as f32;
    let backdrop = props.backdrop.as_ref().map(|levels| {
        html! {
            <g class="dg-backdrop" data-testid="canvas-backdrop">
                { for levels.iter().enumerate().filter(|(_, &v)| v > 0.0).map(|(i, &v)| html! {
                    <rect x={((i % SIDE) as f32 * cell).to_string()} y={((i / SIDE) as f32 * cell).to_string()}
                        width={cell.to_string()} height={cell.to_string()}
                        fill-opacity={format!("{:.3}", (v / PIXEL_MAX).clamp(0.0, 1.0))} />
                }) }
            </g>
        }
    });
    html! {
        <svg ref={svg_ref} class="dg-canvas" data-testid="digit-canvas" viewBox={format!("0 0 {CANVAS} {CANVAS}")}
            role="img" aria-label={if props.backdrop.is_some() { t!("digits.canvas.label_shared") } else { t!("digits.canvas.label") }}
            onpointerdown={onpointerdown} onpointermove={onpointermove}
            onpointerup={finish.clone()} onpointercancel={finish}>
            <rect class="dg-canvas-bg" x="0" y="0" width={CANVAS.to_string()} height={CANVAS.to_string()} />
            { backdrop.unwrap_or_default() }
            { for props.strokes.iter().chain(current.borrow().iter()).map(|s| html! {
                <path class="dg-stroke" data-testid="stroke" d={path_of(s)} stroke-width={width.clone()} />
            }) }
        </svg>
    }
}
