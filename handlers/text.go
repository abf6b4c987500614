package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Block Kit limits that every view respects.
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxButtonText    = 75
	maxOptions       = 100
	maxPlainText     = 3000 // section text
	maxOptionText    = 75
)

// esc makes text a user typed safe inside mrkdwn: it is shown as typed but
// can never mention anyone (<!channel>, <@U…>), make a link, or change the
// message's formatting (*bold*, _italic_, ~strike~, `code`, > quote): the
// control characters are escaped, and the formatting characters are kept
// apart from their neighbours by an invisible zero-width space.
func esc(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '*', '_', '~', '`':
			b.WriteRune('\u200b')
			b.WriteRune(r)
			b.WriteRune('\u200b')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// truncate cuts s to n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, truncate(s, maxPlainText), false, false)
}

// md is mrkdwn shown verbatim: Slack does not turn bare URLs, channel names
// or user names into links or mentions (explicit <@U…> still works).
func md(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, truncate(s, maxPlainText), false, true)
}

func section(text string) *slack.SectionBlock { return slack.NewSectionBlock(md(text), nil, nil) }

func contextText(text string) *slack.ContextBlock {
	return slack.NewContextBlock("", md(text))
}

// button makes a button; its text is cut to Slack's 75 characters.
func button(actionID, value, text string, style slack.Style) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(actionID, value, plain(truncate(text, maxButtonText)))
	if style != "" {
		b.Style = style
	}
	return b
}

func option(value, text string) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(value, plain(truncate(text, maxOptionText)), nil)
}

// mention renders a Slack user ID as a mention; the ID comes from Slack,
// never from typed text. "system" reads as the scheduler.
func mention(userID string) string {
	switch {
	case userID == "" || userID == "system":
		return "leaseline"
	case strings.HasPrefix(userID, "U") || strings.HasPrefix(userID, "W"):
		return "<@" + userID + ">"
	}
	return esc(userID)
}

// when renders a time that Slack shows in the reader's own time zone.
func when(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// statusLine says the status and who must act next: the status never
// leaves the reader wondering whose move it is.
func statusLine(p lang.Printer, c *models.Connection) string {
	line := "*" + statusWord(p, c.Status) + "*"
	if c.Status == models.StatusConnecting && c.Step != models.StepNone {
		line += p.T("cards.step", lang.Args{"Step": stepWord(p, c.Step)})
	}
	if party, todo := c.NextTodo(); party != models.PartyNone {
		line += p.T("cards.waiting_on", lang.Args{"Party": partyWord(p, party), "Todo": todoWord(p, todo)})
	}
	return line
}

// connTitle is the connection's name and IDs, escaped.
func connTitle(c *models.Connection) string {
	t := "*" + esc(c.Name) + "* " + models.ApplicationRef(c.ID)
	if c.PhysicalConnectionID != nil {
		t += " · `" + *c.PhysicalConnectionID + "`"
	}
	return t
}

// connValue is a button value naming connection id.
func connValue(id int64) string { return fmt.Sprintf("%d", id) }

// ephemeral is an ack or response_url body seen only by the user.
func ephemeral(blocks ...slack.Block) map[string]any {
	return map[string]any{"response_type": "ephemeral", "replace_original": false, "blocks": trimBlocks(blocks, maxMessageBlocks), "text": fallbackText(blocks)}
}

// capBlocks keeps a message or view within Slack's block limit, saying in
// the reader's language how much was left out.
func capBlocks(p lang.Printer, blocks []slack.Block, limit int) []slack.Block {
	if len(blocks) <= limit {
		return blocks
	}
	out := append([]slack.Block(nil), blocks[:limit-1]...)
	return append(out, contextText(p.N("cards.more_blocks", len(blocks)-limit+1)))
}

// trimBlocks is capBlocks for a short reply or form built without its
// reader at hand (ephemeral, modal): they stay far below the limit, and the
// count of what was left out is said without words.
func trimBlocks(blocks []slack.Block, limit int) []slack.Block {
	if len(blocks) <= limit {
		return blocks
	}
	out := append([]slack.Block(nil), blocks[:limit-1]...)
	return append(out, contextText(fmt.Sprintf("… +%d", len(blocks)-limit+1)))
}

// fallbackText is the notification text of a message: its first section.
func fallbackText(blocks []slack.Block) string {
	for _, b := range blocks {
		if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil {
			return truncate(s.Text.Text, 300)
		}
		if h, ok := b.(*slack.HeaderBlock); ok && h.Text != nil {
			return h.Text.Text
		}
	}
	return "leaseline"
}

// userMessage turns an error into what the user should read: what went
// wrong and what to do. Unexpected errors are logged with the request ID
// and shown as such, without internals.
func (a *App) userMessage(ctx context.Context, p lang.Printer, err error) string {
	var rules models.RuleErrors
	var rule *models.RuleError
	var done *models.AlreadyDoneError
	var tr *models.TransitionError
	switch {
	case errors.As(err, &rules):
		msgs := make([]string, len(rules))
		for i, r := range rules {
			msgs[i] = "• " + ruleLine(p, r)
		}
		return p.T("actions.error.please_fix") + "\n" + strings.Join(msgs, "\n")
	case errors.As(err, &rule):
		return ruleLine(p, rule)
	case errors.As(err, &done):
		return p.T("actions.error.already_done", lang.Args{"Done": pastTense(p, done.Action), "By": mention(done.By), "At": when(done.At)})
	case errors.As(err, &tr):
		return transitionText(p, tr)
	case errors.Is(err, models.ErrNotFound):
		return p.T("actions.error.not_found")
	case errors.Is(err, errNoAccountHere):
		return p.T("actions.error.no_account_here")
	case errors.Is(err, models.ErrNoAccount):
		return p.T("actions.error.no_account")
	case errors.Is(err, models.ErrInsufficientBalance):
		// The store's English says the amounts; other languages say what
		// to do (the pay form shows the amounts in their words).
		return p.T("actions.error.insufficient_balance", lang.Args{"Detail": capitalize(err.Error())})
	case errors.Is(err, models.ErrNoFreePort):
		return p.T("actions.error.no_free_port", lang.Args{"Detail": capitalize(err.Error())})
	case errors.Is(err, errStaffUnverified):
		a.log.WarnContext(ctx, "refused: staff could not be verified", "request_id", bot.RequestID(ctx), "err", err)
		return p.T("actions.error.staff_unverified")
	case errors.Is(err, models.ErrForbidden):
		return p.T("actions.error.staff_only")
	}
	a.log.ErrorContext(ctx, "request failed", "err", err)
	return p.T("actions.error.unexpected", lang.Args{"Request": bot.RequestID(ctx)})
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
