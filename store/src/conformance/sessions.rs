//! The checks of [`Sessions`]: sessions are written once, memory replaces keys and goes
//! with its session.

use toolsmith_core::SessionId;

use super::backend::Backend;
use super::fixtures::{at, fact, session};
use crate::{Fact, KeyRing, McpSessions, Sessions, StoreError};

/// A session round-trips with its nested JSON configuration; it is written once
/// ([`StoreError::Conflict`], the first one kept); deleting it says whether it existed.
pub async fn sessions_are_written_once(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let first = session("ada", 1_000);
    let other = session("bob", 2_000);
    for s in [&first, &other] {
        store.put_session(s).await.unwrap();
    }
    assert_eq!(store.session(&first.id).await.unwrap().as_ref(), Some(&first));
    assert_eq!(store.session(&other.id).await.unwrap().as_ref(), Some(&other));
    assert!(store.session(&SessionId::generate()).await.unwrap().is_none());

    let mut changed = first.clone();
    changed.config = serde_json::json!({"toolkits": {"enable": ["gmail"]}});
    let err = store.put_session(&changed).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }) && !err.is_retryable(), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(first.id.as_str()) && message.contains("new session"), "{message}");
    assert_eq!(store.session(&first.id).await.unwrap().as_ref(), Some(&first), "the first one stays");

    assert!(store.delete_session(&first.id).await.unwrap());
    assert!(!store.delete_session(&first.id).await.unwrap());
    assert!(store.session(&first.id).await.unwrap().is_none());
    assert_eq!(store.session(&other.id).await.unwrap().as_ref(), Some(&other));
}

/// Remembering replaces a key's value and keeps the others; memory lists the most
/// recently remembered first; an unknown session remembers nothing and cannot be told
/// anything ([`StoreError::Missing`]); deleting a session deletes its memory.
pub async fn session_memory_replaces_keys_and_goes_with_the_session(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let unknown = SessionId::generate();
    assert!(store.memory(&unknown).await.unwrap().is_empty(), "an unknown session remembers nothing");
    let err = store.remember(&unknown, &[fact("repo", "a/b", "GITHUB_LIST_REPOS", 1)]).await.unwrap_err();
    assert!(matches!(&err, StoreError::Missing(what) if what.contains(unknown.as_str())), "{err}");

    let ada = session("ada", 1_000);
    let bob = session("bob", 1_000);
    for s in [&ada, &bob] {
        store.put_session(s).await.unwrap();
    }
    let repo = fact("repo", "octocat/hello", "GITHUB_LIST_REPOS", 10_000);
    let channel = fact("channel_id", "C0123", "SLACK_LIST_CHANNELS", 11_000);
    store.remember(&ada.id, &[repo.clone(), channel.clone()]).await.unwrap();
    store.remember(&bob.id, &[fact("repo", "bob/own", "GITHUB_LIST_REPOS", 10_500)]).await.unwrap();
    store.remember(&ada.id, &[]).await.unwrap();
    assert_eq!(store.memory(&ada.id).await.unwrap(), [channel.clone(), repo.clone()]);

    // The same key again: its value, source and time are replaced; the others stay.
    let newer = fact("repo", "octocat/spoon-knife", "GITHUB_GET_REPO", 12_000);
    store.remember(&ada.id, std::slice::from_ref(&newer)).await.unwrap();
    assert_eq!(store.memory(&ada.id).await.unwrap(), [newer.clone(), channel.clone()]);
    // Remembered in the same millisecond: the later first; a key twice in one call: the last.
    let (a, b) = (fact("a", "1", "T", 13_000), fact("b", "2", "T", 13_000));
    let b_again = fact("b", "3", "T", 13_000);
    store.remember(&ada.id, &[b.clone(), a.clone(), b_again.clone()]).await.unwrap();
    let keys = |facts: Vec<Fact>| facts.into_iter().map(|f| (f.key, f.value)).collect::<Vec<_>>();
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        keys(store.memory(&ada.id).await.unwrap()),
        [pair("b", "3"), pair("a", "1"), pair("repo", "octocat/spoon-knife"), pair("channel_id", "C0123")]
    );
    assert_eq!(keys(store.memory(&bob.id).await.unwrap()), [pair("repo", "bob/own")], "bob's is his own");

    assert!(store.delete_session(&ada.id).await.unwrap());
    assert!(store.memory(&ada.id).await.unwrap().is_empty(), "the memory went with the session");
    assert!(matches!(store.remember(&ada.id, &[a]).await, Err(StoreError::Missing(_))));
    // A new session with a deleted one's id starts with an empty memory.
    store.put_session(&ada).await.unwrap();
    assert!(store.memory(&ada.id).await.unwrap().is_empty());
    assert_eq!(store.memory(&bob.id).await.unwrap().len(), 1);
}

/// MCP sessions are kept, replaced, read back from another handle and forgotten once.
pub async fn mcp_sessions_are_kept_replaced_and_forgotten(backend: &impl Backend) {
    let ring = KeyRing::generate().unwrap();
    let store = backend.open(ring.clone()).await.unwrap();
    let other = backend.open(ring).await.unwrap();
    assert_eq!(store.mcp_session("mcp-1").await.unwrap(), None);
    store.put_mcp_session("mcp-1", r#"{"initialize_params":{"v":1}}"#, at(1_000)).await.unwrap();
    store.put_mcp_session("mcp-2", "{}", at(1_000)).await.unwrap();
    assert_eq!(other.mcp_session("mcp-1").await.unwrap().as_deref(), Some(r#"{"initialize_params":{"v":1}}"#));
    other.put_mcp_session("mcp-1", r#"{"initialize_params":{"v":2}}"#, at(2_000)).await.unwrap();
    assert_eq!(store.mcp_session("mcp-1").await.unwrap().as_deref(), Some(r#"{"initialize_params":{"v":2}}"#));
    assert!(store.delete_mcp_session("mcp-1").await.unwrap());
    assert!(!other.delete_mcp_session("mcp-1").await.unwrap(), "forgotten once");
    assert_eq!(other.mcp_session("mcp-1").await.unwrap(), None);
    assert_eq!(other.mcp_session("mcp-2").await.unwrap().as_deref(), Some("{}"), "the others stay");
}
