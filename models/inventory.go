package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultLowWater is an access point's low-water mark when the catalog
// gives none: staff are alerted when the free ports of a type fall to it.
const DefaultLowWater = 2

// NoticeLowPorts tells staff that the free ports of a type at an access
// point fell to its low-water mark (Data: LowPortsNoticeData).
const NoticeLowPorts NoticeKind = "low_ports"

// LowPortsNoticeData is the Data of a low_ports notice.
type LowPortsNoticeData struct {
	AccessPointID string `json:"access_point_id"`
	AccessPoint   string `json:"access_point"` // its name
	// AccessPointZh is its name in Simplified Chinese ("" when none).
	AccessPointZh string   `json:"access_point_zh,omitempty"`
	PortType      PortType `json:"port_type"`
	Free          int      `json:"free"`
	InUse         int      `json:"in_use"`
	LowWater      int      `json:"low_water"`
}

// PortCount is how many ports of one device and type at an access point
// are in one state: the rows the inventory is summed from.
type PortCount struct {
	AccessPointID string
	DeviceID      string
	PortType      PortType
	State         PortState
	N             int
}

// DeviceFree is how many free ports of a type a device has.
type DeviceFree struct {
	DeviceID string
	Free     int
}

// PortStock is the inventory of one port type at one access point. A port
// is in use while it is allocated to a connection and free when payment
// could allocate it: a port given back counts free at once. Down ports are
// neither; Total counts them.
type PortStock struct {
	AccessPointID string
	PortType      PortType
	Total         int
	InUse         int
	Free          int
	Down          int
	// FreeByDevice lists every device with a port of the type, in device
	// order, with its free ports (possibly none).
	FreeByDevice []DeviceFree
}

// Stock sums port counts into one PortStock per access point and port
// type, ordered by access point then port type.
func Stock(counts []PortCount) []PortStock {
	type key struct {
		ap string
		pt PortType
	}
	idx := map[key]int{}
	var out []PortStock
	for _, c := range counts {
		k := key{c.AccessPointID, c.PortType}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, PortStock{AccessPointID: c.AccessPointID, PortType: c.PortType})
		}
		st := &out[i]
		st.Total += c.N
		free := 0
		switch c.State {
		case PortAllocated:
			st.InUse += c.N
		case PortFree:
			st.Free += c.N
			free = c.N
		default:
			st.Down += c.N
		}
		j := slices.IndexFunc(st.FreeByDevice, func(d DeviceFree) bool { return d.DeviceID == c.DeviceID })
		if j < 0 {
			st.FreeByDevice = append(st.FreeByDevice, DeviceFree{DeviceID: c.DeviceID})
			j = len(st.FreeByDevice) - 1
		}
		st.FreeByDevice[j].Free += free
	}
	for i := range out {
		slices.SortFunc(out[i].FreeByDevice, func(a, b DeviceFree) int { return strings.Compare(a.DeviceID, b.DeviceID) })
	}
	slices.SortFunc(out, func(a, b PortStock) int {
		if c := strings.Compare(a.AccessPointID, b.AccessPointID); c != 0 {
			return c
		}
		return strings.Compare(string(a.PortType), string(b.PortType))
	})
	return out
}

// LowWaterChange is what a fresh count of free ports does to the low-water
// alert of one port type at one access point.
type LowWaterChange int

// Low-water changes.
const (
	LowWaterSame  LowWaterChange = iota // nothing to do
	LowWaterAlert                       // fell to the mark: alert staff, once
	LowWaterRearm                       // rose above the mark: the next fall alerts again
)

// LowWater decides, from the free ports counted now, the access point's
// mark and whether staff were alerted already (and not re-armed since),
// what to do: one alert when the count falls to the mark, none again until
// it has risen above it.
func LowWater(free, mark int, alerted bool) LowWaterChange {
	switch {
	case free <= mark && !alerted:
		return LowWaterAlert
	case free > mark && alerted:
		return LowWaterRearm
	}
	return LowWaterSame
}

// EndedListedFor is how long an ended connection (Rejected, Canceled, …)
// stays in lists and App Home after it ended; `list --all` and `show`
// still find it afterwards.
const EndedListedFor = 30 * 24 * time.Hour

// EndedStatuses lists the statuses a connection's life ends in.
func EndedStatuses() []Status { return []Status{StatusRejected, StatusCanceled, StatusTerminated} }

// PortHold is a port a connection holds.
type PortHold struct {
	DeviceID   string
	Port       string
	Connection string // its display ID
	Status     Status
}

// PortsInUseError refuses a catalog that removes ports or devices still in
// use: it names each connection that holds one.
type PortsInUseError struct {
	Holds []PortHold
}

func (e *PortsInUseError) Error() string {
	parts := make([]string, 0, len(e.Holds))
	for _, h := range e.Holds {
		part := fmt.Sprintf("%s %s held by %s", h.DeviceID, h.Port, h.Connection)
		if h.Status != "" {
			part += ", " + string(h.Status)
		}
		parts = append(parts, part)
	}
	return fmt.Sprintf("the catalog removes %d port(s) still in use: %s; keep them (and their devices) in the catalog until the connections end",
		len(e.Holds), strings.Join(parts, "; "))
}
