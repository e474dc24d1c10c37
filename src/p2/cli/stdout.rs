//! `wasi:cli/stdout`: a stream over the granted standard output, the handle preview1
//! numbers 1.

use std::sync::Arc;

use crate::p2::io::streams::OutputStream;
use crate::p2::{Resource, Trap, WasiP2Ctx};

/// `get-stdout`.
pub fn get_stdout(ctx: &mut WasiP2Ctx) -> Result<Resource<OutputStream>, Trap> {
    let stream = OutputStream::stream(Arc::clone(&ctx.grants.stdio[1]));
    Ok(ctx.table.push(stream)?)
}

#[cfg(test)]
mod tests {
    use crate::p2::cli::stdin::get_stdin;
    use crate::p2::cli::stdout::get_stdout;
    use crate::p2::io::streams::{
        blocking_read, blocking_write_and_flush, check_write, read, write, StreamError,
    };
    use crate::p2::testing::{blocking, ctx};
    use crate::p2::Failure;
    use crate::{OutputPipe, Stdio};

    #[test]
    fn stdin_to_its_end_and_stdout_collected() {
        let out = OutputPipe::new();
        let mut ctx = ctx(|b| {
            b.stdin(Stdio::input(b"hello".to_vec()))
                .stdout(Stdio::output(out.clone()));
        });
        let (Ok(stdin), Ok(stdout)) = (get_stdin(&mut ctx), get_stdout(&mut ctx)) else {
            panic!("streams");
        };
        assert_eq!(blocking(read(&mut ctx, stdin, 0)), Ok(Vec::new()));
        assert_eq!(blocking(read(&mut ctx, stdin, 2)), Ok(b"he".to_vec()));
        assert_eq!(
            blocking(blocking_read(&mut ctx, stdin, 100)),
            Ok(b"llo".to_vec())
        );
        assert_eq!(
            blocking(blocking_read(&mut ctx, stdin, 100)),
            Err(Failure::Error(StreamError::Closed))
        );
        assert_eq!(
            blocking(read(&mut ctx, stdin, 1)),
            Err(Failure::Error(StreamError::Closed))
        );
        assert_eq!(check_write(&mut ctx, stdout).map(|n| n > 0), Ok(true));
        assert_eq!(blocking(write(&mut ctx, stdout, b"out ")), Ok(()));
        assert_eq!(
            blocking(blocking_write_and_flush(&mut ctx, stdout, b"put")),
            Ok(())
        );
        assert!(matches!(
            blocking(blocking_write_and_flush(&mut ctx, stdout, &[0; 4097])),
            Err(Failure::Trap(_))
        ));
        assert_eq!(out.contents(), b"out put");
    }
}
