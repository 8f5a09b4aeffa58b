//! JSON postings: schema.org `JobPosting` objects (alone, in arrays, or in a JSON-LD
//! `@graph`), and the flat objects scrapers and APIs write, one per JSON Lines line.
//!
//! Both are read by one field mapper that knows the schema.org names and the common
//! alternatives (`job_title`, `company_name`, `listed_time`, ...). Descriptions are often
//! HTML, sometimes entity-escaped twice (`&amp;lt;p&amp;gt;`): they are unescaped until no
//! escaped tags remain, then stripped to text.

use serde_json::{Map, Value};

use super::html::fragment_to_text;

/// The fields a reader found, before they become a `Posting`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Fields {
    pub title: Option<String>,
    pub text: String,
    pub company: Option<String>,
    pub location: Option<String>,
    pub date: Option<String>,
    pub salary: Option<String>,
    pub id: Option<String>,
    pub url: Option<String>,
    /// The source marks this record as a fake posting.
    pub fraudulent: bool,
}

/// Keys for each field, compared after lower-casing and dropping non-alphanumerics, in
/// order of preference. Shared with the CSV reader.
pub const TITLE_KEYS: &[&str] = &[
    "title",
    "jobtitle",
    "positiontitle",
    "position",
    "jobname",
    "name",
];
pub const TEXT_KEYS: &[&str] = &[
    "description",
    "jobdescription",
    "fulldescription",
    "descriptionplain",
    "descriptionhtml",
    "descriptiontext",
    "text",
    "body",
    "content",
    "details",
    "jobdetails",
    "jobpost",
];
pub const COMPANY_KEYS: &[&str] = &[
    "hiringorganization",
    "company",
    "companyname",
    "employer",
    "employername",
    "organization",
    "organisation",
];
pub const LOCATION_KEYS: &[&str] = &[
    "joblocation",
    "location",
    // Adzuna's raw form keeps the county ("Dorking, Surrey"); the normalised one is the town.
    "locationraw",
    "locationnormalized",
    "city",
    "place",
];
pub const DATE_KEYS: &[&str] = &[
    "dateposted",
    "posteddate",
    "listedtime",
    "originallistedtime",
    "publishedat",
    "published",
    "publishedon",
    "firstpublished",
    "createdat",
    "created",
    "postingdate",
    "date",
    "datequeried",
    "updatedat",
    "openingdate",
];
pub const SALARY_KEYS: &[&str] = &[
    "basesalary",
    "salary",
    "salaryraw",
    "salaryrange",
    "comp",
    "compensation",
    "pay",
    "maxsalary",
];
pub const ID_KEYS: &[&str] = &[
    "identifier",
    "id",
    "jobid",
    "postingid",
    "jobpostid",
    "reqid",
    "shortcode",
];
pub const URL_KEYS: &[&str] = &[
    "url",
    "jobpostingurl",
    "absoluteurl",
    "hostedurl",
    "joburl",
    "link",
    "applyurl",
];

/// Extra text-bearing fields appended after the main text, each under a heading so the
/// level classifier knows what it is: (key, heading).
pub const EXTRA_TEXT_KEYS: &[(&str, &str)] = &[
    ("responsibilities", "Responsibilities"),
    ("jobrequirment", "Requirements"),
    ("jobrequirement", "Requirements"),
    ("requirements", "Requirements"),
    ("requiredqual", "Required qualifications"),
    ("qualifications", "Qualifications"),
    ("requiredqualifications", "Required qualifications"),
    ("minimumqualifications", "Minimum qualifications"),
    ("basicqualifications", "Basic qualifications"),
    ("preferredqualifications", "Preferred qualifications"),
    ("educationrequirements", "Education"),
    ("experiencerequirements", "Experience"),
    ("skills", "Skills"),
    ("skillsdesc", "Skills"),
    ("additionalplain", "Additional information"),
    ("benefits", "Benefits"),
    ("companyprofile", "About us"),
    ("aboutc", "About us"),
];

/// Lower-cases a key and drops everything but letters and digits: "Job_Title" -> "jobtitle".
pub fn key_of(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The posting objects in a JSON value: a lone object, an array, or an `@graph`. With
/// `typed_only`, only objects whose `@type` is `JobPosting` (JSON-LD in web pages, where
/// other objects describe the organisation or the breadcrumbs).
pub fn job_postings_in(value: &Value, typed_only: bool) -> Vec<&Map<String, Value>> {
    let mut out = Vec::new();
    collect(value, typed_only, &mut out);
    out
}

fn collect<'a>(value: &'a Value, typed_only: bool, out: &mut Vec<&'a Map<String, Value>>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, typed_only, out)),
        Value::Object(obj) => {
            if let Some(graph) = obj.get("@graph") {
                collect(graph, typed_only, out);
            } else if is_job_posting(obj) || !typed_only && looks_like_posting(obj) {
                out.push(obj);
            }
        }
        _ => {}
    }
}

fn is_job_posting(obj: &Map<String, Value>) -> bool {
    match obj.get("@type") {
        Some(Value::String(t)) => t == "JobPosting",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "JobPosting"),
        _ => false,
    }
}

fn looks_like_posting(obj: &Map<String, Value>) -> bool {
    obj.keys().any(|k| {
        let k = key_of(k);
        TITLE_KEYS.contains(&k.as_str()) || TEXT_KEYS.contains(&k.as_str())
    })
}

/// Maps one JSON object to posting fields.
pub fn posting_from_object(obj: &Map<String, Value>) -> Fields {
    let by_key: Vec<(String, &Value)> = obj.iter().map(|(k, v)| (key_of(k), v)).collect();
    let first = |keys: &[&str], get: fn(&Value) -> Option<String>| -> Option<String> {
        keys.iter().find_map(|want| {
            by_key
                .iter()
                .filter(|(k, _)| k == want)
                .find_map(|(_, v)| get(v).filter(|s| !s.trim().is_empty()))
        })
    };
    let mut text = first(TEXT_KEYS, scalar)
        .map(|t| to_text(&t))
        .unwrap_or_default();
    // Lever keeps requirements in `lists: [{text, content}]`.
    if let Some(Value::Array(lists)) = obj.get("lists") {
        for item in lists {
            let heading = item.get("text").and_then(scalar).unwrap_or_default();
            let content = item.get("content").and_then(scalar).unwrap_or_default();
            append_section(&mut text, &heading, &to_text(&content));
        }
    }
    for (key, heading) in EXTRA_TEXT_KEYS {
        if let Some((_, v)) = by_key.iter().find(|(k, _)| k == key) {
            if let Some(s) = flatten(v) {
                append_section(&mut text, heading, &to_text(&s));
            }
        }
    }
    let title = first(TITLE_KEYS, scalar).map(|t| clean_inline(&unescape(&t)));
    Fields {
        title,
        text,
        company: first(COMPANY_KEYS, name_of).map(|s| clean_inline(&unescape(&s))),
        location: first(LOCATION_KEYS, location_of).map(|s| clean_inline(&s)),
        date: first(DATE_KEYS, scalar),
        salary: first(SALARY_KEYS, salary_of),
        id: first(ID_KEYS, id_of),
        url: first(URL_KEYS, scalar),
        fraudulent: by_key.iter().any(|(k, v)| {
            k == "fraudulent" && matches!(scalar(v).as_deref(), Some("1" | "true" | "t"))
        }),
    }
}

/// Appends `body` under `heading`, unless the text already contains it (exports often repeat
/// one field inside another).
pub fn append_section(text: &mut String, heading: &str, body: &str) {
    let body = body.trim();
    if body.is_empty() || contains_loosely(text, body) {
        return;
    }
    if !text.is_empty() {
        text.push('\n');
    }
    if !heading.is_empty() {
        text.push_str(heading.trim_end_matches(':'));
        text.push_str(":\n");
    }
    text.push_str(body);
}

fn contains_loosely(haystack: &str, needle: &str) -> bool {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    haystack.len() >= needle.len() && squash(haystack).contains(&squash(needle))
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Strings, or the strings of an array or an object's values, joined by lines.
fn flatten(v: &Value) -> Option<String> {
    match v {
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(flatten).collect();
            (!parts.is_empty()).then(|| parts.join("\n"))
        }
        Value::Object(o) => {
            let parts: Vec<String> = o
                .iter()
                .filter(|(k, _)| !k.starts_with('@'))
                .filter_map(|(_, v)| flatten(v))
                .collect();
            (!parts.is_empty()).then(|| parts.join("\n"))
        }
        other => scalar(other),
    }
}

fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => o.get("name").and_then(scalar),
        other => scalar(other),
    }
}

fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => o.get("value").and_then(scalar),
        other => scalar(other),
    }
}

/// A place as text: a string, `{name}`, or a postal address's locality, region, country.
fn location_of(v: &Value) -> Option<String> {
    match v {
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(location_of).collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Value::Object(o) => {
            if let Some(address) = o.get("address") {
                if let Some(s) = location_of(address) {
                    return Some(s);
                }
            }
            let parts: Vec<String> = [
                "name",
                "addressLocality",
                "city",
                "addressRegion",
                "state",
                "addressCountry",
                "country",
            ]
            .iter()
            .filter_map(|k| o.get(*k).and_then(name_of))
            .filter(|s| !s.trim().is_empty())
            .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        other => scalar(other),
    }
}

/// A salary as text: a string, or schema.org's `MonetaryAmount`.
fn salary_of(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => {
            let currency = o.get("currency").and_then(scalar).unwrap_or_default();
            let value = o.get("value").unwrap_or(v);
            let amount = match value {
                Value::Object(q) => {
                    let min = q.get("minValue").and_then(scalar);
                    let max = q.get("maxValue").and_then(scalar);
                    let one = q.get("value").and_then(scalar);
                    let unit = q.get("unitText").and_then(scalar).unwrap_or_default();
                    let range = match (min, max, one) {
                        (Some(a), Some(b), _) => format!("{a}-{b}"),
                        (_, _, Some(x)) => x,
                        (Some(a), None, None) | (None, Some(a), None) => a,
                        _ => String::new(),
                    };
                    format!("{range} {unit}")
                }
                other => scalar(other).unwrap_or_default(),
            };
            let s = format!("{currency} {amount}").trim().to_string();
            (!s.is_empty()).then_some(s)
        }
        other => scalar(other),
    }
}

/// HTML entities decoded until stable (descriptions are sometimes escaped twice).
pub fn unescape(s: &str) -> String {
    let mut cur = s.to_string();
    for _ in 0..3 {
        if !cur.contains('&') {
            break;
        }
        let next = html_escape::decode_html_entities(&cur).into_owned();
        if next == cur {
            break;
        }
        cur = next;
    }
    cur
}

/// A description as plain text: unescaped, and stripped of tags when it is HTML.
pub fn to_text(raw: &str) -> String {
    let mut s = raw.to_string();
    // Decode escaped markup ("&lt;p&gt;", or "&amp;lt;p&amp;gt;") so it can be parsed.
    for _ in 0..3 {
        if s.contains("&lt;") || s.contains("&amp;lt;") {
            s = html_escape::decode_html_entities(&s).into_owned();
        } else {
            break;
        }
    }
    if looks_like_html(&s) {
        fragment_to_text(&s)
    } else {
        unescape(&s)
    }
}

fn looks_like_html(s: &str) -> bool {
    let lower = s.get(..s.len().min(4000)).unwrap_or(s).to_ascii_lowercase();
    [
        "<p", "<br", "<div", "<li", "<ul", "<strong", "<b>", "<span", "<h2", "<h3", "<table",
        "<em>",
    ]
    .iter()
    .any(|t| lower.contains(t))
}

fn clean_inline(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_schema_org_job_postings() {
        let v = json!({
            "@type": "JobPosting", "title": "Staff Nurse",
            "description": "&lt;p&gt;NMC PIN &amp;amp; BLS&lt;/p&gt;&lt;ul&gt;&lt;li&gt;RGN&lt;/li&gt;&lt;/ul&gt;",
            "hiringOrganization": {"@type": "Organization", "name": "NHS Trust"},
            "jobLocation": {"@type": "Place", "address": {"addressLocality": "LEEDS", "addressCountry": "GB"}},
            "datePosted": "2020-11-02T10:00:00+0000",
            "baseSalary": {"currency": "GBP", "value": {"minValue": 24907, "maxValue": 30615, "unitText": "YEAR"}},
            "identifier": {"value": "915390428"}, "url": "https://example.org/1"
        });
        let f = posting_from_object(v.as_object().unwrap());
        assert_eq!(f.title.as_deref(), Some("Staff Nurse"));
        assert_eq!(f.text, "NMC PIN & BLS\n- RGN");
        assert_eq!(f.company.as_deref(), Some("NHS Trust"));
        assert_eq!(f.location.as_deref(), Some("LEEDS, GB"));
        assert_eq!(f.salary.as_deref(), Some("GBP 24907-30615 YEAR"));
        assert_eq!(f.id.as_deref(), Some("915390428"));
    }

    #[test]
    fn reads_flat_scraper_objects() {
        let v = json!({"job_id": 7, "job_title": "Analyst", "descriptionPlain": "CFA preferred",
                       "company_name": "Acme", "listed_time": 1713397508000.0_f64, "location": "NY",
                       "lists": [{"text": "Requirements", "content": "<li>CPA</li>"}]});
        let f = posting_from_object(v.as_object().unwrap());
        assert_eq!(f.title.as_deref(), Some("Analyst"));
        assert_eq!(f.text, "CFA preferred\nRequirements:\n- CPA");
        assert_eq!(f.id.as_deref(), Some("7"));
        assert_eq!(f.company.as_deref(), Some("Acme"));
    }

    #[test]
    fn finds_postings_in_graphs_and_arrays() {
        let v = json!({"@graph": [{"@type": "WebPage"}, {"@type": "JobPosting", "title": "A"}]});
        assert_eq!(job_postings_in(&v, true).len(), 1);
        let v = json!([{"title": "A"}, {"title": "B"}, 3]);
        assert_eq!(job_postings_in(&v, false).len(), 2);
        assert_eq!(job_postings_in(&v, true).len(), 0);
    }

    #[test]
    fn extra_sections_are_not_repeated() {
        let mut t = "Intro\nRequirements: CPA".to_string();
        append_section(&mut t, "Requirements", "CPA");
        assert_eq!(t, "Intro\nRequirements: CPA");
        append_section(&mut t, "Benefits", "Pension");
        assert_eq!(t, "Intro\nRequirements: CPA\nBenefits:\nPension");
    }
}
