//! `credscan suggest`: credential-like phrases the dictionary lacks, ranked by how many
//! postings use them, so the dictionary can grow from real data rather than guesswork.
//!
//! It looks for "Certified X", "X certification/certificate/licence", "licensed X",
//! "registered X", and capitalised acronyms near certif-/licen-/accredit- words, drops
//! whatever the dictionary already matches, and counts each phrase once per posting.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use std::sync::LazyLock;

use anyhow::{bail, Result};
use regex::Regex;

use crate::analysis::Analyzer;
use crate::cli::SuggestArgs;
use crate::ingest::{self, ReadOptions};
use crate::matcher::About;
use crate::normalize::normalize;
use crate::report::thousands;
use crate::scan::{analyzer, Pipeline};

static PHRASES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    let word = r"[A-Z][A-Za-z0-9+&/\-]*";
    [
        format!(r"\b[Cc]ertified (?:{word})(?: (?:{word}|of|in|and|for)){{0,4}}"),
        format!(r"(?:{word} ){{1,4}}(?:[Cc]ertification|[Cc]ertificate|[Ll]icen[cs]e|[Cc]redential|[Aa]ccreditation)\b"),
        format!(r"\b[Ll]icensed (?:{word})(?: {word}){{0,3}}"),
        format!(r"\b[Rr]egistered (?:{word})(?: {word}){{0,3}}"),
    ]
    .iter()
    .map(|p| Regex::new(p).expect("valid suggestion pattern"))
    .collect()
});

static ACRONYM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[A-Z][A-Z0-9]{1,6}\+?").unwrap());
static CUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)certif|licen[cs]|accredit|registration").unwrap());

/// Words that start a capitalised run without belonging to the name.
const LEADING: &[&str] = &[
    "A",
    "An",
    "The",
    "Our",
    "Your",
    "Any",
    "All",
    "This",
    "Must",
    "Be",
    "Have",
    "Hold",
    "Valid",
    "Current",
    "Active",
    "Relevant",
    "Required",
    "Preferred",
    "Professional",
    "Other",
    "Or",
    "And",
    "Industry",
    "Recognised",
    "Recognized",
    "Appropriate",
    "With",
    "Of",
    "In",
    "Full",
    "State",
];

/// Phrases found in one posting (each once).
fn phrases_in(analyzer: &Analyzer, text: &str) -> HashSet<String> {
    let norm = normalize(text);
    let t = norm.text.as_str();
    let mut found = HashSet::new();
    for re in PHRASES.iter() {
        for m in re.find_iter(t) {
            let mut words: Vec<&str> = m.as_str().split(' ').collect();
            while words.len() > 1 && LEADING.contains(&words[0]) {
                words.remove(0);
            }
            let phrase = words.join(" ");
            if words.len() >= 2 && phrase.len() <= 80 {
                found.insert(phrase);
            }
        }
    }
    for cue in CUE.find_iter(t) {
        let from = crate::level::floor_char_boundary(t, cue.start().saturating_sub(40));
        let to = crate::level::ceil_char_boundary(t, cue.end() + 40);
        for m in ACRONYM.find_iter(&t[from..to]) {
            let a = m.as_str();
            if a.chars().filter(|c| c.is_ascii_uppercase()).count() >= 2 {
                found.insert(a.to_string());
            }
        }
    }
    // Drop what the dictionary already knows: a phrase it finds, or one written as an alias
    // whose context rules refuse it on its own ("NMC" needs a registration word).
    found.retain(|p| {
        let phrase = normalize(p).text;
        !analyzer.matcher.is_alias(&phrase)
            && analyzer
                .matcher
                .find(&phrase, &analyzer.levels, About::default(), false)
                .0
                .is_empty()
    });
    found
}

pub fn run(args: &SuggestArgs, out: &mut dyn Write) -> Result<i32> {
    let analyzer = analyzer(&args.dict)?;
    let paths: Vec<PathBuf> = args.inputs.clone();
    let (inputs, _) = ingest::discover(&paths);
    if inputs.is_empty() {
        bail!("no postings found in the given paths");
    }
    let opts = ReadOptions {
        columns: args.columns.clone(),
        keep_fraudulent: false,
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut postings = 0usize;
    let mut pipeline = Pipeline::new(inputs, opts);
    pipeline.run(
        |record| {
            record
                .ok()
                .map(|p| phrases_in(&analyzer, &format!("{}\n{}", p.title, p.text)))
        },
        |found| {
            if let Some(found) = found {
                postings += 1;
                for p in found {
                    *counts.entry(p).or_default() += 1;
                }
            }
            Ok(())
        },
        |_| {},
    )?;
    let mut ranked: Vec<(String, usize)> = counts
        .into_iter()
        .filter(|(_, n)| *n >= args.min_postings)
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    writeln!(
        out,
        "Phrases not in the dictionary, by postings using them ({} postings read):",
        thousands(postings as u64)
    )?;
    for (phrase, n) in ranked.iter().take(args.top) {
        writeln!(out, "{:>8}  {phrase}", thousands(*n as u64))?;
    }
    if ranked.is_empty() {
        writeln!(out, "  none used by {} or more postings", args.min_postings)?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dictionary::Dictionary;
    use crate::level::Levels;
    use crate::matcher::Matcher;
    use crate::roles::Roles;

    #[test]
    fn finds_unknown_credential_phrases() {
        let d = Dictionary::from_layers(vec![vec![(
            "t".into(),
            "[[credential]]\nid=\"pmp\"\nname=\"PMP\"\nissuer=\"PMI\"\nkind=\"certification\"\ncategory=\"hr\"\nacronyms=[\"PMP\", \"NMC\"]\n[[credential.context]]\naliases=[\"NMC\"]\nwindow=30\nrequire_any=[\"registration\"]\n".into(),
        )]])
        .unwrap();
        let a = Analyzer::new(
            Matcher::new(d).unwrap(),
            Levels::builtin().unwrap(),
            Roles::load(None).unwrap(),
        );
        let found = phrases_in(
            &a,
            "Must be a Certified Widget Inspector. A valid Forklift Operator Licence and PMP. XYZ certification preferred. Revalidation under NMC guidance: certificates.",
        );
        assert!(found.contains("Certified Widget Inspector"), "{found:?}");
        assert!(found.contains("Forklift Operator Licence"), "{found:?}");
        assert!(found.contains("XYZ"), "{found:?}");
        assert!(!found.contains("PMP"), "{found:?}");
        // Refused here by its context rule, but the dictionary knows it.
        assert!(!found.contains("NMC"), "{found:?}");
    }
}
