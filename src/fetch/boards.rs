//! The four job-board APIs: where each lists a board's postings, how it pages, and how one of
//! its job objects becomes the schema.org `JobPosting` file that `scan` reads.
//!
//! Every API here returns full postings (text included) in its listing, so one board costs one
//! request, or one per page for Lever. Each job is converted on its own: a job that cannot be
//! read is reported and the board's other jobs are kept. Fields `scan` does not read are kept
//! under `x-credscan.native`, because a later question may need them.

use serde_json::{json, Map, Value};
use url::Url;

use super::source::BoardKind;

/// Lever's page size: its documented maximum is not stated, 100 is what its own examples use.
pub const LEVER_PAGE: usize = 100;

/// One posting read from a board, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardPosting {
    /// The board's own id for the posting (the file name, sanitised).
    pub id: String,
    /// `datePosted`, compared with `--since`.
    pub date: Option<String>,
    /// The schema.org JobPosting object, without `x-credscan` (added when written).
    pub json: Value,
}

/// What one listing response held.
#[derive(Debug, Default)]
pub struct Listing {
    pub postings: Vec<BoardPosting>,
    /// Jobs in the response that could not be read, with the reason.
    pub bad: Vec<String>,
    /// How many jobs the response held, good or bad (Lever's paging stops on a short page).
    pub len: usize,
}

/// The URL of page `page` (0-based) of a board's listing.
pub fn listing_url(kind: BoardKind, base: &Url, board: &str, page: usize) -> Url {
    let mut url = base.clone();
    {
        // Segments are percent-encoded one by one, so a board named `../x` stays one segment.
        let mut path = url
            .path_segments_mut()
            .expect("API bases are http(s) URLs, checked when parsed");
        path.pop_if_empty();
        match kind {
            BoardKind::Greenhouse => path.extend(["v1", "boards", board, "jobs"]),
            BoardKind::Lever => path.extend(["v0", "postings", board]),
            BoardKind::Ashby => path.extend(["posting-api", "job-board", board]),
            BoardKind::Workable => path.extend(["api", "accounts", board]),
        };
    }
    let query = match kind {
        BoardKind::Greenhouse => "content=true".to_string(),
        BoardKind::Lever => format!("mode=json&skip={}&limit={LEVER_PAGE}", page * LEVER_PAGE),
        BoardKind::Ashby => "includeCompensation=true".to_string(),
        BoardKind::Workable => "details=true".to_string(),
    };
    url.set_query(Some(&query));
    url
}

/// Whether another page should be asked for after a response holding `len` jobs.
pub fn has_next_page(kind: BoardKind, len: usize) -> bool {
    kind == BoardKind::Lever && len == LEVER_PAGE
}

/// Reads one listing response. An error means the response as a whole is unusable (not
/// JSON, or not the shape this API returns); single bad jobs are reported in `Listing::bad`.
pub fn parse_listing(kind: BoardKind, board: &str, body: &[u8]) -> Result<Listing, String> {
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| format!("malformed JSON from {}: {e}", kind.name()))?;
    let (jobs, company) = match kind {
        BoardKind::Lever => (doc.as_array(), None),
        BoardKind::Workable => (
            doc.get("jobs").and_then(Value::as_array),
            doc.get("name")
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty()),
        ),
        BoardKind::Greenhouse | BoardKind::Ashby => {
            (doc.get("jobs").and_then(Value::as_array), None)
        }
    };
    let jobs = jobs.ok_or_else(|| match kind {
        BoardKind::Lever => "unexpected response: Lever returns a JSON array".to_string(),
        _ => format!(
            "unexpected response: no \"jobs\" array from {}",
            kind.name()
        ),
    })?;
    let company = company.unwrap_or(board);
    let mut listing = Listing {
        len: jobs.len(),
        ..Listing::default()
    };
    for (i, job) in jobs.iter().enumerate() {
        match convert(kind, company, job) {
            Ok(posting) => listing.postings.push(posting),
            Err(why) => {
                listing
                    .bad
                    .push(format!("job #{} of {}:{board}: {why}", i + 1, kind.name()))
            }
        }
    }
    Ok(listing)
}

fn convert(kind: BoardKind, company: &str, job: &Value) -> Result<BoardPosting, String> {
    let job = job.as_object().ok_or("not a JSON object")?;
    let id_field = match kind {
        BoardKind::Workable => "shortcode",
        _ => "id",
    };
    let id = match job.get(id_field) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(format!("no \"{id_field}\"")),
    };
    let title = text(job, "title").or_else(|| text(job, "text"));
    let title = title.ok_or("no title")?;
    let fields = match kind {
        BoardKind::Greenhouse => greenhouse(job),
        BoardKind::Lever => lever(job),
        BoardKind::Ashby => ashby(job),
        BoardKind::Workable => workable(job),
    };
    let mut posting = json!({
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": title,
        "description": fields.description,
        "hiringOrganization": {"@type": "Organization", "name": company},
        "identifier": {"@type": "PropertyValue", "name": kind.name(), "value": id},
    });
    let object = posting.as_object_mut().expect("built as an object");
    let optional = [
        ("jobLocation", fields.location.map(place)),
        ("datePosted", fields.date.clone().map(Value::String)),
        ("url", fields.url.map(Value::String)),
        ("baseSalary", fields.salary),
        ("employmentType", fields.employment.map(Value::String)),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            object.insert(key.to_string(), value);
        }
    }
    let native: Map<String, Value> = fields
        .native
        .iter()
        .filter_map(|key| {
            job.get(*key)
                .filter(|v| !v.is_null())
                .map(|v| (key.to_string(), v.clone()))
        })
        .collect();
    object.insert("x-credscan".to_string(), json!({ "native": native }));
    Ok(BoardPosting {
        id,
        date: fields.date,
        json: posting,
    })
}

/// The parts of a job each API spells differently.
struct Fields {
    description: String,
    location: Option<String>,
    date: Option<String>,
    url: Option<String>,
    salary: Option<Value>,
    employment: Option<String>,
    /// The job's own fields kept under `x-credscan.native`.
    native: &'static [&'static str],
}

fn greenhouse(job: &Map<String, Value>) -> Fields {
    Fields {
        // Greenhouse sends the HTML entity-escaped (`&lt;p&gt;`): undo that once.
        description: text(job, "content")
            .map(|c| html_escape::decode_html_entities(&c).into_owned())
            .unwrap_or_default(),
        location: job.get("location").and_then(|l| text_of(l, "name")),
        date: text(job, "first_published").or_else(|| text(job, "updated_at")),
        url: text(job, "absolute_url"),
        salary: None,
        employment: None,
        native: &[
            "internal_job_id",
            "requisition_id",
            "updated_at",
            "first_published",
            "departments",
            "offices",
            "metadata",
            "company_name",
            "language",
        ],
    }
}

fn lever(job: &Map<String, Value>) -> Fields {
    let categories = job.get("categories");
    // The requirement lists are where credentials usually are: keep each as a headed list.
    let mut description = text(job, "description").unwrap_or_default();
    for list in job
        .get("lists")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let heading = text_of(list, "text").unwrap_or_default();
        let items = text_of(list, "content").unwrap_or_default();
        description.push_str(&format!("\n<h3>{heading}</h3>\n<ul>{items}</ul>"));
    }
    if let Some(additional) = text(job, "additional") {
        description.push('\n');
        description.push_str(&additional);
    }
    if description.trim().is_empty() {
        description = text(job, "descriptionPlain").unwrap_or_default();
    }
    Fields {
        description,
        location: categories.and_then(|c| text_of(c, "location")),
        date: job
            .get("createdAt")
            .and_then(Value::as_i64)
            .map(crate::date::iso_from_unix_millis),
        url: text(job, "hostedUrl"),
        salary: job.get("salaryRange").and_then(lever_salary),
        employment: categories.and_then(|c| text_of(c, "commitment")),
        native: &[
            "categories",
            "workplaceType",
            "country",
            "applyUrl",
            "salaryRange",
            "salaryDescriptionPlain",
            "createdAt",
        ],
    }
}

fn lever_salary(range: &Value) -> Option<Value> {
    let min = range.get("min").filter(|v| v.is_number());
    let max = range.get("max").filter(|v| v.is_number());
    if min.is_none() && max.is_none() {
        return None;
    }
    Some(json!({
        "@type": "MonetaryAmount",
        "currency": range.get("currency"),
        "value": {
            "@type": "QuantitativeValue",
            "minValue": min,
            "maxValue": max,
            "unitText": range.get("interval"),
        },
    }))
}

fn ashby(job: &Map<String, Value>) -> Fields {
    let compensation = job.get("compensation");
    // The summary (`€80K – €100K • Offers Equity`) is what a reader wants; the full tiers are
    // kept in native.
    let salary = compensation
        .and_then(|c| {
            text_of(c, "compensationTierSummary")
                .or_else(|| text_of(c, "scrapeableCompensationSalarySummary"))
        })
        .map(Value::String);
    Fields {
        description: text(job, "descriptionHtml")
            .or_else(|| text(job, "descriptionPlain"))
            .unwrap_or_default(),
        location: text(job, "location"),
        date: text(job, "publishedAt"),
        url: text(job, "jobUrl"),
        salary,
        employment: text(job, "employmentType"),
        native: &[
            "department",
            "team",
            "isRemote",
            "workplaceType",
            "secondaryLocations",
            "address",
            "applyUrl",
            "compensation",
            "isListed",
        ],
    }
}

fn workable(job: &Map<String, Value>) -> Fields {
    let location: Vec<String> = ["city", "state", "country"]
        .iter()
        .filter_map(|k| text(job, k))
        .collect();
    Fields {
        description: text(job, "description").unwrap_or_default(),
        location: (!location.is_empty()).then(|| location.join(", ")),
        date: text(job, "published_on").or_else(|| text(job, "created_at")),
        url: text(job, "url").or_else(|| text(job, "shortlink")),
        salary: None,
        employment: text(job, "employment_type"),
        native: &[
            "department",
            "function",
            "industry",
            "experience",
            "education",
            "telecommuting",
            "application_url",
            "locations",
            "code",
        ],
    }
}

fn place(locality: String) -> Value {
    json!({
        "@type": "Place",
        "address": {"@type": "PostalAddress", "addressLocality": locality},
    })
}

fn text(job: &Map<String, Value>, key: &str) -> Option<String> {
    job.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn text_of(value: &Value, key: &str) -> Option<String> {
    value.as_object().and_then(|o| text(o, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(kind: BoardKind, body: Value) -> Value {
        let listing = parse_listing(kind, "acme", body.to_string().as_bytes()).unwrap();
        assert!(listing.bad.is_empty(), "{:?}", listing.bad);
        assert_eq!(listing.postings.len(), 1);
        listing.postings[0].json.clone()
    }

    #[test]
    fn greenhouse_job_becomes_a_job_posting() {
        let p = one(
            BoardKind::Greenhouse,
            json!({"jobs": [{"id": 4012345, "title": "Cloud Engineer",
                "content": "&lt;p&gt;AWS Certified &amp;amp; CISSP&lt;/p&gt;",
                "location": {"name": "London, UK"}, "updated_at": "2024-02-01T00:00:00-05:00",
                "first_published": "2024-01-10T12:00:00-05:00",
                "absolute_url": "https://boards.greenhouse.io/acme/jobs/4012345",
                "departments": [{"name": "Platform"}]}], "meta": {"total": 1}}),
        );
        assert_eq!(p["title"], "Cloud Engineer");
        assert_eq!(p["description"], "<p>AWS Certified &amp; CISSP</p>");
        assert_eq!(p["hiringOrganization"]["name"], "acme");
        assert_eq!(p["jobLocation"]["address"]["addressLocality"], "London, UK");
        assert_eq!(p["datePosted"], "2024-01-10T12:00:00-05:00");
        assert_eq!(p["identifier"]["value"], "4012345");
        assert_eq!(p["identifier"]["name"], "greenhouse");
        assert_eq!(p["url"], "https://boards.greenhouse.io/acme/jobs/4012345");
        assert_eq!(
            p["x-credscan"]["native"]["departments"][0]["name"],
            "Platform"
        );
    }

    #[test]
    fn lever_lists_become_headed_lists_and_salary_is_kept() {
        let p = one(
            BoardKind::Lever,
            json!([{"id": "5ac2-x", "text": "SRE", "description": "<div>Intro</div>",
                "lists": [{"text": "Requirements", "content": "<li>CKA</li><li>RHCE</li>"}],
                "additional": "<div>Benefits</div>",
                "categories": {"location": "Berlin", "commitment": "Full-time", "team": "Ops"},
                "createdAt": 1_710_000_000_000_i64, "hostedUrl": "https://jobs.lever.co/acme/5ac2-x",
                "salaryRange": {"currency": "EUR", "interval": "per-year-salary", "min": 70000, "max": 90000}}]),
        );
        assert_eq!(
            p["description"],
            "<div>Intro</div>\n<h3>Requirements</h3>\n<ul><li>CKA</li><li>RHCE</li></ul>\n<div>Benefits</div>"
        );
        assert_eq!(p["datePosted"], "2024-03-09T16:00:00Z");
        assert_eq!(p["employmentType"], "Full-time");
        assert_eq!(p["baseSalary"]["value"]["minValue"], 70000);
        assert_eq!(p["baseSalary"]["currency"], "EUR");
        assert_eq!(p["jobLocation"]["address"]["addressLocality"], "Berlin");
    }

    #[test]
    fn ashby_and_workable_fields() {
        let p = one(
            BoardKind::Ashby,
            json!({"jobs": [{"id": "a1", "title": "Analyst", "location": "Remote",
                "employmentType": "FullTime", "publishedAt": "2024-04-01T09:00:00.000+00:00",
                "jobUrl": "https://jobs.ashbyhq.com/acme/a1", "descriptionHtml": "<p>CFA preferred</p>",
                "compensation": {"compensationTierSummary": "$100K – $120K"}}]}),
        );
        assert_eq!(p["baseSalary"], "$100K – $120K");
        assert_eq!(p["employmentType"], "FullTime");
        assert_eq!(p["description"], "<p>CFA preferred</p>");

        let p = one(
            BoardKind::Workable,
            json!({"name": "Acme Ltd", "jobs": [{"title": "Nurse", "shortcode": "AB12CD",
                "url": "https://apply.workable.com/j/AB12CD", "published_on": "2024-05-02",
                "city": "Leeds", "state": "England", "country": "United Kingdom",
                "employment_type": "Full-time", "description": "<p>NMC registration</p>"}]}),
        );
        assert_eq!(p["hiringOrganization"]["name"], "Acme Ltd");
        assert_eq!(p["identifier"]["value"], "AB12CD");
        assert_eq!(
            p["jobLocation"]["address"]["addressLocality"],
            "Leeds, England, United Kingdom"
        );
        assert_eq!(p["datePosted"], "2024-05-02");
    }

    #[test]
    fn bad_jobs_are_reported_and_the_rest_kept() {
        let body = json!({"jobs": [{"id": 1, "title": "A"}, "junk", {"title": "no id"}, {"id": 2, "title": "B"}]});
        let listing =
            parse_listing(BoardKind::Greenhouse, "acme", body.to_string().as_bytes()).unwrap();
        assert_eq!(listing.postings.len(), 2);
        assert_eq!(listing.bad.len(), 2);
        assert_eq!(listing.len, 4);
        assert!(parse_listing(BoardKind::Greenhouse, "acme", b"{\"jobs\": [").is_err());
        assert!(parse_listing(BoardKind::Lever, "acme", b"{\"jobs\": []}").is_err());
    }

    #[test]
    fn listing_urls() {
        let base = Url::parse("http://127.0.0.1:9/mirror/").unwrap();
        let cases = [
            (
                BoardKind::Greenhouse,
                0,
                "http://127.0.0.1:9/mirror/v1/boards/ac%2Fme/jobs?content=true",
            ),
            (
                BoardKind::Lever,
                2,
                "http://127.0.0.1:9/mirror/v0/postings/ac%2Fme?mode=json&skip=200&limit=100",
            ),
            (
                BoardKind::Ashby,
                0,
                "http://127.0.0.1:9/mirror/posting-api/job-board/ac%2Fme?includeCompensation=true",
            ),
            (
                BoardKind::Workable,
                0,
                "http://127.0.0.1:9/mirror/api/accounts/ac%2Fme?details=true",
            ),
        ];
        for (kind, page, want) in cases {
            assert_eq!(listing_url(kind, &base, "ac/me", page).as_str(), want);
        }
    }
}
