//! `credscan scan`: the pipeline from input paths to the output folder.
//!
//! Inputs are discovered and turned into a stream of work units (a whole small file, or
//! one record of a streamed CSV or JSON Lines file). Units are analysed in parallel in
//! ordered chunks, so the outputs come out in input order and identical runs write
//! identical files, while memory stays bounded by the chunk size. One thread then takes
//! each analysed posting in turn: drops exact duplicates, writes its rows, and adds it to
//! the tally that aggregation turns into the demand tables.

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::aggregate::{self, Tally};
use crate::analysis::{strongest_levels, Analysed, Analyzer};
use crate::cli::{DictArgs, GroupBy, ScanArgs};
use crate::dictionary::Dictionary;
use crate::ingest::{self, Input, ReadOptions};
use crate::level::Levels;
use crate::matcher::Matcher;
use crate::output::{
    self, Counts, CsvFile, DuplicateInfo, Manifest, MentionRow, PostingRow, SkippedInfo,
};
use crate::posting::{Record, Skip};
use crate::report;
use crate::roles::Roles;

/// Units analysed together; bounds memory and keeps output order.
const CHUNK: usize = 512;

/// Builds the analyzer from the dictionary options: built-in dictionaries plus extras.
pub fn analyzer(dict: &DictArgs) -> Result<Analyzer> {
    let dictionary = Dictionary::load(&dict.dictionaries)?;
    Ok(Analyzer::new(
        Matcher::new(dictionary)?,
        Levels::builtin()?,
        Roles::load(dict.roles.as_deref())?,
    ))
}

/// A piece of work for a worker thread.
enum Unit {
    /// A file read whole on the worker (HTML, JSON, text).
    File(Input),
    /// A record already read from a streamed file.
    Record(Record),
}

/// The inputs as a stream of units, with streamed files opened as they are reached, and
/// the ordered-chunk loop that runs work on them in parallel. `scan` and `suggest` share it.
pub struct Pipeline {
    inputs: std::vec::IntoIter<Input>,
    current: Option<Box<dyn Iterator<Item = Record> + Send>>,
    opts: ReadOptions,
    /// How each table's columns were mapped, in input order.
    pub notes: Vec<String>,
    /// Files opened so far, the one being streamed included.
    pub files_started: usize,
}

impl Pipeline {
    pub fn new(inputs: Vec<Input>, opts: ReadOptions) -> Pipeline {
        Pipeline {
            inputs: inputs.into_iter(),
            current: None,
            opts,
            notes: Vec::new(),
            files_started: 0,
        }
    }

    fn next_chunk(&mut self, n: usize) -> Vec<Unit> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            if let Some(records) = &mut self.current {
                match records.next() {
                    Some(r) => {
                        out.push(Unit::Record(r));
                        continue;
                    }
                    None => self.current = None,
                }
            }
            let Some(input) = self.inputs.next() else {
                break;
            };
            self.files_started += 1;
            if input.format.streams() {
                let (note, records) = ingest::read_streamed(&input, &self.opts);
                self.notes.extend(note);
                self.current = Some(records);
            } else {
                out.push(Unit::File(input));
            }
        }
        out
    }

    /// Files finished so far.
    pub fn files_done(&self) -> usize {
        self.files_started
            .saturating_sub(usize::from(self.current.is_some()))
    }

    /// Runs `work` on every record in parallel and hands the results to `sink` in input
    /// order, one chunk at a time; the next chunk is read while the current one is worked
    /// on. `after_chunk` sees the pipeline between chunks (for progress). Stops at the
    /// first error from `sink`.
    pub fn run<T: Send>(
        &mut self,
        work: impl Fn(Record) -> T + Sync,
        mut sink: impl FnMut(T) -> Result<()>,
        mut after_chunk: impl FnMut(&Pipeline),
    ) -> Result<()> {
        let opts = self.opts.clone();
        let mut chunk = self.next_chunk(CHUNK);
        while !chunk.is_empty() {
            let (results, next) = rayon::join(
                || {
                    chunk
                        .into_par_iter()
                        .map(|unit| match unit {
                            Unit::File(input) => ingest::read_whole(&input, &opts)
                                .into_iter()
                                .map(&work)
                                .collect(),
                            Unit::Record(r) => vec![work(r)],
                        })
                        .collect::<Vec<Vec<T>>>()
                },
                || self.next_chunk(CHUNK),
            );
            for result in results.into_iter().flatten() {
                sink(result)?;
            }
            after_chunk(self);
            chunk = next;
        }
        Ok(())
    }
}

/// What a scan found, for the summary and the manifest.
#[derive(Default)]
struct Sink {
    counts: Counts,
    skipped: Vec<SkippedInfo>,
    skipped_by_reason: BTreeMap<String, u64>,
    duplicates: Vec<DuplicateInfo>,
    seen: HashMap<u64, String>,
    tally: Tally,
    input_errors: u64,
}

impl Sink {
    fn skip(&mut self, skip: Skip) {
        self.counts.records += 1;
        let kind = skip.reason.kind().to_string();
        if kind == "ignored" {
            self.counts.ignored += 1;
        } else {
            self.counts.skipped += 1;
        }
        if skip.reason.is_error() {
            self.input_errors += 1;
        }
        *self.skipped_by_reason.entry(kind.clone()).or_default() += 1;
        self.skipped.push(SkippedInfo {
            source: skip.source,
            reason: kind,
            detail: skip.reason.detail().to_string(),
        });
    }
}

/// Runs `credscan scan`. Returns the exit code: 0, or 1 when some input could not be read.
pub fn run(args: ScanArgs, out: &mut dyn Write) -> Result<i32> {
    let started = Instant::now();
    let started_at = crate::date::now_iso();
    let mut timings: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut lap = Instant::now();
    let mut take_lap = |name: &'static str, timings: &mut BTreeMap<&'static str, u64>| {
        timings.insert(name, lap.elapsed().as_millis() as u64);
        lap = Instant::now();
    };

    let analyzer = analyzer(&args.dict)?;
    take_lap("load_dictionaries", &mut timings);

    let (mut paths, sources): (Vec<String>, Vec<String>) = args
        .inputs
        .iter()
        .cloned()
        .partition(|s| !crate::fetch::is_source(s));
    if !sources.is_empty() {
        // The fetch summary (and each failure) is printed by the fetcher itself.
        let mut sink = std::io::sink();
        let fetch_out: &mut dyn Write = if args.quiet { &mut sink } else { out };
        crate::fetch::fetch_to_dir(&sources, &args.cache, &args.api_base, fetch_out)
            .with_context(|| format!("fetching into {}", args.cache.display()))?;
        paths.push(args.cache.display().to_string());
    }
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    let (inputs, discovery_skips) = ingest::discover(&paths);
    take_lap("discover", &mut timings);
    let files = inputs.len();
    if inputs.is_empty() {
        let why: Vec<String> = discovery_skips
            .iter()
            .map(|s| format!("{}: {}", s.source, s.reason.detail()))
            .collect();
        match why.is_empty() {
            true => bail!("no input files found in {}", args.inputs.join(", ")),
            false => bail!("nothing to scan: {}", why.join("; ")),
        }
    }
    let mut by_format: BTreeMap<String, u64> = BTreeMap::new();
    for i in &inputs {
        *by_format
            .entry(format!(
                "{}{}",
                i.format.name(),
                if i.gzip { ".gz" } else { "" }
            ))
            .or_default() += 1;
    }

    output::prepare_dir(&args.out)?;
    let mut postings_csv = CsvFile::create(&args.out, "postings.csv")?;
    let mut mentions_csv = CsvFile::create(&args.out, "mentions.csv")?;
    let mut sink = Sink::default();
    for skip in discovery_skips {
        sink.skip(skip);
    }

    let progress = if !args.quiet && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(files as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} files, {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };

    let opts = ReadOptions {
        columns: args.columns.clone(),
        keep_fraudulent: args.keep_fraudulent,
    };
    let mut pipeline = Pipeline::new(inputs, opts);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("starting worker threads")?;
    let group_by = args.group_by;
    pool.install(|| {
        pipeline.run(
            |record| record.and_then(|p| analyse_guarded(&analyzer, p)),
            |result| match result {
                Err(skip) => {
                    sink.skip(skip);
                    Ok(())
                }
                Ok(a) => {
                    accept(
                        &mut sink,
                        &analyzer,
                        a,
                        group_by,
                        &mut postings_csv,
                        &mut mentions_csv,
                    )?;
                    if sink.counts.read % 256 == 0 {
                        progress.set_message(format!(
                            "{} postings",
                            report::thousands(sink.counts.read)
                        ));
                    }
                    Ok(())
                }
            },
            |p| progress.set_position(p.files_done() as u64),
        )
    })?;
    progress.finish_and_clear();
    take_lap("scan", &mut timings);

    let demand = aggregate::summarise(&sink.tally, analyzer.matcher.dictionary(), args.top)?;
    take_lap("aggregate", &mut timings);

    let mut outputs = vec![postings_csv.commit()?, mentions_csv.commit()?];
    outputs.push(output::write_file(
        &args.out,
        "demand.csv",
        &demand.demand_csv,
    )?);
    outputs.push(output::write_file(
        &args.out,
        "credentials.csv",
        &demand.credentials_csv,
    )?);
    outputs.push(output::write_file(
        &args.out,
        "groups.csv",
        &demand.groups_csv,
    )?);
    sink.counts.groups = sink.tally.group_count() as u64;
    sink.counts.credentials_seen = sink.tally.credentials_seen() as u64;
    sink.counts.postings_with_credentials = sink.tally.postings_with_credentials();
    take_lap("write", &mut timings);
    timings.insert("total", started.elapsed().as_millis() as u64);

    let dict = analyzer.matcher.dictionary();
    let manifest = Manifest {
        tool: "credscan",
        version: env!("CARGO_PKG_VERSION"),
        started_at,
        dictionary: output::DictionaryInfo {
            version: dict.version(),
            credentials: dict.credentials.len(),
            aliases: analyzer.matcher.pattern_count(),
            files: dict.files.clone(),
        },
        roles: output::RolesInfo {
            version: analyzer.roles.version().to_string(),
            roles: analyzer.roles.len(),
        },
        options: options_json(&args),
        inputs: output::InputsInfo {
            paths: args.inputs.clone(),
            files,
            by_format,
            table_mappings: pipeline.notes.clone(),
        },
        counts: sink.counts.clone(),
        skipped_by_reason: sink.skipped_by_reason.clone(),
        skipped: sink.skipped.clone(),
        duplicates: sink.duplicates.clone(),
        timings_ms: timings,
        outputs: outputs
            .iter()
            .map(|p| p.display().to_string())
            .chain([args.out.join("manifest.json").display().to_string()])
            .collect(),
    };
    let json = serde_json::to_vec_pretty(&manifest).context("serialising the manifest")?;
    output::write_file(&args.out, "manifest.json", &json)?;

    if !args.quiet {
        for note in &pipeline.notes {
            writeln!(out, "Columns of {note}")?;
        }
        let reasons: Vec<(String, u64)> = sink
            .skipped_by_reason
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        report::summary(
            out,
            &sink.counts,
            &reasons,
            files,
            started.elapsed().as_secs_f64(),
        )?;
        let heading = format!("{:?}", args.group_by).to_lowercase();
        report::top_table(out, &heading, &demand.top_groups, args.groups)?;
        report::overall_table(out, &demand.top_overall)?;
        writeln!(
            out,
            "\nWrote {} (see manifest.json for every skipped input).",
            args.out.display()
        )?;
    }
    for s in sink
        .skipped
        .iter()
        .filter(|s| s.reason != "ignored" && s.reason != "excluded")
        .take(20)
    {
        eprintln!("credscan: skipped {}: {}: {}", s.source, s.reason, s.detail);
    }
    if sink.input_errors > 20 {
        eprintln!(
            "credscan: ... and {} more skipped inputs, listed in manifest.json",
            sink.input_errors - 20
        );
    }
    Ok(if sink.input_errors > 0 { 1 } else { 0 })
}

/// Analyses one posting; a bug that panics on one posting's text is reported as a skip
/// of that posting instead of stopping the batch.
fn analyse_guarded(
    analyzer: &Analyzer,
    posting: crate::posting::Posting,
) -> Result<Analysed, Skip> {
    let source = posting.source.clone();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyzer.analyse(posting))).map_err(
        |panic| {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Skip {
                source,
                reason: crate::posting::SkipReason::Internal(what),
            }
        },
    )
}

/// The group a posting is counted in.
fn group_of(a: &Analysed, by: GroupBy) -> String {
    let or_unknown = |s: Option<&String>| {
        s.map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "(unknown)".into())
    };
    let g = match by {
        GroupBy::Role => a.role.clone(),
        GroupBy::Title => a.cleaned_title.clone(),
        GroupBy::Company => or_unknown(a.posting.company.as_ref()),
        GroupBy::Location => or_unknown(a.posting.location.as_ref()),
        GroupBy::Month => a
            .posting
            .date_posted
            .as_deref()
            .and_then(crate::date::month)
            .unwrap_or_else(|| "(unknown)".into()),
        GroupBy::Source => a.posting.source_group.clone(),
    };
    if g.trim().is_empty() {
        "(untitled)".into()
    } else {
        g
    }
}

/// Takes one analysed posting: drops it if it duplicates an earlier one, else writes its
/// rows and counts it.
fn accept(
    sink: &mut Sink,
    analyzer: &Analyzer,
    a: Analysed,
    by: GroupBy,
    postings_csv: &mut CsvFile,
    mentions_csv: &mut CsvFile,
) -> Result<()> {
    sink.counts.records += 1;
    if let Some(first) = sink.seen.get(&a.fingerprint) {
        sink.counts.duplicates += 1;
        sink.duplicates.push(DuplicateInfo {
            source: a.posting.source.clone(),
            duplicate_of: first.clone(),
        });
        return Ok(());
    }
    sink.seen.insert(a.fingerprint, a.posting.source.clone());
    sink.counts.read += 1;
    sink.counts.mentions += a.mentions.len() as u64;

    let dict = analyzer.matcher.dictionary();
    let levels = strongest_levels(&a.mentions);
    let ids: Vec<&str> = levels
        .iter()
        .map(|(c, _)| dict.credentials[*c].id.as_str())
        .collect();
    let posting_id = a.posting.posting_id();
    let role = if a.role.is_empty() {
        "(untitled)"
    } else {
        a.role.as_str()
    };
    let date = a
        .posting
        .date_posted
        .as_deref()
        .map(|d| crate::date::iso_date(d).unwrap_or_else(|| d.to_string()));
    postings_csv.row(&PostingRow {
        posting_id: &posting_id,
        source: &a.posting.source,
        title: &a.posting.title,
        role,
        company: a.posting.company.as_deref().unwrap_or(""),
        location: a.posting.location.as_deref().unwrap_or(""),
        date_posted: date.as_deref().unwrap_or(""),
        credentials: &ids.join(";"),
    })?;
    for m in &a.mentions {
        let c = &dict.credentials[m.credential];
        mentions_csv.row(&MentionRow {
            posting_id: &posting_id,
            source: &a.posting.source,
            role,
            credential_id: &c.id,
            credential: &c.name,
            issuer: &c.issuer,
            kind: c.kind.as_str(),
            category: &c.category,
            matched_text: &m.matched_text,
            offset: m.offset,
            level: m.level.as_str(),
            snippet: &m.snippet,
            retired: m.retired,
        })?;
    }
    let group = group_of(&a, by);
    sink.tally.add(
        &group,
        a.posting.company.as_deref(),
        a.mentions.len(),
        &levels,
    );
    Ok(())
}

fn options_json(args: &ScanArgs) -> BTreeMap<&'static str, serde_json::Value> {
    use serde_json::json;
    let c = &args.columns;
    BTreeMap::from([
        ("out", json!(args.out.display().to_string())),
        (
            "group_by",
            json!(format!("{:?}", args.group_by).to_lowercase()),
        ),
        (
            "dictionaries",
            json!(args
                .dict
                .dictionaries
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()),
        ),
        (
            "roles",
            json!(args.dict.roles.as_ref().map(|p| p.display().to_string())),
        ),
        (
            "threads",
            json!(args.threads.unwrap_or_else(rayon::current_num_threads)),
        ),
        ("keep_fraudulent", json!(args.keep_fraudulent)),
        ("top", json!(args.top)),
        (
            "columns",
            json!({
                "title": c.title_col, "text": c.text_col, "company": c.company_col, "location": c.location_col,
                "date": c.date_col, "salary": c.salary_col, "id": c.id_col,
            }),
        ),
    ])
}
