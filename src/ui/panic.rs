//! A panic must never leave a dead page: log it and say so on screen.

use rust_i18n::t;
use wasm_bindgen::JsCast;

pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_fatal(&info.to_string());
    }));
}

fn show_fatal(detail: &str) {
    let document = gloo::utils::document();
    let Ok(banner) = document.create_element("div") else {
        return;
    };
    banner.set_class_name("fatal");
    banner.set_attribute("role", "alert").ok();
    banner.set_attribute("data-testid", "error").ok();
    // text_content, never inner_html: the detail may contain user input.
    banner.set_text_content(Some(&t!("error.panic", detail = detail)));
    if let Some(body) = document.body() {
        if let Some(first) = body.first_child() {
            body.insert_before(&banner, Some(&first)).ok();
        } else {
            body.append_child(&banner).ok();
        }
        if let Some(el) = banner.dyn_ref::<web_sys::HtmlElement>() {
            el.focus().ok();
        }
    }
}
