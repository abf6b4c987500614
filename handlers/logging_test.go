package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/models"
)

// logBuffer collects JSON log lines from the handlers' goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Reset()
}

// TestLogsNameTheRequestAndKeepSecrets runs the provider's survey step
// through the signed HTTP handlers, logging JSON at debug level as in
// production (bot.NewLogHandler), with a raw ID card number in the form,
// a refused survey (another raw number, invalid), Slack failing the modal
// and the in-place update so that the handlers log their errors: every
// line logged while handling the requests names its request, and no line
// holds an ID number, the bot token, the signing secret or a response_url.
func TestLogsNameTheRequestAndKeepSecrets(t *testing.T) {
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			var buf logBuffer
			log := slog.New(bot.NewLogHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
			e := newEnvLog(t, backend, log)
			ctx := context.Background()
			c := jConnecting(e, "Hangzhou line 1")
			_, err := e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionNotifyProvider})
			jStep(e, "notify provider", err)
			k := newCourier(e)
			k.deliver()
			info := k.one(c.ID, models.NoticePortInfo, providerChan)

			// From here on only signed Slack requests run.
			buf.Reset()
			e.slack.FailNext("views.open", 1, http.StatusInternalServerError, 0)
			e.pressOn(providerUser, info, "Submit Survey") // the modal fails to open: logged
			e.pressOn(providerUser, info, "Submit Survey")
			v := e.jOpened()

			const badID = "11010119900307999" // 17 characters: an ID card number has 18
			state := map[string]slack.BlockAction{
				"company": jText("Zhejiang Line Works"), "line_type": jSelect("fibre"), "arrival": jDateTime(e.clock.Now().Add(72 * time.Hour)),
				"eng_1_name": jText("Li Wei"), "eng_1_phone": jText("+86 138 0000 0000"), "eng_1_idtype": jSelect("ID card"), "eng_1_idnum": jText(badID),
			}
			if errs := jAckErrors(t, e.jSubmitView(providerUser, v, state)); errs["eng_1_idnum"] == "" {
				t.Fatalf("invalid ID number accepted: %v", errs)
			}
			state["eng_1_idnum"] = jText(rawIDNumber)
			e.slack.FailNext("chat.update", 1, http.StatusInternalServerError, 0)
			if ack := e.jSubmitView(providerUser, v, state); ack["response_action"] != "clear" {
				t.Fatalf("valid survey: ack %v", ack)
			}
			e.settle()
			if d := jConn(e, c.ID); d.Connection.Step != models.StepSurveyReceived {
				t.Fatalf("survey not recorded: step %q", d.Connection.Step)
			}

			logs := buf.String()
			lines := strings.Split(strings.TrimSpace(logs), "\n")
			var problems int
			for _, line := range lines {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("log line is not JSON: %s", line)
				}
				if id, _ := rec["request_id"].(string); id == "" || strings.Count(line, `"request_id":`) != 1 {
					t.Errorf("line without exactly one request_id: %s", line)
				}
				if rec["level"] == "WARN" || rec["level"] == "ERROR" {
					problems++
				}
			}
			if problems < 2 {
				t.Errorf("%d warnings or errors logged, want the failed modal and the failed update:\n%s", problems, logs)
			}
			for what, secret := range map[string]string{
				"raw ID number": rawIDNumber, "refused ID number": badID, "last digits with the birth date": "199003071234",
				"bot token": "xoxb-test", "signing secret": signingSecret, "response_url": "/response/",
			} {
				if strings.Contains(logs, secret) {
					t.Errorf("the logs hold the %s (%s):\n%s", what, secret, logs)
				}
			}
			t.Logf("%d log lines checked", len(lines))
		})
	}
}
