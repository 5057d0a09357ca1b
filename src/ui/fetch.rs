//! Downloading model files with progress.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

fn describe(url: &str, e: JsValue) -> String {
    let reason = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "network error".into());
    format!("Could not download {url} ({reason}). Check the connection and reload.")
}

/// Fetches `url` (relative to the page, so the site works under a sub-path), calling
/// `progress` with the number of bytes received so far.
pub async fn fetch_bytes(url: &str, mut progress: impl FnMut(u64)) -> Result<Vec<u8>, String> {
    let window = gloo::utils::window();
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .and_then(|r| r.dyn_into())
        .map_err(|e| describe(url, e))?;
    if !response.ok() {
        return Err(format!(
            "Could not download {url}: the server answered {} {}.",
            response.status(),
            response.status_text()
        ));
    }
    let Some(body) = response.body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|e| describe(url, e.into()))?;
    let mut bytes = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| describe(url, e))?;
        let done = Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value = Reflect::get(&chunk, &"value".into()).map_err(|e| describe(url, e))?;
        bytes.extend(Uint8Array::new(&value).to_vec());
        progress(bytes.len() as u64);
    }
    Ok(bytes)
}

/// Fetches `url` as UTF-8 text.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let bytes = fetch_bytes(url, |_| ()).await?;
    String::from_utf8(bytes).map_err(|_| format!("{url} is not text."))
}
