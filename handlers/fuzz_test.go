package handlers

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/models"
)

var (
	channelIDRE = regexp.MustCompile(`^[CG][A-Z0-9]{2,31}$`)
	userIDRE    = regexp.MustCompile(`^[UW][A-Z0-9]{2,31}$`)
)

// FuzzCommandText: the text of /leaseline, as Slack sends it (mentions as
// <#C123|name> and <@U1|x>), is split into a subcommand and arguments and
// each argument parser reads its part without panicking and within its
// contract; the ack of the subcommands answered at once encodes as JSON.
// Seeds: testdata/fuzz/FuzzCommandText/.
func FuzzCommandText(f *testing.F) {
	f.Add("link <#C0123ABCD|acme-leased-lines> customer ACME Corp")
	a := &App{}
	f.Fuzz(func(t *testing.T, text string) {
		sub, rest := parseCommandText(text)
		if strings.ContainsAny(sub, " \t\n") {
			t.Fatalf("subcommand %q of %q holds a space", sub, text)
		}
		if rest != strings.TrimSpace(rest) || (sub == "" && rest != "") {
			t.Fatalf("%q split into %q and %q", text, sub, rest)
		}
		if utf8.ValidString(text) && !strings.Contains(strings.ToLower(text), sub) {
			t.Fatalf("subcommand %q is not in %q", sub, text)
		}

		// The argument parsers of link, adduser, credit, show and cancel.
		first, more := splitWord(rest)
		if ch, ok := parseSlackRef(first, "#", "CG"); ok && !channelIDRE.MatchString(ch) {
			t.Fatalf("channel %q from %q", ch, first)
		}
		if u, ok := parseSlackRef(first, "@", "UW"); ok && !userIDRE.MatchString(u) {
			t.Fatalf("user %q from %q", u, first)
		}
		_, _ = splitWord(more)
		if i := strings.LastIndexAny(rest, " \t"); i >= 0 {
			if cents, ok := parseAmount(rest[i+1:]); ok && (cents <= 0 || cents > 9_999_999_999_99) {
				t.Fatalf("amount %q read as %d cents", rest[i+1:], cents)
			}
		}
		if id, pc, err := models.ParseRef(first); err == nil && id <= 0 && !models.IsPhysicalConnectionID(pc) {
			t.Fatalf("ref %q read as %d %q", first, id, pc)
		}
		// list's arguments, and the value of its page buttons, read back.
		if page, all := listArgs(rest); page < 0 {
			t.Fatalf("list %q read as page %d", rest, page)
		} else if p, al := listArgs(listValue(page, all)); p != page || al != all {
			t.Fatalf("list page %d (all %v) read back as %d (%v)", page, all, p, al)
		}

		// The command itself: what is answered in the ack encodes; the rest
		// is post-ack work, not run here (it needs the database).
		ack, _ := a.command(context.Background(), bot.Request{Kind: bot.KindCommand, Command: &slack.SlashCommand{Command: "/leaseline", Text: text}})
		if ack != nil {
			if _, err := json.Marshal(ack); err != nil {
				t.Fatalf("ack of %q does not encode: %v", text, err)
			}
		}
	})
}
