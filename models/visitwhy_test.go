package models_test

import (
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// PlannedReason names the rule that kept the visit off the planned day.
func TestPlannedReason(t *testing.T) {
	cases := []struct {
		name    string
		planned string // Shanghai wall clock; "" for no plan
		booked  map[string]int
		rota    []models.ReceptionPerson
		want    string // "" for no reason
	}{
		{name: "no plan", want: ""},
		{name: "on the planned day", planned: "2026-10-19 10:00", want: ""},
		{name: "too soon", planned: "2026-10-16 10:00", want: "Friday 2026-10-16 is too soon"},
		{name: "not a workday", planned: "2026-10-17 10:00", want: "Saturday 2026-10-17 is not a workday"},
		{name: "lock-down", planned: "2026-11-10 10:00", want: "Tuesday 2026-11-10 is a lock-down day at Yuhang Data Park B"},
		{name: "fully booked", planned: "2026-10-20 10:00", booked: map[string]int{"2026-10-20": 2}, want: "Tuesday 2026-10-20 is fully booked at Yuhang Data Park B (2 visits a day at most)"},
		{name: "nobody on duty", planned: "2026-10-20 10:00", rota: []models.ReceptionPerson{{ID: 2, Name: "Zhang", Weekdays: "Thu,Fri,Sat"}},
			want: "nobody of the reception at Yuhang Data Park B is on duty on Tuesday 2026-10-20"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := idc(t)
			for d, n := range tc.booked {
				v.Booked[date(t, d)] = n
			}
			if tc.rota != nil {
				v.Rota = tc.rota
			}
			r := models.VisitRequest{Submitted: at(t, "2026-10-16 09:00"), Now: at(t, "2026-10-16 09:05")}
			if tc.planned != "" {
				r.Planned = at(t, tc.planned)
			}
			p, err := v.Pick(r)
			if err != nil {
				t.Fatal(err)
			}
			got := v.PlannedReason(r, p.Date)
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("reason %q, want %q", got, tc.want)
			}
			if got != "" && !strings.Contains(got, "Booked for "+p.Date.Weekday().String()+" "+p.Date.String()) {
				t.Errorf("reason %q does not name the booked day %s", got, p.Date)
			}
		})
	}
}
