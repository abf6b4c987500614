package handlers

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// The visit notices (scheduled, changed, reminder) and the survey's
// engineers they list.

// surveyBlocks shows a survey of d: company, line type, arrival (in the
// region's time) and the engineers, their ID numbers masked.
func surveyBlocks(p lang.Printer, sv *models.Survey, d *models.Detail) []slack.Block {
	if sv == nil {
		return nil
	}
	blocks := factBlocks([]fact{
		{label: p.T("visit.construction_company"), value: sv.ConstructionCompany},
		{label: p.T("visit.line_type"), value: lineType(p, sv.LineType)},
		{label: p.T("visit.planned_arrival"), value: regionWhen(p, sv.PlannedArrival, d)},
		{label: p.T("visit.engineers"), value: strconv.Itoa(len(sv.Engineers))},
	})
	vs := make([]visitor, 0, len(sv.Engineers))
	for _, e := range sv.Engineers {
		vs = append(vs, visitor{name: e.Name, phone: e.Phone, idType: string(e.IDType), idNumber: e.IDNumber})
	}
	return append(blocks, visitorBlocks(p, vs)...)
}

// lineType is a survey's line type in the reader's language.
func lineType(p lang.Printer, t models.LineType) string {
	switch t {
	case models.LineMSTP:
		return p.T("visit.line_mstp")
	case models.LineMPLS:
		return p.T("visit.line_mpls")
	case models.LineFibre:
		return p.T("visit.line_fibre")
	case models.LineOther:
		return p.T("visit.line_other")
	}
	return string(t)
}

// idDocument is an engineer's ID document type in the reader's language.
func idDocument(p lang.Printer, t string) string {
	switch models.IDDocumentType(t) {
	case models.IDCard:
		return p.T("visit.id_card")
	case models.Passport:
		return p.T("visit.passport")
	case models.IDOther:
		return p.T("visit.id_other")
	}
	return t
}

// visitState is a visit's state in the reader's language.
func visitState(p lang.Printer, s models.VisitState) string {
	switch s {
	case models.VisitScheduled:
		return p.T("visit.state_scheduled")
	case models.VisitCanceled:
		return p.T("visit.state_canceled")
	case models.VisitDone:
		return p.T("visit.state_done")
	case models.VisitNoShow:
		return p.T("visit.state_no_show")
	}
	return esc(string(s))
}

// visitor is one engineer expected at the IDC.
type visitor struct{ name, phone, idType, idNumber string }

// visitorBlocks lists visitors as plain text, ID numbers masked.
func visitorBlocks(p lang.Printer, vs []visitor) []slack.Block {
	if len(vs) == 0 {
		return nil
	}
	lines := make([]string, 0, len(vs))
	for i, v := range vs {
		line := fmt.Sprintf("%d. %s", i+1, v.name)
		if v.phone != "" {
			line += " · " + v.phone
		}
		if v.idType != "" || v.idNumber != "" {
			line += " · " + strings.TrimSpace(idDocument(p, v.idType)+" "+models.MaskID(v.idNumber))
		}
		lines = append(lines, line)
	}
	return []slack.Block{slack.NewSectionBlock(ptext(p.T("visit.engineers_going")+"\n"+strings.Join(lines, "\n")), nil, nil)}
}

// visitInfo is what a visit notice shows: its data, completed from the
// connection's visit when the data lacks it.
type visitInfo struct {
	date, weekday, window, tz        string
	idcName, idcAddress, apName      string
	receptionName, receptionPhone    string
	company                          string
	change, previousDate, reason, by string
	plannedReason                    string
	plannedWhy, plannedDate          string
	plannedCapacity                  int
	visitors                         []visitor
}

func visitOf(p lang.Printer, data models.VisitNoticeData, d *models.Detail) visitInfo {
	v := visitInfo{
		date: data.Date, weekday: data.Weekday, window: data.Window, tz: data.TimeZone,
		idcName: named(p, data.IDCName, data.IDCNameZh), idcAddress: named(p, data.IDCAddress, data.IDCAddressZh), apName: named(p, data.AccessPoint, data.AccessPointZh),
		receptionName: data.ReceptionName, receptionPhone: data.ReceptionPhone, company: data.ConstructionCompany,
		change: data.Change, previousDate: data.PreviousDate, reason: data.Reason, by: data.By,
		plannedReason: data.PlannedReason, plannedWhy: data.PlannedWhy, plannedDate: data.PlannedDate, plannedCapacity: data.PlannedCapacity,
	}
	for _, vp := range data.Visitors {
		v.visitors = append(v.visitors, visitor{name: vp.Name, phone: vp.Phone, idType: vp.IDType, idNumber: vp.IDNumber})
	}
	if d == nil {
		return v
	}
	if d.Visit != nil {
		v.date = cmp.Or(v.date, d.Visit.Date)
		v.window = cmp.Or(v.window, d.Visit.Window)
	}
	v.idcName = cmp.Or(v.idcName, named(p, d.AccessPoint.IDCName, d.AccessPoint.IDCNameZh))
	v.idcAddress = cmp.Or(v.idcAddress, idcAddress(p, d))
	v.apName = cmp.Or(v.apName, named(p, d.AccessPoint.Name, d.AccessPoint.NameZh))
	v.tz = cmp.Or(v.tz, d.Region.TimeZone)
	if d.Reception != nil {
		v.receptionName = cmp.Or(v.receptionName, d.Reception.Name)
		v.receptionPhone = cmp.Or(v.receptionPhone, d.Reception.Phone)
	}
	if d.Survey != nil {
		v.company = cmp.Or(v.company, d.Survey.ConstructionCompany)
		if len(v.visitors) == 0 {
			for _, e := range d.Survey.Engineers {
				v.visitors = append(v.visitors, visitor{name: e.Name, phone: e.Phone, idType: string(e.IDType), idNumber: e.IDNumber})
			}
		}
	}
	if v.weekday == "" {
		if date, err := models.ParseDate(v.date); err == nil {
			v.weekday = date.Weekday().String()
		}
	}
	return v
}

// date is the visit's date with its weekday as the reader writes it
// ("Friday 2026-11-27" in English), "" when unknown.
func (v visitInfo) dateText(p lang.Printer) string {
	if p.Lang() != lang.English {
		if d, err := models.ParseDate(v.date); err == nil {
			return p.Date(d.In(time.UTC, 12, 0))
		}
	}
	return strings.TrimSpace(v.weekday + " " + v.date)
}

// day is the visit's date, weekday and window, escaped.
func (v visitInfo) day(p lang.Printer) string {
	s := cmp.Or(v.dateText(p), p.T("visit.date_to_confirm"))
	if v.window != "" {
		s = p.T("visit.day_window", lang.Args{"Day": s, "Window": v.window})
	}
	if v.tz != "" {
		s = p.T("visit.day_zone", lang.Args{"Day": s, "Zone": v.tz})
	}
	return esc(s)
}

// headline is the title and the opening sentence of a visit notice for its
// recipient.
func (v visitInfo) headline(p lang.Printer, kind models.NoticeKind, to recipient, d *models.Detail) (string, string) {
	args := lang.Args{"IDC": esc(cmp.Or(v.idcName, v.apName)), "Day": v.day(p), "ID": pcID(&d.Connection), "By": byUser(p, v.by)}
	switch kind {
	case models.NoticeVisitChanged:
		if v.change == models.VisitChangeCanceled {
			args["Date"] = dayOf(p, cmp.Or(v.previousDate, v.date))
			return p.T("visit.canceled_title"), p.T("visit.canceled_intro", args)
		}
		if v.previousDate != "" {
			args["From"] = dayOf(p, v.previousDate)
			return p.T("visit.rescheduled_title"), p.T("visit.rescheduled_from_intro", args)
		}
		return p.T("visit.rescheduled_title"), p.T("visit.rescheduled_intro", args)
	case models.NoticeVisitReminder:
		if to == toReception {
			args["Company"] = esc(cmp.Or(v.company, providerName(p, d)))
			return p.T("visit.reminder_reception_title"), p.T("visit.reminder_reception_intro", args)
		}
		return p.T("visit.reminder_title"), p.T("visit.reminder_intro", args)
	}
	switch to {
	case toProvider:
		return p.T("visit.booked_title"), p.T("visit.booked_provider_intro", args)
	case toStaff:
		return p.T("visit.booked_title"), p.T("visit.booked_staff_intro", args)
	case toReception:
		return p.T("visit.booked_reception_title"), p.T("visit.booked_reception_intro", args)
	}
	args["Provider"] = esc(providerName(p, d))
	return p.T("visit.booked_title"), p.T("visit.booked_customer_intro", args)
}

// blocks are a visit notice's facts: where, when, who receives, who comes.
func (v visitInfo) blocks(p lang.Printer, kind models.NoticeKind) []slack.Block {
	fs := []fact{
		{label: p.T("visit.date"), value: v.dateText(p)},
		{label: p.T("visit.time_window"), value: strings.TrimSpace(v.window + " " + v.tz)},
		{label: p.T("visit.idc"), value: v.idcName},
		{label: p.T("visit.address"), value: v.idcAddress},
		{label: p.T("visit.reception"), value: strings.Trim(v.receptionName+" · "+v.receptionPhone, " ·")},
	}
	if v.company != "" {
		fs = append(fs, fact{label: p.T("visit.construction_company"), value: v.company})
	}
	blocks := factBlocks(fs)
	if kind == models.NoticeVisitChanged && v.reason != "" {
		blocks = append(blocks, labelled(p.T("visit.reason"), v.reason)...)
	}
	return append(blocks, visitorBlocks(p, v.visitors)...)
}

// receptionBlocks is what the reception person learns of the connection:
// which line, and the device and port the engineers work on.
func receptionBlocks(p lang.Printer, c *models.Connection) []slack.Block {
	device, port := c.DeviceID, c.PortName
	if device == "" {
		device = p.T("visit.allocated_on_payment")
	}
	if port == "" {
		port = p.T("visit.allocated_on_payment")
	}
	return append(factBlocks([]fact{
		{label: p.T("visit.connection"), value: pcID(c)},
		{label: p.T("visit.device"), value: device},
		{label: p.T("visit.port"), value: port},
	}), slack.NewContextBlock("", md(statusLine(p, c))))
}

// plannedNote is why the visit is not on the date the provider planned,
// for the provider and the customer when a visit is booked ("" else).
func (v visitInfo) plannedNote(p lang.Printer, kind models.NoticeKind, to recipient) string {
	if kind != models.NoticeVisitScheduled || v.plannedReason == "" || (to != toProvider && to != toCustomer) {
		return ""
	}
	if p.Lang() == lang.English || v.plannedWhy == "" {
		// English as the booking wrote it (and notices from before the
		// reason had a code).
		return "\n:calendar: " + esc(v.plannedReason)
	}
	args := lang.Args{"Booked": dayOf(p, v.date), "Planned": dayOf(p, v.plannedDate), "IDC": esc(v.idcName), "Max": v.plannedCapacity}
	var why string
	switch v.plannedWhy {
	case models.PlannedTooSoon:
		why = p.T("visit.planned.too_soon", args)
	case models.PlannedNotWorkday:
		why = p.T("visit.planned.not_workday", args)
	case models.PlannedLockDown:
		why = p.T("visit.planned.lockdown", args)
	case models.PlannedFull:
		why = p.T("visit.planned.full", args)
	case models.PlannedNoReception:
		why = p.T("visit.planned.no_reception", args)
	default:
		return "\n:calendar: " + esc(v.plannedReason)
	}
	args["Why"] = why
	return "\n:calendar: " + p.T("visit.planned.note", args)
}
