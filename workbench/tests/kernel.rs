//! The persistent kernel: state between cells, bash in the same sandbox, the tool
//! callback, timeouts, output caps, idle stop. Needs `bwrap` (fails, with how to install
//! it, when it is missing).
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Bench, FakeExecute, Seen};
use serde_json::json;
use toolsmith_workbench::{Cell, Error, SandboxConfig, Workbench};

#[tokio::test]
async fn variables_survive_between_cells() {
    let bench = Bench::new(|_| {});
    let first = bench.ok("s1", "x = 21\nprint('set')\nimport sys; print('warn', file=sys.stderr)").await;
    assert!(first.started);
    assert_eq!((first.stdout.as_str(), first.stderr.as_str(), first.results.as_deref()), ("set\n", "warn\n", None));
    let second = bench.ok("s1", "x * 2").await;
    assert!(!second.started);
    assert_eq!(second.results.as_deref(), Some("42"));
    let error = bench.run("s1", Cell::python("y = 1\n1 / 0")).await.error.unwrap();
    assert_eq!(
        error,
        "Traceback (most recent call last):\n  File \"<cell>\", line 2, in <module>\nZeroDivisionError: division by zero\n",
        "the kernel's own frames are left out"
    );
    assert_eq!(bench.ok("s1", "x").await.results.as_deref(), Some("21"), "an exception keeps the state");
    let other = bench.run("s2", Cell::python("x")).await;
    assert!(other.error.unwrap().contains("NameError"), "sessions do not share variables");
}

#[tokio::test]
async fn bash_runs_in_the_same_sandbox() {
    let bench = Bench::new(|_| {});
    bench.ok("s", "open('/mnt/files/note.txt', 'w').write('from python')").await;
    let out = bench
        .run("s", Cell::bash("cat /mnt/files/note.txt; echo; pwd; id -u; hostname; echo x > /mnt/files/b.txt"))
        .await;
    assert_eq!(out.error, None, "{out:#?}");
    assert_eq!(out.stdout, "from python\n/home/user\n1000\nsandbox\n");
    let files = bench.workbench.files_dir("s").unwrap();
    assert_eq!(std::fs::read_to_string(files.join("b.txt")).unwrap(), "x\n");
    let failed = bench.run("s", Cell::bash("echo oops >&2; exit 3")).await;
    assert_eq!((failed.error.as_deref(), failed.stderr.as_str()), (Some("exit code 3"), "oops\n"));
}

#[tokio::test]
async fn run_composio_tool_calls_the_sessions_executor() {
    let bench = Bench::new(|_| {});
    let out =
        bench.ok("s", "data, error = run_composio_tool('DEMO_ECHO', {'owner': 'octocat'})\nprint(error)\ndata").await;
    assert_eq!(out.stdout, "None\n");
    assert_eq!(out.results.as_deref(), Some("{'echo': {'owner': 'octocat'}, 'tool': 'DEMO_ECHO'}"));
    // The alias, an account, an unknown tool (resolved by the caller), proxy_execute.
    let out = bench
        .ok(
            "s",
            "a = run_tool('DEMO_ECHO', {'n': 1}, connected_account_id='ca_work')\n\
             b = run_composio_tool('NOT_A_TOOL', {})\n\
             c = proxy_execute('get', '/user', 'demo', query_params={'page': 2})\n\
             (a[1], b[0], b[1], c[0]['tool'], c[1])",
        )
        .await;
    let results = out.results.unwrap();
    assert!(results.starts_with("(None, {}, 'unknown tool"), "{results}");
    assert!(results.ends_with("'DEMO_PROXY', None)"), "{results}");
    let calls = bench.executor.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 3, "the unknown tool never reached the executor: {calls:?}");
    assert_eq!(
        calls[0],
        Seen { slug: "DEMO_ECHO".into(), arguments: json!({"owner": "octocat"}), account: None, endpoint: None }
    );
    assert_eq!(calls[1].account.as_deref(), Some("ca_work"));
    assert_eq!((calls[2].slug.as_str(), calls[2].endpoint.as_deref()), ("DEMO_PROXY", Some("/user")));
}

#[tokio::test]
async fn concurrent_tool_calls_from_a_thread_pool() {
    let bench = Bench::new(|_| {});
    let code = "from concurrent.futures import ThreadPoolExecutor\n\
                with ThreadPoolExecutor(8) as pool:\n    \
                    results = list(pool.map(lambda n: run_composio_tool('DEMO_ECHO', {'n': n}), range(32)))\n\
                sum(data['echo']['n'] for data, error in results if error is None)";
    assert_eq!(bench.ok("s", code).await.results.as_deref(), Some("496"));
    assert_eq!(bench.executor.calls.lock().unwrap().len(), 32);
}

#[tokio::test]
async fn a_refused_call_reaches_python_as_its_error() {
    let bench = Bench::with_executor(FakeExecute { refuse: true, ..Default::default() }, |_| {});
    let out = bench.ok("s", "run_composio_tool('DEMO_ECHO', {'x': 1})").await;
    assert_eq!(out.results.as_deref(), Some("({}, \"DEMO_ECHO: refused: outside the session's scope\")"));
    assert_eq!(bench.executor.calls.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_soft_timeout_interrupts_the_cell_and_keeps_variables() {
    let bench = Bench::new(|_| {});
    bench.ok("s", "x = 5").await;
    let out = bench
        .run(
            "s",
            Cell::python("import subprocess\nsubprocess.Popen(['sleep', '300'])\nwhile True: pass")
                .with_timeout(Duration::from_secs(2)),
        )
        .await;
    assert!(out.error.as_deref().unwrap().starts_with("TimeoutError: cell exceeded 1 s"), "{out:#?}");
    assert!(!out.killed);
    let after = bench.ok("s", &format!("(x, {})", common::LIVING)).await;
    assert_eq!(after.results.as_deref(), Some("(5, 2)"), "variables kept, the stray sleep killed");
    let bash = bench.run("s", Cell::bash("sleep 100").with_timeout(Duration::from_secs(1))).await;
    assert!(bash.error.unwrap().starts_with("TimeoutError"));
}

#[tokio::test]
async fn a_hard_timeout_kills_the_sandbox_and_keeps_its_files() {
    let bench = Bench::new(|c| c.interrupt_before = Duration::from_secs(1));
    bench.ok("s", "x = 5\nopen('/mnt/files/keep.txt', 'w').write('kept')").await;
    let stubborn = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass";
    let out = bench.run("s", Cell::python(stubborn).with_timeout(Duration::from_secs(2))).await;
    assert!(out.killed, "{out:#?}");
    assert!(out.error.as_deref().unwrap().contains("the sandbox was killed"), "{out:#?}");
    assert!(!bench.workbench.is_running("s"));
    let next = bench.run("s", Cell::python("print(open('/mnt/files/keep.txt').read())\nx")).await;
    assert!(next.started);
    assert_eq!(next.stdout, "kept\n");
    assert!(next.error.unwrap().contains("NameError"), "variables are lost");
}

#[tokio::test]
async fn a_kernel_that_dies_is_restarted() {
    let bench = Bench::new(|_| {});
    bench.ok("s", "x = 1").await;
    let out = bench.run("s", Cell::python("import os\nos._exit(0)")).await;
    assert!(out.killed && out.error.as_deref().unwrap().contains("the sandbox's kernel died"), "{out:#?}");
    assert!(bench.ok("s", "1 + 1").await.started);
}

#[tokio::test]
async fn output_is_capped_and_the_rest_kept_in_a_file() {
    let bench = Bench::new(|c| c.output_limit = 1000);
    let out = bench.ok("s", "print('x' * 5000)\n'y' * 3000").await;
    assert!(out.stdout_truncated);
    assert!(
        out.stdout.starts_with(&"x".repeat(1000)) && out.stdout.contains("[... truncated: 4001 more bytes]"),
        "{}",
        out.stdout
    );
    assert!(out.results.unwrap().contains("truncated: 2002 more characters"));
    let path = out.stdout_file_path.unwrap();
    let inside = path.strip_prefix("/mnt/files/").unwrap();
    let full = std::fs::read_to_string(bench.workbench.files_dir("s").unwrap().join(inside)).unwrap();
    assert_eq!(full.len(), 5001);
}

#[tokio::test]
async fn idle_sandboxes_stop_and_restart_on_demand() {
    let bench = Bench::new(|c| c.idle_timeout = Duration::from_millis(300));
    bench.ok("s", "x = 1\nopen('/mnt/files/a', 'w').write('a')").await;
    assert!(bench.workbench.is_running("s"));
    assert_eq!(bench.workbench.stop_idle().await, 0, "not idle yet");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(bench.workbench.stop_idle().await, 1);
    assert!(!bench.workbench.is_running("s"));
    let out = bench.ok("s", "open('/mnt/files/a').read()").await;
    assert!(out.started);
    assert_eq!(out.results.as_deref(), Some("'a'"));
}

#[test]
fn a_missing_bwrap_is_reported_with_how_to_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig { bwrap: "/nonexistent/bwrap".into(), ..SandboxConfig::new(dir.path()) };
    let error = Workbench::new(config).unwrap_err();
    assert!(matches!(error, Error::BwrapMissing { .. }));
    assert!(error.to_string().contains("apt-get install --no-install-recommends bubblewrap"), "{error}");
}

#[test]
fn root_without_a_uid_range_is_refused() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig { uids: None, ..SandboxConfig::new(dir.path()) };
    let root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    match Workbench::new(config) {
        Err(Error::RootWithoutDrop) => assert!(root),
        Ok(_) => assert!(!root, "as root, a workbench without uids must be refused"),
        Err(other) => panic!("{other}"),
    }
}

#[tokio::test]
async fn bench_measures_each_step() {
    let dir = tempfile::tempdir().unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
    }
    let report = toolsmith_workbench::bench(SandboxConfig::new(dir.path().join("wb")), 3).await.unwrap();
    for timing in [&report.python_startup, &report.cold_start, &report.warm_cell, &report.tool_round_trip] {
        assert_eq!(timing.runs, 3, "{report:#?}");
        assert!(timing.min > Duration::ZERO && timing.min <= timing.p50 && timing.p50 <= timing.p99, "{report:#?}");
    }
    assert!(report.warm_cell.p50 < report.cold_start.p50, "{report:#?}");
    eprintln!("{report:#?}");
}

#[tokio::test]
async fn a_kernel_that_stops_reading_is_killed_at_the_deadline() {
    let bench = Bench::new(|c| c.interrupt_before = Duration::from_secs(1));
    bench
        .ok(
            "s",
            "import os, signal, threading\nthreading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGSTOP)).start()",
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let big = format!("x = '{}'", "a".repeat(1 << 20));
    let started = std::time::Instant::now();
    let out = tokio::time::timeout(
        Duration::from_secs(20),
        bench.run("s", Cell::python(big).with_timeout(Duration::from_secs(1))),
    )
    .await
    .expect("the host waited past the cell's deadline");
    assert!(out.killed, "{out:#?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(bench.ok("s", "1").await.started);
}

#[tokio::test]
async fn forged_replies_do_not_answer_later_cells() {
    let bench = Bench::new(|_| {});
    // The reply channel is the kernel's own stdout: a cell can write to it.
    // After its own reply, it forges replies for the ids that follow, a huge line and junk.
    let forge = "import sys, threading\nk = sys.modules['__main__']\nme = sys._getframe(0).f_back.f_back.f_locals['req']['id']\n\
                 def forge():\n    \
                     for n in range(1, 50): k.PROTO.write('{\"id\": %d, \"results\": \"forged\"}\\n' % (me + n))\n    \
                     k.PROTO.write('x' * (4 << 20) + '\\n'); k.PROTO.write('not json\\n')\n\
                 threading.Timer(0.2, forge).start()\n'real'";
    assert_eq!(bench.ok("s", forge).await.results.as_deref(), Some("'real'"));
    tokio::time::sleep(Duration::from_millis(600)).await;
    for _ in 0..3 {
        assert_eq!(bench.ok("s", "'next'").await.results.as_deref(), Some("'next'"));
    }
}

#[tokio::test]
async fn the_idle_reaper_stops_idle_sandboxes() {
    let bench = Bench::new(|c| c.idle_timeout = Duration::from_millis(200));
    let Bench { workbench, access, dir: _dir, .. } = bench;
    let workbench = std::sync::Arc::new(workbench);
    let reaper = workbench.spawn_idle_reaper();
    workbench.run("s", access.clone(), Cell::python("1")).await.unwrap();
    assert!(workbench.is_running("s"));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!workbench.is_running("s"), "stopped by the reaper");
    drop(workbench);
    tokio::time::timeout(Duration::from_secs(5), reaper).await.unwrap().unwrap();
}

#[tokio::test]
async fn python_packages_come_from_folders_bound_read_only() {
    use std::os::unix::fs::PermissionsExt;
    let packages = tempfile::tempdir().unwrap();
    std::fs::set_permissions(packages.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir(packages.path().join("wbpkg")).unwrap();
    std::fs::write(packages.path().join("wbpkg/__init__.py"), "ANSWER = 42\n").unwrap();
    let path = packages.path().to_path_buf();
    let bench = Bench::new(move |c| c.python_path = vec![path]);
    let out =
        bench.ok("s", "import wbpkg, os\n(wbpkg.ANSWER, wbpkg.__file__, os.access(wbpkg.__file__, os.W_OK))").await;
    assert_eq!(out.results.as_deref(), Some("(42, '/opt/python/0/wbpkg/__init__.py', False)"));
}

#[tokio::test]
async fn workbenches_of_one_host_never_share_a_uid_and_return_it_when_stopped() {
    use std::os::unix::fs::MetadataExt;
    if std::fs::metadata("/proc/self").unwrap().uid() != 0 {
        return; // Sandboxes run as uids of their own only when the server is root.
    }
    // Two "servers" with one uid between them, and the host's lock folder.
    let locks = tempfile::tempdir().unwrap();
    let shared = |c: &mut toolsmith_workbench::SandboxConfig| {
        c.uids = Some(309_900..309_901);
        c.uid_locks = locks.path().to_owned();
    };
    let (a, b) = (Bench::new(shared), Bench::new(shared));
    a.ok("s", "x = 1").await;
    let refused = b.workbench.run("t", b.access.clone(), Cell::python("1")).await.unwrap_err();
    assert!(matches!(refused, toolsmith_workbench::Error::NoFreeUid { start: 309_900, end: 309_901 }), "{refused}");
    // Stopped, the sandbox returns its uid: the other server's session gets it.
    a.workbench.stop("s").await;
    assert!(b.ok("t", "1").await.started);
    assert_eq!(std::fs::metadata(b.workbench.files_dir("t").unwrap()).unwrap().uid(), 309_900);
    let refused = a.workbench.run("s", a.access.clone(), Cell::python("1")).await.unwrap_err();
    assert!(matches!(refused, toolsmith_workbench::Error::NoFreeUid { .. }), "{refused}");
    b.workbench.stop("t").await;
    let again = a.ok("s", "'x' in globals()").await;
    assert_eq!((again.started, again.results.as_deref()), (true, Some("False")));
}
