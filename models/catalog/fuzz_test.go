package catalog

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParse asserts that no input makes Parse panic, and that it returns
// either a catalog or located Errors, never both or neither. Its seeds are
// small (testdata/fuzz/FuzzParse and those below), so that the fuzzer
// mutates rather than spends its time shrinking a large input; the whole
// sample is checked by TestParseSampleAndItsPrefixes.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"regions:\n  - {id: r1, name: R, time_zone: UTC, weekend: [Sat, Sun]}\nproviders: []\naccess_points: []\n",
		"regions:\n  - id: r1\n    name: R\n    time_zone: Asia/Shanghai\n    holidays:\n      - {date: 2026-10-01, name: H}\n    workdays:\n      - {date: 2026-10-10, name: W}\n",
		"providers:\n  - {id: p1, kind: CT, name: P, slack_channel: C0123456789, contacts: NOC}\n",
		"access_points:\n  - {id: ap1, region: r1, name: A, location: L, idc: {name: I, address: A}, status: recommended, providers: [p1], daily_visit_capacity: 2, visit_window: \"09:30-12:00\"}\n",
		"access_points:\n  - id: ap1\n    port_types:\n      - {type: 10gbase-lr, min_mbps: 1000, price: 12000.5, currency: CNY}\n    devices:\n      - {id: d1, ports: [\"Gi1/0/1-4: 1000Base-LX\", {name: Te1/1/1, type: 10GBase-LR, state: down}]}\n",
		"access_points:\n  - id: ap1\n    lockdowns: [{from: 2026-11-09, to: 2026-11-12, name: D}]\n    reception: [{name: N, phone: \"+86 1\", slack_user: U0123456789, weekdays: [Mon, friday]}]\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, data) })
}

// checkParse fails t unless Parse of data returns exactly one of a catalog
// and non-empty Errors.
func checkParse(t *testing.T, data []byte) {
	t.Helper()
	c, err := Parse(data, "fuzz.yaml")
	if (c == nil) == (err == nil) {
		t.Fatalf("Parse returned catalog %v and error %v", c != nil, err)
	}
	if err != nil {
		var errs Errors
		if !errors.As(err, &errs) || len(errs) == 0 {
			t.Fatalf("Parse returned %T, not Errors: %v", err, err)
		}
	}
}

// TestParseSampleAndItsPrefixes is the fuzzer's check on the whole sample
// and on the sample cut after every 25th line (catalogs that end early,
// mid-list or mid-mapping): a catalog or located Errors, never both or
// neither, never a panic.
func TestParseSampleAndItsPrefixes(t *testing.T) {
	sample := Sample()
	checkParse(t, sample)
	lines := bytes.SplitAfter(sample, []byte("\n"))
	for n := 25; n < len(lines); n += 25 {
		checkParse(t, bytes.Join(lines[:n], nil))
	}
}
