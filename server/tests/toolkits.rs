//! `/toolkits` over loopback: the catalog's toolkits listed, searched, paged and
//! described with the fields each auth scheme asks for.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use serde_json::json;
use toolsmith_server::testing::MemoryProjects;

mod common;
use common::Server;

#[tokio::test]
async fn toolkits_are_listed_searched_paged_and_described() {
    let projects = Arc::new(MemoryProjects::default());
    let (_, key) = projects.add("acme");
    let server = Server::start(projects).await;
    let (status, all) = server.api("GET", "/toolkits?limit=100", &key, None).await;
    assert_eq!(status, 200, "{all}");
    let items = all["items"].as_array().unwrap();
    assert!(items.len() >= 12, "{all}");
    let github = items.iter().find(|t| t["slug"] == "github").unwrap();
    assert_eq!(github["auth_schemes"], json!(["OAUTH2", "BEARER_TOKEN"]));
    assert_eq!((github["type"].as_str(), github["is_local_toolkit"].as_bool()), (Some("native"), Some(false)));
    assert_eq!(
        github["meta"]["categories"][0],
        json!({"id": "developer-tools", "slug": "developer-tools", "name": "Developer Tools"})
    );
    assert!(github["meta"]["tools_count"].as_u64().unwrap() > 10);

    let (_, found) = server.api("GET", "/toolkits?search=payments", &key, None).await;
    assert_eq!(found["items"][0]["slug"], "stripe", "{found}");
    let (_, payments) = server.api("GET", "/toolkits?category=Payments", &key, None).await;
    assert_eq!(payments["items"].as_array().unwrap().len(), 1, "{payments}");
    let (_, first) = server.api("GET", "/toolkits?limit=2", &key, None).await;
    assert_eq!(first["next_cursor"], "2");
    let (_, second) = server.api("GET", "/toolkits?limit=2&cursor=2", &key, None).await;
    assert_eq!(second["items"][0]["slug"], items[2]["slug"]);
    let (status, bad) = server.api("GET", "/toolkits?cursor=abc", &key, None).await;
    assert_eq!(status, 400, "{bad}");
    assert!(bad["error"]["message"].as_str().unwrap().contains("`cursor`"), "{bad}");

    let (status, stripe) = server.api("GET", "/toolkits/STRIPE", &key, None).await;
    assert_eq!(status, 200, "{stripe}");
    assert_eq!(stripe["base_url"], "https://api.stripe.com");
    let details = stripe["auth_config_details"].as_array().unwrap();
    assert_eq!(details[0]["mode"], "API_KEY");
    let api_key = &details[0]["fields"]["connected_account_initiation"]["required"][0];
    assert_eq!((api_key["name"].as_str(), api_key["is_secret"].as_bool()), (Some("api_key"), Some(true)));
    assert_eq!(details[1]["mode"], "OAUTH2");
    assert_eq!(details[1]["fields"]["auth_config_creation"]["required"][1]["name"], "client_secret");
    let (status, missing) = server.api("GET", "/toolkits/nope", &key, None).await;
    assert_eq!((status, missing["error"]["slug"].as_str()), (404, Some("Toolkit_NotFound")));
}
