package models

import (
	"fmt"
	"strings"
)

// Edit and Resubmit: a Rejected application amended by its customer runs
// every apply rule again and is Applying again; the audit trail records
// what changed.

// Amendment says what app changes of connection c, field by field, as
// the audit trail records it ("" when nothing changed).
func Amendment(c Connection, app Application) string {
	var out []string
	diff := func(field, from, to string) {
		if from != to {
			out = append(out, fmt.Sprintf("%s %q → %q", field, from, to))
		}
	}
	ref := func(id *int64) string {
		if id == nil {
			return "none"
		}
		return ApplicationRef(*id)
	}
	diff(FieldName, c.Name, app.Name)
	diff(FieldAccessPoint, c.AccessPointID, app.AccessPointID)
	diff(FieldProvider, c.ProviderID, app.ProviderID)
	diff(FieldPortType, string(c.PortType), string(app.PortType))
	diff(FieldBandwidth, fmt.Sprintf("%d Mbps", c.BandwidthMbps), fmt.Sprintf("%d Mbps", app.BandwidthMbps))
	diff(FieldLocation, c.Location, app.Location)
	diff(FieldRedundancy, ref(c.RedundantID), ref(app.RedundantID))
	return strings.Join(out, "; ")
}

// Amended is connection c with the fields of app.
func Amended(c Connection, app Application) Connection {
	c.Name, c.AccessPointID, c.ProviderID, c.PortType = app.Name, app.AccessPointID, app.ProviderID, app.PortType
	c.BandwidthMbps, c.Location, c.RedundantID = app.BandwidthMbps, app.Location, app.RedundantID
	return c
}

// ApplicationOf is the apply form's fields of connection c, as its
// customer last submitted them.
func ApplicationOf(c Connection) Application {
	return Application{Name: c.Name, AccessPointID: c.AccessPointID, ProviderID: c.ProviderID, PortType: c.PortType,
		BandwidthMbps: c.BandwidthMbps, Location: c.Location, RedundantID: c.RedundantID}
}
