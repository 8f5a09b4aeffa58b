//! One posting in, its credential mentions and role out.
//!
//! This is the per-posting work that runs on every core: normalise the title and text,
//! find the credentials, decide each mention's level, cut a snippet from the original text,
//! and classify the title into a role. It holds no state between postings.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Mutex;

use crate::level::{ceil_char_boundary, floor_char_boundary, Decision, Level, Levels};
use crate::matcher::{About, Hit, Matcher, Rejection};
use crate::normalize::{normalize, Normalized};
use crate::posting::Posting;
use crate::roles::{RoleMatch, Roles};

/// A credential mention, ready to be written and counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Index of the credential in the dictionary.
    pub credential: usize,
    /// The words as the posting wrote them.
    pub matched_text: String,
    /// Character offset of the match in the posting's text (title, a newline, then body).
    pub offset: usize,
    pub snippet: String,
    pub level: Level,
    /// The rule that decided the level.
    pub rule: String,
    /// The alias names a retired version or exam, or the credential itself is retired.
    pub retired: bool,
}

/// A posting after analysis.
#[derive(Debug, Clone)]
pub struct Analysed {
    pub posting: Posting,
    pub role: String,
    pub cleaned_title: String,
    pub mentions: Vec<Mention>,
    /// Identifies exact duplicates: same normalised title and text.
    pub fingerprint: u64,
}

/// A candidate the matcher refused, placed in the original text (for `explain`).
#[derive(Debug, Clone)]
pub struct Refused {
    pub credential: usize,
    pub matched_text: String,
    pub offset: usize,
    pub snippet: String,
    pub reason: String,
}

/// Everything needed to analyse postings; shared read-only by the worker threads.
pub struct Analyzer {
    pub matcher: Matcher,
    pub levels: Levels,
    pub roles: Roles,
    /// Roles of titles already seen.
    role_cache: Mutex<HashMap<String, RoleMatch>>,
}

/// The posting's title and text as one string, and where the title ends in it.
fn combined(posting: &Posting) -> (String, usize) {
    let mut s = String::with_capacity(posting.title.len() + posting.text.len() + 1);
    s.push_str(posting.title.trim());
    let title_end = s.len();
    s.push('\n');
    s.push_str(&posting.text);
    (s, title_end)
}

impl Analyzer {
    pub fn new(matcher: Matcher, levels: Levels, roles: Roles) -> Analyzer {
        Analyzer {
            matcher,
            levels,
            roles,
            role_cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn analyse(&self, posting: Posting) -> Analysed {
        self.run(posting, false).0
    }

    /// The role of a title, remembered: titles repeat (the NHS corpus has about 10,000
    /// distinct titles in 15,000 postings) and classifying one takes ~100 µs.
    fn role_of(&self, title: &str) -> RoleMatch {
        if let Some(hit) = self.role_cache.lock().expect("role cache").get(title) {
            return hit.clone();
        }
        let role = self.roles.classify(title);
        let mut cache = self.role_cache.lock().expect("role cache");
        // Bounded: memory must not grow with the number of postings.
        if cache.len() >= 50_000 {
            cache.clear();
        }
        cache.insert(title.to_string(), role.clone());
        role
    }

    /// The country a posting is from, where its fields say so: its location ends in a place
    /// the word lists know (schema.org's `addressCountry`, as in "LEEDS, GB"; "England";
    /// "Dorking, Surrey"), or its salary is in pounds. Only the United Kingdom is told apart
    /// for now: it is where the same words name different credentials ("registered nurse",
    /// "Clinical Nurse Specialist").
    fn country_of(&self, posting: &Posting) -> Option<&str> {
        let salary = posting.salary.as_deref().unwrap_or_default();
        if salary.starts_with("GBP") || salary.contains('£') {
            return Some("GB");
        }
        let location = posting.location.as_deref().unwrap_or_default();
        self.matcher.dictionary().country_of_location(location)
    }

    /// Like `analyse`, and also returns every candidate that was rejected, with why.
    pub fn explain(&self, posting: Posting) -> (Analysed, Vec<Refused>) {
        self.run(posting, true)
    }

    /// Analyses a posting once; with `explain`, the rejected candidates are kept too.
    fn run(&self, posting: Posting, explain: bool) -> (Analysed, Vec<Refused>) {
        let (original, title_end) = combined(&posting);
        let norm = normalize(&original);
        let about = About {
            country: self.country_of(&posting),
            title_end: norm.normalized_offset(title_end),
        };
        let (hits, mut rejected) = self.matcher.find(&norm.text, &self.levels, about, explain);
        let (mentions, someone_elses) = self.mentions(&original, &norm, title_end, hits);
        let refused = if explain {
            rejected.extend(someone_elses);
            rejected
                .into_iter()
                .map(|Rejection { hit, reason }| {
                    let (matched_text, offset, snippet) = place(&original, &norm, hit.evidence());
                    Refused {
                        credential: hit.credential,
                        matched_text,
                        offset,
                        snippet,
                        reason,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let role = self.role_of(&posting.title);
        let analysed = Analysed {
            fingerprint: fingerprint(&norm),
            role: role.role,
            cleaned_title: role.cleaned,
            mentions,
            posting,
        };
        (analysed, refused)
    }

    /// The mentions among `hits`, each with its level, and the hits that sit in a block
    /// about someone else (contact details), which are not mentions.
    fn mentions(
        &self,
        original: &str,
        norm: &Normalized,
        title_end: usize,
        hits: Vec<Hit>,
    ) -> (Vec<Mention>, Vec<Rejection>) {
        if hits.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let sections = self.levels.sections(norm);
        let mut someone_elses = Vec::new();
        let mut kept = Vec::with_capacity(hits.len());
        for hit in hits {
            match self.levels.others_heading(&sections, hit.span.start) {
                Some(heading) => someone_elses.push(Rejection {
                    reason: format!("in a block about someone else (under {heading:?})"),
                    hit,
                }),
                None => kept.push(hit),
            }
        }
        let mut title_end = norm.normalized_offset(title_end);
        // Pages often repeat the title as the body's first line: that echo is title too.
        let title = &norm.text[..title_end];
        if !title.is_empty() && norm.text[title_end..].trim_start().starts_with(title) {
            title_end += 1 + title.len();
        }
        let mentions = kept
            .iter()
            .map(|hit| {
                let Decision { level, rule } =
                    self.levels
                        .decide(norm, &sections, hit.span.clone(), title_end);
                let (matched_text, offset, snippet) = place(original, norm, hit.evidence());
                let credential = self.matcher.credential(hit.credential);
                Mention {
                    credential: hit.credential,
                    matched_text,
                    offset,
                    snippet,
                    level,
                    rule,
                    retired: credential.aliases[hit.alias].retired || credential.retired.is_some(),
                }
            })
            .collect();
        (mentions, someone_elses)
    }
}

/// The matched words, their character offset and a one-line snippet, all taken from the
/// original text.
fn place(original: &str, norm: &Normalized, span: Range<usize>) -> (String, usize, String) {
    let r = norm.original_range(original, span);
    let matched = original[r.clone()].to_string();
    let offset = original[..r.start].chars().count();
    (matched, offset, snippet(original, r))
}

/// About 80 characters either side of the match, whitespace collapsed, cut at word
/// boundaries and marked with "..." where cut.
pub fn snippet(text: &str, r: Range<usize>) -> String {
    const SIDE: usize = 80;
    let mut start = floor_char_boundary(text, r.start.saturating_sub(SIDE));
    let mut end = ceil_char_boundary(text, r.end + SIDE);
    if start > 0 {
        if let Some(space) = text[start..r.start].find(char::is_whitespace) {
            start += space;
        }
    }
    if end < text.len() {
        if let Some(space) = text[r.end..end].rfind(char::is_whitespace) {
            end = r.end + space;
        }
    }
    let body = text[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "{}{}{}",
        if start > 0 { "..." } else { "" },
        body,
        if end < text.len() { "..." } else { "" }
    )
}

fn fingerprint(norm: &Normalized) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    norm.text.to_lowercase().hash(&mut h);
    h.finish()
}

/// A posting's strongest level per credential, in order of first mention.
pub fn strongest_levels(mentions: &[Mention]) -> Vec<(usize, Level)> {
    let mut out: Vec<(usize, Level)> = Vec::new();
    for m in mentions {
        match out.iter_mut().find(|(c, _)| *c == m.credential) {
            Some((_, level)) => *level = (*level).max(m.level),
            None => out.push((m.credential, m.level)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_cut_at_words() {
        let text = "word ".repeat(40) + "PMP required " + &"more ".repeat(40);
        let at = text.find("PMP").unwrap();
        let s = snippet(&text, at..at + 3);
        assert!(s.starts_with("...word") && s.ends_with("more..."), "{s}");
        assert!(s.contains("PMP required"));
        assert_eq!(snippet("PMP", 0..3), "PMP");
    }

    #[test]
    fn strongest_level_wins() {
        let m = |credential, level| Mention {
            credential,
            matched_text: String::new(),
            offset: 0,
            snippet: String::new(),
            level,
            rule: String::new(),
            retired: false,
        };
        let got = strongest_levels(&[
            m(1, Level::Mentioned),
            m(2, Level::Preferred),
            m(1, Level::Required),
        ]);
        assert_eq!(got, vec![(1, Level::Required), (2, Level::Preferred)]);
    }
}
