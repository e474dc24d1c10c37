//! `wasi:sockets`: one file per interface, over the core's sockets
//! ([`crate::net`]) and its address policy. The state machines the WIT
//! describes (start and finish, listen, accept) live here; what may be
//! reached, and the system calls, live in [`crate::net`].

pub mod ip_name_lookup;
pub mod network;
pub mod tcp;
pub mod tcp_create_socket;
pub mod udp;
pub mod udp_create_socket;

pub use network::{ErrorCode, Network};
