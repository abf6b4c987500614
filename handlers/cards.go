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
// product).
var actionButtons = []struct {
	action   models.Action
	actionID string
	text     string
	style    slack.Style
}{
	{models.ActionApprove, actApprove, "Approve", slack.StylePrimary},
	{models.ActionReject, actReject, "Reject", slack.StyleDanger},
	{models.ActionPay, actPay, "Pay for Connection", slack.StylePrimary},
	{models.ActionViewPort, actView, "View", ""},
	{models.ActionNotifyProvider, actNotifyProvider, "Notify Provider", slack.StylePrimary},
	{models.ActionSubmitSurvey, actSurvey, "Submit Survey", slack.StylePrimary},
	{models.ActionSubmitTicket, actTicket, "Submit Ticket", slack.StylePrimary},
	{models.ActionCompleteConstruction, actComplete, "Construction Complete", slack.StylePrimary},
	{models.ActionConfirm, actConfirm, "Confirm", slack.StylePrimary},
	{models.ActionCancel, actCancel, "Cancel", slack.StyleDanger},
	{models.ActionTerminate, actTerminate, "Terminate", slack.StyleDanger},
	{models.ActionCompleteRemoval, actRemoval, "Removal Complete", slack.StylePrimary},
	{models.ActionCancelTermination, actCancelTerm, "Cancel", ""},
	{models.ActionResubmit, actResubmit, "Edit and Resubmit", slack.StylePrimary},
	{models.ActionChangeBandwidth, actBandwidth, "Change Bandwidth", ""},
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
		text := b.text
		if b.action == models.ActionPay && c.AmountCents > 0 {
			text = fmt.Sprintf("%s (%s)", b.text, models.FormatMoney(c.AmountCents, c.Currency))
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
		md("*Access Point*\n" + catalogName(p, c.AccessPointName, c.AccessPointNameZh, c.AccessPointID, role) + regionSuffix(p, c)),
		md("*Service Provider*\n" + catalogName(p, c.ProviderName, c.ProviderNameZh, c.ProviderID, role)),
		md("*Port Type*\n" + esc(string(c.PortType))),
		md(fmt.Sprintf("*Bandwidth*\n%d Mbps", c.BandwidthMbps)),
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
func timeline(c *models.Connection) string {
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
		stages = append(stages, stage{label: string(s), done: pos >= 0 && i < pos || c.Status.Settled() && s == c.Status || i <= endedAt, now: i == pos && !c.Status.Settled()})
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
		out += "\n✕ *" + string(c.Status) + "*"
		if endedAt >= 0 {
			out += " at *" + string(c.EndedFrom) + "*"
		}
		if c.Reason != "" {
			out += ": " + esc(c.Reason)
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
	blocks = append(blocks, factBlocks(connFacts(d, account))...)
	blocks = append(blocks, slack.NewContextBlock("", md(statusLine(p, c))))
	return blocks
}

// connFacts are the apply form's fields of a connection.
func connFacts(d *models.Detail, account string) []fact {
	c := &d.Connection
	red := "none"
	if c.RedundantID != nil {
		red = models.ApplicationRef(*c.RedundantID)
	}
	fs := []fact{
		{label: models.FieldName, value: c.Name},
		{label: models.FieldAccessPoint, value: apName(d)},
		{label: models.FieldProvider, value: providerName(d)},
		{label: models.FieldPortType, value: string(c.PortType)},
		{label: models.FieldBandwidth, value: fmt.Sprintf("%d Mbps", c.BandwidthMbps)},
		{label: models.FieldLocation, value: c.Location},
		{label: models.FieldRedundancy, value: red},
	}
	if account != "" {
		fs = append(fs, fact{label: "Customer account", value: account})
	}
	return fs
}

// apName is the access point of d by its name, as customers, providers and
// reception read it; its catalog ID stands in only when the name is unknown.
// Staff cards add the ID (staffFacts).
func apName(d *models.Detail) string {
	if d.AccessPoint.Name == "" {
		return d.Connection.AccessPointID
	}
	return d.AccessPoint.Name
}

// staffFacts are fs with the access point's catalog ID after its name, in
// small code type, where staff need it.
func staffFacts(p lang.Printer, d *models.Detail, fs []fact) []fact {
	for i, f := range fs {
		if f.label == models.FieldAccessPoint {
			fs[i] = fact{label: f.label, value: catalogName(p, d.AccessPoint.Name, d.AccessPoint.NameZh, cmp.Or(d.AccessPoint.ID, d.Connection.AccessPointID), models.RoleStaff), md: true}
		}
	}
	return fs
}

func providerName(d *models.Detail) string {
	if d.Provider.Name == "" {
		return d.Connection.ProviderID
	}
	return d.Provider.Name
}

func pcID(c *models.Connection) string {
	if c.PhysicalConnectionID == nil {
		return models.ApplicationRef(c.ID)
	}
	return *c.PhysicalConnectionID
}

func byUser(id string) string {
	if id == "" {
		return ""
	}
	return " by " + mention(id)
}

// byAt is " by @x at <time>" of an audit event of d, in d's region time ("" when there is none).
func byAt(p lang.Printer, ev *models.AuditEvent, d *models.Detail) string {
	if ev == nil {
		return ""
	}
	return fmt.Sprintf(" by %s at %s", mention(ev.Actor), regionWhen(p, ev.At, d))
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
	return " at " + regionWhen(p, ev.At, d)
}

func lastAction(d *models.Detail, a models.Action) *models.AuditEvent {
	return lastEvent(d, func(ev models.AuditEvent) bool { return ev.Action == a })
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// fact is one label and value of a card. The value is typed text shown as
// plain text, exactly as typed, unless md says leaseline built it (dates,
// mentions).
type fact struct {
	label string
	value string
	md    bool
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
