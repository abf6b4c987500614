package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var settingName = regexp.MustCompile(`^(SLACK|LEASELINE)_[A-Z0-9_]+$|^DATABASE_URL$`)

// readSettings lists the environment variables the command reads: every
// string literal of its (non-test) source that is a variable's name, and
// "LEASELINE_CRON_<JOB>" for the prefix the job timetables are read with.
func readSettings(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			switch {
			case err != nil:
			case s == "LEASELINE_CRON_":
				out["LEASELINE_CRON_<JOB>"] = true
			case settingName.MatchString(s):
				out[s] = true
			}
			return true
		})
	}
	return out
}

// TestSettingsTable: the README's Configuration table lists exactly the
// variables the code reads, and leaseline.env.example mentions each.
func TestSettingsTable(t *testing.T) {
	code := readSettings(t)
	if len(code) < 10 || !code["SLACK_BOT_TOKEN"] || !code["LEASELINE_CRON_<JOB>"] {
		t.Fatalf("the scan of the source found too little: %v", slices.Sorted(maps.Keys(code)))
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	if i := strings.Index(section, "## Configuration"); i >= 0 {
		section = section[i:]
	}
	if i := strings.Index(section[3:], "\n## "); i >= 0 {
		section = section[:i+3]
	}
	table := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z0-9_<>]+)` \\|").FindAllStringSubmatch(section, -1) {
		table[m[1]] = true
	}
	for v := range code {
		if !table[v] {
			t.Errorf("the code reads %s, which README's Configuration table lacks: add a row (variable, default, meaning)", v)
		}
	}
	for v := range table {
		if !code[v] {
			t.Errorf("README's Configuration table lists %s, which the code no longer reads: remove the row", v)
		}
	}
	example, err := os.ReadFile(filepath.Join("..", "..", "deploy", "leaseline.env.example"))
	if err != nil {
		t.Fatal(err)
	}
	for v := range code {
		name := strings.TrimSuffix(v, "<JOB>")
		if !regexp.MustCompile(`(?m)^#? ?` + regexp.QuoteMeta(name) + `[A-Z_]*=`).Match(example) {
			t.Errorf("deploy/leaseline.env.example lacks %s (as %s=… or # %s=…)", v, v, v)
		}
	}
}
