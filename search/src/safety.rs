//! Rules applied to one query's scores after the lexical ranking: a tool whose action
//! contradicts the task's is demoted, a curated tool wins over an imported one that does
//! the same operation, and a destructive tool never outranks a matching non-destructive
//! one unless the task asks to destroy or names the tool's own action ("refund" asks for
//! an irreversible refund).

use std::collections::HashMap;

use toolsmith_spec::Origin;

use crate::action::{is_destructive, Actions, Lexicon, WordActions};
use crate::index::Document;
use crate::tokenize::Analyzer;

/// What the rules need to know of each tool, computed once at index build.
#[derive(Debug)]
pub(crate) struct Safety {
    /// The action lexicon, to read tasks.
    pub lexicon: Lexicon,
    /// Each tool's actions.
    actions: Vec<Actions>,
    /// Whether each tool is destructive.
    destructive: Vec<bool>,
    /// Whether any is.
    any_destructive: bool,
    /// (imported tool, curated tool) pairs doing the same operation.
    twins: Vec<(usize, usize)>,
}

/// Whether the sorted term lists `a` and `b` (at least two terms in the shorter) are
/// one within the other: "Merge a pull request" and "Merge a pull request
/// asynchronously".
fn one_names_the_other(a: &[u32], b: &[u32]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 2 && short.iter().all(|t| long.binary_search(t).is_ok())
}

/// The operation a tool performs: toolkit, method and path with its placeholders
/// unnamed (`DELETE /repos/{}/{}`); `None` when the document has no HTTP binding.
fn operation(doc: &Document) -> Option<(String, String, String)> {
    if doc.method.is_empty() || doc.path.is_empty() {
        return None;
    }
    let mut path = String::with_capacity(doc.path.len());
    let mut in_placeholder = false;
    for c in doc.path.chars() {
        match c {
            '{' => {
                in_placeholder = true;
                path.push_str("{}");
            }
            '}' => in_placeholder = false,
            c if !in_placeholder => path.push(c.to_ascii_lowercase()),
            _ => {}
        }
    }
    let path = path.trim_end_matches('/').to_owned();
    Some((doc.toolkit.to_ascii_lowercase(), doc.method.to_ascii_uppercase(), path))
}

impl Safety {
    /// Reads the actions, destructiveness and operations of `docs`; `names` are their
    /// name terms, sorted. An imported tool and a curated one do the same operation when
    /// they have the same toolkit, method and path, or the same toolkit and method and
    /// one's name is within the other's.
    pub(crate) fn new(docs: &[Document], names: &[Vec<u32>], analyzer: &Analyzer) -> Self {
        let lexicon = Lexicon::new(analyzer);
        let mut words = WordActions::new(analyzer);
        let actions = docs.iter().map(|d| lexicon.tool_actions(&mut words, d)).collect();
        let destructive: Vec<bool> = docs.iter().map(is_destructive).collect();
        // Curated tools by (toolkit, method), with their paths.
        let mut curated: HashMap<(String, String), Vec<(usize, String)>> = HashMap::new();
        for (i, doc) in docs.iter().enumerate() {
            if doc.origin == Origin::Curated {
                if let Some((toolkit, method, path)) = operation(doc) {
                    curated.entry((toolkit, method)).or_default().push((i, path));
                }
            }
        }
        let no_name = Vec::new();
        let name = |i: usize| names.get(i).unwrap_or(&no_name);
        let mut twins = Vec::new();
        for (i, doc) in docs.iter().enumerate().filter(|(_, d)| d.origin == Origin::Imported) {
            let Some((toolkit, method, path)) = operation(doc) else { continue };
            let Some(candidates) = curated.get(&(toolkit, method)) else { continue };
            let twin = candidates
                .iter()
                .find(|(_, p)| *p == path)
                .or_else(|| candidates.iter().find(|(c, _)| one_names_the_other(name(i), name(*c))));
            if let Some(&(c, _)) = twin {
                twins.push((i, c));
            }
        }
        let any_destructive = destructive.iter().any(|&d| d);
        Safety { lexicon, actions, destructive, any_destructive, twins }
    }

    /// Each tool's actions, by document.
    pub(crate) fn actions(&self) -> &[Actions] {
        &self.actions
    }

    /// Whether tool `doc` has actions and the task names others: its score is then
    /// multiplied by [`SearchConfig::action_mismatch`](crate::SearchConfig::action_mismatch).
    #[cfg(test)]
    fn contradicts(&self, doc: usize, task: Actions) -> bool {
        self.actions[doc].contradicts(task)
    }

    /// Applies the rules to the scores of a query whose actions are `task`:
    /// 1. a tool that [contradicts](Self::contradicts) the task is multiplied by
    ///    `mismatch`;
    /// 2. then [`settle`](Self::settle).
    #[cfg(test)]
    fn apply(&self, task: Actions, scores: &mut [f32], mismatch: f32) {
        for (doc, score) in scores.iter_mut().enumerate() {
            if self.contradicts(doc, task) {
                *score *= mismatch;
            }
        }
        self.settle(task, scores);
    }

    /// The rules over all scores of a query whose actions are `task`:
    /// 1. a curated tool scores at least as much as its imported twin, which then falls
    ///    just below it;
    /// 2. unless the task asks to destroy, every destructive tool whose action the task
    ///    does not name falls below the lowest-scored non-destructive tool whose action
    ///    the task names (order among those destructive tools is kept).
    pub(crate) fn settle(&self, task: Actions, scores: &mut [f32]) {
        for &(imported, curated) in &self.twins {
            let (i, c) = (scores[imported], scores[curated]);
            if i > 0.0 && i >= c {
                scores[curated] = i;
                scores[imported] = i * 0.99;
            }
        }
        if task.is_empty() || task.destroys() || !self.any_destructive {
            return;
        }
        let unasked = |d: usize| self.destructive[d] && !self.actions[d].meets(task);
        let (mut floor, mut highest) = (f32::INFINITY, 0f32);
        for (d, &s) in scores.iter().enumerate() {
            if s <= 0.0 {
                continue;
            }
            if self.destructive[d] {
                if !self.actions[d].meets(task) {
                    highest = highest.max(s);
                }
            } else if s < floor && self.actions[d].meets(task) {
                floor = s;
            }
        }
        if floor.is_finite() && highest >= floor {
            let scale = 0.99 * floor / highest;
            for (d, score) in scores.iter_mut().enumerate() {
                if unasked(d) {
                    *score *= scale;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Action;

    fn doc(slug: &str, name: &str, method: &str, path: &str, origin: Origin) -> Document {
        Document {
            slug: slug.into(),
            toolkit: "demo".into(),
            name: name.into(),
            method: method.into(),
            path: path.into(),
            origin,
            ..Default::default()
        }
    }

    fn catalog() -> Vec<Document> {
        vec![
            doc("DEMO_DELETE_CUSTOMER", "Delete a customer", "DELETE", "/customers/{id}", Origin::Curated),
            doc("DEMO_CREATE_REFUND", "Create a refund", "POST", "/refunds", Origin::Curated),
            doc("DEMO_LIST_CUSTOMERS", "List customers", "GET", "/customers", Origin::Curated),
            doc("DEMO_GET_CUSTOMERS", "List all customers", "GET", "/customers/", Origin::Imported),
            doc("DEMO_POST_REFUNDS", "Refund a charge", "POST", "/refunds", Origin::Imported),
            Document {
                tags: vec!["destructiveHint".into()],
                ..doc("DEMO_REFUND_PAYMENT", "Refund a payment", "POST", "/payments/{id}/refund", Origin::Curated)
            },
        ]
    }

    fn actions(list: &[Action]) -> Actions {
        let mut set = Actions::default();
        for a in list {
            set.insert(*a);
        }
        set
    }

    /// The rules on a table of cases: (task actions, scores before) → the order after.
    #[test]
    fn destructive_tools_never_outrank_a_matching_safe_one() {
        let docs = catalog();
        let safety = Safety::new(&docs, &[], &Analyzer::new());
        let cases: &[(&[Action], [f32; 6], &[usize])] = &[
            // "refund …": the delete tool falls below the refund tools; the curated
            // refund tool wins over its imported twin; the destructive refund tool,
            // asked for, keeps its place.
            (&[Action::Refund], [9.0, 3.0, 2.0, 1.0, 4.0, 5.0], &[5, 1, 4, 0, 2, 3]),
            // "delete the customer": asked to destroy, the destroyer stays first.
            (&[Action::Delete], [9.0, 3.0, 2.0, 1.0, 1.0, 0.0], &[0, 1, 2, 3, 4]),
            // "list customers": the destructive tools go below the list tools.
            (&[Action::Read], [9.0, 0.0, 2.0, 3.0, 0.0, 8.0], &[2, 3, 0, 5]),
            // No action named: nothing moves.
            (&[], [9.0, 3.0, 2.0, 1.0, 0.5, 0.0], &[0, 1, 2, 3, 4]),
        ];
        for (task, before, order) in cases {
            let mut scores = before.to_vec();
            safety.apply(actions(task), &mut scores, 0.5);
            let mut ranked: Vec<usize> = (0..scores.len()).filter(|&d| scores[d] > 0.0).collect();
            ranked.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
            assert_eq!(&ranked, order, "task {task:?}, scores {before:?} → {scores:?}");
        }
    }

    #[test]
    fn twins_share_toolkit_method_and_path_or_name() {
        let safety = Safety::new(&catalog(), &[], &Analyzer::new());
        assert_eq!(safety.twins, [(3, 2), (4, 1)]);
        assert_eq!(operation(&Document::default()), None);
        let docs = vec![
            doc("DEMO_MERGE", "Merge a pull request", "PUT", "/pulls/{n}/merge", Origin::Curated),
            doc(
                "DEMO_MERGE_ASYNC",
                "Merge a pull request asynchronously",
                "PUT",
                "/pulls/{n}/merge-async",
                Origin::Imported,
            ),
            doc("DEMO_MERGE_GET", "Merge a pull request", "GET", "/pulls/{n}/merge", Origin::Imported),
        ];
        let names = [vec![1, 2, 3], vec![1, 2, 3, 4], vec![1, 2, 3]];
        assert_eq!(Safety::new(&docs, &names, &Analyzer::new()).twins, [(1, 0)]);
        assert!(!one_names_the_other(&[1], &[1, 2]), "one word is not a name");
    }

    /// For any scores and any task that does not ask to destroy, no destructive tool
    /// whose action the task does not name ends above a non-destructive tool whose
    /// action it names.
    #[test]
    fn the_rule_holds_for_any_scores() {
        let docs = catalog();
        let safety = Safety::new(&docs, &[], &Analyzer::new());
        let mut seed = 0x2545_f491_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            (seed % 1000) as f32 / 100.0
        };
        for task in [Action::Refund, Action::Read, Action::Create, Action::Update] {
            for _ in 0..500 {
                let mut scores: Vec<f32> = (0..docs.len()).map(|_| next()).collect();
                safety.apply(actions(&[task]), &mut scores, 0.5);
                for (d, &s) in scores.iter().enumerate() {
                    if safety.destructive[d] && !safety.actions[d].meets(actions(&[task])) {
                        for (m, &t) in scores.iter().enumerate() {
                            if !safety.destructive[m] && t > 0.0 && safety.actions[m].meets(actions(&[task])) {
                                assert!(s < t, "{task:?}: destructive {d} ({s}) above {m} ({t})");
                            }
                        }
                    }
                }
            }
        }
    }
}
