# Sourced by `make test`: makes a PostgreSQL server and Debian's Chromium (for the browser
# tests) available to the tests when it can.
# Sets ARMSTRACE_TEST_PG_URL (an admin URL; each test makes and drops its own database).
# Without root or a server, the PostgreSQL variants of the tests skip and say why.
if [ -z "${ARMSTRACE_TEST_PG_URL:-}" ] && [ "$(id -u)" = 0 ]; then
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "test-env: installing PostgreSQL (Debian package postgresql)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
    pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$pg_version main$" || pg_createcluster "$pg_version" main >/dev/null
    pg_ctlcluster "$pg_version" main start 2>/dev/null || true
    pg_port=$(pg_lsclusters -h | awk -v v="$pg_version" '$1==v && $2=="main" {print $3}')
    for _ in $(seq 1 30); do
      su postgres -c "psql -p $pg_port -tAc 'SELECT 1'" >/dev/null 2>&1 && break
      sleep 1
    done
    su postgres -c "psql -p $pg_port -tAc \"SELECT 1 FROM pg_roles WHERE rolname='armstrace_test'\"" | grep -q 1 \
      || su postgres -c "psql -p $pg_port -qc \"CREATE ROLE armstrace_test LOGIN SUPERUSER PASSWORD 'armstrace_test'\""
    export ARMSTRACE_TEST_PG_URL="postgresql://armstrace_test:armstrace_test@127.0.0.1:$pg_port/postgres"
    echo "test-env: PostgreSQL $pg_version on port $pg_port" >&2
  fi
fi

if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ]; then
  echo "test-env: installing Chromium (Debian package chromium) for the browser tests" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
