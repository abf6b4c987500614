package models

import "time"

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
