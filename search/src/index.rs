//! The inverted index: one BM25F impact per (term, tool), computed once at build time
//! from separately weighted fields, so that a query only adds up precomputed numbers.

use std::collections::HashMap;

use toolsmith_spec::{Origin, Tool, Toolkit};

use crate::parallel::map_chunks;
use crate::tokenize::{for_each_word_in, is_stop_word, Analyzer, WordBuffers};

/// One tool as the index sees it.
///
/// ```
/// let doc = toolsmith_search::Document {
///     slug: "SLACK_SEND_MESSAGE".into(),
///     toolkit: "slack".into(),
///     name: "Send message".into(),
///     description: "Posts a message to a channel.".into(),
///     params: vec![("channel_id".into(), "The channel to post in.".into())],
///     ..Default::default()
/// };
/// assert_eq!(doc.toolkit_name, "");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// The tool's slug (`GITHUB_CREATE_ISSUE`), unique in the index.
    pub slug: String,
    /// The toolkit's slug (`github`).
    pub toolkit: String,
    /// The toolkit's display name (`GitHub`), may be empty.
    pub toolkit_name: String,
    /// The tool's short name.
    pub name: String,
    /// What the tool does.
    pub description: String,
    /// Top-level parameters: name and description.
    pub params: Vec<(String, String)>,
    /// Tags and categories (`readOnlyHint`, `crm`).
    pub tags: Vec<String>,
    /// The HTTP method (`DELETE`), empty when unknown: one source of the tool's action.
    pub method: String,
    /// The HTTP path template (`/repos/{owner}/{repo}`), empty when unknown: with the
    /// method, which operation the tool performs.
    pub path: String,
    /// Whether the tool was written by hand or imported from an OpenAPI document; a
    /// curated tool wins over an imported one of the same operation.
    pub origin: Origin,
}

impl Document {
    /// A tool of a toolkit spec as a search document: its parameters' names and
    /// descriptions, its tags and its toolkit's categories, its HTTP operation and origin.
    ///
    /// ```
    /// # let toolkit: toolsmith_spec::Toolkit = serde_yaml::from_str("{slug: demo, name: Demo, description: A demonstration toolkit., version: 20261122_00, base_url: 'https://x.example', auth: [{scheme: none}], tools: [{slug: DEMO_PING, name: Ping, description: Checks that the service answers., http: {method: GET, path: /ping}, input: {type: object}}]}").unwrap();
    /// let doc = toolsmith_search::Document::from_tool(&toolkit, &toolkit.tools[0]);
    /// assert_eq!((doc.slug.as_str(), doc.toolkit.as_str(), doc.toolkit_name.as_str()), ("DEMO_PING", "demo", "Demo"));
    /// assert_eq!((doc.method.as_str(), doc.path.as_str()), ("GET", "/ping"));
    /// assert_eq!(doc.origin, toolsmith_spec::Origin::Curated);
    /// ```
    pub fn from_tool(toolkit: &Toolkit, tool: &Tool) -> Self {
        let mut tags: Vec<String> = tool.tags.iter().map(|t| t.as_str().to_owned()).collect();
        tags.extend(toolkit.categories.iter().cloned());
        Document {
            slug: tool.slug.as_str().to_owned(),
            toolkit: toolkit.slug.as_str().to_owned(),
            toolkit_name: toolkit.name.clone(),
            name: tool.name.clone(),
            description: tool.description.clone(),
            params: tool
                .input
                .properties
                .iter()
                .map(|(name, param)| (name.clone(), param.description().unwrap_or_default().to_owned()))
                .collect(),
            tags,
            method: tool.http.method.as_str().to_owned(),
            path: tool.http.path.clone(),
            origin: tool.origin,
        }
    }
}

/// The fields of a [`Document`] that are scored separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Slug,
    Name,
    Description,
    ParamName,
    ParamDescription,
    Toolkit,
    Tags,
}

pub(crate) const FIELDS: usize = 7;

/// How much a term found in each field counts, and how much a field's length
/// dampens it (BM25F `b`).
#[derive(Clone, Copy, Debug)]
pub struct FieldWeights {
    /// `[slug, name, description, parameter names, parameter descriptions, toolkit, tags]`.
    pub weight: [f32; FIELDS],
    /// Length normalisation per field, 0 (none) to 1 (full).
    pub b: [f32; FIELDS],
    /// BM25 term-frequency saturation.
    pub k1: f32,
}

impl Default for FieldWeights {
    fn default() -> Self {
        FieldWeights { weight: [2.0, 2.0, 1.0, 0.5, 0.3, 0.8, 0.5], b: [0.5, 0.5, 0.75, 0.5, 0.75, 0.3, 0.3], k1: 1.2 }
    }
}

/// A map with a fast hash (FxHash, from `rustc-hash`) for short words: the catalog's
/// vocabulary and queries' terms. Not DoS-resistant; its keys come from the catalog, and
/// a query only looks keys up.
pub(crate) type FastMap<K, V> = HashMap<K, V, rustc_hash::FxBuildHasher>;

/// A built index: postings of BM25F impacts, the tools' toolkits, and the vocabulary.
#[derive(Debug, Default)]
pub(crate) struct Postings {
    /// Stemmed term → term number.
    pub terms: FastMap<String, u32>,
    /// `offsets[t]..offsets[t + 1]` are term `t`'s postings.
    pub offsets: Vec<u32>,
    /// (tool number, impact), by term.
    pub entries: Vec<(u32, f32)>,
    /// Each tool's name terms (its slug's without the toolkit's when it has no name),
    /// sorted and distinct.
    pub names: Vec<Vec<u32>>,
    /// By term: the tools whose [name terms](Self::names) hold it, in order.
    pub name_docs: Vec<Vec<u32>>,
}

impl Postings {
    /// The postings of a term number.
    pub(super) fn of(&self, term: u32) -> &[(u32, f32)] {
        let t = term as usize;
        &self.entries[self.offsets[t] as usize..self.offsets[t + 1] as usize]
    }
}

/// Stems each distinct word once: the vocabulary of a catalog is small next to its text.
pub(crate) struct TermCache<'a> {
    analyzer: &'a Analyzer,
    words: FastMap<String, Option<u32>>,
    pub terms: FastMap<String, u32>,
    buffers: WordBuffers,
}

impl<'a> TermCache<'a> {
    pub(super) fn new(analyzer: &'a Analyzer) -> Self {
        TermCache { analyzer, words: FastMap::default(), terms: FastMap::default(), buffers: WordBuffers::default() }
    }

    /// Calls `f` with the term number of each word of `text` (stop words skipped).
    pub(super) fn each(&mut self, text: &str, mut f: impl FnMut(u32)) {
        for_each_word_in(text, &mut self.buffers, |word| {
            let id = match self.words.get(word) {
                Some(id) => *id,
                None => {
                    let id = if is_stop_word(word) {
                        None
                    } else {
                        let stem = self.analyzer.stem(word);
                        let next = self.terms.len() as u32;
                        Some(*self.terms.entry(stem).or_insert(next))
                    };
                    self.words.insert(word.to_owned(), id);
                    id
                }
            };
            if let Some(id) = id {
                f(id);
            }
        });
    }
}

/// Per document: its (term, field) occurrences and its field lengths.
type Occurrences = (Vec<Vec<(u32, u8)>>, Vec<[u32; FIELDS]>);

/// The fewest documents worth a thread of their own when splitting texts into terms.
const CHUNK: usize = 1024;

/// Splits `docs` into terms: each document's (term, field) occurrences and field lengths,
/// with the terms numbered in `cache`.
fn occurrences(docs: &[Document], cache: &mut TermCache<'_>) -> Occurrences {
    let mut occurrences: Vec<Vec<(u32, u8)>> = Vec::with_capacity(docs.len());
    let mut lengths: Vec<[u32; FIELDS]> = Vec::with_capacity(docs.len());
    for doc in docs {
        let mut occ = Vec::new();
        let mut len = [0u32; FIELDS];
        let mut add = |cache: &mut TermCache<'_>, text: &str, field: Field| {
            cache.each(text, |t| {
                occ.push((t, field as u8));
                len[field as usize] += 1;
            });
        };
        add(cache, &doc.slug, Field::Slug);
        add(cache, &doc.name, Field::Name);
        add(cache, &doc.description, Field::Description);
        for (name, description) in &doc.params {
            add(cache, name, Field::ParamName);
            add(cache, description, Field::ParamDescription);
        }
        add(cache, &doc.toolkit, Field::Toolkit);
        if !doc.toolkit_name.eq_ignore_ascii_case(&doc.toolkit) {
            add(cache, &doc.toolkit_name, Field::Toolkit);
        }
        for tag in &doc.tags {
            add(cache, tag, Field::Tags);
        }
        occurrences.push(occ);
        lengths.push(len);
    }
    (occurrences, lengths)
}

/// [`occurrences`] on all available cores: each thread numbers the terms of its chunk of
/// documents, then each chunk's terms are renumbered into `cache` in the order they first
/// appear, which gives the numbers one thread would have given.
fn occurrences_in_parallel(docs: &[Document], cache: &mut TermCache<'_>) -> Occurrences {
    let analyzer = cache.analyzer;
    let parts = map_chunks(docs, CHUNK, |part| {
        let mut local = TermCache::new(analyzer);
        let found = occurrences(part, &mut local);
        (found, local.terms)
    });
    let (mut occurrences, mut lengths) = (Vec::with_capacity(docs.len()), Vec::with_capacity(docs.len()));
    for ((found, found_lengths), terms) in parts {
        let mut stems: Vec<(u32, String)> = terms.into_iter().map(|(stem, t)| (t, stem)).collect();
        stems.sort_unstable_by_key(|(t, _)| *t);
        let renumber: Vec<u32> = stems
            .into_iter()
            .map(|(_, stem)| {
                let next = cache.terms.len() as u32;
                *cache.terms.entry(stem).or_insert(next)
            })
            .collect();
        occurrences.extend(found.into_iter().map(|mut occ| {
            for (t, _) in &mut occ {
                *t = renumber[*t as usize];
            }
            occ
        }));
        lengths.extend(found_lengths);
    }
    (occurrences, lengths)
}

/// Builds the postings of `docs`.
pub(crate) fn build(docs: &[Document], analyzer: &Analyzer, weights: &FieldWeights) -> Postings {
    let mut cache = TermCache::new(analyzer);
    // Per document: (term, field) occurrences, then field lengths.
    let (mut occurrences, lengths) = occurrences_in_parallel(docs, &mut cache);
    let names: Vec<Vec<u32>> = occurrences.iter().map(|occ| name_terms(occ)).collect();
    let mut name_docs = vec![Vec::new(); cache.terms.len()];
    for (doc, terms) in names.iter().enumerate() {
        for &t in terms {
            name_docs[t as usize].push(doc as u32);
        }
    }
    let n = docs.len().max(1) as f32;
    let mut average = [0f32; FIELDS];
    for len in &lengths {
        for f in 0..FIELDS {
            average[f] += len[f] as f32 / n;
        }
    }
    // Weighted, length-normalised term frequency of each (doc, term).
    let vocabulary = cache.terms.len();
    let mut df = vec![0u32; vocabulary];
    let mut pseudo: Vec<Vec<(u32, f32)>> = Vec::with_capacity(docs.len());
    for (occ, len) in occurrences.iter_mut().zip(&lengths) {
        occ.sort_unstable();
        let norm: [f32; FIELDS] = std::array::from_fn(|f| {
            let ratio = if average[f] > 0.0 { len[f] as f32 / average[f] } else { 1.0 };
            weights.weight[f] / (1.0 - weights.b[f] + weights.b[f] * ratio)
        });
        let mut tfs: Vec<(u32, f32)> = Vec::new();
        for &(t, f) in occ.iter() {
            match tfs.last_mut() {
                Some((last, tf)) if *last == t => *tf += norm[f as usize],
                _ => {
                    df[t as usize] += 1;
                    tfs.push((t, norm[f as usize]));
                }
            }
        }
        pseudo.push(tfs);
    }
    let idf: Vec<f32> = df.iter().map(|&d| (1.0 + (n - d as f32 + 0.5) / (d as f32 + 0.5)).ln()).collect();
    let mut offsets = vec![0u32; vocabulary + 1];
    for (t, &d) in df.iter().enumerate() {
        offsets[t + 1] = offsets[t] + d;
    }
    let mut fill = offsets.clone();
    let mut entries = vec![(0u32, 0f32); offsets[vocabulary] as usize];
    let k1 = weights.k1;
    for (doc, tfs) in pseudo.iter().enumerate() {
        for &(t, tf) in tfs {
            let impact = idf[t as usize] * tf * (k1 + 1.0) / (k1 + tf);
            let slot = &mut fill[t as usize];
            entries[*slot as usize] = (doc as u32, impact);
            *slot += 1;
        }
    }
    Postings { terms: cache.terms, offsets, entries, names, name_docs }
}

/// The distinct terms of a tool's name, or of its slug less its toolkit's when the name
/// is empty, from its (term, field) occurrences.
fn name_terms(occ: &[(u32, u8)]) -> Vec<u32> {
    let of = |field: Field| -> Vec<u32> {
        let mut terms: Vec<u32> = occ.iter().filter(|(_, f)| *f == field as u8).map(|(t, _)| *t).collect();
        terms.sort_unstable();
        terms.dedup();
        terms
    };
    let name = of(Field::Name);
    if !name.is_empty() {
        return name;
    }
    let toolkit = of(Field::Toolkit);
    of(Field::Slug).into_iter().filter(|t| toolkit.binary_search(t).is_err()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(slug: &str, description: &str) -> Document {
        Document { slug: slug.into(), toolkit: "demo".into(), description: description.into(), ..Default::default() }
    }

    #[test]
    fn impacts_favour_rare_terms_and_slug_matches() {
        let analyzer = Analyzer::new();
        let docs = vec![
            doc("DEMO_SEND_MESSAGE", "Sends a message."),
            doc("DEMO_LIST_CHANNELS", "Lists channels where a message can be sent."),
            doc("DEMO_DELETE_CHANNEL", "Deletes a channel."),
        ];
        let p = build(&docs, &analyzer, &FieldWeights::default());
        let message = p.terms["messag"];
        let postings = p.of(message);
        assert_eq!(postings.len(), 2);
        let impact = |d: u32| postings.iter().find(|e| e.0 == d).unwrap().1;
        assert!(impact(0) > impact(1), "a slug match outweighs a description match");
        assert_eq!(
            p.names[0],
            [p.terms["send"], p.terms["messag"]]
                .iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>(),
            "a nameless tool's slug less its toolkit"
        );
        let demo = p.of(p.terms["demo"]);
        assert!(demo[0].1 < impact(1), "a term in every tool weighs little");
    }

    /// Splitting on several threads numbers the terms as one thread does.
    #[test]
    fn terms_split_in_parallel_are_numbered_alike() {
        let analyzer = Analyzer::new();
        let words = ["send", "message", "channel", "delete", "repository", "invoice", "weather", "getUserName"];
        let docs: Vec<Document> = (0..2 * CHUNK + 77)
            .map(|i| Document {
                slug: format!("DEMO_{}_{}", words[i % 8], words[(i / 8) % 8]),
                description: format!("{} the {} number{i}.", words[(i * 5) % 8], words[(i * 7 + i / 64) % 8]),
                params: vec![(words[i % 5].into(), format!("term{} of {}", i / 3, words[i % 3]))],
                ..doc("", "")
            })
            .collect();
        let mut one = TermCache::new(&analyzer);
        let sequential = occurrences(&docs, &mut one);
        let mut many = TermCache::new(&analyzer);
        let parallel = occurrences_in_parallel(&docs, &mut many);
        assert_eq!(parallel, sequential);
        assert_eq!(many.terms, one.terms);
    }

    #[test]
    fn empty_catalog_builds() {
        let p = build(&[], &Analyzer::new(), &FieldWeights::default());
        assert!(p.terms.is_empty());
        assert_eq!(p.offsets, [0]);
    }
}
