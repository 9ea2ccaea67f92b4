//! MANAGE_CONNECTIONS for a toolkit whose account EXPIRED: the link reconnects that
//! account (same `ca_` id) instead of making a new one.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use secrecy::SecretString;
use serde_json::json;
use toolsmith_runtime::{Client, Registry, ToolSearch};
use toolsmith_session::{RouterOptions, ToolRouter};
use toolsmith_store::{AccountStatus, KeyRing, LinkToken, SqliteStore, Store};

#[tokio::test]
async fn manage_connections_reconnects_the_users_expired_account() {
    let registry = Registry::from_toolkits(toolsmith_builtin::toolkits().unwrap());
    let search = Arc::new(ToolSearch::new(&registry));
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap());
    let client = Client::builder().store(store.clone()).build();
    let options = RouterOptions::new("http://127.0.0.1:9/".parse().unwrap());
    let router = ToolRouter::new(search.clone(), Arc::new(client), store.clone(), options);
    let toolkit = search.registry().toolkit("github").unwrap();
    let credential = toolsmith_auth::StaticCredential {
        scheme: Some("bearer".into()),
        values: BTreeMap::from([("token".to_owned(), SecretString::from("ghp_old"))]),
        ..toolsmith_auth::StaticCredential::new("ada")
    };
    let mut account = toolsmith_auth::connect(&*store, toolkit, credential).await.unwrap();
    account.status = AccountStatus::Expired;
    store.put_account(&account).await.unwrap();

    let session = router
        .create_from_json(
            json!({"user_id": "ada", "toolkits": {"enable": ["github"]}, "manage_connections": {"enable": true}}),
        )
        .await
        .unwrap();
    let managed = session.execute_meta("COMPOSIO_MANAGE_CONNECTIONS", json!({"toolkits": ["github"]})).await;
    let github = &managed.data["results"]["github"];
    assert_eq!(github["status"], "initiated", "{github:#}");
    assert_eq!(github["connected_account_id"], account.id.as_str(), "{github:#}");
    let token = LinkToken::from(github["redirect_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned());
    let values = BTreeMap::from([("token".to_owned(), SecretString::from("ghp_new"))]);
    let done = toolsmith_auth::complete(&*store, toolkit, &token, values).await.unwrap();
    assert_eq!((done.id, done.status), (account.id.clone(), AccountStatus::Active));
    let all = store.accounts(&Default::default()).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].credentials.secret("token"), Some("ghp_new"));
}
