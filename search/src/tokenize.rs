//! Text to search terms: words split at case changes, digits and punctuation
//! (`createIssue`, `GITHUB_CREATE_ISSUE`, `repo-name`), lower-cased, English stop
//! words dropped, and stemmed with the Snowball English stemmer.

use rust_stemmers::{Algorithm, Stemmer};

/// Turns text into search terms. Cheap to share: build one and use it from many threads.
///
/// ```
/// let analyzer = toolsmith_search::Analyzer::new();
/// assert_eq!(analyzer.terms("GITHUB_CREATE_ISSUE"), ["github", "creat", "issu"]);
/// assert_eq!(analyzer.terms("pull requests for the repos"), ["pull", "request", "repo"]);
/// ```
pub struct Analyzer {
    stemmer: Stemmer,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzer(english)")
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new()
    }
}

impl Analyzer {
    /// An English analyzer.
    pub fn new() -> Self {
        Analyzer { stemmer: Stemmer::create(Algorithm::English) }
    }

    /// The stemmed, lower-cased terms of `text`, stop words left out, in order.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(text, |word| {
            if !is_stop_word(word) {
                out.push(self.stem(word));
            }
        });
        out
    }

    /// [`terms`](Self::terms) into `out` (cleared first), each distinct word stemmed once
    /// per `cache`: the steps of a task reuse the stems of the task's words.
    pub(crate) fn terms_cached(&self, text: &str, cache: &mut StemCache, out: &mut Vec<String>) {
        out.clear();
        let StemCache { stems, buffers } = cache;
        for_each_word_in(text, buffers, |word| {
            let stem = match stems.get(word) {
                Some(stem) => stem,
                None => {
                    let stem = (!is_stop_word(word)).then(|| self.stem(word));
                    stems.entry(word.to_owned()).or_insert(stem)
                }
            };
            if let Some(stem) = stem {
                out.push(stem.clone());
            }
        });
    }

    /// The stem of one lower-case word.
    ///
    /// ```
    /// let analyzer = toolsmith_search::Analyzer::new();
    /// assert_eq!(analyzer.stem("messages"), analyzer.stem("message"));
    /// ```
    pub fn stem(&self, word: &str) -> String {
        if word.len() <= 2 || word.bytes().any(|b| b.is_ascii_digit()) {
            return word.to_owned();
        }
        self.stemmer.stem(word).into_owned()
    }
}

/// Calls `f` with each lower-case word of `text`: runs of letters and digits, split
/// where a lower-case letter or digit meets an upper-case one (`getUser` → `get`,
/// `user`), where an acronym meets a word (`HTTPServer` → `http`, `server`) and
/// between letters and digits (`v2` → `v`, `2`). A run of letters split at case
/// changes also gives the whole run, so "GitHub" meets "github".
///
/// ```
/// let mut words = Vec::new();
/// toolsmith_search::for_each_word("GitHub getUser_v2 e-mail", |w| words.push(w.to_owned()));
/// assert_eq!(words, ["git", "hub", "github", "get", "user", "getuser", "v", "2", "e", "mail"]);
/// ```
pub fn for_each_word(text: &str, f: impl FnMut(&str)) {
    for_each_word_in(text, &mut WordBuffers::default(), f);
}

/// The buffers of [`for_each_word_in`], kept between calls by a caller that splits many
/// texts (an index build), so that splitting allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct WordBuffers {
    word: String,
    run: String,
}

/// The words one search has stemmed (`None` for a stop word), and its word buffers, for
/// [`Analyzer::terms_cached`].
#[derive(Debug, Default)]
pub(crate) struct StemCache {
    stems: std::collections::HashMap<String, Option<String>, rustc_hash::FxBuildHasher>,
    buffers: WordBuffers,
}

impl StemCache {
    /// Forgets the words (keeping the memory), for another search.
    pub(crate) fn clear(&mut self) {
        self.stems.clear();
    }
}

/// [`for_each_word`] with the caller's buffers.
pub(crate) fn for_each_word_in(text: &str, buffers: &mut WordBuffers, mut f: impl FnMut(&str)) {
    let WordBuffers { word, run } = buffers;
    word.clear();
    // The whole run of letters between separators ("GitHub" → "github" after "git", "hub").
    run.clear();
    let (mut parts, mut digits) = (0usize, false);
    let end_run =
        |word: &mut String, run: &mut String, parts: &mut usize, digits: &mut bool, f: &mut dyn FnMut(&str)| {
            if !word.is_empty() {
                f(word);
                word.clear();
                *parts += 1;
            }
            if *parts >= 2 && !*digits {
                f(run);
            }
            run.clear();
            (*parts, *digits) = (0, false);
        };
    let mut prev: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_alphanumeric() {
            end_run(word, run, &mut parts, &mut digits, &mut f);
            prev = None;
            continue;
        }
        if let (Some(p), false) = (prev, word.is_empty()) {
            let next_lower = chars.peek().is_some_and(|n| n.is_lowercase());
            let boundary = (c.is_uppercase() && (p.is_lowercase() || p.is_numeric()))
                || (c.is_uppercase() && p.is_uppercase() && next_lower)
                || (c.is_numeric() != p.is_numeric());
            if boundary {
                f(word);
                word.clear();
                parts += 1;
            }
        }
        digits |= c.is_numeric();
        if c.is_ascii() {
            word.push(c.to_ascii_lowercase());
            run.push(c.to_ascii_lowercase());
        } else {
            word.extend(c.to_lowercase());
            run.extend(c.to_lowercase());
        }
        prev = Some(c);
    }
    end_run(word, run, &mut parts, &mut digits, &mut f);
}

/// Whether `word` (lower case) carries no meaning for search: articles, pronouns,
/// auxiliaries and the politeness of a request ("can you please help me …").
///
/// ```
/// assert!(toolsmith_search::is_stop_word("the"));
/// assert!(!toolsmith_search::is_stop_word("issue"));
/// ```
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// Sorted (checked by a test).
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "d",
    "did",
    "do",
    "does",
    "doing",
    "dont",
    "during",
    "each",
    "either",
    "else",
    "etc",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "hello",
    "help",
    "her",
    "here",
    "hers",
    "herself",
    "hey",
    "hi",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "id",
    "if",
    "im",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "ive",
    "just",
    "kindly",
    "know",
    "let",
    "lets",
    "like",
    "ll",
    "m",
    "may",
    "me",
    "might",
    "mine",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "need",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "ok",
    "okay",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "please",
    "re",
    "s",
    "same",
    "shall",
    "she",
    "should",
    "so",
    "some",
    "such",
    "sure",
    "t",
    "tell",
    "than",
    "thank",
    "thanks",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "us",
    "ve",
    "very",
    "via",
    "want",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_and_lower_case() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "STOP_WORDS must be sorted for binary search");
        assert!(STOP_WORDS.iter().all(|w| w.chars().all(|c| c.is_ascii_lowercase())));
    }

    #[test]
    fn splits_slugs_camel_case_and_acronyms() {
        let mut words = Vec::new();
        for_each_word("SLACK_SEND_MESSAGE sendMessageToChannel XMLHttpRequest", |w| words.push(w.to_owned()));
        let expected = [
            "slack",
            "send",
            "message",
            "send",
            "message",
            "to",
            "channel",
            "sendmessagetochannel",
            "xml",
            "http",
            "request",
            "xmlhttprequest",
        ];
        assert_eq!(words, expected);
    }

    #[test]
    fn stems_and_drops_stop_words() {
        let a = Analyzer::new();
        assert_eq!(a.terms("Can you please list the open issues?"), ["list", "open", "issu"]);
        assert_eq!(a.terms("created"), a.terms("creating"));
        assert_eq!(a.terms("ab 42x"), ["ab", "42", "x"]);
    }

    /// The cached analysis gives the terms of the plain one, for a text and its pieces.
    #[test]
    fn cached_terms_are_the_terms() {
        let a = Analyzer::new();
        let mut cache = StemCache::default();
        let mut out = vec!["stale".to_owned()];
        let task = "First list the open issues of the repos, then close the stale issues; finally email Café owners v2";
        for text in [task, "list the open issues of the repos", "then close the stale issues", "", task] {
            a.terms_cached(text, &mut cache, &mut out);
            assert_eq!(out, a.terms(text), "{text}");
        }
        cache.clear();
        a.terms_cached("issues", &mut cache, &mut out);
        assert_eq!(out, ["issu"]);
    }

    #[test]
    fn handles_unicode_and_empty_text() {
        let a = Analyzer::new();
        assert!(a.terms("").is_empty());
        assert_eq!(a.terms("Café Ünïcode"), ["café", "ünïcode"]);
    }
}
