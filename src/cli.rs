//! The command line as the user types it (clap derive), and nothing else: no I/O here.
//!
//! Each subcommand's arguments are turned into validated settings by the module that runs
//! it (`scan::Config::from_args`, `fetch`), so this file reads as the tool's manual.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Which professional credentials do employers actually ask for?
///
/// credscan reads saved job postings (HTML, JSON-LD, JSON, JSON Lines, CSV, text, gzipped or
/// not), finds every known credential they mention, decides whether each is required,
/// preferred or only mentioned, and counts them per job role.
#[derive(Debug, Parser)]
#[command(name = "credscan", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan postings and write per-group credential demand tables.
    Scan(ScanArgs),
    /// Collect postings from job boards and web pages into a folder that `scan` reads.
    Fetch(crate::fetch::FetchArgs),
    /// Work with the credential and role dictionaries.
    #[command(subcommand)]
    Dict(DictCommand),
    /// Show, for one posting, every match, its level and the rule that decided it, and every
    /// rejected candidate with the reason.
    Explain(ExplainArgs),
    /// Find credential-like phrases the dictionary lacks, ranked by how many postings use them.
    Suggest(SuggestArgs),
}

#[derive(Debug, Subcommand)]
pub enum DictCommand {
    /// Validate the dictionaries; exits non-zero on any problem.
    Check(DictArgs),
}

/// Options shared by every command that matches credentials.
#[derive(Debug, Args, Clone, Default)]
pub struct DictArgs {
    /// An extra credential dictionary (TOML file or folder of them). Its entries are added to
    /// the built-in ones, or replace them where the id is the same. Repeatable.
    #[arg(long = "dictionary", value_name = "PATH")]
    pub dictionaries: Vec<PathBuf>,
    /// A role dictionary to use instead of the built-in `dictionaries/roles.toml`.
    #[arg(long, value_name = "PATH")]
    pub roles: Option<PathBuf>,
}

/// What the demand tables are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum GroupBy {
    /// The canonical role from the role dictionary (or the cleaned title).
    #[default]
    Role,
    /// The cleaned title.
    Title,
    Company,
    Location,
    /// The month posted, as YYYY-MM.
    Month,
    /// The input file (multi-record files) or folder (one posting per file).
    Source,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or folders to scan (folders are read recursively). Fetch sources such as
    /// `greenhouse:BOARD`, `lever:SITE` or an `https://` URL are fetched into --cache first.
    #[arg(value_name = "PATH", required = true)]
    pub inputs: Vec<String>,
    /// Folder to write the output files to.
    #[arg(long, short, value_name = "DIR", default_value = "credscan-out")]
    pub out: PathBuf,
    /// What to group the demand tables by.
    #[arg(long, value_enum, default_value_t = GroupBy::Role)]
    pub group_by: GroupBy,
    #[command(flatten)]
    pub dict: DictArgs,
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// Credentials shown per group in the terminal table.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub top: usize,
    /// Groups shown in the terminal table (largest first).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub groups: usize,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Keep postings that a source marks as fraudulent (EMSCAD's `fraudulent` column).
    #[arg(long)]
    pub keep_fraudulent: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Folder where fetched sources are cached before scanning. Re-running fetches only
    /// what is missing.
    #[arg(long, value_name = "DIR", default_value = "credscan-cache")]
    pub cache: PathBuf,
    /// Replace a job board's API base URL for fetch sources, as in `fetch` (for mirrors and
    /// tests). Repeatable.
    #[arg(long, value_name = "KIND=URL")]
    pub api_base: Vec<String>,
}

/// Overrides for the CSV column mapping. Each takes a header name, matched exactly and then
/// case-insensitively.
#[derive(Debug, Args, Clone, Default)]
pub struct ColumnArgs {
    /// Column holding the job title.
    #[arg(long, value_name = "NAME")]
    pub title_col: Option<String>,
    /// Column(s) holding the posting text, in order. Repeatable; replaces the automatic choice.
    #[arg(long, value_name = "NAME")]
    pub text_col: Vec<String>,
    /// Column holding the company name.
    #[arg(long, value_name = "NAME")]
    pub company_col: Option<String>,
    /// Column holding the location.
    #[arg(long, value_name = "NAME")]
    pub location_col: Option<String>,
    /// Column holding the date posted.
    #[arg(long, value_name = "NAME")]
    pub date_col: Option<String>,
    /// Column holding the salary.
    #[arg(long, value_name = "NAME")]
    pub salary_col: Option<String>,
    /// Column holding the posting's id.
    #[arg(long, value_name = "NAME")]
    pub id_col: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// One posting file (for a multi-record file, every record is explained; use --record to
    /// pick one).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Explain only record N (1-based) of a multi-record file.
    #[arg(long, value_name = "N")]
    pub record: Option<usize>,
    #[command(flatten)]
    pub dict: DictArgs,
    #[command(flatten)]
    pub columns: ColumnArgs,
}

#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// Files or folders of postings.
    #[arg(value_name = "PATH", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Show phrases used by at least this many postings.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_postings: usize,
    /// Show at most this many phrases.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub top: usize,
    #[command(flatten)]
    pub dict: DictArgs,
    #[command(flatten)]
    pub columns: ColumnArgs,
}
