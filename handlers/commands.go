package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// subcommand is one line of the help: the subcommand as typed (its words
// stay English in every language) and what it does, in the reader's.
type subcommand struct {
	usage string
	does  string
}

// customerCommands and staffCommands are the help's lines, in the order
// they are shown.
func customerCommands(p lang.Printer) []subcommand {
	return []subcommand{
		{"help", p.T("help.cmd_help")},
		{"apply", p.T("help.cmd_apply", lang.Args{"Apply": p.T("home.button_apply")})},
		{"list [--all] [PAGE]", p.T("help.cmd_list", lang.Args{"Rejected": statusWord(p, models.StatusRejected), "Canceled": statusWord(p, models.StatusCanceled)})},
		{"show ID", p.T("help.cmd_show")},
		{"access-points [REGION]", p.T("help.cmd_access_points")},
		{"enquire [ACCESS-POINT] [QUESTION]", p.T("help.cmd_enquire")},
		{"cancel ID", p.T("help.cmd_cancel", lang.Args{"Applying": statusWord(p, models.StatusApplying), "Approved": statusWord(p, models.StatusApproved)})},
		{"language [zh-CN|en|reset]", p.T("language.help_user")},
	}
}

func staffCommands(p lang.Printer) []subcommand {
	return []subcommand{
		{"link #CHANNEL customer NAME", p.T("help.cmd_link")},
		{"credit NAME AMOUNT", p.T("help.cmd_credit")},
		{"adduser @USER NAME", p.T("help.cmd_adduser")},
		{"visits [YYYY-MM-DD|ACCESS-POINT]", p.T("help.cmd_visits")},
		{"ports [ACCESS-POINT]", p.T("help.cmd_ports")},
		{"language #CHANNEL zh-CN|en|reset", p.T("language.help_staff")},
		{"checkin CODE", p.T("help.cmd_checkin")},
		{"calendar-link provider|access-point ID · calendar-link revoke TOKEN|ID", p.T("help.cmd_calendar_link")},
	}
}

// helpBlocks lists the commands and what each does, for each party:
// customers, staff and service providers.
func helpBlocks(p lang.Printer) []slack.Block {
	var b strings.Builder
	for _, c := range customerCommands(p) {
		fmt.Fprintf(&b, "`%s %s` — %s\n", cmdName, c.usage, c.does)
	}
	var s strings.Builder
	for _, c := range staffCommands(p) {
		fmt.Fprintf(&s, "`%s %s` — %s\n", cmdName, c.usage, c.does)
	}
	return []slack.Block{
		slack.NewHeaderBlock(plain(p.T("help.title"))),
		section(p.T("help.intro", lang.Args{"Enabled": statusWord(p, models.StatusEnabled)}) + "\n\n" + b.String()),
		section(p.T("help.staff_only") + "\n" + s.String()),
		section(p.T("help.providers")),
		contextText(p.T("help.slack_connect", lang.Args{
			"Apply": p.T("home.button_apply"), "List": p.T("home.button_list"),
			"AccessPoints": p.T("home.button_access_points"), "Enquire": p.T("home.button_enquire"),
		})),
	}
}

// helpAcks is the help as an ack per language, encoded once: it never
// changes, and building and encoding its blocks on every `/leaseline help`
// was about half of the CPU its ack took.
func helpAcks(words *lang.Catalog) map[lang.Lang]any {
	out := make(map[lang.Lang]any, len(lang.Langs()))
	for _, l := range lang.Langs() {
		msg := ephemeral(helpBlocks(words.For(l))...)
		b, err := json.Marshal(msg)
		if err != nil {
			out[l] = msg
			continue
		}
		out[l] = json.RawMessage(b)
	}
	return out
}

// helpAck is the help in p's language.
func (a *App) helpAck(p lang.Printer) any {
	if h, ok := a.helps[p.Lang()]; ok {
		return h
	}
	return ephemeral(helpBlocks(p)...)
}

// unknownCommandBlocks is the help, prefixed by what was not understood
// (escaped: it is what the user typed).
func unknownCommandBlocks(p lang.Printer, sub string) []slack.Block {
	blocks := []slack.Block{section(":grey_question: " + p.T("help.unknown", lang.Args{"Command": esc(truncate(sub, 40))}))}
	return append(blocks, helpBlocks(p)...)
}

// command is /leaseline: help answers in the ack; everything that reads
// the database answers through the response_url after the ack.
func (a *App) command(ctx context.Context, req bot.Request) (any, func(context.Context)) {
	cmd := req.Command
	if a.words == nil {
		// An App without catalogs (the fuzz test): the help, with its
		// message IDs for words.
		return ephemeral(helpBlocks(lang.Printer{})...), nil
	}
	if cmd == nil {
		return a.helpAck(a.words.For(lang.English)), nil
	}
	p := a.forUserNow(ctx, cmd.UserID) // in the ack: never waits on Slack
	sub, rest := parseCommandText(cmd.Text)
	run := func(fn func(ctx context.Context, cmd *slack.SlashCommand, rest string)) (any, func(context.Context)) {
		return nil, func(ctx context.Context) { fn(ctx, cmd, rest) }
	}
	switch sub {
	case "", "help", "?":
		return a.helpAck(p), nil
	case "apply", "new":
		return run(a.cmdApply)
	case "list", "ls":
		return run(a.cmdList)
	case "show", "details":
		if rest == "" {
			return ephemeral(section(p.T("commands.show_which"))), nil
		}
		return run(a.cmdShow)
	case "access-points", "accesspoints", "aps", "ap":
		return run(a.cmdAccessPoints)
	case "enquire", "enquiry", "ask":
		return run(a.cmdEnquire)
	case "cancel":
		if rest == "" {
			return ephemeral(section(p.T("commands.cancel_which"))), nil
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
	case "language", "lang":
		return run(a.cmdLanguage)
	case "checkin", "check-in":
		return run(a.cmdCheckin)
	case "calendar-link", "calendar":
		return run(a.cmdCalendarLink)
	}
	return ephemeral(unknownCommandBlocks(p, sub)...), nil
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
	blocks, err := a.listBlocks(ctx, a.forUser(ctx, cmd.UserID), actor, parseListReq(rest))
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

// listReq is the page of a list asked for: by its number (typed), or by
// its page buttons, which carry the cursor the page is read from ("b17":
// the connections after connection 17, older; "a17": those before it).
type listReq struct {
	page int
	all  bool
	cur  *models.Cursor
	back bool
}

// parseListReq reads the arguments of `list` or the value of its page
// buttons (listArgs, and a cursor).
func parseListReq(s string) listReq {
	r := listReq{}
	r.page, r.all = listArgs(s)
	for _, w := range strings.FieldsFunc(s, func(c rune) bool { return c == ' ' || c == '\t' || c == ':' }) {
		if len(w) < 2 || (w[0] != 'a' && w[0] != 'b') {
			continue
		}
		if id, err := strconv.ParseInt(w[1:], 10, 64); err == nil && id > 0 {
			r.cur, r.back = &models.Cursor{ID: id}, w[0] == 'a'
		}
	}
	return r
}

// value is the value of a page button asking for r.
func (r listReq) value() string {
	v := listValue(r.page, r.all)
	if r.cur != nil && r.page > 1 {
		dir := "b"
		if r.back {
			dir = "a"
		}
		v += ":" + dir + strconv.FormatInt(r.cur.ID, 10)
	}
	return v
}

// listBlocks is one page of the connections actor may see, newest first,
// each with its status, who must act next, and the actor's buttons. A page
// reached by its buttons is read from its cursor: it costs the same however
// far into the list it is.
func (a *App) listBlocks(ctx context.Context, p lang.Printer, actor models.Actor, r listReq) ([]slack.Block, error) {
	page, all := min(max(r.page, 1), listMaxPage), r.all
	req := models.Page{Size: listPageSize, All: all}
	if r.cur != nil && page > 1 {
		req.Cursor, req.Back = r.cur, r.back
	} else {
		req.Offset = (page - 1) * listPageSize
	}
	rows, more, err := a.store.ListPage(ctx, actor, req)
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	prev, next := page > 1, more
	if req.Back {
		// Read backwards: older pages lie after this one; when none lies
		// before it, it is the first.
		prev, next = more, true
		if !more {
			page = 1
		}
	}

	heading, err := a.listHeading(ctx, p, actor)
	if err != nil {
		return nil, err
	}
	heading += " " + listScope(p, all)
	if page > 1 {
		heading += " · " + p.T("commands.list_page", lang.Args{"Page": page})
	}
	blocks := []slack.Block{section(heading)}
	if len(rows) == 0 {
		msg := p.T("commands.list_empty", lang.Args{"Apply": p.T("home.button_apply")})
		if page > 1 {
			msg = p.T("commands.list_no_more")
		}
		return append(blocks, section(msg)), nil
	}
	names, err := a.accountNames(ctx, actor)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		c := &rows[i]
		card := connectionBlocks(p, c, actor.Role, button(actShow, connValue(c.ID), p.T("home.button_details"), ""))
		if len(names) > 1 && (i == 0 || rows[i-1].AccountID != c.AccountID) {
			blocks = accountHeading(blocks, card, names[c.AccountID], 2*(len(rows)-i)+3)
		}
		blocks = append(blocks, card...)
	}
	var nav []slack.BlockElement
	if prev {
		to := listReq{page: page - 1, all: all, cur: &models.Cursor{ID: rows[0].ID}, back: true}
		nav = append(nav, button(actList+"_previous", to.value(), p.T("commands.list_previous"), ""))
	}
	if next && page < listMaxPage {
		to := listReq{page: page + 1, all: all, cur: &models.Cursor{ID: rows[len(rows)-1].ID}}
		nav = append(nav, button(actList+"_next", to.value(), p.T("commands.list_next"), ""))
	}
	if len(nav) > 0 {
		blocks = append(blocks, slack.NewActionBlock("ll_list_nav", nav...))
	}
	if next && page >= listMaxPage {
		blocks = append(blocks, contextText(p.T("commands.list_older")))
	}
	return blocks, nil
}

// listHeading names whose connections a list shows.
func (a *App) listHeading(ctx context.Context, p lang.Printer, actor models.Actor) (string, error) {
	switch actor.Role {
	case models.RoleCustomer:
		names, err := a.accountNames(ctx, actor)
		if err != nil {
			return "", err
		}
		if len(names) > 1 {
			return p.N("commands.list_heading_accounts", len(names)), nil
		}
		return p.T("commands.list_heading_account", lang.Args{"Account": esc(names[actor.AccountID])}), nil
	case models.RoleProvider:
		return p.T("commands.list_heading_provider"), nil
	}
	return p.T("commands.list_heading_staff"), nil
}

// cmdConnection resolves the connection a command names (its first word)
// for the user who ran it; on failure the user has been told what to fix.
func (a *App) cmdConnection(ctx context.Context, cmd *slack.SlashCommand, rest string) (models.Actor, *models.Connection, bool) {
	ref, _ := splitWord(rest)
	if _, _, err := models.ParseRef(ref); err != nil {
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":warning: "+a.forUser(ctx, cmd.UserID).T("commands.not_a_connection_id"))
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
		section(p.T("commands.cancel_confirm", lang.Args{"Connection": connTitle(c), "Status": statusLine(p, c)})),
		slack.NewActionBlock(fmt.Sprintf("ll_cancel_%d", c.ID), button(actCancel, connValue(c.ID), p.T("commands.cancel_button"), slack.StyleDanger)),
	}
	a.replyBlocks(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, blocks)
}

// errNotStaff is returned for staff commands run by others.
var errNotStaff = fmt.Errorf("staff command: %w", models.ErrForbidden)

// isNoAccount reports whether err means the user belongs to no account.
func isNoAccount(err error) bool { return errors.Is(err, models.ErrNoAccount) }

// isNotFound reports whether err means "no such thing".
func isNotFound(err error) bool { return errors.Is(err, models.ErrNotFound) }
