//! The one execution path (`Client::call`), against a local axum server that records
//! every request it receives: argument validation, path / query / header / body
//! encoding, URL refusals, and each kind of response.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use toolsmith::{Client, Error, Registry, Toolkit, UserId};

const SPEC: &str = r#"
slug: testapi
name: Test API
description: A fake API served by the test itself, with one tool per encoding to check.
version: 20261122_00
base_url: https://api.testapi.example/v1
headers: { Accept: application/vnd.testapi+json, X-Api-Version: "2026-01-01" }
auth: [{ scheme: none }]
tools:
  - slug: TESTAPI_SEARCH
    name: Search
    description: Searches things with every query parameter style the runtime supports.
    http: { method: GET, path: /search }
    tags: [readOnlyHint]
    input:
      type: object
      properties:
        tags: { type: array, items: { type: string }, in: query, description: "Tags, repeated (form, exploded)" }
        filter:
          type: object
          in: query
          description: Filters, one query parameter per field (form, exploded)
          properties:
            status: { type: string, description: Status }
            owner: { type: string, description: Owner }
        ids: { type: array, items: { type: integer }, in: query, style: form, explode: false, description: "Ids, comma separated" }
        point:
          type: object
          in: query
          wire_name: pt
          style: form
          explode: false
          description: A point as key,value pairs
          properties:
            x: { type: integer, description: X }
            y: { type: integer, description: Y }
        words: { type: array, items: { type: string }, in: query, style: spaceDelimited, description: "Words, space separated" }
        colors: { type: array, items: { type: string }, in: query, style: pipeDelimited, description: "Colors, pipe separated" }
        q:
          type: object
          in: query
          style: deepObject
          description: Nested filter in brackets
          properties:
            a: { type: object, properties: { b: { type: integer } }, description: Nested object }
            arr: { type: array, items: { type: string }, description: Nested array }
            s: { type: string, description: Text }
        sort:
          type: array
          in: query
          style: deepObject
          description: Sort order as sort[0][field]=...
          items:
            type: object
            properties:
              field: { type: string, description: Field }
              direction: { type: string, enum: [asc, desc], description: Direction }
        page_size: { type: integer, in: query, wire_name: "page[size]", description: Page size }
        include_archived: { type: boolean, in: query, description: Include archived things }
        cursor: { type: [string, "null"], in: query, description: Cursor of the next page }
        fields: { type: array, items: { type: string }, in: query, wire_name: "fields[]", description: Fields to return }
        next: { type: string, in: query, allow_reserved: true, description: A URL kept as is }
  - slug: TESTAPI_GET_FILE
    name: Get a file
    description: Returns a file of a repository by its path, which may contain slashes.
    http: { method: GET, path: "/repos/{owner}/files/{path}" }
    tags: [readOnlyHint]
    input:
      type: object
      required: [owner, path]
      properties:
        owner: { type: string, in: path, description: Owner of the repository }
        path: { type: string, in: path, allow_reserved: true, description: Path of the file in the repository }
  - slug: TESTAPI_GET_ITEM
    name: Get an item
    description: Returns one item by its numeric id, with a boolean flag in the path.
    http: { method: GET, path: "/items/{id}/flags/{enabled}" }
    tags: [readOnlyHint]
    input:
      type: object
      required: [id, enabled]
      properties:
        id: { type: integer, in: path, description: Id of the item }
        enabled: { type: boolean, in: path, description: Whether the flag is on }
  - slug: TESTAPI_CREATE_ISSUE
    name: Create an issue
    description: Opens an issue in a repository, with a JSON body and header parameters.
    http: { method: POST, path: "/repos/{owner}/issues" }
    input:
      type: object
      required: [owner, title]
      properties:
        owner: { type: string, in: path, description: Owner of the repository }
        title: { type: string, in: body, minLength: 1, description: Title of the issue }
        body_text: { type: string, in: body, wire_name: body, description: Text of the issue }
        labels: { type: array, items: { type: string }, in: body, description: Label names }
        milestone: { type: [integer, "null"], in: body, description: "Milestone number, null for none" }
        request_id: { type: string, in: header, wire_name: X-Request-Id, description: Idempotency id }
        api_version: { type: string, in: header, wire_name: x-api-version, description: API version override }
        trace: { type: array, items: { type: string }, in: header, wire_name: X-Trace, description: Trace ids }
  - slug: TESTAPI_CREATE_CHARGE
    name: Create a charge
    description: Creates a charge with a urlencoded body using bracket keys, like Stripe.
    http: { method: POST, path: /charges }
    input:
      type: object
      required: [amount]
      properties:
        amount: { type: integer, in: form, description: Amount in cents }
        currency: { type: string, in: form, description: Three-letter currency code }
        metadata:
          type: object
          in: form
          description: Your own key-value pairs
          properties:
            order_id: { type: string, description: Order id }
            note: { type: string, description: Note }
        items:
          type: array
          in: form
          description: Line items
          items:
            type: object
            properties:
              price: { type: string, description: Price id }
              quantity: { type: integer, description: Quantity }
        expand: { type: array, items: { type: string }, in: form, wire_name: "expand[]", description: Fields to expand }
        capture: { type: boolean, in: form, description: Capture now }
        description: { type: [string, "null"], in: form, description: Shown on the receipt }
  - slug: TESTAPI_UPLOAD_FILE
    name: Upload a file
    description: Uploads a file as multipart/form-data with its metadata as a JSON part.
    http: { method: POST, path: /upload }
    input:
      type: object
      required: [file]
      properties:
        file: { type: string, contentEncoding: base64, contentMediaType: text/plain, in: multipart, description: "Content, base64" }
        filename: { type: string, in: multipart, description: Name of the file }
        metadata:
          type: object
          in: multipart
          description: Metadata, sent as a JSON part
          properties:
            title: { type: string, description: Title }
        count: { type: integer, in: multipart, description: A number part }
  - slug: TESTAPI_PUT_CSV
    name: Put a CSV object
    description: Stores a CSV object; the body is the content as is, typed text/csv.
    http: { method: PUT, path: "/objects/{key}", content_type: text/csv }
    input:
      type: object
      required: [key, content]
      properties:
        key: { type: string, in: path, description: Key of the object }
        content: { type: string, in: body, description: CSV text }
  - slug: TESTAPI_PUT_BLOB
    name: Put a binary object
    description: Stores a binary object; the body is the decoded base64 content as is.
    http: { method: PUT, path: /blob, content_type: application/octet-stream }
    input:
      type: object
      required: [data]
      properties:
        data: { type: string, contentEncoding: base64, in: body, description: "Content, base64" }
  - slug: TESTAPI_RESPOND
    name: Respond
    description: Answers with the kind of response named by the path (json, text, empty, binary, errors).
    http: { method: GET, path: "/respond/{kind}" }
    tags: [readOnlyHint]
    input:
      type: object
      required: [kind]
      properties:
        kind: { type: string, in: path, description: Kind of response to send }
  - slug: TESTAPI_PING
    name: Ping
    description: Checks that the service answers; takes no arguments at all.
    http: { method: GET, path: /ping }
    tags: [readOnlyHint]
    input: { type: object }
"#;

/// One request as the server received it.
#[derive(Clone, Debug)]
struct Recorded {
    method: String,
    /// The path as sent, still percent-encoded.
    path: String,
    /// The raw query string.
    query: Option<String>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    content_type: Option<String>,
}

impl Recorded {
    fn header(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
    }

    fn body_text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8 body")
    }
}

type Requests = Arc<Mutex<Vec<Recorded>>>;

struct Server {
    /// `http://127.0.0.1:port`
    origin: String,
    requests: Requests,
}

impl Server {
    async fn start() -> Server {
        let requests = Requests::default();
        let app = Router::new().fallback(answer).with_state(requests.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let origin = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        Server { origin, requests }
    }

    /// A client sending the toolkit's requests to this server, under `/v1`.
    fn client(&self) -> Client {
        Client::builder().base_url("testapi", format!("{}/v1", self.origin)).build()
    }

    fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.requests.lock().expect("lock"))
    }

    /// The one request received since the last call.
    fn only(&self) -> Recorded {
        let mut requests = self.take();
        assert_eq!(requests.len(), 1, "{requests:#?}");
        requests.remove(0)
    }
}

async fn answer(State(requests): State<Requests>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20).await.map(|b| b.to_vec()).unwrap_or_default();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let content_type = parts.headers.get(header::CONTENT_TYPE).map(|v| String::from_utf8_lossy(v.as_bytes()).into());
    let path = parts.uri.path().to_owned();
    requests.lock().expect("lock").push(Recorded {
        method: parts.method.to_string(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_owned),
        headers,
        body,
        content_type,
    });
    let typed = |status: StatusCode, content_type: &'static str, body: Vec<u8>| {
        (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    match path.as_str() {
        "/v1/respond/json" => typed(StatusCode::OK, "application/json", br#"{"id": 7, "tags": ["a"]}"#.to_vec()),
        "/v1/respond/text" => typed(StatusCode::OK, "text/plain; charset=utf-8", b"hello there".to_vec()),
        "/v1/respond/empty" => StatusCode::OK.into_response(),
        "/v1/respond/no-content" => StatusCode::NO_CONTENT.into_response(),
        "/v1/respond/binary" => typed(StatusCode::OK, "image/png", vec![0x89, b'P', b'N', b'G', 0, 0xff]),
        "/v1/respond/missing" => {
            typed(StatusCode::NOT_FOUND, "application/json", br#"{"message": "Not Found"}"#.to_vec())
        }
        "/v1/respond/boom" => typed(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", "é".repeat(2500).into_bytes()),
        _ => typed(StatusCode::OK, "application/json", br#"{"ok": true}"#.to_vec()),
    }
}

fn toolkit() -> Toolkit {
    let loaded = toolsmith_catalog::Loaded::from_str("t.yaml", SPEC);
    let diagnostics = toolsmith_catalog::validate(&loaded);
    let all: Vec<String> = loaded.diagnostics.iter().chain(&diagnostics).map(ToString::to_string).collect();
    assert!(all.is_empty(), "{}", all.join("\n"));
    loaded.toolkits.into_iter().next().expect("one toolkit")
}

async fn call(client: &Client, toolkit: &Toolkit, slug: &str, arguments: Value) -> Result<Value, Error> {
    let tool = toolkit.tools.iter().find(|t| t.slug.as_str() == slug).expect("tool");
    client.call(toolkit, tool, &UserId::new("user-1"), &arguments).await
}

#[track_caller]
fn problems(result: Result<Value, Error>) -> Vec<(String, String)> {
    match result {
        Err(Error::InvalidArguments { problems, .. }) => problems,
        other => panic!("expected InvalidArguments, got {other:?}"),
    }
}

#[track_caller]
fn refusal(result: Result<Value, Error>) -> String {
    match result {
        Err(Error::Refused { reason, .. }) => reason,
        other => panic!("expected Refused, got {other:?}"),
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[tokio::test]
async fn query_styles() {
    let server = Server::start().await;
    let (client, toolkit) = (server.client(), toolkit());
    let arguments = json!({
        "tags": ["a", "b c"],
        "filter": {"status": "open", "owner": "me&you"},
        "ids": [1, 2, 3],
        "point": {"x": 1, "y": 2},
        "words": ["hello", "world"],
        "colors": ["red", "green"],
        "q": {"a": {"b": 1}, "arr": ["x", "y"], "s": "hi there"},
        "sort": [{"field": "Name", "direction": "desc"}],
        "page_size": 50,
        "include_archived": false,
        "cursor": null,
        "fields": ["id", "name"],
        "next": "https://x.example/a?b=c&d"
    });
    let data = call(&client, &toolkit, "TESTAPI_SEARCH", arguments).await.expect("call");
    assert_eq!(data, json!({"ok": true}));
    let request = server.only();
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/v1/search");
    assert_eq!(
        request.query.as_deref(),
        Some(concat!(
            "tags=a&tags=b%20c",
            "&status=open&owner=me%26you",
            "&ids=1,2,3",
            "&pt=x,1,y,2",
            "&words=hello%20world",
            "&colors=red|green",
            "&q[a][b]=1&q[arr][0]=x&q[arr][1]=y&q[s]=hi%20there",
            "&sort[0][field]=Name&sort[0][direction]=desc",
            "&page[size]=50",
            "&include_archived=false",
            "&fields[]=id&fields[]=name",
            "&next=https://x.example/a?b%3Dc%26d",
        ))
    );
    assert!(request.body.is_empty());

    // No arguments: no query string at all; `null` arguments count as `{}`.
    call(&client, &toolkit, "TESTAPI_SEARCH", json!({})).await.expect("call");
    assert_eq!(server.only().query, None);
    call(&client, &toolkit, "TESTAPI_PING", Value::Null).await.expect("call");
    assert_eq!(server.only().path, "/v1/ping");
}

#[tokio::test]
async fn path_encoding() {
    let server = Server::start().await;
    let (client, toolkit) = (server.client(), toolkit());
    let cases = [
        (json!({"owner": "a b", "path": "src/main file.rs"}), "/v1/repos/a%20b/files/src/main%20file.rs"),
        (json!({"owner": "x/y", "path": "a?b#c%d"}), "/v1/repos/x%2Fy/files/a%3Fb%23c%25d"),
        (json!({"owner": "café ü", "path": "ü/€.txt"}), "/v1/repos/caf%C3%A9%20%C3%BC/files/%C3%BC/%E2%82%AC.txt"),
        (json!({"owner": "o", "path": "a:b@c!$&'()*+,;=/[x]"}), "/v1/repos/o/files/a:b@c!$&'()*+,;=/[x]"),
        (
            json!({"owner": "a:b@c!$&'()*+,;=", "path": "p"}),
            "/v1/repos/a%3Ab%40c%21%24%26%27%28%29%2A%2B%2C%3B%3D/files/p",
        ),
        (json!({"owner": "-._~", "path": "%2e%2e"}), "/v1/repos/-._~/files/%252e%252e"),
    ];
    for (arguments, expected) in cases {
        call(&client, &toolkit, "TESTAPI_GET_FILE", arguments.clone()).await.expect("call");
        assert_eq!(server.only().path, expected, "{arguments}");
    }
    call(&client, &toolkit, "TESTAPI_GET_ITEM", json!({"id": 42, "enabled": true})).await.expect("call");
    assert_eq!(server.only().path, "/v1/items/42/flags/true");
}

#[tokio::test]
async fn headers_and_json_body() {
    let server = Server::start().await;
    let (client, toolkit) = (server.client(), toolkit());
    let arguments = json!({
        "owner": "octo",
        "title": "Login fails",
        "body_text": "Steps: …",
        "labels": ["bug", "ui"],
        "milestone": null,
        "request_id": "req-1",
        "api_version": "2027-02-02",
        "trace": ["t1", "t2"]
    });
    let data = call(&client, &toolkit, "TESTAPI_CREATE_ISSUE", arguments).await.expect("call");
    assert_eq!(data, json!({"ok": true}));
    let request = server.only();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/repos/octo/issues");
    assert_eq!(request.query, None);
    assert_eq!(request.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        request.body_text(),
        r#"{"title":"Login fails","body":"Steps: …","labels":["bug","ui"],"milestone":null}"#
    );
    assert_eq!(request.header("accept"), ["application/vnd.testapi+json"]);
    assert_eq!(request.header("x-api-version"), ["2027-02-02"], "a header parameter overrides the toolkit's");
    assert_eq!(request.header("x-request-id"), ["req-1"]);
    assert_eq!(request.header("x-trace"), ["t1,t2"]);

    // Without the header parameter, the toolkit's default is sent.
    call(&client, &toolkit, "TESTAPI_CREATE_ISSUE", json!({"owner": "o", "title": "t"})).await.expect("call");
    let request = server.only();
    assert_eq!(request.header("x-api-version"), ["2026-01-01"]);
    assert_eq!(request.header("x-request-id"), Vec::<&str>::new());
    assert_eq!(request.body_text(), r#"{"title":"t"}"#);

    // A header value that cannot be sent is an argument problem, and the value is not echoed.
    let err = call(
        &client,
        &toolkit,
        "TESTAPI_CREATE_ISSUE",
        json!({"owner": "o", "title": "t", "request_id": "a\r\nX-Evil: 1"}),
    )
    .await
    .unwrap_err();
    assert!(!err.to_string().contains("X-Evil"), "{err}");
    assert_eq!(
        problems(Err(err)),
        pairs(&[("/request_id", "cannot be sent in a header (it contains a line break or another control character)")])
    );
    assert!(server.take().is_empty());
}

#[tokio::test]
async fn form_body() {
    let server = Server::start().await;
    let (client, toolkit) = (server.client(), toolkit());
    let arguments = json!({
        "amount": 2000,
        "currency": "usd",
        "metadata": {"order_id": "A 1", "note": "café"},
        "items": [{"price": "price_1", "quantity": 2}, {"price": "price_2", "quantity": 1}],
        "expand": ["customer", "invoice.lines"],
        "capture": true,
        "description": null
    });
    call(&client, &toolkit, "TESTAPI_CREATE_CHARGE", arguments).await.expect("call");
    let request = server.only();
    assert_eq!(request.path, "/v1/charges");
    assert_eq!(request.content_type.as_deref(), Some("application/x-www-form-urlencoded"));
    assert_eq!(
        request.body_text(),
        concat!(
            "amount=2000&currency=usd",
            "&metadata[order_id]=A+1&metadata[note]=caf%C3%A9",
            "&items[0][price]=price_1&items[0][quantity]=2&items[1][price]=price_2&items[1][quantity]=1",
            "&expand[]=customer&expand[]=invoice.lines",
            "&capture=true",
        )
    );
}

#[tokio::test]
async fn multipart_body() {
    let server = Server::start().await;
    let (client, toolkit) = (server.client(), toolkit());
    let arguments = json!({
        "file": "aGVsbG8gd29ybGQ=",
        "filename": "hello.txt",
        "metadata": {"title": "Greeting"},
        "count": 3
    });
    call(&client, &toolkit, "TESTAPI_UPLOAD_FILE", arguments).await.expect("call");
    let request = server.only();
    let content_type = request.content_type.clone().expect("content type");
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("multipart");
    let parts: Vec<&str> = request
        .body_text()
        .split(&format!("--{boundary}"))
        .map(str::trim_start)
        .filter(|p| !p.is_empty() && *p != "--\r\n")
        .collect();
    assert_eq!(
        parts,
        [
            "Content-Disposition: form-data; name=\"file\"; filename=\"hello.txt\"\r\nContent-Type: text/plain\r\n\r\nhello world\r\n",
            "Content-Disposition: form-data; name=\"filename\"\r\n\r\nhello.txt\r\n",
            "Content-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n{\"title\":\"Greeting\"}\r\n",
            "Content-Disposition: form-data; name=\"count\"\r\n\r\n3\r\n",
        ]
    );

    // Without a `filename` argument the part is named after the parameter.
    call(&client, &toolkit, "TESTAPI_UPLOAD_FILE", json!({"file": "AAEC"})).await.expect("call");
    let request = server.only();
    let body = &request.body;
    let needle = b"name=\"file\"; filename=\"file\"\r\nContent-Type: text/plain\r\n\r\n\x00\x01\x02\r\n";
    assert!(body.windows(needle.len()).any(|w| w == needle), "{:?}", String::from_utf8_lossy(body));

    // Content that is not base64 is an argument problem.
    let result = call(&client, &toolkit, "TESTAPI_UPLOAD_FILE", json!({"file": "not base64!"})).await;
    let problems = problems(result);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].0, "/file");
    assert!(problems[0].1.starts_with("not valid base64"), "{problems:?}");
    assert!(server.take().is_empty());
}

#[tokio::test]
async fn raw_bodies() {
    let server = Server::start().await;
    let (client, toolkit) = (server.client(), toolkit());
    call(&client, &toolkit, "TESTAPI_PUT_CSV", json!({"key": "a.csv", "content": "a,b\n1,2\n"})).await.expect("call");
    let request = server.only();
    assert_eq!((request.method.as_str(), request.path.as_str()), ("PUT", "/v1/objects/a.csv"));
    assert_eq!(request.content_type.as_deref(), Some("text/csv"));
    assert_eq!(request.body_text(), "a,b\n1,2\n");

    call(&client, &toolkit, "TESTAPI_PUT_BLOB", json!({"data": "AP8BAg=="})).await.expect("call");
    let request = server.only();
    assert_eq!(request.content_type.as_deref(), Some("application/octet-stream"));
    assert_eq!(request.body, [0x00, 0xff, 0x01, 0x02]);
}

#[tokio::test]
async fn invalid_arguments_report_every_violation() {
    let server = Server::start().await;
    let (client, toolkit) = (server.client(), toolkit());
    let arguments = json!({"labels": ["ok", 5, true], "milestone": "soon", "title": "", "colour": "red"});
    let result = call(&client, &toolkit, "TESTAPI_CREATE_ISSUE", arguments).await;
    let err = result.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid arguments for TESTAPI_CREATE_ISSUE: /colour: is not a known property; \
         /labels/1: value is not of type \"string\"; /labels/2: value is not of type \"string\"; \
         /milestone: value is not of types \"null\", \"integer\"; /owner: is required; \
         /title: value is shorter than 1 character"
    );
    assert_eq!(
        problems(Err(err)),
        pairs(&[
            ("/colour", "is not a known property"),
            ("/labels/1", "value is not of type \"string\""),
            ("/labels/2", "value is not of type \"string\""),
            ("/milestone", "value is not of types \"null\", \"integer\""),
            ("/owner", "is required"),
            ("/title", "value is shorter than 1 character"),
        ])
    );
    let result = call(&client, &toolkit, "TESTAPI_GET_ITEM", json!({"id": "42", "enabled": true})).await;
    assert_eq!(problems(result), pairs(&[("/id", "value is not of type \"integer\"")]));
    let result = call(&client, &toolkit, "TESTAPI_PING", json!([1])).await;
    assert_eq!(problems(result), pairs(&[("", "value is not of type \"object\"")]));
    assert!(server.take().is_empty(), "nothing is sent when the arguments are invalid");

    // The dynamic path (Registry::execute) is the same path.
    let registry = Registry::from_toolkits(vec![toolkit.clone()]);
    let result = registry.execute(&client, "testapi_get_item", &UserId::new("u"), json!({"enabled": true})).await;
    assert_eq!(problems(result), pairs(&[("/id", "is required")]));
    let data = registry
        .execute(&client, "TESTAPI_GET_ITEM", &UserId::new("u"), json!({"id": 1, "enabled": false}))
        .await
        .expect("call");
    assert_eq!(data, json!({"ok": true}));
    assert_eq!(server.only().path, "/v1/items/1/flags/false");
}

#[tokio::test]
async fn refuses_requests_that_leave_the_base_url() {
    let server = Server::start().await;
    let (client, mut toolkit) = (server.client(), toolkit());

    // Slashes, a scheme and `..` inside a segment are encoded: the request stays put.
    for (owner, expected) in [
        ("//evil.example", "/v1/repos/%2F%2Fevil.example/files/x"),
        ("../admin", "/v1/repos/..%2Fadmin/files/x"),
        ("http://evil.example/x", "/v1/repos/http%3A%2F%2Fevil.example%2Fx/files/x"),
        ("...", "/v1/repos/.../files/x"),
    ] {
        call(&client, &toolkit, "TESTAPI_GET_FILE", json!({"owner": owner, "path": "x"})).await.expect("call");
        assert_eq!(server.only().path, expected);
    }

    // A whole `.` or `..` segment would be resolved away by the URL parser: refused.
    for arguments in [
        json!({"owner": "..", "path": "x"}),
        json!({"owner": ".", "path": "x"}),
        json!({"owner": "o", "path": "../../admin"}),
        json!({"owner": "o", "path": "a/./b"}),
    ] {
        let reason = refusal(call(&client, &toolkit, "TESTAPI_GET_FILE", arguments.clone()).await);
        assert_eq!(
            reason,
            "a path parameter is `.` or `..`, which would move the request away from \
             `/repos/{owner}/files/{path}`; pass the real id or name"
        );
    }

    // An empty path segment is an argument problem.
    let result = call(&client, &toolkit, "TESTAPI_GET_FILE", json!({"owner": "", "path": "x"})).await;
    assert_eq!(problems(result), pairs(&[("/owner", "must not be empty: it is part of the URL path")]));

    // Reserved characters kept as they are (`allow_reserved`) cannot change the host:
    // an absolute URL or a `//host` in the path stays a path on the toolkit's server.
    call(&client, &toolkit, "TESTAPI_GET_FILE", json!({"owner": "o", "path": "http://evil.example/x"}))
        .await
        .expect("call");
    assert_eq!(server.only().path, "/v1/repos/o/files/http://evil.example/x");
    let bare = Client::builder().base_url("testapi", server.origin.clone()).build();
    let file = toolkit.tools.iter_mut().find(|t| t.slug.as_str() == "TESTAPI_GET_FILE").expect("tool");
    // A spec whose path is all parameter (invalid, but loaded anyway).
    file.http.path = "{path}".into();
    file.input.properties.shift_remove("owner");
    file.input.required.retain(|r| r != "owner");
    for (path, expected) in [("//evil.example/x", "//evil.example/x"), ("@evil.example/x", "/@evil.example/x")] {
        call(&bare, &toolkit, "TESTAPI_GET_FILE", json!({"path": path})).await.expect("call");
        assert_eq!(server.only().path, expected);
    }

    // A templated base URL needs a connected account (tests/auth.rs fills one in).
    let mut templated = toolkit.clone();
    templated.base_url = "https://{subdomain}.testapi.example/{region}".into();
    match call(&Client::new(), &templated, "TESTAPI_PING", json!({})).await {
        Err(Error::Auth { message, .. }) => assert_eq!(
            message,
            "the base URL `https://{subdomain}.testapi.example/{region}` needs the connection field(s) `subdomain`, \
             `region`, which come from a connected account: connect one with `toolsmith accounts connect --toolkit \
             testapi --field NAME=VALUE ...`"
        ),
        other => panic!("expected Auth, got {other:?}"),
    }

    // Without an override the spec's base URL is used.
    let mut direct = toolkit.clone();
    direct.base_url = format!("{}/v1/", server.origin);
    call(&Client::new(), &direct, "TESTAPI_PING", json!({})).await.expect("call");
    assert_eq!(server.only().path, "/v1/ping");
}

#[tokio::test]
async fn response_kinds() {
    let server = Server::start().await;
    let (client, toolkit) = (server.client(), toolkit());
    let respond = |kind: &str| call(&client, &toolkit, "TESTAPI_RESPOND", json!({"kind": kind}));
    assert_eq!(respond("json").await.expect("json"), json!({"id": 7, "tags": ["a"]}));
    assert_eq!(respond("text").await.expect("text"), json!("hello there"));
    assert_eq!(respond("empty").await.expect("empty"), Value::Null);
    assert_eq!(respond("no-content").await.expect("204"), Value::Null);
    assert_eq!(
        respond("binary").await.expect("binary"),
        json!({"content_type": "image/png", "size": 6, "base64": "iVBORwD/"})
    );
    match respond("missing").await {
        Err(Error::Api { slug, status, body }) => {
            assert_eq!((slug.as_str(), status, body.as_str()), ("TESTAPI_RESPOND", 404, r#"{"message": "Not Found"}"#));
        }
        other => panic!("expected Api, got {other:?}"),
    }
    match respond("boom").await {
        Err(Error::Api { status, body, .. }) => {
            assert_eq!(status, 500);
            assert_eq!(body, "é".repeat(2000), "the body is cut at 2000 characters");
        }
        other => panic!("expected Api, got {other:?}"),
    }
    // The 500 of a GET was retried: three attempts in all.
    assert_eq!(server.take().len(), 9);
}

#[tokio::test]
async fn transport_errors_do_not_leak_the_request() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let client = Client::builder().base_url("testapi", format!("{origin}/v1")).build();
    let toolkit = toolkit();
    let arguments = json!({"owner": "s3cret-owner", "title": "t", "request_id": "s3cret-header"});
    match call(&client, &toolkit, "TESTAPI_CREATE_ISSUE", arguments).await {
        Err(Error::Request { slug, message, .. }) => {
            assert_eq!(slug, "TESTAPI_CREATE_ISSUE");
            assert!(message.starts_with(&format!("could not connect to {origin}")), "{message}");
            assert!(!message.contains("s3cret"), "{message}");
        }
        other => panic!("expected Request, got {other:?}"),
    }
}
