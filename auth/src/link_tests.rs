use super::*;
use toolsmith_store::{ConnectLinks, ConnectedAccounts, KeyRing, SqliteStore};

fn toolkit() -> Toolkit {
    serde_yaml::from_str(
        "{ slug: demo, name: Demo, description: A demo toolkit for tests., version: 20261122_00, \
         base_url: 'https://api.example.com', auth: [{ scheme: oauth2, authorization_url: 'https://a.example/authorize', \
         token_url: 'https://a.example/token' }, { scheme: bearer, fields: [{ name: token, title: Token, secret: true, pattern: '^tok_' }, \
             { name: extra, title: Extra, secret: true, required: false }] }] }",
    )
    .unwrap()
}

fn values(token: &str) -> BTreeMap<String, SecretString> {
    BTreeMap::from([("token".to_owned(), SecretString::from(token))])
}

#[tokio::test]
async fn a_link_completes_once_and_a_bad_credential_does_not_spend_it() {
    let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
    let toolkit = toolkit();
    let started = initiate(&store, &toolkit, LinkRequest::new(UserId::new("ada"))).await.unwrap();
    // A static scheme is preferred for a new auth config: the user can type it in.
    assert_eq!(started.auth_config.scheme, "bearer");
    assert_eq!(started.account.status, AccountStatus::Initiated);
    let bad = complete(&store, &toolkit, &started.token, values("nope")).await.unwrap_err();
    assert!(bad.to_string().contains("does not match `^tok_`"), "{bad}");
    assert!(!bad.to_string().contains("nope"), "{bad}");
    let account = complete(&store, &toolkit, &started.token, values("tok_1")).await.unwrap();
    assert_eq!((account.id.clone(), account.status), (started.account.id.clone(), AccountStatus::Active));
    assert_eq!(store.account(&account.id).await.unwrap().unwrap().credentials.secret("token"), Some("tok_1"));
    let again = complete(&store, &toolkit, &started.token, values("tok_2")).await.unwrap_err();
    assert!(matches!(again, LinkError::Used), "{again}");
    let unknown = complete(&store, &toolkit, &LinkToken::generate(), values("tok_3")).await.unwrap_err();
    assert!(matches!(unknown, LinkError::Unknown), "{unknown}");
}

#[tokio::test]
async fn prepare_spends_nothing_and_finish_stores_what_it_is_given() {
    let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
    let toolkit = toolkit();
    let started = initiate(&store, &toolkit, LinkRequest::new(UserId::new("ada"))).await.unwrap();
    let mut prepared = prepare(&store, &toolkit, &started.token, values("tok_1")).await.unwrap();
    assert_eq!(prepared.status, AccountStatus::Active);
    // Nothing stored, the link still works.
    assert_eq!(store.account(&started.account.id).await.unwrap().unwrap().status, AccountStatus::Initiated);
    assert!(store.link(&started.token.hash()).await.unwrap().unwrap().used_at.is_none());
    // A caller whose check refused the credential stores the account FAILED.
    prepared.status = AccountStatus::Failed;
    let failed = finish(&store, &started.token, prepared.clone()).await.unwrap();
    assert_eq!(store.account(&failed.id).await.unwrap().unwrap().status, AccountStatus::Failed);
    let again = finish(&store, &started.token, prepared).await.unwrap_err();
    assert!(matches!(again, LinkError::Used), "{again}");
}

#[tokio::test]
async fn an_expired_link_is_refused_and_changes_nothing() {
    let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
    let toolkit = toolkit();
    let request = LinkRequest { ttl: Duration::ZERO, ..LinkRequest::new(UserId::new("ada")) };
    let started = initiate(&store, &toolkit, request).await.unwrap();
    let err = complete(&store, &toolkit, &started.token, values("tok_1")).await.unwrap_err();
    assert!(matches!(err, LinkError::Expired), "{err}");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    let account = store.account(&started.account.id).await.unwrap().unwrap();
    assert_eq!(account.status, AccountStatus::Initiated);
}

/// An ACTIVE bearer account of `user` holding `tok_old` and the optional `extra`, then
/// EXPIRED (as a failed refresh leaves it).
async fn expired(store: &SqliteStore, toolkit: &Toolkit, user: &str, alias: Option<&str>) -> ConnectedAccount {
    let request = LinkRequest { alias: alias.map(str::to_owned), ..LinkRequest::new(UserId::new(user)) };
    let started = initiate(store, toolkit, request).await.unwrap();
    let mut given = values("tok_old");
    given.insert("extra".to_owned(), SecretString::from("old-extra"));
    let mut account = complete(store, toolkit, &started.token, given).await.unwrap();
    account.status = AccountStatus::Expired;
    account.status_reason = Some("invalid_grant".to_owned());
    store.put_account(&account).await.unwrap();
    account
}

#[tokio::test]
async fn a_reconnection_keeps_the_id_and_replaces_every_old_secret_only_when_completed() {
    let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
    let toolkit = toolkit();
    let old = expired(&store, &toolkit, "ada", Some("work")).await;
    let request = LinkRequest { account: Some(old.id.clone()), ..LinkRequest::new(UserId::new("ada")) };
    let started = initiate(&store, &toolkit, request).await.unwrap();
    assert_eq!(started.account.id, old.id);
    assert_eq!(started.auth_config.id, old.auth_config);
    let pending = store.account(&old.id).await.unwrap().unwrap();
    assert_eq!((pending.status, pending.alias.as_deref()), (AccountStatus::Initiated, Some("work")));
    assert!(pending.status_reason.unwrap().contains("being reconnected (was EXPIRED)"));
    // The old credentials stay until the link completes.
    assert_eq!(pending.credentials.secret("token"), Some("tok_old"));
    let done = complete(&store, &toolkit, &started.token, values("tok_new")).await.unwrap();
    assert_eq!((done.id.clone(), done.status), (old.id.clone(), AccountStatus::Active));
    let stored = store.account(&old.id).await.unwrap().unwrap();
    assert_eq!(stored.credentials.secret("token"), Some("tok_new"));
    // Nothing old mixed into the new credentials.
    assert_eq!(stored.credentials.secret("extra"), None);
    assert_eq!(stored.alias.as_deref(), Some("work"));
    assert_eq!(store.accounts(&AccountFilter::default()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_link_without_an_account_reuses_the_users_expired_account_of_the_same_alias() {
    let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
    let toolkit = toolkit();
    let old = expired(&store, &toolkit, "ada", Some("work")).await;
    let again = initiate(&store, &toolkit, LinkRequest::new(UserId::new("ada"))).await.unwrap();
    assert_eq!(again.account.id, old.id);
    assert_eq!(again.account.status, AccountStatus::Initiated);
    // Another alias, or another user: a new account.
    let request = LinkRequest { alias: Some("home".to_owned()), ..LinkRequest::new(UserId::new("ada")) };
    let other = expired(&store, &toolkit, "ada", Some("play")).await;
    let home = initiate(&store, &toolkit, request).await.unwrap();
    assert!(home.account.id != old.id && home.account.id != other.id);
    assert_eq!(home.account.alias.as_deref(), Some("home"));
    let bob = initiate(&store, &toolkit, LinkRequest::new(UserId::new("bob"))).await.unwrap();
    assert!(bob.account.id != old.id && bob.account.id != other.id);
    // The same alias: that account.
    let request = LinkRequest { alias: Some("play".to_owned()), ..LinkRequest::new(UserId::new("ada")) };
    assert_eq!(initiate(&store, &toolkit, request).await.unwrap().account.id, other.id);
}

#[tokio::test]
async fn reconnecting_is_refused_for_another_user_toolkit_status_or_an_unknown_account() {
    let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
    let toolkit = toolkit();
    let old = expired(&store, &toolkit, "ada", None).await;
    let ask = |user: &str, id: &ConnectedAccountId| LinkRequest {
        account: Some(id.clone()),
        ..LinkRequest::new(UserId::new(user))
    };
    let err = initiate(&store, &toolkit, ask("bob", &old.id)).await.unwrap_err();
    assert!(err.to_string().contains("belongs to another user than `bob`"), "{err}");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let mut other: Toolkit = toolkit.clone();
    other.slug = toolsmith_spec::ToolkitSlug::new("other");
    let err = initiate(&store, &other, ask("ada", &old.id)).await.unwrap_err();
    assert!(err.to_string().contains("is an account of toolkit `demo`, not `other`"), "{err}");
    let err = initiate(&store, &toolkit, ask("ada", &ConnectedAccountId::generate())).await.unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    for (status, fix) in [
        (AccountStatus::Revoked, "connect a new account"),
        (AccountStatus::Active, "only an EXPIRED or FAILED account"),
        (AccountStatus::Inactive, "enable it"),
    ] {
        store.put_account(&ConnectedAccount { status, ..old.clone() }).await.unwrap();
        let err = initiate(&store, &toolkit, ask("ada", &old.id)).await.unwrap_err();
        assert!(matches!(err, LinkError::NotReconnectable { .. }) && err.to_string().contains(fix), "{err}");
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert_eq!(store.account(&old.id).await.unwrap().unwrap().status, status, "unchanged");
    }
}
