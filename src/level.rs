//! Whether a credential is required, preferred or only mentioned.
//!
//! A posting says how much it wants a credential in two ways: by where the mention sits
//! (under "Requirements" or "Essential", under "Preferred" or "Desirable", under
//! "Benefits") and by the words of its own sentence ("must", "preferred", "a plus", "we
//! will support you to gain"). The phrases live in `dictionaries/levels.toml`, embedded as
//! the default, so they can be read and extended without touching code. This module also
//! owns the "held by someone else" phrases ("under the supervision of a registered nurse"),
//! because they are read the same way.

use std::fmt;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use anyhow::{Context, Result};
use serde::Deserialize;

use crate::normalize::{normalize_phrase, Normalized};

const BUILTIN: &str = include_str!("../dictionaries/levels.toml");

/// How strongly a posting asks for a credential. Ordered weakest first, so `max` gives a
/// posting's strongest ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Mentioned,
    Preferred,
    Required,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Required => "required",
            Level::Preferred => "preferred",
            Level::Mentioned => "mentioned",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many words into the body a headline runs.
const HEADLINE_WORDS: usize = 12;

/// A level and the rule that decided it, for `explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub level: Level,
    pub rule: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireLevels {
    headings: WireHeadings,
    cues: WireTiers,
    others: WireOthers,
    #[serde(default)]
    negated: Option<WirePhrases>,
    #[serde(default)]
    keywords: Option<WirePhrases>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireTiers {
    required: Vec<String>,
    preferred: Vec<String>,
    mentioned: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireHeadings {
    required: Vec<String>,
    preferred: Vec<String>,
    mentioned: Vec<String>,
    /// Headings of blocks about other people (contact details).
    #[serde(default)]
    others: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireOthers {
    before: Vec<String>,
    /// Phrases that introduce a list of people ("a workforce of"): the list may run on
    /// over commas.
    #[serde(default)]
    lists: Vec<String>,
}

/// A table of phrases that come before a mention (`[negated]`, `[keywords]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WirePhrases {
    before: Vec<String>,
}

impl WirePhrases {
    /// The phrases of an optional table, normalised.
    fn normalised(table: &Option<WirePhrases>) -> Vec<String> {
        table
            .iter()
            .flat_map(|t| &t.before)
            .map(|p| normalize_phrase(p))
            .collect()
    }
}

/// A set of phrases, each tagged with a level, found case-insensitively on word boundaries.
struct Phrases {
    ac: AhoCorasick,
    phrases: Vec<(String, Level)>,
}

impl Phrases {
    fn new(tiers: &WireTiers) -> Result<Phrases> {
        let mut phrases = Vec::new();
        for (list, level) in [
            (&tiers.required, Level::Required),
            (&tiers.preferred, Level::Preferred),
            (&tiers.mentioned, Level::Mentioned),
        ] {
            phrases.extend(list.iter().map(|p| (normalize_phrase(p), level)));
        }
        Ok(Phrases {
            ac: build(phrases.iter().map(|(p, _)| p.as_str()))?,
            phrases,
        })
    }

    /// Phrase matches in `text[range]` on word boundaries: (byte range in text, index).
    fn find(&self, text: &str, range: Range<usize>) -> Vec<(Range<usize>, usize)> {
        self.ac
            .find_iter(&text[range.clone()])
            .map(|m| {
                (
                    m.start() + range.start..m.end() + range.start,
                    m.pattern().as_usize(),
                )
            })
            .filter(|(r, _)| on_word_boundaries(text, r.clone()))
            .collect()
    }
}

fn build<'a>(phrases: impl IntoIterator<Item = &'a str>) -> Result<AhoCorasick> {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(phrases)
        .context("building the level phrase matcher")
}

/// Whether `text[r]` is a whole word or phrase: no letter or digit touches either end.
pub fn on_word_boundaries(text: &str, r: Range<usize>) -> bool {
    let before = text[..r.start].chars().next_back();
    let after = text[r.end..].chars().next();
    !before.is_some_and(|c| c.is_alphanumeric()) && !after.is_some_and(|c| c.is_alphanumeric())
}

/// The level rules, compiled.
pub struct Levels {
    headings: Phrases,
    /// Headings of blocks about other people.
    other_headings: AhoCorasick,
    other_heading_phrases: Vec<String>,
    cues: Phrases,
    others: AhoCorasick,
    others_phrases: Vec<String>,
    /// `others_phrases` from this index on introduce a list.
    others_lists_from: usize,
    negated: AhoCorasick,
    negated_phrases: Vec<String>,
    /// Phrases that start a list of search keywords ("Keywords: RGN, Nursing Home").
    keywords: AhoCorasick,
    keyword_phrases: Vec<String>,
}

/// What a heading says about the lines under it: a level, or that they are about someone
/// else (contact details); and the heading's phrase.
type Heading = (Option<Level>, String);

/// The section each line of a posting belongs to, worked out once per posting.
pub struct Sections {
    /// Per line: its byte range in the normalised text and the heading in force there.
    lines: Vec<(Range<usize>, Option<Heading>)>,
}

impl Levels {
    pub fn builtin() -> Result<Levels> {
        Levels::from_toml(BUILTIN, "dictionaries/levels.toml")
    }

    pub fn from_toml(text: &str, origin: &str) -> Result<Levels> {
        let wire: WireLevels =
            toml::from_str(text).with_context(|| format!("{origin}: not a valid level file"))?;
        let others_phrases: Vec<String> = wire
            .others
            .before
            .iter()
            .chain(&wire.others.lists)
            .map(|p| normalize_phrase(p))
            .collect();
        let negated_phrases = WirePhrases::normalised(&wire.negated);
        let keyword_phrases = WirePhrases::normalised(&wire.keywords);
        let tiers = WireTiers {
            required: wire.headings.required,
            preferred: wire.headings.preferred,
            mentioned: wire.headings.mentioned,
        };
        let other_heading_phrases: Vec<String> = wire
            .headings
            .others
            .iter()
            .map(|p| normalize_phrase(p))
            .collect();
        Ok(Levels {
            headings: Phrases::new(&tiers)?,
            other_headings: build(other_heading_phrases.iter().map(String::as_str))?,
            other_heading_phrases,
            cues: Phrases::new(&wire.cues)?,
            others: build(others_phrases.iter().map(String::as_str))?,
            others_phrases,
            others_lists_from: wire.others.before.len(),
            negated: build(negated_phrases.iter().map(String::as_str))?,
            negated_phrases,
            keywords: build(keyword_phrases.iter().map(String::as_str))?,
            keyword_phrases,
        })
    }

    /// Finds the headings of a posting and the section each line falls under.
    pub fn sections(&self, norm: &Normalized) -> Sections {
        let text = &norm.text;
        let mut current: Option<Heading> = None;
        let mut lines = Vec::new();
        for line in norm.lines() {
            if let Some(heading) = self
                .heading(text, line.clone())
                .or_else(|| self.lead_in(text, line.clone()))
            {
                current = Some(heading);
            }
            lines.push((line, current.clone()));
        }
        Sections { lines }
    }

    /// A line that leads into a list, "To succeed in this role you will have:", heads the
    /// lines after it like a heading, with the level of its last cue.
    fn lead_in(&self, text: &str, line: Range<usize>) -> Option<Heading> {
        let raw = text[line.clone()].trim_end();
        if !raw.ends_with([':', ';']) || raw.split_whitespace().count() > 20 {
            return None;
        }
        let (_, i) = self.cues.find(text, line).pop()?;
        let (phrase, level) = &self.cues.phrases[i];
        Some((Some(*level), phrase.clone()))
    }

    /// Whether a line is a heading, and which.
    fn heading(&self, text: &str, line: Range<usize>) -> Option<Heading> {
        let raw = &text[line.clone()];
        // Skip bullets, numbering and markdown marks before the heading word.
        let skip = raw
            .find(|c: char| c.is_alphanumeric())
            .filter(|&i| i <= 6)?;
        let start = line.start + skip;
        let words = text[start..line.end].split_whitespace().count();
        let other = self
            .other_headings
            .find_iter(&text[start..line.end])
            .find(|m| m.start() == 0 && on_word_boundaries(text, start..start + m.end()))
            .map(|m| {
                (
                    start..start + m.end(),
                    None,
                    self.other_heading_phrases[m.pattern().as_usize()].clone(),
                )
            });
        let level = self
            .headings
            .find(text, start..line.end)
            .into_iter()
            .find(|(r, _)| r.start == start)
            .map(|(r, i)| {
                (
                    r,
                    Some(self.headings.phrases[i].1),
                    self.headings.phrases[i].0.clone(),
                )
            });
        // The longer phrase wins: "contact" vs "contact details" vs a level heading.
        let (r, level, phrase) = match (other, level) {
            (Some(o), Some(l)) => {
                if o.0.end >= l.0.end {
                    o
                } else {
                    l
                }
            }
            (o, l) => o.or(l)?,
        };
        let rest = text[r.end..line.end].trim_start();
        // "Requirements: ...", "For further details / informal visits contact: ...": a colon
        // soon after the heading words, before any full stop.
        let near = &rest[..crate::level::floor_char_boundary(rest, 40)];
        let colon = rest.starts_with(" -")
            || rest.starts_with('-')
            || near.find(':').is_some_and(|c| !near[..c].contains('.'));
        let short = words <= 8 && text[start..line.end].len() <= 80;
        // A question or a phrase ending in a colon heads what follows, even when longer:
        // "What do you need to join our team?", "Who we're looking for:".
        let asks = words <= 14 && (rest.ends_with('?') || rest.ends_with(':'));
        // "Qualifications" alone on a line or "Qualifications: ..." is a heading;
        // "Experience with Python is key" is not.
        if !(colon || asks || short && (rest.is_empty() || rest.ends_with(':') || words <= 4)) {
            return None;
        }
        Some((level, phrase))
    }

    /// Decides the level of a mention at normalised byte range `at`. `title_end` is where
    /// the title ends in the normalised text (mentions before it are in the title).
    pub fn decide(
        &self,
        norm: &Normalized,
        sections: &Sections,
        at: Range<usize>,
        title_end: usize,
    ) -> Decision {
        if at.start < title_end {
            return Decision {
                level: Level::Required,
                rule: "named in the job title".into(),
            };
        }
        let text = &norm.text;
        let line_index = sections
            .lines
            .partition_point(|(r, _)| r.end < at.start)
            .min(sections.lines.len() - 1);
        let (line, section) = &sections.lines[line_index];
        let sentence = sentence_around(text, line.clone(), at.clone());
        let cues: Vec<(Range<usize>, usize)> = self
            .cues
            .find(text, sentence.clone())
            .into_iter()
            // A cue inside the credential's own name ("Security Plus") says nothing.
            .filter(|(r, _)| r.end <= at.start || r.start >= at.end)
            .collect();
        // A sentence that opens with a softener ("Ideally you will hold ...", "Desirable:
        // ...") is soft throughout, whatever stronger word sits nearer the credential.
        let lead = text[sentence.clone()].len()
            - text[sentence.clone()]
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .len();
        let opener = cues.iter().find(|(r, i)| {
            r.start <= sentence.start + lead && self.cues.phrases[*i].1 == Level::Preferred
        });
        let nearest = opener.cloned().or_else(|| {
            cues.into_iter().min_by_key(|(r, _)| {
                if r.end <= at.start {
                    at.start - r.end
                } else {
                    r.start - at.end
                }
            })
        });
        if let Some((_, i)) = nearest {
            let (phrase, level) = &self.cues.phrases[i];
            return Decision {
                level: *level,
                rule: format!("cue {phrase:?} in its sentence"),
            };
        }
        // The body often opens with a headline that restates the post ("RMN Part Time
        // Registered Nurse (RMN) Salary: ...", "Band 7 RGN's substantive position"): a
        // credential in its first words, before any full stop, names the post like the title.
        let opening = &text[title_end.min(at.start)..at.start];
        if opening.split_whitespace().count() <= HEADLINE_WORDS
            && !opening.contains(['.', '!', '?'])
        {
            return Decision {
                level: Level::Required,
                rule: "in the headline that opens the posting".into(),
            };
        }
        if let Some((Some(level), heading)) = section {
            return Decision {
                level: *level,
                rule: format!("under the heading {heading:?}"),
            };
        }
        Decision {
            level: Level::Mentioned,
            rule: "no cue or heading".into(),
        }
    }

    /// If the mention at `at` sits under a heading of a block about other people (contact
    /// details), that heading.
    pub fn others_heading<'a>(&self, sections: &'a Sections, at: usize) -> Option<&'a str> {
        let i = sections
            .lines
            .partition_point(|(r, _)| r.end < at)
            .min(sections.lines.len() - 1);
        match &sections.lines[i].1 {
            Some((None, heading)) => Some(heading.as_str()),
            _ => None,
        }
    }

    /// If the mention at `at` is of a credential someone else holds ("report to the CPA"),
    /// the phrase that says so.
    pub fn held_by_others(&self, text: &str, at: Range<usize>) -> Option<&str> {
        let list = |p: usize| p >= self.others_lists_from;
        closely_before(&self.others, text, at, list).map(|p| self.others_phrases[p].as_str())
    }

    /// The phrase that negates the mention at `at` ("we are not recruiting", "do not
    /// currently hold"), if one closely precedes it.
    pub fn negated(&self, text: &str, at: Range<usize>) -> Option<&str> {
        closely_before(&self.negated, text, at, |_| false).map(|p| self.negated_phrases[p].as_str())
    }

    /// The phrase that starts the list of search keywords the mention at `at` is in
    /// ("Keywords: Home Manager, RGN, RMN"), if any: the list runs on over commas, up to
    /// sixty words, within one sentence and line. The phrase must read as a label: followed
    /// by a colon, or capitalised ("KEY WORDS RGN, RMN"), not "keyword research".
    pub fn in_keyword_list(&self, text: &str, at: Range<usize>) -> Option<&str> {
        let from = floor_char_boundary(text, at.start.saturating_sub(600));
        let window = &text[from..at.start];
        let label = |m: &aho_corasick::Match| {
            let colon = window[m.end()..].trim_start().starts_with(':');
            let capital = window[m.start()..].starts_with(|c: char| c.is_uppercase());
            let masked = window[..m.start()].ends_with('*');
            colon || capital || masked
        };
        self.keywords
            .find_iter(window)
            .filter(|m| on_word_boundaries(text, from + m.start()..from + m.end()))
            .filter(label)
            .last()
            .filter(|m| {
                let gap = &window[m.end()..];
                gap.split_whitespace().count() <= 60 && !gap.contains(['.', '!', '?', '\n'])
            })
            .map(|m| self.keyword_phrases[m.pattern().as_usize()].as_str())
    }
}

/// The last of the phrases of `ac` that closely precedes `at`: at most four words between,
/// with no punctuation; or, for a phrase that introduces a list (`list(pattern)`), at most
/// twelve words, commas allowed, within one sentence.
fn closely_before(
    ac: &AhoCorasick,
    text: &str,
    at: Range<usize>,
    list: impl Fn(usize) -> bool,
) -> Option<usize> {
    let from = floor_char_boundary(text, at.start.saturating_sub(120));
    let window = &text[from..at.start];
    ac.find_iter(window)
        .filter(|m| on_word_boundaries(text, from + m.start()..from + m.end()))
        .filter(|m| {
            let gap = &window[m.end()..];
            if list(m.pattern().as_usize()) {
                gap.split_whitespace().count() <= 12
                    && !gap.contains(['.', ';', ':', '(', ')', '\n'])
            } else {
                gap.split_whitespace().count() <= 4
                    && gap.len() <= 40
                    && !gap.contains([',', '.', ';', ':', '(', ')'])
            }
        })
        .last()
        .map(|m| m.pattern().as_usize())
}

/// The sentence around `at` within its line: bounded by `.`, `!`, `?` or `;` followed by a
/// space, or by a bullet character.
fn sentence_around(text: &str, line: Range<usize>, at: Range<usize>) -> Range<usize> {
    let bytes = text.as_bytes();
    const BULLET: &[u8] = "•".as_bytes();
    // Byte-wise, so it is safe at any offset: any byte of a bullet counts as a break.
    // "e.g." and "i.e." end no sentence.
    let abbreviation = |i: usize| {
        let head = &bytes[..=i];
        [&b"e.g."[..], b"i.e.", b"etc.", b"eg.", b"ie."]
            .iter()
            .any(|a| head.len() >= a.len() && head[head.len() - a.len()..].eq_ignore_ascii_case(a))
    };
    let is_break = |i: usize| {
        matches!(bytes[i], b'.' | b'!' | b'?' | b';')
            && bytes.get(i + 1).is_none_or(|&b| b == b' ')
            && !abbreviation(i)
            || (0..BULLET.len())
                .any(|k| i >= k && bytes.get(i - k..i - k + BULLET.len()) == Some(BULLET))
    };
    let mut start = at.start.min(line.end);
    while start > line.start && !is_break(start - 1) {
        start -= 1;
    }
    let mut end = at.end.max(line.start).min(line.end);
    while end < line.end && !is_break(end) {
        end += 1;
    }
    let start = ceil_char_boundary(text, start.max(line.start));
    let end = floor_char_boundary(text, end);
    start..end.max(start)
}

pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    /// (posting text, the phrase whose level is asked, the expected level).
    const CASES: &[(&str, &str, Level)] = &[
        ("PMP certification required.", "PMP", Level::Required),
        ("PMP certification preferred.", "PMP", Level::Preferred),
        (
            "Bachelor's degree required; PMP a plus.",
            "PMP",
            Level::Preferred,
        ),
        (
            "Must have BS degree, PMP preferred",
            "PMP",
            Level::Preferred,
        ),
        ("Must hold a current RN license.", "RN", Level::Required),
        (
            "Requirements:\nBSc\nPMP certification\n",
            "PMP",
            Level::Required,
        ),
        (
            "Requirements\n- PMP\nPreferred\n- CSM\n",
            "CSM",
            Level::Preferred,
        ),
        (
            "Requirements\n- PMP\nPreferred\n- CSM\n",
            "PMP",
            Level::Required,
        ),
        (
            "Essential\nNMC registration\nDesirable\nMentorship qualification",
            "Mentorship",
            Level::Preferred,
        ),
        (
            "Essential\nNMC registration\nDesirable\nMentorship qualification",
            "NMC",
            Level::Required,
        ),
        (
            "Benefits\nWe will support you to gain your PRINCE2.",
            "PRINCE2",
            Level::Mentioned,
        ),
        ("Benefits\nFree PRINCE2 course", "PRINCE2", Level::Mentioned),
        ("Qualifications: CPA and CMA", "CMA", Level::Required),
        ("We use PRINCE2 methods.", "PRINCE2", Level::Mentioned),
        (
            "CompTIA Security Plus certification",
            "Security Plus",
            Level::Mentioned,
        ),
        (
            "ACCA qualified or studying towards.",
            "ACCA",
            Level::Preferred,
        ),
        ("A PMP is not required.", "PMP", Level::Preferred),
        (
            "Ideally you will hold PRINCE2 Practitioner.",
            "PRINCE2",
            Level::Preferred,
        ),
        (
            "Duties • Manage the PMP office • Drive",
            "PMP",
            Level::Mentioned,
        ),
        (
            "Requirements:\n• PMP required • café",
            "PMP",
            Level::Required,
        ),
        (
            "Experience with PMP processes is great and then some words that are long here.",
            "PMP",
            Level::Mentioned,
        ),
        (
            "To succeed as a Theatre Practitioner you will have;\n- NMC or HCPC registration",
            "HCPC",
            Level::Required,
        ),
        (
            "In return we offer:\n- PRINCE2 course",
            "PRINCE2",
            Level::Mentioned,
        ),
    ];

    #[test]
    fn decides_levels() {
        let levels = Levels::builtin().unwrap();
        for (text, phrase, want) in CASES {
            // Past the title and the opening headline, as in most of a posting.
            let norm = normalize(&format!("Job title\nWe are hiring.\n{text}"));
            let sections = levels.sections(&norm);
            let at = norm.text.find(phrase).unwrap();
            let got = levels.decide(&norm, &sections, at..at + phrase.len(), 9);
            assert_eq!(got.level, *want, "{text:?} / {phrase}: {}", got.rule);
        }
    }

    #[test]
    fn a_headline_opening_the_body_names_the_post() {
        let levels = Levels::builtin().unwrap();
        let decide = |text: &str, phrase: &str| {
            let norm = normalize(text);
            let sections = levels.sections(&norm);
            let at = norm.text.find(phrase).unwrap();
            levels
                .decide(&norm, &sections, at..at + phrase.len(), 11)
                .level
        };
        let headline = "Staff Nurse\nPart Time Registered Nurse (RMN) Salary: £29,000";
        assert_eq!(decide(headline, "RMN"), Level::Required);
        let prose = "Staff Nurse\nWe are a friendly home. Our RMN team is growing";
        assert_eq!(decide(prose, "RMN"), Level::Mentioned);
        let later = "Staff Nurse\nA home in the heart of the town with gardens, a cafe and a big team of RMN";
        assert_eq!(decide(later, "RMN"), Level::Mentioned);
    }

    #[test]
    fn contact_blocks_are_someone_elses() {
        let levels = Levels::builtin().unwrap();
        let norm = normalize("Essential\nNMC registration\nFor further details / informal visits contact:\nJo Bloggs, Clinical Nurse Specialist");
        let sections = levels.sections(&norm);
        let at = norm.text.find("Clinical Nurse").unwrap();
        assert!(levels.others_heading(&sections, at).is_some());
        let at = norm.text.find("NMC").unwrap();
        assert!(levels.others_heading(&sections, at).is_none());
    }

    #[test]
    fn title_mentions_are_required() {
        let levels = Levels::builtin().unwrap();
        let norm = normalize("PMP Project Manager\nWe like Agile.");
        let sections = levels.sections(&norm);
        let d = levels.decide(&norm, &sections, 0..3, 19);
        assert_eq!(d.level, Level::Required);
    }

    /// (text, credential phrase, whether it is held by someone else).
    const OTHERS: &[(&str, &str, bool)] = &[
        (
            "Works under the supervision of a Registered Nurse.",
            "Registered Nurse",
            true,
        ),
        ("You will report to the CPA.", "CPA", true),
        ("Join our team of PMPs.", "PMPs", true),
        ("Work alongside RNs and doctors.", "RNs", true),
        ("You must be a Registered Nurse.", "Registered Nurse", false),
        (
            "Working with patients, you will hold a valid RN license.",
            "RN",
            false,
        ),
        ("Report to the manager. CPA required.", "CPA", false),
        (
            "Our team of consultants, doctors, psychologist RMN and RN nurses.",
            "RN",
            true,
        ),
        (
            "A workforce of health visitors, nurses and SCPHNs.",
            "SCPHNs",
            true,
        ),
        ("Team of three. You, an RN, will lead.", "RN", false),
    ];

    #[test]
    fn finds_credentials_held_by_others() {
        let levels = Levels::builtin().unwrap();
        for (text, phrase, want) in OTHERS {
            let norm = normalize(text);
            let at = norm.text.find(phrase).unwrap();
            let got = levels.held_by_others(&norm.text, at..at + phrase.len());
            assert_eq!(got.is_some(), *want, "{text:?}: {got:?}");
        }
    }
}
