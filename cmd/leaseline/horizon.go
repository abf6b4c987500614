package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
)

// calendarCollector exports leaseline_calendar_known_until_timestamp_seconds
// {region}: the end of the last day each region's calendar is known for,
// read at scrape time (regions that state none are left out).
type calendarCollector struct {
	st   *store.Store
	desc *prometheus.Desc
	log  *slog.Logger
}

func newCalendarCollector(st *store.Store, log *slog.Logger) *calendarCollector {
	return &calendarCollector{st: st, log: log, desc: prometheus.NewDesc(
		"leaseline_calendar_known_until_timestamp_seconds",
		"End (Unix time, the region's midnight after it) of the last day the region's holidays and make-up workdays are known for (catalog known_until).",
		[]string{"region"}, nil)}
}

func (c *calendarCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *calendarCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	regions, err := c.st.Regions(ctx)
	if err != nil {
		c.log.Warn("calendar horizon metric: read regions", "err", err)
		return
	}
	for _, r := range regions {
		if end, ok := knownUntilEnd(r); ok {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(end.Unix()), r.ID)
		}
	}
}

// knownUntilEnd is the region's midnight after its known_until.
func knownUntilEnd(r models.Region) (time.Time, bool) {
	if r.KnownUntil == "" {
		return time.Time{}, false
	}
	d, err := models.ParseDate(r.KnownUntil)
	if err != nil {
		return time.Time{}, false
	}
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return d.AddDays(1).In(loc, 0, 0), true
}

// staffAlerts tells the staff channel what an operator must fix: a missing
// or example catalog (once per start), and a calendar nearing its end (once
// per region and threshold, across restarts and replicas).
type staffAlerts struct {
	st    *store.Store
	slack interface {
		PostMessageContext(ctx context.Context, channel string, options ...slack.MsgOption) (string, string, error)
	}
	channel string
	log     *slog.Logger
	now     func() time.Time
}

// atStart posts the catalog's state when it is missing or an example.
func (a *staffAlerts) atStart(ctx context.Context, state catalogState) {
	var text string
	switch {
	case state.Missing:
		text = ":warning: *leaseline has no catalog.* Customers are told applications are not open yet. " +
			"Set `LEASELINE_CATALOG` to your catalog file and restart, or run `leaseline catalog import FILE` (README, Catalog)."
	case state.Example:
		text = ":warning: *leaseline runs an EXAMPLE catalog*: its channels are placeholders and its IDCs fictitious, so customers could apply for access points that do not exist. " +
			"Replace it with your own catalog (`leaseline catalog diff FILE` shows what changes, then `leaseline catalog import FILE`)."
	default:
		return
	}
	if _, _, err := a.slack.PostMessageContext(ctx, a.channel, slack.MsgOptionText(text, false)); err != nil {
		a.log.ErrorContext(ctx, "could not tell staff about the catalog", "channel", a.channel, "err", err)
	}
}

// watchHorizons checks every region's calendar now and then every hour.
func (a *staffAlerts) watchHorizons(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		a.checkHorizons(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// checkHorizons alerts staff once at 60 and once at 30 days before a
// region's known_until (and once when it has passed).
func (a *staffAlerts) checkHorizons(ctx context.Context) {
	regions, err := a.st.Regions(ctx)
	if err != nil {
		a.log.WarnContext(ctx, "calendar horizon: read regions", "err", err)
		return
	}
	for _, r := range regions {
		left, ok := catalog.DaysLeft(r, a.now())
		if !ok {
			continue
		}
		var threshold int
		switch {
		case left < 0:
			threshold = 0
		case left <= 30:
			threshold = 30
		case left <= 60:
			threshold = 60
		default:
			continue
		}
		key := fmt.Sprintf("calendar-horizon:%s:%s:%d", r.ID, r.KnownUntil, threshold)
		first, err := a.st.ClaimOperatorAlert(ctx, key, a.now())
		if err != nil || !first {
			continue
		}
		text := fmt.Sprintf(":calendar: *The calendar of %s ends on %s, in %d days.* After that date no IDC visit is booked and no review date is promised in that region: "+
			"add the next public holidays and make-up workdays to the catalog, move `known_until`, and import it.", regionName(r), r.KnownUntil, left)
		if left < 0 {
			text = fmt.Sprintf(":rotating_light: *The calendar of %s ended on %s.* No IDC visit is booked and no review date is promised there until the catalog lists the next holidays and `known_until` moves.", regionName(r), r.KnownUntil)
		}
		if _, _, err := a.slack.PostMessageContext(ctx, a.channel, slack.MsgOptionText(text, false)); err != nil {
			a.log.WarnContext(ctx, "calendar horizon alert not sent; tried again within the hour", "region", r.ID, "err", err)
			_ = a.st.ReleaseOperatorAlert(ctx, key)
			continue
		}
		a.log.WarnContext(ctx, "calendar nearing its end: staff told", "region", r.ID, "known_until", r.KnownUntil, "days_left", left)
	}
}

func regionName(r models.Region) string {
	if r.Name != "" {
		return r.Name
	}
	return r.ID
}
