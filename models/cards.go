package models

import "time"

// Cards: every message posted about a connection is recorded with where it
// went (channel, ts), who reads it and the buttons it carries, so that
// once a step has passed, every earlier message still offering a button
// for it is updated in place (its buttons gone, its status line brought up
// to date). Settling is durable: every transaction that records notices
// about a connection also records one settle notice for it, which the
// delivery worker carries out after the commit.

// NoticeSettle is the notice that settles a connection's cards: nobody is
// told anything new; the cards still offering a step that has passed are
// updated in place.
const NoticeSettle NoticeKind = "settle"

// Audiences of cards: who reads the message.
const (
	AudienceStaff     = "staff"
	AudienceCustomer  = "customer"
	AudienceProvider  = "provider"
	AudienceReception = "reception"
)

// Card is a message posted about a connection.
type Card struct {
	ID           int64 `gorm:"primaryKey"`
	ConnectionID int64
	NoticeID     int64
	Kind         NoticeKind
	Channel      string
	TS           string
	Audience     string
	// Buttons are the action IDs of the buttons the message offers now,
	// space separated ("" once it offers none: it needs no more settling).
	Buttons   string
	PostedAt  time.Time
	SettledAt *time.Time
	// Notice is the notice the card was posted for (not a column).
	Notice Notice `gorm:"-"`
}

// Settles reports whether a notice of kind k leads to the connection's
// cards being settled: every notice about a connection except the settle
// notice itself and delivery alerts.
func Settles(k NoticeKind) bool {
	return k != NoticeSettle && k != NoticeDeliveryFailed
}
