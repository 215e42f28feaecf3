#!/usr/bin/env bash
# Set up a development environment on a fresh Debian machine: a Java runtime for Spark (apt-get, if
# absent) and a virtual environment in .venv with infaflow and its test dependencies installed.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
apt_install() {
    if command -v apt-get >/dev/null 2>&1; then
        $SUDO apt-get update -qq >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
    else
        echo "setup: please install: $*" >&2
    fi
}

if ! command -v java >/dev/null 2>&1; then
    echo "setup: installing a Java runtime for Spark" >&2
    apt_install openjdk-17-jre-headless
fi
if [ "${INFAFLOW_SETUP_EXTRAS:-}" = "1" ]; then
    # Optional system packages used by some tests (they skip without them).
    for pkg in chromium graphviz postgresql libpostgresql-jdbc-java; do
        dpkg -s "$pkg" >/dev/null 2>&1 || apt_install "$pkg" || echo "setup: could not install $pkg" >&2
    done
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# The Airflow extra too, so that the Airflow tests (tests/airflow) run rather than skip.
.venv/bin/python -m pip install -q -e '.[test,airflow]'
# The Spark provider of the extra is pinned below 6 (its 6.x releases pull pyspark-client, a Connect-only
# client that replaces pyspark's files): check classic pyspark is still whole.
.venv/bin/python -c "from pyspark import SparkContext; from pyspark.java_gateway import launch_gateway" \
    || { echo "setup: pyspark was replaced by a Connect-only client; reinstall pyspark" >&2; exit 1; }
