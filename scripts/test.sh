#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (after `make install system-deps`):
#   1. every test on SQLite (the default application database);
#   2. the tests that use the application database again, on a throwaway PostgreSQL server
#      started on 127.0.0.1 (scripts/postgres.py) and stopped at the end whatever happens;
#      the server has an owner role (the suite's) and an application role (the audit tests').
# Both passes always run; the exit status is non-zero when either failed.
# Arguments go to pytest in both passes (make test PYTEST_ARGS="-x -k sign_in").
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python

stamp() { date +%s; }
took() { echo "$(( $(stamp) - $1 ))s"; }
summary=()

echo "==> [1/2] whole suite on SQLite"
start=$(stamp)
env -u DATABASE_URL "$PYTHON" -m pytest --durations=15 "$@"
sqlite_rc=$?
summary+=("SQLite pass: exit $sqlite_rc in $(took "$start")")

echo "==> [2/2] database tests on PostgreSQL"
start=$(stamp)
# stop the server at the end, unless it was already running before (make postgres-start)
if scripts/postgres.py status 2>/dev/null; then
    stop_postgres() { :; }
else
    stop_postgres() { scripts/postgres.py stop || true; }
fi
trap stop_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if database_url=$(scripts/postgres.py start); then
    summary+=("PostgreSQL start: $(took "$start")")
    start=$(stamp)
    # the suite connects as the tables' owner (its teardown empties every table); the audit
    # tests also connect as the application's role, which owns nothing (tests/fault)
    DATABASE_URL="$database_url" DSVB_MIGRATE_DATABASE_URL="$database_url" \
        DSVB_TEST_APP_DATABASE_URL="$(scripts/postgres.py url --role app)" \
        "$PYTHON" scripts/pytest_db_tests.py --durations=15 "$@"
    postgres_rc=$?
    # 5: no test selected, which is fine when the arguments narrowed the run
    if [ "$postgres_rc" -eq 5 ] && [ "$#" -gt 0 ]; then postgres_rc=0; fi
    summary+=("PostgreSQL pass: exit $postgres_rc in $(took "$start")")
else
    postgres_rc=1
    summary+=("PostgreSQL pass: the server did not start")
fi

echo "==> summary"
printf '    %s\n' "${summary[@]}"
if compgen -G "test-artifacts/screenshots/*" >/dev/null; then
    echo "    browser screenshots: test-artifacts/screenshots/"
fi
[ "$sqlite_rc" -eq 0 ] && [ "$postgres_rc" -eq 0 ]
