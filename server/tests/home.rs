//! Projects of a real home: keys in the main store, one database per project; a key
//! opens its project only, a revoked key nothing.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::SystemTime;

use serde_json::json;
use toolsmith_core::ApiKeyId;
use toolsmith_runtime::{Registry, ToolSearch};
use toolsmith_server::{AppState, HomeProjects, ServerOptions};
use toolsmith_store::{ApiKey, ApiKeySecret, KeyRing, Project, Projects, SqliteStore};

async fn key(main: &SqliteStore, project: &Project) -> (ApiKeyId, ApiKeySecret) {
    let secret = ApiKeySecret::generate();
    let id = ApiKeyId::generate();
    let record = ApiKey {
        id: id.clone(),
        project: project.id.clone(),
        name: None,
        key_hash: secret.hash(),
        prefix: secret.prefix(),
        created_at: SystemTime::now(),
        revoked_at: None,
    };
    main.put_api_key(&record).await.unwrap();
    (id, secret)
}

#[tokio::test]
async fn keys_open_their_own_project_only() {
    let home = std::env::temp_dir().join(format!("toolsmith-server-home-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let keys = KeyRing::generate().unwrap();
    let main = Arc::new(SqliteStore::open(SqliteStore::default_path(&home), keys.clone()).unwrap());
    let default = main.ensure_default_project().await.unwrap();
    let acme = main.ensure_project("acme").await.unwrap();
    let (_, default_key) = key(&main, &default).await;
    let (acme_key_id, acme_key) = key(&main, &acme).await;

    let registry = Registry::from_toolkits(toolsmith_builtin::toolkits().unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let projects = Arc::new(HomeProjects::new(home.clone(), keys, main.clone()));
    let state = AppState::new(Arc::new(ToolSearch::new(&registry)), projects, ServerOptions::new(url.parse().unwrap()));
    tokio::spawn(toolsmith_server::serve(listener, state, std::future::pending()));
    let http = reqwest::Client::new();

    let created: serde_json::Value = http
        .post(format!("{url}/api/v3.1/tool_router/session"))
        .header("x-api-key", default_key.expose())
        .json(&json!({"user_id": "ada"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = created["session_id"].as_str().unwrap();
    let get = |key: &ApiKeySecret| {
        http.get(format!("{url}/api/v3.1/tool_router/session/{sid}"))
            .header("x-api-key", key.expose().to_owned())
            .send()
    };
    assert_eq!(get(&default_key).await.unwrap().status(), 200);
    assert_eq!(get(&acme_key).await.unwrap().status(), 404);
    // The default project's records are the main store's; acme's are in its own file.
    assert!(SqliteStore::project_path(&home, &acme).exists());
    assert_ne!(SqliteStore::project_path(&home, &acme), SqliteStore::default_path(&home));

    assert!(main.revoke_api_key(&acme_key_id, SystemTime::now()).await.unwrap());
    let refused = get(&acme_key).await.unwrap();
    assert_eq!(refused.status(), 401);
    let _ = std::fs::remove_dir_all(&home);
}
