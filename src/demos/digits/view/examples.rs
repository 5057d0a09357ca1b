//! Renders the test images shipped with the model (never trained on), one button each; the one on
//! screen is pressed.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::patch_attention::PatchAttention;
use super::state::{Action, State};
use crate::demos::digits::{levels_to_pixels, DigitsManifest};

pub struct ExamplePickerProps {
    pub manifest: Option<Rc<DigitsManifest>>,
    /// The test image on screen (index into the manifest's examples).
    pub picked: Option<usize>,
    pub dispatch: UseReducerDispatcher<State>,
}

pub fn example_picker(props: &ExamplePickerProps) -> Html {
    let picked = props.picked;
    html! {
        <section class="dg-pick" aria-label={t!("digits.pick.label")}>
            if let Some(m) = &props.manifest {
                <h3>{ t!("digits.pick.heading") }</h3>
                <div class="dg-examples" role="group" aria-label={t!("digits.pick.group")}>
                    { for m.examples.iter().enumerate().map(|(i, e)| {
                        let d = props.dispatch.clone();
                        html! {
                            <button type="button" class={classes!("dg-example", (picked == Some(i)).then_some("current"))} data-testid="example"
                                data-label={e.label.to_string()} aria-pressed={(picked == Some(i)).to_string()}
                                aria-label={t!("digits.pick.example", index = e.index, label = e.label)}
                                onclick={Callback::from(move |_| d.dispatch(Action::Pick(i)))}>
                                <PatchAttention pixels={Rc::new(levels_to_pixels(&e.pixels))} label={e.label.to_string()} />
                            </button>
                        }
                    }) }
                </div>
            }
        </section>
    }
}
