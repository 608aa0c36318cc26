#!/usr/bin/env bash
# Debian packages the tests need: PostgreSQL 15 (the second database the suite runs on),
# Chromium (browser tests) and fonts for it, a Java runtime (17 or later: Apache Spark runs
# the indicators in tests/integration/test_spark_agreement.py and dsvb indicators --engine
# spark; Debian 12 has openjdk-17-jre-headless, later releases a newer one), and Pango and
# HarfBuzz (WeasyPrint draws the board's documents as PDF with them:
# src/dsvb/oversight/render.py). With --documents, only
# those the web app itself needs (Pango, HarfBuzz, fonts: `make run`). Installs only what is
# missing, with apt-get:
# as root directly, otherwise through sudo. Set DSVB_SKIP_SYSTEM_DEPS=1 to skip this step
# (when you provide PostgreSQL's server programs and a Chromium yourself: see PG_BINDIR in
# scripts/postgres.py and DSVB_CHROMIUM in tests/browser/conftest.py).
set -euo pipefail

if [ "${DSVB_SKIP_SYSTEM_DEPS:-0}" = "1" ]; then
    echo "system-deps: skipped (DSVB_SKIP_SYSTEM_DEPS=1)"
    exit 0
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# A Java that Spark 4 can use: $JAVA_HOME/bin/java or java on PATH, version 17 or later.
java_ok() {
    local java version major
    java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
    command -v "$java" >/dev/null 2>&1 || return 1
    version=$("$java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
    major=${version%%.*}
    [ "$major" = 1 ] && major=$(echo "$version" | cut -d. -f2)  # 1.8 is Java 8
    [ -n "$major" ] && [ "$major" -ge 17 ] 2>/dev/null
}

documents_only=0
if [ "${1:-}" = "--documents" ]; then
    documents_only=1
fi

missing=()
if [ "$documents_only" = 1 ]; then
    :  # no PostgreSQL server or Chromium: SQLite and no browser tests
elif ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && [ -z "${PG_BINDIR:-}" ]; then
    missing+=(postgres)  # resolved to a package name below
fi
if [ "$documents_only" = 0 ] && [ ! -x "${DSVB_CHROMIUM:-/usr/bin/chromium}" ]; then
    missing+=(chromium)
fi
if [ "$documents_only" = 0 ] && ! java_ok; then
    missing+=(java)  # resolved to a package name below
    if [ -n "${JAVA_HOME:-}" ]; then
        # Spark starts $JAVA_HOME/bin/java: a Java installed here is not used while it points
        # at an older one
        echo "system-deps: warning: JAVA_HOME=$JAVA_HOME is not a Java 17 or later (Spark needs" \
            "one); point JAVA_HOME at a newer Java, or unset it to use the one installed here" >&2
    fi
fi
for fonts in fonts-liberation fonts-dejavu-core; do
    if command -v dpkg-query >/dev/null && ! installed "$fonts"; then
        missing+=("$fonts")
    fi
done
for library in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do
    if command -v dpkg-query >/dev/null && ! installed "$library"; then
        missing+=("$library")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    if [ "$documents_only" = 1 ]; then
        echo "system-deps: fonts, Pango and HarfBuzz (for PDF documents) are installed"
    else
        echo "system-deps: PostgreSQL, Chromium, Java, fonts, Pango and HarfBuzz are installed"
    fi
    exit 0
fi

if ! command -v apt-get >/dev/null; then
    cat >&2 <<MSG
system-deps: missing ${missing[*]}, and there is no apt-get to install them with.
Install PostgreSQL 15's server programs, Chromium and a Java runtime (17 or later) with your
system's package manager, then run again with PG_BINDIR=<folder with initdb>
DSVB_CHROMIUM=<chromium binary> JAVA_HOME=<Java's folder> (or DSVB_SKIP_SYSTEM_DEPS=1 when
they are where those defaults look).
MSG
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null; then
    as_root=(sudo)
    echo "system-deps: installing ${missing[*]} with sudo (you may be asked for your password)"
else
    cat >&2 <<MSG
system-deps: missing ${missing[*]}. Installing them needs root, and sudo is not installed.
Run as root:  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15 chromium default-jre-headless fonts-liberation fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
MSG
    exit 1
fi

apt() { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }

echo "system-deps: apt-get update"
apt update -qq
packages=()
for name in "${missing[@]}"; do
    if [ "$name" = postgres ]; then
        # PostgreSQL 15 where the distribution has it (Debian 12), else its default version
        if apt-cache show postgresql-15 >/dev/null 2>&1; then
            packages+=(postgresql-15)
        else
            packages+=(postgresql)
        fi
    elif [ "$name" = java ]; then
        # Java 17 where the distribution has it (Debian 12), else a later one Spark 4 runs on
        java_package=default-jre-headless
        for candidate in openjdk-17-jre-headless openjdk-21-jre-headless; do
            if apt-cache show "$candidate" >/dev/null 2>&1; then
                java_package=$candidate
                break
            fi
        done
        packages+=("$java_package")
        # slim Debian images leave out the man folders, and the JRE's postinst fails
        # creating its alternatives' man page links without them
        "${as_root[@]}" mkdir -p /usr/share/man/man1
    else
        packages+=("$name")
    fi
done
echo "system-deps: apt-get install ${packages[*]}"
apt install -y -qq --no-install-recommends "${packages[@]}"
