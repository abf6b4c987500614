package models

import (
	"fmt"
	"time"
)

// ReviewOverdueData is the Data of a review_overdue notice to staff.
type ReviewOverdueData struct {
	// Level is 1 when the review is one workday late, 2 (escalated) from two.
	Level int `json:"level"`
	// Workdays is how many workdays have passed since the application.
	Workdays  int       `json:"workdays"`
	AppliedAt time.Time `json:"applied_at"`
	// Escalate is the Slack user (U…) or user group (S…) to mention, level 2 only.
	Escalate string `json:"escalate,omitempty"`
}

// ReminderData is the Data of a reminder notice to a customer.
type ReminderData struct {
	// Reason is "unpaid" (Approved) or "unconfirmed" (Pending Confirmation).
	Reason   string    `json:"reason"`
	Since    time.Time `json:"since"`
	Workdays int       `json:"workdays"`
	// ExpiresOn is the date (YYYY-MM-DD, local) from which an unpaid
	// application is canceled; empty when it does not expire.
	ExpiresOn string `json:"expires_on,omitempty"`
	// Amount of an unpaid connection, e.g. "CNY 3,000.00".
	Amount string `json:"amount,omitempty"`
}

// Reasons of ReminderData.
const (
	ReminderUnpaid      = "unpaid"
	ReminderUnconfirmed = "unconfirmed"
)

// ReminderPolicy configures CustomerReminders.
type ReminderPolicy struct {
	// RemindAfter is how many workdays a customer step waits before a
	// reminder, and again between reminders (<= 0 disables reminders).
	RemindAfter int
	// ExpireUnpaidAfter is how many workdays an Approved connection stays
	// unpaid before it is canceled (<= 0: never).
	ExpireUnpaidAfter int
}

// ReminderReport says what CustomerReminders did.
type ReminderReport struct {
	Reminded, Expired int
}

// ReviewOverdue decides whether application c, in a region of calendar
// cal, is overdue for review at now, and at which level: 1 once the
// promised review day (the next workday after the application) has
// passed, 2 — escalated, mentioning escalate — from two workdays.
func ReviewOverdue(c Connection, cal *Calendar, now time.Time, escalate string) (ReviewOverdueData, bool) {
	days := cal.WorkdaysSince(c.CreatedAt, now)
	level := min(days, 2)
	if c.Status != StatusApplying || level < 1 {
		return ReviewOverdueData{}, false
	}
	data := ReviewOverdueData{Level: level, Workdays: days, AppliedAt: c.CreatedAt.UTC()}
	if level == 2 {
		data.Escalate = escalate
	}
	return data, true
}

// ReminderDecision is what the customer reminders do about one connection
// waiting on its customer.
type ReminderDecision struct {
	// Expire cancels the connection (action expire) with ExpireReason.
	Expire       bool
	ExpireReason string
	// Remind tells the customer, with Data; Round counts the reminders of
	// this wait (one notice per round).
	Remind bool
	Data   ReminderData
	Round  int
}

// Decide decides, by the policy, what to do at now about connection c,
// which entered its status at since, in a region of calendar cal: an
// Approved connection unpaid for ExpireUnpaidAfter workdays is canceled;
// otherwise the customer is reminded every RemindAfter workdays, of the
// payment (with the amount and the day it expires) or of the confirmation.
func (p ReminderPolicy) Decide(c Connection, since time.Time, cal *Calendar, now time.Time) ReminderDecision {
	if c.Status != StatusApproved && c.Status != StatusPendingConfirmation || since.After(now) {
		return ReminderDecision{}
	}
	days := cal.WorkdaysSince(since, now)
	if c.Status == StatusApproved && p.ExpireUnpaidAfter > 0 && days >= p.ExpireUnpaidAfter {
		return ReminderDecision{Expire: true, ExpireReason: fmt.Sprintf("not paid within %d workdays of approval", p.ExpireUnpaidAfter)}
	}
	if p.RemindAfter <= 0 || days < p.RemindAfter {
		return ReminderDecision{}
	}
	data := ReminderData{Reason: ReminderUnconfirmed, Since: since.UTC(), Workdays: days}
	if c.Status == StatusApproved {
		data.Reason, data.Amount = ReminderUnpaid, FormatMoney(c.AmountCents, c.Currency)
		if p.ExpireUnpaidAfter > 0 {
			data.ExpiresOn = cal.AddWorkdays(since, p.ExpireUnpaidAfter).AddDays(1).String()
		}
	}
	return ReminderDecision{Remind: true, Data: data, Round: days / p.RemindAfter}
}
