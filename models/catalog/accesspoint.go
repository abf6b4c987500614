package catalog

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/leaseline/leaseline/models"
)

// offerInfo remembers where an offer was written.
type offerInfo struct {
	node *yaml.Node
	path string
}

func (p *parser) accessPoint(s *state, n *yaml.Node, path string) {
	f := p.mapping(n, path, "id", "region", "name", "name_zh", "location", "location_zh", "idc", "status", "providers",
		"daily_visit_capacity", "visit_window", "low_water", "lockdowns", "port_types", "devices", "reception")
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
	ap.NameZh, _ = f.str("name_zh", false)
	ap.Location, _ = f.str("location", true)
	ap.LocationZh, _ = f.str("location_zh", false)
	if idc := f.get("idc"); idc != nil {
		if g := p.mapping(idc, join(path, "idc"), "name", "address", "name_zh", "address_zh"); g != nil {
			ap.IDCName, _ = g.str("name", true)
			ap.IDCNameZh, _ = g.str("name_zh", false)
			ap.IDCAddress, _ = g.str("address", true)
			ap.IDCAddressZh, _ = g.str("address_zh", false)
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
	lowWater, lwNode, ok := f.integer("low_water", models.DefaultLowWater, false)
	if ok && (lowWater < 0 || lowWater > 1024) {
		p.errorf(lwNode, join(path, "low_water"), "%d is out of range: staff are alerted when the free ports of a type fall to this number, 0 to 1024", lowWater)
	}
	ap.LowWater = lowWater
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
	f := p.mapping(n, path, "type", "min_mbps", "max_mbps", "price", "currency", "mbps_price")
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
	if mp, node := f.str("mbps_price", false); node != nil && mp != "" {
		cents, msg := parsePrice(mp)
		if msg != "" {
			p.errorf(node, join(path, "mbps_price"), "%s", msg)
		}
		o.MbpsPriceCents = cents
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
