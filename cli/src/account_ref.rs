//! `ca_…` or an alias: how commands name a connected account (`--account work`,
//! `accounts update work`). An alias is unique per user and toolkit, so the user and
//! toolkit, when known, narrow the search.

use toolsmith::store::{AccountFilter, ConnectedAccount, ConnectedAccounts};
use toolsmith::{ConnectedAccountId, UserId};
use toolsmith_catalog::ToolkitSlug;

/// The accounts a name is looked up among: a user's, a toolkit's, or both.
#[derive(Default)]
pub(crate) struct Scope<'a> {
    /// Only this user's accounts.
    pub(crate) user: Option<&'a UserId>,
    /// Only this toolkit's accounts.
    pub(crate) toolkit: Option<&'a ToolkitSlug>,
}

impl Scope<'_> {
    /// `user `ada`'s github accounts`, for messages.
    fn describe(&self) -> String {
        match (self.user, self.toolkit) {
            (Some(user), Some(toolkit)) => format!("user `{user}`'s `{toolkit}` accounts"),
            (Some(user), None) => format!("user `{user}`'s accounts"),
            (None, Some(toolkit)) => format!("the `{toolkit}` accounts"),
            (None, None) => "the connected accounts".to_owned(),
        }
    }
}

/// The account `name` names: the account with that `ca_…` id, else the one account of
/// `scope` with that alias. Errors say which aliases exist, or which accounts share
/// the alias and how to choose.
pub(crate) async fn find(
    store: &dyn ConnectedAccounts,
    name: &str,
    scope: &Scope<'_>,
) -> Result<ConnectedAccount, String> {
    if let Some(id) = ConnectedAccountId::parse(name) {
        if let Some(account) = store.account(&id).await.map_err(|e| e.to_string())? {
            return Ok(account);
        }
    }
    by_alias(store, name, scope).await
}

/// The one account of `scope` whose alias is `alias`.
pub(crate) async fn by_alias(
    store: &dyn ConnectedAccounts,
    alias: &str,
    scope: &Scope<'_>,
) -> Result<ConnectedAccount, String> {
    let filter = AccountFilter { user_id: scope.user.cloned(), toolkit: scope.toolkit.cloned(), ..Default::default() };
    let accounts = store.accounts(&filter).await.map_err(|e| e.to_string())?;
    let (mut matching, others): (Vec<_>, Vec<_>) =
        accounts.into_iter().partition(|a| a.alias.as_deref() == Some(alias));
    match matching.len() {
        1 => Ok(matching.remove(0)),
        0 => {
            let mut aliases: Vec<&str> = others.iter().filter_map(|a| a.alias.as_deref()).collect();
            aliases.sort_unstable();
            aliases.dedup();
            let known = if aliases.is_empty() {
                "none of them has an alias (`toolsmith accounts connect ... --alias NAME` gives one)".to_owned()
            } else {
                format!("their aliases: {}", aliases.join(", "))
            };
            Err(format!(
                "no account `{alias}`: it is neither a `ca_…` id nor an alias among {}; {known}; \
                 `toolsmith accounts list` shows them",
                scope.describe()
            ))
        }
        _ => {
            let listed: Vec<String> =
                matching.iter().map(|a| format!("{} (user `{}`, `{}`)", a.id, a.user_id, a.toolkit)).collect();
            Err(format!(
                "the alias `{alias}` names {} accounts: {}; give the `ca_…` id, or --user and --toolkit",
                listed.len(),
                listed.join(", ")
            ))
        }
    }
}
