package bot

import (
	"encoding/json"
	"net/url"
	"testing"
)

// The parsers of outside input in HTTP mode: the slash command form and
// the interaction form's payload. Seeds: testdata/fuzz/<FuzzName>/, and
// `go test -fuzz=FuzzParseInteraction ./bot` to look further.

// fuzzRouter has a route of every kind, so that routing a parsed request
// reads every field a route is matched on.
func fuzzRouter() *Router {
	r := NewRouter()
	r.Command("/leaseline", nil)
	r.Action("ll_", nil)
	r.View("ll_v_", nil)
	r.Suggestion("ll_s_", nil)
	r.Shortcut("ll_apply", nil)
	return r
}

// FuzzParseInteraction: any body parses or is refused with an error, never
// a panic; a body that is not a form, has no payload or whose payload is
// not JSON is refused; what parses routes.
func FuzzParseInteraction(f *testing.F) {
	f.Add([]byte(`payload=%7B%22type%22%3A%22block_actions%22%7D`))
	r := fuzzRouter()
	f.Fuzz(func(t *testing.T, body []byte) {
		ic, err := parseInteraction(body)
		if (ic == nil) == (err == nil) {
			t.Fatalf("parseInteraction(%q) = %v, %v: want exactly one of a callback and an error", body, ic, err)
		}
		form, ferr := url.ParseQuery(string(body))
		switch {
		case ferr != nil && err == nil:
			t.Fatalf("body %q is not a form (%v) but parsed", body, ferr)
		case ferr == nil && form.Get("payload") == "" && err == nil:
			t.Fatalf("body %q has no payload but parsed", body)
		case ferr == nil && !json.Valid([]byte(form.Get("payload"))) && err == nil:
			t.Fatalf("payload %q is not JSON but parsed", form.Get("payload"))
		}
		if err != nil {
			return
		}
		req := Request{Kind: interactionKind(ic.Type), Interaction: ic}
		r.route(req)
		_ = dedupKey(req, body)
	})
}

// FuzzParseCommand: any body parses into a command with a name or is
// refused with an error, never a panic; a body that is not a form is
// refused.
func FuzzParseCommand(f *testing.F) {
	f.Add([]byte(`command=%2Fleaseline&text=help&user_id=U1&channel_id=C1&team_id=T1`))
	r := fuzzRouter()
	f.Fuzz(func(t *testing.T, body []byte) {
		cmd, err := parseCommand(body)
		if (cmd == nil) == (err == nil) {
			t.Fatalf("parseCommand(%q) = %v, %v: want exactly one of a command and an error", body, cmd, err)
		}
		if _, ferr := url.ParseQuery(string(body)); ferr != nil && err == nil {
			t.Fatalf("body %q is not a form (%v) but parsed", body, ferr)
		}
		if err != nil {
			return
		}
		if cmd.Command == "" {
			t.Fatalf("body %q parsed into a command without a name", body)
		}
		r.route(Request{Kind: KindCommand, Command: cmd})
	})
}
