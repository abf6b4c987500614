package models

import (
	"fmt"
	"strings"
	"time"
)

// Picking the day of an IDC visit: a pure function of the region's
// calendar, the IDC's capacity, lock-down days and reception rota, the
// visits booked already, and the ticket. The store loads these and applies
// the pick; a batch of tickets is booked by picking in turn and taking each
// pick (VisitDays.Take), first come, first served.

// maxVisitScan bounds the search for a day with room: two years of days
// without one means a broken catalog (no rota, capacity 0), not a busy IDC.
const maxVisitScan = 2 * 366

// VisitDays is what picking a visit's day knows of one access point.
type VisitDays struct {
	// The access point's ID and name, and its IDC's name, for messages.
	AccessPoint, Name, IDCName string
	Calendar                   *Calendar
	// Capacity is how many visits the IDC receives a day (below 1 counts as 1).
	Capacity int
	// Window is the time of day of its visits, e.g. "09:30-12:00".
	Window string
	// LockDowns are the IDC's lock-down days (its own and its region's).
	LockDowns map[Date]bool
	// Booked counts the visits (not canceled) booked per day.
	Booked map[Date]int
	// Rota is the IDC's reception rota, by id; Load counts the visits (not
	// canceled) each of them has been given.
	Rota []ReceptionPerson
	Load map[int64]int
	// Until is the last day the region's calendar is known (zero: no
	// limit): no visit is booked past it, the ticket waits for the
	// calendar to be extended.
	Until Date

	// closed maps a day found closed to visits (not a workday, a lock-down
	// day, full, nobody on duty) to a later day that may not be: Pick
	// jumps over runs of closed days instead of walking them one by one (a
	// batch filling an IDC months ahead). A day stays closed: Booked only
	// grows, by Take, once picking began.
	closed map[Date]Date
}

// VisitRequest is a construction ticket asking for a visit.
type VisitRequest struct {
	Submitted time.Time // when the ticket was submitted
	// Planned is when the provider's survey plans the engineers' arrival
	// (zero: no plan).
	Planned time.Time
	Now     time.Time // when the booking is made
}

// VisitDay is a pick: the date and the reception person on duty.
type VisitDay struct {
	Date      Date
	Reception ReceptionPerson
}

// BookingQuery chooses the tickets of a booking batch: waiting tickets
// with ids above AfterID, oldest first, at most Limit (<= 0: 500), at the
// given access points (none: all).
type BookingQuery struct {
	AfterID      int64
	Limit        int
	AccessPoints []string
}

// BookingBatch is what booking a batch of construction tickets did.
type BookingBatch struct {
	// Claimed is how many tickets the batch took on (booked or failed), and
	// LastTicketID the highest of their ids: the next batch starts after it.
	Claimed      int
	LastTicketID int64
	Booked       []Visit
	Failed       []TicketFailure // left open
}

// TicketFailure is a ticket that could not be booked, and why.
type TicketFailure struct {
	TicketID int64
	Err      error
}

// RequestOf is ticket t asking for a visit at now: a construction ticket's
// not before its survey's planned arrival (sv may be nil), a removal
// ticket's not before the planned date its termination gave (local to cal).
func RequestOf(t *Ticket, sv *Survey, cal *Calendar, now time.Time) VisitRequest {
	r := VisitRequest{Submitted: t.CreatedAt, Now: now}
	switch {
	case t.Kind == TicketRemoval:
		if d, err := ParseDate(t.PlannedDate); err == nil {
			r.Planned = d.In(cal.Location, 12, 0)
		}
	case sv != nil:
		r.Planned = sv.PlannedArrival
	}
	return r
}

// Earliest is the first date a visit of r may be booked on: the day after
// the ticket's local date, not before the planned arrival's local date,
// and not before the day of the booking. The booking day itself only while
// its visit window has not begun (a window that does not read as hh:mm-…
// counts as begun): a ticket of Friday 23:30 booked at 00:05 on a make-up
// Saturday is booked for that Saturday.
func (v *VisitDays) Earliest(r VisitRequest) Date {
	loc := v.Calendar.Location
	start := DateOf(r.Submitted, loc).AddDays(1)
	today := DateOf(r.Now, loc)
	first := today.AddDays(1)
	if h, m, ok := windowStart(v.Window); ok && r.Now.Before(today.In(loc, h, m)) {
		first = today
	}
	if start.Before(first) {
		start = first
	}
	if !r.Planned.IsZero() {
		if planned := DateOf(r.Planned, loc); start.Before(planned) {
			start = planned
		}
	}
	return start
}

// Pick chooses the day of r's visit: the first day from Earliest that is a
// workday of the region's calendar, not a lock-down day, below the daily
// capacity and with someone of the rota on duty; and the person on duty
// with the fewest visits (the lowest id on a tie). It books nothing; it
// remembers the days it found closed, so that later picks jump over them
// (after the first Pick, record bookings with Take only).
func (v *VisitDays) Pick(r VisitRequest) (VisitDay, error) {
	if len(v.Rota) == 0 {
		return VisitDay{}, fmt.Errorf("access point %s has no reception rota: add reception people to the catalog", v.AccessPoint)
	}
	start := v.Earliest(r)
	end := start.AddDays(maxVisitScan) // the first day not looked at
	d := v.open(start)
	for d.Before(end) {
		if v.Until != (Date{}) && v.Until.Before(d) {
			return VisitDay{}, fmt.Errorf("access point %s has no day with room for a visit from %s to %s, the end of the region's known calendar: extend the calendar", v.AccessPoint, start, v.Until)
		}
		if v.Calendar.IsWorkday(d) && !v.LockDowns[d] && v.Booked[d] < v.capacity() {
			if rp := v.onDuty(d); rp != nil {
				return VisitDay{Date: d, Reception: *rp}, nil
			}
		}
		v.close(d)
		d = v.open(d)
	}
	return VisitDay{}, fmt.Errorf("access point %s has no day with room for a visit from %s to %s (capacity %d, lock-downs, rota)", v.AccessPoint, start, end, v.capacity())
}

// Take records the booking of a pick, so that the next Pick sees it.
func (v *VisitDays) Take(p VisitDay) {
	if v.Booked == nil {
		v.Booked = map[Date]int{}
	}
	if v.Load == nil {
		v.Load = map[int64]int{}
	}
	v.Booked[p.Date]++
	v.Load[p.Reception.ID]++
	if v.Booked[p.Date] >= v.capacity() {
		v.close(p.Date)
	}
}

// close records that no visit can be booked on d any more.
func (v *VisitDays) close(d Date) {
	if v.closed == nil {
		v.closed = map[Date]Date{}
	}
	v.closed[d] = d.AddDays(1)
}

// open returns the first day from d not known to be closed, and shortens
// the jumps it followed (path compression: each closed day is walked past
// about once however many picks start before it).
func (v *VisitDays) open(d Date) Date {
	e := d
	for {
		next, ok := v.closed[e]
		if !ok {
			break
		}
		e = next
	}
	for d != e {
		next := v.closed[d]
		v.closed[d] = e
		d = next
	}
	return e
}

// Check tells whether the IDC takes one more visit on d (a visit moved by
// staff), and returns the reception person for it: keep when on duty that
// day, else the rota's pick. today is the region's local date. A broken
// rule is a RuleError naming it.
func (v *VisitDays) Check(d, today Date, keep *ReceptionPerson) (ReceptionPerson, error) {
	// args name the values the message says (RuleError.Args).
	rule := func(rule string, args map[string]any, msg string, fmtArgs ...any) error {
		return &RuleError{Field: "Date", Rule: rule, Message: fmt.Sprintf(msg, fmtArgs...), Args: args}
	}
	switch {
	case d.Before(today):
		return ReceptionPerson{}, rule("visit-date-past", map[string]any{"Date": d, "Today": today, "Name": v.Name}, "%s is in the past (today is %s at %s).", d, today, v.Name)
	case !v.Calendar.IsWorkday(d):
		return ReceptionPerson{}, rule("visit-date-workday", map[string]any{"Date": d, "Weekday": d.Weekday()}, "%s (%s) is not a workday in the region's calendar; pick a workday.", d, d.Weekday())
	case v.Until != (Date{}) && v.Until.Before(d):
		return ReceptionPerson{}, rule("calendar-known-until", map[string]any{"Date": d, "Until": v.Until}, "%s is past %s, the last day the region's calendar is known for (known_until): extend the calendar first.", d, v.Until)
	case v.LockDowns[d]:
		return ReceptionPerson{}, rule("visit-date-lockdown", map[string]any{"Date": d, "IDC": v.IDCName}, "%s is a lock-down day at %s: the IDC receives no visits.", d, v.IDCName)
	case v.Booked[d] >= v.capacity():
		return ReceptionPerson{}, rule("visit-capacity", map[string]any{"Date": d, "IDC": v.IDCName, "Max": v.capacity()}, "%s is full at %s: %d visits a day at most.", d, v.IDCName, v.capacity())
	}
	if keep != nil && WorksOn(keep, d) {
		return *keep, nil
	}
	p := v.onDuty(d)
	if p == nil {
		return ReceptionPerson{}, rule("visit-reception", map[string]any{"IDC": v.IDCName, "Date": d, "Weekday": d.Weekday()}, "Nobody of the reception rota of %s is on duty on %s (%s).", v.IDCName, d, d.Weekday())
	}
	return *p, nil
}

func (v *VisitDays) capacity() int { return max(v.Capacity, 1) }

// onDuty picks the reception person on duty on d with the fewest visits,
// the lowest id on a tie: the rota rotates fairly.
func (v *VisitDays) onDuty(d Date) *ReceptionPerson {
	var best *ReceptionPerson
	for i := range v.Rota {
		p := &v.Rota[i]
		if !WorksOn(p, d) {
			continue
		}
		if best == nil || v.Load[p.ID] < v.Load[best.ID] {
			best = p
		}
	}
	return best
}

// windowStart reads the start hh:mm of a visit window such as "09:30-12:00".
func windowStart(w string) (hour, minute int, ok bool) {
	from, _, _ := strings.Cut(strings.TrimSpace(w), "-")
	t, err := time.Parse("15:04", strings.TrimSpace(from))
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// WorksOn reports whether p is on duty on d: an empty list of weekdays
// means every day; a list that does not parse, none.
func WorksOn(p *ReceptionPerson, d Date) bool {
	if strings.TrimSpace(p.Weekdays) == "" {
		return true
	}
	days, err := ParseWeekdays(p.Weekdays)
	if err != nil {
		return false
	}
	return days[d.Weekday()]
}
