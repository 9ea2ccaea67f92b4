//! Measuring search on labelled queries: the JSON Lines format of the development sets
//! and of the built-in catalog's task set (`tests/search/builtin-tasks.jsonl`),
//! `{"qid", "query", "relevant": [tool slug, …], "split"}`, and the metrics of
//! `bm25_baseline.py` (recall@1/5/10, hit@5, nDCG@10, MRR@10). `toolsmith bench search`
//! and the task-set tests share them.
//!
//! ```
//! use toolsmith::search::eval::{evaluate, parse_queries};
//! use toolsmith::search::{Document, SearchIndex};
//!
//! let queries = parse_queries(concat!(
//!     r#"{"qid": "q1", "query": "send an email", "relevant": ["MAIL_SEND"], "split": "single"}"#, "\n",
//!     r#"{"qid": "q2", "query": "order a pizza", "relevant": [], "split": "no_match"}"#, "\n",
//! ))?;
//! let doc = |slug: &str, description: &str| Document { slug: slug.into(), description: description.into(), ..Default::default() };
//! let index = SearchIndex::new(vec![doc("MAIL_SEND", "Sends an email."), doc("MAIL_LIST", "Lists emails.")]);
//! let report = evaluate(&index, &queries);
//! assert_eq!((report.scored, report.no_match), (1, 1));
//! assert_eq!(report.mean.recall_at_5, 1.0);
//! # Ok::<(), toolsmith::search::eval::QueryFileError>(())
//! ```

use std::collections::BTreeMap;
use std::time::Instant;

use toolsmith_search::{Document, SearchIndex, SearchOptions};

/// The split of queries that no tool fits: their `relevant` list is empty and they are
/// left out of the retrieval metrics.
pub const NO_MATCH: &str = "no_match";

/// One labelled query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelledQuery {
    /// Its id (`qid`), or `line N` when the line has none.
    pub qid: String,
    /// What the user asks.
    pub query: String,
    /// The tools that do it (empty for a [`NO_MATCH`] query).
    pub relevant: Vec<String>,
    /// Its group (`single`, `multi`, `no_match`, …); empty when the line has none.
    pub split: String,
}

/// A line of a query file that cannot be used; [`QueryFileError::line`] says which.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryFileError {
    /// The line is not a JSON object.
    #[error("not a JSON object ({message}); write one object a line")]
    NotJson {
        /// 1-based line number.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// `query` is missing or not a string.
    #[error("a query needs a string `query`")]
    NoQuery {
        /// 1-based line number.
        line: usize,
    },
    /// `relevant` is empty on a query whose split is not `no_match`.
    #[error("`relevant` must list at least one tool id (or set `\"split\": \"no_match\"` for a request no tool fits)")]
    NoRelevant {
        /// 1-based line number.
        line: usize,
    },
}

impl QueryFileError {
    /// The 1-based line the error is on.
    pub fn line(&self) -> usize {
        match self {
            QueryFileError::NotJson { line, .. }
            | QueryFileError::NoQuery { line }
            | QueryFileError::NoRelevant { line } => *line,
        }
    }
}

/// The labelled queries of a JSON Lines text; blank lines are skipped.
pub fn parse_queries(text: &str) -> Result<Vec<LabelledQuery>, QueryFileError> {
    let mut queries = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(raw).map_err(|e| QueryFileError::NotJson { line, message: e.to_string() })?;
        let query = value["query"].as_str().ok_or(QueryFileError::NoQuery { line })?.to_owned();
        let relevant: Vec<String> =
            value["relevant"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)).collect();
        let split = value["split"].as_str().unwrap_or_default().to_owned();
        if relevant.is_empty() && split != NO_MATCH {
            return Err(QueryFileError::NoRelevant { line });
        }
        let qid = value["qid"].as_str().map_or_else(|| format!("line {line}"), str::to_owned);
        queries.push(LabelledQuery { qid, query, relevant, split });
    }
    Ok(queries)
}

/// Retrieval metrics of one ranking, or their mean over queries.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Metrics {
    /// Share of the relevant tools in the top 1.
    pub recall_at_1: f64,
    /// Share of the relevant tools in the top 5.
    pub recall_at_5: f64,
    /// Share of the relevant tools in the top 10.
    pub recall_at_10: f64,
    /// 1 when any relevant tool is in the top 5.
    pub hit_at_5: f64,
    /// nDCG@10 with binary relevance.
    pub ndcg_at_10: f64,
    /// Reciprocal rank of the first relevant tool in the top 10.
    pub mrr_at_10: f64,
}

impl Metrics {
    /// The metrics of one ranking (best first) against the relevant tools: the
    /// definitions of `bm25_baseline.py`.
    pub fn of(ranked: &[&str], relevant: &[String]) -> Metrics {
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
        Metrics {
            recall_at_1: found(1) / total,
            recall_at_5: found(5) / total,
            recall_at_10: found(10) / total,
            hit_at_5: if found(5) > 0.0 { 1.0 } else { 0.0 },
            ndcg_at_10: if ideal > 0.0 { dcg / ideal } else { 0.0 },
            mrr_at_10: ranked.iter().take(10).position(|s| is_relevant(s)).map_or(0.0, |r| 1.0 / (r as f64 + 1.0)),
        }
    }

    /// The metrics as `(name, value)` pairs, in the order the bench prints them.
    pub fn named(&self) -> [(&'static str, f64); 6] {
        [
            ("recall@1", self.recall_at_1),
            ("recall@5", self.recall_at_5),
            ("recall@10", self.recall_at_10),
            ("hit@5", self.hit_at_5),
            ("ndcg@10", self.ndcg_at_10),
            ("mrr@10", self.mrr_at_10),
        ]
    }

    fn add(&mut self, other: &Metrics) {
        self.recall_at_1 += other.recall_at_1;
        self.recall_at_5 += other.recall_at_5;
        self.recall_at_10 += other.recall_at_10;
        self.hit_at_5 += other.hit_at_5;
        self.ndcg_at_10 += other.ndcg_at_10;
        self.mrr_at_10 += other.mrr_at_10;
    }

    fn divided(&self, n: usize) -> Metrics {
        let n = n.max(1) as f64;
        Metrics {
            recall_at_1: self.recall_at_1 / n,
            recall_at_5: self.recall_at_5 / n,
            recall_at_10: self.recall_at_10 / n,
            hit_at_5: self.hit_at_5 / n,
            ndcg_at_10: self.ndcg_at_10 / n,
            mrr_at_10: self.mrr_at_10 / n,
        }
    }
}

/// What [`evaluate`] measured.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    /// The mean metrics over the queries with relevant tools.
    pub mean: Metrics,
    /// The mean metrics of each split that has relevant tools, by split name.
    pub splits: BTreeMap<String, (usize, Metrics)>,
    /// How many queries the metrics cover.
    pub scored: usize,
    /// How many [`NO_MATCH`] queries were searched (not in the metrics).
    pub no_match: usize,
    /// Wall time of each search, in milliseconds, sorted.
    pub latencies_ms: Vec<f64>,
}

impl Evaluation {
    /// The median latency, in milliseconds.
    pub fn p50_ms(&self) -> f64 {
        self.latencies_ms.get(self.latencies_ms.len().saturating_sub(1) / 2).copied().unwrap_or_default()
    }

    /// The 95th-percentile latency, in milliseconds.
    pub fn p95_ms(&self) -> f64 {
        let i = ((self.latencies_ms.len() as f64 * 0.95) as usize).saturating_sub(1);
        self.latencies_ms.get(i).copied().unwrap_or_default()
    }
}

/// Searches every query (top 10, after a warm-up of up to 50 searches) and measures.
pub fn evaluate(index: &SearchIndex, queries: &[LabelledQuery]) -> Evaluation {
    let options = SearchOptions { limit: 10, toolkit: None, allowed: None };
    evaluate_ranking(index.documents(), queries, |query| {
        index.search(query, &options).into_iter().map(|hit| hit.doc).collect()
    })
}

/// [`evaluate`] for any ranker over `docs`: `search` gives a query's best documents
/// (positions in `docs`, best first, at least 10 when there are), timed one call each;
/// for a baseline next to the engine ([`toolsmith_search::Bm25Baseline`]).
pub fn evaluate_ranking(
    docs: &[Document],
    queries: &[LabelledQuery],
    mut search: impl FnMut(&str) -> Vec<usize>,
) -> Evaluation {
    // Warm-up: caches and the allocator, as in a long-running server.
    for q in queries.iter().take(50) {
        std::hint::black_box(search(&q.query));
    }
    let mut out = Evaluation::default();
    let mut sum = Metrics::default();
    let mut split_sums: BTreeMap<String, (usize, Metrics)> = BTreeMap::new();
    for q in queries {
        let start = Instant::now();
        let ranked = search(&q.query);
        out.latencies_ms.push(start.elapsed().as_secs_f64() * 1000.0);
        if q.relevant.is_empty() {
            out.no_match += 1;
            continue;
        }
        let ranked: Vec<&str> = ranked.iter().filter_map(|&d| docs.get(d)).map(|d| d.slug.as_str()).collect();
        let m = Metrics::of(&ranked, &q.relevant);
        sum.add(&m);
        let entry = split_sums.entry(q.split.clone()).or_default();
        entry.0 += 1;
        entry.1.add(&m);
        out.scored += 1;
    }
    out.latencies_ms.sort_by(f64::total_cmp);
    out.mean = sum.divided(out.scored);
    out.splits = split_sums.into_iter().map(|(k, (n, m))| (k, (n, m.divided(n)))).collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_match_the_baseline_definitions() {
        let relevant = vec!["b".to_owned(), "z".to_owned()];
        let m = Metrics::of(&["a", "b", "c"], &relevant);
        assert_eq!(m.recall_at_1, 0.0);
        assert_eq!(m.recall_at_5, 0.5);
        assert_eq!(m.hit_at_5, 1.0);
        assert!((m.mrr_at_10 - 0.5).abs() < 1e-9);
        let ideal = 1.0 + 1.0 / 3f64.log2();
        assert!((m.ndcg_at_10 - (1.0 / 3f64.log2()) / ideal).abs() < 1e-9);
        assert_eq!(Metrics::of(&[], &relevant), Metrics::default());
    }

    #[test]
    fn any_ranker_is_measured_alike() {
        let doc = |slug: &str| Document { slug: slug.into(), ..Default::default() };
        let docs = [doc("A"), doc("B")];
        let queries = parse_queries("{\"query\": \"x\", \"relevant\": [\"B\"]}\n").unwrap();
        let report = evaluate_ranking(&docs, &queries, |_| vec![7, 1, 0]);
        assert_eq!((report.scored, report.mean.recall_at_1, report.latencies_ms.len()), (1, 1.0, 1));
    }

    #[test]
    fn query_lines_are_checked() {
        assert_eq!(
            parse_queries("{\"query\": \"x\", \"relevant\": []}\n"),
            Err(QueryFileError::NoRelevant { line: 1 })
        );
        assert_eq!(parse_queries("\n{\"relevant\": [\"A\"]}"), Err(QueryFileError::NoQuery { line: 2 }));
        assert!(matches!(parse_queries("nope"), Err(QueryFileError::NotJson { line: 1, .. })));
        let q = parse_queries("{\"query\": \"x\", \"relevant\": [], \"split\": \"no_match\"}").unwrap();
        assert_eq!((q[0].qid.as_str(), q[0].relevant.len()), ("line 1", 0));
    }
}
