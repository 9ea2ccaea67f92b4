use std::collections::BTreeMap;

use toolsmith_core::{AuthConfigId, ConnectedAccountId, UserId};
use toolsmith_spec::ToolkitSlug;

use super::*;

fn toolkit(extra: &str) -> Toolkit {
    serde_yaml::from_str(&format!(
        "{{ slug: demo, name: Demo, description: A demo toolkit for tests., version: 20261122_00, \
         base_url: 'https://api.example.com', auth: [{{ scheme: oauth2, authorization_url: 'https://a.example/authorize?x=1', \
         token_url: 'https://a.example/token', scopes: {{ default: [read, write], separator: ',' }}, \
         authorize_params: {{ access_type: offline, state: evil }} {extra} }}] }}"
    ))
    .unwrap()
}

fn config(scopes: &[&str]) -> AuthConfig {
    AuthConfig {
        id: AuthConfigId::generate(),
        toolkit: ToolkitSlug::new("demo"),
        name: "Demo".into(),
        scheme: "oauth2".into(),
        client_id: Some("client-1".into()),
        client_secret: None,
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        disabled: false,
        created_at: SystemTime::now(),
    }
}

fn link() -> ConnectLink {
    let now = SystemTime::now();
    ConnectLink {
        token_hash: toolsmith_store::LinkToken::generate().hash(),
        account: ConnectedAccountId::generate(),
        user_id: UserId::new("ada"),
        toolkit: ToolkitSlug::new("demo"),
        auth_config: AuthConfigId::generate(),
        session: None,
        callback_url: None,
        created_at: now,
        expires_at: now,
        used_at: None,
    }
}

fn query(url: &url::Url) -> BTreeMap<String, Vec<String>> {
    let mut map = BTreeMap::<String, Vec<String>>::new();
    for (k, v) in url.query_pairs() {
        map.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    map
}

#[test]
fn the_url_has_the_flow_parameters_default_scopes_and_a_pkce_challenge() {
    let link = link();
    let url = authorization_url(&toolkit(""), &config(&[]), &link, "https://me.example/cb", b"k").unwrap();
    assert_eq!(url.path(), "/authorize");
    let q = query(&url);
    assert_eq!(q["x"], ["1"]);
    assert_eq!(q["response_type"], ["code"]);
    assert_eq!(q["client_id"], ["client-1"]);
    assert_eq!(q["redirect_uri"], ["https://me.example/cb"]);
    assert_eq!(q["scope"], ["read,write"]);
    assert_eq!(q["access_type"], ["offline"]);
    // A scheme's authorize_params cannot replace the state.
    assert_eq!(q["state"], [state(&link.token_hash, b"k")]);
    assert_eq!(q["code_challenge_method"], ["S256"]);
    let verifier = PkceCodeVerifier::new(verifier(&link.token_hash, b"k").expose_secret().to_owned());
    assert_eq!(q["code_challenge"], [PkceCodeChallenge::from_code_verifier_sha256(&verifier).as_str().to_owned()]);
    assert_eq!(verifier.secret().len(), 43);
}

#[test]
fn the_url_uses_the_configs_scopes_and_no_pkce_when_the_scheme_says_so() {
    let url =
        authorization_url(&toolkit(", pkce: false"), &config(&["a", "b"]), &link(), "https://me.example/cb", b"k")
            .unwrap();
    let q = query(&url);
    assert_eq!(q["scope"], ["a,b"]);
    assert!(!q.contains_key("code_challenge") && !q.contains_key("code_challenge_method"), "{url}");
    let no_client = AuthConfig { client_id: None, ..config(&[]) };
    let err = authorization_url(&toolkit(""), &no_client, &link(), "https://me.example/cb", b"k").unwrap_err();
    assert!(err.to_string().contains("no OAuth client id"), "{err}");
}

#[test]
fn the_state_mac_is_checked() {
    let hash = link().token_hash;
    let good = state(&hash, b"secret");
    assert_eq!(check_state(&good, b"secret").unwrap(), hash);
    assert!(matches!(check_state(&good, b"other"), Err(AuthorizeError::BadState)));
    let mut altered = good.clone().into_bytes();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
    assert!(check_state(std::str::from_utf8(&altered).unwrap(), b"secret").is_err());
    let other = link().token_hash;
    let (_, mac) = good.split_once('.').unwrap();
    assert!(check_state(&format!("{other}.{mac}"), b"secret").is_err());
    for bad in ["", ".", "abc", &hash, &format!("{hash}."), &format!("{}.{mac}", hash.to_uppercase())] {
        assert!(matches!(check_state(bad, b"secret"), Err(AuthorizeError::BadState)), "{bad}");
    }
    // Verifier and state differ by purpose, and depend on the secret.
    assert_ne!(verifier(&hash, b"a").expose_secret(), verifier(&hash, b"b").expose_secret());
    assert!(!good.contains(verifier(&hash, b"secret").expose_secret()));
}

#[tokio::test]
async fn a_valid_state_of_no_link_is_unknown_and_a_static_scheme_fails_the_account() {
    use crate::link::initiate;
    use toolsmith_store::{ConnectedAccounts, KeyRing, SqliteStore};
    let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
    let toolkit: Toolkit = serde_yaml::from_str(
        "{ slug: demo, name: Demo, description: A demo toolkit for tests., version: 20261122_00, \
         base_url: 'https://api.example.com', auth: [{ scheme: bearer, fields: [{ name: token, title: Token, secret: true }] }] }",
    )
    .unwrap();
    let http = reqwest::Client::new();
    let params = |state: String| CallbackParams { code: Some(SecretString::from("c0de")), state, ..Default::default() };
    let nowhere = state(&link().token_hash, b"k");
    let err = complete_authorization(&store, &toolkit, &http, params(nowhere), "https://me/cb", b"k", None)
        .await
        .unwrap_err();
    assert!(matches!(err, AuthorizeError::Link(LinkError::Unknown)), "{err}");

    // A link of a bearer auth config cannot complete an OAuth flow: FAILED, with the reason.
    let started = initiate(&store, &toolkit, crate::LinkRequest::new(UserId::new("ada"))).await.unwrap();
    let ours = state(&started.token.hash(), b"k");
    let err =
        complete_authorization(&store, &toolkit, &http, params(ours), "https://me/cb", b"k", None).await.unwrap_err();
    assert!(matches!(err, AuthorizeError::Config(_)) && err.to_string().contains("not OAuth 2.0"), "{err}");
    let account = store.account(&started.account.id).await.unwrap().unwrap();
    assert_eq!(account.status, AccountStatus::Failed);
    assert!(account.status_reason.unwrap().contains("`bearer`"));
    assert!(!err.to_string().contains("c0de"));
}
