//! The checks of [`Projects`]: projects with unique names, API keys kept as hashes,
//! found by hash (revoked or not), listed per project, revoked once.

use toolsmith_core::{ApiKeyId, ProjectId};

use super::backend::Backend;
use super::fixtures::{api_key, at, project, ALL_SECRETS};
use crate::{ApiKey, ApiKeySecret, KeyRing, Projects, StoreError};

/// A project round-trips by id and by name; projects are listed oldest first; a name or
/// an id is taken once ([`StoreError::Conflict`], naming the project that has it).
pub async fn projects_round_trip_and_names_are_unique(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    assert!(store.projects().await.unwrap().is_empty());
    let (acme, default, beta) = (project("acme-prod", 2_000), project("default", 1_000), project("beta", 3_000));
    for p in [&beta, &acme, &default] {
        store.put_project(p).await.unwrap();
    }
    for p in [&acme, &default, &beta] {
        assert_eq!(store.project(&p.id).await.unwrap().as_ref(), Some(p));
        assert_eq!(store.project_named(&p.name).await.unwrap().as_ref(), Some(p));
    }
    assert!(store.project(&ProjectId::generate()).await.unwrap().is_none());
    assert!(store.project_named("nope").await.unwrap().is_none());
    assert_eq!(store.projects().await.unwrap(), [default.clone(), acme.clone(), beta.clone()]);

    let same_name = project("acme-prod", 4_000);
    let err = store.put_project(&same_name).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("`acme-prod`") && message.contains(acme.id.as_str()), "{message}");
    let same_id = crate::Project { name: "other".to_owned(), ..beta.clone() };
    let err = store.put_project(&same_id).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }) && err.to_string().contains(beta.id.as_str()), "{err}");
    assert_eq!(store.projects().await.unwrap().len(), 3, "neither was written");
    assert!(store.project_named("other").await.unwrap().is_none());
}

/// A key needs its project ([`StoreError::Missing`]) and a hash of its own
/// ([`StoreError::Conflict`]); it is found by hash; each project lists its own keys,
/// oldest first, and no one else's.
pub async fn api_keys_need_their_project_and_stay_in_it(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let (a, b) = (project("a", 1), project("b", 2));
    let (_, orphan) = api_key(&project("gone", 3), None, 10);
    let err = store.put_api_key(&orphan).await.unwrap_err();
    assert!(matches!(&err, StoreError::Missing(what) if what.contains(orphan.project.as_str())), "{err}");
    for p in [&a, &b] {
        store.put_project(p).await.unwrap();
    }

    let (secret_a1, a1) = api_key(&a, Some("ci"), 20);
    let (_, a2) = api_key(&a, None, 10);
    let (secret_b1, b1) = api_key(&b, Some("laptop"), 15);
    for k in [&a1, &b1, &a2] {
        store.put_api_key(k).await.unwrap();
    }
    assert_eq!(store.api_key_by_hash(&secret_a1.hash()).await.unwrap().as_ref(), Some(&a1));
    assert_eq!(store.api_key_by_hash(&secret_b1.hash()).await.unwrap().as_ref(), Some(&b1));
    assert!(store.api_key_by_hash(&ApiKeySecret::generate().hash()).await.unwrap().is_none());
    let ids = |keys: Vec<ApiKey>| keys.into_iter().map(|k| k.id).collect::<Vec<_>>();
    assert_eq!(ids(store.api_keys(Some(&a.id)).await.unwrap()), [a2.id.clone(), a1.id.clone()]);
    assert_eq!(ids(store.api_keys(Some(&b.id)).await.unwrap()), std::slice::from_ref(&b1.id), "b's keys only");
    assert!(store.api_keys(Some(&ProjectId::generate())).await.unwrap().is_empty());
    assert_eq!(ids(store.api_keys(None).await.unwrap()), [a2.id.clone(), b1.id.clone(), a1.id.clone()]);

    // Another record with a1's hash, even in another project, is refused; so is a1's id.
    let same_hash = ApiKey { id: ApiKeyId::generate(), project: b.id.clone(), ..a1.clone() };
    let same_id = ApiKey { key_hash: ApiKeySecret::generate().hash(), ..a1.clone() };
    for clash in [&same_hash, &same_id] {
        let err = store.put_api_key(clash).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        assert!(err.to_string().contains(clash.id.as_str()), "{err}");
    }
    assert_eq!(store.api_key_by_hash(&secret_a1.hash()).await.unwrap().as_ref(), Some(&a1), "a1 stays");
    assert_eq!(store.api_keys(None).await.unwrap().len(), 3);
}

/// A revoked key is still found by hash, with the time it was revoked; revoking it again,
/// or revoking an unknown key, answers `false` and changes nothing.
pub async fn revoked_keys_are_found_with_their_revocation(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let a = project("a", 1);
    store.put_project(&a).await.unwrap();
    let (secret, key) = api_key(&a, Some("ci"), 10);
    let (other_secret, other) = api_key(&a, None, 11);
    for k in [&key, &other] {
        store.put_api_key(k).await.unwrap();
    }

    assert!(store.revoke_api_key(&key.id, at(20_000)).await.unwrap());
    let revoked = ApiKey { revoked_at: Some(at(20_000)), ..key.clone() };
    assert_eq!(store.api_key_by_hash(&secret.hash()).await.unwrap().as_ref(), Some(&revoked));
    assert!(!store.revoke_api_key(&key.id, at(30_000)).await.unwrap(), "revoked once");
    assert_eq!(store.api_key_by_hash(&secret.hash()).await.unwrap().as_ref(), Some(&revoked), "the first time stays");
    assert!(!store.revoke_api_key(&ApiKeyId::generate(), at(30_000)).await.unwrap());
    assert_eq!(store.api_key_by_hash(&other_secret.hash()).await.unwrap().as_ref(), Some(&other), "others stay");
    assert_eq!(store.api_keys(Some(&a.id)).await.unwrap(), [revoked, other]);
}

/// An API key never appears in `Debug` output or error messages (the store only sees
/// its hash), and messages name a key by its id, not its hash.
pub async fn api_key_secrets_stay_out_of_messages_and_debug(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let a = project("a", 1);
    store.put_project(&a).await.unwrap();
    let (secret, key) = api_key(&a, Some("ci"), 10);
    store.put_api_key(&key).await.unwrap();
    let conflict = store.put_api_key(&ApiKey { id: ApiKeyId::generate(), ..key.clone() }).await.unwrap_err();
    let missing = store.put_api_key(&ApiKey { project: ProjectId::generate(), ..key.clone() }).await.unwrap_err();
    let found = store.api_key_by_hash(&secret.hash()).await.unwrap();
    let outputs = [
        format!("{secret:?}"),
        format!("{key:?}"),
        format!("{found:?}"),
        format!("{:?}", store.api_keys(None).await.unwrap()),
        format!("{store:?}"),
        conflict.to_string(),
        format!("{conflict:?}"),
        missing.to_string(),
        format!("{missing:?}"),
    ];
    for output in &outputs {
        assert!(!output.contains(secret.expose()), "the key is in {output}");
        // The 43 random characters after the prefix, in case a message cut the key.
        assert!(!output.contains(&secret.expose()[8..]), "part of the key is in {output}");
        for other in ALL_SECRETS {
            assert!(!output.contains(other), "{output}");
        }
    }
    for message in [conflict.to_string(), missing.to_string()] {
        assert!(!message.contains(&key.key_hash), "the key hash is in {message}");
    }
}
