package handlers

import (
	"regexp"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

var asciiWords = regexp.MustCompile(`[A-Za-z]{3,}`)

// The status line, with its sub-step and who must act next, is Chinese in
// every state a connection can be in, and the English one is the seed's
// (models.WaitingOn) word for word.
func TestStatusLineEveryState(t *testing.T) {
	c := lang.MustLoad()
	zh, en := c.For(lang.Chinese), c.For(lang.English)
	for _, s := range models.Statuses {
		steps := []models.Step{models.StepNone}
		if s == models.StatusConnecting {
			steps = append(steps, models.Steps...)
		}
		for _, st := range steps {
			conn := &models.Connection{Status: s, Step: st}
			if got := statusLine(zh, conn); asciiWords.MatchString(got) || !strings.HasPrefix(got, "*") {
				t.Errorf("%s/%s in Chinese: %q", s, st, got)
			}
			want := "*" + string(s) + "*"
			if st != models.StepNone {
				want += " (" + string(st) + ")"
			}
			if party, todo := models.WaitingOn(s, st); party != models.PartyNone {
				want += " · waiting on the *" + string(party) + "* to " + todo
			}
			if got := statusLine(en, conn); got != want {
				t.Errorf("%s/%s in English: %q, want %q", s, st, got, want)
			}
		}
	}
	for _, a := range []models.Action{models.ActionApprove, models.ActionReject, models.ActionPay, models.ActionCancel, models.ActionExpire,
		models.ActionViewPort, models.ActionNotifyProvider, models.ActionSubmitSurvey, models.ActionSubmitTicket, models.ActionScheduleVisit,
		models.ActionCompleteConstruction, models.ActionConfirm, models.ActionTerminate, models.ActionCompleteRemoval,
		models.ActionCancelTermination, models.ActionResubmit, models.ActionChangeBandwidth, models.ActionApproveBandwidth} {
		if got, want := pastTense(en, a), a.PastTense(); got != want {
			t.Errorf("%s done in English: %q, want %q", a, got, want)
		}
		if got := pastTense(zh, a); asciiWords.MatchString(got) {
			t.Errorf("%s done in Chinese: %q", a, got)
		}
	}
}
