package models

import (
	"fmt"
	"time"
)

// Why a visit is not on its planned day (VisitDays.PlannedWhy).
const (
	PlannedTooSoon     = "too_soon"
	PlannedNotWorkday  = "not_workday"
	PlannedLockDown    = "lockdown"
	PlannedFull        = "full"
	PlannedNoReception = "no_reception"
)

// PlannedWhy says why a visit booked on booked is not on the local date of
// the survey's planned arrival, as a code (Planned…; "" when it is, or when
// the survey planned no arrival), with that planned date and the IDC's
// daily capacity, for each reader to word in their language.
func (v *VisitDays) PlannedWhy(r VisitRequest, booked Date) (why string, planned Date, capacity int) {
	if r.Planned.IsZero() {
		return "", Date{}, 0
	}
	planned = DateOf(r.Planned, v.Calendar.Location)
	if planned == booked {
		return "", planned, 0
	}
	noPlan := r
	noPlan.Planned = time.Time{}
	switch first := v.Earliest(noPlan); {
	case planned.Before(first):
		return PlannedTooSoon, planned, 0
	case !v.Calendar.IsWorkday(planned):
		return PlannedNotWorkday, planned, 0
	case v.LockDowns[planned]:
		return PlannedLockDown, planned, 0
	case v.Booked[planned] >= v.capacity():
		return PlannedFull, planned, v.capacity()
	case v.onDuty(planned) == nil:
		return PlannedNoReception, planned, 0
	}
	return "", planned, 0
}

// PlannedReason says plainly why a visit booked on booked is not on the
// local date of the survey's planned arrival ("" when it is, or when the
// survey planned no arrival), in English (PlannedWhy for other readers).
func (v *VisitDays) PlannedReason(r VisitRequest, booked Date) string {
	code, planned, capacity := v.PlannedWhy(r, booked)
	if code == "" {
		return ""
	}
	idc := v.IDCName
	if idc == "" {
		idc = v.Name
	}
	day := func(d Date) string { return fmt.Sprintf("%s %s", d.Weekday(), d) }
	var why string
	switch code {
	case PlannedTooSoon:
		why = fmt.Sprintf("%s is too soon: a visit is booked from the day after the construction ticket, and not on a day whose visit window has begun", day(planned))
	case PlannedNotWorkday:
		why = fmt.Sprintf("%s is not a workday in the region's calendar", day(planned))
	case PlannedLockDown:
		why = fmt.Sprintf("%s is a lock-down day at %s: it receives no visits", day(planned), idc)
	case PlannedFull:
		why = fmt.Sprintf("%s is fully booked at %s (%d visits a day at most)", day(planned), idc, capacity)
	case PlannedNoReception:
		why = fmt.Sprintf("nobody of the reception at %s is on duty on %s", idc, day(planned))
	}
	return fmt.Sprintf("Booked for %s, not the planned %s: %s. %s is the first workday with room.", day(booked), day(planned), why, day(booked))
}
