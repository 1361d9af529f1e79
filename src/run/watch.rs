//! Query timeouts and Ctrl-C: every running query registers its ADBC
//! cancel handle here; a watcher thread cancels it when its deadline passes
//! or the run is interrupted, so no query keeps running on the server.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use adbc_core::CancelHandle;

/// Why a query was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    Timeout,
    Interrupt,
}

struct Entry {
    id: u64,
    handle: Arc<dyn CancelHandle>,
    deadline: Option<Instant>,
    stopped: Option<Stopped>,
}

#[derive(Default)]
struct Inner {
    interrupted: AtomicBool,
    next_id: AtomicU64,
    entries: Mutex<Vec<Entry>>,
}

/// Shared by every session of a run.
#[derive(Clone)]
pub struct Watch {
    inner: Arc<Inner>,
}

/// How often the watcher looks at deadlines.
const TICK: Duration = Duration::from_millis(20);

impl Watch {
    /// A watch, with its watcher thread (which ends with the last clone).
    pub fn new() -> Watch {
        let inner = Arc::new(Inner::default());
        let weak: Weak<Inner> = Arc::downgrade(&inner);
        std::thread::spawn(move || {
            while let Some(inner) = weak.upgrade() {
                inner.tick();
                drop(inner);
                std::thread::sleep(TICK);
            }
        });
        Watch { inner }
    }

    /// Stop the run: cancel every running query, start no new one.
    pub fn interrupt(&self) {
        self.inner.interrupted.store(true, Ordering::SeqCst);
        self.inner.tick();
    }

    pub fn interrupted(&self) -> bool {
        self.inner.interrupted.load(Ordering::SeqCst)
    }

    /// Watch a running query until the guard is finished.
    pub fn register(&self, handle: Box<dyn CancelHandle>, deadline: Option<Instant>) -> Guard {
        let id = self.inner.next_id.fetch_add(1, Ordering::SeqCst);
        let mut entries = self.inner.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.push(Entry {
            id,
            handle: Arc::from(handle),
            deadline,
            stopped: None,
        });
        Guard {
            inner: self.inner.clone(),
            id,
        }
    }
}

impl Default for Watch {
    fn default() -> Watch {
        Watch::new()
    }
}

impl Inner {
    fn tick(&self) {
        let now = Instant::now();
        let interrupted = self.interrupted.load(Ordering::SeqCst);
        // Marked under the lock, cancelled after it: a cancel may block (a
        // PostgreSQL cancel opens a connection), and must not hold up
        // queries starting or ending meanwhile.
        let mut cancel: Vec<Arc<dyn CancelHandle>> = Vec::new();
        {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            for entry in entries.iter_mut().filter(|e| e.stopped.is_none()) {
                let why = if interrupted {
                    Some(Stopped::Interrupt)
                } else if entry.deadline.is_some_and(|d| now >= d) {
                    Some(Stopped::Timeout)
                } else {
                    None
                };
                if let Some(why) = why {
                    entry.stopped = Some(why);
                    cancel.push(entry.handle.clone());
                }
            }
        }
        for handle in cancel {
            // Best effort: a driver that cannot cancel lets the query end.
            let _ = handle.try_cancel();
        }
    }
}

/// A registered query.
pub struct Guard {
    inner: Arc<Inner>,
    id: u64,
}

impl Guard {
    /// The query ended: stop watching it; why it was cancelled, if it was.
    pub fn finish(self) -> Option<Stopped> {
        let mut entries = self.inner.entries.lock().unwrap_or_else(|e| e.into_inner());
        let position = entries.iter().position(|e| e.id == self.id)?;
        entries.swap_remove(position).stopped
    }
}
