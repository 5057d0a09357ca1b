//! Renders the footer: what the model is, how well it ranks (once the manifest is in), and the
//! MovieLens acknowledgement its licence asks for.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use crate::demos::recommend::RecManifest;

pub struct AboutProps {
    pub manifest: Option<Rc<RecManifest>>,
}

pub fn about(props: &AboutProps) -> Html {
    let metrics = props.manifest.as_ref().map(|m| {
        let test = &m.metrics.test;
        t!(
            "recommend.about.metrics",
            hr = format!("{:.1}", 100.0 * test.sasrec.hr_at_10),
            ndcg = format!("{:.3}", test.sasrec.ndcg_at_10),
            pop_hr = format!("{:.1}", 100.0 * test.popularity.hr_at_10),
            pop_ndcg = format!("{:.3}", test.popularity.ndcg_at_10)
        )
        .into_owned()
    });
    html! {
        <footer class="about" data-testid="rec-about">
            <p>{ t!("recommend.about.model") }{ metrics.map(|m| format!(" {m}")).unwrap_or_default() }</p>
            <p data-testid="rec-acknowledgement">{ t!("recommend.about.data") }
                <cite lang="en">{ " F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and Context. ACM Transactions on Interactive Intelligent Systems (TiiS) 5, 4, Article 19. " }</cite>
                { t!("recommend.about.shipped") }</p>
        </footer>
    }
}
