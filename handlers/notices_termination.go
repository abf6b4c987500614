package handlers

import (
	"cmp"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// The notices of a line's end: terminating (the provider gets the port
// and the IDC), terminated, termination canceled, a redundant partner
// gone, and the removal visit.

// terminationNotice renders the day-two notices of r; ok is false for
// other kinds.
func terminationNotice(r *noticeRender) (title, intro string, body []slack.Block, ok bool) {
	p := r.p
	d := r.d
	c := &d.Connection
	idc := esc(cmp.Or(d.AccessPoint.IDCName, apName(d)))
	switch r.n.Kind {
	case models.NoticeTerminating:
		ev := lastAction(d, models.ActionTerminate)
		if r.to == toProvider {
			title = "Line to be removed"
			intro = fmt.Sprintf("%s terminated `%s`%s. Remove the line at %s: the port below is to be freed. leaseline books the removal visit by the IDC's rules and sends you its date and reception contact; press *Removal Complete* when the line is out.",
				who(ev, "The customer"), pcID(c), at(p, ev, d), idc)
			body = portFacts(d)
		} else {
			title = "Termination requested"
			intro = fmt.Sprintf("`%s` is *Terminating*: %s terminated it%s. %s removes the line at %s on the booked visit; until then the termination can be canceled.",
				pcID(c), who(ev, "the customer"), at(p, ev, d), esc(providerName(d)), idc)
		}
		body = append(body, labelled("Reason", c.Reason)...)
	case models.NoticeTerminated:
		ev := lastAction(d, models.ActionCompleteRemoval)
		title = "Terminated: the line is removed"
		intro = fmt.Sprintf("%s reported `%s` removed at %s%s. It is *Terminated*; port %s on %s is free again.",
			who(ev, "The service provider"), pcID(c), idc, at(p, ev, d), esc(c.PortName), esc(c.DeviceID))
	case models.NoticeTerminationCanceled:
		ev := lastAction(d, models.ActionCancelTermination)
		title = "Termination canceled: the line stays"
		intro = fmt.Sprintf("%s canceled the termination of `%s`%s. It is *Enabled* again and keeps its port; the removal visit is canceled.",
			who(ev, "The customer"), pcID(c), at(p, ev, d))
		if r.to == toProvider {
			intro += " Do not remove the line."
		}
		body = labelled("Reason", c.Reason)
	case models.NoticePartnerTerminated:
		gone := noticeData[models.PartnerNoticeData](r.n).Partner
		title = "Your redundant partner line is gone"
		intro = fmt.Sprintf("`%s`, the redundant partner of `%s` (%s), was terminated and removed. `%s` now runs without redundancy; apply for a new line to pair it again.",
			esc(cmp.Or(gone, "the partner line")), pcID(c), esc(c.Name), pcID(c))
	default:
		return "", "", nil, false
	}
	return title, intro, body, true
}

// portFacts are the port, device, access point and IDC of a line.
func portFacts(d *models.Detail) []slack.Block {
	c := &d.Connection
	return factBlocks([]fact{
		{label: "Physical connection ID", value: pcID(c)},
		{label: "Port", value: c.PortName},
		{label: "Device", value: c.DeviceID},
		{label: "Access point", value: apName(d)},
		{label: "IDC", value: d.AccessPoint.IDCName},
		{label: "Line code", value: c.LineCode},
	})
}

// removalVisitHeadline is the title and opening sentence of a visit notice
// about a removal visit; ok is false for a construction visit.
func removalVisitHeadline(n models.Notice, to recipient, d *models.Detail, v visitInfo) (string, string, bool) {
	// The data says so from the booking on; a reminder's is read from the
	// line, which is Terminating while its removal visit is pending.
	removal := noticeData[models.VisitNoticeData](n).Removal || d.Connection.Status == models.StatusTerminating
	if !removal || n.Kind == models.NoticeVisitChanged {
		return "", "", false
	}
	idc := esc(cmp.Or(v.idcName, v.apName))
	switch {
	case n.Kind == models.NoticeVisitReminder && to == toProvider:
		return "Today: removal visit", fmt.Sprintf("Your engineers are expected at %s today, *%s*, to remove `%s`. Press *Removal Complete* when the line is out.",
			idc, v.day(), pcID(&d.Connection)), true
	case n.Kind == models.NoticeVisitReminder && to == toReception:
		return "Visitors today", fmt.Sprintf("Engineers of %s come to %s today, *%s*, to remove a leased line (`%s`). Please receive them.",
			esc(providerName(d)), idc, v.day(), pcID(&d.Connection)), true
	case to == toProvider:
		return "Removal visit booked", fmt.Sprintf("Your engineers are expected at %s on *%s* to remove `%s`. The reception contact below receives them. Press *Removal Complete* when the line is out.",
			idc, v.day(), pcID(&d.Connection)), true
	case to == toReception:
		return "Visitors booked", fmt.Sprintf("Engineers arrive at %s on *%s* to remove a leased line (`%s`).", idc, v.day(), pcID(&d.Connection)), true
	}
	return "Removal visit booked", fmt.Sprintf("The removal of `%s` is booked at %s on *%s*.", pcID(&d.Connection), idc, v.day()), true
}
