//! `wasi:cli/exit`.

use crate::engine::Termination;

/// `exit`: ends the guest, with status 0 for `ok` and 1 for `err`, as a
/// command's `main` returning would.
pub fn exit(status: Result<(), ()>) -> Termination {
    Termination::Exit(if status.is_ok() { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(exit(Ok(())), Termination::Exit(0));
        assert_eq!(exit(Err(())), Termination::Exit(1));
    }
}
