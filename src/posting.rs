//! The posting: the one value every reader produces and every later stage consumes.
//!
//! Readers in `ingest` turn files of many shapes into `Posting`s, or into `Skip`s that say
//! why an input could not be read. Nothing downstream knows which format a posting came from
//! beyond its `source`.

use std::fmt;

/// One job posting, as read from an input, with its text already reduced to plain lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Posting {
    /// Where it came from: the file's path, plus `#N` for record N (1-based) of a
    /// multi-record file.
    pub source: String,
    /// The grouping label for `--group-by source`: the file for multi-record files, the
    /// folder for one-posting-per-file folders.
    pub source_group: String,
    /// The posting's own identifier when the input has one.
    pub id: Option<String>,
    pub title: String,
    /// Plain text, one block (paragraph, list item, table cell, heading) per line.
    pub text: String,
    pub company: Option<String>,
    pub location: Option<String>,
    pub date_posted: Option<String>,
    pub salary: Option<String>,
    pub url: Option<String>,
}

impl Posting {
    /// The identifier written to `postings.csv`: the native id when there is one, otherwise
    /// derived from the source so that it is stable across runs.
    pub fn posting_id(&self) -> String {
        match &self.id {
            Some(id) if !id.trim().is_empty() => id.trim().to_string(),
            _ => {
                let name = self.source.rsplit('/').next().unwrap_or(&self.source);
                name.to_string()
            }
        }
    }
}

/// Why an input, or one record of it, was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The file, or `file#N` for one record of a multi-record file.
    pub source: String,
    pub reason: SkipReason,
}

/// The reasons an input is skipped. `Ignored` inputs are listed but are not errors: they are
/// files that are not postings at all (a `.png`, a README).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Not a posting format this tool reads; not an error.
    Ignored(String),
    /// The file could not be opened or read.
    Unreadable(String),
    /// The bytes are not valid UTF-8 (nor a recognised encoding).
    Undecodable(String),
    /// The content is not well-formed in its format: JSON, CSV, gzip.
    Malformed(String),
    /// A record or file with no title and no text.
    Empty(String),
    /// A CSV or JSON file whose columns or fields hold no posting text.
    NoText(String),
    /// A record the source itself marks as not a real posting (e.g. `fraudulent=1`).
    Excluded(String),
    /// credscan failed on this posting (a bug: please report it with the file).
    Internal(String),
}

impl SkipReason {
    /// A short, stable label for grouping in the manifest and the summary.
    pub fn kind(&self) -> &'static str {
        match self {
            SkipReason::Ignored(_) => "ignored",
            SkipReason::Unreadable(_) => "unreadable",
            SkipReason::Undecodable(_) => "undecodable",
            SkipReason::Malformed(_) => "malformed",
            SkipReason::Empty(_) => "empty",
            SkipReason::NoText(_) => "no text",
            SkipReason::Excluded(_) => "excluded",
            SkipReason::Internal(_) => "internal error",
        }
    }

    /// Whether this skip means the user's input had a problem (and so the exit code says so).
    pub fn is_error(&self) -> bool {
        !matches!(self, SkipReason::Ignored(_) | SkipReason::Excluded(_))
    }

    pub fn detail(&self) -> &str {
        match self {
            SkipReason::Ignored(s)
            | SkipReason::Unreadable(s)
            | SkipReason::Undecodable(s)
            | SkipReason::Malformed(s)
            | SkipReason::Empty(s)
            | SkipReason::NoText(s)
            | SkipReason::Excluded(s)
            | SkipReason::Internal(s) => s,
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind(), self.detail())
    }
}

/// What a reader yields for each record: a posting, or the reason there is none.
pub type Record = Result<Posting, Skip>;
