package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for seeding

	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
)

// BenchmarkStartReady is the time from starting `leaseline serve` (the
// built binary, HTTP mode, against a fake Slack) to its first 200 from
// /readyz, with an empty database and with one of 100,000 connections and
// what such a database holds beside them (their ports, surveys and
// engineers, tickets, visits, ledger entries, audit trails and sent
// notices). It reports ms-to-ready, and the process's peak RSS (VmHWM) at
// ready and 2 s later (the start-up work that runs beside serving: the
// horizon watcher, delivery's first claim, the journal's recovery, the
// scheduler), in MiB. SQLite always; PostgreSQL too when TEST_DATABASE_URL
// is set, in a database of its own created for the run and dropped after.
func BenchmarkStartReady(b *testing.B) {
	bin := buildServe(b)
	var binMiB float64
	if fi, err := os.Stat(bin); err == nil {
		binMiB = float64(fi.Size()) / (1 << 20)
	}
	backends := []string{"sqlite"}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		backends = append(backends, "postgres")
	}
	for _, backend := range backends {
		for _, n := range []int{0, 100_000} {
			b.Run(fmt.Sprintf("%s/connections=%d", backend, n), func(b *testing.B) {
				env := seedStart(b, bin, backend, n)
				// A first start applies River's migrations (leaseline
				// migrate leaves them to serve): a restart is measured.
				startOnce(b, bin, env)
				var sum startFigures
				var atReady, settled float64
				runs := 0
				for b.Loop() {
					f := startOnce(b, bin, env)
					sum.toReady += f.toReady
					sum.cpuAtReady += f.cpuAtReady
					sum.cpuSettled += f.cpuSettled
					atReady, settled = max(atReady, f.rssAtReady), max(settled, f.rssSettled)
					runs++
				}
				b.ReportMetric(float64(sum.toReady.Microseconds())/1000/float64(runs), "ms-to-ready")
				b.ReportMetric(float64(sum.cpuAtReady.Milliseconds())/float64(runs), "cpu-ms-to-ready")
				b.ReportMetric(float64(sum.cpuSettled.Milliseconds())/float64(runs), "cpu-ms-2s-after")
				b.ReportMetric(atReady, "MiB-at-ready")
				b.ReportMetric(settled, "MiB-2s-after")
				b.ReportMetric(binMiB, "MiB-binary")
			})
		}
	}
}

// buildServe builds the binary as `make build` does.
func buildServe(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "leaseline")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// seedStart makes a migrated database with the sample catalog and n
// connections, and returns serve's environment for it.
func seedStart(b *testing.B, bin, backend string, n int) []string {
	b.Helper()
	dir := b.TempDir()
	fake := slackfake.New()
	b.Cleanup(fake.Close)
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"SLACK_BOT_TOKEN=xoxb-bench", "SLACK_SIGNING_SECRET=s3cret", "SLACK_API_URL=" + fake.APIURL(),
		"LEASELINE_STAFF_USERS=USTAFF", "LEASELINE_STAFF_CHANNEL=CSTAFF",
		"LEASELINE_ENCRYPTION_KEY=" + strings.Repeat("ab", 32),
		"LEASELINE_LOG_LEVEL=warn",
	}
	var dbURL, driver, dsn string
	switch backend {
	case "sqlite":
		dbURL = filepath.Join(dir, "start.db")
		driver, dsn = "sqlite", store.SQLiteDSN(dbURL)
	default:
		dbURL = scratchPostgres(b)
		driver, dsn = "pgx", dbURL
	}
	env = append(env, "DATABASE_URL="+dbURL)
	cat := filepath.Join(dir, "catalog.yaml")
	if err := os.WriteFile(cat, catalog.Sample(), 0o600); err != nil {
		b.Fatal(err)
	}
	for _, args := range [][]string{{"migrate"}, {"catalog", "import", cat}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("leaseline %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	if n > 0 {
		db, err := sql.Open(driver, dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		t0 := time.Now()
		seedConnections(b, db, backend, n)
		b.Logf("%s: seeded %d connections in %s", backend, n, time.Since(t0).Round(time.Millisecond))
	}
	return env
}

// scratchPostgres creates a database beside TEST_DATABASE_URL's, dropped
// when the benchmark ends, and returns its URL.
func scratchPostgres(b *testing.B) string {
	b.Helper()
	u, err := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		b.Fatal(err)
	}
	admin, err := sql.Open("pgx", u.String())
	if err != nil {
		b.Fatal(err)
	}
	name := fmt.Sprintf("leaseline_start_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		_ = admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}

// seedConnections inserts n connections of one account out of 1,000, set
// based: a recursive series feeds INSERT … SELECT on both databases.
func seedConnections(b *testing.B, db *sql.DB, backend string, n int) {
	b.Helper()
	var ap, prov, dev string
	var rcp int64
	if err := db.QueryRow(`SELECT app.access_point_id, app.provider_id, d.id, r.id FROM access_point_providers app
		JOIN devices d ON d.access_point_id = app.access_point_id JOIN reception_people r ON r.access_point_id = app.access_point_id
		ORDER BY app.access_point_id, app.provider_id, d.id, r.id LIMIT 1`).Scan(&ap, &prov, &dev, &rcp); err != nil {
		b.Fatalf("pick an access point: %v", err)
	}
	ts := "'2026-06-01 08:00:00+00:00'"
	if backend == "postgres" {
		ts = "TIMESTAMPTZ '2026-06-01 08:00:00+00'"
	}
	series := func(k int) string {
		return fmt.Sprintf("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d) ", k)
	}
	r := strings.NewReplacer("$TS", ts, "$AP", quote(ap), "$PROV", quote(prov), "$DEV", quote(dev), "$RCP", strconv.FormatInt(rcp, 10))
	// Connection i's status: 60% Enabled, 25% Terminated, 10% Connecting
	// (visited, awaiting confirmation), 5% Canceled: nothing a job at
	// start has to act on (a review overdue, a visit to book).
	status := `CASE WHEN i % 20 < 12 THEN 'Enabled' WHEN i % 20 < 17 THEN 'Terminated' WHEN i % 20 < 19 THEN 'Connecting'
		ELSE 'Canceled' END`
	stmts := []string{
		series(1000) + `INSERT INTO accounts (id, name, currency, created_at) SELECT i + 1000000, 'Bench ' || i, 'CNY', $TS FROM s`,
		series(1000) + `INSERT INTO account_channels (channel_id, account_id, linked_by, linked_at) SELECT 'CBENCH' || i, i + 1000000, 'UBENCH', $TS FROM s`,
		series(n) + `INSERT INTO connections (id, account_id, name, access_point_id, provider_id, port_type, bandwidth_mbps, location, status, step,
			physical_connection_id, device_id, port_name, amount_cents, currency, applied_by, applied_channel, version, created_at, updated_at)
			SELECT i + 1000000, i % 1000 + 1000001, 'line ' || i, $AP, $PROV, '10GBase-LR', 1000, 'cage', ` + status + `, '',
			'pc-bench' || i, $DEV, 'bench-' || i, 300000, 'CNY', 'UBENCH', 'CBENCH' || (i % 1000 + 1), 7, $TS, $TS FROM s`,
		`INSERT INTO ports (device_id, name, access_point_id, port_type, state, connection_id)
			SELECT $DEV, port_name, access_point_id, port_type, 'allocated', id FROM connections WHERE status IN ('Enabled', 'Connecting') AND id >= 1000000`,
		`INSERT INTO ledger_entries (account_id, amount_cents, currency, reason, connection_id, actor, created_at)
			SELECT account_id, -300000, 'CNY', 'payment', id, 'UBENCH', $TS FROM connections WHERE status <> 'Canceled' AND id >= 1000000`,
		`INSERT INTO surveys (id, connection_id, construction_company, line_type, planned_arrival, submitted_by, created_at)
			SELECT id, id, 'Bench Works', 'fibre', $TS, 'UPROV', $TS FROM connections WHERE status IN ('Enabled', 'Terminated', 'Connecting') AND id >= 1000000`,
		`INSERT INTO engineers (survey_id, name, phone, id_type, id_number)
			SELECT id, 'Li Wei', '+86 138 0000 0000', 'ID card', 'enc:bench' FROM surveys WHERE id >= 1000000`,
		`INSERT INTO engineers (survey_id, name, phone, id_type, id_number)
			SELECT id, 'Wang Bo', '+86 139 0000 0000', 'passport', 'enc:bench' FROM surveys WHERE id >= 1000000`,
		`INSERT INTO tickets (id, kind, account_id, connection_id, access_point_id, state, submitted_by, reply_channel, staff_channel, created_at, updated_at)
			SELECT c.id, 'construction', c.account_id, c.id, c.access_point_id, CASE WHEN c.status = 'Connecting' THEN 'booked' ELSE 'closed' END,
			'UBENCH', c.applied_channel, 'CSTAFF', $TS, $TS FROM connections c JOIN surveys s ON s.id = c.id`,
		`INSERT INTO visits (ticket_id, connection_id, access_point_id, date, time_window, reception_person_id, state, checkin_code, created_at, updated_at)
			SELECT t.id, t.connection_id, t.access_point_id, '2026-06-0' || (t.id % 9 + 1), '09:30-12:00', $RCP,
			'done', 'B' || t.id, $TS, $TS FROM tickets t WHERE t.id >= 1000000`,
	}
	// Each connection's audit trail (6 events) and notices (5, sent).
	for k, action := range []string{"apply", "approve", "pay", "survey", "ticket", "enable"} {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO audit_events (connection_id, account_id, actor, role, action, to_status, detail, at)
			SELECT id, account_id, 'UBENCH', 'customer', '%s', status, '{"step":%d}', $TS FROM connections WHERE id >= 1000000`, action, k))
	}
	for k, kind := range []string{"review_request", "approved", "paid", "port_info", "enabled"} {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO notices (key, kind, channel, connection_id, data, state, attempts, next_attempt_at, sent_ts, created_at, sent_at)
			SELECT '%s:' || id, '%s', applied_channel, id, '{"Connection":"pc-bench","Amount":300000}', 'sent', 1, $TS, '1700000000.%06d', $TS, $TS
			FROM connections WHERE id >= 1000000`, kind, kind, k))
	}
	stmts = append(stmts, "ANALYZE")
	for _, s := range stmts {
		if _, err := db.Exec(r.Replace(s)); err != nil {
			b.Fatalf("seed: %v\n%s", err, r.Replace(s))
		}
	}
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// startFigures is what one start measured: the wall time to ready, the
// process's CPU time (user and system) at ready and 2 s later, and its
// peak RSS (MiB) then.
type startFigures struct {
	toReady, cpuAtReady, cpuSettled time.Duration
	rssAtReady, rssSettled          float64
}

// startOnce starts serve, waits for /readyz, reads its CPU time and peak
// RSS then and 2 s later, and stops it.
func startOnce(b *testing.B, bin string, env []string) startFigures {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	var logs bytes.Buffer
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(append([]string{}, env...), "LEASELINE_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	client := &http.Client{Timeout: 2 * time.Second}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		select {
		case err := <-done:
			b.Fatalf("serve exited at start: %v\n%s", err, logs.String())
		case <-ctx.Done():
			b.Fatalf("serve not ready within 60 s\n%s", logs.String())
		default:
		}
		if res, err := client.Get("http://" + addr + "/readyz"); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	f := startFigures{toReady: time.Since(t0)}
	b.StopTimer()
	pid := cmd.Process.Pid
	f.cpuAtReady, f.rssAtReady = cpuTime(pid), peakRSS(pid)
	time.Sleep(2 * time.Second)
	f.cpuSettled, f.rssSettled = cpuTime(pid), peakRSS(pid)
	stop()
	b.StartTimer()
	return f
}

// cpuTime is process pid's user and system time so far (Linux; 0
// elsewhere), at the kernel's 100 Hz clock tick.
func cpuTime(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command's closing parenthesis: state is the 3rd
	// field of stat, utime and stime its 14th and 15th.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// peakRSS is process pid's VmHWM in MiB (0 where not Linux).
func peakRSS(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0 // not Linux
	}
	for line := range bytes.Lines(raw) {
		if f := bytes.Fields(line); len(f) >= 2 && string(f[0]) == "VmHWM:" {
			kb, _ := strconv.ParseFloat(string(f[1]), 64)
			return kb / 1024
		}
	}
	return 0
}
