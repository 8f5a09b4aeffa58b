//! Where postings come from: finding input files, telling their formats apart, and reading
//! them into `Posting`s, or `Skip`s that say why not.
//!
//! Formats are chosen by extension (`.gz` stripped first) and, for unknown extensions, by
//! the first bytes. Table and JSON Lines files are streamed record by record, so memory
//! does not grow with their size; other files hold one or a few postings and are read
//! whole, on worker threads. Bytes that are not UTF-8 are read as Windows-1252 (the usual
//! culprit in exported CSVs); files with NUL bytes are binary and skipped.

pub mod html;
pub mod json;
pub mod table;
pub mod text;

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::cli::ColumnArgs;
use crate::posting::{Posting, Record, Skip, SkipReason};
use json::Fields;

/// The formats a file can be read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Json,
    JsonLines,
    Table { tsv: bool },
    Text,
}

impl Format {
    /// Formats read record by record rather than whole.
    pub fn streams(self) -> bool {
        matches!(self, Format::JsonLines | Format::Table { .. })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Json => "json",
            Format::JsonLines => "jsonl",
            Format::Table { tsv: false } => "csv",
            Format::Table { tsv: true } => "tsv",
            Format::Text => "text",
        }
    }

    fn from_extension(ext: &str) -> Option<Format> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "html" | "htm" | "xhtml" => Format::Html,
            "json" | "jsonld" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            "csv" => Format::Table { tsv: false },
            "tsv" | "tab" => Format::Table { tsv: true },
            "txt" | "md" | "markdown" | "text" => Format::Text,
            _ => return None,
        })
    }
}

/// One input file and how to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
    /// The path as shown in outputs.
    pub display: String,
    pub format: Format,
    pub gzip: bool,
}

/// How readers should behave.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub columns: ColumnArgs,
    pub keep_fraudulent: bool,
}

/// Files that sit beside postings but are not postings: documentation, and the log
/// `credscan fetch` keeps in its folder.
const NOT_POSTINGS: &[&str] = &[
    "fetch-log",
    "readme",
    "license",
    "licence",
    "changelog",
    "contributing",
    "copying",
];

/// Walks the given paths (folders recursively, in name order) and decides how to read each
/// file. Hidden files and folders are passed over, as `git` and `rg` do.
pub fn discover(paths: &[PathBuf]) -> (Vec<Input>, Vec<Skip>) {
    let mut inputs = Vec::new();
    let mut skipped = Vec::new();
    for root in paths {
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let source = e.path().unwrap_or(root).display().to_string();
                    let reason = match e.io_error() {
                        Some(io) if io.kind() == std::io::ErrorKind::NotFound => {
                            "no such file or folder".to_string()
                        }
                        Some(io) => io.to_string(),
                        None => e.to_string(),
                    };
                    skipped.push(Skip {
                        source,
                        reason: SkipReason::Unreadable(reason),
                    });
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            match classify(entry.path()) {
                Ok(input) => inputs.push(input),
                Err(reason) => skipped.push(Skip {
                    source: entry.path().display().to_string(),
                    reason,
                }),
            }
        }
    }
    (inputs, skipped)
}

/// Decides a file's format from its name, or its first bytes when the name does not say.
fn classify(path: &Path) -> Result<Input, SkipReason> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let (base, gzip) = match name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".GZ"))
    {
        Some(base) => (base.to_string(), true),
        None => (name.clone(), false),
    };
    let (stem, ext) = match base.rsplit_once('.') {
        Some((s, e)) => (s.to_string(), Some(e.to_string())),
        None => (base.clone(), None),
    };
    if NOT_POSTINGS.contains(&stem.to_ascii_lowercase().as_str()) {
        return Err(SkipReason::Ignored(
            "documentation or a fetch log, not a posting".into(),
        ));
    }
    let format = match ext.as_deref().and_then(Format::from_extension) {
        Some(f) => f,
        None => sniff(path, gzip).ok_or_else(|| {
            SkipReason::Ignored(match &ext {
                Some(e) => format!("unsupported file type .{e}"),
                None => "unsupported file type (no extension, not HTML or JSON)".into(),
            })
        })?,
    };
    Ok(Input {
        path: path.to_path_buf(),
        display: path.display().to_string(),
        format,
        gzip,
    })
}

fn sniff(path: &Path, gzip: bool) -> Option<Format> {
    let mut head = [0u8; 512];
    let mut reader = open_raw(path, gzip).ok()?;
    let n = reader.read(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head[..n]);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let lower = t.get(..t.len().min(15)).unwrap_or("").to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        Some(Format::Html)
    } else if t.starts_with('{') || t.starts_with('[') {
        Some(Format::Json)
    } else {
        None
    }
}

fn open_raw(path: &Path, gzip: bool) -> std::io::Result<Box<dyn Read + Send>> {
    let file = File::open(path)?;
    Ok(if gzip {
        Box::new(MultiGzDecoder::new(BufReader::new(file)))
    } else {
        Box::new(file)
    })
}

/// Text from bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252.
/// Binary content (NUL bytes outside UTF-16) is refused.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, SkipReason> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        if enc != encoding_rs::UTF_8 {
            let (text, _, bad) = enc.decode(bytes);
            if bad {
                return Err(SkipReason::Undecodable(format!(
                    "invalid {} text",
                    enc.name()
                )));
            }
            return Ok(Cow::Owned(text.into_owned()));
        }
        return decode(&bytes[bom..]);
    }
    if let Some(at) = memchr_nul(bytes) {
        return Err(SkipReason::Undecodable(format!(
            "binary data (a NUL byte at offset {at})"
        )));
    }
    Ok(decode_lossless(bytes))
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

/// UTF-8 when valid, otherwise Windows-1252, which maps every byte.
pub fn decode_lossless(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// The group a file's postings fall in for `--group-by source`: the file itself for a
/// multi-record file, its folder for a file holding one posting.
fn folder_of(input: &Input) -> String {
    match input.path.parent() {
        Some(p) if !p.as_os_str().is_empty() => format!("{}/", p.display()),
        _ => "./".into(),
    }
}

/// Reads a whole file holding one or a few postings (HTML, JSON, text).
pub fn read_whole(input: &Input, opts: &ReadOptions) -> Vec<Record> {
    let skip = |reason| {
        vec![Err(Skip {
            source: input.display.clone(),
            reason,
        })]
    };
    let mut bytes = Vec::new();
    let read = open_raw(&input.path, input.gzip).and_then(|mut r| r.read_to_end(&mut bytes));
    if let Err(e) = read {
        return skip(
            if input.gzip && e.kind() == std::io::ErrorKind::InvalidInput {
                SkipReason::Malformed(format!("gzip: {e}"))
            } else {
                SkipReason::Unreadable(e.to_string())
            },
        );
    }
    let text = match decode(&bytes) {
        Ok(t) => t,
        Err(reason) => return skip(reason),
    };
    if text.trim().is_empty() {
        return skip(SkipReason::Empty("the file is empty".into()));
    }
    let fields: Vec<Fields> = match input.format {
        Format::Html => html::page_to_fields(&text),
        Format::Text => vec![text::fields_from_text(&text)],
        Format::Json => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(value) => {
                let found: Vec<Fields> = json::job_postings_in(&value, false)
                    .into_iter()
                    .map(json::posting_from_object)
                    .collect();
                if found.is_empty() {
                    return skip(SkipReason::NoText(
                        "no job posting in this JSON (no JobPosting object, nor one with a title or description)".into(),
                    ));
                }
                found
            }
            // A `.json` file that is really JSON Lines.
            Err(e) if e.line() > 1 && is_json_lines(&text) => {
                return read_json_lines(input, text.as_bytes(), opts).collect();
            }
            Err(e) => {
                return skip(SkipReason::Malformed(format!(
                    "malformed JSON at line {} column {}: {}",
                    e.line(),
                    e.column(),
                    strip_position(&e.to_string())
                )))
            }
        },
        Format::JsonLines | Format::Table { .. } => {
            unreachable!("streamed formats are not read whole")
        }
    };
    let many = fields.len() > 1;
    let group = if many {
        input.display.clone()
    } else {
        folder_of(input)
    };
    fields
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let source = if many {
                format!("{}#{}", input.display, i + 1)
            } else {
                input.display.clone()
            };
            to_posting(f, source, &group, opts)
        })
        .collect()
}

fn is_json_lines(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    lines
        .next()
        .is_some_and(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
}

fn strip_position(msg: &str) -> &str {
    msg.split(" at line ").next().unwrap_or(msg)
}

/// Opens a streamed file (CSV, TSV, JSON Lines): a note describing how it is read (the
/// column mapping), and its records. A file that cannot be read at all is one `Skip`.
pub fn read_streamed(
    input: &Input,
    opts: &ReadOptions,
) -> (Option<String>, Box<dyn Iterator<Item = Record> + Send>) {
    let fail = |reason| -> (Option<String>, Box<dyn Iterator<Item = Record> + Send>) {
        (
            None,
            Box::new(std::iter::once(Err(Skip {
                source: input.display.clone(),
                reason,
            }))),
        )
    };
    let raw = match open_raw(&input.path, input.gzip) {
        Ok(r) => r,
        Err(e) => return fail(SkipReason::Unreadable(e.to_string())),
    };
    match input.format {
        Format::Table { tsv } => match table::TableReader::open(raw, tsv, &opts.columns) {
            Ok(reader) => {
                let note = format!("{}: {}", input.display, reader.mapping.describe());
                let display = input.display.clone();
                let opts = opts.clone();
                let mut reader = reader;
                let mut any = false;
                let records = std::iter::from_fn(move || {
                    let row = reader.next();
                    let source = format!("{display}#{}", reader.number);
                    match row {
                        Some(table::Row::Fields(f)) => {
                            any = true;
                            Some(to_posting(f, source, &display, &opts))
                        }
                        Some(table::Row::Bad(e)) => {
                            any = true;
                            Some(Err(Skip {
                                source,
                                reason: SkipReason::Malformed(format!("bad CSV record: {e}")),
                            }))
                        }
                        None if !any => {
                            any = true;
                            Some(Err(Skip {
                                source: display.clone(),
                                reason: SkipReason::Empty("a header but no records".into()),
                            }))
                        }
                        None => None,
                    }
                });
                (Some(note), Box::new(records))
            }
            Err(e) if e.contains("no text column") => fail(SkipReason::NoText(e)),
            Err(e) if e.contains("gzip") || e.contains("invalid gzip") => {
                fail(SkipReason::Malformed(e))
            }
            Err(e) if e.contains("empty header") || e.contains("reading the header") => {
                fail(SkipReason::Empty(e))
            }
            Err(e) => fail(SkipReason::Malformed(e)),
        },
        Format::JsonLines => (
            None,
            Box::new(read_json_lines_from(
                input.clone(),
                BufReader::new(raw),
                opts.clone(),
            )),
        ),
        _ => unreachable!("only tables and JSON Lines stream"),
    }
}

fn read_json_lines<'a>(
    input: &Input,
    bytes: &'a [u8],
    opts: &ReadOptions,
) -> impl Iterator<Item = Record> + 'a {
    read_json_lines_from(input.clone(), BufReader::new(bytes), opts.clone())
}

/// JSON Lines, one posting per non-empty line; record numbers are line numbers.
fn read_json_lines_from<R: BufRead + Send>(
    input: Input,
    mut reader: R,
    opts: ReadOptions,
) -> impl Iterator<Item = Record> + Send {
    let mut line_no = 0usize;
    let mut buf = Vec::new();
    let mut any = false;
    let mut done = false;
    std::iter::from_fn(move || loop {
        if done {
            return None;
        }
        buf.clear();
        let source = |n: usize| format!("{}#{n}", input.display);
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) if !any => {
                any = true;
                return Some(Err(Skip {
                    source: input.display.clone(),
                    reason: SkipReason::Empty("the file is empty".into()),
                }));
            }
            Ok(0) => return None,
            Ok(_) => {
                line_no += 1;
                let line = decode_lossless(&buf);
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                any = true;
                let record = match serde_json::from_str::<serde_json::Value>(line) {
                    Ok(serde_json::Value::Object(obj)) => to_posting(
                        json::posting_from_object(&obj),
                        source(line_no),
                        &input.display,
                        &opts,
                    ),
                    Ok(_) => Err(Skip {
                        source: source(line_no),
                        reason: SkipReason::Malformed(format!(
                            "line {line_no} is JSON but not an object"
                        )),
                    }),
                    Err(e) => Err(Skip {
                        source: source(line_no),
                        reason: SkipReason::Malformed(format!(
                            "malformed JSON at line {line_no} column {}: {}",
                            e.column(),
                            strip_position(&e.to_string())
                        )),
                    }),
                };
                return Some(record);
            }
            Err(e) => {
                // A broken stream (bad gzip, I/O error) cannot be resynchronised: stop.
                done = true;
                let reason = if matches!(
                    e.kind(),
                    std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData
                ) {
                    SkipReason::Malformed(format!("after line {line_no}: {e}"))
                } else {
                    SkipReason::Unreadable(format!("after line {line_no}: {e}"))
                };
                return Some(Err(Skip {
                    source: input.display.clone(),
                    reason,
                }));
            }
        }
    })
}

/// Turns reader fields into a posting, or the reason there is none.
fn to_posting(f: Fields, source: String, group: &str, opts: &ReadOptions) -> Record {
    if f.fraudulent && !opts.keep_fraudulent {
        return Err(Skip {
            source,
            reason: SkipReason::Excluded("marked fraudulent by the source".into()),
        });
    }
    let title = f.title.unwrap_or_default();
    if title.trim().is_empty() && f.text.trim().is_empty() {
        return Err(Skip {
            source,
            reason: SkipReason::Empty("no title and no text".into()),
        });
    }
    Ok(Posting {
        source,
        source_group: group.to_string(),
        id: f.id,
        title,
        text: f.text,
        company: f.company,
        location: f.location,
        date_posted: f.date,
        salary: f.salary,
        url: f.url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_it_can() {
        assert_eq!(decode("héllo".as_bytes()).unwrap(), "héllo");
        assert_eq!(decode(b"\xEF\xBB\xBFbom").unwrap(), "bom");
        assert_eq!(decode(b"caf\xE9").unwrap(), "café");
        assert!(matches!(
            decode(b"PNG\x00\x01"),
            Err(SkipReason::Undecodable(_))
        ));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("hi".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&utf16).unwrap(), "hi");
    }

    #[test]
    fn classifies_by_name() {
        let c = |n: &str| classify(Path::new(n)).map(|i| (i.format, i.gzip));
        assert_eq!(c("a/b.html"), Ok((Format::Html, false)));
        assert_eq!(c("a/b.csv.gz"), Ok((Format::Table { tsv: false }, true)));
        assert_eq!(c("x.NDJSON"), Ok((Format::JsonLines, false)));
        assert!(matches!(c("README.md"), Err(SkipReason::Ignored(_))));
        assert!(matches!(c("logo.png"), Err(SkipReason::Ignored(_))));
    }
}
