//! What a task asks to do and what a tool does, as coarse actions (create, delete,
//! refund, star …), so that ranking can demote a tool whose action contradicts the
//! task's and keep destructive tools away from tasks that do not ask to destroy.
//!
//! The lexicon is small and general: common English verbs grouped by the action they
//! name. A word may belong to one action only. It is not tuned to any query set; add a
//! verb only when it names an action in any API ("void" an invoice, "revoke" a token).
//!
//! | action | verbs |
//! |---|---|
//! | create | create, add, make, insert, generate, register |
//! | read | list, get, fetch, find, show, search, retrieve, read, view, lookup, look, query, browse, check, describe, download, export |
//! | update | update, edit, modify, change, rename, patch, replace, move, reorder, assign, pin |
//! | delete | delete, remove, destroy, erase, purge, trash, wipe, unpin, kick |
//! | send | send, post, reply, forward, notify, publish |
//! | upload | upload, attach |
//! | refund | refund, reimburse |
//! | charge | charge, pay, capture |
//! | star | star, favorite, favourite, bookmark |
//! | unstar | unstar, unfavorite, unfavourite |
//! | archive | archive, unarchive |
//! | cancel | cancel, void, revoke, abort, terminate |
//! | close | close, resolve, reopen |
//! | merge | merge |
//! | invite | invite, join |
//! | subscribe | subscribe, follow |
//! | unsubscribe | unsubscribe, unfollow |
//! | run | run, rerun, trigger, execute, dispatch, invoke, deploy |
//!
//! Words left out on purpose, because in requests they are more often something else
//! than the verb: new, open, start, set, like, see, message, share, mark, label, count,
//! complete, finish, drop, leave, watch, bill ("any new emails?", "open the file",
//! "something like X", "the watch list").
//!
//! A tool's actions: the first lexicon verb of its slug (after the toolkit's prefix) and
//! the first of its name; when one is generic (create, send), also the first word of its
//! description if it is a verb ("Cancels a refund"), else the last verb of the slug and
//! the name ("create a refund" also refunds); when none has one, its HTTP method (GET read, POST create,
//! PUT/PATCH update, DELETE delete). A tool is *destructive* when its method is DELETE
//! or it carries `destructiveHint`. A task *asks to destroy* when one of its actions is
//! delete, cancel, unstar or unsubscribe (the actions whose tools undo or remove
//! something).

use crate::index::Document;
use crate::tokenize::{for_each_word_in, Analyzer, WordBuffers};

/// A coarse action, named by a group of verbs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Makes something new.
    Create,
    /// Reads, lists or searches.
    Read,
    /// Changes something that exists.
    Update,
    /// Removes something.
    Delete,
    /// Sends or posts a message.
    Send,
    /// Uploads or attaches a file.
    Upload,
    /// Gives money back.
    Refund,
    /// Takes a payment.
    Charge,
    /// Stars, likes or bookmarks.
    Star,
    /// Undoes a star, like or bookmark.
    Unstar,
    /// Archives or unarchives.
    Archive,
    /// Cancels, voids or revokes.
    Cancel,
    /// Closes, resolves or reopens.
    Close,
    /// Merges.
    Merge,
    /// Invites, joins or leaves.
    Invite,
    /// Subscribes or follows.
    Subscribe,
    /// Unsubscribes or unfollows.
    Unsubscribe,
    /// Runs, triggers or deploys.
    Run,
}

/// The verb groups (see the module's table).
const LEXICON: &[(Action, &[&str])] = &[
    (Action::Create, &["create", "add", "make", "insert", "generate", "register"]),
    (
        Action::Read,
        &[
            "list", "get", "fetch", "find", "show", "search", "retrieve", "read", "view", "lookup", "look", "query",
            "browse", "check", "describe", "download", "export",
        ],
    ),
    (
        Action::Update,
        &["update", "edit", "modify", "change", "rename", "patch", "replace", "move", "reorder", "assign", "pin"],
    ),
    (Action::Delete, &["delete", "remove", "destroy", "erase", "purge", "trash", "wipe", "unpin", "kick"]),
    (Action::Send, &["send", "post", "reply", "forward", "notify", "publish"]),
    (Action::Upload, &["upload", "attach"]),
    (Action::Refund, &["refund", "reimburse"]),
    (Action::Charge, &["charge", "pay", "capture"]),
    (Action::Star, &["star", "favorite", "favourite", "bookmark"]),
    (Action::Unstar, &["unstar", "unfavorite", "unfavourite"]),
    (Action::Archive, &["archive", "unarchive"]),
    (Action::Cancel, &["cancel", "void", "revoke", "abort", "terminate"]),
    (Action::Close, &["close", "resolve", "reopen"]),
    (Action::Merge, &["merge"]),
    (Action::Invite, &["invite", "join"]),
    (Action::Subscribe, &["subscribe", "follow"]),
    (Action::Unsubscribe, &["unsubscribe", "unfollow"]),
    (Action::Run, &["run", "rerun", "trigger", "execute", "dispatch", "invoke", "deploy"]),
];

impl Action {
    /// Whether a task with this action asks to remove or undo something, so that a
    /// destructive tool may rank first.
    pub fn destroys(self) -> bool {
        matches!(self, Action::Delete | Action::Cancel | Action::Unstar | Action::Unsubscribe)
    }
}

/// A small set of actions (a bit per [`Action`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Actions(u32);

impl Actions {
    /// Adds an action.
    pub fn insert(&mut self, action: Action) {
        self.0 |= 1 << action as u32;
    }

    /// Whether the set holds `action`.
    pub fn contains(self, action: Action) -> bool {
        self.0 & (1 << action as u32) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether the two sets share an action.
    pub fn meets(self, other: Actions) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether a tool of these actions contradicts a task of `task`'s: both name actions,
    /// and none in common.
    #[inline]
    pub(crate) fn contradicts(self, task: Actions) -> bool {
        !task.is_empty() && !self.is_empty() && !self.meets(task)
    }

    /// Whether any action of the set [destroys](Action::destroys).
    pub fn destroys(self) -> bool {
        [Action::Delete, Action::Cancel, Action::Unstar, Action::Unsubscribe].into_iter().any(|a| self.contains(a))
    }
}

/// The lexicon with its verbs stemmed, to look up the words of tasks and tools.
#[derive(Debug)]
pub(crate) struct Lexicon {
    /// Stemmed verb → action.
    verbs: crate::index::FastMap<String, Action>,
}

impl Lexicon {
    /// Stems the lexicon's verbs with `analyzer`.
    pub(crate) fn new(analyzer: &Analyzer) -> Self {
        let mut verbs = crate::index::FastMap::default();
        for (action, words) in LEXICON {
            for word in *words {
                verbs.entry(analyzer.stem(word)).or_insert(*action);
            }
        }
        Lexicon { verbs }
    }

    /// The action of a stemmed word, if it is a verb of the lexicon.
    pub(crate) fn action_of_stem(&self, stem: &str) -> Option<Action> {
        self.verbs.get(stem).copied()
    }

    /// Every action named in a task (its stemmed terms).
    pub(crate) fn task_actions(&self, stems: &[String]) -> Actions {
        let mut actions = Actions::default();
        for stem in stems {
            if let Some(a) = self.action_of_stem(stem) {
                actions.insert(a);
            }
        }
        actions
    }

    /// The actions named in `text`, in order, skipping the word `skip` (the toolkit's
    /// slug, which prefixes tool slugs).
    fn actions_in(&self, words: &mut WordActions<'_>, text: &str, skip: &str) -> Vec<Action> {
        let mut found = Vec::new();
        let mut buffers = std::mem::take(&mut words.buffers);
        for_each_word_in(text, &mut buffers, |word| {
            if !word.eq_ignore_ascii_case(skip) {
                found.extend(words.seen_action(self, word));
            }
        });
        words.buffers = buffers;
        found
    }

    /// A tool's actions: the first verb of its slug and of its name; when one of them is
    /// generic (create, send: also what an imported `POST` slug says), the first word of
    /// its description if it is a verb ("Refunds a payment"), else the last verb of the
    /// slug and of the name ("create a refund"); when none, its HTTP method.
    pub(crate) fn tool_actions(&self, words: &mut WordActions<'_>, doc: &Document) -> Actions {
        let mut actions = Actions::default();
        let skip = doc.toolkit.rsplit('/').next().unwrap_or_default();
        let named = [self.actions_in(words, &doc.slug, skip), self.actions_in(words, &doc.name, skip)];
        let mut generic = false;
        for found in &named {
            if let Some(&first) = found.first() {
                actions.insert(first);
                generic |= matches!(first, Action::Create | Action::Send);
            }
        }
        if generic {
            let mut first_word = None;
            // Whitespace ends a word, so the first word of the first chunk that has one
            // is the description's first word.
            let mut buffers = std::mem::take(&mut words.buffers);
            for chunk in doc.description.split_whitespace() {
                for_each_word_in(chunk, &mut buffers, |word| {
                    if first_word.is_none() {
                        first_word = Some(words.seen_action(self, word));
                    }
                });
                if first_word.is_some() {
                    break;
                }
            }
            words.buffers = buffers;
            match first_word.flatten() {
                Some(described) => actions.insert(described),
                None => named.iter().filter_map(|found| found.last()).for_each(|&a| actions.insert(a)),
            }
        }
        if actions.is_empty() {
            let by_method = match doc.method.to_ascii_uppercase().as_str() {
                "GET" | "HEAD" => Some(Action::Read),
                "POST" => Some(Action::Create),
                "PUT" | "PATCH" => Some(Action::Update),
                "DELETE" => Some(Action::Delete),
                _ => None,
            };
            if let Some(a) = by_method {
                actions.insert(a);
            }
        }
        actions
    }
}

/// The action of each word (lower case, unstemmed) seen while reading a catalog's tools,
/// so that each distinct word is stemmed once.
pub(crate) struct WordActions<'a> {
    analyzer: &'a Analyzer,
    seen: crate::index::FastMap<String, Option<Action>>,
    buffers: WordBuffers,
}

impl<'a> WordActions<'a> {
    /// An empty memory, stemming with `analyzer`.
    pub(crate) fn new(analyzer: &'a Analyzer) -> Self {
        WordActions { analyzer, seen: crate::index::FastMap::default(), buffers: WordBuffers::default() }
    }

    /// The action of `word`, a verb of `lexicon` once stemmed.
    fn seen_action(&mut self, lexicon: &Lexicon, word: &str) -> Option<Action> {
        if let Some(&action) = self.seen.get(word) {
            return action;
        }
        let action = lexicon.action_of_stem(&self.analyzer.stem(word));
        self.seen.insert(word.to_owned(), action);
        action
    }
}

/// Whether a tool may delete or overwrite data: its method is DELETE or it carries
/// `destructiveHint`.
pub(crate) fn is_destructive(doc: &Document) -> bool {
    doc.method.eq_ignore_ascii_case("DELETE") || doc.tags.iter().any(|t| t == "destructiveHint")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(slug: &str, name: &str, method: &str) -> Document {
        Document {
            slug: slug.into(),
            toolkit: "github".into(),
            name: name.into(),
            method: method.into(),
            ..Default::default()
        }
    }

    fn described(slug: &str, name: &str, description: &str) -> Document {
        Document { description: description.into(), ..doc(slug, name, "POST") }
    }

    #[test]
    fn tools_take_the_first_verb_of_slug_and_name() {
        let analyzer = Analyzer::new();
        let lexicon = Lexicon::new(&analyzer);
        let mut words = WordActions::new(&analyzer);
        let star = lexicon.tool_actions(&mut words, &doc("GITHUB_ACTIVITY_STAR_REPO", "Star a repository", "PUT"));
        assert!(star.contains(Action::Star) && !star.contains(Action::Update));
        let listed =
            lexicon.tool_actions(&mut words, &doc("GITHUB_LIST_STARRED", "List repositories starred by a user", "GET"));
        assert!(listed.contains(Action::Read) && !listed.contains(Action::Star));
        let deleted = lexicon.tool_actions(&mut words, &doc("GITHUB_REPOS_DELETE", "", "DELETE"));
        assert!(deleted.contains(Action::Delete));
        let refund = lexicon.tool_actions(&mut words, &doc("STRIPE_CREATE_REFUND", "Create a refund", "POST"));
        assert!(refund.contains(Action::Refund) && refund.contains(Action::Create));
        let cancel = lexicon.tool_actions(
            &mut words,
            &described("STRIPE_POST_REFUNDS_REFUND_CANCEL", "Post v1 refunds by refund cancel", "Cancels a refund."),
        );
        assert!(cancel.contains(Action::Cancel) && !cancel.contains(Action::Refund));
        let by_method = lexicon.tool_actions(&mut words, &doc("GITHUB_REPOS_X", "A repository", "GET"));
        assert!(by_method.contains(Action::Read));
        assert!(lexicon.tool_actions(&mut words, &doc("GITHUB_X", "", "")).is_empty());
    }

    #[test]
    fn tasks_name_every_action_and_some_destroy() {
        let analyzer = Analyzer::new();
        let lexicon = Lexicon::new(&analyzer);
        let refund = lexicon.task_actions(&analyzer.terms("refund the last payment of customer cus_123"));
        assert!(refund.contains(Action::Refund) && !refund.destroys());
        assert!(lexicon.task_actions(&analyzer.terms("delete a repository")).destroys());
        assert!(lexicon.task_actions(&analyzer.terms("cancelling my subscription")).destroys());
        assert!(lexicon.task_actions(&analyzer.terms("what is the weather")).is_empty());
    }

    #[test]
    fn every_verb_names_one_action() {
        let mut seen = std::collections::HashSet::new();
        for (_, words) in LEXICON {
            for word in *words {
                assert!(seen.insert(*word), "`{word}` is in two groups");
            }
        }
    }
}
