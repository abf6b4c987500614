package catalog

import (
	"errors"
	"testing"
)

// FuzzParse asserts that no input makes Parse panic, and that it returns
// either a catalog or located Errors, never both or neither.
// Seeds: testdata/fuzz/FuzzParse, the sample and the test catalogs.
func FuzzParse(f *testing.F) {
	f.Add(Sample())
	f.Add([]byte(base))
	f.Add([]byte(broken))
	f.Fuzz(func(t *testing.T, data []byte) {
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
	})
}
