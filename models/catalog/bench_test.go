package catalog

import (
	"strconv"
	"strings"
	"testing"
)

// aliasBomb is a catalog whose aliases would expand to 10^12 nodes.
func aliasBomb() []byte {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		b.WriteString("a" + strconv.Itoa(i) + ": &a" + strconv.Itoa(i) + " [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + strconv.Itoa(i-1))
		}
		b.WriteString("]\n")
	}
	b.WriteString("regions: *a11\n")
	return []byte(b.String())
}

// BenchmarkParseAliasBomb is how long refusing an alias bomb takes (the
// test TestAliasBombIsRefused only checks that it is refused).
func BenchmarkParseAliasBomb(b *testing.B) {
	bomb := aliasBomb()
	for b.Loop() {
		if _, err := Parse(bomb, "bomb.yaml"); err == nil {
			b.Fatal("an alias bomb parsed")
		}
	}
}

// BenchmarkParseSample is how long the whole sample catalog takes to parse.
func BenchmarkParseSample(b *testing.B) {
	sample := Sample()
	for b.Loop() {
		if _, err := Parse(sample, "sample.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}
