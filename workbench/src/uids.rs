//! Sandbox uids, shared by every workbench of a host: a uid is leased by holding an
//! exclusive lock (`flock`) on its file `<locks>/uid-<n>.lock` for as long as a sandbox
//! runs as it, so two servers (or two workbenches of one) never hand out the same uid,
//! and a uid is free again as soon as its sandbox stops or its server dies (the kernel
//! drops the lock with the last descriptor).

use std::fs::{File, OpenOptions};
use std::ops::Range;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::Error;

/// A uid in use by one sandbox; free again when dropped.
#[derive(Debug)]
pub(crate) struct UidLease {
    uid: u32,
    /// Held locked.
    _lock: File,
}

impl UidLease {
    /// The uid.
    pub(crate) fn uid(&self) -> u32 {
        self.uid
    }
}

/// Leases uids of `range`, with their lock files under `locks`.
#[derive(Debug)]
pub(crate) struct Uids {
    range: Range<u32>,
    locks: PathBuf,
}

impl Uids {
    /// Uids of `range`, locked in the folder `locks` (made when missing; it must be the
    /// same folder for every workbench of the host).
    pub(crate) fn new(range: Range<u32>, locks: &Path) -> Result<Uids, Error> {
        std::fs::create_dir_all(locks).map_err(Error::io(locks, "create the folder"))?;
        Ok(Uids { range, locks: locks.to_path_buf() })
    }

    /// A free uid: `prefer` when it is free and in the range (a session's last uid: its
    /// files need no new owner), else the first free one.
    pub(crate) fn lease(&self, prefer: Option<u32>) -> Result<UidLease, Error> {
        let prefer = prefer.filter(|uid| self.range.contains(uid));
        for uid in prefer.into_iter().chain(self.range.clone()) {
            let path = self.locks.join(format!("uid-{uid}.lock"));
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .custom_flags(libc::O_CLOEXEC | libc::O_NOFOLLOW)
                .open(&path)
                .map_err(Error::io(&path, "open the uid lock"))?;
            // `File::try_lock` would do, from Rust 1.89 (the workspace's MSRV is older).
            match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(UidLease { uid, _lock: file }),
                Err(rustix::io::Errno::WOULDBLOCK) => continue,
                Err(errno) => return Err(Error::Io { path, action: "lock", source: errno.into() }),
            }
        }
        Err(Error::NoFreeUid { start: self.range.start, end: self.range.end })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn two_servers_never_share_a_uid_and_uids_come_back() {
        let dir = tempfile::tempdir().unwrap();
        // Two "servers": their own Uids over one range and the host's lock folder.
        let (a, b) = (Uids::new(7..10, dir.path()).unwrap(), Uids::new(7..10, dir.path()).unwrap());
        let first = a.lease(None).unwrap();
        let second = b.lease(None).unwrap();
        let third = a.lease(Some(first.uid())).unwrap();
        let mut taken = vec![first.uid(), second.uid(), third.uid()];
        taken.sort();
        assert_eq!(taken, [7, 8, 9]);
        assert!(matches!(b.lease(None), Err(Error::NoFreeUid { start: 7, end: 10 })));
        assert!(matches!(a.lease(None), Err(Error::NoFreeUid { .. })));
        // Released when its sandbox stops: the other server gets it, preferred or not.
        let freed = second.uid();
        drop(second);
        let again = a.lease(None).unwrap();
        assert_eq!(again.uid(), freed);
        drop(again);
        let kept = b.lease(Some(freed)).unwrap();
        assert_eq!(kept.uid(), freed);
        // A preferred uid outside the range is ignored.
        let third_uid = third.uid();
        drop(third);
        assert_eq!(b.lease(Some(99)).unwrap().uid(), third_uid);
    }
}
