package catalog

import (
	_ "embed" // the built-in sample catalog
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // region time zones load even where the system has no zoneinfo

	"go.yaml.in/yaml/v3"

	"github.com/leaseline/leaseline/models"
)

//go:embed sample.yaml
var sample string

// Sample returns the built-in sample catalog (a fresh copy), loaded on an
// empty database so that a first run works at once. deploy/catalog.sample.yaml
// is the same file.
func Sample() []byte { return []byte(sample) }

// Limits that keep a hostile or broken file from exhausting memory.
const (
	maxFileBytes  = 16 << 20 // 16 MiB
	maxNodes      = 2_000_000
	maxAliasChain = 64
	maxRangeDays  = 366  // a from..to range of calendar days
	maxPortRange  = 1024 // ports in one "NAME1-N" range
	maxIDLength   = 64
)

// Load reads and parses the catalog file at path.
func Load(path string) (*models.Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	return Parse(data, path)
}

// Parse reads a catalog file (filename is used in messages only) and
// validates it. On any problem it returns nil and an Errors listing every
// problem found, each with its file, line and path.
func Parse(data []byte, filename string) (*models.Catalog, error) {
	if filename == "" {
		filename = "catalog"
	}
	p := &parser{file: filename, budget: maxNodes}
	if len(data) > maxFileBytes {
		p.errorf(nil, "", "the file is %d bytes; a catalog may have at most %d", len(data), maxFileBytes)
		return nil, p.errs
	}
	var doc yaml.Node
	if err := unmarshal(data, &doc); err != nil {
		p.syntaxError(err)
		return nil, p.errs
	}
	c := p.catalog(&doc)
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
		return nil, p.errs
	}
	return c, nil
}

// unmarshal parses YAML, turning a panic of the YAML library into an error:
// a catalog file must never crash the bot.
func unmarshal(data []byte, doc *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: the YAML parser failed: %v", r)
		}
	}()
	return yaml.Unmarshal(data, doc)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError records a YAML syntax error with its line when it has one.
func (p *parser) syntaxError(err error) {
	for msg := range strings.SplitSeq(err.Error(), "\n") {
		msg = strings.TrimSpace(msg)
		if msg == "" || msg == "yaml: unmarshal errors:" {
			continue
		}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			p.errs = append(p.errs, Error{File: p.file, Line: line, Message: "YAML syntax: " + m[2]})
			continue
		}
		p.errs = append(p.errs, Error{File: p.file, Message: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")})
	}
	if len(p.errs) == 0 {
		p.errs = append(p.errs, Error{File: p.file, Message: "YAML syntax: " + err.Error()})
	}
}

var (
	idPattern       = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$`)
	channelPattern  = regexp.MustCompile(`^[CG][A-Z0-9]{8,20}$`)
	userPattern     = regexp.MustCompile(`^[UW][A-Z0-9]{8,20}$`)
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
	windowPattern   = regexp.MustCompile(`^(\d{2}):(\d{2})-(\d{2}):(\d{2})$`)
	pricePattern    = regexp.MustCompile(`^(\d{1,15})(?:\.(\d+))?$`)
	rangePattern    = regexp.MustCompile(`^(.*?)(\d+)-(\d+)$`)
)

// Defaults of optional keys.
const (
	defaultWeekend     = "Sat,Sun"
	defaultVisitWindow = "09:00-17:00"
	defaultMinMbps     = models.MinBandwidthMbps
)

// state is what the walk has learnt so far, for cross-references.
type state struct {
	c          models.Catalog
	regionLine map[string]int // region id -> line of its id
	regionAPs  map[string]int // region id -> access points
	providers  map[string]int // provider id -> line
	devices    map[string]int // device id -> line
	aps        map[string]int // access point id -> line
}

// catalog walks the document.
func (p *parser) catalog(doc *yaml.Node) *models.Catalog {
	root := doc
	if doc.Kind == 0 || doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			p.errorf(nil, "", "the catalog is empty: want the keys regions, providers and access_points")
			return nil
		}
		root = doc.Content[0]
	}
	if r := p.resolve(root); r != nil && isNull(r) {
		p.errorf(r, "", "the catalog is empty: want the keys regions, providers and access_points")
		return nil
	}
	f := p.mapping(root, "", "version", "regions", "providers", "access_points")
	if f == nil {
		return nil
	}
	if v, node, ok := f.integer("version", 1, false); ok && v != 1 {
		p.errorf(node, "version", "version %d is not supported; this leaseline reads version 1", v)
	}
	s := &state{
		regionLine: map[string]int{}, regionAPs: map[string]int{}, providers: map[string]int{},
		devices: map[string]int{}, aps: map[string]int{},
	}
	providerNodes := f.nonEmptyList("providers", "list at least one service provider")
	regionNodes := f.nonEmptyList("regions", "list at least one region")
	apNodes := f.nonEmptyList("access_points", "list at least one access point")
	for i, n := range providerNodes {
		p.provider(s, n, index("providers", i))
	}
	for i, n := range regionNodes {
		p.region(s, n, index("regions", i))
	}
	for i, n := range apNodes {
		p.accessPoint(s, n, index("access_points", i))
	}
	for _, r := range s.c.Regions {
		if s.regionAPs[r.ID] == 0 && len(s.c.AccessPoints) > 0 {
			p.errs = append(p.errs, Error{File: p.file, Line: s.regionLine[r.ID], Path: "regions",
				Message: fmt.Sprintf("region %s has no access point; every region needs at least one (add one, or remove the region)", r.ID)})
		}
	}
	return &s.c
}

// id checks an identifier and its uniqueness in seen.
func (p *parser) id(f *fields, seen map[string]int, what string) (string, bool) {
	id, node := f.str("id", true)
	if node == nil || id == "" {
		return "", false
	}
	ok := true
	if len(id) > maxIDLength || !idPattern.MatchString(id) {
		p.errorf(node, join(f.path, "id"), "%q is not a valid id: use 1 to %d lowercase letters, digits, '.', '_' or '-', starting and ending with a letter or digit", id, maxIDLength)
	}
	if line, dup := seen[id]; dup {
		p.errorf(node, join(f.path, "id"), "duplicate %s id %q (first at line %d)", what, id, line)
		return id, false
	}
	seen[id] = node.Line
	return id, ok
}

func (p *parser) provider(s *state, n *yaml.Node, path string) {
	f := p.mapping(n, path, "id", "kind", "name", "slack_channel", "contacts")
	if f == nil {
		return
	}
	id, _ := p.id(f, s.providers, "provider")
	kindText, kindNode := f.str("kind", true)
	var kind models.ProviderKind
	if kindNode != nil && kindText != "" {
		for _, k := range models.ProviderKinds {
			if strings.EqualFold(kindText, string(k)) {
				kind = k
			}
		}
		if kind == "" {
			p.errorf(kindNode, join(path, "kind"), "%q is not a provider kind; use one of %s", kindText, joinKinds())
		}
	}
	name, _ := f.str("name", true)
	channel, chNode := f.str("slack_channel", false)
	if chNode != nil && channel != "" && !channelPattern.MatchString(channel) {
		p.errorf(chNode, join(path, "slack_channel"), "%q is not a Slack channel ID (C or G followed by 8 to 20 capital letters or digits, e.g. C0123456789)", channel)
	}
	contacts, _ := f.str("contacts", false)
	s.c.Providers = append(s.c.Providers, models.Provider{ID: id, Kind: kind, Name: name, SlackChannel: channel, Contacts: contacts})
}

func joinKinds() string {
	ks := make([]string, len(models.ProviderKinds))
	for i, k := range models.ProviderKinds {
		ks[i] = string(k)
	}
	return strings.Join(ks, ", ")
}

func (p *parser) region(s *state, n *yaml.Node, path string) {
	f := p.mapping(n, path, "id", "name", "time_zone", "weekend", "holidays", "workdays")
	if f == nil {
		return
	}
	id, _ := p.id(f, s.regionLine, "region")
	name, _ := f.str("name", true)
	tz, tzNode := f.str("time_zone", true)
	if tzNode != nil && tz != "" {
		if tz == "Local" {
			p.errorf(tzNode, join(path, "time_zone"), "name an IANA time zone such as Asia/Shanghai; Local depends on the server")
		} else if _, err := time.LoadLocation(tz); err != nil {
			p.errorf(tzNode, join(path, "time_zone"), "%q is not a time zone (want an IANA name such as Asia/Shanghai)", tz)
		}
	}
	weekend, weekendSet := defaultWeekend, map[time.Weekday]bool{time.Saturday: true, time.Sunday: true}
	if wn := f.get("weekend"); wn != nil {
		items := f.list("weekend")
		if wn.Kind == yaml.SequenceNode {
			days, set, ok := p.weekdays(items, join(path, "weekend"))
			switch {
			case !ok:
				weekendSet = nil
			case len(set) == 0:
				p.errorf(wn, join(path, "weekend"), "list at least one day, or leave the key out for [Sat, Sun]")
				weekendSet = nil
			case len(set) == 7:
				p.errorf(wn, join(path, "weekend"), "every day is a weekend day: a region needs workdays")
				weekendSet = nil
			default:
				weekend, weekendSet = days, set
			}
		}
	}
	s.c.Regions = append(s.c.Regions, models.Region{ID: id, Name: name, TimeZone: tz, Weekend: weekend})

	seen := map[models.Date]int{}
	for _, d := range p.days(f, "holidays", seen) {
		s.c.CalendarDays = append(s.c.CalendarDays, models.CalendarDay{RegionID: id, Date: d.date.String(), Kind: models.DayHoliday, Name: d.name})
	}
	for _, d := range p.days(f, "workdays", seen) {
		if weekendSet != nil && !weekendSet[d.date.Weekday()] {
			p.errorf(d.node, d.path, "%s is a %s, already a workday: workdays lists make-up working days on weekend days (%s)", d.date, d.date.Weekday(), strings.ReplaceAll(weekend, ",", ", "))
			continue
		}
		s.c.CalendarDays = append(s.c.CalendarDays, models.CalendarDay{RegionID: id, Date: d.date.String(), Kind: models.DayWorkday, Name: d.name})
	}
}

// weekdayOrder is Monday first, the order canonical lists are written in.
var weekdayOrder = [...]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// weekdays reads a list of day names (Mon or Monday, any case) into the
// canonical "Mon,Tue" form.
func (p *parser) weekdays(items []*yaml.Node, path string) (string, map[time.Weekday]bool, bool) {
	set := map[time.Weekday]bool{}
	ok := true
	for i, n := range items {
		text, node := p.scalar(n, index(path, i))
		if node == nil {
			ok = false
			continue
		}
		wd, valid := parseWeekday(text)
		switch {
		case !valid:
			p.errorf(node, index(path, i), "%q is not a day of the week; use Mon, Tue, Wed, Thu, Fri, Sat, Sun (or the full names)", text)
			ok = false
		case set[wd]:
			p.errorf(node, index(path, i), "%s is listed twice", wd)
			ok = false
		default:
			set[wd] = true
		}
	}
	var names []string
	for _, wd := range weekdayOrder {
		if set[wd] {
			names = append(names, wd.String()[:3])
		}
	}
	return strings.Join(names, ","), set, ok
}

// parseWeekday accepts exactly a three-letter or a full English day name.
func parseWeekday(s string) (time.Weekday, bool) {
	for _, wd := range weekdayOrder {
		if strings.EqualFold(s, wd.String()) || strings.EqualFold(s, wd.String()[:3]) {
			return wd, true
		}
	}
	return 0, false
}

// day is one listed calendar day.
type day struct {
	date models.Date
	name string
	node *yaml.Node
	path string
}

// days reads a list of {date, name} or {from, to, name} entries at key,
// refusing a date already in seen.
func (p *parser) days(f *fields, key string, seen map[models.Date]int) []day {
	var out []day
	for i, n := range f.list(key) {
		path := index(join(f.path, key), i)
		e := p.mapping(n, path, "date", "from", "to", "name")
		if e == nil {
			continue
		}
		name, _ := e.str("name", true)
		var from, to models.Date
		var fromNode *yaml.Node
		switch {
		case e.has("date") && (e.has("from") || e.has("to")):
			p.errorf(e.node, path, "give either date, or from and to, not both")
			continue
		case e.has("date"):
			d, node, ok := p.date(e, "date")
			if !ok {
				continue
			}
			from, to, fromNode = d, d, node
		case e.has("from") || e.has("to"):
			d1, n1, ok1 := p.date(e, "from")
			d2, n2, ok2 := p.date(e, "to")
			if !ok1 || !ok2 {
				continue
			}
			if d2.Before(d1) {
				p.errorf(n2, join(path, "to"), "%s is before from %s", d2, d1)
				continue
			}
			if n := daysBetween(d1, d2) + 1; n > maxRangeDays {
				p.errorf(n2, join(path, "to"), "the range %s to %s has %d days; at most %d are allowed", d1, d2, n, maxRangeDays)
				continue
			}
			from, to, fromNode = d1, d2, n1
		default:
			p.errorf(e.node, path, "give date, or from and to")
			continue
		}
		for d := from; !to.Before(d); d = d.AddDays(1) {
			if line, dup := seen[d]; dup {
				p.errorf(fromNode, path, "%s is already listed at line %d", d, line)
				continue
			}
			seen[d] = fromNode.Line
			out = append(out, day{date: d, name: name, node: fromNode, path: path})
		}
	}
	return out
}

// date reads a YYYY-MM-DD value; a missing one is reported.
func (p *parser) date(f *fields, key string) (models.Date, *yaml.Node, bool) {
	s, node := f.str(key, true)
	if node == nil || s == "" {
		return models.Date{}, nil, false
	}
	d, err := models.ParseDate(s)
	if err != nil || d.Year < 1900 || d.Year > 2999 {
		p.errorf(node, join(f.path, key), "%q is not a valid date (want YYYY-MM-DD, e.g. 2026-10-01)", s)
		return models.Date{}, nil, false
	}
	return d, node, true
}

func daysBetween(a, b models.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Hours() / 24)
}

// offerInfo remembers where an offer was written.
type offerInfo struct {
	node *yaml.Node
	path string
}

func (p *parser) accessPoint(s *state, n *yaml.Node, path string) {
	f := p.mapping(n, path, "id", "region", "name", "location", "idc", "status", "providers",
		"daily_visit_capacity", "visit_window", "lockdowns", "port_types", "devices", "reception")
	if f == nil {
		return
	}
	id, _ := p.id(f, s.aps, "access point")
	ap := models.AccessPoint{ID: id}
	var regionNode *yaml.Node
	ap.RegionID, regionNode = f.str("region", true)
	if regionNode != nil && ap.RegionID != "" {
		if _, ok := s.regionLine[ap.RegionID]; !ok {
			p.errorf(regionNode, join(path, "region"), "no region has the id %q (regions: %s)", ap.RegionID, strings.Join(regionIDs(s), ", "))
		}
		s.regionAPs[ap.RegionID]++
	}
	ap.Name, _ = f.str("name", true)
	ap.Location, _ = f.str("location", true)
	if idc := f.get("idc"); idc != nil {
		if g := p.mapping(idc, join(path, "idc"), "name", "address"); g != nil {
			ap.IDCName, _ = g.str("name", true)
			ap.IDCAddress, _ = g.str("address", true)
		}
	} else {
		p.errorf(f.node, join(path, "idc"), "required, and missing: give {name, address} of the IDC")
	}
	status, statusNode := f.str("status", true)
	if statusNode != nil && status != "" {
		switch st := models.AccessPointStatus(strings.ToLower(status)); st {
		case models.APRecommended, models.APHot, models.APFull, models.APDisabled:
			ap.Status = st
		default:
			p.errorf(statusNode, join(path, "status"), "%q is not an access point status; use recommended, hot, full or disabled", status)
		}
	}
	open := ap.Status.Open()

	// Providers.
	provPath := join(path, "providers")
	provs := f.nonEmptyList("providers", "list at least one allowed service provider id")
	seenProv := map[string]int{}
	for i, pn := range provs {
		pid, node := p.scalar(pn, index(provPath, i))
		if node == nil {
			continue
		}
		if _, ok := s.providers[pid]; !ok {
			p.errorf(node, index(provPath, i), "no provider has the id %q (providers: %s)", pid, strings.Join(providerIDs(s), ", "))
			continue
		}
		if line, dup := seenProv[pid]; dup {
			p.errorf(node, index(provPath, i), "provider %s is already listed at line %d", pid, line)
			continue
		}
		seenProv[pid] = node.Line
		ap.Providers = append(ap.Providers, models.AccessPointProvider{AccessPointID: id, ProviderID: pid})
	}

	// Visits.
	capacity, capNode, ok := f.integer("daily_visit_capacity", 0, true)
	if ok && capacity < 1 {
		p.errorf(capNode, join(path, "daily_visit_capacity"), "%d is too small: the IDC must receive at least 1 visit a day", capacity)
	}
	ap.DailyVisitCapacity = capacity
	ap.VisitWindow = defaultVisitWindow
	if w, node := f.str("visit_window", false); node != nil {
		if msg := checkWindow(w); msg != "" {
			p.errorf(node, join(path, "visit_window"), "%s", msg)
		} else {
			ap.VisitWindow = w
		}
	}
	lockSeen := map[models.Date]int{}
	for _, d := range p.days(f, "lockdowns", lockSeen) {
		s.c.CalendarDays = append(s.c.CalendarDays, models.CalendarDay{RegionID: ap.RegionID, Date: d.date.String(), AccessPointID: id, Kind: models.DayLockDown, Name: d.name})
	}

	// Port types.
	offers := map[models.PortType]offerInfo{}
	ptPath := join(path, "port_types")
	ptItems := f.nonEmptyList("port_types", "list at least one port type offered")
	for i, pn := range ptItems {
		if o, info, ok := p.offer(pn, index(ptPath, i), id, offers); ok {
			offers[o.PortType] = info
			ap.PortTypes = append(ap.PortTypes, o)
		}
	}

	// Devices and their ports.
	portTypesSeen := map[models.PortType]bool{}
	for i, dn := range f.list("devices") {
		p.device(s, dn, index(join(path, "devices"), i), &ap, offers, portTypesSeen)
	}
	if open {
		for _, o := range ap.PortTypes {
			if !portTypesSeen[o.PortType] {
				info := offers[o.PortType]
				p.errorf(info.node, join(info.path, "type"), "%s is offered at %s, which is %s, but no device there has a %s port: payment would find none. Add the ports to a device, or remove the offer", o.PortType, id, ap.Status, o.PortType)
			}
		}
	}

	// Reception.
	recPath := join(path, "reception")
	recItems := f.list("reception")
	if len(recItems) == 0 && open {
		p.errorf(f.node, recPath, "an access point taking applications (status %s) needs at least one reception person to book IDC visits", ap.Status)
	}
	for i, rn := range recItems {
		rp := index(recPath, i)
		g := p.mapping(rn, rp, "name", "phone", "slack_user", "weekdays")
		if g == nil {
			continue
		}
		r := models.ReceptionPerson{AccessPointID: id}
		r.Name, _ = g.str("name", true)
		r.Phone, _ = g.str("phone", true)
		var userNode *yaml.Node
		r.SlackUserID, userNode = g.str("slack_user", false)
		if userNode != nil && r.SlackUserID != "" && !userPattern.MatchString(r.SlackUserID) {
			p.errorf(userNode, join(rp, "slack_user"), "%q is not a Slack user ID (U or W followed by 8 to 20 capital letters or digits, e.g. U0123456789)", r.SlackUserID)
		}
		if wn := g.get("weekdays"); wn != nil {
			if items := g.list("weekdays"); wn.Kind == yaml.SequenceNode {
				days, set, ok := p.weekdays(items, join(rp, "weekdays"))
				if ok && len(set) == 0 {
					p.errorf(wn, join(rp, "weekdays"), "list at least one day, or leave the key out for every day")
				}
				if len(set) < 7 {
					r.Weekdays = days
				}
			}
		}
		s.c.Reception = append(s.c.Reception, r)
	}
	s.c.AccessPoints = append(s.c.AccessPoints, ap)
}

// checkWindow checks "HH:MM-HH:MM" with start before end; "" means fine.
func checkWindow(w string) string {
	m := windowPattern.FindStringSubmatch(w)
	bad := fmt.Sprintf("%q is not a visit window: want HH:MM-HH:MM with the start before the end, e.g. 09:30-12:00", w)
	if m == nil {
		return bad
	}
	var v [4]int
	for i := range v {
		v[i], _ = strconv.Atoi(m[i+1])
	}
	if v[0] > 23 || v[2] > 23 || v[1] > 59 || v[3] > 59 || v[0]*60+v[1] >= v[2]*60+v[3] {
		return bad
	}
	return ""
}

// offer reads one port_types entry.
func (p *parser) offer(n *yaml.Node, path, apID string, offers map[models.PortType]offerInfo) (models.PortOffer, offerInfo, bool) {
	f := p.mapping(n, path, "type", "min_mbps", "max_mbps", "price", "currency")
	if f == nil {
		return models.PortOffer{}, offerInfo{}, false
	}
	o := models.PortOffer{AccessPointID: apID}
	typeOK := false
	text, typeNode := f.str("type", true)
	if typeNode != nil && text != "" {
		pt, err := models.ParsePortType(text)
		switch prev, dup := offers[pt]; {
		case err != nil:
			p.errorf(typeNode, join(path, "type"), "%s", ruleMessage(err))
		case dup:
			p.errorf(typeNode, join(path, "type"), "%s is already offered at line %d", pt, prev.node.Line)
		default:
			typeOK = true
		}
		o.PortType = pt
	}
	capacity := models.MaxBandwidthMbps
	if o.PortType != "" {
		capacity = o.PortType.CapacityMbps()
	}
	what := "bandwidth"
	if o.PortType != "" {
		what = string(o.PortType)
	}
	minMbps, minNode, okMin := f.integer("min_mbps", defaultMinMbps, false)
	maxMbps, maxNode, okMax := f.integer("max_mbps", capacity, false)
	if okMin && (minMbps < models.MinBandwidthMbps || minMbps > capacity) {
		p.errorf(minNode, join(path, "min_mbps"), "%d is out of range: %s carries %d to %d Mbps", minMbps, what, models.MinBandwidthMbps, capacity)
	}
	if okMax && (maxMbps < models.MinBandwidthMbps || maxMbps > capacity) {
		p.errorf(maxNode, join(path, "max_mbps"), "%d is out of range: %s carries %d to %d Mbps", maxMbps, what, models.MinBandwidthMbps, capacity)
	} else if okMin && okMax && minMbps > maxMbps {
		p.errorf(maxNode, join(path, "max_mbps"), "%d is less than min_mbps %d", maxMbps, minMbps)
	}
	o.MinMbps, o.MaxMbps = minMbps, maxMbps
	priceText, priceNode := f.str("price", true)
	if priceNode != nil && priceText != "" {
		cents, msg := parsePrice(priceText)
		if msg != "" {
			p.errorf(priceNode, join(path, "price"), "%s", msg)
		}
		o.PriceCents = cents
	}
	cur, curNode := f.str("currency", true)
	if curNode != nil && cur != "" && !currencyPattern.MatchString(cur) {
		p.errorf(curNode, join(path, "currency"), "%q is not a currency code: want three capital letters (ISO 4217), e.g. CNY, USD, SGD", cur)
	}
	o.Currency = cur
	// The offer is kept when its type is sound, even if another key is
	// wrong, so that the device ports of that type are not reported too.
	return o, offerInfo{node: typeNode, path: path}, typeOK
}

// ruleMessage is the message of a models.RuleError, or the error text.
func ruleMessage(err error) string {
	var re *models.RuleError
	if errors.As(err, &re) {
		return re.Message
	}
	return err.Error()
}

// parsePrice reads a decimal amount such as "3000", "3000.5" or "3000.00"
// into cents without going through floating point; msg says what is wrong.
func parsePrice(s string) (cents int64, msg string) {
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Sprintf("%s is negative: a price is 0 or more", s)
	}
	m := pricePattern.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Sprintf("%q is not a price: write a decimal number with at most 2 decimals, e.g. 3000.00", s)
	}
	if len(m[2]) > 2 {
		return 0, fmt.Sprintf("%s has %d decimals: a price has at most 2 (cents)", s, len(m[2]))
	}
	whole, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, fmt.Sprintf("%s is too large", s)
	}
	frac := m[2] + strings.Repeat("0", 2-len(m[2]))
	f, _ := strconv.ParseInt(frac, 10, 64)
	return whole*100 + f, ""
}

// device reads one device and its ports.
func (p *parser) device(s *state, n *yaml.Node, path string, ap *models.AccessPoint, offers map[models.PortType]offerInfo, seenTypes map[models.PortType]bool) {
	f := p.mapping(n, path, "id", "name", "ports")
	if f == nil {
		return
	}
	id, _ := p.id(f, s.devices, "device")
	name, _ := f.str("name", false)
	if name == "" {
		name = id
	}
	s.c.Devices = append(s.c.Devices, models.Device{ID: id, AccessPointID: ap.ID, Name: name})
	portsPath := join(path, "ports")
	items := f.nonEmptyList("ports", "list the device's ports")
	names := map[string]int{}
	for i, pn := range items {
		pp := index(portsPath, i)
		pn = p.resolve(pn)
		if pn == nil {
			continue
		}
		var nameText, typeText, stateText string
		var nameNode, typeNode, stateNode *yaml.Node
		switch {
		case pn.Kind == yaml.ScalarNode && !isNull(pn):
			k := strings.LastIndex(pn.Value, ":")
			if k < 0 {
				p.errorf(pn, pp, "%q: want \"NAME: TYPE\" (NAME may end in a range, e.g. \"GigabitEthernet1/0/1-24: 1000Base-LX\") or {name, type, state}", pn.Value)
				continue
			}
			nameText, typeText = strings.TrimSpace(pn.Value[:k]), strings.TrimSpace(pn.Value[k+1:])
			nameNode, typeNode = pn, pn
		case pn.Kind == yaml.MappingNode && len(pn.Content) == 2 && !slices.Contains([]string{"name", "type", "state"}, pn.Content[0].Value):
			p.errorf(pn, pp, "a port is a quoted string \"NAME: TYPE\" or a mapping {name, type, state}; quote it: \"%s: %s\"", pn.Content[0].Value, pn.Content[1].Value)
			continue
		default:
			g := p.mapping(pn, pp, "name", "type", "state")
			if g == nil {
				continue
			}
			nameText, nameNode = g.str("name", true)
			typeText, typeNode = g.str("type", true)
			stateText, stateNode = g.str("state", false)
			if nameNode == nil || typeNode == nil {
				continue
			}
		}
		portState := models.PortFree
		if stateNode != nil {
			switch strings.ToLower(stateText) {
			case "free":
			case "down":
				portState = models.PortDown
			default:
				p.errorf(stateNode, join(pp, "state"), "%q is not a port state here: use free (the default) or down; the bot allocates ports itself", stateText)
				continue
			}
		}
		if nameText == "" {
			p.errorf(nameNode, pp, "the port name is empty")
			continue
		}
		pt, err := models.ParsePortType(typeText)
		if err != nil {
			p.errorf(typeNode, pp, "%s", ruleMessage(err))
			continue
		}
		if _, offered := offers[pt]; !offered {
			p.errorf(typeNode, pp, "%s is not offered at %s (its port_types: %s); list it in port_types first or fix the port", pt, ap.ID, offeredList(ap))
			continue
		}
		portNames, msg := expand(nameText)
		if msg != "" {
			p.errorf(nameNode, pp, "%s", msg)
			continue
		}
		if portState == models.PortFree {
			seenTypes[pt] = true
		}
		for _, pnName := range portNames {
			if line, dup := names[pnName]; dup {
				p.errorf(nameNode, pp, "port %s is already listed on device %s at line %d", pnName, id, line)
				continue
			}
			names[pnName] = nameNode.Line
			s.c.Ports = append(s.c.Ports, models.Port{DeviceID: id, Name: pnName, AccessPointID: ap.ID, PortType: pt, State: portState})
		}
	}
}

func offeredList(ap *models.AccessPoint) string {
	if len(ap.PortTypes) == 0 {
		return "none"
	}
	ts := make([]string, len(ap.PortTypes))
	for i, o := range ap.PortTypes {
		ts[i] = string(o.PortType)
	}
	return strings.Join(ts, ", ")
}

// expand turns "GigabitEthernet1/0/1-24" into its 24 names; a name without
// a trailing range is returned as is. Leading zeros set the width.
func expand(name string) ([]string, string) {
	m := rangePattern.FindStringSubmatch(name)
	if m == nil {
		return []string{name}, ""
	}
	lo, err1 := strconv.Atoi(m[2])
	hi, err2 := strconv.Atoi(m[3])
	if err1 != nil || err2 != nil || lo > hi {
		return nil, fmt.Sprintf("%q: the range %s-%s must go up, e.g. 1-24", name, m[2], m[3])
	}
	if hi-lo+1 > maxPortRange {
		return nil, fmt.Sprintf("%q: the range has %d ports; at most %d are allowed in one entry", name, hi-lo+1, maxPortRange)
	}
	width := 0
	if len(m[2]) > 1 && m[2][0] == '0' {
		width = len(m[2])
	}
	out := make([]string, 0, hi-lo+1)
	for i := lo; i <= hi; i++ {
		out = append(out, fmt.Sprintf("%s%0*d", m[1], width, i))
	}
	return out, ""
}

func regionIDs(s *state) []string {
	ids := make([]string, 0, len(s.c.Regions))
	for _, r := range s.c.Regions {
		ids = append(ids, r.ID)
	}
	return ids
}

func providerIDs(s *state) []string {
	ids := make([]string, 0, len(s.c.Providers))
	for _, pr := range s.c.Providers {
		ids = append(ids, pr.ID)
	}
	return ids
}
