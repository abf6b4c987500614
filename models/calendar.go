package models

import (
	"fmt"
	"strings"
	"time"
)

// Date is a civil date, local to a region.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t, time.UTC), nil
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// AddDays returns the date n days later.
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC), time.UTC)
}

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// In returns the time of day hh:mm on d in loc.
func (d Date) In(loc *time.Location, hour, minute int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc)
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// Calendar is a region's workday calendar: its time zone, its weekend days,
// its public holidays and its make-up working days (weekend days worked to
// make up for a holiday).
type Calendar struct {
	Location *time.Location
	Weekend  map[time.Weekday]bool
	// Holidays and Workdays are the exceptions to the weekly rhythm, by date,
	// with their names.
	Holidays map[Date]string
	Workdays map[Date]string
	// KnownUntil is the last date the listed days are known for (the
	// region's known_until); the zero Date means not stated: every date is
	// taken as known.
	KnownUntil Date
}

// Known reports whether d is within the calendar's horizon: a date after
// KnownUntil may be a holiday nobody listed yet, so no visit is booked and
// no date is promised on it.
func (c *Calendar) Known(d Date) bool {
	return c.KnownUntil == (Date{}) || !c.KnownUntil.Before(d)
}

// NewCalendar builds a region's calendar from its time zone, weekend
// ("Sat,Sun" when empty) and listed days.
func NewCalendar(region Region, days []CalendarDay) (*Calendar, error) {
	loc, err := time.LoadLocation(region.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("region %s: time zone %q: %w", region.ID, region.TimeZone, err)
	}
	weekend, err := ParseWeekdays(region.Weekend)
	if err != nil {
		return nil, fmt.Errorf("region %s: weekend: %w", region.ID, err)
	}
	if len(weekend) == 0 {
		weekend = map[time.Weekday]bool{time.Saturday: true, time.Sunday: true}
	}
	c := &Calendar{Location: loc, Weekend: weekend, Holidays: map[Date]string{}, Workdays: map[Date]string{}}
	if region.KnownUntil != "" {
		if c.KnownUntil, err = ParseDate(region.KnownUntil); err != nil {
			return nil, fmt.Errorf("region %s: known_until: %w", region.ID, err)
		}
	}
	for _, d := range days {
		if d.AccessPointID != "" || (d.RegionID != "" && d.RegionID != region.ID) {
			continue
		}
		date, err := ParseDate(d.Date)
		if err != nil {
			return nil, fmt.Errorf("region %s: %w", region.ID, err)
		}
		switch d.Kind {
		case DayHoliday:
			c.Holidays[date] = d.Name
		case DayWorkday:
			c.Workdays[date] = d.Name
		}
	}
	return c, nil
}

var weekdayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseWeekdays reads a list such as "Sat,Sun" (three-letter or full names).
func ParseWeekdays(s string) (map[time.Weekday]bool, error) {
	out := map[time.Weekday]bool{}
	for f := range strings.SplitSeq(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		wd, ok := weekdayNames[f]
		if !ok {
			for _, d := range weekdayNames {
				if strings.ToLower(d.String()) == f {
					wd, ok = d, true
				}
			}
		}
		if !ok {
			return nil, fmt.Errorf("%q is not a weekday (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)", strings.TrimSpace(f))
		}
		out[wd] = true
	}
	return out, nil
}

// IsWorkday reports whether d is a working day: a make-up workday, or a day
// that is neither a weekend day nor a holiday.
func (c *Calendar) IsWorkday(d Date) bool {
	if _, ok := c.Workdays[d]; ok {
		return true
	}
	if _, ok := c.Holidays[d]; ok {
		return false
	}
	return !c.Weekend[d.Weekday()]
}

// maxScan bounds every search for a workday: a calendar with no workday for
// a year is broken, not busy.
const maxScan = 366

// NextWorkday returns the first workday strictly after the local date of t.
func (c *Calendar) NextWorkday(t time.Time) Date {
	return c.WorkdayAfter(DateOf(t, c.Location))
}

// WorkdayAfter returns the first workday strictly after d.
func (c *Calendar) WorkdayAfter(d Date) Date {
	for range maxScan {
		d = d.AddDays(1)
		if c.IsWorkday(d) {
			return d
		}
	}
	return d
}

// AddWorkdays returns the n-th workday after the local date of t (n >= 1).
func (c *Calendar) AddWorkdays(t time.Time, n int) Date {
	d := DateOf(t, c.Location)
	for range n {
		d = c.WorkdayAfter(d)
	}
	return d
}

// WorkdaysSince counts the workdays that have fully passed since t, up to
// now: a request made on Friday counts 0 on Saturday and Monday, 1 from
// Tuesday (Monday, its next workday, has passed).
func (c *Calendar) WorkdaysSince(t, now time.Time) int {
	from, to := DateOf(t, c.Location), DateOf(now, c.Location)
	n := 0
	for d := from.AddDays(1); d.Before(to); d = d.AddDays(1) {
		if c.IsWorkday(d) {
			n++
		}
		if n > maxScan {
			break
		}
	}
	return n
}
