package models_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
)

// china2026 is the State Council's 2026 schedule: holidays and make-up
// working days.
var china2026 = struct {
	holidays [][2]string
	workdays []string
}{
	holidays: [][2]string{
		{"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
		{"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"},
		{"2026-10-01", "2026-10-07"},
	},
	workdays: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
}

func date(t *testing.T, s string) models.Date {
	t.Helper()
	d, err := models.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// shanghai builds the Asia/Shanghai calendar of 2026 through NewCalendar.
func shanghai(t *testing.T) *models.Calendar {
	t.Helper()
	var days []models.CalendarDay
	for _, h := range china2026.holidays {
		for d := date(t, h[0]); !date(t, h[1]).Before(d); d = d.AddDays(1) {
			days = append(days, models.CalendarDay{RegionID: "cn-hangzhou", Date: d.String(), Kind: models.DayHoliday, Name: "holiday"})
		}
	}
	for _, w := range china2026.workdays {
		days = append(days, models.CalendarDay{RegionID: "cn-hangzhou", Date: w, Kind: models.DayWorkday, Name: "make-up"})
	}
	// An IDC lock-down day is not a holiday of the region.
	days = append(days, models.CalendarDay{RegionID: "cn-hangzhou", Date: "2026-11-11", AccessPointID: "ap-1", Kind: models.DayLockDown, Name: "Double 11"})
	c, err := models.NewCalendar(models.Region{ID: "cn-hangzhou", TimeZone: "Asia/Shanghai", Weekend: "Sat,Sun"}, days)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// at is a wall-clock time in Shanghai.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func utc(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNextWorkday(t *testing.T) {
	c := shanghai(t)
	cases := []struct {
		name string
		at   time.Time
		want string
	}{
		{"Friday to Monday", at(t, "2026-06-05 10:00"), "2026-06-08"},
		{"Saturday to Monday", at(t, "2026-06-06 10:00"), "2026-06-08"},
		{"Monday to Tuesday", at(t, "2026-06-08 10:00"), "2026-06-09"},
		{"eve of the National Day week to Thursday Oct 8", at(t, "2026-09-30 17:00"), "2026-10-08"},
		{"inside the holiday week", at(t, "2026-10-03 09:00"), "2026-10-08"},
		{"Friday to the make-up Saturday", at(t, "2026-10-09 10:00"), "2026-10-10"},
		{"make-up Saturday to Monday", at(t, "2026-10-10 10:00"), "2026-10-12"},
		{"New Year's Eve to the make-up Sunday Jan 4", at(t, "2025-12-31 10:00"), "2026-01-04"},
		{"Friday before Spring Festival to the make-up Saturday", at(t, "2026-02-13 10:00"), "2026-02-14"},
		{"make-up Saturday over Spring Festival", at(t, "2026-02-14 10:00"), "2026-02-24"},
		{"Qingming", at(t, "2026-04-03 10:00"), "2026-04-07"},
		{"Labour Day", at(t, "2026-04-30 10:00"), "2026-05-06"},
		{"Saturday to the make-up Sunday Sep 20", at(t, "2026-09-19 10:00"), "2026-09-20"},
		{"Mid-Autumn", at(t, "2026-09-24 10:00"), "2026-09-28"},
		{"lock-down days are no holidays", at(t, "2026-11-10 10:00"), "2026-11-11"},
		{"23:30 local on Friday is Friday", at(t, "2026-10-09 23:30"), "2026-10-10"},
		{"15:30 UTC Friday is 23:30 Friday in Shanghai", utc(t, "2026-10-09T15:30:00Z"), "2026-10-10"},
		{"23:30 UTC Friday is already Saturday in Shanghai", utc(t, "2026-10-09T23:30:00Z"), "2026-10-12"},
		{"16:00 UTC Wednesday is Thursday Oct 1 in Shanghai", utc(t, "2026-09-30T16:00:00Z"), "2026-10-08"},
		{"15:59 UTC Tuesday is still Tuesday in Shanghai", utc(t, "2026-09-29T15:59:00Z"), "2026-09-30"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.NextWorkday(tc.at)
			if got.String() != tc.want {
				t.Errorf("NextWorkday(%s) = %s %s, want %s", tc.at.Format(time.RFC3339), got, got.Weekday(), tc.want)
			}
		})
	}
}

func TestIsWorkday(t *testing.T) {
	c := shanghai(t)
	cases := []struct {
		date string
		want bool
		why  string
	}{
		{"2026-06-03", true, "ordinary Wednesday"},
		{"2026-06-06", false, "Saturday"},
		{"2026-06-07", false, "Sunday"},
		{"2026-10-01", false, "National Day, a Thursday"},
		{"2026-10-03", false, "National Day on a Saturday"},
		{"2026-10-07", false, "last day of the National Day week, a Wednesday"},
		{"2026-10-08", true, "first Thursday after the holiday week"},
		{"2026-10-10", true, "make-up Saturday"},
		{"2026-01-04", true, "make-up Sunday"},
		{"2026-02-16", false, "Spring Festival Monday"},
		{"2026-02-23", false, "last day of Spring Festival, a Monday"},
		{"2026-02-28", true, "make-up Saturday"},
		{"2026-05-09", true, "make-up Saturday"},
		{"2026-05-05", false, "Labour Day Tuesday"},
		{"2026-06-19", false, "Dragon Boat Festival Friday"},
		{"2026-11-11", true, "IDC lock-down, a workday of the region"},
	}
	for _, tc := range cases {
		if got := c.IsWorkday(date(t, tc.date)); got != tc.want {
			t.Errorf("IsWorkday(%s, %s) = %v, want %v", tc.date, tc.why, got, tc.want)
		}
	}
	// 261 weekdays in 2026, 19 of them holidays, plus 6 make-up days.
	n := 0
	for d := date(t, "2026-01-01"); d.Year == 2026; d = d.AddDays(1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	if n != 248 {
		t.Errorf("%d workdays in 2026, want 248", n)
	}
}

func TestAddWorkdays(t *testing.T) {
	c := shanghai(t)
	cases := []struct {
		from time.Time
		n    int
		want string
	}{
		{at(t, "2026-06-05 10:00"), 1, "2026-06-08"},
		{at(t, "2026-06-05 10:00"), 5, "2026-06-12"},
		{at(t, "2026-09-30 10:00"), 1, "2026-10-08"},
		{at(t, "2026-09-30 10:00"), 2, "2026-10-09"},
		{at(t, "2026-09-30 10:00"), 3, "2026-10-10"},
		{at(t, "2026-09-30 10:00"), 4, "2026-10-12"},
		{at(t, "2026-02-13 10:00"), 2, "2026-02-24"},
		{utc(t, "2026-10-09T23:30:00Z"), 1, "2026-10-12"},
	}
	for _, tc := range cases {
		if got := c.AddWorkdays(tc.from, tc.n); got.String() != tc.want {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tc.from.Format(time.RFC3339), tc.n, got, tc.want)
		}
	}
}

func TestWorkdaysSince(t *testing.T) {
	c := shanghai(t)
	friday := at(t, "2026-06-05 16:00")
	cases := []struct {
		name      string
		from, now time.Time
		want      int
	}{
		{"same day", friday, at(t, "2026-06-05 23:59"), 0},
		{"Saturday", friday, at(t, "2026-06-06 10:00"), 0},
		{"Monday morning", friday, at(t, "2026-06-08 09:00"), 0},
		{"Monday night", friday, at(t, "2026-06-08 23:59"), 0},
		{"Tuesday", friday, at(t, "2026-06-09 00:01"), 1},
		{"Wednesday", friday, at(t, "2026-06-10 10:00"), 2},
		{"next Friday", friday, at(t, "2026-06-12 10:00"), 4},
		{"now before then", friday, at(t, "2026-06-01 10:00"), 0},
		{"over the National Day week, on Oct 8", at(t, "2026-09-30 10:00"), at(t, "2026-10-08 10:00"), 0},
		{"over the National Day week, on Oct 9", at(t, "2026-09-30 10:00"), at(t, "2026-10-09 10:00"), 1},
		{"counting the make-up Saturday", at(t, "2026-09-30 10:00"), at(t, "2026-10-12 10:00"), 3},
		{"Shanghai dates, not UTC", utc(t, "2026-06-05T16:30:00Z"), at(t, "2026-06-09 10:00"), 1},
	}
	for _, tc := range cases {
		if got := c.WorkdaysSince(tc.from, tc.now); got != tc.want {
			t.Errorf("%s: WorkdaysSince = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestNewCalendar(t *testing.T) {
	c, err := models.NewCalendar(models.Region{ID: "r", TimeZone: "UTC"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Weekend[time.Saturday] || !c.Weekend[time.Sunday] || len(c.Weekend) != 2 {
		t.Errorf("default weekend: %v", c.Weekend)
	}
	// A Friday-Saturday weekend.
	c, err = models.NewCalendar(models.Region{ID: "r", TimeZone: "Asia/Dubai", Weekend: "Fri, Saturday"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.WorkdayAfter(date(t, "2026-06-04")); got.String() != "2026-06-07" {
		t.Errorf("Thursday in a Fri-Sat weekend: next workday %s, want Sunday 2026-06-07", got)
	}
	for _, tc := range []struct {
		region models.Region
		days   []models.CalendarDay
		want   string
	}{
		{models.Region{ID: "r", TimeZone: "Mars/Olympus"}, nil, `region r: time zone "Mars/Olympus"`},
		{models.Region{ID: "r", TimeZone: "UTC", Weekend: "Sat,Funday"}, nil, "region r: weekend"},
		{models.Region{ID: "r", TimeZone: "UTC"}, []models.CalendarDay{{Date: "2026-02-30", Kind: models.DayHoliday}}, `region r: date "2026-02-30"`},
	} {
		if _, err := models.NewCalendar(tc.region, tc.days); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewCalendar(%+v): %v, want %q", tc.region, err, tc.want)
		}
	}
}

func TestParseWeekdays(t *testing.T) {
	got, err := models.ParseWeekdays(" sat , Sunday ")
	if err != nil || len(got) != 2 || !got[time.Saturday] || !got[time.Sunday] {
		t.Errorf("ParseWeekdays: %v %v", got, err)
	}
	if got, err := models.ParseWeekdays(""); err != nil || len(got) != 0 {
		t.Errorf("ParseWeekdays(\"\"): %v %v", got, err)
	}
	if _, err := models.ParseWeekdays("Sat,Funday"); err == nil {
		t.Error("Funday parsed")
	}
}

func TestDate(t *testing.T) {
	d := date(t, "2026-12-31")
	if got := d.AddDays(1).String(); got != "2027-01-01" {
		t.Errorf("AddDays over the year end: %s", got)
	}
	if got := date(t, "2028-02-28").AddDays(1).String(); got != "2028-02-29" {
		t.Errorf("leap day: %s", got)
	}
	if !date(t, "2026-09-30").Before(date(t, "2026-10-01")) || date(t, "2026-10-01").Before(date(t, "2026-10-01")) {
		t.Error("Before")
	}
	if d.Weekday() != time.Thursday {
		t.Errorf("2026-12-31 is a %s", d.Weekday())
	}
	for _, bad := range []string{"2026-13-01", "2026-02-29", "26-1-1", "", "2026/10/01"} {
		if _, err := models.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) passed", bad)
		}
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if got := date(t, "2026-10-10").In(loc, 9, 30); !got.Equal(utc(t, "2026-10-10T01:30:00Z")) {
		t.Errorf("In: %s", got)
	}
}
