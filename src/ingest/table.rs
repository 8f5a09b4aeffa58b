//! CSV and TSV exports, streamed one record at a time.
//!
//! Every export names its columns differently (`title`, `jobtitle`, `Title`;
//! `description`, `FullDescription`, `jobpost`), so the header is mapped to posting fields
//! by the common names, and the mapping chosen is reported so the user can check it and
//! override it with `--title-col`, `--text-col` and the like. Further text-bearing columns
//! (requirements, qualifications, skills, benefits) are appended under headings, so the
//! level classifier knows a credential listed under "requirements" is required.

use std::io::{BufRead, BufReader, Read};

use csv::ByteRecord;

use super::decode_lossless;
use super::json::{
    append_section, key_of, Fields, COMPANY_KEYS, DATE_KEYS, EXTRA_TEXT_KEYS, ID_KEYS,
    LOCATION_KEYS, SALARY_KEYS, TEXT_KEYS, TITLE_KEYS, URL_KEYS,
};
use crate::cli::ColumnArgs;

/// Which columns hold which field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    headers: Vec<String>,
    title: Option<usize>,
    /// Candidates for the main text, in order of preference: the first non-empty one of a
    /// record is used (or, when given by `--text-col`, all of them).
    text: Vec<usize>,
    text_all: bool,
    extras: Vec<(usize, String)>,
    company: Option<usize>,
    location: Option<usize>,
    date: Option<usize>,
    salary: Option<usize>,
    id: Option<usize>,
    url: Option<usize>,
    fraudulent: Option<usize>,
}

impl Mapping {
    /// Maps a header, honouring the user's overrides. Errors name the missing column.
    pub fn new(headers: Vec<String>, cols: &ColumnArgs) -> Result<Mapping, String> {
        let keys: Vec<String> = headers.iter().map(|h| key_of(h)).collect();
        let find_named = |name: &str| -> Result<usize, String> {
            headers
                .iter()
                .position(|h| h == name)
                .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(name)))
                .ok_or_else(|| {
                    format!("no column named {name:?} (columns: {})", headers.join(", "))
                })
        };
        let auto = |cands: &[&str]| cands.iter().find_map(|c| keys.iter().position(|k| k == c));
        let pick = |over: &Option<String>, cands: &[&str]| -> Result<Option<usize>, String> {
            match over {
                Some(name) => find_named(name).map(Some),
                None => Ok(auto(cands)),
            }
        };
        let mut m = Mapping {
            title: pick(&cols.title_col, TITLE_KEYS)?,
            company: pick(&cols.company_col, COMPANY_KEYS)?,
            location: pick(&cols.location_col, LOCATION_KEYS)?,
            date: pick(&cols.date_col, DATE_KEYS)?,
            salary: pick(&cols.salary_col, SALARY_KEYS)?,
            id: pick(&cols.id_col, ID_KEYS)?,
            url: auto(URL_KEYS),
            fraudulent: keys.iter().position(|k| k == "fraudulent"),
            ..Mapping::default()
        };
        if cols.text_col.is_empty() {
            m.text = TEXT_KEYS
                .iter()
                .filter_map(|c| keys.iter().position(|k| k == c))
                .filter(|&i| Some(i) != m.title)
                .collect();
            for (key, heading) in EXTRA_TEXT_KEYS {
                if let Some(i) = keys.iter().position(|k| k == key) {
                    if !m.text.contains(&i) {
                        m.extras.push((i, heading.to_string()));
                    }
                }
            }
        } else {
            m.text = cols
                .text_col
                .iter()
                .map(|c| find_named(c))
                .collect::<Result<_, _>>()?;
            m.text_all = true;
        }
        if m.text.is_empty() {
            return Err(format!(
                "no text column: looked for {} (columns: {}); name one with --text-col",
                TEXT_KEYS.join(", "),
                headers.join(", ")
            ));
        }
        m.headers = headers;
        Ok(m)
    }

    /// The mapping in words, for the terminal and the manifest.
    pub fn describe(&self) -> String {
        let name = |i: Option<usize>| i.map_or("-".to_string(), |i| self.headers[i].clone());
        let joined = |is: &[usize], sep: &str| {
            is.iter()
                .map(|&i| self.headers[i].as_str())
                .collect::<Vec<_>>()
                .join(sep)
        };
        let mut text = joined(&self.text, if self.text_all { "+" } else { "|" });
        if !self.extras.is_empty() {
            let extras: Vec<usize> = self.extras.iter().map(|(i, _)| *i).collect();
            text = format!("{text} (+ {})", joined(&extras, ", "));
        }
        format!(
            "title={}, text={}, company={}, location={}, date={}, salary={}, id={}",
            name(self.title),
            text,
            name(self.company),
            name(self.location),
            name(self.date),
            name(self.salary),
            name(self.id)
        )
    }

    fn fields(&self, record: &ByteRecord) -> Fields {
        let get = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(|b| decode_lossless(b).trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let mut text = String::new();
        if self.text_all {
            for &i in &self.text {
                if let Some(t) = get(Some(i)) {
                    append_section(&mut text, "", &super::json::to_text(&t));
                }
            }
        } else if let Some(t) = self.text.iter().find_map(|&i| get(Some(i))) {
            text = super::json::to_text(&t);
        }
        for (i, heading) in &self.extras {
            if let Some(t) = get(Some(*i)) {
                append_section(&mut text, heading, &super::json::to_text(&t));
            }
        }
        Fields {
            title: get(self.title).map(|t| super::json::unescape(&t)),
            text,
            company: get(self.company),
            location: get(self.location),
            date: get(self.date),
            salary: get(self.salary),
            id: get(self.id).map(|s| s.trim_end_matches(".0").to_string()),
            url: get(self.url),
            fraudulent: matches!(
                get(self.fraudulent).as_deref(),
                Some("1" | "t" | "true" | "True")
            ),
        }
    }
}

/// Picks the delimiter from the first line: the most frequent of `,` tab `;` `|` outside
/// quotes, with the file extension breaking ties.
pub fn sniff_delimiter(first_line: &[u8], tsv: bool) -> u8 {
    let mut counts = [0usize; 4];
    let cands = [b',', b'\t', b';', b'|'];
    let mut quoted = false;
    for &b in first_line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = cands.iter().position(|&c| c == b) {
                counts[i] += 1;
            }
        }
    }
    let default = if tsv { b'\t' } else { b',' };
    let best = (0..4)
        .max_by_key(|&i| (counts[i], cands[i] == default))
        .unwrap();
    if counts[best] == 0 {
        default
    } else {
        cands[best]
    }
}

/// A streaming reader of one table file.
pub struct TableReader {
    rdr: csv::Reader<Box<dyn Read + Send>>,
    pub mapping: Mapping,
    record: ByteRecord,
    /// 1-based number of the last data record read.
    pub number: usize,
    done: bool,
}

/// What one step of a table yields.
pub enum Row {
    Fields(Fields),
    /// The record could not be parsed; the message says why.
    Bad(String),
}

impl TableReader {
    pub fn open(
        reader: Box<dyn Read + Send>,
        tsv: bool,
        cols: &ColumnArgs,
    ) -> Result<TableReader, String> {
        let mut buffered = BufReader::with_capacity(1 << 16, reader);
        let first = buffered.fill_buf().map_err(|e| format!("reading: {e}"))?;
        let line_end = first
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(first.len());
        let delimiter = sniff_delimiter(&first[..line_end], tsv);
        let boxed: Box<dyn Read + Send> = Box::new(buffered);
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(boxed);
        let headers = rdr
            .byte_headers()
            .map_err(|e| format!("reading the header: {e}"))?;
        let headers: Vec<String> = headers
            .iter()
            .map(|h| decode_lossless(h).trim().to_string())
            .collect();
        if headers.iter().all(|h| h.is_empty()) {
            return Err("empty header line".into());
        }
        let mapping = Mapping::new(headers, cols)?;
        Ok(TableReader {
            rdr,
            mapping,
            record: ByteRecord::new(),
            number: 0,
            done: false,
        })
    }
}

impl Iterator for TableReader {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        if self.done {
            return None;
        }
        match self.rdr.read_byte_record(&mut self.record) {
            Ok(true) => {
                self.number += 1;
                Some(Row::Fields(self.mapping.fields(&self.record)))
            }
            Ok(false) => None,
            Err(e) => {
                self.number += 1;
                // An I/O error ends the file; a malformed record does not.
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    self.done = true;
                }
                Some(Row::Bad(e.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(csv: &str, cols: &ColumnArgs) -> (String, Vec<Fields>) {
        let r = TableReader::open(
            Box::new(std::io::Cursor::new(csv.as_bytes().to_vec())),
            false,
            cols,
        )
        .unwrap();
        let desc = r.mapping.describe();
        let rows = r
            .map(|row| match row {
                Row::Fields(f) => f,
                Row::Bad(e) => panic!("{e}"),
            })
            .collect();
        (desc, rows)
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c", false), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc", false), b'\t');
        assert_eq!(sniff_delimiter(b"a;b;\"x,y,z\"", false), b';');
        assert_eq!(sniff_delimiter(b"title", true), b'\t');
    }

    #[test]
    fn maps_common_headers() {
        let csv = "Id,Title,FullDescription,LocationRaw,Company,SalaryRaw\n1,Nurse,RN needed,Leeds,NHS,20k\n";
        let (desc, rows) = read(csv, &ColumnArgs::default());
        assert_eq!(desc, "title=Title, text=FullDescription, company=Company, location=LocationRaw, date=-, salary=SalaryRaw, id=Id");
        assert_eq!(rows[0].title.as_deref(), Some("Nurse"));
        assert_eq!(rows[0].text, "RN needed");
        assert_eq!(rows[0].location.as_deref(), Some("Leeds"));
    }

    #[test]
    fn appends_text_bearing_columns_under_headings() {
        let csv = "job_id,title,description,requirements,benefits,fraudulent\n\
                   9,Accountant,Join us.,CPA required,Pension,0\n";
        let (desc, rows) = read(csv, &ColumnArgs::default());
        assert!(
            desc.contains("text=description (+ requirements, benefits)"),
            "{desc}"
        );
        assert_eq!(
            rows[0].text,
            "Join us.\nRequirements:\nCPA required\nBenefits:\nPension"
        );
        assert!(!rows[0].fraudulent);
    }

    #[test]
    fn falls_back_to_the_next_text_column_per_row() {
        let csv = "jobpost,Title,JobDescription\n\"Whole post, PMP\",PM,\n\"x\",PM2,Short desc\n";
        let (_, rows) = read(csv, &ColumnArgs::default());
        assert_eq!(rows[0].text, "Whole post, PMP");
        assert_eq!(rows[1].text, "Short desc");
    }

    #[test]
    fn overrides_win_and_missing_columns_are_named() {
        let cols = ColumnArgs {
            title_col: Some("role".into()),
            text_col: vec!["a".into(), "b".into()],
            ..ColumnArgs::default()
        };
        let (desc, rows) = read("role,a,b\nNurse,one,two\n", &cols);
        assert!(desc.starts_with("title=role, text=a+b"), "{desc}");
        assert_eq!(rows[0].text, "one\ntwo");
        let err = TableReader::open(
            Box::new(std::io::Cursor::new(b"x,y\n1,2\n".to_vec())),
            false,
            &ColumnArgs::default(),
        )
        .err()
        .unwrap();
        assert!(
            err.contains("no text column") && err.contains("x, y"),
            "{err}"
        );
    }
}
