package models

import (
	"fmt"
	"strconv"
	"strings"
)

// ActInput is an action on a connection, with what it needs.
type ActInput struct {
	Action Action
	// Reason of a rejection or cancellation (required for reject).
	Reason string
	// LineCode and LineLabel, given with Construction Complete (the line
	// code also with Removal Complete).
	LineCode, LineLabel string
	// Note, optional with Removal Complete.
	Note string
	// Planned is the removal's planned date, optional with Terminate: the
	// removal visit is not booked before it.
	Planned *Date
}

// ParseRef reads how users name a connection: "#42", "42" or a physical
// connection ID.
func ParseRef(ref string) (id int64, pcID string, err error) {
	ref = strings.TrimSpace(ref)
	if IsPhysicalConnectionID(ref) {
		return 0, ref, nil
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64)
	if err != nil || n <= 0 {
		return 0, "", fmt.Errorf("%q is not a connection: use its number, e.g. #42, or its physical connection ID (pc-…)", ref)
	}
	return n, "", nil
}
