"""Queue benchmark: the moderators' queue over many submissions, on SQLite and PostgreSQL.

For each backend the script builds a fresh database the way an operator would (the
migrations, then the Falköping demo), seeds ``--rows`` submissions with bulk inserts, signs a
moderator in and times ``--requests`` in-process requests (Flask's test client) of three
pages: the first page, a filtered page (status, category and a search word) and a page deep
in the list reached by its cursor. It prints the median and p95 in milliseconds, the SQL
statements per request and PASS or MISS against the 50 ms target. It asserts nothing.

    .venv/bin/python bench/triage_queue.py --rows 200000 --backends sqlite,postgresql
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import flask_migrate
import sqlalchemy as sa
from bench_databases import backend_database
from flask import Flask
from flask.testing import FlaskClient

from dialogue import create_app
from dialogue.accounts.models import Role
from dialogue.accounts.services import create_account
from dialogue.config import Settings
from dialogue.demo.services import load_demo
from dialogue.extensions import db
from dialogue.models import (
    Category,
    Commitment,
    Contact,
    Place,
    Status,
    Submission,
    Tag,
    submission_tags,
)
from dialogue.triage.queue import Cursor, Sort

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_BENCH_DB = "dialogue_bench_queue"
TARGET_MS = 50.0
MS = 1000.0
BATCH = 5_000
MAX_ROWS = 2_000_000
MAX_REQUESTS = 500
WARMUP_REQUESTS = 3
SPAN_DAYS = 730  # two years of submissions
SEED = 20240501
PASSWORD = "bänken står under den gamla eken"  # noqa: S105 (a throwaway local account)
MODERATOR = "bench-moderator@falkoping.example"
QUEUE_PATH = "/staff/falkoping/"
SEARCH_WORD = "belysningen"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')

# A small Swedish vocabulary; texts are drawn from it, a few words much rarer than others.
VOCABULARY = (
    "det är mörkt vid på kvällarna och jag känner mig otrygg när går hem från bussen "
    "många ungdomar samlas här ofta bilar kör för fort genom området lamporna har varit "
    "trasiga länge buskarna skymmer sikten gångtunneln cykelvägen parkeringen skolan "
    "torget stationen centrum affären hållplatsen lekplatsen parken fotbollsplanen "
    "nedskräpat klotter glas krossade rutor mopeder buskörning narkotika försäljning "
    "berusade bråk hot stöld cykel inbrott förråd källare trapphus grannar barn äldre "
    "hund promenad natt helg fredag lördag sommar vinter snö halka väg gata "
    "bra trivsamt tryggt tack för insatsen fungerar mycket bättre nu"
)
COMMON_WORDS = VOCABULARY.split()
RARE_WORDS = ("belysningen", "övervakningskamera", "väktare", "nattvandrare", "grannsamverkan")
STREETS = (
    "Storgatan", "Trädgårdsgatan", "Södra Ringgatan", "Dotorpsvägen", "Mössebergsvägen",
    "Järnvägsgatan", "Åsarpsvägen", "Köttorget", "Skolgatan", "Wetterlinsgatan",
)  # fmt: skip
RECENT_STATUSES = ((Status.NEW, 60), (Status.IN_REVIEW, 25), (Status.ACCEPTED, 8),
                   (Status.FORWARDED, 3), (Status.SPAM, 4))  # fmt: skip
OLDER_STATUSES = ((Status.NEW, 3), (Status.IN_REVIEW, 5), (Status.ACCEPTED, 45),
                  (Status.FORWARDED, 15), (Status.REJECTED, 12), (Status.DUPLICATE, 8),
                  (Status.SPAM, 8), (Status.WITHDRAWN, 4))  # fmt: skip
KINDS = (("concern", 75), ("suggestion", 18), ("praise", 7))
SUBMITTERS = (("resident", 70), ("not_stated", 20), ("business", 6), ("association", 4))
PRIORITIES = ((1, 80), (0, 8), (2, 10), (3, 2))
TAG_NAMES = ("belysning", "trafik", "ungdomar", "återkommande", "skola", "centrum", "polis")


def pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


class Deadline:
    """Everything the script does stops by itself: seeding and timing check the clock."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def check(self, what: str) -> None:
        if time.monotonic() > self.end:
            raise TimeoutError(f"out of time while {what}; raise --max-seconds")


# --- the database ---------------------------------------------------------------------------


def build_app(url: str, instance: Path) -> Flask:
    """The service on a migrated database holding the demo and a moderator."""
    app = create_app(
        Settings(
            database_url=url,
            instance_path=str(instance),
            secret_key="bench-secret-key-not-for-production",  # noqa: S106
            ratelimit_enabled=False,
        )
    )
    with app.app_context():
        flask_migrate.upgrade()
        municipality = load_demo(db.session)
        for n, email in enumerate((MODERATOR, "kim@falkoping.example", "ali@falkoping.example")):
            create_account(
                db.session,
                email=email,
                name=f"Moderator {n + 1}",
                role=Role.MODERATOR,
                municipality_id=municipality.id,
                password=PASSWORD,
            )
        db.session.add_all(Tag(municipality_id=municipality.id, name=name) for name in TAG_NAMES)
        db.session.commit()
    return app


# --- seeding --------------------------------------------------------------------------------


@dataclass
class Demo:
    """Ids of the demo municipality's records that submissions refer to."""

    municipality_id: int
    categories: list[tuple[int, bool]]  # (id, is_sensitive), leaves only
    places: list[int]
    commitments: list[int]
    moderators: list[int]
    tags: list[int]


def read_demo() -> Demo:
    session = db.session
    municipality_id = session.scalars(sa.select(Category.municipality_id).limit(1)).one()
    leaves = session.execute(
        sa.select(Category.id, Category.is_sensitive)
        .where(Category.parent_id.is_not(None))
        .order_by(Category.id)
    ).all()
    return Demo(
        municipality_id=municipality_id,
        categories=[(row.id, row.is_sensitive) for row in leaves],
        places=list(session.scalars(sa.select(Place.id))),
        commitments=list(session.scalars(sa.select(Commitment.id))),
        moderators=list(session.scalars(sa.text("SELECT id FROM accounts ORDER BY id"))),
        tags=list(session.scalars(sa.select(Tag.id))),
    )


@dataclass
class Seeder:
    demo: Demo
    rows: int
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def submission(self, n: int) -> dict[str, Any]:
        rng = self.rng
        # Ids grow with time, as they do in a live service.
        created = self.now - dt.timedelta(days=SPAN_DAYS) * (1 - n / self.rows)
        created += dt.timedelta(seconds=rng.randint(0, 59))
        recent = self.now - created < dt.timedelta(days=21)
        status = pick(rng, RECENT_STATUSES if recent else OLDER_STATUSES)
        # A few categories are much more common than the rest.
        category, sensitive = self.demo.categories[
            min(int(rng.expovariate(0.18)), len(self.demo.categories) - 1)
        ]
        place = rng.choice(self.demo.places) if rng.random() < 0.45 else None
        assigned = rng.random() < (0.8 if status == Status.IN_REVIEW else 0.12)
        return {
            "id": n + 1,
            "municipality_id": self.demo.municipality_id,
            "reference": f"B{n:09d}",
            "receipt_hash": f"{n:064x}",
            "idempotency_key": f"bench-{n}",
            "kind": pick(rng, KINDS),
            "status": status,
            "submitted_category_id": category,
            "category_id": category,
            "submitted_place_id": place,
            "place_id": place,
            "submitted_commitment_id": None,
            "commitment_id": rng.choice(self.demo.commitments) if rng.random() < 0.1 else None,
            "location_text": self.location() if place is None else None,
            "is_recurring": rng.random() < 0.3,
            "text": self.text(),
            "safety_rating": rng.choice((None, 1, 2, 3, 4, 5)),
            "submitter_type": pick(rng, SUBMITTERS),
            "locale": "sv" if rng.random() < 0.9 else "en",
            "is_sensitive": sensitive,
            "created_at": created,
            "updated_at": created,
            "priority": pick(rng, PRIORITIES),
            "assignee_id": rng.choice(self.demo.moderators) if assigned else None,
            "submitter_activity_at": created if rng.random() < 0.03 else None,
        }

    def location(self) -> str | None:
        if self.rng.random() < 0.6:
            return f"{self.rng.choice(STREETS)} {self.rng.randint(1, 60)}"
        return None

    def text(self) -> str:
        words = self.rng.choices(COMMON_WORDS, k=self.rng.randint(8, 40))
        if self.rng.random() < 0.1:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(RARE_WORDS))
        return " ".join(words).capitalize() + "."

    def extras(self, n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Tags (about one in eight) and contact details (one in sixteen) of submission n."""
        tags, contacts = [], []
        if self.rng.random() < 0.12:
            for tag in self.rng.sample(self.demo.tags, self.rng.randint(1, 2)):
                tags.append({"submission_id": n + 1, "tag_id": tag})
        if self.rng.random() < 0.06:
            contacts.append(
                {
                    "municipality_id": self.demo.municipality_id,
                    "submission_id": n + 1,
                    "email": f"person{n}@example.se",
                    "consent_at": self.now,
                    "created_at": self.now,
                }
            )
        return tags, contacts


def seed(engine: sa.Engine, demo: Demo, rows: int, deadline: Deadline) -> None:
    seeder = Seeder(demo, rows)
    for start in range(0, rows, BATCH):
        deadline.check("seeding")
        batch, tags, contacts = [], [], []
        for n in range(start, min(start + BATCH, rows)):
            batch.append(seeder.submission(n))
            more_tags, more_contacts = seeder.extras(n)
            tags += more_tags
            contacts += more_contacts
        with engine.begin() as conn:
            conn.execute(sa.insert(Submission.__table__), batch)
            if tags:
                conn.execute(sa.insert(submission_tags), tags)
            if contacts:
                conn.execute(sa.insert(Contact.__table__), contacts)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            # The ids were given explicitly: move the sequence past them.
            conn.execute(
                sa.text("SELECT setval(pg_get_serial_sequence('submissions', 'id'), :n)"),
                {"n": rows},
            )


def analyze(engine: sa.Engine) -> None:
    """PostgreSQL: statistics and the visibility map, as autovacuum leaves them after a load."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))


# --- timing ---------------------------------------------------------------------------------


@dataclass
class Timing:
    name: str
    durations: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    queries: set[int] = field(default_factory=set)
    rows: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.durations) * MS

    @property
    def p95(self) -> float:
        ordered = sorted(self.durations)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * MS


class StatementCounter:
    """SQL statements and the time spent in them, per request."""

    def __init__(self, engine: sa.Engine) -> None:
        self.count = 0
        self.seconds = 0.0
        self._started = 0.0
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *args: Any) -> None:
        self.count += 1
        self._started = time.perf_counter()

    def _after(self, *args: Any) -> None:
        self.seconds += time.perf_counter() - self._started

    def reset(self) -> None:
        self.count, self.seconds = 0, 0.0


def sign_in(client: FlaskClient) -> None:
    page = client.get("/staff/login").get_data(as_text=True)
    token = CSRF.search(page)
    assert token, "no CSRF token on the sign-in page"  # noqa: S101 (a broken setup, not a test)
    answer = client.post(
        "/staff/login",
        data={"csrf_token": token.group(1), "email": MODERATOR, "password": PASSWORD},
    )
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in failed: {answer.status_code}")


def time_page(
    client: FlaskClient,
    *,
    counter: StatementCounter,
    timing: Timing,
    url: str,
    requests: int,
    deadline: Deadline,
) -> None:
    for n in range(WARMUP_REQUESTS + requests):
        deadline.check(f"timing {timing.name}")
        counter.reset()
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{timing.name}: {url} answered {response.status_code}")
        if n >= WARMUP_REQUESTS:
            timing.durations.append(elapsed)
            timing.sql.append(counter.seconds)
            timing.queries.add(counter.count)
            timing.rows = body.count(b"data-queue-row")


def page_urls(app: Flask, rows: int) -> dict[str, str]:
    """The first page, a filtered page and a page three quarters down the list."""
    with app.app_context():
        category = db.session.scalars(
            sa.select(Submission.category_id)
            .group_by(Submission.category_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        ).one()
        deep = db.session.execute(
            sa.select(Submission.created_at, Submission.id)
            .order_by(Submission.created_at.desc(), Submission.id.desc())
            .offset(rows * 3 // 4)
            .limit(1)
        ).one()
    cursor = Cursor(Sort.NEWEST, deep.created_at, deep.id).encode()
    return {
        "first page": QUEUE_PATH,
        "filtered page": f"{QUEUE_PATH}?status=new&category={category}&q={SEARCH_WORD}",
        "deep page": f"{QUEUE_PATH}?after={cursor}",
    }


# --- one backend ----------------------------------------------------------------------------


def bench_backend(name: str, args: argparse.Namespace, tmp: Path) -> list[Timing]:
    workdir = tmp / name
    workdir.mkdir()
    deadline = Deadline(args.max_seconds)
    with backend_database(
        name, workdir / "bench.sqlite3", args.postgres_admin_url, PG_BENCH_DB
    ) as url:
        if url is None:
            return []
        app = build_app(url, workdir / "instance")
        try:
            return _run(name, app, args, deadline)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def _run(name: str, app: Flask, args: argparse.Namespace, deadline: Deadline) -> list[Timing]:
    with app.app_context():
        demo = read_demo()
        engine = db.engine
        print(f"[{name}] seeding {args.rows:,} submissions …", flush=True)
        started = time.monotonic()
        seed(engine, demo, args.rows, deadline)
        analyze(engine)
        print(f"[{name}] seeded in {time.monotonic() - started:.0f} s", flush=True)
    urls = page_urls(app, args.rows)
    client = app.test_client()
    sign_in(client)
    with app.app_context():
        counter = StatementCounter(db.engine)
    timings = []
    for label, url in urls.items():
        timing = Timing(label)
        time_page(
            client,
            counter=counter,
            timing=timing,
            url=url,
            requests=args.requests,
            deadline=deadline,
        )
        print(f"[{name}] {describe(timing)}", flush=True)
        timings.append(timing)
    return timings


def describe(timing: Timing) -> str:
    verdict = "PASS" if timing.median < TARGET_MS else "MISS"
    queries = ",".join(str(q) for q in sorted(timing.queries))
    return (
        f"{timing.name:<14} median {timing.median:7.1f} ms  p95 {timing.p95:7.1f} ms"
        f"  (SQL {statistics.median(timing.sql) * MS:6.1f} ms)  queries {queries:>3}"
        f"  rows {timing.rows:>3}  {verdict}"
    )


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=200_000, help="submissions to seed")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated list")
    parser.add_argument("--max-seconds", type=float, default=1800.0,
                        help="give up on a backend after this long")  # fmt: skip
    parser.add_argument("--postgres-admin-url", default=PG_ADMIN_URL,
                        help=f"an existing database to create {PG_BENCH_DB} from")  # fmt: skip
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(args.backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    if not 1 <= args.rows <= MAX_ROWS or not 1 <= args.requests <= MAX_REQUESTS:
        parser.error(f"--rows must be 1–{MAX_ROWS}, --requests 1–{MAX_REQUESTS}")
    return args


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through every finally: the database is dropped


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    print(f"{args.rows:,} submissions; {args.requests} timed requests per page after "
          f"{WARMUP_REQUESTS} warm-up requests; target: median < {TARGET_MS:g} ms")  # fmt: skip
    results: dict[str, list[Timing]] = {}
    with tempfile.TemporaryDirectory(prefix="dialogue-bench-queue-") as tmp:
        for backend in args.backends:
            results[backend] = bench_backend(backend, args, Path(tmp))
    print()
    for backend, timings in results.items():
        for timing in timings:
            print(f"{backend:<11} {describe(timing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
