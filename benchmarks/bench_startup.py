"""API server start-up: time to ready, memory, and the first request of the slow summaries, with and without the
start-up warm-up.

On the store ``bench_api.py`` generates (1,000,000 facts by default; reused when cached, generated otherwise), our
server is started in its own process as ``bench_api.py`` starts it, twice:

* **cold**: ``create_app(…)`` as before the warm-up existed: the first ``/v1/stats``, ``/v1/programs``,
  ``/v1/officials`` and ``/dashboard`` each compute their result on request;
* **warm**: ``create_app(…, warm_cache=True)`` as ``mahalle-news serve`` runs it: the server computes those results
  in the background once started; the bench waits for its ``cache warmed`` log line (which gives the seconds each
  summary took), then asks.

For each: seconds from process start to the first ``/healthz`` 200, RSS then, the first and second request of each
summary (client-side ms), and the peak RSS (VmHWM) at the end. ``--python-path DIR`` runs the server from another
checkout's ``src`` (e.g. a worktree of an older commit, for a before/after); such a server runs cold only when its
``create_app`` has no ``warm_cache``.

    python benchmarks/bench_startup.py [--facts 1000000] [--seed 1] [--python-path DIR] [--warm-timeout 300]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api import REPO, Server, ensure_db, free_port, loadavg, start_server

PATHS = ("/v1/stats", "/v1/programs", "/v1/officials", "/dashboard")


def serve(db: str, port: int, warm: bool) -> None:
    """The child process: our app under uvicorn, as ``bench_api.py`` serves it (plus the warm-up if asked)."""
    import uvicorn

    from mahalle_news.config import Settings
    from mahalle_news.web.app import create_app
    from mahalle_news.web.observability import log_config

    settings = Settings(db=f"sqlite:///{db}", anonymous_read=True, rate_limit=0)
    kwargs = {"warm_cache": True} if warm else {}
    app = create_app(settings, deliver_alerts=False, **kwargs)
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=log_config(), access_log=False)


def child_env(python_path: str | None) -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    if python_path:
        env["PYTHONPATH"] = python_path + os.pathsep + env.get("PYTHONPATH", "")
    return env


def supports_warm_cache(python_path: str | None) -> bool:
    """Whether that code's ``create_app`` has ``warm_cache`` (asked in a child: this process has its own code)."""
    code = (
        "import inspect, mahalle_news.web.app as a; print('warm_cache' in inspect.signature(a.create_app).parameters)"
    )
    done = subprocess.run([sys.executable, "-c", code], env=child_env(python_path), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"cannot import the server code: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout.strip() == "True"


def start(db: Path, warm: bool, python_path: str | None, log_dir: Path) -> tuple[Server, float]:
    """Our server, and the seconds from its process start to the first ``/healthz`` 200."""
    port = free_port()
    mode = "warm" if warm else "cold"
    t0 = time.perf_counter()
    server = start_server(
        mode, [sys.executable, __file__, "--serve", str(db), str(port), mode], "/healthz", port, log_dir,
        env=child_env(python_path),
    )  # fmt: skip
    return server, time.perf_counter() - t0


def wait_warmed(server: Server, timeout: float) -> dict[str, float | None]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in server.log.read_text(encoding="utf-8", errors="replace").splitlines():
            if '"cache warmed"' in line:
                warmed: dict[str, float | None] = json.loads(line).get("warmed", {})
                return warmed
        time.sleep(0.2)
    raise SystemExit(f"no 'cache warmed' line within {timeout:.0f} s; see {server.log}")


def ask(server: Server) -> dict[str, tuple[float, float]]:
    out = {}
    with httpx.Client(base_url=server.base, timeout=600) as client:
        for path in PATHS:
            times = []
            for _ in range(2):
                t0 = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")
            out[path] = (times[0], times[1])
    return out


def run(args: argparse.Namespace) -> None:
    db, _ = ensure_db(args.facts, args.seed, regenerate=False)
    modes = [False, True] if supports_warm_cache(args.python_path) else [False]
    print(f"store {db} ({db.stat().st_size / 1e9:.2f} GB); server code: {args.python_path or REPO / 'src'}")
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        for warm in modes:
            server, ready = start(db, warm, args.python_path, Path(tmp))
            try:
                rss_ready = server.status("VmRSS")
                warmed: dict[str, float | None] = {}
                waited = 0.0
                if warm:
                    t0 = time.perf_counter()
                    warmed = wait_warmed(server, args.warm_timeout)
                    waited = time.perf_counter() - t0
                load = loadavg()
                timings = ask(server)
                peak = server.status("VmHWM")
            finally:
                server.stop()
            print(f"\n{'warm (serve)' if warm else 'cold'}: ready in {ready:.2f} s, RSS {rss_ready:.0f} MB at ready, "
                  f"peak {peak:.0f} MB; load {load}")  # fmt: skip
            if warm:
                parts = ", ".join(f"{k} {'failed' if v is None else f'{v:.2f} s'}" for k, v in warmed.items())
                print(f"  warm-up done {waited:.1f} s after ready: {parts}")
            print(f"  {'request':<16}{'first ms':>12}{'second ms':>12}")
            for path, (first, second) in timings.items():
                print(f"  {path:<16}{first:>12.1f}{second:>12.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--facts", type=int, default=1_000_000, help="facts in the store (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--python-path", help="run the server from this src directory (another checkout)")
    ap.add_argument("--warm-timeout", type=float, default=300.0, help="seconds to wait for the warm-up")
    ap.add_argument("--serve", nargs=3, metavar=("DB", "PORT", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), args.serve[2] == "warm")
        return
    run(args)


if __name__ == "__main__":
    main()
