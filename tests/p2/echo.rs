//! The echo server (`p2_echo`), the network's demonstration guest: a
//! wasi:sockets listener serving clients on the host, within its grant and
//! nowhere else.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use capwasi::WasiCtxBuilder;

use crate::{lines, run, Outcome};

/// Runs the echo server with `args` and `grant`, failing the test instead
/// of hanging it if the guest is still serving after two minutes (a client
/// that never came).
fn run_server(
    args: Vec<String>,
    grant: impl FnOnce(&mut WasiCtxBuilder) + Send + 'static,
) -> Outcome {
    let (done, outcome) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let _ = done.send(run("p2_echo", &args, b"", grant));
    });
    outcome
        .recv_timeout(Duration::from_secs(120))
        .expect("the echo server finished")
}

/// A port on 127.0.0.1 that nothing listened on a moment ago.
fn free_port() -> u16 {
    let probe = TcpListener::bind("127.0.0.1:0").expect("bind a probe");
    probe.local_addr().unwrap().port()
}

/// Connects to `addr`, retrying while the guest is still starting (bounded
/// at 10 s).
fn connect_when_listening(addr: SocketAddr) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect(addr) {
            Ok(stream) => return stream,
            Err(e) if Instant::now() < deadline && e.kind() == ErrorKind::ConnectionRefused => {
                thread::sleep(Duration::from_millis(10))
            }
            Err(e) => panic!("connecting to the guest at {addr}: {e}"),
        }
    }
}

/// Sends `payload`, shuts the sending half, and returns everything the
/// server sent back. Writing and reading run side by side, so a payload
/// larger than the socket buffers cannot deadlock.
fn echo_through(stream: TcpStream, payload: Vec<u8>) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sending = thread::spawn(move || {
        writer.write_all(&payload).expect("send to the guest");
        writer.shutdown(Shutdown::Write).unwrap();
    });
    let mut back = Vec::new();
    (&stream)
        .read_to_end(&mut back)
        .expect("read the echo back");
    sending.join().unwrap();
    back
}

/// Grants listening on one port of 127.0.0.1 and accepting its local
/// peers, whose ports the kernel picks.
fn serve(port: u16) -> impl FnOnce(&mut WasiCtxBuilder) + Send + 'static {
    move |b| {
        let listen = format!("bind,listen=127.0.0.1:{port}");
        b.allow_net(listen.parse().expect("a valid rule"))
            .allow_net("accept=127.0.0.1".parse().expect("a valid rule"));
    }
}

/// Three clients in turn, from one byte to a megabyte, each gets back
/// exactly what it sent, and the guest reports each peer's real address.
#[test]
fn echo_server_serves_host_clients_within_its_grant() {
    let port = free_port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let payloads: Vec<Vec<u8>> = [1usize, 100_000, 1 << 20]
        .iter()
        .map(|&n| (0..n).map(|i| (i * 7 % 251) as u8).collect())
        .collect();
    let clients = {
        let payloads = payloads.clone();
        thread::spawn(move || {
            payloads
                .into_iter()
                .map(|payload| {
                    let stream = connect_when_listening(addr);
                    let local = stream.local_addr().unwrap();
                    (local, echo_through(stream, payload))
                })
                .collect::<Vec<_>>()
        })
    };
    let target = format!("127.0.0.1:{port}");
    let out = run_server(vec![target.clone(), "3".into()], serve(port));
    out.expect_exit(0);
    let served = clients.join().expect("the clients finish");
    let mut want = vec![format!("listening on {target}")];
    for ((local, back), payload) in served.iter().zip(&payloads) {
        assert!(
            back == payload,
            "{} bytes came back for {}",
            back.len(),
            payload.len()
        );
        want.push(format!("echoed {} bytes to {local}", payload.len()));
    }
    assert_eq!(lines(&out), want);
}

/// Any port but the granted one is refused, and the guest says so in one
/// line.
#[test]
fn echo_server_is_refused_on_any_other_port() {
    let granted = free_port();
    let other = free_port();
    let target = format!("127.0.0.1:{other}");
    let out = run_server(vec![target.clone()], serve(granted));
    out.expect_exit(1);
    assert_eq!(out.stdout(), "");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("p2_echo: bind {target}: access-denied\n")
    );
}

/// Without any grant the guest cannot even make a socket.
#[test]
fn echo_server_without_a_grant_makes_no_socket() {
    let out = run_server(vec!["127.0.0.1:0".into()], |_| {});
    out.expect_exit(1);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "p2_echo: socket 127.0.0.1:0: access-denied\n"
    );
}
