//! Credentials named with a shared word. Postings write "AWS or Azure certification",
//! "ILS/BLS trained" and "NVQ level 2 or 3 in Health and Social Care": one word serves two
//! credentials, so neither appears whole. This module finds the credential's full name in
//! such lists, for the matcher to check like any other candidate.
//!
//! Two shapes are understood:
//! - a shared last word: an alias "X certification" whose head "X" is followed by a short
//!   list ("X/Y certification", "X, Y or Z certifications"); the list items joined by "or",
//!   "and" or a comma must be names (capitalised), so "AWS and a relevant certification"
//!   is not read as an AWS certification;
//! - shared first words with levels: "Level 2 or 3 in ...", "NVQ 2/3 ...", where each
//!   level is tried with the words that follow the list;
//! - shared first words after a slash: "Splunk Certified Administrator/Architect",
//!   "registration in Learning Disability Nursing / Mental Health Nursing", where the words
//!   after the slash replace the last words of a name found before it, and the result must
//!   be another name in the dictionary.

use std::collections::HashMap;

use std::ops::Range;

use aho_corasick::MatchKind;
use anyhow::Result;
use regex::Regex;

use crate::dictionary::Dictionary;
use crate::matcher::Patterns;

/// The last words an alias may share with others in a list.
const TAILS: &[&str] = &[
    "accreditation",
    "accredited",
    "certificate",
    "certification",
    "certified",
    "diploma",
    "licence",
    "license",
    "licensed",
    "qualification",
    "qualified",
    "registration",
    "trained",
    "training",
];

/// The text after a slash that starts `rest` ("/Architect", " / Mental Health Nursing").
pub fn after_slash(rest: &str) -> Option<&str> {
    rest.strip_prefix('/').or_else(|| rest.strip_prefix(" / "))
}

/// A candidate found through a shared word: the credential and alias it would be, where
/// its own words are (`head`), and the whole phrase that names it (`phrase`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elided {
    pub credential: usize,
    pub alias: usize,
    pub head: Range<usize>,
    pub phrase: Range<usize>,
}

/// The heads of aliases that end in a shared word, owned by (credential, alias, tail).
type Heads = Patterns<(u32, u32, &'static str)>;

/// Builds an automaton over the heads `keep` selects. Leftmost-longest, not every
/// overlapping match: the search can then skip ahead with a prefilter, and a head inside a
/// longer head ("AWS" in "AWS Cloud") is rare.
fn heads(dictionary: &Dictionary, case_insensitive: bool, keep: fn(&str) -> bool) -> Result<Heads> {
    let entries = dictionary
        .indexed_aliases()
        .filter(|(_, _, a)| !a.case_sensitive)
        .filter_map(|(ci, ai, a)| Some((ci, ai, split_tail(&a.text)?)))
        .filter(|(_, _, (head, _))| keep(head))
        .map(|(ci, ai, (head, tail))| (head, (ci, ai, tail)));
    Patterns::build(
        entries,
        case_insensitive,
        MatchKind::LeftmostLongest,
        "shared-word matcher",
    )
}

/// An alias's head and its shared last word, if it ends in one: "AWS certification" gives
/// ("AWS", "certification"). Heads shorter than two characters are too vague.
fn split_tail(alias: &str) -> Option<(&str, &'static str)> {
    let (head, last) = alias.rsplit_once(' ')?;
    let last = last.to_ascii_lowercase();
    let tail = TAILS.iter().find(|t| **t == last)?;
    let head = head.trim_end();
    (head.len() >= 2).then_some((head, *tail))
}

/// Whether a head is written like a name that must keep its case ("AWS", "SAFe",
/// "CompTIA"): two capitals or more.
fn keeps_case(head: &str) -> bool {
    head.chars().filter(char::is_ascii_uppercase).count() >= 2
}

/// A list of levels read with one level: `words[..lead]` ("NVQ level 3") stands for
/// `stands_for` in the text, and `words[lead..]` is the text from `resume` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub words: String,
    pub lead: usize,
    pub stands_for: Range<usize>,
    pub resume: usize,
}

pub struct Ellipsis {
    heads: [Heads; 2],
    /// Every case-insensitive alias, lower-cased, and its owners (credential, alias).
    names: HashMap<String, Vec<(u32, u32)>>,
    /// The list after a head and the shared word: captures the list and the word.
    list: Regex,
    /// "Level 2 or 3", "NVQ 2/3": captures the first words, the first level and the rest.
    levels: Regex,
    level_number: Regex,
}

impl Ellipsis {
    pub fn new(dictionary: &Dictionary) -> Result<Ellipsis> {
        let heads = [
            heads(dictionary, true, |h| !keeps_case(h))?,
            heads(dictionary, false, keeps_case)?,
        ];
        // ASCII word boundaries: Unicode ones would keep the regex engine off its fast
        // paths on every posting with a non-ASCII character.
        let sep = r"(?:\s*[/,&]\s*|\s+(?:or|and|and/or)\s+)";
        let token = r"[\w+#'-]+(?:\.[\w+#'-]+)*";
        let list = Regex::new(&format!(
            r"^{sep}((?:{token}(?:{sep}|\s+)){{1,6}}?)((?i:{}))s?(?-u:\b)",
            TAILS.join("|")
        ))?;
        let levels = Regex::new(
            r"(?i)(?-u:\b)((?:nvq|qcf|rqf)(?:\s+level)?|level)\s*([1-8])((?:\s*(?:/|,|&|-|or|and)\s*(?:level\s*)?[1-8](?-u:\b))+)",
        )?;
        let level_number = Regex::new(r"[1-8]")?;
        let mut names: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        for (ci, ai, a) in dictionary.indexed_aliases() {
            if !a.case_sensitive {
                names
                    .entry(a.text.to_ascii_lowercase())
                    .or_default()
                    .push((ci, ai));
            }
        }
        Ok(Ellipsis {
            heads,
            names,
            list,
            levels,
            level_number,
        })
    }

    /// The aliases that end in a shared word and are named through a list in `text`.
    pub fn shared_tails(&self, text: &str) -> Vec<Elided> {
        let mut out = Vec::new();
        for heads in &self.heads {
            for m in heads.ac.find_iter(text) {
                for &(ci, ai, tail) in &heads.owners[m.pattern().as_usize()] {
                    if let Some(end) = self.list_then(text, m.end(), tail) {
                        out.push(Elided {
                            credential: ci as usize,
                            alias: ai as usize,
                            head: m.start()..m.end(),
                            phrase: m.start()..end,
                        });
                    }
                }
            }
        }
        out
    }

    /// Where the phrase ends if `text[from..]` is a list ending in `tail`: "/Kubernetes
    /// certification", " or Azure certifications".
    fn list_then(&self, text: &str, from: usize, tail: &str) -> Option<usize> {
        let rest = &text[from..];
        let rest = &rest[..crate::level::floor_char_boundary(rest, 90)];
        let c = self.list.captures(rest)?;
        let word = c.get(2)?;
        if !word.as_str().eq_ignore_ascii_case(tail) {
            return None;
        }
        // Items joined by words or commas must be names; after a slash anything goes
        // ("mentorship/teaching qualification").
        let slash = rest.trim_start().starts_with('/');
        let items = c.get(1)?.as_str();
        let named = items
            .split(['/', ',', '&'])
            .flat_map(|part| part.split(" or ").flat_map(|p| p.split(" and ")))
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .all(|item| {
                item.split_whitespace().count() <= 3
                    && (slash || item.starts_with(|c: char| c.is_uppercase() || c.is_numeric()))
            });
        named.then_some(from + c.get(0)?.end())
    }

    /// Whether `phrase` is written as one of the case-insensitive aliases.
    pub fn is_name(&self, phrase: &str) -> bool {
        self.names.contains_key(&phrase.to_ascii_lowercase())
    }

    /// Names made by a slash after the name `text[found]` (whose normalised alias is
    /// `alias`): the words after the slash take the place of the name's last words.
    /// "Splunk Certified Administrator/Architect" gives "Splunk Certified Architect".
    /// The longest reading that is a name wins; its own words are those after the slash.
    pub fn shared_heads(&self, text: &str, found: Range<usize>, alias: &str) -> Option<Elided> {
        let after = after_slash(&text[found.end..])?;
        let from = text.len() - after.len();
        // Up to five words, stopping at anything but a single space between words.
        let mut words: Vec<Range<usize>> = Vec::new();
        let mut at = from;
        for token in after.split(' ').take(5) {
            let len = token
                .find(|c: char| !(c.is_alphanumeric() || "'+-".contains(c)))
                .unwrap_or(token.len());
            if len == 0 {
                break;
            }
            words.push(at..at + len);
            if len < token.len() {
                break;
            }
            at += token.len() + 1;
        }
        let own: Vec<&str> = alias.split(' ').collect();
        for j in (1..=words.len()).rev() {
            let tail = &text[from..words[j - 1].end];
            for i in (1..own.len()).rev() {
                let name = format!("{} {tail}", own[..i].join(" ")).to_ascii_lowercase();
                if let Some(&(ci, ai)) = self.names.get(&name).and_then(|o| o.first()) {
                    return Some(Elided {
                        credential: ci as usize,
                        alias: ai as usize,
                        head: from..words[j - 1].end,
                        phrase: found.start..words[j - 1].end,
                    });
                }
            }
        }
        None
    }

    /// Each level of a list of levels, as the text would read with that level alone.
    /// "Level 2 or 3 in Care" gives "Level 2 in Care" standing for "Level 2", and "Level 3
    /// in Care" standing for "3".
    pub fn level_lists(&self, text: &str) -> Vec<Reading> {
        let mut out = Vec::new();
        for c in self.levels.captures_iter(text) {
            let (Some(first), Some(number), Some(more)) = (c.get(1), c.get(2), c.get(3)) else {
                continue;
            };
            let whole = c.get(0).expect("group 0");
            let rest = &text[whole.end()..];
            let rest = &rest[..crate::level::floor_char_boundary(rest, 120)];
            let reading = |n: &str, stands_for: Range<usize>| {
                let words = format!("{} {n}", first.as_str());
                Reading {
                    lead: words.len(),
                    words: words + rest,
                    stands_for,
                    resume: whole.end(),
                }
            };
            out.push(reading(number.as_str(), first.start()..number.end()));
            for n in self.level_number.find_iter(more.as_str()) {
                let at = more.start() + n.start();
                out.push(reading(n.as_str(), at..at + n.len()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_aliases_at_shared_words() {
        assert_eq!(
            split_tail("AWS certification"),
            Some(("AWS", "certification"))
        );
        assert_eq!(split_tail("ILS trained"), Some(("ILS", "trained")));
        assert_eq!(split_tail("Certified Scrum Master"), None);
        assert_eq!(split_tail("A certified"), None);
    }

    #[test]
    fn reads_names_sharing_first_words_after_a_slash() {
        let d = Dictionary::from_layers(vec![vec![(
            "t".into(),
            r#"
[[credential]]
id = "a"
name = "A"
issuer = "x"
kind = "certification"
category = "security"
aliases = ["Splunk Certified Administrator"]
[[credential]]
id = "b"
name = "B"
issuer = "x"
kind = "certification"
category = "security"
aliases = ["Splunk Certified Architect"]
"#
            .into(),
        )]])
        .unwrap();
        let e = Ellipsis::new(&d).unwrap();
        let text = "Splunk Certified Administrator/Architect preferred";
        let got = e.shared_heads(text, 0..30, "Splunk Certified Administrator");
        assert_eq!(
            got,
            Some(Elided {
                credential: 1,
                alias: 0,
                head: 31..40,
                phrase: 0..40
            })
        );
        let text = "Splunk Certified Administrator/Engineer preferred";
        assert_eq!(
            e.shared_heads(text, 0..30, "Splunk Certified Administrator"),
            None
        );
    }

    #[test]
    fn reads_level_lists() {
        let d = Dictionary::from_layers(vec![]).unwrap();
        let e = Ellipsis::new(&d).unwrap();
        let got = e.level_lists("NVQ Level 2 or 3 in Care.");
        let words: Vec<&str> = got.iter().map(|r| r.words.as_str()).collect();
        assert_eq!(words, ["NVQ Level 2 in Care.", "NVQ Level 3 in Care."]);
        assert_eq!(got[0].stands_for, 0..11);
        assert_eq!(got[1].stands_for, 15..16);
        assert_eq!((got[1].lead, got[1].resume), (11, 16));
        assert!(e.level_lists("level 2 experience").is_empty());
    }
}
