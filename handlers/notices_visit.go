package handlers

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

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
		{label: "Construction company", value: sv.ConstructionCompany},
		{label: "Line type", value: string(sv.LineType)},
		{label: "Planned arrival", value: regionWhen(p, sv.PlannedArrival, d)},
		{label: "Engineers", value: strconv.Itoa(len(sv.Engineers))},
	})
	vs := make([]visitor, 0, len(sv.Engineers))
	for _, e := range sv.Engineers {
		vs = append(vs, visitor{name: e.Name, phone: e.Phone, idType: string(e.IDType), idNumber: e.IDNumber})
	}
	return append(blocks, visitorBlocks(vs)...)
}

// visitor is one engineer expected at the IDC.
type visitor struct{ name, phone, idType, idNumber string }

// visitorBlocks lists visitors as plain text, ID numbers masked.
func visitorBlocks(vs []visitor) []slack.Block {
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
			line += " · " + strings.TrimSpace(v.idType+" "+models.MaskID(v.idNumber))
		}
		lines = append(lines, line)
	}
	return []slack.Block{slack.NewSectionBlock(ptext("Engineers going to the IDC:\n"+strings.Join(lines, "\n")), nil, nil)}
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
	visitors                         []visitor
}

func visitOf(data models.VisitNoticeData, d *models.Detail) visitInfo {
	v := visitInfo{
		date: data.Date, weekday: data.Weekday, window: data.Window, tz: data.TimeZone,
		idcName: data.IDCName, idcAddress: data.IDCAddress, apName: data.AccessPoint,
		receptionName: data.ReceptionName, receptionPhone: data.ReceptionPhone, company: data.ConstructionCompany,
		change: data.Change, previousDate: data.PreviousDate, reason: data.Reason, by: data.By,
		plannedReason: data.PlannedReason,
	}
	for _, p := range data.Visitors {
		v.visitors = append(v.visitors, visitor{name: p.Name, phone: p.Phone, idType: p.IDType, idNumber: p.IDNumber})
	}
	if d == nil {
		return v
	}
	if d.Visit != nil {
		v.date = cmp.Or(v.date, d.Visit.Date)
		v.window = cmp.Or(v.window, d.Visit.Window)
	}
	v.idcName = cmp.Or(v.idcName, d.AccessPoint.IDCName)
	v.idcAddress = cmp.Or(v.idcAddress, d.AccessPoint.IDCAddress)
	v.apName = cmp.Or(v.apName, d.AccessPoint.Name)
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

// day is the visit's date, weekday and window, escaped.
func (v visitInfo) day() string {
	s := cmp.Or(v.date, "a date to be confirmed")
	if v.weekday != "" {
		s = v.weekday + " " + s
	}
	if v.window != "" {
		s += ", " + v.window
	}
	if v.tz != "" {
		s += " (" + v.tz + ")"
	}
	return esc(s)
}

// headline is the title and the opening sentence of a visit notice for its
// recipient.
func (v visitInfo) headline(kind models.NoticeKind, to recipient, d *models.Detail) (string, string) {
	idc := esc(cmp.Or(v.idcName, v.apName))
	switch kind {
	case models.NoticeVisitChanged:
		if v.change == models.VisitChangeCanceled {
			return "IDC visit canceled", fmt.Sprintf("The IDC visit for `%s` on %s at %s is canceled%s. After-sales books a new one and tells you.",
				pcID(&d.Connection), esc(cmp.Or(v.previousDate, v.date)), idc, byUser(v.by))
		}
		from := ""
		if v.previousDate != "" {
			from = " from " + esc(v.previousDate)
		}
		return "IDC visit rescheduled", fmt.Sprintf("The IDC visit for `%s` moved%s to *%s* at %s%s.", pcID(&d.Connection), from, v.day(), idc, byUser(v.by))
	case models.NoticeVisitReminder:
		if to == toReception {
			return "Visitors today", fmt.Sprintf("Engineers of %s arrive at %s today, *%s*, to build a leased line (`%s`). Please receive them; their ID numbers are shown masked, check the documents at the door.",
				esc(cmp.Or(v.company, providerName(d))), idc, v.day(), pcID(&d.Connection))
		}
		return "Today: IDC visit", fmt.Sprintf("Your engineers are expected at %s today, *%s*. Bring the ID documents listed in the survey; the reception contact is below. Press *Construction Complete* when the line is built.", idc, v.day())
	}
	switch to {
	case toProvider:
		return "IDC visit booked", fmt.Sprintf("Your engineers are expected at %s on *%s*. The reception contact below receives them. Press *Construction Complete* when the line is built.", idc, v.day())
	case toStaff:
		return "IDC visit booked", fmt.Sprintf("The IDC visit for `%s` is booked on *%s* at %s.", pcID(&d.Connection), v.day(), idc)
	case toReception:
		return "Visitors booked", fmt.Sprintf("Engineers arrive at %s on *%s* to build a leased line (`%s`).", idc, v.day(), pcID(&d.Connection))
	}
	return "IDC visit booked", fmt.Sprintf("After-sales booked the IDC visit of %s's engineers on *%s* at %s. The provider has the date and the reception contact too; it completes the construction, then you confirm.",
		esc(providerName(d)), v.day(), idc)
}

// blocks are a visit notice's facts: where, when, who receives, who comes.
func (v visitInfo) blocks(kind models.NoticeKind) []slack.Block {
	fs := []fact{
		{label: "Date", value: strings.TrimSpace(v.weekday + " " + v.date)},
		{label: "Time window", value: strings.TrimSpace(v.window + " " + v.tz)},
		{label: "IDC", value: v.idcName},
		{label: "Address", value: v.idcAddress},
		{label: "Reception", value: strings.Trim(v.receptionName+" · "+v.receptionPhone, " ·")},
	}
	if v.company != "" {
		fs = append(fs, fact{label: "Construction company", value: v.company})
	}
	blocks := factBlocks(fs)
	if kind == models.NoticeVisitChanged && v.reason != "" {
		blocks = append(blocks, labelled("Reason", v.reason)...)
	}
	return append(blocks, visitorBlocks(v.visitors)...)
}

// receptionBlocks is what the reception person learns of the connection:
// which line, and the device and port the engineers work on.
func receptionBlocks(p lang.Printer, c *models.Connection) []slack.Block {
	device, port := c.DeviceID, c.PortName
	if device == "" {
		device = "allocated on payment"
	}
	if port == "" {
		port = "allocated on payment"
	}
	return append(factBlocks([]fact{
		{label: "Connection", value: pcID(c)},
		{label: "Device", value: device},
		{label: "Port", value: port},
	}), slack.NewContextBlock("", md(statusLine(p, c))))
}

// plannedNote is why the visit is not on the date the provider planned,
// for the provider and the customer when a visit is booked ("" else).
func (v visitInfo) plannedNote(kind models.NoticeKind, to recipient) string {
	if kind != models.NoticeVisitScheduled || v.plannedReason == "" || (to != toProvider && to != toCustomer) {
		return ""
	}
	return "\n:calendar: " + esc(v.plannedReason)
}
