package handlers_test

import (
	"bytes"
	"cmp"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

// letterText extracts a PDF's text with poppler's pdftotext: missing, the
// test fails under CI (make test installs poppler-utils), else is skipped.
func letterText(t *testing.T, pdf []byte) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext not found: install poppler-utils (make test does)")
		}
		t.Skip("pdftotext not found (poppler-utils); CI=true makes this a failure")
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// When staff book a visit, the provider's channel gets the entry letter as
// a PDF uploaded with Slack's external upload flow, naming the visitors
// (in Chinese too, ID numbers masked), the date and the connection; a
// reschedule uploads a new letter for the new day, once even when Slack's
// answer to the upload is lost; nobody else gets the letter.
func TestEntryLetterUploadedToProvider(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		pm := newPostman(e)
		c := jConnecting(e, "Hangzhou line 1")
		_, err := e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionNotifyProvider})
		jStep(e, "notify", err)
		sv := jSurvey(e, 2)
		sv.Engineers[0].Name, sv.Engineers[1].Name = "张伟", "欧阳娜娜"
		sv.ConstructionCompany = "浙江通信工程建设有限公司"
		_, err = e.store.SubmitSurvey(ctx, jProvider, c.ID, sv)
		jStep(e, "survey", err)
		_, err = e.store.SubmitTicket(ctx, jCustomer(e), c.ID, "", "")
		jStep(e, "ticket", err)
		pm.deliver()
		if files := e.slack.Files(providerChan); len(files) != 0 {
			t.Fatalf("a letter before the visit is booked: %d files", len(files))
		}

		e.pressOn(staffUser, pm.card(c.ID, models.NoticeTicketSubmitted, staffChannel), "Book Visit")
		pm.deliver()
		d := jConn(e, c.ID)
		if d.Visit == nil {
			t.Fatal("Book Visit booked nothing")
		}
		pc := *d.Connection.PhysicalConnectionID
		files := e.slack.Files(providerChan)
		if len(files) != 1 {
			t.Fatalf("%d files in the provider's channel after booking, want the letter", len(files))
		}
		f := files[0]
		if !strings.HasPrefix(f.Name, "loa-cfa-"+pc+"-"+d.Visit.Date) || !strings.HasSuffix(f.Name, ".pdf") || !bytes.HasPrefix(f.Content, []byte("%PDF-")) {
			t.Errorf("letter file %q (%q...)", f.Name, f.Content[:min(8, len(f.Content))])
		}
		if !strings.Contains(f.Comment, pc) || !strings.Contains(f.Comment, d.Visit.Date) || !strings.Contains(f.Title, "LOA-CFA") {
			t.Errorf("letter shared with comment %q, title %q", f.Comment, f.Title)
		}
		text := letterText(t, f.Content)
		for _, want := range []string{"进场授权函", pc, d.Visit.Date, d.Visit.Window, "张伟", "欧阳娜娜", models.MaskID(rawIDNumber),
			"浙江通信工程建设有限公司", "China Telecom Zhejiang", d.Reception.Name, d.Connection.DeviceID, d.Connection.PortName} {
			if !strings.Contains(text, want) {
				t.Errorf("letter lacks %q:\n%s", want, text)
			}
		}
		// The visit's verification code (issued by check-in), or the letter
		// says none was issued.
		if code := cmp.Or(d.Visit.CheckinCode, "not issued"); !strings.Contains(text, code) {
			t.Errorf("letter lacks the verification code %q", code)
		}
		if strings.Contains(text, rawIDNumber) {
			t.Error("the letter shows a full ID number")
		}
		for _, ch := range []string{customerChan, staffChannel, d.Reception.SlackUserID} {
			if got := e.slack.Files(slackfake.PostedIn(ch)); len(got) != 0 {
				t.Errorf("%d letters in %s", len(got), ch)
			}
		}

		// Reschedule; Slack's answer to the upload's last call is lost: the
		// retry finds the letter shared and uploads no second copy.
		e.slack.LoseNextResponses("files.completeUploadExternal", "", 1, 504)
		staffCopy := pm.card(c.ID, models.NoticeVisitScheduled, staffChannel)
		e.pressOn(staffUser, staffCopy, "Reschedule Visit")
		if ack := e.jSubmitView(staffUser, e.jOpened(), map[string]slack.BlockAction{
			"date": {Type: "datepicker", SelectedDate: "2026-12-02"}, "reason": jText("IDC asks"),
		}); ack["response_action"] != "clear" {
			t.Fatalf("reschedule: ack %v", ack)
		}
		pm.deliver()
		e.clock.Add(10 * time.Minute)
		pm.deliver()
		files = e.slack.Files(providerChan)
		if len(files) != 2 {
			t.Fatalf("%d files in the provider's channel after the reschedule, want 2", len(files))
		}
		if n := len(e.slack.Calls("files.completeUploadExternal")); n != 2 {
			t.Errorf("%d uploads completed, want 2 (the lost answer not uploaded again)", n)
		}
		moved := files[1]
		if !strings.Contains(moved.Name, "2026-12-02") || !strings.Contains(moved.Comment, "2026-12-02") || !strings.Contains(moved.Comment, "no longer valid") {
			t.Errorf("new letter %q shared with %q", moved.Name, moved.Comment)
		}
		if text := letterText(t, moved.Content); !strings.Contains(text, "2026-12-02") || !strings.Contains(text, "张伟") ||
			!strings.Contains(text, cmp.Or(jConn(e, c.ID).Visit.CheckinCode, "not issued")) {
			t.Errorf("new letter:\n%s", text)
		}
		letters := jNotices(e, c.ID, models.NoticeVisitLetter)
		if len(letters) != 2 {
			t.Errorf("%d visit_letter notices, want 2", len(letters))
		}
		for _, n := range letters {
			if n.SentTS == "" {
				t.Errorf("letter notice %d not recorded as sent", n.ID)
			}
		}
	})
}
