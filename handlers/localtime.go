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

// named is a catalog name in p's language: the Chinese name (the
// catalog's name_zh) for a reader of Chinese, the English for anyone else;
// where one is missing the other is shown ("" only when both are).
func named(p lang.Printer, en, zh string) string {
	if zh != "" && (p.Lang() == lang.Chinese || en == "") {
		return zh
	}
	return en
}

// catalogName shows a catalog entry by its name in p's language (name, or
// nameZh for a reader of Chinese); staff also see its ID, in small code
// type. The ID stands alone only when no name is known.
func catalogName(p lang.Printer, name, nameZh, id string, role models.Role) string {
	n := named(p, name, nameZh)
	switch {
	case n == "":
		return esc(id)
	case role == models.RoleStaff:
		return esc(n) + " `" + esc(id) + "`"
	}
	return esc(n)
}

// regionSuffix is ", <region name>" of a connection in p's language
// ("，华东2（上海）" in Chinese), or "" when its region has no name.
func regionSuffix(p lang.Printer, c *models.Connection) string {
	n := named(p, c.RegionName, c.RegionNameZh)
	if n == "" {
		return ""
	}
	return p.T("names.region_suffix", lang.Args{"Region": esc(n)})
}

// The names of a connection's catalog entries in p's language, not
// escaped: the catalog ID stands in only when no name is known. Staff
// cards add the access point's ID (staffFacts).

// apName is the access point of d by its name.
func apName(p lang.Printer, d *models.Detail) string {
	return cmp.Or(named(p, d.AccessPoint.Name, d.AccessPoint.NameZh), named(p, d.Connection.AccessPointName, d.Connection.AccessPointNameZh), d.Connection.AccessPointID)
}

// providerName is the service provider of d by its name.
func providerName(p lang.Printer, d *models.Detail) string {
	return cmp.Or(named(p, d.Provider.Name, d.Provider.NameZh), named(p, d.Connection.ProviderName, d.Connection.ProviderNameZh), d.Connection.ProviderID)
}

// regionName is how region r is named to the reader.
func regionName(p lang.Printer, r models.Region) string {
	return cmp.Or(named(p, r.Name, r.NameZh), r.ID)
}

// idcNamed is the IDC of d's access point by its name, else the access
// point's.
func idcNamed(p lang.Printer, d *models.Detail) string {
	return cmp.Or(named(p, d.AccessPoint.IDCName, d.AccessPoint.IDCNameZh), apName(p, d))
}

// idcAddress is the address of the IDC of d's access point.
func idcAddress(p lang.Printer, d *models.Detail) string {
	return named(p, d.AccessPoint.IDCAddress, d.AccessPoint.IDCAddressZh)
}

// locationNamed is where access point ap is (city and district).
func locationNamed(p lang.Printer, ap *models.AccessPoint) string {
	return named(p, ap.Location, ap.LocationZh)
}
