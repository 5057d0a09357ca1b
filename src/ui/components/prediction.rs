//! The model's answer: a probability per class, largest first.

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::walkthrough::manifest::Label;

/// A language the model predicts, named in the reader's language (the manifest's own name for
/// codes without a translation).
pub fn language_name(label: &Label) -> String {
    let name = match label.code.as_str() {
        "en" => t!("walk.lang.en"),
        "fr" => t!("walk.lang.fr"),
        "es" => t!("walk.lang.es"),
        "it" => t!("walk.lang.it"),
        "de" => t!("walk.lang.de"),
        "tl" => t!("walk.lang.tl"),
        "ru" => t!("walk.lang.ru"),
        "ar" => t!("walk.lang.ar"),
        "zh" => t!("walk.lang.zh"),
        _ => return label.name.clone(),
    };
    name.into_owned()
}

#[derive(Properties, PartialEq)]
pub struct PredictionProps {
    pub labels: Vec<Label>,
    pub probs: Vec<f32>,
}

#[component]
pub fn Prediction(props: &PredictionProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let mut rows: Vec<(String, f32)> = props
        .probs
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let name = props
                .labels
                .get(i)
                .map_or_else(|| t!("walk.class_n", n = i).into_owned(), language_name);
            (name, p)
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    html! {
        <section class="prediction" data-testid="prediction" aria-label={t!("walk.predicted")}>
            <h3>{ t!("walk.which_language") }</h3>
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
