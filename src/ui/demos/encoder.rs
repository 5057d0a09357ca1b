//! The encoder demo (being built).

use yew::prelude::*;

use super::ComingSoon;
use crate::route::Demo;

#[component]
pub fn EncoderDemo() -> Html {
    html! { <ComingSoon demo={Demo::Encoder} /> }
}
