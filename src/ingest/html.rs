//! HTML to posting: a schema.org `JobPosting` in the page's JSON-LD when there is one,
//! otherwise the page's title and the text of its body.
//!
//! Text extraction keeps the structure the level classifier needs: every block element
//! (paragraph, list item, heading, table cell) becomes its own line, and script, style,
//! navigation, header and footer are dropped.

use ego_tree::NodeRef;
use scraper::{Html, Node, Selector};
use serde_json::Value;

use super::json::{job_postings_in, posting_from_object, Fields};

/// Elements whose content never belongs to the posting.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "iframe", "nav", "header", "footer", "head",
    "button", "select", "canvas",
];

/// Elements that start a new line.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "table",
    "section",
    "article",
    "dt",
    "dd",
    "dl",
    "blockquote",
    "pre",
    "hr",
    "main",
    "aside",
    "address",
    "figure",
    "figcaption",
    "form",
    "fieldset",
    "legend",
    "caption",
    "tbody",
    "thead",
    "details",
    "summary",
    "body",
];

/// The text of an HTML fragment (a posting's description), one block per line.
pub fn fragment_to_text(html: &str) -> String {
    let doc = Html::parse_fragment(html);
    let mut out = TextBuilder::default();
    out.walk(doc.tree.root());
    out.finish()
}

/// What a whole page yields: the postings of its JSON-LD, or one posting from its text.
pub fn page_to_fields(html: &str) -> Vec<Fields> {
    let doc = Html::parse_document(html);
    let ld = Selector::parse(r#"script[type="application/ld+json"]"#).unwrap();
    let mut found = Vec::new();
    for script in doc.select(&ld) {
        let raw: String = script.text().collect();
        if let Ok(value) = serde_json::from_str::<Value>(raw.trim()) {
            for obj in job_postings_in(&value, true) {
                found.push(posting_from_object(obj));
            }
        }
    }
    if !found.is_empty() {
        return found;
    }
    let mut fields = Fields {
        title: page_title(&doc),
        ..Fields::default()
    };
    let mut out = TextBuilder::default();
    match doc.select(&Selector::parse("body").unwrap()).next() {
        Some(body) => out.walk(*body),
        None => out.walk(doc.tree.root()),
    }
    fields.text = out.finish();
    // Saved job-board pages often title themselves "Data Engineer - Columbus, GA 31909":
    // split the location off so it can be grouped on.
    if let Some(title) = &fields.title {
        if let Some((t, loc)) = split_title_location(title) {
            fields.title = Some(t);
            fields.location = Some(loc);
        }
    }
    // The title is usually repeated as the first line of the body: drop the echo.
    if let (Some(title), Some(first)) = (&fields.title, fields.text.lines().next()) {
        if first.trim().starts_with(title.as_str()) && first.trim().len() <= title.len() + 40 {
            fields.text = fields.text.lines().skip(1).collect::<Vec<_>>().join("\n");
        }
    }
    vec![fields]
}

fn page_title(doc: &Html) -> Option<String> {
    let og = Selector::parse(r#"meta[property="og:title"]"#).unwrap();
    if let Some(t) = doc
        .select(&og)
        .filter_map(|m| m.value().attr("content"))
        .map(clean_inline)
        .find(|t| !t.is_empty())
    {
        return Some(t);
    }
    for sel in ["h1", "title"] {
        let s = Selector::parse(sel).unwrap();
        if let Some(t) = doc
            .select(&s)
            .map(|e| clean_inline(&e.text().collect::<String>()))
            .find(|t| !t.is_empty())
        {
            return Some(t);
        }
    }
    None
}

/// "Title - City, ST 12345" into the title and "City, ST".
fn split_title_location(title: &str) -> Option<(String, String)> {
    let (head, tail) = title.rsplit_once(" - ")?;
    let (city, rest) = tail.split_once(", ")?;
    let mut rest = rest.split_whitespace();
    let state = rest.next()?;
    let zip_ok = rest
        .next()
        .is_none_or(|z| z.len() == 5 && z.bytes().all(|b| b.is_ascii_digit()));
    let state_ok = state.len() == 2 && state.bytes().all(|b| b.is_ascii_uppercase());
    let city_ok = !city.is_empty() && city.len() <= 40 && !city.contains(" - ");
    (state_ok && zip_ok && city_ok && rest.next().is_none() && !head.trim().is_empty())
        .then(|| (head.trim().to_string(), format!("{city}, {state}")))
}

fn clean_inline(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Builds text from a DOM walk, one block per line.
#[derive(Default)]
struct TextBuilder {
    lines: Vec<String>,
    current: String,
}

impl TextBuilder {
    fn walk(&mut self, node: NodeRef<'_, Node>) {
        match node.value() {
            Node::Text(t) => self.push_text(&t.text),
            Node::Element(e) => {
                let name = e.name();
                if DROPPED.contains(&name)
                    || e.attr("role") == Some("navigation")
                    || e.attr("aria-hidden") == Some("true")
                {
                    return;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    self.break_line();
                }
                if name == "li" {
                    self.current.push_str("- ");
                }
                for child in node.children() {
                    self.walk(child);
                }
                if block {
                    self.break_line();
                }
            }
            Node::Document | Node::Fragment => {
                for child in node.children() {
                    self.walk(child);
                }
            }
            _ => {}
        }
    }

    fn push_text(&mut self, t: &str) {
        for (i, word) in t.split_whitespace().enumerate() {
            let starts_with_space = i > 0 || t.starts_with(char::is_whitespace);
            if starts_with_space && !self.current.is_empty() && !self.current.ends_with(' ') {
                self.current.push(' ');
            }
            self.current.push_str(word);
        }
        if t.ends_with(char::is_whitespace) && !self.current.is_empty() {
            self.current.push(' ');
        }
    }

    fn break_line(&mut self) {
        let line = self.current.trim();
        if !line.is_empty() && line != "-" {
            self.lines.push(line.to_string());
        }
        self.current.clear();
    }

    fn finish(mut self) -> String {
        self.break_line();
        self.lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_lines_and_chrome_is_dropped() {
        let html = "<nav>Home | Jobs</nav><h2>Requirements</h2><ul><li>PMP <b>certified</b></li>\
                    <li>5 years</li></ul><p>Apply&nbsp;now</p><script>var x = 1;</script>\
                    <footer>© Us</footer>";
        assert_eq!(
            fragment_to_text(html),
            "Requirements\n- PMP certified\n- 5 years\nApply now"
        );
    }

    #[test]
    fn inline_elements_keep_spacing() {
        assert_eq!(
            fragment_to_text("<p>Hold <i>CISSP</i>, or <b>CISM</b>.</p>"),
            "Hold CISSP, or CISM."
        );
        assert_eq!(
            fragment_to_text("line one<br>line two"),
            "line one\nline two"
        );
    }

    #[test]
    fn pages_prefer_json_ld() {
        let page = r#"<html><head><title>Jobs</title>
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"Organization","name":"Acme"},
              {"@type":"JobPosting","title":"Nurse","description":"&lt;p&gt;RN required&lt;/p&gt;",
               "hiringOrganization":{"name":"Acme"}}]}</script></head>
            <body><h1>Something else</h1></body></html>"#;
        let f = page_to_fields(page);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].title.as_deref(), Some("Nurse"));
        assert_eq!(f[0].text, "RN required");
        assert_eq!(f[0].company.as_deref(), Some("Acme"));
    }

    #[test]
    fn pages_without_json_ld_use_title_and_body() {
        let page = "<html><head><title>Data Engineer - Columbus, GA 31909</title></head>\
                    <body><h2>Data Engineer - Columbus, GA 31909</h2><p>AWS certification a plus.</p></body></html>";
        let f = page_to_fields(page);
        assert_eq!(f[0].title.as_deref(), Some("Data Engineer"));
        assert_eq!(f[0].location.as_deref(), Some("Columbus, GA"));
        assert_eq!(f[0].text, "AWS certification a plus.");
        let page = r#"<html><head><meta property="og:title" content="Staff Nurse"><title>x</title></head><body><p>NMC PIN</p></body></html>"#;
        assert_eq!(
            page_to_fields(page)[0].title.as_deref(),
            Some("Staff Nurse")
        );
    }
}
