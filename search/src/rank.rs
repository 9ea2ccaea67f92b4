//! Ranking a query: terms and their related words, a boost for a toolkit named in the
//! query, a boost for tools that match more of the query's words, the safety rules of
//! [`crate::safety`] (actions, curated over imported, destructive tools last), and
//! multi-step tasks split into steps whose results are merged. Every hit has a score
//! and a [confidence](crate::confidence).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use toolsmith_spec::Origin;

use crate::action::Actions;
use crate::confidence::{confidence, idf};
use crate::factors::Factors;
use crate::index::{build, Document, FastMap, FieldWeights, Postings};
use crate::parallel::join;
use crate::safety::Safety;
use crate::scratch::{with_scratch, Scored, Scratch, Work};
use crate::steps::split_steps;
use crate::synonyms::Thesaurus;
use crate::tokenize::Analyzer;
use crate::top::{best_of, top};

/// The fewest documents whose index build is worth a second thread.
const PARALLEL: usize = 256;

/// Ranking knobs. The defaults are tuned on public tool-retrieval sets; change them
/// only with measurements (`toolsmith bench search`).
///
/// ```
/// let config = toolsmith_search::SearchConfig { split_steps: false, ..Default::default() };
/// assert!(config.synonym_weight > 0.0);
/// ```
#[derive(Clone, Debug)]
pub struct SearchConfig {
    /// Field weights and BM25F constants.
    pub fields: FieldWeights,
    /// Weight of a related word (thesaurus) next to a word of the query (1.0).
    pub synonym_weight: f32,
    /// Score multiplier for tools of a toolkit named in the query.
    pub toolkit_boost: f32,
    /// Split multi-step tasks ("first …, then …") into steps and merge their results.
    pub split_steps: bool,
    /// Weight of the whole task's ranking when merging the steps' rankings.
    pub whole_task_weight: f32,
    /// How much matching more of the query's words counts: a tool's score is multiplied
    /// by `1 − c + c · (query words it contains / query words the catalog knows)`.
    pub coordination: f32,
    /// How much a precise name counts: a tool's score is multiplied by
    /// `1 − n + n · (its name's words found in the query / its name's words)`, so "Delete a
    /// repository" wins over "Delete a runner from a repository" for "delete a repository".
    pub name_match: f32,
    /// Score multiplier for a tool whose action (create, delete, refund …) the task does
    /// not name while the task names another (`search/src/safety.rs`).
    pub action_mismatch: f32,
    /// Score multiplier for a tool imported from an OpenAPI document: its name is
    /// generated and its description raw, so at equal evidence a curated tool wins.
    pub imported_weight: f32,
    /// Weight of the lexical score next to the static embedding model's cosine (feature
    /// `embeddings`): `w·lex/max(lex) + (1−w)·max(cos, 0)`; 1.0 leaves the model out.
    /// 0.40 was chosen on a tuning half of metatool's queries (0.30–0.50) with the table of
    /// `embeddings/data/PROVENANCE.json`, sealtools kept at its level; revisit it with a new table.
    pub lexical_weight: f32,
    /// Spread each query's cosines from their mean (0) to their best (1) before mixing.
    pub spread_cosines: bool,
    /// Split `camelCase` and `snake_case` in the tools' text before the model reads it.
    pub split_case_for_model: bool,
    /// How much the words are trusted when one tool holds many of the query's words: the
    /// lexical weight becomes `w + (1 − w) · share^e`, where `share` is the largest share
    /// of the query's content words one tool holds ("star a github repo" is all words,
    /// a paraphrase few). A large exponent keeps `w` unless nearly every word is held.
    pub word_trust_exponent: i32,
    /// Weight of a tool's parameters (names and descriptions) in its vector, next to its
    /// toolkit, name and description (1).
    pub parameter_weight: f32,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            fields: FieldWeights::default(),
            synonym_weight: 0.3,
            toolkit_boost: 1.5,
            split_steps: true,
            whole_task_weight: 0.3,
            coordination: 0.2,
            name_match: 0.15,
            action_mismatch: 0.8,
            imported_weight: 0.9,
            lexical_weight: 0.40,
            spread_cosines: true,
            split_case_for_model: false,
            word_trust_exponent: 3,
            parameter_weight: 0.5,
        }
    }
}

/// What to search.
///
/// ```
/// let options = toolsmith_search::SearchOptions { limit: 5, toolkit: Some("github".into()), ..Default::default() };
/// assert_eq!(toolsmith_search::SearchOptions::default().limit, 10);
/// # let _ = options;
/// ```
#[derive(Clone, Debug)]
pub struct SearchOptions {
    /// At most this many hits.
    pub limit: usize,
    /// Only this toolkit's tools (slug, any case).
    pub toolkit: Option<String>,
    /// Only the documents whose entry is `true` (by position in
    /// [`SearchIndex::documents`]; missing entries count as `false`): a session's scope.
    pub allowed: Option<std::sync::Arc<[bool]>>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions { limit: 10, toolkit: None, allowed: None }
    }
}

/// One ranked tool.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Position of the tool in [`SearchIndex::documents`].
    pub doc: usize,
    /// Relevance; only comparable within one search.
    pub score: f32,
    /// How well the tool fits the task, 0..1 (see `search/src/confidence.rs`): comparable
    /// across searches; under [`crate::LOW_CONFIDENCE`] it fits poorly.
    pub confidence: f32,
    /// Which step of a multi-step task it answers best (0 for a one-step task).
    pub step: usize,
}

/// A search index over tools: built once, then searched from any number of threads
/// (`&self`, no locks). Rebuild it when the catalog changes.
///
/// ```
/// use toolsmith_search::{Document, SearchIndex, SearchOptions};
/// let doc = |slug: &str, description: &str| Document {
///     slug: slug.into(), toolkit: "slack".into(), toolkit_name: "Slack".into(),
///     name: String::new(), description: description.into(), ..Default::default()
/// };
/// let index = SearchIndex::new(vec![
///     doc("SLACK_SEND_MESSAGE", "Posts a message to a channel."),
///     doc("SLACK_LIST_CHANNELS", "Lists the workspace's channels."),
///     doc("SLACK_DELETE_MESSAGE", "Deletes a message."),
/// ]);
/// let hits = index.search("remove a slack message", &SearchOptions::default());
/// assert_eq!(index.documents()[hits[0].doc].slug, "SLACK_DELETE_MESSAGE");
/// ```
#[derive(Debug)]
pub struct SearchIndex {
    docs: Vec<Document>,
    analyzer: Analyzer,
    thesaurus: Thesaurus,
    postings: Postings,
    config: SearchConfig,
    /// Toolkit number of each document.
    doc_toolkit: Vec<u32>,
    /// Lower-case toolkit slugs, by toolkit number.
    toolkit_slugs: Vec<String>,
    /// First term of a toolkit's name → (the name's terms, toolkit number).
    toolkit_names: HashMap<u32, Vec<(Vec<u32>, u32)>>,
    /// The rules applied after scoring.
    safety: Safety,
    /// Per document, for the scoring pass, its origin's weight
    /// ([`SearchConfig::imported_weight`] or 1) times its name factor
    /// `1 − n + n · found / name words` as `(base, per word found)`; (weight, 0) without
    /// a name.
    doc_static: Vec<(f32, f32)>,
    /// The documents' vectors, when the model is built in and mixed in.
    #[cfg(feature = "embeddings")]
    semantic: Option<crate::semantic::Semantic>,
    build_time: Duration,
}

impl SearchIndex {
    /// Indexes `docs` with the default [`SearchConfig`].
    pub fn new(docs: Vec<Document>) -> Self {
        SearchIndex::with_config(docs, SearchConfig::default())
    }

    /// Indexes `docs` with the given ranking knobs. The documents' vectors (feature
    /// `embeddings`) are computed on other threads while this one builds the lexical index.
    pub fn with_config(docs: Vec<Document>, config: SearchConfig) -> Self {
        let start = Instant::now();
        #[cfg(feature = "embeddings")]
        let model = (config.lexical_weight < 1.0).then(toolsmith_embeddings::StaticModel::builtin).flatten();
        #[cfg(feature = "embeddings")]
        let vectors = || {
            model.map(|model| {
                crate::semantic::Semantic::new(model, &docs, config.split_case_for_model, config.parameter_weight)
            })
        };
        #[cfg(feature = "embeddings")]
        let parallel = model.is_some() && docs.len() >= PARALLEL;
        #[cfg(not(feature = "embeddings"))]
        let (vectors, parallel) = (|| (), false);
        // The vectors on another thread while this one builds the lexical index.
        let (semantic, mut index) = join(parallel, vectors, || SearchIndex::lexical(&docs, config.clone()));
        index.docs = docs;
        #[cfg(feature = "embeddings")]
        {
            index.semantic = semantic;
        }
        #[cfg(not(feature = "embeddings"))]
        let () = semantic;
        index.build_time = start.elapsed();
        index
    }

    /// The index of `docs` without the documents themselves and their vectors.
    fn lexical(docs: &[Document], config: SearchConfig) -> Self {
        let analyzer = Analyzer::new();
        let thesaurus = Thesaurus::new(&analyzer);
        let postings = build(docs, &analyzer, &config.fields);
        // The safety rules' view of the tools on another thread, the toolkits on this one.
        let (safety, (doc_toolkit, toolkit_slugs, toolkit_names)) = join(
            docs.len() >= PARALLEL,
            || Safety::new(docs, &postings.names, &analyzer),
            || toolkits_of(docs, &analyzer, &postings),
        );
        let doc_static = docs
            .iter()
            .zip(&postings.names)
            .map(|(doc, name)| {
                let prior = if doc.origin == Origin::Imported { config.imported_weight } else { 1.0 };
                let n = config.name_match;
                if name.is_empty() || n <= 0.0 {
                    (prior, 0.0)
                } else {
                    (prior * (1.0 - n), prior * n / name.len() as f32)
                }
            })
            .collect();
        SearchIndex {
            docs: Vec::new(),
            analyzer,
            thesaurus,
            postings,
            config,
            doc_toolkit,
            toolkit_slugs,
            toolkit_names,
            safety,
            doc_static,
            #[cfg(feature = "embeddings")]
            semantic: None,
            build_time: Duration::ZERO,
        }
    }

    /// The indexed tools, in the order given.
    pub fn documents(&self) -> &[Document] {
        &self.docs
    }

    /// How long building took.
    pub fn build_time(&self) -> Duration {
        self.build_time
    }

    /// The ranking knobs in use.
    pub fn config(&self) -> &SearchConfig {
        &self.config
    }

    /// The best tools for a task, best first. A task of several steps ("find the
    /// channel, then post the summary") is split into steps; each step's best tools
    /// come before the rest.
    pub fn search(&self, task: &str, options: &SearchOptions) -> Vec<Hit> {
        let filter = match &options.toolkit {
            Some(slug) => {
                let slug = slug.to_lowercase();
                match self.toolkit_slugs.iter().position(|s| *s == slug) {
                    Some(n) => Some(n as u32),
                    None => return Vec::new(),
                }
            }
            None => None,
        };
        let limit = options.limit.max(1);
        let steps = if self.config.split_steps { split_steps(task) } else { Vec::new() };
        let allowed = options.allowed.as_deref();
        // The whole task first, then its steps (when there are at least two).
        let mut queries: Vec<&str> = vec![task];
        if steps.len() >= 2 {
            queries.extend(steps.iter().map(String::as_str));
        }
        with_scratch(|scratch| self.search_in(scratch, &queries, filter, allowed, limit))
    }

    /// [`search`](Self::search) of the whole task and its steps (`queries`, the task
    /// first), with the working memory of `scratch`.
    fn search_in(
        &self,
        scratch: &mut Scratch,
        queries: &[&str],
        filter: Option<u32>,
        allowed: Option<&[bool]>,
        limit: usize,
    ) -> Vec<Hit> {
        let count = self.docs.len();
        // Every query's cosines in one pass over the documents' vectors.
        #[cfg(feature = "embeddings")]
        let blocks = match &self.semantic {
            Some(semantic) => semantic.cosines(queries, &mut scratch.cosines),
            None => vec![None; queries.len()],
        };
        #[cfg(not(feature = "embeddings"))]
        let blocks = vec![None::<usize>; queries.len()];
        if scratch.scored.len() < queries.len() {
            scratch.scored.resize_with(queries.len(), Scored::default);
        }
        let Scratch { scored, work, cosines, stems, terms, fused, combined } = scratch;
        for (i, query) in queries.iter().enumerate() {
            self.analyzer.terms_cached(query, stems, terms);
            let cosines = blocks[i].map(|b| &cosines[b * count..(b + 1) * count]);
            self.score(terms, cosines, filter, allowed, work, &mut scored[i]);
        }
        let (whole, steps) = scored.split_at(1);
        let whole = &whole[0];
        let steps = &steps[..queries.len() - 1];
        let best_whole = best_of(&whole.scores);
        if steps.is_empty() {
            return top(&whole.scores, limit)
                .into_iter()
                .map(|(doc, score)| Hit {
                    doc,
                    score,
                    confidence: confidence(whole.coverage.of(doc), score, best_whole),
                    step: 0,
                })
                .collect();
        }
        // Each step's scores scaled to its best (1.0), so every step's best tool
        // outranks tools that only the whole task likes.
        fused.clear();
        fused.resize(count, (0f32, 0usize));
        for (i, scored) in steps.iter().enumerate() {
            let best = best_of(&scored.scores);
            if best > 0.0 {
                for (doc, &s) in scored.scores.iter().enumerate() {
                    let s = s / best;
                    if s > fused[doc].0 {
                        fused[doc] = (s, i);
                    }
                }
            }
        }
        let best_whole = best_whole.max(f32::MIN_POSITIVE);
        combined.clear();
        combined.extend(fused.iter().zip(&whole.scores).map(|(&(s, _), &w)| {
            if s > 0.0 || w > 0.0 {
                s + self.config.whole_task_weight * w / best_whole
            } else {
                0.0
            }
        }));
        let best = best_of(combined);
        top(combined, limit)
            .into_iter()
            .map(|(doc, score)| {
                let step = fused[doc].1;
                let coverage = steps[step].coverage.of(doc).max(whole.coverage.of(doc));
                Hit { doc, score, confidence: confidence(coverage, score, best), step }
            })
            .collect()
    }

    /// Scores every document for one query, given as its terms and (feature
    /// `embeddings`) its cosines with the documents, into `out`: its scores (0 for no
    /// match), with the rules of [`Safety`] applied, and which of its words each document
    /// matched.
    fn score(
        &self,
        stems: &[String],
        cosines: Option<&[f32]>,
        filter: Option<u32>,
        allowed: Option<&[bool]>,
        work: &mut Work,
        out: &mut Scored,
    ) {
        let Work { in_name, held } = work;
        let count = self.docs.len();
        out.reset(count);
        let Scored { scores, coverage } = out;
        let mut seen: Vec<&str> = stems.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        // The content words (no ids with digits), each with its coverage bit.
        let content: Vec<&str> =
            seen.iter().copied().filter(|w| !w.bytes().any(|b| b.is_ascii_digit())).take(32).collect();
        let bit = |stem: &str| content.binary_search(&stem).map_or(0, |i| 1u32 << i);
        // (term, weight, coverage bits of the query words it stands for)
        let mut weights: Vec<(u32, f32, u32)> = Vec::new();
        let mut known: Vec<u32> = Vec::new();
        let mut known_bits = 0u32;
        for stem in stems {
            if let Some(&t) = self.postings.terms.get(stem) {
                known.push(t);
                known_bits |= bit(stem);
                match weights.iter_mut().find(|(x, _, _)| *x == t) {
                    Some((_, w, _)) => *w = (*w + 0.5).min(2.0),
                    None => weights.push((t, 1.0, bit(stem))),
                }
            }
        }
        let direct = weights.len();
        for stem in &seen {
            for related in self.thesaurus.related(stem) {
                if seen.binary_search(&related).is_ok() {
                    continue;
                }
                if let Some(&t) = self.postings.terms.get(related) {
                    match weights[direct..].iter_mut().find(|(x, _, _)| *x == t) {
                        Some((_, w, bits)) => {
                            *w = (*w + self.config.synonym_weight * 0.5).min(self.config.synonym_weight * 2.0);
                            *bits |= bit(stem);
                        }
                        None => weights.push((t, self.config.synonym_weight, bit(stem))),
                    }
                }
            }
        }
        coverage.weights.extend(
            content.iter().map(|w| idf(self.postings.terms.get(*w).map_or(0, |&t| self.postings.of(t).len()), count)),
        );
        // Per document, how many of the query's words it holds (`direct`'s bits, each a
        // known word's; a direct term stands for one word, so a posting adds a word when
        // its bit is new).
        held.clear();
        held.resize(count, 0);
        for (i, &(t, w, bits)) in weights.iter().enumerate() {
            if i < direct {
                for &(doc, impact) in self.postings.of(t) {
                    let doc = doc as usize;
                    scores[doc] += w * impact;
                    held[doc] += u8::from(bits & !coverage.direct[doc] != 0);
                    coverage.direct[doc] |= bits;
                }
            } else {
                for &(doc, impact) in self.postings.of(t) {
                    scores[doc as usize] += w * impact;
                    coverage.related[doc as usize] |= bits;
                }
            }
        }
        // Meaning next to words: every document gets the mix of its lexical score and its
        // cosine with the query, before the factors and rules below apply to both.
        #[cfg(not(feature = "embeddings"))]
        let _ = cosines;
        #[cfg(feature = "embeddings")]
        if let (Some(semantic), Some(cosines)) = (&self.semantic, cosines) {
            // The more of the query's words one tool holds, the more the words are trusted.
            let words = content.len().max(1) as f32;
            let held = f32::from(held.iter().copied().fold(0, u8::max));
            let w = self.config.lexical_weight;
            let w = w + (1.0 - w) * (held / words).powi(self.config.word_trust_exponent);
            semantic.mix(cosines, scores, w, self.config.spread_cosines);
        }
        // One pass over the documents with a score: name match, coordination, named
        // toolkit, filters, origin and action mismatch; then the rules over all scores.
        let mut asked_terms = known.clone();
        asked_terms.sort_unstable();
        asked_terms.dedup();
        // How many of each tool's name terms the query holds.
        in_name.clear();
        in_name.resize(count, 0);
        if self.config.name_match > 0.0 {
            for &t in &asked_terms {
                for &doc in &self.postings.name_docs[t as usize] {
                    in_name[doc as usize] = in_name[doc as usize].saturating_add(1);
                }
            }
        }
        let named = if self.config.toolkit_boost != 1.0 { self.named_toolkits(&known) } else { Vec::new() };
        let c = self.config.coordination;
        let asked = known_bits.count_ones();
        let c_per_word = if c > 0.0 && asked > 1 { c / asked as f32 } else { 0.0 };
        let task: Actions = self.safety.lexicon.task_actions(stems);
        let factors = Factors {
            statics: &self.doc_static,
            in_name,
            direct: &coverage.direct,
            known_bits,
            coordination: (c, c_per_word),
            actions: self.safety.actions(),
            task,
            mismatch: self.config.action_mismatch,
        };
        // Two copies of the pass: without a named toolkit (the usual case) its factor is
        // the constant 1.
        if named.is_empty() {
            factors.apply(scores, |_| 1.0);
        } else {
            let boost = self.config.toolkit_boost;
            factors.apply(scores, |doc| if named.contains(&self.doc_toolkit[doc]) { boost } else { 1.0 });
        }
        if filter.is_some() || allowed.is_some() {
            for (doc, score) in scores.iter_mut().enumerate() {
                let toolkit = self.doc_toolkit[doc];
                if *score > 0.0
                    && (filter.is_some_and(|f| f != toolkit)
                        || allowed.is_some_and(|a| !a.get(doc).copied().unwrap_or(false)))
                {
                    *score = 0.0;
                }
            }
        }
        self.safety.settle(task, scores);
    }

    /// Toolkits whose whole name appears, in order, among the query's terms.
    fn named_toolkits(&self, terms: &[u32]) -> Vec<u32> {
        let mut named = Vec::new();
        for (i, t) in terms.iter().enumerate() {
            if let Some(candidates) = self.toolkit_names.get(t) {
                for (name, toolkit) in candidates {
                    if terms[i..].starts_with(name) && !named.contains(toolkit) {
                        named.push(*toolkit);
                    }
                }
            }
        }
        named
    }

    /// The toolkits named in a task (lower-case slugs), e.g. `github` in "open a GitHub issue".
    ///
    /// ```
    /// use toolsmith_search::{Document, SearchIndex};
    /// let index = SearchIndex::new(vec![Document {
    ///     slug: "GITHUB_CREATE_ISSUE".into(), toolkit: "github".into(), toolkit_name: "GitHub".into(),
    ///     ..Default::default()
    /// }]);
    /// assert_eq!(index.toolkits_named("open a GitHub issue"), ["github"]);
    /// ```
    pub fn toolkits_named(&self, task: &str) -> Vec<&str> {
        let known: Vec<u32> =
            self.analyzer.terms(task).iter().filter_map(|s| self.postings.terms.get(s).copied()).collect();
        self.named_toolkits(&known).into_iter().map(|n| self.toolkit_slugs[n as usize].as_str()).collect()
    }
}

/// The toolkit number of each document, the toolkits' lower-case slugs, and the
/// toolkits' names by their first term (only names that mostly name their own toolkit).
type Toolkits = (Vec<u32>, Vec<String>, HashMap<u32, Vec<(Vec<u32>, u32)>>);

/// The [`Toolkits`] of `docs`, whose terms are in `postings`.
fn toolkits_of(docs: &[Document], analyzer: &Analyzer, postings: &Postings) -> Toolkits {
    let mut toolkit_numbers: HashMap<String, u32> = HashMap::new();
    let mut toolkit_slugs = Vec::new();
    let mut toolkit_names: HashMap<u32, Vec<(Vec<u32>, u32)>> = HashMap::new();
    let mut doc_toolkit = Vec::with_capacity(docs.len());
    for doc in docs {
        let slug = doc.toolkit.to_lowercase();
        if let Some(&number) = toolkit_numbers.get(&slug) {
            doc_toolkit.push(number);
            continue;
        }
        let next = toolkit_slugs.len() as u32;
        let number = *toolkit_numbers.entry(slug.clone()).or_insert_with(|| {
            toolkit_slugs.push(slug.clone());
            let mut names: Vec<&str> = vec![&doc.toolkit, &doc.toolkit_name];
            names.extend(doc.toolkit.split('/'));
            for name in names {
                let terms: Vec<u32> =
                    analyzer.terms(name).iter().filter_map(|t| postings.terms.get(t).copied()).collect();
                if let Some(&first) = terms.first() {
                    let entry = toolkit_names.entry(first).or_default();
                    if !entry.iter().any(|(t, n)| *t == terms && *n == next) {
                        entry.push((terms, next));
                    }
                }
            }
            next
        });
        doc_toolkit.push(number);
    }
    // A name counts when most tools that mention it belong to the toolkit ("github"),
    // not when it is a common word that also names a category ("music").
    // Each name term's tools counted by toolkit once (a term such as "api" names many
    // toolkits of an imported catalog).
    let mut by_toolkit: FastMap<u32, FastMap<u32, usize>> = FastMap::default();
    for (terms, _) in toolkit_names.values().flatten() {
        for &t in terms {
            by_toolkit.entry(t).or_insert_with(|| {
                let mut counts: FastMap<u32, usize> = FastMap::default();
                for &(doc, _) in postings.of(t) {
                    *counts.entry(doc_toolkit[doc as usize]).or_default() += 1;
                }
                counts
            });
        }
    }
    for candidates in toolkit_names.values_mut() {
        candidates.retain(|(terms, toolkit)| {
            terms.iter().any(|&t| {
                let inside = by_toolkit.get(&t).and_then(|c| c.get(toolkit)).copied().unwrap_or(0);
                postings.of(t).len() - inside < inside
            })
        });
    }
    toolkit_names.retain(|_, candidates| !candidates.is_empty());
    (doc_toolkit, toolkit_slugs, toolkit_names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(slug: &str, toolkit: &str, description: &str) -> Document {
        Document {
            slug: slug.into(),
            toolkit: toolkit.into(),
            toolkit_name: toolkit.into(),
            description: description.into(),
            ..Default::default()
        }
    }

    fn catalog() -> SearchIndex {
        SearchIndex::new(vec![
            doc("GITHUB_CREATE_ISSUE", "github", "Creates an issue in a repository."),
            doc("JIRA_CREATE_ISSUE", "jira", "Creates an issue in a project."),
            doc("SLACK_SEND_MESSAGE", "slack", "Posts a message to a channel."),
            doc("SLACK_LIST_CHANNELS", "slack", "Lists channels."),
            doc("GMAIL_SEND_EMAIL", "gmail", "Sends an email."),
        ])
    }

    fn slugs(index: &SearchIndex, hits: &[Hit]) -> Vec<String> {
        hits.iter().map(|h| index.documents()[h.doc].slug.clone()).collect()
    }

    #[test]
    fn a_named_toolkit_wins() {
        let index = catalog();
        let hits = index.search("add a new jira issue for the login bug", &SearchOptions::default());
        assert_eq!(slugs(&index, &hits)[0], "JIRA_CREATE_ISSUE");
        let hits = index.search("new github issue", &SearchOptions::default());
        assert_eq!(slugs(&index, &hits)[0], "GITHUB_CREATE_ISSUE");
    }

    #[test]
    fn synonyms_reach_tools_without_shared_words() {
        let index = catalog();
        let hits = index.search("fetch every chat room", &SearchOptions::default());
        assert_eq!(slugs(&index, &hits)[0], "SLACK_LIST_CHANNELS");
    }

    #[test]
    fn steps_each_get_their_best_tool() {
        let index = catalog();
        let hits = index.search(
            "First list the slack channels. Then send an email to the team.",
            &SearchOptions { limit: 2, toolkit: None, allowed: None },
        );
        let mut top = slugs(&index, &hits);
        top.sort();
        assert_eq!(top, ["GMAIL_SEND_EMAIL", "SLACK_LIST_CHANNELS"]);
    }

    #[test]
    fn toolkit_filter_and_limits() {
        let index = catalog();
        let hits =
            index.search("create issue", &SearchOptions { limit: 5, toolkit: Some("JIRA".into()), allowed: None });
        assert_eq!(slugs(&index, &hits), ["JIRA_CREATE_ISSUE"]);
        assert!(index
            .search("create issue", &SearchOptions { limit: 5, toolkit: Some("nope".into()), allowed: None })
            .is_empty());
        assert!(index.search("", &SearchOptions::default()).is_empty());
        assert!(index.search("zzzz qqqq", &SearchOptions::default()).is_empty());
        assert_eq!(index.search("issue", &SearchOptions { limit: 0, toolkit: None, allowed: None }).len(), 1);
    }

    #[test]
    fn allowed_mask_leaves_documents_out() {
        let index = catalog();
        let jira = index.documents().iter().position(|d| d.slug == "JIRA_CREATE_ISSUE").unwrap();
        let mut mask = vec![true; index.documents().len()];
        mask[jira] = false;
        let options = SearchOptions { limit: 5, toolkit: None, allowed: Some(mask.into()) };
        assert!(!slugs(&index, &index.search("create a jira issue", &options))
            .iter()
            .any(|s| s == "JIRA_CREATE_ISSUE"));
        let none = SearchOptions { limit: 5, toolkit: None, allowed: Some(Vec::new().into()) };
        assert!(index.search("create issue", &none).is_empty());
    }

    #[test]
    fn hits_carry_a_confidence_that_drops_for_unknown_words() {
        let index = catalog();
        let good = index.search("send a slack message to a channel", &SearchOptions::default());
        assert_eq!(slugs(&index, &good)[0], "SLACK_SEND_MESSAGE");
        assert!(good[0].confidence > crate::LOW_CONFIDENCE, "{good:?}");
        assert!(good.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(good.iter().all(|h| (0.0..=1.0).contains(&h.confidence)));
        let poor = index.search("play the next song of my favourite band on the radio", &SearchOptions::default());
        assert!(poor.first().is_none_or(|h| h.confidence < crate::LOW_CONFIDENCE), "{poor:?}");
    }

    #[test]
    fn the_destroyer_is_found_only_when_asked_for() {
        let mut docs = vec![
            Document {
                method: "DELETE".into(),
                ..doc(
                    "DEMO_DELETE_CUSTOMER",
                    "demo",
                    "Deletes a customer, with the customer's last payment and refund records.",
                )
            },
            Document { method: "POST".into(), ..doc("DEMO_CREATE_REFUND", "demo", "Refunds a payment.") },
            Document { method: "GET".into(), ..doc("DEMO_LIST_CUSTOMERS", "demo", "Lists customers.") },
        ];
        docs[1].name = "Refund a payment".into();
        let index = SearchIndex::new(docs);
        let refund = index.search("refund the last payment of customer cus_123", &SearchOptions::default());
        assert_eq!(slugs(&index, &refund)[0], "DEMO_CREATE_REFUND");
        let delete = index.search("delete the customer cus_123", &SearchOptions::default());
        assert_eq!(slugs(&index, &delete)[0], "DEMO_DELETE_CUSTOMER");
    }

    #[test]
    fn empty_index_finds_nothing() {
        let index = SearchIndex::new(Vec::new());
        assert!(index.search("anything", &SearchOptions::default()).is_empty());
    }
}
