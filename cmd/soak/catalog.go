package main

import (
	"fmt"
	"strings"
)

// The soak's world: one region with China's 2026 calendar, providers with
// their own channels, access points with enough 1000Base-T ports for every
// journey, and the Slack IDs of staff, accounts and users.
const (
	staffUser    = "USOAKSTAFF1"
	staffChannel = "CSOAKSTAFF01"
	numProviders = 4
	numAPs       = 4
	portType     = "1000Base-T"
	priceYuan    = 2500
)

func providerID(i int) string      { return fmt.Sprintf("soak-ct-%d", i+1) }
func providerChannel(i int) string { return fmt.Sprintf("CSOAKPROV%04d", i+1) }
func providerUser(i int) string    { return fmt.Sprintf("USOAKPROV%04d", i+1) }
func apID(i int) string            { return fmt.Sprintf("ap-soak-%d", i+1) }
func accountName(i int) string     { return fmt.Sprintf("Soak%03d", i+1) }
func accountChannel(i int) string  { return fmt.Sprintf("CSOAKACCT%04d", i+1) }
func customerUser(i int) string    { return fmt.Sprintf("USOAKCUST%04d", i+1) }

// catalogYAML is a catalog with at least ports 1000Base-T ports in all.
func catalogYAML(ports int) string {
	perDevice := min(1024, max(48, (ports*2)/(numAPs*2)+1)) // twice what the journeys take
	var b strings.Builder
	b.WriteString(`version: 1
regions:
  - id: cn-hangzhou
    name: China (Hangzhou)
    time_zone: Asia/Shanghai
    weekend: [Sat, Sun]
    holidays:
      - {from: 2026-01-01, to: 2026-01-03, name: New Year's Day}
      - {from: 2026-02-15, to: 2026-02-23, name: Spring Festival}
      - {from: 2026-04-04, to: 2026-04-06, name: Qingming Festival}
      - {from: 2026-05-01, to: 2026-05-05, name: Labour Day}
      - {from: 2026-06-19, to: 2026-06-21, name: Dragon Boat Festival}
      - {from: 2026-09-25, to: 2026-09-27, name: Mid-Autumn Festival}
      - {from: 2026-10-01, to: 2026-10-07, name: National Day}
    workdays:
      - {date: 2026-01-04, name: New Year's Day make-up workday}
      - {date: 2026-02-14, name: Spring Festival make-up workday}
      - {date: 2026-02-28, name: Spring Festival make-up workday}
      - {date: 2026-05-09, name: Labour Day make-up workday}
      - {date: 2026-09-20, name: National Day make-up workday}
      - {date: 2026-10-10, name: National Day make-up workday}
providers:
`)
	var provs []string
	for i := range numProviders {
		fmt.Fprintf(&b, "  - {id: %s, kind: CT, name: Soak Carrier %d, slack_channel: %s, contacts: \"NOC +86 571 0000 %04d\"}\n",
			providerID(i), i+1, providerChannel(i), i+1)
		provs = append(provs, providerID(i))
	}
	b.WriteString("access_points:\n")
	for i := range numAPs {
		fmt.Fprintf(&b, `  - id: %s
    region: cn-hangzhou
    name: Soak-AP-%d
    location: Yuhang District, Hangzhou, Zhejiang
    idc: {name: Soak IDC %d, address: "Building %d, Soak Data Park, Hangzhou"}
    status: recommended
    providers: [%s]
    daily_visit_capacity: 40
    visit_window: "09:30-12:00"
    port_types:
      - {type: %s, min_mbps: 50, max_mbps: 1000, price: %d.00, currency: CNY}
    devices:
      - id: soak-%d-asw-01
        ports: ["GigabitEthernet1/0/1-%d: %s"]
      - id: soak-%d-asw-02
        ports: ["GigabitEthernet1/0/1-%d: %s"]
    reception:
      - {name: Reception %d, phone: "+86 138 0000 %04d", slack_user: USOAKRECP%04d}
`, apID(i), i+1, i+1, i+1, strings.Join(provs, ", "), portType, priceYuan,
			i+1, perDevice, portType, i+1, perDevice, portType, i+1, i+1, i+1)
	}
	return b.String()
}
