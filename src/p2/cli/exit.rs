//! `wasi:cli/exit`.

use crate::engine::Termination;

/// `exit`: ends the guest, with status 0 for `ok` and 1 for `err`, as a
/// command's `main` returning would.
pub fn exit(status: Result<(), ()>) -> Termination {
    Termination::Exit(if status.is_ok() { 0 } else { 1 })
}

/// `exit-with-code` (stable since wasi 0.2.12):
/// ends the guest with `status_code`.
pub fn exit_with_code(status_code: u8) -> Termination {
    Termination::Exit(i32::from(status_code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(exit(Ok(())), Termination::Exit(0));
        assert_eq!(exit(Err(())), Termination::Exit(1));
        assert_eq!(exit_with_code(42), Termination::Exit(42));
    }
}
