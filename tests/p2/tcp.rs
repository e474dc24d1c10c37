//! (wasi:sockets tcp suite: in progress)
