"""Measure one recommendation (3 looks) against synthetic catalogs of growing size.

    DATABASE_URL=mysql://root@127.0.0.1:3306/scale python manage.py migrate
    python manage.py benchmark_recommend --garments 1000,10000,100000,1000000  # same DATABASE_URL

Synthetic garments (random types and colours, seeded; source_key "bench:<n>", no photo file) are added in bulk up to
each size, a little shopper feedback with them (one vote per 50 garments); then `recommend_for_tag(tag, outfits=3)` is
timed for a fixed set of input tags: "cold" with the cache cleared before every call (also the CPU time this process
spent, which a busy machine does not inflate; the database server's work is not in it), "warm" repeated. The synthetic
rows are deleted at the end (in batches) unless --keep. Use a database of your own: it writes to the catalog.

A kept catalog is reused: the next run adds only what is missing (at 1M garments, generating takes minutes; measuring
seconds), and sizes smaller than what the database holds are skipped.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

import numpy as np
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from catalog.models import Garment, PairingRule
from catalog.services import CATALOG_VERSION_KEY, catalog_version, starter_rules_load
from catalog.tags import Tag
from recommender.models import Feedback
from recommender.services import recommend_for_tag
from vocabulary import COLOR_CODES, TYPE_CODES, kinds_of_type, slot_of_type

INSERT_BATCH = 5000
SQL_COPY_BATCH = 50_000  # rows per INSERT … SELECT
# The bulk copies take longer than a web request may wait for the database (DB_READ_TIMEOUT, 5 s by default).
BULK_READ_TIMEOUT_S = 600
TAGS = [
    ("top", "white", "t-shirt", ""),
    ("top", "red", "t-shirt", ""),
    ("top", "navy", "shirt", "men"),
    ("bottom", "blue", "pants", ""),
    ("bottom", "black", "shorts", ""),
    ("bottom", "beige", "skirt", "women"),
    ("shoes", "white", "shoes", ""),
    ("outer", "black", "outwear", ""),
    ("one_piece", "green", "dress", "women"),
    ("top", "yellow", "", ""),
    ("bottom", "gray", "", ""),
    ("top", "pink", "longsleeve", "women"),
]


def _buffer_pool_bytes() -> int | None:
    if connection.vendor != "mysql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@innodb_buffer_pool_size")
        return int(cursor.fetchone()[0])


def _buffer_pool_resize(size: int, timeout_s: float = 120.0) -> None:
    """Resize InnoDB's buffer pool (dynamic in MariaDB 10.11; server-wide) and wait until the resize is done."""
    with connection.cursor() as cursor:
        cursor.execute("SET GLOBAL innodb_buffer_pool_size = %s", [size])
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            time.sleep(1.0)  # the resize runs in the background
            cursor.execute("SELECT @@innodb_buffer_pool_size")
            current = int(cursor.fetchone()[0])
            cursor.execute("SHOW STATUS LIKE 'Innodb_buffer_pool_resize_status'")
            row = cursor.fetchone()
            status = row[1] if row else ""
            if current == size and (not status or status.startswith("Completed")):
                return


def _pct(samples: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(samples), q)) if samples else float("nan")


class Command(BaseCommand):
    help = "p50/p95 of recommend_for_tag(tag, outfits=3) on synthetic catalogs of the given sizes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--garments", default="1000,10000,100000", help="Comma-separated catalog sizes.")
        parser.add_argument("--queries", type=int, default=60, help="Timed calls per size and mode.")
        parser.add_argument(
            "--budget-s", type=float, default=90.0, help="Stop timing a size and mode after this long (min 5 calls)."
        )
        parser.add_argument("--keep", action="store_true", help="Leave the synthetic garments in the database.")
        parser.add_argument("--json", dest="json_out", default="", help="Also write the figures to this file.")
        parser.add_argument(
            "--buffer-pool-mb",
            type=int,
            default=0,
            help="MariaDB: run with this innodb_buffer_pool_size (set globally for the run, then set back).",
        )

    def handle(
        self,
        *args,
        garments: str,
        queries: int,
        budget_s: float,
        keep: bool,
        json_out: str,
        buffer_pool_mb: int,
        **options,
    ) -> None:
        sizes = sorted(int(size) for size in garments.split(","))
        if connection.vendor == "mysql" and not connection.in_atomic_block:  # (tests run inside a transaction)
            connection.close()
            connection.settings_dict.setdefault("OPTIONS", {})["read_timeout"] = BULK_READ_TIMEOUT_S
        if not PairingRule.objects.exists():
            starter_rules_load()
        tags = [Tag(slot=s, color=c, type=t, audience=a, warmth="mild", formality="casual") for s, c, t, a in TAGS]
        pool_before = _buffer_pool_bytes()
        if buffer_pool_mb and pool_before is not None:
            _buffer_pool_resize(buffer_pool_mb * 2**20)
        pool = _buffer_pool_bytes()
        self.stdout.write(
            f"database: {connection.vendor} {connection.settings_dict.get('NAME')}"
            + (f" (innodb_buffer_pool_size {pool // 2**20} MB)" if pool is not None else "")
        )
        rng = random.Random(0)
        results: list[dict[str, Any]] = []  # one JSON row per catalog size
        try:
            for size in sizes:
                held = Garment.objects.count()
                if size < held:  # kept from an earlier run (--keep): this size can no longer be measured here
                    self.stdout.write(f"garments={size} skipped: the database already holds {held} (use a fresh one)")
                    continue
                started = time.perf_counter()
                added = self._grow_to(size, rng)
                fill_s = time.perf_counter() - started
                for tag in tags:  # warm-up: connections, imports, query plans
                    recommend_for_tag(tag=tag, outfits=3)
                cold, cold_cpu, warm = [], [], []
                deadline = time.perf_counter() + budget_s
                for i in range(queries):
                    if i >= 5 and time.perf_counter() > deadline:
                        break
                    tag = tags[i % len(tags)]
                    # Cold: no cached answer for any input (the catalog version stays: the catalog did not change).
                    version = catalog_version()
                    cache.clear()
                    cache.set(CATALOG_VERSION_KEY, version, None)
                    t0, c0 = time.perf_counter(), time.process_time()
                    recommend_for_tag(tag=tag, outfits=3)
                    cold.append(1000 * (time.perf_counter() - t0))
                    cold_cpu.append(1000 * (time.process_time() - c0))
                for tag in tags:  # warm: every input answered once (the cold calls left only the last one cached)
                    recommend_for_tag(tag=tag, outfits=3)
                deadline = time.perf_counter() + budget_s
                for i in range(queries):
                    if i >= 5 and time.perf_counter() > deadline:
                        break
                    t0 = time.perf_counter()
                    recommend_for_tag(tag=tags[i % len(tags)], outfits=3)
                    warm.append(1000 * (time.perf_counter() - t0))
                row = {
                    "garments": Garment.objects.count(),
                    "added": added,
                    "fill_s": round(fill_s, 1),
                    "calls": [len(cold), len(warm)],
                    "cold_p50_ms": round(_pct(cold, 50), 2),
                    "cold_p95_ms": round(_pct(cold, 95), 2),
                    "cold_cpu_p50_ms": round(_pct(cold_cpu, 50), 2),
                    "warm_p50_ms": round(_pct(warm, 50), 2),
                    "warm_p95_ms": round(_pct(warm, 95), 2),
                }
                results.append(row)
                self.stdout.write(
                    f"garments={row['garments']} (added {added} in {row['fill_s']} s; {len(cold)}+{len(warm)} calls) "
                    f"cold p50={row['cold_p50_ms']} ms p95={row['cold_p95_ms']} ms "
                    f"(this process's CPU p50={row['cold_cpu_p50_ms']} ms) | "
                    f"warm p50={row['warm_p50_ms']} ms p95={row['warm_p95_ms']} ms"
                )
        finally:
            if not keep:
                self._remove()
            if pool_before is not None and pool != pool_before:
                _buffer_pool_resize(pool_before)
                self.stdout.write(f"innodb_buffer_pool_size set back to {pool_before // 2**20} MB")
        if len(results) >= 2:
            first = results[0]["cold_p50_ms"]
            for row in results[1:]:
                self.stdout.write(f"  {row['garments']} vs {results[0]['garments']}: x{row['cold_p50_ms'] / first:.2f}")
        if json_out:
            with open(json_out, "w") as handle:
                json.dump(results, handle, indent=2)

    def _grow_to(self, size: int, rng: random.Random) -> int:
        current = Garment.objects.count()
        start = Garment.objects.filter(source_key__startswith="bench:").count()
        missing = size - current
        if missing <= 0:
            return 0
        if connection.vendor == "mysql" and start >= INSERT_BATCH:
            return self._grow_in_sql(missing, rng)
        types = list(TYPE_CODES)
        colors = list(COLOR_CODES)
        done = 0
        while done < missing:
            batch = []
            for n in range(start + done, start + done + min(INSERT_BATCH, missing - done)):
                type_code = rng.choice(types)
                color = rng.choice(colors)
                kinds = kinds_of_type(type_code)
                batch.append(
                    Garment(
                        name=f"{color} {type_code} {n}",
                        image=f"garments/bench-{n % 997}.jpg",
                        type=type_code,
                        slot=slot_of_type(type_code),
                        color=color,
                        # Attribute mixes roughly as in the clothing dataset's labels.
                        audience=rng.choices(("women", "men", "unisex", "kids"), (40, 20, 25, 15))[0],
                        warmth=rng.choices(("hot", "mild", "cold"), (18, 73, 9))[0],
                        formality=rng.choices(("lounge", "sport", "casual", "smart"), (3, 6, 81, 10))[0],
                        pattern="pattern" if color == "multicolor" or rng.random() < 0.25 else "solid",
                        kind=rng.choice(kinds) if kinds else "",
                        is_active=rng.random() > 0.05,
                        source_key=f"bench:{n}",
                        tagged_by="dataset",
                    )
                )
            with transaction.atomic():
                created = Garment.objects.bulk_create(batch, batch_size=INSERT_BATCH)
                ids = [g.pk for g in created if g.pk is not None]
                if not ids:  # backends that do not return ids from bulk inserts
                    ids = list(
                        Garment.objects.filter(source_key__in=[g.source_key for g in batch]).values_list(
                            "id", flat=True
                        )
                    )
                votes = [
                    Feedback(garment_id=garment_id, vote=rng.choice([1, 1, -1]), input_slot="top", input_color="white")
                    for garment_id in ids[::50]
                ]
                Feedback.objects.bulk_create(votes, batch_size=INSERT_BATCH)
            done += len(batch)
        return done

    def _grow_in_sql(self, missing: int, rng: random.Random) -> int:
        """MySQL/MariaDB: copy existing synthetic rows inside the server (INSERT … SELECT, every column but the id, a
        fresh source_key), doubling at most per round — no Python per row, so a million rows take about a minute."""
        table = connection.ops.quote_name(Garment._meta.db_table)
        columns = [f.column for f in Garment._meta.concrete_fields if not f.primary_key and f.column is not None]
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        selected = ", ".join(
            "CONCAT('bench:c', REPLACE(UUID(), '-', ''))"
            if c == "source_key"
            else "RAND()"  # each copy its own place in the shuffled order of its (slot, colour) cell
            if c == "shuffle_key"
            else connection.ops.quote_name(c)
            for c in columns
        )
        done = 0
        while done < missing:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT MAX(id) FROM {table}")
                top = cursor.fetchone()[0] or 0
                n = min(missing - done, SQL_COPY_BATCH)
                cursor.execute(
                    f"INSERT INTO {table} ({quoted}) SELECT {selected} FROM {table} "
                    f"WHERE source_key LIKE 'bench:%%' ORDER BY id LIMIT %s",
                    [n],
                )
                added = cursor.rowcount
            ids = list(Garment.objects.filter(id__gt=top).values_list("id", flat=True))[::50]
            Feedback.objects.bulk_create(
                [
                    Feedback(garment_id=i, vote=rng.choice([1, 1, -1]), input_slot="top", input_color="white")
                    for i in ids
                ],
                batch_size=INSERT_BATCH,
            )
            done += added
        return done

    def _remove(self) -> None:
        while True:
            ids = list(Garment.objects.filter(source_key__startswith="bench:").values_list("id", flat=True)[:10000])
            if not ids:
                break
            with transaction.atomic():
                Feedback.objects.filter(garment_id__in=ids).delete()
                Garment.objects.filter(pk__in=ids)._raw_delete(Garment.objects.db)
        self.stdout.write("synthetic garments removed")
