//! The output folder: the files a scan writes and their exact columns.
//!
//! People script against these files, so each one's columns are fixed by a row type here
//! (`PostingRow`, `MentionRow`) or by the aggregation module's CSV. Every file is written
//! to a temporary file in the same folder and renamed into place when complete, so a
//! reader never sees half a file, and an interrupted run leaves the previous outputs whole.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use tempfile::NamedTempFile;

/// A file being written in place of `path`; it appears there only on `commit`.
pub struct AtomicFile {
    path: PathBuf,
    temp: BufWriter<NamedTempFile>,
}

impl AtomicFile {
    pub fn create(dir: &Path, name: &str) -> Result<AtomicFile> {
        let path = dir.join(name);
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
        Ok(AtomicFile {
            path,
            temp: BufWriter::with_capacity(1 << 16, temp),
        })
    }

    pub fn commit(self) -> Result<PathBuf> {
        let path = self.path;
        let temp = self
            .temp
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("writing {}", path.display()))?;
        temp.as_file().sync_all().ok();
        temp.persist(&path)
            .with_context(|| format!("moving {} into place", path.display()))?;
        Ok(path)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.temp.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.temp.flush()
    }
}

/// Writes a whole file atomically.
pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let mut f = AtomicFile::create(dir, name)?;
    f.write_all(bytes)
        .with_context(|| format!("writing {}", dir.join(name).display()))?;
    f.commit()
}

/// Creates the output folder if needed.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating the output folder {}", dir.display()))
}

/// A row of `postings.csv`.
#[derive(Debug, Serialize)]
pub struct PostingRow<'a> {
    pub posting_id: &'a str,
    pub source: &'a str,
    pub title: &'a str,
    pub role: &'a str,
    pub company: &'a str,
    pub location: &'a str,
    pub date_posted: &'a str,
    /// Credential ids, `;`-separated, in order of first mention.
    pub credentials: &'a str,
}

/// A row of `mentions.csv`.
#[derive(Debug, Serialize)]
pub struct MentionRow<'a> {
    pub posting_id: &'a str,
    pub source: &'a str,
    pub role: &'a str,
    pub credential_id: &'a str,
    pub credential: &'a str,
    pub issuer: &'a str,
    pub kind: &'a str,
    pub category: &'a str,
    pub matched_text: &'a str,
    pub offset: usize,
    pub level: &'a str,
    pub snippet: &'a str,
    /// `true` when the words name a retired version, exam or credential.
    pub retired: bool,
}

/// A CSV file written row by row, atomically.
pub struct CsvFile {
    writer: csv::Writer<AtomicFile>,
}

impl CsvFile {
    pub fn create(dir: &Path, name: &str) -> Result<CsvFile> {
        Ok(CsvFile {
            writer: csv::Writer::from_writer(AtomicFile::create(dir, name)?),
        })
    }

    pub fn row<T: Serialize>(&mut self, row: &T) -> Result<()> {
        self.writer.serialize(row).context("writing a CSV row")
    }

    pub fn commit(self) -> Result<PathBuf> {
        let inner = self
            .writer
            .into_inner()
            .map_err(|e| e.into_error())
            .context("finishing a CSV file")?;
        inner.commit()
    }
}

/// `manifest.json`: what ran, on what, with which dictionary, and what became of every input.
#[derive(Debug, Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub version: &'static str,
    pub started_at: String,
    pub dictionary: DictionaryInfo,
    pub roles: RolesInfo,
    pub options: BTreeMap<&'static str, serde_json::Value>,
    pub inputs: InputsInfo,
    pub counts: Counts,
    pub skipped_by_reason: BTreeMap<String, u64>,
    pub skipped: Vec<SkippedInfo>,
    pub duplicates: Vec<DuplicateInfo>,
    pub timings_ms: BTreeMap<&'static str, u64>,
    pub outputs: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct DictionaryInfo {
    pub version: String,
    pub credentials: usize,
    pub aliases: usize,
    pub files: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct RolesInfo {
    pub version: String,
    pub roles: usize,
}

#[derive(Debug, Serialize, Default)]
pub struct InputsInfo {
    pub paths: Vec<String>,
    pub files: usize,
    pub by_format: BTreeMap<String, u64>,
    /// How each table's columns were mapped.
    pub table_mappings: Vec<String>,
}

#[derive(Debug, Serialize, Default, Clone)]
pub struct Counts {
    /// Every record seen: read + duplicates + skipped (ignored files included).
    pub records: u64,
    /// Postings scanned and counted.
    pub read: u64,
    pub duplicates: u64,
    /// Inputs or records that could not be read (errors), plus excluded records.
    pub skipped: u64,
    /// Files that are not postings (unsupported types, documentation).
    pub ignored: u64,
    pub postings_with_credentials: u64,
    pub mentions: u64,
    pub groups: u64,
    pub credentials_seen: u64,
}

#[derive(Debug, Serialize, Clone)]
pub struct SkippedInfo {
    pub source: String,
    pub reason: String,
    pub detail: String,
}

#[derive(Debug, Serialize, Clone)]
pub struct DuplicateInfo {
    pub source: String,
    pub duplicate_of: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_appear_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = AtomicFile::create(dir.path(), "x.csv").unwrap();
        f.write_all(b"a,b\n").unwrap();
        assert!(!dir.path().join("x.csv").exists());
        f.commit().unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("x.csv")).unwrap(),
            "a,b\n"
        );
        // A dropped, uncommitted file leaves nothing behind.
        drop(AtomicFile::create(dir.path(), "y.csv").unwrap());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn csv_rows_have_the_documented_columns() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = CsvFile::create(dir.path(), "postings.csv").unwrap();
        f.row(&PostingRow {
            posting_id: "1",
            source: "a.json",
            title: "Nurse, RN",
            role: "Registered Nurse",
            company: "",
            location: "",
            date_posted: "2020-01-01",
            credentials: "rn;bls",
        })
        .unwrap();
        f.commit().unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("postings.csv")).unwrap(),
            "posting_id,source,title,role,company,location,date_posted,credentials\n\
             1,a.json,\"Nurse, RN\",Registered Nurse,,,2020-01-01,rn;bls\n"
        );
    }
}
