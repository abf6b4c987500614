package handlers

// The port inventory staff see: `/leaseline ports [access-point]`, its
// glance in the staff App Home, and the low-water alert; and the list's
// --all (connections that ended long ago).

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// listArgs reads the arguments of `list` (and the value of its page
// buttons): "--all" (or "all") and a page number, in any order.
func listArgs(s string) (page int, all bool) {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == ':' }) {
		switch w = strings.ToLower(strings.TrimLeft(w, "-#")); w {
		case "all":
			all = true
		default:
			if n, err := strconv.Atoi(w); err == nil {
				page = n
			}
		}
	}
	return page, all
}

// listValue is the value of a page button: "2", or "all:2" with --all.
func listValue(page int, all bool) string {
	if all {
		return "all:" + strconv.Itoa(page)
	}
	return strconv.Itoa(page)
}

// listScope tells, after a list's heading, which ended connections it
// shows.
func listScope(all bool) string {
	if all {
		return " Ended connections included, however old."
	}
	return " Connections ended more than 30 days ago are not listed: `/leaseline list --all`."
}

// cmdPorts is `ports [ACCESS-POINT]` (staff only): per access point and port
// type, the ports in total, in use and free, and free per device.
func (a *App) cmdPorts(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	if _, ok := a.staffActor(ctx, cmd); !ok {
		return
	}
	cv, err := a.loadCatalog(ctx)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	apID := ""
	if ref, _ := splitWord(rest); ref != "" {
		ap := cv.accessPoint(ref)
		if ap == nil {
			a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, fmt.Sprintf(":warning: %q is not an access point. `/leaseline access-points` lists them; `/leaseline ports` shows every one.", ref))
			return
		}
		apID = ap.ID
	}
	stock, err := a.store.Inventory(ctx, apID)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	blocks := []slack.Block{section("*Ports* by access point and port type: total, in use (held by a connection), free (payment can allocate it), and free per device.")}
	for _, g := range cv.byRegion(func(ap *models.AccessPoint) bool { return apID == "" || ap.ID == apID }) {
		for _, ap := range g.aps {
			blocks = append(blocks, section(truncate(apPortsText(ap, stockOf(stock, ap.ID), true), maxPlainText)))
		}
	}
	if len(blocks) > maxMessageBlocks {
		blocks = append(blocks[:maxMessageBlocks-1], contextText("More access points than fit here: `/leaseline ports ACCESS-POINT` shows one."))
	}
	a.replyBlocks(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, blocks)
}

// stockOf keeps the stock of one access point.
func stockOf(all []models.PortStock, apID string) []models.PortStock {
	var out []models.PortStock
	for _, st := range all {
		if st.AccessPointID == apID {
			out = append(out, st)
		}
	}
	return out
}

// apPortsText is one access point's ports: a line per port type, with the
// free ports per device when perDevice.
func apPortsText(ap *models.AccessPoint, stock []models.PortStock, perDevice bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* `%s` · %s\n", esc(ap.Name), esc(ap.ID), apStatusText(ap))
	if len(stock) == 0 {
		b.WriteString("No ports.\n")
	}
	for _, st := range stock {
		fmt.Fprintf(&b, "`%s` total %d · in use %d · *free %d*", st.PortType, st.Total, st.InUse, st.Free)
		if st.Down > 0 {
			fmt.Fprintf(&b, " · down %d", st.Down)
		}
		if _, offered := ap.Offer(st.PortType); offered && st.Free <= ap.LowWater && ap.Status.Open() {
			fmt.Fprintf(&b, " :warning: at or below low water (%d)", ap.LowWater)
		}
		b.WriteString("\n")
		if perDevice && len(st.FreeByDevice) > 0 {
			parts := make([]string, 0, len(st.FreeByDevice))
			for _, d := range st.FreeByDevice {
				parts = append(parts, fmt.Sprintf("%s %d", esc(d.DeviceID), d.Free))
			}
			b.WriteString("    free per device: " + strings.Join(parts, ", ") + "\n")
		}
	}
	return b.String()
}

// apStatusText is an access point's status as staff read it: full for want
// of ports is told apart from full in the catalog.
func apStatusText(ap *models.AccessPoint) string {
	if ap.NoFreePort {
		return ":red_circle: full: no free port of any type it offers (reopens when a port is freed or added)"
	}
	return statusWords(ap.Status)
}

// inventoryGlance is the staff App Home's ports at a glance: per access
// point, each port type's free and in-use ports.
func (a *App) inventoryGlance(ctx context.Context) ([]slack.Block, error) {
	cv, err := a.loadCatalog(ctx)
	if err != nil {
		return nil, err
	}
	stock, err := a.store.Inventory(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("port inventory: %w", err)
	}
	var lines []string
	for _, g := range cv.byRegion(anyAP) {
		for _, ap := range g.aps {
			lines = append(lines, strings.TrimSuffix(apPortsText(ap, stockOf(stock, ap.ID), true), "\n"))
		}
	}
	if len(lines) == 0 {
		return nil, nil
	}
	blocks := []slack.Block{section("*Ports*: free and in use per access point and port type (`/leaseline ports ACCESS-POINT` for one).")}
	var cur strings.Builder
	for _, l := range lines {
		if cur.Len()+len(l)+1 > maxPlainText-100 && cur.Len() > 0 {
			blocks = append(blocks, section(cur.String()))
			cur.Reset()
		}
		cur.WriteString(truncate(l, maxPlainText-200) + "\n")
	}
	blocks = append(blocks, section(cur.String()))
	const most = 6
	if len(blocks) > most {
		blocks = append(blocks[:most-1], contextText("More access points than fit here: `/leaseline ports` lists them all."))
	}
	return blocks, nil
}

// renderLowPorts renders a low_ports notice to staff.
func renderLowPorts(n models.Notice) ([]slack.Block, string, error) {
	d := noticeData[models.LowPortsNoticeData](n)
	title := "Ports running low"
	intro := fmt.Sprintf("Only *%d* free *%s* port(s) left at %s (`%s`), %d in use: at or below its low-water mark of %d. Add ports to the catalog before payments find none. `/leaseline ports %s` shows them per device.",
		d.Free, esc(string(d.PortType)), esc(d.AccessPoint), esc(d.AccessPointID), d.InUse, d.LowWater, esc(d.AccessPointID))
	blocks := []slack.Block{slack.NewHeaderBlock(plain(title)), section(intro),
		contextText("You are told once; again only after the free ports have risen above the mark.")}
	return blocks, fmt.Sprintf("%s: %d free %s at %s", title, d.Free, d.PortType, d.AccessPoint), nil
}

// fullForWantOfPorts names, for the apply form, the access points shown
// full because no port they offer is free ("" when none is).
func fullForWantOfPorts(cv *catalogView) string {
	var names []string
	for i := range cv.aps {
		if cv.aps[i].NoFreePort {
			names = append(names, esc(cv.aps[i].Name))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return truncate(" Full, no free port: "+strings.Join(names, ", ")+".", 1000)
}
