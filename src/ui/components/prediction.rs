//! The model's answer: a probability per class, largest first.

use yew::prelude::*;

use crate::manifest::Label;

#[derive(Properties, PartialEq)]
pub struct PredictionProps {
    pub labels: Vec<Label>,
    pub probs: Vec<f32>,
}

#[component]
pub fn Prediction(props: &PredictionProps) -> Html {
    let mut rows: Vec<(String, f32)> = props
        .probs
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let name = props
                .labels
                .get(i)
                .map_or_else(|| format!("class {i}"), |l| l.name.clone());
            (name, p)
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    html! {
        <section class="prediction" data-testid="prediction" aria-label="Predicted language">
            <h3>{ "Which language? (the model's answer)" }</h3>
            <ul>
                { for rows.iter().map(|(name, p)| html! {
                    <li>
                        <span class="pred-name">{ name.clone() }</span>
                        <span class="pred-bar" aria-hidden="true"><span style={format!("width:{:.1}%", p * 100.0)}></span></span>
                        <span class="pred-value">{ format!("{:.1}%", p * 100.0) }</span>
                    </li>
                }) }
            </ul>
        </section>
    }
}
