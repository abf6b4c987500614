package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// subcommand is one line of the help.
type subcommand struct {
	usage string
	does  string
}

// customerCommands and staffCommands are the help's lines, in the order
// they are shown.
func customerCommands() []subcommand {
	return []subcommand{
		{"help", "these commands and what each does"},
		{"apply", "open the *Apply for New Interface* form"},
		{"list [--all] [PAGE]", "your account's connections, their status and who must act next; connections ended (Rejected, Canceled) more than 30 days ago only with --all"},
		{"show ID", "details, timeline and audit trail of a connection (ID: #42, 42 or pc-…)"},
		{"access-points [REGION]", "access points by region: location, status, allowed service providers, port types and bandwidth"},
		{"enquire [ACCESS-POINT] [QUESTION]", "ask the operator's staff about an access point (without a question, a form opens)"},
		{"cancel ID", "cancel an application that is Applying or Approved (you confirm first)"},
	}
}

func staffCommands() []subcommand {
	return []subcommand{
		{"link #CHANNEL customer NAME", "link a channel (a Slack Connect one too) to customer account NAME, creating it if missing, and post the panel there"},
		{"credit NAME AMOUNT", "top up the prepaid balance of account NAME, e.g. `credit ACME 5000`"},
		{"adduser @USER NAME", "make a Slack user a user of account NAME"},
		{"visits [YYYY-MM-DD|ACCESS-POINT]", "the IDC visits booked (from today, on a date, or at an access point): date, IDC, connection, provider, reception person, visitors"},
		{"ports [ACCESS-POINT]", "ports of each access point and port type: total, in use, free, and free per device"},
		{"calendar-link provider|access-point ID · calendar-link revoke TOKEN|ID", "a calendar URL (iCalendar) of a provider's IDC visits or of the visits at an access point, for their calendar app; revoke one"},
	}
}

// helpBlocks lists the commands and what each does.
func helpBlocks() []slack.Block {
	var b strings.Builder
	for _, c := range customerCommands() {
		fmt.Fprintf(&b, "`%s %s` — %s\n", cmdName, c.usage, c.does)
	}
	var s strings.Builder
	for _, c := range staffCommands() {
		fmt.Fprintf(&s, "`%s %s` — %s\n", cmdName, c.usage, c.does)
	}
	return []slack.Block{
		slack.NewHeaderBlock(plain("leaseline: leased line access, self-service")),
		section("Apply for a leased line from your IDC to an access point, then follow it to *Enabled*: every step says who must act next.\n\n" + b.String()),
		section("*Staff only*\n" + s.String()),
		contextText("Members of Slack Connect channels cannot run slash commands: the panel the bot keeps in a linked channel has the same buttons (Apply for New Interface, My connections, Access points, Enquire)."),
	}
}

// helpAck is the help as an ack, encoded once: it never changes, and
// building and encoding its blocks on every `/leaseline help` was about half
// of the CPU its ack took.
var helpAck = sync.OnceValue(func() any {
	msg := ephemeral(helpBlocks()...)
	b, err := json.Marshal(msg)
	if err != nil {
		return msg
	}
	return json.RawMessage(b)
})

// unknownCommandBlocks is the help, prefixed by what was not understood
// (escaped: it is what the user typed).
func unknownCommandBlocks(sub string) []slack.Block {
	blocks := []slack.Block{section(fmt.Sprintf(":grey_question: I don't know `%s`. Here is what I can do:", esc(truncate(sub, 40))))}
	return append(blocks, helpBlocks()...)
}

// command is /leaseline: help answers in the ack; everything that reads
// the database answers through the response_url after the ack.
func (a *App) command(_ context.Context, req bot.Request) (any, func(context.Context)) {
	cmd := req.Command
	if cmd == nil {
		return helpAck(), nil
	}
	sub, rest := parseCommandText(cmd.Text)
	run := func(fn func(ctx context.Context, cmd *slack.SlashCommand, rest string)) (any, func(context.Context)) {
		return nil, func(ctx context.Context) { fn(ctx, cmd, rest) }
	}
	switch sub {
	case "", "help", "?":
		return helpAck(), nil
	case "apply", "new":
		return run(a.cmdApply)
	case "list", "ls":
		return run(a.cmdList)
	case "show", "details":
		if rest == "" {
			return ephemeral(section("Which connection? `/leaseline show #42` (or its physical connection ID, pc-…).")), nil
		}
		return run(a.cmdShow)
	case "access-points", "accesspoints", "aps", "ap":
		return run(a.cmdAccessPoints)
	case "enquire", "enquiry", "ask":
		return run(a.cmdEnquire)
	case "cancel":
		if rest == "" {
			return ephemeral(section("Which connection? `/leaseline cancel #42`.")), nil
		}
		return run(a.cmdCancel)
	case "link":
		return run(a.cmdLink)
	case "credit", "topup", "top-up":
		return run(a.cmdCredit)
	case "adduser", "add-user":
		return run(a.cmdAddUser)
	case "visits":
		return run(a.cmdVisits)
	case "ports", "inventory":
		return run(a.cmdPorts)
	case "calendar-link", "calendar":
		return run(a.cmdCalendarLink)
	}
	return ephemeral(unknownCommandBlocks(sub)...), nil
}

// parseCommandText splits the text of /leaseline into its subcommand (in
// lower case) and the rest, trimmed: "Show  #42" is "show", "#42".
func parseCommandText(text string) (sub, rest string) {
	sub, rest = splitWord(text)
	return strings.ToLower(sub), rest
}

// splitWord splits the first word off s.
func splitWord(s string) (word, rest string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t\n")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i+1:])
}

// replyBlocks shows blocks to the user who acted, and only to them: through
// the response_url, else ephemerally in channel, else as a DM.
func (a *App) replyBlocks(ctx context.Context, responseURL, channel, user string, blocks []slack.Block) {
	blocks = capBlocks(a.forUser(ctx, user), blocks, maxMessageBlocks)
	text := fallbackText(blocks)
	var err error
	switch {
	case responseURL != "":
		err = a.resp.Respond(ctx, responseURL, ephemeral(blocks...))
	case channel != "":
		_, err = a.slack.PostEphemeralContext(ctx, channel, user, slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(text, false))
	default:
		_, _, err = a.slack.PostMessageContext(ctx, user, slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(text, false))
	}
	if err != nil {
		a.log.ErrorContext(ctx, "reply to user", "user", user, "err", err)
	}
}

// cmdFail tells the user of a command what went wrong and what to do.
func (a *App) cmdFail(ctx context.Context, cmd *slack.SlashCommand, err error) {
	p := a.forUser(ctx, cmd.UserID)
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":warning: "+a.userMessage(ctx, p, err))
}

// cmdActor resolves who runs a command.
func (a *App) cmdActor(ctx context.Context, cmd *slack.SlashCommand) (models.Actor, error) {
	return a.actor(ctx, cmd.TeamID, cmd.ChannelID, cmd.UserID)
}

func (a *App) cmdList(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	actor, err := a.cmdActor(ctx, cmd)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	page, all := listArgs(rest)
	blocks, err := a.listBlocks(ctx, actor, page, all)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	a.replyBlocks(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, blocks)
}

// Paging of connection lists: a page fits a message's 50 blocks (two per
// connection plus heading and navigation).
const (
	listPageSize = 20
	listMaxPage  = 50
)

// listBlocks is one page of the connections actor may see, newest first,
// each with its status, who must act next, and the actor's buttons.
func (a *App) listBlocks(ctx context.Context, actor models.Actor, page int, all bool) ([]slack.Block, error) {
	p := a.forUser(ctx, actor.UserID)
	page = min(max(page, 1), listMaxPage)
	list := a.store.List
	if all {
		list = a.store.ListAll
	}
	rows, err := list(ctx, actor, page*listPageSize+1)
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	more := len(rows) > page*listPageSize
	start := (page - 1) * listPageSize
	if start > len(rows) {
		start = len(rows)
	}
	rows = rows[start:min(len(rows), page*listPageSize)]

	heading, err := a.listHeading(ctx, actor)
	if err != nil {
		return nil, err
	}
	heading += listScope(all)
	if page > 1 {
		heading += fmt.Sprintf(" · page %d", page)
	}
	blocks := []slack.Block{section(heading)}
	if len(rows) == 0 {
		msg := "No connections yet. Press *Apply for New Interface* (or `/leaseline apply`) to apply for one."
		if page > 1 {
			msg = "No more connections."
		}
		return append(blocks, section(msg)), nil
	}
	names, err := a.accountNames(ctx, actor)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		c := &rows[i]
		card := connectionBlocks(p, c, actor.Role, button(actShow, connValue(c.ID), "Details", ""))
		if len(names) > 1 && (i == 0 || rows[i-1].AccountID != c.AccountID) {
			blocks = accountHeading(blocks, card, names[c.AccountID], 2*(len(rows)-i)+3)
		}
		blocks = append(blocks, card...)
	}
	var nav []slack.BlockElement
	if page > 1 {
		nav = append(nav, button(actList, listValue(page-1, all), "Previous page", ""))
	}
	if more && page < listMaxPage {
		nav = append(nav, button(actList, listValue(page+1, all), "Next page", ""))
	}
	if len(nav) > 0 {
		blocks = append(blocks, slack.NewActionBlock("ll_list_nav", nav...))
	}
	if more && page >= listMaxPage {
		blocks = append(blocks, contextText("Older connections are not listed here: `/leaseline show ID` shows any of them."))
	}
	return blocks, nil
}

// listHeading names whose connections a list shows.
func (a *App) listHeading(ctx context.Context, actor models.Actor) (string, error) {
	switch actor.Role {
	case models.RoleCustomer:
		names, err := a.accountNames(ctx, actor)
		if err != nil {
			return "", err
		}
		if len(names) > 1 {
			return fmt.Sprintf("*Connections of your %d accounts*, newest first, each under its account's name. Each says who must act next.", len(names)), nil
		}
		return "*Connections of " + esc(names[actor.AccountID]) + "*, newest first. Each says who must act next.", nil
	case models.RoleProvider:
		return "*Connections built by your company*, newest first.", nil
	}
	return "*All connections* (staff view), newest first.", nil
}

// cmdConnection resolves the connection a command names (its first word)
// for the user who ran it; on failure the user has been told what to fix.
func (a *App) cmdConnection(ctx context.Context, cmd *slack.SlashCommand, rest string) (models.Actor, *models.Connection, bool) {
	ref, _ := splitWord(rest)
	if _, _, err := models.ParseRef(ref); err != nil {
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":warning: That is not a connection ID. Use its number, e.g. `#42`, or its physical connection ID (`pc-…`).")
		return models.Actor{}, nil, false
	}
	actor, err := a.cmdActor(ctx, cmd)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return actor, nil, false
	}
	c, err := a.store.Find(ctx, actor, ref)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return actor, nil, false
	}
	return actor, c, true
}

func (a *App) cmdShow(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	actor, c, ok := a.cmdConnection(ctx, cmd, rest)
	if !ok {
		return
	}
	blocks, err := a.detailBlocks(ctx, actor, c.ID)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	a.replyBlocks(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, blocks)
}

// detailBlocks shows one connection: its card with the actor's buttons, the
// timeline, the details of every step so far and the audit trail.
func (a *App) detailBlocks(ctx context.Context, actor models.Actor, id int64) ([]slack.Block, error) {
	p := a.forUser(ctx, actor.UserID)
	d, err := a.store.Detail(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	c := &d.Connection
	loc := zone(d.Region.TimeZone)
	blocks := connectionBlocks(p, c, actor.Role)
	blocks = append(blocks, section(timeline(p, c)))

	fields := []*slack.TextBlockObject{
		md("*Access Point*\n" + esc(d.AccessPoint.Name) + " · " + esc(d.AccessPoint.Location) + "\n" + esc(d.Region.Name)),
		md("*Service Provider*\n" + esc(d.Provider.Name)),
		md("*Location*\n" + esc(c.Location)),
		md("*Applied*\n" + localWhen(p, c.CreatedAt, loc) + " by " + mention(c.AppliedBy)),
	}
	if c.RedundantID != nil {
		fields = append(fields, md("*Redundancy*\n"+models.ApplicationRef(*c.RedundantID)))
	}
	if c.AmountCents > 0 {
		fields = append(fields, md("*Price*\n"+models.FormatMoney(c.AmountCents, c.Currency)))
	}
	if c.LineCode != "" || c.LineLabel != "" {
		fields = append(fields, md("*Line*\ncode "+esc(c.LineCode)+" · label "+esc(c.LineLabel)))
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))

	var steps []string
	if d.Survey != nil {
		sv := d.Survey
		steps = append(steps, fmt.Sprintf("*Survey*: %d engineer(s) of %s, %s line, arriving %s", len(sv.Engineers), esc(sv.ConstructionCompany), esc(string(sv.LineType)), localWhen(p, sv.PlannedArrival, loc)))
	}
	if d.Ticket != nil {
		steps = append(steps, fmt.Sprintf("*Construction ticket* %d: %s", d.Ticket.ID, esc(string(d.Ticket.State))))
	}
	if d.Visit != nil {
		v := fmt.Sprintf("*IDC visit*: %s %s at %s (%s)", esc(d.Visit.Date), esc(d.Visit.Window), esc(d.AccessPoint.IDCName), esc(string(d.Visit.State)))
		if d.Reception != nil {
			v += "; reception: " + esc(d.Reception.Name) + " " + esc(d.Reception.Phone)
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
func auditBlocks(p lang.Printer, events []models.AuditEvent, loc *time.Location, budget int) []slack.Block {
	lines := make([]string, 0, len(events))
	for _, ev := range events {
		line := fmt.Sprintf("• %s — %s (%s) *%s*", localWhen(p, ev.At, loc), mention(ev.Actor), esc(string(ev.Role)), esc(string(ev.Action)))
		switch {
		case ev.FromStatus == "":
			line += ": → " + string(ev.ToStatus)
		case ev.FromStatus != ev.ToStatus:
			line += ": " + string(ev.FromStatus) + " → " + string(ev.ToStatus)
		default:
			line += ": " + string(ev.ToStatus)
		}
		if ev.Step != models.StepNone && ev.ToStatus == models.StatusConnecting {
			line += " (" + esc(string(ev.Step)) + ")"
		}
		if ev.Detail != "" {
			line += " — " + esc(truncate(localTimes(p, ev.Detail, loc), 300))
		}
		lines = append(lines, line)
	}
	if budget < 2 {
		return nil
	}
	var chunks []string
	var cur strings.Builder
	cur.WriteString("*Audit trail*\n")
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
		out = append(out, contextText(fmt.Sprintf("The audit trail is long: its oldest %d part(s) are not shown.", len(chunks)-budget+1)))
		chunks = chunks[len(chunks)-budget+1:]
	}
	for _, ch := range chunks {
		out = append(out, section(ch))
	}
	return out
}

func (a *App) cmdCancel(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	p := a.forUser(ctx, cmd.UserID)
	actor, c, ok := a.cmdConnection(ctx, cmd, rest)
	if !ok {
		return
	}
	if _, err := models.Lookup(models.ActionCancel, c.Status, c.Step, actor.Role); err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	// Cancelling is never done from typed text alone: the user confirms
	// with the Cancel button, which asks once more.
	blocks := []slack.Block{
		section(fmt.Sprintf("Cancel %s? It is %s. This cannot be undone.", connTitle(c), statusLine(p, c))),
		slack.NewActionBlock(fmt.Sprintf("ll_cancel_%d", c.ID), button(actCancel, connValue(c.ID), "Cancel", slack.StyleDanger)),
	}
	a.replyBlocks(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, blocks)
}

// errNotStaff is returned for staff commands run by others.
var errNotStaff = fmt.Errorf("staff command: %w", models.ErrForbidden)

// isNoAccount reports whether err means the user belongs to no account.
func isNoAccount(err error) bool { return errors.Is(err, models.ErrNoAccount) }

// isNotFound reports whether err means "no such thing".
func isNotFound(err error) bool { return errors.Is(err, models.ErrNotFound) }
