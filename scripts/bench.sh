#!/bin/sh
# make bench: the Go benchmarks, and beside them the floor of the same
# machine in the same run: pgbench's TPC-B-like run with 1 and 8 clients,
# against a scratch database it initialises (scale 1) and drops, when
# pgbench is installed and TEST_DATABASE_URL names a PostgreSQL server.
# pgbench runs before and after the benchmarks; the floor is the mean.
# Then it prints each figure beside its floor and the ratio, and the SQL
# statements and time of each use case (BenchmarkUseCaseStatements).
#
# Environment: GO (go), PKGS (./...), BENCH (. : the -bench pattern),
# PGBENCH_SECONDS (10), BENCH_OUT (bench.out: the raw output is kept there).
set -eu
GO=${GO:-go}
PKGS=${PKGS:-./...}
BENCH=${BENCH:-.}
SECS=${PGBENCH_SECONDS:-10}
OUT=${BENCH_OUT:-bench.out}
URL=${TEST_DATABASE_URL:-}

floor=""
if [ -z "$URL" ]; then
	echo "bench: TEST_DATABASE_URL is not set: the benchmarks run on SQLite, and no pgbench floor is measured" >&2
elif ! command -v pgbench >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
	echo "bench: pgbench (or psql) is not installed: no floor is measured (apt-get install postgresql-client)" >&2
else
	# The scratch database sits beside the URL's own: same server, same user.
	base=${URL%%\?*}
	query=""
	case "$URL" in *\?*) query="?${URL#*\?}" ;; esac
	scratch="leaseline_pgbench_$$"
	admin="${base%/*}/postgres$query"
	floor="${base%/*}/$scratch$query"
	psql -q "$admin" -c "CREATE DATABASE $scratch" >/dev/null
	trap 'psql -q "$admin" -c "DROP DATABASE IF EXISTS $scratch" >/dev/null 2>&1 || true' EXIT
	pgbench -i -q -s 1 "$floor" >/dev/null 2>&1
fi

# pgbench_tps CLIENTS prints the TPC-B-like transactions per second.
pgbench_tps() {
	pgbench -n -c "$1" -j "$(($1 < 2 ? 1 : 2))" -T "$SECS" "$floor" 2>/dev/null | awk '/^tps/ { print $3; exit }'
}

c1a="" c8a="" c1b="" c8b=""
if [ -n "$floor" ]; then
	c1a=$(pgbench_tps 1)
	c8a=$(pgbench_tps 8)
fi
CGO_ENABLED=1 $GO test -run '^$' -bench "$BENCH" -benchmem -count=1 -timeout 60m $PKGS | tee "$OUT"

# The statements and time of each use case (BenchmarkUseCaseStatements).
awk '
/^BenchmarkUseCaseStatements\// {
	db = $1; sub(/^BenchmarkUseCaseStatements\//, "", db); sub(/-[0-9]+$/, "", db)
	if (!header++) printf "\nStatements per use case (BEGIN and COMMIT not counted) and time:\n"
	printf "  %s:\n", db
	for (i = 3; i < NF; i++) if ($(i + 1) ~ /-stmts$/) {
		u = $(i + 1); sub(/-stmts$/, "", u)
		us = ""
		for (j = 3; j < NF; j++) if ($(j + 1) == u "-µs") us = $j
		printf "    %-24s %5.1f statements %9.0f µs\n", u, $i, us
	}
}
' "$OUT"
if [ -z "$floor" ]; then
	exit 0
fi
c1b=$(pgbench_tps 1)
c8b=$(pgbench_tps 8)

awk -v c1a="$c1a" -v c1b="$c1b" -v c8a="$c8a" -v c8b="$c8b" '
function metric(unit,   i) { for (i = 3; i < NF; i++) if ($(i + 1) == unit) return $i; return "" }
BEGIN {
	c1 = (c1a + c1b) / 2; c8 = (c8a + c8b) / 2
	printf "\nFloor: pgbench TPC-B-like (scale 1, %s s each, before and after the benchmarks):\n", ENVIRON["PGBENCH_SECONDS"] ? ENVIRON["PGBENCH_SECONDS"] : 10
	printf "  -c 1: %.0f and %.0f transactions/s, mean %.0f\n", c1a, c1b, c1
	printf "  -c 8: %.0f and %.0f transactions/s, mean %.0f\n\n", c8a, c8b, c8
	printf "%-52s %14s %14s %8s\n", "benchmark", "figure", "floor", "ratio"
}
/^BenchmarkScheduleVisits\// {
	t = metric("tickets/s"); if (t == "") next
	f = ($1 ~ /lanes=1-/) ? c1 : c8
	printf "%-52s %10.0f t/s %10.0f tx/s %7.2fx  (tickets per pgbench transaction, -c %d; %s statements/ticket)\n", $1, t, f, t / f, ($1 ~ /lanes=1-/) ? 1 : 8, metric("statements/ticket")
}
/^BenchmarkApplyApprovePay.*\/postgres/ {
	c = metric("connections/s"); if (c == "") next
	f = ($1 ~ /Parallel/) ? c8 : c1
	printf "%-52s %10.0f c/s %10.0f c/s %7.2fx  (floor: pgbench -c %d / 3 transactions a connection; goal 0.5x)\n", $1, c, f / 3, c / (f / 3), ($1 ~ /Parallel/) ? 8 : 1
}
' "$OUT"
