package bot

import (
	"fmt"
	"slices"
	"testing"

	"github.com/leaseline/leaseline/models"
)

func TestLanes(t *testing.T) {
	conn := func(id int64) *int64 { return &id }
	notice := func(id int64, ch string, c *int64, thread string) models.Delivery {
		return models.Delivery{Notice: models.Notice{ID: id, Channel: ch, ConnectionID: c, ThreadTS: thread}}
	}
	batch := []models.Delivery{
		notice(1, "CSTAFF", conn(7), ""),         // connection 7's review request
		notice(2, "CACME", conn(8), ""),          // another connection: its own lane
		notice(3, "CACME", conn(7), ""),          // connection 7 again, another channel: after 1
		notice(4, "CSTAFF", nil, ""),             // about no connection: the staff channel's lane
		notice(5, "CSTAFF", nil, ""),             // after 4
		notice(6, "CACME", nil, ""),              // about no connection, another channel
		notice(7, "CSTAFF", conn(9), "111.222"),  // a reply in a thread ...
		notice(8, "CSTAFF", conn(10), "111.222"), // ... joins connection 10 to its lane
		notice(9, "CPROV", conn(10), ""),         // connection 10 elsewhere: after 8
		notice(10, "CSETTLE", conn(8), ""),       // connection 8's settle: after 2
	}
	var got []string
	for _, l := range lanes(batch) {
		var ids []int64
		for _, d := range l {
			ids = append(ids, d.Notice.ID)
		}
		got = append(got, fmt.Sprint(ids))
	}
	want := []string{"[1 3]", "[2 10]", "[4 5]", "[6]", "[7 8 9]"}
	if !slices.Equal(got, want) {
		t.Fatalf("lanes %v, want %v", got, want)
	}
	if l := lanes(nil); len(l) != 0 {
		t.Fatalf("lanes of no notice: %v", l)
	}
}
