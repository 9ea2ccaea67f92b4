//! Names: tool slugs, property names, tool names.
//!
//! Every name is derived from the document alone, so importing the same document
//! twice gives the same names; where a name must change (too long, taken) it gets a
//! short hash of the original, not a counter that depends on operation order.

use std::collections::HashSet;

use crate::ToolSlug;

/// The longest tool slug: the tool-name limit of OpenAI, Anthropic, Gemini and MCP.
const MAX_SLUG: usize = 64;

/// The longest property name (`^[A-Za-z_][A-Za-z0-9_]{0,63}$`).
const MAX_PROPERTY: usize = 64;

/// The longest tool name.
const MAX_TOOL_NAME: usize = 80;

/// Hands out tool slugs: `PREFIX_OPERATION_ID` in upper snake case, at most 64
/// characters, unique, and stable (the same document gives the same slugs).
#[derive(Debug)]
pub(crate) struct SlugAllocator {
    prefix: String,
    taken: HashSet<String>,
}

impl SlugAllocator {
    /// An allocator for a toolkit prefix (`GITHUB_`).
    ///
    /// A toolkit's own prefix (`API_1FORGE_COM_`) is kept as it is: tool slugs must
    /// start with it. Anything else is put in upper snake case.
    pub(crate) fn new(prefix: &str) -> Self {
        let verbatim = prefix.ends_with('_')
            && prefix.starts_with(|c: char| c.is_ascii_uppercase())
            && prefix.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        let prefix = if verbatim {
            prefix.to_owned()
        } else {
            let words = words(prefix);
            if words.is_empty() {
                String::new()
            } else {
                format!("{}_", upper(&words).join("_"))
            }
        };
        SlugAllocator { prefix, taken: HashSet::new() }
    }

    /// The slug of an operation, from its operationId or else its method and path.
    ///
    /// `getPetById` → `PREFIX_GET_PET_BY_ID`, `repos/create-fork` →
    /// `PREFIX_REPOS_CREATE_FORK`, no operationId and `GET /pets/{id}/toys` →
    /// `PREFIX_GET_PETS_ID_TOYS`. A slug longer than 64 characters, or one already
    /// handed out, is cut at a word and ends in `_` + 6 hex digits of a hash of the
    /// operationId (or method and path).
    pub(crate) fn tool_slug(&mut self, operation_id: Option<&str>, method: &str, path: &str) -> ToolSlug {
        let method = method.trim();
        let route = format!("{} {}", method.to_ascii_uppercase(), path.trim());
        let id = operation_id.map(str::trim).filter(|id| !id.is_empty());
        let mut parts = id.map(words).unwrap_or_default();
        if parts.is_empty() {
            parts = words(&route);
        }
        if parts.is_empty() {
            parts = vec!["OPERATION".to_owned()];
        }
        let mut parts = upper(&parts);
        // `github_repos_get` in toolkit `github`: not `GITHUB_GITHUB_REPOS_GET`.
        let prefix_words: Vec<&str> = self.prefix.split('_').filter(|w| !w.is_empty()).collect();
        if !prefix_words.is_empty()
            && parts.len() > prefix_words.len()
            && parts.iter().zip(&prefix_words).all(|(a, b)| a == b)
        {
            parts.drain(..prefix_words.len());
        }
        let original = id.map_or_else(|| route.clone(), str::to_owned);
        let full = self.assemble(&parts);
        if full.len() <= MAX_SLUG && self.taken.insert(full.clone()) {
            return ToolSlug::new(full);
        }
        let base = self.shortened(&parts, MAX_SLUG - 7);
        for attempt in 0u32.. {
            let key = match attempt {
                0 => original.clone(),
                1 => format!("{original}\0{route}"),
                n => format!("{original}\0{route}\0{n}"),
            };
            let candidate = format!("{base}_{:06X}", fnv1a(&key) & 0xFF_FFFF);
            if self.taken.insert(candidate.clone()) {
                return ToolSlug::new(candidate);
            }
        }
        unreachable!("the loop above returns")
    }

    fn assemble(&self, parts: &[String]) -> String {
        let mut slug = format!("{}{}", self.prefix, parts.join("_"));
        if !slug.starts_with(|c: char| c.is_ascii_uppercase()) {
            slug.insert_str(0, "OP_");
        }
        if !slug.contains('_') {
            slug.push_str("_OP");
        }
        slug
    }

    /// The slug of `parts` in at most `limit` characters, cut at word boundaries:
    /// the prefix and the first words fill half the room, the last words the rest
    /// (`getThisVeryLongThing` keeps its verb, `groups.calendar.events.cancel` its
    /// action), the middle goes.
    fn shortened(&self, parts: &[String], limit: usize) -> String {
        let full = self.assemble(parts);
        if full.len() <= limit {
            return full;
        }
        let words: Vec<&str> = full.split('_').collect();
        let prefix = self.prefix.len().min(limit);
        let front_room = prefix + (limit - prefix) / 2;
        let mut used = 0;
        let mut front: Vec<&str> = Vec::new();
        for word in &words {
            let extra = word.len() + usize::from(!front.is_empty());
            if used + extra > front_room {
                break;
            }
            used += extra;
            front.push(word);
        }
        if front.is_empty() {
            // One enormous first word: cut it.
            return words[0][..limit.min(words[0].len())].to_owned();
        }
        let mut back: Vec<&str> = Vec::new();
        for word in words[front.len()..].iter().rev() {
            if used + word.len() + 1 > limit {
                break;
            }
            used += word.len() + 1;
            back.push(word);
        }
        front.extend(back.iter().rev());
        front.join("_")
    }
}

/// 64-bit FNV-1a: small, stable across platforms and Rust versions.
pub(crate) fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// Splits a name into ASCII words: at anything not a letter or digit, and at
/// camelCase boundaries (`getHTTPServerURLs` → get, HTTP, Server, URLs;
/// `getV2Users` → get, V2, Users). Accented Latin letters are transliterated,
/// other non-ASCII characters separate words.
pub(crate) fn words(name: &str) -> Vec<String> {
    let folded = fold(name);
    let chars: Vec<char> = folded.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !current.is_empty() && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next = chars.get(i + 1).copied();
            let after = chars.get(i + 2).copied();
            // `URLs`, `IDs`: a plural acronym, not `UR` + `Ls`.
            let plural = next == Some('s') && !after.is_some_and(|a| a.is_ascii_lowercase());
            let boundary = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()) && !plural);
            if boundary {
                out.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn upper(words: &[String]) -> Vec<String> {
    words.iter().map(|w| w.to_ascii_uppercase()).collect()
}

/// `name` with accented Latin letters replaced by ASCII (`Größe` → `Grosse`,
/// `Élément` → `Element`), other characters unchanged.
pub(crate) fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match fold_char(c) {
            Some(ascii) => out.push_str(ascii),
            None => out.push(c),
        }
    }
    out
}

fn fold_char(c: char) -> Option<&'static str> {
    if c.is_ascii() {
        return None;
    }
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'æ' => "ae",
        'Æ' => "AE",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "C",
        'ď' | 'đ' | 'ð' => "d",
        'Ď' | 'Đ' | 'Ð' => "D",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => "E",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "G",
        'ĥ' | 'ħ' => "h",
        'Ĥ' | 'Ħ' => "H",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => "I",
        'ĵ' => "j",
        'Ĵ' => "J",
        'ķ' => "k",
        'Ķ' => "K",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "L",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ŏ' | 'Ő' => "O",
        'œ' => "oe",
        'Œ' => "OE",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'Ŕ' | 'Ŗ' | 'Ř' => "R",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'Ś' | 'Ŝ' | 'Ş' | 'Š' | 'Ș' => "S",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'Ţ' | 'Ť' | 'Ŧ' | 'Ț' => "T",
        'þ' => "th",
        'Þ' => "TH",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ŵ' => "w",
        'Ŵ' => "W",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'Ý' | 'Ÿ' | 'Ŷ' => "Y",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        _ => return None,
    })
}

/// Symbols spelled out when a name has no letter at all (GitHub's reactions `+1`
/// and `-1`, comparison operators).
const SYMBOLS: &[(char, &str)] = &[
    ('+', "plus"),
    ('-', "minus"),
    ('=', "eq"),
    ('!', "not"),
    ('<', "lt"),
    ('>', "gt"),
    ('~', "tilde"),
    ('*', "star"),
    ('/', "slash"),
    ('.', "dot"),
    ('@', "at"),
    ('#', "hash"),
    ('$', "dollar"),
    ('%', "percent"),
    ('&', "and"),
    ('|', "or"),
    ('^', "caret"),
    ('?', "question"),
    (':', "colon"),
];

/// A name that every LLM provider accepts for a property or a template field
/// (`^[A-Za-z_][A-Za-z0-9_]{0,63}$`), as close to `api_name` as possible:
/// `page[size]` → `page_size`, `X-Request-Id` → `X_Request_Id`, `$top` → `top`,
/// `user.name` → `user_name`, `_id` → `_id`, `+1` → `plus_1`.
pub(crate) fn identifier(api_name: &str, fallback: &str) -> String {
    let folded = fold(api_name);
    let spell = !folded.chars().any(|c| c.is_ascii_alphabetic());
    let mut out = String::new();
    let mut gap = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            if gap && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            gap = false;
            out.push(c);
        } else if let Some((_, word)) = SYMBOLS.iter().find(|(s, _)| spell && *s == c) {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push_str(word);
            gap = true;
        } else {
            gap = true;
        }
    }
    if out.is_empty() || out.chars().all(|c| c == '_') {
        out = fallback.to_owned();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    truncate_identifier(&out, MAX_PROPERTY)
}

/// Cuts an identifier (ASCII) to `max` characters, not ending in `_` unless it is
/// all underscores.
fn truncate_identifier(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let cut = &name[..max];
    let trimmed = cut.trim_end_matches('_');
    if trimmed.is_empty() {
        cut.to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Hands out property names that every LLM provider accepts
/// (`^[A-Za-z_][A-Za-z0-9_]{0,63}$`), unique within one tool.
#[derive(Debug, Default)]
pub(crate) struct PropertyNames {
    taken: HashSet<String>,
}

impl PropertyNames {
    /// The property name for an API name (a parameter or body field): see
    /// [`identifier`]; a name already handed out gets `_2`, `_3`, … .
    pub(crate) fn claim(&mut self, api_name: &str) -> String {
        let name = identifier(api_name, "value");
        if self.taken.insert(name.clone()) {
            return name;
        }
        for n in 2u64.. {
            let suffix = format!("_{n}");
            let candidate = format!("{}{suffix}", truncate_identifier(&name, MAX_PROPERTY - suffix.len()));
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!("the loop above returns")
    }
}

/// A human name for an operation: its summary (cleaned, no trailing period, at most
/// 80 characters), else a sentence from method and path (`GET /pets/{id}` → "Get
/// pets by id").
pub(crate) fn tool_name(summary: Option<&str>, method: &str, path: &str) -> String {
    if let Some(summary) = summary {
        let cleaned = super::text::clean(summary, MAX_TOOL_NAME);
        let cleaned = cleaned.trim_end_matches('.').trim_end();
        if !cleaned.is_empty() {
            return cleaned.to_owned();
        }
    }
    let method = method.trim().to_ascii_lowercase();
    let verb = match method.as_str() {
        "" => "Call".to_owned(),
        m => {
            let mut chars = m.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        }
    };
    let mut sentence = verb;
    let mut previous_was_param = false;
    let mut any = false;
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let param = segment.starts_with('{') && segment.ends_with('}');
        let segment_words: Vec<String> = words(segment).iter().map(|w| lower_unless_acronym(w)).collect();
        if segment_words.is_empty() {
            continue;
        }
        if param {
            sentence.push_str(if previous_was_param { " and " } else { " by " });
        } else {
            sentence.push(' ');
        }
        sentence.push_str(&segment_words.join(" "));
        previous_was_param = param;
        any = true;
    }
    if !any {
        sentence.push_str(" root");
    }
    super::text::clean(&sentence, MAX_TOOL_NAME)
}

fn lower_unless_acronym(word: &str) -> String {
    if word.len() > 1 && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        word.to_owned()
    } else {
        word.to_ascii_lowercase()
    }
}

/// A label for a name (`api_key` → "API key", `ApiKeyAuth` → "API key auth",
/// `region` → "Region").
pub(crate) fn title(name: &str) -> String {
    const ACRONYMS: &[&str] = &["api", "id", "url", "uri", "http", "https", "jwt", "ip", "sso", "oauth", "oidc"];
    let parts = words(name);
    let mut out = Vec::with_capacity(parts.len());
    for (i, word) in parts.iter().enumerate() {
        let lower = word.to_ascii_lowercase();
        let word = if ACRONYMS.contains(&lower.as_str()) {
            if lower == "oauth" {
                "OAuth".to_owned()
            } else {
                lower.to_ascii_uppercase()
            }
        } else if i == 0 {
            let mut chars = lower.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        } else {
            lower_unless_acronym(word)
        };
        out.push(word);
    }
    let title = out.join(" ");
    if title.is_empty() {
        name.trim().chars().take(MAX_TOOL_NAME).collect()
    } else {
        title
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_slug(slug: &str) -> bool {
        let bytes = slug.as_bytes();
        slug.len() <= MAX_SLUG
            && bytes.first().is_some_and(u8::is_ascii_uppercase)
            && slug.split('_').count() >= 2
            && slug.split('_').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
    }

    fn is_property(name: &str) -> bool {
        let mut chars = name.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name.len() <= MAX_PROPERTY
    }

    #[test]
    fn slugs_from_operation_ids() {
        let mut slugs = SlugAllocator::new("PETS_");
        let mut slug = |id: &str| slugs.tool_slug(Some(id), "get", "/x").as_str().to_owned();
        assert_eq!(slug("getPetById"), "PETS_GET_PET_BY_ID");
        assert_eq!(slug("repos/create-fork"), "PETS_REPOS_CREATE_FORK");
        assert_eq!(slug("listAPIKeys"), "PETS_LIST_API_KEYS");
        assert_eq!(slug("getURLs"), "PETS_GET_URLS");
        assert_eq!(slug("getV2Users"), "PETS_GET_V2_USERS");
        assert_eq!(slug("HTMLParser"), "PETS_HTML_PARSER");
        assert_eq!(slug("créerÉlément"), "PETS_CREER_ELEMENT");
        assert_eq!(slug("Pets.List"), "PETS_LIST");
        assert_eq!(slug("  __--  "), "PETS_GET_X");
    }

    #[test]
    fn slugs_from_method_and_path() {
        let mut slugs = SlugAllocator::new("PETS_");
        assert_eq!(slugs.tool_slug(None, "get", "/pets/{id}/toys").as_str(), "PETS_GET_PETS_ID_TOYS");
        assert_eq!(slugs.tool_slug(Some(""), "delete", "/pets/{petId}").as_str(), "PETS_DELETE_PETS_PET_ID");
        assert_eq!(slugs.tool_slug(None, "get", "/").as_str(), "PETS_GET");
        assert_eq!(slugs.tool_slug(Some("日本語"), "post", "/").as_str(), "PETS_POST");
    }

    #[test]
    fn long_slugs_are_cut_at_a_word_with_a_stable_hash() {
        let id = "getTheVeryLongOperationNameThatGoesOnAndOnForeverAndEverUntilItIsTooLong";
        let a = SlugAllocator::new("GITHUB_").tool_slug(Some(id), "get", "/a").as_str().to_owned();
        let b = SlugAllocator::new("GITHUB_").tool_slug(Some(id), "get", "/b").as_str().to_owned();
        assert_eq!(a, b, "depends on the operationId only");
        assert!(is_slug(&a), "{a}");
        let cut = "GITHUB_GET_THE_VERY_LONG_AND_EVER_UNTIL_IT_IS_TOO_LONG_";
        assert_eq!(a, format!("{cut}{:06X}", fnv1a(id) & 0xFF_FFFF));
        let id = "bookingBusinesses.bookingBusiness.calendarView.bookingAppointment.cancel";
        let slug = SlugAllocator::new("MICROSOFT_GRAPH_").tool_slug(Some(id), "post", "/").as_str().to_owned();
        assert!(slug.starts_with("MICROSOFT_GRAPH_BOOKING_BUSINESSES_"), "{slug}");
        assert_eq!(
            slug,
            format!("MICROSOFT_GRAPH_BOOKING_BUSINESSES_APPOINTMENT_CANCEL_{:06X}", fnv1a(id) & 0xFF_FFFF)
        );
        assert!(is_slug(&slug), "{slug}");
        let huge = "x".repeat(500);
        let slug = SlugAllocator::new("GITHUB_").tool_slug(Some(&huge), "get", "/").as_str().to_owned();
        assert!(is_slug(&slug), "{slug}");
    }

    #[test]
    fn colliding_slugs_get_a_hash() {
        let mut slugs = SlugAllocator::new("PETS_");
        let first = slugs.tool_slug(Some("getPet"), "get", "/pets/{id}").as_str().to_owned();
        let second = slugs.tool_slug(Some("get_pet"), "get", "/pets2/{id}").as_str().to_owned();
        let third = slugs.tool_slug(Some("get_pet"), "get", "/pets3/{id}").as_str().to_owned();
        let fourth = slugs.tool_slug(Some("get_pet"), "get", "/pets3/{id}").as_str().to_owned();
        assert_eq!(first, "PETS_GET_PET");
        assert_eq!(second, format!("PETS_GET_PET_{:06X}", fnv1a("get_pet") & 0xFF_FFFF));
        for slug in [&second, &third, &fourth] {
            assert!(is_slug(slug), "{slug}");
        }
        let all: HashSet<_> = [&first, &second, &third, &fourth].into_iter().collect();
        assert_eq!(all.len(), 4);
    }

    #[test]
    fn prefix_is_not_repeated() {
        let mut slugs = SlugAllocator::new("GITHUB_");
        assert_eq!(slugs.tool_slug(Some("github_repos_get"), "get", "/").as_str(), "GITHUB_REPOS_GET");
        assert_eq!(slugs.tool_slug(Some("github"), "get", "/").as_str(), "GITHUB_GITHUB");
    }

    #[test]
    fn a_toolkit_prefix_is_kept_as_given() {
        // `words` would split `1FORGE` into `1` and `FORGE`.
        let mut slugs = SlugAllocator::new("API_1FORGE_COM_");
        assert_eq!(slugs.tool_slug(Some("getQuotes"), "get", "/quotes").as_str(), "API_1FORGE_COM_GET_QUOTES");
        let mut slugs = SlugAllocator::new("V2EX_");
        assert_eq!(slugs.tool_slug(None, "get", "/nodes").as_str(), "V2EX_GET_NODES");
    }

    #[test]
    fn odd_prefixes_still_give_valid_slugs() {
        for prefix in ["", "_", "my__kit_", "9lives_", "é"] {
            let mut slugs = SlugAllocator::new(prefix);
            for id in ["x", "9", "getPet", ""] {
                let slug = slugs.tool_slug(Some(id), "get", "/1").as_str().to_owned();
                assert!(is_slug(&slug), "{prefix:?} {id:?} → {slug}");
            }
        }
    }

    #[test]
    fn property_names() {
        let mut names = PropertyNames::default();
        assert_eq!(names.claim("page[size]"), "page_size");
        assert_eq!(names.claim("X-Request-Id"), "X_Request_Id");
        assert_eq!(names.claim("$top"), "top");
        assert_eq!(names.claim("user.name"), "user_name");
        assert_eq!(names.claim("_id"), "_id");
        assert_eq!(names.claim("+1"), "plus_1");
        assert_eq!(names.claim("-1"), "minus_1");
        assert_eq!(names.claim("2fa"), "_2fa");
        assert_eq!(names.claim("größe"), "grosse");
        assert_eq!(names.claim(""), "value");
        assert_eq!(names.claim("page_size"), "page_size_2");
        assert_eq!(names.claim("page-size"), "page_size_3");
        assert_eq!(names.claim("filter[created][gte]"), "filter_created_gte");
    }

    #[test]
    fn long_property_names_stay_valid_and_unique() {
        let mut names = PropertyNames::default();
        let long = "a".repeat(100);
        let first = names.claim(&long);
        let second = names.claim(&long);
        assert_eq!(first.len(), 64);
        assert!(is_property(&second) && second != first, "{second}");
        assert!(is_property(&names.claim("日本語")));
        assert!(is_property(&names.claim("___")));
    }

    #[test]
    fn tool_names() {
        assert_eq!(tool_name(Some("Get a pet by its id."), "get", "/pets/{id}"), "Get a pet by its id");
        assert_eq!(tool_name(Some("<b>List</b> pets"), "get", "/pets"), "List pets");
        assert_eq!(tool_name(None, "get", "/pets/{id}"), "Get pets by id");
        assert_eq!(tool_name(Some("  "), "delete", "/repos/{owner}/{repo}"), "Delete repos by owner and repo");
        assert_eq!(
            tool_name(None, "post", "/user-accounts/{userId}/APIKeys"),
            "Post user accounts by user id API keys"
        );
        assert_eq!(tool_name(None, "get", "/"), "Get root");
        let long = tool_name(Some(&"word ".repeat(50)), "get", "/");
        assert!(long.chars().count() <= 80, "{long}");
    }

    #[test]
    fn titles() {
        assert_eq!(title("api_key"), "API key");
        assert_eq!(title("ApiKeyAuth"), "API key auth");
        assert_eq!(title("petstore_auth"), "Petstore auth");
        assert_eq!(title("region"), "Region");
        assert_eq!(title("oauth2"), "Oauth2");
        assert_eq!(title("petId"), "Pet ID");
        assert_eq!(title("!!!"), "!!!");
    }

    proptest::proptest! {
        #[test]
        fn any_operation_gives_a_valid_unique_slug(ids in proptest::collection::vec("\\PC{0,90}", 1..8), path in "\\PC{0,40}") {
            let mut slugs = SlugAllocator::new("TOOLKIT_");
            let mut seen = HashSet::new();
            for id in &ids {
                let slug = slugs.tool_slug(Some(id), "get", &path).as_str().to_owned();
                proptest::prop_assert!(is_slug(&slug), "{} → {}", id, slug);
                proptest::prop_assert!(seen.insert(slug));
            }
        }

        #[test]
        fn any_name_gives_a_valid_property(names in proptest::collection::vec("\\PC{0,90}", 1..8)) {
            let mut claimed = PropertyNames::default();
            let mut seen = HashSet::new();
            for name in &names {
                let property = claimed.claim(name);
                proptest::prop_assert!(is_property(&property), "{} → {}", name, property);
                proptest::prop_assert!(seen.insert(property));
            }
        }

        #[test]
        fn any_summary_gives_a_short_name(summary in proptest::option::of("\\PC{0,200}"), path in "\\PC{0,60}") {
            let name = tool_name(summary.as_deref(), "get", &path);
            proptest::prop_assert!(name.chars().count() <= 80);
            proptest::prop_assert!(!name.is_empty());
        }
    }
}
