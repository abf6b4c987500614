package models

import "slices"

// Accounts lists the accounts a customer actor sees.
func (a Actor) Accounts() []int64 {
	if len(a.AccountIDs) > 0 {
		return a.AccountIDs
	}
	if a.AccountID != 0 {
		return []int64{a.AccountID}
	}
	return nil
}

// SeesAccount reports whether a customer actor belongs to account id.
func (a Actor) SeesAccount(id int64) bool {
	return id != 0 && slices.Contains(a.Accounts(), id)
}
