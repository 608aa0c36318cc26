"""Audit entries written per second: what the hash chain costs each insert.

    PYTHONPATH=src .venv/bin/python benchmarks/audit_chain.py [--entries 3000] [--threads 4]

Runs against a throw-away data folder (SQLite), or the database in ``DATABASE_URL`` when set
(PostgreSQL: give the owner's URL, the tables are migrated first). Each insert goes through
``dsvb.web.audit.recorder.record`` exactly as the application writes it: one thread, then
``--threads`` threads at once (each with its own connection), and reports entries per second;
with the chain it also times ``verify`` over everything written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    os.environ.setdefault("DSVB_DATA_DIR", tempfile.mkdtemp(prefix="dsvb-bench-audit-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsvb.web.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from dsvb.web.audit.models import Action
    from dsvb.web.audit.recorder import record

    call_command("migrate", interactive=False, verbosity=0)
    print(f"database: {connection.vendor}")

    def write(count: int, who: str) -> None:
        for i in range(count):
            record(None, Action.PAGE_VIEWED, f"bench {who} {i}", username=who, path="/x/")
        connections.close_all()

    started = time.perf_counter()
    write(args.entries, "single")
    took = time.perf_counter() - started
    print(f"1 thread: {args.entries} entries in {took:.2f} s = {args.entries / took:,.0f}/s")

    each = args.entries // args.threads
    threads = [threading.Thread(target=write, args=(each, f"t{n}")) for n in range(args.threads)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - started
    total = each * args.threads
    print(f"{args.threads} threads: {total} entries in {took:.2f} s = {total / took:,.0f}/s")

    try:
        from dsvb.web.audit import chain
    except ImportError:
        return 0  # before the chain existed
    started = time.perf_counter()
    result = chain.verify()
    took = time.perf_counter() - started
    print(f"verify: {result.describe()} in {took:.2f} s")
    return 0 if result.intact else 1


if __name__ == "__main__":
    sys.exit(main())
