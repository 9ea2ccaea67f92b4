//! OpenAPI import of whole documents: what real specs contain becomes valid tools.

use serde_json::{json, Value};
use toolsmith_catalog::openapi::{import, ImportOptions, Imported};
use toolsmith_catalog::{KeyLocation, ParamLocation};

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

/// Issue 12, item 4: credentials an `apiKey` security scheme supplies are no tool
/// inputs, and keys required together become one scheme that sends each.
#[test]
fn query_api_keys_required_together_are_one_scheme_and_no_inputs() {
    let path = std::path::Path::new("tests/fixtures/openapi/trello-like.yaml");
    let imported = toolsmith_catalog::openapi::import_file(path, &ImportOptions::new("trello")).expect("imports");
    let toolkit = &imported.toolkit;
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    assert_eq!(toolkit.tools.len(), 2);
    for tool in &toolkit.tools {
        let inputs: Vec<&str> = tool.input.properties.keys().map(String::as_str).collect();
        assert!(!inputs.contains(&"key") && !inputs.contains(&"token"), "{}: {inputs:?}", tool.slug.as_str());
        assert!(!tool.input.required.iter().any(|r| r == "key" || r == "token"), "{}", tool.slug.as_str());
    }
    let inputs = |i: usize| toolkit.tools[i].input.properties.keys().map(String::as_str).collect::<Vec<_>>();
    assert_eq!(inputs(0), ["id", "fields"]);
    assert_eq!(inputs(1), ["idList"]);

    assert_eq!(toolkit.auth.len(), 1, "{:?}", toolkit.auth);
    let toolsmith_catalog::AuthScheme::ApiKey(scheme) = &toolkit.auth[0] else { panic!("{:?}", toolkit.auth) };
    let keys: Vec<_> = scheme.keys().collect();
    assert_eq!(keys, [(KeyLocation::Query, "key", "{api_key}"), (KeyLocation::Query, "token", "{token}")]);
    let fields = toolkit.auth[0].connection_fields();
    let fields: Vec<(&str, bool, bool)> = fields.iter().map(|f| (f.name.as_str(), f.secret, f.required)).collect();
    assert_eq!(fields, [("api_key", true, true), ("token", true, true)]);
    let token = &scheme.fields[1];
    assert_eq!(token.title, "API token");
    assert_eq!(
        token.description.as_deref(),
        Some("A user token the member authorized for your key. Sent in the `token` query parameter.")
    );

    // Written out and read back, it validates.
    let yaml = serde_yaml::to_string(toolkit).unwrap();
    let loaded = toolsmith_catalog::Loaded::from_str("trello.yaml", &yaml);
    let diagnostics = toolsmith_catalog::validate(&loaded);
    assert!(!toolsmith_catalog::has_errors(&diagnostics), "{diagnostics:#?}");
}

/// The same in a Swagger 2.0 document, and for a header key.
#[test]
fn swagger_2_and_header_keys_supplied_by_security_are_no_inputs() {
    let document = json!({
        "swagger": "2.0",
        "info": { "title": "Keys", "version": "1" },
        "host": "api.example.com",
        "securityDefinitions": { "key": { "type": "apiKey", "in": "header", "name": "X-Api-Key" } },
        "security": [{ "key": [] }],
        "paths": { "/things": { "get": {
            "operationId": "listThings",
            "parameters": [
                { "name": "x-api-key", "in": "header", "required": true, "type": "string" },
                { "name": "limit", "in": "query", "type": "integer" }
            ],
            "responses": { "200": { "description": "ok" } } } } }
    });
    let imported = import(&document, &ImportOptions::new("keys")).expect("imports");
    let inputs: Vec<&String> = imported.toolkit.tools[0].input.properties.keys().collect();
    assert_eq!(inputs, ["limit"]);
}
