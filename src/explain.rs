//! `credscan explain FILE`: for one posting, every match with its context, level and the
//! rule that decided it, and every candidate that was rejected and why. This is how a
//! user checks a count they doubt, and how the dictionary gets fixed.

use std::io::Write;

use anyhow::{bail, Result};

use crate::cli::ExplainArgs;
use crate::ingest::{self, ReadOptions};
use crate::posting::Record;
use crate::scan::analyzer;

pub fn run(args: &ExplainArgs, out: &mut dyn Write) -> Result<i32> {
    let analyzer = analyzer(&args.dict)?;
    let (inputs, skips) = ingest::discover(std::slice::from_ref(&args.file));
    if let Some(skip) = skips.first() {
        bail!("{}: {}", skip.source, skip.reason);
    }
    let Some(input) = inputs.into_iter().next() else {
        bail!("{}: not a file", args.file.display());
    };
    let opts = ReadOptions {
        columns: args.columns.clone(),
        keep_fraudulent: true,
    };
    let records: Box<dyn Iterator<Item = Record>> = if input.format.streams() {
        let (note, records) = ingest::read_streamed(&input, &opts);
        if let Some(note) = note {
            writeln!(out, "Columns of {note}")?;
        }
        records
    } else {
        Box::new(ingest::read_whole(&input, &opts).into_iter())
    };
    let mut shown = 0;
    let mut code = 0;
    for (i, record) in records.enumerate() {
        if args.record.is_some_and(|n| n != i + 1) {
            continue;
        }
        shown += 1;
        let posting = match record {
            Ok(p) => p,
            Err(skip) => {
                writeln!(out, "\n{}: skipped: {}", skip.source, skip.reason)?;
                code = 1;
                continue;
            }
        };
        let (a, refused) = analyzer.explain(posting);
        let dict = analyzer.matcher.dictionary();
        writeln!(out, "\n{}", a.posting.source)?;
        writeln!(out, "  title: {}", a.posting.title)?;
        writeln!(
            out,
            "  role:  {} (cleaned title: {})",
            a.role, a.cleaned_title
        )?;
        if a.mentions.is_empty() {
            writeln!(out, "  no credentials found")?;
        }
        for m in &a.mentions {
            let c = &dict.credentials[m.credential];
            writeln!(
                out,
                "  + {} [{}] {:?} at {}: {} ({}){}",
                c.name,
                c.id,
                m.matched_text,
                m.offset,
                m.level,
                m.rule,
                if m.retired { ", retired form" } else { "" }
            )?;
            writeln!(out, "      {}", m.snippet)?;
            if let (true, Some(note)) = (m.retired, &c.note) {
                writeln!(out, "      note: {note}")?;
            }
        }
        // Near misses that were never words of their own ("ea" in "team") are noise here.
        let telling = refused
            .iter()
            .filter(|r| !r.reason.starts_with("inside a longer word"));
        for r in telling {
            let c = &dict.credentials[r.credential];
            writeln!(
                out,
                "  - {} [{}] {:?} at {}: rejected, {}",
                c.name, c.id, r.matched_text, r.offset, r.reason
            )?;
            writeln!(out, "      {}", r.snippet)?;
        }
        if args.record.is_some() {
            break;
        }
    }
    if shown == 0 {
        bail!(
            "{}: no record {}",
            args.file.display(),
            args.record.unwrap_or(1)
        );
    }
    Ok(code)
}
