package handlers

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// actionButtons maps lifecycle actions to their buttons (texts fixed by the
// product, in the reader's language: buttonText).
var actionButtons = []struct {
	action   models.Action
	actionID string
	style    slack.Style
}{
	{models.ActionApprove, actApprove, slack.StylePrimary},
	{models.ActionReject, actReject, slack.StyleDanger},
	{models.ActionPay, actPay, slack.StylePrimary},
	{models.ActionViewPort, actView, ""},
	{models.ActionNotifyProvider, actNotifyProvider, slack.StylePrimary},
	{models.ActionSubmitSurvey, actSurvey, slack.StylePrimary},
	{models.ActionSubmitTicket, actTicket, slack.StylePrimary},
	{models.ActionCompleteConstruction, actComplete, slack.StylePrimary},
	{models.ActionConfirm, actConfirm, slack.StylePrimary},
	{models.ActionCancel, actCancel, slack.StyleDanger},
	{models.ActionTerminate, actTerminate, slack.StyleDanger},
	{models.ActionCompleteRemoval, actRemoval, slack.StylePrimary},
	{models.ActionCancelTermination, actCancelTerm, ""},
	{models.ActionResubmit, actResubmit, slack.StylePrimary},
	{models.ActionChangeBandwidth, actBandwidth, ""},
}

// buttonText is the text of the button of lifecycle action a.
func buttonText(p lang.Printer, a models.Action) string {
	switch a {
	case models.ActionApprove:
		return p.T("cards.button_approve")
	case models.ActionReject:
		return p.T("cards.button_reject")
	case models.ActionPay:
		return p.T("cards.button_pay")
	case models.ActionViewPort:
		return p.T("cards.button_view")
	case models.ActionNotifyProvider:
		return p.T("cards.button_notify_provider")
	case models.ActionSubmitSurvey:
		return p.T("cards.button_submit_survey")
	case models.ActionSubmitTicket:
		return p.T("cards.button_submit_ticket")
	case models.ActionCompleteConstruction:
		return p.T("cards.button_construction_complete")
	case models.ActionConfirm:
		return p.T("cards.button_confirm")
	case models.ActionCancel:
		return p.T("cards.button_cancel")
	case models.ActionTerminate:
		return p.T("cards.button_terminate")
	case models.ActionCompleteRemoval:
		return p.T("cards.button_removal_complete")
	case models.ActionCancelTermination:
		return p.T("cards.button_cancel_termination")
	case models.ActionResubmit:
		return p.T("cards.button_resubmit")
	case models.ActionChangeBandwidth:
		return p.T("cards.button_change_bandwidth")
	}
	return string(a)
}

// partyWord is who a connection waits on, in the reader's language.
func partyWord(p lang.Printer, party models.Party) string {
	switch party {
	case models.PartyCustomer:
		return p.T("party.customer")
	case models.PartyStaff:
		return p.T("party.staff")
	case models.PartyProvider:
		return p.T("party.provider")
	case models.PartyIDC:
		return p.T("party.idc")
	}
	return esc(string(party))
}

// todoWord is what the party a connection waits on must do.
func todoWord(p lang.Printer, t models.Todo) string {
	switch t {
	case models.TodoReview:
		return p.T("todo.review")
	case models.TodoPay:
		return p.T("todo.pay")
	case models.TodoNotifyProvider:
		return p.T("todo.notify_provider")
	case models.TodoSurvey:
		return p.T("todo.survey")
	case models.TodoTicket:
		return p.T("todo.ticket")
	case models.TodoScheduleVisit:
		return p.T("todo.schedule_visit")
	case models.TodoConstruct:
		return p.T("todo.construct")
	case models.TodoFinishOnSite:
		return p.T("todo.finish_on_site")
	case models.TodoConfirm:
		return p.T("todo.confirm")
	case models.TodoRemove:
		return p.T("todo.remove")
	}
	return t.Text()
}

// nextButtons lists the buttons for what role may do to c now, read from
// the lifecycle table itself so that a button is shown exactly when the
// engine would accept its action.
func nextButtons(p lang.Printer, c *models.Connection, role models.Role) []slack.BlockElement {
	var out []slack.BlockElement
	for _, b := range actionButtons {
		if _, err := models.Lookup(b.action, c.Status, c.Step, role); err != nil || !offered(b.action, c) {
			continue
		}
		text := buttonText(p, b.action)
		if b.action == models.ActionPay && c.AmountCents > 0 {
			text = p.T("cards.button_pay_amount", lang.Args{"Amount": p.Money(c.AmountCents, c.Currency)})
		}
		out = append(out, button(b.actionID, connValue(c.ID), text, b.style))
	}
	return out
}

// connectionBlocks is a connection's card: title, status with who must act,
// the apply form's fields, and the buttons for role's next step. extra
// buttons (e.g. details) follow them.
func connectionBlocks(p lang.Printer, c *models.Connection, role models.Role, extra ...slack.BlockElement) []slack.Block {
	fields := []*slack.TextBlockObject{
		md("*" + formField(p, models.FieldAccessPoint) + "*\n" + catalogName(p, c.AccessPointName, c.AccessPointNameZh, c.AccessPointID, role) + regionSuffix(p, c)),
		md("*" + formField(p, models.FieldProvider) + "*\n" + catalogName(p, c.ProviderName, c.ProviderNameZh, c.ProviderID, role)),
		md("*" + formField(p, models.FieldPortType) + "*\n" + esc(string(c.PortType))),
		md("*" + formField(p, models.FieldBandwidth) + "*\n" + p.T("cards.mbps", lang.Args{"Mbps": c.BandwidthMbps})),
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(md(connTitle(c)+"\n"+statusLine(p, c)), fields, nil),
	}
	buttons := append(nextButtons(p, c, role), extra...)
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock(fmt.Sprintf("conn_%d", c.ID), buttons...))
	}
	return blocks
}

// timeline is the lifecycle as done / current / to come, for App Home and
// details.
func timeline(p lang.Printer, c *models.Connection) string {
	type stage struct {
		label string
		done  bool
		now   bool
	}
	order := []models.Status{models.StatusApplying, models.StatusApproved, models.StatusConnecting, models.StatusPendingConfirmation, models.StatusEnabled}
	if c.Status == models.StatusTerminating || c.Status == models.StatusTerminated {
		order = append(order, models.StatusTerminating, models.StatusTerminated)
	}
	pos := slices.Index(order, c.Status)
	endedAt := -1 // the stage a Rejected or Canceled connection ended at
	if c.Status == models.StatusRejected || c.Status == models.StatusCanceled {
		endedAt = slices.Index(order, c.EndedFrom)
	}
	var stages []stage
	for i, s := range order {
		stages = append(stages, stage{label: statusWord(p, s), done: pos >= 0 && i < pos || c.Status.Settled() && s == c.Status || i <= endedAt, now: i == pos && !c.Status.Settled()})
	}
	out := ""
	for i, st := range stages {
		mark := "○"
		switch {
		case st.done:
			mark = "●"
		case st.now:
			mark = "◉"
		}
		if i > 0 {
			out += "  →  "
		}
		switch {
		case st.now:
			out += mark + " *" + st.label + "*"
		case i == endedAt:
			out += mark + " *" + st.label + "* ✕"
		default:
			out += mark + " " + st.label
		}
	}
	if c.Status == models.StatusRejected || c.Status == models.StatusCanceled {
		if endedAt >= 0 {
			out += "\n" + p.T("cards.timeline_ended_at", lang.Args{"Status": statusWord(p, c.Status), "From": statusWord(p, c.EndedFrom)})
		} else {
			out += "\n" + p.T("cards.timeline_ended", lang.Args{"Status": statusWord(p, c.Status)})
		}
		if c.Reason != "" {
			out += p.T("cards.timeline_reason", lang.Args{"Reason": esc(c.Reason)})
		}
	}
	return out
}

// cardBlocks is a connection's summary: its IDs, the
// application's facts (typed text as plain text), and the status with who
// must act next. account is shown when not "".
func cardBlocks(p lang.Printer, d *models.Detail, account string) []slack.Block {
	c := &d.Connection
	head := "*" + models.ApplicationRef(c.ID) + "*"
	if c.PhysicalConnectionID != nil {
		head += " · `" + *c.PhysicalConnectionID + "`"
	}
	blocks := []slack.Block{slack.NewSectionBlock(md(head), nil, nil)}
	blocks = append(blocks, factBlocks(connFacts(p, d, account))...)
	blocks = append(blocks, slack.NewContextBlock("", md(statusLine(p, c))))
	return blocks
}

// connFacts are the apply form's fields of a connection.
func connFacts(p lang.Printer, d *models.Detail, account string) []fact {
	c := &d.Connection
	red := p.T("cards.none")
	if c.RedundantID != nil {
		red = models.ApplicationRef(*c.RedundantID)
	}
	fs := []fact{
		{label: formField(p, models.FieldName), value: c.Name},
		{label: formField(p, models.FieldAccessPoint), value: apName(p, d), field: models.FieldAccessPoint},
		{label: formField(p, models.FieldProvider), value: providerName(p, d)},
		{label: formField(p, models.FieldPortType), value: string(c.PortType)},
		{label: formField(p, models.FieldBandwidth), value: p.T("cards.mbps", lang.Args{"Mbps": c.BandwidthMbps})},
		{label: formField(p, models.FieldLocation), value: c.Location},
		{label: formField(p, models.FieldRedundancy), value: red},
	}
	if account != "" {
		fs = append(fs, fact{label: p.T("cards.customer_account"), value: account})
	}
	return fs
}

// stepWord is a Connecting sub-step in the reader's language.
func stepWord(p lang.Printer, st models.Step) string {
	switch st {
	case models.StepProviderNotified:
		return p.T("step.provider_notified")
	case models.StepSurveyReceived:
		return p.T("step.survey_received")
	case models.StepTicketSubmitted:
		return p.T("step.ticket_submitted")
	case models.StepVisitScheduled:
		return p.T("step.visit_scheduled")
	case models.StepOnSite:
		return p.T("step.on_site")
	}
	return esc(string(st))
}

// staffFacts are fs with the access point's catalog ID after its name, in
// small code type, where staff need it.
func staffFacts(p lang.Printer, d *models.Detail, fs []fact) []fact {
	for i, f := range fs {
		if f.field == models.FieldAccessPoint {
			fs[i] = fact{label: f.label, field: f.field, value: catalogName(p, d.AccessPoint.Name, d.AccessPoint.NameZh, cmp.Or(d.AccessPoint.ID, d.Connection.AccessPointID), models.RoleStaff), md: true}
		}
	}
	return fs
}

func pcID(c *models.Connection) string {
	if c.PhysicalConnectionID == nil {
		return models.ApplicationRef(c.ID)
	}
	return *c.PhysicalConnectionID
}

func byUser(p lang.Printer, id string) string {
	if id == "" {
		return ""
	}
	return p.T("cards.by", lang.Args{"Who": mention(id)})
}

// byAt is " by @x at <time>" of an audit event of d, in d's region time ("" when there is none).
func byAt(p lang.Printer, ev *models.AuditEvent, d *models.Detail) string {
	if ev == nil {
		return ""
	}
	return p.T("cards.by_at", lang.Args{"Who": mention(ev.Actor), "When": regionWhen(p, ev.At, d)})
}

// who is the mention of the actor of ev, or fallback.
func who(ev *models.AuditEvent, fallback string) string {
	if ev == nil {
		return fallback
	}
	return mention(ev.Actor)
}

// at is " at <time>" of ev, or "".
func at(p lang.Printer, ev *models.AuditEvent, d *models.Detail) string {
	if ev == nil {
		return ""
	}
	return p.T("cards.at", lang.Args{"When": regionWhen(p, ev.At, d)})
}

func lastAction(d *models.Detail, a models.Action) *models.AuditEvent {
	return lastEvent(d, func(ev models.AuditEvent) bool { return ev.Action == a })
}

// fact is one label and value of a card. The value is typed text shown as
// plain text, exactly as typed, unless md says leaseline built it (dates,
// mentions).
type fact struct {
	label string
	value string
	md    bool
	field string // the apply form's field (models.Field…) it shows, if any
}

// factBlocks lays facts out as two columns, label and value, five to a
// section (Slack's limit of ten fields).
func factBlocks(fs []fact) []slack.Block {
	var out []slack.Block
	for i := 0; i < len(fs); i += 5 {
		var fields []*slack.TextBlockObject
		for _, f := range fs[i:min(i+5, len(fs))] {
			fields = append(fields, md("*"+f.label+"*"))
			v := truncate(f.value, 2000)
			switch {
			case strings.TrimSpace(v) == "":
				fields = append(fields, ptext("—"))
			case f.md:
				fields = append(fields, md(v))
			default:
				fields = append(fields, ptext(v))
			}
		}
		out = append(out, slack.NewSectionBlock(nil, fields, nil))
	}
	return out
}

// labelled shows typed text under a label, as plain text; nothing when the
// text is empty.
func labelled(label, text string) []slack.Block {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	return []slack.Block{
		slack.NewContextBlock("", md("*"+label+"*")),
		slack.NewSectionBlock(ptext(text), nil, nil),
	}
}

// ptext is typed text shown exactly as typed: plain text, emoji codes not
// turned into emoji, never empty.
func ptext(s string) *slack.TextBlockObject {
	if strings.TrimSpace(s) == "" {
		s = "—"
	}
	return slack.NewTextBlockObject(slack.PlainTextType, truncate(s, maxPlainText), false, false)
}
