package models

import "fmt"

// Change Bandwidth: the customer of an Enabled line asks for another
// bandwidth within its port type's range; staff approve or reject the
// request as they review an application; on approval the price difference
// the catalog defines (PortOffer.MbpsPriceCents per Mbps) is charged from
// the account's prepaid balance, or refunded. The line stays Enabled.

// Staff's decisions on a bandwidth request. They are not rows of the
// lifecycle table (the line does not move); only staff make them, on an
// Enabled line with a request pending.
const (
	ActionApproveBandwidth Action = "approve bandwidth"
	ActionRejectBandwidth  Action = "reject bandwidth"
)

// Notices of a bandwidth change.
const (
	NoticeBandwidthRequested NoticeKind = "bandwidth_requested" // staff: Approve / Reject
	NoticeBandwidthChanged   NoticeKind = "bandwidth_changed"   // customer: the new bandwidth, charged or refunded
	NoticeBandwidthRejected  NoticeKind = "bandwidth_rejected"  // customer: with the reason
	NoticeBandwidthShort     NoticeKind = "bandwidth_short"     // customer: approved, but the balance is short: top up
)

// BandwidthNoticeData is the Data of the bandwidth notices.
type BandwidthNoticeData struct {
	FromMbps int    `json:"from_mbps"`
	ToMbps   int    `json:"to_mbps"`
	Amount   string `json:"amount,omitempty"` // the price difference, e.g. "CNY 500.00" (charged) or refunded
	Refund   bool   `json:"refund,omitempty"`
	TopUp    string `json:"top_up,omitempty"` // bandwidth_short: how much to top up
	Reason   string `json:"reason,omitempty"` // bandwidth_rejected
}

// CheckBandwidth checks a requested bandwidth against the port type's
// range at the line's access point (offer) and the current bandwidth.
func CheckBandwidth(c Connection, offer PortOffer, mbps int) error {
	switch {
	case mbps == c.BandwidthMbps:
		return &RuleError{Field: FieldBandwidth, Rule: "bandwidth-unchanged", Message: fmt.Sprintf("The line already has %d Mbps; enter another bandwidth.", mbps),
			Args: map[string]any{"Mbps": mbps}}
	case mbps < max(offer.MinMbps, MinBandwidthMbps) || mbps > min(offer.MaxMbps, c.PortType.CapacityMbps()):
		lo, hi := max(offer.MinMbps, MinBandwidthMbps), min(offer.MaxMbps, c.PortType.CapacityMbps())
		return &RuleError{Field: FieldBandwidth, Rule: "bandwidth-range", Message: fmt.Sprintf("%s at this access point carries %d to %d Mbps; enter a bandwidth in that range.",
			c.PortType, lo, hi), Args: map[string]any{"PortType": string(c.PortType), "AccessPoint": "", "Min": lo, "Max": hi}}
	}
	return nil
}

// BandwidthPrice is what changing c's bandwidth to mbps costs by offer:
// positive is charged, negative refunded.
func BandwidthPrice(c Connection, offer PortOffer, mbps int) int64 {
	return int64(mbps-c.BandwidthMbps) * offer.MbpsPriceCents
}
