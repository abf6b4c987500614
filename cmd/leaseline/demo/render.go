package demo

// Rendering of what the fake Slack recorded as plain text for the demo:
// Block Kit blocks and mrkdwn become readable lines, Slack IDs become the
// friendly names of the legend.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/leaseline/leaseline/bot/slackfake"
)

// demoZone is the time zone everyone in the demo reads times in.
func demoZone() *time.Location { return time.FixedZone("Asia/Shanghai", 8*3600) }

// names maps Slack user and channel IDs to the names of the legend.
type names struct {
	users    map[string]string // U… -> "@alice"
	channels map[string]string // C… -> "#acme-network"
	// chinese renders Slack's date tokens as Slack shows them to a reader
	// whose Slack is in Chinese.
	chinese bool
}

// date is a Slack date token's time as the reader's Slack shows it.
func (n names) date(t time.Time) string {
	t = t.In(demoZone())
	if n.chinese {
		return fmt.Sprintf("%d月%d日 %s", int(t.Month()), t.Day(), t.Format("15:04"))
	}
	return t.Format("Mon 2 Jan 15:04")
}

func (n names) user(id string) string {
	if s, ok := n.users[id]; ok {
		return s
	}
	return "@" + id
}

// channel names a channel, or the DM with a user when id is a user ID (the
// bot posts to a user ID to send a direct message).
func (n names) channel(id string) string {
	if s, ok := n.channels[id]; ok {
		return s
	}
	if strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W") {
		return "DM to " + n.user(id)
	}
	return "#" + id
}

// textOf is the text of a text object (plain_text or mrkdwn) as a reader
// sees it.
func (n names) textOf(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["text"].(string)
	if m["type"] == "mrkdwn" {
		return n.mrkdwn(s)
	}
	return emoji(s)
}

var (
	entityRE = regexp.MustCompile(`<([^<>]*)>`)
	emojiRE  = regexp.MustCompile(`:([a-z0-9_+-]+):`)
	// labelOnlyRE is a field that is only a bold label ("*Bandwidth*").
	labelOnlyRE = regexp.MustCompile(`^\*[^*\n]+\*$`)
)

// emojiOf is the character of a Slack emoji name the handlers use.
func emojiOf(name string) (string, bool) {
	e, ok := map[string]string{
		"warning": "⚠️", "information_source": "ℹ️", "no_entry": "⛔", "white_check_mark": "✅", "red_circle": "🔴",
		"moneybag": "💰", "link": "🔗", "large_orange_circle": "🟠", "large_green_circle": "🟢", "incoming_envelope": "📨",
		"grey_question": "❔", "earth_asia": "🌏", "bust_in_silhouette": "👤", "calendar": "📅", "tada": "🎉",
		"construction": "🚧", "hourglass_flowing_sand": "⏳", "bell": "🔔", "wrench": "🔧", "white_circle": "⚪",
		"heavy_check_mark": "✔️", "x": "❌", "memo": "📝", "package": "📦", "alarm_clock": "⏰",
	}[name]
	return e, ok
}

func emoji(s string) string {
	return emojiRE.ReplaceAllStringFunc(s, func(m string) string {
		if e, ok := emojiOf(m[1 : len(m)-1]); ok {
			return e
		}
		return m
	})
}

// mrkdwn renders Slack mrkdwn as plain text: mentions and channel links by
// name, dates in the demo's zone, formatting marks dropped (but the marks
// that escaped typed text keeps, and runs such as a masked
// "**************1234", kept), entities unescaped.
func (n names) mrkdwn(s string) string {
	s = entityRE.ReplaceAllStringFunc(s, func(m string) string {
		inner := m[1 : len(m)-1]
		ref, label, _ := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(ref, "@"):
			return n.user(ref[1:])
		case strings.HasPrefix(ref, "#"):
			return n.channel(ref[1:])
		case strings.HasPrefix(ref, "!date^"):
			parts := strings.Split(ref, "^")
			if sec, err := strconv.ParseInt(parts[1], 10, 64); err == nil {
				return n.date(time.Unix(sec, 0))
			}
			return label
		case strings.HasPrefix(ref, "!subteam^"):
			return label
		case strings.HasPrefix(ref, "!"):
			return "@" + ref[1:]
		case label != "":
			return label
		}
		return ref
	})
	s = emoji(s)
	s = stripMarks(s)
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "\u200b", "").Replace(s)
	return s
}

// stripMarks drops the mrkdwn formatting marks (*bold*, _italic_, ~strike~,
// `code`): a mark escaped by a zero-width space (typed text), a mark inside
// a word, and a run of the same mark (a masked number) are kept.
func stripMarks(s string) string {
	rs := []rune(s)
	var b strings.Builder
	word := func(i int) bool {
		return i >= 0 && i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i]))
	}
	for i, r := range rs {
		if !strings.ContainsRune("*_~`", r) {
			b.WriteRune(r)
			continue
		}
		escaped := i > 0 && rs[i-1] == '\u200b'
		run := (i > 0 && rs[i-1] == r) || (i+1 < len(rs) && rs[i+1] == r)
		inWord := r != '`' && word(i-1) && word(i+1)
		if escaped || run || inWord {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// blocks renders Block Kit blocks (raw JSON or decoded) as lines.
func (n names) blocks(v any) []string {
	var list []any
	switch x := v.(type) {
	case []any:
		list = x
	case string:
		_ = json.Unmarshal([]byte(x), &list)
	case json.RawMessage:
		_ = json.Unmarshal(x, &list)
	}
	var out []string
	add := func(s string) {
		for line := range strings.SplitSeq(strings.TrimRight(s, "\n"), "\n") {
			out = append(out, strings.TrimRight(line, " "))
		}
	}
	for _, raw := range list {
		b, _ := raw.(map[string]any)
		switch b["type"] {
		case "header":
			add("【" + n.textOf(b["text"]) + "】")
		case "section":
			text := ""
			if b["text"] != nil {
				text = n.textOf(b["text"])
			}
			if acc, ok := b["accessory"].(map[string]any); ok {
				text += " " + n.element(acc)
			}
			if text != "" {
				add(text)
			}
			if fs, ok := b["fields"].([]any); ok {
				add(n.fields(fs))
			}
		case "context":
			var parts []string
			els, _ := b["elements"].([]any)
			for _, el := range els {
				if m, _ := el.(map[string]any); m["type"] == "mrkdwn" || m["type"] == "plain_text" {
					parts = append(parts, n.textOf(m))
				}
			}
			add(strings.Join(parts, " · "))
		case "actions":
			var parts []string
			els, _ := b["elements"].([]any)
			for _, el := range els {
				m, _ := el.(map[string]any)
				parts = append(parts, n.element(m))
			}
			add(strings.Join(parts, " "))
		case "input":
			label := n.textOf(b["label"])
			if opt, _ := b["optional"].(bool); opt {
				label += " (optional)"
			}
			el, _ := b["element"].(map[string]any)
			add(label + ": " + n.element(el))
		case "rich_text", "divider", "image":
			// Decoration: nothing a newcomer needs.
		}
	}
	return out
}

// fields renders a section's fields as "Label: value" lines of reasonable
// width. A field is either a bold label alone, whose value is the next
// field, or a label and its value on two lines.
func (n names) fields(fs []any) string {
	var pairs []string
	for i := 0; i < len(fs); i++ {
		m, _ := fs[i].(map[string]any)
		raw, _ := m["text"].(string)
		text := strings.TrimSpace(n.textOf(m))
		if labelOnlyRE.MatchString(raw) && i+1 < len(fs) {
			i++
			value := strings.ReplaceAll(strings.TrimSpace(n.textOf(fs[i])), "\n", ", ")
			pairs = append(pairs, text+": "+value)
			continue
		}
		label, value, ok := strings.Cut(text, "\n")
		if ok {
			text = label + ": " + strings.ReplaceAll(strings.TrimSpace(value), "\n", ", ")
		}
		pairs = append(pairs, text)
	}
	var lines []string
	cur := ""
	for _, p := range pairs {
		switch {
		case cur == "":
			cur = p
		case len([]rune(cur))+len([]rune(p)) < 90:
			cur += " · " + p
		default:
			lines = append(lines, cur)
			cur = p
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return strings.Join(lines, "\n")
}

// element renders an interactive element: a button as [Text], a select
// with its first options, a text input as a blank to fill.
func (n names) element(el map[string]any) string {
	switch t, _ := el["type"].(string); t {
	case "button":
		return "[" + n.textOf(el["text"]) + "]"
	case "plain_text_input", "number_input", "email_text_input", "url_text_input":
		if ml, _ := el["multiline"].(bool); ml {
			return "[ … ]"
		}
		return "[____]"
	case "datetimepicker":
		return "[date and time]"
	case "datepicker":
		return "[date]"
	case "timepicker":
		return "[time]"
	case "static_select", "radio_buttons", "checkboxes", "external_select":
		var opts []string
		collect := func(list any) {
			os, _ := list.([]any)
			for _, o := range os {
				m, _ := o.(map[string]any)
				opts = append(opts, n.textOf(m["text"]))
			}
		}
		collect(el["options"])
		if groups, ok := el["option_groups"].([]any); ok {
			for _, g := range groups {
				m, _ := g.(map[string]any)
				collect(m["options"])
			}
		}
		if len(opts) == 0 {
			if ph, ok := el["placeholder"]; ok {
				return "[▾ " + n.textOf(ph) + "]"
			}
			return "[▾]"
		}
		if len(opts) > 4 {
			return fmt.Sprintf("[▾ %s | … %d choices]", strings.Join(opts[:3], " | "), len(opts))
		}
		return "[▾ " + strings.Join(opts, " | ") + "]"
	default:
		return "[" + t + "]"
	}
}

// modal renders a view: its title, blocks and buttons.
func (n names) modal(v map[string]any) []string {
	out := []string{"┌ " + n.textOf(v["title"]) + " (modal)"}
	out = append(out, n.blocks(v["blocks"])...)
	var btns []string
	for _, k := range []string{"close", "submit"} {
		if v[k] != nil {
			btns = append(btns, "["+n.textOf(v[k])+"]")
		}
	}
	if len(btns) > 0 {
		out = append(out, strings.Join(btns, " "))
	}
	return out
}

// seen is one thing a party saw in a step: where, and the lines.
type seen struct {
	where string
	lines []string
}

// describeCall says what a recorded Web API call showed, and to whom;
// ok is false for calls nobody sees (history reads, user lookups).
func (n names) describeCall(c slackfake.Call, actor string) (seen, bool) {
	switch c.Method {
	case "chat.postMessage":
		where := n.channel(c.Param("channel")) + " · new message"
		if c.Param("thread_ts") != "" {
			where += " (in a thread)"
		}
		return seen{where, n.messageLines(c)}, true
	case "chat.update":
		return seen{n.channel(c.Param("channel")) + " · message updated in place", n.messageLines(c)}, true
	case "chat.postEphemeral":
		return seen{n.channel(c.Param("channel")) + " · only " + n.user(c.Param("user")) + " sees", n.messageLines(c)}, true
	case "response_url":
		where := "only " + n.user(actor) + " sees (reply)"
		if c.Param("replace_original") == "true" {
			where = "the message " + n.user(actor) + " acted on is replaced"
		}
		return seen{where, n.messageLines(c)}, true
	case "views.open", "views.push":
		var v map[string]any
		_ = c.JSONParam("view", &v)
		return seen{n.user(actor) + " · a form opens", n.modal(v)}, true
	case "views.update":
		var v map[string]any
		_ = c.JSONParam("view", &v)
		return seen{n.user(actor) + " · the form updates itself", n.modal(v)}, true
	case "views.publish":
		return seen{n.user(c.Param("user_id")) + " · App Home refreshed", nil}, true
	case "files.completeUploadExternal":
		var files []struct {
			Title string `json:"title"`
		}
		_ = c.JSONParam("files", &files)
		lines := strings.Split(n.mrkdwn(c.Param("initial_comment")), "\n")
		for _, f := range files {
			lines = append(lines, "📄 "+f.Title+" (PDF)")
		}
		return seen{n.channel(c.Param("channel_id")) + " · file shared", lines}, true
	}
	return seen{}, false
}

func (n names) messageLines(c slackfake.Call) []string {
	if lines := n.blocks(c.Params["blocks"]); len(lines) > 0 {
		return lines
	}
	return strings.Split(n.mrkdwn(c.Param("text")), "\n")
}
