//! The contact sheet as HTML: the page drawn from its cards by the template (autoescaped:
//! prompts, names and errors are shown as text), the cards kept as JSON inside it, and links
//! that stay relative paths within the folder.

use super::Card;

const TEMPLATE: &str = include_str!("../../templates/contact-sheet.html");
/// Where the cards' JSON starts inside the page.
pub(super) const DATA_START: &str = "<script type=\"application/json\" id=\"nanobanana-cards\">";
/// Where the cards' JSON ends.
pub(super) const DATA_END: &str = "</script>";

/// The page of `cards` under `title`.
pub(super) fn page(title: &str, cards: &[Card]) -> Result<String, minijinja::Error> {
    let count = |state: &str| cards.iter().filter(|c| c.state == state).count();
    let data = script_json(cards);
    let mut env = minijinja::Environment::new();
    env.add_filter("href", href);
    env.add_filter("credits", credits);
    env.add_template("contact-sheet.html", TEMPLATE)?;
    env.get_template("contact-sheet.html")?
        .render(minijinja::context! {
            title => title,
            cards => cards,
            done => count("done"),
            failed => count("failed"),
            waiting => count("waiting"),
            data => data,
        })
}

/// Credits as a person reads them: `1.6`, `2` (at most two decimals, no trailing zeros).
fn credits(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `cards` as JSON to put inside `<script>`: `<`, `>` and `&` (which appear only inside JSON
/// strings) written `\u003c`, `\u003e`, `\u0026`, so no `</script>` or `<!--` can occur.
pub(super) fn script_json(cards: &[Card]) -> String {
    let json = serde_json::to_string(cards).expect("cards serialize");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// The characters of a path segment kept as they are in a link: RFC 3986's unreserved ones.
/// Everything else is percent-encoded: `:` (a scheme), `#`, `?`, `%`, spaces, quotes…
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A card's image path (relative to the sheet, `/`-separated) as an `href`/`src`: `./` then
/// each segment percent-encoded, so it is always a relative path within the folder. Only
/// letters, digits, `-._~%/` remain: safe in an attribute as it is (not HTML-escaped again).
fn href(relative: String) -> minijinja::Value {
    minijinja::Value::from_safe_string(link(&relative))
}

/// See [`href`].
fn link(relative: &str) -> String {
    let segments: Vec<String> = relative
        .split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .map(|s| percent_encoding::utf8_percent_encode(s, SEGMENT).to_string())
        .collect();
    format!("./{}", segments.join("/"))
}
