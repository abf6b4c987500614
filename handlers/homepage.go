package handlers

// Paging of App Home: each section (a customer's account, the staff
// queue) shows one page of its connections, read from a cursor, with
// Previous and Next. Which page each section is at is carried by the
// buttons (Refresh keeps it) and by the published view's private metadata
// (reopening the tab keeps it).

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Action IDs of the page buttons: routed to App Home's refresh by their
// prefix (actHomeRefresh), the value carrying the pages to show.
const (
	actHomePrevious = actHomeRefresh + "_previous"
	actHomeNext     = actHomeRefresh + "_next"
)

// homePageSize is the connections a section shows at most (three blocks
// each: 60 of a view's 100).
const homePageSize = 20

// homeQueue is the staff queue's key in a homeState.
const homeQueue = "q"

// homeAt is where one section of App Home is: its page number (from 1)
// and the cursor its page is read from.
type homeAt struct {
	page int
	cur  *models.Cursor
	back bool
}

// homeState is where each section of App Home is, by section key (an
// account's ID, or homeQueue); a section not in it is at its first page.
type homeState map[string]homeAt

// homeNavBlocks is the blocks of a section's page buttons (homeNav).
const homeNavBlocks = 2

// homeMaxPage bounds the page number a value may carry.
const homeMaxPage = 100000

// parseHomeState reads a homeState from a button's value or a view's
// private metadata: "key:page:b17" (the rows after connection 17),
// "key:page:a17" (those before it), the staff queue's cursor with
// "@unix-nanoseconds" of its last change; sections separated by ";".
// What does not parse is left out: that section shows its first page.
func parseHomeState(s string) homeState {
	st := homeState{}
	for part := range strings.SplitSeq(s, ";") {
		f := strings.Split(part, ":")
		if len(f) != 3 || f[0] == "" || len(f[2]) < 2 {
			continue
		}
		page, err := strconv.Atoi(f[1])
		if err != nil || page < 2 || page > homeMaxPage {
			continue
		}
		at := homeAt{page: page, back: f[2][0] == 'a'}
		if f[2][0] != 'a' && f[2][0] != 'b' {
			continue
		}
		idText, nanos, timed := strings.Cut(f[2][1:], "@")
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil || id <= 0 {
			continue
		}
		at.cur = &models.Cursor{ID: id}
		if timed {
			n, err := strconv.ParseInt(nanos, 10, 64)
			if err != nil {
				continue
			}
			at.cur.At = time.Unix(0, n).UTC()
		}
		st[f[0]] = at
	}
	return st
}

// String is the state as parseHomeState reads it.
func (st homeState) String() string {
	keys := make([]string, 0, len(st))
	for k, at := range st {
		if at.page > 1 && at.cur != nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		at := st[k]
		if i > 0 {
			b.WriteByte(';')
		}
		dir := byte('b')
		if at.back {
			dir = 'a'
		}
		b.WriteString(k + ":" + strconv.Itoa(at.page) + ":" + string(dir) + strconv.FormatInt(at.cur.ID, 10))
		if !at.cur.At.IsZero() {
			b.WriteString("@" + strconv.FormatInt(at.cur.At.UnixNano(), 10))
		}
	}
	return b.String()
}

// with is the state with section key at at.
func (st homeState) with(key string, at homeAt) homeState {
	out := make(homeState, len(st)+1)
	for k, v := range st {
		out[k] = v
	}
	if at.page <= 1 {
		delete(out, key)
	} else {
		out[key] = at
	}
	return out
}

// request is the page to read for the section.
func (at homeAt) request(size int) models.Page {
	if at.page <= 1 || at.cur == nil {
		return models.Page{Size: size}
	}
	return models.Page{Size: size, Cursor: at.cur, Back: at.back}
}

// homePager reads one page of a section from the store: rows in the
// list's order, and whether more lie beyond in the reading direction.
type homePager func(page models.Page) ([]models.Connection, bool, error)

// homePageOf reads the page of a section the state says, and what its
// buttons lead to. A page that has emptied since (its connections ended)
// gives way to the first page.
func homePageOf(st homeState, key string, size int, read homePager) (rows []models.Connection, at homeAt, prev, next bool, err error) {
	at = st[key]
	if at.page <= 1 || at.cur == nil {
		at = homeAt{page: 1}
	}
	rows, more, err := read(at.request(size))
	if err != nil {
		return nil, at, false, false, err
	}
	if len(rows) == 0 && at.page > 1 {
		at = homeAt{page: 1}
		if rows, more, err = read(at.request(size)); err != nil {
			return nil, at, false, false, err
		}
	}
	switch {
	case at.page <= 1:
		return rows, at, false, more, nil
	case at.back && !more:
		// Read back to the list's start: this is the first page.
		return rows, homeAt{page: 1}, false, true, nil
	case at.back:
		return rows, at, true, true, nil
	}
	return rows, at, true, more, nil
}

// homeNav is a section's page buttons and where it is, when it has more
// than one page: key's section at at, showing rows; cursor makes a row's
// cursor for the section's order.
func homeNav(p lang.Printer, st homeState, key string, at homeAt, rows []models.Connection, prev, next bool, cursor func(*models.Connection) *models.Cursor) []slack.Block {
	if (!prev && !next) || len(rows) == 0 {
		return nil
	}
	var buttons []slack.BlockElement
	if prev {
		to := homeAt{page: at.page - 1, cur: cursor(&rows[0]), back: true}
		buttons = append(buttons, button(actHomePrevious, st.with(key, to).String(), p.T("home.button_previous"), ""))
	}
	if next {
		to := homeAt{page: at.page + 1, cur: cursor(&rows[len(rows)-1])}
		buttons = append(buttons, button(actHomeNext, st.with(key, to).String(), p.T("home.button_next"), ""))
	}
	return []slack.Block{
		contextText(p.T("home.page", lang.Args{"Page": at.page})),
		slack.NewActionBlock("ll_home_nav_"+key, buttons...),
	}
}

// byID is the cursor of a list ordered by ID (an account's connections).
func byID(c *models.Connection) *models.Cursor { return &models.Cursor{ID: c.ID} }

// byChange is the cursor of the staff queue (ordered by last change).
func byChange(c *models.Connection) *models.Cursor {
	return &models.Cursor{ID: c.ID, At: c.UpdatedAt.UTC()}
}
