//! What the user asks `fetch` for: the SOURCE strings, parsed into the three kinds of work.
//!
//! A source names either a job board's public API (`greenhouse:acme`), a sitemap to crawl
//! (`sitemap:https://…`), or one page (`https://…`). Parsing is kept apart from fetching so
//! that `credscan scan` can ask [`is_source`](super::is_source) without any I/O.

use std::fmt;

use anyhow::{bail, Context};
use url::Url;

/// The job-board APIs fetch knows how to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoardKind {
    Greenhouse,
    Lever,
    Ashby,
    Workable,
}

impl BoardKind {
    pub const ALL: [BoardKind; 4] = [
        BoardKind::Greenhouse,
        BoardKind::Lever,
        BoardKind::Ashby,
        BoardKind::Workable,
    ];

    /// The name used in SOURCE strings, `--api-base`, folder names and `identifier.name`.
    pub fn name(self) -> &'static str {
        match self {
            BoardKind::Greenhouse => "greenhouse",
            BoardKind::Lever => "lever",
            BoardKind::Ashby => "ashby",
            BoardKind::Workable => "workable",
        }
    }

    pub fn from_name(name: &str) -> Option<BoardKind> {
        BoardKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The public API's address; `--api-base KIND=URL` replaces it.
    pub fn default_base(self) -> &'static str {
        match self {
            BoardKind::Greenhouse => "https://boards-api.greenhouse.io",
            BoardKind::Lever => "https://api.lever.co",
            BoardKind::Ashby => "https://api.ashbyhq.com",
            BoardKind::Workable => "https://www.workable.com",
        }
    }
}

/// One unit of work asked for on the command line or in `--urls`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// A board on a job-board API: every posting it lists.
    Board { kind: BoardKind, board: String },
    /// A sitemap (or sitemap index): every page it lists that passes `--match`.
    Sitemap(Url),
    /// One web page, saved as served.
    Page(Url),
}

impl Source {
    pub fn parse(text: &str) -> anyhow::Result<Source> {
        let text = text.trim();
        if text.starts_with("http://") || text.starts_with("https://") {
            return Ok(Source::Page(parse_web_url(text)?));
        }
        let Some((prefix, rest)) = text.split_once(':') else {
            bail!("not a source: {text:?} (expected KIND:NAME, sitemap:URL or an http(s) URL)");
        };
        if prefix == "sitemap" {
            return Ok(Source::Sitemap(parse_web_url(rest)?));
        }
        let Some(kind) = BoardKind::from_name(prefix) else {
            bail!("unknown source kind {prefix:?} in {text:?} (expected greenhouse, lever, ashby, workable or sitemap)");
        };
        let board = rest.trim();
        if board.is_empty() {
            bail!("{text:?} names no board");
        }
        Ok(Source::Board {
            kind,
            board: board.to_string(),
        })
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Board { kind, board } => write!(f, "{}:{board}", kind.name()),
            Source::Sitemap(url) => write!(f, "sitemap:{url}"),
            Source::Page(url) => write!(f, "{url}"),
        }
    }
}

fn parse_web_url(text: &str) -> anyhow::Result<Url> {
    let url = Url::parse(text.trim()).with_context(|| format!("not a valid URL: {text:?}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        bail!("not an http(s) URL: {text:?}");
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_kind() {
        let cases: &[(&str, Option<&str>)] = &[
            ("greenhouse:acme", Some("greenhouse:acme")),
            ("lever:acme-eu", Some("lever:acme-eu")),
            ("ashby:Acme", Some("ashby:Acme")),
            ("workable:acme", Some("workable:acme")),
            (
                "sitemap:https://acme.com/sitemap.xml",
                Some("sitemap:https://acme.com/sitemap.xml"),
            ),
            ("https://acme.com/jobs/1", Some("https://acme.com/jobs/1")),
            ("http://acme.com/", Some("http://acme.com/")),
            ("greenhouse:", None),
            ("monster:acme", None),
            ("sitemap:ftp://acme.com/x", None),
            ("sitemap:acme.com", None),
            ("postings/", None),
            ("C:\\postings", None),
            ("https://", None),
        ];
        for (text, want) in cases {
            let got = Source::parse(text).ok().map(|s| s.to_string());
            assert_eq!(got.as_deref(), *want, "{text}");
        }
    }
}
