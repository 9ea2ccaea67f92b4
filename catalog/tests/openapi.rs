//! OpenAPI import of whole documents: what real specs contain becomes valid tools.

use serde_json::{json, Value};
use toolsmith_catalog::openapi::{import, ImportOptions, Imported};
use toolsmith_catalog::ParamLocation;

fn imported(slug: &str, paths: Value) -> Imported {
    let document = json!({
        "openapi": "3.0.3",
        "info": { "title": "Test API", "version": "1" },
        "servers": [{ "url": "https://api.example.com" }],
        "paths": paths,
    });
    import(&document, &ImportOptions::new(slug)).expect("imports")
}

#[test]
fn query_pairs_in_path_keys_become_query_parameters() {
    let imported = imported(
        "flickr",
        json!({
            "/rest?method=flickr.photos.search": { "get": {
                "operationId": "search",
                "parameters": [{ "name": "text", "in": "query", "schema": { "type": "string" } }],
                "responses": { "200": { "description": "ok" } } } },
            "/search/articles?query={query}": { "get": {
                "parameters": [{ "name": "query", "in": "query", "required": true, "schema": { "type": "string" } }],
                "responses": { "200": { "description": "ok" } } } },
            "/#Action=DescribeThings&Version=2016-11-15": { "get": {
                "operationId": "describe",
                "parameters": [{ "name": "Action", "in": "query", "schema": { "type": "string", "enum": ["DescribeThings"] } }],
                "responses": { "200": { "description": "ok" } } } },
        }),
    );
    let tools = &imported.toolkit.tools;
    assert_eq!(tools.len(), 3, "{:?}", imported.warnings);

    let search = &tools[0];
    assert_eq!(search.http.path, "/rest");
    let method = &search.input.properties["method"];
    assert_eq!(method.location, Some(ParamLocation::Query));
    assert_eq!(Value::Object(method.schema.clone())["enum"], json!(["flickr.photos.search"]));
    assert!(search.input.required.contains(&"method".to_owned()));

    let articles = &tools[1];
    assert_eq!(articles.http.path, "/search/articles");
    assert_eq!(articles.input.properties.len(), 1, "the declared `query` is not added twice");

    let describe = &tools[2];
    assert_eq!(describe.http.path, "/");
    assert!(describe.input.properties.contains_key("Action"));
    assert_eq!(describe.input.properties["Version"].location, Some(ParamLocation::Query));
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
}

#[test]
fn tool_slugs_keep_the_toolkit_prefix() {
    let imported = imported(
        "api_1forge_com",
        json!({ "/quotes": { "get": { "operationId": "getQuotes", "responses": { "200": { "description": "ok" } } } } }),
    );
    assert_eq!(imported.toolkit.tools[0].slug.as_str(), "API_1FORGE_COM_GET_QUOTES");
}
