package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

const monitoringDir = "../../deploy/monitoring"

// exportedMetrics lists the metric names the code exports: full names
// written as literals, and Namespace/Subsystem/Name triples.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	full := regexp.MustCompile(`"(leaseline_[a-z0-9_]+)"`)
	triple := regexp.MustCompile(`Namespace:\s*"(\w+)",\s*Subsystem:\s*"(\w+)",\s*Name:\s*"(\w+)"`)
	out := map[string]bool{}
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "soak") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range full.FindAllStringSubmatch(string(src), -1) {
			out[m[1]] = true
		}
		for _, m := range triple.FindAllStringSubmatch(string(src), -1) {
			out[m[1]+"_"+m[2]+"_"+m[3]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkMetrics fails for a leaseline_ metric an expression names that the
// code does not export (histograms by their series' suffixes).
func checkMetrics(t *testing.T, where, expr string, exported map[string]bool) {
	t.Helper()
	for _, name := range regexp.MustCompile(`leaseline_[a-z0-9_]+`).FindAllString(expr, -1) {
		base := name
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(name, suf); ok && exported[b] {
				base = b
			}
		}
		if !exported[base] {
			t.Errorf("%s: %s is not a metric the code exports", where, name)
		}
	}
	if strings.Count(expr, "(") != strings.Count(expr, ")") || strings.Count(expr, "[") != strings.Count(expr, "]") || strings.Count(expr, "{") != strings.Count(expr, "}") {
		t.Errorf("%s: unbalanced brackets in %q", where, expr)
	}
}

// TestAlertRules: deploy/monitoring/alerts.yml is a well-formed rule file
// whose every rule is named, has a severity and a summary, and only names
// metrics the code exports; with promtool installed (Debian: apt-get
// install prometheus) its unit tests run too.
func TestAlertRules(t *testing.T) {
	exported := exportedMetrics(t)
	raw, err := os.ReadFile(filepath.Join(monitoringDir, "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				For         string            `yaml:"for"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		t.Fatalf("alerts.yml: %v", err)
	}
	seen := map[string]bool{}
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			where := "alerts.yml " + r.Alert
			switch {
			case r.Alert == "" || r.Expr == "":
				t.Errorf("%s: a rule needs alert and expr", where)
			case seen[r.Alert]:
				t.Errorf("%s: named twice", where)
			case r.Labels["severity"] != "warning" && r.Labels["severity"] != "critical":
				t.Errorf("%s: severity %q, want warning or critical", where, r.Labels["severity"])
			case r.Annotations["summary"] == "" || r.Annotations["description"] == "":
				t.Errorf("%s: needs a summary and a description", where)
			}
			seen[r.Alert] = true
			if r.For != "" {
				if _, err := time.ParseDuration(r.For); err != nil {
					t.Errorf("%s: for %q: %v", where, r.For, err)
				}
			}
			checkMetrics(t, where, r.Expr, exported)
		}
	}
	for _, want := range []string{"LeaselineSlowAcks", "LeaselineNoticeBacklog", "LeaselineNoticeFailedForGood", "LeaselineJobFailing",
		"LeaselineJobNoRecentSuccess", "LeaselineCalendarEndingSoon", "LeaselineSlackUnreachable", "LeaselineSlackRateLimited"} {
		if !seen[want] {
			t.Errorf("alerts.yml lacks %s", want)
		}
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not installed (Debian: apt-get install prometheus): the rules' unit tests did not run, only the checks above")
		return
	}
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = monitoringDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestDashboard: the Grafana dashboard is valid JSON whose every panel
// query names only metrics the code exports, and it covers acks, notices,
// jobs, the calendar horizon and Slack.
func TestDashboard(t *testing.T) {
	exported := exportedMetrics(t)
	raw, err := os.ReadFile(filepath.Join(monitoringDir, "grafana-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	var all strings.Builder
	for _, p := range d.Panels {
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			checkMetrics(t, "dashboard panel "+p.Title, q.Expr, exported)
			all.WriteString(q.Expr + "\n")
		}
	}
	for _, want := range []string{"leaseline_slack_ack_duration_seconds_bucket", "leaseline_slack_slow_acks_total", "leaseline_notices_pending",
		"leaseline_notice_delivery_failures_total", "leaseline_job_runs_total", "leaseline_job_last_success_timestamp_seconds",
		"leaseline_calendar_known_until_timestamp_seconds", "leaseline_slack_up", "leaseline_slack_api_errors_total", "leaseline_slack_api_rate_limits_total"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the dashboard does not show %s", want)
		}
	}
}
