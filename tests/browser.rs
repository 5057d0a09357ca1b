//! Components mounted in headless Chromium (wasm-bindgen-test): what they put in the DOM.

#![cfg(target_arch = "wasm32")]

use std::rc::Rc;
use std::time::Duration;

use attention_playground::maths::{Agreement, Matrix, StepCheck};
use attention_playground::steps::Step;
use attention_playground::ui::components::{
    AgreementBadge, ColorScale, Heatmap, StepNavigator, TokenStrip,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

fn root() -> web_sys::Element {
    let document = gloo::utils::document();
    let div = document.create_element("div").expect("div");
    gloo::utils::body().append_child(&div).expect("append");
    div
}

async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(20)).await;
}

#[wasm_bindgen_test]
async fn heatmap_draws_one_labelled_cell_per_entry_and_reports_clicks() {
    let clicked = Rc::new(std::cell::Cell::new(None));
    let sink = clicked.clone();
    let matrix = Rc::new(Matrix::from_fn(3, 3, |i, j| {
        if j > i {
            f32::NEG_INFINITY
        } else {
            (i + j) as f32 / 4.0
        }
    }));
    let props = yew::props!(
        attention_playground::ui::components::heatmap::HeatmapProps {
            name: "weights head 1",
            matrix,
            rows: Rc::new(vec!["[CLS]".into(), "god".into(), "[SEP]".into()]),
            cols: Some(Rc::new(vec!["[CLS]".into(), "god".into(), "[SEP]".into()])),
            scale: ColorScale::Weights,
            onselect: Some(Callback::from(move |cell| sink.set(Some(cell)))),
        }
    );
    let el = root();
    yew::Renderer::<Heatmap>::with_root_and_props(el.clone(), props).render();
    settle().await;

    let svg = el
        .query_selector("[data-testid=heatmap]")
        .expect("query")
        .expect("svg");
    assert_eq!(
        svg.get_attribute("data-name").as_deref(),
        Some("weights head 1")
    );
    assert_eq!(svg.get_attribute("data-rows").as_deref(), Some("3"));
    let cells = el.query_selector_all("[data-testid=cell]").expect("cells");
    assert_eq!(cells.length(), 9);
    let masked = el
        .query_selector("[data-row='0'][data-col='2']")
        .expect("q")
        .expect("cell");
    assert!(masked
        .get_attribute("aria-label")
        .unwrap_or_default()
        .contains("−∞"));
    let cell = el
        .query_selector("[data-row='2'][data-col='1']")
        .expect("q")
        .expect("cell");
    assert!(cell
        .get_attribute("aria-label")
        .unwrap_or_default()
        .contains("0.750"));
    cell.dyn_ref::<web_sys::SvgElement>()
        .expect("svg element")
        .dispatch_event(
            &web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &{
                let init = web_sys::MouseEventInit::new();
                init.set_bubbles(true);
                init
            })
            .expect("event"),
        )
        .expect("dispatch");
    settle().await;
    assert_eq!(clicked.get(), Some((2, 1)));
}

#[wasm_bindgen_test]
async fn agreement_badge_is_green_only_below_the_tolerance() {
    for (diff, ok) in [(3e-7f32, "true"), (2e-3, "false")] {
        let agreement = Agreement {
            checks: vec![StepCheck {
                layer: Some(0),
                what: "Q".into(),
                max_abs_diff: diff,
            }],
        };
        let el = root();
        yew::Renderer::<AgreementBadge>::with_root_and_props(
            el.clone(),
            yew::props!(
                attention_playground::ui::components::agreement_badge::AgreementBadgeProps {
                    agreement,
                    layer: 0
                }
            ),
        )
        .render();
        settle().await;
        let badge = el
            .query_selector("[data-testid=agreement]")
            .expect("q")
            .expect("badge");
        assert_eq!(badge.get_attribute("data-ok").as_deref(), Some(ok));
        let shown: f32 = badge
            .get_attribute("data-max-diff")
            .unwrap_or_default()
            .parse()
            .expect("number");
        assert_eq!(shown, diff);
    }
}

#[wasm_bindgen_test]
async fn step_navigator_lists_every_step_and_marks_the_current_one() {
    let el = root();
    yew::Renderer::<StepNavigator>::with_root_and_props(
        el.clone(),
        yew::props!(
            attention_playground::ui::components::step_navigator::StepNavigatorProps {
                current: Step::Softmax,
                onchange: Callback::noop(),
            }
        ),
    )
    .render();
    settle().await;
    let tabs = el
        .query_selector_all("[data-testid=step-tab]")
        .expect("tabs");
    assert_eq!(tabs.length() as usize, Step::ALL.len());
    let current = el
        .query_selector("[aria-current=step]")
        .expect("q")
        .expect("current");
    assert_eq!(
        current.get_attribute("data-step").as_deref(),
        Some("softmax")
    );
    let prev = el
        .query_selector("[data-testid=prev-step]")
        .expect("q")
        .expect("prev");
    assert!(!prev.has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn token_text_is_shown_as_text_never_as_html() {
    let el = root();
    yew::Renderer::<TokenStrip>::with_root_and_props(
        el.clone(),
        yew::props!(
            attention_playground::ui::components::token_strip::TokenStripProps {
                tokens: vec!["[CLS]".into(), "<script>".into(), "[SEP]".into()],
                ids: vec![2, 1, 3],
            }
        ),
    )
    .render();
    settle().await;
    assert!(el.query_selector("script").expect("q").is_none());
    assert_eq!(
        el.query_selector_all("[data-testid=token]")
            .expect("q")
            .length(),
        3
    );
    assert!(el.text_content().unwrap_or_default().contains("<script>"));
}
