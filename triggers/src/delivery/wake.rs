//! How producers of events wake the delivery workers at once, instead of at their next
//! tick.

use tokio::sync::watch;

/// A signal every delivery worker listens to: a producer that recorded events calls
/// [`poke`](Self::poke), and every worker made with a [`subscribe`](Self::subscribe)d
/// receiver looks for due deliveries now. A poke while a worker is busy is not lost:
/// the worker looks again when it is done. Cheap to clone.
///
/// ```
/// let wake = toolsmith_triggers::delivery::DeliveryWake::default();
/// let mut listener = wake.subscribe();
/// wake.poke();
/// assert!(listener.has_changed().unwrap());
/// ```
#[derive(Clone, Debug)]
pub struct DeliveryWake(watch::Sender<u64>);

impl Default for DeliveryWake {
    fn default() -> Self {
        DeliveryWake(watch::Sender::new(0))
    }
}

impl DeliveryWake {
    /// Wakes every worker: events were recorded.
    pub fn poke(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver for one worker.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}
