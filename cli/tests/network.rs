//! The network from the command line: the echo-server component
//! (`tests/components/src/p2_echo.c`) granted one port with `--allow-net`
//! serves a client on the host, and is refused on any other port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

mod common;
use common::repo_root;

fn echo_wasm() -> String {
    let path = repo_root().join("tests/components/bin/p2_echo.wasm");
    path.to_str().expect("a UTF-8 path").to_string()
}

fn free_port() -> u16 {
    let probe = TcpListener::bind("127.0.0.1:0").expect("bind a probe");
    probe.local_addr().unwrap().port()
}

/// The README's network example, run for real: the server prints where it
/// listens, echoes a client's bytes, reports the client, and exits 0.
#[test]
fn echo_server_granted_one_port_serves_a_host_client() {
    let port = free_port();
    let target = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_capwasi"))
        .args(["run", "--allow-net"])
        .arg(format!("bind,listen={target}"))
        .args(["--allow-net", "accept=127.0.0.1"])
        .arg(echo_wasm())
        .arg(&target)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("capwasi starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());

    // The first line says the guest is listening; read it on a thread so a
    // guest that never gets there fails the test instead of hanging it.
    let (tx, rx) = mpsc::channel();
    let reader = thread::spawn(move || {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        tx.send(line).unwrap();
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        rest
    });
    let first = rx.recv_timeout(Duration::from_secs(60));
    let first = first.unwrap_or_else(|_| {
        let _ = child.kill();
        panic!("the guest never said it was listening")
    });
    assert_eq!(first, format!("listening on {target}\n"));

    let mut client = TcpStream::connect(&target).expect("connect to the guest");
    client
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    client.write_all(b"hello, capwasi\n").unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    let mut back = Vec::new();
    client.read_to_end(&mut back).unwrap();
    assert_eq!(back, b"hello, capwasi\n");

    let status = child.wait().unwrap();
    let rest = reader.join().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "status {status:?}, stderr:\n{stderr}");
    let client_addr = client.local_addr().unwrap();
    assert_eq!(rest, format!("echoed 15 bytes to {client_addr}\n"));
    assert_eq!(stderr, "");
}

/// The same grant and any other port: one line naming the address and the
/// refusal, status 1, and with `CAPWASI_LOG=info` the host log says which
/// use no rule granted.
#[test]
fn echo_server_is_refused_on_any_other_port() {
    let granted = free_port();
    for other in [granted - 1, granted + 1, 80] {
        let target = format!("127.0.0.1:{other}");
        let out = Command::new(env!("CARGO_BIN_EXE_capwasi"))
            .env("CAPWASI_LOG", "info")
            .args(["run", "--allow-net"])
            .arg(format!("bind,listen=127.0.0.1:{granted}"))
            .args(["--allow-net", "accept=127.0.0.1"])
            .arg(echo_wasm())
            .arg(&target)
            .output()
            .expect("capwasi starts");
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert!(
            lines.contains(&format!("p2_echo: bind {target}: access-denied").as_str()),
            "{stderr}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("refused") && l.contains(&target)),
            "the host log names the refused address:\n{stderr}"
        );
    }
}
