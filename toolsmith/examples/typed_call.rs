//! A typed call end to end: tools generated from a spec by `toolsmith::toolkit!`,
//! called against a local HTTP server that stands in for the real API.
//!
//! ```sh
//! cargo run -p toolsmith --example typed_call
//! ```

use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use toolsmith::{Client, Tool, UserId};

// Typed tools for the `demo` toolkit (its spec: toolkit.yaml and files.yaml).
toolsmith::toolkit!("../catalog/tests/fixtures/valid/demo");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The stand-in API: GET /things returns one page of things.
    let app = Router::new().route(
        "/things",
        get(|| async { Json(json!({ "items": [{ "id": "t1", "title": "First thing" }], "next_cursor": null })) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Send the `demo` toolkit's requests to the stand-in instead of its real host.
    let client = Client::builder().base_url("demo", &url).build();
    let user = UserId::new("user-42");

    // A struct literal: a misspelled field is a compile error.
    let request = demo::ListThings { limit: Some(10), ..Default::default() };
    let path = demo::ListThings::definition().http.map_or("", |h| h.path);
    println!("calling {} (GET {path})", demo::ListThings::SLUG);
    let page: demo::ListThingsOutput = request.execute(&client, &user).await?;
    for thing in page.items.unwrap_or_default() {
        println!("{}: {}", thing.id.unwrap_or_default(), thing.title.unwrap_or_default());
    }
    Ok(())
}
