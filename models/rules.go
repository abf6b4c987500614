package models

import (
	"crypto/rand"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PortType is the type of an access port.
type PortType string

// The port types the cloud offers.
const (
	Port100BaseT   PortType = "100Base-T"
	Port1000BaseT  PortType = "1000Base-T"
	Port1000BaseLX PortType = "1000Base-LX"
	Port10GBaseT   PortType = "10GBase-T"
	Port10GBaseLR  PortType = "10GBase-LR"
	Port40GBaseLR  PortType = "40GBase-LR"
	Port100GBaseLR PortType = "100GBase-LR"
)

// PortTypes lists every supported port type, slowest first.
var PortTypes = []PortType{Port100BaseT, Port1000BaseT, Port1000BaseLX, Port10GBaseT, Port10GBaseLR, Port40GBaseLR, Port100GBaseLR}

// UnsupportedPortTypes are the interfaces physical connections never support.
var UnsupportedPortTypes = []string{"SDH 155M CPOS", "V.35", "G.703"}

// Bandwidth limits of any connection, in Mbps.
const (
	MinBandwidthMbps = 50
	MaxBandwidthMbps = 10000
)

// CapacityMbps is the most bandwidth the port type carries, within the
// product's overall limit.
func (p PortType) CapacityMbps() int {
	var c int
	switch p {
	case Port100BaseT:
		c = 100
	case Port1000BaseT, Port1000BaseLX:
		c = 1000
	default:
		c = MaxBandwidthMbps
	}
	return min(c, MaxBandwidthMbps)
}

// ParsePortType reads a port type as a user or a catalog writes it,
// ignoring case and spaces. It refuses the unsupported interfaces by name.
func ParsePortType(s string) (PortType, error) {
	norm := func(x string) string {
		return strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(x, "_", " ")), ""))
	}
	n := norm(s)
	for _, bad := range UnsupportedPortTypes {
		if n == norm(bad) || n == strings.ReplaceAll(norm(bad), ".", "") || strings.Contains(n, "cpos") {
			return "", &RuleError{Field: FieldPortType, Rule: "unsupported-interface", Message: fmt.Sprintf(
				"%s is not supported: physical connections do not support SDH 155M CPOS, V.35 or G.703 interfaces. Choose one of %s.",
				strings.TrimSpace(s), joinPortTypes(PortTypes)),
				Args: map[string]any{"Input": strings.TrimSpace(s), "PortTypes": joinPortTypes(PortTypes)}}
		}
	}
	for _, p := range PortTypes {
		if n == norm(string(p)) {
			return p, nil
		}
	}
	return "", &RuleError{Field: FieldPortType, Rule: "unknown-port-type", Message: fmt.Sprintf(
		"%q is not a port type. Choose one of %s.", strings.TrimSpace(s), joinPortTypes(PortTypes)),
		Args: map[string]any{"Input": strconv.Quote(strings.TrimSpace(s)), "PortTypes": joinPortTypes(PortTypes)}}
}

func joinPortTypes(ps []PortType) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

// Field labels of the apply form ("Apply for New Interface"), fixed by the product.
const (
	FieldName        = "Name"
	FieldAccessPoint = "Access Point"
	FieldProvider    = "Service Provider"
	FieldPortType    = "Port Type"
	FieldBandwidth   = "Bandwidth"
	FieldLocation    = "Location"
	FieldRedundancy  = "Redundancy"
)

// Application is what the customer fills in the apply form.
type Application struct {
	Name          string
	AccessPointID string
	ProviderID    string
	PortType      PortType
	BandwidthMbps int
	Location      string
	RedundantID   *int64
}

// ParseBandwidth reads a bandwidth such as "200", "200 Mbps" or "1 Gbps" and
// returns Mbps.
func ParseBandwidth(s string) (int, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1
	switch {
	case strings.HasSuffix(t, "gbps"), strings.HasSuffix(t, "g"):
		mult = 1000
		t = strings.TrimSuffix(strings.TrimSuffix(t, "gbps"), "g")
	case strings.HasSuffix(t, "mbps"), strings.HasSuffix(t, "m"):
		t = strings.TrimSuffix(strings.TrimSuffix(t, "mbps"), "m")
	}
	n, err := strconv.Atoi(strings.TrimSpace(t))
	// n > MaxInt/mult: "1494186269970473681g" must not wrap around to 104 Mbps.
	if err != nil || n <= 0 || n > math.MaxInt/mult {
		return 0, &RuleError{Field: FieldBandwidth, Rule: "bandwidth-number", Message: fmt.Sprintf(
			"%q is not a bandwidth. Enter a whole number of Mbps from %d to %d, e.g. 200.", strings.TrimSpace(s), MinBandwidthMbps, MaxBandwidthMbps),
			Args: map[string]any{"Input": strconv.Quote(strings.TrimSpace(s)), "Min": MinBandwidthMbps, "Max": MaxBandwidthMbps}}
	}
	return n * mult, nil
}

// ApplyContext is what the rules of an application need to know beyond the
// form: the chosen access point, the providers, the redundancy target and the
// account's open connections. The store fills it in one transaction.
type ApplyContext struct {
	AccountID   int64
	AccessPoint *AccessPoint        // nil when the ID names none
	Providers   map[string]Provider // every provider, by ID
	// Redundant is the connection named in Redundancy (nil if none or not found).
	Redundant *Connection
	// RedundantRegion is the region of the redundant connection's access point.
	RedundantRegion string
	// RedundantPaired reports whether the redundant target already has a partner.
	RedundantPaired bool
	// Open is the number of the account's connections short of Enabled.
	Open    int
	MaxOpen int
}

// DefaultMaxOpen is how many connections of one account may be short of
// Enabled at once.
const DefaultMaxOpen = 5

// Validate checks an application against every rule and returns all broken
// ones, each naming its field and saying what to fix.
func (a Application) Validate(c ApplyContext) RuleErrors {
	var errs RuleErrors
	// args name the values the message says (RuleError.Args).
	add := func(field, rule string, args map[string]any, format string, fmtArgs ...any) {
		errs = append(errs, &RuleError{Field: field, Rule: rule, Message: fmt.Sprintf(format, fmtArgs...), Args: args})
	}
	name := strings.TrimSpace(a.Name)
	if n := utf8.RuneCountInString(name); n < 2 || n > 128 {
		add(FieldName, "name-length", map[string]any{"Count": n}, "Enter a name of 2 to 128 characters (this one has %d).", n)
	}
	if strings.TrimSpace(a.Location) == "" {
		add(FieldLocation, "location-required", nil, "Enter the location of your local IDC (address or building).")
	} else if utf8.RuneCountInString(a.Location) > 256 {
		add(FieldLocation, "location-length", map[string]any{"Max": 256}, "Shorten the location to 256 characters at most.")
	}
	ap := c.AccessPoint
	switch {
	case ap == nil:
		add(FieldAccessPoint, "access-point-unknown", map[string]any{"Input": ""}, "Choose an access point from the list.")
	case !ap.Status.Open():
		add(FieldAccessPoint, "access-point-closed", map[string]any{"AccessPoint": ap.Name, "Status": ap.Status}, "%s is %s and takes no new applications. Choose another access point in the region.", ap.Name, ap.Status)
	}
	if ap != nil {
		allowed := make([]string, 0, len(ap.Providers))
		var ok bool
		for _, p := range ap.Providers {
			allowed = append(allowed, providerName(c.Providers, p.ProviderID))
			ok = ok || p.ProviderID == a.ProviderID
		}
		if !ok {
			add(FieldProvider, "provider-not-allowed", map[string]any{"Provider": providerName(c.Providers, a.ProviderID), "AccessPoint": ap.Name, "Allowed": strings.Join(allowed, ", ")}, "%s is not allowed at %s. Allowed service providers: %s.",
				providerName(c.Providers, a.ProviderID), ap.Name, strings.Join(allowed, ", "))
		}
		if a.PortType != "" {
			offer, found := ap.Offer(a.PortType)
			switch {
			case !found:
				add(FieldPortType, "port-type-not-offered", map[string]any{"PortType": string(a.PortType), "AccessPoint": ap.Name, "Offered": joinPortTypes(ap.OfferedTypes())}, "%s is not offered at %s. Offered port types: %s.", a.PortType, ap.Name, joinPortTypes(ap.OfferedTypes()))
			case a.BandwidthMbps < offer.MinMbps || a.BandwidthMbps > offer.MaxMbps:
				add(FieldBandwidth, "bandwidth-range", map[string]any{"PortType": string(a.PortType), "AccessPoint": ap.Name, "Min": offer.MinMbps, "Max": offer.MaxMbps}, "%s at %s carries %d to %d Mbps; enter a bandwidth in that range.", a.PortType, ap.Name, offer.MinMbps, offer.MaxMbps)
			}
		}
	}
	if a.PortType == "" {
		add(FieldPortType, "port-type-required", nil, "Choose a port type.")
	}
	if (a.BandwidthMbps < MinBandwidthMbps || a.BandwidthMbps > MaxBandwidthMbps) && !errs.has("bandwidth-range") {
		add(FieldBandwidth, "bandwidth-limits", map[string]any{"Min": MinBandwidthMbps, "Max": MaxBandwidthMbps}, "Enter a bandwidth from %d to %d Mbps.", MinBandwidthMbps, MaxBandwidthMbps)
	} else if a.PortType != "" && a.BandwidthMbps > a.PortType.CapacityMbps() && !errs.has("bandwidth-range") {
		add(FieldBandwidth, "bandwidth-port-capacity", map[string]any{"PortType": string(a.PortType), "Max": a.PortType.CapacityMbps()}, "%s carries at most %d Mbps; choose a faster port type or a lower bandwidth.", a.PortType, a.PortType.CapacityMbps())
	}
	if a.RedundantID != nil {
		r := c.Redundant
		switch {
		case r == nil || r.AccountID != c.AccountID:
			add(FieldRedundancy, "redundancy-unknown", map[string]any{"Listed": false}, "The redundant connection must be one of your own connections.")
		case ap != nil && c.RedundantRegion != ap.RegionID:
			add(FieldRedundancy, "redundancy-region", map[string]any{"Connection": r.DisplayID(), "Region": c.RedundantRegion, "Want": ap.RegionID, "AccessPoint": ap.Name}, "The redundant connection %s is in region %s; choose one in %s, the region of %s.", r.DisplayID(), c.RedundantRegion, ap.RegionID, ap.Name)
		case !r.Status.HasPort():
			add(FieldRedundancy, "redundancy-no-port", map[string]any{"Connection": r.DisplayID(), "Status": r.Status}, "The redundant connection %s is %s; it must already hold a port (Connecting or later).", r.DisplayID(), r.Status)
		case c.RedundantPaired:
			add(FieldRedundancy, "redundancy-paired", map[string]any{"Connection": r.DisplayID()}, "The connection %s is already the redundant pair of another connection; choose another.", r.DisplayID())
		}
	}
	if c.MaxOpen > 0 && c.Open >= c.MaxOpen {
		add("", "open-limit", map[string]any{"Open": c.Open, "Max": c.MaxOpen}, "Your account already has %d connections short of Enabled (the limit is %d). Complete or cancel one before applying for another.", c.Open, c.MaxOpen)
	}
	return errs
}

func (es RuleErrors) has(rule string) bool {
	for _, e := range es {
		if e.Rule == rule {
			return true
		}
	}
	return false
}

func providerName(ps map[string]Provider, id string) string {
	if p, ok := ps[id]; ok && p.Name != "" {
		return p.Name
	}
	if id == "" {
		return "(none)"
	}
	return id
}

// Offer returns the access point's offer of port type p.
func (ap *AccessPoint) Offer(p PortType) (PortOffer, bool) {
	for _, o := range ap.PortTypes {
		if o.PortType == p {
			return o, true
		}
	}
	return PortOffer{}, false
}

// OfferedTypes lists the port types offered at the access point, in the
// order of PortTypes.
func (ap *AccessPoint) OfferedTypes() []PortType {
	var out []PortType
	for _, p := range PortTypes {
		if _, ok := ap.Offer(p); ok {
			out = append(out, p)
		}
	}
	return out
}

// Allows reports whether provider id may build lines to the access point.
func (ap *AccessPoint) Allows(id string) bool {
	for _, p := range ap.Providers {
		if p.ProviderID == id {
			return true
		}
	}
	return false
}

// ApplicationRef is how an application is named before it has a physical
// connection ID, e.g. "#42".
func ApplicationRef(id int64) string { return "#" + strconv.FormatInt(id, 10) }

var pcIDPattern = regexp.MustCompile(`^pc-[0-9a-z]{8,32}$`)

// IsPhysicalConnectionID reports whether s looks like a physical connection ID.
func IsPhysicalConnectionID(s string) bool { return pcIDPattern.MatchString(s) }

// NewPhysicalConnectionID returns "pc-" and 26 random lowercase
// alphanumerics (crypto/rand.Text: 128 bits of randomness).
func NewPhysicalConnectionID() string { return "pc-" + strings.ToLower(rand.Text()) }

// MaskID masks an identity document number for display, keeping the last
// four characters: "110101199003071234" -> "**************1234".
func MaskID(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}

// FormatMoney formats cents as "CNY 3,000.00".
func FormatMoney(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	units := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s %s%s.%02d", currency, sign, b.String(), cents%100)
}
