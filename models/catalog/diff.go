package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/leaseline/leaseline/models"
)

// Diff says what applying next over cur would change, one line a change:
// regions, access points, providers, devices and ports added or removed,
// offers added, removed or repriced, low-water marks changed, calendar days
// added or removed and calendar horizons moved. No line means no change to these.
func Diff(cur, next *models.Catalog) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	sets := []struct {
		what      string
		cur, next map[string]string
	}{
		{"region", keyed(cur.Regions, func(r models.Region) string { return r.ID }),
			keyed(next.Regions, func(r models.Region) string { return r.ID })},
		{"provider", keyed(cur.Providers, func(p models.Provider) string { return p.ID }),
			keyed(next.Providers, func(p models.Provider) string { return p.ID })},
		{"access point", keyed(cur.AccessPoints, func(a models.AccessPoint) string { return a.ID }),
			keyed(next.AccessPoints, func(a models.AccessPoint) string { return a.ID })},
		{"device", keyed(cur.Devices, func(d models.Device) string { return d.ID }),
			keyed(next.Devices, func(d models.Device) string { return d.ID })},
		{"port", keyed(cur.Ports, portKey), keyed(next.Ports, portKey)},
		{"calendar day", keyed(cur.CalendarDays, dayKey), keyed(next.CalendarDays, dayKey)},
	}
	for _, s := range sets {
		for _, k := range sortedKeys(s.next) {
			if _, ok := s.cur[k]; !ok {
				add("+ %s %s", s.what, k)
			}
		}
		for _, k := range sortedKeys(s.cur) {
			if _, ok := s.next[k]; !ok {
				add("- %s %s", s.what, k)
			}
		}
	}
	offers := func(c *models.Catalog) map[string]string {
		m := map[string]string{}
		for _, ap := range c.AccessPoints {
			for _, o := range ap.PortTypes {
				m[ap.ID+" "+string(o.PortType)] = fmt.Sprintf("%s, %d-%d Mbps", models.FormatMoney(o.PriceCents, o.Currency), o.MinMbps, o.MaxMbps)
			}
		}
		return m
	}
	co, no := offers(cur), offers(next)
	for _, k := range sortedKeys(no) {
		switch old, ok := co[k]; {
		case !ok:
			add("+ offer %s at %s", k, no[k])
		case old != no[k]:
			add("~ offer %s: %s -> %s", k, old, no[k])
		}
	}
	for _, k := range sortedKeys(co) {
		if _, ok := no[k]; !ok {
			add("- offer %s (was %s)", k, co[k])
		}
	}
	lowWater := func(c *models.Catalog) map[string]string {
		return keyed(c.AccessPoints, func(a models.AccessPoint) string { return a.ID }, func(a models.AccessPoint) string { return fmt.Sprint(a.LowWater) })
	}
	cl, nl := lowWater(cur), lowWater(next)
	for _, id := range sortedKeys(nl) {
		if old, ok := cl[id]; ok && old != nl[id] {
			add("~ access point %s low_water: %s -> %s", id, old, nl[id])
		}
	}
	horizon := func(c *models.Catalog) map[string]string {
		return keyed(c.Regions, func(r models.Region) string { return r.ID }, func(r models.Region) string { return r.KnownUntil })
	}
	ch, nh := horizon(cur), horizon(next)
	for _, id := range sortedKeys(nh) {
		if old, ok := ch[id]; ok && old != nh[id] {
			add("~ region %s known_until: %s -> %s", id, orNone(old), orNone(nh[id]))
		}
	}
	return out
}

func portKey(p models.Port) string {
	return p.DeviceID + " " + p.Name + " (" + string(p.PortType) + ")"
}

func dayKey(d models.CalendarDay) string {
	k := d.RegionID + " " + d.Date + " " + string(d.Kind)
	if d.AccessPointID != "" {
		k = d.AccessPointID + " " + d.Date + " " + string(d.Kind)
	}
	if d.Name != "" {
		k += " (" + d.Name + ")"
	}
	return k
}

// keyed maps each item's key to its value (the key itself by default).
func keyed[T any](items []T, key func(T) string, value ...func(T) string) map[string]string {
	m := make(map[string]string, len(items))
	for _, it := range items {
		k := key(it)
		m[k] = k
		if len(value) > 0 {
			m[k] = value[0](it)
		}
	}
	return m
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(none)"
	}
	return s
}
