//! Fetching postings from job boards and web pages (to be built: issue 4).

use clap::Args;

/// Arguments of `credscan fetch`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Sources: greenhouse:BOARD, lever:SITE, ashby:ORG, workable:ACCOUNT, sitemap:URL, or a URL.
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,
}

/// Whether an input names a fetch source rather than a path.
pub fn is_source(s: &str) -> bool {
    let _ = s;
    false
}

/// Counts of a fetch.
pub struct FetchSummary;

impl std::fmt::Display for FetchSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("nothing")
    }
}

/// Fetches sources into a folder.
pub fn fetch_to_dir(
    _sources: &[String],
    _dir: &std::path::Path,
    _out: &mut dyn std::io::Write,
) -> anyhow::Result<FetchSummary> {
    anyhow::bail!("fetching is not built yet")
}

/// Runs `credscan fetch`.
pub fn run(_args: &FetchArgs, _out: &mut dyn std::io::Write) -> anyhow::Result<i32> {
    anyhow::bail!("fetching is not built yet")
}
