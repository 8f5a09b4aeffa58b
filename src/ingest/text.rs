//! Plain text and Markdown postings: the title is a `title:` front-matter field or the first
//! non-empty line, and the rest is the text.

use super::json::Fields;

pub fn fields_from_text(text: &str) -> Fields {
    let mut fields = Fields::default();
    let mut body = text.trim_start_matches('\u{feff}');
    // YAML-style front matter: "---\ntitle: ...\ncompany: ...\n---".
    if let Some(rest) = body.strip_prefix("---") {
        if let Some(end) = rest.find("\n---") {
            for line in rest[..end].lines() {
                if let Some((k, v)) = line.split_once(':') {
                    let v = v.trim().trim_matches('"').to_string();
                    if v.is_empty() {
                        continue;
                    }
                    match k.trim().to_ascii_lowercase().as_str() {
                        "title" => fields.title = Some(v),
                        "company" => fields.company = Some(v),
                        "location" => fields.location = Some(v),
                        "date" | "date_posted" | "dateposted" => fields.date = Some(v),
                        "salary" => fields.salary = Some(v),
                        "id" => fields.id = Some(v),
                        "url" => fields.url = Some(v),
                        _ => {}
                    }
                }
            }
            body = rest[end + 4..].trim_start_matches(|c| c != '\n');
        }
    }
    let mut lines = body.lines().skip_while(|l| l.trim().is_empty());
    if fields.title.is_none() {
        if let Some(first) = lines.next() {
            let first = first.trim().trim_start_matches('#').trim();
            let first = first
                .strip_prefix("title:")
                .or_else(|| first.strip_prefix("Title:"))
                .unwrap_or(first);
            fields.title = Some(first.trim().to_string());
        }
    }
    fields.text = lines
        .map(|l| l.trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string();
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_is_the_title() {
        let f = fields_from_text("\n\n# Staff Nurse\n\n## Requirements\nNMC PIN\n");
        assert_eq!(f.title.as_deref(), Some("Staff Nurse"));
        assert_eq!(f.text, "Requirements\nNMC PIN");
    }

    #[test]
    fn front_matter_wins() {
        let f =
            fields_from_text("---\ntitle: Data Analyst\ncompany: Acme\n---\nSQL and Tableau.\n");
        assert_eq!(f.title.as_deref(), Some("Data Analyst"));
        assert_eq!(f.company.as_deref(), Some("Acme"));
        assert_eq!(f.text, "SQL and Tableau.");
    }
}
