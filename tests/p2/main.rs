//! wasi 0.2 guests that call preview2 directly (`tests/components`), run
//! on capwasi's preview2 through wasmtime's component model. Each guest
//! checks what it can see and prints a line per check; the tests here set
//! up stdio and preopens and compare what the guest printed and left.

use capwasi::execution::Execution;

mod bad;
mod fs;
#[path = "harness.rs"]
mod harness;
mod io;

pub use harness::*;

/// Every component here runs on the synchronous linker.
pub const EXECUTION: Option<Execution> = None;

#[test]
fn cli_arguments_environment_terminals_and_exit() {
    let out = run("p2_cli", &["ok", "two words"], b"", |b| {
        b.env("FOO", "bar").env("EMPTY", "");
    });
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "arg p2_cli",
            "arg ok",
            "arg two words",
            "env FOO=bar",
            "env EMPTY=",
            "cwd none",
            "terminal-stdin no",
            "terminal-stdout no",
            "terminal-stderr no",
        ]
    );
    run("p2_cli", &["err"], b"", |_| {}).expect_exit(1);
}
