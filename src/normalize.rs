//! Text normalisation before matching, with a map back to the original.
//!
//! Postings write the same credential many ways: "PMP®", "Security‑+" with a non-breaking
//! hyphen, curly quotes, doubled spaces. Matching runs on a normalised copy (Unicode NFKC,
//! dashes and quotes folded, non-breaking and other spaces made plain, `®`/`™`/`℠` dropped,
//! whitespace runs collapsed to one space), and every byte of that copy remembers where it
//! came from, so a match can be shown in the words the posting used.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

/// A normalised copy of some text and the way back to the original.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub text: String,
    /// `origin[i]` is the byte offset in the original of normalised byte `i`; one extra entry
    /// at the end holds the original's length.
    origin: Vec<u32>,
    /// Offsets in `text` of the spaces that stand for a line break in the original, in order.
    /// Matching ignores them (an alias may wrap onto the next line); sections need them.
    pub breaks: Vec<u32>,
}

impl Normalized {
    /// The normalised byte ranges of the original's lines.
    pub fn lines(&self) -> Vec<Range<usize>> {
        let mut out = Vec::with_capacity(self.breaks.len() + 1);
        let mut start = 0;
        for &b in &self.breaks {
            out.push(start..b as usize);
            start = b as usize + 1;
        }
        out.push(start..self.text.len());
        out
    }

    /// The byte range of `original` (the text this was made from) that normalised bytes
    /// `range` came from: from the first source character to the end of the last one, so
    /// dropped characters after the match ("PMP®") are not included.
    pub fn original_range(&self, original: &str, range: Range<usize>) -> Range<usize> {
        let start = self.origin[range.start] as usize;
        if range.end <= range.start {
            return start..start;
        }
        let last = self.origin[range.end - 1] as usize;
        let width = original[last..].chars().next().map_or(0, char::len_utf8);
        start..(last + width).max(start)
    }

    /// The normalised byte offset at or after original byte offset `original`.
    pub fn normalized_offset(&self, original: usize) -> usize {
        self.origin
            .partition_point(|&o| (o as usize) < original)
            .min(self.text.len())
    }
}

/// How one character is folded before NFKC, or `None` when NFKC alone decides.
fn fold(c: char) -> Option<Fold> {
    Some(match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => {
            Fold::Char('-')
        }
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{0060}'
        | '\u{00B4}' => Fold::Char('\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => Fold::Char('"'),
        '\u{00AE}' | '\u{2122}' | '\u{2120}' | '\u{00A9}' => Fold::Drop,
        // Zero-width characters split words invisibly: drop them.
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => Fold::Drop,
        c if c.is_whitespace() => Fold::Space,
        _ => return None,
    })
}

enum Fold {
    Char(char),
    Space,
    Drop,
}

/// Accumulates normalised text, holding back a space until a non-space follows so that
/// whitespace runs collapse and trailing whitespace disappears.
struct Builder {
    text: String,
    origin: Vec<u32>,
    pending_space: Option<usize>,
    pending_break: bool,
    breaks: Vec<u32>,
}

impl Builder {
    fn space(&mut self, at: usize, c: char) {
        self.pending_space.get_or_insert(at);
        if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{0085}') {
            self.pending_break = true;
        }
    }

    fn push(&mut self, c: char, at: usize) {
        if let Some(space_at) = self.pending_space.take() {
            if !self.text.is_empty() {
                if std::mem::take(&mut self.pending_break) {
                    self.breaks.push(self.text.len() as u32);
                }
                self.text.push(' ');
                self.origin.push(space_at as u32);
            }
            self.pending_break = false;
        }
        let before = self.text.len();
        self.text.push(c);
        let width = self.text.len() - before;
        self.origin.extend(std::iter::repeat_n(at as u32, width));
    }

    fn apply(&mut self, fold: Option<Fold>, c: char, at: usize) {
        match fold {
            Some(Fold::Space) => self.space(at, c),
            Some(Fold::Drop) => {}
            Some(Fold::Char(out)) => self.push(out, at),
            None => self.push(c, at),
        }
    }
}

/// Normalises `original` for matching. Leading and trailing whitespace is dropped.
pub fn normalize(original: &str) -> Normalized {
    let mut b = Builder {
        text: String::with_capacity(original.len()),
        origin: Vec::with_capacity(original.len() + 1),
        pending_space: None,
        pending_break: false,
        breaks: Vec::new(),
    };
    for (at, c) in original.char_indices() {
        if c.is_ascii() {
            // The fast path: ASCII is already NFKC; only whitespace and the backtick fold.
            let folded = if c.is_ascii_whitespace() || c == '`' {
                fold(c)
            } else {
                None
            };
            b.apply(folded, c, at);
        } else if let Some(folded) = fold(c) {
            b.apply(Some(folded), c, at);
        } else {
            for out in std::iter::once(c).nfkc() {
                b.apply(fold(out), out, at);
            }
        }
    }
    let mut origin = b.origin;
    origin.push(original.len() as u32);
    Normalized {
        text: b.text,
        origin,
        breaks: b.breaks,
    }
}

/// Normalises a short phrase (an alias, a context word) the same way as posting text.
pub fn normalize_phrase(phrase: &str) -> String {
    normalize(phrase).text
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[(&str, &str)] = &[
        ("PMP®", "PMP"),
        ("Security\u{2011}+", "Security-+"),
        ("CompTIA\u{00A0}Security+", "CompTIA Security+"),
        ("  lots   of\n\n space\t", "lots of space"),
        ("\u{201C}quoted\u{201D} \u{2018}x\u{2019}", "\"quoted\" 'x'"),
        ("ＡＷＳ Certified", "AWS Certified"),
        ("Microsoft™ Azure", "Microsoft Azure"),
        ("AZ\u{2013}104", "AZ-104"),
        ("Band\u{00A0}5", "Band 5"),
        ("ﬁrst aid", "first aid"),
        ("zero\u{200B}width", "zerowidth"),
    ];

    #[test]
    fn normalises() {
        for (input, want) in CASES {
            assert_eq!(normalize(input).text, *want, "input {input:?}");
        }
    }

    #[test]
    fn maps_back_to_original() {
        let original = "Hold a\u{00A0}PMP® and “CSM”";
        let n = normalize(original);
        let at = n.text.find("PMP").unwrap();
        let r = n.original_range(original, at..at + 3);
        assert_eq!(&original[r], "PMP");
        let at = n.text.find("\"CSM\"").unwrap();
        let r = n.original_range(original, at..at + 5);
        assert_eq!(&original[r], "“CSM”");
        assert_eq!(
            n.normalized_offset(n.original_range(original, at..at + 1).start),
            at
        );
    }

    #[test]
    fn remembers_line_breaks() {
        let n = normalize("Requirements:\r\n\n  PMP  required\nPreferred: CSM ");
        assert_eq!(n.text, "Requirements: PMP required Preferred: CSM");
        let lines: Vec<&str> = n.lines().into_iter().map(|r| &n.text[r]).collect();
        assert_eq!(lines, ["Requirements:", "PMP required", "Preferred: CSM"]);
    }

    #[test]
    fn ranges_cover_expanded_characters() {
        let original = "ＡＷＳ";
        let n = normalize(original);
        assert_eq!(n.text, "AWS");
        assert_eq!(n.original_range(original, 0..3), 0..original.len());
        assert_eq!(n.original_range(original, 1..2), 3..6);
    }
}
