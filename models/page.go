package models

import "time"

// Page asks a list for one page of its rows, read from a cursor (keyset
// paging): each page costs the same however many rows the list holds and
// however far into it the page is.
type Page struct {
	// Size is the number of rows of a page (<= 0: 20).
	Size int
	// Cursor is the row the page is read from (nil: the list's start).
	// Without Back, the page is the rows that come after it in the list's
	// order (the next page); with Back, those that come before it (the
	// previous page), still returned in the list's order.
	Cursor *Cursor
	Back   bool
	// Offset skips rows from the list's start when there is no cursor (a
	// page asked for by its number); its cost grows with it.
	Offset int
	// All includes the connections that ended long ago (List only).
	All bool
}

// Cursor is a row's position in a list: its ID, and for lists ordered by
// time (the staff queue, by last change) its time.
type Cursor struct {
	ID int64
	At time.Time
}

// PageSize is Size, or its default.
func (p Page) PageSize() int {
	if p.Size <= 0 {
		return 20
	}
	return p.Size
}
