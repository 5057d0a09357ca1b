//! A box that scrolls when what it holds is wider or taller than the screen (a long matrix on a
//! phone, a long table).

use yew::prelude::*;

/// `content` in a box of class `class` that scrolls. The box is a tab stop, so the keyboard can
/// scroll it too (arrow keys, once focused), and a named group, so a screen reader says what it
/// holds when it gets the focus. A plain function: no state of its own.
///
/// Only for content with nothing focusable inside; a box around buttons or a focusable map is
/// reached through them.
pub fn scroll_box(class: impl Into<Classes>, label: impl Into<AttrValue>, content: Html) -> Html {
    let class = classes!("scroll-box", class.into());
    html! {
        <div {class} tabindex="0" role="group" aria-label={label.into()}>{ content }</div>
    }
}
