//! The recommend demo (being built).

use yew::prelude::*;

use super::ComingSoon;
use crate::route::Demo;

#[component]
pub fn RecommendDemo() -> Html {
    html! { <ComingSoon demo={Demo::Recommend} /> }
}
