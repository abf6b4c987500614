package models

import (
	"fmt"
	"time"
)

// PlannedReason says plainly why a visit booked on booked is not on the
// local date of the survey's planned arrival ("" when it is, or when the
// survey planned no arrival): the provider and the customer read it.
func (v *VisitDays) PlannedReason(r VisitRequest, booked Date) string {
	if r.Planned.IsZero() {
		return ""
	}
	planned := DateOf(r.Planned, v.Calendar.Location)
	if planned == booked {
		return ""
	}
	idc := v.IDCName
	if idc == "" {
		idc = v.Name
	}
	day := func(d Date) string { return fmt.Sprintf("%s %s", d.Weekday(), d) }
	noPlan := r
	noPlan.Planned = time.Time{}
	var why string
	switch first := v.Earliest(noPlan); {
	case planned.Before(first):
		why = fmt.Sprintf("%s is too soon: a visit is booked from the day after the construction ticket, and not on a day whose visit window has begun", day(planned))
	case !v.Calendar.IsWorkday(planned):
		why = fmt.Sprintf("%s is not a workday in the region's calendar", day(planned))
	case v.LockDowns[planned]:
		why = fmt.Sprintf("%s is a lock-down day at %s: it receives no visits", day(planned), idc)
	case v.Booked[planned] >= v.capacity():
		why = fmt.Sprintf("%s is fully booked at %s (%d visits a day at most)", day(planned), idc, v.capacity())
	case v.onDuty(planned) == nil:
		why = fmt.Sprintf("nobody of the reception at %s is on duty on %s", idc, day(planned))
	default:
		return ""
	}
	return fmt.Sprintf("Booked for %s, not the planned %s: %s. %s is the first workday with room.", day(booked), day(planned), why, day(booked))
}
