package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

func configCheckCmd(ctx context.Context, env getenv, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("config check", stderr)
	online := fs.Bool("online", false, "also ask Slack: the token works, the bot is in the staff channel and every provider channel of the catalog, the staff users exist")
	c, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	if err := joinErrors(c.validate(true)); err != nil {
		return err
	}
	mode := "HTTP mode on " + c.Addr
	if c.AppToken != "" {
		mode = "Socket Mode"
	}
	db := "embedded SQLite file " + store.DefaultSQLitePath
	if c.DatabaseURL != "" {
		db = c.DatabaseURL
		if strings.Contains(db, "://") {
			db = "PostgreSQL"
		}
	}
	fmt.Fprintf(stdout, "configuration is valid: %s, %s, %d staff users, staff channel %s\n", mode, db, len(c.StaffUsers), c.StaffChannel)
	if c.Operator == "" {
		fmt.Fprintln(stdout, "note: LEASELINE_OPERATOR is not set: entry letters (LOA-CFA) show no issuer; set it (and LEASELINE_OPERATOR_ADDRESS) to the operator's name and address")
	}
	if c.PublicURL == "" {
		fmt.Fprintln(stdout, "note: LEASELINE_PUBLIC_URL is not set: calendar links (/leaseline calendar-link) show only their path; set it to the public base URL of this bot")
	} else {
		fmt.Fprintf(stdout, "calendar links: %s/calendar/<token>.ics\n", strings.TrimRight(c.PublicURL, "/"))
	}
	if !*online {
		return nil
	}
	channels, where := providerChannels(ctx, c, stderr)
	if err := joinErrors(checkOnline(ctx, c, channels, where)); err != nil {
		return fmt.Errorf("online check: %w", err)
	}
	fmt.Fprintf(stdout, "Slack accepts the token; the bot is in the staff channel and %d provider channel(s) (%s); %d staff user(s) exist\n",
		len(channels), where, len(c.StaffUsers))
	return nil
}

// providerChannels lists the provider channels of the catalog serve would
// run: LEASELINE_CATALOG's file, or else the database's (read only).
func providerChannels(ctx context.Context, c *config, stderr io.Writer) ([]string, string) {
	var provs []models.Provider
	where := "no catalog"
	switch {
	case c.Catalog != "":
		if cf, err := readCatalog(c.Catalog, models.SourceStart, "", time.Now()); err == nil {
			provs, where = cf.cat.Providers, "catalog "+c.Catalog
		}
	default:
		if st, err := openFor(ctx, c, stderr, readOnly); err == nil {
			provs, _ = st.Providers(ctx)
			where = "catalog in the database"
			_ = st.Close()
		}
	}
	var out []string
	for _, p := range provs {
		if p.SlackChannel != "" && !slices.Contains(out, p.SlackChannel) {
			out = append(out, p.SlackChannel)
		}
	}
	return out, where
}

// checkOnline asks Slack what config check cannot know offline; one
// message per problem, each naming the variable or catalog entry to fix.
func checkOnline(ctx context.Context, c *config, providerChannels []string, where string) []error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	client := bot.NewClient(c.BotToken, c.APIURL, &http.Client{Timeout: 10 * time.Second})
	auth, err := client.AuthTestContext(ctx)
	if err != nil {
		return []error{fmt.Errorf("SLACK_BOT_TOKEN: Slack refused it (%s): copy the Bot User OAuth Token again from the app's OAuth & Permissions page, and reinstall the app if it was revoked", slackReason(err))}
	}
	var errs []error
	inChannel := func(id, what string) {
		ch, err := client.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: id})
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s %s: Slack cannot show it to the bot (%s): check the ID, and invite the bot (/invite @%s)", what, id, slackReason(err), auth.User))
		case !ch.IsMember:
			errs = append(errs, fmt.Errorf("%s %s (#%s): the bot is not a member: in the channel, /invite @%s", what, id, ch.Name, auth.User))
		}
	}
	inChannel(c.StaffChannel, "LEASELINE_STAFF_CHANNEL")
	for _, id := range providerChannels {
		inChannel(id, "provider channel ("+where+")")
	}
	for _, u := range c.StaffUsers {
		// Opening the DM (im:write) finds the user without users:read.
		if _, _, _, err := client.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{u}}); err != nil {
			errs = append(errs, fmt.Errorf("LEASELINE_STAFF_USERS: %s is not a user of this workspace (%s): copy the member ID from the person's profile", u, slackReason(err)))
		}
	}
	if c.StaffGroup != "" {
		if _, err := client.GetUserGroupMembersContext(ctx, c.StaffGroup); err != nil {
			errs = append(errs, fmt.Errorf("LEASELINE_STAFF_GROUP: %s cannot be read (%s): check the ID, and that the app has the usergroups:read scope", c.StaffGroup, slackReason(err)))
		}
	}
	return errs
}

// slackReason is Slack's error code, or the error.
func slackReason(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return err.Error()
}
