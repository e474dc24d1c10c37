//! `wasi:filesystem/preopens`: the directories the guest was granted.

use crate::ctx::Preopen;
use crate::p2::filesystem::types::Descriptor;
use crate::p2::{Resource, Trap, WasiP2Ctx};

/// `get-directories`: a new descriptor for each preopened directory, with
/// the guest's name for it, in the order they were granted. A directory
/// granted read-write is readable and has `mutate-directory`; one granted
/// read-only is only readable.
pub fn get_directories(ctx: &mut WasiP2Ctx) -> Result<Vec<(Resource<Descriptor>, String)>, Trap> {
    let WasiP2Ctx { grants, table, .. } = ctx;
    let mut dirs = Vec::new();
    for preopen in &grants.preopens {
        let Preopen::Dir(dir, perms, name) = preopen else {
            continue;
        };
        match table.push(Descriptor::preopen(dir.clone(), *perms)) {
            Ok(descriptor) => dirs.push((descriptor, name.clone())),
            Err(err) => {
                // None of them reaches the guest, so none stays live.
                for (descriptor, _) in dirs {
                    let _ = table.delete(descriptor);
                }
                return Err(err.into());
            }
        }
    }
    Ok(dirs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::DirPerms;
    use crate::p2::filesystem::types::{descriptor, DescriptorFlags};
    use crate::p2::testing;

    #[test]
    fn each_grant_once_with_its_flags() {
        let (rw, ro) = match (tempfile::tempdir(), tempfile::tempdir()) {
            (Ok(rw), Ok(ro)) => (rw, ro),
            _ => panic!("no temporary directories"),
        };
        let mut ctx = testing::ctx(|b| {
            let granted = b
                .preopened_dir(rw.path(), "/rw", DirPerms::ReadWrite)
                .and_then(|b| b.preopened_dir(ro.path(), "/ro", DirPerms::ReadOnly));
            assert!(granted.is_ok());
        });
        let Ok(dirs) = get_directories(&mut ctx) else {
            panic!("get-directories failed");
        };
        let names: Vec<_> = dirs.iter().map(|(_, name)| name.as_str()).collect();
        assert_eq!(names, ["/rw", "/ro"]);
        assert_eq!(
            descriptor::get_flags(&ctx, dirs[0].0),
            Ok(DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY)
        );
        assert_eq!(
            descriptor::get_flags(&ctx, dirs[1].0),
            Ok(DescriptorFlags::READ)
        );
        assert_eq!(
            testing::blocking(descriptor::is_same_object(&ctx, dirs[0].0, dirs[1].0)),
            Ok(false)
        );
        assert!(testing::ctx(|_| {}).grants().preopens.is_empty());
        for (dir, _) in dirs {
            assert_eq!(descriptor::drop(&mut ctx, dir), Ok(()));
        }
        assert!(ctx.table().is_empty());
    }
}
