package letter_test

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/handlers/letter"
)

// BenchmarkLetter renders the entry letter of a visit with 4 engineers, as
// the delivery worker does: one Renderer for the process ("warm"), or a
// new one per letter, which parses the fonts each time ("cold"). Beside
// time and allocations it reports the process's peak RSS while rendering
// (VmHWM, reset first where Linux allows), in MiB.
func BenchmarkLetter(b *testing.B) {
	c := lang.MustLoad()
	d := sample(4, false)
	b.Run("warm", func(b *testing.B) {
		r := letter.NewRenderer(c)
		if _, err := r.Render(d); err != nil {
			b.Fatal(err)
		}
		peak := startPeak()
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, err := r.Render(d); err != nil {
				b.Fatal(err)
			}
		}
		peak(b)
	})
	b.Run("cold", func(b *testing.B) {
		peak := startPeak()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := letter.Render(d, c); err != nil {
				b.Fatal(err)
			}
		}
		peak(b)
	})
}

// startPeak resets the process's peak RSS (Linux: clear_refs 5) and
// returns a func reporting it as peak-RSS-MiB.
func startPeak() func(*testing.B) {
	runtime.GC()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return func(b *testing.B) {
		raw, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return // not Linux: no figure
		}
		for line := range bytes.Lines(raw) {
			if f := bytes.Fields(line); len(f) >= 2 && string(f[0]) == "VmHWM:" {
				if kb, err := strconv.ParseFloat(string(f[1]), 64); err == nil {
					b.ReportMetric(kb/1024, "peak-RSS-MiB")
				}
			}
		}
	}
}
