//! The forecast demo (being built).

use yew::prelude::*;

use super::ComingSoon;
use crate::route::Demo;

#[component]
pub fn ForecastDemo() -> Html {
    html! { <ComingSoon demo={Demo::Forecast} /> }
}
