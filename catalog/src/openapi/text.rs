//! Cleaning descriptions: HTML and markdown noise out, cut to a useful length.
//!
//! API descriptions arrive as HTML (Swagger UI renders it), CommonMark (OpenAPI says
//! so), or both at once. An LLM reading a tool description gains nothing from
//! `<p>`, `**`, link targets or image URLs, and a 4,000-character essay crowds out
//! the tools around it, so [`clean`] keeps the words and drops the markup.

/// The text of a description without HTML tags, markdown link syntax, images or
/// code fences, whitespace collapsed, cut at a sentence boundary to at most
/// `max_chars` characters.
pub(crate) fn clean(text: &str, max_chars: usize) -> String {
    let html = strip_html(text);
    let decoded = decode_entities(&html);
    let joined = join_blocks(&blocks(&decoded));
    cut(&joined, max_chars)
}

/// HTML elements whose tags are removed. Anything else in angle brackets
/// (`<id>`, `<T>`, `a < b`) is text and stays.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "acronym", "b", "big", "cite", "code", "del", "dfn", "em", "font", "i", "img", "input", "ins", "kbd",
    "label", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "tt", "u", "var", "wbr",
];

/// Elements that start a new block: their tags become paragraph breaks.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "title",
    "tr",
    "ul",
];

/// Elements whose content is not text at all.
const HIDDEN_TAGS: &[&str] = &["script", "style", "template"];

/// Removes HTML tags and comments, keeping their text; block tags become blank
/// lines and `<li>` a markdown list item so that [`blocks`] separates them.
fn strip_html(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '<' {
            out.push(c);
            i += 1;
            continue;
        }
        if starts_with(&chars, i, "<!--") {
            match find(&chars, i + 4, "-->") {
                Some(end) => i = end + 3,
                None => i = chars.len(),
            }
            continue;
        }
        let Some(close) = chars[i + 1..].iter().position(|&c| c == '>').map(|p| p + i + 1) else {
            out.push(c);
            i += 1;
            continue;
        };
        let inner: String = chars[i + 1..close].iter().collect();
        if is_autolink(&inner) {
            out.push_str(&inner);
            i = close + 1;
            continue;
        }
        let closing = inner.starts_with('/');
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let rest_ok = inner.trim_start_matches('/')[name.len()..]
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || c == '/' || c == '>');
        if name.is_empty() || !rest_ok {
            out.push(c);
            i += 1;
            continue;
        }
        let name = name.as_str();
        if HIDDEN_TAGS.contains(&name) && !closing {
            let end_tag = format!("</{name}");
            i = match find_ignore_case(&chars, close + 1, &end_tag) {
                Some(end) => chars[end..].iter().position(|&c| c == '>').map_or(chars.len(), |p| end + p + 1),
                None => chars.len(),
            };
            continue;
        }
        if name == "li" {
            out.push_str(if closing { "\n\n" } else { "\n\n- " });
        } else if name == "td" || name == "th" {
            out.push(' ');
        } else if BLOCK_TAGS.contains(&name) {
            out.push_str("\n\n");
        } else if !INLINE_TAGS.contains(&name) {
            // Not HTML we know: keep it as text (`<id>`, `<owner>`).
            out.push(c);
            i += 1;
            continue;
        }
        i = close + 1;
    }
    out
}

fn is_autolink(inner: &str) -> bool {
    !inner.contains(char::is_whitespace)
        && (inner.starts_with("http://") || inner.starts_with("https://") || inner.starts_with("mailto:"))
}

fn starts_with(chars: &[char], at: usize, pattern: &str) -> bool {
    pattern.chars().enumerate().all(|(k, p)| chars.get(at + k) == Some(&p))
}

fn find(chars: &[char], from: usize, pattern: &str) -> Option<usize> {
    (from..chars.len()).find(|&i| starts_with(chars, i, pattern))
}

fn find_ignore_case(chars: &[char], from: usize, pattern: &str) -> Option<usize> {
    let pattern: Vec<char> = pattern.chars().collect();
    (from..chars.len())
        .find(|&i| pattern.iter().enumerate().all(|(k, p)| chars.get(i + k).is_some_and(|c| c.eq_ignore_ascii_case(p))))
}

/// Decodes the HTML entities descriptions use; unknown ones stay as written.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.char_indices().take(12).find(|&(_, c)| c == ';').map(|(i, _)| i);
        let decoded = end.and_then(|end| entity(&rest[1..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse::<u32>().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "times" => '×',
        "bull" => '•',
        "middot" => '·',
        "deg" => '°',
        "euro" => '€',
        _ => return None,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Paragraph,
    Heading,
    Item,
}

/// Splits markdown into blocks (paragraphs, headings, list items), each with its
/// inline markup removed and whitespace collapsed.
fn blocks(text: &str) -> Vec<(Kind, String)> {
    let mut out = Vec::new();
    let mut current: Option<(Kind, Vec<String>)> = None;
    let mut in_fence = false;
    let flush = |current: &mut Option<(Kind, Vec<String>)>, out: &mut Vec<(Kind, String)>| {
        if let Some((kind, lines)) = current.take() {
            let text = collapse(&inline(&lines.join(" ")));
            if !text.is_empty() {
                out.push((kind, text));
            }
        }
    };
    for line in text.lines() {
        let mut t = line.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            flush(&mut current, &mut out);
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            if !t.is_empty() {
                current.get_or_insert((Kind::Paragraph, Vec::new())).1.push(t.to_owned());
            }
            continue;
        }
        while let Some(quoted) = t.strip_prefix('>') {
            t = quoted.trim_start();
        }
        if t.is_empty() || is_rule(t) || is_reference_definition(t) {
            flush(&mut current, &mut out);
            continue;
        }
        let hashes = t.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && t[hashes..].chars().next().is_none_or(char::is_whitespace) {
            flush(&mut current, &mut out);
            let heading = t[hashes..].trim().trim_end_matches('#').trim();
            current = Some((Kind::Heading, vec![heading.to_owned()]));
            flush(&mut current, &mut out);
            continue;
        }
        if let Some(item) = list_item(t) {
            flush(&mut current, &mut out);
            current = Some((Kind::Item, vec![item.to_owned()]));
            continue;
        }
        if t.starts_with('|') {
            flush(&mut current, &mut out);
            let cells: Vec<&str> =
                t.trim_matches('|').split('|').map(str::trim).filter(|cell| !cell.is_empty()).collect();
            current = Some((Kind::Item, vec![cells.join(", ")]));
            flush(&mut current, &mut out);
            continue;
        }
        current.get_or_insert((Kind::Paragraph, Vec::new())).1.push(t.to_owned());
    }
    flush(&mut current, &mut out);
    out
}

/// `---`, `***`, `===` (setext underline) and table separator rows.
fn is_rule(line: &str) -> bool {
    let marks = line.chars().filter(|c| !c.is_whitespace()).count();
    marks >= 3 && line.chars().all(|c| matches!(c, '-' | '*' | '_' | '=' | '|' | ':' | '+') || c.is_whitespace())
}

/// `[id]: https://…`
fn is_reference_definition(line: &str) -> bool {
    line.starts_with('[')
        && line.find("]:").is_some_and(|at| !line[1..at].contains(']') && !line[at + 2..].trim().contains(' '))
}

/// The text of a list item line (`- x`, `* x`, `+ x`, `1. x`, `1) x`), if it is one.
fn list_item(line: &str) -> Option<&str> {
    for marker in ["- ", "* ", "+ ", "• "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return Some(rest.trim_start());
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        let rest = &line[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some(rest.trim_start());
        }
    }
    None
}

/// Removes inline markdown: images, link targets, code backticks, emphasis
/// markers and backslash escapes.
fn inline(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if chars.get(i + 1).is_some_and(char::is_ascii_punctuation) => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '!' if chars.get(i + 1) == Some(&'[') => match link(&chars, i + 1) {
                Some((_, end)) => i = end,
                None => {
                    out.push(c);
                    i += 1;
                }
            },
            '[' => match link(&chars, i) {
                Some((label, end)) => {
                    out.push_str(&inline(&label));
                    i = end;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            },
            '`' => i += 1,
            '*' | '_' | '~' => {
                let run = chars[i..].iter().take_while(|&&r| r == c).count();
                let before = i.checked_sub(1).map(|b| chars[b]);
                let after = chars.get(i + run).copied();
                let word = |x: Option<char>| x.is_some_and(char::is_alphanumeric);
                let space = |x: Option<char>| x.is_none_or(|x| x.is_whitespace());
                // Emphasis markers touch a word on one side only: `a_b` and `5 * 3` stay.
                let inside_word = word(before) && word(after);
                let alone = space(before) && space(after);
                let marker = if c == '~' { run >= 2 } else { !inside_word && !alone };
                if !marker {
                    out.extend(std::iter::repeat_n(c, run));
                }
                i += run;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// A markdown link starting at `chars[at] == '['`: `[label](target)` or
/// `[label][ref]`; returns the label and the index after the link.
fn link(chars: &[char], at: usize) -> Option<(String, usize)> {
    let mut depth = 0usize;
    let mut close = None;
    for (k, &c) in chars.iter().enumerate().skip(at) {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(k);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    let label: String = chars[at + 1..close].iter().collect();
    let (open, end_char) = match chars.get(close + 1) {
        Some('(') => ('(', ')'),
        Some('[') => ('[', ']'),
        _ => return None,
    };
    let mut depth = 0usize;
    for (k, &c) in chars.iter().enumerate().skip(close + 1) {
        if c == open {
            depth += 1;
        } else if c == end_char {
            depth -= 1;
            if depth == 0 {
                return Some((label, k + 1));
            }
        } else if c == '\n' {
            return None;
        }
    }
    None
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Joins blocks into one line: a block that does not end a sentence is followed by
/// `. ` (or `; ` before a list item).
fn join_blocks(blocks: &[(Kind, String)]) -> String {
    let mut out = String::new();
    for (kind, text) in blocks {
        if !out.is_empty() {
            let ended = out.ends_with(['.', '!', '?', ':', ';', ',', '…']);
            out.push_str(if ended {
                " "
            } else if *kind == Kind::Item {
                "; "
            } else {
                ". "
            });
        }
        out.push_str(text);
    }
    out
}

/// Cuts `text` to at most `max` characters: after the last sentence that fits,
/// when that keeps at least a third of the room, else at a word boundary with `…`.
fn cut(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let floor = max / 3;
    for end in (floor.max(1)..max.min(chars.len())).rev() {
        let c = chars[end];
        if matches!(c, '.' | '!' | '?')
            && chars.get(end + 1).is_none_or(|n| n.is_whitespace())
            && !(c == '.' && is_abbreviation(&chars[..end]))
        {
            return chars[..=end].iter().collect();
        }
    }
    let room = max - 1;
    let space = chars[..=room.min(chars.len() - 1)].iter().rposition(|c| c.is_whitespace()).filter(|&s| s >= room / 2);
    let kept: String = chars[..space.unwrap_or(room)].iter().collect();
    let mut kept = kept.trim_end().trim_end_matches([',', ';', ':', '-', '–', '—', '(', '[']).trim_end().to_owned();
    kept.push('…');
    kept
}

/// Whether the word before a period is an abbreviation (`e.g.`, `i.e.`, `vs.`, a
/// single letter) rather than the end of a sentence.
fn is_abbreviation(before: &[char]) -> bool {
    let start = before.iter().rposition(|c| c.is_whitespace()).map_or(0, |p| p + 1);
    let word: String = before[start..].iter().collect::<String>().to_ascii_lowercase();
    let word = word.trim_start_matches(['(', '"', '\'']);
    word.chars().count() <= 1
        || word.contains('.')
        || matches!(word, "vs" | "approx" | "incl" | "etc" | "mr" | "mrs" | "dr" | "no" | "st" | "cf" | "eg" | "ie")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_html_keeping_text() {
        assert_eq!(clean("<p>Returns the <b>pet</b>.</p><p>Needs auth</p>", 200), "Returns the pet. Needs auth");
        assert_eq!(clean("Line one<br>Line two<br/>Line three.", 200), "Line one. Line two. Line three.");
        assert_eq!(clean("Options:<ul><li>red</li><li>blue</li></ul>", 200), "Options: red; blue");
        assert_eq!(clean("a<!-- hidden -->b<script>alert(1)</script>c", 200), "abc");
        assert_eq!(clean("Use <a href=\"https://x.example\">the docs</a>", 200), "Use the docs");
    }

    #[test]
    fn keeps_angle_brackets_that_are_not_html() {
        assert_eq!(clean("GET /users/<id> where a < b and <T>", 200), "GET /users/<id> where a < b and <T>");
        assert_eq!(clean("unclosed <b and more", 200), "unclosed <b and more");
        assert_eq!(clean("See <https://example.com/docs>", 200), "See https://example.com/docs");
    }

    #[test]
    fn decodes_entities() {
        assert_eq!(
            clean("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; f&nbsp;g &#x41;&#66; &bogus; & x", 200),
            "a & b <c> \"d\" 'e' f g AB &bogus; & x"
        );
        // Decoded markup is text, not a tag.
        assert_eq!(clean("&lt;br&gt; stays", 200), "<br> stays");
        assert_eq!(clean("&#0; &#xFFFFFFFF; &#;", 200), "&#0; &#xFFFFFFFF; &#;");
    }

    #[test]
    fn removes_markdown() {
        assert_eq!(
            clean("See [the guide](https://x.example/guide \"t\") and ![logo](https://x.example/l.png) now", 200),
            "See the guide and now"
        );
        assert_eq!(clean("A [ref link][1] here.\n\n[1]: https://x.example", 200), "A ref link here.");
        assert_eq!(
            clean("Use `page_size` and **bold** or _it_ or ~~gone~~ text", 200),
            "Use page_size and bold or it or gone text"
        );
        assert_eq!(clean("# Overview\nThis API manages pets", 200), "Overview. This API manages pets");
        assert_eq!(clean("Intro\n```json\n{\"a\": 1}\n```\nafter", 200), "Intro. {\"a\": 1}. after");
        assert_eq!(clean("> quoted\n> text", 200), "quoted text");
        assert_eq!(clean("| a | b |\n|---|---|\n| 1 | 2 |", 200), "a, b; 1, 2");
        assert_eq!(clean("Items:\n- one\n- two\n1. three", 200), "Items: one; two; three");
    }

    #[test]
    fn keeps_identifiers_and_math() {
        assert_eq!(
            clean("page[size] and snake_case_name and 5 * 3 and 2*3", 200),
            "page[size] and snake_case_name and 5 * 3 and 2*3"
        );
        assert_eq!(clean(r"escaped \_not\_ emphasis \*", 200), "escaped _not_ emphasis *");
    }

    #[test]
    fn collapses_whitespace() {
        assert_eq!(clean("  a\t\tb \n c  ", 200), "a b c");
        assert_eq!(clean("", 200), "");
        assert_eq!(clean("<p></p>  <br>", 200), "");
    }

    #[test]
    fn cuts_at_sentence_end() {
        let text = "Lists the pets of the store. Each pet has a name, a tag and an owner who may adopt it later on.";
        assert_eq!(clean(text, 60), "Lists the pets of the store.");
        // A sentence end too early to keep most of the room: cut at a word.
        let text = "Hi. This sentence is long enough that cutting after the greeting would lose everything useful.";
        let cut = clean(text, 40);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(cut.chars().count() <= 40, "{cut}");
        assert_eq!(cut, "Hi. This sentence is long enough that…");
    }

    #[test]
    fn does_not_cut_at_abbreviations() {
        let text = "Filters results, e.g. by owner or tag, and sorts them by the given field name.";
        let cut = clean(text, 40);
        assert!(!cut.ends_with("e.g."), "{cut}");
        assert!(cut.ends_with('…'), "{cut}");
    }

    #[test]
    fn cuts_long_words() {
        let word = "x".repeat(100);
        let cut = clean(&word, 10);
        assert_eq!(cut.chars().count(), 10);
        assert!(cut.ends_with('…'));
        assert_eq!(clean(&word, 1), "…");
        assert_eq!(clean(&word, 0), "");
        assert_eq!(clean("short", 0), "");
    }

    #[test]
    fn never_exceeds_max() {
        let inputs = [
            "é".repeat(300),
            "word ".repeat(100),
            "<p>a</p>".repeat(100),
            "Sentence one. ".repeat(40),
            "[a](b) ![c](d) `e` **f** ".repeat(30),
        ];
        for input in &inputs {
            for max in [0, 1, 2, 3, 5, 17, 80, 300] {
                let out = clean(input, max);
                assert!(out.chars().count() <= max, "{max}: {out}");
            }
        }
    }

    #[test]
    fn adversarial_inputs() {
        for input in [
            "<",
            ">",
            "<<<>>>",
            "<!--",
            "<script>",
            "</",
            "[",
            "](",
            "[a](",
            "[a][",
            "![",
            "![a](b",
            "`",
            "```",
            "&",
            "&#",
            "&#x;",
            "&#99999999999999999999;",
            "\\",
            "*",
            "_",
            "~~",
            "#",
            "######## x",
            "1.",
            "| |",
            "[]]][[",
            "\u{feff}\u{200b}",
            "<li>",
            "<td>",
        ] {
            let _ = clean(input, 10);
            let _ = clean(input, 0);
        }
    }

    proptest::proptest! {
        #[test]
        fn total_and_bounded(input in "\\PC{0,200}", max in 0usize..120) {
            let out = clean(&input, max);
            proptest::prop_assert!(out.chars().count() <= max);
        }

        #[test]
        fn total_on_markup(input in "[<>/!\\[\\]()`*_~&#;a-z0-9 \n-]{0,120}", max in 0usize..60) {
            let out = clean(&input, max);
            proptest::prop_assert!(out.chars().count() <= max);
        }
    }
}
