package main

import (
	"context"
	"io"
	"testing"
)

// BenchmarkDemo is how long `leaseline demo` takes: the whole journey
// through signed requests against the in-process fake Slack (TestDemo
// checks what it shows).
func BenchmarkDemo(b *testing.B) {
	for b.Loop() {
		if err := run(context.Background(), []string{"demo"}, envMap(nil), io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
