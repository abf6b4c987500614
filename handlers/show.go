package handlers

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// /leaseline show: a connection's detail and its audit trail.

func (a *App) cmdShow(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	actor, c, ok := a.cmdConnection(ctx, cmd, rest)
	if !ok {
		return
	}
	blocks, err := a.detailBlocks(ctx, a.forUser(ctx, cmd.UserID), actor, c.ID)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	a.replyBlocks(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, blocks)
}

// detailBlocks shows one connection: its card with the actor's buttons, the
// timeline, the details of every step so far and the audit trail.
func (a *App) detailBlocks(ctx context.Context, p lang.Printer, actor models.Actor, id int64) ([]slack.Block, error) {
	d, err := a.store.Detail(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	c := &d.Connection
	loc := zone(d.Region.TimeZone)
	blocks := connectionBlocks(p, c, actor.Role)
	blocks = append(blocks, section(timeline(p, c)))

	field := func(label, value string) *slack.TextBlockObject { return md("*" + label + "*\n" + value) }
	fields := []*slack.TextBlockObject{
		field(p.T("commands.field_access_point"), esc(apName(p, d))+" · "+esc(locationNamed(p, &d.AccessPoint))+"\n"+esc(regionName(p, d.Region))),
		field(p.T("commands.field_provider"), esc(providerName(p, d))),
		field(p.T("commands.field_location"), esc(c.Location)),
		field(p.T("commands.field_applied"), p.T("commands.applied_by", lang.Args{"When": localWhen(p, c.CreatedAt, loc), "Who": mention(c.AppliedBy)})),
	}
	if c.RedundantID != nil {
		fields = append(fields, field(p.T("commands.field_redundancy"), models.ApplicationRef(*c.RedundantID)))
	}
	if c.AmountCents > 0 {
		fields = append(fields, field(p.T("commands.field_price"), p.Money(c.AmountCents, c.Currency)))
	}
	if c.LineCode != "" || c.LineLabel != "" {
		fields = append(fields, field(p.T("commands.field_line"), p.T("commands.line_code_label", lang.Args{"Code": esc(c.LineCode), "Label": esc(c.LineLabel)})))
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))

	var steps []string
	if d.Survey != nil {
		sv := d.Survey
		steps = append(steps, p.N("commands.step_survey", len(sv.Engineers), lang.Args{
			"Company": esc(sv.ConstructionCompany), "LineType": lineType(p, sv.LineType), "Arrival": localWhen(p, sv.PlannedArrival, loc)}))
	}
	if d.Ticket != nil {
		steps = append(steps, p.T("commands.step_ticket", lang.Args{"ID": d.Ticket.ID, "State": detailTicketState(p, d.Ticket.State)}))
	}
	if d.Visit != nil {
		v := p.T("commands.step_visit", lang.Args{"Date": esc(d.Visit.Date), "Window": esc(d.Visit.Window), "IDC": esc(idcNamed(p, d)), "State": visitState(p, d.Visit.State)})
		if d.Reception != nil {
			v += p.T("commands.step_visit_reception", lang.Args{"Name": esc(d.Reception.Name), "Phone": esc(d.Reception.Phone)})
		}
		steps = append(steps, v)
	}
	if len(steps) > 0 {
		blocks = append(blocks, section(strings.Join(steps, "\n")))
	}
	blocks = append(blocks, auditBlocks(p, d.Audit, loc, maxMessageBlocks-len(blocks)-1)...)
	return capBlocks(p, blocks, maxMessageBlocks), nil
}

// auditBlocks renders the audit trail (who, when, from, to, why) in at most
// budget blocks of at most maxPlainText characters; the oldest entries give
// way when it is too long.
// auditDetail is what the trail shows after an event: a reason or note
// as its author typed it, or the summary leaseline wrote, which is in
// English; a reader of another language gets the typed texts only (the
// action, statuses and step before it already say what happened).
func auditDetail(p lang.Printer, ev models.AuditEvent) string {
	if p.Lang() == lang.English {
		return ev.Detail
	}
	switch ev.Action {
	case models.ActionPay, models.ActionSubmitSurvey, models.ActionSubmitTicket, models.ActionScheduleVisit,
		models.ActionCheckIn, models.ActionChangeBandwidth, models.ActionApproveBandwidth, "no show":
		return ""
	case models.ActionCompleteConstruction:
		if m := auditLine.FindStringSubmatch(ev.Detail); m != nil {
			return p.T("commands.audit_line", lang.Args{"Code": m[1], "Label": m[2]})
		}
	case models.ActionCompleteRemoval:
		if m := auditRemoved.FindStringSubmatch(ev.Detail); m != nil {
			return strings.TrimSpace(p.T("commands.audit_removed", lang.Args{"Code": m[1]}) + " " + m[2])
		}
	}
	return ev.Detail
}

// The summaries models.Decide writes for Construction Complete and Removal
// Complete (models/effects.go, models/termination.go).
var (
	auditLine    = regexp.MustCompile(`^line code (.*), label (.*)$`)
	auditRemoved = regexp.MustCompile(`^line (\S*) removed(?:: (.*))?$`)
)

func auditBlocks(p lang.Printer, events []models.AuditEvent, loc *time.Location, budget int) []slack.Block {
	lines := make([]string, 0, len(events))
	for _, ev := range events {
		line := fmt.Sprintf("• %s — %s (%s) *%s*", localWhen(p, ev.At, loc), mention(ev.Actor), auditRole(p, ev.Role), auditAction(p, ev.Action))
		switch {
		case ev.FromStatus == "":
			line += ": → " + statusWord(p, ev.ToStatus)
		case ev.FromStatus != ev.ToStatus:
			line += ": " + statusWord(p, ev.FromStatus) + " → " + statusWord(p, ev.ToStatus)
		default:
			line += ": " + statusWord(p, ev.ToStatus)
		}
		if ev.Step != models.StepNone && ev.ToStatus == models.StatusConnecting {
			line += " (" + stepWord(p, ev.Step) + ")"
		}
		if detail := auditDetail(p, ev); detail != "" {
			line += " — " + esc(truncate(localTimes(p, detail, loc), 300))
		}
		lines = append(lines, line)
	}
	if budget < 2 {
		return nil
	}
	var chunks []string
	var cur strings.Builder
	cur.WriteString("*" + p.T("commands.audit_trail") + "*\n")
	for _, l := range lines {
		if cur.Len()+len(l)+1 > maxPlainText-100 {
			chunks = append(chunks, cur.String())
			cur.Reset()
		}
		cur.WriteString(l + "\n")
	}
	chunks = append(chunks, cur.String())
	var out []slack.Block
	if len(chunks) > budget {
		out = append(out, contextText(p.N("commands.audit_cut", len(chunks)-budget+1)))
		chunks = chunks[len(chunks)-budget+1:]
	}
	for _, ch := range chunks {
		out = append(out, section(ch))
	}
	return out
}

// auditRole is who acted, as the audit trail names them.
func auditRole(p lang.Printer, r models.Role) string {
	switch r {
	case models.RoleCustomer:
		return p.T("commands.role.customer")
	case models.RoleStaff:
		return p.T("commands.role.staff")
	case models.RoleProvider:
		return p.T("commands.role.provider")
	case models.RoleSystem:
		return p.T("commands.role.system")
	}
	return esc(string(r))
}

// auditAction is what was done, as the audit trail names it (an action
// it does not know shows as recorded).
func auditAction(p lang.Printer, a models.Action) string {
	switch a {
	case models.ActionApply:
		return p.T("commands.action.apply")
	case models.ActionApprove:
		return p.T("commands.action.approve")
	case models.ActionReject:
		return p.T("commands.action.reject")
	case models.ActionPay:
		return p.T("commands.action.pay")
	case models.ActionCancel:
		return p.T("commands.action.cancel")
	case models.ActionViewPort:
		return p.T("commands.action.view_port")
	case models.ActionNotifyProvider:
		return p.T("commands.action.notify_provider")
	case models.ActionSubmitSurvey:
		return p.T("commands.action.submit_survey")
	case models.ActionSubmitTicket:
		return p.T("commands.action.submit_ticket")
	case models.ActionScheduleVisit:
		return p.T("commands.action.schedule_visit")
	case models.ActionCompleteConstruction:
		return p.T("commands.action.complete_construction")
	case models.ActionConfirm:
		return p.T("commands.action.confirm")
	case models.ActionExpire:
		return p.T("commands.action.expire")
	case models.ActionTerminate:
		return p.T("commands.action.terminate")
	case models.ActionCompleteRemoval:
		return p.T("commands.action.complete_removal")
	case models.ActionCancelTermination:
		return p.T("commands.action.cancel_termination")
	case models.ActionResubmit:
		return p.T("commands.action.resubmit")
	case models.ActionChangeBandwidth:
		return p.T("commands.action.change_bandwidth")
	case models.ActionApproveBandwidth:
		return p.T("commands.action.approve_bandwidth")
	case models.ActionRejectBandwidth:
		return p.T("commands.action.reject_bandwidth")
	case "reschedule visit": // the store's staff visit actions
		return p.T("commands.action.reschedule_visit")
	case "cancel visit":
		return p.T("commands.action.cancel_visit")
	}
	return esc(string(a))
}

// detailTicketState is a construction ticket's state.
func detailTicketState(p lang.Printer, s models.TicketState) string {
	switch s {
	case models.TicketOpen:
		return p.T("commands.ticket_state.open")
	case models.TicketAnswered:
		return p.T("commands.ticket_state.answered")
	case models.TicketBooked:
		return p.T("commands.ticket_state.booked")
	case models.TicketClosed:
		return p.T("commands.ticket_state.closed")
	}
	return esc(string(s))
}
