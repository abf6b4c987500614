package main

import (
	"runtime/debug"
	"testing"
)

// A replica without GOMEMLIMIT gets the default soft memory limit of its
// database; one with it keeps what it set.
func TestSoftMemoryLimitUnlessGOMEMLIMIT(t *testing.T) {
	was := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(was) })

	debug.SetMemoryLimit(1 << 40)
	softMemoryLimit(envMap(map[string]string{"GOMEMLIMIT": "1TiB"}), true)
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("with GOMEMLIMIT set the limit became %d", got)
	}
	softMemoryLimit(envMap(nil), false)
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimit {
		t.Errorf("without GOMEMLIMIT, on PostgreSQL, the limit is %d, want %d", got, defaultMemoryLimit)
	}
	softMemoryLimit(envMap(nil), true)
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimitSQLite {
		t.Errorf("without GOMEMLIMIT, on SQLite, the limit is %d, want %d", got, defaultMemoryLimitSQLite)
	}
}
