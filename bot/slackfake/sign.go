package slackfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Sign returns the headers Slack adds to a request: X-Slack-Request-Timestamp
// and the v0 X-Slack-Signature of body with secret at ts.
func Sign(secret string, ts time.Time, body []byte) http.Header {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", stamp)
	mac.Write(body)
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", stamp)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return h
}

// SignedRequest returns a POST of body to target (a URL or a path such as
// "/slack/commands") with contentType, signed with secret at ts.
func SignedRequest(target, secret string, ts time.Time, contentType string, body []byte) (*http.Request, error) {
	r, err := http.NewRequestWithContext(context.Background(), http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("slackfake: build signed request: %w", err)
	}
	for k, v := range Sign(secret, ts, body) {
		r.Header[k] = v
	}
	r.Header.Set("Content-Type", contentType)
	return r, nil
}

// CommandRequest returns a signed slash command POST of form to target.
func CommandRequest(target, secret string, ts time.Time, form url.Values) (*http.Request, error) {
	return SignedRequest(target, secret, ts, "application/x-www-form-urlencoded", []byte(form.Encode()))
}

// InteractionRequest returns a signed interaction POST to target: payload is
// encoded as JSON (unless already []byte or json.RawMessage) into the form
// field "payload".
func InteractionRequest(target, secret string, ts time.Time, payload any) (*http.Request, error) {
	b, err := toJSON(payload)
	if err != nil {
		return nil, err
	}
	form := url.Values{"payload": {string(b)}}
	return SignedRequest(target, secret, ts, "application/x-www-form-urlencoded", []byte(form.Encode()))
}

// EventRequest returns a signed Events API POST of event (JSON-encoded unless
// already []byte or json.RawMessage) to target.
func EventRequest(target, secret string, ts time.Time, event any) (*http.Request, error) {
	b, err := toJSON(event)
	if err != nil {
		return nil, err
	}
	return SignedRequest(target, secret, ts, "application/json", b)
}

func toJSON(v any) ([]byte, error) {
	switch b := v.(type) {
	case []byte:
		return b, nil
	case json.RawMessage:
		return b, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("slackfake: encode payload: %w", err)
	}
	return b, nil
}
