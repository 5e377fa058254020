"""Report benchmark: the lägesbild of a year over a million submissions, on SQLite and PostgreSQL.

For each backend the script builds a throwaway database (the migrations, then the Falköping
demo), seeds ``--rows`` submissions over two years (2023 and 2024) with bulk inserts (COPY on
PostgreSQL), then in one run:

1. times ``build_report`` for 2024 (compared with 2023) and the equivalent hand-written
   GROUP BY queries (one per dimension and period, the matrix, the safety means and the
   clusters, run directly on the same connection); prints both medians, their ratio and PASS or
   FAIL against "under 2 s" and "within 3x", and checks that both give the same numbers;
2. streams the CSV export of both years in a child process and prints its resident memory
   before streaming, every tenth of the rows and at its peak, so flatness is visible.

It asserts nothing.

    .venv/bin/python bench/report.py                          # 1,000,000 rows, both backends
    .venv/bin/python bench/report.py --rows 100000 --database sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import flask_migrate
import sqlalchemy as sa
from bench_databases import backend_database
from flask import Flask

from dialogue import create_app
from dialogue.config import Settings
from dialogue.db import UTCDateTime
from dialogue.demo.services import load_demo
from dialogue.extensions import db
from dialogue.lagesbild.data import NOT_STATED, Dimension, Period, Report
from dialogue.lagesbild.exports import est_csv
from dialogue.lagesbild.report import build_report
from dialogue.models import Category, Cluster, Commitment, Municipality, Place, Quote, Submission

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_BENCH_DB = "dialogue_bench_report"
TARGET_SECONDS = 2.0
TARGET_RATIO = 3.0
MAX_ROWS = 5_000_000
BATCH = 20_000
SEED = 20241124
ZONE = "Europe/Stockholm"
YEAR = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
BOTH_YEARS = Period(dt.date(2023, 1, 1), dt.date(2024, 12, 31))
DATA_START = dt.datetime(2022, 12, 31, 23, tzinfo=dt.UTC)  # local midnight, 1 January 2023
DATA_SECONDS = int((dt.datetime(2024, 12, 31, 23, tzinfo=dt.UTC) - DATA_START).total_seconds())
CLUSTERS = 2_000
QUOTES = 30
MB = 1024 * 1024

STATUSES = (("accepted", 60), ("new", 4), ("in_review", 5), ("forwarded", 10),
            ("rejected", 8), ("duplicate", 5), ("spam", 5), ("withdrawn", 3))  # fmt: skip
KINDS = (("concern", 75), ("suggestion", 18), ("praise", 7))
SUBMITTERS = (("resident", 70), ("not_stated", 20), ("business", 6), ("association", 4))
PARTS_OF_DAY = ((None, 35), ("morning", 10), ("daytime", 20), ("evening", 25), ("night", 10))
SAFETY = ((None, 40), (1, 10), (2, 15), (3, 15), (4, 12), (5, 8))
# fmt: off
WORDS = (
    "det", "är", "mörkt", "vid", "torget", "på", "kvällarna", "och", "jag", "känner", "mig",
    "otrygg", "när", "jag", "går", "hem", "ungdomar", "samlas", "bilar", "kör", "fort",
    "lamporna", "är", "trasiga", "buskarna", "skymmer", "sikten", "klotter", "nedskräpat",
    "mopeder", "bråk", "stöld", "cykel", "inbrott", "tack", "för", "insatsen", "fungerar",
    "bättre", "nu"
)
# fmt: on

COLUMNS = (
    "id", "municipality_id", "reference", "receipt_hash", "idempotency_key", "kind", "status",
    "submitted_category_id", "category_id", "submitted_place_id", "place_id",
    "submitted_commitment_id", "commitment_id", "occurred_on", "part_of_day", "is_recurring",
    "text", "safety_rating", "submitter_type", "locale", "is_sensitive", "created_at",
    "updated_at", "priority", "cluster_id",
)  # fmt: skip
EXPORT_COLUMNS = (
    "reference", "created_at", "kind", "category_id", "place_id", "commitment_id",
    "occurred_on", "part_of_day", "safety_rating", "submitter_type", "cluster_id",
)  # fmt: skip


def pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


# --- the database ---------------------------------------------------------------------------


def build_app(url: str, instance: Path) -> Flask:
    return create_app(
        Settings(
            database_url=url,
            instance_path=str(instance),
            secret_key="bench-secret-key-not-for-production",  # noqa: S106
            ratelimit_enabled=False,
        )
    )


@dataclass
class Demo:
    municipality_id: int
    categories: list[tuple[int, bool]]  # leaves: (id, is_sensitive)
    places: list[int]
    commitments: list[int]
    first_cluster: int


def prepare(app: Flask) -> Demo:
    with app.app_context():
        flask_migrate.upgrade()
        municipality = load_demo(db.session)
        session = db.session
        leaves = session.execute(
            sa.select(Category.id, Category.is_sensitive)
            .where(Category.municipality_id == municipality.id, Category.parent_id.is_not(None))
            .order_by(Category.position, Category.id)
        ).all()
        session.add_all(
            Cluster(municipality_id=municipality.id, title=f"Kluster {n}", created_at=DATA_START)
            for n in range(1, CLUSTERS + 1)
        )
        session.commit()
        return Demo(
            municipality_id=municipality.id,
            categories=[(row.id, row.is_sensitive) for row in leaves],
            places=list(session.scalars(sa.select(Place.id).order_by(Place.id))),
            commitments=list(session.scalars(sa.select(Commitment.id).order_by(Commitment.id))),
            first_cluster=session.scalars(sa.select(sa.func.min(Cluster.id))).one(),
        )


def submission_rows(demo: Demo, rows: int) -> Iterator[tuple[Any, ...]]:
    """Every row in COLUMNS order; ids grow with time, as in a live service."""
    rng = random.Random(SEED)
    categories = demo.categories
    for n in range(rows):
        created = DATA_START + dt.timedelta(seconds=DATA_SECONDS * n // rows + rng.randint(0, 59))
        category, sensitive = categories[min(int(rng.expovariate(0.2)), len(categories) - 1)]
        place = rng.choice(demo.places) if rng.random() < 0.55 else None
        commitment = rng.choice(demo.commitments) if rng.random() < 0.25 else None
        occurred = (
            (created - dt.timedelta(days=rng.randint(0, 14))).date()
            if rng.random() < 0.75
            else None
        )
        # About one in twenty-five is linked to a cluster, a few clusters far larger.
        cluster = (
            demo.first_cluster + min(int(rng.expovariate(0.004)), CLUSTERS - 1)
            if rng.random() < 0.04
            else None
        )
        yield (
            n + 1, demo.municipality_id, f"B{n:09d}", f"{n:064x}", f"bench-{n}",
            pick(rng, KINDS), pick(rng, STATUSES), category, category, place, place,
            commitment, commitment, occurred, pick(rng, PARTS_OF_DAY), rng.random() < 0.3,
            " ".join(rng.choices(WORDS, k=rng.randint(5, 12))).capitalize() + ".",
            pick(rng, SAFETY), pick(rng, SUBMITTERS), "sv", sensitive, created, created,
            1, cluster,
        )  # fmt: skip


def _sqlite_value(value: Any) -> Any:
    # As SQLAlchemy's SQLite types store them (checked after seeding).
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def seed(engine: sa.Engine, demo: Demo, rows: int) -> None:
    names = ", ".join(COLUMNS)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY submissions ({names}) FROM STDIN") as copy:
                for row in submission_rows(demo, rows):
                    copy.write_row(row)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('submissions', 'id'), %s)", (rows,)
            )
        else:
            marks = ", ".join("?" * len(COLUMNS))
            insert = f"INSERT INTO submissions ({names}) VALUES ({marks})"  # noqa: S608
            batch: list[tuple[Any, ...]] = []
            for row in submission_rows(demo, rows):
                batch.append(tuple(_sqlite_value(v) for v in row))
                if len(batch) == BATCH:
                    cursor.executemany(insert, batch)
                    raw.commit()
                    batch.clear()
            cursor.executemany(insert, batch)
        raw.commit()
    finally:
        raw.close()


def add_quotes(app: Flask, demo: Demo) -> None:
    """A few chosen quotes with public summaries (the latest: 2024), so the report has some."""
    with app.app_context():
        chosen = db.session.scalars(
            sa.select(Submission)
            .where(Submission.status == "accepted")
            .order_by(Submission.id.desc())
            .limit(QUOTES)
        ).all()
        for submission in chosen:
            submission.public_summary = f"Sammanfattning av {submission.reference}."
            submission.summary_reviewed_at = submission.created_at
            db.session.add(Quote(municipality_id=demo.municipality_id, submission_id=submission.id))
        db.session.commit()


def check_storage(app: Flask, demo: Demo, rows: int) -> None:
    """The raw inserts stored what the ORM reads back (SQLite keeps datetimes as text)."""
    with app.app_context():
        first = next(submission_rows(demo, rows))
        stored = db.session.get(Submission, 1)
        if stored is None or stored.created_at != first[COLUMNS.index("created_at")]:
            raise RuntimeError("seeded datetimes do not read back as written")


def analyze(engine: sa.Engine) -> None:
    """PostgreSQL: statistics and the visibility map, as autovacuum leaves them after a load."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))


# --- the hand-written queries ---------------------------------------------------------------

WHERE = (
    "s.municipality_id = :m AND s.status = 'accepted'"
    " AND s.created_at >= :lo AND s.created_at < :hi"
)


def weekday_sql(dialect: str) -> str:
    if dialect == "sqlite":
        return "(CAST(strftime('%w', s.occurred_on) AS INTEGER) + 6) % 7 + 1"
    return "CAST(EXTRACT(isodow FROM s.occurred_on) AS INTEGER)"


def month_sql(dialect: str) -> str:
    if dialect == "sqlite":  # no time zones: UTC hours, converted in Python
        return "substr(s.created_at, 1, 13)"
    return f"to_char(s.created_at AT TIME ZONE '{ZONE}', 'YYYY-MM')"


def hand_written(dialect: str) -> dict[str, str]:
    """One plain GROUP BY per dimension (each run for both periods) and the period-only ones."""
    per_period = {
        "category": "s.category_id",
        "category_group": "coalesce(c.parent_id, c.id)",
        "place": "s.place_id",
        "commitment": "s.commitment_id",
        "kind": "s.kind",
        "submitter_type": "s.submitter_type",
        "part_of_day": "s.part_of_day",
        "weekday": weekday_sql(dialect),
        "month": month_sql(dialect),
    }
    queries = {}
    for name, key in per_period.items():
        join = " JOIN categories c ON c.id = s.category_id" if name == "category_group" else ""
        queries[name] = (
            f"SELECT {key} AS k, count(*) FROM submissions s{join} WHERE {WHERE} GROUP BY {key}"  # noqa: S608
        )
    queries["matrix"] = (
        f"SELECT s.place_id, s.category_id, count(*) FROM submissions s"  # noqa: S608
        f" WHERE {WHERE} AND s.place_id IS NOT NULL GROUP BY s.place_id, s.category_id"
    )
    queries["safety"] = (
        f"SELECT s.place_id, count(*), count(s.safety_rating), avg(s.safety_rating)"  # noqa: S608
        f" FROM submissions s WHERE {WHERE} AND s.place_id IS NOT NULL GROUP BY s.place_id"
    )
    queries["clusters"] = (
        f"SELECT s.cluster_id, count(*) FROM submissions s"  # noqa: S608
        f" WHERE {WHERE} AND s.cluster_id IS NOT NULL GROUP BY s.cluster_id"
    )
    return queries


PERIOD_ONLY = ("matrix", "safety", "clusters")


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(ZONE)).astimezone(dt.UTC)


def run_hand_written(
    conn: sa.Connection, municipality_id: int, dialect: str
) -> dict[tuple[str, str], list[Any]]:
    results = {}
    periods = {"current": YEAR, "previous": YEAR.previous()}
    for name, sql in hand_written(dialect).items():
        statement = sa.text(sql).bindparams(
            sa.bindparam("lo", type_=UTCDateTime()), sa.bindparam("hi", type_=UTCDateTime())
        )
        for label, period in periods.items():
            if label == "previous" and name in PERIOD_ONLY:
                continue
            params = {
                "m": municipality_id,
                "lo": local_midnight(period.start),
                "hi": local_midnight(period.end + dt.timedelta(days=1)),
            }
            results[name, label] = conn.execute(statement, params).all()
    if dialect == "sqlite":  # UTC hour buckets to local months
        for label in periods:
            months: Counter[str] = Counter()
            for hour, count in results["month", label]:
                instant = dt.datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=dt.UTC)
                months[f"{instant.astimezone(ZoneInfo(ZONE)):%Y-%m}"] += count
            results["month", label] = list(months.items())
    return results


# --- timing and checking --------------------------------------------------------------------


def median_seconds(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    result = run()  # warm-up: the first run reads the index from disk
    durations = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result


def compare(report: Report, raw: dict[tuple[str, str], list[Any]], app: Flask) -> list[str]:
    """Where the report and the hand-written queries disagree (empty when they agree)."""
    with app.app_context():
        codes = {r.id: r.code for r in db.session.execute(sa.select(Category.id, Category.code))}
        slugs = {r.id: r.slug for r in db.session.execute(sa.select(Place.id, Place.slug))}
    keyed: dict[str, Callable[[Any], str]] = {
        "category": lambda k: codes[k],
        "category_group": lambda k: codes[k],
        "place": lambda k: slugs[k] if k is not None else NOT_STATED,
        "commitment": lambda k: str(k) if k is not None else NOT_STATED,
        "kind": str,
        "submitter_type": str,
        "part_of_day": lambda k: k or NOT_STATED,
        "weekday": lambda k: str(k) if k is not None else NOT_STATED,
        "month": str,
    }
    problems = []
    for name, key in keyed.items():
        rows = {
            row.key: (row.count, row.previous) for row in report.breakdown(Dimension(name)).rows
        }
        expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for n, label in enumerate(("current", "previous")):
            for k, count in raw[name, label]:
                expected[key(k)][n] += count
        if name == "month":  # the previous year's months pair with this year's
            expected = {
                f"2024-{m:02d}": [expected[f"2024-{m:02d}"][0], expected[f"2023-{m:02d}"][1]]
                for m in range(1, 13)
            }
        got = {k: v for k, v in rows.items() if v != (0, 0)}
        want = {k: tuple(v) for k, v in expected.items() if v != [0, 0]}
        if got != want:
            problems.append(f"{name}: report {got} != hand-written {want}")
    cells = sum(map(sum, report.matrix.cells))
    if cells != sum(count for _p, _c, count in raw["matrix", "current"]):
        problems.append("matrix")
    means = {s.key: s.mean for s in report.safety}
    for place, _count, _rated, mean in raw["safety", "current"]:
        if abs((means[slugs[place]] or 0) - float(mean or 0)) > 1e-9:
            problems.append(f"safety at {slugs[place]}")
    clusters = raw["clusters", "current"]
    if (report.clusters.clusters, report.clusters.clustered) != (
        len(clusters),
        sum(count for _c, count in clusters),
    ):
        problems.append("clusters")
    return problems


@dataclass
class Result:
    backend: str
    report_seconds: float
    hand_seconds: float
    total: int
    queries: int
    agree: bool
    export: dict[str, Any]
    load: float  # the machine's 1-minute load average after timing: figures move with it

    @property
    def ratio(self) -> float:
        return self.report_seconds / self.hand_seconds


def time_report(app: Flask, demo: Demo, repeats: int) -> tuple[float, Report, int]:
    statements = 0

    def count(*args: Any) -> None:
        nonlocal statements
        statements += 1

    with app.app_context():
        municipality = db.session.get_one(Municipality, demo.municipality_id)

        def run() -> Report:
            return build_report(db.session, [municipality], YEAR, title=municipality.name)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            run()
            statements = 0
            run()
            once = statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        seconds, report = median_seconds(run, repeats)
        db.session.rollback()
    return seconds, report, once


def time_hand_written(
    app: Flask, demo: Demo, repeats: int
) -> tuple[float, dict[tuple[str, str], list[Any]]]:
    with app.app_context(), db.engine.connect() as conn:
        dialect = db.engine.dialect.name
        return median_seconds(
            lambda: run_hand_written(conn, demo.municipality_id, dialect), repeats
        )


# --- the export, in a child process ---------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def export_child(url: str, instance: str) -> None:
    """Stream the CSV of both years to nowhere; print JSON with the memory figures."""
    app = build_app(url, Path(instance))
    with app.app_context():
        municipality = db.session.scalars(sa.select(Municipality)).one()
        stream, method = _export_stream(municipality)
        before, peak_before = rss_mb(), peak_rss_mb()
        samples: list[float] = []
        lines = size = 0
        started = time.perf_counter()
        expected = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Submission)
            .where(Submission.status == "accepted")
        )
        step = max(1, (expected or 1) // 10)
        for chunk in stream:
            size += len(chunk)
            lines += chunk.count(b"\n")
            if lines >= step * (len(samples) + 1):
                samples.append(round(rss_mb(), 1))
        seconds = time.perf_counter() - started
    print(json.dumps({
        "method": method, "lines": lines, "mb": round(size / MB, 1), "seconds": round(seconds, 1),
        "rss_before_mb": round(before, 1), "peak_rss_before_mb": round(peak_before, 1),
        "rss_samples_mb": samples,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }))  # fmt: skip


def _export_stream(municipality: Municipality) -> tuple[Iterator[bytes], str]:
    return est_csv(
        db.session, [municipality], BOTH_YEARS, locale="sv", fallback="sv"
    ), "exports.est_csv"


def measure_export(url: str, instance: Path) -> dict[str, Any]:
    child = subprocess.run(
        [sys.executable, __file__, "--export-child", url, str(instance)],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        return {"error": child.stderr.strip().splitlines()[-1] if child.stderr else "failed"}
    figures: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return figures


# --- one backend ----------------------------------------------------------------------------


def bench_backend(name: str, args: argparse.Namespace, tmp: Path) -> Result | None:
    workdir = tmp / name
    workdir.mkdir()
    with backend_database(
        name, workdir / "bench.sqlite3", args.postgres_admin_url, PG_BENCH_DB
    ) as url:
        if url is None:
            return None
        instance = workdir / "instance"
        app = build_app(url, instance)
        try:
            return _run(name, app, url, instance, args)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def _run(name: str, app: Flask, url: str, instance: Path, args: argparse.Namespace) -> Result:
    demo = prepare(app)
    print(f"[{name}] seeding {args.rows:,} submissions …", flush=True)
    started = time.monotonic()
    with app.app_context():
        seed(db.engine, demo, args.rows)
    check_storage(app, demo, args.rows)
    add_quotes(app, demo)
    with app.app_context():
        analyze(db.engine)
    print(f"[{name}] seeded in {time.monotonic() - started:.0f} s", flush=True)

    report_seconds, report, queries = time_report(app, demo, args.repeats)
    print(f"[{name}] build_report: median {report_seconds:.3f} s, {queries} queries", flush=True)
    hand_seconds, raw = time_hand_written(app, demo, args.repeats)
    load = os.getloadavg()[0]
    print(f"[{name}] hand-written GROUP BYs: median {hand_seconds:.3f} s", flush=True)
    problems = compare(report, raw, app)
    for problem in problems:
        print(f"[{name}] MISMATCH {problem}", flush=True)
    export = measure_export(url, instance) if not args.no_export else {}
    if export:
        print(f"[{name}] export: {export}", flush=True)
    return Result(
        name, report_seconds, hand_seconds, report.total, queries, not problems, export, load
    )


def describe(result: Result) -> str:
    fast = "PASS" if result.report_seconds < TARGET_SECONDS else "FAIL"
    near = "PASS" if result.ratio <= TARGET_RATIO else "FAIL"
    lines = [
        f"{result.backend:<11} report {result.report_seconds * 1000:7.0f} ms"
        f" ({result.queries} queries, {result.total:,} accepted in 2024)"
        f"  hand-written {result.hand_seconds * 1000:7.0f} ms (21 queries)"
        f"  ratio {result.ratio:4.2f}"
        f"  < {TARGET_SECONDS:g} s: {fast}  <= {TARGET_RATIO:g}x: {near}"
        f"  same numbers: {'yes' if result.agree else 'NO'}  (load average {result.load:.1f})"
    ]
    export = result.export
    if "error" in export:
        lines.append(f"{'':<11} export failed: {export['error']}")
    elif export:
        lines.append(
            f"{'':<11} export ({export['method']}): {export['lines']:,} lines,"
            f" {export['mb']} MB in {export['seconds']} s; RSS before {export['rss_before_mb']} MB"
            f" (peak so far {export['peak_rss_before_mb']} MB), after every tenth of the rows"
            f" {export['rss_samples_mb']} MB, peak {export['peak_rss_mb']} MB"
        )
    return "\n".join(lines)


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="submissions to seed")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs after a warm-up")
    parser.add_argument("--no-export", action="store_true", help="skip the CSV export")
    parser.add_argument("--postgres-admin-url", default=PG_ADMIN_URL,
                        help=f"an existing database to create {PG_BENCH_DB} from")  # fmt: skip
    args = parser.parse_args(argv)
    if not 1 <= args.rows <= MAX_ROWS or not 1 <= args.repeats <= 50:
        parser.error(f"--rows must be 1–{MAX_ROWS:,}, --repeats 1–50")
    return args


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through every finally: the database is dropped


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["--export-child"]:
        export_child(sys.argv[2], sys.argv[3])
        return 0
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    backends = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    print(f"{args.rows:,} submissions over 2023-2024; the report of 2024 against 2023; median of "
          f"{args.repeats} runs after a warm-up; targets: < {TARGET_SECONDS:g} s and within "
          f"{TARGET_RATIO:g}x of the hand-written queries")  # fmt: skip
    results = []
    with tempfile.TemporaryDirectory(prefix="dialogue-bench-report-") as tmp:
        for backend in backends:
            result = bench_backend(backend, args, Path(tmp))
            if result:
                results.append(result)
    print()
    for result in results:
        print(describe(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
