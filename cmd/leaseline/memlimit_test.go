package main

import (
	"runtime/debug"
	"testing"
)

// A process without GOMEMLIMIT gets the default soft memory limit; one
// with it keeps what it set.
func TestSoftMemoryLimitUnlessGOMEMLIMIT(t *testing.T) {
	was := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(was) })

	debug.SetMemoryLimit(1 << 40)
	softMemoryLimit(envMap(map[string]string{"GOMEMLIMIT": "1TiB"}))
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("with GOMEMLIMIT set the limit became %d", got)
	}
	softMemoryLimit(envMap(nil))
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimit {
		t.Errorf("without GOMEMLIMIT the limit is %d, want %d", got, defaultMemoryLimit)
	}
}
