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
            "/email/export?file_name={filename}": { "get": {
                "parameters": [{ "name": "filename", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": { "200": { "description": "ok" } } } },
            "/#Action=DescribeThings&Version=2016-11-15": { "get": {
                "operationId": "describe",
                "parameters": [{ "name": "Action", "in": "query", "schema": { "type": "string", "enum": ["DescribeThings"] } }],
                "responses": { "200": { "description": "ok" } } } },
        }),
    );
    let tools = &imported.toolkit.tools;
    assert_eq!(tools.len(), 4, "{:?}", imported.warnings);

    let search = &tools[0];
    assert_eq!(search.http.path, "/rest");
    let method = &search.input.properties["method"];
    assert_eq!(method.location, Some(ParamLocation::Query));
    assert_eq!(Value::Object(method.schema.clone())["enum"], json!(["flickr.photos.search"]));
    assert!(search.input.required.contains(&"method".to_owned()));

    let articles = &tools[1];
    assert_eq!(articles.http.path, "/search/articles");
    assert_eq!(articles.input.properties.len(), 1, "the declared `query` is not added twice");

    // Declared `in: path` but only in the query part of the key (clicksend.com): sent
    // in the query under the pair's name.
    let export = &tools[2];
    assert_eq!(export.http.path, "/email/export");
    assert_eq!(export.input.properties.len(), 1, "{:?}", export.input.properties.keys());
    let file_name = &export.input.properties["file_name"];
    assert_eq!(file_name.location, Some(ParamLocation::Query));
    assert!(export.input.required.contains(&"file_name".to_owned()));

    let describe = &tools[3];
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

#[test]
fn form_bodies_of_delete_go_in_the_query() {
    let imported = imported(
        "stripe",
        json!({ "/v1/customers/{customer}": { "delete": {
            "operationId": "DeleteCustomersCustomer",
            "parameters": [{ "name": "customer", "in": "path", "required": true, "schema": { "type": "string" } }],
            "requestBody": { "content": { "application/x-www-form-urlencoded": { "schema": {
                "type": "object", "properties": { "expand": { "type": "array", "items": { "type": "string" } } } } } } },
            "responses": { "200": { "description": "ok" } } } } }),
    );
    let tool = &imported.toolkit.tools[0];
    assert_eq!(tool.input.properties["expand"].location, Some(ParamLocation::Query));
}

#[test]
fn components_become_shared_definitions_once() {
    let document = json!({
        "openapi": "3.0.3",
        "info": { "title": "Pets", "version": "1" },
        "servers": [{ "url": "https://pets.example.com" }],
        "paths": {
            "/pets": {
                "get": { "operationId": "listPets", "responses": { "200": { "description": "ok", "content": { "application/json": {
                    "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Pet" } } } } } } },
                "post": { "operationId": "createPet",
                    "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Pet" } } } },
                    "responses": { "201": { "description": "ok", "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/Pet" } } } } } }
            }
        },
        "components": { "schemas": {
            "Pet": { "type": "object", "required": ["name"], "properties": {
                "name": { "type": "string" }, "owner": { "$ref": "#/components/schemas/Owner" } } },
            "Owner": { "type": "object", "properties": { "pets": { "type": "array", "items": { "$ref": "#/components/schemas/Pet" } } } }
        } }
    });
    let imported = import(&document, &ImportOptions::new("pets")).expect("imports");
    let toolkit = &imported.toolkit;
    let names: Vec<&String> = toolkit.definitions.iter().map(|(n, _)| n).collect();
    // Once per side, whichever tools use it: requests are exact, responses are
    // expanded two references deep.
    assert_eq!(names, ["Pet", "Owner", "OwnerRequest", "PetRequest"]);
    let create = &toolkit.tools[1];
    assert_eq!(create.output.as_ref().unwrap(), &json!({ "$ref": "#/$defs/Pet" }));
    assert!(create.input.defs.is_empty());
    // The published schema is self-contained.
    let output = toolkit.output_schema(create).unwrap();
    assert_eq!(output["$defs"].as_object().unwrap().len(), 2);
    assert_eq!(output["$defs"]["Owner"]["properties"]["pets"]["items"]["description"], "A `Pet` (not expanded here).");
    let input = toolkit.input_schema(create);
    assert_eq!(input["$defs"]["OwnerRequest"]["properties"]["pets"]["items"], json!({ "$ref": "#/$defs/PetRequest" }));

    // It validates once written out and read back, with no warning about definitions.
    let yaml = serde_yaml::to_string(toolkit).unwrap();
    let loaded = toolsmith_catalog::Loaded::from_str("pets.yaml", &yaml);
    let diagnostics = toolsmith_catalog::validate(&loaded);
    assert!(!toolsmith_catalog::has_errors(&diagnostics), "{diagnostics:#?}");
    assert_eq!(loaded.toolkits[0].definitions.len(), 4);
}

#[test]
fn trace_operations_are_counted_and_left_out_with_a_warning() {
    let ok = json!({ "200": { "description": "ok" } });
    let imported = imported(
        "probe",
        json!({ "/things": {
            "get": { "operationId": "listThings", "summary": "List the things", "responses": ok },
            "trace": { "operationId": "traceThings", "responses": ok },
        } }),
    );
    assert_eq!(imported.operations, 2);
    let slugs: Vec<&str> = imported.toolkit.tools.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(slugs, ["PROBE_LIST_THINGS"]);
    let warning = imported.warnings.iter().find(|w| w.pointer == "/paths/~1things/trace").expect("a warning");
    assert!(warning.message.starts_with("operation left out: tools send GET"), "{}", warning.message);
}
