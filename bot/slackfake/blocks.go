package slackfake

import (
	"encoding/json"
	"strings"
)

// Readers of Block Kit as the fake recorded it, for tests, the demo and the
// soak: what a user sees of a message (its text, its buttons).

// Button is a button of a message's blocks.
type Button struct {
	BlockID, ActionID, Value, Text string
}

// Buttons lists the buttons of blocks (a message's or a view's "blocks",
// raw JSON), in order.
func Buttons(raw []byte) []Button {
	var blocks []map[string]any
	_ = json.Unmarshal(raw, &blocks)
	var out []Button
	for _, b := range blocks {
		if b["type"] != "actions" {
			continue
		}
		id, _ := b["block_id"].(string)
		els, _ := b["elements"].([]any)
		for _, el := range els {
			m, _ := el.(map[string]any)
			if m["type"] != "button" {
				continue
			}
			a, _ := m["action_id"].(string)
			v, _ := m["value"].(string)
			txt, _ := m["text"].(map[string]any)
			s, _ := txt["text"].(string)
			out = append(out, Button{BlockID: id, ActionID: a, Value: v, Text: s})
		}
	}
	return out
}

// BlocksText flattens the text of every block (raw JSON), one text object a
// line, to assert on what a user saw.
func BlocksText(raw []byte) string {
	var blocks []any
	_ = json.Unmarshal(raw, &blocks)
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if t, ok := x["text"].(string); ok {
				b.WriteString(t)
				b.WriteByte('\n')
			}
			for _, v := range x {
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	walk(blocks)
	return b.String()
}
