package demo

import (
	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

// The demo's cards settled in place: once a step has passed, the earlier
// messages that still offered it are updated (handlers.Config.CardUpdated
// tells the demo which chat.update calls those are). Each is one line,
// or in full with --cards.

func (d *demo) cardUpdated(c models.Card, _ []slack.Block) {
	d.settledMu.Lock()
	defer d.settledMu.Unlock()
	d.settled[c.Channel+"/"+c.TS]++
}

// describeSettled describes a chat.update call that settled a card.
func (d *demo) describeSettled(c slackfake.Call) (seen, bool) {
	if c.Method != "chat.update" {
		return seen{}, false
	}
	key := c.Param("channel") + "/" + c.Param("ts")
	d.settledMu.Lock()
	n := d.settled[key]
	if n > 0 {
		d.settled[key] = n - 1
	}
	d.settledMu.Unlock()
	if n == 0 {
		return seen{}, false
	}
	where := d.n.channel(c.Param("channel")) + " · earlier card settled in place"
	buttons := slackfake.Buttons([]byte(c.Param("blocks")))
	if len(buttons) == 0 {
		where += " (its buttons removed)"
	}
	if !d.cards {
		return seen{where: where}, true
	}
	return seen{where, d.n.messageLines(c)}, true
}
