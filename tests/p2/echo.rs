//! (wasi:sockets echo suite: in progress)
