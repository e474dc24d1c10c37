//! `wasi:io`: error, poll and streams.

use crate::p2::io::error::{self, IoError};
use crate::p2::io::poll::{self, Pollable};
use crate::p2::io::streams::{self, InputStream, OutputStream, StreamError};
use crate::p2::Resource;

use super::{fallible, trapping};
use crate::component::abi::{Abi, Flat, Guest, Outcome};
use crate::component::signatures::FlatType;

// `stream-error`: case 0 `last-operation-failed(own<error>)`, case 1
// `closed`, laid out as a `result<own<error>>`.
impl Abi for StreamError {
    const FLAT: usize = Layout::FLAT;
    const SIZE: u32 = Layout::SIZE;
    const ALIGN: u32 = Layout::ALIGN;
    fn flat_types(out: &mut Vec<FlatType>) {
        Layout::flat_types(out)
    }
    fn lift(flat: &mut Flat<'_>, memory: &[u8]) -> Outcome<Self> {
        Ok(from_layout(Layout::lift(flat, memory)?))
    }
    fn load(memory: &[u8], at: u32) -> Outcome<Self> {
        Ok(from_layout(Layout::load(memory, at)?))
    }
    fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
        let layout: Layout = match self {
            StreamError::LastOperationFailed(error) => Ok(error),
            StreamError::Closed => Err(()),
        };
        layout.store(guest, at)
    }
}

type Layout = Result<Resource<IoError>, ()>;

fn from_layout(layout: Layout) -> StreamError {
    match layout {
        Ok(error) => StreamError::LastOperationFailed(error),
        Err(()) => StreamError::Closed,
    }
}

type Streamed<T> = Result<T, StreamError>;

host_functions! {
    // ---- wasi:io/error
    "wasi:io/error" "[method]error.to-debug-string" |ctx, this: Resource<IoError>| -> String {
        trapping(error::to_debug_string(ctx, this))
    }
    "wasi:io/error" "[resource-drop]error" |ctx, this: Resource<IoError>| -> () {
        trapping(error::drop(ctx, this))
    }

    // ---- wasi:io/poll
    "wasi:io/poll" "[method]pollable.ready" |ctx, this: Resource<Pollable>| -> bool {
        trapping(poll::ready(ctx, this))
    }
    "wasi:io/poll" "[method]pollable.block" |ctx, this: Resource<Pollable>| -> () {
        trapping(wait!(ctx, poll::block(ctx, this)))
    }
    "wasi:io/poll" "poll" |ctx, pollables: Vec<Resource<Pollable>>| -> Vec<u32> {
        trapping(wait!(ctx, poll::poll(ctx, &pollables)))
    }
    "wasi:io/poll" "[resource-drop]pollable" |ctx, this: Resource<Pollable>| -> () {
        trapping(poll::drop(ctx, this))
    }

    // ---- wasi:io/streams: input-stream
    "wasi:io/streams" "[method]input-stream.read"
        |ctx, this: Resource<InputStream>, len: u64| -> Streamed<Vec<u8>> {
        fallible(wait!(ctx, streams::read(ctx, this, len)))
    }
    "wasi:io/streams" "[method]input-stream.blocking-read"
        |ctx, this: Resource<InputStream>, len: u64| -> Streamed<Vec<u8>> {
        fallible(wait!(ctx, streams::blocking_read(ctx, this, len)))
    }
    "wasi:io/streams" "[method]input-stream.skip"
        |ctx, this: Resource<InputStream>, len: u64| -> Streamed<u64> {
        fallible(wait!(ctx, streams::skip(ctx, this, len)))
    }
    "wasi:io/streams" "[method]input-stream.blocking-skip"
        |ctx, this: Resource<InputStream>, len: u64| -> Streamed<u64> {
        fallible(wait!(ctx, streams::blocking_skip(ctx, this, len)))
    }
    "wasi:io/streams" "[method]input-stream.subscribe"
        |ctx, this: Resource<InputStream>| -> Resource<Pollable> {
        trapping(streams::subscribe_input(ctx, this))
    }
    "wasi:io/streams" "[resource-drop]input-stream" |ctx, this: Resource<InputStream>| -> () {
        trapping(streams::drop_input(ctx, this))
    }

    // ---- wasi:io/streams: output-stream
    "wasi:io/streams" "[method]output-stream.check-write"
        |ctx, this: Resource<OutputStream>| -> Streamed<u64> {
        fallible(streams::check_write(ctx, this))
    }
    "wasi:io/streams" "[method]output-stream.write"
        |ctx, this: Resource<OutputStream>, contents: Vec<u8>| -> Streamed<()> {
        fallible(wait!(ctx, streams::write(ctx, this, contents)))
    }
    "wasi:io/streams" "[method]output-stream.blocking-write-and-flush"
        |ctx, this: Resource<OutputStream>, contents: Vec<u8>| -> Streamed<()> {
        fallible(wait!(ctx, streams::blocking_write_and_flush(ctx, this, contents)))
    }
    "wasi:io/streams" "[method]output-stream.flush"
        |ctx, this: Resource<OutputStream>| -> Streamed<()> {
        fallible(streams::flush(ctx, this))
    }
    "wasi:io/streams" "[method]output-stream.blocking-flush"
        |ctx, this: Resource<OutputStream>| -> Streamed<()> {
        fallible(streams::blocking_flush(ctx, this))
    }
    "wasi:io/streams" "[method]output-stream.subscribe"
        |ctx, this: Resource<OutputStream>| -> Resource<Pollable> {
        trapping(streams::subscribe_output(ctx, this))
    }
    "wasi:io/streams" "[method]output-stream.write-zeroes"
        |ctx, this: Resource<OutputStream>, len: u64| -> Streamed<()> {
        fallible(wait!(ctx, streams::write_zeroes(ctx, this, len)))
    }
    "wasi:io/streams" "[method]output-stream.blocking-write-zeroes-and-flush"
        |ctx, this: Resource<OutputStream>, len: u64| -> Streamed<()> {
        fallible(wait!(ctx, streams::blocking_write_zeroes_and_flush(ctx, this, len)))
    }
    "wasi:io/streams" "[method]output-stream.splice"
        |ctx, this: Resource<OutputStream>, src: Resource<InputStream>, len: u64| -> Streamed<u64> {
        fallible(wait!(ctx, streams::splice(ctx, this, src, len)))
    }
    "wasi:io/streams" "[method]output-stream.blocking-splice"
        |ctx, this: Resource<OutputStream>, src: Resource<InputStream>, len: u64| -> Streamed<u64> {
        fallible(wait!(ctx, streams::blocking_splice(ctx, this, src, len)))
    }
    "wasi:io/streams" "[resource-drop]output-stream" |ctx, this: Resource<OutputStream>| -> () {
        trapping(streams::drop_output(ctx, this))
    }
}
