//! preview1's own state, built from a context's grants: the descriptor
//! table, with each descriptor's rights and listing cursor.

use crate::ctx::Preopen;
use crate::table::Table;
use crate::WasiCtx;

use super::descriptor::Descriptor;

/// A guest's grants and what preview1 keeps on top of them. Every preview1
/// handler runs against one; engine adapters keep it in their store.
pub struct WasiP1Ctx {
    pub(crate) grants: WasiCtx,
    pub(crate) fds: Table<Descriptor>,
}

impl WasiP1Ctx {
    /// preview1's view of `grants`: stdio as descriptors 0 to 2, then each
    /// preopen in the order it was granted. The table shares the granted
    /// handles and opens nothing.
    pub fn new(grants: WasiCtx) -> Self {
        let mut descriptors = Vec::with_capacity(3 + grants.preopens.len());
        for file in &grants.stdio {
            descriptors.push(Descriptor::stdio(file.clone()));
        }
        for preopen in &grants.preopens {
            descriptors.push(match preopen {
                Preopen::Dir(dir, perms, name) => {
                    Descriptor::preopen(dir.clone(), *perms, name.clone())
                }
                Preopen::Socket(socket) => Descriptor::socket(socket.clone()),
            });
        }
        // The builder refused a limit below what the grants need.
        let fds = Table::with_entries(grants.max_open_fds, descriptors);
        WasiP1Ctx { grants, fds }
    }

    /// The grants this state was built from.
    pub fn grants(&self) -> &WasiCtx {
        &self.grants
    }
}

impl From<WasiCtx> for WasiP1Ctx {
    fn from(grants: WasiCtx) -> Self {
        WasiP1Ctx::new(grants)
    }
}
