//! The image a ViT looks at: a pattern drawn by the page to start with, or an image file the
//! user picks (read locally, drawn at the model's size by the browser's canvas).

use rust_i18n::t;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, HtmlInputElement, ImageData, Url,
};
use yew::prelude::*;

use crate::demos::open::ImageSpec;

/// RGBA pixels at the model's size, and where they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageInput {
    pub name: String,
    pub rgba: Vec<u8>,
}

/// A sample with structure for attention to find: a red disc and a blue bar on a soft gradient.
fn sample(w: usize, h: usize) -> Vec<u8> {
    let mut out = vec![255u8; w * h * 4];
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let disc = (fx - 0.3).powi(2) + (fy - 0.35).powi(2) < 0.04;
            let bar = (0.6..0.8).contains(&fx) && fy > 0.5;
            let rgb = if disc {
                [220, 40, 40]
            } else if bar {
                [40, 60, 210]
            } else {
                [(200.0 + 40.0 * fx) as u8, (210.0 + 30.0 * fy) as u8, 200]
            };
            out[(y * w + x) * 4..(y * w + x) * 4 + 3].copy_from_slice(&rgb);
        }
    }
    out
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

fn show(canvas: &HtmlCanvasElement, rgba: &[u8], (w, h): (usize, usize)) {
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    if let (Some(ctx), Ok(data)) = (
        context(canvas),
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), w as u32, h as u32),
    ) {
        let _ = ctx.put_image_data(&data, 0.0, 0.0);
    }
}

#[derive(Properties, PartialEq)]
pub struct ImagePickerProps {
    pub spec: Option<ImageSpec>,
    pub onimage: Callback<ImageInput>,
}

#[component]
pub fn ImagePicker(props: &ImagePickerProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let canvas = use_node_ref();
    let error = use_state(|| None::<String>);
    let size = props
        .spec
        .as_ref()
        .map_or((16, 16), |s| (s.width, s.height));
    {
        // Start with the sample, drawn at the model's size.
        let (canvas, onimage) = (canvas.clone(), props.onimage.clone());
        use_effect_with(size, move |&(w, h)| {
            let rgba = sample(w, h);
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                show(&c, &rgba, (w, h));
            }
            onimage.emit(ImageInput {
                name: t!("open.image.sample").into_owned(),
                rgba,
            });
        });
    }
    let on_file = {
        let (canvas, onimage, error) = (canvas.clone(), props.onimage.clone(), error.clone());
        Callback::from(move |e: Event| {
            let Some(file) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .and_then(|i| i.files())
                .and_then(|f| f.item(0))
            else {
                return;
            };
            let (Ok(img), Ok(url)) = (
                HtmlImageElement::new(),
                Url::create_object_url_with_blob(&file),
            ) else {
                return;
            };
            let (canvas, onimage, name) = (canvas.clone(), onimage.clone(), file.name());
            let (error, failed) = (error.clone(), error.clone());
            let (w, h) = size;
            let loaded = img.clone();
            let url_done = url.clone();
            let onload = Closure::once(move || {
                let _ = Url::revoke_object_url(&url_done);
                let Some(c) = canvas.cast::<HtmlCanvasElement>() else {
                    return;
                };
                c.set_width(w as u32);
                c.set_height(h as u32);
                let pixels = context(&c).and_then(|ctx| {
                    ctx.draw_image_with_html_image_element_and_dw_and_dh(
                        &loaded, 0.0, 0.0, w as f64, h as f64,
                    )
                    .ok()?;
                    ctx.get_image_data(0.0, 0.0, w as f64, h as f64).ok()
                });
                match pixels {
                    Some(data) => {
                        error.set(None);
                        onimage.emit(ImageInput {
                            name,
                            rgba: data.data().0,
                        });
                    }
                    None => error.set(Some(t!("open.image.unreadable").into_owned())),
                }
            });
            let onerror =
                Closure::once(move || failed.set(Some(t!("open.image.unreadable").into_owned())));
            img.set_onload(Some(onload.as_ref().unchecked_ref()));
            img.set_onerror(Some(onerror.as_ref().unchecked_ref()));
            onload.forget();
            onerror.forget();
            img.set_src(&url);
        })
    };
    html! {
        <section class="input open-image" aria-label={t!("open.image.title")}>
            <canvas ref={canvas} class="open-image-preview" data-testid="image-preview" role="img"
                aria-label={t!("open.image.preview", w = size.0, h = size.1)}></canvas>
            <label class="button">
                { t!("open.image.choose") }
                <input type="file" class="sr-only" accept="image/*" data-testid="image-input" onchange={on_file} />
            </label>
            <p class="muted">{ t!("open.image.explain", w = size.0, h = size.1) }</p>
            if let Some(e) = &*error { <p class="error" role="alert" data-testid="image-error">{ e.clone() }</p> }
        </section>
    }
}
