"""Load benchmark: Dialogue's form against a bare Flask app under identical gunicorn settings.

For each backend (SQLite, then PostgreSQL) the script prepares a fresh database, then serves
``bench/hello_app.py`` and ``dialogue:create_app()`` one after the other with the same gunicorn
command line, drives each with a built-in load generator (localhost only, bounded in time and
count), and prints requests/s, latencies and the ratios asked for in the issue.

    .venv/bin/python bench/run.py --seconds 10 --concurrency 8 --backends sqlite,postgresql
"""

from __future__ import annotations

import argparse
import contextlib
import html
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa
from bench_databases import backend_database

BENCH_DIR = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
FORM_PATH = "/falkoping/submit"
TARGET_RATIO = 0.5
HELLO_APP = "hello_app:app"
SERVICE_APP = "dialogue:create_app()"
# The one gunicorn command line both apps are served with (bind and app spec are added).
GUNICORN_SETTINGS = (
    "--workers", "2",
    "--threads", "1",
    "--worker-class", "sync",
    "--timeout", "30",
    "--graceful-timeout", "5",
    "--log-level", "warning",
    "--pythonpath", str(BENCH_DIR),
)  # fmt: skip
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_BENCH_DB = "dialogue_bench"
SOCKET_TIMEOUT = 10.0
READY_TIMEOUT = 30.0
MAX_OPS_PER_CLIENT = 200_000  # a hard cap besides the clock: every run stops by itself
MS = 1000.0

HIDDEN_FIELD = re.compile(rb'name="(csrf_token|form_token)"[^>]*?\svalue="([^"]*)"')
SESSION_COOKIE = re.compile(r"(?im)^set-cookie:\s*(dialogue_session=[^;\r\n]*)")
CATEGORY_SELECT = re.compile(rb'<select[^>]*name="category"[^>]*>(.*?)</select>', re.S)
OPTION_VALUE = re.compile(rb'<option value="([^"]+)"')


# --- a minimal HTTP client ------------------------------------------------------------------
# gunicorn's sync worker closes the connection after every response, so keep-alive buys
# nothing here; a raw socket with "Connection: close" is the cheapest client Python has,
# which matters on a small machine where the load generator shares the cores with gunicorn.


@dataclass(frozen=True)
class Reply:
    status: int
    headers: str
    body: bytes


def http(port: int, method: str, path: str, body: bytes = b"", cookie: str = "") -> Reply:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    with socket.create_connection((HOST, port), timeout=SOCKET_TIMEOUT) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, payload = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, _, headers = head.decode("latin-1").partition("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise ConnectionError("malformed reply")
    return Reply(int(parts[1]), headers, payload)


# --- scenarios: one operation each; None means success, else a short error label -------------


def hello_op(port: int, category: str) -> str | None:
    reply = http(port, "GET", "/")
    return None if reply.status == 200 and reply.body == b"Hello" else f"GET {reply.status}"


def form_op(port: int, category: str) -> str | None:
    reply = http(port, "GET", FORM_PATH)
    if reply.status != 200:
        return f"GET {reply.status}"
    return None if b'name="form_token"' in reply.body else "GET without form"


def submission_op(port: int, category: str) -> str | None:
    """One resident's submission: fetch the form (CSRF and form tokens), POST it, get a receipt."""
    page = http(port, "GET", FORM_PATH)
    if page.status != 200:
        return f"GET {page.status}"
    tokens = {
        name.decode(): html.unescape(value.decode())
        for name, value in HIDDEN_FIELD.findall(page.body)
    }
    cookie = SESSION_COOKIE.search(page.headers)
    if set(tokens) != {"csrf_token", "form_token"} or cookie is None:
        return "GET without tokens"
    fields = {
        **tokens,
        "kind": "concern",
        "category": category,
        "text": f"Belysningen vid busshållplatsen är trasig igen ({secrets.token_hex(4)}).",
        "submitter_type": "resident",
    }
    reply = http(port, "POST", FORM_PATH, urlencode(fields).encode(), cookie.group(1))
    if reply.status != 200:
        return f"POST {reply.status}"
    return None if b'class="receipt-code"' in reply.body else "POST without receipt"


SCENARIOS: dict[str, Callable[[int, str], str | None]] = {
    "hello": hello_op,
    "form page": form_op,
    "submission": submission_op,
}


def first_category(port: int) -> str:
    """The first non-empty option of the form's category list."""
    select = CATEGORY_SELECT.search(http(port, "GET", FORM_PATH).body)
    values = OPTION_VALUE.findall(select.group(1)) if select else []
    if not values:
        raise RuntimeError(f"no category options on {FORM_PATH}")
    return str(values[0].decode())


# --- the load generator: processes x threads, closed loop, fixed concurrency -----------------


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    last_end: float = 0.0

    def merge(self, other: Sample) -> None:
        self.latencies += other.latencies
        self.errors.update(other.errors)
        self.last_end = max(self.last_end, other.last_end)


@dataclass(frozen=True)
class Job:
    scenario: str
    port: int
    category: str
    start_at: float  # time.monotonic() is system-wide on Linux, so shared across processes
    end_at: float


def _client(job: Job) -> Sample:
    operation = SCENARIOS[job.scenario]
    sample = Sample()
    while (now := time.monotonic()) < job.start_at:
        time.sleep(min(job.start_at - now, 0.01))
    for _ in range(MAX_OPS_PER_CLIENT):
        began = time.monotonic()
        if began >= job.end_at:
            break
        try:
            error = operation(job.port, job.category)
        except OSError as exc:
            error = type(exc).__name__
        sample.last_end = time.monotonic()
        if error is None:
            sample.latencies.append(sample.last_end - began)
        else:
            sample.errors[error] += 1
    return sample


def _client_process(job: Job, threads: int) -> Sample:
    total = Sample()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for sample in pool.map(_client, [job] * threads):
            total.merge(sample)
    return total


def _noop() -> None:
    """Submitted once so every load process is started before the first measurement."""


@dataclass(frozen=True)
class Load:
    pool: ProcessPoolExecutor
    processes: int
    concurrency: int

    def run(self, scenario: str, port: int, category: str, seconds: float) -> tuple[Sample, float]:
        """Drive one scenario for ``seconds``; return the merged sample and the elapsed time."""
        start_at = time.monotonic() + 0.2
        job = Job(scenario, port, category, start_at, start_at + seconds)
        shares = [
            self.concurrency // self.processes + (i < self.concurrency % self.processes)
            for i in range(self.processes)
        ]
        futures = [self.pool.submit(_client_process, job, n) for n in shares if n]
        total = Sample()
        for future in futures:
            total.merge(future.result(timeout=seconds + 2 * SOCKET_TIMEOUT + 30))
        return total, max(total.last_end - start_at, 1e-9)


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    backend: str
    scenario: str
    ok: int
    errors: dict[str, int]
    rate: float
    p50: float
    p99: float
    warmup_ok: int = 0


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (NaN when empty)."""
    if not ordered:
        return math.nan
    return ordered[max(math.ceil(pct / 100 * len(ordered)) - 1, 0)]


def measure(
    load: Load, args: argparse.Namespace, *, backend: str, scenario: str, port: int, category: str
) -> Result:
    warmup, _ = load.run(scenario, port, category, args.warmup)
    sample, elapsed = load.run(scenario, port, category, args.seconds)
    ordered = sorted(sample.latencies)
    return Result(
        backend=backend,
        scenario=scenario,
        ok=len(ordered),
        errors=dict(sample.errors),
        rate=len(ordered) / elapsed,
        p50=percentile(ordered, 50),
        p99=percentile(ordered, 99),
        warmup_ok=len(warmup.latencies),
    )


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _wait_ready(process: subprocess.Popen[bytes], port: int, path: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{_tail(log)}")
        with contextlib.suppress(OSError):
            if http(port, "GET", path).status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn not ready on port {port} in {READY_TIMEOUT:.0f} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM gunicorn's own process group (master and workers), SIGKILL if it lingers."""
    for sig, grace in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict[str, str], log: Path, ready_path: str) -> Iterator[int]:
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", *GUNICORN_SETTINGS, "--bind", f"{HOST}:{port}", app_spec
    ]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_ready(process, port, ready_path, log)
        yield port
    finally:
        _stop(process)


# --- databases --------------------------------------------------------------------------------


def service_env(database_url: str, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALOGUE_")}
    env.update(
        DIALOGUE_DATABASE_URL=database_url,
        DIALOGUE_INSTANCE_PATH=str(instance),
        DIALOGUE_SECRET_KEY=secrets.token_urlsafe(32),  # one key for both workers
        DIALOGUE_RATELIMIT_ENABLED="false",
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    """Migrate and load the Falköping demo with the service's own command."""
    for step in (["db", "upgrade"], ["demo", "load"]):
        done = subprocess.run(
            [str(VENV_BIN / "dialogue"), *step],
            check=False,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"dialogue {' '.join(step)} failed:\n{done.stderr[-2000:]}")


def count_submissions(database_url: str) -> int:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM submissions")).scalar_one())
    finally:
        engine.dispose()


# --- one backend ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackendReport:
    backend: str
    hello: Result
    form: Result
    submission: Result
    stored: int


def bench_backend(
    name: str, load: Load, args: argparse.Namespace, tmp: Path
) -> BackendReport | None:
    workdir = tmp / name
    workdir.mkdir()
    with backend_database(
        name, workdir / "dialogue.sqlite3", args.postgres_admin_url, PG_BENCH_DB
    ) as url:
        if url is None:
            return None
        env = service_env(url, workdir / "instance")
        prepare_database(env)
        log = workdir / "gunicorn.log"
        print(f"[{name}] bare Flask hello …", flush=True)
        with gunicorn(HELLO_APP, env, log, "/") as port:
            hello = measure(load, args, backend=name, scenario="hello", port=port, category="")
        print(f"[{name}] form page and submissions …", flush=True)
        with gunicorn(SERVICE_APP, env, log, FORM_PATH) as port:
            category = first_category(port)
            form = measure(
                load, args, backend=name, scenario="form page", port=port, category=category
            )
            before = count_submissions(url)
            submission = measure(
                load, args, backend=name, scenario="submission", port=port, category=category
            )
            stored = count_submissions(url) - before
    return BackendReport(name, hello, form, submission, stored)


# --- output -----------------------------------------------------------------------------------


def _row(*cells: object) -> str:
    widths = (11, 11, 8, 8, 9, 9, 9)
    return "  ".join(
        str(c).ljust(w) if i < 2 else str(c).rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    ).rstrip()


def print_table(reports: list[BackendReport]) -> None:
    print()
    print(_row("backend", "scenario", "ok", "errors", "per s", "p50 ms", "p99 ms"))
    for report in reports:
        for r in (report.hello, report.form, report.submission):
            errors = sum(r.errors.values())
            print(_row(r.backend, r.scenario, r.ok, errors, f"{r.rate:.1f}",
                       f"{r.p50 * MS:.1f}", f"{r.p99 * MS:.1f}"))  # fmt: skip
            for label, count in sorted(r.errors.items()):
                print(f"{'':26}  {count} x {label}")


def print_ratios(reports: list[BackendReport]) -> None:
    print(f"\nForm page requests/s ÷ bare Flask requests/s (target >= {TARGET_RATIO:.2f})")
    for report in reports:
        ratio = report.form.rate / report.hello.rate if report.hello.rate else math.nan
        verdict = "PASS" if ratio >= TARGET_RATIO else "MISS"
        print(f"  {report.backend:<11} {report.form.rate:8.1f} / {report.hello.rate:8.1f}"
              f" = {ratio:.2f}  {verdict}")  # fmt: skip
    print("\nCompleted submissions (GET form for CSRF + POST + commit)")
    for report in reports:
        s = report.submission
        receipts = s.ok + s.warmup_ok
        print(
            f"  {report.backend:<11} {s.rate:6.1f}/s  p99 {s.p99 * MS:6.1f} ms"
            f"  stored {report.stored} rows for {receipts} receipts"
            f" (incl. {s.warmup_ok} in warm-up)"
        )


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per scenario")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up time per scenario")
    parser.add_argument("--concurrency", type=int, default=8, help="simultaneous clients")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated list")
    parser.add_argument("--postgres-admin-url", default=PG_ADMIN_URL,
                        help=f"an existing database to create {PG_BENCH_DB} from")  # fmt: skip
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(args.backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    if args.seconds <= 0 or args.concurrency < 1 or args.processes < 1:
        parser.error("--seconds, --concurrency and --processes must be positive")
    return args


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through every finally: servers stop, DB is dropped


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    processes = min(args.processes, args.concurrency)
    print(
        f"gunicorn {' '.join(GUNICORN_SETTINGS[:-2])} (same for both apps); "
        f"{args.concurrency} clients in {processes} process(es); "
        f"{args.warmup:g} s warm-up + {args.seconds:g} s per scenario; {os.cpu_count()} CPUs"
    )
    reports: list[BackendReport] = []
    with (
        ProcessPoolExecutor(max_workers=processes) as pool,
        tempfile.TemporaryDirectory(prefix="dialogue-bench-") as tmp,
    ):
        for started in [pool.submit(_noop) for _ in range(processes)]:
            started.result()
        load = Load(pool, processes, args.concurrency)
        for backend in args.backends:
            report = bench_backend(backend, load, args, Path(tmp))
            if report is not None:
                reports.append(report)
    if reports:
        print_table(reports)
        print_ratios(reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
