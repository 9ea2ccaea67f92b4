//! Execution log entries are written in the background, in batches, so that a call
//! never waits for the store: [`LogWriter::push`] queues an entry, a task writes what
//! gathered in 20 ms in one transaction, and [`LogWriter::flush`] waits until everything
//! queued before it is in the store.

use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot};

use crate::store::{ExecutionLog, Store};

/// Most entries written in one transaction.
const BATCH: usize = 512;
/// How long entries gather before a write: one wake-up and one transaction for all
/// the calls of this time, instead of one per call.
const GATHER: std::time::Duration = std::time::Duration::from_millis(20);

enum Message {
    Entry(Box<ExecutionLog>),
    Flush(oneshot::Sender<()>),
}

/// The background writer of one store's execution log.
pub(crate) struct LogWriter {
    store: Arc<dyn Store>,
    sender: OnceLock<Option<mpsc::UnboundedSender<Message>>>,
}

impl std::fmt::Debug for LogWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogWriter").finish_non_exhaustive()
    }
}

impl LogWriter {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        LogWriter { store, sender: OnceLock::new() }
    }

    /// The queue, with its writer task started on the current tokio runtime on first
    /// use; `None` outside a runtime.
    fn sender(&self) -> Option<&mpsc::UnboundedSender<Message>> {
        self.sender
            .get_or_init(|| {
                let runtime = tokio::runtime::Handle::try_current().ok()?;
                let (sender, receiver) = mpsc::unbounded_channel();
                runtime.spawn(write(self.store.clone(), receiver));
                Some(sender)
            })
            .as_ref()
    }

    /// Queues an entry; writes it at once when there is no writer task (no runtime, or
    /// the runtime that ran it has shut down).
    pub(crate) async fn push(&self, entry: ExecutionLog) {
        let entry = match self.sender() {
            Some(sender) => match sender.send(Message::Entry(Box::new(entry))) {
                Ok(()) => return,
                Err(mpsc::error::SendError(Message::Entry(entry))) => *entry,
                Err(_) => return,
            },
            None => entry,
        };
        if let Err(e) = self.store.put_log(&entry).await {
            tracing::warn!(log_id = entry.id.as_str(), error = %e, "could not write the execution log");
        }
    }

    /// Waits until every entry queued so far is written.
    pub(crate) async fn flush(&self) {
        let Some(sender) = self.sender.get().and_then(Option::as_ref) else { return };
        let (done, wait) = oneshot::channel();
        if sender.send(Message::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }
}

/// The writer task: takes what is queued, writes it in one transaction, answers flushes.
async fn write(store: Arc<dyn Store>, mut receiver: mpsc::UnboundedReceiver<Message>) {
    let mut batch = Vec::new();
    let mut flushes = Vec::new();
    while let Some(first) = receiver.recv().await {
        if matches!(first, Message::Entry(_)) {
            tokio::time::sleep(GATHER).await;
        }
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Entry(entry) => batch.push(*entry),
                Message::Flush(done) => flushes.push(done),
            }
            if batch.len() < BATCH {
                next = receiver.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            if let Err(e) = store.put_logs(&batch).await {
                tracing::warn!(entries = batch.len(), error = %e, "could not write execution log entries");
            }
            batch.clear();
        }
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
}
