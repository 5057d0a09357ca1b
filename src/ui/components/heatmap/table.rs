//! The numbers behind a drawn matrix as a table, shown by the matrix tools' Table button.

use std::rc::Rc;

use yew::prelude::*;

use super::format_value;
use super::tools::column_labels;
use crate::maths::Matrix;
use crate::ui::components::scroll_box;

#[derive(Properties, PartialEq)]
pub(super) struct MatrixTableProps {
    pub name: AttrValue,
    pub matrix: Rc<Matrix>,
    pub rows: Rc<Vec<String>>,
    pub cols: Option<Rc<Vec<String>>>,
}

/// The numbers behind a heatmap as a table, for screen readers and for reading exact values.
#[component]
pub(super) fn MatrixTable(props: &MatrixTableProps) -> Html {
    let cols = column_labels(&props.matrix, &props.cols);
    let caption = format!(
        "{} ({} × {})",
        props.name,
        props.matrix.rows(),
        props.matrix.cols()
    );
    let table = html! {
            <table class="matrix-table" data-testid="heatmap-table">
                <caption>{ caption.clone() }</caption>
                <thead><tr><th scope="col"></th>{ for cols.iter().map(|c| html! { <th scope="col">{ c.clone() }</th> }) }</tr></thead>
                <tbody>
                    { for (0..props.matrix.rows()).map(|i| html! {
                        <tr>
                            <th scope="row">{ props.rows.get(i).cloned().unwrap_or_else(|| i.to_string()) }</th>
                            { for props.matrix.row(i).iter().map(|&v| html! { <td>{ format_value(v) }</td> }) }
                        </tr>
                    }) }
                </tbody>
            </table>
    };
    scroll_box("matrix-table-scroll", caption, table)
}
