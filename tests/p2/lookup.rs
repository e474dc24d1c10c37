//! (wasi:sockets lookup suite: in progress)
