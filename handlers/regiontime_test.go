package handlers_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// cst is a time as people of the Hangzhou sample region read it.
var cst = regexp.MustCompile(`\w{3} \d{1,2} \w{3} \d{2}:\d{2} CST`)

// Channel cards show times in the region's local time with its zone, the
// same for every reader, and customers read the access point by its name
// only; staff see its catalog ID after the name.
func TestChannelCardsShowRegionTimeAndNames(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := jApply(e, "Region time line", "Room 301")
		k := newCourier(e)
		k.deliver()
		review := k.one(c.ID, models.NoticeReviewRequest, staffChannel)
		if text := blocksText(review.blocks); !strings.Contains(text, "Hangzhou-Yuhang-B `ap-cn-hangzhou-yh-b`") || !cst.MatchString(text) || strings.Contains(text, "<!date^") {
			t.Errorf("staff review card wants the access point's name and ID and a CST time:\n%s", text)
		}
		e.pressOn(staffUser, review, "Approve")
		e.settle()
		kept := false
		for _, m := range e.slack.Messages(staffChannel) {
			if m.TS != review.ts {
				continue
			}
			kept = true
			text := blocksText(string(m.Blocks))
			if !regexp.MustCompile(`Approved by <@` + staffUser + `>, ` + cst.String()).MatchString(text) {
				t.Errorf("staff card after Approve lacks \"Approved by <@%s>, … CST\":\n%s", staffUser, text)
			}
			if strings.Contains(text, "<!date^") {
				t.Errorf("staff card after Approve shows a Slack date token:\n%s", text)
			}
		}
		if !kept {
			t.Fatalf("review message %s not in %s", review.ts, staffChannel)
		}

		k.deliver()
		approved := k.one(c.ID, models.NoticeApproved, customerChan)
		text := blocksText(approved.blocks)
		if !strings.Contains(text, "Hangzhou-Yuhang-B") || strings.Contains(text, "ap-cn-hangzhou-yh-b") {
			t.Errorf("customer's card wants the access point by name, without its ID:\n%s", text)
		}
		if !cst.MatchString(text) || strings.Contains(text, "<!date^") {
			t.Errorf("customer's card wants times in CST, not Slack date tokens:\n%s", text)
		}
	})
}
