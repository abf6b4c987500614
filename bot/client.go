package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/slack-go/slack"
)

// NewClient returns a Slack Web API client for token. apiURL "" means Slack's
// default endpoint; any other value (a proxy, or slackfake in tests) is used
// as the base URL, with a trailing slash ensured. httpClient nil means
// http.DefaultClient. extra options follow (e.g. slack.OptionAppLevelToken
// for Socket Mode).
func NewClient(token, apiURL string, httpClient *http.Client, extra ...slack.Option) *slack.Client {
	var opts []slack.Option
	if apiURL != "" {
		if !strings.HasSuffix(apiURL, "/") {
			apiURL += "/"
		}
		opts = append(opts, slack.OptionAPIURL(apiURL))
	}
	if httpClient != nil {
		opts = append(opts, slack.OptionHTTPClient(httpClient))
	}
	return slack.New(token, append(opts, extra...)...)
}

// Responder posts messages to the response_url of a slash command or an
// interaction: the way to send an ephemeral reply after the ack.
type Responder struct {
	hc *http.Client
}

// NewResponder returns a Responder using httpClient (nil means
// http.DefaultClient).
func NewResponder(httpClient *http.Client) *Responder {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Responder{hc: httpClient}
}

// Respond POSTs msg as JSON to responseURL, e.g. a slack.Msg with
// ResponseType "ephemeral" or ReplaceOriginal set. A non-2xx answer is an
// error; the URL is not repeated in errors since it is a bearer credential.
func (r *Responder) Respond(ctx context.Context, responseURL string, msg any) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("respond: encode message: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("respond: build request: %w", redactURL(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.hc.Do(req)
	if err != nil {
		return fmt.Errorf("respond: post to response_url: %w", redactURL(err))
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("respond: response_url answered %s: %q", resp.Status, snippet)
	}
	return nil
}

// redactURL hides the URL of a *url.Error: response URLs carry a secret.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: "response_url", Err: ue.Err}
	}
	return err
}
