package models_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// idc is an access point of the Shanghai 2026 calendar with capacity 2 and
// a rota of Li (Mon–Wed), Zhang (Thu–Sat) and Wang (every day).
func idc(t *testing.T) *models.VisitDays {
	t.Helper()
	return &models.VisitDays{
		AccessPoint: "ap-1", Name: "Hangzhou-Yuhang-B", IDCName: "Yuhang Data Park B", Calendar: shanghai(t), Capacity: 2, Window: "09:30-12:00",
		LockDowns: map[models.Date]bool{date(t, "2026-11-09"): true, date(t, "2026-11-10"): true, date(t, "2026-11-11"): true, date(t, "2026-11-12"): true},
		Booked:    map[models.Date]int{},
		Rota: []models.ReceptionPerson{
			{ID: 1, Name: "Li", Weekdays: "Mon,Tue,Wed"}, {ID: 2, Name: "Zhang", Weekdays: "Thu,Fri,Sat"}, {ID: 3, Name: "Wang"},
		},
		Load: map[int64]int{},
	}
}

func TestPickVisitDay(t *testing.T) {
	cases := []struct {
		name           string
		submitted, now string // Shanghai wall clock
		planned        string // Shanghai wall clock; "" for no plan
		booked         map[string]int
		load           map[int64]int
		capacity       int
		rota           []models.ReceptionPerson
		want, who      string
	}{
		{name: "Friday 16:00 gets Monday, Li (lowest id on duty)", submitted: "2026-10-16 16:00", now: "2026-10-16 16:05", want: "2026-10-19", who: "Li"},
		{name: "eve of the holiday week gets the first workday after it", submitted: "2026-09-30 16:00", now: "2026-09-30 16:05", want: "2026-10-08", who: "Zhang"},
		{name: "Friday before the make-up Saturday gets that Saturday", submitted: "2026-10-09 16:00", now: "2026-10-09 16:05", want: "2026-10-10", who: "Zhang"},
		{name: "Thursday 23:30 local gets Friday", submitted: "2026-10-15 23:30", now: "2026-10-15 23:35", want: "2026-10-16", who: "Zhang"},
		{name: "Monday 00:30 local (Sunday in UTC) gets Tuesday", submitted: "2026-10-19 00:30", now: "2026-10-19 00:35", want: "2026-10-20", who: "Li"},
		{name: "Friday before the lock-down gets the day after it", submitted: "2026-11-06 10:00", now: "2026-11-06 10:05", want: "2026-11-13", who: "Zhang"},
		{name: "a full day overflows to the next workday", submitted: "2026-10-16 16:00", now: "2026-10-16 16:05",
			booked: map[string]int{"2026-10-19": 2}, want: "2026-10-20", who: "Li"},
		{name: "full days overflow across the weekend", submitted: "2026-10-15 10:00", now: "2026-10-15 10:05",
			booked: map[string]int{"2026-10-16": 2}, want: "2026-10-19", who: "Li"},
		{name: "capacity 0 counts as 1", submitted: "2026-10-16 16:00", now: "2026-10-16 16:05", capacity: -1,
			booked: map[string]int{"2026-10-19": 1}, want: "2026-10-20", who: "Li"},
		{name: "the rota's person with the fewest visits", submitted: "2026-10-16 16:00", now: "2026-10-16 16:05",
			load: map[int64]int{1: 3, 3: 1}, want: "2026-10-19", who: "Wang"},
		{name: "a day nobody is on duty is skipped", submitted: "2026-10-16 16:00", now: "2026-10-16 16:05",
			rota: []models.ReceptionPerson{{ID: 2, Name: "Zhang", Weekdays: "Thu,Fri,Sat"}}, want: "2026-10-22", who: "Zhang"},
		{name: "a run days after the ticket, once the day's window has begun, books the next workday", submitted: "2026-10-16 16:00", now: "2026-10-21 09:30",
			want: "2026-10-22", who: "Zhang"},
		{name: "a catch-up run before the day's window books that day", submitted: "2026-10-16 16:00", now: "2026-10-21 08:00",
			want: "2026-10-21", who: "Li"},
		{name: "a Friday 23:30 ticket booked at 00:05 keeps the make-up Saturday", submitted: "2026-10-09 23:30", now: "2026-10-10 00:05",
			want: "2026-10-10", who: "Zhang"},
		{name: "a ticket is never booked on its own day, window or not", submitted: "2026-10-15 06:00", now: "2026-10-15 06:05",
			want: "2026-10-16", who: "Zhang"},
		{name: "a booking day that is not a workday moves on", submitted: "2026-10-16 16:00", now: "2026-10-18 08:00",
			want: "2026-10-19", who: "Li"},
		{name: "not before the planned arrival: Tuesday planned, Tuesday booked", submitted: "2026-10-16 16:00", now: "2026-10-16 16:05",
			planned: "2026-10-20 09:00", want: "2026-10-20", who: "Li"},
		{name: "a planned arrival on a holiday gets the first workday after it", submitted: "2026-09-28 10:00", now: "2026-09-28 10:05",
			planned: "2026-10-02 09:00", want: "2026-10-08", who: "Zhang"},
		{name: "a planned arrival before the next workday changes nothing", submitted: "2026-10-16 16:00", now: "2026-10-16 16:05",
			planned: "2026-10-17 09:00", want: "2026-10-19", who: "Li"},
		{name: "the planned arrival's local date counts (Monday 01:00 local is Sunday in UTC)", submitted: "2026-10-15 10:00", now: "2026-10-15 10:05",
			planned: "2026-10-19 01:00", want: "2026-10-19", who: "Li"},
		{name: "a full planned day overflows to the next workday", submitted: "2026-10-16 16:00", now: "2026-10-16 16:05",
			planned: "2026-10-20 09:00", booked: map[string]int{"2026-10-20": 2}, want: "2026-10-21", who: "Li"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := idc(t)
			if tc.capacity != 0 {
				v.Capacity = tc.capacity
			}
			for d, n := range tc.booked {
				v.Booked[date(t, d)] = n
			}
			if tc.load != nil {
				v.Load = tc.load
			}
			if tc.rota != nil {
				v.Rota = tc.rota
			}
			r := models.VisitRequest{Submitted: at(t, tc.submitted), Now: at(t, tc.now)}
			if tc.planned != "" {
				r.Planned = at(t, tc.planned)
			}
			got, err := v.Pick(r)
			if err != nil {
				t.Fatal(err)
			}
			if got.Date.String() != tc.want || got.Reception.Name != tc.who {
				t.Fatalf("picked %s with %s, want %s with %s", got.Date, got.Reception.Name, tc.want, tc.who)
			}
		})
	}
}

// TestPickVisitDayTake: picks taken in turn fill a day to its capacity and
// rotate the reception person, first come, first served.
func TestPickVisitDayTake(t *testing.T) {
	v := idc(t)
	r := models.VisitRequest{Submitted: at(t, "2026-10-19 10:00"), Now: at(t, "2026-10-19 10:05")} // Monday
	var got []string
	for range 5 {
		p, err := v.Pick(r)
		if err != nil {
			t.Fatal(err)
		}
		v.Take(p)
		got = append(got, p.Date.String()+" "+p.Reception.Name)
	}
	want := "2026-10-20 Li|2026-10-20 Wang|2026-10-21 Li|2026-10-21 Wang|2026-10-22 Zhang"
	if strings.Join(got, "|") != want {
		t.Fatalf("picks %s, want %s", strings.Join(got, "|"), want)
	}
}

// TestPickVisitDayWindow: the booking day is taken only while its visit
// window has not begun; a window that does not read counts as begun.
func TestPickVisitDayWindow(t *testing.T) {
	r := models.VisitRequest{Submitted: at(t, "2026-10-16 16:00"), Now: at(t, "2026-10-21 09:29")}
	for window, want := range map[string]string{"09:30-12:00": "2026-10-21", " 9:29 - 12:00": "2026-10-22", "mornings": "2026-10-22", "": "2026-10-22"} {
		v := idc(t)
		v.Window = window
		p, err := v.Pick(r)
		if err != nil || p.Date.String() != want {
			t.Fatalf("window %q: %s %v, want %s", window, p.Date, err, want)
		}
	}
}

func TestPickVisitDayRefuses(t *testing.T) {
	r := models.VisitRequest{Submitted: at(t, "2026-10-19 10:00"), Now: at(t, "2026-10-19 10:05")}
	v := idc(t)
	v.Rota = nil
	if _, err := v.Pick(r); err == nil || !strings.Contains(err.Error(), "no reception rota") {
		t.Fatalf("no rota: %v", err)
	}
	v = idc(t)
	v.Until = date(t, "2026-10-20")
	if p, err := v.Pick(r); err != nil || p.Date.String() != "2026-10-20" {
		t.Fatalf("the horizon's last day: %+v %v", p, err)
	}
	v.Booked[date(t, "2026-10-20")] = 2
	if _, err := v.Pick(r); err == nil || !strings.Contains(err.Error(), "known calendar") {
		t.Fatalf("past the calendar's horizon: %v", err)
	}
	v = idc(t)
	v.Rota = []models.ReceptionPerson{{ID: 9, Name: "Nobody", Weekdays: "Funday"}}
	if _, err := v.Pick(r); err == nil || !strings.Contains(err.Error(), "no day with room") {
		t.Fatalf("rota never on duty: %v", err)
	}
}

func TestCheckVisitDay(t *testing.T) {
	today := date(t, "2026-10-16")
	zhang := models.ReceptionPerson{ID: 2, Name: "Zhang", Weekdays: "Thu,Fri,Sat"}
	cases := []struct {
		day       string
		keep      *models.ReceptionPerson
		rule, who string
	}{
		{day: "2026-10-15", rule: "visit-date-past"},
		{day: "2026-10-24", rule: "visit-date-workday"},
		{day: "2026-11-10", rule: "visit-date-lockdown"},
		{day: "2026-10-21", rule: "visit-capacity"},
		{day: "2026-10-22", keep: &zhang, who: "Zhang"},
		{day: "2026-10-20", keep: &zhang, who: "Li"}, // Zhang is off on Tuesdays
		{day: "2026-10-16", who: "Zhang"},            // today is allowed
	}
	for _, tc := range cases {
		t.Run(tc.day, func(t *testing.T) {
			v := idc(t)
			v.Booked[date(t, "2026-10-21")] = 2
			got, err := v.Check(date(t, tc.day), today, tc.keep)
			var re *models.RuleError
			switch {
			case tc.rule != "" && (!errors.As(err, &re) || re.Rule != tc.rule):
				t.Fatalf("check %s: %v, want rule %s", tc.day, err, tc.rule)
			case tc.rule == "" && (err != nil || got.Name != tc.who):
				t.Fatalf("check %s: %v %+v, want %s", tc.day, err, got, tc.who)
			}
		})
	}
}

// Staff moving a visit past the end of the region's known calendar are
// refused with the rule named: a holiday nobody listed may fall there.
func TestCheckVisitDayPastHorizon(t *testing.T) {
	v := idc(t)
	v.Until = date(t, "2026-10-20")
	today := date(t, "2026-10-16")
	if p, err := v.Check(date(t, "2026-10-20"), today, nil); err != nil || p.Name != "Li" {
		t.Fatalf("the horizon's last day: %+v %v", p, err)
	}
	_, err := v.Check(date(t, "2026-10-21"), today, nil)
	var re *models.RuleError
	if !errors.As(err, &re) || re.Rule != "calendar-known-until" || !strings.Contains(re.Message, "known_until") {
		t.Fatalf("past the horizon: %v, want rule calendar-known-until naming known_until", err)
	}
}
