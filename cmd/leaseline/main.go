// Command leaseline is the leaseline Slack bot and its operator tools: one
// binary with subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/leaseline/leaseline/cmd/leaseline/demo"
)

// command is one subcommand: "serve", or "catalog import" (group and verb).
type command struct {
	name    string
	args    string // positional arguments, e.g. "FILE"
	summary string
	run     func(ctx context.Context, env getenv, args []string, stdout, stderr io.Writer) error
}

// commands lists every subcommand, in the order help shows them.
func commands() []command {
	return []command{
		{"serve", "", "run the bot (HTTP mode, or Socket Mode when SLACK_APP_TOKEN is set)",
			func(ctx context.Context, env getenv, args []string, _, stderr io.Writer) error {
				return serveCmd(ctx, env, args, stderr)
			}},
		{"migrate", "", "apply database migrations (needs no encryption key)", migrateCmd},
		{"catalog import", "FILE", "validate a catalog file and apply it, recording its version (connections are never touched)",
			func(ctx context.Context, env getenv, args []string, stdout, stderr io.Writer) error {
				return catalogImportCmd(ctx, env, args, false, stdout, stderr)
			}},
		{"catalog check", "FILE", "validate a catalog file only, and warn when a calendar ends within 90 days",
			func(ctx context.Context, env getenv, args []string, stdout, stderr io.Writer) error {
				return catalogImportCmd(ctx, env, args, true, stdout, stderr)
			}},
		{"catalog diff", "FILE", "show what importing FILE would change in the database", catalogDiffCmd},
		{"catalog show", "", "print the catalog in the database and the version it came from", catalogShowCmd},
		{"config check", "", "validate the configuration offline (--online: against Slack too) and say what to fix",
			func(ctx context.Context, env getenv, args []string, stdout, stderr io.Writer) error {
				return configCheckCmd(ctx, env, args, stdout, stderr)
			}},
		{"jobs list", "", "list the scheduled jobs, their timetable and next run in the jobs' time zone",
			func(_ context.Context, env getenv, args []string, stdout, stderr io.Writer) error {
				return jobsListCmd(env, args, stdout, stderr)
			}},
		{"jobs run", "NAME", "run one job once, as if it were --at", jobsRunCmd},
		{"notices failed", "", "list notices that failed for good", noticesFailedCmd},
		{"demo", "", "run the whole journey against an in-process fake Slack (sample catalog)",
			func(ctx context.Context, _ getenv, args []string, stdout, stderr io.Writer) error {
				return demo.Run(ctx, args, stdout, stderr)
			}},
		{"version", "", "print the module version and VCS revision",
			func(_ context.Context, _ getenv, args []string, stdout, stderr io.Writer) error {
				fs := newFlags("version", stderr)
				if err := fs.Parse(args); err != nil {
					return err
				}
				fmt.Fprintln(stdout, "leaseline", version())
				return nil
			}},
	}
}

// usage is the top-level help.
func usage() string {
	var b strings.Builder
	b.WriteString("leaseline — self-service leased-line access, in Slack\n\nUsage:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  leaseline %-24s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	b.WriteString("\nConfiguration comes from the environment (README.md, Configuration) and flags.\n" +
		"`leaseline COMMAND -h` shows a command's own flags and arguments.\n")
	return b.String()
}

// groupUsage is the help of a command group such as "catalog".
func groupUsage(group string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: leaseline %s COMMAND\n\nCommands:\n", group)
	for _, c := range commands() {
		if verb, ok := strings.CutPrefix(c.name, group+" "); ok {
			fmt.Fprintf(&b, "  %-16s %s\n", strings.TrimSpace(verb+" "+c.args), c.summary)
		}
	}
	fmt.Fprintf(&b, "\n`leaseline %s COMMAND -h` shows a command's flags and arguments.\n", group)
	return b.String()
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "leaseline:", err)
		stop()
		os.Exit(1)
	}
}

func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "-help" || a == "help" }

// wantsHelp reports whether the flags ask for help (before any "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "-h" || a == "--help" || a == "-help" {
			return true
		}
	}
	return false
}

// run is the whole program: main only adds the process's signals,
// environment and exit code. A request for help is not an error.
func run(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return errors.New("no command given")
	}
	switch a := args[0]; {
	case isHelp(a) && len(args) > 1:
		return run(ctx, append(args[1:2:2], "-h"), env, stdout, stderr)
	case isHelp(a):
		fmt.Fprint(stdout, usage())
		return nil
	case a == "--version" || a == "-version":
		fmt.Fprintln(stdout, "leaseline", version())
		return nil
	}
	cmd, rest, ok := find(args)
	if !ok {
		return unknown(args, stdout, stderr)
	}
	if wantsHelp(rest) {
		// Help goes to stdout: it was asked for.
		stderr = stdout
	}
	err := cmd.run(ctx, env, rest, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// find returns the command named by args and the arguments after its name.
func find(args []string) (command, []string, bool) {
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			return c, args[len(words):], true
		}
	}
	return command{}, nil, false
}

// unknown answers a name that is no command: a group's help, or the
// nearest command.
func unknown(args []string, stdout, stderr io.Writer) error {
	group := args[0]
	if isGroup(group) {
		switch {
		case len(args) > 1 && isHelp(args[1]):
			fmt.Fprint(stdout, groupUsage(group))
			return nil
		case len(args) == 1:
			fmt.Fprint(stderr, groupUsage(group))
			return fmt.Errorf("name a %s command", group)
		}
	}
	given := strings.Join(args[:min(len(args), 2)], " ")
	if strings.HasPrefix(args[0], "-") {
		given = args[0]
	}
	msg := fmt.Sprintf("unknown command %q", given)
	if s := nearest(args); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", "leaseline "+s)
	}
	fmt.Fprint(stderr, "Run `leaseline -h` for the list of commands.\n")
	return errors.New(msg)
}

func isGroup(word string) bool {
	for _, c := range commands() {
		if strings.HasPrefix(c.name, word+" ") {
			return true
		}
	}
	return false
}

// nearest returns the command closest to what was typed (edit distance at
// most 3, or a group's command when the group is right), or "".
func nearest(args []string) string {
	best, bestD := "", 4
	for _, c := range commands() {
		words := strings.Fields(c.name)
		typed := strings.Join(args[:min(len(args), len(words))], " ")
		d := distance(typed, c.name)
		if len(words) == 2 && args[0] == words[0] && len(args) > 1 {
			d = distance(args[1], words[1])
		}
		if d < bestD {
			best, bestD = c.name, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// version is the module version and VCS revision the binary was built
// from, as the build info records them (`go build` in a git checkout; the
// go command leaves them out with -buildvcs=false, and `go run` marks the
// module version "(devel)").
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (no build information) " + runtime.Version()
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	switch {
	case rev != "":
		v += " revision " + rev[:min(len(rev), 12)]
		if dirty {
			v += " (modified)"
		}
	default:
		v += " (no VCS revision: built outside git or with -buildvcs=false)"
	}
	return v + " " + bi.GoVersion
}

// newFlags makes a subcommand's flag set, writing errors to w. Its usage
// names the command, its arguments and summary, then its own flags.
func newFlags(name string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("leaseline "+name, flag.ContinueOnError)
	fs.SetOutput(w)
	var cmd command
	for _, c := range commands() {
		if c.name == name {
			cmd = c
		}
	}
	fs.Usage = func() {
		line := "leaseline " + name
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			line += " [flags]"
		}
		if cmd.args != "" {
			line += " " + cmd.args
		}
		fmt.Fprintf(fs.Output(), "Usage: %s\n\n%s\n", line, cmd.summary)
		if hasFlags {
			fmt.Fprint(fs.Output(), "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}
