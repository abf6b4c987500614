package catalog

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/leaseline/leaseline/models"
)

// WarnHorizonDays is how close a calendar's end (known_until) may come
// before `catalog check` warns.
const WarnHorizonDays = 90

// IsExample reports whether a catalog file says on its first line that it
// is an example (the sample and deploy/'s catalogs do): its channels are
// placeholders and its IDCs fictitious.
func IsExample(data []byte) bool {
	line, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
	return strings.Contains(strings.ToLower(string(line)), "example")
}

// DaysLeft is how many days from now's date in the region's time zone to
// its known_until (negative once past); ok is false when none is stated.
func DaysLeft(r models.Region, now time.Time) (int, bool) {
	if r.KnownUntil == "" {
		return 0, false
	}
	end, err := models.ParseDate(r.KnownUntil)
	if err != nil {
		return 0, false
	}
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return daysBetween(models.DateOf(now, loc), end), true
}

// Warnings are what `catalog check` says about a valid catalog: regions
// whose calendar ends within WarnHorizonDays of now, or does not say when.
func Warnings(c *models.Catalog, now time.Time) []string {
	var out []string
	for _, r := range c.Regions {
		left, ok := DaysLeft(r, now)
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("region %s states no known_until: nothing will warn when its holidays run out; add the last date its holidays and make-up workdays are listed for, e.g. known_until: %d-12-31", r.ID, now.Year()))
		case left < 0:
			out = append(out, fmt.Sprintf("region %s: its calendar ended on %s (%d days ago): no visit is booked and no review date promised there until you list the next holidays and extend known_until", r.ID, r.KnownUntil, -left))
		case left < WarnHorizonDays:
			out = append(out, fmt.Sprintf("region %s: its calendar ends on %s, in %d days: list the next holidays and make-up workdays and extend known_until", r.ID, r.KnownUntil, left))
		}
	}
	return out
}
