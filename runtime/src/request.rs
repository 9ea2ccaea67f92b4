//! Building an HTTP request from a tool's binding and its JSON arguments, and
//! reading the response.

use serde_json::Value;
use toolsmith_catalog::{ParamLocation, Tool, Toolkit};

use crate::{Client, Error};

/// Builds the request for `tool` with `arguments`.
pub(crate) fn build(client: &Client, toolkit: &Toolkit, tool: &Tool, arguments: &Value) -> Result<reqwest::Request, Error> {
    let slug = tool.slug.as_str();
    let args = arguments.as_object().cloned().unwrap_or_default();
    let mut path = tool.http.path.clone();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut body = serde_json::Map::new();
    for (name, param) in &tool.input.properties {
        let Some(value) = args.get(name) else { continue };
        let wire = param.wire_name(name).to_owned();
        match param.location {
            Some(ParamLocation::Path) => path = path.replace(&format!("{{{name}}}"), &scalar(value)),
            Some(ParamLocation::Query) => query.push((wire, scalar(value))),
            Some(ParamLocation::Header) => headers.push((wire, scalar(value))),
            _ => {
                body.insert(wire, value.clone());
            }
        }
    }
    let url = format!("{}{}", client.base_url_for(toolkit).trim_end_matches('/'), path);
    let method = reqwest::Method::from_bytes(tool.http.method.as_str().as_bytes())
        .map_err(|e| Error::Request { slug: slug.to_owned(), message: e.to_string() })?;
    let mut request = client.http.request(method, url).query(&query);
    for (name, value) in toolkit.headers.iter().map(|(k, v)| (k.clone(), v.clone())).chain(headers) {
        request = request.header(name, value);
    }
    if !body.is_empty() {
        request = request.json(&body);
    }
    request.build().map_err(|e| Error::Request { slug: slug.to_owned(), message: e.to_string() })
}

/// Sends the request and reads the response data.
pub(crate) async fn send(client: &Client, tool: &Tool, request: reqwest::Request) -> Result<Value, Error> {
    let slug = tool.slug.as_str();
    let response =
        client.http.execute(request).await.map_err(|e| Error::Request { slug: slug.to_owned(), message: e.to_string() })?;
    let status = response.status();
    let text = response.text().await.map_err(|e| Error::Request { slug: slug.to_owned(), message: e.to_string() })?;
    if !status.is_success() {
        return Err(Error::Api { slug: slug.to_owned(), status: status.as_u16(), body: text.chars().take(2000).collect() });
    }
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
