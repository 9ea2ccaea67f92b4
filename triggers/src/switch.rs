//! Enabling and disabling a trigger instance; disabling one records its
//! `composio.trigger.disabled` event for the app.

use std::time::{SystemTime, UNIX_EPOCH};

use toolsmith_core::TriggerInstanceId;
use toolsmith_store::{StoreError, TriggerEvent, TriggerEvents, TriggerInstances};

use crate::envelope::trigger_disabled;

/// Enables or disables instance `id` at `now`; `None` when there is no such instance,
/// else the events recorded (a `composio.trigger.disabled`, with `reason`, when an enabled
/// instance is disabled; none otherwise), for the caller to wake the delivery workers.
///
/// Once per transition: the event's dedupe key is the instance's `updated_at` while it
/// was enabled, so two disables that race (both read it enabled) record one event, a
/// second disable finds it disabled, and a disable after a re-enable (a new `updated_at`)
/// records a new one. The event is recorded before the instance is switched: a crash in
/// between leaves it enabled with its event out, and disabling it again records nothing
/// more.
///
/// # Errors
/// The store's.
pub async fn set_enabled<S>(
    store: &S,
    id: &TriggerInstanceId,
    enabled: bool,
    reason: &str,
    now: SystemTime,
) -> Result<Option<Vec<TriggerEvent>>, StoreError>
where
    S: TriggerInstances + TriggerEvents + ?Sized,
{
    let Some(instance) = store.trigger_instance(id).await? else { return Ok(None) };
    let mut recorded = Vec::new();
    if instance.enabled && !enabled {
        let mut event = trigger_disabled(&instance, reason, now);
        let since = instance.updated_at.duration_since(UNIX_EPOCH).unwrap_or_default().as_micros();
        event.dedupe_key = Some(format!("{}@{since}", event.kind));
        recorded = store.record_trigger_events(&[event], None).await?;
    }
    if !store.set_trigger_enabled(id, enabled, now).await? {
        return Ok(None);
    }
    Ok(Some(recorded))
}
