//! The SQL of [`TriggerInstances`](crate::TriggerInstances). The secret configuration is
//! sealed as one value (the credentials' JSON encoding), bound to the instance's id.

use std::time::SystemTime;

use rusqlite::types::Value as Sql;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, TransactionBehavior};
use toolsmith_core::{AuthConfigId, ConnectedAccountId, TriggerInstanceId};

use super::context::Cx;
use super::queries::{collect, has_row, json_text, push_in_conditions};
use crate::rows::to_ms;
use crate::rows::triggers::{
    filter_conditions, missing_account, seal_secrets, InstanceRow, INSTANCE_COLUMNS as COLUMNS,
};
use crate::{StoreError, TriggerFilter, TriggerInstance};

pub(super) fn upsert(
    conn: &mut Connection,
    cx: &Cx<'_>,
    instance: &TriggerInstance,
) -> Result<TriggerInstance, StoreError> {
    let what = || format!("save trigger instance {} ({})", instance.id, instance.trigger);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    if let Some(account) = &instance.account {
        if !has_row(&tx, cx, "connected_accounts", account.as_str(), &what())? {
            return Err(missing_account(instance, account));
        }
    }
    let identity = instance.identity();
    let existing: Option<String> = tx
        .query_row("SELECT id FROM trigger_instances WHERE identity = ?1", [&identity], |r| r.get(0))
        .optional()
        .map_err(|e| cx.db(what(), e))?;
    let id = match existing {
        Some(id) => {
            // The same instance: new secrets, enabled or not; id, state and creation kept.
            let secrets = seal_secrets(cx, &id, instance)?;
            tx.execute(
                "UPDATE trigger_instances SET secrets = ?1, enabled = ?2, auth_config = ?3, updated_at = ?4
                 WHERE id = ?5",
                params![
                    secrets,
                    instance.enabled,
                    instance.auth_config.as_ref().map(AuthConfigId::as_str),
                    to_ms(instance.updated_at),
                    id
                ],
            )
            .map_err(|e| cx.db(what(), e))?;
            id
        }
        None => {
            let id = instance.id.as_str().to_owned();
            let secrets = seal_secrets(cx, &id, instance)?;
            tx.execute(
                &format!(
                    "INSERT INTO trigger_instances ({COLUMNS}, identity)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                ),
                params![
                    id,
                    instance.trigger.as_str(),
                    instance.toolkit.as_str(),
                    instance.user_id.as_str(),
                    instance.account.as_ref().map(ConnectedAccountId::as_str),
                    instance.auth_config.as_ref().map(AuthConfigId::as_str),
                    json_text(cx, &instance.config)?,
                    secrets,
                    instance.enabled,
                    json_text(cx, &instance.state)?,
                    to_ms(instance.created_at),
                    to_ms(instance.updated_at),
                    identity,
                ],
            )
            .map_err(|e| cx.db(what(), e))?;
            id
        }
    };
    let stored = read_one(&tx, cx, &id)?;
    tx.commit().map_err(|e| cx.db(what(), e))?;
    stored.ok_or_else(|| StoreError::Missing(format!("trigger instance {id} right after saving it")))
}

fn read_one(conn: &Connection, cx: &Cx<'_>, id: &str) -> Result<Option<TriggerInstance>, StoreError> {
    let row = conn
        .query_row(&format!("SELECT {COLUMNS} FROM trigger_instances WHERE id = ?1"), [id], read_instance)
        .optional()
        .map_err(|e| cx.db(format!("read trigger instance {id}"), e))?;
    row.map(|row| row.decode(cx)).transpose()
}

pub(super) fn instance(
    conn: &mut Connection,
    cx: &Cx<'_>,
    id: &TriggerInstanceId,
) -> Result<Option<TriggerInstance>, StoreError> {
    read_one(conn, cx, id.as_str())
}

pub(super) fn instances(
    conn: &mut Connection,
    cx: &Cx<'_>,
    filter: &TriggerFilter,
) -> Result<Vec<TriggerInstance>, StoreError> {
    let mut sql = format!("SELECT {COLUMNS} FROM trigger_instances WHERE 1 = 1");
    let mut args: Vec<Sql> = Vec::new();
    let conditions = filter_conditions(filter);
    push_in_conditions(&mut sql, &mut args, conditions);
    if !filter.include_disabled {
        sql.push_str(" AND enabled = 1");
    }
    sql.push_str(" ORDER BY created_at, rowid");
    let rows = collect(conn, cx, &sql, params_from_iter(args), read_instance, "list trigger instances")?;
    rows.into_iter().map(|row| row.decode(cx)).collect()
}

pub(super) fn set_enabled(
    conn: &mut Connection,
    cx: &Cx<'_>,
    id: &TriggerInstanceId,
    enabled: bool,
    at: SystemTime,
) -> Result<bool, StoreError> {
    let changed = conn
        .execute(
            "UPDATE trigger_instances SET enabled = ?1, updated_at = ?2 WHERE id = ?3",
            params![enabled, to_ms(at), id.as_str()],
        )
        .map_err(|e| cx.db(format!("enable or disable trigger instance {id}"), e))?;
    Ok(changed > 0)
}

pub(super) fn delete(conn: &mut Connection, cx: &Cx<'_>, id: &TriggerInstanceId) -> Result<bool, StoreError> {
    let deleted = conn
        .execute("DELETE FROM trigger_instances WHERE id = ?1", [id.as_str()])
        .map_err(|e| cx.db(format!("delete trigger instance {id}"), e))?;
    Ok(deleted > 0)
}

pub(super) fn claim_poll(
    conn: &mut Connection,
    cx: &Cx<'_>,
    id: &TriggerInstanceId,
    holder: &str,
    now: SystemTime,
    until: SystemTime,
) -> Result<bool, StoreError> {
    let claimed = conn
        .execute(
            "UPDATE trigger_instances SET poll_holder = ?1, poll_until = ?2
             WHERE id = ?3 AND (poll_until IS NULL OR poll_until <= ?4 OR poll_holder = ?1)",
            params![holder, to_ms(until), id.as_str(), to_ms(now)],
        )
        .map_err(|e| cx.db(format!("claim the next poll of trigger instance {id}"), e))?;
    Ok(claimed > 0)
}

fn read_instance(row: &Row<'_>) -> rusqlite::Result<InstanceRow> {
    Ok(InstanceRow {
        id: row.get(0)?,
        trigger: row.get(1)?,
        toolkit: row.get(2)?,
        user_id: row.get(3)?,
        account: row.get(4)?,
        auth_config: row.get(5)?,
        config: row.get(6)?,
        secrets: row.get(7)?,
        enabled: row.get(8)?,
        state: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
    })
}
