package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/models/store/storetest"
)

// TestCatalogAtStart: serve applies LEASELINE_CATALOG only when the file
// changed since it was last applied; a newer hand import is kept while the
// file is unchanged, and replaced, with a warning, once it changes; no
// file and an empty database load nothing (an ERROR), "sample" loads the
// example.
func TestCatalogAtStart(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, backend, store.Config{})
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			start := func(file string) catalogState {
				t.Helper()
				logs.Reset()
				state, err := loadCatalog(ctx, st, file, log)
				if err != nil {
					t.Fatal(err)
				}
				return state
			}
			if s := start(""); !s.Missing || !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "no catalog") {
				t.Fatalf("empty database, no file: %+v\n%s", s, logs.String())
			}
			dir := t.TempDir()
			file := filepath.Join(dir, "catalog.yaml")
			mine := strings.Replace(string(catalog.Sample()), "# EXAMPLE catalog, not for production", "# ACME's catalog", 1)
			if err := os.WriteFile(file, []byte(mine), 0o600); err != nil {
				t.Fatal(err)
			}
			s := start(file)
			if s.Missing || s.Example || s.Version == nil || !strings.Contains(logs.String(), "catalog loaded") {
				t.Fatalf("first start: %+v\n%s", s, logs.String())
			}
			first := s.Version.Hash
			if start(file); !strings.Contains(logs.String(), "catalog unchanged: not applied again") {
				t.Fatalf("second start re-applied an unchanged file:\n%s", logs.String())
			}
			// A hand import (here: the example) is newer than the file.
			cf, err := readCatalog(sampleCatalog, "", "alice@ops", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			cf.version.Source = "command"
			if _, err := st.ImportCatalogVersion(ctx, cf.cat, &cf.version); err != nil {
				t.Fatal(err)
			}
			if s := start(file); s.Version.Hash == first || !strings.Contains(logs.String(), "catalog imported by hand kept") || !strings.Contains(logs.String(), "alice@ops") {
				t.Fatalf("start over a newer hand import: %+v\n%s", s.Version, logs.String())
			}
			if err := os.WriteFile(file, []byte(mine+"\n# edited\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if s := start(file); s.Version.Hash == cf.version.Hash || !strings.Contains(logs.String(), "LEASELINE_CATALOG replaces the catalog imported by hand") {
				t.Fatalf("start with a changed file over a hand import: %+v\n%s", s.Version, logs.String())
			}
			vs, err := st.CatalogVersions(ctx, 10)
			if err != nil || len(vs) != 3 || vs[0].Source != "start" || vs[1].ImportedBy != "alice@ops" {
				t.Fatalf("versions %+v, %v", vs, err)
			}
			if s := start(sampleCatalog); !s.Example || !strings.Contains(logs.String(), "EXAMPLE") {
				t.Fatalf("LEASELINE_CATALOG=sample: %+v\n%s", s, logs.String())
			}
		})
	}
}

// TestCalendarHorizonAlerts: staff are told once at 60 days before a
// region's known_until and once at 30, across restarts; the metric exports
// each region's horizon.
func TestCalendarHorizonAlerts(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, storetest.Backends(t)[0], store.Config{})
	cf, err := readCatalog(sampleCatalog, "", "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportCatalogVersion(ctx, cf.cat, &cf.version); err != nil {
		t.Fatal(err)
	}
	fake := slackfake.New()
	defer fake.Close()
	now := time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC) // 91 days before 2026-12-31
	a := &staffAlerts{st: st, slack: bot.NewClient("xoxb-test", fake.APIURL(), nil), channel: "CSTAFF",
		log: slog.New(slog.NewTextHandler(io.Discard, nil)), now: func() time.Time { return now }}
	count := func() int { return len(fake.Messages("CSTAFF")) }
	a.checkHorizons(ctx)
	if n := count(); n != 0 {
		t.Fatalf("%d alerts 91 days before the horizon", n)
	}
	now = time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC) // 59 days before
	a.checkHorizons(ctx)
	a.checkHorizons(ctx)
	regions := len(cf.cat.Regions)
	if n := count(); n != regions {
		t.Fatalf("%d alerts at 59 days, want one per region (%d)", n, regions)
	}
	if m := fake.Messages("CSTAFF")[0].Text; !strings.Contains(m, "ends on 2026-12-31") || !strings.Contains(m, "known_until") {
		t.Fatalf("alert: %q", m)
	}
	now = time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC) // 29 days before
	a.checkHorizons(ctx)
	a.checkHorizons(ctx)
	if n := count(); n != 2*regions {
		t.Fatalf("%d alerts after the 30-day mark, want %d", n, 2*regions)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(newCalendarCollector(st, a.log))
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 1 {
		t.Fatalf("gather: %v %v", mfs, err)
	}
	got := map[string]float64{}
	for _, m := range mfs[0].GetMetric() {
		got[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
	}
	want := time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)).Unix()
	if mfs[0].GetName() != "leaseline_calendar_known_until_timestamp_seconds" || len(got) != regions || got["cn-hangzhou"] != float64(want) {
		t.Fatalf("metric %s: %v, want cn-hangzhou=%d", mfs[0].GetName(), got, want)
	}
}
