//! The toolsmith search engine: an agent describes a task ("create a GitHub issue for
//! the login bug") and gets the few tools that do it. It searches plain [`Document`]s
//! and knows nothing of registries or executors; the runtime builds the documents of
//! its registry and answers in the shape of Composio's `COMPOSIO_SEARCH_TOOLS`
//! (`toolsmith_search::ToolSearch`).
//!
//! - [`SearchIndex`]: BM25F over separately weighted fields (slug, name, description,
//!   parameter names and descriptions, toolkit, tags), a tokenizer that splits
//!   `camelCase` / `snake_case` / slugs and stems ([`Analyzer`]), a hand-written
//!   thesaurus of API and everyday vocabulary ([`Thesaurus`]), a boost for a toolkit
//!   named in the task, and multi-step tasks split into steps ([`split_steps`]).
//! - [`Bm25Baseline`]: plain BM25 Okapi, the yardstick `toolsmith bench search` reports
//!   next to the engine.
//! - [`Document::from_tool`]: a tool of a toolkit spec as a document.
//! - [`dependencies_of`] / [`dependencies_for_task`]: the tools of a toolkit that produce
//!   a tool's required IDs (and the optional ones a task mentions; never cursors).
//! - Safe ranking: the task's action (its verb: create, delete, refund, star …) is
//!   compared with each tool's ([`Action`]); a tool whose action contradicts the task's
//!   is demoted, a curated tool wins over an imported one of the same operation, and a
//!   destructive tool never outranks a matching non-destructive one unless the task asks
//!   to destroy. Every [`Hit`] has a score and a confidence (under [`LOW_CONFIDENCE`], no
//!   tool fits well).
//!
//! ```
//! use toolsmith_search::{Document, SearchIndex, SearchOptions};
//!
//! let doc = |slug: &str, description: &str| Document {
//!     slug: slug.into(),
//!     toolkit: "slack".into(),
//!     toolkit_name: "Slack".into(),
//!     description: description.into(),
//!     ..Default::default()
//! };
//! let index = SearchIndex::new(vec![
//!     doc("SLACK_LIST_CHANNELS", "Lists the channels of the workspace."),
//!     doc("SLACK_SEND_MESSAGE", "Posts a message to a channel."),
//! ]);
//! let hits = index.search("send a message to a channel", &SearchOptions::default());
//! assert_eq!(index.documents()[hits[0].doc].slug, "SLACK_SEND_MESSAGE");
//! ```

mod action;
mod baseline;
mod confidence;
mod deps;
mod factors;
mod index;
mod parallel;
mod rank;
mod safety;
mod scratch;
#[cfg(feature = "embeddings")]
mod semantic;
mod steps;
mod synonyms;
mod tokenize;
mod top;

pub use action::{Action, Actions};
pub use baseline::{baseline_text, baseline_tokens, Bm25Baseline, BM25_B, BM25_EPSILON, BM25_K1};
pub use confidence::LOW_CONFIDENCE;
pub use deps::{dependencies_for_task, dependencies_of, is_pagination, Dependency};
pub use index::{Document, FieldWeights};
pub use rank::{Hit, SearchConfig, SearchIndex, SearchOptions};
pub use steps::split_steps;
pub use synonyms::Thesaurus;
pub use tokenize::{for_each_word, is_stop_word, Analyzer};
