//! Typed calls of generated tools, end to end: a struct literal, `.execute(&client,
//! &user)`, a request to a loopback server the test starts, and a typed output.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Router;
use serde_json::{json, Value};
use toolsmith::{Client, Error, Tool, UserId};
use toolsmith_tests::specs::{constructs, demo};

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    body: Value,
}

type Log = Arc<Mutex<Vec<Seen>>>;

async fn record(State(log): State<Log>, request: Request) -> impl IntoResponse {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    let headers =
        parts.headers.iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned())).collect();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let path = parts.uri.path().to_owned();
    log.lock().unwrap().push(Seen { method: parts.method.to_string(), uri: parts.uri.to_string(), headers, body });
    match path.as_str() {
        "/shops/42/orders" => {
            (StatusCode::CREATED, json!({"id": "ord_1", "status": "paid", "extra": true}).to_string())
        }
        "/things" => {
            (StatusCode::OK, json!({"items": [{"id": "t1", "title": "First"}], "next_cursor": null}).to_string())
        }
        _ => (StatusCode::NOT_FOUND, json!({"message": "no such thing"}).to_string()),
    }
}

async fn server() -> (String, Log) {
    let log: Log = Arc::default();
    let app = Router::new().fallback(record).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (format!("http://{address}"), log)
}

#[tokio::test]
async fn a_typed_call_builds_the_request_and_types_the_response() {
    let (url, log) = server().await;
    let client = Client::builder().base_url("constructs", &url).build();
    let user = UserId::new("user-1");

    let order = constructs::CreateOrder {
        shop_id: 42,
        customer: constructs::CreateOrderCustomer { email: "ada@example.com".into(), ..Default::default() },
        items: vec![constructs::CreateOrderItemsItem { sku: "SKU-1".into(), quantity: 2, unit_price: None }],
        priority: constructs::CreateOrderPriority::High,
        sort: Some(constructs::CreateOrderSort::Desc2),
        ..Default::default()
    };
    let output: constructs::CreateOrderOutput = order.execute(&client, &user).await.expect("the call succeeds");
    assert_eq!(output.id.as_deref(), Some("ord_1"));
    assert_eq!(output.status.as_deref(), Some("paid"));

    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].uri, "/shops/42/orders?sort=desc");
    assert_eq!(
        seen[0].body,
        json!({"customer": {"email": "ada@example.com"}, "items": [{"sku": "SKU-1", "quantity": 2}], "priority": "high"})
    );
}

#[tokio::test]
async fn wire_names_headers_and_api_errors() {
    let (url, log) = server().await;
    let client = Client::builder().base_url("demo", &url).build();
    let user = UserId::new("user-1");

    let things = demo::ListThings {
        limit: Some(10),
        sort: Some(demo::ListThingsSort::Oldest),
        tags: Some(vec!["a".into(), "b".into()]),
        ..Default::default()
    };
    let page = things.execute(&client, &user).await.expect("listing works");
    assert_eq!(page.items.as_ref().map(Vec::len), Some(1));

    let update = demo::UpdateThing {
        thing_id: "t 1/2".into(),
        title: "Renamed".into(),
        x_request_id: Some("req-7".into()),
        ..Default::default()
    };
    let error = update.execute(&client, &user).await.expect_err("the server answers 404");
    assert!(matches!(error, Error::Api { status: 404, ref slug, .. } if slug == demo::UpdateThing::SLUG), "{error}");

    let seen = log.lock().unwrap().clone();
    assert_eq!(seen[0].uri, "/things?limit=10&tags=a,b&sort-order=oldest");
    assert_eq!(seen[1].method, "PUT");
    assert_eq!(seen[1].uri, "/things/t%201%2F2");
    assert!(seen[1].headers.contains(&("x-request-id".to_owned(), "req-7".to_owned())), "{:?}", seen[1].headers);
    assert!(seen[1].headers.contains(&("accept".to_owned(), "application/json".to_owned())));
    assert_eq!(seen[1].body, json!({"title": "Renamed"}));
}

// The same spec through the proc macro, expanded in place.
mod in_place {
    toolsmith::toolkit!("../catalog/tests/fixtures/valid/demo");
}

#[test]
fn the_macro_and_the_build_script_generate_the_same_tools() {
    use toolsmith::Tool as _;
    assert_eq!(in_place::demo::ListThings::SLUG, demo::ListThings::SLUG);
    assert_eq!(
        in_place::demo::ListThings::definition().input_schema_value(),
        demo::ListThings::definition().input_schema_value()
    );
    assert_eq!(in_place::TOOLKITS.len(), 1);
}
