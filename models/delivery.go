package models

import "time"

// Notice delivery: the notices table is the outbox. The store's
// transactions write pending notices; the delivery side (package bot)
// claims the due ones, posts them to Slack and records the outcome.

// Delivery is a notice claimed for delivery by one worker.
type Delivery struct {
	Notice Notice
	// MaybePosted says that an earlier attempt may have reached Slack (it
	// died, or Slack answered ambiguously): look for the notice's message
	// metadata in the channel before posting again.
	MaybePosted bool
	// Token identifies this claim; only its holder may retry or fail it.
	Token string
}

// NoticeRetry is the outcome of a delivery attempt that did not succeed but
// may succeed later.
type NoticeRetry struct {
	// Next is when to try again.
	Next time.Time
	// Error says why the attempt failed.
	Error string
	// MaybePosted records that the message may have reached Slack.
	MaybePosted bool
	// Uncounted gives the attempt back: it never reached the point of
	// posting (rate limited before it), so it does not count towards the
	// attempts after which a notice fails for good.
	Uncounted bool
}

// DeliveryFailedData is the Data of a delivery_failed notice to staff.
type DeliveryFailedData struct {
	NoticeID int64      `json:"notice_id"`
	Kind     NoticeKind `json:"kind"`
	Channel  string     `json:"channel"`
	Attempts int        `json:"attempts"`
	Error    string     `json:"error"`
}
