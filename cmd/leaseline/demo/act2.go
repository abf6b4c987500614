package demo

import (
	"fmt"
	"time"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/scheduler"
)

// The demo's second act: the customer terminates the line, the removal
// visit is booked by the construction visit's rules, the provider reports
// the line removed, and the port, freed at once, goes to the next line
// applied for.

// secondAct runs the second act on the line ref made Enabled by the first.
func (d *demo) secondAct(ref string) error {
	ws := d.ws
	provChan := d.provider().SlackChannel
	text := func(s string) value { return value{text: s} }
	first, err := d.store.Find(d.ctx, models.SystemActor(), ref)
	if err != nil {
		return fmt.Errorf("demo: find %s: %w", ref, err)
	}
	if !d.quiet {
		d.printf("\nSecond act: the line is terminated, its port freed, and the next line gets it\n")
	}
	var next string // the second application's reference
	steps := []struct {
		day, hour, minute int
		actor, what       string
		act               func() error
	}{
		{1, 10, 0, demoCustomer, "presses Terminate on the Enabled line in #acme-network",
			func() error { _, err := ws.press(demoCustomer, demoCustChan, "Terminate"); return err }},
		{1, 10, 2, demoCustomer, "gives a reason and confirms the termination",
			func() error {
				return ws.submit(demoCustomer, map[string]value{"reason": text("Moving the rack to Shanghai")})
			}},
		{1, 18, 0, "", "runs schedule-visits: the removal visit is booked by the construction visit's rules",
			d.runJob(scheduler.JobScheduleVisits)},
		{2, 8, 0, "", "runs reception-reminders on the morning of the removal",
			d.runJob(scheduler.JobReceptionReminders)},
		{2, 11, 0, demoProvider, "presses Removal Complete in #ct-zhejiang",
			func() error { _, err := ws.press(demoProvider, provChan, "Removal Complete"); return err }},
		{2, 11, 2, demoProvider, "gives the line code and a note and submits",
			func() error {
				return ws.submit(demoProvider, map[string]value{"line_code": text("HZ-CT-0001"), "note": text("Patch cord and label taken out")})
			}},
		{2, 14, 0, demoCustomer, "applies for a new line at the same access point: /leaseline apply",
			func() error { return ws.command(demoCustomer, demoCustChan, "apply") }},
		{2, 14, 1, demoCustomer, "chooses the access point Hangzhou-Yuhang-B",
			func() error { return ws.choose(demoCustomer, models.FieldAccessPoint, demoAccessPoint) }},
		{2, 14, 3, demoCustomer, "fills in the form and presses Apply",
			func() error {
				return ws.submit(demoCustomer, map[string]value{
					models.FieldName: text("ACME Hangzhou secondary"), models.FieldAccessPoint: text(demoAccessPoint),
					models.FieldProvider: text(demoProviderID), models.FieldPortType: text(string(first.PortType)),
					models.FieldBandwidth: text("200"), models.FieldLocation: text("ACME DC, Room 302, 88 Wensan Road, Hangzhou"),
				})
			}},
		{2, 15, 0, demoStaff, "presses Approve in #leaseline-staff",
			func() error {
				b, err := ws.press(demoStaff, demoStaffChan, "Approve")
				next = "#" + b.value
				return err
			}},
		{2, 15, 30, demoCustomer, "presses Pay for Connection in #acme-network",
			func() error { _, err := ws.press(demoCustomer, demoCustChan, "Pay for Connection"); return err }},
		{2, 15, 31, demoCustomer, "confirms the payment in the form",
			func() error { return ws.submit(demoCustomer, nil) }},
	}
	for _, s := range steps {
		if err := d.do(decAt(s.day, s.hour, s.minute), s.actor, s.what, s.act); err != nil {
			d.printf("\n✗ the demo failed: %v\n", err)
			return err
		}
	}
	return d.finishSecond(first, next)
}

// finishSecond checks and prints the end of the second act: the first line
// Terminated, and its port the second line's.
func (d *demo) finishSecond(first *models.Connection, nextRef string) error {
	gone, err := d.store.Find(d.ctx, models.SystemActor(), models.ApplicationRef(first.ID))
	if err != nil {
		return fmt.Errorf("demo: find %s: %w", models.ApplicationRef(first.ID), err)
	}
	next, err := d.store.Find(d.ctx, models.SystemActor(), nextRef)
	if err != nil {
		return fmt.Errorf("demo: find %s: %w", nextRef, err)
	}
	if gone.Status != models.StatusTerminated {
		d.printf("\n✗ %s ended %s, not Terminated\n", gone.DisplayID(), gone.Status)
		return fmt.Errorf("demo: %s ended %s, not Terminated", gone.DisplayID(), gone.Status)
	}
	if next.PortID == nil || first.PortID == nil || *next.PortID != *first.PortID {
		d.printf("\n✗ %s did not get the freed port %s %s\n", nextRef, first.DeviceID, first.PortName)
		return fmt.Errorf("demo: %s did not get the freed port %s %s (got %s %s)", nextRef, first.DeviceID, first.PortName, next.DeviceID, next.PortName)
	}
	d.printf("✓ %s is %s: port %s on %s was freed at once, and %s (%s) got it, in %d steps.\n",
		gone.DisplayID(), gone.Status, first.PortName, first.DeviceID, nextRef, next.DisplayID(), d.step)
	return nil
}

// decAt is a time of the demo's second week (1 December 2026 is a Tuesday).
func decAt(day, hour, minute int) time.Time {
	return time.Date(2026, 12, day, hour, minute, 0, 0, demoZone())
}
