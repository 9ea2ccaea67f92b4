//! Which connected account a call uses, and which of the toolkit's auth schemes it
//! is connected with.

use toolsmith_core::{ConnectedAccountId, Error, Remedy, UserId};
use toolsmith_spec::{AuthScheme, Toolkit};
use toolsmith_store::{AccountFilter, AccountStatus, AuthConfig, ConnectedAccount, Store, StoreError};

/// Whether calls of `toolkit` need a connected account: every scheme but `none`, and
/// `none` schemes that declare connection fields (a subdomain in the base URL).
///
/// ```
/// let open: toolsmith_spec::Toolkit = serde_json::from_value(serde_json::json!({
///     "slug": "demo", "name": "Demo", "description": "A demonstration toolkit.",
///     "version": "20261122_00", "base_url": "https://api.example.com",
///     "auth": [{ "scheme": "none" }], "tools": []
/// }))?;
/// assert!(!toolsmith_auth::needs_account(&open));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn needs_account(toolkit: &Toolkit) -> bool {
    !toolkit.auth.iter().any(|s| matches!(s, AuthScheme::None(n) if n.fields.is_empty()))
}

/// The account a call of `toolkit` for `user` uses: the one asked for (which must belong
/// to the user and the toolkit and be ACTIVE), else the user's only ACTIVE account of the
/// toolkit. Several active accounts without a choice is an error that lists them.
pub async fn select_account(
    store: &dyn Store,
    slug: &str,
    toolkit: &Toolkit,
    user: &UserId,
    wanted: Option<&ConnectedAccountId>,
) -> Result<ConnectedAccount, Error> {
    let auth = |message: String, remedy: Option<Remedy>| Error::Auth {
        slug: slug.to_owned(),
        message,
        remedy: remedy.map(Box::new),
        source: None,
    };
    let store_error = |e: StoreError| Error::Store {
        slug: slug.to_owned(),
        message: format!("could not read the connected accounts: {e}"),
        source: Some(Box::new(e)),
    };
    let connect = format!("toolsmith accounts connect --user {user} --toolkit {}", toolkit.slug);
    let connect_remedy = || Remedy::ConnectAccount { user: user.clone(), toolkit: toolkit.slug.as_str().to_owned() };
    if let Some(id) = wanted {
        let account = store.account(id).await.map_err(store_error)?;
        let Some(account) = account else {
            return Err(auth(
                format!("connected account {id} does not exist; list them with `toolsmith accounts list`"),
                Some(connect_remedy()),
            ));
        };
        if account.user_id != *user || account.toolkit != toolkit.slug {
            return Err(auth(
                format!(
                    "connected account {id} belongs to user `{}` and toolkit `{}`, not to user `{user}` and toolkit `{}`",
                    account.user_id, account.toolkit, toolkit.slug
                ),
                Some(connect_remedy()),
            ));
        }
        return usable(account, &connect, slug);
    }
    let filter =
        AccountFilter { user_id: Some(user.clone()), toolkit: Some(toolkit.slug.clone()), ..Default::default() };
    let accounts = store.accounts(&filter).await.map_err(store_error)?;
    let (mut active, other): (Vec<_>, Vec<_>) = accounts.into_iter().partition(|a| a.status == AccountStatus::Active);
    match active.len() {
        1 => Ok(active.remove(0)),
        0 => match other.into_iter().last() {
            Some(account) => usable(account, &connect, slug),
            None => Err(auth(
                format!(
                    "user `{user}` has no connected account for `{}`; connect one with `{connect} ...`",
                    toolkit.slug
                ),
                Some(connect_remedy()),
            )),
        },
        n => Err(auth(
            format!(
                "user `{user}` has {n} active accounts for `{}` ({}); choose one with `--account` (`account` in the API)",
                toolkit.slug,
                active.iter().map(describe).collect::<Vec<_>>().join(", ")
            ),
            Some(Remedy::ChooseAccount { accounts: active.iter().map(|a| a.id.clone()).collect() }),
        )),
    }
}

/// The toolkit's auth scheme an auth config uses.
pub fn scheme_of<'a>(toolkit: &'a Toolkit, config: &AuthConfig) -> Result<&'a AuthScheme, String> {
    toolkit.auth.iter().find(|s| s.name() == config.scheme).ok_or_else(|| {
        let offered = toolkit.auth.iter().map(AuthScheme::name).collect::<Vec<_>>().join(", ");
        format!(
            "auth config {} uses the `{}` scheme, which toolkit `{}` does not offer (it offers: {offered})",
            config.id, config.scheme, toolkit.slug
        )
    })
}

/// An account with its alias, for messages: `ca_x (work)`.
pub(crate) fn describe(account: &ConnectedAccount) -> String {
    match &account.alias {
        Some(alias) => format!("{} ({alias})", account.id),
        None => account.id.to_string(),
    }
}

/// The account if it can be used; else why not and how to fix it.
fn usable(account: ConnectedAccount, connect: &str, slug: &str) -> Result<ConnectedAccount, Error> {
    if account.status == AccountStatus::Active {
        return Ok(account);
    }
    let reason = account.status_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
    Err(Error::Auth {
        slug: slug.to_owned(),
        message: format!(
            "connected account {} is {}{reason}; reconnect it with `{connect} ...`",
            describe(&account),
            account.status
        ),
        remedy: Some(Box::new(Remedy::ReconnectAccount {
            user: account.user_id.clone(),
            toolkit: account.toolkit.as_str().to_owned(),
            account: account.id.clone(),
        })),
        source: None,
    })
}
