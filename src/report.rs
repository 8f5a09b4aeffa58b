//! What the terminal shows after a scan: a summary of what was read, and a table of the
//! top credentials per group. Everything is written to a `Write` passed in, so it can be
//! tested and snapshotted.

use std::io::{self, Write};

use crate::aggregate::{GroupTop, TopRow};
use crate::output::Counts;

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// The summary lines.
pub fn summary<W: Write + ?Sized>(
    w: &mut W,
    counts: &Counts,
    skipped_by_reason: &[(String, u64)],
    files: usize,
    seconds: f64,
) -> io::Result<()> {
    writeln!(
        w,
        "Scanned {} postings from {} files in {:.1} s.",
        thousands(counts.read),
        thousands(files as u64),
        seconds
    )?;
    let mut parts = vec![format!("{} records", thousands(counts.records))];
    parts.push(format!("{} read", thousands(counts.read)));
    parts.push(format!("{} duplicates", thousands(counts.duplicates)));
    let reasons: Vec<String> = skipped_by_reason
        .iter()
        .filter(|(k, _)| k != "ignored")
        .map(|(k, n)| format!("{k} {}", thousands(*n)))
        .collect();
    if reasons.is_empty() {
        parts.push(format!("{} skipped", thousands(counts.skipped)));
    } else {
        parts.push(format!(
            "{} skipped ({})",
            thousands(counts.skipped),
            reasons.join(", ")
        ));
    }
    if counts.ignored > 0 {
        parts.push(format!(
            "{} ignored (not postings)",
            thousands(counts.ignored)
        ));
    }
    writeln!(w, "  {}", parts.join(" | "))?;
    let share = if counts.read > 0 {
        counts.postings_with_credentials as f64 / counts.read as f64
    } else {
        0.0
    };
    writeln!(
        w,
        "  {} mentions in {} postings ({}) | {} credentials seen | {} groups",
        thousands(counts.mentions),
        thousands(counts.postings_with_credentials),
        pct(share),
        thousands(counts.credentials_seen),
        thousands(counts.groups)
    )
}

/// The top table: per group, its most-asked-for credentials with share, 95% interval and
/// the required / preferred / mentioned split.
pub fn top_table<W: Write + ?Sized>(
    w: &mut W,
    heading: &str,
    groups: &[GroupTop],
    max_groups: usize,
) -> io::Result<()> {
    let shown: Vec<&GroupTop> = groups
        .iter()
        .filter(|g| !g.top.is_empty())
        .take(max_groups)
        .collect();
    if shown.is_empty() {
        return writeln!(w, "\nNo credentials found.");
    }
    let width = shown
        .iter()
        .flat_map(|g| g.top.iter().map(|r| r.credential.chars().count()))
        .max()
        .unwrap_or(10)
        .clamp(10, 48);
    writeln!(w, "\nTop credentials by {heading} (share of the group's postings, 95% interval; R/P/M = required/preferred/mentioned):")?;
    for g in shown {
        writeln!(w, "\n{} ({} postings)", g.group, thousands(g.postings))?;
        for (i, r) in g.top.iter().enumerate() {
            row(w, i + 1, r, width)?;
        }
    }
    Ok(())
}

/// The overall table.
pub fn overall_table<W: Write + ?Sized>(w: &mut W, rows: &[TopRow]) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let width = rows
        .iter()
        .map(|r| r.credential.chars().count())
        .max()
        .unwrap_or(10)
        .clamp(10, 48);
    writeln!(w, "\nOverall:")?;
    for (i, r) in rows.iter().enumerate() {
        row(w, i + 1, r, width)?;
    }
    Ok(())
}

fn row<W: Write + ?Sized>(w: &mut W, rank: usize, r: &TopRow, width: usize) -> io::Result<()> {
    let name: String = if r.credential.chars().count() > width {
        r.credential.chars().take(width - 1).chain(['…']).collect()
    } else {
        r.credential.clone()
    };
    writeln!(
        w,
        "  {rank:>2}. {name:<width$} {:>7} {:>6}  [{:>5}-{:>6}]  R {:<5} P {:<5} M {}",
        thousands(r.postings),
        pct(r.share),
        pct(r.share_low).trim_end_matches('%'),
        pct(r.share_high),
        thousands(r.required),
        thousands(r.preferred),
        thousands(r.mentioned),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn renders_the_top_table() {
        let groups = vec![GroupTop {
            group: "Registered Nurse".into(),
            postings: 1200,
            top: vec![TopRow {
                credential: "NMC registration".into(),
                postings: 600,
                share: 0.5,
                share_low: 0.4718,
                share_high: 0.5282,
                required: 550,
                preferred: 10,
                mentioned: 40,
            }],
        }];
        let mut out = Vec::new();
        top_table(&mut out, "role", &groups, 10).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }
}
