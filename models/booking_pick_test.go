package models_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
)

// TestPickVisitDayFillsAhead: a batch filling an IDC months ahead, with
// requests planned on scattered days, gets the same days as a pick that
// walks every day from the request's earliest: the first workday with
// room, not a lock-down day, with someone on duty.
func TestPickVisitDayFillsAhead(t *testing.T) {
	v := idc(t)
	rnd := rand.New(rand.NewPCG(13, 1))
	submitted := at(t, "2026-10-16 16:00")
	for i := range 600 {
		r := models.VisitRequest{Submitted: submitted, Now: submitted.Add(time.Minute)}
		if i%3 == 0 {
			r.Planned = submitted.Add(time.Duration(rnd.IntN(120*24)) * time.Hour)
		}
		got, err := v.Pick(r)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		want := walkPick(v, r)
		if got.Date != want {
			t.Fatalf("request %d (planned %s): picked %s, the first day with room is %s", i, r.Planned, got.Date, want)
		}
		v.Take(got)
	}
	if last := date(t, "2026-10-19").AddDays(200); v.Booked[last] == 0 && v.Booked[last.AddDays(1)] == 0 && v.Booked[last.AddDays(2)] == 0 {
		t.Fatalf("600 visits at 2 a day should reach beyond %s: %v", last, v.Booked)
	}
}

// walkPick is the first day from r's earliest that takes a visit, found by
// looking at each day in turn.
func walkPick(v *models.VisitDays, r models.VisitRequest) models.Date {
	for d := v.Earliest(r); ; d = d.AddDays(1) {
		if !v.Calendar.IsWorkday(d) || v.LockDowns[d] || v.Booked[d] >= max(v.Capacity, 1) {
			continue
		}
		for i := range v.Rota {
			if models.WorksOn(&v.Rota[i], d) {
				return d
			}
		}
	}
}
