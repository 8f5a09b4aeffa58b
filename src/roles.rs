//! Roles: turning raw job titles into canonical roles.
//!
//! Postings name the same job a hundred ways ("Staff Nurse - Band 5", "Bank RGN",
//! "Registered Nurse (Nights)"), and credential demand is only comparable across postings
//! once they are grouped by what the job is. This module owns that grouping. It reads a
//! human-editable dictionary (`dictionaries/roles.toml`, embedded as the default): first a
//! list of cleaning rules that strip seniority, pay bands, locations, employment type and
//! other noise from a title, then an ordered list of roles whose regexes are tried against
//! the cleaned title; the first role that matches wins. A title no role matches keeps its
//! cleaned form in Title Case, so grouping by role still collects its variants.
//!
//! Everything is compiled once in [`Roles`]; classifying a title is a handful of regex
//! replacements plus a first-match scan over one small regex per role, and `Roles` is
//! `Send + Sync` so rayon workers can share one.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use regex::bytes::Regex as AsciiRegex;
use regex::bytes::RegexBuilder as AsciiRegexBuilder;
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

/// The dictionary shipped with the binary.
const BUILTIN: &str = include_str!("../dictionaries/roles.toml");

/// Room for a role with many patterns; the default limit is sized for one pattern.
const REGEX_SIZE_LIMIT: usize = 64 << 20;

/// `roles.toml` as written on disk.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireRoles {
    version: String,
    #[serde(default)]
    cleaning: WireCleaning,
    #[serde(default, rename = "role")]
    roles: Vec<WireRole>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireCleaning {
    #[serde(default)]
    rewrite: Vec<(String, String)>,
    #[serde(default)]
    strip: Vec<String>,
    #[serde(default)]
    detail: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireRole {
    name: String,
    #[serde(default)]
    patterns: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    examples: Vec<String>,
}

/// One canonical role: its name, what claims a title for it, what vetoes that, and the
/// titles it must claim.
#[derive(Debug)]
struct Role {
    name: String,
    /// All patterns as one alternation; `None` when the role has none.
    patterns: Option<AsciiRegex>,
    exclude: Option<AsciiRegex>,
    examples: Vec<String>,
}

/// The compiled dictionary: cleaning rules and roles in priority order.
#[derive(Debug)]
pub struct Roles {
    version: String,
    rewrite: Vec<(Regex, String)>,
    strip: Vec<Regex>,
    detail: Vec<Regex>,
    roles: Vec<Role>,
    tidy: Tidy,
}

/// What [`Roles::classify`] found for one title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleMatch {
    /// The cleaned title in Title Case ("Senior Data Scientist II (Remote)" -> "Data Scientist").
    pub cleaned: String,
    /// The canonical role, or `cleaned` when no role matched.
    pub role: String,
    /// Whether a dictionary role matched.
    pub matched: bool,
}

impl Roles {
    /// The dictionary embedded in the binary.
    pub fn builtin() -> Result<Roles> {
        Roles::from_toml(BUILTIN, "built-in roles.toml")
    }

    /// Reads the dictionary at `path`, or the built-in one when there is none.
    pub fn load(path: Option<&Path>) -> Result<Roles> {
        match path {
            None => Roles::builtin(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading role dictionary {}", path.display()))?;
                Roles::from_toml(&text, &path.display().to_string())
            }
        }
    }

    /// Parses and compiles a dictionary; errors name `origin` and the bad role or regex.
    pub fn from_toml(text: &str, origin: &str) -> Result<Roles> {
        let wire: WireRoles = toml::from_str(text).with_context(|| format!("parsing {origin}"))?;
        let cleaning = &wire.cleaning;
        let rewrite = cleaning
            .rewrite
            .iter()
            .enumerate()
            .map(|(i, (re, with))| -> Result<(Regex, String)> {
                let what = format!("{origin}: cleaning.rewrite[{i}]");
                Ok((compile(re, &what)?, with.clone()))
            })
            .collect::<Result<Vec<_>>>()?;
        let compile_list = |list: &[String], key: &str| -> Result<Vec<Regex>> {
            list.iter()
                .enumerate()
                .map(|(i, re)| compile(re, &format!("{origin}: cleaning.{key}[{i}]")))
                .collect()
        };
        let strip = compile_list(&cleaning.strip, "strip")?;
        let detail = compile_list(&cleaning.detail, "detail")?;

        let mut roles = Vec::with_capacity(wire.roles.len());
        for (index, role) in wire.roles.into_iter().enumerate() {
            if role.name.trim().is_empty() {
                bail!("{origin}: role #{} has an empty name", index + 1);
            }
            // Compile each pattern alone first, so an error names the role and the regex.
            for re in role.patterns.iter().chain(&role.exclude) {
                compile_ascii(std::slice::from_ref(re))
                    .with_context(|| format!("{origin}: role {:?}: bad regex {re:?}", role.name))?;
            }
            let what = || format!("{origin}: role {:?}", role.name);
            roles.push(Role {
                patterns: compile_ascii(&role.patterns).with_context(what)?,
                exclude: compile_ascii(&role.exclude).with_context(what)?,
                name: role.name,
                examples: role.examples,
            });
        }
        Ok(Roles {
            version: wire.version,
            rewrite,
            strip,
            detail,
            roles,
            tidy: Tidy::new(),
        })
    }

    /// The dictionary's `version`, for reports.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// How many roles the dictionary defines.
    pub fn len(&self) -> usize {
        self.roles.len()
    }

    /// Whether the dictionary defines no roles (every title then keeps its cleaned form).
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
    }

    /// The cleaned display form of `title`: noise removed, Title Case.
    #[cfg(test)]
    pub fn clean_title(&self, title: &str) -> String {
        self.clean(title).display
    }

    /// The role of `title`, or its cleaned form when no role matches.
    pub fn classify(&self, title: &str) -> RoleMatch {
        let cleaned = self.clean(title);
        match self.role_of(&cleaned.key) {
            Some(index) => RoleMatch {
                role: self.roles[index].name.clone(),
                cleaned: cleaned.display,
                matched: true,
            },
            None => RoleMatch {
                role: cleaned.display.clone(),
                cleaned: cleaned.display,
                matched: false,
            },
        }
    }

    /// Problems worth fixing in the dictionary, one line each; empty when it is sound.
    ///
    /// Reports roles without patterns, duplicate names, examples that classify elsewhere,
    /// and roles every one of whose examples an earlier role takes (shadowed roles).
    pub fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (index, role) in self.roles.iter().enumerate() {
            if role.patterns.is_none() {
                problems.push(format!("role {:?} has no patterns", role.name));
            }
            let key = role.name.to_lowercase();
            if let Some(first) = seen.insert(key, index) {
                problems.push(format!(
                    "role {:?} (#{}) duplicates the name of role #{}",
                    role.name,
                    index + 1,
                    first + 1
                ));
            }
            if role.examples.is_empty() {
                continue;
            }
            let mut shadowed_by = Vec::new();
            for example in &role.examples {
                let cleaned = self.clean(example);
                let found = self.role_of(&cleaned.key);
                if found == Some(index) {
                    continue;
                }
                let got = found.map_or_else(
                    || format!("no role (cleaned {:?})", cleaned.key),
                    |i| format!("{:?}", self.roles[i].name),
                );
                problems.push(format!(
                    "role {:?}: example {example:?} classifies as {got}",
                    role.name
                ));
                if let Some(earlier) = found.filter(|&i| i < index) {
                    if self.role_patterns_match(index, &cleaned.key) {
                        shadowed_by.push(self.roles[earlier].name.as_str());
                    }
                }
            }
            if shadowed_by.len() == role.examples.len() {
                shadowed_by.sort_unstable();
                shadowed_by.dedup();
                problems.push(format!(
                    "role {:?} is shadowed: every example goes to an earlier role ({})",
                    role.name,
                    shadowed_by.join(", ")
                ));
            }
        }
        problems
    }

    /// Every role with its examples, for tests.
    #[cfg(test)]
    fn examples(&self) -> impl Iterator<Item = (&str, &str)> {
        self.roles.iter().flat_map(|role| {
            role.examples
                .iter()
                .map(move |example| (role.name.as_str(), example.as_str()))
        })
    }

    /// The first role with a matching pattern and no matching exclusion.
    ///
    /// Roles are tried one by one rather than through one `RegexSet` of every pattern:
    /// on the corpus the set cost 0.3 ms a title, because each new title forced new states
    /// in one huge lazy DFA, while a small regex per role stays warm and most are
    /// rejected by their literal prefilter.
    fn role_of(&self, key: &str) -> Option<usize> {
        if key.is_empty() {
            return None;
        }
        let key = key.as_bytes();
        self.roles.iter().position(|role| {
            role.patterns.as_ref().is_some_and(|re| re.is_match(key))
                && role.exclude.as_ref().is_none_or(|re| !re.is_match(key))
        })
    }

    /// Whether role `index`'s own patterns match `key`, ignoring every other role.
    fn role_patterns_match(&self, index: usize, key: &str) -> bool {
        self.roles[index]
            .patterns
            .as_ref()
            .is_some_and(|re| re.is_match(key.as_bytes()))
    }

    /// Applies the cleaning rules; gives the key roles are matched against and the display form.
    fn clean(&self, title: &str) -> Cleaned {
        let mut text = self.tidy.squash(&fold_to_ascii(title));
        let original = text.clone();
        for (re, with) in &self.rewrite {
            if re.is_match(&text) {
                text = re.replace_all(&text, with.as_str()).into_owned();
            }
        }
        for re in &self.strip {
            if re.is_match(&text) {
                text = re.replace_all(&text, " ").into_owned();
                text = self.tidy.squash(&text);
            }
        }
        let key = self.tidy.key(&text);
        let mut display = text;
        for re in &self.detail {
            if re.is_match(&display) {
                display = re.replace_all(&display, " ").into_owned();
            }
        }
        let mut display = self.tidy.trim(&display);
        if display.is_empty() {
            // The whole title was noise ("Bank", "Intern"): keep what the employer wrote.
            display = self.tidy.trim(&original);
        }
        let key = if key.is_empty() {
            self.tidy.key(&display)
        } else {
            key
        };
        Cleaned {
            key,
            display: title_case(&display, &original),
        }
    }
}

/// A title after cleaning.
struct Cleaned {
    /// Lower case, apostrophes and brackets dropped: what role patterns see.
    key: String,
    /// Cleaned title in Title Case, details removed.
    display: String,
}

/// Fixed clean-up between and after the dictionary's rules.
#[derive(Debug)]
struct Tidy {
    spaces: Regex,
    empty_brackets: Regex,
    edges: Regex,
    doubled_separators: Regex,
    brackets: Regex,
}

impl Tidy {
    fn new() -> Tidy {
        let re = |pattern: &str| Regex::new(pattern).expect("fixed tidy regex");
        Tidy {
            spaces: re(r"\s+"),
            empty_brackets: re(r"\(\s*[-,/&|:;+.]*\s*\)|\[\s*[-,/&|:;+.]*\s*\]"),
            edges: re(r"^[\s\-,/&|:;+.*!#~_=]+|[\s\-,/&|:;+*!#~_=(]+$"),
            doubled_separators: re(r"\s*([-,/|:;])(?:\s*[-,/|:;])+\s*"),
            brackets: re(r"[()\[\]]"),
        }
    }

    /// Collapses runs of whitespace to one space.
    fn squash(&self, text: &str) -> String {
        self.spaces.replace_all(text.trim(), " ").into_owned()
    }

    /// Drops empty brackets, doubled and dangling separators, extra spaces.
    fn trim(&self, text: &str) -> String {
        let text = self.empty_brackets.replace_all(text, " ");
        let text = self.doubled_separators.replace_all(&text, " $1 ");
        let text = self.squash(&text);
        // A trailing "." belongs to abbreviations ("Sr."), which strip has removed by now.
        let text = self.edges.replace_all(&text, "");
        let text = text.trim_end_matches('.');
        self.squash(text)
    }

    /// The matching key: lower case, no apostrophes or brackets, tidy.
    fn key(&self, text: &str) -> String {
        let text = self.brackets.replace_all(text, " ");
        self.trim(&text).to_lowercase().replace('\'', "")
    }
}

/// Unescapes HTML entities (twice: scrapes double-escape), then folds to plain ASCII:
/// accents dropped, curly quotes and dashes made plain, anything else a space.
///
/// Role patterns then only ever see ASCII, which keeps the regex engines on their fast path.
fn fold_to_ascii(title: &str) -> String {
    let once = html_escape::decode_html_entities(title);
    let twice = if once.contains('&') {
        html_escape::decode_html_entities(&once).into_owned()
    } else {
        once.into_owned()
    };
    let mut out = String::with_capacity(twice.len());
    for c in twice.nfkd() {
        match c {
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            '\u{2018}' | '\u{2019}' | '\u{02bc}' | '\u{00b4}' => out.push('\''),
            '\u{201c}' | '\u{201d}' => out.push('"'),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            '\u{00a3}' | '\u{20ac}' => out.push(c),
            c if unicode_normalization::char::is_combining_mark(c) => {}
            _ => out.push(' '),
        }
    }
    out
}

/// Title Case for display: "marketing coordinator" -> "Marketing Coordinator".
///
/// Acronyms the employer wrote in capitals ("RMN", "IT") and mixed-case names ("iOS",
/// "DevOps") are kept; titles written entirely in capitals are treated as lower case.
fn title_case(text: &str, original: &str) -> String {
    const SMALL: &[&str] = &[
        "a", "an", "and", "as", "at", "by", "de", "for", "in", "of", "on", "or", "the", "to",
        "with",
    ];
    let letters = original.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let upper = original.chars().filter(|c| c.is_ascii_uppercase()).count();
    let shouting = letters > 0 && upper * 10 >= letters * 8;
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let is_upper = word.chars().any(|c| c.is_ascii_uppercase())
            && !word.chars().any(|c| c.is_ascii_lowercase());
        let inner_upper = word.chars().skip(1).any(|c| c.is_ascii_uppercase());
        if !shouting && (is_upper || inner_upper) {
            out.push_str(word);
            continue;
        }
        let lower = word.to_lowercase();
        if i > 0 && SMALL.contains(&lower.as_str()) {
            out.push_str(&lower);
            continue;
        }
        // Capitalise each run of letters: "front-end" -> "Front-End", "children's" stays.
        let mut at_start = true;
        for c in lower.chars() {
            if at_start && c.is_ascii_alphabetic() {
                out.push(c.to_ascii_uppercase());
                at_start = false;
            } else {
                out.push(c);
                if !c.is_ascii_alphanumeric() && c != '\'' {
                    at_start = true;
                }
            }
        }
    }
    out
}

fn compile(pattern: &str, what: &str) -> Result<Regex> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .with_context(|| format!("{what}: bad regex {pattern:?}"))
}

/// One regex matching any of `patterns`, or `None` when there are none.
///
/// Role patterns only ever see ASCII keys (see [`fold_to_ascii`]), so they are compiled
/// without Unicode: `\b`, `\w` and case folding stay ASCII and the automata stay small.
fn compile_ascii(patterns: &[String]) -> Result<Option<AsciiRegex>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let alternation = patterns
        .iter()
        .map(|p| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    let re = AsciiRegexBuilder::new(&alternation)
        .unicode(false)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()?;
    Ok(Some(re))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles() -> Roles {
        Roles::builtin().expect("built-in roles.toml compiles")
    }

    /// (raw title, expected role): titles written for these tests, across every area.
    const TITLES: &[(&str, &str)] = &[
        // Cleaning: seniority, levels, bands, locations, employment type, noise.
        (
            "Senior Data Scientist II (Remote) - New York, NY",
            "Data Scientist",
        ),
        ("Staff Nurse - Band 5", "Registered Nurse"),
        ("Band 6 Mental Health Nurse (RMN)", "Mental Health Nurse"),
        ("Part Time Receptionist", "Receptionist"),
        ("Sr. Accountant - Columbus, GA 31909", "Accountant"),
        ("Junior Software Developer #12345", "Software Engineer"),
        ("Data Analyst Level 2 - Full Time", "Data Analyst"),
        ("AfC Band 8a Principal Pharmacist", "Pharmacist"),
        (
            "Healthcare Assistant x2 posts - Immediate Start",
            "Healthcare Assistant",
        ),
        ("Chef de Partie £25k + tips", "Chef"),
        (
            "Warehouse Operative $15/hr Hiring Now!",
            "Warehouse Associate",
        ),
        ("Bank Staff Nurse (Nights)", "Registered Nurse"),
        ("Registered Nurse &amp; Team Leader", "Registered Nurse"),
        ("Staff Nurse (RMN) - Acute Ward", "Mental Health Nurse"),
        (
            "Physiotherapist, Band 6 - Fixed Term 12 months",
            "Physiotherapist",
        ),
        (
            "Speech &amp;amp; Language Therapist",
            "Speech and Language Therapist",
        ),
        ("Staff Software Engineer, Payments", "Software Engineer"),
        (
            "Req 4471 - Java Developer (Contract to Hire)",
            "Software Engineer",
        ),
        // NHS and UK clinical.
        ("Community Staff Nurse", "Registered Nurse"),
        ("RGN - Nursing Home", "Registered Nurse"),
        (
            "Registered Learning Disability Nurse",
            "Learning Disability Nurse",
        ),
        (
            "Paediatric Staff Nurse - Children's Ward",
            "Childrens Nurse",
        ),
        ("Community Midwife", "Midwife"),
        ("Health Visitor - 0-19 Service", "Health Visitor"),
        (
            "Advanced Nurse Practitioner - Primary Care",
            "Nurse Practitioner",
        ),
        ("Trainee Nursing Associate", "Nursing Associate"),
        ("Ward Sister", "Charge Nurse / Sister"),
        ("Deputy Ward Manager", "Ward Manager"),
        (
            "Occupational Therapist - Community Rehab",
            "Occupational Therapist",
        ),
        ("Diagnostic Radiographer", "Radiographer"),
        ("Paramedic - Urgent Care Centre", "Paramedic"),
        ("Pharmacy Technician - Dispensary", "Pharmacy Technician"),
        (
            "Highly Specialist Speech and Language Therapist",
            "Speech and Language Therapist",
        ),
        ("Dietitian - Weight Management", "Dietitian"),
        ("Counselling Psychologist", "Psychologist"),
        ("Consultant Cardiologist", "Consultant Doctor"),
        (
            "Locum Consultant in Respiratory Medicine",
            "Consultant Doctor",
        ),
        ("Specialty Doctor - Psychiatry", "Specialty Doctor"),
        ("Salaried GP - 6 sessions", "General Practitioner"),
        ("FY1 Doctor", "Junior Doctor"),
        ("Specialty Registrar in Anaesthetics", "Junior Doctor"),
        ("General Dental Practitioner", "Dentist"),
        ("Trainee Dental Nurse", "Dental Nurse"),
        (
            "Biomedical Scientist - Blood Sciences",
            "Biomedical Scientist",
        ),
        ("Operating Department Practitioner", "Theatre Practitioner"),
        ("Medical Secretary - Orthopaedics", "Medical Secretary"),
        ("Porter", "Porter"),
        ("Domestic Assistant - Part Time", "Cleaner / Housekeeper"),
        ("Consultant Clinical Psychologist", "Psychologist"),
        ("Support Worker - Supported Living", "Support Worker"),
        (
            "Nursery Nurse - Health Visiting Team",
            "Early Years Practitioner",
        ),
        // US nursing.
        ("RN - Med/Surg - Per Diem", "Registered Nurse"),
        ("LPN Charge Nurse", "Licensed Practical Nurse"),
        (
            "Certified Nursing Assistant (CNA) - PRN",
            "Certified Nursing Assistant",
        ),
        ("Family Nurse Practitioner", "Nurse Practitioner"),
        // Data and software.
        (
            "Machine Learning Engineer - Computer Vision",
            "Machine Learning Engineer",
        ),
        ("Lead Data Engineer (Spark, Airflow)", "Data Engineer"),
        (
            "Business Intelligence Developer",
            "Business Intelligence Analyst",
        ),
        ("Biostatistician II", "Statistician"),
        ("Research Scientist, Genomics", "Research Scientist"),
        ("Front End Developer (React)", "Front-End Developer"),
        ("Backend Engineer - Go", "Back-End Developer"),
        ("Full Stack Developer", "Full Stack Developer"),
        ("Site Reliability Engineer", "DevOps Engineer"),
        ("QA Automation Engineer", "QA / Test Engineer"),
        ("iOS Engineer", "Mobile Developer"),
        ("Senior Product Manager, Growth", "Product Manager"),
        ("IT Project Manager", "Project Manager"),
        ("Scrum Master - Contract", "Scrum Master"),
        ("Business Systems Analyst", "Business Analyst"),
        // IT and security.
        ("Help Desk Technician Tier 1", "IT Support"),
        ("Linux Systems Administrator", "Systems Administrator"),
        ("Network Engineer (CCNP)", "Network Engineer"),
        ("Oracle Database Administrator", "Database Administrator"),
        ("Azure Cloud Engineer", "Cloud Engineer"),
        ("Information Security Analyst", "Security Analyst"),
        ("Application Security Engineer", "Security Engineer"),
        ("Penetration Tester", "Penetration Tester"),
        ("IT Compliance Analyst", "Compliance / GRC Analyst"),
        ("Privacy Officer", "Privacy / Data Protection"),
        // Finance and HR.
        ("Staff Accountant", "Accountant"),
        ("Financial Controller", "Controller"),
        ("FP&A Analyst", "Financial Planning & Analysis"),
        ("Financial Analyst II", "Financial Analyst"),
        ("Internal Auditor", "Auditor"),
        ("Tax Senior", "Tax Specialist"),
        ("Part-Time Bookkeeper", "Bookkeeper"),
        ("Payroll Administrator", "Payroll Specialist"),
        ("Accounts Payable Clerk", "Accounts Payable / Receivable"),
        ("Chief Financial Officer", "Chief Financial Officer"),
        ("Finance Manager", "Finance Manager"),
        ("Technical Recruiter", "Recruiter"),
        ("HR Business Partner", "HR Manager / Business Partner"),
        ("HR Generalist", "HR Advisor"),
        // Marketing, sales, service, admin.
        (
            "Digital Marketing Executive",
            "Digital Marketing Specialist",
        ),
        ("SEO Executive", "SEO Specialist"),
        ("Social Media Coordinator", "Social Media Manager"),
        ("marketing coordinator", "Marketing Coordinator"),
        ("Outside Sales Representative", "Sales Representative"),
        ("Enterprise Account Executive", "Account Executive"),
        ("Key Account Manager", "Account Manager"),
        ("Customer Success Manager", "Customer Success Manager"),
        (
            "Customer Service Advisor - Call Centre",
            "Customer Service Representative",
        ),
        ("Executive Assistant to the CEO", "Executive Assistant"),
        ("Office Manager", "Office Manager"),
        ("Administrative Assistant", "Administrative Assistant"),
        // Logistics, trades, engineering.
        ("CDL-A Truck Driver", "Truck Driver"),
        ("Delivery Driver", "Delivery Driver"),
        ("Forklift Operator - 2nd Shift", "Forklift Operator"),
        ("Logistics Coordinator", "Logistics Coordinator"),
        ("Supply Chain Analyst", "Supply Chain Analyst"),
        ("Maintenance Electrician", "Electrician"),
        ("Plumber", "Plumber"),
        ("HVAC Service Technician", "HVAC Technician"),
        ("Welder / Fabricator", "Welder"),
        ("Diesel Mechanic", "Mechanic"),
        ("Maintenance Technician", "Maintenance Technician"),
        ("Mechanical Design Engineer", "Mechanical Engineer"),
        ("Civil Engineer", "Civil Engineer"),
        ("Structural Engineer", "Structural Engineer"),
        ("Process Engineer", "Process Engineer"),
        ("Site Manager - Housing", "Construction Project Manager"),
        ("Estimator", "Estimator"),
        ("EHS Coordinator", "Health and Safety Officer"),
        // Teaching, care, hospitality, retail, legal, property.
        ("Primary Teacher", "Teacher"),
        ("Teaching Assistant", "Teaching Assistant"),
        ("Lecturer in Computing", "Lecturer"),
        ("Care Assistant", "Care Assistant"),
        ("Social Worker - Adult Safeguarding", "Social Worker"),
        ("Sous Chef", "Chef"),
        ("Line Cook", "Cook"),
        ("Bartender", "Bartender"),
        ("Server", "Server"),
        ("Store Manager", "Store Manager"),
        ("Cashier", "Cashier"),
        ("Retail Sales Associate", "Retail Sales Associate"),
        ("Conveyancing Solicitor", "Solicitor"),
        ("Paralegal", "Paralegal"),
        ("Associate Attorney", "Attorney"),
        ("Real Estate Agent", "Real Estate Agent"),
        ("Property Manager", "Property Manager"),
        ("Security Officer - Nights", "Security Guard"),
    ];

    const _: () = assert!(TITLES.len() >= 80);

    #[test]
    fn roles_classify_realistic_titles() {
        let roles = roles();
        let wrong: Vec<String> = TITLES
            .iter()
            .filter_map(|&(title, want)| {
                let got = roles.classify(title);
                (got.role != want).then(|| {
                    format!(
                        "{title:?}: want {want:?}, got {:?} (cleaned {:?})",
                        got.role, got.cleaned
                    )
                })
            })
            .collect();
        assert!(
            wrong.is_empty(),
            "{} misclassified:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }

    /// (raw title, cleaned display form).
    const CLEANED: &[(&str, &str)] = &[
        (
            "Senior Data Scientist II (Remote) - New York, NY",
            "Data Scientist",
        ),
        ("marketing coordinator", "Marketing Coordinator"),
        ("Band 6 Mental Health Nurse (RMN)", "Mental Health Nurse"),
        ("Part-Time Receptionist - Immediate Start!", "Receptionist"),
        ("Senior IT Business Analyst, Level 3", "IT Business Analyst"),
        ("FORKLIFT DRIVER NEEDED", "Forklift Driver"),
        ("Sr. iOS Engineer - Remote", "iOS Engineer"),
        (
            "Bank Pharmacy Assistant - Band 2 - Orchard Hub",
            "Pharmacy Assistant - Orchard Hub",
        ),
        ("Children’s Nurse – Band 5", "Children's Nurse"),
        ("Apiary Keeper (Part Time) x2 posts", "Apiary Keeper"),
        ("Bank", "Bank"),
    ];

    #[test]
    fn roles_clean_titles_for_display() {
        let roles = roles();
        for &(title, want) in CLEANED {
            assert_eq!(roles.clean_title(title), want, "cleaning {title:?}");
        }
    }

    #[test]
    fn roles_unmatched_title_keeps_its_cleaned_form() {
        let got = roles().classify("Senior Apiary Keeper - Full Time");
        assert_eq!(
            got,
            RoleMatch {
                cleaned: "Apiary Keeper".into(),
                role: "Apiary Keeper".into(),
                matched: false,
            }
        );
    }

    #[test]
    fn roles_examples_classify_to_their_role() {
        let roles = roles();
        let wrong: Vec<String> = roles
            .examples()
            .filter_map(|(want, example)| {
                let got = roles.classify(example);
                (got.role != want)
                    .then(|| format!("{example:?}: want {want:?}, got {:?}", got.role))
            })
            .collect();
        assert!(
            wrong.is_empty(),
            "{} examples misclassified:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }

    #[test]
    fn roles_builtin_dictionary_checks_clean() {
        let roles = roles();
        assert!(roles.len() >= 150, "only {} roles", roles.len());
        assert!(!roles.is_empty());
        assert!(!roles.version().is_empty());
        assert_eq!(roles.check(), Vec::<String>::new());
    }

    #[test]
    fn roles_check_reports_problems() {
        let text = r#"
            version = "test"
            [[role]]
            name = "Nurse"
            patterns = ['\bnurse\b']
            examples = ["Dental Nurse"]
            [[role]]
            name = "Dental Nurse"
            patterns = ['\bdental nurse\b']
            examples = ["Dental Nurse"]
            [[role]]
            name = "nurse"
            patterns = []
        "#;
        let problems = Roles::from_toml(text, "test.toml").unwrap().check();
        let joined = problems.join("\n");
        assert!(joined.contains("\"nurse\" has no patterns"), "{joined}");
        assert!(
            joined.contains("duplicates the name of role #1"),
            "{joined}"
        );
        assert!(joined.contains("\"Dental Nurse\" is shadowed"), "{joined}");
        assert!(joined.contains("classifies as \"Nurse\""), "{joined}");
    }

    #[test]
    fn roles_errors_name_origin_and_role() {
        let text = r#"
            version = "test"
            [[role]]
            name = "Broken"
            patterns = ['(unclosed']
        "#;
        let err = format!("{:#}", Roles::from_toml(text, "mine.toml").unwrap_err());
        assert!(err.contains("mine.toml") && err.contains("Broken"), "{err}");
        let err = format!(
            "{:#}",
            Roles::from_toml("version = 1", "other.toml").unwrap_err()
        );
        assert!(err.contains("other.toml"), "{err}");
    }

    #[test]
    fn roles_load_reads_a_file_or_falls_back_to_builtin() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roles.toml");
        std::fs::write(
            &path,
            "version = \"x\"\n[[role]]\nname = \"Beekeeper\"\npatterns = ['apiar']\n",
        )
        .unwrap();
        let custom = Roles::load(Some(&path)).unwrap();
        assert_eq!(custom.version(), "x");
        assert_eq!(custom.classify("Apiarist").role, "Beekeeper");
        assert!(Roles::load(None).unwrap().len() >= 150);
        let missing = dir.path().join("missing.toml");
        let err = format!("{:#}", Roles::load(Some(&missing)).unwrap_err());
        assert!(err.contains("missing.toml"), "{err}");
    }

    #[test]
    fn roles_are_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<Roles>();
    }

    /// Titles from the shared corpus, by folder; `None` when the corpus is absent.
    fn corpus_titles() -> Option<Vec<(&'static str, Vec<String>)>> {
        let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"));
        if !root.is_dir() {
            return None;
        }
        let mut folders = Vec::new();
        let mut nhs = Vec::new();
        if let Ok(entries) = std::fs::read_dir(root.join("nhs-jobs-2020")) {
            for entry in entries.flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
                    continue;
                };
                if let Some(title) = json.get("title").and_then(|t| t.as_str()) {
                    nhs.push(title.to_string());
                }
            }
        }
        folders.push(("nhs-jobs-2020", nhs));
        let csvs: &[(&str, &[&str], &str)] = &[
            (
                "linkedin-2023",
                &["postings-a.csv", "postings-b.csv"],
                "title",
            ),
            ("emscad", &["fake-job-postings-subset.csv"], "title"),
            ("adzuna-uk", &["train-subset.csv"], "Title"),
            ("dice", &["dice-us-sample.csv"], "jobtitle"),
            ("indeed-2020", &["postings.csv"], "Title"),
            ("armenia", &["job-posts.csv"], "Title"),
        ];
        for &(folder, files, column) in csvs {
            let mut titles = Vec::new();
            for file in files {
                let Ok(mut reader) = csv::Reader::from_path(root.join(folder).join(file)) else {
                    continue;
                };
                let Some(at) = reader
                    .headers()
                    .ok()
                    .and_then(|h| h.iter().position(|c| c == column))
                else {
                    continue;
                };
                for record in reader.records().flatten() {
                    titles.extend(record.get(at).map(str::to_string));
                }
            }
            folders.push((folder, titles));
        }
        let title_tag = Regex::new(r"(?s)<title>(.*?)</title>").unwrap();
        let mut indeed = Vec::new();
        if let Ok(entries) = std::fs::read_dir(root.join("indeed-html")) {
            for entry in entries.flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                indeed.extend(title_tag.captures(&text).map(|c| c[1].trim().to_string()));
            }
        }
        folders.push(("indeed-html", indeed));
        let fpna = std::fs::read_to_string(root.join("fpna/jobs.jsonl")).unwrap_or_default();
        let fpna = fpna
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|json| json.get("title")?.as_str().map(str::to_string))
            .collect();
        folders.push(("fpna", fpna));
        Some(folders)
    }

    /// Reports, per corpus folder, the share of titles given a role and the most common
    /// unmatched cleaned titles (so the dictionary can grow); NHS titles must mostly match.
    #[test]
    fn roles_classify_most_corpus_titles() {
        let Some(folders) = corpus_titles() else {
            eprintln!("skipping: ../shared/corpus is absent");
            return;
        };
        let roles = roles();
        let started = std::time::Instant::now();
        let mut total = 0;
        for (folder, titles) in &folders {
            let mut unmatched: HashMap<String, usize> = HashMap::new();
            let mut matched = 0;
            for title in titles {
                let got = roles.classify(title);
                if got.matched {
                    matched += 1;
                } else {
                    *unmatched.entry(got.cleaned).or_default() += 1;
                }
            }
            total += titles.len();
            let share = matched as f64 / titles.len().max(1) as f64;
            eprintln!(
                "{folder}: {matched}/{} titles ({:.1}%) get a role",
                titles.len(),
                share * 100.0
            );
            let mut top: Vec<_> = unmatched.into_iter().collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            for (title, count) in top.iter().take(30) {
                eprintln!("    {count:5}  {title}");
            }
            if *folder == "nhs-jobs-2020" {
                assert!(
                    titles.len() > 1000,
                    "NHS folder read only {} titles",
                    titles.len()
                );
                assert!(
                    share >= 0.85,
                    "only {:.1}% of NHS titles get a role",
                    share * 100.0
                );
            }
        }
        let classify_time = started.elapsed();
        let started = std::time::Instant::now();
        for (_, titles) in &folders {
            for title in titles {
                std::hint::black_box(roles.clean_title(title));
            }
        }
        eprintln!(
            "classified {total} titles in {classify_time:?} (cleaning alone: {:?})",
            started.elapsed()
        );
    }
}
