# The workbench kernel: a persistent Python REPL run as the sandbox's command (stdlib only).
# One JSON request per stdin line: {"id" (a nonce the reply carries), "n" (the cell's number),
# "kind": "python"|"bash", "code", "timeout"}; one JSON reply per line on a private dup of the
# original stdout. Cell output is captured at fd level
# (print(), C code and subprocesses alike). The host treats every byte of it as untrusted.
import ast, json, os, signal, socket, sys, threading, time, traceback

PROTO = os.fdopen(os.dup(1), "w", buffering=1)
REQ = os.fdopen(os.dup(0), "r")
DEVNULL = os.open("/dev/null", os.O_RDONLY)
os.dup2(DEVNULL, 0)                                   # user code sees an empty stdin
LIMIT = int(os.environ.pop("WORKBENCH_OUTPUT_LIMIT", "65536"))
OUTPUT_DIR = "/mnt/files/.composio/output"            # full output of a cell over LIMIT
TOOL_SOCKET = "/run/toolsmith/tool.sock"
MAIN = threading.main_thread().ident
ME = os.getpid()


def _tool_request(request):
    """One request to the host over the session's tool socket; the reply is a dict."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(TOOL_SOCKET)
        f = s.makefile("rwb")
        f.write(json.dumps(request).encode() + b"\n")
        f.flush()
        line = f.readline()
    finally:
        s.close()
    if not line:
        return {"data": None, "error": "the host closed the tool socket without a reply"}
    return json.loads(line)


def run_composio_tool(tool_slug, arguments=None, connected_account_id=None):
    """Runs a tool through the session (its scope, accounts and rules): returns (data, error)."""
    r = _tool_request({"op": "tool", "slug": tool_slug, "arguments": arguments or {},
                       "account": connected_account_id})
    return r.get("data"), r.get("error")


run_tool = run_composio_tool


def proxy_execute(method, endpoint, toolkit, query_params=None, body=None, headers=None,
                  connected_account_id=None):
    """A raw request to a toolkit's API with the session's credentials: returns (data, error)."""
    r = _tool_request({"op": "proxy", "toolkit": toolkit, "method": str(method).upper(),
                       "endpoint": endpoint, "query": query_params or {}, "body": body,
                       "headers": headers or {}, "account": connected_account_id})
    return r.get("data"), r.get("error")


G = {"__name__": "__main__", "__builtins__": __builtins__, "run_composio_tool": run_composio_tool,
     "run_tool": run_tool, "proxy_execute": proxy_execute}


def living_others():
    """The processes of this pid namespace but bwrap's pid 1, us and zombies."""
    pids = []
    for p in os.listdir("/proc"):
        if p.isdigit() and int(p) not in (1, ME):
            try:
                with open(f"/proc/{p}/stat", "rb") as f:
                    state = f.read().rsplit(b")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state != b"Z":
                pids.append(int(p))
    return pids


def reap():
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def kill_strays():
    """After a timeout: kill every process of this pid namespace but bwrap's pid 1 and us."""
    for _ in range(100):
        others = living_others()
        if not others:
            break
        for p in others:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        reap()
        time.sleep(0.01)
    reap()


def run_python(code):
    tree = ast.parse(code, "<cell>", "exec")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), G)
    if last is not None:
        v = eval(compile(ast.Expression(last.value), "<cell>", "eval"), G)
        if v is not None:
            return repr(v)
    return None


def run_bash(cmd):
    import subprocess
    r = subprocess.run(["/bin/bash", "-c", cmd], cwd="/home/user", stdin=DEVNULL)
    return None if r.returncode == 0 else f"exit code {r.returncode}"


def collect(reply, n, key, path):
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            text = f.read(LIMIT).decode("utf-8", "replace")
    except OSError as e:
        reply[key], reply[key + "_truncated"] = f"[output lost: {e}]", False
        return
    reply[key] = text
    reply[key + "_truncated"] = size > LIMIT
    if size > LIMIT:
        reply[key] += f"\n[... truncated: {size - LIMIT} more bytes]"
        try:
            os.makedirs(OUTPUT_DIR, exist_ok=True)
            dest = f"{OUTPUT_DIR}/cell-{n}.{key}"
            with open(path, "rb") as src, open(dest, "wb") as out:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
            reply[key + "_file_path"] = dest
        except OSError:
            pass
    try:
        os.unlink(path)
    except OSError:
        pass


def user_traceback(e):
    """The traceback without the kernel's own frames."""
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(e), e, tb))


def handle(req):
    n = int(req.get("n", 0))
    timeout = float(req.get("timeout", 180))
    paths = {k: f"/run/kernel/cell-{n}.{k}" for k in ("stdout", "stderr")}
    sys.stdout.flush(); sys.stderr.flush()
    saved = {1: os.dup(1), 2: os.dup(2)}
    for fd, k in ((1, "stdout"), (2, "stderr")):
        f = os.open(paths[k], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(f, fd); os.close(f)
    timer = threading.Timer(timeout, lambda: signal.pthread_kill(MAIN, signal.SIGINT))
    result = error = None
    timer.start()
    try:
        if req.get("kind") == "bash":
            error = run_bash(str(req.get("code", "")))
        else:
            result = run_python(str(req.get("code", "")))
    except KeyboardInterrupt:
        error = f"TimeoutError: cell exceeded {timeout:g} s (interrupted; variables kept)"
        kill_strays()
    except BaseException as e:                        # SystemExit too: the kernel survives
        error = user_traceback(e)
    finally:
        timer.cancel()
        try:
            sys.stdout.flush(); sys.stderr.flush()
        except BaseException:
            pass
        for fd in (1, 2):
            os.dup2(saved[fd], fd); os.close(saved[fd])
    if result is not None and len(result) > LIMIT:
        result = result[:LIMIT] + f"\n[... truncated: {len(result) - LIMIT} more characters]"
    reply = {"id": req.get("id"), "results": result, "error": error}
    for k, p in paths.items():
        collect(reply, n, k, p)
    return reply


signal.signal(signal.SIGINT, signal.default_int_handler)
PROTO.write(json.dumps({"ready": True, "pid": ME}) + "\n")
for line in REQ:
    if os.getpid() != ME:                             # a forked child that fell through
        os._exit(0)
    req = {}
    try:
        req = json.loads(line)
        reply = handle(req)
    except KeyboardInterrupt:                         # interrupt landed between cells
        reply = {"error": "interrupted"}
    except BaseException:
        reply = {"error": traceback.format_exc()}
    if isinstance(req, dict):
        reply.setdefault("id", req.get("id"))
    if os.getpid() != ME:
        os._exit(0)
    PROTO.write(json.dumps(reply) + "\n")
