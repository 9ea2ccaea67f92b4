//! The static embedding model in the ranker (feature `embeddings`, on by default): a
//! paraphrase the words miss is found, gibberish is not, and the filters hold.
#![cfg(feature = "embeddings")]
#![allow(clippy::unwrap_used)]

use toolsmith_search::{Document, SearchConfig, SearchIndex, SearchOptions};

fn doc(slug: &str, name: &str, description: &str) -> Document {
    Document {
        slug: slug.into(),
        toolkit: "demo".into(),
        toolkit_name: "Demo".into(),
        name: name.into(),
        description: description.into(),
        ..Default::default()
    }
}

fn docs() -> Vec<Document> {
    vec![
        doc("DEMO_SEND_EMAIL", "Send email", "Sends an email message to recipients."),
        doc("DEMO_CREATE_EVENT", "Create event", "Creates an event in a calendar."),
        doc("DEMO_UPLOAD_FILE", "Upload file", "Uploads a file to a folder."),
    ]
}

#[test]
fn the_built_in_model_finds_a_paraphrase_the_words_miss() {
    assert!(
        toolsmith_embeddings::StaticModel::builtin().is_some(),
        "embeddings/data/static-embeddings.bin is built in"
    );
    let lexical = SearchIndex::with_config(docs(), SearchConfig { lexical_weight: 1.0, ..Default::default() });
    let index = SearchIndex::new(docs());
    let first = |index: &SearchIndex, task: &str| {
        index.search(task, &SearchOptions::default()).first().map(|h| index.documents()[h.doc].slug.clone())
    };
    // No word in common: the words find nothing, the model finds the email.
    assert_eq!(first(&lexical, "let my boss know I am late"), None);
    assert_eq!(first(&index, "let my boss know I am late").as_deref(), Some("DEMO_SEND_EMAIL"));
    // "drop" reads as a file drop to the words; the model reads the whole sentence.
    assert_eq!(first(&lexical, "drop a note to my manager").as_deref(), Some("DEMO_UPLOAD_FILE"));
    assert_eq!(first(&index, "drop a note to my manager").as_deref(), Some("DEMO_SEND_EMAIL"));
}

#[test]
fn gibberish_made_of_word_pieces_finds_nothing() {
    let index = SearchIndex::new(docs());
    assert!(index.search("qwxz zzvv", &SearchOptions::default()).is_empty());
}

#[test]
fn the_filters_hold_for_tools_found_by_meaning() {
    let index = SearchIndex::new(docs());
    let allowed: std::sync::Arc<[bool]> = vec![false, true, true].into();
    let options = SearchOptions { allowed: Some(allowed), ..Default::default() };
    let hits = index.search("let my boss know I am late", &options);
    assert!(hits.iter().all(|h| h.doc != 0), "{hits:?}");
}
