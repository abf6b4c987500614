package bot

import (
	"strconv"

	"github.com/leaseline/leaseline/models"
)

// Lanes: a claimed batch is delivered by up to DeliveryConfig.Parallel
// goroutines, one lane each at a time. A lane holds the notices whose
// order matters to someone reading them, in the order they were claimed:
//
//   - every notice about one connection, whatever its channel (its cards
//     are posted before the settle notice that updates them, and a
//     customer reads "approved" before "paid");
//   - every reply in one thread (one channel's thread ts);
//   - every notice about no connection in one channel.
//
// A notice in two of these (a connection's reply in a thread) joins them
// into one lane. Notices of different lanes go out side by side: their
// relative order in Slack is that of their posts' arrival.

// laneKeys are the ordering keys of a notice: any two notices sharing one
// are in the same lane.
func laneKeys(n models.Notice) []string {
	var keys []string
	if n.ConnectionID != nil {
		keys = append(keys, "connection "+strconv.FormatInt(*n.ConnectionID, 10))
	}
	if n.ThreadTS != "" {
		keys = append(keys, "thread "+n.Channel+" "+n.ThreadTS)
	}
	if len(keys) == 0 {
		keys = append(keys, "channel "+n.Channel)
	}
	return keys
}

// lanes splits batch into lanes (see above), each in claim order; the
// lanes are ordered by their first notice.
func lanes(batch []models.Delivery) [][]models.Delivery {
	// Union-find over the batch's indexes, joined by shared keys.
	parent := make([]int, len(batch))
	for i := range parent {
		parent[i] = i
	}
	root := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	first := map[string]int{}
	for i, d := range batch {
		for _, k := range laneKeys(d.Notice) {
			j, ok := first[k]
			if !ok {
				first[k] = i
				continue
			}
			// The lane keeps the smaller root: its first notice.
			a, b := root(i), root(j)
			parent[max(a, b)] = min(a, b)
		}
	}
	var out [][]models.Delivery
	at := map[int]int{} // root → its lane in out
	for i, d := range batch {
		r := root(i)
		l, ok := at[r]
		if !ok {
			l = len(out)
			at[r] = l
			out = append(out, nil)
		}
		out[l] = append(out[l], d)
	}
	return out
}
