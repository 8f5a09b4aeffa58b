//! `credscan dict check`: the dictionaries validated, so a bad edit is caught before it
//! skews a count.
//!
//! It checks what a reviewer would: duplicate ids; entries missing a field, an alias or an
//! example; unknown kinds of reference (a `family` that does not exist, a category not in
//! the list); an alias shared by two entries with no context rule to tell them apart; an
//! alias that can never match, even on its own; and every example sentence, run through
//! the real matcher, behaving as its entry says.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;

use anyhow::Result;

use crate::cli::DictArgs;
use crate::dictionary::{Dictionary, Kind};
use crate::matcher::About;
use crate::normalize::normalize;
use crate::scan::analyzer;

/// The categories a credential may have (documented in the README).
pub const CATEGORIES: &[&str] = &[
    "it-networking",
    "cloud",
    "security",
    "privacy",
    "project-management",
    "data-analytics",
    "software-vendor",
    "marketing",
    "career-certificate",
    "finance-accounting",
    "insurance-securities",
    "hr",
    "healthcare-nursing",
    "healthcare-life-support",
    "healthcare-allied",
    "healthcare-pharmacy",
    "healthcare-coding",
    "healthcare-behavioural",
    "healthcare-medical",
    "social-care",
    "safety",
    "construction-trades",
    "transport-logistics",
    "food",
    "education",
    "legal",
    "real-estate",
    "quality-process",
    "engineering",
];

/// Runs the check, prints each problem, and returns 0 when there are none, 1 otherwise.
pub fn run(args: &DictArgs, out: &mut dyn Write) -> Result<i32> {
    let analyzer = analyzer(args)?;
    let report = check(&analyzer);
    for p in &report.problems {
        writeln!(out, "{p}")?;
    }
    writeln!(
        out,
        "{} credentials ({} families), {} aliases, {} example sentences, {} roles: {} problem{}",
        report.credentials,
        report.families,
        report.aliases,
        report.examples,
        analyzer.roles.len(),
        report.problems.len(),
        if report.problems.len() == 1 { "" } else { "s" }
    )?;
    Ok(if report.problems.is_empty() { 0 } else { 1 })
}

/// What the check found.
pub struct Report {
    pub problems: Vec<String>,
    pub credentials: usize,
    pub families: usize,
    pub aliases: usize,
    pub examples: usize,
}

pub fn check(analyzer: &crate::analysis::Analyzer) -> Report {
    let dict: &Dictionary = analyzer.matcher.dictionary();
    let mut problems: Vec<String> = dict.problems.clone();
    let families: HashSet<&str> = dict
        .credentials
        .iter()
        .filter(|c| c.kind == Kind::Family)
        .map(|c| c.id.as_str())
        .collect();
    let mut unused_lists: BTreeSet<&str> = dict.lists.keys().map(String::as_str).collect();
    for (name, list) in &dict.lists {
        if list.words.is_empty() && list.countries.is_empty() {
            problems.push(format!("{}: list {name:?} has no words", list.origin));
        }
    }
    let mut examples = 0;
    let mut aliases = 0;
    // Aliases by their case-folded text: which credentials use them, and whether each of
    // those has a context rule guarding that alias.
    let mut shared: BTreeMap<String, Vec<(usize, bool)>> = BTreeMap::new();
    for (ci, c) in dict.credentials.iter().enumerate() {
        let at = format!("{}: {}", c.origin, c.id);
        for (field, empty) in [("name", c.name.is_empty()), ("issuer", c.issuer.is_empty())] {
            if empty {
                problems.push(format!("{at}: {field} is empty"));
            }
        }
        if !CATEGORIES.contains(&c.category.as_str()) {
            problems.push(format!("{at}: unknown category {:?}", c.category));
        }
        if let Some(f) = &c.family {
            if !families.contains(f.as_str()) {
                problems.push(format!(
                    "{at}: family {f:?} is not a kind = \"family\" entry"
                ));
            }
        }
        if c.aliases.is_empty() {
            problems.push(format!("{at}: no aliases or acronyms"));
        }
        if c.positive.is_empty() || c.negative.is_empty() {
            problems.push(format!(
                "{at}: needs at least one positive and one negative example"
            ));
        }
        for (ri, rule) in c.context.iter().enumerate() {
            for a in &rule.aliases {
                if !c.aliases.iter().any(|x| x.written == *a) {
                    problems.push(format!(
                        "{at}: context rule {} guards {a:?}, which is not one of its aliases",
                        ri + 1
                    ));
                }
            }
            if rule.require_any.is_empty() && rule.reject_any.is_empty() {
                problems.push(format!("{at}: context rule {} has no words", ri + 1));
            }
        }
        for name in c.context.iter().flat_map(|r| &r.lists) {
            unused_lists.remove(name.as_str());
        }
        for (ai, a) in c.aliases.iter().enumerate() {
            aliases += 1;
            let guarded = c.context.iter().any(|r| r.guards(a));
            shared
                .entry(a.text.to_ascii_lowercase())
                .or_default()
                .push((ci, guarded));
            if let Some(why) = never_matches(analyzer, ci, ai) {
                problems.push(format!(
                    "{at}: alias {:?} can never match: {why}",
                    a.written
                ));
            }
        }
        for (sentence, want) in c
            .positive
            .iter()
            .map(|s| (s, true))
            .chain(c.negative.iter().map(|s| (s, false)))
        {
            examples += 1;
            let norm = normalize(sentence);
            let (hits, rejected) =
                analyzer
                    .matcher
                    .find(&norm.text, &analyzer.levels, whole_title(&norm.text), true);
            let found = hits.iter().any(|h| h.credential == ci);
            if found != want {
                let why = if want {
                    rejected
                        .iter()
                        .find(|r| r.hit.credential == ci)
                        .map(|r| format!(" (rejected: {})", r.reason))
                        .unwrap_or_default()
                } else {
                    String::new()
                };
                let what = if want {
                    "positive example not matched"
                } else {
                    "negative example matched"
                };
                problems.push(format!("{at}: {what}: {sentence:?}{why}"));
            }
        }
    }
    for (alias, owners) in shared {
        let ids: HashSet<usize> = owners.iter().map(|(c, _)| *c).collect();
        if ids.len() > 1 && !owners.iter().all(|(_, guarded)| *guarded) {
            let mut names: Vec<&str> = ids
                .iter()
                .map(|&c| dict.credentials[c].id.as_str())
                .collect();
            names.sort();
            problems.push(format!(
                "alias {alias:?} is shared by {} without a context rule on each to tell them apart",
                names.join(", ")
            ));
        }
    }
    for name in unused_lists {
        problems.push(format!(
            "{}: list {name:?} is not used by any context rule",
            dict.lists[name].origin
        ));
    }
    if analyzer.roles.is_empty() {
        problems.push("the role dictionary defines no roles".into());
    }
    problems.extend(analyzer.roles.check());
    Report {
        credentials: dict.credentials.len(),
        families: families.len(),
        aliases,
        examples,
        problems,
    }
}

/// Why alias `ai` of credential `ci` cannot match even a sentence made of itself alone,
/// other than a context rule asking for company (which a real posting may supply).
fn never_matches(analyzer: &crate::analysis::Analyzer, ci: usize, ai: usize) -> Option<String> {
    let alias = &analyzer.matcher.credential(ci).aliases[ai];
    if alias.text.is_empty() {
        return Some("it is empty after normalisation".into());
    }
    let norm = normalize(&alias.text);
    let (hits, rejected) =
        analyzer
            .matcher
            .find(&norm.text, &analyzer.levels, whole_title(&norm.text), true);
    if hits.iter().any(|h| h.credential == ci) {
        return None;
    }
    let mine: Vec<_> = rejected.iter().filter(|r| r.hit.credential == ci).collect();
    if mine.iter().any(|r| r.reason.starts_with("context rule")) {
        return None;
    }
    Some(match mine.first() {
        Some(r) => r.reason.clone(),
        None => "the matcher does not find it".into(),
    })
}

/// An example sentence or alias read as a posting that is all title, so that rules looking
/// at the title see it.
fn whole_title(text: &str) -> About<'static> {
    About {
        country: None,
        title_end: text.len(),
    }
}
