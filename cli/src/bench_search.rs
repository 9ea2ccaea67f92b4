//! `toolsmith bench search`: retrieval quality and speed of the search index on an
//! external tool list and its labelled queries (JSON Lines, the format of
//! `shared/data/search-dev/README.md`).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use miette::{miette, IntoDiagnostic, WrapErr};
use serde_json::Value;
use toolsmith::search::{Document, SearchConfig, SearchIndex, SearchOptions};

use crate::out::outln;

/// What `toolsmith bench search` measures.
pub(crate) struct Options {
    pub tools: PathBuf,
    pub queries: PathBuf,
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

/// One labelled query.
struct Query {
    text: String,
    relevant: Vec<String>,
}

pub(crate) fn run(options: &Options) -> miette::Result<ExitCode> {
    let docs = read_tools(&options.tools)?;
    let queries = read_queries(&options.queries)?;
    if queries.is_empty() {
        return Err(miette!("{} has no query; each line needs `query` and `relevant`", options.queries.display()));
    }
    let tools = docs.len();
    let start = Instant::now();
    let index = SearchIndex::with_config(docs, options.config.clone());
    let build_ms = start.elapsed().as_secs_f64() * 1000.0;
    let search = SearchOptions { limit: 10, toolkit: None, allowed: None };
    // Warm-up: caches and the allocator, as in a long-running server.
    for q in queries.iter().take(50) {
        std::hint::black_box(index.search(&q.text, &search));
    }
    let mut sums = [0f64; 6];
    let mut latencies = Vec::with_capacity(queries.len());
    for q in &queries {
        let start = Instant::now();
        let hits = index.search(&q.text, &search);
        latencies.push(start.elapsed().as_secs_f64() * 1000.0);
        let ranked: Vec<&str> = hits.iter().map(|h| index.documents()[h.doc].slug.as_str()).collect();
        for (sum, value) in sums.iter_mut().zip(metrics(&ranked, &q.relevant)) {
            *sum += value;
        }
    }
    latencies.sort_by(f64::total_cmp);
    let n = queries.len() as f64;
    let round = |x: f64, digits: i32| (x * 10f64.powi(digits)).round() / 10f64.powi(digits);
    let p50 = latencies[(latencies.len() - 1) / 2];
    let p95 = latencies[((latencies.len() as f64 * 0.95) as usize).saturating_sub(1)];
    let stats = serde_json::json!({
        "recall@1": round(sums[0] / n, 4),
        "recall@5": round(sums[1] / n, 4),
        "recall@10": round(sums[2] / n, 4),
        "hit@5": round(sums[3] / n, 4),
        "ndcg@10": round(sums[4] / n, 4),
        "mrr@10": round(sums[5] / n, 4),
        "latency_p50_ms": round(p50, 4),
        "latency_p95_ms": round(p95, 4),
        "index_build_ms": round(build_ms, 1),
        "tools": tools,
        "queries": queries.len(),
    });
    if options.json {
        outln!("{stats}");
    } else {
        outln!("search: {tools} tools, {} queries, index built in {build_ms:.1} ms", queries.len());
        for key in ["recall@1", "recall@5", "recall@10", "hit@5", "ndcg@10", "mrr@10"] {
            outln!("  {key:<10} {:.4}", stats[key].as_f64().unwrap_or_default());
        }
        outln!("  latency    p50 {p50:.3} ms, p95 {p95:.3} ms per query");
    }
    Ok(ExitCode::SUCCESS)
}

/// recall@1, recall@5, recall@10, hit@5, nDCG@10 (binary relevance) and MRR@10 of one
/// ranking: the definitions of `bm25_baseline.py`.
fn metrics(ranked: &[&str], relevant: &[String]) -> [f64; 6] {
    let is_relevant = |slug: &str| relevant.iter().any(|r| r == slug);
    let found = |k: usize| ranked.iter().take(k).filter(|s| is_relevant(s)).count() as f64;
    let total = relevant.len().max(1) as f64;
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .filter(|(_, s)| is_relevant(s))
        .map(|(r, _)| 1.0 / (r as f64 + 2.0).log2())
        .sum();
    let ideal: f64 = (0..relevant.len().min(10)).map(|r| 1.0 / (r as f64 + 2.0).log2()).sum();
    let mrr = ranked.iter().take(10).position(|s| is_relevant(s)).map_or(0.0, |r| 1.0 / (r as f64 + 1.0));
    [
        found(1) / total,
        found(5) / total,
        found(10) / total,
        if found(5) > 0.0 { 1.0 } else { 0.0 },
        if ideal > 0.0 { dcg / ideal } else { 0.0 },
        mrr,
    ]
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
        });
    }
    Ok(docs)
}

/// Reads `{"qid", "query", "relevant": [id, …]}` lines.
fn read_queries(path: &Path) -> miette::Result<Vec<Query>> {
    let mut queries = Vec::new();
    for (line, value) in lines(path)? {
        let value = value?;
        let text = value["query"]
            .as_str()
            .ok_or_else(|| miette!("{}:{line}: a query needs a string `query`", path.display()))?
            .to_owned();
        let relevant: Vec<String> =
            value["relevant"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)).collect();
        if relevant.is_empty() {
            return Err(miette!("{}:{line}: `relevant` must list at least one tool id", path.display()));
        }
        queries.push(Query { text, relevant });
    }
    Ok(queries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_match_the_baseline_definitions() {
        let relevant = vec!["b".to_owned(), "z".to_owned()];
        let m = metrics(&["a", "b", "c"], &relevant);
        assert_eq!(m[0], 0.0);
        assert_eq!(m[1], 0.5);
        assert_eq!(m[3], 1.0);
        assert!((m[5] - 0.5).abs() < 1e-9);
        let ideal = 1.0 + 1.0 / 3f64.log2();
        assert!((m[4] - (1.0 / 3f64.log2()) / ideal).abs() < 1e-9);
        assert_eq!(metrics(&[], &relevant), [0.0; 6]);
    }
}
