//! `wasi:cli/environment`.

use crate::p2::WasiP2Ctx;

/// `get-environment`: the granted variables as (name, value) pairs, in the
/// order they were granted.
pub fn get_environment(ctx: &WasiP2Ctx) -> Vec<(String, String)> {
    ctx.grants
        .env
        .iter()
        .map(|entry| match entry.split_once('=') {
            Some((name, value)) => (name.to_string(), value.to_string()),
            // The builder refuses a name without a value; kept whole
            // rather than lost.
            None => (entry.to_string(), String::new()),
        })
        .collect()
}

/// `get-arguments`: the arguments, the program name first.
pub fn get_arguments(ctx: &WasiP2Ctx) -> Vec<String> {
    ctx.grants.args.iter().map(str::to_string).collect()
}

/// `initial-cwd`: none. A guest is granted directories, not a place in
/// the host's tree, so relative paths have no directory to start from.
pub fn initial_cwd(_ctx: &WasiP2Ctx) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::p2::testing::ctx;

    #[test]
    fn what_was_granted_in_order() {
        let ctx = ctx(|b| {
            b.args(["prog", "", "two words", "ünï"])
                .env("B", "x=y")
                .env("A", "");
        });
        assert_eq!(get_arguments(&ctx), ["prog", "", "two words", "ünï"]);
        assert_eq!(
            get_environment(&ctx),
            [
                ("B".to_string(), "x=y".to_string()),
                ("A".to_string(), String::new())
            ]
        );
        assert_eq!(initial_cwd(&ctx), None);
        let empty = crate::p2::testing::ctx(|_| {});
        assert!(get_arguments(&empty).is_empty() && get_environment(&empty).is_empty());
    }
}
