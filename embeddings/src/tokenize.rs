//! A BERT-uncased WordPiece tokenizer, the same steps as the `BertNormalizer`,
//! `BertPreTokenizer` and `WordPiece` of Hugging Face `tokenizers`:
//!
//! 1. clean: drop NUL, U+FFFD and control characters (Unicode `Cc`, `Cf`, `Cn`, `Co`,
//!    `Cs`, except tab, newline and carriage return), map whitespace to a space;
//! 2. pad CJK ideographs with spaces (each becomes a word);
//! 3. strip accents (NFD, then drop the non-spacing marks `Mn`; ASCII text skips this)
//!    and lower-case;
//! 4. split on whitespace, and make each punctuation character (ASCII punctuation or a
//!    Unicode `P*` character) a word of its own;
//! 5. WordPiece: greedy longest match from the start of each word, the pieces after the
//!    first prefixed with `##`. A word of more than 100 characters, or one with a part no
//!    token matches, is unknown, and unknown words are dropped (as Model2Vec does).
//!
//! BERT does not split `camelCase` or `snake_case` words' parts apart (`_` is punctuation,
//! so `snake_case` is split); a caller that wants `camelCase` split splits it first.

use unicode_general_category::{get_general_category, GeneralCategory as Cat};
use unicode_normalization::UnicodeNormalization;

/// Words longer than this many characters are unknown (BERT's `max_input_chars_per_word`).
const MAX_WORD_CHARS: usize = 100;

/// The token ids of `text`, in order; `lookup` maps a token (`"run"`, `"##ning"`) to its id.
///
/// ```
/// let vocab = ["un", "##aff", "##able", "!"];
/// let lookup = |t: &str| vocab.iter().position(|v| *v == t).map(|i| i as u32);
/// assert_eq!(toolsmith_embeddings::tokenize("UnAffáble!", lookup), vec![0, 1, 2, 3]);
/// ```
pub fn tokenize(text: &str, mut lookup: impl FnMut(&str) -> Option<u32>) -> Vec<u32> {
    let mut ids = Vec::new();
    let mut piece = String::new();
    for_each_word(&normalize(text), |word| word_pieces(word, &mut lookup, &mut piece, &mut ids));
    ids
}

/// [`tokenize`] with each word's ids remembered in `cache`: a catalog repeats its words,
/// so indexing thousands of texts looks each distinct word up once. Appends to `ids`.
pub(crate) fn tokenize_cached(
    text: &str,
    mut lookup: impl FnMut(&str) -> Option<u32>,
    cache: &mut WordCache,
    ids: &mut Vec<u32>,
) {
    let mut piece = String::new();
    for_each_word(&normalize(text), |word| {
        let (start, len) = match cache.words.get(word) {
            Some(&span) => span,
            None => {
                let start = cache.ids.len();
                word_pieces(word, &mut lookup, &mut piece, &mut cache.ids);
                let span = (start as u32, (cache.ids.len() - start) as u32);
                cache.words.insert(word.into(), span);
                span
            }
        };
        ids.extend_from_slice(&cache.ids[start as usize..(start + len) as usize]);
    });
}

/// The token ids of the words [`tokenize_cached`] has seen.
#[derive(Debug, Default)]
pub(crate) struct WordCache {
    /// Normalised word → its ids' span in `ids`.
    words: rustc_hash::FxHashMap<Box<str>, (u32, u32)>,
    ids: Vec<u32>,
}

/// Step 4: calls `f` with each word of normalised `text`, each punctuation character a
/// word of its own.
fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut start = None;
    for (i, c) in text.char_indices() {
        let punctuation = is_punctuation(c);
        if c.is_whitespace() || punctuation {
            if let Some(s) = start.take() {
                f(&text[s..i]);
            }
            if punctuation {
                f(&text[i..i + c.len_utf8()]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        f(&text[s..]);
    }
}

/// Steps 1–3: clean, pad CJK, strip accents, lower-case.
fn normalize(text: &str) -> String {
    let mut clean = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\0' || c == '\u{FFFD}' || is_control(c) {
            continue;
        }
        if c.is_whitespace() {
            clean.push(' ');
        } else if is_cjk(c) {
            clean.extend([' ', c, ' ']);
        } else {
            clean.push(c);
        }
    }
    if clean.is_ascii() {
        clean.make_ascii_lowercase();
        return clean;
    }
    clean.nfd().filter(|&c| get_general_category(c) != Cat::NonspacingMark).flat_map(char::to_lowercase).collect()
}

/// Step 5 for one word: appends its pieces' ids to `ids`, or nothing if it is unknown.
/// `piece` is a reusable buffer for the `##` pieces.
fn word_pieces(word: &str, lookup: &mut impl FnMut(&str) -> Option<u32>, piece: &mut String, ids: &mut Vec<u32>) {
    if word.chars().nth(MAX_WORD_CHARS).is_some() {
        return;
    }
    let first = ids.len();
    let mut start = 0;
    while start < word.len() {
        let mut end = word.len();
        let found = loop {
            let part = &word[start..end];
            let id = if start == 0 {
                lookup(part)
            } else {
                piece.clear();
                piece.push_str("##");
                piece.push_str(part);
                lookup(piece)
            };
            if id.is_some() {
                break id;
            }
            match part.char_indices().next_back() {
                Some((last, _)) if last > 0 => end = start + last,
                _ => break None,
            }
        };
        let Some(id) = found else {
            ids.truncate(first);
            return;
        };
        ids.push(id);
        start = end;
    }
}

/// BERT's control characters: Unicode "other" categories, except tab, LF and CR. In
/// ASCII those are the `Cc` characters (`0x00..=0x1F`, `0x7F`): no table lookup.
fn is_control(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r');
    }
    matches!(get_general_category(c), Cat::Control | Cat::Format | Cat::Unassigned | Cat::PrivateUse | Cat::Surrogate)
}

/// BERT's punctuation: any ASCII punctuation (`$`, `+`, `^`, … included) or a Unicode
/// `P*` character.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || (!c.is_ascii()
            && matches!(
                get_general_category(c),
                Cat::ConnectorPunctuation
                    | Cat::DashPunctuation
                    | Cat::OpenPunctuation
                    | Cat::ClosePunctuation
                    | Cat::InitialPunctuation
                    | Cat::FinalPunctuation
                    | Cat::OtherPunctuation
            ))
}

/// The CJK Unified Ideographs blocks BERT pads with spaces.
fn is_cjk(c: char) -> bool {
    matches!(
        u32::from(c),
        0x4E00..=0x9FFF
            | 0x3400..=0x4DBF
            | 0x20000..=0x2A6DF
            | 0x2A700..=0x2B73F
            | 0x2B740..=0x2B81F
            | 0x2B820..=0x2CEAF
            | 0xF900..=0xFAFF
            | 0x2F800..=0x2FA1F
    )
}

#[cfg(test)]
mod tests {
    use super::{get_general_category, is_control, tokenize, Cat};

    const VOCAB: &[&str] = &[
        "[UNK]", "the", "quick", "brown", "fox", "run", "##ning", "##s", "un", "##aff", "##able", "!", ",", "-", "$",
        "cafe", "a", "b", "##c", "中", "国", "e", "_", "(", ")", "naive", "hello", "world", "##run",
    ];

    fn ids(text: &str) -> Vec<u32> {
        tokenize(text, |t| VOCAB.iter().position(|v| *v == t).map(|i| i as u32))
    }

    fn words(text: &str) -> Vec<&'static str> {
        ids(text).into_iter().map(|i| VOCAB[i as usize]).collect()
    }

    #[test]
    fn lower_cases_and_splits_on_whitespace() {
        assert_eq!(ids("The  QUICK\tbrown\n fox"), vec![1, 2, 3, 4]);
    }

    #[test]
    fn greedy_longest_match_with_continuations() {
        assert_eq!(words("running runs"), ["run", "##ning", "run", "##s"]);
        assert_eq!(words("unaffable"), ["un", "##aff", "##able"]);
        assert_eq!(words("ac"), ["a", "##c"]);
        assert_eq!(words("runrun"), ["run", "##run"]);
    }

    #[test]
    fn unknown_words_are_dropped_whole() {
        // "ab": "a" matches, "##b" does not: the whole word is unknown, "fox" stays.
        assert_eq!(words("ab fox zzz"), ["fox"]);
        assert!(ids("").is_empty());
        assert!(ids("   \n ").is_empty());
    }

    #[test]
    fn punctuation_is_a_word_of_its_own() {
        assert_eq!(words("hello,world!"), ["hello", ",", "world", "!"]);
        assert_eq!(words("$a-b"), ["$", "a", "-", "b"]);
        assert_eq!(words("snake_case(fox)"), ["_", "(", "fox", ")"]);
        // Unicode punctuation: the em dash and the guillemets are `P*`.
        assert_eq!(words("fox\u{2014}«fox»"), ["fox", "fox"]);
    }

    #[test]
    fn camel_case_is_not_split() {
        // BERT does not split camelCase: the caller splits it first.
        assert_eq!(words("helloWorld"), Vec::<&str>::new());
        assert_eq!(words("hello World"), ["hello", "world"]);
    }

    #[test]
    fn accents_are_stripped() {
        assert_eq!(words("Café NAÏVE"), ["cafe", "naive"]);
        // Already decomposed: e + combining acute.
        assert_eq!(words("cafe\u{301}"), ["cafe"]);
    }

    #[test]
    fn control_characters_are_removed_and_cjk_padded() {
        assert_eq!(words("fo\u{0}x\u{200B} the\u{FFFD}"), ["fox", "the"]);
        assert_eq!(words("中国fox"), ["中", "国", "fox"]);
    }

    #[test]
    fn ascii_control_characters_skip_the_table() {
        for c in (0u8..128).map(char::from) {
            let by_table = !matches!(c, '\t' | '\n' | '\r')
                && matches!(
                    get_general_category(c),
                    Cat::Control | Cat::Format | Cat::Unassigned | Cat::PrivateUse | Cat::Surrogate
                );
            assert_eq!(is_control(c), by_table, "{c:?}");
        }
    }

    #[test]
    fn words_over_100_chars_are_unknown() {
        let a_only = |t: &str| (t == "a" || t == "##a").then_some(7);
        assert_eq!(tokenize(&"A".repeat(100), a_only), vec![7; 100]);
        assert!(tokenize(&"a".repeat(101), a_only).is_empty());
        assert_eq!(tokenize(&format!("{} a", "a".repeat(101)), a_only), vec![7]);
    }

    /// A developer check against Hugging Face `tokenizers` (run by hand): `WORDPIECE_VOCAB`
    /// is a BERT `vocab.txt`, `WORDPIECE_EXPECTED` records of `text \x1f tokens \x1e`,
    /// the tokens space-separated as `BertWordPieceTokenizer(vocab, lowercase=True)`
    /// gives them without special tokens and with `[UNK]` removed.
    #[test]
    #[ignore = "needs WORDPIECE_VOCAB and WORDPIECE_EXPECTED"]
    fn matches_hugging_face_tokenizers() {
        let read = |var: &str| std::fs::read_to_string(std::env::var(var).unwrap()).unwrap();
        let vocab = read("WORDPIECE_VOCAB");
        let tokens: Vec<&str> = vocab.lines().collect();
        let ids: std::collections::HashMap<&str, u32> = (0u32..).zip(&tokens).map(|(i, t)| (*t, i)).collect();
        let expected = read("WORDPIECE_EXPECTED");
        let (mut total, mut misses) = (0, 0);
        for record in expected.split('\x1e').filter(|r| !r.is_empty()) {
            let (text, want) = record.split_once('\x1f').unwrap();
            let got: Vec<&str> =
                tokenize(text, |t| ids.get(t).copied()).into_iter().map(|i| tokens[i as usize]).collect();
            total += 1;
            if got != want.split_whitespace().collect::<Vec<_>>() {
                misses += 1;
                println!("{text:?}\n  got  {got:?}\n  want {want:?}");
            }
        }
        println!("{} of {total} texts tokenized as Hugging Face does", total - misses);
        assert_eq!(misses, 0);
    }
}
