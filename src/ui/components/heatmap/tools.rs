//! The tools under a drawn matrix: a data table toggle and Save as PNG, SVG, CSV and JSON.

use std::rc::Rc;

use rust_i18n::t;
use yew::prelude::*;

use super::table::MatrixTable;
use crate::export::{ExportContext, MatrixExport};
use crate::maths::Matrix;
use crate::ui::download::{save_png, save_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExportFormat {
    Png,
    Svg,
    Csv,
    Json,
}

impl ExportFormat {
    const ALL: [ExportFormat; 4] = [Self::Png, Self::Svg, Self::Csv, Self::Json];

    fn ext(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Svg => "svg",
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Png => "PNG",
            Self::Svg => "SVG",
            Self::Csv => "CSV",
            Self::Json => "JSON",
        }
    }
}

pub(super) fn column_labels(matrix: &Matrix, cols: &Option<Rc<Vec<String>>>) -> Vec<String> {
    match cols {
        Some(c) => c.as_ref().clone(),
        None => (0..matrix.cols()).map(|j| j.to_string()).collect(),
    }
}

/// The tools under a drawn matrix: a data table toggle and Save as PNG, SVG, CSV and JSON.
/// Every view that draws a matrix as SVG shows them, whatever draws it (the [`Heatmap`](super::Heatmap), the
/// translation's alignment grid…).
#[derive(Properties, PartialEq)]
pub struct MatrixToolsProps {
    /// Stable name (file names); `label` is what the reader sees, when given.
    pub name: AttrValue,
    #[prop_or_default]
    pub label: Option<AttrValue>,
    pub matrix: Rc<Matrix>,
    pub rows: Rc<Vec<String>>,
    #[prop_or_default]
    pub cols: Option<Rc<Vec<String>>>,
    #[prop_or_default]
    pub export: Option<Rc<ExportContext>>,
    /// The `<svg>` saved as SVG and PNG.
    pub svg: NodeRef,
}

#[component]
pub fn MatrixTools(props: &MatrixToolsProps) -> Html {
    let _lang = crate::ui::lang::use_lang();
    let show_table = use_state(|| false);
    let export_error = use_state(|| None::<String>);
    let label = props.label.clone().unwrap_or_else(|| props.name.clone());
    html! {
        <>
            <div class="matrix-tools" role="group" aria-label={t!("heatmap.tools", name = label)}>
                <button type="button" data-testid="table-toggle" aria-pressed={show_table.to_string()}
                    onclick={{ let show = show_table.clone(); Callback::from(move |_| show.set(!*show)) }}>
                    { if *show_table { t!("heatmap.hide_table") } else { t!("heatmap.table") } }</button>
                <span class="muted">{ t!("heatmap.save") }</span>
                { for ExportFormat::ALL.into_iter().map(|format| {
                    let onclick = export_callback(props, &props.svg, &export_error, format);
                    html! { <button type="button" data-testid={format!("export-{}", format.ext())}
                        aria-label={t!("heatmap.save_as", name = label, format = format.label())} {onclick}>{ format.label() }</button> }
                }) }
                if let Some(e) = &*export_error { <span class="error" role="alert">{ e.clone() }</span> }
            </div>
            if *show_table { <MatrixTable name={label.clone()} matrix={props.matrix.clone()} rows={props.rows.clone()} cols={props.cols.clone()} /> }
        </>
    }
}

fn export_callback(
    props: &MatrixToolsProps,
    svg_ref: &NodeRef,
    error: &UseStateHandle<Option<String>>,
    format: ExportFormat,
) -> Callback<MouseEvent> {
    let (name, matrix, rows, cols) = (
        props.name.clone(),
        props.matrix.clone(),
        props.rows.clone(),
        props.cols.clone(),
    );
    let context = props.export.clone().unwrap_or_default();
    let (svg_ref, error) = (svg_ref.clone(), error.clone());
    Callback::from(move |_: MouseEvent| {
        let cols = column_labels(&matrix, &cols);
        let export = MatrixExport {
            name: &name,
            context: &context,
            rows: &rows,
            cols: &cols,
            values: (0..matrix.rows()).map(|i| matrix.row(i)).collect(),
        };
        let filename = format!("{}.{}", export.file_stem(), format.ext());
        let result = match format {
            ExportFormat::Csv => export
                .to_csv()
                .and_then(|t| save_text(&filename, "text/csv;charset=utf-8", &t)),
            ExportFormat::Json => export
                .to_json()
                .and_then(|t| save_text(&filename, "application/json", &t)),
            ExportFormat::Svg => match svg_ref.cast::<web_sys::Element>() {
                Some(svg) => save_text(
                    &filename,
                    "image/svg+xml",
                    &crate::ui::download::standalone_svg(&svg),
                ),
                None => Err(t!("heatmap.not_on_page").into_owned()),
            },
            ExportFormat::Png => {
                if let Some(svg) = svg_ref.cast::<web_sys::Element>() {
                    let error = error.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Err(e) = save_png(&filename, &svg, 2.0).await {
                            error.set(Some(
                                t!("heatmap.save_failed", format = "PNG", error = e).into_owned(),
                            ));
                        }
                    });
                    Ok(())
                } else {
                    Err(t!("heatmap.not_on_page").into_owned())
                }
            }
        };
        error.set(
            result.err().map(|e| {
                t!("heatmap.save_failed", format = format.label(), error = e).into_owned()
            }),
        );
    })
}
