//! Sitemaps (sitemaps.org protocol): the page URLs a `<urlset>` lists, or the child sitemaps a
//! `<sitemapindex>` lists, each with its `<lastmod>` so `--since` can skip old pages unread.
//!
//! Parsing is pure and separate from fetching so that odd sitemaps can be tested directly.

use std::io::Read;

use quick_xml::events::Event;
use quick_xml::Reader;

/// What a sitemap document lists.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sitemap {
    /// `true` for a `<sitemapindex>`: its entries are more sitemaps.
    pub is_index: bool,
    pub entries: Vec<Entry>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Entry {
    pub loc: String,
    pub lastmod: Option<String>,
}

/// Reads a sitemap; a gzipped one (`sitemap.xml.gz`, served without Content-Encoding) is
/// inflated first, no further than `max_bytes`, so a bomb stops there.
pub fn parse(body: &[u8], max_bytes: u64) -> Result<Sitemap, String> {
    let inflated;
    let xml = if body.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(body)
            .take(max_bytes + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("bad gzip: {e}"))?;
        if out.len() as u64 > max_bytes {
            return Err(format!("sitemap inflates past {max_bytes} bytes"));
        }
        inflated = out;
        &inflated[..]
    } else {
        body
    };
    let mut reader = Reader::from_reader(xml);
    let mut sitemap = Sitemap::default();
    let mut buf = Vec::new();
    // The element whose text is being collected (`loc` or `lastmod`), and that text.
    let mut field: Option<Vec<u8>> = None;
    let mut text = String::new();
    let (mut loc, mut lastmod) = (None, None);
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"sitemapindex" => sitemap.is_index = true,
                name @ (b"loc" | b"lastmod") => {
                    field = Some(name.to_vec());
                    text.clear();
                }
                _ => {}
            },
            Ok(Event::Text(e)) if field.is_some() => {
                text.push_str(&e.decode().map_err(|e| e.to_string())?);
            }
            Ok(Event::CData(e)) if field.is_some() => {
                text.push_str(&e.decode().map_err(|e| e.to_string())?);
            }
            Ok(Event::GeneralRef(e)) if field.is_some() => {
                // `&amp;` in a URL arrives as its own event since quick-xml 0.38.
                if let Ok(Some(c)) = e.resolve_char_ref() {
                    text.push(c);
                } else {
                    let name = e.decode().map_err(|e| e.to_string())?;
                    let resolved = quick_xml::escape::resolve_predefined_entity(&name);
                    text.push_str(resolved.ok_or_else(|| format!("unknown entity &{name};"))?);
                }
            }
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                b"loc" | b"lastmod" => {
                    let value = text.trim().to_string();
                    if field.as_deref() == Some(&b"loc"[..]) {
                        loc = Some(value);
                    } else {
                        lastmod = Some(value);
                    }
                    field = None;
                }
                b"url" | b"sitemap" => {
                    if let Some(loc) = loc.take().filter(|l| !l.is_empty()) {
                        sitemap.entries.push(Entry {
                            loc,
                            lastmod: lastmod.take(),
                        });
                    }
                    lastmod = None;
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => {
                return Err(format!(
                    "malformed sitemap XML at byte {}: {e}",
                    reader.buffer_position()
                ))
            }
            Ok(_) => {}
        }
        buf.clear();
    }
    Ok(sitemap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_urlset_with_entities_and_lastmod() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://acme.com/jobs/1?a=1&amp;b=2</loc><lastmod>2024-01-02</lastmod></url>
  <url><loc> https://acme.com/jobs/2 </loc></url>
  <url><loc><![CDATA[https://acme.com/jobs/3]]></loc></url>
  <url><lastmod>2024-01-02</lastmod></url>
</urlset>"#;
        let sitemap = parse(xml, 1 << 20).unwrap();
        assert!(!sitemap.is_index);
        let locs: Vec<_> = sitemap.entries.iter().map(|e| e.loc.as_str()).collect();
        assert_eq!(
            locs,
            [
                "https://acme.com/jobs/1?a=1&b=2",
                "https://acme.com/jobs/2",
                "https://acme.com/jobs/3"
            ]
        );
        assert_eq!(sitemap.entries[0].lastmod.as_deref(), Some("2024-01-02"));
        assert_eq!(sitemap.entries[1].lastmod, None);
    }

    #[test]
    fn reads_an_index_and_gzip() {
        let xml = br#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://acme.com/s1.xml</loc></sitemap>
  <sitemap><loc>https://acme.com/s2.xml.gz</loc></sitemap>
</sitemapindex>"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, xml).unwrap();
        let gz = gz.finish().unwrap();
        let sitemap = parse(&gz, 1 << 20).unwrap();
        assert!(sitemap.is_index);
        assert_eq!(sitemap.entries.len(), 2);
        assert!(parse(&gz, 10).is_err(), "inflating past the cap must fail");
    }

    #[test]
    fn malformed_xml_is_an_error() {
        assert!(parse(b"<urlset><url><loc>x</url></urlset>", 1 << 20).is_err());
    }
}
