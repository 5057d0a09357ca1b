//! The permalink as something to hand on: the link to the full view, and the same view embedded
//! in another page (`&embed=1`: the view alone, without the header and navigation, for an
//! `<iframe>` in a course page or slides).
//!
//! Plain strings in, plain strings out: the shell and the Share button (`ui::components::share`)
//! do the browser's part.

use crate::route::Route;

/// The link parameter that asks for the embedded layout.
pub const EMBED_PARAM: &str = "embed";

/// Whether the link asks for the embedded layout (`embed=1`).
pub fn is_embed(route: &Route) -> bool {
    route.get(EMBED_PARAM) == Some("1")
}

/// The hash a view writes (`hash`, which knows nothing of embedding), keeping `embed=1` when the
/// address the page shows now (`current`) has it: an embedded view stays embedded while the
/// reader moves through it.
pub fn keep_embed(current: &str, hash: &str) -> String {
    if !is_embed(&Route::parse(current)) || is_embed(&Route::parse(hash)) {
        return hash.to_owned();
    }
    // Appended, not re-encoded: the view's own hash stays exactly as it wrote it.
    let sep = if hash.contains('?') { '&' } else { '?' };
    format!("{hash}{sep}{EMBED_PARAM}=1")
}

/// The hash of the full view (the embed parameter dropped), for the Share link and the embedded
/// view's link back.
pub fn full_view_hash(hash: &str) -> String {
    let mut route = Route::parse(hash);
    route.set(EMBED_PARAM, None);
    route.to_string()
}

/// The hash of the same view embedded.
pub fn embed_hash(hash: &str) -> String {
    let mut route = Route::parse(hash);
    route.set(EMBED_PARAM, Some("1".to_owned()));
    route.to_string()
}

/// The address of the page itself, without its hash (`https://user.github.io/repo/`).
pub fn page_address(href: &str) -> &str {
    href.split_once('#').map_or(href, |(page, _)| page)
}

/// Height of the embedded view in CSS pixels: the views are long; the frame scrolls.
pub const EMBED_HEIGHT: u32 = 720;

/// The `<iframe>` that shows `src` (an embed link) in another page; `title` names the frame for
/// screen readers.
pub fn iframe_snippet(src: &str, title: &str) -> String {
    format!(
        r#"<iframe src="{}" title="{}" width="100%" height="{EMBED_HEIGHT}" style="border:0" loading="lazy"></iframe>"#,
        escape_attribute(src),
        escape_attribute(title)
    )
}

/// Text made safe inside a double-quoted HTML attribute.
fn escape_attribute(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::Demo;

    #[test]
    fn only_embed_1_is_the_embedded_layout() {
        for (hash, want) in [
            ("#/walkthrough?embed=1", true),
            ("#/digits?test=4&embed=1&layer=2", true),
            ("#/digits?embed=0", false),
            ("#/digits?embed=", false),
            ("#/digits?embedded=1", false),
            ("#/digits", false),
            ("", false),
        ] {
            assert_eq!(is_embed(&Route::parse(hash)), want, "{hash}");
        }
    }

    #[test]
    fn a_views_own_link_keeps_the_embed_it_was_opened_with() {
        let embedded = "#/translate?text=Hi&embed=1";
        assert_eq!(
            keep_embed(embedded, "#/translate?text=Hello&step=2"),
            "#/translate?text=Hello&step=2&embed=1"
        );
        assert_eq!(keep_embed(embedded, "#/translate"), "#/translate?embed=1");
        // Already there: not twice.
        assert_eq!(
            keep_embed(embedded, "#/translate?embed=1&step=2"),
            "#/translate?embed=1&step=2"
        );
        // Not embedded: the view's hash as it is.
        assert_eq!(
            keep_embed("#/translate?text=Hi", "#/translate?text=Hello"),
            "#/translate?text=Hello"
        );
        // The result reads back as the view's link plus the embed.
        let kept = Route::parse(&keep_embed(embedded, "#/translate?text=a%26b%3D1"));
        assert_eq!(kept.get("text"), Some("a&b=1"));
        assert!(is_embed(&kept));
    }

    #[test]
    fn full_and_embedded_links_of_the_same_view() {
        let hash = "#/recommend?h=50-181&at=1&embed=1";
        assert_eq!(full_view_hash(hash), "#/recommend?h=50-181&at=1");
        assert_eq!(embed_hash(&full_view_hash(hash)), hash);
        assert_eq!(embed_hash("#/encoder"), "#/encoder?embed=1");
        assert_eq!(full_view_hash(""), Route::of(Demo::Walkthrough).to_string());
        // Awkward text survives both ways.
        let mut route = Route::of(Demo::Walkthrough);
        route.set("text", Some("« a & b » = 100% 🙂".into()));
        let back = Route::parse(&full_view_hash(&embed_hash(&route.to_string())));
        assert_eq!(back, route);
    }

    #[test]
    fn page_address_drops_the_hash() {
        assert_eq!(
            page_address("https://u.github.io/attention-playground/#/digits?test=4"),
            "https://u.github.io/attention-playground/"
        );
        assert_eq!(page_address("http://x/y/"), "http://x/y/");
    }

    #[test]
    fn the_snippet_is_one_iframe_with_escaped_attributes() {
        let s = iframe_snippet(
            "https://u.github.io/ap/#/digits?test=4&embed=1",
            r#"Attention "Playground" <digits>"#,
        );
        assert_eq!(
            s,
            r#"<iframe src="https://u.github.io/ap/#/digits?test=4&amp;embed=1" title="Attention &quot;Playground&quot; &lt;digits&gt;" width="100%" height="720" style="border:0" loading="lazy"></iframe>"#
        );
    }
}
