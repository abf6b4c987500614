package models

import (
	"crypto/rand"
	"math/big"
	"strings"
	"time"
)

// Check-in at the IDC desk and no-shows: every booked visit carries a short
// verification code (printed on the entry letter); the visit's reception
// person or staff press Visitors Arrived (or run `checkin CODE`) on the
// visit's day, which records the Connecting step "on site"; a visit nobody
// checked in an hour after its window ended is marked No Show.

// The notices of check-in and no-shows.
const (
	NoticeOnSite      NoticeKind = "on_site"       // customer and provider: engineers on site at …
	NoticeVisitNoShow NoticeKind = "visit_no_show" // staff (Reschedule Visit), provider, customer
)

// CheckinNoticeData is the Data of the on_site and visit_no_show notices.
type CheckinNoticeData struct {
	VisitID  int64     `json:"visit_id"`
	Date     string    `json:"date"`   // YYYY-MM-DD, local to the region
	Window   string    `json:"window"` // e.g. "09:30-12:00"
	At       time.Time `json:"at"`     // arrived (on_site) or marked (visit_no_show)
	By       string    `json:"by,omitempty"`
	TimeZone string    `json:"time_zone"`
	Removal  bool      `json:"removal,omitempty"`
}

// CheckinAlphabet is the verification code's alphabet: capitals and digits
// without the look-alikes (0/O, 1/I).
const CheckinAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewCheckinCode returns a verification code of 8 characters of
// CheckinAlphabet from crypto/rand, shown as XXXX-XXXX (40 bits).
func NewCheckinCode() string {
	var b strings.Builder
	n := big.NewInt(int64(len(CheckinAlphabet)))
	for i := range 8 {
		if i == 4 {
			b.WriteByte('-')
		}
		k, err := rand.Int(rand.Reader, n)
		if err != nil {
			panic("crypto/rand failed: " + err.Error()) // never on supported platforms
		}
		b.WriteByte(CheckinAlphabet[k.Int64()])
	}
	return b.String()
}

// NormalizeCheckinCode reads a code as typed: spaces and dashes ignored,
// lower case accepted, then shown as XXXX-XXXX. It returns "" for anything
// that is not 8 characters of CheckinAlphabet.
func NormalizeCheckinCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r < 128 && strings.ContainsRune(CheckinAlphabet, r):
			b.WriteRune(r)
		default:
			return ""
		}
	}
	code := b.String()
	if len(code) != 8 {
		return ""
	}
	return code[:4] + "-" + code[4:]
}

// WindowEnd is the end of visit window w (e.g. "09:30-12:00") on date d in
// loc; ok is false when w has no end time.
func WindowEnd(d Date, w string, loc *time.Location) (time.Time, bool) {
	_, end, found := strings.Cut(w, "-")
	if !found {
		return time.Time{}, false
	}
	h, m, ok := windowStart(strings.TrimSpace(end))
	if !ok {
		return time.Time{}, false
	}
	return d.In(loc, h, m), true
}

// NoShowAfter is how long after its window ended a visit nobody checked in
// becomes a no-show.
const NoShowAfter = time.Hour

// NoShowDue reports whether visit v (scheduled, nobody checked in), in
// the region of loc, is a no-show at now: an hour after its window ended
// (a window without an end: the end of its day).
func NoShowDue(v *Visit, loc *time.Location, now time.Time) bool {
	if v.State != VisitScheduled || v.ArrivedAt != nil || v.NoShowAt != nil {
		return false
	}
	d, err := ParseDate(v.Date)
	if err != nil {
		return false
	}
	end, ok := WindowEnd(d, v.Window, loc)
	if !ok {
		end = d.In(loc, 24, 0)
	}
	return !now.Before(end.Add(NoShowAfter))
}

// CheckIn names the visit to check in: by its ID (the Visitors Arrived
// button) or by its verification code (`checkin CODE`).
type CheckIn struct {
	VisitID int64
	Code    string
}

// Why a check-in was refused (CheckinRefusal.Reason).
const (
	// CheckinWrongCode: no visit the actor may check in has this code. It
	// says nothing of other visits: a code of a visit the actor may not
	// check in is refused so too.
	CheckinWrongCode = "wrong-code"
	// CheckinNotYours: the actor is neither the visit's reception person
	// nor staff.
	CheckinNotYours = "not-yours"
	// CheckinNotToday: it is not the visit's day in the region's time.
	CheckinNotToday = "not-today"
	// CheckinNotBooked: the visit is canceled, or took place.
	CheckinNotBooked = "not-booked"
)

// CheckinRefusal says why visitors could not be checked in. A wrong code is
// also ErrNotFound, a wrong person ErrForbidden.
type CheckinRefusal struct {
	Reason string
	// Date and Window are the visit's (not-today, not-booked only).
	Date, Window string
	State        VisitState
}

func (e *CheckinRefusal) Error() string {
	switch e.Reason {
	case CheckinWrongCode:
		return "check in: no visit for you to check in has this code"
	case CheckinNotYours:
		return "check in: only the visit's reception person or staff may check its visitors in"
	case CheckinNotToday:
		return "check in: the visit is on " + e.Date + ", not today"
	}
	return "check in: the visit is " + string(e.State)
}

// Is makes a wrong code ErrNotFound and a wrong person ErrForbidden.
func (e *CheckinRefusal) Is(target error) bool {
	return e.Reason == CheckinWrongCode && target == ErrNotFound || e.Reason == CheckinNotYours && target == ErrForbidden
}
