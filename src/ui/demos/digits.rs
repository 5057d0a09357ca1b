//! The digits demo (being built).

use yew::prelude::*;

use super::ComingSoon;
use crate::route::Demo;

#[component]
pub fn DigitsDemo() -> Html {
    html! { <ComingSoon demo={Demo::Digits} /> }
}
