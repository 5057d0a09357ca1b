//! Saving files from the page: text (CSV, JSON, SVG) and a PNG rendered from an SVG element.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, CanvasRenderingContext2d, Element, HtmlAnchorElement, HtmlCanvasElement,
    HtmlImageElement, Url,
};

fn js_error(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| rust_i18n::t!("error.browser_refused").into_owned())
}

fn blob_url(text: &str, mime: &str) -> Result<String, String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(js_error)?;
    Url::create_object_url_with_blob(&blob).map_err(js_error)
}

fn click_link(href: &str, filename: &str) -> Result<(), String> {
    let document = gloo::utils::document();
    let a: HtmlAnchorElement = document
        .create_element("a")
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| rust_i18n::t!("error.no_link").into_owned())?;
    a.set_href(href);
    a.set_download(filename);
    a.set_hidden(true);
    let body = gloo::utils::body();
    body.append_child(&a).map_err(js_error)?;
    a.click();
    a.remove();
    Ok(())
}

/// Offers `text` as a download called `filename`.
pub fn save_text(filename: &str, mime: &str, text: &str) -> Result<(), String> {
    let url = blob_url(text, mime)?;
    let result = click_link(&url, filename);
    // The click has started the download; the URL is not needed after this task.
    let revoke = url.clone();
    gloo::timers::callback::Timeout::new(10_000, move || {
        let _ = Url::revoke_object_url(&revoke);
    })
    .forget();
    result
}

/// Styles the page's CSS gives heatmaps, inlined so an exported SVG looks the same alone.
const SVG_STYLE: &str = "text{font:10px system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','PingFang SC','Microsoft YaHei',sans-serif;fill:#333}\
.row-label{text-anchor:end}.col-index{text-anchor:middle;fill:#777}\
.cell-value{text-anchor:middle;font-size:9px}.row-note{fill:#5b5d66}\
.group-line{stroke:#111;stroke-width:1.5}.selected{fill:none;stroke:#ff00a8;stroke-width:3}";

/// A standalone SVG document of `svg`, with the heatmap styles inlined and a white background.
pub fn standalone_svg(svg: &Element) -> String {
    let clone = svg.clone_node_with_deep(true).ok();
    let el = clone
        .as_ref()
        .and_then(|n| n.dyn_ref::<Element>())
        .unwrap_or(svg);
    let _ = el.set_attribute("xmlns", "http://www.w3.org/2000/svg");
    let _ = el.remove_attribute("class");
    let inner = el.inner_html();
    let mut open = String::from("<svg");
    let attrs = el.attributes();
    for i in 0..attrs.length() {
        if let Some(a) = attrs.item(i) {
            let value = a.value().replace('&', "&amp;").replace('"', "&quot;");
            open.push_str(&format!(" {}=\"{value}\"", a.name()));
        }
    }
    let (w, h) = svg_size(el);
    format!(
        "{open}><style>{SVG_STYLE}</style><rect width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>{inner}</svg>"
    )
}

fn svg_size(svg: &Element) -> (f64, f64) {
    let view_box = svg.get_attribute("viewBox").unwrap_or_default();
    let nums: Vec<f64> = view_box
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    match nums.as_slice() {
        [_, _, w, h] => (*w, *h),
        _ => (300.0, 150.0),
    }
}

/// Renders the SVG markup onto a canvas at `scale`× and offers it as a PNG.
pub async fn save_png(filename: &str, svg: &Element, scale: f64) -> Result<(), String> {
    let markup = standalone_svg(svg);
    let (w, h) = svg_size(svg);
    let url = blob_url(&markup, "image/svg+xml")?;
    let image = HtmlImageElement::new().map_err(js_error)?;
    image.set_src(&url);
    let decoded = JsFuture::from(image.decode()).await;
    let _ = Url::revoke_object_url(&url);
    decoded.map_err(js_error)?;
    let canvas: HtmlCanvasElement = gloo::utils::document()
        .create_element("canvas")
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| rust_i18n::t!("error.no_canvas").into_owned())?;
    canvas.set_width((w * scale).ceil() as u32);
    canvas.set_height((h * scale).ceil() as u32);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(js_error)?
        .ok_or_else(|| rust_i18n::t!("error.no_canvas").into_owned())?
        .dyn_into()
        .map_err(|_| rust_i18n::t!("error.no_canvas").into_owned())?;
    context.scale(scale, scale).map_err(js_error)?;
    context
        .draw_image_with_html_image_element(&image, 0.0, 0.0)
        .map_err(js_error)?;
    let data_url = canvas
        .to_data_url_with_type("image/png")
        .map_err(js_error)?;
    click_link(&data_url, filename)
}
