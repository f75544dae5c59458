"""The council under load: 50 closed-loop clients against ``planlab serve``, on SQLite and
PostgreSQL, several repetitions, with the stack's floor measured in the same run.

Each repetition first runs the floor (every client asks for a route that does not exist:
HTTP, middleware and client, no database), then the mix of ``tests/council/_load.py``
(25 % votes, 5 % comments, the rest reads of rounds, proposals, variants, a ballot and a
ballot's page). The ratio p99(mix) / p99(floor) says how much the council adds to what
the machine gives at that moment. PostgreSQL runs in a throwaway cluster as in the tests.

    .venv/bin/python benchmarks/council_load.py --seconds 20 --repeat 3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from planlab.council.settings import cores

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "council"))

from _load import Result, run, stage  # noqa: E402
from _postgres import Cluster, server_bin  # noqa: E402
from _server import Server  # noqa: E402

GOAL_P99_MS = 300.0
"""The goal of issue 15: p99 under 300 ms with 50 clients."""


def repetitions(
    url: str, folder: Path, clients: int, seconds: float, repeat: int, workers: int
) -> None:
    """Stage one server on ``url`` and run floor then mix ``repeat`` times."""
    server = Server(url, folder / "server.log", workers=str(workers))
    where = stage(server, clients)
    try:
        per = len(where.ballots) // repeat
        for k in range(repeat):
            floor = run(where, seconds / 2, mix=False, seed_=k)
            mix = run(where, seconds, seed_=k, votes=where.ballots[k * per : (k + 1) * per])
            report(k, floor, mix)
    finally:
        server.stop()


def report(k: int, floor: Result, mix: Result) -> None:
    for result in (floor, mix):
        if result.failures:
            print(f"  failures: {result.failures[:3]}")
    ratio = mix.percentiles()[2] / floor.percentiles()[2]
    print("  " + floor.line(f"#{k + 1} floor"))
    verdict = "under" if mix.percentiles()[2] < GOAL_P99_MS else "OVER"
    goal = f"; p99 {ratio:.1f}x floor, {verdict} {GOAL_P99_MS:.0f}"
    print("  " + mix.line(f"#{k + 1} mix  ") + goal)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--workers", type=int, default=cores(), help="server processes (the service's default)"
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="planlab-load-") as tmp:
        folder = Path(tmp)
        common = (folder, args.clients, args.seconds, args.repeat, args.workers)
        if args.backend in ("sqlite", "both"):
            print(f"SQLite, {args.clients} clients:")
            repetitions(f"sqlite:///{folder / 'load.db'}", *common)
        if args.backend in ("postgresql", "both"):
            found = server_bin()
            if found is None:
                sys.exit("PostgreSQL's initdb is missing: `make postgres` installs it")
            cluster = Cluster(found).start()
            try:
                print(f"PostgreSQL, {args.clients} clients:")
                repetitions(cluster.database(), *common)
            finally:
                cluster.stop()


if __name__ == "__main__":
    main()
