//! TEMPORARY during issue 19: helper A (accounts) replaces every impl below with a real one in its own
//! file and deletes this file. Nothing here is reachable once that is done.

#![allow(unused_variables, unused_imports)]

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use toolsmith_core::*;
use toolsmith_spec::ToolkitSlug;

use super::handle::PgStore;
use crate::*;

fn pending(what: &str) -> StoreError {
    StoreError::Database {
        path: "postgres".to_owned(),
        message: format!("{what} is not built yet for PostgreSQL"),
        source: None,
    }
}

#[async_trait::async_trait]
impl AuthConfigs for PgStore {
    async fn put_auth_config(&self, config: &AuthConfig) -> Result<(), StoreError> {
        Err(pending("put_auth_config"))
    }
    async fn auth_config(&self, id: &AuthConfigId) -> Result<Option<AuthConfig>, StoreError> {
        Err(pending("auth_config"))
    }
    async fn auth_configs(&self, toolkit: Option<&ToolkitSlug>) -> Result<Vec<AuthConfig>, StoreError> {
        Err(pending("auth_configs"))
    }
    async fn delete_auth_config(&self, id: &AuthConfigId) -> Result<bool, StoreError> {
        Err(pending("delete_auth_config"))
    }
}

#[async_trait::async_trait]
impl ConnectedAccounts for PgStore {
    async fn put_account(&self, account: &ConnectedAccount) -> Result<(), StoreError> {
        Err(pending("put_account"))
    }
    async fn account(&self, id: &ConnectedAccountId) -> Result<Option<ConnectedAccount>, StoreError> {
        Err(pending("account"))
    }
    async fn accounts(&self, filter: &AccountFilter) -> Result<Vec<ConnectedAccount>, StoreError> {
        Err(pending("accounts"))
    }
    async fn delete_account(&self, id: &ConnectedAccountId) -> Result<bool, StoreError> {
        Err(pending("delete_account"))
    }
    fn account_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.shared.account_changes.subscribe()
    }
}

#[async_trait::async_trait]
impl RefreshLeases for PgStore {
    async fn try_lock_refresh(&self, id: &ConnectedAccountId, holder: &str, ttl: Duration) -> Result<bool, StoreError> {
        Err(pending("try_lock_refresh"))
    }
    async fn finish_refresh(
        &self,
        id: &ConnectedAccountId,
        holder: &str,
        account: Option<&ConnectedAccount>,
    ) -> Result<(), StoreError> {
        Err(pending("finish_refresh"))
    }
}

#[async_trait::async_trait]
impl ExecutionLogs for PgStore {
    async fn put_log(&self, entry: &ExecutionLog) -> Result<(), StoreError> {
        Err(pending("put_log"))
    }
    async fn log(&self, id: &LogId) -> Result<Option<ExecutionLog>, StoreError> {
        Err(pending("log"))
    }
    async fn logs(&self, filter: &LogFilter) -> Result<Vec<ExecutionLog>, StoreError> {
        Err(pending("logs"))
    }
}

#[async_trait::async_trait]
impl KeyRotation for PgStore {
    fn keys(&self) -> Result<KeyRing, StoreError> {
        Ok(self.shared.keys.ring())
    }
    async fn reencrypt(&self) -> Result<usize, StoreError> {
        Err(pending("reencrypt"))
    }
    async fn sealed_keys(&self) -> Result<BTreeMap<KeyId, usize>, StoreError> {
        Err(pending("sealed_keys"))
    }
}
