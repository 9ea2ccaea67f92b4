//! `toolsmith bench search`: retrieval quality and speed of the search index on an
//! external tool list and its labelled queries (JSON Lines, the format of
//! `shared/data/search-dev/README.md`), or, by default, on the built-in catalog and its
//! task set (`tests/search/builtin-tasks.jsonl`, embedded). Beside the engine, in the
//! same run: a plain BM25 Okapi baseline ([`Bm25Baseline`], as `bm25_baseline.py`) on
//! the same queries, and the build time of an index of the same tools copied up to
//! 10,000 (issue 16's target size).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use miette::{miette, IntoDiagnostic, WrapErr};
use serde_json::Value;
use toolsmith::search::eval::{evaluate, evaluate_ranking, parse_queries, Evaluation, LabelledQuery};
use toolsmith::search::{Bm25Baseline, Document, SearchConfig, SearchIndex};
use toolsmith::Registry;

use crate::out::outln;

/// The task set of the built-in catalog: requests a user would type, with their tools.
const BUILTIN_TASKS: &str = include_str!("../../tests/search/builtin-tasks.jsonl");

/// What `toolsmith bench search` measures: an external tool list and its queries, or
/// (both `None`) the built-in catalog and its task set.
pub(crate) struct Options {
    pub tools: Option<PathBuf>,
    pub queries: Option<PathBuf>,
    pub json: bool,
    /// Ranking knobs to try (hidden flags).
    pub config: SearchConfig,
}

/// Ranking knobs of `bench search`, hidden: for measuring changes, not for users.
#[derive(clap::Args, Clone, Debug, Default)]
pub(crate) struct Tuning {
    /// Weight of related words (thesaurus).
    #[arg(long, hide = true)]
    synonym_weight: Option<f32>,
    /// Score multiplier for tools of a toolkit named in the query.
    #[arg(long, hide = true)]
    toolkit_boost: Option<f32>,
    /// Do not split multi-step tasks.
    #[arg(long, hide = true)]
    no_steps: bool,
    /// Weight of the whole task when merging steps.
    #[arg(long, hide = true)]
    whole_task_weight: Option<f32>,
    /// Field weights: slug,name,description,param names,param descriptions,toolkit,tags.
    #[arg(long, hide = true, value_delimiter = ',')]
    field_weights: Vec<f32>,
    /// BM25 k1.
    #[arg(long, hide = true)]
    k1: Option<f32>,
    /// Weight of the lexical score next to the embedding model's cosine (1 = words only).
    #[arg(long, hide = true)]
    lexical_weight: Option<f32>,
    /// Mix the raw cosines (do not spread each query's cosines from their mean to their best).
    #[arg(long, hide = true)]
    raw_cosines: bool,
    /// Split camelCase and snake_case in the tools' text before the model reads it.
    #[arg(long, hide = true)]
    split_case: bool,
}

impl Tuning {
    /// The default configuration with the given knobs changed.
    pub(crate) fn config(&self) -> SearchConfig {
        let mut config = SearchConfig::default();
        if let Some(w) = self.synonym_weight {
            config.synonym_weight = w;
        }
        if let Some(b) = self.toolkit_boost {
            config.toolkit_boost = b;
        }
        if let Some(w) = self.lexical_weight {
            config.lexical_weight = w;
        }
        config.spread_cosines &= !self.raw_cosines;
        config.split_case_for_model |= self.split_case;
        if let Some(w) = self.whole_task_weight {
            config.whole_task_weight = w;
        }
        config.split_steps &= !self.no_steps;
        for (slot, w) in config.fields.weight.iter_mut().zip(&self.field_weights) {
            *slot = *w;
        }
        if let Some(k1) = self.k1 {
            config.fields.k1 = k1;
        }
        config
    }
}

/// How many timed index builds (after one warm-up) the reported build time is the median of.
const BUILD_RUNS: usize = 3;

/// The size of the larger index the bench also builds: issue 16's build target is for
/// 10,000 tools.
const LARGE_INDEX: usize = 10_000;

pub(crate) fn run(options: &Options) -> miette::Result<ExitCode> {
    let (docs, queries) = match (&options.tools, &options.queries) {
        (Some(tools), Some(queries)) => (read_tools(tools)?, read_queries(queries)?),
        (None, None) => builtin()?,
        _ => return Err(miette!("give both --tools and --queries, or neither to measure the built-in catalog")),
    };
    let tools = docs.len();
    let (_, large_ms) = median_build(&copies(&docs, LARGE_INDEX), &options.config);
    let (index, build_ms) = median_build(&docs, &options.config);
    let report = evaluate(&index, &queries);
    let start = Instant::now();
    let bm25 = Bm25Baseline::new(index.documents());
    let bm25_build_ms = start.elapsed().as_secs_f64() * 1000.0;
    let baseline = evaluate_ranking(index.documents(), &queries, |query| bm25.search(query, 10));
    let round = |x: f64, digits: i32| (x * 10f64.powi(digits)).round() / 10f64.powi(digits);
    let (p50, p95) = (report.p50_ms(), report.p95_ms());
    if options.json {
        let metrics = |report: &Evaluation, build_ms: f64| {
            let mut stats = serde_json::Map::new();
            for (key, value) in report.mean.named() {
                stats.insert(key.to_owned(), round(value, 4).into());
            }
            stats.insert("latency_p50_ms".to_owned(), round(report.p50_ms(), 4).into());
            stats.insert("latency_p95_ms".to_owned(), round(report.p95_ms(), 4).into());
            stats.insert("index_build_ms".to_owned(), round(build_ms, 1).into());
            stats
        };
        let mut stats = metrics(&report, build_ms);
        stats.insert("index_build_10k_ms".to_owned(), round(large_ms, 1).into());
        stats.insert("tools".to_owned(), tools.into());
        stats.insert("queries".to_owned(), queries.len().into());
        if report.no_match > 0 {
            stats.insert("no_match_queries".to_owned(), report.no_match.into());
        }
        stats.insert("baseline".to_owned(), Value::Object(metrics(&baseline, bm25_build_ms)));
        outln!("{}", Value::Object(stats));
    } else {
        let source = if options.tools.is_none() { "the built-in catalog" } else { "search" };
        outln!(
            "{source}: {tools} tools, {} queries, index built in {build_ms:.1} ms (median of {BUILD_RUNS})",
            queries.len()
        );
        for (key, value) in report.mean.named() {
            outln!("  {key:<10} {value:.4}");
        }
        outln!("  latency    p50 {p50:.3} ms, p95 {p95:.3} ms per query");
        if report.splits.len() > 1 {
            for (split, (n, m)) in &report.splits {
                outln!(
                    "  split {split:<12} {n:>5} queries  recall@5 {:.4}  recall@10 {:.4}",
                    m.recall_at_5,
                    m.recall_at_10
                );
            }
        }
        if report.no_match > 0 {
            outln!("  no_match   {} queries no tool fits, searched but not in the metrics", report.no_match);
        }
        outln!("  index for 10,000 tools built in {large_ms:.1} ms (median of {BUILD_RUNS})");
        outln!(
            "  bm25 baseline: recall@5 {:.4} recall@10 {:.4} p50 {:.3} ms",
            baseline.mean.recall_at_5,
            baseline.mean.recall_at_10,
            baseline.p50_ms()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds the index of `docs` once to warm up, then [`BUILD_RUNS`] times: the last index
/// and the median build time in milliseconds.
fn median_build(docs: &[Document], config: &SearchConfig) -> (SearchIndex, f64) {
    let build = || {
        let docs = docs.to_vec();
        let start = Instant::now();
        let index = SearchIndex::with_config(docs, config.clone());
        (index, start.elapsed().as_secs_f64() * 1000.0)
    };
    let (mut index, _) = build();
    let mut times = Vec::with_capacity(BUILD_RUNS);
    for _ in 0..BUILD_RUNS {
        let (built, ms) = build();
        index = built;
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    (index, times[BUILD_RUNS / 2])
}

/// `count` tools: `docs` repeated, the copies' slugs suffixed (`#2`, `#3` …).
fn copies(docs: &[Document], count: usize) -> Vec<Document> {
    if docs.is_empty() {
        return Vec::new();
    }
    (0..count)
        .map(|i| {
            let mut doc = docs[i % docs.len()].clone();
            let copy = i / docs.len();
            if copy > 0 {
                doc.slug = format!("{}#{}", doc.slug, copy + 1);
            }
            doc
        })
        .collect()
}

/// The built-in catalog's tools, as `ToolSearch` indexes them, and its task set.
fn builtin() -> miette::Result<(Vec<Document>, Vec<LabelledQuery>)> {
    let mut registry = Registry::default();
    registry.extend_lazy(crate::catalog::builtin());
    let queries = parse_queries(BUILTIN_TASKS).map_err(|e| {
        miette!("tests/search/builtin-tasks.jsonl:{} (embedded): {e}; fix the file and rebuild", e.line())
    })?;
    Ok((toolsmith::search::documents(&registry), queries))
}

fn lines(path: &Path) -> miette::Result<impl Iterator<Item = (usize, miette::Result<Value>)>> {
    let file = File::open(path).into_diagnostic().wrap_err_with(|| format!("cannot open {}", path.display()))?;
    let path = path.display().to_string();
    Ok(BufReader::new(file).lines().enumerate().filter_map(move |(i, line)| {
        let line = match line {
            Ok(line) if line.trim().is_empty() => return None,
            Ok(line) => line,
            Err(e) => return Some((i + 1, Err(miette!("{path}:{}: cannot read: {e}", i + 1)))),
        };
        Some((
            i + 1,
            serde_json::from_str(&line)
                .map_err(|e| miette!("{path}:{}: not a JSON object ({e}); one object a line", i + 1)),
        ))
    }))
}

/// Reads `{"id", "toolkit", "category", "name", "description", "parameters"}` lines.
fn read_tools(path: &Path) -> miette::Result<Vec<Document>> {
    let mut docs = Vec::new();
    for (line, value) in lines(path)? {
        let value = value?;
        let text = |key: &str| value[key].as_str().unwrap_or_default().to_owned();
        let slug = text("id");
        if slug.is_empty() {
            return Err(miette!("{}:{line}: a tool needs a string `id`", path.display()));
        }
        let params = value["parameters"]["properties"]
            .as_object()
            .map(|props| {
                props
                    .iter()
                    .map(|(k, v)| (k.clone(), v["description"].as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let tags = [text("category")].into_iter().filter(|c| !c.is_empty()).collect();
        docs.push(Document {
            slug,
            toolkit: text("toolkit"),
            toolkit_name: String::new(),
            name: text("name"),
            description: text("description"),
            params,
            tags,
            ..Default::default()
        });
    }
    Ok(docs)
}

/// Reads `{"qid", "query", "relevant": [id, …], "split"}` lines.
fn read_queries(path: &Path) -> miette::Result<Vec<LabelledQuery>> {
    let text =
        std::fs::read_to_string(path).into_diagnostic().wrap_err_with(|| format!("cannot read {}", path.display()))?;
    let queries = parse_queries(&text).map_err(|e| miette!("{}:{}: {e}", path.display(), e.line()))?;
    if queries.is_empty() {
        return Err(miette!("{} has no query; each line needs `query` and `relevant`", path.display()));
    }
    Ok(queries)
}
