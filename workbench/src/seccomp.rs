//! The sandbox's seccomp filter. Everything is allowed except:
//!
//! * sockets of any family but `AF_UNIX` (no TCP, UDP, netlink or raw sockets, even to
//!   127.0.0.1);
//! * new namespaces: `unshare`, `setns`, and `clone` with `CLONE_NEWUSER`. `clone3`,
//!   whose flags sit behind a pointer the filter cannot read, fails with `ENOSYS`, so
//!   that glibc falls back to `clone` (what Docker and Flatpak do);
//! * the kernel's dangerous corners, which fail with `EPERM` (the list is [`DENIED`]):
//!   `ptrace` and `process_vm_*`, mounts old and new (`mount`, `umount2`, `pivot_root`,
//!   `open_tree`, `move_mount`, `fsopen`, `fsconfig`, `fsmount`, `fspick`,
//!   `mount_setattr`), file handles (`name_to_handle_at`, `open_by_handle_at`, the
//!   classic container escape), kernel keyrings, BPF, `perf_event_open`, `userfaultfd`,
//!   io_uring, `kexec_*`, module loading, `quotactl`, `syslog`, `acct`, swap, `reboot`,
//!   the clocks (`settimeofday`, `clock_settime`, `adjtimex`, `clock_adjtime`),
//!   `lookup_dcookie`, `iopl`/`ioperm` (x86_64), and `personality` but to query it or
//!   set the default persona;
//! * on x86_64, every x32 system call (numbers from `0x40000000` up, compared unsigned,
//!   so the invalid `-1` too), also `EPERM`:
//!   the architecture of an x32 call is still `AUDIT_ARCH_X86_64`, so a filter that
//!   matches numbers would otherwise let them through.
//!
//! seccompiler builds the `EPERM` filter (one match action per filter); [`prologue`]
//! puts a few raw BPF instructions before it for the x32 range and `clone3`'s `ENOSYS`.
//! bubblewrap installs the whole program (`--seccomp FD`, with `no_new_privs`) just
//! before it runs the kernel.

use std::collections::BTreeMap;

use seccompiler::{
    sock_filter, BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use crate::Error;

/// System calls denied with `EPERM` whatever their arguments.
const DENIED: &[i64] = &[
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_open_tree,
    libc::SYS_move_mount,
    libc::SYS_fsopen,
    libc::SYS_fsconfig,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_mount_setattr,
    libc::SYS_unshare,
    libc::SYS_setns,
    libc::SYS_bpf,
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_userfaultfd,
    libc::SYS_perf_event_open,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
    libc::SYS_open_by_handle_at,
    libc::SYS_name_to_handle_at,
    libc::SYS_quotactl,
    libc::SYS_quotactl_fd,
    libc::SYS_syslog,
    libc::SYS_acct,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_reboot,
    libc::SYS_settimeofday,
    libc::SYS_clock_settime,
    libc::SYS_adjtimex,
    libc::SYS_clock_adjtime,
    libc::SYS_lookup_dcookie,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_iopl,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_ioperm,
];

/// `personality` arguments allowed: the default persona (`PER_LINUX`) and the query.
const PERSONALITY_ALLOWED: [u64; 2] = [0, 0xffff_ffff];

/// The first x32 system call number (`__X32_SYSCALL_BIT`).
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

// The classic BPF opcodes of the prologue (`linux/filter.h`).
const LOAD_WORD: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
const JUMP_EQ: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
const JUMP_GE: u16 = (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16;
const RETURN: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
/// Offsets in `struct seccomp_data`: the system call number, then the architecture.
const NR_OFFSET: u32 = 0;
const ARCH_OFFSET: u32 = 4;

/// The filter as the raw `struct sock_filter` array `bwrap --seccomp` reads (8 bytes
/// per instruction, native byte order).
pub(crate) fn filter_bytes() -> Result<Vec<u8>, Error> {
    let program = program()?;
    let mut bytes = Vec::with_capacity(program.len() * 8);
    for instruction in &program {
        bytes.extend_from_slice(&instruction.code.to_ne_bytes());
        bytes.push(instruction.jt);
        bytes.push(instruction.jf);
        bytes.extend_from_slice(&instruction.k.to_ne_bytes());
    }
    Ok(bytes)
}

/// The whole program: [`prologue`], then seccompiler's `EPERM` filter (which starts by
/// killing the process on any other architecture).
fn program() -> Result<BpfProgram, Error> {
    let arch = std::env::consts::ARCH;
    let fail = |message: String| Error::Seccomp { arch, message };
    let target = TargetArch::try_from(arch).map_err(|e| fail(e.to_string()))?;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = DENIED.iter().map(|s| (*s, vec![])).collect();
    let condition = |arg: u8, op: SeccompCmpOp, value: u64| {
        SeccompCondition::new(arg, SeccompCmpArgLen::Dword, op, value).map_err(|e| fail(e.to_string()))
    };
    let rule = |conditions: Vec<SeccompCondition>| SeccompRule::new(conditions).map_err(|e| fail(e.to_string()));
    rules.insert(libc::SYS_socket, vec![rule(vec![condition(0, SeccompCmpOp::Ne, libc::AF_UNIX as u64)?])?]);
    let newuser = libc::CLONE_NEWUSER as u64;
    rules.insert(libc::SYS_clone, vec![rule(vec![condition(0, SeccompCmpOp::MaskedEq(newuser), newuser)?])?]);
    let personality =
        PERSONALITY_ALLOWED.iter().map(|allowed| condition(0, SeccompCmpOp::Ne, *allowed)).collect::<Result<_, _>>()?;
    rules.insert(libc::SYS_personality, vec![rule(personality)?]);
    let filter = SeccompFilter::new(rules, SeccompAction::Allow, SeccompAction::Errno(libc::EPERM as u32), target)
        .map_err(|e| fail(e.to_string()))?;
    let denials: BpfProgram = filter.try_into().map_err(|e: seccompiler::BackendError| fail(e.to_string()))?;
    let mut program = prologue(target);
    program.extend(denials);
    Ok(program)
}

/// What seccompiler cannot say, as raw BPF run before its filter: on this architecture,
/// x32 numbers (x86_64) fail with `EPERM` and `clone3` with `ENOSYS`. On another
/// architecture it jumps straight to seccompiler's filter, which kills the process.
fn prologue(target: TargetArch) -> BpfProgram {
    let op = |code: u16, k: u32, jt: u8, jf: u8| sock_filter { code, jt, jf, k };
    let errno = |errno: i32| op(RETURN, libc::SECCOMP_RET_ERRNO | (errno as u32 & libc::SECCOMP_RET_DATA), 0, 0);
    let mut body = vec![op(LOAD_WORD, NR_OFFSET, 0, 0)];
    if target == TargetArch::x86_64 {
        body.extend([op(JUMP_GE, X32_SYSCALL_BIT, 0, 1), errno(libc::EPERM)]);
    }
    body.extend([op(JUMP_EQ, libc::SYS_clone3 as u32, 0, 1), errno(libc::ENOSYS)]);
    // `body` is at most 5 instructions: the offset fits in a u8.
    let skip = body.len() as u8;
    let mut program = vec![op(LOAD_WORD, ARCH_OFFSET, 0, 0), op(JUMP_EQ, audit_arch(target), 0, skip)];
    program.extend(body);
    program
}

/// The `AUDIT_ARCH_*` value the kernel puts in `seccomp_data.arch` (`linux/audit.h`:
/// the ELF machine, 64-bit, little-endian).
fn audit_arch(target: TargetArch) -> u32 {
    const LITTLE_ENDIAN_64: u32 = 0x8000_0000 | 0x4000_0000;
    let machine = match target {
        TargetArch::x86_64 => 62,
        TargetArch::aarch64 => 183,
        TargetArch::riscv64 => 243,
    };
    machine | LITTLE_ENDIAN_64
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALLOW: u32 = 0x7fff_0000; // SECCOMP_RET_ALLOW
    const KILL_PROCESS: u32 = 0x8000_0000; // SECCOMP_RET_KILL_PROCESS
    const EPERM: u32 = libc::SECCOMP_RET_ERRNO | libc::EPERM as u32;
    const ENOSYS: u32 = libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32;

    /// Runs `program` as the kernel would on `struct seccomp_data` (only the classic BPF
    /// instructions seccompiler and the prologue emit).
    fn run(program: &[sock_filter], arch: u32, nr: i64, args: [u64; 6]) -> u32 {
        let mut data = Vec::with_capacity(64);
        data.extend_from_slice(&(nr as u32).to_ne_bytes());
        data.extend_from_slice(&arch.to_ne_bytes());
        data.extend_from_slice(&0u64.to_ne_bytes());
        for arg in args {
            data.extend_from_slice(&arg.to_ne_bytes());
        }
        let (mut pc, mut a) = (0usize, 0u32);
        loop {
            let i = &program[pc];
            pc += 1;
            let jump = |taken: bool| usize::from(if taken { i.jt } else { i.jf });
            match i.code {
                0x20 => a = u32::from_ne_bytes(data[i.k as usize..i.k as usize + 4].try_into().unwrap()),
                0x54 => a &= i.k,
                0x05 => pc += i.k as usize,
                0x15 => pc += jump(a == i.k),
                0x25 => pc += jump(a > i.k),
                0x35 => pc += jump(a >= i.k),
                0x06 => return i.k,
                code => panic!("instruction {code:#x} at {} is not interpreted", pc - 1),
            }
        }
    }

    fn verdict(nr: i64, args: [u64; 6]) -> u32 {
        let target = TargetArch::try_from(std::env::consts::ARCH).unwrap();
        run(&program().unwrap(), audit_arch(target), nr, args)
    }

    #[test]
    fn the_filter_compiles_to_whole_instructions() {
        let bytes = super::filter_bytes().unwrap();
        assert!(bytes.len() > 8 * 20, "{} bytes", bytes.len());
        assert_eq!(bytes.len() % 8, 0);
        assert_eq!(bytes.len() / 8, program().unwrap().len());
    }

    #[test]
    fn every_denied_call_fails_with_eperm_whatever_its_arguments() {
        for nr in DENIED {
            for args in [[0; 6], [u64::MAX; 6], [1, 2, 3, 4, 5, 6]] {
                assert_eq!(verdict(*nr, args), EPERM, "system call {nr} {args:?}");
            }
        }
        // What the review of issue 17 found missing, by group.
        let review: [(&str, &[i64]); 9] = [
            ("kexec, modules", &[libc::SYS_kexec_load, libc::SYS_kexec_file_load, libc::SYS_init_module]),
            (
                "modules, acct, reboot",
                &[libc::SYS_finit_module, libc::SYS_delete_module, libc::SYS_acct, libc::SYS_reboot],
            ),
            ("old mounts, quotactl", &[libc::SYS_mount, libc::SYS_umount2, libc::SYS_pivot_root, libc::SYS_quotactl]),
            ("new mounts", &[libc::SYS_open_tree, libc::SYS_move_mount, libc::SYS_fsopen, libc::SYS_fsconfig]),
            ("new mounts, syslog", &[libc::SYS_fsmount, libc::SYS_fspick, libc::SYS_mount_setattr, libc::SYS_syslog]),
            ("kernel", &[libc::SYS_bpf, libc::SYS_perf_event_open, libc::SYS_userfaultfd, libc::SYS_lookup_dcookie]),
            ("keyrings, swap", &[libc::SYS_keyctl, libc::SYS_add_key, libc::SYS_request_key, libc::SYS_swapon]),
            ("swap, clocks", &[libc::SYS_swapoff, libc::SYS_settimeofday, libc::SYS_clock_settime, libc::SYS_adjtimex]),
            ("file handles", &[libc::SYS_name_to_handle_at, libc::SYS_open_by_handle_at]),
        ];
        for (group, calls) in review {
            for nr in calls {
                assert!(DENIED.contains(nr), "{group}: system call {nr} is not denied");
            }
        }
        #[cfg(target_arch = "x86_64")]
        assert!(DENIED.contains(&libc::SYS_iopl) && DENIED.contains(&libc::SYS_ioperm), "iopl, ioperm");
    }

    #[test]
    fn clone3_fails_with_enosys_and_clone_is_inspected() {
        assert_eq!(verdict(libc::SYS_clone3, [0; 6]), ENOSYS);
        let newuser = libc::CLONE_NEWUSER as u64;
        assert_eq!(verdict(libc::SYS_clone, [newuser | libc::SIGCHLD as u64, 0, 0, 0, 0, 0]), EPERM);
        let thread = (libc::CLONE_VM | libc::CLONE_FS | libc::CLONE_FILES | libc::CLONE_THREAD) as u64;
        assert_eq!(verdict(libc::SYS_clone, [thread, 0, 0, 0, 0, 0]), ALLOW);
    }

    #[test]
    fn personality_may_only_be_queried_or_set_to_the_default() {
        for allowed in PERSONALITY_ALLOWED {
            assert_eq!(verdict(libc::SYS_personality, [allowed, 0, 0, 0, 0, 0]), ALLOW, "{allowed:#x}");
        }
        for denied in [0x0040000, 0x0008, 0x0400_0000] {
            assert_eq!(verdict(libc::SYS_personality, [denied, 0, 0, 0, 0, 0]), EPERM, "{denied:#x}");
        }
    }

    #[test]
    fn sockets_other_than_unix_are_denied_and_ordinary_calls_allowed() {
        assert_eq!(verdict(libc::SYS_socket, [libc::AF_UNIX as u64, 1, 0, 0, 0, 0]), ALLOW);
        assert_eq!(verdict(libc::SYS_socket, [libc::AF_INET as u64, 1, 0, 0, 0, 0]), EPERM);
        for nr in [libc::SYS_read, libc::SYS_write, libc::SYS_getpid, libc::SYS_execve, libc::SYS_wait4] {
            assert_eq!(verdict(nr, [0; 6]), ALLOW, "system call {nr}");
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn x32_system_calls_are_denied() {
        for nr in [0x4000_0000 | libc::SYS_getpid, 0x4000_0000 | libc::SYS_clone3, 0x4000_0000, 0x7fff_ffff] {
            assert_eq!(verdict(nr, [0; 6]), EPERM, "system call {nr:#x}");
        }
        // The comparison is unsigned: -1 (no system call at all) is refused too.
        assert_eq!(verdict(-1, [0; 6]), EPERM);
        assert_eq!(verdict(0x3fff_ffff, [0; 6]), ALLOW);
    }

    #[test]
    fn another_architecture_is_killed() {
        let program = program().unwrap();
        for nr in [libc::SYS_getpid, libc::SYS_clone3, 0x4000_0000] {
            assert_eq!(run(&program, 0x4000_0003, nr, [0; 6]), KILL_PROCESS, "i386, system call {nr:#x}");
        }
    }
}
