//! `wasi:io/poll`: pollables, waited on through the core's readiness
//! ([`crate::poll`]), the same wait preview1's `poll_oneoff` uses, as the
//! context's [`Execution`](crate::execution::Execution) waits.

use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;

use smallvec::SmallVec;

use crate::fs;
use crate::p2::{Resource, Trap, WasiP2Ctx};
use crate::poll::{wait, Interest, Readiness};

/// What a host descriptor must become ready for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// Readable, or at its end.
    Read,
    /// Writable.
    Write,
    /// Either: what the object's state at the time of the wait decides.
    Either,
}

/// A `pollable` resource: what would wake it.
pub enum Pollable {
    /// The context's monotonic clock reaching this reading.
    Deadline(u64),
    /// The handle having bytes to read, or its end.
    Readable(Arc<dyn fs::File>),
    /// The handle having room to write.
    Writable(Arc<dyn fs::File>),
    /// A host descriptor (a socket, a lookup's completion) becoming ready
    /// for `way`.
    Host {
        /// What to wait on.
        fd: Arc<dyn HostWait>,
        /// What it must become ready for.
        way: Way,
    },
    /// Ready at once: an object in a state with nothing to wait for.
    Ready,
}

/// A host object a [`Pollable::Host`] waits on. Any descriptor is one; an
/// object whose state can leave nothing to wait for (a UDP stream that a
/// later `stream` call replaced) answers `None` from then on, and its
/// pollables are ready at once, even those made before.
pub trait HostWait: Send + Sync {
    /// The descriptor to wait on, or `None` when the pollable is ready now.
    fn descriptor(&self) -> Option<BorrowedFd<'_>>;
}

impl<T: AsFd + Send + Sync> HostWait for T {
    fn descriptor(&self) -> Option<BorrowedFd<'_>> {
        Some(self.as_fd())
    }
}

impl Pollable {
    fn interest(&self) -> Interest<'_> {
        match self {
            Pollable::Deadline(at) => Interest::Deadline(*at),
            Pollable::Readable(file) => file.pollable().map_or(Interest::Ready, Interest::Read),
            Pollable::Writable(file) => file.pollable().map_or(Interest::Ready, Interest::Write),
            Pollable::Host { fd, way } => match (fd.descriptor(), way) {
                (None, _) => Interest::Ready,
                (Some(fd), Way::Read) => Interest::Read(fd),
                (Some(fd), Way::Write) => Interest::Write(fd),
                (Some(fd), Way::Either) => Interest::ReadOrWrite(fd),
            },
            Pollable::Ready => Interest::Ready,
        }
    }
}

/// The interests behind `pollables`.
fn interests<'a>(
    ctx: &'a WasiP2Ctx,
    pollables: &[Resource<Pollable>],
) -> Result<SmallVec<[Interest<'a>; 8]>, Trap> {
    pollables
        .iter()
        .map(|p| Ok(ctx.table.get(*p)?.interest()))
        .collect()
}

fn waiting_failed(e: std::io::Error) -> Trap {
    Trap(format!("waiting failed on the host: {e}"))
}

/// Waits, as the context's [`Execution`](crate::execution::Execution)
/// waits, until at least one of `pollables` is ready; the answer for each.
async fn until_ready(
    ctx: &WasiP2Ctx,
    pollables: &[Resource<Pollable>],
) -> Result<SmallVec<[Readiness; 8]>, Trap> {
    let interests = interests(ctx, pollables)?;
    let mut found = SmallVec::from_elem(Readiness::Pending, interests.len());
    ctx.execution
        .wait(
            ctx.grants.monotonic_clock.as_ref(),
            &interests,
            &mut found,
            true,
        )
        .await
        .map_err(waiting_failed)?;
    Ok(found)
}

/// `poll`: waits until at least one of `pollables` is ready, and returns
/// the indices of those that are. An empty list, or one too long for a
/// `u32` index, traps, as the WIT says.
pub async fn poll(ctx: &WasiP2Ctx, pollables: &[Resource<Pollable>]) -> Result<Vec<u32>, Trap> {
    if pollables.is_empty() {
        return Err(Trap("poll was given no pollables".into()));
    }
    if u32::try_from(pollables.len()).is_err() {
        return Err(Trap(
            "poll was given more pollables than a u32 can index".into(),
        ));
    }
    let found = until_ready(ctx, pollables).await?;
    Ok(found
        .iter()
        .enumerate()
        .filter(|(_, readiness)| readiness.is_met())
        .map(|(index, _)| index as u32)
        .collect())
}

/// `pollable.ready`: whether it is ready now, without waiting.
pub fn ready(ctx: &WasiP2Ctx, this: Resource<Pollable>) -> Result<bool, Trap> {
    let interests = interests(ctx, &[this])?;
    let mut found = [Readiness::Pending];
    wait(
        ctx.grants.monotonic_clock.as_ref(),
        &interests,
        &mut found,
        false,
    )
    .map_err(waiting_failed)?;
    Ok(found[0].is_met())
}

/// `pollable.block`: waits until it is ready.
pub async fn block(ctx: &WasiP2Ctx, this: Resource<Pollable>) -> Result<(), Trap> {
    until_ready(ctx, &[this]).await.map(|_| ())
}

/// A pollable for the monotonic clock reaching `at`.
pub fn subscribe_deadline(ctx: &mut WasiP2Ctx, at: u64) -> Result<Resource<Pollable>, Trap> {
    Ok(ctx.table.push(Pollable::Deadline(at))?)
}

/// Drops a pollable.
pub fn drop(ctx: &mut WasiP2Ctx, this: Resource<Pollable>) -> Result<(), Trap> {
    ctx.table.delete(this)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::p2::testing::{blocking, ctx};

    #[test]
    fn a_hundred_thousand_entries_and_none() {
        let mut ctx = ctx(|_| {});
        let Ok(due) = subscribe_deadline(&mut ctx, 0) else {
            panic!("pollable");
        };
        // A guest may borrow one pollable many times over in one list.
        let many = vec![due; 100_000];
        let indices = blocking(poll(&ctx, &many));
        assert_eq!(indices.as_ref().map(Vec::len), Ok(100_000));
        assert!(blocking(poll(&ctx, &[])).is_err());
        let dropped: Resource<Pollable> = Resource::new(due.rep() + 1);
        assert!(blocking(poll(&ctx, &[due, dropped])).is_err());
        assert_eq!(drop(&mut ctx, due), Ok(()));
        assert!(ready(&ctx, due).is_err());
    }
}
