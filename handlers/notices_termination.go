package handlers

import (
	"cmp"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
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
	idc := esc(idcNamed(p, d))
	switch r.n.Kind {
	case models.NoticeTerminating:
		ev := lastAction(d, models.ActionTerminate)
		if r.to == toProvider {
			title = p.T("termination.provider_title")
			intro = p.T("termination.provider_intro", lang.Args{"Who": who(ev, p.T("notices.the_customer")), "ID": pcID(c), "At": at(p, ev, d), "IDC": idc})
			body = portFacts(p, d)
		} else {
			title = p.T("termination.requested_title")
			intro = p.T("termination.requested_intro", lang.Args{"ID": pcID(c), "Terminating": statusWord(p, models.StatusTerminating),
				"Who": who(ev, p.T("notices.the_customer_lower")), "At": at(p, ev, d), "Provider": esc(providerName(p, d)), "IDC": idc})
		}
		body = append(body, labelled(p.T("notices.reason"), c.Reason)...)
	case models.NoticeTerminated:
		ev := lastAction(d, models.ActionCompleteRemoval)
		title = p.T("termination.terminated_title")
		intro = p.T("termination.terminated_intro", lang.Args{"Who": who(ev, p.T("notices.the_provider")), "ID": pcID(c), "IDC": idc, "At": at(p, ev, d),
			"Terminated": statusWord(p, models.StatusTerminated), "Port": esc(c.PortName), "Device": esc(c.DeviceID)})
	case models.NoticeTerminationCanceled:
		ev := lastAction(d, models.ActionCancelTermination)
		title = p.T("termination.canceled_title")
		intro = p.T("termination.canceled_intro", lang.Args{"Who": who(ev, p.T("notices.the_customer")), "ID": pcID(c), "At": at(p, ev, d),
			"Enabled": statusWord(p, models.StatusEnabled)})
		if r.to == toProvider {
			intro += p.T("termination.do_not_remove")
		}
		body = labelled(p.T("notices.reason"), c.Reason)
	case models.NoticePartnerTerminated:
		gone := noticeData[models.PartnerNoticeData](r.n).Partner
		title = p.T("termination.partner_title")
		intro = p.T("termination.partner_intro", lang.Args{"Partner": esc(cmp.Or(gone, p.T("termination.the_partner_line"))), "ID": pcID(c), "Name": esc(c.Name)})
	default:
		return "", "", nil, false
	}
	return title, intro, body, true
}

// portFacts are the port, device, access point and IDC of a line.
func portFacts(p lang.Printer, d *models.Detail) []slack.Block {
	c := &d.Connection
	return factBlocks([]fact{
		{label: p.T("termination.physical_connection_id"), value: pcID(c)},
		{label: p.T("termination.port"), value: c.PortName},
		{label: p.T("termination.device"), value: c.DeviceID},
		{label: p.T("termination.access_point"), value: apName(p, d)},
		{label: p.T("termination.idc"), value: named(p, d.AccessPoint.IDCName, d.AccessPoint.IDCNameZh)},
		{label: p.T("notices.line_code"), value: c.LineCode},
	})
}

// removalVisitHeadline is the title and opening sentence of a visit notice
// about a removal visit; ok is false for a construction visit.
func removalVisitHeadline(p lang.Printer, n models.Notice, to recipient, d *models.Detail, v visitInfo) (string, string, bool) {
	// The data says so from the booking on; a reminder's is read from the
	// line, which is Terminating while its removal visit is pending.
	removal := noticeData[models.VisitNoticeData](n).Removal || d.Connection.Status == models.StatusTerminating
	if !removal || n.Kind == models.NoticeVisitChanged {
		return "", "", false
	}
	args := lang.Args{"IDC": esc(cmp.Or(v.idcName, v.apName)), "Day": v.day(p), "ID": pcID(&d.Connection), "Provider": esc(providerName(p, d))}
	switch {
	case n.Kind == models.NoticeVisitReminder && to == toProvider:
		return p.T("termination.reminder_provider_title"), p.T("termination.reminder_provider_intro", args), true
	case n.Kind == models.NoticeVisitReminder && to == toReception:
		return p.T("termination.reminder_reception_title"), p.T("termination.reminder_reception_intro", args), true
	case to == toProvider:
		return p.T("termination.booked_provider_title"), p.T("termination.booked_provider_intro", args), true
	case to == toReception:
		return p.T("termination.booked_reception_title"), p.T("termination.booked_reception_intro", args), true
	}
	return p.T("termination.booked_title"), p.T("termination.booked_intro", args), true
}
