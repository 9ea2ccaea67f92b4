//! The server's own OpenAPI description: it lists every route the routers serve (a route
//! added without a `#[utoipa::path]` fails here), it is a valid OpenAPI 3.1 document,
//! and it is served at both prefixes without a key.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use toolsmith_server::testing::MemoryProjects;

mod common;
use common::Server;

/// The methods axum's method routers are built from.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// `(METHOD, prefix + path)` of every `.route("…", get(…).post(…))` call in `source`.
fn routes_in(source: &str, prefix: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (at, call) in source.match_indices(".route(\"") {
        let rest = &source[at + call.len()..];
        let end = rest.find('"').unwrap();
        let path = format!("{prefix}{}", &rest[..end]);
        // The text directly inside `.route(…)` after the path: `, get(…).delete(…)` reads
        // `, get.delete` at depth 1.
        let mut depth = 1;
        let mut outer = String::new();
        for c in rest[end + 1..].chars() {
            match c {
                '(' => depth += 1,
                ')' if depth == 1 => break,
                ')' => depth -= 1,
                _ if depth == 1 => outer.push(c),
                _ => {}
            }
        }
        let methods: Vec<&str> = outer
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .filter(|word| METHODS.contains(word))
            .collect();
        assert!(!methods.is_empty(), "no method router found for route `{path}` in `{outer}`");
        found.extend(methods.into_iter().map(|m| (m.to_ascii_uppercase(), path.clone())));
    }
    found
}

/// Every route of `src/routes/*.rs` (under `/api/v3.1`) and the document's own route.
fn served_routes() -> BTreeSet<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(src.join("routes")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            routes.extend(routes_in(&std::fs::read_to_string(&path).unwrap(), "/api/v3.1"));
        }
    }
    let own = std::fs::read_to_string(src.join("openapi.rs")).unwrap();
    routes.extend(routes_in(&own, "").into_iter().filter(|(_, p)| p.starts_with("/api/v3.1/")));
    routes
}

/// `(METHOD, path)` of every operation of the document.
fn documented_routes(doc: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if item.get(method).is_some() {
                routes.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    routes
}

/// A server and its document, fetched without a key.
async fn served_document() -> (Server, Value) {
    let server = Server::start(Arc::new(MemoryProjects::default())).await;
    let (status, doc, _) = server.call("GET", "/api/v3.1/openapi.json", None, None).await;
    assert_eq!(status, 200, "{doc}");
    (server, doc)
}

#[test]
fn the_route_scanner_reads_one_and_several_methods() {
    let source = r#"Router::new()
        .route("/a", post(create).get(list))
        .route("/a/{id}", get(retrieve).patch(update).delete(remove))
        .route("/b", axum::routing::get(|| async { Json(json!({"get": 1})) }))"#;
    let found: BTreeSet<_> = routes_in(source, "/p").into_iter().map(|(m, p)| format!("{m} {p}")).collect();
    let expected = ["GET /p/a", "POST /p/a", "GET /p/a/{id}", "PATCH /p/a/{id}", "DELETE /p/a/{id}", "GET /p/b"];
    assert_eq!(found, expected.into_iter().map(String::from).collect());
}

#[tokio::test]
async fn every_route_the_router_serves_is_documented() {
    let (_server, doc) = served_document().await;
    let served = served_routes();
    assert!(served.len() > 30, "the scan found too few routes: {served:?}");
    let documented = documented_routes(&doc);
    let missing: Vec<_> = served.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(missing.is_empty(), "routes without a #[utoipa::path] (or not listed in ApiDoc): {missing:?}");
    assert!(extra.is_empty(), "documented paths the routers do not serve: {extra:?}");
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1() {
    let (_server, doc) = served_document().await;
    let schema: Value = serde_json::from_str(include_str!("openapi/schema.json")).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&doc).map(|e| format!("{}: {}", e.instance_path().as_str(), e)).collect();
    assert!(errors.is_empty(), "not valid OpenAPI 3.1:\n{}", errors.join("\n"));
    // The schema does reject what is not OpenAPI 3.1.
    let mut broken = doc.clone();
    broken["openapi"] = "3.0.3".into();
    broken["paths"]["/api/v3.1/tools"]["get"]["responses"]["200"].as_object_mut().unwrap().remove("description");
    assert_eq!(validator.iter_errors(&broken).count(), 2);
    std::fs::write(std::env::temp_dir().join("toolsmith-openapi.json"), serde_json::to_string_pretty(&doc).unwrap())
        .unwrap();

    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."), "{}", doc["openapi"]);
    assert_eq!(doc["info"]["title"], "toolsmith");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["security"], serde_json::json!([{"ApiKey": []}]));
    let scheme = &doc["components"]["securitySchemes"]["ApiKey"];
    assert_eq!(
        (&scheme["type"], &scheme["in"], &scheme["name"]),
        (&"apiKey".into(), &"header".into(), &"x-api-key".into())
    );

    // Every reference resolves, and operation ids are unique.
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("not a local $ref: {reference}"));
        assert!(doc.pointer(pointer).is_some(), "$ref {reference} points nowhere");
    }
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_owned()), "operationId {id} is used twice");
            assert!(operation["tags"].as_array().is_some_and(|t| t.len() == 1), "{method} {path} has no tag");
            let envelope = "#/components/schemas/ErrorEnvelope";
            if id != "openapi" {
                let unauthorized = &operation["responses"]["401"]["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(unauthorized, envelope, "{method} {path} does not document its 401 envelope");
            }
            for (status, response) in operation["responses"].as_object().unwrap() {
                if !status.starts_with('2') {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(schema, envelope, "{method} {path}: the {status} answer is not the envelope");
                }
            }
        }
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                refs.push(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, refs));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_served_at_both_prefixes_without_a_key() {
    let (server, doc) = served_document().await;
    let (status, v3, _) = server.call("GET", "/api/v3/openapi.json", None, None).await;
    assert_eq!(status, 200, "{v3}");
    assert_eq!(v3, doc);
    let response = reqwest::get(format!("{}/api/v3.1/openapi.json", server.url)).await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(doc["paths"]["/api/v3.1/openapi.json"]["get"]["security"], serde_json::json!([{}]));
}

#[tokio::test]
async fn the_envelope_schema_is_what_errors_carry() {
    let (server, doc) = served_document().await;
    let (status, body, _) = server.call("GET", "/api/v3.1/tools", None, None).await;
    assert_eq!(status, 401);
    let sent: BTreeSet<&String> = body["error"].as_object().unwrap().keys().collect();
    let detail = &doc["components"]["schemas"]["ErrorDetail"];
    let described: BTreeSet<&String> = detail["properties"].as_object().unwrap().keys().collect();
    assert_eq!(sent, described);
    let required: BTreeSet<&str> = detail["required"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(required, sent.iter().map(|s| s.as_str()).collect());
}
