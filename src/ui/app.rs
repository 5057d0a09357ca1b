//! The app shell: the worker every demo shares, the navigation, and the demo the hash names.

use gloo::events::EventListener;
use rust_i18n::t;
use yew::prelude::*;
use yew_agent::oneshot::OneshotProvider;

use super::components::{EmbedLink, ShareButton};
use super::demos::{DemoNav, DemoView};
use super::lang::{apply_lang, initial_lang, LangContext, LangSwitch};
use crate::i18n::Lang;
use crate::route::Route;
use crate::share::is_embed;
use crate::worker::AttentionWorker;

/// How many fresh workers the page starts after the first one died, before it stops trying
/// (a model that traps on every load would otherwise restart forever).
const MAX_RESTARTS: u32 = 3;

/// The model worker's deaths so far: how many, and the last one's message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkerCrashes {
    pub count: u32,
    pub reason: String,
}

#[component]
pub fn App() -> Html {
    // index.html wraps `Worker` so that a dead worker (a trap in wasm, an uncaught error) is
    // terminated and announced at once as `ap-worker-error`, instead of the page waiting for a
    // request's time limit. A new key mounts a fresh provider, hence a fresh worker, and the demo
    // under it afresh: it reads its state back from the address and loads its model again.
    let crashes = use_state(WorkerCrashes::default);
    {
        let crashes = crashes.clone();
        use_effect_with((), move |_| {
            let listener =
                EventListener::new(&gloo::utils::window(), "ap-worker-error", move |e| {
                    use wasm_bindgen::JsCast;
                    let reason = e
                        .dyn_ref::<web_sys::CustomEvent>()
                        .and_then(|e| e.detail().as_string())
                        .unwrap_or_default();
                    crashes.set(WorkerCrashes {
                        count: crashes.count + 1,
                        reason,
                    });
                });
            move || drop(listener)
        });
    }
    let generation = crashes.count.min(MAX_RESTARTS);
    html! {
        // Relative path: resolved against the page, so it works at https://user.github.io/repo/.
        <OneshotProvider<AttentionWorker> key={generation} path="worker.js">
            <Shell crashes={(*crashes).clone()} />
        </OneshotProvider<AttentionWorker>>
    }
}

/// What the shell says after the worker died: that a fresh one took over, or that it gave up.
fn crash_note(crashes: &WorkerCrashes) -> Html {
    if crashes.count == 0 {
        return Html::default();
    }
    let text = if crashes.count > MAX_RESTARTS {
        t!("shell.worker_gave_up", reason = crashes.reason.as_str())
    } else {
        t!("shell.worker_restarted", reason = crashes.reason.as_str())
    };
    html! {
        <p class="note warn" data-testid="worker-restarted" data-count={crashes.count.to_string()} role="alert">
            { text }
        </p>
    }
}

#[derive(Properties, PartialEq)]
struct ShellProps {
    crashes: WorkerCrashes,
}

fn current_route() -> Route {
    let hash = gloo::utils::window().location().hash().unwrap_or_default();
    Route::parse(&hash)
}

/// Provides the current [`Route`] to the demos (they read their parameters from it).
#[component]
fn Shell(props: &ShellProps) -> Html {
    // The route, and how many times the user changed the address: each change mounts the demo
    // afresh, so it reads the new link (see `use_link`). Views write their own state into the
    // address with `replaceState`, which fires no `hashchange`.
    let route = use_state(|| (current_route(), 0u32));
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
                let visits = route.1.wrapping_add(1);
                route.set((current_route(), visits));
            });
            move || drop(listener)
        });
    }
    let (route, visit) = (*route).clone();
    // The language is made current before anything renders, and again on every switch, before
    // the context change re-renders the components that show text.
    let lang = use_state(|| {
        let lang = initial_lang();
        apply_lang(lang, false);
        lang
    });
    // One callback for the page's lifetime: a new one per render would make the context differ
    // on every render of the shell, re-rendering every component that shows text.
    let set = {
        let lang = lang.clone();
        use_callback((), move |chosen: Lang, _| {
            apply_lang(chosen, true);
            lang.set(chosen);
        })
    };
    let lang_context = LangContext { lang: *lang, set };
    let demo = route.demo;
    // `embed=1`: the view alone, for an <iframe> in another page, with a link to the full site.
    let embed = is_embed(&route);
    let problem = route.problem.as_ref().map(|problem| {
        html! {
            <p class="note" data-testid="route-problem" role="status">{ problem.to_string() }</p>
        }
    });
    html! {
        <ContextProvider<LangContext> context={lang_context}>
        <ContextProvider<Route> context={route.clone()}>
            <div class={classes!("page", embed.then_some("embed"))}>
                if embed {
                    <EmbedLink />
                    { crash_note(&props.crashes) }
                    { problem.unwrap_or_default() }
                } else {
                <header class="top">
                    <div class="top-row">
                        <h1>{ t!("shell.title") }</h1>
                        <div class="top-actions"><ShareButton /><LangSwitch /></div>
                    </div>
                    <DemoNav current={demo} />
                    { crash_note(&props.crashes) }
                    { problem.unwrap_or_default() }
                </header>
                }
                // Keyed by demo and address change: leaving a demo, or opening another link to it,
                // drops its state; its model stays loaded in the worker.
                <DemoView key={format!("{}-{visit}", demo.slug())} demo={demo} />
            </div>
        </ContextProvider<Route>>
        </ContextProvider<LangContext>>
    }
}
