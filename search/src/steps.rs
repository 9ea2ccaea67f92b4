//! Splitting a multi-step task ("First find the channel. Then post the summary.") into
//! its steps, so that each step's tool is found, not only the tool the whole text
//! resembles most.

/// Words that open a new step wherever they stand: "find the channel then post",
/// "… and after that archive it". None of them is also an ordinary adjective or adverb
/// inside a request.
const MARKERS_ANYWHERE: &[&str] = &[
    "then",
    "afterwards",
    "afterward",
    "after that",
    "after this",
    "finally",
    "lastly",
    "additionally",
    "furthermore",
    "moreover",
    "in addition",
    "once done",
    "once that",
];

/// Words that open a new step only at the start of a clause (the start of the task, after
/// `.` `;` `:` `,` `!` `?`, or after "and"): "Next, post it", "…, also create a deal".
/// Inside a phrase they are ordinary words: "play the next song", "the second round
/// interview", "I also need".
const MARKERS_AT_CLAUSE_START: &[&str] = &["next", "also", "besides", "second", "secondly", "third", "thirdly"];

/// Whether the word at byte `i` of `lower` starts a clause: nothing but spaces before it,
/// or clause punctuation, or the word "and".
fn at_clause_start(lower: &str, i: usize) -> bool {
    let before = lower[..i].trim_end();
    match before.as_bytes().last() {
        None => true,
        Some(b'.' | b';' | b':' | b',' | b'!' | b'?') => true,
        Some(_) => before
            .strip_suffix("and")
            .is_some_and(|rest| rest.as_bytes().last().is_none_or(|c| !c.is_ascii_alphanumeric())),
    }
}

/// The step marker that starts at byte `i` of `lower` (at a word start), if any.
fn marker_at(lower: &str, i: usize) -> Option<&'static str> {
    let bytes = lower.as_bytes();
    let whole_word =
        |m: &str| lower[i..].starts_with(m) && bytes.get(i + m.len()).is_none_or(|c| !c.is_ascii_alphanumeric());
    MARKERS_ANYWHERE.iter().copied().find(|m| whole_word(m)).or_else(|| {
        MARKERS_AT_CLAUSE_START.iter().copied().find(|m| whole_word(m)).filter(|_| at_clause_start(lower, i))
    })
}

/// The steps of a task: its sentences and clauses opened by a step word ("then",
/// "after that", "finally" anywhere; "next", "also", "second" only at the start of a
/// clause). A task without a step word is one step and gives an empty list, as does a
/// task whose pieces are too short to search alone.
///
/// ```
/// let steps = toolsmith_search::split_steps("Find the #general channel, then post the weekly summary there.");
/// assert_eq!(steps, ["Find the #general channel", "then post the weekly summary there."]);
/// assert!(toolsmith_search::split_steps("Create a GitHub issue for the login bug.").is_empty());
/// ```
pub fn split_steps(task: &str) -> Vec<String> {
    let lower = task.to_lowercase();
    if lower.len() != task.len() {
        return Vec::new(); // byte offsets would not line up; such text is rare in tasks
    }
    let bytes = lower.as_bytes();
    let mut cuts = vec![0usize];
    let mut has_marker = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let at_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if matches!(b, b'.' | b'!' | b'?' | b';') && bytes.get(i + 1).is_none_or(|c| c.is_ascii_whitespace()) {
            cuts.push(i + 1);
        } else if at_word && b.is_ascii_alphabetic() {
            if let Some(marker) = marker_at(&lower, i) {
                has_marker = true;
                // "and then", ", then": the step starts at the marker.
                if i > 0 {
                    cuts.push(i);
                }
                i += marker.len();
                continue;
            }
        }
        i += 1;
    }
    if !has_marker {
        return Vec::new();
    }
    cuts.push(task.len());
    cuts.dedup();
    let mut steps: Vec<String> = Vec::new();
    for w in cuts.windows(2) {
        let piece = task[w[0]..w[1]].trim().trim_end_matches(',').trim_end_matches(" and").trim();
        let words = piece.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count();
        if piece.is_empty() {
            continue; // the space between a sentence's end and a marker
        }
        match steps.last_mut() {
            // Too short to search alone ("Then,", "Thanks!"): it belongs to the previous piece.
            Some(last) if words < 3 => {
                last.push(' ');
                last.push_str(piece);
            }
            _ if words == 0 => {}
            _ => steps.push(piece.to_owned()),
        }
    }
    if steps.len() < 2 {
        return Vec::new();
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_sentences_and_step_words() {
        let steps = split_steps(
            "First, retrieve the airport info for 'LHR'. Then calculate the delivery time of 1.5 kg. Finally track the package DEF456.",
        );
        assert_eq!(steps.len(), 3, "{steps:?}");
        assert!(steps[1].contains("1.5 kg"), "decimals do not end a sentence: {steps:?}");
    }

    #[test]
    fn one_step_tasks_are_not_split() {
        assert!(split_steps("Can you find academic papers? I need them for my thesis.").is_empty());
        assert!(split_steps("").is_empty());
        assert!(split_steps("then").is_empty());
        assert!(split_steps("Schedule the event nextweek").is_empty(), "a marker must be a whole word");
    }

    #[test]
    fn clause_start_markers_inside_a_phrase_do_not_split() {
        for task in [
            "play the next song on spotify",
            "show me the next meeting on my google calendar",
            "create a calendar event for the second round interview with priya",
            "I also need the latest release notes of the repository",
            "list the third page of invoices besides the drafts",
            "add the label to the issue as well as to the pull request",
        ] {
            assert!(split_steps(task).is_empty(), "{task:?} split into {:?}", split_steps(task));
        }
    }

    #[test]
    fn clause_start_markers_split_at_a_clause_start() {
        assert_eq!(
            split_steps("Create a hubspot company for Initech, also create a deal for them"),
            ["Create a hubspot company for Initech", "also create a deal for them"]
        );
        assert_eq!(
            split_steps("List the open issues of the repo. Next, close the stale ones."),
            ["List the open issues of the repo.", "Next, close the stale ones."]
        );
        assert_eq!(
            split_steps("Find the customer by email and next create an invoice for them"),
            ["Find the customer by email", "next create an invoice for them"]
        );
        assert_eq!(
            split_steps("Post the summary in slack; second, email it to the team"),
            ["Post the summary in slack;", "second, email it to the team"]
        );
    }

    #[test]
    fn anywhere_markers_split_inside_a_clause() {
        assert_eq!(
            split_steps("find the marketing channel on slack then post the launch announcement there"),
            ["find the marketing channel on slack", "then post the launch announcement there"]
        );
        assert_eq!(
            split_steps("create a branch called hotfix after that open a pull request from it"),
            ["create a branch called hotfix", "after that open a pull request from it"]
        );
    }

    #[test]
    fn short_pieces_join_the_previous_step() {
        let steps = split_steps("List my open pull requests and then close the stale ones. Thanks!");
        assert_eq!(steps, ["List my open pull requests", "then close the stale ones. Thanks!"]);
    }
}
