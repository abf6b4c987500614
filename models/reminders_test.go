package models_test

import (
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
)

func shanghaiCalendar(t *testing.T) *models.Calendar {
	t.Helper()
	cal, err := models.NewCalendar(models.Region{ID: "cn-hangzhou", TimeZone: "Asia/Shanghai"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// TestReviewOverdue: level 1 once the promised review day has passed,
// level 2 (escalated) from two workdays, nothing before, nothing for an
// application no longer under review.
func TestReviewOverdue(t *testing.T) {
	cal := shanghaiCalendar(t)
	applied := time.Date(2026, 11, 23, 10, 0, 0, 0, cal.Location) // a Monday
	cases := []struct {
		name     string
		status   models.Status
		now      time.Time
		overdue  bool
		level    int
		escalate string
	}{
		{"same day", models.StatusApplying, applied.Add(2 * time.Hour), false, 0, ""},
		{"one workday", models.StatusApplying, time.Date(2026, 11, 25, 9, 0, 0, 0, cal.Location), true, 1, ""},
		{"two workdays", models.StatusApplying, time.Date(2026, 11, 26, 9, 0, 0, 0, cal.Location), true, 2, "S0REVIEW"},
		{"a week", models.StatusApplying, time.Date(2026, 11, 30, 18, 0, 0, 0, cal.Location), true, 2, "S0REVIEW"},
		{"approved meanwhile", models.StatusApproved, time.Date(2026, 11, 30, 18, 0, 0, 0, cal.Location), false, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := models.Connection{ID: 1, Status: tc.status, CreatedAt: applied}
			got, ok := models.ReviewOverdue(c, cal, tc.now, "S0REVIEW")
			if ok != tc.overdue || got.Level != tc.level || got.Escalate != tc.escalate {
				t.Errorf("got %+v %v, want level %d escalate %q overdue %v", got, ok, tc.level, tc.escalate, tc.overdue)
			}
		})
	}
}

// TestReminderDecide: reminders every RemindAfter workdays, of payment
// (with the amount and the expiry day) or of confirmation; an unpaid
// connection expires after ExpireUnpaidAfter workdays.
func TestReminderDecide(t *testing.T) {
	cal := shanghaiCalendar(t)
	p := models.ReminderPolicy{RemindAfter: 2, ExpireUnpaidAfter: 10}
	since := time.Date(2026, 11, 23, 10, 0, 0, 0, cal.Location) // a Monday
	approved := models.Connection{ID: 1, Status: models.StatusApproved, AmountCents: 250000, Currency: "CNY"}
	pending := models.Connection{ID: 2, Status: models.StatusPendingConfirmation}
	day := func(d int) time.Time { return time.Date(2026, 11, d, 18, 0, 0, 0, cal.Location) }

	if got := p.Decide(approved, since, cal, day(25)); got.Remind || got.Expire {
		t.Errorf("after one workday: %+v", got)
	}
	got := p.Decide(approved, since, cal, day(26))
	if !got.Remind || got.Round != 1 || got.Data.Reason != models.ReminderUnpaid || got.Data.Amount != "CNY 2,500.00" || got.Data.ExpiresOn == "" {
		t.Errorf("unpaid after two workdays: %+v", got)
	}
	if got := p.Decide(pending, since, cal, time.Date(2026, 12, 1, 18, 0, 0, 0, cal.Location)); !got.Remind || got.Round != 2 || got.Data.Reason != models.ReminderUnconfirmed || got.Data.ExpiresOn != "" {
		t.Errorf("unconfirmed after four workdays: %+v", got)
	}
	if got := p.Decide(approved, since, cal, time.Date(2026, 12, 8, 18, 0, 0, 0, cal.Location)); !got.Expire || got.ExpireReason == "" {
		t.Errorf("unpaid after ten workdays: %+v", got)
	}
	if got := p.Decide(pending, since, cal, time.Date(2026, 12, 8, 18, 0, 0, 0, cal.Location)); got.Expire {
		t.Errorf("an unconfirmed connection never expires: %+v", got)
	}
	if got := (models.ReminderPolicy{}).Decide(approved, since, cal, day(30)); got.Remind || got.Expire {
		t.Errorf("no policy: %+v", got)
	}
}
