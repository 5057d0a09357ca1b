//! Downloading model files with progress.

use js_sys::{Reflect, Uint8Array};
use rust_i18n::t;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Cache, ReadableStreamDefaultReader, Response};

fn describe(url: &str, e: JsValue) -> String {
    let reason = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| t!("error.network").into_owned());
    t!("error.download", url = url, reason = reason).into_owned()
}

/// Fetches `url` (relative to the page, so the site works under a sub-path), calling
/// `progress` with the number of bytes received so far.
pub async fn fetch_bytes(url: &str, progress: impl FnMut(u64)) -> Result<Vec<u8>, String> {
    let response = fetch_response(url).await?;
    read_body(url, &response, progress).await
}

async fn fetch_response(url: &str) -> Result<Response, String> {
    let window = gloo::utils::window();
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .and_then(|r| r.dyn_into())
        .map_err(|e| describe(url, e))?;
    if !response.ok() {
        return Err(t!(
            "error.http",
            url = url,
            status = format!("{} {}", response.status(), response.status_text())
        )
        .into_owned());
    }
    Ok(response)
}

async fn read_body(
    url: &str,
    response: &Response,
    mut progress: impl FnMut(u64),
) -> Result<Vec<u8>, String> {
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

/// Name of the Cache Storage bucket for model files. Put a version in each file's URL
/// (e.g. `model.onnx?v=<hash>`) so a new model is fetched instead of an old copy.
pub const MODEL_CACHE: &str = "attention-playground-models-v1";

/// Like [`fetch_bytes`], but kept in Cache Storage: a second visit reads the copy without
/// touching the network. Falls back to a plain download where Cache Storage is unavailable
/// (private windows, `file://`).
pub async fn fetch_bytes_cached(
    url: &str,
    mut progress: impl FnMut(u64),
) -> Result<Vec<u8>, String> {
    let cache: Option<Cache> = match gloo::utils::window().caches() {
        Ok(storage) => JsFuture::from(storage.open(MODEL_CACHE))
            .await
            .ok()
            .and_then(|c| c.dyn_into().ok()),
        Err(_) => None,
    };
    if let Some(cache) = &cache {
        let hit = JsFuture::from(cache.match_with_str(url))
            .await
            .ok()
            .and_then(|r| r.dyn_into::<Response>().ok());
        if let Some(response) = hit {
            if let Ok(bytes) = read_body(url, &response, &mut progress).await {
                return Ok(bytes);
            }
        }
    }
    let mut bytes = fetch_bytes(url, &mut progress).await?;
    if let Some(cache) = &cache {
        // A failed write (quota, private mode) only costs the next visit a download.
        if let Ok(response) = Response::new_with_opt_u8_array(Some(&mut bytes)) {
            let _ = JsFuture::from(cache.put_with_str(url, &response)).await;
        }
    }
    Ok(bytes)
}

/// Fetches `url` as UTF-8 text.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let bytes = fetch_bytes(url, |_| ()).await?;
    String::from_utf8(bytes).map_err(|_| t!("error.not_text", url = url).into_owned())
}
