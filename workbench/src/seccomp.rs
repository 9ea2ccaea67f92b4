//! The sandbox's seccomp filter: everything allowed except sockets of any family but
//! `AF_UNIX` (no TCP, UDP, netlink or raw sockets, even to 127.0.0.1), `ptrace`, new
//! namespaces (`unshare`, `setns`, `clone` with `CLONE_NEWUSER`), mounts, kernel
//! keyrings, BPF, `userfaultfd`, `perf_event_open`, io_uring, module loading and the
//! like, which fail with `EPERM`. bubblewrap installs it (`--seccomp FD`, with
//! `no_new_privs`) just before it runs the kernel.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule, TargetArch,
};

use crate::Error;

/// System calls denied whatever their arguments.
const DENIED: &[i64] = &[
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_unshare,
    libc::SYS_setns,
    libc::SYS_bpf,
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_userfaultfd,
    libc::SYS_perf_event_open,
    libc::SYS_kexec_load,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
    libc::SYS_open_by_handle_at,
    libc::SYS_name_to_handle_at,
    libc::SYS_acct,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_reboot,
];

/// The filter as the raw `struct sock_filter` array `bwrap --seccomp` reads (8 bytes
/// per instruction, native byte order).
pub(crate) fn filter_bytes() -> Result<Vec<u8>, Error> {
    let arch = std::env::consts::ARCH;
    let fail = |message: String| Error::Seccomp { arch, message };
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = DENIED.iter().map(|s| (*s, vec![])).collect();
    let rule = |arg: u8, op: SeccompCmpOp, value: u64| {
        SeccompCondition::new(arg, SeccompCmpArgLen::Dword, op, value)
            .and_then(|condition| SeccompRule::new(vec![condition]))
            .map_err(|e| fail(e.to_string()))
    };
    rules.insert(libc::SYS_socket, vec![rule(0, SeccompCmpOp::Ne, libc::AF_UNIX as u64)?]);
    let newuser = libc::CLONE_NEWUSER as u64;
    rules.insert(libc::SYS_clone, vec![rule(0, SeccompCmpOp::MaskedEq(newuser), newuser)?]);
    let target = TargetArch::try_from(arch).map_err(|e| fail(e.to_string()))?;
    let filter = SeccompFilter::new(rules, SeccompAction::Allow, SeccompAction::Errno(libc::EPERM as u32), target)
        .map_err(|e| fail(e.to_string()))?;
    let program: BpfProgram = filter.try_into().map_err(|e: seccompiler::BackendError| fail(e.to_string()))?;
    let mut bytes = Vec::with_capacity(program.len() * 8);
    for instruction in &program {
        bytes.extend_from_slice(&instruction.code.to_ne_bytes());
        bytes.push(instruction.jt);
        bytes.push(instruction.jf);
        bytes.extend_from_slice(&instruction.k.to_ne_bytes());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_filter_compiles_to_whole_instructions() {
        let bytes = super::filter_bytes().unwrap();
        assert!(bytes.len() > 8 * 20, "{} bytes", bytes.len());
        assert_eq!(bytes.len() % 8, 0);
    }
}
