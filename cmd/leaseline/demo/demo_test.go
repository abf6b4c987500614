package demo

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/handlers/lang"
)

// demoSection is what one party saw in a step of the demo's output: the
// "where" line and the message lines under it.
type demoSection struct {
	step  string
	where string
	body  string
}

// demoSections splits the demo's output into what each party saw.
func demoSections(out string) []demoSection {
	var secs []demoSection
	step := ""
	for line := range strings.SplitSeq(out, "\n") {
		switch {
		case strings.HasPrefix(line, "▶"):
			step = line
		case strings.HasPrefix(line, "     │ ") && len(secs) > 0:
			secs[len(secs)-1].body += strings.TrimPrefix(line, "     │ ") + "\n"
		case strings.HasPrefix(line, "   ") && !strings.HasPrefix(line, "    "):
			secs = append(secs, demoSection{step: step, where: strings.TrimSpace(line)})
		}
	}
	return secs
}

// saw reports whether a section whose where starts with where, in a step
// containing step, shows all of want.
func saw(secs []demoSection, step, where string, want ...string) bool {
	for _, s := range secs {
		if !strings.Contains(s.step, step) || !strings.HasPrefix(s.where, where) {
			continue
		}
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(s.body, w)
		}
		if ok {
			return true
		}
	}
	return false
}

// The demo runs the whole journey through signed Slack requests to
// Enabled and shows each party what it saw, readably.
func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	letters := t.TempDir()
	if err := Run(context.Background(), []string{"--letter-dir", letters}, &out, &errOut); err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	text := out.String()
	secs := demoSections(text)

	for _, c := range []struct {
		step, where string
		want        []string
	}{
		{"/leaseline link", "#acme-network · new message", []string{"[Apply for New Interface]"}},
		{"runs /leaseline apply", "@alice · a form opens", []string{"Apply for New Interface", "Access Point:", "Service Provider:", "Port Type:"}},
		{"chooses the access point", "@alice · the form updates itself", []string{"China Telecom Zhejiang (CT)"}},
		{"fills in the form", "only @alice sees", []string{"Applying", "Friday 27 November 2026"}},
		{"fills in the form", "#leaseline-staff · new message", []string{"Application #1 to review", "[Approve] [Reject]"}},
		{"presses Approve", "#leaseline-staff · message updated in place", []string{"Approved by @sam"}},
		{"presses Approve", "#acme-network · new message", []string{"[Pay for Connection (CNY 2,500.00)]"}},
		{"presses Pay for Connection", "@alice · a form opens", []string{"Pay for Connection", "CNY 2,500.00", "[Pay]"}},
		{"confirms the payment", "#acme-network · new message", []string{"pc-", "[View] [Notify Provider]"}},
		{"presses View", "only @alice sees", []string{"hz-yh-b-asw-01", "GigabitEthernet"}},
		{"presses Notify Provider", "#ct-zhejiang · new message", []string{"Port information", "[Submit Survey]"}},
		{"presses Submit Survey", "@pete · a form opens", []string{"Engineer 1 · ID document number"}},
		{"submits the survey", "#acme-network · new message", []string{"Chen Hao", "**************1234", "[Submit Ticket]"}},
		{"construction ticket", "#leaseline-staff · new message", []string{"Construction ticket #1", "Cage 12, rack 4"}},
		{"schedule-visits", "#acme-network · new message", []string{"Monday 2026-11-30", "09:30-12:00"}},
		{"schedule-visits", "#ct-zhejiang · new message", []string{"Monday 2026-11-30", "[Construction Complete]"}},
		{"schedule-visits", "#leaseline-staff · new message (in a thread)", []string{"Monday 2026-11-30"}},
		{"reception-reminders", "DM to @li.wei · new message", []string{"Visitors today"}},
		{"presses Construction Complete", "@pete · a form opens", []string{"Line code:", "Line label:"}},
		{"line code", "#acme-network · new message", []string{"HZ-CT-0001", "[Confirm]"}},
		{"presses Confirm", "#acme-network · new message", []string{"Enabled"}},
		{"presses Confirm", "#leaseline-staff · new message", []string{"Enabled"}},
		{"presses Confirm", "#ct-zhejiang · new message", []string{"Enabled"}},
		{"/leaseline show", "only @alice sees", []string{"Audit trail", "@sam (staff) approve: Applying → Approved", "confirm: Pending Confirmation → Enabled"}},
		// The second act: terminated, removed, the port reused.
		{"presses Terminate", "@alice · a form opens", []string{"Terminate", "GigabitEthernet", "Reason:"}},
		{"confirms the termination", "#ct-zhejiang · new message", []string{"Line to be removed", "Port: GigabitEthernet", "Yuhang Data Park B", "[Removal Complete]"}},
		{"confirms the termination", "#acme-network · new message", []string{"Terminating", "[Cancel]"}},
		{"removal visit is booked", "#ct-zhejiang · new message", []string{"Removal visit booked", "Wednesday 2026-12-02"}},
		{"morning of the removal", "DM to @", []string{"Visitors today", "to remove a leased line"}},
		{"presses Removal Complete", "@pete · a form opens", []string{"Line code:", "Note (optional):"}},
		{"line code and a note", "#acme-network · new message", []string{"Terminated", "is free again"}},
		{"confirms the payment", "#acme-network · new message", []string{"Paid: your port is allocated", "port GigabitEthernet2/0/1"}},
	} {
		if !saw(secs, c.step, c.where, c.want...) {
			t.Errorf("in the step %q, %q did not see %q", c.step, c.where, c.want)
		}
	}
	for _, want := range []string{"Who is who", "#acme-network     a Slack Connect channel shared with ACME", "▶ 20.", "is Enabled: leased line access is complete", "Second act", "▶ 32.", "was freed at once, and #2"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// ID numbers are masked, IDs have names, and nothing is raw JSON or
	// raw mrkdwn.
	for _, bad := range []string{demoRawIDNumber, `"type"`, "{\"", "<@U", "<#C", "<!date", "&lt;", "&gt;", "\u200b", "*Name*", "UALICE", "CSTAFF", "C0SAMPLECTZJ"} {
		if strings.Contains(text, bad) {
			t.Errorf("output contains %q", bad)
		}
	}
	if n := strings.Count(text, "\n"); n < 250 || n > 550 {
		t.Errorf("output is %d lines, want a readable 250 to 550", n)
	}
	// The final status, then where the entry letter was written.
	status, letterLine, _ := strings.Cut(strings.TrimSpace(text), "\n\nThe entry letter (LOA-CFA) uploaded to #ct-zhejiang")
	if !strings.HasSuffix(status, "in 32 steps.") {
		t.Errorf("output does not end with the final status and the letter:\n%s", text[max(0, len(text)-400):])
	}
	if path := letterLine[strings.LastIndex(letterLine, " ")+1:]; filepath.Dir(path) != letters {
		t.Errorf("letter written to %q, want in %s", path, letters)
	} else if pdf, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("letter %s: %v, %q", path, err, pdf[:min(8, len(pdf))])
	}
	if t.Failed() {
		t.Logf("output:\n%s", text)
	}
}

func TestDemoQuiet(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"--quiet", "--letter-dir", t.TempDir()}, &out, io.Discard); err != nil {
		t.Fatalf("demo --quiet: %v\n%s", err, out.String())
	}
	var steps, others []string
	for line := range strings.SplitSeq(strings.TrimSpace(out.String()), "\n") {
		switch {
		case strings.HasPrefix(line, "▶"):
			steps = append(steps, line)
		case line != "":
			others = append(others, line)
		}
	}
	if len(steps) != 32 || len(others) != 3 || !strings.Contains(others[0], "is Enabled") || !strings.Contains(others[1], "is Terminated") || !strings.Contains(others[2], "entry letter") {
		t.Errorf("quiet output: %d steps and %q, want 32 steps, the status after each act and where the letter is:\n%s", len(steps), others, out.String())
	}
}

// A step that cannot be done fails the demo, saying which step and why.
func TestDemoStepFailure(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	d, err := newDemo(ctx, filepath.Join(t.TempDir(), "demo.db"), &out, false, lang.English)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.close(); err != nil {
			t.Error(err)
		}
	})
	err = d.do(at(26, 10, 0), demoCustomer, "presses Confirm in #acme-network", func() error {
		_, err := d.ws.press(demoCustomer, demoCustChan, "Confirm")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "step 1 (Customer (ACME, @alice) presses Confirm") || !strings.Contains(err.Error(), `no message in #acme-network has a "Confirm" button`) {
		t.Errorf("got %v", err)
	}
	// A refusal shown to the actor fails the step too: the customer is not
	// staff.
	err = d.do(at(26, 10, 1), demoCustomer, "tries a staff command", func() error {
		return d.ws.command(demoCustomer, demoCustChan, "credit ACME 10")
	})
	if err == nil || !strings.Contains(err.Error(), "@alice was told") {
		t.Errorf("got %v\n%s", err, out.String())
	}
	if err := Run(ctx, []string{"extra"}, io.Discard, io.Discard); err == nil {
		t.Error("demo with an argument ran")
	}
}

// TestDemoChinese: `leaseline demo --lang zh-CN` runs the same journey to
// Enabled and through its second act with every party reading Simplified
// Chinese — their Slack locale, and the channels' language set by staff —
// pressing the same buttons (by action ID) and filling the same forms (by
// block ID).
func TestDemoChinese(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := Run(context.Background(), []string{"--lang", "zh-CN"}, &out, &errOut); err != nil {
		t.Fatalf("demo --lang zh-CN: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	text := out.String()
	secs := demoSections(text)
	for _, c := range []struct {
		step, where string
		want        []string
	}{
		{"fills in the form", "only @alice sees", []string{"申请中", "2026年11月27日（星期五）"}},
		{"fills in the form", "#leaseline-staff · new message", []string{"杭州-余杭-B"}},
		{"presses Approve", "#acme-network · new message", []string{"已审批", "¥2,500.00"}},
		{"presses Notify Provider", "#ct-zhejiang · new message", []string{"中国电信浙江分公司"}},
		{"presses Confirm", "#acme-network · new message", []string{"已开通"}},
		{"presses Confirm", "#ct-zhejiang · new message", []string{"已开通"}},
		{"line code and a note", "#acme-network · new message", []string{"已终止"}},
	} {
		if !saw(secs, c.step, c.where, c.want...) {
			t.Errorf("in the step %q, %q did not see %q", c.step, c.where, c.want)
		}
	}
	// What the parties saw has no English button or status left.
	var seen strings.Builder
	for _, s := range secs {
		seen.WriteString(s.body)
	}
	for _, bad := range []string{"[Approve]", "[Pay for Connection", "[Notify Provider]", "[Submit Survey]", "[Confirm]", "[Terminate]", "Pending Confirmation", "waiting on"} {
		if strings.Contains(seen.String(), bad) {
			t.Errorf("a party saw %q in the Chinese demo", bad)
		}
	}
	if !strings.Contains(text, "is Enabled: leased line access is complete") || !strings.Contains(text, "is Terminated") {
		t.Errorf("the Chinese demo did not reach Enabled and Terminated:\n%s", text[max(0, len(text)-600):])
	}
	if t.Failed() {
		t.Logf("output:\n%s", text)
	}
	if err := Run(context.Background(), []string{"--lang", "fr"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "en and zh-CN") {
		t.Errorf("--lang fr: %v", err)
	}
}
