package handlers

import (
	"fmt"
	"slices"

	"github.com/slack-go/slack"

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
}

// nextButtons lists the buttons for what role may do to c now, read from
// the lifecycle table itself so that a button is shown exactly when the
// engine would accept its action.
func nextButtons(c *models.Connection, role models.Role) []slack.BlockElement {
	var out []slack.BlockElement
	for _, b := range actionButtons {
		if _, err := models.Lookup(b.action, c.Status, c.Step, role); err != nil {
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
func connectionBlocks(c *models.Connection, role models.Role, extra ...slack.BlockElement) []slack.Block {
	fields := []*slack.TextBlockObject{
		md("*Access Point*\n" + esc(c.AccessPointID)),
		md("*Service Provider*\n" + esc(c.ProviderID)),
		md("*Port Type*\n" + esc(string(c.PortType))),
		md(fmt.Sprintf("*Bandwidth*\n%d Mbps", c.BandwidthMbps)),
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(md(connTitle(c)+"\n"+statusLine(c)), fields, nil),
	}
	buttons := append(nextButtons(c, role), extra...)
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
	pos := slices.Index(order, c.Status)
	var stages []stage
	for i, s := range order {
		stages = append(stages, stage{label: string(s), done: pos >= 0 && i < pos || c.Status == models.StatusEnabled && s == models.StatusEnabled, now: i == pos && c.Status != models.StatusEnabled})
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
		if st.now {
			out += mark + " *" + st.label + "*"
		} else {
			out += mark + " " + st.label
		}
	}
	if c.Status == models.StatusRejected || c.Status == models.StatusCanceled {
		out += "\n✕ *" + string(c.Status) + "*"
		if c.Reason != "" {
			out += ": " + esc(c.Reason)
		}
	}
	return out
}
