package main

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/leaseline/leaseline/bot"
)

// config is every setting, read once from the environment and flags and
// validated before anything starts.
type config struct {
	BotToken      string
	SigningSecret string
	AppToken      string
	APIURL        string
	DatabaseURL   string
	Addr          string
	// AdminAddr, when set, serves /metrics and /readyz on a listener of
	// their own; the public one then serves only /slack/* and /healthz.
	AdminAddr    string
	StaffUsers   []string
	StaffGroup   string
	StaffChannel string
	Catalog      string
	LogFormat    string
	LogLevel     string
	MaxOpen      int
	// LaterWorkers bounds the Slack work running after acks at once.
	LaterWorkers int
	// EncryptionKey encrypts personnel ID numbers at rest (hex, 32 bytes).
	EncryptionKey string
	// PublicURL is the base URL people reach the public listener at: the
	// calendar links staff create are PublicURL/calendar/<token>.ics.
	PublicURL string
	// Operator and OperatorAddress name the issuer of the entry letters
	// (LOA-CFA) the providers take to the IDC.
	Operator, OperatorAddress string
	Jobs                      jobsConfig

	// listener and adminListener, when set, are used instead of listening
	// on Addr and AdminAddr (tests open them on port 0).
	listener, adminListener net.Listener
}

// getenv is how configuration reads the environment (os.Getenv in main,
// a map in tests).
type getenv func(string) string

// loadConfig reads the environment, then lets flags of fs override it. It
// returns the flag set's parse error only; validation is separate.
func loadConfig(env getenv, fs *flag.FlagSet, args []string) (*config, error) {
	return parseConfig(env, fs, args, true)
}

// loadDBConfig is loadConfig for the commands that only use the database:
// their only flag is --database-url.
func loadDBConfig(env getenv, fs *flag.FlagSet, args []string) (*config, error) {
	return parseConfig(env, fs, args, false)
}

func parseConfig(env getenv, fs *flag.FlagSet, args []string, serveFlags bool) (*config, error) {
	c := &config{
		BotToken:        env("SLACK_BOT_TOKEN"),
		SigningSecret:   env("SLACK_SIGNING_SECRET"),
		AppToken:        env("SLACK_APP_TOKEN"),
		APIURL:          env("SLACK_API_URL"),
		DatabaseURL:     env("DATABASE_URL"),
		Addr:            orDefault(env("LEASELINE_ADDR"), ":8080"),
		AdminAddr:       env("LEASELINE_ADMIN_ADDR"),
		StaffGroup:      env("LEASELINE_STAFF_GROUP"),
		StaffChannel:    env("LEASELINE_STAFF_CHANNEL"),
		Catalog:         env("LEASELINE_CATALOG"),
		LogFormat:       orDefault(env("LEASELINE_LOG_FORMAT"), "text"),
		LogLevel:        orDefault(env("LEASELINE_LOG_LEVEL"), "info"),
		EncryptionKey:   env("LEASELINE_ENCRYPTION_KEY"),
		PublicURL:       env("LEASELINE_PUBLIC_URL"),
		Operator:        env("LEASELINE_OPERATOR"),
		OperatorAddress: env("LEASELINE_OPERATOR_ADDRESS"),
	}
	staff := env("LEASELINE_STAFF_USERS")
	maxOpen := orDefault(env("LEASELINE_MAX_OPEN"), "5")
	laterWorkers := orDefault(env("LEASELINE_LATER_WORKERS"), "16")
	c.Jobs = loadJobsConfig(env)
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL URL; empty means the embedded SQLite file leaseline.db (env DATABASE_URL)")
	if serveFlags {
		c.serveFlags(fs, &staff, &maxOpen, &laterWorkers)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return c.finish(staff, maxOpen, laterWorkers), nil
}

// serveFlags registers the flags of serve and config check.
func (c *config) serveFlags(fs *flag.FlagSet, staff, maxOpen, laterWorkers *string) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "HTTP listen address (env LEASELINE_ADDR)")
	fs.StringVar(&c.AdminAddr, "admin-addr", c.AdminAddr, "listen address of /metrics and /readyz; empty serves them on --addr (env LEASELINE_ADMIN_ADDR)")
	fs.StringVar(&c.StaffChannel, "staff-channel", c.StaffChannel, "channel ID of the staff channel (env LEASELINE_STAFF_CHANNEL)")
	fs.StringVar(staff, "staff-users", *staff, "comma-separated Slack user IDs of staff (env LEASELINE_STAFF_USERS)")
	fs.StringVar(&c.StaffGroup, "staff-group", c.StaffGroup, "Slack user group ID whose members are staff (env LEASELINE_STAFF_GROUP)")
	fs.StringVar(&c.Catalog, "catalog", c.Catalog, "catalog file to load at start (env LEASELINE_CATALOG)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "base URL of the public listener, for calendar links (env LEASELINE_PUBLIC_URL)")
	fs.StringVar(&c.Operator, "operator", c.Operator, "the operator's name, the issuer on entry letters (env LEASELINE_OPERATOR)")
	fs.StringVar(&c.OperatorAddress, "operator-address", c.OperatorAddress, "the operator's address on entry letters (env LEASELINE_OPERATOR_ADDRESS)")
	fs.StringVar(&c.APIURL, "slack-api-url", c.APIURL, "base URL of the Slack Web API (env SLACK_API_URL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json (env LEASELINE_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (env LEASELINE_LOG_LEVEL)")
	fs.StringVar(maxOpen, "max-open", *maxOpen, "connections of one account that may be short of Enabled at once (env LEASELINE_MAX_OPEN)")
	fs.StringVar(laterWorkers, "later-workers", *laterWorkers, "Slack requests worked on at once after their ack (env LEASELINE_LATER_WORKERS)")
}

// finish turns the list and number settings into their fields.
func (c *config) finish(staff, maxOpen, laterWorkers string) *config {
	for u := range strings.SplitSeq(staff, ",") {
		if u = strings.TrimSpace(u); u != "" {
			c.StaffUsers = append(c.StaffUsers, u)
		}
	}
	n, err := strconv.Atoi(maxOpen)
	if err != nil {
		n = -1 // reported by validate
	}
	c.MaxOpen = n
	if c.LaterWorkers, err = strconv.Atoi(laterWorkers); err != nil {
		c.LaterWorkers = -1 // reported by validate
	}
	return c
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// Shapes of Slack IDs: channels start with C (G for older private ones),
// users with U (W on Enterprise Grid), user groups with S; the rest is
// capital letters and digits.
var (
	channelID = regexp.MustCompile(`^[CG][A-Z0-9]+$`)
	userID    = regexp.MustCompile(`^[UW][A-Z0-9]+$`)
	groupID   = regexp.MustCompile(`^S[A-Z0-9]+$`)
)

// validate checks every setting and returns one clear message per problem.
// slack says whether the Slack settings are needed (serve), or only the
// database and catalog (catalog, jobs).
func (c *config) validate(slack bool) []error { return c.check(slack, true) }

// check is validate; needKey is false for migrate, which encrypts nothing.
func (c *config) check(slack, needKey bool) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if slack {
		errs = append(errs, c.checkSlack()...)
	}
	if c.DatabaseURL != "" && strings.Contains(c.DatabaseURL, "://") {
		u, err := url.Parse(c.DatabaseURL)
		switch {
		case err != nil:
			bad("DATABASE_URL is not a valid URL; use postgres://user:password@host:5432/dbname, or leave it unset for the embedded SQLite file")
		case u.Scheme != "postgres" && u.Scheme != "postgresql":
			bad("DATABASE_URL scheme %q is not supported; use postgres://…, or leave it unset for the embedded SQLite file", u.Scheme)
		case u.Host == "":
			bad("DATABASE_URL has no host; use postgres://user@host:5432/dbname")
		}
	}
	switch {
	case c.EncryptionKey != "":
		if k, err := hex.DecodeString(c.EncryptionKey); err != nil || len(k) != 32 {
			bad("LEASELINE_ENCRYPTION_KEY must be 64 hex characters (32 bytes); generate one with: openssl rand -hex 32")
		}
	case needKey && strings.Contains(c.DatabaseURL, "://"):
		bad("LEASELINE_ENCRYPTION_KEY is missing: personnel ID numbers are encrypted at rest; generate a key with `openssl rand -hex 32` and keep it with your other secrets")
	}
	if c.Catalog != "" && c.Catalog != sampleCatalog {
		if _, err := os.Stat(c.Catalog); err != nil {
			bad("LEASELINE_CATALOG %q cannot be read: %v", c.Catalog, errors.Unwrap(err))
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("LEASELINE_LOG_FORMAT %q: use text or json", c.LogFormat)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		bad("LEASELINE_LOG_LEVEL %q: use debug, info, warn or error", c.LogLevel)
	}
	if c.MaxOpen < 1 {
		bad("LEASELINE_MAX_OPEN must be a whole number of at least 1")
	}
	if c.LaterWorkers < 1 {
		bad("LEASELINE_LATER_WORKERS must be a whole number of at least 1")
	}
	errs = append(errs, c.Jobs.validate()...)
	return errs
}

// checkSlack checks the settings serve needs to talk to Slack.
func (c *config) checkSlack() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch {
	case c.BotToken == "":
		bad("SLACK_BOT_TOKEN is missing: set it to the app's Bot User OAuth Token (xoxb-…), from the Slack app's OAuth & Permissions page")
	case !strings.HasPrefix(c.BotToken, "xoxb-"):
		bad("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
	}
	if c.AppToken != "" && !strings.HasPrefix(c.AppToken, "xapp-") {
		bad("SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write); leave it unset for HTTP mode")
	}
	if c.AppToken == "" && c.SigningSecret == "" {
		bad("SLACK_SIGNING_SECRET is missing: HTTP mode needs it to check every request (Basic Information → Signing Secret); or set SLACK_APP_TOKEN for Socket Mode")
	}
	switch {
	case c.StaffChannel == "":
		bad("LEASELINE_STAFF_CHANNEL is missing: set it to the channel ID (C…) where staff review applications and receive tickets")
	case !channelID.MatchString(c.StaffChannel):
		bad("LEASELINE_STAFF_CHANNEL %q is not a channel ID: use the ID (C… or G…, e.g. C0123456789), not the name; in Slack: the channel's name → About → Channel ID", c.StaffChannel)
	}
	if len(c.StaffUsers) == 0 && c.StaffGroup == "" {
		bad("no staff: set LEASELINE_STAFF_USERS to the comma-separated Slack user IDs (U…) of staff, and/or LEASELINE_STAFF_GROUP to a user group ID")
	}
	for _, u := range c.StaffUsers {
		if !userID.MatchString(u) {
			bad("LEASELINE_STAFF_USERS: %q is not a Slack user ID (U… or W…, e.g. U0123456789); in Slack: the person's profile → ⋮ → Copy member ID", u)
		}
	}
	if c.StaffGroup != "" && !groupID.MatchString(c.StaffGroup) {
		bad("LEASELINE_STAFF_GROUP %q is not a user group ID: use the ID (S…, e.g. S0123456789), not the handle", c.StaffGroup)
	}
	if c.APIURL != "" {
		if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("SLACK_API_URL %q is not an http(s) URL, e.g. https://slack.com/api/", c.APIURL)
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			bad("LEASELINE_PUBLIC_URL %q is not an http(s) base URL such as https://leaseline.example.com", c.PublicURL)
		}
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("LEASELINE_ADDR %q is not a listen address such as :8080 or 127.0.0.1:8080", c.Addr)
	}
	if c.AdminAddr != "" {
		if _, _, err := net.SplitHostPort(c.AdminAddr); err != nil {
			bad("LEASELINE_ADMIN_ADDR %q is not a listen address such as :9090 or 127.0.0.1:9090", c.AdminAddr)
		} else if c.AdminAddr == c.Addr {
			bad("LEASELINE_ADMIN_ADDR %q is LEASELINE_ADDR too: give the admin listener its own port, or leave it unset", c.AdminAddr)
		}
	}
	return errs
}

// logger builds the process logger from the configuration.
func (c *config) logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel)) // validated
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	// Every line logged while handling a Slack request names it.
	return slog.New(bot.NewLogHandler(h))
}

// joinErrors formats validation problems, one a line.
func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = "  - " + e.Error()
	}
	return fmt.Errorf("configuration has %d problem(s):\n%s", len(errs), strings.Join(msgs, "\n"))
}
