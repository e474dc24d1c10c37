//! Execution: how host work that can keep a thread busy runs, for the two
//! ways an embedder calls in.
//!
//! The ABI layers write each call that may wait (for a descriptor, a
//! deadline) or do blocking filesystem work once, as an `async fn` that
//! hands that work to an [`Execution`]:
//!
//! - [`Execution::Blocking`], for the synchronous linkers: waits block the
//!   calling thread and work runs on it, so every such future is finished
//!   the first time it is polled, and [`finish`] drives it without any
//!   runtime. Nothing here touches tokio then, so a synchronous embedder
//!   may call in from inside a tokio runtime too.
//! - [`Execution::Tokio`] and [`Execution::TokioInline`], for the async
//!   linkers: waits yield to the executor ([`crate::poll::wait_async`]),
//!   and filesystem work runs on tokio's blocking pool or inline.

use std::future::Future;
use std::io;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use crate::clock::MonotonicClock;
use crate::poll::{wait, wait_async, Interest, Readiness};

/// How a call runs work that can keep its thread busy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Execution {
    /// On the calling thread, with no async runtime: waits block it.
    #[default]
    Blocking,
    /// Under tokio: waits yield to the executor, and filesystem work runs
    /// on tokio's blocking pool (`spawn_blocking`), so a slow disk never
    /// holds up an executor thread.
    Tokio,
    /// Under tokio: waits yield to the executor, and filesystem work runs
    /// inline on the executor thread, which saves a thread hop per call
    /// when the files are local and cached.
    TokioInline,
}

impl Execution {
    /// Fills `found` with what is met among `interests`; with `block`,
    /// first waits until at least one is.
    pub(crate) async fn wait(
        self,
        clock: &dyn MonotonicClock,
        interests: &[Interest<'_>],
        found: &mut [Readiness],
        block: bool,
    ) -> io::Result<()> {
        match self {
            Execution::Tokio | Execution::TokioInline if block => {
                wait_async(clock, interests, found).await
            }
            _ => wait(clock, interests, found, block),
        }
    }

    /// Runs filesystem work that may block. On the blocking pool, a panic
    /// in `work` comes back as an error rather than unwinding into the
    /// caller.
    pub(crate) async fn offload<R: Send + 'static>(
        self,
        work: impl FnOnce() -> R + Send + 'static,
    ) -> io::Result<R> {
        match self {
            Execution::Tokio if tokio::runtime::Handle::try_current().is_ok() => {
                tokio::task::spawn_blocking(work)
                    .await
                    .map_err(|e| io::Error::other(format!("host filesystem task failed: {e}")))
            }
            _ => Ok(work()),
        }
    }
}

/// Drives to its end a future made by a call under
/// [`Execution::Blocking`], which never has to wait to be polled again:
/// `None` only if it did, which means the call was made under another
/// execution.
pub fn finish<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::HostMonotonicClock;

    #[test]
    fn blocking_work_finishes_at_the_first_poll() {
        let clock = HostMonotonicClock;
        let soon = clock.now() + 5_000_000;
        let mut found = [Readiness::Pending];
        let waited =
            finish(Execution::Blocking.wait(&clock, &[Interest::Deadline(soon)], &mut found, true));
        assert!(matches!(waited, Some(Ok(()))));
        assert_eq!(found, [Readiness::Ready]);
        let ran = finish(Execution::Blocking.offload(|| 7));
        assert!(matches!(ran, Some(Ok(7))));
    }

    #[test]
    fn under_tokio_a_wait_yields_and_work_moves_to_the_pool() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            // A single executor thread: a wait that blocked it would keep
            // the other task from ever writing.
            let (read, write) = rustix::pipe::pipe().expect("pipe");
            let writer = tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                rustix::io::write(&write, b"x").map(drop)
            });
            let clock = HostMonotonicClock;
            let mut found = [Readiness::Pending];
            let interests = [Interest::Read(std::os::fd::AsFd::as_fd(&read))];
            let waited = Execution::Tokio
                .wait(&clock, &interests, &mut found, true)
                .await;
            assert!(waited.is_ok());
            // Written, and closed as the writer ended.
            assert!(matches!(found, [Readiness::Ready | Readiness::Hangup]));
            assert!(matches!(writer.await, Ok(Ok(()))));
            let main = std::thread::current().id();
            let elsewhere = Execution::Tokio
                .offload(move || std::thread::current().id() != main)
                .await;
            assert!(matches!(elsewhere, Ok(true)));
            let here = Execution::TokioInline
                .offload(move || std::thread::current().id() == main)
                .await;
            assert!(matches!(here, Ok(true)));
        });
    }
}
