//! (wasi:sockets udp suite: in progress)
