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
	"runtime/debug"
	"syscall"

	"github.com/leaseline/leaseline/cmd/leaseline/demo"
)

const usage = `leaseline — self-service leased-line access, in Slack

Usage:
  leaseline serve                  run the bot (HTTP mode, or Socket Mode when SLACK_APP_TOKEN is set)
  leaseline migrate                apply database migrations
  leaseline catalog import FILE    validate a catalog file and apply it (connections are never touched)
  leaseline catalog check FILE     validate a catalog file only
  leaseline catalog show           print the catalog in the database
  leaseline config check           validate the configuration and say what to fix
  leaseline jobs list              list the scheduled jobs and their timetable
  leaseline jobs run NAME [--at RFC3339-TIME]   run one job once, as if it were that time
  leaseline notices failed         list notices that failed for good
  leaseline demo [--quiet]         run the whole journey against an in-process fake Slack
  leaseline version                print the version

Configuration comes from the environment (see README.md) and flags
(leaseline serve -h lists them).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "leaseline:", err)
		}
		os.Exit(1)
	}
}

// run is the whole program: main only adds the process's signals,
// environment and exit code.
func run(ctx context.Context, args []string, env getenv, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no subcommand given")
	}
	cmd, rest := args[0], args[1:]
	sub := ""
	if len(rest) > 0 {
		sub = rest[0]
	}
	switch {
	case cmd == "serve":
		return serveCmd(ctx, env, rest, stderr)
	case cmd == "migrate":
		return migrateCmd(ctx, env, rest, stdout, stderr)
	case cmd == "catalog" && (sub == "import" || sub == "check"):
		return catalogImportCmd(ctx, env, rest[1:], sub == "check", stdout, stderr)
	case cmd == "catalog" && sub == "show":
		return catalogShowCmd(ctx, env, rest[1:], stdout, stderr)
	case cmd == "config" && sub == "check":
		return configCheckCmd(env, rest[1:], stdout, stderr)
	case cmd == "jobs" && sub == "list":
		return jobsListCmd(env, rest[1:], stdout, stderr)
	case cmd == "jobs" && sub == "run":
		return jobsRunCmd(ctx, env, rest[1:], stdout, stderr)
	case cmd == "notices" && sub == "failed":
		return noticesFailedCmd(ctx, env, rest[1:], stdout, stderr)
	case cmd == "demo":
		return demo.Run(ctx, rest, stdout, stderr)
	case cmd == "version", cmd == "--version", cmd == "-version":
		fmt.Fprintln(stdout, "leaseline", version())
		return nil
	case cmd == "help", cmd == "-h", cmd == "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", joinArgs(args))
}

func joinArgs(args []string) string {
	if len(args) > 2 {
		args = args[:2]
	}
	s := ""
	for i, a := range args {
		if i > 0 {
			s += " "
		}
		s += a
	}
	return s
}

// version is the module version and VCS revision the binary was built from.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += "+dirty"
		}
	}
	return v
}

// newFlags makes a subcommand's flag set, writing usage to w.
func newFlags(name string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("leaseline "+name, flag.ContinueOnError)
	fs.SetOutput(w)
	return fs
}
