package handlers

import (
	"cmp"
	"regexp"
	"strconv"
	"time"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// zone is the IANA time zone tz (a region's), UTC when unknown.
func zone(tz string) *time.Location {
	if tz == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

// localWhen is t as people of the region read it, with its zone:
// "Mon 30 Nov 09:30 CST".
func localWhen(p lang.Printer, t time.Time, loc *time.Location) string {
	return p.When(t, loc)
}

// regionWhen is t in the local time of d's region, with its zone.
func regionWhen(p lang.Printer, t time.Time, d *models.Detail) string {
	return localWhen(p, t, zone(cmp.Or(d.Region.TimeZone, d.Connection.TimeZone)))
}

// slackDates matches the Slack date tokens when writes
// ("<!date^1764466200^{date_short_pretty} {time}|2026-11-30 01:30 UTC>").
var slackDates = regexp.MustCompile(`<!date\^(\d+)\^[^|>]*(?:\|[^>]*)?>`)

// regionTimes rewrites the Slack date tokens in s, which each reader would
// see in their own zone, into the local time of d's region: what a channel
// card shows is the same for everyone in it.
func regionTimes(p lang.Printer, s string, d *models.Detail) string {
	return slackDates.ReplaceAllStringFunc(s, func(m string) string {
		sec, err := strconv.ParseInt(slackDates.FindStringSubmatch(m)[1], 10, 64)
		if err != nil {
			return m
		}
		return regionWhen(p, time.Unix(sec, 0), d)
	})
}

// rawTimes matches the UTC timestamps older audit details carry
// ("2026-11-30T01:30:00Z").
var rawTimes = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b`)

// localTimes rewrites the UTC timestamps in s into local time.
func localTimes(p lang.Printer, s string, loc *time.Location) string {
	return rawTimes.ReplaceAllStringFunc(s, func(m string) string {
		t, err := time.Parse(time.RFC3339Nano, m)
		if err != nil {
			return m
		}
		return localWhen(p, t, loc)
	})
}

// catalogName shows a catalog entry by its name; staff also see its ID, in
// small code type. The ID stands alone only when the name is unknown.
func catalogName(name, id string, role models.Role) string {
	switch {
	case name == "":
		return esc(id)
	case role == models.RoleStaff:
		return esc(name) + " `" + esc(id) + "`"
	}
	return esc(name)
}

// regionSuffix is ", <region name>" of a connection, or "".
func regionSuffix(c *models.Connection) string {
	if c.RegionName == "" {
		return ""
	}
	return ", " + esc(c.RegionName)
}
