//! `wasi:io/streams`: input and output streams over the capability
//! layer's handles: a file read or written from an offset, a file appended
//! to, or a stream (stdio, a socket) read and written as it comes.
//!
//! Reads never wait unless the call is a `blocking-` one: a stream with a
//! host descriptor is asked through the core's readiness first. Writes are
//! done by the time the call returns, so a flush has nothing left to wait
//! for. The calls that may wait or touch a file are `async`: they wait and
//! do their filesystem work as the context's
//! [`Execution`](crate::execution::Execution) says.

use std::io::{self, IoSlice};
use std::sync::Arc;

use crate::error::SendShutDown;
use crate::fs;
use crate::p2::io::error::IoError;
use crate::p2::io::poll::Pollable;
use crate::p2::{Failure, Resource, Trap, WasiP2Ctx};
use crate::poll::{wait, Interest, Readiness};

/// The most bytes one read returns; a guest asking for more gets a short
/// read, so a huge `len` never becomes a huge allocation.
pub const MAX_READ: u64 = 256 << 10;

/// What `check-write` permits at once.
pub const WRITE_BUDGET: u64 = 1 << 20;

/// The most bytes the `blocking-…-and-flush` calls take, as the WIT says.
pub const MAX_BLOCKING_WRITE: u64 = 4096;

/// `stream-error`.
#[derive(Debug, PartialEq, Eq)]
pub enum StreamError {
    /// The last operation failed; the stream is closed from now on.
    LastOperationFailed(Resource<IoError>),
    /// The stream is closed: its end was read, or an operation failed.
    Closed,
}

/// What a stream call returns.
pub type StreamResult<T> = Result<T, Failure<StreamError>>;

/// An `input-stream` resource.
pub struct InputStream {
    source: Arc<dyn fs::File>,
    /// Where the next read starts, for a file read from an offset; `None`
    /// for a stream read as it comes.
    position: Option<u64>,
    closed: bool,
}

impl InputStream {
    /// Reads `source` as it comes.
    pub fn stream(source: Arc<dyn fs::File>) -> Self {
        InputStream {
            source,
            position: None,
            closed: false,
        }
    }

    /// Reads the file `source` from `offset` on.
    pub fn at(source: Arc<dyn fs::File>, offset: u64) -> Self {
        InputStream {
            source,
            position: Some(offset),
            closed: false,
        }
    }
}

/// Where an output stream's bytes go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sink {
    /// As they come: stdio, a socket.
    Stream,
    /// Into a file from this offset on.
    At(u64),
    /// At the end of a file, wherever that is when each write lands.
    Append,
}

/// An `output-stream` resource.
pub struct OutputStream {
    target: Arc<dyn fs::File>,
    sink: Sink,
    closed: bool,
}

impl OutputStream {
    /// Writes to `target` as a stream.
    pub fn stream(target: Arc<dyn fs::File>) -> Self {
        OutputStream {
            target,
            sink: Sink::Stream,
            closed: false,
        }
    }

    /// Writes into the file `target` from `offset` on.
    pub fn at(target: Arc<dyn fs::File>, offset: u64) -> Self {
        OutputStream {
            target,
            sink: Sink::At(offset),
            closed: false,
        }
    }

    /// Appends to the file `target`.
    pub fn append(target: Arc<dyn fs::File>) -> Self {
        OutputStream {
            target,
            sink: Sink::Append,
            closed: false,
        }
    }
}

/// Whether `file` can be read (or written) now. A handle with no host
/// descriptor always can.
fn ready_now(ctx: &WasiP2Ctx, file: &dyn fs::File, write: bool) -> Result<bool, Trap> {
    let Some(fd) = file.pollable() else {
        return Ok(true);
    };
    let mut found = [Readiness::Pending];
    wait(
        ctx.grants.monotonic_clock.as_ref(),
        &[interest(fd, write)],
        &mut found,
        false,
    )
    .map_err(waiting_failed)?;
    Ok(found[0].is_met())
}

/// Waits, as the context's [`Execution`](crate::execution::Execution) waits, until `file` can be read
/// (or written).
async fn until_ready(ctx: &WasiP2Ctx, file: &dyn fs::File, write: bool) -> Result<(), Trap> {
    let Some(fd) = file.pollable() else {
        return Ok(());
    };
    let mut found = [Readiness::Pending];
    ctx.execution
        .wait(
            ctx.grants.monotonic_clock.as_ref(),
            &[interest(fd, write)],
            &mut found,
            true,
        )
        .await
        .map_err(waiting_failed)
}

fn interest(fd: std::os::fd::BorrowedFd<'_>, write: bool) -> Interest<'_> {
    if write {
        Interest::Write(fd)
    } else {
        Interest::Read(fd)
    }
}

fn waiting_failed(e: io::Error) -> Trap {
    Trap(format!("waiting failed on the host: {e}"))
}

/// Closes a stream after a failed operation and hands the guest the error.
fn failed<T>(ctx: &mut WasiP2Ctx, err: io::Error) -> StreamResult<T> {
    let error = ctx.table.push(IoError(err))?;
    Err(Failure::Error(StreamError::LastOperationFailed(error)))
}

// ---- input-stream -------------------------------------------------------

/// Up to `wanted` bytes from `source`, at `position` or as they come.
fn read_from(
    source: &dyn fs::File,
    position: Option<u64>,
    wanted: usize,
) -> (Vec<u8>, io::Result<usize>) {
    // `with_capacity` gives exactly `wanted`, so the read is bounded by it.
    let mut buf = Vec::with_capacity(wanted);
    let result = source.read_to_spare(&mut buf, position);
    (buf, result)
}

/// Reads up to `len` bytes from `this`, waiting first for a stream to have
/// some (or its end) if `block`. Nothing to read yet is an empty list; the
/// end of the stream closes it. A file is read as blocking filesystem
/// work, under the context's [`Execution`](crate::execution::Execution).
async fn read_with(
    ctx: &mut WasiP2Ctx,
    this: Resource<InputStream>,
    len: u64,
    block: bool,
) -> StreamResult<Vec<u8>> {
    let stream = ctx.table.get(this)?;
    if stream.closed {
        return Err(Failure::Error(StreamError::Closed));
    }
    if len == 0 {
        return Ok(Vec::new());
    }
    let (source, position) = (Arc::clone(&stream.source), stream.position);
    let wanted = len.min(MAX_READ) as usize;
    let (mut buf, result) = match position {
        Some(_) => match ctx
            .execution
            .offload(move || read_from(source.as_ref(), position, wanted))
            .await
        {
            Ok(read) => read,
            Err(e) => (Vec::new(), Err(e)),
        },
        None => {
            if block {
                until_ready(ctx, source.as_ref(), false).await?;
            } else if !ready_now(ctx, source.as_ref(), false)? {
                return Ok(Vec::new());
            }
            read_from(source.as_ref(), None, wanted)
        }
    };
    let stream = ctx.table.get_mut(this)?;
    match result {
        Ok(0) => {
            stream.closed = true;
            Err(Failure::Error(StreamError::Closed))
        }
        Ok(n) => {
            buf.truncate(n);
            if let Some(position) = &mut stream.position {
                *position += n as u64;
            }
            Ok(buf)
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Vec::new()),
        Err(e) => {
            stream.closed = true;
            failed(ctx, e)
        }
    }
}

/// `input-stream.read`: the bytes there are now, up to `len`.
pub async fn read(
    ctx: &mut WasiP2Ctx,
    this: Resource<InputStream>,
    len: u64,
) -> StreamResult<Vec<u8>> {
    read_with(ctx, this, len, false).await
}

/// `input-stream.blocking-read`: waits for at least one byte or the end.
pub async fn blocking_read(
    ctx: &mut WasiP2Ctx,
    this: Resource<InputStream>,
    len: u64,
) -> StreamResult<Vec<u8>> {
    loop {
        let bytes = read_with(ctx, this, len, true).await?;
        // A stream that polled readable can still have nothing for a
        // reader that lost a race; wait again rather than return nothing.
        if !bytes.is_empty() || len == 0 {
            return Ok(bytes);
        }
    }
}

/// `input-stream.skip`: like `read`, but the bytes are dropped.
pub async fn skip(ctx: &mut WasiP2Ctx, this: Resource<InputStream>, len: u64) -> StreamResult<u64> {
    read(ctx, this, len).await.map(|bytes| bytes.len() as u64)
}

/// `input-stream.blocking-skip`.
pub async fn blocking_skip(
    ctx: &mut WasiP2Ctx,
    this: Resource<InputStream>,
    len: u64,
) -> StreamResult<u64> {
    blocking_read(ctx, this, len)
        .await
        .map(|bytes| bytes.len() as u64)
}

/// `input-stream.subscribe`: ready when there are bytes or the end. The
/// pollable is the stream's child: the stream cannot be dropped first.
pub fn subscribe_input(
    ctx: &mut WasiP2Ctx,
    this: Resource<InputStream>,
) -> Result<Resource<Pollable>, Trap> {
    let source = Arc::clone(&ctx.table.get(this)?.source);
    Ok(ctx.table.push_child(Pollable::Readable(source), this)?)
}

/// Drops an input stream.
pub fn drop_input(ctx: &mut WasiP2Ctx, this: Resource<InputStream>) -> Result<(), Trap> {
    ctx.table.delete(this)?;
    Ok(())
}

// ---- output-stream ------------------------------------------------------

/// `output-stream.check-write`: how much the next `write` may carry; 0
/// while a stream with a host descriptor has no room.
pub fn check_write(ctx: &mut WasiP2Ctx, this: Resource<OutputStream>) -> StreamResult<u64> {
    let stream = ctx.table.get(this)?;
    if stream.closed {
        return Err(Failure::Error(StreamError::Closed));
    }
    if stream.sink == Sink::Stream && !ready_now(ctx, stream.target.as_ref(), true)? {
        return Ok(0);
    }
    Ok(WRITE_BUDGET)
}

/// Writes `bytes` from `*written` on until all are written, the host would
/// block, or it fails; `sink` follows the file offset.
fn write_some(
    target: &dyn fs::File,
    sink: &mut Sink,
    bytes: &[u8],
    written: &mut usize,
) -> io::Result<()> {
    while *written < bytes.len() {
        let bufs = [IoSlice::new(&bytes[*written..])];
        let n = match *sink {
            Sink::Stream => target.write_vectored(&bufs),
            Sink::At(offset) => target.write_vectored_at(&bufs, offset),
            Sink::Append => target.append_vectored(&bufs),
        };
        match n {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                *written += n;
                if let Sink::At(offset) = sink {
                    *offset += n as u64;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Writes all of `bytes`, however many host writes that takes. A file is
/// written as blocking filesystem work, under the context's [`Execution`](crate::execution::Execution).
async fn write_all(
    ctx: &mut WasiP2Ctx,
    this: Resource<OutputStream>,
    bytes: Vec<u8>,
) -> StreamResult<()> {
    let stream = ctx.table.get(this)?;
    if stream.closed {
        return Err(Failure::Error(StreamError::Closed));
    }
    let (target, mut sink) = (Arc::clone(&stream.target), stream.sink);
    let result = if sink == Sink::Stream {
        let mut written = 0;
        loop {
            match write_some(target.as_ref(), &mut sink, &bytes, &mut written) {
                // The host descriptor is non-blocking; the guest asked to
                // have this written, so wait for room.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    until_ready(ctx, target.as_ref(), true).await?
                }
                result => break result,
            }
        }
    } else {
        let work = move || {
            let result = write_some(target.as_ref(), &mut sink, &bytes, &mut 0);
            (sink, result)
        };
        match ctx.execution.offload(work).await {
            Ok((moved, result)) => {
                sink = moved;
                result
            }
            Err(e) => Err(e),
        }
    };
    let stream = ctx.table.get_mut(this)?;
    stream.sink = sink;
    match result {
        Ok(()) => Ok(()),
        Err(e) => {
            stream.closed = true;
            // The guest shut this connection's sending half itself: the
            // WIT says its output stream is then closed, not failing.
            if SendShutDown::is(&e) {
                return Err(Failure::Error(StreamError::Closed));
            }
            failed(ctx, e)
        }
    }
}

/// `output-stream.write`: at most what `check-write` permitted; more traps,
/// as the WIT says.
pub async fn write(
    ctx: &mut WasiP2Ctx,
    this: Resource<OutputStream>,
    contents: impl Into<Vec<u8>>,
) -> StreamResult<()> {
    let contents = contents.into();
    if contents.len() as u64 > WRITE_BUDGET {
        return Err(Trap(format!(
            "wrote {} bytes where check-write permits at most {WRITE_BUDGET}",
            contents.len()
        ))
        .into());
    }
    write_all(ctx, this, contents).await
}

/// `output-stream.blocking-write-and-flush`: up to 4096 bytes; more traps.
pub async fn blocking_write_and_flush(
    ctx: &mut WasiP2Ctx,
    this: Resource<OutputStream>,
    contents: impl Into<Vec<u8>>,
) -> StreamResult<()> {
    let contents = contents.into();
    if contents.len() as u64 > MAX_BLOCKING_WRITE {
        return Err(Trap(format!(
            "blocking-write-and-flush takes at most {MAX_BLOCKING_WRITE} bytes, not {}",
            contents.len()
        ))
        .into());
    }
    write_all(ctx, this, contents).await
}

/// `output-stream.flush`: every write is done when it returns, so there is
/// nothing to wait for; a closed stream says so.
pub fn flush(ctx: &mut WasiP2Ctx, this: Resource<OutputStream>) -> StreamResult<()> {
    if ctx.table.get(this)?.closed {
        return Err(Failure::Error(StreamError::Closed));
    }
    Ok(())
}

/// `output-stream.blocking-flush`.
pub fn blocking_flush(ctx: &mut WasiP2Ctx, this: Resource<OutputStream>) -> StreamResult<()> {
    flush(ctx, this)
}

/// `output-stream.write-zeroes`: `len` zero bytes, within `check-write`.
pub async fn write_zeroes(
    ctx: &mut WasiP2Ctx,
    this: Resource<OutputStream>,
    len: u64,
) -> StreamResult<()> {
    if len > WRITE_BUDGET {
        return Err(Trap(format!(
            "wrote {len} zeroes where check-write permits at most {WRITE_BUDGET}"
        ))
        .into());
    }
    write_all(ctx, this, vec![0; len as usize]).await
}

/// `output-stream.blocking-write-zeroes-and-flush`: up to 4096 zeroes.
pub async fn blocking_write_zeroes_and_flush(
    ctx: &mut WasiP2Ctx,
    this: Resource<OutputStream>,
    len: u64,
) -> StreamResult<()> {
    if len > MAX_BLOCKING_WRITE {
        return Err(Trap(format!(
            "blocking-write-zeroes-and-flush takes at most {MAX_BLOCKING_WRITE} zeroes, not {len}"
        ))
        .into());
    }
    write_all(ctx, this, vec![0; len as usize]).await
}

/// Reads from `src` (waiting first with `block`) and writes what came to
/// `this`.
async fn splice_with(
    ctx: &mut WasiP2Ctx,
    this: Resource<OutputStream>,
    src: Resource<InputStream>,
    len: u64,
    block: bool,
) -> StreamResult<u64> {
    let room = check_write(ctx, this)?;
    let len = len.min(room);
    let bytes = if block {
        blocking_read(ctx, src, len).await?
    } else {
        read(ctx, src, len).await?
    };
    let moved = bytes.len() as u64;
    write_all(ctx, this, bytes).await?;
    Ok(moved)
}

/// `output-stream.splice`: moves what `src` has now, up to `len` bytes.
pub async fn splice(
    ctx: &mut WasiP2Ctx,
    this: Resource<OutputStream>,
    src: Resource<InputStream>,
    len: u64,
) -> StreamResult<u64> {
    splice_with(ctx, this, src, len, false).await
}

/// `output-stream.blocking-splice`: waits for `src` to have bytes first.
pub async fn blocking_splice(
    ctx: &mut WasiP2Ctx,
    this: Resource<OutputStream>,
    src: Resource<InputStream>,
    len: u64,
) -> StreamResult<u64> {
    splice_with(ctx, this, src, len, true).await
}

/// `output-stream.subscribe`: ready when there is room to write. The
/// pollable is the stream's child.
pub fn subscribe_output(
    ctx: &mut WasiP2Ctx,
    this: Resource<OutputStream>,
) -> Result<Resource<Pollable>, Trap> {
    let target = Arc::clone(&ctx.table.get(this)?.target);
    Ok(ctx.table.push_child(Pollable::Writable(target), this)?)
}

/// Drops an output stream.
pub fn drop_output(ctx: &mut WasiP2Ctx, this: Resource<OutputStream>) -> Result<(), Trap> {
    ctx.table.delete(this)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::p2::cli::stdin::get_stdin;
    use crate::p2::cli::stdout::get_stdout;
    use crate::p2::io::poll::block;
    use crate::p2::testing::{blocking, ctx};
    use crate::Stdio;

    #[test]
    fn huge_asks_are_bounded_and_parents_outlive_children() {
        let mut ctx = ctx(|b| {
            b.stdin(Stdio::input(vec![7u8; 1 << 20]));
        });
        let (Ok(stdin), Ok(stdout)) = (get_stdin(&mut ctx), get_stdout(&mut ctx)) else {
            panic!("streams");
        };
        let got = blocking(read(&mut ctx, stdin, u64::MAX));
        assert_eq!(got.map(|b| b.len() as u64), Ok(MAX_READ));
        assert!(matches!(
            blocking(write(&mut ctx, stdout, vec![0; WRITE_BUDGET as usize + 1])),
            Err(Failure::Trap(_))
        ));
        assert!(matches!(
            blocking(write_zeroes(&mut ctx, stdout, u64::MAX)),
            Err(Failure::Trap(_))
        ));
        let Ok(pollable) = subscribe_input(&mut ctx, stdin) else {
            panic!("subscribe");
        };
        assert_eq!(blocking(block(&ctx, pollable)), Ok(()));
        assert!(drop_input(&mut ctx, stdin).is_err());
        assert_eq!(crate::p2::io::poll::drop(&mut ctx, pollable), Ok(()));
        assert_eq!(drop_input(&mut ctx, stdin), Ok(()));
        assert!(blocking(read(&mut ctx, stdin, 1)).is_err());
    }
}
