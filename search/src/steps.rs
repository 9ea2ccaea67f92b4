//! Splitting a multi-step task ("First find the channel. Then post the summary.") into
//! its steps, so that each step's tool is found, not only the tool the whole text
//! resembles most.

/// Words that open a new step.
const MARKERS: &[&str] = &[
    "then",
    "afterwards",
    "afterward",
    "after that",
    "finally",
    "lastly",
    "next",
    "additionally",
    "also",
    "furthermore",
    "moreover",
    "besides",
    "second",
    "secondly",
    "third",
    "thirdly",
    "in addition",
    "as well",
    "once done",
    "once that",
];

/// The steps of a task: its sentences and clauses opened by a step word ("then",
/// "after that", "finally", "also", …). A task without a step word is one step and
/// gives an empty list, as does a task whose pieces are too short to search alone.
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
            if let Some(marker) = MARKERS.iter().find(|m| {
                lower[i..].starts_with(**m) && bytes.get(i + m.len()).is_none_or(|c| !c.is_ascii_alphanumeric())
            }) {
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
    fn short_pieces_join_the_previous_step() {
        let steps = split_steps("List my open pull requests and then close the stale ones. Thanks!");
        assert_eq!(steps, ["List my open pull requests", "then close the stale ones. Thanks!"]);
    }
}
