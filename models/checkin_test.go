package models_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
)

// Verification codes are 8 characters of the alphabet without look-alikes,
// shown XXXX-XXXX, random (no repeats in 2000), and read back however they
// are typed.
func TestCheckinCodes(t *testing.T) {
	shape := regexp.MustCompile(`^[ABCDEFGHJKLMNPQRSTUVWXYZ2-9]{4}-[ABCDEFGHJKLMNPQRSTUVWXYZ2-9]{4}$`)
	seen := map[string]bool{}
	for range 2000 {
		c := models.NewCheckinCode()
		if !shape.MatchString(c) {
			t.Fatalf("code %q", c)
		}
		if seen[c] {
			t.Fatalf("code %q twice in 2000", c)
		}
		seen[c] = true
	}
	for in, want := range map[string]string{
		"ABCD-EF23": "ABCD-EF23", "abcd ef23": "ABCD-EF23", " abcdef23 ": "ABCD-EF23",
		"ABCD-EF2O": "", "ABCD-EF21": "", "ABCD-EF2": "", "ABCD-EF234": "", "": "", "АBCD-EF23": "",
	} {
		if got := models.NormalizeCheckinCode(in); got != want {
			t.Errorf("NormalizeCheckinCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// A visit is a no-show an hour after its window ended in its region's
// time, not a second before; never once checked in, canceled or marked.
func TestNoShowDue(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	v := models.Visit{Date: "2026-11-27", Window: "09:30-12:00", State: models.VisitScheduled}
	due := time.Date(2026, 11, 27, 13, 0, 0, 0, loc)
	if models.NoShowDue(&v, loc, due.Add(-time.Second)) || !models.NoShowDue(&v, loc, due) {
		t.Fatal("a visit is a no-show at 13:00 local, an hour after 12:00")
	}
	if !models.NoShowDue(&v, loc, due.Add(48*time.Hour)) {
		t.Fatal("a missed visit stays due until marked")
	}
	arrived := v
	arrived.ArrivedAt = &due
	canceled := v
	canceled.State = models.VisitCanceled
	marked := v
	marked.NoShowAt = &due
	for name, w := range map[string]models.Visit{"checked in": arrived, "canceled": canceled, "marked": marked} {
		if models.NoShowDue(&w, loc, due.Add(time.Hour)) {
			t.Errorf("a %s visit is due as a no-show", name)
		}
	}
	open := v
	open.Window = "09:30"
	if models.NoShowDue(&open, loc, time.Date(2026, 11, 27, 23, 59, 0, 0, loc)) || !models.NoShowDue(&open, loc, time.Date(2026, 11, 28, 1, 0, 0, 0, loc)) {
		t.Error("a window without an end is due an hour after its day")
	}
}
