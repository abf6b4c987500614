package bot

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"
)

// methodOther labels requests that are not Web API calls (response_url
// posts, whose path is a credential) or whose method name looks wrong.
const methodOther = "other"

// okFalseHead is how much of a 2xx JSON answer is read to find Slack's
// {"ok":false,"error":"…"}: such answers are short, and the rest of the
// body streams on untouched.
const okFalseHead = 512

var (
	slackMethodRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9._]{0,63}$`)
	okFalseRE     = regexp.MustCompile(`"ok"\s*:\s*false`)
	errorCodeRE   = regexp.MustCompile(`"error"\s*:\s*"([a-z0-9_]{1,64})"`)
)

// apiTransport counts Slack Web API calls by method and status class,
// rate limits (429) by method, and errors by method and code: HTTP errors,
// transport failures and ok=false answers.
type apiTransport struct {
	next       http.RoundTripper
	apiURL     string
	requests   *prometheus.CounterVec
	rateLimits *prometheus.CounterVec
	errors     *prometheus.CounterVec
}

// InstrumentTransport wraps next (nil means http.DefaultTransport) with the
// Slack Web API metrics, registered with reg:
// leaseline_slack_api_requests_total{method,status},
// leaseline_slack_api_rate_limits_total{method} and
// leaseline_slack_api_errors_total{method,error}. apiURL is the Web API's
// base URL as given to NewClient ("" means Slack's); the method is the path
// below it (chat.postMessage). Other requests through the same client (a
// response_url, whose path is a credential) count as method "other".
func InstrumentTransport(next http.RoundTripper, apiURL string, reg prometheus.Registerer) (http.RoundTripper, error) {
	if next == nil {
		next = http.DefaultTransport
	}
	if apiURL == "" {
		apiURL = slack.APIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	t := &apiTransport{
		next: next, apiURL: apiURL,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "leaseline", Subsystem: "slack_api", Name: "requests_total",
			Help: "Slack Web API calls by method and HTTP status class (2xx, 4xx, 5xx; \"error\" when no response came).",
		}, []string{"method", "status"}),
		rateLimits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "leaseline", Subsystem: "slack_api", Name: "rate_limits_total",
			Help: "Slack Web API calls answered 429 (rate limited), by method.",
		}, []string{"method"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "leaseline", Subsystem: "slack_api", Name: "errors_total",
			Help: "Failed Slack Web API calls by method and error: Slack's ok=false error code, http_<status>, or transport.",
		}, []string{"method", "error"}),
	}
	for _, c := range []prometheus.Collector{t.requests, t.rateLimits, t.errors} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register slack api metrics (one transport per registry): %w", err)
		}
	}
	return t, nil
}

// method names the Web API method of a request URL.
func (t *apiTransport) method(r *http.Request) string {
	u := r.URL.Scheme + "://" + r.URL.Host + r.URL.Path
	rest, ok := strings.CutPrefix(u, t.apiURL)
	if !ok || !slackMethodRE.MatchString(rest) {
		return methodOther
	}
	return rest
}

// RoundTrip implements http.RoundTripper.
func (t *apiTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	method := t.method(r)
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		t.requests.WithLabelValues(method, "error").Inc()
		t.errors.WithLabelValues(method, "transport").Inc()
		return resp, err
	}
	t.requests.WithLabelValues(method, strconv.Itoa(resp.StatusCode/100)+"xx").Inc()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		t.rateLimits.WithLabelValues(method).Inc()
		t.errors.WithLabelValues(method, "http_429").Inc()
	case resp.StatusCode/100 != 2:
		t.errors.WithLabelValues(method, "http_"+strconv.Itoa(resp.StatusCode)).Inc()
	case method != methodOther && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"):
		t.okFalse(method, resp)
	}
	return resp, nil
}

// okFalse counts an ok=false answer, reading only the head of the body
// and putting it back in front of the rest.
func (t *apiTransport) okFalse(method string, resp *http.Response) {
	head := make([]byte, okFalseHead)
	n, err := io.ReadFull(resp.Body, head)
	head = head[:n]
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		// A read error mid-body: hand back what was read and the error.
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(head), errReader{err}), resp.Body}
		return
	}
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	if !okFalseRE.Match(head) {
		return
	}
	code := "unknown"
	if m := errorCodeRE.FindSubmatch(head); m != nil {
		code = string(m[1])
	}
	t.errors.WithLabelValues(method, code).Inc()
	if code == "ratelimited" {
		t.rateLimits.WithLabelValues(method).Inc()
	}
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
