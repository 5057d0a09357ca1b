//! The translate demo (being built).

use yew::prelude::*;

use super::ComingSoon;
use crate::route::Demo;

#[component]
pub fn TranslateDemo() -> Html {
    html! { <ComingSoon demo={Demo::Translate} /> }
}
