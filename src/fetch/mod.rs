//! Fetching postings from job boards and web pages (to be built: issue 4).

use clap::Args;

/// Arguments of `credscan fetch`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Sources: greenhouse:BOARD, lever:SITE, ashby:ORG, workable:ACCOUNT, sitemap:URL, or a URL.
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,
}
