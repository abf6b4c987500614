package catalog

import (
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leaseline/leaseline/models"
)

func (p *parser) region(s *state, n *yaml.Node, path string) {
	f := p.mapping(n, path, "id", "name", "name_zh", "time_zone", "weekend", "holidays", "workdays", "known_until")
	if f == nil {
		return
	}
	id, _ := p.id(f, s.regionLine, "region")
	name, _ := f.str("name", true)
	nameZh, _ := f.str("name_zh", false)
	tz, tzNode := f.str("time_zone", true)
	if tzNode != nil && tz != "" {
		if tz == "Local" {
			p.errorf(tzNode, join(path, "time_zone"), "name an IANA time zone such as Asia/Shanghai; Local depends on the server")
		} else if _, err := time.LoadLocation(tz); err != nil {
			p.errorf(tzNode, join(path, "time_zone"), "%q is not a time zone (want an IANA name such as Asia/Shanghai)", tz)
		}
	}
	weekend, weekendSet := defaultWeekend, map[time.Weekday]bool{time.Saturday: true, time.Sunday: true}
	if wn := f.get("weekend"); wn != nil {
		items := f.list("weekend")
		if wn.Kind == yaml.SequenceNode {
			days, set, ok := p.weekdays(items, join(path, "weekend"))
			switch {
			case !ok:
				weekendSet = nil
			case len(set) == 0:
				p.errorf(wn, join(path, "weekend"), "list at least one day, or leave the key out for [Sat, Sun]")
				weekendSet = nil
			case len(set) == 7:
				p.errorf(wn, join(path, "weekend"), "every day is a weekend day: a region needs workdays")
				weekendSet = nil
			default:
				weekend, weekendSet = days, set
			}
		}
	}
	knownUntil := ""
	if f.has("known_until") {
		if d, _, ok := p.date(f, "known_until"); ok {
			knownUntil = d.String()
		}
	}
	s.c.Regions = append(s.c.Regions, models.Region{ID: id, Name: name, NameZh: nameZh, TimeZone: tz, Weekend: weekend, KnownUntil: knownUntil})

	seen := map[models.Date]int{}
	for _, d := range p.days(f, "holidays", seen) {
		s.c.CalendarDays = append(s.c.CalendarDays, models.CalendarDay{RegionID: id, Date: d.date.String(), Kind: models.DayHoliday, Name: d.name})
	}
	for _, d := range p.days(f, "workdays", seen) {
		if weekendSet != nil && !weekendSet[d.date.Weekday()] {
			p.errorf(d.node, d.path, "%s is a %s, already a workday: workdays lists make-up working days on weekend days (%s)", d.date, d.date.Weekday(), strings.ReplaceAll(weekend, ",", ", "))
			continue
		}
		s.c.CalendarDays = append(s.c.CalendarDays, models.CalendarDay{RegionID: id, Date: d.date.String(), Kind: models.DayWorkday, Name: d.name})
	}
}

// weekdayOrder is Monday first, the order canonical lists are written in.
var weekdayOrder = [...]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// weekdays reads a list of day names (Mon or Monday, any case) into the
// canonical "Mon,Tue" form.
func (p *parser) weekdays(items []*yaml.Node, path string) (string, map[time.Weekday]bool, bool) {
	set := map[time.Weekday]bool{}
	ok := true
	for i, n := range items {
		text, node := p.scalar(n, index(path, i))
		if node == nil {
			ok = false
			continue
		}
		wd, valid := parseWeekday(text)
		switch {
		case !valid:
			p.errorf(node, index(path, i), "%q is not a day of the week; use Mon, Tue, Wed, Thu, Fri, Sat, Sun (or the full names)", text)
			ok = false
		case set[wd]:
			p.errorf(node, index(path, i), "%s is listed twice", wd)
			ok = false
		default:
			set[wd] = true
		}
	}
	var names []string
	for _, wd := range weekdayOrder {
		if set[wd] {
			names = append(names, wd.String()[:3])
		}
	}
	return strings.Join(names, ","), set, ok
}

// parseWeekday accepts exactly a three-letter or a full English day name.
func parseWeekday(s string) (time.Weekday, bool) {
	for _, wd := range weekdayOrder {
		if strings.EqualFold(s, wd.String()) || strings.EqualFold(s, wd.String()[:3]) {
			return wd, true
		}
	}
	return 0, false
}

// day is one listed calendar day.
type day struct {
	date models.Date
	name string
	node *yaml.Node
	path string
}

// days reads a list of {date, name} or {from, to, name} entries at key,
// refusing a date already in seen.
func (p *parser) days(f *fields, key string, seen map[models.Date]int) []day {
	var out []day
	for i, n := range f.list(key) {
		path := index(join(f.path, key), i)
		e := p.mapping(n, path, "date", "from", "to", "name")
		if e == nil {
			continue
		}
		name, _ := e.str("name", true)
		var from, to models.Date
		var fromNode *yaml.Node
		switch {
		case e.has("date") && (e.has("from") || e.has("to")):
			p.errorf(e.node, path, "give either date, or from and to, not both")
			continue
		case e.has("date"):
			d, node, ok := p.date(e, "date")
			if !ok {
				continue
			}
			from, to, fromNode = d, d, node
		case e.has("from") || e.has("to"):
			d1, n1, ok1 := p.date(e, "from")
			d2, n2, ok2 := p.date(e, "to")
			if !ok1 || !ok2 {
				continue
			}
			if d2.Before(d1) {
				p.errorf(n2, join(path, "to"), "%s is before from %s", d2, d1)
				continue
			}
			if n := daysBetween(d1, d2) + 1; n > maxRangeDays {
				p.errorf(n2, join(path, "to"), "the range %s to %s has %d days; at most %d are allowed", d1, d2, n, maxRangeDays)
				continue
			}
			from, to, fromNode = d1, d2, n1
		default:
			p.errorf(e.node, path, "give date, or from and to")
			continue
		}
		for d := from; !to.Before(d); d = d.AddDays(1) {
			if line, dup := seen[d]; dup {
				p.errorf(fromNode, path, "%s is already listed at line %d", d, line)
				continue
			}
			seen[d] = fromNode.Line
			out = append(out, day{date: d, name: name, node: fromNode, path: path})
		}
	}
	return out
}

// date reads a YYYY-MM-DD value; a missing one is reported.
func (p *parser) date(f *fields, key string) (models.Date, *yaml.Node, bool) {
	s, node := f.str(key, true)
	if node == nil || s == "" {
		return models.Date{}, nil, false
	}
	d, err := models.ParseDate(s)
	if err != nil || d.Year < 1900 || d.Year > 2999 {
		p.errorf(node, join(f.path, key), "%q is not a valid date (want YYYY-MM-DD, e.g. 2026-10-01)", s)
		return models.Date{}, nil, false
	}
	return d, node, true
}

func daysBetween(a, b models.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Hours() / 24)
}
