package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	ics "github.com/arran4/golang-ical"
	"golang.org/x/time/rate"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// The iCalendar feeds people subscribe to: GET /calendar/<token>.ics on the
// public listener. A provider's feed has its IDC visits, an access point's
// the visits at that IDC (for its reception desk). Every visit is a VEVENT
// with a stable UID, its window in the region's zone (with the zone's
// VTIMEZONE), the IDC address as LOCATION, the connection ID and the
// visitor count; a reschedule raises SEQUENCE and a canceled visit is
// STATUS:CANCELLED, so subscribed calendars follow. The token is a secret:
// it is never logged, and an unknown or revoked one is a plain 404.
//
// The feed is written with github.com/arran4/golang-ical (maintained,
// MIT): it folds long lines at 75 octets without splitting a UTF-8
// character and escapes TEXT values, which matter for Chinese addresses.

// CalendarFeeds is what the feed needs of the store.
type CalendarFeeds interface {
	CalendarFeed(ctx context.Context, token string) (*models.CalendarFeed, error)
}

// FeedConfig configures the calendar feed endpoint. Zero values take the
// defaults.
type FeedConfig struct {
	// PerIP is how many feed requests one client address may make a
	// second (default 0.2: calendar apps poll every few minutes at most),
	// with bursts of PerIPBurst (default 10).
	PerIP      rate.Limit
	PerIPBurst int
	// Overall is the feed requests a second all clients together may make
	// (default 20), with bursts of OverallBurst (default 40).
	Overall      rate.Limit
	OverallBurst int
	Now          func() time.Time
	Logger       *slog.Logger
}

// CalendarFeed serves GET /calendar/<token>.ics.
type CalendarFeed struct {
	store   CalendarFeeds
	words   *lang.Catalog
	cfg     FeedConfig
	log     *slog.Logger
	overall *rate.Limiter
	mu      sync.Mutex
	clients map[string]*clientLimit
	swept   time.Time
}

// clientLimit is one client address's limiter.
type clientLimit struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewCalendarFeed builds the feed endpoint.
func NewCalendarFeed(st CalendarFeeds, cfg FeedConfig) *CalendarFeed {
	if cfg.PerIP <= 0 {
		cfg.PerIP = 0.2
	}
	if cfg.PerIPBurst <= 0 {
		cfg.PerIPBurst = 10
	}
	if cfg.Overall <= 0 {
		cfg.Overall = 20
	}
	if cfg.OverallBurst <= 0 {
		cfg.OverallBurst = 40
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &CalendarFeed{store: st, words: lang.MustLoad(), cfg: cfg, log: cfg.Logger,
		overall: rate.NewLimiter(cfg.Overall, cfg.OverallBurst), clients: map[string]*clientLimit{}}
}

// CalendarPath is where the feeds are served; a feed's URL is
// CalendarPath + token + ".ics".
const CalendarPath = "/calendar/"

// ServeHTTP answers a feed request. Limits are checked before the token is
// looked at, so guessing tokens costs as much as fetching a feed.
func (f *CalendarFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	if wait, ok := f.allow(clientIP(r)); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		http.Error(w, http.StatusText(http.StatusTooManyRequests), http.StatusTooManyRequests)
		return
	}
	file, ok := strings.CutPrefix(r.URL.Path, CalendarPath)
	token, isICS := strings.CutSuffix(file, ".ics")
	if !ok || !isICS || token == "" || strings.Contains(token, "/") {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	feed, err := f.store.CalendarFeed(ctx, token)
	switch {
	case errors.Is(err, models.ErrNotFound):
		http.NotFound(w, r)
		return
	case err != nil:
		// The error names no token: the store's errors name the link's ID.
		f.log.ErrorContext(ctx, "calendar feed", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	p := f.words.For(lang.Parse(r.URL.Query().Get("lang")))
	body, err := renderCalendar(p, feed, f.cfg.Now())
	if err != nil {
		f.log.ErrorContext(ctx, "render calendar feed", "kind", feed.Kind, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	if _, err := w.Write([]byte(body)); err != nil {
		f.log.DebugContext(ctx, "write calendar feed", "err", err)
	}
}

// clientIP is the request's peer address. X-Forwarded-For is not trusted:
// anyone can send it, and it would let a client pick its own limit.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// allow takes one request from the client's and the overall limits, or
// says how long to wait.
func (f *CalendarFeed) allow(ip string) (time.Duration, bool) {
	now := f.cfg.Now()
	f.mu.Lock()
	c := f.clients[ip]
	if c == nil {
		c = &clientLimit{lim: rate.NewLimiter(f.cfg.PerIP, f.cfg.PerIPBurst)}
		f.clients[ip] = c
	}
	c.seen = now
	f.sweep(now)
	f.mu.Unlock()
	// Take from both or from neither: a refused request costs the client
	// nothing of the other limit.
	mine, all := c.lim.ReserveN(now, 1), f.overall.ReserveN(now, 1)
	if wait := max(mine.DelayFrom(now), all.DelayFrom(now)); wait > 0 || !mine.OK() || !all.OK() {
		mine.CancelAt(now)
		all.CancelAt(now)
		return max(wait, time.Second), false
	}
	return 0, true
}

// sweep forgets clients idle for ten minutes (their limiter is full
// again by then), at most once a minute. f.mu is held.
func (f *CalendarFeed) sweep(now time.Time) {
	if now.Sub(f.swept) < time.Minute {
		return
	}
	f.swept = now
	for ip, c := range f.clients {
		if now.Sub(c.seen) > 10*time.Minute {
			delete(f.clients, ip)
		}
	}
}

// calendarProdID names leaseline as the feed's writer.
const calendarProdID = "-//leaseline//IDC visits//EN"

// icalLocal is a DATE-TIME in local time (with a TZID parameter).
const icalLocal = "20060102T150405"

// renderCalendar writes a feed as iCalendar text.
func renderCalendar(p lang.Printer, feed *models.CalendarFeed, now time.Time) (string, error) {
	cal := ics.NewCalendarFor("leaseline")
	cal.SetProductId(calendarProdID)
	cal.SetCalscale("GREGORIAN")
	name := p.T("calendar.feed_name", lang.Args{"Name": feed.Name})
	if feed.Kind == models.CalendarOfAccessPoint {
		name = p.T("calendar.feed_name_ap", lang.Args{"Name": feed.Name})
	}
	cal.SetName(name)
	cal.SetXWRCalName(name)
	cal.SetRefreshInterval("PT1H")
	cal.SetXPublishedTTL("PT1H")

	// One VTIMEZONE per zone the events use, covering their years, and
	// per zone of the subject's regions (RFC 5545 wants at least one
	// component: a feed without visits still has its zone).
	type span struct{ from, to int }
	zones := map[string]*span{}
	var order []string
	zoneNames := feed.TimeZones
	if len(zoneNames) == 0 && len(feed.Visits) == 0 {
		zoneNames = []string{"UTC"}
	}
	for _, tz := range zoneNames {
		if zones[tz] == nil {
			zones[tz] = &span{now.Year(), now.Year()}
			order = append(order, tz)
		}
	}
	for _, v := range feed.Visits {
		d, err := models.ParseDate(v.Date)
		if err != nil {
			continue
		}
		y := d.Year
		s := zones[v.TimeZone]
		if s == nil {
			zones[v.TimeZone] = &span{y, y}
			order = append(order, v.TimeZone)
			continue
		}
		s.from, s.to = min(s.from, y), max(s.to, y)
	}
	locs := map[string]*time.Location{}
	for _, tz := range order {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return "", fmt.Errorf("time zone %q: %w", tz, err)
		}
		locs[tz] = loc
		addTimezone(cal, tz, loc, zones[tz].from, zones[tz].to)
	}
	for _, v := range feed.Visits {
		loc := locs[v.TimeZone]
		if loc == nil {
			continue // a date that does not parse: no event rather than a wrong one
		}
		addVisitEvent(cal, p, v, loc)
	}
	var b strings.Builder
	if err := cal.SerializeTo(&b, ics.WithNewLineWindows); err != nil {
		return "", fmt.Errorf("write iCalendar: %w", err)
	}
	return b.String(), nil
}

// addVisitEvent adds one visit as a VEVENT.
func addVisitEvent(cal *ics.Calendar, p lang.Printer, v models.CalendarVisit, loc *time.Location) {
	d, _ := models.ParseDate(v.Date) // parsed when its zone was collected
	ev := cal.AddEvent(fmt.Sprintf("visit-%d@leaseline", v.VisitID))
	// Without METHOD, DTSTAMP is when the event last changed (RFC 5545
	// 3.8.7.2): the same feed fetched twice is the same text.
	ev.SetDtStampTime(v.UpdatedAt)
	ev.SetCreatedTime(v.CreatedAt)
	ev.SetModifiedAt(v.UpdatedAt)
	ev.SetSequence(v.Sequence)
	if start, end, ok := visitWindow(d, v.Window, loc); ok {
		ev.SetProperty(ics.ComponentPropertyDtStart, start.Format(icalLocal), ics.WithTZID(v.TimeZone))
		ev.SetProperty(ics.ComponentPropertyDtEnd, end.Format(icalLocal), ics.WithTZID(v.TimeZone))
	} else {
		day := d.In(loc, 0, 0)
		ev.SetAllDayStartAt(day)
		ev.SetAllDayEndAt(day.AddDate(0, 0, 1))
	}
	args := lang.Args{"Connection": v.Connection, "IDC": idcName(v)}
	if v.Removal {
		ev.SetSummary(p.N("calendar.summary_removal", v.Visitors, args))
	} else {
		ev.SetSummary(p.N("calendar.summary", v.Visitors, args))
	}
	location := v.IDCAddress
	if location == "" {
		location = idcName(v)
	}
	ev.SetLocation(location)
	desc := []string{
		p.T("calendar.desc_idc", lang.Args{"IDC": idcName(v), "AccessPoint": v.AccessPointName}),
		p.T("calendar.desc_connection", lang.Args{"Connection": v.Connection}),
		p.N("calendar.desc_visitors", v.Visitors),
		p.T("calendar.desc_window", lang.Args{"Window": v.Window, "Zone": v.TimeZone}),
	}
	switch v.State {
	case models.VisitCanceled:
		ev.SetStatus(ics.ObjectStatusCancelled)
		desc = append(desc, p.T("calendar.desc_canceled"))
	case models.VisitDone:
		ev.SetStatus(ics.ObjectStatusConfirmed)
		desc = append(desc, p.T("calendar.desc_done"))
	default:
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	ev.SetDescription(strings.Join(desc, "\n"))
}

func idcName(v models.CalendarVisit) string {
	if v.IDCName != "" {
		return v.IDCName
	}
	return v.AccessPointName
}

// visitWindow is a visit's start and end on day d in loc, from a window
// such as "09:30-12:00"; ok is false for a window that does not read so.
func visitWindow(d models.Date, window string, loc *time.Location) (start, end time.Time, ok bool) {
	from, to, found := strings.Cut(window, "-")
	if !found {
		return start, end, false
	}
	at := func(hm string) (time.Time, bool) {
		t, err := time.Parse("15:04", strings.TrimSpace(hm))
		if err != nil {
			return time.Time{}, false
		}
		return d.In(loc, t.Hour(), t.Minute()), true
	}
	start, ok1 := at(from)
	end, ok2 := at(to)
	if !ok1 || !ok2 || !end.After(start) {
		return start, end, false
	}
	return start, end, true
}

// addTimezone adds the VTIMEZONE of loc for the years from..to: the
// observance in force on 1 January of from, then one observance per
// offset change up to the end of to (none for a zone without daylight
// saving, such as Asia/Shanghai: one STANDARD at +0800).
func addTimezone(cal *ics.Calendar, tzid string, loc *time.Location, from, to int) {
	tz := cal.AddTimezone(tzid)
	start := time.Date(from, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(to+1, 1, 1, 0, 0, 0, 0, loc)
	_, off := start.Zone()
	addObservance(tz, start, off, start)
	for day := start; day.Before(end); {
		next := day.Add(24 * time.Hour)
		if _, o := next.Zone(); o != off {
			// Find the instant of the change to the second.
			lo, hi := day, next
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2)
				if _, mo := mid.Zone(); mo == off {
					lo = mid
				} else {
					hi = mid
				}
			}
			addObservance(tz, hi, off, hi)
			_, off = hi.Zone()
		}
		day = next
	}
}

// addObservance adds the STANDARD or DAYLIGHT observance that starts at
// instant at (its DTSTART is the wall clock just before, in the offset
// then in force, fromOff), with the offset and name of t.
func addObservance(tz *ics.VTimezone, at time.Time, fromOff int, t time.Time) {
	name, toOff := t.Zone()
	base := ics.ComponentBase{}
	base.SetProperty(ics.ComponentPropertyDtStart, at.In(time.FixedZone("", fromOff)).Format(icalLocal))
	base.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(fromOff))
	base.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(toOff))
	if name != "" && !strings.ContainsAny(name, "+-") {
		base.SetProperty(ics.ComponentProperty(ics.PropertyTzname), name)
	}
	if t.IsDST() {
		tz.Components = append(tz.Components, &ics.Daylight{ComponentBase: base})
		return
	}
	tz.Components = append(tz.Components, &ics.Standard{ComponentBase: base})
}

// utcOffset writes an offset in seconds as iCalendar's UTC-OFFSET
// (+0800, -0330, +053328).
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}
