// Package demo is `leaseline demo`: the whole journey of one leased line,
// Applying to Enabled, and its second act (act2.go: terminated, removed,
// the port reused), against an in-process fake Slack, printed step by
// step for a newcomer: who did what, and what each party saw. It is the
// only way the fake Slack (bot/slackfake) reaches the leaseline binary.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/handlers"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/scheduler"
	"github.com/leaseline/leaseline/stack"
)

// The demo's people and places.
const (
	demoSecret      = "demo-signing-secret"
	demoStaff       = "USAM"
	demoStaffChan   = "CSTAFF"
	demoCustomer    = "UALICE"
	demoCustChan    = "CACME"
	demoProvider    = "UPETE"
	demoProviderID  = "ct-zj"
	demoAccessPoint = "ap-cn-hangzhou-yh-b"
	demoRawIDNumber = "110101199003071234" // an engineer's ID card number: shown only masked
)

// Run runs the demo with its command-line arguments (after "demo").
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("leaseline demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quiet := fs.Bool("quiet", false, "print only the steps and the final status")
	cards := fs.Bool("cards", false, "print each card settled in place in full (by default one line each)")
	letterDir := fs.String("letter-dir", os.TempDir(), "directory to write the journey's entry letter (LOA-CFA, a PDF) to")
	language := fs.String("lang", string(lang.English), "the language the parties read: en or zh-CN (their Slack locale and their channels' language)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: leaseline demo [--quiet] [--cards] [--lang en|zh-CN] [--letter-dir DIR]\n\nRuns the whole journey of one leased line, Applying to Enabled, then its second act\n(terminated, removed at the IDC, its port freed and given to the next line applied for),\nagainst an in-process fake Slack with the sample catalog on a throwaway SQLite database,\nand prints who did what and what each party saw. Needs no Slack workspace and no network.\nThe entry letter uploaded to the provider is written to --letter-dir.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo takes no arguments (got %q)", fs.Args())
	}
	l, ok := lang.Known(*language)
	if !ok {
		return fmt.Errorf("demo: --lang %q: leaseline speaks en and zh-CN", *language)
	}
	dir, err := os.MkdirTemp("", "leaseline-demo-")
	if err != nil {
		return fmt.Errorf("demo: temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	d, err := newDemo(ctx, filepath.Join(dir, "demo.db"), stdout, *quiet, l)
	if d != nil {
		d.cards = *cards
	}
	if err != nil {
		return fmt.Errorf("demo: set up: %w", err)
	}
	err = d.run()
	if err == nil {
		err = d.writeLetter(*letterDir)
	}
	if cerr := d.close(); err == nil && cerr != nil {
		err = fmt.Errorf("demo: shut down: %w", cerr)
	}
	return err
}

// demoClock is the business clock of the demo, moved by the script.
type demoClock struct{ t atomic.Int64 }

func (c *demoClock) Now() time.Time  { return time.Unix(0, c.t.Load()).UTC() }
func (c *demoClock) Set(t time.Time) { c.t.Store(t.UnixNano()) }

// errorLog keeps what the bot logged at error level during a step: an
// error in work done after an ack fails the step.
type errorLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *errorLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *errorLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	l.buf.Reset()
	return s
}

// demo is the bot wired as serve wires it, on a throwaway database, with a
// fake Slack around it.
type demo struct {
	ctx    context.Context
	out    io.Writer
	quiet  bool
	clock  *demoClock
	fake   *slackfake.Server
	store  *store.Store
	disp   *bot.Dispatcher
	srv    *httptest.Server
	sched  *scheduler.Scheduler
	worker *bot.DeliveryWorker
	errs   *errorLog
	ws     *workspace
	n      names
	cat    *models.Catalog
	// lang is what the parties read: every person's Slack locale and the
	// language of every channel the demo uses.
	lang lang.Lang

	cards     bool           // print settled cards in full
	settledMu sync.Mutex     // guards settled
	settled   map[string]int // channel/ts -> card updates not yet printed

	step    int
	shown   int             // Web API calls already printed
	printed map[string]bool // message lines already printed
}

func newDemo(ctx context.Context, dbPath string, out io.Writer, quiet bool, l lang.Lang) (_ *demo, err error) {
	d := &demo{ctx: ctx, out: out, quiet: quiet, lang: l, clock: &demoClock{}, errs: &errorLog{}, printed: map[string]bool{}, settled: map[string]int{}}
	d.clock.Set(time.Date(2026, 11, 26, 10, 0, 0, 0, demoZone())) // a Thursday morning
	defer func() {
		if err != nil {
			_ = d.close()
		}
	}()
	log := slog.New(slog.NewTextHandler(d.errs, &slog.HandlerOptions{Level: slog.LevelError}))

	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	d.store, err = store.Open(ctx, store.Config{DatabaseURL: dbPath, StaffChannel: demoStaffChan, Now: d.clock.Now, Logger: log, EncryptionKey: key})
	if err != nil {
		return nil, err
	}
	if err := d.store.Migrate(ctx); err != nil {
		return nil, err
	}
	if d.cat, err = catalog.Parse(catalog.Sample(), "sample.yaml"); err != nil {
		return nil, fmt.Errorf("sample catalog: %w", err)
	}
	if _, err := d.store.ImportCatalog(ctx, d.cat); err != nil {
		return nil, fmt.Errorf("import the sample catalog: %w", err)
	}

	d.fake = slackfake.New()
	d.setLocales()
	httpClient := &http.Client{Timeout: 15 * time.Second}
	stk, err := stack.New(ctx, stack.Config{
		Store: d.store, BotToken: "xoxb-demo", APIURL: d.fake.APIURL(), HTTPClient: httpClient, SigningSecret: demoSecret,
		Handlers: handlers.Config{StaffUsers: []string{demoStaff}, StaffChannel: demoStaffChan, Now: d.clock.Now, CardUpdated: d.cardUpdated,
			Operator: "Example Cloud (demo)", OperatorAddress: "1 Example Road, Hangzhou"},
		Scheduler: &scheduler.Config{Now: d.clock.Now},
		Logger:    log,
	})
	if err != nil {
		return nil, err
	}
	d.disp, d.sched, d.worker = stk.Dispatcher, stk.Scheduler, stk.Delivery
	rc := stk.Receiver
	mux := http.NewServeMux()
	mux.Handle("/slack/", rc)
	d.srv = httptest.NewServer(mux)

	d.n = d.legendNames()
	d.ws = &workspace{ctx: ctx, fake: d.fake, botURL: d.srv.URL, secret: demoSecret, http: httpClient, n: d.n}
	return d, nil
}

// close stops the server, lets in-flight work finish and closes the
// database.
func (d *demo) close() error {
	if d.srv != nil {
		d.srv.Close()
	}
	var errs []error
	if d.disp != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(d.ctx), 10*time.Second)
		defer cancel()
		if err := d.disp.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("drain the bot's work: %w", err))
		}
	}
	if d.fake != nil {
		d.fake.Close()
	}
	if d.store != nil {
		if err := d.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close the database: %w", err))
		}
	}
	return errors.Join(errs...)
}

// provider is the demo's service provider, from the catalog.
func (d *demo) provider() models.Provider {
	for _, p := range d.cat.Providers {
		if p.ID == demoProviderID {
			return p
		}
	}
	return models.Provider{ID: demoProviderID, Name: demoProviderID}
}

// reception is the reception rota of the demo's access point.
func (d *demo) reception() []models.ReceptionPerson {
	var out []models.ReceptionPerson
	for _, r := range d.cat.Reception {
		if r.AccessPointID == demoAccessPoint {
			out = append(out, r)
		}
	}
	return out
}

func (d *demo) idcName() string {
	for _, ap := range d.cat.AccessPoints {
		if ap.ID == demoAccessPoint {
			return ap.IDCName
		}
	}
	return demoAccessPoint
}

// handle is a Slack-like handle for a person's name ("Li Wei" -> "@li.wei").
func handle(name string) string {
	return "@" + strings.ToLower(strings.Join(strings.Fields(name), "."))
}

func (d *demo) legendNames() names {
	n := names{
		users:    map[string]string{demoStaff: "@sam", demoCustomer: "@alice", demoProvider: "@pete"},
		channels: map[string]string{demoStaffChan: "#leaseline-staff", demoCustChan: "#acme-network", d.provider().SlackChannel: "#ct-zhejiang"},
		chinese:  d.lang == lang.Chinese,
	}
	for _, r := range d.reception() {
		if r.SlackUserID != "" {
			n.users[r.SlackUserID] = handle(r.Name)
		}
	}
	return n
}

// printf writes a line (or lines) of the demo's output.
func (d *demo) printf(format string, args ...any) {
	fmt.Fprintf(d.out, format, args...)
}

func (d *demo) legend() {
	p := d.provider()
	d.printf("leaseline demo: one leased line, from application to Enabled, in a fake Slack\n")
	d.printf("(sample catalog, throwaway SQLite database, no network; times are Asia/Shanghai)\n\n")
	d.printf("Who is who\n")
	d.printf("  @sam              operator staff: reviews applications, handles tickets (LEASELINE_STAFF_USERS)\n")
	d.printf("  @alice            network engineer of the customer ACME\n")
	d.printf("  @pete             engineer of the service provider %s\n", p.Name)
	for _, r := range d.reception() {
		days := r.Weekdays
		if days == "" {
			days = "any day"
		}
		d.printf("  %-17s IDC reception at %s (on duty %s)\n", handle(r.Name), d.idcName(), strings.ReplaceAll(days, ",", ", "))
	}
	d.printf("Where\n")
	d.printf("  #leaseline-staff  the operator's staff channel (LEASELINE_STAFF_CHANNEL)\n")
	d.printf("  #acme-network     a Slack Connect channel shared with ACME, linked to its account\n")
	d.printf("  #ct-zhejiang      a Slack Connect channel shared with %s (slack_channel in the catalog)\n", p.Name)
	d.printf("  DM to @…          a direct message from the bot\n")
}

// party names who acts in a step.
func (d *demo) party(user string) string {
	switch user {
	case demoStaff:
		return "Staff (@sam)"
	case demoCustomer:
		return "Customer (ACME, @alice)"
	case demoProvider:
		return "Provider (" + d.provider().Name + ", @pete)"
	}
	return "The scheduler"
}

// do runs one step at time at: prints who does what, acts, waits for the
// bot's work after the ack, delivers the notices that are due, and prints
// what each party saw. A step fails on an HTTP error, a refused form, an
// error logged by the bot, a warning shown to the actor or a notice left
// undelivered.
func (d *demo) do(at time.Time, actor, what string, act func() error) error {
	d.step++
	d.clock.Set(at)
	if !d.quiet {
		d.printf("\n")
	}
	d.printf("▶ %2d. %s · %s %s\n", d.step, at.In(demoZone()).Format("Mon 2 Jan 15:04"), d.party(actor), what)
	fail := func(err error) error { return fmt.Errorf("step %d (%s %s): %w", d.step, d.party(actor), what, err) }
	d.ws.acks = nil
	if err := act(); err != nil {
		return fail(err)
	}
	if err := d.settle(); err != nil {
		return fail(err)
	}
	if err := d.deliver(); err != nil {
		return fail(err)
	}
	var warnings []string
	show := func(s seen) {
		for _, l := range s.lines {
			if strings.HasPrefix(l, "⚠️") || strings.HasPrefix(l, "⛔") {
				warnings = append(warnings, l)
			}
		}
		if d.quiet {
			return
		}
		d.printf("   %s\n", s.where)
		for _, l := range d.collapse(s.lines) {
			d.printf("     │ %s\n", l)
		}
	}
	for _, s := range d.ws.acks {
		show(s)
	}
	calls := d.fake.Calls("")
	for _, c := range calls[d.shown:] {
		if s, ok := d.describeSettled(c); ok {
			show(s)
		} else if s, ok := d.n.describeCall(c, actor); ok {
			show(s)
		}
	}
	d.shown = len(calls)
	if logged := strings.TrimSpace(d.errs.take()); logged != "" {
		return fail(fmt.Errorf("the bot logged an error: %s", logged))
	}
	if len(warnings) > 0 {
		return fail(fmt.Errorf("%s was told: %s", d.n.user(actor), strings.Join(warnings, " / ")))
	}
	return nil
}

// collapse replaces each run of three or more lines that were all printed
// before (the connection's details, which every message repeats) by one
// line saying so, and remembers the lines. A message's first line, and
// the line after its header, are always shown.
func (d *demo) collapse(lines []string) []string {
	keep := 1
	if len(lines) > 0 && strings.HasPrefix(lines[0], "【") {
		keep = 2
	}
	keep = min(keep, len(lines))
	out := lines[:keep:keep]
	for i := keep; i < len(lines); {
		j := i
		for j < len(lines) && d.printed[lines[j]] {
			j++
		}
		switch {
		case j-i >= 3:
			out = append(out, fmt.Sprintf("… (%d lines as shown above)", j-i))
			i = j
		case j > i:
			out = append(out, lines[i:j]...)
			i = j
		default:
			out = append(out, lines[i])
			i++
		}
	}
	for _, l := range lines {
		d.printed[l] = true
	}
	return out
}

// settle waits for the bot's work after the acks.
func (d *demo) settle() error {
	ctx, cancel := context.WithTimeout(d.ctx, 10*time.Second)
	defer cancel()
	if err := d.disp.Drain(ctx); err != nil {
		return fmt.Errorf("the bot's work after the ack did not finish: %w", err)
	}
	return nil
}

// deliver runs the delivery worker until no notice is due, as serve's
// worker does when nudged.
func (d *demo) deliver() error {
	for range 50 {
		n, err := d.worker.DeliverDue(d.ctx, d.clock.Now())
		if err != nil {
			return fmt.Errorf("deliver notices: %w", err)
		}
		if n == 0 {
			break
		}
	}
	pending, err := d.store.PendingNotices(d.ctx)
	if err != nil {
		return err
	}
	if pending > 0 {
		return fmt.Errorf("%d notices were not delivered", pending)
	}
	return nil
}

// runJob runs a scheduler job by hand as of at, as `leaseline jobs run
// NAME --at TIME` does.
func (d *demo) runJob(name string) func() error {
	return func() error { return d.sched.RunJob(d.ctx, name, d.clock.Now()) }
}

// at is a time of the demo's week (26 November 2026 is a Thursday).
func at(day, hour, minute int) time.Time {
	return time.Date(2026, 11, day, hour, minute, 0, 0, demoZone())
}
