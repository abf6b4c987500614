package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leaseline/leaseline/bot/slackfake"
)

// The CLI is tested through the built binary: exit codes, stdout and
// stderr, and the files it leaves behind, as an operator meets them.
var built struct {
	once sync.Once
	path string
	err  error
}

func binary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "leaseline-cli-")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "leaseline")
		out, err := exec.Command("go", "build", "-o", built.path, ".").CombinedOutput()
		if err != nil {
			built.err = errors.New(string(out))
		}
	})
	if built.err != nil {
		t.Fatalf("build leaseline: %v", built.err)
	}
	return built.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.path != "" {
		_ = os.RemoveAll(filepath.Dir(built.path))
	}
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// leaseline runs the binary in dir with only env set (plus PATH and HOME).
func leaseline(t *testing.T, dir string, env map[string]string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run leaseline %v: %v", args, err)
	}
	return result{code, out.String(), errOut.String()}
}

// TestCLIHelp: every command and group answers -h/--help with its own
// usage on stdout and exits 0; a command's help lists its own flags only.
func TestCLIHelp(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args     []string
		want     []string
		wantNone []string
	}{
		{[]string{"-h"}, []string{"leaseline serve", "leaseline catalog diff FILE", "leaseline config check"}, nil},
		{[]string{"help"}, []string{"leaseline jobs run NAME"}, nil},
		{[]string{"catalog", "-h"}, []string{"Usage: leaseline catalog COMMAND", "import FILE", "diff FILE"}, nil},
		{[]string{"config", "--help"}, []string{"Usage: leaseline config COMMAND", "check"}, nil},
		{[]string{"jobs", "-h"}, []string{"list", "run NAME"}, nil},
		{[]string{"notices", "-h"}, []string{"failed"}, nil},
		{[]string{"help", "catalog"}, []string{"Usage: leaseline catalog COMMAND"}, nil},
		{[]string{"catalog", "check", "-h"}, []string{"Usage: leaseline catalog check [flags] FILE", "-database-url"}, []string{"catalog import", "-staff-channel", "-addr"}},
		{[]string{"catalog", "show", "--help"}, []string{"Usage: leaseline catalog show", "-database-url"}, []string{"-log-level"}},
		{[]string{"migrate", "-h"}, []string{"Usage: leaseline migrate"}, []string{"-staff-users"}},
		{[]string{"serve", "-h"}, []string{"Usage: leaseline serve [flags]", "-staff-channel", "-admin-addr"}, nil},
		{[]string{"config", "check", "-h"}, []string{"-online"}, nil},
		{[]string{"jobs", "run", "-h"}, []string{"Usage: leaseline jobs run [flags] NAME", "-at", "-database-url"}, nil},
		{[]string{"demo", "-h"}, []string{"Usage: leaseline demo"}, nil},
	} {
		r := leaseline(t, dir, nil, tc.args...)
		if r.code != 0 {
			t.Errorf("leaseline %s exited %d: %s%s", strings.Join(tc.args, " "), r.code, r.stdout, r.stderr)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("leaseline %s: stdout lacks %q:\n%s", strings.Join(tc.args, " "), w, r.stdout)
			}
		}
		for _, w := range tc.wantNone {
			if strings.Contains(r.stdout, w) {
				t.Errorf("leaseline %s: stdout has %q:\n%s", strings.Join(tc.args, " "), w, r.stdout)
			}
		}
	}
}

// TestCLIMistakes: unknown commands suggest the nearest one and exit 1; a
// group without its command shows the group's usage.
func TestCLIMistakes(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"srve"}, `did you mean "leaseline serve"`},
		{[]string{"catalog", "imprt", "x.yaml"}, `did you mean "leaseline catalog import"`},
		{[]string{"notice", "failed"}, `did you mean "leaseline notices failed"`},
		{[]string{"catalog"}, "Usage: leaseline catalog COMMAND"},
		{nil, "leaseline serve"},
	} {
		r := leaseline(t, dir, nil, tc.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("leaseline %v: exit %d, stderr %q; want exit 1 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// TestCLIVersion: version names the build (never a bare "(devel)") and the
// Go release.
func TestCLIVersion(t *testing.T) {
	r := leaseline(t, t.TempDir(), nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "leaseline ") || strings.Contains(r.stdout, "(devel)") || !strings.Contains(r.stdout, "go1.") {
		t.Fatalf("version: exit %d %q", r.code, r.stdout)
	}
	if !strings.Contains(r.stdout, "revision ") && !strings.Contains(r.stdout, "no VCS revision") {
		t.Fatalf("version says nothing of the revision: %q", r.stdout)
	}
}

// TestCLIReadOnlyCreatesNothing: read-only commands in an empty directory
// fail with what to do and leave no database or key file; migrate then
// creates the database without a key file, and the commands read it.
func TestCLIReadOnlyCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"catalog", "show"}, {"notices", "failed"}, {"catalog", "diff", filepath.Join("..", "..", "deploy", "catalog.sample.yaml")}} {
		if filepath.IsAbs(args[len(args)-1]) || strings.HasSuffix(args[len(args)-1], ".yaml") {
			abs, _ := filepath.Abs(args[len(args)-1])
			args[len(args)-1] = abs
		}
		r := leaseline(t, dir, nil, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "no database at leaseline.db") || !strings.Contains(r.stderr, "leaseline migrate") {
			t.Errorf("leaseline %v: exit %d, %q", args, r.code, r.stderr)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("read-only commands left files: %v", entries)
	}
	if r := leaseline(t, dir, nil, "migrate"); r.code != 0 || !strings.Contains(r.stdout, "migrated") {
		t.Fatalf("migrate: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "leaseline.db.key")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("migrate created a key file (%v): it encrypts nothing", err)
	}
	if r := leaseline(t, dir, nil, "catalog", "show"); r.code != 0 || !strings.Contains(r.stdout, "no catalog") {
		t.Fatalf("catalog show on a migrated empty database: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

// TestCLIMigratePostgresNeedsNoKey: migrate against PostgreSQL does not ask
// for LEASELINE_ENCRYPTION_KEY (it fails for want of a server here, not of
// a key).
func TestCLIMigratePostgresNeedsNoKey(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close() // a port that accepts and never speaks PostgreSQL
	r := leaseline(t, t.TempDir(), map[string]string{"DATABASE_URL": "postgres://u@" + ln.Addr().String() + "/db?connect_timeout=2&sslmode=disable"}, "migrate")
	if strings.Contains(r.stderr, "LEASELINE_ENCRYPTION_KEY") {
		t.Fatalf("migrate asked for the encryption key: %s", r.stderr)
	}
}

// TestCLICatalogVersions: an import records its version; show prints it;
// check warns of a calendar ending soon; diff lists what would change.
func TestCLICatalogVersions(t *testing.T) {
	dir := t.TempDir()
	sample, _ := filepath.Abs(filepath.Join("..", "..", "deploy", "catalog.sample.yaml"))
	r := leaseline(t, dir, nil, "catalog", "check", sample)
	if r.code != 0 || !strings.Contains(r.stdout, "is valid") || !strings.Contains(r.stdout, "example catalog") {
		t.Fatalf("check: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := leaseline(t, dir, nil, "catalog", "import", sample); r.code != 0 || !strings.Contains(r.stdout, "catalog version") {
		t.Fatalf("import: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = leaseline(t, dir, nil, "catalog", "show")
	if r.code != 0 || !strings.Contains(r.stdout, "imported by hand from "+sample) || !strings.Contains(r.stdout, "EXAMPLE") || !strings.Contains(r.stdout, "2026-12-31") {
		t.Fatalf("show: %d %s %s", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(data), "    known_until: 2026-12-31", "    known_until: 2027-06-30", 1)
	changed = strings.Replace(changed, "- {from: 2026-01-01, to: 2026-01-03, name: New Year's Day}", "- {from: 2026-01-01, to: 2026-01-02, name: New Year's Day}", 1)
	next := filepath.Join(dir, "next.yaml")
	if err := os.WriteFile(next, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	r = leaseline(t, dir, nil, "catalog", "diff", next)
	for _, want := range []string{"- calendar day cn-hangzhou 2026-01-03 holiday", "~ region cn-hangzhou known_until: 2026-12-31 -> 2027-06-30"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("diff lacks %q: %d %s %s", want, r.code, r.stdout, r.stderr)
		}
	}
	if r := leaseline(t, dir, nil, "catalog", "diff", sample); r.code != 0 || !strings.Contains(r.stdout, "would change nothing") {
		t.Errorf("diff of the imported file: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

// TestConfigCheckShapes: channel names, user names and group handles are
// refused, one message each naming the variable.
func TestConfigCheckShapes(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LEASELINE_STAFF_CHANNEL": "general"}, `LEASELINE_STAFF_CHANNEL "general" is not a channel ID`},
		{map[string]string{"LEASELINE_STAFF_CHANNEL": "#staff"}, `LEASELINE_STAFF_CHANNEL "#staff" is not a channel ID`},
		{map[string]string{"LEASELINE_STAFF_GROUP": "foo"}, `LEASELINE_STAFF_GROUP "foo" is not a user group ID`},
		{map[string]string{"LEASELINE_STAFF_USERS": "U0123ABCDEF,bob"}, `LEASELINE_STAFF_USERS: "bob" is not a Slack user ID`},
		{map[string]string{"LEASELINE_ADMIN_ADDR": "9090"}, `LEASELINE_ADMIN_ADDR "9090" is not a listen address`},
		{map[string]string{"LEASELINE_JOBS_TIME_ZONE": "Mars/Olympus"}, "Mars/Olympus"},
	} {
		env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "LEASELINE_STAFF_CHANNEL": "C0123ABCDEF", "LEASELINE_STAFF_USERS": "U0123ABCDEF"}
		for k, v := range tc.env {
			env[k] = v
		}
		err := run(context.Background(), []string{"config", "check"}, envMap(env), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q", tc.env, err, tc.want)
		}
	}
}

// TestConfigCheckOnline: --online asks the (fake) Slack: a refused token,
// a staff channel without the bot, a provider channel Slack does not know
// and a staff user who does not exist are each named; a sound set-up passes.
func TestConfigCheckOnline(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	dir := t.TempDir()
	cat := filepath.Join(dir, "catalog.yaml")
	data, err := os.ReadFile(filepath.Join("..", "..", "deploy", "catalog.sample.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cat, data, 0o600); err != nil {
		t.Fatal(err)
	}
	env := envMap(map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake.APIURL(),
		"LEASELINE_STAFF_CHANNEL": "C0STAFF0001", "LEASELINE_STAFF_USERS": "U0ALICE0001,U0GHOST0001",
		"LEASELINE_CATALOG": cat, "DATABASE_URL": filepath.Join(dir, "l.db"),
	})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"config", "check", "--online"}, env, &out, io.Discard); err != nil {
		t.Fatalf("sound set-up refused: %v", err)
	}
	if !strings.Contains(out.String(), "Slack accepts the token") {
		t.Fatalf("online check said %q", out.String())
	}

	fake.RefuseNext("auth.test", 1, "invalid_auth")
	err = run(context.Background(), []string{"config", "check", "--online"}, env, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN: Slack refused it (invalid_auth)") {
		t.Fatalf("refused token: %v", err)
	}

	fake.SetBotMember("C0STAFF0001", false)
	fake.SetMissing("U0GHOST0001", "C0SAMPLECTZJ")
	err = run(context.Background(), []string{"config", "check", "--online"}, env, io.Discard, io.Discard)
	for _, want := range []string{
		"LEASELINE_STAFF_CHANNEL C0STAFF0001 (#c0staff0001): the bot is not a member",
		"LEASELINE_STAFF_USERS: U0GHOST0001 is not a user of this workspace (user_not_found)",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("online check lacks %q: %v", want, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "l.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("config check created the database (%v)", err)
	}
}

// TestReadinessWhileSlackFails: with Slack's API failing, /readyz stays
// ready (the database answers) and says Slack is unreachable; the metric
// leaseline_slack_up is 0; /metrics and /readyz live on the admin listener
// only, the public one serves /healthz and /slack/*.
func TestReadinessWhileSlackFails(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	fake.FailNext("auth.test", 1000, 500, 0)
	pub, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	adm, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pubAddr, admAddr := pub.Addr().String(), adm.Addr().String()
	dir := t.TempDir()
	env := envMap(map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s3cret", "SLACK_API_URL": fake.APIURL(),
		"DATABASE_URL": filepath.Join(dir, "serve.db"), "LEASELINE_ADDR": pubAddr, "LEASELINE_ADMIN_ADDR": admAddr,
		"LEASELINE_STAFF_USERS": "USTAFF", "LEASELINE_STAFF_CHANNEL": "CSTAFF",
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs bytes.Buffer
	c, err := loadConfig(env, newFlags("serve", io.Discard), nil)
	if err != nil {
		t.Fatal(err)
	}
	if errs := c.validate(true); len(errs) > 0 {
		t.Fatal(errs)
	}
	c.listener, c.adminListener = pub, adm
	logw := &syncWriter{w: &logs}
	go func() { done <- serve(ctx, c, c.logger(logw)) }()
	waitUp(t, "http://"+pubAddr+"/healthz", done)

	body := waitBody(t, "http://"+admAddr+"/readyz", `"slack":"warning: unreachable`)
	if !strings.Contains(body, `"ready":true`) || !strings.Contains(body, `"database":"ok"`) || !strings.Contains(body, "no catalog") {
		t.Fatalf("readyz while Slack fails: %s", body)
	}
	if code, _ := get(t, "http://"+admAddr+"/readyz"); code != 200 {
		t.Fatalf("readyz %d while Slack fails: a Slack outage must not make the replica unready", code)
	}
	if _, m := get(t, "http://"+admAddr+"/metrics"); !strings.Contains(m, "leaseline_slack_up 0") {
		t.Fatalf("metrics lack leaseline_slack_up 0")
	}
	for _, p := range []string{"/metrics", "/readyz"} {
		if code, _ := get(t, "http://"+pubAddr+p); code != 404 {
			t.Errorf("public listener serves %s (%d)", p, code)
		}
	}
	if logged := logw.String(); !strings.Contains(logged, "level=ERROR") || !strings.Contains(logged, "no catalog") {
		t.Errorf("no ERROR line for the missing catalog:\n%s", logged)
	}
	if _, ok := fake.WaitFor("chat.postMessage", 1, 10*time.Second); !ok {
		t.Errorf("staff were not told the catalog is missing")
	} else if msgs := fake.Messages("CSTAFF"); len(msgs) == 0 || !strings.Contains(msgs[0].Text, "no catalog") {
		t.Errorf("staff channel got %+v", msgs)
	}
	// Staff opening App Home see what to fix first.
	req, err := slackfake.EventRequest("http://"+pubAddr+"/slack/events", "s3cret", time.Now(), map[string]any{
		"type": "event_callback", "team_id": slackfake.TeamID, "event_id": "Ev1", "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "app_home_opened", "user": "USTAFF", "channel": "DUSTAFF", "tab": "home", "event_ts": "1.0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if calls, ok := fake.WaitFor("views.publish", 1, 10*time.Second); !ok {
		t.Errorf("no App Home published")
	} else if b := string(calls[0].Body); !strings.Contains(b, "Operator action needed") || !strings.Contains(b, "no catalog is loaded") {
		t.Errorf("staff App Home lacks the catalog banner: %s", b)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
