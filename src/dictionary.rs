//! The credential dictionary: what credentials exist and how postings name them.
//!
//! The dictionary is a folder of human-editable TOML files (`dictionaries/credentials/`),
//! embedded in the binary as the default. `--dictionary PATH` layers more files on top:
//! an entry with a new id is added, an entry with an existing id replaces it. The file
//! format is described by the `Wire*` types here and kept apart from the domain types the
//! matcher uses, which hold aliases already normalised.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::normalize::normalize_phrase;

/// The dictionary files compiled into the binary: (path, contents).
const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_credentials.rs"));

/// The built-in dictionary's release, bumped when the embedded files change meaningfully.
pub const BUILTIN_VERSION: &str = "2026.11.1";

/// What sort of thing a credential is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Certification,
    Licence,
    Certificate,
    Qualification,
    /// A generic group ("any AWS certification"), counted apart from specific credentials.
    Family,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Certification => "certification",
            Kind::Licence => "licence",
            Kind::Certificate => "certificate",
            Kind::Qualification => "qualification",
            Kind::Family => "family",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One file as written on disk.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireFile {
    #[serde(default)]
    credential: Vec<WireCredential>,
    #[serde(default)]
    list: Vec<WireList>,
}

/// A named word list that context rules refer to as `@name`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireList {
    name: String,
    #[serde(default)]
    words: Vec<String>,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    places: Vec<String>,
}

/// A named word list: `require_any = ["@uk"]` in a context rule means any of its words, or
/// a posting from one of its countries (ISO 3166 codes, as in schema.org's
/// `addressCountry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordList {
    pub words: Vec<String>,
    pub countries: Vec<String>,
    /// Places (counties, regions, cities) whose postings are from `countries`.
    pub places: Vec<String>,
    pub origin: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireCredential {
    id: String,
    name: String,
    issuer: String,
    kind: Kind,
    category: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    family: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    acronyms: Vec<String>,
    #[serde(default)]
    retired_aliases: Vec<String>,
    #[serde(default)]
    retired: Option<toml::Value>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    positive: Vec<String>,
    #[serde(default)]
    negative: Vec<String>,
    #[serde(default)]
    context: Vec<WireContext>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireContext {
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    window: usize,
    #[serde(default)]
    side: Side,
    #[serde(default)]
    require_any: Vec<String>,
    #[serde(default)]
    reject_any: Vec<String>,
}

/// One way a posting may name a credential, normalised as posting text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// As written in the dictionary.
    pub written: String,
    /// Normalised; what the matcher looks for.
    pub text: String,
    /// Acronyms match only in exactly this case (plus a plural `s`).
    pub case_sensitive: bool,
    /// Names a retired version or exam of the credential.
    pub retired: bool,
}

/// Which side of a mention a context rule's window looks at; `Title` looks at the
/// posting's title wherever the mention is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    #[default]
    Both,
    Before,
    After,
    Title,
}

/// A rule that keeps an ambiguous alias only in the right company.
#[derive(Debug, Clone)]
pub struct ContextRule {
    /// The aliases (as written) the rule guards; empty means all of the entry's aliases.
    pub aliases: Vec<String>,
    /// Bytes either side of the mention to look in; 0 means the whole posting.
    pub window: usize,
    /// Which side of the mention the window covers.
    pub side: Side,
    /// Normalised words of which at least one must occur (when non-empty), named lists
    /// expanded.
    pub require_any: Vec<String>,
    /// Normalised words of which none may occur, named lists expanded.
    pub reject_any: Vec<String>,
    /// The named lists the rule refers to.
    pub lists: Vec<String>,
    /// Countries that satisfy `require_any` (from its named lists).
    pub require_countries: Vec<String>,
    /// Countries in which the rule refuses the alias (from `reject_any`'s named lists).
    pub reject_countries: Vec<String>,
}

impl ContextRule {
    pub fn guards(&self, alias: &Alias) -> bool {
        self.aliases.is_empty() || self.aliases.contains(&alias.written)
    }

    /// Replaces each `@name` with the words of that list, and takes its countries.
    fn expand_lists(&mut self, lists: &HashMap<String, WordList>) -> Result<()> {
        let mut used = Vec::new();
        let mut expand = |words: &mut Vec<String>, countries: &mut Vec<String>| -> Result<()> {
            let mut out = Vec::with_capacity(words.len());
            for w in words.drain(..) {
                match w.strip_prefix('@') {
                    Some(name) => {
                        let list = lists.get(name).with_context(|| {
                            format!("context rule refers to the unknown list \"@{name}\"")
                        })?;
                        used.push(name.to_string());
                        out.extend(list.words.iter().cloned());
                        countries.extend(list.countries.iter().cloned());
                    }
                    None => out.push(w),
                }
            }
            *words = out;
            Ok(())
        };
        expand(&mut self.require_any, &mut self.require_countries)?;
        expand(&mut self.reject_any, &mut self.reject_countries)?;
        self.lists = used;
        Ok(())
    }
}

/// A credential, ready for matching.
#[derive(Debug, Clone)]
pub struct Credential {
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub kind: Kind,
    pub category: String,
    pub url: Option<String>,
    pub family: Option<String>,
    pub aliases: Vec<Alias>,
    /// When the whole credential was retired, as the dictionary gives it.
    pub retired: Option<String>,
    pub note: Option<String>,
    pub positive: Vec<String>,
    pub negative: Vec<String>,
    pub context: Vec<ContextRule>,
    /// The file the entry came from, for error messages and `dict check`.
    pub origin: String,
}

/// All credentials, in a stable order (file order, then entry order).
#[derive(Debug, Clone)]
pub struct Dictionary {
    pub credentials: Vec<Credential>,
    /// The files that were read, built-in first.
    pub files: Vec<String>,
    /// Problems found while loading that do not stop loading (reported by `dict check`).
    pub problems: Vec<String>,
    /// Named word lists, by name.
    pub lists: HashMap<String, WordList>,
    /// Every list's places, lower-cased, with the country each stands for; sorted, so a
    /// place is found by binary search.
    pub places: Vec<(String, String)>,
}

impl Dictionary {
    /// The built-in dictionary plus the extra files or folders given, in order.
    pub fn load(extra: &[PathBuf]) -> Result<Dictionary> {
        let mut layers: Vec<Vec<(String, String)>> = vec![EMBEDDED
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()];
        for path in extra {
            layers.push(read_layer(path)?);
        }
        Dictionary::from_layers(layers)
    }

    /// Builds a dictionary from layers of (origin, TOML text). Within a layer, ids must be
    /// unique; a later layer replaces entries of earlier ones by id.
    pub fn from_layers(layers: Vec<Vec<(String, String)>>) -> Result<Dictionary> {
        let mut credentials: Vec<Credential> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut files = Vec::new();
        let mut problems = Vec::new();
        let mut lists: HashMap<String, WordList> = HashMap::new();
        for layer in layers {
            let mut seen_in_layer: HashMap<String, String> = HashMap::new();
            let mut lists_in_layer: HashMap<String, String> = HashMap::new();
            for (origin, text) in layer {
                let wire: WireFile = toml::from_str(&text)
                    .with_context(|| format!("{origin}: not a valid credential dictionary"))?;
                files.push(origin.clone());
                for l in wire.list {
                    let list = WordList {
                        words: l.words.iter().map(|w| normalize_phrase(w)).collect(),
                        countries: l.countries,
                        places: l.places,
                        origin: origin.clone(),
                    };
                    // Within a layer a name is defined once; a later layer may replace it.
                    if let Some(first) = lists_in_layer.insert(l.name.clone(), origin.clone()) {
                        problems.push(format!(
                            "{origin}: list {:?} defined twice (first in {first})",
                            l.name
                        ));
                    }
                    lists.insert(l.name, list);
                }
                for w in wire.credential {
                    let c = Credential::from_wire(w, &origin)?;
                    if let Some(first) = seen_in_layer.get(&c.id) {
                        problems.push(format!(
                            "{origin}: duplicate id {:?} (first defined in {first})",
                            c.id
                        ));
                        continue;
                    }
                    seen_in_layer.insert(c.id.clone(), origin.clone());
                    match index.get(&c.id) {
                        Some(&i) => credentials[i] = c,
                        None => {
                            index.insert(c.id.clone(), credentials.len());
                            credentials.push(c);
                        }
                    }
                }
            }
        }
        for c in &mut credentials {
            for rule in &mut c.context {
                rule.expand_lists(&lists)
                    .with_context(|| format!("{}: credential {:?}", c.origin, c.id))?;
            }
        }
        let mut places: Vec<(String, String)> = Vec::new();
        for (name, list) in &lists {
            if !list.places.is_empty() && list.countries.is_empty() {
                problems.push(format!(
                    "{}: list {name:?} has places but no countries for them",
                    list.origin
                ));
            }
            for place in &list.places {
                for country in &list.countries {
                    places.push((place.to_lowercase(), country.clone()));
                }
            }
        }
        places.sort();
        places.dedup();
        Ok(Dictionary {
            credentials,
            files,
            problems,
            lists,
            places,
        })
    }

    /// Every alias, with the index of its credential and its own index in that entry, as
    /// the matchers' pattern owners name them.
    pub fn indexed_aliases(&self) -> impl Iterator<Item = (u32, u32, &Alias)> {
        self.credentials.iter().enumerate().flat_map(|(ci, c)| {
            c.aliases
                .iter()
                .enumerate()
                .map(move |(ai, a)| (ci as u32, ai as u32, a))
        })
    }

    #[cfg(test)]
    pub fn get(&self, id: &str) -> Option<&Credential> {
        self.credentials.iter().find(|c| c.id == id)
    }

    /// The country a posting's location is in, by the places of the word lists: the last
    /// comma-separated part of the location is a place or ends with one ("Dorking, Surrey",
    /// "Ipswich Suffolk East Anglia"), but "New Hampshire" is not Hampshire.
    pub fn country_of_location(&self, location: &str) -> Option<&str> {
        let last = location.rsplit(',').next()?.trim().to_lowercase();
        let words: Vec<&str> = last.split_whitespace().collect();
        (0..words.len())
            .filter(|&i| i == 0 || words[i - 1] != "new")
            .find_map(|i| {
                let tail = words[i..].join(" ");
                let first = self.places.partition_point(|(place, _)| *place < tail);
                self.places
                    .get(first)
                    .filter(|(place, _)| *place == tail)
                    .map(|(_, country)| country.as_str())
            })
    }

    /// A version string for the manifest: the built-in release plus a fingerprint of
    /// everything loaded, so two runs with different dictionaries never look alike.
    pub fn version(&self) -> String {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for c in &self.credentials {
            c.id.hash(&mut h);
            for a in &c.aliases {
                a.text.hash(&mut h);
                a.case_sensitive.hash(&mut h);
            }
            for r in &c.context {
                r.require_any.hash(&mut h);
                r.reject_any.hash(&mut h);
                r.require_countries.hash(&mut h);
                r.reject_countries.hash(&mut h);
                r.window.hash(&mut h);
                r.side.hash(&mut h);
            }
        }
        self.places.hash(&mut h);
        format!("{BUILTIN_VERSION}+{:08x}", h.finish() as u32)
    }
}

/// Reads a dictionary file, or every `.toml` file of a folder (sorted by name).
fn read_layer(path: &Path) -> Result<Vec<(String, String)>> {
    let mut paths = Vec::new();
    if path.is_dir() {
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            let entry =
                entry.with_context(|| format!("reading dictionary folder {}", path.display()))?;
            if entry.file_type().is_file() && entry.path().extension().is_some_and(|x| x == "toml")
            {
                paths.push(entry.into_path());
            }
        }
        if paths.is_empty() {
            bail!(
                "{}: no .toml dictionary files in this folder",
                path.display()
            );
        }
    } else {
        paths.push(path.to_path_buf());
    }
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p)
                .with_context(|| format!("reading dictionary {}", p.display()))?;
            Ok((p.display().to_string(), text))
        })
        .collect()
}

impl Credential {
    fn from_wire(w: WireCredential, origin: &str) -> Result<Credential> {
        let where_ = || format!("{origin}: credential {:?}", w.id);
        if w.id.is_empty()
            || !w
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            bail!("{}: id must be lowercase letters, digits and '-'", where_());
        }
        let mut aliases = Vec::new();
        let groups = [
            (&w.aliases, false, false),
            (&w.acronyms, true, false),
            (&w.retired_aliases, false, true),
        ];
        for (list, case_sensitive, retired) in groups {
            for written in list {
                aliases.push(Alias {
                    written: written.clone(),
                    text: normalize_phrase(written),
                    case_sensitive,
                    retired,
                });
            }
        }
        let context = w
            .context
            .into_iter()
            .map(|r| ContextRule {
                aliases: r.aliases,
                window: r.window,
                side: r.side,
                require_any: r.require_any.iter().map(|s| normalize_phrase(s)).collect(),
                reject_any: r.reject_any.iter().map(|s| normalize_phrase(s)).collect(),
                lists: Vec::new(),
                require_countries: Vec::new(),
                reject_countries: Vec::new(),
            })
            .collect();
        let retired = w.retired.map(|v| match v {
            toml::Value::String(s) => s,
            other => other.to_string(),
        });
        Ok(Credential {
            id: w.id,
            name: w.name,
            issuer: w.issuer,
            kind: w.kind,
            category: w.category,
            url: w.url,
            family: w.family,
            aliases,
            retired,
            note: w.note,
            positive: w.positive,
            negative: w.negative,
            context,
            origin: origin.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
[[credential]]
id = "pmp"
name = "Project Management Professional"
issuer = "PMI"
kind = "certification"
category = "project-management"
aliases = ["Project Management Professional"]
acronyms = ["PMP"]
positive = ["PMP required."]
negative = ["Project management experience."]
"#;

    const OVERRIDE: &str = r#"
[[credential]]
id = "pmp"
name = "PMP (local)"
issuer = "PMI"
kind = "certification"
category = "project-management"
acronyms = ["PMP"]

[[credential]]
id = "local-cert"
name = "Local Certificate"
issuer = "Us"
kind = "certificate"
category = "hr"
aliases = ["Local Cert"]
"#;

    fn layer(origin: &str, text: &str) -> Vec<(String, String)> {
        vec![(origin.to_string(), text.to_string())]
    }

    #[test]
    fn later_layers_replace_by_id_and_add() {
        let d =
            Dictionary::from_layers(vec![layer("base", BASE), layer("extra", OVERRIDE)]).unwrap();
        assert_eq!(d.credentials.len(), 2);
        assert_eq!(d.get("pmp").unwrap().name, "PMP (local)");
        assert_eq!(d.get("pmp").unwrap().origin, "extra");
        assert!(d.get("local-cert").is_some());
        assert!(d.problems.is_empty());
    }

    #[test]
    fn duplicate_ids_in_one_layer_are_problems() {
        let d = Dictionary::from_layers(vec![vec![
            ("a.toml".into(), BASE.into()),
            ("b.toml".into(), BASE.into()),
        ]])
        .unwrap();
        assert_eq!(d.credentials.len(), 1);
        assert_eq!(d.problems.len(), 1);
        assert!(d.problems[0].contains("duplicate id \"pmp\""));
    }

    #[test]
    fn places_tell_a_locations_country() {
        let toml = r#"
[[list]]
name = "uk"
countries = ["GB"]
places = ["Surrey", "Hampshire", "East Anglia", "Oxford"]
words = ["NHS"]
"#;
        let d = Dictionary::from_layers(vec![vec![("w.toml".into(), toml.into())]]).unwrap();
        assert_eq!(d.country_of_location("Dorking, Surrey, Surrey"), Some("GB"));
        assert_eq!(d.country_of_location("Oxford"), Some("GB"));
        assert_eq!(
            d.country_of_location("Ipswich Suffolk East Anglia"),
            Some("GB")
        );
        assert_eq!(d.country_of_location("Concord, New Hampshire"), None);
        assert_eq!(d.country_of_location("Oxford, MS"), None);
        assert_eq!(d.country_of_location(""), None);
        let bad = "[[list]]\nname = \"x\"\nplaces = [\"Kent\"]\nwords = [\"a\"]\n";
        let d = Dictionary::from_layers(vec![vec![("b.toml".into(), bad.into())]]).unwrap();
        assert!(d.problems[0].contains("places but no countries"));
    }

    #[test]
    fn a_list_defined_in_two_files_of_one_layer_is_a_problem() {
        let list = |words: &str| format!("[[list]]\nname = \"uk\"\nwords = [{words}]\n");
        let layer = |a: &str, b: &str| vec![("a.toml".into(), list(a)), ("b.toml".into(), list(b))];
        let d = Dictionary::from_layers(vec![layer("\"NHS\"", "\"NMC\"")]).unwrap();
        assert_eq!(d.problems.len(), 1);
        assert!(d.problems[0].contains("b.toml: list \"uk\" defined twice (first in a.toml)"));
        // A later layer replaces a list without complaint.
        let d = Dictionary::from_layers(vec![
            vec![("a.toml".into(), list("\"NHS\""))],
            vec![("mine.toml".into(), list("\"NMC\""))],
        ])
        .unwrap();
        assert!(d.problems.is_empty());
    }

    #[test]
    fn bad_files_name_the_file() {
        let err = Dictionary::from_layers(vec![layer("mine.toml", "[[credential]]\nid = 3")])
            .unwrap_err();
        assert!(format!("{err:#}").contains("mine.toml"), "{err:#}");
        let err = Dictionary::from_layers(vec![layer(
            "mine.toml",
            "[[credential]]\nid = \"Bad Id\"\nname=\"x\"\nissuer=\"y\"\nkind=\"licence\"\ncategory=\"hr\"",
        )])
        .unwrap_err();
        assert!(format!("{err:#}").contains("lowercase"), "{err:#}");
    }

    #[test]
    fn aliases_are_normalised_and_flagged() {
        let d = Dictionary::from_layers(vec![layer(
            "x",
            r#"
[[credential]]
id = "sec-plus"
name = "Security+"
issuer = "CompTIA"
kind = "certification"
category = "security"
aliases = ["Security\u2011+"]
acronyms = ["Sec+"]
retired_aliases = ["SY0-601"]
"#,
        )])
        .unwrap();
        let a = &d.credentials[0].aliases;
        assert_eq!(a[0].text, "Security-+");
        assert!(a[1].case_sensitive && !a[1].retired);
        assert!(a[2].retired && !a[2].case_sensitive);
    }

    #[test]
    fn rules_refer_to_named_lists() {
        let lists = "[[list]]\nname = \"uk\"\nwords = [\"NHS\"]\ncountries = [\"GB\"]\n";
        let entry = r#"
[[credential]]
id = "rn"
name = "RN"
issuer = "Boards"
kind = "licence"
category = "healthcare-nursing"
acronyms = ["RN"]
[[credential.context]]
reject_any = ["@uk", "React"]
"#;
        let d = Dictionary::from_layers(vec![vec![
            ("entries.toml".into(), entry.into()),
            ("lists.toml".into(), lists.into()),
        ]])
        .unwrap();
        let rule = &d.get("rn").unwrap().context[0];
        assert_eq!(rule.reject_any, ["NHS", "React"]);
        assert_eq!(rule.reject_countries, ["GB"]);
        let err = Dictionary::from_layers(vec![layer("e.toml", entry)]).unwrap_err();
        assert!(
            format!("{err:#}").contains("unknown list \"@uk\""),
            "{err:#}"
        );
    }

    #[test]
    fn the_builtin_dictionary_loads() {
        let d = Dictionary::load(&[]).unwrap();
        assert!(d.version().starts_with(BUILTIN_VERSION));
    }
}
