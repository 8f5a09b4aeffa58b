//! Finding credentials in normalised posting text.
//!
//! One Aho-Corasick automaton holds every alias of every credential, built once and shared
//! by all worker threads. It reports every occurrence, overlapping ones included; each is
//! then checked against the rules an automaton cannot express (token boundaries that know
//! `+`, `#`, `/` and digits, case-sensitive acronyms, URLs, context rules, credentials held
//! by someone else), and the survivors are resolved leftmost-longest. Because rejection
//! happens before overlap resolution, a rejected long candidate never hides a valid short
//! one.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use anyhow::{Context, Result};

use crate::dictionary::{Alias, Credential, Dictionary, Kind, Side};
use crate::ellipsis::{after_slash, Ellipsis};
use crate::level::{ceil_char_boundary, floor_char_boundary, on_word_boundaries, Levels};

/// A credential found in the text: which one, by which alias, where (normalised bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub credential: usize,
    pub alias: usize,
    pub span: Range<usize>,
    /// For a credential named through a shared word ("AWS" in "AWS or Azure
    /// certification"), the whole phrase; `span` is then its own words.
    pub phrase: Option<Range<usize>>,
}

impl Hit {
    /// The words that name the credential: the whole phrase when it shares a word.
    pub fn evidence(&self) -> Range<usize> {
        self.phrase.clone().unwrap_or(self.span.clone())
    }
}

/// A candidate that was not counted, and why (for `explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub hit: Hit,
    pub reason: String,
}

/// A context rule, compiled.
struct Rule {
    /// Indexes of the aliases of the credential this rule guards.
    guards: Vec<usize>,
    window: usize,
    side: Side,
    require: Option<(AhoCorasick, Vec<String>)>,
    reject: Option<(AhoCorasick, Vec<String>)>,
    /// Postings from these countries pass `require` / are refused.
    require_countries: Vec<String>,
    reject_countries: Vec<String>,
}

/// One automaton over distinct pattern strings and, for each pattern, what is written that
/// way (its owners). Case-insensitive automata hold lower-cased patterns, so "PMP" and
/// "pmp" are one pattern with two owners.
pub(crate) struct Patterns<T> {
    pub ac: AhoCorasick,
    pub owners: Vec<Vec<T>>,
}

impl<T> Patterns<T> {
    pub fn build<'a>(
        entries: impl IntoIterator<Item = (&'a str, T)>,
        case_insensitive: bool,
        kind: MatchKind,
        what: &str,
    ) -> Result<Patterns<T>> {
        let mut patterns: Vec<String> = Vec::new();
        let mut by_text: HashMap<String, usize> = HashMap::new();
        let mut owners: Vec<Vec<T>> = Vec::new();
        for (text, owner) in entries {
            let key = if case_insensitive {
                text.to_ascii_lowercase()
            } else {
                text.to_string()
            };
            let pi = *by_text.entry(key.clone()).or_insert_with(|| {
                patterns.push(key);
                owners.push(Vec::new());
                patterns.len() - 1
            });
            owners[pi].push(owner);
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(case_insensitive)
            .match_kind(kind)
            .build(&patterns)
            .with_context(|| format!("building the {what}"))?;
        Ok(Patterns { ac, owners })
    }
}

/// An automaton over aliases, each pattern owned by (credential, alias) pairs.
type Automaton = Patterns<(u32, u32)>;

/// Builds an automaton over the aliases `keep` selects.
fn aliases_automaton(
    dictionary: &Dictionary,
    case_insensitive: bool,
    keep: impl Fn(&Alias) -> bool,
) -> Result<Automaton> {
    let entries = dictionary
        .indexed_aliases()
        .filter(|(_, _, a)| !a.text.is_empty() && keep(a))
        .map(|(ci, ai, a)| (a.text.as_str(), (ci, ai)));
    Patterns::build(
        entries,
        case_insensitive,
        MatchKind::Standard,
        "credential matcher",
    )
}

/// Why a generic family phrase gave way to a specific credential (shown by `explain`).
const OVERLAPPED: &str = "a generic family phrase overlapping a specific credential";
const RESTATED: &str = "a generic family phrase that a member of the family restates in brackets";

/// What context rules may know of a posting besides the words around a match.
#[derive(Debug, Clone, Copy, Default)]
pub struct About<'a> {
    /// The posting's country, where it is known.
    pub country: Option<&'a str>,
    /// Where the title ends in the normalised text; rules with `side = "title"` look before it.
    pub title_end: usize,
}

/// The compiled dictionary: one automaton for the case-insensitive aliases and one for the
/// case-sensitive acronyms, so "EA" is never even a candidate inside "team".
pub struct Matcher {
    dictionary: Dictionary,
    automata: [Automaton; 2],
    ellipsis: Ellipsis,
    /// Every acronym, as written.
    acronyms: HashSet<String>,
    /// Context rules per credential.
    rules: Vec<Vec<Rule>>,
}

impl Matcher {
    pub fn new(dictionary: Dictionary) -> Result<Matcher> {
        let automata = [
            aliases_automaton(&dictionary, true, |a| !a.case_sensitive)?,
            aliases_automaton(&dictionary, false, |a| a.case_sensitive)?,
        ];
        let rules = dictionary
            .credentials
            .iter()
            .map(compile_rules)
            .collect::<Result<Vec<_>>>()?;
        let ellipsis = Ellipsis::new(&dictionary)?;
        let acronyms = dictionary
            .credentials
            .iter()
            .flat_map(|c| &c.aliases)
            .filter(|a| a.case_sensitive)
            .map(|a| a.text.clone())
            .collect();
        Ok(Matcher {
            dictionary,
            automata,
            ellipsis,
            acronyms,
            rules,
        })
    }

    pub fn dictionary(&self) -> &Dictionary {
        &self.dictionary
    }

    pub fn credential(&self, i: usize) -> &Credential {
        &self.dictionary.credentials[i]
    }

    /// Whether `phrase` (normalised) is written exactly as one of the dictionary's aliases,
    /// whatever its context rules would say of it.
    pub fn is_alias(&self, phrase: &str) -> bool {
        self.acronyms.contains(phrase) || self.ellipsis.is_name(phrase)
    }

    /// The number of distinct alias strings in the automata.
    pub fn pattern_count(&self) -> usize {
        self.automata.iter().map(|a| a.owners.len()).sum()
    }

    /// Finds the credentials in `text` (normalised) of a posting from `country` (an ISO
    /// 3166 code, where known). With `explain`, also returns the candidates that were
    /// rejected and why; without it, that list is empty.
    pub fn find(
        &self,
        text: &str,
        levels: &Levels,
        about: About,
        explain: bool,
    ) -> (Vec<Hit>, Vec<Rejection>) {
        let mut accepted: Vec<Hit> = Vec::new();
        let mut rejected: Vec<Rejection> = Vec::new();
        let definitions = definitions(text);
        let mut consider = |hit: Hit| {
            let alias = &self.dictionary.credentials[hit.credential].aliases[hit.alias];
            match self.check(text, hit, alias, levels, about, &definitions) {
                Ok(hit) => accepted.push(hit),
                Err(r) if explain => rejected.push(r),
                Err(_) => {}
            }
        };
        let candidates = self
            .automata
            .iter()
            .flat_map(|a| a.ac.find_overlapping_iter(text).map(move |m| (a, m)));
        let mut before_slash = Vec::new();
        for (automaton, m) in candidates {
            for &(ci, ai) in &automaton.owners[m.pattern().as_usize()] {
                if after_slash(&text[m.end()..]).is_some() {
                    before_slash.push((ci as usize, ai as usize, m.range()));
                }
                consider(Hit {
                    credential: ci as usize,
                    alias: ai as usize,
                    span: m.start()..m.end(),
                    phrase: None,
                });
            }
        }
        for (ci, ai, found) in before_slash {
            let alias = &self.dictionary.credentials[ci].aliases[ai];
            if let Some(e) = self.ellipsis.shared_heads(text, found, &alias.text) {
                consider(Hit {
                    credential: e.credential,
                    alias: e.alias,
                    span: e.head,
                    phrase: Some(e.phrase),
                });
            }
        }
        for e in self.ellipsis.shared_tails(text) {
            consider(Hit {
                credential: e.credential,
                alias: e.alias,
                span: e.head,
                phrase: Some(e.phrase),
            });
        }
        for hit in self.level_lists(text) {
            consider(hit);
        }
        // A generic family phrase that runs into a specific credential's name ("ASQ
        // Certified" in "ASQ Certified Quality Inspector", "valid CDL" in "valid CDL-A")
        // gives way to it, however long its own match. One that wholly contains the specific
        // name ("CFA candidate") is the longer, better reading and stays.
        // So does one next to a member of its family in brackets, either way round
        // ("independent prescribing qualification (V300)", "Registered Physiotherapist (HCPC)").
        // A shorter reading of a restated family phrase goes with it ("IOSH" of "IOSH
        // membership (Tech IOSH)"); one of a phrase that runs into a specific name stays
        // ("WSET" of "WSET certified sommeliers").
        let credentials = &self.dictionary.credentials;
        let is_family = |h: &Hit| credentials[h.credential].kind == Kind::Family;
        let specific: Vec<(Range<usize>, Option<&str>)> = accepted
            .iter()
            .filter(|h| !is_family(h))
            .map(|h| (h.span.clone(), credentials[h.credential].family.as_deref()))
            .collect();
        let bracketed = |a: &Range<usize>, b: &Range<usize>| {
            a.end <= b.start && text[a.end..b.start].trim() == "("
        };
        // Why a family hit gives way, if it does; a restated one takes its shorter readings
        // with it.
        let gives_way = |h: &Hit| {
            let id = credentials[h.credential].id.as_str();
            let runs_into = |s: &Range<usize>| {
                let overlaps = s.start < h.span.end && h.span.start < s.end;
                let contained = h.span.start <= s.start && s.end <= h.span.end;
                overlaps && !contained
            };
            if specific.iter().any(|(s, _)| runs_into(s)) {
                Some(OVERLAPPED)
            } else if specific.iter().any(|(s, family)| {
                *family == Some(id) && (bracketed(&h.span, s) || bracketed(s, &h.span))
            }) {
                Some(RESTATED)
            } else {
                None
            }
        };
        let given_way: Vec<(usize, Range<usize>, &str)> = accepted
            .iter()
            .filter(|h| is_family(h))
            .filter_map(|h| gives_way(h).map(|reason| (h.credential, h.span.clone(), reason)))
            .collect();
        accepted.retain(|h| {
            let reason = given_way
                .iter()
                .find(|(c, r, reason)| {
                    let within = r.start <= h.span.start && h.span.end <= r.end;
                    *c == h.credential && (*r == h.span || *reason == RESTATED && within)
                })
                .map(|(_, _, reason)| *reason);
            if let (Some(reason), true) = (reason, explain) {
                rejected.push(Rejection {
                    hit: h.clone(),
                    reason: reason.to_string(),
                });
            }
            reason.is_none()
        });
        // Leftmost-longest among the survivors; equal spans (two credentials sharing an
        // alias, both passing their context rules) are all kept.
        accepted.sort_by(|a, b| {
            (a.span.start, std::cmp::Reverse(a.span.end), a.credential).cmp(&(
                b.span.start,
                std::cmp::Reverse(b.span.end),
                b.credential,
            ))
        });
        // A match wholly inside a longer one is part of it ("AWS Certified" in "AWS Certified
        // Solutions Architect"); two that only overlap ("NMC Registered" and "Registered
        // General Nurse" in "NMC Registered General Nurse") are both meant, and both kept.
        let mut kept: Vec<Hit> = Vec::with_capacity(accepted.len());
        for hit in accepted {
            let container = kept
                .iter()
                .rev()
                .find(|k| k.span.start <= hit.span.start && hit.span.end <= k.span.end);
            match container {
                Some(k) if k.span == hit.span => {
                    if k.credential != hit.credential {
                        kept.push(hit)
                    }
                }
                Some(k) => {
                    if explain {
                        let reason = format!("inside the longer match {:?}", &text[k.span.clone()]);
                        rejected.push(Rejection { hit, reason });
                    }
                }
                None => kept.push(hit),
            }
        }
        rejected.sort_by_key(|r| r.hit.span.start);
        (kept, rejected)
    }

    /// Candidates in lists of levels ("NVQ level 2 or 3 in Health and Social Care"): each
    /// level is read with the words after the list, and its hit is the level's own span.
    fn level_lists(&self, text: &str) -> Vec<Hit> {
        let automaton = &self.automata[0];
        let mut out = Vec::new();
        for r in self.ellipsis.level_lists(text) {
            for m in automaton.ac.find_overlapping_iter(&r.words) {
                // The credential's name must take in the level.
                if m.start() != 0 || m.end() < r.lead {
                    continue;
                }
                for &(ci, ai) in &automaton.owners[m.pattern().as_usize()] {
                    let alias = &self.dictionary.credentials[ci as usize].aliases[ai as usize];
                    let Some(end) = token_end(&r.words, m.start()..m.end(), alias) else {
                        continue;
                    };
                    out.push(Hit {
                        credential: ci as usize,
                        alias: ai as usize,
                        span: r.stands_for.clone(),
                        phrase: Some(r.stands_for.start..r.resume + (end - r.lead)),
                    });
                }
            }
        }
        out
    }

    /// Whether an acronym in capitals ends right before a capitalised word of four letters
    /// or more ("PMPRequired"), unless its capitals with that word's are another acronym:
    /// "RMNwith" is "RMN", not "RM". "RNAse" is not "RN".
    fn joined_before_word(&self, text: &str, span: Range<usize>, alias: &Alias) -> bool {
        let rest = &text[span.end..];
        let mut chars = rest.chars();
        let Some(capital) = chars.next() else {
            return false;
        };
        is_capitals(alias)
            && capital.is_ascii_uppercase()
            && chars.take_while(char::is_ascii_lowercase).count() >= 3
            && !self.acronyms.contains(&text[span.start..span.end + 1])
    }

    /// Applies the checks the automaton cannot. May extend the span over a plural `s`.
    fn check(
        &self,
        text: &str,
        mut hit: Hit,
        alias: &Alias,
        levels: &Levels,
        about: About,
        definitions: &[(String, String)],
    ) -> Result<Hit, Rejection> {
        let reject = |hit: Hit, reason: String| Err(Rejection { hit, reason });
        if alias.case_sensitive && text[hit.span.clone()] != alias.text {
            let found = text[hit.span.clone()].to_string();
            return reject(
                hit,
                format!("{found:?} is not in the case of acronym {:?}", alias.text),
            );
        }
        match token_end(text, hit.span.clone(), alias) {
            Some(end) => hit.span.end = end,
            None if self.joined_before_word(text, hit.span.clone(), alias) => {}
            None => return reject(hit, "inside a longer word or code".into()),
        }
        if in_url(text, hit.span.clone()) {
            return reject(hit, "part of a web address, e-mail or path".into());
        }
        if alias.case_sensitive {
            if in_code(text, hit.span.clone()) {
                return reject(hit, "part of a hyphenated code".into());
            }
            // The posting spells the acronym out as something else: "Care Programme Approach
            // (CPA)". Unless the spelled-out form is itself this credential, every use of the
            // acronym in the posting means that.
            if let Some((_, phrase)) = definitions.iter().find(|(a, _)| *a == alias.text) {
                let credential = &self.dictionary.credentials[hit.credential];
                if !spells_out(credential, phrase) {
                    return reject(
                        hit,
                        format!("the posting defines {:?} as {phrase:?}", alias.text),
                    );
                }
            }
        }
        for rule in &self.rules[hit.credential] {
            if !rule.guards.contains(&hit.alias) {
                continue;
            }
            if let Some(reason) = rule.refuses(text, hit.span.clone(), about) {
                return reject(hit, reason);
            }
        }
        if let Some(phrase) = levels.held_by_others(text, hit.span.clone()) {
            return reject(hit, format!("held by someone else ({phrase:?})"));
        }
        if let Some(phrase) = levels.negated(text, hit.span.clone()) {
            return reject(hit, format!("negated ({phrase:?})"));
        }
        if let Some(phrase) = levels.in_keyword_list(text, hit.span.clone()) {
            return reject(hit, format!("in a list of search keywords ({phrase:?})"));
        }
        Ok(hit)
    }
}

/// Whether a posting's spelled-out form of an acronym ("Certificate of Eligibility of
/// Specialist Registration (CESR)") names this credential: it contains one of its aliases, or
/// most of its words are the credential's own, allowing for the small slips postings make
/// ("of" for "for", "Professionals" for "Professions"). "Care Programme Approach" shares no
/// word with "Certified Public Accountant".
fn spells_out(credential: &Credential, phrase: &str) -> bool {
    let phrase = phrase.to_lowercase();
    let aliases = credential.aliases.iter().filter(|a| !a.case_sensitive);
    if aliases
        .clone()
        .any(|a| phrase.contains(&a.text.to_lowercase()))
    {
        return true;
    }
    let content = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 3 && !["and", "for", "the", "with"].contains(w))
            .map(str::to_string)
            .collect()
    };
    let own: HashSet<String> = aliases
        .flat_map(|a| content(&a.text.to_lowercase()))
        .chain(content(&credential.name.to_lowercase()))
        .collect();
    let words = content(&phrase);
    let shared = words.iter().filter(|w| own.contains(*w)).count();
    words.len() >= 2 && shared * 5 >= words.len() * 3
}

/// Checks token boundaries around `span` and returns where the mention ends (after a
/// plural `s` or `'s`, or `S` after an acronym in capitals), or `None` when the alias sits
/// inside a longer token.
fn token_end(text: &str, span: Range<usize>, alias: &Alias) -> Option<usize> {
    let before = text[..span.start].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || c == '_')
        && !joined_after_word(text, span.start, alias)
    {
        return None;
    }
    // "+" and "#" continue a token: "A" is not in "A+", "C" is not in "C#", and "A+" is
    // not in "A++".
    let continues = |c: char| c.is_alphanumeric() || c == '_' || c == '+' || c == '#';
    let after = text[span.end..].chars().next();
    match after {
        None => Some(span.end),
        Some(c) if !continues(c) => Some(span.end),
        // Plurals and possessives of names ending in a letter: "RNs", "PMP's",
        // "registered nurses".
        Some(_) if alias.text.ends_with(|c: char| c.is_ascii_alphabetic()) => {
            let rest = &text[span.end..];
            let forms: &[&str] = if is_capitals(alias) {
                // "RGNs", and in text written in capitals, "RGNS".
                &["s", "'s", "S"]
            } else if alias.case_sensitive {
                &["s", "'s"]
            } else {
                &["s", "S", "'s"]
            };
            let plural = forms.iter().find(|p| rest.starts_with(**p))?;
            let end = span.end + plural.len();
            (!text[end..].chars().next().is_some_and(continues)).then_some(end)
        }
        Some(_) => None,
    }
}

/// Text that lost its line breaks runs words together: "QualificationsPMP preferred",
/// "expressionsSplunk Certified Administrator". An acronym in capitals, or a name of two
/// words or more written with a capital, may start right after a lower-case word of four
/// letters or more (after its capital, if any: "TeamARM" is a name).
fn joined_after_word(text: &str, start: usize, alias: &Alias) -> bool {
    let word = text[..start]
        .chars()
        .rev()
        .take_while(char::is_ascii_lowercase)
        .count();
    let capitalised_name = !alias.case_sensitive
        && alias.text.contains(' ')
        && text[start..].starts_with(|c: char| c.is_ascii_uppercase());
    word >= 4 && (is_capitals(alias) || capitalised_name)
}

/// An acronym written in capitals (digits and `+` allowed): "PMP", "CCNA", "A+".
fn is_capitals(alias: &Alias) -> bool {
    alias.case_sensitive
        && alias.text.len() >= 2
        && alias.text.starts_with(|c: char| c.is_ascii_uppercase())
        && !alias
            .text
            .chars()
            .any(|c| c.is_ascii_lowercase() || c == ' ')
}

/// Whether an acronym sits inside a hyphenated code ("339-ASCR-RN-TH05").
fn in_code(text: &str, span: Range<usize>) -> bool {
    let bytes = text.as_bytes();
    let joined_before = span.start >= 2
        && bytes[span.start - 1] == b'-'
        && bytes[span.start - 2].is_ascii_alphanumeric();
    let joined_after = bytes.get(span.end) == Some(&b'-')
        && bytes
            .get(span.end + 1)
            .is_some_and(u8::is_ascii_alphanumeric);
    joined_before && joined_after
}

/// Acronyms the text defines in brackets, with the words that define them: "Care
/// Programme Approach (CPA)" gives ("CPA", "Care Programme Approach"). The acronym's capitals
/// must be the initials of the words before it, in order (small words may be passed over).
fn definitions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('(') {
        let at = from + open;
        from = at + 1;
        let Some(close) = text[from..].find(')') else {
            break;
        };
        let acronym = &text[from..from + close];
        let is_acronym = (2..=8).contains(&acronym.len())
            && acronym.chars().all(|c| c.is_ascii_alphanumeric())
            && acronym.chars().filter(|c| c.is_ascii_uppercase()).count() >= 2;
        if !is_acronym {
            continue;
        }
        let words: Vec<&str> = text[..at]
            .split_whitespace()
            .rev()
            .take(acronym.len() + 4)
            .collect();
        if let Some(n) = spells(acronym, &words) {
            let phrase: Vec<&str> = words[..n].iter().rev().copied().collect();
            out.push((acronym.to_string(), phrase.join(" ")));
        }
    }
    out
}

/// How many of `words` (nearest first) spell `acronym`'s capitals by their initials; small
/// joining words may be passed over.
fn spells(acronym: &str, words: &[&str]) -> Option<usize> {
    const SMALL: &[&str] = &["and", "of", "the", "for", "in", "&", "to", "on", "nhs"];
    let letters: Vec<char> = acronym
        .chars()
        .filter(|c| c.is_ascii_uppercase())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let mut need = letters.len();
    for (i, w) in words.iter().enumerate() {
        let first = w
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .chars()
            .next()?
            .to_ascii_lowercase();
        if first == letters[need - 1] {
            need -= 1;
            if need == 0 {
                return Some(i + 1);
            }
        } else if !SMALL.contains(&w.to_ascii_lowercase().as_str()) {
            return None;
        }
    }
    None
}

/// Whether the mention sits in a URL, e-mail address or path ("www.rn.com", "cpa@firm.com").
fn in_url(text: &str, span: Range<usize>) -> bool {
    let start = text[..span.start].rfind(' ').map_or(0, |i| i + 1);
    let end = text[span.end..]
        .find(' ')
        .map_or(text.len(), |i| span.end + i);
    let token = text[start..end].to_ascii_lowercase();
    if token.contains("://") || token.starts_with("www.") || token.contains('@') {
        return true;
    }
    // A bare domain: a dot followed by a common top-level domain, then the end or a slash.
    const TLDS: &[&str] = &[".com", ".org", ".net", ".gov", ".edu", ".uk", ".io", ".us"];
    TLDS.iter().any(|tld| {
        token.match_indices(tld).any(|(i, _)| {
            let after = token[i + tld.len()..].chars().next();
            after.is_none_or(|c| c == '/' || c == '.' && token[i + tld.len()..].len() > 1)
        })
    })
}

fn compile_rules(c: &Credential) -> Result<Vec<Rule>> {
    let compile = |words: &[String]| -> Result<Option<(AhoCorasick, Vec<String>)>> {
        if words.is_empty() {
            return Ok(None);
        }
        // A rule is consulted only for candidates of its own credential, so building it
        // cheaply (an NFA, no DFA) matters more than searching fast: there are ~1,000.
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .build(words)
            .with_context(|| format!("context rule of {}", c.id))?;
        Ok(Some((ac, words.to_vec())))
    };
    c.context
        .iter()
        .map(|r| {
            Ok(Rule {
                guards: (0..c.aliases.len())
                    .filter(|&i| r.guards(&c.aliases[i]))
                    .collect(),
                window: r.window,
                side: r.side,
                require: compile(&r.require_any)?,
                reject: compile(&r.reject_any)?,
                require_countries: r.require_countries.clone(),
                reject_countries: r.reject_countries.clone(),
            })
        })
        .collect()
}

impl Rule {
    /// Why the rule refuses the mention at `span`, or `None` if it lets it through.
    fn refuses(&self, text: &str, span: Range<usize>, about: About) -> Option<String> {
        let from = |list: &[String]| about.country.filter(|c| list.iter().any(|l| l == c));
        if let Some(c) = from(&self.reject_countries) {
            return Some(format!("context rule: a posting from {c}"));
        }
        let (start, end) = match self.side {
            Side::Title => (0, about.title_end.min(text.len())),
            _ if self.window == 0 => (0, text.len()),
            Side::Both => (
                span.start.saturating_sub(self.window),
                span.end + self.window,
            ),
            Side::Before => (span.start.saturating_sub(self.window), span.end),
            Side::After => (span.start, span.end + self.window),
        };
        let window = floor_char_boundary(text, start)..ceil_char_boundary(text, end);
        let found = |(ac, words): &(AhoCorasick, Vec<String>)| {
            ac.find_overlapping_iter(&text[window.clone()])
                .map(|m| {
                    (
                        window.start + m.start()..window.start + m.end(),
                        m.pattern(),
                    )
                })
                // The mention itself is not its own context.
                .filter(|(r, _)| r.end <= span.start || r.start >= span.end)
                .find(|(r, _)| on_word_boundaries(text, r.clone()))
                .map(|(_, p)| words[p.as_usize()].clone())
        };
        let scope = match self.side {
            Side::Title => "in the title".to_string(),
            _ if self.window == 0 => "in the posting".to_string(),
            Side::Both => format!("within {} characters", self.window),
            Side::Before => format!("within {} characters before", self.window),
            Side::After => format!("within {} characters after", self.window),
        };
        if let Some(reject) = &self.reject {
            if let Some(word) = found(reject) {
                return Some(format!("context rule: {word:?} {scope}"));
            }
        }
        if let Some(require) = &self.require {
            if found(require).is_none() && from(&self.require_countries).is_none() {
                let some: Vec<_> = require.1.iter().take(4).map(|w| format!("{w:?}")).collect();
                return Some(format!(
                    "context rule: none of {}{} {scope}",
                    some.join(", "),
                    if require.1.len() > 4 { ", ..." } else { "" }
                ));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    const DICT: &str = r#"
[[credential]]
id = "pmp"
name = "PMP"
issuer = "PMI"
kind = "certification"
category = "project-management"
aliases = ["Project Management Professional"]
acronyms = ["PMP"]

[[credential]]
id = "security-plus"
name = "CompTIA Security+"
issuer = "CompTIA"
kind = "certification"
category = "security"
aliases = ["Security+", "Sec+", "CompTIA Security+"]
retired_aliases = ["SY0-601"]

[[credential]]
id = "a-plus"
name = "CompTIA A+"
issuer = "CompTIA"
kind = "certification"
category = "it-networking"
acronyms = ["A+"]

[[credential]]
id = "az-104"
name = "Azure Administrator"
issuer = "Microsoft"
kind = "certification"
category = "cloud"
aliases = ["AZ-104"]

[[credential]]
id = "series-7"
name = "Series 7"
issuer = "FINRA"
kind = "licence"
category = "insurance-securities"
aliases = ["Series 7"]

[[credential]]
id = "rn"
name = "Registered Nurse"
issuer = "State boards"
kind = "licence"
category = "healthcare-nursing"
aliases = ["Registered Nurse"]
acronyms = ["RN"]

[[credential]]
id = "cpa"
name = "Certified Public Accountant"
aliases = ["Certified Public Accountant"]
issuer = "AICPA"
kind = "licence"
category = "finance-accounting"
acronyms = ["CPA"]
[[credential.context]]
window = 200
require_any = ["accounting", "accountant", "audit", "tax"]
reject_any = ["care programme approach", "cost per acquisition"]

[[credential]]
id = "aws-saa"
name = "AWS Certified Solutions Architect - Associate"
issuer = "AWS"
kind = "certification"
category = "cloud"
aliases = ["AWS Certified Solutions Architect"]

[[credential]]
id = "aws-dva"
name = "AWS Certified Developer - Associate"
issuer = "AWS"
kind = "certification"
category = "cloud"
aliases = ["AWS Certified Developer"]

[[credential]]
id = "aws-any"
name = "Any AWS certification"
issuer = "AWS"
kind = "family"
category = "cloud"
aliases = ["AWS Certified"]

[[credential]]
id = "asq-any"
name = "Any ASQ certification"
issuer = "ASQ"
kind = "family"
category = "quality-process"
aliases = ["ASQ Certified", "ASQ Certified professional"]

[[credential]]
id = "asq-cqi"
name = "Certified Quality Inspector"
issuer = "ASQ"
kind = "certification"
category = "quality-process"
family = "asq-any"
aliases = ["Certified Quality Inspector"]
"#;

    fn matcher() -> Matcher {
        matcher_of(DICT)
    }

    fn matcher_of(toml: &str) -> Matcher {
        let d = Dictionary::from_layers(vec![vec![("t".into(), toml.into())]]).unwrap();
        Matcher::new(d).unwrap()
    }

    /// (text, the credential ids expected, in order of appearance).
    const CASES: &[(&str, &[&str])] = &[
        ("PMP certification required", &["pmp"]),
        ("pmp certification required", &[]),
        ("PMP® preferred", &["pmp"]),
        ("our PMPs", &["pmp"]),
        ("PMPro software", &[]),
        ("QualificationsPMP preferred", &["pmp"]),
        ("PMPRequired", &["pmp"]),
        ("RNAse kit", &[]),
        ("upPMP", &[]),
        ("RNS NEEDED", &["rn"]),
        // A spelled-out form with a slip still names the credential.
        (
            "Certified Public Accounting (CPA); CPA for audit",
            &["cpa", "cpa"],
        ),
        ("Keywords: Project Manager, PMP, Agile", &[]),
        ("PMP required. Keywords: Project Manager, PMP", &["pmp"]),
        ("Keywords matter. PMP required", &["pmp"]),
        ("SEO keyword research and PMP certification", &["pmp"]),
        ("TeamPMP", &[]),
        ("expressionsAWS Certified Solutions Architect", &["aws-saa"]),
        ("unregistered Nurse", &[]),
        ("registeredRegistered Nurse", &["rn"]),
        // The words after a slash replace a name's last words.
        ("AWS Certified Solutions Architect/Engineer", &["aws-saa"]),
        (
            "AWS Certified Solutions Architect/Developer",
            &["aws-saa", "aws-dva"],
        ),
        (
            "AWS Certified Solutions Architect / Developer",
            &["aws-saa", "aws-dva"],
        ),
        // A shared last word names each item of a list.
        ("AWS/GCP certified", &["aws-any"]),
        ("AWS or Azure Certified engineers", &["aws-any"]),
        ("AWS and a relevant certified", &[]),
        ("AWS. Certified", &[]),
        ("experiencedRNwith", &[]),
        ("Project Management Professional (PMP)", &["pmp", "pmp"]),
        (
            "CompTIA Security+ or Sec+",
            &["security-plus", "security-plus"],
        ),
        ("Security+/Network+", &["security-plus"]),
        ("security+ certified", &["security-plus"]),
        ("SY0-601 exam", &["security-plus"]),
        ("A+ certification", &["a-plus"]),
        ("an A++ rating", &[]),
        ("Grade A", &[]),
        ("AZ-104 certified", &["az-104"]),
        ("AZ-1045", &[]),
        ("XAZ-104", &[]),
        ("FINRA Series 7 licence", &["series-7"]),
        ("Series 79", &[]),
        ("Series 7/63", &["series-7"]),
        ("RN/LPN", &["rn"]),
        ("TURN left", &[]),
        ("visit www.rn.com today", &[]),
        ("email rn@hospital.org", &[]),
        ("Registered\nNurse", &["rn"]),
        ("existing registered nurses only", &["rn"]),
        ("Registered Nursery", &[]),
        ("CPA with audit experience", &["cpa"]),
        ("CPA", &[]),
        ("Care Programme Approach (CPA) for audit", &[]),
        ("reduce cost per acquisition (CPA) and tax", &[]),
        ("AWS Certified Solutions Architect preferred", &["aws-saa"]),
        ("AWS Certified Cloud Practitioner", &["aws-any"]),
        ("Care Programme Approach (CPA) audits. CPA and tax.", &[]),
        (
            "Certified Public Accountant (CPA); CPA for audit and tax",
            &["cpa", "cpa", "cpa"],
        ),
        ("ref 339-ASCR-RN-TH05", &[]),
        ("ASQ Certified Quality Inspector", &["asq-cqi"]),
        // A family phrase and a member of its family in brackets, either way round, name the
        // member once; joined by "or", they are two mentions.
        ("ASQ Certified (Certified Quality Inspector)", &["asq-cqi"]),
        ("Certified Quality Inspector (ASQ Certified)", &["asq-cqi"]),
        (
            "ASQ Certified professional (Certified Quality Inspector)",
            &["asq-cqi"],
        ),
        (
            "ASQ Certified or Certified Quality Inspector",
            &["asq-any", "asq-cqi"],
        ),
        ("ASQ certified staff", &["asq-any"]),
        (
            "any AWS Certified Solutions Architect credential",
            &["aws-saa"],
        ),
    ];

    #[test]
    fn finds_what_it_should() {
        let m = matcher();
        let levels = Levels::builtin().unwrap();
        for (text, want) in CASES {
            let norm = normalize(text);
            let (hits, _) = m.find(&norm.text, &levels, About::default(), false);
            let got: Vec<&str> = hits
                .iter()
                .map(|h| m.credential(h.credential).id.as_str())
                .collect();
            assert_eq!(&got, want, "text {text:?}");
        }
    }

    #[test]
    fn explains_rejections() {
        let m = matcher();
        let levels = Levels::builtin().unwrap();
        let (hits, rejected) = m.find(
            "Cost per acquisition (CPA) for audit",
            &levels,
            About::default(),
            true,
        );
        assert!(hits.is_empty());
        assert_eq!(rejected.len(), 1);
        assert!(
            rejected[0]
                .reason
                .contains("defines \"CPA\" as \"Cost per acquisition\""),
            "{}",
            rejected[0].reason
        );
        let (_, rejected) = m.find(
            "AWS Certified Solutions Architect",
            &levels,
            About::default(),
            true,
        );
        assert!(rejected
            .iter()
            .any(|r| r.reason.contains("family phrase overlapping")));
        let (_, rejected) = m.find(
            "Project Management Professional",
            &levels,
            About::default(),
            true,
        );
        assert!(rejected.is_empty());
        let (_, rejected) = m.find("an A+ certification", &levels, About::default(), true);
        assert!(rejected.is_empty(), "{rejected:?}");
        let (_, rejected) = m.find(
            "work under the supervision of an RN",
            &levels,
            About::default(),
            true,
        );
        assert!(rejected.iter().any(|r| r.reason.contains("someone else")));
    }

    #[test]
    fn title_rules_look_at_the_title_only() {
        let m = matcher_of(
            r#"
[[credential]]
id = "gphc-tech"
name = "GPhC registered Pharmacy Technician"
issuer = "GPhC"
kind = "licence"
category = "healthcare-pharmacy"
aliases = ["GPhC registered"]
[[credential.context]]
side = "title"
require_any = ["technician"]
"#,
        );
        let levels = Levels::builtin().unwrap();
        let text = "Pharmacy Technician\nMust be GPhC registered.";
        let title_end = "Pharmacy Technician".len();
        let in_title = About {
            country: None,
            title_end,
        };
        let (hits, _) = m.find(text, &levels, in_title, false);
        assert_eq!(hits.len(), 1);
        // The same words in the text, not the title, do not satisfy the rule.
        let text = "Senior Pharmacist\nMust be GPhC registered; you lead our technicians.";
        let about = About {
            country: None,
            title_end: "Senior Pharmacist".len(),
        };
        let (hits, rejected) = m.find(text, &levels, about, true);
        assert!(hits.is_empty());
        assert!(
            rejected[0].reason.contains("in the title"),
            "{}",
            rejected[0].reason
        );
    }

    #[test]
    fn plural_extends_the_span() {
        let m = matcher();
        let levels = Levels::builtin().unwrap();
        let (hits, _) = m.find("hiring RNs now", &levels, About::default(), false);
        assert_eq!(hits[0].span, 7..10);
    }
}
