// Package leaseline_test holds the house rules: which package may import
// what (README, "How it is built").
package leaseline_test

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/leaseline/leaseline"

// pkg is what `go list -deps -json` says of one package.
type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Deps       []string
}

// listPackages lists the module's packages (without their tests) and
// every package they depend on.
func listPackages(t *testing.T) map[string]pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard,Imports,Deps", "./...")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

// under reports whether path is dir or inside it (both module-relative).
func under(path, dir string) bool {
	rel := strings.TrimPrefix(path, module+"/")
	return rel == dir || strings.HasPrefix(rel, dir+"/")
}

func anyPrefix(path string, prefixes ...string) bool {
	for _, p := range prefixes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// firstDep returns the first of deps under one of prefixes.
func firstDep(deps, prefixes []string) (string, bool) {
	for _, d := range deps {
		if anyPrefix(d, prefixes...) {
			return d, true
		}
	}
	return "", false
}

// The persistence side: the store, gorm, and the database drivers.
var (
	storePkgs  = []string{module + "/models/store", "gorm.io"}
	driverPkgs = []string{"github.com/jackc/pgx", "github.com/lib/pq", "modernc.org/sqlite", "github.com/mattn/go-sqlite3", "gorm.io/driver"}
)

// TestDependencyRules holds the lines of README's "How it is built":
//   - handlers, scheduler and bot reach the store only through the small
//     interfaces they declare (in models' types): none of them depends on
//     models/store or gorm, or imports a database driver (handlers and bot
//     not even indirectly; scheduler's River brings its own);
//   - models proper imports only the standard library;
//   - slack-go is imported only by bot, handlers and the wiring (stack,
//     cmd);
//   - bot/slackfake is imported only by tests, the demo (cmd/leaseline/demo)
//     and the soak (cmd/soak): the leaseline binary links it only through
//     the demo.
func TestDependencyRules(t *testing.T) {
	pkgs := listPackages(t)
	var own []pkg
	for path, p := range pkgs {
		if path == module || strings.HasPrefix(path, module+"/") {
			own = append(own, p)
		}
	}
	if len(own) < 8 {
		t.Fatalf("go list found %d of the module's packages; expected the whole house", len(own))
	}
	slices.SortFunc(own, func(a, b pkg) int { return strings.Compare(a.ImportPath, b.ImportPath) })
	for _, p := range own {
		path := p.ImportPath
		if under(path, "handlers") || under(path, "scheduler") || under(path, "bot") {
			if d, ok := firstDep(p.Deps, storePkgs); ok {
				t.Errorf("%s depends on %s: it must reach the store through an interface it declares", path, d)
			}
			if d, ok := firstDep(p.Deps, driverPkgs); ok && !under(path, "scheduler") {
				t.Errorf("%s depends on the database driver %s", path, d)
			}
			for _, d := range p.Imports {
				if anyPrefix(d, driverPkgs...) {
					t.Errorf("%s imports the database driver %s", path, d)
				}
			}
		}
		if path == module+"/models" {
			for _, d := range p.Deps {
				if !pkgs[d].Standard {
					t.Errorf("models depends on %s: models imports only the standard library", d)
				}
			}
		}
		for _, d := range p.Imports {
			if anyPrefix(d, "github.com/slack-go/slack") && !(under(path, "bot") || under(path, "handlers") || under(path, "stack") || under(path, "cmd")) {
				t.Errorf("%s imports %s: Slack stays in bot (and handlers' Block Kit)", path, d)
			}
			if d == module+"/bot/slackfake" && !under(path, "cmd/leaseline/demo") && !under(path, "cmd/soak") {
				t.Errorf("%s imports the fake Slack: only tests, the demo and the soak may", path)
			}
		}
	}
}
