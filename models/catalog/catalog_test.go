package catalog

import (
	"testing"
)

func TestSampleParses(t *testing.T) {
	c, err := Parse(Sample(), "sample.yaml")
	if err != nil {
		t.Fatalf("sample: %v", err)
	}
	t.Logf("regions %d days %d providers %d aps %d devices %d ports %d reception %d",
		len(c.Regions), len(c.CalendarDays), len(c.Providers), len(c.AccessPoints), len(c.Devices), len(c.Ports), len(c.Reception))
}
